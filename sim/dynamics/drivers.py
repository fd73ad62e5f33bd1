"""Drivers submodel: economic exposure, finance and aid stocks, US pressure and compliance, elite attitudes.

While the data last, trade shares are the observed ones; after, they adjust toward what the levers imply. Stocks of
Chinese finance and US aid accumulate this month's flows (observed flows times the finance/aid levers) and decay.
Every function is an array operation over ``(runs, states)``; world rows ``(states,)``; parameters scalars or
``(runs, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import Params
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.mathfn import tanh
from sim.dynamics.state import State
from sim.dynamics.world import World


def lever(levers: np.ndarray, name: str) -> np.ndarray:
    """Values of lever ``name`` from a month's ``(levers, N)`` or ``(R, levers, N)`` slice."""
    return levers[..., LEVER_INDEX[name], :]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function (via tanh: no overflow for large |x|; the portable :func:`sim.dynamics.mathfn.tanh`, so
    the same bits on every CPU)."""
    return 0.5 * (1.0 + tanh(0.5 * x))


@dataclass
class Exposure:
    """A month's economic exposure of each state, fractions of GDP."""

    trade_us: np.ndarray  # goods trade with the US / GDP: openness * (export share + import share) / 2
    trade_cn: np.ndarray  # goods trade with China / GDP
    us: np.ndarray  # trade with the US plus remittances from the US: the one measure of US economic dependence


def exposure(s: State, w: World, p: Params, t: int) -> Exposure:
    """Trade and remittance exposure at the state's current trade shares."""
    openness = w.openness[t]
    trade_us = 0.5 * openness * (s.export_us + s.import_us)
    trade_cn = 0.5 * openness * (s.export_cn + s.import_cn)
    return Exposure(trade_us, trade_cn, trade_us + p.remittance_us_share * w.remittances[t])


