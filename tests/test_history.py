"""The history scenario: replaying the levers of 2024-2025, the model itself produces the record.

Fixed seed and 400 replications: the rates below have standard errors under 0.025, far from the bounds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate

RUNS = 400


@pytest.fixture(scope="module")
def history(history_world, history_cfg):
    return history_world, simulate(history_world, history_cfg.params, history_cfg.seed, RUNS)


def _first_year(traj, world, event, code):
    i = world.iso3.index(code)
    hits = traj.events[event][:, :, i]
    months = traj.months[1:]
    return np.where(hits.any(axis=0), months[hits.argmax(axis=0)], -1)


def test_colombia_joins_the_bri_during_2025(history):
    world, traj = history
    month = _first_year(traj, world, "bri_join", "COL")
    in_2025 = np.mean((month >= 2025 * 12) & (month < 2026 * 12))
    in_2024 = np.mean((month >= 2024 * 12) & (month < 2025 * 12))
    assert in_2025 >= 0.75, in_2025
    assert in_2024 <= 0.15, in_2024


def test_panama_leaves_the_bri_in_early_2025(history):
    world, traj = history
    month = _first_year(traj, world, "bri_exit", "PAN")
    early = np.mean((month >= 2025 * 12) & (month <= 2025 * 12 + 5))  # Jan-Jun 2025
    assert early >= 0.8, early
    assert np.mean((month >= 0) & (month < 2025 * 12)) == 0  # never before the pressure


def test_no_state_recognising_taipei_joins(history):
    _world, traj = history
    joins = traj.events["bri_join"]
    assert joins.sum() >= RUNS * 0.75  # there are accessions to check
    assert not (joins & ~traj.states["prc"][:-1]).any()


def test_the_large_hedgers_stay_out(history):
    world, traj = history
    for code in ("BRA", "MEX"):
        rate = np.mean(_first_year(traj, world, "bri_join", code) >= 0)
        assert rate <= 0.15, (code, rate)
