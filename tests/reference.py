"""Slow, obvious references for the numba kernels (stumpy's tests/naive.py idea).

Each function states the rule of docs/odd.md, section 8, in plain Python, one employee
at a time, consuming the same uniforms as its kernel. The Poisson draw uses
SciPy's quantile function, an independent implementation of the inversion.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import poisson

from adoptsim.model import kernels as K


def poisson_from_uniform(u: float, rate: float) -> int:
    return 0 if rate <= 0 else int(poisson.ppf(u, rate))


def uniforms(keys, rows: int = 6) -> np.ndarray:
    """SplitMix64 (Steele, Lea & Flood 2014) seeded with each key: output r + 1
    as a 53-bit double is uniform number r of that key. Python integers mod 2**64."""
    mask = (1 << 64) - 1
    out = np.empty((rows, len(keys)))
    for i, key in enumerate(keys):
        for r in range(rows):
            z = (int(key) + (r + 1) * 0x9E3779B97F4A7C15) & mask
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
            z ^= z >> 31
            out[r, i] = (z >> 11) / 2.0**53
    return out


def neighbour_stats(indptr, indices, member, active, under, sanctioned, trust):
    n = len(indptr) - 1
    out = {k: np.zeros(n, int) for k in ("member", "active", "under", "sanct")}
    trust_sum = np.zeros(n)
    for i in range(n):
        for j in indices[indptr[i] : indptr[i + 1]]:
            out["member"][i] += member[j]
            out["active"][i] += active[j]
            out["under"][i] += under[j]
            out["sanct"][i] += sanctioned[j]
            if member[j]:
                trust_sum[i] += trust[j]
    return out, trust_sum


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def update_individuals(par, u, deg, stats, st):
    """Steps 4-10 for every employee; ``st`` is a dict of state arrays, changed in place."""
    p = {name: par[getattr(K, name)] for name in dir(K) if name.isupper() and name != "JIT"
         and isinstance(getattr(K, name), int) and getattr(K, name) < K.N_PARAMS}
    kappa, rho, pi = p["FRICTION"], p["RESTRICTION"], p["POLICING"]
    for i in range(len(deg)):
        st["joined_now"][i] = False
        st["posts_c"][i] = st["posts_u"][i] = 0
        st["sanctioned"][i] = False
        if st["is_manager"][i]:
            st["invited"][i] = False
            continue
        k = deg[i]
        share = {key: (stats[key][i] / k if k else 0.0) for key in ("member", "active", "under")}
        soc = (1 - p["W_ACTIVE"]) * share["member"] + p["W_ACTIVE"] * share["active"]
        e, t, f = st["enthusiasm"][i], st["trust"][i], st["fear"][i]
        if not st["aware"][i]:
            hazard = p["P_EXT"] + p["P_COMMS"] * p["ANY_JOINED"] + p["Q"] * soc
            st["aware"][i] = u[0, i] < 1 - math.exp(-hazard)
        if st["aware"][i] and not st["member_c"][i] and not p["CLOSED"]:
            if p["INSTANT"]:
                prob = 1 - kappa
            else:
                prob = min(1, (1 - kappa) * p["JOIN_RATE"] * (e + soc))
            if st["invited"][i]:
                p_inv = min(1, p["INVITE_RATE"] * (1 - kappa) * (0.5 + t))
                prob = 1 - (1 - prob) * (1 - p_inv)
            if u[1, i] < prob:
                st["member_c"][i] = st["ever_member"][i] = st["joined_now"][i] = True
        st["invited"][i] = False
        if st["aware"][i] and not st["member_u"][i]:
            if u[2, i] < p["U_RATE"] * e * (f + rho) * (share["under"] + 0.05):
                st["member_u"][i] = True
        if st["member_c"][i] and not p["CLOSED"]:
            if p["THRESHOLD_MODE"]:
                phi = p["PHI0"] + p["K_FEAR"] * f - p["K_ENTH"] * e - p["K_TRUST"] * (t - 0.5)
                st["posts_c"][i] = int(k > 0 and stats["active"][i] >= phi * k - 1e-12)
            else:
                x = (p["B0"] + p["B_SOCIAL"] * share["active"] + p["B_ENTH"] * e
                     - p["B_FEAR"] * f + p["B_TRUST"] * (t - 0.5))
                rate = st["intensity"][i] * _logistic(x) * (1 - rho)
                st["posts_c"][i] = poisson_from_uniform(u[3, i], rate)
            if st["posts_c"][i]:
                st["cum_posts_c"][i] += st["posts_c"][i]
                st["last_post"][i] = int(p["STEP"])
        if st["member_u"][i]:
            x = (p["B0"] + p["B_SOCIAL"] * share["under"] + p["B_ENTH"] * e
                 - p["B_FEAR"] * st["fear0"][i] + p["B_TRUST"] * (t - 0.5))
            st["posts_u"][i] = poisson_from_uniform(u[4, i], st["intensity"][i] * _logistic(x))
            st["cum_posts_u"][i] += st["posts_u"][i]
        if st["posts_c"][i] and pi > 0:
            if u[5, i] < 1 - (1 - p["SANCTION_RATE"] * pi) ** st["posts_c"][i]:
                st["sanctioned"][i] = True
                f += p["SANCTION_FEAR"]
        f = min(1.0, f + p["NEIGHBOUR_FEAR"] * min(stats["sanct"][i], 3))
        target = (st["fear0"][i] + p["POLICING_W"] * pi
                  + p["MONITORING_W"] * p["MONITORING"] * (1 - t) * p["ANY_JOINED"]
                  - p["REASSURANCE"] * share["active"])
        st["fear"][i] = f + p["RELAX"] * (min(1, max(0, target)) - f)


def follow(new, indptr, indices, complete, member_c, followers, urn, u, preferential,
           manager_of, follows, manager_followers):
    """Step 6 with a Python list as the urn; returns the urn."""
    members = list(np.flatnonzero(member_c))
    urn = list(urn)
    for a, i in enumerate(new):
        for k in range(u.shape[1]):
            target = None
            if u[a, k, 0] >= preferential:
                if complete:
                    if members:
                        target = members[int(u[a, k, 1] * len(members))]
                else:
                    nbrs = indices[indptr[i] : indptr[i + 1]]
                    if len(nbrs):
                        j = nbrs[int(u[a, k, 1] * len(nbrs))]
                        target = j if member_c[j] else None
            if target is None:
                pool = members + urn  # followers + 1 tickets each
                if not pool:
                    continue
                target = pool[int(u[a, k, 2] * len(pool))]
            if target == i:
                continue
            followers[target] += 1
            urn.append(target)
            m = manager_of[target]
            if m >= 0 and not follows[m, i]:
                follows[m, i] = True
                manager_followers[m] += 1
    return urn


def engage(nodes, joined, tone, best_tone, monitoring, eligible, pool, u, st, mg, gain, loss):
    """Step 11; ``st`` and ``mg`` are dicts of arrays changed in place; returns follows added."""
    added = []
    for m in range(len(nodes)):
        if not joined[m] or not len(eligible):
            continue
        for k in range(u.shape[1]):
            if u[m, k, 0] < monitoring and len(pool):
                i = pool[int(u[m, k, 1] * len(pool))]
            else:
                i = eligible[int(u[m, k, 1] * len(eligible))]
            if not st["member_c"][i]:
                st["invited"][i] = True
                continue
            mg["interactions"][m] += 1
            mg["window_interactions"][m] += 1
            p = 0.2 + 0.6 * (1 - abs(tone[m] - best_tone)) * (0.5 + st["trust"][i])
            if u[m, k, 2] < p:
                mg["positive"][m] += 1
                mg["window_positive"][m] += 1
                st["trust"][i] += gain * (1 - st["trust"][i])
                st["fear"][i] *= 0.9
                mg["tie"][m, i] += 1
                if not mg["follows"][m, i] and u[m, k, 3] < 0.3:
                    mg["follows"][m, i] = True
                    mg["followers"][m] += 1
                    st["followers"][nodes[m]] += 1
                    added.append(nodes[m])
            else:
                st["trust"][i] -= loss * st["trust"][i]
    return added


def top_pool(eligible, score, size, u):
    """The ``size`` best-scoring eligible nodes as a set: all above the cut score,
    then ties at the cut taken by a partial Fisher-Yates shuffle with ``u``."""
    size = min(size, len(eligible))
    if size == 0:
        return set()
    cut = sorted((score[i] for i in eligible), reverse=True)[size - 1]
    pool = [i for i in eligible if score[i] > cut]
    ties = [i for i in eligible if score[i] == cut]
    for r in range(size - len(pool)):
        j = r + int(u[r] * (len(ties) - r))
        ties[r], ties[j] = ties[j], ties[r]
        pool.append(ties[r])
    return pool


def step_sums(step, window, is_manager, aware, member_c, member_u, last_post, posts_c,
              posts_u, trust, fear, n_under, follows, tie):
    """The reporters' counts and sums with numpy, by name."""
    staff = ~is_manager
    following = follows.any(axis=0)
    member = member_c & staff
    return {
        "R_STAFF": staff.sum(), "R_AWARE": (aware & staff).sum(), "R_MEMBER": member.sum(),
        "R_ACTIVE": (member & (step - last_post < window)).sum(),
        "R_UNDER": (member_u & staff).sum(), "R_MEMBER_ALL": member_c.sum(),
        "R_POSTS_C": posts_c.sum(), "R_POSTS_U": posts_u.sum(),
        "R_FOLLOWING_MEMBERS": (following & member_c).sum(),
        "R_REACHED": ((following | (tie > 0).any(axis=0)) & staff).sum(),
        "R_TRUST": trust[staff].sum(), "R_FEAR": fear[staff].sum(),
        "R_MEMBER_VALUE": (0.5 + trust[member]).sum(), "R_U_REACH": int(posts_u @ n_under),
    }


def update_trust(trust, n_member, trust_sum, member_c, is_manager, averaging, ambient, share, rep):
    out = trust.copy()
    for i in range(len(trust)):
        if is_manager[i]:
            continue
        t = trust[i]
        if n_member[i]:
            t = (1 - averaging) * t + averaging * trust_sum[i] / n_member[i]
        if member_c[i]:
            t += ambient * share * (rep - t)
        out[i] = min(1, max(0, t))
    return out
