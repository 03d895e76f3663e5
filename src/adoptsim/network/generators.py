"""The network generators: the default organisation and the textbook graphs.

Generators are vectorised (numpy, or numba where the work is sequential) and
take all randomness from the one ``numpy.random.Generator`` they are given,
so the same seed gives bit-identical arrays. Each also says, before it
allocates anything, how many ties it will make (:func:`generator_ties`), so
a size bomb is refused with one message.

Decisions:

- **Leadership clique at scale.** In ``org`` the department heads form one
  clique while there are at most :data:`LEADERSHIP_CLIQUE_MAX` (100)
  departments, i.e. up to 8,000 employees at the defaults. Beyond that a
  literal clique would dominate the network (10⁶ employees have 12,500
  heads: 78 million ties), so the heads form cliques in blocks of 100
  consecutive departments ("divisions"), the first head of each block joins
  the next level's blocks, and so on until one block remains: a leadership
  hierarchy whose top is a clique. All heads keep level 2. The leadership
  ties add about 0.3 to the mean degree at 2,000 employees and about 1.2
  at 8,000 and beyond (a head has ~99 peers), so the mean degree at the
  defaults is ≈ 10.3 at 2,000 and ≈ 11.25 at 10⁶ employees.
- **Cross ties** in ``org`` go to a uniform random *other* node (of the
  department, or of the organisation), so no tie is wasted on a self-loop;
  one that repeats a team tie or another cross tie is dropped. A department
  of one node makes no within-department ties.
- **Block layout.** The non-org generators set ``team = i // 8``,
  ``department = i // 80`` and level 0, so an app can lay them out.
- **Clamping.** Degrees that cannot fit are clamped: ``erdos_renyi`` uses
  p = min(1, mean_degree/(n−1)); ``ring_lattice``/``watts_strogatz`` use
  k = mean_degree rounded half-up to an even integer, at most n − 1 (for
  even n, k = n means complete); ``barabasi_albert`` uses
  m = max(1, round-half-up(mean_degree/2)), at most n − 1.
- **erdos_renyi** is exact G(n, p): the edge count is drawn from the
  binomial and that many distinct pairs are sampled uniformly (duplicates
  redrawn). For p > 0.5 every pair is enumerated instead.
- **watts_strogatz** rewires each lattice edge's far end with probability
  ``rewire`` to a uniform node other than the near end, in vectorised
  rounds: a draw that would duplicate a present tie is redrawn (up to 32
  rounds, best effort like networkx); if no free partner is found the
  original tie stays, so the tie count is exact.
- **barabasi_albert** follows networkx: a star of m + 1 nodes, then each
  new node attaches to m distinct nodes drawn from the repeated-nodes list.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..jit import kernel
from .csr import csr_from_edges, first_occurrence, require_build, sorted_member, unique_sorted
from .graph import Network

if TYPE_CHECKING:  # pragma: no cover
    from ..config import OrganisationConfig

#: Largest number of department heads joined in one leadership clique.
LEADERSHIP_CLIQUE_MAX = 100

#: Block sizes of the non-org generators' teams and departments.
BLOCK_TEAM, BLOCK_DEPARTMENT = 8, 80


def _rng(rng: Any) -> np.random.Generator:
    # Accept a seed for convenience; a Generator is used as is (no copy).
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)



def _check_n(n: int) -> int:
    n = int(n)
    if n < 1 or n >= 2**31:
        raise ValueError(f"n must be in 1..2**31-1, got {n}")
    return n


def _check_degree(mean_degree: float) -> float:
    if not 0 <= mean_degree < math.inf:  # also refuses nan
        raise ValueError(f"mean_degree must be a finite number >= 0, got {mean_degree}")
    return float(mean_degree)




# Sizes: how many ties a generator will make, checked before it allocates


def _org_ties(n: int, team_size: int, teams_per_department: int, cross_ties: float) -> int:
    """Undirected ties of :func:`org_network` (cross ties at their mean)."""
    s = min(int(team_size), n)
    heads = -(-n // (s * int(teams_per_department)))
    return int(
        n * (s - 1) // 2  # team cliques
        + n // s  # leads to heads
        + heads * min(heads - 1, LEADERSHIP_CLIQUE_MAX - 1) // 2 + heads  # leadership
        + math.ceil(n * cross_ties / 2)
    )


def _lattice_half(n: int, mean_degree: float) -> int:
    """Ties per node on each side of the ring (k/2, at most n // 2)."""
    return min(_half_up(mean_degree / 2), n // 2)


def _ba_m(n: int, mean_degree: float) -> int:
    return min(max(1, _half_up(mean_degree / 2)), n - 1)


def generator_ties(generator: str, n: int, cfg: OrganisationConfig) -> int:
    """Undirected ties the named generator makes for ``n`` employees."""
    d = cfg.mean_degree
    if generator == "org":
        return _org_ties(n, cfg.team_size, cfg.teams_per_department, cfg.cross_ties)
    if generator == "erdos_renyi":
        return math.ceil(n * min(d, n - 1) / 2)
    if generator in ("ring_lattice", "watts_strogatz"):
        return n * _lattice_half(n, d)
    if generator == "barabasi_albert":
        return n * _ba_m(n, d) if n > 1 else 0
    return 0  # complete: no edge list



def _blocks(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Block department/team assignment and level 0 for the non-org generators."""
    i = np.arange(n, dtype=np.int32)
    return i // BLOCK_DEPARTMENT, i // BLOCK_TEAM, np.zeros(n, np.int8)


def _network(src: np.ndarray, dst: np.ndarray, n: int) -> Network:
    indptr, indices = csr_from_edges(src, dst, n)
    department, team, level = _blocks(n)
    return Network(indptr, indices, department, team, level)


def _block_cliques(members: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """All ties inside consecutive blocks of ``size`` members (last block smaller)."""
    members = np.asarray(members, np.int32)
    full, rest = divmod(len(members), size)
    a, b = np.triu_indices(size, 1)
    starts = np.arange(full, dtype=np.int64)[:, None] * size
    src = [members[(starts + a).ravel()]]
    dst = [members[(starts + b).ravel()]]
    if rest > 1:
        a, b = np.triu_indices(rest, 1)
        src.append(members[full * size + a])
        dst.append(members[full * size + b])
    return np.concatenate(src), np.concatenate(dst)


def _uniform_index(u: np.ndarray, size: np.ndarray | int) -> np.ndarray:
    """floor(u · size) for u in [0, 1), guarded against rounding up to ``size``."""
    return np.minimum((u * size).astype(np.int64), np.asarray(size) - 1)


def org_network(
    n: int,
    team_size: int = 8,
    teams_per_department: int = 10,
    cross_ties: float = 3.0,
    within_department: float = 0.7,
    hub_sigma: float = 0.6,
    rng: np.random.Generator | int | None = None,
) -> Network:
    """The default organisation: team cliques, a hierarchy and cross-team ties.

    Nodes are ordered by department, then team. Teams of ``team_size`` are
    cliques; the first node of each team is its lead (level 1) and ties to
    the department head (level 2), who is the lead of the department's first
    team; the heads form a leadership clique (in blocks of
    :data:`LEADERSHIP_CLIQUE_MAX` at very large sizes, see the module
    notes). Each employee i adds Poisson(cross_ties/2 · a_i) ties, a_i ~
    LogNormal(−σ²/2, σ) (mean 1; larger σ makes more hubs), a share
    ``within_department`` of them to a uniform random other node of the same
    department, the rest to a uniform random other node anywhere. When ``n``
    is not a multiple, the last team and department are smaller.

    Parameters
    ----------
    n : int
        Number of employees.
    team_size, teams_per_department : int
        Team and department sizes.
    cross_ties : float
        Mean number of cross ties per employee (each counts at both ends).
    within_department : float
        Share of cross ties that stay inside the department.
    hub_sigma : float
        σ of the log-normal activity a_i.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    Network
        Mean degree ≈ 10 and average clustering ≈ 0.5 at the defaults.

    Examples
    --------
    >>> net = org_network(2000, rng=np.random.default_rng(1))
    >>> net.n, int(net.level.max()), round(float(net.degree.mean()), 2)
    (2000, 2, 10.33)
    """
    n = _check_n(n)
    rng = _rng(rng)
    if team_size < 1 or teams_per_department < 1:
        raise ValueError("team_size and teams_per_department must be at least 1")
    if not (0 <= cross_ties < math.inf and 0 <= within_department <= 1
            and 0 <= hub_sigma < math.inf):
        raise ValueError("need finite cross_ties >= 0, 0 <= within_department <= 1, "
                         "finite hub_sigma >= 0")
    require_build(n, _org_ties(n, team_size, teams_per_department, cross_ties),
                   "An org network")
    s = int(team_size)
    dsize = s * int(teams_per_department)
    node = np.arange(n, dtype=np.int32)
    level = np.zeros(n, np.int8)
    level[::s] = 1  # team leads
    level[::dsize] = 2  # department heads
    srcs, dsts = _hierarchy_ties(n, s, dsize)
    a, b = _cross_ties(n, dsize, cross_ties, within_department, hub_sigma, rng)
    src = np.concatenate([*srcs, a])
    dst = np.concatenate([*dsts, b])
    del srcs, dsts, a, b  # free the pieces before the sort's buffers are allocated
    indptr, indices = csr_from_edges(src, dst, n)
    return Network(indptr, indices, node // dsize, node // s, level)


def _hierarchy_ties(n: int, s: int, dsize: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Team cliques, leads to their head, and the leadership clique(s) of :func:`org_network`."""
    leads = np.arange(0, n, s, dtype=np.int32)
    a, b = _block_cliques(np.arange(n, dtype=np.int32), s)  # teams
    # Leads to their head (the head's own tie is a self-loop, dropped).
    srcs, dsts = [a, leads], [b, (leads // dsize) * dsize]
    top = np.arange(0, n, dsize, dtype=np.int32)  # the heads
    while len(top) > 1:  # leadership clique, hierarchical when large
        a, b = _block_cliques(top, LEADERSHIP_CLIQUE_MAX)
        srcs.append(a)
        dsts.append(b)
        top = top[::LEADERSHIP_CLIQUE_MAX]
    return srcs, dsts


def _cross_ties(
    n: int,
    dsize: int,
    cross_ties: float,
    within_department: float,
    hub_sigma: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Cross ties of :func:`org_network` as (origin, partner) int32 arrays.

    Draw order is fixed: activity, counts, kind, partner. A partner is a
    uniform *other* node: drawn among size − 1 nodes, skipping the origin.
    """
    sigma = float(hub_sigma)
    activity = rng.lognormal(-(sigma**2) / 2, sigma, n)
    k = rng.poisson(cross_ties / 2 * activity)
    origin = np.repeat(np.arange(n, dtype=np.int32), k)
    within = rng.random(len(origin)) < within_department
    u = rng.random(len(origin))
    lo = (origin.astype(np.int64) // dsize) * dsize  # first node of the department
    size = np.minimum(lo + dsize, n) - lo
    span = np.where(within, size - 1, n - 1)
    base = np.where(within, lo, 0)
    ok = span > 0  # a one-person department has nobody else to tie to
    origin, span, base, u = origin[ok], span[ok], base[ok], u[ok]
    partner = base + _uniform_index(u, span)
    partner += partner >= origin
    return origin, partner.astype(np.int32)


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def ring_lattice(n: int, mean_degree: float = 10.0) -> Network:
    """A ring in which each node ties to the k/2 nearest nodes on each side.

    k is ``mean_degree`` rounded half-up to an even integer, at most n − 1
    (deterministic: no random numbers).

    Examples
    --------
    >>> ring_lattice(10, 4).degree.tolist()
    [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]
    """
    n = _check_n(n)
    mean_degree = _check_degree(mean_degree)
    require_build(n, n * _lattice_half(n, mean_degree), "A ring lattice")
    src, dst = _lattice_edges(n, mean_degree)
    return _network(src, dst, n)


def _lattice_edges(n: int, mean_degree: float) -> tuple[np.ndarray, np.ndarray]:
    half = _lattice_half(n, mean_degree)
    node = np.arange(n, dtype=np.int64)
    # Offset-major order, like networkx's watts_strogatz loop.
    src = np.tile(node, half)
    dst = (src + np.repeat(np.arange(1, half + 1), n)) % n
    return src, dst


def erdos_renyi(
    n: int, mean_degree: float = 10.0, rng: np.random.Generator | int | None = None
) -> Network:
    """G(n, p) with p = mean_degree / (n − 1).

    The number of ties is drawn from Binomial(n(n−1)/2, p) and that many
    distinct pairs are sampled uniformly (repeats redrawn), which is exactly
    G(n, p); for p > 0.5 every pair is enumerated instead.

    Examples
    --------
    >>> net = erdos_renyi(1000, 8, np.random.default_rng(0))
    >>> bool(7.5 < net.degree.mean() < 8.5)
    True
    """
    n = _check_n(n)
    rng = _rng(rng)
    mean_degree = _check_degree(mean_degree)
    require_build(n, math.ceil(n * min(mean_degree, n - 1) / 2), "An erdos_renyi network")
    if n < 2:
        return _network(np.zeros(0, np.int32), np.zeros(0, np.int32), n)
    p = min(1.0, mean_degree / (n - 1))
    pairs = n * (n - 1) // 2
    if p > 0.5:
        # Dense: one Bernoulli draw per pair, row by row (no n² index arrays).
        rows = [np.flatnonzero(rng.random(n - 1 - i) < p).astype(np.int32) + (i + 1)
                for i in range(n - 1)]
        src = np.repeat(np.arange(n - 1, dtype=np.int32), [len(r) for r in rows])
        return _network(src, np.concatenate(rows), n)
    m = int(rng.binomial(pairs, p))
    keys = np.zeros(0, np.int64)
    while len(keys) < m:
        k = m - len(keys)
        a = rng.integers(0, n, k)
        b = rng.integers(0, n - 1, k)
        b += b >= a  # never a self-loop
        new = np.minimum(a, b) * n + np.maximum(a, b)
        keys = unique_sorted(np.concatenate([keys, new]))
    return _network(keys // n, keys % n, n)


def watts_strogatz(
    n: int,
    mean_degree: float = 10.0,
    rewire: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> Network:
    """A ring lattice whose ties' far ends are rewired with probability ``rewire``.

    The new far end is a uniform node other than the near end; a draw that
    would duplicate a tie present at that moment (a kept, a new, or a not yet
    moved lattice tie) is redrawn, up to 32 rounds; a tie that finds no free
    partner stays where it was (like networkx). The number of ties is kept.

    Examples
    --------
    >>> net = watts_strogatz(1000, 6, 0.2, np.random.default_rng(0))
    >>> round(float(net.degree.mean()), 1)
    6.0
    """
    n = _check_n(n)
    rng = _rng(rng)
    if not 0 <= rewire <= 1:
        raise ValueError(f"rewire must be in [0, 1], got {rewire}")
    mean_degree = _check_degree(mean_degree)
    require_build(n, n * _lattice_half(n, mean_degree), "A watts_strogatz network")
    src, dst = _lattice_edges(n, mean_degree)
    if n < 3 or len(src) == 0:
        return _network(src, dst, n)
    dst = dst.copy()
    moved = rng.random(len(src)) < rewire
    # Like networkx, a tie stays in place until its replacement is found, so
    # "taken" is every lattice tie, minus those moved away, plus the new ones.
    # Kept as one big fixed sorted array and two small sorted ones.
    lattice = unique_sorted(np.minimum(src, dst) * n + np.maximum(src, dst))
    added = removed = np.zeros(0, np.int64)
    pending = np.flatnonzero(moved)
    for _ in range(32):
        if len(pending) == 0:
            break
        near = src[pending]
        far = rng.integers(0, n - 1, len(pending))
        far += far >= near  # never a self-loop
        keys = np.minimum(near, far) * n + np.maximum(near, far)
        first = first_occurrence(keys)  # repeats inside the batch
        taken = ((sorted_member(keys, lattice) & ~sorted_member(keys, removed))
                 | sorted_member(keys, added))
        good = first & ~taken
        done = pending[good]
        old = np.minimum(src[done], dst[done]) * n + np.maximum(src[done], dst[done])
        removed = unique_sorted(np.concatenate([removed, old]))
        added = unique_sorted(np.concatenate([added, keys[good]]))
        dst[done] = far[good]
        pending = pending[~good]
    # Ties still pending keep their original far end.
    return _network(src, dst, n)



@kernel
def _ba_kernel(n, m, u):  # pragma: no cover - numba
    """Preferential attachment with pre-drawn uniforms ``u``.

    Returns (src, dst, used); ``used`` is −1 when ``u`` ran out, and the
    caller retries with a longer stream (same prefix, so same result).
    """
    n_edges = m + (n - m - 1) * m if n > m else 0
    src = np.empty(n_edges, np.int32)
    dst = np.empty(n_edges, np.int32)
    rep = np.empty(2 * n_edges, np.int32)  # node i appears degree(i) times
    nrep = 0
    e = 0
    for leaf in range(1, m + 1):  # the initial star
        src[e] = 0
        dst[e] = leaf
        e += 1
        rep[nrep] = 0
        rep[nrep + 1] = leaf
        nrep += 2
    mark = np.full(n, -1, np.int64)
    targets = np.empty(m, np.int32)
    k = 0
    for source in range(m + 1, n):
        c = 0
        while c < m:
            if k >= u.shape[0]:
                return src, dst, -1
            j = int(u[k] * nrep)
            if j >= nrep:
                j = nrep - 1
            k += 1
            t = rep[j]
            if mark[t] != source:
                mark[t] = source
                targets[c] = t
                c += 1
        for j in range(m):
            src[e] = source
            dst[e] = targets[j]
            e += 1
            rep[nrep] = targets[j]
            nrep += 1
        for _ in range(m):
            rep[nrep] = source
            nrep += 1
    return src, dst, k


def barabasi_albert(
    n: int, mean_degree: float = 10.0, rng: np.random.Generator | int | None = None
) -> Network:
    """Preferential attachment with m = max(1, round(mean_degree / 2)) ties per new node.

    As in networkx: a star of m + 1 nodes, then each new node ties to m
    distinct nodes drawn with probability proportional to degree (from the
    repeated-nodes list). Uniforms are drawn from ``rng`` beforehand.

    Examples
    --------
    >>> net = barabasi_albert(1000, 6, np.random.default_rng(0))
    >>> net.n_edges == 3 + (1000 - 4) * 3
    True
    """
    n = _check_n(n)
    rng = _rng(rng)
    mean_degree = _check_degree(mean_degree)
    m = _ba_m(n, mean_degree)
    require_build(n, n * m, "A barabasi_albert network")
    need = max(n - m - 1, 0) * m
    chunk = need + need // 4 + 64
    u = rng.random(chunk)
    while True:
        src, dst, used = _ba_kernel(n, m, u)
        if used >= 0:
            break
        u = np.concatenate([u, rng.random(chunk)])
    return _network(src, dst, n)


def complete_network(n: int) -> Network:
    """A well-mixed population: every pair tied, but no edges stored.

    Examples
    --------
    >>> net = complete_network(5)
    >>> net.complete, net.n_edges, net.degree.tolist()
    (True, 10, [4, 4, 4, 4, 4])
    """
    n = _check_n(n)
    require_build(n, 0, "A complete network")
    department, team, level = _blocks(n)
    return Network(
        np.zeros(n + 1, np.int64), np.zeros(0, np.int32), department, team, level,
        complete=True,
    )

