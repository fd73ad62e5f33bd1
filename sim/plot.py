"""``python -m sim.plot FOLDER``: redraw a run's or a sweep's figures from its tables alone.

- A run folder (``summary.json`` and ``timeseries.parquet`` or ``.csv``): every run figure into ``FOLDER/figures``
  from ``timeseries``, ``contributions.csv`` (the mechanism figures use its ensemble means: no whiskers) and
  ``summary.json`` (the footer naming scenario, overrides, replications and seed). ``--focus COL,BRA`` (any case)
  picks the states whose mechanism breakdown is drawn (default: the run's ``focus``); ``--view gross`` draws the
  gross mechanism view.
- A sweep folder (``sweep_results.csv``; ``--aggregate`` rebuilds it from the job folders first): the sweep figures
  into ``FOLDER/figures``.

Bad input (not a run or sweep folder, an unknown state) ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.errors import SimInputError
from sim.reporting.tables import footer_of, is_run_folder, read_summary, read_timeseries
from sim.sweep import RESULTS, write_results

DEFAULT_FOCUS = "COL"


def parse_focus(text: str | None, states: list[str], field: str = "--focus") -> list[str]:
    """ISO3 codes from ``"col, BRA"`` (comma-separated, any case), each checked against ``states``; in order,
    without repeats. Raises :class:`SimInputError` naming the first unknown code."""
    if text is None:
        return []
    codes = list(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    if not codes:
        raise SimInputError(field, text, "expected ISO3 codes separated by commas, e.g. COL,BRA")
    for code in codes:
        if code not in states:
            raise SimInputError(field, code, f"expected ISO3 codes of the run's states ({', '.join(sorted(states))})")
    return codes


def _run_focus(folder: Path, states: list[str]) -> list[str]:
    """The run's own ``focus`` (from ``config.yaml``), else COL, else the first state."""
    config_path = folder / "config.yaml"
    focus = None
    if config_path.is_file():
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        focus = str(config.get("focus") or "").upper() or None
    for code in (focus, DEFAULT_FOCUS):
        if code in states:
            return [code]
    return states[:1]


def redraw_run(folder: Path, focus: str | None = None, view: str = "net") -> list[Path]:
    """Redraw a run folder's figures into ``folder/figures`` from its tables; returns the paths written."""
    from sim.reporting.figures import plot_all

    ts = read_timeseries(folder)
    states = sorted(str(s) for s in ts["iso3"].unique())
    codes = parse_focus(focus, states) or _run_focus(folder, states)
    contributions = folder / "contributions.csv"
    if not contributions.is_file():
        raise SimInputError("folder", str(folder), "expected the run's contributions.csv beside its timeseries")
    contrib = pd.read_csv(contributions)
    footer = footer_of(read_summary(folder).get("run", {}))
    return plot_all(ts, contrib, folder / "figures", focus=codes, view=view, footer=footer)  # type: ignore[arg-type]


def redraw_sweep(root: Path, aggregate: bool = False) -> list[Path]:
    """Redraw a sweep's figures into ``root/figures`` from ``sweep_results.csv`` (rebuilt first with ``aggregate``)."""
    from sim.reporting.sweep_figures import plot_sweep

    if aggregate:
        write_results(root, draw=False)
    table = pd.read_csv(root / RESULTS, keep_default_na=False, na_values=[""])
    return plot_sweep(table, root / "figures")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.plot``."""
    parser = argparse.ArgumentParser(prog="python -m sim.plot", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a run folder or a sweep's root folder")
    parser.add_argument("--focus", help="run folders: states for the mechanism figures, e.g. COL,BRA (any case)")
    parser.add_argument("--view", choices=("net", "gross"), default="net", help="run folders: mechanism view")
    parser.add_argument(
        "--aggregate", action="store_true", help="sweeps: rebuild sweep_results.csv from the jobs first"
    )
    args = parser.parse_args(argv)
    folder: Path = args.folder
    try:
        if is_run_folder(folder):
            paths = redraw_run(folder, args.focus, args.view)
        elif folder.is_dir() and ((folder / RESULTS).is_file() or args.aggregate):
            if args.focus is not None:
                raise SimInputError("--focus", args.focus, "applies to a run folder; a sweep's figures have no focus")
            paths = redraw_sweep(folder, args.aggregate)
        else:
            raise SimInputError(
                "folder",
                str(folder),
                f"expected a run folder (summary.json and timeseries.parquet or .csv) or a sweep folder ({RESULTS})",
            )
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
