"""The scenario library: every scenario is documented, composes, runs, and its levers do what its header says."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import composed

from sim.calendar import parse_month
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.world import build_world
from sim.engine import simulate
from sim.paths import CONF_DIR
from sim.scenarios import scenarios

NAMES = sorted(scenarios())


def test_library_has_the_scenarios_the_issue_names():
    assert len(NAMES) >= 9
    assert {
        "baseline",
        "history",
        "us_max_pressure",
        "us_reengagement",
        "china_charm_offensive",
        "china_retrenchment",
        "panama_playbook",
        "colombia_right_turn",
        "middle_power_hedging",
    } <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_is_documented_and_runs(name, seeds):
    header = (CONF_DIR / "scenario" / f"{name}.yaml").read_text()
    for part in ("# Question:", "# Rests on:", "# Levers set:"):
        assert part in header, f"{name}: header lacks {part!r}"
    assert "seed 0" in header, f"{name}: the header must cite a seed document"
    cfg = composed(f"scenario={name}")
    assert cfg.scenario_name == name and cfg.question
    world = build_world(seeds, cfg)
    traj = simulate(world, cfg.params, 1, 3)
    assert np.isfinite(traj.states["alignment"]).all()
    assert parse_month(cfg.start, "start") <= parse_month(cfg.history.present, "present") + 1  # no skipped months


def _lever(cfg, seeds, lever: str, month: str, code: str) -> float:
    world = build_world(seeds, cfg)
    return float(world.plan[parse_month(month, "m") - world.start, LEVER_INDEX[lever], world.iso3.index(code)])


def test_scenario_levers_take_effect(seeds):
    pressure = composed("scenario=us_max_pressure")
    assert _lever(pressure, seeds, "us.tariff", "2026-06", "PER") == 0.25
    assert _lever(pressure, seeds, "us.tariff", "2026-06", "BRA") == 0.5
    assert _lever(pressure, seeds, "us.decertification", "2026-06", "COL") == 1.0
    panama = composed("scenario=panama_playbook")
    assert _lever(panama, seeds, "us.bri_exit_pressure", "2027-01", "PER") == 1.0
    charm = composed("scenario=china_charm_offensive")
    assert _lever(charm, seeds, "china.bri_offer", "2028-05", "BRA") == 1.0
    assert _lever(charm, seeds, "china.bri_offer", "2028-06", "BRA") == pytest.approx(0.25)


def test_colombia_right_turn_seats_a_right_wing_government(seeds):
    cfg = composed("scenario=colombia_right_turn")
    world = build_world(seeds, cfg)
    traj = simulate(world, cfg.params, 3, 30)
    col = world.iso3.index("COL")
    election = np.flatnonzero(traj.events["election"][:, 0, col])[0]
    takes_office = election + world.lag_months[col]  # the winner takes office after the inauguration lag
    assert traj.events["government_change"][takes_office, :, col].all()  # Petro's camp (left) loses in every run
    assert traj.states["ideology"][takes_office + 1, :, col] == pytest.approx(0.6)
    assert traj.states["ideology"][takes_office, :, col] == pytest.approx(-0.7)  # Petro governs until then


def test_reactions_follow_drift(seeds):
    cfg = composed("scenario=tit_for_tat")
    world = build_world(seeds, cfg)
    from sim.dynamics.strategies import respond
    from sim.dynamics.update import initial_state

    s = initial_state(world, cfg.params, 2)
    s.start_alignment = s.alignment.copy()
    s.alignment[1] += 0.2  # run 1 drifts toward China everywhere
    t = 1
    lv = respond(world.plan[t], s, world, t)
    tariff, finance = LEVER_INDEX["us.tariff"], LEVER_INDEX["china.bri_finance"]
    np.testing.assert_allclose(lv[0, tariff], world.plan[t, tariff])
    np.testing.assert_allclose(lv[1, tariff], np.minimum(world.plan[t, tariff] + 0.15, 1.0))
    np.testing.assert_allclose(lv[1, finance], np.minimum(world.plan[t, finance] * 2.0, 10.0))


def test_election_what_if_must_fall_inside_the_run(seeds):
    from sim.errors import SimInputError

    cfg = composed("scenario=colombia_right_turn", "end=2026-01")
    with pytest.raises(SimInputError, match=r"elections\.COL"):
        build_world(seeds, cfg)


def test_reactions_never_act_on_the_observed_history(seeds):
    cfg = composed("scenario=history", "us.reaction.enabled=true", "us.reaction.drift=0.0")
    world = build_world(seeds, cfg)
    from sim.dynamics.strategies import respond
    from sim.dynamics.update import initial_state

    s = initial_state(world, cfg.params, 1)
    s.alignment += 0.5
    for t in (0, world.n_months - 1):
        planned = world.plan[t]
        assert respond(planned, s, world, t) is planned
