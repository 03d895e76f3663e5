"""Counter-based random numbers: a uniform is a pure function of where it is used.

Every random decision of a run reads ``uniform(key, row)`` where the key is
derived from the run's 64-bit seed, the step, a *stream* (the phase of the
step that draws) and an entity (an employee's row or a manager's index),
and ``row`` numbers the draws that entity makes in that phase. Nothing is
drawn in sequence from a shared generator, so

- a parallel pass gives the same numbers on any number of threads,
- the whole-run path and the step-by-step path give identical runs, and
- switching a mechanism off changes no other decision's numbers.

The mixer is SplitMix64's finaliser ("Mix13", Steele, Lea & Flood 2014);
``uniform(key, row)`` is output ``row + 1`` of the SplitMix64 sequence
started at ``key``, its top 53 bits as a double in [0, 1).

Examples
--------
>>> k = entity_key(stream_key(12345, 3, 1), 7)
>>> 0.0 <= uniform(k, 0) < 1.0
True
>>> uniform(k, 0) == uniform(k, 0), uniform(k, 0) == uniform(k, 1)
(True, False)
"""

from __future__ import annotations

import math

import numpy as np

from ..jit import kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_S8 = np.uint64(8)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

#: Margin of the exact shortcuts that skip an exp() (a few float64 roundings).
MARGIN = 1e-15

# Streams: one per phase that draws (a key never serves two phases).
(
    S_ROWS,       # the row pass: awareness, joining, leaving, posting, policing, underground
    S_VIEWS,      # each reader's views on C
    S_VIEWS_U,    # each reader's views on U
    S_FOLLOW,     # each member's follows
    S_MANAGER,    # each manager's reading, joining follows and interactions
    S_TOP,        # tie-breaking in the managers' top pools
) = range(6)


@kernel
def mix64(z):
    """SplitMix64's finaliser: a bijective, well-mixed function of 64 bits."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@kernel
def stream_key(seed, step, stream):
    """The key of one phase of one step of a run."""
    return mix64(np.uint64(seed) ^ mix64((np.uint64(step) << _S8 | np.uint64(stream)) + _GOLDEN))


@kernel
def entity_key(base, entity):
    """The key of one entity (employee row, manager) within a phase's key."""
    return mix64(base + np.uint64(entity + 1) * _GOLDEN)


@kernel
def uniform(key, row):
    """Uniform in [0, 1): draw number ``row`` of ``key``."""
    z = key + np.uint64(row + 1) * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return (z >> _S11) * _TO_UNIT


@kernel
def below(key, row, n):
    """Uniform integer in 0 .. n−1 from draw ``row`` of ``key`` (n ≥ 1)."""
    return min(int(uniform(key, row) * n), n - 1)


@kernel
def poisson_from_uniform(u, rate):
    """Poisson(rate) variate by inversion of one uniform ``u`` in [0, 1).

    Small rates search the CDF from zero; large rates search a window of
    ±12 standard deviations in log space, so nothing underflows. As
    exp(−rate) ≥ 1 − rate, a ``u`` below 1 − rate (less a rounding margin)
    is 0 without computing exp.
    """
    if rate <= 0.0 or u < 1.0 - rate - MARGIN:
        return 0
    if rate < 30.0:
        p = math.exp(-rate)
        cdf = p
        k = 0
        while u > cdf and k < 400:
            k += 1
            p *= rate / k
            cdf += p
        return k
    sd = math.sqrt(rate)
    lo = max(0, int(rate - 12.0 * sd))
    hi = int(rate + 12.0 * sd) + 1
    mode = math.floor(rate)
    log_rate = math.log(rate)
    log_mode = mode * log_rate - math.lgamma(mode + 1.0)
    total = 0.0
    for k in range(lo, hi + 1):
        total += math.exp(k * log_rate - math.lgamma(k + 1.0) - log_mode)
    target = u * total
    acc = 0.0
    for k in range(lo, hi + 1):
        acc += math.exp(k * log_rate - math.lgamma(k + 1.0) - log_mode)
        if acc > target:
            return k
    return hi


@kernel
def poisson_cdf(rate):
    """The CDF terms :func:`poisson_from_uniform` computes for a small ``rate`` (< 30).

    Tabled once for a rate many draws share (the feed), so each draw is a
    short scan with the same comparisons, hence the same variates.
    """
    if rate <= 0.0 or rate >= 30.0:
        return np.zeros(0)
    cdf = np.empty(401)
    p = math.exp(-rate)
    cdf[0] = p
    k = 0
    while cdf[k] < 1.0 and k < 400:
        k += 1
        p *= rate / k
        cdf[k] = cdf[k - 1] + p
    return cdf[: k + 1]


@kernel
def poisson_tabled(u, rate, cdf):
    """:func:`poisson_from_uniform` with the CDF from :func:`poisson_cdf` (same result)."""
    if len(cdf) == 0 or u < 1.0 - rate - MARGIN:
        return poisson_from_uniform(u, rate)
    k = 0
    while u > cdf[k] and k < len(cdf) - 1:
        k += 1
    if u > cdf[k]:  # beyond the table
        return poisson_from_uniform(u, rate)
    return k


@kernel
def binomial_from_uniform(u, n, p):
    """Binomial(n, p) variate by inversion of one uniform ``u`` in [0, 1).

    Searches the CDF from zero when the mean is small and a ±12 standard
    deviation window in log space otherwise.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    mean = n * p
    if mean < 30.0:
        q = 1.0 - p
        prob = math.exp(n * math.log1p(-p))
        cdf = prob
        k = 0
        while u > cdf and k < n:
            prob *= (n - k) / (k + 1.0) * p / q
            k += 1
            cdf += prob
        return k
    sd = math.sqrt(mean * (1.0 - p))
    lo = max(0, int(mean - 12.0 * sd))
    hi = min(n, int(mean + 12.0 * sd) + 1)
    lp, lq = math.log(p), math.log1p(-p)
    lgn = math.lgamma(n + 1.0)
    mode = min(n, int((n + 1) * p))
    ref = lgn - math.lgamma(mode + 1.0) - math.lgamma(n - mode + 1.0) + mode * lp + (n - mode) * lq
    total = 0.0
    for k in range(lo, hi + 1):
        total += math.exp(lgn - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)
                          + k * lp + (n - k) * lq - ref)
    target = u * total
    acc = 0.0
    for k in range(lo, hi + 1):
        acc += math.exp(lgn - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)
                        + k * lp + (n - k) * lq - ref)
        if acc > target:
            return k
    return hi
