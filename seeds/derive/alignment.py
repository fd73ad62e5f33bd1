"""Derive the alignment-related calibration panels (1990-2025) for the 33 CELAC states.

Writes, deterministically (sorted rows, fixed number formatting):

* ``seeds/panels/alignment.csv``            long panel ``iso3,year,variable,value,source_id,note``
* ``seeds/panels/alignment_sources.csv``    one row per ``source_id``
* ``seeds/panels/alignment_variables.csv``  one row per variable (dtype, unit, range)
* ``seeds/events/bri.csv``                  BRI accession/exit events from ``bri_membership_lac.csv``

It reads the shared datasets in ``--data`` (default ``<repo>/../shared/data``) in place, the curated event
table ``seeds/events/recognition.csv`` (recognition of Beijing or Taipei) and, optionally, the full
July 2025 Voeten ideal-point file (``--dta``, ``IdealpointsJuly2025.dta``) from which the world medians and
the states' world percentile ranks are computed. Without ``--dta`` those rows (``iso3 = WLD`` and
``unga_world_percentile``) already shipped in ``alignment.csv`` are kept unchanged, so a re-run without the file
still reproduces the shipped table byte for byte.

Hand-coded public facts (US drug-certification determinations, US free-trade agreements, NATO and
major-non-NATO-ally status, US sanctions programmes after 2022) are constants below, each with its source. The US
country-based sanctions programmes behind ``us_sanctions_program`` are read from the input table
``seeds/derive/inputs/alignment_us_programs.csv`` (one row per programme with dates, level and full citation).

Usage::

    python seeds/derive/alignment.py [--data DIR] [--dta PATH] [--check]
"""

from __future__ import annotations

import argparse
import calendar
import csv
import hashlib
import io
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.seeds import CELAC_ISO3

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
DEFAULT_DATA: Path = REPO_ROOT.parent / "shared" / "data"
PANEL_DIR: Path = REPO_ROOT / "seeds" / "panels"
EVENTS_DIR: Path = REPO_ROOT / "seeds" / "events"
PANEL_CSV: Path = PANEL_DIR / "alignment.csv"
SOURCES_CSV: Path = PANEL_DIR / "alignment_sources.csv"
VARIABLES_CSV: Path = PANEL_DIR / "alignment_variables.csv"
RECOGNITION_CSV: Path = EVENTS_DIR / "recognition.csv"
BRI_CSV: Path = EVENTS_DIR / "bri.csv"
US_PROGRAMS_CSV: Path = REPO_ROOT / "seeds" / "derive" / "inputs" / "alignment_us_programs.csv"

CELAC: tuple[str, ...] = CELAC_ISO3
"""The 33 CELAC states, sorted (the project's canonical list)."""
POWERS: tuple[str, ...] = ("CHN", "USA")
FIRST_YEAR, LAST_YEAR = 1990, 2025
PRESENT: date = date(2025, 10, 31)
"""The model's present: the 2025 value of a state variable is its value on this date."""

DTA_SHA256 = "fea7fa9414e3643586dbdf95baa1100ceb418e56684d79d801a146cad79443ce"
"""sha256 of IdealpointsJuly2025.dta as listed in ../shared/data/politics/SOURCES.md."""

PANEL_COLUMNS = ("iso3", "year", "variable", "value", "source_id", "note")
SOURCE_COLUMNS = ("source_id", "kind", "citation", "dataset_file", "field", "derivation")
VARIABLE_COLUMNS = ("variable", "dtype", "unit", "min", "max", "description")
BRI_COLUMNS = ("iso3", "date", "event", "source_kind", "source", "quote", "note")

UNGA_IDEAL_FILE = "politics/unga_idealpoints_voeten_jul2025.csv"
UNGA_AGREE_FILE = "unga_ideal_points_lac.csv"
BRI_FILE = "bri_membership_lac.csv"
GSDB_FILE = "sanctions_gsdb_v3_lac.csv"
SIPRI_FILE = "politics/sipri_trade_register_celac_recipients.csv"
FBIC_FILE = "politics/fbic_china_to_lac_henning.csv"
CI_FILE = "politics/confucius_institutes_celac.csv"

SPLIT_MIN_VOTES = 20
"""unga_split_vote_diff is reported only for sessions in which the state cast at least this many recorded
votes: the formula assumes the state voted on (nearly) the same set of votes as the US-China pair, which
fails when a state was absent from most of a session (some small states cast 1-17 votes)."""

ARMS_WINDOW = 10
"""Trailing window of the arms shares, in years (the window ending in year y covers y-9..y)."""
ARMS_LAST_YEAR = 2024
"""Deliveries in the SIPRI register (March 2025 release) run to 2024."""
SUPPLIER_GROUPS: dict[str, tuple[str, ...]] = {
    "us": ("United States",),
    "cn": ("China",),
    "ru": ("Russia", "Soviet Union"),
}
"""Supplier names (column ``supplier``) counted for each share; the USSR counts as Russia."""

CI_LAST_YEAR = 2021
"""The Confucius Institute listing was compiled in April 2022: 31 Dec 2021 is the last year-end it covers."""


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One panel figure: ``value`` in the variable's unit (see VARIABLES)."""

    iso3: str
    year: int
    variable: str
    value: float
    source_id: str
    note: str = ""


@dataclass(frozen=True)
class Source:
    """One entry of alignment_sources.csv."""

    kind: str  # dataset | public | estimate
    citation: str
    dataset_file: str = ""
    field: str = ""
    derivation: str = ""


@dataclass(frozen=True)
class Variable:
    """One entry of alignment_variables.csv."""

    dtype: str  # float | int | bool
    unit: str
    lo: float
    hi: float
    description: str


VARIABLES: dict[str, Variable] = {
    "unga_ideal_point": Variable(
        "float",
        "ideal point (Voeten, idealpointfp)",
        -4,
        4,
        "UNGA ideal point from the July 2025 Voeten release (year-based, 'fp' = estimated with fixed bridging "
        "votes); higher = closer to the US, lower = closer to China/Russia. 33 states + USA + CHN, 1990-2024.",
    ),
    "unga_ideal_point_q5": Variable(
        "float", "ideal point", -4, 4, "5th posterior percentile of unga_ideal_point (q5fp)."
    ),
    "unga_ideal_point_q95": Variable(
        "float", "ideal point", -4, 4, "95th posterior percentile of unga_ideal_point (q95fp)."
    ),
    "unga_world_median": Variable(
        "float", "ideal point", -4, 4, "Median idealpointfp over all UN members with an estimate that year (iso3 WLD)."
    ),
    "unga_world_p25": Variable(
        "float", "ideal point", -4, 4, "25th percentile of idealpointfp over all members (WLD)."
    ),
    "unga_world_p75": Variable(
        "float", "ideal point", -4, 4, "75th percentile of idealpointfp over all members (WLD)."
    ),
    "unga_world_n": Variable(
        "int", "states", 0, 200, "Number of UN members with an idealpointfp estimate that year (WLD)."
    ),
    "unga_world_percentile": Variable(
        "float",
        "percentile rank (0-1]",
        0,
        1,
        "Percentile rank of the state's idealpointfp among all UN members with an estimate that year (pandas "
        "rank(pct=True), average method for ties): 1 = the member closest to the US. 33 states + USA + CHN, "
        "1990-2024.",
    ),
    "unga_agree_us": Variable(
        "float",
        "share of votes",
        0,
        1,
        "Share of UNGA votes in agreement with the US (USAgree), session s -> year 1945+s.",
    ),
    "unga_agree_cn": Variable(
        "float",
        "share of votes",
        0,
        1,
        "Share of UNGA votes in agreement with China (ChinaAgree), session s -> year 1945+s.",
    ),
    "unga_us_cn_agree": Variable(
        "float",
        "share of votes",
        0,
        1,
        "US-China agreement rate q (ChinaAgree of the USA row = USAgree of the CHN row); stored under iso3 USA.",
    ),
    "unga_split_vote_diff": Variable(
        "float",
        "share of split votes",
        -1.5,
        1.5,
        "(ChinaAgree - USAgree)/(1 - q): share of US-China split votes on which the state sided with China minus "
        "the share on which it sided with the US; in [-1, 1] when the identity's assumptions hold.",
    ),
    "recognizes_prc": Variable(
        "bool", "0/1", 0, 1, "1 = recognises Beijing (PRC), 0 = Taipei (ROC), on 31 Dec (2025: on 2025-10-31)."
    ),
    "bri_member": Variable(
        "bool", "0/1", 0, 1, "1 = Belt and Road memorandum signed and not exited, on 31 Dec (2025: on 2025-10-31)."
    ),
    "us_sanctions": Variable(
        "bool", "0/1", 0, 1, "1 = at least one US sanction case against the state in force during the year."
    ),
    "us_sanctions_regime": Variable(
        "float",
        "0/0.5/1",
        0,
        1,
        "US regime-level coercion: 1 = a US case in force with a political objective (destab_regime, democracy, "
        "human_rights, terrorism, end_war or policy_change; not only 'other') and a trade or financial flag, "
        "0.5 = such cases in force but only arms/military/travel flags, 0 = none.",
    ),
    "us_sanctions_program": Variable(
        "float",
        "share of year x level",
        0,
        1,
        "US country-based sanctions programme against the state or its government: mean over the year's month ends "
        "(2025: January-October) of the highest level in force, 1 = comprehensive embargo or sectoral/government "
        "sanctions, 0.5 = programme targeting only officials, 0 = none (input: alignment_us_programs.csv).",
    ),
    "us_sanctions_types": Variable(
        "int",
        "count",
        0,
        5,
        "Number of sanction types (trade, arms, military, financial, travel) among US cases in force.",
    ),
    "us_decertified": Variable(
        "float",
        "0/0.5/1",
        0,
        1,
        "US drug certification status after the latest determination of the year: 0 certified or not on the majors "
        "list, 0.5 decertified / 'failed demonstrably' with a national-interest waiver, 1 without waiver.",
    ),
    "arms_share_us": Variable(
        "float", "share of TIV", 0, 1, "Share of SIPRI TIV delivered by the US, trailing 10 years."
    ),
    "arms_share_cn": Variable(
        "float", "share of TIV", 0, 1, "Share of SIPRI TIV delivered by China, trailing 10 years."
    ),
    "arms_share_ru": Variable(
        "float", "share of TIV", 0, 1, "Share of SIPRI TIV delivered by Russia or the USSR, trailing 10 years."
    ),
    "arms_tiv_10y": Variable(
        "float", "SIPRI TIV (millions)", 0, 1e5, "Total SIPRI TIV delivered from all suppliers, trailing 10 years."
    ),
    "fbic_china": Variable(
        "float", "FBIC index", 0, 1, "Formal Bilateral Influence Capacity of China over the state (FBIC 'fbic')."
    ),
    "confucius_institutes": Variable(
        "int", "count", 0, 50, "Confucius Institutes established by 31 Dec (dated institutes only)."
    ),
    "us_fta": Variable("bool", "0/1", 0, 1, "1 = a US free-trade agreement in force on 31 Dec."),
    "nato_global_partner": Variable("bool", "0/1", 0, 1, "1 = NATO partner across the globe on 31 Dec."),
    "us_mnna": Variable("bool", "0/1", 0, 1, "1 = designated US major non-NATO ally on 31 Dec."),
}

