"""Figures of ``python -m sim.compare``: several runs overlaid, one colour per run.

Inputs are per-run timeseries tables (``replication``, ``date`` 'YYYY-MM', ``iso3``, ``alignment`` in [-1, 1] with
-1 = US and +1 = China, ``bri_member`` 0/1) in a ``{legend label: table}`` mapping, in the order of the comparison
(the first is the reference, A). Figures:

- ``regional.png`` (:func:`make_regional`): the regional mean alignment (mean of replications, 5-95% band) and the
  number of BRI members (median of replications, 5-95% band in whole states), every run overlaid;
- ``states.png`` (:func:`make_states`): one panel per state, each run's median alignment (and its 5-95% band on the
  panels of the focus states);
- ``focus_states.png`` (:func:`make_focus`): the focus states only, larger, with bands.

Run colours are qualitative (never red or blue, which mean China and the US here); legends name each run by its
scenario and overrides; every figure carries a footer naming the compared run folders. Each ``plot_*`` function has
a ``make_*`` twin returning the ``Figure`` unsaved (what the tests inspect).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.reporting import geometry, labels, summaries
from sim.reporting.figures import (
    _RC,
    CAPTION_GID,
    CHINA_RED,
    FOOTER_INCHES,
    MINUS,
    SHORT_NAMES,
    US_BLUE,
    date_axis,
    draw_footer,
)
from sim.reporting.sweep_figures import GROUP_COLOURS

DPI = 130
LINESTYLES = ("-", "--", ":", "-.")
BAND = "5\u201395% of replications"
RUN_GID = "run:"
"""Prefix of the ``gid`` of every line and band drawn for a run (``run:<index>``)."""
FILE_NAMES = {"regional": "regional.png", "states": "states.png", "focus": "focus_states.png"}


def run_style(k: int) -> dict[str, object]:
    """Colour and line style of the ``k``-th run (colours cycle, then line styles)."""
    return {"color": GROUP_COLOURS[k % len(GROUP_COLOURS)], "ls": LINESTYLES[(k // len(GROUP_COLOURS)) % 4]}


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(_RC):
        fig.savefig(path, dpi=DPI)
    fig.clear()
    return path


def _signed(v: float, _pos: object = None) -> str:
    return "0" if v == 0 else f"{v:+g}".replace("-", MINUS)


def _tint(ax: Axes) -> None:
    """Light red above zero (China side), light blue below (US side), grey zero line."""
    ax.axhspan(0, 1.5, color=CHINA_RED, alpha=0.05, lw=0, zorder=0)
    ax.axhspan(-1.5, 0, color=US_BLUE, alpha=0.05, lw=0, zorder=0)
    ax.axhline(0, color="0.35", lw=0.8, zorder=1)


def _all_dates(series: Mapping[str, pd.DataFrame]) -> pd.DatetimeIndex:
    dates = sorted({str(d) for ts in series.values() for d in ts["date"].unique()})
    return summaries.to_datetime(dates)


def _wrap(caption: str, width_in: float) -> str:
    """``caption`` broken into lines that fit a figure ``width_in`` inches wide (10.5-point type)."""
    return "\n".join(textwrap.wrap(caption, max(40, int(width_in * 11.5))))


def _head_inches(caption: str, names: Sequence[str]) -> float:
    """Height above the panels: title, the caption's lines and the legend."""
    return 0.8 + 0.2 * caption.count("\n") + _legend_inches(len(names), names)


def _titles(fig: Figure, title: str, caption: str) -> None:
    height = fig.get_figheight()
    fig.text(0.01, 1 - 0.12 / height, title, ha="left", va="top", fontsize=15, fontweight="bold")
    fig.text(0.01, 1 - 0.52 / height, caption, ha="left", va="top", fontsize=10.5, color="0.25", gid=CAPTION_GID)


