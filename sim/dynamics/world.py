"""The world a run lives in: the data for its months, the governments and elections, and the lever plan.

A run simulates the calendar months ``start .. end``; its state at the end of the month before ``start`` comes from
the data (:func:`build_world`). Every time-varying input has one row per simulated month: ``t = 0`` is ``start``.
Yearly panel values are interpolated to months (:mod:`sim.data.monthly`); where a driver's data have ended the row is
NaN and the dynamics evolve it (:mod:`sim.dynamics.drivers`). Up to the present the governments in office are the
observed ones; after it, elections follow each state's rules. All per-state arrays are in
:data:`~sim.data.seeds.CELAC_ISO3` order. Built once per configuration; shared by every replication.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

import numpy as np

from sim.calendar import month_label, month_of, parse_month
from sim.config import ChinaReaction, RunConfig, USReaction
from sim.data.history import reference_flow
from sim.data.index import un_alignment
from sim.data.monthly import by_year, interpolate
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics.levers import LEVER_INDEX, build_lever_plan
from sim.dynamics.neighbours import NeighbourWeights, PeerGroups, peer_groups
from sim.errors import SimInputError

FIRST_START = "1991-01"
"""Earliest run start: the state a run starts from needs a year of data before it."""
TRADE = ("export_share_us", "export_share_cn", "import_share_us", "import_share_cn")
NEVER = 10**9
"""Month index standing for 'no election ahead' (closed autocracies)."""
WHAT_IFS = (
    *TRADE,
    "trade_pct_gdp",
    "remittances_pct_gdp",
    "gdp_usd_bn",
    "us_aid_pct_gdp",
    "cn_finance_pct_gdp",
    "autocracy",
    "arms_share_us",
    "arms_share_cn",
    "arms_share_ru",
)
"""Panel variables a user may override per state (``seeds.<ISO3>.<variable>=<value>``) from the run's start."""
REELECTION_TERMS = {"none": 1, "non-consecutive": 1, "immediate": 2, "unlimited": 99}
"""Consecutive terms a person may serve under each re-election rule."""


