"""The ``adoptsim app`` command (``adoptsim workshop`` is registered here too)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..config import load_config
from ..scenarios import find_scenario
from ..toml import parse_assignments
from .levers import AppSettings
from .serving import check_address, serve


def app_command(
    scenario: Annotated[
        str | None,
        typer.Argument(help="Scenario to open first: a file or a shipped name (default baseline)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a key in every preset, e.g. --set "
                     "organisation.employees=500 for slow laptops (repeatable)."),
    ] = None,
) -> None:
    """Start the interactive app (Explore, Compare, About) and print its address."""
    from . import server

    path = find_scenario(scenario) if scenario is not None else None
    overrides = parse_assignments(sets)
    load_config(path, overrides)  # bad input fails here, with a message, not in the browser
    check_address(host, port)
    settings = AppSettings(path, overrides)
    url = f"http://{host}:{port}/"
    typer.echo(f"Starting the adoptsim app at {url} ...")
    serve(server.start(settings, host, port), host, port,
          [f"adoptsim app ready: open {url} in a browser (Ctrl+C stops it)."], "the app")


def register(app: typer.Typer) -> None:
    """Add ``app`` and ``workshop`` to the ``adoptsim`` command."""
    from .workshop.cli import workshop_command

    app.command("app")(app_command)
    app.command("workshop")(workshop_command)
