"""Validation and small helpers shared by the classic models.

The models take an undirected graph as symmetric CSR arrays ``indptr``
(int64, length n+1) and ``indices`` (int32, sorted rows, no self-loops), the
layout of :class:`adoptsim.network.Network`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from ..errors import InputError, allowed_range


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


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """The allowed range in words: ``'> 0'``, ``'in [0, 1)'``, or ``''`` if unbounded."""
    words = allowed_range(low, high, low_open, high_open, show=lambda x: f"{x:g}")
    return f"in {words}" if low is not None and high is not None else words


def check_number(
    name: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Validate a finite real number within optional bounds; return it as a float.

    Raises
    ------
    InputError
        Naming ``name`` and the allowed range, for a non-number, nan, ±inf or a
        value outside the bounds (``low_open``/``high_open`` exclude the bound).

    Examples
    --------
    >>> check_number("dt", 0.5, 0.0, low_open=True)
    0.5
    """
    allowed = _interval(low, high, low_open, high_open)
    finite = f"a finite number {allowed}".rstrip()
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be {finite}; got {value!r}.")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{name} must be {finite}, not {x}.")
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    if below or above:
        raise InputError(f"{name} must be {allowed}; got {value!r}.")
    return x


def check_probability(name: str, value: float) -> float:
    """Validate a probability in [0, 1] (finite; nan refused)."""
    return check_number(name, value, 0.0, 1.0)


def check_positive_int(name: str, value: int, *, minimum: int = 1) -> int:
    """Validate an integer count of at least ``minimum`` (floats only if whole and finite)."""
    if isinstance(value, bool | np.bool_):
        whole = False
    elif isinstance(value, numbers.Integral):
        whole = True
    elif isinstance(value, numbers.Real):
        whole = math.isfinite(value) and float(value).is_integer()
    else:
        whole = False
    if not whole or int(value) < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)
