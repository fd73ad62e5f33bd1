"""Bad input to ``python -m sim``: one line, the right exit status, nothing written, nothing else touched.

Every case of issue 7 ("Must give one line") and the README's examples, as a table. Each case asserts:

- exit status 2 for bad input (1 for a run that could not finish);
- exactly one message line on stderr, starting ``error:``, naming the field (or file, row and field), the value given
  and what is allowed (the ``expect`` substrings); no traceback;
- nothing left at the target (run or sweep folder), and the folder around it unchanged: a planted ``notes.txt`` and
  every other file there survive byte for byte, nothing is added.

Most cases call :func:`sim.cli.main` in this process (Hydra's global state reset around each call); a handful go
through a real ``python -m sim`` subprocess as end-to-end proof.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hydra.core.global_hydra import GlobalHydra

import sim.cli
import sim.scenarios
from sim.data.seeds import default_seeds_dir
from sim.errors import SimInputError
from sim.paths import CONF_DIR, PROJECT_ROOT

PROGRESS = re.compile(r"^\S.*:\s+\d+%\|")
"""A tqdm progress-bar line (a run that started shows its bar on stderr; it is not a message)."""


# --- running the command line ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int | str
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[str]:
        """Non-empty stderr lines that are not progress-bar updates."""
        lines = re.split(r"[\r\n]+", self.stderr)
        return [line for line in lines if line.strip() and not PROGRESS.match(line)]


def run_in_process(argv: list[str], cwd: Path) -> Outcome:
    """``python -m sim *argv`` in this process, from ``cwd``: exit status, stdout and stderr."""
    saved_argv, saved_env, saved_cwd = sys.argv[:], dict(os.environ), Path.cwd()
    saved_handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    out, err = io.StringIO(), io.StringIO()
    GlobalHydra.instance().clear()
    sys.argv = ["sim", *argv]
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                sim.cli.main()
                code: int | str = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = "exception"
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
        for sig, handler in saved_handlers.items():
            signal.signal(sig, handler)
        GlobalHydra.instance().clear()
    return Outcome(code, out.getvalue(), err.getvalue())


def run_subprocess(
    args: list[str], cwd: Path, root: Path = PROJECT_ROOT, preexec: Callable[[], None] | None = None
) -> Outcome:
    """``python -m <args>`` in a new process, importing ``sim`` from ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("HYDRA_FULL_ERROR", None)
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, preexec_fn=preexec
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (contents) and folder (``None``) under ``folder``."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = None if path.is_dir() else path.read_bytes()
    return out


def assert_one_line(outcome: Outcome, code: int, expect: tuple[str, ...]) -> str:
    """The exit status, a single ``error:`` line holding every ``expect`` substring, no traceback."""
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.code == code, (outcome.code, outcome.stderr)
    messages = outcome.messages
    assert len(messages) == 1, messages
    line = messages[0]
    assert line.startswith("error: "), line
    missing = [e for e in expect if e not in line]
    assert not missing, f"{line!r} lacks {missing}"
    return line


# --- the work folder: the target's parent, with a planted file ------------------------------------------------------


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """The folder a user runs from: the target's parent, holding their notes."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes: do not lose them\n")
    (folder / "data").mkdir()
    (folder / "data" / "table.csv").write_text("a,b\n1,2\n")
    return folder


def check_untouched(work: Path, before: dict[str, bytes | None], targets: list[Path]) -> None:
    for target in targets:
        assert not target.exists(), f"{target} was left behind"
    assert snapshot(work) == before, "files beside the target were added, changed or removed"


# --- seeds copies with one corruption ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedsEdit:
    """Replace the first ``old`` by ``new`` in ``table`` of a copy of seeds/ (or append ``new`` if ``old`` is empty)."""

    table: str
    old: str | bytes
    new: str | bytes

    def apply(self, root: Path) -> None:
        path = root / self.table
        data = path.read_bytes()
        old = self.old.encode() if isinstance(self.old, str) else self.old
        new = self.new.encode() if isinstance(self.new, str) else self.new
        if old:
            assert old in data, (self.table, self.old)
            path.write_bytes(data.replace(old, new, 1))
        else:
            path.write_bytes(data + new)


def seeds_copy(tmp_path: Path, edits: tuple[SeedsEdit, ...]) -> Path:
    root = tmp_path / "seeds_copy"
    shutil.copytree(default_seeds_dir(), root, ignore=shutil.ignore_patterns("derive", "*.md"))
    for edit in edits:
        edit.apply(root)
    return root


def us_at_the_median(root: Path) -> None:
    """The US votes at the UN median every year: the index's scale D is 0."""
    path = root / "panels" / "alignment.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    median = {p[1]: p[3] for p in (ln.split(",") for ln in lines) if p[0] == "WLD" and p[2] == "unga_world_median"}
    out = []
    for line in lines:
        p = line.split(",")
        if p[0] == "USA" and p[2] == "unga_ideal_point" and p[1] in median:
            p[3] = median[p[1]]
        out.append(",".join(p))
    path.write_text("".join(out), encoding="utf-8")


