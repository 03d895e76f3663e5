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

import hashlib
import os
import shutil
from pathlib import Path

import numba
import numpy as np
from numba import njit, types
from numba.core.extending import overload
from numba.experimental import structref

# numba's OpenMP threading layer (its default where libgomp is installed)
# keeps idle worker threads spinning after each parallel loop; on a busy or
# two-core machine they take the core the next serial part needs (measured
# at 3x10^5 employees, load 2.4 on 2 cores: 56 ms a step spinning, 26 ms
# passive, 27 ms on one thread). Let them sleep, unless the user chose
# otherwise. (Read when libgomp loads, at the first parallel kernel.)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: Folders (under the package) whose code is compiled; the cache is keyed on them.
COMPILED_SOURCES = ("jit.py", "model", "network", "classic")


def _source_hash() -> str:
    """A digest of every compiled source file of the package.

    numba checks only the timestamp of a function's own file, so a change to
    a kernel it calls in another file would leave stale machine code in its
    cache. Keying the cache folder on all compiled sources avoids that.
    """
    root = Path(__file__).parent
    digest = hashlib.sha256(numba.__version__.encode())
    for name in COMPILED_SOURCES:
        path = root / name
        sources = sorted(path.rglob("*.py")) if path.is_dir() else [path] * path.is_file()
        for source in sources:
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    """Where compiled code is cached: a folder per source digest.

    Under ``$NUMBA_CACHE_DIR`` if set, else the package's ``__pycache__`` when
    writable, else ``~/.cache/adoptsim``. Older digests' folders are removed.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        base = Path(os.environ["NUMBA_CACHE_DIR"]) / "adoptsim"
    else:
        base = Path(__file__).parent / "__pycache__" / "numba"
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError:
            base = Path.home() / ".cache" / "adoptsim" / "numba"
        if not os.access(base, os.W_OK):
            base = Path.home() / ".cache" / "adoptsim" / "numba"
    here = base / _source_hash()
    if not here.is_dir() and base.is_dir():
        for old in base.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    return here


#: The compiled-code cache of this version of the sources.
CACHE_DIR = _cache_dir()
numba.config.CACHE_DIR = str(CACHE_DIR)


def cache_is_warm() -> bool:
    """True when the model's kernels were compiled and cached before (a fast start)."""
    return any(CACHE_DIR.rglob("step.run_steps-*.nbi"))


#: Numba options, in one place. No fastmath: it would change results.
JIT = {"cache": True, "nogil": True}

#: The decorator of a serial kernel.
kernel = njit(**JIT)

#: The decorator of a small helper called in a hot loop: inlined into its caller
#: by numba (a call with array arguments reference-counts each array).
inline_kernel = njit(inline="always", **JIT)

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


# ------------------------------------------------------------------- a run
# Compiled code passes a named tuple by value, one LLVM argument per array
# field: every function taking the run's tuples then costs seconds to
# compile, and a parallel region more. So compiled code passes the run as
# one pointer: a StructRef whose fields are the run's named tuples
# (``run.st.trust[i]``), built inside compiled code by :func:`make_run`
# (never in Python: a StructRef proxy compiles its constructor per process).


@structref.register
class RunType(types.StructRef):
    """The type of a :func:`make_run` value."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


#: The fields of a run, in :func:`make_run`'s argument order.
RUN_FIELDS = ("par", "net", "ppl", "st", "fl", "sc", "mg", "ch", "static", "out", "out_mgr")


def make_run(par, net, ppl, st, fl, sc, mg, ch, static, out, out_mgr):
    """The run's parts behind one pointer (compiled code only; see above)."""
    raise NotImplementedError("make_run() is for compiled code")


@overload(make_run)
def _make_run(par, net, ppl, st, fl, sc, mg, ch, static, out, out_mgr):
    run_type = RunType(list(zip(RUN_FIELDS, (par, net, ppl, st, fl, sc, mg, ch, static, out,
                                             out_mgr), strict=True)))

    def impl(par, net, ppl, st, fl, sc, mg, ch, static, out, out_mgr):
        run = structref.new(run_type)
        run.par = par
        run.net = net
        run.ppl = ppl
        run.st = st
        run.fl = fl
        run.sc = sc
        run.mg = mg
        run.ch = ch
        run.static = static
        run.out = out
        run.out_mgr = out_mgr
        return run

    return impl
