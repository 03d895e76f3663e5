"""The Solara app: Explore, Compare and About pages (start it with ``adoptsim app``).

All state belongs to a browser session: :func:`Layout` creates it with
``use_memo``/``use_reactive`` and hands it to the pages through a context,
so switching pages keeps the session's model and its comparison, and two
users (or two tabs) never share a model. Nothing here builds a model at
import time.

Plain Solara with matplotlib frames rather than Mesa's ``SolaraViz``, which
cannot load a whole scenario file as a preset, has one page and no
downloads, and draws spaces with a CDN-loaded chart library (docs/app.md).
"""

# No `from __future__ import annotations`: Solara casts URL parts with the
# page components' real annotations (Docs(name: str)).
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import markdown
import pandas as pd
import solara

from .. import metrics
from ..errors import InputError
from .about import ABOUT, DOCS, docs_path
from .charts import CHARTS, compare_figure, figure_png
from .levers import (
    LEVERS,
    AppSettings,
    Lever,
    Preset,
    configure,
    lever_changes,
    lever_options,
    lever_values,
)
from .runs import Exploration, comparison_table, run_to_end

#: Seconds between steps while playing (a step itself takes a few tens of ms).
PLAY_INTERVAL = 0.15

@dataclass(frozen=True)
class Side:
    """One side of the Compare page: a preset plus lever values."""

    preset: str
    levers: dict[str, Any]


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: both time series and what produced them."""

    request: int
    labels: tuple[str, str]
    a: pd.DataFrame
    b: pd.DataFrame
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


def _use_session() -> Session:
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


#: Styles for :func:`Prose` (Markdown rendered to HTML) and :func:`NowTiles`.
APP_CSS = """
.md-text h2 { font-weight: 500; margin: 20px 0 8px; }
.md-text p, .md-text li { line-height: 1.55; }
.md-text strong { font-weight: 700; }
.md-text table { border-collapse: collapse; margin: 8px 0 16px; }
.md-text th, .md-text td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left;
                           vertical-align: top; }