# --- the table -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad command line. ``{sweep}`` in an argument is the sweep target; without ``hydra.run.dir`` or a sweep
    one, ``hydra.run.dir={out}`` is added. ``seeds`` corrupts a copy of seeds/ passed as ``seeds_dir``."""

    argv: tuple[str, ...]
    expect: tuple[str, ...]
    code: int = 2
    seeds: tuple[SeedsEdit, ...] = ()
    seeds_fn: Callable[[Path], None] | None = None


CASES: dict[str, Any] = {
    # --- horizons (README: start=2027-01 end=2026-01); a hindcast may end before the present (see the tests below)
    "end before start (README)": Case(
        ("start=2027-01", "end=2026-01"), ("end: got '2026-01'; expected a month not before start 2027-01",)
    ),
    "start before 1991-01": Case(("start=1990-12", "end=1992-06"), ("start: got '1990-12'", "1991-01")),
    "start after the data": Case(("start=2025-12",), ("start: got '2025-12'", "2025-11")),
    "end after 2050-12": Case(("end=2051-01",), ("end: got '2051-01'", "2050-12")),
    "end=9999-12": Case(("end=9999-12",), ("end: got '9999-12'", "up to 2050-12")),
    "start not a month": Case(("start=2025-13",), ("start: got '2025-13'", "YYYY-MM")),
    "replications=1000000000": Case(
        ("replications=1000000000",), ("replications: got 1000000000", "GiB", "use at most", "replications")
    ),
    "replications=0": Case(("replications=0",), ("replications: got 0", "at least 1")),
    "replications=many": Case(("replications=many",), ("replications: got 'many'",)),
    "seed=-1": Case(("seed=-1",), ("seed: got -1", "at least 0")),
    "dtype=float16": Case(("dtype=float16",), ("dtype: got 'float16'", "float64, float32")),
    "focus=XXX": Case(("focus=XXX",), ("focus: got 'XXX'", "CELAC")),
    "plots=maybe": Case(("plots=maybe",), ("plots: got 'maybe'",)),
    # --- sweep syntax
    "several values without -m": Case(("us.tariff=0.1,0.2",), ("us.tariff: got '0.1,0.2'", "add -m")),
    "glob on a lever": Case(
        ("-m", "us.tariff=glob(*)", "hydra.sweep.dir={sweep}"), ("us.tariff: got 'glob(*)'", "scenario or history")
    ),
    "interval": Case(
        ("-m", "us.tariff=interval(0,1)", "hydra.sweep.dir={sweep}"), ("us.tariff: got 'interval(0,1)'", "list values")
    ),
    "unknown key in a sweep": Case(
        ("-m", "us.tarif=0,0.1", "hydra.sweep.dir={sweep}"), ("us.tarif: got '0,0.1'", "unknown key", "tariff")
    ),
    "SLURM launcher without srun": pytest.param(
        Case(
            ("-m", "hydra/launcher=cluster", "us.tariff=0,0.1", "hydra.sweep.dir={sweep}"),
            ("hydra/launcher: got 'cluster'", "srun", "hydra/launcher=joblib"),
        ),
        marks=pytest.mark.skipif(bool(shutil.which("srun")), reason="SLURM is installed here"),
    ),
    "unknown launcher": pytest.param(
        Case(
            ("-m", "hydra/launcher=nonexistent", "us.tariff=0,0.1", "hydra.sweep.dir={sweep}"),
            ("hydra/launcher", "nonexistent", "joblib"),
        ),
    ),
    # --- schedules
    "schedule entry without value": Case(
        ("us.schedule=[{lever: aid, start: 2026-06, countries: [HND]}]",),
        ("us.schedule[0].value", "every schedule entry needs a value", "[0.0, 5.0]"),
    ),
    "overlapping windows": Case(
        (
            "us.schedule=[{lever: aid, value: 0, start: 2026-06, end: 2027-06, countries: [HND, GTM]},"
            "{lever: aid, value: 0.5, start: 2026-09, countries: [HND, PAN]}]",
        ),
        ("us.schedule[1]", "overlaps us.schedule[0]", "HND", "2026-09..2027-05"),
    ),
    "ramp_months 1.5": Case(
        ("us.schedule=[{lever: aid, value: 0, start: 2026-06, ramp_months: 1.5}]",),
        ("us.schedule[0].ramp_months: got 1.5", "whole number"),
    ),
    "schedule lever unknown": Case(
        ("us.schedule=[{lever: foo, value: 1, start: 2026-01}]",), ("us.schedule[0].lever: got 'foo'", "tariff")
    ),
    "schedule before the scenario start": Case(
        ("us.schedule=[{lever: tariff, value: 0.1, start: 2024-01}]",),
        ("us.schedule[0].start: got '2024-01'", "from the scenario start 2025-11"),
    ),
    "schedule country unknown": Case(
        ("us.schedule=[{lever: tariff, value: 0.1, start: 2026-01, countries: [XXX]}]",),
        ("us.schedule[0].countries: got 'XXX'", "CELAC"),
    ),
    "schedule not a list": Case(("us.schedule=notalist",), ("us.schedule: got 'notalist'",)),
    "unknown key in a schedule entry": pytest.param(
        Case(
            ("us.schedule=[{lever: tariff, value: 0.1, start: 2026-01, foo: 1}]",),
            ("us.schedule[0].foo", "unknown key", "ramp_months"),
        ),
    ),
    # --- paths and read-only keys
    "scenario_name=../../x": Case(("scenario_name=../../x",), ("scenario_name: got '../../x'", "no path")),
    "history.present": Case(("history.present=2025-09",), ("history.present: got '2025-09'", "cannot be set")),
    "history.anchor": Case(
        ("history.anchor=2025-11",), ("history.anchor: got '2025-11'", "unknown key", "offer_from, schedule")
    ),
    "history.standing_offer": Case(("history.standing_offer=2",), ("history.standing_offer: got 2.0", "[0, 1]")),
    "history.forum_months after the present": Case(
        ("history.forum_months=[2026-01]",), ("history.forum_months[0]: got '2026-01'", "up to the present 2025-10")
    ),
    "history.offer_from": Case(("history.offer_from=bad",), ("history.offer_from: got 'bad'", "YYYY-MM")),
    "history.schedule after the present": Case(
        ("history.schedule=[{lever: us.tariff, value: 0.1, start: 2026-01}]",),
        ("history.schedule[0].start: got '2026-01'", "present 2025-10"),
    ),
    "seeds_dir missing": Case(("seeds_dir=/nonexistent/seeds",), ("seeds_dir: got '/nonexistent/seeds'", "folder")),
    # --- messages naming the full path, the value and what is allowed
    "README typo": Case(
        ("replicatons=5",), ("replicatons: got '5'; unknown key; keys allowed at the top level: china, dtype",)
    ),
    "README range": Case(
        ("us.tariff=2",), ("us.tariff: got 2.0; expected a number in [0.0, 1.0] (fraction ad valorem)",)
    ),
    "+foo=1": Case(("+foo=1",), ("foo: got '1'", "unknown key", "replications")),
    "us.nonsense": Case(("us.nonsense=1",), ("us.nonsense: got '1'", "unknown key", "keys allowed at us:", "tariff")),
    "us=1": Case(("us=1",), ("us: got '1'", "is a group", "tariff")),
    "us.tariff=[0.1]": Case(("us.tariff=[0.1]",), ("us.tariff: got [0.1]",)),
    "us.tariff empty": Case(("us.tariff=",), ("us.tariff: got ''",)),
    "china.bri_finance=-1": Case(("china.bri_finance=-1",), ("china.bri_finance: got -1.0", "[0.0, 10.0]")),
    "us.reaction.drift=5": Case(("us.reaction.drift=5",), ("us.reaction.drift: got 5.0", "[0.0, 2.0]")),
    "params out of range": Case(("params.w_trade=1",), ("params.w_trade: got 1.0", "[0.0, 0.05]", "1/month")),
    "params not a number": Case(("params.w_trade=abc",), ("params.w_trade: got 'abc'",)),
    "params unknown": Case(("params.foo=1",), ("params.foo: got '1'", "unknown key", "w_trade")),
    "us.targets.COL=5": Case(("us.targets.COL=5",), ("us.targets.COL: got '5'", "us.targets.COL.<lever>=<value>")),
    "us.targets.COL.tariff=2": Case(("us.targets.COL.tariff=2",), ("us.targets.COL.tariff: got 2", "[0.0, 1.0]")),
    "us.targets.COL.foo": pytest.param(Case(("us.targets.COL.foo=0.2",), ("us.targets.COL.foo", "0.2", "tariff"))),
    "us.targets.XXX.tariff": pytest.param(
        Case(("us.targets.XXX.tariff=0.2",), ("us.targets.XXX.tariff", "0.2", "CELAC")),
    ),
    "history=nonexistent": Case(("history=nonexistent",), ("history: got 'nonexistent'", "expected one of observed")),
    "scenario=nonexistent": Case(("scenario=nonexistent",), ("scenario: got 'nonexistent'", "baseline")),
    "elections.COL=2": Case(("elections.COL=2",), ("elections.COL: got 2", "[-1, 1]")),
    "elections.CUB": Case(("elections.CUB=0.5",), ("elections.CUB: got 0.5", "no competitive election")),
    "elections after the end": Case(
        ("elections.COL=0.5", "end=2025-12"), ("elections.COL: got 0.5", "2026-05", "extend end")
    ),
    "elections.XXX": pytest.param(
        Case(("elections.XXX=0.5",), ("elections.XXX", "0.5", "CELAC")),
    ),
    "seeds.COL.export_share_cn=2": Case(
        ("seeds.COL.export_share_cn=2",), ("seeds.COL.export_share_cn: got 2.0", "[0.0, 1.0]")
    ),
    "seeds.COL.foo": Case(("seeds.COL.foo=1",), ("seeds.COL.foo: got 1.0", "export_share_cn")),
    "seeds.COL=1": Case(("seeds.COL=1",), ("seeds.COL: got '1'", "seeds.COL.<variable>=<value>")),
    "seeds.XXX.gdp_usd_bn": pytest.param(
        Case(("seeds.XXX.gdp_usd_bn=1",), ("seeds.XXX.gdp_usd_bn", "1", "CELAC")),
    ),
    "state_effects.XXX": pytest.param(
        Case(("state_effects.XXX=0.1",), ("state_effects.XXX", "0.1", "CELAC")),
    ),
    # --- seeds semantics (a corrupted copy of seeds/ as seeds_dir)
    "seeds: leader spell overlaps the next": Case(
        (),
        ("seeds/events/leaders.csv row 2 took_office", "1999-12-10", "overlaps the spell of Carlos Menem"),
        seeds=(SeedsEdit("events/leaders.csv", "1989-07-08,1999-12-10", "1989-07-08,2000-01-10"),),
    ),
    "seeds: leader gap": Case(
        (),
        ("seeds/events/leaders.csv row 2 took_office", "leaves a gap after the spell of Carlos Menem"),
        seeds=(SeedsEdit("events/leaders.csv", "1989-07-08,1999-12-10", "1989-07-08,1999-11-10"),),
    ),
    "seeds: leader takes office after the present": Case(
        (),
        ("seeds/events/leaders.csv row", "took_office: got '2025-11-15'", "up to the present 2025-10-31"),
        seeds=(
            SeedsEdit(
                "events/leaders.csv",
                "ARG,Javier Milei,La Libertad Avanza,2023-12-10",
                "ARG,Javier Milei,La Libertad Avanza,2025-11-15",
            ),
        ),
    ),
    "seeds: duplicate election rows": Case(
        (),
        ("seeds/events/elections.csv row 2 iso3,date,kind,round", "ARG,1995-05-14,presidential,1", "same election"),
        seeds=(
            SeedsEdit(
                "events/elections.csv",
                "\nARG,1995-05-14,",
                "\nARG,1995-05-14,presidential,1,0,1,,0,estimate,x,,Estimate: a duplicate\nARG,1995-05-14,",
            ),
        ),
    ),
    "seeds: scheduled election before the present": Case(
        (),
        ("seeds/events/elections.csv row 11 date: got '2025-09-01'", "after the present"),
        seeds=(SeedsEdit("events/elections.csv", "ARG,2027-10-24,", "ARG,2025-09-01,"),),
    ),
    "seeds: BRI accession while recognising Taipei": Case(
        (),
        ("seeds/events/bri.csv row 25 date: got '2020-01-01'", "PRY recognises Taipei then"),
        seeds=(SeedsEdit("events/bri.csv", "", "PRY,2020-01-01,bri_join,estimate,test,,Estimate: a test row\n"),),
    ),
    "seeds: stray quote in a provenance field": Case(
        (),
        ("seeds/events/bri.csv row 1 source", "stray double quote"),
        seeds=(SeedsEdit("events/bri.csv", ",dataset,bri_membership", ',dataset,"bri_membership'),),
    ),
    "seeds: unknown source_id in a panel": Case(
        (),
        ("seeds/panels/politics.csv row 1 source_id: got 'nope'", "politics_sources.csv"),
        seeds=(
            SeedsEdit(
                "panels/politics.csv", "ARG,1990,autocracy,0.173,autocracy_vdem", "ARG,1990,autocracy,0.173,nope"
            ),
        ),
    ),
    "seeds: not UTF-8": Case(
        (),
        ("seeds/states.csv row", "name: got 'byte 0xff on line", "UTF-8"),
        seeds=(SeedsEdit("states.csv", b"Colombia", b"Colom\xffbia"),),
    ),
    "seeds: US at the UN median (D = 0)": Case(
        (), ("seeds/panels/alignment.csv unga_ideal_point (USA)", "D > 0"), seeds_fn=us_at_the_median
    ),
}


def _case_params() -> list[pytest.param]:
    out = []
    for name, case in CASES.items():
        if isinstance(case, Case):
            out.append(pytest.param(case, id=name))
        else:
            out.append(pytest.param(*case.values, marks=case.marks, id=name))
    return out


@pytest.mark.parametrize("case", _case_params())
def test_bad_input(case: Case, work: Path, tmp_path: Path):
    out, sweep = work / "out", work / "sweep"
    argv = [a.replace("{out}", str(out)).replace("{sweep}", str(sweep)) for a in case.argv]
    if case.seeds or case.seeds_fn:
        root = seeds_copy(tmp_path, case.seeds)
        if case.seeds_fn:
            case.seeds_fn(root)
        argv.append(f"seeds_dir={root}")
    if not any(a.startswith(("hydra.run.dir=", "hydra.sweep.dir=")) for a in argv):
        argv.append(f"hydra.run.dir={out}")
    before = snapshot(work)
    outcome = run_in_process(argv, cwd=work)
    assert_one_line(outcome, case.code, case.expect)
    check_untouched(work, before, [out, sweep])


# --- output folders --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable: mode 555 for a normal user; for root (who ignores modes) the immutable attribute."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr +i: no way to make a folder read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


FOLDER_CASES = {
    "an existing file": (("hydra.run.dir={work}/notes.txt",), ("hydra.run.dir: got '", "notes.txt'", "existing file")),
    "below a file": (("hydra.run.dir={work}/notes.txt/run",), ("hydra.run.dir", "notes.txt/run", "is a file")),
    "hydra.run.dir=.": (("hydra.run.dir=.",), ("hydra.run.dir: got '.'", "not empty", "never writes into")),
    "a folder with files": (("hydra.run.dir={work}",), ("hydra.run.dir", "not empty")),
    "a sweep into a folder with files": (
        ("-m", "us.tariff=0,0.1", "hydra.sweep.dir={work}"),
        ("hydra.sweep.dir", "not a sweep folder of this program"),
    ),
    "a sweep below a file": (
        ("-m", "us.tariff=0,0.1", "hydra.sweep.dir={work}/notes.txt/sweep"),
        ("hydra.sweep.dir", "is a file"),
    ),
}


@pytest.mark.parametrize(("argv", "expect"), FOLDER_CASES.values(), ids=FOLDER_CASES.keys())
def test_bad_output_folder(argv: tuple[str, ...], expect: tuple[str, ...], work: Path):
    before = snapshot(work)
    outcome = run_in_process([a.replace("{work}", str(work)) for a in argv], cwd=work)
    assert_one_line(outcome, 2, expect)
    check_untouched(work, before, [])


@pytest.mark.parametrize("target", ["out", "a/b/out"])
def test_read_only_output_folder(work: Path, target: str):
    locked = work / "locked"
    locked.mkdir()
    (locked / "keep.txt").write_text("kept\n")
    before = snapshot(work)
    with read_only(locked):
        outcome = run_in_process([f"hydra.run.dir={locked / target}"], cwd=work)
    line = assert_one_line(outcome, 2, (f"hydra.run.dir: got '{locked / target}'",))
    assert "not writable" in line or "cannot create" in line, line
    check_untouched(work, before, [locked / target])


def test_sweep_into_a_read_only_folder(work: Path):
    locked = work / "locked"
    locked.mkdir()
    before = snapshot(work)
    with read_only(locked):
        outcome = run_in_process(["-m", "us.tariff=0,0.1", f"hydra.sweep.dir={locked / 'sweep'}"], cwd=work)
    line = assert_one_line(outcome, 2, (f"hydra.sweep.dir: got '{locked / 'sweep'}'",))
    assert "not writable" in line or "cannot create" in line, line
    check_untouched(work, before, [locked / "sweep"])


def test_run_dir_dot_in_an_empty_folder_is_not_called_full(tmp_path: Path):
    """Either refused with a true message, or run into the (empty) working folder."""
    empty = tmp_path / "empty"
    empty.mkdir()
    outcome = run_subprocess(["sim", "hydra.run.dir=.", "replications=1", "plots=false", "end=2025-12"], cwd=empty)
    if outcome.code == 0:
        assert (empty / "DONE").is_file()
        return
    line = assert_one_line(outcome, 2, ("hydra.run.dir: got '.'",))
    assert "not empty" not in line
    assert not any(empty.iterdir())


def test_a_scenario_shortened_by_end_is_run_or_refused_truthfully():
    try:
        sim.cli.preflight(["scenario=us_max_pressure", "end=2025-12"])
    except SimInputError as err:
        message = str(err)
        assert "present 2025-12" not in message and "end" in message and "us_max_pressure" in message, message


# --- broken configuration files (a private copy of conf/, so no other session sees them) -----------------------------


@pytest.fixture
def conf_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of conf/ that ``python -m sim`` in this process reads instead of the project's."""
    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    monkeypatch.setattr(sim.cli, "CONF_DIR", conf)
    monkeypatch.setattr(sim.scenarios, "CONF_DIR", conf)
    return conf


