"""Figures of a sensitivity analysis (matplotlib, no pyplot state; human labels from :mod:`sim.reporting.labels`).

* :func:`plot_bars` — Sobol ST and S1 with confidence intervals, factors sorted by ST (PAWN: the median and its
  interval; Morris: mu*), the dummy last, and the output's noise floor as a dashed line (with common random numbers
  derived from the within-set variance, :func:`sim.sensitivity.analysis.noise_bounds`; with independent streams the
  dummy's upper bound);
* :func:`plot_morris_plane` — Morris mu* against sigma;
* :func:`plot_heatmap` — the main index of the top factors over the years (regional mean) or over the states;
* :func:`plot_convergence` — indices at N/4, N/2 and N with their intervals, flagged points ringed.

Every figure carries a footer naming the study (scenario, method, N, replications, seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.reporting import labels
from sim.reporting.figures import CHINA_RED, DPI, US_BLUE, draw_footer
from sim.sensitivity.analysis import MAIN_INDEX
from sim.sensitivity.space import DUMMY, OFFER

RC = {
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": True,
}
INDEX_TEXT = {
    "S1": "First-order index S1",
    "ST": "Total-order index ST",
    "mu_star": "Morris \u03bc* (mean absolute elementary effect)",
    "sigma": "Morris \u03c3 (spread of elementary effects)",
    "median": "PAWN index (median KS distance)",
}
FACTOR_TEXT = {
    DUMMY: "Dummy factor (never read)",
    OFFER: "Standing BRI offer between forums",
    "data.us_aid_2025": "US aid from 2025 (estimate)",
    "data.cn_finance_2022": "Chinese finance from 2022 (estimate)",
}
OUTPUT_TEXT = {
    "regional_mean_end": "Regional mean alignment at the horizon",
    "bri_members_end": "BRI members at the horizon",
    "bri_exit_any": "Probability of any BRI exit",
}


def factor_label(name: str) -> str:
    """Human label of a factor (the project's registry for parameters and levers)."""
    if name in FACTOR_TEXT:
        return FACTOR_TEXT[name]
    return labels.label(name, "key")


def output_label(name: str) -> str:
    """Human label of an output column."""
    if name in OUTPUT_TEXT:
        return OUTPUT_TEXT[name]
    prefix, _, rest = name.partition(":")
    if prefix == "regional_mean" and rest:
        return f"Regional mean alignment, end of {rest}"
    return labels.label(name, "outcome")


def output_unit(name: str) -> str:
    if name.startswith(("regional_mean", "alignment_end")):
        return labels.ALIGNMENT_UNIT
    if name == "bri_members_end":
        return "number of states"
    return "probability"


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(RC):
        fig.savefig(path, dpi=DPI)
    fig.clear()
    return path


def top_factors(indices: pd.DataFrame, outputs: Sequence[str], index: str, top: int) -> list[str]:
    """The ``top`` factors by their largest ``index`` over ``outputs`` (the dummy excluded), best first."""
    sub = indices[indices["output"].isin(outputs) & (indices["factor"] != DUMMY)]
    ranked = sub.groupby("factor", sort=False)[index].max().sort_values(ascending=False)
    return list(ranked.index[:top])


FLOOR_TEXT = {
    ("sobol", True): "noise floor (within-set variance / R)",
    ("morris", True): "noise floor (from the within-set variance)",
    ("pawn", True): "dummy's upper bound (KS sampling floor)",
    ("sobol", False): "noise floor (dummy's upper bound)",
    ("morris", False): "noise floor (dummy's upper bound)",
    ("pawn", False): "noise floor (dummy's upper bound)",
}
"""Legend of the dashed line of :func:`plot_bars` by (method, common random numbers)."""


def plot_bars(
    indices: pd.DataFrame,
    output: str,
    method: str,
    path: Path,
    top: int = 20,
    footer: str = "",
    floor: float | None = None,
    common: bool = False,
) -> Path:
    """Horizontal bars of the main indices with their confidence intervals, sorted by the main index; the dummy
    last; ``floor`` (default: the dummy's upper bound) as a dashed line where it is positive: with common random
    numbers (``common``) the index replication noise can give, in expectation, a factor the mean model ignores;
    with independent streams the dummy's upper bound. Bars left of it are indistinguishable from noise."""
    sub = indices[indices["output"] == output].set_index("factor")
    main = MAIN_INDEX[method]
    order = top_factors(indices, [output], main, top)[::-1]
    names = [DUMMY, *order]
    fig = new_figure(8.6, 1.6 + 0.3 * len(names))
    ax = fig.add_axes((0.42, 0.12 + 0.3 / fig.get_figheight(), 0.54, 0.8 - 0.3 / fig.get_figheight()))
    y = np.arange(len(names))
    if method == "sobol":
        ax.barh(y + 0.2, sub.loc[names, "ST"], 0.38, xerr=sub.loc[names, "ST_conf"], color=CHINA_RED, label="ST")
        ax.barh(y - 0.2, sub.loc[names, "S1"], 0.38, xerr=sub.loc[names, "S1_conf"], color=US_BLUE, label="S1")
        dummy_floor = sub.loc[DUMMY, "ST"] + sub.loc[DUMMY, "ST_conf"]
        ax.set_xlabel("Sobol index (share of the output's variance); bars: 95% bootstrap interval")
    elif method == "morris":
        ax.barh(
            y, sub.loc[names, "mu_star"], 0.6, xerr=sub.loc[names, "mu_star_conf"], color=CHINA_RED, label="\u03bc*"
        )
        dummy_floor = sub.loc[DUMMY, "mu_star"] + sub.loc[DUMMY, "mu_star_conf"]
        ax.set_xlabel(f"{INDEX_TEXT['mu_star']} ({output_unit(output)})")
    else:
        med = sub.loc[names, "median"]
        err = np.vstack([med - sub.loc[names, "median_low"], sub.loc[names, "median_high"] - med])
        ax.barh(y, med, 0.6, xerr=np.clip(np.nan_to_num(err), 0, None), color=CHINA_RED, label="median")
        dummy_floor = (
            sub.loc[DUMMY, "median_high"] if np.isfinite(sub.loc[DUMMY, "median_high"]) else sub.loc[DUMMY, "median"]
        )
        ax.set_xlabel(INDEX_TEXT["median"])
    line = float(dummy_floor if floor is None else floor)
    if np.isfinite(line) and line > 0:
        ax.axvline(line, color="0.35", ls="--", lw=1, label=FLOOR_TEXT[(method, bool(common))])
    ax.set_yticks(y, [factor_label(n) for n in names], fontsize=9)
    ax.set_xlim(left=min(0.0, float(ax.get_xlim()[0])))
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(output_label(output))
    draw_footer(fig, footer)
    return save_figure(fig, path)


def plot_morris_plane(indices: pd.DataFrame, output: str, path: Path, label_top: int = 10, footer: str = "") -> Path:
    """Morris mu* against sigma for one output: far right = influential, high = non-linear or interacting."""
    sub = indices[indices["output"] == output]
    fig = new_figure(8.0, 6.2)
    ax = fig.add_axes((0.11, 0.14, 0.85, 0.78))
    other = sub[sub["factor"] != DUMMY]
    ax.errorbar(other["mu_star"], other["sigma"], xerr=other["mu_star_conf"], fmt="o", ms=4, color=CHINA_RED, lw=0.6)
    d = sub[sub["factor"] == DUMMY]
    ax.plot(d["mu_star"], d["sigma"], "s", color="0.4", label=factor_label(DUMMY))
    lim = float(max(other["mu_star"].max(), other["sigma"].max(), 1e-12)) * 1.05
    ax.plot([0, lim], [0, lim], color="0.7", lw=0.8, ls=":", label="\u03c3 = \u03bc*")
    for r in other.nlargest(label_top, "mu_star").itertuples():
        ax.annotate(factor_label(r.factor), (r.mu_star, r.sigma), fontsize=8, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel(f"{INDEX_TEXT['mu_star']} ({output_unit(output)})")
    ax.set_ylabel(f"{INDEX_TEXT['sigma']} ({output_unit(output)})")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(output_label(output))
    draw_footer(fig, footer)
    return save_figure(fig, path)


def plot_heatmap(
    indices: pd.DataFrame,
    outputs: Sequence[str],
    method: str,
    path: Path,
    title: str,
    column_labels: Sequence[str],
    top: int = 20,
    footer: str = "",
) -> Path:
    """The main index of the ``top`` factors (rows) for each of ``outputs`` (columns)."""
    main = MAIN_INDEX[method]
    names = [*top_factors(indices, outputs, main, top), DUMMY]
    grid = (
        indices[indices["output"].isin(outputs)]
        .pivot(index="factor", columns="output", values=main)
        .reindex(index=names, columns=list(outputs))
    )
    width, height = 3.2 + max(0.34 * len(outputs), 4.0) + 1.2, 2.4 + 0.28 * len(names)
    fig = new_figure(width, height)
    bottom = (1.5 if len(outputs) > 8 else 0.9) / height
    ax = fig.add_axes((3.2 / width, bottom, 1 - 4.4 / width, 1 - bottom - 0.5 / height))
    values = grid.to_numpy(dtype=float)
    vmax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    image = ax.imshow(values, aspect="auto", cmap="Reds", vmin=0, vmax=max(vmax, 1e-12), interpolation="nearest")
    ax.set_yticks(range(len(names)), [factor_label(n) for n in names], fontsize=8.5)
    ax.set_xticks(range(len(outputs)), list(column_labels), fontsize=8.5, rotation=90 if len(outputs) > 8 else 0)
    colorbar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.015)
    colorbar.set_label(INDEX_TEXT.get(main, main), fontsize=9)
    ax.set_title(title)
    draw_footer(fig, footer)
    return save_figure(fig, path)


def plot_convergence(conv: pd.DataFrame, output: str, method: str, path: Path, top: int = 8, footer: str = "") -> Path:
    """The main index of the top factors at N/4, N/2 and N base points with intervals; ringed points carry a flag."""
    sub = conv[conv["output"] == output]
    main = MAIN_INDEX[method]
    sizes = sorted(sub["n_base"].unique())
    final = sub[sub["n_base"] == sizes[-1]]
    names = [*top_factors(final, [output], main, top), DUMMY]
    fig = new_figure(8.6, 5.6)
    ax = fig.add_axes((0.1, 0.14, 0.55, 0.78))
    colours = [f"C{i}" for i in range(10)]
    for k, name in enumerate(names):
        rows = sub[sub["factor"] == name].sort_values("n_base")
        lo, hi = _interval(rows, method)
        value = rows[main].to_numpy()
        colour = "0.4" if name == DUMMY else colours[k % 10]
        x = np.asarray(rows["n_base"], dtype=float) * (1 + 0.02 * (k - len(names) / 2))
        err = np.clip(np.nan_to_num([value - lo, hi - value]), 0, None)
        ax.errorbar(x, value, yerr=err, marker="o", ms=4, color=colour, lw=1, label=factor_label(name))
        flagged = rows["flags"].str.len().to_numpy() > 0
        ax.plot(x[flagged], value[flagged], "o", mfc="none", mec="black", ms=10, mew=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [f"{s}" for s in sizes])
    ax.set_xlabel("Base sample size (Sobol' points, trajectories or rows)")
    ax.set_ylabel(INDEX_TEXT.get(main, main))
    ax.set_title(f"Convergence: {output_label(output)}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5, title="ringed: flagged", title_fontsize=8.5)
    draw_footer(fig, footer)
    return save_figure(fig, path)


def _interval(rows: pd.DataFrame, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method == "sobol":
        return (rows["ST"] - rows["ST_conf"]).to_numpy(), (rows["ST"] + rows["ST_conf"]).to_numpy()
    if method == "morris":
        return (rows["mu_star"] - rows["mu_star_conf"]).to_numpy(), (rows["mu_star"] + rows["mu_star_conf"]).to_numpy()
    low = rows["median_low"].fillna(rows["median"]).to_numpy()
    high = rows["median_high"].fillna(rows["median"]).to_numpy()
    return low, high


def short_state(code: str) -> str:
    """A state's short name for axis ticks."""
    from sim.reporting.figures import SHORT_NAMES
    from sim.reporting.geometry import country_names

    return SHORT_NAMES.get(code, country_names().get(code, code))
