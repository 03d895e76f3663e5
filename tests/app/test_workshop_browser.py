"""The workshop in a real browser: a facilitator and six teams (headless Chromium, see conftest).

Each test starts ``adoptsim workshop`` through the real command on a free
127.0.0.1 port, in a folder with a 300-employee scenario, and drives it
with one browser context per participant.
"""

import csv
import io
import json
import signal

import psutil
import pytest
from playwright.sync_api import expect

from adoptsim.app import server
from adoptsim.app.workshop.decisions import RESPONSES
from adoptsim.app.workshop.room import LEADERBOARD

from .conftest import open_page, start_workshop, stop_workshop

pytestmark = pytest.mark.browser

TEAMS = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")


@pytest.fixture
def contexts():
    opened: list = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture
def room(workshop_folder):
    workshop = start_workshop(workshop_folder, server.free_port(), "small.toml", "--rounds",
                              "3", "--weeks-per-round", "6", "--max-teams", "8")
    yield workshop
    stop_workshop(workshop)


def open_facilitator(browser, room, contexts):
    page = open_page(browser, room.base, contexts)
    page.page.goto(room.facilitator)
    page.page.locator(".run-round").wait_for()
    return page


def try_join(team, code: str, name: str) -> None:
    team.page.locator(".room-code input").fill(code)
    team.page.locator(".team-name input").fill(name)
    team.page.locator(".join-button").click()


def join(browser, room, contexts, name: str):
    team = open_page(browser, room.base, contexts)
    team.page.goto(room.base + "/")
    try_join(team, room.code, name)
    team.page.get_by_text(f"Team {name}", exact=True).wait_for()
    return team


def slider(team, decision: str, key: str) -> None:
    """Move a decision's slider to an end ("End" or "Home")."""
    handle = team.page.locator(f".decision-{decision} [role=slider]")
    handle.focus()
    handle.press(key)


def submit(team, round_: int, last: bool = False) -> None:
    """Submit; the last team of a round that runs by itself sees the next round instead."""
    team.page.locator(".submit-button").click()
    if last:
        team.page.locator(".decision-form").get_by_text(f"Decisions for round {round_ + 1}",
                                                        exact=True).wait_for()
        return
    expect(team.page.locator(".submit-message")).to_contain_text(
        f"Submitted for round {round_}")


def tiles(team) -> str:
    return team.page.locator(".team-tiles").inner_text()


def wait_round(pages, text: str, week: int | None = None) -> None:
    """Wait until every page shows the round (and every team page the world at ``week``).

    A page's parts arrive one after the other: the round's title may show
    before the tiles of its new week.
    """
    for page in pages:
        page.page.locator(".round-status").get_by_text(text).wait_for()
        if week is not None and page.page.locator(".team-week").count():
            expect(page.page.locator(".team-week")).to_have_text(
                f"Your organisation in week {week}")


def leaderboard(facilitator, outcome: str) -> list[tuple[int, str, str]]:
    facilitator.page.locator(".leaderboard-outcome").get_by_role(
        "button", name=outcome, exact=True).click()
    spec = LEADERBOARD[outcome]
    header = facilitator.page.locator(".leaderboard th").nth(2)
    expect(header).to_have_text(f"{spec.label} ("
                                + ("higher" if spec.higher_is_better else "lower")
                                + " is better)")
    rows = facilitator.page.locator(".leaderboard tr").all_inner_texts()[1:]
    return [(int(r.split("\t")[0]), r.split("\t")[1], r.split("\t")[2]) for r in rows]


