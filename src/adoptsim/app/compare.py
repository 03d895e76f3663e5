"""The Compare page: two scenarios over 20 replications, as bands, with the paired difference.

One run is one possible history; a comparison drawn from one run can be
luck. Both scenarios therefore run the same :data:`REPLICATIONS` seeds
(replication r of A and of B share the organisation and the random draws,
as in a sweep, :func:`adoptsim.sweeps.experiment.seeds_for`), each curve is
shown as its median with a 90% band over replications, and the table gives
B − A paired by replication with a 95% interval
(:func:`adoptsim.sweeps.analysis.mean_ci`). The runs are whole compiled
runs without Mesa (:class:`~adoptsim.model.engine.Engine`), two at a time,
each on one thread, so the page stays responsive.

Examples
--------
>>> ts = pd.DataFrame({c: [0.0, 0.5] for c in COLUMNS})
>>> rows = comparison_table([ts, ts], [ts.assign(member=[0.0, 0.6]), ts.assign(member=[0.0, 0.7])])
>>> rows[0].outcome, rows[0].a, rows[0].b, rows[0].difference
('members (adoption)', '50.0% [50.0%, 50.0%]', '65.0% [60.5%, 69.5%]', '+15.0 pts [-48.5, +78.5]')
"""

# No `from __future__ import annotations`: Solara reads the components' annotations.
import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numba
import numpy as np
import pandas as pd
import solara

from ..config import ScenarioConfig, with_overrides
from ..errors import InputError
from ..model.engine import Engine
from ..model.metrics import COLUMNS, SERIES, t50
from ..sweeps.analysis import mean_ci
from ..sweeps.experiment import seeds_for
from .charts import compare_bands_figure, figure_png
from .levers import configure, lever_changes, lever_values
from .session import Comparison, Session, Side, use_session
from .widgets import Download, LeverPanel, Prose

#: Replications per scenario (the same seeds on both sides).
REPLICATIONS = 20

#: The band drawn around each median: the 5% and 95% quantiles over replications.
BAND = (0.05, 0.95)

#: Runs simulated at once (each on one thread).
WORKERS = max(1, min(2, os.cpu_count() or 1))


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


def run_one(config: ScenarioConfig) -> pd.DataFrame:
    """One whole run of ``config`` (its ``run.seed``) on the calling thread alone."""
    numba.set_num_threads(1)  # per thread: the runs themselves run side by side
    engine = Engine(config, config.run.seed)
    engine.advance()
    return engine.timeseries()


def run_replications(config: ScenarioConfig, seeds: Sequence[int],
                     progress: Callable[[int], None] | None = None,
                     cancel: threading.Event | None = None) -> list[pd.DataFrame]:
    """Every replication of ``config``, one per seed, in seed order.

    ``progress(k)`` is called after each finished run with the number done;
    a set ``cancel`` stops before the next run starts (:class:`InterruptedError`).
    """
    configs = [with_overrides(config, {"run.seed": int(s)}) for s in seeds]
    done = 0
    out: list[pd.DataFrame] = []
    with ThreadPoolExecutor(WORKERS) as pool:
        for start in range(0, len(configs), WORKERS):
            if cancel is not None and cancel.is_set():
                raise InterruptedError
            for series in pool.map(run_one, configs[start:start + WORKERS]):
                out.append(series)
                done += 1
                if progress is not None:
                    progress(done)
    return out


def _finals(runs: Sequence[pd.DataFrame], column: str) -> np.ndarray:
    return np.array([float(ts[column].iloc[-1]) for ts in runs])


def _spread(values: np.ndarray, show: Callable[[float], str]) -> str:
    low, high = np.quantile(values, BAND)
    return f"{show(float(np.median(values)))} [{show(float(low))}, {show(float(high))}]"


def _difference(values: Sequence[float | None], percent: bool, digits: int, unit: str = ""
                ) -> str:
    ci = mean_ci(values)
    if ci.n == 0:
        return "n/a"
    scale = 100.0 if percent else 1.0

    def show(v: float) -> str:
        return "n/a" if math.isnan(v) else f"{scale * v:+.{digits}f}"

    return f"{show(ci.mean)}{unit} [{show(ci.low)}, {show(ci.high)}]"


