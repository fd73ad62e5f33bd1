"""Lever plans: the value of every lever for every state and month of a run, as one array.

A plan has shape ``(months, levers, states)`` for the months the run simulates. It is built in two layers:

1. the observed history (:func:`sim.data.history.history_plan`): what the powers did up to the present, carried on
   unchanged after it (the status quo);
2. the scenario, from the run's ``start``: a number under ``us.*``/``china.*`` sets every state, ``targets`` set single
   states, ``schedule`` entries set dated windows (optionally ramped). A lever the scenario leaves ``null`` keeps the
   history's value. A hindcast (``start`` before the present) with scenario levers is a counterfactual history.

Where two schedule entries set the same lever for the same state and month, the entry naming fewer states wins; two
entries naming as many states may not overlap. What the command line sets wins over the scenario file
(``RunConfig.pinned``): a lever given a value on the command line replaces the scenario's targets and schedule for
that lever; a per-state target given on the command line replaces the scenario's schedule for that lever and state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sim.calendar import month_label, parse_month
from sim.config import LEVER_DOCS, ChinaLevers, LeverChange, RunConfig, USLevers
from sim.data.history import history_plan
from sim.data.panels import Panels
from sim.errors import SimInputError

LEVERS: tuple[str, ...] = tuple(LEVER_DOCS)
"""Lever names (``power.lever``) in plan order."""

LEVER_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEVERS)}

NEUTRAL: dict[str, float] = {name: 0.0 for name in LEVERS} | {"us.aid": 1.0, "china.bri_finance": 1.0}
"""Value of a lever nobody pulls: no tariff, aid and finance as observed, no measures, no extra visits."""


def _check_value(name: str, value: object, where: str) -> float:
    unit, lo, hi, _ = LEVER_DOCS[name]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SimInputError(where, value, f"expected a number in [{lo}, {hi}] ({unit})") from None
    if not lo <= number <= hi or number != number:
        raise SimInputError(where, value, f"expected a number in [{lo}, {hi}] ({unit})")
    return number


def _lever_name(power: str | None, lever: str, where: str, value: object = None) -> str:
    """The full name of ``lever``; an unknown one is refused naming ``where`` and ``value`` (default: the name)."""
    name = lever if power is None else f"{power}.{lever}"
    if name not in LEVER_INDEX:
        allowed = [n for n in LEVERS if power is None or n.startswith(power + ".")]
        if power is not None:
            allowed = [n.split(".", 1)[1] for n in allowed]
        if value is None:
            raise SimInputError(where, lever, f"expected one of {', '.join(allowed)}")
        raise SimInputError(where, value, f"{lever!r} is not a lever; expected one of {', '.join(allowed)}")
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


def _window(change: LeverChange, where: str, last: int) -> tuple[int, int]:
    first = parse_month(change.start, f"{where}.start")
    stop = max(last + 1, first + 1) if change.end in (None, "") else parse_month(change.end, f"{where}.end")
    if stop <= first:
        raise SimInputError(f"{where}.end", change.end, f"expected a month after start {change.start}")
    return first, stop


def _apply_change(
    plan: np.ndarray, change: LeverChange, name: str, where: str, iso3: Sequence[str], first_month: int, last: int
) -> None:
    """Write one dated change into ``plan`` (row 0 is calendar month ``first_month``; ``last`` the final month)."""
    if change.value is None:
        unit, lo, hi, _ = LEVER_DOCS[name]
        raise SimInputError(
            f"{where}.value", None, f"every schedule entry needs a value: a number in [{lo}, {hi}] ({unit})"
        )
    value = _check_value(name, change.value, f"{where}.value")
    first, stop = _window(change, where, last)
    if change.ramp_months < 0 or change.ramp_months != int(change.ramp_months):
        raise SimInputError(f"{where}.ramp_months", change.ramp_months, "expected 0 or a whole number of months")
    states = _state_indices(list(change.countries), iso3, f"{where}.countries")
    lever = LEVER_INDEX[name]
    lo, hi = max(first, first_month) - first_month, min(stop, last + 1) - first_month
    if hi <= lo:
        return
    ramp = int(change.ramp_months)
    if ramp > 0:
        before = plan[lo - 1, lever, states] if lo > 0 else plan[lo, lever, states]
        steps = np.minimum(np.arange(1, hi - lo + 1), ramp) / ramp
        plan[lo:hi, lever, states] = before[None, :] + steps[:, None] * (value - before[None, :])
    else:
        plan[lo:hi, lever, states] = value


def _n_states(change: LeverChange, iso3: Sequence[str]) -> int:
    return len(change.countries) if change.countries else len(iso3)


def _check_overlaps(entries: list[tuple[str, str, LeverChange]], iso3: Sequence[str], last: int) -> None:
    """Where two schedule entries set the same lever for the same state in the same month, the one naming fewer
    states wins (it is applied last); two entries naming as many states is an error, as which should win would be a
    guess."""
    windows: list[tuple[str, str, int, int, set[int]]] = []
    for where, name, change in entries:
        first, stop = _window(change, where, last)
        states = set(_state_indices(list(change.countries), iso3, f"{where}.countries"))
        for other_where, other_name, o_first, o_stop, o_states in windows:
            both = states & o_states
            tie = len(states) == len(o_states)
            if name == other_name and tie and both and first < o_stop and o_first < stop:
                codes = ", ".join(iso3[i] for i in sorted(both)[:5]) + (" ..." if len(both) > 5 else "")
                raise SimInputError(
                    where,
                    f"{name} from {change.start}",
                    f"overlaps {other_where} ({other_name} for {codes} in "
                    f"{month_label(max(first, o_first))}..{month_label(min(stop, o_stop) - 1)}); "
                    "entries naming as many states may not overlap (an entry naming fewer states overrides one naming "
                    "more); end one where the next starts",
                )
        windows.append((where, name, first, stop, states))


def apply_schedule(
    plan: np.ndarray,
    schedule: Sequence[LeverChange],
    first_month: int,
    latest_start: int,
    last: int,
    iso3: Sequence[str],
    prefix: str = "history.schedule",
    power: str | None = None,
    earliest_start: int | None = None,
) -> None:
    """Write dated ``schedule`` entries into ``plan`` (entries naming fewer states last). Entries must start between
    ``earliest_start`` and ``latest_start``."""
    entries = [(f"{prefix}[{i}]", change) for i, change in enumerate(schedule)]
    named = [(where, _lever_name(power, c.lever, f"{where}.lever"), c) for where, c in entries]
    _check_overlaps(named, iso3, last)
    for where, name, change in sorted(named, key=lambda e: (-_n_states(e[2], iso3), parse_month(e[2].start, "x"))):
        start = parse_month(change.start, f"{where}.start")
        if earliest_start is not None and start > last:
            continue  # a scenario entry after the run's end (e.g. a scenario shortened by end=) never applies
        if start > latest_start:
            raise SimInputError(
                f"{where}.start",
                change.start,
                f"the history holds events up to the present {month_label(latest_start)}",
            )
        if earliest_start is not None and start < earliest_start:
            raise SimInputError(
                f"{where}.start",
                change.start,
                f"expected a month from the scenario start {month_label(earliest_start)} on "
                "(earlier events belong to the observed history)",
            )
        _apply_change(plan, change, name, where, iso3, first_month, last)


def _unpinned(change: LeverChange, name: str, pinned: set[str], iso3: Sequence[str]) -> LeverChange | None:
    """``change`` without what the command line pinned: ``None`` if the lever is pinned for every state, else the
    entry without the states whose target for this lever is pinned."""
    power, short = name.split(".", 1)
    if name in pinned:
        return None
    held = {code for code in iso3 if f"{power}.targets.{code}.{short}" in pinned}
    if not held:
        return change
    countries = [c for c in (change.countries or iso3) if c not in held]
    return replace(change, countries=countries) if countries else None


def _apply_power(
    plan: np.ndarray,
    power: str,
    levers: USLevers | ChinaLevers,
    iso3: Sequence[str],
    first_month: int,
    start: int,
    last: int,
    pinned: set[str],
) -> None:
    s = start - first_month
    for short in (n.split(".", 1)[1] for n in LEVERS if n.startswith(power + ".")):
        value = getattr(levers, short)
        if value is not None:
            plan[s:, LEVER_INDEX[f"{power}.{short}"], :] = _check_value(f"{power}.{short}", value, f"{power}.{short}")
    for code, overrides in levers.targets.items():
        if not isinstance(overrides, dict):
            raise SimInputError(
                f"{power}.targets.{code}",
                overrides,
                f"expected levers by name, e.g. {power}.targets.{code}.<lever>=<value>",
            )
        for short, value in overrides.items():
            where = f"{power}.targets.{code}.{short}"
            if code not in iso3:
                raise SimInputError(where, value, f"{code!r} is not the ISO3 code of a CELAC state (e.g. COL, PAN)")
            idx = iso3.index(code)
            name = _lever_name(power, short, where, value)
            if name in pinned and where not in pinned:
                continue  # the command line set this lever for every state
            plan[s:, LEVER_INDEX[name], idx] = _check_value(name, value, where)
    kept = []
    for i, entry in enumerate(levers.schedule):
        name = _lever_name(power, entry.lever, f"{power}.schedule[{i}].lever")
        change = _unpinned(entry, name, pinned, iso3)
        if change is not None:
            kept.append(change)
    apply_schedule(plan, kept, first_month, last, last, iso3, f"{power}.schedule", power, earliest_start=start)


def build_lever_plan(cfg: RunConfig, panels: Panels, iso3: Sequence[str], first_month: int, last: int) -> np.ndarray:
    """Lever values ``(months, levers, states)`` for calendar months ``first_month .. last`` (float64)."""
    start = parse_month(cfg.start, "start")
    months = np.arange(first_month, last + 1)
    plan = history_plan(
        panels,
        cfg.history,
        months,
        iso3,
        LEVERS,
        NEUTRAL,
        lambda p, entries, first, present, end: apply_schedule(p, entries, first, present, end, iso3),
    )
    pinned = set(cfg.pinned)
    _apply_power(plan, "us", cfg.us, iso3, first_month, start, last, pinned)
    _apply_power(plan, "china", cfg.china, iso3, first_month, start, last, pinned)
    return plan
