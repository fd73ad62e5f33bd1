"""Property tests (Hypothesis) over valid configurations: any levers within their documented ranges (LEVER_DOCS), any
behavioural parameters within their Params ranges, per-state targets, a dated schedule entry with a ramp, any window
starting 1991-01 .. 2025-11 (up to 2050-12), either precision.

For every such configuration the engine's outputs are finite, alignment stays in [-1, 1], each month's per-state
contributions add up to the change in alignment (to rounding), no BRI member recognises Taipei, and the Mesa model
reproduces the engine's run exactly. Values just outside a documented range are refused in one line naming them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.calendar import month_label, parse_month
from sim.checks import LAST_END, validate_run_config
from sim.config import LEVER_DOCS, LeverChange, Params, RunConfig
from sim.data.seeds import CELAC_ISO3, SeedTables
from sim.dynamics.world import FIRST_START, build_world
from sim.engine import FullRecorder, simulate
from sim.errors import SimInputError
from sim.model import AlignmentModel

FIRST = parse_month(FIRST_START, "start")
LAST_START = parse_month("2025-11", "start")
LAST = parse_month(LAST_END, "end")
PARAMS = {f.name: f.metadata["range"] for f in fields(Params)}
LEVERS = {name: (lo, hi) for name, (_, lo, hi, _) in LEVER_DOCS.items()}
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Drawn:
    """A drawn configuration and a readable summary of what was drawn (shown when a property fails)."""

    cfg: RunConfig
    summary: str


@st.composite
def valid_configs(draw: st.DrawFn, base: RunConfig, max_months: int = 120) -> Drawn:
    start = draw(st.integers(FIRST, LAST_START), label="start")
    end = min(start + draw(st.integers(1, max_months), label="months") - 1, LAST)
    cfg = copy.deepcopy(base)
    cfg.start, cfg.end = month_label(start), month_label(end)
    cfg.dtype = draw(st.sampled_from(["float64", "float32"]))
    cfg.seed = draw(st.integers(0, 2**31 - 1))
    finite = {"allow_nan": False, "allow_infinity": False}
    for name in draw(st.lists(st.sampled_from(sorted(LEVERS)), unique=True, max_size=5)):
        power, short = name.split(".")
        setattr(getattr(cfg, power), short, draw(st.floats(*LEVERS[name], **finite), label=name))
    values = {
        name: draw(st.floats(*PARAMS[name], **finite), label=f"params.{name}")
        for name in draw(st.lists(st.sampled_from(sorted(PARAMS)), unique=True, max_size=8))
    }
    cfg.params = replace(cfg.params, **values)
    if draw(st.booleans()):  # a per-state target
        name = draw(st.sampled_from(sorted(LEVERS)))
        power, short = name.split(".")
        code = draw(st.sampled_from(CELAC_ISO3))
        getattr(cfg, power).targets = {code: {short: draw(st.floats(*LEVERS[name], **finite))}}
    if draw(st.booleans()):  # a dated, possibly ramped, schedule entry inside the window
        name = draw(st.sampled_from(sorted(LEVERS)))
        power, short = name.split(".")
        first = draw(st.integers(start, end))
        stop = draw(st.none() | st.integers(first + 1, end + 1))
        getattr(cfg, power).schedule = [
            LeverChange(
                lever=short,
                value=draw(st.floats(*LEVERS[name], **finite)),
                start=month_label(first),
                end=None if stop is None else month_label(stop),
                countries=draw(st.lists(st.sampled_from(CELAC_ISO3), unique=True, max_size=4)),
                ramp_months=draw(st.integers(0, 12)),
            )
        ]
    summary = f"{cfg.start}..{cfg.end} {cfg.dtype} seed {cfg.seed} us={cfg.us} china={cfg.china} params={values}"
    return Drawn(cfg, summary)


@pytest.fixture(scope="module")
def base(baseline_cfg: RunConfig) -> RunConfig:
    return baseline_cfg


def _check_run(seeds: SeedTables, drawn: Drawn, runs: list[int]) -> None:
    cfg = drawn.cfg
    validate_run_config(cfg)  # a valid configuration passes every check
    world = build_world(seeds, cfg)
    dtype = np.dtype(cfg.dtype)
    traj = simulate(world, cfg.params, cfg.seed, runs, FullRecorder(), dtype=dtype)
    states = traj.states
    for name, values in states.items():
        if values.dtype.kind == "f":
            assert np.isfinite(values).all(), f"non-finite {name}: {drawn.summary}"
    assert np.isfinite(traj.contributions).all(), drawn.summary
    a = states["alignment"]
    assert a.dtype == dtype and np.all(np.abs(a) <= 1.0), drawn.summary
    change = a[1:].astype(np.float64) - a[:-1]
    total = traj.contributions.astype(np.float64).sum(axis=1)
    tolerance = 16 * np.finfo(dtype).eps  # a few roundings of numbers below 1 in the run's precision
    worst = float(np.max(np.abs(total - change)))
    assert worst <= tolerance, f"contributions miss the change by {worst:g}: {drawn.summary}"
    assert not np.any(states["bri"] & ~states["prc"]), f"a BRI member recognises Taipei: {drawn.summary}"


@settings(SETTINGS, max_examples=200)
@given(data=st.data())
def test_valid_configurations_give_finite_bounded_additive_results(seeds: SeedTables, base: RunConfig, data):
    drawn = data.draw(valid_configs(base), label="config")
    _check_run(seeds, drawn, runs=[0, 1, 7])


@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_the_longest_windows_stay_finite(seeds: SeedTables, base: RunConfig, data):
    """Runs from the 1990s to 2050 (the longest the model allows), where drift has the most time to go wrong."""
    drawn = data.draw(valid_configs(base, max_months=720), label="config")
    drawn.cfg.end = LAST_END
    _check_run(seeds, drawn, runs=[3])


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_the_mesa_model_equals_the_engine(seeds: SeedTables, base: RunConfig, data):
    drawn = data.draw(valid_configs(base, max_months=48), label="config")
    cfg = drawn.cfg
    world = build_world(seeds, cfg)
    run = data.draw(st.integers(0, 10_000), label="run")
    traj = simulate(world, cfg.params, cfg.seed, [run], dtype=np.dtype(cfg.dtype))
    model = AlignmentModel(cfg, run=run, world=world)
    path, bri, prc = [], [], []
    while model.running:
        model.step()
        path.append(model.state.alignment[0].copy())
        bri.append(model.state.bri[0].copy())
        prc.append(model.state.prc[0].copy())
    np.testing.assert_array_equal(np.array(path), traj.states["alignment"][1:, 0], err_msg=drawn.summary)
    np.testing.assert_array_equal(np.array(bri), traj.states["bri"][1:, 0], err_msg=drawn.summary)
    np.testing.assert_array_equal(np.array(prc), traj.states["prc"][1:, 0], err_msg=drawn.summary)
    assert model.date == cfg.end


def _outside(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Numbers just outside ``[lo, hi]`` (and far outside)."""
    span = max(hi - lo, 1.0)
    below = st.floats(lo - 10 * span, lo, exclude_max=True, allow_nan=False)
    above = st.floats(hi, hi + 10 * span, exclude_min=True, allow_nan=False)
    return below | above


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_values_outside_their_range_are_refused_naming_them(seeds: SeedTables, base: RunConfig, data):
    cfg = copy.deepcopy(base)
    if data.draw(st.booleans(), label="lever or parameter"):
        name = data.draw(st.sampled_from(sorted(LEVERS)), label="lever")
        value = data.draw(_outside(*LEVERS[name]), label="value")
        power, short = name.split(".")
        setattr(getattr(cfg, power), short, value)
        field = name
    else:
        name = data.draw(st.sampled_from(sorted(PARAMS)), label="parameter")
        value = data.draw(_outside(*PARAMS[name]), label="value")
        cfg.params = replace(cfg.params, **{name: value})
        field = f"params.{name}"
    with pytest.raises(SimInputError) as err:
        validate_run_config(cfg)
        build_world(seeds, cfg)
    message = str(err.value)
    assert message.startswith(f"{field}: got ") and "\n" not in message, message
    assert "expected a number in [" in message, message
