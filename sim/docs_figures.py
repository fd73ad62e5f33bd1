"""Redraw the README's run and sweep figures (``docs/img/``) from the current model: ``python -m sim.docs_figures``.

Runs the documented commands through the command line into a temporary folder (nothing under ``outputs/`` is touched)
and copies the figures the README shows. The validation figures come from ``python -m sim.validate``; ``make docs``
runs both and the scenario report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sim.paths import PROJECT_ROOT

IMG_DIR = PROJECT_ROOT / "docs" / "img"

#: (command-line arguments after ``python -m sim``, {figure in the output: name under docs/img}).
JOBS: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = (
    (
        ("replications=50", "focus=COL"),
        {
            "figures/alignment_small_multiples.png": "alignment_small_multiples.png",
            "figures/choropleth.png": "choropleth.png",
            "figures/mechanisms_COL.png": "mechanisms_COL.png",
            "figures/regional_mean.png": "regional_mean.png",
            "figures/bri_members.png": "bri_members.png",
        },
    ),
    (
        ("-m", "scenario=baseline,us_max_pressure,china_charm_offensive,colombia_right_turn", "replications=20"),
        {"figures/scenarios.png": "sweep_scenarios.png"},
    ),
    (
        ("-m", "us.tariff=0,0.1,0.25,0.5", "china.bri_finance=0.5,1,2", "replications=20"),
        {
            "figures/heatmap_china.bri_finance_us.tariff.png": "sweep_heatmap.png",
            "figures/sweep_us.tariff.png": "sweep_us_tariff.png",
        },
    ),
)


def _run(args: tuple[str, ...], out: Path) -> None:
    dir_key = "hydra.sweep.dir" if "-m" in args else "hydra.run.dir"
    cmd = [sys.executable, "-m", "sim", *args, f"{dir_key}={out}"]
    print("+", " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, cwd=PROJECT_ROOT)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sim-docs-") as tmp:
        for i, (args, figures) in enumerate(JOBS):
            out = Path(tmp) / f"job{i}"
            _run(args, out)
            for src, dst in figures.items():
                found = out / src
                if not found.exists():
                    print(f"error: {found.relative_to(tmp)} was not drawn (sim/docs_figures.py)", file=sys.stderr)
                    return 1
                shutil.copyfile(found, IMG_DIR / dst)
                print(IMG_DIR / dst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