@dataclass(frozen=True)
class World:
    """Static and time-varying inputs of the dynamics (units in comments; ``T`` simulated months, ``N`` states)."""

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    subregion: tuple[str, ...]
    start: int  # month index of the first simulated month (t = 0)
    end: int  # last simulated month
    present: int  # last month of the data (October 2025)
    neighbours: NeighbourWeights  # row-normalised neighbour weights (land 1, maritime 0.5)
    subregion_peers: PeerGroups  # the other states of the same subregion
    gdp_bn: np.ndarray  # (T, N) USD bn
    openness: np.ndarray  # (T, N) exports + imports of goods and services / GDP, fraction
    remittances: np.ndarray  # (T, N) personal remittances / GDP, fraction
    trade_obs: np.ndarray  # (T, 4, N) export/import shares with the US and China (TRADE order); NaN after the data
    trade_observed: np.ndarray  # (T,) bool: every state has observed shares that month
    trade_base: np.ndarray  # (4, N) the last observed shares (what forward trade adjusts from)
    aid_flow: np.ndarray  # (T, N) US aid, % of GDP per year, as observed (NaN after the data)
    finance_flow: np.ndarray  # (T, N) Chinese official finance, % of GDP per year, likewise
    aid_reference: np.ndarray  # (N,) mean US aid 2012-2021, % of GDP per year (what us.aid scales after the data)
    finance_reference: np.ndarray  # (N,) mean Chinese finance 2012-2021 (what china.bri_finance scales)
    past_flows: np.ndarray  # (P, 2, N) monthly aid and finance flows (% GDP/yr) of the months before the start
    autocracy: np.ndarray  # (T, N) [0, 1]: 1 - V-Dem electoral democracy (FH-based for 8 states)
    closed: np.ndarray  # (T, N) bool: closed autocracy (no competitive elections)
    elite_share: np.ndarray  # (N,) share of region-wide hosted politicians going to each state (sqrt of GDP)
    security: np.ndarray  # (T, N) [-1, 1]: arms-supplier and alliance position (-1 US .. +1 China/Russia)
    has_security: np.ndarray  # (T, N) bool: the state imported major arms in the last 10 years
    us_ideology: np.ndarray  # (T,) ideology of the US administration in office (observed up to the present)
    cn_ideology: np.ndarray  # (T,) ideology of China's leadership
    us_election: np.ndarray  # (T,) bool: a US presidential election month after the present
    scripted_ideology: np.ndarray  # (T, N) NaN, or the ideology of an observed leader taking office that month
    scripted_person: np.ndarray  # (T, N) int: that leader's person id, -1 if none
    scripted_camp_change: np.ndarray  # (T, N) bool: the observed change brought another camp to power
    leader_names: dict[int, str]  # person id -> name (observed leaders)
    election_month: np.ndarray  # (N,) first decisive election after the present (NEVER: none)
    term_months: np.ndarray  # (N,) months between elections
    lag_months: np.ndarray  # (N,) months from the decisive vote to taking office
    max_terms: np.ndarray  # (N,) consecutive terms a person may serve
    observed_bri: np.ndarray  # (T, N) bool: observed BRI membership at the end of each month
    observed_prc: np.ndarray  # (T, N) bool: observed recognition of Beijing
    plan: np.ndarray  # (T, levers, N) lever values
    leader_measures_since: np.ndarray  # (T, 2, N) month a spell of leader sanctions / visa bans began (-1: off)
    state_effect: np.ndarray  # (N,) each state's own position, alignment units
    replay_institutions: bool  # BRI and recognition follow the record instead of the hazards
    us_reaction: USReaction
    china_reaction: ChinaReaction
    forced_ideology: np.ndarray  # (N,) NaN, or the winner's ideology at the first election after the present
    # the state at the end of the month before the start
    alignment0: np.ndarray  # (N,) observed index (interpolated; carried after the last observation)
    alignment0_observed: np.ndarray  # (N,) bool: an observation within a year of the start
    ideology0: np.ndarray  # (N,)
    person0: np.ndarray  # (N,) int
    gov_since0: np.ndarray  # (N,) int month the person took office
    camp_since0: np.ndarray  # (N,) int month the camp took power
    terms0: np.ndarray  # (N,) int consecutive terms the person has won (>= 1)
    bri0: np.ndarray  # (N,) bool
    prc0: np.ndarray  # (N,) bool
    trade0: np.ndarray  # (4, N)

    def astype(self, dtype: Any) -> World:
        """This world with its float arrays in ``dtype`` (``self`` for float64)."""
        if np.dtype(dtype) == np.float64:
            return self
        cast = {}
        for f in fields(self):
            value = getattr(self, f.name)
            is_float = isinstance(value, np.ndarray) and value.dtype == np.float64
            if is_float or isinstance(value, NeighbourWeights | PeerGroups):
                cast[f.name] = value.astype(dtype)
        return replace(self, **cast)

    @property
    def n_states(self) -> int:
        return len(self.iso3)

    @property
    def n_months(self) -> int:
        """Simulated months (steps)."""
        return self.end - self.start + 1

    @property
    def first(self) -> int:
        """Month of the initial state (the month before the start)."""
        return self.start - 1


