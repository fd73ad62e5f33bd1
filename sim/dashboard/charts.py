"""Time series of the live run against the ensemble band of the unchanged scenario (matplotlib, Agg, no pyplot).

:class:`SeriesChart` keeps one figure per model. The band (5-95% of the unchanged scenario's runs, and their
median), axes and labels are rendered once and kept as a bitmap; each step restores that bitmap, draws only the live
run's lines and the prediction markers on it (Agg blitting) and encodes the result as PNG (:meth:`SeriesChart.png`).
The background is rendered again only when the live run or a prediction leaves the axis limits.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from sim.calendar import parse_month
from sim.dashboard.band import Band
from sim.dashboard.predictions import Prediction, ValuePrediction
from sim.dashboard.session import DashboardModel
from sim.reporting import labels
from sim.reporting.figures import CHINA_RED, US_BLUE

BAND_COLOUR = "#6a51a3"
LIVE_COLOUR = "#111111"
GUESS_COLOUR = "#e08214"
MINUS = "\u2212"
_RC = {"font.size": 9.5, "axes.spines.top": False, "axes.spines.right": False, "axes.unicode_minus": True}


def _signed_tick(v: float, _pos: object = None) -> str:
    return "0" if abs(v) < 1e-12 else f"{v:+.2f}".replace("-", MINUS)


class SeriesChart:
    """Regional mean alignment (top) and BRI members (bottom): the live run of ``model`` over ``band``."""

    def __init__(self, model: DashboardModel, band: Band, size: tuple[float, float] = (6.4, 4.9), dpi: int = 90):
        self.model, self.band, self.dpi = model, band, dpi
        self.x0 = parse_month(band.dates[0], "band start")
        x = np.arange(len(band.dates))
        with rc_context(_RC):
            self.fig = Figure(figsize=size)
            FigureCanvasAgg(self.fig)
            self.ax_mean, self.ax_bri = self.fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
            self.fig.subplots_adjust(left=0.12, right=0.98, top=0.91, bottom=0.08, hspace=0.12)
            self._draw_band(x)
        star = {"ls": "none", "marker": "*", "ms": 13, "color": GUESS_COLOUR, "mec": "black", "mew": 0.6, "zorder": 6}
        self.live_mean = self.ax_mean.plot([], [], color=LIVE_COLOUR, lw=2.2, label="this run", zorder=5)[0]
        self.live_bri = self.ax_bri.step([], [], where="mid", color=LIVE_COLOUR, lw=2.2, zorder=5)[0]
        self.guess_mean = self.ax_mean.plot([], [], label="prediction", **star)[0]
        self.guess_bri = self.ax_bri.plot([], [], **star)[0]
        self.animated = (self.live_mean, self.live_bri, self.guess_mean, self.guess_bri)
        for artist in self.animated:
            artist.set_animated(True)
        self.fig.legend(
            handles=[*self.ax_mean.get_legend_handles_labels()[0]],
            loc="upper left",
            ncols=4,
            bbox_to_anchor=(0.11, 1.0),
            frameon=False,
            fontsize=9,
        )
        self.background = None
        self.limits: tuple[tuple[float, float], tuple[float, float]] | None = None

    def _draw_band(self, x: np.ndarray) -> None:
        b = self.band
        ax = self.ax_mean
        ax.axhspan(0, 1.5, color=CHINA_RED, alpha=0.05, lw=0, zorder=0)
        ax.axhspan(-1.5, 0, color=US_BLUE, alpha=0.05, lw=0, zorder=0)
        ax.axhline(0, color="0.35", lw=0.7, zorder=1)
        ax.fill_between(x, b.mean_q[0], b.mean_q[2], color=BAND_COLOUR, alpha=0.22, lw=0, label="5\u201395% of runs")
        ax.plot(x, b.mean_q[1], color=BAND_COLOUR, lw=1.4, ls="--", label="median of runs")
        lo, hi = float(b.mean_q[0].min()), float(b.mean_q[2].max())
        pad = max(0.05, 0.25 * (hi - lo))
        self.mean_limits = [min(lo - pad, -0.02), max(hi + pad, 0.02)]
        ax.set_ylim(*self.mean_limits)
        ax.yaxis.set_major_formatter(FuncFormatter(_signed_tick))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_ylabel(labels.label("regional_mean_alignment"), fontsize=9)
        kw = {"transform": ax.transAxes, "ha": "left", "fontsize": 8.5, "fontweight": "bold"}
        ax.text(0.01, 0.97, "\u2191 China side", va="top", color=CHINA_RED, **kw)
        ax.text(0.01, 0.03, "\u2193 US side", va="bottom", color=US_BLUE, **kw)
        ax.grid(axis="y", color="0.88", lw=0.6)
        ax2 = self.ax_bri
        ax2.fill_between(x, b.bri_q[0], b.bri_q[2], step="mid", color=CHINA_RED, alpha=0.18, lw=0)
        ax2.step(x, b.bri_q[1], where="mid", color=CHINA_RED, lw=1.4, ls="--")
        blo, bhi = float(b.bri_q[0].min()), float(b.bri_q[2].max())
        self.bri_limits = [max(0.0, blo - 2.5), min(33.5, bhi + 2.5)]
        ax2.set_ylim(*self.bri_limits)
        ax2.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax2.set_ylabel(f"{labels.label('bri_members')}\n(states, of 33)", fontsize=9)
        ax2.grid(axis="y", color="0.88", lw=0.6)
        years = [i for i, d in enumerate(b.dates) if d.endswith("-01")]
        ax2.set_xticks(years, [b.dates[i][:4] for i in years])
        ax2.set_xlim(-0.5, len(b.dates) + 0.5)

    def _x(self, month: str) -> int:
        return parse_month(month, "month") - self.x0

    def update(self, predictions: Sequence[Prediction] = ()) -> None:
        """Move the live lines to the model's record and place the value predictions."""
        m = self.model
        x = np.arange(len(m.dates))
        mean, bri = m.regional_mean, m.bri_count
        self.live_mean.set_data(x, mean)
        self.live_bri.set_data(x, bri)
        guesses = [p for p in predictions if isinstance(p, ValuePrediction)]
        gm = [(self._x(p.at), p.value) for p in guesses if p.quantity == "regional_mean_alignment"]
        gb = [(self._x(p.at), p.value) for p in guesses if p.quantity == "bri_members"]
        self.guess_mean.set_data([g[0] for g in gm], [g[1] for g in gm])
        self.guess_bri.set_data([g[0] for g in gb], [g[1] for g in gb])
        lo = min([self.mean_limits[0], float(mean.min()) - 0.02] + [g[1] - 0.02 for g in gm])
        hi = max([self.mean_limits[1], float(mean.max()) + 0.02] + [g[1] + 0.02 for g in gm])
        blo = min([self.bri_limits[0], float(bri.min()) - 1] + [g[1] - 1 for g in gb])
        bhi = max([self.bri_limits[1], float(bri.max()) + 1] + [g[1] + 1 for g in gb])
        limits = ((max(lo, -1.0), min(hi, 1.0)), (max(blo, -0.5), min(bhi, 33.5)))
        if limits != self.limits:
            self.ax_mean.set_ylim(*limits[0])
            self.ax_bri.set_ylim(*limits[1])
            self.limits, self.background = limits, None

    def png(self) -> bytes:
        """The screen figure as PNG bytes (background bitmap plus the live artists)."""
        canvas = self.fig.canvas
        if self.background is None:
            self.fig.set_dpi(self.dpi)
            with rc_context(_RC):
                canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self.background)
        for artist in self.animated:
            artist.axes.draw_artist(artist)
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def figure_png(self, dpi: int = 130) -> bytes:
        """The whole figure, live artists included, rendered afresh at ``dpi`` (for the debrief)."""
        for artist in self.animated:
            artist.set_animated(False)
        try:
            buf = io.BytesIO()
            with rc_context(_RC):
                self.fig.savefig(buf, format="png", dpi=dpi)
        finally:
            for artist in self.animated:
                artist.set_animated(True)
            self.background = None
        return buf.getvalue()
