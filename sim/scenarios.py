"""``python -m sim.scenarios``: list the scenario library (``conf/scenario/*.yaml``) with the question each asks."""

from __future__ import annotations

import sys

import yaml

from sim.paths import CONF_DIR


def scenarios() -> dict[str, str]:
    """Scenario names and their one-line questions, in alphabetical order."""
    out = {}
    for path in sorted((CONF_DIR / "scenario").glob("*.yaml")):
        out[path.stem] = str((yaml.safe_load(path.read_text()) or {}).get("question", ""))
    return out


def main() -> int:
    listing = scenarios()
    width = max(map(len, listing))
    print("Scenarios (python -m sim scenario=<name>; the header of conf/scenario/<name>.yaml gives the sources):")
    for name, question in listing.items():
        print(f"  {name:<{width}}  {question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