def _unique(prefix: str = "zz_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


BROKEN_FILES = {
    # id: (file under conf/ ({name} = a unique name), its text, extra argv, expected substrings)
    "scenario not YAML": (
        "scenario/{name}.yaml",
        "# @package _global_\nscenario_name: {name}\nus: {{tariff: 0.1\n",
        ("scenario={name}",),
        ("conf/scenario/{name}.yaml", "cannot be read", "line 4"),
    ),
    "scenario not UTF-8": (
        "scenario/{name}.yaml",
        b"# @package _global_\nscenario_name: zz\nquestion: caf\xe9\n",
        ("scenario={name}",),
        ("conf/scenario/{name}.yaml", "not UTF-8"),
    ),
    "history not YAML": (
        "history/{name}.yaml",
        "# @package history\nschedule:\n  - {{lever: us.tariff, value: [0.1\n",
        ("history={name}",),
        ("conf/history/{name}.yaml", "not valid YAML", "line 4"),
    ),
    "config.yaml not YAML": (
        "config.yaml",
        None,  # the project's config.yaml with a broken defaults list
        (),
        ("conf/config.yaml", "not valid YAML", "line 9"),
    ),
    "unknown key inside a scenario": (
        "scenario/{name}.yaml",
        "# @package _global_\nscenario_name: {name}\nus:\n  tarif: 0.1\n",
        ("scenario={name}",),
        ("conf/scenario/{name}.yaml: us.tarif: got 0.1", "unknown key", "tariff"),
    ),
    "unknown top-level key inside a scenario": (
        "scenario/{name}.yaml",
        "# @package _global_\nscenario_name: {name}\nfoo: 1\n",
        ("scenario={name}",),
        ("conf/scenario/{name}.yaml: foo: got 1", "unknown key", "replications"),
    ),
    "unknown key inside a history file": (
        "history/{name}.yaml",
        "# @package history\nanchor: 2024-01\n",
        ("history={name}",),
        ("conf/history/{name}.yaml: history.anchor: got '2024-01'", "unknown key", "offer_from"),
    ),
    "value out of range inside a scenario": (
        "scenario/{name}.yaml",
        "# @package _global_\nscenario_name: {name}\nus:\n  tariff: 3\n",
        ("scenario={name}",),
        ("conf/scenario/{name}.yaml", "us.tariff: got 3", "[0.0, 1.0]"),
    ),
}


@pytest.mark.parametrize(
    ("path", "text", "argv", "expect"),
    [pytest.param(*v, id=k) for k, v in BROKEN_FILES.items()],
)
def test_broken_configuration_file(
    conf_copy: Path,
    work: Path,
    path: str,
    text: str | bytes | None,
    argv: tuple[str, ...],
    expect: tuple[str, ...],
):
    name = _unique()
    file = conf_copy / path.format(name=name)
    if text is None:
        original = file.read_text(encoding="utf-8")
        assert "  - _self_\n" in original
        file.write_text(original.replace("  - _self_\n", "  - _self_\n  - [broken\n", 1), encoding="utf-8")
    elif isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text.format(name=name), encoding="utf-8")
    before = snapshot(work)
    out = work / "out"
    outcome = run_in_process([*(a.format(name=name) for a in argv), f"hydra.run.dir={out}"], cwd=work)
    assert_one_line(outcome, 2, tuple(e.format(name=name) for e in expect))
    check_untouched(work, before, [out])


