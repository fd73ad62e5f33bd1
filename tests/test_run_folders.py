"""Run folders that never lose or mix data (sim/folders.py, sim/atomic.py), and runs that survive being killed.

Unit tests: the lock refuses a second holder and re-checks the lock file's inode, a run stages beside its target and
is renamed into place, discarding removes only what the run created, partial folders of interrupted runs are reported
and kept, atomic writes leave either the whole file or nothing.

Kill tests (a real ``python -m sim``): SIGKILL, SIGTERM and SIGINT a run while it writes its tables; nothing
half-written appears at the target, SIGTERM (exit 143) and SIGINT (exit 130) remove the staging folder and say so in
one line, a second run into the same folder is refused in one line while the first holds it, and a re-run gives
tables byte-identical to an uninterrupted run of the same configuration.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import sim.folders
from sim import atomic
from sim.errors import SimInputError, SimRunError
from sim.folders import SWEEP_LOCK, SWEEP_MARKER, FolderLock, RunFolder, SweepRoot
from sim.paths import PROJECT_ROOT

# --- the lock ---------------------------------------------------------------------------------------------------------


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path):
    path = tmp_path / ".run.lock"
    first = FolderLock(path)
    first.acquire("hydra.run.dir", tmp_path / "run")
    with pytest.raises(SimInputError) as err:
        FolderLock(path).acquire("hydra.run.dir", tmp_path / "run")
    message = str(err.value)
    assert message.startswith(f"hydra.run.dir: got '{tmp_path / 'run'}'")
    assert f"another run (pid {os.getpid()})" in message and "\n" not in message
    first.release()
    assert not path.exists()
    second = FolderLock(path)
    second.acquire("hydra.run.dir", tmp_path / "run")  # free again
    second.release()


def test_a_lock_file_removed_before_it_was_locked_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Between our open() and flock() the previous holder releases: it unlinks the file we opened. Holding a lock on
    an unlinked file would let a third run in, so the lock is taken again on the file now at the path."""
    path = tmp_path / ".run.lock"
    calls = []
    real_flock = fcntl.flock

    def racing_flock(fd: int, operation: int) -> None:
        calls.append(os.fstat(fd).st_ino)
        if len(calls) == 1:
            path.unlink()  # the previous holder's release, just before our flock
        real_flock(fd, operation)

    monkeypatch.setattr(sim.folders.fcntl, "flock", racing_flock)
    lock = FolderLock(path)
    lock.acquire("hydra.run.dir", tmp_path / "run")
    assert len(calls) == 2  # retried once
    assert lock.fd is not None and os.fstat(lock.fd).st_ino == os.stat(path).st_ino == calls[1]
    assert path.read_text() == str(os.getpid())
    lock.release()


def test_a_dead_holder_does_not_block(tmp_path: Path):
    """flock dies with its process: a lock file left by a killed run is taken over."""
    path = tmp_path / ".run.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import fcntl,os,time; fd=os.open({str(path)!r}, os.O_RDWR|os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(SimInputError, match="another run"):
            FolderLock(path).acquire("hydra.run.dir", tmp_path / "run")
    finally:
        holder.kill()
        holder.wait()
    lock = FolderLock(path)
    lock.acquire("hydra.run.dir", tmp_path / "run")
    lock.release()


# --- run folders ------------------------------------------------------------------------------------------------------


def test_a_run_stages_beside_its_target_and_is_renamed_into_place(tmp_path: Path):
    target = tmp_path / "runs" / "one"
    folder = RunFolder.claim(target)
    assert folder.staging.parent == target.parent and folder.staging.name.startswith(".one.partial-")
    assert folder.staging.is_dir() and not target.exists()
    (folder.staging / "table.csv").write_text("a\n1\n")
    assert folder.commit() == target
    assert (target / "table.csv").read_text() == "a\n1\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["one"]  # no staging folder, no lock left


def test_an_empty_existing_target_is_used(tmp_path: Path):
    target = tmp_path / "empty"
    target.mkdir()
    folder = RunFolder.claim(target)
    (folder.staging / "DONE").write_text("")
    folder.commit()
    assert [p.name for p in target.iterdir()] == ["DONE"]


