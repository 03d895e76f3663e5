"""The ``adoptsim sweep``, ``adoptsim export`` and ``adoptsim report`` commands.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> sorted(c.name or c.callback.__name__ for c in app.registered_commands)
['export', 'report', 'sweep']
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..errors import InputError
from ..model.metrics import metric
from ..toml import parse_assignments

if TYPE_CHECKING:
    import pandas as pd

    from .experiment import Experiment
    from .run import SweepReport
    from .store import Store

console = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

#: Outcomes of the end-of-sweep table (labels and formats from the metric table).
OUTCOMES = ("final_member", "final_active", "final_underground", "final_trust",
            "final_cm_follower_share", "final_benefit_cum")
#: Design points shown in the table; the rest are in the store.
MAX_ROWS = 40


def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (experiments/*.toml).")],
    out: Annotated[Path | None, typer.Option(
        help="Results folder (default results/<experiment name>).")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Local worker processes (default: number of cores; 1 = in-process).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster: scheduler address, e.g. tcp://host:8786.")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a key of the base scenario, e.g. --set run.steps=52 "
        "(repeatable; part of the experiment's hash).")] = None,
    force: Annotated[bool, typer.Option(
        help="Delete the results already in --out and start over.")] = False,
    max_runs: Annotated[int | None, typer.Option(
        min=1, help="Refuse designs with more runs than this (default 1,000,000).")] = None,
) -> None:
    """Run an experiment's design with replications; resume if interrupted."""
    from ..atomic import DiskFullError, writable_folder
    from .experiment import MAX_RUNS, load_experiment
    from .lock import StoreLock
    from .store import Store

    if workers is not None and scheduler:
        raise InputError("Give either --workers (local processes) or --scheduler (a Dask "
                         "cluster), not both.")
    exp = load_experiment(experiment, parse_assignments(sets),
                          MAX_RUNS if max_runs is None else max_runs)
    out = writable_folder(out or Path("results") / exp.name, "--out")
    store = Store(out)
    with StoreLock(out) as lock:
        try:
            notice = lock.acquire()
            if notice:
                _note(notice)
            report = _run(exp, store, force, workers, scheduler)
        except DiskFullError as exc:
            saved = len(store.finished() & {r.run_id for r in exp.runs})
            raise _disk_full(out, exc, saved, len(exp.runs)) from None
    _finish(exp, store, report)


def _disk_full(out: Path, exc: Exception, saved: int, total: int) -> InputError:
    reason, path = getattr(exc, "reason", str(exc)), getattr(exc, "path", out)
    return InputError(
        f"the disk holding {out} is full ({reason}) while writing {path}; {saved} of {total} "
        f"runs are saved. Free some space and run the same command again to resume."
    )


def _run(exp: Experiment, store: Store, force: bool, workers: int | None,
         scheduler: str | None) -> SweepReport:
    """Open (or resume) the store and run what is left, with a progress bar."""
    from .executors import open_executor
    from .run import run_sweep

    resumed = store.initialise(exp, force=force)
    finished, moved = store.load_finished(r.run_id for r in exp.runs)
    for path, reason in moved:
        _note(f"warning: {path.name} could not be read ({reason}); moved to {path} and "
              f"run again.")
    todo = len(exp.runs) - len(finished)
    if resumed:
        _note(f"Resuming {store.root}: {len(finished)} of {len(exp.runs)} runs already done.")
    if not todo:
        scheduler = None  # nothing to run: no cluster needed
    if scheduler is None:
        workers = max(1, min(workers or os.cpu_count() or 1, todo))
    with open_executor(workers, scheduler) as (executor, in_flight, where):
        err.print(f"{exp.name}: {len(exp.points)} design points x {exp.spec.replications} "
                  f"replications; running {todo} runs on {where}.")
        with _progress() as bar:
            task = bar.add_task("runs", total=todo, failed=0)

            def advance(outcome) -> None:
                bar.update(task, advance=1,
                           failed=bar.tasks[task].fields["failed"] + (outcome.status == "failed"))

            report = run_sweep(exp, store, executor, in_flight, advance, finished)
    report.moved = moved
    return report


