"""Serving the app or the workshop from the terminal: the address, and the server's life.

Examples
--------
>>> check_address("127.0.0.1", 0)  # any free port: no error
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import typer

from ..errors import InputError


def check_address(host: str, port: int, what: str = "The app") -> None:
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
            f"{what} cannot listen on --host {host} --port {port}: {reason}. Choose another "
            f"--port (1-65535, e.g. 8766) or a --host of this machine (127.0.0.1, 0.0.0.0)."
        ) from None


def serve(process: subprocess.Popen, host: str, port: int, ready: list[str], what: str) -> None:
    """Wait for a started server, print ``ready``, and keep it until Ctrl+C or its end.

    The server is stopped whichever way this returns (also when this
    process is terminated, since it would outlive us).
    """
    from . import server

    local = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_until_ready(f"http://{local}:{port}/", process)
        for line in ready:
            typer.echo(line)
        if process.wait():
            typer.echo(f"error: {what} server stopped with status {process.returncode}.",
                       err=True)
            raise typer.Exit(1)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo(f"stopping {what}.")
    finally:
        server.stop(process)
