"""Politics submodel: governments and elections.

Up to the present the heads of government are the observed ones (``seeds/events/leaders.csv``), and a result known
at the present takes office on its date (``presidents_elect.csv``). After the present each state votes on its own
calendar (first election from ``elections.csv``, then every term of ``electoral_rules.csv``); closed autocracies hold
no competitive election. At an election the incumbent camp loses with probability
``sigmoid(defeat_base + defeat_autocracy * autocracy + defeat_tenure * years in power)`` (fitted on 1990-2009
elections). A new camp's ideology is ``turnover_persistence * old + N(0, turnover_sd)``; a camp that holds keeps its
leader while re-election rules allow, else a successor ``old + N(0, successor_sd)``. Winners take office after the
state's inauguration lag. US presidential elections after the present change the administration's party with
probability ``us_turnover``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.config import Params
from sim.dynamics.drivers import sigmoid
from sim.dynamics.state import State
from sim.dynamics.world import World

NEW_PERSON = 10**6
"""Simulated leaders get person ids ``NEW_PERSON + month`` (unique within a state)."""
US_PARTIES = (-0.2, 0.5)
"""Ideology of a Democratic and a Republican administration (means of the 1990-2025 presidents, leaders.csv)."""


@dataclass
class Governments:
    """The month's governments and what happened."""

    ideology: np.ndarray
    person: np.ndarray
    gov_since: np.ndarray
    camp_since: np.ndarray
    terms: np.ndarray
    next_election: np.ndarray
    pending_ideology: np.ndarray
    pending_month: np.ndarray
    pending_person: np.ndarray
    pending_camp_change: np.ndarray
    us_ideology: np.ndarray
    election: np.ndarray  # bool: a decisive election this month
    change: np.ndarray  # bool: a new head of government took office
    camp_change: np.ndarray  # bool: ... from the other camp


def defeat_probability(p: Params, autocracy: np.ndarray, tenure_years: np.ndarray) -> np.ndarray:
    """Chance the incumbent camp loses a competitive election."""
    return sigmoid(p.defeat_base + p.defeat_autocracy * autocracy + p.defeat_tenure * tenure_years)


