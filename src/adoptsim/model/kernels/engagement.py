"""The comms managers: joining, reading, interactions and tone review.

Each joined manager makes ``comms.effort`` interactions a step (docs/odd.md,
section 8.12): an invitation to an aware non-member with P =
``comms.invite_share``, else an interaction with a member (an empty pool
hands its share to the other). Within a pool the pick is, with P =
max(monitoring, share of this step's C posts the manager read), uniform
over the top ``comms.focus`` share of the strategy's ranking, otherwise
uniform over the pool. Every strategy draws from the same two pools, so
strategies differ only in whom they rank first.
"""

from __future__ import annotations

import math

import numpy as np

from ...jit import kernel
from ..rng import (
    S_MANAGER,
    S_TOP,
    below,
    entity_key,
    poisson_from_uniform,
    stream_key,
    uniform,
)
from ..state import CH_BEST_TONE, N_FOLLOW_POSITIVE, N_INVITATIONS, N_UNFOLLOW
from ..targeting import RANK_FOLLOWERS, RANK_POSTS, RANK_STATIC
from .following import add_follow, remove_follow
from .views import follows_node

# Draws of a manager's key for one step: interaction k uses INTERACTION * k + 0..6;
# its reading R_READ + post (follower route) and R_READ_FEED; its joining follows
# R_JOIN_FOLLOWS + 3 * attempt.
INTERACTION = 8
R_READ = 1 << 40
R_READ_FEED = 2 << 40
R_JOIN_FOLLOWS = 3 << 40
# Streams of the top pools' tie-breaking (per step): members, non-members.
TOP_MEMBERS, TOP_OTHERS = 0, 1


@kernel
def compact(flag, out):
    """Indices where ``flag`` is true, ascending, into ``out``; returns how many."""
    k = 0
    for i in range(len(flag)):
        out[k] = i  # branch-free: keep i by advancing k
        k += flag[i]
    return k


@kernel
def top_pool(eligible, score, size, key):
    """The ``size`` eligible nodes with the highest (integer, non-negative) scores.

    Everyone scoring above the cut (the ``size``-th highest score, found by
    counting: scores are counts or dense ranks) is in the pool; the remaining
    places go to a uniformly random subset of those scoring exactly the cut
    (a partial Fisher-Yates shuffle on draws of ``key``). The pool is in no
    particular order.
    """
    k = len(eligible)
    size = min(size, k)
    pool = np.empty(size, np.int64)
    if size == 0:
        return pool
    lo = hi = score[eligible[0]]
    for a in range(k):
        v = score[eligible[a]]
        lo = min(lo, v)
        hi = max(hi, v)
    counts = np.zeros(hi - lo + 1, np.int64)
    for a in range(k):
        counts[score[eligible[a]] - lo] += 1
    cut = hi - lo
    above = 0
    while above + counts[cut] < size:
        above += counts[cut]
        cut -= 1
    cut += lo
    ties = np.empty(k, np.int64)
    p = 0
    t = 0
    for a in range(k):
        v = score[eligible[a]]
        if v > cut:
            pool[p] = eligible[a]
            p += 1
        elif v == cut:
            ties[t] = eligible[a]
            t += 1
    for r in range(size - p):
        j = r + below(key, r, t - r)
        ties[r], ties[j] = ties[j], ties[r]
        pool[p + r] = ties[r]
    return pool


@kernel
def _pool_size(par, k):
    return min(k, max(par.effort, math.ceil(par.focus * k)))


