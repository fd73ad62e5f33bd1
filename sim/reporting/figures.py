"""Classroom figures for the CELAC US-China alignment model.

Every function takes tidy tables, writes one PNG and returns its path. Conventions:

* alignment is a float in [-1, 1]: -1 = fully aligned with the US, +1 = fully with China;
* US side is blue, China side is red; maps use the diverging colormap ``RdBu_r`` with
  vmin=-1, vmax=1 (so -1 = blue = US, +1 = red = China);
* dates are 'YYYY-MM' strings (monthly steps).

Figures are built as ``matplotlib.figure.Figure`` objects on the Agg canvas, without
pyplot: nothing is registered globally, so nothing stays open after saving, and the
caller's backend is never changed.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.data.seeds import CELAC_ISO3

from . import geometry, summaries

US_BLUE = "#2166ac"
CHINA_RED = "#b2182b"
CMAP_NAME = "RdBu_r"
NORM = Normalize(vmin=-1.0, vmax=1.0)
DPI = 130
OCEAN = "#eef3f7"
CONTEXT_GREY = "#d4d4d4"
MINUS = "\u2212"

FILE_NAMES = {
    "small_multiples": "alignment_small_multiples.png",
    "regional_mean": "regional_mean.png",
    "bri": "bri_members.png",
    "choropleth": "choropleth.png",
}

#: Short default panel names (used when no ``names`` are given).
SHORT_NAMES = {
    "ATG": "Antigua & Barbuda",
    "BHS": "Bahamas",
    "DOM": "Dominican Rep.",
    "KNA": "St Kitts & Nevis",
    "LCA": "St Lucia",
    "TTO": "Trinidad & Tobago",
    "VCT": "St Vincent & Gren.",
}

#: Fixed qualitative colours for the model's mechanisms (others get tab20 colours).
TERM_COLOURS = {
    "economic_dependence": "#1b9e77",
    "aid_finance": "#8dd3c7",
    "coercion_compliance": "#d95f02",
    "coercion_reactance": "#fdb462",
    "ideology": "#7570b3",
    "elite_networks": "#bebada",
    "diversion": "#e7298a",
    "regional_diffusion": "#66a61e",
    "security_ties": "#8c510a",
    "lock_in": "#e6ab02",
    "hedging": "#17becf",
    "structural_residual": "#969696",
    "shock": "#bcbd22",
}

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "center",
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "hatch.linewidth": 0.6,
    "axes.unicode_minus": True,
}


# --------------------------------------------------------------------------- helpers


def _figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path | str, dpi: int) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    fig.clear()  # free the artists; the Figure is not known to pyplot, so nothing else to close
    return path


def _display_names(names: Mapping[str, str] | None) -> dict[str, str]:
    """Default short names from the geometry asset, overridden by ``names``."""
    merged = geometry.country_names()
    merged.update(SHORT_NAMES)
    if names is not None:
        merged.update(names)
    return merged


def _dark_colour(value: float) -> tuple[float, float, float]:
    """RdBu_r colour of ``value`` darkened enough to read as a line on white."""
    r, g, b, _ = colormaps[CMAP_NAME](NORM(value))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    return colorsys.hls_to_rgb(h, min(lightness, 0.42), s)


def _date_axis(ax: Axes, dates: pd.DatetimeIndex, max_ticks: int = 7) -> None:
    """Few, readable date ticks: whole years when the run spans >= 2 years, else months."""
    span_years = (dates[-1] - dates[0]).days / 365.25 if len(dates) > 1 else 0.0
    if span_years >= 2:
        base = max(1, math.ceil(span_years / max(max_ticks - 1, 1)))
        ax.xaxis.set_major_locator(mdates.YearLocator(base=base))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.AutoDateLocator(minticks=2, maxticks=max_ticks)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    if len(dates) > 1:
        ax.set_xlim(dates[0], dates[-1])


def _tint_sides(ax: Axes, alpha: float = 0.06) -> None:
    """Light blue below zero (US side), light red above (China side), grey zero line."""
    ax.axhspan(0, 1.5, color=CHINA_RED, alpha=alpha, lw=0, zorder=0)
    ax.axhspan(-1.5, 0, color=US_BLUE, alpha=alpha, lw=0, zorder=0)
    ax.axhline(0, color="0.35", lw=0.8, zorder=1)


def _side_labels(ax: Axes) -> None:
    """'toward China' / 'toward US' notes at the right edge of an alignment axis."""
    kw = {"transform": ax.transAxes, "ha": "right", "fontsize": 9, "fontweight": "bold"}
    ax.text(0.995, 0.97, "\u2191 China side", va="top", color=CHINA_RED, **kw)
    ax.text(0.995, 0.03, "\u2193 US side", va="bottom", color=US_BLUE, **kw)


def _alignment_ylim(lo: float, hi: float, min_span: float = 0.5) -> tuple[float, float]:
    """Y limits covering [lo, hi] and 0, padded, at least ``min_span`` wide, inside [-1, 1]."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.08 * (hi - lo) + 0.02
    lo, hi = lo - pad, hi + pad
    if hi - lo < min_span:
        mid = 0.5 * (hi + lo)
        lo, hi = mid - min_span / 2, mid + min_span / 2
    return max(lo, -1.0), min(hi, 1.0)


