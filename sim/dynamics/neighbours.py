"""Neighbourhood means without BLAS: padded neighbour lists and subregion peer groups.

Both are applied by fixed-order gathers and element-wise adds on the transposed ``(states, runs)`` array, so a run's
result is bit-identical on any CPU, with any memory alignment or thread count, and in any batch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NeighbourWeights:
    """Row-normalised weights stored as padded neighbour lists and applied by fixed-order gather-and-add.

    ``apply`` computes ``out[:, i] = sum_k weights[k, i] * values[:, index[k, i]]`` with the ``k`` terms added in the
    same order for every run, using only element-wise numpy operations: no BLAS and no reduction whose order could
    depend on the CPU, the memory alignment, the thread count or the runs batched alongside. A run therefore gets
    bit-identical results on any machine and in any batch (``tests/test_determinism.py``). The work is done on the
    transposed ``(states, runs)`` array, where each gather copies whole contiguous rows.
    """

    index: np.ndarray  # (K, states) int: the k-th neighbour of each state (padding points at the state itself)
    weights: np.ndarray  # (K, states): its weight (0 for padding); each state's weights sum to 1 or are all 0
    has_entries: np.ndarray  # (states,) bool: the state has at least one neighbour

    @classmethod
    def from_dense(cls, matrix: np.ndarray) -> NeighbourWeights:
        """From a dense ``(states, states)`` matrix of non-negative weights (row ``i``: the weights of ``i``'s
        neighbours); rows are normalised to sum to one."""
        normalised = _row_normalise(np.asarray(matrix, dtype=float))
        n = len(normalised)
        k = max(1, int((normalised > 0).sum(axis=1).max(initial=0)))
        index = np.tile(np.arange(n), (k, 1))
        weights = np.zeros((k, n))
        for i in range(n):
            (cols,) = np.nonzero(normalised[i])
            index[: len(cols), i] = cols
            weights[: len(cols), i] = normalised[i, cols]
        return cls(index, weights, normalised.sum(axis=1) > 0)

    def astype(self, dtype: Any) -> NeighbourWeights:
        return replace(self, weights=self.weights.astype(dtype))

    def apply_t(self, values_t: np.ndarray) -> np.ndarray:
        """Weighted neighbour sums of transposed ``(states, runs)`` values, as ``(states, runs)``."""
        weights = self.weights.astype(values_t.dtype, copy=False)[:, :, None]
        out = np.take(values_t, self.index[0], axis=0)
        out *= weights[0]
        gathered = np.empty_like(out)
        for k in range(1, len(weights)):
            np.take(values_t, self.index[k], axis=0, out=gathered)
            gathered *= weights[k]
            out += gathered
        return out

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Weighted neighbour sums of ``(runs, states)`` values (states without neighbours give 0)."""
        return np.ascontiguousarray(self.apply_t(np.ascontiguousarray(values.T)).T)


@dataclass(frozen=True)
class PeerGroups:
    """Mean over the other members of each state's group (its subregion), by fixed-order group sums.

    ``out[i] = (sum of i's group - values[i]) / (group size - 1)``: the group sum adds members in ascending state
    order, element-wise, so results are bit-identical on any CPU and in any batch. States alone in their group get 0.
    """

    members: tuple[np.ndarray, ...]  # per group: the state indices, ascending
    group_of: np.ndarray  # (states,) int: each state's group
    inverse_peers: np.ndarray  # (states,): 1 / (group size - 1), 0 for a state alone in its group
    has_entries: np.ndarray  # (states,) bool: the state has at least one peer

    @classmethod
    def from_labels(cls, labels: tuple[str, ...]) -> PeerGroups:
        names = sorted(set(labels))
        group_of = np.array([names.index(label) for label in labels])
        members = tuple(np.flatnonzero(group_of == g) for g in range(len(names)))
        peers = np.array([len(members[g]) - 1 for g in group_of], dtype=float)
        inverse = np.divide(1.0, peers, out=np.zeros_like(peers), where=peers > 0)
        return cls(members, group_of, inverse, peers > 0)

    def astype(self, dtype: Any) -> PeerGroups:
        return replace(self, inverse_peers=self.inverse_peers.astype(dtype))

    def apply_t(self, values_t: np.ndarray) -> np.ndarray:
        """Peer means of transposed ``(states, runs)`` values, as ``(states, runs)``."""
        sums = np.empty((len(self.members), *values_t.shape[1:]), dtype=values_t.dtype)
        for g, members in enumerate(self.members):
            sums[g] = values_t[members[0]]
            for j in members[1:]:
                sums[g] += values_t[j]
        inverse = self.inverse_peers.astype(values_t.dtype, copy=False)[:, None]
        return (sums[self.group_of] - values_t) * inverse

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Peer means of ``(runs, states)`` values."""
        return np.ascontiguousarray(self.apply_t(np.ascontiguousarray(values.T)).T)


def _row_normalise(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def peer_groups(sub: tuple[str, ...]) -> PeerGroups:
    """The other states of each state's subregion (states labelled ``sub``), equally weighted."""
    return PeerGroups.from_labels(sub)
