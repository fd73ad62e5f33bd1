"""Fitting the continuous alignment dynamics on the yearly index, 1991-2012.

The model is run over the training years from the observed state of December 1990, with every driver observed and
the record's BRI membership and recognition replayed (the dynamics are fitted conditionally on the discrete events,
whose hazards are fitted separately). The loss is the RMSE, over state-years, between the simulated yearly mean
alignment and the observed index. For each candidate parameter set the state effects are solved on the same years
(ridge-shrunk toward 0, see :func:`state_effects`), so the loss is that of the best state effects for the candidate.

Point estimate: Optuna (TPE sampler, ask/tell), each batch of candidates evaluated in one call of the batched engine.
Uncertainty: history matching (:func:`history_match`) keeps every parameter set whose implausibility on the training
summaries stays below 3 (Vernon, Goldstein & Bower 2010, Bayesian Analysis 5(4); Andrianakis et al. 2015, PLoS
Comput Biol 11(1)), in waves that sample the region not yet ruled out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.config import Params, param_meta
from sim.data.index import un_alignment
from sim.dynamics.state import State
from sim.dynamics.update import StepResult
from sim.dynamics.world import World
from sim.engine import simulate

FITTED = (
    "w_trade",
    "beta_trade",
    "w_finance",
    "beta_finance",
    "finance_decay",
    "w_coercion",
    "w_ideology",
    "w_regime",
    "w_security",
    "w_neighbours",
    "w_institutions",
    "w_state",
    "neutral",
)
"""Parameters of the alignment dynamics fitted on 1991-2012 (the others are priors or fitted elsewhere)."""
RIDGE_YEARS = 5.0
"""Shrinkage of the state effects: as if each state had this many extra years of data at effect 0."""


class YearlyMeans:
    """Recorder keeping each run's mean alignment per calendar year ``(runs, years, states)``."""

    wants_contributions = False

    def begin(self, world: World, runs: np.ndarray, state: State) -> None:
        self.first_year = world.start // 12
        self.years = world.end // 12 - self.first_year + 1
        self.sums = np.zeros((len(runs), self.years, world.n_states))
        self.counts = np.zeros(self.years)
        self.start = world.start

    def record(self, i: int, t: int, before: State, result: StepResult) -> None:
        y = (self.start + t) // 12 - self.first_year
        self.sums[:, y] += result.state.alignment
        self.counts[y] += 1

    def finish(self) -> np.ndarray:
        return self.sums / np.maximum(self.counts, 1)[None, :, None]


@dataclass(frozen=True)
class Target:
    """The observed yearly index over the simulated years, and which state-years have an observation."""

    years: np.ndarray  # (Y,)
    index: np.ndarray  # (Y, N), NaN where unobserved
    mask: np.ndarray  # (Y, N) bool