@kernel
def pools(run, t, closed):
    """This step's member pool, non-member pool and their top-ranked parts."""
    par = run.par
    st = run.st
    ppl = run.ppl
    sc = run.sc
    static_score = run.static
    n = len(st.member_c)
    flag = np.empty(n, np.bool_)
    for i in range(n):
        flag[i] = st.member_c[i] & (not ppl.is_manager[i])
    k_m = compact(flag, sc.eligible)
    members = sc.eligible[:k_m]
    k_o = 0
    if par.invite and not closed:
        for i in range(n):
            flag[i] = st.aware[i] & (not st.member_c[i]) & (not ppl.is_manager[i])
        k_o = compact(flag, sc.others)
    others = sc.others[:k_o]
    base = stream_key(par.seed, t, S_TOP)
    top_m = np.zeros(0, np.int64)
    top_o = np.zeros(0, np.int64)
    if par.ranking == RANK_STATIC:
        top_m = top_pool(members, static_score, _pool_size(par, k_m),
                         entity_key(base, TOP_MEMBERS))
        top_o = top_pool(others, static_score, _pool_size(par, k_o),
                         entity_key(base, TOP_OTHERS))
    elif par.ranking == RANK_POSTS:
        top_m = top_pool(members, st.cum_posts_c, _pool_size(par, k_m),
                         entity_key(base, TOP_MEMBERS))
    elif par.ranking == RANK_FOLLOWERS:
        top_m = top_pool(members, run.fl.followers, _pool_size(par, k_m),
                         entity_key(base, TOP_MEMBERS))
    return members, top_m, others, top_o


@kernel
def _pick(pool, top, p_ranked, key, row):
    """Uniform over ``top`` with P = ``p_ranked`` (when it has anyone), else over ``pool``."""
    if len(top) > 0 and uniform(key, row) < p_ranked:
        return top[below(key, row + 1, len(top))]
    return pool[below(key, row + 1, len(pool))]


@kernel
def managers_join(run, t, closed):
    """Managers whose join step has come join C and follow ``comms.follows`` members.

    The members are picked like the manager's interactions (listening =
    ``comms.monitoring`` at this point); returns True if any joined.
    """
    par = run.par
    st = run.st
    mg = run.mg
    any_new = False
    if closed or t < par.join_step:
        return False
    for m in range(len(mg.node)):
        if mg.joined[m]:
            continue
        node = mg.node[m]
        mg.joined[m] = True
        mg.joined_at[m] = t
        st.member_c[node] = True
        st.ever_member[node] = True
        st.aware[node] = True
        any_new = True
    if not any_new or par.manager_follows == 0:
        return any_new
    members, top_m, _, _ = pools(run, t, closed)
    if len(members) == 0:
        return any_new
    base = stream_key(par.seed, t, S_MANAGER)
    for m in range(len(mg.node)):
        if mg.joined_at[m] != t:
            continue
        key = entity_key(base, m)
        want = min(par.manager_follows, len(members))
        got = 0
        attempt = 0
        # Distinct members: redraw a repeat, within a budget of attempts.
        while got < want and attempt < 4 * want + 16:
            j = _pick(members, top_m, par.monitoring, key, R_JOIN_FOLLOWS + 3 * attempt)
            attempt += 1
            if not mg.follows[m, j]:
                mg.follows[m, j] = True
                got += 1
    return any_new


@kernel
def manager_reads(run, t, recs, closed):
    """Each joined manager's reading of this step's C posts: the share it read.

    Like any member: each post of the members it follows with P =
    follower_view, plus its feed; the share is of the posts by others.
    """
    par = run.par
    mg = run.mg
    start = run.sc.post_start
    base = stream_key(par.seed, t, S_MANAGER)
    total = len(recs)
    for m in range(len(mg.node)):
        mg.read_share[m] = 0.0
        if not mg.joined[m] or closed:
            continue
        key = entity_key(base, m)
        node = mg.node[m]
        own = start[node + 1] - start[node]
        others = total - own
        if others <= 0:
            continue
        reads = 0
        for p in range(total):
            j = recs[p] >> 32
            if j != node and mg.follows[m, j]:
                reads += uniform(key, R_READ + p) < par.follower_view
        if par.m_feed and par.feed > 0.0:
            reads += min(poisson_from_uniform(uniform(key, R_READ_FEED), par.feed), others)
        mg.read_share[m] = min(1.0, reads / others)


