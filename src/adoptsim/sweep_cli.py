"""The ``adoptsim sweep`` and ``adoptsim export`` commands."""

from __future__ import annotations

import math
import os
import time
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

from .config import parse_assignments
from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

console = Console()
err = Console(stderr=True)

#: Outcomes of the end-of-sweep table: summary column -> (heading, cell format).
OUTCOMES = {
    "final_member": ("member", "pct"),
    "final_active": ("active", "pct"),
    "final_underground": ("under-\nground", "pct"),
    "final_trust": ("trust", ".3f"),
    "final_cm_follower_share": ("comms\nfollowers", "pct"),
    "final_benefit_cum": ("benefit", "#.3g"),
}
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
) -> None:
    """Run an experiment's design with replications; resume if interrupted."""
    from .analysis import point_table
    from .experiment import load_experiment
    from .store import Store, summary_frame
    from .sweep import open_executor, run_sweep

    if workers is not None and scheduler:
        raise InputError("Give either --workers (local processes) or --scheduler (a Dask "
                         "cluster), not both.")
    exp = load_experiment(experiment, parse_assignments(sets))
    out = out or Path("results") / exp.name
    store = Store(out)
    resumed = store.initialise(exp, force=force)
    todo = len(exp.runs) - len(store.finished() & {r.run_id for r in exp.runs})
    if resumed:
        err.print(f"Resuming {out}: {len(exp.runs) - todo} of {len(exp.runs)} runs already done.")
    if not todo:
        scheduler = None  # nothing to run: no cluster needed
    if scheduler is None:
        workers = max(1, min(workers or os.cpu_count() or 1, todo))
    started = time.perf_counter()
    with open_executor(workers, scheduler) as (executor, in_flight, where):
        err.print(f"{exp.name}: {len(exp.points)} design points x {exp.spec.replications} "
                  f"replications; running {todo} runs on {where}.")
        with _progress() as bar:
            task = bar.add_task("runs", total=todo, failed=0)

            def advance(outcome) -> None:
                bar.update(task, advance=1,
                           failed=bar.tasks[task].fields["failed"] + (outcome.status == "failed"))

            report = run_sweep(exp, store, executor, in_flight, advance)
    seconds = time.perf_counter() - started
    saved = report.skipped + len(report.done)
    if report.interrupted:
        err.print(f"Interrupted: {saved} of {report.total} runs are saved in {out}. Run the same "
                  f"command again to resume.")
        raise typer.Exit(130)
    summary = summary_frame(exp.design_frame(), report.summaries)
    if len(summary):
        table = point_table(summary, ["point", *exp.parameters], list(OUTCOMES))
        _print_points(table, exp.parameters, exp.name)
    console.print(f"{len(report.done)} runs in {seconds:.1f} s; results in {out} "
                  f"(adoptsim.load_results({str(out)!r})).")
    if report.broken:
        unrun = report.total - saved - len(report.failed)
        err.print(f"[bold red]The workers stopped[/] ({report.broken}); {unrun} runs did not "
                  f"run. Run the same command again to resume.", highlight=False)
    if report.failed:
        err.print(f"[bold red]{len(report.failed)} of {report.total} runs failed[/]; their "
                  f"tracebacks are in {store.failed_dir}/. Run the same command again to retry "
                  f"them.", highlight=False)
    if report.failed or report.broken:
        raise typer.Exit(1)


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
    for col in [*headings, *(h for h, _ in OUTCOMES.values())]:
        out.add_column(col, justify="right", min_width=max(map(len, col.split())))
    for rec in table.head(MAX_ROWS).to_dict("records"):
        cells = [_fmt(rec[c]) for c in ["point", *parameters, "n"]]
        for outcome, (_, fmt) in OUTCOMES.items():
            mean, high = rec[f"{outcome}_mean"], rec[f"{outcome}_high"]
            scale, fmt = (100.0, ".1f") if fmt == "pct" else (1.0, fmt)
            half = "" if math.isnan(high) else f"\n±{scale * (high - mean):{fmt}}"
            cells.append(f"{scale * mean:{fmt}}{half}")
        out.add_row(*cells)
    if console.is_terminal:
        console.print(out)
        return
    # A file or pipe gets the table at its natural width, not squeezed into 80 columns.
    width = Measurement.get(console, console.options.update(max_width=1000), out).maximum
    Console(width=max(width, console.width)).print(out)


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def export(
    out: Annotated[Path, typer.Argument(help="A sweep's results folder.")],
    csv: Annotated[Path, typer.Option(help="Folder for design.csv, summary.csv, timeseries.csv.")],
) -> None:
    """Export a sweep's results as CSV files for spreadsheets."""
    from .store import export_csv

    for path in export_csv(out, csv):
        console.print(f"Wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``export`` to the ``adoptsim`` command."""
    app.command()(sweep)
    app.command()(export)
