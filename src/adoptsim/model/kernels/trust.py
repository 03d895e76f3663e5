"""Trust (DeGroot among member neighbours, drift towards the managers one
reads), the decay of relationships, and the step's reporting sums, in one
pass over the rows.

The pass is row-local: neighbour means use trust at the start of the step
(the neighbour pass's sums), so rows are independent. Float sums are taken
per fixed block of rows and added in block order, so they do not depend on
the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ...jit import kernel, parallel_kernel
from ..state import EV_FOUNDED, EV_LEFT

#: Rows per block of the reporting sums.
REDUCE_BLOCK = 1 << 14

# Entries of the reporting sums.
(
    S_STAFF, S_AWARE, S_MEMBER, S_ACTIVE, S_UNDER, S_POSTS_C, S_POSTS_U, S_REMOVED, S_BLOCKED,
    S_TRUST, S_FEAR, S_FRUSTRATION, S_FOLLOWING, S_REACHED, S_R_MEMBERS, S_R_TRUST, S_R_POSTS,
    S_R_TIE, S_U_MEMBERS, S_U_TRUST, S_U_POSTS, S_LEAVERS, S_FOUNDERS, S_SIZE,
) = range(24)


@kernel
def settle_block(b, run, t, out):
    """Trust and tie decay (from step 0 on) for one block of rows, then its sums into ``out[b]``.

    Arrays are taken out of the run's tuples before the loop (compiled code
    reference-counts an array each time one is passed on).
    """
    update = t >= 0
    par = run.par
    peer = par.m_peer_trust
    ambient = par.ambient if par.m_ambient_trust else 0.0
    averaging = par.averaging
    window = par.window
    is_manager = run.ppl.is_manager
    st = run.st
    trust_ = st.trust
    aware = st.aware
    member_c = st.member_c
    member_u = st.member_u
    last_post = st.last_post
    posts_c = st.posts_c
    posts_u = st.posts_u
    removed = st.removed
    blocked = st.blocked
    fear = st.fear
    frustration = st.frustration
    events = st.events
    managers_followed = run.fl.managers_followed
    n_member = run.sc.n_member
    trust_sum = run.sc.trust_sum
    rep_sum = run.sc.rep_sum
    rep_n = run.sc.rep_n
    ties = run.mg.tie
    follows = run.mg.follows
    n = len(trust_)
    lo = b * REDUCE_BLOCK
    hi = min(n, lo + REDUCE_BLOCK)
    n_mgr = ties.shape[0]
    decay = np.float32(par.tie_decay)
    floor = np.float32(par.tie_floor)
    # Sums in locals (an array element would be stored and reloaded every row);
    # integer counts are exact, so only the float sums' order matters (row order).
    staff = aware_n = member_n = active_n = under_n = posts_c_n = posts_u_n = 0
    removed_n = blocked_n = following = reached_n = leavers = founders = 0
    r_members = u_members = r_posts = u_posts = 0
    trust_s = fear_s = frust_s = r_trust = r_tie = u_trust = 0.0
    for i in range(lo, hi):
        if is_manager[i]:
            continue
        trust = trust_[i]
        member = member_c[i]
        if update:
            if peer and n_member[i] > 0:
                trust = (1.0 - averaging) * trust + averaging * trust_sum[i] / n_member[i]
            if member and rep_n[i] > 0:
                trust += ambient * (rep_sum[i] / rep_n[i] - trust)
            trust = min(1.0, max(0.0, trust))
            trust_[i] = trust
        tie = np.float32(0.0)
        followed = False
        for m in range(n_mgr):
            r = ties[m, i]
            if update and r > 0.0:
                r *= decay
                r = r if r >= floor else np.float32(0.0)
                ties[m, i] = r
            tie += r
            followed |= follows[m, i]
        active = member & (t + 1 - last_post[i] <= window)
        reached = (tie > 0.0) | followed | (managers_followed[i] > 0)
        posts = posts_c[i]
        staff += 1
        aware_n += aware[i]
        member_n += member
        active_n += active
        under_n += member_u[i]
        posts_c_n += posts
        posts_u_n += posts_u[i]
        removed_n += removed[i]
        blocked_n += blocked[i]
        trust_s += trust
        fear_s += fear[i]
        frust_s += frustration[i]
        following += member & (managers_followed[i] > 0)
        reached_n += reached
        leavers += (events[i] & EV_LEFT) > 0
        founders += (events[i] & EV_FOUNDED) > 0
        if member:
            if reached:
                r_members += 1
                r_trust += trust
                r_posts += posts
                r_tie += tie
            else:
                u_members += 1
                u_trust += trust
                u_posts += posts
    s = out[b]
    s[S_STAFF] = staff
    s[S_AWARE] = aware_n
    s[S_MEMBER] = member_n
    s[S_ACTIVE] = active_n
    s[S_UNDER] = under_n
    s[S_POSTS_C] = posts_c_n
    s[S_POSTS_U] = posts_u_n
    s[S_REMOVED] = removed_n
    s[S_BLOCKED] = blocked_n
    s[S_TRUST] = trust_s
    s[S_FEAR] = fear_s
    s[S_FRUSTRATION] = frust_s
    s[S_FOLLOWING] = following
    s[S_REACHED] = reached_n
    s[S_LEAVERS] = leavers
    s[S_FOUNDERS] = founders
    s[S_R_MEMBERS] = r_members
    s[S_R_TRUST] = r_trust
    s[S_R_POSTS] = r_posts
    s[S_R_TIE] = r_tie
    s[S_U_MEMBERS] = u_members
    s[S_U_TRUST] = u_trust
    s[S_U_POSTS] = u_posts


@parallel_kernel
def _settle_par(blocks, run, t, out):
    for b in prange(blocks):
        settle_block(b, run, t, out)


@kernel
def settle(run, t):
    """Trust and tie decay at the end of step ``t``, then the reporting sums (S_*).

    At ``t`` = −1 (the initial state) it only sums.
    """
    n = len(run.st.trust)
    blocks = max(1, -(-n // REDUCE_BLOCK))
    out = np.zeros((blocks, S_SIZE))
    if len(run.net.node_bounds) <= 2:
        for b in range(blocks):
            settle_block(b, run, t, out)
    else:
        _settle_par(blocks, run, t, out)
    total = np.zeros(S_SIZE)
    for b in range(blocks):
        total += out[b]
    return total
