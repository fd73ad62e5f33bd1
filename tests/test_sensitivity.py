"""Sensitivity analysis (sim.sensitivity): factor space and overrides, SALib's rules, runs equal to the engine's,
the pipeline on the Ishigami function, replication noise and the dummy, chunked / resumed / uninterrupted studies,
PRIM on a planted box."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.config import param_meta, param_names
from sim.engine import OutcomeRecorder, simulate
from sim.errors import SimInputError
from sim.runners.design import Design, run_design
from sim.sensitivity import pipeline, sampling
from sim.sensitivity.__main__ import compose_config, preflight
from sim.sensitivity.analysis import Options
from sim.sensitivity.evaluate import FunctionEvaluator, ishigami_indices
from sim.sensitivity.report import write_analysis
from sim.sensitivity.space import DUMMY, Factor, kind_of
from sim.sensitivity.store import read_study

SHORT = ("end=2026-12",)
"""Fourteen simulated months (2025-11 .. 2026-12): enough for every mechanism, cheap enough for tests."""


def spec_of(*overrides: str) -> pipeline.Spec:
    return pipeline.build(compose_config([*SHORT, *overrides]))


@pytest.fixture(scope="module")
def default_spec() -> pipeline.Spec:
    return spec_of()


# --------------------------------------------------------------------------- the factor space


def test_space_covers_every_parameter_with_bounds_and_reasons(default_spec):
    """Every behavioural parameter is declared in conf/sensitivity/space/default.yaml (a new one fails here until
    it is), every factor has a justification and bounds inside its documented range, and the dummy comes last."""
    declared = compose_config([]).space["params"]
    assert sorted(declared) == sorted(param_names())
    names = [f.name for f in default_spec.factors]
    assert names[-1] == DUMMY and names.count(DUMMY) == 1
    for f in default_spec.factors:
        assert f.why and f.bounds[0] < f.bounds[1]
        if f.kind == "param":
            lo, hi = param_meta(f.short)["range"]
            assert lo <= f.bounds[0] and f.bounds[1] <= hi, f.name
    kinds = {f.kind for f in default_spec.factors}
    assert {"param", "lever", "data", "offer", "dummy"} <= kinds
    # declared but left out on purpose: the unit of pressure, and china.bri_offer (the standing offer's lever)
    assert "params.pressure_sanctions" not in names and "china.bri_offer" not in names


def test_factor_overrides_narrow_and_extend():
    narrow = spec_of("factors=[params.w_trade,us.tariff]")
    assert [f.name for f in narrow.factors] == ["params.w_trade", "us.tariff", DUMMY]
    wide = spec_of("+factors.params.w_elite=[0,0.02]", "+factors.us.targets.COL.tariff=[0,0.5]")
    by_name = {f.name: f for f in wide.factors}
    assert by_name["params.w_elite"].bounds == (0.0, 0.02)
    assert by_name["us.targets.COL.tariff"].kind == "target"
    assert len(wide.factors) == len(spec_of().factors) + 1
    rebound = spec_of("factors=[params.w_trade,us.tariff]", "space.params.w_trade.bounds=[0,0.01]")
    assert rebound.factors[0].bounds == (0.0, 0.01)
    held = preflight([*SHORT, "params.w_elite=0.01", "us.tariff=0.25"]).spec  # fixed values leave the space
    names = {f.name for f in held.factors}
    assert "params.w_elite" not in names and "us.tariff" not in names and "params.w_trade" in names
    assert held.run.params.w_elite == 0.01


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        (["+factors.params.w_aid=[0,0.1]"], "factors.params.w_aid", "not a behavioural parameter"),
        (["N=1000"], "N", "power of two"),
        (["method=morris", "calc_second_order=true"], "calc_second_order", "sobol only"),
        (["factors=[params.w_trade,nonsense.x]"], "factors.nonsense.x", "unknown factor"),
        (["+factors.params.w_trade=[0,0.9]"], "factors.params.w_trade.bounds", "documented"),
        (["factors=[history.standing_offer,china.bri_offer]"], "factors", "both"),
        (["chunk=4", "chunks=4"], "chunk", "0 .. 3"),
        (["us.tariff=0.2", "factors=[params.w_trade,us.tariff]"], "us.tariff", "not both"),
    ],
)
def test_bad_input_is_one_line(overrides, key, words):
    with pytest.raises(SimInputError) as err:
        preflight([*SHORT, *overrides])
    message = str(err.value)
    assert "\n" not in message and err.value.field == key and words in message


def test_salib_rules_hold_between_sampling_and_analysis(tmp_path):
    """A study sampled without second-order rows cannot be analysed with them, nor with Morris."""
    study = _ishigami_study(tmp_path, n=64, replications=1)
    for bad, field in ((Options(calc_second_order=True), "calc_second_order"), (Options(method="morris"), "method")):
        with pytest.raises(SimInputError) as err:
            write_analysis(study, bad, ["y"], name="other", plots=False)
        assert err.value.field == field
    assert not (tmp_path / "study" / "other").exists()


# --------------------------------------------------------------------------- runs


def test_parameter_runs_equal_the_engine(default_spec):
    """A batch whose factors are parameters only is exactly the engine's run of those parameters."""
    spec = spec_of("factors=[params.w_trade,params.shock_sd,params.bri_base]")
    ev = spec.evaluator()
    x = sampling.draw(spec.factors, "sobol", 8, 3, False, 4)[:20]
    runs = np.arange(40, 80)
    values = np.repeat(x, 2, axis=0)
    mine = ev.run(runs, values)
    engine = simulate(spec.world, ev.params_for(values), spec.run.seed, runs, OutcomeRecorder(), dtype=np.float32)
    assert np.array_equal(mine["regional_mean_end"], engine.regional_mean[-1])
    assert np.array_equal(mine["bri_members_end"], engine.bri_count[-1].astype(np.float32))
    assert np.array_equal(mine["alignment_end:COL"], engine.alignment_end[:, spec.world.iso3.index("COL")])
    # common random numbers (the default): replication k of every set is the engine's run k
    common = ev.evaluate(20, x)
    shared = simulate(
        spec.world, ev.params_for(values), spec.run.seed, np.tile([0, 1], 20), OutcomeRecorder(), dtype=np.float32
    )
    assert np.array_equal(common["regional_mean_end"], shared.regional_mean[-1])
    assert not np.array_equal(common["regional_mean_end"], mine["regional_mean_end"])


