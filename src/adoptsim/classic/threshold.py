"""Threshold cascades on networks: Watts (2002) and Centola & Macy (2007).

Both are one process: a node becomes active once at least ``need[i]`` of its
neighbours are active, in synchronous rounds until nothing changes, and
active nodes stay active. Only the threshold differs:

- Watts (2002), fractional threshold φ: a node with k ≥ 1 neighbours, m of
  them active, activates iff m ≥ φ·k − 1e-12 (the 1e-12 absorbs rounding in
  φ·k), i.e. ``need = ceil(φ·k − 1e-12)``; isolated nodes never activate.
- Centola & Macy (2007), absolute threshold a: ``need = a`` ("complex
  contagion" for a ≥ 2; a = 1 is simple contagion).

Watts's cascade condition for a Poisson (Erdős–Rényi) degree distribution
p_k with mean z: global cascades are possible when Σ_k k(k−1)·ρ_k·p_k ≥ z,
with ρ_k = 1 for vulnerable degrees k ≤ 1/φ (one active neighbour suffices)
and 0 otherwise. For Poisson degrees the sum is z²·P(Poisson(z) ≤ K−2), K the
largest vulnerable degree, so the condition reads z·P(Poisson(z) ≤ K−2) ≥ 1;
its two roots bound the cascade window.

Examples
--------
>>> lo, hi = watts_cascade_window(0.18)
>>> round(lo, 2), round(hi, 2)
(1.02, 5.76)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaincc, gammaln

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import as_rng, check_csr, check_number, check_positive_int, check_seeds, degrees

#: Bytes per trial of a cascade experiment: the seed draw and a small seed
#: array (a Python object of about 100 bytes) per trial, plus the results.
TRIAL_BYTES = 160

#: Tolerance of the fractional-threshold comparison m ≥ φ·k − EPS.
EPS = 1e-12


@kernel
def _threshold_cascade(indptr, indices, need, seeds, activated, count):  # pragma: no cover
    """Run one cascade; ``activated`` (−1 = inactive) gets each node's round.

    ``count`` is scratch (zeros on entry, active-neighbour counts on exit).
    Returns the number of rounds in which some node activated.
    """
    n = need.size
    frontier = np.empty(n, np.int64)
    nxt = np.empty(n, np.int64)
    nf = 0
    for s in seeds:
        if activated[s] < 0:
            activated[s] = 0
            frontier[nf] = s
            nf += 1
    rounds = 0
    first = True
    while nf > 0:
        for f in range(nf):
            u = frontier[f]
            for e in range(indptr[u], indptr[u + 1]):
                count[indices[e]] += 1
        nn = 0
        if first:
            # Round 1 checks every node: with need <= 0 a node activates unprompted.
            for j in range(n):
                if activated[j] < 0 and count[j] >= need[j]:
                    activated[j] = rounds + 1
                    nxt[nn] = j
                    nn += 1
            first = False
        else:
            # Later rounds: only nodes whose count just rose can newly qualify.
            for f in range(nf):
                u = frontier[f]
                for e in range(indptr[u], indptr[u + 1]):
                    j = indices[e]
                    if activated[j] < 0 and count[j] >= need[j]:
                        activated[j] = rounds + 1
                        nxt[nn] = j
                        nn += 1
        if nn > 0:
            rounds += 1
        for f in range(nn):
            frontier[f] = nxt[f]
        nf = nn
    return rounds


@kernel
def _cascade_trials(indptr, indices, need, seed_sets, seed_ptr, sizes, rounds):  # pragma: no cover
    """One cascade per seed set ``seed_sets[seed_ptr[t]:seed_ptr[t+1]]``; final sizes and rounds."""
    n = need.size
    activated = np.empty(n, np.int64)
    count = np.empty(n, np.int64)
    for t in range(sizes.size):
        activated[:] = -1
        count[:] = 0
        rounds[t] = _threshold_cascade(
            indptr, indices, need, seed_sets[seed_ptr[t]:seed_ptr[t + 1]], activated, count
        )
        total = 0
        for i in range(n):
            if activated[i] >= 0:
                total += 1
        sizes[t] = total


def fractional_need(indptr: np.ndarray, phi: float | np.ndarray) -> np.ndarray:
    """Active neighbours each node needs under fractional threshold(s) φ (Watts's rule).

    ``need = ceil(φ·k − 1e-12)`` for k ≥ 1, so that m ≥ need ⇔ m ≥ φ·k − 1e-12;
    isolated nodes get a need they can never meet.
    """
    k = degrees(indptr)
    phi = np.asarray(phi, dtype=float)
    if phi.ndim and phi.shape != k.shape:
        raise InputError(f"give one threshold phi, or one per node ({k.size}); got {phi.shape}.")
    if not np.all(np.isfinite(phi)):
        raise InputError("thresholds phi must be finite numbers.")
    need = np.ceil(phi * k - EPS).astype(np.int64)
    return np.where(k == 0, 1, need)


def _absolute_need(n: int, a: int) -> np.ndarray:
    a = check_positive_int("threshold a", a)
    return np.full(n, a, dtype=np.int64)


@dataclass(frozen=True)
class Cascade:
    """Outcome of one threshold cascade.

    Attributes
    ----------
    activated : numpy.ndarray
        Round in which each node became active (0 for seeds, −1 for never).
    rounds : int
        Synchronous rounds in which some node activated.
    """

    activated: np.ndarray
    rounds: int

    @property
    def active(self) -> np.ndarray:
        """Boolean mask of the final adopters."""
        return self.activated >= 0

    @property
    def size(self) -> float:
        """Share of nodes active at the end (seeds included)."""
        return float(np.mean(self.activated >= 0))


def threshold_cascade(
    indptr: np.ndarray, indices: np.ndarray, need: np.ndarray, seeds: np.ndarray
) -> Cascade:
    """Run a threshold cascade with per-node integer thresholds ``need``.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        Symmetric CSR graph.
    need : numpy.ndarray
        Active neighbours each node needs (see :func:`fractional_need`).
    seeds : array_like of int
        Nodes active at round 0.

    Returns
    -------
    Cascade
    """
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    need = np.ascontiguousarray(need, dtype=np.int64)
    if need.shape != (n,):
        raise InputError(f"need must hold one integer per node ({n}); got shape {need.shape}.")
    activated = np.full(n, -1, np.int64)
    rounds = _threshold_cascade(
        indptr, indices, need, check_seeds(seeds, n), activated, np.zeros(n, np.int64)
    )
    return Cascade(activated, int(rounds))


def watts_cascade(
    indptr: np.ndarray, indices: np.ndarray, phi: float | np.ndarray, seeds: np.ndarray
) -> Cascade:
    """Watts (2002) cascade from explicit seed nodes with fractional threshold(s) ``phi``.

    A node with k ≥ 1 neighbours, m of them active, activates iff m ≥ φ·k − 1e-12.

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 3, 5, 6]), np.array([1, 0, 2, 1, 3, 2])  # path 0-1-2-3
    >>> watts_cascade(indptr, indices, 0.5, [0]).activated.tolist()
    [0, 1, 2, 3]
    """
    return threshold_cascade(indptr, indices, fractional_need(np.asarray(indptr), phi), seeds)


def complex_contagion(
    indptr: np.ndarray, indices: np.ndarray, a: int, seeds: np.ndarray
) -> Cascade:
    """Centola & Macy (2007) contagion: a node activates once ``a`` neighbours are active."""
    return threshold_cascade(indptr, indices, _absolute_need(np.asarray(indptr).size - 1, a), seeds)


@dataclass(frozen=True)
class CascadeTrials:
    """Cascades from many seed sets on one graph.

    Attributes
    ----------
    sizes : numpy.ndarray
        Final share of active nodes in each trial.
    rounds : numpy.ndarray
        Rounds of each trial.
    global_share : float
        A cascade is *global* when its final share exceeds this.
    """

    sizes: np.ndarray
    rounds: np.ndarray
    global_share: float

    @property
    def global_frequency(self) -> float:
        """Share of trials that ended in a global cascade."""
        return float(np.mean(self.sizes > self.global_share))

    @property
    def mean_global_size(self) -> float:
        """Mean final share of the global cascades (nan if there were none)."""
        big = self.sizes[self.sizes > self.global_share]
        return float(big.mean()) if big.size else float("nan")


def _require_trials(trials: int, per_trial: int, what: str) -> None:
    require_memory(trials * (TRIAL_BYTES + per_trial), f"{what} with {trials:,} trials",
                   "Use fewer trials.")


def _run_trials(indptr, indices, need, seed_sets, global_share) -> CascadeTrials:
    global_share = check_number("global_share", global_share, 0.0, 1.0, high_open=True)
    n = indptr.size - 1
    checked = [check_seeds(s, n) for s in seed_sets]
    ptr = np.zeros(len(checked) + 1, np.int64)
    ptr[1:] = np.cumsum([s.size for s in checked])
    counts = np.empty(len(checked), np.int64)
    rounds = np.empty(len(checked), np.int64)
    _cascade_trials(indptr, indices, need, np.concatenate(checked), ptr, counts, rounds)
    return CascadeTrials(counts / n, rounds, float(global_share))


def watts_trials(
    indptr: np.ndarray,
    indices: np.ndarray,
    phi: float | np.ndarray,
    *,
    trials: int = 100,
    rng: np.random.Generator | int | None = None,
    global_share: float = 0.1,
) -> CascadeTrials:
    """Watts (2002) experiment: cascades from one random seed node per trial, on one graph.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        Symmetric CSR graph.
    phi : float or numpy.ndarray
        Fractional threshold, one for all or one per node.
    trials : int
        Cascades to run; trial t starts from a single node drawn uniformly.
    rng : numpy.random.Generator or int, optional
        Draws the seed nodes.
    global_share : float
        A cascade is global when it ends with more than this share of nodes active.

    Returns
    -------
    CascadeTrials
    """
    indptr, indices = check_csr(indptr, indices)
    trials = check_positive_int("trials", trials)
    _require_trials(trials, 0, "Watts's cascade experiment")
    seeds = as_rng(rng).integers(indptr.size - 1, size=trials)
    need = fractional_need(indptr, phi)
    return _run_trials(indptr, indices, need, seeds[:, None], global_share)


def neighbourhood_seeds(indptr: np.ndarray, indices: np.ndarray, node: int) -> np.ndarray:
    """A node and its neighbours: Centola & Macy's seed, enough to start a complex contagion."""
    return np.concatenate([[node], indices[indptr[node]:indptr[node + 1]]])


