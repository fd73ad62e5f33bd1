"""The compiled month step: :func:`sim.dynamics.update.step` with its element-wise work fused into numba loops.

:func:`step` returns exactly what :func:`sim.dynamics.update.step` returns, bit for bit, in float64 and float32
(``tests/test_kernel.py``). The numpy step stays the reference (the Mesa model and the dashboard call it);
:func:`sim.engine.simulate` uses this one when numba is installed (``SIM_KERNEL``, see :mod:`sim.engine`).

What is compiled: the drivers (exposure, pressure, compliance, stocks, trade shares, elite attitude), the ten
alignment terms with the neighbourhood mean, the shock and its clip, the contributions, the recognition and BRI
decisions with their uniforms (the counter hash of :mod:`sim.dynamics.rng` on uint64), the neighbourhood BRI share of
runs whose membership changed, a finiteness flag (:func:`_month`); the governments and elections
(:func:`governments`, the arrays copied only in months where something happens), the leader-measure targets
(:func:`measure_targets`) and the initial stocks (:func:`accumulate`). What stays in numpy: the powers' reactions
(:func:`~sim.dynamics.strategies.respond`) and the US presidential election (both rare and cheap).

Layout: :func:`_month` takes a block of runs at a time (:func:`block_size`: ``block * N`` a multiple of the vector
width) as flat rows, in small loops that each touch a handful of arrays, with unsigned indices; LLVM vectorises every
one of them (with signed indices numba adds a negative-index fix-up to each access, and a loop touching dozens of
arrays needs too many run-time overlap checks: either keeps a loop scalar).

How it stays bit-identical: every expression is the numpy step's, operation by operation and in the same order
(left-to-right sums, the same products, ``tanh`` of :mod:`sim.dynamics.mathfn` with the same operations); arithmetic
is in the precision numpy uses for it: the run's, with constants of that precision (numpy casts a Python scalar to the
array's dtype; here every constant goes through the array's type), and float64 where numpy promotes (the election's
defeat probability and new ideology); scalar-by-scalar parameter products are done beforehand in Python as numpy does
them (``shock_sd * sqrt(12)``, ``1 - finance_decay / 12``); neighbour blends use the coefficients
:func:`sim.dynamics.alignment.blend_coefficients` computes for numpy. numba compiles without ``fastmath`` (no
reassociation, no FMA contraction: ``tests/test_kernel.py`` checks the machine code has no fused multiply-add) and
with ``error_model="numpy"`` (a division by zero gives inf/NaN as in numpy), with no parallel reductions. Inputs the
loop does not reproduce exactly (a parameter given as a numpy scalar of another precision, levers in another
precision) make :func:`prepare` return ``None`` or the month run through the numpy step: the same results.

Compiled once per machine and cached (``cache=True``, ``__pycache__`` next to this file: about 5-6 s per precision
the first time). numba only checks this file's own date, so the compiled code would not notice a change in the
modules whose constants it freezes (:mod:`~sim.dynamics.mathfn`, :mod:`~sim.dynamics.rng`, the lever order, ...);
:func:`_refresh_cache` drops the cached code when their sources change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from sim.config import Params
from sim.dynamics import politics
from sim.dynamics.alignment import SQRT12, TERMS, blend_coefficients
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.mathfn import TANH32, TANH64
from sim.dynamics.rng import _M1, _M2, _S27, _S30, _S31, _TO24, _TO53, Counters, _month_keys
from sim.dynamics.state import State
from sim.dynamics.strategies import respond
from sim.dynamics.update import _FIRST, DRAWS, U_BRI, U_RECOGNITION, U_SHOCK, U_US, U_VOTE, U_WINNER, StepResult
from sim.dynamics.update import step as update_step
from sim.dynamics.world import World

try:
    import numba
    from numba import types as _nbtypes
    from numba.extending import overload as _overload
except ImportError:  # the engine then uses the numpy step (sim.engine says so)
    numba = None

AVAILABLE = numba is not None
"""numba is importable: the compiled step can run."""

_DEPENDENCIES = ("mathfn", "rng", "update", "politics", "alignment", "levers", "strategies", "neighbours")
"""Modules of sim.dynamics whose constants or code the compiled functions freeze (with sim/config.py: lever order)."""


def _refresh_cache() -> None:
    """Delete this module's cached machine code when a module it depends on has changed since it was compiled (numba
    itself only compares this file's date). Best effort: only the default cache folder, silently skipped if it
    cannot be written."""
    import hashlib
    from pathlib import Path

    here = Path(__file__).resolve()
    digest = hashlib.sha256(numba.__version__.encode())
    for path in [here.parent / f"{m}.py" for m in _DEPENDENCIES] + [here.parent.parent / "config.py"]:
        digest.update(path.read_bytes() if path.exists() else b"")
    folder = here.parent / "__pycache__"
    stamp = folder / f"{here.stem}.dependencies"
    try:
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return
        for old in folder.glob(f"{here.stem}.*.nb[ic]"):
            old.unlink()
        folder.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:
        pass


if AVAILABLE:
    _refresh_cache()


def _jit(fn: Any) -> Any:
    """``numba.njit(cache=True)`` (no fastmath, no parallel) when numba is there, else the plain function."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn) if AVAILABLE else fn


def _inline(fn: Any) -> Any:
    return numba.njit(cache=True, error_model="numpy")(fn) if AVAILABLE else fn


# ------------------------------------------------------------------ portable tanh, scalar (mathfn's operations)

_CL64, _IL64, _LH64, _LL64 = TANH64.clamp, TANH64.inv_ln2, TANH64.ln2_hi, TANH64.ln2_lo
_Q64 = TANH64.coefficients
_P2_64 = TANH64.pow2
_CL32, _IL32, _LH32, _LL32 = TANH32.clamp, TANH32.inv_ln2, TANH32.ln2_hi, TANH32.ln2_lo
_Q32 = TANH32.coefficients
_P2_32 = TANH32.pow2
_HALF64, _ONE64, _TWO64 = np.float64(0.5), np.float64(1.0), np.float64(2.0)
_HALF32, _ONE32, _TWO32 = np.float32(0.5), np.float32(1.0), np.float32(2.0)
assert len(_Q64) == 12 and len(_Q32) == 7  # the unrolled Horner chains below


def _tanh64(x: float) -> float:
    """:func:`sim.dynamics.mathfn.tanh` of one float64, the same operations in the same order."""
    a = abs(x)
    a = a if a < _CL64 else _CL64
    y = a + a
    k = np.uint64(y * _IL64 + _HALF64)  # y >= 0: truncation rounds to nearest; unsigned: no index fix-up
    kf = np.float64(k)
    r = (y - kf * _LH64) - kf * _LL64
    q = _Q64[11]
    q = q * r + _Q64[10]
    q = q * r + _Q64[9]
    q = q * r + _Q64[8]
    q = q * r + _Q64[7]
    q = q * r + _Q64[6]
    q = q * r + _Q64[5]
    q = q * r + _Q64[4]
    q = q * r + _Q64[3]
    q = q * r + _Q64[2]
    q = q * r + _Q64[1]
    q = q * r + _Q64[0]
    p = r * r * q + r
    s = _P2_64[k]
    e = s * p + (s - _ONE64)
    t = np.copysign(e / (e + _TWO64), x)
    return x if x != x else t


def _tanh32(x: np.float32) -> np.float32:
    """:func:`sim.dynamics.mathfn.tanh` of one float32, the same operations in the same order."""
    a = abs(x)
    a = a if a < _CL32 else _CL32
    y = a + a
    k = np.uint64(y * _IL32 + _HALF32)
    kf = np.float32(k)
    r = (y - kf * _LH32) - kf * _LL32
    q = _Q32[6]
    q = q * r + _Q32[5]
    q = q * r + _Q32[4]
    q = q * r + _Q32[3]
    q = q * r + _Q32[2]
    q = q * r + _Q32[1]
    q = q * r + _Q32[0]
    p = r * r * q + r
    s = _P2_32[k]
    e = s * p + (s - _ONE32)
    t = np.copysign(e / (e + _TWO32), x)
    return x if x != x else t


_tanh64_nb = _inline(_tanh64)
_tanh32_nb = _inline(_tanh32)


def ptanh(x: Any) -> Any:
    """Portable tanh of one float32 or float64 (compiled code picks the precision at typing time)."""
    return _tanh32(x) if isinstance(x, np.float32) else _tanh64(x)