def _pretty_term(term: str) -> str:
    return term.replace("_", " ")


def _term_colours(terms: list[str]) -> dict[str, str | tuple]:
    spare = [c for i, c in enumerate(colormaps["tab20"].colors) if i not in (0, 6)]  # not blue/red
    out: dict[str, str | tuple] = {}
    k = 0
    for t in terms:
        if t in TERM_COLOURS:
            out[t] = TERM_COLOURS[t]
        else:
            out[t] = spare[k % len(spare)]
            k += 1
    return out


# --------------------------------------------------------------------------- figures


def plot_alignment_small_multiples(
    ts: pd.DataFrame,
    path: Path,
    names: dict[str, str] | None = None,
    *,
    ncols: int = 6,
    dpi: int = DPI,
) -> Path:
    """One panel per state: ensemble median alignment and 5-95% band over time.

    Inputs: ``ts`` timeseries table with columns ``replication`` (int), ``date``
    ('YYYY-MM'), ``iso3`` and ``alignment`` (float, -1 = US ... +1 = China; other columns
    are ignored); ``path`` PNG to write; ``names`` optional ``iso3 -> panel title``
    (default: short English names from the geometry asset).

    Panels are ordered by starting median alignment (most US-aligned first). Each shows
    the median over replications (line coloured by its final value on RdBu_r, darkened to
    stay readable), the 5-95% band of replications, a zero line and a fixed y range
    [-1, 1]. Returns ``path``.
    """
    c = summaries.cube(ts, "alignment")
    q05, q50, q95 = c.quantiles((0.05, 0.5, 0.95))  # [date, iso3]
    dates = summaries.to_datetime(c.dates)
    labels = _display_names(names)
    start = np.array([_first_finite(q50[:, j]) for j in range(len(c.iso3s))])
    order = np.argsort(np.where(np.isfinite(start), start, np.inf), kind="stable")
    n = len(order)
    nrows = max(1, math.ceil(n / ncols))
    with rc_context(_RC):
        fig = _figure((2.15 * ncols, 1.55 * nrows + 1.6))
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        fig.subplots_adjust(
            left=0.065,
            right=0.985,
            top=1 - 1.15 / (1.55 * nrows + 1.6),
            bottom=0.5 / (1.55 * nrows + 1.6),
            hspace=0.42,
            wspace=0.12,
        )
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.set_visible(False)
                continue
            j = order[k]
            iso3 = str(c.iso3s[j])
            _tint_sides(ax, alpha=0.05)
            med = q50[:, j]
            final = _last_finite(med)
            if np.isfinite(final):
                colour = _dark_colour(final)
                ax.fill_between(dates, q05[:, j], q95[:, j], color=colour, alpha=0.25, lw=0, zorder=2)
                ax.plot(dates, med, color=colour, lw=1.8, zorder=3)
            else:
                ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.4")
            title = labels.get(iso3, iso3)
            ax.set_title(title, fontsize=9.5 if len(title) <= 20 else 8.5, pad=3)
            ax.set_ylim(-1, 1)
            ax.set_yticks([-1, 0, 1])
            ax.yaxis.set_major_formatter(FuncFormatter(_signed))
            ax.tick_params(length=2, pad=1.5, labelsize=8)
            ax.grid(axis="x", color="0.88", lw=0.5)
        _date_axis(axes.flat[0], dates, max_ticks=4)
        # x tick labels on every visible bottom-most panel of its column
        for col in range(ncols):
            rows_used = [r for r in range(nrows) if r * ncols + col < n]
            if rows_used:
                axes[rows_used[-1], col].tick_params(labelbottom=True)
        _small_multiples_key(fig, axes, n, c)
        fig.suptitle(
            "Alignment of the 33 CELAC states between the US and China, by state",
            fontsize=15,
            fontweight="bold",
            y=1 - 0.2 / (1.55 * nrows + 1.6),
        )
        fig.text(
            0.5,
            1 - 0.62 / (1.55 * nrows + 1.6),
            f"{MINUS}1 = aligned with the US (blue), +1 = aligned with China (red); line = median, "
            f"band = 5\u201395% of {len(c.replications)} replications; "
            "panels ordered by starting alignment",
            ha="center",
            fontsize=10.5,
            color="0.25",
        )
        fig.supylabel(f"alignment ({MINUS}1 US \u2026 +1 China, unitless)", fontsize=10, x=0.012)
        return _save(fig, path, dpi)


