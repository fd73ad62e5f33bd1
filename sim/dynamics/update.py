"""The one update function: advance every run one month.

:func:`step` is the single source of truth for the dynamics: the Mesa model calls it with one run, the batched
engine with thousands (or its compiled twin :func:`sim.dynamics.kernel.step`, the same operations in the same order:
bit-identical, ``tests/test_kernel.py``), the dashboard with one run at a time. Within a month, in this order
(docs/ODD.md, "Process overview and scheduling"):

1. the powers' reactions to drift (``strategies``), on top of the lever plan;
2. drivers: economic exposure, US pressure and compliance (``drivers``), on the state at the start of the month;
3. alignment: the named mechanisms (``alignment``), their contributions summing exactly to the change;
4. stocks and trade shares for the next month (``drivers``);
5. governments and elections (``politics``);
6. recognition switches, then BRI exits and accessions (``institutions``), or the record when replaying it.

Random numbers come from :mod:`sim.dynamics.rng`, keyed by each run's key, the month, the purpose and the state, so
a run's path depends only on its seed, its index and its parameters. Every operation is exactly rounded IEEE
arithmetic on any CPU: ``tanh`` is the portable one of :mod:`sim.dynamics.mathfn` (numpy's own is SIMD-dispatched
per CPU), neighbour sums are fixed-order gathers (no BLAS), the random numbers are integer hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from sim.config import Params
from sim.dynamics import alignment as mech
from sim.dynamics import drivers, institutions, politics
from sim.dynamics.alignment import TERMS
from sim.dynamics.rng import Counters
from sim.dynamics.state import State
from sim.dynamics.strategies import respond
from sim.dynamics.world import World

DRAWS: tuple[str, ...] = ("shock", "recognition", "bri", "vote", "winner", "us_vote")
"""Purposes of the uniform draws (the draw axis of :class:`~sim.dynamics.rng.Counters`)."""
U_SHOCK, U_RECOGNITION, U_BRI, U_VOTE, U_WINNER, U_US = range(len(DRAWS))

_FIRST = np.array([0])
"""The US election draws the first state's number of its purpose."""

EVENTS: tuple[str, ...] = ("bri_join", "bri_exit", "recognition_switch", "election", "government_change")


@dataclass
class StepResult:
    """What one month produced: the new state, each term's contribution ``(K, R, N)`` (empty unless asked for),
    event masks ``(R, N)`` and the levers that applied (after the powers' reactions)."""

    state: State
    contributions: np.ndarray
    events: dict[str, np.ndarray]
    levers: np.ndarray


def _rows(p: Params, rows: np.ndarray) -> Params:
    """``p`` restricted to some runs (parameters given per run as ``(R, 1)`` arrays)."""
    return replace(p, **{f.name: getattr(p, f.name)[rows] for f in fields(p) if np.ndim(getattr(p, f.name)) == 2})


def cast_params(p: Params, dtype: Any) -> Params:
    """``p`` with its per-run parameters (``(R, 1)`` arrays) in the run's precision, so a float32 run stays float32
    (a float64 parameter array would promote every term it enters); scalar parameters are Python floats, which
    numpy already applies in the array's precision. ``p`` itself when nothing needs casting."""
    arrays = {
        f.name: v.astype(dtype)
        for f in fields(p)
        if isinstance(v := getattr(p, f.name), np.ndarray) and v.dtype != np.dtype(dtype)
    }
    return replace(p, **arrays) if arrays else p


