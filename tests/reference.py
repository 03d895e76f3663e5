"""A slow, obvious, plain-Python reference of one week of model version 2.

Written from the specification of the step (docs/odd.md, §8.0-8.13),
not from the compiled kernels, so that the two are independent
implementations of the same rules. Everything here is a loop over Python
ints and floats; the arrays are the engine's own named tuples (``layout``),
mutated in place.

``reference_step(arrays, params, t)`` runs week ``t`` (the engine's step
``t``, recorded as output row ``t + 1``) on ``arrays`` = (net, people,
state, follow, scratch, managers, channel, static_score) and returns the
output row (``metrics.COLUMNS``) and the managers' rows
(``metrics.MANAGER_COLUMNS``).

Where the specification leaves a detail open, the choice is marked
"ASSUMPTION" (made from the specification's wording) or "RESOLVED" (a
detail the specification does not give, taken from the engine after a
comparison failed); REFERENCE_REPORT.md lists them. Known departures of the
kernels from the specification were found and fixed (REFERENCE_REPORT.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from adoptsim.model.metrics import COLUMNS
from adoptsim.model.state import (
    CH_BENEFIT,
    CH_BENEFIT_COMMS,
    CH_BENEFIT_COMMS_CUM,
    CH_BENEFIT_CUM,
    CH_BEST_TONE,
    CH_CLOSED,
    CH_FRICTION,
    CH_POLICING,
    CH_RESTRICTION,
    EV_FOUNDED,
    EV_JOINED,
    EV_LEFT,
    EV_REJOINED,
    N_COMMS_READS,
    N_CROSS_READS,
    N_FOLLOW_AUTHORITY,
    N_FOLLOW_BACK,
    N_FOLLOW_EXPOSURE,
    N_FOLLOW_MENTION,
    N_FOLLOW_NEIGHBOUR,
    N_FOLLOW_POSITIVE,
    N_FOLLOW_PREFERENTIAL,
    N_HARMFUL_READS,
    N_INVITATIONS,
    N_READS_C,
    N_READS_U,
    N_UNFOLLOW,
)
from adoptsim.model.targeting import RANK_FOLLOWERS, RANK_NONE, RANK_POSTS, RANK_STATIC

# ----------------------------------------------------------------- §8.0 random numbers
MASK64 = (1 << 64) - 1
PHI64 = 0x9E3779B97F4A7C15
S_ROWS, S_VIEWS, S_VIEWS_U, S_FOLLOW, S_MANAGER, S_TOP = range(6)
TWO32, TWO40, TWO48 = 1 << 32, 1 << 40, 1 << 48


def mix(z: int) -> int:
    """SplitMix64's finaliser on a Python int taken modulo 2**64."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def stream_key(seed: int, t: int, stream: int) -> int:
    """mix(seed xor mix((t << 8 | s) + phi64))."""
    return mix((int(seed) & MASK64) ^ mix(((int(t) << 8) | int(stream)) + PHI64))


def entity_key(base: int, entity: int) -> int:
    """mix(b + (i + 1) phi64)."""
    return mix(int(base) + (int(entity) + 1) * PHI64)


def uniform(key: int, row: int) -> float:
    """Output row + 1 of the SplitMix64 sequence started at ``key``: top 53 bits / 2**53."""
    z = mix(int(key) + (int(row) + 1) * PHI64)
    return (z >> 11) / 9007199254740992.0


def below(key: int, row: int, n: int) -> int:
    """min(floor(uniform * n), n - 1)."""
    return min(int(uniform(key, row) * n), n - 1)


def poisson_inverse(u: float, rate: float) -> int:
    """Poisson(rate) by inversion of ``u``.

    Small rates (< 30): the smallest k with CDF(k) >= u, the CDF summed from 0.
    Large rates: the same search over the ±12 sd window, with the window's
    probabilities computed in log space relative to the mode and ``u`` scaled
    by the window's total (no underflow of exp(-rate)).
    """
    if rate <= 0.0:
        return 0
    if rate < 30.0:
        prob = math.exp(-rate)
        cdf = prob
        k = 0
        while u > cdf and k < 400:
            k += 1
            prob = prob * (rate / k)
            cdf += prob
        return k
    sd = math.sqrt(rate)
    lo = max(0, int(rate - 12.0 * sd))
    hi = int(rate + 12.0 * sd) + 1
    log_rate = math.log(rate)
    mode = math.floor(rate)
    log_mode = mode * log_rate - math.lgamma(mode + 1.0)
    weights = [math.exp(k * log_rate - math.lgamma(k + 1.0) - log_mode) for k in range(lo, hi + 1)]
    target = u * sum_in_order(weights)
    acc = 0.0
    for k, w in zip(range(lo, hi + 1), weights, strict=True):
        acc += w
        if acc > target:
            return k
    return hi


def binomial_inverse(u: float, n: int, p: float) -> int:
    """Binomial(n, p) by inversion of ``u`` (CDF from 0 when n p < 30, else a ±12 sd window)."""
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
            prob = prob * ((n - k) / (k + 1.0) * p / q)
            k += 1
            cdf += prob
        return k
    sd = math.sqrt(mean * (1.0 - p))
    lo = max(0, int(mean - 12.0 * sd))
    hi = min(n, int(mean + 12.0 * sd) + 1)
    lp, lq = math.log(p), math.log1p(-p)
    lgn = math.lgamma(n + 1.0)

    def log_pmf(k: int) -> float:
        return lgn - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0) + k * lp + (n - k) * lq

    mode = min(n, int((n + 1) * p))
    ref = log_pmf(mode)
    weights = [math.exp(log_pmf(k) - ref) for k in range(lo, hi + 1)]
    target = u * sum_in_order(weights)
    acc = 0.0
    for k, w in zip(range(lo, hi + 1), weights, strict=True):
        acc += w
        if acc > target:
            return k
    return hi


def sum_in_order(values) -> float:
    """Left-to-right float sum (not math.fsum / pairwise): the order matters for equality."""
    total = 0.0
    for v in values:
        total += v
    return total




