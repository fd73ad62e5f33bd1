"""What the run figures draw, read from the matplotlib objects (not pixels): footer, captions, labels, mechanism
bar order, whole-state BRI band, change map scale, Lesser Antilles inset and warning-free date axes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from sim.reporting import figures, geometry, summaries

FOOTER = "scenario us_max_pressure \u00b7 us.tariff=0.25 \u00b7 50 replications \u00b7 seed 20251031"
SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
STATES = ["ARG", "BRA", "COL", "MEX", "PAN", "TTO"]


# --------------------------------------------------------------------------- synthetic tables


def _ts(n_reps: int = 20, months: int = 8, states: list[str] = STATES, seed: int = 3) -> pd.DataFrame:
    """Timeseries with BRI counts that differ between replications (so a mean would not be whole)."""
    rng = np.random.default_rng(seed)
    dates = pd.period_range("2025-10", periods=months, freq="M").strftime("%Y-%m")
    rows = []
    for rep in range(n_reps):
        a = rng.uniform(-0.6, 0.6, len(states))
        bri = (rng.random(len(states)) < 0.5).astype(int)
        for d in dates:
            a = np.clip(a + rng.normal(0, 0.04, len(a)), -1, 1)
            bri = np.where(rng.random(len(a)) < 0.15, 1 - bri, bri)
            rows += [(rep, d, s, a[j], int(bri[j])) for j, s in enumerate(states)]
    return pd.DataFrame(rows, columns=["replication", "date", "iso3", "alignment", "bri_member"])


def _contrib(terms: dict[str, float], n_reps: int = 4, months: int = 6, iso3: str = "COL") -> pd.DataFrame:
    """Per-replication contributions: each term a constant monthly value plus small noise (none on a zero term)."""
    rng = np.random.default_rng(11)
    dates = pd.period_range("2025-11", periods=months, freq="M").strftime("%Y-%m")
    rows = [
        (rep, d, iso3, term, value + (rng.normal(0, 1e-4) if value else 0.0))
        for rep in range(n_reps)
        for d in dates
        for term, value in terms.items()
    ]
    return pd.DataFrame(rows, columns=["replication", "date", "iso3", "term", "value"])


TERMS = {
    "coercion": 0.05,
    "trade": -0.045,
    "ideology": 0.004,
    "security": -0.012,
    "shock": 0.0005,
    "elite": 0.0,
}


def _texts(fig: Figure, skip_footer: bool = True) -> list[str]:
    """Every piece of text drawn on the figure (after a draw, so tick labels exist)."""
    fig.canvas.draw()
    out = []
    for artist in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible()):
        if skip_footer and getattr(artist, "get_gid", lambda: None)() == figures.FOOTER_GID:
            continue
        text = artist.get_text()
        if text:
            out.append(text)
    return out


def _axes(fig: Figure, label: str) -> list[Axes]:
    found = []
    for ax in fig.axes:
        found += [a for a in [ax, *ax.child_axes] if a.get_label() == label]
    return found


def _has_footer(fig: Figure) -> bool:
    return any(t.get_text() == FOOTER and t.get_gid() == figures.FOOTER_GID for t in fig.texts)


# --------------------------------------------------------------------------- footer and labels


def test_every_run_figure_has_the_footer_and_no_snake_case() -> None:
    ts, contrib = _ts(n_reps=3, months=4), _contrib(TERMS)
    start = summaries.median_alignment_at(ts, "2025-10")
    end = summaries.median_alignment_at(ts, "2026-01")
    made = [
        figures.make_alignment_small_multiples(ts, footer=FOOTER),
        figures.make_regional_mean(ts, footer=FOOTER),
        figures.make_bri_count(ts, footer=FOOTER),
        figures.make_choropleth(start, end, "2025-10", "2026-01", footer=FOOTER),
        figures.make_mechanism_breakdown(contrib, "COL", footer=FOOTER),
        figures.make_mechanism_breakdown(contrib, "COL", view="gross", footer=FOOTER),
    ]
    for fig in made:
        assert _has_footer(fig), fig
        bad = [t for t in _texts(fig) if SNAKE.search(t)]
        assert not bad, bad


def test_no_footer_text_when_empty() -> None:
    fig = figures.make_regional_mean(_ts(n_reps=2, months=3))
    assert not [t for t in fig.texts if t.get_gid() == figures.FOOTER_GID]


# --------------------------------------------------------------------------- mechanisms


def test_mechanism_net_bars_sorted_largest_first_and_sum_to_total() -> None:
    contrib = _contrib(TERMS)
    fig = figures.make_mechanism_breakdown(contrib, "COL", "Colombia", footer=FOOTER)
    (ax,) = _axes(fig, figures.BARS_LABEL)
    fig.canvas.draw()
    bars = sorted(ax.patches, key=lambda p: p.get_y())  # top to bottom (y axis inverted: smaller y on top)
    widths = np.array([b.get_width() for b in bars])
    names = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: t.get_position()[1])]
    assert names == [
        "US pressure",
        "Economic dependence",
        "Security ties",
        "Ideological affinity",
        "Random shocks",
        figures.TOTAL_ROW,
    ]  # 'elite' never contributes: left out
    assert ax.yaxis_inverted()
    mechanisms, total = widths[:-1], widths[-1]
    assert list(np.abs(mechanisms)) == sorted(np.abs(mechanisms), reverse=True)
    assert mechanisms.sum() == pytest.approx(total, abs=1e-12)
    assert total == pytest.approx(6 * sum(TERMS.values()), abs=1e-3)  # 6 months of constant pulls
    captions = [t.get_text() for t in fig.texts if t.get_gid() == figures.CAPTION_GID]
    assert any("Each bar: how much that mechanism moved Colombia's alignment between 2025-10 and 2026-04" in c
               and "bars sum to the total change" in c for c in captions)  # fmt: skip
    assert any("cancel" in c for c in captions)  # opposite bars of 0.3 behind a total of ~0.01
    assert "2025-10 \u2192 2026-04" in fig._suptitle.get_text()


def test_mechanism_net_path_ends_at_total() -> None:
    contrib = _contrib(TERMS)
    fig = figures.make_mechanism_breakdown(contrib, "COL")
    (ax,) = _axes(fig, figures.PATH_LABEL)
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "mean of replications"]
    y = np.asarray(line.get_ydata(), dtype=float)
    assert y[0] == 0.0 and len(y) == 7
    assert y[-1] == pytest.approx(contrib["value"].sum() / 4)


def test_mechanism_gross_view_has_its_own_caption() -> None:
    fig = figures.make_mechanism_breakdown(_contrib(TERMS), "COL", view="gross")
    captions = " ".join(t.get_text() for t in fig.texts if t.get_gid() == figures.CAPTION_GID)
    assert "Areas: each mechanism's cumulative pull since 2025-10" in captions
    assert _axes(fig, "gross_areas")
    with pytest.raises(ValueError, match="view"):
        figures.make_mechanism_breakdown(_contrib(TERMS), "COL", view="stacked")  # type: ignore[arg-type]


@pytest.mark.parametrize("view", ["net", "gross"])
def test_mechanism_figure_survives_new_terms(view: str) -> None:
    """TERMS may gain names: they get readable labels and colours, nothing breaks."""
    contrib = _contrib({"brand_new_mechanism": 0.02, "another_one": -0.01, "ideology": 0.001})
    fig = figures.make_mechanism_breakdown(contrib, "col", view=view)  # type: ignore[arg-type]
    (ax,) = _axes(fig, figures.BARS_LABEL)
    fig.canvas.draw()
    names = {t.get_text() for t in ax.get_yticklabels()}
    assert {"Brand new mechanism", "Another one", "Ideological affinity"} <= names
    colours = figures.term_colours(["brand_new_mechanism", "another_one", "ideology"])
    assert len({str(c) for c in colours.values()}) == 3


def test_mechanism_figure_from_the_run_folder_table() -> None:
    """contributions.csv (ensemble mean, no replication): bars without whiskers, caption says so."""
    per_rep = _contrib(TERMS)
    summary = (
        per_rep.groupby(["date", "iso3", "term"], as_index=False)["value"].mean().rename(columns={"value": "mean"})
    )
    summary["p05"] = summary["mean"]
    summary["p95"] = summary["mean"]
    fig = figures.make_mechanism_breakdown(summary, "COL")
    (ax,) = _axes(fig, figures.BARS_LABEL)
    total = max(ax.patches, key=lambda p: p.get_y()).get_width()
    assert total == pytest.approx(per_rep["value"].sum() / 4)
    assert any("no whiskers" in t.get_text() for t in fig.texts)


# --------------------------------------------------------------------------- BRI members


def test_bri_band_in_whole_states() -> None:
    ts = _ts(n_reps=20, months=10)
    counts = summaries.bri_counts(ts).to_numpy(dtype=float)
    assert np.any(counts.mean(axis=1) % 1 != 0), "fixture should give non-whole means"
    fig = figures.make_bri_count(ts, footer=FOOTER)
    (ax,) = _axes(fig, "bri_count")
    fig.canvas.draw()
    lo, hi = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
    assert ticks and all(float(t).is_integer() for t in ticks)
    lines = [ln for ln in ax.get_lines() if ln.get_label() == "median of replications"]
    assert lines and all(float(v).is_integer() for v in lines[0].get_ydata())
    (band,) = [c for c in ax.collections if c.get_label() == "5\u201395% of replications"]
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    assert np.allclose(ys, np.round(ys))
    assert not [t for t in _texts(fig) if re.search(r"\d+\.\d", t)]  # no 22.55 anywhere in the figure


# --------------------------------------------------------------------------- choropleth


def test_choropleth_scales_and_change_map() -> None:
    start = {"COL": 0.10, "BRA": 0.30, "MEX": -0.20, "TTO": 0.0}
    end = {"COL": 0.04, "BRA": 0.33, "MEX": -0.10, "TTO": np.nan}
    assert figures.map_change(start, end) == pytest.approx({"COL": -0.06, "BRA": 0.03, "MEX": 0.10})
    fig = figures.make_choropleth(start, end, "2025-10", "2030-12", footer=FOOTER)
    maps = _axes(fig, figures.MAP_LABEL) + _axes(fig, "change_map")
    assert [ax.get_title() for ax in maps] == ["2025-10", "2030-12", "Change (end \u2212 start)"]
    norms = []
    for ax in maps:
        coloured = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_array() is not None]
        norms.append((coloured[0].norm.vmin, coloured[0].norm.vmax))
    assert norms[:2] == [(-1.0, 1.0), (-1.0, 1.0)]
    assert norms[2] == (-0.1, 0.1)  # largest |change| 0.10 -> stated range +/-0.1, centred at 0
    (cax,) = _axes(fig, "change_colourbar")
    assert "colour scale \u22120.1 \u2026 +0.1" in cax.get_xlabel()
    fixed = figures.make_choropleth(start, end, "a", "b", change_limit=0.5)
    (change_ax,) = _axes(fixed, "change_map")
    coloured = [c for c in change_ax.collections if isinstance(c, PolyCollection) and c.get_array() is not None]
    assert (coloured[0].norm.vmin, coloured[0].norm.vmax) == (-0.5, 0.5)


def test_lesser_antilles_inset_holds_every_state() -> None:
    values = dict.fromkeys(geometry.LESSER_ANTILLES, 0.2)
    fig = figures.make_choropleth(values, values, "a", "b")
    fig.canvas.draw()  # limits as drawn
    insets = _axes(fig, figures.INSET_LABEL)
    assert len(insets) == 3  # one per map
    geo = geometry.load_geometry()
    for ins in insets:
        (x0, x1), (y0, y1) = ins.get_xlim(), ins.get_ylim()
        drawn = [p.vertices for c in ins.collections for p in c.get_paths()]
        for iso3 in geometry.LESSER_ANTILLES:
            lon0, lon1, lat0, lat1 = geometry.country_bounds([iso3])
            assert x0 < lon0 and lon1 < x1 and y0 < lat0 and lat1 < y1, (iso3, (x0, x1, y0, y1))
            for ring in geo[iso3]:  # every island of the state is drawn in the inset
                assert any(len(v) >= len(ring) and np.allclose(v[: len(ring)], ring) for v in drawn), iso3
        labels_drawn = {t.get_text() for t in ins.texts}
        assert set(geometry.LESSER_ANTILLES) <= labels_drawn
    tto = geometry.country_bounds(["TTO"])
    assert tto[2] - geometry.INSET_BOUNDS[2] >= 0.3, "Trinidad needs room at the inset's bottom edge"


# --------------------------------------------------------------------------- date axes


@pytest.mark.parametrize("max_ticks", [4, 7])  # 4: small multiples and mechanism path; 7: full-width figures
@pytest.mark.parametrize("months", [1, 2, 3, 22, 62, 420])
def test_date_axis_never_warns(months: int, max_ticks: int) -> None:
    """The history run (22 months) used to warn 'AutoDateLocator was unable to pick an appropriate interval'."""
    dates = pd.period_range("2023-12", periods=months + 1, freq="M").to_timestamp()
    fig = Figure(figsize=(8, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(dates, np.arange(len(dates)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures.date_axis(ax, dates, max_ticks=max_ticks)
        fig.canvas.draw()
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo - 1e-9 <= t <= hi + 1e-9]
    assert 2 <= len(ticks) <= max_ticks + 1, (months, len(ticks))
    assert all(t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi)
