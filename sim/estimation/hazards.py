"""Maximum-likelihood fits of the discrete choices on the record: BRI accession, recognition switches, election
defeats and the ideology of new governments.

Each hazard's log-likelihood is written with the very functions the simulator uses (:mod:`sim.dynamics.institutions`,
:mod:`sim.dynamics.politics`), evaluated on observed covariates (:class:`sim.estimation.observed.Record`). The
likelihoods are smooth and low-dimensional, so they are maximised with SciPy's BFGS (with a weak ridge on the slopes,
``RIDGE``, which keeps separable samples finite); standard errors come from the inverse Hessian.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from scipy.optimize import minimize

from sim.calendar import month_of
from sim.config import Params
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics.drivers import sigmoid
from sim.dynamics.institutions import accession_logit, recognition_back_logit, recognition_logit, size
from sim.dynamics.politics import defeat_probability
from sim.estimation.observed import Record

RIDGE = 0.01
"""Weak L2 penalty on the slope coefficients (log-likelihood units per squared coefficient)."""
EPS = 1e-12

BRI_FITTED = ("bri_base", "bri_alignment", "bri_neighbours", "bri_size")
RECOGNITION_FITTED = ("recognition_base", "recognition_alignment", "recognition_back")
DEFEAT_FITTED = ("defeat_base", "defeat_autocracy", "defeat_tenure")


@dataclass(frozen=True)
class Fit:
    """Fitted values and standard errors of some parameters, with the fit's log-likelihood and sample size."""

    values: dict[str, float]
    se: dict[str, float]
    loglik: float
    n: int
    events: int

    def apply(self, params: Params) -> Params:
        return replace(params, **self.values)


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central finite-difference Hessian of ``f`` at ``x``."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * step, np.eye(n)[j] * step
            h[i, j] = h[j, i] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (
                4 * step * step
            )
    return h


def _maximise(names: Sequence[str], start: Params, loglik: Callable[[Params], float], slopes: Sequence[str]) -> Fit:
    x0 = np.array([getattr(start, n) for n in names], dtype=float)

    def objective(x: np.ndarray) -> float:
        p = replace(start, **dict(zip(names, x.tolist(), strict=True)))
        penalty = RIDGE * sum(x[i] ** 2 for i, n in enumerate(names) if n in slopes)
        return -loglik(p) + penalty

    result = minimize(objective, x0, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000})
    se = np.sqrt(np.clip(np.diag(np.linalg.pinv(_hessian(objective, result.x))), 0, None))
    values = dict(zip(names, result.x.tolist(), strict=True))
    return Fit(values, dict(zip(names, se.tolist(), strict=True)), float(-result.fun), 0, 0)


def _fit_events(
    names: Sequence[str],
    start: Params,
    x: dict[str, np.ndarray],
    hazard: Callable[[Params, dict[str, np.ndarray]], np.ndarray],
    slopes: Sequence[str],
) -> Fit:
    """Maximum-likelihood fit of ``names`` for the events ``x["event"]`` of the sampled units at risk, each with the
    probability ``hazard(params, x)``."""

    def loglik(q: Params) -> float:
        h = np.clip(hazard(q, x), EPS, 1 - EPS)
        return float(np.sum(np.where(x["event"], np.log(h), np.log1p(-h))))

    fit = _maximise(names, start, loglik, slopes)
    return replace(fit, n=len(x["event"]), events=int(x["event"].sum()))


# ----------------------------------------------------------------------------------------------- BRI accession


