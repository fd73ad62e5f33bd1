"""Re-analyse a study without running the model: ``python -m sim.sensitivity.analyze STUDY [key=value ...]``.

Reads the study's sample and batches (every batch must be on disk: after ``-m chunk=...`` slices ran as separate
jobs this is also how they are merged) and writes a new analysis folder. Keys (defaults: the study's own settings):

``method`` (sobol | morris | pawn; Sobol and Morris need their own sample, PAWN reads a PAWN study or a Sobol'
study's A and B rows, its 2N independent points), ``outputs`` (e.g.
``[alignment_end:COL,regional_mean]``), ``num_resamples``, ``conf_level``, ``calc_second_order`` (must match the
sample), ``num_levels`` (Morris, must match), ``pawn_slices``, ``seed`` (of the bootstrap), ``max_conf``,
``influential``, ``max_relative`` (the convergence check's bounds), ``workers`` (PAWN's bootstrap), ``top``,
``plots``, ``name`` (the folder:
``analysis`` if the study has none yet, else ``analysis-<method>-<time>``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from sim.errors import SimInputError, SimRunError
from sim.sensitivity.analysis import Options
from sim.sensitivity.discover import parse_options
from sim.sensitivity.outputs import FAMILIES
from sim.sensitivity.report import write_analysis
from sim.sensitivity.sampling import METHODS
from sim.sensitivity.store import ANALYSIS, Study, read_study

TYPES: dict[str, type] = {
    "method": str,
    "outputs": list,
    "num_resamples": int,
    "conf_level": float,
    "calc_second_order": bool,
    "num_levels": int,
    "pawn_slices": int,
    "seed": int,
    "max_conf": float,
    "influential": float,
    "max_relative": float,
    "top": int,
    "plots": bool,
    "name": str,
    "workers": int,
}


def study_settings(study: Study) -> dict[str, Any]:
    """The analysis settings the study was launched with (its config.yaml)."""
    try:
        config = yaml.safe_load((study.root / "config.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        config = {}
    return config


def options_for(study: Study, given: dict[str, Any]) -> tuple[Options, list[str], int, bool, str]:
    """Analysis options: the study's, overridden by ``given``; returns options, outputs, top, plots and the name."""
    config = study_settings(study)
    ident = study.meta["identity"]
    convergence = config.get("convergence") or {}
    method = given.get("method", config.get("method", ident["method"]))
    if method not in METHODS:
        raise SimInputError("method", method, f"expected one of {', '.join(METHODS)}")
    defaults = {"num_resamples": 30} if method == "pawn" and method != ident["method"] else {}
    opts = Options(
        method=method,
        calc_second_order=bool(given.get("calc_second_order", ident.get("calc_second_order", False))),
        num_levels=int(given.get("num_levels", ident.get("num_levels") or config.get("num_levels", 4))),
        pawn_slices=int(given.get("pawn_slices", config.get("pawn_slices", 10))),
        num_resamples=int(given.get("num_resamples", defaults.get("num_resamples", config.get("num_resamples", 100)))),
        conf_level=float(given.get("conf_level", config.get("conf_level", 0.95))),
        seed=int(given.get("seed", ident["seed"])),
        max_conf=float(given.get("max_conf", convergence.get("max_conf", 0.05))),
        influential=float(given.get("influential", convergence.get("influential", 0.05))),
        max_relative=float(given.get("max_relative", convergence.get("max_relative", 0.5))),
        workers=int(given.get("workers", os.cpu_count() or 1)),
    )
    if opts.num_resamples < 2:
        raise SimInputError("num_resamples", opts.num_resamples, "expected at least 2 bootstrap resamples")
    if not 0.5 <= opts.conf_level < 1:
        raise SimInputError("conf_level", opts.conf_level, "expected a confidence level in [0.5, 1)")
    if method == "pawn" and not 2 <= opts.pawn_slices <= max(2, int(ident["N"]) // 8):
        raise SimInputError("pawn_slices", opts.pawn_slices, f"expected 2 .. {max(2, int(ident['N']) // 8)} slices")
    outputs = given.get("outputs") or config.get("outputs") or list(FAMILIES)
    name = given.get("name") or (
        ANALYSIS if not (study.root / ANALYSIS).exists() else f"analysis-{method}-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    if "/" in name or name.startswith("."):
        raise SimInputError("name", name, "expected a plain folder name")
    return opts, list(outputs), int(given.get("top", config.get("top", 20))), bool(given.get("plots", True)), name


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m sim.sensitivity.analyze STUDY [key=value ...]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    try:
        study = read_study(Path(args[0]))
        opts, outputs, top, plots, name = options_for(study, parse_options(args[1:], TYPES))
        t0 = time.perf_counter()
        folder = write_analysis(study, opts, outputs, name, top, plots)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except SimRunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"analysis directory: {folder} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
