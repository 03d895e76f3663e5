"""The floor a run is measured against: one neighbour pass and one node update a week.

:func:`one_pass_run` runs 104 weeks of the simplest model with the same
shape as adoptsim's week on the same network: each week one pass over every
node's ties (counting active neighbours) and one update of every node (a
logistic posting decision on a counter-based uniform). Nothing a real model
needs is in it: it is the cost of touching the network and the population
once a week. ``benchmarks/run.py`` reports a bare adoptsim run as a
multiple of it, measured side by side in the same process.

Examples
--------
>>> import numpy as np
>>> from adoptsim.config import load_config
>>> from adoptsim.network import build_network
>>> net = build_network(load_config(overrides={"organisation.employees": 200}).organisation,
...                     np.random.default_rng(0))
>>> 0 < one_pass_run(net.indptr, net.indices, 10, 1) <= 200
True
"""

from __future__ import annotations

import math

import numpy as np

from adoptsim.jit import kernel
from adoptsim.model.rng import entity_key, stream_key, uniform


@kernel
def one_pass_run(indptr, indices, weeks, seed):
    """Weeks of one neighbour pass and one node update; returns the active count at the end."""
    n = len(indptr) - 1
    active = np.zeros(n, np.bool_)
    active[0] = True
    counts = np.zeros(n, np.int32)
    for t in range(weeks):
        for i in range(n):  # the neighbour pass
            c = 0
            for e in range(indptr[i], indptr[i + 1]):
                c += active[indices[e]]
            counts[i] = c
        base = stream_key(seed, t, 0)
        for i in range(n):  # the node update
            k = indptr[i + 1] - indptr[i]
            share = counts[i] / k if k > 0 else 0.0
            p = 1.0 / (1.0 + math.exp(-(-3.0 + 4.0 * share)))
            active[i] = uniform(entity_key(base, i), 0) < p
    return int(active.sum())