SOURCES: dict[str, Source] = {}


def _src(source_id: str, source: Source) -> str:
    """Register ``source`` under ``source_id`` (once) and return the id."""
    if source_id in SOURCES and SOURCES[source_id] != source:
        raise ValueError(f"source {source_id} registered twice with different content")
    SOURCES[source_id] = source
    return source_id


# --------------------------------------------------------------------------------------------------
# UNGA ideal points (Voeten, July 2025) and world aggregates
# --------------------------------------------------------------------------------------------------
IDEAL_VARS: dict[str, str] = {
    "idealpointfp": "unga_ideal_point",
    "q5fp": "unga_ideal_point_q5",
    "q95fp": "unga_ideal_point_q95",
}
WORLD_VARS: tuple[str, ...] = ("unga_world_median", "unga_world_n", "unga_world_p25", "unga_world_p75")


def ideal_point_rows(data: Path) -> list[Row]:
    """Ideal point and its 5th/95th posterior percentiles, 33 states + USA + CHN, 1990-2024."""
    sid = _src(
        "voeten2025",
        Source(
            "dataset",
            "Voeten, E., UNGA ideal points, July 2025 release (Bailey, Strezhnev & Voeten 2017, Journal of Conflict "
            "Resolution 61(2)), regional extract",
            UNGA_IDEAL_FILE,
            "idealpointfp; q5fp; q95fp",
            "Copied as extracted (float32 values printed with 6 significant digits). Year-based; VEN ends 2021.",
        ),
    )
    raw = pd.read_csv(data / UNGA_IDEAL_FILE)
    df = raw[raw["variable"].isin(list(IDEAL_VARS)) & raw["iso3"].isin(CELAC + POWERS)]
    votes = raw[raw["variable"] == "nvotesfp"].set_index(["iso3", "year"])["value"]
    rows = []
    for rec in df.itertuples(index=False):
        year = int(rec.year)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            continue
        n = votes.get((rec.iso3, year))
        note = f"{rec.variable}; {int(n)} votes (nvotesfp)" if n is not None and not pd.isna(n) else rec.variable
        rows.append(Row(rec.iso3, year, IDEAL_VARS[rec.variable], float(rec.value), sid, note))
    return rows


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_dta(path: Path) -> pd.DataFrame:
    """The full Voeten file with its own checksum verified; rows without an estimate dropped."""
    got = sha256_of(path)
    if got != DTA_SHA256:
        raise ValueError(f"{path}: sha256 {got} differs from the one in SOURCES.md ({DTA_SHA256})")
    full = pd.read_stata(path)
    full = full[full["idealpointfp"].notna()].copy()
    full["year"] = full["year"].astype(int)
    return full


def regional_mismatches(full: pd.DataFrame, data: Path) -> list[str]:
    """Differences between the 35 regional rows of the full file and the shared extract (empty = identical)."""
    extract = pd.read_csv(data / UNGA_IDEAL_FILE)
    variables = sorted(extract["variable"].unique())
    mine = full[full["iso3c"].isin(extract["iso3"].unique()) & (full["year"] >= extract["year"].min())]
    mine = mine.melt(id_vars=["iso3c", "year"], value_vars=variables).dropna(subset=["value"])
    mine = mine.rename(columns={"iso3c": "iso3"})
    merged = extract.merge(
        mine, on=["iso3", "year", "variable"], how="outer", indicator="side", suffixes=("_csv", "_dta")
    )
    problems = [f"{r.iso3} {r.year} {r.variable}: only in {r.side}" for r in merged.itertuples() if r.side != "both"]
    both = merged[merged["side"] == "both"]
    diff = both[both["value_csv"] != both["value_dta"].astype("float64")]
    problems += [f"{r.iso3} {r.year} {r.variable}: {r.value_csv} != {r.value_dta}" for r in diff.itertuples()]
    return problems


def world_source() -> str:
    """Register and return the source id of the world aggregates."""
    return _src(
        "voeten2025_full",
        Source(
            "public",
            "Voeten, E., 'United Nations General Assembly Voting Data', Harvard Dataverse, doi:10.7910/DVN/LEJUQZ, "
            f"July 2025 release, file IdealpointsJuly2025.dta (sha256 {DTA_SHA256}, as listed in "
            "../shared/data/politics/SOURCES.md); copy read from GitHub lucasbuildsapps/Masterthesis. Its 35 "
            "regional rows (33 CELAC states + USA + CHN, 1990-2024) equal politics/unga_idealpoints_voeten_jul2025.csv "
            "exactly (checked by the derivation).",
            "",
            "idealpointfp",
            "Per year 1990-2024: median, 25th and 75th percentiles (numpy linear interpolation) and count of "
            "idealpointfp over all members with a non-missing estimate. The file is not copied into the project.",
        ),
    )


def world_rows_from_dta(full: pd.DataFrame) -> list[Row]:
    """World median, quartiles and member count of idealpointfp per year."""
    sid = world_source()
    rows = []
    for year, grp in full[(full["year"] >= FIRST_YEAR) & (full["year"] <= LAST_YEAR)].groupby("year"):
        x = grp["idealpointfp"].astype("float64").to_numpy()
        p25, med, p75 = np.percentile(x, [25, 50, 75])
        note = f"{len(x)} members with an estimate"
        rows += [
            Row("WLD", int(year), "unga_world_median", float(med), sid, note),
            Row("WLD", int(year), "unga_world_p25", float(p25), sid, note),
            Row("WLD", int(year), "unga_world_p75", float(p75), sid, note),
            Row("WLD", int(year), "unga_world_n", float(len(x)), sid, ""),
        ]
    return rows


PERCENTILE_VAR = "unga_world_percentile"
DTA_VARS: tuple[str, ...] = (*WORLD_VARS, PERCENTILE_VAR)
"""Variables computed from the full Voeten file (kept as shipped when it is not supplied)."""


def world_percentile_source() -> str:
    """Register and return the source id of the world percentile ranks."""
    return _src(
        "voeten2025_full_pct",
        Source(
            "public",
            "Voeten, E., 'United Nations General Assembly Voting Data', Harvard Dataverse, doi:10.7910/DVN/LEJUQZ, "
            f"July 2025 release, file IdealpointsJuly2025.dta (sha256 {DTA_SHA256}, as listed in "
            "../shared/data/politics/SOURCES.md); copy read from GitHub lucasbuildsapps/Masterthesis.",
            "",
            "idealpointfp",
            "Per year 1990-2024, each member's percentile rank of idealpointfp among all members with a non-missing "
            "estimate (pandas Series.rank(pct=True, method='average') = rank / n, ties averaged; n = "
            "unga_world_n); kept for the 33 CELAC states, the USA and China. The file is not copied into the project.",
        ),
    )


def world_percentile_rows(full: pd.DataFrame) -> list[Row]:
    """Percentile rank (0-1] of idealpointfp among all members with an estimate, for the 35 panel states."""
    sid = world_percentile_source()
    rows = []
    for year, grp in full[(full["year"] >= FIRST_YEAR) & (full["year"] <= LAST_YEAR)].groupby("year"):
        x = grp["idealpointfp"].astype("float64")
        pct = x.rank(pct=True, method="average")
        rank = x.rank(method="average")
        for i, iso3 in grp["iso3c"].items():
            if iso3 in CELAC + POWERS:
                note = f"rank {rank[i]:g} of {len(x)} members with an estimate"
                rows.append(Row(iso3, int(year), PERCENTILE_VAR, float(pct[i]), sid, note))
    return rows


