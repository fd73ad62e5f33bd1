"""Tests for the reporting layer (sim.reporting): geometry asset, summaries and figures."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib import colormaps

from sim.data.seeds import CELAC_ISO3
from sim.reporting import figures, geometry, summaries

# fmt: off
CELAC = [
    "ATG", "ARG", "BHS", "BRB", "BLZ", "BOL", "BRA", "CHL", "COL", "CRI", "CUB", "DMA", "DOM", "ECU", "SLV", "GRD",
    "GTM", "GUY", "HTI", "HND", "JAM", "MEX", "NIC", "PAN", "PRY", "PER", "KNA", "LCA", "VCT", "SUR", "TTO", "URY",
    "VEN",
]
# fmt: on
LESSER_ANTILLES = ["ATG", "KNA", "DMA", "LCA", "VCT", "GRD", "BRB", "TTO"]
TERMS = [
    "economic_dependence",
    "aid_finance",
    "coercion_compliance",
    "coercion_reactance",
    "ideology",
    "structural_residual",
    "shock",
]
ASSET = Path(geometry.__file__).parent / "assets" / "lac_countries.geojson"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def iso3s() -> list[str]:
    """The 33 state codes, taken from the shipped geometry (USA is context only)."""
    return sorted(c for c in geometry.load_geometry() if c != "USA")


@pytest.fixture(scope="module")
def ts(iso3s: list[str]) -> pd.DataFrame:
    """Seeded synthetic timeseries: 3 replications x 6 monthly dates x 33 states."""
    rng = np.random.default_rng(42)
    dates = pd.period_range("2025-11", periods=6, freq="M").strftime("%Y-%m")
    start = rng.uniform(-0.8, 0.8, len(iso3s))
    rows = []
    for rep in range(3):
        a = start.copy()
        bri = (start > 0).astype(int)
        for d in dates:
            a = np.clip(a + rng.normal(0, 0.05, len(a)), -1, 1)
            bri = np.where(rng.random(len(a)) < 0.1, 1 - bri, bri)
            for j, iso in enumerate(iso3s):
                rows.append((rep, d, iso, a[j], int(bri[j]), 1, rng.uniform(-1, 1), rng.uniform(0, 1)))
    return pd.DataFrame(
        rows,
        columns=[
            "replication",
            "date",
            "iso3",
            "alignment",
            "bri_member",
            "recognizes_prc",
            "gov_ideology",
            "approval",
        ],
    )


@pytest.fixture(scope="module")
def contrib(ts: pd.DataFrame) -> pd.DataFrame:
    """Seeded synthetic mechanism contributions matching ``ts``'s keys."""
    rng = np.random.default_rng(7)
    keys = ts[["replication", "date", "iso3"]].drop_duplicates()
    frames = []
    for term in TERMS:
        f = keys.copy()
        f["term"] = term
        f["value"] = rng.normal(0.002 if term == "economic_dependence" else -0.001, 0.01, len(f))
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _assert_png(path: Path, min_bytes: int = 10_000) -> np.ndarray:
    assert path.exists(), path
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > min_bytes
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 500
    assert float(img[..., :3].std()) > 0.05, "image looks blank"
    return img


# --------------------------------------------------------------------------- geometry


def test_geometry_has_all_celac_states_and_usa() -> None:
    geo = geometry.load_geometry()
    assert set(CELAC) <= set(geo), sorted(set(CELAC) - set(geo))
    assert set(geo) == set(CELAC) | {"USA"}
    assert set(CELAC_ISO3) == set(CELAC) and len(CELAC_ISO3) == 33
    names = geometry.country_names()
    assert names["BRA"] == "Brazil" and names["VCT"].startswith("Saint Vincent")


def test_geometry_rings_are_valid_lonlat() -> None:
    for iso3, rings in geometry.load_geometry().items():
        assert rings, f"{iso3} has no rings"
        for ring in rings:
            assert ring.ndim == 2 and ring.shape[1] == 2 and len(ring) >= 4
            assert np.array_equal(ring[0], ring[-1]), f"{iso3} ring not closed"
            assert np.all((ring[:, 0] >= -180) & (ring[:, 0] <= 180))
            assert np.all((ring[:, 1] >= -90) & (ring[:, 1] <= 90))
            assert np.allclose(ring, np.round(ring, 3)), "coordinates not rounded to 3 decimals"


