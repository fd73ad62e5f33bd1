"""Mesa agents: the 33 states and the two powers.

Agents are views onto the model's state arrays (one row per run, one column per state), so the Mesa model and the
batched engine share one update function (:func:`sim.dynamics.update.step`) and one set of numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.dynamics.alignment import TERMS
from sim.dynamics.levers import LEVER_INDEX, LEVERS

if TYPE_CHECKING:
    from sim.model import AlignmentModel


class CountryAgent(mesa.Agent):
    """A CELAC state. Its attributes read the model's arrays at column ``index``."""

    model: AlignmentModel

    def __init__(self, model: AlignmentModel, iso3: str, name: str, index: int) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.name = name
        self.index = index

    @property
    def alignment(self) -> float:
        """Position between the US (-1) and China (+1)."""
        return float(self.model.state.alignment[0, self.index])

    @property
    def bri_member(self) -> bool:
        return bool(self.model.state.bri[0, self.index])

    @property
    def recognizes_prc(self) -> bool:
        return bool(self.model.state.prc[0, self.index])

    @property
    def gov_ideology(self) -> float:
        """Government left-right position, -1 left to +1 right."""
        return float(self.model.state.ideology[0, self.index])

    @property
    def leader(self) -> str:
        """Name of the head of government (observed leaders), or "(simulated)" after a simulated election."""
        return self.model.world.leader_names.get(int(self.model.state.person[0, self.index]), "(simulated)")

    def contributions(self) -> dict[str, float]:
        """Last month's change of alignment broken down by mechanism (alignment units)."""
        last = self.model.last_contributions
        if last is None:
            return dict.fromkeys(TERMS, 0.0)
        return {term: float(last[k, 0, self.index]) for k, term in enumerate(TERMS)}


class PowerAgent(mesa.Agent):
    """The United States or China. Each month it pulls its levers as the plan says; its reactive strategy (if the
    scenario enables one) is applied inside the update, and :attr:`applied` shows the levers that actually acted."""

    model: AlignmentModel

    def __init__(self, model: AlignmentModel, power: str) -> None:
        super().__init__(model)
        self.power = power  # "us" or "china"
        self.lever_names = tuple(n for n in LEVERS if n.startswith(power + "."))
        self.indices = [LEVER_INDEX[n] for n in self.lever_names]

    def act(self) -> None:
        """Set this month's planned levers."""
        t = self.model.month_offset
        self.model.levers[self.indices] = self.model.world.plan[t, self.indices]

    @property
    def applied(self) -> np.ndarray:
        """``(levers of this power, states)``: the values that acted last month (planned ones before any step)."""
        levers = self.model.applied_levers
        return np.asarray(levers[..., self.indices, :]).reshape(len(self.indices), -1)

    def lever(self, short: str) -> np.ndarray:
        """Value of one of this power's levers for every state, as last applied."""
        return self.applied[self.lever_names.index(f"{self.power}.{short}")]
