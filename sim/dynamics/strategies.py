"""Reactive strategies: the powers answer the states' drift (on top of the scripted lever plan).

The US punishes drift toward China and China rewards it (``us.reaction``, ``china.reaction``). Drift is measured
from each state's alignment when the run starts; reactions act only after the present (the observed history is what
the powers did).
"""

from __future__ import annotations

import numpy as np

from sim.config import LEVER_DOCS
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.state import State
from sim.dynamics.world import World

TARIFF, SANCTIONS, AID = (LEVER_INDEX[k] for k in ("us.tariff", "us.sanctions", "us.aid"))
FINANCE, IMPORTS, OFFER = (LEVER_INDEX[k] for k in ("china.bri_finance", "china.import_pledge", "china.bri_offer"))
AID_MAX, FINANCE_MAX = LEVER_DOCS["us.aid"][2], LEVER_DOCS["china.bri_finance"][2]
"""Reactions keep levers within their documented ranges."""


def respond(lv: np.ndarray, s: State, w: World, t: int) -> np.ndarray:
    """The month's levers ``(levers, N)`` after the enabled reactions, as ``(R, levers, N)`` (unchanged if none)."""
    us, cn = w.us_reaction, w.china_reaction
    if w.start + t <= w.present or not (us.enabled or cn.enabled):
        return lv  # reactions belong to the future: the observed history is what the powers did
    drift = s.alignment - s.start_alignment
    out = np.broadcast_to(lv, (drift.shape[0], *lv.shape[-2:])).copy()
    if us.enabled:
        hit = drift > us.drift
        out[:, TARIFF] = np.where(hit, np.minimum(out[:, TARIFF] + us.tariff, 1.0), out[:, TARIFF])
        out[:, SANCTIONS] = np.where(hit, np.maximum(out[:, SANCTIONS], us.sanctions), out[:, SANCTIONS])
        out[:, AID] = np.where(hit, np.minimum(out[:, AID] * us.aid, AID_MAX), out[:, AID])
    if cn.enabled:
        hit = drift > cn.drift
        out[:, FINANCE] = np.where(hit, np.minimum(out[:, FINANCE] * cn.bri_finance, FINANCE_MAX), out[:, FINANCE])
        out[:, IMPORTS] = np.where(hit, np.minimum(out[:, IMPORTS] + cn.import_pledge, 1.0), out[:, IMPORTS])
        out[:, OFFER] = np.where(hit, np.maximum(out[:, OFFER], cn.bri_offer), out[:, OFFER])
    return out
