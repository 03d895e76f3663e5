"""The ``adoptsim`` command: ``run``, ``check`` and ``scenarios`` here; the other
sub-commands register themselves from their packages (``sweep``, ``export`` and
``report`` from :mod:`adoptsim.sweeps.cli`, ``app`` and ``workshop`` from
:mod:`adoptsim.app.cli`, ``classic`` from :mod:`adoptsim.classic.cli`, ``calibrate``,
``forecast`` and ``import`` from :mod:`adoptsim.calibration.cli`).

Bad input never shows a traceback: usage errors (unknown command, missing or
malformed argument) and :class:`~adoptsim.errors.InputError` are printed as
``error: <message>`` on stderr and the command exits with status 2.
Everything that echoes user text (paths, scenario descriptions, error
messages) goes through consoles with rich markup, emoji codes and
highlighting off, so ``[bold]`` or ``:smile:`` print as written.

Examples
--------
>>> [c.name or c.callback.__name__ for c in app.registered_commands]
['run', 'check', 'scenarios', 'sweep', 'export', 'report', 'app', 'workshop', 'calibrate',
 'forecast']
>>> [group.name for group in app.registered_groups]
['classic', 'import']
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

# typer bundles its own click; these classes are pinned by the typer bound in pyproject.toml.
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

from .atomic import DiskFullError
from .errors import InputError, reject_nul
from .scenarios import find_scenario, list_scenarios

if TYPE_CHECKING:
    from .config import ScenarioConfig

app = typer.Typer(
    name="adoptsim",
    help="Simulate how employees take up an internal social channel, and how comms managers "
    "earn trust there.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Plain consoles: user text is printed literally (no markup, emoji codes or highlighting),
# and lines are not broken at 80 columns (a path stays whole in logs and pipes).
console = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

#: How long the first run spends compiling the numba kernels into numba's cache
#: (measured on 2 cores: a cold-cache ``adoptsim run baseline`` took 11 s idle and
#: 21 s busy, against 2 s with the cache).
COMPILE_TIME = "20-40 s"

SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a scenario key, e.g. --set comms.join_step=13 (repeatable)."
    ),
]


def _scenario(
    scenario: str, sets: list[str] | None, seed: int | None, steps: int | None
) -> tuple[Path, ScenarioConfig]:
    """The scenario's file and its validated config with the command-line overrides."""
    from .config import load_config  # here: the schema (pydantic) is not needed for --help
    from .toml import parse_assignments

    overrides = parse_assignments(sets)
    if seed is not None:
        overrides["run.seed"] = seed
    if steps is not None:
        overrides["run.steps"] = steps
    path = find_scenario(reject_nul(scenario, "The scenario"))
    return path, load_config(path, overrides)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """Report simulated weeks on stderr; yield the callback that advances by ``k`` weeks.

    A terminal gets a progress bar; a file or pipe (a log) gets a plain line
    ``week 52/104`` at every tenth of the run.
    """
    if err.is_terminal:
        with Progress(
            TextColumn("[bold]simulating"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} weeks"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("simulating", total=total)
            yield lambda k: bar.advance(task, k)
        return
    marks = {math.ceil(total * i / 10) for i in range(1, 11)}
    done = 0

    def advance(k: int) -> None:
        nonlocal done
        for week in range(done + 1, done + k + 1):
            if week in marks:
                err.print(f"week {week}/{total}")
        done += k

    yield advance


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
    from .atomic import check_output_folder
    from .jit import cache_is_warm
    from .model.engine import Engine
    from .model.output import write_run

    path, cfg = _scenario(scenario, sets, seed, steps)
    # Checked now, so a bad folder does not cost the run.
    out = check_output_folder(out if out is not None else Path("results") / path.stem)
    started = time.perf_counter()
    if not cache_is_warm():  # building the model compiles the kernels on a first run
        err.print(f"Compiling the simulation kernels (first run only, {COMPILE_TIME})...")
    # The run without Mesa: the same compiled weeks as AdoptionModel, identical results.
    engine = Engine(cfg, cfg.run.seed)  # bad input (an edge list) fails here
    with _progress(cfg.run.steps) as advance:
        engine.run(progress=advance)
    seconds = time.perf_counter() - started
    summary = engine.summary()
    summary["wall_seconds"] = round(seconds, 3)
    files = write_run(engine, summary, out, title=Path(str(scenario)).stem)
    _print_summary(summary, Path(str(scenario)).stem, cfg.description)
    console.print(f"Wrote {', '.join(str(f) for f in files)}")


#: The outcomes of ``adoptsim run``'s summary table, in order (labels, formats and
#: meanings from the metric table).
SUMMARY_ROWS = (
    "final_aware", "final_member", "final_active", "final_lurker", "final_underground",
    "final_trust", "final_fear", "final_cm_follower_share", "final_cm_reach",
    "final_benefit_cum", "final_benefit_comms_cum", "t50", "never_posted_share",
    "top1_post_share", "next9_post_share", "bottom90_post_share",
)


def _print_summary(summary: dict, title: str, description: str = "") -> None:
    from .model.metrics import metric

    table = Table(title=f"{title}: {summary['employees']:,} employees, {summary['steps']} weeks, "
                  f"seed {summary['seed']}", caption=description or None, header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    final = summary["final"]
    for name in SUMMARY_ROWS:
        m = metric(name)
        value = final[m.name] if name.startswith("final_") else summary[name]
        table.add_row(m.label, m.format(value), m.meaning)
    console.print(table)
    console.print(f"Ran in {summary.get('wall_seconds', 0):.2f} s.")


@app.command()
def check(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped one.")],
    sets: SetOpt = None,
) -> None:
    """Validate a scenario without running it (an edge list is read, as a run reads it)."""
    from .model.state import require_run_memory

    path, cfg = _scenario(scenario, sets, None, None)
    org = cfg.organisation
    network = None
    size = f"{org.employees:,} employees"
    if org.generator == "edgelist":
        from numpy.random import default_rng

        from .network import build_network

        # The same reader and checks as a run; the generator is unused for an edge list.
        network = build_network(org, default_rng(0), cfg.resolve_path)
        size = f"{network.n:,} employees, {network.n_edges:,} ties"
    require_run_memory(cfg, network)  # a size bomb fails here, as it fails a run
    console.print(f"{path}: OK ({size}, {cfg.run.steps} weeks, generator {org.generator}).")


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


# Sub-commands that live in their own modules register themselves here.
def _register_subcommands() -> None:
    from .sweeps.cli import register as register_sweep

    register_sweep(app)
    from .app.cli import register as register_app

    register_app(app)
    from .classic.cli import register as register_classic

    register_classic(app)
    from .calibration.cli import register as register_calibration

    register_calibration(app)


_register_subcommands()


def _error(message: str, hint: str = "") -> None:
    """Print ``error: <message>`` and an optional hint line on stderr, literally."""
    err.print(Text.assemble(("error:", "bold red"), " ", message))
    if hint:
        err.print(hint)


def _help_hint(exc: UsageError) -> str:
    """Where to read the usage of the command that failed."""
    command = exc.ctx.command_path if exc.ctx is not None else "adoptsim"
    return f"Run '{command} --help' for usage."


def _usage_message(exc: UsageError) -> str:
    """typer's message, plus the value a type check refused (typer leaves it out)."""
    message = exc.format_message()
    errors = getattr(exc.__cause__, "errors", None)  # pydantic's ValidationError
    if callable(errors) and errors() and "input" in errors()[0]:
        message = f"{message.rstrip('.')}; got {errors()[0]['input']!r}."
    return message


def _missing_command(exc: UsageError) -> bool:
    """Whether a command group was given no command (typer fails with this exact message).

    Groups do not use typer's ``no_args_is_help``: it prints the whole help page
    to stdout; the short command list on stderr is printed instead.
    """
    return (
        exc.ctx is not None
        and isinstance(exc.ctx.command, TyperGroup)
        and exc.message == "Missing command."
    )


def _command_list(exc: UsageError) -> str:
    """The usage line and one line per command of the group that was given no command."""
    ctx = exc.ctx
    group = ctx.command
    commands = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    commands = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
    width = max(len(name) for name, _ in commands)
    lines = [ctx.get_usage(), "", "Commands:"]
    lines += [f"  {name:<{width}}  {(cmd.help or '').strip().splitlines()[0]}"
              for name, cmd in commands]
    return "\n".join(lines) + "\n"


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a Python warning as one line ``warning: <message>`` on stderr, without source."""
    kind = "" if issubclass(category, UserWarning) else f" ({category.__name__})"
    err.print(f"warning: {message}{kind}")


def _run(argv: list[str] | None) -> int:
    """Run the app; print a usage or input error as one message; return the exit status."""
    try:
        # Not standalone: typer returns typer.Exit's code and raises the rest here.
        code = app(args=argv, prog_name="adoptsim", standalone_mode=False)
    except UsageError as exc:  # no or unknown command or option, missing or malformed value
        if _missing_command(exc):
            err.print(_command_list(exc))
            _error("missing command.", f"Run '{exc.ctx.command_path} COMMAND --help' for "
                   f"a command's options.")
        else:
            _error(_usage_message(exc), _help_hint(exc))
        return 2
    except ClickException as exc:
        _error(exc.format_message())
        return exc.exit_code
    except InputError as exc:
        _error(str(exc))
        return 2
    except DiskFullError as exc:
        _error(f"the disk is full ({exc.reason}) while writing {exc.path}, which was not "
               f"written. Free some space and run the command again.")
        return 1
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        _error(f"{exc.filename}: {exc.strerror}." if exc.filename else str(exc))
        return 2
    except KeyboardInterrupt:
        err.print("interrupted.")
        return 130
    return code if isinstance(code, int) else 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``adoptsim`` command; exits with its status.

    Exit status 0 on success; 2 on bad input, printed as ``error: <message>``
    on stderr without a traceback: a usage error (no or unknown command,
    missing or malformed argument; with a hint to ``--help``), an
    :class:`~adoptsim.errors.InputError`, or a file that cannot be opened.
    Python warnings print as one line ``warning: <message>``. Any other
    exception is a bug and keeps its traceback.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``adoptsim`` (default ``sys.argv[1:]``).
    """
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        code = _run(argv)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