def _signed(v: float, _pos: object = None) -> str:
    """Tick label with an explicit sign and a typographic minus ('+1', '0', '−1')."""
    return "0" if v == 0 else f"{v:+g}".replace("-", MINUS)


def _signed_2(v: float) -> str:
    """'+0.12' / '−0.26' with a typographic minus."""
    return f"{v:+.2f}".replace("-", MINUS)


def _first_finite(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    return float(finite[0]) if finite.size else np.nan


def _last_finite(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    return float(finite[-1]) if finite.size else np.nan


def _small_multiples_key(fig: Figure, axes: np.ndarray, n: int, c: summaries.Cube) -> None:
    """Use the empty grid slots (if any) for a key: legend + colour scale of the line."""
    nrows, ncols = axes.shape
    empty = nrows * ncols - n
    if empty < 2:
        return
    first = axes.flat[n].get_position()
    last = axes.flat[nrows * ncols - 1].get_position()
    x0, x1, y0, y1 = first.x0, last.x1, first.y0, first.y1
    w = x1 - x0
    key = fig.add_axes((x0 + 0.06 * w, y0 + 0.05 * (y1 - y0), 0.88 * w, 0.9 * (y1 - y0)))
    key.set_axis_off()
    handles = [
        Line2D([], [], color="0.3", lw=1.8, label="median of replications"),
        Patch(facecolor="0.3", alpha=0.25, label="5\u201395% of replications"),
        Patch(facecolor=CHINA_RED, alpha=0.12, label="China side (> 0)"),
        Patch(facecolor=US_BLUE, alpha=0.12, label="US side (< 0)"),
    ]
    key.legend(
        handles=handles, loc="upper left", ncols=2, fontsize=8.5, handlelength=1.6, borderaxespad=0.0, columnspacing=1.2
    )
    cax = key.inset_axes((0.05, 0.12, 0.9, 0.12))
    cb = Colorbar(cax, cmap=colormaps[CMAP_NAME], norm=NORM, orientation="horizontal")
    cb.set_ticks([-1, -0.5, 0, 0.5, 1])
    cb.ax.xaxis.set_major_formatter(FuncFormatter(_signed))
    cb.ax.tick_params(labelsize=8, length=2)
    cb.set_label("line colour = final median alignment", fontsize=8.5)


def plot_regional_mean(ts: pd.DataFrame, path: Path, *, n_examples: int = 5, dpi: int = DPI) -> Path:
    """Regional mean alignment over time: median and 5-95% band across replications.

    Inputs: ``ts`` timeseries table (``replication``, ``date`` 'YYYY-MM', ``iso3``,
    ``alignment`` in [-1, 1], -1 = US, +1 = China); ``path`` PNG to write.
    For each replication and date the unweighted mean over states is taken (one state,
    one vote, as in CELAC); the figure shows the median and 5-95% band of that mean
    across replications plus ``n_examples`` thin individual replications. Returns ``path``.
    """
    wide = summaries.regional_mean(ts)  # date x replication
    dates = summaries.to_datetime(wide.index)
    arr = wide.to_numpy()
    q05, q50, q95 = summaries.nanquantile(arr, (0.05, 0.5, 0.95), axis=1)
    n_reps = arr.shape[1]
    with rc_context(_RC):
        fig = _figure((10, 5.6))
        ax = fig.add_axes((0.09, 0.115, 0.87, 0.69))
        _tint_sides(ax)
        picks = np.unique(np.linspace(0, n_reps - 1, min(n_examples, n_reps)).round().astype(int))
        for i, k in enumerate(picks):
            ax.plot(
                dates,
                arr[:, k],
                color="0.45",
                lw=0.7,
                alpha=0.8,
                zorder=2,
                label="individual replications" if i == 0 else None,
            )
        ax.fill_between(
            dates, q05, q95, color="#6a51a3", alpha=0.22, lw=0, zorder=2, label="5\u201395% of replications"
        )
        ax.plot(dates, q50, color="#3f007d", lw=2.6, zorder=4, label="median of replications")
        lo = np.nanmin([np.nanmin(q05), np.nanmin(arr[:, picks])])
        hi = np.nanmax([np.nanmax(q95), np.nanmax(arr[:, picks])])
        ax.set_ylim(*_alignment_ylim(lo, hi))
        _date_axis(ax, dates)
        _side_labels(ax)
        ax.set_ylabel(f"mean alignment ({MINUS}1 US \u2026 +1 China)")
        ax.set_xlabel("date (monthly steps)")
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.legend(loc="lower left", ncols=3, bbox_to_anchor=(0.0, 1.0), borderaxespad=0.3)
        fig.suptitle(
            "Regional mean alignment of the CELAC states", fontsize=15, fontweight="bold", x=0.09, ha="left", y=0.97
        )
        fig.text(
            0.09,
            0.885,
            f"unweighted mean over {ts['iso3'].nunique()} states per replication; {n_reps} replications",
            fontsize=10,
            color="0.3",
        )
        return _save(fig, path, dpi)


def plot_bri_count(ts: pd.DataFrame, path: Path, *, dpi: int = DPI) -> Path:
    """Number of Belt and Road (BRI) members over time: ensemble mean and 5-95% band.

    Inputs: ``ts`` timeseries table with ``replication``, ``date`` ('YYYY-MM'), ``iso3``
    and ``bri_member`` (0/1); ``path`` PNG to write. A state counts as a member when
    ``bri_member`` >= 0.5. Y axis: number of states (integer ticks). Returns ``path``.
    """
    wide = summaries.bri_counts(ts)  # date x replication
    dates = summaries.to_datetime(wide.index)
    arr = wide.to_numpy(dtype=float)
    mean = arr.mean(axis=1)
    q05, q95 = np.quantile(arr, [0.05, 0.95], axis=1)
    n_states = len(np.unique(ts["iso3"]))
    with rc_context(_RC):
        fig = _figure((10, 5.2))
        ax = fig.add_axes((0.09, 0.125, 0.87, 0.67))
        ax.fill_between(
            dates, q05, q95, color=CHINA_RED, alpha=0.18, lw=0, step=None, label="5\u201395% of replications"
        )
        ax.plot(dates, mean, color=CHINA_RED, lw=2.6, label="mean of replications")
        ax.axhline(mean[0], color="0.4", lw=0.8, ls="--", label=f"start (mean {mean[0]:.1f})")
        lo, hi = float(np.min(q05)), float(np.max(q95))
        pad = max(1.0, 0.1 * (hi - lo))
        ax.set_ylim(max(0.0, math.floor(lo - pad)), min(n_states, math.ceil(hi + pad)) + 0.001)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        _date_axis(ax, dates)
        ax.set_ylabel(f"BRI members (number of states, of {n_states})")
        ax.set_xlabel("date (monthly steps)")
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.legend(loc="lower left", ncols=3, bbox_to_anchor=(0.0, 1.0), borderaxespad=0.3)
        fig.suptitle(
            "Belt and Road Initiative members among the CELAC states",
            fontsize=15,
            fontweight="bold",
            x=0.09,
            ha="left",
            y=0.97,
        )
        fig.text(
            0.09, 0.88, f"states with a BRI memorandum in force; {arr.shape[1]} replications", fontsize=10, color="0.3"
        )
        return _save(fig, path, dpi)


# Label placement in the Lesser Antilles inset: side of the island ('e', 'w', 's', 'n').
_INSET_LABEL_SIDE = {"KNA": "n", "ATG": "e", "DMA": "e", "LCA": "e", "VCT": "w", "BRB": "s", "GRD": "e", "TTO": "e"}


def _draw_map(ax: Axes, values: Mapping[str, float], title: str) -> tuple[object, bool]:
    """One choropleth panel with its Lesser Antilles inset. Returns (mappable, any_missing)."""
    lon0, lon1, lat0, lat1 = geometry.MAP_BOUNDS
    geo = geometry.load_geometry()
    ax.set_facecolor(OCEAN)
    geometry.draw_countries(ax, ["USA"], facecolor=CONTEXT_GREY, edgecolor="0.6", linewidth=0.3)
    celac = [c for c in CELAC_ISO3 if c in geo]
    mappable, plain = geometry.draw_countries(ax, celac, values=values, edgecolor="0.3", linewidth=0.35)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect("equal")
    ax.set_xticks([-120, -90, -60, -30])
    ax.set_yticks([-50, -30, -10, 10, 30])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}\u00b0W" if v < 0 else f"{v:.0f}\u00b0"))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{abs(v):.0f}\u00b0{'S' if v < 0 else 'N'}" if v else "0\u00b0")
    )
    ax.tick_params(labelsize=8, colors="0.4", length=2)
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color("0.6")
        s.set_linewidth(0.6)
    ax.grid(color="white", lw=0.6, zorder=1)
    ax.set_title(title, fontsize=12, fontweight="bold", pad=6)

    # Inset: same data, zoomed on the Lesser Antilles, placed in the empty south-east Pacific
    # (lon -118..-91, lat -55..-3: no land there); a box marks the zoomed window.
    ilon0, ilon1, ilat0, ilat1 = geometry.INSET_BOUNDS
    height = 52.0
    width = height * (ilon1 - ilon0) / (ilat1 - ilat0)
    ins = ax.inset_axes((-118.0, -55.0, width, height), transform=ax.transData)
    ins.set_facecolor(OCEAN)
    geometry.draw_countries(ins, celac, values=values, edgecolor="0.25", linewidth=0.5)
    ins.set_xlim(ilon0, ilon1)
    ins.set_ylim(ilat0, ilat1)
    ins.set_aspect("equal")
    ins.set_xticks([])
    ins.set_yticks([])
    for s in ins.spines.values():
        s.set_visible(True)
        s.set_color("0.3")
        s.set_linewidth(0.8)
    ins.set_title("Lesser Antilles (boxed)", fontsize=8.5, fontweight="bold", color="0.2", pad=3, loc="left")
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for iso3 in geometry.LESSER_ANTILLES:
        rings = [r for r in geo.get(iso3, []) if geometry.ring_inside(r, geometry.INSET_BOUNDS)]
        if not rings:
            continue
        pts = np.vstack(rings)
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        side = _INSET_LABEL_SIDE.get(iso3, "e")
        gap = 0.12
        xy, ha, va = {
            "e": ((x1 + gap, 0.5 * (y0 + y1)), "left", "center"),
            "w": ((x0 - gap, 0.5 * (y0 + y1)), "right", "center"),
            "s": ((0.5 * (x0 + x1), y0 - gap), "center", "top"),
            "n": ((0.5 * (x0 + x1), y1 + gap), "center", "bottom"),
        }[side]
        ins.text(*xy, iso3, ha=ha, va=va, fontsize=8, fontweight="bold", color="0.1", path_effects=halo, zorder=5)
    ax.add_patch(
        Rectangle((ilon0, ilat0), ilon1 - ilon0, ilat1 - ilat0, fill=False, edgecolor="0.2", linewidth=0.8, zorder=4)
    )
    return mappable, plain is not None


