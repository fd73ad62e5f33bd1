"""Derive the domestic-politics calibration tables (1990-2025) from ../shared/data plus hand-collected inputs.

Outputs (relative to the repo root, overridable with --out):
  seeds/events/leaders.csv          one row per head-of-government spell (33 CELAC states, USA, CHN)
  seeds/events/elections.csv        national elections that could change the head of government
  seeds/events/electoral_rules.csv  one row per CELAC state
  seeds/panels/politics.csv         yearly panel 1990-2025 (long format, see docs/data/politics.md)
  seeds/panels/politics_sources.csv, seeds/panels/politics_variables.csv

Inputs: ../shared/data/politics/*.csv (read in place, never copied) and seeds/derive/inputs/politics_*.csv
(hand-collected rows from named public sources, with provenance columns).

The script is deterministic: rows are sorted and floats are written with fixed rounding, so re-running it
reproduces the shipped CSVs byte for byte. Usage:

    python seeds/derive/politics.py [--data DIR] [--out DIR] [--check]

--check compares freshly derived tables with the files under --out instead of writing them.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data"
INPUTS = Path(__file__).resolve().parent / "inputs"

CELAC = [
    "ATG", "ARG", "BHS", "BRB", "BLZ", "BOL", "BRA", "CHL", "COL", "CRI", "CUB", "DMA", "DOM", "ECU", "SLV", "GRD",
    "GTM", "GUY", "HTI", "HND", "JAM", "MEX", "NIC", "PAN", "PRY", "PER", "KNA", "LCA", "VCT", "SUR", "TTO", "URY",
    "VEN",
]  # fmt: skip
ALL_STATES = [*CELAC, "USA", "CHN"]
START = date(1990, 1, 1)
PRESENT = date(2025, 10, 31)  # the model's present: nothing after this date enters as data
REIGN_END = date(2021, 3, 1)  # REIGN leader/election lists run to March 2021
YEARS = list(range(1990, 2026))

F_HERRE = "politics/exec_ideology_herre_gli.csv"
F_DPI = "politics/dpi2017_exec_elections.csv"
F_VPARTY = "politics/vparty_v2_parties.csv"
F_GPS = "politics/global_party_survey_2019_parties.csv"
F_HAWKINS = "politics/hawkins_global_populism_leader_terms.csv"
F_REIGN_L = "politics/reign_leaders_2021_03.csv"
F_REIGN_E = "politics/reign_elections_2021_03.csv"
F_ARCHIGOS = "politics/archigos41_leaders.csv"
F_VDEM = "politics/vdem_v15_row_polyarchy_ert.csv"
F_FH = "politics/freedomhouse_fiw.csv"

# --- ideology mapping rules (documented in docs/data/politics.md) -------------------------------------------
# R1  V-Party v2pariglef (latent economic left-right, higher = right; CELAC range about -3.4..+3.7):
#     P = clip(mean v2pariglef / 3.5, -1, 1).
# R2  Herre (2023) leader_ideology: leftist -> -0.6, centrist -> 0, rightist -> +0.6 (modal over the 31-Dec
#     observations inside the spell).
# R3  DPI execrlc (DPI2017 file; DPI2020 values carried in Herre's execrlc_dpi for 2018-2020):
#     3 (left) -> -0.6, 2 (centre) -> 0, 1 (right) -> +0.6 (modal over the spell's years).
# R4  Global Party Survey 2019 V4_Scale (0 extreme left .. 10 extreme right): G = (V4 - 5) / 5.
# R5  Hawkins et al. GPD lr (-1, 0, 1): H = 0.6 * lr.
# Combination: leader-level component L = R2, else R3, else R5; party-level component Q = R1, else R4;
# ideology = mean of the available components, rounded to 2 decimals. With none available the value is an
# estimate from seeds/derive/inputs/politics_leader_attrs.csv (note starts with "Estimate:").
VPARTY_SCALE = 3.5
CATEGORY_VALUE = {"leftist": -0.6, "centrist": 0.0, "rightist": 0.6}
DPI_VALUE = {3: -0.6, 2: 0.0, 1: 0.6}

# REIGN omits a few short interim spells that Archigos 4.1 records; they are inserted (obsid -> reason).
ARCHIGOS_INSERTS = {
    "ARG-2001-1": "Ramón Puerta, Senate president acting 21-23 Dec 2001 after de la Rúa resigned",
    "ECU-1997-2": "Rosalía Arteaga, claimed the presidency 9-11 Feb 1997",
    "ECU-1997-3": "Fabián Alarcón resumes on 11 Feb 1997 after Arteaga",
    "GUA-1993-1": "Gustavo Espina, acting 31 May-1 Jun 1993 after Serrano's self-coup failed",
    "HAI-1990-1": "Hérard Abraham, army chief acting 10-13 Mar 1990 after Avril fled",
    "SUR-1990-1": "Ivan Graanoogst, military-installed acting president 24-29 Dec 1990",
}
# Start dates where Archigos is preferred over REIGN (REIGN leadid -> Archigos obsid, reason).
ARCHIGOS_START_OVERRIDES = {
    "cb-150-1": ("PAR-2012", "REIGN gives 12 Jun 2012; Lugo was impeached and Franco sworn in on 22 Jun 2012"),
}


@dataclass
class Spell:
    """One head-of-government spell; dates are datetime.date, left is None while in office on PRESENT."""

    iso3: str
    key: str  # REIGN leadid, Archigos obsid or 'pub:<iso3>:<took>'
    raw_name: str
    took: date
    source_kind: str
    source: str
    quote: str = ""
    note: str = ""
    party: str = ""
    left: date | None = None
    reign_end: tuple[int, int] | None = None  # (year, month) REIGN gives for the end, for validation
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------------------------
def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as strings (no NA conversion surprises); empty cells become ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def to_date(text: str) -> date:
    """Parse YYYY-MM-DD."""
    return date.fromisoformat(text.strip())


def fmt(x: float | None, digits: int = 4) -> str:
    """Fixed float formatting used in every output (rounded, trailing zeros stripped, '' for None/NaN)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    value = round(float(x), digits)
    if value == 0:
        value = 0.0
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def wide(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Pivot a long (keys..., variable, value) table to wide, first value per cell."""
    return df.pivot_table(index=keys, columns="variable", values="value", aggfunc="first").reset_index()


def year_end_in(spell: Spell, year: int) -> bool:
    """True if 31 December of `year` (or PRESENT for 2025) lies inside the spell."""
    ref = PRESENT if year == 2025 else date(year, 12, 31)
    return spell.took <= ref and (spell.left is None or ref < spell.left)


# ------------------------------------------------------------------------------------------------------------
# leaders
# ------------------------------------------------------------------------------------------------------------
def reign_spells(data: Path) -> list[Spell]:
    """REIGN leader list rows for the 33 states as spells (start day from REIGN, end month kept for checks)."""
    df = read_csv(data / F_REIGN_L)
    out = []
    for r in df.itertuples(index=False):
        took = date(int(r.syear), int(r.smonth), int(r.sdate))
        end = (int(float(r.eyear)), int(float(r.emonth))) if r.eyear else None
        out.append(
            Spell(
                iso3=r.iso3,
                key=r.leadid.replace(" ", ""),
                raw_name=r.leader,
                took=took,
                source_kind="dataset",
                source=F_REIGN_L,
                note=f"REIGN leadid {r.leadid.replace(' ', '')}; start {took.isoformat()}",
                reign_end=end,
            )
        )
    return out


def archigos_table(data: Path) -> pd.DataFrame:
    """Archigos 4.1 spells (start/end dates as strings)."""
    return read_csv(data / F_ARCHIGOS)


def apply_archigos(spells: list[Spell], data: Path) -> list[Spell]:
    """Insert the Archigos-only interim spells and apply the Archigos start-date overrides."""
    arch = archigos_table(data).set_index("obsid")
    for spell in spells:
        if spell.key in ARCHIGOS_START_OVERRIDES:
            obsid, why = ARCHIGOS_START_OVERRIDES[spell.key]
            spell.took = to_date(arch.loc[obsid, "startdate"])
            spell.source = f"{F_REIGN_L}; {F_ARCHIGOS}"
            spell.note = f"REIGN leadid {spell.key}; start from Archigos {obsid} ({why})"
    for obsid, why in ARCHIGOS_INSERTS.items():
        r = arch.loc[obsid]
        spells.append(
            Spell(
                iso3=r["iso3"],
                key=obsid,
                raw_name=r["leader"],
                took=to_date(r["startdate"]),
                source_kind="dataset",
                source=F_ARCHIGOS,
                note=f"Archigos obsid {obsid}; interim spell not in REIGN: {why}",
            )
        )
    return spells


def public_spells(spells: list[Spell]) -> list[Spell]:
    """Add hand-collected spells (post-2021-03 changes, USA, CHN, overrides) from the public input table."""
    df = read_csv(INPUTS / "politics_leaders_public.csv")
    by_key = {s.key: s for s in spells}
    for r in df.itertuples(index=False):
        if r.overrides:
            target = by_key[r.overrides]
            target.took = to_date(r.took_office)
            target.source_kind = r.source_kind
            target.source = r.source
            target.quote = r.quote
            target.note = f"REIGN leadid {r.overrides} with start date overridden: {r.note}"
            target.party = r.party
            continue
        spells.append(
            Spell(
                iso3=r.iso3,
                key=f"pub:{r.iso3}:{r.took_office}",
                raw_name=r.leader,
                took=to_date(r.took_office),
                source_kind=r.source_kind,
                source=r.source,
                quote=r.quote,
                note=r.note,
                party=r.party,
            )
        )
    return spells


def close_spells(spells: list[Spell]) -> list[Spell]:
    """Sort spells per state and set left_office = next spell's took_office; drop spells ended before 1990."""
    out: list[Spell] = []
    for iso3 in ALL_STATES:
        group = sorted((s for s in spells if s.iso3 == iso3), key=lambda s: s.took)
        for i, spell in enumerate(group):
            spell.left = group[i + 1].took if i + 1 < len(group) else None
        out.extend(s for s in group if s.left is None or s.left > START)
    return out


def build_spells(data: Path) -> list[Spell]:
    """All head-of-government spells 1990-01-01..PRESENT for the 33 states, USA and CHN."""
    spells = reign_spells(data)
    spells = apply_archigos(spells, data)
    spells = public_spells(spells)
    return close_spells(spells)


# ------------------------------------------------------------------------------------------------------------
# ideology
# ------------------------------------------------------------------------------------------------------------
@dataclass
class IdeologySources:
    """Pre-shaped ideology datasets."""

    herre: pd.DataFrame  # iso3, year(int), leader, leader_ideology, execrlc_dpi
    dpi: pd.DataFrame  # iso3, year(int), execrlc(int)
    vparty: pd.DataFrame  # v2paid(str), year(int), v2pariglef(float), v2pashname
    gps: pd.DataFrame  # ID_GPS(str), V4_Scale(float), Partyabb


def load_ideology_sources(data: Path) -> IdeologySources:
    """Read Herre, DPI2017, V-Party and GPS into small tidy frames."""
    herre = wide(read_csv(data / F_HERRE), ["iso3", "year"])
    herre["year"] = herre["year"].astype(int)
    dpi = wide(read_csv(data / F_DPI), ["iso3", "year"])
    dpi["year"] = dpi["year"].astype(int)
    dpi["execrlc"] = pd.to_numeric(dpi["execrlc"], errors="coerce")
    vp = wide(read_csv(data / F_VPARTY), ["iso3", "year", "v2paid"])
    vp["year"] = vp["year"].astype(float).astype(int)
    vp["v2pariglef"] = pd.to_numeric(vp["v2pariglef"], errors="coerce")
    vp = vp.dropna(subset=["v2pariglef"])
    gps = wide(read_csv(data / F_GPS), ["iso3", "ID_GPS"])
    gps["V4_Scale"] = pd.to_numeric(gps["V4_Scale"], errors="coerce")
    return IdeologySources(herre=herre, dpi=dpi, vparty=vp, gps=gps)


def modal(values: list[float]) -> float | None:
    """Most frequent value (ties broken by the value that appears first); None for an empty list."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def herre_component(spell: Spell, src: IdeologySources) -> tuple[float | None, str]:
    """Rule R2: modal Herre leader_ideology over the 31-Dec observations (1990-2020) inside the spell."""
    rows = src.herre[(src.herre.iso3 == spell.iso3) & (src.herre.year <= 2020)]
    vals, years = [], []
    for r in rows.itertuples(index=False):
        if year_end_in(spell, r.year) and r.leader_ideology in CATEGORY_VALUE:
            vals.append(CATEGORY_VALUE[r.leader_ideology])
            years.append(r.year)
    value = modal(vals)
    if value is None:
        return None, ""
    label = next(k for k, v in CATEGORY_VALUE.items() if v == value)
    return value, f"Herre leader_ideology={label} ({years[0]}-{years[-1]}, modal) -> {fmt(value, 2)} (R2)"


def dpi_component(spell: Spell, src: IdeologySources) -> tuple[float | None, str]:
    """Rule R3: modal DPI2017 execrlc (reference date 1 January of each year) inside the spell."""
    rows = src.dpi[(src.dpi.iso3 == spell.iso3)]
    vals, years = [], []
    for r in rows.itertuples(index=False):
        ref = date(r.year, 1, 1)
        inside = spell.took <= ref and (spell.left is None or ref < spell.left)
        if inside and r.execrlc in DPI_VALUE:
            vals.append(DPI_VALUE[int(r.execrlc)])
            years.append(r.year)
    value = modal(vals)
    if value is None:
        return None, ""
    code = next(k for k, v in DPI_VALUE.items() if v == value)
    return value, f"DPI2017 execrlc={code} ({years[0]}-{years[-1]}, modal) -> {fmt(value, 2)} (R3)"


def vparty_component(spell: Spell, ids: list[str], src: IdeologySources) -> tuple[float | None, str]:
    """Rule R1: mean V-Party v2pariglef of the leader's party over election years start-1..end-1 of the spell;
    if none fall in that window, the party's observation nearest in time (ties: the earlier one)."""
    if not ids:
        return None, ""
    rows = src.vparty[src.vparty.v2paid.isin(ids)]
    if rows.empty:
        return None, ""
    end_year = (spell.left or PRESENT).year
    window = rows[(rows.year >= spell.took.year - 1) & (rows.year <= end_year - 1)]
    how = "in spell window"
    if window.empty:
        mid = spell.took.year
        dist = (rows.year - mid).abs() + (rows.year > mid) * 0.5
        window = rows[dist == dist.min()]
        how = "nearest observation"
    mean = float(window.v2pariglef.mean())
    value = float(np.clip(mean / VPARTY_SCALE, -1, 1))
    names = "/".join(sorted(set(window.v2pashname)))
    years = ",".join(str(y) for y in sorted(set(window.year)))
    text = (
        f"V-Party v2pariglef of {names} ({years}; {how}) mean {fmt(mean, 3)} -> /{VPARTY_SCALE} = {fmt(value, 2)} (R1)"
    )
    return value, text


def gps_component(ids: list[str], src: IdeologySources) -> tuple[float | None, str]:
    """Rule R4: Global Party Survey 2019 V4_Scale of the leader's party mapped (V4-5)/5."""
    rows = src.gps[src.gps.ID_GPS.isin(ids)].dropna(subset=["V4_Scale"])
    if rows.empty:
        return None, ""
    v4 = float(rows.V4_Scale.mean())
    value = (v4 - 5.0) / 5.0
    names = "/".join(sorted(set(rows.Partyabb)))
    return value, f"GPS 2019 V4_Scale of {names} = {fmt(v4, 2)} -> (V4-5)/5 = {fmt(value, 2)} (R4)"


def split_ids(text: str) -> list[str]:
    """Semicolon-separated id list -> list of ids."""
    return [t.strip() for t in text.split(";") if t.strip()]


def leader_ideology(spell: Spell, attrs: pd.Series, src: IdeologySources) -> tuple[float, str, bool]:
    """Ideology in [-1, 1] with its basis text and an is_estimate flag (rules R1-R4, see module header)."""
    lead, lead_txt = herre_component(spell, src)
    if lead is None:
        lead, lead_txt = dpi_component(spell, src)
    party, party_txt = vparty_component(spell, split_ids(attrs["vparty_ids"]), src)
    if party is None:
        party, party_txt = gps_component(split_ids(attrs["gps_ids"]), src)
    parts = [(v, t) for v, t in ((lead, lead_txt), (party, party_txt)) if v is not None]
    if parts and attrs["est_ideology"]:
        if not attrs["est_note"].startswith("Estimate: override"):
            raise ValueError(f"{spell.iso3} {spell.took}: estimate given although data exist: {parts}")
        overridden = "; ".join(t for _, t in parts)
        return float(attrs["est_ideology"]), f"Estimate overriding the dataset value ({overridden}); see note", True
    if parts:
        value = round(float(np.mean([v for v, _ in parts])), 2)
        basis = "; ".join(t for _, t in parts)
        if len(parts) == 2:
            basis += f"; mean = {fmt(value, 2)}"
        return value, basis, False
    if not attrs["est_ideology"]:
        raise ValueError(f"{spell.iso3} {spell.took} {spell.raw_name}: no data and no estimate")
    return float(attrs["est_ideology"]), "Estimate (no dataset covers this leader/party; see note)", True


# ------------------------------------------------------------------------------------------------------------
# leaders table
# ------------------------------------------------------------------------------------------------------------
LEADER_COLS = [
    "iso3", "leader", "party", "took_office", "left_office", "ideology", "ideology_basis",
    "source_kind", "source", "quote", "note",
]  # fmt: skip


def load_attrs() -> pd.DataFrame:
    """Leader attributes input keyed by (iso3, took_office)."""
    return read_csv(INPUTS / "politics_leader_attrs.csv").set_index(["iso3", "took_office"])


def leaders_table(spells: list[Spell], data: Path) -> pd.DataFrame:
    """One row per spell with ideology; rows sorted by iso3 then took_office."""
    attrs = load_attrs()
    src = load_ideology_sources(data)
    rows = []
    for spell in spells:
        key = (spell.iso3, spell.took.isoformat())
        if key not in attrs.index:
            raise KeyError(f"no attributes row for {key} ({spell.raw_name})")
        a = attrs.loc[key]
        value, basis, is_est = leader_ideology(spell, a, src)
        note = spell.note
        if is_est:
            note = a["est_note"] + (f" | dates: {note}" if note else "")
        kind = "estimate" if is_est else spell.source_kind
        source = spell.source
        if kind == "estimate" and spell.source_kind != "estimate":
            source = f"{spell.source} (dates, {spell.source_kind}); ideology estimated"
        rows.append(
            {
                "iso3": spell.iso3,
                "leader": a["leader"],
                "party": a["party"] or spell.party,
                "took_office": spell.took.isoformat(),
                "left_office": spell.left.isoformat() if spell.left else "",
                "ideology": fmt(value, 2),
                "ideology_basis": basis,
                "source_kind": kind,
                "source": source,
                "quote": spell.quote,
                "note": note,
            }
        )
    extra = set(attrs.index) - {(s.iso3, s.took.isoformat()) for s in spells}
    if extra:
        raise KeyError(f"attribute rows without a spell: {sorted(extra)}")
    df = pd.DataFrame(rows, columns=LEADER_COLS)
    order = {iso: i for i, iso in enumerate(sorted(ALL_STATES))}
    df["_o"] = df.iso3.map(order)
    return df.sort_values(["_o", "took_office"]).drop(columns="_o").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------------------
# regime data (used by elections.competitive and the panel)
# ------------------------------------------------------------------------------------------------------------
def regime_frame(data: Path) -> pd.DataFrame:
    """iso3, year, v2x_regime, v2x_polyarchy (V-Dem v15) and fh_pr, fh_cl, fh_status, fh_total (FH), 1990-2024."""
    vd = wide(read_csv(data / F_VDEM), ["iso3", "year"])[["iso3", "year", "v2x_regime", "v2x_polyarchy"]]
    fh = wide(read_csv(data / F_FH)[["iso3", "year", "variable", "value"]], ["iso3", "year"])
    fh = fh.rename(columns={"fh_total_score_0_100": "fh_total"})[
        ["iso3", "year", "fh_pr", "fh_cl", "fh_status", "fh_total"]
    ]
    out = fh.merge(vd, on=["iso3", "year"], how="left")
    out["year"] = out["year"].astype(int)
    for col in ("v2x_regime", "v2x_polyarchy", "fh_pr", "fh_cl", "fh_total"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out[out.iso3.isin(CELAC)].reset_index(drop=True)


def competitive_flag(regime: pd.DataFrame, iso3: str, year: int) -> tuple[int, str]:
    """Rule C: 0 if V-Dem RoW = closed autocracy or FH political rights >= 6 in that year, else 1.
    Years after 2024 use the 2024 values (no later release in the shared data)."""
    ref = min(year, 2024)
    row = regime[(regime.iso3 == iso3) & (regime.year == ref)]
    if row.empty:
        raise KeyError(f"no regime data for {iso3} {ref}")
    r = row.iloc[0]
    parts = [f"FH PR {int(r.fh_pr)}"]
    if not np.isnan(r.v2x_regime):
        parts.insert(0, f"V-Dem RoW {int(r.v2x_regime)}")
    closed = (not np.isnan(r.v2x_regime) and int(r.v2x_regime) == 0) or r.fh_pr >= 6
    text = f"competitive from {'/'.join(parts)} ({ref}{', carried' if ref != year else ''}; rule C)"
    return (0 if closed else 1), text


# ------------------------------------------------------------------------------------------------------------
# elections
# ------------------------------------------------------------------------------------------------------------
ELECTION_COLS = [
    "iso3", "date", "kind", "round", "incumbent_camp_lost", "competitive", "took_office", "scheduled",
    "source_kind", "source", "quote", "note",
]  # fmt: skip
KIND_BY_TYPE = {"X": "presidential", "L": "parliamentary", "R": "referendum-other"}


def reign_votes(data: Path) -> pd.DataFrame:
    """REIGN vote events 1990..2021-03 ('Vote, ...' rows plus 'Deadline Met' rows of elections without a vote row)."""
    e = read_csv(data / F_REIGN_E)
    e["event"] = e["event"].str.strip()
    votes = e[e.event.str.startswith("Vote")]
    lone = e[(e.event == "Deadline Met") & ~e.elecnum.isin(votes.elecnum)]
    # REIGN left two held elections labelled 'Upcoming' but coded their outcome (JAM 2020-09-03, URY 2019-11-24)
    month = e.elec_year.astype(int) * 100 + e.elec_month.astype(int)
    stale = e[e.event.str.startswith("Upcoming") & (month < 202103) & (e.victory.str.strip() != "")]
    out = pd.concat([votes, lone, stale], ignore_index=True)
    out["date"] = [
        date(int(y), int(m), int(d)) for y, m, d in zip(out.elec_year, out.elec_month, out.elec_day, strict=True)
    ]
    return out[(out.date >= START) & (out.date < REIGN_END)].reset_index(drop=True)


def spell_at(spells: list[Spell], iso3: str, day: date) -> Spell:
    """The spell in office on `day`."""
    for s in spells:
        if s.iso3 == iso3 and s.took <= day and (s.left is None or day < s.left):
            return s
    raise KeyError(f"no leader for {iso3} on {day}")


def winner_took_office(spells: list[Spell], iso3: str, day: date) -> date | None:
    """Start of the first spell beginning on/after an election day (within 400 days) that differs from the
    spell in office the day before the election, else None."""
    incumbent = spell_at(spells, iso3, day - timedelta(days=1))
    later = [
        s.took for s in spells if s.iso3 == iso3 and s is not incumbent and day <= s.took <= day + timedelta(days=400)
    ]
    return min(later) if later else None


def reign_election_rows(data: Path, spells: list[Spell], regime: pd.DataFrame) -> list[dict]:
    """Election rows derived from REIGN; took_office linked to leaders where REIGN codes a leader change."""
    rows = []
    for r in reign_votes(data).itertuples(index=False):
        runoff = r.runoff.strip()
        rnd = 2 if runoff == "2" else 1
        kind = KIND_BY_TYPE[r.type]
        if kind == "presidential" and rnd == 2:
            kind = "runoff"
        decisive = runoff != "1"
        victory, change = r.victory.strip(), r.change.strip()
        lost = {"Y": "0", "N": "1"}.get(victory, "")
        notes = [
            f"REIGN elecnum {r.elecnum} ({r.event}; type {r.type}; direct {r.direct}; victory {victory or 'blank'};"
            f" change {change or 'blank'}; runoff {runoff})"
        ]
        if r.event.startswith("Upcoming"):
            notes.append("REIGN still labels this past election 'Upcoming' but codes its outcome; treated as held")
        if not decisive:
            notes.append("first round of a two-round contest; outcome on the run-off row")
        took = ""
        if decisive and change == "Y" and kind != "referendum-other":
            start = winner_took_office(spells, r.iso3, r.date)
            if start is None:
                notes.append("REIGN codes a change but no new leader spell follows within 400 days; took_office empty")
            else:
                took = start.isoformat()
                new = spell_at(spells, r.iso3, start)
                notes.append(f"winner took office {took} ({new.raw_name}, from leaders.csv)")
        if decisive and not lost:
            before = spell_at(spells, r.iso3, r.date)
            after = spell_at(spells, r.iso3, r.date + timedelta(days=120))
            if before is after:
                lost = "0"
                notes.append("REIGN leaves victory blank; same leader in office 120 days later -> 0")
        comp, comp_txt = competitive_flag(regime, r.iso3, r.date.year)
        notes.append(comp_txt)
        rows.append(
            {
                "iso3": r.iso3,
                "date": r.date.isoformat(),
                "kind": kind,
                "round": str(rnd),
                "incumbent_camp_lost": lost,
                "competitive": str(comp),
                "took_office": took,
                "scheduled": "0",
                "source_kind": "dataset",
                "source": F_REIGN_E,
                "quote": "",
                "note": "; ".join(notes),
            }
        )
    return rows


def public_election_rows(regime: pd.DataFrame) -> list[dict]:
    """Hand-collected election rows (2021-03..2025-10 and next scheduled) with rule-C competitiveness added."""
    df = read_csv(INPUTS / "politics_elections_public.csv")
    rows = []
    for r in df.to_dict("records"):
        comp, comp_txt = competitive_flag(regime, r["iso3"], to_date(r["date"]).year)
        r["competitive"] = str(comp)
        r["note"] = f"{r['note']}; {comp_txt}" if r["note"] else comp_txt
        rows.append(r)
    return rows


def elections_table(data: Path, spells: list[Spell]) -> pd.DataFrame:
    """All election rows sorted by iso3, date, round."""
    regime = regime_frame(data)
    rows = reign_election_rows(data, spells, regime) + public_election_rows(regime)
    df = pd.DataFrame(rows, columns=ELECTION_COLS)
    dup = df.duplicated(["iso3", "date", "kind", "round"])
    if dup.any():
        raise ValueError(f"duplicate elections: {df[dup][['iso3', 'date', 'kind']].values.tolist()}")
    return df.sort_values(["iso3", "date", "round", "kind"]).reset_index(drop=True)


def dpi_crosscheck(data: Path, elections: pd.DataFrame) -> dict[str, float]:
    """Share of DPI2017 executive-election years (exelec=1, presidential systems) that have a REIGN/derived
    presidential vote in the same year, and the converse, 1990-2017 (reported in docs/data/politics.md)."""
    dpi = wide(read_csv(data / F_DPI), ["iso3", "year"])
    dpi["year"] = dpi["year"].astype(int)
    pres = dpi[(dpi.system == "0.0") | (dpi.system == "0")]
    dpi_years = {(r.iso3, r.year) for r in pres.itertuples() if r.exelec == "1.0" and r.year <= 2017}
    el = elections[elections.kind.isin(["presidential", "runoff"]) & (elections.scheduled == "0")]
    pres_states = set(pres.iso3)
    our_years = {
        (r.iso3, int(r.date[:4])) for r in el.itertuples() if r.iso3 in pres_states and int(r.date[:4]) <= 2017
    }
    both = dpi_years & our_years
    return {
        "dpi_years": len(dpi_years),
        "ours_years": len(our_years),
        "share_dpi_found": round(len(both) / len(dpi_years), 3),
        "share_ours_in_dpi": round(len(both) / len(our_years), 3),
    }


# ------------------------------------------------------------------------------------------------------------
# electoral rules
# ------------------------------------------------------------------------------------------------------------
RULE_COLS = [
    "iso3", "system", "term_years", "fixed_term", "runoff", "inauguration_lag_months", "reelection",
    "source_kind", "source", "quote", "note",
]  # fmt: skip


def decisive_gaps(elections: pd.DataFrame, iso3: str, system: str) -> list[float]:
    """Gaps in years between consecutive held decisive head-of-government elections of a state
    (presidential/run-off decisive rounds for presidential systems, parliamentary votes otherwise)."""
    held = elections[(elections.iso3 == iso3) & (elections.scheduled == "0")]
    if system == "presidential" and iso3 not in ("GUY",):
        kinds = {"presidential", "runoff"}
        held = held[held.kind.isin(kinds)]
        held = held[~held.note.str.contains("first round", case=False)]
    else:
        held = held[held.kind.isin({"parliamentary", "presidential"})]
    days = sorted({to_date(d) for d in held.date})
    # collapse votes within 120 days of each other (first round and run-off, assembly then president)
    merged: list[date] = []
    for d in days:
        if merged and (d - merged[-1]).days <= 120:
            merged[-1] = d
        else:
            merged.append(d)
    return [round((b - a).days / 365.25, 2) for a, b in itertools.pairwise(merged)]


def rules_table(elections: pd.DataFrame) -> pd.DataFrame:
    """Electoral rules input with the observed spacing of elections 1990-2025 appended to each note."""
    df = read_csv(INPUTS / "politics_electoral_rules.csv")
    notes = []
    for r in df.itertuples(index=False):
        gaps = decisive_gaps(elections, r.iso3, r.system)
        if gaps:
            obs = (
                f"observed gaps between decisive elections 1990-2025: median {fmt(float(np.median(gaps)), 2)} y,"
                f" min {fmt(min(gaps), 2)}, max {fmt(max(gaps), 2)} (n={len(gaps)}; from elections.csv)"
            )
        else:
            obs = "no two decisive elections observed 1990-2025"
        notes.append(f"{r.note}; {obs}" if r.note else obs)
    df["note"] = notes
    return df[RULE_COLS].sort_values("iso3").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------------------
# panel
# ------------------------------------------------------------------------------------------------------------
PANEL_COLS = ["iso3", "year", "variable", "value", "source_id", "note"]
FH_STATUS = {"F": 2, "PF": 1, "NF": 0}


def autocracy_fit(regime: pd.DataFrame) -> dict[str, float]:
    """OLS fit of (1 - V-Dem polyarchy) on FH (PR + CL) over the state-years both cover (1990-2024)."""
    both = regime.dropna(subset=["v2x_polyarchy", "fh_pr", "fh_cl"])
    x = (both.fh_pr + both.fh_cl).to_numpy(float)
    y = 1.0 - both.v2x_polyarchy.to_numpy(float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    return {
        "intercept": float(intercept),
        "slope": float(slope),
        "rmse": float(np.sqrt(np.mean(resid**2))),
        "mae": float(np.mean(np.abs(resid))),
        "r2": float(1 - np.sum(resid**2) / np.sum((y - y.mean()) ** 2)),
        "n": len(both),
    }


def panel_row(iso3: str, year: int, variable: str, value: float, source_id: str, note: str = "") -> dict:
    """One long-format panel row (value formatted with 4 decimals max)."""
    return {"iso3": iso3, "year": year, "variable": variable, "value": fmt(value, 4), "source_id": source_id,
            "note": note}  # fmt: skip


def regime_rows(regime: pd.DataFrame, fit: dict[str, float]) -> list[dict]:
    """Regime variables 1990-2024 from the datasets, 2025 carried from 2024 (source *_carry)."""
    rows = []
    carry = "2024 value carried to 2025 (no 2025 release in ../shared/data)"
    for iso3 in CELAC:
        g = regime[regime.iso3 == iso3].set_index("year")
        for year in YEARS:
            y = min(year, 2024)
            if y not in g.index:
                continue
            r = g.loc[y]
            c = year != y
            note = carry if c else ""
            sfx = "_carry" if c else ""
            if not np.isnan(r.v2x_regime):
                rows.append(panel_row(iso3, year, "vdem_regime", r.v2x_regime, "vdem" + sfx, note))
                rows.append(panel_row(iso3, year, "vdem_polyarchy", r.v2x_polyarchy, "vdem" + sfx, note))
                rows.append(panel_row(iso3, year, "autocracy", 1 - r.v2x_polyarchy, "autocracy_vdem" + sfx, note))
                closed = int(int(r.v2x_regime) == 0)
                rows.append(panel_row(iso3, year, "closed_autocracy", closed, "closed_vdem" + sfx, note))
            else:
                est = float(np.clip(fit["intercept"] + fit["slope"] * (r.fh_pr + r.fh_cl), 0, 1))
                fnote = f"PR+CL={int(r.fh_pr + r.fh_cl)}" + (f"; {carry}" if c else "")
                rows.append(panel_row(iso3, year, "autocracy", est, "autocracy_fh_fit", fnote))
                closed = int(r.fh_pr >= 7)
                rows.append(panel_row(iso3, year, "closed_autocracy", closed, "closed_fh" + sfx, fnote))
            rows.append(panel_row(iso3, year, "fh_pr", r.fh_pr, "fh" + sfx, note))
            rows.append(panel_row(iso3, year, "fh_cl", r.fh_cl, "fh" + sfx, note))
            rows.append(panel_row(iso3, year, "fh_status", FH_STATUS[r.fh_status], "fh" + sfx,
                                  f"{r.fh_status}" + (f"; {carry}" if c else "")))  # fmt: skip
            if not np.isnan(r.fh_total):
                rows.append(panel_row(iso3, year, "fh_total", r.fh_total, "fh_scores" + sfx, note))
    return rows


def ideology_rows(leaders: pd.DataFrame) -> list[dict]:
    """gov_ideology: ideology of the leader in office on 31 Dec (2025: on 2025-10-31)."""
    rows = []
    for iso3 in CELAC:
        g = leaders[leaders.iso3 == iso3]
        for year in YEARS:
            ref = (PRESENT if year == 2025 else date(year, 12, 31)).isoformat()
            hit = g[(g.took_office <= ref) & ((g.left_office == "") | (g.left_office > ref))]
            if len(hit) != 1:
                raise ValueError(f"{iso3} {ref}: {len(hit)} leaders in office")
            r = hit.iloc[0]
            sid = "gov_ideology_estimate" if r.source_kind == "estimate" else "gov_ideology_data"
            note = f"{r.leader} (took office {r.took_office}); reference date {ref}"
            rows.append(panel_row(iso3, year, "gov_ideology", float(r.ideology), sid, note))
    return rows


def panel_table(leaders: pd.DataFrame, regime: pd.DataFrame, fit: dict[str, float]) -> pd.DataFrame:
    """Long panel sorted by variable, iso3, year."""
    df = pd.DataFrame(ideology_rows(leaders) + regime_rows(regime, fit), columns=PANEL_COLS)
    return df.sort_values(["variable", "iso3", "year"]).reset_index(drop=True)


def sources_table(fit: dict[str, float]) -> pd.DataFrame:
    """politics_sources.csv (source_id, kind, citation, dataset_file, field, derivation)."""
    vdem = ("Coppedge et al. 2025, V-Dem Country-Year Dataset v15 (doi:10.23696/vdemds25) via the ERT R package 15.0;"
            " Lührmann, Tannenberg & Lindberg 2018, Regimes of the World")  # fmt: skip
    fh = "Freedom House 2024/2025, Freedom in the World: country ratings and statuses 1973-2024"
    fhs = "Freedom House 2025, Freedom in the World: aggregate category scores, editions 2013-2025"
    carry = "Estimate: the 2024 value is carried forward to 2025 because no 2025 release is in ../shared/data"
    fit_txt = (
        f"Estimate: 1 - polyarchy predicted from FH political rights + civil liberties (2-14) by OLS fitted on the"
        f" {fit['n']} state-years (25 V-Dem states, 1990-2024) that both cover: autocracy = {fmt(fit['intercept'], 4)}"
        f" + {fmt(fit['slope'], 4)} x (PR+CL), clipped to [0, 1]; fit RMSE {fmt(fit['rmse'], 3)}, MAE"
        f" {fmt(fit['mae'], 3)}, R2 {fmt(fit['r2'], 3)}; used for ATG BHS BLZ DMA GRD KNA LCA VCT (2025: FH 2024)"
    )
    rows = [
        ("gov_ideology_data", "dataset",
         "Herre 2023 (BJPS 53(2)) Global Leader Ideology; V-Party v2 (Lindberg et al. 2022); DPI2017 (Cruz, Keefer &"
         " Scartascini 2018); Global Party Survey 2019 (Norris 2020); leader spells REIGN 2021-03 / Archigos 4.1 and"
         " named public sources", F_HERRE,
         "leader_ideology (+ V-Party v2pariglef, DPI execrlc, GPS V4_Scale)",
         "Ideology of the head of government in office on 31 Dec (2025: 2025-10-31) from seeds/events/leaders.csv;"
         " leader value = mean of a leader-level component (Herre leader_ideology -0.6/0/+0.6, else DPI execrlc) and"
         " a party-level component (V-Party v2pariglef/3.5 clipped, else GPS (V4-5)/5); see ideology_basis"),
        ("gov_ideology_estimate", "estimate", "Estimate: see the leader's note in seeds/events/leaders.csv", "", "",
         "Estimate: leaders no dataset covers (micro-states, USA/CHN, parties founded after 2019); value from party"
         " family and programme, reasoning in leaders.csv note"),
        ("vdem", "dataset", vdem, F_VDEM, "v2x_regime; v2x_polyarchy", "values as published (0-3; 0-1)"),
        ("vdem_carry", "estimate", vdem, F_VDEM, "v2x_regime; v2x_polyarchy", carry),
        ("autocracy_vdem", "dataset", vdem, F_VDEM, "v2x_polyarchy", "autocracy = 1 - v2x_polyarchy"),
        ("autocracy_vdem_carry", "estimate", vdem, F_VDEM, "v2x_polyarchy", carry + "; autocracy = 1 - polyarchy"),
        ("autocracy_fh_fit", "estimate", fh, F_FH, "fh_pr; fh_cl", fit_txt),
        ("closed_vdem", "dataset", vdem, F_VDEM, "v2x_regime",
         "1 if v2x_regime = 0 (closed autocracy: no multiparty elections for the chief executive), else 0"),
        ("closed_vdem_carry", "estimate", vdem, F_VDEM, "v2x_regime", carry + "; 1 if v2x_regime = 0"),
        ("closed_fh", "dataset", fh, F_FH, "fh_pr",
         "states V-Dem does not code: 1 if FH political rights = 7, else 0 (none of the 8 states ever scores above 3)"),
        ("closed_fh_carry", "estimate", fh, F_FH, "fh_pr", carry + "; 1 if FH PR = 7"),
        ("fh", "dataset", fh, F_FH, "fh_pr; fh_cl; fh_status",
         "ratings 1 (best) - 7 (worst) as published; fh_status F=2, PF=1, NF=0; year = year under review"),
        ("fh_carry", "estimate", fh, F_FH, "fh_pr; fh_cl; fh_status", carry),
        ("fh_scores", "dataset", fhs, F_FH, "fh_total_score_0_100", "aggregate score 0-100 as published (2012+)"),
        ("fh_scores_carry", "estimate", fhs, F_FH, "fh_total_score_0_100", carry),
    ]  # fmt: skip
    cols = ["source_id", "kind", "citation", "dataset_file", "field", "derivation"]
    return pd.DataFrame(rows, columns=cols).sort_values("source_id").reset_index(drop=True)


def variables_table() -> pd.DataFrame:
    """politics_variables.csv (variable, dtype, unit, min, max, description)."""
    rows = [
        ("autocracy", "float", "index", 0, 1,
         "1 - V-Dem electoral democracy index (polyarchy); for the 8 states V-Dem lacks, predicted from Freedom House"
         " PR+CL (estimate)"),
        ("closed_autocracy", "bool", "0/1", 0, 1, "1 = no competitive executive elections that year (V-Dem RoW closed"
         " autocracy; FH PR = 7 for states V-Dem lacks)"),
        ("fh_cl", "int", "rating", 1, 7, "Freedom House civil liberties rating (1 best, 7 worst)"),
        ("fh_pr", "int", "rating", 1, 7, "Freedom House political rights rating (1 best, 7 worst)"),
        ("fh_status", "int", "category", 0, 2, "Freedom House status: Free=2, Partly Free=1, Not Free=0"),
        ("fh_total", "int", "score", 0, 100, "Freedom House aggregate score 0-100 (2012+)"),
        ("gov_ideology", "float", "left-right", -1, 1,
         "economic left-right of the head of government on 31 Dec (2025: 31 Oct): -1 far left .. +1 far right"),
        ("vdem_polyarchy", "float", "index", 0, 1, "V-Dem v15 electoral democracy index v2x_polyarchy"),
        ("vdem_regime", "int", "category", 0, 3,
         "V-Dem Regimes of the World v2x_regime: 0 closed autocracy, 1 electoral autocracy, 2 electoral democracy,"
         " 3 liberal democracy"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["variable", "dtype", "unit", "min", "max", "description"])


# ------------------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------------------
def derive_all(data: Path) -> dict[str, pd.DataFrame]:
    """All output tables keyed by path relative to the repo root."""
    spells = build_spells(data)
    leaders = leaders_table(spells, data)
    elections = elections_table(data, spells)
    rules = rules_table(elections)
    regime = regime_frame(data)
    fit = autocracy_fit(regime)
    return {
        "seeds/events/leaders.csv": leaders,
        "seeds/events/elections.csv": elections,
        "seeds/events/electoral_rules.csv": rules,
        "seeds/panels/politics.csv": panel_table(leaders, regime, fit),
        "seeds/panels/politics_sources.csv": sources_table(fit),
        "seeds/panels/politics_variables.csv": variables_table(),
    }


def to_csv_text(df: pd.DataFrame) -> str:
    """Deterministic CSV text (all cells already strings or ints; LF line endings)."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check compare) the derived tables; return a process exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=REPO, help="repo root to write into (default: this repo)")
    ap.add_argument("--check", action="store_true", help="compare with the files under --out instead of writing")
    args = ap.parse_args(argv)
    if not (args.data / F_REIGN_L).exists():
        print(f"shared data not found under {args.data}", file=sys.stderr)
        return 2
    tables = derive_all(args.data)
    bad = 0
    for rel, df in tables.items():
        path = args.out / rel
        text = to_csv_text(df)
        if args.check:
            same = path.exists() and path.read_text(encoding="utf-8") == text
            bad += not same
            print(f"{'ok  ' if same else 'DIFF'} {rel} ({len(df)} rows)")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {rel} ({len(df)} rows)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
