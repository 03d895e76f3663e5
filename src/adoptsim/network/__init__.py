"""Organisation networks as symmetric CSR arrays (docs/odd.md, sections 2.2 and 8.15).

Every builder returns a :class:`Network`: undirected ties stored twice in CSR
arrays, plus each node's department, team and level.

==================  ==============================================================
module              what it holds
==================  ==============================================================
:mod:`.graph`       the :class:`Network` type
:mod:`.csr`         CSR construction (a radix sort in numba) and set helpers
:mod:`.generators`  ``org`` and the textbook graphs, and their sizes beforehand
:mod:`.edgelist`    reading a real organisation from CSV/TSV files
:mod:`.tables`      reading CSV/TSV tables line by line, with clear errors
:mod:`.build`       the network a scenario asks for (:func:`build_network`)
:mod:`.stats`       structure the model ranks by (ties outside one's department)
==================  ==============================================================

Examples
--------
>>> import numpy as np
>>> net = org_network(2000, rng=np.random.default_rng(1))
>>> net.n, int(net.level.max())
(2000, 2)
"""

from .build import build_network, estimate_size
from .csr import csr_from_edges
from .edgelist import EdgeListWarning, load_edgelist
from .generators import (
    LEADERSHIP_CLIQUE_MAX,
    barabasi_albert,
    complete_network,
    erdos_renyi,
    org_network,
    ring_lattice,
    watts_strogatz,
)
from .graph import KEPT_BYTES_PER_NODE, KEPT_BYTES_PER_TIE, Network
from .stats import outside_group_degree

__all__ = [
    "KEPT_BYTES_PER_NODE",
    "KEPT_BYTES_PER_TIE",
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
    "outside_group_degree",
    "ring_lattice",
    "watts_strogatz",
]
