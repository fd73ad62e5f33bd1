"""Why a state moved: its change of alignment split into the named mechanisms, and the events it went through.

The mechanisms are :data:`sim.dynamics.alignment.TERMS`; their monthly contributions sum exactly to the change of
alignment (the ``shock`` term absorbs the noise and the clip at +-1), so the rows of a :class:`Breakdown` add up to
its net change. Contributions are in alignment units (+ toward China, - toward the US).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.dashboard.session import DashboardModel, Event
from sim.dynamics.alignment import TERMS
from sim.reporting import labels

MINUS = "\u2212"


@dataclass(frozen=True)
class MechanismRow:
    """One mechanism's part of a state's change: ``last`` (last month) and ``total`` (since the start)."""

    term: str
    label: str
    meaning: str
    last: float
    total: float


@dataclass(frozen=True)
class Breakdown:
    """A state's move: alignment at the start and now, the net change (last month and since the start) and the
    mechanism rows, largest absolute contribution since the start first (last month's when nothing has run yet)."""

    iso3: str
    name: str
    start_month: str
    month: str
    start: float
    now: float
    net_last: float
    net_total: float
    rows: tuple[MechanismRow, ...]


def signed(value: float, digits: int = 3) -> str:
    """``+0.012`` / ``−0.034`` with a typographic minus; ``0`` for an exact zero."""
    if value == 0:
        return "0"
    return f"{value:+.{digits}f}".replace("-", MINUS)


def breakdown(model: DashboardModel, iso3: str) -> Breakdown:
    """The breakdown of ``iso3``'s move in ``model`` up to its current month."""
    col = model.world.iso3.index(iso3)
    last, total = model.last_step[:, col], model.cumulative[:, col]
    key = np.abs(total) if model.steps > 0 else np.abs(last)
    order = sorted(range(len(TERMS)), key=lambda k: (-float(key[k]), k))
    rows = []
    for k in order:
        e = labels.entry(TERMS[k], "mechanism")
        rows.append(MechanismRow(TERMS[k], e.label, e.meaning, float(last[k]), float(total[k])))
    path = model.alignment_of(iso3)
    return Breakdown(
        iso3=iso3,
        name=model.names[iso3],
        start_month=model.start_label,
        month=model.date,
        start=float(path[0]),
        now=float(path[-1]),
        net_last=float(last.sum()),
        net_total=float(total.sum()),
        rows=tuple(rows),
    )


def _direction(value: float) -> str:
    return "toward China" if value > 0 else "toward the US"


def summary(b: Breakdown, top: int = 2, threshold: float = 0.0005) -> str:
    """One or two sentences a class can read: how far the state moved and the largest pulls each way."""
    if b.month == b.start_month:
        return f"{b.name} stands at {signed(b.now, 2)} in {b.month}. Step the model to see what moves it."
    moved = abs(b.net_total) >= threshold
    head = (
        f"Since {b.start_month} {b.name} moved {signed(b.net_total)} ({_direction(b.net_total)}), "
        f"from {signed(b.start, 2)} to {signed(b.now, 2)}."
        if moved
        else f"Since {b.start_month} {b.name} has hardly moved ({signed(b.net_total)}): its pulls cancel out."
    )
    toward_cn = [r for r in b.rows if r.total >= threshold][:top]
    toward_us = [r for r in b.rows if r.total <= -threshold][:top]
    parts = []
    if toward_cn:
        parts.append("pulled toward China by " + ", ".join(f"{r.label.lower()} ({signed(r.total)})" for r in toward_cn))
    if toward_us:
        parts.append("toward the US by " + ", ".join(f"{r.label.lower()} ({signed(r.total)})" for r in toward_us))
    return head + (" It was " + "; ".join(parts) + "." if parts else "")


def event_label(kind: str) -> str:
    """Human label of an event kind (``Joins the BRI``)."""
    return labels.label(kind, "event")


def event_lines(events: list[Event]) -> list[str]:
    """``2026-05  Election`` lines, one per event, with its detail."""
    return [f"{e.month}  {event_label(e.kind)}" + (f": {e.detail}" if e.detail else "") for e in events]


def region_mechanisms(model: DashboardModel) -> list[tuple[str, float, str, float]]:
    """Each mechanism's contribution since the start to the regional mean alignment, largest absolute first, with
    the state it moved most and by how much: ``(label, contribution to the mean, iso3, that state's contribution)``."""
    out = []
    for k, term in enumerate(TERMS):
        row = model.cumulative[k]
        col = int(np.argmax(np.abs(row)))
        out.append((labels.label(term, "mechanism"), float(row.mean()), model.world.iso3[col], float(row[col])))
    return sorted(out, key=lambda r: -abs(r[1]))


def movers(model: DashboardModel, n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` states whose alignment changed most since the start: ``(iso3, change)``, largest first."""
    change = model.alignment_path[-1] - model.alignment_path[0]
    order = np.argsort(-np.abs(change), kind="stable")[:n]
    return [(model.world.iso3[i], float(change[i])) for i in order]
