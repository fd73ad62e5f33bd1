"""``python -m sim.calibrate``: estimate the behavioural parameters on the record and make them the default.

Fits, each on its training data only (the years ``python -m sim.validate`` scores are never used):

* alignment dynamics on the yearly index 1991-2012 (Optuna, ask/tell in batches through the engine) and an ensemble
  of parameter sets consistent with it (history matching) — :mod:`sim.estimation.alignment`;
* BRI accession hazard on state-months of the 2017-2019 wave; recognition switches on 1991-2024 state-months;
  incumbent-camp defeat on the elections of 1990-2009; the ideology of new governments on 1990-2009 changes —
  :mod:`sim.estimation.hazards`.

Writes ``conf/estimates/fitted.yaml`` (the default estimates of every run), ``conf/estimates/ensemble.csv`` (the
history-matching ensemble) and ``docs/calibration.md`` (the fit report), all atomically; the trials go to
``outputs/calibration/trials.csv``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.config import Params, RunConfig, param_meta
from sim.configs import load_config
from sim.data.seeds import CELAC_ISO3, SeedTables, load_seeds
from sim.dynamics.world import build_world
from sim.errors import SimInputError
from sim.estimation import alignment as fit_alignment
from sim.estimation import hazards
from sim.estimation.observed import month_range, record, window_config
from sim.paths import CONF_DIR, PROJECT_ROOT

ALIGNMENT_TRAIN = ("1991-01", "2012-12")
BRI_TRAIN = ("2017-05", "2019-12")
RECOGNITION_TRAIN = ("1991-01", "2024-12")
ELECTIONS_TRAIN = (date(1990, 1, 1), date(2009, 12, 31))
FITTED_YAML = CONF_DIR / "estimates" / "fitted.yaml"
ENSEMBLE_CSV = CONF_DIR / "estimates" / "ensemble.csv"
REPORT = PROJECT_ROOT / "docs" / "calibration.md"


@dataclass
class Calibration:
    """Everything the calibration estimated, with its diagnostics."""

    params: Params
    state_effects: dict[str, float]
    alignment: fit_alignment.PointFit
    baseline_rmse: float
    ensemble: dict[str, Any]
    bri: hazards.Fit
    recognition: hazards.Fit
    defeat: hazards.Fit
    turnover: dict[str, float]
    noise: dict[str, float]


def prior_config(seeds_dir: str = "") -> RunConfig:
    """The configuration the fit starts from: the priors (``estimates=prior``)."""
    cfg = load_config("estimates=prior")
    return replace(cfg, seeds_dir=seeds_dir) if seeds_dir else cfg


def calibrate(
    seeds: SeedTables,
    cfg: RunConfig,
    trials: int = 1536,
    batch: int = 64,
    waves: int = 3,
    per_wave: int = 1024,
    seed: int = 1,
    progress: bool = True,
) -> Calibration:
    """Run every fit (starting from ``cfg.params``, the priors)."""
    from tqdm.auto import tqdm

    base = cfg.params
    # discrete choices first: they do not depend on the alignment dynamics (observed covariates)
    rec = record(seeds, cfg, RECOGNITION_TRAIN[0], "2025-10", base)
    bri = hazards.fit_accession(base, hazards.accession_sample(rec, month_range(*BRI_TRAIN)))
    recognition = hazards.fit_recognition(base, hazards.recognition_sample(rec, month_range(*RECOGNITION_TRAIN)))
    defeat = hazards.fit_defeat(base, hazards.election_sample(seeds, *ELECTIONS_TRAIN))
    turnover = hazards.turnover_ideology(seeds, *ELECTIONS_TRAIN)
    params = replace(
        base,
        **bri.values,
        **recognition.values,
        **defeat.values,
        **{k: v for k, v in turnover.items() if k in {f.name for f in fields(Params)}},
    )
    # alignment dynamics on the yearly index
    world = build_world(seeds, window_config(replace(cfg, params=params), *ALIGNMENT_TRAIN))
    tgt = fit_alignment.target(world, seeds.panels)
    total = trials + waves * per_wave
    with tqdm(total=total, desc="calibration: alignment fits", unit="set", disable=not progress) as bar:
        point = fit_alignment.optimise(world, params, tgt, trials, batch, seed, progress=bar.update)
        ensemble = fit_alignment.history_match(world, params, tgt, point, waves, per_wave, seed, progress=bar.update)
    baseline = float(np.sqrt(np.nanmean((tgt.index - world.alignment0[None]) ** 2)))
    params = replace(params, **{k: float(v) for k, v in point.values.items()})
    noise = fit_alignment.fit_shock_sd(world, params, point.effects[None], tgt, seeds.panels)
    params = replace(params, shock_sd=noise["shock_sd"])
    effects = {code: round(float(e), 4) for code, e in zip(CELAC_ISO3, point.effects, strict=True)}
    return Calibration(params, effects, point, baseline, ensemble, bri, recognition, defeat, turnover, noise)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def fitted_yaml(cal: Calibration, settings: dict[str, Any]) -> str:
    """``conf/estimates/fitted.yaml``: every parameter whose basis is "fitted", and the state effects."""
    fitted = [f.name for f in fields(Params) if param_meta(f.name).get("basis") == "fitted"]
    lines = [
        "# @package _global_",
        "# Estimates of the behavioural parameters on the 1990-2024 record, written by `python -m sim.calibrate`",
        f"# ({', '.join(f'{k}={v}' for k, v in settings.items())}). Do not edit by hand: re-run the calibration.",
        "# Report: docs/calibration.md. Priors (the starting point): sim/config.py Params (`estimates=prior`).",
        "params:",
    ]
    lines += [f"  {name}: {_fmt(getattr(cal.params, name))}" for name in fitted]
    lines.append("# each state's own position relative to params.neutral (alignment units), ridge-shrunk toward 0")
    lines.append("state_effects:")
    lines += [f"  {code}: {_fmt(value)}" for code, value in cal.state_effects.items()]
    return "\n".join(lines) + "\n"


def report(cal: Calibration, settings: dict[str, Any]) -> str:
    """The fit report (Markdown)."""
    out = [
        "# Calibration report",
        "",
        "Generated by `python -m sim.calibrate` "
        f"({', '.join(f'{k}={v}' for k, v in settings.items())}); do not edit by hand. The fitted values are the "
        "default of every run (`conf/estimates/fitted.yaml`); `estimates=prior` runs the priors instead. Out-of-sample "
        "skill against baselines is in [validation.md](validation.md).",
        "",
        "## Alignment dynamics (yearly index, 1991-2012)",
        "",
        f"Optuna TPE, {len(cal.alignment.trials)} candidate sets evaluated in batches through the engine. Training "
        f"RMSE of the yearly index: **{cal.alignment.loss:.4f}** (holding every state at its December 1990 value: "
        f"{cal.baseline_rmse:.4f}). BRI membership and recognition are replayed from the record during this fit.",
        "",
        "| parameter | fitted | prior | range | unit | meaning |",
        "|---|---|---|---|---|---|",
    ]
    prior = Params()
    for name in fit_alignment.FITTED:
        meta = param_meta(name)
        out.append(
            f"| `{name}` | {getattr(cal.params, name):.4g} | {getattr(prior, name):.4g} | {meta['range'][0]}-"
            f"{meta['range'][1]} | {meta['unit']} | {meta['doc']} |"
        )
    ens = cal.ensemble
    out += [
        "",
        f"Monthly shock s.d. (method of moments on year-to-year changes): **{cal.noise['shock_sd']:.4f}** — "
        f"variance of observed changes {cal.noise['v_obs']:.5f} = deterministic {cal.noise['v_det']:.5f} + shocks. "
        "The shocks also carry the ideal points' measurement error (their posterior variance, "
        f"{cal.noise['v_meas']:.5f}, is correlated across years and cannot be separated), so this is an upper bound.",
        "",
        "### Ensemble consistent with the record (history matching)",
        "",
        f"Implausibility cut-off 3 on 66 summaries (each state's mean index in 1991-2001 and 2002-2012); model "
        f"discrepancy variance {ens['v_md']:.5f}.",
        "",
        "| wave | sampled | not ruled out |",
        "|---|---|---|",
        *[f"| {w['wave']} | {w['sampled']} | {w['not_ruled_out']} |" for w in ens["waves"]],
        "",
    ]
    if len(ens["values"]):
        out += ["| parameter | 5% | median | 95% |", "|---|---|---|---|"]
        for j, name in enumerate(ens["names"]):
            q = np.quantile(ens["values"][:, j], [0.05, 0.5, 0.95])
            out.append(f"| `{name}` | {q[0]:.4g} | {q[1]:.4g} | {q[2]:.4g} |")
        out.append("")
    out += [
        "### State effects (diagnostic)",
        "",
        "Each state's own position relative to `neutral` "
        f"({cal.params.neutral:.3f}), solved on the training years with {fit_alignment.RIDGE_YEARS:g} pseudo-years "
        "at 0: what the mechanisms leave unexplained. Large values flag states the mechanisms miss.",
        "",
        "| state | effect |",
        "|---|---|",
        *[f"| {c} | {v:+.3f} |" for c, v in sorted(cal.state_effects.items(), key=lambda kv: -abs(kv[1]))],
        "",
    ]
    for title, fit, window in (
        ("BRI accession hazard (state-months at risk, 2017-05 .. 2019-12)", cal.bri, BRI_TRAIN),
        ("Recognition switches (state-months, 1991-2024)", cal.recognition, RECOGNITION_TRAIN),
        ("Incumbent-camp defeat (elections 1990-2009)", cal.defeat, ELECTIONS_TRAIN),
    ):
        out += [
            f"## {title}",
            "",
            f"Maximum likelihood ({fit.n} observations, {fit.events} events, log-likelihood {fit.loglik:.2f}); "
            f"window {window[0]} .. {window[1]}.",
            "",
            "| parameter | estimate | s.e. |",
            "|---|---|---|",
            *[f"| `{k}` | {v:.4g} | {fit.se[k]:.3g} |" for k, v in fit.values.items()],
            "",
        ]
    t = cal.turnover
    out += [
        "## Ideology of new governments (leader changes 1990-2009)",
        "",
        f"After a change of camp ({t['n_ousted']} cases): `turnover_persistence` = {t['turnover_persistence']:.3f}, "
        f"`turnover_sd` = {t['turnover_sd']:.3f}; within a camp ({t['n_successors']} cases): `successor_sd` = "
        f"{t['successor_sd']:.3f}.",
        "",
    ]
    return "\n".join(out)


def write(cal: Calibration, settings: dict[str, Any], out_dir: Path | None = None) -> list[Path]:
    """Write the fitted estimates, the ensemble, the report and the trials."""
    yaml_path = (out_dir / "fitted.yaml") if out_dir else FITTED_YAML
    ens_path = (out_dir / "ensemble.csv") if out_dir else ENSEMBLE_CSV
    rep_path = (out_dir / "calibration.md") if out_dir else REPORT
    paths = [atomic.write_text(yaml_path, fitted_yaml(cal, settings))]
    ens = cal.ensemble
    frame = pd.DataFrame(ens["values"], columns=ens["names"]).round(6)
    frame["rmse"] = np.round(ens["rmse"], 6)
    paths.append(atomic.write_csv(frame, ens_path))
    paths.append(atomic.write_text(rep_path, report(cal, settings)))
    trials_dir = (out_dir or Path("outputs")) / "calibration"
    trials_dir.mkdir(parents=True, exist_ok=True)
    paths.append(atomic.write_csv(pd.DataFrame(cal.alignment.trials).round(6), trials_dir / "trials.csv"))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1536, help="Optuna candidate sets (default 1536)")
    parser.add_argument("--batch", type=int, default=64, help="candidates per engine batch (default 64)")
    parser.add_argument("--waves", type=int, default=3, help="history-matching waves (default 3)")
    parser.add_argument("--per-wave", type=int, default=1024, help="parameter sets per wave (default 1024)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the samplers (default 1)")
    parser.add_argument("--seeds-dir", default="", help="an alternative seeds folder")
    parser.add_argument("--out", type=Path, default=None, help="write here instead of conf/estimates and docs/")
    args = parser.parse_args(argv)
    for name in ("trials", "batch", "waves", "per_wave"):
        if getattr(args, name) < 1:
            print(f"error: --{name.replace('_', '-')}: got {getattr(args, name)}; expected at least 1", file=sys.stderr)
            return 2
    try:
        seeds = load_seeds(args.seeds_dir or None)
        cal = calibrate(
            seeds, prior_config(args.seeds_dir), args.trials, args.batch, args.waves, args.per_wave, args.seed
        )
    except SimInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    settings = {"trials": args.trials, "waves": args.waves, "per_wave": args.per_wave, "seed": args.seed}
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    for path in write(cal, settings, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
