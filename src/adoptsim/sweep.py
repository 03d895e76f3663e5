"""Running an experiment's runs on a ``concurrent.futures`` executor.

Three executors: in-process (``workers=1``), a local process pool, or an
existing Dask distributed cluster (``scheduler="tcp://host:8786"``). Each run
executes in a worker, writes its own file to the store and returns only its
small summary; a run that raises leaves ``failed/<run_id>.txt`` and the sweep
goes on. At most a few runs per worker are in flight, so an interrupted
sweep has little to cancel.

Runs are single-threaded (numba uses one thread inside a run): a sweep gets
its parallelism from workers, which scales better than threads inside small
runs. Results do not depend on the executor: every value is the same with
one worker, a pool or a cluster.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psutil

from .errors import InputError
from .experiment import Experiment, Run
from .store import Store, flatten_summary

#: Seconds an interrupted sweep waits for in-flight runs to notice the stop flag.
DRAIN_SECONDS = 60.0
#: How often a running run looks for the stop flag (it checks between steps).
STOP_CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (small and picklable)."""

    run_id: str
    config: dict[str, Any]
    base_dir: str | None
    out: str
    label: str


@dataclass(frozen=True)
class RunOutcome:
    """What a worker sends back: the status and, when done, the flat summary."""

    run_id: str
    status: Literal["done", "failed", "cancelled"]
    summary: dict[str, Any] | None = None


class _Stopped(Exception):
    """The store's stop flag appeared during a run."""


def execute_run(task: RunTask) -> RunOutcome:
    """Run one simulation and write its result file (runs in the worker).

    Exceptions from the model are recorded in ``failed/<run_id>.txt`` and
    reported as ``"failed"``; the stop flag makes the run return
    ``"cancelled"`` at the end of the step during which it is seen.
    """
    import numba

    from .config import validate
    from .model import AdoptionModel

    store = Store(task.out)
    if store.stop_requested():
        return RunOutcome(task.run_id, "cancelled")

    last_check = time.monotonic()

    def check_stop(_: int) -> None:
        # A stat every step would cost ~0.5% of a small run; four a second is prompt enough.
        nonlocal last_check
        now = time.monotonic()
        if now - last_check >= STOP_CHECK_SECONDS:
            last_check = now
            if store.stop_requested():
                raise _Stopped

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        base_dir = Path(task.base_dir) if task.base_dir else None
        model = AdoptionModel(validate(task.config, task.label, base_dir))
        timeseries = model.run(progress=check_stop)
        summary = flatten_summary(model.summary())
        store.write_run(task.run_id, timeseries, summary)
    except _Stopped:
        return RunOutcome(task.run_id, "cancelled")
    except Exception:
        store.record_failure(task.run_id, f"{task.label}\n\n{traceback.format_exc()}")
        return RunOutcome(task.run_id, "failed")
    finally:
        numba.set_num_threads(threads)
    return RunOutcome(task.run_id, "done", summary)


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
            # Two runs per worker thread keep workers busy and the queue short.
            yield (client.get_executor(pure=False), 2 * max(threads, 1),
                   f"Dask cluster {scheduler} ({threads} worker threads)")
        finally:
            client.close()
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield InlineExecutor(), 1, "1 worker (in-process)"
        return
    # forkserver: numba's threading layer is not fork-safe once started in the
    # driver, and the server imports the model once for all workers.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "adoptsim.model"])
    else:
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=(os.getpid(),)
    )
    try:
        yield pool, 2 * workers, f"{workers} local worker processes"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class SweepReport:
    """What a sweep did in this invocation.

    ``broken`` is set when the executor stopped accepting runs (a local
    worker process died, e.g. out of memory); the runs not submitted are
    neither done nor failed, and a rerun resumes them.
    """

    total: int
    skipped: int
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    interrupted: bool = False
    broken: str | None = None
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_sweep(
    experiment: Experiment,
    store: Store,
    executor: Executor,
    in_flight: int,
    on_outcome: Callable[[RunOutcome], None] | None = None,
) -> SweepReport:
    """Run the experiment's unfinished runs; skip the finished ones (resume).

    Parameters
    ----------
    experiment
        The validated experiment.
    store
        Its initialised store (:meth:`Store.initialise`).
    executor, in_flight
        From :func:`open_executor`: where runs execute, and how many to
        keep submitted at once.
    on_outcome
        Called in the driver after each run (for progress bars).

    Returns
    -------
    SweepReport
        Counts, failures, whether Ctrl-C interrupted it, and the summaries
        of every finished run (also those from earlier invocations). The
        store's ``summary.parquet`` is rewritten before returning.
    """
    finished = store.finished()
    runs = [r for r in experiment.runs if r.run_id not in finished]
    # Replication-major order: an interrupted sweep has every point started.
    runs.sort(key=lambda r: (r.replication, r.point))
    report = SweepReport(total=len(experiment.runs), skipped=len(experiment.runs) - len(runs))
    report.summaries = store.read_summaries(
        [r.run_id for r in experiment.runs if r.run_id in finished]
    )
    pending: dict[Future, Run] = {}
    queue = iter(runs)

    def submit_more() -> None:
        nonlocal queue
        for run in queue:
            task = RunTask(
                run.run_id, experiment.run_config(run), experiment.base_dir,
                str(store.root), experiment.describe(run),
            )
            try:
                pending[executor.submit(execute_run, task)] = run
            except BrokenExecutor as exc:
                report.broken = str(exc)
                queue = iter(())
                return
            if len(pending) >= in_flight:
                return

    def collect(futures: set[Future]) -> None:
        for future in futures:
            run = pending.pop(future)
            try:
                outcome = future.result()
            except Exception:
                # The worker died or could not run the task at all.
                store.record_failure(run.run_id, f"{experiment.describe(run)}\n\nThe worker "
                                     f"failed:\n{traceback.format_exc()}")
                outcome = RunOutcome(run.run_id, "failed")
            if outcome.status == "done":
                report.done.append(run.run_id)
                report.summaries[run.run_id] = outcome.summary
            elif outcome.status == "failed":
                report.failed.append(run.run_id)
            if on_outcome is not None and outcome.status != "cancelled":
                on_outcome(outcome)

    try:
        submit_more()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            collect(done)
            submit_more()
    except KeyboardInterrupt:
        report.interrupted = True
        store.request_stop()
        # In-flight runs stop at their next check; keep what they finished.
        done, _ = wait(pending, timeout=DRAIN_SECONDS)
        collect(done)
        if not pending:  # else the next sweep clears the flag
            store.clear_stop()
    store.write_summary_table(experiment.design_frame(), report.summaries)
    return report
