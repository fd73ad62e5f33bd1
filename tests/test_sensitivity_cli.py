"""The command lines of the sensitivity analysis: python -m sim.sensitivity (single launch, -m slices, dry run, bad
input, a refused resume), python -m sim.sensitivity.analyze and python -m sim.sensitivity.discover."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.paths import PROJECT_ROOT

SMALL = ["N=8", "end=2026-12", "factors=[params.w_coercion,params.compliance_base,us.bri_exit_pressure]", "batch=32"]
"""A small study: 3 factors and the dummy, 8 x 6 rows x 2 replications = 96 runs of 14 months."""


def cli(*args: str, module: str = "sim.sensitivity") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "single"
    done = cli(*SMALL, "progress=false", f"hydra.run.dir={root}")
    assert done.returncode == 0, done.stderr
    assert f"analysis directory: {root / 'analysis'}" in done.stdout
    return root


def test_single_launch_writes_the_study_and_its_analysis(study):
    idx = pd.read_csv(study / "analysis" / "indices.csv")
    assert list(idx.columns[:6]) == ["output", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(idx["factor"]) == {"params.w_coercion", "params.compliance_base", "us.bri_exit_pressure", "dummy"}
    assert (study / "analysis" / "indices.parquet").is_file() and (study / "analysis" / "DONE").is_file()
    assert {"alignment_end:COL", "regional_mean:2026", "bri_exit_any"} <= set(idx["output"])
    figures = {p.name for p in (study / "analysis" / "figures").glob("*.png")}
    assert {"bars_regional_mean_end.png", "heatmap_states.png", "heatmap_years.png"} <= figures
    assert "convergence_regional_mean_end.png" in figures
    meta = json.loads((study / "study.json").read_text())
    assert meta["seed"] == 20251031 and meta["project"]["version"] and meta["rows"] == 8 * 6
    assert len(list((study / "runs").glob("batch-*.parquet"))) == 3


def test_slices_on_a_launcher_give_the_same_indices(study, tmp_path):
    root = tmp_path / "sliced"
    done = cli("-m", "chunk=0,1,2", "chunks=3", *SMALL, f"hydra.sweep.dir={root}")
    assert done.returncode == 0, done.stderr
    assert (root / "analysis" / "indices.csv").read_bytes() == (study / "analysis" / "indices.csv").read_bytes()
    assert not (root / ".jobs").exists()


def test_relaunching_a_finished_study_runs_nothing_and_another_is_refused(study):
    again = cli(*SMALL, f"hydra.run.dir={study}")
    assert again.returncode == 0 and "already analysed" in again.stdout and "0 runs to do" in again.stdout
    other = cli(*[a if a != "N=8" else "N=16" for a in SMALL], f"hydra.run.dir={study}")
    assert other.returncode == 2
    assert other.stderr.count("\n") == 1 and "N: 8 there, 16 now" in other.stderr


def test_dry_run_and_bad_input(tmp_path, monkeypatch, capsys):
    """Both end before anything is written (run in this process: Hydra's app is never reached)."""
    from sim.sensitivity.__main__ import main

    for args, code in (([*SMALL, "dry_run=true"], 0), (["N=1000"], 2)):
        monkeypatch.setattr(sys, "argv", ["sim.sensitivity", *args, f"hydra.run.dir={tmp_path / 'x'}"])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == code
    out, err = capsys.readouterr()
    assert "N(D+2) = 8x6 = 48 rows x 2 replications = 96 runs" in out and "MiB on disk" in out
    assert err.startswith("error: N: got 1000") and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_reanalysis_and_discovery_read_the_study(study):
    from sim.sensitivity import analyze, discover

    args = [str(study), "method=pawn", "outputs=[regional_mean_end]", "num_resamples=5", "pawn_slices=2", "name=pawn"]
    assert analyze.main(args) == 0
    idx = pd.read_csv(study / "pawn" / "indices.csv")
    assert {"median", "median_low", "median_high"} <= set(idx.columns) and set(idx["output"]) == {"regional_mean_end"}
    assert analyze.main([str(study), "calc_second_order=true"]) == 2
    pytest.importorskip("ema_workbench", reason="scenario discovery needs the optional extra 'discovery'")
    assert discover.main([str(study), "condition=alignment_end:COL < 0", "name=col"]) == 0
    assert {"boxes.csv", "trajectory.csv", "scores.csv", "summary.json", "DONE"} <= {
        p.name for p in (study / "col").iterdir()
    }