def _legend(fig: Figure, names: Sequence[str], caption: str, extra: Sequence[object] = ()) -> None:
    """The runs' legend (one entry per run: its scenario and overrides) across the top, below the caption."""
    top = 1 - (0.78 + 0.2 * caption.count("\n")) / fig.get_figheight()
    handles = [Line2D([], [], lw=2.4, label=name, **run_style(k)) for k, name in enumerate(names)]  # type: ignore[arg-type]
    fig.legend(
        handles=[*handles, *extra],
        loc="upper left",
        bbox_to_anchor=(0.005, top),
        ncols=1 if max(len(n) for n in names) > 60 else 2,
        fontsize=10,
        frameon=False,
        title="Runs (scenario \u00b7 overrides)",
        title_fontsize=10.5,
        alignment="left",
    )


def _legend_inches(n: int, names: Sequence[str]) -> float:
    rows = n if max(len(x) for x in names) > 60 else math.ceil(n / 2)
    return 0.45 + 0.27 * (rows + 1)


# --------------------------------------------------------------------------- regional


def make_regional(series: Mapping[str, pd.DataFrame], *, footer: str = "") -> Figure:
    """The figure of :func:`plot_regional`, not saved."""
    names = list(series)
    dates_all = _all_dates(series)
    caption = _wrap(
        f"{len(names)} runs overlaid, one colour each; bands: {BAND} of each run. "
        f"Alignment {MINUS}1 = with the US, +1 = with China.",
        14.5,
    )
    top_in = _head_inches(caption, names) + 0.15
    height = 4.8 + top_in + FOOTER_INCHES + 0.6
    with rc_context(_RC):
        fig = _figure(14.5, height)
        bottom = (0.6 + FOOTER_INCHES) / height
        panel_top = 1 - top_in / height
        ax = fig.add_axes((0.06, bottom, 0.41, panel_top - bottom))
        ax.set_label("regional_mean_alignment")
        axb = fig.add_axes((0.565, bottom, 0.41, panel_top - bottom))
        axb.set_label("bri_members")
        _tint(ax)
        lo, hi, bri_lo, bri_hi = 0.0, 0.0, math.inf, -math.inf
        n_states = 0
        for k, (name, ts) in enumerate(series.items()):
            style = run_style(k)
            wide = summaries.regional_mean(ts)  # date x replication
            dates = summaries.to_datetime(wide.index)
            q05, q95 = summaries.nanquantile(wide.to_numpy(), (0.05, 0.95), axis=1)
            mean = np.nanmean(wide.to_numpy(), axis=1)
            ax.fill_between(dates, q05, q95, color=style["color"], alpha=0.16, lw=0, gid=f"{RUN_GID}{k}")
            ax.plot(dates, mean, lw=2.4, label=name, gid=f"{RUN_GID}{k}", zorder=3, **style)  # type: ignore[arg-type]
            lo, hi = min(lo, float(np.nanmin(q05))), max(hi, float(np.nanmax(q95)))
            band = summaries.bri_count_band(ts)
            bdates = summaries.to_datetime(band.index)
            axb.fill_between(
                bdates,
                band["q05"],
                band["q95"],
                step="mid",
                color=style["color"],
                alpha=0.16,
                lw=0,
                gid=f"{RUN_GID}{k}",
            )
            axb.step(bdates, band["median"], where="mid", lw=2.4, label=name, gid=f"{RUN_GID}{k}", **style)  # type: ignore[arg-type]
            bri_lo, bri_hi = min(bri_lo, int(band["q05"].min())), max(bri_hi, int(band["q95"].max()))
            n_states = max(n_states, int(ts["iso3"].nunique()))
        pad = 0.1 * (hi - lo) + 0.02
        ax.set_ylim(max(-1.0, lo - pad), min(1.0, hi + pad))
        ax.yaxis.set_major_formatter(FuncFormatter(_signed))
        ax.set_ylabel(labels.label_with_unit("regional_mean_alignment"))
        ax.set_title("Regional mean alignment: mean of replications, 5\u201395% band", fontsize=12)
        axb.set_ylim(max(0, bri_lo - 1) - 0.5, min(n_states, bri_hi + 1) + 0.5)
        axb.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        axb.set_ylabel(f"{labels.label('bri_members')} (number of states, of {n_states})")
        axb.set_title("BRI members: median of replications, 5\u201395% band (whole states)", fontsize=12)
        for a in (ax, axb):
            date_axis(a, dates_all)
            a.set_xlabel(labels.label("date"))
            a.grid(axis="y", color="0.87", lw=0.6)
        _titles(fig, "Runs compared: the region", caption)
        _legend(fig, names, caption, [Patch(facecolor="0.4", alpha=0.25, label=BAND)])
        draw_footer(fig, footer)
        return fig


