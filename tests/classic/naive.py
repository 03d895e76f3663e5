"""Slow, obvious plain-Python references for the classic-model kernels (stumpy style).

Each takes the same random numbers as the kernel it checks, so the tests can
demand exact equality.
"""

from __future__ import annotations

import math

import numpy as np


def adjacency(indptr, indices) -> list[list[int]]:
    """Neighbour lists from CSR arrays."""
    return [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(len(indptr) - 1)]


def bass(n, p, q, dt, steps, rng) -> list[float]:
    """Agent-based Bass: one uniform per agent per step, hazard from the share at step start."""
    adopted = [False] * n
    shares = [0.0]
    for _ in range(steps):
        u = rng.random(n)
        count = sum(adopted)
        prob = 1.0 - math.exp(-(p + q * count / n) * dt)
        for i in range(n):
            if not adopted[i] and u[i] < prob:
                adopted[i] = True
        shares.append(sum(adopted) / n)
    return shares


def granovetter(thresholds) -> list[int]:
    """Round in which each person joins (−1 never), recounting joiners every round."""
    joined = [-1] * len(thresholds)
    rnd = 0
    while True:
        count = sum(r >= 0 for r in joined)
        new = [i for i, t in enumerate(thresholds) if joined[i] < 0 and t <= count]
        if not new:
            return joined
        rnd += 1
        for i in new:
            joined[i] = rnd


def threshold_cascade(adj, seeds, *, phi=None, a=None) -> list[int]:
    """Synchronous threshold cascade: round of activation per node (−1 never).

    Fractional rule (``phi``, scalar or per node): m ≥ φ·k − 1e-12 with k ≥ 1.
    Absolute rule (``a``): m ≥ a.
    """
    n = len(adj)
    act = [-1] * n
    for s in seeds:
        act[s] = 0
    rnd = 0
    while True:
        new = []
        for i in range(n):
            if act[i] >= 0:
                continue
            k = len(adj[i])
            m = sum(act[j] >= 0 for j in adj[i])
            if phi is not None:
                f = phi[i] if np.ndim(phi) else phi
                if k >= 1 and m >= f * k - 1e-12:
                    new.append(i)
            elif m >= a:
                new.append(i)
        if not new:
            return act
        rnd += 1
        for i in new:
            act[i] = rnd


def epidemic(adj, seeds, beta, gamma, steps, rng, *, sis) -> tuple[list[int], list[int]]:
    """Discrete-time SIR/SIS drawing the kernel's uniforms: per step, one per neighbour slot of
    every infected node (ascending), then one per infected node. Returns infected counts and
    the final states."""
    n = len(adj)
    state = [0] * n
    for s in seeds:
        state[s] = 1
    counts = [sum(x == 1 for x in state)]
    for _ in range(steps):
        infected = [i for i in range(n) if state[i] == 1]
        if not infected:
            break
        u_edge = rng.random(sum(len(adj[i]) for i in infected))
        u_rec = rng.random(len(infected))
        new = list(state)
        pos = 0
        for t, i in enumerate(infected):
            for j in adj[i]:
                if state[j] == 0 and u_edge[pos] < beta:
                    new[j] = 1
                pos += 1
            if u_rec[t] < gamma:
                new[i] = 0 if sis else 2
        state = new
        counts.append(sum(x == 1 for x in state))
    return counts, state


def live_lt(adj, u) -> list[set[tuple[int, int]]]:
    """LT live edges per sample: node v picks neighbour int(u[r, v]·k_v); that edge w→v is live."""
    worlds = []
    for r in range(u.shape[0]):
        live = set()
        for v, nbrs in enumerate(adj):
            if nbrs:
                live.add((nbrs[int(u[r, v] * len(nbrs))], v))
        worlds.append(live)
    return worlds


def live_ic(adj, u, p) -> list[set[tuple[int, int]]]:
    """IC live edges per sample: the j-th CSR entry (v→w) is live iff its uniform is < p."""
    entries = [(v, w) for v, nbrs in enumerate(adj) for w in nbrs]
    return [{e for e, x in zip(entries, u[r], strict=True) if x < p} for r in range(u.shape[0])]


def reach(worlds, seeds) -> int:
    """Total number of nodes reachable from ``seeds`` over live edges, summed over samples."""
    total = 0
    for live in worlds:
        out: dict[int, list[int]] = {}
        for a, b in live:
            out.setdefault(a, []).append(b)
        seen = set(seeds)
        stack = list(seeds)
        while stack:
            for w in out.get(stack.pop(), []):
                if w not in seen:
                    seen.add(w)
                    stack.append(w)
        total += len(seen)
    return total


def greedy(worlds, n, k) -> tuple[list[int], list[float]]:
    """Plain greedy on the summed reach; ties to the lowest node."""
    chosen: list[int] = []
    spreads = []
    for _ in range(k):
        best, best_val = -1, -1
        for v in range(n):
            if v in chosen:
                continue
            val = reach(worlds, [*chosen, v])
            if val > best_val:
                best, best_val = v, val
        chosen.append(best)
        spreads.append(best_val / len(worlds))
    return chosen, spreads


def fj_step(adj, x, x0, lam) -> list[float]:
    """x ← Λ·D⁻¹(A + I)·x + (I − Λ)·x0, summing own opinion first, then neighbours in order."""
    out = []
    for i, nbrs in enumerate(adj):
        s = x[i]
        for j in nbrs:
            s += x[j]
        out.append(lam[i] * (s / (len(nbrs) + 1)) + (1.0 - lam[i]) * x0[i])
    return out


def deffuant(x, first, second, d, mu) -> list[float]:
    """Sequential bounded-confidence meetings."""
    x = list(x)
    for i, j in zip(first, second, strict=True):
        diff = x[j] - x[i]
        if abs(diff) < d:
            x[i] += mu * diff
            x[j] -= mu * diff
    return x
