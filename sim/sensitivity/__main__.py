"""``python -m sim.sensitivity``: a global sensitivity analysis of the model (Hydra app sharing ``conf/``).

The life of a study (docs/sensitivity.md):

1. :func:`preflight` composes and validates the configuration (model keys, factor space, SALib's rules, slices)
   before anything is written: bad input ends with one line on stderr and exit status 2. It prints the estimate
   (rows, runs, time, disk); ``dry_run=true`` stops there.
2. The study folder is opened (:func:`sim.sensitivity.pipeline.create`): created complete with its sample (staged
   and renamed into place), or resumed if it holds the same study (same key), or refused.
3. Hydra runs the task: the missing batches of the slice (``chunk`` of ``chunks``; all by default) are evaluated and
   each written atomically as it finishes. With ``-m chunk=0,1,2,3 chunks=4`` every slice is a Hydra job (basic,
   joblib or submitit launcher) writing into the same study.
4. When every batch is on disk the launching process analyses the study into ``<study>/analysis`` (staged, DONE
   last) and prints its path. An interrupted launch keeps its finished batches: the same command resumes it.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import hydra
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

import sim.launchers  # noqa: F401  (registers the resilient joblib launcher with Hydra)
from sim.config import LEVER_DOCS, register_configs
from sim.errors import SimInputError, SimRunError
from sim.paths import CONF_DIR
from sim.sensitivity import pipeline, schema
from sim.sensitivity.store import StudyLock, read_study, study_key

register_configs()
schema.register()

CONFIG_NAME = "sensitivity/config"
GROUPS = ("scenario", "history", "estimates", "method", "space")
SKIP_PREFLIGHT = ("--help", "-h", "--hydra-help", "--info", "-i", "--cfg", "-c", "--shell-completion", "-sc")
SLURM_LAUNCHERS = ("cluster", "submitit_slurm")
FREE_FORM = ("us.targets", "china.targets", "elections", "seeds", "state_effects")
OWN_GROUPS = ("method", "space")
"""Config groups of conf/sensitivity/ (Hydra names them sensitivity/<group>; the command line says <group>=...)."""
OUTPUTS = Path("outputs") / "sensitivity"
RESULT: dict[str, Any] = {}


def normalise(argv: list[str]) -> list[str]:
    """Free-form entries (``us.targets.COL.tariff=0.25``) get Hydra's ``++`` as in ``python -m sim``; ``method=`` and
    ``space=`` choose the options of the groups ``conf/sensitivity/method`` and ``conf/sensitivity/space``."""
    out = []
    for arg in argv:
        key = arg.split("=", 1)[0]
        if "=" in arg and any(key.startswith(p + ".") for p in FREE_FORM):
            arg = "++" + arg
        elif "=" in arg and key in OWN_GROUPS:
            arg = f"sensitivity/{key}@{key}={arg.split('=', 1)[1]}"
        out.append(arg)
    return out


def compose_config(overrides: list[str]) -> DictConfig:
    """The composed configuration ``python -m sim.sensitivity <overrides>`` runs (errors as one line)."""
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(CONFIG_NAME, overrides=normalise(overrides))
    except (HydraException, OmegaConfBaseException) as err:
        raise _explain(err, overrides) from None
    except yaml.YAMLError as err:
        raise SimInputError("conf", "", f"not valid YAML: {str(err).splitlines()[0]}") from None


_MISSING_OPTION = re.compile(r"Could not find '(?:sensitivity/)?([\w]+)/([^']*)'")


def _given(overrides: list[str], key: str) -> str | None:
    for item in overrides:
        name, _, value = item.partition("=")
        if name.lstrip("+~") == key:
            return value
    return None


def _options(group: str) -> list[str]:
    folder = CONF_DIR / group if (CONF_DIR / group).is_dir() else CONF_DIR / "sensitivity" / group
    return sorted(p.stem for p in folder.glob("*.yaml"))


def _explain(err: BaseException, overrides: list[str]) -> SimInputError:
    """One line from a composition error: the key, the value given and what is allowed."""
    text = "\n".join(str(c) for c in _causes(err))
    missing = _MISSING_OPTION.search(text)
    if missing:
        group, option = missing.groups()
        return SimInputError(group, option, f"expected one of {', '.join(_options(group))}")
    for cause in _causes(err):
        if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
            key = str(cause.full_key)
            msg = str(getattr(cause, "msg", cause)).splitlines()[0]
            if "not in" in msg:
                parent = f" of {key.rsplit('.', 1)[0]}" if "." in key else ""
                msg = f"unknown key; python -m sim.sensitivity --cfg job lists the keys{parent}"
            value = _given(overrides, key)
            return SimInputError(key, value if value is not None else getattr(cause, "value", None), msg)
    first = text.splitlines()[0] if text else type(err).__name__
    return SimInputError("overrides", " ".join(overrides), first)


def _causes(err: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cause: BaseException | None = err
    while cause is not None and len(out) < 20:
        out.append(cause)
        cause = cause.__cause__ or cause.__context__
    return out


def fixed(overrides: list[str]) -> list[str]:
    """Behavioural parameters and levers the command line sets: they are fixed, so they leave the factor space."""
    from sim.config import param_names

    params = {f"params.{p}" for p in param_names()}
    keys = {item.split("=", 1)[0].lstrip("+~") for item in overrides if "=" in item}
    return sorted((keys & params) | set(pinned(overrides)))


def pinned(overrides: list[str]) -> list[str]:
    """Levers the command line fixes (they win over the scenario file, as in ``python -m sim``)."""
    out = set()
    for item in overrides:
        key = item.split("=", 1)[0].lstrip("+~")
        parts = key.split(".")
        if key in LEVER_DOCS or (len(parts) == 4 and parts[1] == "targets" and f"{parts[0]}.{parts[3]}" in LEVER_DOCS):
            out.add(key)
    return sorted(out)


class Launch:
    """The validated command line: the study spec, the overrides, the slices to run and the Hydra settings."""

    def __init__(self, spec: pipeline.Spec, overrides: list[str], sweep: bool, chunks: list[int | None]) -> None:
        self.spec = spec
        self.overrides = overrides
        self.sweep = sweep
        self.chunks = chunks
        self.hydra_args: dict[str, str] = {}


def preflight(argv: list[str]) -> Launch:
    """Validate the command line completely before anything is written."""
    sweep = any(a in ("-m", "--multirun") for a in argv)
    overrides = [a for a in argv if not a.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise SimInputError("overrides", " ".join(overrides), str(err).splitlines()[0]) from None
    hydra_args: dict[str, str] = {}
    line: list[str] = []
    chunk_values: list[int | None] = [None]
    for o in parsed:
        key = o.get_key_element()
        if key.startswith("hydra") or o.input_line.startswith("hydra/"):
            hydra_args[key] = o.get_value_element_as_str()
            line.append(o.input_line)
            continue
        name = key.lstrip("+~").removeprefix("sensitivity/").split("@")[0]
        if o.is_sweep_override():
            if not sweep:
                raise SimInputError(
                    name, o.input_line.split("=", 1)[1], "several values need -m (python -m ... -m chunk=0,1)"
                )
            if name != "chunk":
                raise SimInputError(
                    name,
                    o.input_line.split("=", 1)[1],
                    "only chunk may take several values: a study is one job, split "
                    "in slices (-m chunk=0,1,2,3 chunks=4); compare studies by launching each",
                )
            chunk_values = [int(v) for v in o.sweep_string_iterator()]
            line.append(f"chunk={chunk_values[0]}")
            continue
        line.append(o.input_line)
    _check_launcher(hydra_args)
    pins = pinned(overrides)
    if pins:
        line.append(f"pinned=[{','.join(pins)}]")
    held = fixed(overrides)
    if held:
        line.append(f"fixed=[{','.join(held)}]")
        print(f"note: fixed on the command line, so not varied: {', '.join(held)}", flush=True)
    cfg = compose_config(line)
    spec = pipeline.build(cfg, multirun=sweep)
    for value in chunk_values:
        if value is not None and not 0 <= value < spec.chunks:
            raise SimInputError(
                "chunk", value, f"expected a slice number in 0 .. {spec.chunks - 1} (chunks={spec.chunks})"
            )
    if sweep and chunk_values == [None]:
        raise SimInputError("-m", "", "a sensitivity study is swept over its slices only: -m chunk=0,1,2,3 chunks=4")
    launch = Launch(spec, overrides, sweep, chunk_values)
    launch.hydra_args = hydra_args
    return launch


def _check_launcher(hydra_args: dict[str, str]) -> None:
    import shutil

    launcher = hydra_args.get("hydra/launcher", "")
    if launcher in SLURM_LAUNCHERS and not (shutil.which("sbatch") and shutil.which("srun")):
        raise SimInputError(
            "hydra/launcher",
            launcher,
            "SLURM's sbatch/srun are not on PATH here: run on the cluster's login node, or use hydra/launcher=joblib",
        )


def _task(cfg: DictConfig) -> None:
    """One Hydra job: evaluate the missing batches of this launch's slice in the study folder."""
    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    root = Path(str(hc.sweep.dir if multirun else hc.run.dir))
    try:
        spec = pipeline.build(cfg, multirun=multirun)
        study = read_study(root)
        if study.meta["key"] != study_key(spec.identity())[0]:
            raise SimInputError("study", str(root), "this job's configuration differs from the study's")
        label = f"slice {spec.chunk}/{spec.chunks}" if spec.chunk is not None else "sensitivity runs"
        batches = study.slice_batches(spec.chunk, spec.chunks)
        t0 = time.perf_counter()
        done = pipeline.run_slice(
            study, spec.evaluator(), batches, spec.workers or 1, spec.progress and not multirun, label
        )
        RESULT["runs"] = RESULT.get("runs", 0) + done
        RESULT["seconds"] = RESULT.get("seconds", 0.0) + time.perf_counter() - t0
        if multirun:
            print(f"{label}: {done:,} runs done", flush=True)
    except Exception as err:
        RESULT.update(error=_one_line(err), code=2 if isinstance(err, SimInputError) else 1)
        if multirun:
            print(f"error: slice {cfg.get('chunk')}: {RESULT['error']}", file=sys.stderr)
    finally:
        if multirun:
            pipeline.clean_job_folder(Path(hc.runtime.output_dir), root)


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name=CONFIG_NAME)
def app(cfg: DictConfig) -> None:
    """Hydra task: one slice (or the whole study) per job."""
    _task(cfg)


