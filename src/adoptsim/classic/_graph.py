"""Validation and small helpers shared by the classic models.

The models take an undirected graph as symmetric CSR arrays ``indptr``
(int64, length n+1) and ``indices`` (int32, sorted rows, no self-loops), the
layout of :class:`adoptsim.network.Network`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import InputError


def as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return ``rng`` as a Generator (an int is a seed; None means fresh entropy)."""
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"rng must be a numpy Generator or a non-negative integer seed: {exc}"
        ) from exc


def check_csr(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate CSR arrays and return them as contiguous int64 ``indptr``, int32 ``indices``.

    Raises
    ------
    InputError
        If the arrays are not a CSR structure over ``len(indptr) - 1`` nodes.
    """
    indptr = np.asarray(indptr)
    indices = np.asarray(indices)
    if indptr.ndim != 1 or indptr.size < 1 or indices.ndim != 1:
        raise InputError("indptr and indices must be one-dimensional arrays (CSR graph).")
    if not (np.issubdtype(indptr.dtype, np.integer) and np.issubdtype(indices.dtype, np.integer)):
        raise InputError("indptr and indices must hold integers (CSR graph).")
    n = indptr.size - 1
    if indptr[0] != 0 or indptr[-1] != indices.size or np.any(np.diff(indptr) < 0):
        raise InputError(
            "indptr must start at 0, never decrease and end at len(indices) "
            f"(got start {indptr[0]}, end {indptr[-1]}, {indices.size} indices)."
        )
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise InputError(f"indices must be node numbers in 0..{n - 1}.")
    return (
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(indices, dtype=np.int32),
    )


def degrees(indptr: np.ndarray) -> np.ndarray:
    """Degree of every node (int64)."""
    return np.diff(indptr)


def row_of_entry(indptr: np.ndarray) -> np.ndarray:
    """Source node of every CSR entry, so that entry e is the edge (row[e], indices[e])."""
    return np.repeat(np.arange(indptr.size - 1, dtype=np.int32), np.diff(indptr))


def reverse_entry(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Position of the reverse edge (v, u) of every CSR entry (u, v).

    Raises
    ------
    InputError
        If the graph is not symmetric with sorted rows.
    """
    src = row_of_entry(indptr)
    # Sorting the entries by (target, source) lists the reverse edges in CSR order.
    rev = np.lexsort((src, indices)).astype(np.int64)
    if not (np.array_equal(src[rev], indices) and np.array_equal(indices[rev], src)):
        raise InputError("the graph must be undirected: symmetric CSR with sorted rows.")
    return rev


def check_seeds(seeds: Iterable[int], n: int) -> np.ndarray:
    """Validate seed nodes; return them sorted, unique, as int64."""
    arr = np.unique(np.asarray(list(seeds), dtype=np.int64))
    if arr.size == 0:
        raise InputError("give at least one seed node.")
    if arr[0] < 0 or arr[-1] >= n:
        raise InputError(f"seed nodes must be in 0..{n - 1}; got {arr.tolist()[:10]}.")
    return arr


def check_probability(name: str, value: float) -> float:
    """Validate a probability in [0, 1]."""
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise InputError(f"{name} must be a probability in [0, 1]; got {value}.")
    return value


def check_positive_int(name: str, value: int, *, minimum: int = 1) -> int:
    """Validate an integer count of at least ``minimum``."""
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)
