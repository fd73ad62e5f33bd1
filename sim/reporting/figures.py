"""Classroom figures for the CELAC US-China alignment model.

Every ``plot_*`` function takes tidy tables, writes one PNG and returns its path; the matching ``make_*`` function
builds the same ``matplotlib.figure.Figure`` without saving it (what the tests inspect). Conventions:

* alignment is a float in [-1, 1]: -1 = fully aligned with the US, +1 = fully with China;
* US side is blue, China side is red; maps use the diverging colormap ``RdBu_r`` centred at 0 with a stated
  range (alignment: [-1, 1]; change maps: a symmetric range written in the colourbar label);
* dates are 'YYYY-MM' strings (monthly steps); date axes use explicit locators (:func:`date_axis`);
* every label comes from :mod:`sim.reporting.labels` (no raw ``snake_case``);
* ``footer`` (keyword of every function): one line naming the scenario and the overrides of the run, drawn at the
  bottom of the figure in small grey text (see :func:`sim.reporting.labels.run_footer`).

Figures are built as ``Figure`` objects on the Agg canvas, without pyplot: nothing is registered globally, nothing
stays open after saving, and the caller's backend is never changed.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim.data.seeds import CELAC_ISO3

from . import geometry, labels, summaries

US_BLUE = "#2166ac"
CHINA_RED = "#b2182b"
CMAP_NAME = "RdBu_r"
NORM = Normalize(vmin=-1.0, vmax=1.0)
DPI = 130
OCEAN = "#eef3f7"
CONTEXT_GREY = "#d4d4d4"
MINUS = "\u2212"
FOOTER_GID = "footer"
CAPTION_GID = "caption"
FOOTER_INCHES = 0.34
"""Height of the strip kept free at the bottom of every figure for the footer, inches."""

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

#: Fixed qualitative colours for the model's mechanisms (others get tab20 colours, see :func:`term_colours`).
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

#: Type sizes chosen for a projected classroom screen (points).
_RC = {
    "font.size": 11,
    "axes.titlesize": 12.5,
    "axes.labelsize": 11.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "center",
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "hatch.linewidth": 0.6,
    "axes.unicode_minus": True,
}

MechanismView = Literal["net", "gross"]


# --------------------------------------------------------------------------- helpers


def _figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path | str, dpi: int) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(_RC):  # ticks are created at draw time and read the type sizes then
        fig.savefig(path, dpi=dpi)
    fig.clear()  # free the artists; the Figure is not known to pyplot, so nothing else to close
    return path


def draw_footer(fig: Figure, footer: str) -> None:
    """Write ``footer`` (scenario and overrides of the run) at the bottom left of ``fig``, small and grey."""
    if footer:
        height = fig.get_figheight()
        fig.text(0.008, 0.09 / height, footer, ha="left", va="bottom", fontsize=9, color="0.4", gid=FOOTER_GID)


def _title(fig: Figure, text: str, height: float, *, x: float | None = None, top_inches: float = 0.15) -> None:
    """The figure's bold title, ``top_inches`` below the top edge of a figure ``height`` inches tall; left-aligned at
    ``x`` (centred without)."""
    where = {} if x is None else {"x": x, "ha": "left"}
    fig.suptitle(text, fontsize=16, fontweight="bold", y=1 - top_inches / height, **where)  # type: ignore[arg-type]


def _caption(fig: Figure, x: float, y: float, text: str, **kw: object) -> None:
    """A how-to-read line under a title (tagged so tests can find it)."""
    style = {"fontsize": 11, "color": "0.25", "ha": "left", "va": "top", "gid": CAPTION_GID} | kw
    fig.text(x, y, text, **style)  # type: ignore[arg-type]


def _bottom(fig_height: float, inches: float) -> float:
    """Figure fraction of ``inches`` above the footer strip."""
    return (inches + FOOTER_INCHES) / fig_height


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


_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600)


def _month_label(x: float, pos: int | None = None) -> str:
    """'Jan\\n2026' on the first tick and in January, else 'Apr'."""
    d = mdates.num2date(x)
    return d.strftime("%b\n%Y") if pos == 0 or d.month == 1 else d.strftime("%b")


def date_axis(ax: Axes, dates: pd.DatetimeIndex | Sequence[pd.Timestamp], max_ticks: int = 7) -> int:
    """Monthly date axis with explicitly chosen ticks (never ``AutoDateLocator``, which warns on some spans).

    The step is the smallest of 1, 2, 3, 6 months or 1, 2, 5, 10, 20, 50 years giving at most ``max_ticks``
    ticks; month steps fall on calendar quarters/halves and are labelled 'Apr' ('Jan 2026' on January and on the
    first tick), year steps '2027'. The x range is the span of ``dates`` (a single date gets +/- half a month).
    Returns the step in months.
    """
    dates = pd.DatetimeIndex(dates)
    span = summaries.month_span(dates)
    step = next((s for s in _MONTH_STEPS if span // s + 1 <= max(max_ticks, 2)), _MONTH_STEPS[-1])
    if step < 12:
        locator = mdates.MonthLocator(bymonth=range(1, 13, step))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
        if step > 1:
            ax.xaxis.set_minor_locator(mdates.MonthLocator())
    else:
        ax.xaxis.set_major_locator(mdates.YearLocator(base=step // 12))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        if step == 12 and span <= 120:
            ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    if len(dates) > 1 and dates.min() < dates.max():
        ax.set_xlim(dates.min(), dates.max())
    elif len(dates):
        ax.set_xlim(dates[0] - pd.Timedelta(days=15), dates[0] + pd.Timedelta(days=15))
    return step


_date_axis = date_axis  # former private name


def _tint_sides(ax: Axes, alpha: float = 0.06) -> None:
    """Light blue below zero (US side), light red above (China side), grey zero line."""
    ax.axhspan(0, 1.5, color=CHINA_RED, alpha=alpha, lw=0, zorder=0)
    ax.axhspan(-1.5, 0, color=US_BLUE, alpha=alpha, lw=0, zorder=0)
    ax.axhline(0, color="0.35", lw=0.8, zorder=1)


def _side_labels(ax: Axes, fontsize: float = 10) -> None:
    """'China side' / 'US side' notes at the right edge of an alignment axis."""
    kw = {"transform": ax.transAxes, "ha": "right", "fontsize": fontsize, "fontweight": "bold"}
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


def term_colours(terms: Sequence[str]) -> dict[str, str | tuple]:
    """Colour of each mechanism: fixed for the known ones, unused tab20 colours (cycled) for any other."""
    used = set(TERM_COLOURS.values())
    spare = [
        c
        for i, c in enumerate(colormaps["tab20"].colors)
        if i not in (0, 6) and "#{:02x}{:02x}{:02x}".format(*(round(255 * v) for v in c)) not in used
    ]
    out: dict[str, str | tuple] = {}
    k = 0
    for t in terms:
        if t in TERM_COLOURS:
            out[t] = TERM_COLOURS[t]
        else:
            out[t] = spare[k % len(spare)]
            k += 1
    return out


_term_colours = term_colours  # former private name


def _signed(v: float, _pos: object = None) -> str:
    """Tick label with an explicit sign and a typographic minus ('+1', '0', '−1')."""
    return "0" if v == 0 else f"{v:+g}".replace("-", MINUS)


def _signed_2(v: float) -> str:
    """'+0.12' / '−0.26' with a typographic minus."""
    return f"{v:+.2f}".replace("-", MINUS)


def _signed_value(v: float) -> str:
    """A bar's value: two decimals, three below 0.01 in size, '0' when zero; typographic minus."""
    if v == 0:
        return "0"
    return (f"{v:+.2f}" if abs(v) >= 0.01 else f"{v:+.3f}").replace("-", MINUS)