def shipped_world_rows(panel_csv: Path) -> list[Row]:
    """The rows derived from the .dta file (WLD aggregates, world percentiles) of an existing alignment.csv,
    kept as shipped when the .dta file is not supplied."""
    if not panel_csv.is_file():
        raise FileNotFoundError(f"{panel_csv} does not exist: pass --dta to derive the world rows")
    world_source()
    world_percentile_source()
    with panel_csv.open(newline="", encoding="utf-8") as handle:
        return [
            Row(r["iso3"], int(r["year"]), r["variable"], float(r["value"]), r["source_id"], r["note"])
            for r in csv.DictReader(handle)
            if r["variable"] in DTA_VARS
        ]


# --------------------------------------------------------------------------------------------------
# UNGA vote agreement (Bailey-Strezhnev-Voeten, June 2024 release, session-based)
# --------------------------------------------------------------------------------------------------
def session_year(session: int) -> int:
    """UNGA session s opens in September of year 1945 + s (session 45 = 1990, 78 = 2023)."""
    return 1945 + session


def agreement_rows(data: Path) -> list[Row]:
    """unga_agree_us / unga_agree_cn for the 33 states, q for USA, and the split-vote differential."""
    sid = _src(
        "bsv2024",
        Source(
            "dataset",
            "Bailey, Strezhnev & Voeten (2017), 'Estimating Dynamic State Preferences from United Nations Voting "
            "Data', Journal of Conflict Resolution 61(2); data release of June 2024",
            UNGA_AGREE_FILE,
            "USAgree; ChinaAgree",
            "Copied per country-session; session s mapped to year 1945+s (the session opens in September of that "
            "year and most recorded votes fall in its autumn). Sessions 45-78 = 1990-2023.",
        ),
    )
    sid_q = _src(
        "bsv2024_q",
        Source(
            "dataset",
            "Bailey, Strezhnev & Voeten (2017), data release of June 2024",
            UNGA_AGREE_FILE,
            "ChinaAgree of the USA row (checked equal to USAgree of the CHN row)",
            "q = US-China agreement rate per session, session s -> year 1945+s.",
        ),
    )
    sid_split = _src(
        "bsv2024_split",
        Source(
            "dataset",
            "Bailey, Strezhnev & Voeten (2017), data release of June 2024",
            UNGA_AGREE_FILE,
            "USAgree; ChinaAgree; q from the USA row",
            "d = (ChinaAgree - USAgree) / (1 - q). Derivation: split each session's votes into those on which the "
            "US and China agree (share q) and split votes (1 - q). On an agreed vote a state agrees with both or "
            "neither, so it adds equally to ChinaAgree and USAgree; on a split vote it sides with at most one. "
            "Hence ChinaAgree - USAgree = (share of all votes that are split and sided with China) - (split and "
            "sided with the US), and dividing by 1 - q gives the difference as a share of split votes. "
            f"Assumptions: the state voted on the same set of votes as the US-China pair (reported only when the "
            f"state cast >= {SPLIT_MIN_VOTES} votes, NVotesAll) and votes are yes/no; abstentions (which the release "
            "may score as partial agreement) and absences make the identity approximate, so values can leave [-1, 1].",
        ),
    )
    df = pd.read_csv(data / UNGA_AGREE_FILE)
    df = df[df["session"].map(session_year).between(FIRST_YEAR, LAST_YEAR)]
    usa = df[df["iso3c"] == "USA"].set_index("session")
    chn = df[df["iso3c"] == "CHN"].set_index("session")
    q = usa["ChinaAgree"]
    gap = (q - chn["USAgree"].reindex(q.index)).abs().max()
    if not gap < 1e-9:
        raise ValueError(f"USA ChinaAgree and CHN USAgree differ by up to {gap}")
    rows: list[Row] = []
    for session, value in q.items():
        n = int(usa.loc[session, "NVotesAll"])
        rows.append(
            Row(
                "USA",
                session_year(int(session)),
                "unga_us_cn_agree",
                float(value),
                sid_q,
                f"session {int(session)}; {n} US votes (NVotesAll)",
            )
        )
    for rec in df[df["iso3c"].isin(CELAC)].itertuples(index=False):
        year, session, n = session_year(int(rec.session)), int(rec.session), int(rec.NVotesAll)
        few = f"; few votes (< {SPLIT_MIN_VOTES})" if n < SPLIT_MIN_VOTES else ""
        base = f"session {session}; {n} votes (NVotesAll){few}"
        for col, var in (("USAgree", "unga_agree_us"), ("ChinaAgree", "unga_agree_cn")):
            if not pd.isna(getattr(rec, col)):
                rows.append(Row(rec.iso3c, year, var, float(getattr(rec, col)), sid, f"column {col}, {base}"))
        qs = float(q.get(session, np.nan))
        if n >= SPLIT_MIN_VOTES and not (pd.isna(rec.USAgree) or pd.isna(rec.ChinaAgree) or pd.isna(qs)):
            d = (rec.ChinaAgree - rec.USAgree) / (1.0 - qs)
            flag = "; outside [-1, 1]: identity only approximate" if abs(d) > 1 else ""
            rows.append(
                Row(
                    rec.iso3c,
                    year,
                    "unga_split_vote_diff",
                    float(d),
                    sid_split,
                    f"session {session}; q = {qs:.4f}; {n} votes{flag}",
                )
            )
    return rows


# --------------------------------------------------------------------------------------------------
# Recognition of Beijing or Taipei, BRI membership
# --------------------------------------------------------------------------------------------------
def year_end(year: int) -> date:
    """The reference date of a panel year: 31 Dec, or the model's present for 2025."""
    return PRESENT if year == LAST_YEAR else date(year, 12, 31)


def read_recognition(path: Path = RECOGNITION_CSV) -> pd.DataFrame:
    """The curated recognition events, with a parsed ``day`` column."""
    ev = pd.read_csv(path, dtype=str, keep_default_na=False)
    ev["day"] = ev["date"].map(date.fromisoformat)
    return ev.sort_values(["iso3", "day"], kind="stable").reset_index(drop=True)


def recognition_rows(events: pd.DataFrame) -> list[Row]:
    """recognizes_prc per state-year from the last recognition event on or before the year's reference date."""
    sid = {
        "public": _src(
            "recognition_public",
            Source(
                "public",
                "Public sources named row by row in seeds/events/recognition.csv (status on 1990-01-01 and switches "
                "1990-2025: Chinese and Taiwanese foreign ministries and embassies, Xinhua, Reuters, AP, BBC)",
                "",
                "",
                "Value on 31 Dec (2025: 2025-10-31) = recognizes_after of the last event dated on or before it.",
            ),
        ),
        "dataset": _src(
            "recognition_dataset",
            Source(
                "dataset",
                "BRI membership and PRC recognition, compiled from news and official statements as of 2025-05",
                BRI_FILE,
                "recognizes; recognizes_prc_since",
                "Switch dates from recognizes_prc_since (event rows with source_kind dataset in "
                "seeds/events/recognition.csv); value on 31 Dec = recognition after the last event on or before it.",
            ),
        ),
    }
    rows = []
    for iso3 in CELAC:
        mine = events[events["iso3"] == iso3]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            past = mine[mine["day"] <= year_end(year)]
            if past.empty:
                raise ValueError(f"{iso3}: no recognition event on or before {year_end(year)}")
            last = past.iloc[-1]
            value = 1.0 if last["recognizes_after"] == "PRC" else 0.0
            note = f"last event {last['event']} {last['date']}"
            rows.append(Row(iso3, year, "recognizes_prc", value, sid[last["source_kind"]], note))
    return rows


def _partial_date(text: str) -> tuple[str, str]:
    """A dataset date (YYYY, YYYY-MM or YYYY-MM-DD) as ISO date plus a note on the missing parts."""
    parts = text.split("-")
    if len(parts) == 3:
        return text, ""
    if len(parts) == 2:
        return f"{text}-01", "day unknown, dated to the 1st"
    if len(parts) == 1:
        return f"{text}-01-01", "year only, dated to 1 January"
    raise ValueError(f"unexpected date {text!r}")


def bri_events(data: Path) -> pd.DataFrame:
    """BRI accession (MoU) and exit events from bri_membership_lac.csv, one row per event."""
    df = pd.read_csv(data / BRI_FILE, dtype=str, keep_default_na=False)
    out = []
    for rec in df.itertuples(index=False):
        for col, event in (("bri_mou_signed", "bri_join"), ("bri_exit", "bri_exit")):
            raw = getattr(rec, col)
            if not raw:
                continue
            day, missing = _partial_date(raw)
            bits = [f"Column {col} = {raw}" + (f" ({missing})" if missing else "") + "."]
            if rec.verified != "yes":
                bits.append(f"verified = {rec.verified}.")
            bits.append(f"Dataset source_note: {rec.source_note}")
            out.append(
                {
                    "iso3": rec.iso3,
                    "date": day,
                    "event": event,
                    "source_kind": "dataset",
                    "source": BRI_FILE,
                    "quote": "",
                    "note": " ".join(bits),
                }
            )
    ev = pd.DataFrame(out, columns=list(BRI_COLUMNS))
    return ev.sort_values(["iso3", "date", "event"], kind="stable").reset_index(drop=True)


