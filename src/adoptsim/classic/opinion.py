"""DeGroot (1974) and Friedkin–Johnsen (1990) opinion dynamics on networks.

Both average over the closed neighbourhood with W = D⁻¹(A + I): node i's
new opinion is the mean of its own and its k_i neighbours' opinions.

- DeGroot: x ← W·x. On a connected graph W is the transition matrix of a
  lazy random walk whose stationary distribution is ∝ (k_i + 1), so opinions
  converge to the consensus Σ(k_i+1)·x0_i / Σ(k_i+1) (per connected component).
- Friedkin–Johnsen: x ← Λ·W·x + (I − Λ)·x0, with susceptibility Λ =
  diag(λ_i) ∈ [0, 1]: people stay anchored to their initial opinion x0. When
  every component has some λ_i < 1 the iteration converges to
  x* = (I − Λ·W)⁻¹·(I − Λ)·x0. DeGroot is the case Λ = I.

Examples
--------
>>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1])  # path 0-1-2
>>> degroot_limit(indptr, indices, np.array([0.0, 0.0, 1.0])).round(4).tolist()
[0.2857, 0.2857, 0.2857]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from ..errors import InputError
from ..jit import kernel
from ._graph import check_csr, check_number, check_positive_int, degrees


@kernel
def _fj_step(indptr, indices, x, x0, lam, out):  # pragma: no cover - compiled
    """out = Λ·W·x + (I − Λ)·x0 with W = D⁻¹(A + I); returns max |out − x|."""
    change = 0.0
    for i in range(x.size):
        s = x[i]
        for e in range(indptr[i], indptr[i + 1]):
            s += x[indices[e]]
        mean = s / (indptr[i + 1] - indptr[i] + 1)
        out[i] = lam[i] * mean + (1.0 - lam[i]) * x0[i]
        change = max(change, abs(out[i] - x[i]))
    return change


@dataclass(frozen=True)
class OpinionRun:
    """Outcome of an opinion iteration.

    Attributes
    ----------
    opinions : numpy.ndarray
        Opinions after the last step.
    steps : int
        Steps taken.
    converged : bool
        Whether the largest change in the last step fell below the tolerance.
    """

    opinions: np.ndarray
    steps: int
    converged: bool


def _check_opinions(x0, n: int) -> np.ndarray:
    x0 = np.ascontiguousarray(x0, dtype=float)
    if x0.shape != (n,) or not np.all(np.isfinite(x0)):
        raise InputError(f"initial opinions must be {n} finite numbers, one per node.")
    return x0


def _check_susceptibility(lam, n: int) -> np.ndarray:
    lam = np.asarray(lam, dtype=float)
    if lam.ndim and lam.shape != (n,):
        raise InputError(f"give one susceptibility, or one per node ({n}); got {lam.shape}.")
    lam = np.full(n, lam) if lam.ndim == 0 else np.ascontiguousarray(lam)
    if not np.all((lam >= 0.0) & (lam <= 1.0)):
        raise InputError("susceptibility must be in [0, 1] for every node.")
    return lam


def _iterate(indptr, indices, x0, lam, tol, max_steps) -> OpinionRun:
    tol = check_number("tol", tol, 0.0)
    max_steps = check_positive_int("max_steps", max_steps)
    x, out = x0.copy(), np.empty_like(x0)
    for step in range(1, max_steps + 1):
        change = _fj_step(indptr, indices, x, x0, lam, out)
        x, out = out, x
        if change < tol:
            return OpinionRun(x, step, True)
    return OpinionRun(x, max_steps, False)


def degroot(
    indptr: np.ndarray,
    indices: np.ndarray,
    x0: np.ndarray,
    *,
    tol: float = 1e-12,
    max_steps: int = 100_000,
) -> OpinionRun:
    """Iterate DeGroot averaging x ← D⁻¹(A + I)·x until the largest change is below ``tol``."""
    indptr, indices = check_csr(indptr, indices)
    x0 = _check_opinions(x0, indptr.size - 1)
    return _iterate(indptr, indices, x0, np.ones_like(x0), tol, max_steps)


def degroot_limit(indptr: np.ndarray, indices: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """DeGroot consensus: in each connected component, the (k_i + 1)-weighted mean of x0."""
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    x0 = _check_opinions(x0, n)
    adj = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    w = degrees(indptr) + 1.0
    return (np.bincount(label, w * x0) / np.bincount(label, w))[label]


def friedkin_johnsen(
    indptr: np.ndarray,
    indices: np.ndarray,
    x0: np.ndarray,
    susceptibility: float | np.ndarray,
    *,
    tol: float = 1e-12,
    max_steps: int = 100_000,
) -> OpinionRun:
    """Iterate Friedkin–Johnsen x ← Λ·W·x + (I − Λ)·x0 until the largest change is below ``tol``.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        Symmetric CSR graph.
    x0 : numpy.ndarray
        Initial (and anchoring) opinions.
    susceptibility : float or numpy.ndarray
        λ_i in [0, 1], one for all or one per node (1: pure DeGroot, 0: stubborn).
    tol, max_steps
        Stopping rule.
    """
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    x0 = _check_opinions(x0, n)
    return _iterate(indptr, indices, x0, _check_susceptibility(susceptibility, n), tol, max_steps)


def friedkin_johnsen_limit(
    indptr: np.ndarray,
    indices: np.ndarray,
    x0: np.ndarray,
    susceptibility: float | np.ndarray,
) -> np.ndarray:
    """Closed-form Friedkin–Johnsen equilibrium x* = (I − Λ·W)⁻¹·(I − Λ)·x0 (sparse solve).

    Raises
    ------
    InputError
        If some connected component has λ_i = 1 for all its nodes (then
        I − Λ·W is singular and that component follows DeGroot instead).
    """
    indptr, indices = check_csr(indptr, indices)
    n = indptr.size - 1
    x0 = _check_opinions(x0, n)
    lam = _check_susceptibility(susceptibility, n)
    adj = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    if np.any(np.bincount(label, lam < 1.0) == 0):
        raise InputError(
            "the Friedkin-Johnsen limit needs a susceptibility below 1 somewhere in every "
            "connected component (otherwise that component reaches a DeGroot consensus)."
        )
    w = sp.diags(1.0 / (degrees(indptr) + 1.0)) @ (adj + sp.identity(n))
    system = sp.identity(n, format="csc") - sp.diags(lam) @ w
    return np.asarray(spsolve(system.tocsc(), (1.0 - lam) * x0))
