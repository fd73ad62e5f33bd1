"""Output folders that never lose or mix data.

A run writes into a hidden *staging* folder beside its target (``.<name>.partial-<pid>``) and, only when it has
finished, renames it to the target in one atomic step. On failure or interruption only the staging folder (and any
parent folder the run itself created and left empty) is removed: a run never deletes what it did not create, never
writes into a folder that already holds files, and a lock beside the target refuses a second run into the same
folder while the first is under way.

A sweep root holds one finished folder per job; jobs of one launch stage under ``.partial-<launch>/job-<n>``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import SimInputError, SimRunError

SWEEP_MARKER = ".sim-sweep"
"""File marking a folder as a sweep root made by this program (a resumed sweep may write into it)."""
SWEEP_LOCK = ".sweep.lock"
PARTIAL_PREFIX = ".partial-"


class FolderLock:
    """An exclusive ``flock`` on a lock file; released (and the file removed) by :meth:`release` or process death."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self, field_name: str, shown: Path) -> None:
        """Take the lock or raise :class:`SimInputError` naming ``field_name`` and the folder ``shown``."""
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as err:
                raise SimInputError(field_name, str(shown), f"cannot create files beside it ({err.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise SimInputError(
                    field_name, str(shown), f"another run (pid {holder}) is writing this folder; wait or choose another"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file another process removed between our open and our flock
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self.fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self.fd)
        self.fd = None


def _make_parents(folder: Path, field_name: str, shown: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the folders created (outermost first). Errors name the
    path the user gave (``shown``)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    created = []
    try:
        for path in missing:
            path.mkdir()
            created.append(path)
    except (NotADirectoryError, FileExistsError):
        _remove_empty(created)
        raise SimInputError(field_name, str(shown), "a part of this path is a file, not a folder") from None
    except OSError as err:
        _remove_empty(created)
        raise SimInputError(field_name, str(shown), f"cannot create its folder ({err.strerror})") from None
    if not folder.is_dir():
        raise SimInputError(field_name, str(shown), "a part of this path is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        _remove_empty(created)
        raise SimInputError(field_name, str(shown), f"the folder {folder} is not writable")
    return created


def _remove_empty(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir()


def _check_target(target: Path, field_name: str) -> None:
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise SimInputError(field_name, str(target), "this path is an existing file; give a new folder")
        if any(target.iterdir()):
            raise SimInputError(
                field_name,
                str(target),
                "this folder exists and is not empty; give a new or empty folder (a run never writes into, "
                "or deletes from, a folder that holds files)",
            )


@dataclass
class RunFolder:
    """A run's target folder, its staging folder and the lock that keeps other runs out."""

    target: Path
    staging: Path
    field_name: str
    lock: FolderLock
    created: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)

    @classmethod
    def claim(cls, target: str | Path, field_name: str = "hydra.run.dir") -> RunFolder:
        """Check ``target``, take its lock and create the staging folder (raises :class:`SimInputError`)."""
        target = Path(target)
        _check_target(target, field_name)
        if target.name in ("", ".", ".."):  # the finished run replaces its target; a working folder cannot be replaced
            raise SimInputError(
                field_name, str(target), "expected a new folder by name (e.g. outputs/my_run), not . or .."
            )
        created = _make_parents(target.parent, field_name, target)
        lock = FolderLock(target.parent / f".{target.name}.lock")
        try:
            lock.acquire(field_name, target)
            _check_target(target, field_name)  # again, now that no other run can be finishing into it
            staging = target.parent / f".{target.name}.partial-{os.getpid()}"
            staging.mkdir()
        except BaseException:
            lock.release()
            _remove_empty(created)
            raise
        stale = sorted(p for p in target.parent.glob(f".{target.name}.partial-*") if p != staging)
        return cls(target, staging, field_name, lock, created, stale)

    def commit(self) -> Path:
        """Move the finished staging folder to the target and release the lock."""
        try:
            os.rename(self.staging, self.target)
        except OSError as err:
            raise SimRunError(
                f"{self.field_name}: could not move the finished run to '{self.target}' ({err.strerror}); "
                f"it is kept in '{self.staging}'"
            ) from None
        finally:
            self.lock.release()
        return self.target

    def discard(self) -> None:
        """Remove what this run created (staging folder, lock, parents it made that are now empty)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.lock.release()
        _remove_empty(self.created)


def launch_id() -> str:
    """A name for one launch of a sweep: its start time and process id."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


def job_staging(launch: str, num: int | str) -> str:
    """Sweep sub-folder where job ``num`` of launch ``launch`` stages (relative to the sweep root)."""
    return f"{PARTIAL_PREFIX}{launch}/job-{num}"


@dataclass
class SweepRoot:
    """A sweep's root folder, locked for one launch."""

    root: Path
    launch: str
    lock: FolderLock
    created: list[Path] = field(default_factory=list)

    @classmethod
    def claim(cls, root: str | Path, field_name: str = "hydra.sweep.dir") -> SweepRoot:
        """Check ``root`` (new, empty, or a sweep root of this program), lock it and mark it."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise SimInputError(field_name, str(root), "this path is an existing file; give a new folder")
        if root.is_dir() and any(root.iterdir()) and not (root / SWEEP_MARKER).is_file():
            raise SimInputError(
                field_name,
                str(root),
                "this folder holds files and is not a sweep folder of this program; give a new folder",
            )
        created = _make_parents(root, field_name, root)
        lock = FolderLock(root / SWEEP_LOCK)
        try:
            lock.acquire(field_name, root)
            marker = root / SWEEP_MARKER
            if not marker.exists():
                marker.write_text("sweep root of python -m sim (jobs are keyed by their resolved configuration)\n")
        except BaseException:
            lock.release()
            _remove_empty(created)
            raise
        return cls(root, launch_id(), lock, created)

    @property
    def partial(self) -> Path:
        return self.root / f"{PARTIAL_PREFIX}{self.launch}"

    def stale_partials(self) -> list[Path]:
        """Staging folders left by earlier, interrupted launches."""
        return sorted(p for p in self.root.glob(f"{PARTIAL_PREFIX}*") if p != self.partial)

    def finish(self, ok: bool) -> None:
        """Remove this launch's (empty) staging area and release the lock; if this launch created the root and it
        holds nothing but its marker, remove it too (a failed launch leaves no empty sweep folder)."""
        with contextlib.suppress(OSError):
            self.partial.rmdir()
        self.lock.release()
        if not ok and self.created:
            leftovers = [p for p in self.root.iterdir() if p.name != SWEEP_MARKER]
            if not leftovers:
                (self.root / SWEEP_MARKER).unlink(missing_ok=True)
                _remove_empty(self.created)
