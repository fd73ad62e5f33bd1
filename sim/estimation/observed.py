"""The record as the model sees it: observed alignment and the covariates of every hazard, month by month.

Built from a :class:`~sim.dynamics.world.World` for a window of history (with its interpolated panels, observed
governments, institutions and lever plan), so the estimation reads the data exactly as the simulator does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import parse_month
from sim.config import Params, RunConfig
from sim.data.index import un_alignment
from sim.data.monthly import interpolate
from sim.data.seeds import SeedTables
from sim.dynamics.alignment import affinity, neighbour_mean
from sim.dynamics.drivers import lever
from sim.dynamics.world import World, build_world


@dataclass(frozen=True)
class Record:
    """Monthly observed covariates over a window (``T`` months x ``N`` states)."""

    world: World
    months: np.ndarray  # (T,) calendar month indices
    alignment: np.ndarray  # (T, N) observed index, interpolated (carried after the last observation)
    trade_gap: np.ndarray  # (T, N) goods trade with China minus with the US, fraction of GDP
    us_exposure_trade: np.ndarray  # (T, N) goods trade with the US, fraction of GDP
    ideology: np.ndarray  # (T, N) head of government's ideology
    affinity: np.ndarray  # (T, N) ideological affinity target
    bri: np.ndarray  # (T, N) bool: member at the end of the month
    prc: np.ndarray  # (T, N) bool: recognises Beijing at the end of the month
    bri_before: np.ndarray  # (T, N) bool: member at the start of the month
    prc_before: np.ndarray  # (T, N) bool
    bri_share: np.ndarray  # (T, N) neighbourhood share of members at the start of the month
    offer: np.ndarray  # (T, N) china.bri_offer
    stay_out: np.ndarray  # (T, N) us.bri_exit_pressure


def window_config(base: RunConfig, start: str, end: str) -> RunConfig:
    """``base`` for a historical window, with the record's institutions replayed (no scenario levers)."""
    from dataclasses import replace

    from sim.config import ChinaLevers, USLevers

    return replace(base, start=start, end=end, us=USLevers(), china=ChinaLevers(), replay_institutions=True, pinned=[])


def record(seeds: SeedTables, base: RunConfig, start: str, end: str, params: Params) -> Record:
    """Observed covariates for the months ``start .. end`` (``params`` gives the subregion weight of the neighbour
    shares)."""
    world = build_world(seeds, window_config(base, start, end))
    months = np.arange(world.start, world.end + 1)
    panels = seeds.panels
    observed = interpolate(un_alignment(panels), panels.years, months, carry=True)
    shares = np.nan_to_num(world.trade_obs)  # within the data every state has shares
    trade_us = 0.5 * world.openness * (shares[:, 0] + shares[:, 2])
    trade_cn = 0.5 * world.openness * (shares[:, 1] + shares[:, 3])
    ideology = np.empty((len(months), world.n_states))
    current = world.ideology0.copy()
    for t in range(len(months)):
        current = np.where(np.isnan(world.scripted_ideology[t]), current, world.scripted_ideology[t])
        ideology[t] = current
    bri_before = np.vstack([world.bri0[None], world.observed_bri[:-1]])
    prc_before = np.vstack([world.prc0[None], world.observed_prc[:-1]])
    bri_share = neighbour_mean(
        world.neighbours, world.subregion_peers, params.subregion_weight, bri_before.astype(float)
    )
    return Record(
        world=world,
        months=months,
        alignment=observed,
        trade_gap=trade_cn - trade_us,
        us_exposure_trade=trade_us,
        ideology=ideology,
        affinity=affinity(ideology, world.us_ideology[:, None], world.cn_ideology[:, None]),
        bri=world.observed_bri,
        prc=world.observed_prc,
        bri_before=bri_before,
        prc_before=prc_before,
        bri_share=bri_share,
        offer=np.asarray(lever(world.plan, "china.bri_offer")),
        stay_out=np.asarray(lever(world.plan, "us.bri_exit_pressure")),
    )


def month_range(start: str, end: str) -> np.ndarray:
    return np.arange(parse_month(start, "start"), parse_month(end, "end") + 1)
