"""Validation of a run configuration beyond its types: ranges, dates and counts, as one-line errors."""

from __future__ import annotations

from dataclasses import fields

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.calendar import parse_month
from sim.config import Params, RunConfig
from sim.errors import SimInputError

DTYPES = ("float64", "float32")


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
    validate_params(cfg.params)
