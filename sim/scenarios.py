"""``python -m sim.scenarios``: list the scenario library (``conf/scenario/*.yaml``) with the question each asks.

A scenario file that is not valid YAML is listed as broken (with the line and the parser's message) and does not stop
the others from being listed or run.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import yaml

from sim.paths import CONF_DIR


@cache
def _read(path: Path, mtime: float) -> tuple[str, str]:
    """``(question, error)`` of one scenario file; ``error`` is one line, empty when the file is valid YAML."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as err:
        return "", f"not UTF-8 text (byte {err.start})"
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        return "", f"{where}{problem}"
    if not isinstance(data, dict):
        return "", "expected a mapping of keys to values at the top level"
    return str(data.get("question", "")), ""


def _files() -> list[Path]:
    return sorted((CONF_DIR / "scenario").glob("*.yaml"))


def scenarios() -> dict[str, str]:
    """Every scenario's name and one-line question (empty for a broken file), in alphabetical order."""
    return {p.stem: _read(p, p.stat().st_mtime)[0] for p in _files()}


def broken_scenarios() -> dict[str, str]:
    """Scenario files that cannot be read, with the reason (one line each)."""
    out = {}
    for path in _files():
        error = _read(path, path.stat().st_mtime)[1]
        if error:
            out[path.stem] = error
    return out


def main() -> int:
    listing = scenarios()
    broken = broken_scenarios()
    width = max(map(len, listing))
    print("Scenarios (python -m sim scenario=<name>; the header of conf/scenario/<name>.yaml gives the sources):")
    for name, question in listing.items():
        text = f"BROKEN: conf/scenario/{name}.yaml {broken[name]}" if name in broken else question
        print(f"  {name:<{width}}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
