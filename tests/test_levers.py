"""Lever plans: the observed history, the status quo after the present, scenario layers, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import composed

from sim.calendar import parse_month
from sim.config import LeverChange
from sim.data.seeds import CELAC_ISO3
from sim.dynamics.levers import LEVER_INDEX, build_lever_plan
from sim.errors import SimInputError

COL, PAN, BRA, CUB, MEX = (CELAC_ISO3.index(c) for c in ("COL", "PAN", "BRA", "CUB", "MEX"))


def plan_of(cfg, seeds, first: str, last: str) -> tuple[np.ndarray, int]:
    start = parse_month(first, "m")
    return build_lever_plan(cfg, seeds.panels, CELAC_ISO3, start, parse_month(last, "m")), start


def at(plan: np.ndarray, start: int, month: str, lever: str, state: int) -> float:
    return float(plan[parse_month(month, "m") - start, LEVER_INDEX[lever], state])


def test_the_observed_history_is_replayed(cfg, seeds):
    cfg.start = "2016-01"
    plan, start = plan_of(cfg, seeds, "2016-01", "2025-10")
    assert at(plan, start, "2016-06", "china.bri_offer", PAN) == 0.0  # before the BRI opened to the region
    assert at(plan, start, "2018-01", "china.bri_offer", PAN) == 1.0  # Santiago ministerial
    assert at(plan, start, "2018-06", "china.bri_offer", PAN) == pytest.approx(0.25)  # the standing offer
    assert at(plan, start, "2020-06", "us.sanctions", CUB) == 1.0  # regime-level sanctions (GSDB)
    assert at(plan, start, "2025-01", "us.tariff", COL) == 0.25  # the January 2025 threat
    assert at(plan, start, "2025-02", "us.tariff", COL) == 0.0
    assert at(plan, start, "2025-05", "us.tariff", COL) == 0.10  # the April 2025 baseline tariff
    assert at(plan, start, "2025-05", "us.tariff", MEX) == 0.10  # non-USMCA goods, effective
    assert at(plan, start, "2025-09", "us.tariff", BRA) == 0.50
    assert at(plan, start, "2025-02", "us.bri_exit_pressure", PAN) == 1.0
    assert at(plan, start, "2025-10", "us.leader_sanctions", COL) == 1.0
    assert at(plan, start, "2025-10", "us.decertification", COL) == 0.5


def test_the_status_quo_carries_on_after_the_present(cfg, seeds):
    plan, start = plan_of(cfg, seeds, "2025-11", "2030-12")
    assert at(plan, start, "2030-12", "us.leader_sanctions", COL) == 1.0
    assert at(plan, start, "2030-12", "us.tariff", BRA) == 0.50
    assert at(plan, start, "2030-12", "china.elite_diplomacy", COL) == 0.0  # Xi's pledge ends after three years
    assert at(plan, start, "2028-04", "china.elite_diplomacy", COL) == 300.0
    aid = plan[:, LEVER_INDEX["us.aid"], COL]
    assert np.all(aid == aid[0]) and 0 < aid[0] < 1  # the 2025 level, below the 2012-2021 mean


def test_scenario_values_apply_from_start_only(cfg, seeds):
    cfg.start = "2025-01"
    cfg.us.tariff = 0.25
    cfg.us.targets = {"COL": {"leader_sanctions": 0}}
    plan, start = plan_of(cfg, seeds, "2024-06", "2026-06")
    assert at(plan, start, "2024-12", "us.tariff", PAN) == 0.0
    assert at(plan, start, "2025-01", "us.tariff", PAN) == 0.25
    assert at(plan, start, "2025-11", "us.leader_sanctions", COL) == 0.0


def test_schedule_with_ramp_and_end(cfg, seeds):
    cfg.china.schedule = [
        LeverChange(lever="bri_finance", value=3.0, start="2026-01", end="2027-01", ramp_months=4, countries=["COL"])
    ]
    plan, start = plan_of(cfg, seeds, "2025-11", "2027-06")
    before = at(plan, start, "2025-12", "china.bri_finance", COL)
    ramp = [at(plan, start, f"2026-{m:02d}", "china.bri_finance", COL) for m in range(1, 6)]
    assert ramp == pytest.approx([before + (3 - before) * k / 4 for k in (1, 2, 3, 4)] + [3.0])
    assert at(plan, start, "2027-01", "china.bri_finance", COL) == pytest.approx(before)


def test_an_entry_naming_fewer_states_wins_and_equal_ones_may_not_overlap(cfg, seeds):
    cfg.us.schedule = [
        LeverChange(lever="tariff", value=0.25, start="2026-01"),
        LeverChange(lever="tariff", value=0.5, start="2026-01", countries=["BRA"]),
    ]
    plan, start = plan_of(cfg, seeds, "2025-11", "2026-06")
    assert at(plan, start, "2026-03", "us.tariff", BRA) == 0.5 and at(plan, start, "2026-03", "us.tariff", COL) == 0.25
    cfg.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-03"))
    with pytest.raises(SimInputError, match=r"us.schedule\[2\].*overlaps us.schedule\[0\]"):
        plan_of(cfg, seeds, "2025-11", "2026-06")


def test_the_command_line_wins_over_the_scenario_file(seeds):
    scenario = composed("scenario=us_max_pressure")
    pinned = composed("scenario=us_max_pressure", "us.tariff=0.05", "pinned=[us.tariff]")
    for cfg, expected in ((scenario, 0.25), (pinned, 0.05)):
        plan, start = plan_of(cfg, seeds, "2025-11", "2026-12")
        assert at(plan, start, "2026-06", "us.tariff", COL) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: setattr(c.us, "tariff", 1.5), "us.tariff"),
        (lambda c: c.us.targets.update({"XXX": {"tariff": 0.1}}), "us.targets"),
        (lambda c: c.us.targets.update({"COL": {"bri_finance": 1}}), "us.targets.COL"),
        (lambda c: c.china.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-01")), "lever"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-13")), "start"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-05", end="2026-01")), "end"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", start="2026-05")), "value"),
        (
            lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.1, start="2026-05", ramp_months=1.5)),
            "ramp",
        ),
        (lambda c: c.history.schedule.append(LeverChange(lever="us.tariff", value=0.3, start="2026-01")), "present"),
        (lambda c: c.us.schedule.append(LeverChange(lever="tariff", value=0.3, start="2024-06")), "scenario start"),
    ],
)
def test_bad_levers_give_one_line_errors(cfg, seeds, mutate, field):
    mutate(cfg)
    with pytest.raises(SimInputError) as err:
        plan_of(cfg, seeds, "2025-11", "2030-12")
    assert field in str(err.value) and "\n" not in str(err.value)
