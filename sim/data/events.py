"""Dated events 1990-2025 (``seeds/events/``): leaders, elections, electoral rules, recognition, BRI, power actions.

Every table is checked row by row (dates, codes, ranges, provenance) and as a whole (each state has exactly one head of
government on every day from 1990-01-01 to the present; recognition and BRI membership change in a valid order; no
state joins the BRI while it recognises Taipei; nothing after the present is data). A problem is one line naming the
file, the row and the field.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sim.calendar import parse_date
from sim.config import LEVER_DOCS
from sim.data.seeds import CELAC_ISO3, POWERS, PRESENT, check_provenance, read_table
from sim.errors import SimInputError

START = date(1990, 1, 1)
PROVENANCE = ("source_kind", "source", "quote", "note")
ELECTION_KINDS = ("presidential", "parliamentary", "runoff", "referendum-other")
SYSTEMS = ("presidential", "parliamentary", "one-party")
REELECTION = ("immediate", "non-consecutive", "none", "unlimited")


@dataclass(frozen=True)
class Leader:
    iso3: str
    name: str
    party: str
    took_office: date
    left_office: date | None  # None: in office at the present
    ideology: float  # economic left-right, [-1, 1]


@dataclass(frozen=True)
class Election:
    iso3: str
    date: date
    kind: str
    round: int
    incumbent_camp_lost: bool | None  # None: scheduled, or not applicable
    competitive: bool
    took_office: date | None
    scheduled: bool


@dataclass(frozen=True)
class ElectoralRule:
    iso3: str
    system: str
    term_years: float
    fixed_term: bool
    runoff: bool
    inauguration_lag_months: float
    reelection: str


@dataclass(frozen=True)
class PresidentElect:
    """A winner known at the present who takes office after it (a result taken as data)."""

    iso3: str
    name: str
    elected: date
    takes_office: date
    ideology: float


@dataclass(frozen=True)
class PowerAction:
    date: date
    actor: str
    iso3: str  # a CELAC code or ALL
    action: str
    lever: str  # a lever name or empty
    value: float | None
    note: str


@dataclass(frozen=True)
class Events:
    """Every dated event, by state where it belongs to one."""

    leaders: dict[str, tuple[Leader, ...]]  # CELAC states, USA, CHN; in office order
    elections: dict[str, tuple[Election, ...]]
    rules: dict[str, ElectoralRule]
    recognition: dict[str, tuple[tuple[date, bool], ...]]  # (from date, recognises Beijing) spells from 1990-01-01
    bri: dict[str, tuple[tuple[date, bool], ...]]  # (date, joined) events
    power_actions: tuple[PowerAction, ...]
    presidents_elect: dict[str, PresidentElect]

    def leader_on(self, iso3: str, day: date) -> Leader:
        spells = self.leaders[iso3]
        return spells[max(0, bisect_right([s.took_office for s in spells], day) - 1)]

    def recognizes_prc_on(self, iso3: str, day: date) -> bool:
        spells = self.recognition[iso3]
        return spells[max(0, bisect_right([d for d, _ in spells], day) - 1)][1]

    def bri_member_on(self, iso3: str, day: date) -> bool:
        member = False
        for when, joined in self.bri.get(iso3, ()):
            if when <= day:
                member = joined
        return member

    def next_election(self, iso3: str, after: date) -> Election | None:
        """The first decisive election strictly after ``after`` (scheduled or held)."""
        for election in self.elections.get(iso3, ()):
            if election.date > after and election.kind != "referendum-other":
                return election
        return None


def _date(text: str, where: str, latest: date = PRESENT) -> date:
    day = parse_date(text, where)
    if not START.replace(year=1900) <= day <= latest:
        raise SimInputError(where, text, f"expected a date up to the present {latest} (nothing later is data)")
    return day


def _float(text: str, where: str, lo: float, hi: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SimInputError(where, text, f"expected a number in [{lo}, {hi}]") from None
    if not lo <= value <= hi:
        raise SimInputError(where, text, f"expected a number in [{lo}, {hi}]")
    return value


def _whole(text: str, where: str, lo: int, hi: int) -> int:
    value = _float(text, where, lo, hi)
    if not value.is_integer():
        raise SimInputError(where, text, f"expected a whole number in [{lo}, {hi}]")
    return int(value)


def _flag(text: str, where: str, allow_empty: bool = False) -> bool | None:
    if allow_empty and text == "":
        return None
    if text not in ("0", "1"):
        raise SimInputError(where, text, "expected 0 or 1" + (" or nothing" if allow_empty else ""))
    return text == "1"


def _code(text: str, where: str, extra: tuple[str, ...] = ()) -> str:
    if text not in (*CELAC_ISO3, *extra):
        raise SimInputError(where, text, "expected a CELAC ISO3 code" + (f" or {', '.join(extra)}" if extra else ""))
    return text


def _leaders(root: Path) -> dict[str, tuple[Leader, ...]]:
    label = "seeds/events/leaders.csv"
    columns = ("iso3", "leader", "party", "took_office", "left_office", "ideology", *PROVENANCE)
    by_state: dict[str, list[tuple[int, Leader]]] = {}
    for i, row in enumerate(read_table(root / "events" / "leaders.csv", columns, label), start=1):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3", POWERS)
        if not row["leader"]:
            raise SimInputError(f"{where} leader", "", "a leader name is required")
        took = _date(row["took_office"], f"{where} took_office")
        left = _date(row["left_office"], f"{where} left_office") if row["left_office"] else None
        if left is not None and left <= took:
            raise SimInputError(f"{where} left_office", row["left_office"], f"expected a date after {took}")
        check_provenance(row, where)
        leader = Leader(
            iso3, row["leader"], row["party"], took, left, _float(row["ideology"], f"{where} ideology", -1, 1)
        )
        by_state.setdefault(iso3, []).append((i, leader))
    out = {}
    for iso3 in (*CELAC_ISO3, *POWERS):
        spells = sorted(by_state.get(iso3, []), key=lambda item: item[1].took_office)
        if not spells or spells[0][1].took_office > START:
            raise SimInputError(label, iso3, f"needs a head of government in office on {START}")
        for (i, a), (j, b) in itertools.pairwise(spells):
            if a.left_office is None or a.left_office != b.took_office:
                what = "overlaps" if a.left_office is None or a.left_office > b.took_office else "leaves a gap after"
                raise SimInputError(
                    f"{label} row {j} took_office",
                    str(b.took_office),
                    f"{iso3}: {what} the spell of {a.name} (row {i}, left_office {a.left_office or 'empty'}); "
                    "expected the day the previous leader left office: spells may not overlap or leave gaps",
                )
        if spells[-1][1].left_office is not None:
            raise SimInputError(
                f"{label} row {spells[-1][0]} left_office",
                str(spells[-1][1].left_office),
                f"{iso3}: the last leader is in office at the present {PRESENT} (left_office empty)",
            )
        out[iso3] = tuple(leader for _, leader in spells)
    return out


def _elections(root: Path) -> dict[str, tuple[Election, ...]]:
    label = "seeds/events/elections.csv"
    columns = ("iso3", "date", "kind", "round", "incumbent_camp_lost", "competitive", "took_office", "scheduled")
    by_state: dict[str, list[Election]] = {}
    seen: dict[tuple[str, date, str, str], int] = {}
    for i, row in enumerate(read_table(root / "events" / "elections.csv", (*columns, *PROVENANCE), label), start=1):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3")
        scheduled = bool(_flag(row["scheduled"], f"{where} scheduled"))
        day = parse_date(row["date"], f"{where} date")
        if scheduled and day <= PRESENT:
            raise SimInputError(f"{where} date", row["date"], f"a scheduled election falls after the present {PRESENT}")
        if not scheduled and day > PRESENT:
            raise SimInputError(f"{where} date", row["date"], f"a held election falls up to the present {PRESENT}")
        if row["kind"] not in ELECTION_KINDS:
            raise SimInputError(f"{where} kind", row["kind"], f"expected one of {', '.join(ELECTION_KINDS)}")
        key = (iso3, day, row["kind"], row["round"])
        if key in seen:
            raise SimInputError(
                f"{where} iso3,date,kind,round",
                f"{iso3},{day},{row['kind']},{row['round']}",
                f"the same election as row {seen[key]}: each election appears once",
            )
        seen[key] = i
        lost = _flag(row["incumbent_camp_lost"], f"{where} incumbent_camp_lost", allow_empty=True)
        if scheduled and lost is not None:
            raise SimInputError(
                f"{where} incumbent_camp_lost", row["incumbent_camp_lost"], "a scheduled election has no result"
            )
        took = _date(row["took_office"], f"{where} took_office", date(2099, 12, 31)) if row["took_office"] else None
        if took is not None and took < day:
            raise SimInputError(
                f"{where} took_office", row["took_office"], f"expected a date on or after the vote {day}"
            )
        check_provenance(row, where)
        by_state.setdefault(iso3, []).append(
            Election(
                iso3,
                day,
                row["kind"],
                _whole(row["round"], f"{where} round", 1, 3),
                lost,
                bool(_flag(row["competitive"], f"{where} competitive")),
                took,
                scheduled,
            )
        )
    return {iso3: tuple(sorted(items, key=lambda e: (e.date, e.round))) for iso3, items in by_state.items()}


def _rules(root: Path) -> dict[str, ElectoralRule]:
    label = "seeds/events/electoral_rules.csv"
    columns = ("iso3", "system", "term_years", "fixed_term", "runoff", "inauguration_lag_months", "reelection")
    out = {}
    for i, row in enumerate(
        read_table(root / "events" / "electoral_rules.csv", (*columns, *PROVENANCE), label), start=1
    ):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3")
        if iso3 in out:
            raise SimInputError(f"{where} iso3", iso3, "appears twice")
        if row["system"] not in SYSTEMS:
            raise SimInputError(f"{where} system", row["system"], f"expected one of {', '.join(SYSTEMS)}")
        if row["reelection"] not in REELECTION:
            raise SimInputError(f"{where} reelection", row["reelection"], f"expected one of {', '.join(REELECTION)}")
        check_provenance(row, where)
        out[iso3] = ElectoralRule(
            iso3,
            row["system"],
            _float(row["term_years"], f"{where} term_years", 1, 10),
            bool(_flag(row["fixed_term"], f"{where} fixed_term")),
            bool(_flag(row["runoff"], f"{where} runoff")),
            _float(row["inauguration_lag_months"], f"{where} inauguration_lag_months", 0, 12),
            row["reelection"],
        )
    missing = [c for c in CELAC_ISO3 if c not in out]
    if missing:
        raise SimInputError(label, ", ".join(missing), "every CELAC state needs its electoral rules")
    return out


Spells = dict[str, tuple[tuple[date, bool, int], ...]]
"""Per state: (from date, recognises Beijing, data row) in date order."""


def _recognition(root: Path) -> Spells:
    label = "seeds/events/recognition.csv"
    columns = ("iso3", "date", "event", "recognizes_after", *PROVENANCE)
    spells: dict[str, list[tuple[date, bool, int]]] = {}
    for i, row in enumerate(read_table(root / "events" / "recognition.csv", columns, label), start=1):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3")
        day = _date(row["date"], f"{where} date")
        if row["recognizes_after"] not in ("PRC", "ROC"):
            raise SimInputError(f"{where} recognizes_after", row["recognizes_after"], "expected PRC or ROC")
        prc = row["recognizes_after"] == "PRC"
        expected = {"status_1990": None, "switch_to_prc": True, "switch_to_roc": False}
        if row["event"] not in expected:
            raise SimInputError(f"{where} event", row["event"], f"expected one of {', '.join(expected)}")
        if expected[row["event"]] not in (None, prc):
            raise SimInputError(
                f"{where} recognizes_after", row["recognizes_after"], f"contradicts event {row['event']}"
            )
        if (row["event"] == "status_1990") != (day == START):
            raise SimInputError(f"{where} date", row["date"], f"status_1990 rows (and only they) are dated {START}")
        check_provenance(row, where)
        spells.setdefault(iso3, []).append((day, prc, i))
    out = {}
    for iso3 in CELAC_ISO3:
        rows = sorted(spells.get(iso3, []))
        if not rows or rows[0][0] != START:
            raise SimInputError(label, iso3, f"needs its recognition on {START} (event status_1990)")
        for (_, before, _), (day, after, j) in itertools.pairwise(rows):
            if before == after:
                raise SimInputError(f"{label} row {j}", str(day), f"{iso3}: a switch must change the recognition")
        out[iso3] = tuple(rows)
    return out


def _bri(root: Path, recognition: Spells) -> dict[str, tuple[tuple[date, bool], ...]]:
    label = "seeds/events/bri.csv"
    out: dict[str, list[tuple[date, bool]]] = {}
    rows = read_table(root / "events" / "bri.csv", ("iso3", "date", "event", *PROVENANCE), label)
    for i, row in sorted(enumerate(rows, start=1), key=lambda item: item[1]["date"]):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3")
        day = _date(row["date"], f"{where} date")
        if row["event"] not in ("bri_join", "bri_exit"):
            raise SimInputError(f"{where} event", row["event"], "expected bri_join or bri_exit")
        joined = row["event"] == "bri_join"
        member = out.get(iso3, [])[-1][1] if out.get(iso3) else False
        if joined == member:
            raise SimInputError(f"{where} event", row["event"], f"{iso3} is {'already' if member else 'not'} a member")
        spells = recognition[iso3]
        prc = spells[max(0, bisect_right([d for d, _, _ in spells], day) - 1)][1]
        if joined and not prc:
            raise SimInputError(f"{where} date", row["date"], f"{iso3} recognises Taipei then: it cannot join the BRI")
        check_provenance(row, where)
        out.setdefault(iso3, []).append((day, joined))
    _no_member_switches_to_taipei(out, recognition)
    return {iso3: tuple(items) for iso3, items in out.items()}


def _no_member_switches_to_taipei(bri: dict[str, list[tuple[date, bool]]], recognition: Spells) -> None:
    """A BRI member must leave before it recognises Taipei (membership needs relations with Beijing)."""
    for iso3, events in bri.items():
        for day, prc, row in recognition[iso3]:
            member = False
            for when, joined in events:
                if when <= day:
                    member = joined
            if not prc and member:
                raise SimInputError(
                    f"seeds/events/recognition.csv row {row} date",
                    str(day),
                    f"{iso3} switches to Taipei while a BRI member (seeds/events/bri.csv): record its exit first",
                )


def _power_actions(root: Path) -> tuple[PowerAction, ...]:
    label = "seeds/events/power_actions.csv"
    columns = ("date", "actor", "iso3", "action", "lever", "value", *PROVENANCE)
    out = []
    for i, row in enumerate(read_table(root / "events" / "power_actions.csv", columns, label), start=1):
        where = f"{label} row {i}"
        if row["actor"] not in POWERS:
            raise SimInputError(f"{where} actor", row["actor"], "expected USA or CHN")
        if row["lever"] and row["lever"] not in LEVER_DOCS:
            raise SimInputError(f"{where} lever", row["lever"], f"expected a lever name ({', '.join(LEVER_DOCS)})")
        try:
            value = float(row["value"]) if row["value"] else None
        except ValueError:
            raise SimInputError(f"{where} value", row["value"], "expected a number or nothing") from None
        check_provenance(row, where)
        out.append(
            PowerAction(
                _date(row["date"], f"{where} date"),
                row["actor"],
                _code(row["iso3"], f"{where} iso3", ("ALL",)),
                row["action"],
                row["lever"],
                value,
                row["note"],
            )
        )
    return tuple(sorted(out, key=lambda a: a.date))


def _presidents_elect(root: Path) -> dict[str, PresidentElect]:
    label = "seeds/events/presidents_elect.csv"
    columns = ("iso3", "leader", "party", "elected", "takes_office", "ideology", *PROVENANCE)
    out = {}
    for i, row in enumerate(read_table(root / "events" / "presidents_elect.csv", columns, label), start=1):
        where = f"{label} row {i}"
        iso3 = _code(row["iso3"], f"{where} iso3")
        elected = _date(row["elected"], f"{where} elected")
        takes = parse_date(row["takes_office"], f"{where} takes_office")
        if iso3 in out:
            raise SimInputError(f"{where} iso3", iso3, "appears twice: one president-elect per state")
        if takes <= PRESENT:
            raise SimInputError(
                f"{where} takes_office", row["takes_office"], f"expected a date after the present {PRESENT}"
            )
        check_provenance(row, where)
        out[iso3] = PresidentElect(
            iso3, row["leader"], elected, takes, _float(row["ideology"], f"{where} ideology", -1, 1)
        )
    return out


def load_events(root: Path) -> Events:
    """Load and check every events table under ``<root>/events``."""
    recognition = _recognition(root)
    return Events(
        leaders=_leaders(root),
        elections=_elections(root),
        rules=_rules(root),
        recognition={iso3: tuple((day, prc) for day, prc, _ in spells) for iso3, spells in recognition.items()},
        bri=_bri(root, recognition),
        power_actions=_power_actions(root),
        presidents_elect=_presidents_elect(root),
    )
