"""Figures of a sweep, drawn from its tidy table (``sweep_results.csv``) alone.

- ``sweep_<key>.png``: each headline outcome against one swept lever or parameter, mean line and 5-95% band, one
  line per combination of the other swept values;
- ``heatmap_<key1>_<key2>.png``: the regional mean alignment at the end over two swept keys;
- ``scenarios.png``: the scenarios side by side (change of the regional mean alignment, BRI members at the end).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.reporting.figures import CHINA_RED, US_BLUE

HEADLINES = {
    "regional_mean_alignment_end": "regional mean alignment, end\n(−1 US … +1 China)",
    "bri_members_end": "BRI members, end (of 33)",
}
VALUE_COLUMNS = ("job", "scenario", "status", "outcome", "mean", "p05", "p95", "error")
DPI = 130


def swept_keys(table: pd.DataFrame) -> list[str]:
    """Override columns of the table (everything but the fixed and value columns)."""
    return [c for c in table.columns if c not in VALUE_COLUMNS]


def _numeric(table: pd.DataFrame, key: str) -> bool:
    values = pd.to_numeric(table[key], errors="coerce")
    return bool(values.notna().all() and values.nunique() > 1)


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _label(row: pd.Series, keys: list[str]) -> str:
    return ", ".join(f"{k}={row[k]}" for k in keys) or "all jobs"


def plot_against(table: pd.DataFrame, key: str, path: Path) -> Path:
    """Each headline outcome against ``key``; one line (and band) per combination of the other swept values."""
    others = [k for k in ["scenario", *swept_keys(table)] if k != key and table[k].nunique() > 1]
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, len(HEADLINES))
    colours = [CHINA_RED, US_BLUE, "#1b7837", "#762a83", "#e08214", "#4d4d4d", "#35978f", "#c51b7d"]
    for ax, (outcome, ylabel) in zip(axes, HEADLINES.items(), strict=True):
        rows = table[table["outcome"] == outcome].copy()
        rows["x"] = pd.to_numeric(rows[key])
        groups = list(rows.groupby(others, sort=True)) if others else [((), rows)]
        for i, (_, group) in enumerate(groups):
            group = group.sort_values("x")
            colour = colours[i % len(colours)]
            ax.fill_between(group["x"], group["p05"], group["p95"], color=colour, alpha=0.15, linewidth=0)
            ax.plot(group["x"], group["mean"], "o-", color=colour, lw=2, label=_label(group.iloc[0], others))
        ax.set_xlabel(key)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle(f"Outcomes against {key} (line: ensemble mean; band: 5–95% of replications)", fontweight="bold")
    return _save(fig, path)


def plot_heatmap(table: pd.DataFrame, keys: tuple[str, str], path: Path) -> Path:
    """Regional mean alignment at the end over two swept keys (averaged over any other swept value)."""
    rows = table[table["outcome"] == "regional_mean_alignment_end"].copy()
    for k in keys:
        rows[k] = pd.to_numeric(rows[k])
    grid = rows.pivot_table(index=keys[1], columns=keys[0], values="mean", aggfunc="mean").sort_index()
    fig = Figure(figsize=(6.5, 5), layout="constrained")
    ax = fig.subplots()
    limit = max(float(np.nanmax(np.abs(grid.to_numpy()))), 0.05)
    image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(keys[0])
    ax.set_ylabel(keys[1])
    for (r, c), value in np.ndenumerate(grid.to_numpy()):
        ax.text(
            c,
            r,
            f"{value:+.3f}",
            ha="center",
            va="center",
            fontsize=9,
            color="white" if abs(value) > 0.55 * limit else "black",
        )
    fig.colorbar(image, ax=ax, label="regional mean alignment, end (−1 US … +1 China)")
    ax.set_title("Regional mean alignment at the end", fontweight="bold")
    return _save(fig, path)


def plot_scenarios(table: pd.DataFrame, path: Path) -> Path:
    """The scenarios side by side: change of the regional mean alignment and BRI members at the end."""
    panels = {
        "regional_mean_alignment_change": "change of regional mean alignment\n(+ toward China)",
        "bri_members_end": "BRI members at the end",
    }
    fig = Figure(figsize=(11, 0.45 * table["scenario"].nunique() + 2), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True)
    order = (
        table[table["outcome"] == "regional_mean_alignment_change"]
        .groupby("scenario")["mean"]
        .mean()
        .sort_values()
        .index.tolist()
    )
    for ax, (outcome, label) in zip(axes, panels.items(), strict=True):
        stats = table[table["outcome"] == outcome].groupby("scenario")[["mean", "p05", "p95"]].mean().loc[order]
        y = np.arange(len(stats))
        colours = [CHINA_RED if v > 0 else US_BLUE for v in stats["mean"]] if outcome.endswith("change") else "0.45"
        ax.barh(y, stats["mean"], color=colours, alpha=0.85)
        ax.errorbar(
            stats["mean"],
            y,
            xerr=[stats["mean"] - stats["p05"], stats["p95"] - stats["mean"]],
            fmt="none",
            ecolor="k",
            capsize=3,
            lw=1,
        )
        ax.set_yticks(y, stats.index)
        ax.set_xlabel(label)
        ax.axvline(0, color="k", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Scenarios compared (bar: ensemble mean; whiskers: 5–95% of replications)", fontweight="bold")
    return _save(fig, path)


def plot_sweep(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Every figure the table supports, into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = table[table["status"] == "done"]
    numeric = [k for k in swept_keys(done) if _numeric(done, k)]
    paths = [plot_against(done, key, out_dir / f"sweep_{key}.png") for key in numeric]
    if len(numeric) >= 2:
        paths.append(plot_heatmap(done, (numeric[0], numeric[1]), out_dir / f"heatmap_{numeric[0]}_{numeric[1]}.png"))
    if done["scenario"].nunique() > 1:
        paths.append(plot_scenarios(done, out_dir / "scenarios.png"))
    return paths
