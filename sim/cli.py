"""Command line: ``python -m sim [scenario=<name>] [key=value ...]`` (Hydra).

The life of a run:

1. :func:`preflight` composes and validates the configuration (keys, types, ranges, dates, scenarios, seeds tables)
   before anything is written: bad input ends with one line on stderr and exit status 2.
2. The run's folder is claimed (:class:`sim.folders.RunFolder`): a new or empty target, locked against a second run;
   the run writes into a hidden staging folder beside it.
3. Hydra runs the task; tables and figures go to the staging folder, ``DONE`` last.
4. On success the staging folder is renamed to the target in one step. On an error, Ctrl-C or SIGTERM, only the
   staging folder is removed, one line says what happened and the exit status is non-zero (1 for a run error, 130 for
   Ctrl-C, 143 for SIGTERM).

A sweep (``-m``) claims its root (:class:`sim.folders.SweepRoot`); each job stages under ``.partial-<launch>/`` and is
renamed to ``<overrides label>-<key>`` when done. The key is a hash of the job's resolved configuration, seeds and
code (:mod:`sim.identity`): resuming a sweep skips exactly the jobs whose key already has a finished folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

import sim.launchers  # noqa: F401  (registers the resilient joblib launcher with Hydra)
from sim import atomic
from sim.calendar import month_label
from sim.checks import to_run_config
from sim.config import RunConfig, register_configs
from sim.dynamics.alignment import TERMS
from sim.dynamics.world import World
from sim.errors import SimInputError, SimRunError
from sim.folders import RunFolder, SweepRoot, job_staging
from sim.identity import config_key, label, project_version, user_overrides
from sim.paths import CONF_DIR
from sim.reporting.tables import outcomes_table, write_tables
from sim.runners.ensemble import Ensemble, prepare, run_ensemble
from sim.scenarios import broken_scenarios, scenarios
from sim.sweep import FAILED_DIR, LAST_SWEEP, failure_record

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


FREE_FORM = ("us.targets", "china.targets", "elections", "seeds", "state_effects")
"""Dict-valued fields whose sub-keys the user names (``us.targets.COL.tariff=0.25``, ``elections.COL=0.6``,
``seeds.COL.export_share_cn=0.3``)."""
READ_ONLY = {
    "history.present": "the present (October 2025) is fixed by the data",
    "pinned": "python -m sim fills it from the levers given on the command line",
}
SLURM_LAUNCHERS = ("cluster", "submitit_slurm")

DONE = "DONE"
"""Marker written last into a run folder: the run finished."""
JOB_PID = "job.pid"
"""While a sweep job runs, its staging folder holds the id of the process running it."""
OUTPUTS = Path("outputs")
"""Default parent of run and sweep folders (relative to the working directory)."""


def _known_key(key: str, value: str) -> None:
    """Raise if ``key`` (dotted) is not a field of :class:`RunConfig` one may set."""
    if key in READ_ONLY:
        raise SimInputError(key, value, f"cannot be set: {READ_ONLY[key]}")
    for prefix in FREE_FORM:
        if key.startswith(prefix + "."):
            per_state = prefix.endswith("targets") or prefix == "seeds"
            if per_state and len(key.split(".")) != len(prefix.split(".")) + 2:
                code = key.split(".")[len(prefix.split("."))]
                what = "<lever>" if prefix.endswith("targets") else "<variable>"
                raise SimInputError(key, value, f"expected one {what[1:-1]} per state: {prefix}.{code}.{what}=<value>")
            return
    node = OmegaConf.structured(RunConfig)
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if not (OmegaConf.is_dict(node) and part in node):
            here = ".".join(parts[:depth]) or "the top level"
            shown = (
                [k for k in node if ".".join([*parts[:depth], k]) not in READ_ONLY] if OmegaConf.is_dict(node) else []
            )
            allowed = ", ".join(sorted(shown)) or "none"
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


_IN_FILE = re.compile(r"In '([\w/.-]+)'")
_FULL_KEY = re.compile(r"full_key: ([\w.\[\]-]+)")


def _file_value(source: str, key: str) -> Any:
    """The value at dotted ``key`` in ``conf/<source>.yaml`` (``None`` if it cannot be read)."""
    try:
        data: Any = yaml.safe_load((CONF_DIR / f"{source}.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    parts = key.split(".")
    group = source.split("/", 1)[0]
    # a file of a group (``# @package history``) holds its keys without the group's name
    for path in (parts, parts[1:] if parts[0] == group else None):
        if not path:
            continue
        node = data
        try:
            for part in path:
                node = node[part]
            return node
        except (KeyError, TypeError, IndexError):
            continue
    return None


def _explain(err: Exception) -> SimInputError:
    """One-line version of a Hydra/OmegaConf composition error, naming the config file when one is at fault."""
    text = "\n".join(str(c) for c in _causes(err))
    in_file = _IN_FILE.search(text)
    full_key = _FULL_KEY.search(text)
    source = in_file.group(1) if in_file else ""
    entry = _schedule_entry_error(err, text)
    if entry is not None:
        return entry
    for cause in _causes(err):
        if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
            key = str(cause.full_key)
            msg = str(getattr(cause, "msg", cause)).splitlines()[0]
            value = getattr(cause, "value", None)
            if value is None and source:
                value = _file_value(source, key)
            if "not in" in msg:
                try:
                    _known_key(key, "")
                except SimInputError as known:
                    msg = known.allowed
            return SimInputError(f"conf/{source}.yaml: {key}" if source else key, value, msg)
    if in_file and full_key:
        key = full_key.group(1)
        try:
            _known_key(key, "")
            allowed = next(line for line in text.splitlines() if line.strip() and "In '" not in line).strip()
        except SimInputError as known:
            allowed = known.allowed
        return SimInputError(f"conf/{source}.yaml: {key}", _file_value(source, key), allowed)
    if in_file:
        detail = next((line for line in text.splitlines()[1:] if line.strip()), text.splitlines()[0])
        return SimInputError(f"conf/{in_file.group(1)}.yaml", "", detail.strip())
    return SimInputError("overrides", "", text.splitlines()[0])


_OVERRIDE = re.compile(r"Could not override '([\w.]+)'.*?\+[\w.]+=(.*)$", re.S)


def _schedule_entry_error(err: Exception, text: str) -> SimInputError | None:
    """An unknown field in a command-line schedule entry, named with its path (``us.schedule[0].foo``)."""
    from dataclasses import fields

    from sim.config import LeverChange

    cause = next((c for c in _causes(err) if getattr(c, "object_type", None) is LeverChange), None)
    found = _OVERRIDE.search(text)
    if cause is None or found is None or getattr(cause, "key", None) is None:
        return None
    key, allowed = str(cause.key), ", ".join(f.name for f in fields(LeverChange))
    try:
        entries = OverridesParser.create().parse_overrides([f"x={found.group(2).strip().splitlines()[0]}"])[0].value()
    except HydraException:
        entries = None
    for i, item in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(item, dict) and key in item:
            where = f"{found.group(1)}[{i}].{key}"
            return SimInputError(where, item[key], f"unknown key; a schedule entry has the fields {allowed}")
    return SimInputError(f"{found.group(1)}[].{key}", None, f"unknown key; a schedule entry has the fields {allowed}")


def _broken_yaml(err: Exception) -> SimInputError:
    """Name the configuration file that is not valid YAML (Hydra's parser does not say which)."""
    for path in sorted(CONF_DIR.rglob("*.yaml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as bad:
            mark = getattr(bad, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(bad, "problem", None) or str(bad).splitlines()[0]
            return SimInputError(str(path.relative_to(CONF_DIR.parent)), "", f"not valid YAML: {where}{problem}")
    return SimInputError("conf", "", f"not valid YAML: {str(err).splitlines()[0]}")


def _causes(err: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cause: BaseException | None = err
    while cause is not None and len(out) < 20:
        out.append(cause)
        cause = cause.__cause__ or cause.__context__
    return out


def _attribute(err: SimInputError, line: list[str]) -> SimInputError:
    """Name the config file behind an error about a key the command line did not set (e.g. a typo in a scenario)."""
    given = {o.split("=", 1)[0].lstrip("+~") for o in line}
    key = err.field
    set_here = any(key.startswith((g + ".", g + "[")) or g.startswith(key + ".") for g in given)
    if key in given or set_here or "conf/" in key:
        return err
    scenario = next((o.split("=", 1)[1] for o in line if o.startswith("scenario=")), "baseline")
    source = "conf/history/<history>.yaml" if key.startswith("history.") else f"conf/scenario/{scenario}.yaml"
    if key.startswith("history."):
        history = next((o.split("=", 1)[1] for o in line if o.startswith("history=")), "observed")
        source = f"conf/history/{history}.yaml"
    return SimInputError(f"{source}: {key}", err.value, err.allowed)


def _attribute_if_in_file(err: SimInputError, line: list[str]) -> SimInputError:
    """:func:`_attribute` for an error about a value a scenario or history file sets (else ``err`` unchanged)."""
    key = err.field
    if key.startswith("history."):
        source = "history/" + next((o.split("=", 1)[1] for o in line if o.startswith("history=")), "observed")
    else:
        source = "scenario/" + next((o.split("=", 1)[1] for o in line if o.startswith("scenario=")), "baseline")
    if _file_value(source, key) is None:
        return err
    return _attribute(err, line)


def check_config(cfg: DictConfig) -> tuple[RunConfig, World]:
    """Validate a composed config completely (types, ranges, seeds, lever plan); return it typed, with its world."""
    run = to_run_config(cfg)
    return run, prepare(run)


@dataclass
class Launch:
    """What the command line asks for, after validation: a single run or a sweep, and its overrides."""

    sweep: bool
    overrides: list[str]  # every override as given (normalised)
    first: RunConfig  # the typed configuration of the first (or only) job
    hydra_args: dict[str, str] = field(default_factory=dict)  # hydra.* overrides given by the user
    swept: list[str] = field(default_factory=list)  # keys given several values (a sweep)
    pinned: list[str] = field(default_factory=list)  # levers the command line sets (they win over the scenario)


def preflight(argv: list[str]) -> Launch:
    """Validate the command line before anything is written.

    A single run is checked completely. In a sweep every value is composed (unknown keys, scenarios and wrong types
    stop the sweep); values out of range fail only their own job, whose error the sweep's table records.
    """
    sweep = any(a in ("-m", "--multirun") for a in argv)
    overrides = [a for a in argv if not a.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise SimInputError("overrides", " ".join(overrides), str(err).splitlines()[0]) from None
    variants: list[list[str]] = [[]]
    base: list[str] = []
    hydra_args: dict[str, str] = {}
    swept: list[str] = []
    for o in parsed:
        key = o.get_key_element()
        if key.startswith("hydra") or o.input_line.startswith("hydra/"):
            base.append(o.input_line)
            hydra_args[key] = o.get_value_element_as_str()
            continue
        given = o.input_line.split("=", 1)[1] if "=" in o.input_line else ""
        if o.is_sweep_override() and not sweep:
            raise SimInputError(key, given, "several values make a sweep: add -m (python -m sim -m key=a,b)")
        name = key.lstrip("+~")
        values = _sweep_values(o, name, given) if o.is_sweep_override() else [o.get_value_element_as_str()]
        if name in GROUPS:
            options = _group_options(name)
            for v in values:
                if v not in options:
                    raise SimInputError(name, v, f"expected one of {', '.join(options)}")
                if name == "scenario" and v in broken_scenarios():
                    raise SimInputError(f"conf/scenario/{v}.yaml", v, f"cannot be read: {broken_scenarios()[v]}")
        elif not o.is_delete():
            _known_key(name, ",".join(values))
        if len(values) > 1:
            swept.append(name)
        prefix = key + "="
        variants = [[*v, prefix + values[0]] for v in variants]
        for extra in values[1:]:
            variants.append([prefix + extra])
    _check_launcher(hydra_args)
    pins = _pinned(overrides)
    if pins:
        base.append(f"pinned=[{','.join(pins)}]")
    first_variant = variants[0]
    typed: RunConfig | None = None
    for variant in variants:
        varied = {v.split("=", 1)[0] for v in variant}
        line = base + variant + [v for v in first_variant if v.split("=", 1)[0] not in varied]
        try:
            cfg = _compose(line)
            run = to_run_config(cfg)  # keys and types; in a sweep a value out of range fails its own job only
        except (HydraException, OmegaConfBaseException, SimInputError) as err:
            raise _attribute(_explain(err) if not isinstance(err, SimInputError) else err, line) from None
        except yaml.YAMLError as err:
            raise _broken_yaml(err) from None
        if not sweep:
            try:
                run, _ = check_config(cfg)
            except SimInputError as err:
                raise _attribute_if_in_file(err, line) from None
        typed = typed or run
    assert typed is not None
    return Launch(sweep, overrides, typed, hydra_args, swept, pins)


GROUPS = ("scenario", "history")
"""Config groups one may choose on the command line (folders of ``conf/``)."""


def _group_options(group: str) -> list[str]:
    return list(scenarios()) if group == "scenario" else sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def _sweep_values(o: Any, name: str, given: str) -> list[str]:
    """The values of a sweep override; ``glob(...)`` only for config groups, ``interval(...)`` never."""
    from hydra.core.override_parser.types import Glob

    value = o.value()
    if isinstance(value, Glob):
        if name not in GROUPS:
            raise SimInputError(name, given, "glob(...) selects scenario or history names; list the values instead")
        return value.filter(_group_options(name))
    try:
        return list(o.sweep_string_iterator())
    except HydraException:
        raise SimInputError(
            name,
            given,
            "interval(...) needs an optimising sweeper: list values (key=a,b,c) or use python -m sim.sensitivity",
        ) from None


def _check_launcher(hydra_args: dict[str, str]) -> None:
    import shutil as sh

    launcher = hydra_args.get("hydra/launcher", "")
    if launcher:
        options = _launcher_options()
        if launcher not in options:
            raise SimInputError("hydra/launcher", launcher, f"expected one of {', '.join(options)}")
    if launcher in SLURM_LAUNCHERS and not (sh.which("sbatch") and sh.which("srun")):
        raise SimInputError(
            "hydra/launcher",
            launcher,
            "SLURM's sbatch/srun are not on PATH here: run on the cluster's login node, "
            "or use hydra/launcher=joblib on this machine",
        )


def _launcher_options() -> list[str]:
    """Launchers one may choose: this project's (``conf/hydra/launcher``) and those of the installed Hydra plugins."""
    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins

    Plugins.instance()  # registers the installed plugins' configs
    installed = {name.removesuffix(".yaml") for name in ConfigStore.instance().list("hydra/launcher")}
    return sorted(installed | {p.stem for p in (CONF_DIR / "hydra" / "launcher").glob("*.yaml")})


def _pinned(overrides: list[str]) -> list[str]:
    """Levers the command line sets (``us.tariff``, ``us.targets.COL.tariff``): they win over the scenario file."""
    from sim.config import LEVER_DOCS

    out = set()
    for item in overrides:
        key = item.split("=", 1)[0].lstrip("+~")
        parts = key.split(".")
        if key in LEVER_DOCS or (len(parts) == 4 and parts[1] == "targets" and f"{parts[0]}.{parts[3]}" in LEVER_DOCS):
            out.add(key)
    return sorted(out)


def _focus_contributions(ens: Ensemble, focus: list[str]) -> pd.DataFrame:
    """Per-replication monthly contributions of the focus states (for the mechanism figures)."""
    world, traj = ens.world, ens.trajectory
    frames = []
    for code in focus:
        i = world.iso3.index(code)
        c = traj.contributions[:, :, :, i]  # (months, terms, runs)
        months, terms, runs = c.shape
        frames.append(
            pd.DataFrame(
                {
                    "replication": np.tile(traj.runs, months * terms),
                    "date": np.repeat([month_label(int(m)) for m in traj.months[1:]], terms * runs),
                    "iso3": code,
                    "term": np.tile(np.repeat(np.array(TERMS), runs), months),
                    "value": c.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def run_metadata(cfg: DictConfig, overrides: list[str]) -> dict[str, Any]:
    """What identifies a run: scenario, overrides, seed, replications, dtype, the project version and the key."""
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    return {
        "scenario": container.get("scenario_name"),
        "overrides": user_overrides(overrides, drop=()),
        "seed": container.get("seed"),
        "replications": container.get("replications"),
        "dtype": container.get("dtype"),
        "start": container.get("start"),
        "end": container.get("end"),
        "key": config_key(container),
        "data_overrides": data_overrides(container.get("seeds") or {}),
        "seeds_dir": container.get("seeds_dir") or "seeds/ (shipped)",
        **project_version(),
    }


def data_overrides(seeds: dict[str, Any]) -> list[dict[str, Any]]:
    """The calibration figures the user replaced (``seeds.<ISO3>.<variable>=<value>``), each marked as a user
    override: from the run's start they replace the panel value and its source."""
    return [
        {"iso3": code, "variable": variable, "value": value, "source": "user override (command line)"}
        for code, values in sorted(seeds.items())
        for variable, value in sorted((values or {}).items())
    ]


def footer_line(meta: dict[str, Any]) -> str:
    """One line naming a run on its figures: scenario, overrides, replications and seed."""
    shown = [o for o in meta["overrides"] if not o.startswith(("scenario=", "plots=", "replications=", "seed="))]
    parts = [f"scenario {meta['scenario']}", *shown, f"{meta['replications']} replications", f"seed {meta['seed']}"]
    return " · ".join(parts)


def execute(cfg: DictConfig, out: Path, overrides: list[str] | None = None, progress: bool = True) -> Path:
    """Run the ensemble for ``cfg`` and write tables and figures into ``out`` (an empty folder); ``DONE`` last.
    ``progress`` shows one bar over the whole run (replications, then tables and figures)."""
    run, world = check_config(cfg)
    meta = run_metadata(cfg, overrides or [])
    focus = [run.focus]
    from tqdm.auto import tqdm

    stages = ["tables", "outcomes", *(["figures"] if run.plots else []), "config"]
    bar = tqdm(total=run.replications + len(stages), desc=run.scenario_name, unit="step", disable=not progress)
    with bar:
        ens = run_ensemble(run, world=world, progress=False, on_chunk=bar.update)
        config = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(config, dict)
        bar.set_postfix_str("writing tables")
        tables = write_tables(ens.trajectory, ens.world, config, out, meta)
        bar.update()
        atomic.write_csv(outcomes_table(ens.trajectory, ens.world), out / "outcomes.csv")
        from sim.reporting.tables import write_data_dictionary

        write_data_dictionary(out)  # after the last table: describes every table written above
        bar.update()
        if run.plots:
            from sim.reporting.figures import plot_all

            bar.set_postfix_str("drawing figures")
            names = dict(zip(ens.world.iso3, ens.world.names, strict=True))
            plot_all(
                tables["timeseries"],
                _focus_contributions(ens, focus),
                out / "figures",
                names,
                focus=focus,
                footer=footer_line(meta),
            )
            bar.update()
        atomic.write_text(out / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(config)))
        atomic.write_text(out / "overrides.yaml", "".join(f"- {o}\n" for o in meta["overrides"]) or "[]\n")
        bar.update()
    atomic.write_text(out / DONE, "")
    return out


def _one_line(err: BaseException) -> str:
    if isinstance(err, SimInputError | SimRunError):
        return str(err).splitlines()[0]
    if isinstance(err, OSError) and err.strerror:
        where = f" ({err.filename})" if err.filename else ""
        return f"could not write the run's outputs: {err.strerror}{where}"
    return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


RESULT: dict[str, Any] = {}
"""Outcome of the task in this process (a single run): ``error`` (one line) and ``code`` when it failed."""


def _run_task(cfg: DictConfig) -> None:
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        execute(cfg, out, list(HydraConfig.get().overrides.task))
    except OSError as err:  # a table writer's error names no file: say which run could not be written
        target = RESULT.get("target", out)
        message = f"hydra.run.dir: could not write the run's outputs to {target}: {err.strerror or err}"
        RESULT.update(error=message, code=1)
    except Exception as err:  # reported by main() in one line; the staging folder is discarded there
        RESULT.update(error=_one_line(err), code=2 if isinstance(err, SimInputError) else 1)


SWEPT_KEYS = "SIM_SWEPT_KEYS"
"""Environment variable by which ``python -m sim`` tells sweep jobs which keys vary (``:``-separated)."""


def _job_identity(cfg: DictConfig, overrides: list[str]) -> tuple[str, str, dict[str, Any]]:
    """A sweep job's folder name (``<swept values>-<key[:8]>``), key and resolved configuration."""
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    container.pop("hydra", None)
    key = config_key(container)
    swept = set(filter(None, os.environ.get(SWEPT_KEYS, "").split(":")))
    shown = [o for o in user_overrides(overrides, drop=()) if not swept or o.split("=", 1)[0] in swept]
    return f"{label(shown) or 'defaults'}-{key[:8]}", key, container


def record_dead_job(sweep_config: DictConfig, message: str) -> None:
    """Record a job whose worker process died (called by :mod:`sim.launchers` in the launching process)."""
    task = sweep_config.copy()
    with open_dict(task):
        overrides = list(task.hydra.overrides.task)
        root = Path(str(task.hydra.sweep.dir))
        del task["hydra"]
    name, key, container = _job_identity(task, overrides)
    failure_record(root, name, key, container, user_overrides(overrides, drop=()), message)
    print(f"error: {name}: {message}", file=sys.stderr)


def _sweep_task(cfg: DictConfig) -> None:
    """One sweep job: skip it if an identical job already finished, else run it and move it into place."""
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    root = Path(str(hc.sweep.dir))
    overrides = list(hc.overrides.task)
    name, key, container = _job_identity(cfg, overrides)
    final = root / name
    if (final / DONE).is_file():
        shutil.rmtree(out, ignore_errors=True)  # this launch's own empty staging folder
        print(f"skipped (identical job already done): {final}")
        return
    (out / JOB_PID).write_text(f"{os.getpid()}\n")  # which process runs this job (for a user, or a test)
    try:
        execute(cfg, out, overrides, progress=False)
        (out / JOB_PID).unlink()
        os.rename(out, final)
    except Exception as err:  # a sweep keeps going; the error lands in the aggregated table
        shutil.rmtree(out, ignore_errors=True)
        message = _one_line(err)
        failure_record(root, name, key, container, user_overrides(overrides, drop=()), message)
        print(f"error: {name}: {message}", file=sys.stderr)
        return
    (root / FAILED_DIR / f"{name}.json").unlink(missing_ok=True)
    print(f"job directory: {final}")


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def app(cfg: DictConfig) -> None:
    """Hydra task: one ensemble per job."""
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        _sweep_task(cfg)
    else:
        _run_task(cfg)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (so clean-up runs as for Ctrl-C)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _default_run_dir(launch: Launch) -> Path:
    shown = user_overrides(launch.overrides)
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    name = f"{label(shown)}_{stamp}" if shown else stamp
    return OUTPUTS / launch.first.scenario_name / name


def _check_scenario_name(name: str) -> None:
    if not name or name in (".", "..") or any(c in name for c in "/\\\0") or name.startswith("."):
        raise SimInputError("scenario_name", name, "expected a plain name (letters, digits, _ or -), no path")


def _hydra_argv(argv: list[str], launch: Launch, replace: dict[str, str]) -> list[str]:
    """The arguments Hydra gets: the user's, with ``replace`` (folders) and the pinned levers."""
    keep = [a for a in argv if a.split("=", 1)[0] not in replace]
    pins = [f"pinned=[{','.join(launch.pinned)}]"] if launch.pinned else []
    return keep + pins + [f"{k}={v}" for k, v in replace.items()]


def _single_run(argv: list[str], launch: Launch) -> int:
    target = Path(launch.hydra_args.get("hydra.run.dir") or _default_run_dir(launch))
    folder = RunFolder.claim(target)
    for old in folder.stale:
        print(f"note: {old} is the partial folder of an interrupted run; it is not used and can be deleted")
    sys.argv[1:] = _hydra_argv(argv, launch, {"hydra.run.dir": str(folder.staging)})
    RESULT.clear()
    RESULT["target"] = folder.target
    try:
        app()
    except BaseException:
        folder.discard()
        raise
    if "error" in RESULT:
        folder.discard()
        print(f"error: {RESULT['error']}", file=sys.stderr)
        return int(RESULT["code"])
    print(f"run directory: {folder.commit()}")
    return 0


def _sweep(argv: list[str], launch: Launch) -> int:
    root = Path(launch.hydra_args.get("hydra.sweep.dir") or OUTPUTS / "multirun" / time.strftime("%Y-%m-%d_%H-%M-%S"))
    sweep_root = SweepRoot.claim(root)
    sys.argv[1:] = _hydra_argv(
        argv,
        launch,
        {"hydra.sweep.dir": str(root), "hydra.sweep.subdir": job_staging(sweep_root.launch, "${hydra.job.num}")},
    )
    os.environ["SIM_LAUNCH_ID"] = sweep_root.launch
    os.environ[SWEPT_KEYS] = ":".join(launch.swept)
    ok = False
    try:
        app()
        ok = True
    finally:
        sweep_root.finish(ok)
    for old in sweep_root.stale_partials():
        print(f"note: {old} holds jobs of an interrupted launch; they are not used and can be deleted")
    if LAST_SWEEP.get("failed"):
        table = root / "sweep_results.csv"
        print(f"error: {LAST_SWEEP['failed']} of {LAST_SWEEP['jobs']} sweep jobs failed; see {table}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    """Entry point of ``python -m sim``."""
    argv = normalise_overrides(sys.argv[1:])
    if any(a.split("=")[0] in SKIP_PREFLIGHT for a in argv):
        sys.argv[1:] = argv
        app()
        return
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra re-raises instead of printing tracebacks; we print one line
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background (SIG_IGN)
    try:
        launch = preflight(argv)
        _check_scenario_name(launch.first.scenario_name)
        code = _sweep(argv, launch) if launch.sweep else _single_run(argv, launch)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(
            "interrupted (Ctrl-C): the unfinished run's files were removed; nothing else was touched", file=sys.stderr
        )
        sys.exit(130)
    except Terminated:
        print(
            "terminated (SIGTERM): the unfinished run's files were removed; nothing else was touched", file=sys.stderr
        )
        sys.exit(143)
    except Exception as err:
        print(f"error: {_one_line(err)}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code)