if AVAILABLE:

    @_overload(ptanh)
    def _ptanh_typed(x):  # type: ignore[no-untyped-def]  # (numba compares its signature with the lambdas)
        if x == _nbtypes.float32:
            return lambda x: _tanh32_nb(x)
        return lambda x: _tanh64_nb(x)


# ------------------------------------------------------------------ small scalar helpers (numpy's semantics)


def _clip(x: Any, lo: Any, hi: Any) -> Any:
    """``np.clip``: NaN stays NaN."""
    return lo if x < lo else (hi if x > hi else x)


def _maximum(x: Any, y: Any) -> Any:
    """``np.maximum(x, y)`` for a constant ``y``: NaN propagates; of two equal values, ``y``."""
    return x if (x > y or x != x) else y


def _sign(x: Any, one: Any, zero: Any) -> Any:
    """``np.sign``: +-1, 0 for +-0, NaN for NaN."""
    return one if x > zero else (-one if x < zero else (zero if x == zero else x))


def _bits(key: Any, offset: Any, shift: Any) -> Any:
    """The top bits of the twice-mixed counter ``key + offset`` as an int64 (uint64 arithmetic wraps), as
    :func:`sim.dynamics.rng.uniforms_of` takes them; times ``2^-53`` (float64) or ``2^-24`` (float32): the uniform."""
    x = key + offset
    for _ in range(2):
        x ^= x >> _S30
        x *= _M1
        x ^= x >> _S27
        x *= _M2
        x ^= x >> _S31
    return np.int64(x >> shift)


_clip_nb = _inline(_clip)
_maximum_nb = _inline(_maximum)
_sign_nb = _inline(_sign)
_bits_nb = _inline(_bits)

# ------------------------------------------------------------------ parameters as one matrix

PARAMS: tuple[str, ...] = (
    "w_trade",
    "beta_trade",
    "remittance_us_share",
    "w_finance",
    "beta_finance",
    "w_coercion",
    "compliance_base",
    "compliance_dependence",
    "compliance_alignment",
    "pressure_sanctions",
    "pressure_tariff",
    "pressure_leader_sanctions",
    "pressure_decertification",
    "pressure_visa_bans",
    "pressure_military_threat",
    "pressure_bri_exit",
    "w_ideology",
    "w_regime",
    "w_security",
    "w_neighbours",
    "w_institutions",
    "w_elite",
    "elite_gain",
    "elite_decay",
    "w_state",
    "neutral",
    "trade_adjust_rate",
    "tariff_elasticity",
    "bri_base",
    "bri_alignment",
    "bri_neighbours",
    "bri_size",
    "size_gdp_half",
    "bri_us_pressure",
    "bri_exit_rate",
    "recognition_base",
    "recognition_back",
    "recognition_alignment",
)
"""Parameters the fused loop reads (columns of the parameter matrix, then the two derived columns)."""
(
    W_TRADE,
    BETA_TRADE,
    REMIT,
    W_FIN,
    BETA_FIN,
    W_COER,
    C_BASE,
    C_DEP,
    C_ALIGN,
    P_SANC,
    P_TARIFF,
    P_LEADER,
    P_DECERT,
    P_VISA,
    P_MIL,
    P_BRIEXIT,
    W_IDEO,
    W_REGIME,
    W_SEC,
    W_NB,
    W_INST,
    W_ELITE,
    E_GAIN,
    E_DECAY,
    W_STATE,
    NEUTRAL,
    T_RATE,
    T_ELAST,
    B_BASE,
    B_ALIGN,
    B_NB,
    B_SIZE,
    SIZE_HALF,
    B_USP,
    B_EXIT,
    R_BASE,
    R_BACK,
    R_ALIGN,
) = range(len(PARAMS))
SHOCK_SCALE, KEEP = len(PARAMS), len(PARAMS) + 1

_LV = LEVER_INDEX
LV_SANC, LV_TARIFF, LV_LEADER = _LV["us.sanctions"], _LV["us.tariff"], _LV["us.leader_sanctions"]
LV_DECERT, LV_VISA, LV_MIL = _LV["us.decertification"], _LV["us.visa_bans"], _LV["us.military_threat"]
LV_BRIEXIT, LV_AID, LV_US_ELITE = _LV["us.bri_exit_pressure"], _LV["us.aid"], _LV["us.elite_diplomacy"]
LV_FIN, LV_PLEDGE, LV_OFFER = _LV["china.bri_finance"], _LV["china.import_pledge"], _LV["china.bri_offer"]
LV_CN_ELITE = _LV["china.elite_diplomacy"]


def _column(value: Any, runs: int, dtype: np.dtype) -> np.ndarray | None:
    """A parameter as ``(runs,)`` values in ``dtype``, as numpy would apply it; ``None`` if its form is one the
    fused loop does not reproduce (then the numpy step runs)."""
    if isinstance(value, bool) or (isinstance(value, np.generic) and value.dtype != dtype):
        return None  # a numpy scalar of another precision is not weak: numpy would promote the term to it
    if isinstance(value, int | float | np.generic):
        return np.full(runs, value, dtype=dtype)  # a weak Python scalar: cast to the array's precision
    if isinstance(value, np.ndarray) and value.dtype == dtype and value.shape in ((runs, 1), (1, 1)):
        return np.broadcast_to(value[:, 0], (runs,))
    return None


def param_matrix(p: Params, runs: int, dtype: Any) -> np.ndarray | None:
    """``(1 or runs, len(PARAMS) + 2)`` parameter values in ``dtype`` (one row if no parameter varies by run),
    with the derived ``shock_sd * sqrt(12)`` and ``1 - finance_decay / 12`` computed exactly as the numpy step
    computes them. ``None`` if some parameter has a form the fused loop does not reproduce."""
    dt = np.dtype(dtype)
    per_run = any(np.ndim(getattr(p, f.name)) == 2 for f in fields(p))
    rows = runs if per_run else 1
    derived = (p.shock_sd * SQRT12, 1.0 - p.finance_decay / 12.0)  # numpy's order and precision
    columns = [_column(getattr(p, name), rows, dt) for name in PARAMS] + [_column(v, rows, dt) for v in derived]
    if any(c is None for c in columns):
        return None
    return np.ascontiguousarray(np.stack(columns, axis=1))


# ------------------------------------------------------------------ the fused loop

# The loop works on a block of runs at a time, as flat rows of ``block * N`` elements (a run's states are contiguous
# in every ``(R, N)`` array), in small loops that each read and write a handful of arrays: LLVM vectorises each of
# them (a loop touching dozens of arrays would need too many run-time overlap checks and stay scalar), and a block's
# length is a multiple of the vector width, so no scalar remainder runs. Rows shared by every run (world data,
# levers, parameters) are tiled to the block's length once per call. Intermediate rows live in ``work``:
ARG = 0
"""``work[0:5]``: the five tanh arguments (trade, finance, compliance, recognition, accession)."""
TH = 5
"""``work[5:10]``: their tanh."""
MEAN, PRESSURE, DET, USI, BIND0, BIND1, CNEAR, CPEERS = range(10, 18)
"""``work`` rows: neighbourhood mean of alignment, US pressure, sum of the deterministic terms, the US ideology the
terms see, the two leader-measure binds (0/1), the neighbourhood blend weights."""
TERM = 18
"""``work[18:29]``: the eleven contributions (TERMS order)."""
N_WORK = TERM + len(TERMS)
F_PRC, F_BRI, F_SWITCH, F_JOIN, F_EXIT = range(5)
"""Rows of the bool scratch ``flags``: the new recognition and membership, the three events."""
WR_OPEN, WR_REMIT, WR_AUTOC, WR_SEC, WR_GDP, WR_AIDFLOW, WR_FINFLOW, WR_EFFECT = range(8)
"""Rows of the month's float world array (:func:`_world_rows`)."""
C_AIDREF, C_FINREF, C_BASE0, C_BASE1, C_BASE2, C_BASE3, C_ESHARE, C_OBS0, C_OBS1, C_OBS2, C_OBS3 = range(11)
"""Rows of the month's constant array (:func:`_constants`)."""


def _tile_row(dst: np.ndarray, row: Any, src: np.ndarray, block: Any) -> None:
    """``dst[row] = src`` repeated ``block`` times (``src`` ``(N,)``)."""
    n = np.uint64(src.shape[0])
    for b in range(block):
        for i in range(n):
            dst[row, b * n + i] = src[i]


