"""Institutions submodel: recognition of Beijing or Taipei, BRI accession and exit.

Monthly hazards, the same function of a state's characteristics for every state (no state is scripted):

* Taipei -> Beijing: ``sigmoid(recognition_base + recognition_alignment * a)``; Beijing -> Taipei:
  ``sigmoid(recognition_back - recognition_alignment * a)``. Leaving Beijing ends BRI membership.
* BRI accession (states recognising Beijing, not members): ``offer * sigmoid(eta)`` with
  ``eta = bri_base + bri_alignment * a + bri_neighbours * (share - 0.5) - bri_size * size
  - bri_us_pressure * pressure_to_stay_out`` (``size = GDP / (GDP + size_gdp_half)``);
  ``offer`` is China's push (lever ``china.bri_offer``: 0 before the BRI opened to the region, a standing offer, 1 at
  forums).

The drivers of alignment (trade, finance, ideology, regime, ...) act on these choices only through the alignment
itself: each driver enters the model once. What the decisions add of their own is China's offer, the neighbours'
membership of the institution, a state's size (middle powers avoid the formal commitment: chosen by AIC on the
2017-2019 wave, 152.4 against 159.0 without it) and US pressure to stay out.
* BRI exit (members): ``bri_exit_rate * us.bri_exit_pressure * compliance`` (compliance as for coercion: from US
  economic dependence and alignment): pressure on a state with no stake in the US, or aligned against it, does not
  make it leave.

The logits are plain functions of the covariates so that the estimation (:mod:`sim.estimate`) fits exactly the
hazards the model uses.
"""

from __future__ import annotations

import numpy as np

from sim.config import Params
from sim.dynamics.drivers import sigmoid


def recognition_logit(p: Params, alignment: np.ndarray) -> np.ndarray:
    """Log-odds of switching from Taipei to Beijing this month."""
    return p.recognition_base + p.recognition_alignment * alignment


def recognition_back_logit(p: Params, alignment: np.ndarray) -> np.ndarray:
    """Log-odds of switching from Beijing back to Taipei this month."""
    return p.recognition_back - p.recognition_alignment * alignment


def size(p: Params, gdp_bn: np.ndarray) -> np.ndarray:
    """Middle-power weight in [0, 1): GDP / (GDP + size_gdp_half)."""
    return gdp_bn / (gdp_bn + p.size_gdp_half)


def accession_logit(
    p: Params, alignment: np.ndarray, neighbour_share: np.ndarray, size_: np.ndarray, stay_out_pressure: np.ndarray
) -> np.ndarray:
    """Log-odds of joining the BRI this month under a full offer."""
    return (
        p.bri_base
        + p.bri_alignment * alignment
        + p.bri_neighbours * (neighbour_share - 0.5)
        - p.bri_size * size_
        - p.bri_us_pressure * stay_out_pressure
    )


def recognition_switches(
    p: Params, prc: np.ndarray, alignment: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(to_beijing, to_taipei)`` this month (one draw per state decides whichever direction applies)."""
    hazard = np.where(prc, sigmoid(recognition_back_logit(p, alignment)), sigmoid(recognition_logit(p, alignment)))
    switch = u < hazard
    return switch & ~prc, switch & prc


def bri_changes(
    p: Params,
    bri: np.ndarray,
    prc_before: np.ndarray,
    prc_after: np.ndarray,
    offer: np.ndarray,
    exit_pressure: np.ndarray,
    comply: np.ndarray,
    eta: np.ndarray,
    u: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(joins, exits)`` this month; a member switching to Taipei leaves. One draw per state serves exit (members)
    and accession (non-members)."""
    leaves_for_taipei = bri & ~prc_after
    exits = leaves_for_taipei | (bri & (u < p.bri_exit_rate * exit_pressure * comply))
    eligible = ~bri & prc_before & prc_after
    joins = eligible & (u < offer * sigmoid(eta))
    return joins, exits
