"""The alignment panels and event tables: re-derivation, completeness, provenance, consistency, spot checks.

Re-derivation tests read ../shared/data and skip if it is absent. The world rows (iso3 WLD) are re-derived
only when the full Voeten file is present (path in $VOETEN_DTA, default /tmp/ip2025.dta).
"""

from __future__ import annotations

import calendar
import csv
import importlib.util
import itertools
import os
import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
PANEL = REPO / "seeds" / "panels" / "alignment.csv"
SOURCES = REPO / "seeds" / "panels" / "alignment_sources.csv"
VARIABLES = REPO / "seeds" / "panels" / "alignment_variables.csv"
EVENTS = REPO / "seeds" / "events"
DTA = Path(os.environ.get("VOETEN_DTA", "/tmp/ip2025.dta"))
PRESENT = date(2025, 10, 31)
LEVERS = {
    "us.tariff",
    "us.aid",
    "us.sanctions",
    "us.leader_sanctions",
    "us.decertification",
    "us.visa_bans",
    "us.military_threat",
    "us.bri_exit_pressure",
    "us.elite_diplomacy",
    "china.bri_finance",
    "china.import_pledge",
    "china.elite_diplomacy",
    "china.bri_offer",
}

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is absent: cannot re-derive")
needs_dta = pytest.mark.skipif(not DTA.is_file(), reason=f"full Voeten file not at {DTA} (set $VOETEN_DTA)")