def _one_line(err: BaseException) -> str:
    if isinstance(err, SimInputError | SimRunError):
        return str(err).splitlines()[0]
    if isinstance(err, OSError) and err.strerror:
        return f"could not write the study: {err.strerror}" + (f" ({err.filename})" if err.filename else "")
    return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


def _default_root(spec: pipeline.Spec) -> Path:
    return OUTPUTS / f"{spec.method}_{spec.run.scenario_name}_{time.strftime('%Y-%m-%d_%H-%M-%S')}"


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (clean-up as for Ctrl-C)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _hydra_argv(argv: list[str], launch: Launch, replace: dict[str, str]) -> list[str]:
    keep = [a for a in argv if a.split("=", 1)[0] not in replace]
    pins, held = pinned(launch.overrides), fixed(launch.overrides)
    extra = ([f"pinned=[{','.join(pins)}]"] if pins else []) + ([f"fixed=[{','.join(held)}]"] if held else [])
    return keep + extra + [f"{k}={v}" for k, v in replace.items()]


def run(argv: list[str]) -> int:
    """Validate, estimate, open the study, run the slices, analyse when complete; returns the exit status."""
    launch = preflight(argv)
    spec = launch.spec
    key = "hydra.sweep.dir" if launch.sweep else "hydra.run.dir"
    root = Path(launch.hydra_args.get(key) or _default_root(spec))
    todo_rows = _todo_rows(root, spec, launch)
    est = pipeline.estimate(spec, todo_rows=todo_rows)
    for line in est.lines(spec):
        print(line, flush=True)
    if spec.dry_run:
        return 0
    study, created = pipeline.create(spec, root, key)
    print(f"study directory: {root} ({'new' if created else 'resumed: ' + _progress(study)})", flush=True)
    replace = {key: str(root)}
    if launch.sweep:
        replace["hydra.sweep.subdir"] = ".jobs/${hydra.job.num}"
    sys.argv[1:] = _hydra_argv(argv, launch, replace)
    RESULT.clear()
    t0 = time.perf_counter()
    with StudyLock(root, None if launch.sweep else spec.chunk, spec.chunks):
        app()
    if "error" in RESULT and not launch.sweep:
        print(f"error: {RESULT['error']}", file=sys.stderr)
        return int(RESULT["code"])
    covers_all = set(launch.chunks) == set(range(spec.chunks)) if launch.sweep else spec.chunk is None
    return _conclude(study, spec, time.perf_counter() - t0, covers_all)


