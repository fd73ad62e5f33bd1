"""What the sweep figures draw, read from the matplotlib objects: symmetric stated heatmap scale with annotated
cells, scenarios grouped (not averaged) by the other swept key, human labels and the footer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reporting import figures, sweep_figures

SNAKE = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
FOOTER = "sweep \u00b7 us.tariff=0,0.25"
OUTCOMES = ("regional_mean_alignment_end", "regional_mean_alignment_change", "bri_members_end")


def _table(cells: dict[tuple[str, float, float], dict[str, float]], replications: int = 50) -> pd.DataFrame:
    """A sweep table like sweep_results.csv: one row per job x outcome; cells map (scenario, a, b) to outcomes."""
    rows = []
    for job, ((scenario, tariff, finance), outcomes) in enumerate(cells.items()):
        for outcome, mean in outcomes.items():
            rows.append(
                {
                    "job": job,
                    "scenario": scenario,
                    "china.bri_finance": finance,
                    "replications": replications,
                    "us.tariff": tariff,
                    "status": "done",
                    "outcome": outcome,
                    "mean": mean,
                    "p05": mean - 0.01,
                    "p95": mean + 0.02,
                    "error": "",
                }
            )
    return pd.DataFrame(rows)


def _outcomes(end: float, change: float, bri: float) -> dict[str, float]:
    return dict(zip(OUTCOMES, (end, change, bri), strict=True))


def _heat_axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_label() == sweep_figures.HEAT_LABEL]


def _all_text(fig: Figure) -> list[str]:
    fig.canvas.draw()
    return [
        a.get_text()
        for a in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible())
        if a.get_text() and getattr(a, "get_gid", lambda: None)() != figures.FOOTER_GID
    ]


# --------------------------------------------------------------------------- heatmap


def _grid_table() -> pd.DataFrame:
    values = {(0.0, 0.5): 0.054, (0.0, 1.0): 0.106, (0.25, 0.5): -0.02, (0.25, 1.0): 0.0}
    return _table({("baseline", t, f): _outcomes(v, v / 2, 22) for (t, f), v in values.items()})


def test_heatmap_symmetric_stated_range_and_annotated_cells() -> None:
    fig = sweep_figures.make_heatmap(_grid_table(), ("us.tariff", "china.bri_finance"), footer=FOOTER)
    (ax,) = _heat_axes(fig)
    image = ax.get_images()[0]
    assert (image.norm.vmin, image.norm.vmax) == (-0.2, 0.2)  # 0.106 rounded up, symmetric around 0
    colourbar_label = fig.axes[-1].get_ylabel()
    assert "colour scale \u22120.2 \u2026 +0.2" in colourbar_label
    assert "Regional mean alignment at the end (\u22121 US \u2026 +1 China side)" in colourbar_label
    cells = {t.get_text(): t for t in ax.texts}
    assert set(cells) == {"+0.054", "+0.106", "\u22120.020", "+0.000"}
    assert ax.get_xlabel() == "US tariff (fraction ad valorem)"
    assert ax.get_ylabel() == "China BRI finance (multiple of the 2012-2021 mean)"
    assert any(t.get_text() == FOOTER for t in fig.texts)


def test_heatmap_text_readable_on_dark_and_light_cells() -> None:
    table = _table({("baseline", 0.0, 0.5): _outcomes(0.95, 0.1, 22), ("baseline", 0.25, 1.0): _outcomes(0.01, 0, 22)})
    fig = sweep_figures.make_heatmap(table, ("us.tariff", "china.bri_finance"), limit=1.0)
    (ax,) = _heat_axes(fig)
    image = ax.get_images()[0]
    assert (image.norm.vmin, image.norm.vmax) == (-1.0, 1.0)  # fixed range
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["+0.950"] == "white" and colours["+0.010"] == "black"
    assert colours["no result"] != "white"  # the two missing cells are said so, not left blank
    dark = colormaps["RdBu_r"](image.norm(0.95))
    assert 0.299 * dark[0] + 0.587 * dark[1] + 0.114 * dark[2] < 0.5


def test_heatmap_one_panel_per_other_swept_value() -> None:
    """Not averaged across a third swept key: one panel per scenario, each with its own values."""
    cells = {}
    for scenario, shift in (("baseline", 0.0), ("us_max_pressure", -0.3)):
        for t in (0.0, 0.25):
            for f in (0.5, 1.0):
                cells[(scenario, t, f)] = _outcomes(0.1 + shift - t / 10 + f / 100, 0, 22)
    fig = sweep_figures.make_heatmap(_table(cells), ("us.tariff", "china.bri_finance"))
    axes = _heat_axes(fig)
    assert [ax.get_title() for ax in axes] == ["Scenario = Baseline", "Scenario = US max pressure"]
    assert {t.get_text() for t in axes[0].texts} == {"+0.105", "+0.110", "+0.080", "+0.085"}
    assert {t.get_text() for t in axes[1].texts} == {"\u22120.195", "\u22120.190", "\u22120.220", "\u22120.215"}
    assert len({(ax.get_images()[0].norm.vmin, ax.get_images()[0].norm.vmax) for ax in axes}) == 1  # shared


# --------------------------------------------------------------------------- scenarios


def _scenario_table() -> pd.DataFrame:
    cells = {
        ("baseline", 0.0, 1.0): _outcomes(0.10, 0.020, 22.0),
        ("baseline", 0.25, 1.0): _outcomes(0.08, -0.005, 22.2),
        ("us_max_pressure", 0.0, 1.0): _outcomes(0.07, -0.010, 9.0),
        ("us_max_pressure", 0.25, 1.0): _outcomes(0.06, -0.020, 8.5),
    }
    return _table(cells, replications=50)


def test_scenarios_grouped_by_other_key_not_averaged() -> None:
    table = _scenario_table()
    fig = sweep_figures.make_scenarios(table, footer=FOOTER)
    ax_change = fig.axes[0]
    widths = sorted(round(p.get_width(), 6) for p in ax_change.patches)
    assert widths == [-0.02, -0.01, -0.005, 0.02]  # every job's own mean; no (0.02 - 0.005) / 2
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_texts == ["US tariff = 0", "US tariff = 0.25"]
    caption = " ".join(t.get_text() for t in fig.texts if t.get_gid() == figures.CAPTION_GID)
    assert "mean of 50 replications" in caption and "5\u201395% of replications of that job" in caption
    assert "one bar per US tariff" in caption
    assert [t.get_text() for t in ax_change.get_yticklabels()] == ["US max pressure", "Baseline"]
    assert ax_change.get_xlabel() == "Change of the regional mean alignment (alignment units, + toward China)"
    assert any(t.get_text() == FOOTER for t in fig.texts)


def test_scenarios_single_group_has_no_legend_and_says_mean() -> None:
    table = _scenario_table()
    table = table[table["us.tariff"] == 0.0]
    fig = sweep_figures.make_scenarios(table)
    assert not fig.legends
    assert len(fig.axes[0].patches) == 2


# --------------------------------------------------------------------------- lines, footer, labels


def test_against_one_line_per_other_value_with_human_labels() -> None:
    fig = sweep_figures.make_against(_grid_table(), "us.tariff", footer=FOOTER)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "US tariff (fraction ad valorem)"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["China BRI finance = 0.5", "China BRI finance = 1"]
    lines = [ln for ln in ax.get_lines() if ln.get_label().startswith("China")]
    assert [list(np.round(ln.get_ydata(), 3)) for ln in lines] == [[0.054, -0.02], [0.106, 0.0]]


def test_no_snake_case_in_sweep_figures() -> None:
    for fig in (
        sweep_figures.make_against(_grid_table(), "china.bri_finance"),
        sweep_figures.make_heatmap(_grid_table(), ("us.tariff", "china.bri_finance")),
        sweep_figures.make_scenarios(_scenario_table()),
    ):
        bad = [t for t in _all_text(fig) if SNAKE.search(t)]
        assert not bad, bad


def test_sweep_footer_from_table() -> None:
    text = sweep_figures.sweep_footer(_scenario_table())
    assert text == (
        "sweep of 4 jobs \u00b7 scenarios baseline, us_max_pressure \u00b7 swept us.tariff "
        "\u00b7 china.bri_finance=1.0 \u00b7 replications=50"
    )


def test_plot_sweep_writes_every_figure_with_footer(tmp_path: Path) -> None:
    table = pd.concat([_grid_table(), _scenario_table().assign(job=lambda t: t["job"] + 10)], ignore_index=True)
    paths = sweep_figures.plot_sweep(table, tmp_path, footer=FOOTER)
    assert sorted(p.name for p in paths) == [
        "heatmap_china.bri_finance_us.tariff.png",
        "scenarios.png",
        "sweep_china.bri_finance.png",
        "sweep_us.tariff.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)


@pytest.mark.parametrize("value", [0.054, 0.106, 0.6, 1.0])
def test_nice_limits(value: float) -> None:
    from sim.reporting.summaries import nice_ceiling

    assert {0.054: 0.1, 0.106: 0.2, 0.6: 1.0, 1.0: 1.0}[value] == nice_ceiling(value)
