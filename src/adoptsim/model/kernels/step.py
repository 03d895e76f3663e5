"""One week of the model, and a whole run, in compiled code.

:func:`step` runs the schedule of docs/odd.md (section 3) and
writes the week's row of outputs; :func:`run_steps` loops it. The Mesa
model's ``step()`` calls ``run_steps`` for one week and a whole run calls
it once, so both paths run the same code on the same counter-based random
numbers and give identical results.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ...jit import kernel, make_run, parallel_kernel
from ..metrics import COLUMNS, MANAGER_COLUMNS
from ..state import (
    CH_BENEFIT,
    CH_BENEFIT_COMMS,
    CH_BENEFIT_COMMS_CUM,
    CH_BENEFIT_CUM,
    CH_BEST_TONE,
    CH_CLOSED,
    CH_FRICTION,
    CH_POLICING,
    CH_RESTRICTION,
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
from .engagement import engage, manager_reads, managers_join, review
from .following import follow_phase
from .neighbours import table_rows
from .rows import row_pass
from .trust import (
    S_ACTIVE,
    S_AWARE,
    S_BLOCKED,
    S_FEAR,
    S_FOLLOWING,
    S_FOUNDERS,
    S_FRUSTRATION,
    S_LEAVERS,
    S_MEMBER,
    S_POSTS_C,
    S_POSTS_U,
    S_R_MEMBERS,
    S_R_POSTS,
    S_R_TIE,
    S_R_TRUST,
    S_REACHED,
    S_REMOVED,
    S_STAFF,
    S_TRUST,
    S_U_MEMBERS,
    S_U_POSTS,
    S_U_TRUST,
    S_UNDER,
    settle,
)
from .views import build_posts, views

# Column numbers of the outputs (the metric table in model/metrics.py is their home).
_C = {name: i for i, name in enumerate(COLUMNS)}
C_STEP, C_AWARE, C_MEMBER, C_ACTIVE, C_LURKER, C_UNDER = (
    _C["step"], _C["aware"], _C["member"], _C["active"], _C["lurker"], _C["underground"])
C_POSTS_C, C_POSTS_U, C_POSTS_COMMS, C_U_SHARE, C_BUZZ = (
    _C["posts_c"], _C["posts_u"], _C["posts_comms"], _C["underground_post_share"],
    _C["buzz_coverage"])
C_TRUST, C_FEAR, C_FRUSTRATION, C_FOLLOWER_SHARE, C_REACH, C_TONE, C_REPUTATION = (
    _C["trust"], _C["fear"], _C["frustration"], _C["cm_follower_share"], _C["cm_reach"],
    _C["cm_tone"], _C["cm_reputation"])
C_BENEFIT, C_BENEFIT_CUM, C_BENEFIT_COMMS, C_BENEFIT_COMMS_CUM = (
    _C["benefit"], _C["benefit_cum"], _C["benefit_comms"], _C["benefit_comms_cum"])
C_READS_C, C_READS_U, C_CROSS, C_HARMFUL, C_REMOVED, C_BLOCKED = (
    _C["reads_c"], _C["reads_u"], _C["cross_silo_share"], _C["harmful_reads"],
    _C["removed"], _C["blocked"])
C_LEAVERS, C_FOUNDERS, C_INVITATIONS = _C["leavers"], _C["founders"], _C["invitations"]
C_F_PREF, C_F_NEIGHBOUR, C_F_AUTHORITY, C_F_EXPOSURE, C_F_MENTION, C_F_BACK, C_F_POSITIVE = (
    _C["follows_preferential"], _C["follows_neighbour"], _C["follows_authority"],
    _C["follows_exposure"], _C["follows_mention"], _C["follows_back"],
    _C["follows_positive"])
C_UNFOLLOWS = _C["unfollows"]
C_R_TRUST, C_U_TRUST, C_R_POSTS, C_U_POSTS, C_R_TIE = (
    _C["reached_trust"], _C["unreached_trust"], _C["reached_posts"], _C["unreached_posts"],
    _C["reached_tie"])
N_COLUMNS = len(COLUMNS)
_M = {name: i for i, name in enumerate(MANAGER_COLUMNS)}
M_STEP, M_MANAGER, M_NODE, M_JOINED, M_TONE, M_TONE_STEP, M_REPUTATION = (
    _M["step"], _M["manager"], _M["node"], _M["joined"], _M["tone"], _M["tone_step"],
    _M["reputation"])
M_FOLLOWERS, M_FOLLOWER_SHARE, M_INTERACTIONS, M_POSITIVE, M_INVITATIONS, M_READ_SHARE = (
    _M["followers"], _M["follower_share"], _M["interactions"], _M["positive"],
    _M["invitations"], _M["read_share"])
N_MANAGER_COLUMNS = len(MANAGER_COLUMNS)


@kernel
def _ratio(a, b):
    return a / b if b > 0 else 0.0


@kernel
def _mean_or_nan(a, b):
    return a / b if b > 0 else math.nan


@kernel
def reputation(mg):
    """Each manager's running share of positive interactions (a 1-in-2 prior)."""
    out = np.empty(len(mg.node))
    for m in range(len(mg.node)):
        out[m] = (mg.positive[m] + 1.0) / (mg.interactions[m] + 2.0)
    return out


