"""One organisation of the room: a team's world, or the no-comms counterfactual.

Every world is an :class:`~adoptsim.model.model.AdoptionModel` of the same
scenario on the same seed, so every team starts from the same organisation
and meets the same random draws (docs/odd.md, section 8.0): two teams that
decide alike get identical histories, and differences come from decisions.

A round's decisions are changes of scenario keys on the running model: the
compiled parameters (:class:`~adoptsim.model.params.Params`) are rebuilt
from the changed scenario, and the few things a run fixes at its start are
set the way a run started with the new values would have them: the
manager's tone, and the ranking of a targeting strategy that ranks by
network position. Joining "now" is ``comms.join_step`` = this week; a
channel policy starts this week (``channel.policy_start``).

Examples
--------
>>> from adoptsim.config import load_config
>>> cfg = workshop_config(load_config(overrides={"organisation.employees": 200}), 16)
>>> world = World(cfg)
>>> world.apply({"join": True, "effort": 5}, None)
>>> world.run(8)
>>> world.week, world.joined_at
(8, 0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ...config import ScenarioConfig, with_overrides
from ...model.model import AdoptionModel
from ...model.params import params_from_config
from ...model.state import CH_CLOSED
from ...model.targeting import STRATEGIES, dense_rank
from ...network import Network
from .decisions import BY_NAME, RESPONSE, RESPONSE_POLICY

#: The outcomes recorded for every world at the end of every round.
RECORDED = ("member", "active", "lurker", "underground", "trust", "fear", "cm_follower_share",
            "cm_reach", "benefit", "benefit_cum")

#: Share of staff who start the back-channel when a grassroots channel appears.
FOUNDER_SHARE = 0.01


def workshop_config(config: ScenarioConfig, horizon: int) -> ScenarioConfig:
    """The scenario of every world: ``horizon`` weeks, the manager not yet on the channel.

    ``comms.join_step`` = ``horizon`` means never (within the run) until a
    team decides to join.
    """
    return with_overrides(config, {"run.steps": horizon, "comms.join_step": horizon})


def static_ranking(config: ScenarioConfig, network: Network) -> np.ndarray:
    """The ranking a run of ``config`` starting now would use for its strategy.

    Drawn as :func:`adoptsim.model.initial.initial` draws it (the first
    stream spawned from the population's generator of the seed), so a team
    that switches to ``degree`` in round 3 targets the employees a run that
    used ``degree`` from the start targets. Zeros for a strategy that ranks
    by what people do.
    """
    strategy = STRATEGIES[config.comms.strategy]
    if strategy.score is None:
        return np.zeros(network.n, np.int64)
    population = np.random.default_rng(config.run.seed).spawn(2)[1]
    k = max(config.comms.effort, math.ceil(config.comms.focus * network.n))
    return dense_rank(strategy.score(network, k, population.spawn(1)[0]))


def choose_founders(is_manager: np.ndarray, seed: int, week: int) -> np.ndarray:
    """Who starts the back-channel when a grassroots channel appears in ``week``.

    :data:`FOUNDER_SHARE` of the staff (at least two), drawn from the room's
    seed and the week alone: the same people in every world.
    """
    staff = np.flatnonzero(~is_manager)
    k = min(len(staff), max(2, round(FOUNDER_SHARE * len(staff))))
    rng = np.random.default_rng([seed, week, 0x6772])  # 0x6772: this event's own stream
    return np.sort(rng.choice(staff, size=k, replace=False))


class World:
    """One organisation, run round by round.

    Parameters
    ----------
    config
        The scenario (:func:`workshop_config`); its ``run.seed`` seeds the run.

    Attributes
    ----------
    model : AdoptionModel
        The run; decisions change its engine's parameters between rounds.
    """

    def __init__(self, config: ScenarioConfig) -> None:
        self.model = AdoptionModel(config, rng=config.run.seed)

    @property
    def config(self) -> ScenarioConfig:
        """The scenario in force (with every decision so far applied)."""
        return self.model.config

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return int(self.model.steps)

    @property
    def joined_at(self) -> int | None:
        """The week the manager joined the channel, or None."""
        joined = self.model.engine.managers.joined_at
        return int(joined[0]) if len(joined) and joined[0] >= 0 else None

    @property
    def closed(self) -> bool:
        """Whether the channel has been shut down."""
        return bool(self.model.engine.channel.values[CH_CLOSED] > 0.0)

    @property
    def tone(self) -> float:
        """The manager's tone now (tone learning moves it)."""
        return float(self.model.engine.managers.tone.mean())

    def apply(self, decisions: dict[str, Any], previous: dict[str, Any] | None) -> None:
        """Put a round's decisions in force from this week.

        Parameters
        ----------
        decisions
            Checked decisions (:func:`~.decisions.check_decisions`); any subset
            of them is allowed here.
        previous
            The decisions of the previous round (None in the first): the
            tone is set only when it changed, so tone learning keeps the
            tone it reached while a team leaves the tone as it was.
        """
        week = self.week
        config = self.config
        changes: dict[str, Any] = {}
        for name, value in decisions.items():
            if name == "join":
                continue
            if name == RESPONSE:
                policy = RESPONSE_POLICY[value]
                if policy is not None and not self.closed:
                    changes.update({"channel.policy": policy, "channel.policy_start": week})
                continue
            changes[BY_NAME[name].key] = value
        wants_in = decisions.get("join") or decisions.get(RESPONSE) == "join"
        if wants_in and config.comms.join_step > week:
            changes["comms.join_step"] = week
        if not changes:
            return
        new = with_overrides(config, changes)
        engine = self.model.engine
        engine.params = params_from_config(new, engine.params.seed, engine.params.n,
                                           engine.params.staff)
        ranking = ("comms.strategy", "comms.effort", "comms.focus")
        if any(changes.get(key, get) != get for key, get in
               zip(ranking, (config.comms.strategy, config.comms.effort, config.comms.focus),
                   strict=True)):
            engine.static_score = static_ranking(new, self.model.network)
        if "tone" in decisions and (previous is None or previous.get("tone") != decisions["tone"]):
            engine.managers.tone[:] = decisions["tone"]
        engine.config = new
        self.model.config = new

    def found_back_channels(self, founders: np.ndarray) -> None:
        """``founders`` start an unofficial back-channel this week (docs/odd.md, 8.7)."""
        state = self.model.state
        state.member_u[founders] = True
        state.aware[founders] = True
        state.last_post_u[founders] = self.week  # as founding does: not lapsed for W weeks

    def raise_fear(self, size: float) -> None:
        """A leak: every employee's fear moves ``size`` of the way to 1 (then relaxes)."""
        fear = self.model.state.fear
        staff = ~self.model.people.is_manager
        fear[staff] += size * (1.0 - fear[staff])

    def run(self, weeks: int) -> None:
        """Simulate ``weeks`` weeks in one compiled call."""
        self.model.run(steps=weeks)

    def outcomes(self) -> dict[str, float]:
        """This week's :data:`RECORDED` outcomes."""
        now = self.model.metrics
        return {name: float(now[name]) for name in RECORDED}

    def series(self) -> pd.DataFrame:
        """The time series so far (one row per week)."""
        return self.model.timeseries()
