"""Deffuant et al. (2000) bounded-confidence opinion dynamics.

Opinions lie in [0, 1]. Each step two agents meet: the ends of a uniformly
chosen edge of the network, or a uniformly chosen pair on complete mixing.
If their opinions differ by less than the confidence bound d, both move a
fraction μ towards each other: x_i += μ(x_j − x_i), x_j += μ(x_i − x_j).

Opinions settle into clusters; with complete mixing and uniform initial
opinions the number of large clusters is about ⌊1/(2d)⌋ (Deffuant et al.
2000; Weisbuch et al. 2002).

Examples
--------
>>> run = deffuant(np.random.default_rng(0).random(200), d=0.3, mu=0.5, rng=1)
>>> run.major_clusters()  # ⌊1/(2 · 0.3)⌋ = 1 expected, 2 is common at this size
2
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import as_rng, check_csr, check_number, check_positive_int, row_of_entry

#: Bytes per meeting of a block: two int64 ends and scratch.
MEETING_BYTES = 24


@kernel
def _deffuant(x, first, second, d, mu):  # pragma: no cover - compiled
    """Apply the meetings (first[t], second[t]) in order; returns how many moved opinions."""
    moved = 0
    for t in range(first.size):
        i, j = first[t], second[t]
        diff = x[j] - x[i]
        if abs(diff) < d:
            x[i] += mu * diff
            x[j] -= mu * diff
            moved += 1
    return moved


def opinion_clusters(x: np.ndarray, tol: float = 1e-3) -> np.ndarray:
    """Sizes of opinion clusters: runs of sorted opinions whose neighbours differ by < ``tol``."""
    tol = check_number("tol", tol, 0.0, low_open=True)
    xs = np.sort(np.asarray(x, dtype=float))
    cuts = np.flatnonzero(np.diff(xs) >= tol) + 1
    return np.diff(np.concatenate([[0], cuts, [xs.size]]))


@dataclass(frozen=True)
class DeffuantRun:
    """Outcome of a bounded-confidence run.

    Attributes
    ----------
    opinions : numpy.ndarray
        Final opinions.
    meetings : int
        Meetings simulated.
    settled : bool
        Whether every pair that can still meet (difference < d) differed by
        less than ``tol`` at the end.
    clusters : numpy.ndarray
        Cluster sizes (see :func:`opinion_clusters`), largest first.
    """

    opinions: np.ndarray
    meetings: int
    settled: bool
    clusters: np.ndarray

    def major_clusters(self, share: float = 0.05) -> int:
        """Number of clusters holding at least ``share`` of the agents."""
        return int(np.count_nonzero(self.clusters >= share * self.opinions.size))


def deffuant(
    x0: np.ndarray,
    d: float = 0.2,
    mu: float = 0.5,
    *,
    indptr: np.ndarray | None = None,
    indices: np.ndarray | None = None,
    max_meetings: int | None = None,
    tol: float = 1e-3,
    rng: np.random.Generator | int | None = None,
) -> DeffuantRun:
    """Run Deffuant bounded confidence until opinions settle or ``max_meetings`` meetings.

    Parameters
    ----------
    x0 : numpy.ndarray
        Initial opinions in [0, 1].
    d : float
        Confidence bound: agents interact only if their opinions differ by less.
    mu : float
        Convergence parameter in (0, 0.5].
    indptr, indices : numpy.ndarray, optional
        Symmetric CSR graph: meetings along uniformly chosen edges. Omit both for
        complete mixing (uniformly chosen pairs of distinct agents).
    max_meetings : int, optional
        Upper bound on meetings; default 10,000 per agent.
    tol : float
        Settling and clustering tolerance.
    rng : numpy.random.Generator or int, optional
        Draws the meetings, in blocks of 10 per agent between settling checks.

    Returns
    -------
    DeffuantRun
    """
    x = np.array(x0, dtype=float)
    n = x.size
    if x.ndim != 1 or n < 2 or not np.all((x >= 0.0) & (x <= 1.0)):
        raise InputError("initial opinions must be at least two numbers in [0, 1].")
    d = check_number("d (confidence bound)", d, 0.0, 1.0, low_open=True)
    mu = check_number("mu (convergence)", mu, 0.0, 0.5, low_open=True)
    tol = check_number("tol", tol, 0.0, low_open=True)
    max_meetings = check_positive_int(
        "max_meetings", 10_000 * n if max_meetings is None else max_meetings
    )
    # Meetings are drawn in blocks of 10 per agent; the settling check sorts copies.
    require_memory(MEETING_BYTES * min(10 * n, max_meetings) + 40 * n,
                   f"Bounded confidence with {n:,} agents", "Use fewer agents.")
    rng = as_rng(rng)
    if (indptr is None) != (indices is None):
        raise InputError("give both indptr and indices (a network), or neither (complete mixing).")
    src = None
    if indptr is not None:
        indptr, indices = check_csr(indptr, indices)
        if indptr.size - 1 != n:
            raise InputError(f"the network has {indptr.size - 1} nodes but x0 has {n} opinions.")
        if indices.size == 0:
            raise InputError("the network has no edges: nobody can meet.")
        src = row_of_entry(indptr)
    block = 10 * n
    meetings = 0
    settled = False
    while meetings < max_meetings and not settled:
        size = min(block, max_meetings - meetings)
        if src is None:
            first = rng.integers(n, size=size)
            # A uniform partner among the other n − 1 agents.
            second = rng.integers(n - 1, size=size)
            second += second >= first
        else:
            entry = rng.integers(indices.size, size=size)
            first, second = src[entry], indices[entry]
        _deffuant(x, first, second, float(d), float(mu))
        meetings += size
        settled = _settled(x, d, tol, src, indices)
    return DeffuantRun(x, meetings, settled, np.sort(opinion_clusters(x, tol))[::-1])


def _settled(x, d, tol, src, indices) -> bool:
    """Whether no pair that can still meet differs by ``tol`` or more."""
    if src is None:
        # Complete mixing: each group of sorted opinions chained by gaps < d must span < tol.
        xs = np.sort(x)
        starts = np.flatnonzero(np.concatenate([[True], np.diff(xs) >= d]))
        ends = np.append(starts[1:], xs.size) - 1
        return bool(np.all(xs[ends] - xs[starts] < tol))
    diff = np.abs(x[src] - x[indices])
    return bool(np.all((diff < tol) | (diff >= d)))
