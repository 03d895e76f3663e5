"""Statistics of a network's structure that the model ranks employees by.

Examples
--------
>>> import numpy as np
>>> from adoptsim.network import csr_from_edges
>>> indptr, indices = csr_from_edges([0, 0, 1], [1, 2, 2], 3)
>>> outside_group_degree(indptr, indices, np.array([0, 0, 1])).tolist()
[1, 1, 2]
"""

import numpy as np
from numba import prange

from ..jit import parallel_kernel


@parallel_kernel
def outside_group_degree(indptr, indices, group):
    """Ties of each node that leave its own group (department: the ``bridging`` score)."""
    n = len(indptr) - 1
    out = np.zeros(n, np.int64)
    for i in prange(n):
        c = 0
        for e in range(indptr[i], indptr[i + 1]):
            if group[indices[e]] != group[i]:
                c += 1
        out[i] = c
    return out