def bri_rows(events: pd.DataFrame) -> list[Row]:
    """bri_member per state-year: joined on or before the reference date and not exited by then."""
    sid = _src(
        "bri_dataset",
        Source(
            "dataset",
            "BRI membership and PRC recognition, compiled from news and official statements named in source_note, "
            "as of 2025-05",
            BRI_FILE,
            "bri_mou_signed; bri_exit",
            "1 if a memorandum was signed on or before 31 Dec (2025: 2025-10-31) and no exit dated on or before it. "
            "Dates with only a month or year are dated to the 1st (none of them straddles a year end).",
        ),
    )
    rows = []
    for iso3 in CELAC:
        mine = events[events["iso3"] == iso3]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            ref = year_end(year).isoformat()
            past = mine[mine["date"] <= ref]
            member = not past.empty and past.iloc[-1]["event"] == "bri_join"
            note = f"last event {past.iloc[-1]['event']} {past.iloc[-1]['date']}" if not past.empty else "no memorandum"
            rows.append(Row(iso3, year, "bri_member", 1.0 if member else 0.0, sid, note))
    return rows


# --------------------------------------------------------------------------------------------------
# US sanctions (GSDB v3 to 2022, named programmes or carried after)
# --------------------------------------------------------------------------------------------------
SANCTION_TYPES: tuple[str, ...] = ("trade", "arms", "military", "financial", "travel")
GSDB_LAST_YEAR = 2022

GSDB_ISO3: dict[str, str] = {
    "Antigua and Barbuda": "ATG",
    "Argentina": "ARG",
    "Bahamas": "BHS",
    "Barbados": "BRB",
    "Belize": "BLZ",
    "Bolivia": "BOL",
    "Brazil": "BRA",
    "Chile": "CHL",
    "Colombia": "COL",
    "Costa Rica": "CRI",
    "Cuba": "CUB",
    "Dominica": "DMA",
    "Dominican Republic": "DOM",
    "Ecuador": "ECU",
    "El Salvador": "SLV",
    "Grenada": "GRD",
    "Guatemala": "GTM",
    "Guyana": "GUY",
    "Haiti": "HTI",
    "Honduras": "HND",
    "Jamaica": "JAM",
    "Mexico": "MEX",
    "Nicaragua": "NIC",
    "Panama": "PAN",
    "Paraguay": "PRY",
    "Peru": "PER",
    "Saint Kitts and Nevis": "KNA",
    "Saint Lucia": "LCA",
    "Saint Vincent and the Grenadines": "VCT",
    "Suriname": "SUR",
    "Trinidad and Tobago": "TTO",
    "Uruguay": "URY",
    "Venezuela": "VEN",
}

OFAC_PROGRAMMES: dict[str, tuple[str, str]] = {
    "CUB": (
        "ofac_cuba",
        "US Treasury, OFAC, Cuba Sanctions programme: Cuban Assets Control Regulations, 31 CFR part 515 "
        "(ofac.treasury.gov/sanctions-programs-and-country-information/cuba-sanctions), in force 2023-2025; "
        "Cuba re-listed as a State Sponsor of Terrorism on 20 Jan 2025 after a 14 Jan 2025 rescission",
    ),
    "VEN": (
        "ofac_venezuela",
        "US Treasury, OFAC, Venezuela-Related Sanctions (EOs 13692, 13808, 13850, 13884; 31 CFR part 591) "
        "(ofac.treasury.gov/sanctions-programs-and-country-information/venezuela-related-sanctions), "
        "in force 2023-2025 (general licence 44 of Oct 2023 eased oil sanctions until April 2024); "
        "EO 14245 of 24 Mar 2025",
    ),
    "NIC": (
        "ofac_nicaragua",
        "US Treasury, OFAC, Nicaragua-related Sanctions (EO 13851; Nicaragua Human Rights and Anticorruption Act "
        "of 2018; 31 CFR part 582) (ofac.treasury.gov/sanctions-programs-and-country-information/"
        "nicaragua-related-sanctions), in force 2023-2025",
    ),
}


def gsdb_us_cases(data: Path) -> pd.DataFrame:
    """GSDB cases with a CELAC target and the US among the senders, one row per (case, target)."""
    s = pd.read_csv(data / GSDB_FILE)
    s["target"] = s["sanctioned_state"].str.split(", ", regex=False)
    s = s.explode("target", ignore_index=True)
    s["iso3"] = s["target"].map(GSDB_ISO3)
    if s["iso3"].isna().any():
        raise KeyError(f"GSDB target names without ISO3: {sorted(s.loc[s['iso3'].isna(), 'target'].unique())}")
    senders = s["sanctioning_state"].str.split(",").map(lambda xs: [x.strip() for x in xs])
    return s[senders.map(lambda xs: "United States" in xs)].copy()


def _types(cases: pd.DataFrame) -> list[str]:
    """Sanction types flagged by at least one of ``cases``."""
    return [t for t in SANCTION_TYPES if (cases[t] == 1).any()]


def sanction_rows(data: Path) -> list[Row]:
    """us_sanctions and us_sanctions_types per state-year 1990-2025."""
    sid = _src(
        "gsdb_v3",
        Source(
            "dataset",
            "Global Sanctions Database v3 (Felbermayr et al. 2020; Kirikakha et al. 2021)",
            GSDB_FILE,
            "begin; end; trade; arms; military; financial; travel; sanctioning_state",
            "Cases whose sanctioning_state lists the United States (alone or with others, e.g. case 1209 'United "
            "States, United Kingdom'; cases sent by the OAS, UN or EU are not counted); multi-target cases split per "
            "target. In force in year y if begin <= y <= end (end 2022 = ongoing at the end of the data). "
            "us_sanctions = 1 if any case is in force (all objectives, including narcotics/kingpin designations); "
            "types = number of the five type flags set by at least one case in force.",
        ),
    )
    carry = _src(
        "gsdb_carry",
        Source(
            "estimate",
            "Global Sanctions Database v3, cases ongoing at the end of the data (2022)",
            GSDB_FILE,
            "end; success",
            "Estimate: for 2023-2025 the US cases ongoing in 2022 are assumed still in force (US sanctions are rarely "
            "lifted outright; OFAC counter-narcotics designations under the Kingpin Act and EO 14059 continued), "
            "and no new case is added unless named in the row note.",
        ),
    )
    for prog_id, citation in OFAC_PROGRAMMES.values():
        _src(
            prog_id,
            Source(
                "public",
                citation,
                "",
                "",
                "1 = programme in force during the year; the number of types "
                "is carried from the GSDB cases ongoing in 2022 (note says so).",
            ),
        )
    cases = gsdb_us_cases(data)
    rows = []
    for iso3 in CELAC:
        mine = cases[cases["iso3"] == iso3]
        last = mine[(mine["begin"] <= GSDB_LAST_YEAR) & (mine["end"] >= GSDB_LAST_YEAR)]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if year <= GSDB_LAST_YEAR:
                active = mine[(mine["begin"] <= year) & (mine["end"] >= year)]
                ids = ", ".join(str(c) for c in sorted(active["case_id"].unique()))
                note = f"cases in force: {ids}" if ids else "no US case in force"
                rows += [
                    Row(iso3, year, "us_sanctions", 1.0 if len(active) else 0.0, sid, note),
                    Row(
                        iso3,
                        year,
                        "us_sanctions_types",
                        float(len(_types(active))),
                        sid,
                        "types: " + (", ".join(_types(active)) or "none"),
                    ),
                ]
                continue
            ids = ", ".join(str(c) for c in sorted(last["case_id"].unique()))
            extra = ""
            if iso3 == "COL" and year == LAST_YEAR:
                extra = (
                    "; OFAC designated President Petro and family under EO 14059 on 24 Oct 2025 "
                    "(financial, already counted)"
                )
            if iso3 in OFAC_PROGRAMMES:
                psid = OFAC_PROGRAMMES[iso3][0]
                rows += [
                    Row(
                        iso3,
                        year,
                        "us_sanctions",
                        1.0,
                        psid,
                        f"OFAC programme in force; GSDB cases ongoing in 2022: {ids}",
                    ),
                    Row(
                        iso3,
                        year,
                        "us_sanctions_types",
                        float(len(_types(last))),
                        psid,
                        "Estimate: types carried from the GSDB cases ongoing in 2022: " + ", ".join(_types(last)),
                    ),
                ]
            else:
                note = (
                    f"Estimate: GSDB cases ongoing in 2022 carried: {ids}"
                    if ids
                    else "Estimate: no US case ongoing in 2022; none added"
                ) + extra
                rows += [
                    Row(iso3, year, "us_sanctions", 1.0 if ids else 0.0, carry, note),
                    Row(
                        iso3,
                        year,
                        "us_sanctions_types",
                        float(len(_types(last))),
                        carry,
                        "Estimate: types carried from 2022: " + (", ".join(_types(last)) or "none"),
                    ),
                ]
    return rows


REGIME_OBJECTIVES: frozenset[str] = frozenset(
    {"destab_regime", "democracy", "human_rights", "terrorism", "end_war", "policy_change"}
)
"""GSDB objectives that make a US case regime-level coercion (a case whose objectives are only 'other', e.g.
narcotics/kingpin designations of individuals, does not qualify)."""
HARD_TYPES: tuple[str, ...] = ("trade", "financial")
SOFT_TYPES: tuple[str, ...] = ("arms", "military", "travel")


