"""Ensemble summaries behind the figures: pure functions from tidy tables to arrays/frames.

Input tables (see ``figures``):

* timeseries ``ts``: one row per ``replication`` x ``date`` ('YYYY-MM') x ``iso3`` with
  ``alignment`` (-1 = US ... +1 = China), ``bri_member`` (0/1), ...
* contributions ``contrib``: one row per ``replication`` x ``date`` x ``iso3`` x ``term`` with
  ``value`` = that mechanism's contribution to the month's alignment change
  (alignment units per month, + toward China). The run folder's ``contributions.csv`` (ensemble
  ``mean``, ``p05``, ``p95`` per date x iso3 x term, no replication) is accepted too: its means are
  used as one replication (totals are exact means; bands over replications are then unknown).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

TS_COLUMNS = ("replication", "date", "iso3", "alignment")
CONTRIB_COLUMNS = ("replication", "date", "iso3", "term", "value")


def _require(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}; has {list(df.columns)}")
    if df.empty:
        raise ValueError(f"{what} is empty")


def to_datetime(dates: np.ndarray | pd.Index | list[str]) -> pd.DatetimeIndex:
    """Parse 'YYYY-MM' strings into month-start timestamps."""
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(dates).astype(str), format="%Y-%m"))


@dataclass(frozen=True)
class Cube:
    """A variable as a dense array ``values[replication, date, iso3]`` (NaN where missing)."""

    values: np.ndarray
    replications: np.ndarray
    dates: np.ndarray  # sorted 'YYYY-MM' strings
    iso3s: np.ndarray  # sorted iso3 codes

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> np.ndarray:
        """Quantiles over replications: array ``[len(qs), date, iso3]`` (NaN if no data)."""
        return nanquantile(self.values, qs, axis=0)


def nanquantile(values: np.ndarray, qs: tuple[float, ...], axis: int) -> np.ndarray:
    """``np.nanquantile`` without the all-NaN-slice warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(values, list(qs), axis=axis)


def cube(ts: pd.DataFrame, column: str = "alignment") -> Cube:
    """Pivot ``ts[column]`` into a dense replication x date x iso3 array (fast, numpy)."""
    _require(ts, ("replication", "date", "iso3", column), "timeseries table")
    rep_codes, reps = pd.factorize(ts["replication"], sort=True)
    date_codes, dates = pd.factorize(ts["date"].astype(str), sort=True)
    iso_codes, isos = pd.factorize(ts["iso3"].astype(str), sort=True)
    values = np.full((len(reps), len(dates), len(isos)), np.nan)
    values[rep_codes, date_codes, iso_codes] = pd.to_numeric(ts[column], errors="coerce")
    return Cube(values, np.asarray(reps), np.asarray(dates), np.asarray(isos))


def median_alignment_at(ts: pd.DataFrame, date: str) -> dict[str, float]:
    """Ensemble median alignment per state at ``date`` ('YYYY-MM'): ``iso3 -> value``."""
    c = cube(ts)
    where = np.flatnonzero(c.dates == str(date))
    if where.size == 0:
        raise ValueError(f"date {date!r} not in the timeseries ({c.dates[0]}..{c.dates[-1]})")
    med = nanquantile(c.values[:, where[0], :], (0.5,), axis=0)[0]
    return {iso: float(v) for iso, v in zip(c.iso3s, med, strict=True) if np.isfinite(v)}


