"""Alignment submodel: the mechanisms, each a named term in alignment units per month.

Every term is a pull ``w * (target - alignment)`` toward the position its driver proposes, so a state settles at the
weighted mean of the targets; each driver enters one term only (docs/ODD.md, "Driver -> term"):

========================  ===================================================================  =================
term                      target (alignment units, -1 US .. +1 the other side)                 driver
========================  ===================================================================  =================
``trade``                 ``tanh(beta_trade * (T_cn - T_us - r * R))``                         trade, remittances
``finance``               ``tanh(beta_finance * (F_cn - A_us))``                               finance/aid stocks
``coercion``              ``1 - 2 c`` with weight ``w_coercion * P`` (``c`` compliance share)  US pressure
``ideology``              ``(|g - g_US| - |g - g_CN|) / 2``                                    government ideology
``regime``                ``2 * autocracy - 1``                                                regime type
``security``              arms-supplier/alliance position (weight 0 without arms imports)      arms, alliances
``neighbours``            the neighbourhood's mean alignment                                   neighbours
``institutions``          ``+1`` BRI member, ``-1`` recognises Taipei, else ``0``              BRI, recognition
``elite``                 ``sign(e)`` with weight ``w_elite * |e|``                            hosted visits
``state_effect``          ``neutral + effect`` (effect estimated on 1991-2012, shrunk to 0)     the state
``shock``                 idiosyncratic noise (and the clip at +-1)                            chance
========================  ===================================================================  =================

``tanh`` is the portable :func:`sim.dynamics.mathfn.tanh` (the same bits on every CPU).

Compliance ``c`` depends on US economic dependence, which also drives the trade term: one measure of dependence,
entering the trade target and moderating how pressure acts (not a second pull of its own). A state's size enters
only its decision to sign the BRI (middle powers avoid the formal commitment, :mod:`sim.dynamics.institutions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config import Params
from sim.dynamics.drivers import Exposure
from sim.dynamics.mathfn import tanh
from sim.dynamics.neighbours import NeighbourWeights, PeerGroups
from sim.dynamics.state import State
from sim.dynamics.world import World

TERMS: tuple[str, ...] = (
    "trade",
    "finance",
    "coercion",
    "ideology",
    "regime",
    "security",
    "neighbours",
    "institutions",
    "elite",
    "state_effect",
    "shock",
)
"""Mechanism names in the order of the contribution axis."""

SQRT12 = float(np.sqrt(12.0))


def trade(s: State, p: Params, e: Exposure) -> np.ndarray:
    """Economic dependence: toward the partner the state trades with and receives remittances from."""
    gap = e.trade_cn - e.us
    return p.w_trade * (tanh(p.beta_trade * gap) - s.alignment)


def finance(s: State, p: Params) -> np.ndarray:
    """Official finance: toward the power whose stock of finance (Chinese loans vs US aid) weighs more."""
    return p.w_finance * (tanh(p.beta_finance * (s.finance_stock - s.aid_stock)) - s.alignment)


def coercion(s: State, p: Params, pressure: np.ndarray, comply: np.ndarray) -> np.ndarray:
    """US pressure moves a state toward the US where it complies and away where it resists (reactance)."""
    return p.w_coercion * pressure * ((1.0 - 2.0 * comply) - s.alignment)


def affinity(ideology: np.ndarray, us_ideology: np.ndarray, cn_ideology: float | np.ndarray) -> np.ndarray:
    """Position closer to the ideologically nearer power: ``(|g - g_US| - |g - g_CN|) / 2`` in [-1, 1]."""
    return np.clip(0.5 * (np.abs(ideology - us_ideology) - np.abs(ideology - cn_ideology)), -1.0, 1.0)


def ideology(s: State, p: Params, target: np.ndarray) -> np.ndarray:
    """Domestic politics: toward the power whose administration is ideologically closer."""
    return p.w_ideology * (target - s.alignment)


def regime(s: State, p: Params, autocracy: np.ndarray) -> np.ndarray:
    """Regime type: autocracies toward +1, democracies toward -1."""
    return p.w_regime * ((2.0 * autocracy - 1.0) - s.alignment)


def security(s: State, p: Params, position: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Security ties: toward the position of the state's arms suppliers and alliances (none without arms imports)."""
    return p.w_security * (position - s.alignment) * has  # (the bool last: it keeps the run's precision)


def blend_coefficients(
    neighbours: NeighbourWeights, peers: PeerGroups, subregion_weight: float | np.ndarray, dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(c_near, c_peers)`` of the neighbours' and the peers' means, ``(N, 1)`` for a scalar
    ``subregion_weight`` or ``(N, R)`` for one per run (computed in float64 for a scalar, in the parameter's
    precision for an array, then cast to ``dtype``): ``1 - w`` and ``w`` where a state has both, 1 for the one it
    has, 0 for one it lacks."""
    has_near, has_peers = neighbours.has_entries[:, None], peers.has_entries[:, None]
    weight = np.asarray(subregion_weight).T  # scalar, or (1, R) for per-run parameters
    c_near = (np.where(has_peers, 1.0 - weight, 1.0) * has_near).astype(dtype)
    c_peers = (np.where(has_near, weight, 1.0) * has_peers).astype(dtype)
    return c_near, c_peers


def neighbour_mean(
    neighbours: NeighbourWeights, peers: PeerGroups, subregion_weight: float | np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Blend (``subregion_weight``) of direct neighbours' and subregion peers' mean of ``values`` ``(R, N)``; a
    state with only one of the two uses it alone, a state with neither keeps its own value."""
    has_near, has_peers = neighbours.has_entries[:, None], peers.has_entries[:, None]
    c_near, c_peers = blend_coefficients(neighbours, peers, subregion_weight, values.dtype)
    values_t = np.ascontiguousarray(values.T)
    out = c_near * neighbours.apply_t(values_t) + c_peers * peers.apply_t(values_t)
    alone = ~(has_near | has_peers)
    if alone.any():
        out = np.where(alone, values_t, out)
    return np.ascontiguousarray(out.T)


def neighbours(s: State, w: World, p: Params) -> np.ndarray:
    """Regional diffusion: toward the neighbourhood's mean alignment."""
    mean = neighbour_mean(w.neighbours, w.subregion_peers, p.subregion_weight, s.alignment)
    return p.w_neighbours * (mean - s.alignment)


def institutions(s: State, p: Params) -> np.ndarray:
    """Commitments: BRI membership pulls toward +1, recognising Taipei toward -1."""
    target = s.bri.astype(s.alignment.dtype) - (~s.prc).astype(s.alignment.dtype)
    return p.w_institutions * (target - s.alignment)


def elite(s: State, p: Params) -> np.ndarray:
    """Elite networks: attitudes shaped by hosted visits pull toward the side that courted them."""
    return p.w_elite * np.abs(s.elite) * (np.sign(s.elite) - s.alignment)


def state_effect(s: State, p: Params, effect: np.ndarray) -> np.ndarray:
    """The state's own position: the region's ``neutral`` plus the state's effect (what the mechanisms leave
    unexplained on the training years, shrunk toward 0)."""
    return p.w_state * ((p.neutral + effect) - s.alignment)


def shock(p: Params, uniform: np.ndarray) -> np.ndarray:
    """Idiosyncratic monthly noise: uniform with mean 0 and s.d. ``shock_sd``."""
    return p.shock_sd * SQRT12 * (uniform - 0.5)
