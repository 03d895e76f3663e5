"""The organisation network: a symmetric CSR graph with each employee's place.

Undirected ties are stored twice (``i -> j`` and ``j -> i``) in CSR arrays
``indptr``/``indices``, rows sorted ascending, no self-loops, no duplicates,
plus each node's department, team and level. networkx is used only on
request (:meth:`Network.to_networkx`), for export and drawing.

Examples
--------
>>> import numpy as np
>>> net = Network(np.array([0, 1, 2]), np.array([1, 0], np.int32), np.zeros(2, np.int32),
...               np.zeros(2, np.int32), np.zeros(2, np.int8))
>>> net.n, net.n_edges, net.degree.tolist()
(2, 1, [1, 1])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import networkx

#: Largest complete network :meth:`Network.to_networkx` will build.
NX_COMPLETE_MAX = 5000

#: Bytes a built network keeps per tie (two int32 CSR entries) and per node
#: (int64 ``indptr``, int32 department and team, int8 level).
KEPT_BYTES_PER_TIE, KEPT_BYTES_PER_NODE = 8, 17


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

