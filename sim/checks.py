"""Checks of a run configuration beyond its types (ranges, dates, counts, what fits in memory), as one-line errors.

(Validation of the model against history is :mod:`sim.validate`.)
"""

from __future__ import annotations

import os
from dataclasses import fields

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.calendar import parse_month
from sim.config import Params, RunConfig
from sim.errors import SimInputError

DTYPES = ("float64", "float32")
LAST_END = "2050-12"
"""Latest month a run may end: the drivers and levers are calibrated on 1990-2025 data; 25 years on is the limit."""
MEMORY_SHARE = 0.8
"""A run may plan to use at most this share of the memory available when it starts."""


def to_run_config(cfg: DictConfig | RunConfig) -> RunConfig:
    """Turn a composed Hydra config into a typed :class:`RunConfig` (errors name the key)."""
    if isinstance(cfg, RunConfig):
        return cfg
    try:
        plain = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(plain, dict)
        plain.pop("hydra", None)
        merged = OmegaConf.merge(OmegaConf.structured(RunConfig), plain)
        obj = OmegaConf.to_object(merged)
    except OmegaConfBaseException as err:
        raise SimInputError(
            str(getattr(err, "full_key", "") or "config"),
            getattr(err, "value", None),
            str(getattr(err, "msg", err)).splitlines()[0],
        ) from None
    assert isinstance(obj, RunConfig)
    return obj


def validate_params(params: Params) -> None:
    """Every behavioural parameter within its documented range."""
    for f in fields(Params):
        lo, hi = f.metadata["range"]
        value = getattr(params, f.name)
        if not isinstance(value, int | float) or not lo <= value <= hi:
            raise SimInputError(f"params.{f.name}", value, f"expected a number in [{lo}, {hi}] ({f.metadata['unit']})")


def validate_run_config(cfg: RunConfig) -> None:
    """Check counts, dates and ranges of ``cfg``; raise :class:`SimInputError` on the first problem."""
    if not isinstance(cfg.replications, int) or cfg.replications < 1:
        raise SimInputError("replications", cfg.replications, "expected a whole number of at least 1")
    if not isinstance(cfg.seed, int) or cfg.seed < 0:
        raise SimInputError("seed", cfg.seed, "expected a whole number of at least 0")
    if cfg.dtype not in DTYPES:
        raise SimInputError("dtype", cfg.dtype, f"expected one of {', '.join(DTYPES)}")
    start = parse_month(cfg.start, "start")
    end = parse_month(cfg.end, "end")
    if end < start:
        raise SimInputError("end", cfg.end, f"expected a month not before start {cfg.start}")
    if end > parse_month(LAST_END, "end"):
        raise SimInputError(
            "end",
            cfg.end,
            f"expected a month up to {LAST_END} (the model's drivers are calibrated on "
            "1990-2025 data; it does not project further)",
        )
    validate_params(cfg.params)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (``MemAvailable`` on Linux), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(cfg: RunConfig, months: int, states: int, terms: int, bytes_per_row: int = 160) -> None:
    """Refuse an ensemble whose recorded paths and tables would not fit in memory, saying what would.

    An ensemble keeps every replication's monthly path (``months`` x ``states`` cells of 8 state fields, ``terms``
    contributions and 5 event flags) and builds a timeseries table of about ``bytes_per_row`` per cell.
    """
    itemsize = 4 if cfg.dtype == "float32" else 8
    per_replication = months * states * (8 * itemsize + terms * itemsize + 5 + bytes_per_row)
    need = per_replication * cfg.replications
    have = available_memory()
    if have is None or need <= MEMORY_SHARE * have:
        return
    fit = max(1, int(MEMORY_SHARE * have // per_replication))
    raise SimInputError(
        "replications",
        cfg.replications,
        f"an ensemble keeps every replication's monthly path: about {need / 2**30:.1f} GiB for this run, and "
        f"{have / 2**30:.1f} GiB are available; use at most {fit} replications for {months} months, or a design that "
        "streams its outcomes (python -m sim.sensitivity, sim.runners.design)",
    )