.md-text code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
.md-text pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
.now-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 4px 0 8px; }
.now-tile { border: 1px solid #d8dee4; border-radius: 6px; padding: 6px 10px;
            background: #f8fafc; }
.now-tile b { display: block; font-size: 1.35rem; font-weight: 600; }
.now-tile span { color: #555; font-size: 0.85rem; }
"""


@solara.component
def Prose(text: str, classes: list[str] | None = None) -> None:
    """Markdown rendered on the server to plain HTML.

    Not ``solara.Markdown``: that one fetches KaTeX and Mermaid through the
    CDN proxy whenever it is shown, i.e. the server reaches for the internet,
    which a workshop room may not have.
    """
    html = solara.use_memo(
        lambda: markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists", "toc"]),
        [text],
    )
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["md-text", *(classes or [])])


NAV = (("Explore", "/", "mdi-play-circle-outline"), ("Compare", "/compare", "mdi-compare"),
       ("About", "/about", "mdi-information-outline"))


@solara.component
def Navigation() -> None:
    """The app bar's page links (a portal: it renders into the app bar)."""
    with solara.AppBar():
        for label, path, icon in NAV:
            with solara.Link(path):
                solara.Button(label, icon_name=icon, text=True, dark=True,
                              classes=[f"nav-{label.lower()}"])


@solara.component
def Layout(children: list | None = None) -> solara.Element:
    """The frame around every page; owns the session's state."""
    session = _use_session()
    solara.provide_context(SessionContext, session)
    main = solara.Column(children=[solara.Style(APP_CSS), Navigation(), *(children or [])],
                         gap="0px")
    return solara.AppLayout(children=[main], navigation=False, color="#0b3d5c")


def _use() -> Session:
    return solara.use_context(SessionContext)


# --------------------------------------------------------------------- levers
@solara.component
def LeverInput(lever: Lever, value: Any, on_value: Callable[[Any], None]) -> None:
    """One lever as a slider, drop-down or switch."""
    with solara.Div(classes=[f"lever-{lever.key.replace('.', '-').replace('_', '-')}"]):
        if lever.kind == "switch":
            solara.Switch(label=lever.label, value=bool(value), on_value=on_value)
        elif lever.kind == "choice":
            solara.Select(label=lever.label, value=value, values=lever_options(lever, value),
                          on_value=on_value)
        elif lever.kind == "int":
            solara.Text(f"{lever.label}: {value}", classes=["lever-label"])
            solara.SliderInt("", value=int(value), min=int(lever.low),
                             max=max(int(lever.high), int(value)), step=int(lever.step),
                             on_value=on_value)
        else:
            solara.Text(f"{lever.label}: {value:.2f}", classes=["lever-label"])
            solara.SliderFloat("", value=float(value), min=lever.low,
                               max=max(lever.high, float(value)), step=lever.step,
                               on_value=on_value)


@solara.component
def LeverPanel(values: dict[str, Any], on_values: Callable[[dict], None]) -> None:
    """All levers; each change calls ``on_values`` with the whole updated dict."""
    for lever in LEVERS:
        LeverInput(lever, values[lever.key],
                   lambda v, key=lever.key: on_values({**values, key: v}))


# -------------------------------------------------------------------- explore
@solara.component
def Download(data: Callable[[], str | bytes], filename: str, label: str, mime_type: str
             ) -> None:
    """A small download button; ``data`` is only called when clicked."""
    solara.FileDownload(data, filename=filename, mime_type=mime_type, children=[
        solara.Button(label, icon_name="mdi-download", text=True, color="primary",
                      classes=["download-button"], style={"text-transform": "none"}),
    ])


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
        f"Running {run.name}: {run.model.state.n:,} employees, seed {config.run.seed}, "
        f"comms joins in week {config.comms.join_step}, strategy {config.comms.strategy}, "
        f"policy {policy}" + (f" from week {config.channel.policy_start}"
                              if policy != "open" else "") + ".",
        classes=["run-info"], style={"color": "#555"},
    )


#: (metric, label, is a share) of the tiles under the network view.
TILES = (
    ("member", "members", True), ("active", "active", True), ("lurker", "lurkers", True),
    ("underground", "underground", True), ("trust", "mean trust", False),
    ("fear", "mean fear", False), ("cm_follower_share", "following comms", True),
    ("benefit_cum", "benefit so far", False),
)


@solara.component
def NowTiles(session: Session, run: Exploration) -> None:
    """This week's outcomes in large print (readable on a projector).

    One HTML widget rather than two dozen components: it changes every week.
    """
    session.frame.value  # noqa: B018 - re-render on every new frame
    now = run.model.metrics
    tiles = "".join(
        f'<div class="now-tile"><b>{now[key]:.0%}</b><span>{label}</span></div>' if share else
        f'<div class="now-tile"><b>{now[key]:.2f}</b><span>{label}</span></div>'
        for key, label, share in TILES
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
    session = _use()
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


# -------------------------------------------------------------------- compare
@solara.component
def SideCard(session: Session, name: str) -> None:
    """Preset and lever changes of one side of the comparison."""
    side: Side = session.sides.value[name]

    def update(new: Side) -> None:
        session.sides.set({**session.sides.value, name: new})

    def pick(preset: str) -> None:
        update(Side(preset, lever_values(session.settings.load(session.find(preset)))))

    with solara.Card(f"Scenario {name}", classes=[f"side-{name.lower()}"]):
        solara.Select("Preset", value=side.preset, values=[p.name for p in session.presets],
                      on_value=pick, classes=[f"preset-{name.lower()}"])
        solara.Text(session.find(side.preset).description)
        with solara.Details("Change levers"):
            LeverPanel(side.levers, lambda v: update(replace(side, levers=v)))


def _label(session: Session, side: Side) -> str:
    changes = lever_changes(session.settings.load(session.find(side.preset)), side.levers)
    named = [f"{key.split('.')[1]}={value}" for key, value in changes.items()]
    return side.preset + (f" ({', '.join(named)})" if named else "")


@solara.component
def Compare() -> None:
    """Two scenarios on the same seed, side by side."""
    session = _use()
    request = session.compare_request.value
    result = session.comparison.value

    def work(cancel: threading.Event) -> None:
        if request == 0 or (result is not None and result.request == request):
            return
        sides, seed = session.sides.value, session.compare_seed.value
        series = []
        for name in ("A", "B"):
            side = sides[name]
            try:
                config = configure(session.settings.load(session.find(side.preset)),
                                   side.levers, seed)
            except InputError as exc:
                session.progress.set(f"Scenario {name}: {exc}")
                return

            def progress(week: int, name: str = name, total: int = config.run.steps) -> None:
                if cancel.is_set():
                    raise InterruptedError  # the user left the page; rerun on return
                if week % 4 == 0 or week == total:
                    session.progress.set(f"Running {name}: week {week} of {total}")

            series.append(run_to_end(config, progress))
        labels = (f"A: {_label(session, sides['A'])}", f"B: {_label(session, sides['B'])}")
        png = figure_png(compare_figure(series[0], series[1], labels), dpi=100)
        session.progress.set("")
        session.comparison.set(Comparison(request, labels, series[0], series[1], png))

    solara.use_thread(work, dependencies=[request], intrusive_cancel=False)
    busy = request > 0 and (result is None or result.request != request)

    with solara.Column(style={"padding": "4px 12px 48px"}):
        Prose("Two scenarios run on **the same seed** (the same organisation and "
                        "the same random draws where they can be the same), so the differences "
                        "come from what you changed.")
        with solara.Columns([1, 1]):
            SideCard(session, "A")
            SideCard(session, "B")
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("Seed", value=session.compare_seed.value,
                            on_value=session.compare_seed.set, style={"max-width": "160px"})
            solara.Button("Run both", icon_name="mdi-play", color="primary", disabled=busy,
                          on_click=lambda: session.compare_request.set(request + 1),
                          classes=["compare-button"])
            solara.Text(session.progress.value, classes=["compare-progress"])
        if result is not None:
            with solara.Columns([3, 2]):
                with solara.Column(classes=["compare-chart"]):
                    solara.Image(result.png, width="100%")
                    Download(lambda: figure_png(compare_figure(result.a, result.b,
                                                               result.labels)),
                             "adoptsim_compare.png", "Comparison (PNG)", "image/png")
                with solara.Column(classes=["compare-table"]):
                    ComparisonTable(result)


@solara.component
def ComparisonTable(result: Comparison) -> None:
    """Final values of both runs and their difference."""
    rows = comparison_table(result.a, result.b)
    weeks = len(result.a) - 1
    lines = [f"**After {weeks} weeks**", "",
             f"- **A**: {result.labels[0][3:]}", f"- **B**: {result.labels[1][3:]}", "",
             "| outcome | A | B | B − A |", "|:---|---:|---:|---:|"]
    lines += [f"| {r.outcome} | {r.a} | {r.b} | {r.difference} |" for r in rows]
    Prose("\n".join(lines))
    both = pd.concat([result.a.assign(run="A"), result.b.assign(run="B")])
    Download(lambda: both[["run", *metrics.COLUMNS]].to_csv(index=False),
             "adoptsim_compare.csv", "Both time series (CSV)", "text/csv")


# ---------------------------------------------------------------------- about
@solara.component
def About() -> None:
    """The model in the shape of NetLogo's Info tab."""
    with solara.Column(style={"max-width": "56rem", "padding": "4px 16px 48px"}):
        Prose(ABOUT)
        with solara.Row(style={"flex-wrap": "wrap"}):
            for name, (title, _) in DOCS.items():
                with solara.Link(f"/docs/{name}"):
                    solara.Button(title, icon_name="mdi-book-open-variant", outlined=True,
                                  color="primary", style={"text-transform": "none"})


@solara.component
def Docs(name: str = "odd") -> None:
    """A document of the project's ``docs/`` folder, rendered."""
    with solara.Column(style={"max-width": "60rem", "padding": "4px 16px 48px"}):
        with solara.Link("/about"):
            solara.Button("Back to About", icon_name="mdi-arrow-left", text=True)
        path = docs_path(DOCS[name][1]) if name in DOCS else None
        if path is None:
            solara.Warning(f"There is no docs/{name}.md in this installation; read it in the "
                           "adoptsim source repository.")
            return
        Prose(path.read_text(encoding="utf-8"), classes=["docs-page"])


# The labels are the page titles (app bar and browser tab).
routes = [
    solara.Route(path="/", component=Explore, label="adoptsim · Explore", layout=Layout),
    solara.Route(path="compare", component=Compare, label="adoptsim · Compare"),
    solara.Route(path="about", component=About, label="adoptsim · About"),
    solara.Route(path="docs", component=Docs, label="adoptsim · Model documentation"),
]
