"""The workshop's pages (the module Solara serves for ``adoptsim workshop``).

- ``/``: the join page (room code and team name).
- ``/team/<key>``: a team's page: its own world and this round's decisions.
  The key is the team's secret, handed out by the join page; the page shows
  only that team's world until the facilitator reveals the debrief.
- ``/facilitator/<token>``: the facilitator's page: who has submitted, the
  round button, events, the leaderboard, every team's curves against the
  counterfactual, the debrief and the CSV export.

Every page reads the one :class:`~.room.Room` of the server process (loaded
from the file ``adoptsim workshop`` passes in :data:`ENV_FILE`) and re-renders
when it changes (:func:`use_version`). Pages only call the room's methods,
which check the key, the token and every decision themselves.

Examples
--------
>>> [route.path for route in routes]
['/', 'team', 'facilitator']
"""

# No `from __future__ import annotations`: Solara casts URL parts with the
# page components' real annotations (TeamPage(key: str)).
import functools
import html
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import solara

from ...model.metrics import SERIES
from ...model.targeting import STRATEGIES
from ..charts import figure_png
from ..widgets import APP_CSS, Download, Prose
from .charts import TeamCharts, room_figure
from .debrief import debrief
from .decisions import DECISIONS, RESPONSE, RESPONSES, Decision, DecisionError
from .room import (
    EVENTS,
    LEADERBOARD,
    LEAK_SIZE,
    LEAK_SIZES,
    Refused,
    Room,
)
from .settings import ENV_FILE, ENV_JOIN

#: Seconds a page's watcher sleeps before checking whether it was closed.
WATCH_SECONDS = 1.0

#: The outcomes a team sees in large print.
TILES = ("member", "active", "underground", "trust", "fear", "cm_follower_share",
         "benefit_cum")

WORKSHOP_CSS = """
.room-code-big { font-size: 2.4rem; font-weight: 700; letter-spacing: 0.3rem; }
.ws-table { border-collapse: collapse; margin: 6px 0 12px; }
.ws-table th, .ws-table td { border-bottom: 1px solid #ddd; padding: 3px 10px;
                             text-align: left; }
.ws-table td.num { text-align: right; }
.ws-note { color: #555; }
.team-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 4px; }
"""

_room: list[Room] = []
_room_lock = threading.Lock()


def get_room() -> Room:
    """The server's room, loaded once from :data:`ENV_FILE`."""
    with _room_lock:
        if not _room:
            _room.append(Room.load(Path(os.environ[ENV_FILE])))
        return _room[0]


def use_version(room: Room, public: bool) -> int:
    """The room's (public) version; the calling component re-renders when it changes."""
    version = solara.use_reactive(room.public_version if public else room.version)

    def watch(cancel: threading.Event) -> None:
        seen = version.value
        while not cancel.is_set():
            now = room.wait(seen, public, WATCH_SECONDS)
            if now != seen:
                seen = now
                version.set(now)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    return version.value


_team_charts: dict[str, TeamCharts] = {}


@functools.lru_cache(maxsize=256)
def team_frames(key: str, week: int) -> dict[str, bytes]:
    """A team's charts at ``week`` (worlds only move forward: the pair names the frames)."""
    room = get_room()
    with room.lock:
        series = room.world(key).series()
        if key not in _team_charts:
            _team_charts[key] = TeamCharts(room.settings.horizon)
        charts = _team_charts[key]
    return charts.render(series)


@functools.lru_cache(maxsize=8)
def room_png(played: int, teams: tuple[str, ...]) -> bytes:
    """Every team's curves after ``played`` rounds (and these teams)."""
    room = get_room()
    return figure_png(room_figure(room.series(), room.settings.horizon,
                                  room.settings.weeks_per_round), dpi=90)


def _cells(values: list[str], numeric: tuple[bool, ...]) -> str:
    return "".join(f'<td class="num">{v}</td>' if num else f"<td>{v}</td>"
                   for v, num in zip(values, numeric, strict=True))


