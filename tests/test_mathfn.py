"""The portable tanh (sim.dynamics.mathfn): accuracy against a 40-digit reference, symmetry, saturation, special
values, and the same bits from its numpy, plain-Python and compiled versions."""

from __future__ import annotations

import ast
import decimal
import inspect
import math

import numpy as np
import pytest

from sim.dynamics import mathfn

MAX_ULP = {np.float64: 3.0, np.float32: 2.0}
"""Documented bounds (mathfn's docstring); measured maxima on these samples: 2.3 (float64) and 2.0 (float32)."""


def _reference(x: float) -> decimal.Decimal:
    """tanh(x) to 40 digits (decimal's exp is correctly rounded at the context precision)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        d = decimal.Decimal(float(x))
        if abs(d) > 60:
            return decimal.Decimal(1).copy_sign(d)
        e = (2 * d).exp()
        return (e - 1) / (e + 1)


def _ulp_errors(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """|y - tanh(x)| in units of the last place of the correctly rounded result, in y's precision."""
    dtype = y.dtype.type
    out = np.empty(len(x))
    for k, (xi, yi) in enumerate(zip(x, y, strict=True)):
        ref = _reference(float(xi))
        ulp = float(np.spacing(np.abs(dtype(float(ref)))))
        if ulp == 0.0:
            ulp = float(np.spacing(dtype(0)))
        out[k] = float(abs(decimal.Decimal(float(yi)) - ref) / decimal.Decimal(ulp))
    return out


def _sample(dtype: type, n: int = 4000) -> np.ndarray:
    rng = np.random.default_rng(20251031)
    parts = [
        rng.uniform(-1, 1, n),  # the polynomial's range and the first reductions
        rng.uniform(-25, 25, n),  # every reduction up to saturation
        np.exp(rng.uniform(-40, 3, n)) * rng.choice([-1.0, 1.0], n),  # tiny to moderate, both signs
        np.array([0.3465, 0.3466, 0.6931, 0.6932, 1.0397, 9.0, 9.02, 19.0, 19.1]),  # reduction edges, saturation
    ]
    return np.concatenate(parts).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_accuracy_against_a_40_digit_reference(dtype):
    x = _sample(dtype)
    y = mathfn.tanh(x)
    assert y.dtype == dtype
    errors = _ulp_errors(x, y)
    worst = float(errors.max())
    assert worst <= MAX_ULP[dtype], f"max error {worst:.2f} ulp at x={x[errors.argmax()]!r}"
    assert float(np.mean(errors <= 1.0)) > 0.9  # most results within one ulp


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_close_to_numpy_tanh(dtype):
    x = _sample(dtype)
    y, ref = mathfn.tanh(x), np.tanh(x)
    np.testing.assert_array_max_ulp(y, ref, maxulp=4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_odd_symmetry_is_exact(dtype):
    x = _sample(dtype)
    np.testing.assert_array_equal(mathfn.tanh(-x).view(f"u{x.itemsize}"), (-mathfn.tanh(x)).view(f"u{x.itemsize}"))


@pytest.mark.parametrize(("dtype", "from_"), [(np.float64, 19.07), (np.float32, 9.02)])
def test_saturates_exactly_at_large_arguments(dtype, from_):
    x = np.array([from_, 20.0, 22.0, 50.0, 1e30, np.finfo(dtype).max], dtype=dtype)
    np.testing.assert_array_equal(mathfn.tanh(x), np.ones_like(x))
    np.testing.assert_array_equal(mathfn.tanh(-x), -np.ones_like(x))
    below = np.nextafter(dtype(1), dtype(0))
    assert mathfn.tanh(np.array([dtype(from_ - 2.0)]))[0] <= below  # not yet saturated a little below


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values(dtype):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=dtype)
    y = mathfn.tanh(x)
    assert y[0] == 0 and not np.signbit(y[0]) and y[1] == 0 and np.signbit(y[1])
    assert y[2] == 1.0 and y[3] == -1.0 and np.isnan(y[4])
    tiny = np.array([np.finfo(dtype).smallest_subnormal, 1e-30], dtype=dtype)
    np.testing.assert_array_equal(mathfn.tanh(tiny), tiny)  # tanh(x) = x to the last bit for tiny x
    assert mathfn.tanh(np.float64(0.5)).shape == () and mathfn.tanh(3).dtype == np.float64


def test_plain_python_version_gives_the_same_bits():
    x = _sample(np.float64)
    scalar = np.array([mathfn.tanh_scalar(float(v)) for v in x])
    np.testing.assert_array_equal(scalar.view(np.uint64), mathfn.tanh(x).view(np.uint64))
    assert math.isnan(mathfn.tanh_scalar(float("nan"))) and math.copysign(1, mathfn.tanh_scalar(-0.0)) == -1
    assert mathfn.tanh_scalar(float("inf")) == 1.0 and mathfn.tanh_scalar(-1e300) == -1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_version_gives_the_same_bits(dtype):
    from sim.dynamics import kernel

    if not kernel.AVAILABLE:
        pytest.skip("numba is not installed: no compiled version to compare")
    import numba

    @numba.njit(error_model="numpy")
    def apply(values: np.ndarray, out: np.ndarray) -> None:
        for i in range(values.shape[0]):
            out[i] = kernel.ptanh(values[i])

    x = np.concatenate([_sample(dtype), np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=dtype)])
    out = np.empty_like(x)
    apply(x, out)
    bits = f"u{x.itemsize}"
    np.testing.assert_array_equal(out.view(bits), mathfn.tanh(x).view(bits))


def test_built_from_exact_operations_only():
    """No transcendental library call: the result cannot depend on the CPU's or libm's implementation."""
    tree = ast.parse(inspect.getsource(mathfn))
    called = {
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
    }
    forbidden = {f"{m}.{f}" for m in ("np", "math") for f in ("tanh", "exp", "expm1", "log", "log1p", "pow", "power")}
    assert not called & forbidden, called & forbidden
