"""Figures of a sweep, drawn from its tidy table (``sweep_results.csv``) alone.

- ``sweep_<key>.png``: each headline outcome against one swept lever or parameter, mean line and 5-95% band, one
  line per combination of the other swept values (never averaged over them);
- ``heatmap_<key1>_<key2>.png``: the regional mean alignment at the end over two swept keys, on a symmetric
  diverging colour scale with a stated range and every cell annotated; one panel per combination of the other
  swept values;
- ``scenarios.png``: the scenarios side by side (change of the regional mean alignment, BRI members at the end);
  when other keys are swept too, one bar per value of them (dodged), never an average across them.

Every figure carries a footer naming the sweep (``footer``, or one built from the table by :func:`sweep_footer`);
labels come from :mod:`sim.reporting.labels`. Each ``plot_*`` function has a ``make_*`` twin returning the
``Figure`` unsaved (what the tests inspect).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.reporting import labels, summaries
from sim.reporting.figures import _RC, CAPTION_GID, CHINA_RED, FOOTER_INCHES, MINUS, US_BLUE, draw_footer

HEADLINES = ("regional_mean_alignment_end", "bri_members_end")
SCENARIO_OUTCOMES = ("regional_mean_alignment_change", "bri_members_end")
VALUE_COLUMNS = ("job", "scenario", "status", "outcome", "mean", "p05", "p95", "error")
DPI = 130
#: Qualitative colours for groups of other swept values (no red/blue: those mean China/US here).
GROUP_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
HEAT_LABEL = "heatmap"


# --------------------------------------------------------------------------- table helpers


def swept_keys(table: pd.DataFrame) -> list[str]:
    """Override columns of the table (everything but the fixed and value columns)."""
    return [c for c in table.columns if c not in VALUE_COLUMNS]


def varying_keys(table: pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    """``scenario`` and the override columns that take more than one value, minus ``exclude``."""
    keys = ["scenario", *swept_keys(table)]
    return [k for k in keys if k not in exclude and k in table.columns and table[k].astype(str).nunique() > 1]


def _numeric(table: pd.DataFrame, key: str) -> bool:
    values = pd.to_numeric(table[key], errors="coerce")
    return bool(values.notna().all() and values.nunique() > 1)


def _sort_key(value: object) -> tuple[int, float, str]:
    try:
        return (0, float(str(value)), "")
    except ValueError:
        return (1, 0.0, str(value))


def _groups(table: pd.DataFrame, keys: list[str]) -> list[tuple[tuple[object, ...], pd.DataFrame]]:
    """Rows split by every combination of ``keys`` (numeric values in numeric order); one group if none."""
    if not keys:
        return [((), table)]
    parts = [(k if isinstance(k, tuple) else (k,), g) for k, g in table.groupby(keys, sort=False)]
    return sorted(parts, key=lambda kv: [_sort_key(v) for v in kv[0]])


def _group_label(keys: list[str], values: tuple[object, ...]) -> str:
    return " \u00b7 ".join(labels.value_text(k, v) for k, v in zip(keys, values, strict=True)) or "all jobs"


def replications_of(table: pd.DataFrame) -> int | None:
    """The jobs' common number of replications, if the table records it (a ``replications`` column)."""
    if "replications" not in table.columns:
        return None
    values = pd.to_numeric(table["replications"], errors="coerce").dropna().unique()
    return int(values[0]) if len(values) == 1 else None


def _who(table: pd.DataFrame) -> str:
    n = replications_of(table)
    return f"mean of {n} replication{'s' if n != 1 else ''}" if n else "ensemble mean"


def sweep_footer(table: pd.DataFrame) -> str:
    """Identification line of a sweep built from its table: jobs, scenario(s), swept keys and fixed overrides,
    e.g. ``"sweep of 6 jobs · scenario baseline · swept us.tariff · end=2026-06 · replications=3"``."""
    parts = [f"sweep of {table['job'].nunique()} jobs"] if "job" in table.columns else ["sweep"]
    if "scenario" in table.columns:
        names = sorted({str(s) for s in table["scenario"] if str(s)})
        if names:
            parts.append(("scenario " if len(names) == 1 else "scenarios ") + ", ".join(names))
    swept = [k for k in swept_keys(table) if table[k].astype(str).nunique() > 1]
    if swept:
        parts.append("swept " + ", ".join(swept))
    for k in swept_keys(table):
        values = {str(v) for v in table[k] if str(v) not in ("", "nan")}
        if k not in swept and len(values) == 1:
            parts.append(f"{k}={values.pop()}")
    return " \u00b7 ".join(parts)


