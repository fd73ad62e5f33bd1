"""Tests for sim.reporting.labels: one human label, unit and meaning for every name a figure or table shows."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from sim.config import LEVER_DOCS, Params
from sim.dynamics.alignment import TERMS
from sim.reporting import labels

SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
TIMESERIES_COLUMNS = [
    "replication",
    "date",
    "iso3",
    "alignment",
    "bri_member",
    "recognizes_prc",
    "gov_ideology",
    "elite_attitude",
    "finance_stock",
    "aid_stock",
    "export_us",
    "export_cn",
]


def test_alignment_label_unit_and_meaning() -> None:
    assert labels.label("alignment") == "Alignment"
    assert labels.label_with_unit("alignment") == "Alignment (\u22121 US \u2026 +1 China side)"
    meaning = labels.describe("alignment")
    assert "US" in meaning and "China" in meaning and "[\u22121, +1]" in meaning


@pytest.mark.parametrize("name", TIMESERIES_COLUMNS)
def test_every_timeseries_column_is_described(name: str) -> None:
    e = labels.entry(name, "column")
    assert e.known, name
    assert not SNAKE.search(e.label), e.label
    assert e.unit, f"{name} has no unit"
    assert len(e.meaning) > 20


@pytest.mark.parametrize("name", ["gov_ideology", "elite_attitude", "finance_stock", "aid_stock", "export_us"])
def test_state_columns_state_range_or_sign(name: str) -> None:
    """The issue: these were explained only in the ODD; each meaning now gives a range or a sign convention."""
    meaning = labels.entry(name, "column").meaning
    assert "range" in meaning or "\u2265 0" in meaning, meaning
    assert any(w in meaning for w in ("US", "China", "left", "right", "approving", "%")), meaning


def test_regional_quantities() -> None:
    assert labels.label("regional_mean_alignment") == "Regional mean alignment"
    assert labels.unit("bri_members") == "number of states"
    assert "whole number" in labels.describe("bri_members")


@pytest.mark.parametrize("term", [*TERMS, "brand_new_mechanism", "x"])
def test_every_mechanism_gets_a_readable_label(term: str) -> None:
    """Whatever TERMS holds today or tomorrow: a label without snake_case and a one-line meaning."""
    text = labels.label(term, "mechanism")
    assert text and not SNAKE.search(text), text
    assert text[0].isupper()
    assert labels.describe(term, "mechanism")


def test_known_mechanisms_say_their_direction() -> None:
    for term in labels.MECHANISMS:
        e = labels.entry(term, "mechanism")
        assert e.unit == "alignment units per month"
        assert "+ toward China" in e.meaning


def test_security_column_and_mechanism_are_distinct() -> None:
    assert labels.label("finance_stock") == "Chinese finance stock"
    assert labels.entry("security", "mechanism").unit == "alignment units per month"


@pytest.mark.parametrize("lever", sorted(LEVER_DOCS))
def test_levers_come_from_lever_docs(lever: str) -> None:
    unit, lo, hi, meaning = LEVER_DOCS[lever]
    e = labels.entry(lever)
    assert e.known and e.unit == unit
    assert meaning in e.meaning
    assert f"range [{lo:g}, {hi:g}]".replace("-", "\u2212") in e.meaning
    assert not SNAKE.search(e.label) and e.label.split()[0] in ("US", "China")


def test_per_state_lever_target() -> None:
    assert labels.label("us.targets.COL.tariff") == "US tariff on Colombia"
    assert labels.unit("us.targets.COL.tariff") == LEVER_DOCS["us.tariff"][0]


@pytest.mark.parametrize("field", [f.name for f in fields(Params)])
def test_parameters_come_from_params_metadata(field: str) -> None:
    meta = next(f.metadata for f in fields(Params) if f.name == field)
    for name in (field, f"params.{field}"):
        e = labels.entry(name)
        assert e.known, name
        assert e.unit == meta["unit"]
        assert meta["doc"] in e.meaning
        assert not SNAKE.search(e.label), e.label


def test_sweep_outcomes_and_keys() -> None:
    assert labels.label("regional_mean_alignment_end") == "Regional mean alignment at the end"
    assert labels.label("alignment_end:COL") == "Alignment of Colombia at the end"
    assert labels.label("scenario") == "Scenario"
    assert labels.value_text("us.tariff", "0.25") == "US tariff = 0.25"
    assert labels.value_text("scenario", "us_max_pressure") == "Scenario = US max pressure"


def test_unknown_names_fall_back_to_words() -> None:
    e = labels.entry("some_new_quantity")
    assert not e.known and e.label == "Some new quantity"
    assert labels.label("w_new_thing") == "New thing weight"
    assert labels.humanise("us.bri_exit_pressure") == "US BRI exit pressure"
    assert labels.humanise("lockin_pct_gdp") == "Lock-in % GDP"


def test_data_dictionary_rows() -> None:
    rows = labels.data_dictionary(TIMESERIES_COLUMNS)
    assert [r["name"] for r in rows] == TIMESERIES_COLUMNS
    assert all(set(r) == {"name", "label", "unit", "meaning"} for r in rows)


def test_run_footer() -> None:
    text = labels.run_footer("us_max_pressure", ["us.tariff=0.25"], 50, 20251031)
    assert text == "scenario us_max_pressure \u00b7 us.tariff=0.25 \u00b7 50 replications \u00b7 seed 20251031"
    assert (
        labels.run_footer("baseline", {"end": "2026-12"}, 1)
        == "scenario baseline \u00b7 end=2026-12 \u00b7 1 replication"
    )
    assert labels.run_footer() == ""
