"""Regenerate every lesson's figures and the numbers quoted in its README from the current model.

    python experiments/lessons/make_lessons.py                      # every lesson, 200 replications per run
    python experiments/lessons/make_lessons.py --only coercion      # one lesson
    python experiments/lessons/make_lessons.py --replications 8 --out /tmp/lessons   # a quick check elsewhere

Each lesson folder holds ``README.template.md``; this script runs the lesson's configurations (each exactly as
``python -m sim <arguments>`` would compose it, same seed, run indices ``0 .. N-1``, so variants share their random
draws), computes the numbers, draws the figures into ``figures/`` and writes ``README.md`` with every ``{{name}}``
placeholder filled. No number in a README is typed by hand: re-run after the model changes and the lessons follow.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.calendar import month_label, parse_month
from sim.cli import normalise_overrides, preflight
from sim.config import RunConfig
from sim.dynamics.alignment import TERMS
from sim.dynamics.world import World
from sim.engine import Trajectory
from sim.reporting import labels
from sim.reporting.figures import CHINA_RED, US_BLUE
from sim.runners.ensemble import run_ensemble

HERE = Path(__file__).resolve().parent
DEFAULT_REPLICATIONS = 200
MINUS = "\u2212"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
_RC = {"font.size": 10, "axes.spines.top": False, "axes.spines.right": False, "axes.unicode_minus": True}
GREY = "#555555"


# ------------------------------------------------------------------------------------------------- runs


@dataclass
class Runs:
    """One configuration's ensemble: its arguments (as typed after ``python -m sim``), config, world and runs."""

    args: tuple[str, ...]
    cfg: RunConfig
    world: World
    traj: Trajectory

    @property
    def command(self) -> str:
        return "python -m sim " + " ".join(self.args) + f" replications={self.cfg.replications}"

    @property
    def months(self) -> list[str]:
        return [month_label(int(m)) for m in self.traj.months]

    def col(self, iso3: str) -> int:
        return self.world.iso3.index(iso3)

    def alignment(self, iso3: str) -> np.ndarray:
        """``(months, runs)`` alignment of one state."""
        return self.traj.states["alignment"][:, :, self.col(iso3)].astype(float)

    def regional_mean(self) -> np.ndarray:
        """``(months, runs)`` unweighted mean alignment of the states."""
        return self.traj.states["alignment"].astype(float).mean(axis=2)

    def bri_count(self) -> np.ndarray:
        """``(months, runs)`` number of BRI members."""
        return self.traj.states["bri"].sum(axis=2).astype(float)

    def happened(self, iso3: str | None, kind: str, first: str | None = None, last: str | None = None) -> np.ndarray:
        """Per run: did ``iso3`` (``None``: any state) have event ``kind`` in months ``first .. last``?"""
        months = [int(m) for m in self.traj.months[1:]]
        lo = parse_month(first, "first") if first else months[0]
        hi = parse_month(last, "last") if last else months[-1]
        rows = [i for i, m in enumerate(months) if lo <= m <= hi]
        events = self.traj.events[kind][rows]  # (months, runs, states)
        picked = events[:, :, self.col(iso3)] if iso3 else events.any(axis=2)
        return picked.any(axis=0)

    def share_by_month(self, iso3: str, kind: str) -> np.ndarray:
        """Share of runs in which ``iso3`` has had ``kind`` by each recorded month (0 at the start)."""
        events = self.traj.events[kind][:, :, self.col(iso3)]
        return np.concatenate([[0.0], (np.cumsum(events, axis=0) > 0).mean(axis=1)])

    def contributions(self, iso3: str) -> np.ndarray:
        """``(terms, runs)``: each mechanism's contribution to ``iso3``'s alignment, summed over the run."""
        return self.traj.contributions[:, :, :, self.col(iso3)].astype(float).sum(axis=0)

    def all_contributions(self) -> np.ndarray:
        """``(terms, runs, states)`` summed over the run."""
        return self.traj.contributions.astype(float).sum(axis=0)


def run(args: Sequence[str], replications: int) -> Runs:
    """Run ``python -m sim <args>`` with ``replications`` replications (without writing anything)."""
    cfg = preflight(normalise_overrides(list(args))).first
    cfg = replace(cfg, replications=replications, plots=False)
    ens = run_ensemble(cfg, progress=False)
    return Runs(tuple(args), cfg, ens.world, ens.trajectory)


# ------------------------------------------------------------------------------------------------- formatting


