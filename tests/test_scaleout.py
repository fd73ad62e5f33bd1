"""Scale-out of designs: workers write their own parts, slices of an array cover every run once, and whatever the
number of workers or slices the merged tables are the ones a single process produces."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from sim.config import Params, param_meta, param_names
from sim.dynamics.world import build_world
from sim.errors import SimInputError
from sim.runners.design import (
    Design,
    DesignJob,
    chunk_spans,
    main,
    merge_design,
    missing_parts,
    prepare_design,
    run_design,
    run_slice,
    slice_spans,
)

P1 = param_names()[0]


@pytest.fixture(scope="module")
def short(seeds, baseline_cfg):
    cfg = copy.deepcopy(baseline_cfg)
    cfg.end = "2026-03"
    return cfg, build_world(seeds, cfg)


@pytest.fixture(scope="module")
def design() -> Design:
    lo, hi = param_meta(P1)["range"]
    values = np.clip(getattr(Params(), P1) + np.linspace(-0.05, 0.05, 7) * (hi - lo), lo, hi)
    return Design({P1: values, "us.tariff": np.linspace(0.0, 0.5, 7)}, replications=3)  # 21 runs


@pytest.fixture(scope="module")
def single(short, design):
    """The reference: one process, everything kept in memory."""
    cfg, world = short
    return run_design(world, cfg.params, design, 4, chunk=5, workers=1, progress=False)


def _table(folder, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "parquet" / table)
    keys = ["run", "iso3"] if table == "states" else ["run"]
    return frame.sort_values(keys).reset_index(drop=True)


def test_parts_written_by_two_workers_merge_to_the_single_process_table(tmp_path, short, design, single):
    cfg, world = short
    streamed = run_design(
        world, cfg.params, design, 4, chunk=5, workers=2, out_dir=tmp_path, keep=False, progress=False
    )
    assert streamed.runs is None and streamed.n_runs == design.n_runs == 21
    names = sorted(p.name for p in (tmp_path / "parquet" / "runs").iterdir())
    assert names == [f"part-{i:05d}.parquet" for i in range(5)]
    pd.testing.assert_frame_equal(_table(tmp_path, "runs"), single.runs)
    runs_file, states_file = merge_design(tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(runs_file), single.runs)
    states = pd.read_parquet(states_file)
    assert len(states) == 21 * world.n_states and states["run"].is_monotonic_increasing
    by_state = states.sort_values(["run", "iso3"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_state, _table(tmp_path, "states"))


def test_one_and_two_workers_give_identical_results_and_files(tmp_path, short, design, single):
    cfg, world = short
    two = run_design(world, cfg.params, design, 4, chunk=4, workers=2, out_dir=tmp_path / "two", progress=False)
    one = run_design(world, cfg.params, design, 4, chunk=4, workers=1, out_dir=tmp_path / "one", progress=False)
    pd.testing.assert_frame_equal(two.runs, one.runs)
    pd.testing.assert_frame_equal(two.runs, single.runs)  # chunk 4 vs 5: the same runs
    np.testing.assert_array_equal(two.regional_mean, single.regional_mean)
    np.testing.assert_array_equal(two.bri_count, single.bri_count)
    for table in ("runs", "states"):
        pd.testing.assert_frame_equal(_table(tmp_path / "two", table), _table(tmp_path / "one", table))


@pytest.mark.parametrize("n_chunks", [1, 2, 5, 7, 64])
@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_slices_cover_every_chunk_exactly_once(n_chunks, count):
    spans = chunk_spans(n_chunks * 10 - 3, 10)
    assert len(spans) == n_chunks
    covered = [span for i in range(count) for span in slice_spans(spans, i, count)]
    assert covered == spans  # in order, each once
    sizes = [len(slice_spans(spans, i, count)) for i in range(count)]
    assert max(sizes) - min(sizes) <= 1
    runs = np.concatenate([np.arange(first, stop) for _, first, stop in covered])
    np.testing.assert_array_equal(runs, np.arange(n_chunks * 10 - 3))


def test_slices_run_separately_merge_to_the_unsliced_run(tmp_path, short, design, single):
    cfg, world = short
    prepare_design(tmp_path, DesignJob(world, cfg.params, design, 4, chunk=3))  # 7 chunks
    assert missing_parts(tmp_path) == list(range(7))
    with pytest.raises(SimInputError, match="parts missing"):
        merge_design(tmp_path)
    done = [run_slice(tmp_path, i, 3, workers=1) for i in (2, 0)]
    assert missing_parts(tmp_path) == [2, 3]  # slice 1 of 3 holds chunks 2 and 3
    done.append(run_slice(tmp_path, 1, 3, workers=1))
    assert sum(done) == 21 and missing_parts(tmp_path) == []
    runs_file, _ = merge_design(tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(runs_file), single.runs)
    with pytest.raises(SimInputError, match="0 <= i < n"):
        run_slice(tmp_path, 3, 3)


def test_command_line_prepares_runs_slices_and_merges(tmp_path, short, design, single, capsys):
    sets = tmp_path / "sets.csv"
    pd.DataFrame(design.values).to_csv(sets, index=False)
    out = tmp_path / "out"
    prepare = [str(out), "--prepare", "--values", str(sets), "--replications", "3", "--chunk", "8"]
    assert main([*prepare, "end=2026-03", "seed=4"]) == 0
    for i in range(2):
        assert main([str(out), "--slice", f"{i}/2", "--workers", "1"]) == 0
    assert main([str(out), "--merge"]) == 0
    assert "runs.parquet" in capsys.readouterr().out
    merged = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(merged, single.runs)
    with pytest.raises(SimInputError, match="expected i/n"):
        main([str(out), "--slice", "1-2"])
