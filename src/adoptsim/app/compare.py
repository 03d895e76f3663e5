"""The Compare page: two scenarios on the same seed, side by side.

Examples
--------
>>> ts = pd.DataFrame({c: [0.0, 0.5] for c in COLUMNS})
>>> comparison_table(ts, ts.assign(member=[0.0, 0.6]))[0]
ComparisonRow(outcome='members (adoption)', a='50.0%', b='60.0%', difference='+10.0 pts')
"""

# No `from __future__ import annotations`: Solara reads the components' annotations.
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import solara

from ..config import ScenarioConfig
from ..errors import InputError
from ..model.metrics import COLUMNS, SERIES, t50
from ..model.model import AdoptionModel
from .charts import compare_figure, figure_png
from .levers import configure, lever_changes, lever_values
from .session import Comparison, Session, Side, use_session
from .widgets import Download, LeverPanel, Prose


@dataclass(frozen=True)
class ComparisonRow:
    """One outcome of the Compare page's table."""

    outcome: str
    a: str
    b: str
    difference: str


#: The outcomes the Compare table lists (labels and formats from the metric table).
COMPARE_OUTCOMES = ("member", "active", "lurker", "underground", "trust", "fear",
                    "cm_follower_share", "benefit_cum")


def run_to_end(config: ScenarioConfig, progress: Callable[[int], None] | None = None
               ) -> pd.DataFrame:
    """Run a scenario to its horizon; ``progress`` gets the week after each step."""
    model = AdoptionModel(config, rng=config.run.seed)
    while model.steps < config.run.steps:
        model.step()
        if progress is not None:
            progress(int(model.steps))
    return model.timeseries()


def comparison_table(a: pd.DataFrame, b: pd.DataFrame) -> list[ComparisonRow]:
    """Final values of two runs and B − A (shares in %, differences in points)."""
    rows = []
    for column in COMPARE_OUTCOMES:
        m = SERIES[column]
        x, y = float(a[column].iloc[-1]), float(b[column].iloc[-1])
        diff = f"{100 * (y - x):+.1f} pts" if m.percent else f"{y - x:+.3f}"
        rows.append(ComparisonRow(m.label, m.format(x), m.format(y), diff))
    t50a, t50b = t50(a["member"].to_numpy()), t50(b["member"].to_numpy())
    diff = "n/a" if t50a is None or t50b is None else f"{t50b - t50a:+d} weeks"
    rows.append(ComparisonRow("weeks to half the final adoption (t50)", str(t50a), str(t50b), diff))
    return rows



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
    session = use_session()
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
    Download(lambda: both[["run", *COLUMNS]].to_csv(index=False),
             "adoptsim_compare.csv", "Both time series (CSV)", "text/csv")

