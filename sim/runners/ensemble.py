"""Ensemble runner: replications of one configuration through the batched engine, with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from sim.checks import check_fits, validate_run_config
from sim.config import RunConfig
from sim.data.seeds import SeedTables, load_seeds
from sim.dynamics.alignment import TERMS
from sim.dynamics.world import World, build_world
from sim.engine import Trajectory, simulate
from sim.errors import SimInputError


@dataclass
class Ensemble:
    """An ensemble's world and its merged trajectory."""

    world: World
    trajectory: Trajectory
    config: RunConfig


def _merge(parts: list[Trajectory]) -> Trajectory:
    if len(parts) == 1:
        return parts[0]
    changes: dict[tuple[int, int, int], str] = {}
    offset = 0
    for part in parts:
        changes.update({(m, r + offset, c): v for (m, r, c), v in part.changes.items()})
        offset += len(part.runs)
    return Trajectory(
        months=parts[0].months,
        states={k: np.concatenate([p.states[k] for p in parts], axis=1) for k in parts[0].states},
        contributions=np.concatenate([p.contributions for p in parts], axis=2),
        events={k: np.concatenate([p.events[k] for p in parts], axis=1) for k in parts[0].events},
        changes=changes,
        runs=np.concatenate([p.runs for p in parts]),
    )


def prepare(cfg: RunConfig, seeds: SeedTables | None = None) -> World:
    """Validate ``cfg`` completely (ranges, dates, seeds, lever plan, focus) and build its world."""
    validate_run_config(cfg)
    world = build_world(seeds if seeds is not None else load_seeds(cfg.seeds_dir or None), cfg)
    if cfg.focus not in world.iso3:
        raise SimInputError("focus", cfg.focus, "expected the ISO3 code of a CELAC state (e.g. COL)")
    check_fits(cfg, world.n_months + 1, world.n_states, len(TERMS))
    return world


def run_ensemble(
    cfg: RunConfig,
    seeds: SeedTables | None = None,
    world: World | None = None,
    chunk: int = 200,
    progress: bool = True,
    on_chunk: Callable[[int], object] | None = None,
) -> Ensemble:
    """Run ``cfg.replications`` replications of ``cfg`` (run indices ``0 .. replications-1``); ``world`` skips
    :func:`prepare` when the caller has already built it; ``on_chunk(n)`` is called after each chunk of ``n`` runs."""
    world = world if world is not None else prepare(cfg, seeds)
    parts = []
    bar = tqdm(total=cfg.replications, desc=f"{cfg.scenario_name}: replications", unit="run", disable=not progress)
    for first in range(0, cfg.replications, chunk):
        runs = range(first, min(first + chunk, cfg.replications))
        parts.append(simulate(world, cfg.params, cfg.seed, runs, dtype=np.dtype(cfg.dtype)))
        bar.update(len(runs))
        if on_chunk is not None:
            on_chunk(len(runs))
    bar.close()
    return Ensemble(world, _merge(parts), cfg)
