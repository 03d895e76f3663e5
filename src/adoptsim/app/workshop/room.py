"""A workshop room: teams, rounds, events, the leaderboard, saving and restoring.

Everything the room knows lives in one :class:`Room`, shared by every
browser session of the workshop server (unlike the app's pages, whose state
is per session); a lock guards it, and :meth:`Room.wait` lets each page
sleep until something it shows has changed. Nothing here imports Solara:
the pages (:mod:`.pages`) are a thin face over these methods, and the tests
drive the room directly.

Who may do what is decided here, not in the page: a team acts only through
its own secret key (the address the join page gave it), the facilitator
only with the room's token, and every decision is checked on the server
(:func:`~.decisions.check_decisions`).

Examples
--------
>>> import tempfile, pathlib
>>> from adoptsim.config import load_config
>>> path = pathlib.Path(tempfile.mkdtemp()) / "room.json"
>>> room = Room.new(load_config(overrides={"organisation.employees": 200}),
...                 Settings(rounds=2, weeks_per_round=4), path)
>>> team = room.join(room.code, "Blue", client="browser-1")
>>> _ = room.submit(team.key, {**room.form(team.key), "join": True})
>>> room.advance(room.token)
>>> room.round, room.world(team.key).joined_at, path.exists()
(2, 0, True)
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import math
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..._version import __version__
from ...atomic import DiskFullError, atomic_write
from ...config import ScenarioConfig, validate
from ...errors import InputError
from ...model.metrics import SERIES
from .decisions import RESPONSE, DecisionError, check_decisions, default_decisions
from .settings import Settings
from .world import RECORDED, World, choose_founders, workshop_config

#: The name the no-comms counterfactual goes by in outcomes and exports.
NO_COMMS = "(no comms)"

#: Room codes: six of these (no 0/O, 1/I/L look-alikes).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

#: Team names: 1-24 characters, letters and digits plus these.
NAME_MAX = 24
NAME_EXTRA = " -'.&!"

#: Join attempts allowed per browser in :data:`JOIN_WINDOW` seconds, and in the whole room.
JOINS_PER_CLIENT = 6
JOINS_PER_ROOM = 120
JOIN_WINDOW = 60.0

#: The size of a leak's fear shock the facilitator can choose, and its default.
LEAK_SIZES = (0.1, 0.2, 0.3, 0.4, 0.5)
LEAK_SIZE = 0.3

#: The events a facilitator can fire, and what the pages call them.
EVENTS = {
    "grassroots": "A grassroots channel appears",
    "leak": "A leak raises fear",
}


#: The saved file's format and its version.
FORMAT = "adoptsim workshop"
FORMAT_VERSION = 1


class Refused(Exception):
    """A join, submission or facilitator action the room refuses; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """An outcome the leaderboard can rank teams on."""

    column: str
    higher_is_better: bool

    @property
    def label(self) -> str:
        """The metric's label."""
        return SERIES[self.column].label

    def format(self, value: float) -> str:
        """The value as the pages show it."""
        return SERIES[self.column].format(value)


#: The leaderboard's outcomes by the name the facilitator picks.
LEADERBOARD: dict[str, Outcome] = {
    "benefit": Outcome("benefit_cum", True),
    "trust": Outcome("trust", True),
    "adoption": Outcome("member", True),
    "underground": Outcome("underground", False),
}


@dataclass(frozen=True)
class Standing:
    """A team's place on the leaderboard (equal values share a rank)."""

    rank: int
    team: str
    value: float


@dataclass(frozen=True)
class Event:
    """An event fired in a round: ``grassroots`` or ``leak`` (with its size)."""

    kind: str
    size: float = 0.0


@dataclass
class Team:
    """A team: its name, secret key, the round it joined in and its world."""

    name: str
    key: str
    joined_round: int
    world: World = field(repr=False)


