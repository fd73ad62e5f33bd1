"""The measurements of ``python -m sim.bench`` (see the package docstring and docs/performance.md).

Every comparison is interleaved: one round runs each contender once, in a fixed order (A B C A B C ...), and the
figure is the median over rounds of CPU time (``time.process_time``: this process only, so other load on the
machine inflates it less than wall time) and of wall time, per run. Workers of the design runner are other
processes, so the multi-process figures are wall time only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import Params, param_meta
from sim.dynamics import mathfn, rng
from sim.dynamics.neighbours import NeighbourWeights, peer_groups
from sim.dynamics.update import DRAWS, StepResult
from sim.dynamics.world import World
from sim.engine import OutcomeRecorder, batch_runs, kernel_name, simulate

SOBOL_PARAMETERS = (
    "w_trade",
    "w_finance",
    "w_coercion",
    "w_ideology",
    "w_regime",
    "w_security",
    "w_neighbours",
    "w_institutions",
    "w_elite",
    "w_state",
    "neutral",
    "shock_sd",
)
"""The 12 factors of the Sobol-sized design (N = 1024 without second order: 1024 x 14 rows x 2 replications)."""

FLOOR_OPS = {"uniforms": 3, "tanh": 6, "arithmetic": 150}
"""Per state and month, the least work the update needs (docs/performance.md, "The floor"): three uniforms (shock,
recognition, BRI), six tanh (trade, finance, compliance, two recognition directions, accession), and 150 element
operations of arithmetic, comparison and selection (counted from the update's equations; the update as written
performs about 210)."""


# ------------------------------------------------------------------ timing


@dataclasses.dataclass
class Timing:
    """Median, min and max over rounds of CPU and wall seconds per run."""

    cpu: float
    wall: float
    cpu_min: float
    cpu_max: float
    rounds: int

    def us(self) -> dict[str, float]:
        return {
            "cpu_us_per_run": round(self.cpu * 1e6, 2),
            "wall_us_per_run": round(self.wall * 1e6, 2),
            "cpu_us_min": round(self.cpu_min * 1e6, 2),
            "cpu_us_max": round(self.cpu_max * 1e6, 2),
            "rounds": self.rounds,
        }


def interleave(contenders: dict[str, Callable[[], int]], rounds: int, warmup: bool = True) -> dict[str, Timing]:
    """Run each contender once per round, in order (A B A B ...); each returns how many runs it did."""
    if warmup:
        for fn in contenders.values():
            fn()
    cpu: dict[str, list[float]] = {k: [] for k in contenders}
    wall: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            c0, w0 = time.process_time(), time.perf_counter()
            runs = fn()
            cpu[name].append((time.process_time() - c0) / runs)
            wall[name].append((time.perf_counter() - w0) / runs)
    return {
        k: Timing(statistics.median(cpu[k]), statistics.median(wall[k]), min(cpu[k]), max(cpu[k]), rounds)
        for k in contenders
    }


def pin_blas() -> str:
    """Limit BLAS/OpenMP pools to one thread (threadpoolctl when installed; the environment variables set by
    ``python -m sim.bench`` before numpy loaded in any case); returns how."""
    env = os.environ.get("OPENBLAS_NUM_THREADS")
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return f"environment only (OPENBLAS_NUM_THREADS={env}); threadpoolctl not installed"
    threadpool_limits(1)
    pools = ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info())
    return f"threadpoolctl limits=1 ({pools or 'no pools'}); OPENBLAS_NUM_THREADS={env}"


# ------------------------------------------------------------------ recorders and worlds


class MatchedRecorder:
    """Records what ``mesa.batch_run`` collects from :class:`sim.model.AlignmentModel` every month (each state's
    alignment, BRI membership, recognition, government ideology and leader; the regional mean and BRI count) and,
    beyond it, every month's 11-term contribution stack (the Mesa model computes it each step and keeps the last)."""

    wants_contributions = True
    FIELDS = ("alignment", "bri", "prc", "ideology", "person")

    def begin(self, world: World, runs: np.ndarray, state: Any) -> None:
        shape = (world.n_months + 1, len(runs), world.n_states)
        self.states = {f: np.empty(shape, dtype=getattr(state, f).dtype) for f in self.FIELDS}
        self.contributions = np.empty((world.n_months, 11, len(runs), world.n_states), dtype=state.alignment.dtype)
        self.regional = np.empty((world.n_months + 1, len(runs)), dtype=state.alignment.dtype)
        self.bri_count = np.empty((world.n_months + 1, len(runs)), dtype=np.int64)
        self._take(0, state)

    def _take(self, i: int, s: Any) -> None:
        for f in self.FIELDS:
            self.states[f][i] = getattr(s, f)
        self.regional[i] = s.alignment.mean(axis=1)
        self.bri_count[i] = s.bri.sum(axis=1)

    def contribution_buffer(self, i: int) -> np.ndarray:
        """Month ``i``'s slot: the compiled step writes the contributions there (as the engine's FullRecorder)."""
        return self.contributions[i]

    def record(self, i: int, t: int, before: Any, result: StepResult) -> None:
        self._take(i + 1, result.state)
        if not np.may_share_memory(result.contributions, self.contributions):
            self.contributions[i] = result.contributions

    def finish(self) -> MatchedRecorder:
        return self


