"""The ensemble band of the unchanged scenario, drawn behind the live run.

:func:`scenario_band` runs the scenario as ``python -m sim scenario=<name>`` would (same seed, run indices
``0 .. replications-1``, levers as the scenario file sets them) through the batched engine and keeps, for each
recorded month, the 5th, 50th and 95th percentiles of the regional mean alignment and of the BRI member count, and
per state and event kind the share of runs in which the event has happened by each month.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from sim.calendar import month_label
from sim.dashboard.session import EVENT_KINDS, scenario_setup
from sim.runners.ensemble import run_ensemble

DEFAULT_REPLICATIONS = 100
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class Band:
    """Percentiles over the replications of one scenario, one column per recorded month.

    ``mean_q`` and ``bri_q`` have shape ``(3, months)`` (rows: 5th, 50th, 95th percentile); ``mean_runs`` and
    ``bri_runs`` ``(months, replications)``; ``event_share[kind]`` ``(months, states)``: share of runs in which the
    state has had the event by the end of that month (0 in the first month, the state the run starts from).
    """

    scenario: str
    replications: int
    seed: int
    dates: tuple[str, ...]
    iso3: tuple[str, ...]
    mean_q: np.ndarray
    bri_q: np.ndarray
    mean_runs: np.ndarray
    bri_runs: np.ndarray
    event_share: dict[str, np.ndarray]

    def index(self, month: str) -> int:
        """Column of ``month`` (``ValueError`` if the band does not cover it)."""
        return self.dates.index(month)

    def event_probability(self, iso3: str, kind: str, by: str) -> float:
        """Share of the unchanged scenario's runs in which ``iso3`` has had event ``kind`` by the end of ``by``."""
        return float(self.event_share[kind][self.index(by), self.iso3.index(iso3)])

    def percentile_of(self, quantity: str, month: str, value: float) -> float:
        """Share of runs (0..1) whose ``quantity`` (``regional_mean_alignment`` or ``bri_members``) at ``month`` lies
        below ``value`` (ties count half)."""
        runs = (self.mean_runs if quantity == "regional_mean_alignment" else self.bri_runs)[self.index(month)]
        return float(((runs < value).sum() + 0.5 * (runs == value).sum()) / len(runs))


@lru_cache(maxsize=16)
def scenario_band(scenario: str, replications: int = DEFAULT_REPLICATIONS) -> Band:
    """The band of ``scenario`` over ``replications`` runs (cached per process)."""
    cfg, world = scenario_setup(scenario)
    ens = run_ensemble(replace(cfg, replications=replications), world=world, progress=False)
    traj = ens.trajectory
    alignment = traj.states["alignment"].astype(float)  # (months, runs, states)
    bri = traj.states["bri"]
    mean_runs = alignment.mean(axis=2)
    bri_runs = bri.sum(axis=2).astype(float)
    share = {}
    for kind in EVENT_KINDS:
        happened = np.cumsum(traj.events[kind], axis=0) > 0  # (months - 1, runs, states)
        by_month = happened.mean(axis=1)
        share[kind] = np.vstack([np.zeros((1, world.n_states)), by_month])
    dates = tuple(month_label(int(m)) for m in traj.months)
    return Band(
        scenario=scenario,
        replications=replications,
        seed=cfg.seed,
        dates=dates,
        iso3=world.iso3,
        mean_q=np.quantile(mean_runs, QUANTILES, axis=1),
        bri_q=np.quantile(bri_runs, QUANTILES, axis=1),
        mean_runs=mean_runs,
        bri_runs=bri_runs,
        event_share=share,
    )
