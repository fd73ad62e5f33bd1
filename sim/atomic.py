"""Atomic file writes: a file appears under its final name complete, or not at all.

Every writer writes to a hidden temporary name in the same folder and renames it into place (``os.replace`` is
atomic on POSIX within one file system), so an interrupted run never leaves a half-written table that looks like a
result. On failure the temporary file is removed; nothing else is touched.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds, remove it otherwise."""
    final = Path(path)
    temporary = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        yield temporary
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON atomically; refuses NaN and infinities (which are not JSON)."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """``frame.to_csv(path, index=False, **kwargs)`` atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, **kwargs)
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """``frame.to_parquet(path, index=False)`` atomically."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(path)
