"""Designs: many parameter sets x replications, run in chunks over processes, streamed to disk.

Run ``r`` of a design is parameter set ``r // replications``, replication ``r % replications``; its random stream
is seeded by ``(seed, r)`` only, so results never depend on the chunk size, the batch a run shared or the worker
that ran it. A set may fix behavioural parameters (``w_coercion``) and levers (``us.tariff``: that value for every
state from the scenario start, as ``python -m sim us.tariff=...`` would set it). Each chunk's outcomes are written
as soon as they arrive (CSV and/or Parquet part files) and only per-run scalars stay in memory, so memory stays
flat however many runs a design has.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config import LEVER_DOCS, Params, param_meta, param_names
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.update import EVENTS
from sim.dynamics.world import World
from sim.engine import LeverOverride, OutcomeRecorder, Outcomes, simulate
from sim.errors import SimInputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "parquet")


@dataclass
class Design:
    """Parameter sets (rows of ``values``) run ``replications`` times each.

    ``values`` maps names to arrays of length ``n_sets``: behavioural parameters (``w_coercion``, see
    :class:`sim.config.Params`) and levers (``us.tariff``, ``china.bri_finance``: any name of
    :data:`sim.config.LEVER_DOCS`, see ``python -m sim.levers``). A lever column gives each set its own value of
    that lever for every state from the scenario start on (replacing the scenario's value, targets and schedule for
    that lever, as a lever given on the command line does; reactions still act on top). Names not given keep the
    base configuration's values. Every value is checked against its documented range.
    """

    values: dict[str, np.ndarray] = field(default_factory=dict)
    replications: int = 1
    n_sets: int = 1

    def __post_init__(self) -> None:
        known = set(param_names())
        for name, column in self.values.items():
            if name in known:
                lo, hi = param_meta(name)["range"]
                unit = param_meta(name)["unit"]
            elif name in LEVER_DOCS:
                unit, lo, hi, _ = LEVER_DOCS[name]
            else:
                raise SimInputError(
                    "design",
                    name,
                    "expected behavioural parameter names (params.*, e.g. w_coercion) or lever names "
                    "(us.*, china.*: python -m sim.levers lists them)",
                )
            column = np.asarray(column, dtype=float)
            if column.ndim != 1 or not np.all((column >= lo) & (column <= hi)):
                raise SimInputError(f"design.{name}", "values", f"expected a 1-d array within [{lo}, {hi}] ({unit})")
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

    @property
    def levers(self) -> list[str]:
        """The design's lever columns (``us.tariff`` ...), in the order given."""
        return [name for name in self.values if name in LEVER_DOCS]

    def params_for(self, base: Params, runs: np.ndarray) -> Params:
        """``base`` with the design's parameters as ``(len(runs), 1)`` arrays for these runs."""
        sets = runs // self.replications
        chosen = {k: v[sets][:, None] for k, v in self.values.items() if k not in LEVER_DOCS}
        return dataclasses.replace(base, **chosen)

    def levers_for(self, runs: np.ndarray, first: int = 0) -> LeverOverride | None:
        """The design's lever values for these runs, applied from month ``first`` of the run (0: the scenario
        start) on; ``None`` when the design sets no lever."""
        if not self.levers:
            return None
        sets = runs // self.replications
        index = np.array([LEVER_INDEX[name] for name in self.levers])
        values = np.stack([self.values[name][sets] for name in self.levers], axis=1)
        return LeverOverride(index, values, first)


LEADER_MEASURES = ("us.leader_sanctions", "us.visa_bans")
"""Levers whose spells :func:`sim.dynamics.world.build_world` turns into ``World.leader_measures_since`` (a measure
binds the government in office when its spell began): a design setting them needs that array for its own values."""


