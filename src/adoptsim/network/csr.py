"""Building symmetric CSR arrays from edge lists, and the sort-based set helpers.

CSR construction is an LSD radix sort of the keys ``row << b | col`` in numba
(12-bit digits: cache-friendly scatters), O(edges + n). The set operations
use ``np.sort``, not ``np.unique``/``np.isin``, whose hash path in numpy 2.x
is ~50x slower on millions of distinct int64 keys.

Examples
--------
>>> unique_sorted(np.array([3, 1, 3, 2])).tolist()
[1, 2, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..jit import kernel
from ..memory import require_memory

#: Peak bytes per undirected tie while a generator builds a network: the
#: edge arrays, the CSR radix sort's keys and buffers, and the CSR itself
#: (measured 50-70 bytes at 10⁶ employees for every generator).
BUILD_BYTES_PER_TIE = 72
#: Peak bytes per node while building (labels, degrees, draws per node).
BUILD_BYTES_PER_NODE = 48


#: Radix digit width of the CSR sort: 2**12 buckets keep each pass's write
#: frontiers in cache, which beats one full-width counting sort per
#: coordinate (random writes) by about 2x on 10**7 random edges.
_DIGIT_BITS = 12


# Long on purpose: the whole radix sort in one compiled function, no calls per edge.
@kernel
def _csr_kernel(src, dst, weights, n, has_w):  # pragma: no cover - numba
    """Symmetric CSR by an LSD radix sort of the keys ``row << b | col``.

    Each tie gives two keys (both directions; self-loops skipped). All digit
    histograms are counted in one pass, the first scatter builds the keys on
    the fly, and after the last pass the keys are sorted by (row, col), so
    rows come out sorted and duplicates are adjacent: one sequential pass
    drops them (keeping the largest weight) and counts the rows.
    """
    m = src.shape[0]
    nbits = 1
    while (1 << nbits) < n:
        nbits += 1
    tbits = 2 * nbits
    npass = (tbits + _DIGIT_BITS - 1) // _DIGIT_BITS
    db = (tbits + npass - 1) // npass
    nd = 1 << db
    mask = nd - 1
    hist = np.zeros((npass, nd), np.int64)
    total = 0
    for e in range(m):
        s = np.int64(src[e])
        d = np.int64(dst[e])
        if s != d:
            a = (s << nbits) | d
            b = (d << nbits) | s
            for p in range(npass):
                sh = p * db
                hist[p, (a >> sh) & mask] += 1
                hist[p, (b >> sh) & mask] += 1
            total += 2
    for p in range(npass):
        acc = 0
        for i in range(nd):
            c = hist[p, i]
            hist[p, i] = acc
            acc += c
    nw = total if has_w else 0
    keys = np.empty(total, np.int64)
    buf = np.empty(total, np.int64)
    wk = np.empty(nw, np.float64)
    wb = np.empty(nw, np.float64)
    h = hist[0]
    for e in range(m):  # first pass straight from the edge list
        s = np.int64(src[e])
        d = np.int64(dst[e])
        if s != d:
            a = (s << nbits) | d
            q = h[a & mask]
            keys[q] = a
            h[a & mask] = q + 1
            if has_w:
                wk[q] = weights[e]
            b = (d << nbits) | s
            q = h[b & mask]
            keys[q] = b
            h[b & mask] = q + 1
            if has_w:
                wk[q] = weights[e]
    for p in range(1, npass):
        sh = p * db
        h = hist[p]
        for i in range(total):
            x = keys[i]
            j = (x >> sh) & mask
            q = h[j]
            buf[q] = x
            h[j] = q + 1
            if has_w:
                wb[q] = wk[i]
        keys, buf = buf, keys
        wk, wb = wb, wk

    indptr = np.zeros(n + 1, np.int64)
    cols = np.empty(total, np.int32)
    cmask = (np.int64(1) << nbits) - 1
    k = 0
    prev = -1
    for i in range(total):
        x = keys[i]
        if x != prev:
            cols[k] = x & cmask
            if has_w:
                wb[k] = wk[i]
            indptr[(x >> nbits) + 1] += 1
            k += 1
            prev = x
        elif has_w and wk[i] > wb[k - 1]:
            wb[k - 1] = wk[i]
    for i in range(n):
        indptr[i + 1] += indptr[i]
    return indptr, cols, wb, k


def _as_index_array(a: Any, name: str, n: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} holds node ids outside 0..{n - 1}")
    return np.ascontiguousarray(arr, dtype=np.int32)


def csr_with_weights(
    src: Any, dst: Any, n: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Like :func:`csr_from_edges`, also carrying per-edge weights (max kept)."""
    n = int(n)
    if n < 0 or n >= 2**31:
        raise ValueError(f"n must be in 0..2**31-1, got {n}")
    s = _as_index_array(src, "src", n)
    d = _as_index_array(dst, "dst", n)
    if len(s) != len(d):
        raise ValueError(f"src and dst differ in length ({len(s)} vs {len(d)})")
    has_w = weights is not None
    w = (
        np.ascontiguousarray(weights, dtype=np.float64)
        if has_w
        else np.zeros(0, np.float64)
    )
    if has_w and len(w) != len(s):
        raise ValueError(f"weights has length {len(w)}, expected {len(s)}")
    indptr, cols, wout, k = _csr_kernel(s, d, w, n, has_w)
    # Duplicates leave slack at the end. A view keeps it allocated; copy only
    # when that is more than a tenth, since the copy costs time as well.
    indices = _trim(cols, k)
    return indptr, indices, (_trim(wout, k) if has_w else None)