@kernel
def policy_switch(run, t):
    """At ``channel.policy_start`` the policy's levers take effect (and the culture may shift).

    A shutdown closes C: memberships end, and each member active in the
    last weeks is frustrated (φ += 1).
    """
    par = run.par
    ch = run.ch.values
    st = run.st
    if t != par.policy_start:
        return
    ch[CH_FRICTION] = par.new_friction
    ch[CH_POLICING] = par.new_policing
    ch[CH_RESTRICTION] = par.new_restriction
    ch[CH_BEST_TONE] = min(1.0, max(0.0, par.best_tone + par.best_tone_shift))
    if par.shutdown and ch[CH_CLOSED] == 0.0:
        for i in range(len(st.member_c)):
            if st.member_c[i] and not run.ppl.is_manager[i] and t - st.last_post[i] <= par.window:
                if par.m_frustration:
                    st.frustration[i] += 1.0
            st.member_c[i] = False
        run.fl.followers[:] = 0  # counts of members' follows: there are none
        ch[CH_CLOSED] = 1.0


@kernel
def _table_chunk(lo, hi, run, t):
    st = run.st
    table_rows(lo, hi, t, run.par.window, st.member_c, st.last_post, st.member_u, st.removed,
               st.trust, run.sc.table)


@parallel_kernel
def _table_par(bounds, run, t):
    for c in prange(len(bounds) - 1):
        _table_chunk(bounds[c], bounds[c + 1], run, t)


@kernel
def node_table(run, t):
    """What each node shows its neighbours at the start of step ``t``."""
    net = run.net
    if net.complete:
        return
    if len(net.node_bounds) <= 2:
        _table_chunk(np.uint64(0), np.uint64(len(net.degree)), run, t)
    else:
        _table_par(net.node_bounds, run, t)


@kernel
def record(run, t, sums, posts_comms, any_on):
    """Row ``t + 1`` of the outputs: the state at the end of step ``t``."""
    par = run.par
    ch = run.ch.values
    counts = run.ch.counts
    mg = run.mg
    fl = run.fl
    row = run.out[t + 1]
    staff = sums[S_STAFF]
    members = sums[S_MEMBER]
    posts_c = sums[S_POSTS_C]
    posts_u = sums[S_POSTS_U]
    reads = counts[N_READS_C] + counts[N_READS_U]
    row[C_STEP] = t + 1
    row[C_AWARE] = _ratio(sums[S_AWARE], staff)
    row[C_MEMBER] = _ratio(members, staff)
    row[C_ACTIVE] = _ratio(sums[S_ACTIVE], staff)
    row[C_LURKER] = _ratio(members - sums[S_ACTIVE], staff)
    row[C_UNDER] = _ratio(sums[S_UNDER], staff)
    row[C_POSTS_C] = posts_c
    row[C_POSTS_U] = posts_u
    row[C_POSTS_COMMS] = posts_comms
    row[C_U_SHARE] = _ratio(posts_u, posts_c + posts_u)
    row[C_BUZZ] = _ratio(par.monitoring * posts_c, posts_c + posts_u) if any_on else 0.0
    row[C_TRUST] = _mean_or_nan(sums[S_TRUST], staff)
    row[C_FEAR] = _mean_or_nan(sums[S_FEAR], staff)
    row[C_FRUSTRATION] = _mean_or_nan(sums[S_FRUSTRATION], staff)
    row[C_FOLLOWER_SHARE] = _ratio(sums[S_FOLLOWING], members)
    row[C_REACH] = _ratio(sums[S_REACHED], staff)
    n_mgr = len(mg.node)
    rep = reputation(mg)
    row[C_TONE] = mg.tone.sum() / n_mgr if n_mgr else math.nan
    row[C_REPUTATION] = rep.sum() / n_mgr if n_mgr else math.nan
    row[C_BENEFIT] = ch[CH_BENEFIT]
    row[C_BENEFIT_CUM] = ch[CH_BENEFIT_CUM]
    row[C_BENEFIT_COMMS] = ch[CH_BENEFIT_COMMS]
    row[C_BENEFIT_COMMS_CUM] = ch[CH_BENEFIT_COMMS_CUM]
    row[C_READS_C] = counts[N_READS_C]
    row[C_READS_U] = counts[N_READS_U]
    row[C_CROSS] = _ratio(counts[N_CROSS_READS], reads)
    row[C_HARMFUL] = counts[N_HARMFUL_READS]
    row[C_REMOVED] = sums[S_REMOVED]
    row[C_BLOCKED] = sums[S_BLOCKED]
    row[C_LEAVERS] = sums[S_LEAVERS]
    row[C_FOUNDERS] = sums[S_FOUNDERS]
    row[C_INVITATIONS] = counts[N_INVITATIONS]
    row[C_F_PREF] = counts[N_FOLLOW_PREFERENTIAL]
    row[C_F_NEIGHBOUR] = counts[N_FOLLOW_NEIGHBOUR]
    row[C_F_AUTHORITY] = counts[N_FOLLOW_AUTHORITY]
    row[C_F_EXPOSURE] = counts[N_FOLLOW_EXPOSURE]
    row[C_F_MENTION] = counts[N_FOLLOW_MENTION]
    row[C_F_BACK] = counts[N_FOLLOW_BACK]
    row[C_F_POSITIVE] = counts[N_FOLLOW_POSITIVE]
    row[C_UNFOLLOWS] = counts[N_UNFOLLOW]
    row[C_R_TRUST] = _mean_or_nan(sums[S_R_TRUST], sums[S_R_MEMBERS])
    row[C_U_TRUST] = _mean_or_nan(sums[S_U_TRUST], sums[S_U_MEMBERS])
    row[C_R_POSTS] = _mean_or_nan(sums[S_R_POSTS], sums[S_R_MEMBERS])
    row[C_U_POSTS] = _mean_or_nan(sums[S_U_POSTS], sums[S_U_MEMBERS])
    row[C_R_TIE] = _mean_or_nan(sums[S_R_TIE], sums[S_R_MEMBERS])
    for m in range(n_mgr):
        r = run.out_mgr[t + 1, m]
        node = mg.node[m]
        r[M_STEP] = t + 1
        r[M_MANAGER] = m
        r[M_NODE] = node
        r[M_JOINED] = mg.joined[m]
        r[M_TONE] = mg.tone[m]
        r[M_TONE_STEP] = mg.delta[m]
        r[M_REPUTATION] = rep[m]
        r[M_FOLLOWERS] = fl.followers[node]
        r[M_FOLLOWER_SHARE] = _ratio(fl.followers[node], members)
        r[M_INTERACTIONS] = mg.interactions[m]
        r[M_POSITIVE] = mg.positive[m]
        r[M_INVITATIONS] = mg.invitations[m]
        r[M_READ_SHARE] = mg.read_share[m]