def _first_finite(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    return float(finite[0]) if finite.size else np.nan


def _last_finite(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    return float(finite[-1]) if finite.size else np.nan


def _month_before(date: str) -> str:
    return (pd.Period(date, freq="M") - 1).strftime("%Y-%m")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# --------------------------------------------------------------------------- small multiples


def make_alignment_small_multiples(
    ts: pd.DataFrame, names: Mapping[str, str] | None = None, *, ncols: int = 6, footer: str = ""
) -> Figure:
    """The figure of :func:`plot_alignment_small_multiples`, not saved."""
    c = summaries.cube(ts, "alignment")
    q05, q50, q95 = c.quantiles((0.05, 0.5, 0.95))  # [date, iso3]
    dates = summaries.to_datetime(c.dates)
    display = _display_names(names)
    start = np.array([_first_finite(q50[:, j]) for j in range(len(c.iso3s))])
    order = np.argsort(np.where(np.isfinite(start), start, np.inf), kind="stable")
    n = len(order)
    nrows = max(1, math.ceil(n / ncols))
    height = 1.7 * nrows + 1.9 + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((2.3 * ncols, height))
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        fig.subplots_adjust(
            left=0.065, right=0.985, top=1 - 1.3 / height, bottom=_bottom(height, 0.45), hspace=0.45, wspace=0.12
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
                ax.plot(dates, med, color=colour, lw=2.0, zorder=3)
            else:
                ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.4")
            title = display.get(iso3, iso3)
            ax.set_title(title, fontsize=10.5 if len(title) <= 18 else 9.5, pad=3)
            ax.set_ylim(-1, 1)
            ax.set_yticks([-1, 0, 1])
            ax.yaxis.set_major_formatter(FuncFormatter(_signed))
            ax.tick_params(length=2, pad=1.5, labelsize=9.5)
            ax.grid(axis="x", color="0.88", lw=0.5)
        date_axis(axes.flat[0], dates, max_ticks=4)
        for col in range(ncols):  # x tick labels on the bottom-most visible panel of each column
            rows_used = [r for r in range(nrows) if r * ncols + col < n]
            if rows_used:
                axes[rows_used[-1], col].tick_params(labelbottom=True)
        _small_multiples_key(fig, axes, n)
        _title(fig, "Alignment of the CELAC states between the US and China, by state", height, top_inches=0.2)
        _caption(
            fig,
            0.5,
            1 - 0.62 / height,
            f"{MINUS}1 = aligned with the US (blue), +1 = aligned with China (red); line = median, "
            f"band = 5\u201395% of {_plural(len(c.replications), 'replication')}; panels ordered by starting alignment",
            ha="center",
        )
        fig.supylabel(labels.label_with_unit("alignment"), fontsize=11.5, x=0.012)
        draw_footer(fig, footer)
        return fig


def plot_alignment_small_multiples(
    ts: pd.DataFrame,
    path: Path,
    names: Mapping[str, str] | None = None,
    *,
    ncols: int = 6,
    dpi: int = DPI,
    footer: str = "",
) -> Path:
    """One panel per state: ensemble median alignment and 5-95% band over time.

    Inputs: ``ts`` timeseries table with columns ``replication`` (int), ``date``
    ('YYYY-MM'), ``iso3`` and ``alignment`` (float, -1 = US ... +1 = China; other columns
    are ignored); ``path`` PNG to write; ``names`` optional ``iso3 -> panel title``
    (default: short English names from the geometry asset); ``footer`` the run's identification line.

    Panels are ordered by starting median alignment (most US-aligned first). Each shows
    the median over replications (line coloured by its final value on RdBu_r, darkened to
    stay readable), the 5-95% band of replications, a zero line and a fixed y range
    [-1, 1]. Returns ``path``.
    """
    return _save(make_alignment_small_multiples(ts, names, ncols=ncols, footer=footer), path, dpi)


def _small_multiples_key(fig: Figure, axes: np.ndarray, n: int) -> None:
    """Use the empty grid slots (if any) for a key: legend + colour scale of the line."""
    nrows, ncols = axes.shape
    empty = nrows * ncols - n
    if empty < 2:
        return
    first = axes.flat[n].get_position()
    last = axes.flat[nrows * ncols - 1].get_position()
    x0, x1, y0, y1 = first.x0, last.x1, first.y0, first.y1
    w = x1 - x0
    key = fig.add_axes((x0 + 0.04 * w, y0 - 0.1 * (y1 - y0), 0.92 * w, 1.15 * (y1 - y0)))
    key.set_axis_off()
    handles = [
        Line2D([], [], color="0.3", lw=2.0, label="median of replications"),
        Patch(facecolor="0.3", alpha=0.25, label="5\u201395% of replications"),
        Patch(facecolor=CHINA_RED, alpha=0.12, label="China side (> 0)"),
        Patch(facecolor=US_BLUE, alpha=0.12, label="US side (< 0)"),
    ]
    key.legend(
        handles=handles, loc="upper left", ncols=2, fontsize=9.5, handlelength=1.6, borderaxespad=0.0, columnspacing=1.2
    )
    cax = key.inset_axes((0.05, 0.1, 0.9, 0.11))
    cb = Colorbar(cax, cmap=colormaps[CMAP_NAME], norm=NORM, orientation="horizontal")
    cb.set_ticks([-1, -0.5, 0, 0.5, 1])
    cb.ax.xaxis.set_major_formatter(FuncFormatter(_signed))
    cb.ax.tick_params(labelsize=9, length=2)
    cb.set_label(f"line colour = final median alignment ({labels.ALIGNMENT_UNIT})", fontsize=9.5)


# --------------------------------------------------------------------------- regional mean


def make_regional_mean(ts: pd.DataFrame, *, n_examples: int = 5, footer: str = "") -> Figure:
    """The figure of :func:`plot_regional_mean`, not saved."""
    wide = summaries.regional_mean(ts)  # date x replication
    dates = summaries.to_datetime(wide.index)
    arr = wide.to_numpy()
    q05, q50, q95 = summaries.nanquantile(arr, (0.05, 0.5, 0.95), axis=1)
    n_reps = arr.shape[1]
    height = 5.8 + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((10.5, height))
        bottom = _bottom(height, 0.65)
        ax = fig.add_axes((0.095, bottom, 0.865, 1 - bottom - 1.45 / height))
        _tint_sides(ax)
        picks = np.unique(np.linspace(0, n_reps - 1, min(n_examples, n_reps)).round().astype(int))
        for i, k in enumerate(picks):
            ax.plot(
                dates,
                arr[:, k],
                color="0.45",
                lw=0.8,
                alpha=0.8,
                zorder=2,
                label="individual replications" if i == 0 else None,
            )
        ax.fill_between(
            dates, q05, q95, color="#6a51a3", alpha=0.22, lw=0, zorder=2, label="5\u201395% of replications"
        )
        ax.plot(dates, q50, color="#3f007d", lw=2.8, zorder=4, label="median of replications")
        lo = np.nanmin([np.nanmin(q05), np.nanmin(arr[:, picks])])
        hi = np.nanmax([np.nanmax(q95), np.nanmax(arr[:, picks])])
        ax.set_ylim(*_alignment_ylim(lo, hi))
        date_axis(ax, dates)
        _side_labels(ax)
        ax.set_ylabel(labels.label_with_unit("regional_mean_alignment"))
        ax.set_xlabel(labels.label("date"))
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.legend(loc="lower left", ncols=3, bbox_to_anchor=(0.0, 1.0), borderaxespad=0.3)
        _title(fig, "Regional mean alignment of the CELAC states", height, x=0.095)
        _caption(
            fig,
            0.095,
            1 - 0.62 / height,
            f"unweighted mean over {ts['iso3'].nunique()} states (one state, one vote) in each of "
            f"{_plural(n_reps, 'replication')}",
        )
        draw_footer(fig, footer)
        return fig


def plot_regional_mean(ts: pd.DataFrame, path: Path, *, n_examples: int = 5, dpi: int = DPI, footer: str = "") -> Path:
    """Regional mean alignment over time: median and 5-95% band across replications.

    Inputs: ``ts`` timeseries table (``replication``, ``date`` 'YYYY-MM', ``iso3``,
    ``alignment`` in [-1, 1], -1 = US, +1 = China); ``path`` PNG to write; ``footer`` the run's identification line.
    For each replication and date the unweighted mean over states is taken (one state,
    one vote, as in CELAC); the figure shows the median and 5-95% band of that mean
    across replications plus ``n_examples`` thin individual replications. Returns ``path``.
    """
    return _save(make_regional_mean(ts, n_examples=n_examples, footer=footer), path, dpi)


# --------------------------------------------------------------------------- BRI members


def make_bri_count(ts: pd.DataFrame, *, footer: str = "") -> Figure:
    """The figure of :func:`plot_bri_count`, not saved."""
    band = summaries.bri_count_band(ts)
    dates = summaries.to_datetime(band.index)
    n_reps = int(ts["replication"].nunique())
    n_states = int(ts["iso3"].nunique())
    q05, q50, q95 = (band[c].to_numpy() for c in ("q05", "median", "q95"))
    height = 5.6 + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((10.5, height))
        bottom = _bottom(height, 0.65)
        ax = fig.add_axes((0.085, bottom, 0.875, 1 - bottom - 1.45 / height))
        ax.set_label("bri_count")
        band_label = "5\u201395% of replications"
        ax.fill_between(dates, q05, q95, step="mid", color=CHINA_RED, alpha=0.18, lw=0, label=band_label)
        ax.step(dates, q50, where="mid", color=CHINA_RED, lw=2.8, label="median of replications")
        ax.axhline(q50[0], color="0.4", lw=0.9, ls="--", label=f"at the start: {_plural(int(q50[0]), 'state')}")
        lo, hi = int(np.min(q05)), int(np.max(q95))
        ylo, yhi = max(0, lo - 1), min(n_states, hi + 1)
        if yhi - ylo < 4:  # at least a few whole states of context
            ylo, yhi = max(0, ylo - 1), min(n_states, yhi + 1)
        ax.set_ylim(ylo - 0.5, yhi + 0.5)
        span = yhi - ylo
        ax.yaxis.set_major_locator(MultipleLocator(1) if span <= 12 else MaxNLocator(integer=True, nbins=8))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
        date_axis(ax, dates)
        ax.set_ylabel(f"{labels.label('bri_members')} (number of states, of {n_states})")
        ax.set_xlabel(labels.label("date"))
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.legend(loc="lower left", ncols=3, bbox_to_anchor=(0.0, 1.0), borderaxespad=0.3)
        _title(fig, "Belt and Road Initiative members among the CELAC states", height, x=0.085)
        _caption(
            fig,
            0.085,
            1 - 0.62 / height,
            f"states with a BRI memorandum in force, in whole states; {_plural(n_reps, 'replication')}; "
            f"at the end: median {int(q50[-1])}, 5\u201395% of replications {int(q05[-1])}\u2013{int(q95[-1])}",
        )
        draw_footer(fig, footer)
        return fig


def plot_bri_count(ts: pd.DataFrame, path: Path, *, dpi: int = DPI, footer: str = "") -> Path:
    """Number of Belt and Road (BRI) members over time, in whole states: median and 5-95% band.

    Inputs: ``ts`` timeseries table with ``replication``, ``date`` ('YYYY-MM'), ``iso3``
    and ``bri_member`` (0/1); ``path`` PNG to write; ``footer`` the run's identification line. A state counts as a
    member when ``bri_member`` >= 0.5. The median and the band are counts some replication had (never 22.55),
    drawn as steps; y ticks on whole states. Returns ``path``.
    """
    return _save(make_bri_count(ts, footer=footer), path, dpi)


# --------------------------------------------------------------------------- choropleth

# Label placement in the Lesser Antilles inset: side of the island ('e', 'w', 's', 'n').
_INSET_LABEL_SIDE = {"KNA": "n", "ATG": "e", "DMA": "e", "LCA": "e", "VCT": "w", "BRB": "s", "GRD": "e", "TTO": "e"}
INSET_LABEL = "lesser_antilles_inset"
MAP_LABEL = "map"


def _draw_map(
    ax: Axes, values: Mapping[str, float], title: str, cmap: Colormap, norm: Normalize
) -> tuple[object, bool]:
    """One choropleth panel with its Lesser Antilles inset. Returns (mappable, any_missing)."""
    lon0, lon1, lat0, lat1 = geometry.MAP_BOUNDS
    geo = geometry.load_geometry()
    ax.set_label(MAP_LABEL)
    ax.set_facecolor(OCEAN)
    geometry.draw_countries(ax, ["USA"], facecolor=CONTEXT_GREY, edgecolor="0.6", linewidth=0.3)
    celac = [c for c in CELAC_ISO3 if c in geo]
    mappable, plain = geometry.draw_countries(
        ax, celac, values=values, cmap=cmap, norm=norm, edgecolor="0.3", linewidth=0.35
    )
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect("equal")
    ax.set_xticks([-120, -90, -60, -30])
    ax.set_yticks([-50, -30, -10, 10, 30])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}\u00b0W" if v < 0 else f"{v:.0f}\u00b0"))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{abs(v):.0f}\u00b0{'S' if v < 0 else 'N'}" if v else "0\u00b0")
    )
    ax.tick_params(labelsize=8.5, colors="0.4", length=2)
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color("0.6")
        s.set_linewidth(0.6)
    ax.grid(color="white", lw=0.6, zorder=1)
    ax.set_title(title, fontsize=13, fontweight="bold", pad=6)

    # Inset: same data, zoomed on the Lesser Antilles, placed in the empty south-east Pacific
    # (lon -118.5..-90, lat -56..-6: no land there, the Galapagos lie north of it); a box marks the zoomed window.
    ilon0, ilon1, ilat0, ilat1 = geometry.INSET_BOUNDS
    height = 50.0
    width = height * (ilon1 - ilon0) / (ilat1 - ilat0)
    ins = ax.inset_axes((-118.5, -56.0, width, height), transform=ax.transData)
    ins.set_label(INSET_LABEL)
    ins.set_facecolor(OCEAN)
    geometry.draw_countries(ins, celac, values=values, cmap=cmap, norm=norm, edgecolor="0.2", linewidth=0.6)
    ins.set_xlim(ilon0, ilon1)
    ins.set_ylim(ilat0, ilat1)
    ins.set_aspect("equal")
    ins.set_xticks([])
    ins.set_yticks([])
    for s in ins.spines.values():
        s.set_visible(True)
        s.set_color("0.3")
        s.set_linewidth(0.8)
    ins.set_title("Lesser Antilles (boxed)", fontsize=9.5, fontweight="bold", color="0.2", pad=3, loc="left")
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
        ins.text(*xy, iso3, ha=ha, va=va, fontsize=9, fontweight="bold", color="0.1", path_effects=halo, zorder=5)
    ax.add_patch(
        Rectangle((ilon0, ilat0), ilon1 - ilon0, ilat1 - ilat0, fill=False, edgecolor="0.2", linewidth=0.8, zorder=4)
    )
    return mappable, plain is not None