def test_six_teams_play_three_rounds_with_events(browser, room, contexts, tmp_path):
    facilitator = open_facilitator(browser, room, contexts)
    # A wrong code and a duplicate name are refused with a message.
    first = open_page(browser, room.base, contexts)
    first.page.goto(room.base + "/")
    wrong = "".join("B" if c == "A" else "A" for c in room.code)
    try_join(first, wrong, "Alpha")
    expect(first.page.locator(".join-error")).to_contain_text("That is not this room's code")
    try_join(first, room.code.lower(), "Alpha")
    first.page.get_by_text("Team Alpha", exact=True).wait_for()
    second = open_page(browser, room.base, contexts)
    second.page.goto(room.base + "/")
    try_join(second, room.code, " alpha ")
    expect(second.page.locator(".join-error")).to_contain_text(
        "A team called alpha has already joined; choose another name.")
    try_join(second, room.code, "Bravo")
    second.page.get_by_text("Team Bravo", exact=True).wait_for()
    teams = dict(zip(TEAMS, [first, second, *(join(browser, room, contexts, name)
                                              for name in TEAMS[2:])], strict=True))
    expect(facilitator.page.locator(".teams-table")).to_contain_text("Foxtrot")

    # Round 1: Alpha and Bravo decide alike; Foxtrot does not submit.
    for name in ("Alpha", "Bravo"):
        team = teams[name]
        team.page.locator(".decision-join").get_by_text("Join the channel now").click()
        slider(team, "effort", "End")
        team.choose("select-strategy", "followers")
        submit(team, 1)
    charlie = teams["Charlie"]
    charlie.page.locator(".decision-join").get_by_text("Join the channel now").click()
    submit(charlie, 1)
    submit(teams["Delta"], 1)
    echo = teams["Echo"]
    echo.page.locator(".decision-join").get_by_text("Join the channel now").click()
    slider(echo, "monitoring", "End")
    slider(echo, "effort", "Home")
    submit(echo, 1)
    expect(facilitator.page.locator(".waiting-for")).to_have_text("Waiting for: Foxtrot")
    facilitator.page.locator(".run-round").click()
    wait_round([facilitator, *teams.values()], "Round 2 of 3: weeks 7-12", 6)
    assert tiles(teams["Alpha"]) == tiles(teams["Bravo"]) != tiles(teams["Charlie"])
    assert "The manager is on the channel since week 0." in teams["Alpha"].page.inner_text(
        "body")

    # Round 2: a grassroots channel appears; the round runs when all have submitted.
    facilitator.page.locator(".auto-advance").get_by_text("Run the round when").click()
    facilitator.page.locator(".fire-grassroots").click()
    expect(facilitator.page.locator(".fired-events")).to_have_text(
        "fired: A grassroots channel appears")
    responses = {"Alpha": "restrict", "Bravo": "restrict", "Charlie": "join",
                 "Delta": "shutdown"}
    for name, team in teams.items():
        team.page.locator(".event-grassroots").wait_for()
        if name in responses:
            team.choose("decision-response", RESPONSES[responses[name]])
        submit(team, 2, last=name == TEAMS[-1])
    wait_round([facilitator, *teams.values()], "Round 3 of 3: weeks 13-18", 12)

    # Round 3: a leak; the facilitator runs it.
    facilitator.page.locator(".fire-leak").click()
    facilitator.page.locator(".auto-advance").get_by_text("Run the round when").click()
    for team in teams.values():
        team.page.locator(".event-leak").wait_for()
        submit(team, 3)
    expect(facilitator.page.locator(".waiting-for")).to_have_text("Waiting for: nobody")
    facilitator.page.locator(".run-round").click()
    wait_round([facilitator, *teams.values()], "The game is over: 3 rounds, weeks 1-18.", 18)
    for team in teams.values():
        team.page.locator(".game-over").wait_for()
        assert team.page.locator(".leaderboard").count() == 0
        body = team.page.inner_text("body")
        assert not any(other in body for other in TEAMS if f"Team {other}" not in body), \
            "a team sees only its own world before the debrief"
    assert tiles(teams["Alpha"]) == tiles(teams["Bravo"])

    # The export: one row per team, round and item; alike decisions, alike outcomes.
    with facilitator.page.expect_download() as download:
        facilitator.page.get_by_role("button", name="Export (CSV)").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    outcome = {(r["team"], r["round"], r["name"]): r["value"] for r in rows
               if r["kind"] == "outcome"}
    names = {key[2] for key in outcome}
    for r in "123":
        assert all(outcome[("Alpha", r, n)] == outcome[("Bravo", r, n)] for n in names)
        assert any(outcome[("Alpha", r, n)] != outcome[("Echo", r, n)] for n in names)
    decided = {(r["team"], r["round"], r["name"]): r["value"] for r in rows
               if r["kind"] == "decision"}
    assert decided[("Delta", "2", "response")] == "shutdown"
    assert decided[("Foxtrot", "1", "effort")] == "10"
    submitted = {(r["team"], r["round"]): r["value"] for r in rows if r["kind"] == "submitted"}
    assert submitted[("Foxtrot", "1")] == "False" and submitted[("Foxtrot", "2")] == "True"
    assert {r["name"] for r in rows if r["kind"] == "event"} == {"grassroots", "leak"}

    # The leaderboard ranks by the chosen outcome, as the export says.
    column = {"benefit": "benefit_cum", "trust": "trust", "adoption": "member",
              "underground": "underground"}
    for name, key in column.items():
        board = leaderboard(facilitator, name)
        value = {team: float(outcome[(team, "3", key)]) for team in TEAMS}
        order = sorted(TEAMS, key=lambda t: -value[t] if name != "underground" else value[t])
        assert [team for _, team, _ in board] == order, name
        ranks = [rank for rank, _, _ in board]
        assert ranks[0] == 1 and ranks == sorted(ranks)
        assert all((ranks[i] == ranks[i - 1]) == (value[order[i]] == value[order[i - 1]])
                   for i in range(1, len(order)))
    assert dict((t, r) for r, t, _ in leaderboard(facilitator, "trust"))["Alpha"] == dict(
        (t, r) for r, t, _ in leaderboard(facilitator, "trust"))["Bravo"]
    expect(facilitator.page.locator(".room-chart img")).to_be_visible()

    # The debrief, then shown to the teams.
    facilitator.page.locator(".results-view").get_by_role("button", name="Debrief").click()
    for heading in ("Get in early", "Target the influential", "Don't police a grassroots "
                    "channel", "Fear kills engagement", "One history is not an answer"):
        expect(facilitator.page.locator(".debrief").get_by_role(
            "heading", name=heading)).to_be_visible()
    expect(facilitator.page.locator(".debrief")).to_contain_text("Alpha, Bravo")
    facilitator.page.locator(".reveal").get_by_text("Show the debrief").click()
    alpha = teams["Alpha"]
    alpha.page.locator(".leaderboard").wait_for()
    expect(alpha.page.locator(".leaderboard")).to_contain_text("Foxtrot")

    # Nothing left 127.0.0.1; the token reached no team page, nor another team's key.
    saved = json.loads(room.saved.read_text())
    keys = {t["name"]: t["key"] for t in saved["teams"]}
    for name, team in teams.items():
        team.assert_clean()
        sent = "\n".join(team.frames) + team.page.content()
        assert room.token not in sent
        assert not [other for other, key in keys.items() if other != name and key in sent]
    facilitator.assert_clean()
    # The server did not fetch front-end files from a CDN on a page's behalf.
    assert "Could not load URL" not in room.output.read_text()