def _trim(a: np.ndarray, k: int) -> np.ndarray:
    return a[:k] if 10 * (len(a) - k) <= len(a) else a[:k].copy()


def csr_from_edges(src: Any, dst: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays from an edge list.

    Each pair is stored in both directions; self-loops and duplicates
    (including reversed pairs) are dropped; each row is sorted ascending.
    Runs in O(len(src) + n): an LSD radix sort in numba.

    Parameters
    ----------
    src, dst : array_like of int
        Endpoints, node ids in ``0 .. n−1``.
    n : int
        Number of nodes.

    Returns
    -------
    indptr : numpy.ndarray
        int64, shape (n + 1,).
    indices : numpy.ndarray
        int32, shape (indptr[-1],).

    Examples
    --------
    >>> indptr, indices = csr_from_edges([0, 1, 2, 2], [1, 0, 2, 0], 3)
    >>> indptr.tolist(), indices.tolist()
    ([0, 2, 3, 4], [1, 2, 0, 0])
    """
    indptr, indices, _ = csr_with_weights(src, dst, n)
    return indptr, indices


# Sort-based set helpers: numpy 2.x's hash-based np.unique/isin/union1d take
# seconds on millions of distinct int64 keys, np.sort a tenth of a second.


def unique_sorted(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values of ``x``."""
    x = np.sort(x)
    keep = np.ones(len(x), bool)
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def first_occurrence(x: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each distinct value of ``x``."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    first = np.ones(len(x), bool)
    np.not_equal(xs[1:], xs[:-1], out=first[1:])
    mask = np.zeros(len(x), bool)
    mask[order[first]] = True
    return mask


def dense_codes(x: np.ndarray) -> np.ndarray:
    """Codes 0..k−1 of the distinct values of ``x`` in ascending order (int32)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    step = np.zeros(len(x), np.int32)
    np.not_equal(xs[1:], xs[:-1], out=step[1:], casting="unsafe")
    codes = np.empty(len(x), np.int32)
    codes[order] = np.cumsum(step, dtype=np.int32)
    return codes


def sorted_member(x: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Membership of ``x`` in a sorted array, in O(len(x) log len(sorted_keys))."""
    if len(sorted_keys) == 0:
        return np.zeros(len(x), bool)
    i = np.minimum(np.searchsorted(sorted_keys, x), len(sorted_keys) - 1)
    return sorted_keys[i] == x


def build_bytes(n: int, ties: int) -> int:
    """Peak bytes of building a network of ``n`` nodes and ``ties`` undirected ties."""
    return BUILD_BYTES_PER_TIE * ties + BUILD_BYTES_PER_NODE * n


def require_build(n: int, ties: int, what: str) -> None:
    """Refuse (:class:`~adoptsim.errors.InputError`) a build that would not fit in memory."""
    require_memory(
        build_bytes(n, ties),
        f"{what} ({n:,} employees, about {ties:,} ties)",
        "Use fewer employees or fewer ties per employee.",
    )
