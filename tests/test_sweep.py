"""Sweeps: a tidy table at the sweep root, identical across launchers; resumable by configuration key; failures and
dead workers recorded while the other jobs finish."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.paths import PROJECT_ROOT

SWEEP = ["scenario=baseline,panama_playbook", "us.tariff=0,0.2", "replications=3", "plots=false", "end=2027-12"]


def sweep(root: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sim", "-m", *args, f"hydra.sweep.dir={root}"]
    env = os.environ | (extra_env or {})
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, env=env)


def job_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "DONE").is_file())


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweeps") / "basic"
    done = sweep(root, *SWEEP)
    assert done.returncode == 0, done.stderr
    return root


def test_table_has_one_row_per_job_and_outcome(basic):
    table = pd.read_csv(basic / "sweep_results.csv")
    assert table["job"].nunique() == 4
    assert not table.duplicated(["job", "outcome"]).any()
    assert {"scenario", "us.tariff", "outcome", "mean", "p05", "p95", "status"} <= set(table.columns)
    assert set(table["scenario"]) == {"baseline", "panama_playbook"}
    assert ((table["p05"] <= table["mean"]) & (table["mean"] <= table["p95"])).all()


def test_job_folders_are_named_by_their_swept_values_and_key(basic):
    names = job_folders(basic)
    assert len(names) == 4
    assert all(n.startswith(("scenario=baseline,us.tariff=", "scenario=panama_playbook,us.tariff=")) for n in names)
    for name in names:
        run = json.loads((basic / name / "summary.json").read_text())["run"]
        assert name.endswith("-" + run["key"][:8])
        assert run["replications"] == 3 and run["seed"] == 20251031 and run["dtype"] == "float64"
        assert f"us.tariff={name.split('us.tariff=')[1].rsplit('-', 1)[0]}" in run["overrides"]
    assert not list(basic.glob(".partial-*")), "a finished launch leaves no staging folders"


def test_figures_are_drawn_and_redrawn_from_the_table(basic, tmp_path):
    assert {p.name for p in (basic / "figures").glob("*.png")} >= {"scenarios.png"}
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
    done = sweep(tmp_path / "other", *SWEEP, *launcher)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "other" / "sweep_results.csv").read_bytes() == (basic / "sweep_results.csv").read_bytes()
    assert job_folders(tmp_path / "other") == job_folders(basic)


def test_resume_skips_identical_jobs_and_reruns_changed_ones(tmp_path):
    root = tmp_path / "resume"
    first = sweep(root, "us.tariff=0,0.5", "replications=2", "plots=false", "end=2026-06")
    assert first.returncode == 0, first.stderr
    old = job_folders(root)
    config_before = {n: (root / n / "config.yaml").read_bytes() for n in old}
    again = sweep(root, "us.tariff=0,0.5", "replications=2", "plots=false", "end=2026-06")
    assert again.returncode == 0 and again.stdout.count("skipped (identical job already done)") == 2
    changed = sweep(root, "us.tariff=0.3,0.5", "replications=3", "plots=false", "end=2026-06")
    assert changed.returncode == 0, changed.stderr
    assert "skipped" not in changed.stdout, "replications changed: no job is identical"
    assert {n: (root / n / "config.yaml").read_bytes() for n in old} == config_before, "finished jobs untouched"
    table = pd.read_csv(root / "sweep_results.csv")
    jobs = table.drop_duplicates("job").set_index("job")
    assert len(jobs) == 4
    for name, row in jobs.iterrows():  # every row carries its own job's values, old or new
        config = yaml.safe_load((root / name / "config.yaml").read_text())
        assert (row["replications"], row["us.tariff"]) == (config["replications"], config["us"]["tariff"])
    assert sorted(zip(jobs["us.tariff"], jobs["replications"], strict=True)) == [(0, 2), (0.3, 3), (0.5, 2), (0.5, 3)]


def test_a_failed_job_is_recorded_and_the_others_kept(tmp_path):
    root = tmp_path / "failing"
    done = sweep(root, "us.tariff=0,3", "replications=2", "plots=false", "end=2026-06")
    assert done.returncode == 1 and "1 of 2 sweep jobs failed" in done.stderr
    table = pd.read_csv(root / "sweep_results.csv", keep_default_na=False)
    failed = table[table["status"] == "failed"]
    assert len(failed) == 1 and "us.tariff: got 3.0" in failed["error"].iloc[0]
    assert len(table[table["status"] == "done"]) > 30
    assert len(job_folders(root)) == 1


def _kill_job_workers(root: Path, num: int, until: float, times: int, sweep: subprocess.Popen) -> int:
    """SIGKILL the process running sweep job ``num`` (read from its staging folder) up to ``times`` times, while the
    sweep runs."""
    kills, seen = 0, set()
    while time.monotonic() < until and kills < times and sweep.poll() is None:
        for pid_file in root.glob(f".partial-*/job-{num}/job.pid"):
            try:
                pid = int(pid_file.read_text())
            except (OSError, ValueError):
                continue
            if pid not in seen:
                seen.add(pid)
                os.kill(pid, signal.SIGKILL)
                kills += 1
        time.sleep(0.02)
    return kills


@pytest.mark.parametrize("kills", [1, 99], ids=["transient", "every-time"])
def test_a_dead_worker_does_not_lose_the_sweep(tmp_path, kills):
    root = tmp_path / "dead"
    args = [sys.executable, "-m", "sim", "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    args += ["us.tariff=0,0.1,0.2,0.3", "replications=40", "plots=false", f"hydra.sweep.dir={root}"]
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = _kill_job_workers(root, 1, time.monotonic() + 120, kills, proc)
    _, err = proc.communicate(timeout=300)
    assert killed >= 1
    table = pd.read_csv(root / "sweep_results.csv", keep_default_na=False)
    status = table.drop_duplicates("job").set_index("us.tariff")["status"]
    if kills == 1:
        assert proc.returncode == 0, err
        assert (status == "done").all() and len(status) == 4
    else:
        assert proc.returncode == 1, err
        assert status.loc[0.1] == "failed" and (status.drop(0.1) == "done").all()
        assert "worker process running this job died" in table[table["status"] == "failed"]["error"].iloc[0]


def test_a_killed_sweep_resumes_to_the_same_table(basic, tmp_path):
    root = tmp_path / "killed"
    args = [sys.executable, "-m", "sim", "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", *SWEEP]
    proc = subprocess.Popen(
        [*args, f"hydra.sweep.dir={root}"],
        cwd=PROJECT_ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (root.is_dir() and job_folders(root)):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole sweep: launcher and workers, as a crash would
    proc.wait()
    assert not (root / "sweep_results.csv").exists()
    done = sweep(root, *SWEEP, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert done.returncode == 0, done.stderr
    assert (root / "sweep_results.csv").read_bytes() == (basic / "sweep_results.csv").read_bytes()
    assert "interrupted launch" in done.stdout
