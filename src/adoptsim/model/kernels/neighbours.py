"""Neighbour statistics: one pass over the ties, from the state at the start of a step.

Each node shows its neighbours one 16-byte row (:func:`table_rows`): its
trust if it is a member of C (0.0 otherwise), and four flags (member of C,
active on C, member of U, had a post removed last step) as increments of
16-bit lanes of one integer, so a tie costs one read of one cache line and
two additions. On large graphs the pass prefetches the row of the tie
``PREFETCH_AHEAD`` ends ahead, so cache misses overlap (2-3x at 10⁶).
A row is summed in runs of at most ``LANE_MAX`` ties so no lane overflows.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ...jit import kernel

#: Nodes from which the neighbour pass prefetches, and how many tie ends ahead.
PREFETCH_MIN_NODES = 1 << 17
PREFETCH_AHEAD = 256

_LANE_BITS = 16
LANE_MAX = (1 << _LANE_BITS) - 1
#: FLAG_LANES[f]: bit b of the 4-bit flag f becomes +1 in 16-bit lane b.
FLAG_LANES = np.array(
    [sum(((f >> b) & 1) << (_LANE_BITS * b) for b in range(4)) for f in range(16)], np.uint64
)
_LANE_MASK = np.uint64(LANE_MAX)
_S16, _S32, _S48 = np.uint64(16), np.uint64(32), np.uint64(48)
_LANE_RUN = np.uint64(LANE_MAX)
_U1 = np.uint64(1)


@intrinsic
def _prefetch(typingctx, table, row):
    """Hint the CPU to load row ``row`` of the 2-D ``table`` (changes no value)."""
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


@kernel
def table_rows(lo, hi, step, window, member_c, last_post, member_u, removed, trust, table):
    """Rows ``lo:hi`` of the node table (see the module docstring)."""
    # Branch-free: membership is scattered at random over the rows.
    shown = table.view(np.float64)
    for i in range(lo, hi):
        member = member_c[i]
        active = member & (step - last_post[i] <= window)
        f = (np.uint8(member) | (np.uint8(active) << 1) | (np.uint8(member_u[i]) << 2)
             | (np.uint8(removed[i] > 0) << 3))
        shown[i, 0] = trust[i] * member
        table[i, 1] = FLAG_LANES[f]


@kernel
def neighbour_rows(lo, hi, indptr, indices, table, n_member, n_active, n_under, n_sanct,
                   trust_sum, ahead):
    """Rows ``lo:hi``: counts of flagged neighbours and the trust sum of member neighbours.

    ``indptr`` and ``indices`` are unsigned views (no negative-index check per read).
    """
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
        while start < end:
            stop = min(end, start + _LANE_RUN)
            acc = np.uint64(0)
            for e in range(start, stop):
                if ahead:  # loop-invariant: LLVM compiles both loops
                    _prefetch(table, indices[min(e + ahead, last)])
                j = indices[e]
                acc += table[j, 1]
                ts += shown[j, 0]
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


@kernel
def population_stats(step, window, member_c, last_post, member_u, removed, trust, n_member,
                     n_active, n_under, n_sanct, trust_sum):
    """A well-mixed population: everyone else is a neighbour."""
    n = len(member_c)
    tm = ta = tu = ts = 0
    tt = 0.0
    for i in range(n):
        active = member_c[i] & (step - last_post[i] <= window)
        tm += member_c[i]
        ta += active
        tu += member_u[i]
        ts += removed[i] > 0
        tt += trust[i] * member_c[i]
    for i in range(n):
        active = member_c[i] & (step - last_post[i] <= window)
        n_member[i] = tm - member_c[i]
        n_active[i] = ta - active
        n_under[i] = tu - member_u[i]
        n_sanct[i] = ts - (removed[i] > 0)
        trust_sum[i] = tt - trust[i] * member_c[i]