def logistic(x: float) -> float:
    """1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + math.exp(-x))


def clip01(x: float) -> float:
    """x clipped to [0, 1]."""
    return min(max(x, 0.0), 1.0)


# ----------------------------------------------------------------- the week's context
@dataclass
class Record:
    """One shown C post record of this week."""

    poster: int
    harmful: bool = False
    mention_of: int = -1  # a mention record: the manager it is about
    manager: int = -1  # a manager's own post: the manager index


@dataclass
class Week:
    """The arrays, parameters and this week's intermediate results."""

    net: object
    people: object
    state: object
    follow: object
    scratch: object
    managers: object
    channel: object
    static: np.ndarray
    par: object
    t: int
    records: list = field(default_factory=list)
    manager_posts: dict = field(default_factory=dict)
    w_conv: float = 0.0
    w_comms: float = 0.0
    harmful_reads: int = 0
    unfollowed_posters: list = field(default_factory=list)  # one reader's, in read order

    # ------------------------------------------------------------- small helpers
    @property
    def n(self) -> int:
        return len(self.people.enthusiasm)

    @property
    def m(self) -> int:
        return len(self.managers.node)

    @property
    def closed(self) -> bool:
        return self.channel.values[CH_CLOSED] != 0.0

    def key(self, stream: int, entity: int) -> int:
        return entity_key(stream_key(self.par.seed, self.t, stream), entity)

    def ties(self, i: int) -> list[int]:
        """Org neighbours of ``i`` (everyone else on a complete network)."""
        if self.net.complete:
            return [j for j in range(self.n) if j != i]
        return [int(j) for j in self.net.indices[self.net.indptr[i]:self.net.indptr[i + 1]]]

    def k(self, i: int) -> int:
        return self.n - 1 if self.net.complete else int(self.net.degree[i])

    def share(self, count: int, i: int) -> float:
        k = self.k(i)
        return count / k if k > 0 else 0.0

    def soc(self, i: int) -> float:
        w = self.par.active_weight
        sc = self.scratch
        s_member, s_active = self.share(int(sc.n_member[i]), i), self.share(int(sc.n_active[i]), i)
        return (1.0 - w) * s_member + w * s_active

    def active(self, i: int, t: int) -> bool:
        """A member of C with a C post within the last W weeks (t - last_post <= W)."""
        return bool(self.state.member_c[i]) and t - int(self.state.last_post[i]) <= self.par.window

    def reputation(self, m: int) -> float:
        mg = self.managers
        return (int(mg.positive[m]) + 1) / (int(mg.interactions[m]) + 2)

    def manager_on_c(self) -> bool:
        return (not self.closed) and any(bool(j) for j in self.managers.joined)

    def follows(self, i: int, j: int) -> bool:
        """``i`` has ``j`` in its followee row."""
        return any(int(self.follow.table[i, a]) == j for a in range(int(self.follow.count[i])))

    def try_follow(self, i: int, j: int, counter: int) -> bool:
        """Member ``i`` follows ``j`` unless j is i, already followed, or the row is full."""
        fl = self.follow
        cap = fl.table.shape[1]
        if j < 0 or j == i or self.follows(i, j) or int(fl.count[i]) >= cap:
            return False
        fl.table[i, int(fl.count[i])] = j
        fl.count[i] += 1
        if self.state.member_c[i]:
            fl.followers[j] += 1
        if self.people.is_manager[j]:
            fl.managers_followed[i] += 1
        self.channel.counts[counter] += 1
        return True

    def unfollow(self, i: int, j: int) -> None:
        """Remove ``j`` from ``i``'s row.

        RESOLVED (engine): the last followee moves into the freed slot (the
        slot numbers the follower route's draws, so the order matters).
        """
        fl = self.follow
        c = int(fl.count[i])
        slot = [int(fl.table[i, a]) for a in range(c)].index(j)
        fl.table[i, slot] = fl.table[i, c - 1]
        fl.count[i] = c - 1
        if self.state.member_c[i]:
            fl.followers[j] -= 1
        if self.people.is_manager[j]:
            fl.managers_followed[i] -= 1
        self.channel.counts[N_UNFOLLOW] += 1

    def members(self) -> list[int]:
        """C members (managers included), in row order."""
        return [i for i in range(self.n) if self.state.member_c[i]]

    def staff(self) -> list[int]:
        return [i for i in range(self.n) if not self.people.is_manager[i]]


# ----------------------------------------------------------------- §8.1 policy switch
def policy_switch(w: Week) -> None:
    """Levers take effect at t = policy_start; shutdown closes C."""
    par, v, st = w.par, w.channel.values, w.state
    if w.t != par.policy_start:
        return
    v[CH_FRICTION] = par.new_friction
    v[CH_POLICING] = par.new_policing
    v[CH_RESTRICTION] = par.new_restriction
    v[CH_BEST_TONE] = clip01(par.best_tone + par.best_tone_shift)
    if not par.shutdown:
        return
    v[CH_CLOSED] = 1.0
    for i in range(w.n):
        if w.people.is_manager[i]:
            continue
        if st.member_c[i] and w.t - int(st.last_post[i]) <= par.window and par.m_frustration:
            st.frustration[i] += 1.0
    fl = w.follow
    for i in range(w.n):
        if st.member_c[i]:
            for a in range(int(fl.count[i])):
                fl.followers[int(fl.table[i, a])] -= 1
        st.member_c[i] = False


# ----------------------------------------------------------------- §8.12 pools (also §8.2)
def ranked_scores(w: Week, pool_is_members: bool) -> list[int] | None:
    """The strategy's score per node for a pool, or None when it does not rank that pool."""
    r = w.par.ranking
    if r == RANK_STATIC:
        return [int(x) for x in w.static]
    if r == RANK_POSTS and pool_is_members:
        return [int(x) for x in w.state.cum_posts_c]
    if r == RANK_FOLLOWERS and pool_is_members:
        return [int(x) for x in w.follow.followers]
    assert r in (RANK_NONE, RANK_STATIC, RANK_POSTS, RANK_FOLLOWERS)
    return None


