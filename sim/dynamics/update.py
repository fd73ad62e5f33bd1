"""The one update function: advance every run one month.

:func:`step` is the single source of truth for the dynamics: the Mesa model calls it with one run, the batched
engine with thousands, the dashboard with one run at a time. Random numbers come in as uniforms ``u`` of shape
``(R, DRAWS, N)``, drawn by the caller from each run's own generator, so a run's path depends only on its seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from sim.config import Params
from sim.dynamics.state import State
from sim.dynamics.strategies import respond
from sim.dynamics.terms import (
    DETERMINISTIC_TERMS,
    TERMS,
    deterministic_terms,
    exposure,
    hosted_per_month,
    lever,
    middle_power,
    neighbour_mean,
    security_target,
    sigmoid,
    structural_residual,
)
from sim.dynamics.world import World

DRAWS: tuple[str, ...] = ("shock", "approval", "bri", "recognition", "election")
"""Purposes of the uniform draws, in the order of the draw axis. One uniform serves both BRI exit (members) and
accession (non-members), and the election uniform also gives the winner's ideology (its conditional position is
again uniform)."""
U_SHOCK, U_APPROVAL, U_BRI, U_RECOGNITION, U_ELECTION = range(len(DRAWS))
SQRT12 = float(np.sqrt(12.0))

EVENTS: tuple[str, ...] = ("bri_join", "bri_exit", "recognition_switch", "election", "government_change")


@dataclass
class StepResult:
    """What one month produced: the new state, each term's contribution ``(K, R, N)``, event masks ``(R, N)`` and the
    levers that applied (the plan after the powers' reactions)."""

    state: State
    contributions: np.ndarray
    events: dict[str, np.ndarray]
    levers: np.ndarray


def _bernoulli(
    eligible: np.ndarray, draw: np.ndarray, bound: Any, hazard: Callable[[Callable[[Any], np.ndarray]], np.ndarray]
) -> np.ndarray:
    """Events ``draw < hazard`` among ``eligible`` entries, where ``hazard <= bound`` everywhere.

    The hazard is evaluated only where ``draw < bound`` (rare events stay cheap): ``hazard(g)`` receives ``g``,
    which gathers any array broadcastable to ``draw`` at those entries. Decisions equal the full computation.
    """
    ix = np.nonzero(eligible & (draw < bound))
    out = np.zeros(draw.shape, dtype=bool)
    if len(ix[0]):
        out[ix] = draw[ix] < hazard(lambda x: x if np.ndim(x) == 0 else np.broadcast_to(x, draw.shape)[ix])
    return out


def _rows(p: Params, rows: np.ndarray) -> Params:
    """``p`` restricted to some runs (parameters given per run as ``(R, 1)`` arrays)."""
    return replace(p, **{f.name: getattr(p, f.name)[rows] for f in fields(p) if np.ndim(getattr(p, f.name)) == 2})


def _centred(u: np.ndarray) -> np.ndarray:
    """Uniform noise with mean 0 and standard deviation 1 from uniforms on [0, 1)."""
    return SQRT12 * (u - 0.5)


def initial_state(w: World, p: Params, runs: int, dtype: Any = np.float64) -> State:
    """The state at the start of the anchor month, identical for every run.

    Alignment starts at the calibrated index (a weighted mean of a UN-vote, a trade, a security and an institutional
    component); the structural residual is then set so that the deterministic terms balance under the anchor month's
    levers, so change comes from events, levers, elections and stocks rather than from an arbitrary start.
    """
    n = w.n_states
    ones = np.ones((runs, n), dtype=dtype)
    d_us, d_cn = exposure(w, w.export_us, w.export_cn, w.import_us, w.import_cn)
    economic = (d_cn - d_us) / (d_cn + d_us)
    sec = security_target(w.arms0, w, p)
    institutional = 0.5 * w.bri0.astype(dtype) - 0.5 * (~w.prc0).astype(dtype)
    weights = (p.index_diplomatic, p.index_economic, p.index_security, p.index_institutional)
    total = sum(weights)
    alignment = (
        weights[0] * w.diplomatic + weights[1] * economic - weights[2] * sec + weights[3] * institutional
    ) / total
    lv = w.plan[0]
    hosted_us, hosted_cn = hosted_per_month(w, lv)
    elite = np.clip(p.elite_gain * (hosted_cn - hosted_us) / (p.elite_decay + 1e-12), -1.0, 1.0)
    s = State(
        alignment=ones * alignment,
        approval=ones * w.approval0,
        ideology=ones * w.ideology0,
        opposition=ones * w.opposition0,
        elite=ones * elite,
        lockin=ones * w.cn_stock_pct,
        security=ones * sec,
        arms=ones * w.arms0,
        export_us=ones * w.export_us,
        export_cn=ones * w.export_cn,
        import_us=ones * w.import_us,
        import_cn=ones * w.import_cn,
        residual=ones * 0.0,
        anchor_alignment=ones * alignment,
        start_alignment=ones * alignment,
        bri=np.broadcast_to(w.bri0, (runs, n)).copy(),
        bri_share=ones * 0.0,
        prc=np.broadcast_to(w.prc0, (runs, n)).copy(),
        gov_since=np.broadcast_to(w.gov_since0, (runs, n)).copy(),
        next_election=np.broadcast_to(w.first_election, (runs, n)).copy(),
    )
    s.bri_share = neighbour_mean(w, p, s.bri.astype(dtype))
    terms = deterministic_terms(s, w, p, lv, 0)
    pull = sum(terms[name] for name in DETERMINISTIC_TERMS)
    s.residual = s.alignment - pull / p.w_residual
    return s.astype(dtype)


def step(
    s: State, t: int, w: World, p: Params, lv: np.ndarray, u: np.ndarray, with_contributions: bool = True
) -> StepResult:
    """Advance month ``t`` (offset from the anchor) for every run.

    ``lv`` holds the month's lever values ``(levers, N)`` or ``(R, levers, N)``; ``u`` the uniforms ``(R, DRAWS, N)``.
    Order within the month: alignment terms (on the state at the start of the month), then stocks, approval,
    governments (scripted or elected), recognition, BRI exit and BRI accession. Without ``with_contributions`` the
    per-term breakdown is not assembled (``contributions`` is empty); the state is the same either way.
    """
    month = w.anchor + t
    if month == w.start:
        s = replace(s, start_alignment=s.alignment)
    lv = respond(lv, s, w, t)
    a = s.alignment
    terms = deterministic_terms(s, w, p, lv, t)
    terms["structural_residual"] = structural_residual(s, p)
    deterministic = terms[TERMS[0]].copy()
    for name in TERMS[1:-1]:
        deterministic += terms[name]
    new_a = np.clip(a + deterministic + p.shock_sd * _centred(u[:, U_SHOCK]), -1.0, 1.0)
    terms["shock"] = new_a - a - deterministic  # the shock absorbs the clip at +-1: contributions sum exactly
    contributions = np.stack([terms[name] for name in TERMS]) if with_contributions else np.empty(0)

    # trade shares drift toward the levers and the change of alignment since the anchor (trade follows politics)
    tilt = p.alignment_trade_tilt * (a - s.anchor_alignment)
    rate = p.trade_adjust_rate
    ex_us = s.export_us + rate * (
        w.export_us * np.maximum(1 - p.tariff_elasticity * lever(lv, "us.tariff"), 0) * (1 - tilt) - s.export_us
    )
    ex_cn = s.export_cn + rate * (w.export_cn * (1 + lever(lv, "china.import_pledge")) * (1 + tilt) - s.export_cn)
    im_us = s.import_us + rate * (w.import_us * (1 - tilt) - s.import_us)
    im_cn = s.import_cn + rate * (w.import_cn * (1 + tilt) - s.import_cn)
    ex_scale = np.maximum(ex_us + ex_cn, 1.0)
    im_scale = np.maximum(im_us + im_cn, 1.0)

    # stocks: elite attitudes, lock-in, security ties
    hosted_us, hosted_cn = hosted_per_month(w, lv)
    elite = np.clip(s.elite + p.elite_gain * (hosted_cn - hosted_us) - p.elite_decay * s.elite, -1.0, 1.0)
    lockin = s.lockin * (1 - p.lockin_decay) + terms["_cn_finance"] / 12.0
    arms = s.arms if w.arms_unchanged[t] else np.where(np.isnan(w.scripted_arms[t]), s.arms, w.scripted_arms[t])
    security = s.security + p.security_adjust_rate * (security_target(arms, w, p) - s.security)

    # approval: reversion, rally round the flag under resisted pressure, noise
    rally = p.rally_effect * terms["_pressure"] * (1 - terms["_compliance"])
    approval = np.clip(
        s.approval
        + p.approval_reversion * (p.approval_baseline - s.approval)
        + rally
        + p.approval_noise * _centred(u[:, U_APPROVAL]),
        0.02,
        0.98,
    )

    # governments: dated changes during the history, elections afterwards (every election seats a new leader;
    # a government_change event marks a change of camp)
    ideology, opposition, gov_since, next_election = s.ideology, s.opposition, s.gov_since, s.next_election
    scripted = w.scripted_ideology[t]
    has_script = ~np.isnan(scripted)
    election = (next_election == month) & (month > w.present)
    gov_change = np.broadcast_to(has_script, a.shape)
    if has_script.any():
        ideology = np.where(has_script, scripted, ideology)
        gov_since = np.where(has_script, month, gov_since)
    if election.any():
        p_keep = sigmoid(p.election_approval_slope * (s.approval - 0.5) + p.election_incumbency)
        draw = u[:, U_ELECTION]
        keep = draw < p_keep
        within = np.where(keep, draw / p_keep, (draw - p_keep) / (1.0 - p_keep))  # uniform again, given the outcome
        noise = p.election_ideology_noise * _centred(within)
        winner = np.where(keep, ideology + 0.5 * noise, opposition + noise)
        forced = ~np.isnan(w.forced_ideology) & (month == w.first_election)  # a scenario's what-if outcome
        if forced.any():
            winner = np.where(forced, w.forced_ideology, winner)
            keep = np.where(forced, np.sign(w.forced_ideology) == np.sign(ideology), keep)
        lost = election & ~keep
        opposition = np.where(lost, ideology, opposition)
        ideology = np.where(election, np.clip(winner, -1.0, 1.0), ideology)
        gov_change = gov_change | lost
        gov_since = np.where(election, month, gov_since)
        next_election = np.where(election, next_election + np.rint(12 * p.term_years).astype(np.int64), next_election)
    approval = np.where(gov_change, approval.dtype.type(p.approval_honeymoon), approval)

    # recognition: Taipei -> Beijing and back (leaving Beijing ends BRI membership); one draw, one direction each
    draw = u[:, U_RECOGNITION]
    switches = _bernoulli(
        True,
        draw,
        np.maximum(p.recognition_switch_rate, p.recognition_back_rate),
        lambda g: np.where(
            g(s.prc),
            g(p.recognition_back_rate) * sigmoid((g(p.recognition_back_threshold) - g(a)) / g(p.recognition_scale)),
            g(p.recognition_switch_rate) * sigmoid((g(a) - g(p.recognition_switch_threshold)) / g(p.recognition_scale)),
        ),
    )
    to_prc, to_roc = switches & ~s.prc, switches & s.prc
    prc = (s.prc | to_prc) & ~to_roc

    # BRI: exit under US pressure where the state complies; accession when the government finds it worthwhile,
    # it recognises Beijing and China offers (the offer peaks at summits and forums)
    draw = u[:, U_BRI]
    pressure_bri = lever(lv, "us.bri_exit_pressure")
    exit_bound = p.bri_exit_rate * pressure_bri
    leaves = (s.bri & to_roc) | _bernoulli(s.bri, draw, exit_bound, lambda g: g(exit_bound) * g(terms["_compliance"]))
    join_bound = p.bri_join_rate * lever(lv, "china.bri_offer")
    structural = -p.bri_join_hedging * middle_power(w, p) - p.bri_join_us_pressure * pressure_bri
    joins = _bernoulli(
        ~s.bri & s.prc & prc,
        draw,
        join_bound,
        lambda g: (
            g(join_bound)
            * sigmoid(
                (g(a) - g(p.bri_join_threshold)) / g(p.bri_join_scale)
                + g(p.bri_join_ideology) * g(terms["_ideology_target"])
                + g(p.bri_join_diffusion) * (g(s.bri_share) - 0.5)
                - g(p.bri_join_dependence) * g(terms["_us_dependence"])
                + g(structural)
            )
        ),
    )
    bri = (s.bri & ~leaves) | joins
    if month == w.present and w.start > w.present:
        # the spin-up ends on the observed present: facts known then replace what the replay drew
        bri = np.broadcast_to(w.bri_present, bri.shape).copy()
        prc = np.broadcast_to(w.prc_present, prc.shape).copy()
        leaves, joins = leaves & ~bri, joins & bri
    changed = np.flatnonzero((bri != s.bri).any(axis=1))  # neighbourhood shares change only where membership did
    bri_share = s.bri_share
    if len(changed):
        bri_share = bri_share.copy()
        rows = p if np.ndim(p.subregion_weight) == 0 else _rows(p, changed)
        bri_share[changed] = neighbour_mean(w, rows, bri[changed].astype(a.dtype))

    new = State(
        alignment=new_a,
        approval=approval,
        ideology=ideology,
        opposition=opposition,
        elite=elite,
        lockin=lockin,
        security=security,
        arms=arms,
        export_us=ex_us / ex_scale,
        export_cn=ex_cn / ex_scale,
        import_us=im_us / im_scale,
        import_cn=im_cn / im_scale,
        residual=s.residual,
        anchor_alignment=s.anchor_alignment,
        start_alignment=s.start_alignment,
        bri=bri,
        bri_share=bri_share,
        prc=prc,
        gov_since=gov_since,
        next_election=next_election,
    )
    events = {
        "bri_join": joins,
        "bri_exit": leaves,
        "recognition_switch": to_prc | to_roc,
        "election": election,
        "government_change": gov_change,
    }
    return StepResult(new.astype(a.dtype), contributions, events, lv)


__all__ = ["DRAWS", "EVENTS", "StepResult", "initial_state", "step"]
