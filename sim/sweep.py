"""Sweeps: gather every job of a Hydra multirun into one tidy table at the sweep root, and draw it.

:class:`AggregateSweep` is a Hydra callback (registered in ``conf/config.yaml``): when a sweep ends it writes
``sweep_results.csv`` — one row per job x outcome with the job's overrides as columns, the ensemble mean and 5-95%
band, the job's status and, for a failed job, its error — and draws ``figures/``. The table depends only on the jobs'
outputs, so the same seeds give the same bytes whatever the launcher or the number of parallel jobs.
``python -m sim.plot <sweep dir>`` redraws the figures from the table alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

RESULTS = "sweep_results.csv"
LAST_SWEEP: dict[str, int] = {}
"""Jobs and failed jobs of the last sweep aggregated in this process (``python -m sim`` exits 1 on failures)."""
FIXED_COLUMNS = ("job", "scenario")
VALUE_COLUMNS = ("status", "outcome", "mean", "p05", "p95", "error")


def _job_dirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def _overrides(job: Path) -> dict[str, str]:
    path = job / ".hydra" / "overrides.yaml"
    lines = yaml.safe_load(path.read_text()) if path.exists() else []
    out = {}
    for line in lines or []:
        key, _, value = str(line).partition("=")
        key = key.lstrip("+~")
        if not key.startswith("hydra") and key != "scenario":
            out[key] = value
    return out


def _scenario(job: Path) -> str:
    path = job / ".hydra" / "config.yaml"
    if not path.exists():
        return ""
    return str((yaml.safe_load(path.read_text()) or {}).get("scenario_name", ""))


def _no_result(status: str, error: str) -> dict[str, Any]:
    return {"status": status, "outcome": "", "mean": None, "p05": None, "p95": None, "error": error}


def aggregate(root: Path) -> pd.DataFrame:
    """The tidy table of the sweep in ``root`` (jobs in numeric order, outcomes in each job's order)."""
    jobs = {job: _overrides(job) for job in _job_dirs(root)}
    keys = sorted({k for overrides in jobs.values() for k in overrides})
    rows: list[dict[str, Any]] = []
    for job, overrides in jobs.items():
        base = {"job": int(job.name), "scenario": _scenario(job)} | dict.fromkeys(keys, "") | overrides
        if (job / "DONE").exists() and (job / "outcomes.csv").exists():
            for rec in pd.read_csv(job / "outcomes.csv").to_dict("records"):
                rows.append(base | {"status": "done", "error": ""} | rec)
        elif (job / "error.txt").exists():
            rows.append(base | _no_result("failed", (job / "error.txt").read_text().strip()))
        else:
            rows.append(base | _no_result("missing", "no result (the job did not finish)"))
    return pd.DataFrame(rows, columns=[*FIXED_COLUMNS, *keys, *VALUE_COLUMNS])


def write_results(root: Path, draw: bool = True) -> Path:
    """Aggregate the sweep in ``root`` into ``sweep_results.csv`` (and its figures); returns the table's path."""
    table = aggregate(root)
    path = root / RESULTS
    table.to_csv(path, index=False, float_format="%.6f")
    if draw and (table["status"] == "done").any():
        from sim.reporting.sweep_figures import plot_sweep

        plot_sweep(pd.read_csv(path, keep_default_na=False, na_values=[""]), root / "figures")
    return path


class AggregateSweep(Callback):
    """Hydra callback: aggregate and draw the sweep when the multirun ends."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        root = Path(str(config.hydra.sweep.dir))
        if root.is_dir():
            path = write_results(root)
            jobs = pd.read_csv(path, keep_default_na=False).drop_duplicates("job")
            LAST_SWEEP.update(jobs=len(jobs), failed=int((jobs["status"] != "done").sum()))
            print(f"sweep table: {path}")
