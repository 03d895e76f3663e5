"""Numba kernels of the model's submodels (docs/odd.md, sections 3 and 8).

Kernels are pure: arrays and scalars in, results written into arrays passed
in. They hold no random state: the model draws from its one
``numpy.random.Generator`` and passes the draws in, so the parallel kernels
give the same result on any number of threads (each thread writes only its
own rows). Every kernel has a plain-Python reference in ``tests/reference.py``.

Performance notes (docs/performance.md has the measurements):

- **One 64-bit draw per employee and step.** :func:`update_individuals`
  needs up to six uniforms per employee (awareness, joining, underground,
  C posts, U posts, sanction). Drawing six float64 per employee costs more
  than the rest of the step's arithmetic, so the model draws one uint64
  *key* per employee and the kernel expands it with :func:`uniform`: the
  SplitMix64 sequence started at the key (Steele, Lea & Flood 2014), whose
  r-th output is a well-mixed function of (key, r). Only the uniforms a rule
  actually consults are computed.
- **Serial below** :data:`PARALLEL_MIN_WORK`. Waking numba's thread pool
  costs tens of microseconds on a quiet machine and milliseconds on a busy
  one, more than a 10⁴-employee pass takes; every row kernel therefore runs
  on the calling thread when the work is small, and in equal-*work* chunks
  (nodes + ties, so hubs do not leave a thread idle) when it is large. The
  per-row arithmetic is the same either way, so results do not depend on the
  path or on the number of threads.
- **Neighbour pass**: one flat loop over each row's ties, unsigned 32-bit
  neighbour ids (no negative-index check), and one 16-byte row per node
  built once per step (:func:`node_table`): the member's trust (0.0 for a
  non-member, so no branch) and the four flags as increments of 16-bit
  lanes of one integer, so a tie costs one read of one cache line and two
  additions.
- **Prefetching**: a neighbour far away in the node order (a cross tie
  to another department) misses the cache; on large graphs the pass asks
  the CPU to fetch the table row of the tie :data:`PREFETCH_AHEAD` ends
  ahead (:func:`_prefetch`, a hint that cannot change a result), so those
  misses overlap instead of stalling one by one (2-3x faster at 10⁶).
- **Fused passes**: a row's own update needs only its own neighbour counts,
  and the trust update only the row itself, so the model runs steps 3-10 as
  one pass (:func:`neighbours_and_individuals`) and steps 13-14 as another
  (:func:`step_sums` with ``trust_update``): three parallel regions a step
  in all, each a synchronisation point, and fewer trips through memory.
- **Exact shortcuts**: 1 - exp(-h) <= h and exp(-r) >= 1 - r let most
  awareness and posting decisions be settled without computing an exp();
  the shortcut only ever agrees with the full computation.
- **Branch-free counting** where flags are scattered at random (node table,
  eligible list, reductions): a mispredicted branch per row costs more
  than the row's arithmetic.
- No ``fastmath``: it would change results.

The scalar parameters of :func:`update_individuals` travel in one float64
array indexed by the constants below, which keeps the signature readable.

Examples
--------
>>> u = uniforms(np.array([1, 2], np.uint64), 6)
>>> u.shape, bool(((0 <= u) & (u < 1)).all())
((6, 2), True)
>>> poisson_from_uniform(0.5, 0.0), poisson_from_uniform(0.999, 3.0)
(0, 10)
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from ..jit import PARALLEL_MIN_WORK, kernel, parallel_kernel

#: Nodes from which the neighbour pass prefetches (its node table, 16 bytes a
#: node, no longer fits in a core's cache), and how many tie ends ahead.
PREFETCH_MIN_NODES = 1 << 17
PREFETCH_AHEAD = 256

#: Rows per block of the step reductions: partial sums per fixed block make
#: float sums independent of threads and of the serial/parallel choice.
REDUCE_BLOCK = 1 << 14

# Bits of the per-node flag byte read by the neighbour pass. (No rule uses the
# share of aware neighbours, so it is not counted.)
MEMBER, ACTIVE, UNDERGROUND, SANCTIONED = 1, 2, 4, 8

# The neighbour pass adds FLAG_LANES[flag] per tie: bit b of the flag becomes
# +1 in 16-bit lane b. A row is summed in runs of at most LANE_MAX ties, so a
# lane never overflows, whatever the degree.
_LANE_BITS = 16
LANE_MAX = (1 << _LANE_BITS) - 1
FLAG_LANES = np.array(
    [sum(((f >> b) & 1) << (_LANE_BITS * b) for b in range(4)) for f in range(16)], np.uint64
)
_LANE_MASK = np.uint64(LANE_MAX)
_S16, _S32, _S48 = np.uint64(16), np.uint64(32), np.uint64(48)
_LANE_RUN = np.uint64(LANE_MAX)

# Row loops run over unsigned indices: numba wraps negative indices around,
# and with a signed loop variable of unknown sign that check on every array
# access stops LLVM from vectorising (2-3x slower simple passes).
_U0, _U1 = np.uint64(0), np.uint64(1)

#: Rows per block of :func:`neighbours_and_individuals`.
_FUSED_BLOCK = np.uint64(2048)

# SplitMix64 constants (uint64 scalars keep numba's arithmetic unsigned).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

#: Largest score :func:`top_pool` ranks by counting (a histogram of that length).
_HISTOGRAM_MAX = 1 << 20

#: Margin of the exact shortcuts that skip an exp() (a few float64 roundings).
_MARGIN = 1e-15

# Indices into the parameter vector of update_individuals.
(
    P_EXT, P_COMMS, Q, W_ACTIVE, JOIN_RATE, INVITE_RATE, INSTANT, FRICTION,
    POLICING, RESTRICTION, CLOSED, ANY_JOINED, MONITORING, U_RATE,
    B0, B_SOCIAL, B_ENTH, B_FEAR, B_TRUST, THRESHOLD_MODE, PHI0, K_FEAR, K_ENTH,
    K_TRUST, SANCTION_RATE, SANCTION_FEAR, NEIGHBOUR_FEAR, RELAX, POLICING_W,
    MONITORING_W, REASSURANCE, STEP, N_PARAMS,
) = range(33)

def param_vector(c) -> np.ndarray:
    """The scalar parameters of :func:`update_individuals` from a scenario (a
    :class:`~adoptsim.config.ScenarioConfig`); the model sets the per-step entries
    (``STEP``, ``FRICTION``, ``POLICING``, ``RESTRICTION``, ``CLOSED``, ``ANY_JOINED``)."""
    p = np.zeros(N_PARAMS)
    p[P_EXT] = c.awareness.p_external
    p[P_COMMS] = c.awareness.p_comms
    p[Q] = c.awareness.q
    p[W_ACTIVE] = c.awareness.active_weight
    p[JOIN_RATE] = c.joining.rate
    p[INVITE_RATE] = c.joining.invite_rate
    p[INSTANT] = c.joining.instant
    p[MONITORING] = c.comms.monitoring
    p[U_RATE] = c.underground.rate
    p[B0] = c.posting.intercept
    p[B_SOCIAL] = c.posting.social
    p[B_ENTH] = c.posting.enthusiasm
    p[B_FEAR] = c.posting.fear
    p[B_TRUST] = c.posting.trust
    p[THRESHOLD_MODE] = c.posting.mode == "threshold"
    p[PHI0] = c.posting.threshold
    p[K_FEAR] = c.posting.fear_shift
    p[K_ENTH] = c.posting.enthusiasm_shift
    p[K_TRUST] = c.posting.trust_shift
    p[SANCTION_RATE] = c.fear.sanction_rate
    p[SANCTION_FEAR] = c.fear.sanction_fear
    p[NEIGHBOUR_FEAR] = c.fear.neighbour_fear
    p[RELAX] = c.fear.relax
    p[POLICING_W] = c.fear.policing_weight
    p[MONITORING_W] = c.fear.monitoring_weight
    p[REASSURANCE] = c.fear.reassurance
    return p


# Rows of the uniforms expanded from an employee's key, one per decision.
U_AWARE, U_JOIN, U_UNDER, U_POST_C, U_POST_U, U_SANCTION = range(6)


# ------------------------------------------------------------- prefetching
@intrinsic
def _prefetch(typingctx, table, row):
    """Hint the CPU to start loading row ``row`` of the 2-D ``table`` into cache.

    LLVM's ``llvm.prefetch`` (read, keep in all cache levels, data); it
    changes no value, only when memory is read.
    """
    sig = types.void(table, row)

    def codegen(context, builder, signature, args):
        table_t, row_t = signature.args
        array = context.make_array(table_t)(context, builder, args[0])
        index = context.cast(builder, args[1], row_t, types.intp)
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer(context, builder, table_t, array, [index, zero])
        byte_ptr = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [byte_ptr], fnty)
        builder.call(fn, [builder.bitcast(ptr, byte_ptr), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


# ------------------------------------------------------------------ random
@kernel
def uniform(key, row):
    """Uniform in [0, 1) number ``row`` of an employee's 64-bit ``key``.

    Output ``row + 1`` of the SplitMix64 generator seeded with ``key``: the
    state advances by the golden-ratio increment and is passed through
    Stafford's "Mix13" finaliser; the top 53 bits make the double.
    """
    z = key + np.uint64(row + 1) * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return (z >> _S11) * _TO_UNIT


@kernel
def uniforms(keys, rows):
    """All ``rows`` uniforms of every key: shape (rows, len(keys)) (for tests and tools)."""
    out = np.empty((rows, len(keys)))
    for r in range(rows):
        for i in range(len(keys)):
            out[r, i] = uniform(keys[i], r)
    return out


@kernel
def poisson_from_uniform(u: float, rate: float) -> int:
    """Poisson(rate) variate by inversion of one uniform ``u`` in [0, 1).

    Small rates search the CDF from zero; large rates (heavy posters) search
    a window of ±12 standard deviations in log space so nothing underflows.
    Most draws are 0 (u <= exp(-rate)); as exp(-rate) >= 1 - rate, a ``u``
    below 1 - rate (less a rounding margin) is 0 without computing exp.
    """
    if rate <= 0.0 or u < 1.0 - rate - _MARGIN:
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


# --------------------------------------------------- step 3: neighbour pass
@kernel
def table_rows(lo, hi, step, window, member_c, last_post, member_u, sanctioned, trust, table):
    """Rows ``lo:hi`` of :func:`node_table`."""
    # Branch-free: membership is scattered at random over the rows, so
    # branches on it are mispredicted often (5x slower at 30% members).
    shown = table.view(np.float64)
    for i in range(lo, hi):
        member = member_c[i]
        active = member & (step - last_post[i] < window)
        f = (np.uint8(member) | (np.uint8(active) << 1) | (np.uint8(member_u[i]) << 2)
             | (np.uint8(sanctioned[i]) << 3))
        shown[i, 0] = trust[i] * member  # 0.0 unless a member
        table[i, 1] = FLAG_LANES[f]


@parallel_kernel
def _table_par(bounds, step, window, member_c, last_post, member_u, sanctioned, trust, table):
    for c in prange(len(bounds) - 1):
        table_rows(bounds[c], bounds[c + 1], step, window, member_c, last_post, member_u,
                   sanctioned, trust, table)


def node_table(step, window, member_c, last_post, member_u, sanctioned, trust, table,
               bounds=None):
    """What each node shows its neighbours this step, in ``table`` (n, 2) uint64.

    Column 0 holds the bits of a float64: the node's trust if it is a C
    member, else 0.0. Column 1 holds the node's flags (member, active =
    posted on C within ``window`` steps up to ``step``, underground member,
    sanctioned) as 16-bit lane increments (``FLAG_LANES``). One 16-byte
    row per node means one cache line per neighbour read, even for the
    far-away neighbours that miss the cache. ``bounds`` (from
    :func:`adoptsim.jit.row_bounds` over nodes) splits the pass across threads; ``None``
    runs it on the calling thread.
    """
    args = (step, window, member_c, last_post, member_u, sanctioned, trust, table)
    if bounds is None or len(bounds) <= 2:
        table_rows(_U0, np.uint64(len(member_c)), *args)
    else:
        _table_par(bounds, *args)


@kernel
def neighbour_rows(lo, hi, indptr, indices, table, n_member, n_active, n_under, n_sanct,
                   trust_sum, ahead):
    """Rows ``lo:hi`` of :func:`neighbour_stats`."""
    shown = table.view(np.float64)
    last = np.uint64(len(indices) - 1)
    for i in range(lo, hi):
        start = indptr[i]
        end = indptr[i + _U1]
        members = np.int64(0)
        active = np.int64(0)
        under = np.int64(0)
        sanct = np.int64(0)
        ts = 0.0
        while start < end:  # in runs short enough that no 16-bit lane overflows
            stop = min(end, start + _LANE_RUN)
            acc = np.uint64(0)
            for e in range(start, stop):
                if ahead:  # loop-invariant: LLVM compiles both loops
                    _prefetch(table, indices[min(e + ahead, last)])
                j = indices[e]
                acc += table[j, 1]
                ts += shown[j, 0]  # adding 0.0 for a non-member leaves the sum as it is
            members += np.int64(acc & _LANE_MASK)
            active += np.int64((acc >> _S16) & _LANE_MASK)
            under += np.int64((acc >> _S32) & _LANE_MASK)
            sanct += np.int64(acc >> _S48)
            start = stop
        n_member[i] = members
        n_active[i] = active
        n_under[i] = under
        n_sanct[i] = sanct
        trust_sum[i] = ts


@parallel_kernel
def _neighbour_par(bounds, indptr, indices, table, n_member, n_active, n_under, n_sanct,
                   trust_sum, ahead):
    for c in prange(len(bounds) - 1):
        neighbour_rows(bounds[c], bounds[c + 1], indptr, indices, table, n_member, n_active,
                       n_under, n_sanct, trust_sum, ahead)


def neighbour_stats(indptr, indices, table, n_member, n_active, n_under, n_sanct, trust_sum,
                    bounds=None):
    """One pass over the CSR graph: counts of flagged neighbours of every node.

    ``table`` is the :func:`node_table` of this step. The counts are numbers
    of member, active, underground and sanctioned neighbours;
    ``trust_sum[i]`` sums the trust of i's member neighbours in CSR order (for
    DeGroot averaging). ``bounds`` (from :func:`adoptsim.jit.row_bounds` over nodes + ties)
    splits the pass across threads; ``None`` runs it on the calling thread.
    """
    # Unsigned views (ids < 2**31): no negative-index wrap-around check per read.
    indptr = indptr.view(np.uint64)
    if indices.dtype == np.int32:
        indices = indices.view(np.uint32)
    n = len(indptr) - 1
    ahead = np.uint64(PREFETCH_AHEAD if n >= PREFETCH_MIN_NODES else 0)
    args = (indptr, indices, table, n_member, n_active, n_under, n_sanct, trust_sum, ahead)
    if bounds is None or len(bounds) <= 2:
        neighbour_rows(_U0, np.uint64(len(indptr) - 1), *args)
    else:
        _neighbour_par(bounds, *args)


# ------------------------------------------------- steps 4-10: individuals
@kernel
def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@kernel
def _logistic_cap(x: float) -> float:
    """An upper bound of ``_logistic(x)`` without exp: 1 / (2 - x) below 1.

    (exp(-x) >= 1 - x, so 1 + exp(-x) >= 2 - x.) A post's rate is at most
    intensity times this cap, and a uniform below 1 - rate means no post
    (:func:`poisson_from_uniform`), so most members' decisions need no exp.
    """
    return 1.0 / (2.0 - x) if x < 1.0 else 1.0


# Long on purpose: one pass over a row's state, its locals kept in registers.
@kernel
def individual_rows(lo, hi, par, keys, deg, n_member, n_active, n_under, n_sanct,
                    is_manager, enthusiasm, fear0, intensity,
                    aware, member_c, member_u, ever_member, invited, trust, fear,
                    posts_c, posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned,
                    joined_now):
    """Rows ``lo:hi`` of :func:`update_individuals`."""
    # Parameters in locals: numba cannot prove the output arrays do not
    # overlap ``par``, so it would reload every parameter for every row.
    step = int(par[STEP])
    closed = par[CLOSED] > 0.0
    kappa = par[FRICTION]
    rho = par[RESTRICTION]
    pi = par[POLICING]
    joined = par[ANY_JOINED]
    threshold_mode = par[THRESHOLD_MODE] > 0.0
    b0 = par[B0]
    b_enth = par[B_ENTH]
    b_fear = par[B_FEAR]
    b_social = par[B_SOCIAL]
    b_trust = par[B_TRUST]
    instant = par[INSTANT]
    invite_rate = par[INVITE_RATE]
    join_rate = par[JOIN_RATE]
    k_enth = par[K_ENTH]
    k_fear = par[K_FEAR]
    k_trust = par[K_TRUST]
    monitoring = par[MONITORING]
    monitoring_w = par[MONITORING_W]
    neighbour_fear = par[NEIGHBOUR_FEAR]
    phi0 = par[PHI0]
    policing_w = par[POLICING_W]
    p_comms = par[P_COMMS]
    p_ext = par[P_EXT]
    q = par[Q]
    reassurance = par[REASSURANCE]
    relax = par[RELAX]
    sanction_fear = par[SANCTION_FEAR]
    sanction_rate = par[SANCTION_RATE]
    u_rate = par[U_RATE]
    w_active = par[W_ACTIVE]
    for i in range(lo, hi):
        joined_now[i] = False
        posts_c[i] = 0
        posts_u[i] = 0
        sanctioned[i] = False
        if is_manager[i]:
            invited[i] = False
            continue
        key = keys[i]
        k = deg[i]
        inv_k = 1.0 / k if k > 0 else 0.0
        s_member = n_member[i] * inv_k
        s_active = n_active[i] * inv_k
        s_under = n_under[i] * inv_k
        soc = (1.0 - w_active) * s_member + w_active * s_active
        e = enthusiasm[i]
        t = trust[i]
        f = fear[i]
        # The row's state in locals, written back when it changes.
        is_aware = aware[i]
        in_c = member_c[i]
        in_u = member_u[i]

        # 4. awareness. 1 - exp(-h) <= h, so a uniform at or above h (plus a
        # rounding margin) fails without computing exp: the same decisions.
        if not is_aware:
            hazard = p_ext + p_comms * joined + q * soc
            u = uniform(key, U_AWARE)
            if u < hazard + _MARGIN and u < 1.0 - math.exp(-hazard):
                is_aware = True
                aware[i] = True

        # 5. joining C
        if is_aware and not in_c and not closed:
            if instant > 0.0:
                p = 1.0 - kappa
            else:
                p = min(1.0, (1.0 - kappa) * join_rate * (e + soc))
            if invited[i]:
                p_inv = min(1.0, invite_rate * (1.0 - kappa) * (0.5 + t))
                p = 1.0 - (1.0 - p) * (1.0 - p_inv)
            if uniform(key, U_JOIN) < p:
                in_c = True
                member_c[i] = True
                ever_member[i] = True
                joined_now[i] = True
        invited[i] = False

        # 8a. joining U: the enthusiastic and fearful, near other U members
        if is_aware and not in_u:
            if uniform(key, U_UNDER) < u_rate * e * (f + rho) * (s_under + 0.05):
                in_u = True
                member_u[i] = True

        # 7. posting on C
        n_posts = 0
        if in_c and not closed:
            if threshold_mode:
                phi = phi0 + k_fear * f - k_enth * e - k_trust * (t - 0.5)
                if k > 0 and n_active[i] >= phi * k - 1e-12:
                    n_posts = 1
            else:
                x = b0 + b_social * s_active + b_enth * e - b_fear * f + b_trust * (t - 0.5)
                u = uniform(key, U_POST_C)
                if u >= 1.0 - intensity[i] * (1.0 - rho) * _logistic_cap(x) - _MARGIN:
                    rate = intensity[i] * _logistic(x) * (1.0 - rho)
                    n_posts = poisson_from_uniform(u, rate)
            if n_posts > 0:
                posts_c[i] = n_posts
                cum_posts_c[i] += n_posts
                last_post[i] = step

        # 8b. posting on U: nobody watches, so baseline fear and no restriction
        if in_u:
            x = b0 + b_social * s_under + b_enth * e - b_fear * fear0[i] + b_trust * (t - 0.5)
            u = uniform(key, U_POST_U)
            if u >= 1.0 - intensity[i] * _logistic_cap(x) - _MARGIN:  # (as for C)
                n_u = poisson_from_uniform(u, intensity[i] * _logistic(x))
                posts_u[i] = n_u
                cum_posts_u[i] += n_u

        # 9. policing: each C post is sanctioned with P = sanction_rate * pi
        if n_posts > 0 and pi > 0.0:
            p = 1.0 - (1.0 - sanction_rate * pi) ** n_posts
            if uniform(key, U_SANCTION) < p:
                sanctioned[i] = True
                f += sanction_fear
        f += neighbour_fear * min(n_sanct[i], 3)
        f = min(f, 1.0)

        # 10. fear relaxes to a target raised by policing and by monitoring
        # without trust, lowered by active neighbours
        target = (fear0[i] + policing_w * pi
                  + monitoring_w * monitoring * (1.0 - t) * joined
                  - reassurance * s_active)
        target = min(1.0, max(0.0, target))
        fear[i] = f + relax * (target - f)


@parallel_kernel
def _individuals_par(bounds, par, keys, deg, n_member, n_active, n_under, n_sanct,
                     is_manager, enthusiasm, fear0, intensity,
                     aware, member_c, member_u, ever_member, invited, trust, fear,
                     posts_c, posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned,
                     joined_now):
    for c in prange(len(bounds) - 1):
        individual_rows(bounds[c], bounds[c + 1], par, keys, deg, n_member, n_active,
                        n_under, n_sanct, is_manager, enthusiasm, fear0, intensity, aware,
                        member_c, member_u, ever_member, invited, trust, fear, posts_c,
                        posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned, joined_now)


def update_individuals(par, keys, deg, n_member, n_active, n_under, n_sanct,
                       is_manager, enthusiasm, fear0, intensity,
                       aware, member_c, member_u, ever_member, invited, trust, fear,
                       posts_c, posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned,
                       joined_now, bounds=None):
    """Steps 4-10 of the schedule for every employee, in place.

    Awareness, joining C (organic or by invitation), joining U, posting on C
    and U, policing, and fear. Neighbour shares come from the start of the
    step (synchronous update). ``keys`` holds one uint64 per employee; its
    uniforms (:func:`uniform`, rows ``U_AWARE`` .. ``U_SANCTION``) decide
    awareness, joining, underground, C posts, U posts and sanction.
    ``bounds`` (from :func:`adoptsim.jit.row_bounds` over nodes) splits the pass across
    threads; ``None`` runs it on the calling thread.
    """
    args = (par, keys, deg, n_member, n_active, n_under, n_sanct, is_manager, enthusiasm,
            fear0, intensity, aware, member_c, member_u, ever_member, invited, trust, fear,
            posts_c, posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned, joined_now)
    if bounds is None or len(bounds) <= 2:
        individual_rows(_U0, np.uint64(len(deg)), *args)
    else:
        _individuals_par(bounds, *args)


# ------------------------------------------- steps 3-10 in one parallel pass
@kernel
def _neighbour_individual_rows(lo, hi, indptr, indices, table, trust_sum, ahead, par, keys,
                               deg, n_member, n_active, n_under, n_sanct, is_manager,
                               enthusiasm, fear0, intensity, aware, member_c, member_u,
                               ever_member, invited, trust, fear, posts_c, posts_u,
                               cum_posts_c, cum_posts_u, last_post, sanctioned, joined_now):
    # In blocks small enough that a block's counts are still in cache when
    # its individual updates read them.
    a = lo
    while a < hi:
        b = min(hi, a + _FUSED_BLOCK)
        neighbour_rows(a, b, indptr, indices, table, n_member, n_active, n_under, n_sanct,
                       trust_sum, ahead)
        individual_rows(a, b, par, keys, deg, n_member, n_active, n_under, n_sanct,
                        is_manager, enthusiasm, fear0, intensity, aware, member_c, member_u,
                        ever_member, invited, trust, fear, posts_c, posts_u, cum_posts_c,
                        cum_posts_u, last_post, sanctioned, joined_now)
        a = b


@parallel_kernel
def _neighbour_individual_par(bounds, indptr, indices, table, trust_sum, ahead, par, keys,
                              deg, n_member, n_active, n_under, n_sanct, is_manager,
                              enthusiasm, fear0, intensity, aware, member_c, member_u,
                              ever_member, invited, trust, fear, posts_c, posts_u,
                              cum_posts_c, cum_posts_u, last_post, sanctioned, joined_now):
    for c in prange(len(bounds) - 1):
        _neighbour_individual_rows(
            bounds[c], bounds[c + 1], indptr, indices, table, trust_sum, ahead, par, keys,
            deg, n_member, n_active, n_under, n_sanct, is_manager, enthusiasm, fear0,
            intensity, aware, member_c, member_u, ever_member, invited, trust, fear, posts_c,
            posts_u, cum_posts_c, cum_posts_u, last_post, sanctioned, joined_now)


def neighbours_and_individuals(indptr, indices, table, trust_sum, par, keys, deg, n_member,
                               n_active, n_under, n_sanct, is_manager, enthusiasm, fear0,
                               intensity, aware, member_c, member_u, ever_member, invited,
                               trust, fear, posts_c, posts_u, cum_posts_c, cum_posts_u,
                               last_post, sanctioned, joined_now, bounds=None):
    """:func:`neighbour_stats` then :func:`update_individuals`, row block by row block.

    The same results as the two calls in turn (a row's update reads only its
    own counts, and the neighbour pass reads only ``table``, not the arrays
    the updates write), in one parallel pass: one synchronisation instead
    of two, and the counts are read back from cache, not memory.
    """
    indptr = indptr.view(np.uint64)
    if indices.dtype == np.int32:
        indices = indices.view(np.uint32)
    n = len(indptr) - 1
    ahead = np.uint64(PREFETCH_AHEAD if n >= PREFETCH_MIN_NODES else 0)
    args = (indptr, indices, table, trust_sum, ahead, par, keys, deg, n_member, n_active,
            n_under, n_sanct, is_manager, enthusiasm, fear0, intensity, aware, member_c,
            member_u, ever_member, invited, trust, fear, posts_c, posts_u, cum_posts_c,
            cum_posts_u, last_post, sanctioned, joined_now)
    if bounds is None or len(bounds) <= 2:
        _neighbour_individual_rows(_U0, np.uint64(n), *args)
    else:
        _neighbour_individual_par(bounds, *args)


# ------------------------------------------------------- step 6: following
@kernel
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


# ------------------------------------------------------ step 11: engagement
@kernel
def eligible_nodes(member_c, aware, is_manager, invite, out):
    """Employees a manager may engage (members, and aware non-members when
    ``invite``), ascending, written to ``out``; returns how many."""
    k = 0
    for i in range(len(member_c)):
        out[k] = i  # branch-free compaction: keep i by advancing k
        k += (member_c[i] | (invite & aware[i])) & (not is_manager[i])
    return k


@kernel
def top_pool(eligible, score, size, u):
    """The ``size`` eligible nodes with the highest (integer) scores.

    Everyone scoring above the cut (the ``size``-th highest score) is in the
    pool; the remaining places go to a uniformly random subset of those
    scoring exactly the cut, chosen by a partial Fisher-Yates shuffle driven
    by ``u`` (at least ``size`` uniforms). The pool is in no particular order.
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
    if lo >= 0 and hi < _HISTOGRAM_MAX:
        # Scores are counts (posts, followers, ties): find the cut by counting,
        # a few times faster than a selection over the eligible.
        counts = np.zeros(hi + 1, np.int64)
        for a in range(k):
            counts[score[eligible[a]]] += 1
        cut = hi
        above = 0  # eligible scoring more than cut
        while above + counts[cut] < size:
            above += counts[cut]
            cut -= 1
    else:
        vals = np.empty(k, score.dtype)
        for a in range(k):
            vals[a] = score[eligible[a]]
        cut = np.partition(vals, k - size)[k - size]
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
        j = r + int(u[r] * (t - r))
        ties[r], ties[j] = ties[j], ties[r]
        pool[p + r] = ties[r]
    return pool


