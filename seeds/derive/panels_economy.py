"""Derive the yearly ECONOMY calibration panel (1990-2025) for the 33 CELAC states.

Writes three tables to ``<repo>/seeds/panels/`` (format: ``seeds/panels/README`` convention in
``/work/notes/helper_context.md``; documentation in ``docs/data/economy.md``):

* ``economy.csv``            one row per (iso3, year, variable): ``iso3,year,variable,value,source_id,note``
* ``economy_sources.csv``    ``source_id,kind,citation,dataset_file,field,derivation``
* ``economy_variables.csv``  ``variable,dtype,unit,min,max,description``

Inputs are read in place from the shared data folder (default ``<repo>/../shared/data``); nothing is
copied. Figures the shared data lack come from two small hand-extracted input tables in
``<repo>/seeds/derive/inputs/`` (the script holds rules, not data):

* ``economy_wdi_1990_2009.csv``  WDI full series 1990-2009 (GDP, remittances, trade ratios) from the
  public mirror github.com/datasets/world-development-indicators, the vintage of the shared 2010-2025 extract;
* ``economy_public_figures.csv`` figures printed by named public sources (DANE via the press, The Havana
  Consulting Group, Venezuelan remittance estimates, CLLAC loans), one full citation per row.

Every row's note starts with its status:
``observed`` (a source value, possibly divided by GDP), ``bound`` (an upper bound from a top-5 partner
list that binds), ``interpolated`` (linear between two known years), ``carried`` (nearest known value
held constant) or ``estimated`` (another stated estimate rule).

The script is deterministic (sorted rows, values written with 6 significant digits) and checks its own
output (completeness, ranges, US + China share sums) before writing.

Usage::

    python seeds/derive/panels_economy.py [--shared PATH] [--inputs DIR] [--out DIR] [--coverage]
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
DEFAULT_SHARED: Path = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT: Path = REPO_ROOT / "seeds" / "panels"

CELAC: tuple[str, ...] = (
    "ATG", "ARG", "BHS", "BRB", "BLZ", "BOL", "BRA", "CHL", "COL", "CRI", "CUB", "DMA", "DOM", "ECU", "SLV",
    "GRD", "GTM", "GUY", "HTI", "HND", "JAM", "MEX", "NIC", "PAN", "PRY", "PER", "KNA", "LCA", "VCT", "SUR",
    "TTO", "URY", "VEN",
)  # fmt: skip
FIRST_YEAR: int = 1990
LAST_YEAR: int = 2025
YEARS: tuple[int, ...] = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

# --- shared data files (relative to the shared data folder) -----------------------------------
F_WITS = "wits_trade_summary_lac.csv"
F_AID = "us_foreign_aid_lac.csv"
F_CDF = "chinese_development_finance_lac.csv"
F_WDI = "recent/wdi_datasets_github_extract_2010_2025.csv"
F_WDI_AID = "recent/wdi_us_net_bilateral_aid_DC.DAC.USAL.CD_2010_2023.csv"
F_FB = "recent/cia_factbook_factbookjson_2014_2024.csv"
F_ATLAS = "recent/atlas_sitc_via_argendata_partner_shares_2017_2021.csv"

# --- rules (each explained in docs/data/economy.md) --------------------------------------------
WITS_LAST_YEAR = 2015
WDI_FIRST_YEAR = 2010
# A WITS flow-year whose partner "Unspecified" takes more than this share (%) says nothing about the
# US/China split (SLV exports 2000-04, SUR exports 2000-07, CUB exports 2006, VEN exports 2009-13).
UNSPECIFIED_MAX_PCT = 50.0
ATLAS_YEAR = 2019  # centre of the Atlas 2017-2021 period mean
ATLAS_WINDOW = (2017, 2021)  # the Atlas mean is used only if no exact single-year share exists here
SHARE_LAST_SOURCE_YEAR = 2023  # Factbook shares end in 2023; later years carried unless a public source
# Cuba: WDI trade ratios from 2021 on reflect the 2021 currency unification (exports + imports jump from
# 15.7% of GDP in 2020 to 80-125%), and there is no current-USD GDP after 2020.
CUB_ARTEFACT_FROM = 2021
# Factbook rows labelled "BoP goods and services" whose value is goods only (same figure as the edition's
# goods-only "exports" field): not used for trade openness.
FB_TRADE_EXCLUDED: dict[tuple[str, int], str] = {
    ("BRB", 2021): "exports USD 0.357 bn equals the goods-only figure (BoP goods+services was 2.23 bn in 2017)",
}
# US aid
AID_DISB_FIRST_FY = 2001  # Foreign Aid Explorer disbursements start in FY2001
AID_DISB_LAST_FY = 2021  # FY2022 disbursements are incomplete (region total 48% of FY2021)
AID_OBLIG_RATIO_YEARS = (2001, 2010)  # disbursement/obligation ratio window for FY1990-2000
AID_SPLICE_YEARS = (2012, 2021)  # USAID/WDI ratio window for 2022-2023
AID_SPLICE_MIN_YEARS = 8
AID_SPLICE_MIN_WDI_MUSD = 20.0
AID_SPLICE_RATIO_RANGE = (0.5, 2.5)
AID_CARRY_YEARS = (2019, 2021)  # mean used for 2022-2023 where the WDI splice is not usable
AID_2025_FACTOR = 0.25
# Chinese finance
CDF_COMPONENTS = ("oda_adj", "oof_adj", "vof_adj")
CDF_FIRST_YEAR = 2000
CDF_LAST_YEAR = 2021
CDF_PRICE_BASE_YEAR = 2021

STATUSES = ("observed", "bound", "interpolated", "carried", "estimated")
PARTNER_WITS = {"us": "United States", "cn": "China"}
PARTNER_ISO = {"us": "USA", "cn": "CHN"}
PARTNER_NAME = {"us": "US", "cn": "China"}
FLOW_WITS = {"export": "Export", "import": "Import"}
FLOW_FB = {"export": "exports", "import": "imports"}

# --- input tables of hand-extracted public figures (seeds/derive/inputs/, read by ``load_inputs``) ---------
DEFAULT_INPUTS: Path = REPO_ROOT / "seeds" / "derive" / "inputs"
IN_WDI_HIST = "economy_wdi_1990_2009.csv"  # iso3,indicator,year,value,source: WDI full series, 1990-2009
IN_PUBLIC = "economy_public_figures.csv"  # figures from named public sources, one citation per row
WDI_HIST_YEARS = (1990, 2009)
WDI_HIST_COMMIT = "4ebec5a2273f531ba238a34dbe440394dc5a6c4b"
WDI_HIST_SOURCE = "github.com/datasets/world-development-indicators commit {commit} path indicators/{code}/data.csv"
# Sources that exist only as a fallback: written to economy_sources.csv only if some row uses them.
FALLBACK_SOURCES = frozenset({"wits_gdp"})
# Chinese policy-bank loans (CLLAC): years covered by the public figures; a state without a row gets 0.
CLLAC_YEARS = (2022, 2023)


# --- data structures --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One panel value: ``value`` in the variable's unit, its source key, status and short note."""

    value: float
    source_id: str
    status: str
    note: str


@dataclass(frozen=True)
class Source:
    """One row of ``economy_sources.csv``."""

    kind: str  # dataset | public | estimate
    citation: str
    dataset_file: str
    field: str
    derivation: str


@dataclass(frozen=True)
class Variable:
    """One row of ``economy_variables.csv``."""

    dtype: str
    unit: str
    vmin: float
    vmax: float
    description: str


Series = dict[int, Cell]  # year -> cell
Panel = dict[str, dict[str, Series]]  # variable -> iso3 -> year -> cell

CIT_WDI = "World Bank, World Development Indicators (2026 vintage, CC BY 4.0), extract in shared data"
CIT_WDI_HIST = (
    "World Bank, World Development Indicators (CC BY 4.0), full time series as mirrored by "
    f"github.com/datasets/world-development-indicators commit {WDI_HIST_COMMIT} "
    "(the vintage the shared 2010-2025 extract was cut from)"
)
IN_NOTE = f"hand-extracted to seeds/derive/inputs/{IN_WDI_HIST}"
PUB_NOTE = f"figures in seeds/derive/inputs/{IN_PUBLIC}"
CIT_WITS = "World Bank, World Integrated Trade Solution (WITS), country trade summaries"
CIT_FB = "CIA, The World Factbook (editions 2015-2026, data years 2014-2024; public domain)"
CIT_ATLAS = (
    "Growth Lab at Harvard University, International Trade Data (SITC Rev. 2), doi:10.7910/DVN/H8SFD2, "
    "partner shares as computed by Fundar/Argendata (mean of annual shares 2017-2021)"
)
CIT_AID = "USAID Foreign Aid Explorer (ForeignAssistance.gov), US foreign assistance by country and fiscal year"
CIT_AIDDATA = "AidData, Global Chinese Development Finance Dataset v3.0 (Custer et al. 2023), by country-year"

