"""Sampling with SALib 1.6, and SALib's rules enforced as one-line errors rather than warnings.

* ``sobol``: :func:`SALib.sample.sobol.sample` (Saltelli's scheme on a scrambled Sobol' sequence; never the
  deprecated ``saltelli``): ``N * (D + 2)`` rows, ``N * (2D + 2)`` with ``calc_second_order``. ``N`` must be a power
  of two (the sequence's balance properties hold only then) and ``calc_second_order`` must be the same for sampling
  and analysis (it fixes the rows' layout).
* ``morris``: :func:`SALib.sample.morris.sample`, ``N`` trajectories of ``D + 1`` rows on a ``num_levels`` grid
  (even, >= 2; the analysis must use the same ``num_levels``).
* ``pawn``: :func:`SALib.sample.latin.sample`, ``N`` rows (PAWN works on any sample; the analysis slices each
  factor's range into ``pawn_slices`` conditioning intervals).

The first ``n`` base points of each scheme (``n`` Sobol' points, ``n`` trajectories, ``n`` rows) are a sample of the
same scheme, which is what the convergence check analyses at ``N/4`` and ``N/2``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.errors import SimInputError
from sim.sensitivity.space import Factor

METHODS = ("sobol", "morris", "pawn")
MIN_BASE = 8
"""Smallest N: the convergence check analyses N/4 base points, and SALib's bootstrap needs at least two."""


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def check_rules(
    method: str, n: int, calc_second_order: bool, num_levels: int, pawn_slices: int, num_resamples: int
) -> None:
    """Raise :class:`SimInputError` where SALib's rules (or the convergence check's needs) are not met."""
    if method not in METHODS:
        raise SimInputError("method", method, f"expected one of {', '.join(METHODS)}")
    if not isinstance(n, int) or isinstance(n, bool) or n < MIN_BASE:
        raise SimInputError("N", n, f"expected a whole number of at least {MIN_BASE} (the convergence check uses N/4)")
    if method == "sobol" and not is_power_of_two(n):
        lower = 1 << (n.bit_length() - 1)
        raise SimInputError(
            "N",
            n,
            f"expected a power of two for method=sobol (e.g. {lower} or {2 * lower}): the Sobol' sequence is balanced "
            "only at powers of two",
        )
    if method != "sobol" and calc_second_order:
        raise SimInputError("calc_second_order", calc_second_order, "second-order indices exist for method=sobol only")
    if method == "morris" and (num_levels < 2 or num_levels % 2):
        raise SimInputError("num_levels", num_levels, "expected an even number of grid levels of at least 2 (SALib)")
    if method == "pawn" and (pawn_slices < 2 or n // 4 < 2 * pawn_slices):
        raise SimInputError(
            "pawn_slices", pawn_slices, f"expected 2 .. {max(2, n // 8)} slices for N={n} (two rows per slice at N/4)"
        )
    if num_resamples < 2:
        raise SimInputError("num_resamples", num_resamples, "expected at least 2 bootstrap resamples")


def rows_per_base(method: str, d: int, calc_second_order: bool) -> int:
    """Rows each base point contributes (``d`` factors)."""
    if method == "sobol":
        return 2 * d + 2 if calc_second_order else d + 2
    if method == "morris":
        return d + 1
    return 1


def n_rows(method: str, n: int, d: int, calc_second_order: bool) -> int:
    """Rows of the sample: ``N(D+2)`` (Sobol), ``N(2D+2)`` (Sobol, second order), ``N(D+1)`` (Morris), ``N`` (PAWN)."""
    return n * rows_per_base(method, d, calc_second_order)


def problem(factors: Sequence[Factor], outputs: Sequence[str] | None = None) -> Any:
    """The SALib :class:`~SALib.ProblemSpec` of ``factors`` (names, bounds, distributions)."""
    from SALib import ProblemSpec

    spec: dict[str, Any] = {
        "names": [f.name for f in factors],
        "bounds": [list(f.bounds) for f in factors],
        "dists": [f.dist for f in factors],
    }
    if outputs is not None:
        spec["outputs"] = list(outputs)
    return ProblemSpec(spec)


def draw(
    factors: Sequence[Factor], method: str, n: int, seed: int, calc_second_order: bool, num_levels: int
) -> np.ndarray:
    """The sample matrix ``(rows, factors)`` (SALib samplers through :class:`~SALib.ProblemSpec`)."""
    from SALib.sample import latin, morris, sobol

    spec = problem(factors)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # SALib warns where it should refuse: make it refuse
            if method == "sobol":
                spec.sample(sobol.sample, n, calc_second_order=calc_second_order, seed=seed)
            elif method == "morris":
                spec.sample(morris.sample, n, num_levels=num_levels, seed=seed)
            else:
                spec.sample(latin.sample, n, seed=seed)
    except (ValueError, UserWarning) as err:
        raise SimInputError("space", [f.name for f in factors], f"SALib refused the sample: {err}") from None
    x = np.asarray(spec.samples, dtype=np.float64)
    expected = n_rows(method, n, len(factors), calc_second_order)
    if x.shape != (expected, len(factors)):
        raise SimInputError("N", n, f"SALib returned {x.shape[0]} rows, expected {expected}")
    for j, f in enumerate(factors):
        lo, hi = f.support
        slack = 1e-9 * (hi - lo)  # SALib's scaling of grid ends (lo + 1.0 * (hi - lo)) may round past a bound
        if np.any(x[:, j] < lo - slack) or np.any(x[:, j] > hi + slack):
            raise SimInputError(f"space.{f.name}", list(f.bounds), f"sampled values fall outside [{lo}, {hi}]")
        x[:, j] = np.clip(x[:, j], lo, hi)
    return x