class RateLimiter:
    """At most ``per_client`` attempts per client and ``overall`` in all per ``window`` s.

    >>> now = [0.0]
    >>> limit = RateLimiter(2, 10, 60.0, clock=lambda: now[0])
    >>> [limit.wait("a") for _ in range(3)]
    [0.0, 0.0, 60.0]
    >>> now[0] = 61.0
    >>> limit.wait("a")
    0.0
    """

    def __init__(self, per_client: int, overall: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_client, self.overall, self.window, self.clock = (
            per_client, overall, window, clock)
        self.clients: dict[str, deque[float]] = {}
        self.all: deque[float] = deque()

    def wait(self, client: str) -> float:
        """Record an attempt by ``client``: 0 if allowed, else the seconds until it is."""
        now = self.clock()
        for times in (self.all, *self.clients.values()):
            while times and times[0] <= now - self.window:
                times.popleft()
        self.clients = {k: v for k, v in self.clients.items() if v}
        mine = self.clients.setdefault(client, deque())
        for times, most in ((mine, self.per_client), (self.all, self.overall)):
            if len(times) >= most:
                return times[0] + self.window - now
        mine.append(now)
        self.all.append(now)
        return 0.0


def clean_name(name: str) -> str:
    """A team name with its spaces tidied; :class:`Refused` if it is not allowed.

    >>> clean_name("  The   Blue  Team ")
    'The Blue Team'
    """
    text = " ".join(str(name).split())
    if not 1 <= len(text) <= NAME_MAX or not text[0].isalnum() or not all(
            c.isalnum() or c in NAME_EXTRA for c in text):
        raise Refused(f"A team name has 1 to {NAME_MAX} characters: letters, digits, spaces "
                      f"and {NAME_EXTRA.strip()}, starting with a letter or digit.")
    return text


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


class Room:
    """The state of one workshop, shared by all its pages.

    Build one with :meth:`new` or :meth:`load`; every change is saved to
    :attr:`path` at once (the whole room, atomically).

    Attributes
    ----------
    round : int
        The round open for decisions, 1 to ``rounds``; ``rounds + 1`` once
        the game is over.
    code, token : str
        The room code teams join with; the facilitator's secret.
    auto_advance : bool
        Run the round as soon as every team has submitted.
    revealed : bool
        Teams see the debrief (the leaderboard and everyone's curves).
    save_error : str
        Why the last save failed ('' when it succeeded).
    version, public_version : int
        Raised by every change, and by every change teams see.
    """

    def __init__(self, config: ScenarioConfig, settings: Settings, path: Path, code: str,
                 token: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.scenario = config
        self.settings = settings
        self.config = workshop_config(config, settings.horizon)
        self.path = Path(path)
        self.code = code
        self.token = token
        self.defaults = default_decisions(config)
        self.baseline = World(self.config)
        self.teams: dict[str, Team] = {}  # by key, in joining order
        self.round = 1
        self.decisions: dict[int, dict[str, dict[str, Any]]] = {}
        self.submitted: dict[int, list[str]] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self.drafts: dict[str, dict[str, Any]] = {}  # submissions an event reopened
        self.events: dict[int, list[Event]] = {}
        self.outcomes: dict[int, dict[str, dict[str, float]]] = {}
        self.auto_advance = False
        self.revealed = False
        self.save_error = ""
        self.version = 0
        self.public_version = 0
        self.limiter = RateLimiter(JOINS_PER_CLIENT, JOINS_PER_ROOM, JOIN_WINDOW, clock)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)

    # ------------------------------------------------------------ making one
    @classmethod
    def new(cls, config: ScenarioConfig, settings: Settings, path: Path) -> Room:
        """A new room with a fresh code and token, saved at once."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        room = cls(config, settings, path, code, secrets.token_urlsafe(18))
        room.save()
        return room

    @classmethod
    def load(cls, path: Path) -> Room:
        """The room saved in ``path``, replayed to where it was.

        Raises
        ------
        InputError
            If the file cannot be read, is not a saved workshop, or replaying
            it does not give the outcomes it recorded (a different model).
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"--resume {path}: there is no such file; give the file the "
                             f"workshop saved (its path is printed when it starts).") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"--resume {path} cannot be read as a saved workshop: {exc}.") \
                from None
        try:
            saved = Saved.model_validate(data)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "the file"
            raise InputError(f"--resume {path} is not a saved adoptsim workshop ({where}: "
                             f"{problem['msg']}); give the file the workshop saved.") from None
        return cls._restore(saved, path)

    @classmethod
    def _restore(cls, saved: Saved, path: Path) -> Room:
        base = Path(saved.base_dir) if saved.base_dir else None
        config = validate(saved.scenario, f"{path} (scenario)", base)
        settings = Settings(saved.rounds, saved.weeks_per_round, saved.max_teams,
                            saved.scenario_name)
        room = cls(config, settings, path, saved.room_code, saved.token)
        room.auto_advance, room.revealed = saved.auto_advance, saved.revealed
        for team in saved.teams:
            room.teams[team.key] = Team(team.name, team.key, team.joined_round,
                                        World(room.config))
        names = {t.name for t in saved.teams}
        for r in range(1, saved.round):
            r_key = str(r)
            room.events[r] = [Event(e.kind, e.size) for e in saved.events.get(r_key, [])]
            played = saved.decisions.get(r_key, {})
            if set(played) != names:
                raise InputError(f"--resume {path}: round {r} has no decisions for "
                                 f"{', '.join(sorted(names - set(played))) or 'no one'}; "
                                 f"the file is damaged.")
            try:
                room._play(r, played)
            except DecisionError as exc:
                raise InputError(f"--resume {path}: round {r}: {exc}") from None
            room.submitted[r] = list(saved.submitted.get(r_key, []))
            room._check_replay(r, saved.outcomes.get(r_key, {}))
        room.round = saved.round
        room.events[room.round] = [Event(e.kind, e.size)
                                   for e in saved.events.get(str(room.round), [])]
        closed = {t.name: t.world.closed for t in room.teams.values()}
        try:
            room.pending = {n: check_decisions(d, room.grassroots(), closed[n])
                            for n, d in saved.pending.items() if n in names}
        except DecisionError as exc:
            raise InputError(f"--resume {path}: round {room.round}: {exc}") from None
        room.drafts = {n: d for n, d in saved.drafts.items() if n in names}
        return room

    def _check_replay(self, r: int, recorded: dict[str, dict[str, float]]) -> None:
        for name, now in self.outcomes[r].items():
            before = recorded.get(name, {})
            if not all(k in before and _same(now[k], before[k]) for k in now):
                raise InputError(
                    f"--resume {self.path}: replaying round {r} does not give the outcomes "
                    f"saved for {name}; the game was played with another version of the "
                    f"model or the file was changed. Resume it with the adoptsim it was "
                    f"saved with.")

    # ---------------------------------------------------------------- saving
    def to_dict(self) -> dict[str, Any]:
        """The room as plain data (what :meth:`save` writes)."""
        return Saved(
            adoptsim=__version__, saved=datetime.now(UTC).isoformat(timespec="seconds"),
            scenario_name=self.settings.scenario, scenario=self.scenario.to_dict(),
            base_dir=self.scenario.base_dir, rounds=self.settings.rounds,
            weeks_per_round=self.settings.weeks_per_round, max_teams=self.settings.max_teams,
            room_code=self.code, token=self.token, round=self.round,
            auto_advance=self.auto_advance, revealed=self.revealed,
            teams=[SavedTeam(name=t.name, key=t.key, joined_round=t.joined_round)
                   for t in self.teams.values()],
            events={str(r): [SavedEvent(kind=e.kind, size=e.size) for e in events]
                    for r, events in self.events.items() if events},
            decisions={str(r): d for r, d in self.decisions.items()},
            submitted={str(r): s for r, s in self.submitted.items()},
            pending=self.pending, drafts=self.drafts,
            outcomes={str(r): o for r, o in self.outcomes.items()},
        ).model_dump(mode="json")

    def save(self) -> None:
        """Write the room to :attr:`path` (replaced whole; readable by its owner only)."""
        text = json.dumps(self.to_dict(), indent=1)

        def write(staging: Path) -> None:
            staging.write_text(text, encoding="utf-8")
            os.chmod(staging, 0o600)  # it holds the facilitator's token and the teams' keys

        atomic_write(self.path, write)

    def _changed(self, public: bool) -> None:
        """Save, and wake the pages waiting in :meth:`wait` (call with the lock held).

        A failed save (a full disk, a removed folder) does not stop the game:
        :attr:`save_error` says what failed until a save succeeds again.
        """
        try:
            self.save()
            self.save_error = ""
        except (DiskFullError, OSError) as exc:
            self.save_error = (f"The game could not be saved to {self.path} ({exc}); it goes "
                               f"on, and the next change tries again. Export the CSV to keep "
                               f"the results.")
        self.version += 1
        if public:
            self.public_version += 1
        self.changed.notify_all()

    def wait(self, seen: int, public: bool, timeout: float) -> int:
        """Block until the (public) version differs from ``seen`` or ``timeout`` passes."""
        with self.changed:
            self.changed.wait_for(
                lambda: (self.public_version if public else self.version) != seen, timeout)
            return self.public_version if public else self.version

    # ------------------------------------------------------------------- state
    @property
    def finished(self) -> bool:
        """Whether every round has been played."""
        return self.round > self.settings.rounds

    def weeks(self, r: int) -> tuple[int, int]:
        """The first and last week (1-based) that round ``r`` simulates."""
        w = self.settings.weeks_per_round
        return (r - 1) * w + 1, r * w

    def team(self, key: str) -> Team | None:
        """The team whose key this is (None for any other string)."""
        return self.teams.get(key) if isinstance(key, str) else None

    def world(self, key: str) -> World:
        """A team's world (:class:`Refused` for an unknown key)."""
        return self._team(key).world

    def _team(self, key: str) -> Team:
        team = self.team(key)
        if team is None:
            raise Refused("This team link is not one of this room's teams; join from the "
                          "room's join page.")
        return team

    def is_facilitator(self, token: str) -> bool:
        """Whether ``token`` is the facilitator's (compared in constant time)."""
        return isinstance(token, str) and hmac.compare_digest(token.encode(),
                                                              self.token.encode())

    def _facilitator(self, token: str) -> None:
        if not self.is_facilitator(token):
            raise Refused("Only the facilitator can do this.")

    def grassroots(self, r: int | None = None) -> bool:
        """Whether a grassroots channel appeared in round ``r`` (default the open one)."""
        return any(e.kind == "grassroots" for e in self.events.get(r or self.round, []))

    def names(self) -> list[str]:
        """Team names in joining order."""
        return [t.name for t in self.teams.values()]

    def waiting_for(self) -> list[str]:
        """Teams that have not submitted this round."""
        return [t.name for t in self.teams.values() if t.name not in self.pending]

    def previous(self, name: str, r: int) -> dict[str, Any] | None:
        """The decisions ``name`` played in round ``r`` (None before it played)."""
        return self.decisions.get(r, {}).get(name)

    def form(self, key: str) -> dict[str, Any]:
        """What a team's decision form shows: its submission, else last round's, else defaults.

        Includes ``response`` (default ``ignore``) when one is due.
        """
        with self.lock:
            team = self._team(key)
            shown = (self.pending.get(team.name) or self.drafts.get(team.name)
                     or self.previous(team.name, self.round - 1) or self.defaults)
            out = {k: v for k, v in shown.items() if k != RESPONSE}
            if self.grassroots():
                out[RESPONSE] = shown.get(RESPONSE, "ignore")
            return out

    # ----------------------------------------------------------------- teams
    def join(self, code: str, name: str, client: str) -> Team:
        """Add a team; :class:`Refused` (with the reason) if it may not join.

        Parameters
        ----------
        code
            The room code as typed (case and spaces do not matter).
        name
            The team name (unique in the room, ignoring case).
        client
            Who is asking (the browser), for the rate limit.
        """
        with self.lock:
            wait = self.limiter.wait(client)
            if wait > 0:
                raise Refused(f"Too many attempts to join; wait {math.ceil(wait)} seconds and "
                              f"try again.")
            typed = "".join(str(code).split()).upper()
            if not hmac.compare_digest(typed.encode(), self.code.encode()):
                raise Refused("That is not this room's code; check the code the facilitator "
                              "shows (six letters and digits).")
            name = clean_name(name)
            if any(t.name.casefold() == name.casefold() for t in self.teams.values()):
                raise Refused(f"A team called {name} has already joined; choose another name.")
            if self.finished:
                raise Refused("The game is over; no more teams can join.")
            if len(self.teams) >= self.settings.max_teams:
                raise Refused(f"The room is full ({self.settings.max_teams} teams).")
            team = Team(name, secrets.token_urlsafe(12), self.round, World(self.config))
            self._catch_up(team)
            self.teams[team.key] = team
            self._changed(public=False)
            return team

    def _catch_up(self, team: Team) -> None:
        """Play the rounds a late team missed with the starting decisions (and no response)."""
        for r in range(1, self.round):
            decisions = dict(self.defaults)
            if self.grassroots(r):
                decisions[RESPONSE] = "ignore"
            self.decisions[r][team.name] = self._play_world(
                team.world, decisions, self.previous(team.name, r - 1), r)
            self.outcomes[r][team.name] = team.world.outcomes()

    def submit(self, key: str, raw: Any) -> dict[str, Any]:
        """Record a team's decisions for the open round (again until it runs).

        Returns the checked decisions; raises :class:`Refused` for an unknown
        key or a finished game, :class:`~.decisions.DecisionError` for a
        decision that is not allowed. Runs the round when that was the last
        team and :attr:`auto_advance` is on.
        """
        with self.lock:
            team = self._team(key)
            if self.finished:
                raise Refused("The game is over; there is nothing more to decide.")
            decisions = check_decisions(raw, self.grassroots(), team.world.closed)
            self.pending[team.name] = decisions
            self.drafts.pop(team.name, None)
            if self.auto_advance and not self.waiting_for():
                self._advance()
                self._changed(public=True)
            else:
                self._changed(public=False)
            return decisions

    # ------------------------------------------------------------ facilitator
    def advance(self, token: str) -> None:
        """Run the open round in every world (the facilitator's button)."""
        with self.lock:
            self._facilitator(token)
            if self.finished:
                raise Refused("Every round has been played.")
            if not self.teams:
                raise Refused("No team has joined yet.")
            self._advance()
            self._changed(public=True)

    def fire(self, token: str, kind: str, size: float = LEAK_SIZE) -> None:
        """Fire an event in the open round (the facilitator's buttons).

        A grassroots channel reopens the round's submissions: every team
        must now choose a response.
        """
        with self.lock:
            self._facilitator(token)
            if kind not in EVENTS:
                raise Refused(f"Unknown event {kind!r}; the events are {', '.join(EVENTS)}.")
            if self.finished:
                raise Refused("Every round has been played.")
            if kind == "leak" and size not in LEAK_SIZES:
                raise Refused(f"A leak's size must be one of {LEAK_SIZES}.")
            fired = self.events.setdefault(self.round, [])
            if any(e.kind == kind for e in fired):
                raise Refused(f"{EVENTS[kind]} has already been fired this round.")
            fired.append(Event(kind, size if kind == "leak" else 0.0))
            if kind == "grassroots":
                self.drafts.update(self.pending)
                self.pending.clear()
            self._changed(public=True)

    def set_auto_advance(self, token: str, on: bool) -> None:
        """Run rounds as soon as every team has submitted (or not)."""
        with self.lock:
            self._facilitator(token)
            self.auto_advance = bool(on)
            if self.auto_advance and self.teams and not self.waiting_for() \
                    and not self.finished:
                self._advance()
                self._changed(public=True)
            else:
                self._changed(public=False)

    def reveal(self, token: str, on: bool) -> None:
        """Show the debrief to the teams (or hide it again)."""
        with self.lock:
            self._facilitator(token)
            self.revealed = bool(on)
            self._changed(public=True)

    # ------------------------------------------------------------------ rounds
    def _advance(self) -> None:
        """Run the open round: everyone's decisions, the events, the weeks."""
        r = self.round
        played = {}
        for team in self.teams.values():
            played[team.name] = self.pending.get(team.name) or self._carried(team.name, r)
        self._play(r, played)
        self.submitted[r] = [n for n in self.names() if n in self.pending]
        self.pending.clear()
        self.drafts.clear()
        self.round += 1

    def _carried(self, name: str, r: int) -> dict[str, Any]:
        """A team's decisions when it did not submit: those it submitted before an event
        reopened the round, else last round's, else the starting ones (no response: ignore)."""
        shown = self.drafts.get(name) or self.previous(name, r - 1) or self.defaults
        decisions = {k: v for k, v in shown.items() if k != RESPONSE}
        if self.grassroots(r):
            decisions[RESPONSE] = "ignore"
        return decisions

    def _play(self, r: int, played: dict[str, dict[str, Any]]) -> None:
        """Play round ``r`` in every world with these (checked again) decisions."""
        outcomes, checked = {}, {}
        for team in self.teams.values():
            checked[team.name] = self._play_world(team.world, played[team.name],
                                                  self.previous(team.name, r - 1), r)
            outcomes[team.name] = team.world.outcomes()
        self._play_world(self.baseline, None, None, r)
        outcomes[NO_COMMS] = self.baseline.outcomes()
        self.decisions[r] = checked
        self.outcomes[r] = outcomes

    def _play_world(self, world: World, decisions: dict[str, Any] | None,
                    previous: dict[str, Any] | None, r: int) -> dict[str, Any] | None:
        """Round ``r`` in one world: events, then decisions, then the weeks.

        Returns the decisions as checked (None for the counterfactual, which has none).
        """
        grassroots = self.grassroots(r)
        if decisions is not None:
            decisions = check_decisions(decisions, grassroots, world.closed)
        for event in self.events.get(r, []):
            if event.kind == "grassroots":
                founders = choose_founders(world.model.people.is_manager,
                                           self.config.run.seed, world.week)
                world.found_back_channels(founders)
            else:
                world.raise_fear(event.size)
        if decisions is not None:
            world.apply(decisions, previous)
        world.run(self.settings.weeks_per_round)
        return decisions

    # ----------------------------------------------------------------- results
    def leaderboard(self, outcome: str) -> list[Standing]:
        """Teams ranked on ``outcome`` (a key of :data:`LEADERBOARD`) now; ties share a rank."""
        spec = LEADERBOARD[outcome]
        with self.lock:
            values = [(t.name, t.world.outcomes()[spec.column]) for t in self.teams.values()]
        sign = -1.0 if spec.higher_is_better else 1.0
        values.sort(key=lambda nv: sign * nv[1])  # stable: joining order among equals
        out: list[Standing] = []
        for i, (name, value) in enumerate(values):
            rank = out[-1].rank if out and out[-1].value == value else i + 1
            out.append(Standing(rank, name, value))
        return out

    def series(self) -> dict[str, pd.DataFrame]:
        """Every team's time series so far, and the counterfactual's under :data:`NO_COMMS`."""
        with self.lock:
            out = {t.name: t.world.series() for t in self.teams.values()}
            out[NO_COMMS] = self.baseline.series()
            return out

    def csv(self) -> str:
        """The played rounds as CSV: one row per team, round and decision, event or outcome.

        Columns: team, round, first_week, last_week, kind (``decision``,
        ``submitted``, ``event`` or ``outcome``), name, value. Events are
        listed under the team ``(all)``; the counterfactual's outcomes under
        :data:`NO_COMMS`.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["team", "round", "first_week", "last_week", "kind", "name", "value"])
        with self.lock:
            for r in sorted(self.outcomes):
                first, last = self.weeks(r)
                for event in self.events.get(r, []):
                    writer.writerow(["(all)", r, first, last, "event", event.kind,
                                     event.size if event.kind == "leak" else ""])
                for name in [*self.names(), NO_COMMS]:
                    if name != NO_COMMS:
                        writer.writerow([name, r, first, last, "submitted", "submitted",
                                         name in self.submitted.get(r, [])])
                        for key, value in self.decisions[r][name].items():
                            writer.writerow([name, r, first, last, "decision", key, value])
                    for key, value in self.outcomes[r][name].items():
                        writer.writerow([name, r, first, last, "outcome", key, repr(value)])
        return out.getvalue()

    def summary(self) -> pd.DataFrame:
        """One row per team: its choices over the game and its outcomes now (for the debrief).

        Columns: ``team``, ``joined_week`` (NaN if never), the most common
        ``strategy``, the mean ``effort``, ``monitoring`` and ``visibility``,
        ``learn_tone`` (share of rounds), ``response`` (to the first
        grassroots channel, or ''), then the :data:`~.world.RECORDED` outcomes.
        """
        rows = []
        with self.lock:
            played = sorted(self.decisions)
            for team in self.teams.values():
                chosen = [self.decisions[r][team.name] for r in played]
                joined = team.world.joined_at
                strategies = [d["strategy"] for d in chosen] or [self.defaults["strategy"]]
                response = next((d[RESPONSE] for d in chosen if RESPONSE in d), "")

                def mean(name: str, chosen: list = chosen) -> float:
                    return float(np.mean([d[name] for d in chosen])) if chosen else math.nan

                rows.append({
                    "team": team.name,
                    "joined_week": math.nan if joined is None else joined,
                    "strategy": max(set(strategies), key=strategies.count),
                    "effort": mean("effort"), "monitoring": mean("monitoring"),
                    "visibility": mean("visibility"), "learn_tone": mean("learn_tone"),
                    "response": response, **team.world.outcomes(),
                })
        columns = ["team", "joined_week", "strategy", "effort", "monitoring", "visibility",
                   "learn_tone", "response", *RECORDED]
        return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------ the saved file
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=True)


class SavedTeam(_Strict):
    name: str
    key: str = Field(min_length=8)
    joined_round: int = Field(ge=1)


class SavedEvent(_Strict):
    kind: Literal["grassroots", "leak"]
    size: float = Field(0.0, ge=0.0, le=1.0)


class Saved(_Strict):
    """The saved room (JSON): what :meth:`Room.load` needs to replay it."""

    format: Literal["adoptsim workshop"] = FORMAT
    format_version: Literal[1] = FORMAT_VERSION
    adoptsim: str
    saved: str
    scenario_name: str
    scenario: dict[str, Any]
    base_dir: str | None = None
    rounds: int = Field(ge=1)
    weeks_per_round: int = Field(ge=1)
    max_teams: int = Field(ge=1)
    room_code: str = Field(min_length=CODE_LENGTH, max_length=CODE_LENGTH)
    token: str = Field(min_length=16)
    round: int = Field(ge=1)
    auto_advance: bool
    revealed: bool
    teams: list[SavedTeam]
    events: dict[str, list[SavedEvent]]
    decisions: dict[str, dict[str, dict[str, Any]]]
    submitted: dict[str, list[str]]
    pending: dict[str, dict[str, Any]]
    drafts: dict[str, dict[str, Any]]
    outcomes: dict[str, dict[str, dict[str, float]]]

    @model_validator(mode="after")
    def _consistent(self) -> Saved:
        if self.round > self.rounds + 1:
            raise ValueError(f"round {self.round} is after the last of {self.rounds} rounds")
        names = [t.name.casefold() for t in self.teams]
        if len(set(names)) < len(names):
            raise ValueError("two teams have the same name")
        return self
