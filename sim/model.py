"""The Mesa model: one run, stepped month by month, with a DataCollector.

Each month the two powers set their levers, then :func:`sim.dynamics.update.step` advances every state at once.
Randomness: ``model.rng`` is seeded with :func:`sim.engine.run_seed` ``(seed, run)`` and each step draws
``(DRAWS, states)`` uniforms from it, exactly as the batched engine does for that run, so both give the same path.
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
from sim.dynamics.state import check_finite
from sim.dynamics.update import DRAWS, initial_state, step
from sim.dynamics.world import World, build_world
from sim.engine import run_seed


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
        rng: Mesa's seed argument; when given it replaces the ``(seed, run)`` seeding (``mesa.batch_run`` sets it).
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
        super().__init__(rng=run_seed(cfg.seed, run) if rng is None else rng)
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
                    "approval": "approval",
                }
            },
        )
        self.datacollector.collect(self)

    @property
    def month_offset(self) -> int:
        """Offset of the month being (or last) simulated from the anchor."""
        return self.steps - 1

    @property
    def date(self) -> str:
        """``YYYY-MM`` of the state held (the end of the last simulated month)."""
        return month_label(self.world.anchor + self.steps - 1)

    @property
    def countries(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[CountryAgent]

    def step(self) -> None:
        """Advance one month (stops running after ``config.end``)."""
        t = self.month_offset
        self.agents_by_type[PowerAgent].do("act")
        uniforms = self.rng.random((len(DRAWS), self.world.n_states), dtype=self.dtype)[None]
        result = step(self.state, t, self.world, self.params, self.levers, uniforms)
        check_finite(result.state, self.world.anchor + t, self.world.iso3, np.array([self.run_index]))
        self.state = result.state
        self.last_contributions = result.contributions
        self.applied_levers = result.levers
        self.last_events = result.events
        self.datacollector.collect(self)
        if t + 1 >= self.world.n_months:
            self.running = False
