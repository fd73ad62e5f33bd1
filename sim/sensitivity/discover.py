"""Scenario discovery: ``python -m sim.sensitivity.discover STUDY condition="alignment_end:COL < -0.2" [key=value]``.

Given a condition on a finished study's outputs, PRIM (the EMA workbench's :mod:`ema_workbench.analysis.prim`, an
optional dependency: ``pip install 'lac-alignment-sim[discovery]'``) finds boxes of factor values (levers,
parameters, data estimates) where the condition holds. Every run is a case: its set's factor values and whether the
condition holds in that run, so a box's *density* is the probability of the condition inside it and its *coverage*
the share of all runs meeting the condition that fall inside it. No model run is made: discovery reads the study. In
a Sobol' study only the runs of the A and B rows are cases (:func:`~sim.sensitivity.report.independent_rows`).

Condition: clauses ``<output> <op> <number>`` (ops ``< <= > >= == !=``) joined by ``and`` / ``or`` (``and`` binds
first), over the study's columns (``regional_mean_end``, ``bri_members_end``, ``bri_exit_any``,
``alignment_end:<ISO3>``, ``regional_mean:<YYYY>``); ``any BRI exit`` means ``bri_exit_any > 0``.

Options: ``peel_alpha`` (0.05), ``paste_alpha`` (0.05), ``mass_min`` (0.05), ``min_coverage`` (0.5: the chosen box
is, among the boxes of the peeling trajectory with at least this coverage, the one with the highest coverage whose
density is within ``prune`` of the densest; ``box=<i>`` picks trajectory entry ``i``),
``boxes`` (1: boxes to find in turn), ``score_cases`` (20000: cases drawn for the extra-trees feature scores),
``max_qp`` (0.05) and ``prune`` (0.01): after choosing, restrictions are dropped one at a time: first the least
significant while its quasi-p value exceeds ``max_qp``, then the cheapest while dropping it lowers the box's density
by less than ``prune``; ``include_dummy`` (true: the dummy stays a candidate, a check that the box does not
restrict it), ``name``, ``plots``.

Writes ``<study>/discovery-<condition>/``: ``boxes.csv`` (each restricted factor's box limits and quasi-p value, with
coverage, density, mass), ``trajectory.csv`` (the peeling trajectory), ``scores.csv`` (feature scores),
``summary.json``, ``figures/peeling_<k>.png`` (coverage against density) and ``figures/box_<k>.png`` (the chosen box
within the factors' bounds), ``DONE`` last.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.errors import SimInputError, SimRunError
from sim.folders import RunFolder
from sim.identity import label
from sim.reporting.figures import draw_footer
from sim.sensitivity.figures import CHINA_RED, US_BLUE, factor_label, new_figure, output_label, save_figure
from sim.sensitivity.report import independent_rows, study_factors
from sim.sensitivity.space import DUMMY
from sim.sensitivity.store import Study, read_study

ALIASES = {
    "any bri exit": "bri_exit_any > 0",
    "at least one bri exit": "bri_exit_any > 0",
    "no bri exit": "bri_exit_any == 0",
}
_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w:.-]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
OPS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def condition_mask(text: str, columns: list[str], values: np.ndarray) -> np.ndarray:
    """Evaluate ``text`` on ``values`` ``(cases, columns)``: a boolean per case (raises :class:`SimInputError`)."""
    expr = ALIASES.get(" ".join(str(text).lower().replace("\u2212", "-").split()), str(text).replace("\u2212", "-"))
    expr = expr.replace("&&", " and ").replace("||", " or ").replace("&", " and ").replace("|", " or ")
    result = np.zeros(len(values), dtype=bool)
    for alternative in re.split(r"\s+or\s+", expr.strip()):
        part = np.ones(len(values), dtype=bool)
        for clause in re.split(r"\s+and\s+", alternative.strip()):
            match = _CLAUSE.match(clause)
            if not match:
                raise SimInputError(
                    "condition",
                    text,
                    "expected clauses '<output> <op> <number>' joined by and/or, e.g. "
                    "'alignment_end:COL < -0.2' or 'any BRI exit'",
                )
            name, op, number = match.groups()
            if name not in columns:
                raise SimInputError(
                    "condition", name, f"not an output of this study; outputs: {', '.join(columns[:6])}, ..."
                )
            part &= OPS[op](values[:, columns.index(name)], float(number))
        result |= part
    return result


@dataclass(frozen=True)
class DiscoverOptions:
    """PRIM's settings and how the box is chosen (see the module docstring)."""

    condition: str = ""
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    min_coverage: float = 0.5
    box: int | None = None
    boxes: int = 1
    score_cases: int = 20000
    max_qp: float = 0.05
    prune: float = 0.01
    include_dummy: bool = True
    name: str = ""
    plots: bool = True


