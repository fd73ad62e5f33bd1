"""Designs: results depend only on (seed, run, parameters, levers), never on chunking or workers; a lever column
gives the run a world built with that lever set; files stream per chunk, one folder per format."""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest

from sim.config import LEVER_DOCS, Params, param_meta, param_names
from sim.dynamics.levers import NEUTRAL
from sim.dynamics.world import build_world
from sim.engine import OutcomeRecorder, simulate
from sim.errors import SimInputError
from sim.levers import main as levers_main
from sim.model import AlignmentModel
from sim.runners.design import Design, run_design

P1, P2 = param_names()[:2]
"""Two behavioural parameters (which ones does not matter to these tests)."""


def _around(name: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` values of a parameter near its default (within 10% of its range), inside its range."""
    lo, hi = param_meta(name)["range"]
    return np.clip(getattr(Params(), name) + rng.uniform(-0.1, 0.1, n) * (hi - lo), lo, hi)


@pytest.fixture(scope="module")
def short_cfg(baseline_cfg):
    """The baseline ending 2026-06 (short runs; the levers start 2025-11)."""
    cfg = copy.deepcopy(baseline_cfg)
    cfg.end = "2026-06"
    return cfg


@pytest.fixture(scope="module")
def short_world(seeds, short_cfg):
    return build_world(seeds, short_cfg)


@pytest.fixture(scope="module")
def design() -> Design:
    rng = np.random.default_rng(4)
    return Design({P1: _around(P1, 9, rng), P2: _around(P2, 9, rng)}, replications=3)


def test_chunks_and_workers_do_not_change_results(baseline_world, baseline_cfg, design):
    one = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=27, workers=1, progress=False)
    many = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=4, workers=2, progress=False)
    pd.testing.assert_frame_equal(one.runs, many.runs)
    np.testing.assert_array_equal(one.regional_mean, many.regional_mean)
    np.testing.assert_array_equal(one.bri_count, many.bri_count)
    assert len(one.runs) == 27 and one.runs["run"].tolist() == list(range(27))


def test_chunks_do_not_change_runs_that_need_their_own_world(short_world, short_cfg):
    """Leader measures rebuild part of the world per lever value: runs of several such worlds share a chunk."""
    design = Design({"us.leader_sanctions": np.array([0.0, 0.5, 1.0, 0.0]), "us.tariff": np.full(4, 0.2)}, 2)
    one = run_design(short_world, short_cfg.params, design, 3, chunk=3, progress=False)
    alone = run_design(short_world, short_cfg.params, design, 3, chunk=1, progress=False)
    pd.testing.assert_frame_equal(one.runs, alone.runs)
    np.testing.assert_array_equal(one.regional_mean, alone.regional_mean)


def test_a_design_run_is_the_plain_engine_run_with_its_parameters(baseline_world, baseline_cfg, design):
    result = run_design(baseline_world, baseline_cfg.params, design, 8, chunk=5, progress=False)
    run = 13
    params = design.params_for(baseline_cfg.params, np.array([run]))
    alone = simulate(baseline_world, params, 8, [run])
    assert alone.states["alignment"][-1, 0].mean() == pytest.approx(result.regional_mean[-1, run], rel=1e-6)
    assert int(alone.states["bri"][-1, 0].sum()) == result.bri_count[-1, run]
    assert result.runs.loc[run, "set"] == run // 3 and result.runs.loc[run, P1] == design.values[P1][run // 3]


def test_outcomes_stream_to_part_files_one_folder_per_format(tmp_path, baseline_world, baseline_cfg, design):
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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "design.json", "parquet"]
    for fmt in ("csv", "parquet"):
        for table in ("runs", "states"):
            names = sorted(p.name for p in (tmp_path / fmt / table).iterdir())
            assert names == [f"part-{i:05d}.{fmt}" for i in range(3)], (fmt, table)
    streamed = pd.read_parquet(tmp_path / "parquet" / "runs")  # a whole folder reads as one table
    pd.testing.assert_frame_equal(streamed, result.runs, check_dtype=False)
    states = pd.concat([pd.read_csv(p) for p in sorted((tmp_path / "csv" / "states").glob("part-*.csv"))])
    assert len(states) == 27 * 33 and set(states.columns) >= {"run", "iso3", "alignment_end", "bri_join"}
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "parquet" / "states"), states.reset_index(drop=True), check_dtype=False
    )


def _lever_values(name: str) -> np.ndarray:
    """Two values of a lever inside its documented range, neither of them its minimum."""
    _, lo, hi, _ = LEVER_DOCS[name]
    return np.array([lo + 0.3 * (hi - lo), hi])


@pytest.mark.parametrize("name", sorted(LEVER_DOCS))
def test_a_lever_column_equals_a_world_built_with_that_lever(name, seeds, short_cfg, short_world):
    """Every lever (any name in LEVER_DOCS): the design's run ``r`` with value ``v`` is the run ``r`` of a world
    whose configuration sets the lever to ``v`` from the scenario start (as ``python -m sim <lever>=v`` pins it)."""
    world = short_world
    values = _lever_values(name)
    design = Design({name: values, P1: _around(P1, 2, np.random.default_rng(1))}, replications=2)
    result = run_design(world, short_cfg.params, design, 5, chunk=3, progress=False)
    for s, value in enumerate(values):
        cfg = copy.deepcopy(short_cfg)
        power, lever = name.split(".")
        setattr(getattr(cfg, power), lever, float(value))
        cfg.pinned = [name]
        setattr(cfg.params, P1, float(design.values[P1][s]))
        runs = [2 * s, 2 * s + 1]
        alone = simulate(build_world(seeds, cfg), cfg.params, 5, runs, OutcomeRecorder())
        np.testing.assert_array_equal(alone.regional_mean, result.regional_mean[:, runs], err_msg=name)
        np.testing.assert_array_equal(alone.bri_count, result.bri_count[:, runs], err_msg=name)
        assert result.runs.loc[runs, name].tolist() == [value, value]


def test_lever_values_change_the_runs(short_cfg, short_world):
    """Same runs (same draws), tariff 0 vs 1: the lever acts, and its value is recorded in the runs table."""
    world = short_world
    low, high = (
        run_design(world, short_cfg.params, Design({"us.tariff": np.array([v])}, replications=2), 5, progress=False)
        for v in (0.0, 1.0)
    )
    assert not np.array_equal(low.regional_mean, high.regional_mean)
    assert low.runs["us.tariff"].tolist() == [0.0, 0.0] and high.runs["us.tariff"].tolist() == [1.0, 1.0]


def test_float32_mesa_model_matches_float32_engine(baseline_world, cfg):
    cfg.dtype = "float32"
    traj = simulate(baseline_world, cfg.params, cfg.seed, [5], dtype=np.float32)
    model = AlignmentModel(cfg, run=5, world=baseline_world)
    model.run_for(baseline_world.n_months)
    np.testing.assert_array_equal(model.state.alignment[0], traj.states["alignment"][-1, 0])
    assert model.state.alignment.dtype == np.float32


def _range_message(name: str) -> str:
    unit, lo, hi, _ = LEVER_DOCS[name]
    return re.escape(f"design.{name}: got 'values'; expected a 1-d array within [{lo}, {hi}] ({unit})")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nonsense": np.ones(3)}, "behavioural parameter names .* or lever names"),
        ({P1: np.array([param_meta(P1)["range"][1] + 1.0])}, f"design.{P1}"),
        ({P1: np.full(2, param_meta(P1)["range"][0]), P2: np.full(3, param_meta(P2)["range"][0])}, "same length"),
        ({"us.tariff": np.array([0.1, LEVER_DOCS["us.tariff"][2] + 0.5])}, _range_message("us.tariff")),
        (
            {"china.bri_finance": np.array([LEVER_DOCS["china.bri_finance"][1] - 1.0])},
            _range_message("china.bri_finance"),
        ),
        ({"us.tarif": np.array([0.1])}, "python -m sim.levers"),
    ],
)
def test_bad_designs_are_rejected(values, message):
    with pytest.raises(SimInputError, match=message) as err:
        Design(values, replications=2)
    assert "\n" not in str(err.value)


# ------------------------------------------------------- python -m sim.levers (the levers a design may set)


def test_levers_command_lists_every_lever_with_unit_range_and_neutral_value(capsys):
    assert levers_main([]) == 0
    text = capsys.readouterr().out
    for name, (unit, lo, hi, meaning) in LEVER_DOCS.items():
        line = next(line for line in text.splitlines() if line.split()[:1] == [name])
        assert unit in line and f"{lo:g} .. {hi:g}" in line and line.rstrip().endswith(f"{NEUTRAL[name]:g}"), line
        assert meaning in text
    assert levers_main(["--markdown"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "| lever | label | unit | range | neutral | meaning |" and rows[1].startswith("|---")
    assert len(rows) == 2 + len(LEVER_DOCS)
    for row, (name, (unit, lo, hi, meaning)) in zip(rows[2:], LEVER_DOCS.items(), strict=True):
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[0] == f"`{name}`" and cells[2:] == [unit, f"{lo:g} … {hi:g}", f"{NEUTRAL[name]:g}", meaning]
