"""The workshop room without a browser: joining, decisions, rounds, events, saving."""

import csv
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from adoptsim.app.workshop import room as room_module
from adoptsim.app.workshop.charts import room_figure
from adoptsim.app.workshop.debrief import CLAIMS, debrief
from adoptsim.app.workshop.decisions import (
    DECISIONS,
    TEAM_STRATEGIES,
    DecisionError,
    check_decisions,
    default_decisions,
)
from adoptsim.app.workshop.room import (
    JOINS_PER_CLIENT,
    NO_COMMS,
    RateLimiter,
    Refused,
    Room,
    Settings,
)
from adoptsim.app.workshop.world import World, choose_founders, static_ranking, workshop_config
from adoptsim.atomic import DiskFullError
from adoptsim.config import load_config, with_overrides
from adoptsim.errors import InputError
from adoptsim.model.metrics import SERIES
from adoptsim.model.model import AdoptionModel


def scenario(**overrides):
    return load_config(overrides={"organisation.employees": 300, **overrides})


@pytest.fixture
def room(tmp_path):
    return Room.new(scenario(), Settings(rounds=3, weeks_per_round=4, max_teams=4),
                    tmp_path / "room.json")


def join(room, name, client=None):
    return room.join(room.code, name, client or f"browser-{name}")


def play(room, key, **changes):
    return room.submit(key, {**room.form(key), **changes})


# ------------------------------------------------------------------- joining
def test_a_team_joins_with_the_code_in_any_case_and_spacing(room):
    team = room.join(" " + room.code[:3].lower() + " " + room.code[3:], "Blue", "b1")
    assert room.team(team.key) is team and room.names() == ["Blue"]
    assert len(team.key) >= 16 and team.key not in (room.token, room.code)


def test_a_wrong_code_and_a_duplicate_name_are_refused(room):
    join(room, "Blue Team")
    wrong = "".join("A" if c != "A" else "B" for c in room.code)
    with pytest.raises(Refused, match="not this room's code"):
        room.join(wrong, "Red", "r1")
    with pytest.raises(Refused, match="already joined"):
        join(room, "  blue   TEAM ", "someone-else")
    assert room.names() == ["Blue Team"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 25, "<script>", "-dash", "a|b", "a/b",
                                  "x\u200by"])
def test_names_that_could_break_a_page_or_a_table_are_refused(room, name):
    with pytest.raises(Refused, match="A team name has 1 to 24 characters"):
        join(room, name, "c")


def test_joins_are_rate_limited_per_browser(room):
    for k in range(JOINS_PER_CLIENT):
        with pytest.raises(Refused, match="not this room's code"):
            room.join("ZZZZZZ" if room.code != "ZZZZZZ" else "YYYYYY", f"T{k}", "guesser")
    with pytest.raises(Refused, match=r"Too many attempts to join; wait \d+ seconds"):
        room.join(room.code, "Honest now", "guesser")
    assert join(room, "Other browser").name == "Other browser"


def test_rate_limiter_counts_every_client_against_the_room():
    now = [0.0]
    limit = RateLimiter(per_client=5, overall=3, window=10.0, clock=lambda: now[0])
    assert [limit.wait(c) for c in "abc"] == [0.0, 0.0, 0.0]
    assert limit.wait("d") == 10.0
    now[0] = 10.5
    assert limit.wait("d") == 0.0


def test_the_room_is_full_at_max_teams_and_closed_when_the_game_is_over(room):
    keys = [join(room, name).key for name in ("A", "B", "C", "D")]
    with pytest.raises(Refused, match=r"The room is full \(4 teams\)"):
        join(room, "E")
    for _ in range(3):
        room.advance(room.token)
    assert room.finished
    with pytest.raises(Refused, match="The game is over"):
        room.submit(keys[0], room.form(keys[0]))


def test_a_late_team_catches_up_with_the_starting_decisions(room):
    early = join(room, "Early")
    room.advance(room.token)
    late = join(room, "Late")
    assert late.joined_round == 2 and late.world.week == 4
    assert room.decisions[1]["Late"] == default_decisions(room.scenario)
    # Early did not submit either, so both played the starting decisions: same world.
    assert room.outcomes[1]["Late"] == room.outcomes[1]["Early"]
    pd.testing.assert_frame_equal(late.world.series(), early.world.series())