def map_change(start: Mapping[str, float], end: Mapping[str, float]) -> dict[str, float]:
    """``end - start`` per state present and finite in both (alignment units, + toward China)."""
    out = {}
    for iso3, b in end.items():
        a = start.get(iso3, np.nan)
        if a is not None and b is not None and np.isfinite(a) and np.isfinite(b):
            out[iso3] = float(b) - float(a)
    return out


def make_choropleth(
    start: Mapping[str, float],
    end: Mapping[str, float],
    start_label: str,
    end_label: str,
    *,
    change_limit: float | None = None,
    footer: str = "",
) -> Figure:
    """The figure of :func:`plot_choropleth`, not saved."""
    change = map_change(start, end)
    limit = summaries.symmetric_limit(list(change.values()), change_limit, cap=2.0)
    change_norm = Normalize(vmin=-limit, vmax=limit)
    cmap = colormaps[CMAP_NAME]
    height = 7.2 + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((19.5, height))
        bottom = _bottom(height, 1.05)
        top = 1 - 0.95 / height
        w, gap, left = 0.305, 0.02, 0.03
        axes = [fig.add_axes((left + k * (w + gap), bottom, w, top - bottom)) for k in range(3)]
        _, missing_s = _draw_map(axes[0], start, start_label, cmap, NORM)
        _, missing_e = _draw_map(axes[1], end, end_label, cmap, NORM)
        _, missing_c = _draw_map(axes[2], change, "Change (end \u2212 start)", cmap, change_norm)
        axes[2].set_label("change_map")

        cb_y, cb_h = _bottom(height, 0.32), 0.025
        cax = fig.add_axes((left + 0.12, cb_y, 2 * w + gap - 0.24, cb_h))
        cb = Colorbar(cax, cmap=cmap, norm=NORM, orientation="horizontal")
        cb.set_ticks([-1, -0.5, 0, 0.5, 1])
        cb.set_ticklabels([f"{MINUS}1 US", f"{MINUS}0.5", "0", "+0.5", "+1 China"])
        cb.ax.tick_params(labelsize=10)
        cb.set_label(f"{labels.label_with_unit('alignment')}; colour scale {MINUS}1 \u2026 +1", fontsize=11, labelpad=4)
        cb.ax.xaxis.set_label_position("top")

        values = np.array(list(change.values()), dtype=float)
        extend = _extend(values, limit)
        cax_c = fig.add_axes((left + 2 * (w + gap) + 0.035, cb_y, w - 0.07, cb_h))
        cax_c.set_label("change_colourbar")
        cb_c = Colorbar(cax_c, cmap=cmap, norm=change_norm, orientation="horizontal", extend=extend)
        cb_c.set_ticks([-limit, -limit / 2, 0, limit / 2, limit])
        cb_c.ax.xaxis.set_major_formatter(FuncFormatter(_signed))
        cb_c.ax.tick_params(labelsize=10)
        cb_c.set_label(
            f"change of alignment, + toward China; colour scale {MINUS}{limit:g} \u2026 +{limit:g}",
            fontsize=11,
            labelpad=4,
        )
        cb_c.ax.xaxis.set_label_position("top")

        handles = [Patch(facecolor=CONTEXT_GREY, edgecolor="0.6", label="USA (context)")]
        if missing_s or missing_e or missing_c:
            handles.insert(0, Patch(facecolor="0.85", edgecolor="0.35", hatch="////", label="no value"))
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(left, _bottom(height, 0.25)), fontsize=10)
        _title(
            fig,
            "Alignment of the CELAC states between the US and China: start, end and change",
            height,
            top_inches=0.12,
        )
        fig.text(
            0.992,
            0.09 / height,
            f"{geometry.ATTRIBUTION} (1:10m admin-0 v5.1.1, simplified)",
            ha="right",
            va="bottom",
            fontsize=8.5,
            color="0.4",
        )
        draw_footer(fig, footer)
        return fig


