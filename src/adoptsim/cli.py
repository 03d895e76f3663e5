"""The ``adoptsim`` command.

Bad input never shows a traceback: :class:`~adoptsim.errors.InputError` is
printed as one paragraph and the command exits with status 2.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .config import load_config, parse_assignments
from .errors import InputError
from .scenarios import find_scenario, list_scenarios

app = typer.Typer(
    name="adoptsim",
    help="Simulate how employees take up an internal social channel, and how comms managers "
    "earn trust there.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a scenario key, e.g. --set comms.join_step=13 (repeatable)."
    ),
]


def _scenario_config(scenario: str, sets: list[str] | None, seed: int | None, steps: int | None):
    overrides = parse_assignments(sets)
    if seed is not None:
        overrides["run.seed"] = seed
    if steps is not None:
        overrides["run.steps"] = steps
    return load_config(find_scenario(scenario), overrides)


def progress_bar(total: int, description: str) -> Progress:
    """A progress bar on stderr; silent when stderr is not a terminal."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped one.")],
    sets: SetOpt = None,
    seed: Annotated[int | None, typer.Option(help="Master seed (overrides run.seed).")] = None,
    steps: Annotated[
        int | None, typer.Option(help="Weeks to simulate (overrides run.steps).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default results/<scenario name>).")
    ] = None,
) -> None:
    """Run one scenario; print a summary and write time series, summary and plot."""
    from .model import AdoptionModel
    from .output import write_run

    cfg = _scenario_config(scenario, sets, seed, steps)
    out = out or Path("results") / Path(find_scenario(scenario)).stem
    started = time.perf_counter()
    model = AdoptionModel(cfg)
    with progress_bar(cfg.run.steps, "simulating") as bar:
        task = bar.add_task("simulating", total=cfg.run.steps)
        model.run(progress=lambda k: bar.advance(task, k))
    seconds = time.perf_counter() - started
    summary = model.summary()
    summary["wall_seconds"] = round(seconds, 3)
    files = write_run(model, summary, out, title=Path(str(scenario)).stem)
    _print_summary(summary, Path(str(scenario)).stem, cfg.description)
    console.print(f"Wrote {', '.join(str(f) for f in files)}")


def _print_summary(summary: dict, title: str, description: str = "") -> None:
    f = summary["final"]
    table = Table(title=f"{title}: {summary['employees']:,} employees, {summary['steps']} weeks, "
                  f"seed {summary['seed']}", caption=description or None, header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("meaning")

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f}%"

    rows = [
        ("aware", pct(f["aware"]), "have heard of the channel"),
        ("members (adoption)", pct(f["member"]), "joined the official channel"),
        ("active", pct(f["active"]), "posted in the last weeks"),
        ("lurkers", pct(f["lurker"]), "members who did not post lately"),
        ("underground", pct(f["underground"]), "in the unofficial back-channel"),
        ("underground post share", pct(f["underground_post_share"]), "of posts, last week"),
        ("buzz coverage", pct(f["buzz_coverage"]), "of posts comms sees"),
        ("mean trust in comms", f"{f['trust']:.3f}", "0 none, 1 full"),
        ("mean fear", f"{f['fear']:.3f}", "0 none, 1 full"),
        ("manager follower share", pct(f["cm_follower_share"]), "of members follow comms"),
        ("manager reach", pct(f["cm_reach"]), "of employees followed or tied"),
        ("cumulative benefit", f"{f['benefit_cum']:.2f}", "scale-weighted conversation"),
        ("t50 (weeks)", str(summary["t50"]), "to half the final adoption"),
        ("members who never posted", pct(summary["never_posted_share"]), "participation"),
        ("posts by top 1% of members", pct(summary["top1_post_share"]), "inequality"),
        ("Gini of posts", f"{summary['gini_posts']:.3f}", "inequality"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"Ran in {summary.get('wall_seconds', 0):.2f} s.")


@app.command()
def check(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped one.")],
    sets: SetOpt = None,
) -> None:
    """Validate a scenario without running it."""
    cfg = _scenario_config(scenario, sets, None, None)
    console.print(f"{find_scenario(scenario)}: OK ({cfg.organisation.employees:,} employees, "
                  f"{cfg.run.steps} weeks, generator {cfg.organisation.generator}).")


@app.command()
def scenarios(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the shipped scenarios with their descriptions."""
    items = list_scenarios()
    if as_json:
        console.print_json(json.dumps([{"name": n, "path": str(p), "description": d}
                                       for n, p, d in items]))
        return
    table = Table(title="Shipped scenarios", header_style="bold")
    table.add_column("name")
    table.add_column("description")
    for name, _, desc in items:
        table.add_row(name, desc)
    console.print(table)


@app.command()
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


# Sub-commands that live in their own modules register themselves here.
def _register_subcommands() -> None:
    from .sweep_cli import register as register_sweep

    register_sweep(app)
    from .app.cli import register as register_app

    register_app(app)
    from .classic.cli import register as register_classic

    register_classic(app)


_register_subcommands()


def main() -> None:
    """Entry point: run the app, turning input errors into a message and exit code 2."""
    try:
        # Without standalone mode, click returns (not raises) typer.Exit's code.
        code = app(standalone_mode=False)
    except InputError as exc:
        # escape: messages name TOML tables like [comms], which rich reads as markup.
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except FileNotFoundError as exc:
        err.print(f"[bold red]error:[/] {exc.filename or exc}: no such file.", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted.")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted.")
        sys.exit(1)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