def synthetic_world(world: World, n_states: int) -> World:
    """A world of ``n_states`` states: copies of the calibrated 33 (each copy with the same neighbours, mapped into
    the copy, and its own subregions), so the work per state is the same and cost should grow linearly."""
    n0 = world.n_states
    take = np.arange(n_states) % n0
    copy_of = np.arange(n_states) // n0
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(world):
        value = getattr(world, f.name)
        if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == n0 and f.name not in ("us_ideology",):
            changes[f.name] = value[..., take]
    dense = np.zeros((n0, n0))
    nb = world.neighbours
    for k in range(nb.index.shape[0]):
        dense[np.arange(n0), nb.index[k]] += nb.weights[k]
    adjacency = np.zeros((n_states, n_states))
    for i in range(n_states):
        for j in np.flatnonzero(dense[take[i]]):
            target = copy_of[i] * n0 + j
            if target < n_states:
                adjacency[i, target] = dense[take[i], j]
    sub = tuple(f"{world.subregion[t]}-{c}" for t, c in zip(take, copy_of, strict=True))
    changes |= {
        "iso3": tuple(f"S{i:03d}" for i in range(n_states)),
        "names": tuple(f"State {i}" for i in range(n_states)),
        "subregion": sub,
        "neighbours": NeighbourWeights.from_dense(adjacency),
        "subregion_peers": peer_groups(sub),
        "elite_share": world.elite_share[take] / world.elite_share[take].sum(),
    }
    return dataclasses.replace(world, **changes)


def _engine(
    world: World, params: Params, seed: int, runs: int, chunk: int, dtype: Any, recorder: type, kernel: str = ""
) -> int:
    for first in range(0, runs, chunk):
        block = range(first, min(first + chunk, runs))
        simulate(world, params, seed, block, recorder(), dtype=np.dtype(dtype), kernel=kernel or None)
    return runs


# ------------------------------------------------------------------ sections


