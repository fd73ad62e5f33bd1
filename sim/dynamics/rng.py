"""Counter-based random numbers: every uniform is a hash of (run key, month, draw purpose, state).

A run's randomness is a pure function of its key (from the experiment seed and the run index), so no generator is
seeded or stored per run, nothing depends on how runs are batched or which worker runs them, and the Mesa model, the
engine and the dashboard draw the very same numbers (all through :meth:`Counters.plane` / :func:`uniforms_of`). The
hash is SplitMix64's finaliser applied twice to a combination of the counters (Steele, Lea & Flood 2014, "Fast
splittable pseudorandom number generators"; the finaliser passes BigCrush on sequential counters); all arithmetic is
on unsigned 64-bit integers, which wrap by definition, so results are identical on every CPU.

Cost: one broadcast add, ten in-place integer passes, one shift and one conversion per plane of ``(runs, states)``
uniforms; no per-run seeding and no stored block of draws. Rare decisions draw only the columns they need
(``cols``), with the values the full plane has there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MONTH = np.uint64(0xD1B54A32D192ED03)
_DRAW = np.uint64(0xABC98388FB8FAC03)
_STATE = np.uint64(0x8CB92BA72F3D8DD7)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_TO53, _TO24 = np.uint64(11), np.uint64(40)
_MASK = (1 << 64) - 1
_SEED_MUL, _RUN_MUL, _RUN_ADD = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def _mix(x: np.ndarray, tmp: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array (``tmp``: optional scratch of the same shape)."""
    tmp = np.empty_like(x) if tmp is None else tmp
    np.right_shift(x, _S30, out=tmp)
    x ^= tmp
    x *= _M1
    np.right_shift(x, _S27, out=tmp)
    x ^= tmp
    x *= _M2
    np.right_shift(x, _S31, out=tmp)
    x ^= tmp
    return x


def _mix_int(x: int) -> int:
    x &= _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def run_key(seed: int, run: int) -> int:
    """The 64-bit key of run ``run`` of an experiment seeded ``seed``."""
    return _mix_int(_mix_int(int(seed) * _SEED_MUL + 1) ^ (int(run) * _RUN_MUL + _RUN_ADD))


def run_keys(seed: int, runs: np.ndarray | Iterable[int]) -> np.ndarray:
    """Keys of several runs as a uint64 array (vectorised :func:`run_key`: the same wrapping arithmetic)."""
    r = np.asarray(list(runs) if not isinstance(runs, np.ndarray) else runs).astype(np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = r * np.uint64(_RUN_MUL) + np.uint64(_RUN_ADD)
    x ^= np.uint64(_mix_int(int(seed) * _SEED_MUL + 1))
    return _mix(x.reshape(-1))


def uniforms_of(x: np.ndarray, dtype: Any) -> np.ndarray:
    """Uniforms on [0, 1) from counters ``x`` (uint64, consumed in place): the top 53 (float64) or 24 (float32)
    bits of the twice-mixed counter, converted exactly."""
    tmp = np.empty_like(x)
    _mix(_mix(x, tmp), tmp)
    if np.dtype(dtype) == np.float32:
        x >>= _TO24  # < 2**24: exact in float32 (converted via int64, which numpy vectorises)
        out32 = x.view(np.int64).astype(np.float32)
        out32 *= np.float32(2.0**-24)
        return out32
    x >>= _TO53  # < 2**53: exact in float64
    out = x.view(np.int64).astype(np.float64)
    out *= 2.0**-53
    return out


def _month_keys(keys: np.ndarray, month: int) -> np.ndarray:
    return keys ^ np.uint64((int(month) * int(_MONTH)) & _MASK)


class Counters:
    """Precomputed ``(draw, state)`` offsets for a model of ``n_states`` states and ``n_draws`` draw purposes."""

    def __init__(self, n_draws: int, n_states: int) -> None:
        draws = np.arange(n_draws, dtype=np.uint64)[:, None] * _DRAW
        states = np.arange(n_states, dtype=np.uint64)[None, :] * _STATE
        self.offsets = (draws + states)[None]  # (1, D, N)
        self._golden = self.offsets[0] + _GOLDEN  # (D, N): offset plus the golden increment (addition wraps: exact)

    def uniforms(self, keys: np.ndarray, month: int, dtype: Any = np.float64) -> np.ndarray:
        """Uniforms on [0, 1) of shape ``(runs, draws, states)`` for calendar month index ``month``."""
        x = _month_keys(keys, month)[:, None, None] + self._golden[None]
        return uniforms_of(x, dtype)

    def at(self, keys: np.ndarray, month: int, draw: int, rows: np.ndarray, cols: np.ndarray, dtype: Any) -> np.ndarray:
        """The uniforms of draw purpose ``draw`` at entries ``(rows, cols)`` only — the same values
        :meth:`uniforms` gives there, at the cost of just these entries (rare events draw only where they can
        happen)."""
        x = _month_keys(keys[rows], month) + self._golden[draw, cols]
        return uniforms_of(x, dtype)

    def plane(self, keys: np.ndarray, month: int, draw: int, dtype: Any, cols: np.ndarray | None = None) -> np.ndarray:
        """The uniforms of one draw purpose for every run and state, ``(runs, states)`` (``cols``: only these
        states' columns, ``(runs, len(cols))``, with the values the full plane has there)."""
        offsets = self._golden[draw] if cols is None else self._golden[draw, cols]
        x = np.add(_month_keys(keys, month)[:, None], offsets[None, :])
        return uniforms_of(x, dtype)