def regime_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases whose GSDB ``objective`` (comma-separated) includes at least one of REGIME_OBJECTIVES."""
    objectives = cases["objective"].fillna("").str.split(",").map(lambda xs: {x.strip() for x in xs})
    return cases[objectives.map(lambda xs: bool(xs & REGIME_OBJECTIVES))]


def regime_level(active: pd.DataFrame) -> tuple[float, str]:
    """0/0.5/1 for qualifying cases in force, with a note listing them and the flags that set the value."""
    hard = active[(active[list(HARD_TYPES)] == 1).any(axis=1)]
    soft = active[(active[list(SOFT_TYPES)] == 1).any(axis=1)]
    ids = ", ".join(str(c) for c in sorted(active["case_id"].unique()))
    if len(hard):
        return 1.0, f"qualifying cases: {ids}; trade/financial: " + ", ".join(
            str(c) for c in sorted(hard["case_id"].unique())
        )
    if len(soft):
        return 0.5, f"qualifying cases: {ids}; only " + "/".join(_types(soft)) + " flags"
    if len(active):
        return 0.0, f"qualifying cases: {ids}; no trade/financial/arms/military/travel flag"
    return 0.0, "no qualifying US case in force"


def regime_sanction_rows(data: Path) -> list[Row]:
    """us_sanctions_regime per state-year 1990-2025 (GSDB v3 to 2022; OFAC programmes or carried after)."""
    objectives = ", ".join(sorted(REGIME_OBJECTIVES))
    sid = _src(
        "gsdb_v3_regime",
        Source(
            "dataset",
            "Global Sanctions Database v3 (Felbermayr et al. 2020; Kirikakha et al. 2021)",
            GSDB_FILE,
            "begin; end; objective; trade; financial; arms; military; travel; sanctioning_state",
            "US cases as for us_sanctions (sanctioning_state lists the United States; multi-target cases split per "
            f"target; in force in year y if begin <= y <= end). A case qualifies if its objective includes any of "
            f"{objectives} (not only 'other'). Value 1 if a qualifying case in force has the trade or financial "
            "flag, 0.5 if the qualifying cases in force have only arms/military/travel flags, else 0.",
        ),
    )
    carry = _src(
        "gsdb_carry_regime",
        Source(
            "estimate",
            "Global Sanctions Database v3, qualifying US cases ongoing at the end of the data (2022)",
            GSDB_FILE,
            "end; objective; trade; financial; arms; military; travel",
            "Estimate: for 2023-2025 the qualifying US cases (see gsdb_v3_regime) ongoing in 2022 are assumed still "
            "in force with their flags (US sanctions are rarely lifted outright), and no new case is added. Cuba, "
            "Venezuela and Nicaragua are instead taken from the named OFAC programmes.",
        ),
    )
    cases = regime_cases(gsdb_us_cases(data))
    rows = []
    for iso3 in CELAC:
        mine = cases[cases["iso3"] == iso3]
        for year in range(FIRST_YEAR, GSDB_LAST_YEAR + 1):
            value, note = regime_level(mine[(mine["begin"] <= year) & (mine["end"] >= year)])
            rows.append(Row(iso3, year, "us_sanctions_regime", value, sid, note))
        last = mine[(mine["begin"] <= GSDB_LAST_YEAR) & (mine["end"] >= GSDB_LAST_YEAR)]
        value, note = regime_level(last)
        for year in range(GSDB_LAST_YEAR + 1, LAST_YEAR + 1):
            if iso3 in OFAC_PROGRAMMES:
                rows.append(
                    Row(
                        iso3,
                        year,
                        "us_sanctions_regime",
                        1.0,
                        OFAC_PROGRAMMES[iso3][0],
                        f"OFAC programme in force (trade/financial measures); GSDB 2022: {note}",
                    )
                )
            else:
                carried = f"Estimate: carried from 2022: {note}"
                rows.append(Row(iso3, year, "us_sanctions_regime", value, carry, carried))
    return rows


# --------------------------------------------------------------------------------------------------
# US country-based sanctions programmes (input table seeds/derive/inputs/alignment_us_programs.csv)
# --------------------------------------------------------------------------------------------------
PROGRAM_COLUMNS: tuple[str, ...] = (
    "iso3",
    "program",
    "start",
    "end",
    "level",
    "source_kind",
    "source",
    "quote",
    "note",
)
PROGRAM_LEVELS: frozenset[float] = frozenset({0.5, 1.0})
"""1 = comprehensive embargo or sectoral/government sanctions; 0.5 = a programme that targets only officials."""


@dataclass(frozen=True)
class Program:
    """One US country-based sanctions programme against a CELAC state (one row of the input table).

    In force on day d if ``start <= d`` and (``end`` is None or ``d < end``): ``end`` is the day of the act that
    terminated or lifted it (None = still in force on PRESENT). ``level`` is 0.5 or 1 (see PROGRAM_LEVELS).
    """

    iso3: str
    program: str
    start: date
    end: date | None
    level: float

    def in_force(self, day: date) -> bool:
        """True if the programme was in force on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