def test_lever_runs_equal_a_design(default_spec):
    """Lever factors (one of them rebuilding the leader-measure spells) and a parameter give the runs the engine's
    design runner gives them (levers for every state, from the start)."""
    spec = spec_of(
        "factors=[us.tariff,us.leader_sanctions,params.w_coercion]",
        "replications=1",
        "dtype=float64",
        "common_random_numbers=false",  # the design runner keys run i by i
    )
    ev = spec.evaluator()
    x = np.array([[0.0, 0.0, 0.01], [0.3, 0.0, 0.02], [0.1, 0.7, 0.03], [0.5, 1.0, 0.04]])
    values = np.column_stack([x, np.full(len(x), 0.5)])  # the dummy
    mine = ev.evaluate(0, values)
    design = Design({"us.tariff": x[:, 0], "us.leader_sanctions": x[:, 1], "w_coercion": x[:, 2]}, replications=1)
    theirs = run_design(spec.world, spec.run.params, design, spec.run.seed, workers=1, progress=False)
    assert np.array_equal(mine["regional_mean_end"], theirs.regional_mean[-1])


def test_data_factors_at_their_shipped_values_change_nothing(default_spec):
    """Multipliers of 1 and the configured standing offer reproduce the runs without them; other values act."""
    base = spec_of("factors=[params.w_trade,params.w_state]")
    full = spec_of(
        "factors=[params.w_trade,params.w_state,data.us_aid_2025,data.cn_finance_2022,history.standing_offer]"
    )
    assert full.evaluator().masks["history.standing_offer"].any()
    x = np.array([[0.01, 0.05], [0.02, 0.08]])
    runs = np.arange(4)
    plain = base.evaluator().run(runs, np.column_stack([np.repeat(x, 2, axis=0), np.zeros(4)]))
    shipped = np.column_stack([np.repeat(x, 2, axis=0), np.ones(4), np.ones(4), np.full(4, 0.25), np.zeros(4)])
    same = full.evaluator().run(runs, shipped)
    for column in ("regional_mean_end", "bri_members_end", "alignment_end:BRA"):
        np.testing.assert_allclose(same[column], plain[column], atol=1e-5)
    moved = shipped.copy()
    moved[:, 3] = 3.0  # three times the Chinese finance since 2022
    assert not np.allclose(full.evaluator().run(runs, moved)["regional_mean_end"], plain["regional_mean_end"])


# --------------------------------------------------------------------------- the pipeline on test functions


