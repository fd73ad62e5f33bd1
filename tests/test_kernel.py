"""The compiled step (sim.dynamics.kernel) gives the numpy step's results bit for bit, on scenarios that exercise
every branch (reactive strategies, forced elections, hindcasts with scripted governments and observed flows,
replayed institutions, leader measures), per-run parameter designs, lever and initial-state hooks, per-run world
rows, other numbers of states and batch sizes, in float64 and float32; it leaves its inputs untouched, raises the
same error on non-finite values, and its machine code has no fused multiply-add."""

from __future__ import annotations

import copy
import dataclasses
import re

import numpy as np
import pytest

from sim.dynamics import kernel
from sim.engine import FullRecorder, LeverOverride, OutcomeRecorder, Trajectory, kernel_name, simulate
from sim.errors import SimRunError

pytestmark = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed: no compiled step to compare")

REACTIVE = ("scenario=tit_for_tat", "us.reaction.drift=0.0", "china.reaction.drift=0.0")
SCENARIOS = {
    "baseline": (),
    "reactive": REACTIVE,
    "forced_election": ("scenario=colombia_right_turn",),
    "max_pressure": ("scenario=us_max_pressure",),
    "hindcast_replayed": ("scenario=history", "replay_institutions=true"),
    "hindcast_2012": ("start=2012-01", "end=2016-12"),
}


def _same_bits(a: np.ndarray, b: np.ndarray, what: str) -> None:
    """Equal arrays, bit for bit (NaN payloads and the sign of zero included)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    if a.dtype.kind == "f":
        a, b = a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")
    assert np.array_equal(a, b), f"{what}: {np.count_nonzero(a != b)} elements differ"


def _same_trajectory(x: Trajectory, y: Trajectory) -> None:
    for name in x.states:
        _same_bits(x.states[name], y.states[name], name)
    _same_bits(x.contributions, y.contributions, "contributions")
    for name in x.events:
        _same_bits(x.events[name], y.events[name], name)
    assert x.changes == y.changes


class EveryField(FullRecorder):
    """Also keeps every field of every month's state (FullRecorder keeps a few)."""

    def begin(self, world, runs, state) -> None:
        super().begin(world, runs, state)
        self.every = [copy.deepcopy(state)]

    def record(self, i, t, before, result) -> None:
        super().record(i, t, before, result)
        self.every.append(copy.deepcopy(result.state))

    def finish(self):
        out = super().finish()
        out.every = self.every
        return out


def _same_states(x, y) -> None:
    for t, (a, b) in enumerate(zip(x.every, y.every, strict=True)):
        for f in dataclasses.fields(a):
            _same_bits(getattr(a, f.name), getattr(b, f.name), f"month {t}: {f.name}")


KERNELS = ("numpy", "numba")


def _both(world, params, seed, runs, dtype, **kw):
    return [simulate(world, params, seed, runs, dtype=np.dtype(dtype), kernel=k, **kw) for k in KERNELS]


@pytest.fixture(scope="module")
def worlds(seeds):
    from conftest import composed

    from sim.dynamics.world import build_world

    return {name: (cfg := composed(*o), build_world(seeds, cfg)) for name, o in SCENARIOS.items()}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_numba_step_equals_numpy_step(worlds, scenario, dtype):
    cfg, world = worlds[scenario]
    numpy_run, numba_run = (
        simulate(world, cfg.params, cfg.seed, 24, EveryField(), dtype=np.dtype(dtype), kernel=k) for k in KERNELS
    )
    _same_trajectory(numpy_run, numba_run)
    _same_states(numpy_run, numba_run)  # every field of the state, every month (bri_share, pending elections, ...)
    if scenario in ("baseline", "forced_election"):
        assert numba_run.events["election"].any() and numba_run.events["government_change"].any()
    if scenario == "hindcast_2012":
        assert numba_run.events["government_change"].any()  # observed leaders taking office


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_per_run_parameters_levers_and_hooks(worlds, dtype):
    """A design: parameters by run (blend weight, election and flow parameters among them), lever overrides, a lever
    hook, an initial-state hook and per-run world rows (as the sensitivity and estimation code build them)."""
    cfg, world = worlds["baseline"]
    runs = np.arange(40)
    rng = np.random.default_rng(1)

    def column(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, (len(runs), 1))

    params = dataclasses.replace(
        cfg.params,
        w_trade=column(0.0, 0.02),
        subregion_weight=column(0.0, 1.0),
        shock_sd=column(0.0, 0.03),
        finance_decay=column(0.05, 0.3),
        defeat_tenure=column(-0.2, 0.2),
        turnover_sd=column(0.1, 0.8),
        bri_base=column(-4.0, 2.0),
        recognition_base=column(-9.0, -1.0),
    )
    override = LeverOverride(np.array([1, 4]), rng.uniform(0, 1, (len(runs), 2)), first=3)
    _same_trajectory(*_both(world, params, 5, runs, dtype, levers=override))

    def hook(plan_t: np.ndarray, t: int) -> np.ndarray:
        lv = np.broadcast_to(plan_t, (len(runs), *plan_t.shape)).copy()
        lv[:, 0, :] = np.where(t % 2 == 0, lv[:, 0, :] * 1.5, lv[:, 0, :])
        return lv

    def adjust(w, state):
        state.aid_stock = (state.aid_stock * 1.1).astype(state.alignment.dtype)
        return state

    per_run_world = dataclasses.replace(
        world,
        aid_flow=np.broadcast_to(world.aid_flow[:, None, :], (world.n_months, len(runs), world.n_states)).copy(),
        state_effect=rng.uniform(-0.1, 0.1, (len(runs), world.n_states)),
    )
    per_run_world.aid_flow[:, ::3] *= 2.0
    streams = runs % 7
    kw = {"levers": hook, "adjust": adjust, "streams": streams}
    _same_trajectory(*_both(per_run_world, params, 5, runs, dtype, **kw))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_other_numbers_of_states_and_batch_sizes(worlds, dtype):
    """Blocks of runs that do not fill (1, 7, 33 runs) and a world of 95 states."""
    from sim.bench.core import synthetic_world

    cfg, world = worlds["baseline"]
    for runs in (1, 7, 33):
        _same_trajectory(*_both(world, cfg.params, 3, runs, dtype))
    big = synthetic_world(world, 95)
    _same_trajectory(*_both(big, cfg.params, 3, 9, dtype))
    outcomes = [simulate(world, cfg.params, 3, 33, OutcomeRecorder(), dtype=np.dtype(dtype), kernel=k) for k in KERNELS]
    for name in ("regional_mean", "bri_count", "alignment_end", "bri_end", "event_counts"):
        _same_bits(getattr(outcomes[0], name), getattr(outcomes[1], name), name)