SOURCES: dict[str, Source] = {
    "wdi_gdp": Source(
        "dataset", CIT_WDI, F_WDI, "NY.GDP.MKTP.CD", "GDP in current USD / 1e9 = USD bn; years 2010-2025"
    ),
    "wits_gdp": Source(
        "dataset",
        CIT_WITS,
        F_WITS,
        "GDP (current US$ Mil)",
        "USD m / 1000 = USD bn; fallback for 1990-2009 only where the WDI full series has no value",
    ),
    "pub_wdi_hist_gdp": Source(
        "public",
        CIT_WDI_HIST,
        "",
        f"indicators/ny.gdp.mktp.cd/data.csv, NY.GDP.MKTP.CD 1990-2009 ({IN_NOTE})",
        "GDP current USD / 1e9 = USD bn; years 1990-2009, same vintage as the 2010-2025 extract (replaces WITS, "
        "whose older vintage broke the level at 2009/2010)",
    ),
    "est_gdp_cub_hold": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: Cuba has no current-USD GDP after 2020 (WDI ends 2020; the Factbook's official-rate GDP, "
        "USD 633 bn in 2022 and 260 bn in 2024, is an exchange-rate artefact of the 2021 currency unification); "
        "held at the 2020 WDI level. Official real growth was small and mostly negative (-1.9% 2023, -1.1% 2024, "
        "Cuban Ministry of Economy as reported by AP, July 2025), so a flat level is the closest simple rule.",
    ),
    "est_gdp_carry": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: latest WDI value carried forward (WDI has no 2025 GDP for this state)",
    ),
    "wdi_trade": Source(
        "dataset",
        CIT_WDI,
        F_WDI,
        "NE.EXP.GNFS.ZS + NE.IMP.GNFS.ZS",
        "exports + imports of goods and services, % of GDP; zero values (VEN 2010-2011) treated as missing; "
        "Cuba from 2021 excluded (currency-unification artefact)",
    ),
    "wits_trade": Source(
        "dataset",
        CIT_WITS,
        F_WITS,
        "Trade (% of GDP)",
        "% of GDP; used to 2015 where WDI (extract 2010-2025, full series 1990-2009) has no value; in 1990-2009 "
        "ATG BRB DMA GRD JAM KNA LCA TTO VCT, GUY 2006-2009, SUR 1990-2005 and VEN 1991-2009",
    ),
    "fb_trade": Source(
        "dataset",
        CIT_FB,
        F_FB,
        "exports_goods_services_bop_usd + imports_goods_services_bop_usd",
        "(BoP exports + imports of goods and services, USD) / WDI NY.GDP.MKTP.CD of the same year * 100; "
        "used where WDI and WITS have no value; rows with an unstated definition, and BRB 2021 (goods only "
        "despite the BoP label), are not used",
    ),
    "pub_wdi_hist_trade": Source(
        "public",
        CIT_WDI_HIST,
        "",
        f"indicators/ne.exp.gnfs.zs + ne.imp.gnfs.zs, NE.EXP.GNFS.ZS + NE.IMP.GNFS.ZS ({IN_NOTE})",
        "exports + imports of goods and services, % of GDP; years 1990-2009, same vintage as the 2010-2025 "
        "extract (replaces WITS, whose older vintage broke the level at 2009/2010); the mirror's zeros (VEN "
        "1991-2009) mean missing and are not extracted",
    ),
    "est_trade_interp": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: linear interpolation between the two nearest observed years of the same state",
    ),
    "est_trade_carry": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: nearest observed value carried (before the first / after the last observation)",
    ),
    "wits_share": Source(
        "dataset",
        CIT_WITS,
        F_WITS,
        "Partner share(%)-Top 5 Export/Import Partner (United States, China)",
        "partner share % / 100; flow-years where 'Unspecified' exceeds 50% are not used",
    ),
    "wits_share_bound": Source(
        "dataset",
        CIT_WITS,
        F_WITS,
        "Partner share(%)-Top 5 Export/Import Partner (lowest of the five)",
        "a partner not in the top 5 has a share at most the 5th partner's; used as the value (/100) only where "
        "the interpolated series would exceed it (a binding bound becomes a knot of the interpolation)",
    ),
    "fb_share": Source(
        "dataset",
        CIT_FB,
        F_FB,
        "share_of_exports_pct / share_of_imports_pct (partner USA, CHN)",
        "listed partner share % / 100 (whole % in recent editions)",
    ),
    "fb_share_bound": Source(
        "dataset",
        CIT_FB,
        F_FB,
        "smallest_listed_partner_share_pct (MIN_LISTED)",
        "a partner not listed has a share at most the smallest listed share; used as the value (/100) only "
        "where the interpolated series would exceed it (binding bound = knot)",
    ),
    "atlas_share": Source(
        "dataset",
        CIT_ATLAS,
        F_ATLAS,
        "share_of_exports_pct_mean_2017_2021 / share_of_imports_pct_mean_2017_2021",
        "period mean % / 100 placed at 2019; used only where neither WITS nor the Factbook gives an exact share "
        "in 2017-2021 (goods only, full partner matrix)",
    ),
    "pub_dane_2024": Source(
        "public",
        "El Nuevo Siglo (Bogota), 'Saldo en rojo de balanza comercial aumento 11,7 % en diciembre pasado', "
        "Feb 2025, reporting DANE 2024 annual trade; https://elnuevosiglo.com.co/economia/"
        "saldo-en-rojo-de-balanza-comercial-aumento-117-en-diciembre-pasado",
        "",
        f"exports and trade deficits, total and with the US and China, USD m, FOB ({PUB_NOTE})",
        "Colombia 2024, FOB basis: imports = exports + deficit (total and by partner); US share of exports = "
        "exports to US / total exports; US share of imports = (exports to US + deficit with US) / total imports",
    ),
    "pub_dane_2024_cn": Source(
        "public",
        "localnewswave.com, article 1030427682121543680 (2025), reporting DANE 2024 trade with China "
        "(imports USD 15,936 m CIF, exports USD 2,377 m, deficit 13,559 m); "
        "https://localnewswave.com/article/1030427682121543680; totals from El Nuevo Siglo (pub_dane_2024)",
        "",
        f"exports to China, USD m ({PUB_NOTE})",
        "Colombia 2024: China share of exports = exports to China / total exports; China share of imports (FOB) "
        "= (exports to China + deficit with China, from El Nuevo Siglo) / total imports",
    ),
    "pub_dane_2025": Source(
        "public",
        "El Espectador, 'Las importaciones de Colombia subieron en agosto por mayor compra de manufacturas', "
        "21 Oct 2025, reporting DANE imports January-August 2025 by origin; https://www.elespectador.com/"
        "economia/las-importaciones-de-colombia-subieron-en-agosto-por-mayor-compra-de-manufacturas/",
        "",
        f"import shares by origin (China, United States), January-August 2025, % ({PUB_NOTE})",
        "Colombia 2025 (January-August, latest known by Oct 2025) import share % / 100",
    ),
    "est_share_interp": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: linear interpolation (in shares) between the two nearest knots (observed shares or binding "
        "bounds) of the same state, flow and partner; capped by any bound in between",
    ),
    "est_share_carry": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: nearest knot carried before the first / after the last knot (2024-2025: the 2023 value), "
        "capped by the bounds of those years",
    ),
    "wdi_remit": Source(
        "dataset",
        CIT_WDI,
        F_WDI,
        "BX.TRF.PWKR.CD.DT / NY.GDP.MKTP.CD",
        "personal remittances received / GDP * 100 (both current USD, same year)",
    ),
    "fb_remit": Source("dataset", CIT_FB, F_FB, "remittances_pct_gdp", "% of GDP; used where WDI has no value"),
    "pub_wdi_hist_remit": Source(
        "public",
        CIT_WDI_HIST,
        "",
        f"indicators/bx.trf.pwkr.cd.dt / ny.gdp.mktp.cd, BX.TRF.PWKR.CD.DT / NY.GDP.MKTP.CD 1990-2009 ({IN_NOTE})",
        "personal remittances received / GDP * 100, both current USD from the same WDI vintage",
    ),
    "pub_thcg_2016": Source(
        "public",
        "EFE, 'Cuba recibio record de remesas en 2015: 3.354 millones' (2016), citing The Havana Consulting "
        "Group (Emilio Morales): 3,129 (2014), 3,354 (2015), +1,907 since 2008; "
        "https://d3qted0ouxi5he.cloudfront.net/amp/cuba-recibio-record-de-remesas-en-2015-3354-millones/"
        "124707.html",
        "",
        f"cash remittances to Cuba, USD m; 2008 = 2015 level - increase since 2008 ({PUB_NOTE})",
        "USD m / (gdp_usd_bn * 1000) * 100; cash remittances only (goods parcels excluded)",
    ),
    "pub_thcg_2024": Source(
        "public",
        "The Havana Consulting Group, remittances report 2023 as published by Cuba Siglo 21, 'Cuba: crece la "
        "emigracion pero se hunden las remesas' (2024): 2,040.25 (2022), 1,972.56 (2023), 46.93% below 2019; "
        "https://cubasiglo21.com/cuba-crece-la-emigracion-pero-se-hunden-las-remesas",
        "",
        f"cash remittances to Cuba, USD m; 2019 = 2023 level / (1 - decline since 2019) ({PUB_NOTE})",
        "USD m / (gdp_usd_bn * 1000) * 100; the 2022-2023 denominator is the held Cuba GDP estimate",
    ),
    "pub_ven_2021": Source(
        "public",
        "Reporte Confidencial, 'Calculan que flujo de remesas ronde los 1.950 millones para finales de ano', "
        "9 Sep 2021, citing Ecoanalitica (3,500 in 2019, 1,550 in 2020); https://www.reporteconfidencial.info/"
        "2021/09/09/calculan-que-flujo-de-remesas-ronde-los-1-950-millones-para-finales-de-ano/",
        "",
        f"remittances to Venezuela, USD m ({PUB_NOTE})",
        "USD m / (gdp_usd_bn * 1000) * 100",
    ),
    "pub_ven_2022": Source(
        "public",
        "Bloomberg Linea, 'Remesas en Venezuela se duplicaron en cuatro anos, aunque a un menor ritmo en 2022', "
        "6 Dec 2022, citing Inter-American Dialogue (about 4,200 in 2022); https://www.bloomberglinea.com/"
        "2022/12/06/remesas-en-venezuela-se-duplicaron-en-cuatro-anos-aunque-a-un-menor-ritmo-en-2022/",
        "",
        f"remittances to Venezuela, USD m ({PUB_NOTE})",
        "USD m / (gdp_usd_bn * 1000) * 100",
    ),
    "pub_ven_2023": Source(
        "public",
        "Reporte Confidencial, 'Remesas podria significar 10% del PIB en Venezuela', 15 Jul 2023, citing "
        "Asdrubal Oliveros (Ecoanalitica): about 3,000 in 2023; https://reporteconfidencial.info/2023/07/15/"
        "remesas-podria-significar-10-del-pib-en-venezuela",
        "",
        f"remittances to Venezuela, USD m, 2023 estimate made mid-year ({PUB_NOTE})",
        "USD m / (gdp_usd_bn * 1000) * 100",
    ),
    "est_remit_interp": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: linear interpolation of the % of GDP between the two nearest known years of the same state",
    ),
    "est_remit_carry": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: nearest known % of GDP carried (2025: the 2024 value; earlier gaps: the first known year)",
    ),
    "usaid_disb": Source(
        "dataset",
        CIT_AID,
        F_AID,
        "transaction_type_name 'Disbursements', current_amount",
        "fiscal year t (Oct t-1 to Sep t) -> year t; USD / 1e6; no row = 0; negative net disbursements "
        "(de-obligations) set to 0; FY2001-FY2021 (FY2022 not used: region total is 48% of FY2021, incomplete)",
    ),
    "est_usaid_oblig": Source(
        "estimate",
        "author estimate",
        F_AID,
        "transaction_type_name 'Obligations', current_amount",
        "Estimate: FY1990-FY2000 have obligations only; value = obligations (USD m) * the state's ratio "
        "sum(disbursements) / sum(obligations) over FY2001-FY2010 (ratio 1 if no obligations then)",
    ),
    "est_usaid_wdi_splice": Source(
        "estimate",
        "author estimate",
        F_WDI_AID,
        "DC.DAC.USAL.CD",
        "Estimate: calendar 2022-2023 = WDI net bilateral aid from the US (USD m) * the state's ratio "
        "sum(USAID disbursements) / sum(WDI) over 2012-2021 (years where both exist); used where at least 8 "
        "overlap years, WDI overlap sum >= USD 20 m and ratio within 0.5-2.5",
    ),
    "est_usaid_mean": Source(
        "estimate",
        "author estimate",
        F_AID,
        "transaction_type_name 'Disbursements', current_amount",
        "Estimate: 2022-2023 = mean FY2019-FY2021 disbursements (USD m) where the WDI splice is not usable "
        "(high-income or tiny/negative net flows)",
    ),
    "est_usaid_2024": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: 2024 = 2023 value carried. FY2024 was appropriated and disbursed normally (EFE, 8 Feb 2025: "
        "USAID contributed about USD 2.3 bn to Latin America in 2024, about USD 400 m to Colombia); no "
        "country-level 2024 disbursement series was found",
    ),
    "est_usaid_2025": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: 2025 = 0.25 * 2023 value (plausible range 0.15-0.5). Reasoning: foreign aid was frozen on "
        "20-24 Jan 2025 and USAID dismantled; Secretary Rubio announced on 10 Mar 2025 that 83% of USAID "
        "programmes were cancelled (AS/COA explainer, May 2025); only ~1/12 of the calendar year ran at the "
        "old rate; part of State/INL security aid and life-saving humanitarian aid continued",
    ),
    "aiddata_cdf": Source(
        "dataset",
        CIT_AIDDATA,
        F_CDF,
        "oda_adj + oof_adj + vof_adj",
        "commitments (ODA-like + OOF-like + vague), AidData 'Adjusted Amount' in constant 2021 USD, re-expressed "
        "in current USD with the US price index implied by us_foreign_aid_lac.csv (median current_amount / "
        "constant_amount per fiscal year, ratio to FY2021); / 1e6; no row = 0",
    ),
    "est_cn_pre2000": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: 0. AidData GCDF starts in 2000 and the CLLAC loan database in 2005; Chinese official "
        "lending to Latin America before 2000 was negligible",
    ),
    "pub_cllac_2022": Source(
        "public",
        "Myers, M. and Ray, R., 'At a Crossroads: Chinese Development Finance to Latin America and the "
        "Caribbean, 2022', Inter-American Dialogue and Boston University Global Development Policy Center, "
        "March 2023 (CLLAC database): CDB USD 500 m to Banco do Brasil; Eximbank USD 121 m to Barbados and "
        "USD 192 m to Guyana (total 813 m)",
        "",
        f"CDB + China Eximbank loan commitments, USD m ({PUB_NOTE})",
        "loan amounts as reported; narrower than AidData (policy-bank loans only, no grants or swaps)",
    ),
    "pub_cllac_2023": Source(
        "public",
        "Myers, M. and Ray, R., Inter-American Dialogue and Boston University Global Development Policy Center, "
        "report on 2023 Chinese finance to Latin America and the Caribbean, June 2024 (CLLAC database): two "
        "loans to Brazil totalling USD 1.3 bn; summary at https://business-humanrights.org (14 Jun 2024)",
        "",
        f"CDB + China Eximbank loan commitments, USD m ({PUB_NOTE})",
        "loan amount as reported; narrower than AidData (policy-bank loans only)",
    ),
    "est_cn_cllac_zero": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: 0 for 2022-2023 where the CLLAC database records no CDB/Eximbank loan to the state; a lower "
        "bound, as grants, swaps and other state lenders (in AidData's scope up to 2021) are not covered",
    ),
    "est_cn_2024_2025": Source(
        "estimate",
        "author estimate",
        "",
        "",
        "Estimate: 2024 and 2025 = the state's mean of 2022-2023 (no per-country figures found after 2023; the "
        "66 bn yuan credit line announced for the whole region at the China-CELAC ministerial of 13 May 2025 "
        "is not allocated to states)",
    ),
}