def _extend(values: np.ndarray, limit: float) -> Literal["neither", "both", "min", "max"]:
    """Colourbar arrows for values beyond a fixed range."""
    finite = values[np.isfinite(values)]
    below = bool(finite.size and finite.min() < -limit)
    above = bool(finite.size and finite.max() > limit)
    return "both" if below and above else "min" if below else "max" if above else "neither"


def plot_choropleth(
    start: Mapping[str, float],
    end: Mapping[str, float],
    path: Path,
    start_label: str,
    end_label: str,
    *,
    change_limit: float | None = None,
    dpi: int = DPI,
    footer: str = "",
) -> Path:
    """Three maps side by side: alignment of each CELAC state at the start, at the end, and the change.

    Inputs: ``start``/``end`` map iso3 -> alignment in [-1, 1] (-1 = US, +1 = China),
    e.g. the ensemble median at the first/last date; ``start_label``/``end_label`` are the
    map titles (e.g. '2025-11 (median of 50 runs)'); ``path`` PNG to write; ``footer`` the run's identification
    line. Start and end: RdBu_r on [-1, 1] with a shared colourbar. Change (end - start, alignment units):
    RdBu_r centred at 0 on [-L, L] with L = ``change_limit`` or the largest |change| rounded up to a nice number
    (0.106 -> 0.2), stated in its colourbar label. States without a finite value are drawn hatched grey; the USA
    is drawn light grey for context. Each map has a zoomed inset holding all eight Lesser Antilles states, with
    iso3 labels. Returns ``path``.
    """
    fig = make_choropleth(start, end, start_label, end_label, change_limit=change_limit, footer=footer)
    return _save(fig, path, dpi)