def test_a_step_leaves_its_input_state_untouched(worlds):
    from sim.dynamics import rng
    from sim.dynamics.update import DRAWS, cast_params, initial_state

    cfg, world = worlds["forced_election"]
    w = world.astype(np.float64)
    keys = rng.run_keys(cfg.seed, np.arange(16))
    counters = rng.Counters(len(DRAWS), w.n_states)
    params = cast_params(cfg.params, np.float64)
    prep = kernel.prepare(w, params, 16, np.float64)
    assert prep is not None
    state = initial_state(w, params, 16)
    for t in range(w.n_months):
        before = copy.deepcopy(state)
        result, finite = kernel.step(state, t, w, prep, w.plan[t], keys, counters)
        assert finite
        for f in dataclasses.fields(state):
            _same_bits(getattr(state, f.name), getattr(before, f.name), f"month {t}: input {f.name}")
        state = result.state


def test_forms_the_loop_does_not_reproduce_run_the_numpy_step(worlds):
    cfg, world = worlds["baseline"]
    odd = dataclasses.replace(cfg.params, w_trade=np.float64(0.004))  # a strong float64 scalar in a float32 run
    w32 = world.astype(np.float32)
    assert kernel.prepare(w32, odd, 4, np.float32) is None
    _same_trajectory(*_both(world, odd, 2, 4, "float32"))


def test_non_finite_values_raise_the_same_error(worlds):
    cfg, world = worlds["baseline"]
    params = dataclasses.replace(cfg.params, w_trade=np.nan)
    messages = []
    for k in KERNELS:
        with pytest.raises(SimRunError) as err:
            simulate(world, params, 1, 3, kernel=k)
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "non-finite alignment" in messages[0]


def test_kernel_selection(monkeypatch, capsys):
    monkeypatch.delenv("SIM_KERNEL", raising=False)
    assert kernel_name() == "numba"
    monkeypatch.setenv("SIM_KERNEL", "numpy")
    assert kernel_name() == "numpy" and kernel_name("numba") == "numba"
    monkeypatch.setenv("SIM_KERNEL", "fortran")
    with pytest.raises(ValueError, match="fortran"):
        kernel_name()
    monkeypatch.delenv("SIM_KERNEL")
    monkeypatch.setattr(kernel, "AVAILABLE", False)
    import sim.engine

    monkeypatch.setattr(sim.engine, "_told", [])
    assert kernel_name() == "numpy" and kernel_name() == "numpy"
    assert capsys.readouterr().err.count("numba is not installed") == 1  # said once, on one line
    with pytest.raises(RuntimeError, match="not installed"):
        kernel_name("numba")


def test_machine_code_has_no_fused_multiply_add(worlds):
    """Compiled afresh (cached code cannot be inspected): no FMA instruction anywhere in the month loop or the
    election loop, though this CPU has FMA (numba compiles without fastmath, so LLVM may not contract)."""
    import numba

    cfg, world = worlds["forced_election"]
    captured: dict[str, tuple] = {}

    def grab(name, fn):
        def wrapper(*args):
            captured.setdefault(name, args)
            return fn(*args)

        return wrapper

    mp = pytest.MonkeyPatch()
    mp.setattr(kernel, "_month_nb", grab("month", kernel._month_nb))
    mp.setattr(kernel, "_gov_apply_nb", grab("gov", kernel._gov_apply_nb))
    try:
        simulate(world, cfg.params, 1, 4, kernel="numba")
    finally:
        mp.undo()
    fused = re.compile(r"\bv?f(n)?m(add|sub)[0-9]{3}")
    for name, fn in (("month", kernel._month), ("gov", kernel._gov_apply)):
        fresh = numba.njit(error_model="numpy")(fn)
        fresh(*captured[name])
        asm = fresh.inspect_asm(fresh.signatures[0])
        assert "mulsd" in asm or "mulpd" in asm  # really the float64 code
        assert not fused.search(asm), f"{name}: {fused.search(asm).group(0)}"
