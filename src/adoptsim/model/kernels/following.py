"""The follow graph on C: who follows whom, by which route (docs/odd.md, section 8.10).

Routes, each a mechanism: at joining (preferential or a member
org-neighbour), authority (a manager's), exposure (a poster one read),
mentions (a manager one read about), follow-back (of a manager who followed
one), and, in engagement, after a positive interaction; a negative one may
end a follow of the manager. Preferential choice reads the follower counts
at the start of the phase (a prefix sum rebuilt on steps with joiners). The
phase runs in row order on one thread: it is bound by scattered reads and
writes of follower counts, which two threads did not speed up.
"""

from __future__ import annotations

from ...jit import inline_kernel, kernel
from ..rng import S_FOLLOW, below, entity_key, stream_key, uniform
from ..state import (
    EV_JOINED,
    EV_LEFT,
    EV_REJOINED,
    N_FOLLOW_AUTHORITY,
    N_FOLLOW_BACK,
    N_FOLLOW_EXPOSURE,
    N_FOLLOW_MENTION,
    N_FOLLOW_NEIGHBOUR,
    N_FOLLOW_PREFERENTIAL,
)

# Draws of a member's follow key, by route (fixed offsets: one route's draws
# never depend on another's).
R_JOINING = 0  # + 3 per follow: preferential?, pick, fallback pick
R_AUTHORITY = 1 << 32  # + manager
R_EXPOSURE = 2 << 32
R_MENTION = 3 << 32
R_BACK = 4 << 32  # + manager

#: Members per entry of the guide table of preferential picks: a pick scans
#: about this many entries past its guide, and filling a shorter table costs
#: fewer mispredicted branches (the pick is the same at any guide size).
GUIDE_SPAN = 8


@inline_kernel
def add_follow(graph, i, j):
    """``i`` follows ``j`` unless it is itself, already followed, or the row is full.

    ``graph`` is (count, table, followers, managers_followed, is_manager).
    """
    count, table, followers, managers_followed, is_manager = graph
    if j < 0 or j == i:
        return False
    c = count[i]
    if c >= table.shape[1]:
        return False
    for a in range(c):
        if table[i, a] == j:
            return False
    table[i, c] = j
    count[i] = c + 1
    followers[j] += 1
    if is_manager[j]:
        managers_followed[i] += 1
    return True


@inline_kernel
def remove_follow(graph, i, j):
    """``i`` stops following ``j`` (swap-remove from the row); False if it did not.

    ``graph`` is (count, table, followers, managers_followed, is_manager).
    """
    count, table, followers, managers_followed, is_manager = graph
    c = count[i]
    for a in range(c):
        if table[i, a] == j:
            table[i, a] = table[i, c - 1]
            count[i] = c - 1
            followers[j] -= 1
            if is_manager[j]:
                managers_followed[i] -= 1
            return True
    return False


@kernel
def fill_guide(cum, guide):
    """Index a weighted pick: ``guide[g]`` is the first j with cum[j + 1] > g·total/len(guide).

    With it a pick (:func:`pick_weighted`) scans a few entries from its
    guide instead of binary-searching the whole prefix sum (a cache miss a
    step on large organisations); it returns the same j.
    """
    total = cum[-1]
    size = len(guide)
    j = 0
    for g in range(size):
        target = g * (total / size)
        while cum[j + 1] <= target:
            j += 1
        guide[g] = j


@kernel
def pick_weighted(cum, guide, x):
    """The j with cum[j] <= x < cum[j + 1], for 0 <= x < cum[-1] (weights cum[j + 1] − cum[j])."""
    g = min(int(x / (cum[-1] / len(guide))), len(guide) - 1)
    j = guide[g]
    while cum[j + 1] <= x:
        j += 1
    return j


@kernel
def _neighbour_or_member(complete, indptr, indices, member_c, members, n_members, i, key, row):
    """A random org-neighbour if a member, else a random member (−1: none)."""
    if complete:  # everyone else is a neighbour
        n = len(member_c)
        if n > 1:
            j = below(key, row, n - 1)
            j += j >= i
            if member_c[j]:
                return j
    else:
        d = indptr[i + 1] - indptr[i]
        if d > 0:
            j = indices[indptr[i] + below(key, row, d)]
            if member_c[j]:
                return j
    return members[below(key, row + 1, n_members)] if n_members else -1


