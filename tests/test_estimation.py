"""Estimation: the likelihood fits recover known parameters, the alignment fit and history matching work, and the
calibration pipeline writes its estimates end to end on a small budget."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml

from sim.config import Params
from sim.estimation import alignment as fa
from sim.estimation import hazards
from sim.estimation.observed import window_config


def test_accession_fit_recovers_a_planted_hazard():
    rng = np.random.default_rng(0)
    n = 20000
    x = {
        "offer": rng.choice([0.25, 1.0], n),
        "alignment": rng.normal(0, 0.2, n),
        "share": rng.uniform(0, 1, n),
        "gdp_bn": rng.lognormal(3.5, 1.5, n),
        "stay_out": np.zeros(n),
    }
    truth = Params(bri_base=-2.0, bri_alignment=3.0, bri_neighbours=2.0, bri_size=2.5)
    x["event"] = rng.random(n) < hazards.accession_hazard(truth, x)
    fit = hazards.fit_accession(Params(), x)
    for name in hazards.BRI_FITTED:
        assert abs(fit.values[name] - getattr(truth, name)) < 3 * fit.se[name] + 0.05, name


def test_defeat_fit_recovers_a_planted_model():
    rng = np.random.default_rng(1)
    n = 5000
    x = {"autocracy": rng.uniform(0, 1, n), "tenure": rng.uniform(0, 20, n)}
    truth = Params(defeat_base=0.8, defeat_autocracy=-3.0, defeat_tenure=0.05)
    x["event"] = rng.random(n) < hazards.defeat_hazard(truth, x)
    fit = hazards.fit_defeat(Params(), x)
    for name in hazards.DEFEAT_FITTED:
        assert abs(fit.values[name] - getattr(truth, name)) < 3 * fit.se[name] + 0.02, name


def test_the_alignment_fit_improves_on_the_priors_and_solves_state_effects(seeds, baseline_cfg):
    from sim.dynamics.world import build_world

    cfg = replace(baseline_cfg, params=Params())
    world = build_world(seeds, window_config(cfg, "1991-01", "2000-12"))
    tgt = fa.target(world, seeds.panels)
    prior = {n: np.array([getattr(cfg.params, n)]) for n in fa.FITTED}
    prior_loss, _, _ = fa.evaluate(world, cfg.params, tgt, prior)
    fit = fa.optimise(world, cfg.params, tgt, trials=64, batch=32, seed=3)
    assert fit.loss < prior_loss[0]
    assert fit.effects.shape == (33,) and np.all(np.abs(fit.effects) <= 1)
    again, _, _ = fa.evaluate(world, cfg.params, tgt, {n: np.array([fit.values[n]]) for n in fa.FITTED})
    assert again[0] == pytest.approx(fit.loss)  # the reported loss is that of a real simulation


def test_history_matching_keeps_only_sets_consistent_with_the_record(seeds, baseline_cfg):
    from sim.dynamics.world import build_world

    cfg = replace(baseline_cfg, params=Params())
    world = build_world(seeds, window_config(cfg, "1991-01", "2000-12"))
    tgt = fa.target(world, seeds.panels)
    best = fa.optimise(world, cfg.params, tgt, trials=32, batch=32, seed=4)
    out = fa.history_match(world, cfg.params, tgt, best, waves=2, per_wave=64, seed=4)
    assert [w["sampled"] for w in out["waves"]] == [64, 64]
    assert len(out["values"]) == sum(w["not_ruled_out"] for w in out["waves"])
    lo = np.array([fa.search_space()[n][0] for n in out["names"]])
    hi = np.array([fa.search_space()[n][1] for n in out["names"]])
    assert np.all((out["values"] >= lo) & (out["values"] <= hi))


def test_calibration_writes_its_estimates(tmp_path):
    from sim.calibrate import main

    assert main(["--trials", "32", "--batch", "32", "--waves", "1", "--per-wave", "32", "--out", str(tmp_path)]) == 0
    fitted = yaml.safe_load((tmp_path / "fitted.yaml").read_text())
    params = fitted["params"]
    for name in (*fa.FITTED, *hazards.BRI_FITTED, *hazards.DEFEAT_FITTED, "shock_sd", "turnover_sd"):
        assert name in params and np.isfinite(params[name])
    assert set(fitted["state_effects"]) == set(seeds_codes())
    assert "## BRI accession hazard" in (tmp_path / "calibration.md").read_text()


def seeds_codes() -> tuple[str, ...]:
    from sim.data.seeds import CELAC_ISO3

    return CELAC_ISO3


def test_the_default_configuration_uses_the_fitted_estimates(baseline_cfg):
    from sim.paths import CONF_DIR

    fitted = yaml.safe_load((CONF_DIR / "estimates" / "fitted.yaml").read_text())
    for name, value in fitted["params"].items():
        assert getattr(baseline_cfg.params, name) == pytest.approx(value), name
    assert baseline_cfg.state_effects == pytest.approx(fitted["state_effects"])