VARIABLES: dict[str, Variable] = {
    "gdp_usd_bn": Variable("float", "USD bn, current", 0.0, 50000.0, "Gross domestic product, current US dollars"),
    "trade_pct_gdp": Variable(
        "float", "% of GDP", 0.0, 500.0, "Exports plus imports of goods and services, percent of GDP"
    ),
    "export_share_us": Variable("float", "fraction", 0.0, 1.0, "Share of the state's goods exports going to the US"),
    "export_share_cn": Variable(
        "float", "fraction", 0.0, 1.0, "Share of the state's goods exports going to China (mainland)"
    ),
    "import_share_us": Variable("float", "fraction", 0.0, 1.0, "Share of the state's goods imports coming from the US"),
    "import_share_cn": Variable(
        "float", "fraction", 0.0, 1.0, "Share of the state's goods imports coming from China (mainland)"
    ),
    "remittances_pct_gdp": Variable("float", "% of GDP", 0.0, 60.0, "Personal remittances received, percent of GDP"),
    "us_aid_musd": Variable(
        "float",
        "USD m, current",
        0.0,
        5000.0,
        "US foreign assistance received: disbursements by fiscal year (to 2021), spliced net bilateral aid after",
    ),
    "us_aid_pct_gdp": Variable("float", "% of GDP", 0.0, 50.0, "us_aid_musd / (gdp_usd_bn * 1000) * 100"),
    "cn_finance_musd": Variable(
        "float",
        "USD m, current",
        0.0,
        100000.0,
        "Chinese official finance commitments (ODA + OOF + vague) per year",
    ),
    "cn_finance_pct_gdp": Variable("float", "% of GDP", 0.0, 100.0, "cn_finance_musd / (gdp_usd_bn * 1000) * 100"),
}