def new_camp_ideology(p: Params, old: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Ideology of the camp that ousts one of ideology ``old`` (``z`` standard noise)."""
    return np.clip(p.turnover_persistence * old + p.turnover_sd * z, -1.0, 1.0)


def _standard(u: np.ndarray) -> np.ndarray:
    """Uniform noise with mean 0 and s.d. 1."""
    return np.sqrt(12.0) * (u - 0.5)


def _put(full: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A copy of ``full`` ``(R, N)`` with columns ``cols`` replaced by ``values`` ``(R, len(cols))`` (cast to
    ``full``'s dtype, as the step's final cast to the run's precision would)."""
    out = full.copy()
    out[:, cols] = values
    return out


def us_administration(s: State, w: World, p: Params, t: int, u_us: np.ndarray) -> np.ndarray:
    """The US administration's ideology after month ``t`` ``(R, 1)``: at a US election after the present the party
    changes with probability ``us_turnover`` (``u_us`` the election's uniforms ``(R, 1)``)."""
    if not w.us_election[t]:
        return s.us_ideology
    switch = u_us < p.us_turnover
    other = np.where(s.us_ideology > 0, US_PARTIES[0], US_PARTIES[1])
    return np.where(switch, other, s.us_ideology).astype(s.us_ideology.dtype)


def governments(
    s: State,
    w: World,
    p: Params,
    t: int,
    u_vote: Callable[[np.ndarray], np.ndarray],
    u_ideology: Callable[[np.ndarray], np.ndarray],
    u_us: np.ndarray,
) -> Governments:
    """Advance governments by one month. ``u_vote(cols)``, ``u_ideology(cols)`` give this month's election
    uniforms ``(R, len(cols))`` of the states ``cols`` (drawn only for states that vote); ``u_us`` ``(R, 1)``: the
    US election's. Only the columns of states with an election, an inauguration or an observed change are
    computed; every other column is carried unchanged."""
    month = w.start + t
    ideology, person, gov_since, camp_since = s.ideology, s.person, s.gov_since, s.camp_since
    terms, next_election = s.terms, s.next_election
    pending_ideology, pending_month = s.pending_ideology, s.pending_month
    pending_person, pending_camp = s.pending_person, s.pending_camp_change
    shape = s.alignment.shape

    # observed changes (through the present, and known presidents-elect)
    scripted = ~np.isnan(w.scripted_ideology[t])
    change = np.broadcast_to(scripted, shape)
    camp_change = np.broadcast_to(scripted & w.scripted_camp_change[t], shape)
    if scripted.any():
        cols = np.flatnonzero(scripted)
        ideology = _put(ideology, cols, np.broadcast_to(w.scripted_ideology[t][cols], (shape[0], len(cols))))
        person = _put(person, cols, np.broadcast_to(w.scripted_person[t][cols], (shape[0], len(cols))))
        gov_since = _put(gov_since, cols, month)
        camp_cols = np.flatnonzero(scripted & w.scripted_camp_change[t])
        if len(camp_cols):
            camp_since = _put(camp_since, camp_cols, month)
        terms = _put(terms, cols, 1)

    # elections after the present
    election = np.zeros(shape, dtype=bool)
    if month > w.present:
        election = (next_election == month) & ~w.closed[t]
        cols = np.flatnonzero(election.any(axis=0))
        if len(cols):
            e = election[:, cols]
            ideo, terms_c = ideology[:, cols], terms[:, cols]
            tenure = (month - camp_since[:, cols]) / 12.0
            lose = u_vote(cols) < defeat_probability(p, w.autocracy[t][cols], tenure)
            forced_ideology = w.forced_ideology[cols]
            forced = e & ~np.isnan(forced_ideology) & (month == w.election_month[cols])
            if forced.any():  # a scenario's what-if: the winner's ideology is given; its camp is the one of that sign
                lose = np.where(forced, np.sign(forced_ideology) != np.sign(ideo), lose)
            z = _standard(u_ideology(cols))
            can_stay = (terms_c < w.max_terms[cols]) & ~forced
            stays = e & ~lose & can_stay
            successor = e & ~lose & ~can_stay
            ousted = e & lose
            winner = np.where(ousted, new_camp_ideology(p, ideo, z), np.clip(ideo + p.successor_sd * z, -1, 1))
            if forced.any():
                winner = np.where(forced, forced_ideology, winner)
            new_government = successor | ousted
            lag = w.lag_months[cols]
            takes = np.where(lag > 0, month + lag, month)
            pending_ideology = _put(pending_ideology, cols, np.where(new_government, winner, pending_ideology[:, cols]))
            pending_month = _put(pending_month, cols, np.where(new_government, takes, pending_month[:, cols]))
            pending_person = _put(
                pending_person, cols, np.where(new_government, NEW_PERSON + month, pending_person[:, cols])
            )
            pending_camp = _put(pending_camp, cols, np.where(new_government, ousted, pending_camp[:, cols]))
            terms = _put(terms, cols, np.where(stays, terms_c + 1, terms_c))
            next_election = _put(
                next_election, cols, np.where(e, next_election[:, cols] + w.term_months[cols], next_election[:, cols])
            )

    # inaugurations of simulated winners
    inaugurated = pending_month == month
    cols = np.flatnonzero(inaugurated.any(axis=0))
    if len(cols):
        inaug = inaugurated[:, cols]
        camp = inaug & pending_camp[:, cols]
        ideology = _put(ideology, cols, np.where(inaug, pending_ideology[:, cols], ideology[:, cols]))
        person = _put(person, cols, np.where(inaug, pending_person[:, cols], person[:, cols]))
        gov_since = _put(gov_since, cols, np.where(inaug, month, gov_since[:, cols]))
        camp_since = _put(camp_since, cols, np.where(camp, month, camp_since[:, cols]))
        terms = _put(terms, cols, np.where(inaug, 1, terms[:, cols]))
        change = change | inaugurated
        camp_change = camp_change | (inaugurated & pending_camp)
        pending_month = _put(pending_month, cols, np.where(inaug, -1, pending_month[:, cols]))
        pending_ideology = _put(pending_ideology, cols, np.where(inaug, np.nan, pending_ideology[:, cols]))

    us_ideology = us_administration(s, w, p, t, u_us)

    return Governments(
        ideology,
        person,
        gov_since,
        camp_since,
        terms,
        next_election,
        pending_ideology,
        pending_month,
        pending_person,
        pending_camp,
        us_ideology,
        election,
        np.asarray(change),
        np.asarray(camp_change),
    )
