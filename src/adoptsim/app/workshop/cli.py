"""The ``adoptsim workshop`` command: host a room of teams.

Everything is checked before the server starts (scenario, options, the
address, the folder the game is saved in, the memory every team's world
needs, a file to resume), so bad input is one ``error:`` line and exit
status 2. The command then creates (or resumes) the saved game, starts the
server on it and prints the facilitator's address, with its secret token,
and the join address with the room code.

Examples
--------
>>> check_limits(13, 8, 40)  # the defaults: no error
>>> check_limits(0, 8, 40)
Traceback (most recent call last):
...
adoptsim.errors.InputError: --rounds 0 is not allowed: a game has 1 to 52 rounds.
"""

from __future__ import annotations

import ipaddress
import socket
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ...atomic import check_output_folder
from ...config import load_config
from ...errors import InputError, reject_nul
from ...memory import require_memory
from ...scenarios import find_scenario
from ..levers import AppSettings
from ..serving import check_address, serve
from .settings import ENV_FILE, ENV_JOIN, Settings

#: Largest allowed --rounds, --weeks-per-round and --max-teams.
MAX_ROUNDS = 52
MAX_WEEKS_PER_ROUND = 52
MAX_TEAMS = 200

#: The module the workshop server serves.
MODULE = "adoptsim.app.workshop.pages"

DEFAULTS = Settings()


def check_limits(rounds: int, weeks_per_round: int, max_teams: int) -> None:
    """Raise :class:`InputError` for a number of rounds, weeks or teams out of range."""
    for option, value, most, what in (
        ("--rounds", rounds, MAX_ROUNDS, "a game has 1 to {} rounds"),
        ("--weeks-per-round", weeks_per_round, MAX_WEEKS_PER_ROUND,
         "a round simulates 1 to {} weeks"),
        ("--max-teams", max_teams, MAX_TEAMS, "a room holds 1 to {} teams"),
    ):
        if not 1 <= value <= most:
            raise InputError(f"{option} {value} is not allowed: {what.format(most)}.")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_game_path(folder: Path) -> Path:
    """A file name for a new game in ``folder`` that no earlier game has taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"adoptsim-workshop-{stamp}.json"
    k = 2
    while path.exists():
        path = folder / f"adoptsim-workshop-{stamp}-{k}.json"
        k += 1
    return path


def workshop_command(
    scenario: Annotated[
        str | None,
        typer.Argument(help="The organisation every team plays: a scenario file or a shipped "
                       "name (default baseline)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; any "
                                      "other is reachable by the room).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    rounds: Annotated[int | None, typer.Option(
        help=f"Rounds in the game (1-{MAX_ROUNDS}; default {DEFAULTS.rounds}).")] = None,
    weeks_per_round: Annotated[int | None, typer.Option(
        help=f"Weeks each round simulates (1-{MAX_WEEKS_PER_ROUND}; "
             f"default {DEFAULTS.weeks_per_round}).")] = None,
    max_teams: Annotated[int | None, typer.Option(
        help=f"Most teams that can join (1-{MAX_TEAMS}; default {DEFAULTS.max_teams}).")
    ] = None,
    resume: Annotated[Path | None, typer.Option(
        help="Resume the game saved in this file (after a crash or a restart).")] = None,
) -> None:
    """Host a workshop: teams each play the comms manager of the same organisation.

    Prints the facilitator's address (keep it to yourself: it runs the game)
    and the join address with the room code. The game is saved after every
    change to a file in the current folder; --resume FILE continues it.
    """
    # Here, not at the top: the model and the server are needed only to play.
    from ...model.state import estimate_bytes
    from .. import server
    from .room import Room

    if resume is not None:
        given = [option for option, value in (("SCENARIO", scenario), ("--rounds", rounds),
                                               ("--weeks-per-round", weeks_per_round),
                                               ("--max-teams", max_teams)) if value is not None]
        if given:
            raise InputError(f"--resume continues the saved game with its own scenario, "
                             f"rounds, weeks per round and most teams; leave out "
                             f"{', '.join(given)}.")
        reject_nul(resume, "--resume")
        room = Room.load(resume)
        check_address(host, port, "The workshop")
        path = resume
    else:
        settings = Settings(
            DEFAULTS.rounds if rounds is None else rounds,
            DEFAULTS.weeks_per_round if weeks_per_round is None else weeks_per_round,
            DEFAULTS.max_teams if max_teams is None else max_teams,
            DEFAULTS.scenario if scenario is None else Path(scenario).stem)
        check_limits(settings.rounds, settings.weeks_per_round, settings.max_teams)
        config = load_config(find_scenario(scenario) if scenario is not None else None)
        if config.comms.count < 1:
            raise InputError(f"The scenario {settings.scenario} has no comms manager "
                             f"(comms.count = 0); the teams play the comms manager, so the "
                             f"workshop needs a scenario with comms.count >= 1.")
        require_memory(estimate_bytes(config) * (settings.max_teams + 1),
                       f"{settings.max_teams} teams' worlds of {config.organisation.employees:,} "
                       f"employees (and the counterfactual)",
                       "Use fewer --max-teams or a scenario with fewer employees.")
        folder = check_output_folder(Path.cwd(), "The current folder (where the game is saved)")
        check_address(host, port, "The workshop")
        path = new_game_path(folder)
        room = Room.new(config, settings, path)

    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    s = room.settings
    typer.echo(f"adoptsim workshop: {s.scenario}, {s.rounds} rounds of {s.weeks_per_round} "
               f"weeks ({s.horizon} weeks), up to {s.max_teams} teams"
               + (f", resumed at round {min(room.round, s.rounds)}." if resume else "."))
    typer.echo(f"The game is saved to {path.resolve()} after every change; after a crash, "
               f"continue it with: adoptsim workshop --resume {path.resolve()}")
    if not is_loopback(host):
        typer.echo(f"warning: --host {host} makes the workshop reachable from other machines "
                   f"on the network; teams still need the room code, and only the "
                   f"facilitator's address runs the game.", err=True)
    typer.echo(f"Starting the workshop server at {base}/ ...")
    env = {ENV_FILE: str(path.resolve()), ENV_JOIN: f"{base}/"}
    process = server.start(AppSettings(), host, port, module=MODULE, env=env)
    serve(process, host, port, [
        "adoptsim workshop ready (Ctrl+C stops it).",
        f"  Facilitator (keep this address to yourself): {base}/facilitator/{room.token}",
        f"  Teams join at {base}/ with room code {room.code}",
    ], "the workshop")
