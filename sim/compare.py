"""``python -m sim.compare DIR DIR ... [--out OUT] [--focus COL,BRA]``: compare runs, as tables and figures.

Each DIR is a run folder (``summary.json`` and ``timeseries.parquet`` or ``.csv``) or a sweep folder (each finished
job folder in it is a run). The first run is the reference **A**; every other run **B** is compared with it.
Everything is computed over the runs' **common window**: from the latest first month (the state before the
comparison starts) to the earliest last month; runs whose date ranges do not overlap are refused.

Written to OUT (default ``outputs/compare/<timestamp>``; never an existing folder that holds files), through a
staging folder renamed into place at the end (:class:`sim.folders.RunFolder`):

- ``runs.csv``: one row per run: its name (legend label and column name: the scenario and the overrides not
  shared by every run; the folder name is added where two runs would share a name), folder, scenario, overrides,
  seed, replications, dtype, first and last month, key and version;
- ``differences.csv``: per run B and outcome (regional mean alignment at the window's end, its change over the
  window, BRI members at the end, each state's alignment at the end), the paired difference **B − A** over
  replications paired by index: mean, 5-95% interval, share of pairs with B > A and with B = A, the number of
  pairs, and ``pairing``, which says whether the pairs share their random numbers (same seed and precision: common
  random numbers, a paired comparison) or not (seeds differ: independent draws, the interval and shares then describe
  the difference of two independent runs);
- ``event_probabilities.csv``: per state and event, each run's probability that the event happens at least once in
  the window (one column per run, named by the run);
- ``data_dictionary.csv``: every column of these tables;
- ``figures/regional.png``, ``figures/states.png`` and, with ``--focus``, ``figures/focus_states.png``
  (:mod:`sim.reporting.compare_figures`).

Bad input (a folder that is neither, fewer than two runs, an unknown state, disjoint date ranges, a non-empty OUT)
ends with one line on stderr and exit status 2, before anything is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.dynamics.update import EVENTS
from sim.errors import SimInputError
from sim.folders import RunFolder
from sim.plot import parse_focus
from sim.reporting.tables import (
    HORIZON,
    QUANTILES,
    event_probabilities_table,
    is_run_folder,
    read_summary,
    read_timeseries,
    write_data_dictionary,
)

OUTPUTS = Path("outputs") / "compare"
"""Default parent of comparison folders (relative to the working directory)."""
SERIES_COLUMNS = ("replication", "date", "iso3", "alignment", "bri_member")
REGIONAL_OUTCOMES = ("regional_mean_alignment_end", "regional_mean_alignment_change", "bri_members_end")
LABEL_SKIP = ("scenario=", "plots=")
"""Overrides left out of a run's name (the scenario is named first; plots do not change results)."""
DIGITS = 6


@dataclass
class Run:
    """One run of the comparison: where it lives, what it is, its timeseries and events."""

    folder: Path
    meta: dict[str, Any]
    series: pd.DataFrame
    events: pd.DataFrame
    kinds: list[str]
    name: str = ""
    first: str = field(init=False)
    last: str = field(init=False)

    def __post_init__(self) -> None:
        dates = self.series["date"].astype(str)
        self.first, self.last = str(dates.min()), str(dates.max())

    @property
    def replications(self) -> np.ndarray:
        return np.sort(self.series["replication"].unique())


def _overrides(meta: dict[str, Any]) -> list[str]:
    return [str(o) for o in meta.get("overrides", []) if not str(o).lower().startswith(LABEL_SKIP)]


def _label(meta: dict[str, Any], folder: Path, common: Collection[str] = ()) -> str:
    """A run's name: its scenario and the overrides not ``common`` to every run (``baseline · us.tariff=0.25``),
    or the folder name when the run does not record them."""
    if not meta.get("scenario"):
        return folder.name
    return " \u00b7 ".join([str(meta["scenario"]), *(o for o in _overrides(meta) if o not in common)])


def common_overrides(runs: Sequence[Run]) -> list[str]:
    """Overrides every run shares (left out of the run names, named once in the footer)."""
    sets = [set(_overrides(r.meta)) for r in runs]
    return sorted(set.intersection(*sets)) if sets else []