def _ema() -> tuple[Any, Any]:
    """The EMA workbench's PRIM and feature scoring (an optional dependency)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError:
        raise SimInputError(
            "discover",
            "ema_workbench",
            "scenario discovery needs the optional extra: pip install 'lac-alignment-sim[discovery]' (ema_workbench)",
        ) from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim, feature_scoring


def cases(study: Study, include_dummy: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Every run of the case rows as a case: its set's factor values ``(runs, factors)`` and its outputs
    ``(runs, columns)``."""
    rows = independent_rows(study)
    x = study.samples()[rows]
    y = study.outputs()[rows]
    r = study.replications
    frame = pd.DataFrame(np.repeat(x, r, axis=0), columns=study.factor_names)
    if not include_dummy:
        frame = frame.drop(columns=[DUMMY])
    return frame, y.reshape(len(rows) * r, -1)


def choose(trajectory: pd.DataFrame, min_coverage: float, tolerance: float) -> int:
    """The box on the trajectory with the highest coverage among those whose density is within ``tolerance`` of the
    densest box with coverage >= ``min_coverage`` (the first box if none has that coverage)."""
    ok = trajectory[trajectory["coverage"] >= min_coverage]
    if ok.empty:
        return 0
    near = ok[ok["density"] >= ok["density"].max() - tolerance]
    return int(near.sort_values(["coverage", "density"], ascending=[False, False]).index[0])


def _density_without(x: pd.DataFrame, y: np.ndarray, limits: pd.DataFrame, restricted: list[str]) -> dict[str, float]:
    """The box's density if each restricted factor in turn were left unrestricted."""
    values = x[restricted].to_numpy()
    low, high = limits.loc[0, restricted].to_numpy(), limits.loc[1, restricted].to_numpy()
    inside = (values >= low) & (values <= high)
    out = {}
    for j, name in enumerate(restricted):
        keep = np.delete(inside, j, axis=1).all(axis=1)
        out[name] = float(y[keep].mean()) if keep.any() else 0.0
    return out


BOX_COLUMNS = [
    "box",
    "factor",
    "low",
    "high",
    "bound_low",
    "bound_high",
    "qp_low",
    "qp_high",
    "qp",
    "coverage",
    "density",
    "mass",
    "res_dim",
    "trajectory_entry",
    "peeled_entry",
    "pruned",
]


def _worst_qp(box: Any) -> tuple[str, float] | None:
    """The restricted factor of the current box with the largest quasi-p value (its least significant limit)."""
    worst = None
    for name, sides in box.p_values[box._cur_box].items():
        valid = [float(v) for v in sides if float(v) >= 0]
        if valid and (worst is None or max(valid) > worst[1]):
            worst = (name, max(valid))
    return worst


def prune(box: Any, x: pd.DataFrame, y: np.ndarray, max_qp: float, tolerance: float) -> list[str]:
    """Simplify the chosen box, one restriction at a time (each drop made by the workbench's
    ``PrimBox.drop_restriction``, which appends the pruned box to the trajectory): first the restriction with the
    largest quasi-p value while it exceeds ``max_qp`` (not significant; Bryant & Lempert 2010), then the one whose
    removal costs the least density while that cost is below ``tolerance``. Returns the factors dropped."""
    dropped: list[str] = []
    while True:
        limits = box.box_lims[box._cur_box]
        restricted = [c for c in limits.columns if not np.array_equal(limits[c].values, box.box_lims[0][c].values)]
        if not restricted:
            break
        worst = _worst_qp(box)
        if worst is not None and worst[1] > max_qp:
            name = worst[0]
        else:
            current = float(y[box.yi].mean())
            costs = {n: current - d for n, d in _density_without(x, y, limits, restricted).items()}
            name = min(costs, key=lambda n: costs[n])
            if tolerance <= 0 or costs[name] >= tolerance:
                break
        box.drop_restriction(name)
        dropped.append(name)
    return dropped


