"""SIR and SIS epidemics on networks, in discrete time, with their percolation theory.

Each step, every infected node tries once to infect each susceptible
neighbour (success probability β per edge per step), then recovers with
probability γ: to R (immune) in SIR, back to S in SIS. A node infected in a
step is infectious from the next step on; all updates are synchronous.

Theory used (stated so the tests can check it):

- Per-edge transmissibility of SIR. The infectious period D is geometric,
  P(D = d) = (1−γ)^{d−1}·γ for d ≥ 1, and the node tries each edge once per
  step of D, so T = 1 − E[(1−β)^D] = β / (β + γ − β·γ).
- SIR is bond percolation with occupation T (Newman 2002): a large outbreak
  is possible when T > T_c = ⟨k⟩/(⟨k²⟩ − ⟨k⟩), which is 1/z for an
  Erdős–Rényi graph of mean degree z, and its final size S solves
  S = 1 − exp(−z·T·S) there (one node's incoming edges are independent, so
  the equation is exact for the final size even though a node's outgoing
  edges are correlated through its shared D).
- SIS: the heterogeneous mean-field threshold (Pastor-Satorras & Vespignani
  2001), endemic when β/γ > ⟨k⟩/⟨k²⟩ (= 1/(z+1) for Erdős–Rényi); an
  approximation, good well away from the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import (
    as_rng,
    check_csr,
    check_number,
    check_positive_int,
    check_probability,
    check_seeds,
    degrees,
)

#: Node states in :attr:`EpidemicRun.state` (the kernel uses the same codes).
SUSCEPTIBLE, INFECTED, RECOVERED = 0, 1, 2


@kernel
def _epidemic_step(
    indptr, indices, state, infected, u_edge, u_recover, beta, gamma, sis, new_state
):  # pragma: no cover - compiled
    """One synchronous step. Infected nodes in ``infected`` (ascending) use one uniform
    of ``u_edge`` per CSR entry of their row, in order, and one of ``u_recover``."""
    new_state[:] = state
    k = 0
    for t in range(infected.size):
        i = infected[t]
        for e in range(indptr[i], indptr[i + 1]):
            if state[indices[e]] == 0 and u_edge[k] < beta:
                new_state[indices[e]] = 1
            k += 1
        if u_recover[t] < gamma:
            new_state[i] = 0 if sis else 2


@dataclass(frozen=True)
class EpidemicRun:
    """Course of one epidemic.

    Attributes
    ----------
    infected, recovered : numpy.ndarray
        Number of infected and recovered nodes after step 0, 1, ...
    state : numpy.ndarray
        Final state of each node: :data:`SUSCEPTIBLE` (0), :data:`INFECTED` (1) or
        :data:`RECOVERED` (2).
    """

    infected: np.ndarray
    recovered: np.ndarray
    state: np.ndarray

    @property
    def final_size(self) -> float:
        """Share of nodes ever infected (SIR: recovered + still infected at the end)."""
        return float((self.recovered[-1] + self.infected[-1]) / self.state.size)

    def prevalence(self, last: int) -> float:
        """Mean share infected over the last ``last`` recorded steps (the SIS endemic level)."""
        return float(self.infected[-last:].mean() / self.state.size)


def _simulate(indptr, indices, beta, gamma, seeds, initial, steps, rng, sis) -> EpidemicRun:
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    beta = check_probability("beta", beta)
    gamma = check_probability("gamma", gamma)
    steps = check_positive_int("steps", steps)
    if sis:
        # The record covers every step: two lists of ints, then two int64 arrays.
        require_memory(32 * (steps + 1), f"An SIS record of {steps:,} steps",
                       "Use fewer steps.")
    rng = as_rng(rng)
    if seeds is None:
        initial = check_positive_int("initial", initial)
        if initial > n:
            raise InputError(f"initial ({initial}) exceeds the number of nodes ({n}).")
        seeds = rng.choice(n, size=initial, replace=False)
    state = np.zeros(n, np.int8)
    state[check_seeds(seeds, n)] = INFECTED
    new_state = np.empty_like(state)
    deg = degrees(indptr)
    infected_counts = [int(np.count_nonzero(state == INFECTED))]
    recovered_counts = [0]
    for _ in range(steps):
        infected = np.flatnonzero(state == INFECTED)
        if infected.size == 0:
            break
        u_edge = rng.random(int(deg[infected].sum()))
        u_recover = rng.random(infected.size)
        _epidemic_step(
            indptr, indices, state, infected, u_edge, u_recover, beta, gamma, sis, new_state
        )
        state, new_state = new_state, state
        infected_counts.append(int(np.count_nonzero(state == INFECTED)))
        recovered_counts.append(int(np.count_nonzero(state == RECOVERED)))
    if sis:
        # SIS has a fixed horizon: a run that died out early stays at zero to the end.
        missing = steps + 1 - len(infected_counts)
        infected_counts += [0] * missing
        recovered_counts += [0] * missing
    return EpidemicRun(np.array(infected_counts), np.array(recovered_counts), state)


def sir(
    indptr: np.ndarray,
    indices: np.ndarray,
    beta: float,
    gamma: float,
    *,
    seeds: np.ndarray | None = None,
    initial: int = 1,
    steps: int = 100_000,
    rng: np.random.Generator | int | None = None,
) -> EpidemicRun:
    """Discrete-time SIR epidemic on a network, run until nobody is infected.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        Symmetric CSR graph.
    beta : float
        Infection probability per infected–susceptible edge per step.
    gamma : float
        Recovery probability per step.
    seeds : array_like of int, optional
        Initially infected nodes; default ``initial`` nodes drawn at random.
    initial : int
        Number of random initial infections when ``seeds`` is not given.
    steps : int
        Upper bound on the number of steps.
    rng : numpy.random.Generator or int, optional
        Source of all random numbers.

    Returns
    -------
    EpidemicRun
    """
    return _simulate(indptr, indices, beta, gamma, seeds, initial, steps, rng, sis=False)


def sis(
    indptr: np.ndarray,
    indices: np.ndarray,
    beta: float,
    gamma: float,
    *,
    seeds: np.ndarray | None = None,
    initial: int = 1,
    steps: int = 500,
    rng: np.random.Generator | int | None = None,
) -> EpidemicRun:
    """Discrete-time SIS epidemic on a network for ``steps`` steps.

    Parameters are those of :func:`sir`; recovered nodes become susceptible
    again. A run that dies out stops drawing random numbers; its record still
    covers all ``steps`` (with zeros).
    """
    return _simulate(indptr, indices, beta, gamma, seeds, initial, steps, rng, sis=True)


def transmissibility(beta: float, gamma: float) -> float:
    """Per-edge SIR transmissibility T = β/(β + γ − β·γ) of the discrete-time model."""
    beta = check_probability("beta", beta)
    gamma = check_probability("gamma", gamma)
    if beta == 0.0:
        return 0.0
    return beta / (beta + gamma - beta * gamma)


def epidemic_threshold(indptr: np.ndarray) -> float:
    """Critical transmissibility T_c = ⟨k⟩/(⟨k²⟩ − ⟨k⟩) of a graph's degree sequence (Newman 2002).

    Returns inf when ⟨k²⟩ = ⟨k⟩ (no node has two neighbours: no outbreak can grow).
    """
    k = degrees(np.asarray(indptr)).astype(float)
    excess = np.mean(k * k) - np.mean(k)
    return float(np.mean(k) / excess) if excess > 0 else float("inf")


def sis_threshold(indptr: np.ndarray) -> float:
    """Heterogeneous mean-field SIS threshold of β/γ: ⟨k⟩/⟨k²⟩ (inf on an empty graph)."""
    k = degrees(np.asarray(indptr)).astype(float)
    second = np.mean(k * k)
    return float(np.mean(k) / second) if second > 0 else float("inf")


def er_final_size(z: float, t: float) -> float:
    """Final size S of a large SIR outbreak on Erdős–Rényi: the root in (0, 1] of S = 1 − e^{−zTS}.

    Parameters
    ----------
    z : float
        Mean degree.
    t : float
        Per-edge transmissibility T.

    Returns
    -------
    float
        0 at or below the threshold z·T <= 1.

    Examples
    --------
    >>> round(er_final_size(2.0, 1.0), 4)
    0.7968
    """
    z = check_number("z (mean degree)", z, 0.0)
    t = check_number("T (transmissibility)", t, 0.0, 1.0)
    r = z * t
    if r <= 1.0:
        return 0.0
    # S + expm1(−rS) keeps its accuracy near S = 0, so the bracket can start just above 0.
    return float(brentq(lambda s: s + np.expm1(-r * s), 1e-300, 1.0, xtol=1e-15))
