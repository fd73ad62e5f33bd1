"""Counter-based random numbers: every uniform is a hash of (run key, month, draw purpose, state).

A run's randomness is a pure function of its key (from the experiment seed and the run index), so no generator is
seeded or stored per run, nothing depends on how runs are batched or which worker runs them, and the Mesa model, the
engine and the dashboard draw the very same numbers. The hash is SplitMix64's finaliser applied twice to a
combination of the counters (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"; the
finaliser passes BigCrush on sequential counters); all arithmetic is on unsigned 64-bit integers, which wrap by
definition, so results are identical on every CPU.
"""

from __future__ import annotations

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


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
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
    return _mix_int(_mix_int(int(seed) * 0x9E3779B97F4A7C15 + 1) ^ (int(run) * 0xC2B2AE3D27D4EB4F + 0x165667B19E3779F9))


def run_keys(seed: int, runs: np.ndarray | list[int]) -> np.ndarray:
    """Keys of several runs as a uint64 array."""
    return np.array([run_key(seed, int(r)) for r in runs], dtype=np.uint64)


class Counters:
    """Precomputed ``(draw, state)`` offsets for a model of ``n_states`` states and ``n_draws`` draw purposes."""

    def __init__(self, n_draws: int, n_states: int) -> None:
        draws = np.arange(n_draws, dtype=np.uint64)[:, None] * _DRAW
        states = np.arange(n_states, dtype=np.uint64)[None, :] * _STATE
        self.offsets = (draws + states)[None]  # (1, D, N)

    def uniforms(self, keys: np.ndarray, month: int, dtype: Any = np.float64) -> np.ndarray:
        """Uniforms on [0, 1) of shape ``(runs, draws, states)`` for calendar month index ``month``."""
        x = (keys[:, None, None] ^ np.uint64((int(month) * int(_MONTH)) & _MASK)) + self.offsets
        x = _mix(_mix(x + _GOLDEN))
        if np.dtype(dtype) == np.float32:
            return (x >> _TO24).astype(np.float32) * np.float32(2.0**-24)
        return (x >> _TO53).astype(np.float64) * (2.0**-53)

    def at(self, keys: np.ndarray, month: int, draw: int, rows: np.ndarray, cols: np.ndarray, dtype: Any) -> np.ndarray:
        """The uniforms of draw purpose ``draw`` at entries ``(rows, cols)`` only — the same values
        :meth:`uniforms` gives there, at the cost of just these entries (rare events draw only where they can
        happen)."""
        x = (keys[rows] ^ np.uint64((int(month) * int(_MONTH)) & _MASK)) + self.offsets[0, draw, cols]
        x = _mix(_mix(x + _GOLDEN))
        if np.dtype(dtype) == np.float32:
            return (x >> _TO24).astype(np.float32) * np.float32(2.0**-24)
        return (x >> _TO53).astype(np.float64) * (2.0**-53)

    def plane(self, keys: np.ndarray, month: int, draw: int, dtype: Any) -> np.ndarray:
        """The uniforms of one draw purpose for every run and state, ``(runs, states)``."""
        x = (keys[:, None] ^ np.uint64((int(month) * int(_MONTH)) & _MASK)) + self.offsets[0, draw][None, :]
        x = _mix(_mix(x + _GOLDEN))
        if np.dtype(dtype) == np.float32:
            return (x >> _TO24).astype(np.float32) * np.float32(2.0**-24)
        return (x >> _TO53).astype(np.float64) * (2.0**-53)
