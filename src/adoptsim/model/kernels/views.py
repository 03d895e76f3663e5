"""Views: who reads which post this step, and the benefit of what is read.

Posts are *pulled* by readers (docs/odd.md, section 8.9): each member of C
reads each post of each followee with P = ``visibility.follower_view`` and a
few posts drawn from everything posted on C this step (the feed); members
of U read their U-member neighbours' U posts with the same P. So a bigger
channel is worth more only through more readers, and a post removed by
policing is never read.

This step's shown C posts are laid out as *records*, poster by poster
(:func:`build_posts`): one int64 each holding the poster, its department
and three flags (harmful, a manager's post, a mention of a manager).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ...jit import kernel, parallel_kernel
from ..rng import (
    S_FOLLOW,
    S_VIEWS,
    S_VIEWS_U,
    below,
    binomial_from_uniform,
    entity_key,
    poisson_cdf,
    poisson_tabled,
    stream_key,
    uniform,
)
from ..state import (
    N_COMMS_READS,
    N_CROSS_READS,
    N_HARMFUL_READS,
    N_READS_C,
    N_READS_U,
)
from .following import R_EXPOSURE, R_MENTION

F_HARMFUL, F_MANAGER, F_MENTION = 1, 2, 4
_DEPT_MASK = (1 << 29) - 1
_S32 = 32

#: Draws of a reader's key: the follower route uses (slot << 32) + post,
#: the feed R_FEED (how many) and R_FEED + 1 + j (which), and the choice of
#: the exposure candidate among the unfollowed posters read R_EXPOSURE_PICK.
R_FEED = 1 << 48
R_EXPOSURE_PICK = 2 << 48
#: U reads on a complete network: R_U_COUNT (how many), R_U_COUNT + 1 + j (which).
R_U_COUNT = 3 << 48

#: Rows per block of the views pass (block sums are added in block order).
VIEW_BLOCK = 1 << 12

# Entries of the views pass's block sums.
(V_READS_C, V_READS_U, V_CROSS, V_HARMFUL, V_COMMS_READS, V_WEIGHT, V_WEIGHT_COMMS,
 V_SIZE) = range(8)


@kernel
def _record(poster, dept, flags):
    return (np.int64(poster) << _S32) | (np.int64(dept & _DEPT_MASK) << 3) | flags


@kernel
def build_posts(run, manager_posts_each):
    """Lay out this step's shown C posts as records; returns the record array.

    ``run.sc.post_start`` (n + 1) receives each poster's first record and
    ``run.sc.has_posts`` a bit per poster (a bitmap stays in cache when readers
    check their followees); a poster's records are its harmful posts, its
    other posts, then its mention (if it published one); a joined manager has
    ``manager_posts_each`` posts.
    """
    st = run.st
    ppl = run.ppl
    mg = run.mg
    dept = run.net.department
    start = run.sc.post_start
    has_posts = run.sc.has_posts
    n = len(st.posts_c)
    start[0] = 0
    has_posts[:] = 0
    for i in range(n):
        c = st.posts_c[i] - st.removed[i] + (st.mention_pub[i] >= 0)
        if ppl.is_manager[i] and mg.joined[ppl.manager_of[i]]:
            c += manager_posts_each
        has_posts[i >> 6] |= np.uint64(c > 0) << np.uint64(i & 63)
        start[i + 1] = start[i] + c
    recs = np.empty(start[n], np.int64)
    for i in range(n):
        p = start[i]
        if p == start[i + 1]:
            continue
        d = dept[i]
        if ppl.is_manager[i]:
            for _ in range(start[i + 1] - p):
                recs[p] = _record(i, d, F_MANAGER)
                p += 1
            continue
        for _ in range(st.harmful_c[i]):
            recs[p] = _record(i, d, F_HARMFUL)
            p += 1
        for _ in range(st.posts_c[i] - st.removed[i] - st.harmful_c[i]):
            recs[p] = _record(i, d, 0)
            p += 1
        if st.mention_pub[i] >= 0:
            recs[p] = _record(i, d, F_MENTION)
    return recs


@kernel
def follows_node(count, table, i, j):
    """True when employee ``i`` follows node ``j`` (its row of the follow table)."""
    for a in range(count[i]):
        if table[i, a] == j:
            return True
    return False


@kernel
def read_bound(run, total, feed):
    """Most posts one reader can read this step: every post of each followee, and a feed."""
    start = run.sc.post_start
    most = 0
    for j in range(len(start) - 1):
        most = max(most, start[j + 1] - start[j])
    feed_most = max(400, int(feed + 12.0 * feed**0.5) + 2)  # Poisson inversion's largest
    return run.fl.table.shape[1] * most + min(total, feed_most) + 1


@kernel
def view_rows(lo, hi, run, t, recs, reputation, closed, sums, read):
    """Rows ``lo:hi``: each reader's C and U views; adds into ``sums`` (V_*).

    A reader's reads are collected first into ``read`` (record indices, a
    buffer of :func:`read_bound` entries; follower-route reads first, then
    the feed's), then counted in one loop. Arrays are taken out of the run's
    tuples before the loops: compiled code reference-counts an array each
    time one is passed on, which would cost more than a read.
    """
    par = run.par
    seed = par.seed
    fv = par.follower_view
    cross_silo = par.cross_silo
    feed = par.feed if par.m_feed else 0.0
    department = run.net.department
    indptr = run.net.indptr
    indices = run.net.indices
    complete = run.net.complete
    is_manager = run.ppl.is_manager
    manager_of = run.ppl.manager_of
    member_c = run.st.member_c
    member_u = run.st.member_u
    posts_u = run.st.posts_u
    harmful_u = run.st.harmful_u
    mention_pub = run.st.mention_pub
    count = run.fl.count
    table = run.fl.table
    mg_node = run.mg.node
    sc = run.sc
    start = sc.post_start
    has_posts = sc.has_posts
    rep_sum = sc.rep_sum
    rep_n = sc.rep_n
    unfollowed = sc.unfollowed
    candidate = sc.candidate
    mention = sc.mention
    reads = sc.reads
    exposure = par.exposure_rate if par.m_exposure_follow else 0.0
    mention_follow = par.mention_follow if par.m_reshare else 0.0
    key_c = stream_key(seed, t, S_VIEWS)
    key_u = stream_key(seed, t, S_VIEWS_U)
    key_f = stream_key(seed, t, S_FOLLOW)
    total = len(recs)
    # Sums in locals (an array element would be stored and reloaded at every read).
    reads_c = reads_u = n_cross = n_harmful = n_comms = 0
    w_conv = w_comms = 0.0
    feed_cdf = poisson_cdf(feed)
    # Reputation by manager_of + 1: 0.0 for a poster who is no manager.
    rep_of = np.zeros(len(reputation) + 1)
    rep_of[1:] = reputation
    # P(no exposure follow) after u unfollowed reads, (1 − x)^u, by repeated
    # multiplication (no pow() per reader; the reference computes it the same way).
    stay = np.empty(len(read) + 1)
    stay[0] = 1.0
    for u in range(1, len(stay)):
        stay[u] = stay[u - 1] * (1.0 - exposure)
    for i in range(lo, hi):
        rep_sum[i] = 0.0
        rep_n[i] = 0
        unfollowed[i] = 0
        candidate[i] = -1
        mention[i] = -1
        reads[i] = 0
        if is_manager[i]:
            continue
        dept_i = department[i]
        n_read = 0
        if member_c[i] and not closed:
            key = entity_key(key_c, i)
            # Follower route: each post of each followee, with P = follower_view.
            for a in range(count[i]):
                j = table[i, a]
                if not (has_posts[j >> 6] >> np.uint64(j & 63)) & np.uint64(1):
                    continue
                for p in range(start[j], start[j + 1]):
                    # Branch-free: a read is kept by counting it (the draw is a coin flip).
                    read[n_read] = p
                    n_read += uniform(key, (np.int64(a) << _S32) + (p - start[j])) < fv
            # Feed: min(Poisson(feed), posts by others) distinct posts of this step,
            # by Floyd's algorithm over the others' records.
            own = start[i + 1] - start[i]
            others = total - own
            feed_from = n_read
            if feed > 0.0 and others > 0:
                k = min(poisson_tabled(uniform(key, R_FEED), feed, feed_cdf), others)
                for c in range(k):
                    top = others - k + c
                    x = below(key, R_FEED + 1 + c, top + 1)
                    for q in range(feed_from, n_read):
                        if read[q] == x:
                            x = top
                            break
                    read[n_read] = x
                    n_read += 1
                for q in range(feed_from, n_read):  # skip one's own records
                    read[q] += own * (read[q] >= start[i])
            # Count the reads.
            r_sum = 0.0
            r_n = 0
            n_unfollowed = 0
            for q in range(n_read):
                rec = recs[read[q]]
                j = rec >> _S32
                flags = rec & 7
                cross = ((rec >> 3) & _DEPT_MASK) != dept_i
                weight = 1.0 + cross_silo * cross
                n_cross += cross
                # Branch-free: adding 0.0 leaves a sum exactly as it was.
                by_manager = (flags & F_MANAGER) >> 1
                n_comms += by_manager
                w_comms += weight * by_manager
                w_conv += weight * (1 - by_manager)
                r_sum += rep_of[manager_of[j] + 1]
                r_n += by_manager
                n_harmful += (flags & F_HARMFUL) > 0
                if flags & F_MENTION:
                    m = mention_pub[j]
                    r_sum += reputation[m]
                    r_n += 1
                    node = mg_node[m]
                    follows_manager = False
                    for a in range(count[i]):
                        follows_manager |= table[i, a] == node
                    if not follows_manager:
                        mention[i] = m
            for q in range(feed_from, n_read):  # a feed read: is the poster followed?
                j = recs[read[q]] >> _S32
                follows_poster = False
                for a in range(count[i]):
                    follows_poster |= table[i, a] == j
                read[feed_from + n_unfollowed] = j  # overwrites a read already looked at
                n_unfollowed += not follows_poster
            if n_unfollowed:  # the exposure candidate: one of them, uniformly
                candidate[i] = read[feed_from + below(key, R_EXPOSURE_PICK, n_unfollowed)]
            reads_c += n_read
            rep_sum[i] = r_sum
            rep_n[i] = r_n
            unfollowed[i] = n_unfollowed
            # The follow decisions these reads prompt (§8.10 c, d) use only this
            # reader's draws, so they are made here, in parallel; the follows
            # themselves happen in the serial following phase.
            if candidate[i] >= 0 or mention[i] >= 0:
                key_follow = entity_key(key_f, i)
                if candidate[i] >= 0:
                    if not uniform(key_follow, R_EXPOSURE) < 1.0 - stay[n_unfollowed]:
                        candidate[i] = -1
                if mention[i] >= 0 and not uniform(key_follow, R_MENTION) < mention_follow:
                    mention[i] = -1
        n_u = 0
        if member_u[i] and not complete:
            key = entity_key(key_u, i)
            base = indptr[i]
            for e in range(base, indptr[i + 1]):
                j = indices[e]
                if not member_u[j] or posts_u[j] == 0:
                    continue
                for p in range(posts_u[j]):
                    if uniform(key, (np.int64(e - base) << _S32) + p) < fv:
                        cross = department[j] != dept_i
                        n_u += 1
                        n_cross += cross
                        w_conv += 1.0 + cross_silo * cross
                        n_harmful += p < harmful_u[j]  # harmful posts come first
            reads_u += n_u
        reads[i] = n_read + n_u
    sums[V_READS_C] += reads_c
    sums[V_READS_U] += reads_u
    sums[V_CROSS] += n_cross
    sums[V_HARMFUL] += n_harmful
    sums[V_COMMS_READS] += n_comms
    sums[V_WEIGHT] += w_conv
    sums[V_WEIGHT_COMMS] += w_comms


@kernel
def u_views_complete(run, t, sums):
    """U views on a complete network: each U member reads each other U post with P = follower_view.

    The count is Binomial(others' U posts, follower_view); the posts are drawn
    uniformly (with replacement) from the others' U posts.
    """
    par = run.par
    st = run.st
    dept = run.net.department
    n = len(st.member_u)
    start = np.zeros(n + 1, np.int64)
    for i in range(n):
        start[i + 1] = start[i] + st.posts_u[i]
    total = start[n]
    if total == 0:
        return
    poster = np.empty(total, np.int64)
    for i in range(n):
        for p in range(start[i], start[i + 1]):
            poster[p] = i
    key_u = stream_key(par.seed, t, S_VIEWS_U)
    for i in range(n):
        if not st.member_u[i] or run.ppl.is_manager[i]:
            continue
        own = start[i + 1] - start[i]
        others = total - own
        if others == 0:
            continue
        key = entity_key(key_u, i)
        k = binomial_from_uniform(uniform(key, R_U_COUNT), others, par.follower_view)
        for c in range(k):
            x = below(key, R_U_COUNT + 1 + c, others)
            idx = x if x < start[i] else x + own
            j = poster[idx]
            cross = dept[j] != dept[i]
            sums[V_READS_U] += 1
            sums[V_CROSS] += cross
            sums[V_WEIGHT] += 1.0 + par.cross_silo * cross
            sums[V_HARMFUL] += (idx - start[j]) < st.harmful_u[j]
        run.sc.reads[i] += k


@kernel
def _view_blocks(b0, b1, run, t, recs, reputation, closed, block_sums, bound):
    """Blocks ``b0:b1`` of rows, with one pair of read buffers for all of them."""
    n = len(run.st.member_c)
    read = np.empty(bound, np.int64)
    for b in range(b0, b1):
        lo = b * VIEW_BLOCK
        view_rows(lo, min(n, lo + VIEW_BLOCK), run, t, recs, reputation, closed, block_sums[b],
                  read)


@parallel_kernel
def _views_par(chunks, blocks, run, t, recs, reputation, closed, block_sums, bound):
    for c in prange(chunks):
        _view_blocks(c * blocks // chunks, (c + 1) * blocks // chunks, run, t, recs, reputation,
                     closed, block_sums, bound)


@kernel
def views(run, t, recs, reputation, closed):
    """Every reader's views; returns (benefit weight of conversation, of managers' posts,
    harmful reads).

    Adds the step's read counts to ``run.ch.counts``. Sums are taken per
    block of rows and added in block order, so they do not depend on the
    number of threads.
    """
    n = len(run.st.member_c)
    blocks = max(1, -(-n // VIEW_BLOCK))
    block_sums = np.zeros((blocks, V_SIZE))
    feed = run.par.feed if run.par.m_feed else 0.0
    bound = read_bound(run, len(recs), feed)
    chunks = min(blocks, len(run.net.node_bounds) - 1)
    if chunks <= 1:
        _view_blocks(0, blocks, run, t, recs, reputation, closed, block_sums, bound)
    else:
        _views_par(chunks, blocks, run, t, recs, reputation, closed, block_sums, bound)
    total = np.zeros(V_SIZE)
    for b in range(blocks):
        total += block_sums[b]
    if run.net.complete:
        u_views_complete(run, t, total)
    counts = run.ch.counts
    counts[N_READS_C] += np.int64(total[V_READS_C])
    counts[N_READS_U] += np.int64(total[V_READS_U])
    counts[N_CROSS_READS] += np.int64(total[V_CROSS])
    counts[N_HARMFUL_READS] += np.int64(total[V_HARMFUL])
    counts[N_COMMS_READS] += np.int64(total[V_COMMS_READS])
    return total[V_WEIGHT], total[V_WEIGHT_COMMS], total[V_HARMFUL]