def top_pool(w: Week, pool: list[int], scores: list[int], entity: int) -> list[int]:
    """The min(k, max(effort, ceil(focus k))) highest-ranked of the pool.

    The tied members at the cut are chosen by a partial Fisher-Yates shuffle
    of them (in row order) with stream 5 draws 0, 1, ... RESOLVED (kernel):
    the top pool lists those above the cut in row order, then the chosen tied
    ones in the shuffle's order (the order matters: a pick is an index).
    """
    k = len(pool)
    size = min(k, max(w.par.effort, math.ceil(w.par.focus * k)))
    if size == 0:
        return []
    ordered = sorted(pool, key=lambda i: -scores[i])
    cut = scores[ordered[size - 1]]
    above = [i for i in pool if scores[i] > cut]
    tied = [i for i in pool if scores[i] == cut]
    need = size - len(above)
    key = w.key(S_TOP, entity)
    for d in range(need):
        j = d + below(key, d, len(tied) - d)
        tied[d], tied[j] = tied[j], tied[d]
    return above + tied[:need]


def pools(w: Week):
    """(members, member top or None, non-members, non-member top or None)."""
    st, ppl, par = w.state, w.people, w.par
    members = [i for i in range(w.n) if st.member_c[i] and not ppl.is_manager[i]]
    invite = par.invite and not w.closed
    others = [i for i in range(w.n)
              if invite and st.aware[i] and not st.member_c[i] and not ppl.is_manager[i]]
    tops = []
    for entity, (pool, is_members) in enumerate(((members, True), (others, False))):
        scores = ranked_scores(w, is_members)
        tops.append(None if scores is None else top_pool(w, pool, scores, entity))
    return members, tops[0], others, tops[1]


# ----------------------------------------------------------------- §8.2 managers join
def managers_join(w: Week) -> None:
    """§8.2. ASSUMPTION: "at most 4 K + 16 attempts" with K = comms.follows (the
    engine uses K = min(comms.follows, members): the same unless fewer members
    than comms.follows fail to be drawn in 4 K + 16 tries)."""
    par, mg, st = w.par, w.managers, w.state
    if w.closed or w.t < par.join_step:
        return
    waiting = [m for m in range(w.m) if not mg.joined[m]]
    if not waiting:
        return
    for m in waiting:
        node = int(mg.node[m])
        st.member_c[node] = True
        st.ever_member[node] = True
        mg.joined[m] = True
        mg.joined_at[m] = w.t
    members, top, _, _ = pools(w)
    for m in waiting:
        key = w.key(S_MANAGER, m)
        want = min(par.manager_follows, len(members))
        got = 0
        for a in range(4 * par.manager_follows + 16):
            if got >= want:
                break
            base = 3 * TWO40 + 3 * a
            ranked = top is not None and uniform(key, base) < par.monitoring
            pick_from = top if ranked else members
            j = pick_from[below(key, base + 1, len(pick_from))]
            if not mg.follows[m, j]:
                mg.follows[m, j] = True
                got += 1


def show_reputation(w: Week) -> None:
    """Each manager's trust row shows its reputation (what its ties see this week)."""
    for m in range(w.m):
        w.state.trust[int(w.managers.node[m])] = w.reputation(m)


# ----------------------------------------------------------------- neighbour statistics
def neighbour_stats(w: Week) -> None:
    """Counts of member, active, U-member and sanctioned ties, and member ties' trust."""
    st, sc, t = w.state, w.scratch, w.t
    for i in range(w.n):
        nm = na = nu = ns = 0
        ts = 0.0
        for j in w.ties(i):
            if st.member_c[j]:
                nm += 1
                ts += float(st.trust[j])
            na += w.active(j, t)
            nu += bool(st.member_u[j])
            ns += int(st.removed[j]) > 0
        sc.n_member[i], sc.n_active[i], sc.n_under[i], sc.n_sanct[i] = nm, na, nu, ns
        sc.trust_sum[i] = ts


# ----------------------------------------------------------------- §8.3-8.8 the row pass
def reset_row(w: Week, i: int) -> None:
    """This week's per-row counts and flags start from zero."""
    st = w.state
    for arr in (st.posts_c, st.removed, st.harmful_c, st.blocked, st.posts_u, st.harmful_u):
        arr[i] = 0
    st.events[i] = 0
    st.mention_pub[i] = -1


def awareness(w: Week, i: int, key: int) -> None:
    """§8.3 (draw 0)."""
    st, par = w.state, w.par
    if st.aware[i]:
        return
    p_promo = par.p_promotion if (par.m_promotion and w.t >= par.promote_step) else 0.0
    h = par.p_external + p_promo + par.q * w.soc(i)
    if uniform(key, 0) < 1.0 - math.exp(-h):
        st.aware[i] = True


def join_leave(w: Week, i: int, key: int) -> None:
    """§8.4 (draws 1, 2)."""
    st, ppl, par = w.state, w.people, w.par
    kappa = float(w.channel.values[CH_FRICTION])
    f, f0 = float(st.fear[i]), float(ppl.fear0[i])
    g = max(0.0, 1.0 - par.join_weight * (f if par.m_fear_joining else f0))
    if st.member_c[i]:
        if par.m_churn and uniform(key, 2) < par.leave_rate * max(0.0, f - f0):
            st.member_c[i] = False
            st.events[i] |= EV_LEFT
    elif st.aware[i] and not w.closed:
        if par.instant:
            p = (1.0 - kappa) * g
        else:
            p = min(1.0, (1.0 - kappa) * par.join_rate * (float(ppl.enthusiasm[i]) + w.soc(i))) * g
        if st.invited[i]:
            p_inv = min(1.0, par.invite_rate * (1.0 - kappa) * (0.5 + float(st.trust[i]))) * g
            p = 1.0 - (1.0 - p) * (1.0 - p_inv)
        if uniform(key, 1) < p:
            st.member_c[i] = True
            st.events[i] |= EV_REJOINED if st.ever_member[i] else EV_JOINED
            st.ever_member[i] = True
    st.invited[i] = False