def html_table(header: list[str], rows: list[list[str]], numeric: tuple[bool, ...],
               classes: str = "") -> str:
    """A small HTML table; every cell is escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr>{_cells([html.escape(v) for v in row], numeric)}</tr>"
                   for row in rows)
    return f'<table class="ws-table {classes}"><tr>{head}</tr>{body}</table>'


def round_status(room: Room) -> str:
    """Where the game is, in words."""
    s = room.settings
    if room.finished:
        return f"The game is over: {s.rounds} rounds, weeks 1-{s.horizon}."
    first, last = room.weeks(room.round)
    return f"Round {room.round} of {s.rounds}: weeks {first}-{last}"


# ------------------------------------------------------------------ joining
@solara.component
def Join() -> None:
    """Room code and team name; a team that joins goes to its own page."""
    room = get_room()
    router = solara.use_router()
    typed = parse_qs(router.search or "").get("room", [""])[0]
    code = solara.use_reactive(typed)
    name = solara.use_reactive("")
    message = solara.use_reactive("")

    def join() -> None:
        try:
            team = room.join(code.value or "", name.value or "", solara.get_session_id())
        except Refused as exc:
            message.set(str(exc))
            return
        router.push(f"/team/{team.key}")

    with solara.Column(style={"max-width": "32rem", "padding": "16px"}):
        Prose("## Join the workshop\n\nEnter the room code the facilitator shows and a "
              "name for your team. Your team plays the comms manager of an organisation "
              "meeting a new internal social channel.")
        solara.InputText("Room code", value=code, continuous_update=True, classes=["room-code"])
        solara.InputText("Team name", value=name, continuous_update=True, classes=["team-name"])
        solara.Button("Join", icon_name="mdi-login", color="primary", on_click=join,
                      classes=["join-button"])
        if message.value:
            solara.Error(message.value, classes=["join-error"])


# --------------------------------------------------------------------- teams
@solara.component
def DecisionInput(decision: Decision, value: Any, on_value: Callable[[Any], None],
                  disabled: bool = False) -> None:
    """One decision as a switch, slider or drop-down."""
    with solara.Div(classes=[f"decision-{decision.name.replace('_', '-')}"]):
        if decision.kind == "switch":
            solara.Switch(label=decision.label, value=bool(value), on_value=on_value,
                          disabled=disabled)
        elif decision.kind == "choice":
            solara.Select(decision.label, values=list(decision.choices), value=value,
                          on_value=on_value, disabled=disabled,
                          classes=[f"select-{decision.name.replace('_', '-')}"])
            if decision.name == "strategy":
                solara.Text(STRATEGIES[value].describe, classes=["ws-note"])
        elif decision.kind == "int":
            solara.Text(f"{decision.label}: {value}")
            solara.SliderInt("", value=int(value), min=int(decision.low),
                             max=int(decision.high), on_value=on_value, disabled=disabled)
        else:
            solara.Text(f"{decision.label}: {value:.2f}")
            solara.SliderFloat("", value=float(value), min=decision.low, max=decision.high,
                               step=decision.step, on_value=on_value, disabled=disabled)


@solara.component
def DecisionForm(room: Room, key: str, round_open: int, events: int) -> None:
    """This round's decisions of one team, and its Submit button.

    ``round_open`` and ``events`` (fired this round) name the form: edits
    and messages of an earlier form are not shown in a new one.
    """
    form = (round_open, events)
    edits = solara.use_reactive({})  # form -> the values as edited
    notes = solara.use_reactive({})  # form -> (failed, message)
    values = edits.value.get(form) or room.form(key)
    failed, message = notes.value.get(form, (False, ""))
    world = room.world(key)

    def change(name: str, value: Any) -> None:
        edits.set({form: {**values, name: value}})

    def submit() -> None:
        try:
            room.submit(key, values)
        except (Refused, DecisionError) as exc:
            notes.set({form: (True, str(exc))})
            return
        notes.set({form: (False, f"Submitted for round {round_open}. You can change your "
                                 f"decisions and submit again until the round runs.")})

    with solara.Card(f"Decisions for round {round_open}", classes=["decision-form"]):
        if RESPONSE in values:
            solara.Select("Your response to the grassroots channel",
                          values=list(RESPONSES.values()), value=RESPONSES[values[RESPONSE]],
                          on_value=lambda text: change(RESPONSE, next(
                              k for k, v in RESPONSES.items() if v == text)),
                          classes=["decision-response"])
        for decision in DECISIONS:
            if decision.name == "join" and world.joined_at is not None:
                solara.Text(f"The manager is on the channel since week {world.joined_at}.",
                            classes=["joined-note"])
                continue
            DecisionInput(decision, values[decision.name],
                          lambda v, name=decision.name: change(name, v))
        solara.Button(f"Submit decisions for round {round_open}", icon_name="mdi-send",
                      color="primary", on_click=submit, classes=["submit-button"])
        if message:
            (solara.Error if failed else solara.Success)(message, classes=["submit-message"])


@solara.component
def Tiles(outcomes: dict[str, float]) -> None:
    """Outcomes in large print."""
    tiles = "".join(f'<div class="now-tile"><b>{SERIES[k].format(outcomes[k])}</b>'
                    f"<span>{SERIES[k].label}</span></div>" for k in TILES)
    solara.HTML(tag="div", unsafe_innerHTML=tiles, classes=["now-tiles", "team-tiles"])


@solara.component
def EventNotes(room: Room, version: int) -> None:
    """This round's events, as the teams see them (``version``: re-render on a change)."""
    for event in room.events.get(room.round, []):
        if event.kind == "grassroots":
            solara.Warning("A grassroots channel appears: some employees have started their "
                           "own unofficial channel, out of comms' sight. Choose your response "
                           "below; it sets the official channel's policy from this round.",
                           classes=["event-grassroots"])
        else:
            solara.Warning("A leak raises fear: a leaked document has made everyone more "
                           "careful about what they write.", classes=["event-leak"])


