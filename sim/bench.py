"""Benchmark: ``python -m sim.bench`` (or ``make bench``) prints a table and one final JSON line.

Measured in one process, side by side, on the default model (33 states, monthly from the 2024-01 anchor through
the baseline to 2030-12; the scenario itself is the 62 months 2025-11 .. 2030-12):

(a) the Mesa model stepped one run at a time; (b) ``mesa.batch_run`` over the same runs, collecting every step;
(c) the batched engine on one process; (d) on every core; the interactive step; the cost at a synthetic 190-state
world; cost and peak memory as the number of runs grows; and the wall time of a Sobol design (N=1024, 12
parameters, 2 replications per row: 28,672 runs) on every core with its outcomes streamed to Parquet.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from sim.config import param_meta
from sim.configs import load_config
from sim.data.seeds import load_seeds
from sim.dynamics.world import NeighbourWeights, World, build_world, peer_groups
from sim.engine import OutcomeRecorder, simulate
from sim.model import AlignmentModel
from sim.runners.design import Design, run_design

SOBOL_PARAMETERS = (
    "w_economic",
    "w_aid",
    "w_coercion",
    "w_ideology",
    "w_diversion",
    "w_elite",
    "w_diffusion",
    "w_security",
    "w_lockin",
    "w_hedging",
    "w_residual",
    "shock_sd",
)


def synthetic_world(world: World, n_states: int, seed: int = 0) -> World:
    """A world of ``n_states`` states made by repeating the calibrated ones (neighbours: a random ring lattice)."""
    rng = np.random.default_rng(seed)
    take = np.arange(n_states) % world.n_states
    changes: dict[str, object] = {}
    for f in dataclasses.fields(world):
        value = getattr(world, f.name)
        if isinstance(value, np.ndarray) and value.shape and value.shape[-1] == world.n_states:
            changes[f.name] = value[..., take]
    adjacency = np.zeros((n_states, n_states))
    for i in range(n_states):
        for j in rng.choice(n_states, size=3, replace=False):
            if j != i:
                adjacency[i, j] = adjacency[j, i] = 1.0
    sub = tuple(world.subregion[i] for i in take)
    changes |= {
        "iso3": tuple(f"S{i:03d}" for i in range(n_states)),
        "names": tuple(f"State {i}" for i in range(n_states)),
        "subregion": sub,
        "neighbours": NeighbourWeights.from_dense(adjacency),
        "subregion_peers": peer_groups(sub),
        "leader0": tuple(world.leader0[i] for i in take),
        "scripted_leader": {},
        "elite_share": world.elite_share[take] / world.elite_share[take].sum(),
    }
    return dataclasses.replace(world, **changes)  # type: ignore[arg-type]


def _timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _engine_ms(world: World, params, runs: int, chunk: int, dtype: str = "float64") -> float:
    def go() -> None:
        for first in range(0, runs, chunk):
            simulate(world, params, 1, range(first, min(first + chunk, runs)), OutcomeRecorder(), dtype=np.dtype(dtype))

    return _timed(go, repeat=3) / runs * 1e3


def _peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--mesa-runs", type=int, default=20, help="runs for (a) and (b) (default 20)")
    parser.add_argument("--engine-runs", type=int, default=4096, help="runs for (c) and (d) (default 4096)")
    parser.add_argument("--sobol-n", type=int, default=1024, help="Saltelli base sample N (default 1024)")
    parser.add_argument("--chunk", type=int, default=1024, help="runs per engine batch (default 1024)")
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=("float32", "float64"),
        help="engine precision for (c), (d) and the Sobol design (default float32)",
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    cores = os.cpu_count() or 1
    cfg = load_config()
    world = build_world(load_seeds(), cfg)
    params = cfg.params
    months = world.n_months
    figures: dict[str, float] = {
        "states": world.n_states,
        "months_simulated": months,
        "months_recorded": world.end - world.start + 1,
        "cores": cores,
    }
    rows: list[tuple[str, str]] = []

    # (a) Mesa, one run at a time
    def mesa_runs() -> None:
        for run in range(args.mesa_runs):
            model = AlignmentModel(cfg, run=run, world=world)
            while model.running:
                model.step()

    a_ms = _timed(mesa_runs, repeat=2) / args.mesa_runs * 1e3
    figures["mesa_ms_per_run"] = a_ms

    # (b) mesa.batch_run, collecting every step (it uses AlignmentModel's cached default world, as users would)
    import mesa

    AlignmentModel()  # warm the cached default world outside the timing
    b_s = _timed(
        lambda: mesa.batch_run(
            AlignmentModel,
            parameters={"run": list(range(args.mesa_runs))},
            number_processes=1,
            data_collection_period=1,
            max_steps=months,
            display_progress=False,
        ),
        repeat=3,
    )
    b_ms = b_s / args.mesa_runs * 1e3
    figures["batch_run_ms_per_run"] = b_ms

    # (c), (d) the batched engine
    c_ms = _engine_ms(world, params, args.engine_runs, args.chunk, args.dtype)
    figures["engine_1proc_ms_per_run"] = c_ms
    figures["engine_1proc_float64_ms_per_run"] = _engine_ms(world, params, args.engine_runs, args.chunk)
    figures["pool_startup_s"] = _timed(
        lambda: run_design(world, params, Design(replications=cores), 1, chunk=1, workers=cores, progress=False)
    )
    d_runs = 4 * args.engine_runs  # more runs, so the workers' start-up is spread thin
    d_s = _timed(
        lambda: run_design(
            world,
            params,
            Design(replications=d_runs),
            1,
            chunk=args.chunk,
            workers=cores,
            dtype=args.dtype,
            progress=False,
        )
    )
    d_ms = d_s / d_runs * 1e3
    figures["engine_all_cores_ms_per_run"] = d_ms
    figures["speedup_engine_1proc_vs_batch_run"] = b_ms / c_ms
    figures["speedup_engine_all_cores_vs_batch_run"] = b_ms / d_ms

    # interactive step (the dashboard advances one Mesa model a month at a time)
    model = AlignmentModel(cfg, run=0, world=world)
    step_times = []
    while model.running:
        t0 = time.perf_counter()
        model.step()
        step_times.append(time.perf_counter() - t0)
    figures["interactive_step_ms"] = float(np.median(step_times) * 1e3)
    figures["interactive_step_max_ms"] = float(np.max(step_times) * 1e3)

    # states x runs scaling and memory
    big = synthetic_world(world, 190)
    figures["engine_190_states_ms_per_run"] = _engine_ms(big, params, 1024, args.chunk, args.dtype)
    figures["cost_ratio_190_vs_33_states"] = figures["engine_190_states_ms_per_run"] / _engine_ms(
        world, params, 1024, args.chunk, args.dtype
    )
    for n in (1024, 8192):
        figures[f"engine_{n}_runs_ms_per_run"] = _engine_ms(world, params, n, args.chunk, args.dtype)
        figures[f"peak_mib_{n}_runs"] = _peak_mib(
            lambda n=n: run_design(
                world, params, Design(replications=n), 1, chunk=args.chunk, workers=1, dtype=args.dtype, progress=False
            )
        )

    # Sobol design streamed to Parquet on every core
    from SALib.sample import sobol

    problem = {
        "num_vars": len(SOBOL_PARAMETERS),
        "names": list(SOBOL_PARAMETERS),
        "bounds": [list(param_meta(n)["range"]) for n in SOBOL_PARAMETERS],
    }
    sample = sobol.sample(problem, args.sobol_n, calc_second_order=False, seed=1)
    sobol_design = Design({n: sample[:, i] for i, n in enumerate(SOBOL_PARAMETERS)}, replications=2)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run_design(
            world,
            params,
            sobol_design,
            1,
            chunk=args.chunk,
            workers=cores,
            dtype=args.dtype,
            out_dir=Path(tmp),
            formats=("parquet",),
            progress=False,
        )
        figures["sobol_wall_s"] = time.perf_counter() - t0
    figures["sobol_runs"] = len(result.runs)
    figures["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        ("machine", f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, numpy {np.__version__}"),
        ("model", f"{world.n_states} states, {months} monthly steps (2024-01 anchor to 2030-12)"),
        ("(a) Mesa model, one run at a time", f"{a_ms:8.2f} ms/run  {1e3 / a_ms:9.0f} runs/s"),
        ("(b) mesa.batch_run, collect every step", f"{b_ms:8.2f} ms/run  {1e3 / b_ms:9.0f} runs/s"),
        (f"(c) batched engine, 1 process, {args.dtype}", f"{c_ms:8.3f} ms/run  {1e3 / c_ms:9.0f} runs/s"),
        ("    same, float64", f"{figures['engine_1proc_float64_ms_per_run']:8.3f} ms/run"),
        (
            f"(d) batched engine, {cores} processes",
            f"{d_ms:8.3f} ms/run  {1e3 / d_ms:9.0f} runs/s (workers start in {figures['pool_startup_s']:.2f} s)",
        ),
        ("speed-up (c) over (b)", f"{b_ms / c_ms:8.0f}x"),
        (
            "interactive step (median / max)",
            f"{figures['interactive_step_ms']:8.2f} ms / {figures['interactive_step_max_ms']:.2f} ms",
        ),
        (
            "190-state world",
            f"{figures['engine_190_states_ms_per_run']:8.3f} ms/run "
            f"({figures['cost_ratio_190_vs_33_states']:.2f}x the 33-state cost; 5.76x is linear)",
        ),
        (
            "1,024 / 8,192 runs",
            f"{figures['engine_1024_runs_ms_per_run']:8.3f} / {figures['engine_8192_runs_ms_per_run']:.3f} ms/run",
        ),
        (
            "peak traced memory, 1,024 / 8,192 runs",
            f"{figures['peak_mib_1024_runs']:8.1f} / {figures['peak_mib_8192_runs']:.1f} MiB",
        ),
        (
            f"Sobol N={args.sobol_n}, 12 params, 2 reps",
            f"{figures['sobol_runs']:,} runs in {figures['sobol_wall_s']:.1f} s on {cores} cores",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print("\nBenchmark: regional alignment simulator")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))
    sys.stdout.flush()
    return figures


if __name__ == "__main__":
    main()