@kernel
def step(run, t):
    """Week ``t`` (the state at time ``t`` becomes the state at ``t + 1``)."""
    par = run.par
    st = run.st
    mg = run.mg
    values = run.ch.values
    run.ch.counts[:] = 0
    st.events[:] = 0
    policy_switch(run, t)
    closed = values[CH_CLOSED] > 0.0
    new_manager = managers_join(run, t, closed)
    any_on = (not closed) and mg.joined.any()
    rep = reputation(mg)
    for m in range(len(mg.node)):
        st.trust[mg.node[m]] = rep[m]  # managers show the comms team's reputation
    node_table(run, t)
    row_pass(run, t, any_on)
    posts_each = par.manager_posts if (par.m_manager_posts and not closed) else 0
    recs = build_posts(run, posts_each)
    w_conv, w_comms, harmful = views(run, t, recs, rep, closed)
    follow_phase(run, t, closed, new_manager)
    manager_reads(run, t, recs, closed)
    engage(run, t, closed)
    review(run, t)
    sums = settle(run, t)
    staff = max(par.staff, 1)
    benefit = (par.per_view * w_conv - par.harm * harmful) / staff
    benefit_comms = par.per_view * w_comms / staff
    values[CH_BENEFIT] = benefit
    values[CH_BENEFIT_COMMS] = benefit_comms
    values[CH_BENEFIT_CUM] += benefit
    values[CH_BENEFIT_COMMS_CUM] += benefit_comms
    joined = 0
    for m in range(len(mg.node)):
        joined += mg.joined[m]
    posts_comms = np.int64(posts_each * joined) if any_on else np.int64(0)
    record(run, t, sums, posts_comms, any_on)


@kernel
def run_steps(t0, t1, par, net, ppl, st, fl, sc, mg, ch, static, out, out_mgr):
    """Weeks ``t0`` to ``t1 − 1``, each recorded in ``out[t + 1]`` and ``out_mgr[t + 1]``.

    At ``t0`` = 0 it first records the initial state in row 0.
    """
    run = make_run(par, net, ppl, st, fl, sc, mg, ch, static, out, out_mgr)
    if t0 == 0:
        record(run, np.int64(-1), settle(run, np.int64(-1)), np.int64(0), False)
    for t in range(t0, t1):
        step(run, np.int64(t))