def _todo_rows(root: Path, spec: pipeline.Spec, launch: Launch) -> int:
    """Rows this launch will run (the slice's batches not yet on disk, if the folder holds this study)."""
    if not launch.sweep and spec.chunk is not None:
        share = (spec.chunk + 1) * (-(-spec.rows // spec.batch_rows)) // spec.chunks
        share -= spec.chunk * (-(-spec.rows // spec.batch_rows)) // spec.chunks
        rows = min(spec.rows, share * spec.batch_rows)
    else:
        rows = spec.rows
    try:
        study = read_study(root)
    except SimInputError:
        return rows
    batches = study.slice_batches(None if launch.sweep else spec.chunk, spec.chunks)
    if launch.sweep:
        batches = [b for c in launch.chunks for b in study.slice_batches(c, spec.chunks)]
    missing = [b for b in batches if b not in study.finished()]
    return sum(study.batch_span(b)[1] - study.batch_span(b)[0] for b in missing)


def _progress(study: Any) -> str:
    return f"{len(study.finished())} of {study.n_batches} batches on disk"


def _conclude(study: Any, spec: pipeline.Spec, seconds: float, covers_all: bool) -> int:
    """Analyse a complete study, or say which slices remain (exit 1 if this launch should have completed it: a job
    failed)."""
    if not pipeline.complete(study):
        missing = sorted(set(range(study.n_batches)) - study.finished())
        slices = sorted({c for c in range(spec.chunks) for b in study.slice_batches(c, spec.chunks) if b in missing})
        print(
            f"study directory: {study.root}: {len(missing)} of {study.n_batches} batches still to run "
            f"(slices {', '.join(map(str, slices))} of chunks={spec.chunks}); run them (same command, chunk=<k>), then "
            f"python -m sim.sensitivity.analyze {study.root}",
            flush=True,
        )
        return 1 if "error" in RESULT or covers_all else 0
    t0 = time.perf_counter()
    extra = {"launch_runs": RESULT.get("runs", 0), "launch_run_seconds": round(RESULT.get("seconds", seconds), 2)}
    folder = pipeline.finish(study, spec, extra)
    if folder is None:
        print(f"analysis directory: {study.root / 'analysis'} (already analysed)")
    else:
        print(f"analysis directory: {folder} ({time.perf_counter() - t0:.1f} s)")
    return 0


def main() -> None:
    """Entry point of ``python -m sim.sensitivity``."""
    argv = normalise(sys.argv[1:])
    if any(a.split("=")[0] in SKIP_PREFLIGHT for a in argv):
        sys.argv[1:] = argv
        app()
        return
    os.environ["HYDRA_FULL_ERROR"] = "1"
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = run(argv)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except (KeyboardInterrupt, Terminated) as err:
        what = "Ctrl-C" if isinstance(err, KeyboardInterrupt) else "SIGTERM"
        print(f"interrupted ({what}): finished batches are kept; run the same command to resume", file=sys.stderr)
        sys.exit(130 if isinstance(err, KeyboardInterrupt) else 143)
    except Exception as err:
        print(f"error: {_one_line(err)}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code)


if __name__ == "__main__":
    main()
