"""The ground floor of every compiled kernel: numba's options and the thread split.

Every ``@njit`` function of the package (the model's kernels, the network
builders, the classic models) is compiled with :data:`JIT`, through
:data:`kernel` or :data:`parallel_kernel`, so the options live in one place:
compiled code is cached between processes, the GIL is released, and there is
no ``fastmath`` (it would change results).

Row passes over the employees run on the calling thread when the work is
small and in chunks of equal work when it is large (:func:`row_bounds`);
docs/performance.md has the measurements behind the numbers below.

Examples
--------
>>> row_bounds(np.arange(11)).tolist()  # small: one chunk, run serially
[0, 10]
>>> b = row_bounds(np.arange(PARALLEL_MIN_WORK + 1), chunks=4)
>>> len(b), int(b[0]), int(b[-1]) == PARALLEL_MIN_WORK
(5, 0, True)
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit

# numba's OpenMP threading layer (its default where libgomp is installed)
# keeps idle worker threads spinning after each parallel loop; on a busy or
# two-core machine they take the core the next serial part needs (measured
# at 3x10^5 employees, load 2.4 on 2 cores: 56 ms a step spinning, 26 ms
# passive, 27 ms on one thread). Let them sleep, unless the user chose
# otherwise. (Read when libgomp loads, at the first parallel kernel.)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: Numba options, in one place. No fastmath: it would change results.
JIT = {"cache": True, "nogil": True}

#: The decorator of a serial kernel.
kernel = njit(**JIT)

#: The decorator of a kernel with ``prange`` loops.
parallel_kernel = njit(parallel=True, **JIT)

#: Nodes + ties below which a pass runs on the calling thread (waking numba's
#: thread pool costs more than a 10^4-employee pass takes).
PARALLEL_MIN_WORK = 1 << 17

#: Chunks of a parallel pass, split by work (nodes + ties), so a thread with
#: the hubs does not finish last. (numba schedules statically: the count only
#: needs to be a multiple of the thread count.)
CHUNKS = 32


def row_bounds(work_before: np.ndarray, chunks: int = CHUNKS) -> np.ndarray:
    """Row boundaries that split a pass into chunks of equal work.

    Parameters
    ----------
    work_before : numpy.ndarray
        Length n + 1, non-decreasing: the work of rows ``0 .. i-1`` at ``i``
        (``indptr + arange(n + 1)`` for a pass over ties, ``arange(n + 1)``
        for a pass over nodes).
    chunks : int
        Number of chunks wanted.

    Returns
    -------
    numpy.ndarray
        uint64 boundaries ``0 = b0 < b1 < ... = n``; just ``[0, n]`` (run
        serially) when the total work is below :data:`PARALLEL_MIN_WORK`.
    """
    n = len(work_before) - 1
    total = int(work_before[-1])
    if total < PARALLEL_MIN_WORK or chunks <= 1 or n <= 1:
        return np.array([0, max(n, 0)], np.uint64)
    targets = np.linspace(0, total, chunks + 1)
    b = np.searchsorted(work_before, targets).astype(np.uint64)
    b[0], b[-1] = 0, n
    return np.unique(b)