def pct(share: float) -> str:
    """``42%`` (a share of runs)."""
    return f"{round(100 * float(share))}%"


def num(value: float, digits: int = 3) -> str:
    """``+0.012`` / ``−0.034`` (typographic minus)."""
    text = f"{float(value):+.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def toward(value: float) -> str:
    """``toward China`` / ``toward the US`` (+ / -)."""
    return "toward China" if value > 0 else "toward the US"


def more_or_less(a: float, b: float, more: str = "more", less: str = "less") -> str:
    return more if a > b else less


def name(runs: Runs, iso3: str) -> str:
    return runs.world.names[runs.col(iso3)]


def mechanism(term: str) -> str:
    return labels.label(term, "mechanism")


def top_terms(values: np.ndarray, n: int = 3) -> str:
    """``Official finance (+0.041), Regime type (−0.030), ...``: the ``n`` largest mechanisms by absolute value."""
    order = np.argsort(-np.abs(values), kind="stable")[:n]
    return ", ".join(f"{mechanism(TERMS[k])} ({num(values[k])})" for k in order)


def footer(runs: Sequence[Runs]) -> str:
    """The source line of a figure: the configurations it shows (scenario names), replications and seed."""
    seeds = sorted({r.cfg.seed for r in runs})
    reps = sorted({r.cfg.replications for r in runs})
    scenarios = ", ".join(dict.fromkeys(r.cfg.scenario_name for r in runs))
    return (
        f"Source: model runs, python -m sim scenario={scenarios} (+ the overrides listed in the README); "
        f"{reps[0]} replications each, seed {seeds[0]}"
    )


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; ``KeyError`` naming any placeholder without a value."""
    missing = sorted({m.group(1) for m in PLACEHOLDER.finditer(template)} - set(values))
    if missing:
        raise KeyError(f"no value for placeholder(s): {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


# ------------------------------------------------------------------------------------------------- figures


def new_figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path, source: str) -> str:
    fig.text(0.005, 0.005, source, fontsize=7.5, color="0.4", ha="left", va="bottom")
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(_RC):
        fig.savefig(path, dpi=110)
    return path.name


def month_axis(ax: object, months: Sequence[str]) -> None:
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")]
    ax.set_xticks(ticks, [months[i][:4] for i in ticks])  # type: ignore[attr-defined]
    ax.set_xlim(0, len(months) - 1)  # type: ignore[attr-defined]


def band_plot(ax: object, series: np.ndarray, colour: str, label: str) -> None:
    """Median line and 5-95% band over runs of a ``(months, runs)`` series."""
    x = np.arange(series.shape[0])
    q05, q50, q95 = np.quantile(series, (0.05, 0.5, 0.95), axis=1)
    ax.fill_between(x, q05, q95, color=colour, alpha=0.18, lw=0)  # type: ignore[attr-defined]
    ax.plot(x, q50, color=colour, lw=2, label=f"{label} (median, 5\u201395% band)")  # type: ignore[attr-defined]


def mechanism_bars(ax: object, values: np.ndarray, title: str) -> None:
    """Horizontal bars of one value per mechanism (+ red toward China, - blue toward the US)."""
    y = np.arange(len(TERMS))[::-1]
    ax.barh(y, values, color=[CHINA_RED if v > 0 else US_BLUE for v in values], height=0.7)  # type: ignore[attr-defined]
    ax.axvline(0, color="0.3", lw=0.8)  # type: ignore[attr-defined]
    ax.set_yticks(y, [mechanism(t) for t in TERMS])  # type: ignore[attr-defined]
    lim = max(0.002, float(np.abs(values).max()) * 1.15)
    ax.set_xlim(-lim, lim)  # type: ignore[attr-defined]
    ax.set_title(title, fontsize=10.5)  # type: ignore[attr-defined]
    ax.set_xlabel(labels.CHANGE_UNIT)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------- lessons

Lesson = Callable[[int, Path], tuple[dict[str, str], list[Runs]]]


def colombia_bri(reps: int, figs: Path) -> tuple[dict[str, str], list[Runs]]:
    """Why did Colombia join the BRI in 2025? Balancing or bandwagoning (history replay and two counterfactuals)."""
    base = run(["scenario=lesson_colombia_bri"], reps)
    no_forum = run(["scenario=lesson_colombia_bri", "china.targets.COL.bri_offer=0.25"], reps)
    playbook = run(["scenario=lesson_colombia_bri", "us.targets.COL.bri_exit_pressure=1"], reps)
    variants = {"replay": base, "no_forum": no_forum, "playbook": playbook}
    v: dict[str, str] = {"replications": str(reps), "seed": str(base.cfg.seed)}
    for key, r in variants.items():
        v[f"cmd_{key}"] = r.command
        v[f"p_join_2025_{key}"] = pct(r.happened("COL", "bri_join", "2025-01", "2025-12").mean())
        v[f"p_join_2024_{key}"] = pct(r.happened("COL", "bri_join", "2024-01", "2024-12").mean())
        v[f"p_join_any_{key}"] = pct(r.happened("COL", "bri_join").mean())
    c = base.contributions("COL").mean(axis=1)
    k = {t: i for i, t in enumerate(TERMS)}
    balancing = c[k["coercion"]]
    bandwagon = c[k["neighbours"]] + c[k["trade"]] + c[k["finance"]]
    v["start"], v["end"] = base.months[0], base.months[-1]
    v["col_change"] = num(base.alignment("COL")[-1].mean() - base.alignment("COL")[0].mean())
    v["col_top"] = top_terms(c)
    v["coercion"] = num(balancing)
    v["bandwagon"] = num(bandwagon)
    v["neighbours"] = num(c[k["neighbours"]])
    v["econ"] = num(c[k["trade"]] + c[k["finance"]])
    v["bigger_pull"] = (
        "bandwagoning (economic ties and the neighbours)"
        if abs(bandwagon) > abs(balancing)
        else "balancing (reaction to US pressure)"
    )
    fig = new_figure((8.5, 4.4))
    with rc_context(_RC):
        ax = fig.add_axes((0.08, 0.16, 0.6, 0.72))
        styles = {
            "replay": ("black", "history as it happened"),
            "no_forum": (GREY, "no forum push in May 2025"),
            "playbook": (US_BLUE, "US presses Colombia not to join"),
        }
        for key, r in variants.items():
            colour, text = styles[key]
            ax.plot(np.arange(len(r.months)), 100 * r.share_by_month("COL", "bri_join"), color=colour, lw=2, label=text)
        month_axis(ax, base.months)
        ax.axvline(base.months.index("2025-05"), color="0.6", ls=":", lw=1)
        ax.set_ylabel("runs in which Colombia has joined (%)")
        ax.set_ylim(0, 100)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
        ax.set_title("Colombia joins the Belt and Road: how often, and when", fontsize=11)
    v["fig_join"] = save(fig, figs / "join_by_month.png", footer(list(variants.values())))
    fig = new_figure((6.8, 4.6))
    with rc_context(_RC):
        ax = fig.add_axes((0.33, 0.15, 0.62, 0.75))
        mechanism_bars(ax, c, f"What moved Colombia, {v['start']} to {v['end']} (mean of runs)")
    v["fig_mechanisms"] = save(fig, figs / "colombia_mechanisms.png", footer([base]))
    return v, list(variants.values())


def coercion(reps: int, figs: Path) -> tuple[dict[str, str], list[Runs]]:
    """Does coercion backfire? The same US package on Panama and on Colombia, against the baseline."""
    base = run(["scenario=baseline"], reps)
    press = run(["scenario=lesson_coercion"], reps)
    v: dict[str, str] = {"replications": str(reps), "seed": str(base.cfg.seed)}
    v["cmd_baseline"], v["cmd_lesson"] = base.command, press.command
    v["end"] = base.months[-1]
    k = TERMS.index("coercion")
    for iso3 in ("COL", "PAN"):
        low = iso3.lower()
        diff = press.alignment(iso3)[-1] - base.alignment(iso3)[-1]
        v[f"{low}_effect"] = num(diff.mean())
        v[f"{low}_effect_dir"] = toward(diff.mean())
        v[f"{low}_share_china"] = pct((diff > 0).mean())
        v[f"{low}_coercion"] = num(press.contributions(iso3)[k].mean())
        v[f"{low}_reaction"] = "reactance" if press.contributions(iso3)[k].mean() > 0 else "compliance"
        v[f"{low}_exit_base"] = pct(base.happened(iso3, "bri_exit").mean())
        v[f"{low}_exit_press"] = pct(press.happened(iso3, "bri_exit").mean())
        v[f"{low}_join_base"] = pct(base.happened(iso3, "bri_join").mean())
        v[f"{low}_join_press"] = pct(press.happened(iso3, "bri_join").mean())
        v[f"{low}_member_start"] = "a member" if base.traj.states["bri"][0, 0, base.col(iso3)] else "not a member"
    fig = new_figure((9.5, 4.2))
    with rc_context(_RC):
        for j, iso3 in enumerate(("PAN", "COL")):
            ax = fig.add_axes((0.07 + 0.49 * j, 0.16, 0.4, 0.7))
            band_plot(ax, base.alignment(iso3), GREY, "baseline")
            band_plot(ax, press.alignment(iso3), US_BLUE, "US pressure package")
            month_axis(ax, base.months)
            ax.axhline(0, color="0.4", lw=0.7)
            ax.set_title(name(base, iso3), fontsize=11)
            ax.set_ylabel(labels.label_with_unit("alignment") if j == 0 else "")
            if j == 0:
                ax.legend(loc="upper left", fontsize=8, frameon=False)
    v["fig_paths"] = save(fig, figs / "panama_colombia_paths.png", footer([base, press]))
    fig = new_figure((9.5, 4.6))
    with rc_context(_RC):
        for j, iso3 in enumerate(("PAN", "COL")):
            ax = fig.add_axes((0.2 + 0.49 * j, 0.15, 0.29, 0.74))
            delta = (press.contributions(iso3) - base.contributions(iso3)).mean(axis=1)
            mechanism_bars(ax, delta, f"{name(base, iso3)}: package minus baseline")
            if j == 1:
                ax.set_yticklabels([])
    v["fig_mechanisms"] = save(fig, figs / "mechanism_difference.png", footer([base, press]))
    return v, [base, press]


def elections(reps: int, figs: Path) -> tuple[dict[str, str], list[Runs]]:
    """Elections as alignment shocks: Colombia 2026 won by the right or by the left."""
    right = run(["scenario=lesson_elections"], reps)
    left = run(["scenario=lesson_elections", "elections.COL=-0.6"], reps)
    base = run(["scenario=baseline"], reps)
    v: dict[str, str] = {"replications": str(reps), "seed": str(right.cfg.seed)}
    v["cmd_right"], v["cmd_left"], v["cmd_baseline"] = right.command, left.command, base.command
    v["end"] = right.months[-1]
    took = np.flatnonzero(right.traj.events["government_change"][:, :, right.col("COL")].any(axis=1))
    v["inauguration"] = right.months[int(took[0]) + 1] if len(took) else "(no change of government)"
    gap = right.alignment("COL")[-1] - left.alignment("COL")[-1]
    v["gap"] = num(gap.mean())
    v["share_right_lower"] = pct((gap < 0).mean())
    diff = (right.contributions("COL") - left.contributions("COL")).mean(axis=1)
    v["diff_top"] = top_terms(diff)
    v["ideology_diff"] = num(diff[TERMS.index("ideology")])
    v["institutions_diff"] = num(diff[TERMS.index("institutions")])
    for key, r in (("right", right), ("left", left), ("baseline", base)):
        v[f"exit_{key}"] = pct(r.happened("COL", "bri_exit").mean())
        v[f"col_end_{key}"] = num(np.median(r.alignment("COL")[-1]))
    v["col_start"] = num(float(right.alignment("COL")[0, 0]))
    fig = new_figure((8.2, 4.3))
    with rc_context(_RC):
        ax = fig.add_axes((0.09, 0.15, 0.6, 0.74))
        band_plot(ax, right.alignment("COL"), US_BLUE, "right wins")
        band_plot(ax, left.alignment("COL"), CHINA_RED, "left wins")
        month_axis(ax, right.months)
        ax.axhline(0, color="0.4", lw=0.7)
        ax.set_ylabel(labels.label_with_unit("alignment"))
        ax.set_title("Colombia after the 2026 election", fontsize=11)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    v["fig_paths"] = save(fig, figs / "colombia_after_election.png", footer([right, left]))
    fig = new_figure((6.8, 4.6))
    with rc_context(_RC):
        ax = fig.add_axes((0.33, 0.15, 0.62, 0.75))
        mechanism_bars(ax, diff, "Right wins minus left wins, by mechanism (mean)")
    v["fig_mechanisms"] = save(fig, figs / "election_mechanisms.png", footer([right, left]))
    return v, [right, left, base]


def chequebook(reps: int, figs: Path) -> tuple[dict[str, str], list[Runs]]:
    """Cheque-book diplomacy: more Chinese finance or more US aid, against the baseline."""
    base = run(["scenario=baseline"], reps)
    china = run(["scenario=lesson_chequebook_china"], reps)
    us = run(["scenario=lesson_chequebook_us"], reps)
    v: dict[str, str] = {"replications": str(reps), "seed": str(base.cfg.seed)}
    v["cmd_baseline"], v["cmd_china"], v["cmd_us"] = base.command, china.command, us.command
    v["end"] = base.months[-1]
    k = TERMS.index("finance")
    for key, r in (("china", china), ("us", us)):
        d = r.regional_mean()[-1] - base.regional_mean()[-1]
        v[f"{key}_effect"] = num(d.mean())
        v[f"{key}_finance"] = num((r.all_contributions()[k] - base.all_contributions()[k]).mean())
        v[f"{key}_bri"] = f"{np.mean(r.bri_count()[-1]):.1f}"
        v[f"{key}_switch"] = pct(r.happened(None, "recognition_switch").mean())
        per_state = (r.traj.states["alignment"][-1] - base.traj.states["alignment"][-1]).astype(float).mean(axis=0)
        order = np.argsort(-np.abs(per_state), kind="stable")[:3]
        v[f"{key}_movers"] = ", ".join(f"{r.world.names[i]} ({num(per_state[i])})" for i in order)
    v["base_bri"] = f"{np.mean(base.bri_count()[-1]):.1f}"
    v["base_switch"] = pct(base.happened(None, "recognition_switch").mean())
    v["taipei_allies"] = str(int((~base.traj.states["prc"][0, 0]).sum()))
    china_abs, us_abs = (
        abs(float(china.regional_mean()[-1].mean() - base.regional_mean()[-1].mean())),
        abs(float(us.regional_mean()[-1].mean() - base.regional_mean()[-1].mean())),
    )
    v["bigger"] = "Beijing's money" if china_abs > us_abs else "Washington's money"
    fig = new_figure((8.4, 4.3))
    with rc_context(_RC):
        ax = fig.add_axes((0.09, 0.15, 0.58, 0.74))
        band_plot(ax, base.regional_mean(), GREY, "baseline")
        band_plot(ax, china.regional_mean(), CHINA_RED, "more Chinese finance")
        band_plot(ax, us.regional_mean(), US_BLUE, "more US aid")
        month_axis(ax, base.months)
        ax.set_ylabel(labels.label_with_unit("regional_mean_alignment"))
        ax.set_title("The region under two cheque books", fontsize=11)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    v["fig_paths"] = save(fig, figs / "regional_mean.png", footer([base, china, us]))
    fig = new_figure((9.0, 4.6))
    with rc_context(_RC):
        ax = fig.add_axes((0.08, 0.2, 0.9, 0.68))
        x = np.arange(base.world.n_states)
        for offset, (r, colour, text) in zip(
            (-0.2, 0.2), ((china, CHINA_RED, "more Chinese finance"), (us, US_BLUE, "more US aid")), strict=True
        ):
            d = (r.traj.states["alignment"][-1] - base.traj.states["alignment"][-1]).astype(float).mean(axis=0)
            ax.bar(x + offset, d, width=0.4, color=colour, label=text)
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xticks(x, base.world.iso3, rotation=90, fontsize=8)
        ax.set_ylabel(f"change vs baseline in {v['end']}\n({labels.CHANGE_UNIT})", fontsize=9)
        ax.legend(frameon=False, fontsize=9)
        ax.set_title("Which states the money moves (mean of paired runs)", fontsize=11)
    v["fig_states"] = save(fig, figs / "states_moved.png", footer([base, china, us]))
    return v, [base, china, us]


def hedging(reps: int, figs: Path) -> tuple[dict[str, str], list[Runs]]:
    """Do middle powers hedge? Gross pulls against net moves, baseline and both powers pulling harder."""
    base = run(["scenario=baseline"], reps)
    pull = run(["scenario=lesson_hedging"], reps)
    v: dict[str, str] = {"replications": str(reps), "seed": str(base.cfg.seed)}
    v["cmd_baseline"], v["cmd_lesson"] = base.command, pull.command
    v["end"] = base.months[-1]
    gdp = base.world.gdp_bn[0]
    middle = list(np.argsort(-gdp, kind="stable")[:6])
    v["middle_powers"] = ", ".join(base.world.names[i] for i in middle)
    rest = [i for i in range(base.world.n_states) if i not in middle]

    def index(r: Runs) -> np.ndarray:
        c = r.all_contributions()  # (terms, runs, states)
        gross = np.abs(c).sum(axis=0)
        net = np.abs(c.sum(axis=0))
        return (1 - net / np.maximum(gross, 1e-12)).mean(axis=0)  # per state, mean over runs

    for key, r in (("base", base), ("pull", pull)):
        h = index(r)
        v[f"h_middle_{key}"] = f"{h[middle].mean():.2f}"
        v[f"h_rest_{key}"] = f"{h[rest].mean():.2f}"
        end = np.abs(r.traj.states["alignment"][-1].astype(float)).mean(axis=0)
        v[f"dist_middle_{key}"] = f"{end[middle].mean():.3f}"
        v[f"dist_rest_{key}"] = f"{end[rest].mean():.3f}"
        shown_middle, shown_rest = round(h[middle].mean(), 2), round(h[rest].mean(), 2)  # compare what is shown
        v[f"hedge_more_{key}"] = (
            "about as much as"
            if shown_middle == shown_rest
            else more_or_less(shown_middle, shown_rest, "more than", "less than")
        )
        v[f"closer_{key}"] = more_or_less(end[middle].mean(), end[rest].mean(), "closer to", "farther from")
    moved = (pull.traj.states["alignment"][-1] - base.traj.states["alignment"][-1]).astype(float).mean(axis=0)
    v["move_middle"] = f"{np.abs(moved[middle]).mean():.3f}"
    v["move_rest"] = f"{np.abs(moved[rest]).mean():.3f}"
    fig = new_figure((9.2, 4.6))
    h_base, h_pull = index(base), index(pull)
    order = np.argsort(-gdp, kind="stable")
    with rc_context(_RC):
        ax = fig.add_axes((0.08, 0.22, 0.9, 0.66))
        x = np.arange(len(order))
        ax.bar(x - 0.2, h_base[order], width=0.4, color=GREY, label="baseline")
        ax.bar(x + 0.2, h_pull[order], width=0.4, color="#6a51a3", label="both powers pull harder")
        ax.axvline(5.5, color="0.3", ls=":", lw=1)
        ax.set_xticks(x, [base.world.iso3[i] for i in order], rotation=90, fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_ylabel("hedging index: 1 \u2212 |net| / gross pull")
        ax.set_title("States by GDP (largest left; the six middle powers left of the line)", fontsize=10.5)
        ax.legend(frameon=False, fontsize=9, loc="lower right")
    v["fig_index"] = save(fig, figs / "hedging_index.png", footer([base, pull]))
    fig = new_figure((7.0, 4.6))
    with rc_context(_RC):
        ax = fig.add_axes((0.12, 0.14, 0.84, 0.76))
        end = np.median(pull.traj.states["alignment"][-1].astype(float), axis=0)
        ax.scatter(gdp, end, color="#6a51a3", s=22)
        for i in middle:
            ax.annotate(base.world.iso3[i], (gdp[i], end[i]), fontsize=8, xytext=(3, 3), textcoords="offset points")
        ax.set_xscale("log")
        ax.axhline(0, color="0.4", lw=0.7)
        ax.set_xlabel(f"GDP in {base.months[0]} (USD bn, log scale)")
        ax.set_ylabel(f"alignment in {v['end']}, median of runs")
        ax.set_title("Both powers pulling harder: where the states end up", fontsize=10.5)
    v["fig_scatter"] = save(fig, figs / "alignment_vs_gdp.png", footer([pull]))
    return v, [base, pull]


LESSONS: dict[str, Lesson] = {
    "colombia_bri": colombia_bri,
    "coercion": coercion,
    "elections": elections,
    "chequebook": chequebook,
    "hedging": hedging,
}
"""Lesson folder name -> the function computing its numbers and figures."""


def make_lesson(lesson: str, replications: int, out: Path) -> Path:
    """Run one lesson and write ``out/README.md`` and ``out/figures/``; return the README's path."""
    values, _ = LESSONS[lesson](replications, out / "figures")
    values["make_command"] = f"python experiments/lessons/make_lessons.py --only {lesson}"
    text = render((HERE / lesson / "README.template.md").read_text(encoding="utf-8"), values)
    notice = "<!-- Written by experiments/lessons/make_lessons.py from README.template.md: edit the template. -->\n"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "README.md"
    path.write_text(notice + text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS, help="per run (default %(default)s)")
    parser.add_argument("--only", nargs="*", choices=sorted(LESSONS), help="lessons to make (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="write under this folder instead of the lessons'")
    args = parser.parse_args(argv)
    for lesson in args.only or list(LESSONS):
        out = (args.out / lesson) if args.out else HERE / lesson
        path = make_lesson(lesson, args.replications, out)
        print(f"{lesson}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