def test_geometry_is_cached_and_read_only() -> None:
    a, b = geometry.load_geometry(), geometry.load_geometry()
    assert a["BRA"][0] is b["BRA"][0]
    with pytest.raises(ValueError):
        a["BRA"][0][0, 0] = 0.0


def test_every_state_is_visible_at_region_scale() -> None:
    """Each state's largest ring must survive simplification with a real area."""
    for iso3 in CELAC:
        ring = geometry.largest_ring(iso3)
        assert geometry.ring_area(ring) > 0.005, iso3  # > ~60 km2; Grenada's island ~0.03


def test_lesser_antilles_inside_inset_window() -> None:
    lon0, lon1, lat0, lat1 = geometry.INSET_BOUNDS
    # roughly the window asked for: lon -63.5..-59.3, lat 10..18
    assert lon0 <= -63.0 and lon1 >= -59.4 and lat0 <= 10.05 and lat1 >= 17.5
    geo = geometry.load_geometry()
    assert set(geometry.LESSER_ANTILLES) == set(LESSER_ANTILLES)
    for iso3 in LESSER_ANTILLES:
        inside = [
            r
            for r in geo[iso3]
            if np.all((r[:, 0] >= lon0) & (r[:, 0] <= lon1) & (r[:, 1] >= lat0) & (r[:, 1] <= lat1))
        ]
        assert inside, f"{iso3} has no ring inside the inset window"


def test_geometry_asset_small_and_attributed() -> None:
    assert ASSET.exists()
    assert ASSET.stat().st_size < 250_000
    data = json.loads(ASSET.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 34
    attribution = (ASSET.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Made with Natural Earth" in attribution and "5.1.1" in attribution


# --------------------------------------------------------------------------- summaries


def test_summaries_numbers() -> None:
    ts = pd.DataFrame(
        {
            "replication": [0, 0, 0, 0, 1, 1, 1, 1],
            "date": ["2026-01", "2026-01", "2026-02", "2026-02"] * 2,
            "iso3": ["ARG", "BRA"] * 4,
            "alignment": [0.2, -0.4, 0.3, -0.3, 0.0, 0.4, 0.1, 0.5],
            "bri_member": [1, 0, 1, 1, 0, 0, 1, 0],
        }
    )
    reg = summaries.regional_mean(ts)
    assert reg.loc["2026-01", 0] == pytest.approx(-0.1)
    assert reg.loc["2026-02", 1] == pytest.approx(0.3)
    bri = summaries.bri_counts(ts)
    assert bri.loc["2026-02", 0] == 2 and bri.loc["2026-01", 1] == 0
    med = summaries.median_alignment_at(ts, "2026-02")
    assert med["ARG"] == pytest.approx(0.2) and med["BRA"] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        summaries.median_alignment_at(ts, "2030-01")


def test_mechanism_cumulative_and_totals() -> None:
    contrib = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1, 1, 0],
            "date": ["2026-01", "2026-02", "2026-02", "2026-01", "2026-02", "2026-01"],
            "iso3": ["COL", "COL", "COL", "COL", "COL", "MEX"],
            "term": ["aid_finance", "aid_finance", "ideology", "aid_finance", "ideology", "ideology"],
            "value": [0.1, 0.2, -0.3, 0.3, -0.1, 9.0],
        }
    )
    cum = summaries.mechanism_cumulative(contrib, "COL")
    assert list(cum.index) == ["2026-01", "2026-02"]
    # aid_finance: rep0 0.1, 0.2; rep1 0.3, 0 -> mean 0.2, 0.1 -> cumulative 0.2, 0.3
    assert cum.loc["2026-02", "aid_finance"] == pytest.approx(0.3)
    # ideology: rep0 0, -0.3; rep1 0, -0.1 -> mean 0, -0.2 -> cumulative 0, -0.2 (MEX ignored)
    assert cum.loc["2026-01", "ideology"] == pytest.approx(0.0)
    assert cum.loc["2026-02", "ideology"] == pytest.approx(-0.2)
    totals = summaries.mechanism_totals(contrib, "COL")
    assert totals.loc["aid_finance", "mean"] == pytest.approx(0.3)
    assert totals.loc["ideology", "q05"] <= totals.loc["ideology", "mean"] <= totals.loc["ideology", "q95"]
    with pytest.raises(ValueError):
        summaries.mechanism_cumulative(contrib, "BRA")


