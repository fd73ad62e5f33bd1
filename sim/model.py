"""The Mesa model: one run, stepped month by month, with a DataCollector.

Each month the two powers set their levers, then :func:`sim.dynamics.update.step` advances every state at once.
Randomness: the dynamics draw their numbers from the run's key (:mod:`sim.dynamics.rng`, from ``(seed, run)``),
exactly as the batched engine does for that run, so both give the same path; ``model.rng`` is seeded with the same
key for anything Mesa itself randomises.
"""

from __future__ import annotations

from functools import cache

import mesa
import numpy as np

from sim.agents import CountryAgent, PowerAgent
from sim.calendar import month_label
from sim.checks import validate_run_config
from sim.config import RunConfig
from sim.configs import default_config
from sim.data.seeds import SeedTables, load_seeds
from sim.dynamics import rng as counters_rng
from sim.dynamics.state import check_finite
from sim.dynamics.update import DRAWS, initial_state, step
from sim.dynamics.world import World, build_world


@cache
def _default_world() -> World:
    cfg = default_config()
    return build_world(load_seeds(cfg.seeds_dir or None), cfg)


class AlignmentModel(mesa.Model):
    """Regional alignment of the 33 CELAC states between the US and China (one run).

    Args:
        config: the run configuration (levers, parameters, time window); the baseline scenario if omitted.
        run: run index; with ``config.seed`` it seeds ``model.rng`` (the same stream as the engine's run ``run``).
        seeds: validated seeds tables (loaded from ``config.seeds_dir`` if omitted).
        world: a prebuilt world for this config (skips rebuilding it).
        rng: Mesa's seed argument; when given it replaces ``(seed, run)`` as the source of the run's key
            (``mesa.batch_run`` sets it).
    """

    def __init__(
        self,
        config: RunConfig | None = None,
        run: int = 0,
        seeds: SeedTables | None = None,
        world: World | None = None,
        rng: int | None = None,
    ) -> None:
        cfg = config or default_config()
        validate_run_config(cfg)
        key = counters_rng.run_key(cfg.seed, run) if rng is None else counters_rng.run_key(int(rng), 0)
        super().__init__(rng=key)
        self.keys = np.array([key], dtype=np.uint64)
        self.config = cfg
        self.run_index = run
        if world is None:
            reuse = config is None and seeds is None
            world = _default_world() if reuse else build_world(seeds or load_seeds(cfg.seeds_dir or None), cfg)
        self.dtype = np.dtype(cfg.dtype)
        self.world = world.astype(self.dtype)
        self.params = cfg.params
        self.state = initial_state(self.world, self.params, 1, self.dtype)
        self.levers = self.world.plan[0].copy()
        self.counters = counters_rng.Counters(len(DRAWS), self.world.n_states)
        self.applied_levers: np.ndarray = self.levers
        self.last_contributions: np.ndarray | None = None
        self.last_events: dict[str, np.ndarray] = {}
        for i, (code, name) in enumerate(zip(self.world.iso3, self.world.names, strict=True)):
            CountryAgent(self, code, name, i)
        self.us = PowerAgent(self, "us")
        self.china = PowerAgent(self, "china")
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": lambda m: m.date,
                "regional_mean_alignment": lambda m: float(m.state.alignment.mean()),
                "bri_members": lambda m: int(m.state.bri.sum()),
            },
            agenttype_reporters={
                CountryAgent: {
                    "iso3": "iso3",
                    "alignment": "alignment",
                    "bri_member": "bri_member",
                    "recognizes_prc": "recognizes_prc",
                    "gov_ideology": "gov_ideology",
                    "leader": "leader",
                }
            },
        )
        self.datacollector.collect(self)

    @property
    def month_offset(self) -> int:
        """Offset of the month being (or last) simulated from the start."""
        return self.steps - 1

    @property
    def date(self) -> str:
        """``YYYY-MM`` of the state held (the end of the last simulated month)."""
        return month_label(self.world.first + self.steps)

    @property
    def countries(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[CountryAgent]

    def step(self) -> None:
        """Advance one month (stops running after ``config.end``)."""
        t = self.month_offset
        self.agents_by_type[PowerAgent].do("act")
        result = step(self.state, t, self.world, self.params, self.levers, self.keys, self.counters)
        check_finite(result.state, self.world.start + t, self.world.iso3, np.array([self.run_index]))
        self.state = result.state
        self.last_contributions = result.contributions
        self.applied_levers = result.levers
        self.last_events = result.events
        self.datacollector.collect(self)
        if t + 1 >= self.world.n_months:
            self.running = False
