"""Batched engine: advance many runs at once through :func:`sim.dynamics.update.step`.

Runs are rows of every state array. Each run draws its uniforms from its own generator seeded by
``(seed, run index)`` (see :func:`run_seed`), and every operation of the update works row by row in a fixed order,
so a run's path never depends on which batch or worker ran it. The Mesa model (:mod:`sim.model`) seeds
``model.rng`` the same way and therefore reproduces a run exactly.

What is kept of a batch is up to a *recorder*: :class:`FullRecorder` keeps every recorded month (for ensembles of
up to a few thousand runs); :class:`OutcomeRecorder` keeps per-run outcomes only (for sweeps of any size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.config import Params
from sim.dynamics.state import State, check_finite
from sim.dynamics.terms import TERMS
from sim.dynamics.update import DRAWS, EVENTS, StepResult, initial_state, step
from sim.dynamics.world import World

RECORDED = ("alignment", "bri", "prc", "ideology", "approval", "elite", "lockin", "security")
"""State fields kept in a :class:`Trajectory`."""


def run_seed(seed: int, run: int) -> int:
    """Seed of run ``run`` of an experiment seeded ``seed``: a 63-bit integer from ``SeedSequence([seed, run])``."""
    return int(np.random.SeedSequence([int(seed), int(run)]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_generator(seed: int, run: int) -> np.random.Generator:
    """The generator of one run; :class:`sim.model.AlignmentModel` uses the very same as ``model.rng``."""
    return np.random.default_rng(run_seed(seed, run))


def draw_uniforms(seed: int, runs: Sequence[int], months: int, n_states: int, dtype: Any = np.float64) -> np.ndarray:
    """Uniforms ``(months, runs, DRAWS, states)``: run ``r`` draws ``(DRAWS, states)`` per month from its generator
    (in ``dtype``: float32 draws are a different, faster stream than float64 draws)."""
    block = np.empty((months, len(runs), len(DRAWS), n_states), dtype=dtype)
    for i, run in enumerate(runs):
        block[:, i] = run_generator(seed, run).random((months, len(DRAWS), n_states), dtype=dtype)
    return block


class Recorder(Protocol):
    """Receives the state before the scenario start and every recorded month of a batch."""

    wants_contributions: bool

    def begin(self, world: World, runs: np.ndarray, state: State) -> None: ...

    def record(self, i: int, t: int, before: State, result: StepResult) -> None: ...

    def finish(self) -> Any: ...


@dataclass
class Trajectory:
    """Recorded months ``start - 1 .. end`` of a batch of runs.

    ``states[field]`` has shape ``(months, runs, states)`` with month 0 the state before the scenario start;
    ``contributions`` ``(months - 1, terms, runs, states)`` and ``events[kind]`` ``(months - 1, runs, states)`` belong
    to the months ``start .. end``. ``changes`` maps (month offset, run, state) of a government change to its label.
    """

    months: np.ndarray
    states: dict[str, np.ndarray]
    contributions: np.ndarray
    events: dict[str, np.ndarray]
    changes: dict[tuple[int, int, int], str]
    runs: np.ndarray


class FullRecorder:
    """Keeps every recorded month of every run (memory grows with runs x months x states)."""

    wants_contributions = True

    def begin(self, world: World, runs: np.ndarray, state: State) -> None:
        self.world, self.runs = world, runs
        months = world.n_months - world.record_from
        shape = (months + 1, len(runs), world.n_states)
        self.states = {f: np.empty(shape, dtype=getattr(state, f).dtype) for f in RECORDED}
        for f in RECORDED:
            self.states[f][0] = getattr(state, f)
        self.contributions = np.empty((months, len(TERMS), len(runs), world.n_states), dtype=state.alignment.dtype)
        self.events = {k: np.zeros((months, len(runs), world.n_states), dtype=bool) for k in EVENTS}
        self.changes: dict[tuple[int, int, int], str] = {}

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        after = result.state
        for f in RECORDED:
            self.states[f][i + 1] = getattr(after, f)
        self.contributions[i] = result.contributions
        for k in EVENTS:
            self.events[k][i] = result.events[k]
        for r, c in zip(*np.nonzero(result.events["government_change"]), strict=True):
            label = self.world.scripted_leader.get((t, int(c)))
            self.changes[(i, int(r), int(c))] = label or (
                f"ideology {before.ideology[r, c]:+.2f} -> {after.ideology[r, c]:+.2f}"
            )

    def finish(self) -> Trajectory:
        months = np.arange(self.world.start - 1, self.world.end + 1)
        return Trajectory(months, self.states, self.contributions, self.events, self.changes, self.runs)


@dataclass
class Outcomes:
    """Per-run outcomes of a batch (no per-state time series).

    ``regional_mean`` and ``bri_count`` ``(months, runs)`` cover months ``start - 1 .. end``; ``alignment_end``,
    ``bri_end`` ``(runs, states)``; ``event_counts`` ``(runs, states, events)`` counts each kind of event.
    """

    runs: np.ndarray
    regional_mean: np.ndarray
    bri_count: np.ndarray
    alignment_end: np.ndarray
    bri_end: np.ndarray
    event_counts: np.ndarray


class OutcomeRecorder:
    """Keeps the regional series and end-of-run outcomes only: memory per run is independent of the states' paths."""

    wants_contributions = False

    def begin(self, world: World, runs: np.ndarray, state: State) -> None:
        months = world.n_months - world.record_from
        self.runs = runs
        self.regional = np.empty((months + 1, len(runs)), dtype=np.float32)
        self.bri = np.empty((months + 1, len(runs)), dtype=np.int16)
        self.counts = np.zeros((len(runs), world.n_states, len(EVENTS)), dtype=np.int16)
        self._take(0, state)

    def _take(self, i: int, s: State) -> None:
        self.regional[i] = s.alignment.mean(axis=1)
        self.bri[i] = s.bri.sum(axis=1)
        self.last = s

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        self._take(i + 1, result.state)
        for k, kind in enumerate(EVENTS):
            self.counts[:, :, k] += result.events[kind]

    def finish(self) -> Outcomes:
        return Outcomes(
            self.runs,
            self.regional,
            self.bri,
            self.last.alignment.astype(np.float32),
            self.last.bri.copy(),
            self.counts,
        )


def simulate(
    world: World,
    params: Params,
    seed: int,
    runs: Sequence[int] | int,
    recorder: Recorder | None = None,
    dtype: Any = np.float64,
) -> Any:
    """Run ``runs`` (indices, or a count meaning ``range(count)``) from the anchor to ``world.end``.

    Parameters may be floats or arrays of shape ``(len(runs), 1)`` (one value per run). Returns what the recorder
    returns (a :class:`Trajectory` by default).
    """
    run_ids = np.arange(runs) if isinstance(runs, int) else np.asarray(runs)
    rec: Recorder = recorder if recorder is not None else FullRecorder()
    w = world.astype(dtype)
    draws = draw_uniforms(seed, run_ids, w.n_months, w.n_states, dtype)
    state = initial_state(w, params, len(run_ids), dtype)
    first = w.record_from
    for t in range(w.n_months):
        if t == first:
            rec.begin(w, run_ids, state)
        result = step(state, t, w, params, w.plan[t], draws[t], rec.wants_contributions and t >= first)
        check_finite(result.state, w.anchor + t, w.iso3, run_ids)
        if t >= first:
            rec.record(t - first, t, state, result)
        state = result.state
    return rec.finish()
