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


def governments(
    s: State, w: World, p: Params, t: int, u_vote: np.ndarray, u_ideology: np.ndarray, u_us: np.ndarray
) -> Governments:
    """Advance governments by one month (``u_vote``, ``u_ideology``: this month's election uniforms ``(R, N)``;
    ``u_us`` ``(R, 1)``: the US election's)."""
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
        ideology = np.where(scripted, w.scripted_ideology[t], ideology)
        person = np.where(scripted, w.scripted_person[t], person)
        gov_since = np.where(scripted, month, gov_since)
        camp_since = np.where(camp_change, month, camp_since)
        terms = np.where(scripted, 1, terms)

    # elections after the present
    election = (next_election == month) & (month > w.present) & ~w.closed[t]
    if election.any():
        tenure = (month - camp_since) / 12.0
        lose = u_vote < defeat_probability(p, w.autocracy[t], tenure)
        forced = election & ~np.isnan(w.forced_ideology) & (month == w.election_month)
        if forced.any():  # a scenario's what-if: the winner's ideology is given; its camp is the one of that sign
            lose = np.where(forced, np.sign(w.forced_ideology) != np.sign(ideology), lose)
        z = _standard(u_ideology)
        can_stay = (terms < w.max_terms) & ~forced
        stays = election & ~lose & can_stay
        successor = election & ~lose & ~can_stay
        ousted = election & lose
        winner = np.where(ousted, new_camp_ideology(p, ideology, z), np.clip(ideology + p.successor_sd * z, -1, 1))
        if forced.any():
            winner = np.where(forced, w.forced_ideology, winner)
        new_government = successor | ousted
        lag = w.lag_months
        takes = np.where(lag > 0, month + lag, month)
        pending_ideology = np.where(new_government, winner, pending_ideology)
        pending_month = np.where(new_government, takes, pending_month)
        pending_person = np.where(new_government, NEW_PERSON + month, pending_person)
        pending_camp = np.where(new_government, ousted, pending_camp)
        terms = np.where(stays, terms + 1, terms)
        next_election = np.where(election, next_election + w.term_months, next_election)
    else:
        election = np.zeros(shape, dtype=bool)

    # inaugurations of simulated winners
    inaugurated = pending_month == month
    if inaugurated.any():
        ideology = np.where(inaugurated, pending_ideology, ideology)
        person = np.where(inaugurated, pending_person, person)
        gov_since = np.where(inaugurated, month, gov_since)
        camp_since = np.where(inaugurated & pending_camp, month, camp_since)
        terms = np.where(inaugurated, 1, terms)
        change = change | inaugurated
        camp_change = camp_change | (inaugurated & pending_camp)
        pending_month = np.where(inaugurated, -1, pending_month)
        pending_ideology = np.where(inaugurated, np.nan, pending_ideology)

    us_ideology = s.us_ideology
    if w.us_election[t]:
        switch = u_us < p.us_turnover
        other = np.where(us_ideology > 0, US_PARTIES[0], US_PARTIES[1])
        us_ideology = np.where(switch, other, us_ideology).astype(s.us_ideology.dtype)

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