def accession_sample(rec: Record, months: np.ndarray, states: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """State-months at risk of joining (recognising Beijing, not a member, an offer on) within ``months``."""
    t = np.isin(rec.months, months)
    cols = np.zeros(rec.world.n_states, dtype=bool)
    cols[list(range(rec.world.n_states)) if states is None else list(states)] = True
    risk = (~rec.bri_before & rec.prc_before & rec.prc & (rec.offer > 0)) & t[:, None] & cols[None, :]
    joined = rec.bri & ~rec.bri_before
    ti, si = np.nonzero(risk)
    return {
        "t": ti,
        "state": si,
        "event": joined[ti, si],
        "offer": rec.offer[ti, si],
        "alignment": rec.alignment[ti, si],
        "trade_gap": rec.trade_gap[ti, si],
        "share": rec.bri_share[ti, si],
        "affinity": rec.affinity[ti, si],
        "stay_out": rec.stay_out[ti, si],
        "gdp_bn": rec.world.gdp_bn[ti, si],
    }


def accession_hazard(p: Params, x: dict[str, np.ndarray]) -> np.ndarray:
    """Monthly accession hazard of each sampled state-month under ``p`` (the simulator's formula)."""
    eta = accession_logit(p, x["alignment"], x["share"], size(p, x["gdp_bn"]), x["stay_out"])
    return x["offer"] * sigmoid(eta)


def fit_accession(p: Params, x: dict[str, np.ndarray]) -> Fit:
    return _fit_events(BRI_FITTED, p, x, accession_hazard, BRI_FITTED[1:])


# ------------------------------------------------------------------------------------------ recognition switches


def recognition_sample(rec: Record, months: np.ndarray, states: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """Every state-month within ``months``: its recognition at the start, and whether it switched."""
    t = np.isin(rec.months, months)
    cols = np.zeros(rec.world.n_states, dtype=bool)
    cols[list(range(rec.world.n_states)) if states is None else list(states)] = True
    ti, si = np.nonzero(t[:, None] & cols[None, :])
    return {
        "t": ti,
        "state": si,
        "prc": rec.prc_before[ti, si],
        "event": rec.prc[ti, si] != rec.prc_before[ti, si],
        "alignment": rec.alignment[ti, si],
        "trade_gap": rec.trade_gap[ti, si],
    }


def recognition_hazard(p: Params, x: dict[str, np.ndarray]) -> np.ndarray:
    """Monthly hazard of switching (to Beijing for Taipei's allies, back to Taipei for Beijing's)."""
    return np.where(
        x["prc"],
        sigmoid(recognition_back_logit(p, x["alignment"])),
        sigmoid(recognition_logit(p, x["alignment"])),
    )


def fit_recognition(p: Params, x: dict[str, np.ndarray]) -> Fit:
    return _fit_events(RECOGNITION_FITTED, p, x, recognition_hazard, ("recognition_alignment",))


# ------------------------------------------------------------------------------------------------------ elections


def election_sample(seeds: SeedTables, first: date, last: date) -> dict[str, np.ndarray]:
    """Decisive held elections between ``first`` and ``last`` with a result: the incumbent camp's defeat, the
    autocracy score of the year and the years the camp had held power."""
    panels = seeds.panels
    autocracy = panels.table("autocracy")
    rows: list[tuple[int, float, float, bool, int]] = []
    for i, code in enumerate(CELAC_ISO3):
        elections = [e for e in seeds.events.elections.get(code, ()) if e.incumbent_camp_lost is not None]
        camp_start = seeds.events.leaders[code][0].took_office
        decisive = {}
        for e in elections:  # the last round of each election decides (a run-off replaces its first round)
            decisive[(e.date.year, e.kind == "parliamentary")] = e
        for e in sorted(decisive.values(), key=lambda e: e.date):
            if e.kind == "referendum-other":
                continue
            tenure = (e.date.toordinal() - camp_start.toordinal()) / 365.25
            if first <= e.date <= last:
                score = autocracy[min(e.date.year, panels.years[-1]) - panels.years[0], i]
                rows.append((i, float(score), max(tenure, 0.0), bool(e.incumbent_camp_lost), month_of(e.date)))
            if e.incumbent_camp_lost:
                camp_start = e.took_office or e.date
    arr = np.array(rows, dtype=object) if rows else np.zeros((0, 5), dtype=object)
    return {
        "state": np.array([r[0] for r in rows], dtype=int),
        "autocracy": np.array([r[1] for r in rows], dtype=float),
        "tenure": np.array([r[2] for r in rows], dtype=float),
        "event": np.array([r[3] for r in rows], dtype=bool),
        "month": np.array([r[4] for r in rows], dtype=int),
        "n": np.array(len(arr)),
    }


def defeat_hazard(p: Params, x: dict[str, np.ndarray]) -> np.ndarray:
    return defeat_probability(p, x["autocracy"], x["tenure"])


def fit_defeat(p: Params, x: dict[str, np.ndarray]) -> Fit:
    return _fit_events(DEFEAT_FITTED, p, x, defeat_hazard, DEFEAT_FITTED[1:])


def turnover_ideology(seeds: SeedTables, first: date, last: date) -> dict[str, float]:
    """Ideology of new governments, from successive leaders taking office in ``first .. last``: after a camp change
    ``new = rho * old + e`` (OLS through the origin, s.d. of ``e``); within a camp, the s.d. of ``new - old``."""
    camp_changes = {
        (e.iso3, e.took_office)
        for code in CELAC_ISO3
        for e in seeds.events.elections.get(code, ())
        if e.incumbent_camp_lost and e.took_office is not None
    }
    ousted, successors = [], []
    for code in CELAC_ISO3:
        leaders = seeds.events.leaders[code]
        for old, new in itertools.pairwise(leaders):
            if not first <= new.took_office <= last or old.name == new.name:
                continue
            changed = any(c == code and abs((d - new.took_office).days) <= 120 for c, d in camp_changes)
            (ousted if changed else successors).append((old.ideology, new.ideology))
    old, new = np.array(ousted).T if ousted else (np.zeros(1), np.zeros(1))
    rho = float(np.sum(old * new) / max(np.sum(old * old), EPS))
    sd = float(np.std(new - rho * old, ddof=1)) if len(ousted) > 2 else 0.4
    within = np.array(successors)
    successor_sd = float(np.std(within[:, 1] - within[:, 0], ddof=1)) if len(within) > 2 else 0.15
    return {
        "turnover_persistence": float(np.clip(rho, -1, 1)),
        "turnover_sd": float(np.clip(sd, 0.05, 1.0)),
        "successor_sd": float(np.clip(successor_sd, 0.0, 0.5)),
        "n_ousted": len(ousted),
        "n_successors": len(successors),
    }
