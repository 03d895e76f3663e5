"""The Explore page: one scenario week by week, the organisation and its outcomes.

Only :func:`RunControls`, :func:`Frame` and :func:`NowTiles` follow the frame
counter, so a step re-renders them and nothing else.

Examples
--------
>>> [name for name in TILES][:3]
['member', 'active', 'lurker']
"""

# No `from __future__ import annotations`: Solara reads the components' annotations.
import threading
import time
from collections.abc import Callable
from typing import Any

import solara

from ..model.metrics import SERIES
from .charts import CHARTS
from .levers import lever_values
from .runs import Exploration
from .session import Session, use_session
from .widgets import Download, LeverPanel

#: Seconds between steps while playing (a step itself takes a few tens of ms).
PLAY_INTERVAL = 0.15


@solara.component
def Frame(session: Session, run: Exploration, key: str) -> None:
    """One chart's current frame (re-rendered every week)."""
    session.frame.value  # noqa: B018 - re-render on every new frame
    solara.Image(run.frames[key], width="100%")


@solara.component
def ChartImage(session: Session, run: Exploration, key: str, label: str) -> None:
    """A chart with a PNG download of it; only the frame follows the weeks."""
    with solara.Column(gap="0px", classes=[f"chart-{key}"]):
        Frame(session, run, key)
        Download(lambda: run.export_png(key), run.filename(key, "png"), f"{label} (PNG)",
                 "image/png")


@solara.component
def ScenarioPanel(session: Session, run: Exploration, load_preset: Callable[[str], None]
                  ) -> None:
    """The sidebar: preset, seed and levers (applied by Reset)."""
    with solara.Card("Scenario"):
        solara.Select("Preset", value=session.preset.value,
                      values=[p.name for p in session.presets], on_value=load_preset,
                      classes=["preset-select"])
        solara.Text(session.find(session.preset.value).description, classes=["preset-note"])
        solara.InputInt("Seed", value=session.seed.value, on_value=session.seed.set,
                        classes=["seed-input"])
    with solara.Card("Levers"):
        LeverPanel(session.levers.value, session.levers.set)
        config = run.model.config
        if lever_values(config) != session.levers.value or config.run.seed != session.seed.value:
            solara.Info("Press Reset to run with these values.", dense=True,
                        classes=["pending-note"])


@solara.component
def RunControls(session: Session, run: Exploration, step: Callable[[], None],
                reset: Callable[[], None]) -> None:
    """Step, Play/Pause, Reset, the week counter and the current outcomes."""
    session.frame.value  # noqa: B018 - re-render on every new frame
    playing = session.playing.value
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step", icon_name="mdi-step-forward", on_click=step, color="primary",
                      disabled=playing or run.finished, classes=["step-button"])
        solara.Button("Pause" if playing else "Play",
                      icon_name="mdi-pause" if playing else "mdi-play",
                      on_click=lambda: session.playing.set(not playing), color="primary",
                      disabled=run.finished and not playing, classes=["play-button"])
        solara.Button("Reset", icon_name="mdi-restore", color="secondary", on_click=reset,
                      classes=["reset-button"])
        solara.Text(f"Week {run.week} of {run.horizon}", classes=["step-counter"],
                    style={"font-size": "1.5rem", "font-weight": "bold", "margin": "0 16px"})
    config = run.model.config
    policy = config.channel.policy
    solara.Text(
        f"Running {run.name}: {run.model.network.n:,} employees, seed {config.run.seed}, "
        f"comms joins in week {config.comms.join_step}, strategy {config.comms.strategy}, "
        f"policy {policy}" + (f" from week {config.channel.policy_start}"
                              if policy != "open" else "") + ".",
        classes=["run-info"], style={"color": "#555"},
    )


#: The tiles under the network view (labels and formats from the metric table).
TILES = ("member", "active", "lurker", "underground", "trust", "fear", "cm_follower_share",
         "benefit_cum")


@solara.component
def NowTiles(session: Session, run: Exploration) -> None:
    """This week's outcomes in large print (readable on a projector).

    One HTML widget rather than two dozen components: it changes every week.
    """
    session.frame.value  # noqa: B018 - re-render on every new frame
    now = run.model.metrics
    tiles = "".join(
        f'<div class="now-tile"><b>{SERIES[key].format(now[key])}</b>'
        f'<span>{SERIES[key].label}</span></div>'
        for key in TILES
    )
    solara.HTML(tag="div", unsafe_innerHTML=tiles, classes=["now-tiles"])


@solara.component
def RunView(session: Session, run: Exploration) -> None:
    """The network view, this week's outcomes, the time-series charts and the downloads.

    Only the frames and the tiles follow the weeks; the rest renders once per run.
    """
    with solara.Columns([5, 6]):
        with solara.Column():
            ChartImage(session, run, "network", "Network")
            NowTiles(session, run)
            Download(run.csv, run.filename("timeseries", "csv"), "Time series (CSV)",
                     "text/csv")
        with solara.Column():
            for spec in CHARTS:
                ChartImage(session, run, spec.key, spec.title)


@solara.component
def Explore() -> None:
    """Run one scenario week by week and watch the organisation.

    Only :func:`RunControls`, :func:`Frame` and :func:`NowTiles` follow the
    frame counter, so a step re-renders them and nothing else.
    """
    session = use_session()
    run = session.run.value
    playing = session.playing.value

    def play(cancel: threading.Event) -> None:
        while session.playing.value and not cancel.is_set():
            started = time.perf_counter()
            run.step()
            session.frame.set(session.frame.value + 1)
            if run.finished:
                session.playing.set(False)
                return
            cancel.wait(max(0.0, PLAY_INTERVAL - (time.perf_counter() - started)))

    solara.use_thread(play, dependencies=[playing, run], intrusive_cancel=False)

    def step() -> None:
        run.step()
        session.frame.set(session.frame.value + 1)

    def rebuild(preset: str, levers: dict[str, Any], seed: int) -> None:
        session.playing.set(False)
        new = session.build(preset, levers, seed)
        if new is not None:
            session.run.set(new)

    def load_preset(name: str) -> None:
        config = session.settings.load(session.find(name))
        session.preset.set(name)
        session.levers.set(lever_values(config))
        session.seed.set(config.run.seed)
        rebuild(name, lever_values(config), config.run.seed)

    with solara.Sidebar():
        ScenarioPanel(session, run, load_preset)
    with solara.Column(style={"padding": "4px 12px 48px"}):
        RunControls(session, run, step, lambda: rebuild(
            session.preset.value, session.levers.value, session.seed.value))
        if session.error.value:
            solara.Error(session.error.value, classes=["run-error"])
        RunView(session, run)