def target(world: World, panels: Any) -> Target:
    years = np.arange(world.start // 12, world.end // 12 + 1)
    index = un_alignment(panels)[years - panels.years[0]]
    return Target(years, index, np.isfinite(index))


def per_run(base: Params, values: dict[str, np.ndarray]) -> Params:
    """``base`` with each named parameter given one value per run, as ``(R, 1)`` arrays."""
    return replace(base, **{k: np.asarray(v, dtype=float)[:, None] for k, v in values.items()})


def _yearly(world: World, params: Params, effects: np.ndarray) -> np.ndarray:
    runs = effects.shape[0]
    w = replace(world, state_effect=effects)
    return simulate(w, replace(params, shock_sd=0.0), seed=0, runs=runs, recorder=YearlyMeans())


def state_effects(world: World, params: Params, tgt: Target, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Ridge estimates of each run's state effects ``(R, N)`` and the simulated yearly means that use them.

    The dynamics are linear in the effects away from the bounds, so one pass at effect 0 and one at effect 1 give
    each state's response ``g`` to its own effect (neighbours' spill-over included); the effect minimising the squared
    gap to the index plus ``RIDGE_YEARS`` pseudo-years at 0 is ``sum(g r) / (sum(g^2) + RIDGE_YEARS * mean(g^2))``.
    A third pass simulates with the estimates (the loss is always that of an actual simulation).
    """
    n = world.n_states
    zero = _yearly(world, params, np.zeros((runs, n)))
    one = _yearly(world, params, np.ones((runs, n)))
    g = one - zero  # (R, Y, N)
    r = np.where(tgt.mask[None], tgt.index[None] - zero, 0.0)
    g_obs = np.where(tgt.mask[None], g, 0.0)
    g2 = (g_obs**2).sum(axis=1)
    mean_g2 = g2 / np.maximum(tgt.mask.sum(axis=0), 1)[None, :]
    effects = np.clip((g_obs * r).sum(axis=1) / (g2 + RIDGE_YEARS * mean_g2 + 1e-12), -1.0, 1.0)
    return effects, _yearly(world, params, effects)


def rmse(sim: np.ndarray, tgt: Target) -> np.ndarray:
    """``(R,)`` RMSE over the observed state-years."""
    err = np.where(tgt.mask[None], sim - tgt.index[None], 0.0)
    return np.sqrt((err**2).sum(axis=(1, 2)) / tgt.mask.sum())


def evaluate(world: World, base: Params, tgt: Target, values: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Loss, state effects and yearly paths of a batch of candidate parameter sets (one per row of ``values``)."""
    runs = len(next(iter(values.values())))
    params = per_run(base, values)
    effects, sim = state_effects(world, params, tgt, runs)
    return rmse(sim, tgt), effects, sim


def search_space(names: tuple[str, ...] = FITTED) -> dict[str, tuple[float, float]]:
    """Each fitted parameter's search range: its documented range (``Params`` metadata)."""
    return {n: tuple(param_meta(n)["range"]) for n in names}  # type: ignore[misc]


@dataclass
class PointFit:
    values: dict[str, float]
    effects: np.ndarray  # (N,)
    loss: float
    trials: list[dict[str, float]]


def optimise(
    world: World,
    base: Params,
    tgt: Target,
    trials: int,
    batch: int,
    seed: int,
    progress: Callable[[int], object] | None = None,
) -> PointFit:
    """Minimise the training RMSE with Optuna's TPE sampler, asking and telling ``batch`` candidates at a time."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = search_space()
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=min(64, trials // 4))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial({n: float(np.clip(getattr(base, n), *space[n])) for n in FITTED})
    dists = {n: optuna.distributions.FloatDistribution(lo, hi) for n, (lo, hi) in space.items()}
    history: list[dict[str, float]] = []
    best: tuple[float, dict[str, float], np.ndarray] | None = None
    done = 0
    while done < trials:
        n = min(batch, trials - done)
        asked = [study.ask(dists) for _ in range(n)]
        values = {name: np.array([t.params[name] for t in asked]) for name in FITTED}
        loss, effects, _ = evaluate(world, base, tgt, values)
        for k, trial in enumerate(asked):
            study.tell(trial, float(loss[k]))
            history.append({"trial": trial.number, "rmse": float(loss[k]), **trial.params})
            if best is None or loss[k] < best[0]:
                best = (float(loss[k]), dict(trial.params), effects[k])
        done += n
        if progress is not None:
            progress(n)
    assert best is not None
    return PointFit(best[1], best[2], best[0], history)


def _period_mean_variance(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Variance of each state's mean over a period, from its year-to-year scatter (NaN without observations)."""
    n = mask.sum(axis=0)
    mean = np.where(mask, values, 0.0).sum(axis=0) / np.maximum(n, 1)
    scatter = np.where(mask, (np.nan_to_num(values) - mean) ** 2, 0.0).sum(axis=0) / np.maximum(n, 1)
    return np.where(n > 0, scatter / np.maximum(n, 1), np.nan)


def history_match(
    world: World,
    base: Params,
    tgt: Target,
    best: PointFit,
    waves: int,
    per_wave: int,
    seed: int,
    cutoff: float = 3.0,
    progress: Callable[[int], object] | None = None,
) -> dict[str, Any]:
    """Parameter sets consistent with the training record (implausibility below ``cutoff`` on every summary).

    Summaries: each state's mean index over 1991-2001 and 2002-2012 (66 numbers). Implausibility of a summary:
    ``|observed - simulated| / sqrt(V_obs + V_md)`` with ``V_obs`` the variance of the observed period mean (from the
    year-to-year scatter) and ``V_md`` the model discrepancy: the best fit's mean squared summary error. Wave 1
    samples the search box (scrambled Sobol); each later wave samples the bounding box of the sets not ruled out.
    """
    from scipy.stats import qmc

    space = search_space()
    names = list(space)
    lo = np.array([space[n][0] for n in names])
    hi = np.array([space[n][1] for n in names])
    halves = [tgt.years <= 2001, tgt.years > 2001]

    def summaries(yearly: np.ndarray) -> np.ndarray:
        out = []
        for half in halves:
            mask = tgt.mask[half][None]
            out.append(np.where(mask, yearly[:, half], 0.0).sum(axis=1) / np.maximum(mask.sum(axis=1), 1))
        return np.concatenate(out, axis=1)  # (R, 2N)

    observed = summaries(np.nan_to_num(tgt.index)[None])[0]
    v_obs = np.concatenate([_period_mean_variance(tgt.index[half], tgt.mask[half]) for half in halves])
    _, _, best_path = evaluate(world, base, tgt, {n: np.array([best.values[n]]) for n in names})
    v_md = float(np.mean((summaries(best_path)[0] - observed) ** 2))
    scale = np.sqrt(np.nan_to_num(v_obs, nan=v_md) + v_md)
    kept_x: list[np.ndarray] = []
    kept_effects: list[np.ndarray] = []
    kept_loss: list[np.ndarray] = []
    report = []
    box_lo, box_hi = lo.copy(), hi.copy()
    for wave in range(1, waves + 1):
        x = qmc.scale(qmc.Sobol(len(names), seed=seed + wave).random(per_wave), box_lo, box_hi)
        loss, effects, paths = evaluate(world, base, tgt, {n: x[:, j] for j, n in enumerate(names)})
        implausibility = np.abs(summaries(paths) - observed[None]) / scale[None]
        ok = np.max(implausibility, axis=1) < cutoff
        report.append({"wave": wave, "sampled": per_wave, "not_ruled_out": int(ok.sum())})
        if progress is not None:
            progress(per_wave)
        if ok.any():
            kept_x.append(x[ok])
            kept_effects.append(effects[ok])
            kept_loss.append(loss[ok])
            box_lo, box_hi = x[ok].min(axis=0), x[ok].max(axis=0)
    x = np.concatenate(kept_x) if kept_x else np.zeros((0, len(names)))
    return {
        "names": names,
        "values": x,
        "effects": np.concatenate(kept_effects) if kept_effects else np.zeros((0, world.n_states)),
        "rmse": np.concatenate(kept_loss) if kept_loss else np.zeros(0),
        "waves": report,
        "v_md": v_md,
    }


def fit_shock_sd(world: World, params: Params, effects: np.ndarray, tgt: Target, panels: Any, runs: int = 64) -> dict:
    """Monthly shock s.d. by the method of moments on year-to-year changes of the training years:
    ``Var(observed change) = Var(deterministic change) + Var(shocks)``.

    The shocks then also carry the ideal points' measurement error: an upper bound on the process noise. (The
    posterior intervals cannot separate the two: the dynamic ideal-point model's errors are correlated from year to
    year, so ``2 Var(measurement)`` from them — reported as ``v_meas`` — overstates the error of a yearly change.)
    The shock variance is simulated at a reference s.d. and scales with its square (the dynamics are linear in the
    shocks away from the bounds).
    """
    from sim.data.index import us_scale

    reference = 0.01
    w = replace(world, state_effect=effects)
    det = simulate(w, replace(params, shock_sd=0.0), seed=0, runs=1, recorder=YearlyMeans())[0]
    noisy = simulate(w, replace(params, shock_sd=reference), seed=7, runs=runs, recorder=YearlyMeans())
    both = tgt.mask[1:] & tgt.mask[:-1]
    v_obs = float(np.var(np.diff(tgt.index, axis=0)[both]))
    v_det = float(np.var(np.diff(det, axis=0)[both]))
    v_proc = float(np.mean(np.var(np.diff(noisy - det[None], axis=1)[:, both], axis=1)))
    years = tgt.years - panels.years[0]
    sd = (panels.table("unga_ideal_point_q95") - panels.table("unga_ideal_point_q5"))[years] / 3.29 / us_scale(panels)
    v_meas = float(np.nanmean(sd[tgt.mask] ** 2))
    excess = max(v_obs - v_det, 0.0)
    value = float(np.clip(reference * np.sqrt(excess / max(v_proc, 1e-12)), *param_meta("shock_sd")["range"]))
    return {"shock_sd": value, "v_obs": v_obs, "v_det": v_det, "v_meas": v_meas, "v_proc_ref": v_proc}