def comparison_table(a: Sequence[pd.DataFrame], b: Sequence[pd.DataFrame]
                     ) -> list[ComparisonRow]:
    """Final values of both scenarios and B − A paired by replication.

    Each side is the median over replications with its 90% band; the
    difference is the mean of the paired differences with a 95% interval
    (shares in percentage points).
    """
    rows = []
    for column in COMPARE_OUTCOMES:
        m = SERIES[column]
        x, y = _finals(a, column), _finals(b, column)
        digits = 3 if m.unit in ("score", "tone") else 1
        diff = _difference(y - x, m.percent, digits, " pts" if m.percent else "")
        rows.append(ComparisonRow(m.label, _spread(x, m.format), _spread(y, m.format), diff))
    ta = [t50(ts["member"].to_numpy()) for ts in a]
    tb = [t50(ts["member"].to_numpy()) for ts in b]
    paired = [y - x if x is not None and y is not None else None
              for x, y in zip(ta, tb, strict=True)]

    def weeks(values: list[int | None]) -> str:
        known = np.array([v for v in values if v is not None], float)
        return _spread(known, lambda v: f"{v:.0f}") if len(known) else "n/a"

    rows.append(ComparisonRow("weeks to half the final adoption (t50)", weeks(ta), weeks(tb),
                              _difference(paired, False, 1, " weeks")))
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


def timeseries_csv(result: Comparison) -> str:
    """Every replication of both scenarios as one CSV (columns run, replication, seed, ...)."""
    frames = [ts.assign(run=run, replication=r, seed=seed)
              for run, runs in (("A", result.a), ("B", result.b))
              for r, (ts, seed) in enumerate(zip(runs, result.seeds, strict=True))]
    both = pd.concat(frames, ignore_index=True)
    return both[["run", "replication", "seed", *COLUMNS]].to_csv(index=False)


@solara.component
def Compare() -> None:
    """Two scenarios on the same seeds, as bands over replications."""
    session = use_session()
    request = session.compare_request.value
    result = session.comparison.value

    def work(cancel: threading.Event) -> None:
        if request == 0 or (result is not None and result.request == request):
            return
        sides, seed = session.sides.value, session.compare_seed.value
        seeds = seeds_for(seed, REPLICATIONS)
        runs = []
        for name in ("A", "B"):
            side = sides[name]
            try:
                config = configure(session.settings.load(session.find(side.preset)),
                                   side.levers, seed)
            except InputError as exc:
                session.progress.set(f"Scenario {name}: {exc}")
                return

            def progress(k: int, name: str = name) -> None:
                session.progress.set(f"Running {name}: replication {k} of {REPLICATIONS}")

            try:
                runs.append(run_replications(config, seeds, progress, cancel))
            except InterruptedError:
                return  # the user left the page; rerun on return
        labels = (f"A: {_label(session, sides['A'])}", f"B: {_label(session, sides['B'])}")
        png = figure_png(compare_bands_figure(runs[0], runs[1], labels), dpi=100)
        session.progress.set("")
        session.comparison.set(Comparison(request, labels, tuple(runs[0]), tuple(runs[1]),
                                          tuple(seeds), png))

    solara.use_thread(work, dependencies=[request], intrusive_cancel=False)
    busy = request > 0 and (result is None or result.request != request)

    with solara.Column(style={"padding": "4px 12px 48px"}):
        Prose(f"Two scenarios run on **the same {REPLICATIONS} seeds** (replication *r* of A "
              "and of B share the organisation and the random draws), so the differences "
              "come from what you changed. One run is one possible history: the curves are "
              "medians with 90% bands over the replications, and B − A is paired by "
              "replication, with its 95% interval.")
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
                    Download(lambda: figure_png(compare_bands_figure(result.a, result.b,
                                                                     result.labels)),
                             "adoptsim_compare.png", "Comparison (PNG)", "image/png")
                with solara.Column(classes=["compare-table"]):
                    ComparisonTable(result)


@solara.component
def ComparisonTable(result: Comparison) -> None:
    """Final values of both scenarios and their paired difference."""
    rows = comparison_table(result.a, result.b)
    weeks = len(result.a[0]) - 1
    lines = [f"**After {weeks} weeks, {len(result.seeds)} replications**", "",
             f"- **A**: {result.labels[0][3:]}", f"- **B**: {result.labels[1][3:]}", "",
             "| outcome | A: median [90% band] | B: median [90% band] | B − A [95% interval] |",
             "|:---|---:|---:|---:|"]
    lines += [f"| {r.outcome} | {r.a} | {r.b} | {r.difference} |" for r in rows]
    lines += ["", "An interval that excludes 0 is a difference these replications "
              "support; one that includes 0 is not."]
    Prose("\n".join(lines))
    Download(lambda: timeseries_csv(result), "adoptsim_compare.csv",
             "Every replication (CSV)", "text/csv")