def read_programs(path: Path = US_PROGRAMS_CSV) -> list[Program]:
    """The curated programmes, checked: known state, level 0.5/1, start before end and PRESENT, a citation."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != PROGRAM_COLUMNS:
            raise ValueError(f"{path.name}: columns {reader.fieldnames} != {PROGRAM_COLUMNS}")
        records = list(reader)
    programs = []
    for r in records:
        prog = Program(
            r["iso3"],
            r["program"],
            date.fromisoformat(r["start"]),
            date.fromisoformat(r["end"]) if r["end"] else None,
            float(r["level"]),
        )
        problems = [
            msg
            for bad, msg in (
                (prog.iso3 not in CELAC, "unknown iso3"),
                (prog.level not in PROGRAM_LEVELS, "level must be 0.5 or 1"),
                (prog.start > PRESENT, "starts after the present"),
                (prog.end is not None and not prog.start < prog.end <= PRESENT, "end not in (start, PRESENT]"),
                (r["source_kind"] != "public" or not r["source"].strip(), "needs a public source"),
            )
            if bad
        ]
        if problems:
            raise ValueError(f"{path.name} {prog.program}: {'; '.join(problems)}")
        programs.append(prog)
    if len({p.program for p in programs}) != len(programs):
        raise ValueError(f"{path.name}: duplicate programme ids")
    return programs


def month_ends(year: int) -> list[date]:
    """The last day of each month of ``year`` up to the model's present (2025: January to October)."""
    ends = [date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
    return [d for d in ends if d <= PRESENT]


def program_share(programs: Iterable[Program], year: int) -> tuple[float, str]:
    """Mean over the year's month ends of the highest level in force (0 if none), with a note naming the
    programmes and the months they count. A month counts if a programme was in force on its last day."""
    ends = month_ends(year)
    mine = list(programs)
    levels = [max((p.level for p in mine if p.in_force(d)), default=0.0) for d in ends]
    counted = [(p, sum(p.in_force(d) for d in ends)) for p in mine]
    parts = [f"{p.program} (level {p.level:g}) in force at {k} of {len(ends)} month ends" for p, k in counted if k]
    return sum(levels) / len(ends), "; ".join(parts) or "no US country-based programme in force"


def program_rows(programs: list[Program]) -> list[Row]:
    """us_sanctions_program per state-year 1990-2025 from the curated programme table."""
    sid = _src(
        "us_programs_public",
        Source(
            "public",
            "US country-based sanctions programmes against CELAC states, one row per programme with dates, level and "
            "full citation in seeds/derive/inputs/alignment_us_programs.csv (Federal Register executive orders, OFAC "
            "'Sanctions Programs and Country Information' pages and regulations, Public Papers of the Presidents, "
            "CRS): Cuba (CACR), Haiti 1991-94, Nicaragua 1985-90 and from 2018, Panama 1988-89, Venezuela from 2015, "
            "Brazil from Aug 2025",
            "",
            "",
            "Value = mean over the year's month ends (12; 2025: January-October, to the model's present) of the "
            "highest level of the state's programmes in force on that day (1 comprehensive/sectoral/government, 0.5 "
            "officials only, 0 none). A programme is in force from its start date up to the day before its end date "
            "(the terminating act), so a month counts if the programme was in force on its last day.",
        ),
    )
    rows = []
    for iso3 in CELAC:
        mine = [p for p in programs if p.iso3 == iso3]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            value, note = program_share(mine, year)
            rows.append(Row(iso3, year, "us_sanctions_program", value, sid, note))
    return rows


# --------------------------------------------------------------------------------------------------
# US drug certification (Presidential Determinations on major drug transit / producing countries)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Determination:
    """One year's determination: ``status`` maps ISO3 -> (value, note); every other state is 0."""

    kind: str  # public | estimate
    citation: str
    status: Mapping[str, tuple[float, str]]
    default_note: str


NI = "national-interest (vital national interests) certification = decertified with waiver"
FD_W = "'failed demonstrably' with a national-interest waiver"
WAIVER_GUESS = (
    "Estimate: designated 'failed demonstrably' (see citation); the waiver paragraph was not retrieved. "
    "Bolivia and Venezuela received waivers in every year verified around it (2009, 2010, 2012, 2020, "
    "2021, 2025)"
)
VEN_WAIVER_GUESS = (
    "Estimate: designated 'failed demonstrably'; waiver for programmes supporting democracy in "
    "Venezuela as in every verified year (2005-2006, 2009-2010, 2012, 2018, 2020-2021, 2025); "
    "waiver text not retrieved for this year"
)

DETERMINATIONS: dict[int, Determination] = {
    1990: Determination(
        "public",
        "Presidential Determination No. 90-12 of 28 Feb 1990, Certifications for Major "
        "Narcotics Source and Transit Countries (American Presidency Project, presidency.ucsb.edu); "
        "Panama certified separately by PD 90-9 of 26 Jan 1990",
        {},
        "certified or not on the majors list (all LAC majors certified)",
    ),
    1991: Determination(
        "public",
        "Presidential Determination No. 91-22 of 1 Mar 1991 (Public Papers of the "
        "Presidents, G.H.W. Bush 1991 I, p. 205; govinfo.gov)",
        {},
        "certified or not on the majors list (all LAC majors certified)",
    ),
    1992: Determination(
        "estimate",
        "Estimate: the 1992 certification determination (March 1992) was not located",
        {},
        "Estimate: 0 because PD 91-22 (1991) and PD 93-18 (1993) certified every LAC majors-list country fully",
    ),
    1993: Determination(
        "public",
        "Presidential Determination No. 93-18 of 31 Mar 1993 (presidency.ucsb.edu)",
        {},
        "certified or not on the majors list (all LAC majors certified; NI only Afghanistan, Lebanon)",
    ),
    1994: Determination(
        "estimate",
        "Estimate: the 1994 certification determination was not located",
        {},
        "Estimate: 0 as in PD 93-18; uncertain for BOL, COL, PRY and PER, which received national-"
        "interest certifications in 1995 (PD 95-15)",
    ),
    1995: Determination(
        "public",
        "Presidential Determination No. 95-15 of 28 Feb 1995, 60 FR 12859 (9 Mar 1995)",
        {k: (0.5, NI) for k in ("BOL", "COL", "PRY", "PER")},
        "certified or not on the majors list",
    ),
    1996: Determination(
        "public",
        "Certification determination of 1 Mar 1996, as reported by the "
        "Baltimore Sun, 'Colombia decertified for feeble cooperation', 2 Mar 1996, and the Chicago "
        "Tribune, 2 Mar 1996",
        {"COL": (1.0, "certification denied, no waiver"), "PRY": (0.5, NI + " (retained from 1995)")},
        "certified or not on the majors list (Bolivia and Peru moved to full certification)",
    ),
    1997: Determination(
        "public",
        "Presidential Determination No. 97-18 of 28 Feb 1997 "
        "(clintonwhitehouse6.archives.gov/1997/02/1997-02-28-certification-of-major-narcotics-countries)",
        {"COL": (1.0, "certification denied, no waiver"), "BLZ": (0.5, NI)},
        "certified or not on the majors list",
    ),
    1998: Determination(
        "public",
        "Presidential Determination No. 98-15 of 26 Feb 1998 (presidency.ucsb.edu)",
        {"COL": (0.5, NI), "PRY": (0.5, NI)},
        "certified or not on the majors list",
    ),
    1999: Determination(
        "public",
        "Annual Presidential Certifications, White House statement of 26 Feb 1999 "
        "(clintonwhitehouse6.archives.gov/1999/02/1999-02-26-statement-by-the-press-secretary-on-drug-"
        "producing-countries)",
        {"HTI": (0.5, NI), "PRY": (0.5, NI)},
        "certified or not on the majors list (Colombia fully certified)",
    ),
    2000: Determination(
        "public",
        "Presidential Determination No. 2000-16 of 29 Feb 2000 (White House, 1 Mar 2000)",
        {"HTI": (0.5, NI), "PRY": (0.5, NI)},
        "certified or not on the majors list",
    ),
    2001: Determination(
        "public",
        "Certification determination of 1 Mar 2001, as reported by the Washington Times, "
        "2 Mar 2001, and CBS News ('Anti-Drug Report Card')",
        {"HTI": (0.5, NI)},
        "certified or not on the majors list (Paraguay moved to full certification)",
    ),
    2002: Determination(
        "public",
        "Presidential Determination No. 2002-07 of 23 Feb 2002, 67 FR 9889 (5 Mar 2002)",
        {"HTI": (0.5, FD_W)},
        "not designated (FY2002 transitional procedure; no September 2002 determination)",
    ),
    2003: Determination(
        "public",
        "Presidential Determination No. 2003-38 of 15 Sep 2003, 68 FR 54973; Washington "
        "File, 'Bush Says Burma, Haiti Have Failed in Drug War', 15 Sep 2003",
        {"HTI": (0.5, FD_W)},
        "not designated on 15 Sep 2003 (PD 2003-14 of 31 Jan 2003 not used: status at year end)",
    ),
    2004: Determination(
        "public",
        "Presidential Determination No. 2004-47 of 15 Sep 2004 (3 CFR 2004 comp.); INL "
        "Assistant Secretary Robert Charles, statement of 16 Sep 2004: only Burma designated",
        {},
        "not designated (only Burma failed demonstrably)",
    ),
    2005: Determination(
        "public",
        "Presidential Determination No. 2005-36 of 14 Sep 2005, 70 FR 56807; White House statement of 15 Sep 2005",
        {"VEN": (0.5, FD_W + " (programmes for democratic institutions)")},
        "not designated",
    ),
    2006: Determination(
        "public",
        "Presidential Determination No. 2006-24 of 15 Sep 2006, 71 FR 57865",
        {"VEN": (0.5, FD_W + " (programmes for democratic institutions)")},
        "not designated",
    ),
    2007: Determination(
        "public",
        "Determination for FY2008 of Sep 2007, as summarised in CRS RL32488 (Sullivan & "
        "Olhero, 'Venezuela: Political Conditions and U.S. Policy', updated 11 Jan 2008): 'Since 2005, "
        "President Bush has annually designated Venezuela'",
        {"VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated",
    ),
    2008: Determination(
        "public",
        "Presidential Determination No. 2008-28 of 15 Sep 2008, 73 FR 54927",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated",
    ),
    2009: Determination(
        "public",
        "Presidential Determination No. 2009-30 of 15 Sep 2009, 74 FR 48369; State "
        "Department press statement of 15 Sep 2009 (2009-2017.state.gov/r/pa/prs/ps/2009/sept/129236.htm)",
        {"BOL": (0.5, FD_W), "VEN": (0.5, FD_W)},
        "not designated",
    ),
    2010: Determination(
        "public",
        "Presidential Determination No. 2010-16 of 15 Sep 2010 (m.state.gov/md149722.htm)",
        {"BOL": (0.5, FD_W + " (bilateral programmes)"), "VEN": (0.5, FD_W + " (limited programmes)")},
        "not designated",
    ),
    2011: Determination(
        "public",
        "Presidential Determination on Major Drug Transit or Major Illicit Drug Producing "
        "Countries for FY2012, Sep 2011 (text not retrieved)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated (assumed, as in 2010 and 2012)",
    ),
    2012: Determination(
        "public",
        "Presidential Determination No. 2012-15 of 14 Sep 2012, 77 FR 58915 (3 CFR 2012 "
        "comp.): support for programmes to aid Bolivia, Burma and Venezuela vital to US interests",
        {"BOL": (0.5, FD_W), "VEN": (0.5, FD_W)},
        "not designated",
    ),
    2013: Determination(
        "public",
        "Presidential Determination for FY2014, Sep 2013 (text not retrieved)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated (assumed)",
    ),
    2014: Determination(
        "public",
        "Presidential Determination No. 2014-15 of 15 Sep 2014 (INCSR 2015 vol. I; "
        "state.gov/j/inl/rls/nrcrpt/2015/vol1/238914.htm): Bolivia, Burma, Venezuela failed demonstrably",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated",
    ),
    2015: Determination(
        "public",
        "Presidential Determination No. 2015-12 of 14 Sep 2015, 80 FR 57061 (designations not retrieved)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated (assumed)",
    ),
    2016: Determination(
        "public",
        "Presidential Determination No. 2016-10 of 12 Sep 2016, 81 FR 64749 (Bolivia, "
        "Burma, Venezuela failed demonstrably); report of 6 Jan 2020 on the lifting of the aid restriction "
        "(wearebreakingnews.com, 'Donald Trump lifts the restriction on the delivery of assistance to "
        "Bolivia'): the FY2017 determination gave Bolivia no national-interest waiver",
        {"BOL": (1.0, "failed demonstrably, no waiver for Bolivia"), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated",
    ),
    2017: Determination(
        "public",
        "Presidential Determination No. 2017-12 of 13 Sep 2017, 82 FR 45413 (Bolivia and "
        "Venezuela failed demonstrably); AP (Joshua Goodman), 'Trump sending aid mission to Bolivia ahead "
        "of election', 7 Jan 2020: the White House lifted 'a longstanding ban on foreign aid to Bolivia' "
        "only in January 2020",
        {
            "BOL": (
                1.0,
                "Estimate: no waiver for Bolivia, inferred from the 'longstanding ban' lifted in "
                "Jan 2020 (AP) and the verified 2016 and 2018 determinations",
            ),
            "VEN": (0.5, VEN_WAIVER_GUESS),
        },
        "not designated",
    ),
    2018: Determination(
        "public",
        "Presidential Determination No. 2018-12 of 11 Sep 2018, 83 FR 50239: waiver only "
        "for programmes to promote democracy in Venezuela",
        {"BOL": (1.0, "failed demonstrably, no waiver"), "VEN": (0.5, FD_W + " (democracy programmes)")},
        "not designated",
    ),
    2019: Determination(
        "public",
        "Presidential Determination No. 2019-22 of 8 Aug 2019, 84 FR 44679 (Bolivia and "
        "'the illegitimate regime of Nicolas Maduro' failed demonstrably); AP (Joshua Goodman), 7 Jan "
        "2020: the aid ban on Bolivia was lifted by the White House only on 6 Jan 2020",
        {"BOL": (1.0, "failed demonstrably, no waiver in 2019 (waived 6 Jan 2020)"), "VEN": (0.5, VEN_WAIVER_GUESS)},
        "not designated",
    ),
    2020: Determination(
        "public",
        "Presidential Determination of Sep 2020 for FY2021, as summarised in CRS R46695 "
        "(Rosen, 'The U.S. Majors List...', 25 Feb 2021)",
        {
            "BOL": (0.5, FD_W + " (programmes supporting the Bolivian government)"),
            "VEN": (0.5, FD_W + " (programmes supporting the interim government)"),
        },
        "not designated",
    ),
    2021: Determination(
        "public",
        "Presidential Determination No. 2021-13 of 15 Sep 2021, 86 FR 52819; Reuters, "
        "15 Sep 2021: 'programs that support Bolivia and Venezuela are vital to the national interests'",
        {"BOL": (0.5, FD_W), "VEN": (0.5, FD_W)},
        "not designated",
    ),
    2022: Determination(
        "public",
        "Presidential Determination No. 2022-23 of 15 Sep 2022, 87 FR 58251 (Afghanistan, "
        "Bolivia, Burma, Venezuela failed demonstrably)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, WAIVER_GUESS)},
        "not designated",
    ),
    2023: Determination(
        "public",
        "Presidential Determination No. 2023-12 of 15 Sep 2023, 88 FR 66673 (designations not retrieved)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, WAIVER_GUESS)},
        "not designated (assumed)",
    ),
    2024: Determination(
        "public",
        "Presidential Determination No. 2024-12 of 15 Sep 2024, 89 FR 77761 (designations not retrieved)",
        {"BOL": (0.5, WAIVER_GUESS), "VEN": (0.5, WAIVER_GUESS)},
        "not designated (assumed)",
    ),
    2025: Determination(
        "public",
        "Presidential Determination for FY2026 of 15 Sep 2025 (Afghanistan, Bolivia, Burma, "
        "Colombia, Venezuela failed demonstrably; assistance to Bolivia, Burma, Colombia and Venezuela "
        "vital to US interests), as quoted by Reuters, 15-16 Sep 2025, and Radio Noticias Casanare, "
        "16 Sep 2025",
        {k: (0.5, FD_W) for k in ("BOL", "COL", "VEN")},
        "not designated",
    ),
}


def decertification_rows() -> list[Row]:
    """us_decertified per state-year from the determination in force on 31 Dec (2025: 2025-10-31)."""
    rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        det = DETERMINATIONS[year]
        derivation = ("Estimate: " if det.kind == "estimate" else "") + (
            "Value per state after the latest determination dated in the year (March certification to 2001, "
            "September determination from 2002): 0 certified / not designated / not on the majors list, 0.5 "
            "national-interest certification or 'failed demonstrably' with waiver, 1 denied without waiver."
        )
        sid = _src(f"us_pd_{year}", Source(det.kind, det.citation, "", "", derivation))
        for iso3 in CELAC:
            value, note = det.status.get(iso3, (0.0, det.default_note))
            rows.append(Row(iso3, year, "us_decertified", value, sid, note))
    return rows


# --------------------------------------------------------------------------------------------------
# Arms imports (SIPRI trade register)
# --------------------------------------------------------------------------------------------------
def arms_by_year(data: Path) -> pd.DataFrame:
    """TIV delivered per recipient, supplier group and delivery year (equal split over listed delivery years)."""
    s = pd.read_csv(data / SIPRI_FILE, dtype=str, keep_default_na=False)
    s["tiv"] = s["tiv_delivered"].astype(float)
    undated = s[(s["years_of_delivery"] == "") & (s["tiv"] != 0)]
    if len(undated):
        raise ValueError(f"{len(undated)} deals with TIV delivered but no delivery year")
    s = s[s["years_of_delivery"] != ""].copy()
    s["years"] = s["years_of_delivery"].str.split(";").map(lambda ys: [int(y) for y in ys])
    s["share"] = s["tiv"] / s["years"].map(len)
    s = s.explode("years")
    s["year"] = s["years"].astype(int)
    group = {name: g for g, names in SUPPLIER_GROUPS.items() for name in names}
    s["group"] = s["supplier"].map(group).fillna("other")
    return s.groupby(["iso3_recipient", "year", "group"], as_index=False)["share"].sum()


def arms_rows(data: Path) -> list[Row]:
    """Trailing 10-year TIV shares from the US, China and Russia/USSR, and the total TIV, 1990-2024."""
    sid = _src(
        "sipri_register",
        Source(
            "dataset",
            "SIPRI Arms Transfers Database, trade register, March 2025 release (deliveries through 2024); "
            "'Source: SIPRI Arms Transfers Database'",
            SIPRI_FILE,
            "tiv_delivered; years_of_delivery; supplier",
            "Each deal's tiv_delivered is spread equally over the years listed in years_of_delivery (SIPRI gives no "
            "per-year split; deals with no delivery year have zero TIV delivered). For year y, TIV delivered in "
            f"y-{ARMS_WINDOW - 1}..y is summed by supplier; share = supplier TIV / TIV from all suppliers (unknown "
            "suppliers included in the total). Russia includes the Soviet Union. No row when the state received no "
            "TIV in the window.",
        ),
    )
    tiv = arms_by_year(data)
    wide = tiv.pivot_table(
        index=["iso3_recipient", "year"], columns="group", values="share", aggfunc="sum", fill_value=0.0
    )
    rows = []
    for iso3 in CELAC:
        if iso3 not in wide.index.get_level_values(0):
            continue
        mine = wide.loc[iso3]
        for year in range(FIRST_YEAR, ARMS_LAST_YEAR + 1):
            window = mine[(mine.index > year - ARMS_WINDOW) & (mine.index <= year)]
            total = float(window.to_numpy().sum())
            if total <= 0:
                continue
            span = f"deliveries {year - ARMS_WINDOW + 1}-{year}"
            rows.append(Row(iso3, year, "arms_tiv_10y", total, sid, span))
            for g in SUPPLIER_GROUPS:
                part = float(window[g].sum()) if g in window else 0.0
                rows.append(Row(iso3, year, f"arms_share_{g}", part / total, sid, f"{span}; total TIV {total:.4g}"))
    return rows


# --------------------------------------------------------------------------------------------------
# FBIC China -> state, Confucius Institutes
# --------------------------------------------------------------------------------------------------
def fbic_rows(data: Path) -> list[Row]:
    """FBIC China -> state, 1994-2023, for the 25 states in the extract."""
    sid = _src(
        "fbic_henning",
        Source(
            "dataset",
            "FBIC index (Moyer, Meisel, Matthews, Bohl & Burrows 2021, 'China-US Competition: Measuring Global "
            "Influence', Atlantic Council / Pardee Center), secondary extract (Henning Aasheim thesis repository)",
            FBIC_FILE,
            "fbic_china_to_country",
            "Copied as extracted (China as country A, the state as country B); 6 significant digits.",
        ),
    )
    f = pd.read_csv(data / FBIC_FILE)
    f = f[(f["variable"] == "fbic_china_to_country") & f["iso3"].isin(CELAC)]
    return [Row(r.iso3, int(r.year), "fbic_china", float(r.value), sid, "") for r in f.itertuples(index=False)]


def confucius_rows(data: Path) -> list[Row]:
    """Confucius Institutes established by 31 Dec, 1990-2021, all 33 states (dated institutes only)."""
    sid = _src(
        "ci_las",
        Source(
            "dataset",
            "NC State Laboratory for Analytic Sciences, BRI dashboard listing of Confucius Institutes (compiled April "
            "2022 from Hanban/CI webpages), GitHub LAS-NCSU/bridash, data_final/confucius_institutes.csv",
            CI_FILE,
            "date_est",
            f"Count of listed institutes with date_est (m/d/yy, read as 20yy) on or before 31 Dec, years "
            f"{FIRST_YEAR}-{CI_LAST_YEAR}. Institutes without date_est are not counted in any year (the note gives "
            "their number, so the count is a lower bound). The 'status' flag (open/closed on 22 Apr 2022) is a "
            "website check, not a closure date (dataset guide), so no institute is removed. A state with no listed "
            "institute has 0.",
        ),
    )
    ci = pd.read_csv(data / CI_FILE, dtype=str, keep_default_na=False)
    dated = ci["date_est"] != ""
    ci["est"] = pd.NaT
    ci.loc[dated, "est"] = pd.to_datetime(ci.loc[dated, "date_est"], format="%m/%d/%y", errors="raise")
    rows = []
    for iso3 in CELAC:
        mine = ci[ci["iso3"] == iso3]
        undated = int(mine["est"].isna().sum())
        extra = f"; {undated} listed institute(s) without date not counted" if undated else ""
        for year in range(FIRST_YEAR, CI_LAST_YEAR + 1):
            n = int((mine["est"] <= pd.Timestamp(year, 12, 31)).sum())
            note = (f"{len(mine)} listed in total" if len(mine) else "no institute listed") + extra
            rows.append(Row(iso3, year, "confucius_institutes", float(n), sid, note))
    return rows


# --------------------------------------------------------------------------------------------------
# US free-trade agreements, NATO partnership, major non-NATO ally
# --------------------------------------------------------------------------------------------------
FTA_IN_FORCE: dict[str, tuple[date, str]] = {
    "MEX": (date(1994, 1, 1), "NAFTA in force 1 Jan 1994, replaced by USMCA on 1 Jul 2020"),
    "CHL": (date(2004, 1, 1), "US-Chile FTA in force 1 Jan 2004"),
    "SLV": (date(2006, 3, 1), "CAFTA-DR in force for El Salvador 1 Mar 2006"),
    "HND": (date(2006, 4, 1), "CAFTA-DR in force for Honduras 1 Apr 2006"),
    "NIC": (date(2006, 4, 1), "CAFTA-DR in force for Nicaragua 1 Apr 2006"),
    "GTM": (date(2006, 7, 1), "CAFTA-DR in force for Guatemala 1 Jul 2006"),
    "DOM": (date(2007, 3, 1), "CAFTA-DR in force for the Dominican Republic 1 Mar 2007"),
    "CRI": (date(2009, 1, 1), "CAFTA-DR in force for Costa Rica 1 Jan 2009"),
    "PER": (date(2009, 2, 1), "US-Peru Trade Promotion Agreement in force 1 Feb 2009"),
    "COL": (date(2012, 5, 15), "US-Colombia Trade Promotion Agreement in force 15 May 2012"),
    "PAN": (date(2012, 10, 31), "US-Panama Trade Promotion Agreement in force 31 Oct 2012"),
}
NATO_PARTNER: dict[str, tuple[date, str]] = {
    "COL": (
        date(2018, 5, 31),
        "NATO partner across the globe since 31 May 2018 (Santos-Stoltenberg, Brussels); "
        "Petro's stated intention (Jul 2025) to relinquish it not acted on by 2025-10-31",
    ),
}
MNNA: dict[str, tuple[date, str]] = {
    "ARG": (date(1998, 1, 1), "designated 1998 (Clinton administration; month not retrieved, dated to the year)"),
    "BRA": (date(2019, 7, 31), "designated by presidential memorandum of 31 Jul 2019"),
    "COL": (
        date(2022, 5, 23),
        "designated by presidential determination of 23 May 2022 (TASS/Sputnik reporting the memorandum, 24 May 2022)",
    ),
}


def status_rows(variable: str, start: Mapping[str, tuple[date, str]], sid: str, none_note: str) -> list[Row]:
    """A 0/1 status per state-year: 1 from the start date on (evaluated on the year's reference date)."""
    rows = []
    for iso3 in CELAC:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if iso3 in start and start[iso3][0] <= year_end(year):
                rows.append(Row(iso3, year, variable, 1.0, sid, start[iso3][1]))
            else:
                note = f"before {start[iso3][0].isoformat()}" if iso3 in start else none_note
                rows.append(Row(iso3, year, variable, 0.0, sid, note))
    return rows


def institution_rows() -> list[Row]:
    """us_fta, nato_global_partner and us_mnna for the 33 states, 1990-2025."""
    fta = _src(
        "ustr_fta",
        Source(
            "public",
            "Office of the US Trade Representative, 'Free Trade Agreements' "
            "(ustr.gov/trade-agreements/free-trade-agreements): NAFTA/USMCA, US-Chile FTA, CAFTA-DR, "
            "US-Peru TPA, US-Colombia TPA, US-Panama TPA, with entry-into-force dates by country",
            "",
            "",
            "1 if the agreement was in force for the state on 31 Dec (2025: 2025-10-31).",
        ),
    )
    nato = _src(
        "nato_partners",
        Source(
            "public",
            "NATO, 'Relations with partners across the globe' and 'Relations with Colombia' (nato.int); EFE, 'Colombia "
            "becomes NATO's first LatAm global partner', 31 May 2018; VOA, 26 May 2018",
            "",
            "",
            "1 from 31 May 2018 for Colombia, the only LAC partner across the globe; 0 otherwise.",
        ),
    )
    mnna = _src(
        "us_mnna",
        Source(
            "public",
            "US Department of State, 'Major Non-NATO Ally Status' fact sheet (state.gov), listing Argentina, "
            "Brazil and Colombia as the LAC MNNAs; designation documents as named in the row notes",
            "",
            "",
            "1 from the designation date; 0 otherwise.",
        ),
    )
    return (
        status_rows("us_fta", FTA_IN_FORCE, fta, "no US FTA")
        + status_rows("nato_global_partner", NATO_PARTNER, nato, "not a NATO partner across the globe")
        + status_rows("us_mnna", MNNA, mnna, "not designated")
    )


# --------------------------------------------------------------------------------------------------
# Assembly, checks and output
# --------------------------------------------------------------------------------------------------
def fmt_value(variable: str, value: float) -> str:
    """Fixed formatting: integers for int/bool variables, 6 significant digits otherwise."""
    if VARIABLES[variable].dtype in ("int", "bool"):
        if value != int(value):
            raise ValueError(f"{variable}: non-integer {value}")
        return str(int(value))
    return f"{value:.6g}"


def check_rows(rows: Iterable[Row]) -> None:
    """Every row: known variable and source, value in range, year in the window, no duplicate key."""
    seen: set[tuple[str, int, str]] = set()
    for r in rows:
        spec = VARIABLES.get(r.variable)
        if spec is None:
            raise ValueError(f"unknown variable {r.variable}")
        if r.source_id not in SOURCES:
            raise ValueError(f"unknown source {r.source_id}")
        if not FIRST_YEAR <= r.year <= LAST_YEAR:
            raise ValueError(f"year out of range: {r}")
        if not (np.isfinite(r.value) and spec.lo <= r.value <= spec.hi):
            raise ValueError(f"value out of range [{spec.lo}, {spec.hi}]: {r}")
        if r.iso3 not in CELAC + POWERS + ("WLD",):
            raise ValueError(f"unknown iso3: {r}")
        key = (r.iso3, r.year, r.variable)
        if key in seen:
            raise ValueError(f"duplicate row {key}")
        seen.add(key)
    for r in rows:
        if SOURCES[r.source_id].kind == "estimate" and not (
            r.note.startswith("Estimate:") or SOURCES[r.source_id].derivation.startswith("Estimate:")
        ):
            raise ValueError(f"estimate without reasoning: {r}")


def derive(data: Path, dta: Path | None, panel_csv: Path = PANEL_CSV) -> tuple[list[Row], pd.DataFrame]:
    """All panel rows (sorted) and the BRI event table."""
    SOURCES.clear()
    if dta is not None:
        full = read_dta(dta)
        problems = regional_mismatches(full, data)
        if problems:
            raise ValueError(f"{len(problems)} regional rows differ from the shared extract, e.g. {problems[:3]}")
        world = world_rows_from_dta(full) + world_percentile_rows(full)
    else:
        world = shipped_world_rows(panel_csv)
    events = bri_events(data)
    rows = (
        ideal_point_rows(data)
        + world
        + agreement_rows(data)
        + recognition_rows(read_recognition())
        + bri_rows(events)
        + sanction_rows(data)
        + regime_sanction_rows(data)
        + program_rows(read_programs())
        + decertification_rows()
        + arms_rows(data)
        + fbic_rows(data)
        + confucius_rows(data)
        + institution_rows()
    )
    rows.sort(key=lambda r: (r.variable, r.iso3, r.year))
    check_rows(rows)
    return rows, events


def _csv_text(columns: Iterable[str], records: Iterable[Iterable[object]]) -> str:
    """CSV text with a header, '\\n' line ends and minimal quoting."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(columns))
    writer.writerows(records)
    return buf.getvalue()


def render(rows: list[Row], events: pd.DataFrame) -> dict[Path, str]:
    """The four output files as text, keyed by path."""
    used = sorted({r.source_id for r in rows})
    return {
        PANEL_CSV: _csv_text(
            PANEL_COLUMNS,
            ((r.iso3, r.year, r.variable, fmt_value(r.variable, r.value), r.source_id, r.note) for r in rows),
        ),
        SOURCES_CSV: _csv_text(
            SOURCE_COLUMNS,
            (
                (
                    s,
                    SOURCES[s].kind,
                    SOURCES[s].citation,
                    SOURCES[s].dataset_file,
                    SOURCES[s].field,
                    SOURCES[s].derivation,
                )
                for s in used
            ),
        ),
        VARIABLES_CSV: _csv_text(
            VARIABLE_COLUMNS,
            (
                (v, spec.dtype, spec.unit, f"{spec.lo:g}", f"{spec.hi:g}", spec.description)
                for v, spec in sorted(VARIABLES.items())
            ),
        ),
        BRI_CSV: _csv_text(BRI_COLUMNS, events[list(BRI_COLUMNS)].itertuples(index=False, name=None)),
    }


def summary(rows: list[Row]) -> str:
    """Rows, states and years per variable."""
    df = pd.DataFrame([(r.variable, r.iso3, r.year) for r in rows], columns=["variable", "iso3", "year"])
    g = df.groupby("variable").agg(
        rows=("year", "size"), states=("iso3", "nunique"), first=("year", "min"), last=("year", "max")
    )
    return g.to_string()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder (../shared/data)")
    parser.add_argument("--dta", type=Path, default=None, help="IdealpointsJuly2025.dta (optional)")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    args = parser.parse_args(argv)
    rows, events = derive(args.data, args.dta)
    files = render(rows, events)
    if args.check:
        stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"differs: {p.relative_to(REPO_ROOT)}")
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