@kernel
def engage(run, t, closed):
    """Every joined manager's interactions this step (serial: each changes the next)."""
    par = run.par
    st = run.st
    is_manager = run.ppl.is_manager
    count = run.fl.count
    table = run.fl.table
    followers = run.fl.followers
    managers_followed = run.fl.managers_followed
    graph = (count, table, followers, managers_followed, is_manager)  # add/remove_follow's
    mg = run.mg
    counts = run.ch.counts
    if closed or not par.engage or par.effort == 0:
        return
    members, top_m, others, top_o = pools(run, t, closed)
    if len(members) == 0 and len(others) == 0:
        return
    best = run.ch.values[CH_BEST_TONE]
    base = stream_key(par.seed, t, S_MANAGER)
    for m in range(len(mg.node)):
        if not mg.joined[m]:
            continue
        key = entity_key(base, m)
        node = mg.node[m]
        p_ranked = max(par.monitoring, mg.read_share[m])
        for x in range(par.effort):
            row = INTERACTION * x
            invite = len(others) > 0 and (
                len(members) == 0 or uniform(key, row) < par.invite_share)
            if invite:
                i = _pick(others, top_o, p_ranked, key, row + 1)
                st.invited[i] = True
                mg.invitations[m] += 1
                counts[N_INVITATIONS] += 1
                continue
            i = _pick(members, top_m, p_ranked, key, row + 1)
            mg.interactions[m] += 1
            mg.window_interactions[m] += 1
            trust = st.trust[i]
            p = 0.2 + 0.6 * (1.0 - abs(mg.tone[m] - best)) * (0.5 + trust)
            if uniform(key, row + 3) < p:
                mg.positive[m] += 1
                mg.window_positive[m] += 1
                r = mg.tie[m, i] + 1.0
                mg.tie[m, i] = r
                mediated = r / (r + par.relationship_half) if par.m_relationship_trust else (
                    1.0 / (1.0 + par.relationship_half))
                st.trust[i] = trust + par.gain * (1.0 - trust) * mediated
                st.fear[i] *= 0.9
                if uniform(key, row + 4) < par.after_positive:
                    if add_follow(graph, i, node):
                        counts[N_FOLLOW_POSITIVE] += 1
                if par.m_reshare and st.mention_of[i] < 0:
                    if uniform(key, row + 5) < par.reshare:
                        st.mention_of[i] = m
                        st.mention_at[i] = t
            else:
                st.trust[i] = trust - par.loss * trust
                if follows_node(count, table, i, node) and uniform(key, row + 6) < par.unfollow:
                    remove_follow(graph, i, node)
                    counts[N_UNFOLLOW] += 1


@kernel
def review(run, t):
    """Every ``comms.review_every`` weeks of tenure a learning manager reviews its tone.

    It moves the tone by its step in the current direction (turning at the
    bounds); when the positive rate fell it first reverses and halves the
    step (at least 0.025); after two rises in a row it doubles it (at most
    0.2); an unchanged rate means no move; the first review only moves.
    """
    par = run.par
    mg = run.mg
    for m in range(len(mg.node)):
        if not mg.joined[m]:
            continue
        tenure = t + 1 - mg.joined_at[m]
        if tenure <= 0 or tenure % par.review_every:
            continue
        w = mg.window_interactions[m]
        if w == 0:  # nothing to learn from
            continue
        rate = mg.window_positive[m] / w
        if par.learn_tone:
            move = True
            last = mg.last_rate[m]
            if not math.isnan(last):
                if rate < last:
                    mg.direction[m] = -mg.direction[m]
                    mg.delta[m] = max(mg.delta[m] / 2.0, 0.025)
                    mg.rises[m] = 0
                elif rate > last:
                    mg.rises[m] += 1
                    if mg.rises[m] >= 2:
                        mg.delta[m] = min(mg.delta[m] * 2.0, 0.2)
                        mg.rises[m] = 0
                else:
                    move = False
            if move:
                tone = mg.tone[m] + mg.direction[m] * mg.delta[m]
                if tone < 0.0 or tone > 1.0:
                    mg.direction[m] = -mg.direction[m]
                    tone = mg.tone[m] + mg.direction[m] * mg.delta[m]
                mg.tone[m] = min(1.0, max(0.0, tone))
        mg.last_rate[m] = rate
        mg.window_positive[m] = 0
        mg.window_interactions[m] = 0
