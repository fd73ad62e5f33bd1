"""``python -m sim.levers [--markdown]``: every lever Washington and Beijing can pull, with its unit, range, neutral
value and meaning.

Read from :data:`sim.config.LEVER_DOCS` (unit, range, meaning) and :data:`sim.dynamics.levers.NEUTRAL` (the value of
a lever nobody pulls), so the list never drifts from the code. A lever left ``null`` by a scenario (the default)
keeps the value of the observed history, carried on after the present (the status quo). ``--markdown`` prints a
Markdown table (embedded in the README).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence

from sim.config import LEVER_DOCS
from sim.dynamics.levers import LEVERS, NEUTRAL
from sim.reporting.labels import label

COLUMNS = ("lever", "label", "unit", "min", "max", "neutral", "meaning")
DEFAULT_NOTE = (
    "Levers apply from the scenario's start: a number for every state (us.tariff=0.25), per state "
    "(us.targets.COL.tariff=0.25) or dated (us.schedule). Left null (the default) a lever keeps the value of the "
    "observed history, carried on after the present (the status quo); 'neutral' is the value of a lever nobody pulls."
)


def _number(value: float) -> str:
    """Short form of a number: ``0``, ``0.25``, ``5000``."""
    return f"{value:g}"


def lever_rows() -> list[dict[str, str]]:
    """One row per lever, in plan order: name, human label, unit, min, max, neutral value and meaning."""
    rows = []
    for name in LEVERS:
        unit, lo, hi, meaning = LEVER_DOCS[name]
        rows.append(
            {
                "lever": name,
                "label": label(name, "key"),
                "unit": unit,
                "min": _number(lo),
                "max": _number(hi),
                "neutral": _number(NEUTRAL[name]),
                "meaning": meaning,
            }
        )
    return rows


def markdown(rows: Sequence[dict[str, str]]) -> str:
    """A Markdown table: lever, label, unit, range, neutral value, meaning (``|`` in a cell is escaped)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| lever | label | unit | range | neutral | meaning |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| `{r['lever']}` | {cell(r['label'])} | {cell(r['unit'])} | {r['min']} … {r['max']} | {r['neutral']} "
            f"| {cell(r['meaning'])} |"
        )
    return "\n".join(lines) + "\n"


def plain(rows: Sequence[dict[str, str]]) -> str:
    """An aligned plain-text table (lever, unit, range, neutral), each meaning on the line below its lever."""
    head = ("lever", "unit", "range", "neutral")
    body = [(r["lever"], r["unit"], f"{r['min']} .. {r['max']}", r["neutral"]) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    for values, r in zip(body, rows, strict=True):
        lines.append("  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip())
        lines.append(f"    {r['label']}: {r['meaning']}")
    return "\n".join([*lines, "", *textwrap.wrap(DEFAULT_NOTE, 100)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.levers``."""
    parser = argparse.ArgumentParser(prog="python -m sim.levers", description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    args = parser.parse_args(argv)
    rows = lever_rows()
    sys.stdout.write(markdown(rows) if args.markdown else plain(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