def matched(world: World, cfg: Any, mesa_runs: int, engine_runs: int, rounds: int) -> dict[str, Any]:
    """Engine vs ``mesa.batch_run`` (the Mesa model; plain-Python Mesa with libm's ``tanh`` as a user would write
    it, and with the portable one, bit-identical to the engine), float64, the same recorded quantities. The engine
    runs its default step (compiled when numba is installed) and, for comparison, the numpy reference step."""
    import mesa

    from sim.bench.mesa_plain import PlainModel, PlainModelLibm
    from sim.model import AlignmentModel

    AlignmentModel()  # the cached default world is built outside the timing, as a user's second call would find it
    months = world.n_months

    def batch(model: type, **fixed: Any) -> Callable[[], int]:
        def go() -> int:
            mesa.batch_run(
                model,
                parameters={**fixed, "run": list(range(mesa_runs))},
                number_processes=1,
                data_collection_period=1,
                max_steps=months,
                display_progress=False,
            )
            return mesa_runs

        return go

    plain = {"world": world, "params": cfg.params, "experiment_seed": cfg.seed}

    def engine(kernel: str) -> Callable[[], int]:
        return lambda: _engine(world, cfg.params, cfg.seed, engine_runs, 256, "float64", MatchedRecorder, kernel)

    contenders = {
        "mesa_batch_run": batch(AlignmentModel),
        "mesa_plain_batch_run": batch(PlainModelLibm, **plain),
        "mesa_plain_portable_batch_run": batch(PlainModel, **plain),
        "engine_matched": engine(kernel_name()),
        "engine_matched_numpy": engine("numpy"),
    }
    t = interleave(contenders, rounds)
    out: dict[str, Any] = {k: v.us() for k, v in t.items()}
    out["engine_kernel"] = kernel_name()
    engine_cpu = t["engine_matched"].cpu
    out["ratio_vs_batch_run"] = round(t["mesa_batch_run"].cpu / engine_cpu, 1)
    out["ratio_vs_plain_batch_run"] = round(t["mesa_plain_batch_run"].cpu / engine_cpu, 1)
    out["ratio_vs_plain_portable_batch_run"] = round(t["mesa_plain_portable_batch_run"].cpu / engine_cpu, 1)
    out["ratio_numpy_step_vs_batch_run"] = round(t["mesa_batch_run"].cpu / t["engine_matched_numpy"].cpu, 1)
    out["mesa_runs_per_round"], out["engine_runs_per_round"] = mesa_runs, engine_runs
    return out


def outcomes(world: World, params: Params, seed: int, runs: int, rounds: int) -> dict[str, Any]:
    """The engine's outcomes-only rate, float32 against float64, chunks of 1,024 runs: the default step (keys
    ``float32``, ``float64``) and the numpy reference step (``numpy_float32``, ``numpy_float64``)."""
    default = kernel_name()
    contenders = {
        f"{prefix}{dt}": (lambda dt=dt, k=k: _engine(world, params, seed, runs, 1024, dt, OutcomeRecorder, k))
        for prefix, k in (("", default), ("numpy_", "numpy"))
        for dt in ("float32", "float64")
    }
    out = {k: v.us() for k, v in interleave(contenders, rounds).items()}
    return out | {"runs_per_round": runs, "kernel": default}


def batch_sizes(world: World, params: Params, seed: int, sizes: list[int], rounds: int) -> dict[str, Any]:
    """Cost per run when a batch holds 1 .. 10,000 runs (float32, outcomes only, one batch per call)."""
    contenders = {str(n): (lambda n=n: _engine(world, params, seed, n, n, "float32", OutcomeRecorder)) for n in sizes}
    return {k: v.us() for k, v in interleave(contenders, rounds).items()}


def states(world: World, params: Params, seed: int, counts: list[int], runs: int, rounds: int) -> dict[str, Any]:
    """Cost per run against the number of states (synthetic worlds; float32, outcomes only), in the batches the
    design runner uses (:func:`sim.engine.batch_runs`: 1,024 runs of 33 states, 512 of 95, 256 of 190) and, for
    comparison, in batches of 1,024 runs whatever the size (``fixed_1024``)."""
    worlds = {n: world if n == world.n_states else synthetic_world(world, n) for n in counts}

    def contender(w: World, chunk: int) -> Callable[[], int]:
        return lambda: _engine(w, params, seed, runs, chunk, "float32", OutcomeRecorder)

    contenders = {str(n): contender(w, batch_runs(n)) for n, w in worlds.items()}
    contenders |= {f"fixed_1024_{n}": contender(w, 1024) for n, w in worlds.items()}
    t = interleave(contenders, rounds)
    out: dict[str, Any] = {k: v.us() for k, v in t.items() if not k.startswith("fixed")}
    base = t[str(world.n_states)].cpu
    out["ratio_to_33"] = {str(n): round(t[str(n)].cpu / base, 2) for n in worlds}
    out["batch_runs"] = {str(n): batch_runs(n) for n in worlds}
    fixed = {str(n): t[f"fixed_1024_{n}"] for n in worlds}
    out["fixed_1024"] = {k: v.us() for k, v in fixed.items()}
    out["fixed_1024"]["ratio_to_33"] = {k: round(v.cpu / fixed[str(world.n_states)].cpu, 2) for k, v in fixed.items()}
    out["runs_per_round"] = runs
    return out


