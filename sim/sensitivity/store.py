"""A study folder: the sample, the runs' outputs in resumable batches, and the analyses made from them.

Layout::

    <study>/
      .sim-sensitivity          marker: a study folder of this program (written with study.json)
      study.json                key, identity (resolved configuration, factors, sampling), seed, project version,
                                sizes (rows, runs, batches), creation time
      config.yaml               the resolved configuration of the launch that created the study
      factors.csv               the factors: bounds, distribution, unit, justification
      samples.parquet           the sample matrix: row, one column per factor
      runs/batch-<b>.parquet    one file per batch of rows: run, row, replication, one column per output
      analysis/                 indices, noise, convergence, figures (sim.sensitivity.report), DONE last
      analysis-<name>/          re-analyses (python -m sim.sensitivity.analyze), discovery-<name>/ (PRIM)

The folder is created complete or not at all (staged beside it and renamed, :class:`sim.folders.RunFolder`); each
batch file is written atomically (:mod:`sim.atomic`), so an interrupted study resumes from the batches on disk. A
study is resumed only by the same job: same key (the resolved configuration, the factor space, the sampling, the
seeds tables and the source of the modules that compute a run), else the launch is refused naming what differs.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from sim import atomic
from sim.errors import SimInputError
from sim.folders import FolderLock, RunFolder
from sim.identity import project_version, seeds_digest
from sim.paths import PROJECT_ROOT

MARKER = ".sim-sensitivity"
STUDY_JSON = "study.json"
SAMPLES = "samples.parquet"
RUNS_DIR = "runs"
ANALYSIS = "analysis"
RUN_CODE = (
    "sim/dynamics",
    "sim/data",
    "sim/engine.py",
    "sim/config.py",
    "sim/calendar.py",
    "sim/runners/design.py",
    "sim/sensitivity/evaluate.py",
    "sim/sensitivity/outputs.py",
    "sim/sensitivity/space.py",
    "sim/sensitivity/sampling.py",
)
"""The source that computes a run (a change here changes every study's key; figures and reports do not)."""


@cache
def run_code_digest() -> str:
    """SHA-256 over the files of :data:`RUN_CODE` (names and contents)."""
    digest = hashlib.sha256()
    for item in RUN_CODE:
        path = PROJECT_ROOT / item
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or not file.is_file():
                continue
            digest.update(str(file.relative_to(PROJECT_ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def study_key(identity: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The key of a study and its parts: the identity (configuration, factors, sampling), the seeds tables and the
    run code."""
    parts = {
        "identity": hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest(),
        "seeds": seeds_digest(identity.get("seeds_dir") or None),
        "code": run_code_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest(), parts


def _first_difference(old: Any, new: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in sorted(set(old) | set(new)):
            found = _first_difference(old.get(k), new.get(k), f"{path}.{k}" if path else str(k))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if old == new else (path, old, new)


@dataclass
class Study:
    """An existing study folder and its metadata (study.json)."""

    root: Path
    meta: dict[str, Any]

    @property
    def rows(self) -> int:
        return int(self.meta["rows"])

    @property
    def replications(self) -> int:
        return int(self.meta["replications"])

    @property
    def batch_rows(self) -> int:
        return int(self.meta["batch_rows"])

    @property
    def n_batches(self) -> int:
        return -(-self.rows // self.batch_rows)

    @property
    def columns(self) -> list[str]:
        return list(self.meta["columns"])

    @property
    def factor_names(self) -> list[str]:
        return [f["factor"] for f in self.meta["factors"]]

    def batch_span(self, b: int) -> tuple[int, int]:
        """Rows ``[first, stop)`` of batch ``b``."""
        return b * self.batch_rows, min((b + 1) * self.batch_rows, self.rows)

    def batch_path(self, b: int) -> Path:
        return self.root / RUNS_DIR / f"batch-{b:05d}.parquet"

    def finished(self) -> set[int]:
        """Batches whose file is on disk (files appear complete or not at all)."""
        folder = self.root / RUNS_DIR
        if not folder.is_dir():
            return set()
        done = set()
        for path in folder.glob("batch-*.parquet"):
            try:
                done.add(int(path.stem.split("-")[1]))
            except ValueError:
                continue
        return {b for b in done if b < self.n_batches}

    def slice_batches(self, chunk: int | None, chunks: int) -> list[int]:
        """The batches of slice ``chunk`` of ``chunks`` (contiguous, as equal as possible); all for ``None``."""
        if chunk is None:
            return list(range(self.n_batches))
        return list(range(chunk * self.n_batches // chunks, (chunk + 1) * self.n_batches // chunks))

    def samples(self) -> np.ndarray:
        """The sample matrix ``(rows, factors)``."""
        import pandas as pd

        frame = pd.read_parquet(self.root / SAMPLES)
        return frame[self.factor_names].to_numpy(dtype=np.float64)

    def write_batch(self, b: int, outputs: dict[str, np.ndarray]) -> Path:
        """Write batch ``b``'s outputs (``{column: (runs,)}``) atomically."""
        import pandas as pd

        first, stop = self.batch_span(b)
        r = self.replications
        runs = np.arange(first * r, stop * r)
        frame = pd.DataFrame({"run": runs, "row": runs // r, "replication": (runs % r).astype(np.int32)})
        for c in self.columns:
            frame[c] = np.asarray(outputs[c], dtype=np.float32)
        frame.attrs = {"study_key": self.meta["key"], "seed": self.meta["seed"], "batch": b}
        path = self.batch_path(b)
        path.parent.mkdir(exist_ok=True)
        return atomic.write_parquet(frame, path)

    def outputs(self, batches: list[int] | None = None) -> np.ndarray:
        """Every run's outputs as ``(rows, replications, columns)`` (raises if a batch is missing or foreign)."""
        import pandas as pd

        missing = sorted(set(range(self.n_batches)) - self.finished())
        if missing:
            raise SimInputError(
                "study",
                str(self.root),
                f"{len(missing)} of {self.n_batches} batches are not finished (first: {missing[0]})",
            )
        out = np.empty((self.rows * self.replications, len(self.columns)), dtype=np.float64)
        for b in range(self.n_batches) if batches is None else batches:
            frame = pd.read_parquet(self.batch_path(b))
            if frame.attrs.get("study_key") not in (None, self.meta["key"]):
                raise SimInputError(str(self.batch_path(b)), frame.attrs.get("study_key"), "belongs to another study")
            first, stop = self.batch_span(b)
            runs = frame["run"].to_numpy()
            if not np.array_equal(runs, np.arange(first * self.replications, stop * self.replications)):
                raise SimInputError(str(self.batch_path(b)), "runs", "does not hold exactly the runs of its rows")
            out[runs] = frame[self.columns].to_numpy(dtype=np.float64)
        return out.reshape(self.rows, self.replications, len(self.columns))


def read_study(root: str | Path) -> Study:
    """Open an existing study folder (raises :class:`SimInputError` if it is not one)."""
    root = Path(root)
    if not (root / MARKER).is_file() or not (root / STUDY_JSON).is_file():
        raise SimInputError("study", str(root), "not a sensitivity study folder (made by python -m sim.sensitivity)")
    return Study(root, json.loads((root / STUDY_JSON).read_text(encoding="utf-8")))


def open_study(
    root: Path,
    identity: dict[str, Any],
    meta: dict[str, Any],
    make_samples: Callable[[], tuple[list[str], np.ndarray]],
    files: dict[str, str],
    field_name: str = "hydra.run.dir",
) -> tuple[Study, bool]:
    """The study at ``root``: resumed if it is the same job, created (staged, renamed into place) if the folder is
    new or empty, refused otherwise. Returns the study and whether it was created."""
    key, parts = study_key(identity)
    if root.is_dir() and (root / MARKER).is_file():
        study = read_study(root)
        if study.meta["key"] != key:
            raise SimInputError(field_name, str(root), _why_different(study.meta, identity, parts))
        return study, False
    import pandas as pd

    folder = RunFolder.claim(root, field_name)
    try:
        names, x = make_samples()
        full = {
            **meta,
            "key": key,
            "key_parts": parts,
            "identity": identity,
            "seed": identity["seed"],
            "project": project_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        frame = pd.DataFrame(x, columns=names)
        frame.insert(0, "row", np.arange(len(x)))
        frame.attrs = {"study_key": key, "seed": identity["seed"]}
        atomic.write_parquet(frame, folder.staging / SAMPLES)
        for name, text in files.items():
            atomic.write_text(folder.staging / name, text)
        (folder.staging / RUNS_DIR).mkdir()
        atomic.write_json(folder.staging / STUDY_JSON, full)
        atomic.write_text(folder.staging / MARKER, "sensitivity study folder of python -m sim.sensitivity\n")
    except BaseException:
        folder.discard()
        raise
    folder.commit()
    return Study(root, full), True


def _why_different(old_meta: dict[str, Any], identity: dict[str, Any], parts: dict[str, str]) -> str:
    diff = _first_difference(old_meta.get("identity", {}), identity)
    if diff:
        where, old, new = diff
        return (
            f"holds another study ({where}: {old!r} there, {new!r} now); a study resumes only with the same "
            "configuration: repeat its command line or give a new folder"
        )
    old_parts = old_meta.get("key_parts", {})
    if old_parts.get("seeds") != parts["seeds"]:
        return "its runs were made with other seeds tables; give a new folder"
    return (
        "its runs were made by another version of the model's code (sim/dynamics, sim/data, sim/engine.py, ...); "
        "finished batches would mix two models: give a new folder"
    )


class StudyLock:
    """The lock a launch takes on a study (one per slice, so slices may run side by side)."""

    def __init__(self, root: Path, chunk: int | None, chunks: int) -> None:
        name = ".lock-all" if chunk is None else f".lock-chunk-{chunk}-of-{chunks}"
        self.lock = FolderLock(root / name)
        self.root = root

    def __enter__(self) -> StudyLock:
        self.lock.acquire("hydra.run.dir", self.root)
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