def plot_choropleth(
    start: dict[str, float],
    end: dict[str, float],
    path: Path,
    start_label: str,
    end_label: str,
    *,
    dpi: int = DPI,
) -> Path:
    """Two maps side by side: alignment of each CELAC state at the start and at the end.

    Inputs: ``start``/``end`` map iso3 -> alignment in [-1, 1] (-1 = US, +1 = China),
    e.g. the ensemble median at the first/last date; ``start_label``/``end_label`` are the
    map titles (e.g. '2025-11 (median of 50 runs)'); ``path`` PNG to write.
    Colours: RdBu_r on [-1, 1], shared colorbar. States without a finite value are drawn
    hatched grey; the USA is drawn light grey for context. Each map has a zoomed inset of
    the Lesser Antilles with iso3 labels. Returns ``path``.
    """
    with rc_context(_RC):
        fig = _figure((13, 7.6))
        ax_l = fig.add_axes((0.035, 0.17, 0.455, 0.7))
        ax_r = fig.add_axes((0.525, 0.17, 0.455, 0.7))
        _, missing_l = _draw_map(ax_l, start, start_label)
        _, missing_r = _draw_map(ax_r, end, end_label)
        cax = fig.add_axes((0.27, 0.085, 0.46, 0.028))
        cb = Colorbar(cax, cmap=colormaps[CMAP_NAME], norm=NORM, orientation="horizontal")
        cb.set_ticks([-1, -0.5, 0, 0.5, 1])
        cb.set_ticklabels([f"{MINUS}1\nUS", f"{MINUS}0.5", "0", "+0.5", "+1\nChina"])
        cb.ax.tick_params(labelsize=9)
        cb.set_label(f"alignment ({MINUS}1 US \u2026 +1 China)", fontsize=10.5, labelpad=4)
        cb.ax.xaxis.set_label_position("top")
        if missing_l or missing_r:
            fig.legend(
                handles=[
                    Patch(facecolor="0.85", edgecolor="0.35", hatch="////", label="no value"),
                    Patch(facecolor=CONTEXT_GREY, edgecolor="0.6", label="USA (context)"),
                ],
                loc="lower left",
                bbox_to_anchor=(0.035, 0.055),
                fontsize=9,
            )
        else:
            fig.legend(
                handles=[Patch(facecolor=CONTEXT_GREY, edgecolor="0.6", label="USA (context)")],
                loc="lower left",
                bbox_to_anchor=(0.035, 0.055),
                fontsize=9,
            )
        fig.suptitle("Alignment of the CELAC states between the US and China", fontsize=15, fontweight="bold", y=0.965)
        fig.text(
            0.985,
            0.012,
            f"{geometry.ATTRIBUTION} (1:10m admin-0 v5.1.1, simplified)",
            ha="right",
            va="bottom",
            fontsize=8,
            color="0.4",
        )
        return _save(fig, path, dpi)


