"""Influence maximisation (Kempe, Kleinberg & Tardos 2003) with CELF (Leskovec et al. 2007).

Both diffusion models are run through their *live-edge* form, which has the
same distribution of final active sets (Kempe et al., Claim 2.3 and Thm 2.5):

- Independent cascade (IC): each directed edge u→v is live with probability p
  (u gets one chance to activate v).
- Linear threshold (LT) with weights b_uv = 1/k_v and thresholds uniform on
  [0, 1]: each node v with k_v ≥ 1 picks exactly one neighbour uniformly at
  random, and that edge (into v) is live.

The spread σ(S) of a seed set S, the expected number of nodes reachable from S
over live edges, is estimated on R sampled live-edge graphs. Every candidate
set is scored on the *same* R samples (common random numbers), so the
estimate is monotone and submodular in S and greedy selection is exactly
reproducible. CELF (lazy greedy) re-evaluates a node's marginal gain only when
its stale gain, an upper bound by submodularity, is at the top of the queue;
ties go to the lowest node number, as in plain greedy, so both select the
same seeds.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import (
    as_rng,
    check_csr,
    check_positive_int,
    check_probability,
    check_seeds,
    degrees,
    reverse_entry,
)
from .threshold import fractional_need, threshold_cascade

#: Largest live-edge table (samples × directed edges, one byte each) held in memory.
MAX_LIVE_ENTRIES = 200_000_000


@kernel
def _gain(indptr, indices, live, covered, v, seen, queue):  # pragma: no cover - compiled
    """Nodes reachable from v over live edges and not yet covered, summed over samples."""
    total = 0
    for r in range(live.shape[0]):
        if covered[r, v]:
            continue
        seen[v] = True
        queue[0] = v
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            for e in range(indptr[u], indptr[u + 1]):
                w = indices[e]
                if live[r, e] and not seen[w] and not covered[r, w]:
                    seen[w] = True
                    queue[tail] = w
                    tail += 1
        total += tail
        for i in range(tail):
            seen[queue[i]] = False
    return total


@kernel
def _cover(indptr, indices, live, covered, v, queue):  # pragma: no cover - compiled
    """Mark everything reachable from v over live edges as covered, in every sample."""
    for r in range(live.shape[0]):
        if covered[r, v]:
            continue
        covered[r, v] = True
        queue[0] = v
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            for e in range(indptr[u], indptr[u + 1]):
                w = indices[e]
                if live[r, e] and not covered[r, w]:
                    covered[r, w] = True
                    queue[tail] = w
                    tail += 1


@kernel
def _all_gains(indptr, indices, live, covered, candidates, out, seen, queue):  # pragma: no cover
    for c in range(candidates.size):
        out[c] = _gain(indptr, indices, live, covered, candidates[c], seen, queue)


@dataclass(frozen=True)
class LiveEdges:
    """Sampled live-edge graphs: the common random numbers of a spread estimate.

    Attributes
    ----------
    model : {"ic", "lt"}
        Diffusion model the samples represent.
    live : numpy.ndarray
        ``(samples, n_entries)`` booleans; ``live[r, e]`` says that CSR entry
        e, the edge from row node u to ``indices[e]``, carries influence in
        sample r.
    """

    model: str
    live: np.ndarray

    @property
    def samples(self) -> int:
        """Number of sampled live-edge graphs R."""
        return self.live.shape[0]


def sample_live_edges(
    indptr: np.ndarray,
    indices: np.ndarray,
    model: Literal["ic", "lt"] = "ic",
    p: float = 0.1,
    samples: int = 200,
    rng: np.random.Generator | int | None = None,
) -> LiveEdges:
    """Draw R live-edge graphs of the IC (edge probability ``p``) or LT model.

    IC uses one uniform per directed edge and sample; LT one uniform per node
    and sample, which picks that node's live in-edge (``p`` is not used).
    """
    indptr, indices = check_csr(indptr, indices)
    samples = check_positive_int("samples", samples)
    if samples * indices.size > MAX_LIVE_ENTRIES:
        raise InputError(
            f"{samples} samples of {indices.size} directed edges exceed the memory budget of "
            f"{MAX_LIVE_ENTRIES:,} entries; use fewer samples or a smaller graph."
        )
    if model not in ("ic", "lt"):
        raise InputError(f"model must be 'ic' or 'lt'; got {model!r}.")
    n = indptr.size - 1
    # IC: a float64 uniform and a bool per entry and sample; LT: a uniform,
    # a pick and a row index per node and sample, and the bool table.
    per_sample = 9 * indices.size if model == "ic" else indices.size + 24 * n
    require_memory(
        samples * per_sample + 16 * indices.size,
        f"{samples:,} live-edge samples of a graph with {n:,} nodes and "
        f"{indices.size // 2:,} ties",
        "Use fewer samples or a smaller graph.",
    )
    rng = as_rng(rng)
    rev = reverse_entry(indptr, indices)  # also checks that the graph is undirected
    if model == "ic":
        p = check_probability("p", p)
        return LiveEdges("ic", rng.random((samples, indices.size)) < p)
    u = rng.random((samples, n))
    k = degrees(indptr)
    nodes = np.flatnonzero(k > 0)
    # Entry indptr[v] + j is v's j-th neighbour w; the live edge is w→v, the reverse entry.
    pick = np.minimum((u[:, nodes] * k[nodes]).astype(np.int64), k[nodes] - 1)
    live = np.zeros((samples, indices.size), dtype=np.bool_)
    rows = np.repeat(np.arange(samples), nodes.size)
    live[rows, rev[(indptr[nodes] + pick).ravel()]] = True
    return LiveEdges("lt", live)


def _check_live(indptr, indices, live: LiveEdges) -> None:
    if live.live.ndim != 2 or live.live.shape[1] != indices.size:
        raise InputError("live-edge samples do not belong to this graph (wrong number of edges).")


def _covered(indptr, indices, seeds, live: LiveEdges) -> np.ndarray:
    """``(samples, n)`` mask of the nodes reached from ``seeds`` in each live-edge sample."""
    indptr, indices = check_csr(indptr, indices)
    _check_live(indptr, indices, live)
    n = indptr.size - 1
    covered = np.zeros((live.samples, n), dtype=np.bool_)
    queue = np.empty(n, np.int64)
    for v in check_seeds(seeds, n):
        _cover(indptr, indices, live.live, covered, v, queue)
    return covered


def spread(indptr: np.ndarray, indices: np.ndarray, seeds: np.ndarray, live: LiveEdges) -> float:
    """Estimated spread σ(seeds): mean number of nodes reached over the live-edge samples."""
    return float(_covered(indptr, indices, seeds, live).sum() / live.samples)


def _prepare(indptr, indices, k, model, p, samples, rng, live):
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    k = check_positive_int("k", k)
    if k > n:
        raise InputError(f"k ({k}) exceeds the number of nodes ({n}).")
    if live is None:
        live = sample_live_edges(indptr, indices, model, p, samples, rng)
    _check_live(indptr, indices, live)
    require_memory(live.samples * n + 24 * n, f"Seed selection over {live.samples:,} "
                   f"samples of {n:,} nodes", "Use fewer samples or a smaller graph.")
    covered = np.zeros((live.samples, n), dtype=np.bool_)
    return indptr, indices, n, k, live, covered, np.zeros(n, np.bool_), np.empty(n, np.int64)


def celf(
    indptr: np.ndarray,
    indices: np.ndarray,
    k: int,
    model: Literal["ic", "lt"] = "ic",
    p: float = 0.1,
    samples: int = 200,
    rng: np.random.Generator | int | None = None,
    *,
    live: LiveEdges | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy seed selection with CELF lazy evaluation.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        Symmetric CSR graph.
    k : int
        Number of seeds to choose.
    model : {"ic", "lt"}
        Diffusion model.
    p : float
        IC edge probability.
    samples : int
        Live-edge samples R (common random numbers).
    rng : numpy.random.Generator or int, optional
        Draws the samples.
    live : LiveEdges, optional
        Samples to use instead of drawing new ones (to score other strategies
        on the same random numbers); ``model``, ``p``, ``samples`` and ``rng``
        are then ignored.

    Returns
    -------
    seeds : numpy.ndarray
        The k chosen nodes, in order of choice.
    spread_estimates : numpy.ndarray
        Estimated spread σ of the first 1, 2, ..., k seeds.

    Examples
    --------
    >>> indptr = np.array([0, 3, 4, 5, 6]); indices = np.array([1, 2, 3, 0, 0, 0])  # a star
    >>> seeds, spreads = celf(indptr, indices, 1, p=1.0, samples=5, rng=0)
    >>> seeds.tolist(), spreads.tolist()
    ([0], [4.0])
    """
    indptr, indices, n, k, live, covered, seen, queue = _prepare(
        indptr, indices, k, model, p, samples, rng, live
    )
    gains = np.empty(n, np.int64)
    _all_gains(indptr, indices, live.live, covered, np.arange(n), gains, seen, queue)
    # Heap entries: (−gain, node, iteration in which the gain was computed).
    heap = [(-int(g), v, 0) for v, g in enumerate(gains)]
    heapq.heapify(heap)
    chosen, totals, total = [], [], 0
    for it in range(k):
        while True:
            neg_gain, v, stamp = heapq.heappop(heap)
            if stamp == it:
                break
            fresh = _gain(indptr, indices, live.live, covered, v, seen, queue)
            heapq.heappush(heap, (-int(fresh), v, it))
        _cover(indptr, indices, live.live, covered, v, queue)
        total -= neg_gain
        chosen.append(v)
        totals.append(total / live.samples)
    return np.array(chosen, dtype=np.int64), np.array(totals)