def test_one_broken_scenario_does_not_break_the_others(conf_copy: Path, work: Path):
    name = _unique()
    (conf_copy / "scenario" / f"{name}.yaml").write_text("# @package _global_\nus: {tariff: 0.1\n", encoding="utf-8")
    for scenario in ("baseline", "us_max_pressure"):
        launch = sim.cli.preflight([f"scenario={scenario}", "replications=2"])
        assert launch.first.scenario_name == scenario
    listing = io.StringIO()
    with contextlib.redirect_stdout(listing):
        assert sim.scenarios.main() == 0
    lines = listing.getvalue().splitlines()
    assert any(f"BROKEN: conf/scenario/{name}.yaml line 3" in line for line in lines), lines
    assert sum("BROKEN" in line for line in lines) == 1
    assert any(line.split()[:1] == ["baseline"] and "2030" in line for line in lines)
    # a sweep over the good scenarios is still composed; naming the broken one stops it in one line
    assert sim.cli.preflight(["-m", "scenario=baseline,history"]).sweep
    outcome = run_in_process(["-m", f"scenario=baseline,{name}", f"hydra.sweep.dir={work / 'sweep'}"], cwd=work)
    assert_one_line(outcome, 2, (f"conf/scenario/{name}.yaml", "cannot be read"))
    assert not (work / "sweep").exists()


