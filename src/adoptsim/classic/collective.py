"""Granovetter (1978) threshold model of collective behaviour.

Person i joins (the riot, the channel) once the number of people who have
already joined is at least her integer threshold θ_i. Starting from nobody,
round r lets in everyone whose threshold is at most the count after round
r − 1, until the count stops changing (the equilibrium).

Granovetter's example: thresholds 0, 1, 2, ..., 99 give a riot of all 100;
raising the single threshold 1 to 2 stops it at the instigator alone.

Examples
--------
>>> granovetter(np.arange(100)).adopters
100
>>> thresholds = np.arange(100); thresholds[1] = 2
>>> granovetter(thresholds).adopters
1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import check_number


@kernel
def _granovetter(thresholds, history, adopt_round):  # pragma: no cover - compiled
    n = thresholds.size
    # at_most[a] = number of people with threshold <= a (thresholds above n never bind).
    at_most = np.zeros(n + 1, np.int64)
    for th in thresholds:
        if th <= n:
            at_most[th] += 1
    for a in range(1, n + 1):
        at_most[a] += at_most[a - 1]
    history[0] = 0
    rounds = 0
    while at_most[history[rounds]] != history[rounds]:
        history[rounds + 1] = at_most[history[rounds]]
        rounds += 1
    # history increases, so a person's round is found by bisection on it.
    for i in range(n):
        j = np.searchsorted(history[:rounds], thresholds[i])
        adopt_round[i] = j + 1 if j < rounds else -1
    return rounds


@dataclass(frozen=True)
class GranovetterResult:
    """Equilibrium of the Granovetter threshold model.

    Attributes
    ----------
    adopters : int
        Number of people who joined at equilibrium.
    history : numpy.ndarray
        Number of joiners after round 0, 1, ..., ``rounds``.
    adopt_round : numpy.ndarray
        Round in which each person joined (−1: never).
    """

    adopters: int
    history: np.ndarray
    adopt_round: np.ndarray

    @property
    def rounds(self) -> int:
        """Rounds until the equilibrium (0 if nobody has threshold 0)."""
        return self.history.size - 1


def granovetter(thresholds: np.ndarray) -> GranovetterResult:
    """Iterate Granovetter's threshold model to its equilibrium.

    Parameters
    ----------
    thresholds : array_like of int
        Non-negative integer thresholds, one per person: the number of others
        who must have joined before the person joins.

    Returns
    -------
    GranovetterResult
    """
    th = np.asarray(thresholds)
    if th.ndim != 1 or th.size == 0 or not np.issubdtype(th.dtype, np.integer):
        raise InputError("thresholds must be a non-empty one-dimensional array of integers.")
    if th.min() < 0:
        raise InputError("thresholds must be non-negative integers (a count of joiners).")
    # An int64 copy, the history, the rounds and the kernel's counts: 8 bytes each.
    require_memory(32 * th.size, f"Granovetter's model of {th.size:,} people",
                   "Use fewer people.")
    th = np.ascontiguousarray(th, dtype=np.int64)
    history = np.zeros(th.size + 1, np.int64)
    adopt_round = np.empty(th.size, np.int64)
    rounds = _granovetter(th, history, adopt_round)
    history = history[: rounds + 1].copy()
    return GranovetterResult(int(history[-1]), history, adopt_round)


def granovetter_normal_equilibrium(n: int, mean: float, sd: float, tol: float = 1e-9) -> float:
    """Equilibrium crowd of Granovetter's normally distributed thresholds (his figure 2).

    With thresholds distributed as Normal(mean, sd) in a crowd of ``n``, the
    number of joiners follows r ← n·Φ((r − mean)/sd) from r = 0 until it settles.

    Parameters
    ----------
    n : int
        Crowd size (Granovetter used 100).
    mean, sd : float
        Mean and standard deviation of the thresholds (he used mean 25).
    tol : float
        Stop when r changes by less than this.

    Returns
    -------
    float
        The equilibrium number of joiners.
    """
    n = check_number("n (crowd size)", n, 1.0)
    mean = check_number("mean", mean)
    sd = check_number("sd", sd, 0.0, low_open=True)
    tol = check_number("tol", tol, 0.0, low_open=True)
    r = 0.0
    while True:
        nxt = n * float(ndtr((r - mean) / sd))
        if abs(nxt - r) < tol:
            return nxt
        r = nxt