def _tile_flag(dst: np.ndarray, src: np.ndarray, block: Any) -> None:
    """``dst = src`` repeated ``block`` times (1-D bool)."""
    n = np.uint64(src.shape[0])
    for b in range(block):
        for i in range(n):
            dst[b * n + i] = src[i]


def _put_row(dst: np.ndarray, row: Any, b: Any, src: np.ndarray) -> None:
    """``dst[row]``'s ``b``-th run of the block ``= src`` ``(N,)``."""
    n = np.uint64(src.shape[0])
    for i in range(n):
        dst[row, b * n + i] = src[i]


_tile_row_nb = _inline(_tile_row)
_tile_flag_nb = _inline(_tile_flag)
_put_row_nb = _inline(_put_row)


def _month(
    a: np.ndarray,
    ideo: np.ndarray,
    ex_us: np.ndarray,
    ex_cn: np.ndarray,
    im_us: np.ndarray,
    im_cn: np.ndarray,
    aid_s: np.ndarray,
    fin_s: np.ndarray,
    elite: np.ndarray,
    bri: np.ndarray,
    prc: np.ndarray,
    share: np.ndarray,
    us_ideo_s: np.ndarray,
    person: np.ndarray,
    target: np.ndarray,
    lv: np.ndarray,
    world: Any,
    effect: np.ndarray,
    has_sec: np.ndarray,
    trade_obs: np.ndarray,
    obs_prc: np.ndarray,
    obs_bri: np.ndarray,
    t: int,
    lvb: np.ndarray,
    wb: np.ndarray,
    hb: np.ndarray,
    cb: np.ndarray,
    obp: np.ndarray,
    obb: np.ndarray,
    nbj: np.ndarray,
    wj: np.ndarray,
    gj: np.ndarray,
    invj: np.ndarray,
    alonej: np.ndarray,
    nb_index: np.ndarray,
    nb_weights: np.ndarray,
    grp_start: np.ndarray,
    grp_members: np.ndarray,
    group_of: np.ndarray,
    inv_peers: np.ndarray,
    alone: np.ndarray,
    c_near: np.ndarray,
    c_peers: np.ndarray,
    c_near_t: np.ndarray,
    c_peers_t: np.ndarray,
    pm: np.ndarray,
    var_cols: np.ndarray,
    pp: np.ndarray,
    us_ideo_t: Any,
    cn_ideo: Any,
    use_state_us: bool,
    replay: bool,
    keys: np.ndarray,
    month_key: Any,
    goldb: np.ndarray,
    u_shift: Any,
    u_scale: Any,
    new_a: np.ndarray,
    n_ex_us: np.ndarray,
    n_ex_cn: np.ndarray,
    n_im_us: np.ndarray,
    n_im_cn: np.ndarray,
    n_aid: np.ndarray,
    n_fin: np.ndarray,
    n_elite: np.ndarray,
    n_bri: np.ndarray,
    n_prc: np.ndarray,
    n_share: np.ndarray,
    joins: np.ndarray,
    exits: np.ndarray,
    switches: np.ndarray,
    contrib: np.ndarray,
    with_contrib: bool,
    work: np.ndarray,
    fl: np.ndarray,
    kb: np.ndarray,
    sums: np.ndarray,
    rev_start: np.ndarray,
    rev_list: np.ndarray,
    hit: np.ndarray,
    group_hit: np.ndarray,
    run_changed: np.ndarray,
    leader_measures: bool,
    block: int,
) -> tuple[bool, int]:
    """One month of the element-wise update of every run and state.

    State arrays are flat ``(R * N,)`` views (``target`` ``(R, 2, N)``, ``us_ideo_s`` ``(R,)``). Inputs of month
    ``t``: levers ``lv`` ``(1 or R, levers, N)``; ``world`` the seven float world arrays ``(T, 1 or R, N)`` (``WR_*``
    order, without the state effect, ``effect`` ``(1 or R, N)``); ``has_sec``, ``obs_prc``, ``obs_bri`` ``(T, N)``;
    ``trade_obs`` ``(T, 4, N)``. They are tiled (or copied per block where they vary by run) into the block-length
    scratch rows ``lvb``, ``wb``, ``hb``, ``cb`` (whose first seven rows, the constants, are filled once per
    simulation), ``obp``, ``obb``. ``nbj``/``wj``/``gj``/``invj``/``alonej`` (neighbour indices relative to a
    block's start, weights, subregion sum index, inverse peer counts, isolation) are tiled to a block; ``pp``
    ``(P, block * N)`` the parameters by element (the columns ``var_cols`` of ``pm`` vary by run and are filled per
    block); ``contrib`` ``(terms, R * N)`` (a stand-in when not kept). Writes the ``n_*`` outputs and the event
    masks (``n_share`` only if some run's membership changed); returns whether every float output is finite and
    how many runs' membership changed."""
    # Every index is unsigned (uint64): numba adds a negative-index fix-up to each access with a signed index,
    # which costs several vector instructions per access and dominated the loops' time.
    u0, u1 = np.uint64(0), np.uint64(1)
    n_runs = np.uint64(us_ideo_s.shape[0])
    n = np.uint64(a.shape[0]) // n_runs if n_runs else u0
    blk = np.uint64(block)
    real = a.dtype.type  # the run's precision: every constant and conversion goes through it
    zero, half, one, two, twelve = real(0.0), real(0.5), real(1.0), real(2.0), real(12.0)
    bad = 0
    runs_changed = 0
    n_groups = np.uint64(grp_start.shape[0] - 1)
    n_k = np.uint64(nbj.shape[0])
    n_var = np.uint64(var_cols.shape[0])
    per_run_blend = c_near.shape[1] > 1
    tt = np.uint64(t)
    n_lv = np.uint64(lv.shape[1])
    n_world = np.uint64(len(world))
    # rows shared by every run, tiled to a block once per call (row by row: contiguous writes)
    if not per_run_blend:
        _tile_row_nb(work, np.uint64(CNEAR), c_near_t[0], blk)
        _tile_row_nb(work, np.uint64(CPEERS), c_peers_t[0], blk)
    for k in range(np.uint64(4)):
        _tile_row_nb(cb, np.uint64(C_OBS0) + k, trade_obs[tt, k], blk)
    _tile_flag_nb(obp, obs_prc[tt], blk)
    _tile_flag_nb(obb, obs_bri[tt], blk)
    _tile_flag_nb(hb, has_sec[tt], blk)
    if lv.shape[0] == 1:
        for k in range(n_lv):
            _tile_row_nb(lvb, k, lv[u0, k], blk)
    for k in range(n_world):
        if world[k].shape[1] == 1:
            _tile_row_nb(wb, k, world[k][tt, u0], blk)
    if effect.shape[0] == 1:
        _tile_row_nb(wb, np.uint64(WR_EFFECT), effect[u0], blk)
    for r0 in range(u0, n_runs, blk):
        nb = min(blk, n_runs - r0)
        e = nb * n
        o = r0 * n
        ol = u0
        ow = u0
        oh = u0
        # rows that vary by run: this block's
        for b in range(nb):
            r = r0 + b
            if lv.shape[0] > 1:
                for k in range(n_lv):
                    _put_row_nb(lvb, k, b, lv[r, k])
            for k in range(n_world):
                if world[k].shape[1] > 1:
                    _put_row_nb(wb, k, b, world[k][tt, r])
            if effect.shape[0] > 1:
                _put_row_nb(wb, np.uint64(WR_EFFECT), b, effect[r])
            if per_run_blend:
                _put_row_nb(work, np.uint64(CNEAR), b, c_near_t[r])
                _put_row_nb(work, np.uint64(CPEERS), b, c_peers_t[r])
        # this block's per-run rows: keys, US ideology, leader-measure binds, blend weights, parameters, the
        # subregion sums of alignment (members in ascending order, as PeerGroups.apply_t)
        for b in range(nb):
            r = r0 + b
            key = keys[r] ^ month_key
            usi = us_ideo_s[r] if use_state_us else us_ideo_t
            for i in range(n):
                kb[b * n + i] = key
                work[USI, b * n + i] = usi
            if leader_measures:  # else the binds multiply a zero lever: any value gives the same bits
                for i in range(n):
                    who = person[o + b * n + i]
                    work[BIND0, b * n + i] = one if target[r, 0, i] == who else zero
                    work[BIND1, b * n + i] = one if target[r, 1, i] == who else zero
            for v in range(n_var):
                col = var_cols[v]
                value = pm[r, col]
                for i in range(n):
                    pp[col, b * n + i] = value
            for g in range(n_groups):
                total = a[o + b * n + grp_members[grp_start[g]]]
                for m in range(grp_start[g] + u1, grp_start[g + u1]):
                    total = total + a[o + b * n + grp_members[m]]
                sums[b * n_groups + g] = total
        # neighbourhood means (alignment.neighbour_mean): the fixed-order neighbour sum, the peers, the blend
        for j in range(e):
            aj = a[o + j]
            near = a[o + nbj[u0, j]] * wj[u0, j]
            for k in range(u1, n_k):
                near = near + a[o + nbj[k, j]] * wj[k, j]
            peers = (sums[gj[j]] - aj) * invj[j]
            work[MEAN, j] = aj if alonej[j] else work[CNEAR, j] * near + work[CPEERS, j] * peers
        # the tanh arguments (sigmoid(x) = 0.5 (1 + tanh(0.5 x)): the argument is 0.5 x)
        for j in range(e):
            aj = a[o + j]
            half_open = half * wb[WR_OPEN, ow + j]
            trade_us = half_open * (ex_us[o + j] + im_us[o + j])
            trade_cn = half_open * (ex_cn[o + j] + im_cn[o + j])
            us_exp = trade_us + pp[REMIT, j] * wb[WR_REMIT, ow + j]
            work[ARG, j] = pp[BETA_TRADE, j] * (trade_cn - us_exp)
            work[ARG + 1, j] = pp[BETA_FIN, j] * (fin_s[o + j] - aid_s[o + j])
            work[ARG + 2, j] = half * (pp[C_BASE, j] + pp[C_DEP, j] * us_exp - pp[C_ALIGN, j] * aj)
        for j in range(e):
            aj = a[o + j]
            back = pp[R_BACK, j] - pp[R_ALIGN, j] * aj
            forth = pp[R_BASE, j] + pp[R_ALIGN, j] * aj
            work[ARG + 3, j] = half * (back if prc[o + j] else forth)
            gi = wb[WR_GDP, ow + j]
            size = gi / (gi + pp[SIZE_HALF, j])
            eta = pp[B_BASE, j] + pp[B_ALIGN, j] * aj
            eta = eta + pp[B_NB, j] * (share[o + j] - half)
            eta = eta - pp[B_SIZE, j] * size
            eta = eta - pp[B_USP, j] * lvb[LV_BRIEXIT, ol + j]
            work[ARG + 4, j] = half * eta
        for k in range(np.uint64(5)):
            for j in range(e):
                work[np.uint64(TH) + k, j] = ptanh(work[np.uint64(ARG) + k, j])
        # US pressure (drivers.us_pressure; leader measures bind the person they target)
        for j in range(e):
            pressure = pp[P_SANC, j] * lvb[LV_SANC, ol + j]
            pressure = pressure + pp[P_TARIFF, j] * lvb[LV_TARIFF, ol + j]
            pressure = pressure + pp[P_LEADER, j] * lvb[LV_LEADER, ol + j] * work[BIND0, j]
            pressure = pressure + pp[P_DECERT, j] * lvb[LV_DECERT, ol + j]
            pressure = pressure + pp[P_VISA, j] * lvb[LV_VISA, ol + j] * work[BIND1, j]
            pressure = pressure + pp[P_MIL, j] * lvb[LV_MIL, ol + j]
            bri_f = one if bri[o + j] else zero
            work[PRESSURE, j] = pressure + pp[P_BRIEXIT, j] * lvb[LV_BRIEXIT, ol + j] * bri_f
        # the ten terms (TERMS order), summed left to right
        for j in range(e):
            aj = a[o + j]
            comply = half * (one + work[TH + 2, j])
            g = ideo[o + j]
            affinity = _clip_nb(half * (abs(g - work[USI, j]) - abs(g - cn_ideo)), -one, one)
            t0 = pp[W_TRADE, j] * (work[TH, j] - aj)
            t1 = pp[W_FIN, j] * (work[TH + 1, j] - aj)
            t2 = pp[W_COER, j] * work[PRESSURE, j] * ((one - two * comply) - aj)
            t3 = pp[W_IDEO, j] * (affinity - aj)
            t4 = pp[W_REGIME, j] * ((two * wb[WR_AUTOC, ow + j] - one) - aj)
            work[TERM + 0, j] = t0
            work[TERM + 1, j] = t1
            work[TERM + 2, j] = t2
            work[TERM + 3, j] = t3
            work[TERM + 4, j] = t4
            det = t0 + t1
            det = det + t2
            det = det + t3
            work[DET, j] = det + t4
        for j in range(e):
            aj = a[o + j]
            ej = elite[o + j]
            bri_f = one if bri[o + j] else zero
            not_prc = zero if prc[o + j] else one
            t5 = pp[W_SEC, j] * (wb[WR_SEC, ow + j] - aj) * (one if hb[oh + j] else zero)
            t6 = pp[W_NB, j] * (work[MEAN, j] - aj)
            t7 = pp[W_INST, j] * ((bri_f - not_prc) - aj)
            t8 = pp[W_ELITE, j] * abs(ej) * (_sign_nb(ej, one, zero) - aj)
            t9 = pp[W_STATE, j] * ((pp[NEUTRAL, j] + wb[WR_EFFECT, ow + j]) - aj)
            work[TERM + 5, j] = t5
            work[TERM + 6, j] = t6
            work[TERM + 7, j] = t7
            work[TERM + 8, j] = t8
            work[TERM + 9, j] = t9
            det = work[DET, j] + t5
            det = det + t6
            det = det + t7
            det = det + t8
            work[DET, j] = det + t9
        # the shock and the clip; the shock term absorbs the clip (contributions sum exactly to the change)
        for j in range(e):
            aj = a[o + j]
            det = work[DET, j]
            noise = pp[SHOCK_SCALE, j] * (real(_bits_nb(kb[j], goldb[U_SHOCK, j], u_shift)) * u_scale - half)
            na = _clip_nb(aj + det + noise, -one, one)
            new_a[o + j] = na
            work[TERM + 10, j] = na - aj - det
        # flows and stocks (drivers.flows, drivers.stocks)
        for j in range(e):
            suspended = _clip_nb(two * lvb[LV_DECERT, ol + j] - one, zero, one)
            af = wb[WR_AIDFLOW, ow + j]
            ff = wb[WR_FINFLOW, ow + j]
            aid_base = cb[C_AIDREF, j] if af != af else af
            fin_base = cb[C_FINREF, j] if ff != ff else ff
            aid = aid_base * lvb[LV_AID, ol + j] * (one - suspended)
            fin = fin_base * lvb[LV_FIN, ol + j]
            n_aid[o + j] = aid_s[o + j] * pp[KEEP, j] + aid / twelve
            n_fin[o + j] = fin_s[o + j] * pp[KEEP, j] + fin / twelve
        # trade shares (drivers.trade_shares): observed where known, else evolved
        for j in range(e):
            x_us = ex_us[o + j]
            x_cn = ex_cn[o + j]
            rate = pp[T_RATE, j]
            cut = _maximum_nb(one - pp[T_ELAST, j] * lvb[LV_TARIFF, ol + j], zero)
            e_us = x_us + rate * (cb[C_BASE0, j] * cut - x_us)
            e_cn = x_cn + rate * (cb[C_BASE1, j] * (one + lvb[LV_PLEDGE, ol + j]) - x_cn)
            scale = _maximum_nb(e_us + e_cn, one)
            o0 = cb[C_OBS0, j]
            o1 = cb[C_OBS1, j]
            n_ex_us[o + j] = e_us / scale if o0 != o0 else o0
            n_ex_cn[o + j] = e_cn / scale if o1 != o1 else o1
        for j in range(e):
            m_us = im_us[o + j]
            m_cn = im_cn[o + j]
            rate = pp[T_RATE, j]
            i_us = m_us + rate * (cb[C_BASE2, j] - m_us)
            i_cn = m_cn + rate * (cb[C_BASE3, j] - m_cn)
            o2 = cb[C_OBS2, j]
            o3 = cb[C_OBS3, j]
            n_im_us[o + j] = i_us if o2 != o2 else o2
            n_im_cn[o + j] = i_cn if o3 != o3 else o3
        # elite attitude (drivers.elite_attitude)
        for j in range(e):
            ej = elite[o + j]
            hosted = (lvb[LV_CN_ELITE, ol + j] - lvb[LV_US_ELITE, ol + j]) * cb[C_ESHARE, j] / twelve
            n_elite[o + j] = _clip_nb(ej + pp[E_GAIN, j] * hosted - pp[E_DECAY, j] * ej, -one, one)
        # recognition and the BRI (institutions; or the record when replaying it)
        for j in range(e):
            comply = half * (one + work[TH + 2, j])
            was_prc = prc[o + j]
            was_bri = bri[o + j]
            u_rec = real(_bits_nb(kb[j], goldb[U_RECOGNITION, j], u_shift)) * u_scale
            u_bri = real(_bits_nb(kb[j], goldb[U_BRI, j], u_shift)) * u_scale
            switch = u_rec < half * (one + work[TH + 3, j])
            now_prc = obp[j] if replay else was_prc != switch
            leave = was_bri & ((not now_prc) | (u_bri < pp[B_EXIT, j] * lvb[LV_BRIEXIT, ol + j] * comply))
            offered = lvb[LV_OFFER, ol + j] * (half * (one + work[TH + 4, j]))
            join = (not was_bri) & was_prc & now_prc & (u_bri < offered)
            now_bri = obb[j] if replay else (was_bri & (not leave)) | join
            fl[F_PRC, j] = now_prc
            fl[F_BRI, j] = now_bri
            fl[F_SWITCH, j] = now_prc != was_prc
            fl[F_JOIN, j] = now_bri & (not was_bri)
            fl[F_EXIT, j] = was_bri & (not now_bri)
        for j in range(e):
            n_prc[o + j] = fl[F_PRC, j]
        for j in range(e):
            n_bri[o + j] = fl[F_BRI, j]
        for j in range(e):
            switches[o + j] = fl[F_SWITCH, j]
        for j in range(e):
            joins[o + j] = fl[F_JOIN, j]
        for j in range(e):
            exits[o + j] = fl[F_EXIT, j]
        if with_contrib:
            for k in range(np.uint64(len(TERMS))):
                for j in range(e):
                    contrib[k, o + j] = work[np.uint64(TERM) + k, j]
        # the BRI share of the neighbourhood, recomputed for runs whose membership changed (update.step); the other
        # runs' rows are copied after the loop if some run changed, else the state keeps the same array
        for b in range(nb):
            base = o + b * n
            changed = 0
            for i in range(n):
                changed += 1 if n_bri[base + i] != bri[base + i] else 0
            run_changed[r0 + b] = changed > 0
            if changed:
                runs_changed += 1
                for i in range(n):
                    n_share[base + i] = share[base + i]
                # only states whose neighbours or subregion include a changed state get a new value; the others'
                # would be recomputed from the same inputs by the same operations, so they keep their bits
                rc = r0 + b if per_run_blend else u0
                for g in range(n_groups):
                    group_hit[g] = False
                    total = one if n_bri[base + grp_members[grp_start[g]]] else zero
                    for m in range(grp_start[g] + u1, grp_start[g + u1]):
                        total = total + (one if n_bri[base + grp_members[m]] else zero)
                    sums[g] = total
                for i in range(n):
                    hit[i] = False
                for c in range(n):
                    if n_bri[base + c] != bri[base + c]:
                        group_hit[group_of[c]] = True
                        for q in range(rev_start[c], rev_start[c + u1]):
                            hit[rev_list[q]] = True
                for i in range(n):
                    if not (hit[i] or group_hit[group_of[i]]):
                        continue
                    own = one if n_bri[base + i] else zero
                    near = (one if n_bri[base + nb_index[u0, i]] else zero) * nb_weights[u0, i]
                    for k in range(u1, n_k):
                        near = near + (one if n_bri[base + nb_index[k, i]] else zero) * nb_weights[k, i]
                    peers = (sums[group_of[i]] - own) * inv_peers[i]
                    n_share[base + i] = own if alone[i] else c_near[i, rc] * near + c_peers[i, rc] * peers
                for i in range(n):
                    bad += 0 if np.isfinite(n_share[base + i]) else 1
        # non-finite outputs
        for j in range(e):
            bad += 0 if np.isfinite(new_a[o + j]) else 1
            bad += 0 if np.isfinite(n_aid[o + j]) else 1
            bad += 0 if np.isfinite(n_fin[o + j]) else 1
            bad += 0 if np.isfinite(n_elite[o + j]) else 1
        for j in range(e):
            bad += 0 if np.isfinite(n_ex_us[o + j]) else 1
            bad += 0 if np.isfinite(n_ex_cn[o + j]) else 1
            bad += 0 if np.isfinite(n_im_us[o + j]) else 1
            bad += 0 if np.isfinite(n_im_cn[o + j]) else 1
    if runs_changed:
        for r in range(n_runs):
            if not run_changed[r]:
                for i in range(n):
                    n_share[r * n + i] = share[r * n + i]
    return bad == 0, runs_changed


