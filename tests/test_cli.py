"""The command line: a run writes its tables; bad input gives one line, exit 2, no traceback, nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.data.seeds import default_seeds_dir
from sim.paths import PROJECT_ROOT


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    done = run_cli("replications=4", "seed=3", f"hydra.run.dir={out}", cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert f"run directory: {out}" in done.stdout
    return out


def test_run_writes_tidy_tables(run_dir):
    ts = pd.read_csv(run_dir / "timeseries.csv")
    assert {
        "replication",
        "date",
        "iso3",
        "alignment",
        "bri_member",
        "recognizes_prc",
        "gov_ideology",
        "finance_stock",
    } <= set(ts.columns)
    assert ts["replication"].nunique() == 4 and ts["iso3"].nunique() == 33
    assert ts["date"].min() == "2025-10" and ts["date"].max() == "2030-12"
    assert len(ts) == 4 * 33 * 63
    events = pd.read_csv(run_dir / "events.csv")
    assert list(events.columns) == ["replication", "date", "iso3", "event", "detail"]
    assert set(events["event"]) >= {"election", "government_change"}
    summary = json.loads((run_dir / "summary.json").read_text())
    assert len(summary["regional_mean_alignment"]["mean"]) == 63
    assert set(summary["alignment_end"]) == set(ts["iso3"])
    assert (run_dir / "config.yaml").is_file() and (run_dir / "DONE").is_file()
    run = summary["run"]
    assert run["scenario"] == "baseline" and run["seed"] == 3 and run["replications"] == 4
    assert run["dtype"] == "float64" and run["overrides"] == ["replications=4", "seed=3"] and len(run["key"]) == 64
    assert run["version"] and "commit" in run
    pd.testing.assert_frame_equal(pd.read_parquet(run_dir / "timeseries.parquet"), ts, check_dtype=False)


def test_run_draws_the_figures(run_dir):
    names = {p.name for p in (run_dir / "figures").glob("*.png")}
    assert not list(run_dir.glob("*.log")), "no empty log files"
    assert names == {
        "alignment_small_multiples.png",
        "regional_mean.png",
        "bri_members.png",
        "choropleth.png",
        "mechanisms_COL.png",
    }


def test_same_seed_same_tables(run_dir, tmp_path):
    again = tmp_path / "again"
    done = run_cli("replications=4", "seed=3", "plots=false", f"hydra.run.dir={again}", cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    for name in ("timeseries.csv", "timeseries.parquet", "events.csv", "contributions.csv", "outcomes.csv"):
        assert (again / name).read_bytes() == (run_dir / name).read_bytes(), name
    first, second = (json.loads((d / "summary.json").read_text()) for d in (run_dir, again))
    assert first.pop("run")["overrides"] != second.pop("run")["overrides"]  # plots=false was added
    assert first == second


def _broken_seeds(tmp_path: Path) -> Path:
    root = tmp_path / "broken_seeds"
    shutil.copytree(default_seeds_dir(), root)
    path = root / "panels" / "economy.csv"
    lines = path.read_text().splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if line.startswith("COL,2020,gdp_usd_bn,"))
    fields = lines[k].split(",")
    fields[3] = "-5"
    lines[k] = ",".join(fields)
    path.write_text("".join(lines))
    return root


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scenario=nonexistent"], "scenario: got 'nonexistent'; expected one of"),
        (["replicatons=5"], "unknown key"),
        (["replications=many"], "replications"),
        (["us.tariff=0.25", "params.w_coercion=7"], "params.w_coercion"),
        (["us.tariff=2"], "us.tariff"),
        (["start=2025-13"], "start: got '2025-13'; expected a month as YYYY-MM"),
        (["start=2027-01", "end=2026-01"], "end: got '2026-01'; expected a month not before start"),
        (["replications=0"], "replications: got 0"),
        (["start=1990-06"], "the data start in 1990"),
        (["focus=XYZ"], "focus"),
        (["us.nonsense=1"], "unknown key"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, expected):
    out = tmp_path / "out"
    done = run_cli(*args, f"hydra.run.dir={out}", cwd=PROJECT_ROOT)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_broken_seeds_table_is_reported(tmp_path):
    out = tmp_path / "out"
    done = run_cli(f"seeds_dir={_broken_seeds(tmp_path)}", f"hydra.run.dir={out}", cwd=PROJECT_ROOT)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "economy.csv row" in done.stderr and "gdp_usd_bn" in done.stderr
    assert not out.exists()


def test_per_state_lever_override_without_plus(tmp_path):
    out = tmp_path / "targets"
    done = run_cli(
        "us.targets.COL.tariff=0.3", "replications=2", "plots=false", f"hydra.run.dir={out}", cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "tariff: 0.3" in (out / "config.yaml").read_text()


def test_sweep_with_an_unknown_key_is_refused_before_any_job_runs(tmp_path):
    done = run_cli("-m", "us.tarif=0,0.1", "replications=2", f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=PROJECT_ROOT)
    assert done.returncode == 2 and "us.tarif" in done.stderr and "unknown key" in done.stderr
    assert not (tmp_path / "sweep").exists()


def test_a_what_if_on_a_calibration_figure_is_recorded_as_a_user_override(tmp_path):
    out = tmp_path / "whatif"
    done = run_cli(
        "seeds.COL.export_share_cn=0.3", "replications=2", "plots=false", f"hydra.run.dir={out}", cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
    run = json.loads((out / "summary.json").read_text())["run"]
    assert run["data_overrides"] == [
        {"iso3": "COL", "variable": "export_share_cn", "value": 0.3, "source": "user override (command line)"}
    ]