def regional_mean(ts: pd.DataFrame) -> pd.DataFrame:
    """Mean alignment over states, per replication and date: frame ``date x replication``."""
    c = cube(ts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(c.values, axis=2)  # [rep, date]
    return pd.DataFrame(mean.T, index=pd.Index(c.dates, name="date"), columns=c.replications)


def bri_counts(ts: pd.DataFrame) -> pd.DataFrame:
    """Number of BRI members (``bri_member`` >= 0.5) per date x replication (integers)."""
    c = cube(ts, "bri_member")
    counts = np.sum(np.nan_to_num(c.values) >= 0.5, axis=2)  # [rep, date]
    return pd.DataFrame(counts.T, index=pd.Index(c.dates, name="date"), columns=c.replications)


def nice_ceiling(x: float, floor: float = 0.01) -> float:
    """Smallest number of the form {1, 2, 2.5, 5} x 10^k that is >= ``x`` (and >= ``floor``).

    Used for stated, symmetric colour ranges: 0.106 -> 0.2, 0.054 -> 0.1, 0.6 -> 1.
    """
    x = max(float(abs(x)), float(floor))
    if not np.isfinite(x):
        raise ValueError(f"cannot round {x!r} to a nice number")
    exponent = int(np.floor(np.log10(x)))
    for k in (exponent, exponent + 1):
        for m in (1.0, 2.0, 2.5, 5.0):
            candidate = round(m * 10.0**k, 12)
            if candidate >= x * (1 - 1e-12):
                return candidate
    return round(10.0 ** (exponent + 1), 12)  # pragma: no cover - unreachable


def symmetric_limit(values: np.ndarray | list[float], limit: float | None = None, cap: float | None = None) -> float:
    """Half-width L of a colour scale [-L, L] centred at 0: ``limit`` if given, else the largest absolute finite
    value rounded up by :func:`nice_ceiling`, at most ``cap`` (e.g. 1 for alignment)."""
    if limit is not None:
        if not limit > 0:
            raise ValueError(f"limit: got {limit!r}; expected a positive number")
        return float(limit)
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    out = nice_ceiling(float(np.max(np.abs(arr))) if arr.size else 0.0)
    return min(out, cap) if cap is not None else out


def month_span(dates: pd.DatetimeIndex) -> int:
    """Number of months between the first and the last of ``dates`` (0 for a single date)."""
    if len(dates) == 0:
        return 0
    first, last = dates.min(), dates.max()
    return (last.year - first.year) * 12 + (last.month - first.month)


def per_replication_contributions(contrib: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The contribution table in per-replication form, and whether it really has replications.

    A table with ``replication`` and ``value`` is returned as is (``True``); the run folder's summary form
    (``date, iso3, term, mean`` ...) becomes one pseudo-replication holding the ensemble means (``False``).
    """
    if "value" in contrib.columns and "replication" in contrib.columns:
        return contrib, True
    if "mean" in contrib.columns and {"date", "iso3", "term"} <= set(contrib.columns):
        out = contrib[["date", "iso3", "term"]].copy()
        out["replication"] = 0
        out["value"] = contrib["mean"]
        return out, False
    _require(contrib, CONTRIB_COLUMNS, "contribution table")  # raises with the missing columns
    return contrib, True  # pragma: no cover - _require raised


def mechanism_by_replication(contrib: pd.DataFrame, iso3: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Monthly contributions of each term for one state, as ``values[replication, date, term]``.

    A (replication, date, term) without a row counts as 0; replications are those with
    at least one row for ``iso3``. Returns ``(values, dates, terms)``; raises ValueError
    if the state has no rows. Accepts the summary form (see :func:`per_replication_contributions`).
    """
    contrib, _ = per_replication_contributions(contrib)
    _require(contrib, CONTRIB_COLUMNS, "contribution table")
    sub = contrib.loc[contrib["iso3"].astype(str) == iso3]
    if sub.empty:
        raise ValueError(f"no contributions for {iso3!r} in the contribution table")
    rep_codes, reps = pd.factorize(sub["replication"], sort=True)
    date_codes, dates = pd.factorize(sub["date"].astype(str), sort=True)
    term_codes, terms = pd.factorize(sub["term"].astype(str), sort=False)
    values = np.zeros((len(reps), len(dates), len(terms)))
    vals = pd.to_numeric(sub["value"], errors="coerce").fillna(0.0).to_numpy()
    np.add.at(values, (rep_codes, date_codes, term_codes), vals)
    return values, list(dates), list(terms)


def mechanism_cumulative(contrib: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Ensemble-mean cumulative contribution of each term for one state.

    Returns a frame indexed by date ('YYYY-MM', sorted) with one column per term (order of
    first appearance): the sum of that term's monthly contributions from the first date up
    to and including each date, averaged over replications (alignment units, + toward China).
    """
    values, dates, terms = mechanism_by_replication(contrib, iso3)
    cum = np.cumsum(values.mean(axis=0), axis=0)
    return pd.DataFrame(cum, index=pd.Index(dates, name="date"), columns=terms)


def mechanism_totals(contrib: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Total contribution per term over the whole run, for one state.

    Columns ``mean`` (ensemble mean of per-replication totals), ``q05`` and ``q95``
    (5th/95th percentiles across replications); index = term; alignment units.
    """
    values, _, terms = mechanism_by_replication(contrib, iso3)
    totals = values.sum(axis=1)  # [rep, term]
    q05, q95 = np.quantile(totals, [0.05, 0.95], axis=0)
    return pd.DataFrame({"mean": totals.mean(axis=0), "q05": q05, "q95": q95}, index=pd.Index(terms, name="term"))


def mechanism_net(contrib: pd.DataFrame, iso3: str, drop_zero: bool = True) -> pd.DataFrame:
    """Each mechanism's net change of one state's alignment from the start to the end, largest first.

    The net change of a mechanism is the sum of its monthly contributions over the run (alignment units,
    + toward China); the net changes of all mechanisms sum to the state's total change. Columns ``mean``,
    ``q05``, ``q95`` (over replications); rows sorted by ``|mean|``, largest first (ties keep the table's
    order). With ``drop_zero``, mechanisms that never contribute in any replication are left out.
    """
    totals = mechanism_totals(contrib, iso3)
    if drop_zero:
        values, _, terms = mechanism_by_replication(contrib, iso3)
        active = np.any(np.abs(values) > 1e-12, axis=(0, 1))
        if active.any():
            totals = totals.loc[[t for t, a in zip(terms, active, strict=True) if a]]
    order = np.argsort(-np.abs(totals["mean"].to_numpy()), kind="stable")
    return totals.iloc[order]


def net_change_path(contrib: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """One state's net change of alignment since the start, per date: the running sum of all mechanisms.

    Columns ``mean``, ``q05``, ``q95`` over replications (alignment units, + toward China); index = date.
    """
    values, dates, _ = mechanism_by_replication(contrib, iso3)
    path = np.cumsum(values.sum(axis=2), axis=1)  # [rep, date]
    q05, q95 = np.quantile(path, [0.05, 0.95], axis=0)
    return pd.DataFrame({"mean": path.mean(axis=0), "q05": q05, "q95": q95}, index=pd.Index(dates, name="date"))


def bri_count_band(ts: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95% band of the number of BRI members per date, in whole states.

    Quantiles use the inverted empirical CDF, so each is a count that some replication actually had (an
    integer), never an interpolated 22.55. Columns ``median``, ``q05``, ``q95`` (int); index = date.
    """
    counts = bri_counts(ts)  # date x replication
    q05, q50, q95 = np.quantile(counts.to_numpy(dtype=float), [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
    return pd.DataFrame(
        {"median": q50.astype(int), "q05": q05.astype(int), "q95": q95.astype(int)},
        index=pd.Index(counts.index, name="date"),
    )