def test_discard_removes_only_what_the_run_created(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine\n")
    target = tmp_path / "a" / "b" / "run"
    folder = RunFolder.claim(target)
    assert folder.created == [tmp_path / "a", tmp_path / "a" / "b"]
    (folder.staging / "half.csv").write_text("x")
    (tmp_path / "a" / "other.txt").write_text("written by someone else meanwhile\n")
    folder.discard()
    assert not (tmp_path / "a" / "b").exists()  # created by the run, now empty: removed
    assert (tmp_path / "a" / "other.txt").read_text().startswith("written")  # not the run's: kept, and so is a/
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "notes.txt"]


def test_stale_partial_folders_are_reported_not_deleted(tmp_path: Path):
    target = tmp_path / "run"
    stale = tmp_path / ".run.partial-99999999"
    stale.mkdir()
    (stale / "timeseries.csv").write_text("cut mid-ro")
    folder = RunFolder.claim(target)
    assert folder.stale == [stale]
    folder.discard()
    assert (stale / "timeseries.csv").read_text() == "cut mid-ro"
    folder = RunFolder.claim(target)
    folder.commit()
    assert stale.is_dir() and target.is_dir()


@pytest.mark.parametrize("kind", ["file", "folder with files"])
def test_a_target_holding_something_is_refused_untouched(tmp_path: Path, kind: str):
    target = tmp_path / "run"
    if kind == "file":
        target.write_text("data")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("data")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(SimInputError, match=r"^hydra.run.dir: got '.*run'; this (path is an existing file|folder)"):
        RunFolder.claim(target)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_target_that_appears_while_waiting_for_the_lock_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The target is checked again once the lock is held (another run may have just finished into it)."""
    target = tmp_path / "run"
    real_acquire = FolderLock.acquire

    def acquire_then_other_run_finishes(self: FolderLock, field_name: str, shown: Path) -> None:
        real_acquire(self, field_name, shown)
        target.mkdir()
        (target / "DONE").write_text("")

    monkeypatch.setattr(FolderLock, "acquire", acquire_then_other_run_finishes)
    with pytest.raises(SimInputError, match="not empty"):
        RunFolder.claim(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no lock, no staging folder left


def test_a_failed_commit_keeps_the_results_and_says_where(tmp_path: Path):
    target = tmp_path / "run"
    folder = RunFolder.claim(target)
    (folder.staging / "DONE").write_text("")
    target.mkdir()
    (target / "intruder.txt").write_text("x")  # rename over a non-empty folder fails
    with pytest.raises(SimRunError) as err:
        folder.commit()
    assert str(folder.staging) in str(err.value) and (folder.staging / "DONE").is_file()
    assert not (target.parent / ".run.lock").exists()


# --- sweep roots ------------------------------------------------------------------------------------------------------


def test_a_sweep_root_is_marked_locked_and_refused_to_a_second_launch(tmp_path: Path):
    root = tmp_path / "sweep"
    first = SweepRoot.claim(root)
    assert (root / SWEEP_MARKER).is_file() and (root / SWEEP_LOCK).is_file()
    with pytest.raises(SimInputError, match=r"^hydra.sweep.dir: got '.*sweep'; another run"):
        SweepRoot.claim(root)
    first.finish(ok=True)
    assert sorted(p.name for p in root.iterdir()) == [SWEEP_MARKER]
    again = SweepRoot.claim(root)  # a resumed sweep may write into its own root
    again.finish(ok=True)


def test_a_failed_launch_leaves_no_empty_sweep_folder(tmp_path: Path):
    root = tmp_path / "new" / "sweep"
    claim = SweepRoot.claim(root)
    claim.partial.mkdir()
    claim.finish(ok=False)
    assert not (tmp_path / "new").exists()


def test_a_folder_that_is_not_a_sweep_root_is_refused(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SimInputError, match="not a sweep folder of this program"):
        SweepRoot.claim(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# --- atomic writes ----------------------------------------------------------------------------------------------------


def test_atomic_writers_write_whole_files_and_leave_no_temporary(tmp_path: Path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    atomic.write_text(tmp_path / "t.txt", "héllo\n")
    atomic.write_json(tmp_path / "t.json", {"k": [1.5, 2]})
    atomic.write_csv(frame, tmp_path / "t.csv")
    atomic.write_parquet(frame, tmp_path / "t.parquet")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "héllo\n"
    assert json.loads((tmp_path / "t.json").read_text()) == {"k": [1.5, 2]}
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.json", "t.parquet", "t.txt"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path):
    path = tmp_path / "summary.json"
    atomic.write_json(path, {"ok": 1})
    with pytest.raises(ValueError):
        atomic.write_json(path, {"bad": math.nan})  # NaN is not JSON: refused, never half-written
    assert json.loads(path.read_text()) == {"ok": 1}
    with pytest.raises(RuntimeError), atomic.atomic_path(path) as tmp:
        tmp.write_text('{"half": ')
        raise RuntimeError("interrupted")
    assert json.loads(path.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


# --- kill tests -------------------------------------------------------------------------------------------------------

KILL_RUN = ("replications=2000", "plots=false", "seed=11", "end=2027-06")
"""Long enough to be caught while writing its tables (seconds of simulation, then ~100 MB of CSV)."""
TABLES = ("timeseries.csv", "timeseries.parquet", "events.csv", "contributions.csv", "outcomes.csv", "summary.json")


def _start(target: Path, cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *KILL_RUN, f"hydra.run.dir={target}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_writing(target: Path, proc: subprocess.Popen[str], timeout: float = 60) -> Path:
    """Wait until the run writes its first table into its staging folder; return the staging folder."""
    staging = target.parent / f".{target.name}.partial-{proc.pid}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if staging.is_dir() and any(p.name.startswith(".timeseries") for p in staging.iterdir()):
            return staging
        time.sleep(0.05)
    raise AssertionError("the run never started writing its tables")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """An uninterrupted run of the same configuration (and its target), started at once so it runs beside the kill
    tests."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    proc = _start(folder / "run", folder)
    yield proc, folder / "run"
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_killed_and_terminated_runs_leave_nothing_half_written_and_rerun_identically(
    tmp_path: Path, uninterrupted: tuple[subprocess.Popen[str], Path]
):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep\n")
    target = work / "run"

    # SIGKILL while writing: no clean-up is possible, but nothing appears at the target
    killed = _start(target, work)
    staging = _wait_until_writing(target, killed)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists() and staging.is_dir()  # the partial folder stays, hidden, for the user to delete

    # SIGTERM while writing, with a second run refused meanwhile
    terminated = _start(target, work)
    staging_term = _wait_until_writing(target, terminated)
    second = subprocess.run(
        [sys.executable, "-m", "sim", "replications=2", "plots=false", f"hydra.run.dir={target}"],
        cwd=work,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: hydra.run.dir: got '{target}'"), lines
    assert f"another run (pid {terminated.pid})" in lines[0]
    terminated.send_signal(signal.SIGTERM)
    _, err = terminated.communicate(timeout=60)
    assert terminated.returncode == 143, err
    messages = [m for m in err.replace("\r", "\n").splitlines() if m.strip() and "%|" not in m]
    assert messages == ["terminated (SIGTERM): the unfinished run's files were removed; nothing else was touched"]
    assert not target.exists() and not staging_term.exists()
    assert sorted(p.name for p in work.iterdir()) == sorted(["notes.txt", staging.name])

    # Ctrl-C (SIGINT) while writing: the same, exit 130, no KeyboardInterrupt traceback
    interrupted = _start(target, work)
    staging_int = _wait_until_writing(target, interrupted)
    interrupted.send_signal(signal.SIGINT)
    _, err = interrupted.communicate(timeout=60)
    assert interrupted.returncode == 130 and "Traceback" not in err, err
    messages = [m for m in err.replace("\r", "\n").splitlines() if m.strip() and "%|" not in m]
    assert messages == ["interrupted (Ctrl-C): the unfinished run's files were removed; nothing else was touched"]
    assert not target.exists() and not staging_int.exists()

    # a re-run into the same folder: reports the stale partial folder, finishes, equals the uninterrupted run
    rerun = _start(target, work)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"note: {staging}" in out and f"run directory: {target}" in out
    assert (target / "DONE").is_file() and (work / "notes.txt").read_text() == "keep\n"
    reference_run, reference = uninterrupted
    _, err = reference_run.communicate(timeout=300)
    assert reference_run.returncode == 0, err
    for name in TABLES:
        assert (target / name).read_bytes() == (reference / name).read_bytes(), name
