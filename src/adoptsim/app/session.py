"""One browser session's state: the live run on Explore and the pair on Compare.

All state belongs to a browser session: :func:`Layout <adoptsim.app.pages.Layout>`
creates it with ``use_memo``/``use_reactive`` (:func:`use_new_session`) and
hands it to the pages through :data:`SessionContext`, so switching pages keeps
the session's model and its comparison, and two users (or two tabs) never
share a model. Nothing here builds a model at import time.

Examples
--------
>>> Side("baseline", {"comms.join_step": 13})
Side(preset='baseline', levers={'comms.join_step': 13})
"""

# No `from __future__ import annotations`: Solara casts URL parts with the
# page components' real annotations.
from dataclasses import dataclass
from typing import Any

import pandas as pd
import solara

from ..errors import InputError
from .levers import AppSettings, Preset, configure, lever_values
from .runs import Exploration


@dataclass(frozen=True)
class Side:
    """One side of the Compare page: a preset plus lever values."""

    preset: str
    levers: dict[str, Any]


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: every replication of both scenarios and what produced them."""

    request: int
    labels: tuple[str, str]
    a: tuple[pd.DataFrame, ...]
    b: tuple[pd.DataFrame, ...]
    seeds: tuple[int, ...]
    png: bytes


@dataclass(frozen=True, eq=False)
class Session:
    """One browser session's state (every field is per session)."""

    settings: AppSettings
    presets: list[Preset]
    preset: solara.Reactive[str]
    levers: solara.Reactive[dict]
    seed: solara.Reactive[int]
    run: solara.Reactive[Exploration]
    frame: solara.Reactive[int]
    playing: solara.Reactive[bool]
    error: solara.Reactive[str]
    sides: solara.Reactive[dict]
    compare_seed: solara.Reactive[int]
    compare_request: solara.Reactive[int]
    comparison: solara.Reactive[Comparison | None]
    progress: solara.Reactive[str]

    def find(self, name: str) -> Preset:
        """The preset called ``name``."""
        return next(p for p in self.presets if p.name == name)

    def build(self, preset: str, levers: dict[str, Any], seed: int) -> Exploration | None:
        """A new exploration, or ``None`` with the error shown if the values are invalid."""
        try:
            config = configure(self.settings.load(self.find(preset)), levers, seed)
            run = Exploration(config, preset)
        except InputError as exc:
            self.error.set(str(exc))
            return None
        self.error.set("")
        return run


SessionContext = solara.create_context(None)


@dataclass(frozen=True)
class _Start:
    """What a new session starts from (built once per session)."""

    settings: AppSettings
    presets: list[Preset]
    preset: Preset
    levers: dict[str, Any]
    seed: int
    run: Exploration
    sides: dict[str, Side]


def _start() -> _Start:
    settings = AppSettings.from_env()
    presets = settings.presets()
    first = settings.first_preset(presets)
    config = settings.load(first)
    other = next((p for p in presets if p.name != first.name), first)
    levers = lever_values(config)
    sides = {"A": Side(first.name, levers),
             "B": Side(other.name, lever_values(settings.load(other)))}
    return _Start(settings, presets, first, levers, config.run.seed,
                  Exploration(config, first.name), sides)


def use_new_session() -> Session:
    """A new session's state (call once, in the layout)."""
    start = solara.use_memo(_start, [])
    state = dict(
        preset=solara.use_reactive(start.preset.name),
        levers=solara.use_reactive(start.levers),
        seed=solara.use_reactive(start.seed),
        run=solara.use_reactive(start.run),
        frame=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        error=solara.use_reactive(""),
        sides=solara.use_reactive(start.sides),
        compare_seed=solara.use_reactive(start.seed),
        compare_request=solara.use_reactive(0),
        comparison=solara.use_reactive(None),
        progress=solara.use_reactive(""),
    )
    return solara.use_memo(lambda: Session(start.settings, start.presets, **state), [])



def use_session() -> Session:
    """The current browser session's state (inside the pages)."""
    return solara.use_context(SessionContext)
