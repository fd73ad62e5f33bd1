"""Portable transcendental functions: the same bits on every CPU.

numpy's ``tanh``, ``exp`` and ``log`` are SIMD loops chosen at run time for the CPU (AVX-512, AVX2, baseline, with or
without FMA), and libm's differ by platform, so their last bit can differ from one machine to the next. The dynamics'
only transcendental function is ``tanh`` (the targets of the trade and finance terms, and every logistic hazard via
:func:`sim.dynamics.drivers.sigmoid`); :func:`tanh` here is built from IEEE-754 operations that are exactly rounded by
definition (``+ - * /``, comparisons, selection, float <-> int conversion, sign copying, exact table look-ups of
powers of two) and never fused (no FMA), so a given argument gives the same result on any CPU, in numpy, in the
compiled kernel (:mod:`sim.dynamics.kernel`, same operations in the same order) and in plain Python
(:func:`tanh_scalar`).

Algorithm (for ``x`` of either precision, computed in that precision)::

    a = min(|x|, clamp)                        # tanh(clamp) rounds to 1: saturation, no overflow
    y = a + a
    k = trunc(y / ln 2 + 1/2)                  # y >= 0: round to nearest integer
    r = (y - k ln2_hi) - k ln2_lo              # Cody-Waite: k ln2_hi and the first subtraction are exact
    p = r + r^2 (c_2 + r (c_3 + ... + r c_n))  # expm1(r), Taylor coefficients c_j = 1/j!, |r| <= ln 2 / 2
    e = 2^k p + (2^k - 1)                      # expm1(y); 2^k from a table, so both scalings are exact
    tanh(x) = copysign(e / (e + 2), x)

Accuracy (``tests/test_mathfn.py``, against a 40-digit reference from :mod:`decimal`): at most 3 ulp in float64 and
2 ulp in float32 over the whole range (typically 0 or 1). Special values: ``tanh(+-0) = +-0``, ``tanh(+-inf) = +-1``,
``tanh(nan) = nan``; ``|x| >= clamp`` gives exactly ``+-1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TanhConstants:
    """The constants of :func:`tanh` in one precision (numpy scalars of that precision)."""

    clamp: Any  # |x| above which tanh rounds to 1 (with margin)
    inv_ln2: Any
    ln2_hi: Any  # ln 2 rounded to few significant bits, so k * ln2_hi is exact for every k used
    ln2_lo: Any  # ln 2 - ln2_hi
    coefficients: tuple[Any, ...]  # 1/j! for j = 2 .. n (Horner from the last)
    pow2: np.ndarray  # 2^k for k = 0 .. k_max (exact)


def _coefficients(dtype: type, last: int) -> tuple[Any, ...]:
    """``1/j!`` for ``j = 2 .. last``, each correctly rounded to ``dtype``."""
    return tuple(dtype(Fraction(1, math.factorial(j))) for j in range(2, last + 1))


TANH64 = TanhConstants(
    clamp=np.float64(22.0),  # 1 - tanh(22) = 1.6e-19 < 2^-54: rounds to 1 (from x = 19.06 on)
    inv_ln2=np.float64(1.4426950408889634),
    ln2_hi=np.float64(6.93147180369123816490e-01),  # 0x3FE62E42FEE00000: 32 significant bits (fdlibm)
    ln2_lo=np.float64(1.90821492927058770002e-10),  # 0x3DEA39EF35793C76
    coefficients=_coefficients(np.float64, 13),  # truncation 0.3466^14/14! = 4e-18 relative to r: < 0.1 ulp
    pow2=np.array([2.0**k for k in range(65)], dtype=np.float64),  # k <= round(44 / ln 2) = 63
)
TANH32 = TanhConstants(
    clamp=np.float32(10.0),  # tanh rounds to 1 in float32 from x = 9.01 on
    inv_ln2=np.float32(1.4426950408889634),
    ln2_hi=np.float32(0.693145751953125),  # 0x3F317200: 15 significant bits (fdlibm expf)
    ln2_lo=np.float32(1.4286067653e-06),  # 0x35BFBE8E
    coefficients=_coefficients(np.float32, 8),  # truncation 0.3466^9/9! = 2e-10 relative to r: < 0.01 ulp
    pow2=np.array([2.0**k for k in range(33)], dtype=np.float32),  # k <= round(20 / ln 2) = 29
)


def constants(dtype: Any) -> TanhConstants:
    """The constants for a float dtype (float32 or float64)."""
    kind = np.dtype(dtype)
    if kind == np.float64:
        return TANH64
    if kind == np.float32:
        return TANH32
    raise TypeError(f"tanh: expected a float32 or float64 array, got {kind}")


def tanh(x: Any) -> np.ndarray:
    """Hyperbolic tangent of a float32 or float64 array (or scalar), in its own precision, bit-identical on every
    CPU (module docstring). Other inputs (ints, Python floats) are computed in float64. Returns a new array."""
    x0 = np.asarray(x)
    x = np.atleast_1d(x0 if x0.dtype in (np.float32, np.float64) else x0.astype(np.float64))
    c = constants(x.dtype)
    a = np.fmin(np.abs(x), c.clamp)  # fmin: a NaN becomes clamp here (a safe table index); restored at the end
    y = a + a
    z = y * c.inv_ln2
    z += x.dtype.type(0.5)
    k = z.astype(np.int64)  # truncation: y >= 0, so this rounds y / ln 2 to the nearest integer
    kf = k.astype(x.dtype)
    r = y - kf * c.ln2_hi
    kf *= c.ln2_lo
    r -= kf
    coefficients = c.coefficients
    q = np.full_like(r, coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        q *= r
        q += coefficient
    p = r * r
    p *= q
    p += r  # expm1(r)
    s = c.pow2[k]
    e = s * p
    s -= x.dtype.type(1.0)
    e += s  # expm1(y)
    t = e + x.dtype.type(2.0)
    np.divide(e, t, out=t)
    np.copysign(t, x, out=t)
    nan = np.isnan(x)
    if nan.any():
        t = np.where(nan, x, t)
    return t.reshape(x0.shape)


_C64 = TANH64.coefficients
_POW2 = [float(v) for v in TANH64.pow2]
_CLAMP, _INV_LN2, _LN2_HI, _LN2_LO = (float(v) for v in (TANH64.clamp, TANH64.inv_ln2, TANH64.ln2_hi, TANH64.ln2_lo))
_Q = [float(v) for v in _C64]


def tanh_scalar(x: float) -> float:
    """:func:`tanh` of one Python float (float64), the same operations in the same order: bit-identical to
    ``tanh(np.float64(x))``."""
    a = abs(x)
    a = a if a < _CLAMP else _CLAMP  # a NaN becomes the clamp here, restored at the end (as np.fmin)
    y = a + a
    k = int(y * _INV_LN2 + 0.5)
    kf = float(k)
    r = (y - kf * _LN2_HI) - kf * _LN2_LO
    q = _Q[-1]
    for coefficient in _Q[-2::-1]:
        q = q * r + coefficient
    p = r * r * q + r
    s = _POW2[k]
    e = s * p + (s - 1.0)
    t = math.copysign(e / (e + 2.0), x)
    return x if x != x else t


__all__ = ["TANH32", "TANH64", "TanhConstants", "constants", "tanh", "tanh_scalar"]