def discover(study: Study, opts: DiscoverOptions, seed: int = 0) -> dict[str, Any]:
    """Run PRIM and the feature scoring; returns the tables and statistics (nothing written)."""
    prim, scoring = _ema()
    x, values = cases(study, opts.include_dummy)
    y = condition_mask(opts.condition, study.columns, values)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise SimInputError(
            "condition", opts.condition, f"holds in {hits} of {len(y)} runs: PRIM needs runs on both sides"
        )
    factors = {f.name: f for f in study_factors(study)}
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(x, y, peel_alpha=opts.peel_alpha, paste_alpha=opts.paste_alpha, mass_min=opts.mass_min)
        for k in range(opts.boxes):
            box = algorithm.find_box()
            if box is None:
                break
            peeled = len(box.peeling_trajectory)
            chosen = (
                opts.box
                if opts.box is not None and k == 0
                else choose(box.peeling_trajectory, opts.min_coverage, opts.prune)
            )
            if not 0 <= chosen < peeled:
                raise SimInputError("box", chosen, f"expected a trajectory entry in 0 .. {peeled - 1}")
            box.select(chosen)
            dropped = prune(box, x, y, opts.max_qp, opts.prune)
            found.append((k, chosen, box, peeled, dropped))
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(y), size=min(opts.score_cases, len(y)), replace=False)
        scores, _ = scoring.get_ex_feature_scores(
            x.iloc[pick].reset_index(drop=True),
            y[pick],
            mode=scoring.RuleInductionType.CLASSIFICATION,
            random_state=seed,
        )
    rows, trajectories = [], []
    for k, chosen, box, peeled, dropped in found:
        final = box._cur_box
        traj = box.peeling_trajectory.copy()
        traj.insert(0, "box", k)
        traj["stage"] = ["peel/paste" if i < peeled else "pruned" for i in range(len(traj))]
        traj["chosen"] = traj["id"] == final
        trajectories.append(traj)
        limits = box.box_lims[final]
        qp = box.p_values[final]
        stats = traj.loc[final]
        for name in qp:
            lo, hi = float(limits.loc[0, name]), float(limits.loc[1, name])
            f = factors[name]
            sides = [float(v) for v in qp[name]]  # quasi-p of the lower and upper limit (-1: not restricted)
            valid = [v for v in sides if v >= 0]
            rows.append(
                {
                    "box": k,
                    "factor": name,
                    "low": lo,
                    "high": hi,
                    "bound_low": f.support[0],
                    "bound_high": f.support[1],
                    "qp_low": sides[0] if sides[0] >= 0 else np.nan,
                    "qp_high": sides[1] if sides[1] >= 0 else np.nan,
                    "qp": max(valid) if valid else np.nan,
                    "coverage": float(stats["coverage"]),
                    "density": float(stats["density"]),
                    "mass": float(stats["mass"]),
                    "res_dim": int(stats["res_dim"]),
                    "trajectory_entry": final,
                    "peeled_entry": chosen,
                    "pruned": ";".join(dropped),
                }
            )
    score_frame = scores.reset_index()
    score_frame.columns = ["factor", "score"]
    return {
        "boxes": pd.DataFrame(rows, columns=BOX_COLUMNS),
        "trajectory": pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
        "scores": score_frame,
        "runs": len(y),
        "hits": hits,
        "base_density": hits / len(y),
    }


def _rounded(value: float) -> float | None:
    return round(float(value), 4) if np.isfinite(value) else None


