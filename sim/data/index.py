"""The observed alignment index: where a state's UN votes place it relative to the US and the UN membership.

Definition (``un_alignment``): with ``x`` a state's UN General Assembly ideal point in a year (Voeten, July 2025
release; higher = closer to the US), ``m`` the median ideal point of all UN members that year and ``D`` the typical
distance of the US from that median over the training years 1990-2012,

    alignment = clip((m - x) / D, -1, 1)

so -1 is where the US votes, 0 is the UN's median member and positive values are the other side, toward China (whose
own votes sit near the median, at about +0.1..+0.2) and beyond it (Cuba, Nicaragua). The scale is symmetric and metric:
a move of 0.1 means the same distance in ideal-point units on either side. The anchor ``D`` comes from training years
only, so the test years 2013-2024 carry no information into the index's definition.

Why not the alternatives (``ALTERNATIVES``; their correlations with independent measures are in docs/validation.md):

- ``linear_us_china`` (the previous index): US -> -1, China -> +1, linear. As the US is the UN outlier, every LAC state
  lands on China's side (min +0.4) and distances are compressed.
- ``median_to_powers``: median -> 0, US -> -1, China -> +1, piecewise linear. China sits close to the median (and in
  some years above it), so its side is 10 times steeper than the US side: states that vote with the G77, Taipei's
  Caribbean allies among them, score strongly pro-China.
- ``world_percentile``: the state's rank among UN members, US -> -1, China -> +1. Removes the outlier but not the
  asymmetry, and ranks stretch the dense middle of the distribution.
"""

from __future__ import annotations

import numpy as np

from sim.data.panels import FIRST_YEAR, Panels
from sim.data.seeds import CELAC_ISO3

TRAIN_LAST = 2012
"""Last year whose data may define the index's scale (the training years of the alignment dynamics)."""


def _anchor_years(panels: Panels) -> np.ndarray:
    return panels.years <= TRAIN_LAST


def us_scale(panels: Panels) -> float:
    """``D``: the median over 1990-2012 of the US's distance from the UN median ideal point."""
    us = panels.table("unga_ideal_point", ("USA",))[:, 0]
    median = panels.table("unga_world_median", ("WLD",))[:, 0]
    gap = (us - median)[_anchor_years(panels)]
    gap = gap[np.isfinite(gap)]
    if not len(gap) or np.median(gap) <= 0:
        from sim.errors import SimInputError

        raise SimInputError("seeds/panels unga_ideal_point", "USA", "the US must sit above the UN median (D > 0)")
    return float(np.median(gap))


def un_alignment(panels: Panels) -> np.ndarray:
    """The alignment index ``(years, 33 states)``, NaN where the state has no ideal point that year."""
    x = panels.table("unga_ideal_point")
    median = panels.table("unga_world_median", ("WLD",))
    return np.clip((median - x) / us_scale(panels), -1.0, 1.0)


def linear_us_china(panels: Panels) -> np.ndarray:
    """Previous index: the US's ideal point -> -1, China's -> +1, linear in between (clipped)."""
    x = panels.table("unga_ideal_point")
    us = panels.table("unga_ideal_point", ("USA",))
    cn = panels.table("unga_ideal_point", ("CHN",))
    return np.clip(2 * (us - x) / (us - cn) - 1, -1.0, 1.0)


def median_to_powers(panels: Panels) -> np.ndarray:
    """UN median -> 0, the US -> -1, China -> +1 (mean distances over the training years), piecewise linear."""
    x = panels.table("unga_ideal_point")
    median = panels.table("unga_world_median", ("WLD",))
    cn_gap = (median - panels.table("unga_ideal_point", ("CHN",)))[_anchor_years(panels), 0]
    to_china = float(np.nanmean(cn_gap))
    out = np.where(x >= median, -(x - median) / us_scale(panels), (median - x) / to_china)
    return np.clip(out, -1.0, 1.0)


def world_percentile(panels: Panels) -> np.ndarray:
    """Rank among UN members (percentile ``p``): the US's rank -> -1, China's (1990-2012 mean) -> +1, linear."""
    p = panels.table("unga_world_percentile")
    p_us = float(np.nanmean(panels.table("unga_world_percentile", ("USA",))[_anchor_years(panels)]))
    p_cn = float(np.nanmean(panels.table("unga_world_percentile", ("CHN",))[_anchor_years(panels)]))
    return np.clip((2 * p - p_us - p_cn) / (p_cn - p_us), -1.0, 1.0)


ALTERNATIVES = {
    "un_alignment": un_alignment,
    "linear_us_china": linear_us_china,
    "median_to_powers": median_to_powers,
    "world_percentile": world_percentile,
}


def china_position(panels: Panels) -> np.ndarray:
    """Where China's own UN votes fall on the index scale, by year (for reference lines in figures)."""
    x = panels.table("unga_ideal_point", ("CHN",))[:, 0]
    median = panels.table("unga_world_median", ("WLD",))[:, 0]
    return np.clip((median - x) / us_scale(panels), -1.0, 1.0)


def year_row(year: int) -> int:
    return year - FIRST_YEAR


__all__ = ["ALTERNATIVES", "CELAC_ISO3", "TRAIN_LAST", "china_position", "un_alignment", "us_scale", "year_row"]
