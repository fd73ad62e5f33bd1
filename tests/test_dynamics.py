"""The update function: contributions add up, each mechanism does what its docstring says, events follow the rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.config import Params
from sim.dynamics import alignment as mech
from sim.dynamics import drivers, institutions, politics
from sim.dynamics.alignment import TERMS
from sim.dynamics.rng import Counters, run_key, run_keys
from sim.dynamics.update import DRAWS, cast_params, initial_state, step
from sim.engine import simulate


def test_contributions_sum_exactly_to_the_change(baseline_world, baseline_cfg):
    traj = simulate(baseline_world, baseline_cfg.params, 5, 4)
    a = traj.states["alignment"]
    change = a[1:] - a[:-1]  # (months, runs, states)
    total = traj.contributions.sum(axis=1)
    np.testing.assert_allclose(total, change, atol=1e-12)
    assert traj.contributions.shape[1] == len(TERMS)
    assert np.all(np.abs(a) <= 1.0)


def test_every_weighted_term_vanishes_with_its_weight(baseline_world, baseline_cfg):
    zero = {name: 0.0 for name in Params.__dataclass_fields__ if name.startswith("w_")}
    p = replace(baseline_cfg.params, **zero, shock_sd=0.0)
    traj = simulate(baseline_world, p, 5, 2)
    np.testing.assert_array_equal(traj.contributions, 0.0)
    np.testing.assert_array_equal(traj.states["alignment"][-1], traj.states["alignment"][0])


def _one_state(**fields: float):
    """A minimal stand-in for a State with one run and one state."""

    class S:
        pass

    s = S()
    for k, v in fields.items():
        setattr(s, k, np.array([[v]]))
    return s


def test_coercion_pulls_toward_the_us_when_complying_and_away_when_resisting():
    p = Params(w_coercion=0.1)
    s = _one_state(alignment=0.0)
    comply = mech.coercion(s, p, np.array([[1.0]]), np.array([[1.0]]))
    resist = mech.coercion(s, p, np.array([[1.0]]), np.array([[0.0]]))
    assert comply[0, 0] < 0 < resist[0, 0]
    assert mech.coercion(s, p, np.array([[0.0]]), np.array([[1.0]]))[0, 0] == 0.0


def test_compliance_rises_with_us_dependence_and_falls_with_alignment():
    p = Params()
    low, high = drivers.compliance(p, np.array([0.02, 0.3]), np.zeros(2))
    assert high > low
    near, far = drivers.compliance(p, np.full(2, 0.1), np.array([-0.2, 0.4]))
    assert near > far


def test_trade_target_follows_the_dependence_gap():
    p = Params(w_trade=0.01, beta_trade=10.0)
    s = _one_state(alignment=0.0)
    to_china = drivers.Exposure(np.array([[0.05]]), np.array([[0.15]]), np.array([[0.05]]))
    to_us = drivers.Exposure(np.array([[0.15]]), np.array([[0.05]]), np.array([[0.15]]))
    assert mech.trade(s, p, to_china)[0, 0] > 0 > mech.trade(s, p, to_us)[0, 0]


def test_institutions_pull_members_away_from_and_taipei_allies_toward_the_us():
    p = Params(w_institutions=0.01)
    member = _one_state(alignment=0.0)
    member.bri, member.prc = np.array([[True]]), np.array([[True]])
    ally = _one_state(alignment=0.0)
    ally.bri, ally.prc = np.array([[False]]), np.array([[False]])
    assert mech.institutions(member, p)[0, 0] > 0 > mech.institutions(ally, p)[0, 0]


def test_affinity_is_positive_when_closer_to_china():
    assert mech.affinity(np.array(-0.6), np.array(0.5), -0.5) > 0
    assert mech.affinity(np.array(0.8), np.array(0.5), -0.5) < 0


def test_nobody_joins_the_bri_while_recognising_taipei():
    p = Params()
    n = 4
    bri = np.zeros((1, n), dtype=bool)
    prc_before = np.array([[True, False, True, False]])
    prc_after = np.array([[True, False, False, True]])
    joins, exits = institutions.bri_changes(
        p,
        bri,
        prc_before,
        prc_after,
        np.ones((1, n)),
        np.zeros((1, n)),
        np.zeros((1, n)),
        np.full((1, n), 50.0),
        np.zeros((1, n)),
    )
    assert joins.tolist() == [[True, False, False, False]] and not exits.any()


def test_exit_needs_pressure_and_compliance_and_a_switch_to_taipei_ends_membership():
    p = Params(bri_exit_rate=1.0)
    bri = np.ones((1, 3), dtype=bool)
    prc = np.array([[True, True, True]])
    after = np.array([[True, True, False]])
    pressure = np.array([[1.0, 0.0, 0.0]])
    comply = np.array([[1.0, 1.0, 1.0]])
    zero, half = np.zeros((1, 3)), np.full((1, 3), 0.5)
    _, exits = institutions.bri_changes(p, bri, prc, after, zero, pressure, comply, zero, half)
    assert exits.tolist() == [[True, False, True]]
    _, none = institutions.bri_changes(p, bri, prc, prc, zero, pressure, zero, zero, half)
    assert not none.any(), "a state that does not comply does not leave"


def test_defeat_probability_falls_with_autocracy():
    p = Params(defeat_base=0.5, defeat_autocracy=-4.0, defeat_tenure=0.0)
    democracy, autocracy = politics.defeat_probability(p, np.array([0.1, 0.9]), np.zeros(2))
    assert democracy > 0.5 > autocracy


def test_no_election_in_a_closed_autocracy_and_elections_every_term(baseline_world, baseline_cfg):
    w = baseline_world
    cub = w.iso3.index("CUB")
    assert w.election_month[cub] > w.end  # Cuba holds no competitive election
    traj = simulate(w, baseline_cfg.params, 3, 3)
    elections = traj.events["election"]
    assert not elections[:, :, cub].any()
    col = w.iso3.index("COL")
    months = np.flatnonzero(elections[:, 0, col]) + w.start
    assert months[0] == w.election_month[col]
    if len(months) > 1:
        assert months[1] - months[0] == w.term_months[col]


def test_known_president_elect_takes_office_on_his_date(baseline_world, baseline_cfg):
    w = baseline_world
    bol = w.iso3.index("BOL")
    t = int(np.flatnonzero(~np.isnan(w.scripted_ideology[:, bol]))[0])
    assert w.start + t == 2025 * 12 + 10  # November 2025 (Paz, sworn in on 8 Nov 2025)
    traj = simulate(w, baseline_cfg.params, 3, 2)
    assert traj.events["government_change"][t, :, bol].all()
    assert "Rodrigo Paz" in " ".join(traj.changes.values())


def test_leader_measures_follow_the_person(baseline_world, baseline_cfg):
    """Sanctions on a leader bind that person, and lapse when someone else takes office."""
    w = baseline_world
    s = initial_state(w, baseline_cfg.params, 1)
    col = w.iso3.index("COL")
    since = w.leader_measures_since[0]
    assert since[0, col] >= 0  # the sanctions on Petro (Oct 2025) are in force at the start
    target = drivers.new_measure_targets(s, w, 0)
    assert target[0, 0, col] == s.person[0, col]
    moved = replace(s, person=s.person + 1, measure_target=target)
    assert drivers.new_measure_targets(moved, w, 1)[0, 0, col] != moved.person[0, col]


def test_random_numbers_depend_only_on_key_month_purpose_and_state():
    c = Counters(len(DRAWS), 33)
    keys = run_keys(11, range(20))
    full = c.uniforms(keys, 24300)
    np.testing.assert_array_equal(c.uniforms(keys[3:7], 24300), full[3:7])
    np.testing.assert_array_equal(c.plane(keys, 24300, 2, np.float64), full[:, 2])
    rows, cols = np.array([0, 5, 19]), np.array([1, 32, 7])
    np.testing.assert_array_equal(c.at(keys, 24300, 4, rows, cols, np.float64), full[rows, 4, cols])
    assert not np.array_equal(c.uniforms(keys, 24301), full)
    assert full.min() >= 0.0 and full.max() < 1.0 and abs(full.mean() - 0.5) < 0.01
    some = c.plane(keys, 24300, 3, np.float32, cols)
    np.testing.assert_array_equal(some, c.plane(keys, 24300, 3, np.float32)[:, cols])


def test_vectorised_run_keys_equal_the_scalar_rule():
    runs = [0, 1, 7, 1023, 2**31 + 5, 10**12]
    np.testing.assert_array_equal(run_keys(42, runs), [run_key(42, r) for r in runs])
    assert run_keys(42, np.array(runs)).dtype == np.uint64


def test_initial_stocks_shared_by_runs_equal_each_run_alone(baseline_world, baseline_cfg):
    w, p = baseline_world, baseline_cfg.params
    decay = np.array([[0.1], [0.3], [0.1], [0.05]])
    aid, finance = drivers.initial_stocks(w, replace(p, finance_decay=decay), 4, np.float64)
    for r, value in enumerate(decay[:, 0]):
        alone = drivers.initial_stocks(w, replace(p, finance_decay=float(value)), 1, np.float64)
        np.testing.assert_array_equal(aid[r], alone[0][0])
        np.testing.assert_array_equal(finance[r], alone[1][0])


def test_per_run_parameters_are_cast_to_the_run_precision(baseline_cfg):
    p = replace(baseline_cfg.params, w_trade=np.full((3, 1), 0.01), shock_sd=0.008)
    cast = cast_params(p, np.float32)
    assert cast.w_trade.dtype == np.float32 and cast.shock_sd == 0.008  # scalars stay Python floats
    assert cast_params(baseline_cfg.params, np.float32) is baseline_cfg.params


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_keeps_the_precision(baseline_world, baseline_cfg, dtype):
    w = baseline_world.astype(dtype)
    s = initial_state(w, baseline_cfg.params, 3, dtype)
    keys = run_keys(1, range(3))
    result = step(s, 0, w, baseline_cfg.params, w.plan[0], keys, Counters(len(DRAWS), w.n_states))
    assert result.state.alignment.dtype == dtype and result.contributions.dtype == dtype


def test_trade_shares_are_observed_while_the_data_last_then_follow_the_levers(seeds, baseline_cfg):
    from conftest import composed

    from sim.dynamics.world import build_world

    hindcast = build_world(seeds, composed("start=2016-01", "end=2017-12"))
    traj = simulate(hindcast, baseline_cfg.params, 1, 2)
    observed = hindcast.trade_obs[:, 0]  # US export shares
    np.testing.assert_allclose(traj.states["export_us"][1:, 0], observed, rtol=1e-12)
    tariff = build_world(seeds, composed("us.tariff=0.5", "end=2028-12"))
    free = build_world(seeds, composed("us.tariff=0", "end=2028-12"))
    p = baseline_cfg.params
    hit = simulate(tariff, p, 1, 1).states["export_us"][-1, 0]
    none = simulate(free, p, 1, 1).states["export_us"][-1, 0]
    assert (hit < none).all(), "a US tariff cuts every state's export share to the US"
