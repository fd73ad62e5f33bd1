"""Batched evaluation: rows of a sample, each run ``replications`` times, through the engine's update function.

Run ``r`` of a study is sample row ``r // R``, replication ``r % R``. Its random numbers are keyed by ``(seed,
stream)`` alone (:mod:`sim.dynamics.rng`), so a run's outputs never depend on the batch, slice or worker that ran it.
The stream (:func:`stream_ids`) is the replication ``r % R`` with common random numbers (the default: replication
``k`` of every factor set draws the same numbers, so the set means are a deterministic function of the factors) and
the run index ``r`` with independent streams (``common_random_numbers=false``).

A batch of rows becomes one array batch of runs: behavioural parameters as ``(runs, 1)`` arrays, levers and data
factors applied month by month by :class:`RunLevers`, outputs kept by
:class:`~sim.sensitivity.outputs.SensitivityRecorder`.

:func:`simulate_runs` calls :func:`sim.engine.simulate` with its hooks: a per-run lever function and an adjustment of
the initial state (the data factors' share of the aid and finance stocks); ``tests/test_sensitivity.py`` checks that it
returns exactly what the engine returns for parameter-only batches.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from sim.config import ChinaLevers, Params, RunConfig, USLevers
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics import rng
from sim.dynamics.drivers import initial_stocks
from sim.dynamics.levers import LEVER_INDEX, build_lever_plan
from sim.dynamics.state import State
from sim.dynamics.world import World
from sim.engine import simulate
from sim.sensitivity.outputs import OutputLayout, SensitivityRecorder
from sim.sensitivity.space import DATA_FACTORS, LEADER_MEASURES, Factor, data_month


class Evaluator(Protocol):
    """What the pipeline runs: ``evaluate(first_row, X)`` returns ``{column: (rows * replications,) array}`` for
    sample rows ``first_row ..`` (each repeated ``replications`` times, replication fastest)."""

    replications: int
    columns: list[str]

    def evaluate(self, first_row: int, x: np.ndarray) -> dict[str, np.ndarray]: ...


def stream_ids(first_row: int, rows: int, replications: int, common: bool) -> np.ndarray:
    """The random streams of rows ``first_row .. first_row + rows - 1``, each run ``replications`` times
    (replication fastest): the replication index with common random numbers, else the run index."""
    if common:
        return np.tile(np.arange(replications), rows)
    return np.arange(first_row * replications, (first_row + rows) * replications)


def simulate_runs(
    world: World,
    params: Params,
    seed: int,
    runs: np.ndarray,
    recorder: Any,
    dtype: Any,
    levers: Callable[[np.ndarray, int], np.ndarray] | None = None,
    adjust: Callable[[World, State], State] | None = None,
    streams: np.ndarray | None = None,
) -> Any:
    """:func:`sim.engine.simulate` with ``levers(plan_t, t)`` giving each month's ``(levers, N)`` or
    ``(runs, levers, N)`` values and ``adjust(world, state)`` changing the initial state. ``streams`` (default:
    ``runs``) key the random numbers; ``runs`` name the runs (recorder, error messages)."""
    run_ids = np.asarray(runs)
    return simulate(world, params, seed, run_ids, recorder, dtype, levers=levers, adjust=adjust, streams=streams)


def status_quo_masks(cfg: RunConfig, seeds: SeedTables, world: World, factors: Sequence[Factor]) -> dict[str, Any]:
    """``(months, states)`` masks of the lever-plan entries a data or offer factor acts on.

    A data factor scales its lever's entries after the present that hold the status quo (equal to the plan built
    without the scenario's levers); the standing offer replaces the ``china.bri_offer`` entries that carry it (those
    that change when the history's standing offer changes, and that the scenario left alone).
    """
    kinds = {f.name: f.kind for f in factors}
    if not any(k in ("data", "offer") for k in kinds.values()):
        return {}
    base = replace(cfg, us=USLevers(), china=ChinaLevers(), pinned=[])
    sq = build_lever_plan(base, seeds.panels, world.iso3, world.start, world.end)
    months = np.arange(world.start, world.end + 1)
    after = (months > world.present)[:, None]
    masks: dict[str, Any] = {}
    for name, kind in kinds.items():
        if kind == "data":
            j = LEVER_INDEX[DATA_FACTORS[name].lever]
            masks[name] = after & np.isclose(world.plan[:, j], sq[:, j])
        elif kind == "offer":
            j = LEVER_INDEX["china.bri_offer"]
            other = 0.5 if cfg.history.standing_offer != 0.5 else 0.75
            moved = replace(base, history=replace(cfg.history, standing_offer=other))
            driven = build_lever_plan(moved, seeds.panels, world.iso3, world.start, world.end)[:, j] != sq[:, j]
            masks[name] = driven & np.isclose(world.plan[:, j], sq[:, j])
    return masks


class RunLevers:
    """Each month's levers for a batch of runs: data factors scale the status-quo entries, the standing offer
    replaces the entries that carry it, lever factors set every state from the start, targets one state."""

    def __init__(self, factors: Sequence[Factor], values: np.ndarray, masks: dict[str, np.ndarray]) -> None:
        self.scale: list[tuple[int, np.ndarray, np.ndarray]] = []
        self.put: list[tuple[int, np.ndarray, np.ndarray]] = []
        self.every: list[tuple[int, np.ndarray]] = []
        self.one: list[tuple[int, int, np.ndarray]] = []
        for j, f in enumerate(factors):
            column = values[:, j]
            if f.kind == "data":
                self.scale.append((LEVER_INDEX[DATA_FACTORS[f.name].lever], masks[f.name], column[:, None]))
            elif f.kind == "offer":
                self.put.append((LEVER_INDEX["china.bri_offer"], masks[f.name], column[:, None]))
            elif f.kind == "lever":
                self.every.append((LEVER_INDEX[f.name], column[:, None]))
            elif f.kind == "target":
                power, _, iso3, lever = f.name.split(".")
                self.one.append((LEVER_INDEX[f"{power}.{lever}"], CELAC_ISO3.index(iso3), column))
        self.runs = len(values)

    @property
    def active(self) -> bool:
        return bool(self.scale or self.put or self.every or self.one)

    def __call__(self, plan_t: np.ndarray, t: int) -> np.ndarray:
        lv = np.broadcast_to(plan_t, (self.runs, *plan_t.shape)).copy()
        for j, mask, m in self.scale:
            if mask[t].any():
                lv[:, j, :] = np.where(mask[t], lv[:, j, :] * m, lv[:, j, :])
        for j, mask, v in self.put:
            if mask[t].any():
                lv[:, j, :] = np.where(mask[t], v, lv[:, j, :])
        for j, v in self.every:
            lv[:, j, :] = v
        for j, n, v in self.one:
            lv[:, j, n] = v
        return lv


@dataclass
class ModelEvaluator:
    """The alignment model as an :class:`Evaluator` (picklable: sent once to every worker)."""

    world: World
    base: Params
    seed: int
    dtype: str
    replications: int
    factors: tuple[Factor, ...]
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    layout: OutputLayout | None = None
    common_random_numbers: bool = True  # replication k of every set draws stream k (else each run its own)

    def __post_init__(self) -> None:
        if self.layout is None:
            self.layout = OutputLayout.of(self.world)

    @property
    def columns(self) -> list[str]:
        assert self.layout is not None
        return self.layout.columns

    def params_for(self, values: np.ndarray) -> Params:
        """The base parameters with the ``params.*`` factors as ``(runs, 1)`` arrays in the run's precision (float64
        arrays would promote every float32 operation they enter)."""
        dtype = np.dtype(self.dtype)
        chosen = {f.short: values[:, j][:, None].astype(dtype) for j, f in enumerate(self.factors) if f.kind == "param"}
        return dataclasses.replace(self.base, **chosen)

    def _groups(self, values: np.ndarray) -> list[tuple[World, np.ndarray]]:
        """Worlds for leader-measure levers (their spells start where a value is positive, by the builder's rule)."""
        touched = {f.name: j for j, f in enumerate(self.factors) if f.name in LEADER_MEASURES}
        if not touched:
            return [(self.world, np.arange(len(values)))]
        from sim.runners.design import Design, world_groups

        on = Design({name: (values[:, j] > 0).astype(float) for name, j in touched.items()}, replications=1)
        return world_groups(self.world, on, np.arange(len(values)))

    def _adjust(self, values: np.ndarray, params: Params) -> Callable[[World, State], State] | None:
        """Scale the share of the initial aid / finance stock that comes from a data factor's months."""
        scaled = [(j, f) for j, f in enumerate(self.factors) if f.kind == "data"]
        if not scaled:
            return None

        def adjust(w: World, state: State) -> State:
            past = w.past_flows
            first_past = w.first - len(past) + 1  # month of past_flows[0]
            for j, f in scaled:
                k0 = max(0, data_month(f.name) - first_past)
                if k0 >= len(past):
                    continue
                part = initial_stocks(replace(w, past_flows=past[k0:]), params, len(values), np.float64)
                flow = DATA_FACTORS[f.name].flow
                extra = (values[:, j][:, None] - 1.0) * part[flow]
                name = "aid_stock" if flow == 0 else "finance_stock"
                setattr(state, name, (getattr(state, name) + extra).astype(state.alignment.dtype))
            return state

        return adjust

    def _observed_flows(self, world: World, values: np.ndarray) -> World:
        """A hindcast's observed flows from a data factor's first month up to the present, scaled per run."""
        months = np.arange(world.start, world.end + 1)
        changes = {}
        for j, f in enumerate(self.factors):
            if f.kind != "data":
                continue
            rows = (months >= data_month(f.name)) & (months <= world.present)
            if not rows.any():
                continue
            name = "aid_flow" if DATA_FACTORS[f.name].flow == 0 else "finance_flow"
            current = changes.get(name, getattr(world, name))
            if current.ndim == 2:
                current = np.broadcast_to(current[:, None, :], (len(months), len(values), world.n_states)).copy()
            current[rows] *= values[:, j][None, :, None]
            changes[name] = current
        return replace(world, **changes) if changes else world

    def run(
        self, runs: np.ndarray, values: np.ndarray, world: World | None = None, streams: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Outputs of ``runs`` whose factor values are the rows of ``values``, drawing the random streams
        ``streams`` (default: the run indices)."""
        assert self.layout is not None
        world = self._observed_flows(world or self.world, values)
        params = self.params_for(values)
        levers = RunLevers(self.factors, values, self.masks)
        recorder = SensitivityRecorder(self.layout)
        return simulate_runs(
            world,
            params,
            self.seed,
            runs,
            recorder,
            np.dtype(self.dtype),
            levers if levers.active else None,
            self._adjust(values, params),
            streams,
        )

    def evaluate(self, first_row: int, x: np.ndarray) -> dict[str, np.ndarray]:
        r = self.replications
        runs = np.arange(first_row * r, (first_row + len(x)) * r)
        streams = stream_ids(first_row, len(x), r, self.common_random_numbers)
        values = np.repeat(np.asarray(x, dtype=np.float64), r, axis=0)
        groups = self._groups(values)
        if len(groups) == 1:
            return self.run(runs, values, groups[0][0], streams)
        out = {c: np.empty(len(runs), dtype=np.float32) for c in self.columns}
        for world, pos in groups:
            part = self.run(runs[pos], values[pos], world, streams[pos])
            for c in out:
                out[c][pos] = part[c]
        return out


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami_indices() -> dict[str, tuple[float, float]]:
    """Analytic (S1, ST) of the Ishigami function with a = 7, b = 0.1 on [-pi, pi]^3 (Ishigami & Homma 1990;
    Sobol' & Levitan 1999): the variance terms ``V1 = b pi^4/5 + b^2 pi^8/50 + 1/2``, ``V2 = a^2/8``,
    ``V13 = b^2 pi^8 (1/18 - 1/50)``."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, np.pi
    v1 = b * pi**4 / 5 + b**2 * pi**8 / 50 + 0.5
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {"x1": (v1 / total, (v1 + v13) / total), "x2": (v2 / total, v2 / total), "x3": (0.0, v13 / total)}


@dataclass
class FunctionEvaluator:
    """The Ishigami test function as an :class:`Evaluator`: factors ``x1, x2, x3`` (other columns are ignored) plus
    optional uniform noise of s.d. ``noise_sd``, keyed by ``(seed, stream)`` as the model's random numbers are
    (:func:`stream_ids`; independent streams by default here)."""

    names: tuple[str, ...]
    replications: int = 1
    seed: int = 0
    noise_sd: float = 0.0
    columns: list[str] = field(default_factory=lambda: ["y"])
    common_random_numbers: bool = False

    def evaluate(self, first_row: int, x: np.ndarray) -> dict[str, np.ndarray]:
        r = self.replications
        streams = stream_ids(first_row, len(x), r, self.common_random_numbers)
        v = np.repeat(np.asarray(x, dtype=np.float64), r, axis=0)
        x1, x2, x3 = (v[:, self.names.index(n)] for n in ("x1", "x2", "x3"))
        y = np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * np.sin(x1)
        if self.noise_sd > 0:
            u = rng.Counters(1, 1).plane(rng.run_keys(self.seed, streams), 0, 0, np.float64)[:, 0]
            y = y + self.noise_sd * np.sqrt(12.0) * (u - 0.5)
        return {"y": y}


_WORKER: dict[str, Any] = {}


def _init_worker(evaluator: Evaluator) -> None:
    _WORKER["evaluator"] = evaluator


def _evaluate_task(task: tuple[int, int, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
    index, first_row, x = task
    return index, _WORKER["evaluator"].evaluate(first_row, x)


def evaluate_batches(
    evaluator: Evaluator,
    tasks: Iterable[tuple[int, int, np.ndarray]],
    workers: int,
    on_done: Callable[[int, dict[str, np.ndarray]], None],
) -> None:
    """Evaluate tasks ``(batch index, first row, rows)`` on ``workers`` processes (1: in this process) and call
    ``on_done(batch index, outputs)`` as each finishes (in completion order; at most two tasks per worker in
    flight, so memory stays flat)."""
    todo = list(tasks)
    if workers <= 1 or len(todo) <= 1:
        for task in todo:
            on_done(*_direct(evaluator, task))
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["sim.sensitivity.evaluate"])
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(evaluator,)) as pool:
        pending: set[Future[tuple[int, dict[str, np.ndarray]]]] = set()
        queue = iter(todo)
        for task in queue:
            pending.add(pool.submit(_evaluate_task, task))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    on_done(*future.result())
        for future in _completed(pending):
            on_done(*future.result())


def _completed(pending: set[Future[Any]]) -> Iterable[Future[Any]]:
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from done


def _direct(evaluator: Evaluator, task: tuple[int, int, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
    index, first_row, x = task
    return index, evaluator.evaluate(first_row, x)