# --- what is supported: hindcasts ending before the present, the documented election what-if ------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("start=2024-01", "end=2024-06"),
        ("scenario=history", "end=2025-06"),
        ("start=1991-01", "end=2050-12"),
        ("start=2025-11", "end=2025-11"),
        ("start=2024-01", "end=2024-06", "us.tariff=0.3", "us.schedule=[{lever: aid, value: 0, start: 2024-03}]"),
    ],
    ids=["hindcast inside the history", "history ending mid-2025", "longest window", "one month", "counterfactual"],
)
def test_supported_windows_pass_every_check(argv: tuple[str, ...]):
    launch = sim.cli.preflight(sim.cli.normalise_overrides(list(argv)))
    given = dict(a.split("=", 1) for a in argv if a.startswith(("start=", "end=")))
    assert {k: getattr(launch.first, k) for k in given} == given


def test_documented_election_what_if_works():
    """README: ``elections.COL=0.6`` (no ``+``), also over a scenario that sets its own election."""
    plain = sim.cli.preflight(sim.cli.normalise_overrides(["elections.COL=0.6"]))
    assert plain.first.elections == {"COL": 0.6}
    plus = sim.cli.preflight(sim.cli.normalise_overrides(["+elections.COL=0.6"]))
    assert plus.first.elections == {"COL": 0.6}
    scenario = sim.cli.preflight(sim.cli.normalise_overrides(["scenario=colombia_right_turn", "elections.COL=-0.5"]))
    assert scenario.first.elections["COL"] == -0.5


