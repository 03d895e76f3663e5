"""Numba kernels of the model's submodels (DESIGN §1.3).

Kernels are pure: arrays and scalars in, results written into arrays passed
in. They draw no random numbers: the model draws uniforms from its one
``numpy.random.Generator`` and passes them in, so the parallel kernels give
the same result on any number of threads (each thread writes only its own
rows). Every kernel has a plain-Python reference in ``tests/reference.py``.

The scalar parameters of :func:`update_individuals` travel in one float64
array indexed by the constants below, which keeps the signature readable.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

#: Numba options, in one place. No fastmath: it would change results.
JIT = {"cache": True, "nogil": True}

# Bits of the per-node flag byte read by the neighbour pass. (No rule uses the
# share of aware neighbours, so it is not counted.)
MEMBER, ACTIVE, UNDERGROUND, SANCTIONED = 1, 2, 4, 8

# Indices into the parameter vector of update_individuals.
(
    P_EXT, P_COMMS, Q, W_ACTIVE, JOIN_RATE, INVITE_RATE, INSTANT, FRICTION,
    POLICING, RESTRICTION, CLOSED, ANY_JOINED, MONITORING, U_RATE,
    B0, B_SOCIAL, B_ENTH, B_FEAR, B_TRUST, THRESHOLD_MODE, PHI0, K_FEAR, K_ENTH,
    K_TRUST, SANCTION_RATE, SANCTION_FEAR, NEIGHBOUR_FEAR, RELAX, POLICING_W,
    MONITORING_W, REASSURANCE, STEP, N_PARAMS,
) = range(33)


@njit(**JIT)
def poisson_from_uniform(u: float, rate: float) -> int:
    """Poisson(rate) variate by inversion of one uniform ``u`` in [0, 1).

    Small rates search the CDF from zero; large rates (heavy posters) search
    a window of ±12 standard deviations in log space so nothing underflows.
    """
    if rate <= 0.0:
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
    log_mode = mode * math.log(rate) - math.lgamma(mode + 1.0)
    total = 0.0
    for k in range(lo, hi + 1):
        total += math.exp(k * math.log(rate) - math.lgamma(k + 1.0) - log_mode)
    target = u * total
    acc = 0.0
    for k in range(lo, hi + 1):
        acc += math.exp(k * math.log(rate) - math.lgamma(k + 1.0) - log_mode)
        if acc > target:
            return k
    return hi


@njit(parallel=True, **JIT)
def neighbour_stats(indptr, indices, flags, trust, n_member, n_active, n_under, n_sanct,
                    trust_sum):
    """One pass over the CSR graph: counts of flagged neighbours of every node.

    ``trust_sum[i]`` sums the trust of i's member neighbours (for DeGroot
    averaging); the counts are numbers of member, active, underground and
    sanctioned neighbours.
    """
    n = len(indptr) - 1
    for i in prange(n):
        m = 0
        act = 0
        u = 0
        s = 0
        ts = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            f = flags[j]
            if f & MEMBER:
                m += 1
                ts += trust[j]
            if f & ACTIVE:
                act += 1
            if f & UNDERGROUND:
                u += 1
            if f & SANCTIONED:
                s += 1
        n_member[i] = m
        n_active[i] = act
        n_under[i] = u
        n_sanct[i] = s
        trust_sum[i] = ts


@njit(**JIT)
def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@njit(parallel=True, **JIT)
def update_individuals(par, u, deg, n_member, n_active, n_under, n_sanct,
                       is_manager, enthusiasm, fear0, intensity,
                       aware, member_c, member_u, ever_member, invited, trust, fear,
                       posts_c, posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned,
                       joined_now):
    """Steps 4-10 of the schedule for every employee, in place.

    Awareness, joining C (organic or by invitation), joining U, posting on C
    and U, policing, and fear. Neighbour shares come from the start of the
    step (synchronous update). ``u`` holds six uniforms per employee, one row
    per decision: awareness, joining, underground, C posts, U posts, sanction.
    """
    n = len(deg)
    step = int(par[STEP])
    closed = par[CLOSED] > 0.0
    kappa = par[FRICTION]
    rho = par[RESTRICTION]
    pi = par[POLICING]
    joined = par[ANY_JOINED]
    threshold_mode = par[THRESHOLD_MODE] > 0.0
    for i in prange(n):
        joined_now[i] = False
        posts_c[i] = 0
        posts_u[i] = 0
        sanctioned[i] = False
        if is_manager[i]:
            invited[i] = False
            continue
        k = deg[i]
        inv_k = 1.0 / k if k > 0 else 0.0
        s_member = n_member[i] * inv_k
        s_active = n_active[i] * inv_k
        s_under = n_under[i] * inv_k
        soc = (1.0 - par[W_ACTIVE]) * s_member + par[W_ACTIVE] * s_active
        e = enthusiasm[i]
        t = trust[i]
        f = fear[i]

        # 4. awareness
        if not aware[i]:
            hazard = par[P_EXT] + par[P_COMMS] * joined + par[Q] * soc
            if u[0, i] < 1.0 - math.exp(-hazard):
                aware[i] = True

        # 5. joining C
        if aware[i] and not member_c[i] and not closed:
            if par[INSTANT] > 0.0:
                p = 1.0 - kappa
            else:
                p = min(1.0, (1.0 - kappa) * par[JOIN_RATE] * (e + soc))
            if invited[i]:
                p_inv = min(1.0, par[INVITE_RATE] * (1.0 - kappa) * (0.5 + t))
                p = 1.0 - (1.0 - p) * (1.0 - p_inv)
            if u[1, i] < p:
                member_c[i] = True
                ever_member[i] = True
                joined_now[i] = True
        invited[i] = False

        # 8a. joining U: the enthusiastic and fearful, near other U members
        if aware[i] and not member_u[i]:
            if u[2, i] < par[U_RATE] * e * (f + rho) * (s_under + 0.05):
                member_u[i] = True

        # 7. posting on C
        if member_c[i] and not closed:
            if threshold_mode:
                phi = par[PHI0] + par[K_FEAR] * f - par[K_ENTH] * e - par[K_TRUST] * (t - 0.5)
                if k > 0 and n_active[i] >= phi * k - 1e-12:
                    posts_c[i] = 1
            else:
                x = (par[B0] + par[B_SOCIAL] * s_active + par[B_ENTH] * e
                     - par[B_FEAR] * f + par[B_TRUST] * (t - 0.5))
                rate = intensity[i] * _logistic(x) * (1.0 - rho)
                posts_c[i] = poisson_from_uniform(u[3, i], rate)
            if posts_c[i] > 0:
                cum_posts_c[i] += posts_c[i]
                last_post[i] = step

        # 8b. posting on U: nobody watches, so baseline fear and no restriction
        if member_u[i]:
            x = (par[B0] + par[B_SOCIAL] * s_under + par[B_ENTH] * e
                 - par[B_FEAR] * fear0[i] + par[B_TRUST] * (t - 0.5))
            posts_u[i] = poisson_from_uniform(u[4, i], intensity[i] * _logistic(x))
            cum_posts_u[i] += posts_u[i]

        # 9. policing: each C post is sanctioned with P = sanction_rate * pi
        if posts_c[i] > 0 and pi > 0.0:
            p = 1.0 - (1.0 - par[SANCTION_RATE] * pi) ** posts_c[i]
            if u[5, i] < p:
                sanctioned[i] = True
                f += par[SANCTION_FEAR]
        f += par[NEIGHBOUR_FEAR] * min(n_sanct[i], 3)
        f = min(f, 1.0)

        # 10. fear relaxes to a target raised by policing and by monitoring
        # without trust, lowered by active neighbours
        target = (fear0[i] + par[POLICING_W] * pi
                  + par[MONITORING_W] * par[MONITORING] * (1.0 - t) * joined
                  - par[REASSURANCE] * s_active)
        target = min(1.0, max(0.0, target))
        fear[i] = f + par[RELAX] * (target - f)


@njit(**JIT)
def follow(new_members, indptr, indices, complete, member_c, members, urn, urn_len,
           followers, u, preferential, manager_of, follows, manager_followers):
    """Step 6: each new member follows members; returns the urn's new length.

    With probability ``preferential`` the followee is drawn in proportion to
    followers + 1 (uniform over ``members`` plus the urn of past follows),
    otherwise it is a random org neighbour who is a member (falling back to
    preferential choice). ``u`` has shape (len(new_members), follows, 3).
    Sequential: every follow changes the next one's odds.
    """
    n_members = len(members)
    for a in range(len(new_members)):
        i = new_members[a]
        for k in range(u.shape[1]):
            target = -1
            if u[a, k, 0] >= preferential:
                if complete:
                    if n_members > 0:
                        target = members[int(u[a, k, 1] * n_members)]
                else:
                    d = indptr[i + 1] - indptr[i]
                    if d > 0:
                        j = indices[indptr[i] + int(u[a, k, 1] * d)]
                        if member_c[j]:
                            target = j
            if target < 0:
                total = n_members + urn_len
                if total == 0:
                    continue
                idx = int(u[a, k, 2] * total)
                target = members[idx] if idx < n_members else urn[idx - n_members]
            if target == i:
                continue
            followers[target] += 1
            urn[urn_len] = target
            urn_len += 1
            m = manager_of[target]
            if m >= 0 and not follows[m, i]:
                follows[m, i] = True
                manager_followers[m] += 1
    return urn_len


@njit(**JIT)
def engage(manager_nodes, joined, tone, best_tone, monitoring, eligible, pool, u,
           member_c, trust, fear, invited, tie, follows, manager_followers, followers,
           urn, urn_len, gain, loss, positive, interactions, window_positive,
           window_interactions):
    """Step 11: each joined manager's interactions; returns the urn's new length.

    Each pick comes from ``pool`` (the strategy's top-ranked eligible
    employees) with probability ``monitoring``, else from all ``eligible``.
    A pick who is not a member is invited. With a member, the interaction is
    positive with P = 0.2 + 0.6 (1 - |tone - best_tone|) (0.5 + T).
    ``u`` has shape (M, effort, 4).
    """
    for m in range(len(manager_nodes)):
        if not joined[m] or len(eligible) == 0:
            continue
        node = manager_nodes[m]
        for k in range(u.shape[1]):
            if u[m, k, 0] < monitoring and len(pool) > 0:
                i = pool[int(u[m, k, 1] * len(pool))]
            else:
                i = eligible[int(u[m, k, 1] * len(eligible))]
            if not member_c[i]:
                invited[i] = True
                continue
            interactions[m] += 1
            window_interactions[m] += 1
            p = 0.2 + 0.6 * (1.0 - abs(tone[m] - best_tone)) * (0.5 + trust[i])
            if u[m, k, 2] < p:
                positive[m] += 1
                window_positive[m] += 1
                trust[i] += gain * (1.0 - trust[i])
                fear[i] *= 0.9
                tie[m, i] += 1.0
                if not follows[m, i] and u[m, k, 3] < 0.3:
                    follows[m, i] = True
                    manager_followers[m] += 1
                    followers[node] += 1
                    urn[urn_len] = node
                    urn_len += 1
            else:
                trust[i] -= loss * trust[i]
    return urn_len


@njit(parallel=True, **JIT)
def update_trust(trust, n_member, trust_sum, member_c, is_manager, averaging, ambient,
                 follower_share, reputation):
    """Step 13: DeGroot averaging towards member neighbours, then ambient drift.

    Neighbour means use trust at the start of the step (``trust_sum``);
    members also drift towards the managers' reputation, weighted by the
    managers' follower share.
    """
    for i in prange(len(trust)):
        if is_manager[i]:
            continue
        t = trust[i]
        if n_member[i] > 0:
            t = (1.0 - averaging) * t + averaging * trust_sum[i] / n_member[i]
        if member_c[i]:
            t += ambient * follower_share * (reputation - t)
        trust[i] = min(1.0, max(0.0, t))


@njit(**JIT)
def decay_ties(tie, decay, floor):
    """Ties decay each step; a tie weaker than ``floor`` lapses to zero."""
    for m in range(tie.shape[0]):
        for i in range(tie.shape[1]):
            if tie[m, i] > 0.0:
                t = tie[m, i] * decay
                tie[m, i] = t if t >= floor else 0.0


@njit(parallel=True, **JIT)
def outside_group_degree(indptr, indices, group):
    """Ties of each node that leave its own group (department: the `bridging` score)."""
    n = len(indptr) - 1
    out = np.zeros(n, np.int64)
    for i in prange(n):
        c = 0
        for e in range(indptr[i], indptr[i + 1]):
            if group[indices[e]] != group[i]:
                c += 1
        out[i] = c
    return out