# ----------------------------------------------------------------- decisions
def test_decisions_are_checked_on_the_server():
    good = default_decisions(scenario())
    assert check_decisions(good, grassroots=False, closed=False) == good
    assert check_decisions({**good, "effort": 12.0}, False, False)["effort"] == 12
    bad = [
        ({**good, "effort": 51}, "effort = 51 is not allowed: interactions a week must be a "
                                 "whole number from 0 to 50"),
        ({**good, "effort": 2.5}, "effort = 2.5"),
        ({**good, "effort": True}, "effort = True"),
        ({**good, "tone": float("nan")}, "tone = nan"),
        ({**good, "tone": "0.5"}, "tone = '0.5'"),
        ({**good, "join": 1}, "join = 1 is not allowed: joining the channel must be true"),
        ({**good, "strategy": "greedy"}, "strategy = 'greedy'"),
        ({**good, "token": "x"}, "Unknown decision(s) token"),
        ({**good, "response": "ignore"}, "a response is due only in a round where"),
        ({k: v for k, v in good.items() if k != "monitoring"}, "Missing decision(s): monitoring"),
        (["effort", 3], "A submission must be a set of decisions"),
    ]
    for raw, message in bad:
        with pytest.raises(DecisionError, match=message.replace("(", r"\(").replace(")", r"\)")):
            check_decisions(raw, grassroots=False, closed=False)
    with pytest.raises(DecisionError, match="Missing decision"):
        check_decisions(good, grassroots=True, closed=False)
    with pytest.raises(DecisionError, match="cannot reopen"):
        check_decisions({**good, "response": "restrict"}, grassroots=True, closed=True)
    assert "greedy" not in TEAM_STRATEGIES and "random_fixed" in TEAM_STRATEGIES


def test_a_refused_submission_changes_nothing(room):
    team = join(room, "Blue")
    play(room, team.key, effort=7)
    with pytest.raises(DecisionError):
        play(room, team.key, effort=-1)
    assert room.pending["Blue"]["effort"] == 7


def test_a_team_acts_only_through_its_own_key(room):
    blue, red = join(room, "Blue"), join(room, "Red")
    play(room, blue.key, effort=30)
    assert "Red" not in room.pending
    for key in ("Red", red.key[:-1], "", room.token, room.code, None):
        with pytest.raises(Refused, match="not one of this room's teams"):
            room.submit(key, room.form(blue.key))
    assert list(room.pending) == ["Blue"]


def test_only_the_token_opens_the_facilitator_actions(room):
    join(room, "Blue")
    for token in ("", room.token[:-1], room.code, room.token.upper(), None):
        assert not room.is_facilitator(token)
        for act in (lambda t: room.advance(t), lambda t: room.fire(t, "leak"),
                    lambda t: room.reveal(t, True), lambda t: room.set_auto_advance(t, True)):
            with pytest.raises(Refused, match="Only the facilitator"):
                act(token)
    assert room.round == 1 and not room.revealed and not room.events and not room.auto_advance


# -------------------------------------------------------------------- worlds
def test_same_decisions_give_the_same_world_and_others_differ(room):
    a, b, c = join(room, "A"), join(room, "B"), join(room, "C")
    for r in range(3):
        for team in (a, b):
            play(room, team.key, join=True, effort=20, strategy="followers", tone=0.6)
        play(room, c.key, join=r >= 1, effort=5, strategy="random", monitoring=0.9)
        room.advance(room.token)
    series = room.series()
    pd.testing.assert_frame_equal(series["A"], series["B"])
    assert not series["A"].equals(series["C"])
    assert room.outcomes[3]["A"] == room.outcomes[3]["B"] != room.outcomes[3]["C"]
    # Every world starts as the counterfactual's (the same organisation and people).
    start = ["aware", "member", "trust", "fear"]
    for name in "ABC":
        pd.testing.assert_series_equal(series[name].loc[0, start], series[NO_COMMS].loc[0, start])


