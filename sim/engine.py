"""Batched engine: advance many runs at once through :func:`sim.dynamics.update.step`.

Runs are rows of every state array. Each run draws its uniforms from its own generator seeded by
``(seed, run index)`` (see :func:`run_seed`), so its path never depends on which batch or worker ran it; the Mesa
model (:mod:`sim.model`) seeds ``model.rng`` the same way and therefore reproduces a run exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config import Params
from sim.dynamics.state import State
from sim.dynamics.terms import TERMS
from sim.dynamics.update import DRAWS, EVENTS, initial_state, step
from sim.dynamics.world import World

RECORDED = ("alignment", "bri", "prc", "ideology", "approval", "elite", "lockin", "security")
"""State fields kept in a :class:`Trajectory`."""


def run_seed(seed: int, run: int) -> int:
    """Seed of run ``run`` of an experiment seeded ``seed``: a 63-bit integer from ``SeedSequence([seed, run])``."""
    return int(np.random.SeedSequence([int(seed), int(run)]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_generator(seed: int, run: int) -> np.random.Generator:
    """The generator of one run; :class:`sim.model.AlignmentModel` uses the very same as ``model.rng``."""
    return np.random.default_rng(run_seed(seed, run))


def draw_uniforms(seed: int, runs: Sequence[int], months: int, n_states: int) -> np.ndarray:
    """Uniforms ``(months, runs, DRAWS, states)``: run ``r`` draws ``(DRAWS, states)`` per month from its generator."""
    block = np.empty((len(runs), months, len(DRAWS), n_states))
    for i, run in enumerate(runs):
        block[i] = run_generator(seed, run).random((months, len(DRAWS), n_states))
    return block.transpose(1, 0, 2, 3)


@dataclass
class Trajectory:
    """Recorded months ``start - 1 .. end`` of a batch of runs.

    ``states[field]`` has shape ``(months, runs, states)`` with month 0 the state before the scenario start;
    ``contributions`` ``(months - 1, terms, runs, states)`` and ``events[kind]`` ``(months - 1, runs, states)`` belong
    to the months ``start .. end``. ``leaders`` maps (month offset, run, state) of a government change to its label.
    """

    months: np.ndarray
    states: dict[str, np.ndarray]
    contributions: np.ndarray
    events: dict[str, np.ndarray]
    changes: dict[tuple[int, int, int], str]
    runs: np.ndarray


def simulate(
    world: World, params: Params, seed: int, runs: Sequence[int] | int, initial: State | None = None
) -> Trajectory:
    """Run ``runs`` (indices, or a count meaning ``range(count)``) from the anchor to ``world.end``.

    Parameters may be floats or arrays of shape ``(len(runs), 1)`` (one value per run).
    """
    run_ids = np.arange(runs) if isinstance(runs, int) else np.asarray(runs)
    n_runs, n = len(run_ids), world.n_states
    draws = draw_uniforms(seed, run_ids, world.n_months, n)
    state = initial if initial is not None else initial_state(world, params, n_runs)
    first = world.record_from
    recorded = world.n_months - first + 1
    states = {f: np.empty((recorded, n_runs, n), dtype=getattr(state, f).dtype) for f in RECORDED}
    contributions = np.empty((recorded - 1, len(TERMS), n_runs, n))
    events = {k: np.zeros((recorded - 1, n_runs, n), dtype=bool) for k in EVENTS}
    changes: dict[tuple[int, int, int], str] = {}
    for t in range(world.n_months):
        if t == first:
            for f in RECORDED:
                states[f][0] = getattr(state, f)
        before = state
        result = step(state, t, world, params, world.plan[t], draws[t])
        state = result.state
        if t >= first:
            i = t - first
            for f in RECORDED:
                states[f][i + 1] = getattr(state, f)
            contributions[i] = result.contributions
            for k in EVENTS:
                events[k][i] = result.events[k]
            for r, c in zip(*np.nonzero(result.events["government_change"]), strict=False):
                label = world.scripted_leader.get((t, int(c)))
                changes[(i, int(r), int(c))] = label or (
                    f"ideology {before.ideology[r, c]:+.2f} -> {state.ideology[r, c]:+.2f}"
                )
    months = np.arange(world.start - 1, world.end + 1)
    return Trajectory(months, states, contributions, events, changes, run_ids)
