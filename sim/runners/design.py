"""Designs: many parameter sets x replications, run in chunks over processes, streamed to disk.

Run ``r`` of a design is parameter set ``r // replications``, replication ``r % replications``; its random stream
is seeded by ``(seed, r)`` only, so results never depend on the chunk size, the batch a run shared, the worker that
ran it or the slice it belonged to. A set may fix behavioural parameters (``w_coercion``) and levers (``us.tariff``:
that value for every state from the scenario start, as ``python -m sim us.tariff=...`` would set it).

Scale-out: each worker process builds and writes the part files of the chunks it runs (the main process only counts
them), so nothing is serialised through the main process; with ``keep=False`` nothing per run is kept in memory
either, and memory stays flat from a thousand runs to millions. A design can be cut into slices of whole chunks
(``part=(i, n)``) run by separate jobs (a SLURM array: one task per slice) into one folder, then checked and merged
(:func:`merge_design`); the command line::

    python -m sim.runners.design OUT --prepare --values sets.csv --replications 2 [scenario=... key=value ...]
    python -m sim.runners.design OUT --slice $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT   # one task per slice
    python -m sim.runners.design OUT --merge

and :func:`submit_slices` (submitit) do the same from Python (docs/performance.md, "Scale-out").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import pickle
import sys
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
from sim.engine import LeverOverride, OutcomeRecorder, Outcomes, batch_runs, simulate
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
    """What :func:`run_design` returns: per-run scalar outcomes (one row per run, sorted by run) and the part files
    written. With ``keep=False`` only ``files`` and ``n_runs`` are filled (``runs``, ``regional_mean`` and
    ``bri_count`` are ``None``): the outcomes are on disk."""

    runs: pd.DataFrame | None
    regional_mean: np.ndarray | None  # (months, runs) regional mean alignment, months start-1 .. end
    bri_count: np.ndarray | None  # (months, runs)
    files: list[Path]
    n_runs: int = 0


@dataclass
class _Chunk:
    """What a worker sends back for one chunk: its number, its runs, the files it wrote and, if kept, outcomes."""

    index: int
    n_runs: int
    files: list[Path]
    runs: Any = None  # pyarrow.Table of the run rows
    regional_mean: np.ndarray | None = None
    bri_count: np.ndarray | None = None


_WORKER: dict[str, Any] = {}


def _init_worker(
    world: World,
    base: Params,
    design: Design,
    seed: int,
    dtype: str,
    out_dir: Path | None = None,
    formats: Sequence[str] = (),
    keep: bool = True,
    single_threaded: bool = False,
) -> None:
    if single_threaded and out_dir is not None:
        import pyarrow as pa  # one process per core already: arrow's own thread pools would oversubscribe it

        pa.set_cpu_count(1)
        pa.set_io_thread_count(1)
    _WORKER.update(
        world=world,
        base=base,
        design=design,
        seed=seed,
        dtype=np.dtype(dtype),
        out_dir=out_dir,
        formats=tuple(formats),
        keep=keep,
    )


def _simulate_chunk(runs: np.ndarray) -> Outcomes:
    """Outcomes of ``runs``, simulated in batches whose state stays in cache (:func:`sim.engine.batch_runs`; the
    numbers do not depend on the batching)."""
    w = _WORKER
    design = w["design"]
    parts = []
    for world, members in world_groups(w["world"], design, runs):
        group = runs[members]
        size = batch_runs(world.n_states)
        for first in range(0, len(group), size):
            sub = group[first : first + size]
            params = design.params_for(w["base"], sub)
            levers = design.levers_for(sub, 0)  # month 0 is the scenario start
            parts.append(simulate(world, params, w["seed"], sub, OutcomeRecorder(), dtype=w["dtype"], levers=levers))
    return merge_outcomes(parts)


def _run_chunk(task: tuple[int, int, int]) -> _Chunk:
    """Simulate chunk ``index`` (runs ``first .. stop - 1``), write its part files, return what is kept."""
    index, first, stop = task
    w = _WORKER
    out = _simulate_chunk(np.arange(first, stop))
    rows = _run_rows(out, w["design"])
    files: list[Path] = []
    if w["out_dir"] is not None:
        stem = f"part-{index:05d}"
        files += _write(rows, w["out_dir"], "runs", stem, w["formats"])
        files += _write(_state_rows(out, w["world"]), w["out_dir"], "states", stem, w["formats"])
    if not w["keep"]:
        return _Chunk(index, stop - first, files)
    return _Chunk(index, stop - first, files, rows, out.regional_mean, out.bri_count)


def chunk_spans(n_runs: int, chunk: int) -> list[tuple[int, int, int]]:
    """``(chunk number, first run, stop)`` of every chunk of a design of ``n_runs`` runs."""
    return [(i, first, min(first + chunk, n_runs)) for i, first in enumerate(range(0, n_runs, chunk))]


def slice_spans(spans: list[tuple[int, int, int]], index: int, count: int) -> list[tuple[int, int, int]]:
    """Slice ``index`` of ``count`` (0-based): a contiguous block of whole chunks; the ``count`` slices cover every
    chunk exactly once and differ in size by at most one chunk."""
    if count < 1 or not 0 <= index < count:
        raise SimInputError("slice", f"{index}/{count}", "expected i/n with 0 <= i < n")
    return spans[index * len(spans) // count : (index + 1) * len(spans) // count]


def _run_rows(out: Outcomes, design: Design) -> Any:
    """The run table of a chunk as a pyarrow Table (built in the worker, no pandas)."""
    import pyarrow as pa

    sets = out.runs // design.replications
    columns: dict[str, Any] = {
        "run": out.runs.astype(np.int64),
        "set": sets.astype(np.int64),
        "replication": (out.runs % design.replications).astype(np.int64),
    }
    columns |= {name: values[sets] for name, values in design.values.items()}
    columns |= {
        "regional_mean_end": out.regional_mean[-1].astype(np.float64).round(6),
        "regional_mean_change": (out.regional_mean[-1] - out.regional_mean[0]).astype(np.float64).round(6),
        "bri_members_end": out.bri_count[-1],
    }
    for k, kind in enumerate(EVENTS):
        columns[f"{kind}_events"] = out.event_counts[:, :, k].sum(axis=1, dtype=np.int64)
    return pa.table(columns)


def _state_rows(out: Outcomes, world: World) -> Any:
    """The run x state table of a chunk as a pyarrow Table."""
    import pyarrow as pa

    runs, states = out.alignment_end.shape
    columns: dict[str, Any] = {
        "run": np.repeat(out.runs.astype(np.int64), states),
        "iso3": pa.array(world.iso3).take(pa.array(np.tile(np.arange(states), runs))),
        "alignment_end": out.alignment_end.ravel().astype(np.float64).round(6),
        "bri_member_end": out.bri_end.ravel().astype(np.int8),
    }
    for k, kind in enumerate(EVENTS):
        columns[kind] = out.event_counts[:, :, k].ravel()
    return pa.table(columns)


def _write(table: Any, out_dir: Path, name: str, stem: str, formats: Sequence[str]) -> list[Path]:
    """Write ``table`` as ``out_dir/<format>/<name>/<stem>.<format>`` for each format, each file written under a
    temporary name (``_tmp-``: ignored by dataset readers) and renamed into place, so a part is whole or absent."""
    paths = []
    for fmt in formats:
        folder = out_dir / fmt / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.{fmt}"
        tmp = folder / f"_tmp-{stem}.{fmt}"
        if fmt == "csv":
            table.to_pandas().to_csv(tmp, index=False)
        else:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)
        tmp.replace(path)
        paths.append(path)
    return paths


def _pool(n_workers: int, initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean single-threaded server (plain fork from a process running BLAS or
    # progress threads can deadlock); the server imports the engine once
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["sim.runners.design"])
    return ProcessPoolExecutor(n_workers, mp_context=context, initializer=_init_worker, initargs=initargs)


def _results(tasks: list[tuple[int, int, int]], workers: int, initargs: tuple[Any, ...]) -> Iterator[_Chunk]:
    if workers <= 1 or len(tasks) <= 1:
        _init_worker(*initargs)
        yield from map(_run_chunk, tasks)
        return
    with _pool(min(workers, len(tasks)), initargs) as pool:
        yield from pool.map(_run_chunk, tasks)


def _write_manifest(out_dir: Path, design: Design, seed: int, chunk: int, dtype: str, formats: Sequence[str]) -> None:
    """``out_dir/design.json``: what :func:`merge_design` needs to check that every part is there."""
    manifest = {
        "n_runs": design.n_runs,
        "n_sets": design.n_sets,
        "replications": design.replications,
        "columns": list(design.values),
        "chunk": chunk,
        "n_chunks": len(chunk_spans(design.n_runs, chunk)),
        "seed": seed,
        "dtype": dtype,
        "formats": list(formats),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f"_tmp-design-{os.getpid()}.json"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(out_dir / "design.json")


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
    keep: bool = True,
    part: tuple[int, int] | None = None,
) -> DesignResult:
    """Run every run of ``design`` (or of slice ``part=(i, n)``) and stream its outcomes to ``out_dir``, one folder
    per format.

    Layout (``i`` = chunk number over the whole design, ``part-00000`` first; one file per chunk and format)::

        out_dir/design.json                      the design's size, chunking and formats (for merge_design)
        out_dir/parquet/runs/part-<i>.parquet    one row per run: run, set, replication, the design's columns,
                                                 regional_mean_end, regional_mean_change, bri_members_end,
                                                 <event>_events (events of each kind, all states)
        out_dir/parquet/states/part-<i>.parquet  one row per run x state: run, iso3, alignment_end, bri_member_end,
                                                 one count per event kind
        out_dir/csv/runs/part-<i>.csv            the same tables as CSV (when "csv" is in ``formats``)
        out_dir/csv/states/part-<i>.csv

    so ``pd.read_parquet(out_dir / "parquet" / "runs")`` reads every run at once. ``formats`` is any of
    ``("parquet", "csv")``. ``workers`` processes (``None``: every core) each take whole chunks of ``chunk`` runs
    and write their parts themselves; results come back in chunk order, so the files are the same whatever the
    number of workers or slices. ``keep=False`` keeps nothing per run in memory (the result then lists the files
    only); ``part=(i, n)`` runs only slice ``i`` of ``n`` (:func:`slice_spans`), for one job of an array.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise SimInputError("formats", fmt, f"expected one of {', '.join(FORMATS)}")
    if chunk < 1:
        raise SimInputError("chunk", chunk, "expected a whole number of at least 1")
    from tqdm.auto import tqdm

    tasks = chunk_spans(design.n_runs, chunk)
    if part is not None:
        tasks = slice_spans(tasks, *part)
    if out_dir is not None:
        out_dir = Path(out_dir)
        _write_manifest(out_dir, design, seed, chunk, dtype, formats)
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    initargs = (world, base, design, seed, dtype, out_dir, tuple(formats), keep, n_workers > 1)
    tables, regional, bri, files, n_runs = [], [], [], [], 0
    total = sum(stop - first for _, first, stop in tasks)
    bar = tqdm(total=total, desc="design runs", unit="run", disable=not progress)
    for done in _results(tasks, n_workers, initargs):
        files += done.files
        n_runs += done.n_runs
        if keep:
            tables.append(done.runs)
            regional.append(done.regional_mean)
            bri.append(done.bri_count)
        bar.update(done.n_runs)
    bar.close()
    if not keep:
        return DesignResult(None, None, None, files, n_runs)
    import pyarrow as pa

    runs = pa.concat_tables(tables).to_pandas() if tables else None
    return DesignResult(
        runs,
        np.concatenate(regional, axis=1) if regional else None,
        np.concatenate(bri, axis=1) if bri else None,
        files,
        n_runs,
    )


