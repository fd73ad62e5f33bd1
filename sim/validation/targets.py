"""The validation targets: each scores the model out of sample against persistence and a statistical baseline.

Every parameter used here was fitted by :mod:`sim.calibrate` on training data only (alignment 1991-2012, BRI
accession 2017-2019 with each scored state left out, recognition by leaving the scored state out, elections
1990-2009), and no target's test data were used to choose anything. Probabilities are clipped to [0.01, 0.99] before
log-losses, for every predictor alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from sim.calendar import month_label, parse_month
from sim.config import Params, RunConfig
from sim.data.index import un_alignment
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics.state import State
from sim.dynamics.update import StepResult
from sim.dynamics.world import World, build_world
from sim.engine import simulate
from sim.estimation import hazards
from sim.estimation.observed import month_range, record, window_config

CLIP = (0.01, 0.99)


@dataclass
class Row:
    """One line of ``validation/metrics.csv``."""

    target: str
    split: str
    metric: str
    model: float
    persistence: float
    baseline: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def probability_rows(
    target: str,
    split: str,
    y: Any,
    model: Any,
    persistence: Any,
    baseline: Any,
    metrics: tuple[str, ...] = ("brier", "log_loss"),
) -> list[Row]:
    """The rows scoring the event probabilities ``model``, ``persistence`` and ``baseline`` against outcomes ``y``."""
    score = {"brier": brier, "log_loss": log_loss}
    return [
        Row(target, split, m, score[m](model, y), score[m](persistence, y), score[m](baseline, y), len(y))
        for m in metrics
    ]


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    q = np.clip(np.asarray(p, float), *CLIP)
    y = np.asarray(y, bool)
    return float(-np.mean(np.where(y, np.log(q), np.log1p(-q))))


class HindcastRecorder:
    """Keeps yearly mean alignment ``(R, Y, N)`` and monthly BRI membership / recognition ``(T, R, N)``."""

    wants_contributions = False

    def begin(self, world: World, runs: np.ndarray, state: State) -> None:
        self.first_year = world.start // 12
        years = world.end // 12 - self.first_year + 1
        self.start = world.start
        self.sums = np.zeros((len(runs), years, world.n_states))
        self.counts = np.zeros(years)
        self.bri = np.zeros((world.n_months, len(runs), world.n_states), dtype=bool)
        self.prc = np.zeros((world.n_months, len(runs), world.n_states), dtype=bool)

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        y = (self.start + t) // 12 - self.first_year
        self.sums[:, y] += result.state.alignment
        self.counts[y] += 1
        self.bri[t] = result.state.bri
        self.prc[t] = result.state.prc

    def finish(self) -> dict[str, np.ndarray]:
        return {"yearly": self.sums / np.maximum(self.counts, 1)[None, :, None], "bri": self.bri, "prc": self.prc}


def hindcast(
    seeds: SeedTables, cfg: RunConfig, start: str, end: str, params: Params, runs: int, seed: int
) -> tuple[World, dict[str, np.ndarray]]:
    """The full model from the observed state before ``start`` to ``end``, replaying what the powers did and the
    observed governments; alignment, BRI membership and recognition are simulated."""
    world = build_world(seeds, replace(window_config(cfg, start, end), replay_institutions=False))
    return world, simulate(world, params, seed, runs, HindcastRecorder())


# ------------------------------------------------------------------------------- alignment change 2012 -> 2024


def regression_baseline(seeds: SeedTables, cfg: RunConfig, first: int, last: int, horizon_end: int) -> np.ndarray:
    """Linear baseline on the same covariates: ``a[y+1] - a[y] = c + rho a[y] + b . x[y]`` (OLS on the training
    years ``first..last``), iterated from ``last`` to ``horizon_end`` with the observed covariates. Returns the
    forecast index at ``horizon_end`` ``(N,)``."""
    rec = record(seeds, cfg, f"{first}-01", f"{horizon_end}-12", cfg.params)
    w = rec.world
    month_of_year = (rec.months % 12) == 6
    years = rec.months[month_of_year] // 12
    covariates = [
        rec.trade_gap[month_of_year],
        rec.affinity[month_of_year],
        w.autocracy[month_of_year],
        np.where(w.has_security[month_of_year], w.security[month_of_year], 0.0),
        rec.bri[month_of_year].astype(float) - (~rec.prc[month_of_year]).astype(float),
    ]
    index = un_alignment(seeds.panels)[years - seeds.panels.years[0]]
    train = (years >= first) & (years < last)
    xs, ys = [], []
    for k in np.flatnonzero(train):
        ok = np.isfinite(index[k]) & np.isfinite(index[k + 1])
        xs.append(np.column_stack([np.ones(ok.sum()), index[k][ok], *(c[k][ok] for c in covariates)]))
        ys.append(index[k + 1][ok] - index[k][ok])
    beta = np.linalg.lstsq(np.vstack(xs), np.concatenate(ys), rcond=None)[0]
    current = index[np.flatnonzero(years == last)[0]].copy()
    for k in np.flatnonzero((years >= last) & (years < horizon_end)):
        x = np.column_stack([np.ones(len(current)), current, *(c[k] for c in covariates)])
        current = np.clip(current + x @ beta, -1, 1)
    return current


def alignment_change(seeds: SeedTables, cfg: RunConfig, runs: int, seed: int) -> tuple[list[Row], dict[str, Any]]:
    """Index change per state 2012 -> 2024: the model from the observed end of 2012 (RMSE across states)."""
    index = un_alignment(seeds.panels)
    a12, a24 = index[2012 - 1990], index[2024 - 1990]
    world, out = hindcast(seeds, cfg, "2013-01", "2024-12", cfg.params, runs, seed)
    sim24 = out["yearly"][:, -1].mean(axis=0)
    base24 = regression_baseline(seeds, cfg, 1991, 2012, 2024)
    ok = np.isfinite(a12) & np.isfinite(a24)
    observed = (a24 - a12)[ok]

    def rmse(pred: np.ndarray) -> float:
        return float(np.sqrt(np.mean((pred[ok] - a12[ok] - observed) ** 2)))

    rows = [Row("alignment_change_2012_2024", "test", "rmse", rmse(sim24), rmse(a12), rmse(base24), int(ok.sum()))]
    years = np.arange(2013, 2025)
    obs_years = index[years - 1990]
    mask = np.isfinite(obs_years)
    sim_years = out["yearly"].mean(axis=0)
    level = float(np.sqrt(np.mean((sim_years - obs_years)[mask] ** 2)))
    persistence = float(np.sqrt(np.mean((np.broadcast_to(a12, obs_years.shape) - obs_years)[mask] ** 2)))
    rows.append(Row("alignment_level_2013_2024", "test", "rmse", level, persistence, float("nan"), int(mask.sum())))
    return rows, {"world": world, "yearly": out["yearly"], "years": years}


def alignment_training_fit(seeds: SeedTables, cfg: RunConfig) -> tuple[Row, np.ndarray]:
    """In-sample fit of the yearly index 1991-2012 (institutions replayed, as in the fit)."""
    from sim.estimation.alignment import YearlyMeans, target

    world = build_world(seeds, window_config(cfg, "1991-01", "2012-12"))
    tgt = target(world, seeds.panels)
    det = simulate(world, replace(cfg.params, shock_sd=0.0), 0, 1, YearlyMeans())[0]
    model = float(np.sqrt(np.mean((det - tgt.index)[tgt.mask] ** 2)))
    persistence = float(np.sqrt(np.mean((world.alignment0[None] - tgt.index)[tgt.mask] ** 2)))
    return Row("alignment_level_1991_2012", "train", "rmse", model, persistence, float("nan"), int(tgt.mask.sum())), det


# ------------------------------------------------------------------------------------------------ BRI accession


def _loso_params(base: Params, rec: Any, months: np.ndarray, states: range) -> list[Params]:
    """The accession hazard fitted on ``months`` leaving each state out in turn."""
    out = []
    for i in states:
        others = [j for j in states if j != i]
        fit = hazards.fit_accession(base, hazards.accession_sample(rec, months, others))
        out.append(fit.apply(base))
    return out


def _stack(params: list[Params], runs: int) -> Params:
    """One parameter set per block of ``runs`` runs (per-run ``(R, 1)`` arrays of the fields that differ)."""
    names = [n for n in hazards.BRI_FITTED]
    return replace(params[0], **{n: np.repeat([getattr(p, n) for p in params], runs)[:, None] for n in names})


def bri_wave(seeds: SeedTables, cfg: RunConfig, runs: int, seed: int) -> tuple[list[Row], dict[str, Any]]:
    """BRI membership per state at the end of 2019 from a 2016 start; each state scored with the hazard fitted
    without it (leave-one-state-out on the 2017-2019 wave)."""
    n = len(CELAC_ISO3)
    rec = record(seeds, cfg, "1991-01", "2025-10", cfg.params)
    train = month_range("2017-05", "2019-12")
    loso = _loso_params(cfg.params, rec, train, range(n))
    params = replace(cfg.params, **{k: v for k, v in _stack(loso, runs).__dict__.items() if k in hazards.BRI_FITTED})
    world, out = hindcast(seeds, cfg, "2016-01", "2019-12", params, n * runs, seed)
    end = out["bri"][-1].reshape(n, runs, n)  # block i: the runs fitted without state i
    p_model = np.array([end[i, :, i].mean() for i in range(n)])
    actual = world.observed_bri[-1]
    # baseline: cross-sectional logistic on 2016 covariates, leave-one-state-out
    t0 = int(np.flatnonzero(rec.months == parse_month("2016-06", "m"))[0])
    x = np.column_stack([rec.alignment[t0], rec.trade_gap[t0], rec.affinity[t0], rec.prc[t0].astype(float)])
    p_base = _loso_logistic(x, actual)
    rows = probability_rows("bri_member_end_2019", "loso", actual, p_model, np.zeros(n), p_base)
    return rows, {
        "p_model": p_model,
        "p_base": p_base,
        "actual": actual,
        "world": world,
        "bri": out["bri"],
        "runs": runs,
    }


def _loso_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Leave-one-out predictions of a ridge logistic regression of ``y`` on ``x`` (columns standardised)."""
    from scipy.optimize import minimize

    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1)
    design = np.column_stack([np.ones(len(z)), z])
    out = np.zeros(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i

        def nll(b: np.ndarray, d: np.ndarray = design[keep], t: np.ndarray = y[keep]) -> float:
            eta = d @ b
            return float(np.sum(np.logaddexp(0, eta) - t * eta) + 0.5 * np.sum(b[1:] ** 2))

        b = minimize(nll, np.zeros(design.shape[1]), method="BFGS").x
        out[i] = 1 / (1 + np.exp(-design[i] @ b))
    return out


def accession_timing(seeds: SeedTables, cfg: RunConfig, runs: int, seed: int) -> tuple[list[Row], dict[str, Any]]:
    """Accessions 2020-01 .. 2025-10 (Nicaragua, Argentina, Honduras, Colombia) with the hazard fitted on the 2017-2019
    wave: error of the median simulated accession month (censored at the end of the window)."""
    world, out = hindcast(seeds, cfg, "2020-01", "2025-10", cfg.params, runs, seed)
    bri = out["bri"]
    months = np.arange(world.start, world.end + 1)
    observed = world.observed_bri
    joined = (~world.bri0) & observed[-1]
    censor = world.end + 1
    actual_month = np.array([months[np.argmax(observed[:, i])] if joined[i] else censor for i in range(world.n_states)])
    first = np.where(bri.any(axis=0), months[np.argmax(bri, axis=0)], censor)  # (R, N) first month as member
    first = np.where(np.broadcast_to(world.bri0, first.shape), censor, first)
    median = np.median(first, axis=0)
    rec = record(seeds, cfg, "1991-01", "2025-10", cfg.params)
    base_median = _hazard_median(rec, cfg.params, months, censor)
    idx = np.flatnonzero(joined)
    model_err = float(np.mean(np.abs(median[idx] - actual_month[idx])))
    base_err = float(np.mean(np.abs(base_median[idx] - actual_month[idx])))
    pers_err = float(np.mean(np.abs(censor - actual_month[idx])))
    not_joined = ~world.bri0 & ~joined
    p_join = (first < censor).mean(axis=0)
    rows = [
        Row("bri_accession_timing_2020_2025", "test", "mean_abs_error_months", model_err, pers_err, base_err, len(idx)),
        Row(
            "bri_false_accessions_2020_2025",
            "test",
            "expected_count",
            float(p_join[not_joined].sum()),
            0.0,
            float("nan"),
            int(not_joined.sum()),
        ),
    ]
    return rows, {"median": median, "actual": actual_month, "joined": joined, "p_join": p_join, "world": world}


def _hazard_median(rec: Any, params: Params, months: np.ndarray, censor: int) -> np.ndarray:
    """Median accession month implied by the fitted hazard on observed covariates (the statistical baseline)."""
    x = hazards.accession_sample(rec, months)
    h = hazards.accession_hazard(params, x)
    out = np.full(rec.world.n_states, float(censor))
    for i in range(rec.world.n_states):
        sel = x["state"] == i
        if not sel.any():
            continue
        survive = np.cumprod(1 - h[sel])
        below = np.flatnonzero(survive <= 0.5)
        if len(below):
            out[i] = rec.months[x["t"][sel][below[0]]]
    return out


def panama_exit(seeds: SeedTables, cfg: RunConfig, runs: int, seed: int) -> list[Row]:
    """Panama's exit under US pressure in 2025 (the only exit on record) and, as control, any other member's."""
    world, out = hindcast(seeds, cfg, "2024-01", "2025-10", cfg.params, runs, seed)
    pan = CELAC_ISO3.index("PAN")
    members = world.bri0.copy()
    t = np.arange(world.start, world.end + 1)
    h1 = (t >= parse_month("2025-01", "m")) & (t <= parse_month("2025-06", "m"))
    left = members[None, :] & ~out["bri"][h1].all(axis=0)  # (R, N) left at some point in Jan-Jun 2025
    p_pan = float(left[:, pan].mean())
    others = members.copy()
    others[pan] = False
    p_other = float(left[:, others].any(axis=1).mean())
    return [
        Row("panama_exit_2025h1", "test", "probability", p_pan, 0.0, float("nan"), runs),
        Row("other_member_exit_2025h1", "test", "probability", p_other, 0.0, float("nan"), runs),
    ]


# ------------------------------------------------------------------------------------------ recognition switches


def recognition(seeds: SeedTables, cfg: RunConfig) -> tuple[list[Row], dict[str, Any]]:
    """Switches to Beijing 2000-2024 by state-year among Taipei's allies: the hazard refitted without the scored state
    (leave-one-state-out) against the base rate of the other states and persistence (no switch)."""
    rec = record(seeds, cfg, "1991-01", "2024-12", cfg.params)
    years = np.arange(2000, 2025)
    p_model, p_base, y_true, states = [], [], [], []
    all_months = month_range("1991-01", "2024-12")
    for i in range(len(CELAC_ISO3)):
        others = [j for j in range(len(CELAC_ISO3)) if j != i]
        fit = hazards.fit_recognition(cfg.params, hazards.recognition_sample(rec, all_months, others))
        params = fit.apply(cfg.params)
        x = hazards.recognition_sample(rec, all_months, [i])
        h = hazards.recognition_hazard(params, x)
        other = hazards.recognition_sample(rec, all_months, others)
        at_risk = ~other["prc"]
        rate = other["event"][at_risk].mean()
        year_of = rec.months[x["t"]] // 12
        for year in years:
            sel = (year_of == year) & ~x["prc"]
            if not sel.any() or not (~x["prc"][year_of == year]).all():
                continue
            p_model.append(1 - np.prod(1 - h[sel]))
            p_base.append(1 - (1 - rate) ** sel.sum())
            y_true.append(bool(x["event"][sel].any()))
            states.append(i)
    p_model_a, p_base_a, y = np.array(p_model), np.array(p_base), np.array(y_true)
    rows = probability_rows(
        "recognition_switch_2000_2024", "loso", y, p_model_a, np.zeros(len(y)), p_base_a, ("log_loss", "brier")
    )
    return rows, {"p_model": p_model_a, "y": y, "states": states}


# ------------------------------------------------------------------------------------------------------ elections


def incumbent_defeat(seeds: SeedTables, cfg: RunConfig) -> tuple[list[Row], dict[str, Any]]:
    """Incumbent-camp defeat at elections 2010-2021 (REIGN and later records), hazard fitted on 1990-2009."""
    test = hazards.election_sample(seeds, date(2010, 1, 1), date(2021, 3, 31))
    train = hazards.election_sample(seeds, date(1990, 1, 1), date(2009, 12, 31))
    p_model = hazards.defeat_hazard(cfg.params, test)
    rate = float(train["event"].mean())
    y = test["event"]
    rows = probability_rows("incumbent_defeat_2010_2021", "test", y, p_model, np.zeros(len(y)), np.full(len(y), rate))
    return rows, {"p_model": p_model, "y": y}


def history_rates(seeds: SeedTables, cfg: RunConfig, runs: int, seed: int) -> dict[str, float]:
    """From a 2016 start, with every fitted parameter: how often the model produces Colombia's 2025 accession and
    Panama's 2025 exit, and their alternatives."""
    world, out = hindcast(seeds, cfg, "2016-01", "2025-10", cfg.params, runs, seed)
    t = np.arange(world.start, world.end + 1)
    col, pan = CELAC_ISO3.index("COL"), CELAC_ISO3.index("PAN")
    bri = out["bri"]
    in2025 = t >= parse_month("2025-01", "m")
    joined_col = bri[:, :, col]
    first_col = np.where(joined_col.any(axis=0), t[np.argmax(joined_col, axis=0)], 10**9)
    pan_member = bri[:, :, pan]
    was = pan_member[~in2025].any(axis=0)
    left_2025 = was & ~pan_member[in2025].all(axis=0) & ~pan_member[-1]
    return {
        "start": "2016-01",
        "runs": runs,
        "colombia_joins_2025": float(((first_col >= parse_month("2025-01", "m")) & (first_col < 10**9)).mean()),
        "colombia_joins_before_2025": float((first_col < parse_month("2025-01", "m")).mean()),
        "colombia_member_2025_10": float(joined_col[-1].mean()),
        "panama_member_by_2024": float(was.mean()),
        "panama_leaves_2025": float(left_2025.mean()),
        "members_2025_10_mean": float(bri[-1].sum(axis=1).mean()),
        "members_2025_10_observed": int(world.observed_bri[-1].sum()),
        "end": month_label(world.end),
    }
