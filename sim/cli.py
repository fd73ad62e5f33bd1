"""Command line: ``python -m sim [scenario=<name>] [key=value ...]`` (Hydra).

Before Hydra creates a run directory, :func:`preflight` composes the configuration and validates it (keys, types,
ranges, dates, scenario names, seeds tables), so bad input ends with one line on stderr, exit status 2 and nothing
written. Errors found later remove the half-written run directory.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.calendar import month_label
from sim.config import RunConfig, register_configs
from sim.dynamics.terms import TERMS
from sim.dynamics.world import World
from sim.errors import SimInputError
from sim.paths import CONF_DIR
from sim.reporting.tables import outcomes_table, write_tables
from sim.runners.ensemble import Ensemble, prepare, run_ensemble
from sim.scenarios import scenarios
from sim.sweep import LAST_SWEEP
from sim.validation import to_run_config

register_configs()

SKIP_PREFLIGHT = (
    "--help",
    "-h",
    "--hydra-help",
    "--info",
    "-i",
    "--cfg",
    "-c",
    "--shell-completion",
    "-sc",
    "--package",
    "-p",
    "--resolve",
    "--version",
)


FREE_FORM = ("us.targets", "china.targets", "history.anchor_levers")
"""Dict-valued fields whose sub-keys the user names (``us.targets.COL.tariff=0.25``)."""


def _known_key(key: str, value: str) -> None:
    """Raise if ``key`` (dotted) is not a field of :class:`RunConfig`."""
    if any(key.startswith(prefix + ".") for prefix in FREE_FORM):
        return
    node = OmegaConf.structured(RunConfig)
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if not (OmegaConf.is_dict(node) and part in node):
            here = ".".join(parts[:depth]) or "the top level"
            allowed = ", ".join(sorted(node.keys())) if OmegaConf.is_dict(node) else "none"
            raise SimInputError(key, value, f"unknown key; keys allowed at {here}: {allowed}")
        node = node[part]
    if OmegaConf.is_dict(node):
        raise SimInputError(key, value, f"is a group; set one of its keys: {', '.join(sorted(node.keys()))}")


def normalise_overrides(argv: list[str]) -> list[str]:
    """Let users set free-form dict entries without Hydra's ``++`` (``us.targets.COL.tariff=0.25``)."""
    out = []
    for arg in argv:
        key = arg.split("=", 1)[0]
        if "=" in arg and any(key.startswith(prefix + ".") for prefix in FREE_FORM):
            arg = "++" + arg
        out.append(arg)
    return out


def _compose(overrides: list[str]) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=overrides)


def _explain(err: Exception) -> SimInputError:
    """One-line version of a Hydra/OmegaConf composition error."""
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
            msg = str(getattr(cause, "msg", cause)).splitlines()[0]
            return SimInputError(str(cause.full_key), getattr(cause, "value", None), msg)
        cause = cause.__cause__
    return SimInputError("overrides", "", str(err).splitlines()[0])


def check_config(cfg: DictConfig) -> tuple[RunConfig, World]:
    """Validate a composed config completely (types, ranges, seeds, lever plan); return it typed, with its world."""
    run = to_run_config(cfg)
    return run, prepare(run)


