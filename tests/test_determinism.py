"""Bit-identical results whatever the batch: the properties the engine's reproducibility rests on."""

from __future__ import annotations

import numpy as np
import pytest

from sim.dynamics.world import BLOCK_ROWS, RowWeights


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weighted_sums_do_not_depend_on_the_rows_batched_with_them(dtype):
    rng = np.random.default_rng(3)
    matrix = rng.random((33, 33)) * (rng.random((33, 33)) > 0.8)
    weights = RowWeights.from_dense(matrix).astype(dtype)
    values = (rng.random((700, 33)) * 2 - 1).astype(dtype)
    alone = np.stack([weights.apply(values[i : i + 1])[0] for i in range(len(values))])
    for size in (1, 2, BLOCK_ROWS - 1, BLOCK_ROWS, BLOCK_ROWS + 1, 333, 700):
        rows = rng.permutation(len(values))[:size]
        np.testing.assert_array_equal(weights.apply(values[rows]), alone[rows])
    np.testing.assert_allclose(alone, values @ RowWeights.from_dense(matrix).transposed.astype(dtype), rtol=1e-5)


def test_rows_without_neighbours_get_zero():
    matrix = np.zeros((4, 4))
    matrix[0, 1] = matrix[1, 0] = 1.0
    weights = RowWeights.from_dense(matrix)
    out = weights.apply(np.arange(8.0).reshape(2, 4))
    assert weights.has_entries.tolist() == [True, True, False, False]
    np.testing.assert_array_equal(out, [[1.0, 0.0, 0.0, 0.0], [5.0, 4.0, 0.0, 0.0]])