def greedy(
    indptr: np.ndarray,
    indices: np.ndarray,
    k: int,
    model: Literal["ic", "lt"] = "ic",
    p: float = 0.1,
    samples: int = 200,
    rng: np.random.Generator | int | None = None,
    *,
    live: LiveEdges | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Plain greedy seed selection (every gain re-evaluated each round); same interface as
    :func:`celf`, and the same result, at k·n gain evaluations instead of a few."""
    indptr, indices, n, k, live, covered, seen, queue = _prepare(
        indptr, indices, k, model, p, samples, rng, live
    )
    chosen: list[int] = []
    totals, total = [], 0
    gains = np.empty(n, np.int64)
    for _ in range(k):
        candidates = np.setdiff1d(np.arange(n), chosen)
        _all_gains(indptr, indices, live.live, covered, candidates, gains, seen, queue)
        best = int(np.argmax(gains[: candidates.size]))  # first maximum: lowest node
        v = int(candidates[best])
        _cover(indptr, indices, live.live, covered, v, queue)
        total += int(gains[best])
        chosen.append(v)
        totals.append(total / live.samples)
    return np.array(chosen, dtype=np.int64), np.array(totals)


def degree_seeds(indptr: np.ndarray, k: int) -> np.ndarray:
    """The k nodes of highest degree (ties to the lowest node number): a baseline."""
    deg = degrees(np.asarray(indptr))
    k = check_positive_int("k", k)
    if k > deg.size:
        raise InputError(f"k ({k}) exceeds the number of nodes ({deg.size}).")
    return np.argsort(-deg, kind="stable")[:k].astype(np.int64)


def random_seeds(n: int, k: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """k distinct nodes drawn uniformly: a baseline."""
    n = check_positive_int("n", n)
    k = check_positive_int("k", k)
    if k > n:
        raise InputError(f"k ({k}) exceeds the number of nodes ({n}).")
    # numpy draws a large share of the nodes through a permutation of all n,
    # a small one through a set of the k chosen.
    need = 8 * n + 16 * k if 50 * k > n else 64 * k
    require_memory(need, f"Drawing {k:,} of {n:,} nodes", "Use a smaller k or n.")
    return as_rng(rng).choice(n, size=k, replace=False).astype(np.int64)


def independent_cascade(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: np.ndarray,
    p: float,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """One independent-cascade run from ``seeds``; returns the mask of active nodes.

    Flipping every edge's coin in advance (one live-edge sample) and following
    live edges gives the cascade's final set (Kempe et al., Claim 2.3).
    """
    return _covered(indptr, indices, seeds, sample_live_edges(indptr, indices, "ic", p, 1, rng))[0]


def linear_threshold(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: np.ndarray,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """One linear-threshold run from ``seeds``, simulated directly; returns the active mask.

    Node v draws θ_v ~ U[0, 1) and activates once Σ_{active u} 1/k_v ≥ θ_v, i.e.
    once m ≥ θ_v·k_v of its k_v neighbours are active: the threshold cascade
    with per-node fractional thresholds. Its final set has the distribution of
    the live-edge form used by :func:`celf` (Kempe et al., Theorem 2.5).
    """
    indptr, indices = check_csr(indptr, indices)
    theta = as_rng(rng).random(indptr.size - 1)
    return threshold_cascade(indptr, indices, fractional_need(indptr, theta), seeds).active
