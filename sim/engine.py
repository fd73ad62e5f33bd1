"""Batched engine: advance many runs at once through :func:`sim.dynamics.update.step`.

Runs are rows of every state array. A run's random numbers are a hash of its key (from ``(seed, run index)``, see
:mod:`sim.dynamics.rng`), the month, the purpose and the state, and every operation of the update works row by row in
a fixed order, so a run's path never depends on which batch or worker ran it. The Mesa model (:mod:`sim.model`) uses
the same keys and therefore reproduces a run exactly.

What is kept of a batch is up to a *recorder*: :class:`FullRecorder` keeps every recorded month (for ensembles of
up to a few thousand runs); :class:`OutcomeRecorder` keeps per-run outcomes only (for sweeps of any size).

Two implementations of the month step give the same bits (``tests/test_kernel.py``): ``numpy``
(:func:`sim.dynamics.update.step`, the reference, which the Mesa model and the dashboard call) and ``numba``
(:func:`sim.dynamics.kernel.step`, the element-wise part compiled; about 3.5x faster here, docs/performance.md). The
engine uses ``numba`` when it is installed; ``SIM_KERNEL=numpy`` (environment) or ``simulate(..., kernel="numpy")``
selects the reference. Without numba the engine says so once, on stderr, and runs the numpy step.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.config import Params
from sim.dynamics import kernel as compiled
from sim.dynamics import rng
from sim.dynamics.alignment import TERMS
from sim.dynamics.state import State, check_finite
from sim.dynamics.update import DRAWS, EVENTS, StepResult, cast_params, initial_state, step
from sim.dynamics.world import World

RECORDED = ("alignment", "bri", "prc", "ideology", "elite", "finance_stock", "aid_stock", "export_us", "export_cn")
"""State fields kept in a :class:`Trajectory`."""


def run_key(seed: int, run: int) -> int:
    """The random key of run ``run`` of an experiment seeded ``seed`` (:mod:`sim.dynamics.rng`)."""
    return rng.run_key(seed, run)


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
        months = world.n_months
        shape = (months + 1, len(runs), world.n_states)
        self.states = {f: np.empty(shape, dtype=getattr(state, f).dtype) for f in RECORDED}
        for f in RECORDED:
            self.states[f][0] = getattr(state, f)
        self.contributions = np.empty((months, len(TERMS), len(runs), world.n_states), dtype=state.alignment.dtype)
        self.events = {k: np.zeros((months, len(runs), world.n_states), dtype=bool) for k in EVENTS}
        self.changes: dict[tuple[int, int, int], str] = {}

    def contribution_buffer(self, i: int) -> np.ndarray:
        """Where month ``i``'s contributions go: the compiled step writes them here directly (no copy)."""
        return self.contributions[i]

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        after = result.state
        for f in RECORDED:
            self.states[f][i + 1] = getattr(after, f)
        if not np.may_share_memory(result.contributions, self.contributions):  # else already written in place
            self.contributions[i] = result.contributions
        for k in EVENTS:
            self.events[k][i] = result.events[k]
        for r, c in zip(*np.nonzero(result.events["government_change"]), strict=True):
            name = self.world.leader_names.get(int(after.person[r, c]))
            shift = f"ideology {before.ideology[r, c]:+.2f} -> {after.ideology[r, c]:+.2f}"
            self.changes[(i, int(r), int(c))] = f"{name} ({shift})" if name else shift

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
        months = world.n_months
        self.runs = runs
        self.regional = np.empty((months + 1, len(runs)), dtype=np.float32)
        self.bri = np.empty((months + 1, len(runs)), dtype=np.int16)
        self.counts = np.zeros((len(EVENTS), len(runs), world.n_states), dtype=np.int16)  # contiguous per kind
        self._take(0, state)

    def _take(self, i: int, s: State) -> None:
        self.regional[i] = s.alignment.mean(axis=1)
        self.bri[i] = s.bri.sum(axis=1)
        self.last = s

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        self._take(i + 1, result.state)
        for k, kind in enumerate(EVENTS):
            happened = result.events[kind]
            if happened.any():
                self.counts[k] += happened

    def finish(self) -> Outcomes:
        return Outcomes(
            self.runs,
            self.regional,
            self.bri,
            self.last.alignment.astype(np.float32),
            self.last.bri.copy(),
            np.ascontiguousarray(self.counts.transpose(1, 2, 0)),
        )


@dataclass(frozen=True)
class LeverOverride:
    """Per-run lever values replacing the plan's for every state from month offset ``first`` (from the start) on.

    ``index`` ``(k,)`` are positions on the plan's lever axis, ``values`` ``(runs, k)`` one row per simulated run
    (in the order of the runs passed to :func:`simulate`). Used by designs whose rows set levers.
    """

    index: np.ndarray
    values: np.ndarray
    first: int


def month_levers(plan_t: np.ndarray, t: int, override: LeverOverride | None) -> np.ndarray:
    """The levers of month ``t`` handed to :func:`step`: the plan's ``(levers, N)``, or from ``override.first`` on
    a ``(R, levers, N)`` copy with the overridden levers set for every state (``step`` accepts either shape)."""
    if override is None or t < override.first:
        return plan_t
    lv = np.broadcast_to(plan_t, (len(override.values), *plan_t.shape)).copy()
    lv[:, override.index, :] = override.values[:, :, None]
    return lv