# --------------------------------------------------------------------------- figures


def test_small_multiples_png(ts: pd.DataFrame, tmp_path: Path) -> None:
    out = figures.plot_alignment_small_multiples(ts, tmp_path / "sm.png", names={"ARG": "Argentina"})
    assert out == tmp_path / "sm.png"
    _assert_png(out)


def test_regional_mean_png(ts: pd.DataFrame, tmp_path: Path) -> None:
    _assert_png(figures.plot_regional_mean(ts, tmp_path / "sub" / "regional.png"))


def test_bri_count_png(ts: pd.DataFrame, tmp_path: Path) -> None:
    _assert_png(figures.plot_bri_count(ts, tmp_path / "bri.png"))


def test_mechanism_breakdown_png(contrib: pd.DataFrame, tmp_path: Path) -> None:
    _assert_png(figures.plot_mechanism_breakdown(contrib, "COL", tmp_path / "mech.png", name="Colombia"))
    with pytest.raises(ValueError):
        figures.plot_mechanism_breakdown(contrib, "XXX", tmp_path / "none.png")


def _share_near(img: np.ndarray, rgb: tuple[float, float, float], tol: float = 0.06) -> float:
    return float(np.mean(np.all(np.abs(img[..., :3] - np.asarray(rgb)) < tol, axis=-1)))


def test_choropleth_colours_follow_convention(iso3s: list[str], tmp_path: Path) -> None:
    """Start map (all -1) dark blue (US), end map (all +1) dark red (China), change map (+2) dark red."""
    start = dict.fromkeys(iso3s, -1.0)
    end = dict.fromkeys(iso3s, 1.0)
    img = _assert_png(figures.plot_choropleth(start, end, tmp_path / "map.png", "start", "end"))
    blue = colormaps["RdBu_r"](0.0)[:3]
    red = colormaps["RdBu_r"](1.0)[:3]
    # three maps side by side; ignore the bottom strip with the colourbars
    top, third = int(0.8 * img.shape[0]), img.shape[1] // 3
    panels = [img[:top, k * third : (k + 1) * third] for k in range(3)]
    assert _share_near(panels[0], blue) > 0.03 and _share_near(panels[0], red) < 0.002
    assert _share_near(panels[1], red) > 0.03 and _share_near(panels[1], blue) < 0.002
    assert _share_near(panels[2], red) > 0.03 and _share_near(panels[2], blue) < 0.002


def test_choropleth_with_missing_values(iso3s: list[str], tmp_path: Path) -> None:
    start = {c: 0.5 for c in iso3s}
    end = {c: -0.5 for c in iso3s if c not in ("BRA", "BRB")}
    end["TTO"] = float("nan")
    _assert_png(figures.plot_choropleth(start, end, tmp_path / "map_missing.png", "a", "b"))


def test_plot_all_writes_fixed_names(ts: pd.DataFrame, contrib: pd.DataFrame, tmp_path: Path) -> None:
    """Fixed file names; a list of focus states (any case, duplicates ignored) gives one mechanisms_<ISO3>.png
    each."""
    paths = figures.plot_all(ts, contrib, tmp_path / "figs", focus=["col", "BRA", "COL"], footer="scenario x", dpi=72)
    assert [p.name for p in paths] == [
        "alignment_small_multiples.png",
        "regional_mean.png",
        "bri_members.png",
        "choropleth.png",
        "mechanisms_COL.png",
        "mechanisms_BRA.png",
    ]
    for p in paths:
        _assert_png(p)


def test_plot_all_checks_focus_states_before_drawing(ts: pd.DataFrame, contrib: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no contributions for BRA"):
        figures.plot_all(ts, contrib[contrib["iso3"] != "BRA"], tmp_path / "none", focus="bra")
    assert not list((tmp_path / "none").glob("*.png"))