def test_a_team_cannot_act_as_another_team_or_as_the_facilitator(browser, room, contexts):
    alpha = join(browser, room, contexts, "Alpha")
    join(browser, room, contexts, "Bravo")
    keys = {t["name"]: t["key"] for t in json.loads(room.saved.read_text())["teams"]}
    assert alpha.page.url == f"{room.base}/team/{keys['Alpha']}"
    submit(alpha, 1)
    sent = "\n".join(alpha.frames) + alpha.page.content()
    assert keys["Alpha"] in sent, "the check below can see what the page was sent"
    assert room.token not in sent and keys["Bravo"] not in sent
    for guess in ("Bravo", keys["Bravo"][:-1], keys["Bravo"].upper(), room.code, room.token):
        alpha.page.goto(f"{room.base}/team/{guess}")
        alpha.page.locator(".unknown-team").wait_for()
        assert alpha.page.locator(".submit-button").count() == 0
    for guess in ("", keys["Alpha"], room.code, room.token[:-1], room.token.lower()):
        alpha.page.goto(f"{room.base}/facilitator/{guess}")
        alpha.page.locator(".not-facilitator").wait_for()
        assert alpha.page.locator(".run-round").count() == 0
        assert alpha.page.locator(".room-code-big").count() == 0
    # Guessing the room code from one browser is cut off.
    intruder = open_page(browser, room.base, contexts)
    intruder.page.goto(room.base + "/")
    for k in range(7):
        try_join(intruder, f"AAAAA{k}", "Intruder")
        intruder.page.locator(".join-error").wait_for()
    expect(intruder.page.locator(".join-error")).to_contain_text("Too many attempts to join")
    saved = json.loads(room.saved.read_text())
    assert [t["name"] for t in saved["teams"]] == ["Alpha", "Bravo"]
    assert saved["round"] == 1 and list(saved["pending"]) == ["Alpha"], "Bravo untouched"
    assert room.token not in "\n".join(intruder.frames)
    for page in (alpha, intruder):
        page.assert_clean()


def test_a_restart_with_resume_restores_the_game(browser, workshop_folder, contexts):
    port = server.free_port()
    first = start_workshop(workshop_folder, port, "small.toml", "--rounds", "2")
    try:
        facilitator = open_facilitator(browser, first, contexts)
        team = join(browser, first, contexts, "Alpha")
        team.page.locator(".decision-join").get_by_text("Join the channel now").click()
        slider(team, "effort", "End")
        submit(team, 1)
        facilitator.page.locator(".run-round").click()
        wait_round([team], "Round 2 of 2: weeks 9-16", 8)
        before = tiles(team)
        url = team.page.url
    finally:
        # A crash: the command and its server die without saving anything more.
        parent = psutil.Process(first.process.pid)
        for process in [*parent.children(recursive=True), parent]:
            process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
    resumed = start_workshop(workshop_folder, port, "--resume", str(first.saved))
    try:
        assert (resumed.token, resumed.code) == (first.token, first.code)
        assert "resumed at round 2" in resumed.output.read_text()
        team.page.goto(url)
        team.page.get_by_text("Team Alpha", exact=True).wait_for()
        wait_round([team], "Round 2 of 2: weeks 9-16", 8)
        assert tiles(team) == before
        assert "on the channel since week 0" in team.page.inner_text("body")
        facilitator.page.goto(resumed.facilitator)
        expect(facilitator.page.locator(".teams-table")).to_contain_text("Alpha")
        expect(facilitator.page.locator(".round-status")).to_have_text(
            "Round 2 of 2: weeks 9-16")
        facilitator.page.locator(".run-round").click()
        wait_round([team, facilitator], "The game is over: 2 rounds, weeks 1-16.", 16)
    finally:
        stop_workshop(resumed)