@kernel
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


# ------------------------------------------------------------ step 13: trust
@kernel
def trust_rows(lo, hi, trust, n_member, trust_sum, member_c, is_manager, averaging, ambient,
               follower_share, reputation):
    """Rows ``lo:hi`` of :func:`update_trust`."""
    for i in range(lo, hi):
        if is_manager[i]:
            continue
        t = trust[i]
        if n_member[i] > 0:
            t = (1.0 - averaging) * t + averaging * trust_sum[i] / n_member[i]
        if member_c[i]:
            t += ambient * follower_share * (reputation - t)
        trust[i] = min(1.0, max(0.0, t))


@parallel_kernel
def _trust_par(bounds, trust, n_member, trust_sum, member_c, is_manager, averaging, ambient,
               follower_share, reputation):
    for c in prange(len(bounds) - 1):
        trust_rows(bounds[c], bounds[c + 1], trust, n_member, trust_sum, member_c, is_manager,
                   averaging, ambient, follower_share, reputation)


def update_trust(trust, n_member, trust_sum, member_c, is_manager, averaging, ambient,
                 follower_share, reputation, bounds=None):
    """Step 13: DeGroot averaging towards member neighbours, then ambient drift.

    Neighbour means use trust at the start of the step (``trust_sum``);
    members also drift towards the managers' reputation, weighted by the
    managers' follower share. ``bounds`` as in :func:`update_individuals`.
    """
    args = (trust, n_member, trust_sum, member_c, is_manager, averaging, ambient,
            follower_share, reputation)
    if bounds is None or len(bounds) <= 2:
        trust_rows(_U0, np.uint64(len(trust)), *args)
    else:
        _trust_par(bounds, *args)


