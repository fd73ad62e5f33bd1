"""Shared fixtures: the composed configs, the seeds tables and worlds (built once per session)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.checks import to_run_config
from sim.config import RunConfig, register_configs
from sim.data.seeds import SeedTables, load_seeds
from sim.dynamics.world import World, build_world
from sim.paths import CONF_DIR, PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"

register_configs()


def composed(*overrides: str) -> RunConfig:
    """A typed run config composed from conf/ with ``overrides``."""
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return to_run_config(compose("config", overrides=list(overrides)))


def make_run(out: Path, *overrides: str) -> Path:
    """A run folder written in-process, as ``python -m sim <overrides> hydra.run.dir=<out>`` writes it (levers
    given are pinned, as the command line pins them)."""
    from sim.cli import execute

    levers = [o.split("=", 1)[0] for o in overrides if o.startswith(("us.", "china."))]
    pins = [f"pinned=[{','.join(levers)}]"] if levers else []
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[*overrides, *pins])
    out.mkdir(parents=True)
    return execute(cfg, out, list(overrides), progress=False)


@pytest.fixture(scope="session")
def seeds() -> SeedTables:
    return load_seeds()


@pytest.fixture(scope="session")
def baseline_cfg() -> RunConfig:
    return composed()


@pytest.fixture(scope="session")
def history_cfg() -> RunConfig:
    return composed("scenario=history")


@pytest.fixture(scope="session")
def baseline_world(seeds: SeedTables, baseline_cfg: RunConfig) -> World:
    return build_world(seeds, baseline_cfg)


@pytest.fixture(scope="session")
def history_world(seeds: SeedTables, history_cfg: RunConfig) -> World:
    return build_world(seeds, history_cfg)


@pytest.fixture
def cfg(baseline_cfg: RunConfig) -> RunConfig:
    """A private copy of the baseline config a test may modify."""
    return copy.deepcopy(baseline_cfg)


@pytest.fixture(scope="session")
def shared_seeds_dir() -> Path:
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip(f"the client's seed documents are not here ({folder}); quotes cannot be checked")
    return folder
