"""The observed history as levers: what Washington and Beijing did, month by month, up to the present.

Layers, each over the one before (months up to the present only; later months carry the present's values):

1. neutral values (no tariff, aid and finance as observed, no measures); after the present, aid and finance carry
   the present's level as a multiple of their 2012-2021 mean (:func:`status_quo_flows`);
2. yearly panels: US country-based sanctions programmes (``us_sanctions_program``: the share of the year in force
   times the level, 1 for embargoes and sectoral sanctions, 0.5 for programmes against officials); drug decertification
   (``us_decertified``) from the September determination to the next August;
3. China's push to sign the BRI: 0 before ``history.offer_from``, ``history.standing_offer`` after, 1 in forum months;
4. ``history.schedule``: dated actions from ``conf/history/observed.yaml`` (each citing seeds/events/power_actions.csv).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.calendar import month_label, parse_month
from sim.config import HistoryConfig
from sim.data.panels import Panels
from sim.errors import SimInputError

REFERENCE_YEARS = (2012, 2021)
"""Years whose mean US aid and Chinese finance (% of GDP) the levers scale after the data end."""


def reference_flow(panels: Panels, variable: str, iso3: Sequence[str]) -> np.ndarray:
    """Mean of a flow variable over :data:`REFERENCE_YEARS` for each state (% of GDP per year)."""
    years = (panels.years >= REFERENCE_YEARS[0]) & (panels.years <= REFERENCE_YEARS[1])
    return np.nanmean(panels.table(variable, tuple(iso3))[years], axis=0)


def status_quo_flows(panels: Panels, present: int, iso3: Sequence[str]) -> dict[str, np.ndarray]:
    """The present's US aid and Chinese finance as multiples of their 2012-2021 means (the levers' values that keep
    the status quo after the data end)."""
    out = {}
    for name, variable in (("us.aid", "us_aid_pct_gdp"), ("china.bri_finance", "cn_finance_pct_gdp")):
        now = panels.table(variable, tuple(iso3))[min(present // 12, int(panels.years[-1])) - int(panels.years[0])]
        ref = reference_flow(panels, variable, iso3)
        out[name] = np.divide(now, ref, out=np.ones_like(ref), where=ref > 0)
    return out


def history_plan(
    panels: Panels,
    history: HistoryConfig,
    months: np.ndarray,
    iso3: Sequence[str],
    levers: tuple[str, ...],
    neutral: dict[str, float],
    apply_schedule: object,
) -> np.ndarray:
    """Lever values ``(len(months), levers, states)`` for calendar months ``months`` (values after the present carry
    the present's). ``apply_schedule(plan, entries, first_month, last_month)`` writes dated entries (it is
    :func:`sim.dynamics.levers.apply_schedule`, passed in so the data layer does not import the dynamics)."""
    present = parse_month(history.present, "history.present")
    index = {name: i for i, name in enumerate(levers)}
    plan = np.empty((len(months), len(levers), len(iso3)))
    for name, value in neutral.items():
        plan[:, index[name], :] = value
    observed = np.minimum(months, present)  # after the present, the present's values carry on
    year = np.clip(observed // 12, panels.years[0], panels.years[-1]) - panels.years[0]
    sanctions = np.nan_to_num(panels.table("us_sanctions_program", tuple(iso3)))
    plan[:, index["us.sanctions"], :] = sanctions[year]
    # a determination (September) holds until the next one: months Jan-Aug belong to the previous year's
    decert_year = np.clip((observed - 8) // 12, panels.years[0], panels.years[-1]) - panels.years[0]
    plan[:, index["us.decertification"], :] = np.nan_to_num(panels.table("us_decertified", tuple(iso3)))[decert_year]
    offer_from = parse_month(history.offer_from, "history.offer_from")
    if not 0.0 <= history.standing_offer <= 1.0:
        raise SimInputError("history.standing_offer", history.standing_offer, "expected a number in [0, 1]")
    offer = np.where(observed >= offer_from, history.standing_offer, 0.0)
    for i, text in enumerate(history.forum_months):
        month = parse_month(text, f"history.forum_months[{i}]")
        if month > present:
            raise SimInputError(
                f"history.forum_months[{i}]", text, f"expected a month up to the present {month_label(present)}"
            )
        offer = np.where(months == month, 1.0, offer)
    plan[:, index["china.bri_offer"], :] = offer[:, None]
    after = months > present
    for name, ratio in status_quo_flows(panels, present, iso3).items():
        plan[after, index[name], :] = np.clip(ratio, 0.0, 10.0)
    apply_schedule(plan, history.schedule, int(months[0]), present, int(months[-1]))
    return plan