# --------------------------------------------------------------------------- figure helpers


def _figure(width: float, height: float, top_inches: float) -> Figure:
    """A constrained-layout figure keeping ``top_inches`` for title, caption and legend and a strip for the
    footer; ``height`` is that of the panels, the figure is taller by both strips."""
    total = height + top_inches + FOOTER_INCHES
    fig = Figure(figsize=(width, total), layout="constrained")
    FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    engine.set(rect=(0.0, FOOTER_INCHES / total, 1.0, height / total))  # type: ignore[call-arg]
    return fig


def _top_inches(n_legend: int, ncols: int = 4) -> float:
    """Title and caption (0.85 in) plus one legend row per ``ncols`` entries (none for a single entry)."""
    return 0.85 + (0.32 * int(np.ceil(n_legend / ncols)) + 0.1 if n_legend > 1 else 0.0)


def _titles(fig: Figure, title: str, caption: str, handles: Sequence[object] = (), ncols: int = 4) -> None:
    """Title, caption and (if several groups) the legend, all above the panels: nothing covers the data."""
    height = fig.get_figheight()
    fig.text(0.01, 1 - 0.12 / height, title, ha="left", va="top", fontsize=15, fontweight="bold")
    fig.text(0.01, 1 - 0.5 / height, caption, ha="left", va="top", fontsize=11, color="0.25", gid=CAPTION_GID)
    if len(handles) > 1:
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.005, 1 - 0.8 / height),
            ncols=min(ncols, len(handles)),
            fontsize=10.5,
            frameon=False,
        )


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(_RC):
        fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.15)
    fig.clear()
    return path


def _signed(v: float, digits: int = 3) -> str:
    return f"{v:+.{digits}f}".replace("-", MINUS)