def world_groups(world: World, design: Design, runs: np.ndarray) -> list[tuple[World, np.ndarray]]:
    """The worlds ``runs`` need and, for each, the positions (in ``runs``) of the runs it serves.

    The world's arrays derived from the lever plan (today ``leader_measures_since``, from :data:`LEADER_MEASURES`)
    are rebuilt, by the builder's own rule, for each run's lever values; runs whose rebuilt arrays are equal share a
    world. Without such levers in the design: ``[(world, all positions)]``. ``tests/test_design.py`` checks, lever by
    lever, that a design run equals the run of a world built with that lever set, so a new plan-derived array fails
    there until it is handled here.
    """
    touched = [name for name in LEADER_MEASURES if name in design.values]
    if not touched:
        return [(world, np.arange(len(runs)))]
    from sim.dynamics.world import _spell_starts  # the builder's rule, so both always agree

    sets = runs // design.replications
    rows = np.stack([design.values[name][sets] for name in touched], axis=1)
    distinct, which = np.unique(rows, axis=0, return_inverse=True)
    columns = [LEVER_INDEX[name] for name in LEADER_MEASURES]
    groups: dict[bytes, tuple[np.ndarray, list[int]]] = {}
    for k, row in enumerate(distinct):
        plan = world.plan[:, columns].copy()
        for name, value in zip(touched, row, strict=True):
            plan[:, LEADER_MEASURES.index(name)] = value  # from the scenario start: the world's first month
        since = _spell_starts(plan, world.first)
        members = list(np.flatnonzero(which.ravel() == k))
        key = since.tobytes()
        groups[key] = (since, groups[key][1] + members) if key in groups else (since, members)
    return [(replace(world, leader_measures_since=since), np.sort(members)) for since, members in groups.values()]


RUNS_AXIS_1 = ("regional_mean", "bri_count")
"""Fields of :class:`sim.engine.Outcomes` shaped ``(months, runs)``; every other array field has runs first."""


def merge_outcomes(parts: list[Outcomes]) -> Outcomes:
    """One :class:`~sim.engine.Outcomes` from parts covering different runs, ordered by run index."""
    if len(parts) == 1:
        return parts[0]
    order = np.argsort(np.concatenate([part.runs for part in parts]), kind="stable")
    merged = {}
    for f in dataclasses.fields(Outcomes):
        axis = 1 if f.name in RUNS_AXIS_1 else 0
        merged[f.name] = np.take(np.concatenate([getattr(part, f.name) for part in parts], axis=axis), order, axis)
    return Outcomes(**merged)


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
    design = w["design"]
    parts = []
    for world, members in world_groups(w["world"], design, runs):
        sub = runs[members]
        params = design.params_for(w["base"], sub)
        levers = design.levers_for(sub, 0)  # month 0 is the scenario start
        parts.append(simulate(world, params, w["seed"], sub, OutcomeRecorder(), dtype=w["dtype"], levers=levers))
    return merge_outcomes(parts)


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


def _write(frame: pd.DataFrame, out_dir: Path, table: str, stem: str, formats: Sequence[str]) -> list[Path]:
    """Write ``frame`` as ``out_dir/<format>/<table>/<stem>.<format>`` for each format."""
    paths = []
    for fmt in formats:
        folder = out_dir / fmt / table
        folder.mkdir(parents=True, exist_ok=True)
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
    """Run every run of ``design`` and stream its outcomes to ``out_dir``, one folder per format.

    Layout (``i`` = chunk number, ``part-00000`` first; one file per chunk and format)::

        out_dir/parquet/runs/part-<i>.parquet    one row per run: run, set, replication, the design's columns,
                                                 regional_mean_end, regional_mean_change, bri_members_end,
                                                 <event>_events (events of each kind, all states)
        out_dir/parquet/states/part-<i>.parquet  one row per run x state: run, iso3, alignment_end, bri_member_end,
                                                 one count per event kind
        out_dir/csv/runs/part-<i>.csv            the same tables as CSV (when "csv" is in ``formats``)
        out_dir/csv/states/part-<i>.csv

    so ``pd.read_parquet(out_dir / "parquet" / "runs")`` reads every run at once. ``formats`` is any of
    ``("parquet", "csv")``. ``workers`` processes (``None``: every core) each take whole chunks of ``chunk`` runs;
    results come back in chunk order, so the files are the same whatever the number of workers.
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
            files += _write(rows, out_dir, "runs", f"part-{i:05d}", formats)
            files += _write(_state_rows(out, world), out_dir, "states", f"part-{i:05d}", formats)
        bar.update(len(out.runs))
    bar.close()
    return DesignResult(
        pd.concat(run_frames, ignore_index=True), np.concatenate(regional, axis=1), np.concatenate(bri, axis=1), files
    )