def preflight(argv: list[str]) -> None:
    """Validate the command line before Hydra writes anything.

    A single run is checked completely. In a sweep every value is composed (unknown keys, scenarios and wrong types
    stop the sweep); values out of range fail only their own job, whose error the sweep's table records.
    """
    if any(a.split("=")[0] in SKIP_PREFLIGHT for a in argv):
        return
    overrides = [a for a in argv if not a.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise SimInputError("overrides", " ".join(overrides), str(err).splitlines()[0]) from None
    variants: list[list[str]] = [[]]
    base: list[str] = []
    for o in parsed:
        key = o.get_key_element()
        if key.startswith("hydra") or o.input_line.startswith("hydra/"):
            base.append(o.input_line)
            continue
        values = list(o.sweep_string_iterator()) if o.is_sweep_override() else [o.get_value_element_as_str()]
        name = key.lstrip("+~")
        if name == "scenario":
            known = scenarios()
            for v in values:
                if v not in known:
                    raise SimInputError("scenario", v, f"expected one of {', '.join(known)}")
        elif not o.is_add() and not o.is_delete() and not o.is_force_add():
            _known_key(name, ",".join(values))
        prefix = key + "="
        variants = [[*v, prefix + values[0]] for v in variants]
        for extra in values[1:]:
            variants.append([prefix + extra])
    sweep = any(a in ("-m", "--multirun") for a in argv)
    first = variants[0]
    for variant in variants:
        varied = {v.split("=", 1)[0] for v in variant}
        line = base + variant + [v for v in first if v.split("=", 1)[0] not in varied]
        try:
            cfg = _compose(line)
            if sweep:
                to_run_config(cfg)  # keys and types; a value out of range fails its own job, not the sweep
        except (HydraException, OmegaConfBaseException) as err:
            raise _explain(err) from None
        if not sweep:
            check_config(cfg)


def _focus_contributions(ens: Ensemble) -> pd.DataFrame:
    """Per-replication monthly contributions of the focus state (for the mechanism figure)."""
    world, traj = ens.world, ens.trajectory
    i = world.iso3.index(ens.config.focus)
    c = traj.contributions[:, :, :, i]  # (months, terms, runs)
    months, terms, runs = c.shape
    return pd.DataFrame(
        {
            "replication": np.tile(traj.runs, months * terms),
            "date": np.repeat([month_label(int(m)) for m in traj.months[1:]], terms * runs),
            "iso3": ens.config.focus,
            "term": np.tile(np.repeat(np.array(TERMS), runs), months),
            "value": c.ravel(),
        }
    )


def execute(cfg: DictConfig, out: Path) -> Path:
    """Run the ensemble for ``cfg`` and write tables and figures into ``out``."""
    run, world = check_config(cfg)
    ens = run_ensemble(run, world=world, progress=True)
    config = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(config, dict)
    tables = write_tables(ens.trajectory, ens.world, config, out)
    outcomes_table(ens.trajectory, ens.world).to_csv(out / "outcomes.csv", index=False)
    if run.plots:
        from sim.reporting.figures import plot_all

        names = dict(zip(ens.world.iso3, ens.world.names, strict=True))
        plot_all(tables["timeseries"], _focus_contributions(ens), out / "figures", names, focus=run.focus)
    return out


DONE = "DONE"
"""Marker written last into a run directory: the job finished (a re-run sweep skips it)."""
ERROR = "error.txt"
"""One-line error of a failed sweep job (recorded in the sweep's table; the other jobs go on)."""


def _sweeping() -> bool:
    return HydraConfig.get().mode == RunMode.MULTIRUN


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def app(cfg: DictConfig) -> None:
    """Hydra task: one ensemble per job. In a sweep, a finished job is skipped and a failed one records its error."""
    out = Path(HydraConfig.get().runtime.output_dir)
    if _sweeping():
        if (out / DONE).exists():
            print(f"skipped (already done): {out}")
            return
        (out / ERROR).unlink(missing_ok=True)
        try:
            execute(cfg, out)
        except Exception as err:  # a sweep keeps going; the error lands in the aggregated table
            message = str(err) if isinstance(err, SimInputError) else f"{type(err).__name__}: {err}"
            (out / ERROR).write_text(message.splitlines()[0] + "\n")
            print(f"error: {message.splitlines()[0]}", file=sys.stderr)
            return
        (out / DONE).write_text("")
        print(f"run directory: {out}")
        return
    try:
        execute(cfg, out)
    except SimInputError as err:
        shutil.rmtree(out, ignore_errors=True)
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    (out / DONE).write_text("")
    print(f"run directory: {out}")


def main() -> None:
    """Entry point of ``python -m sim``."""
    sys.argv[1:] = normalise_overrides(sys.argv[1:])
    try:
        preflight(sys.argv[1:])
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    app()
    if LAST_SWEEP.get("failed"):
        print(
            f"error: {LAST_SWEEP['failed']} of {LAST_SWEEP['jobs']} sweep jobs failed; see sweep_results.csv",
            file=sys.stderr,
        )
        sys.exit(1)