def flows(w: World, lv: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """This month's US aid and Chinese finance, % of GDP per year: while the data last, the observed flows times the
    levers; after them, the 2012-2021 means times the levers (whose status quo is the present's level); drug
    decertification without waiver (above 0.5) suspends aid."""
    suspended = np.clip(2.0 * lever(lv, "us.decertification") - 1.0, 0.0, 1.0)
    aid_base = np.where(np.isnan(w.aid_flow[t]), w.aid_reference, w.aid_flow[t])
    finance_base = np.where(np.isnan(w.finance_flow[t]), w.finance_reference, w.finance_flow[t])
    return aid_base * lever(lv, "us.aid") * (1.0 - suspended), finance_base * lever(lv, "china.bri_finance")


def binding(s: State, w: World, t: int) -> np.ndarray:
    """``(runs, 2, states)`` bool: leader sanctions / visa bans bind the person in office (the person targeted when
    the measure began, wherever that person goes, not whoever wins the next election)."""
    return s.measure_target == s.person[:, None, :]


def us_pressure(s: State, p: Params, lv: np.ndarray, binds: np.ndarray) -> np.ndarray:
    """US coercive pressure on each state, pressure units (1 = regime-level sanctions)."""
    return (
        p.pressure_sanctions * lever(lv, "us.sanctions")
        + p.pressure_tariff * lever(lv, "us.tariff")
        + p.pressure_leader_sanctions * lever(lv, "us.leader_sanctions") * binds[:, 0]
        + p.pressure_decertification * lever(lv, "us.decertification")
        + p.pressure_visa_bans * lever(lv, "us.visa_bans") * binds[:, 1]
        + p.pressure_military_threat * lever(lv, "us.military_threat")
        + p.pressure_bri_exit * lever(lv, "us.bri_exit_pressure") * s.bri
    )


def compliance(p: Params, us_exposure: np.ndarray, alignment: np.ndarray) -> np.ndarray:
    """Share of pressure met by compliance rather than reactance, [0, 1]: rises with US economic dependence (the
    leverage), falls the further the state stands from the US (a government aligned against Washington resists)."""
    return sigmoid(p.compliance_base + p.compliance_dependence * us_exposure - p.compliance_alignment * alignment)


def new_measure_targets(s: State, w: World, t: int) -> np.ndarray:
    """The person each leader measure targets: set when a spell begins this month, kept while it lasts, -1 while
    the measure is off (only the columns that change are written)."""
    since = w.leader_measures_since[t]  # (2, N)
    month = w.start + t
    starting = since == month
    off = since < 0
    prev = s.measure_target
    stale = off & (prev != -1).any(axis=0)  # off, but some run still holds a target there
    if not starting.any() and not stale.any():
        return prev
    target = prev.copy()
    for m, c in zip(*np.nonzero(starting), strict=True):
        target[:, m, c] = s.person[:, c]
    target[:, stale] = -1
    return target


def trade_shares(s: State, w: World, p: Params, lv: np.ndarray, t: int) -> tuple[np.ndarray, ...]:
    """Next month's (export_us, export_cn, import_us, import_cn): observed while the data last; afterwards they adjust
    at ``trade_adjust_rate`` toward the last observed shares, the US export share cut by tariffs (``tariff_elasticity``
    per unit) and the Chinese one raised by import pledges."""
    rate = p.trade_adjust_rate
    base = w.trade_base
    tariff = lever(lv, "us.tariff")
    ex_us = s.export_us + rate * (base[0] * np.maximum(1.0 - p.tariff_elasticity * tariff, 0.0) - s.export_us)
    ex_cn = s.export_cn + rate * (base[1] * (1.0 + lever(lv, "china.import_pledge")) - s.export_cn)
    im_us = s.import_us + rate * (base[2] - s.import_us)
    im_cn = s.import_cn + rate * (base[3] - s.import_cn)
    scale = np.maximum(ex_us + ex_cn, 1.0)
    evolved = (ex_us / scale, ex_cn / scale, im_us, im_cn)
    if w.trade_observed[t]:
        return tuple(np.broadcast_to(w.trade_obs[t, k], s.alignment.shape) for k in range(4))
    return tuple(_observed_or(w.trade_obs[t, k], evolved[k]) for k in range(4))


def _observed_or(observed: np.ndarray, evolved: np.ndarray) -> np.ndarray:
    """``observed`` ``(N,)`` where it is known, else ``evolved`` ``(R, N)`` (no pass over the runs when a whole row
    is known or unknown)."""
    missing = np.isnan(observed)
    if missing.all():
        return evolved
    if not missing.any():
        return np.broadcast_to(observed, evolved.shape)
    return np.where(missing, evolved, observed)


def stocks(s: State, p: Params, aid: np.ndarray, finance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Next month's US aid and Chinese finance stocks (% of GDP): a twelfth of the yearly flow in, decay out."""
    keep = 1.0 - p.finance_decay / 12.0
    return s.aid_stock * keep + aid / 12.0, s.finance_stock * keep + finance / 12.0


def accumulate(past_flows: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aid and finance stocks ``(K, N)`` from monthly flows ``(P, 2, N)`` (% GDP/yr, oldest first) and ``keep``
    ``(K, 1)`` (one minus a month's decay): ``stock = stock * keep + flow / 12`` month by month, in float64."""
    aid = np.zeros((len(keep), past_flows.shape[-1]))
    finance = np.zeros((len(keep), past_flows.shape[-1]))
    for month in past_flows:  # (2, N) per month, in order
        aid = aid * keep + month[0] / 12.0
        finance = finance * keep + month[1] / 12.0
    return aid, finance


def initial_stocks(
    w: World, p: Params, runs: int, dtype: object, accumulate_with: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Stocks at the initial month: every observed monthly flow since 1990 accumulated with the same decay as the
    monthly update (oldest first, element-wise: identical in any batch).

    Runs sharing a ``finance_decay`` share their stocks, so the accumulation is done once per distinct value (the
    same operations on the same numbers: the result is the one a per-run accumulation gives). ``accumulate_with``
    replaces :func:`accumulate` (the compiled one of :mod:`sim.dynamics.kernel`: the same operations)."""
    keep_runs = np.broadcast_to(np.asarray(1.0 - p.finance_decay / 12.0, dtype=np.float64), (runs, 1))
    keep, which = np.unique(keep_runs[:, 0], return_inverse=True)
    aid, finance = (accumulate_with or accumulate)(np.ascontiguousarray(w.past_flows, np.float64), keep[:, None])
    return aid[which].astype(dtype), finance[which].astype(dtype)


def elite_attitude(s: State, w: World, p: Params, lv: np.ndarray) -> np.ndarray:
    """Next month's elite attitude: visits hosted by China push it toward +1, by the US toward -1; it fades."""
    hosted = (lever(lv, "china.elite_diplomacy") - lever(lv, "us.elite_diplomacy")) * w.elite_share / 12.0
    return np.clip(s.elite + p.elite_gain * hosted - p.elite_decay * s.elite, -1.0, 1.0)
