"""Running an experiment's runs, in batches, on a ``concurrent.futures`` executor.

Runs execute on one of three executors (:mod:`adoptsim.sweeps.executors`):
in-process (``workers=1``), a local process pool, or an existing Dask
distributed cluster (``scheduler="tcp://host:8786"``). Workers receive
*batches* of runs: a worker runs a batch's runs one after another (each in
one compiled call, without Mesa), writes them to the store as one file and
returns their small summaries. A run that raises leaves
``failed/<run_id>.txt`` and the batch goes on. Batches hold about
:data:`BATCH_SECONDS` of work and shrink towards the end of a sweep, so
workers finish together; a few are in flight per worker, so an interrupted
sweep has little to cancel and a crash loses at most the batches in flight.
A full disk is no failure of a run: it stops the sweep
(:attr:`SweepReport.disk_full`), keeping every finished batch.

Runs are single-threaded (numba uses one thread inside a run): a sweep gets
its parallelism from workers, which scales better than threads inside small
runs. Results do not depend on the executor or the batches: every value is
the same with one worker, a pool or a cluster.

Examples
--------
>>> import tempfile, pathlib
>>> from adoptsim.sweeps.executors import open_executor
>>> from adoptsim.sweeps.experiment import load_experiment
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "base.toml").write_text("[run]\\nsteps = 3\\n[organisation]\\nemployees = 60\\n")
>>> _ = (folder / "exp.toml").write_text('scenario = "base.toml"\\nreplications = 2\\nseed = 1\\n')
>>> exp, store = load_experiment(folder / "exp.toml"), Store(folder / "out")
>>> store.initialise(exp)
False
>>> with open_executor(workers=1) as (executor, in_flight, _):
...     report = run_sweep(exp, store, executor, in_flight)
>>> len(report.done), report.failed, len(store.batch_files())
(2, [], 2)
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..atomic import DiskFullError
from .experiment import Experiment, Run
from .store import Store, flatten_summary

#: Seconds an interrupted sweep waits for in-flight batches to notice the stop flag.
DRAIN_SECONDS = 60.0
#: How often a long run looks for the stop flag (between compiled chunks of weeks).
STOP_CHECK_SECONDS = 0.25
#: Work a batch aims at, in seconds, and the estimated seconds of one
#: employee-week (a 2,000-employee, 104-week run takes about 20 ms).
BATCH_SECONDS = 2.0
SECONDS_PER_EMPLOYEE_WEEK = 1e-7
#: A run longer than this many employee-weeks is simulated in chunks, so
#: that it notices the stop flag while it runs.
CHUNKED_WORK = 10**7


@dataclass(frozen=True)
class RunTask:
    """One run of a batch (small and picklable)."""

    run_id: str
    config: dict[str, Any]
    label: str


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs for a batch of runs."""

    runs: tuple[RunTask, ...]
    base_dir: str | None
    out: str


@dataclass(frozen=True)
class RunOutcome:
    """What a worker reports for one run: the status and, when done, the flat summary."""

    run_id: str
    status: Literal["done", "failed", "cancelled"]
    summary: dict[str, Any] | None = None


class _Stopped(Exception):
    """The store's stop flag appeared during a run."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C in a batch run in the driver's own process, after its finished runs were saved."""

    def __init__(self, outcomes: list[RunOutcome]) -> None:
        super().__init__()
        self.outcomes = outcomes


def execute_batch(task: BatchTask) -> list[RunOutcome]:
    """Run a batch's simulations and write the finished ones as one file (in the worker).

    Exceptions from a run are recorded in ``failed/<run_id>.txt`` and
    reported as ``"failed"``; once the stop flag appears, the runs not yet
    finished are ``"cancelled"`` and the finished ones are written.

    Raises
    ------
    DiskFullError
        If the disk is full: that stops the sweep rather than failing the run
        (the batch's runs are not saved).
    BatchInterrupted
        On Ctrl-C (only a batch run in the driver's process sees it), once
        the finished runs are written.
    """
    import numba

    store = Store(task.out)
    base_dir = Path(task.base_dir) if task.base_dir else None
    outcomes: list[RunOutcome] = []
    finished: list[tuple[str, dict]] = []
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    interrupted = False
    try:
        for run in task.runs:
            if store.stop_requested():
                break
            try:
                series, summary = _simulate(run, base_dir, store)
            except _Stopped:
                break
            except Exception:
                store.record_failure(run.run_id, f"{run.label}\n\n{traceback.format_exc()}")
                outcomes.append(RunOutcome(run.run_id, "failed"))
                continue
            finished.append((run.run_id, series))
            outcomes.append(RunOutcome(run.run_id, "done", summary))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        numba.set_num_threads(threads)
    if finished:
        store.write_batch(finished, {o.run_id: o.summary for o in outcomes
                                     if o.status == "done"})
    started = {o.run_id for o in outcomes}
    outcomes += [RunOutcome(r.run_id, "cancelled") for r in task.runs if r.run_id not in started]
    if interrupted:
        raise BatchInterrupted(outcomes)
    return outcomes


def _simulate(run: RunTask, base_dir: Path | None, store: Store) -> tuple[dict, dict]:
    """One run: its time series columns and flat summary."""
    from ..config import validate
    from ..model.engine import Engine

    cfg = validate(run.config, run.label, base_dir)
    engine = Engine(cfg, cfg.run.seed)
    progress = None
    if cfg.organisation.employees * cfg.run.steps > CHUNKED_WORK:
        last_check = time.monotonic()

        def progress(_: int) -> None:
            nonlocal last_check
            now = time.monotonic()
            if now - last_check >= STOP_CHECK_SECONDS:
                last_check = now
                if store.stop_requested():
                    raise _Stopped

    engine.run(progress)
    series = dict(engine.series)
    series["step"] = series["step"].astype("int64")
    return series, flatten_summary(engine.summary())


