"""``python -m sim.plot``: a run folder's figures redrawn from its tables alone (focus states in any case, the
footer from summary.json); sweeps as before; bad input is one line and exit status 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_run

from sim import plot
from sim.paths import PROJECT_ROOT
from sim.reporting import figures, sweep_figures
from sim.reporting.tables import footer_of, read_summary

RUN_FIGURES = {"alignment_small_multiples.png", "regional_mean.png", "bri_members.png", "choropleth.png"}


@pytest.fixture(scope="module")
def tables_only(tmp_path_factory) -> Path:
    """A run folder without figures (plots=false), focus BRA."""
    return make_run(
        tmp_path_factory.mktemp("plot") / "run", "replications=3", "end=2026-06", "plots=false", "focus=BRA", "seed=4"
    )


@pytest.fixture
def run(tables_only, tmp_path) -> Path:
    """A private copy of the run folder (tests draw into it)."""
    return Path(shutil.copytree(tables_only, tmp_path / "run"))


@pytest.fixture
def footers(monkeypatch) -> dict[str, list[str]]:
    """File name -> footer texts of every run figure saved (read from the Figure before it is written)."""
    seen: dict[str, list[str]] = {}
    save = figures._save

    def spy(fig, path, dpi):
        seen[Path(path).name] = [t.get_text() for t in fig.texts if t.get_gid() == figures.FOOTER_GID]
        return save(fig, path, dpi)

    monkeypatch.setattr(figures, "_save", spy)
    return seen


def test_redraws_a_run_with_several_focus_states_in_any_case(run, footers, capsys):
    assert not (run / "figures").exists()
    assert plot.main([str(run), "--focus", "col, Bra,col"]) == 0
    expected = RUN_FIGURES | {"mechanisms_COL.png", "mechanisms_BRA.png"}
    assert {p.name for p in (run / "figures").iterdir()} == expected
    assert set(footers) == expected
    footer = footer_of(read_summary(run)["run"])
    assert footer == "scenario baseline \u00b7 end=2026-06 \u00b7 focus=BRA \u00b7 3 replications \u00b7 seed 4"
    assert all(texts == [footer] for texts in footers.values()), footers
    assert len(capsys.readouterr().out.splitlines()) == len(expected)


@pytest.fixture
def drawn(monkeypatch) -> list[dict]:
    """The arguments of every plot_all call (nothing is drawn)."""
    calls: list[dict] = []
    monkeypatch.setattr(figures, "plot_all", lambda ts, contrib, out, **kw: calls.append(kw | {"ts": ts}) or [])
    return calls


def test_default_focus_is_the_runs_own(run, drawn):
    assert plot.main([str(run), "--view", "gross"]) == 0
    assert drawn[0]["focus"] == ["BRA"] and drawn[0]["view"] == "gross"


def test_reads_the_csv_timeseries_when_there_is_no_parquet(run, drawn):
    (run / "timeseries.parquet").unlink()
    assert plot.main([str(run), "--focus", "pan"]) == 0
    assert drawn[0]["focus"] == ["PAN"] and len(drawn[0]["ts"]) == 3 * 33 * 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "COL,XYZ"], "error: --focus: got 'XYZ'; expected ISO3 codes of the run's states"),
        (["--focus", ","], "error: --focus: got ','; expected ISO3 codes separated by commas"),
    ],
)
def test_unknown_states_are_one_line_and_draw_nothing(run, args, message, capsys):
    assert plot.main([str(run), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert not (run / "figures").exists()


def test_neither_a_run_nor_a_sweep_folder(tmp_path):
    (tmp_path / "summary.json").write_text("{}")  # a summary alone is not a run folder
    done = subprocess.run(
        [sys.executable, "-m", "sim.plot", str(tmp_path)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: folder: got ") and done.stderr.count("\n") == 1
    assert "expected a run folder" in done.stderr


def test_a_sweep_folder_still_draws_the_sweep(tmp_path, monkeypatch, capsys):
    (tmp_path / "sweep_results.csv").write_text("job,scenario,us.tariff,status,outcome,mean,p05,p95,error\n")
    calls = []
    monkeypatch.setattr(sweep_figures, "plot_sweep", lambda table, out: calls.append((list(table.columns), out)) or [])
    assert plot.main([str(tmp_path)]) == 0
    assert calls == [
        (["job", "scenario", "us.tariff", "status", "outcome", "mean", "p05", "p95", "error"], tmp_path / "figures")
    ]
    assert plot.main([str(tmp_path), "--focus", "COL"]) == 2
    assert "applies to a run folder" in capsys.readouterr().err