def test_inputs_that_once_gave_nan_now_run_finite(tmp_path: Path):
    """Issue 7 item 4: a state with zero trade and remittances (and zero GDP) gave NaN; now the run is finite."""
    import numpy as np

    from sim.configs import load_config
    from sim.runners.ensemble import run_ensemble

    root = seeds_copy(tmp_path, ())
    path = root / "panels" / "economy.csv"
    zeroed = ("trade_pct_gdp", "remittances_pct_gdp", "gdp_usd_bn")
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        p = line.split(",")
        if p[0] == "COL" and p[2] in zeroed:
            p[3] = "0"
        lines.append(",".join(p))
    path.write_text("".join(lines), encoding="utf-8")
    ens = run_ensemble(load_config(f"seeds_dir={root}", "replications=3", "end=2027-12"), progress=False)
    assert all(np.isfinite(v).all() for v in ens.trajectory.states.values() if v.dtype.kind == "f")
    assert np.isfinite(ens.trajectory.contributions).all()


def test_a_non_finite_value_fails_the_run_in_one_line(baseline_world, baseline_cfg, monkeypatch: pytest.MonkeyPatch):
    """The NaN guard: one line naming the quantity, the state, the month and the run."""
    import numpy as np

    import sim.engine
    from sim.engine import simulate
    from sim.errors import SimRunError

    real_step = sim.engine.step

    def poisoned(s, t, *args, **kwargs):
        result = real_step(s, t, *args, **kwargs)
        if t == 2:
            result.state.elite[1, baseline_world.iso3.index("PAN")] = np.nan
        return result

    monkeypatch.setattr(sim.engine, "step", poisoned)
    with pytest.raises(SimRunError) as err:
        simulate(baseline_world, baseline_cfg.params, 1, [0, 5], kernel="numpy")  # the step poisoned here
    message = str(err.value)
    assert "\n" not in message
    assert "non-finite elite" in message and "PAN" in message and "2026-01" in message and "run 5" in message


