"""Tidy tables and the JSON summary of an ensemble."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.calendar import month_label
from sim.dynamics.terms import TERMS
from sim.dynamics.update import EVENTS
from sim.dynamics.world import World
from sim.engine import Trajectory

QUANTILES = (0.05, 0.95)


def timeseries_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """One row per replication x month x state: alignment, BRI, recognition, government ideology, approval, stocks."""
    months, runs, states = traj.states["alignment"].shape
    grid = {
        "replication": np.repeat(traj.runs, states)[None, :].repeat(months, 0).ravel(),
        "date": np.repeat([month_label(int(m)) for m in traj.months], runs * states),
        "iso3": np.tile(np.array(world.iso3), months * runs),
    }
    columns = {
        "alignment": traj.states["alignment"],
        "bri_member": traj.states["bri"].astype(np.int8),
        "recognizes_prc": traj.states["prc"].astype(np.int8),
        "gov_ideology": traj.states["ideology"],
        "approval": traj.states["approval"],
        "elite_attitude": traj.states["elite"],
        "lockin_pct_gdp": traj.states["lockin"],
        "security_ties": traj.states["security"],
    }
    frame = pd.DataFrame(grid | {k: v.ravel() for k, v in columns.items()})
    for col in ("alignment", "gov_ideology", "approval", "elite_attitude", "lockin_pct_gdp", "security_ties"):
        frame[col] = frame[col].round(5)
    return frame


def events_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """One row per event: replication, date, iso3, event, detail."""
    rows = []
    for kind in EVENTS:
        for m, r, c in zip(*np.nonzero(traj.events[kind]), strict=True):
            detail = traj.changes.get((int(m), int(r), int(c)), "") if kind == "government_change" else ""
            rows.append((int(traj.runs[r]), month_label(int(traj.months[m + 1])), world.iso3[c], kind, detail))
    frame = pd.DataFrame(rows, columns=["replication", "date", "iso3", "event", "detail"])
    return frame.sort_values(["replication", "date", "iso3", "event"], kind="stable").reset_index(drop=True)


def contributions_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """Ensemble mean and 5-95% band of each mechanism's monthly contribution, per month and state (long format)."""
    c = traj.contributions  # (months, terms, runs, states)
    mean = c.mean(axis=2)
    lo, hi = np.quantile(c, QUANTILES, axis=2)
    months, terms, states = mean.shape
    return pd.DataFrame(
        {
            "date": np.repeat([month_label(int(m)) for m in traj.months[1:]], terms * states),
            "iso3": np.tile(np.array(world.iso3), months * terms),
            "term": np.tile(np.repeat(np.array(TERMS), states), months),
            "mean": mean.ravel().round(7),
            "p05": lo.ravel().round(7),
            "p95": hi.ravel().round(7),
        }
    )


def _band(values: np.ndarray) -> dict[str, list[float]]:
    """Mean and 5-95% band over axis 1 of ``(months, runs)``."""
    lo, hi = np.quantile(values, QUANTILES, axis=1)
    return {"mean": values.mean(axis=1).round(5).tolist(), "p05": lo.round(5).tolist(), "p95": hi.round(5).tolist()}


def summary(
    traj: Trajectory, world: World, config: dict[str, Any], meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Ensemble summary: what the run is (``run``: scenario, overrides, seed, replications, dtype, version, key),
    regional mean alignment and BRI count over time, end alignments, event probabilities."""
    a = traj.states["alignment"]
    end = a[-1]
    lo, hi = np.quantile(end, QUANTILES, axis=0)
    return {
        "run": meta or {},
        "scenario": config.get("scenario_name"),
        "question": config.get("question"),
        "replications": int(a.shape[1]),
        "seed": config.get("seed"),
        "dates": [month_label(int(m)) for m in traj.months],
        "regional_mean_alignment": _band(a.mean(axis=2)),
        "bri_member_count": _band(traj.states["bri"].sum(axis=2).astype(float)),
        "alignment_end": {
            code: {
                "mean": round(float(end[:, i].mean()), 5),
                "p05": round(float(lo[i]), 5),
                "p95": round(float(hi[i]), 5),
                "start_mean": round(float(a[0, :, i].mean()), 5),
            }
            for i, code in enumerate(world.iso3)
        },
        "event_probability": {
            code: {kind: round(float(traj.events[kind][:, :, i].any(axis=0).mean()), 4) for kind in EVENTS}
            for i, code in enumerate(world.iso3)
        },
    }


def outcomes_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """Scalar outcomes of the ensemble (one row each): mean and 5-95% band over replications.

    Outcomes: ``regional_mean_alignment_end``, ``regional_mean_alignment_change`` (end minus the month before the
    start), ``bri_members_end``, and ``alignment_end:<ISO3>`` for every state.
    """
    a = traj.states["alignment"]
    regional = a.mean(axis=2)
    samples = {
        "regional_mean_alignment_end": regional[-1],
        "regional_mean_alignment_change": regional[-1] - regional[0],
        "bri_members_end": traj.states["bri"][-1].sum(axis=1).astype(float),
    } | {f"alignment_end:{code}": a[-1, :, i] for i, code in enumerate(world.iso3)}
    rows = []
    for name, values in samples.items():
        lo, hi = np.quantile(values, QUANTILES)
        rows.append((name, round(float(values.mean()), 6), round(float(lo), 6), round(float(hi), 6)))
    return pd.DataFrame(rows, columns=["outcome", "mean", "p05", "p95"])


def write_tables(
    traj: Trajectory, world: World, config: dict[str, Any], out: Path, meta: dict[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Write the run's tables into ``out`` (each atomically: a table is complete or absent) and return them.

    ``timeseries`` as CSV and Parquet, ``events.csv``, ``contributions.csv``, ``summary.json``.
    """
    tables = {
        "timeseries": timeseries_table(traj, world),
        "events": events_table(traj, world),
        "contributions": contributions_table(traj, world),
    }
    for name, frame in tables.items():
        atomic.write_csv(frame, out / f"{name}.csv")
    atomic.write_parquet(tables["timeseries"], out / "timeseries.parquet")
    atomic.write_json(out / "summary.json", summary(traj, world, config, meta))
    return tables
