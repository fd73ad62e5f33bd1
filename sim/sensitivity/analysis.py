"""Indices from a study's sample and outputs, with SALib 1.6 (no estimator is written here).

* ``sobol``: :func:`SALib.analyze.sobol.analyze` (first-order S1 and total ST with bootstrap confidence intervals;
  S2 with ``calc_second_order``);
* ``morris``: :func:`SALib.analyze.morris.analyze` (mu, mu*, sigma, mu* confidence interval);
* ``pawn``: :func:`SALib.analyze.pawn.analyze` (KS statistics over conditioning slices: median, min, mean, max, CV);
  the median's confidence interval is a bootstrap over the sample's rows (each resample analysed by SALib; percentile
  interval shifted by the bootstrap's bias), computed for the scalar outputs.

Every output column goes through one :class:`SALib.ProblemSpec` (``set_results`` with a ``(rows, outputs)`` matrix;
SALib analyses each column), so 33 states' indices are one call. The outputs analysed are each set's mean over its
replications.

Replication noise (:func:`noise_table`) is the within-set variance across replications, as a share of the variance
of single runs and of the set means. With common random numbers (the default: replication ``k`` of every set draws
the same stream) the set means are a deterministic function of the factors, so the dummy's indices are exactly 0
(Sobol S1, ST; Morris mu*): they check the analysis, not the noise. The noise floor is then derived from the
within-set variance (:func:`noise_bounds`): the index that, in expectation, the R streams can give a factor the
mean model does not depend on. With independent streams (``common_random_numbers=false``) every set draws its own
numbers and the dummy's indices estimate the noise floor. Flags mark confidence intervals wider than a stated
bound, intervals that include 0 for an index reported as influential, and indices not above the noise floor.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimInputError
from sim.sensitivity.outputs import SCALARS
from sim.sensitivity.sampling import problem, rows_per_base
from sim.sensitivity.space import DUMMY, Factor

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}
"""The index each method ranks factors by (figures, heatmaps)."""
INDEX_COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu", "mu_star", "mu_star_conf", "sigma"],
    "pawn": ["median", "median_low", "median_high", "minimum", "mean", "maximum", "CV"],
}


@dataclass(frozen=True)
class Options:
    """Analysis settings: SALib's (``num_resamples``, ``conf_level``, ``calc_second_order``, ``num_levels``,
    ``pawn_slices``, ``seed``) and the convergence check's stated bounds.

    ``max_conf``: largest acceptable half-width of a Sobol index's confidence interval (SALib's ``*_conf``);
    ``influential``: ST (S1 for its own flag) at or above which a Sobol index is reported as influential;
    ``max_relative``: largest acceptable half-width of mu* (Morris) or of the PAWN median's interval, relative to the
    index. ``common_random_numbers``: the study's runs share their streams across sets (the noise floor comes from
    the within-set variance, :func:`noise_bounds`) or not (the dummy's upper bound is the floor).
    """

    method: str = "sobol"
    calc_second_order: bool = False
    num_levels: int = 4
    pawn_slices: int = 10
    num_resamples: int = 100
    conf_level: float = 0.95
    seed: int = 0
    max_conf: float = 0.05
    influential: float = 0.05
    max_relative: float = 0.5
    common_random_numbers: bool = True  # the study's streams (set from the study by report.write_analysis)
    workers: int = 1  # processes for the PAWN bootstrap (results do not depend on it)


@dataclass
class Analysis:
    """What an analysis produced: the indices table, S2 (Sobol with second order), noise and convergence tables."""

    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    noise: pd.DataFrame
    convergence: pd.DataFrame
    outputs: list[str]
    constant: list[str]


def _salib(
    factors: Sequence[Factor], x: np.ndarray, y: np.ndarray, outputs: list[str], opts: Options
) -> dict[str, Any]:
    """SALib results per output (one ProblemSpec over every output column)."""
    from SALib.analyze import morris, pawn, sobol

    spec = problem(factors, outputs)
    spec.samples = x
    spec.set_results(y if len(outputs) > 1 else y[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Constant values encountered")  # small convergence subsets
        if opts.method == "sobol":
            spec.analyze(
                sobol.analyze,
                calc_second_order=opts.calc_second_order,
                num_resamples=opts.num_resamples,
                conf_level=opts.conf_level,
                seed=opts.seed,
            )
        elif opts.method == "morris":
            spec.analyze(
                morris.analyze,
                num_resamples=opts.num_resamples,
                conf_level=opts.conf_level,
                num_levels=opts.num_levels,
                seed=opts.seed,
            )
        else:
            spec.analyze(pawn.analyze, S=opts.pawn_slices, seed=opts.seed)
    result = spec.analysis
    return result if len(outputs) > 1 else {outputs[0]: result}


def _pawn_medians(
    factors: Sequence[Factor], x: np.ndarray, y: np.ndarray, slices: int, seed: int, picks: np.ndarray
) -> np.ndarray:
    """PAWN medians of the resamples ``picks`` ``(resamples, rows)`` (each analysed by SALib)."""
    from SALib.analyze import pawn

    spec = problem(factors)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.array([pawn.analyze(spec, x[p], y[p], S=slices, seed=seed)["median"] for p in picks])


def _pawn_interval(
    factors: Sequence[Factor], x: np.ndarray, y: np.ndarray, opts: Options, estimate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap interval of the PAWN median per factor: rows resampled with replacement (drawn from ``seed`` up
    front, so the interval does not depend on ``workers``), each resample analysed by
    :func:`SALib.analyze.pawn.analyze`; the percentile interval shifted by the bootstrap's bias (mean of the
    resamples minus ``estimate``): a resample repeats rows, which raises every KS distance, so the raw percentile
    interval would lie above the estimate."""
    picks = np.random.default_rng(opts.seed).integers(0, len(x), (opts.num_resamples, len(x)))
    parts = np.array_split(picks, max(1, min(opts.workers, opts.num_resamples)))
    if len(parts) == 1:
        medians = _pawn_medians(factors, x, y, opts.pawn_slices, opts.seed, picks)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()  # no plain fork from a threaded process (see design.py)
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(len(parts), mp_context=context) as pool:
            jobs = [pool.submit(_pawn_medians, factors, x, y, opts.pawn_slices, opts.seed, p) for p in parts]
            medians = np.concatenate([j.result() for j in jobs])
    alpha = (1.0 - opts.conf_level) / 2
    bias = medians.mean(axis=0) - estimate
    return np.quantile(medians, alpha, axis=0) - bias, np.quantile(medians, 1 - alpha, axis=0) - bias


def indices_frame(
    factors: Sequence[Factor], x: np.ndarray, y: np.ndarray, outputs: list[str], opts: Options, intervals: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The indices of every factor for every output: one row per (output, factor), columns of
    :data:`INDEX_COLUMNS`; and the S2 table (Sobol with second order) or ``None``."""
    results = _salib(factors, x, y, outputs, opts)
    names = [f.name for f in factors]
    frames, second = [], []
    for k, out in enumerate(outputs):
        res = results[out]
        frame = pd.DataFrame({"output": out, "factor": names})
        if opts.method == "pawn":
            for col in ("median", "minimum", "mean", "maximum", "CV"):
                frame[col] = np.asarray(res[col], dtype=float)
            lo = hi = np.full(len(names), np.nan)
            if intervals and out in SCALARS:
                lo, hi = _pawn_interval(factors, x, y[:, k], opts, frame["median"].to_numpy())
            frame["median_low"], frame["median_high"] = lo, hi
        else:
            for col in INDEX_COLUMNS[opts.method]:
                frame[col] = np.asarray(res[col], dtype=float)
        frames.append(frame[["output", "factor", *INDEX_COLUMNS[opts.method]]])
        if opts.method == "sobol" and opts.calc_second_order:
            s2, s2c = np.asarray(res["S2"]), np.asarray(res["S2_conf"])
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    second.append((out, names[i], names[j], s2[i, j], s2c[i, j]))
    s2frame = pd.DataFrame(second, columns=["output", "factor", "factor2", "S2", "S2_conf"]) if second else None
    return pd.concat(frames, ignore_index=True), s2frame


def noise_bounds(y_runs: np.ndarray, method: str, num_levels: int = 4) -> np.ndarray:
    """Per output column of ``y_runs`` ``(rows, R, outputs)``: the largest index that, in expectation, replication
    noise gives a factor the mean model does not depend on, when every set draws the same R streams; NaN with one
    replication, and for PAWN (whose dummy carries the KS statistic's sampling floor).

    The set mean is ``g(x) = m(x) + e(x)``, ``e`` the mean of R stream errors; ``E e(x)^2 = s2(x) / R``, estimated
    on average by the within-set variance ``w`` / R. Sobol: a factor ``m`` ignores has ``ST * Var(g) =
    E[Var(e | other factors)] <= Var(e)``, so its ST is at most ``(w / R) / Var(set means)`` (``noise_share_means``).
    Morris: its elementary effects are ``(e(x') - e(x)) / delta`` (delta = p / (2 (p - 1)), SALib's step on the unit
    scale), so ``mu* <= sqrt(E (e' - e)^2) / delta <= 2 sqrt(w / R) / delta`` (output units).
    """
    _, r, k = y_runs.shape
    if r < 2 or method == "pawn":
        return np.full(k, np.nan)
    within = y_runs.var(axis=1, ddof=1).mean(axis=0)
    if method == "sobol":
        with np.errstate(divide="ignore", invalid="ignore"):
            return within / r / y_runs.mean(axis=1).var(axis=0, ddof=1)
    delta = num_levels / (2.0 * (num_levels - 1))
    return 2.0 * np.sqrt(within / r) / delta


def noise_floor(frame: pd.DataFrame, method: str, bounds: pd.Series | None = None) -> pd.Series:
    """Per output: the dummy's upper confidence bound (Sobol ST, Morris mu*, PAWN median), or, where ``bounds``
    (from :func:`noise_bounds`, common random numbers) is larger, that bound."""
    dummy = frame[frame["factor"] == DUMMY].set_index("output")
    if method == "sobol":
        floor = dummy["ST"] + dummy["ST_conf"]
    elif method == "morris":
        floor = dummy["mu_star"] + dummy["mu_star_conf"]
    else:
        floor = dummy["median_high"].fillna(dummy["median"])
    if bounds is not None:
        floor = pd.Series(np.fmax(floor.to_numpy(), bounds.reindex(floor.index).to_numpy()), index=floor.index)
    return floor


def flag(frame: pd.DataFrame, method: str, opts: Options, bounds: pd.Series | None = None) -> pd.DataFrame:
    """Add ``influential``, ``above_noise`` (the index's lower bound exceeds the output's noise floor,
    :func:`noise_floor`: the dummy's upper confidence bound, or with common random numbers the within-set bound
    ``bounds`` where larger) and ``flags`` (text: intervals wider than the stated bound, or including 0 for an
    influential index)."""
    out = frame.copy()
    floor = noise_floor(out, method, bounds).reindex(out["output"]).to_numpy()
    flags = [[] for _ in range(len(out))]
    if method == "sobol":
        out["influential"] = out["ST"] >= opts.influential
        out["above_noise"] = out["ST"] - out["ST_conf"] > floor
        for i, r in enumerate(out.itertuples()):
            for name in ("S1", "ST"):
                value, conf = getattr(r, name), getattr(r, f"{name}_conf")
                if conf > opts.max_conf:
                    flags[i].append(f"{name} CI wider than +-{opts.max_conf:g}")
                if value >= opts.influential and value - conf <= 0:
                    flags[i].append(f"{name} CI includes 0")
    elif method == "morris":
        out["above_noise"] = out["mu_star"] - out["mu_star_conf"] > floor
        out["influential"] = out["mu_star"] > floor
        for i, r in enumerate(out.itertuples()):
            if r.mu_star_conf > opts.max_relative * r.mu_star:
                flags[i].append(f"mu* CI wider than +-{opts.max_relative:g} mu*")
            if r.influential and r.mu_star - r.mu_star_conf <= 0:
                flags[i].append("mu* CI includes 0")
    else:
        low = out["median_low"].fillna(out["median"])
        out["above_noise"] = low > floor
        out["influential"] = out["above_noise"]
        for i, r in enumerate(out.itertuples()):
            if np.isfinite(r.median_low) and (r.median_high - r.median_low) / 2 > opts.max_relative * r.median:
                flags[i].append(f"median CI wider than +-{opts.max_relative:g} median")
            if r.influential and np.isfinite(r.median_low) and r.median_low <= 0:
                flags[i].append("median CI includes 0")
    out.loc[out["factor"] == DUMMY, ["influential", "above_noise"]] = False
    out["flags"] = ["; ".join(f) for f in flags]
    return out


def noise_table(
    y_runs: np.ndarray,
    columns: list[str],
    indices: pd.DataFrame,
    method: str,
    bounds: pd.Series | None = None,
    common: bool = True,
) -> pd.DataFrame:
    """Per output: variance of single runs, within-set variance across replications and its shares, the noise floor
    the flags use and the dummy factor's index.

    ``noise_share_runs``: how much of a single run's variance is its random stream: within-set variance / variance
    of runs with independent streams; with common random numbers the runs pool only R distinct streams, so their
    variance misses the noise and the share is within-set variance / (within-set variance + variance of the set
    means). ``noise_share_means`` = (within-set variance / R) / variance of the set means: with independent streams
    the part of what the indices decompose that is replication noise (what the dummy's Sobol ST estimates); with
    common random numbers an upper bound, in expectation, on the variance the R streams add to it (part of it is
    shared by every set and cancels; above 1 the bound says nothing). ``noise_bound``: :func:`noise_bounds` (common
    random numbers only); ``noise_floor``: :func:`noise_floor`; ``common_random_numbers``: the study's streams.
    ``NaN`` with one replication.
    """
    rows, r, _ = y_runs.shape
    means = y_runs.mean(axis=1)
    within = y_runs.var(axis=1, ddof=1).mean(axis=0) if r > 1 else np.full(len(columns), np.nan)
    var_runs = y_runs.reshape(rows * r, -1).var(axis=0, ddof=1)
    var_means = means.var(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame(
            {
                "output": columns,
                "mean": means.mean(axis=0),
                "var_runs": var_runs,
                "var_within": within,
                "var_means": var_means,
                "noise_share_runs": within / (within + var_means) if common else within / var_runs,
                "noise_share_means": within / r / var_means,
                "replications": r,
                "common_random_numbers": common,
            }
        )
    frame["noise_bound"] = np.nan if bounds is None else bounds.reindex(frame["output"]).to_numpy()
    frame["noise_floor"] = noise_floor(indices, method, bounds).reindex(frame["output"]).to_numpy()
    dummy = indices[indices["factor"] == DUMMY].set_index("output")
    for col in INDEX_COLUMNS[method]:
        frame[f"dummy_{col}"] = dummy[col].reindex(frame["output"]).to_numpy()
    return frame


def convergence_table(
    factors: Sequence[Factor],
    x: np.ndarray,
    y_runs: np.ndarray,
    outputs: list[str],
    n: int,
    opts: Options,
    final: pd.DataFrame,
) -> pd.DataFrame:
    """Indices of the scalar outputs at N/4, N/2 and N base points (prefixes of the sample are samples of the same
    scheme), flagged as in :func:`flag` (the noise bound from the prefix's runs ``y_runs`` ``(rows, R, outputs)``);
    ``n_base`` names the size. The N rows are those of ``final`` (the main analysis). PAWN's bootstrap interval is
    computed at N only (the smaller sizes show the median's drift)."""
    per = rows_per_base(opts.method, len(factors), opts.calc_second_order)
    scalars = [o for o in outputs if o in SCALARS]
    if not scalars:
        return pd.DataFrame()
    frames = []
    cols = [outputs.index(o) for o in scalars]
    for n_base in (n // 4, n // 2):
        rows = n_base * per
        part = y_runs[:rows][:, :, cols]
        frame, _ = indices_frame(factors, x[:rows], part.mean(axis=1), scalars, opts, intervals=opts.method != "pawn")
        frame = flag(frame, opts.method, opts, _bounds(part, scalars, opts))
        frame.insert(0, "n_base", n_base)
        frames.append(frame)
    last = final[final["output"].isin(scalars)].copy()
    last.insert(0, "n_base", n)
    frames.append(last)
    return pd.concat(frames, ignore_index=True)


def select_columns(columns: list[str], wanted: Sequence[str], families: Any) -> list[str]:
    """The output columns of ``wanted`` names or families (``alignment_end`` = every state), in study order."""
    chosen: list[str] = []
    for name in wanted:
        try:
            chosen += families(name)
        except KeyError:
            raise SimInputError(
                "outputs",
                name,
                "expected output names or families: regional_mean_end, bri_members_end, "
                "bri_exit_any, alignment_end (every state), alignment_end:<ISO3>, regional_mean (every year), "
                "regional_mean:<YYYY>",
            ) from None
    return [c for c in columns if c in set(chosen)]


def analyze(
    factors: Sequence[Factor],
    x: np.ndarray,
    y_runs: np.ndarray,
    columns: list[str],
    outputs: list[str],
    n: int,
    opts: Options,
) -> Analysis:
    """Indices (flagged), S2, noise and convergence for the ``outputs`` columns of a study whose runs' outputs are
    ``y_runs`` ``(rows, R, columns)``; outputs with no variance across sets are listed in ``constant``."""
    pick = [columns.index(o) for o in outputs]
    means = y_runs[:, :, pick].mean(axis=1)
    varying = [k for k in range(len(outputs)) if np.nanvar(means[:, k]) > 0]
    kept = [outputs[k] for k in varying]
    constant = [o for o in outputs if o not in kept]
    if not kept:
        raise SimInputError("outputs", outputs, "every chosen output is constant across the sample: nothing to analyse")
    y = means[:, varying]
    runs = y_runs[:, :, [pick[k] for k in varying]]
    bounds = _bounds(runs, kept, opts)
    indices, s2 = indices_frame(factors, x, y, kept, opts, intervals=True)
    indices = flag(indices, opts.method, opts, bounds)
    noise = noise_table(runs, kept, indices, opts.method, bounds, opts.common_random_numbers)
    convergence = convergence_table(factors, x, runs, kept, n, opts, indices)
    return Analysis(indices, s2, noise, convergence, kept, constant)


def _bounds(y_runs: np.ndarray, outputs: list[str], opts: Options) -> pd.Series | None:
    """:func:`noise_bounds` per output with common random numbers; ``None`` with independent streams (the dummy
    carries the noise then)."""
    if not opts.common_random_numbers:
        return None
    return pd.Series(noise_bounds(y_runs, opts.method, opts.num_levels), index=outputs)