def load_run(folder: Path) -> Run:
    """Read one run folder (timeseries columns needed here, events, summary, event kinds)."""
    meta = read_summary(folder).get("run", {}) or {}
    series = read_timeseries(folder, SERIES_COLUMNS)
    events_path = folder / "events.csv"
    events = (
        pd.read_csv(events_path, dtype={"date": str}, keep_default_na=False)
        if events_path.is_file()
        else pd.DataFrame(columns=["replication", "date", "iso3", "event", "detail"])
    )
    probabilities = folder / "event_probabilities.csv"
    if probabilities.is_file():  # the kinds the run's own code knew (zero-probability ones included)
        kinds = list(dict.fromkeys(pd.read_csv(probabilities, usecols=["event"])["event"].astype(str)))
    else:
        kinds = list(dict.fromkeys([*EVENTS, *events["event"].astype(str)]))
    return Run(folder, meta, series, events, kinds, _label(meta, folder))


def _job_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and is_run_folder(p))


def collect_runs(dirs: Sequence[Path]) -> list[Run]:
    """The runs of ``dirs`` in the order given (a sweep folder contributes its jobs, sorted by name); names made
    unique by adding the folder name where two runs would share one."""
    runs: list[Run] = []
    for d in dirs:
        d = Path(d)
        if is_run_folder(d):
            runs.append(load_run(d))
        elif d.is_dir() and _job_folders(d):
            runs += [load_run(job) for job in _job_folders(d)]
        else:
            raise SimInputError(
                "DIR", str(d), "expected a run folder (summary.json, timeseries) or a sweep folder holding run folders"
            )
    if len(runs) < 2:
        raise SimInputError("DIR", " ".join(map(str, dirs)), "expected at least two runs to compare")
    common = set(common_overrides(runs))
    for r in runs:
        r.name = _label(r.meta, r.folder, common)
    names = [r.name for r in runs]
    for r in runs:
        if names.count(r.name) > 1:
            r.name = f"{r.name} ({r.folder.name})"
    seen: dict[str, int] = {}
    for r in runs:  # the same folder given twice
        seen[r.name] = seen.get(r.name, 0) + 1
        if seen[r.name] > 1:
            r.name = f"{r.name} #{seen[r.name]}"
    return runs


def common_window(runs: Sequence[Run]) -> tuple[str, str]:
    """``(first, last)``: the latest first month and the earliest last month of the runs ('YYYY-MM'). ``first`` is
    the state the comparison starts from. Raises :class:`SimInputError` when the ranges do not overlap."""
    first, last = max(r.first for r in runs), min(r.last for r in runs)
    if first > last:
        ranges = ", ".join(f"{r.name}: {r.first}..{r.last}" for r in runs)
        raise SimInputError("DIR", ranges, "expected runs whose date ranges overlap")
    return first, last


def _months(first: str, last: str) -> list[str]:
    """Months after ``first`` up to ``last`` (the simulated months of the window)."""
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")[1:]]


# --------------------------------------------------------------------------- outcomes and differences


def outcome_samples(run: Run, first: str, last: str, states: Sequence[str]) -> pd.DataFrame:
    """Per replication (index) the outcomes over the window ``first`` .. ``last``: regional mean alignment at
    ``last`` and its change since ``first``, BRI members at ``last``, and ``alignment_end:<ISO3>`` per state."""
    ts = run.series
    at = {d: ts.loc[ts["date"].astype(str) == d] for d in (first, last)}
    end = at[last].pivot(index="replication", columns="iso3", values="alignment")
    start_mean = at[first].groupby("replication")["alignment"].mean()
    out = pd.DataFrame(
        {
            "regional_mean_alignment_end": end.mean(axis=1),
            "regional_mean_alignment_change": end.mean(axis=1) - start_mean,
            "bri_members_end": at[last].groupby("replication")["bri_member"].sum().astype(float),
        }
    )
    for code in states:
        out[f"alignment_end:{code}"] = end[code]
    return out


def pairing_note(a: Run, b: Run, pairs: int) -> str:
    """How the replications of ``a`` and ``b`` are paired, and whether the pairs share their random numbers."""
    seeds = (a.meta.get("seed"), b.meta.get("seed"))
    dtypes = (a.meta.get("dtype"), b.meta.get("dtype"))
    counts = f"{pairs} pairs (replication i of A with replication i of B)"
    if seeds[0] is None or seeds[1] is None:
        return f"{counts}; seeds not recorded: whether pairs share random numbers is unknown"
    if seeds[0] != seeds[1]:
        return (
            f"{counts}; seeds differ (A {seeds[0]}, B {seeds[1]}): pairs are independent draws, not common random "
            "numbers; interval and shares describe the difference of two independent runs"
        )
    if dtypes[0] != dtypes[1]:
        return f"{counts}; precisions differ (A {dtypes[0]}, B {dtypes[1]}): different random streams, not paired"
    return f"{counts}; same seed {seeds[0]} and precision: common random numbers (a paired comparison)"


