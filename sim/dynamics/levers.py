"""Lever plans: the value of every lever for every state and month, as one array.

A plan has shape ``(months, levers, states)``. It is built in three layers, each overriding the one before:

1. ``history.anchor_levers`` at the calibration anchor (levers not named there take their neutral value);
2. ``history.schedule``: dated 2024-2025 events, none later than the present (no look-ahead);
3. the scenario, from its ``start``: a number under ``us.*``/``china.*`` sets every state, ``targets`` set single
   states, ``schedule`` entries set dated windows (optionally ramped).

A lever left ``null`` by the scenario carries on the value in force at the end of the history.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.calendar import month_label, parse_month
from sim.config import LEVER_DOCS, ChinaLevers, LeverChange, RunConfig, USLevers
from sim.errors import SimInputError

LEVERS: tuple[str, ...] = tuple(LEVER_DOCS)
"""Lever names (``power.lever``) in plan order."""

LEVER_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEVERS)}

NEUTRAL: dict[str, float] = {name: 0.0 for name in LEVERS} | {"us.aid": 1.0, "china.bri_finance": 1.0}
"""Value of a lever nobody pulls: no tariff, calibrated aid and finance, no measures."""


def _check_value(name: str, value: object, where: str) -> float:
    unit, lo, hi, _ = LEVER_DOCS[name]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SimInputError(where, value, f"expected a number in [{lo}, {hi}] ({unit})") from None
    if not lo <= number <= hi or number != number:
        raise SimInputError(where, value, f"expected a number in [{lo}, {hi}] ({unit})")
    return number


def _lever_name(power: str | None, lever: str, where: str) -> str:
    name = lever if power is None else f"{power}.{lever}"
    if name not in LEVER_INDEX:
        allowed = [n for n in LEVERS if power is None or n.startswith(power + ".")]
        if power is not None:
            allowed = [n.split(".", 1)[1] for n in allowed]
        raise SimInputError(where, lever, f"expected one of {', '.join(allowed)}")
    return name


def _state_indices(countries: Sequence[str], iso3: Sequence[str], where: str) -> list[int]:
    if not countries:
        return list(range(len(iso3)))
    out = []
    for code in countries:
        if code not in iso3:
            raise SimInputError(where, code, "expected an ISO3 code of a CELAC state (e.g. COL, PAN, BRA)")
        out.append(iso3.index(code))
    return out


def _apply_change(
    plan: np.ndarray, change: LeverChange, name: str, where: str, iso3: Sequence[str], anchor: int, last: int
) -> None:
    """Write one dated change into ``plan`` (months counted from ``anchor``; ``last`` is the final month)."""
    value = _check_value(name, change.value, f"{where}.value")
    first = parse_month(change.start, f"{where}.start")
    stop = last + 1 if change.end in (None, "") else parse_month(change.end, f"{where}.end")
    if stop <= first:
        raise SimInputError(f"{where}.end", change.end, f"expected a month after start {change.start}")
    if change.ramp_months < 0:
        raise SimInputError(f"{where}.ramp_months", change.ramp_months, "expected 0 or a positive number of months")
    states = _state_indices(list(change.countries), iso3, f"{where}.countries")
    lever = LEVER_INDEX[name]
    lo, hi = max(first, anchor) - anchor, min(stop, last + 1) - anchor
    if hi <= lo:
        return
    ramp = int(change.ramp_months)
    if ramp > 0:
        before = plan[lo - 1, lever, states] if lo > 0 else plan[lo, lever, states]
        steps = np.minimum(np.arange(1, hi - lo + 1), ramp) / ramp
        plan[lo:hi, lever, states] = before[None, :] + steps[:, None] * (value - before[None, :])
    else:
        plan[lo:hi, lever, states] = value


def _apply_power(
    plan: np.ndarray,
    power: str,
    levers: USLevers | ChinaLevers,
    iso3: Sequence[str],
    anchor: int,
    start: int,
    last: int,
) -> None:
    s = start - anchor
    for short in (n.split(".", 1)[1] for n in LEVERS if n.startswith(power + ".")):
        value = getattr(levers, short)
        if value is not None:
            plan[s:, LEVER_INDEX[f"{power}.{short}"], :] = _check_value(f"{power}.{short}", value, f"{power}.{short}")
    for code, overrides in levers.targets.items():
        idx = _state_indices([code], iso3, f"{power}.targets")[0]
        for short, value in overrides.items():
            name = _lever_name(power, short, f"{power}.targets.{code}")
            plan[s:, LEVER_INDEX[name], idx] = _check_value(name, value, f"{power}.targets.{code}.{short}")
    for i, change in enumerate(sorted(levers.schedule, key=lambda c: parse_month(c.start, f"{power}.schedule.start"))):
        where = f"{power}.schedule[{i}]"
        name = _lever_name(power, change.lever, f"{where}.lever")
        if parse_month(change.start, f"{where}.start") < start:
            raise SimInputError(
                f"{where}.start",
                change.start,
                f"expected a month from the scenario start {month_label(start)} on "
                "(dated events before it belong to history.schedule)",
            )
        _apply_change(plan, change, name, where, iso3, anchor, last)


def build_lever_plan(cfg: RunConfig, iso3: Sequence[str]) -> np.ndarray:
    """Lever values ``(months, levers, states)`` from the history anchor to ``cfg.end`` (float64)."""
    anchor = parse_month(cfg.history.anchor, "history.anchor")
    present = parse_month(cfg.history.present, "history.present")
    start = parse_month(cfg.start, "start")
    last = parse_month(cfg.end, "end")
    months = last - anchor + 1
    plan = np.empty((months, len(LEVERS), len(iso3)))
    for name, value in NEUTRAL.items():
        plan[:, LEVER_INDEX[name], :] = value
    for power, levers in cfg.history.anchor_levers.items():
        if power not in ("us", "china"):
            raise SimInputError("history.anchor_levers", power, "expected us or china")
        for short, value in levers.items():
            name = _lever_name(power, short, f"history.anchor_levers.{power}")
            plan[:, LEVER_INDEX[name], :] = _check_value(name, value, f"history.anchor_levers.{power}.{short}")
    changes = sorted(enumerate(cfg.history.schedule), key=lambda c: parse_month(c[1].start, "history.schedule.start"))
    for i, change in changes:
        where = f"history.schedule[{i}]"
        name = _lever_name(None, change.lever, f"{where}.lever")
        if parse_month(change.start, f"{where}.start") > present:
            raise SimInputError(
                f"{where}.start",
                change.start,
                f"history holds only events up to the present {cfg.history.present} (no look-ahead)",
            )
        _apply_change(plan, change, name, where, iso3, anchor, last)
    _apply_power(plan, "us", cfg.us, iso3, anchor, start, last)
    _apply_power(plan, "china", cfg.china, iso3, anchor, start, last)
    return plan
