"""Bit-identical results on any CPU and in any batch: the properties the engine's reproducibility rests on.

Nothing here may depend on BLAS: kernels differ by CPU, memory alignment and thread count, so a result that is
identical on one machine can differ in the last bits on another. The checks below compare against a scalar,
fixed-order reference, which any correct machine reproduces exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.dynamics.world import NeighbourWeights, PeerGroups
from sim.engine import OutcomeRecorder, simulate


def _reference(matrix: np.ndarray, values: np.ndarray, dtype: type) -> np.ndarray:
    """Neighbour sums computed one scalar at a time, neighbours in ascending column order."""
    weights = NeighbourWeights.from_dense(matrix)
    out = np.zeros(values.shape, dtype=dtype)
    for r in range(values.shape[0]):
        for i in range(values.shape[1]):
            total = dtype(0)
            for k in range(weights.index.shape[0]):
                term = dtype(weights.weights[k, i]) * values[r, weights.index[k, i]]
                total = term if k == 0 else dtype(total + term)
            out[r, i] = total
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neighbour_sums_equal_a_fixed_order_scalar_reference(dtype):
    rng = np.random.default_rng(3)
    matrix = rng.random((33, 33)) * (rng.random((33, 33)) > 0.8)
    matrix[5] = 0.0  # a state without neighbours
    weights = NeighbourWeights.from_dense(matrix).astype(dtype)
    values = (rng.random((40, 33)) * 2 - 1).astype(dtype)
    np.testing.assert_array_equal(weights.apply(values), _reference(matrix, values, dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neighbour_sums_do_not_depend_on_the_rows_batched_with_them(dtype):
    rng = np.random.default_rng(4)
    matrix = rng.random((33, 33)) * (rng.random((33, 33)) > 0.7)
    weights = NeighbourWeights.from_dense(matrix).astype(dtype)
    values = (rng.random((700, 33)) * 2 - 1).astype(dtype)
    alone = np.stack([weights.apply(values[i : i + 1])[0] for i in range(len(values))])
    for size in (1, 2, 63, 64, 65, 333, 700):
        rows = rng.permutation(len(values))[:size]
        np.testing.assert_array_equal(weights.apply(values[rows]), alone[rows])
        np.testing.assert_array_equal(weights.apply(np.asfortranarray(values[rows])), alone[rows])
    dense = np.divide(matrix, matrix.sum(1, keepdims=True), out=np.zeros_like(matrix), where=matrix.sum(1)[:, None] > 0)
    np.testing.assert_allclose(alone, values @ dense.T.astype(dtype), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_peer_means_equal_a_fixed_order_scalar_reference(dtype):
    labels = ("a", "b", "a", "c", "b", "a", "b", "b")
    groups = PeerGroups.from_labels(labels).astype(dtype)
    values = (np.random.default_rng(5).random((9, len(labels))) * 2 - 1).astype(dtype)
    expected = np.zeros_like(values)
    for r in range(len(values)):
        for i, label in enumerate(labels):
            members = [j for j, other in enumerate(labels) if other == label]
            total = values[r, members[0]]
            for j in members[1:]:
                total = dtype(total + values[r, j])
            expected[r, i] = dtype(total - values[r, i]) * dtype(1.0 / (len(members) - 1)) if len(members) > 1 else 0
    np.testing.assert_array_equal(groups.apply(values), expected)
    np.testing.assert_array_equal(groups.apply(values[3:5]), expected[3:5])
    assert groups.has_entries.tolist() == [True, True, True, False, True, True, True, True]


def test_rows_without_neighbours_get_zero():
    matrix = np.zeros((4, 4))
    matrix[0, 1] = matrix[1, 0] = 1.0
    weights = NeighbourWeights.from_dense(matrix)
    out = weights.apply(np.arange(8.0).reshape(2, 4))
    assert weights.has_entries.tolist() == [True, True, False, False]
    np.testing.assert_array_equal(out, [[1.0, 0.0, 0.0, 0.0], [5.0, 4.0, 0.0, 0.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_run_is_the_same_alone_and_in_any_batch(baseline_world, baseline_cfg, dtype):
    def outcomes(runs):
        return simulate(baseline_world, baseline_cfg.params, 7, runs, OutcomeRecorder(), dtype=np.dtype(dtype))

    together = outcomes(list(range(12)))
    shuffled = [5, 11, 0, 3, 8, 1, 10, 2, 9, 4, 7, 6]
    mixed = outcomes(shuffled)
    order = np.argsort(shuffled)
    np.testing.assert_array_equal(mixed.alignment_end[order], together.alignment_end)
    np.testing.assert_array_equal(mixed.regional_mean[:, order], together.regional_mean)
    for run in (0, 6, 11):
        alone = outcomes([run])
        np.testing.assert_array_equal(alone.alignment_end[0], together.alignment_end[run])
        np.testing.assert_array_equal(alone.bri_end[0], together.bri_end[run])