# --------------------------------------------------------------------------- mechanisms

BARS_LABEL = "mechanism_bars"
PATH_LABEL = "net_path"
TOTAL_ROW = "Total change (sum of the bars)"


def _reading_window(dates: list[str]) -> tuple[str, str]:
    """START (the month before the first contribution: the state the run starts from) and END."""
    return _month_before(dates[0]), dates[-1]


def make_mechanism_breakdown(
    contrib: pd.DataFrame,
    iso3: str,
    name: str | None = None,
    *,
    view: MechanismView = "net",
    footer: str = "",
) -> Figure:
    """The figure of :func:`plot_mechanism_breakdown`, not saved."""
    if view not in ("net", "gross"):
        raise ValueError(f"view: got {view!r}; expected 'net' or 'gross'")
    iso3 = str(iso3).upper()
    title_name = name or _display_names(None).get(iso3, iso3)
    if view == "net":
        return _mechanism_net(contrib, iso3, title_name, footer)
    return _mechanism_gross(contrib, iso3, title_name, footer)


def _n_replications(contrib: pd.DataFrame, iso3: str) -> tuple[int, bool]:
    rows, has_reps = summaries.per_replication_contributions(contrib)
    return int(rows.loc[rows["iso3"].astype(str) == iso3, "replication"].nunique()), has_reps