# --- small helpers -----------------------------------------------------------------------------------
def fmt(value: float) -> str:
    """Format ``value`` with 6 significant digits, positional (no exponent), no trailing zeros."""
    if value == 0 or not math.isfinite(value):
        if not math.isfinite(value):
            raise ValueError(f"non-finite value {value}")
        return "0"
    text = np.format_float_positional(value, precision=6, unique=False, fractional=False, trim="-")
    return "0" if text in ("-0", "0") else text


def pct(value: float) -> str:
    """A percent value for notes (4 significant digits)."""
    return np.format_float_positional(value, precision=4, unique=False, fractional=False, trim="-")


def cell(value: float, source_id: str, status: str, detail: str) -> Cell:
    """Build a :class:`Cell`, checking the source key and the status word."""
    if source_id not in SOURCES:
        raise KeyError(source_id)
    if status not in STATUSES:
        raise ValueError(status)
    return Cell(float(value), source_id, status, f"{status}; {detail}")


def fill_linear(known: Mapping[int, Cell], interp_id: str, carry_id: str, what: str) -> Series:
    """Complete a yearly series over ``YEARS``: linear interpolation between known years, carry at the ends.

    ``known`` maps year -> observed cell (any unit). Returns a full series; raises if ``known`` is empty.
    """
    if not known:
        raise ValueError(f"no known value for {what}")
    years = sorted(known)
    out: Series = {y: known[y] for y in years if FIRST_YEAR <= y <= LAST_YEAR}
    for year in YEARS:
        if year in out:
            continue
        before = [y for y in years if y < year]
        after = [y for y in years if y > year]
        if before and after:
            y0, y1 = before[-1], after[0]
            v0, v1 = known[y0].value, known[y1].value
            value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
            out[year] = cell(value, interp_id, "interpolated", f"linear between {y0} and {y1}")
        else:
            y0 = before[-1] if before else after[0]
            out[year] = cell(known[y0].value, carry_id, "carried", f"carried from {y0}")
    return out


# --- loading -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicFigure:
    """One row of ``inputs/economy_public_figures.csv``: a figure as printed by a named public source.

    ``value`` is in ``unit`` (USD m or %); ``partner`` is USA / CHN / WLD for bilateral figures, else empty;
    ``ref_year`` is set only for a change between ``ref_year`` and ``year``.
    """

    source_id: str
    iso3: str
    partner: str
    indicator: str
    year: int
    ref_year: int | None
    value: float
    unit: str


WDI_HIST_COLUMNS = ["iso3", "indicator", "year", "value", "source"]
PUBLIC_COLUMNS = ["source_id", "iso3", "partner", "indicator", "year", "ref_year", "value", "unit", "citation", "note"]
PUBLIC_INDICATORS = {  # indicator -> unit
    "exports_fob_usd_m": "USD m",
    "trade_deficit_fob_usd_m": "USD m",
    "import_share_pct": "%",
    "remittances_usd_m": "USD m",
    "remittances_change_usd_m": "USD m",
    "remittances_change_pct": "%",
    "policy_bank_loans_usd_m": "USD m",
}


@dataclass
class Data:
    """The shared datasets this script reads (pandas frames, untouched except for type fixes) and the inputs.

    ``wdi_hist`` maps (iso3, WDI indicator code, year) -> value in the indicator's unit (current USD or %);
    ``public`` holds the figures from named public sources.
    """

    wits: pd.DataFrame
    wdi: pd.DataFrame
    wdi_aid: pd.DataFrame
    fb: pd.DataFrame
    atlas: pd.DataFrame
    aid: pd.DataFrame
    cdf: pd.DataFrame
    wdi_hist: dict[tuple[str, str, int], float]
    public: list[PublicFigure]


