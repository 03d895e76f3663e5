"""Where a sweep's runs execute: in this process, a local process pool, or a Dask cluster.

Each is a ``concurrent.futures.Executor``; :func:`open_executor` also says
how many batches of runs to keep in flight (two per worker keep workers
busy and the queue short, so an interrupted sweep has little to cancel).

Examples
--------
>>> with open_executor(workers=1) as (executor, in_flight, where):
...     executor.submit(sum, [1, 2]).result(), in_flight, where
(3, 1, '1 worker (in-process)')
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import psutil

from ..errors import InputError


class InlineExecutor(Executor):
    """Runs each call at submission, in this process (``--workers 1``)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _init_pool_worker(driver: int) -> None:
    # The driver handles Ctrl-C (through the stop flag); workers ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A worker whose driver was killed exits instead of lingering. It watches
    # the driver, not its parent: that is the forkserver, which outlives the
    # driver as long as it has children.
    def watch() -> None:
        while psutil.pid_exists(driver):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


@contextmanager
def open_executor(
    workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int, str]]:
    """An executor, the number of runs to keep in flight, and a description.

    Parameters
    ----------
    workers
        Local worker processes (default: the number of cores); 1 runs in
        this process.
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``);
        overrides ``workers``.
    """
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"Cannot reach the Dask scheduler at {scheduler} ({exc}). Start one with "
                f"`dask scheduler` and workers with `dask worker {scheduler}`."
            ) from None
        try:
            threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
            # Two batches per worker thread keep workers busy and the queue short.
            yield (client.get_executor(pure=False), 2 * max(threads, 1),
                   f"Dask cluster {scheduler} ({threads} worker threads)")
        finally:
            client.close()
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield InlineExecutor(), 1, "1 worker (in-process)"
        return
    # Runs are single-threaded: idle BLAS threads would only spin beside them.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # forkserver: numba's threading layer is not fork-safe once started (in the driver or
    # the server: loading compiled parallel code starts it, so each worker loads its own),
    # and the server imports the model once for all workers.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["adoptsim.sweeps.run", "adoptsim.model.engine"])
    else:
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=(os.getpid(),)
    )
    try:
        yield pool, 2 * workers, f"{workers} local worker processes"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

