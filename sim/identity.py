"""What a run is: its configuration key, its label and the project version that produced it.

A run's *key* is a SHA-256 over its resolved configuration, the contents of the seeds tables it read and the source
of the ``sim`` package that ran it, so two runs with the same key produce the same outputs. Sweeps
use the key to decide whether a finished job may be skipped on resume: only an identical job is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from sim import __version__
from sim.paths import PROJECT_ROOT, SEEDS_DIR

LABEL_MAX = 80
"""Longest override label used in a folder name; longer labels are cut and end in a short hash."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+\-]+")


@cache
def project_version() -> dict[str, Any]:
    """``{"version", "commit", "dirty"}``: the package version and, in a git checkout, the commit and whether the
    working tree differs from it (``commit`` is ``None`` outside a checkout)."""
    commit: str | None = None
    dirty: bool | None = None
    if (PROJECT_ROOT / ".git").exists():
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
            dirty = bool(status.strip())
        except (OSError, subprocess.SubprocessError):
            commit, dirty = None, None
    return {"version": __version__, "commit": commit, "dirty": dirty}


@cache
def _folder_digest(root: str, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    base = Path(root)
    for path in sorted(p for p in base.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def seeds_digest(seeds_dir: str | Path | None) -> str:
    """SHA-256 over the tables (``*.csv``: names and contents) of the seeds folder."""
    return _folder_digest(str(Path(seeds_dir) if seeds_dir else SEEDS_DIR), "*.csv")


def code_digest() -> str:
    """SHA-256 over the source files of the ``sim`` package."""
    return _folder_digest(str(Path(__file__).resolve().parent), "*.py")


def config_key(config: dict[str, Any]) -> str:
    """The key of a run: SHA-256 of its resolved configuration (without ``hydra``), its seeds and the code."""
    plain = {k: v for k, v in config.items() if k != "hydra"}
    payload = {"config": plain, "seeds": seeds_digest(plain.get("seeds_dir") or None), "code": code_digest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def user_overrides(overrides: Iterable[str], drop: Sequence[str] = ("scenario",)) -> list[str]:
    """The overrides that describe a run (no ``hydra`` settings, no ``pinned`` bookkeeping, no ``+``/``++``/``~``
    prefixes, none of ``drop``)."""
    out = []
    for item in overrides:
        key = item.split("=", 1)[0].lstrip("+~")
        if key.startswith("hydra") or key in drop or key == "pinned" or "=" not in item:
            continue
        out.append(item.lstrip("+~"))
    return sorted(out)


def label(overrides: Sequence[str]) -> str:
    """A short, file-system-safe label of ``overrides`` (e.g. ``us.tariff=0.25,replications=20``); empty if none."""
    text = _UNSAFE.sub("_", ",".join(overrides)).strip("._")
    if len(text) > LABEL_MAX:
        text = text[: LABEL_MAX - 9].rstrip("._,") + "~" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return text
