"""Compose run configurations from ``conf/`` without the command line (tests, notebooks, runners, the benchmark)."""

from __future__ import annotations

from functools import cache

from hydra import compose, initialize_config_dir

from sim.checks import to_run_config
from sim.config import RunConfig, register_configs
from sim.paths import CONF_DIR


def load_config(*overrides: str) -> RunConfig:
    """The typed configuration ``python -m sim <overrides>`` would run (e.g. ``load_config("scenario=history")``)."""
    register_configs()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return to_run_config(compose("config", overrides=list(overrides)))


@cache
def default_config() -> RunConfig:
    """The baseline configuration (cached; treat it as read-only)."""
    return load_config()
