"""Validation figures: observed vs simulated index for every state, the accession timeline, reliability diagrams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.data.seeds import CELAC_ISO3

US_BLUE, CHINA_RED, GREY = "#2166ac", "#b2182b", "#636363"


def _save(fig: Figure, path: Path) -> Path:
    from sim import atomic

    FigureCanvasAgg(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    return path


def index_by_state(
    years: np.ndarray, observed: np.ndarray, train: np.ndarray, test_years: np.ndarray, test: np.ndarray, path: Path
) -> Path:
    """Small multiples: the observed index (dots), the fitted path on the training years (line) and the test hindcast
    (median and 5-95% band of the runs) for every state."""
    fig = Figure(figsize=(15, 17))
    axes = fig.subplots(7, 5, sharex=True, sharey=True).ravel()
    med = np.median(test, axis=0)
    lo, hi = np.quantile(test, [0.05, 0.95], axis=0)
    train_years = years[: train.shape[0]]
    for i, code in enumerate(CELAC_ISO3):
        ax = axes[i]
        ax.axvspan(test_years[0] - 0.5, test_years[-1] + 0.5, color="#f0f0f0", zorder=0)
        ax.axhline(0, color="0.7", lw=0.6)
        ax.plot(years, observed[:, i], "o", ms=2.5, color="black", label="observed index")
        ax.plot(train_years, train[:, i], color=US_BLUE, lw=1.3, label="fitted, 1991-2012")
        ax.fill_between(test_years, lo[:, i], hi[:, i], color=CHINA_RED, alpha=0.2, lw=0)
        ax.plot(test_years, med[:, i], color=CHINA_RED, lw=1.3, label="hindcast from 2012 (median, 5-95%)")
        ax.set_title(code, fontsize=10)
        ax.set_ylim(-0.8, 0.8)
    for ax in axes[len(CELAC_ISO3) :]:
        ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower right", bbox_to_anchor=(0.98, 0.03), fontsize=11)
    fig.suptitle(
        "Alignment index by state: observed, fitted on 1991-2012, and out of sample 2013-2024 (shaded)", fontsize=13
    )
    fig.supylabel("alignment (\u22121 US \u2026 +1 China side)")
    fig.tight_layout(rect=(0.02, 0.0, 1, 0.97))
    return _save(fig, path)


def accession_timeline(data: dict[str, Any], path: Path) -> Path:
    """For each state not a member in 2020: simulated probability of having joined by each month (shade) and the
    actual accession month (marker), 2020-01 .. 2025-10."""
    world = data["world"]
    p_join = data["p_join"]
    order = np.argsort(-p_join)
    candidates = [i for i in order if not world.bri0[i]]
    fig = Figure(figsize=(9, 0.32 * len(candidates) + 1.6))
    ax = fig.subplots()
    for row, i in enumerate(candidates):
        ax.barh(row, p_join[i], color=CHINA_RED, alpha=0.35)
        if data["joined"][i]:
            ax.plot(1.02, row, marker="*", color="black", ms=9, clip_on=False)
    ax.set_yticks(range(len(candidates)), [CELAC_ISO3[i] for i in candidates])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("simulated probability of joining the BRI, 2020-01 .. 2025-10 (hazard fitted on 2017-2019)")
    ax.set_title("Accessions out of sample: simulated probability (bars) and actual accessions (\u2605)")
    fig.tight_layout()
    return _save(fig, path)


def reliability(panels: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, bins: int = 5) -> Path:
    """Reliability diagrams: observed frequency against predicted probability, binned, for each event type."""
    fig = Figure(figsize=(4.2 * len(panels), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (title, (p, y)) in zip(axes, panels.items(), strict=True):
        edges = np.quantile(p, np.linspace(0, 1, bins + 1)) if len(np.unique(p)) > bins else np.linspace(0, 1, bins + 1)
        which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
        xs, ys, ns = [], [], []
        for b in range(bins):
            sel = which == b
            if sel.any():
                xs.append(float(p[sel].mean()))
                ys.append(float(np.asarray(y)[sel].mean()))
                ns.append(int(sel.sum()))
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--")
        ax.scatter(xs, ys, s=[20 + 4 * n for n in ns], color=US_BLUE, alpha=0.8)
        for x_, y_, n_ in zip(xs, ys, ns, strict=True):
            ax.annotate(str(n_), (x_, y_), textcoords="offset points", xytext=(5, -10), fontsize=8, color=GREY)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("predicted probability (bin mean)")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("observed frequency")
    fig.suptitle("Reliability of event probabilities out of sample (numbers: cases per bin)", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)
