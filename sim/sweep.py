"""Sweeps: gather every job of a Hydra multirun into one tidy table at the sweep root, and draw it.

Each finished job is a folder ``<overrides label>-<key>`` holding ``DONE``, ``summary.json`` (with the job's key,
overrides and scenario) and ``outcomes.csv``; a failed job leaves ``failed/<label>-<key>.json`` with its one-line
error. :class:`AggregateSweep` (a Hydra callback registered in ``conf/config.yaml``) writes ``sweep_results.csv`` when
the sweep ends — one row per job x outcome, the swept keys as columns (each job's own resolved values, so results
from an earlier launch with other values keep their true labels), ensemble mean and 5-95% band, status and error —
and draws ``figures/``. Rows are ordered by scenario and label, never by job number, so the same jobs give the same
bytes whatever the launcher, the number of parallel jobs or the order in which they ran.
``python -m sim.plot <sweep dir>`` redraws the figures from the table alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim import atomic

RESULTS = "sweep_results.csv"
FAILED_DIR = "failed"
DONE = "DONE"
LAST_SWEEP: dict[str, int] = {}
"""Jobs and failed jobs of the last sweep aggregated in this process (``python -m sim`` exits 1 on failures)."""
FIXED_COLUMNS = ("job", "scenario")
VALUE_COLUMNS = ("status", "outcome", "mean", "p05", "p95", "error")


def failure_record(root: Path, name: str, key: str, config: dict[str, Any], overrides: list[str], message: str) -> Path:
    """Record a failed job (its resolved configuration, overrides and one-line error) under ``failed/``."""
    folder = root / FAILED_DIR
    folder.mkdir(exist_ok=True)
    record = {"job": name, "key": key, "overrides": overrides, "error": message, "config": config}
    return atomic.write_text(folder / f"{name}.json", json.dumps(record, indent=1, default=str) + "\n")


def _select(config: dict[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return ""
        node = node[part]
    return node


def _jobs(root: Path) -> list[dict[str, Any]]:
    """Finished and failed jobs of the sweep in ``root`` (a failure superseded by a finished job is dropped)."""
    import yaml

    done: dict[str, dict[str, Any]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / DONE).is_file()):
        run = json.loads((folder / "summary.json").read_text())["run"]
        config = yaml.safe_load((folder / "config.yaml").read_text())
        done[run["key"]] = {"job": folder.name, "status": "done", "run": run, "config": config, "folder": folder}
    failed = []
    for path in sorted((root / FAILED_DIR).glob("*.json")) if (root / FAILED_DIR).is_dir() else []:
        record = json.loads(path.read_text())
        if record["key"] not in done:
            failed.append(
                {
                    "job": record["job"],
                    "status": "failed",
                    "run": {"overrides": record["overrides"]},
                    "config": record["config"],
                    "error": record["error"],
                }
            )
    return [*done.values(), *failed]


def aggregate(root: Path) -> pd.DataFrame:
    """The tidy table of the sweep in ``root``, ordered by scenario and job label."""
    jobs = _jobs(root)
    keys = sorted({o.split("=", 1)[0] for job in jobs for o in job["run"]["overrides"]} - {"scenario", "scenario_name"})
    rows: list[dict[str, Any]] = []
    for job in sorted(jobs, key=lambda j: (str(j["config"].get("scenario_name", "")), j["job"])):
        base = {"job": job["job"], "scenario": job["config"].get("scenario_name", "")}
        base |= {k: _select(job["config"], k) for k in keys}
        if job["status"] == "done":
            for rec in pd.read_csv(job["folder"] / "outcomes.csv").to_dict("records"):
                rows.append(base | {"status": "done", "error": ""} | rec)
        else:
            rows.append(
                base
                | {"status": "failed", "outcome": "", "mean": None, "p05": None, "p95": None, "error": job["error"]}
            )
    return pd.DataFrame(rows, columns=[*FIXED_COLUMNS, *keys, *VALUE_COLUMNS])


def write_results(root: Path, draw: bool = True) -> Path:
    """Aggregate the sweep in ``root`` into ``sweep_results.csv`` (and its figures); returns the table's path."""
    table = aggregate(root)
    path = atomic.write_csv(table, root / RESULTS, float_format="%.6f")
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
