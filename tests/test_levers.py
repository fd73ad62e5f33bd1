"""Lever plans: history, carry-on, scenario values, targets, schedules, and their errors."""

from __future__ import annotations

import pytest

from sim.calendar import parse_month
from sim.config import LeverChange
from sim.data.seeds import CELAC_ISO3
from sim.dynamics.levers import LEVER_INDEX, build_lever_plan
from sim.errors import SimInputError

COL = CELAC_ISO3.index("COL")
PAN = CELAC_ISO3.index("PAN")
BRA = CELAC_ISO3.index("BRA")


def at(cfg, plan, month: str, lever: str, state: int) -> float:
    return float(plan[parse_month(month, "m") - parse_month(cfg.history.anchor, "a"), LEVER_INDEX[lever], state])


def test_history_is_replayed_and_carried_on(cfg):
    plan = build_lever_plan(cfg, CELAC_ISO3)
    assert at(cfg, plan, "2024-06", "us.tariff", COL) == 0.0
    assert at(cfg, plan, "2025-01", "us.tariff", COL) == 0.25  # the January 2025 threat
    assert at(cfg, plan, "2025-02", "us.tariff", COL) == 0.0
    assert at(cfg, plan, "2025-05", "us.tariff", COL) == 0.10  # the April 2025 baseline tariff
    assert at(cfg, plan, "2025-10", "us.leader_sanctions", COL) == 1.0
    assert at(cfg, plan, "2030-12", "us.leader_sanctions", COL) == 1.0  # carried on (null in baseline)
    assert at(cfg, plan, "2030-12", "us.tariff", BRA) == 0.50
    assert at(cfg, plan, "2025-05", "china.bri_offer", PAN) == 1.0  # China-CELAC forum
    assert at(cfg, plan, "2025-06", "china.bri_offer", PAN) == 0.2


def test_scenario_values_apply_from_start_only(cfg):
    cfg.us.tariff = 0.25
    cfg.us.targets = {"COL": {"leader_sanctions": 0}}
    plan = build_lever_plan(cfg, CELAC_ISO3)
    assert at(cfg, plan, "2025-10", "us.tariff", PAN) == 0.10
    assert at(cfg, plan, "2025-11", "us.tariff", PAN) == 0.25
    assert at(cfg, plan, "2025-11", "us.tariff", BRA) == 0.25
    assert at(cfg, plan, "2025-11", "us.leader_sanctions", COL) == 0.0


def test_schedule_with_ramp_and_end(cfg):
    cfg.china.schedule = [
        LeverChange(lever="bri_finance", value=3.0, start="2026-01", end="2027-01", ramp_months=4, countries=["COL"])
    ]
    plan = build_lever_plan(cfg, CELAC_ISO3)
    ramp = [at(cfg, plan, f"2026-{m:02d}", "china.bri_finance", COL) for m in range(1, 6)]
    assert ramp == pytest.approx([1.5, 2.0, 2.5, 3.0, 3.0])
    assert at(cfg, plan, "2027-01", "china.bri_finance", COL) == 1.0
    assert at(cfg, plan, "2026-06", "china.bri_finance", PAN) == 1.0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: setattr(c.us, "tariff", 1.5), "us.tariff"),
        (lambda c: c.us.targets.update({"XXX": {"tariff": 0.1}}), "us.targets"),
        (lambda c: c.us.targets.update({"COL": {"bri_finance": 1}}), "us.targets.COL"),
        (lambda c: c.china.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-01")), "lever"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-13")), "start"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-05", end="2026-01")), "end"),
        (
            lambda c: c.history.schedule.append(LeverChange(lever="us.tariff", value=0.3, start="2026-01")),
            "no look-ahead",
        ),
    ],
)
def test_bad_levers_give_one_line_errors(cfg, mutate, field):
    mutate(cfg)
    with pytest.raises(SimInputError) as err:
        build_lever_plan(cfg, CELAC_ISO3)
    assert field in str(err.value) and "\n" not in str(err.value)


def test_scenario_schedules_cannot_rewrite_the_history(cfg):
    cfg.us.schedule = [LeverChange(lever="tariff", value=0.3, start="2024-06")]
    with pytest.raises(
        SimInputError, match=r"us.schedule\[0\].start: got '2024-06'; expected a month from the scenario"
    ):
        build_lever_plan(cfg, CELAC_ISO3)