def _load_module() -> ModuleType:
    """seeds/derive/alignment.py as a module."""
    spec = importlib.util.spec_from_file_location("seeds_derive_alignment", REPO / "seeds" / "derive" / "alignment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


AL = _load_module()
CELAC = AL.CELAC


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(PANEL, dtype={"note": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def value(panel: pd.DataFrame):
    table = panel.set_index(["iso3", "year", "variable"])["value"].astype(float)

    def get(iso3: str, year: int, variable: str) -> float:
        return float(table.loc[(iso3, year, variable)])

    return get


# ---------------------------------------------------------------------------------------- re-derivation
@needs_data
def test_rederivation_reproduces_shipped_files_byte_for_byte():
    rows, events = AL.derive(DATA, DTA if DTA.is_file() else None)
    for path, text in AL.render(rows, events).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} differs from its re-derivation"


@needs_data
@needs_dta
def test_world_rows_rederived_from_the_full_voeten_file(panel: pd.DataFrame):
    assert AL.sha256_of(DTA) == AL.DTA_SHA256
    full = AL.read_dta(DTA)
    assert AL.regional_mismatches(full, DATA) == []
    derived = {(r.year, r.variable): AL.fmt_value(r.variable, r.value) for r in AL.world_rows_from_dta(full)}
    shipped = panel[panel["iso3"] == "WLD"]
    assert {(int(r.year), r.variable): r.value for r in shipped.itertuples()} == {
        k: float(v) for k, v in derived.items()
    }


@needs_dta
def test_world_percentiles_recomputed_from_the_full_voeten_file(panel: pd.DataFrame):
    """Independent recomputation: rank(pct=True) of idealpointfp within each year over all members with an estimate."""
    assert AL.sha256_of(DTA) == AL.DTA_SHA256
    full = pd.read_stata(DTA)
    full = full[full["idealpointfp"].notna() & full["year"].between(1990, 2024)].copy()
    full["pct"] = full.groupby("year")["idealpointfp"].rank(pct=True, method="average")
    full = full[full["iso3c"].isin((*CELAC, "USA", "CHN"))]
    ours = full.set_index([full["iso3c"], full["year"].astype(int)])["pct"]
    shipped = panel[panel["variable"] == "unga_world_percentile"].set_index(["iso3", "year"])["value"]
    assert set(shipped.index) == set(ours.index)
    for key, expected in ours.items():
        assert shipped[key] == float(f"{expected:.6g}"), key


@needs_data
def test_split_vote_identity_recomputed_from_raw(value):
    raw = pd.read_csv(DATA / "unga_ideal_points_lac.csv")
    q = raw[raw["iso3c"] == "USA"].set_index("session")["ChinaAgree"]
    for iso3, session in (("CUB", 60), ("COL", 70), ("HTI", 75)):
        rec = raw[(raw["iso3c"] == iso3) & (raw["session"] == session)].iloc[0]
        expected = (rec.ChinaAgree - rec.USAgree) / (1 - q[session])
        assert value(iso3, 1945 + session, "unga_split_vote_diff") == pytest.approx(expected, rel=1e-5)


def test_arms_spreading_rule(tmp_path: Path):
    """A deal's TIV is split equally over its delivery years; the USSR counts as Russia."""
    folder = tmp_path / "politics"
    folder.mkdir()
    cols = ["iso3_recipient", "supplier", "years_of_delivery", "tiv_delivered"]
    pd.DataFrame(
        [
            ["PER", "United States", "2001; 2002", "10"],
            ["PER", "Soviet Union", "2002", "4"],
            ["PER", "Israel", "", "0"],
        ],
        columns=cols,
    ).to_csv(folder / "sipri_trade_register_celac_recipients.csv", index=False)
    tiv = AL.arms_by_year(tmp_path).set_index(["year", "group"])["share"]
    assert tiv[(2001, "us")] == pytest.approx(5)
    assert tiv[(2002, "us")] == pytest.approx(5)
    assert tiv[(2002, "ru")] == pytest.approx(4)


# ---------------------------------------------------------------------------------------- completeness
def _keys(panel: pd.DataFrame, variable: str) -> set[tuple[str, int]]:
    sub = panel[panel["variable"] == variable]
    return set(zip(sub["iso3"], sub["year"].astype(int), strict=True))


@pytest.mark.parametrize(
    "variable",
    [
        "recognizes_prc",
        "bri_member",
        "us_sanctions",
        "us_sanctions_types",
        "us_sanctions_regime",
        "us_sanctions_program",
        "us_decertified",
        "us_fta",
        "nato_global_partner",
        "us_mnna",
    ],
)
def test_full_coverage_1990_2025(panel: pd.DataFrame, variable: str):
    assert _keys(panel, variable) == {(i, y) for i in CELAC for y in range(1990, 2026)}


def test_ideal_point_coverage(panel: pd.DataFrame):
    gaps = {("VEN", 2022), ("VEN", 2023), ("VEN", 2024), ("DOM", 1994), ("DOM", 1995)}  # no estimate in the source
    expected = {(i, y) for i in (*CELAC, "USA", "CHN") for y in range(1990, 2025)} - gaps
    for variable in ("unga_ideal_point", "unga_ideal_point_q5", "unga_ideal_point_q95", "unga_world_percentile"):
        assert _keys(panel, variable) == expected
    for variable in ("unga_world_median", "unga_world_p25", "unga_world_p75", "unga_world_n"):
        assert _keys(panel, variable) == {("WLD", y) for y in range(1990, 2025)}


def test_agreement_coverage(panel: pd.DataFrame):
    gaps = {("VEN", 2022), ("VEN", 2023), ("DOM", 1994), ("DOM", 1995)}  # no row in the source
    expected = {(i, y) for i in CELAC for y in range(1990, 2024)} - gaps
    assert _keys(panel, "unga_agree_us") == expected
    assert _keys(panel, "unga_agree_cn") == expected
    assert _keys(panel, "unga_us_cn_agree") == {("USA", y) for y in range(1990, 2024)}
    split = _keys(panel, "unga_split_vote_diff")
    assert split <= expected and len(expected - split) == 19  # sessions with < 20 votes are left out


def test_other_coverage(panel: pd.DataFrame):
    assert _keys(panel, "confucius_institutes") == {(i, y) for i in CELAC for y in range(1990, 2022)}
    fbic = _keys(panel, "fbic_china")
    assert len({i for i, _ in fbic}) == 25 and {y for _, y in fbic} == set(range(1994, 2024))
    arms = _keys(panel, "arms_tiv_10y")
    for share in ("arms_share_us", "arms_share_cn", "arms_share_ru"):
        assert _keys(panel, share) == arms
    assert not any(i in {"DMA", "LCA"} for i, _ in arms), "states with no deliveries must have no rows"


# ---------------------------------------------------------------------------------------- provenance & format
def test_columns_sorting_and_formats(panel: pd.DataFrame):
    assert list(panel.columns) == ["iso3", "year", "variable", "value", "source_id", "note"]
    keys = list(zip(panel["variable"], panel["iso3"], panel["year"], strict=True))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert panel["value"].astype(str).str.len().gt(0).all()
    variables = {r["variable"]: r for r in _read(VARIABLES)}
    assert set(panel["variable"]) == set(variables)
    for var, grp in panel.groupby("variable"):
        spec = variables[var]
        assert grp["value"].between(float(spec["min"]), float(spec["max"])).all(), var
        if spec["dtype"] in ("int", "bool"):
            assert (grp["value"] == grp["value"].round()).all(), var
        if spec["dtype"] == "bool":
            assert set(grp["value"]) <= {0, 1}, var
    assert set(panel.loc[panel["variable"] == "us_decertified", "value"]) <= {0, 0.5, 1}
    assert set(panel.loc[panel["variable"] == "us_sanctions_regime", "value"]) == {0, 0.5, 1}


def test_every_row_names_a_source_and_estimates_give_reasoning(panel: pd.DataFrame):
    sources = {r["source_id"]: r for r in _read(SOURCES)}
    assert set(panel["source_id"]) == set(sources)
    for sid, src in sources.items():
        assert src["kind"] in {"dataset", "public", "estimate"}, sid
        assert src["citation"], sid
        if src["kind"] == "dataset":
            assert src["dataset_file"] and src["field"], sid
            if DATA.is_dir():
                assert (DATA / src["dataset_file"]).is_file(), sid
        if src["kind"] == "estimate":
            assert src["derivation"].startswith("Estimate:"), sid
    est = panel[panel["source_id"].map(lambda s: sources[s]["kind"]) == "estimate"]
    assert len(est) > 0
    assert (
        est["note"].str.startswith("Estimate:")
        | est["source_id"].map(lambda s: sources[s]["derivation"].startswith("Estimate:"))
    ).all()


# ---------------------------------------------------------------------------------------- event tables
def test_recognition_events_are_complete_and_alternate():
    rows = _read(EVENTS / "recognition.csv")
    assert list(rows[0]) == ["iso3", "date", "event", "recognizes_after", "source_kind", "source", "quote", "note"]
    for iso3 in CELAC:
        mine = sorted((r for r in rows if r["iso3"] == iso3), key=lambda r: r["date"])
        assert mine[0]["event"] == "status_1990" and mine[0]["date"] == "1990-01-01", iso3
        assert sum(r["event"] == "status_1990" for r in mine) == 1, iso3
        for before, after in itertools.pairwise(mine):
            assert after["event"] == f"switch_to_{after['recognizes_after'].lower()}", iso3
            assert after["recognizes_after"] != before["recognizes_after"], f"{iso3}: a switch must change recognition"
    for r in rows:
        assert date.fromisoformat(r["date"]) <= PRESENT
        assert r["source_kind"] in {"dataset", "public"} and r["source"]


@needs_data
def test_recognition_dataset_rows_match_the_dataset():
    bri = {r["iso3"]: r for r in _read(DATA / "bri_membership_lac.csv")}
    for r in _read(EVENTS / "recognition.csv"):
        if r["source_kind"] == "dataset":
            assert bri[r["iso3"]]["recognizes_prc_since"] == r["date"], r["iso3"]
    listed = {r["iso3"] for r in _read(EVENTS / "recognition.csv") if r["source_kind"] == "dataset"}
    assert listed == {i for i, r in bri.items() if r["recognizes_prc_since"]}


@needs_data
def test_recognition_2025_agrees_with_bri_membership_dataset(value):
    for r in _read(DATA / "bri_membership_lac.csv"):
        assert value(r["iso3"], 2025, "recognizes_prc") == (1.0 if r["recognizes"] == "PRC" else 0.0), r["iso3"]


@needs_data
def test_bri_events_match_the_dataset():
    events = _read(EVENTS / "bri.csv")
    data = _read(DATA / "bri_membership_lac.csv")
    joins = {r["iso3"] for r in events if r["event"] == "bri_join"}
    assert joins == {r["iso3"] for r in data if r["bri_mou_signed"]}
    assert {r["iso3"] for r in events if r["event"] == "bri_exit"} == {r["iso3"] for r in data if r["bri_exit"]}
    partial = {r["iso3"] for r in data if r["verified"] == "partial"}
    assert partial == {r["iso3"] for r in events if "verified = partial" in r["note"]}


def test_no_bri_member_recognises_taipei(panel: pd.DataFrame):
    wide = panel[panel["variable"].isin(["bri_member", "recognizes_prc"])].pivot_table(
        index=["iso3", "year"], columns="variable", values="value"
    )
    bad = wide[(wide["bri_member"] == 1) & (wide["recognizes_prc"] == 0)]
    assert bad.empty, bad.index.tolist()
    assert int(wide.xs(2025, level="year")["bri_member"].sum()) == 22


def test_power_actions_table():
    rows = _read(EVENTS / "power_actions.csv")
    assert list(rows[0]) == [
        "date",
        "actor",
        "iso3",
        "action",
        "lever",
        "value",
        "source_kind",
        "source",
        "quote",
        "note",
    ]
    keys = [(r["date"], r["actor"], r["iso3"], r["action"]) for r in rows]
    assert keys == sorted(keys)
    for r in rows:
        assert r["actor"] in {"USA", "CHN"}
        assert r["iso3"] in (*CELAC, "ALL")
        assert r["lever"] == "" or r["lever"] in LEVERS
        assert r["lever"].split(".")[0] == ("us" if r["actor"] == "USA" else "china") or not r["lever"]
        if r["value"]:
            float(r["value"])
            assert r["lever"], "a value needs a lever"
        assert date(1990, 1, 1) <= date.fromisoformat(r["date"]) <= PRESENT
        assert r["source_kind"] in {"seed", "public", "estimate", "dataset"} and r["source"]
        if r["source_kind"] == "estimate":
            assert r["note"].startswith("Estimate:")
    actions = {r["action"] for r in rows}
    for needed in (
        "china_celac_forum_ministerial_1",
        "china_celac_forum_ministerial_2",
        "china_celac_forum",
        "belt_and_road_forum_1",
        "belt_and_road_forum_2",
        "belt_and_road_forum_3",
        "cuba_thaw_announced",
        "cuba_policy_rollback",
        "envoy_recall_taiwan_switch",
        "troika_of_tyranny_speech",
    ):
        assert needed in actions


def test_power_actions_reuse_timeline_provenance():
    timeline = {(r["date"], r["iso3"], r["event"]): r for r in _read(REPO / "seeds" / "timeline.csv")}
    reused = [r for r in _read(EVENTS / "power_actions.csv") if "reused from seeds/timeline.csv" in r["note"]]
    assert len(reused) >= 10
    for r in reused:
        t = timeline[(r["date"], r["iso3"], r["action"])]
        assert (t["source_kind"], t["source"], t["quote"], t["lever"], t["value"]) == (
            r["source_kind"],
            r["source"],
            r["quote"],
            r["lever"],
            r["value"],
        )


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is absent")
def test_power_action_seed_quotes_are_verbatim():
    for r in _read(EVENTS / "power_actions.csv"):
        if r["source_kind"] == "seed":
            text = re.sub(r"\s+", " ", (SHARED_SEEDS / r["source"]).read_text(encoding="utf-8"))
            assert re.sub(r"\s+", " ", r["quote"]).strip() in text, r["action"]


# ---------------------------------------------------------------------------------------- spot checks
@pytest.mark.parametrize(
    ("iso3", "year", "variable", "expected"),
    [
        ("NIC", 1990, "recognizes_prc", 0),
        ("NIC", 2021, "recognizes_prc", 1),
        ("BHS", 1996, "recognizes_prc", 0),
        ("BHS", 1997, "recognizes_prc", 1),
        ("LCA", 1997, "recognizes_prc", 1),
        ("LCA", 2007, "recognizes_prc", 0),
        ("DMA", 2004, "recognizes_prc", 1),
        ("GRD", 2004, "recognizes_prc", 0),
        ("CRI", 2007, "recognizes_prc", 1),
        ("HND", 2022, "recognizes_prc", 0),
        ("HND", 2023, "recognizes_prc", 1),
        ("PRY", 2025, "recognizes_prc", 0),
        ("PAN", 2024, "bri_member", 1),
        ("PAN", 2025, "bri_member", 0),
        ("COL", 2025, "bri_member", 1),
        ("COL", 2024, "bri_member", 0),
        ("BRA", 2025, "bri_member", 0),
        ("COL", 1995, "us_decertified", 0.5),
        ("COL", 1996, "us_decertified", 1),
        ("COL", 1997, "us_decertified", 1),
        ("COL", 1998, "us_decertified", 0.5),
        ("COL", 2024, "us_decertified", 0),
        ("COL", 2025, "us_decertified", 0.5),
        ("VEN", 2004, "us_decertified", 0),
        ("VEN", 2005, "us_decertified", 0.5),
        ("BOL", 2018, "us_decertified", 1),
        ("BOL", 2020, "us_decertified", 0.5),
        ("HTI", 2003, "us_decertified", 0.5),
        ("MEX", 1997, "us_decertified", 0),
        ("CUB", 1990, "us_sanctions", 1),
        ("CUB", 2025, "us_sanctions", 1),
        ("URY", 2010, "us_sanctions", 0),
        ("MEX", 1993, "us_fta", 0),
        ("MEX", 1994, "us_fta", 1),
        ("CRI", 2008, "us_fta", 0),
        ("CRI", 2009, "us_fta", 1),
        ("COL", 2011, "us_fta", 0),
        ("COL", 2012, "us_fta", 1),
        ("BRA", 2025, "us_fta", 0),
        ("COL", 2017, "nato_global_partner", 0),
        ("COL", 2018, "nato_global_partner", 1),
        ("ARG", 1997, "us_mnna", 0),
        ("ARG", 1998, "us_mnna", 1),
        ("BRA", 2019, "us_mnna", 1),
        ("COL", 2022, "us_mnna", 1),
        ("MEX", 2020, "confucius_institutes", 5),
        ("CHL", 2007, "confucius_institutes", 1),
        ("USA", 1990, "unga_us_cn_agree", 0.156627),
    ],
)
def test_spot_values(value, iso3: str, year: int, variable: str, expected: float):
    assert value(iso3, year, variable) == pytest.approx(expected, abs=1e-6)


def test_arms_shares_are_coherent(panel: pd.DataFrame):
    wide = panel[panel["variable"].str.startswith("arms_")].pivot_table(
        index=["iso3", "year"], columns="variable", values="value"
    )
    total = wide["arms_share_us"] + wide["arms_share_cn"] + wide["arms_share_ru"]
    assert (total <= 1 + 1e-5).all() and (wide["arms_tiv_10y"] > 0).all()
    assert wide.loc[("VEN", 2015), "arms_share_ru"] > 0.5  # Sukhoi and other Russian deliveries 2006-2015
    assert wide.loc[("COL", 2015), "arms_share_us"] > 0.3 > wide.loc[("COL", 2015), "arms_share_cn"]


def test_us_china_agreement_is_low_and_ideal_points_separate_the_powers(value):
    for year in range(1990, 2024):
        assert value("USA", year, "unga_us_cn_agree") < 0.25
    for year in range(1990, 2025):
        usa, chn = value("USA", year, "unga_ideal_point"), value("CHN", year, "unga_ideal_point")
        assert usa > value("WLD", year, "unga_world_p75") and usa - chn > 2


# ---------------------------------------------------------------------------------------- world percentile
def test_world_percentile_agrees_with_ideal_points_median_and_count(panel: pd.DataFrame):
    """Percentiles order the states as their ideal points do, sit on the median's side and are rank / n."""
    wide = panel[panel["iso3"] != "WLD"].pivot_table(index=["year", "iso3"], columns="variable", values="value")
    wide = wide[["unga_ideal_point", "unga_world_percentile"]].dropna()
    world = panel[panel["iso3"] == "WLD"].pivot_table(index="year", columns="variable", values="value")
    for year, grp in wide.groupby(level="year"):
        ip, pct = grp["unga_ideal_point"].to_numpy(), grp["unga_world_percentile"].to_numpy()
        for a, b in itertools.permutations(range(len(grp)), 2):
            if ip[a] < ip[b] - 1e-5:
                assert pct[a] < pct[b], (year, grp.index[a], grp.index[b])
        median, n = world.loc[year, "unga_world_median"], world.loc[year, "unga_world_n"]
        far = abs(ip - median) > 1e-5
        assert ((pct[far] > 0.5) == (ip[far] > median)).all(), year
        twice_rank = 2 * pct * n  # average ranks are multiples of 1/2
        assert abs(twice_rank - twice_rank.round()).max() < 1e-3, year
        assert (pct > 0).all() and (pct <= 1).all()
        usa = grp.index.get_loc((year, "USA"))
        assert pct[usa] == pct.max() and (pct[usa] > pct[ip < ip[usa]]).all(), year


# ---------------------------------------------------------------------------------------- US regime sanctions
def _regime_from_raw(raw: pd.DataFrame) -> dict[tuple[str, int], float]:
    """Independent implementation of the us_sanctions_regime rule for 1990-2022 from the raw GSDB rows."""
    iso = AL.GSDB_ISO3
    political = {"destab_regime", "democracy", "human_rights", "terrorism", "end_war", "policy_change"}
    out = {(i, y): 0.0 for i in CELAC for y in range(1990, 2023)}
    for case in raw.itertuples(index=False):
        senders = [x.strip() for x in case.sanctioning_state.split(",")]
        if "United States" not in senders or not set(case.objective.split(",")) & political:
            continue
        level = 1.0 if case.trade or case.financial else 0.5 if case.arms or case.military or case.travel else 0.0
        for target in case.sanctioned_state.split(", "):
            for year in range(max(case.begin, 1990), min(case.end, 2022) + 1):
                out[(iso[target], year)] = max(out[(iso[target], year)], level)
    return out


@needs_data
def test_regime_sanctions_recomputed_from_raw_gsdb(panel: pd.DataFrame):
    raw = pd.read_csv(DATA / "sanctions_gsdb_v3_lac.csv")
    sub = panel[(panel["variable"] == "us_sanctions_regime") & (panel["year"] <= 2022)]
    shipped = {(r.iso3, int(r.year)): r.value for r in sub.itertuples()}
    assert shipped == _regime_from_raw(raw)


@needs_data
def test_regime_objectives_cover_every_non_other_objective_in_the_window():
    """'Qualifying' = 'not only other' holds because no US case in force from 1990 has another objective."""
    cases = AL.gsdb_us_cases(DATA)
    objectives = set(cases.loc[cases["end"] >= 1990, "objective"].str.split(",").explode())
    assert objectives - {"other"} <= AL.REGIME_OBJECTIVES


def test_regime_rule_on_synthetic_cases():
    flags = dict.fromkeys(("trade", "arms", "military", "financial", "travel"), 0)
    cases = pd.DataFrame(
        [
            {"case_id": 1, "objective": "other", **flags, "financial": 1},
            {"case_id": 2, "objective": "human_rights,other", **flags, "travel": 1},
            {"case_id": 3, "objective": "policy_change", **flags, "arms": 1},
            {"case_id": 4, "objective": "democracy", **flags, "trade": 1},
        ]
    )
    qualifying = AL.regime_cases(cases)
    assert list(qualifying["case_id"]) == [2, 3, 4]
    assert AL.regime_level(qualifying.iloc[:2])[0] == 0.5
    assert AL.regime_level(qualifying)[0] == 1.0
    assert AL.regime_level(qualifying.iloc[:0])[0] == 0.0
    assert AL.regime_level(AL.regime_cases(cases.iloc[:1]))[0] == 0.0  # narcotics-only financial case


def test_regime_sanctions_are_a_subset_and_carried_after_2022(panel: pd.DataFrame):
    wide = panel[panel["variable"].isin(["us_sanctions", "us_sanctions_regime"])].pivot_table(
        index=["iso3", "year"], columns="variable", values="value"
    )
    assert (wide.loc[wide["us_sanctions_regime"] > 0, "us_sanctions"] == 1).all()
    regime = panel[panel["variable"] == "us_sanctions_regime"].set_index(["iso3", "year"])
    for iso3 in CELAC:
        for year in (2023, 2024, 2025):
            rec = regime.loc[(iso3, year)]
            if iso3 in ("CUB", "VEN", "NIC"):
                assert (rec["source_id"], rec["value"]) == (AL.OFAC_PROGRAMMES[iso3][0], 1), (iso3, year)
            else:
                assert rec["source_id"] == "gsdb_carry_regime" and rec["note"].startswith("Estimate:"), (iso3, year)
                assert rec["value"] == regime.loc[(iso3, 2022), "value"], (iso3, year)


@pytest.mark.parametrize(
    ("iso3", "years", "expected"),
    [
        ("CUB", range(1990, 2026), 1),
        ("HTI", range(1991, 1995), 1),
        ("PER", range(1992, 1995), 1),
        ("VEN", range(2006, 2008), 0.5),
        ("VEN", range(2015, 2026), 1),
        ("NIC", range(2018, 2026), 1),
        ("HND", [2009], 1),
        ("COL", range(1990, 2026), 0),  # only narcotics/kingpin cases ("other"), though us_sanctions = 1 in 2010-2025
        ("MEX", range(1990, 2026), 0),
        ("URY", range(1990, 2026), 0),
    ],
)
def test_regime_sanctions_spot_values(value, iso3: str, years: Iterable[int], expected: float):
    for year in years:
        assert value(iso3, year, "us_sanctions_regime") == expected, year


# ---------------------------------------------------------------------------------------- US sanctions programmes
PROGRAMS = REPO / "seeds" / "derive" / "inputs" / "alignment_us_programs.csv"
PROGRAM_COLS = ["iso3", "program", "start", "end", "level", "source_kind", "source", "quote", "note"]


def _program_values_from_table() -> dict[tuple[str, int], float]:
    """Independent implementation of the us_sanctions_program rule from the input table: for every month end up to
    the present (2025: Jan-Oct), the highest level of the programmes with start <= day < end; mean over months."""
    rows = _read(PROGRAMS)
    out = {}
    for iso3 in CELAC:
        mine = [r for r in rows if r["iso3"] == iso3]
        for year in range(1990, 2026):
            days = [date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
            days = [d for d in days if d <= PRESENT]
            total = 0.0
            for d in days:
                live = [
                    float(r["level"])
                    for r in mine
                    if r["start"] <= d.isoformat() and (not r["end"] or d.isoformat() < r["end"])
                ]
                total += max(live, default=0.0)
            out[(iso3, year)] = total / len(days)
    return out


def test_program_table_columns_levels_dates_and_citations():
    rows = _read(PROGRAMS)
    assert list(rows[0]) == PROGRAM_COLS
    assert len({r["program"] for r in rows}) == len(rows)
    for r in rows:
        assert r["iso3"] in CELAC, r["program"]
        assert float(r["level"]) in (0.5, 1.0), r["program"]
        start = date.fromisoformat(r["start"])
        assert start <= PRESENT, r["program"]
        if r["end"]:
            assert start < date.fromisoformat(r["end"]) <= PRESENT, r["program"]
        assert r["source_kind"] == "public", r["program"]
        assert len(r["source"].strip()) > 40 and r["note"].strip(), r["program"]
        assert re.search(r"\b(EO|Executive Order|CFR|Pub\. L\.)", r["source"]), r["program"]
    assert {r["iso3"] for r in rows} == {"CUB", "HTI", "NIC", "PAN", "VEN"}


def test_program_panel_rederived_from_input_table(panel: pd.DataFrame):
    sub = panel[panel["variable"] == "us_sanctions_program"]
    shipped = {(r.iso3, int(r.year)): r.value for r in sub.itertuples()}
    expected = {k: float(f"{v:.6g}") for k, v in _program_values_from_table().items()}
    assert shipped == expected
    assert set(sub["source_id"]) == {"us_programs_public"}
    source = {r["source_id"]: r for r in _read(SOURCES)}["us_programs_public"]
    assert source["kind"] == "public" and "alignment_us_programs.csv" in source["citation"]


@pytest.mark.parametrize(
    ("iso3", "years", "expected"),
    [
        ("CUB", range(1990, 2026), 1),
        ("HTI", [1990], 0),
        ("HTI", [1991], 0.25),  # EO 12775 of 4 Oct 1991: Oct, Nov, Dec
        ("HTI", [1992, 1993], 1),
        ("HTI", [1994], 0.75),  # terminated 14 Oct 1994: Jan-Sep
        ("HTI", range(1995, 2026), 0),
        ("NIC", [1990], 2 / 12),  # embargo lifted 13 Mar 1990
        ("NIC", range(1991, 2018), 0),
        ("NIC", [2018], 2 * 0.5 / 12),  # EO 13851 of 27 Nov 2018
        ("NIC", range(2019, 2022), 0.5),
        ("NIC", [2022], (9 * 0.5 + 3) / 12),  # EO 14088 of 24 Oct 2022
        ("NIC", range(2023, 2026), 1),
        ("VEN", range(1990, 2015), 0),
        ("VEN", [2015], 10 * 0.5 / 12),  # EO 13692 of 8 Mar 2015
        ("VEN", [2016], 0.5),
        ("VEN", [2017], (7 * 0.5 + 5) / 12),  # EO 13808 of 24 Aug 2017
        ("VEN", range(2018, 2026), 1),
        ("PAN", range(1990, 2026), 0),  # sanctions lifted 20 Dec 1989
        ("BRA", range(1990, 2026), 0),  # the 2025 IEEPA duty on Brazil is a tariff (us.tariff), not a programme
    ],
)
def test_program_spot_values(value, iso3: str, years: Iterable[int], expected: float):
    for year in years:
        assert value(iso3, year, "us_sanctions_program") == pytest.approx(expected, abs=1e-6), year


def test_no_state_above_zero_outside_the_listed_programmes(panel: pd.DataFrame):
    sub = panel[(panel["variable"] == "us_sanctions_program") & (panel["value"] > 0)]
    assert set(sub["iso3"]) == {"CUB", "HTI", "NIC", "VEN"}
    zero = sub[sub["note"] == "no US country-based programme in force"]
    assert zero.empty
    regime = panel[panel["variable"] == "us_sanctions_regime"].set_index(["iso3", "year"])["value"]
    program = panel[panel["variable"] == "us_sanctions_program"].set_index(["iso3", "year"])["value"]
    # individual-targeted GSDB human-rights cases: regime-level 1 in GSDB, no country programme
    for iso3, years in (("BLZ", range(2018, 2026)), ("JAM", range(2020, 2026)), ("PRY", range(2021, 2026))):
        for year in years:
            assert regime[(iso3, year)] == 1 and program[(iso3, year)] == 0, (iso3, year)
    for iso3 in ("GTM", "SLV", "HTI"):
        assert (program.loc[iso3].loc[2018:2025] == 0).all(), iso3


def test_program_rule_on_synthetic_programmes():
    prog = AL.Program
    ends_on_last_day = prog("XXX", "a", date(2010, 1, 15), date(2010, 3, 31), 1.0)  # not in force on 31 Mar
    starts_on_last_day = prog("XXX", "b", date(2010, 6, 30), None, 0.5)  # in force on 30 Jun
    value, note = AL.program_share([ends_on_last_day, starts_on_last_day], 2010)
    assert value == pytest.approx((2 * 1.0 + 7 * 0.5) / 12)
    assert "a (level 1) in force at 2 of 12" in note and "b (level 0.5) in force at 7 of 12" in note
    overlap = prog("XXX", "c", date(2010, 1, 1), None, 1.0)
    assert AL.program_share([starts_on_last_day, overlap], 2010)[0] == 1.0  # the highest level counts, not the sum
    assert AL.program_share([], 2010) == (0.0, "no US country-based programme in force")
    assert len(AL.month_ends(2025)) == 10 and AL.month_ends(2025)[-1] == PRESENT
    assert AL.program_share([overlap], 2025)[0] == 1.0
