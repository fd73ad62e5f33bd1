"""What a sensitivity run keeps: a handful of outputs per run, recorded by :class:`SensitivityRecorder`.

Output columns (one value per run; an analysis uses the mean over a set's replications):

* ``regional_mean_end`` — unweighted mean alignment of the 33 states at the horizon (``end``), -1 US .. +1 China;
* ``bri_members_end`` — number of BRI members at the horizon;
* ``bri_exit_any`` — 1 if any state left the BRI during the run, else 0 (its set mean is the probability);
* ``alignment_end:<ISO3>`` — each state's alignment at the horizon (the family ``alignment_end``);
* ``regional_mean:<YYYY>`` — the regional mean at the end of each calendar year the run covers (December, or the
  horizon in its last year; the family ``regional_mean``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.dynamics.state import State
from sim.dynamics.update import StepResult
from sim.dynamics.world import World

SCALARS = ("regional_mean_end", "bri_members_end", "bri_exit_any")
FAMILIES = ("regional_mean_end", "bri_members_end", "bri_exit_any", "alignment_end", "regional_mean")
"""Names a user may give in ``outputs=[...]``: the scalars and the two families."""


@dataclass(frozen=True)
class OutputLayout:
    """The output columns of a study: the states and the months closing each recorded year."""

    iso3: tuple[str, ...]
    years: tuple[int, ...]
    year_steps: tuple[int, ...]  # step index (0 = the scenario start) whose state closes each year

    @classmethod
    def of(cls, world: World) -> OutputLayout:
        """Year ends of ``world``'s months (December, and the horizon if it is not a December)."""
        months = np.arange(world.start, world.end + 1)
        ends = [i for i, m in enumerate(months) if m % 12 == 11 or m == world.end]
        return cls(tuple(world.iso3), tuple(int(months[i] // 12) for i in ends), tuple(ends))

    @property
    def columns(self) -> list[str]:
        return [
            *SCALARS,
            *(f"alignment_end:{c}" for c in self.iso3),
            *(f"regional_mean:{y}" for y in self.years),
        ]

    def family(self, name: str) -> list[str]:
        """The columns of an output name or family (``alignment_end`` -> every state's column)."""
        if name == "alignment_end":
            return [f"alignment_end:{c}" for c in self.iso3]
        if name == "regional_mean":
            return [f"regional_mean:{y}" for y in self.years]
        if name in self.columns:
            return [name]
        raise KeyError(name)


class SensitivityRecorder:
    """Engine recorder (:class:`sim.engine.Recorder`) keeping only the outputs of :mod:`sim.sensitivity.outputs`:
    per run a few scalars, the states' alignment at the horizon and the regional mean at each year end."""

    wants_contributions = False

    def __init__(self, layout: OutputLayout) -> None:
        self.layout = layout
        self.slot = {step: k for k, step in enumerate(layout.year_steps)}

    def begin(self, world: World, runs: np.ndarray, state: State) -> None:
        self.runs = runs
        self.regional = np.empty((len(self.layout.year_steps), len(runs)), dtype=np.float32)
        self.exit_any = np.zeros(len(runs), dtype=bool)
        self.last = state

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        self.exit_any |= result.events["bri_exit"].any(axis=1)
        k = self.slot.get(i)
        if k is not None:
            self.regional[k] = result.state.alignment.mean(axis=1)
        self.last = result.state

    def finish(self) -> dict[str, np.ndarray]:
        """``{column: (runs,) array}`` in :attr:`OutputLayout.columns` order."""
        a = self.last.alignment
        out = {
            "regional_mean_end": a.mean(axis=1).astype(np.float32),
            "bri_members_end": self.last.bri.sum(axis=1).astype(np.float32),
            "bri_exit_any": self.exit_any.astype(np.float32),
        }
        for j, code in enumerate(self.layout.iso3):
            out[f"alignment_end:{code}"] = a[:, j].astype(np.float32)
        for k, year in enumerate(self.layout.years):
            out[f"regional_mean:{year}"] = self.regional[k]
        return out