def complex_contagion_trials(
    indptr: np.ndarray,
    indices: np.ndarray,
    a: int,
    *,
    trials: int = 20,
    rng: np.random.Generator | int | None = None,
    global_share: float = 0.1,
) -> CascadeTrials:
    """Centola & Macy (2007) experiment: contagions with absolute threshold ``a``.

    Each trial seeds a random node together with its neighbours.
    """
    indptr, indices = check_csr(indptr, indices)
    trials = check_positive_int("trials", trials)
    # Each trial's seed set is a node and its neighbours (8 bytes each).
    mean_set = 8 * (1 + indices.size // max(indptr.size - 1, 1))
    _require_trials(trials, mean_set, "The complex-contagion experiment")
    nodes = as_rng(rng).integers(indptr.size - 1, size=trials)
    seed_sets = [neighbourhood_seeds(indptr, indices, v) for v in nodes]
    return _run_trials(indptr, indices, _absolute_need(indptr.size - 1, a), seed_sets, global_share)


def _largest_vulnerable_degree(phi: float) -> int:
    """Largest degree k with 1 ≥ φ·k − 1e-12: one active neighbour then suffices."""
    phi = check_number("phi", phi, 0.0, 1.0, low_open=True)
    return int(np.floor((1.0 + EPS) / phi))


def watts_cascade_condition(z: float | np.ndarray, phi: float) -> np.ndarray:
    """Watts's cascade condition for Poisson degree: >= 0 exactly inside the cascade window.

    Returns (Σ_k k(k−1)ρ_k p_k − z)/z = z·P(Poisson(z) ≤ K−2) − 1, with K the
    largest vulnerable degree (K = ⌊(1 + 1e-12)/φ⌋).
    """
    k_max = _largest_vulnerable_degree(phi)
    z = np.asarray(z, dtype=float)
    if not np.all(np.isfinite(z) & (z >= 0.0)):
        raise InputError("z (mean degree) must be finite numbers >= 0.")
    if k_max < 2:
        return np.full(z.shape, -1.0)
    # P(Poisson(z) <= m) is the regularised upper incomplete gamma Q(m + 1, z).
    return z * gammaincc(k_max - 1, z) - 1.0


def watts_cascade_window(phi: float) -> tuple[float, float]:
    """Mean degrees (z_low, z_high) between which global cascades are possible (Poisson degree).

    Parameters
    ----------
    phi : float
        Uniform fractional threshold in (0, 1].

    Returns
    -------
    tuple of float
        The two roots of :func:`watts_cascade_condition`, found with Brent's
        method on each side of its maximum; (nan, nan) if the window is empty
        (it is for φ > 1/4).
    """
    top = 4.0 * _largest_vulnerable_degree(phi) + 10.0

    def condition(z: float) -> float:
        return float(watts_cascade_condition(z, phi))

    # The condition rises from −1 at z = 0 to a single maximum, then falls back towards −1.
    peak = minimize_scalar(lambda z: -condition(z), bounds=(1e-9, top), method="bounded").x
    if condition(peak) < 0.0:
        return (float("nan"), float("nan"))
    while condition(top) >= 0.0:
        top *= 2.0
    return (
        float(brentq(condition, 1e-9, peak, xtol=1e-12)),
        float(brentq(condition, peak, top, xtol=1e-12)),
    )


def watts_cascade_frequency(z: float, phi: float) -> float:
    """Predicted frequency of global cascades from one random seed (Poisson degree).

    Watts (2002) equates the chance of a global cascade with the size of the
    *extended* vulnerable cluster: the seed must touch the giant cluster of
    vulnerable nodes. Following an edge, the chance u of *not* reaching that
    cluster through vulnerable nodes solves u = 1 − Σ_{k=2}^{K} p_{k−1}·(1 − u^{k−1})
    (p the Poisson(z) probabilities, K the largest vulnerable degree), and the
    frequency is 1 − exp(−z·(1 − u)). It neglects cascades carried by nodes
    that need two or more active neighbours, so simulations run slightly above it.

    Returns
    -------
    float
        0 outside the cascade window.
    """
    z = check_number("z (mean degree)", z, 0.0)
    if z == 0 or watts_cascade_condition(z, phi) <= 0.0:
        return 0.0
    k = np.arange(2, _largest_vulnerable_degree(phi) + 1)
    pmf = np.exp((k - 1) * np.log(z) - z - gammaln(k))  # Poisson(z) at k − 1

    def excess(u: float) -> float:
        return float(1.0 - np.sum(pmf * (1.0 - u ** (k - 1))) - u)

    # excess > 0 at u = 0 and, inside the window, < 0 just below the trivial root u = 1.
    top = 1.0 - 1e-3
    while excess(top) >= 0.0:
        top = 1.0 - (1.0 - top) / 10.0
    u = brentq(excess, 0.0, top, xtol=1e-14)
    return float(-np.expm1(-z * (1.0 - u)))
