"""Bass (1969) diffusion: closed form and an agent-based version on a well-mixed population.

In the Bass model a non-adopter adopts at rate ``p + q·F``: ``p`` is innovation
(external influence), ``q`` imitation and ``F`` the share already adopted. The
cumulative adoption share is

    F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t}),

adoption peaks at t* = ln(q/p)/(p+q) when q > p. The agent-based version gives
every non-adopter the chance 1 − exp(−(p + q·F)·dt) to adopt in a step of
length ``dt``, with ``F`` the share at the start of the step; as dt → 0 and
n → ∞ its adoption curve approaches F(t).

Examples
--------
>>> round(bass_peak_time(0.03, 0.38), 2)
6.19
>>> run = bass_abm(2000, 0.03, 0.38, dt=0.1, steps=100, rng=1)
>>> run.adopted.shape
(1, 101)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..jit import kernel
from ..memory import require_memory
from ._graph import as_rng, check_number, check_positive_int


def _check_pq(p: float, q: float) -> tuple[float, float]:
    p = check_number("p (innovation)", p, 0.0, low_open=True)
    q = check_number("q (imitation)", q, 0.0)
    return p, q


def _times(t: np.ndarray | float) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t) & (t >= 0.0)):
        raise InputError("times t must be finite numbers >= 0 (time since launch).")
    return t


def bass_adoption(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form cumulative adoption share F(t) of the Bass model.

    Parameters
    ----------
    t : array_like
        Times (any unit; p and q are rates per unit).
    p, q : float
        Coefficients of innovation (> 0) and imitation (>= 0).

    Returns
    -------
    numpy.ndarray
        F(t), in [0, 1).
    """
    p, q = _check_pq(p, q)
    e = np.exp(-(p + q) * _times(t))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_density(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form adoption density f(t) = dF/dt of the Bass model."""
    p, q = _check_pq(p, q)
    e = np.exp(-(p + q) * _times(t))
    return ((p + q) ** 2 / p) * e / (1.0 + (q / p) * e) ** 2


def bass_peak_time(p: float, q: float) -> float:
    """Time of peak adoption t* = ln(q/p)/(p+q); 0 when q <= p (adoption falls from the start)."""
    p, q = _check_pq(p, q)
    return float(np.log(q / p) / (p + q)) if q > p else 0.0


@kernel
def _bass_step(adopted, u, p, q, dt, count):  # pragma: no cover - compiled
    n = adopted.size
    # The hazard uses the share at the start of the step (synchronous update).
    prob = 1.0 - np.exp(-(p + q * count / n) * dt)
    new = 0
    for i in range(n):
        if not adopted[i] and u[i] < prob:
            adopted[i] = True
            new += 1
    return count + new


@dataclass(frozen=True)
class BassRun:
    """Adoption curves of the agent-based Bass model.

    Attributes
    ----------
    times : numpy.ndarray
        ``(steps + 1,)`` times 0, dt, 2·dt, ...
    adopted : numpy.ndarray
        ``(trials, steps + 1)`` share of adopters at each time.
    p, q : float
        The run's coefficients.
    """

    times: np.ndarray
    adopted: np.ndarray
    p: float
    q: float

    def peak_time(self) -> float:
        """When the mean adoption curve reaches F(t*) = 1/2 − p/(2q), the share at which
        the Bass curve peaks (linear interpolation; nan if never reached).

        Step-to-step increments are too noisy near the flat top of f(t) for an
        argmax; the crossing time of this level is a stable estimate of t*.
        """
        level = 0.5 - self.p / (2.0 * self.q) if self.q > self.p else 0.0
        mean = self.adopted.mean(axis=0)
        above = np.flatnonzero(mean >= level)
        if above.size == 0:
            return float("nan")
        i = above[0]
        if i == 0:
            return float(self.times[0])
        frac = (level - mean[i - 1]) / (mean[i] - mean[i - 1])
        return float(self.times[i - 1] + frac * (self.times[i] - self.times[i - 1]))


def bass_abm(
    n: int,
    p: float,
    q: float,
    *,
    dt: float = 0.1,
    steps: int = 200,
    trials: int = 1,
    rng: np.random.Generator | int | None = None,
) -> BassRun:
    """Agent-based Bass model on a complete (well-mixed) population.

    Each step every non-adopter adopts with probability 1 − exp(−(p + q·F)·dt),
    F being the share of adopters at the start of the step. Nobody has adopted
    at time 0.

    Parameters
    ----------
    n : int
        Population size.
    p, q : float
        Coefficients of innovation and imitation (per unit of time).
    dt : float
        Length of a step.
    steps, trials : int
        Steps per run and independent runs.
    rng : numpy.random.Generator or int, optional
        Random generator or seed; one uniform per agent per step is drawn from it.

    Returns
    -------
    BassRun
    """
    p, q = _check_pq(p, q)
    n = check_positive_int("n", n)
    steps = check_positive_int("steps", steps)
    trials = check_positive_int("trials", trials)
    dt = check_number("dt (time step)", dt, 0.0, low_open=True)
    # Per agent: a bool and a float64 uniform each step; per record: one float64.
    require_memory(
        9 * n + 8 * trials * (steps + 1),
        f"The agent-based Bass model with n = {n:,}, {steps:,} steps and {trials:,} trial(s)",
        "Use a smaller n or fewer steps and trials.",
    )
    rng = as_rng(rng)
    shares = np.zeros((trials, steps + 1))
    for trial in range(trials):
        adopted = np.zeros(n, dtype=np.bool_)
        count = 0
        for s in range(1, steps + 1):
            count = _bass_step(adopted, rng.random(n), p, q, float(dt), count)
            shares[trial, s] = count / n
    return BassRun(np.arange(steps + 1) * float(dt), shares, p, q)
