"""The levers the app exposes, the scenario presets, and the app's start-up settings.

A *preset* is a shipped scenario file; the *levers* are the handful of
scenario keys a workshop plays with. A run is a preset, plus the command
line's ``--set`` overrides (applied to every preset), plus lever changes,
plus a seed.

Examples
--------
>>> from adoptsim.config import load_config
>>> values = lever_values(load_config(overrides={"comms.join_step": 13}))
>>> values["comms.join_step"], values["channel.policy"]
(13, 'open')
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import CHANNEL_POLICIES, ScenarioConfig, load_config, with_overrides
from ..model.targeting import STRATEGIES
from ..scenarios import list_scenarios
from ..toml import get_dotted

#: Environment variables through which ``adoptsim app`` configures the server.
ENV_SCENARIO = "ADOPTSIM_APP_SCENARIO"
ENV_OVERRIDES = "ADOPTSIM_APP_SET"


@dataclass(frozen=True)
class Lever:
    """One control on the Explore and Compare pages.

    Attributes
    ----------
    key : str
        The dotted scenario key it sets.
    label : str
        What the control says.
    kind : str
        ``"int"`` or ``"float"`` (slider), ``"choice"`` (drop-down of
        ``choices``) or ``"switch"``.
    low, high, step : float
        Slider range.
    choices : tuple
        Allowed values of a ``"choice"`` lever.
    group : str
        The heading it is shown under.
    """

    key: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple = ()
    group: str = "Comms manager"


#: Channel policies a lever offers (``custom`` takes keys the app does not show;
#: a preset that uses it still shows it, see :func:`lever_options`).
POLICIES = tuple(CHANNEL_POLICIES)

#: The levers, in the order the pages show them: the decisions of docs/odd.md,
#: section 1 (model version 2), grouped by who makes them.
LEVERS: tuple[Lever, ...] = (
    Lever("organisation.employees", "Employees", "choice",
          choices=(100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000),
          group="Organisation"),
    Lever("population.fear_a", "Baseline fear (population.fear_a; higher = more afraid)",
          "float", 0.5, 10.0, 0.5, group="Organisation"),
    Lever("comms.count", "Comms managers (0 = none)", "int", 0, 5),
    Lever("comms.join_step", "Comms manager joins in week", "int", 0, 104),
    Lever("comms.follows", "Members followed on joining (networking)", "int", 0, 50),
    Lever("comms.effort", "Manager effort (interactions a week)", "int", 0, 50),
    Lever("comms.strategy", "Targeting strategy", "choice", choices=tuple(STRATEGIES)),
    Lever("comms.invite_share", "Share of interactions that are invitations", "float",
          0.0, 1.0, 0.05),
    Lever("comms.tone", "Starting tone (0 corporate, 1 conversational)", "float", 0.0, 1.0,
          0.05),
    Lever("comms.learn_tone", "Learn the tone (try, review, repeat)", "switch"),
    Lever("comms.monitoring", "Listening: share of posts comms reads", "float", 0.0, 1.0, 0.05),
    Lever("comms.visibility", "How visibly comms is seen to watch", "float", 0.0, 1.0, 0.05),
    Lever("comms.authority", "Authority (0 a peer, 1 the chief executive)", "float", 0.0, 1.0,
          0.05),
    Lever("comms.posts", "Manager's own posts a week", "int", 0, 20),
    Lever("channel.policy", "Channel policy", "choice", choices=POLICIES, group="Channel"),
    Lever("channel.policy_start", "Policy starts in week", "int", 0, 104, group="Channel"),
)


def lever_values(config: ScenarioConfig) -> dict[str, Any]:
    """The current value of every lever in a scenario."""
    return {lever.key: get_dotted(config, lever.key) for lever in LEVERS}


def lever_changes(config: ScenarioConfig, values: dict[str, Any]) -> dict[str, Any]:
    """The levers in ``values`` that differ from the scenario's own values."""
    own = lever_values(config)
    return {key: value for key, value in values.items() if own.get(key) != value}


def lever_options(lever: Lever, value: Any) -> list:
    """A lever's choices, including ``value`` if a preset uses another one (sorted if numbers).

    >>> lever_options(LEVERS[0], 300)[:4]
    [100, 200, 300, 500]
    """
    options = list(lever.choices)
    if value not in options:
        options.append(value)
        if all(isinstance(v, int | float) for v in options):
            options.sort()
    return options


@dataclass(frozen=True)
class Preset:
    """A scenario file the app offers by name."""

    name: str
    path: Path | None  # None: the model's built-in defaults
    description: str


@dataclass(frozen=True)
class AppSettings:
    """How ``adoptsim app`` started the server.

    Attributes
    ----------
    scenario : pathlib.Path or None
        The scenario the Explore page opens with (``None``: baseline).
    overrides : dict
        Dotted ``--set`` overrides applied on top of every preset.
    """

    scenario: Path | None = None
    overrides: dict[str, Any] | None = None

    @classmethod
    def from_env(cls) -> AppSettings:
        """Read the settings ``adoptsim app`` passed to the server process."""
        scenario = os.environ.get(ENV_SCENARIO)
        overrides = json.loads(os.environ.get(ENV_OVERRIDES) or "{}")
        return cls(Path(scenario) if scenario else None, overrides)

    def to_env(self) -> dict[str, str]:
        """The environment variables that carry these settings."""
        env = {ENV_OVERRIDES: json.dumps(self.overrides or {})}
        if self.scenario is not None:
            env[ENV_SCENARIO] = str(Path(self.scenario).resolve())
        return env

    def presets(self) -> list[Preset]:
        """The shipped scenarios, plus the start-up scenario if it is another file."""
        found = [Preset(name, path.resolve(), desc) for name, path, desc in list_scenarios()]
        start = self.scenario.resolve() if self.scenario is not None else None
        if start is not None and all(p.path != start for p in found):
            found.insert(0, Preset(start.stem, start, load_config(start).description))
        if not found:  # no scenario folder at all: the built-in defaults
            found.append(Preset("defaults", None, "The model's default values."))
        return found

    def first_preset(self, presets: list[Preset]) -> Preset:
        """The preset the Explore page opens with."""
        wanted = self.scenario.resolve() if self.scenario is not None else None
        for p in presets:
            if p.path == wanted or (wanted is None and p.name == "baseline"):
                return p
        return presets[0]

    def load(self, preset: Preset) -> ScenarioConfig:
        """A preset's scenario with the start-up overrides applied."""
        return load_config(preset.path, self.overrides)


def configure(base: ScenarioConfig, levers: dict[str, Any], seed: int) -> ScenarioConfig:
    """The scenario of a run: ``base`` with lever values and the seed applied."""
    return with_overrides(base, {**levers, "run.seed": int(seed)})