def _mechanism_net(contrib: pd.DataFrame, iso3: str, title_name: str, footer: str) -> Figure:
    """Net view: each mechanism's change START -> END as sorted bars, and the net path."""
    net = summaries.mechanism_net(contrib, iso3)
    path = summaries.net_change_path(contrib, iso3)
    n_reps, has_reps = _n_replications(contrib, iso3)
    start, end = _reading_window(list(path.index))
    total = float(path["mean"].iloc[-1])
    rows = len(net) + 1
    height = max(6.6, 0.42 * rows + 3.5) + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((15, height))
        bottom = _bottom(height, 0.95)
        top = 1 - 1.85 / height
        axb = fig.add_axes((0.215, bottom, 0.42, top - bottom))
        axb.set_label(BARS_LABEL)
        axp = fig.add_axes((0.725, bottom, 0.255, top - bottom))
        axp.set_label(PATH_LABEL)

        means = np.append(net["mean"].to_numpy(), total)
        lows = np.append(net["q05"].to_numpy(), path["q05"].iloc[-1])
        highs = np.append(net["q95"].to_numpy(), path["q95"].iloc[-1])
        ypos = np.arange(rows, dtype=float)
        ypos[-1] += 0.35  # the total sits apart, under a rule
        colours = [CHINA_RED if m > 0 else US_BLUE for m in means[:-1]] + ["0.15"]
        axb.barh(ypos, means, color=colours, alpha=0.88, height=0.68)
        if has_reps:
            err = np.clip(np.vstack([means - lows, highs - means]), 0, None)
            axb.errorbar(means, ypos, xerr=err, fmt="none", ecolor="0.25", elinewidth=1.0, capsize=3)
        axb.axhline(ypos[-2] + 0.7, color="0.5", lw=0.8)
        axb.axvline(0, color="0.3", lw=0.9)
        tick_labels = [labels.label(t, "mechanism") for t in net.index] + [TOTAL_ROW]
        axb.set_yticks(ypos, tick_labels)
        axb.get_yticklabels()[-1].set_fontweight("bold")
        axb.tick_params(axis="y", length=0, labelsize=11)
        axb.set_ylim(ypos[-1] + 0.65, -0.65)  # largest first, at the top
        reach = np.nanmax(np.abs(np.concatenate([means, lows, highs]))) if has_reps else np.nanmax(np.abs(means))
        lim = 1.35 * reach if reach > 0 else 0.01
        axb.set_xlim(-lim, lim)
        for y, m, lo_, hi_ in zip(ypos, means, lows, highs, strict=True):
            tip = max(m, hi_) if (m >= 0 and has_reps) else min(m, lo_) if has_reps else m
            axb.text(
                tip + (0.02 * lim if m >= 0 else -0.02 * lim),
                y,
                _signed_value(m),
                ha="left" if m >= 0 else "right",
                va="center",
                fontsize=10,
                color="0.2",
            )
        axb.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], symmetric=True))
        axb.xaxis.set_major_formatter(FuncFormatter(_signed))
        axb.set_xlabel(f"change of {title_name}'s alignment, {start} \u2192 {end} ({labels.CHANGE_UNIT})")
        axb.grid(axis="x", color="0.88", lw=0.6)
        axb.spines["left"].set_visible(False)
        axb.text(
            0.0,
            1.01,
            "\u2190 toward the US",
            transform=axb.transAxes,
            ha="left",
            va="bottom",
            fontsize=10.5,
            fontweight="bold",
            color=US_BLUE,
        )
        axb.text(
            1.0,
            1.01,
            "toward China \u2192",
            transform=axb.transAxes,
            ha="right",
            va="bottom",
            fontsize=10.5,
            fontweight="bold",
            color=CHINA_RED,
        )

        dates = summaries.to_datetime(path.index)
        x = dates.insert(0, dates[0] - pd.DateOffset(months=1))
        mean_path = np.concatenate([[0.0], path["mean"].to_numpy()])
        if has_reps:
            axp.fill_between(
                x,
                np.concatenate([[0.0], path["q05"]]),
                np.concatenate([[0.0], path["q95"]]),
                color="0.3",
                alpha=0.2,
                lw=0,
                label="5\u201395% of replications",
            )
        axp.plot(x, mean_path, color="black", lw=2.6, label="mean of replications")
        axp.axhline(0, color="0.3", lw=0.8)
        date_axis(axp, x, max_ticks=4)
        span = max(float(np.nanmax(np.abs(path[["q05", "q95"]].to_numpy()))), abs(total), 0.02)
        axp.set_ylim(-1.2 * span, 1.2 * span)
        axp.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], symmetric=True))
        axp.yaxis.set_major_formatter(FuncFormatter(_signed))
        axp.set_title(f"Net change since {start}", fontsize=12.5)
        axp.set_ylabel(f"{labels.label('net_change')} ({labels.CHANGE_UNIT})")
        axp.grid(axis="y", color="0.88", lw=0.6)
        axp.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=1, fontsize=10)

        _title(fig, f"{title_name}: what moved its alignment, {start} \u2192 {end}?", height, x=0.02)
        _caption(
            fig,
            0.02,
            1 - 0.6 / height,
            f"Each bar: how much that mechanism moved {title_name}'s alignment between {start} and {end}; "
            f"bars sum to the total change ({_signed_2(total)}).",
        )
        notes = [
            f"Bars: mean of {_plural(n_reps, 'replication')}; whiskers: 5–95% of replications."
            if has_reps
            else "Bars: ensemble mean (no per-replication data: no whiskers)."
        ]
        gross = float(np.sum(np.abs(net["mean"])))
        if gross > 3 * abs(total) and gross > 0.05:
            notes.append(
                "Bars of opposite sign are pulls that cancel out: the state moves far less than the largest bars."
            )
        for k, note in enumerate(notes):
            _caption(fig, 0.02, 1 - (0.92 + 0.3 * k) / height, note, fontsize=10.5, color="0.35", style="italic")
        draw_footer(fig, footer)
        return fig


