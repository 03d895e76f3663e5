"""Starting and stopping the app's Solara server (a subprocess).

``adoptsim app``, the browser tests and the benchmark all start the server
the same way: ``python -m adoptsim.app.server run adoptsim.app.pages ...``,
which compiles the model's kernels and then hands over to Solara's own
command line (``solara run``). The start-up scenario and overrides travel in
environment variables, and the package's own folder goes on ``PYTHONPATH`` so
the server works from any working directory, installed or not.

Examples
--------
>>> 0 < free_port() < 65536
True
>>> server_env(AppSettings())["MPLBACKEND"]
'Agg'
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .levers import AppSettings

#: The module Solara serves.
APP_MODULE = "adoptsim.app.pages"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def server_env(settings: AppSettings) -> dict[str, str]:
    """The server process's environment."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding `adoptsim`
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.update(settings.to_env())
    env["MPLBACKEND"] = "Agg"
    # A workshop room may have no internet: no usage statistics sent home.
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # Served over plain http, Solara falls back to SameSite=Lax session cookies (right
    # for a local server) and warns about it in a 15-line block at the first visit.
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    return env


def start(
    settings: AppSettings,
    host: str = "127.0.0.1",
    port: int = 8765,
    log: Path | None = None,
    cwd: Path | None = None,
    module: str = APP_MODULE,
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start the server; return at once (see :func:`wait_until_ready`).

    Parameters
    ----------
    settings
        Start-up scenario and overrides for every session.
    host, port
        Where to listen.
    log
        A file for the server's output (default: this terminal). A file, not
        a pipe: a pipe nobody reads would block the server once full.
    cwd
        Working directory (its ``scenarios/`` folder, if any, lists the presets).
    module
        The module Solara serves: the app's pages, or the workshop's
        (:mod:`adoptsim.app.workshop.pages`).
    env
        More environment variables for the server (the workshop's file).
    """
    command = [
        sys.executable, "-m", "adoptsim.app.server", "run", module, "--host", host,
        "--port", str(port), "--production", "--no-open", "--log-level", "warning",
    ]
    output = open(log, "w") if log is not None else None
    try:
        return subprocess.Popen(command, env={**server_env(settings), **(env or {})},
                                stdout=output, stderr=subprocess.STDOUT, cwd=cwd)
    finally:
        if output is not None:
            output.close()  # the child has its own copy of the descriptor


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    """Block until ``url`` answers.

    Raises
    ------
    RuntimeError
        If the server exits or does not answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app server did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the server (politely, then firmly)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up() -> None:
    """Compile the numba kernels and load matplotlib's fonts before the first visitor.

    Without this the first page load pays several seconds of compilation.
    """
    from ..config import load_config
    from .runs import Exploration

    Exploration(load_config(overrides={"organisation.employees": 100, "run.steps": 2}),
                "warm-up").step()


def main() -> None:
    """Warm up, then run Solara's command line with this process's arguments."""
    from solara.__main__ import main as solara_main

    warm_up()
    solara_main()


if __name__ == "__main__":
    main()