def posting(w: Week, i: int, key: int) -> None:
    """§8.5 C posts (draw 3; per post 16 + 4j + 0..3)."""
    st, ppl, par, v = w.state, w.people, w.par, w.channel.values
    if not st.member_c[i] or w.closed:
        return
    e, tr = float(ppl.enthusiasm[i]), float(st.trust[i])
    f0 = float(ppl.fear0[i])
    f = float(st.fear[i]) if par.m_fear_posting else f0
    k = w.k(i)
    if par.threshold_mode:
        phi_i = par.phi0 + par.k_fear * f - par.k_enthusiasm * e - par.k_trust * (tr - 0.5)
        n = 1 if (k > 0 and int(w.scratch.n_active[i]) >= phi_i * k - 1e-12) else 0
    else:
        x = (par.b0 + par.b_social * w.share(int(w.scratch.n_active[i]), i) + par.b_enthusiasm * e
             - par.b_fear * f + par.b_trust * (tr - 0.5))
        n = poisson_inverse(uniform(key, 3), float(ppl.intensity[i]) * logistic(x))
    rho, pol = float(v[CH_RESTRICTION]), float(v[CH_POLICING])
    h = par.harm_detection
    divert = clip01(f + float(st.frustration[i]) - f0)
    for j in range(n):
        row = 16 + 4 * j
        harmful = uniform(key, row) < par.harmful
        p_block = min(1.0, h * rho) if harmful else rho
        if uniform(key, row + 1) < p_block:
            st.blocked[i] += 1
            continue
        if st.member_u[i] and uniform(key, row + 2) < divert:
            st.posts_u[i] += 1
            st.harmful_u[i] += harmful
            st.last_post_u[i] = w.t
            continue
        st.posts_c[i] += 1
        st.last_post[i] = w.t
        p_remove = par.sanction_rate * pol
        if harmful:
            p_remove = min(1.0, h * par.sanction_rate * pol)
        if uniform(key, row + 3) < p_remove:
            st.removed[i] += 1
        else:
            st.harmful_c[i] += harmful


def mention(w: Week, i: int) -> None:
    """§8.5: a pending mention goes out with a shown post; lapses after W weeks."""
    st = w.state
    if st.mention_of[i] < 0:
        return
    if int(st.posts_c[i]) - int(st.removed[i]) > 0:
        st.mention_pub[i] = st.mention_of[i]
        st.mention_of[i] = -1
    elif w.t - int(st.mention_at[i]) >= w.par.window:
        # RESOLVED (kernel): set in week a, it can go out in weeks a+1 .. a+W and
        # lapses at the end of week a+W (so a new one can be set that week).
        st.mention_of[i] = -1


def u_posting(w: Week, i: int, key: int) -> None:
    """§8.5 U posts (draw 4; harmful 2**40 + j)."""
    st, ppl, par = w.state, w.people, w.par
    if not st.member_u[i]:
        return
    x = (par.b0 + par.b_social * w.share(int(w.scratch.n_under[i]), i)
         + par.b_enthusiasm * float(ppl.enthusiasm[i]) - par.b_fear * float(ppl.fear0[i])
         + par.b_trust * (float(st.trust[i]) - 0.5))
    n = poisson_inverse(uniform(key, 4), float(ppl.intensity[i]) * logistic(x))
    for j in range(n):
        st.posts_u[i] += 1
        st.harmful_u[i] += uniform(key, TWO40 + j) < par.harmful
    if n > 0:
        st.last_post_u[i] = w.t


def frustration(w: Week, i: int) -> None:
    """§8.6."""
    st, par = w.state, w.par
    if par.m_frustration:
        st.frustration[i] = (par.frustration_decay * float(st.frustration[i])
                             + par.frustration_add * (int(st.blocked[i]) + int(st.removed[i])))


def underground(w: Week, i: int, key: int) -> None:
    """§8.7 (draws 5, 6). ASSUMPTION: one who lapses this week does not found or
    join again in the same week."""
    st, ppl, par = w.state, w.people, w.par
    if st.member_u[i]:
        if w.t - int(st.last_post_u[i]) >= par.window:
            st.member_u[i] = False
        return
    e, phi = float(ppl.enthusiasm[i]), float(st.frustration[i])
    if uniform(key, 5) < par.u_found * e * min(phi, 1.0):
        st.member_u[i] = True
        st.last_post_u[i] = w.t
        st.events[i] |= EV_FOUNDED
    elif st.aware[i]:
        p = par.u_rate * e * (float(st.fear[i]) + phi) * w.share(int(w.scratch.n_under[i]), i)
        if uniform(key, 6) < p:
            st.member_u[i] = True
            st.last_post_u[i] = w.t


def fear(w: Week, i: int) -> None:
    """§8.8."""
    st, ppl, par, v = w.state, w.people, w.par, w.channel.values
    f = float(st.fear[i])
    if par.m_policing_fear:
        if st.removed[i] > 0:
            f += par.sanction_fear
        f += par.neighbour_fear * min(int(w.scratch.n_sanct[i]), 3)
    f = min(f, 1.0)
    w_pi = par.policing_weight if par.m_policing_fear else 0.0
    chill = 0.0
    if par.m_surveillance_chill and w.manager_on_c():
        chill = (par.monitoring_weight * par.visibility * par.monitoring
                 * (par.chill_trust - float(st.trust[i])) * (1.0 + par.authority))
    target = clip01(float(ppl.fear0[i]) + w_pi * float(v[CH_POLICING])
                    - par.reassurance * w.share(int(w.scratch.n_active[i]), i) + chill)
    st.fear[i] = f + par.relax * (target - f)


