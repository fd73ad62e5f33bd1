"""Designs: many parameter sets x replications, run in chunks over processes, streamed to disk.

Run ``r`` of a design is parameter set ``r // replications``, replication ``r % replications``; its random stream
is seeded by ``(seed, r)`` only, so results never depend on the chunk size, the batch a run shared or the worker
that ran it. Each chunk's outcomes are written as soon as they arrive (CSV and/or Parquet part files) and only
per-run scalars stay in memory, so memory stays flat however many runs a design has.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config import Params, param_meta, param_names
from sim.dynamics.update import EVENTS
from sim.dynamics.world import World
from sim.engine import OutcomeRecorder, Outcomes, simulate
from sim.errors import SimInputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "parquet")


@dataclass
class Design:
    """Parameter sets (rows of ``values``) run ``replications`` times each.

    ``values`` maps behavioural parameter names to arrays of length ``n_sets``; parameters not named keep the
    base configuration's value.
    """

    values: dict[str, np.ndarray] = field(default_factory=dict)
    replications: int = 1
    n_sets: int = 1

    def __post_init__(self) -> None:
        known = set(param_names())
        for name, column in self.values.items():
            if name not in known:
                raise SimInputError("design", name, "expected behavioural parameter names (params.*)")
            column = np.asarray(column, dtype=float)
            lo, hi = param_meta(name)["range"]
            if column.ndim != 1 or not np.all((column >= lo) & (column <= hi)):
                raise SimInputError(f"design.{name}", "values", f"expected a 1-d array within [{lo}, {hi}]")
            self.values[name] = column
        sizes = {len(v) for v in self.values.values()}
        if len(sizes) > 1:
            raise SimInputError("design", sorted(sizes), "every parameter column needs the same length")
        if sizes:
            self.n_sets = sizes.pop()
        if self.replications < 1:
            raise SimInputError("replications", self.replications, "expected a whole number of at least 1")

    @property
    def n_runs(self) -> int:
        return self.n_sets * self.replications

    def params_for(self, base: Params, runs: np.ndarray) -> Params:
        """``base`` with the design's parameters as ``(len(runs), 1)`` arrays for these runs."""
        sets = runs // self.replications
        return dataclasses.replace(base, **{k: v[sets][:, None] for k, v in self.values.items()})


@dataclass
class DesignResult:
    """Per-run scalar outcomes (one row per run) and where the part files were written."""

    runs: pd.DataFrame
    regional_mean: np.ndarray  # (months, runs) regional mean alignment, months start-1 .. end
    bri_count: np.ndarray  # (months, runs)
    files: list[Path]


_WORKER: dict[str, Any] = {}


def _init_worker(world: World, base: Params, design: Design, seed: int, dtype: str) -> None:
    _WORKER.update(world=world, base=base, design=design, seed=seed, dtype=np.dtype(dtype))


def _run_chunk(runs: np.ndarray) -> Outcomes:
    w = _WORKER
    params = w["design"].params_for(w["base"], runs)
    return simulate(w["world"], params, w["seed"], runs, OutcomeRecorder(), dtype=w["dtype"])


def _chunks(n_runs: int, chunk: int) -> list[np.ndarray]:
    return [np.arange(i, min(i + chunk, n_runs)) for i in range(0, n_runs, chunk)]


def _run_rows(out: Outcomes, design: Design) -> pd.DataFrame:
    import pandas as pd  # imported here: workers never need it

    rows = {
        "run": out.runs,
        "set": out.runs // design.replications,
        "replication": out.runs % design.replications,
    }
    rows |= {name: values[out.runs // design.replications] for name, values in design.values.items()}
    rows |= {
        "regional_mean_end": out.regional_mean[-1].astype(np.float64).round(6),
        "regional_mean_change": (out.regional_mean[-1] - out.regional_mean[0]).astype(np.float64).round(6),
        "bri_members_end": out.bri_count[-1],
    }
    for k, kind in enumerate(EVENTS):
        rows[f"{kind}_events"] = out.event_counts[:, :, k].sum(axis=1)
    return pd.DataFrame(rows)


def _state_rows(out: Outcomes, world: World) -> pd.DataFrame:
    import pandas as pd  # imported here: workers never need it

    runs, states = out.alignment_end.shape
    frame = pd.DataFrame(
        {
            "run": np.repeat(out.runs, states),
            "iso3": np.tile(np.array(world.iso3), runs),
            "alignment_end": out.alignment_end.ravel().astype(np.float64).round(6),
            "bri_member_end": out.bri_end.ravel().astype(np.int8),
        }
    )
    for k, kind in enumerate(EVENTS):
        frame[kind] = out.event_counts[:, :, k].ravel()
    return frame


def _write(frame: pd.DataFrame, folder: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


def _results(
    world: World, base: Params, design: Design, seed: int, chunk: int, workers: int, dtype: str
) -> Iterator[Outcomes]:
    chunks = _chunks(design.n_runs, chunk)
    if workers <= 1:
        _init_worker(world, base, design, seed, dtype)
        yield from map(_run_chunk, chunks)
        return
    # forkserver: workers fork from a clean single-threaded server (plain fork from a process running BLAS or
    # progress threads can deadlock); the server imports the engine once
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["sim.runners.design"])
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(world, base, design, seed, dtype)
    ) as pool:
        yield from pool.map(_run_chunk, chunks)


def run_design(
    world: World,
    base: Params,
    design: Design,
    seed: int,
    *,
    chunk: int = 1024,
    workers: int | None = 1,
    out_dir: Path | None = None,
    formats: Sequence[str] = ("parquet",),
    dtype: str = "float64",
    progress: bool = True,
) -> DesignResult:
    """Run every run of ``design`` and stream its outcomes to ``out_dir`` (``runs/`` and ``states/`` part files).

    ``workers`` processes (``None``: every core) each take whole chunks of ``chunk`` runs; results come back in
    chunk order, so the files are the same whatever the number of workers.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise SimInputError("formats", fmt, f"expected one of {', '.join(FORMATS)}")
    if chunk < 1:
        raise SimInputError("chunk", chunk, "expected a whole number of at least 1")
    import pandas as pd
    from tqdm.auto import tqdm

    n_workers = os.cpu_count() or 1 if workers is None else workers
    run_frames, regional, bri, files = [], [], [], []
    bar = tqdm(total=design.n_runs, desc="design runs", unit="run", disable=not progress)
    for i, out in enumerate(_results(world, base, design, seed, chunk, n_workers, dtype)):
        rows = _run_rows(out, design)
        run_frames.append(rows)
        regional.append(out.regional_mean)
        bri.append(out.bri_count)
        if out_dir is not None:
            files += _write(rows, out_dir / "runs", f"part-{i:05d}", formats)
            files += _write(_state_rows(out, world), out_dir / "states", f"part-{i:05d}", formats)
        bar.update(len(out.runs))
    bar.close()
    return DesignResult(
        pd.concat(run_frames, ignore_index=True), np.concatenate(regional, axis=1), np.concatenate(bri, axis=1), files
    )