# --- end to end, through python -m sim -----------------------------------------------------------------------------


def test_e2e_bad_values_and_seeds_in_a_subprocess(work: Path, tmp_path: Path):
    root = seeds_copy(tmp_path, (SeedsEdit("events/leaders.csv", "1989-07-08,1999-12-10", "1989-07-08,2000-01-10"),))
    before = snapshot(work)
    for argv, expect in [
        (["scenario_name=../../x"], ("scenario_name: got '../../x'",)),
        ([f"seeds_dir={root}"], ("seeds/events/leaders.csv row 2 took_office", "overlaps")),
        (["hydra.run.dir=."], ("hydra.run.dir: got '.'", "not empty")),
    ]:
        args = argv if any(a.startswith("hydra.run.dir") for a in argv) else [*argv, f"hydra.run.dir={work / 'out'}"]
        assert_one_line(run_subprocess(["sim", *args], cwd=work), 2, expect)
    check_untouched(work, before, [work / "out"])


@pytest.mark.skipif(bool(shutil.which("srun")), reason="SLURM is installed here")
def test_e2e_slurm_launcher_without_srun_leaves_no_sweep_folder(work: Path):
    before = snapshot(work)
    sweep = work / "runs" / "sweep"
    outcome = run_subprocess(
        ["sim", "-m", "hydra/launcher=cluster", "us.tariff=0,0.1", f"hydra.sweep.dir={sweep}"], cwd=work
    )
    assert_one_line(outcome, 2, ("hydra/launcher: got 'cluster'", "srun"))
    check_untouched(work, before, [sweep, work / "runs"])


