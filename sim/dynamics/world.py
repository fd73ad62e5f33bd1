"""The world a run lives in: calibrated per-state arrays, neighbour matrices, schedules and the lever plan.

Built once per configuration from the validated seeds (:mod:`sim.data.seeds`); shared by every replication.
All per-state arrays have shape ``(states,)`` in :data:`~sim.data.seeds.CELAC_ISO3` order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

import numpy as np

from sim.calendar import month_label, month_of, parse_month
from sim.config import ChinaReaction, RunConfig, USReaction
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics.levers import LEVER_INDEX, build_lever_plan
from sim.errors import SimInputError

SUBREGIONS = ("north_america", "central_america", "caribbean", "south_america")
ARMS_EVENTS = {"arms_purchases_halted": 0.0, "arms_purchases_resumed": 1.0}
"""Timeline events that switch a state's US arms purchases (value after the event)."""


@dataclass(frozen=True)
class NeighbourWeights:
    """Row-normalised weights stored as padded neighbour lists and applied by fixed-order gather-and-add.

    ``apply`` computes ``out[:, i] = sum_k weights[k, i] * values[:, index[k, i]]`` with the ``k`` terms added in the
    same order for every run, using only element-wise numpy operations: no BLAS and no reduction whose order could
    depend on the CPU, the memory alignment, the thread count or the runs batched alongside. A run therefore gets
    bit-identical results on any machine and in any batch (``tests/test_determinism.py``). The work is done on the
    transposed ``(states, runs)`` array, where each gather copies whole contiguous rows.
    """

    index: np.ndarray  # (K, states) int: the k-th neighbour of each state (padding points at the state itself)
    weights: np.ndarray  # (K, states): its weight (0 for padding); each state's weights sum to 1 or are all 0
    has_entries: np.ndarray  # (states,) bool: the state has at least one neighbour

    @classmethod
    def from_dense(cls, matrix: np.ndarray) -> NeighbourWeights:
        """From a dense ``(states, states)`` matrix of non-negative weights (row ``i``: the weights of ``i``'s
        neighbours); rows are normalised to sum to one."""
        normalised = _row_normalise(np.asarray(matrix, dtype=float))
        n = len(normalised)
        k = max(1, int((normalised > 0).sum(axis=1).max(initial=0)))
        index = np.tile(np.arange(n), (k, 1))
        weights = np.zeros((k, n))
        for i in range(n):
            (cols,) = np.nonzero(normalised[i])
            index[: len(cols), i] = cols
            weights[: len(cols), i] = normalised[i, cols]
        return cls(index, weights, normalised.sum(axis=1) > 0)

    def astype(self, dtype: Any) -> NeighbourWeights:
        return replace(self, weights=self.weights.astype(dtype))

    def apply_t(self, values_t: np.ndarray) -> np.ndarray:
        """Weighted neighbour sums of transposed ``(states, runs)`` values, as ``(states, runs)``."""
        weights = self.weights.astype(values_t.dtype, copy=False)[:, :, None]
        out = weights[0] * values_t[self.index[0]]
        for k in range(1, len(weights)):
            out += weights[k] * values_t[self.index[k]]
        return out

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Weighted neighbour sums of ``(runs, states)`` values (states without neighbours give 0)."""
        return np.ascontiguousarray(self.apply_t(np.ascontiguousarray(values.T)).T)


@dataclass(frozen=True)
class PeerGroups:
    """Mean over the other members of each state's group (its subregion), by fixed-order group sums.

    ``out[i] = (sum of i's group - values[i]) / (group size - 1)``: the group sum adds members in ascending state
    order, element-wise, so results are bit-identical on any CPU and in any batch. States alone in their group get 0.
    """

    members: tuple[np.ndarray, ...]  # per group: the state indices, ascending
    group_of: np.ndarray  # (states,) int: each state's group
    inverse_peers: np.ndarray  # (states,): 1 / (group size - 1), 0 for a state alone in its group
    has_entries: np.ndarray  # (states,) bool: the state has at least one peer

    @classmethod
    def from_labels(cls, labels: tuple[str, ...]) -> PeerGroups:
        names = sorted(set(labels))
        group_of = np.array([names.index(label) for label in labels])
        members = tuple(np.flatnonzero(group_of == g) for g in range(len(names)))
        peers = np.array([len(members[g]) - 1 for g in group_of], dtype=float)
        inverse = np.divide(1.0, peers, out=np.zeros_like(peers), where=peers > 0)
        return cls(members, group_of, inverse, peers > 0)

    def astype(self, dtype: Any) -> PeerGroups:
        return replace(self, inverse_peers=self.inverse_peers.astype(dtype))

    def apply_t(self, values_t: np.ndarray) -> np.ndarray:
        """Peer means of transposed ``(states, runs)`` values, as ``(states, runs)``."""
        sums = np.empty((len(self.members), *values_t.shape[1:]), dtype=values_t.dtype)
        for g, members in enumerate(self.members):
            sums[g] = values_t[members[0]]
            for j in members[1:]:
                sums[g] += values_t[j]
        inverse = self.inverse_peers.astype(values_t.dtype, copy=False)[:, None]
        return (sums[self.group_of] - values_t) * inverse

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Peer means of ``(runs, states)`` values."""
        return np.ascontiguousarray(self.apply_t(np.ascontiguousarray(values.T)).T)


@dataclass(frozen=True)
class World:
    """Static inputs of the dynamics (units in comments)."""

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    subregion: tuple[str, ...]
    anchor: int  # month index of the first simulated month
    present: int  # last month of the history (the seeds' present)
    start: int  # first month the scenario's levers apply and outputs are recorded
    end: int  # last simulated month
    gdp_bn: np.ndarray  # USD bn
    openness: np.ndarray  # (exports + imports) / GDP, fraction
    export_us: np.ndarray  # fraction of goods exports, calibrated
    export_cn: np.ndarray
    import_us: np.ndarray  # fraction of goods imports, calibrated
    import_cn: np.ndarray
    remittances: np.ndarray  # fraction of GDP
    us_aid_pct: np.ndarray  # % of GDP per year at the calibrated level
    cn_flow_pct: np.ndarray  # % of GDP per year, mean 2012-2021
    cn_stock_pct: np.ndarray  # % of GDP, accumulated 2000-2021
    elite_share: np.ndarray  # share of region-wide hosted politicians going to each state (sums to 1)
    nato: np.ndarray  # 0/1
    trade_agreement: np.ndarray  # 0/1
    arms0: np.ndarray  # 0/1: buys US arms at the anchor
    scripted_arms: np.ndarray  # (months, states): NaN, or 0/1 when arms purchases halt/resume that month
    arms_unchanged: np.ndarray  # (months,) bool: no scripted arms change that month
    neighbours: NeighbourWeights  # row-normalised neighbour weights (land 1, maritime 0.5)
    subregion_peers: PeerGroups  # the other states of the same subregion, equally weighted
    diplomatic: np.ndarray  # UN-vote position: -1 at the US ideal point, +1 at China's (clipped)
    bri0: np.ndarray  # bool, member at the anchor
    prc0: np.ndarray  # bool, recognises Beijing at the anchor
    bri_present: np.ndarray  # bool, member at the end of the present month (observed)
    prc_present: np.ndarray  # bool, recognises Beijing at the present (observed)
    ideology0: np.ndarray  # government left-right at the anchor, [-1, 1]
    gov_since0: np.ndarray  # int month index when the government in office at the anchor took office
    leader0: tuple[str, ...]
    opposition0: np.ndarray  # challenger bloc left-right, [-1, 1]
    approval0: np.ndarray  # fraction
    first_election: np.ndarray  # int month index of the next election after the present
    scripted_ideology: np.ndarray  # (months, states): NaN, or the ideology of a government taking office that month
    scripted_leader: dict[tuple[int, int], str]  # (month offset, state) -> leader taking office
    us_ideology: np.ndarray  # (months,) ideology of the US administration
    cn_ideology: np.ndarray  # (months,) ideology of China's leadership
    plan: np.ndarray  # (months, levers, states) lever values
    us_reaction: USReaction  # reactive US strategy (off unless enabled)
    china_reaction: ChinaReaction  # reactive Chinese strategy (off unless enabled)
    forced_ideology: np.ndarray  # (states,): NaN, or the ideology that wins the first election after the present
    leader_measures_since: np.ndarray  # (months, 2, states) start month of the current spell of leader sanctions
    # and visa bans (-1 when off): they bind only a government already in office then

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
        return self.end - self.anchor + 1

    @property
    def record_from(self) -> int:
        """Offset of the first recorded month (the scenario start) from the anchor."""
        return self.start - self.anchor


def _num(seeds: SeedTables, variable: str) -> np.ndarray:
    return np.array([float(seeds.value(c, variable)) for c in CELAC_ISO3])  # type: ignore[arg-type]


def _row_normalise(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _government_schedule(
    seeds: SeedTables, anchor: int, present: int, months: int
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray, dict[tuple[int, int], str], np.ndarray, np.ndarray]:
    """Governments in office at the anchor, dated changes up to the present, and the powers' ideologies."""
    n = len(CELAC_ISO3)
    ideology0 = np.full(n, np.nan)
    since0 = np.zeros(n, dtype=np.int64)
    leader0 = [""] * n
    scripted = np.full((months, n), np.nan)
    leaders: dict[tuple[int, int], str] = {}
    powers = {"USA": np.full(months, np.nan), "CHN": np.full(months, np.nan)}
    for gov in seeds.governments:
        month = month_of(gov.took_office)
        if gov.iso3 in powers:
            series = powers[gov.iso3]
            series[max(month - anchor, 0) :] = gov.ideology if month <= present else series[max(month - anchor, 0) :]
            continue
        i = CELAC_ISO3.index(gov.iso3)
        if month < anchor:
            ideology0[i], leader0[i], since0[i] = gov.ideology, gov.leader, month
        elif month <= present:
            scripted[month - anchor, i] = gov.ideology
            leaders[(month - anchor, i)] = gov.leader
    for i, code in enumerate(CELAC_ISO3):
        if np.isnan(ideology0[i]):
            raise SimInputError("seeds/governments.csv", code, "needs a government in office before the anchor month")
    for code, series in powers.items():
        if np.isnan(series).any():
            raise SimInputError("seeds/governments.csv", code, "needs a government in office at the anchor month")
    return ideology0, since0, tuple(leader0), scripted, leaders, powers["USA"], powers["CHN"]


def peer_groups(sub: tuple[str, ...]) -> PeerGroups:
    """The other states of each state's subregion (states labelled ``sub``), equally weighted."""
    return PeerGroups.from_labels(sub)


def _spell_starts(plan: np.ndarray, anchor: int) -> np.ndarray:
    """(months, states): month index at which the current non-zero spell of a lever began (-1 while it is 0)."""
    since = np.full(plan.shape, -1, dtype=np.int64)
    for t in range(plan.shape[0]):
        on = plan[t] > 0
        started = on & ((plan[t - 1] <= 0) if t else True)
        since[t] = np.where(started, anchor + t, np.where(on, since[t - 1] if t else -1, -1))
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


def _forced_elections(elections: dict[str, Any], dates: np.ndarray, end: int) -> np.ndarray:
    forced = np.full(len(CELAC_ISO3), np.nan)
    for code, value in elections.items():
        if code not in CELAC_ISO3:
            raise SimInputError("elections", code, "expected the ISO3 code of a CELAC state (e.g. COL)")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not -1.0 <= number <= 1.0:
            raise SimInputError(f"elections.{code}", value, "expected the winner's left-right ideology in [-1, 1]")
        i = CELAC_ISO3.index(code)
        if dates[i] > end:
            raise SimInputError(
                f"elections.{code}",
                value,
                f"its next election ({month_label(int(dates[i]))}) "
                "falls after the end of the run; extend end or drop the what-if",
            )
        forced[i] = number
    return forced


def _in_force(joined: object, left: object, anchor_day: date) -> bool:
    return isinstance(joined, date) and joined < anchor_day and not (isinstance(left, date) and left < anchor_day)


def build_world(seeds: SeedTables, cfg: RunConfig) -> World:
    """Assemble the :class:`World` for ``cfg`` (validates the time window against the history)."""
    anchor = parse_month(cfg.history.anchor, "history.anchor")
    present = parse_month(cfg.history.present, "history.present")
    start = parse_month(cfg.start, "start")
    end = parse_month(cfg.end, "end")
    if start < anchor:
        raise SimInputError("start", cfg.start, f"expected a month from the calibration anchor {cfg.history.anchor} on")
    if end < start:
        raise SimInputError("end", cfg.end, f"expected a month not before start {cfg.start}")
    if present < anchor:
        raise SimInputError("history.present", cfg.history.present, "expected a month not before history.anchor")
    months = end - anchor + 1
    n = len(CELAC_ISO3)
    anchor_day = date(anchor // 12, anchor % 12 + 1, 1)

    gdp = _num(seeds, "gdp_usd_bn")
    sub = tuple(str(seeds.value(c, "subregion")) for c in CELAC_ISO3)
    for code, region in zip(CELAC_ISO3, sub, strict=False):
        if region not in SUBREGIONS:
            raise SimInputError(f"seeds/figures subregion ({code})", region, f"expected one of {', '.join(SUBREGIONS)}")
    adjacency = np.zeros((n, n))
    for a, b, kind in seeds.neighbours:
        adjacency[CELAC_ISO3.index(a), CELAC_ISO3.index(b)] = 1.0 if kind == "land" else 0.5

    ip_us = float(seeds.value("USA", "unga_ideal_point"))  # type: ignore[arg-type]
    ip_cn = float(seeds.value("CHN", "unga_ideal_point"))  # type: ignore[arg-type]
    diplomatic = np.clip(2 * (ip_us - _num(seeds, "unga_ideal_point")) / (ip_us - ip_cn) - 1, -1, 1)

    bri0 = np.array(
        [_in_force(seeds.value(c, "bri_joined"), seeds.value(c, "bri_exit"), anchor_day) for c in CELAC_ISO3]
    )
    since = [seeds.value(c, "recognition_since") for c in CELAC_ISO3]
    prc_now = np.array([bool(seeds.value(c, "recognizes_prc")) for c in CELAC_ISO3])
    prc0 = prc_now & np.array([not (isinstance(s, date) and s >= anchor_day) for s in since])
    after_present = date((present + 1) // 12, (present + 1) % 12 + 1, 1)
    bri_present = np.array(
        [_in_force(seeds.value(c, "bri_joined"), seeds.value(c, "bri_exit"), after_present) for c in CELAC_ISO3]
    )

    ideology0, since0, leader0, scripted, leaders, us_ideo, cn_ideo = _government_schedule(
        seeds, anchor, present, months
    )
    arms0 = _num(seeds, "us_arms_purchases")
    scripted_arms = np.full((months, n), np.nan)
    for event in sorted(
        seeds.timeline, key=lambda e: e.date
    ):  # arms purchases halted/resumed inside the history window are replayed
        month = month_of(event.date)
        if event.event in ARMS_EVENTS and anchor <= month <= present and event.iso3 in CELAC_ISO3:
            i = CELAC_ISO3.index(event.iso3)
            arms0[i] = 1.0 - ARMS_EVENTS[event.event]
            scripted_arms[month - anchor, i] = ARMS_EVENTS[event.event]
    elections = np.array([month_of(seeds.value(c, "next_election")) for c in CELAC_ISO3])  # type: ignore[arg-type]
    root = np.sqrt(gdp)
    plan = build_lever_plan(cfg, CELAC_ISO3)

    return World(
        iso3=CELAC_ISO3,
        names=tuple(str(seeds.value(c, "name")) for c in CELAC_ISO3),
        subregion=sub,
        anchor=anchor,
        present=present,
        start=start,
        end=end,
        gdp_bn=gdp,
        openness=_num(seeds, "trade_pct_gdp") / 100,
        export_us=_num(seeds, "export_share_us"),
        export_cn=_num(seeds, "export_share_cn"),
        import_us=_num(seeds, "import_share_us"),
        import_cn=_num(seeds, "import_share_cn"),
        remittances=_num(seeds, "remittances_pct_gdp") / 100,
        us_aid_pct=_num(seeds, "us_aid_pct_gdp"),
        cn_flow_pct=_num(seeds, "cn_finance_flow_pct_gdp"),
        cn_stock_pct=_num(seeds, "cn_finance_stock_pct_gdp"),
        elite_share=root / root.sum(),
        nato=_num(seeds, "nato_global_partner"),
        trade_agreement=_num(seeds, "us_trade_agreement"),
        arms0=arms0,
        scripted_arms=scripted_arms,
        arms_unchanged=np.isnan(scripted_arms).all(axis=1),
        neighbours=NeighbourWeights.from_dense(adjacency),
        subregion_peers=peer_groups(sub),
        diplomatic=diplomatic,
        bri0=bri0,
        prc0=prc0,
        bri_present=bri_present,
        prc_present=prc_now,
        ideology0=ideology0,
        gov_since0=since0,
        leader0=leader0,
        opposition0=_num(seeds, "opposition_ideology"),
        approval0=_num(seeds, "approval"),
        first_election=elections,
        scripted_ideology=scripted,
        scripted_leader=leaders,
        us_ideology=us_ideo,
        cn_ideology=cn_ideo,
        plan=plan,
        us_reaction=_checked_reaction(cfg.us.reaction, "us.reaction", US_REACTION_RANGES),
        china_reaction=_checked_reaction(cfg.china.reaction, "china.reaction", CHINA_REACTION_RANGES),
        forced_ideology=_forced_elections(cfg.elections, elections, end),
        leader_measures_since=_spell_starts(
            plan[:, [LEVER_INDEX["us.leader_sanctions"], LEVER_INDEX["us.visa_bans"]]], anchor
        ),
    )