def test_decisions_between_rounds_give_the_run_of_those_keys():
    config = workshop_config(scenario(), 24)
    world = World(config)
    world.run(8)
    world.apply({"join": True, "strategy": "degree", "effort": 15, "monitoring": 0.8}, None)
    world.run(8)
    world.apply({"response": "restrict"}, None)
    world.run(8)
    fresh = AdoptionModel(with_overrides(config, {
        "comms.join_step": 8, "comms.strategy": "degree", "comms.effort": 15,
        "comms.monitoring": 0.8, "channel.policy": "restricted", "channel.policy_start": 16,
    }), rng=config.run.seed).run()
    pd.testing.assert_frame_equal(world.series(), fresh)


def test_a_ranking_strategy_chosen_later_ranks_as_if_chosen_at_the_start():
    config = workshop_config(scenario(), 8)
    for strategy in ("random_fixed", "bridging"):
        started = AdoptionModel(with_overrides(config, {"comms.strategy": strategy}),
                                rng=config.run.seed)
        switched = World(config)
        switched.apply({"strategy": strategy}, None)
        np.testing.assert_array_equal(switched.model.engine.static_score,
                                      started.engine.static_score)
        np.testing.assert_array_equal(
            static_ranking(switched.config, switched.model.network), started.engine.static_score)


def test_tone_is_set_only_when_a_team_changes_it():
    world = World(workshop_config(scenario(), 40))
    world.apply({"join": True, "tone": 0.3, "learn_tone": True}, None)
    world.run(32)
    learned = world.tone
    assert learned != 0.3, "tone learning moved the tone"
    world.apply({"tone": 0.3, "effort": 12}, {"tone": 0.3})
    assert world.tone == learned
    world.apply({"tone": 0.9}, {"tone": 0.3})
    assert world.tone == 0.9


def test_a_team_that_does_not_submit_keeps_its_last_decisions(room):
    team = join(room, "Quiet")
    play(room, team.key, join=True, effort=25)
    room.advance(room.token)
    room.advance(room.token)
    assert room.decisions[2]["Quiet"] == room.decisions[1]["Quiet"]
    assert room.submitted == {1: ["Quiet"], 2: []}


def test_auto_advance_runs_the_round_when_every_team_has_submitted(room):
    a, b = join(room, "A"), join(room, "B")
    room.set_auto_advance(room.token, True)
    play(room, a.key)
    assert room.round == 1 and room.waiting_for() == ["B"]
    play(room, b.key)
    assert room.round == 2 and room.pending == {}


# -------------------------------------------------------------------- events
def test_a_grassroots_channel_reopens_submissions_and_asks_for_a_response(room):
    a, b = join(room, "A"), join(room, "B")
    play(room, a.key, effort=33)
    room.fire(room.token, "grassroots")
    with pytest.raises(Refused, match="already been fired"):
        room.fire(room.token, "grassroots")
    assert room.pending == {} and room.form(a.key)["effort"] == 33
    assert room.form(a.key)["response"] == "ignore"
    with pytest.raises(DecisionError, match="Missing decision"):
        room.submit(a.key, {k: v for k, v in room.form(a.key).items() if k != "response"})
    play(room, a.key, response="shutdown")
    room.advance(room.token)
    assert a.world.closed and not b.world.closed
    assert room.decisions[1]["B"]["response"] == "ignore"
    founders = choose_founders(a.world.model.people.is_manager, room.config.run.seed, 0)
    assert len(founders) == 3  # 1% of 299 staff
    for world in (b.world, room.baseline):
        assert world.series()["underground"].iloc[1] > 0
    # Next round: no response is due, and a closed channel cannot reopen.
    assert "response" not in room.form(a.key)
    room.fire(room.token, "grassroots")
    with pytest.raises(DecisionError, match="cannot reopen"):
        play(room, a.key, response="join")


def test_a_leak_raises_fear_in_every_world_alike(room):
    a = join(room, "A")
    room.advance(room.token)
    before = a.world.model.state.fear.copy()
    with pytest.raises(Refused, match="size must be one of"):
        room.fire(room.token, "leak", size=0.9)
    room.fire(room.token, "leak", size=0.5)
    room.advance(room.token)
    calm = World(room.config)
    calm.run(8)
    assert a.world.outcomes()["fear"] > calm.outcomes()["fear"] + 0.1
    assert room.outcomes[2]["A"]["fear"] == room.outcomes[2][NO_COMMS]["fear"]
    assert (before <= 1).all()