def plot_mechanism_breakdown(
    contrib: pd.DataFrame,
    iso3: str,
    path: Path,
    name: str | None = None,
    *,
    dpi: int = DPI,
) -> Path:
    """What moved one state's alignment: cumulative contribution of each mechanism.

    Inputs: ``contrib`` with columns ``replication``, ``date`` ('YYYY-MM'), ``iso3``,
    ``term`` (mechanism) and ``value`` (contribution to that month's alignment change,
    alignment units per month, + toward China); ``iso3`` the state; ``name`` its display
    name (default: from the geometry asset); ``path`` PNG to write.

    Left: ensemble-mean cumulative contribution of each mechanism over time as stacked
    areas (positive parts stacked up, negative parts down) and the net cumulative change
    as a thick black line. Right: total contribution of each mechanism over the whole run
    (ensemble mean, whiskers = 5-95% of replications), sorted; red = toward China,
    blue = toward the US. Raises ValueError if ``iso3`` has no rows. Returns ``path``.
    """
    cum = summaries.mechanism_cumulative(contrib, iso3)
    totals = summaries.mechanism_totals(contrib, iso3)
    n_reps = int(contrib.loc[contrib["iso3"].astype(str) == iso3, "replication"].nunique())
    # drop mechanisms that never contribute
    active = [
        t
        for t in cum.columns
        if np.any(np.abs(cum[t].to_numpy()) > 1e-12) or abs(totals.loc[t, "q05"]) + abs(totals.loc[t, "q95"]) > 1e-12
    ]
    if not active:
        active = list(cum.columns)
    cum = cum[active]
    totals = totals.loc[active]
    colours = _term_colours(active)
    dates = summaries.to_datetime(cum.index)
    # add a zero point one month before the first date so the curves start at 0
    x = dates.insert(0, dates[0] - pd.DateOffset(months=1))
    vals = np.vstack([np.zeros(len(active)), cum.to_numpy()])
    net = vals.sum(axis=1)
    title_name = name or _display_names(None).get(iso3, iso3)
    with rc_context(_RC):
        fig = _figure((14, 7.0))
        ax = fig.add_axes((0.07, 0.29, 0.50, 0.56))
        axb = fig.add_axes((0.755, 0.29, 0.22, 0.56))
        pos_base = np.zeros(len(x))
        neg_base = np.zeros(len(x))
        for k, term in enumerate(active):
            v = vals[:, k]
            pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
            colour = colours[term]
            if np.any(pos > 0):
                ax.fill_between(x, pos_base, pos_base + pos, color=colour, lw=0, alpha=0.9)
            if np.any(neg < 0):
                ax.fill_between(x, neg_base, neg_base + neg, color=colour, lw=0, alpha=0.9)
            pos_base = pos_base + pos
            neg_base = neg_base + neg
        ax.axhline(0, color="0.3", lw=0.8)
        ax.plot(x, net, color="black", lw=3.0, zorder=5)
        ax.plot(x, net, color="white", lw=0.8, zorder=6, alpha=0.7)
        _date_axis(ax, x)
        span = max(np.max(pos_base), -np.min(neg_base), np.max(np.abs(net)), 1e-6)
        ax.set_ylim(
            -1.1 * max(-np.min(neg_base), np.max(-net), 0.05 * span),
            1.1 * max(np.max(pos_base), np.max(net), 0.05 * span),
        )
        ax.set_ylabel("cumulative change in alignment (+ toward China)")
        ax.set_xlabel("date (monthly steps)")
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.set_title("Cumulative contribution of each mechanism (ensemble mean)", fontsize=11.5)
        kw = {"transform": ax.transAxes, "ha": "left", "fontsize": 9, "fontweight": "bold"}
        ax.text(0.01, 0.98, "\u2191 toward China", va="top", color=CHINA_RED, **kw)
        ax.text(0.01, 0.02, "\u2193 toward US", va="bottom", color=US_BLUE, **kw)
        handles = [Patch(facecolor=colours[t], label=_pretty_term(t)) for t in active]
        handles.append(Line2D([], [], color="black", lw=3.0, label="net change (sum)"))
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncols=4,
            fontsize=9,
            handlelength=1.4,
            columnspacing=1.4,
            title="mechanism",
            title_fontsize=9,
        )

        # right: totals, sorted
        order = totals.sort_values("mean").index.tolist()
        means = totals.loc[order, "mean"].to_numpy()
        ypos = np.arange(len(order))
        bar_colours = [CHINA_RED if m > 0 else US_BLUE for m in means]
        axb.barh(ypos, means, color=bar_colours, alpha=0.85, height=0.7)
        err = np.vstack([means - totals.loc[order, "q05"].to_numpy(), totals.loc[order, "q95"].to_numpy() - means])
        axb.errorbar(means, ypos, xerr=np.clip(err, 0, None), fmt="none", ecolor="0.2", elinewidth=0.9, capsize=2.5)
        axb.axvline(0, color="0.3", lw=0.8)
        axb.set_yticks(ypos, [_pretty_term(t) for t in order], fontsize=9)
        axb.tick_params(axis="y", length=0, pad=14)
        # colour key linking each bar to its area on the left
        axb.scatter(
            np.full(len(order), -0.035),
            ypos,
            s=55,
            marker="s",
            c=[colours[t] for t in order],
            transform=axb.get_yaxis_transform(),
            clip_on=False,
            edgecolors="none",
        )
        for s in ("left",):
            axb.spines[s].set_visible(False)
        axb.set_xlabel("total change over the run\n(alignment units, + toward China)")
        axb.set_title("Total per mechanism", fontsize=11.5)
        axb.grid(axis="x", color="0.88", lw=0.6)
        lim = float(np.max(np.abs(np.concatenate([totals["q05"], totals["q95"], totals["mean"]]))))
        lim = 1.12 * lim if lim > 0 else 1.0
        axb.set_xlim(-lim, lim)
        axb.text(
            0.0,
            -0.2,
            "\u2190 toward US",
            transform=axb.transAxes,
            ha="left",
            va="top",
            fontsize=9,
            fontweight="bold",
            color=US_BLUE,
        )
        axb.text(
            1.0,
            -0.2,
            "toward China \u2192",
            transform=axb.transAxes,
            ha="right",
            va="top",
            fontsize=9,
            fontweight="bold",
            color=CHINA_RED,
        )
        axb.text(
            0.5,
            -0.27,
            "bars: mean; whiskers: 5\u201395% of replications",
            transform=axb.transAxes,
            ha="center",
            va="top",
            fontsize=8.5,
            color="0.35",
        )
        fig.suptitle(
            f"{title_name}: what moved its alignment?", fontsize=15, fontweight="bold", x=0.07, ha="left", y=0.965
        )
        fig.text(
            0.07,
            0.905,
            f"net change {dates[0].strftime('%Y-%m')} \u2192 {dates[-1].strftime('%Y-%m')}: "
            f"{_signed_2(net[-1])} (alignment units; {MINUS}1 US \u2026 +1 China); "
            f"mean of {n_reps} replications",
            fontsize=10,
            color="0.3",
        )
        return _save(fig, path, dpi)