def plot_peeling(traj: pd.DataFrame, k: int, condition: str, path: Path, footer: str = "") -> Path:
    """Coverage against density along box ``k``'s peeling trajectory, coloured by restricted dimensions."""
    sub = traj[traj["box"] == k]
    fig = new_figure(7.6, 5.6)
    ax = fig.add_axes((0.11, 0.12, 0.72, 0.8))
    points = ax.scatter(sub["coverage"], sub["density"], c=sub["res_dim"], cmap="viridis", s=22)
    chosen = sub[sub["chosen"]]
    ax.plot(chosen["coverage"], chosen["density"], "o", mfc="none", mec=CHINA_RED, ms=14, mew=2, label="chosen box")
    bar = fig.colorbar(points, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label("restricted factors")
    ax.set_xlabel("Coverage (share of the runs meeting the condition that fall in the box)")
    ax.set_ylabel("Density (share of the box's runs meeting the condition)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left")
    ax.set_title(f"PRIM peeling trajectory: {condition}", fontsize=11)
    draw_footer(fig, footer)
    return save_figure(fig, path)


def plot_box(boxes: pd.DataFrame, k: int, condition: str, path: Path, footer: str = "") -> Path:
    """The chosen box: each restricted factor's range within its bounds (scaled to 0-1), quasi-p values."""
    sub = boxes[boxes["box"] == k].sort_values("qp")
    fig = new_figure(10.0, 2.0 + 0.45 * len(sub))
    height = fig.get_figheight()
    ax = fig.add_axes((0.3, 0.9 / height, 0.42, 1 - 1.6 / height))
    for i, r in enumerate(sub.itertuples()):
        span = r.bound_high - r.bound_low
        lo, hi = (r.low - r.bound_low) / span, (r.high - r.bound_low) / span
        ax.plot([0, 1], [i, i], color="0.85", lw=8, solid_capstyle="butt")
        ax.plot([lo, hi], [i, i], color=US_BLUE, lw=8, solid_capstyle="butt")
        ax.text(1.03, i, f"{r.low:.3g} .. {r.high:.3g} (quasi-p {r.qp:.2g})", va="center", fontsize=8.5)
    ax.set_yticks(range(len(sub)), [factor_label(f) for f in sub["factor"]], fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, len(sub) - 0.3)
    ax.set_xlabel("Position within the factor's bounds (grey: the sampled range; blue: the box)")
    first = sub.iloc[0] if len(sub) else None
    stats = f"coverage {first.coverage:.2f}, density {first.density:.2f}" if first is not None else "no restriction"
    fig.suptitle(f"Box {k + 1} for: {condition}\n{stats}", fontsize=11)
    draw_footer(fig, footer)
    return save_figure(fig, path)


def _condition_title(condition: str) -> str:
    out = condition
    for name in sorted(set(re.findall(r"[A-Za-z_][\w:.-]*", condition)), key=len, reverse=True):
        if ":" in name or name in ("regional_mean_end", "bri_members_end", "bri_exit_any"):
            out = out.replace(name, output_label(name))
    return out


def write_discovery(study: Study, opts: DiscoverOptions, seed: int = 0) -> Path:
    """Discover and write ``<study>/discovery-<name>/`` (staged, DONE last); returns the folder."""
    name = opts.name or f"discovery-{label([opts.condition.replace(' ', '')]) or 'condition'}"
    folder = RunFolder.claim(study.root / name, "name")
    try:
        result = discover(study, opts, seed)
        out = folder.staging
        atomic.write_csv(result["boxes"].round(6), out / "boxes.csv")
        atomic.write_csv(result["trajectory"].round(6), out / "trajectory.csv")
        atomic.write_csv(result["scores"].round(6), out / "scores.csv")
        title = _condition_title(opts.condition)
        foot = (
            f"study {study.root.name} \u00b7 {result['runs']:,} runs as cases \u00b7 condition met in "
            f"{result['base_density']:.0%} \u00b7 PRIM (EMA workbench)"
        )
        if opts.plots:
            for k in sorted(set(result["trajectory"]["box"])) if len(result["trajectory"]) else []:
                plot_peeling(result["trajectory"], k, title, out / "figures" / f"peeling_{k + 1}.png", foot)
                if (result["boxes"]["box"] == k).any():
                    plot_box(result["boxes"], k, title, out / "figures" / f"box_{k + 1}.png", foot)
        boxes = result["boxes"]
        summary = {
            "study": str(study.root),
            "condition": opts.condition,
            "options": opts.__dict__,
            "runs": result["runs"],
            "runs_meeting_condition": result["hits"],
            "base_density": round(result["base_density"], 6),
            "boxes": [
                {
                    "box": int(k),
                    "coverage": round(float(g["coverage"].iloc[0]), 4),
                    "density": round(float(g["density"].iloc[0]), 4),
                    "mass": round(float(g["mass"].iloc[0]), 4),
                    "restricted": {
                        r.factor: {"low": round(r.low, 6), "high": round(r.high, 6), "qp": _rounded(r.qp)}
                        for r in g.itertuples()
                    },
                }
                for k, g in boxes.groupby("box")
            ]
            if len(boxes)
            else [],
            "top_scores": result["scores"].head(10).round(4).to_dict(orient="records"),
        }
        atomic.write_json(out / "summary.json", summary)
        atomic.write_text(out / "DONE", "")
    except BaseException:
        folder.discard()
        raise
    return folder.commit()


OPTION_TYPES = {
    "condition": str,
    "peel_alpha": float,
    "paste_alpha": float,
    "mass_min": float,
    "min_coverage": float,
    "box": int,
    "boxes": int,
    "score_cases": int,
    "max_qp": float,
    "prune": float,
    "include_dummy": bool,
    "name": str,
    "plots": bool,
}


def parse_options(args: list[str], types: dict[str, type]) -> dict[str, Any]:
    """``key=value`` arguments typed by ``types`` (one-line errors for unknown keys and bad values)."""
    out: dict[str, Any] = {}
    for arg in args:
        if "=" not in arg:
            raise SimInputError("arguments", arg, f"expected key=value; keys: {', '.join(types)}")
        key, value = arg.split("=", 1)
        key = key.lstrip("+")
        if key not in types:
            raise SimInputError(key, value, f"unknown key; keys: {', '.join(types)}")
        kind = types[key]
        try:
            if kind is bool:
                if value.lower() not in ("true", "false"):
                    raise ValueError
                out[key] = value.lower() == "true"
            elif kind is list:
                out[key] = [v.strip() for v in value.strip("[]").split(",") if v.strip()]
            else:
                out[key] = kind(value)
        except ValueError:
            raise SimInputError(key, value, f"expected a {kind.__name__}") from None
    return out


def check(opts: DiscoverOptions) -> None:
    if not opts.condition:
        raise SimInputError("condition", "", 'expected a condition, e.g. condition="alignment_end:COL < -0.2"')
    for key in ("peel_alpha", "paste_alpha", "mass_min"):
        value = getattr(opts, key)
        if not 0 < value < 0.5:
            raise SimInputError(key, value, "expected a number in (0, 0.5)")
    if not 0 <= opts.min_coverage <= 1:
        raise SimInputError("min_coverage", opts.min_coverage, "expected a share in [0, 1]")
    if opts.boxes < 1 or opts.score_cases < 100:
        raise SimInputError("boxes", opts.boxes, "expected boxes >= 1 and score_cases >= 100")


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m sim.sensitivity.discover STUDY condition=... [key=value ...]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    try:
        study = read_study(args[0])
        opts = DiscoverOptions(**parse_options(args[1:], OPTION_TYPES))
        check(opts)
        seed = int(study.meta["seed"])
        folder = write_discovery(study, opts, seed)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except SimRunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    import json

    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    if not summary["boxes"]:
        print(
            f"no box: after pruning no restriction raises the density above the base {summary['base_density']:.2f} "
            "by the stated margins (see trajectory.csv)"
        )
    for box in summary["boxes"]:
        print(
            f"box {box['box'] + 1}: coverage {box['coverage']:.2f}, density {box['density']:.2f} (base "
            f"{summary['base_density']:.2f}); restricts {', '.join(box['restricted']) or 'nothing'}"
        )
    print(f"discovery directory: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
