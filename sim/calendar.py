"""Monthly calendar: months are integers counted from year 0 (``year * 12 + month - 1``)."""

from __future__ import annotations

import re
from datetime import date

from sim.errors import SimInputError

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_month(text: object, field: str) -> int:
    """Parse ``YYYY-MM`` into a month index; raise :class:`SimInputError` naming ``field`` otherwise."""
    match = _MONTH_RE.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise SimInputError(field, text, "expected a month as YYYY-MM, e.g. 2025-11")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def parse_date(text: object, field: str) -> date:
    """Parse ``YYYY-MM-DD`` into a :class:`datetime.date`; raise :class:`SimInputError` otherwise."""
    match = _DATE_RE.match(str(text).strip())
    try:
        if not match:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise SimInputError(field, text, "expected a date as YYYY-MM-DD, e.g. 2025-05-14") from None


def month_of(day: date) -> int:
    """Month index of a calendar date."""
    return day.year * 12 + day.month - 1


def month_label(month: int) -> str:
    """``YYYY-MM`` label of a month index."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"
