"""The run folder's tables: event probabilities per state, event and year; the direction of recognition switches;
a data dictionary describing every column of every table; timeseries columns that follow the recorded fields."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import make_run

from sim.engine import RECORDED, Trajectory
from sim.reporting import tables

OVERRIDES = ["replications=6", "end=2026-12", "plots=false"]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    return make_run(tmp_path_factory.mktemp("tables") / "run", *OVERRIDES)


def test_event_probabilities_per_state_event_and_year(run):
    table = pd.read_csv(run / "event_probabilities.csv", dtype={"period": str})
    assert list(table.columns) == ["iso3", "event", "period", "probability", "replications"]
    ts = pd.read_parquet(run / "timeseries.parquet", columns=["replication", "date", "iso3"])
    months = sorted(ts["date"].unique())[1:]  # the first row is the state before the start
    years = sorted({m[:4] for m in months})
    assert years == ["2025", "2026"]
    kinds = list(dict.fromkeys(table["event"]))
    assert set(kinds) >= {"bri_join", "bri_exit", "recognition_switch", "election", "government_change"}
    assert len(table) == ts["iso3"].nunique() * len(kinds) * (len(years) + 1)
    assert (table["replications"] == 6).all()
    # independent recount from events.csv: share of replications with at least one event in the period
    events = pd.read_csv(run / "events.csv", dtype={"date": str})
    events["year"] = events["date"].str[:4]
    got = table.set_index(["iso3", "event", "period"])["probability"]
    for (code, kind, period), p in got.items():
        hits = events[(events["iso3"] == code) & (events["event"] == kind)]
        if period != "horizon":
            hits = hits[hits["year"] == period]
        assert p == pytest.approx(hits["replication"].nunique() / 6, abs=1e-6), (code, kind, period)
    assert (got > 0).sum() > 10, "the run has events to count"
    summary = json.loads((run / "summary.json").read_text())["event_probability"]
    for code, by_kind in summary.items():
        for kind, p in by_kind.items():
            assert got[(code, kind, "horizon")] == pytest.approx(p, abs=1e-4)
            assert all(got[(code, kind, y)] <= got[(code, kind, "horizon")] for y in years)


def test_recognition_switches_say_their_direction():
    """Built from the recognition recorded before the month: a state recognising Beijing can only switch to Taipei."""
    months, runs, states = 4, 2, 2
    prc = np.zeros((months, runs, states), dtype=bool)
    prc[:, :, 1] = True  # state BBB recognises Beijing, AAA Taipei
    prc[2:, 0, 0] = True  # run 0: AAA switches to Beijing in 2025-03 (event offset 1) ...
    prc[3:, 0, 1] = False  # ... and BBB to Taipei in 2025-04 (event offset 2)
    switch = np.zeros((months - 1, runs, states), dtype=bool)
    switch[1, 0, 0] = switch[2, 0, 1] = True
    traj = Trajectory(
        months=np.arange(24300, 24300 + months),  # 2025-01 (the state before the start) .. 2025-04
        states={"alignment": np.zeros((months, runs, states)), "prc": prc},
        contributions=np.zeros((months - 1, 0, runs, states)),
        events={"recognition_switch": switch, "election": switch},
        changes={},
        runs=np.array([0, 1]),
    )
    events = tables.events_table(traj, SimpleNamespace(iso3=("AAA", "BBB")))  # type: ignore[arg-type]
    got = events[events["event"] == "recognition_switch"][["date", "iso3", "detail"]].values.tolist()
    assert got == [["2025-03", "AAA", "to Beijing"], ["2025-04", "BBB", "to Taipei"]]
    assert set(events.loc[events["event"] == "election", "detail"]) == {""}


def test_recognition_switches_in_a_run_match_its_timeseries(run):
    events = pd.read_csv(run / "events.csv", dtype={"date": str}, keep_default_na=False)
    switches = events[events["event"] == "recognition_switch"]
    assert set(switches["detail"]) <= {"to Beijing", "to Taipei"}
    ts = pd.read_parquet(run / "timeseries.parquet", columns=["replication", "date", "iso3", "recognizes_prc"])
    prc = ts.set_index(["replication", "date", "iso3"])["recognizes_prc"]
    for row in switches.itertuples():
        before = (pd.Period(row.date, freq="M") - 1).strftime("%Y-%m")
        assert (prc[(row.replication, before, row.iso3)] == 0) == (row.detail == "to Beijing"), row


def _columns(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return list(pd.read_parquet(path).columns)
    return list(pd.read_csv(path, nrows=0).columns)


def test_data_dictionary_describes_every_column_of_every_table(run):
    dictionary = pd.read_csv(run / "data_dictionary.csv", keep_default_na=False)
    assert list(dictionary.columns) == ["table", "column", "label", "unit", "meaning"]
    written = sorted(p for p in run.iterdir() if p.suffix in (".csv", ".parquet"))
    assert {p.name for p in written} >= {
        "timeseries.csv",
        "timeseries.parquet",
        "events.csv",
        "contributions.csv",
        "outcomes.csv",
        "event_probabilities.csv",
        "data_dictionary.csv",
    }
    described = set(zip(dictionary["table"], dictionary["column"], strict=True))
    for path in written:
        for column in _columns(path):
            assert (path.stem, column) in described, f"{path.name}: column {column!r} has no dictionary row"
    for path, column in (("contributions.csv", "term"), ("events.csv", "event"), ("outcomes.csv", "outcome")):
        for value in pd.read_csv(run / path, usecols=[column])[column].unique():
            assert (Path(path).stem, f"{column}={value}") in described, (path, value)
    assert tables.undescribed(dictionary) == [], "every column and name is described by sim.reporting.labels"
    assert (dictionary["label"] != "").all() and (dictionary["meaning"] != "").all()
    period = dictionary[(dictionary["table"] == "event_probabilities") & (dictionary["column"] == "period")]
    assert "horizon" in period["meaning"].iloc[0]


def test_a_column_without_a_label_is_reported(tmp_path):
    pd.DataFrame({"iso3": ["COL"], "alignment": [0.1], "frobnication_index": [2.0]}).to_csv(
        tmp_path / "extra.csv", index=False
    )
    dictionary = tables.dictionary_table(tmp_path)
    assert tables.undescribed(dictionary) == ["extra.frobnication_index"]
    assert tables.undescribed(tables.dictionary_table(tmp_path, {"frobnication_index": ("F", "", "f")})) == []


def test_timeseries_has_one_column_per_recorded_field(run):
    columns = _columns(run / "timeseries.parquet")
    assert columns == ["replication", "date", "iso3", *(tables.COLUMN_NAMES.get(f, f) for f in RECORDED)]
    assert {"alignment", "bri_member", "recognizes_prc"} <= set(columns)