def plot_regional(series: Mapping[str, pd.DataFrame], path: Path, *, footer: str = "") -> Path:
    """Regional mean alignment and BRI member count over time, every run overlaid with its 5-95% band.

    ``series`` maps each run's legend label (scenario and overrides) to its timeseries table; ``footer`` names the
    compared run folders. Returns ``path``.
    """
    return _save(make_regional(series, footer=footer), path)


# --------------------------------------------------------------------------- states


def _state_quantiles(series: Mapping[str, pd.DataFrame]) -> dict[str, tuple[pd.DatetimeIndex, np.ndarray, list[str]]]:
    """Per run: dates, quantiles ``(3, date, state)`` (5%, median, 95%) of alignment, and the states' codes."""
    out = {}
    for name, ts in series.items():
        c = summaries.cube(ts, "alignment")
        out[name] = (summaries.to_datetime(c.dates), c.quantiles((0.05, 0.5, 0.95)), [str(s) for s in c.iso3s])
    return out


def _display_names() -> dict[str, str]:
    names = geometry.country_names()
    names.update(SHORT_NAMES)
    return names


def _state_panels(
    series: Mapping[str, pd.DataFrame],
    states: Sequence[str],
    banded: set[str],
    *,
    ncols: int,
    panel: tuple[float, float],
    title: str,
    caption: str,
    footer: str,
    zoom: bool = False,
) -> Figure:
    """Panels of ``states`` (medians of every run; bands on ``banded``); y from -1 to +1, or with ``zoom`` the
    range of the drawn data and 0 (shared by every panel)."""
    names = list(series)
    quantiles = _state_quantiles(series)
    dates_all = _all_dates(series)
    display = _display_names()
    nrows = max(1, math.ceil(len(states) / ncols))
    width = panel[0] * ncols + 0.8
    caption = _wrap(caption, width)
    top_in = _head_inches(caption, names) + 0.15
    height = panel[1] * nrows + top_in + FOOTER_INCHES + 0.55
    with rc_context(_RC):
        fig = _figure(width, height)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        fig.subplots_adjust(
            left=0.05,
            right=0.99,
            top=1 - top_in / height,
            bottom=(0.5 + FOOTER_INCHES) / height,
            hspace=0.42,
            wspace=0.1,
        )
        for j, ax in enumerate(axes.flat):
            if j >= len(states):
                ax.set_visible(False)
                continue
            code = states[j]
            ax.set_label(f"state:{code}")
            _tint(ax)
            for k, name in enumerate(names):
                dates, q, codes = quantiles[name]
                if code not in codes:
                    continue
                i = codes.index(code)
                style = run_style(k)
                if code in banded:
                    ax.fill_between(
                        dates, q[0, :, i], q[2, :, i], color=style["color"], alpha=0.18, lw=0, gid=f"{RUN_GID}{k}"
                    )
                ax.plot(dates, q[1, :, i], lw=1.8, label=name, gid=f"{RUN_GID}{k}", zorder=3, **style)  # type: ignore[arg-type]
            text = display.get(code, code)
            ax.set_title(
                text + (" (bands)" if code in banded and len(banded) < len(states) else ""),
                fontsize=10.5,
                pad=3,
                fontweight="bold" if code in banded else "normal",
            )
            if not zoom:
                ax.set_ylim(-1, 1)
                ax.set_yticks([-1, 0, 1])
            ax.yaxis.set_major_formatter(FuncFormatter(_signed))
            ax.tick_params(length=2, pad=1.5, labelsize=9.5)
        if zoom:
            lo, hi = _data_range(quantiles, states, banded)
            axes.flat[0].set_ylim(lo, hi)
            axes.flat[0].yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        date_axis(axes.flat[0], dates_all, max_ticks=4)
        for col in range(ncols):
            rows_used = [r for r in range(nrows) if r * ncols + col < len(states)]
            if rows_used:
                axes[rows_used[-1], col].tick_params(labelbottom=True)
        fig.supylabel(labels.label_with_unit("alignment"), fontsize=11, x=0.008)
        _titles(fig, title, caption)
        _legend(fig, names, caption, [Patch(facecolor="0.4", alpha=0.25, label=BAND)] if banded else [])
        draw_footer(fig, footer)
        return fig


