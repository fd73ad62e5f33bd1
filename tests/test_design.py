"""Designs: results depend only on (seed, run, parameters), never on chunking or workers; files stream per chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine import simulate
from sim.errors import SimInputError
from sim.model import AlignmentModel
from sim.runners.design import Design, run_design


@pytest.fixture(scope="module")
def design() -> Design:
    rng = np.random.default_rng(4)
    return Design({"w_coercion": rng.uniform(0, 0.1, 9), "bri_join_rate": rng.uniform(0, 1, 9)}, replications=3)


def test_chunks_and_workers_do_not_change_results(baseline_world, baseline_cfg, design):
    one = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=27, workers=1, progress=False)
    many = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=4, workers=2, progress=False)
    pd.testing.assert_frame_equal(one.runs, many.runs)
    np.testing.assert_array_equal(one.regional_mean, many.regional_mean)
    np.testing.assert_array_equal(one.bri_count, many.bri_count)
    assert len(one.runs) == 27 and one.runs["run"].tolist() == list(range(27))


def test_a_design_run_is_the_plain_engine_run_with_its_parameters(baseline_world, baseline_cfg, design):
    result = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=5, progress=False)
    run = 13
    params = design.params_for(baseline_cfg.params, np.array([run]))
    alone = simulate(baseline_world, params, 8, [run])
    assert alone.states["alignment"][-1, 0].mean() == pytest.approx(result.regional_mean[-1, run], rel=1e-6)
    assert int(alone.states["bri"][-1, 0].sum()) == result.bri_count[-1, run]
    assert (
        result.runs.loc[run, "set"] == run // 3
        and result.runs.loc[run, "w_coercion"] == design.values["w_coercion"][run // 3]
    )


def test_outcomes_stream_to_part_files(tmp_path, baseline_world, baseline_cfg, design):
    result = run_design(
        baseline_world,
        baseline_cfg.params,
        design,
        8,
        chunk=10,
        out_dir=tmp_path,
        formats=("csv", "parquet"),
        progress=False,
    )
    parts = sorted((tmp_path / "runs").glob("part-*.parquet"))
    assert len(parts) == 3 and len(sorted((tmp_path / "runs").glob("part-*.csv"))) == 3
    streamed = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(streamed, result.runs, check_dtype=False)
    states = pd.concat([pd.read_csv(p) for p in sorted((tmp_path / "states").glob("part-*.csv"))])
    assert len(states) == 27 * 33 and set(states.columns) >= {"run", "iso3", "alignment_end", "bri_join"}


def test_float32_mesa_model_matches_float32_engine(baseline_world, cfg):
    cfg.dtype = "float32"
    traj = simulate(baseline_world, cfg.params, cfg.seed, [5], dtype=np.float32)
    model = AlignmentModel(cfg, run=5, world=baseline_world)
    model.run_for(baseline_world.n_months)
    np.testing.assert_array_equal(model.state.alignment[0], traj.states["alignment"][-1, 0])
    assert model.state.alignment.dtype == np.float32


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nonsense": np.ones(3)}, "behavioural parameter"),
        ({"w_coercion": np.array([0.05, 0.5])}, "design.w_coercion"),
        ({"w_coercion": np.ones(2) * 0.01, "w_aid": np.ones(3) * 0.01}, "same length"),
    ],
)
def test_bad_designs_are_rejected(values, message):
    with pytest.raises(SimInputError, match=message):
        Design(values, replications=2)