# --------------------------------------------------------------- leaderboard
def test_the_leaderboard_ranks_by_the_chosen_outcome_with_shared_ranks(room):
    keys = {name: join(room, name).key for name in ("Early", "Twin", "Late", "Never")}
    for name, join_now in (("Early", True), ("Twin", True), ("Late", False), ("Never", False)):
        play(room, keys[name], join=join_now, effort=40 if join_now else 10)
    room.advance(room.token)
    play(room, keys["Late"], join=True)
    room.advance(room.token)
    board = room.leaderboard("trust")
    trust = {name: room.world(key).outcomes()["trust"] for name, key in keys.items()}
    assert [s.team for s in board] == sorted(trust, key=lambda n: -trust[n])
    assert [s.value for s in board] == sorted(trust.values(), reverse=True)
    ranks = {s.team: s.rank for s in board}
    assert ranks["Early"] == ranks["Twin"], "Early and Twin decided alike: a shared rank"
    assert sorted(ranks.values()) in ([1, 1, 3, 4], [1, 2, 2, 4], [1, 2, 3, 3])
    under = room.leaderboard("underground")
    values = [s.value for s in under]
    assert values == sorted(values), "fewer underground ranks first"
    assert {s.team for s in room.leaderboard("adoption")} == set(keys)


# ------------------------------------------------------------ saving, export
def test_the_room_is_saved_after_every_change_and_resumes_where_it_was(room, tmp_path):
    a, b = join(room, "A"), join(room, "B")
    play(room, a.key, join=True, strategy="degree", effort=20)
    room.fire(room.token, "leak", size=0.2)
    room.advance(room.token)
    room.fire(room.token, "grassroots")
    play(room, b.key, response="restrict")
    saved = json.loads(room.path.read_text())
    assert saved["round"] == 2 and saved["pending"]["B"]["response"] == "restrict"
    assert oct(room.path.stat().st_mode & 0o777) == "0o600"
    back = Room.load(room.path)
    assert (back.code, back.token, back.round, back.names()) == (room.code, room.token, 2,
                                                                 ["A", "B"])
    assert back.team(a.key).name == "A" and back.pending == room.pending
    assert back.grassroots() and back.events[1][0].size == 0.2
    for name, frame in room.series().items():
        pd.testing.assert_frame_equal(back.series()[name], frame)
    back.advance(back.token)
    room.advance(room.token)
    assert back.outcomes == room.outcomes


