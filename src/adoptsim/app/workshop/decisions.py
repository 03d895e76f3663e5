"""What a team decides each round, and the server's check of it.

A team plays the comms manager. Each round it sets the decisions of
:data:`DECISIONS` (each one a scenario key, docs/odd.md section 7.1) and,
in a round where a grassroots channel appeared, a :data:`RESPONSES` entry.
The page sends the whole set; :func:`check_decisions` refuses anything that
is not exactly that set with allowed values, whatever the browser sent.

Examples
--------
>>> from adoptsim.config import load_config
>>> first = default_decisions(load_config())
>>> first["join"], first["strategy"], first["effort"]
(False, 'champions', 10)
>>> check_decisions({**first, "effort": 99}, grassroots=False, closed=False)
Traceback (most recent call last):
...
adoptsim.app.workshop.decisions.DecisionError: effort = 99 is not allowed: interactions a week ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import ScenarioConfig
from ...model.targeting import STRATEGIES
from ...toml import get_dotted


class DecisionError(ValueError):
    """A decision the server refuses; the message says what is allowed."""


@dataclass(frozen=True)
class Decision:
    """One decision of a round.

    Attributes
    ----------
    name : str
        The decision's name in submissions, saved sessions and exports.
    label : str
        What the control says.
    kind : str
        ``"switch"``, ``"int"``, ``"float"`` or ``"choice"``.
    key : str
        The scenario key it sets.
    low, high, step : float
        Range of a number (and the control's step).
    choices : tuple
        Allowed values of a ``"choice"``.
    words : str
        What it is, for messages (``"interactions a week"``).
    """

    name: str
    label: str
    kind: str
    key: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple = ()
    words: str = ""

    def allowed(self) -> str:
        """The allowed values in words."""
        if self.kind == "switch":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "int":
            return f"a whole number from {int(self.low)} to {int(self.high)}"
        return f"a number from {self.low:g} to {self.high:g}"


#: Targeting strategies a team may choose: all but ``greedy``, a modelling
#: benchmark whose seed search takes seconds each time it is chosen.
TEAM_STRATEGIES = tuple(name for name in STRATEGIES if name != "greedy")

#: The decisions of a round, in the order the team page shows them.
DECISIONS: tuple[Decision, ...] = (
    Decision("join", "Join the channel now", "switch", "comms.join_step",
             words="joining the channel"),
    Decision("follows", "People to follow on joining", "int", "comms.follows", 0, 50,
             words="people to follow on joining"),
    Decision("effort", "Interactions a week", "int", "comms.effort", 0, 50,
             words="interactions a week"),
    Decision("strategy", "Whom to engage", "choice", "comms.strategy",
             choices=TEAM_STRATEGIES, words="whom to engage"),
    Decision("tone", "Tone (0 corporate, 1 conversational)", "float", "comms.tone", 0.0, 1.0,
             0.05, words="the tone"),
    Decision("learn_tone", "Learn the tone (try, review, repeat)", "switch", "comms.learn_tone",
             words="tone learning"),
    Decision("monitoring", "Listening: share of posts comms reads", "float", "comms.monitoring",
             0.0, 1.0, 0.05, words="listening"),
    Decision("visibility", "How visibly comms is seen to watch", "float", "comms.visibility",
             0.0, 1.0, 0.05, words="visibility"),
    Decision("invite_share", "Share of interactions that are invitations", "float",
             "comms.invite_share", 0.0, 1.0, 0.05, words="the invitation share"),
)

BY_NAME = {d.name: d for d in DECISIONS}

#: The answers to "a grassroots channel appears": what each does to the
#: official channel from this round (docs/workshop/facilitator_guide.md).
RESPONSES: dict[str, str] = {
    "ignore": "Ignore it: change nothing",
    "join": "Join the conversation: comms goes on the channel now and keeps it open",
    "moderate": "Moderate the channel (light policing)",
    "restrict": "Restrict the channel (block and police posts)",
    "shutdown": "Shut the channel down (for good)",
}

#: The channel policy each response puts in force (None: no change).
RESPONSE_POLICY: dict[str, str | None] = {
    "ignore": None, "join": "open", "moderate": "moderated", "restrict": "restricted",
    "shutdown": "shutdown",
}

#: The key of the response in a round's decisions.
RESPONSE = "response"


def default_decisions(config: ScenarioConfig) -> dict[str, Any]:
    """The decisions a team starts with: the scenario's values, not yet joined.

    Values outside a decision's range (a scenario may set effort 100) are
    brought to its nearest end, and a strategy teams cannot choose becomes
    ``champions``.
    """
    out: dict[str, Any] = {}
    for d in DECISIONS:
        if d.name == "join":
            out[d.name] = False
            continue
        value = get_dotted(config, d.key)
        if d.kind == "choice":
            value = value if value in d.choices else "champions"
        elif d.kind in ("int", "float"):
            value = min(max(value, d.low), d.high)
            value = int(value) if d.kind == "int" else float(value)
        out[d.name] = value
    return out


def _checked(d: Decision, value: Any) -> Any:
    """``value`` if it is allowed for ``d`` (an integral float counts as an int)."""
    if d.kind == "switch" and isinstance(value, bool):
        return value
    if d.kind == "choice" and isinstance(value, str) and value in d.choices:
        return value
    number = (d.kind in ("int", "float") and isinstance(value, int | float)
              and not isinstance(value, bool) and math.isfinite(value)
              and d.low <= value <= d.high)
    if number and d.kind == "float":
        return float(value)
    if number and float(value).is_integer():
        return int(value)
    raise DecisionError(f"{d.name} = {value!r} is not allowed: {d.words} must be "
                        f"{d.allowed()}.")


def check_decisions(raw: Any, grassroots: bool, closed: bool) -> dict[str, Any]:
    """The decisions of a submission, checked; raise :class:`DecisionError` otherwise.

    Parameters
    ----------
    raw
        What the page sent: every name of :data:`DECISIONS`, plus
        ``response`` exactly when the round has a grassroots channel.
    grassroots
        Whether a grassroots channel appeared this round (a response is due).
    closed
        Whether the team's channel was shut down (it cannot reopen).

    Returns
    -------
    dict
        The decisions in :data:`DECISIONS` order, then ``response`` if due.
    """
    if not isinstance(raw, Mapping):
        raise DecisionError("A submission must be a set of decisions by name.")
    names = [d.name for d in DECISIONS] + ([RESPONSE] if grassroots else [])
    unknown = sorted(str(k) for k in raw if k not in names)
    if unknown:
        extra = (" (a response is due only in a round where a grassroots channel appeared)"
                 if RESPONSE in unknown else "")
        raise DecisionError(f"Unknown decision(s) {', '.join(unknown)}{extra}; the decisions "
                            f"are {', '.join(names)}.")
    missing = [n for n in names if n not in raw]
    if missing:
        raise DecisionError(f"Missing decision(s): {', '.join(missing)}.")
    out = {d.name: _checked(d, raw[d.name]) for d in DECISIONS}
    if grassroots:
        response = raw[RESPONSE]
        if not isinstance(response, str) or response not in RESPONSES:
            raise DecisionError(f"response = {response!r} is not allowed: the response to the "
                                f"grassroots channel must be one of {', '.join(RESPONSES)}.")
        if closed and response not in ("ignore", "shutdown"):
            raise DecisionError(f"response = {response!r} is not possible: your channel was "
                                f"shut down and cannot reopen; choose ignore.")
        out[RESPONSE] = response
    return out