def read_input(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """Rows of an input table as dicts of strings; fails if the header is not exactly ``columns``."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != columns:
            raise ValueError(f"{path.name}: columns {reader.fieldnames} != {columns}")
        return list(reader)


def load_wdi_hist(path: Path) -> dict[tuple[str, str, int], float]:
    """The WDI full-series figures (1990-2009), checked for states, years, duplicates and their mirror path."""
    out: dict[tuple[str, str, int], float] = {}
    for r in read_input(path, WDI_HIST_COLUMNS):
        key = (r["iso3"], r["indicator"], int(r["year"]))
        source = WDI_HIST_SOURCE.format(commit=WDI_HIST_COMMIT, code=r["indicator"].lower())
        if key[0] not in CELAC or not WDI_HIST_YEARS[0] <= key[2] <= WDI_HIST_YEARS[1]:
            raise ValueError(f"{path.name}: row outside the 33 states or {WDI_HIST_YEARS}: {key}")
        if r["source"] != source:
            raise ValueError(f"{path.name}: {key} source {r['source']!r} != {source!r}")
        if key in out:
            raise ValueError(f"{path.name}: duplicate {key}")
        value = float(r["value"])
        if not math.isfinite(value):
            raise ValueError(f"{path.name}: {key} value {r['value']!r}")
        out[key] = value
    return out


def load_public(path: Path) -> list[PublicFigure]:
    """The figures from named public sources; each row's citation must equal its source's citation."""
    out: list[PublicFigure] = []
    seen: set[tuple[str, str, str, int]] = set()
    for r in read_input(path, PUBLIC_COLUMNS):
        sid = r["source_id"]
        if sid not in SOURCES or SOURCES[sid].kind != "public":
            raise ValueError(f"{path.name}: {sid} is not a public source")
        if r["citation"] != SOURCES[sid].citation:
            raise ValueError(f"{path.name}: citation of a {sid} row differs from economy_sources.csv")
        if PUBLIC_INDICATORS.get(r["indicator"]) != r["unit"]:
            raise ValueError(f"{path.name}: unknown indicator or unit {r['indicator']!r} {r['unit']!r}")
        fig = PublicFigure(
            sid,
            r["iso3"],
            r["partner"],
            r["indicator"],
            int(r["year"]),
            int(r["ref_year"]) if r["ref_year"] else None,
            float(r["value"]),
            r["unit"],
        )
        key = (fig.iso3, fig.partner, fig.indicator, fig.year)
        if fig.iso3 not in CELAC or not FIRST_YEAR <= fig.year <= LAST_YEAR or key in seen:
            raise ValueError(f"{path.name}: bad or duplicate row {key}")
        seen.add(key)
        out.append(fig)
    return out


def load(shared: Path, inputs: Path = DEFAULT_INPUTS) -> Data:
    """Read the seven shared files needed (paths relative to ``shared``) and the two input tables."""
    aid = pd.read_csv(shared / F_AID, dtype={"fiscal_year": str})
    aid = aid[aid["fiscal_year"].str.fullmatch(r"\d{4}")].copy()
    aid["fy"] = aid["fiscal_year"].astype(int)
    return Data(
        wits=pd.read_csv(shared / F_WITS),
        wdi=pd.read_csv(shared / F_WDI),
        wdi_aid=pd.read_csv(shared / F_WDI_AID),
        fb=pd.read_csv(shared / F_FB),
        atlas=pd.read_csv(shared / F_ATLAS),
        aid=aid,
        cdf=pd.read_csv(shared / F_CDF),
        wdi_hist=load_wdi_hist(inputs / IN_WDI_HIST),
        public=load_public(inputs / IN_PUBLIC),
    )


def public_figure(data: Data, iso: str, partner: str, indicator: str, year: int) -> PublicFigure:
    """The one public figure for (iso3, partner, indicator, year); raises ``KeyError`` if absent."""
    for fig in data.public:
        if (fig.iso3, fig.partner, fig.indicator, fig.year) == (iso, partner, indicator, year):
            return fig
    raise KeyError((iso, partner, indicator, year))


def lookup(frame: pd.DataFrame, keys: Iterable[str], value: str = "value") -> dict[tuple, float]:
    """A dict (keys...) -> value from ``frame``; fails on duplicate keys."""
    keys = list(keys)
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        raise ValueError(f"duplicate rows for {keys}: {frame[dup].head()}")
    return {tuple(k): float(v) for k, v in zip(frame[keys].itertuples(index=False), frame[value], strict=True)}


def wdi_series(data: Data, indicator: str) -> dict[tuple[str, int], float]:
    """WDI extract values ``(iso3, year) -> value`` for one indicator."""
    sub = data.wdi[data.wdi["indicator"] == indicator]
    return {(k[0], int(k[1])): v for k, v in lookup(sub, ["iso3", "year"]).items()}


def wits_series(data: Data, indicator: str) -> dict[tuple[str, int], float]:
    """WITS country-level values ``(iso3, year) -> value`` for one indicator."""
    sub = data.wits[data.wits["indicator"] == indicator]
    return {(k[0], int(k[1])): v for k, v in lookup(sub, ["iso3", "year"]).items()}


def fb_series(data: Data, indicator: str, partner: str | None = None, flow: str | None = None) -> dict:
    """Factbook values ``(iso3, year) -> value`` for one indicator (and partner / flow)."""
    sub = data.fb[data.fb["indicator"] == indicator]
    if partner is not None:
        sub = sub[sub["partner"] == partner]
    if flow is not None:
        sub = sub[sub["flow"] == flow]
    return {(k[0], int(k[1])): v for k, v in lookup(sub, ["iso3", "year"]).items()}


# --- GDP ---------------------------------------------------------------------------------------------
def derive_gdp(data: Data) -> dict[str, Series]:
    """gdp_usd_bn (USD bn): WDI 2010-2025, WDI full series 1990-2009 (WITS where it has none), estimates."""
    wdi = wdi_series(data, "NY.GDP.MKTP.CD")
    wits = wits_series(data, "GDP (current US$ Mil)")
    out: dict[str, Series] = {}
    for iso in CELAC:
        known: Series = {}
        for year in YEARS:
            if year >= WDI_FIRST_YEAR and (iso, year) in wdi:
                v = wdi[(iso, year)]
                known[year] = cell(v / 1e9, "wdi_gdp", "observed", f"WDI NY.GDP.MKTP.CD {year}")
            elif year < WDI_FIRST_YEAR and (iso, "NY.GDP.MKTP.CD", year) in data.wdi_hist:
                v = data.wdi_hist[(iso, "NY.GDP.MKTP.CD", year)]
                known[year] = cell(v / 1e9, "pub_wdi_hist_gdp", "observed", f"WDI full series NY.GDP.MKTP.CD {year}")
            elif year < WDI_FIRST_YEAR and (iso, year) in wits:
                v = wits[(iso, year)]
                known[year] = cell(v / 1e3, "wits_gdp", "observed", f"WITS GDP {year} = USD {pct(v)} m (not in WDI)")
        if iso == "CUB":
            base = known[CUB_ARTEFACT_FROM - 1]
            for year in range(CUB_ARTEFACT_FROM, LAST_YEAR + 1):
                known[year] = cell(
                    base.value, "est_gdp_cub_hold", "estimated", f"held at WDI {CUB_ARTEFACT_FROM - 1} level"
                )
        out[iso] = fill_linear(known, "est_gdp_carry", "est_gdp_carry", f"gdp {iso}")
    return out


# --- trade openness -------------------------------------------------------------------------------------
def derive_trade(data: Data, gdp: dict[str, Series]) -> dict[str, Series]:
    """trade_pct_gdp (% of GDP): WDI (extract 2010-2025, full series 1990-2009), else WITS (to 2015), else
    Factbook BoP X+M / WDI GDP; then linear interpolation and carry. WDI zeros count as missing."""
    exp = wdi_series(data, "NE.EXP.GNFS.ZS")
    imp = wdi_series(data, "NE.IMP.GNFS.ZS")
    wits = wits_series(data, "Trade (% of GDP)")
    fbx = fb_series(data, "exports_goods_services_bop_usd")
    fbm = fb_series(data, "imports_goods_services_bop_usd")
    out: dict[str, Series] = {}
    for iso in CELAC:
        known: Series = {}
        for year in YEARS:
            x, m = exp.get((iso, year)), imp.get((iso, year))
            artefact = iso == "CUB" and year >= CUB_ARTEFACT_FROM
            hx, hm = data.wdi_hist.get((iso, "NE.EXP.GNFS.ZS", year)), data.wdi_hist.get((iso, "NE.IMP.GNFS.ZS", year))
            if x is not None and m is not None and x > 0 and m > 0 and not artefact:
                known[year] = cell(x + m, "wdi_trade", "observed", f"WDI {year}: exports {pct(x)} + imports {pct(m)}")
            elif year < WDI_FIRST_YEAR and hx is not None and hm is not None and hx > 0 and hm > 0:
                detail = f"WDI full series {year}: exports {pct(hx)} + imports {pct(hm)}"
                known[year] = cell(hx + hm, "pub_wdi_hist_trade", "observed", detail)
            elif year <= WITS_LAST_YEAR and (iso, year) in wits:
                known[year] = cell(wits[(iso, year)], "wits_trade", "observed", f"WITS Trade (% of GDP) {year}")
            elif (
                (iso, year) in fbx
                and (iso, year) in fbm
                and (iso, year) not in FB_TRADE_EXCLUDED
                and gdp[iso][year].source_id == "wdi_gdp"
            ):
                total = fbx[(iso, year)] + fbm[(iso, year)]
                value = total / (gdp[iso][year].value * 1e9) * 100
                known[year] = cell(
                    value, "fb_trade", "observed", f"Factbook BoP X+M {year} USD {pct(total / 1e9)} bn / WDI GDP"
                )
        out[iso] = fill_linear(known, "est_trade_interp", "est_trade_carry", f"trade {iso}")
    return out


# --- US / China trade shares ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Knot:
    """A known point of a share series: ``value`` as a fraction, its source key, status and detail."""

    value: float
    source_id: str
    status: str  # observed | bound
    detail: str


def wits_share_info(data: Data) -> tuple[dict, dict]:
    """WITS top-5 lists -> (observations, bounds), both keyed (iso3, flow, partner, year) -> Knot."""
    sub = data.wits[data.wits["indicator"].str.startswith("Partner share(%)-Top 5")]
    obs: dict = {}
    bounds: dict = {}
    for (iso, wflow, year), grp in sub.groupby(["iso3", "flow", "year"], sort=True):
        shares = dict(zip(grp["partner"], grp["value"], strict=True))
        if shares.get("Unspecified", 0.0) > UNSPECIFIED_MAX_PCT:
            continue
        flow = "export" if wflow == "Export" else "import"
        ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
        fifth_name, fifth = ranked[-1]
        for p, name in PARTNER_WITS.items():
            key = (iso, flow, p, int(year))
            if name in shares:
                rank = [n for n, _ in ranked].index(name) + 1
                obs[key] = Knot(
                    shares[name] / 100, "wits_share", "observed", f"WITS {year} {pct(shares[name])}% (rank {rank})"
                )
            else:
                bounds[key] = Knot(
                    fifth / 100,
                    "wits_share_bound",
                    "bound",
                    f"{PARTNER_NAME[p]} not in WITS {year} top 5; 5th partner {fifth_name} {pct(fifth)}%",
                )
    return obs, bounds


def fb_share_info(data: Data) -> tuple[dict, dict]:
    """Factbook top-partner lists -> (observations, bounds) keyed (iso3, flow, partner, year)."""
    obs: dict = {}
    bounds: dict = {}
    for flow, fflow in FLOW_FB.items():
        ind = f"share_of_{fflow}_pct"
        mins = fb_series(data, "smallest_listed_partner_share_pct", "MIN_LISTED", fflow)
        listed = {p: fb_series(data, ind, PARTNER_ISO[p], fflow) for p in PARTNER_ISO}
        for (iso, year), vmin in mins.items():
            for p in PARTNER_ISO:
                key = (iso, flow, p, year)
                if (iso, year) in listed[p]:
                    v = listed[p][(iso, year)]
                    obs[key] = Knot(v / 100, "fb_share", "observed", f"Factbook {year} {pct(v)}%")
                else:
                    bounds[key] = Knot(
                        vmin / 100,
                        "fb_share_bound",
                        "bound",
                        f"{PARTNER_NAME[p]} not listed in Factbook {year}; smallest listed {pct(vmin)}%",
                    )
        for p in PARTNER_ISO:  # a listed share without a MIN_LISTED row is still an observation
            for (iso, year), v in listed[p].items():
                knot = Knot(v / 100, "fb_share", "observed", f"Factbook {year} {pct(v)}%")
                obs.setdefault((iso, flow, p, year), knot)
    return obs, bounds


def atlas_info(data: Data) -> dict:
    """Atlas 2017-2021 mean shares keyed (iso3, flow, partner) -> Knot (placed at ``ATLAS_YEAR``)."""
    out: dict = {}
    for row in data.atlas.itertuples(index=False):
        flow = "export" if row.flow == "exports" else "import"
        p = {v: k for k, v in PARTNER_ISO.items()}.get(row.partner)
        if p is None or row.iso3 not in CELAC:
            continue
        out[(row.iso3, flow, p)] = Knot(
            row.value / 100, "atlas_share", "observed", f"Atlas mean 2017-2021 {pct(row.value)}% (at {ATLAS_YEAR})"
        )
    return out


def colombia_public_knots(data: Data) -> dict:
    """Colombia 2024 (DANE annual, FOB) and 2025 (DANE Jan-Aug) share knots keyed (flow, partner, year).

    Imports FOB = exports + trade deficit, in total and by partner (USD m, from the public-figures table).
    """

    def fig(partner: str, indicator: str) -> PublicFigure:
        return public_figure(data, "COL", partner, indicator, 2024)

    exports = fig("WLD", "exports_fob_usd_m").value
    imports_fob = exports + fig("WLD", "trade_deficit_fob_usd_m").value
    k: dict = {}
    for p, partner in PARTNER_ISO.items():
        x = fig(partner, "exports_fob_usd_m")
        d = fig(partner, "trade_deficit_fob_usd_m")
        k[("export", p, 2024)] = Knot(
            x.value / exports, x.source_id, "observed", f"DANE 2024: {x.value:,.6g} / {exports:,.6g} USD m"
        )
        k[("import", p, 2024)] = Knot(
            (x.value + d.value) / imports_fob,
            x.source_id,
            "observed",
            f"DANE 2024 FOB: {x.value + d.value:,.6g} / {imports_fob:,.6g} USD m",
        )
    for f in data.public:
        if (f.iso3, f.indicator) == ("COL", "import_share_pct"):
            p = {v: k for k, v in PARTNER_ISO.items()}[f.partner]
            detail = f"DANE Jan-Aug {f.year} {pct(f.value)}%"
            k[("import", p, f.year)] = Knot(f.value / 100, f.source_id, "observed", detail)
    return k


def interpolate_knots(knots: Mapping[int, Knot]) -> dict[int, tuple[float, int | None, int | None]]:
    """Linear interpolation through ``knots`` over ``YEARS``; ends carried.

    Returns year -> (value, left knot year, right knot year); for carried years one side is ``None``.
    """
    years = sorted(knots)
    out: dict[int, tuple[float, int | None, int | None]] = {}
    for year in YEARS:
        before = [y for y in years if y <= year]
        after = [y for y in years if y >= year]
        if before and after:
            y0, y1 = before[-1], after[0]
            if y0 == y1:
                out[year] = (knots[y0].value, y0, y0)
            else:
                v0, v1 = knots[y0].value, knots[y1].value
                out[year] = (v0 + (v1 - v0) * (year - y0) / (y1 - y0), y0, y1)
        elif before:
            out[year] = (knots[before[-1]].value, before[-1], None)
        else:
            out[year] = (knots[after[0]].value, None, after[0])
    return out


def share_series(obs: Mapping[int, Knot], bounds: Mapping[int, Knot], what: str) -> Series:
    """Combine observations and upper bounds of one share series into a full yearly series.

    Observations are knots; a same-year bound below an observation replaces it. The series is the linear
    interpolation through the knots (carried at the ends); while any bound is exceeded, the most violated
    bound becomes a knot (ties: earliest year) and the series is recomputed.
    """
    knots: dict[int, Knot] = {}
    for year, k in obs.items():
        b = bounds.get(year)
        knots[year] = b if b is not None and b.value < k.value else k
    if not knots:
        raise ValueError(f"no observation for {what}")
    while True:
        series = interpolate_knots(knots)
        worst: tuple[float, int] | None = None
        for year, b in sorted(bounds.items()):
            if FIRST_YEAR <= year <= LAST_YEAR and year not in knots and series[year][0] > b.value + 1e-12:
                excess = series[year][0] - b.value
                if worst is None or excess > worst[0] + 1e-15:
                    worst = (excess, year)
        if worst is None:
            break
        knots[worst[1]] = bounds[worst[1]]
    out: Series = {}
    for year in YEARS:
        value, y0, y1 = series[year]
        if year in knots:
            k = knots[year]
            out[year] = cell(k.value, k.source_id, k.status, k.detail)
        elif y0 is not None and y1 is not None:
            detail = f"linear between {y0} ({knots[y0].source_id}) and {y1} ({knots[y1].source_id})"
            if year in bounds:
                detail += f"; below bound {pct(bounds[year].value * 100)}%"
            out[year] = cell(value, "est_share_interp", "interpolated", detail)
        else:
            y = y0 if y0 is not None else y1
            detail = f"carried from {y} ({knots[y].source_id})"
            if year in bounds:
                detail += f"; below bound {pct(bounds[year].value * 100)}%"
            out[year] = cell(value, "est_share_carry", "carried", detail)
    return out


def derive_shares(data: Data) -> dict[str, dict[str, Series]]:
    """export/import_share_us/cn: WITS (to 2015) > Factbook (2014-2023) > Atlas mean (2019), bounds as caps."""
    w_obs, w_bounds = wits_share_info(data)
    f_obs, f_bounds = fb_share_info(data)
    atlas = atlas_info(data)
    col = colombia_public_knots(data)
    out: dict[str, dict[str, Series]] = {}
    for flow in ("export", "import"):
        for p in ("us", "cn"):
            var = f"{flow}_share_{p}"
            out[var] = {}
            for iso in CELAC:
                obs: dict[int, Knot] = {}
                bounds: dict[int, Knot] = {}
                for year in range(1988, SHARE_LAST_SOURCE_YEAR + 1):
                    key = (iso, flow, p, year)
                    if key in w_obs:
                        obs[year] = w_obs[key]
                    elif key in f_obs:
                        obs[year] = f_obs[key]
                    bs = [b[key] for b in (w_bounds, f_bounds) if key in b]
                    if bs and year not in obs:
                        bounds[year] = min(bs, key=lambda b: b.value)
                exact_window = [y for y in obs if ATLAS_WINDOW[0] <= y <= ATLAS_WINDOW[1]]
                if not exact_window and (iso, flow, p) in atlas:
                    obs[ATLAS_YEAR] = atlas[(iso, flow, p)]
                if iso == "COL":
                    for (cflow, cp, year), k in col.items():
                        if (cflow, cp) == (flow, p):
                            obs[year] = k
                out[var][iso] = share_series(obs, bounds, f"{var} {iso}")
    return out


# --- remittances ---------------------------------------------------------------------------------------
def public_remittances(data: Data) -> dict[str, list[tuple[str, dict[int, float]]]]:
    """Remittances in USD m from named public sources: iso3 -> [(source_id, {year: USD m})], sources sorted.

    Levels are taken as printed; a change row gives the level of its ``ref_year`` from the same source's level
    in ``year``: ``remittances_change_usd_m`` as level - change, ``remittances_change_pct`` as
    level / (1 + change / 100).
    """
    levels: dict[tuple[str, str], dict[int, float]] = {}
    for f in data.public:
        if f.indicator == "remittances_usd_m":
            levels.setdefault((f.iso3, f.source_id), {})[f.year] = f.value
    for f in data.public:
        if f.indicator not in ("remittances_change_usd_m", "remittances_change_pct"):
            continue
        if f.ref_year is None:
            raise ValueError(f"{f.source_id} {f.indicator} {f.year}: no ref_year")
        level = levels[(f.iso3, f.source_id)][f.year]
        derived = level - f.value if f.indicator == "remittances_change_usd_m" else level / (1 + f.value / 100)
        levels[(f.iso3, f.source_id)][f.ref_year] = derived
    out: dict[str, list[tuple[str, dict[int, float]]]] = {}
    for (iso, sid), figures in sorted(levels.items()):
        out.setdefault(iso, []).append((sid, figures))
    return out


def derive_remittances(data: Data, gdp: dict[str, Series]) -> dict[str, Series]:
    """remittances_pct_gdp: WDI ratio 2010-2024, Factbook, WDI full series 1990-2009, public figures, fill."""
    remit = wdi_series(data, "BX.TRF.PWKR.CD.DT")
    wgdp = wdi_series(data, "NY.GDP.MKTP.CD")
    fb = fb_series(data, "remittances_pct_gdp")
    hist = data.wdi_hist
    public_usd = public_remittances(data)
    out: dict[str, Series] = {}
    for iso in CELAC:
        known: Series = {}
        for year in YEARS:
            hkey_r, hkey_g = (iso, "BX.TRF.PWKR.CD.DT", year), (iso, "NY.GDP.MKTP.CD", year)
            if (iso, year) in remit and (iso, year) in wgdp:
                r, g = remit[(iso, year)], wgdp[(iso, year)]
                known[year] = cell(r / g * 100, "wdi_remit", "observed", f"WDI {year}: USD {pct(r / 1e6)} m / GDP")
            elif (iso, year) in fb:
                known[year] = cell(fb[(iso, year)], "fb_remit", "observed", f"Factbook {year}")
            elif hkey_r in hist and hkey_g in hist:
                r, g = hist[hkey_r], hist[hkey_g]
                known[year] = cell(
                    r / g * 100, "pub_wdi_hist_remit", "observed", f"WDI full series {year}: USD {pct(r / 1e6)} m / GDP"
                )
        for source_id, figures in public_usd.get(iso, []):
            for year, usd_m in sorted(figures.items()):
                if year in known:
                    continue
                g = gdp[iso][year]
                gnote = "" if g.status == "observed" else f" (GDP {g.status}: {g.source_id})"
                known[year] = cell(
                    usd_m / (g.value * 1000) * 100, source_id, "observed", f"USD {pct(usd_m)} m / GDP{gnote}"
                )
        out[iso] = fill_linear(known, "est_remit_interp", "est_remit_carry", f"remittances {iso}")
    return out


# --- US aid --------------------------------------------------------------------------------------------
def aid_table(data: Data, kind: str) -> pd.DataFrame:
    """USAID Explorer current USD m, rows iso3, columns fiscal year, for one transaction type."""
    sub = data.aid[data.aid["transaction_type_name"] == kind]
    if sub.duplicated(["country_code", "fy"]).any():
        raise ValueError(f"duplicate {kind} rows")
    return sub.pivot(index="country_code", columns="fy", values="current_amount") / 1e6


def window_sum(table: pd.DataFrame, iso: str, years: tuple[int, int]) -> float:
    """Sum of ``table[iso]`` over the inclusive year window (missing = 0)."""
    if iso not in table.index:
        return 0.0
    cols = [y for y in range(years[0], years[1] + 1) if y in table.columns]
    return float(table.loc[iso, cols].fillna(0.0).sum())


def splice_ratio(disb: pd.DataFrame, wdi: dict[tuple[str, int], float], iso: str) -> float | None:
    """USAID/WDI ratio over ``AID_SPLICE_YEARS`` if the splice rule accepts it, else ``None``."""
    num = den = 0.0
    n = 0
    for year in range(AID_SPLICE_YEARS[0], AID_SPLICE_YEARS[1] + 1):
        d = disb.loc[iso, year] if iso in disb.index and year in disb.columns else np.nan
        w = wdi.get((iso, year))
        if w is not None and not pd.isna(d):
            num += float(d)
            den += w / 1e6
            n += 1
    if n < AID_SPLICE_MIN_YEARS or den < AID_SPLICE_MIN_WDI_MUSD:
        return None
    ratio = num / den
    lo, hi = AID_SPLICE_RATIO_RANGE
    return ratio if lo <= ratio <= hi else None


def derive_us_aid(data: Data) -> dict[str, Series]:
    """us_aid_musd: FY obligations x ratio (1990-2000), disbursements (2001-2021), WDI splice, estimates."""
    disb = aid_table(data, "Disbursements")
    oblig = aid_table(data, "Obligations")
    wdi_aid = {
        (r.iso3, int(r.year)): float(r.value) for r in data.wdi_aid.itertuples(index=False) if not pd.isna(r.value)
    }
    out: dict[str, Series] = {}
    for iso in CELAC:
        s: Series = {}
        osum = window_sum(oblig, iso, AID_OBLIG_RATIO_YEARS)
        ratio_o = window_sum(disb, iso, AID_OBLIG_RATIO_YEARS) / osum if osum > 0 else 1.0
        for fy in range(FIRST_YEAR, AID_DISB_FIRST_FY):
            o = oblig.loc[iso, fy] if iso in oblig.index and fy in oblig.columns else np.nan
            o = 0.0 if pd.isna(o) else float(o)
            v = max(o * ratio_o, 0.0)
            s[fy] = cell(v, "est_usaid_oblig", "estimated", f"FY{fy} obligations {pct(o)} * {ratio_o:.3f}")
        for fy in range(AID_DISB_FIRST_FY, AID_DISB_LAST_FY + 1):
            d = disb.loc[iso, fy] if iso in disb.index and fy in disb.columns else np.nan
            if pd.isna(d):
                s[fy] = cell(0.0, "usaid_disb", "observed", f"FY{fy}: no disbursement recorded")
            elif d < 0:
                s[fy] = cell(0.0, "usaid_disb", "observed", f"FY{fy} disbursements {pct(float(d))} < 0 set to 0")
            else:
                s[fy] = cell(float(d), "usaid_disb", "observed", f"FY{fy} disbursements")
        ratio_w = splice_ratio(disb, wdi_aid, iso)
        mean = window_sum(disb, iso, AID_CARRY_YEARS) / (AID_CARRY_YEARS[1] - AID_CARRY_YEARS[0] + 1)
        for year in (2022, 2023):
            w = wdi_aid.get((iso, year))
            if ratio_w is not None and w is not None:
                v = max(w / 1e6 * ratio_w, 0.0)
                s[year] = cell(v, "est_usaid_wdi_splice", "estimated", f"WDI {year} {pct(w / 1e6)} * {ratio_w:.3f}")
            else:
                s[year] = cell(max(mean, 0.0), "est_usaid_mean", "estimated", "mean FY2019-FY2021")
        s[2024] = cell(s[2023].value, "est_usaid_2024", "estimated", "2023 value carried")
        s[2025] = cell(s[2023].value * AID_2025_FACTOR, "est_usaid_2025", "estimated", f"{AID_2025_FACTOR} * 2023")
        out[iso] = s
    return out


# --- Chinese finance -------------------------------------------------------------------------------------
def us_price_index(data: Data) -> dict[int, float]:
    """US price index by fiscal year (FY2021 = 1) implied by the aid file's current/constant amounts."""
    a = data.aid[data.aid["constant_amount"].abs() >= 1e6]
    ratio = (a["current_amount"] / a["constant_amount"]).groupby(a["fy"]).median()
    base = float(ratio.loc[CDF_PRICE_BASE_YEAR])
    return {int(y): float(v) / base for y, v in ratio.items() if CDF_FIRST_YEAR <= y <= CDF_PRICE_BASE_YEAR}


def derive_cn_finance(data: Data) -> dict[str, Series]:
    """cn_finance_musd: 0 before 2000 (estimate), AidData 2000-2021 (current USD), CLLAC 2022-2023, estimates."""
    index = us_price_index(data)
    cdf = data.cdf.copy()
    cdf["total"] = cdf[list(CDF_COMPONENTS)].sum(axis=1)
    totals = lookup(cdf, ["iso3", "year"], "total")
    loans = {(f.iso3, f.year): f for f in data.public if f.indicator == "policy_bank_loans_usd_m"}
    if any(year not in CLLAC_YEARS for _, year in loans):
        raise ValueError(f"CLLAC loan figures outside {CLLAC_YEARS}")
    out: dict[str, Series] = {}
    for iso in CELAC:
        s: Series = {}
        for year in range(FIRST_YEAR, CDF_FIRST_YEAR):
            s[year] = cell(0.0, "est_cn_pre2000", "estimated", "before AidData coverage")
        for year in range(CDF_FIRST_YEAR, CDF_LAST_YEAR + 1):
            const = totals.get((iso, year))
            if const is None:
                s[year] = cell(0.0, "aiddata_cdf", "observed", f"{year}: no AidData record")
            else:
                v = const * index[year] / 1e6
                s[year] = cell(
                    v, "aiddata_cdf", "observed", f"{year}: USD {pct(const / 1e6)} m (2021 prices) * {index[year]:.4f}"
                )
        for year in CLLAC_YEARS:
            if (iso, year) in loans:
                fig = loans[(iso, year)]
                s[year] = cell(fig.value, fig.source_id, "observed", f"CLLAC {year} loans")
            else:
                s[year] = cell(0.0, "est_cn_cllac_zero", "estimated", f"no CLLAC loan recorded in {year}")
        mean = (s[2022].value + s[2023].value) / 2
        for year in (2024, 2025):
            s[year] = cell(mean, "est_cn_2024_2025", "estimated", "mean of 2022-2023")
        out[iso] = s
    return out


# --- ratios to GDP ---------------------------------------------------------------------------------------
def derive_pct_gdp(numer: dict[str, Series], gdp: dict[str, Series], label: str) -> dict[str, Series]:
    """``numer`` (USD m) / (gdp_usd_bn * 1000) * 100, keeping the numerator's source and status."""
    out: dict[str, Series] = {}
    for iso in CELAC:
        out[iso] = {}
        for year in YEARS:
            n, g = numer[iso][year], gdp[iso][year]
            gnote = "" if g.status == "observed" else f"; GDP {g.status} ({g.source_id})"
            detail = f"{label} {pct(n.value)} USD m / GDP {pct(g.value)} bn{gnote}"
            out[iso][year] = cell(n.value / (g.value * 1000) * 100, n.source_id, n.status, detail)
    return out


# --- assembly, checks and output ----------------------------------------------------------------------------
def derive_panel(data: Data) -> Panel:
    """All eleven variables for the 33 states and 1990-2025."""
    gdp = derive_gdp(data)
    panel: Panel = {"gdp_usd_bn": gdp, "trade_pct_gdp": derive_trade(data, gdp)}
    panel.update(derive_shares(data))
    panel["remittances_pct_gdp"] = derive_remittances(data, gdp)
    aid = derive_us_aid(data)
    panel["us_aid_musd"] = aid
    panel["us_aid_pct_gdp"] = derive_pct_gdp(aid, gdp, "US aid")
    cn = derive_cn_finance(data)
    panel["cn_finance_musd"] = cn
    panel["cn_finance_pct_gdp"] = derive_pct_gdp(cn, gdp, "Chinese finance")
    return panel


def check_panel(panel: Panel) -> None:
    """Completeness, ranges, share sums and sources; raises ``ValueError`` on the first problem."""
    if set(panel) != set(VARIABLES):
        raise ValueError(f"variables {sorted(panel)} != {sorted(VARIABLES)}")
    for var, spec in VARIABLES.items():
        if set(panel[var]) != set(CELAC):
            raise ValueError(f"{var}: states missing")
        for iso in CELAC:
            if set(panel[var][iso]) != set(YEARS):
                raise ValueError(f"{var} {iso}: years missing")
            for year, c in panel[var][iso].items():
                if not (spec.vmin <= c.value <= spec.vmax):
                    raise ValueError(f"{var} {iso} {year}: {c.value} outside [{spec.vmin}, {spec.vmax}]")
                kind = SOURCES[c.source_id].kind
                if (kind == "estimate") != (c.status in ("interpolated", "carried", "estimated")):
                    raise ValueError(f"{var} {iso} {year}: status {c.status} with {kind} source {c.source_id}")
    for flow in ("export", "import"):
        for iso in CELAC:
            for year in YEARS:
                total = panel[f"{flow}_share_us"][iso][year].value + panel[f"{flow}_share_cn"][iso][year].value
                if total > 1 + 1e-9:
                    raise ValueError(f"{flow} shares {iso} {year} sum to {total}")


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text with ``\\n`` line ends and minimal quoting."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(list(row))
    return buf.getvalue()


def panel_rows(panel: Panel) -> list[tuple[str, int, str, str, str, str]]:
    """Rows (iso3, year, variable, value, source_id, note) sorted by variable, iso3, year."""
    rows = [
        (iso, year, var, fmt(c.value), c.source_id, c.note)
        for var in sorted(panel)
        for iso in sorted(panel[var])
        for year, c in sorted(panel[var][iso].items())
    ]
    return sorted(rows, key=lambda r: (r[2], r[0], r[1]))


def build(shared: Path, inputs: Path = DEFAULT_INPUTS) -> dict[str, str]:
    """Derive and check the panel from ``shared`` and the ``inputs`` tables; return file name -> CSV text."""
    panel = derive_panel(load(shared, inputs))
    check_panel(panel)
    used = {c.source_id for var in panel.values() for s in var.values() for c in s.values()}
    unused = set(SOURCES) - used - FALLBACK_SOURCES
    if unused:
        raise ValueError(f"sources defined but not used: {sorted(unused)}")
    sources = [
        (sid, s.kind, s.citation, s.dataset_file, s.field, s.derivation)
        for sid, s in sorted(SOURCES.items())
        if sid in used
    ]
    variables = [
        (name, v.dtype, v.unit, fmt(v.vmin), fmt(v.vmax), v.description) for name, v in sorted(VARIABLES.items())
    ]
    return {
        "economy.csv": csv_text(("iso3", "year", "variable", "value", "source_id", "note"), panel_rows(panel)),
        "economy_sources.csv": csv_text(
            ("source_id", "kind", "citation", "dataset_file", "field", "derivation"), sources
        ),
        "economy_variables.csv": csv_text(("variable", "dtype", "unit", "min", "max", "description"), variables),
    }


# --- coverage report (for docs/data/economy.md) --------------------------------------------------------------
STATUS_LETTER = {"observed": "O", "bound": "B", "interpolated": "I", "carried": "C", "estimated": "E"}


def run_length(series: Series) -> str:
    """Compact status runs, e.g. ``O90-15 I16 O17-23 C24-25`` (two-digit years)."""
    parts: list[str] = []
    start = prev = None
    letter = ""
    for year in YEARS:
        cur = STATUS_LETTER[series[year].status]
        if cur != letter:
            if letter:
                parts.append(f"{letter}{start % 100:02d}" + (f"-{prev % 100:02d}" if prev != start else ""))
            letter, start = cur, year
        prev = year
    parts.append(f"{letter}{start % 100:02d}" + (f"-{prev % 100:02d}" if prev != start else ""))
    return " ".join(parts)


def coverage_markdown(panel: Panel, variables: Iterable[str]) -> str:
    """A markdown table: one row per state, one column per variable, status runs in each cell."""
    variables = list(variables)
    lines = ["| iso3 | " + " | ".join(variables) + " |", "|---" * (len(variables) + 1) + "|"]
    for iso in sorted(CELAC):
        lines.append(f"| {iso} | " + " | ".join(run_length(panel[v][iso]) for v in variables) + " |")
    return "\n".join(lines)


def status_counts(panel: Panel) -> dict[str, dict[str, int]]:
    """Number of state-years per status, per variable."""
    return {
        var: {st: sum(c.status == st for s in panel[var].values() for c in s.values()) for st in STATUSES}
        for var in sorted(panel)
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: write the three CSVs (or print the coverage tables)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data folder")
    parser.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="input tables (seeds/derive/inputs)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (seeds/panels)")
    parser.add_argument("--coverage", action="store_true", help="print coverage tables instead of writing")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"shared data folder not found: {args.shared}", file=sys.stderr)
        return 2
    if args.coverage:
        panel = derive_panel(load(args.shared, args.inputs))
        for group in COVERAGE_GROUPS:
            print(coverage_markdown(panel, group), end="\n\n")
        for var, counts in status_counts(panel).items():
            print(var, counts)
        return 0
    files = build(args.shared, args.inputs)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(sorted(files))} to {args.out}")
    return 0


COVERAGE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("gdp_usd_bn", "trade_pct_gdp", "remittances_pct_gdp"),
    ("export_share_us", "export_share_cn", "import_share_us", "import_share_cn"),
    ("us_aid_musd", "cn_finance_musd"),
)

if __name__ == "__main__":
    sys.exit(main())