@kernel
def decay_ties(tie, decay, floor):
    """Ties decay each step; a tie weaker than ``floor`` lapses to zero."""
    for m in range(tie.shape[0]):
        for i in range(tie.shape[1]):
            if tie[m, i] > 0.0:
                t = tie[m, i] * decay
                tie[m, i] = t if t >= floor else 0.0


# ---------------------------------------------------- step 14 and reporting
# Entries of the step reduction (see step_sums).
(
    R_STAFF, R_AWARE, R_MEMBER, R_ACTIVE, R_UNDER, R_MEMBER_ALL, R_POSTS_C, R_POSTS_U,
    R_FOLLOWING_MEMBERS, R_REACHED, R_TRUST, R_FEAR, R_MEMBER_VALUE, R_U_REACH, N_SUMS,
) = range(15)


# Long on purpose: every reduction of a block while it is in cache.
@kernel
def _sum_block(b, block, step, window, is_manager, aware, member_c, member_u, last_post,
               posts_c, posts_u, trust, fear, n_under, follows, tie, out, out_managers,
               update, n_member, trust_sum, averaging, ambient, follower_share, reputation):
    # Branch-free sums (0/1 products): the flags are scattered at random, and
    # adding 0.0 leaves a float sum unchanged. Three short loops over the
    # block (it stays in cache) run faster than one loop with 14 accumulators.
    lo = np.uint64(b * block)
    hi = np.uint64(min(len(is_manager), b * block + block))
    if update:  # step 13 for the block's rows first (row by row: same result)
        trust_rows(lo, hi, trust, n_member, trust_sum, member_c, is_manager, averaging,
                   ambient, follower_share, reputation)
    staff_n = aware_n = member_n = active_n = under_n = member_all = 0
    posts_c_n = posts_u_n = u_reach = 0
    for i in range(lo, hi):
        staff = not is_manager[i]
        member = member_c[i]
        staff_member = staff & member
        posts_c_n += posts_c[i]
        posts_u_n += posts_u[i]
        u_reach += posts_u[i] * np.int64(n_under[i])
        member_all += member
        staff_n += staff
        aware_n += staff & aware[i]
        under_n += staff & member_u[i]
        member_n += staff_member
        active_n += staff_member & (step - last_post[i] < window)
    trust_s = 0.0
    fear_s = 0.0
    value_s = 0.0
    for i in range(lo, hi):
        staff = not is_manager[i]
        trust_s += trust[i] * staff
        fear_s += fear[i] * staff
        value_s += (0.5 + trust[i]) * (staff & member_c[i])
    following_members = reached = 0
    if follows.shape[0] > 0:
        # Which rows follow, or are tied to, any manager: one manager at a time.
        following = np.zeros(hi - lo, np.bool_)
        tied = np.zeros(hi - lo, np.bool_)
        for m in range(follows.shape[0]):
            count = 0
            for i in range(lo, hi):
                f = follows[m, i]
                following[i - lo] |= f
                tied[i - lo] |= tie[m, i] > 0.0
                count += f & member_c[i]
            out_managers[b, m] = count
        for i in range(lo, hi):
            following_members += member_c[i] & following[i - lo]
            reached += (not is_manager[i]) & (following[i - lo] | tied[i - lo])
    out[b, R_STAFF] = staff_n
    out[b, R_AWARE] = aware_n
    out[b, R_MEMBER] = member_n
    out[b, R_ACTIVE] = active_n
    out[b, R_UNDER] = under_n
    out[b, R_MEMBER_ALL] = member_all
    out[b, R_POSTS_C] = posts_c_n
    out[b, R_POSTS_U] = posts_u_n
    out[b, R_FOLLOWING_MEMBERS] = following_members
    out[b, R_REACHED] = reached
    out[b, R_U_REACH] = u_reach
    out[b, R_TRUST] = trust_s
    out[b, R_FEAR] = fear_s
    out[b, R_MEMBER_VALUE] = value_s