def initial_state(w: World, p: Params, runs: int, dtype: Any = np.float64, accumulate: Any = None) -> State:
    """The state at the end of the month before the start, from the data (identical for every run but the stocks,
    which depend on each run's ``finance_decay``; ``accumulate``: see :func:`~sim.dynamics.drivers.initial_stocks`)."""
    n = w.n_states
    ones = np.ones((runs, n))
    aid, finance = drivers.initial_stocks(w, p, runs, np.float64, accumulate)
    bri = np.broadcast_to(w.bri0, (runs, n)).copy()
    s = State(
        alignment=ones * w.alignment0,
        ideology=ones * w.ideology0,
        person=np.broadcast_to(w.person0, (runs, n)).copy(),
        gov_since=np.broadcast_to(w.gov_since0, (runs, n)).copy(),
        camp_since=np.broadcast_to(w.camp_since0, (runs, n)).copy(),
        terms=np.broadcast_to(w.terms0, (runs, n)).astype(np.int64),
        next_election=np.broadcast_to(w.election_month, (runs, n)).copy(),
        pending_ideology=np.full((runs, n), np.nan),
        pending_month=np.full((runs, n), -1, dtype=np.int64),
        pending_person=np.full((runs, n), -1, dtype=np.int64),
        pending_camp_change=np.zeros((runs, n), dtype=bool),
        export_us=ones * w.trade0[0],
        export_cn=ones * w.trade0[1],
        import_us=ones * w.trade0[2],
        import_cn=ones * w.trade0[3],
        aid_stock=aid,
        finance_stock=finance,
        elite=ones * 0.0,
        bri=bri,
        prc=np.broadcast_to(w.prc0, (runs, n)).copy(),
        bri_share=ones * 0.0,
        measure_target=np.full((runs, 2, n), -1, dtype=np.int64),
        start_alignment=ones * w.alignment0,
        us_ideology=np.full((runs, 1), w.us_ideology[0]),
    )
    # in the run's precision, as the step recomputes it where membership changes (a state whose neighbourhood did
    # not change then keeps its bits whichever way it was last computed)
    weight = cast_params(p, dtype).subregion_weight
    s.bri_share = mech.neighbour_mean(w.neighbours, w.subregion_peers, weight, bri.astype(dtype))
    return s.astype(dtype)