def floor(
    world: World, runs: int, measured_us: float, dtype: str = "float32", compiled_us: float | None = None
) -> dict[str, Any]:
    """The floor (docs/performance.md): the least work per state-month, each element operation done once at the
    speed numpy's own loops reach here on ``(runs, states)`` arrays (the portable tanh for the tanh), times states
    and months. It bounds the numpy step (``measured_us``); the compiled step (``compiled_us``) can go below it."""
    counters = rng.Counters(len(DRAWS), world.n_states)
    keys = rng.run_keys(0, range(runs))
    x = np.random.default_rng(0).uniform(-2, 2, (runs, world.n_states)).astype(dtype)
    y = x.copy()
    elements = x.size

    def per_element(fn: Callable[[], Any], repeat: int = 60) -> float:
        fn()
        times = []
        for _ in range(repeat):
            c0 = time.process_time()
            fn()
            times.append(time.process_time() - c0)
        return statistics.median(times) / elements

    t_uniform = per_element(lambda: counters.plane(keys, 24300, 0, dtype))
    t_tanh = per_element(lambda: mathfn.tanh(x))  # the portable tanh the numpy step uses
    t_add = per_element(lambda: np.add(x, x, out=y))
    per_state_month = FLOOR_OPS["uniforms"] * t_uniform + FLOOR_OPS["tanh"] * t_tanh + FLOOR_OPS["arithmetic"] * t_add
    floor_us = per_state_month * world.n_states * world.n_months * 1e6
    return {
        "ns_per_uniform": round(t_uniform * 1e9, 3),
        "ns_per_tanh": round(t_tanh * 1e9, 3),
        "ns_per_add": round(t_add * 1e9, 3),
        "ops": FLOOR_OPS,
        "floor_us_per_run": round(floor_us, 2),
        "measured_us_per_run": round(measured_us, 2),
        "fraction_of_floor": round(floor_us / measured_us, 3),
        "compiled_us_per_run": compiled_us,
        "dtype": dtype,
    }


_PROBE = """
import json, os, sys, tempfile, threading, time
from pathlib import Path
from sim.configs import load_config
from sim.runners.design import Design, run_design
from sim.runners.ensemble import prepare
cfg = load_config(); world = prepare(cfg)
page = os.sysconf("SC_PAGE_SIZE") / 2**20
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * page
n, workers = int(sys.argv[1]), int(sys.argv[2])
before, peak, running = rss(), [0.0], [True]
def sample():
    while running[0]:
        peak[0] = max(peak[0], rss())
        time.sleep(0.02)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
with tempfile.TemporaryDirectory() as tmp:
    c0, w0 = time.process_time(), time.perf_counter()
    r = run_design(world, cfg.params, Design(replications=n), 1, workers=workers, out_dir=Path(tmp), dtype="float32",
                   keep=False, progress=False)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
running[0] = False
sampler.join()
peak[0] = max(peak[0], rss())
print(json.dumps({"runs": r.n_runs, "cpu_s": cpu, "wall_s": wall, "rss_before_mib": before, "peak_rss_mib": peak[0],
                  "increment_mib": peak[0] - before, "files": len(r.files)}))
"""


_COMPILE_PROBE = """
import json, time
t0 = time.perf_counter()
import numpy as np
from sim.configs import load_config
from sim.runners.ensemble import prepare
from sim.engine import simulate
cfg = load_config(); world = prepare(cfg)
out = {"imports_and_world_s": time.perf_counter() - t0}
for dt in ("float64", "float32"):
    a = time.perf_counter(); simulate(world, cfg.params, cfg.seed, 4, dtype=np.dtype(dt), kernel="numba")
    out[f"first_{dt}_s"] = time.perf_counter() - a
print(json.dumps(out))
"""