def plot_all(
    ts: pd.DataFrame,
    contrib: pd.DataFrame,
    out_dir: Path,
    names: dict[str, str] | None = None,
    focus: str = "COL",
    *,
    dpi: int = DPI,
) -> list[Path]:
    """Draw every figure into ``out_dir`` with fixed file names; returns the paths.

    Files: alignment_small_multiples.png, regional_mean.png, bri_members.png,
    choropleth.png (ensemble median at the first and last date) and
    mechanisms_<focus>.png. Inputs as in the individual functions.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    dates = np.sort(ts["date"].astype(str).unique())
    n_reps = int(ts["replication"].nunique())
    first, last = str(dates[0]), str(dates[-1])
    runs = f"median of {n_reps} replication{'s' if n_reps != 1 else ''}"
    focus_name = _display_names(names).get(focus, focus)
    return [
        plot_alignment_small_multiples(ts, out_dir / FILE_NAMES["small_multiples"], names, dpi=dpi),
        plot_regional_mean(ts, out_dir / FILE_NAMES["regional_mean"], dpi=dpi),
        plot_bri_count(ts, out_dir / FILE_NAMES["bri"], dpi=dpi),
        plot_choropleth(
            summaries.median_alignment_at(ts, first),
            summaries.median_alignment_at(ts, last),
            out_dir / FILE_NAMES["choropleth"],
            start_label=f"{first} ({runs})",
            end_label=f"{last} ({runs})",
            dpi=dpi,
        ),
        plot_mechanism_breakdown(contrib, focus, out_dir / f"mechanisms_{focus}.png", name=focus_name, dpi=dpi),
    ]


__all__ = [
    "CHINA_RED",
    "CMAP_NAME",
    "US_BLUE",
    "plot_alignment_small_multiples",
    "plot_all",
    "plot_bri_count",
    "plot_choropleth",
    "plot_mechanism_breakdown",
    "plot_regional_mean",
]
