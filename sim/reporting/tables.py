"""Tidy tables, the JSON summary and the data dictionary of an ensemble's run folder.

Tables of a run folder (written by :func:`write_tables`; ``outcomes.csv`` by the caller):

* ``timeseries.csv`` / ``.parquet``: one row per replication x month x state, one column per recorded state field
  (:data:`sim.engine.RECORDED`; a few fields get established column names, see :data:`COLUMN_NAMES`);
* ``events.csv``: one row per event (``recognition_switch`` says ``to Beijing`` / ``to Taipei`` in ``detail``);
* ``contributions.csv``: ensemble mean and 5-95% band of each mechanism's monthly contribution;
* ``event_probabilities.csv``: per state and event, the probability that it happens at least once, per calendar
  year and over the whole run (``period = horizon``);
* ``summary.json``;
* ``data_dictionary.csv`` (:func:`write_data_dictionary`, called last): every column of every table in the folder
  with its label, unit and meaning (sign convention and range), from :mod:`sim.reporting.labels`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.calendar import month_label
from sim.dynamics.update import EVENTS
from sim.dynamics.world import World
from sim.engine import TERMS, Trajectory  # the mechanisms whose contributions the engine records
from sim.reporting import labels

QUANTILES = (0.05, 0.95)
HORIZON = "horizon"
"""``period`` of the event-probability rows covering the whole run (scenario start to end)."""
TO_BEIJING, TO_TAIPEI = "to Beijing", "to Taipei"
"""``detail`` of a ``recognition_switch`` event: the recognition the state switched to."""

COLUMN_NAMES: dict[str, str] = {
    "bri": "bri_member",
    "prc": "recognizes_prc",
    "ideology": "gov_ideology",
    "elite": "elite_attitude",
}
"""Column names of recorded state fields in ``timeseries``; a field not listed keeps its own name."""
DIGITS = 5
"""Decimals kept for float columns of ``timeseries``."""


def timeseries_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """One row per replication x month x state; one column per recorded state field, in recording order.

    Booleans become 0/1 (int8), floats are rounded to :data:`DIGITS` decimals; columns are named by
    :data:`COLUMN_NAMES` (``bri`` -> ``bri_member``, ``prc`` -> ``recognizes_prc`` ...) or keep the field's name.
    """
    months, runs, states = traj.states["alignment"].shape
    grid = {
        "replication": np.repeat(traj.runs, states)[None, :].repeat(months, 0).ravel(),
        "date": np.repeat([month_label(int(m)) for m in traj.months], runs * states),
        "iso3": np.tile(np.array(world.iso3), months * runs),
    }
    columns: dict[str, np.ndarray] = {}
    for name, values in traj.states.items():
        flat = values.ravel()
        if flat.dtype == np.bool_:
            flat = flat.astype(np.int8)
        elif np.issubdtype(flat.dtype, np.floating):
            flat = flat.round(DIGITS)
        columns[COLUMN_NAMES.get(name, name)] = flat
    return pd.DataFrame(grid | columns)


def _event_detail(traj: Trajectory, kind: str, m: int, r: int, c: int) -> str:
    """``detail`` of one event: the new government, or the recognition a ``recognition_switch`` went to (from the
    recorded recognition before the month: a state recognising Beijing can only switch to Taipei)."""
    if kind == "government_change":
        return traj.changes.get((m, r, c), "")
    if kind == "recognition_switch" and "prc" in traj.states:
        return TO_TAIPEI if bool(traj.states["prc"][m, r, c]) else TO_BEIJING
    return ""


def events_table(traj: Trajectory, world: World) -> pd.DataFrame:
    """One row per event: replication, date, iso3, event, detail."""
    rows = []
    for kind in traj.events:
        for m, r, c in zip(*np.nonzero(traj.events[kind]), strict=True):
            detail = _event_detail(traj, kind, int(m), int(r), int(c))
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


def event_probabilities_table(
    events: pd.DataFrame,
    iso3s: Sequence[str],
    kinds: Sequence[str],
    replications: Sequence[int] | int,
    months: Sequence[str],
) -> pd.DataFrame:
    """Probability that each event happens at least once, per state, per calendar year and over the whole run.

    ``events`` is an events table (``replication, date, iso3, event``); ``iso3s`` and ``kinds`` give the rows (every
    state x event, zeros included; kinds found in ``events`` but not in ``kinds`` are appended); ``replications`` the
    replication indices (or their number); ``months`` the simulated months ('YYYY-MM', scenario start to end): only
    events in them count. ``period`` is a year (only that year's simulated months: the first and last year may be
    partial) or ``"horizon"`` (every simulated month). ``probability`` = replications with at least one such event
    / ``replications``, a share in [0, 1]. Rows sorted by state (given order), event (given order), period.
    """
    reps = np.arange(replications) if isinstance(replications, int) else np.asarray(replications)
    n_reps = len(reps)
    window = sorted({str(m) for m in months})
    years = sorted({m[:4] for m in window})
    kinds = list(dict.fromkeys([*kinds, *sorted(set(events["event"].astype(str)) - set(kinds))]))
    inside = events.loc[events["date"].astype(str).isin(window) & events["replication"].isin(reps)]
    hits = pd.DataFrame(
        {
            "iso3": inside["iso3"].astype(str),
            "event": inside["event"].astype(str),
            "year": inside["date"].astype(str).str[:4],
            "replication": inside["replication"],
        }
    )
    by_year = hits.drop_duplicates().groupby(["iso3", "event", "year"])["replication"].nunique()
    by_run = hits.drop_duplicates(["iso3", "event", "replication"]).groupby(["iso3", "event"])["replication"].size()
    rows = []
    for code in iso3s:
        for kind in kinds:
            for year in years:
                rows.append((code, kind, year, int(by_year.get((code, kind, year), 0))))
            rows.append((code, kind, HORIZON, int(by_run.get((code, kind), 0))))
    frame = pd.DataFrame(rows, columns=["iso3", "event", "period", "count"])
    frame["probability"] = (frame.pop("count") / max(n_reps, 1)).round(6)
    frame["replications"] = n_reps
    return frame


def trajectory_event_probabilities(traj: Trajectory, world: World, events: pd.DataFrame) -> pd.DataFrame:
    """:func:`event_probabilities_table` of a run from its trajectory and events table."""
    months = [month_label(int(m)) for m in traj.months[1:]]
    return event_probabilities_table(events, world.iso3, list(traj.events), traj.runs, months)


# --------------------------------------------------------------------------- data dictionary

DICTIONARY = "data_dictionary.csv"
DICTIONARY_COLUMNS = ("table", "column", "label", "unit", "meaning")
UNDESCRIBED = "no description recorded"
"""Marker in the meaning of a column :mod:`sim.reporting.labels` does not describe (see :func:`undescribed`)."""

CATEGORIES: dict[str, labels.Kind] = {"term": "mechanism", "event": "event", "outcome": "outcome"}
"""Columns whose values are names: the dictionary describes each value found (``term=lock_in`` ...)."""

#: Columns of this module's tables that :mod:`sim.reporting.labels` does not describe (labels.py wins once it does).
LOCAL_COLUMNS: dict[str, tuple[str, str, str]] = {
    "period": (
        "Period",
        "YYYY or horizon",
        "a calendar year (the event happens at least once in that year's simulated months; the first and last year "
        "may be partial) or 'horizon' (at least once between the scenario start and the end)",
    ),
    "replications": ("Replications", "runs", "number of replications the share is computed over (its denominator)"),
    "table": ("Table", "", "table of the folder the column belongs to (file name without extension)"),
    "column": ("Column", "", "column name; 'name=value' rows describe a value that column takes"),
    "label": ("Label", "", "human label of the column (as shown in figures)"),
    "unit": ("Unit", "", "unit of the column's values (empty: none)"),
    "meaning": ("Meaning", "", "what the column holds, with its sign convention and range"),
}

#: Meanings that depend on the table: (table, column) -> (unit, or None to keep labels.py's; text added to the meaning).
TABLE_CONTEXT: dict[tuple[str, str], tuple[str | None, str]] = {
    **{
        ("contributions", q): ("alignment units per month", "of a mechanism's contribution to the month's change")
        for q in ("mean", "p05", "p95")
    },
    **{
        ("outcomes", q): ("unit of the outcome", "of the outcome named in the row (see its row)")
        for q in ("mean", "p05", "p95")
    },
    ("events", "detail"): (None, f"; for recognition_switch '{TO_BEIJING}' or '{TO_TAIPEI}'"),
}


#: Meanings that replace labels.py's in one table: (table, column) -> meaning.
TABLE_MEANINGS: dict[tuple[str, str], str] = {
    ("events", "date"): "calendar month in which the event happened (scenario start to end)",
    ("contributions", "date"): "calendar month of the contribution (scenario start to end)",
}


def describe_column(table: str, column: str, extra: Mapping[str, tuple[str, str, str]] | None = None) -> dict[str, str]:
    """The dictionary row of ``column`` of ``table``: from ``extra`` (the caller's own columns), else
    :mod:`sim.reporting.labels` (in the table's context: :data:`TABLE_MEANINGS`, :data:`TABLE_CONTEXT`), else
    :data:`LOCAL_COLUMNS`, else the labels fallback (whose meaning contains :data:`UNDESCRIBED`)."""
    if extra and column in extra:
        text, unit_, meaning = extra[column]
    else:
        found = labels.entry(column, "column")
        if not found.known:
            found = labels.entry(column)
        if not found.known and column in LOCAL_COLUMNS:
            text, unit_, meaning = LOCAL_COLUMNS[column]
        else:
            text, unit_, meaning = found.label, found.unit, found.meaning
        meaning = TABLE_MEANINGS.get((table, column), meaning)
        if (table, column) in TABLE_CONTEXT:
            context_unit, suffix = TABLE_CONTEXT[(table, column)]
            unit_ = unit_ if context_unit is None else context_unit
            meaning = f"{meaning}{suffix}" if suffix.startswith(";") else f"{meaning}, {suffix}"
    return {"table": table, "column": column, "label": text, "unit": unit_, "meaning": meaning}


def _describe_values(table: str, column: str, values: Iterable[str]) -> list[dict[str, str]]:
    kind = CATEGORIES[column]
    rows = []
    for value in values:
        found = labels.entry(value, kind)
        rows.append(
            {
                "table": table,
                "column": f"{column}={value}",
                "label": found.label,
                "unit": found.unit,
                "meaning": found.meaning,
            }
        )
    return rows


def _table_columns(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    return list(pd.read_csv(path, nrows=0).columns)


def dictionary_table(folder: Path, extra: Mapping[str, tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """The data dictionary of every table (``*.csv``, ``*.parquet``) in ``folder``, the dictionary itself included.

    One row per table (file stem; a Parquet file beside a CSV of the same stem and columns is not repeated) and
    column, plus one row per value of a name column (``term``, ``event``, ``outcome``: ``column`` is
    ``name=value``). ``extra`` describes columns only the caller knows (``column -> (label, unit, meaning)``).
    """
    seen: dict[str, list[str]] = {}
    rows: list[dict[str, str]] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet") and p.name != DICTIONARY):
        columns = _table_columns(path)
        if seen.get(path.stem) == columns:
            continue
        name = path.stem if path.stem not in seen else path.name
        seen[name] = columns
        for column in columns:
            rows.append(describe_column(name, column, extra))
            if column in CATEGORIES and path.suffix == ".csv":
                values = pd.read_csv(path, usecols=[column], dtype=str, keep_default_na=False)[column]
                rows += _describe_values(name, column, dict.fromkeys(v for v in values if v))
    stem = Path(DICTIONARY).stem
    rows += [describe_column(stem, column) for column in DICTIONARY_COLUMNS]
    return pd.DataFrame(rows, columns=list(DICTIONARY_COLUMNS))


def undescribed(dictionary: pd.DataFrame) -> list[str]:
    """``table.column`` of every row :mod:`sim.reporting.labels` could not describe (empty when all are)."""
    bad = dictionary["meaning"].astype(str).str.contains(UNDESCRIBED, regex=False)
    return [f"{t}.{c}" for t, c in zip(dictionary.loc[bad, "table"], dictionary.loc[bad, "column"], strict=True)]


def write_data_dictionary(folder: Path, extra: Mapping[str, tuple[str, str, str]] | None = None) -> Path:
    """Write ``data_dictionary.csv`` describing every table now in ``folder`` (call it after the last table)."""
    return atomic.write_csv(dictionary_table(Path(folder), extra), Path(folder) / DICTIONARY)


# --------------------------------------------------------------------------- writing a run's tables


def write_tables(
    traj: Trajectory, world: World, config: dict[str, Any], out: Path, meta: dict[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Write the run's tables into ``out`` (each atomically: a table is complete or absent) and return them.

    ``timeseries`` as CSV and Parquet, ``events.csv``, ``contributions.csv``, ``event_probabilities.csv``,
    ``summary.json``. The caller writes its own tables, then :func:`write_data_dictionary`.
    """
    tables = {
        "timeseries": timeseries_table(traj, world),
        "events": events_table(traj, world),
        "contributions": contributions_table(traj, world),
    }
    tables["event_probabilities"] = trajectory_event_probabilities(traj, world, tables["events"])
    for name, frame in tables.items():
        atomic.write_csv(frame, out / f"{name}.csv")
    atomic.write_parquet(tables["timeseries"], out / "timeseries.parquet")
    atomic.write_json(out / "summary.json", summary(traj, world, config, meta))
    return tables


# --------------------------------------------------------------------------- reading a run folder back

SUMMARY = "summary.json"
FOOTER_SKIP = ("scenario=", "plots=", "replications=", "seed=")
"""Overrides the footer leaves out (it names the scenario, replications and seed itself; plots do not change data)."""


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a run's tables (``summary.json`` and ``timeseries.parquet`` or ``.csv``)."""
    folder = Path(folder)
    has_series = (folder / "timeseries.parquet").is_file() or (folder / "timeseries.csv").is_file()
    return folder.is_dir() and (folder / SUMMARY).is_file() and has_series


def read_timeseries(folder: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A run folder's timeseries (``timeseries.parquet`` if present, else ``.csv``), optionally only ``columns``."""
    folder = Path(folder)
    wanted = list(columns) if columns is not None else None
    if (folder / "timeseries.parquet").is_file():
        return pd.read_parquet(folder / "timeseries.parquet", columns=wanted)
    return pd.read_csv(folder / "timeseries.csv", usecols=wanted)


def read_summary(folder: Path) -> dict[str, Any]:
    """A run folder's ``summary.json``."""
    return json.loads((Path(folder) / SUMMARY).read_text(encoding="utf-8"))


def footer_of(meta: Mapping[str, Any]) -> str:
    """The footer line of a run from its ``summary.json`` ``run`` section: scenario, overrides, replications, seed
    (:func:`sim.reporting.labels.run_footer`)."""
    shown = [o for o in meta.get("overrides", []) if not str(o).startswith(FOOTER_SKIP)]
    return labels.run_footer(str(meta.get("scenario") or ""), shown, meta.get("replications"), meta.get("seed"))
