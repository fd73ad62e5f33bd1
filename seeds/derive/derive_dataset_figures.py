"""Derive calibration figures for the 33 CELAC states from the shared raw datasets.

Reads the public datasets in ``--data`` (default: ``<repo_root>/../shared/data``) and
writes three long-format calibration tables into ``--out`` (default:
``<repo_root>/seeds/figures``):

* ``economy.csv``      GDP, trade openness, US/China trade shares, US aid, Chinese finance
* ``diplomacy.csv``    UNGA ideal points and vote agreement with the US and China
* ``institutions.csv`` Belt and Road membership, recognition of the PRC, US sanctions

Every table has the columns ``iso3,variable,value,year,source_kind,source,quote,note``,
one row per figure, sorted by ``iso3`` then ``variable``. Rows derived from a dataset
have ``source_kind=dataset``; figures the data cannot give are ``source_kind=estimate``
and their note starts with ``Estimate:`` and gives the reasoning.

The script is deterministic, uses only pandas/numpy/stdlib, never copies raw data into
the project, and checks its own output (coverage, ranges, share sums) before writing.

Usage::

    python seeds/derive/derive_dataset_figures.py [--data DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.seeds import CELAC_ISO3

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
DEFAULT_DATA: Path = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT: Path = REPO_ROOT / "seeds" / "figures"
VARIABLES_CSV: Path = REPO_ROOT / "seeds" / "variables.csv"

CELAC: tuple[str, ...] = CELAC_ISO3
COLUMNS: tuple[str, ...] = (
    "iso3",
    "variable",
    "value",
    "year",
    "source_kind",
    "source",
    "quote",
    "note",
)

# Citations as the data README gives them (short form), plus the file name.
SRC_WITS = "World Bank WITS country trade summaries (wits_trade_summary_lac.csv)"
SRC_AID = "USAID Foreign Aid Explorer / ForeignAssistance.gov (us_foreign_aid_lac.csv)"
SRC_AIDDATA = (
    "AidData Global Chinese Development Finance Dataset v3.0, Custer et al. 2023 (chinese_development_finance_lac.csv)"
)
SRC_UNGA = "Bailey, Strezhnev & Voeten (2017) UNGA ideal points, June 2024 release (unga_ideal_points_lac.csv)"
SRC_GSDB = "Global Sanctions Database v3, Felbermayr et al. 2020; Kirikakha et al. 2021 (sanctions_gsdb_v3_lac.csv)"
SRC_BRI = (
    "BRI membership and PRC recognition, compiled from news and official statements "
    "as of 2025-05 (bri_membership_lac.csv)"
)
SRC_AUTHOR = "author estimate (no dataset coverage)"

# --- WITS -------------------------------------------------------------------------
WITS_GDP = "GDP (current US$ Mil)"
WITS_TRADE = "Trade (% of GDP)"
WITS_SHARE = {
    "Export": "Partner share(%)-Top 5 Export Partner",
    "Import": "Partner share(%)-Top 5 Import Partner",
}
WITS_PARTNERS = {"us": "United States", "cn": "China"}
# A flow-year where more than this share (%) of trade goes to partner "Unspecified"
# says nothing about the US/China split (Venezuela's exports after 2008, Cuba 2006);
# such years are skipped in favour of the latest year with a usable breakdown.
UNSPECIFIED_MAX_PCT = 50.0

# --- US aid -----------------------------------------------------------------------
AID_TYPE = "Disbursements"
AID_WINDOW = (2018, 2021)

# --- Chinese finance --------------------------------------------------------------
CN_FLOW_WINDOW = (2012, 2021)
CN_STOCK_WINDOW = (2000, 2021)
CN_COMPONENTS = ("oof_adj", "oda_adj", "vof_adj")

# --- UNGA -------------------------------------------------------------------------
UNGA_FIRST_YEAR = 1945  # session s opens in year 1945 + s (session 78 = 2023)
UNGA_VARS = {
    "unga_ideal_point": "IdealPointAll",
    "unga_agree_us": "USAgree",
    "unga_agree_cn": "ChinaAgree",
}

# --- Institutions -----------------------------------------------------------------
INSTITUTIONS_YEAR = 2025
SANCTIONS_YEAR = 2022
# Every US case in the GSDB that is still ongoing at the end of the data (end == 2022)
# is classified here by hand; the script fails if the data holds one not listed.
# counts=True: a sanction on the state or its government (regime/policy objective).
# counts=False: designations of individuals / narcotics kingpins or a residual measure.
US_CASES_COUNTED: dict[int, str] = {
    50: "arms embargo on Cuba (destab_regime)",
    72: "complete trade embargo on Cuba (destab_regime)",
    434: "Cuban Democracy Act financial/travel (destab_regime)",
    557: "Helms-Burton financial/travel (destab_regime)",
    794: "arms embargo on Venezuela (policy_change)",
    818: "Venezuela financial, terrorism objective",
    1037: "Venezuela trade/financial/travel (human_rights, democracy)",
    1080: "Venezuela government financial sanctions (democracy, human_rights, terrorism)",
    1136: "Venezuela trade/financial (human_rights, democracy)",
    1173: "Venezuela complete export ban/partial import (democracy)",
    1099: "Nicaragua trade/financial/travel, NICA Act era (human_rights, democracy)",
    1236: "Nicaragua financial (human_rights, democracy)",
}
US_CASES_NOT_COUNTED: dict[int, str] = {
    512: "arms/military restriction on Haiti since 1994, a residual arms-export "
    "control kept through Haiti's instability, not a sanction against its government",
    875: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    876: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    879: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    881: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    887: "objective 'other', financial: narcotics/kingpin designations",
    893: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    906: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    919: "objective 'other', trade/financial flags: narcotics/kingpin designations",
    957: "objective 'other', partial import ban: narcotics/kingpin designations",
    1082: "human_rights/other financial: designations of individuals",
    1088: "objective 'other', financial: designations of individuals",
    1089: "objective 'other', trade/financial: designations of individuals",
    1112: "objective 'other', financial: designations of individuals",
    1144: "human_rights financial/travel: designations of officials",
    1150: "human_rights trade/financial: designations of individuals",
    1153: "human_rights financial/travel: designations of individuals",
    1183: "objective 'other', financial: designations of individuals",
    1204: "financial/travel on officials (visa bans, corruption designations)",
    1208: "travel bans on officials (democracy/other)",
    1209: "human_rights/other trade/financial (with UK): designations of individuals",
    1214: "travel bans on officials (democracy/other)",
    1238: "human_rights/other: corruption designations of individuals",
    1282: "objective 'other', financial: designations of individuals",
    1283: "objective 'other', financial: designations of individuals",
    1285: "travel bans on officials (democracy/other)",
    1294: "objective 'other', financial: designations of individuals",
}

# Known gaps in bri_membership_lac.csv, flagged in the note but not overridden
# (the value stays as the dataset gives it; fix it upstream with a cited source).
RECOGNITION_GAPS: dict[str, str] = {
    "DMA": "CHECK: Dominica switched from Taipei to Beijing in March 2004 (after 2000), "
    "which the dataset does not record",
    "GRD": "CHECK: Grenada switched from Taipei to Beijing in January 2005 (after "
    "2000), which the dataset does not record",
}

# --- Haiti (missing from WITS) ----------------------------------------------------
HAITI_YEAR = 2022
HAITI_ESTIMATES: dict[str, tuple[float, str]] = {
    "gdp_usd_bn": (
        20.0,
        (
            "Estimate: Haiti is missing from WITS; World Bank national accounts put Haiti's "
            "GDP at roughly USD 20 bn (current) in 2022-2023, rounded here; not from the "
            "shared data, and other states' GDP is WITS 2015, so not strictly comparable."
        ),
    ),
    "trade_pct_gdp": (
        38.0,
        (
            "Estimate: Haiti is missing from WITS; goods imports about USD 4.5 bn, goods "
            "exports about USD 1 bn plus about USD 1.5 bn services trade give about "
            "USD 7-8 bn, i.e. roughly 35-40% of a USD 20 bn GDP."
        ),
    ),
    "export_share_us": (
        0.80,
        (
            "Estimate: Haiti is missing from WITS; the US is by far Haiti's main export "
            "market (apparel under HOPE/HELP preferences), about 80% of goods exports."
        ),
    ),
    "export_share_cn": (
        0.01,
        (
            "Estimate: Haiti is missing from WITS; China is a marginal destination for "
            "Haitian goods (apparel goes to the US, the rest mostly to the Dominican "
            "Republic, Canada and Europe), about 1%."
        ),
    ),
    "import_share_us": (
        0.30,
        (
            "Estimate: Haiti is missing from WITS; the US is the largest import source "
            "(rice, fuel, food), roughly 30% of goods imports (uncertain by +-0.05)."
        ),
    ),
    "import_share_cn": (
        0.18,
        (
            "Estimate: Haiti is missing from WITS; China is a major import source "
            "(textile inputs, consumer goods), roughly 15-20% of goods imports, next to "
            "the US and the Dominican Republic (uncertain by +-0.05)."
        ),
    ),
}


@dataclass(frozen=True)
class Figure:
    """One calibration figure (one output row)."""

    iso3: str
    variable: str
    value: str
    year: int
    source_kind: str
    source: str
    note: str
    quote: str = ""

    def as_row(self) -> list[str]:
        """Return the row in the order of ``COLUMNS``."""
        return [
            self.iso3,
            self.variable,
            self.value,
            str(self.year),
            self.source_kind,
            self.source,
            self.quote,
            self.note,
        ]


# ---------------------------------------------------------------------------------
# formatting helpers
# ---------------------------------------------------------------------------------
def fmt_num(x: float, decimals: int) -> str:
    """Format a number compactly: round to ``decimals`` and strip trailing zeros."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        raise ValueError("refusing to format a missing number")
    s = f"{round(float(x), decimals):.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s