@kernel
def _add_blocks(out, out_managers):
    # In block order: float addition is not associative.
    total = np.zeros(out.shape[1])
    managers = np.zeros(out_managers.shape[1], np.int64)
    for b in range(out.shape[0]):
        total += out[b]
        managers += out_managers[b]
    return total, managers


@kernel
def _sums_serial(block, step, window, is_manager, aware, member_c, member_u, last_post,
                 posts_c, posts_u, trust, fear, n_under, follows, tie, update, n_member,
                 trust_sum, averaging, ambient, follower_share, reputation):
    blocks = max(1, -(-len(is_manager) // block))
    out = np.zeros((blocks, N_SUMS))
    out_managers = np.zeros((blocks, follows.shape[0]), np.int64)
    for b in range(blocks):
        _sum_block(b, block, step, window, is_manager, aware, member_c, member_u, last_post,
                   posts_c, posts_u, trust, fear, n_under, follows, tie, out, out_managers,
                   update, n_member, trust_sum, averaging, ambient, follower_share,
                   reputation)
    return _add_blocks(out, out_managers)


@parallel_kernel
def _sums_par(block, step, window, is_manager, aware, member_c, member_u, last_post,
              posts_c, posts_u, trust, fear, n_under, follows, tie, update, n_member,
              trust_sum, averaging, ambient, follower_share, reputation):
    blocks = max(1, -(-len(is_manager) // block))
    out = np.zeros((blocks, N_SUMS))
    out_managers = np.zeros((blocks, follows.shape[0]), np.int64)
    for b in prange(blocks):
        _sum_block(b, block, step, window, is_manager, aware, member_c, member_u, last_post,
                   posts_c, posts_u, trust, fear, n_under, follows, tie, out, out_managers,
                   update, n_member, trust_sum, averaging, ambient, follower_share,
                   reputation)
    return _add_blocks(out, out_managers)


def step_sums(step, window, is_manager, aware, member_c, member_u, last_post, posts_c,
              posts_u, trust, fear, n_under, follows, tie, trust_update=None):
    """Every count and sum the step's reporters and benefit need, in one pass.

    With ``trust_update`` = (n_member, trust_sum, averaging, ambient,
    follower_share, reputation) the pass first applies :func:`update_trust`
    to each block of rows (step 13 and the reporting in one pass over the
    arrays; the same result as calling it first).

    Returns
    -------
    totals : numpy.ndarray
        float64, indexed by the ``R_*`` constants: over staff (non-managers)
        the numbers of employees, aware, C members, active members (posted
        within ``window`` steps up to ``step``), U members, and employees
        reached by a manager (followed or tied); the sums of trust, of fear,
        and of 0.5 + trust over C members; over everyone the C members,
        members following a manager, posts on C and U, and
        Σ posts_U · U neighbours.
    following : numpy.ndarray
        int64 (M,): C members following each manager.

    Float sums are taken in fixed blocks of :data:`REDUCE_BLOCK` rows and
    the blocks added in order, so the result does not depend on the number
    of threads.
    """
    update = trust_update is not None
    if not update:
        trust_update = (np.zeros(0, np.int32), np.zeros(0), 0.0, 0.0, 0.0, 0.0)
    args = (REDUCE_BLOCK, step, window, is_manager, aware, member_c, member_u, last_post,
            posts_c, posts_u, trust, fear, n_under, follows, tie, update, *trust_update)
    if len(is_manager) < PARALLEL_MIN_WORK:
        return _sums_serial(*args)
    return _sums_par(*args)


@kernel
def following_members(member_c, is_manager, follows):
    """(C members among staff, C members following some manager): the follower
    share used by step 13."""
    members = 0
    for i in range(len(member_c)):  # branch-free counts
        members += member_c[i] & (not is_manager[i])
    following = 0
    if follows.shape[0] == 1:
        for i in range(len(member_c)):
            following += member_c[i] & follows[0, i]
    elif follows.shape[0] > 1:
        for i in range(len(member_c)):
            any_m = False
            for m in range(follows.shape[0]):
                any_m |= follows[m, i]
            following += member_c[i] & any_m
    return members, following
