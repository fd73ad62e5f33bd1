"""``python -m sim.compare``: runs and sweep jobs compared over their common window — paired differences B − A,
event probabilities side by side, overlaid figures — written to a new folder; bad input is one line, exit 2."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_run
from matplotlib.collections import PolyCollection

from sim import compare
from sim.paths import PROJECT_ROOT
from sim.reporting import compare_figures, figures
from sim.reporting.tables import read_timeseries, undescribed

SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
SHORT = ("replications=4", "end=2026-06", "plots=false")


def _shifted_copy(folder: Path, out: Path, years: int) -> Path:
    """A copy of a run folder whose timeseries dates are ``years`` later (a run over another period)."""
    shutil.copytree(folder, out)
    ts = read_timeseries(out)
    ts["date"] = [f"{int(d[:4]) + years}{d[4:]}" for d in ts["date"]]
    ts.to_parquet(out / "timeseries.parquet", index=False)
    ts.to_csv(out / "timeseries.csv", index=False)
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("compare")
    sweep = root / "sweep"
    out = {
        "a": make_run(root / "a", *SHORT),
        "b": make_run(root / "b", *SHORT, "us.tariff=0.5"),
        "c": make_run(root / "c", "replications=3", "end=2026-09", "plots=false", "seed=9"),
        "sweep": sweep,
    }
    out["late"] = _shifted_copy(out["a"], root / "late", years=2)
    for value in ("0.5", "3"):  # a sweep folder: one finished run folder per job
        make_run(sweep / f"china.bri_finance={value}-0000000{value[0]}", *SHORT, f"china.bri_finance={value}")
    (sweep / ".sim-sweep").write_text("")
    return out


@pytest.fixture(scope="module")
def result(folders, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compared") / "out"
    code = compare.main([str(folders["a"]), str(folders["b"]), str(folders["c"]), "--out", str(out), "--focus", "col"])
    assert code == 0
    return out


def test_writes_the_tables_and_figures_into_a_new_folder(result):
    assert sorted(p.name for p in result.iterdir()) == [
        "data_dictionary.csv",
        "differences.csv",
        "event_probabilities.csv",
        "figures",
        "runs.csv",
    ]
    assert sorted(p.name for p in (result / "figures").iterdir()) == ["focus_states.png", "regional.png", "states.png"]
    assert not list(result.parent.glob(".*partial*")), "the staging folder was renamed into place"
    assert undescribed(pd.read_csv(result / "data_dictionary.csv", keep_default_na=False)) == []


def test_runs_are_named_by_scenario_and_the_overrides_that_differ(result):
    runs = pd.read_csv(result / "runs.csv")
    assert runs["run"].tolist() == [
        "baseline \u00b7 end=2026-06 \u00b7 replications=4",
        "baseline \u00b7 end=2026-06 \u00b7 replications=4 \u00b7 us.tariff=0.5",
        "baseline \u00b7 end=2026-09 \u00b7 replications=3 \u00b7 seed=9",
    ]
    assert runs[["first_month", "last_month"]].values.tolist() == [
        ["2025-10", "2026-06"],
        ["2025-10", "2026-06"],
        ["2025-10", "2026-09"],
    ]


def _regional(folder: Path, date: str) -> pd.Series:
    ts = read_timeseries(folder)
    return ts[ts["date"] == date].groupby("replication")["alignment"].mean()


def test_differences_are_paired_b_minus_a_over_the_common_window(result, folders):
    table = pd.read_csv(result / "differences.csv")
    states = read_timeseries(folders["a"])["iso3"].nunique()
    assert len(table) == 2 * (3 + states)
    assert set(table["from_month"]) == {"2025-10"} and set(table["to_month"]) == {"2026-06"}
    rows = table.set_index(["run_b", "outcome"])
    a_end, b_end = _regional(folders["a"], "2026-06"), _regional(folders["b"], "2026-06")
    d = (b_end - a_end).to_numpy()
    row = rows.loc[
        ("baseline \u00b7 end=2026-06 \u00b7 replications=4 \u00b7 us.tariff=0.5", "regional_mean_alignment_end")
    ]
    assert row["mean_difference"] == pytest.approx(d.mean(), abs=1e-6)
    assert [row["p05"], row["p95"]] == pytest.approx(list(np.quantile(d, [0.05, 0.95])), abs=1e-6)
    assert row["share_b_greater"] == pytest.approx(np.mean(d > 0)) and row["pairs"] == 4
    assert "common random numbers" in row["pairing"]
    outcomes = pd.read_csv(folders["a"] / "outcomes.csv").set_index("outcome")["mean"]  # from unrounded states
    b_name = row.name[0]
    for outcome in ("regional_mean_alignment_end", "regional_mean_alignment_change", "alignment_end:COL"):
        # the window is A's own: A's means are its outcomes.csv means (timeseries values carry 5 decimals)
        assert rows.loc[(b_name, outcome), "mean_a"] == pytest.approx(outcomes[outcome], abs=1e-5), outcome
    # C: another seed, 3 replications, longer: compared at 2026-06 over the 3 common replication indices
    c = rows.loc[("baseline \u00b7 end=2026-09 \u00b7 replications=3 \u00b7 seed=9", "regional_mean_alignment_change")]
    c_change = _regional(folders["c"], "2026-06") - _regional(folders["c"], "2025-10")
    a_change = _regional(folders["a"], "2026-06") - _regional(folders["a"], "2025-10")
    assert c["pairs"] == 3 and c["mean_b"] == pytest.approx(c_change.mean(), abs=1e-6)
    assert c["mean_difference"] == pytest.approx((c_change - a_change.loc[[0, 1, 2]]).mean(), abs=1e-6)
    assert "seeds differ" in c["pairing"] and "not common random numbers" in c["pairing"]


def test_event_probabilities_side_by_side(result, folders):
    table = pd.read_csv(result / "event_probabilities.csv")
    names = pd.read_csv(result / "runs.csv")["run"].tolist()
    assert list(table.columns) == ["iso3", "event", *names]
    own = pd.read_csv(folders["a"] / "event_probabilities.csv", dtype={"period": str})
    horizon = own[own["period"] == "horizon"].set_index(["iso3", "event"])["probability"]
    mine = table.set_index(["iso3", "event"])
    pd.testing.assert_series_equal(mine[names[0]], horizon, check_names=False)
    # run C is longer: only its events up to the common end (2026-06) count
    events = pd.read_csv(folders["c"] / "events.csv", dtype={"date": str})
    events = events[events["date"] <= "2026-06"]
    expected = events.groupby(["iso3", "event"])["replication"].nunique() / 3
    got = mine[names[2]]
    assert got[got > 0].round(6).to_dict() == expected.round(6).to_dict()


def test_a_sweep_folder_contributes_each_job(folders):
    runs = compare.collect_runs([folders["a"], folders["sweep"]])
    assert [r.name for r in runs] == [
        "baseline",
        "baseline \u00b7 china.bri_finance=0.5",
        "baseline \u00b7 china.bri_finance=3",
    ]
    assert all(r.folder.parent == folders["sweep"] for r in runs[1:])


def test_regional_figure_overlays_every_run(folders):
    runs = compare.collect_runs([folders["a"], folders["b"], folders["c"]])
    fig = compare_figures.make_regional({r.name: r.series for r in runs}, footer="FOOT")
    for label in ("regional_mean_alignment", "bri_members"):
        ax = next(a for a in fig.axes if a.get_label() == label)
        lines = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith(compare_figures.RUN_GID)]
        assert [ln.get_label() for ln in lines] == [r.name for r in runs]
        assert len({ln.get_color() for ln in lines}) == 3, "one colour per run"
        assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 3, "one band per run"
        assert not SNAKE.search(ax.get_ylabel()) and ax.get_ylabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == [r.name for r in runs] and "5\u201395% of replications" in legend
    assert [t.get_text() for t in fig.texts if t.get_gid() == figures.FOOTER_GID] == ["FOOT"]


def test_state_panels_band_the_focus_states_only(folders):
    runs = compare.collect_runs([folders["a"], folders["b"]])
    series = {r.name: r.series for r in runs}
    fig = compare_figures.make_states(series, ["COL", "BRA"])
    panels = {a.get_label().split(":")[1]: a for a in fig.axes if a.get_label().startswith("state:")}
    assert len(panels) == read_timeseries(folders["a"])["iso3"].nunique()
    for code, ax in panels.items():
        bands = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid()]
        assert len(bands) == (2 if code in ("COL", "BRA") else 0), code
        assert len([ln for ln in ax.get_lines() if ln.get_gid()]) == 2, code
    focus = compare_figures.make_focus(series, ["COL"])
    (ax,) = [a for a in focus.axes if a.get_label() == "state:COL"]
    low, high = ax.get_ylim()
    assert high - low < 2, "the focus panels zoom to the data"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("disjoint", "expected runs whose date ranges overlap"),
        ("focus", "--focus: got 'XYZ'"),
        ("one run", "expected at least two runs"),
        ("not a run", "expected a run folder"),
        ("out not empty", "--out: got"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(case, message, folders, tmp_path, capsys):
    out = tmp_path / "out"
    args = {
        "disjoint": [folders["a"], folders["late"]],
        "focus": [folders["a"], folders["b"], "--focus", "col,XYZ"],
        "one run": [folders["a"]],
        "not a run": [folders["a"], tmp_path],
        "out not empty": [folders["a"], folders["b"]],
    }[case]
    if case == "out not empty":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    assert compare.main([*map(str, args), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out"] if case == "out not empty" else [])
    if case == "out not empty":
        assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_default_output_folder_and_the_module_entry_point(folders, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sim.compare", str(folders["a"]), str(folders["b"]), "--no-plots"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    (made,) = (tmp_path / "outputs" / "compare").iterdir()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}", made.name)
    assert done.stdout.strip() == f"comparison: {Path('outputs') / 'compare' / made.name}"
    assert (made / "differences.csv").is_file() and not (made / "figures").exists()