def compile_time() -> dict[str, Any]:
    """Cost of compiling the numba step: a fresh process with an empty numba cache (``NUMBA_CACHE_DIR``, a
    temporary folder) runs 4 runs in each precision (``cold``: compiled then), then a second process finds the cached
    code (``warm``). ``absent`` without numba."""
    from sim.dynamics import kernel

    if not kernel.AVAILABLE:
        return {"status": "absent"}
    import numba

    out: dict[str, Any] = {"status": "ok", "numba": numba.__version__}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for name in ("cold", "warm"):
            done = subprocess.run(
                [sys.executable, "-c", _COMPILE_PROBE], capture_output=True, text=True, check=True, env=env
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            out[name] = {k: round(v, 3) for k, v in figures.items()}
    return out


def runs_scaling(counts: list[int], workers: int = 1) -> dict[str, Any]:
    """Each size in a fresh process: a streamed design (float32, Parquet parts written as it goes, ``keep=False``),
    CPU and wall time, and the peak resident memory during the runs (sampled every 20 ms from /proc; it includes
    the imports and the world, ``rss_before_mib``, and ``increment_mib`` is what the runs added)."""
    out: dict[str, Any] = {}
    for n in counts:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(n), str(workers)], capture_output=True, text=True, check=True
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["cpu_us_per_run"] = round(figures["cpu_s"] / n * 1e6, 2)
        figures["wall_us_per_run"] = round(figures["wall_s"] / n * 1e6, 2)
        out[str(n)] = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    return out


def sobol_design(
    world: World, params: Params, n: int, replications: int, workers: int, repeats: int = 3
) -> dict[str, Any]:
    """A Sobol-sized design (SALib's Saltelli sample without second order, 12 factors) end to end on ``workers``
    processes: pool start, runs, Parquet parts written by the workers (float32, ``keep=False``). ``wall_s`` is the
    first, cold call (the process's first pool: the fork server starts); ``warm_wall_s`` the repeats."""
    from SALib.sample import sobol

    from sim.runners.design import Design, run_design

    problem = {
        "num_vars": len(SOBOL_PARAMETERS),
        "names": list(SOBOL_PARAMETERS),
        "bounds": [list(param_meta(name)["range"]) for name in SOBOL_PARAMETERS],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = sobol.sample(problem, n, calc_second_order=False, seed=1)
    design = Design({name: sample[:, j] for j, name in enumerate(SOBOL_PARAMETERS)}, replications=replications)
    walls = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            w0 = time.perf_counter()
            result = run_design(
                world,
                params,
                design,
                1,
                workers=workers,
                out_dir=Path(tmp),
                dtype="float32",
                keep=False,
                progress=False,
            )
            walls.append(time.perf_counter() - w0)
    return {
        "runs": result.n_runs,
        "workers": workers,
        "wall_s": round(walls[0], 3),
        "warm_wall_s": [round(w, 3) for w in walls[1:]],
        "parts": len(result.files),
    }


def interactive(cfg: Any, world: World) -> dict[str, Any]:
    """One ``AlignmentModel.step()`` (what the dashboard does per press), median and maximum over a run."""
    from sim.model import AlignmentModel

    model = AlignmentModel(cfg, run=0, world=world)
    times = []
    while model.running:
        t0 = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - t0)
    return {"median_ms": round(statistics.median(times) * 1e3, 3), "max_ms": round(max(times) * 1e3, 3)}


def external(name: str, module: str, function: str, **kwargs: Any) -> dict[str, Any]:
    """Another package's benchmark, if it is there: 'absent' (printed) when it cannot be imported."""
    try:
        fn = getattr(__import__(module, fromlist=[function]), function)
    except (ImportError, AttributeError) as err:
        print(f"  {name}: absent ({module}.{function}: {err})")
        return {"status": "absent", "reason": str(err)}
    try:
        return {"status": "ok"} | fn(**kwargs)
    except Exception as err:  # another helper's code: report its failure, do not lose the other figures
        print(f"  {name}: failed ({type(err).__name__}: {err})")
        return {"status": "failed", "reason": f"{type(err).__name__}: {err}"}


def machine() -> dict[str, Any]:
    import mesa

    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


