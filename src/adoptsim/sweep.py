"""Running an experiment's runs on a ``concurrent.futures`` executor.

Three executors: in-process (``workers=1``), a local process pool, or an
existing Dask distributed cluster (``scheduler="tcp://host:8786"``). Each run
executes in a worker, writes its own file to the store and returns only its
small summary; a run that raises leaves ``failed/<run_id>.txt`` and the sweep
goes on. At most a few runs per worker are in flight, so an interrupted
sweep has little to cancel. A full disk is no failure of a run: it stops the
sweep (:attr:`SweepReport.disk_full`), keeping every finished run.

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
from .store import DiskFullError, Store, flatten_summary

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

    Raises
    ------
    DiskFullError
        If the disk is full: that stops the sweep rather than failing the run.
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
        model = AdoptionModel.from_scenario(validate(task.config, task.label, base_dir))
        timeseries = model.run(progress=check_stop)
        summary = flatten_summary(model.summary())
        store.write_run(task.run_id, timeseries, summary)
    except _Stopped:
        return RunOutcome(task.run_id, "cancelled")
    except DiskFullError:
        raise
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
    worker process died, e.g. out of memory); ``disk_full`` when the store's
    disk filled up. Either way the runs not submitted are neither done nor
    failed, and a rerun resumes them. ``moved`` lists the run files that could
    not be read, moved to ``corrupt/`` (new path, reason) and run again.
    """

    total: int
    skipped: int
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    interrupted: bool = False
    broken: str | None = None
    disk_full: DiskFullError | None = None
    moved: list[tuple[Path, str]] = field(default_factory=list)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def saved(self) -> int:
        """Runs whose files are in the store (earlier invocations included)."""
        return self.skipped + len(self.done)


def run_sweep(
    experiment: Experiment,
    store: Store,
    executor: Executor,
    in_flight: int,
    on_outcome: Callable[[RunOutcome], None] | None = None,
    finished: dict[str, dict[str, Any]] | None = None,
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
    finished
        Summaries of the runs already finished, from
        :meth:`Store.load_finished`; read here when not given.

    Returns
    -------
    SweepReport
        Counts, failures, whether Ctrl-C interrupted it or the disk filled
        up, the wall time, and the summaries of every finished run (also
        those from earlier invocations). The store's ``summary.parquet`` is
        rewritten before returning (unless the disk is full).
    """
    started = time.perf_counter()
    report = SweepReport(total=len(experiment.runs), skipped=0)
    if finished is None:
        finished, report.moved = store.load_finished(r.run_id for r in experiment.runs)
    report.summaries = dict(finished)
    runs = [r for r in experiment.runs if r.run_id not in finished]
    report.skipped = len(experiment.runs) - len(runs)
    # Replication-major order: an interrupted sweep has every point started.
    runs.sort(key=lambda r: (r.replication, r.point))
    driver = _Driver(experiment, store, executor, in_flight, on_outcome, report)
    driver.run(iter(runs))
    try:
        store.write_summary_table(experiment.design_frame(), report.summaries)
    except DiskFullError as exc:
        report.disk_full = report.disk_full or exc
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Driver:
    """Keeps ``in_flight`` runs submitted and collects their outcomes into ``report``."""

    experiment: Experiment
    store: Store
    executor: Executor
    in_flight: int
    on_outcome: Callable[[RunOutcome], None] | None
    report: SweepReport
    pending: dict[Future, Run] = field(default_factory=dict)
    queue: Iterator[Run] = field(default_factory=lambda: iter(()))

    def run(self, queue: Iterator[Run]) -> None:
        """Submit and collect until the queue is empty, Ctrl-C, or the disk is full."""
        self.queue = queue
        try:
            self.submit_more()
            while self.pending and not self.report.disk_full:
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                self.collect(done)
                self.submit_more()
        except KeyboardInterrupt:
            self.report.interrupted = True
        except DiskFullError as exc:
            self.report.disk_full = exc
        if self.pending:
            self.drain()

    def submit_more(self) -> None:
        if self.report.disk_full:
            return
        for run in self.queue:
            task = RunTask(
                run.run_id, self.experiment.run_config(run), self.experiment.base_dir,
                str(self.store.root), self.experiment.describe(run),
            )
            try:
                self.pending[self.executor.submit(execute_run, task)] = run
            except BrokenExecutor as exc:
                self.report.broken = str(exc)
                self.queue = iter(())
                return
            if len(self.pending) >= self.in_flight:
                return

    def collect(self, futures: set[Future]) -> None:
        for future in futures:
            run = self.pending.pop(future)
            try:
                outcome = future.result()
            except DiskFullError as exc:
                self.report.disk_full = self.report.disk_full or exc
                continue
            except Exception:
                # The worker died or could not run the task at all.
                self.store.record_failure(
                    run.run_id, f"{self.experiment.describe(run)}\n\nThe worker failed:\n"
                    f"{traceback.format_exc()}")
                outcome = RunOutcome(run.run_id, "failed")
            if outcome.status == "done":
                self.report.done.append(run.run_id)
                self.report.summaries[run.run_id] = outcome.summary
            elif outcome.status == "failed":
                self.report.failed.append(run.run_id)
            if self.on_outcome is not None and outcome.status != "cancelled":
                self.on_outcome(outcome)

    def drain(self) -> None:
        """Stop the runs in flight (Ctrl-C, full disk); keep what they finished."""
        try:
            self.store.request_stop()
        except OSError:
            pass  # a full disk may refuse even the empty flag file: runs then finish
        # In-flight runs stop at their next check.
        done, _ = wait(self.pending, timeout=DRAIN_SECONDS)
        try:
            self.collect(done)
        except DiskFullError as exc:
            self.report.disk_full = self.report.disk_full or exc
        if not self.pending:  # else the next sweep clears the flag
            self.store.clear_stop()
