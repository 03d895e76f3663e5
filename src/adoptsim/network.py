"""Organisation networks as symmetric CSR arrays (DESIGN §1.2).

Every generator returns a :class:`Network`: undirected ties stored twice
(``i -> j`` and ``j -> i``) in CSR arrays ``indptr``/``indices``, rows sorted
ascending, no self-loops, no duplicates, plus each node's department, team
and level. Generators are vectorised (numpy, or numba where the work is
sequential) and take all randomness from the one ``numpy.random.Generator``
they are given, so the same seed gives bit-identical arrays. networkx is
used only on request (:meth:`Network.to_networkx`), for export and drawing.

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
- **Edge lists** (:func:`load_edgelist`): CSV, TSV (or semicolon-separated)
  with a header naming ``source`` and ``target`` (case-insensitive) and an
  optional ``weight``; other columns are ignored. Ids are stripped of
  surrounding spaces and otherwise arbitrary strings. Blank lines are
  skipped. Weights must be finite and ≥ 0. Self-loops are dropped; duplicate
  ties (including the reversed pair) are merged keeping the **largest**
  weight; both are reported with :func:`warnings.warn`. Node order is the
  node table's row order if given, else first appearance in the edge list.
  Without a node table: department 0, ``team = i // 8``, level 0. In a node
  table (header ``id`` plus any of ``department, team, level, comms``)
  department and team labels become integer ids: sorted numerically when all
  labels are plain integers ("7", not "07"), else in order of first appearance; a team is a
  (department, team) pair, numbered department by department; without a
  ``team`` column each department is one team. ``level`` must be 0, 1 or 2;
  ``comms`` accepts 1/0, true/false, yes/no (case-insensitive) and an empty
  cell (false); other cells may not be empty.
- **Two edge-list readers.** A clean file is read by pyarrow's CSV reader
  (10⁶ edges in about a second); anything unusual (wrong field count,
  padded or empty ids, bad weights, unknown ids, bad bytes) makes it hand
  over to a line-by-line ``csv`` reader, which is the reference: it accepts
  the same files and writes the error message with the line number.
- **CSR construction** is an LSD radix sort of the keys ``row << b | col``
  in numba (12-bit digits: cache-friendly scatters), O(edges + n). The set
  operations use ``np.sort``, not ``np.unique``/``np.isin``, whose hash path
  in numpy 2.x is ~50x slower on millions of distinct int64 keys.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from .errors import InputError
from .kernels import JIT
from .memory import format_bytes, require_memory

if TYPE_CHECKING:  # pragma: no cover
    import networkx

    from .config import OrganisationConfig

__all__ = [
    "LEADERSHIP_CLIQUE_MAX",
    "EdgeListWarning",
    "Network",
    "barabasi_albert",
    "build_network",
    "complete_network",
    "csr_from_edges",
    "erdos_renyi",
    "estimate_size",
    "load_edgelist",
    "org_network",
    "ring_lattice",
    "watts_strogatz",
]

#: Largest number of department heads joined in one leadership clique.
LEADERSHIP_CLIQUE_MAX = 100

#: Block sizes of the non-org generators' teams and departments.
BLOCK_TEAM, BLOCK_DEPARTMENT = 8, 80

#: Largest complete network :meth:`Network.to_networkx` will build.
NX_COMPLETE_MAX = 5000

#: Peak bytes per undirected tie while a generator builds a network: the
#: edge arrays, the CSR radix sort's keys and buffers, and the CSR itself
#: (measured 50-70 bytes at 10⁶ employees for every generator).
BUILD_BYTES_PER_TIE = 72
#: Peak bytes per node while building (labels, degrees, draws per node).
BUILD_BYTES_PER_NODE = 48
#: Bytes a built network keeps per tie (two int32 CSR entries) and per node
#: (int64 ``indptr``, int32 department and team, int8 level).
KEPT_BYTES_PER_TIE, KEPT_BYTES_PER_NODE = 8, 17
#: Peak bytes per byte of an edge-list file while it is parsed (pyarrow's
#: table of strings, the interleaved ends and their dictionary encoding).
READ_BYTES_PER_FILE_BYTE = 3


class EdgeListWarning(UserWarning):
    """A repaired problem in an edge list (self-loops dropped, duplicate ties merged).

    The message is a single line naming the file.
    """


@dataclass(frozen=True, eq=False)
class Network:
    """An undirected organisation network in symmetric CSR form.

    Attributes
    ----------
    indptr : numpy.ndarray
        int64, shape (n + 1,); row ``i`` is ``indices[indptr[i]:indptr[i+1]]``.
    indices : numpy.ndarray
        int32 neighbour ids; rows sorted ascending; symmetric; no self-loops
        or duplicates.
    department, team : numpy.ndarray
        int32, shape (n,); team ids are global (0 .. n_teams − 1).
    level : numpy.ndarray
        int8: 0 staff, 1 team lead, 2 department head.
    complete : bool
        Well-mixed population: no edges are stored (``indptr`` is all zeros)
        and kernels use population shares instead.
    weights : numpy.ndarray or None
        float64 per CSR entry, for an edge list with a ``weight`` column.
    labels : numpy.ndarray or None
        Original node ids (object array of str) for an edge list.
    comms : numpy.ndarray or None
        bool (n,): nodes flagged as the communications team in a node table.
    """

    indptr: np.ndarray
    indices: np.ndarray
    department: np.ndarray
    team: np.ndarray
    level: np.ndarray
    complete: bool = False
    weights: np.ndarray | None = None
    labels: np.ndarray | None = None
    comms: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of nodes (employees)."""
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of undirected ties (n(n−1)/2 for a complete network)."""
        if self.complete:
            return self.n * (self.n - 1) // 2
        return int(self.indptr[-1]) // 2

    @property
    def degree(self) -> np.ndarray:
        """Each node's number of ties (int64; n − 1 everywhere if complete)."""
        if self.complete:
            return np.full(self.n, max(self.n - 1, 0), np.int64)
        return np.diff(self.indptr)

    def to_networkx(self) -> networkx.Graph:
        """The network as a :class:`networkx.Graph`, for export and drawing.

        Nodes are ``0 .. n−1`` with attributes ``department``, ``team`` and
        ``level`` (plus ``label`` and ``comms`` when known); ties carry
        ``weight`` when the network has weights.

        Raises
        ------
        ValueError
            For a complete network of more than 5,000 nodes (12.5 million
            ties is no longer a drawing).
        """
        import networkx as nx

        n = self.n
        if self.complete and n > NX_COMPLETE_MAX:
            raise ValueError(
                f"refusing to build a complete networkx graph of {n} nodes "
                f"(limit {NX_COMPLETE_MAX}); a well-mixed population has no edge list"
            )
        g = nx.Graph()
        columns: dict[str, list] = {
            "department": self.department.tolist(),
            "team": self.team.tolist(),
            "level": self.level.tolist(),
        }
        if self.labels is not None:
            columns["label"] = [str(x) for x in self.labels]
        if self.comms is not None:
            columns["comms"] = self.comms.tolist()
        keys = list(columns)
        g.add_nodes_from(
            (i, dict(zip(keys, values, strict=True)))
            for i, values in enumerate(zip(*columns.values(), strict=True))
        )
        if self.complete:
            g.add_edges_from((i, j) for i in range(n) for j in range(i + 1, n))
            return g
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        upper = rows < self.indices  # each tie once
        src, dst = rows[upper].tolist(), self.indices[upper].tolist()
        if self.weights is None:
            g.add_edges_from(zip(src, dst, strict=True))
        else:
            w = self.weights[upper].tolist()
            g.add_weighted_edges_from(zip(src, dst, w, strict=True))
        return g


