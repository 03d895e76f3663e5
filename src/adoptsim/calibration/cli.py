"""The ``adoptsim calibrate``, ``adoptsim forecast`` and ``adoptsim import`` commands.

Heavy libraries (pyabc, the model) are imported inside the commands, so
``adoptsim --help`` stays fast.

Examples
--------
>>> import typer
>>> app = typer.Typer()
>>> register(app)
>>> sorted(c.name for c in app.registered_commands), [g.name for g in app.registered_groups]
(['calibrate', 'forecast'], ['import'])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import InputError

if TYPE_CHECKING:
    from .smc import Generation

__all__ = ["calibrate_command", "forecast_command", "register"]

console = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

FIT_HELP = (
    "A scenario key to fit and its prior: KEY=LO:HI (uniform) or KEY=LO:HI:log (log-uniform), "
    "e.g. --fit joining.rate=0.01:0.2:log (repeatable; numeric keys only)."
)
OBSERVED_HELP = (
    "Observed data (CSV), either weekly: week plus any of aware, member, active, underground "
    "(shares 0-1) and posts (counts); or who joined when: id,joined (the week of joining, empty "
    "if not by run.steps; ids are the scenario's edge-list node ids). The form is told from the "
    "header."
)


@contextlib.contextmanager
def _generations(total: int) -> Iterator[Callable[[Generation], None]]:
    """A progress bar over generations on a terminal, and one line per generation (stderr)."""
    if not err.is_terminal:
        yield lambda g: err.print(g.line())
        return
    with Progress(TextColumn("calibrating"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("generations"), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("calibrating", total=total)

        def advance(g: Generation) -> None:
            bar.console.print(g.line())
            bar.advance(task)

        yield advance


def calibrate_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped one.")],
    observed: Annotated[Path, typer.Option(help=OBSERVED_HELP)],
    fit: Annotated[list[str], typer.Option(help=FIT_HELP)],
    out: Annotated[Path, typer.Option(
        help="Output folder (created if missing; files of the same names are replaced, and "
        "the run is added to its pyabc database abc.db).")],
    particles: Annotated[int, typer.Option(
        help="Particles per generation (at least 10; a few hundred for a usable posterior).")
    ] = 400,
    generations: Annotated[int, typer.Option(help="Generations of ABC-SMC.")] = 8,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default 1: then the same --seed gives the same "
        "posterior; with more, pyabc seeds each process anew).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster: scheduler address, e.g. tcp://host:8786.")] = None,
    seed: Annotated[int, typer.Option(help="Seeds pyabc's proposals and every run.")] = 0,
) -> None:
    """Fit scenario keys to an organisation's observed data (ABC-SMC with pyabc)."""
    from .calibrate import calibrate

    if workers is not None and scheduler:
        raise InputError("Give either --workers (local processes) or --scheduler (a Dask "
                         "cluster), not both.")
    with _generations(generations) as progress:
        result = calibrate(scenario, observed, fit, out, particles, generations,
                           1 if workers is None else workers, scheduler, seed,
                           progress=progress, announce=err.print)
    _print_calibration(result.summary)
    console.print(f"Wrote {', '.join(p.name for p in result.files)} in {out}.")


def _print_calibration(summary: dict) -> None:
    table = Table(title=f"Posterior: {summary['generations']} generations of "
                  f"{summary['particles']:,} particles, {summary['runs_simulated']:,} runs, "
                  f"{summary['seconds']:.1f} s", header_style="bold")
    for column in ("key", "prior", "median", "5%", "95%"):
        table.add_column(column, justify="left" if column in ("key", "prior") else "right")
    for key, v in summary["fitted"].items():
        table.add_row(key, f"{v['prior']} [{v['low']:g}, {v['high']:g}]", f"{v['median']:.4g}",
                      f"{v['q05']:.4g}", f"{v['q95']:.4g}")
    console.print(table)
    p = summary["predictive"]
    console.print(f"Posterior predictive check: {100 * p['coverage_90']:.0f}% of the "
                  f"{p['points']} observed points lie in the 90% band of {p['draws']} runs.")


def forecast_command(
    folder: Annotated[Path, typer.Argument(help="The --out folder of adoptsim calibrate.")],
    compare: Annotated[list[str], typer.Option(
        help='An alternative to the status quo: "KEY=V[,KEY=V...]", e.g. '
        '"channel.policy=restricted,channel.policy_start=30" (repeatable).')],
    draws: Annotated[int, typer.Option(help="Posterior draws, each run under every scenario.")
                     ] = 200,
    seed: Annotated[int | None, typer.Option(
        help="Seeds the draws and runs (default: the calibration's seed).")] = None,
    steps: Annotated[int | None, typer.Option(
        help="Weeks to simulate (default: the calibrated scenario's run.steps).")] = None,
) -> None:
    """Forecast alternatives against the calibrated status quo (paired posterior draws)."""
    from .forecast import OUTCOMES, forecast

    if err.is_terminal:
        with Progress(TextColumn("forecasting"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("draws"), TimeElapsedColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task("forecasting", total=draws)
            table, files = forecast(folder, compare, draws, seed, steps,
                                    progress=lambda done, _: bar.update(task, completed=done))
    else:
        table, files = forecast(folder, compare, draws, seed, steps)
    from ..model.metrics import SERIES

    for label, rows in table.groupby("alternative", sort=False):
        view = Table(title=f"{label} against the status quo ({draws} paired posterior draws)",
                     header_style="bold")
        for column in ("outcome", "status quo", "alternative", "difference", "90% interval"):
            view.add_column(column, justify="left" if column == "outcome" else "right")
        for row in rows.itertuples():
            m = SERIES[OUTCOMES[row.outcome]]
            scale, unit = (100.0, " pts") if m.percent else (1.0, "")
            view.add_row(row.outcome, m.format(row.status_quo), m.format(row.alternative_value),
                         f"{scale * row.difference:+.3g}{unit}",
                         f"{scale * row.lo:+.3g} to {scale * row.hi:+.3g}{unit}")
        console.print(view)
    console.print(f"Wrote {', '.join(p.name for p in files)} in {folder}.")


def register(app: typer.Typer) -> None:
    """Add ``calibrate``, ``forecast`` and the ``import`` group to the ``adoptsim`` command."""
    from .importers.cli import register as register_import

    app.command("calibrate")(calibrate_command)
    app.command("forecast")(forecast_command)
    register_import(app)