@solara.component
def TeamPage(key: str = "") -> None:
    """A team's own world and this round's decisions (and the debrief once revealed)."""
    room = get_room()
    version = use_version(room, public=True)
    team = room.team(key)
    if team is None:
        solara.Error("This team link is not one of this room's teams. Join from the room's "
                      "join page.", classes=["unknown-team"])
        return
    world = team.world
    with solara.Column(style={"padding": "4px 12px 48px"}):
        solara.Text(f"Team {team.name}", classes=["team-title"],
                    style={"font-size": "1.6rem", "font-weight": "bold"})
        solara.Text(round_status(room), classes=["round-status"],
                    style={"font-size": "1.2rem"})
        EventNotes(room, version)
        with solara.Columns([2, 5]):
            with solara.Column():
                if room.finished:
                    solara.Info("The game is over. Wait for the facilitator's debrief.",
                                classes=["game-over"])
                else:
                    DecisionForm(room, key, room.round, len(room.events.get(room.round, [])))
            with solara.Column(classes=["team-world"]):
                solara.Text(f"Your organisation in week {world.week}", classes=["team-week"],
                            style={"font-weight": "bold"})
                Tiles(world.outcomes())
                with solara.Div(classes=["team-charts"]):
                    for frame in team_frames(key, world.week).values():
                        solara.Image(frame, width="100%")
                solara.Text(f"The manager's tone now: {world.tone:.2f} (0 corporate, "
                            f"1 conversational).", classes=["ws-note"])
        if room.revealed:
            RoomResults(room, version)


# --------------------------------------------------------------- facilitator
@solara.component
def Leaderboard(room: Room, outcome: str, version: int) -> None:
    """Teams ranked on one outcome, and the counterfactual's value.

    ``version`` (the room's) is a property so that a change re-renders it.
    """
    spec = LEADERBOARD[outcome]
    rows = [[str(s.rank), s.team, spec.format(s.value)] for s in room.leaderboard(outcome)]
    reference = room.baseline.outcomes()[spec.column]
    order = "higher is better" if spec.higher_is_better else "lower is better"
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        ["rank", "team", f"{spec.label} ({order})"], rows, (True, False, True),
        "leaderboard"))
    solara.Text(f"No comms at all (the counterfactual): {spec.format(reference)}",
                classes=["ws-note"])


@solara.component
def RoomResults(room: Room, version: int) -> None:
    """The leaderboard, every team's curves and the debrief (facilitator; teams once revealed).

    ``version`` (the room's) is a property so that a change re-renders it.
    """
    outcome = solara.use_reactive("benefit")
    view = solara.use_reactive("Leaderboard")
    solara.ToggleButtonsSingle(value=view, values=["Leaderboard", "Debrief"],
                               classes=["results-view"])
    if view.value == "Leaderboard":
        solara.ToggleButtonsSingle(value=outcome, values=list(LEADERBOARD),
                                   classes=["leaderboard-outcome"])
        with solara.Columns([2, 5]):
            with solara.Column(classes=["leaderboard-box"]):
                Leaderboard(room, outcome.value, version)
            with solara.Column(classes=["room-chart"]):
                solara.Image(room_png(room.round, tuple(room.names())), width="100%")
    else:
        kinds = {e.kind for r, events in room.events.items() if r < room.round for e in events}
        Prose(debrief(room.summary(), room.baseline.outcomes(), kinds,
                      room.settings.weeks_per_round), classes=["debrief"])


