"""``python -m sim.sensitivity.factors [overrides]``: print the resolved factor space as a Markdown table.

The table of docs/sensitivity.md is this command's output for the default space (bounds derived from the ensemble, the
calibration report or the configured values are resolved, so re-run it after a re-calibration).
"""

from __future__ import annotations

import sys

from sim.errors import SimInputError
from sim.sensitivity.space import Factor


def markdown(factors: list[Factor]) -> str:
    """One row per factor: name, kind, distribution and bounds, unit, justification."""
    lines = ["| factor | kind | bounds | unit | why |", "|---|---|---|---|---|"]
    for f in factors:
        bounds = ", ".join(f"{b:.4g}" for b in f.bounds)
        shown = f"[{bounds}]" if f.dist == "unif" else f"{f.dist} [{bounds}]"
        lines.append(f"| `{f.name}` | {f.kind} | {shown} | {f.unit} | {f.why} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from sim.sensitivity import pipeline
    from sim.sensitivity.__main__ import compose_config

    try:
        spec = pipeline.build(compose_config(list(sys.argv[1:] if argv is None else argv)))
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(markdown(spec.factors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