# ---------------------------------------------------------------------------
# CSR construction


#: Radix digit width of the CSR sort: 2**12 buckets keep each pass's write
#: frontiers in cache, which beats one full-width counting sort per
#: coordinate (random writes) by about 2x on 10**7 random edges.
_DIGIT_BITS = 12


@njit(**JIT)
def _csr_kernel(src, dst, weights, n, has_w):  # pragma: no cover - numba
    """Symmetric CSR by an LSD radix sort of the keys ``row << b | col``.

    Each tie gives two keys (both directions; self-loops skipped). All digit
    histograms are counted in one pass, the first scatter builds the keys on
    the fly, and after the last pass the keys are sorted by (row, col), so
    rows come out sorted and duplicates are adjacent: one sequential pass
    drops them (keeping the largest weight) and counts the rows.
    """
    m = src.shape[0]
    nbits = 1
    while (1 << nbits) < n:
        nbits += 1
    tbits = 2 * nbits
    npass = (tbits + _DIGIT_BITS - 1) // _DIGIT_BITS
    db = (tbits + npass - 1) // npass
    nd = 1 << db
    mask = nd - 1
    hist = np.zeros((npass, nd), np.int64)
    total = 0
    for e in range(m):
        s = np.int64(src[e])
        d = np.int64(dst[e])
        if s != d:
            a = (s << nbits) | d
            b = (d << nbits) | s
            for p in range(npass):
                sh = p * db
                hist[p, (a >> sh) & mask] += 1
                hist[p, (b >> sh) & mask] += 1
            total += 2
    for p in range(npass):
        acc = 0
        for i in range(nd):
            c = hist[p, i]
            hist[p, i] = acc
            acc += c
    nw = total if has_w else 0
    keys = np.empty(total, np.int64)
    buf = np.empty(total, np.int64)
    wk = np.empty(nw, np.float64)
    wb = np.empty(nw, np.float64)
    h = hist[0]
    for e in range(m):  # first pass straight from the edge list
        s = np.int64(src[e])
        d = np.int64(dst[e])
        if s != d:
            a = (s << nbits) | d
            q = h[a & mask]
            keys[q] = a
            h[a & mask] = q + 1
            if has_w:
                wk[q] = weights[e]
            b = (d << nbits) | s
            q = h[b & mask]
            keys[q] = b
            h[b & mask] = q + 1
            if has_w:
                wk[q] = weights[e]
    for p in range(1, npass):
        sh = p * db
        h = hist[p]
        for i in range(total):
            x = keys[i]
            j = (x >> sh) & mask
            q = h[j]
            buf[q] = x
            h[j] = q + 1
            if has_w:
                wb[q] = wk[i]
        keys, buf = buf, keys
        wk, wb = wb, wk

    indptr = np.zeros(n + 1, np.int64)
    cols = np.empty(total, np.int32)
    cmask = (np.int64(1) << nbits) - 1
    k = 0
    prev = -1
    for i in range(total):
        x = keys[i]
        if x != prev:
            cols[k] = x & cmask
            if has_w:
                wb[k] = wk[i]
            indptr[(x >> nbits) + 1] += 1
            k += 1
            prev = x
        elif has_w and wk[i] > wb[k - 1]:
            wb[k - 1] = wk[i]
    for i in range(n):
        indptr[i + 1] += indptr[i]
    return indptr, cols, wb, k