def step(
    s: State,
    t: int,
    w: World,
    p: Params,
    lv: np.ndarray,
    keys: np.ndarray,
    counters: Counters,
    with_contributions: bool = True,
) -> StepResult:
    """Advance month ``t`` (``w.start + t``) for every run.

    ``lv`` holds the month's lever values ``(levers, N)`` or ``(R, levers, N)``; ``keys`` the runs' random keys
    ``(R,)``. Without ``with_contributions`` the per-term breakdown is not assembled (``contributions`` is empty);
    the state is the same either way.
    """
    month = w.start + t
    dtype = s.alignment.dtype
    lv = respond(lv, s, w, t)
    a = s.alignment

    # drivers on the state at the start of the month
    exposure = drivers.exposure(s, w, p, t)
    measure_target = drivers.new_measure_targets(s, w, t)
    binds = measure_target == s.person[:, None, :]
    pressure = drivers.us_pressure(s, p, lv, binds)
    comply = drivers.compliance(p, exposure.us, a)
    us_ideology = s.us_ideology if month > w.present else w.us_ideology[t]
    target_affinity = mech.affinity(s.ideology, us_ideology, w.cn_ideology[t])

    # alignment: every mechanism a named term (TERMS order)
    terms = (
        mech.trade(s, p, exposure),
        mech.finance(s, p),
        mech.coercion(s, p, pressure, comply),
        mech.ideology(s, p, target_affinity),
        mech.regime(s, p, w.autocracy[t]),
        mech.security(s, p, w.security[t], w.has_security[t]),
        mech.neighbours(s, w, p),
        mech.institutions(s, p),
        mech.elite(s, p),
        mech.state_effect(s, p, w.state_effect),
    )
    deterministic = terms[0].copy()
    for term in terms[1:]:
        deterministic += term
    noise = mech.shock(p, counters.plane(keys, month, U_SHOCK, dtype))
    new_a = np.clip(a + deterministic + noise, -1.0, 1.0)
    shock = new_a - a - deterministic  # the shock absorbs the clip at +-1: contributions sum exactly to the change
    contributions = np.stack([*terms, shock]) if with_contributions else np.empty(0)

    # stocks and trade for next month
    aid, finance = drivers.flows(w, lv, t)
    aid_stock, finance_stock = drivers.stocks(s, p, aid, finance)
    export_us, export_cn, import_us, import_cn = drivers.trade_shares(s, w, p, lv, t)
    elite = drivers.elite_attitude(s, w, p, lv)

    # governments
    def u_vote(cols: np.ndarray) -> np.ndarray:
        return counters.plane(keys, month, U_VOTE, dtype, cols)

    def u_winner(cols: np.ndarray) -> np.ndarray:
        return counters.plane(keys, month, U_WINNER, dtype, cols)

    u_us = counters.plane(keys, month, U_US, dtype, _FIRST)[:, :1] if w.us_election[t] else np.zeros((len(keys), 1))
    gov = politics.governments(s, w, p, t, u_vote, u_winner, u_us)

    # recognition and the BRI
    if w.replay_institutions:
        prc = np.broadcast_to(w.observed_prc[t], a.shape).copy()
        bri = np.broadcast_to(w.observed_bri[t], a.shape).copy()
        to_prc, to_roc = prc & ~s.prc, ~prc & s.prc
        joins, exits = bri & ~s.bri, ~bri & s.bri
    else:
        to_prc, to_roc = institutions.recognition_switches(
            p, s.prc, a, counters.plane(keys, month, U_RECOGNITION, dtype)
        )
        prc = (s.prc | to_prc) & ~to_roc
        exit_pressure = drivers.lever(lv, "us.bri_exit_pressure")
        eta = institutions.accession_logit(p, a, s.bri_share, institutions.size(p, w.gdp_bn[t]), exit_pressure)
        joins, exits = institutions.bri_changes(
            p,
            s.bri,
            s.prc,
            prc,
            drivers.lever(lv, "china.bri_offer"),
            exit_pressure,
            comply,
            eta,
            counters.plane(keys, month, U_BRI, dtype),
        )
        bri = (s.bri & ~exits) | joins
    changed = np.flatnonzero((bri != s.bri).any(axis=1))  # neighbourhood shares change only where membership did
    bri_share = s.bri_share
    if len(changed):
        bri_share = bri_share.copy()
        rows = p if np.ndim(p.subregion_weight) == 0 else _rows(p, changed)
        bri_share[changed] = mech.neighbour_mean(
            w.neighbours, w.subregion_peers, rows.subregion_weight, bri[changed].astype(dtype)
        )

    new = State(
        alignment=new_a,
        ideology=gov.ideology,
        person=gov.person,
        gov_since=gov.gov_since,
        camp_since=gov.camp_since,
        terms=gov.terms,
        next_election=gov.next_election,
        pending_ideology=gov.pending_ideology,
        pending_month=gov.pending_month,
        pending_person=gov.pending_person,
        pending_camp_change=gov.pending_camp_change,
        export_us=export_us,
        export_cn=export_cn,
        import_us=import_us,
        import_cn=import_cn,
        aid_stock=aid_stock,
        finance_stock=finance_stock,
        elite=elite,
        bri=bri,
        prc=prc,
        bri_share=bri_share,
        measure_target=measure_target,
        start_alignment=s.start_alignment,
        us_ideology=np.full((len(keys), 1), w.us_ideology[t], dtype=dtype) if month <= w.present else gov.us_ideology,
    )
    events = {
        "bri_join": joins,
        "bri_exit": exits,
        "recognition_switch": to_prc | to_roc,
        "election": gov.election,
        "government_change": gov.change,
    }
    return StepResult(new.astype(dtype), contributions, events, lv)


__all__ = ["DRAWS", "EVENTS", "TERMS", "StepResult", "cast_params", "initial_state", "step"]