def _mechanism_gross(contrib: pd.DataFrame, iso3: str, title_name: str, footer: str) -> Figure:
    """Gross view: cumulative pulls of every mechanism as stacked areas (toward China up, toward the US down)."""
    cum = summaries.mechanism_cumulative(contrib, iso3)
    totals = summaries.mechanism_totals(contrib, iso3)
    n_reps, has_reps = _n_replications(contrib, iso3)
    active = [
        t
        for t in cum.columns
        if np.any(np.abs(cum[t].to_numpy()) > 1e-12) or abs(totals.loc[t, "q05"]) + abs(totals.loc[t, "q95"]) > 1e-12
    ] or list(cum.columns)
    cum, totals = cum[active], totals.loc[active]
    colours = term_colours(active)
    dates = summaries.to_datetime(cum.index)
    start, end = _reading_window(list(cum.index))
    x = dates.insert(0, dates[0] - pd.DateOffset(months=1))  # the curves start at 0 in the start month
    vals = np.vstack([np.zeros(len(active)), cum.to_numpy()])
    net = vals.sum(axis=1)
    height = 7.6 + FOOTER_INCHES
    with rc_context(_RC):
        fig = _figure((15, height))
        bottom = _bottom(height, 2.25)
        top = 1 - 1.6 / height
        ax = fig.add_axes((0.07, bottom, 0.5, top - bottom))
        ax.set_label("gross_areas")
        axb = fig.add_axes((0.765, bottom, 0.215, top - bottom))
        axb.set_label(BARS_LABEL)
        pos_base = np.zeros(len(x))
        neg_base = np.zeros(len(x))
        for k, term in enumerate(active):
            v = vals[:, k]
            pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
            if np.any(pos > 0):
                ax.fill_between(x, pos_base, pos_base + pos, color=colours[term], lw=0, alpha=0.9)
            if np.any(neg < 0):
                ax.fill_between(x, neg_base, neg_base + neg, color=colours[term], lw=0, alpha=0.9)
            pos_base, neg_base = pos_base + pos, neg_base + neg
        ax.axhline(0, color="0.3", lw=0.8)
        ax.plot(x, net, color="black", lw=3.0, zorder=5)
        ax.plot(x, net, color="white", lw=0.8, zorder=6, alpha=0.7)
        date_axis(ax, x)
        span = max(np.max(pos_base), -np.min(neg_base), np.max(np.abs(net)), 1e-6)
        ax.set_ylim(
            -1.1 * max(-np.min(neg_base), np.max(-net), 0.05 * span),
            1.1 * max(np.max(pos_base), np.max(net), 0.05 * span),
        )
        ax.set_ylabel(f"{labels.label('cumulative_contribution')} ({labels.CHANGE_UNIT})")
        ax.set_xlabel(labels.label("date"))
        ax.grid(axis="y", color="0.85", lw=0.6)
        ax.set_title(f"Cumulative pull of each mechanism since {start} (ensemble mean)", fontsize=12.5)
        kw = {"transform": ax.transAxes, "ha": "left", "fontsize": 10, "fontweight": "bold"}
        ax.text(0.01, 0.98, "\u2191 toward China", va="top", color=CHINA_RED, **kw)
        ax.text(0.01, 0.02, "\u2193 toward the US", va="bottom", color=US_BLUE, **kw)
        handles = [Patch(facecolor=colours[t], label=labels.label(t, "mechanism")) for t in active]
        handles.append(Line2D([], [], color="black", lw=3.0, label="net change (sum)"))
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncols=4,
            fontsize=10,
            handlelength=1.4,
            columnspacing=1.4,
            title="Mechanism",
            title_fontsize=10.5,
        )

        order = totals.sort_values("mean").index.tolist()
        means = totals.loc[order, "mean"].to_numpy()
        ypos = np.arange(len(order))
        axb.barh(ypos, means, color=[CHINA_RED if m > 0 else US_BLUE for m in means], alpha=0.85, height=0.7)
        if has_reps:
            err = np.vstack([means - totals.loc[order, "q05"].to_numpy(), totals.loc[order, "q95"].to_numpy() - means])
            axb.errorbar(means, ypos, xerr=np.clip(err, 0, None), fmt="none", ecolor="0.2", elinewidth=0.9, capsize=2.5)
        axb.axvline(0, color="0.3", lw=0.8)
        axb.set_yticks(ypos, [labels.label(t, "mechanism") for t in order], fontsize=10)
        axb.tick_params(axis="y", length=0, pad=14)
        axb.scatter(
            np.full(len(order), -0.035),
            ypos,
            s=60,
            marker="s",
            c=[colours[t] for t in order],
            transform=axb.get_yaxis_transform(),
            clip_on=False,
            edgecolors="none",
        )
        axb.spines["left"].set_visible(False)
        axb.set_xlabel(f"total pull {start} \u2192 {end}\n({labels.CHANGE_UNIT})")
        axb.set_title("Total per mechanism", fontsize=12.5)
        axb.grid(axis="x", color="0.88", lw=0.6)
        lim = float(np.max(np.abs(np.concatenate([totals["q05"], totals["q95"], totals["mean"]]))))
        axb.set_xlim(-1.12 * lim if lim > 0 else -1.0, 1.12 * lim if lim > 0 else 1.0)

        _title(fig, f"{title_name}: every pull on its alignment, {start} \u2192 {end} (gross view)", height, x=0.02)
        who = f"mean of {_plural(n_reps, 'replication')}" if has_reps else "ensemble mean"
        _caption(
            fig,
            0.02,
            1 - 0.62 / height,
            f"Areas: each mechanism's cumulative pull since {start}, pulls toward China stacked above 0 and toward "
            f"the US below; black line: their sum, the net change ({_signed_2(net[-1])}; {who}).",
        )
        _caption(
            fig,
            0.02,
            1 - 0.98 / height,
            "Opposite pulls largely cancel, so the areas are much larger than the change they produce; "
            "the net view (default) shows each mechanism's net effect.",
            fontsize=10.5,
            color="0.35",
            style="italic",
        )
        draw_footer(fig, footer)
        return fig