def _ishigami_study(
    tmp_path: Path, n: int, replications: int, noise_sd: float = 0.0, batch_rows: int = 4096, common: bool = False
):
    factors = [Factor(f"x{i}", "param", (-np.pi, np.pi), "unif", (-np.pi, np.pi), "", "test") for i in (1, 2, 3)]
    factors.append(Factor(DUMMY, "dummy", (0.0, 1.0), "unif", (0.0, 1.0), "", "never read"))
    identity = {
        "method": "sobol",
        "N": n,
        "seed": 7,
        "calc_second_order": False,
        "noise_sd": noise_sd,
        "common_random_numbers": common,
    }
    study, _ = pipeline.create_study(tmp_path / "study", factors, identity, ["y"], replications, batch_rows)
    ev = FunctionEvaluator(tuple(f.name for f in factors), replications, 7, noise_sd, common_random_numbers=common)
    pipeline.run_slice(study, ev, list(range(study.n_batches)), 1, progress=False)
    return study


def _indices(study, **options) -> pd.DataFrame:
    folder = write_analysis(study, Options(seed=1, **options), ["y"], plots=False)
    return pd.read_csv(folder / "indices.csv").set_index("factor")


def test_ishigami_indices_match_the_analytic_values(tmp_path):
    """The same pipeline (sample, batches on disk, SALib analysis) recovers Ishigami's S1 and ST within 0.03 at
    N = 4096 (24,576 evaluations); the dummy's indices are 0 within their intervals."""
    idx = _indices(_ishigami_study(tmp_path, 4096, 1))
    for name, (s1, st) in ishigami_indices().items():
        assert abs(idx.loc[name, "S1"] - s1) < 0.03, name
        assert abs(idx.loc[name, "ST"] - st) < 0.03, name
    assert abs(idx.loc[DUMMY, "ST"]) <= idx.loc[DUMMY, "ST_conf"] + 1e-12
    assert abs(idx.loc[DUMMY, "S1"]) <= idx.loc[DUMMY, "S1_conf"] + 1e-12


def test_replication_noise_is_reported_by_the_dummy_and_the_variance_shares(tmp_path):
    """Independent streams: with noise of s.d. 2 and R = 2 the set means carry noise variance 2 of a total
    13.84 + 2: the within-set share and the dummy's ST (its noise floor) both report it."""
    study = _ishigami_study(tmp_path, 1024, 2, noise_sd=2.0)
    idx = _indices(study)
    noise = pd.read_csv(study.root / "analysis" / "noise.csv").set_index("output").loc["y"]
    expected = 2.0 / (13.8446 + 2.0)  # Ishigami's variance with a = 7, b = 0.1 is 13.8446
    assert abs(noise["noise_share_means"] - expected) < 0.02
    assert abs(noise["noise_share_runs"] - 4.0 / (13.8446 + 4.0)) < 0.02
    dummy = idx.loc[DUMMY]
    assert abs(dummy["ST"] - expected) <= 2 * dummy["ST_conf"]
    assert abs(dummy["S1"]) <= dummy["S1_conf"]
    assert noise["noise_floor"] == pytest.approx(dummy["ST"] + dummy["ST_conf"], abs=1e-6)
    assert not idx.loc[DUMMY, "above_noise"] and idx.loc["x1", "above_noise"]


def test_common_random_numbers_cancel_shared_noise(tmp_path):
    """Common random numbers: the same additive noise (s.d. 2, R = 2) is shared by every set, so it leaves the set
    means' variance: the dummy's indices are exactly 0 and the factors' ST are Ishigami's (within 0.04 at N = 1024,
    where independent streams raised them by up to 0.12), while the runs' within-set variance still shows the noise
    and sets the floor."""
    study = _ishigami_study(tmp_path, 1024, 2, noise_sd=2.0, common=True)
    idx = _indices(study)
    for name, (_, st) in ishigami_indices().items():
        assert abs(idx.loc[name, "ST"] - st) < 0.04, name
    assert (idx.loc[DUMMY, ["S1", "S1_conf", "ST", "ST_conf"]] == 0).all()
    noise = pd.read_csv(study.root / "analysis" / "noise.csv").set_index("output").loc["y"]
    assert bool(noise["common_random_numbers"]) and noise["noise_share_runs"] > 0
    assert noise["noise_floor"] == pytest.approx(noise["noise_share_means"]) and noise["noise_floor"] > 0


def _model_study(tmp_path: Path, *overrides: str):
    spec = spec_of(
        "N=64", "factors=[params.compliance_base,params.w_coercion,params.neutral,params.shock_sd]", *overrides
    )
    study, _ = pipeline.create(spec, tmp_path / "model")
    pipeline.run_slice(study, spec.evaluator(), list(range(study.n_batches)), 1, progress=False)
    return spec, study


MODEL_OUTPUTS = ["regional_mean_end", "bri_members_end", "alignment_end:COL"]