@kernel
def follow_phase(run, t, closed, any_new_manager):
    """Every member's follows this step, by route, in row order.

    The exposure and mention follows were decided in the views pass (their
    draws are the reader's own): ``sc.candidate`` and ``sc.mention`` hold the
    accepted ones.
    """
    par = run.par
    net = run.net
    is_manager = run.ppl.is_manager
    member_c = run.st.member_c
    events = run.st.events
    trust = run.st.trust
    fl = run.fl
    count = fl.count
    table = fl.table
    followers = fl.followers
    managers_followed = fl.managers_followed
    graph = (count, table, followers, managers_followed, is_manager)  # add_follow's arrays
    candidate = run.sc.candidate
    mention = run.sc.mention
    mg = run.mg
    counts = run.ch.counts
    n = len(member_c)
    # Leavers' follow edges count nowhere until they rejoin.
    any_joiner = False
    for i in range(n):
        ev = events[i]
        if ev & EV_LEFT:
            for a in range(count[i]):
                followers[table[i, a]] -= 1
        elif ev & EV_REJOINED:
            for a in range(count[i]):
                followers[table[i, a]] += 1
        any_joiner |= (ev & EV_JOINED) > 0
    if closed:
        return
    members = run.sc.others
    n_members = 0
    cum = run.sc.cum
    guide = run.sc.guide[:1]
    if any_joiner and par.join_follows > 0:
        cum[0] = 0
        for j in range(n):
            members[n_members] = j
            n_members += member_c[j]
            cum[j + 1] = cum[j] + (followers[j] + 1) * member_c[j]
        guide = run.sc.guide[: max(n_members // GUIDE_SPAN, 1)]
        fill_guide(cum, guide)
    preferential = par.preferential if par.m_preferential_follow else 0.0
    authority = par.authority if par.m_authority_follow else 0.0
    base = stream_key(par.seed, t, S_FOLLOW)
    n_mgr = len(mg.node)
    for i in range(n):
        if not member_c[i] or is_manager[i]:
            continue
        joined = (events[i] & EV_JOINED) > 0
        if not (joined or any_new_manager or candidate[i] >= 0 or mention[i] >= 0):
            continue
        key = entity_key(base, i)
        if joined:
            for a in range(par.join_follows):
                row = R_JOINING + 3 * a
                if preferential > 0.0 and uniform(key, row) < preferential:
                    j = pick_weighted(cum, guide, uniform(key, row + 1) * cum[n])
                    if add_follow(graph, i, j):
                        counts[N_FOLLOW_PREFERENTIAL] += 1
                else:
                    j = _neighbour_or_member(net.complete, net.indptr, net.indices, member_c,
                                             members, n_members, i, key, row + 1)
                    if add_follow(graph, i, j):
                        counts[N_FOLLOW_NEIGHBOUR] += 1
        if authority > 0.0:
            for m in range(n_mgr):
                if mg.joined[m] and (joined or mg.joined_at[m] == t):
                    if uniform(key, R_AUTHORITY + m) < authority:
                        if add_follow(graph, i, mg.node[m]):
                            counts[N_FOLLOW_AUTHORITY] += 1
        if candidate[i] >= 0 and add_follow(graph, i, candidate[i]):
            counts[N_FOLLOW_EXPOSURE] += 1
        if mention[i] >= 0 and add_follow(graph, i, mg.node[mention[i]]):
            counts[N_FOLLOW_MENTION] += 1
        if par.m_follow_back and any_new_manager:
            for m in range(n_mgr):
                if mg.joined_at[m] == t and mg.follows[m, i]:
                    if uniform(key, R_BACK + m) < trust[i]:
                        if add_follow(graph, i, mg.node[m]):
                            counts[N_FOLLOW_BACK] += 1