def row_pass(w: Week) -> None:
    """§8.3-8.8 for every staff row, in order (stream 0, entity = row)."""
    base = stream_key(w.par.seed, w.t, S_ROWS)
    for i in range(w.n):
        if w.people.is_manager[i]:
            continue
        key = entity_key(base, i)
        reset_row(w, i)
        awareness(w, i, key)
        join_leave(w, i, key)
        posting(w, i, key)
        mention(w, i)
        u_posting(w, i, key)
        frustration(w, i)
        underground(w, i, key)
        fear(w, i)
        w.state.cum_posts_c[i] += w.state.posts_c[i]
        w.state.cum_posts_u[i] += w.state.posts_u[i]


def manager_posts(w: Week) -> None:
    """§8.5: each joined manager posts comms.posts posts on C (C open)."""
    mg, par = w.managers, w.par
    for m in range(w.m):
        node = int(mg.node[m])
        reset_row(w, node)
        # RESOLVED (engine): a manager's posts are records only, not in posts_c.
        w.manager_posts[m] = (par.manager_posts
                              if mg.joined[m] and not w.closed and par.m_manager_posts else 0)


# ----------------------------------------------------------------- post records
def post_records(w: Week) -> None:
    """Poster by poster: harmful shown posts, other shown posts, a published mention;
    a manager's posts."""
    st, sc, ppl = w.state, w.scratch, w.people
    w.records = []
    bitset = sc.has_posts.dtype == np.uint64  # one bit per node, or one bool per node
    sc.has_posts[:] = 0
    for i in range(w.n):
        sc.post_start[i] = len(w.records)
        if ppl.is_manager[i]:
            m = int(ppl.manager_of[i])
            for _ in range(w.manager_posts[m]):
                w.records.append(Record(i, manager=m))
        elif not w.closed:
            shown = int(st.posts_c[i]) - int(st.removed[i])
            harmful = int(st.harmful_c[i])
            for _ in range(harmful):
                w.records.append(Record(i, harmful=True))
            for _ in range(shown - harmful):
                w.records.append(Record(i))
            if st.mention_pub[i] >= 0:
                w.records.append(Record(i, mention_of=int(st.mention_pub[i])))
        if len(w.records) > sc.post_start[i]:
            if bitset:
                sc.has_posts[i // 64] |= np.uint64(1 << (i % 64))
            else:
                sc.has_posts[i] = True
    sc.post_start[w.n] = len(w.records)


def n_records(w: Week, i: int) -> int:
    """How many of this week's C records are ``i``'s."""
    return int(w.scratch.post_start[i + 1]) - int(w.scratch.post_start[i])


# ----------------------------------------------------------------- §8.9 views
def reset_views(w: Week) -> None:
    """The per-reader results of §8.9 start empty."""
    sc = w.scratch
    for i in range(w.n):
        sc.reads[i] = 0
        sc.unfollowed[i] = 0
        sc.candidate[i] = -1
        sc.mention[i] = -1
        sc.rep_sum[i] = 0.0
        sc.rep_n[i] = 0


def count_read(w: Week, reader: int, poster: int, harmful: bool, comms: bool,
               channel_u: bool) -> None:
    """What every read counts: reads, weights, cross-silo and harmful reads."""
    counts, par = w.channel.counts, w.par
    w.scratch.reads[reader] += 1
    counts[N_READS_U if channel_u else N_READS_C] += 1
    cross = w.net.department[reader] != w.net.department[poster]
    weight = 1.0 + par.cross_silo * (1.0 if cross else 0.0)
    if cross:
        counts[N_CROSS_READS] += 1
    if comms:
        w.w_comms += weight
        counts[N_COMMS_READS] += 1
    else:
        w.w_conv += weight
    if harmful:
        w.harmful_reads += 1
        counts[N_HARMFUL_READS] += 1


def read_c(w: Week, reader: int, index: int, key: int, feed: bool) -> None:
    """One read of C record ``index`` by ``reader``."""
    sc, rec = w.scratch, w.records[index]
    count_read(w, reader, rec.poster, rec.harmful, rec.manager >= 0, False)
    if rec.manager >= 0:
        sc.rep_sum[reader] += w.reputation(rec.manager)
        sc.rep_n[reader] += 1
    if rec.mention_of >= 0:
        sc.rep_sum[reader] += w.reputation(rec.mention_of)
        sc.rep_n[reader] += 1
        if not w.follows(reader, int(w.managers.node[rec.mention_of])):
            sc.mention[reader] = rec.mention_of
    if feed and not w.follows(reader, rec.poster):
        sc.unfollowed[reader] += 1
        w.unfollowed_posters.append(rec.poster)


def views_c(w: Week) -> None:
    """§8.9 on C (stream 1): the follower route, then the feed (Floyd's algorithm)."""
    st, fl, sc, par = w.state, w.follow, w.scratch, w.par
    if w.closed:
        return
    base = stream_key(par.seed, w.t, S_VIEWS)
    total = len(w.records)
    for r in range(w.n):
        if not st.member_c[r] or w.people.is_manager[r]:
            continue
        key = entity_key(base, r)
        for a in range(int(fl.count[r])):
            j = int(fl.table[r, a])
            start = int(sc.post_start[j])
            for p in range(n_records(w, j)):
                if uniform(key, (a << 32) + p) < par.follower_view:
                    read_c(w, r, start + p, key, False)
        if not par.m_feed:
            continue
        own = n_records(w, r)
        others = total - own
        k = min(poisson_inverse(uniform(key, TWO48), par.feed), others)
        chosen: list[int] = []
        seen: set[int] = set()
        for c, jj in enumerate(range(others - k, others)):  # Floyd's algorithm
            x = below(key, TWO48 + 1 + c, jj + 1)
            if x in seen:
                x = jj
            seen.add(x)
            chosen.append(x)
        w.unfollowed_posters = []
        for x in chosen:  # ASSUMPTION: read in the order Floyd's algorithm picks them
            index = x if x < int(sc.post_start[r]) else x + own
            read_c(w, r, index, key, True)
        if w.unfollowed_posters:  # the exposure candidate: one of them, uniformly
            pick = below(key, 2 * TWO48, len(w.unfollowed_posters))
            sc.candidate[r] = w.unfollowed_posters[pick]


def views_u(w: Week) -> None:
    """§8.9 on U (stream 2): each U post of each U-member tie, with P = follower_view."""
    st, par = w.state, w.par
    base = stream_key(par.seed, w.t, S_VIEWS_U)
    for r in range(w.n):
        if not st.member_u[r]:
            continue
        key = entity_key(base, r)
        if w.net.complete:
            # RESOLVED (kernel): the binomial reads draw 3 * 2**48, the b-th pick
            # 3 * 2**48 + 1 + b, over the others' U posts listed poster by poster
            # (harmful first).
            posts = []
            for j in range(w.n):
                if j != r:
                    posts += [(j, p < int(st.harmful_u[j])) for p in range(int(st.posts_u[j]))]
            if not posts:
                continue
            nb = binomial_inverse(uniform(key, 3 * TWO48), len(posts), par.follower_view)
            for b in range(nb):
                j, harmful = posts[below(key, 3 * TWO48 + 1 + b, len(posts))]
                count_read(w, r, j, harmful, False, True)
            continue
        for e, j in enumerate(w.ties(r)):
            if not st.member_u[j]:
                continue
            for p in range(int(st.posts_u[j])):
                if uniform(key, (e << 32) + p) < par.follower_view:
                    count_read(w, r, j, p < int(st.harmful_u[j]), False, True)


# ----------------------------------------------------------------- §8.10 following
def weighted_pick(items: list[int], weights: list[int], x: int) -> int:
    """The item whose cumulative weight first exceeds ``x`` (0 <= x < total weight)."""
    acc = 0
    for item, weight in zip(items, weights, strict=True):
        acc += weight
        if x < acc:
            return item
    raise ValueError(f"{x} is not below the total weight {acc}")


def following(w: Week) -> None:
    """§8.10 (stream 3): leavers' and rejoiners' follows, then routes a-e, rows in order."""
    st, fl, ppl, mg, par, sc = w.state, w.follow, w.people, w.managers, w.par, w.scratch
    for i in range(w.n):
        if st.events[i] & (EV_LEFT | EV_REJOINED):
            step = -1 if st.events[i] & EV_LEFT else 1
            for a in range(int(fl.count[i])):
                fl.followers[int(fl.table[i, a])] += step
    if w.closed:
        return
    members = w.members()
    weights = [int(fl.followers[j]) + 1 for j in members]  # counts at the start of the phase
    total = sum(weights)
    base = stream_key(par.seed, w.t, S_FOLLOW)
    for i in range(w.n):
        if not st.member_c[i] or ppl.is_manager[i]:
            continue
        key = entity_key(base, i)
        joined = bool(st.events[i] & EV_JOINED)
        if joined:
            for a in range(par.join_follows):
                if par.m_preferential_follow and uniform(key, 3 * a) < par.preferential:
                    j = weighted_pick(members, weights, below(key, 3 * a + 1, total))
                    w.try_follow(i, j, N_FOLLOW_PREFERENTIAL)
                    continue
                ties = w.ties(i)
                j = ties[below(key, 3 * a + 1, len(ties))] if ties else -1
                if j < 0 or not st.member_c[j]:
                    j = members[below(key, 3 * a + 2, len(members))]
                w.try_follow(i, j, N_FOLLOW_NEIGHBOUR)
        if par.m_authority_follow:
            for m in range(w.m):
                if mg.joined[m] and (int(mg.joined_at[m]) == w.t or joined):
                    if uniform(key, TWO32 + m) < par.authority:
                        w.try_follow(i, int(mg.node[m]), N_FOLLOW_AUTHORITY)
        # Scratch convention (RESOLVED, kernel): a candidate whose follow was not
        # decided is cleared to -1, so after the step candidate/mention hold the
        # follows decided (made unless already followed or the row is full).
        u = int(sc.unfollowed[i])
        stay = 1.0  # (1 - x)^u by repeated multiplication, as §8.10 c specifies
        for _ in range(u):
            stay *= 1.0 - par.exposure_rate
        if sc.candidate[i] >= 0:
            if par.m_exposure_follow and uniform(key, 2 * TWO32) < 1.0 - stay:
                w.try_follow(i, int(sc.candidate[i]), N_FOLLOW_EXPOSURE)
            else:
                sc.candidate[i] = -1
        if sc.mention[i] >= 0:
            if par.m_reshare and uniform(key, 3 * TWO32) < par.mention_follow:
                w.try_follow(i, int(mg.node[int(sc.mention[i])]), N_FOLLOW_MENTION)
            else:
                sc.mention[i] = -1
        if par.m_follow_back:
            for m in range(w.m):
                if mg.joined[m] and int(mg.joined_at[m]) == w.t and mg.follows[m, i]:
                    if uniform(key, 4 * TWO32 + m) < float(st.trust[i]):
                        w.try_follow(i, int(mg.node[m]), N_FOLLOW_BACK)


# ----------------------------------------------------------------- §8.11 managers read
def managers_read(w: Week) -> None:
    """§8.11 (stream 4): each joined manager's read share of the others' records."""
    mg, par = w.managers, w.par
    base = stream_key(par.seed, w.t, S_MANAGER)
    total = len(w.records)
    for m in range(w.m):
        mg.read_share[m] = 0.0
        if not mg.joined[m] or w.closed:
            continue
        key = entity_key(base, m)
        node = int(mg.node[m])
        reads = 0
        for index, rec in enumerate(w.records):
            if mg.follows[m, rec.poster] and uniform(key, TWO40 + index) < par.follower_view:
                reads += 1
        others = total - n_records(w, node)
        if par.m_feed:
            reads += min(poisson_inverse(uniform(key, 2 * TWO40), par.feed), others)
        mg.read_share[m] = min(1.0, reads / others) if others > 0 else 0.0


# ----------------------------------------------------------------- §8.12 engagement
def engagement(w: Week) -> None:
    """§8.12 (stream 4, serial): invitations and member interactions, managers in order."""
    st, mg, par = w.state, w.managers, w.par
    if w.closed or not par.engage or par.effort <= 0 or not any(mg.joined):
        return
    members, top_m, others, top_o = pools(w)
    base = stream_key(par.seed, w.t, S_MANAGER)
    best = float(w.channel.values[CH_BEST_TONE])
    for m in range(w.m):
        if not mg.joined[m]:
            continue
        key = entity_key(base, m)
        node = int(mg.node[m])
        for x in range(par.effort):
            row = 8 * x
            if not members and not others:
                break
            invite = bool(others) and (not members or uniform(key, row) < par.invite_share)
            pool, top = (others, top_o) if invite else (members, top_m)
            ranked = top is not None and uniform(key, row + 1) < max(par.monitoring,
                                                                    float(mg.read_share[m]))
            pick_from = top if ranked else pool
            j = pick_from[below(key, row + 2, len(pick_from))]
            if invite:
                st.invited[j] = True
                mg.invitations[m] += 1
                w.channel.counts[N_INVITATIONS] += 1
                continue
            tr = float(st.trust[j])
            mg.interactions[m] += 1
            mg.window_interactions[m] += 1
            p_pos = 0.2 + 0.6 * (1.0 - abs(float(mg.tone[m]) - best)) * (0.5 + tr)
            if uniform(key, row + 3) < p_pos:
                mg.positive[m] += 1
                mg.window_positive[m] += 1
                # r in float64 before it is stored as float32 (RESOLVED, kernel)
                r = float(mg.tie[m, j]) + 1.0
                mg.tie[m, j] = np.float32(r)
                if not par.m_relationship_trust:
                    r = 1.0
                st.trust[j] = tr + par.gain * (1.0 - tr) * r / (r + par.relationship_half)
                st.fear[j] = float(st.fear[j]) * 0.9
                if uniform(key, row + 4) < par.after_positive:
                    w.try_follow(j, node, N_FOLLOW_POSITIVE)
                if par.m_reshare and st.mention_of[j] < 0 and uniform(key, row + 5) < par.reshare:
                    st.mention_of[j] = m
                    st.mention_at[j] = w.t
            else:
                st.trust[j] = tr - par.loss * tr
                if w.follows(j, node) and uniform(key, row + 6) < par.unfollow:
                    w.unfollow(j, node)


# ----------------------------------------------------------------- §8.13 tone review, trust
def tone_review(w: Week) -> None:
    """A review at the end of every review_every-th week of tenure
    ((t - joined_at + 1) % review_every == 0), also after a shutdown.

    RESOLVED (kernel): "reversing at the bounds" = a move that would leave
    [0, 1] reverses the direction and moves the other way (then clips).
    """
    mg, par = w.managers, w.par
    for m in range(w.m):
        if not mg.joined[m]:
            continue
        tenure = w.t - int(mg.joined_at[m]) + 1
        if tenure % par.review_every != 0 or mg.window_interactions[m] == 0:
            continue
        rate = int(mg.window_positive[m]) / int(mg.window_interactions[m])
        if par.learn_tone:
            last = float(mg.last_rate[m])
            move = True
            if not math.isnan(last):
                if rate < last:
                    mg.direction[m] = -float(mg.direction[m])
                    mg.delta[m] = max(float(mg.delta[m]) / 2.0, 0.025)
                    mg.rises[m] = 0
                elif rate > last:
                    mg.rises[m] += 1
                    if mg.rises[m] >= 2:
                        mg.delta[m] = min(float(mg.delta[m]) * 2.0, 0.2)
                        mg.rises[m] = 0
                else:
                    move = False
            if move:
                tone = float(mg.tone[m]) + float(mg.direction[m]) * float(mg.delta[m])
                if tone > 1.0 or tone < 0.0:
                    mg.direction[m] = -float(mg.direction[m])
                    tone = float(mg.tone[m]) + float(mg.direction[m]) * float(mg.delta[m])
                mg.tone[m] = clip01(tone)
        mg.last_rate[m] = rate
        mg.window_positive[m] = 0
        mg.window_interactions[m] = 0


def trust(w: Week) -> None:
    """§8.13: DeGroot towards member ties (start-of-week trust), then ambient drift, clip."""
    st, sc, par, ppl = w.state, w.scratch, w.par, w.people
    mu = par.averaging
    for i in range(w.n):
        if ppl.is_manager[i]:
            continue
        tr = float(st.trust[i])
        if par.m_peer_trust and sc.n_member[i] > 0:
            tr = (1.0 - mu) * tr + mu * (float(sc.trust_sum[i]) / int(sc.n_member[i]))
        if par.m_ambient_trust and st.member_c[i] and sc.rep_n[i] > 0:
            tr = tr + par.ambient * (float(sc.rep_sum[i]) / int(sc.rep_n[i]) - tr)
        st.trust[i] = clip01(tr)


def tie_decay(w: Week) -> None:
    """r x tie_decay, 0 below the floor. RESOLVED (kernel): in float32 arithmetic
    (float32 r times float32(decay), compared with float32(floor))."""
    mg, par = w.managers, w.par
    decay, floor = np.float32(par.tie_decay), np.float32(par.tie_floor)
    for m in range(w.m):
        for j in range(w.n):
            r = np.float32(mg.tie[m, j]) * decay
            mg.tie[m, j] = r if r >= floor else np.float32(0.0)


# ----------------------------------------------------------------- benefit and output
def benefit(w: Week) -> None:
    """§8.9: this week's benefit of conversation and of the managers' posts, and their sums."""
    v, par = w.channel.values, w.par
    b = (par.per_view * w.w_conv - par.harm * w.harmful_reads) / par.staff
    bc = par.per_view * w.w_comms / par.staff
    v[CH_BENEFIT], v[CH_BENEFIT_COMMS] = b, bc
    v[CH_BENEFIT_CUM] += b
    v[CH_BENEFIT_COMMS_CUM] += bc


def ratio(a: float, b: float) -> float:
    """a / b, 0 when b is 0."""
    return a / b if b else 0.0


def output_row(w: Week) -> list[float]:
    """The metric columns after week t (row t + 1), from the definitions in metrics.SERIES."""
    st, mg, fl = w.state, w.managers, w.follow
    c, v = w.channel.counts, w.channel.values
    staff = w.staff()
    ns = len(staff)
    t1 = w.t + 1
    member = [i for i in staff if st.member_c[i]]
    active = [i for i in member if w.active(i, t1)]
    posts_c = sum(int(st.posts_c[i]) for i in staff)
    posts_u = sum(int(st.posts_u[i]) for i in staff)
    posts_comms = sum(w.manager_posts.values())
    joined_any = any(mg.joined)

    def tie_sum(i):  # float32 sum over managers, as stored
        total = np.float32(0.0)
        for m in range(w.m):
            total = np.float32(total + mg.tie[m, i])
        return total

    # RESOLVED (kernel): "reached" = tied (tie > 0), followed by or following a
    # manager; cm_reach counts staff reached, reached_* members reached.
    reach = [i for i in staff
             if int(fl.managers_followed[i]) > 0 or tie_sum(i) > 0
             or any(bool(mg.follows[m, i]) for m in range(w.m))]
    reach_set = set(reach)
    reached = [i for i in member if i in reach_set]
    unreached = [i for i in member if i not in reach_set]
    follow_mgr = [i for i in member if int(fl.managers_followed[i]) > 0]
    reads = int(c[N_READS_C]) + int(c[N_READS_U])

    def mean(values):
        values = list(values)
        return sum_in_order(values) / len(values) if values else math.nan

    row = {
        "step": t1,
        "aware": ratio(sum(bool(st.aware[i]) for i in staff), ns),
        "member": ratio(len(member), ns),
        "active": ratio(len(active), ns),
        "lurker": ratio(len(member) - len(active), ns),
        "underground": ratio(sum(bool(st.member_u[i]) for i in staff), ns),
        "posts_c": posts_c,
        "posts_u": posts_u,
        "posts_comms": posts_comms,
        "underground_post_share": ratio(posts_u, posts_c + posts_u),
        "buzz_coverage": (w.par.monitoring * ratio(posts_c, posts_c + posts_u)
                          if joined_any and not w.closed else 0.0),
        "trust": mean(float(st.trust[i]) for i in staff),
        "fear": mean(float(st.fear[i]) for i in staff),
        "frustration": mean(float(st.frustration[i]) for i in staff),
        "cm_follower_share": ratio(len(follow_mgr), len(member)),
        "cm_reach": ratio(len(reach), ns),
        "cm_tone": mean(float(x) for x in mg.tone),
        "cm_reputation": mean(w.reputation(m) for m in range(w.m)),
        "benefit": float(v[CH_BENEFIT]),
        "benefit_cum": float(v[CH_BENEFIT_CUM]),
        "benefit_comms": float(v[CH_BENEFIT_COMMS]),
        "benefit_comms_cum": float(v[CH_BENEFIT_COMMS_CUM]),
        "reads_c": int(c[N_READS_C]),
        "reads_u": int(c[N_READS_U]),
        "cross_silo_share": ratio(int(c[N_CROSS_READS]), reads),
        "harmful_reads": int(c[N_HARMFUL_READS]),
        "removed": sum(int(st.removed[i]) for i in staff),
        "blocked": sum(int(st.blocked[i]) for i in staff),
        "leavers": sum(1 for i in staff if st.events[i] & EV_LEFT),
        "founders": sum(1 for i in staff if st.events[i] & EV_FOUNDED),
        "invitations": int(c[N_INVITATIONS]),
        "follows_preferential": int(c[N_FOLLOW_PREFERENTIAL]),
        "follows_neighbour": int(c[N_FOLLOW_NEIGHBOUR]),
        "follows_authority": int(c[N_FOLLOW_AUTHORITY]),
        "follows_exposure": int(c[N_FOLLOW_EXPOSURE]),
        "follows_mention": int(c[N_FOLLOW_MENTION]),
        "follows_back": int(c[N_FOLLOW_BACK]),
        "follows_positive": int(c[N_FOLLOW_POSITIVE]),
        "unfollows": int(c[N_UNFOLLOW]),
        "reached_trust": mean(float(st.trust[i]) for i in reached),
        "unreached_trust": mean(float(st.trust[i]) for i in unreached),
        "reached_posts": mean(int(st.posts_c[i]) for i in reached),
        "unreached_posts": mean(int(st.posts_c[i]) for i in unreached),
        "reached_tie": mean(float(tie_sum(i)) for i in reached),
    }
    return [float(row[name]) for name in COLUMNS]


def manager_rows(w: Week) -> list[list[float]]:
    """One row per manager: metrics.MANAGER_COLUMNS after week t."""
    mg, fl, st = w.managers, w.follow, w.state
    members = sum(1 for i in w.staff() if st.member_c[i])
    rows = []
    for m in range(w.m):
        node = int(mg.node[m])
        followers = int(fl.followers[node])
        rows.append([
            float(w.t + 1), float(m), float(node), float(bool(mg.joined[m])), float(mg.tone[m]),
            float(mg.delta[m]), w.reputation(m), float(followers), ratio(followers, members),
            float(mg.interactions[m]), float(mg.positive[m]), float(mg.invitations[m]),
            float(mg.read_share[m]),
        ])
    return rows


# ----------------------------------------------------------------- the week
def reference_step(arrays, params, t: int):
    """Run week ``t`` on ``arrays`` (mutated in place); return (row, manager rows).

    ``arrays`` = (net, people, state, follow, scratch, managers, channel, static_score).
    """
    net, people, state, follow, scratch, managers, channel, static = arrays
    w = Week(net, people, state, follow, scratch, managers, channel, static, params, t)
    channel.counts[:] = 0
    policy_switch(w)
    managers_join(w)
    show_reputation(w)
    neighbour_stats(w)
    row_pass(w)
    manager_posts(w)
    post_records(w)
    reset_views(w)
    views_c(w)
    views_u(w)
    following(w)
    managers_read(w)
    engagement(w)
    tone_review(w)
    trust(w)
    tie_decay(w)
    benefit(w)
    return output_row(w), manager_rows(w)
