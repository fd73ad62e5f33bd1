"""Sweeps: a tidy table at the sweep root, identical across launchers, resumable, failures recorded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.paths import PROJECT_ROOT

SWEEP = ["scenario=baseline,panama_playbook", "us.tariff=0,0.2", "replications=3", "plots=false"]


def sweep(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "sim", "-m", *SWEEP, f"hydra.sweep.dir={root}", *extra]
    return subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweeps") / "basic"
    done = sweep(root)
    assert done.returncode == 0, done.stderr
    return root


def test_table_has_one_row_per_job_and_outcome(basic):
    table = pd.read_csv(basic / "sweep_results.csv")
    assert table["job"].nunique() == 4
    assert not table.duplicated(["job", "outcome"]).any()
    assert {"scenario", "us.tariff", "outcome", "mean", "p05", "p95", "status"} <= set(table.columns)
    assert set(table["scenario"]) == {"baseline", "panama_playbook"}
    headline = table[table["outcome"] == "bri_members_end"].set_index(["scenario", "us.tariff"])["mean"]
    assert headline["panama_playbook"].max() < headline["baseline"].min()  # the playbook empties the BRI
    assert ((table["p05"] <= table["mean"]) & (table["mean"] <= table["p95"])).all()


def test_figures_are_drawn_and_redrawn_from_the_table(basic, tmp_path):
    assert {p.name for p in (basic / "figures").glob("*.png")} == {"sweep_us.tariff.png", "scenarios.png"}
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(basic / "sweep_results.csv", copy)
    done = subprocess.run([sys.executable, "-m", "sim.plot", str(copy)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (copy / "figures" / "scenarios.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "launcher",
    [["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], ["hydra/launcher=submitit_local"]],
    ids=["joblib", "submitit_local"],
)
def test_launchers_give_byte_identical_tables(basic, tmp_path, launcher):
    done = sweep(tmp_path / "other", *launcher)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "other" / "sweep_results.csv").read_bytes() == (basic / "sweep_results.csv").read_bytes()


def test_an_interrupted_sweep_resumes(basic, tmp_path):
    root = tmp_path / "resumed"
    shutil.copytree(basic, root)
    for job in ("1", "2"):  # as if the sweep had been killed while these jobs ran
        (root / job / "DONE").unlink()
        (root / job / "outcomes.csv").unlink()
    (root / "sweep_results.csv").unlink()
    done = sweep(root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("skipped (already done)") == 2
    assert (root / "sweep_results.csv").read_bytes() == (basic / "sweep_results.csv").read_bytes()


def test_a_failed_job_is_recorded_and_the_others_kept(tmp_path):
    root = tmp_path / "failing"
    args = [
        sys.executable,
        "-m",
        "sim",
        "-m",
        "us.tariff=0,3",
        "replications=2",
        "plots=false",
        f"hydra.sweep.dir={root}",
    ]
    done = subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "1 of 2 sweep jobs failed" in done.stderr
    table = pd.read_csv(root / "sweep_results.csv", keep_default_na=False)
    failed = table[table["status"] == "failed"]
    assert len(failed) == 1 and "us.tariff: got 3.0" in failed["error"].iloc[0]
    assert (table[table["job"] == 0]["status"] == "done").all() and len(table[table["job"] == 0]) > 30