# ------------------------------------------------------------------ slices: prepare, run one, merge


@dataclass
class DesignJob:
    """Everything a slice needs, pickled to ``out_dir/job.pkl`` by :func:`prepare_design`."""

    world: World
    base: Params
    design: Design
    seed: int
    chunk: int = 1024
    dtype: str = "float64"
    formats: tuple[str, ...] = ("parquet",)


def prepare_design(out_dir: Path, job: DesignJob) -> Path:
    """Write ``out_dir/job.pkl`` and ``out_dir/design.json`` (before the slices run); returns the job file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "job.pkl"
    tmp = out_dir / "_tmp-job.pkl"
    with tmp.open("wb") as fh:
        pickle.dump(job, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    _write_manifest(out_dir, job.design, job.seed, job.chunk, job.dtype, job.formats)
    return path


def run_slice(out_dir: Path | str, index: int, count: int, workers: int | None = None, progress: bool = False) -> int:
    """Run slice ``index`` of ``count`` of the design prepared in ``out_dir`` (one SLURM array task); returns the
    number of runs it did. Its parts land beside the other slices' in ``out_dir``."""
    out_dir = Path(out_dir)
    with (out_dir / "job.pkl").open("rb") as fh:
        job: DesignJob = pickle.load(fh)
    result = run_design(
        job.world,
        job.base,
        job.design,
        job.seed,
        chunk=job.chunk,
        workers=workers,
        out_dir=out_dir,
        formats=job.formats,
        dtype=job.dtype,
        progress=progress,
        keep=False,
        part=(index, count),
    )
    return result.n_runs