def _ink(rgba: Sequence[float]) -> str:
    """Black or white text, whichever reads better on a cell of colour ``rgba``."""
    r, g, b = rgba[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


# --------------------------------------------------------------------------- outcome against one key


def make_against(table: pd.DataFrame, key: str, *, footer: str = "") -> Figure:
    """The figure of :func:`plot_against`, not saved."""
    others = varying_keys(table, exclude=[key])
    n_groups = len(_groups(table, others))
    with rc_context(_RC):
        fig = _figure(12, 4.6, _top_inches(n_groups))
        axes = fig.subplots(1, len(HEADLINES))
        handles = []
        for ax, outcome in zip(axes, HEADLINES, strict=True):
            rows = table[table["outcome"] == outcome].copy()
            rows["x"] = pd.to_numeric(rows[key])
            for i, (values, group) in enumerate(_groups(rows, others)):
                group = group.sort_values("x")
                colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
                ax.fill_between(group["x"], group["p05"], group["p95"], color=colour, alpha=0.15, linewidth=0)
                label = _group_label(others, values)
                (line,) = ax.plot(group["x"], group["mean"], "o-", color=colour, lw=2.2, label=label)
                if ax is axes[0]:
                    handles.append(line)
            ax.set_xlabel(labels.label_with_unit(key))
            ax.set_ylabel(labels.label_with_unit(outcome).replace(" (", "\n(", 1))
            if outcome == "regional_mean_alignment_end":
                ax.axhline(0, color="0.4", lw=0.8)
            if outcome == "bri_members_end":
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
        by = f"; one line per {', '.join(labels.label(k) for k in others)}" if others else ""
        _titles(
            fig,
            f"Outcomes against {labels.label(key)}",
            f"Line: {_who(table)} of each job; band: 5\u201395% of replications of that job{by}",
            handles,
        )
        draw_footer(fig, footer)
        return fig


def plot_against(table: pd.DataFrame, key: str, path: Path, *, footer: str = "") -> Path:
    """Each headline outcome against ``key``; one line (and band) per combination of the other swept values."""
    return _save(make_against(table, key, footer=footer), path)


# --------------------------------------------------------------------------- heatmap


def make_heatmap(
    table: pd.DataFrame,
    keys: tuple[str, str],
    *,
    outcome: str = "regional_mean_alignment_end",
    limit: float | None = None,
    footer: str = "",
) -> Figure:
    """The figure of :func:`plot_heatmap`, not saved."""
    rows = table[table["outcome"] == outcome].copy()
    for k in keys:
        rows[k] = pd.to_numeric(rows[k])
    others = varying_keys(rows, exclude=list(keys))
    facets = _groups(rows, others)
    grids = [
        (values, group.pivot_table(index=keys[1], columns=keys[0], values="mean", aggfunc="first").sort_index())
        for values, group in facets
    ]
    all_values = np.concatenate([g.to_numpy().ravel() for _, g in grids])
    cap = 2.0 if labels.unit(outcome) == labels.CHANGE_UNIT else 1.0
    half = summaries.symmetric_limit(all_values, limit, cap=cap)
    norm = Normalize(vmin=-half, vmax=half)
    ncols = min(3, len(grids))
    nrows = int(np.ceil(len(grids) / ncols))
    with rc_context(_RC):
        fig = _figure(1.0 + 5.2 * ncols, 4.6 * nrows, _top_inches(0))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        image = None
        for ax, (values, grid) in zip(axes, grids, strict=False):
            image = _heat_panel(ax, grid, keys, norm)
            if others:
                ax.set_title(_group_label(others, values), fontsize=11.5)
        for ax in axes[len(grids) :]:
            ax.set_visible(False)
        assert image is not None
        cb = fig.colorbar(image, ax=list(axes[: len(grids)]), shrink=0.9, extend=_extend(all_values, half))
        cb.set_label(
            f"{labels.label_with_unit(outcome)}\ncolour scale {MINUS}{half:g} \u2026 +{half:g} "
            f"({'fixed' if limit is not None else 'largest |value| rounded up'}); 0 = balanced",
            fontsize=10.5,
        )
        cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "0" if v == 0 else f"{v:+g}".replace("-", MINUS)))
        by = f"; one panel per {', '.join(labels.label(k) for k in others)}" if others else ""
        _titles(fig, labels.label(outcome), f"Cell: {_who(table)} of that job (value written in the cell){by}")
        draw_footer(fig, footer)
        return fig


def _extend(values: np.ndarray, half: float) -> str:
    finite = values[np.isfinite(values)]
    below = bool(finite.size and finite.min() < -half)
    above = bool(finite.size and finite.max() > half)
    return "both" if below and above else "min" if below else "max" if above else "neither"


def _heat_panel(ax: Axes, grid: pd.DataFrame, keys: tuple[str, str], norm: Normalize) -> object:
    """One heatmap: keys[0] across, keys[1] up; each cell annotated with its value in a readable colour."""
    data = grid.to_numpy(dtype=float)
    cmap = colormaps["RdBu_r"]
    ax.set_label(HEAT_LABEL)
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, norm=norm, origin="lower", aspect="auto")
    ax.set_facecolor("0.85")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(labels.label_with_unit(keys[0]))
    ax.set_ylabel(labels.label_with_unit(keys[1]))
    ax.spines[:].set_visible(False)
    for (r, c), value in np.ndenumerate(data):
        if np.isfinite(value):
            text, colour = _signed(value), _ink(cmap(norm(value)))
        else:
            text, colour = "no result", "0.3"
        ax.text(c, r, text, ha="center", va="center", fontsize=11, color=colour, fontweight="bold")
    return image


def plot_heatmap(
    table: pd.DataFrame,
    keys: tuple[str, str],
    path: Path,
    *,
    outcome: str = "regional_mean_alignment_end",
    limit: float | None = None,
    footer: str = "",
) -> Path:
    """An outcome (default: regional mean alignment at the end) over two swept keys.

    Colours: ``RdBu_r`` on the symmetric range [-L, L], L = ``limit`` if given, else the largest absolute cell
    value rounded up to a nice number (0.106 -> 0.2; at most 1 for alignment, 2 for a change); the range is written
    in the colourbar label; every cell shows its value (white on dark cells, black on light ones). When other keys
    are swept too, one panel per combination of their values (shared colour scale), never an average across them.
    """
    return _save(make_heatmap(table, keys, outcome=outcome, limit=limit, footer=footer), path)