def _as_index_array(a: Any, name: str, n: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} holds node ids outside 0..{n - 1}")
    return np.ascontiguousarray(arr, dtype=np.int32)


def _csr(
    src: Any, dst: Any, n: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Like :func:`csr_from_edges`, also carrying per-edge weights (max kept)."""
    n = int(n)
    if n < 0 or n >= 2**31:
        raise ValueError(f"n must be in 0..2**31-1, got {n}")
    s = _as_index_array(src, "src", n)
    d = _as_index_array(dst, "dst", n)
    if len(s) != len(d):
        raise ValueError(f"src and dst differ in length ({len(s)} vs {len(d)})")
    has_w = weights is not None
    w = (
        np.ascontiguousarray(weights, dtype=np.float64)
        if has_w
        else np.zeros(0, np.float64)
    )
    if has_w and len(w) != len(s):
        raise ValueError(f"weights has length {len(w)}, expected {len(s)}")
    indptr, cols, wout, k = _csr_kernel(s, d, w, n, has_w)
    # Duplicates leave slack at the end. A view keeps it allocated; copy only
    # when that is more than a tenth, since the copy costs time as well.
    indices = _trim(cols, k)
    return indptr, indices, (_trim(wout, k) if has_w else None)


def _trim(a: np.ndarray, k: int) -> np.ndarray:
    return a[:k] if 10 * (len(a) - k) <= len(a) else a[:k].copy()


def csr_from_edges(src: Any, dst: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays from an edge list.

    Each pair is stored in both directions; self-loops and duplicates
    (including reversed pairs) are dropped; each row is sorted ascending.
    Runs in O(len(src) + n): an LSD radix sort in numba.

    Parameters
    ----------
    src, dst : array_like of int
        Endpoints, node ids in ``0 .. n−1``.
    n : int
        Number of nodes.

    Returns
    -------
    indptr : numpy.ndarray
        int64, shape (n + 1,).
    indices : numpy.ndarray
        int32, shape (indptr[-1],).

    Examples
    --------
    >>> indptr, indices = csr_from_edges([0, 1, 2, 2], [1, 0, 2, 0], 3)
    >>> indptr.tolist(), indices.tolist()
    ([0, 2, 3, 4], [1, 2, 0, 0])
    """
    indptr, indices, _ = _csr(src, dst, n)
    return indptr, indices


# ---------------------------------------------------------------------------
# Generators


def _rng(rng: Any) -> np.random.Generator:
    # Accept a seed for convenience; a Generator is used as is (no copy).
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


# Sort-based set helpers: numpy 2.x's hash-based np.unique/isin/union1d take
# seconds on millions of distinct int64 keys, np.sort a tenth of a second.


def _unique_sorted(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values of ``x``."""
    x = np.sort(x)
    keep = np.ones(len(x), bool)
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _first_occurrence(x: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each distinct value of ``x``."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    first = np.ones(len(x), bool)
    np.not_equal(xs[1:], xs[:-1], out=first[1:])
    mask = np.zeros(len(x), bool)
    mask[order[first]] = True
    return mask


def _dense_codes(x: np.ndarray) -> np.ndarray:
    """Codes 0..k−1 of the distinct values of ``x`` in ascending order (int32)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    step = np.zeros(len(x), np.int32)
    np.not_equal(xs[1:], xs[:-1], out=step[1:], casting="unsafe")
    codes = np.empty(len(x), np.int32)
    codes[order] = np.cumsum(step, dtype=np.int32)
    return codes


def _check_n(n: int) -> int:
    n = int(n)
    if n < 1 or n >= 2**31:
        raise ValueError(f"n must be in 1..2**31-1, got {n}")
    return n


def _check_degree(mean_degree: float) -> float:
    if not 0 <= mean_degree < math.inf:  # also refuses nan
        raise ValueError(f"mean_degree must be a finite number >= 0, got {mean_degree}")
    return float(mean_degree)


# ---------------------------------------------------------------------------
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


def _generator_ties(generator: str, n: int, cfg: OrganisationConfig) -> int:
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


def _build_bytes(n: int, ties: int) -> int:
    """Peak bytes of building a network of ``n`` nodes and ``ties`` undirected ties."""
    return BUILD_BYTES_PER_TIE * ties + BUILD_BYTES_PER_NODE * n


def _require_build(n: int, ties: int, what: str) -> None:
    require_memory(
        _build_bytes(n, ties),
        f"{what} ({n:,} employees, about {ties:,} ties)",
        "Use fewer employees or fewer ties per employee.",
    )


def _count_lines(path: Path) -> tuple[int, int]:
    """(lines, bytes) of a file, reading it in blocks; (0, 0) if it cannot be read
    (the reader reports that with the line number)."""
    lines = size = 0
    last = b"\n"
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 22):
                lines += block.count(b"\n")
                size += len(block)
                last = block[-1:]
    except (OSError, ValueError):
        return 0, 0
    return lines + (last != b"\n"), size  # a last line without a line break counts too


def _edgelist_size(edges: Path, nodes: Path | None) -> tuple[int, int, int]:
    """(employees, ties, peak bytes) of reading an edge list, estimated from its lines.

    Every line but the header is taken to be a tie. Without a node table the
    number of employees is taken to be the number of ties (the exact check
    of the population follows once the file is read).
    """
    ties, size = _count_lines(edges)
    ties = max(ties - 1, 0)
    n = max(_count_lines(nodes)[0] - 1, 0) if nodes is not None else ties
    return n, ties, READ_BYTES_PER_FILE_BYTE * size + _build_bytes(n, ties)


def estimate_size(
    cfg: OrganisationConfig, resolve: Callable[[str], Path] = Path
) -> tuple[int, int, int]:
    """Estimate what a scenario's ``[organisation]`` will build, before building it.

    Parameters
    ----------
    cfg : OrganisationConfig
        The section.
    resolve : callable
        Maps ``cfg.edges``/``cfg.nodes`` to paths, e.g.
        ``ScenarioConfig.resolve_path``.

    Returns
    -------
    employees, ties, peak_bytes : int
        Employees, undirected ties (0 for ``complete``, which stores none) and
        the peak memory of building the network in bytes. For an edge list
        these are read off the files' line counts.

    Examples
    --------
    >>> from adoptsim.config import OrganisationConfig
    >>> estimate_size(OrganisationConfig(generator="ring_lattice", employees=1000))[:2]
    (1000, 5000)
    """
    if cfg.generator == "edgelist" and cfg.edges:
        return _edgelist_size(resolve(cfg.edges), resolve(cfg.nodes) if cfg.nodes else None)
    n = cfg.employees
    ties = _generator_ties(cfg.generator, n, cfg)
    return n, ties, _build_bytes(n, ties)


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
    _require_build(n, _org_ties(n, team_size, teams_per_department, cross_ties),
                   "An org network")
    s = int(team_size)
    dsize = s * int(teams_per_department)
    node = np.arange(n, dtype=np.int32)
    team = node // s
    department = node // dsize
    level = np.zeros(n, np.int8)
    leads = np.arange(0, n, s, dtype=np.int32)
    heads = np.arange(0, n, dsize, dtype=np.int32)
    level[leads] = 1
    level[heads] = 2

    srcs, dsts = [], []
    a, b = _block_cliques(node, s)  # teams
    srcs.append(a)
    dsts.append(b)
    srcs.append(leads)  # leads to their head (the head's own tie is a self-loop, dropped)
    dsts.append((leads // dsize) * dsize)
    top = heads
    while len(top) > 1:  # leadership clique, hierarchical when large
        a, b = _block_cliques(top, LEADERSHIP_CLIQUE_MAX)
        srcs.append(a)
        dsts.append(b)
        top = top[::LEADERSHIP_CLIQUE_MAX]

    a, b = _cross_ties(n, dsize, cross_ties, within_department, hub_sigma, rng)
    srcs.append(a)
    dsts.append(b)
    src = np.concatenate(srcs)
    dst = np.concatenate(dsts)
    del srcs, dsts, a, b  # free the pieces before the sort's buffers are allocated
    indptr, indices = csr_from_edges(src, dst, n)
    return Network(indptr, indices, department, team, level)


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
    _require_build(n, n * _lattice_half(n, mean_degree), "A ring lattice")
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
    _require_build(n, math.ceil(n * min(mean_degree, n - 1) / 2), "An erdos_renyi network")
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
        keys = _unique_sorted(np.concatenate([keys, new]))
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
    _require_build(n, n * _lattice_half(n, mean_degree), "A watts_strogatz network")
    src, dst = _lattice_edges(n, mean_degree)
    if n < 3 or len(src) == 0:
        return _network(src, dst, n)
    dst = dst.copy()
    moved = rng.random(len(src)) < rewire
    # Like networkx, a tie stays in place until its replacement is found, so
    # "taken" is every lattice tie, minus those moved away, plus the new ones.
    # Kept as one big fixed sorted array and two small sorted ones.
    lattice = _unique_sorted(np.minimum(src, dst) * n + np.maximum(src, dst))
    added = removed = np.zeros(0, np.int64)
    pending = np.flatnonzero(moved)
    for _ in range(32):
        if len(pending) == 0:
            break
        near = src[pending]
        far = rng.integers(0, n - 1, len(pending))
        far += far >= near  # never a self-loop
        keys = np.minimum(near, far) * n + np.maximum(near, far)
        first = _first_occurrence(keys)  # repeats inside the batch
        taken = (_member(keys, lattice) & ~_member(keys, removed)) | _member(keys, added)
        good = first & ~taken
        done = pending[good]
        old = np.minimum(src[done], dst[done]) * n + np.maximum(src[done], dst[done])
        removed = _unique_sorted(np.concatenate([removed, old]))
        added = _unique_sorted(np.concatenate([added, keys[good]]))
        dst[done] = far[good]
        pending = pending[~good]
    # Ties still pending keep their original far end.
    return _network(src, dst, n)


def _member(x: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Membership of ``x`` in a sorted array, in O(len(x) log len(sorted_keys))."""
    if len(sorted_keys) == 0:
        return np.zeros(len(x), bool)
    i = np.minimum(np.searchsorted(sorted_keys, x), len(sorted_keys) - 1)
    return sorted_keys[i] == x


@njit(**JIT)
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
    _require_build(n, n * m, "A barabasi_albert network")
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
    _require_build(n, 0, "A complete network")
    department, team, level = _blocks(n)
    return Network(
        np.zeros(n + 1, np.int64), np.zeros(0, np.int32), department, team, level,
        complete=True,
    )


# ---------------------------------------------------------------------------
# Edge lists

_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}


class _Slow(Exception):
    """The fast edge-list reader met something odd: re-read line by line."""


def _io_errors(path: Path, what: str) -> Callable[[BaseException, int], InputError]:
    """Turn I/O and decoding exceptions into one-paragraph :class:`InputError`s."""

    def convert(exc: BaseException, line: int) -> InputError:
        if isinstance(exc, FileNotFoundError):
            return InputError(f"{what} {path} does not exist.")
        if isinstance(exc, IsADirectoryError):
            return InputError(f"{what} {path} is a directory, not a CSV/TSV file.")
        if isinstance(exc, PermissionError):
            return InputError(f"{what} {path} cannot be read (permission denied).")
        if isinstance(exc, UnicodeDecodeError):
            return InputError(
                f"{what} {path} is not a UTF-8 text file (undecodable bytes near line "
                f"{line + 1}); save it as UTF-8 CSV or TSV."
            )
        if isinstance(exc, csv.Error):
            return InputError(f"{what} {path}, near line {line + 1}: unreadable row ({exc}).")
        strerror = getattr(exc, "strerror", None)
        return InputError(f"{what} {path} cannot be read ({strerror or exc}).")

    return convert


_READ_ERRORS = (OSError, UnicodeDecodeError, csv.Error)


def _header(
    f: Any, path: Path, what: str, required: tuple[str, ...], example: str
) -> tuple[list[str], str, int]:
    """Read the header line: (lower-cased column names, delimiter, its line number).

    The delimiter is a tab if the header has tabs and no commas (or the file
    ends in .tsv/.tab), a semicolon if it has only semicolons, else a comma.
    """
    line = 0
    header = ""
    while not header.strip():
        header = f.readline()
        if not header:
            raise InputError(
                f"{what} {path} is empty. It needs a header line naming the columns "
                f"{example} and then one row per line."
            )
        line += 1
    text = header.rstrip("\r\n")
    if "\t" in text and ("," not in text or path.suffix.lower() in (".tsv", ".tab")):
        delim = "\t"
    elif "," not in text and ";" in text:
        delim = ";"
    else:
        delim = ","
    names = [c.strip().lower() for c in next(csv.reader([text], delimiter=delim))]
    missing = [r for r in required if r not in names]
    if missing:
        raise InputError(
            f"{what} {path}, line {line}: the first line must be a header naming "
            f"the columns {example} (comma- or tab-separated), but it is {text!r} "
            f"(missing {', '.join(repr(m) for m in missing)})."
        )
    dup = sorted({c for c in names if c and names.count(c) > 1})
    if dup:
        raise InputError(
            f"{what} {path}, line {line}: the header names column(s) "
            f"{', '.join(repr(d) for d in dup)} more than once."
        )
    return names, delim, line


def _table(path: Path, what: str, required: tuple[str, ...], example: str) -> Iterator[Any]:
    """Read a CSV/TSV table line by line: yield the column map, then rows.

    Yields ``{name: column}`` once, then ``(line_number, fields)`` for each
    non-blank row with the header's number of fields. Every I/O, decoding or
    format problem becomes an :class:`InputError` naming the file and line.
    """
    line = 0  # last line read, for error messages
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            names, delim, line = _header(f, path, what, required, example)
            ncol = len(names)
            yield {c: i for i, c in enumerate(names)}
            sep = "tab" if delim == "\t" else repr(delim)
            reader = csv.reader(f, delimiter=delim)
            start = line
            for row in reader:
                line_no = line = start + reader.line_num
                if len(row) != ncol:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # blank line
                    raise InputError(
                        f"{what} {path}, line {line_no}: expected {ncol} fields "
                        f"({', '.join(names)}) separated by {sep}, but found {len(row)}. "
                        f"Every row needs one value per header column."
                    )
                yield line_no, row
    except _READ_ERRORS as exc:
        raise _io_errors(path, what)(exc, line) from None


def _label_codes(labels: list[str]) -> np.ndarray:
    """Integer codes: numeric order if all labels are plain integers, else first appearance.

    "Plain" means written the way Python writes the number, so "07" and "7"
    stay different labels.
    """
    try:
        values = [int(x) for x in labels]
        plain = all(str(v) == x for v, x in zip(values, labels, strict=True))
    except ValueError:
        plain = False
    if plain:
        return _dense_codes(np.array(values, np.int64))
    order: dict[str, int] = {}
    return np.array([order.setdefault(x, len(order)) for x in labels], np.int32)


def _read_nodes(path: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Read a node table: ids in order and its department/team/level/comms columns."""
    what = "Node table"
    rows = _table(path, what, ("id",), "id[,department,team,level,comms]")
    cols = next(rows)
    ids: dict[str, int] = {}
    wanted = [c for c in ("department", "team", "level", "comms") if c in cols]
    values: dict[str, list] = {c: [] for c in wanted}
    ic = cols["id"]
    for line_no, row in rows:
        node = row[ic].strip()
        if not node:
            raise InputError(f"{what} {path}, line {line_no}: empty id; every row needs an id.")
        if node in ids:
            raise InputError(
                f"{what} {path}, line {line_no}: id {node!r} appears twice; ids must be unique."
            )
        ids[node] = len(ids)
        for c in wanted:
            v = row[cols[c]].strip()
            if c == "level":
                if v not in ("0", "1", "2"):
                    raise InputError(
                        f"{what} {path}, line {line_no}: level {v!r} is not allowed; "
                        f"use 0 (staff), 1 (team lead) or 2 (department head)."
                    )
                values[c].append(int(v))
            elif c == "comms":
                low = v.lower()
                if low not in _TRUE and low not in _FALSE:
                    raise InputError(
                        f"{what} {path}, line {line_no}: comms {v!r} is not a yes/no value; "
                        f"use 1/0, true/false or yes/no (empty means no)."
                    )
                values[c].append(low in _TRUE)
            else:
                if not v:
                    raise InputError(
                        f"{what} {path}, line {line_no}: empty {c}; give every row a "
                        f"{c} (any name or number) or leave the column out."
                    )
                values[c].append(v)
    if not ids:
        raise InputError(f"{what} {path} has a header but no rows; list one node per line.")
    out: dict[str, np.ndarray] = {}
    n = len(ids)
    dept = (
        _label_codes(values["department"]) if "department" in values else np.zeros(n, np.int32)
    )
    out["department"] = dept
    if "team" in values:
        tcode = _label_codes(values["team"]).astype(np.int64)
        key = dept.astype(np.int64) * (int(tcode.max()) + 1) + tcode
        out["team"] = _dense_codes(key)
    else:
        out["team"] = dept.copy()  # one team per department
    out["level"] = np.array(values.get("level", np.zeros(n)), np.int8)
    if "comms" in values:
        out["comms"] = np.array(values["comms"], bool)
    return ids, out


_EDGES = ("Edge list", ("source", "target"), "source,target[,weight]")

EdgeData = tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray | None]


def _edges_fast(path: Path, fixed: dict[str, int] | None) -> EdgeData:
    """Read an edge list with pyarrow's CSV reader (several times faster).

    Raises :class:`_Slow` on anything unusual (wrong field count, blank or
    padded ids, bad weight, unknown id, decoding trouble) so that
    :func:`_edges_slow` finds the line and writes the message; a clean file
    gives the same result either way.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    what, required, example = _EDGES
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            names, delim, line = _header(f, path, what, required, example)
    except _READ_ERRORS as exc:
        raise _io_errors(path, what)(exc, 0) from None
    if line != 1:
        raise _Slow
    wanted = ["source", "target"] + (["weight"] if "weight" in names else [])
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delim, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        both = pa.concat_arrays(
            [table["source"].combine_chunks(), table["target"].combine_chunks()]
        )
        m = len(table)
        if m and (
            pc.min(pc.utf8_length(both)).as_py() == 0
            or pc.any(pc.not_equal(pc.utf8_trim_whitespace(both), both)).as_py()
        ):
            raise _Slow  # empty or padded ids: the slow reader strips or complains
        # Interleave source and target so that ids are numbered in order of
        # first appearance, as the line-by-line reader does.
        order = np.empty(2 * m, np.int64)
        order[0::2] = np.arange(m)
        order[1::2] = np.arange(m, 2 * m)
        ends = pc.take(both, pa.array(order))
        if fixed is None:
            encoded = pc.dictionary_encode(ends)
            labels = encoded.dictionary.to_pylist()
            ids = dict(zip(labels, range(len(labels)), strict=True))
            codes = encoded.indices.to_numpy(zero_copy_only=False)
        else:
            ids = fixed
            found = pc.index_in(ends, value_set=pa.array(list(fixed), pa.string()))
            if found.null_count:
                raise _Slow
            codes = found.to_numpy(zero_copy_only=False)
        weights = None
        if "weight" in wanted:
            weights = pc.cast(table["weight"], pa.float64()).to_numpy()
            if not np.all((weights >= 0) & np.isfinite(weights)):
                raise _Slow
    except (pa.ArrowException, OSError, ValueError):
        raise _Slow from None
    codes = np.asarray(codes, np.int32)
    return ids, codes[0::2].copy(), codes[1::2].copy(), weights


def _edges_slow(path: Path, fixed: dict[str, int] | None, npath: Path | None) -> EdgeData:
    """Read an edge list row by row, raising :class:`InputError` at the first problem."""
    what, required, example = _EDGES
    rows = _table(path, what, required, example)
    cols = next(rows)
    si, ti, wi = cols["source"], cols["target"], cols.get("weight", -1)
    ids: dict[str, int] = {} if fixed is None else fixed
    src: list[int] = []
    dst: list[int] = []
    wts: list[float] = []
    unknown: dict[str, int] = {}
    for line_no, row in rows:
        ends = []
        for role, col in (("source", si), ("target", ti)):
            node = row[col].strip()
            if not node:
                raise InputError(
                    f"{what} {path}, line {line_no}: empty {role} id; every row needs "
                    f"both a source and a target."
                )
            code = ids.get(node)
            if code is None:
                if fixed is not None:
                    unknown.setdefault(node, line_no)
                    code = -1
                else:
                    code = ids[node] = len(ids)
            ends.append(code)
        src.append(ends[0])
        dst.append(ends[1])
        if wi >= 0:
            text = row[wi].strip()
            try:
                x = float(text)
            except ValueError:
                x = math.nan
            if not 0.0 <= x < math.inf:
                raise InputError(
                    f"{what} {path}, line {line_no}: weight {text!r} is not allowed; "
                    f"weights must be finite numbers >= 0 (or leave the weight column out)."
                )
            wts.append(x)
    if unknown:
        first = list(unknown.items())[:5]
        shown = ", ".join(f"{k!r} (line {v})" for k, v in first)
        more = f" and {len(unknown) - len(first)} more" if len(unknown) > len(first) else ""
        raise InputError(
            f"{what} {path} mentions {len(unknown)} id(s) missing from the node table "
            f"{npath}: {shown}{more}. Add them to the node table or remove their rows."
        )
    weights = np.array(wts, np.float64) if wi >= 0 else None
    return ids, np.array(src, np.int32), np.array(dst, np.int32), weights


def load_edgelist(edges: str | Path, nodes: str | Path | None = None) -> Network:
    """Load a real organisation's network from a CSV/TSV edge list.

    Parameters
    ----------
    edges : str or pathlib.Path
        CSV or TSV with a header naming ``source`` and ``target`` (and
        optionally ``weight``, finite and ≥ 0); one undirected tie per row;
        ids are arbitrary strings. Other columns are ignored.
    nodes : str or pathlib.Path, optional
        Node table with a header ``id`` and any of ``department``, ``team``,
        ``level`` (0–2), ``comms`` (yes/no). Its rows fix the node order and
        keep nodes without ties; every id in ``edges`` must appear in it.

    Returns
    -------
    Network
        With ``labels`` (the ids), ``weights`` if the file has a weight
        column, and ``comms`` if the node table has one.

    Raises
    ------
    InputError
        One paragraph naming the file, the line and the problem: missing,
        empty or unreadable file, missing header, wrong number of fields,
        empty id, bad weight, ids missing from the node table.

    Notes
    -----
    Self-loops are dropped and duplicate ties (also reversed ones) merged,
    keeping the largest weight; both are reported as warnings. See the
    module notes for how node-table labels become integer ids.
    """
    epath = Path(edges)
    npath = Path(nodes) if nodes is not None else None
    for what, path in (("Edge list", epath), ("Node table", npath)):
        if path is not None and "\x00" in str(path):
            raise InputError(
                f"{what} path {str(path)!r} contains a NUL byte (\\x00), which no file path "
                f"can hold; give the file's path without it."
            )
    n_est, ties_est, peak = _edgelist_size(epath, npath)
    require_memory(
        peak,
        f"Reading edge list {_one_line(epath)} (about {ties_est:,} ties, "
        f"{n_est:,} employees)",
        "Use a smaller edge list.",
    )
    node_cols: dict[str, np.ndarray] = {}
    fixed: dict[str, int] | None = None
    if npath is not None:
        fixed, node_cols = _read_nodes(npath)
    try:
        ids, s_arr, d_arr, w_arr = _edges_fast(epath, fixed)
    except _Slow:
        ids, s_arr, d_arr, w_arr = _edges_slow(epath, fixed, npath)
    n = len(ids)
    if n == 0:
        raise InputError(
            f"Edge list {epath} has a header but no ties, and no node table gives nodes; "
            f"add rows 'source,target'."
        )
    loops = int(np.count_nonzero(s_arr == d_arr))
    indptr, indices, weights = _csr(s_arr, d_arr, n, w_arr)
    dups = len(s_arr) - loops - len(indices) // 2
    if loops:
        warnings.warn(
            f"Edge list {_one_line(epath)}: dropped {loops} self-loop(s) (ties of a node "
            f"to itself).",
            EdgeListWarning,
            stacklevel=2,
        )
    if dups:
        warnings.warn(
            f"Edge list {_one_line(epath)}: merged {dups} duplicate tie(s) (also reversed "
            f"pairs)" + ("; kept the largest weight." if weights is not None else "."),
            EdgeListWarning,
            stacklevel=2,
        )
    labels = np.empty(n, object)
    labels[:] = list(ids)
    if fixed is not None:
        department, team, level = node_cols["department"], node_cols["team"], node_cols["level"]
    else:
        department = np.zeros(n, np.int32)
        team = np.arange(n, dtype=np.int32) // BLOCK_TEAM
        level = np.zeros(n, np.int8)
    return Network(
        indptr, indices, department, team, level,
        weights=weights, labels=labels, comms=node_cols.get("comms"),
    )


def _one_line(path: Path) -> str:
    """A path for a one-line message: as is, or quoted with escapes if it holds
    line breaks or other unprintable characters."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def build_network(
    cfg: OrganisationConfig,
    rng: np.random.Generator,
    resolve: Callable[[str], Path] = Path,
) -> Network:
    """Build the network a scenario's ``[organisation]`` section asks for.

    Parameters
    ----------
    cfg : OrganisationConfig
        Dispatches on ``cfg.generator``. For ``edgelist`` the size comes
        from the files and ``employees`` (and the generator keys) are ignored.
    rng : numpy.random.Generator
        The run's generator (unused by ``ring_lattice``, ``complete`` and
        ``edgelist``, so they do not shift later draws).
    resolve : callable
        Maps ``cfg.edges``/``cfg.nodes`` to paths, e.g.
        ``ScenarioConfig.resolve_path``.

    Raises
    ------
    InputError
        For a bad edge list, or a network that would not fit in the available
        memory (refused before allocating, with the estimate; a
        ``MemoryError`` on the way is reported the same way).
    """
    try:
        return _build(cfg, rng, resolve)
    except MemoryError:
        n, ties, peak = estimate_size(cfg, resolve)
        raise InputError(
            f"Building the {cfg.generator} network ({n:,} employees, about {ties:,} ties, "
            f"estimated {format_bytes(peak)} at the peak) ran out of memory. Use fewer "
            f"employees or fewer ties per employee."
        ) from None


def _build(
    cfg: OrganisationConfig, rng: np.random.Generator, resolve: Callable[[str], Path]
) -> Network:
    g = cfg.generator
    n = cfg.employees
    if g == "org":
        return org_network(
            n, cfg.team_size, cfg.teams_per_department, cfg.cross_ties,
            cfg.within_department, cfg.hub_sigma, rng,
        )
    if g == "erdos_renyi":
        return erdos_renyi(n, cfg.mean_degree, rng)
    if g == "watts_strogatz":
        return watts_strogatz(n, cfg.mean_degree, cfg.rewire, rng)
    if g == "barabasi_albert":
        return barabasi_albert(n, cfg.mean_degree, rng)
    if g == "ring_lattice":
        return ring_lattice(n, cfg.mean_degree)
    if g == "complete":
        return complete_network(n)
    if g == "edgelist":
        if not cfg.edges:
            raise InputError("generator 'edgelist' needs organisation.edges (a CSV/TSV path).")
        return load_edgelist(resolve(cfg.edges), resolve(cfg.nodes) if cfg.nodes else None)
    raise InputError(f"unknown organisation.generator {g!r}")