def missing_parts(out_dir: Path | str, fmt: str = "parquet") -> list[int]:
    """Chunk numbers whose run or state part is not (yet) in ``out_dir`` for format ``fmt``."""
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / "design.json").read_text())
    missing = []
    for i in range(manifest["n_chunks"]):
        if not all((out_dir / fmt / table / f"part-{i:05d}.{fmt}").is_file() for table in ("runs", "states")):
            missing.append(i)
    return missing


def merge_design(out_dir: Path | str, tables: Sequence[str] = ("runs", "states")) -> list[Path]:
    """Check that every chunk's Parquet parts are in ``out_dir`` and stream them, in chunk order, into one file per
    table (``out_dir/<table>.parquet``; one part in memory at a time); returns the merged files."""
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    missing = missing_parts(out_dir)
    if missing:
        shown = ", ".join(str(i) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise SimInputError(str(out_dir), f"{len(missing)} parts missing", f"run the slices holding chunks {shown}")
    n_chunks = json.loads((out_dir / "design.json").read_text())["n_chunks"]
    merged = []
    for table in tables:
        target = out_dir / f"{table}.parquet"
        tmp = out_dir / f"_tmp-{table}.parquet"
        writer = None
        for i in range(n_chunks):
            piece = pq.read_table(out_dir / "parquet" / table / f"part-{i:05d}.parquet")
            if writer is None:
                writer = pq.ParquetWriter(tmp, piece.schema)
            writer.write_table(piece)
        if writer is not None:
            writer.close()
            tmp.replace(target)
            merged.append(target)
    return merged


def submit_slices(out_dir: Path | str, count: int, folder: Path | str, **slurm: Any) -> list[Any]:
    """Submit the ``count`` slices of the design prepared in ``out_dir`` as one SLURM job array through submitit
    (one task per slice; ``slurm``: submitit executor parameters, e.g. ``slurm_partition``, ``cpus_per_task``,
    ``timeout_min``, ``slurm_array_parallelism``); returns the jobs (``job.result()`` waits for a slice). Merge
    with :func:`merge_design` when they are done."""
    import submitit

    executor = submitit.AutoExecutor(folder=str(folder))
    executor.update_parameters(**slurm)
    indices = list(range(count))
    return executor.map_array(run_slice, [str(out_dir)] * count, indices, [count] * count)


def _parse_slice(text: str) -> tuple[int, int]:
    try:
        index, count = (int(v) for v in text.split("/"))
    except ValueError:
        raise SimInputError("--slice", text, "expected i/n, e.g. 0/16 (SLURM: $SLURM_ARRAY_TASK_ID/16)") from None
    slice_spans([(0, 0, 0)] * max(count, 1), index, count)  # validates
    return index, count


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.runners.design OUT (--prepare ... | --slice i/n | --merge)``."""
    parser = argparse.ArgumentParser(prog="python -m sim.runners.design", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="the design's folder (shared by every slice)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--prepare", action="store_true", help="write the job (world, parameters, design)")
    action.add_argument("--slice", help="run slice i of n (0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT")
    action.add_argument("--merge", action="store_true", help="check every part is there and merge them")
    parser.add_argument("--values", type=Path, help="--prepare: CSV with one column per parameter or lever")
    parser.add_argument("--replications", type=int, default=1, help="--prepare: replications per row (default 1)")
    parser.add_argument("--chunk", type=int, default=1024, help="--prepare: runs per chunk (default 1024)")
    parser.add_argument("--dtype", default="float64", choices=("float32", "float64"))
    parser.add_argument("--formats", default="parquet", help="--prepare: parquet and/or csv, comma-separated")
    parser.add_argument("--workers", type=int, default=None, help="--slice: processes (default: every core)")
    parser.add_argument("overrides", nargs="*", help="--prepare: configuration overrides (scenario=..., key=value)")
    args = parser.parse_intermixed_args(argv)
    if args.prepare:
        import pandas as pd

        from sim.configs import load_config
        from sim.runners.ensemble import prepare

        cfg = load_config(*args.overrides)
        values = {} if args.values is None else {k: v.to_numpy() for k, v in pd.read_csv(args.values).items()}
        job = DesignJob(
            prepare(cfg),
            cfg.params,
            Design(values, replications=args.replications),
            cfg.seed,
            args.chunk,
            args.dtype,
            tuple(args.formats.split(",")),
        )
        prepare_design(args.out_dir, job)
        n_chunks = len(chunk_spans(job.design.n_runs, job.chunk))
        print(f"{args.out_dir}: {job.design.n_runs} runs in {n_chunks} chunks; run slices i/n with n <= {n_chunks}")
    elif args.slice:
        index, count = _parse_slice(args.slice)
        runs = run_slice(args.out_dir, index, count, args.workers)
        print(f"slice {index}/{count}: {runs} runs written to {args.out_dir}")
    else:
        for path in merge_design(args.out_dir):
            print(path)
    return 0


if __name__ == "__main__":  # run through the module's importable name, so worker functions pickle by reference
    from sim.runners.design import main as _main

    sys.exit(_main())
