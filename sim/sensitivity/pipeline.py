"""A study from configuration to indices: validate, estimate, sample, evaluate in batches, analyse.

:func:`build` turns a composed configuration into a :class:`Spec` (every check that can fail before anything is
written); :func:`estimate` says what it will cost; :func:`create` opens (or resumes) the study folder;
:func:`run_slice` evaluates the missing batches of a slice; :func:`finish` analyses a complete study. The command line
(:mod:`sim.sensitivity.__main__`), the benchmark and the tests all go through these functions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from sim.checks import to_run_config
from sim.config import RunConfig
from sim.data.seeds import load_seeds
from sim.dynamics.world import World
from sim.errors import SimInputError
from sim.runners.ensemble import prepare
from sim.sensitivity import sampling
from sim.sensitivity.analysis import Options, select_columns
from sim.sensitivity.evaluate import Evaluator, ModelEvaluator, evaluate_batches, status_quo_masks
from sim.sensitivity.outputs import OutputLayout
from sim.sensitivity.report import families, write_analysis
from sim.sensitivity.schema import ANALYSIS_ONLY, STUDY_KEYS
from sim.sensitivity.space import Factor, resolve
from sim.sensitivity.store import ANALYSIS, Study, open_study

BYTES_PER_VALUE = 4
"""Outputs are stored as float32."""


@dataclass
class Spec:
    """A validated study: the model configuration and world, the factors, sampling, sizes and analysis options."""

    run: RunConfig
    world: World
    factors: list[Factor]
    method: str
    n: int
    calc_second_order: bool
    num_levels: int
    batch_rows: int
    chunk: int | None
    chunks: int
    workers: int | None
    dry_run: bool
    progress: bool
    outputs: list[str]
    options: Options
    top: int
    config: dict[str, Any] = field(default_factory=dict)
    common_random_numbers: bool = True

    @property
    def replications(self) -> int:
        return int(self.run.replications)

    @property
    def rows(self) -> int:
        return sampling.n_rows(self.method, self.n, len(self.factors), self.calc_second_order)

    @property
    def runs(self) -> int:
        return self.rows * self.replications

    @property
    def layout(self) -> OutputLayout:
        return OutputLayout.of(self.world)

    def identity(self) -> dict[str, Any]:
        """What makes two launches the same study (analysis-only keys left out)."""
        model = {k: v for k, v in self.config.items() if k not in (*STUDY_KEYS, *ANALYSIS_ONLY, "hydra")}
        return {
            "config": model,
            "seeds_dir": self.run.seeds_dir,
            "method": self.method,
            "N": self.n,
            "calc_second_order": self.calc_second_order,
            "num_levels": self.num_levels if self.method == "morris" else None,
            "replications": self.replications,
            "common_random_numbers": self.common_random_numbers,
            "seed": self.run.seed,
            "dtype": self.run.dtype,
            "batch_rows": self.batch_rows,
            "factors": [f.record() for f in self.factors],
        }

    def evaluator(self) -> ModelEvaluator:
        seeds = load_seeds(self.run.seeds_dir or None)
        return ModelEvaluator(
            self.world,
            self.run.params,
            self.run.seed,
            self.run.dtype,
            self.replications,
            tuple(self.factors),
            status_quo_masks(self.run, seeds, self.world, self.factors),
            common_random_numbers=self.common_random_numbers,
        )


def _plain(cfg: Any) -> dict[str, Any]:
    if isinstance(cfg, Mapping) and not OmegaConf.is_config(cfg):
        return dict(cfg)
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    plain.pop("hydra", None)
    return plain


def _whole(value: Any, key: str, low: int, allowed: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise SimInputError(key, value, allowed)
    return value


def build(cfg: Any, multirun: bool = False) -> Spec:
    """Validate a composed configuration completely and return its :class:`Spec` (raises
    :class:`SimInputError` with one line naming the key)."""
    plain = _plain(cfg)
    model = {k: v for k, v in plain.items() if k not in STUDY_KEYS}
    run = to_run_config(OmegaConf.create(model))
    world = prepare(run)
    factors = resolve(plain.get("space") or {}, plain.get("factors"), run, plain.get("fixed") or ())
    method = str(plain.get("method", "sobol"))
    n = plain.get("N", 512)
    crn = plain.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        raise SimInputError("common_random_numbers", crn, "expected true (common random numbers) or false")
    opts = Options(
        method=method,
        calc_second_order=bool(plain.get("calc_second_order", False)),
        num_levels=int(plain.get("num_levels", 4)),
        pawn_slices=int(plain.get("pawn_slices", 10)),
        num_resamples=int(plain.get("num_resamples", 100)),
        conf_level=float(plain.get("conf_level", 0.95)),
        seed=int(run.seed),
        common_random_numbers=crn,
        workers=int(plain.get("workers") or (1 if multirun else os.cpu_count() or 1)),
        **_convergence(plain.get("convergence") or {}),
    )
    sampling.check_rules(method, n, opts.calc_second_order, opts.num_levels, opts.pawn_slices, opts.num_resamples)
    if not 0.5 <= opts.conf_level < 1.0:
        raise SimInputError("conf_level", opts.conf_level, "expected a confidence level in [0.5, 1)")
    batch = _whole(plain.get("batch", 1024), "batch", 1, "expected a whole number of runs per batch (at least 1)")
    chunks = _whole(plain.get("chunks", 1), "chunks", 1, "expected a whole number of slices (at least 1)")
    chunk = plain.get("chunk")
    if chunk is not None and (not isinstance(chunk, int) or isinstance(chunk, bool) or not 0 <= chunk < chunks):
        raise SimInputError("chunk", chunk, f"expected a slice number in 0 .. {chunks - 1} (chunks={chunks}), or null")
    workers = plain.get("workers")
    if workers is not None:
        workers = _whole(workers, "workers", 1, "expected a whole number of processes (at least 1) or null")
    top = _whole(plain.get("top", 20), "top", 1, "expected a whole number of factors to show (at least 1)")
    spec = Spec(
        run=run,
        world=world,
        factors=factors,
        method=method,
        n=n,
        calc_second_order=opts.calc_second_order,
        num_levels=opts.num_levels,
        batch_rows=max(1, batch // run.replications),
        chunk=chunk,
        chunks=chunks,
        workers=workers if workers is not None else (1 if multirun else os.cpu_count() or 1),
        dry_run=bool(plain.get("dry_run", False)),
        progress=bool(plain.get("progress", True)),
        outputs=[str(o) for o in plain.get("outputs") or []],
        options=opts,
        top=top,
        config=plain,
        common_random_numbers=crn,
    )
    layout = spec.layout
    select_columns(layout.columns, spec.outputs, layout.family)
    if not spec.outputs:
        raise SimInputError("outputs", [], "expected at least one output (e.g. [regional_mean_end])")
    return spec


def _convergence(values: Mapping[str, Any]) -> dict[str, float]:
    out = {}
    for key in ("max_conf", "influential", "max_relative"):
        if key in values:
            value = values[key]
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise SimInputError(f"convergence.{key}", value, "expected a positive number")
            out[key] = float(value)
    return out


@dataclass
class Estimate:
    """What a study will cost: rows, runs, batches, seconds of model runs and bytes on disk (both approximate)."""

    rows: int
    runs: int
    batches: int
    todo_runs: int
    seconds: float
    ms_per_run: float
    disk_bytes: int
    workers: int

    def lines(self, spec: Spec) -> list[str]:
        d = len(spec.factors)
        formula = {
            "sobol": f"N(2D+2) = {spec.n}x{2 * d + 2}" if spec.calc_second_order else f"N(D+2) = {spec.n}x{d + 2}",
            "morris": f"N(D+1) = {spec.n}x{d + 1}",
            "pawn": f"N = {spec.n}",
        }[spec.method]
        return [
            f"sensitivity: {spec.method}, {d} factors (dummy included), {formula} = {self.rows:,} rows x "
            f"{spec.replications} replications = {self.runs:,} runs in {self.batches} batches of "
            f"{spec.batch_rows} rows",
            f"estimate: {self.todo_runs:,} runs to do, {self._time_text()} of model runs "
            f"({self.ms_per_run:.3f} ms per run measured here), about {self.disk_bytes / 2**20:.1f} MiB on disk"
            if self.todo_runs
            else f"estimate: 0 runs to do (every batch is on disk), {self.disk_bytes / 2**20:.1f} MiB on disk",
        ]

    def _time_text(self) -> str:
        if self.workers == 1:
            return f"about {_duration(self.seconds)} on 1 process"
        one = self.todo_runs * self.ms_per_run / 1e3
        return (
            f"{_duration(self.seconds)} ({self.workers} processes at full speed) to {_duration(one)} (one process; "
            "shared cores and hyper-threads land in between)"
        )


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


POOL_START_S = 2.0
"""Seconds a pool of worker processes takes to start (forkserver, measured about 1.8 s here)."""


def estimate(
    spec: Spec, evaluator: Evaluator | None = None, todo_rows: int | None = None, probe: int = 512
) -> Estimate:
    """Measure a small batch (``probe`` runs of the first rows) and extrapolate to the study."""
    rows, runs = spec.rows, spec.runs
    todo = rows if todo_rows is None else todo_rows
    x = sampling.draw(spec.factors, spec.method, spec.n, spec.run.seed, spec.calc_second_order, spec.num_levels)
    ev = evaluator or spec.evaluator()
    k = max(1, min(probe // spec.replications, rows))
    ev.evaluate(0, x[:1])  # warm-up (imports, caches)
    t0 = time.perf_counter()
    ev.evaluate(0, x[:k])
    ms = (time.perf_counter() - t0) / (k * spec.replications) * 1e3
    workers = max(1, spec.workers or 1)
    todo_runs = todo * spec.replications
    seconds = todo_runs * ms / 1e3 / workers + (POOL_START_S if workers > 1 and todo_runs else 0.0)
    columns = len(spec.layout.columns)
    disk = runs * (columns * BYTES_PER_VALUE + 20) + rows * (len(spec.factors) + 1) * 8
    return Estimate(rows, runs, -(-rows // spec.batch_rows), todo_runs, seconds, ms, disk, workers)


def create(spec: Spec, root: Path, field_name: str = "hydra.run.dir") -> tuple[Study, bool]:
    """Open the study folder ``root`` for ``spec`` (created with its sample, or resumed if it is the same study)."""
    return create_study(
        root,
        spec.factors,
        spec.identity(),
        spec.layout.columns,
        spec.replications,
        spec.batch_rows,
        OmegaConf.to_yaml(OmegaConf.create(spec.config)),
        field_name,
    )


def create_study(
    root: Path,
    factors: list[Factor],
    identity: dict[str, Any],
    columns: list[str],
    replications: int,
    batch_rows: int,
    config_text: str = "",
    field_name: str = "hydra.run.dir",
) -> tuple[Study, bool]:
    """Open (or create, with its sample drawn from ``identity``'s method, N, seed and settings) a study of any
    evaluator: the model's (:func:`create`) or a test function's."""
    import pandas as pd

    def make_samples() -> tuple[list[str], np.ndarray]:
        x = sampling.draw(
            factors,
            identity["method"],
            identity["N"],
            identity["seed"],
            bool(identity["calc_second_order"]),
            int(identity.get("num_levels") or 4),
        )
        return [f.name for f in factors], x

    rows = sampling.n_rows(identity["method"], identity["N"], len(factors), bool(identity["calc_second_order"]))
    meta = {
        "rows": rows,
        "replications": replications,
        "batch_rows": batch_rows,
        "columns": list(columns),
        "factors": [f.record() for f in factors],
    }
    table = pd.DataFrame([f.record() for f in factors]).drop(columns=["bounds"]).to_csv(index=False)
    files = {"factors.csv": table, **({"config.yaml": config_text} if config_text else {})}
    return open_study(root, identity, meta, make_samples, files, field_name)


def run_slice(
    study: Study, evaluator: Evaluator, batches: list[int], workers: int, progress: bool = True, label: str = ""
) -> int:
    """Evaluate the batches of ``batches`` that are not on disk yet, writing each as it finishes; returns the number
    of runs done."""
    from tqdm.auto import tqdm

    todo = sorted(set(batches) - study.finished())
    if not todo:
        return 0
    x = study.samples()
    spans = {b: study.batch_span(b) for b in todo}
    total = sum(stop - first for first, stop in spans.values()) * study.replications
    bar = tqdm(total=total, desc=label or "sensitivity runs", unit="run", disable=not progress, smoothing=0.1)

    def done(b: int, outputs: dict[str, np.ndarray]) -> None:
        study.write_batch(b, outputs)
        first, stop = spans[b]
        bar.update((stop - first) * study.replications)

    with bar:
        tasks = ((b, spans[b][0], x[spans[b][0] : spans[b][1]]) for b in todo)
        evaluate_batches(evaluator, tasks, min(workers, len(todo)), done)
    return total


def complete(study: Study) -> bool:
    return len(study.finished()) == study.n_batches


def finish(study: Study, spec: Spec, extra: dict[str, Any] | None = None) -> Path | None:
    """Analyse a complete study into ``<study>/analysis`` (``None`` if it is already there)."""
    target = study.root / ANALYSIS
    if (target / "DONE").is_file():
        return None
    columns = select_columns(study.columns, spec.outputs, families(study))
    return write_analysis(study, spec.options, columns, ANALYSIS, spec.top, bool(spec.run.plots), extra=extra)


def clean_job_folder(path: Path, root: Path) -> None:
    """Remove a Hydra job's (empty) working folder under the study and its parents up to the study."""
    path = Path(path)
    while path != root and root in path.parents:
        try:
            path.rmdir()
        except OSError:
            return
        path = path.parent