CACHED_ELEMENTS = 65_536
"""Runs x states of one batch whose state stays in the caches of a core from one month to the next (about 26 arrays
of that many elements are read and written each month); larger batches stream it from memory (docs/performance.md)."""


def batch_runs(n_states: int, most: int = 1024) -> int:
    """Runs per :func:`simulate` call for ``n_states`` states: the largest power of two up to ``most`` with
    ``runs * n_states <= CACHED_ELEMENTS`` (at least 64: smaller batches pay the per-month Python overhead per run).
    Results do not depend on it (a run's numbers depend only on its key and parameters)."""
    runs = 64
    while runs * 2 <= most and runs * 2 * n_states <= CACHED_ELEMENTS:
        runs *= 2
    return runs


KERNELS = ("numpy", "numba")
"""Implementations of the month step (module docstring)."""
_told: list[bool] = []


def kernel_name(kernel: str | None = None) -> str:
    """The step implementation to use: ``kernel`` if given, else ``$SIM_KERNEL``, else ``numba`` when installed
    (``numpy`` otherwise, said once on stderr). Asking for ``numba`` without numba installed is an error."""
    name = (kernel or os.environ.get("SIM_KERNEL") or "auto").strip().lower()
    if name == "auto":
        if compiled.AVAILABLE:
            return "numba"
        if not _told:
            _told.append(True)
            print(
                "sim.engine: numba is not installed, using the numpy step (same results, about 3.5x slower; "
                "pip install 'numba>=0.61')",
                file=sys.stderr,
            )
        return "numpy"
    if name not in KERNELS:
        raise ValueError(f"SIM_KERNEL / kernel: expected one of {', '.join(KERNELS)} or auto, got {name!r}")
    if name == "numba" and not compiled.AVAILABLE:
        raise RuntimeError("the numba step was asked for (SIM_KERNEL=numba) but numba is not installed")
    return name


LeverHook = Callable[[np.ndarray, int], np.ndarray]
"""``levers(plan_t, t)``: month ``t``'s levers ``(levers, N)`` or ``(R, levers, N)`` from the plan's ``plan_t``."""


def _lever_hook(levers: LeverOverride | LeverHook | None) -> LeverHook:
    if levers is None:
        return lambda plan_t, t: plan_t
    if isinstance(levers, LeverOverride):
        return lambda plan_t, t: month_levers(plan_t, t, levers)
    return levers


def simulate(
    world: World,
    params: Params,
    seed: int,
    runs: Sequence[int] | int,
    recorder: Recorder | None = None,
    dtype: Any = np.float64,
    levers: LeverOverride | LeverHook | None = None,
    adjust: Callable[[World, State], State] | None = None,
    streams: Sequence[int] | np.ndarray | None = None,
    kernel: str | None = None,
) -> Any:
    """Run ``runs`` (indices, or a count meaning ``range(count)``) from the state before ``world.start`` to
    ``world.end``.

    Parameters may be floats or arrays of shape ``(len(runs), 1)`` (one value per run, cast to ``dtype`` for the
    steps: :func:`~sim.dynamics.update.cast_params`). Optional hooks: ``levers`` sets levers per run, either a
    :class:`LeverOverride` or a function ``levers(plan_t, t)`` returning month ``t``'s ``(levers, N)`` or
    ``(R, levers, N)`` values; ``adjust(world, state)`` changes the initial state (``world`` in ``dtype``);
    ``streams`` (default: ``runs``) key the random numbers while ``runs`` name the runs (recorder, error messages).
    ``kernel``: ``numpy`` or ``numba`` (default: :func:`kernel_name`). Returns what the recorder returns (a :class:`Trajectory`
    by default).
    """
    run_ids = np.arange(runs) if isinstance(runs, int) else np.asarray(runs)
    rec: Recorder = recorder if recorder is not None else FullRecorder()
    w = world.astype(dtype)
    keys = rng.run_keys(seed, run_ids if streams is None else np.asarray(streams))
    counters = rng.Counters(len(DRAWS), w.n_states)
    use_numba = kernel_name(kernel) == "numba"
    accumulate = compiled.accumulate if use_numba else None  # the same operations, compiled
    state = initial_state(w, params, len(run_ids), dtype, accumulate)  # stocks accumulate in float64, then cast
    if adjust is not None:
        state = adjust(w, state)
    step_params = cast_params(params, dtype)
    fused = compiled.prepare(w, step_params, len(run_ids), dtype) if use_numba else None
    buffer = getattr(rec, "contribution_buffer", None) if rec.wants_contributions else None
    lever_hook = _lever_hook(levers)
    rec.begin(w, run_ids, state)
    for t in range(w.n_months):
        lv = lever_hook(w.plan[t], t)
        if fused is None:
            result = step(state, t, w, step_params, lv, keys, counters, rec.wants_contributions)
            check_finite(result.state, w.start + t, w.iso3, run_ids)
        else:
            out = buffer(t) if buffer is not None else None
            result, finite = compiled.step(state, t, w, fused, lv, keys, counters, rec.wants_contributions, out)
            if not finite or t == 0:  # the full check (it raises naming the value) when the loop saw a non-finite
                check_finite(result.state, w.start + t, w.iso3, run_ids)
        rec.record(t, t, state, result)
        state = result.state
    return rec.finish()
