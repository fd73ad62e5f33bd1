"""Where the project's own folders are (the package is installed in editable mode from the repository)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = PROJECT_ROOT / "conf"
SEEDS_DIR = PROJECT_ROOT / "seeds"
