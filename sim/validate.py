"""``python -m sim.validate``: score the estimated model out of sample against persistence and baselines.

Writes ``validation/metrics.csv`` (columns ``target, split, metric, model, persistence, baseline, n``),
``docs/validation.md`` (whatever the result) and its figures under ``docs/img/validation_*.png``; the history rates
(Colombia and Panama in 2025 from a 2016 start) and the alignment index's correlations with independent measures go
into the report too. ``--out DIR`` writes everything under ``DIR`` instead (for tests and experiments).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.configs import load_config
from sim.data.index import un_alignment, us_scale
from sim.data.seeds import CELAC_ISO3, load_seeds
from sim.errors import SimInputError
from sim.paths import PROJECT_ROOT
from sim.validation import figures, index_validity, targets

PERSISTENCE = {
    "alignment_change_2012_2024": "no change from 2012",
    "alignment_level_2013_2024": "the 2012 value",
    "alignment_level_1991_2012": "the December 1990 value",
    "bri_member_end_2019": "membership of 2016 (none)",
    "bri_accession_timing_2020_2025": "no accession (censored at 2025-11)",
    "bri_false_accessions_2020_2025": "no accession",
    "panama_exit_2025h1": "no exit",
    "other_member_exit_2025h1": "no exit",
    "recognition_switch_2000_2024": "no switch",
    "incumbent_defeat_2010_2021": "the incumbent camp always wins",
}
BASELINE = {
    "alignment_change_2012_2024": "linear regression of yearly changes on the same covariates (1991-2012), iterated",
    "bri_member_end_2019": "logistic regression on 2016 covariates, leave-one-state-out",
    "bri_accession_timing_2020_2025": "the fitted hazard on observed (not simulated) covariates",
    "recognition_switch_2000_2024": "base rate of the other states",
    "incumbent_defeat_2010_2021": "base rate of 1990-2009",
}


def run(runs: int = 400, seed: int = 20251031, seeds_dir: str = "", progress: bool = True) -> dict[str, Any]:
    """Every target; returns the metrics table, the data behind the figures and the history rates."""
    from tqdm.auto import tqdm

    seeds = load_seeds(seeds_dir or None)
    cfg = load_config()
    if seeds_dir:
        cfg = replace(cfg, seeds_dir=seeds_dir)
    steps = [
        "training fit",
        "alignment 2012-2024",
        "BRI wave 2017-2019",
        "accessions 2020-2025",
        "Panama 2025",
        "recognition",
        "elections",
        "history rates",
    ]
    rows: list[targets.Row] = []
    data: dict[str, Any] = {}
    with tqdm(total=len(steps), desc="validation", unit="target", disable=not progress) as bar:
        row, data["train"] = targets.alignment_training_fit(seeds, cfg)
        rows.append(row)
        bar.update()
        more, data["alignment"] = targets.alignment_change(seeds, cfg, runs, seed)
        rows += more
        bar.update()
        more, data["bri"] = targets.bri_wave(seeds, cfg, max(runs // 4, 20), seed)
        rows += more
        bar.update()
        more, data["timing"] = targets.accession_timing(seeds, cfg, runs, seed)
        rows += more
        bar.update()
        rows += targets.panama_exit(seeds, cfg, runs, seed)
        bar.update()
        more, data["recognition"] = targets.recognition(seeds, cfg)
        rows += more
        bar.update()
        more, data["defeat"] = targets.incumbent_defeat(seeds, cfg)
        rows += more
        bar.update()
        data["history"] = targets.history_rates(seeds, cfg, runs, seed)
        bar.update()
    metrics = pd.DataFrame([r.as_dict() for r in rows], columns=list(targets.Row.__dataclass_fields__))
    return {"metrics": metrics, "data": data, "seeds": seeds, "cfg": cfg, "runs": runs, "seed": seed}


def _table(frame: pd.DataFrame) -> list[str]:
    cols = list(frame.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.itertuples(index=False):
        out.append("| " + " | ".join("" if (isinstance(v, float) and np.isnan(v)) else str(v) for v in rec) + " |")
    return out


def write(result: dict[str, Any], out: Path | None = None) -> list[Path]:
    """Write the metrics, figures and report (under ``out`` or the project's validation/ and docs/)."""
    root = out or PROJECT_ROOT
    img = (out / "img") if out else PROJECT_ROOT / "docs" / "img"
    report_path = (out / "validation.md") if out else PROJECT_ROOT / "docs" / "validation.md"
    metrics: pd.DataFrame = result["metrics"]
    seeds, data = result["seeds"], result["data"]
    for folder in (root / "validation", img, report_path.parent):
        folder.mkdir(parents=True, exist_ok=True)
    paths = [atomic.write_csv(metrics, (root / "validation" / "metrics.csv"), float_format="%.4f")]
    panels = seeds.panels
    index = un_alignment(panels)
    years = panels.years[panels.years <= 2024]
    align = data["alignment"]
    paths.append(
        figures.index_by_state(
            years, index[: len(years)], data["train"], align["years"], align["yearly"], img / "validation_index.png"
        )
    )
    paths.append(figures.accession_timeline(data["timing"], img / "validation_accessions.png"))
    bri, rec, defeat = data["bri"], data["recognition"], data["defeat"]
    paths.append(
        figures.reliability(
            {
                "BRI member at end-2019 (LOSO)": (bri["p_model"], bri["actual"]),
                "Switch to Beijing in a year (LOSO)": (rec["p_model"], rec["y"]),
                "Incumbent camp defeated (2010-2021)": (defeat["p_model"], defeat["y"]),
            },
            img / "validation_reliability.png",
        )
    )
    correlations = index_validity.correlations(panels)
    order = index_validity.ordering(panels, 2024, CELAC_ISO3)
    paths.append(atomic.write_csv(correlations, root / "validation" / "index_correlations.csv"))
    paths.append(atomic.write_text(report_path, report(result, correlations, order, img, report_path.parent)))
    if out is None:
        paths.append(update_readme(PROJECT_ROOT / "README.md", readme_block(result)))
    return paths


README_START, README_END = "<!-- validation:start -->", "<!-- validation:end -->"


def readme_block(result: dict[str, Any]) -> str:
    """The README's summary of the validation: the out-of-sample table and the history rates."""
    metrics: pd.DataFrame = result["metrics"].copy()
    metrics["verdict"] = metrics.apply(_verdict, axis=1)
    history = result["data"]["history"]
    lines = [
        "Generated by `python -m sim.validate` (do not edit between the markers); details in "
        "[docs/validation.md](docs/validation.md).",
        "",
        *_table(metrics[metrics["split"] != "train"].drop(columns="split")),
        "",
        f"From a January 2016 start ({history['runs']} runs, observed governments and powers' actions replayed): "
        f"Colombia joins the BRI during 2025 in {100 * history['colombia_joins_2025']:.1f}% of runs (before 2025 in "
        f"{100 * history['colombia_joins_before_2025']:.1f}%); Panama leaves during 2025 in "
        f"{100 * history['panama_leaves_2025']:.1f}%.",
    ]
    return "\n".join(lines)


def update_readme(path: Path, block: str) -> Path:
    """Replace the text between the validation markers of ``path`` (which must hold both markers once)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{path}: the markers {README_START} ... {README_END} are missing")
    new = text[: start + len(README_START)] + "\n" + block + "\n" + text[end:]
    return atomic.write_text(path, new)


def _verdict(row: pd.Series) -> str:
    lower_better = row["metric"] in ("rmse", "brier", "log_loss", "mean_abs_error_months")
    if not lower_better or np.isnan(row["model"]):
        return ""
    others = {k: row[k] for k in ("persistence", "baseline") if not np.isnan(row[k])}
    beaten = [k for k, v in others.items() if row["model"] < v]
    lost = [k for k, v in others.items() if row["model"] >= v]
    parts = []
    if beaten:
        parts.append("beats " + " and ".join(beaten))
    if lost:
        parts.append("does not beat " + " and ".join(lost))
    return "; ".join(parts)


def report(result: dict[str, Any], correlations: pd.DataFrame, order: pd.DataFrame, img: Path, report_dir: Path) -> str:
    """The Markdown report."""
    metrics: pd.DataFrame = result["metrics"].copy()
    metrics["verdict"] = metrics.apply(_verdict, axis=1)
    history = result["data"]["history"]
    panels = result["seeds"].panels

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(report_dir))
        except ValueError:
            return str(path)

    lines = [
        "# Validation against history",
        "",
        f"Generated by `python -m sim.validate` ({result['runs']} runs per hindcast, seed {result['seed']}); do not "
        "edit by hand. Every parameter was estimated by `python -m sim.calibrate` on training data only "
        "([calibration.md](calibration.md)); the scores below use years and states the fits did not see. Lower is "
        "better for every metric but the probabilities. The table reports what came out, whatever it is.",
        "",
        "## Out-of-sample skill",
        "",
        *_table(metrics),
        "",
        "What each column compares with:",
        "",
        *[
            f"- `{k}` — persistence: {v}" + (f"; baseline: {BASELINE[k]}" if k in BASELINE else "")
            for k, v in PERSISTENCE.items()
        ],
        "",
        "Splits: `train` in-sample (1991-2012); `test` years after the training window; `loso` each state scored by "
        "the hazard fitted without it. The model scores come from the full simulator (alignment, BRI membership and "
        "recognition simulated from the observed state at the start, what the powers did and the governments "
        "replayed), except recognition and elections, which score the model's own hazard on observed covariates.",
        "",
        "![Index by state](" + rel(img / "validation_index.png") + ")",
        "",
        "![Accessions 2020-2025](" + rel(img / "validation_accessions.png") + ")",
        "",
        "![Reliability](" + rel(img / "validation_reliability.png") + ")",
        "",
        "## History rates from a 2016 start",
        "",
        f"The full model from January 2016 to {history['end']} ({history['runs']} runs), with the observed governments "
        "and what the powers did, every BRI accession and exit its own:",
        "",
        f"- Colombia joins the BRI during 2025 in **{100 * history['colombia_joins_2025']:.1f}%** of runs "
        f"(before 2025 in {100 * history['colombia_joins_before_2025']:.1f}%; a member in October 2025 in "
        f"{100 * history['colombia_member_2025_10']:.1f}%).",
        f"- Panama is a member by 2024 in {100 * history['panama_member_by_2024']:.1f}% of runs and leaves during "
        f"2025 in **{100 * history['panama_leaves_2025']:.1f}%**.",
        f"- BRI members in October 2025: {history['members_2025_10_mean']:.1f} on average (observed: "
        f"{history['members_2025_10_observed']}).",
        "",
        "## The alignment index",
        "",
        f"`alignment = clip((m - x) / D, -1, 1)`: `x` a state's UN ideal point, `m` the UN median member's that year, "
        f"`D` = {us_scale(panels):.3f} the US's median distance from `m` over 1990-2012 (sim/data/index.py). The "
        "alternatives tried and their correlations with independent measures (pooled state-years; expected signs "
        "in sim/validation/index_validity.py):",
        "",
        *_table(correlations.pivot_table(index=["measure", "years"], columns="index", values="pearson").reset_index()),
        "",
        "Ordering in 2024 (chosen index `un_alignment` and the alternatives):",
        "",
        *_table(order.reset_index(names="state")),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="runs per hindcast (default 400)")
    parser.add_argument("--seed", type=int, default=20251031, help="experiment seed (default 20251031)")
    parser.add_argument("--seeds-dir", default="", help="an alternative seeds folder")
    parser.add_argument("--out", type=Path, default=None, help="write here instead of validation/ and docs/")
    args = parser.parse_args(argv)
    if args.runs < 4:
        print(f"error: --runs: got {args.runs}; expected at least 4", file=sys.stderr)
        return 2
    try:
        result = run(args.runs, args.seed, args.seeds_dir)
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in write(result, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