def test_model_dummy_is_exactly_zero_with_common_random_numbers(tmp_path):
    """Common random numbers (the default), on the model: every A row and its AB row for the dummy (same factor
    values but the dummy, same streams) give identical runs, so the Sobol ST numerator is exactly 0 and the dummy's
    S1 and ST are 0 with intervals of 0; the replication noise is in the within-set variance (noise.csv), which sets
    the noise floor. Morris on the same terms: the dummy's mu* is exactly 0."""
    spec, study = _model_study(tmp_path)
    assert spec.common_random_numbers and study.meta["identity"]["common_random_numbers"] is True
    y = study.outputs()  # (rows, R, columns)
    per = len(spec.factors) + 2  # rows per base point: A, AB_1 .. AB_D, B; the dummy is AB_D
    a_rows, ab_dummy = y[0::per], y[len(spec.factors) :: per]
    assert np.array_equal(a_rows, ab_dummy)  # f(A) - f(AB_dummy) == 0 for every run: ST's numerator is 0
    folder = write_analysis(study, dataclasses.replace(spec.options, seed=1), MODEL_OUTPUTS, plots=False)
    idx = pd.read_csv(folder / "indices.csv")
    noise = pd.read_csv(folder / "noise.csv").set_index("output")
    for output in MODEL_OUTPUTS:
        d = idx[(idx["factor"] == DUMMY) & (idx["output"] == output)].iloc[0]
        assert d["ST"] == 0 and d["S1"] == 0 and abs(d["ST"]) <= d["ST_conf"] and abs(d["S1"]) <= d["S1_conf"]
        assert 0 < noise.loc[output, "noise_share_runs"] < 1, output  # the runs differ within a set: noise is seen
        assert noise.loc[output, "noise_floor"] == pytest.approx(noise.loc[output, "noise_share_means"], rel=1e-6)
    morris = spec_of("method=morris", "N=8", "factors=[params.compliance_base,params.w_coercion,params.neutral]")
    m_study, _ = pipeline.create(morris, tmp_path / "morris")
    pipeline.run_slice(m_study, morris.evaluator(), list(range(m_study.n_batches)), 1, progress=False)
    m_folder = write_analysis(m_study, dataclasses.replace(morris.options, seed=1), MODEL_OUTPUTS[:2], plots=False)
    m_idx = pd.read_csv(m_folder / "indices.csv")
    m_dummy = m_idx[m_idx["factor"] == DUMMY]
    assert (m_dummy["mu_star"] == 0).all() and (m_dummy["mu_star_conf"] == 0).all()
    assert (m_idx[m_idx["factor"] == "params.compliance_base"]["mu_star"] > 0).all()


def test_model_dummy_is_the_noise_floor_with_independent_streams(tmp_path):
    """Independent streams (``common_random_numbers=false``), on the model: the dummy's S1 is 0 within its interval
    and its ST estimates the replication-noise share of the set means (within two of its interval half-widths),
    the noise the within-set variance shows."""
    spec, study = _model_study(tmp_path, "common_random_numbers=false")
    opts = dataclasses.replace(spec.options, seed=1)
    folder = write_analysis(study, opts, ["regional_mean_end", "alignment_end:COL"], plots=False)
    idx = pd.read_csv(folder / "indices.csv")
    noise = pd.read_csv(folder / "noise.csv").set_index("output")
    for output in ("regional_mean_end", "alignment_end:COL"):
        d = idx[(idx["factor"] == DUMMY) & (idx["output"] == output)].iloc[0]
        assert abs(d["S1"]) <= d["S1_conf"]
        assert d["ST"] > 0 and abs(d["ST"] - noise.loc[output, "noise_share_means"]) <= 2 * d["ST_conf"]


def test_chunked_resumed_and_uninterrupted_studies_give_identical_indices(tmp_path):
    """One study three ways: in one go, as four slices run separately, and interrupted after two batches then
    resumed: the batch files and the indices table are byte for byte the same."""
    spec = spec_of("N=8", "batch=16", "factors=[params.w_trade,params.neutral,us.tariff,data.us_aid_2025]")
    folders = {}
    for how in ("whole", "chunked", "resumed"):
        study, created = pipeline.create(spec, tmp_path / how)
        assert created
        ev = spec.evaluator()
        if how == "whole":
            pipeline.run_slice(study, ev, study.slice_batches(None, 1), 2, progress=False)
        elif how == "chunked":
            for k in range(4):
                pipeline.run_slice(study, ev, study.slice_batches(k, 4), 1, progress=False)
        else:
            pipeline.run_slice(study, ev, [0, 1], 1, progress=False)
            again, created = pipeline.create(spec, tmp_path / how)  # a new launch finds the study and resumes it
            assert not created and again.finished() == {0, 1}
            pipeline.run_slice(again, ev, again.slice_batches(None, 1), 1, progress=False)
        assert study.n_batches >= 4 and pipeline.complete(study)
        folders[how] = pipeline.finish(read_study(tmp_path / how), spec)
    texts = {how: (folder / "indices.csv").read_bytes() for how, folder in folders.items()}
    assert texts["whole"] == texts["chunked"] == texts["resumed"]
    for b in range(4):
        name = f"runs/batch-{b:05d}.parquet"
        frames = [pd.read_parquet(tmp_path / how / name) for how in folders]
        pd.testing.assert_frame_equal(frames[0], frames[1])
        pd.testing.assert_frame_equal(frames[0], frames[2])


