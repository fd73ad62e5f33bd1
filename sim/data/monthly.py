"""From yearly panel values to the model's months.

Months are integers counted from year 0 (``year * 12 + month - 1``, see :mod:`sim.calendar`). A yearly value
describes the middle of its year: :func:`interpolate` places it at July and interpolates linearly between years;
:func:`by_year` holds it for the twelve months of its year (for statuses such as sanctions).
"""

from __future__ import annotations

import numpy as np


def interpolate(table: np.ndarray, years: np.ndarray, months: np.ndarray, carry: bool) -> np.ndarray:
    """``(len(months), columns)`` values from ``(years, columns)`` yearly values (NaN = missing).

    Linear between the July anchors of years with values; before a column's first value, that value; after its last,
    the last value if ``carry`` else NaN (so the caller knows the data have ended).
    """
    anchors = years * 12 + 6
    out = np.full((len(months), table.shape[1]), np.nan)
    for c in range(table.shape[1]):
        ok = np.isfinite(table[:, c])
        if not ok.any():
            continue
        x, y = anchors[ok], table[ok, c]
        column = np.interp(months, x, y)
        if not carry:
            column = np.where(months > x[-1] + 5, np.nan, column)  # the last year's value holds through its December
        out[:, c] = column
    return out


def by_year(table: np.ndarray, years: np.ndarray, months: np.ndarray, carry: bool = True) -> np.ndarray:
    """``(len(months), columns)``: each month takes its calendar year's value (the last year's after the data if
    ``carry``, else NaN; the first year's before them)."""
    year = np.clip(months // 12, years[0], years[-1])
    out = table[year - years[0]]
    if not carry:
        out = np.where((months // 12 > years[-1])[:, None], np.nan, out)
    return out
