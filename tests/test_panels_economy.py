"""Tests for the ECONOMY calibration panel (``seeds/panels/economy*.csv``) and its derivation script.

The shipped tables must equal a fresh derivation from ``../shared/data`` and the input tables in
``seeds/derive/inputs/``, be complete (33 states x 1990-2025 x 11 variables, each once), stay inside the
declared ranges, cite existing sources, reproduce raw values read here straight from the raw files and the
input tables (independently of the script's code), and keep GDP and trade openness free of a source seam at
2009/2010.
Tests that need the raw data skip when ``../shared/data`` is absent.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PANELS = REPO / "seeds" / "panels"
SCRIPT = REPO / "seeds" / "derive" / "panels_economy.py"
INPUTS = REPO / "seeds" / "derive" / "inputs"
WDI_HIST = INPUTS / "economy_wdi_1990_2009.csv"
PUBLIC = INPUTS / "economy_public_figures.csv"
FILES = ("economy.csv", "economy_sources.csv", "economy_variables.csv")
WDI_MIRROR = "github.com/datasets/world-development-indicators commit 4ebec5a2273f531ba238a34dbe440394dc5a6c4b path "

CELAC = (
    "ATG", "ARG", "BHS", "BRB", "BLZ", "BOL", "BRA", "CHL", "COL", "CRI", "CUB", "DMA", "DOM", "ECU", "SLV",
    "GRD", "GTM", "GUY", "HTI", "HND", "JAM", "MEX", "NIC", "PAN", "PRY", "PER", "KNA", "LCA", "VCT", "SUR",
    "TTO", "URY", "VEN",
)  # fmt: skip
YEARS = range(1990, 2026)
STATUSES = {"observed", "bound", "interpolated", "carried", "estimated"}
ESTIMATE_STATUSES = {"interpolated", "carried", "estimated"}
REL = 1e-5  # values are written with 6 significant digits


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts (strings)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_script() -> ModuleType:
    """Import ``seeds/derive/panels_economy.py`` as a module."""
    spec = importlib.util.spec_from_file_location("panels_economy", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["panels_economy"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shared() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder absent ({SHARED_DATA}); cannot re-derive or read raw values")
    return SHARED_DATA


@pytest.fixture(scope="module")
def panel() -> list[dict[str, str]]:
    return read_csv(PANELS / "economy.csv")


@pytest.fixture(scope="module")
def sources() -> dict[str, dict[str, str]]:
    return {r["source_id"]: r for r in read_csv(PANELS / "economy_sources.csv")}


@pytest.fixture(scope="module")
def variables() -> dict[str, dict[str, str]]:
    return {r["variable"]: r for r in read_csv(PANELS / "economy_variables.csv")}


@pytest.fixture(scope="module")
def index(panel: list[dict[str, str]]) -> dict[tuple[str, int, str], dict[str, str]]:
    return {(r["iso3"], int(r["year"]), r["variable"]): r for r in panel}


def val(index: dict, iso: str, year: int, variable: str) -> float:
    """The panel value for (iso3, year, variable) as a float."""
    return float(index[(iso, year, variable)]["value"])


def wdi_hist_values() -> dict[tuple[str, str, int], float]:
    """(iso3, WDI indicator code, year) -> value (current USD or % of GDP) from the WDI 1990-2009 input table."""
    return {(r["iso3"], r["indicator"], int(r["year"])): float(r["value"]) for r in read_csv(WDI_HIST)}


def public_values() -> dict[tuple[str, str, str, int], float]:
    """(iso3, partner, indicator, year) -> value as printed, from the public-figures input table."""
    return {(r["iso3"], r["partner"], r["indicator"], int(r["year"])): float(r["value"]) for r in read_csv(PUBLIC)}


# --- (a) re-derivation ---------------------------------------------------------------------------------
def test_shipped_tables_equal_fresh_derivation(shared: Path) -> None:
    module = load_script()
    fresh = module.build(shared, INPUTS)
    assert sorted(fresh) == sorted(FILES)
    for name in FILES:
        shipped = (PANELS / name).read_text(encoding="utf-8")
        assert fresh[name] == shipped, f"{name} differs from a fresh derivation; re-run the script"


# --- (b) completeness ------------------------------------------------------------------------------------
def test_panel_header_and_sort_order() -> None:
    with (PANELS / "economy.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["iso3", "year", "variable", "value", "source_id", "note"]
    rows = read_csv(PANELS / "economy.csv")
    keys = [(r["variable"], r["iso3"], int(r["year"])) for r in rows]
    assert keys == sorted(keys)


def test_every_state_year_variable_exactly_once(
    panel: list[dict[str, str]], variables: dict[str, dict[str, str]]
) -> None:
    triples = [(r["iso3"], int(r["year"]), r["variable"]) for r in panel]
    expected = {(iso, y, v) for iso in CELAC for y in YEARS for v in variables}
    assert len(triples) == len(set(triples)), "duplicate (iso3, year, variable) rows"
    assert set(triples) == expected
    assert all(r["value"].strip() for r in panel), "empty value cell"


def test_celac_list_matches_the_model() -> None:
    from sim.data.seeds import CELAC_ISO3

    assert set(CELAC_ISO3) == set(CELAC)


# --- (c) ranges and share sums ------------------------------------------------------------------------------
def test_values_within_declared_ranges(panel: list[dict[str, str]], variables: dict[str, dict[str, str]]) -> None:
    bad = []
    for r in panel:
        spec = variables[r["variable"]]
        v = float(r["value"])
        if not (float(spec["min"]) <= v <= float(spec["max"])):
            bad.append((r["iso3"], r["year"], r["variable"], v))
    assert not bad, bad[:10]


def test_variables_table_is_well_formed(variables: dict[str, dict[str, str]]) -> None:
    assert len(variables) == 11
    for name, spec in variables.items():
        assert spec["dtype"] in {"float", "int", "bool"}, name
        assert float(spec["min"]) < float(spec["max"]), name
        assert spec["unit"] and spec["description"], name
    for share in ("export_share_us", "export_share_cn", "import_share_us", "import_share_cn"):
        assert (float(variables[share]["min"]), float(variables[share]["max"])) == (0.0, 1.0)


def test_us_plus_china_share_at_most_one(index: dict) -> None:
    for flow in ("export", "import"):
        for iso in CELAC:
            for year in YEARS:
                total = val(index, iso, year, f"{flow}_share_us") + val(index, iso, year, f"{flow}_share_cn")
                assert total <= 1.0 + 1e-9, (flow, iso, year, total)


def test_pct_of_gdp_rows_are_consistent(index: dict) -> None:
    for iso in CELAC:
        for year in YEARS:
            gdp = val(index, iso, year, "gdp_usd_bn")
            for num, ratio in (("us_aid_musd", "us_aid_pct_gdp"), ("cn_finance_musd", "cn_finance_pct_gdp")):
                expected = val(index, iso, year, num) / (gdp * 1000) * 100
                assert val(index, iso, year, ratio) == pytest.approx(expected, rel=1e-4, abs=1e-9)


# --- (d) provenance -----------------------------------------------------------------------------------------
def test_every_source_id_exists_and_is_used(panel: list[dict[str, str]], sources: dict[str, dict[str, str]]) -> None:
    used = {r["source_id"] for r in panel}
    assert used <= set(sources), sorted(used - set(sources))
    assert set(sources) <= used, f"unused sources: {sorted(set(sources) - used)}"


def test_source_kinds(sources: dict[str, dict[str, str]]) -> None:
    for sid, s in sources.items():
        assert s["kind"] in {"dataset", "public", "estimate"}, sid
        assert s["citation"] and s["derivation"], sid
        if s["kind"] == "estimate":
            assert s["derivation"].startswith("Estimate:"), sid
        if s["kind"] == "dataset":
            assert s["dataset_file"] and s["field"], sid
        if s["kind"] == "public":
            assert any(ch.isdigit() for ch in s["citation"]), f"{sid}: public citation without a date"


def test_dataset_files_exist(shared: Path, sources: dict[str, dict[str, str]]) -> None:
    for sid, s in sources.items():
        if s["dataset_file"]:
            assert (shared / s["dataset_file"]).is_file(), f"{sid}: {s['dataset_file']} not under {shared}"


def test_note_status_agrees_with_source_kind(panel: list[dict[str, str]], sources: dict[str, dict[str, str]]) -> None:
    for r in panel:
        status = r["note"].split(";", 1)[0]
        assert status in STATUSES, r
        is_estimate = sources[r["source_id"]]["kind"] == "estimate"
        assert is_estimate == (status in ESTIMATE_STATUSES), r


# --- (e) spot checks against the raw files ----------------------------------------------------------------
@pytest.fixture(scope="module")
def wits(shared: Path) -> list[dict[str, str]]:
    return read_csv(shared / "wits_trade_summary_lac.csv")


@pytest.fixture(scope="module")
def wdi(shared: Path) -> dict[tuple[str, str, int], float]:
    rows = read_csv(shared / "recent" / "wdi_datasets_github_extract_2010_2025.csv")
    return {(r["iso3"], r["indicator"], int(r["year"])): float(r["value"]) for r in rows if r["value"]}


def test_gdp_1990_2009_is_wdi_full_series_else_wits(wits: list[dict[str, str]], index: dict) -> None:
    """GDP 1990-2009 = the WDI full series (input table) / 1e9 wherever it has a value, else WITS / 1000."""
    hist = wdi_hist_values()
    raw_wits = {
        (r["iso3"], int(r["year"])): float(r["value"]) for r in wits if r["indicator"] == "GDP (current US$ Mil)"
    }
    n_wdi = 0
    for iso in CELAC:
        for year in range(1990, 2010):
            row = index[(iso, year, "gdp_usd_bn")]
            if (iso, "NY.GDP.MKTP.CD", year) in hist:
                assert row["source_id"] == "pub_wdi_hist_gdp", row
                assert float(row["value"]) == pytest.approx(hist[(iso, "NY.GDP.MKTP.CD", year)] / 1e9, rel=REL)
                n_wdi += 1
            else:
                assert row["source_id"] == "wits_gdp", row
                assert float(row["value"]) == pytest.approx(raw_wits[(iso, year)] / 1000, rel=REL)
    assert n_wdi > 0


def test_wdi_spot_values(wdi: dict, index: dict) -> None:
    assert val(index, "COL", 2020, "gdp_usd_bn") == pytest.approx(wdi[("COL", "NY.GDP.MKTP.CD", 2020)] / 1e9, rel=REL)
    trade = wdi[("BRA", "NE.EXP.GNFS.ZS", 2015)] + wdi[("BRA", "NE.IMP.GNFS.ZS", 2015)]
    assert val(index, "BRA", 2015, "trade_pct_gdp") == pytest.approx(trade, rel=REL)
    remit = wdi[("MEX", "BX.TRF.PWKR.CD.DT", 2020)] / wdi[("MEX", "NY.GDP.MKTP.CD", 2020)] * 100
    assert val(index, "MEX", 2020, "remittances_pct_gdp") == pytest.approx(remit, rel=REL)


def wits_lists(wits: list[dict[str, str]]) -> dict[tuple[str, str, int], dict[str, float]]:
    """(iso3, 'export'|'import', year) -> {partner: share %} from the raw WITS top-5 rows."""
    lists: dict[tuple[str, str, int], dict[str, float]] = defaultdict(dict)
    for r in wits:
        if r["indicator"].startswith("Partner share(%)-Top 5"):
            flow = "export" if r["flow"] == "Export" else "import"
            lists[(r["iso3"], flow, int(r["year"]))][r["partner"]] = float(r["value"])
    return lists


def test_every_wits_observed_share_matches_raw(wits: list[dict[str, str]], panel: list[dict[str, str]]) -> None:
    lists = wits_lists(wits)
    names = {"us": "United States", "cn": "China"}
    checked = 0
    for r in panel:
        if r["source_id"] != "wits_share":
            continue
        flow, _, p = r["variable"].split("_")
        raw = lists[(r["iso3"], flow, int(r["year"]))][names[p]]
        assert float(r["value"]) == pytest.approx(raw / 100, rel=REL), r
        checked += 1
    assert checked > 1000


def test_wits_bounds_respected(wits: list[dict[str, str]], panel: list[dict[str, str]]) -> None:
    """Where WITS lists the top 5 without the partner, a non-observed panel value is at most the 5th share."""
    lists = wits_lists(wits)
    names = {"us": "United States", "cn": "China"}
    for r in panel:
        if not r["variable"].endswith(("_share_us", "_share_cn")) or r["note"].startswith("observed"):
            continue
        flow, _, p = r["variable"].split("_")
        shares = lists.get((r["iso3"], flow, int(r["year"])))
        if not shares or names[p] in shares or shares.get("Unspecified", 0) > 50:
            continue
        assert float(r["value"]) <= min(shares.values()) / 100 + 1e-9, r


def test_factbook_and_atlas_shares_match_raw(shared: Path, panel: list[dict[str, str]]) -> None:
    fb = read_csv(shared / "recent" / "cia_factbook_factbookjson_2014_2024.csv")
    atlas = read_csv(shared / "recent" / "atlas_sitc_via_argendata_partner_shares_2017_2021.csv")
    iso = {"us": "USA", "cn": "CHN"}
    fb_raw = {
        (r["iso3"], r["flow"], r["partner"], int(r["year"])): float(r["value"])
        for r in fb
        if r["indicator"] in ("share_of_exports_pct", "share_of_imports_pct")
    }
    atlas_raw = {(r["iso3"], r["flow"], r["partner"]): float(r["value"]) for r in atlas}
    n_fb = n_atlas = 0
    for r in panel:
        if r["source_id"] not in ("fb_share", "atlas_share"):
            continue
        flow, _, p = r["variable"].split("_")
        key_flow = f"{flow}s"
        if r["source_id"] == "fb_share":
            raw = fb_raw[(r["iso3"], key_flow, iso[p], int(r["year"]))]
            n_fb += 1
        else:
            assert r["year"] == "2019"
            raw = atlas_raw[(r["iso3"], key_flow, iso[p])]
            n_atlas += 1
        assert float(r["value"]) == pytest.approx(raw / 100, rel=REL), r
    assert n_fb > 100 and n_atlas > 10
    assert float(
        next(r["value"] for r in panel if (r["iso3"], r["year"], r["variable"]) == ("COL", "2023", "import_share_cn"))
    ) == pytest.approx(0.22)


def test_us_aid_and_chinese_finance_spot_values(shared: Path, index: dict) -> None:
    aid = read_csv(shared / "us_foreign_aid_lac.csv")
    disb = {
        (r["country_code"], r["fiscal_year"]): float(r["current_amount"])
        for r in aid
        if r["transaction_type_name"] == "Disbursements"
    }
    for iso, fy in (("HTI", 2010), ("COL", 2015), ("GTM", 2019)):
        assert val(index, iso, fy, "us_aid_musd") == pytest.approx(disb[(iso, str(fy))] / 1e6, rel=REL)
    cdf = read_csv(shared / "chinese_development_finance_lac.csv")
    row = next(r for r in cdf if r["iso3"] == "ARG" and r["year"] == "2021")
    adj = sum(float(row[c]) for c in ("oda_adj", "oof_adj", "vof_adj"))
    assert val(index, "ARG", 2021, "cn_finance_musd") == pytest.approx(adj / 1e6, rel=REL)  # 2021 prices = current
    for iso in ("BLZ", "GTM", "KNA", "VCT"):  # no AidData record at all (recognised Taipei)
        assert all(val(index, iso, y, "cn_finance_musd") == 0 for y in range(2000, 2022))


# --- (f) input tables: format, provenance, and their use in the panel -------------------------------------
def test_wdi_input_table_format_and_provenance() -> None:
    with WDI_HIST.open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["iso3", "indicator", "year", "value", "source"]
    rows = read_csv(WDI_HIST)
    keys = [(r["indicator"], r["iso3"], int(r["year"])) for r in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    for r in rows:
        assert r["iso3"] in CELAC and 1990 <= int(r["year"]) <= 2009, r
        assert r["source"] == WDI_MIRROR + f"indicators/{r['indicator'].lower()}/data.csv", r
        assert float(r["value"]) > 0, r
    assert {r["indicator"] for r in rows} == {"NY.GDP.MKTP.CD", "BX.TRF.PWKR.CD.DT", "NE.EXP.GNFS.ZS", "NE.IMP.GNFS.ZS"}


def test_public_figures_table_cites_its_sources(sources: dict[str, dict[str, str]]) -> None:
    rows = read_csv(PUBLIC)
    assert rows and list(rows[0]) == [
        "source_id",
        "iso3",
        "partner",
        "indicator",
        "year",
        "ref_year",
        "value",
        "unit",
        "citation",
        "note",
    ]
    for r in rows:
        assert sources[r["source_id"]]["kind"] == "public", r
        assert r["citation"] == sources[r["source_id"]]["citation"], r
        assert int(r["year"]) <= 2025 and r["unit"] in {"USD m", "%"}, r
    assert len({(r["iso3"], r["partner"], r["indicator"], r["year"]) for r in rows}) == len(rows)


def test_script_holds_rules_not_data() -> None:
    """No data table in the script: float literals are units, tolerances and rule parameters only; int
    literals are small counts, units or years."""
    import ast

    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    consts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) in (int, float)]
    allowed_floats = {  # units (1e3, 1e6, 1e9, 100), tolerances, rule parameters, variable ranges
        0.0, 1.0, 100.0, 1000.0, 1e6, 1e9, 1e-9, 1e-12, 1e-15, 0.25, 0.5, 2.5, 20.0, 50.0,
        60.0, 500.0, 5000.0, 50000.0, 100000.0,
    }  # fmt: skip
    floats = {v for v in consts if isinstance(v, float)}
    assert floats <= allowed_floats, sorted(floats - allowed_floats)
    ints = {v for v in consts if isinstance(v, int)}
    assert all(v <= 10 or v in (100, 1000) or 1988 <= v <= 2025 for v in ints), sorted(ints)


def test_remittances_1990_2009_from_the_wdi_input_table(index: dict) -> None:
    hist = wdi_hist_values()
    n = 0
    for (iso, code, year), remit in hist.items():
        if code != "BX.TRF.PWKR.CD.DT":
            continue
        row = index[(iso, year, "remittances_pct_gdp")]
        assert row["source_id"] == "pub_wdi_hist_remit", row
        expected = remit / hist[(iso, "NY.GDP.MKTP.CD", year)] * 100
        assert float(row["value"]) == pytest.approx(expected, rel=REL), row
        n += 1
    assert n > 500


def test_public_figures_reach_the_panel(index: dict) -> None:
    """Spot checks computed here from the public-figures table, independently of the script."""
    pub = public_values()
    exports = pub[("COL", "WLD", "exports_fob_usd_m", 2024)]
    imports = exports + pub[("COL", "WLD", "trade_deficit_fob_usd_m", 2024)]
    for p, iso in (("us", "USA"), ("cn", "CHN")):
        x = pub[("COL", iso, "exports_fob_usd_m", 2024)]
        m = x + pub[("COL", iso, "trade_deficit_fob_usd_m", 2024)]
        assert val(index, "COL", 2024, f"export_share_{p}") == pytest.approx(x / exports, rel=REL)
        assert val(index, "COL", 2024, f"import_share_{p}") == pytest.approx(m / imports, rel=REL)
        share = pub[("COL", iso, "import_share_pct", 2025)]
        assert val(index, "COL", 2025, f"import_share_{p}") == pytest.approx(share / 100, rel=REL)
    for (iso, _, indicator, year), v in pub.items():
        if indicator == "policy_bank_loans_usd_m":
            assert val(index, iso, year, "cn_finance_musd") == pytest.approx(v, rel=REL)
        if indicator == "remittances_usd_m":
            expected = v / (val(index, iso, year, "gdp_usd_bn") * 1000) * 100
            assert val(index, iso, year, "remittances_pct_gdp") == pytest.approx(expected, rel=2 * REL)
    cub_2008 = pub[("CUB", "", "remittances_usd_m", 2015)] - pub[("CUB", "", "remittances_change_usd_m", 2015)]
    expected = cub_2008 / (val(index, "CUB", 2008, "gdp_usd_bn") * 1000) * 100
    assert val(index, "CUB", 2008, "remittances_pct_gdp") == pytest.approx(expected, rel=2 * REL)


# --- (g) GDP seam at 2009/2010 --------------------------------------------------------------------------
# States allowed a GDP change beyond +-35 % from 2009 to 2010, each with the documented reason (see
# docs/data/economy.md, "GDP breaks"). None is needed since GDP 1990-2009 comes from the WDI vintage of
# 2010-2025: the largest 2009->2010 changes are BRA +32.5 % and URY +28.3 % (currency appreciation).
GDP_2010_JUMP_MAX = 0.35
GDP_2010_JUMP_EXCEPTIONS: dict[str, str] = {}


def test_no_gdp_jump_at_2009_2010_without_a_documented_reason(index: dict) -> None:
    jumps = {iso: val(index, iso, 2010, "gdp_usd_bn") / val(index, iso, 2009, "gdp_usd_bn") - 1 for iso in CELAC}
    bad = {iso: round(j, 3) for iso, j in jumps.items() if abs(j) > GDP_2010_JUMP_MAX}
    assert set(bad) <= set(GDP_2010_JUMP_EXCEPTIONS), f"undocumented 2009->2010 GDP jumps: {bad}"
    stale = {iso for iso in GDP_2010_JUMP_EXCEPTIONS if abs(jumps[iso]) <= GDP_2010_JUMP_MAX}
    assert not stale, f"listed as exceptions but within +-{GDP_2010_JUMP_MAX:.0%}: {sorted(stale)}"
    assert all(reason.strip() for reason in GDP_2010_JUMP_EXCEPTIONS.values())


def test_gdp_is_one_wdi_vintage_except_stated_estimates(index: dict) -> None:
    """Every GDP value is WDI (extract 2010-2025 or full series 1990-2009) except the documented estimates."""
    estimates = {("CUB", y) for y in range(2021, 2026)} | {("BHS", 2025)}
    for iso in CELAC:
        for year in YEARS:
            sid = index[(iso, year, "gdp_usd_bn")]["source_id"]
            expected = "pub_wdi_hist_gdp" if year < 2010 else "wdi_gdp"
            if (iso, year) in estimates:
                assert sid.startswith("est_gdp_"), (iso, year, sid)
            else:
                assert sid == expected, (iso, year, sid)


# --- (h) trade openness 1990-2009 and its seam at 2009/2010 -------------------------------------------------
# State-years 1990-2009 where the WDI full series has no exports or imports ratio (absent, or 0 = missing in
# the mirror: VEN 1991-2009), so WITS `Trade (% of GDP)` is used (docs/data/economy.md, trade rules).
TRADE_WITS_1990_2009: dict[str, range] = {
    **{iso: range(1990, 2010) for iso in ("ATG", "BRB", "DMA", "GRD", "JAM", "KNA", "LCA", "TTO", "VCT")},
    "GUY": range(2006, 2010),
    "SUR": range(1990, 2006),
    "VEN": range(1991, 2010),
}


def test_trade_1990_2009_is_wdi_full_series_else_wits(wits: list[dict[str, str]], index: dict) -> None:
    """trade_pct_gdp 1990-2009 = WDI full series exports + imports (input table) where both are > 0, else
    WITS Trade (% of GDP), else interpolated; WITS is used exactly in the documented state-years."""
    hist = wdi_hist_values()
    raw_wits = {(r["iso3"], int(r["year"])): float(r["value"]) for r in wits if r["indicator"] == "Trade (% of GDP)"}
    used_wits: set[tuple[str, int]] = set()
    n_wdi = 0
    for iso in CELAC:
        for year in range(1990, 2010):
            row = index[(iso, year, "trade_pct_gdp")]
            x, m = hist.get((iso, "NE.EXP.GNFS.ZS", year), 0.0), hist.get((iso, "NE.IMP.GNFS.ZS", year), 0.0)
            if x > 0 and m > 0:
                assert row["source_id"] == "pub_wdi_hist_trade", row
                assert float(row["value"]) == pytest.approx(x + m, rel=REL), row
                n_wdi += 1
            elif (iso, year) in raw_wits:
                assert row["source_id"] == "wits_trade", row
                assert float(row["value"]) == pytest.approx(raw_wits[(iso, year)], rel=REL), row
                used_wits.add((iso, year))
            else:
                assert row["note"].startswith(("interpolated", "carried")), row
    documented = {(iso, y) for iso, years in TRADE_WITS_1990_2009.items() for y in years}
    assert used_wits <= documented, sorted(used_wits - documented)
    missing = documented - used_wits
    assert all(index[(iso, y, "trade_pct_gdp")]["note"].startswith("interpolated") for iso, y in missing), missing
    assert n_wdi == 20 * 33 - len(documented)


# States allowed a trade-openness change beyond +-15 percentage points from 2009 to 2010, each with the
# documented reason (docs/data/economy.md, "Trade breaks"). None is needed since trade 1990-2009 comes from the
# WDI vintage of 2010-2025: the largest 2009->2010 changes are NIC +13.4, HND +12.5 and HTI +11.6 points
# (recovery from the 2009 trade collapse; HTI: 2010 earthquake reconstruction imports).
TRADE_2010_JUMP_MAX = 15.0
TRADE_2010_JUMP_EXCEPTIONS: dict[str, str] = {}


def test_no_trade_jump_at_2009_2010_without_a_documented_reason(index: dict) -> None:
    jumps = {iso: val(index, iso, 2010, "trade_pct_gdp") - val(index, iso, 2009, "trade_pct_gdp") for iso in CELAC}
    bad = {iso: round(j, 1) for iso, j in jumps.items() if abs(j) > TRADE_2010_JUMP_MAX}
    assert set(bad) <= set(TRADE_2010_JUMP_EXCEPTIONS), f"undocumented 2009->2010 trade jumps (points): {bad}"
    stale = {iso for iso in TRADE_2010_JUMP_EXCEPTIONS if abs(jumps[iso]) <= TRADE_2010_JUMP_MAX}
    assert not stale, f"listed as exceptions but within +-{TRADE_2010_JUMP_MAX} points: {sorted(stale)}"
    assert all(reason.strip() for reason in TRADE_2010_JUMP_EXCEPTIONS.values())


# --- seeds and later years --------------------------------------------------------------------------------
def test_colombia_imports_china_ahead_of_us_in_2025(index: dict) -> None:
    """Seed 002 (May 2025): China recently passed the US as Colombia's largest source of imports."""
    assert val(index, "COL", 2025, "import_share_cn") > val(index, "COL", 2025, "import_share_us")


def test_nothing_dated_after_2025(panel: list[dict[str, str]]) -> None:
    assert max(int(r["year"]) for r in panel) == 2025