def fmt_share(x: float) -> str:
    """Format a fraction in [0, 1] with 4 decimals."""
    return fmt_num(x, 4)


def fmt_money(x: float) -> str:
    """Format a money amount (USD bn or USD m) with 3 decimals."""
    return fmt_num(x, 3)


def fmt_date(raw: object) -> tuple[str, str]:
    """Normalise a YYYY, YYYY-MM or YYYY-MM-DD string; return (date, remark)."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw) == "":
        return "", ""
    s = str(raw).strip()
    parts = s.split("-")
    if len(parts) == 3:
        return s, ""
    if len(parts) == 2:
        return (
            f"{s}-01",
            f"dataset gives only {s} (YYYY-MM); set to the 1st of the month",
        )
    if len(parts) == 1 and len(s) == 4:
        return f"{s}-01-01", f"dataset gives only the year {s}; set to {s}-01-01"
    raise ValueError(f"unrecognised date {raw!r}")


def shorten(text: object, limit: int = 160) -> str:
    """Return ``text`` trimmed to ``limit`` characters (empty for missing)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3].rstrip() + "..."


# ---------------------------------------------------------------------------------
# economy
# ---------------------------------------------------------------------------------
def read_wits(data: Path) -> pd.DataFrame:
    """Read the WITS long table and repair the one mis-encoded partner name."""
    w = pd.read_csv(data / "wits_trade_summary_lac.csv")
    w["partner"] = w["partner"].astype(str).str.replace("Cura\ufffdao", "Curacao")
    return w.dropna(subset=["value"])


