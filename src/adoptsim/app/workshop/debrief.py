"""The debrief: each practitioners' claim, the model's reason, and what the room did.

The text of a claim says what the advice is and through which rules of the
model (docs/odd.md) it can hold or fail; it holds no figures, because those
change with the model and the scenario. The figures come from the room: the
teams grouped by what they chose, with their mean outcomes, next to the
no-comms counterfactual on the same seed.

Examples
--------
>>> import pandas as pd
>>> teams = pd.DataFrame({"team": ["Blue", "Red"], "joined_week": [0.0, float("nan")],
...     "strategy": ["degree", "random"], "effort": [20.0, 5.0], "monitoring": [0.5, 0.9],
...     "visibility": [0.5, 0.5], "learn_tone": [1.0, 0.0], "response": ["", ""],
...     "member": [0.6, 0.5], "active": [0.1, 0.05], "lurker": [0.5, 0.45],
...     "underground": [0.0, 0.0], "trust": [0.55, 0.5], "fear": [0.3, 0.35],
...     "cm_follower_share": [0.2, 0.0], "cm_reach": [0.1, 0.0], "benefit": [0.5, 0.4],
...     "benefit_cum": [10.0, 8.0]})
>>> text = debrief(teams, teams.iloc[1].to_dict(), events=set(), weeks_per_round=8)
>>> "## Get in early" in text and "| joined in the first round | Blue |" in text
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.metrics import SERIES


@dataclass(frozen=True)
class Claim:
    """A practitioners' claim and how the debrief groups the room's teams for it.

    Attributes
    ----------
    title : str
        The section heading.
    advice : str
        The claim, as practitioners put it.
    model : str
        Why it can hold or fail in the model (its rules, no figures).
    group : callable
        ``group(summary row, weeks_per_round) -> str``: the team's choice in words.
    outcomes : tuple of str
        The outcomes (time-series columns) to compare across groups.
    needs : str
        An event that must have happened for the claim to be tested ('' if none).
    """

    title: str
    advice: str
    model: str
    group: Callable[[pd.Series, int], str]
    outcomes: tuple[str, ...]
    needs: str = ""


def _joined(row: pd.Series, weeks_per_round: int) -> str:
    if np.isnan(row["joined_week"]):
        return "never joined"
    if row["joined_week"] < weeks_per_round:
        return "joined in the first round"
    return "joined later"


def _listening(row: pd.Series, _: int) -> str:
    monitoring = row["monitoring"]
    watch = ("listened closely" if monitoring >= 0.7 else "listened little" if monitoring <= 0.3
             else "listened moderately")
    talk = "and engaged" if row["effort"] >= 5 else "and hardly engaged"
    return f"{watch} {talk}"


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "Get in early",
        "Comms should be on a new channel from the start and network hard, not wait "
        "to see whether it takes off.",
        "Newcomers follow members who already have many followers, so followers "
        "gathered early attract more; a manager who joins late meets a follow graph "
        "that has already formed. Joining early also means more weeks of invitations "
        "and conversations (docs/odd.md, sections 8.2, 8.10 and 8.12).",
        _joined, ("cm_follower_share", "member", "trust")),
    Claim(
        "Target the influential",
        "Spend your time on the hubs, the bridges or the enthusiasts rather than on "
        "whoever is around.",
        "A targeted pick needs listening: the share of posts comms reads is the chance "
        "that a pick goes to the top of the strategy's ranking. Influence travels "
        "through the channel's follow graph, which the org chart only partly predicts, "
        "and time spent on members is time not spent inviting newcomers "
        "(sections 8.12 and 8.10).",
        lambda row, _: str(row["strategy"]), ("cm_follower_share", "trust", "member")),
    Claim(
        "Listen and engage, don't just watch",
        "Monitoring what is said is useful, but watching without taking part makes "
        "people careful about what they write.",
        "Being watched by a comms team people distrust raises their fear, and fear "
        "holds back posting; watched by a team they trust, it reassures. Engagement "
        "builds the trust that turns watching into reassurance (sections 8.5, 8.8 and "
        "8.13).",
        _listening, ("fear", "active", "trust")),
    Claim(
        "Try, review, repeat",
        "Experiment with the tone and keep what works, rather than keeping a fixed "
        "corporate tone.",
        "An exchange goes well more often when the tone is close to the one employees "
        "respond to best, which nobody tells you. A learning manager reviews its "
        "exchanges every few weeks and moves its tone, turning back when things got "
        "worse; when the tone is already right, experimenting costs (section 8.13).",
        lambda row, _: ("learned the tone" if row["learn_tone"] >= 0.5
                        else "kept a fixed tone"),
        ("trust", "cm_follower_share")),
    Claim(
        "Don't police a grassroots channel",
        "Moderating, restricting or shutting down employees' own channel drives the "
        "conversation underground and loses the benefit of a large conversation.",
        "Restriction blocks posts and policing removes them; blocked and removed posts "
        "frustrate, and frustrated employees start or join back-channels nobody in "
        "comms sees, which reach only their own members. Benefit comes from what is "
        "read, so a quieter channel is worth less (sections 8.1 and 8.5-8.7).",
        lambda row, _: {"": "(no response)"}.get(row["response"], row["response"]),
        ("benefit_cum", "underground", "active"), needs="grassroots"),
    Claim(
        "Fear kills engagement",
        "When people worry whether a post is suitable, they stop writing.",
        "Fear holds back joining and posting. It relaxes towards a level set by "
        "policing, by how comms watches and is trusted, and by how many colleagues "
        "are active: a room where people talk calms itself (sections 8.4, 8.5 and 8.8).",
        lambda row, _: ("engaged" if row["effort"] >= 5 else "hardly engaged"),
        ("fear", "active", "member"), needs="leak"),
)


def _cell(value: float, column: str) -> str:
    return SERIES[column].format(value)


def _table(summary: pd.DataFrame, claim: Claim, weeks_per_round: int,
           counterfactual: dict[str, float]) -> list[str]:
    groups = summary.apply(lambda row: claim.group(row, weeks_per_round), axis=1)
    header = ["what teams did", "teams", *(SERIES[c].label for c in claim.outcomes)]
    lines = ["| " + " | ".join(header) + " |", "|:---|:---|" + "---:|" * len(claim.outcomes)]
    for choice in sorted(set(groups)):
        members = summary[groups == choice]
        names = ", ".join(html.escape(n) for n in members["team"])
        means = [_cell(float(members[c].mean()), c) for c in claim.outcomes]
        lines.append(f"| {html.escape(choice)} | {names} | " + " | ".join(means) + " |")
    reference = [_cell(counterfactual[c], c) for c in claim.outcomes]
    lines.append("| *no comms at all (counterfactual)* | | " + " | ".join(reference) + " |")
    return lines


def debrief(summary: pd.DataFrame, counterfactual: dict[str, float], events: Iterable[str],
            weeks_per_round: int) -> str:
    """The debrief as Markdown.

    Parameters
    ----------
    summary
        One row per team (:meth:`~.room.Room.summary`).
    counterfactual
        The no-comms world's outcomes now.
    events
        The kinds of event fired in the game (a claim that needs one is
        skipped, with a note, when it was not fired).
    weeks_per_round
        Weeks in a round (to tell the first round from later ones).
    """
    fired = set(events)
    lines = [
        "Every team ran the same organisation on the same random draws, so the "
        "differences between teams come from their decisions. The tables group the "
        "teams by what they chose and give the groups' mean outcomes now, next to the "
        "same organisation with no comms manager at all.",
        "",
    ]
    if summary.empty:
        return "No team has played yet."
    for claim in CLAIMS:
        lines += [f"## {claim.title}", "", f"**The advice.** {claim.advice}", "",
                  f"**How the model works.** {claim.model}", ""]
        if claim.needs and claim.needs not in fired:
            lines += ["*Not tested in this game: the event that raises this question was "
                      "not fired.*", ""]
            continue
        lines += ["**In this room.**", "", *_table(summary, claim, weeks_per_round,
                                                  counterfactual), ""]
    lines += [
        "## One history is not an answer",
        "",
        "Each team saw one possible history of its organisation. Before you take a "
        "difference home, check it over many histories: the app's Compare page runs "
        "20 replications of two scenarios and gives the difference with its interval, "
        "and `docs/findings.md` has the experiments behind each claim.",
    ]
    return "\n".join(lines)
