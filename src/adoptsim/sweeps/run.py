"""Running an experiment's runs on a ``concurrent.futures`` executor.

Runs execute on one of three executors (:mod:`adoptsim.sweeps.executors`):
in-process (``workers=1``), a local process pool, or an existing Dask
distributed cluster (``scheduler="tcp://host:8786"``). Each run
executes in a worker, writes its own file to the store and returns only its
small summary; a run that raises leaves ``failed/<run_id>.txt`` and the sweep
goes on. At most a few runs per worker are in flight, so an interrupted
sweep has little to cancel. A full disk is no failure of a run: it stops the
sweep (:attr:`SweepReport.disk_full`), keeping every finished run.

Runs are single-threaded (numba uses one thread inside a run): a sweep gets
its parallelism from workers, which scales better than threads inside small
runs. Results do not depend on the executor: every value is the same with
one worker, a pool or a cluster.

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
>>> len(report.done), report.failed
(2, [])
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
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

    from ..config import validate
    from ..model.model import AdoptionModel

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
    runs = _unfinished(experiment.runs, finished)
    report.skipped = len(experiment.runs) - len(runs)
    driver = _Driver(experiment, store, executor, in_flight, on_outcome, report)
    driver.run(iter(runs))
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