def wits_latest(w: pd.DataFrame, iso3: str, indicator: str) -> tuple[int, float]:
    """Latest year and value of a country-level WITS indicator."""
    d = w[(w["iso3"] == iso3) & (w["indicator"] == indicator)]
    if d.empty:
        raise KeyError(f"{iso3}: no WITS {indicator!r}")
    row = d.sort_values("year").iloc[-1]
    return int(row["year"]), float(row["value"])


def share_year(w: pd.DataFrame, iso3: str) -> tuple[int, str]:
    """Pick the latest year with top-5 partner shares for both flows.

    Years in which partner 'Unspecified' takes more than ``UNSPECIFIED_MAX_PCT`` of
    either flow are skipped (the US/China split is then unknowable).
    Returns the year and a remark for the note ('' when the latest year was used).
    """
    s = w[(w["iso3"] == iso3) & w["indicator"].isin(WITS_SHARE.values())]
    years_by_flow = [set(s.loc[s["flow"] == f, "year"]) for f in WITS_SHARE]
    common = sorted(set.intersection(*years_by_flow), reverse=True)
    if not common:
        raise KeyError(f"{iso3}: no year with both export and import partner shares")
    skipped: list[str] = []
    for y in common:
        unspec = s[(s["year"] == y) & (s["partner"] == "Unspecified")]
        bad = unspec[unspec["value"] > UNSPECIFIED_MAX_PCT]
        if bad.empty:
            remark = ""
            if skipped:
                remark = (
                    "latest usable year; skipped "
                    + ", ".join(skipped)
                    + f" where partner 'Unspecified' exceeds {UNSPECIFIED_MAX_PCT:g}%"
                )
            elif y != max(max(ys) for ys in years_by_flow):
                remark = "latest year with both export and import partner shares"
            return int(y), remark
        detail = "/".join(f"{r.flow} {r.value:g}%" for r in bad.itertuples())
        skipped.append(f"{y} ({detail})")
    raise KeyError(f"{iso3}: every year is dominated by 'Unspecified'")