def differences_table(runs: Sequence[Run], first: str, last: str) -> pd.DataFrame:
    """B − A for every run B after the first (A) and every outcome, over replications paired by index."""
    states = sorted(set.intersection(*(set(r.series["iso3"].astype(str)) for r in runs)))
    samples = [outcome_samples(r, first, last, states) for r in runs]
    a, sa = runs[0], samples[0]
    rows = []
    for b, sb in zip(runs[1:], samples[1:], strict=True):
        paired = sa.index.intersection(sb.index)
        note = pairing_note(a, b, len(paired))
        for outcome in sa.columns:
            x, y = sa.loc[paired, outcome].to_numpy(float), sb.loc[paired, outcome].to_numpy(float)
            d = y - x
            lo, hi = np.quantile(d, QUANTILES)
            rows.append(
                {
                    "run_a": a.name,
                    "run_b": b.name,
                    "outcome": outcome,
                    "from_month": first,
                    "to_month": last,
                    "mean_a": x.mean(),
                    "mean_b": y.mean(),
                    "mean_difference": d.mean(),
                    "p05": lo,
                    "p95": hi,
                    "share_b_greater": float(np.mean(d > 0)),
                    "share_equal": float(np.mean(d == 0)),
                    "pairs": len(paired),
                    "pairing": note,
                }
            )
    frame = pd.DataFrame(rows)
    numeric = ["mean_a", "mean_b", "mean_difference", "p05", "p95", "share_b_greater", "share_equal"]
    frame[numeric] = frame[numeric].round(DIGITS)
    return frame


def event_probabilities_side_by_side(runs: Sequence[Run], first: str, last: str) -> pd.DataFrame:
    """Per state and event, each run's probability (one column per run, named by it) that the event happens at
    least once in the window's months; empty where a run's code did not know the event."""
    months = _months(first, last)
    states = list(dict.fromkeys(str(s) for r in runs for s in r.series["iso3"].unique()))
    frame: pd.DataFrame | None = None
    for r in runs:
        table = event_probabilities_table(r.events, states, r.kinds, r.replications, months)
        column = table.loc[table["period"] == HORIZON, ["iso3", "event", "probability"]]
        column = column.rename(columns={"probability": r.name})
        frame = column if frame is None else frame.merge(column, on=["iso3", "event"], how="outer")
    assert frame is not None
    order = {k: i for i, k in enumerate(dict.fromkeys(k for r in runs for k in r.kinds))}
    frame["_order"] = frame["event"].map(order).fillna(len(order))
    return frame.sort_values(["iso3", "_order", "event"]).drop(columns="_order").reset_index(drop=True)


