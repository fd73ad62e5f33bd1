"""The update function: rest at the anchor, exact decomposition, bounds, mechanism signs and gates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config import Params, param_meta, param_names
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.terms import (
    DETERMINISTIC_TERMS,
    TERMS,
    aid_flows,
    coercion,
    compliance,
    deterministic_terms,
    us_pressure,
)
from sim.dynamics.update import initial_state
from sim.dynamics.world import build_world
from sim.engine import simulate


def test_initial_state_is_at_rest_under_anchor_levers(baseline_world, baseline_cfg):
    s = initial_state(baseline_world, baseline_cfg.params, 2)
    terms = deterministic_terms(s, baseline_world, baseline_cfg.params, baseline_world.plan[0], 0)
    residual = baseline_cfg.params.w_residual * (s.residual - s.alignment)
    total = sum(terms[name] for name in DETERMINISTIC_TERMS) + residual
    assert np.abs(total).max() < 1e-12
    assert np.abs(s.alignment).max() <= 1


def test_contributions_sum_exactly_to_the_monthly_change(history_world, history_cfg):
    traj = simulate(history_world, history_cfg.params, seed=3, runs=8)
    change = np.diff(traj.states["alignment"], axis=0)
    assert traj.contributions.shape[1] == len(TERMS)
    np.testing.assert_allclose(traj.contributions.sum(axis=1), change, atol=1e-12)


finite_params = st.fixed_dictionaries(
    {name: st.floats(*param_meta(name)["range"], allow_nan=False) for name in param_names()[:40:3]}
)


@settings(max_examples=25, deadline=None)
@given(values=finite_params, seed=st.integers(0, 2**31))
def test_state_stays_in_bounds_for_any_parameters_in_range(baseline_world, baseline_cfg, values, seed):
    params = dataclasses.replace(baseline_cfg.params, **values)
    traj = simulate(baseline_world, params, seed=seed, runs=3)
    a = traj.states["alignment"]
    assert np.isfinite(a).all() and np.abs(a).max() <= 1.0
    assert ((traj.states["approval"] >= 0) & (traj.states["approval"] <= 1)).all()
    assert ((traj.states["security"] >= 0) & (traj.states["security"] <= 1)).all()
    assert (np.abs(traj.states["elite"]) <= 1).all() and (traj.states["lockin"] >= 0).all()
    np.testing.assert_allclose(traj.contributions.sum(axis=1), np.diff(a, axis=0), atol=1e-10)


def test_compliance_rises_with_dependence_and_falls_with_sovereigntism():
    p = Params()
    state = dataclasses.make_dataclass("S", ["ideology"])
    right, left = state(np.array([[0.5]])), state(np.array([[-0.8]]))
    low, high = np.array([[0.05]]), np.array([[0.5]])
    assert compliance(right, p, high) > compliance(right, p, low)
    assert compliance(left, p, low) < compliance(right, p, low)


def test_coercion_moves_compliers_toward_us_and_resisters_toward_china():
    p = Params()
    s = dataclasses.make_dataclass("S", ["alignment"])(np.array([[0.0, 0.0]]))
    pressure = np.array([[1.0, 1.0]])
    comp, react = coercion(s, p, pressure, np.array([[0.9, 0.1]]))
    net = comp + react
    assert net[0, 0] < 0 < net[0, 1]
    assert (comp <= 0).all() and (react >= 0).all()


def test_leader_measures_bind_the_government_in_office_when_imposed(cfg, seeds):
    cfg.us.targets = {"PAN": {"leader_sanctions": 1.0}}  # Mulino took office in 2024-07, after the anchor
    world = build_world(seeds, cfg)
    s = initial_state(world, cfg.params, 1)
    last = world.n_months - 1
    lv = world.plan[last]  # COL: sanctions on Petro and visa ban in force; PAN: scenario sanctions on its leader
    col, pan = world.iso3.index("COL"), world.iso3.index("PAN")
    s.gov_since[0, pan] = world.anchor + 6  # Mulino, 2024-07
    before = us_pressure(s, world, cfg.params, lv, last)[0]
    s.gov_since[0, [col, pan]] = world.end  # new governments after the measures were imposed
    after = us_pressure(s, world, cfg.params, lv, last)[0]
    p = cfg.params
    assert before[col] - after[col] == pytest.approx(p.pressure_leader_sanctions + p.pressure_visa_bans)
    assert before[pan] - after[pan] == pytest.approx(p.pressure_leader_sanctions)


def test_decertification_suspends_aid_only_without_waiver(baseline_world, baseline_cfg):
    s = initial_state(baseline_world, baseline_cfg.params, 1)
    lv = baseline_world.plan[0].copy()
    col = baseline_world.iso3.index("COL")
    results = []
    for level in (0.0, 0.5, 1.0):
        lv[LEVER_INDEX["us.decertification"], col] = level
        us_aid = np.broadcast_to(aid_flows(s, baseline_world, baseline_cfg.params, lv)[0], (1, 33))
        results.append(us_aid[0, col])
    assert results[0] == results[1] > 0 == results[2]


def test_no_state_joins_while_recognising_taipei(baseline_world, baseline_cfg):
    traj = simulate(baseline_world, baseline_cfg.params, seed=11, runs=100)
    prc_before = traj.states["prc"][:-1]
    joins = traj.events["bri_join"]
    assert joins.any(), "the test needs accessions to check"
    assert not (joins & ~prc_before).any()
    member_and_taipei = traj.states["bri"] & ~traj.states["prc"]
    assert not member_and_taipei.any()


def test_elections_happen_on_their_calibrated_dates(baseline_world, baseline_cfg, seeds):
    traj = simulate(baseline_world, baseline_cfg.params, seed=5, runs=40)
    col = baseline_world.iso3.index("COL")
    month = int(np.flatnonzero(traj.events["election"][:, 0, col])[0])
    assert str(traj.months[month + 1] // 12) == "2026"
    assert traj.months[month + 1] % 12 + 1 == seeds.value("COL", "next_election").month
    assert traj.events["election"][month, :, col].all()
    changed = traj.events["government_change"][month, :, col].mean()
    assert 0 < changed < 1  # outcomes are drawn, not scripted


def test_forward_runs_start_from_the_observed_present(baseline_world, baseline_cfg, seeds):
    traj = simulate(baseline_world, baseline_cfg.params, seed=2, runs=60)
    assert traj.months[0] == baseline_world.present  # the recorded state before the start is Oct 2025
    members = traj.states["bri"][0]
    assert (members.sum(axis=1) == 22).all()
    col, pan = baseline_world.iso3.index("COL"), baseline_world.iso3.index("PAN")
    assert members[:, col].all() and not members[:, pan].any()
    taipei = [baseline_world.iso3.index(c) for c in baseline_world.iso3 if not seeds.value(c, "recognizes_prc")]
    assert not traj.states["prc"][0][:, taipei].any()


def test_switching_to_taipei_ends_membership_and_exits_only_members(baseline_world, baseline_cfg):
    params = dataclasses.replace(baseline_cfg.params, recognition_back_rate=0.01, recognition_back_threshold=0.0)
    traj = simulate(baseline_world, params, seed=4, runs=40)
    switched_back = traj.states["prc"][:-1] & ~traj.states["prc"][1:]
    assert switched_back.any(), "the test needs switches to Taipei"
    exits = traj.events["bri_exit"]
    assert not (exits & ~traj.states["bri"][:-1]).any()
    assert (exits[switched_back] == traj.states["bri"][:-1][switched_back]).all()
    assert not (traj.states["bri"] & ~traj.states["prc"]).any()