def trade_share_figures(w: pd.DataFrame, iso3: str) -> list[Figure]:
    """US and China export/import shares for one country from WITS top-5 partners."""
    year, remark = share_year(w, iso3)
    out: list[Figure] = []
    for flow, indicator in WITS_SHARE.items():
        d = w[(w["iso3"] == iso3) & (w["indicator"] == indicator) & (w["year"] == year)]
        d = d.sort_values(["value", "partner"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
        if len(d) < 5:
            raise ValueError(f"{iso3} {year} {flow}: fewer than 5 partners listed")
        fifth = d.iloc[4]
        for key, partner in WITS_PARTNERS.items():
            var = f"{flow.lower()}_share_{key}"
            hit = d[d["partner"] == partner]
            extra = f"; {remark}" if remark else ""
            if not hit.empty:
                pct = float(hit["value"].iloc[0])
                rank = int(hit.index[0]) + 1
                out.append(
                    Figure(
                        iso3,
                        var,
                        fmt_share(pct / 100),
                        year,
                        "dataset",
                        SRC_WITS,
                        f"indicator '{indicator}', partner={partner} (rank {rank} of "
                        f"top 5), {year}, {pct:g}% /100{extra}",
                    )
                )
                continue
            half = float(fifth["value"]) / 2
            value = half / 100
            note = (
                f"Estimate: below top-5 partner in WITS {year}; set to half the 5th "
                f"partner's share ({float(fifth['value']):.2f}%, {fifth['partner']}) "
                f"= {half:.3f}%"
            )
            if iso3 == "CUB" and key == "us" and flow == "Export":
                # The US embargo bans imports of Cuban-origin goods outright.
                value = 0.0
                note = (
                    f"Estimate: below top-5 partner in WITS {year}; the half-5th rule "
                    f"would give {half / 100:.4f}, but the US embargo (GSDB case 72, "
                    "complete export and import ban) prohibits imports of Cuban-origin "
                    "goods, so set to 0"
                )
            out.append(
                Figure(
                    iso3,
                    var,
                    fmt_share(value),
                    year,
                    "estimate",
                    SRC_WITS,
                    note + extra,
                )
            )
    return out


def us_aid_figures(data: Path) -> list[Figure]:
    """US aid disbursements (constant USD), mean over the last complete fiscal years (AID_WINDOW).

    FY2022, the latest year in the file, looks incomplete (region-wide disbursements are about half of FY2021),
    so the mean over FY2018-FY2021 is used; a missing year counts as 0 and a net-negative year (refunds) as 0.
    """
    a = pd.read_csv(data / "us_foreign_aid_lac.csv")
    a["fy"] = pd.to_numeric(a["fiscal_year"], errors="coerce")  # drops '1976tq'
    d = a[(a["transaction_type_name"] == AID_TYPE) & a["fy"].notna()]
    by_fy = d.groupby("fy")["constant_amount"].sum()
    latest = int(d["fy"].max())
    ratio = float(by_fy[latest] / by_fy[latest - 1])
    first, last = AID_WINDOW
    out: list[Figure] = []
    for iso3 in CELAC:
        c = d[d["country_code"] == iso3]
        if c.empty:
            raise KeyError(f"{iso3}: no US aid disbursements")
        if c["fy"].duplicated().any():
            raise ValueError(f"{iso3}: duplicate fiscal years in aid data")
        years = {int(y): float(v) / 1e6 for y, v in zip(c["fy"], c["constant_amount"], strict=True)}
        window = [max(years.get(y, 0.0), 0.0) for y in range(first, last + 1)]
        musd = sum(window) / len(window)
        parts = [
            f"transaction_type_name '{AID_TYPE}', constant_amount (constant USD), mean FY{first}-FY{last}, /1e6",
            "per-year values "
            + ", ".join(f"FY{y} {v:.3f}" for y, v in zip(range(first, last + 1), window, strict=True)),
            f"FY{latest} not used: region-wide FY{latest} disbursements are {ratio:.0%} of FY{latest - 1} "
            "(reporting looks incomplete)",
        ]
        missing = [y for y in range(first, last + 1) if y not in years]
        if missing:
            parts.append("no row (counted as 0) for " + ", ".join(f"FY{y}" for y in missing))
        negative = [y for y in range(first, last + 1) if years.get(y, 0.0) < 0]
        if negative:
            parts.append("net negative (refunds) set to 0 for " + ", ".join(f"FY{y}" for y in negative))
        out.append(Figure(iso3, "us_aid_musd", fmt_money(musd), last, "dataset", SRC_AID, "; ".join(parts)))
    return out


def cn_finance_figures(data: Path) -> list[Figure]:
    """Chinese official finance: mean annual flow 2012-2021 and 2000-2021 stock."""
    c = pd.read_csv(data / "chinese_development_finance_lac.csv")
    if c.duplicated(["iso3", "year"]).any():
        raise ValueError("duplicate country-years in Chinese finance data")
    c["total"] = c[list(CN_COMPONENTS)].sum(axis=1)
    comp = " + ".join(CN_COMPONENTS)
    lo, hi = CN_FLOW_WINDOW
    s_lo, s_hi = CN_STOCK_WINDOW
    n_years = hi - lo + 1
    out: list[Figure] = []
    for iso3 in CELAC:
        d = c[c["iso3"] == iso3]
        flow_sum = float(d.loc[d["year"].between(lo, hi), "total"].sum())
        stock = float(d.loc[d["year"].between(s_lo, s_hi), "total"].sum())
        absent = "; country has no rows in the dataset, so 0" if d.empty else ""
        n_flow = int((d["year"].between(lo, hi) & (d["total"] > 0)).sum())
        out.append(
            Figure(
                iso3,
                "cn_finance_flow_musd",
                fmt_money(flow_sum / n_years / 1e6),
                hi,
                "dataset",
                SRC_AIDDATA,
                f"mean over {lo}-{hi} ({n_years} years, missing years = 0) of yearly "
                f"{comp} (constant 2021 USD), /1e6; {n_flow} of {n_years} years "
                f"non-zero{absent}",
            )
        )
        out.append(
            Figure(
                iso3,
                "cn_finance_stock_musd",
                fmt_money(stock / 1e6),
                s_hi,
                "dataset",
                SRC_AIDDATA,
                f"sum over {s_lo}-{s_hi} of yearly {comp} (constant 2021 USD, commitments, undecayed), /1e6{absent}",
            )
        )
    return out


RATIOS = {  # derived variable: (numerator variable, its label)
    "us_aid_pct_gdp": ("us_aid_musd", "US aid"),
    "cn_finance_flow_pct_gdp": ("cn_finance_flow_musd", "Chinese finance flow"),
    "cn_finance_stock_pct_gdp": ("cn_finance_stock_musd", "Chinese finance stock"),
}


def ratio_figures(figs: list[Figure]) -> list[Figure]:
    """Money figures as percent of GDP: value_musd / (gdp_usd_bn * 1000) * 100, dated by the money figure.

    A ratio is an estimate when either input is one (Haiti's GDP), otherwise a dataset figure.
    """
    by_key = {(f.iso3, f.variable): f for f in figs}
    out = []
    for iso3 in CELAC:
        gdp = by_key[(iso3, "gdp_usd_bn")]
        for variable, (numerator, label) in RATIOS.items():
            money = by_key[(iso3, numerator)]
            value = float(money.value) / (float(gdp.value) * 1000) * 100
            how = (
                f"derived: {numerator} ({money.year}) / (gdp_usd_bn ({gdp.year}) * 1000) * 100; "
                f"{label} {money.value} USD m, GDP {gdp.value} USD bn"
            )
            if "estimate" in (gdp.source_kind, money.source_kind):
                out.append(
                    Figure(
                        iso3,
                        variable,
                        fmt_num(value, 4),
                        money.year,
                        "estimate",
                        "Estimate",
                        f"Estimate: an input is an estimate; {how}",
                    )
                )
            else:
                out.append(Figure(iso3, variable, fmt_num(value, 4), money.year, "dataset", money.source, how))
    return out


def economy(data: Path) -> list[Figure]:
    """All economy.csv figures."""
    w = read_wits(data)
    out: list[Figure] = []
    for iso3 in CELAC:
        if iso3 == "HTI":
            for var, (val, note) in HAITI_ESTIMATES.items():
                f = (
                    fmt_money(val)
                    if var == "gdp_usd_bn"
                    else (fmt_num(val, 2) if var == "trade_pct_gdp" else fmt_share(val))
                )
                out.append(Figure(iso3, var, f, HAITI_YEAR, "estimate", SRC_AUTHOR, note))
            continue
        y, gdp = wits_latest(w, iso3, WITS_GDP)
        out.append(
            Figure(
                iso3,
                "gdp_usd_bn",
                fmt_money(gdp / 1000),
                y,
                "dataset",
                SRC_WITS,
                f"indicator '{WITS_GDP}', latest year {y}, /1000",
            )
        )
        y, tr = wits_latest(w, iso3, WITS_TRADE)
        out.append(
            Figure(
                iso3,
                "trade_pct_gdp",
                fmt_num(tr, 2),
                y,
                "dataset",
                SRC_WITS,
                f"indicator '{WITS_TRADE}', latest year {y}",
            )
        )
        out.extend(trade_share_figures(w, iso3))
    out.extend(us_aid_figures(data))
    out.extend(cn_finance_figures(data))
    out.extend(ratio_figures(out))
    return out


# ---------------------------------------------------------------------------------
# diplomacy
# ---------------------------------------------------------------------------------
def diplomacy(data: Path) -> list[Figure]:
    """UNGA ideal points (33 + USA + CHN) and agreement with the US and China (33)."""
    u = pd.read_csv(data / "unga_ideal_points_lac.csv")
    latest_session = int(u["session"].max())
    out: list[Figure] = []
    for iso3 in (*CELAC, "USA", "CHN"):
        d = u[u["iso3c"] == iso3].sort_values("session")
        if d.empty:
            raise KeyError(f"{iso3}: no UNGA rows")
        variables = UNGA_VARS if iso3 in CELAC else {"unga_ideal_point": "IdealPointAll"}
        for var, col in variables.items():
            have = d[d[col].notna()]
            row = have.iloc[-1]
            session = int(row["session"])
            year = UNGA_FIRST_YEAR + session
            note = f"column {col}, session {session} ({year}), {int(row['NVotesAll'])} votes"
            if session < latest_session:
                missing = sorted(set(range(session + 1, latest_session + 1)) - set(d["session"]))
                why = (
                    f"no rows for sessions {missing[0]}-{missing[-1]}"
                    if missing
                    else f"{col} is NA after session {session}"
                )
                note += f"; latest session with a value ({why} in the dataset)"
            out.append(
                Figure(
                    iso3,
                    var,
                    fmt_share(float(row[col])),
                    year,
                    "dataset",
                    SRC_UNGA,
                    note,
                )
            )
    return out


# ---------------------------------------------------------------------------------
# institutions
# ---------------------------------------------------------------------------------
def bri_figures(data: Path) -> list[Figure]:
    """BRI memorandum/exit dates and recognition of the PRC."""
    b = pd.read_csv(data / "bri_membership_lac.csv", dtype=str, keep_default_na=False)
    if sorted(b["iso3"]) != list(CELAC):
        raise ValueError("BRI table does not cover exactly the 33 CELAC states")
    out: list[Figure] = []
    for r in b.sort_values("iso3").itertuples(index=False):
        sn = shorten(r.source_note)
        src_note = f"; source_note: {sn}" if sn else ""
        partial = r.verified == "partial"

        joined, remark = fmt_date(r.bri_mou_signed)
        parts = [f"bri_mou_signed={r.bri_mou_signed or '(empty)'}"]
        parts.append(remark if remark else "")
        if not joined:
            parts.append("never signed a BRI memorandum (as of 2025-05)")
        if partial and joined:
            parts.append("verified=partial: month unverified")
        note = "; ".join(p for p in parts if p) + src_note
        out.append(
            Figure(
                r.iso3,
                "bri_joined",
                joined,
                INSTITUTIONS_YEAR,
                "dataset",
                SRC_BRI,
                note,
            )
        )

        exit_, remark = fmt_date(r.bri_exit)
        parts = [f"bri_exit={r.bri_exit or '(empty)'}", remark]
        if not exit_:
            parts.append("never left" if joined else "never a member")
        note = "; ".join(p for p in parts if p) + src_note
        out.append(Figure(r.iso3, "bri_exit", exit_, INSTITUTIONS_YEAR, "dataset", SRC_BRI, note))

        if r.recognizes not in ("PRC", "ROC"):
            raise ValueError(f"{r.iso3}: unexpected recognizes={r.recognizes!r}")
        out.append(
            Figure(
                r.iso3,
                "recognizes_prc",
                "1" if r.recognizes == "PRC" else "0",
                INSTITUTIONS_YEAR,
                "dataset",
                SRC_BRI,
                f"recognizes={r.recognizes} (1 if PRC), as of 2025-05",
            )
        )

        since, remark = fmt_date(r.recognizes_prc_since)
        parts = [f"recognizes_prc_since={r.recognizes_prc_since or '(empty)'}", remark]
        if not since:
            parts.append(
                "empty: recognises Taipei"
                if r.recognizes == "ROC"
                else "empty in the dataset: no switch to Beijing recorded since 2000"
            )
            parts.append(RECOGNITION_GAPS.get(r.iso3, ""))
        out.append(
            Figure(
                r.iso3,
                "recognition_since",
                since,
                INSTITUTIONS_YEAR,
                "dataset",
                SRC_BRI,
                "; ".join(p for p in parts if p) + (src_note if since else ""),
            )
        )
    return out


def sanctions_figures(data: Path) -> list[Figure]:
    """US sanctions on the state or its government in force at the end of the GSDB."""
    s = pd.read_csv(data / "sanctions_gsdb_v3_lac.csv")
    # a few early cases name several targets ("El Salvador, Honduras"): one row each
    s["target"] = s["sanctioned_state"].str.split(", ", regex=False)
    s = s.explode("target", ignore_index=True)
    s["iso3"] = s["target"].map(_gsdb_iso3())
    if s["iso3"].isna().any():
        bad = sorted(s.loc[s["iso3"].isna(), "target"].unique())
        raise KeyError(f"GSDB target names without ISO3: {bad}")
    last = int(s["end"].max())
    ongoing = s[
        s["sanctioning_state"].str.contains("United States", regex=False)
        & (s["end"] == last)
        & s["success"].str.contains("ongoing", regex=False)
    ]
    unclassified = set(ongoing["case_id"]) - set(US_CASES_COUNTED) - set(US_CASES_NOT_COUNTED)
    if unclassified:
        raise ValueError(f"ongoing US GSDB cases not classified: {sorted(unclassified)}")
    out: list[Figure] = []
    for iso3 in CELAC:
        cases = ongoing[ongoing["iso3"] == iso3].sort_values("case_id")
        counted = [int(c) for c in cases["case_id"] if c in US_CASES_COUNTED]
        ignored = [int(c) for c in cases["case_id"] if c in US_CASES_NOT_COUNTED]
        head = (
            f"ongoing US cases (end={last}, success contains 'ongoing') counted as sanctions on the state/government: "
        )
        note = head + ", ".join(f"{c} ({US_CASES_COUNTED[c]})" for c in counted) if counted else head + "none"
        if ignored:
            by_reason: dict[str, list[int]] = {}
            for c in ignored:
                by_reason.setdefault(US_CASES_NOT_COUNTED[c], []).append(c)
            note += "; not counted: " + "; ".join(
                f"{', '.join(map(str, ids))} ({why})" for why, ids in by_reason.items()
            )
        out.append(
            Figure(
                iso3,
                "us_sanctions",
                "1" if counted else "0",
                SANCTIONS_YEAR,
                "dataset",
                SRC_GSDB,
                note,
            )
        )
    return out


def _gsdb_iso3() -> dict[str, str]:
    """Map GSDB target names to ISO3 codes."""
    return {
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


def institutions(data: Path) -> list[Figure]:
    """All institutions.csv figures."""
    return bri_figures(data) + sanctions_figures(data)


# ---------------------------------------------------------------------------------
# checks and output
# ---------------------------------------------------------------------------------
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "economy": {
        v: CELAC
        for v in (
            "gdp_usd_bn",
            "trade_pct_gdp",
            "export_share_us",
            "export_share_cn",
            "import_share_us",
            "import_share_cn",
            "us_aid_musd",
            "cn_finance_flow_musd",
            "cn_finance_stock_musd",
            *RATIOS,
        )
    },
    "diplomacy": {
        "unga_ideal_point": (*CELAC, "USA", "CHN"),
        "unga_agree_us": CELAC,
        "unga_agree_cn": CELAC,
    },
    "institutions": {
        v: CELAC
        for v in (
            "bri_joined",
            "bri_exit",
            "recognizes_prc",
            "recognition_since",
            "us_sanctions",
        )
    },
}


def check(name: str, figs: list[Figure], spec: pd.DataFrame) -> None:
    """Validate coverage, value types and ranges of one table; raise on any problem."""
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for f in figs:
        seen[(f.iso3, f.variable)] = seen.get((f.iso3, f.variable), 0) + 1
        if f.source_kind not in ("dataset", "estimate"):
            problems.append(f"{f.iso3} {f.variable}: bad source_kind {f.source_kind}")
        if f.source_kind == "estimate" and not f.note.startswith("Estimate:"):
            problems.append(f"{f.iso3} {f.variable}: estimate note must start 'Estimate:'")
        if f.variable not in spec.index:
            problems.append(f"{f.variable}: not in variables.csv")
            continue
        meta = spec.loc[f.variable]
        if meta["dtype"] == "date":
            if f.value == "":
                if meta["required"] == "yes":
                    problems.append(f"{f.iso3} {f.variable}: empty required date")
            else:
                pd.Timestamp(f.value)  # raises on a malformed date
                if len(f.value) != 10:
                    problems.append(f"{f.iso3} {f.variable}: date not YYYY-MM-DD")
            continue
        x = float(f.value)
        lo, hi = float(meta["min"]), float(meta["max"])
        if not (lo <= x <= hi):
            problems.append(f"{f.iso3} {f.variable}: {x} outside [{lo}, {hi}]")
        if meta["dtype"] == "bool" and f.value not in ("0", "1"):
            problems.append(f"{f.iso3} {f.variable}: bool not 0/1")
    for var, states in EXPECTED[name].items():
        for iso3 in states:
            n = seen.pop((iso3, var), 0)
            if n != 1:
                problems.append(f"{iso3} {var}: {n} rows (expected 1)")
    if seen:
        problems.append(f"unexpected rows: {sorted(seen)}")
    if name == "economy":
        val = {(f.iso3, f.variable): float(f.value) for f in figs}
        yr = {(f.iso3, f.variable): f.year for f in figs}
        for iso3 in CELAC:
            for flow in ("export", "import"):
                tot = val[(iso3, f"{flow}_share_us")] + val[(iso3, f"{flow}_share_cn")]
                if tot > 1:
                    problems.append(f"{iso3}: {flow} shares US+CN = {tot:.4f} > 1")
            years = {yr[(iso3, f"{fl}_share_{p}")] for fl in ("export", "import") for p in ("us", "cn")}
            if len(years) != 1:
                problems.append(f"{iso3}: trade shares from different years {sorted(years)}")
    if problems:
        raise ValueError(f"{name}: " + " | ".join(problems))


def write_table(path: Path, figs: Iterable[Figure]) -> int:
    """Write figures sorted by iso3, variable; return the number of rows."""
    rows = sorted((f.as_row() for f in figs), key=lambda r: (r[0], r[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(COLUMNS)
        wr.writerows(rows)
    return len(rows)


def summary(tables: dict[str, list[Figure]]) -> pd.DataFrame:
    """Wide summary (one row per state) of the key variables; '*' marks estimates."""
    recs: list[dict[str, object]] = []
    for figs in tables.values():
        for f in figs:
            if f.iso3 in CELAC:
                mark = "*" if f.source_kind == "estimate" else ""
                recs.append({"iso3": f.iso3, "variable": f.variable, "v": f"{f.value}{mark}"})
    wide = pd.DataFrame(recs).pivot(index="iso3", columns="variable", values="v")
    short = {
        "gdp_usd_bn": "gdp_bn",
        "trade_pct_gdp": "trade%",
        "export_share_us": "xUS",
        "export_share_cn": "xCN",
        "import_share_us": "mUS",
        "import_share_cn": "mCN",
        "us_aid_musd": "usaid",
        "cn_finance_flow_musd": "cnflow",
        "cn_finance_stock_musd": "cnstock",
        "unga_ideal_point": "ideal",
        "unga_agree_us": "agUS",
        "unga_agree_cn": "agCN",
        "bri_joined": "bri",
        "bri_exit": "bri_exit",
        "recognizes_prc": "prc",
        "us_sanctions": "sanc",
    }
    return wide[list(short)].rename(columns=short).fillna("")


def main(argv: list[str] | None = None) -> int:
    """Entry point: derive, check and write the three tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="raw dataset directory")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = ap.parse_args(argv)
    data: Path = args.data.resolve()
    out: Path = args.out.resolve()
    if not data.is_dir():
        print(f"data directory not found: {data}", file=sys.stderr)
        return 2

    spec = pd.read_csv(VARIABLES_CSV, dtype=str, keep_default_na=False).set_index("variable")
    tables: dict[str, list[Figure]] = {
        "economy": economy(data),
        "diplomacy": diplomacy(data),
        "institutions": institutions(data),
    }
    for name, figs in tables.items():
        check(name, figs, spec)
    for name, figs in tables.items():
        n = write_table(out / f"{name}.csv", figs)
        n_est = sum(f.source_kind == "estimate" for f in figs)
        print(f"wrote {out / (name + '.csv')}: {n} rows ({n_est} estimates)")

    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print("\nSummary (* = estimate):")
        print(summary(tables).to_string())
    np.testing.assert_equal(len(tables["economy"]), 12 * len(CELAC))  # sanity
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