def test_a_damaged_or_foreign_file_is_refused_with_a_reason(room, tmp_path):
    a = join(room, "A")
    play(room, a.key, join=True)
    room.advance(room.token)
    data = json.loads(room.path.read_text())
    cases = {
        "missing.json": None,
        "text.json": "not json",
        "list.json": [],
        "other.json": {**data, "format": "something else"},
        "late.json": {**data, "round": 9},
        "tampered.json": {**data, "outcomes": {"1": {**data["outcomes"]["1"],
                                                     "A": {**data["outcomes"]["1"]["A"],
                                                           "trust": 0.99}}}},
        "cheat.json": {**data, "decisions": {"1": {"A": {**data["decisions"]["1"]["A"],
                                                         "effort": 500}}}},
    }
    messages = {
        "missing.json": "there is no such file", "text.json": "cannot be read",
        "list.json": "is not a saved adoptsim workshop", "other.json": "format",
        "late.json": "after the last of 3 rounds",
        "tampered.json": "does not give the outcomes saved for A",
        "cheat.json": "round 1: effort = 500 is not allowed",
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
        with pytest.raises(InputError, match=messages[name]):
            Room.load(path)


def test_csv_has_one_row_per_team_round_and_item(room):
    a = join(room, "A")
    join(room, "B")
    play(room, a.key, join=True)
    room.fire(room.token, "leak")
    room.advance(room.token)
    room.advance(room.token)
    rows = list(csv.DictReader(io.StringIO(room.csv())))
    assert list(rows[0]) == ["team", "round", "first_week", "last_week", "kind", "name",
                             "value"]
    frame = pd.DataFrame(rows)
    per_team_round = frame[frame.team == "A"].groupby("round").size()
    n_outcomes = len(room.outcomes[1]["A"])
    assert per_team_round.tolist() == [1 + len(DECISIONS) + n_outcomes] * 2
    assert frame[(frame.kind == "event")].to_dict("records") == [
        {"team": "(all)", "round": "1", "first_week": "1", "last_week": "4", "kind": "event",
         "name": "leak", "value": "0.3"}]
    trust = frame[(frame.team == "A") & (frame.name == "trust") & (frame["round"] == "2")]
    assert float(trust.value.iloc[0]) == room.outcomes[2]["A"]["trust"]
    assert set(frame.team) == {"A", "B", NO_COMMS, "(all)"}
    submitted = frame[(frame.kind == "submitted") & (frame["round"] == "1")]
    assert dict(zip(submitted.team, submitted.value, strict=True)) == {"A": "True",
                                                                        "B": "False"}


def test_a_failed_save_does_not_stop_the_game(room, monkeypatch):
    team = join(room, "A")

    def full(path, write):
        raise DiskFullError(str(path), "No space left on device")

    monkeypatch.setattr(room_module, "atomic_write", full)
    play(room, team.key, join=True)
    assert room.save_error.startswith(f"The game could not be saved to {room.path} (No space "
                                      f"left on device while writing {room.path})")
    room.advance(room.token)
    assert room.round == 2 and json.loads(room.path.read_text())["round"] == 1
    monkeypatch.undo()
    room.advance(room.token)
    assert room.save_error == "" and json.loads(room.path.read_text())["round"] == 3


# ------------------------------------------------------------ figures, debrief
def test_the_room_figure_overlays_every_team_and_the_counterfactual(room):
    for name in ("A", "B", "C"):
        join(room, name)
    room.fire(room.token, "grassroots")
    room.advance(room.token)
    fig = room_figure(room.series(), room.settings.horizon, room.settings.weeks_per_round)
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        assert [line.get_label() for line in lines] == ["A", "B", "C",
                                                        "no comms (counterfactual)"]
        assert lines[-1].get_linestyle() == "--" and lines[-1].get_color() == "black"
    underground = fig.axes[2]
    peak = max(ts["underground"].max() for ts in room.series().values())
    assert 0 < peak < underground.get_ylim()[1] <= 0.05, "a small share gets a fitting axis"
    assert fig.axes[1].get_ylim() == (0, 1)


def test_the_debrief_groups_teams_by_choice_and_skips_untested_claims(room):
    a, b, c = join(room, "A"), join(room, "B"), join(room, "C")
    play(room, a.key, join=True, monitoring=0.9, effort=20)
    play(room, b.key, join=True, monitoring=0.9, effort=20)
    room.fire(room.token, "grassroots")
    play(room, a.key, response="restrict")
    room.advance(room.token)
    # B submitted before the event and not again: its decisions stand, and it ignores.
    assert room.submitted[1] == ["A"]
    assert room.decisions[1]["B"]["join"] and room.decisions[1]["B"]["effort"] == 20
    assert room.decisions[1]["B"]["response"] == "ignore"
    summary = room.summary()
    assert summary.set_index("team").loc["C", "response"] == "ignore"
    text = debrief(summary, room.baseline.outcomes(), {"grassroots"},
                   room.settings.weeks_per_round)
    assert "| joined in the first round | A, B |" in text
    assert "| never joined | C |" in text
    assert "| listened closely and engaged | A, B |" in text
    assert "| restrict | A |" in text and "| ignore | B, C |" in text
    fear = text[text.index("## Fear kills engagement"):]
    assert "Not tested in this game" in fear.split("##")[1]
    assert text.count("*no comms at all (counterfactual)*") == 5
    counterfactual = SERIES["trust"].format(room.baseline.outcomes()["trust"])
    assert f"| {counterfactual} |" in text
    assert c.world.joined_at is None


def test_the_claims_hold_no_figures_that_change_with_the_model():
    for claim in CLAIMS:
        words = claim.advice + " " + claim.model
        numbers = re.findall(r"\d+(?:\.\d+)?", re.sub(r"sections? [\d., and-]+", "", words))
        assert numbers == [], (claim.title, numbers)