# --------------------------------------------------------------------------- scenarios


def make_scenarios(table: pd.DataFrame, *, footer: str = "") -> Figure:
    """The figure of :func:`plot_scenarios`, not saved."""
    others = varying_keys(table, exclude=["scenario"])
    groups = _groups(table, others)
    change = table[table["outcome"] == SCENARIO_OUTCOMES[0]]
    order = change.groupby("scenario")["mean"].mean().sort_values().index.tolist()  # order only, nothing averaged
    order += sorted(set(table["scenario"]) - set(order))
    n, g = len(order), len(groups)
    step = 0.8 / g
    with rc_context(_RC):
        fig = _figure(12.5, 0.38 * n * max(1.0, 0.75 * g) + 1.4, _top_inches(g))
        axes = fig.subplots(1, len(SCENARIO_OUTCOMES), sharey=True)
        handles = []
        for ax, outcome in zip(axes, SCENARIO_OUTCOMES, strict=True):
            for gi, (values, group) in enumerate(groups):
                stats = group[group["outcome"] == outcome].drop_duplicates("scenario").set_index("scenario")
                stats = stats.reindex(order)
                y = np.arange(n) + (gi - (g - 1) / 2) * step
                if g > 1:
                    colour: object = GROUP_COLOURS[gi % len(GROUP_COLOURS)]
                elif outcome.endswith("change"):
                    colour = [CHINA_RED if v > 0 else US_BLUE for v in stats["mean"].fillna(0)]
                else:
                    colour = "0.45"
                bars = ax.barh(
                    y, stats["mean"], height=0.9 * step, color=colour, alpha=0.88, label=_group_label(others, values)
                )
                err = np.clip(np.vstack([stats["mean"] - stats["p05"], stats["p95"] - stats["mean"]]), 0, None)
                ax.errorbar(stats["mean"], y, xerr=err, fmt="none", ecolor="0.15", capsize=2.5, lw=1)
                if ax is axes[0]:
                    handles.append(bars)
            ax.set_yticks(np.arange(n), [labels.humanise(s) for s in order])
            ax.set_ylim(n - 0.5, -0.5)
            ax.set_xlabel(labels.label_with_unit(outcome))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.axvline(0, color="k", lw=0.8)
            ax.grid(axis="x", alpha=0.3)
        by = f"; one bar per {', '.join(labels.label(k) for k in others)} (colours)" if others else ""
        _titles(
            fig,
            "Scenarios compared",
            f"Bar: {_who(table)} of that job; whiskers: 5\u201395% of replications of that job{by}",
            handles,
        )
        draw_footer(fig, footer)
        return fig


def plot_scenarios(table: pd.DataFrame, path: Path, *, footer: str = "") -> Path:
    """The scenarios side by side: change of the regional mean alignment and BRI members at the end.

    One bar per scenario, or — when other keys are swept too — one bar per scenario and value of the other keys
    (dodged, coloured, with a legend): nothing is averaged across jobs. The caption says what is shown.
    """
    return _save(make_scenarios(table, footer=footer), path)


# --------------------------------------------------------------------------- all


def plot_sweep(
    table: pd.DataFrame, out_dir: Path, *, footer: str = "", heatmap_limit: float | None = None
) -> list[Path]:
    """Every figure the table supports, into ``out_dir``.

    ``footer``: the sweep's identification line (default: :func:`sweep_footer` of the table);
    ``heatmap_limit``: a fixed half-range for the heatmap's colour scale (default: rounded-up largest value).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = table[table["status"] == "done"]
    footer = footer or sweep_footer(table)
    numeric = [k for k in swept_keys(done) if _numeric(done, k)]
    paths = [plot_against(done, key, out_dir / f"sweep_{key}.png", footer=footer) for key in numeric]
    if len(numeric) >= 2:
        paths.append(
            plot_heatmap(
                done,
                (numeric[0], numeric[1]),
                out_dir / f"heatmap_{numeric[0]}_{numeric[1]}.png",
                limit=heatmap_limit,
                footer=footer,
            )
        )
    if done["scenario"].nunique() > 1:
        paths.append(plot_scenarios(done, out_dir / "scenarios.png", footer=footer))
    return paths
