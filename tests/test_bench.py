"""The benchmark: its plain-Python Mesa baseline computes the engine's rule bit for bit, its comparisons interleave,
and ``python -m sim.bench --quick`` carries every figure in one JSON line (no timing is asserted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.bench import core
from sim.bench.mesa_plain import PlainModel, PlainModelLibm
from sim.engine import simulate

REACTIONS = ("scenario=tit_for_tat", "us.reaction.drift=0.0", "china.reaction.drift=0.0")
COMPARED = ("alignment", "ideology", "bri", "prc", "elite", "aid_stock", "finance_stock", "export_us", "export_cn")


def _plain_paths(model_class, world, cfg, run):
    model = model_class(world, cfg.params, cfg.seed, run)
    rows: dict[str, list] = {k: [] for k in (*COMPARED, "contributions")}
    while model.running:
        model.step()
        for k in rows:
            rows[k].append([getattr(c, k) for c in model.countries])
    return model, {k: np.array(v) for k, v in rows.items()}


@pytest.mark.parametrize("overrides", [(), REACTIONS, ("scenario=colombia_right_turn",)])
def test_plain_mesa_model_equals_the_engine_bit_for_bit(seeds, overrides):
    """Same rule, same random numbers, the same portable tanh: the same bits as both engine steps; with libm's tanh
    (the idiomatic version the benchmark also times) equal to 1e-12, with the same events."""
    from conftest import composed

    from sim.dynamics.world import build_world

    cfg = composed(*overrides)
    world = build_world(seeds, cfg)
    run = 3
    for kernel in ("numpy", "numba"):
        traj = simulate(world, cfg.params, cfg.seed, [run], kernel=kernel)
        model, rows = _plain_paths(PlainModel, world, cfg, run)
        assert len(rows["alignment"]) == world.n_months
        for k in COMPARED:
            np.testing.assert_array_equal(rows[k], traj.states[k][1:, 0], err_msg=f"{kernel}: {k}")
        np.testing.assert_array_equal(rows["contributions"], traj.contributions[:, :, 0].transpose(0, 2, 1))
    assert traj.events["election"].any(), "the check needs elections in the window"
    frame = model.datacollector.get_agent_vars_dataframe()
    assert len(frame) == world.n_states * (world.n_months + 1)
    _, libm = _plain_paths(PlainModelLibm, world, cfg, run)
    np.testing.assert_allclose(libm["alignment"], rows["alignment"], rtol=0, atol=1e-12)
    for k in ("bri", "prc"):
        np.testing.assert_array_equal(libm[k], rows[k], err_msg=k)


def test_interleave_alternates_contenders_and_takes_medians():
    calls: list[str] = []

    def make(name: str, runs: int):
        def fn() -> int:
            calls.append(name)
            return runs

        return fn

    out = core.interleave({"a": make("a", 2), "b": make("b", 5)}, rounds=3, warmup=False)
    assert calls == ["a", "b"] * 3
    assert out["a"].rounds == 3 and out["a"].cpu >= 0 and out["b"].wall >= 0


def test_synthetic_worlds_copy_the_states_and_their_neighbourhoods(baseline_world):
    w = baseline_world
    same = core.synthetic_world(w, 33)
    np.testing.assert_allclose(same.neighbours.weights, w.neighbours.weights, rtol=1e-12)
    big = core.synthetic_world(w, 95)
    assert big.n_states == 95 and big.plan.shape[-1] == 95 and big.trade_obs.shape[-1] == 95
    np.testing.assert_array_equal(big.neighbours.has_entries[33:66], w.neighbours.has_entries)
    assert abs(big.elite_share.sum() - 1.0) < 1e-12
    assert len(set(big.subregion)) == 3 * len(set(w.subregion))


def test_an_absent_benchmark_is_reported_absent(capsys):
    out = core.external("nothing", "sim.no_such_module", "bench")
    assert out["status"] == "absent"
    assert "absent" in capsys.readouterr().out


def test_quick_benchmark_prints_one_json_line_with_every_figure(capsys, tmp_path):
    assert core.main(["--quick", "--skip-external", "--json", str(tmp_path / "b.json")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures == json.loads((tmp_path / "b.json").read_text())
    for key in ("matched_float64", "outcomes", "batch_size_float32", "states_float32", "floor", "runs_float32"):
        assert key in figures, key
    matched = figures["matched_float64"]
    assert {"mesa_batch_run", "mesa_plain_batch_run", "engine_matched"} <= set(matched)
    assert set(figures["states_float32"]["ratio_to_33"]) == {"33", "95", "190"}
    assert figures["floor"]["floor_us_per_run"] > 0 and len(figures["targets"]) == 5
    assert "threadpoolctl" in figures["blas_pinning"] or "environment" in figures["blas_pinning"]