@solara.component
def TeamsTable(room: Room, version: int) -> None:
    """Every team: when it joined, whether it has submitted, where its world is.

    ``version`` (the room's) is a property so that a change re-renders it.
    """
    rows = []
    for team in room.teams.values():
        status = "submitted" if team.name in room.pending else "waiting"
        joined = team.world.joined_at
        now = team.world.outcomes()
        rows.append([team.name, str(team.joined_round), "" if room.finished else status,
                     "not yet" if joined is None else f"week {joined}",
                     SERIES["member"].format(now["member"]), SERIES["trust"].format(now["trust"])])
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        ["team", "joined in round", "this round", "manager on the channel", "adoption",
         "trust"], rows, (False, True, False, False, True, True), "teams-table"))


@solara.component
def FacilitatorPage(token: str = "") -> None:
    """The room at a glance, the round button, events, results and the export."""
    room = get_room()
    version = use_version(room, public=False)
    message = solara.use_reactive("")
    leak = solara.use_reactive(LEAK_SIZE)
    if not room.is_facilitator(token):
        solara.Error("This facilitator link is not valid.", classes=["not-facilitator"])
        return

    def act(action: Callable[[], None]) -> None:
        try:
            action()
        except Refused as exc:
            message.set(str(exc))
            return
        message.set("")

    s = room.settings
    join_address = os.environ.get(ENV_JOIN, "the join page")
    with solara.Column(style={"padding": "4px 12px 48px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "24px"}):
            solara.Text(room.code, classes=["room-code-big"])
            solara.Text(f"Teams join at {join_address} with this room code "
                        f"({len(room.teams)} of at most {s.max_teams} teams joined).",
                        classes=["join-note"])
        solara.Text(round_status(room), classes=["round-status"],
                    style={"font-size": "1.3rem", "font-weight": "bold"})
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(f"Run round {room.round}" if not room.finished else "Game over",
                          icon_name="mdi-play", color="primary", disabled=room.finished,
                          on_click=lambda: act(lambda: room.advance(token)),
                          classes=["run-round"])
            solara.Switch(label="Run the round when every team has submitted",
                          value=room.auto_advance,
                          on_value=lambda on: act(lambda: room.set_auto_advance(token, on)),
                          classes=["auto-advance"])
            solara.Switch(label="Show the debrief to the teams", value=room.revealed,
                          on_value=lambda on: act(lambda: room.reveal(token, on)),
                          classes=["reveal"])
            Download(room.csv, f"adoptsim_workshop_{room.code}.csv", "Export (CSV)", "text/csv")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text("Events this round:")
            solara.Button(EVENTS["grassroots"], icon_name="mdi-forum", outlined=True,
                          disabled=room.finished,
                          on_click=lambda: act(lambda: room.fire(token, "grassroots")),
                          classes=["fire-grassroots"])
            solara.Button(EVENTS["leak"], icon_name="mdi-alert", outlined=True,
                          disabled=room.finished,
                          on_click=lambda: act(lambda: room.fire(token, "leak", leak.value)),
                          classes=["fire-leak"])
            solara.Select("Leak size", values=list(LEAK_SIZES), value=leak,
                          style={"max-width": "110px"})
            fired = [EVENTS[e.kind] for e in room.events.get(room.round, [])]
            solara.Text("fired: " + (", ".join(fired) if fired else "none"),
                        classes=["fired-events"])
        if message.value:
            solara.Error(message.value, classes=["facilitator-message"])
        if room.save_error:
            solara.Error(room.save_error, classes=["save-error"])
        waiting = room.waiting_for()
        solara.Text("Waiting for: " + (", ".join(waiting) if waiting else "nobody")
                    if room.teams and not room.finished else "", classes=["waiting-for"])
        TeamsTable(room, version)
        RoomResults(room, version)


@solara.component
def Layout(children: list | None = None) -> solara.Element:
    """The frame around every workshop page."""
    main = solara.Column(children=[solara.Style(APP_CSS + WORKSHOP_CSS), *(children or [])],
                         gap="0px")
    return solara.AppLayout(children=[main], navigation=False, color="#0b3d5c",
                            title="adoptsim workshop")


# The labels are the browser tab's titles: never the team's key or the token.
routes = [
    solara.Route(path="/", component=Join, label="adoptsim workshop · Join", layout=Layout),
    solara.Route(path="team", component=TeamPage, label="adoptsim workshop · Team"),
    solara.Route(path="facilitator", component=FacilitatorPage,
                 label="adoptsim workshop · Facilitator"),
]