def plot_mechanism_breakdown(
    contrib: pd.DataFrame,
    iso3: str,
    path: Path,
    name: str | None = None,
    *,
    view: MechanismView = "net",
    dpi: int = DPI,
    footer: str = "",
) -> Path:
    """What moved one state's alignment, mechanism by mechanism.

    Inputs: ``contrib`` with columns ``replication``, ``date`` ('YYYY-MM'), ``iso3``,
    ``term`` (mechanism) and ``value`` (contribution to that month's alignment change,
    alignment units per month, + toward China) — or the run folder's ``contributions.csv`` (``mean`` per date,
    state and term; then no whiskers); ``iso3`` the state; ``name`` its display
    name (default: from the geometry asset); ``path`` PNG to write; ``footer`` the run's identification line.

    ``view="net"`` (default): left, one bar per mechanism = its net change of the state's alignment from START
    (the month before the first contribution) to END, sorted by absolute size, largest first, with 5-95% whiskers
    over replications, and the total change (the bars' sum) underneath; right, the net change path over time;
    a caption says how to read it. ``view="gross"``: the cumulative pulls as stacked areas (toward China up,
    toward the US down) with the net line, and the totals per mechanism, with its own caption. Mechanism names not
    known to :mod:`sim.reporting.labels` get readable fallback labels and spare colours. Raises ValueError if
    ``iso3`` has no rows or ``view`` is unknown. Returns ``path``.
    """
    return _save(make_mechanism_breakdown(contrib, iso3, name, view=view, footer=footer), path, dpi)


def mechanism_file_name(iso3: str) -> str:
    """``mechanisms_<ISO3>.png``."""
    return f"mechanisms_{str(iso3).upper()}.png"


# --------------------------------------------------------------------------- everything


def plot_all(
    ts: pd.DataFrame,
    contrib: pd.DataFrame,
    out_dir: Path,
    names: Mapping[str, str] | None = None,
    focus: str | Sequence[str] = "COL",
    *,
    view: MechanismView = "net",
    change_limit: float | None = None,
    dpi: int = DPI,
    footer: str = "",
) -> list[Path]:
    """Draw every figure into ``out_dir`` with fixed file names; returns the paths.

    Files: alignment_small_multiples.png, regional_mean.png, bri_members.png,
    choropleth.png (ensemble median at the first and last date, and the change) and one
    mechanisms_<ISO3>.png per state of ``focus`` (one code or a list, any case; ``contrib`` must hold rows for
    each). ``footer`` (scenario and overrides of the run) is drawn on every figure. Inputs as in the individual
    functions.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    focus_list = [focus] if isinstance(focus, str) else list(focus)
    focus_list = list(dict.fromkeys(str(f).upper() for f in focus_list))
    present = set(contrib["iso3"].astype(str).str.upper()) if "iso3" in contrib.columns else set()
    missing = [f for f in focus_list if f not in present]
    if missing:  # before drawing anything
        raise ValueError(f"no contributions for {', '.join(missing)} in the contribution table (focus={focus_list})")
    dates = np.sort(ts["date"].astype(str).unique())
    n_reps = int(ts["replication"].nunique())
    first, last = str(dates[0]), str(dates[-1])
    runs = f"median of {_plural(n_reps, 'replication')}"
    display = _display_names(names)
    paths = [
        plot_alignment_small_multiples(ts, out_dir / FILE_NAMES["small_multiples"], names, dpi=dpi, footer=footer),
        plot_regional_mean(ts, out_dir / FILE_NAMES["regional_mean"], dpi=dpi, footer=footer),
        plot_bri_count(ts, out_dir / FILE_NAMES["bri"], dpi=dpi, footer=footer),
        plot_choropleth(
            summaries.median_alignment_at(ts, first),
            summaries.median_alignment_at(ts, last),
            out_dir / FILE_NAMES["choropleth"],
            start_label=f"{first} ({runs})",
            end_label=f"{last} ({runs})",
            change_limit=change_limit,
            dpi=dpi,
            footer=footer,
        ),
    ]
    for iso3 in focus_list:
        paths.append(
            plot_mechanism_breakdown(
                contrib,
                iso3,
                out_dir / mechanism_file_name(iso3),
                name=display.get(iso3, iso3),
                view=view,
                dpi=dpi,
                footer=footer,
            )
        )
    return paths


__all__ = [
    "CHINA_RED",
    "CMAP_NAME",
    "US_BLUE",
    "date_axis",
    "draw_footer",
    "make_alignment_small_multiples",
    "make_bri_count",
    "make_choropleth",
    "make_mechanism_breakdown",
    "make_regional_mean",
    "map_change",
    "mechanism_file_name",
    "plot_alignment_small_multiples",
    "plot_all",
    "plot_bri_count",
    "plot_choropleth",
    "plot_mechanism_breakdown",
    "plot_regional_mean",
    "term_colours",
]
