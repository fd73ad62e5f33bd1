"""``python -m sim.plot <sweep dir>``: redraw a sweep's figures from its ``sweep_results.csv`` alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.reporting.sweep_figures import plot_sweep
from sim.sweep import RESULTS, write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.plot", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="the sweep's root folder (holds sweep_results.csv)")
    parser.add_argument("--aggregate", action="store_true", help="rebuild sweep_results.csv from the job folders first")
    args = parser.parse_args(argv)
    root: Path = args.sweep_dir
    if args.aggregate and root.is_dir():
        write_results(root, draw=False)
    table_path = root / RESULTS
    if not table_path.is_file():
        print(f"error: sweep_dir: got '{root}'; expected a sweep folder holding {RESULTS}", file=sys.stderr)
        return 2
    table = pd.read_csv(table_path, keep_default_na=False, na_values=[""])
    for path in plot_sweep(table, root / "figures"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