def runs_table(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per run: name, folder, what it is and its dates."""
    rows = []
    for r in runs:
        m = r.meta
        rows.append(
            {
                "run": r.name,
                "folder": str(r.folder),
                "scenario": m.get("scenario", ""),
                "overrides": " ".join(m.get("overrides", [])),
                "seed": m.get("seed", ""),
                "replications": len(r.replications),
                "dtype": m.get("dtype", ""),
                "first_month": r.first,
                "last_month": r.last,
                "key": m.get("key", ""),
                "version": " ".join(str(m[k]) for k in ("version", "commit") if m.get(k)),
            }
        )
    return pd.DataFrame(rows)


def _dictionary_extra(runs: Sequence[Run], first: str, last: str) -> dict[str, tuple[str, str, str]]:
    """Descriptions of the columns only this module writes."""
    diff = f"B minus A, outcome over {first}..{last}, over paired replications"
    extra = {
        "run_a": ("Run A", "", "the reference run (the first given), named by scenario and overrides; see runs.csv"),
        "run_b": ("Run B", "", "the run compared with A, named by scenario and overrides; see runs.csv"),
        "from_month": ("From", "YYYY-MM", "first month of the common window: the state the comparison starts from"),
        "to_month": ("To", "YYYY-MM", "last month of the common window: 'the end' of every outcome"),
        "mean_a": ("Mean in A", "unit of the outcome", "mean of the outcome over A's paired replications"),
        "mean_b": ("Mean in B", "unit of the outcome", "mean of the outcome over B's paired replications"),
        "mean_difference": ("Mean difference B \u2212 A", "unit of the outcome", f"mean of {diff}; + = B higher"),
        "p05": ("5th percentile of B \u2212 A", "unit of the outcome", f"5th percentile of {diff}"),
        "p95": ("95th percentile of B \u2212 A", "unit of the outcome", f"95th percentile of {diff}"),
        "share_b_greater": ("Share B > A", "0 \u2026 1", "share of replication pairs in which B's outcome exceeds A's"),
        "share_equal": ("Share B = A", "0 \u2026 1", "share of replication pairs with equal outcomes (counts tie)"),
        "pairs": ("Pairs", "replications", "number of replication indices present in both runs"),
        "pairing": ("Pairing", "", "how replications are paired and whether pairs share random numbers"),
        "run": (
            "Run",
            "",
            "the run's name: scenario and the overrides not shared by all runs (legend label, column name)",
        ),
        "folder": ("Folder", "path", "the run folder read"),
        "overrides": ("Overrides", "", "the run's command-line overrides (space-separated)"),
        "first_month": ("First month", "YYYY-MM", "first row of the run's timeseries (the state before its start)"),
        "last_month": ("Last month", "YYYY-MM", "last simulated month of the run"),
        "key": ("Key", "SHA-256", "hash of the run's resolved configuration, seeds and code"),
        "version": ("Version", "", "package version and git commit that produced the run"),
    }
    months = _months(first, last)
    window = f"{months[0]}..{last}" if months else f"{last} (no simulated month in common)"
    for r in runs:
        extra[r.name] = (
            f"Probability in {r.name}",
            "0 \u2026 1",
            f"share of the run's replications in which the event happens at least once in {window}",
        )
    return extra


# --------------------------------------------------------------------------- the command


def compare(dirs: Sequence[Path], out: Path | None = None, focus: str | None = None, plots: bool = True) -> Path:
    """Compare the runs in ``dirs`` into ``out`` (see the module docstring); returns the finished folder."""
    runs = collect_runs(dirs)
    first, last = common_window(runs)
    states = sorted({str(s) for r in runs for s in r.series["iso3"].unique()})
    codes = parse_focus(focus, states)
    target = Path(out) if out is not None else OUTPUTS / time.strftime("%Y-%m-%d_%H-%M-%S")
    folder = RunFolder.claim(target, "--out")
    try:
        stage = folder.staging
        atomic.write_csv(runs_table(runs), stage / "runs.csv")
        atomic.write_csv(differences_table(runs, first, last), stage / "differences.csv")
        atomic.write_csv(event_probabilities_side_by_side(runs, first, last), stage / "event_probabilities.csv")
        write_data_dictionary(stage, _dictionary_extra(runs, first, last))
        if plots:
            from sim.reporting.compare_figures import plot_compare

            footer = " \u00b7 ".join(
                [
                    "python -m sim.compare",
                    *(["common to all runs: " + " ".join(common_overrides(runs))] if common_overrides(runs) else []),
                    "run folders: " + ", ".join(r.folder.name for r in runs),
                ]
            )
            plot_compare({r.name: r.series for r in runs}, stage / "figures", codes, footer=footer)
    except BaseException:
        folder.discard()
        raise
    return folder.commit()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.compare``."""
    parser = argparse.ArgumentParser(prog="python -m sim.compare", description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="run folders or sweep folders; the first run is A")
    parser.add_argument("--out", type=Path, help="new or empty folder to write (default: outputs/compare/<time>)")
    parser.add_argument("--focus", help="states drawn larger and with bands, e.g. COL,BRA (any case)")
    parser.add_argument("--no-plots", action="store_true", help="tables only")
    args = parser.parse_args(argv)
    try:
        done = compare(args.dirs, args.out, args.focus, plots=not args.no_plots)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"comparison: {done}")
    return 0


__all__ = [
    "Run",
    "collect_runs",
    "common_window",
    "compare",
    "differences_table",
    "event_probabilities_side_by_side",
    "outcome_samples",
    "pairing_note",
    "runs_table",
]


if __name__ == "__main__":
    sys.exit(main())