def _finish(exp: Experiment, store: Store, report: SweepReport) -> None:
    """Print the outcome table and the sweep's end; exit 0, 1 (failures), 2 or 130."""
    from .analysis import point_table
    from .store import summary_frame

    out = store.root
    if report.disk_full:
        raise _disk_full(out, report.disk_full, report.saved, report.total)
    if report.interrupted:
        _note(f"Interrupted: {report.saved} of {report.total} runs are saved in {out}. Run "
              f"the same command again to resume.")
        raise typer.Exit(130)
    summary = summary_frame(exp.design_frame(), report.summaries)
    if len(summary):
        table = point_table(summary, ["point", *exp.parameters], list(OUTCOMES))
        _print_points(table, exp.parameters, exp.name)
    console.print(f"{len(report.done)} runs in {report.seconds:.1f} s; results in {out} "
                  f"(adoptsim.load_results({str(out)!r})).", markup=False)
    if report.broken:
        unrun = report.total - report.saved - len(report.failed)
        err.print(f"error: the workers stopped ({report.broken}); {unrun} runs did not run. "
                  f"Run the same command again to resume.")
    if report.failed:
        err.print(f"error: {len(report.failed)} of {report.total} runs failed; their tracebacks "
                  f"are in {store.failed_dir}/. Run the same command again to retry them.")
    if report.failed or report.broken:
        raise typer.Exit(1)


def _note(text: str) -> None:
    """A plain line on stderr: no markup, and long paths are never broken."""
    err.print(text, highlight=False, markup=False, soft_wrap=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]runs"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _print_points(table: pd.DataFrame, parameters: list[str], title: str) -> None:
    shown = f" (first {MAX_ROWS} of {len(table)} points)" if len(table) > MAX_ROWS else ""
    out = Table(title=f"{title}{shown}: final values", header_style="bold",
                box=box.SIMPLE_HEAD, caption="mean and ± half-width of the 95% t-interval over "
                "replications; shares in %; # = design point")
    # Dotted keys break after the section, so narrow consoles show them whole.
    headings = ["#", *(p.replace(".", ".\n", 1) for p in parameters), "n"]
    for col in [*headings, *(metric(o).label for o in OUTCOMES)]:
        out.add_column(col, justify="right", min_width=max(map(len, col.split())))
    for rec in table.head(MAX_ROWS).to_dict("records"):
        cells = [_fmt(rec[c]) for c in ["point", *parameters, "n"]]
        cells += [_cell(o, rec[f"{o}_mean"], rec[f"{o}_high"]) for o in OUTCOMES]
        out.add_row(*cells)
    if console.is_terminal:
        console.print(out)
        return
    # A file or pipe gets the table at its natural width, not squeezed into 80 columns.
    width = Measurement.get(console, console.options.update(max_width=1000), out).maximum
    Console(width=max(width, console.width)).print(out)


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _cell(outcome: str, mean: float, high: float) -> str:
    """A mean and the half-width of its interval, as the metric table formats the metric.

    >>> _cell("final_member", 0.8431, 0.8512), _cell("final_trust", 0.61, float("nan"))
    ('84.3%\\n±0.8', '0.610')
    """
    m = metric(outcome)
    if math.isnan(high):
        return m.format(mean)
    scale, fmt = (100.0, ".1f") if m.percent else (1.0, ".3f" if m.unit == "score" else ".3g")
    return f"{m.format(mean)}\n±{scale * (high - mean):{fmt}}"


def export(
    out: Annotated[Path, typer.Argument(help="A sweep's results folder.")],
    csv: Annotated[Path | None, typer.Option(
        help="Where to write: the folder for design.csv, summary.csv and timeseries.csv "
        "(default OUT/csv); with --table, the CSV file (default OUT/csv/table.csv).")] = None,
    table: Annotated[bool, typer.Option(
        "--table", help="Write one BehaviorSpace-style CSV instead: the design parameters "
        "on every time-series row (run_id, point, replication, seed, parameters, step, "
        "metrics).")] = False,
) -> None:
    """Export a sweep's results as CSV files for spreadsheets, R or pandas."""
    import warnings

    from ..atomic import DiskFullError
    from .export import export_csv, export_table
    from .results import CorruptRunWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorruptRunWarning)
        try:
            if table:
                path, rows = export_table(out, csv)
                lines = [f"Wrote {path} ({rows:,} rows: one per run and step, the design "
                         f"parameters on every row)."]
            else:
                lines = [f"Wrote {path}" for path in export_csv(out, csv)]
        except DiskFullError as exc:
            raise InputError(f"the disk is full ({exc.reason}) while writing {exc.path}, "
                             f"which was not written. Free some space, or export elsewhere "
                             f"with --csv.") from None
    for warning in caught:
        _note(f"warning: {warning.message}")
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def report(
    out: Annotated[Path, typer.Argument(help="A sweep's results folder.")],
    html: Annotated[
        Path | None, typer.Option(help="Where to write the HTML page (default OUT/report.html).")
    ] = None,
) -> None:
    """Write a self-contained HTML report and PNGs for a sweep."""
    from .report import write_report

    page, pngs = write_report(out, html)
    console.print(f"Wrote {page} and {len(pngs)} figures in {out / 'report'}.")


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``export`` and ``report`` to the ``adoptsim`` command."""
    app.command()(sweep)
    app.command()(export)
    app.command()(report)