_month_nb = _jit(_month)


# ------------------------------------------------------------------ initial stocks


def _accumulate(past_flows: np.ndarray, keep: np.ndarray, aid: np.ndarray, finance: np.ndarray) -> None:
    """:func:`sim.dynamics.drivers.accumulate` element by element (the same float64 operations in the same order)."""
    twelve = 12.0
    for k in range(np.uint64(keep.shape[0])):
        kk = keep[k, 0]
        for i in range(np.uint64(past_flows.shape[2])):
            a = 0.0
            f = 0.0
            for m in range(np.uint64(past_flows.shape[0])):
                a = a * kk + past_flows[m, 0, i] / twelve
                f = f * kk + past_flows[m, 1, i] / twelve
            aid[k, i] = a
            finance[k, i] = f


_accumulate_nb = _jit(_accumulate)


def accumulate(past_flows: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compiled :func:`sim.dynamics.drivers.accumulate` (bit-identical)."""
    aid = np.empty((keep.shape[0], past_flows.shape[2]))
    finance = np.empty((keep.shape[0], past_flows.shape[2]))
    _accumulate_nb(past_flows, np.ascontiguousarray(keep, dtype=np.float64), aid, finance)
    return aid, finance


# ------------------------------------------------------------------ leader-measure targets


def _measures_stale(prev: np.ndarray, since: np.ndarray) -> bool:
    """Some run still holds a target for a measure that is off (drivers.new_measure_targets' ``stale``)."""
    for r in range(np.uint64(prev.shape[0])):
        for m in range(np.uint64(2)):
            for i in range(np.uint64(prev.shape[2])):
                if since[m, i] < 0 and prev[r, m, i] != -1:
                    return True
    return False


def _measures_apply(target: np.ndarray, person: np.ndarray, since: np.ndarray, month: int) -> None:
    """In place on a copy: a spell starting this month targets the person in office, an ended one targets nobody."""
    for r in range(np.uint64(target.shape[0])):
        for m in range(np.uint64(2)):
            for i in range(np.uint64(target.shape[2])):
                if since[m, i] == month:
                    target[r, m, i] = person[r, i]
                elif since[m, i] < 0:
                    target[r, m, i] = -1


_measures_stale_nb = _jit(_measures_stale)
_measures_apply_nb = _jit(_measures_apply)


def measure_targets(s: State, w: World, t: int) -> np.ndarray:
    """:func:`sim.dynamics.drivers.new_measure_targets`, the scan compiled (the same array, or the same copy)."""
    since = w.leader_measures_since[t]
    if not (since == w.start + t).any() and not _measures_stale_nb(s.measure_target, since):
        return s.measure_target
    target = s.measure_target.copy()
    _measures_apply_nb(target, s.person, np.ascontiguousarray(since), w.start + t)
    return target


# ------------------------------------------------------------------ governments (politics.governments, per element)

NEW_PERSON = politics.NEW_PERSON


def _gov_scan(
    next_election: np.ndarray,
    pending_month: np.ndarray,
    closed: np.ndarray,
    scripted: np.ndarray,
    lag_months: np.ndarray,
    month: int,
    after: bool,
    columns: np.ndarray,
) -> tuple[int, int]:
    """What happens this month: flags (1: some run holds an election after the present, 2: some run inaugurates
    a government, 4: an election whose winner takes office at once) and the number of states where anything
    happens, listed first in ``columns``."""
    n_runs, n = np.uint64(next_election.shape[0]), np.uint64(next_election.shape[1])
    votes = np.zeros(n, dtype=np.int64)
    inaugurations = np.zeros(n, dtype=np.int64)
    for r in range(n_runs):  # row by row: contiguous reads
        for i in range(n):
            votes[i] += 1 if (after and next_election[r, i] == month and not closed[i]) else 0
            inaugurations[i] += 1 if pending_month[r, i] == month else 0
    flags = 0
    count = 0
    for i in range(n):
        if votes[i]:
            flags |= 1
            if lag_months[i] <= 0:
                flags |= 4
        if inaugurations[i]:
            flags |= 2
        if votes[i] or inaugurations[i] or scripted[i] == scripted[i]:
            columns[count] = i
            count += 1
    return flags, count


def _gov_apply(
    ideology: np.ndarray,
    person: np.ndarray,
    gov_since: np.ndarray,
    camp_since: np.ndarray,
    terms: np.ndarray,
    next_election: np.ndarray,
    pending_ideology: np.ndarray,
    pending_month: np.ndarray,
    pending_person: np.ndarray,
    pending_camp: np.ndarray,
    scripted_ideology: np.ndarray,
    scripted_person: np.ndarray,
    scripted_camp: np.ndarray,
    closed: np.ndarray,
    autoc: np.ndarray,
    forced_ideology: np.ndarray,
    election_month: np.ndarray,
    max_terms: np.ndarray,
    lag_months: np.ndarray,
    term_months: np.ndarray,
    pgf: np.ndarray,
    pg64: np.ndarray,
    month: int,
    after: bool,
    keys: np.ndarray,
    month_key: Any,
    golden: np.ndarray,
    u_shift: Any,
    u_scale: Any,
    election: np.ndarray,
    change: np.ndarray,
    camp_change: np.ndarray,
    columns: np.ndarray,
    count: int,
) -> None:
    """:func:`sim.dynamics.politics.governments` element by element, in place on copies of the state's arrays, for
    the ``count`` states listed in ``columns`` (where something happens; elsewhere the event masks stay False):
    observed changes, then an election after the present, then an inauguration, in that order for each run and
    state (the numpy version does each for whole columns; nothing depends on another element). Precision as numpy
    computes it: the defeat probability, the new ideology and the successor's in float64 (the tenure is a float64
    quotient and ``sqrt(12)`` a float64 scalar, which promote), the parameters' products with the run's arrays in
    the run's precision (``pgf``: defeat_base, defeat_autocracy, turnover_persistence; ``pg64``: defeat_tenure,
    turnover_sd, successor_sd as float64)."""
    u0 = np.uint64(0)
    n_runs = np.uint64(ideology.shape[0])
    real = pending_ideology.dtype.type
    half = real(0.5)
    for r in range(n_runs):
        rp = r if pgf.shape[0] > 1 else u0
        ra = r if autoc.shape[0] > 1 else u0
        key = keys[r] ^ month_key
        d_base, d_aut, t_pers = pgf[rp, 0], pgf[rp, 1], pgf[rp, 2]
        d_ten, t_sd, s_sd = pg64[rp, 0], pg64[rp, 1], pg64[rp, 2]
        for q in range(np.uint64(count)):
            i = columns[q]
            changed = False
            camp_changed = False
            si = scripted_ideology[i]
            if si == si:  # an observed leader takes office
                ideology[r, i] = si
                person[r, i] = scripted_person[i]
                gov_since[r, i] = month
                if scripted_camp[i]:
                    camp_since[r, i] = month
                terms[r, i] = 1
                changed = True
                camp_changed = scripted_camp[i]
            elected = after and next_election[r, i] == month and not closed[i]
            election[r, i] = elected
            if elected:
                tenure = np.float64(month - camp_since[r, i]) / 12.0
                b = d_base + d_aut * autoc[ra, i]
                x = np.float64(b) + d_ten * tenure
                defeat = 0.5 * (1.0 + _tanh64_nb(0.5 * x))
                u = real(_bits_nb(key, golden[U_VOTE, i], u_shift)) * u_scale
                lose = np.float64(u) < defeat
                g = ideology[r, i]
                fi = forced_ideology[i]
                forced = fi == fi and month == election_month[i]
                if forced:  # a scenario's what-if: the winner's ideology is given
                    lose = _sign_nb(fi, real(1.0), real(0.0)) != _sign_nb(g, real(1.0), real(0.0))
                uz = real(_bits_nb(key, golden[U_WINNER, i], u_shift)) * u_scale
                z = SQRT12 * np.float64(uz - half)
                can_stay = terms[r, i] < max_terms[i] and not forced
                if lose:
                    winner = _clip_nb(np.float64(t_pers * g) + t_sd * z, -1.0, 1.0)
                else:
                    winner = _clip_nb(np.float64(g) + s_sd * z, -1.0, 1.0)
                if forced:
                    winner = np.float64(fi)
                if lose or not can_stay:
                    pending_ideology[r, i] = real(winner)
                    lag = lag_months[i]
                    pending_month[r, i] = month + lag if lag > 0 else month
                    pending_person[r, i] = NEW_PERSON + month
                    pending_camp[r, i] = lose
                else:
                    terms[r, i] += 1
                next_election[r, i] += term_months[i]
            if pending_month[r, i] == month:  # the winner takes office
                ideology[r, i] = pending_ideology[r, i]
                person[r, i] = pending_person[r, i]
                gov_since[r, i] = month
                if pending_camp[r, i]:
                    camp_since[r, i] = month
                    camp_changed = True
                terms[r, i] = 1
                changed = True
                pending_month[r, i] = -1
                pending_ideology[r, i] = np.nan
            change[r, i] = changed
            camp_change[r, i] = camp_changed


_gov_scan_nb = _jit(_gov_scan)
_gov_apply_nb = _jit(_gov_apply)

GOV_F = ("defeat_base", "defeat_autocracy", "turnover_persistence")
GOV_64 = ("defeat_tenure", "turnover_sd", "successor_sd")


def gov_params(p: Params, runs: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray] | None:
    """The election parameters as ``(1 or R, 3)`` matrices: those that meet the run's arrays in its precision
    (:data:`GOV_F`) and those that meet float64 quantities (:data:`GOV_64`, a Python float exactly, an array's
    values widened); ``None`` for a form the loop does not reproduce."""
    per_run = any(np.ndim(getattr(p, name)) == 2 for name in (*GOV_F, *GOV_64))
    rows = runs if per_run else 1
    f = [_column(getattr(p, name), rows, dtype) for name in GOV_F]
    d = [_column(getattr(p, name), rows, dtype) for name in GOV_64]
    if any(c is None for c in (*f, *d)):
        return None
    wide = [np.asarray(c, dtype=np.float64) for c in d]
    for k, name in enumerate(GOV_64):  # a Python float meets float64 as itself, not rounded to the run's precision
        value = getattr(p, name)
        if isinstance(value, int | float) and not isinstance(value, np.generic):
            wide[k] = np.full(rows, float(value))
    return np.ascontiguousarray(np.stack(f, axis=1)), np.ascontiguousarray(np.stack(wide, axis=1))


def governments(s: State, w: World, prep: Prepared, t: int, keys: np.ndarray, counters: Counters) -> Any:
    """:func:`sim.dynamics.politics.governments` with the per-element work compiled: the same
    :class:`~sim.dynamics.politics.Governments`. Arrays are copied only when something happens to them."""
    month = w.start + t
    dt = prep.dtype
    after = month > w.present
    happens, count = _gov_scan_nb(
        s.next_election, s.pending_month, w.closed[t], w.scripted_ideology[t], w.lag_months, month, after, prep.columns
    )
    scripted = bool(prep.scripted[t])
    fields_ = dict(
        ideology=s.ideology,
        person=s.person,
        gov_since=s.gov_since,
        camp_since=s.camp_since,
        terms=s.terms,
        next_election=s.next_election,
        pending_ideology=s.pending_ideology,
        pending_month=s.pending_month,
        pending_person=s.pending_person,
        pending_camp_change=s.pending_camp_change,
    )
    if count:
        office = ("ideology", "person", "gov_since", "camp_since", "terms")
        vote = ("terms", "next_election", "pending_ideology", "pending_month", "pending_person", "pending_camp_change")
        touched = set(office if (scripted or happens & 6) else ()) | set(vote if happens & 1 else ())
        if happens & 2:
            touched |= {"pending_month", "pending_ideology"}
        for name in touched:  # copy on write: the previous state keeps its arrays
            fields_[name] = fields_[name].copy()
        shape = s.alignment.shape
        election, change, camp = (np.zeros(shape, dtype=bool) for _ in range(3))
        _gov_apply_nb(
            fields_["ideology"],
            fields_["person"],
            fields_["gov_since"],
            fields_["camp_since"],
            fields_["terms"],
            fields_["next_election"],
            fields_["pending_ideology"],
            fields_["pending_month"],
            fields_["pending_person"],
            fields_["pending_camp_change"],
            w.scripted_ideology[t],
            w.scripted_person[t],
            w.scripted_camp_change[t],
            w.closed[t],
            _rows(w.autocracy[t]),
            w.forced_ideology,
            w.election_month,
            w.max_terms,
            w.lag_months,
            w.term_months,
            prep.gov_f,
            prep.gov_64,
            month,
            after,
            keys,
            _month_keys(np.uint64(0), month),
            prep.golden,
            prep.u_shift,
            prep.u_scale,
            election,
            change,
            camp,
            prep.columns,
            count,
        )
    else:
        election = change = camp = prep.no_events
    u_us = counters.plane(keys, month, U_US, dt, _FIRST)[:, :1] if w.us_election[t] else None
    us_ideology = politics.us_administration(s, w, prep.params, t, u_us)
    return politics.Governments(**fields_, us_ideology=us_ideology, election=election, change=change, camp_change=camp)


# ------------------------------------------------------------------ per-simulation preparation and the step


def block_size(n_states: int, dtype: Any) -> int:
    """Runs per block: the smallest number whose ``block * N`` elements are a multiple of 16 (float64) or 32
    (float32) lanes: no scalar remainder on AVX-512 or AVX2."""
    lanes = 16 if np.dtype(dtype) == np.float64 else 32
    return lanes // math.gcd(n_states, lanes)


@dataclass
class Prepared:
    """What the fused loop needs besides the month's arrays, built once per simulation."""

    dtype: np.dtype
    params: Params  # the step's (cast) parameters, for the numpy parts (politics)
    block: int
    pm: np.ndarray
    var_cols: np.ndarray
    pp: np.ndarray
    c_near: np.ndarray
    c_peers: np.ndarray
    c_near_t: np.ndarray  # (1 or R, N): c_near's columns as contiguous rows
    c_peers_t: np.ndarray
    nb_index: np.ndarray
    nb_weights: np.ndarray
    grp_start: np.ndarray
    grp_members: np.ndarray
    group_of: np.ndarray
    inv_peers: np.ndarray
    alone: np.ndarray
    nbj: np.ndarray
    wj: np.ndarray
    gj: np.ndarray
    invj: np.ndarray
    alonej: np.ndarray
    goldb: np.ndarray
    u_shift: np.uint64
    u_scale: Any
    work: np.ndarray
    flags: np.ndarray  # (5, block * N) bool scratch
    kb: np.ndarray
    sums: np.ndarray
    terms: np.ndarray  # (terms, 1): stands for the contributions when they are not kept
    rev_start: np.ndarray  # (N + 1,) uint64: rev_list[rev_start[c]:rev_start[c + 1]] lists the states listing c
    rev_list: np.ndarray  # among their neighbours
    hit: np.ndarray  # (N,) bool scratch
    group_hit: np.ndarray  # (groups,) bool scratch
    golden: np.ndarray  # (draws, N) counter offsets
    world: tuple[np.ndarray, ...]  # the seven float world arrays (T, 1 or R, N), WR_* order
    effect: np.ndarray  # (1 or R, N)
    has_sec: np.ndarray  # (T, N) bool
    trade_obs: np.ndarray  # (T, 4, N)
    obs_prc: np.ndarray  # (T, N) bool
    obs_bri: np.ndarray  # (T, N) bool
    lvb: np.ndarray  # (levers, block * N) scratch
    wb: np.ndarray  # (8, block * N) scratch
    hb: np.ndarray  # (block * N,) bool scratch
    cb: np.ndarray  # (11, block * N): the constants (filled here), the month's observed trade (per call)
    obp: np.ndarray  # (block * N,) bool scratch
    obb: np.ndarray  # (block * N,) bool scratch
    gov_f: np.ndarray
    gov_64: np.ndarray
    scripted: np.ndarray  # (T,) bool: an observed leader takes office somewhere this month
    no_events: np.ndarray  # (R, N) read-only False
    columns: np.ndarray  # (N,) uint64 scratch: the states where something happens to governments this month


def _own(x: np.ndarray) -> np.ndarray:
    """``x`` if C-contiguous and writeable, else a copy that is (a read-only or strided array would make numba
    compile another version of the loop)."""
    return x if x.flags.c_contiguous and x.flags.writeable else np.array(x, order="C")


def _read_only(x: np.ndarray) -> np.ndarray:
    x.flags.writeable = False
    return x


def _tile(x: np.ndarray, block: int) -> np.ndarray:
    """``(..., N)`` repeated ``block`` times along the last axis: ``(..., block * N)``, C-contiguous."""
    return np.ascontiguousarray(np.tile(x, (1,) * (x.ndim - 1) + (block,)))


def prepare(w: World, p: Params, runs: int, dtype: Any) -> Prepared | None:
    """The fused loop's inputs for ``runs`` runs of world ``w`` (already in ``dtype``) with the step's parameters
    ``p`` (:func:`~sim.dynamics.update.cast_params` applied); ``None`` if they have a form the fused loop does not
    reproduce exactly (the engine then runs the numpy step)."""
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        return None
    pm = param_matrix(p, runs, dt)
    gov = gov_params(p, runs, dt)
    if pm is None or gov is None:
        return None
    c_near, c_peers = blend_coefficients(w.neighbours, w.subregion_peers, p.subregion_weight, dt)
    nb, peers = w.neighbours, w.subregion_peers
    if nb.weights.dtype != dt or peers.inverse_peers.dtype != dt:
        return None
    n = w.n_states
    block = block_size(n, dt)
    rows = (w.openness, w.remittances, w.autocracy, w.security, w.gdp_bn, w.aid_flow, w.finance_flow)
    if any(x.dtype != dt or x.ndim not in (2, 3) for x in rows) or w.has_security.ndim != 2 or w.state_effect.ndim > 2:
        return None
    world = tuple(_own(x[:, None, :] if x.ndim == 2 else x) for x in rows)
    statics = np.stack([w.aid_reference, w.finance_reference, *w.trade_base, w.elite_share]).astype(dt, copy=False)
    constants = _tile(statics, block)
    counts = [len(m) for m in peers.members]
    n_groups = len(peers.members)
    varies = np.flatnonzero((pm != pm[:1]).any(axis=0)) if len(pm) > 1 else np.zeros(0, dtype=np.int64)
    offsets = (np.arange(block) * n)[:, None]  # a run's first element within the block
    nb_index = np.asarray(nb.index, dtype=np.int64)
    listing = [sorted({int(i) for k, i in zip(*np.nonzero(nb_index == c), strict=True)}) for c in range(n)]
    rev_start = np.concatenate([[0], np.cumsum([len(x) for x in listing])]).astype(np.uint64)
    rev_list = np.array([i for x in listing for i in x], dtype=np.uint64)
    alone = ~(nb.has_entries | peers.has_entries)
    return Prepared(
        dtype=dt,
        params=p,
        block=block,
        pm=pm,
        var_cols=varies.astype(np.uint64),
        pp=_tile(np.ascontiguousarray(pm[0][:, None]) * np.ones((1, n), dtype=dt), block),
        c_near=_own(np.broadcast_to(c_near, (n, c_near.shape[1]))),
        c_peers=_own(np.broadcast_to(c_peers, (n, c_peers.shape[1]))),
        c_near_t=_own(np.broadcast_to(c_near, (n, c_near.shape[1])).T),
        c_peers_t=_own(np.broadcast_to(c_peers, (n, c_peers.shape[1])).T),
        nb_index=nb_index.astype(np.uint64),
        nb_weights=np.ascontiguousarray(nb.weights),
        grp_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64),
        grp_members=np.concatenate([np.asarray(m, dtype=np.int64) for m in peers.members]).astype(np.uint64),
        group_of=np.asarray(peers.group_of, dtype=np.uint64),
        inv_peers=np.ascontiguousarray(peers.inverse_peers),
        alone=alone,
        nbj=np.ascontiguousarray((offsets[None, :, :] + nb_index[:, None, :]).reshape(len(nb_index), -1), np.uint64),
        wj=_tile(nb.weights, block),
        gj=np.ascontiguousarray((np.arange(block)[:, None] * n_groups + peers.group_of).reshape(-1), np.uint64),
        invj=_tile(peers.inverse_peers, block),
        alonej=_tile(alone, block),
        goldb=_tile(Counters(len(DRAWS), n)._golden[: U_BRI + 1], block),
        u_shift=_TO24 if dt == np.float32 else _TO53,
        u_scale=dt.type(2.0**-24) if dt == np.float32 else dt.type(2.0**-53),
        work=np.zeros((N_WORK, block * n), dtype=dt),
        flags=np.zeros((5, block * n), dtype=bool),
        kb=np.zeros(block * n, dtype=np.uint64),
        sums=np.zeros(max(block, 1) * max(n_groups, 1), dtype=dt),
        terms=np.zeros((len(TERMS), 1), dtype=dt),
        rev_start=rev_start,
        rev_list=rev_list,
        hit=np.zeros(n, dtype=bool),
        group_hit=np.zeros(max(n_groups, 1), dtype=bool),
        golden=np.ascontiguousarray(Counters(len(DRAWS), n)._golden),
        gov_f=gov[0],
        gov_64=gov[1],
        scripted=~np.isnan(w.scripted_ideology).all(axis=1),
        no_events=_read_only(np.zeros((runs, n), dtype=bool)),
        columns=np.zeros(n, dtype=np.uint64),
        world=world,
        effect=_own(_rows(w.state_effect)),
        has_sec=_own(w.has_security),
        trade_obs=_own(w.trade_obs),
        obs_prc=_own(w.observed_prc),
        obs_bri=_own(w.observed_bri),
        lvb=np.zeros((w.plan.shape[1], block * n), dtype=dt),
        wb=np.zeros((8, block * n), dtype=dt),
        hb=np.zeros(block * n, dtype=bool),
        cb=np.ascontiguousarray(np.concatenate([constants, np.zeros((4, block * n), dtype=dt)])),
        obp=np.zeros(block * n, dtype=bool),
        obb=np.zeros(block * n, dtype=bool),
    )


def _rows(x: np.ndarray) -> np.ndarray:
    """A world row ``(N,)`` or per-run ``(R, N)`` as a C-contiguous 2-D array."""
    return np.ascontiguousarray(x[None, :] if x.ndim == 1 else x)


def step(
    s: State,
    t: int,
    w: World,
    prep: Prepared,
    lv: np.ndarray,
    keys: np.ndarray,
    counters: Counters,
    with_contributions: bool = True,
    out: np.ndarray | None = None,
) -> tuple[StepResult, bool]:
    """:func:`sim.dynamics.update.step` with the element-wise part compiled: the same :class:`StepResult`, bit for
    bit. ``out`` optionally receives the contributions ``(terms, R, N)`` (a recorder's buffer: no copy). Returns
    the result and whether its float fields are all finite (the caller raises through
    :func:`~sim.dynamics.state.check_finite` if not)."""
    month = w.start + t
    dt = prep.dtype
    n_runs, n = s.alignment.shape
    lv = respond(lv, s, w, t)
    if lv.dtype != dt:  # a lever hook in another precision: numpy would compute in it; so does the reference
        return update_step(s, t, w, prep.params, lv, keys, counters, with_contributions), True
    measure_target = measure_targets(s, w, t)
    fo = np.empty((9, n_runs, n), dtype=dt)  # alignment, trade shares (4), aid, finance, elite, BRI share
    bo = np.empty((5, n_runs, n), dtype=bool)  # BRI, recognition, joins, exits, switches
    contributions = np.empty(0)
    contrib = prep.terms  # not written unless with_contributions
    if with_contributions:
        contributions = out if out is not None else np.empty((len(TERMS), n_runs, n), dtype=dt)
        contrib = contributions.reshape(len(TERMS), -1)
    if lv.ndim == 2:
        lv = lv[None]
    inputs = (s.alignment, s.ideology, s.export_us, s.export_cn, s.import_us, s.import_cn, s.aid_stock)
    inputs += (s.finance_stock, s.elite, s.bri, s.prc, s.bri_share, s.us_ideology, s.person, measure_target, lv)
    if not all(x.flags.c_contiguous and x.flags.writeable for x in inputs):
        inputs = tuple(_own(x) for x in inputs)
    flat = [x.reshape(-1) for x in inputs[:14]]
    finite, runs_changed = _month_nb(
        *flat,
        inputs[14],
        inputs[15],
        prep.world,
        prep.effect,
        prep.has_sec,
        prep.trade_obs,
        prep.obs_prc,
        prep.obs_bri,
        t,
        prep.lvb,
        prep.wb,
        prep.hb,
        prep.cb,
        prep.obp,
        prep.obb,
        prep.nbj,
        prep.wj,
        prep.gj,
        prep.invj,
        prep.alonej,
        prep.nb_index,
        prep.nb_weights,
        prep.grp_start,
        prep.grp_members,
        prep.group_of,
        prep.inv_peers,
        prep.alone,
        prep.c_near,
        prep.c_peers,
        prep.c_near_t,
        prep.c_peers_t,
        prep.pm,
        prep.var_cols,
        prep.pp,
        dt.type(w.us_ideology[t]),
        dt.type(w.cn_ideology[t]),
        month > w.present,
        bool(w.replay_institutions),
        keys,
        _month_keys(np.uint64(0), month),
        prep.goldb,
        prep.u_shift,
        prep.u_scale,
        fo[0].reshape(-1),
        fo[1].reshape(-1),
        fo[2].reshape(-1),
        fo[3].reshape(-1),
        fo[4].reshape(-1),
        fo[5].reshape(-1),
        fo[6].reshape(-1),
        fo[7].reshape(-1),
        bo[0].reshape(-1),
        bo[1].reshape(-1),
        fo[8].reshape(-1),
        bo[2].reshape(-1),
        bo[3].reshape(-1),
        bo[4].reshape(-1),
        contrib,
        with_contributions,
        prep.work,
        prep.flags,
        prep.kb,
        prep.sums,
        prep.rev_start,
        prep.rev_list,
        prep.hit,
        prep.group_hit,
        np.empty(n_runs, dtype=bool),
        bool(lv[:, LV_LEADER].any() or lv[:, LV_VISA].any()),
        prep.block,
    )
    gov = governments(s, w, prep, t, keys, counters)
    state = State(  # every field already in the run's precision
        alignment=fo[0],
        ideology=gov.ideology,
        person=gov.person,
        gov_since=gov.gov_since,
        camp_since=gov.camp_since,
        terms=gov.terms,
        next_election=gov.next_election,
        pending_ideology=gov.pending_ideology,
        pending_month=gov.pending_month,
        pending_person=gov.pending_person,
        pending_camp_change=gov.pending_camp_change,
        export_us=fo[1],
        export_cn=fo[2],
        import_us=fo[3],
        import_cn=fo[4],
        aid_stock=fo[5],
        finance_stock=fo[6],
        elite=fo[7],
        bri=bo[0],
        prc=bo[1],
        bri_share=fo[8] if runs_changed else s.bri_share,
        measure_target=measure_target,
        start_alignment=s.start_alignment,
        us_ideology=np.full((n_runs, 1), w.us_ideology[t], dtype=dt) if month <= w.present else gov.us_ideology,
    )
    events = {
        "bri_join": bo[2],
        "bri_exit": bo[3],
        "recognition_switch": bo[4],
        "election": gov.election,
        "government_change": gov.change,
    }
    finite = bool(finite) and bool(np.isfinite(state.ideology.sum() + state.us_ideology.sum()))
    return StepResult(state, contributions, events, lv), finite


__all__ = ["AVAILABLE", "PARAMS", "Prepared", "accumulate", "block_size", "governments", "prepare", "ptanh", "step"]