def batch_size(remaining: int, in_flight: int, run_seconds: float, most: int | None) -> int:
    """Runs in the next batch: about :data:`BATCH_SECONDS` of work, fewer near the end.

    >>> batch_size(1000, 4, 0.02, None), batch_size(20, 4, 0.02, None), batch_size(5, 4, 9.0, None)
    (100, 3, 1)
    >>> batch_size(1000, 4, 0.02, 10)
    10
    """
    size = min(max(1, int(BATCH_SECONDS / max(run_seconds, 1e-9))),
               max(1, math.ceil(remaining / (2 * in_flight))))
    return min(size, most) if most else size


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
    batch: int | None = None,
) -> SweepReport:
    """Run the experiment's unfinished runs; skip the finished ones (resume).

    Parameters
    ----------
    experiment
        The validated experiment.
    store
        Its initialised store (:meth:`Store.initialise`).
    executor, in_flight
        From :func:`open_executor`: where runs execute, and how many batches
        to keep submitted at once.
    on_outcome
        Called in the driver after each run (for progress bars).
    finished
        Summaries of the runs already finished, from
        :meth:`Store.load_finished`; read here when not given.
    batch
        Most runs per batch (default: :func:`batch_size` decides).

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
    runs = _unfinished(experiment.runs, finished)
    report.skipped = len(experiment.runs) - len(runs)
    base = experiment.base["organisation"].get("employees", 1), experiment.base["run"]["steps"]
    driver = _Driver(experiment, store, executor, in_flight, on_outcome, report, batch,
                     base[0] * base[1] * SECONDS_PER_EMPLOYEE_WEEK)
    driver.run(runs)
    try:
        store.write_summary_table(experiment.design_frame(), report.summaries)
    except DiskFullError as exc:
        report.disk_full = report.disk_full or exc
    report.seconds = time.perf_counter() - started
    return report


def _unfinished(runs: list[Run], finished: dict[str, Any]) -> list[Run]:
    """The runs still to do, replication-major: an interrupted sweep has every point started."""
    return sorted((r for r in runs if r.run_id not in finished),
                  key=lambda r: (r.replication, r.point))


@dataclass
class _Driver:
    """Keeps ``in_flight`` batches submitted and collects their outcomes into ``report``."""

    experiment: Experiment
    store: Store
    executor: Executor
    in_flight: int
    on_outcome: Callable[[RunOutcome], None] | None
    report: SweepReport
    most: int | None
    run_seconds: float
    pending: dict[Future, list[Run]] = field(default_factory=dict)
    queue: list[Run] = field(default_factory=list)

    def run(self, queue: list[Run]) -> None:
        """Submit and collect until the queue is empty, Ctrl-C, or the disk is full."""
        self.queue = queue[::-1]  # popped from the end
        try:
            self.submit_more()
            while self.pending and not self.report.disk_full:
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                self.collect(done)
                self.submit_more()
        except KeyboardInterrupt as exc:
            self.report.interrupted = True
            self.record(getattr(exc, "outcomes", []))
        except DiskFullError as exc:
            self.report.disk_full = exc
        if self.pending:
            self.drain()

    def submit_more(self) -> None:
        exp = self.experiment
        while self.queue and len(self.pending) < self.in_flight and not self.report.disk_full:
            size = batch_size(len(self.queue), self.in_flight, self.run_seconds, self.most)
            runs = [self.queue.pop() for _ in range(min(size, len(self.queue)))]
            task = BatchTask(
                tuple(RunTask(r.run_id, exp.run_config(r), exp.describe(r)) for r in runs),
                exp.base_dir, str(self.store.root),
            )
            try:
                self.pending[self.executor.submit(execute_batch, task)] = runs
            except BrokenExecutor as exc:
                self.report.broken = str(exc)
                self.queue = []
                return

    def collect(self, futures: set[Future]) -> None:
        for future in futures:
            runs = self.pending.pop(future)
            try:
                outcomes = future.result()
            except DiskFullError as exc:
                self.report.disk_full = self.report.disk_full or exc
                continue
            except Exception:
                # The worker died or could not run the batch at all.
                why = traceback.format_exc()
                for run in runs:
                    self.store.record_failure(
                        run.run_id,
                        f"{self.experiment.describe(run)}\n\nThe worker failed:\n{why}")
                outcomes = [RunOutcome(run.run_id, "failed") for run in runs]
            self.record(outcomes)

    def record(self, outcomes: list[RunOutcome]) -> None:
        """Count a batch's outcomes into the report."""
        for outcome in outcomes:
            if outcome.status == "done":
                self.report.done.append(outcome.run_id)
                self.report.summaries[outcome.run_id] = outcome.summary
            elif outcome.status == "failed":
                self.report.failed.append(outcome.run_id)
            if self.on_outcome is not None and outcome.status != "cancelled":
                self.on_outcome(outcome)

    def drain(self) -> None:
        """Stop the batches in flight (Ctrl-C, full disk); keep what they finished."""
        try:
            self.store.request_stop()
        except OSError:
            pass  # a full disk may refuse even the empty flag file: batches then finish
        # In-flight batches stop at their next check and write their finished runs.
        done, _ = wait(self.pending, timeout=DRAIN_SECONDS)
        try:
            self.collect(done)
        except DiskFullError as exc:
            self.report.disk_full = self.report.disk_full or exc
        if not self.pending:  # else the next sweep clears the flag
            self.store.clear_stop()
