"""The row pass: every employee's own decisions in one step.

For each employee, in this order (docs/odd.md, section 3):
awareness, joining or leaving C, posting (each post may be harmful, blocked
by restriction, diverted to U, or removed by policing), the pending
mention, posting on U, frustration, the underground (lapse, founding,
joining) and fear. A row reads only its own state and its neighbour counts
from the start of the step, so rows are independent and the pass runs in
parallel chunks with the same result on any number of threads.

Each decision reads a fixed draw (``R_*``) of the employee's key for the
step, so switching one mechanism off changes no other decision's numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ...jit import kernel, parallel_kernel
from ..rng import MARGIN, S_ROWS, entity_key, poisson_from_uniform, stream_key, uniform
from ..state import (
    CH_CLOSED,
    CH_FRICTION,
    CH_POLICING,
    CH_RESTRICTION,
    EV_FOUNDED,
    EV_JOINED,
    EV_LEFT,
    EV_REJOINED,
)
from .neighbours import PREFETCH_AHEAD, PREFETCH_MIN_NODES, neighbour_rows, population_stats

# Draws of an employee's row key (fixed: one per decision).
R_AWARE, R_JOIN, R_LEAVE, R_POST_C, R_POST_U, R_FOUND, R_JOIN_U = range(7)
#: C post j uses draws R_C_POSTS + 4j + (0 harmful, 1 blocked, 2 diverted, 3 removed).
R_C_POSTS = 16
#: U post j uses draw R_U_POSTS + j (harmful).
R_U_POSTS = 1 << 40

_U0 = np.uint64(0)
#: Rows per block of the fused pass (a block's counts stay in cache).
_FUSED_BLOCK = np.uint64(2048)


@kernel
def _logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


@kernel
def _logistic_cap(x):
    """An upper bound of ``_logistic(x)`` without exp (exp(−x) ≥ 1 − x)."""
    return 1.0 / (2.0 - x) if x < 1.0 else 1.0


@kernel
def _poisson_posts(key, row, x, intensity):
    """Posts ~ Poisson(intensity · logistic(x)), skipping exp() when a post is impossible.

    intensity · _logistic_cap(x) bounds the rate, and a uniform below
    1 − rate means no post (:func:`poisson_from_uniform`).
    """
    u = uniform(key, row)
    if u < 1.0 - intensity * _logistic_cap(x) - MARGIN:
        return 0
    return poisson_from_uniform(u, intensity * _logistic(x))


@kernel
def row_updates(lo, hi, run, t, any_manager_on):
    """Rows ``lo:hi`` of the row pass (see the module docstring).

    Arrays are taken out of the run's tuples before the loop (compiled code
    reference-counts an array each time one is passed on).
    """
    par = run.par
    ch = run.ch.values
    degree = run.net.degree
    is_manager = run.ppl.is_manager
    enthusiasm = run.ppl.enthusiasm
    fear0 = run.ppl.fear0
    intensity = run.ppl.intensity
    st = run.st
    aware_ = st.aware
    member_c = st.member_c
    ever_member = st.ever_member
    member_u = st.member_u
    invited = st.invited
    last_post = st.last_post
    last_post_u = st.last_post_u
    posts_c = st.posts_c
    removed_ = st.removed
    harmful_c = st.harmful_c
    blocked_ = st.blocked
    posts_u_ = st.posts_u
    harmful_u_ = st.harmful_u
    cum_posts_c = st.cum_posts_c
    cum_posts_u = st.cum_posts_u
    fear = st.fear
    trust_ = st.trust
    frustration = st.frustration
    mention_of = st.mention_of
    mention_at = st.mention_at
    mention_pub = st.mention_pub
    events_ = st.events
    n_member = run.sc.n_member
    n_active = run.sc.n_active
    n_under = run.sc.n_under
    n_sanct = run.sc.n_sanct
    base = stream_key(par.seed, t, S_ROWS)
    closed = ch[CH_CLOSED] > 0.0
    kappa = ch[CH_FRICTION]
    pi = ch[CH_POLICING]
    rho = ch[CH_RESTRICTION]
    promo = par.p_promotion if (par.m_promotion and t >= par.promote_step) else 0.0
    rho_harm = min(1.0, par.harm_detection * rho)
    sanction = par.sanction_rate * pi
    sanction_harm = min(1.0, par.harm_detection * sanction)
    chill = 0.0
    if par.m_surveillance_chill and any_manager_on:
        chill = par.monitoring_weight * par.visibility * par.monitoring * (1.0 + par.authority)
    policing_level = par.policing_weight * pi if par.m_policing_fear else 0.0
    window = par.window
    for i in range(lo, hi):
        posts_c[i] = 0
        removed_[i] = 0
        harmful_c[i] = 0
        blocked_[i] = 0
        posts_u_[i] = 0
        harmful_u_[i] = 0
        mention_pub[i] = -1
        if is_manager[i]:
            invited[i] = False
            continue
        key = entity_key(base, i)
        k = degree[i]
        inv_k = 1.0 / k if k > 0 else 0.0
        s_member = n_member[i] * inv_k
        s_active = n_active[i] * inv_k
        s_under = n_under[i] * inv_k
        soc = (1.0 - par.active_weight) * s_member + par.active_weight * s_active
        e = enthusiasm[i]
        f0 = fear0[i]
        f = fear[i]
        trust = trust_[i]
        phi = frustration[i]
        aware = aware_[i]
        in_c = member_c[i]
        in_u = member_u[i]
        events = 0

        # Awareness: 1 − exp(−h) ≤ h, so a draw at or above h fails without exp().
        if not aware:
            hazard = par.p_external + promo + par.q * soc
            u = uniform(key, R_AWARE)
            if u < hazard + MARGIN and u < 1.0 - math.exp(-hazard):
                aware = True
                aware_[i] = True

        # Joining C (own decision or a manager's invitation), or leaving it.
        if not closed:
            if aware and not in_c:
                f_join = f if par.m_fear_joining else f0
                fear_factor = max(0.0, 1.0 - par.join_weight * f_join)
                if par.instant:
                    p = (1.0 - kappa) * fear_factor
                else:
                    p = min(1.0, (1.0 - kappa) * par.join_rate * (e + soc)) * fear_factor
                if invited[i]:
                    p_inv = min(1.0, par.invite_rate * (1.0 - kappa) * (0.5 + trust)) * fear_factor
                    p = 1.0 - (1.0 - p) * (1.0 - p_inv)
                if uniform(key, R_JOIN) < p:
                    in_c = True
                    member_c[i] = True
                    events |= EV_REJOINED if ever_member[i] else EV_JOINED
                    ever_member[i] = True
            elif in_c and par.m_churn:
                p = par.leave_rate * max(0.0, f - f0)
                if p > 0.0 and uniform(key, R_LEAVE) < p:
                    in_c = False
                    member_c[i] = False
                    events |= EV_LEFT
        invited[i] = False

        # Posting on C.
        f_post = f if par.m_fear_posting else f0
        n_posts = 0
        if in_c and not closed:
            if par.threshold_mode:
                phi_i = (par.phi0 + par.k_fear * f_post - par.k_enthusiasm * e
                         - par.k_trust * (trust - 0.5))
                if k > 0 and n_active[i] >= phi_i * k - 1e-12:
                    n_posts = 1
            else:
                x = (par.b0 + par.b_social * s_active + par.b_enthusiasm * e
                     - par.b_fear * f_post + par.b_trust * (trust - 0.5))
                n_posts = _poisson_posts(key, R_POST_C, x, intensity[i])
        published = removed = harmful_shown = blocked = posts_u = harmful_u = 0
        divert = min(1.0, max(0.0, f_post + phi - f0)) if in_u else 0.0
        for j in range(n_posts):
            row = R_C_POSTS + 4 * j
            harmful = uniform(key, row) < par.harmful
            p_block = rho_harm if harmful else rho
            if p_block > 0.0 and uniform(key, row + 1) < p_block:
                blocked += 1
                continue
            if divert > 0.0 and uniform(key, row + 2) < divert:
                posts_u += 1
                harmful_u += harmful
                continue
            published += 1
            p_remove = sanction_harm if harmful else sanction
            if p_remove > 0.0 and uniform(key, row + 3) < p_remove:
                removed += 1
                continue
            harmful_shown += harmful
        if published:
            last_post[i] = t
            cum_posts_c[i] += published

        # A pending mention of a manager goes out with the next shown post.
        m = mention_of[i]
        if m >= 0:
            if published > removed:
                mention_pub[i] = m
                mention_of[i] = -1
            elif t - mention_at[i] >= window:
                mention_of[i] = -1

        # Posting on U: nobody watches there, so baseline fear and no restriction.
        if in_u:
            x = (par.b0 + par.b_social * s_under + par.b_enthusiasm * e - par.b_fear * f0
                 + par.b_trust * (trust - 0.5))
            own = _poisson_posts(key, R_POST_U, x, intensity[i])
            for j in range(own):
                harmful_u += uniform(key, R_U_POSTS + j) < par.harmful
            posts_u += own
        if posts_u:
            last_post_u[i] = t
            cum_posts_u[i] += posts_u

        # Frustration: blocked and removed posts add to it; it decays.
        if par.m_frustration:
            phi = par.frustration_decay * phi + par.frustration_add * (blocked + removed)
            frustration[i] = phi

        # The underground: idle members lapse; the frustrated found back-channels,
        # and others join through U-member neighbours.
        if in_u:
            if t - last_post_u[i] >= window:
                in_u = False
        elif phi > 0.0 and uniform(key, R_FOUND) < par.u_found * e * min(phi, 1.0):
            in_u = True
            events |= EV_FOUNDED
            last_post_u[i] = t
        elif aware and s_under > 0.0:
            if uniform(key, R_JOIN_U) < par.u_rate * e * (f + phi) * s_under:
                in_u = True
                last_post_u[i] = t
        member_u[i] = in_u

        # Fear: policing raises it (a removed post, removals next door), then it
        # relaxes towards a target that watching by the untrusted raises and
        # active neighbours lower.
        if par.m_policing_fear:
            if removed:
                f += par.sanction_fear
            f += par.neighbour_fear * min(n_sanct[i], 3)
            f = min(f, 1.0)
        target = (f0 + policing_level + chill * (par.chill_trust - trust)
                  - par.reassurance * s_active)
        target = min(1.0, max(0.0, target))
        fear[i] = f + par.relax * (target - f)

        posts_c[i] = published
        removed_[i] = removed
        harmful_c[i] = harmful_shown
        blocked_[i] = blocked
        posts_u_[i] = posts_u
        harmful_u_[i] = harmful_u
        events_[i] |= events


@kernel
def fused_rows(lo, hi, run, t, any_manager_on, ahead):
    """Neighbour counts then row updates, block by block (counts still in cache)."""
    net = run.net
    sc = run.sc
    indptr = net.indptr.view(np.uint64)
    indices = net.indices.view(np.uint32)
    a = lo
    while a < hi:
        b = min(hi, a + _FUSED_BLOCK)
        neighbour_rows(a, b, indptr, indices, sc.table, sc.n_member, sc.n_active, sc.n_under,
                       sc.n_sanct, sc.trust_sum, ahead)
        row_updates(a, b, run, t, any_manager_on)
        a = b


@parallel_kernel
def _fused_par(bounds, run, t, any_manager_on, ahead):
    for c in prange(len(bounds) - 1):
        fused_rows(bounds[c], bounds[c + 1], run, t, any_manager_on, ahead)


@parallel_kernel
def _rows_par(bounds, run, t, any_manager_on):
    for c in prange(len(bounds) - 1):
        row_updates(bounds[c], bounds[c + 1], run, t, any_manager_on)


@kernel
def row_pass(run, t, any_manager_on):
    """Neighbour statistics (start of step) and every employee's row updates.

    On a complete network the statistics are population totals; otherwise
    the neighbour pass and the updates run fused, block by block.
    """
    net = run.net
    st = run.st
    sc = run.sc
    n = np.uint64(len(net.degree))
    if net.complete:
        population_stats(t, run.par.window, st.member_c, st.last_post, st.member_u, st.removed,
                         st.trust, sc.n_member, sc.n_active, sc.n_under, sc.n_sanct,
                         sc.trust_sum)
        if len(net.node_bounds) <= 2:
            row_updates(_U0, n, run, t, any_manager_on)
        else:
            _rows_par(net.node_bounds, run, t, any_manager_on)
        return
    ahead = np.uint64(PREFETCH_AHEAD if n >= PREFETCH_MIN_NODES else 0)
    if len(net.edge_bounds) <= 2:
        fused_rows(_U0, n, run, t, any_manager_on, ahead)
    else:
        _fused_par(net.edge_bounds, run, t, any_manager_on, ahead)