def test_a_different_study_is_refused(tmp_path):
    spec = spec_of("N=8", "factors=[params.w_trade,params.neutral]")
    pipeline.create(spec, tmp_path / "s")
    other = spec_of("N=16", "factors=[params.w_trade,params.neutral]")
    with pytest.raises(SimInputError) as err:
        pipeline.create(other, tmp_path / "s")
    assert "N: 8 there, 16 now" in str(err.value)
    streams = spec_of("N=8", "factors=[params.w_trade,params.neutral]", "common_random_numbers=false")
    with pytest.raises(SimInputError) as err:
        pipeline.create(streams, tmp_path / "s")
    assert "common_random_numbers: True there, False now" in str(err.value)
    analysis_only = spec_of("N=8", "factors=[params.w_trade,params.neutral]", "num_resamples=20", "workers=1")
    assert not pipeline.create(analysis_only, tmp_path / "s")[1]  # analysis settings do not make another study


class PlantedBox:
    """y = 1 inside 0.2 < x1 < 0.5 and x2 > 0.7 (x3 and the dummy play no part), with 2% of labels flipped."""

    replications = 1
    columns: ClassVar[list[str]] = ["y"]

    def evaluate(self, first_row: int, x: np.ndarray) -> dict[str, np.ndarray]:
        inside = (x[:, 0] > 0.2) & (x[:, 0] < 0.5) & (x[:, 1] > 0.7)
        flip = np.random.default_rng(first_row).random(len(x)) < 0.02
        return {"y": (inside ^ flip).astype(float)}


def test_prim_recovers_a_planted_box(tmp_path):
    pytest.importorskip("ema_workbench", reason="scenario discovery needs the optional extra 'discovery'")
    from sim.sensitivity.discover import DiscoverOptions, write_discovery

    factors = [Factor(f"x{i}", "param", (0.0, 1.0), "unif", (0.0, 1.0), "", "test") for i in (1, 2, 3)]
    factors.append(Factor(DUMMY, "dummy", (0.0, 1.0), "unif", (0.0, 1.0), "", "noise floor"))
    identity = {"method": "pawn", "N": 4000, "seed": 3, "calc_second_order": False}
    study, _ = pipeline.create_study(tmp_path / "planted", factors, identity, ["y"], 1, 1000)
    pipeline.run_slice(study, PlantedBox(), list(range(study.n_batches)), 1, progress=False)
    folder = write_discovery(study, DiscoverOptions(condition="y > 0.5", plots=True), seed=0)
    boxes = pd.read_csv(folder / "boxes.csv").set_index("factor")
    assert sorted(boxes.index) == ["x1", "x2"]
    assert abs(boxes.loc["x1", "low"] - 0.2) < 0.03 and abs(boxes.loc["x1", "high"] - 0.5) < 0.03
    assert abs(boxes.loc["x2", "low"] - 0.7) < 0.03 and boxes.loc["x2", "high"] > 0.97
    # 2% flipped labels outside the box (about 72 of 3640 rows) bound the coverage near 0.83 and the density near 0.98
    assert boxes["coverage"].iloc[0] > 0.75 and boxes["density"].iloc[0] > 0.9
    scores = pd.read_csv(folder / "scores.csv")
    assert set(scores["factor"].head(2)) == {"x1", "x2"}
    assert (folder / "figures" / "box_1.png").is_file() and (folder / "DONE").is_file()


def test_kind_of_names():
    assert kind_of("params.w_trade") == "param"
    assert kind_of("us.tariff") == "lever"
    assert kind_of("us.targets.COL.tariff") == "target"
    assert kind_of("data.us_aid_2025") == "data"
    with pytest.raises(SimInputError):
        kind_of("us.targets.COL.leader_sanctions")