def _data_range(
    quantiles: Mapping[str, tuple[pd.DatetimeIndex, np.ndarray, list[str]]], states: Sequence[str], banded: set[str]
) -> tuple[float, float]:
    """Y limits covering every drawn median (and band) of ``states`` and 0, padded, inside [-1, 1]."""
    lo, hi = 0.0, 0.0
    for _, q, codes in quantiles.values():
        for code in states:
            if code in codes:
                i = codes.index(code)
                rows = q[:, :, i] if code in banded else q[1:2, :, i]
                lo, hi = min(lo, float(np.nanmin(rows))), max(hi, float(np.nanmax(rows)))
    pad = 0.08 * (hi - lo) + 0.02
    return max(-1.0, lo - pad), min(1.0, hi + pad)


def _order(series: Mapping[str, pd.DataFrame]) -> list[str]:
    """States ordered by the first run's starting median alignment (most US-aligned first)."""
    first = next(iter(series.values()))
    start = first.loc[first["date"] == first["date"].min()].groupby("iso3")["alignment"].median()
    codes = sorted({str(c) for ts in series.values() for c in ts["iso3"].unique()})
    return sorted(codes, key=lambda c: (float(start.get(c, np.inf)), c))


def make_states(series: Mapping[str, pd.DataFrame], focus: Sequence[str] = (), *, footer: str = "") -> Figure:
    """The figure of :func:`plot_states`, not saved."""
    states = _order(series)
    banded = {str(f) for f in focus}
    caption = (
        "Line: each run's median alignment over its replications"
        + (f"; bands ({BAND}) on the focus states: {', '.join(sorted(banded))}" if banded else "")
        + f". Panels ordered by the first run's starting alignment; {MINUS}1 = with the US, +1 = with China."
    )
    return _state_panels(
        series,
        states,
        banded,
        ncols=6,
        panel=(2.35, 1.75),
        title="Runs compared: every state",
        caption=caption,
        footer=footer,
    )


def plot_states(series: Mapping[str, pd.DataFrame], path: Path, focus: Sequence[str] = (), *, footer: str = "") -> Path:
    """One panel per state, every run's median alignment overlaid; the focus states' panels add 5-95% bands."""
    return _save(make_states(series, focus, footer=footer), path)


def make_focus(series: Mapping[str, pd.DataFrame], focus: Sequence[str], *, footer: str = "") -> Figure:
    """The figure of :func:`plot_focus`, not saved."""
    states = [str(f) for f in focus]
    caption = (
        f"Line: each run's median alignment; band: {BAND}. {MINUS}1 = with the US, +1 = with China; "
        "the vertical axis is zoomed to the data (shared by the panels)."
    )
    return _state_panels(
        series,
        states,
        set(states),
        ncols=min(3, len(states)),
        panel=(4.6, 3.0),
        title="Runs compared: the focus states",
        caption=caption,
        footer=footer,
        zoom=True,
    )


def plot_focus(series: Mapping[str, pd.DataFrame], focus: Sequence[str], path: Path, *, footer: str = "") -> Path:
    """The focus states only, larger: every run's median alignment and its 5-95% band."""
    return _save(make_focus(series, focus, footer=footer), path)


def plot_compare(
    series: Mapping[str, pd.DataFrame], out_dir: Path, focus: Sequence[str] = (), *, footer: str = ""
) -> list[Path]:
    """Every comparison figure into ``out_dir`` (``regional.png``, ``states.png``, and ``focus_states.png`` when
    there are focus states); returns the paths."""
    out_dir = Path(out_dir)
    paths = [
        plot_regional(series, out_dir / FILE_NAMES["regional"], footer=footer),
        plot_states(series, out_dir / FILE_NAMES["states"], focus, footer=footer),
    ]
    if focus:
        paths.append(plot_focus(series, focus, out_dir / FILE_NAMES["focus"], footer=footer))
    return paths