def _first_day(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _last_day(month: int) -> date:
    nxt = _first_day(month + 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _panel_months(seeds: SeedTables, variable: str, months: np.ndarray, carry: bool) -> np.ndarray:
    return interpolate(seeds.panels.table(variable), seeds.panels.years, months, carry)


def _security(seeds: SeedTables, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Security position in [-1, 1]: -(US share - China share - Russia share) of major-arms imports (10 years), minus
    0.5 for a NATO global partner or US major non-NATO ally; no position where the state imported no arms."""
    p = seeds.panels
    shares = {k: by_year(p.table(f"arms_share_{k}"), p.years, months) for k in ("us", "cn", "ru")}
    has = np.isfinite(shares["us"])
    arms = -(np.nan_to_num(shares["us"]) - np.nan_to_num(shares["cn"]) - np.nan_to_num(shares["ru"]))
    ally = np.maximum(
        by_year(p.table("nato_global_partner"), p.years, months), by_year(p.table("us_mnna"), p.years, months)
    )
    return np.clip(arms - 0.5 * ally, -1.0, 1.0), has | (ally > 0)


def _institutions(seeds: SeedTables, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ev = seeds.events
    days = [_last_day(int(m)) for m in months]
    bri = np.array([[ev.bri_member_on(c, d) for c in CELAC_ISO3] for d in days])
    prc = np.array([[ev.recognizes_prc_on(c, d) for c in CELAC_ISO3] for d in days])
    return bri, prc


def _powers_ideology(seeds: SeedTables, months: np.ndarray, present: int) -> tuple[np.ndarray, np.ndarray]:
    """Ideology of the US administration and of China's leadership in office each month (after the present: the
    present's; US elections after it are simulated)."""
    days = [_last_day(int(min(m, present))) for m in months]
    us = np.array([seeds.events.leader_on("USA", d).ideology for d in days])
    cn = np.array([seeds.events.leader_on("CHN", d).ideology for d in days])
    return us, cn


def _last_values(table: np.ndarray) -> np.ndarray:
    """Each column's last finite value of a ``(years, N)`` table."""
    out = np.full(table.shape[1], np.nan)
    for c in range(table.shape[1]):
        ok = np.flatnonzero(np.isfinite(table[:, c]))
        if len(ok):
            out[c] = table[ok[-1], c]
    return out


@dataclass
class _Governments:
    ideology0: np.ndarray
    person0: np.ndarray
    gov_since0: np.ndarray
    camp_since0: np.ndarray
    terms0: np.ndarray
    scripted_ideology: np.ndarray
    scripted_person: np.ndarray
    scripted_camp_change: np.ndarray
    names: dict[int, str]


def _governments(seeds: SeedTables, first: int, months: np.ndarray) -> _Governments:
    """Leaders in office at the initial month, observed changes during the run (through the present, plus known
    presidents-elect), and when each camp took power (from the elections' incumbent_camp_lost)."""
    ev = seeds.events
    n = len(CELAC_ISO3)
    ids: dict[tuple[str, str], int] = {}
    names: dict[int, str] = {}

    def person(iso3: str, name: str) -> int:
        key = (iso3, name)
        if key not in ids:
            ids[key] = len(ids)
            names[ids[key]] = name
        return ids[key]

    day0 = _last_day(first)
    ideology0, person0 = np.zeros(n), np.zeros(n, dtype=np.int64)
    gov_since0, camp_since0, terms0 = (np.zeros(n, dtype=np.int64) for _ in range(3))
    scripted = np.full((len(months), n), np.nan)
    scripted_person = np.full((len(months), n), -1, dtype=np.int64)
    camp_change = np.zeros((len(months), n), dtype=bool)
    for i, iso3 in enumerate(CELAC_ISO3):
        leaders = ev.leaders[iso3]
        losses = [e for e in ev.elections.get(iso3, ()) if e.incumbent_camp_lost]
        now = ev.leader_on(iso3, day0)
        ideology0[i], person0[i] = now.ideology, person(iso3, now.name)
        gov_since0[i] = month_of(now.took_office)
        before = [e.took_office or e.date for e in losses if (e.took_office or e.date) <= day0]
        camp_since0[i] = month_of(max(before)) if before else month_of(leaders[0].took_office)
        terms0[i] = 1 + sum(
            1 for e in ev.elections.get(iso3, ()) if e.incumbent_camp_lost is False and now.took_office < e.date <= day0
        )
        changes = [(leader.took_office, leader.name, leader.ideology) for leader in leaders]
        elect = ev.presidents_elect.get(iso3)
        if elect is not None:
            changes.append((elect.takes_office, elect.name, elect.ideology))
        for took, name, ideology in changes:
            t = month_of(took) - (first + 1)
            if 0 <= t < len(months) and took > day0:
                scripted[t, i], scripted_person[t, i] = ideology, person(iso3, name)
                camp_change[t, i] = any(
                    abs((e.took_office or e.date).toordinal() - took.toordinal()) <= 120 for e in losses
                )
    return _Governments(
        ideology0, person0, gov_since0, camp_since0, terms0, scripted, scripted_person, camp_change, names
    )


def _elections(seeds: SeedTables, present: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First decisive election after the present, term and inauguration lag (months), terms a person may serve."""
    ev = seeds.events
    after = _last_day(present)
    first = np.full(len(CELAC_ISO3), NEVER, dtype=np.int64)
    term, lag, max_terms = (np.zeros(len(CELAC_ISO3), dtype=np.int64) for _ in range(3))
    for i, iso3 in enumerate(CELAC_ISO3):
        rule = ev.rules[iso3]
        term[i] = round(12 * rule.term_years)
        lag[i] = round(rule.inauguration_lag_months)
        max_terms[i] = REELECTION_TERMS[rule.reelection]
        nxt = ev.next_election(iso3, after)
        if nxt is not None and nxt.competitive and rule.system != "one-party":
            first[i] = month_of(nxt.date)
    return first, term, lag, max_terms


def _spell_starts(plan: np.ndarray, first: int) -> np.ndarray:
    """(months, states): month at which the current non-zero spell of a lever began (-1 while it is 0); row 0 is
    month ``first + 1``."""
    since = np.full(plan.shape, -1, dtype=np.int64)
    for t in range(plan.shape[0]):
        on = plan[t] > 0
        started = on & ((plan[t - 1] <= 0) if t else True)
        since[t] = np.where(started, first + 1 + t, np.where(on, since[t - 1] if t else -1, -1))
    return since


US_REACTION_RANGES = {"drift": (0.0, 2.0), "tariff": (0.0, 1.0), "sanctions": (0.0, 1.0), "aid": (0.0, 5.0)}
CHINA_REACTION_RANGES = {
    "drift": (0.0, 2.0),
    "bri_finance": (0.0, 10.0),
    "import_pledge": (0.0, 1.0),
    "bri_offer": (0.0, 1.0),
}


def _checked_reaction(reaction: Any, where: str, ranges: dict[str, tuple[float, float]]) -> Any:
    for name, (lo, hi) in ranges.items():
        value = getattr(reaction, name)
        if not lo <= value <= hi:
            raise SimInputError(f"{where}.{name}", value, f"expected a number in [{lo}, {hi}]")
    return replace(reaction)


def _state_column(code: str, where: str, value: Any, example: str = "") -> int:
    """The column of state ``code``; an unknown code is refused naming ``where`` and the ``value`` given."""
    if code not in CELAC_ISO3:
        raise SimInputError(where, value, f"{code!r} is not the ISO3 code of a CELAC state{example}")
    return CELAC_ISO3.index(code)


def _number(value: Any) -> float:
    """``value`` as a float (NaN when it is not a number, so a range check refuses it)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _forced_elections(elections: dict[str, Any], first: np.ndarray, end: int) -> np.ndarray:
    forced = np.full(len(CELAC_ISO3), np.nan)
    for code, value in elections.items():
        i = _state_column(code, f"elections.{code}", value)
        number = _number(value)
        if not -1.0 <= number <= 1.0:
            raise SimInputError(f"elections.{code}", value, "expected the winner's left-right ideology in [-1, 1]")
        if first[i] == NEVER:
            raise SimInputError(f"elections.{code}", value, f"{code} holds no competitive election after the present")
        if first[i] > end:
            raise SimInputError(
                f"elections.{code}",
                value,
                f"its next election ({month_label(int(first[i]))}) falls after the end of the run; extend end",
            )
        forced[i] = number
    return forced


def _what_ifs(cfg: RunConfig, arrays: dict[str, np.ndarray], bases: dict[str, np.ndarray]) -> None:
    """Apply ``seeds.<ISO3>.<variable>`` overrides from the run's start: carried inputs take the value in every row;
    trade shares take it in the rows with data and as the base forward trade adjusts from (``bases``)."""
    for code, values in cfg.seeds.items():
        first = next(iter(values.items()), None) if isinstance(values, dict) else None
        where, got = (f"seeds.{code}.{first[0]}", first[1]) if first else (f"seeds.{code}", values)
        i = _state_column(code, where, got, " (e.g. seeds.COL.export_share_cn)")
        if not isinstance(values, dict):
            raise SimInputError(f"seeds.{code}", values, "expected seeds.<ISO3>.<variable>=<value>")
        for variable, value in values.items():
            if variable not in WHAT_IFS:
                raise SimInputError(f"seeds.{code}.{variable}", value, f"expected one of {', '.join(WHAT_IFS)}")
            number = _number(value)
            lo, hi = (0.0, 1.0) if variable in (*TRADE, "autocracy") or variable.startswith("arms") else (0.0, 1e5)
            if not lo <= number <= hi:
                raise SimInputError(f"seeds.{code}.{variable}", value, f"expected a number in [{lo}, {hi}]")
            if variable not in arrays:  # arms shares: the caller rebuilds the security position
                continue
            column = arrays[variable][:, i]
            arrays[variable][:, i] = np.where(np.isfinite(column), number, np.nan) if variable in TRADE else number
            if variable in bases:
                bases[variable][i] = number


def build_world(seeds: SeedTables, cfg: RunConfig) -> World:
    """Assemble the :class:`World` for ``cfg`` (validates the time window against the data)."""
    present = parse_month(cfg.history.present, "history.present")
    start = parse_month(cfg.start, "start")
    end = parse_month(cfg.end, "end")
    if start < parse_month(FIRST_START, "start"):
        raise SimInputError("start", cfg.start, f"expected a month from {FIRST_START} on (the data start in 1990)")
    if start > present + 1:
        raise SimInputError(
            "start", cfg.start, f"expected a month up to {month_label(present + 1)} (the data end then)"
        )
    if end < start:
        raise SimInputError("end", cfg.end, f"expected a month not before start {cfg.start}")
    first = start - 1
    months = np.arange(start, end + 1)
    p = seeds.panels
    gdp = _panel_months(seeds, "gdp_usd_bn", months, carry=True)
    openness = _panel_months(seeds, "trade_pct_gdp", months, carry=True) / 100
    remittances = _panel_months(seeds, "remittances_pct_gdp", months, carry=True) / 100
    trade = {k: _panel_months(seeds, k, months, carry=False) for k in TRADE}
    autocracy = _panel_months(seeds, "autocracy", months, carry=True)
    aid = _panel_months(seeds, "us_aid_pct_gdp", months, carry=False)
    finance = _panel_months(seeds, "cn_finance_pct_gdp", months, carry=False)
    arrays: dict[str, np.ndarray] = {
        **trade,
        "trade_pct_gdp": openness,
        "remittances_pct_gdp": remittances,
        "gdp_usd_bn": gdp,
        "us_aid_pct_gdp": aid,
        "cn_finance_pct_gdp": finance,
        "autocracy": autocracy,
    }
    security, has_security = _security(seeds, months)
    bases = {k: _last_values(p.table(k)) for k in TRADE}
    _what_ifs(cfg, arrays, bases)
    for code, values in cfg.seeds.items():  # a what-if on arms shares sets the security position
        if any(v.startswith("arms_share_") for v in values):
            i = CELAC_ISO3.index(code)
            us_cn_ru = [float(values.get(f"arms_share_{k}", 0.0)) for k in ("us", "cn", "ru")]
            security[:, i] = np.clip(-(us_cn_ru[0] - us_cn_ru[1] - us_cn_ru[2]), -1.0, 1.0)
            has_security[:, i] = True
    initial = np.array([first])
    trade0 = np.stack([interpolate(p.table(k), p.years, initial, carry=True)[0] for k in TRADE])
    trade_obs = np.stack([arrays[k] for k in TRADE], axis=1)
    past = np.arange(parse_month("1990-01", "x"), first + 1)
    past_flows = np.stack(
        [
            interpolate(p.table("us_aid_pct_gdp"), p.years, past, carry=True),
            interpolate(p.table("cn_finance_pct_gdp"), p.years, past, carry=True),
        ],
        axis=1,
    )
    index = un_alignment(p)
    alignment0 = interpolate(index, p.years, initial, carry=True)[0]
    observed_recently = np.isfinite(interpolate(index, p.years, np.array([first - 12]), carry=False)[0])
    closed = by_year(p.table("closed_autocracy"), p.years, months) > 0
    us_ideo, cn_ideo = _powers_ideology(seeds, months, present)
    gov = _governments(seeds, first, months)
    election, term, lag, max_terms = _elections(seeds, present)
    observed_bri, observed_prc = _institutions(seeds, np.minimum(months, present))
    bri0, prc0 = (x[0] for x in _institutions(seeds, initial))
    plan = build_lever_plan(cfg, p, CELAC_ISO3, start, end)
    adjacency = np.zeros((len(CELAC_ISO3), len(CELAC_ISO3)))
    for a, b, kind in seeds.neighbours:
        adjacency[CELAC_ISO3.index(a), CELAC_ISO3.index(b)] = 1.0 if kind == "land" else 0.5
    subregions = tuple(seeds.subregions[c] for c in CELAC_ISO3)
    effects = np.zeros(len(CELAC_ISO3))
    for code, value in cfg.state_effects.items():
        effects[_state_column(code, f"state_effects.{code}", value)] = float(value)
    us_years = [m for m in range(present + 1, end + 1) if m % 12 == 10 and (m // 12) % 4 == 0]
    return World(
        iso3=CELAC_ISO3,
        names=tuple(seeds.names[c] for c in CELAC_ISO3),
        subregion=subregions,
        start=start,
        end=end,
        present=present,
        neighbours=NeighbourWeights.from_dense(adjacency),
        subregion_peers=peer_groups(subregions),
        gdp_bn=arrays["gdp_usd_bn"],
        openness=arrays["trade_pct_gdp"],
        remittances=arrays["remittances_pct_gdp"],
        trade_obs=trade_obs,
        trade_observed=np.isfinite(trade_obs).all(axis=(1, 2)),
        trade_base=np.stack([bases[k] for k in TRADE]),
        aid_flow=arrays["us_aid_pct_gdp"],
        finance_flow=arrays["cn_finance_pct_gdp"],
        aid_reference=reference_flow(p, "us_aid_pct_gdp", CELAC_ISO3),
        finance_reference=reference_flow(p, "cn_finance_pct_gdp", CELAC_ISO3),
        past_flows=past_flows,
        autocracy=arrays["autocracy"],
        elite_share=np.sqrt(arrays["gdp_usd_bn"][0]) / np.sqrt(arrays["gdp_usd_bn"][0]).sum(),
        closed=closed,
        security=security,
        has_security=has_security,
        us_ideology=us_ideo,
        cn_ideology=cn_ideo,
        us_election=np.isin(months, us_years),
        scripted_ideology=gov.scripted_ideology,
        scripted_person=gov.scripted_person,
        scripted_camp_change=gov.scripted_camp_change,
        leader_names=gov.names,
        election_month=election,
        term_months=term,
        lag_months=lag,
        max_terms=max_terms,
        observed_bri=observed_bri,
        observed_prc=observed_prc,
        plan=plan,
        leader_measures_since=_spell_starts(
            plan[:, [LEVER_INDEX["us.leader_sanctions"], LEVER_INDEX["us.visa_bans"]]], first
        ),
        state_effect=effects,
        replay_institutions=bool(cfg.replay_institutions),
        us_reaction=_checked_reaction(cfg.us.reaction, "us.reaction", US_REACTION_RANGES),
        china_reaction=_checked_reaction(cfg.china.reaction, "china.reaction", CHINA_REACTION_RANGES),
        forced_ideology=_forced_elections(cfg.elections, election, end),
        alignment0=alignment0,
        alignment0_observed=observed_recently,
        ideology0=gov.ideology0,
        person0=gov.person0,
        gov_since0=gov.gov_since0,
        camp_since0=gov.camp_since0,
        terms0=gov.terms0,
        bri0=bri0,
        prc0=prc0,
        trade0=trade0,
    )