# ------------------------------------------------------------------ the command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each interleaved comparison (5..11)")
    parser.add_argument("--mesa-runs", type=int, default=4, help="runs per round for mesa.batch_run (default 4)")
    parser.add_argument("--engine-runs", type=int, default=2048, help="engine runs per round (default 2048)")
    parser.add_argument("--million", action="store_true", help="also measure 10^6 runs (minutes)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: checks the benchmark runs")
    parser.add_argument("--skip-external", action="store_true", help="skip the sensitivity and dashboard benchmarks")
    parser.add_argument("--json", type=Path, help="also write the JSON figures to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings.filterwarnings("ignore")
    from sim.configs import load_config
    from sim.runners.ensemble import prepare

    pinning = pin_blas()
    cfg = load_config()
    world = prepare(cfg)
    q = args.quick
    rounds = 1 if q else max(args.rounds, 5)
    cores = os.cpu_count() or 1
    figures: dict[str, Any] = {"machine": machine(), "blas_pinning": pinning}
    figures["model"] = {"states": world.n_states, "months": world.n_months, "scenario": cfg.scenario_name}
    print(f"sim.bench: {world.n_states} states x {world.n_months} months; BLAS: {pinning}", flush=True)

    engine_runs = 64 if q else args.engine_runs
    figures["matched_float64"] = matched(world, cfg, 1 if q else args.mesa_runs, 64 if q else 1024, rounds)
    figures["outcomes"] = outcomes(world, cfg.params, cfg.seed, engine_runs, rounds)
    sizes = [1, 10, 100] if q else [1, 10, 100, 1000, 10000]
    figures["batch_size_float32"] = batch_sizes(world, cfg.params, cfg.seed, sizes, rounds)
    figures["states_float32"] = states(world, cfg.params, cfg.seed, [33, 95, 190], 64 if q else 1024, rounds)
    o = figures["outcomes"]
    numpy_f32, compiled_f32 = o["numpy_float32"]["cpu_us_per_run"], o["float32"]["cpu_us_per_run"]
    figures["floor"] = floor(world, 1024, numpy_f32, compiled_us=compiled_f32)
    figures["compile"] = {"status": "skipped (--quick)"} if q else compile_time()
    counts = [200, 1000] if q else [1000, 10000, 100000] + ([1000000] if args.million else [])
    figures["runs_float32"] = runs_scaling(counts)
    n, reps = (16, 1) if q else (1024, 2)
    figures["sobol_design"] = sobol_design(world, cfg.params, n, reps, cores, 1 if q else 3)
    figures["interactive_step"] = interactive(cfg, world)
    if not args.skip_external:
        figures["sensitivity"] = external("sensitivity benchmark", "sim.sensitivity.bench", "sensitivity_benchmark")
        figures["dashboard"] = external("dashboard benchmark", "sim.dashboard.bench", "dashboard_step_benchmark")
    figures["targets"] = targets(figures)
    print_table(figures)
    line = json.dumps(figures, default=float)
    print(line, flush=True)
    if args.json:
        args.json.write_text(line + "\n")
    return 0


def targets(f: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets against the figures (measured, not asserted)."""
    runs = f["runs_float32"]
    small = "10000" if "10000" in runs else min(runs, key=int)
    large = "1000000" if "1000000" in runs else max(runs, key=int)
    memory = runs[large]["peak_rss_mib"] / runs[small]["peak_rss_mib"]
    out = {
        "engine_float32_us_per_run": [f["outcomes"]["float32"]["cpu_us_per_run"], "<= 150"],
        "matched_ratio_float64": [f["matched_float64"]["ratio_vs_batch_run"], ">= 300"],
        "ratio_190_vs_33_states": [f["states_float32"]["ratio_to_33"]["190"], "<= 6.5"],
        f"peak_memory_{large}_vs_{small}_runs": [round(memory, 3), "<= 1.2"],
        "sobol_28672_runs_wall_s": [f["sobol_design"]["wall_s"], "<= 5"],
    }
    return out


def print_table(f: dict[str, Any]) -> None:
    m, o = f["matched_float64"], f["outcomes"]
    c = f.get("compile", {})
    compiled = (
        f"{c['cold']['first_float64_s']:.1f} + {c['cold']['first_float32_s']:.1f} s cold, "
        f"{c['warm']['first_float64_s']:.2f} + {c['warm']['first_float32_s']:.2f} s cached (numba {c['numba']})"
        if c.get("status") == "ok"
        else c.get("status", "absent")
    )
    rows = [
        ("machine", "{cpu}, {cores} cores, Python {python}, numpy {numpy}, Mesa {mesa}".format(**f["machine"])),
        ("matched work, float64 (CPU us/run)", ""),
        ("  mesa.batch_run(AlignmentModel)", f"{m['mesa_batch_run']['cpu_us_per_run']:12,.0f}"),
        ("  mesa.batch_run(plain Mesa, libm tanh)", f"{m['mesa_plain_batch_run']['cpu_us_per_run']:12,.0f}"),
        ("  mesa.batch_run(plain Mesa, portable)", f"{m['mesa_plain_portable_batch_run']['cpu_us_per_run']:12,.0f}"),
        (f"  engine ({m['engine_kernel']} step), same records", f"{m['engine_matched']['cpu_us_per_run']:12,.1f}"),
        ("  engine (numpy step), same records", f"{m['engine_matched_numpy']['cpu_us_per_run']:12,.1f}"),
        (
            "  ratio to batch_run / to plain (libm)",
            f"{m['ratio_vs_batch_run']:12,.0f}x / {m['ratio_vs_plain_batch_run']:,.0f}x",
        ),
        (
            f"engine ({o['kernel']}) outcomes only, f32 / f64",
            f"{o['float32']['cpu_us_per_run']:12.1f} / {o['float64']['cpu_us_per_run']:.1f}",
        ),
        (
            "engine (numpy) outcomes only, f32 / f64",
            f"{o['numpy_float32']['cpu_us_per_run']:12.1f} / {o['numpy_float64']['cpu_us_per_run']:.1f}",
        ),
        ("numba compile, float64 + float32", f"{compiled:>12}"),
        (
            "per run at batch size " + "/".join(f["batch_size_float32"]),
            " / ".join(f"{v['cpu_us_per_run']:.0f}" for v in f["batch_size_float32"].values()),
        ),
        (
            "states 33/95/190 (ratio to 33)",
            " / ".join(f"{v:.2f}" for v in f["states_float32"]["ratio_to_33"].values())
            + " (batches of 1,024: "
            + " / ".join(f"{v:.2f}" for v in f["states_float32"]["fixed_1024"]["ratio_to_33"].values())
            + ")",
        ),
        (
            "floor / numpy step (float32)",
            f"{f['floor']['floor_us_per_run']:12.1f} / {f['floor']['measured_us_per_run']:.1f}"
            f" us/run = {100 * f['floor']['fraction_of_floor']:.0f}% (compiled: {f['floor']['compiled_us_per_run']})",
        ),
    ]
    for n, r in f["runs_float32"].items():
        rows.append(
            (
                f"streamed design {int(n):,} runs",
                f"{r['cpu_us_per_run']:12.1f} us/run, peak RSS {r['peak_rss_mib']:.0f} MiB "
                f"(+{r['increment_mib']:.0f} over the loaded model)",
            )
        )
    s = f["sobol_design"]
    warm = " / ".join(f"{w:.2f}" for w in s["warm_wall_s"])
    rows.append((f"Sobol-sized design, {s['runs']:,} runs", f"{s['wall_s']:12.2f} s wall cold (warm {warm})"))
    rows.append(
        (
            "interactive step median / max",
            f"{f['interactive_step']['median_ms']:12.2f} / {f['interactive_step']['max_ms']:.2f} ms",
        )
    )
    for name in ("sensitivity", "dashboard"):
        if name in f:
            rows.append((f"{name} benchmark", f[name]["status"]))
    width = max(len(r[0]) for r in rows)
    print()
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print("  targets (value, target):")
    for k, v in f["targets"].items():
        print(f"    {k}: {v[0]} ({v[1]})")