def _file_size_limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # Python ignores SIGXFSZ: writes fail with EFBIG


def test_e2e_full_disk_fails_in_one_line_and_keeps_nothing(work: Path):
    before = snapshot(work)
    out = work / "out"
    outcome = run_subprocess(
        ["sim", "replications=20", "plots=false", f"hydra.run.dir={out}"], cwd=work, preexec=_file_size_limit
    )
    assert_one_line(outcome, 1, ("could not write", "File too large"))
    check_untouched(work, before, [out])


def test_e2e_full_disk_message_names_the_folder(work: Path):
    out = work / "out"
    outcome = run_subprocess(
        ["sim", "replications=20", "plots=false", f"hydra.run.dir={out}"], cwd=work, preexec=_file_size_limit
    )
    assert_one_line(outcome, 1, (str(out),))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the code and conf/ (seeds/ linked) that ``python -m sim`` can run from: its conf/ may be broken."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(PROJECT_ROOT / "sim", root / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(CONF_DIR, root / "conf")
    (root / "seeds").symlink_to(default_seeds_dir())
    return root


def test_e2e_broken_config_yaml(project_copy: Path, work: Path):
    config = project_copy / "conf" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - _self_\n", "  - _self_\n  - [broken\n", 1))
    before = snapshot(work)
    outcome = run_subprocess(["sim", f"hydra.run.dir={work / 'out'}"], cwd=work, root=project_copy)
    assert_one_line(outcome, 2, ("conf/config.yaml", "not valid YAML"))
    check_untouched(work, before, [work / "out"])


def test_e2e_broken_scenario_is_listed_and_the_others_still_run(project_copy: Path, work: Path):
    name = _unique()
    (project_copy / "conf" / "scenario" / f"{name}.yaml").write_bytes(b"# @package _global_\nus: {tariff: \xff\n")
    listing = run_subprocess(["sim.scenarios"], cwd=work, root=project_copy)
    assert listing.code == 0 and not listing.stderr.strip(), listing.stderr
    assert f"BROKEN: conf/scenario/{name}.yaml not UTF-8" in listing.stdout
    assert len(listing.stdout.splitlines()) == 1 + len(list((project_copy / "conf" / "scenario").glob("*.yaml")))
    broken = run_subprocess(["sim", f"scenario={name}", f"hydra.run.dir={work / 'out'}"], cwd=work, root=project_copy)
    assert_one_line(broken, 2, (f"conf/scenario/{name}.yaml", "cannot be read"))
    good = run_subprocess(
        ["sim", "scenario=history", "end=2025-06", "replications=2", "plots=false", f"hydra.run.dir={work / 'out'}"],
        cwd=work,
        root=project_copy,
    )
    assert good.code == 0, good.stderr
    # a hindcast that ends inside the replayed history is supported: it ends where asked
    dates = pd.read_csv(work / "out" / "timeseries.csv", usecols=["date"])["date"]
    assert (dates.min(), dates.max()) == ("2023-12", "2025-06")
