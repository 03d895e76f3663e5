"""The ``adoptsim app`` command.

Examples
--------
>>> check_address("127.0.0.1", 0)  # any free port: no error
"""

from __future__ import annotations

import signal
import socket
import sys
from typing import Annotated

import typer

from ..config import load_config
from ..errors import InputError
from ..scenarios import find_scenario
from ..toml import parse_assignments
from .levers import AppSettings


def check_address(host: str, port: int) -> None:
    """Raise :class:`InputError` unless the app could listen on ``host``:``port`` now.

    Checked before the server starts, so a busy port or an unknown host is one
    message and exit status 2, not a failed server process.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            # As the server does, so a port in TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(
            f"The app cannot listen on --host {host} --port {port}: {reason}. Choose another "
            f"--port (1-65535, e.g. 8766) or a --host of this machine (127.0.0.1, 0.0.0.0)."
        ) from None


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
    local = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    typer.echo(f"Starting the adoptsim app at {url} ...")
    process = server.start(settings, host, port)
    # Terminated (not interrupted): still stop the server, which would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_until_ready(f"http://{local}:{port}/", process)
        typer.echo(f"adoptsim app ready: open {url} in a browser (Ctrl+C stops it).")
        if process.wait():
            typer.echo(f"error: the app server stopped with status {process.returncode}.",
                       err=True)
            raise typer.Exit(1)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("stopping the app.")
    finally:
        server.stop(process)


def register(app: typer.Typer) -> None:
    """Add ``app`` to the ``adoptsim`` command."""
    app.command("app")(app_command)
