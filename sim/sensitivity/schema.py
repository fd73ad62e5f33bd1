"""Configuration schema of ``python -m sim.sensitivity``: the model's :class:`~sim.config.RunConfig` plus the keys of
a sensitivity study (``conf/sensitivity/config.yaml`` composes them; every key is documented in docs/sensitivity.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from hydra.core.config_store import ConfigStore

from sim.config import RunConfig
from sim.sensitivity.outputs import FAMILIES


@dataclass
class ConvergenceConfig:
    """Stated bounds of the convergence check (see :class:`sim.sensitivity.analysis.Options`)."""

    max_conf: float = 0.05  # largest acceptable half-width of a Sobol index's 95% interval
    influential: float = 0.05  # Sobol ST at or above which a factor is reported as influential
    max_relative: float = 0.5  # Morris mu* / PAWN median: largest acceptable half-width relative to the index


@dataclass
class SensitivityConfig(RunConfig):
    """A sensitivity study: the model's configuration (scenario, horizon, seed, dtype, replications per set, fixed
    levers and parameters) and what to vary, how to sample, run and analyse."""

    method: str = "sobol"  # sobol | morris | pawn (config group conf/sensitivity/method/)
    N: int = 512  # Sobol' base points (a power of two), Morris trajectories or PAWN rows
    calc_second_order: bool = False  # Sobol: second-order indices (N(2D+2) rows instead of N(D+2))
    num_levels: int = 4  # Morris grid levels (even)
    pawn_slices: int = 10  # PAWN conditioning intervals per factor
    common_random_numbers: bool = True  # replication k of every factor set draws stream k (false: each run its own)
    num_resamples: int = 100  # bootstrap resamples for the confidence intervals
    conf_level: float = 0.95
    space: dict[str, Any] = field(default_factory=dict)  # declared factors (conf/sensitivity/space/)
    factors: Any = None  # null: the whole space; a list narrows it; a mapping extends it
    fixed: list[str] = field(default_factory=list)  # filled by the command line: keys it sets leave the space
    outputs: list[str] = field(default_factory=lambda: list(FAMILIES))  # what the analysis decomposes
    batch: int = 1024  # runs per engine batch (whole rows: batch // replications rows)
    workers: int | None = None  # processes running batches (null: every core; 1 in a -m job)
    chunk: int | None = None  # the slice this launch runs (null: all); -m chunk=0,1,2,3 chunks=4 splits a study
    chunks: int = 1
    dry_run: bool = False  # print the estimate (rows, runs, time, disk) and stop
    progress: bool = True
    top: int = 20  # factors shown in the figures
    convergence: ConvergenceConfig = field(default_factory=ConvergenceConfig)


STUDY_KEYS = tuple(f.name for f in fields(SensitivityConfig) if f.name not in {g.name for g in fields(RunConfig)})
"""Keys of a study that are not the model's."""
ANALYSIS_ONLY = (
    "fixed",
    "pawn_slices",
    "num_resamples",
    "conf_level",
    "outputs",
    "workers",
    "chunk",
    "chunks",
    "dry_run",
    "progress",
    "top",
    "convergence",
    "plots",
    "focus",
)
"""Keys that do not change a study's runs (left out of its key, so a re-launch may change them)."""


def register() -> None:
    """Register the schema with Hydra (``conf/sensitivity/config.yaml`` names it ``sensitivity_schema``)."""
    ConfigStore.instance().store(name="sensitivity_schema", node=SensitivityConfig)
