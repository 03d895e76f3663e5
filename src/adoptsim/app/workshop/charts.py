"""The workshop's figures: a team's own world, and every team against the counterfactual.

matplotlib ``Figure`` objects drawn with the Agg backend into PNG bytes
(:func:`adoptsim.app.charts.figure_png`), like the rest of the app: no
browser chart library, nothing fetched from the internet.

Examples
--------
>>> import pandas as pd
>>> from adoptsim.model.metrics import COLUMNS
>>> ts = pd.DataFrame({c: [0.0, 0.1, 0.2] for c in COLUMNS}).assign(step=[0, 1, 2])
>>> fig = room_figure({"Blue": ts, "(no comms)": ts}, horizon=8, weeks_per_round=4)
>>> [ax.get_title(loc="left") for ax in fig.axes]
['Members (adoption)', 'Mean trust in comms', 'Underground', 'Cumulative benefit']
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...model.metrics import SERIES
from ..charts import CHARTS, FONT, LineChart, scale_axis

#: The panels of the room figure (one outcome each; the leaderboard's outcomes).
ROOM_PANELS = ("member", "trust", "underground", "benefit_cum")

#: 20 distinguishable colours for team curves (matplotlib's tab20, reordered).
TEAM_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
                "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")


def _axis(ax, column: str, values: list, horizon: int, weeks_per_round: int) -> None:
    """Grid, round boundaries and a y axis from 0 that fits the metric and the data."""
    ax.set_xlim(0, horizon)
    for week in range(weeks_per_round, horizon, weeks_per_round):
        ax.axvline(week, color="0.88", lw=0.6, zorder=0)
    ax.grid(alpha=0.3, axis="y")
    ax.tick_params(labelsize=FONT - 1)
    scale_axis(ax, column, values)


class TeamCharts:
    """A team's own charts: the Explore page's, redrawn by blitting.

    Axes, grid and legend are drawn once; a new round only redraws the
    curves (a few milliseconds), which keeps a round of 30 teams quick.
    A lock guards the figures: a team may have its page open twice.
    """

    def __init__(self, horizon: int) -> None:
        self.charts = {spec.key: LineChart(spec, horizon) for spec in CHARTS}
        self.lock = threading.Lock()

    def render(self, series: pd.DataFrame) -> dict[str, bytes]:
        """PNG frames of every chart (keys of :data:`adoptsim.app.charts.CHARTS`)."""
        data = {column: series[column].tolist() for column in series.columns}
        with self.lock:
            return {key: chart.render(data) for key, chart in self.charts.items()}


def room_figure(series: Mapping[str, pd.DataFrame], horizon: int, weeks_per_round: int,
                counterfactual: str = "(no comms)") -> Figure:
    """Every team's curves overlaid, with the no-comms counterfactual in black.

    Parameters
    ----------
    series
        Time series by team name; the one named ``counterfactual`` is drawn
        thick, dashed and black.
    horizon, weeks_per_round
        The game's weeks and its rounds (light vertical lines).
    """
    fig = Figure(figsize=(11, 6.4), dpi=90, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True)
    teams: Sequence[str] = [name for name in series if name != counterfactual]
    for ax, column in zip(axes.flat, ROOM_PANELS, strict=True):
        for k, name in enumerate(teams):
            ts = series[name]
            ax.plot(ts["step"], ts[column], color=TEAM_COLOURS[k % len(TEAM_COLOURS)], lw=1.4,
                    label=name)
        if counterfactual in series:
            ts = series[counterfactual]
            ax.plot(ts["step"], ts[column], "--", color="black", lw=2.4,
                    label="no comms (counterfactual)")
        label = SERIES[column].label
        ax.set_title(label[0].upper() + label[1:], fontsize=FONT + 1, loc="left")
        _axis(ax, column, [ts[column] for ts in series.values()], horizon, weeks_per_round)
    for ax in axes[1]:
        ax.set_xlabel("week", fontsize=FONT)
    handles, names = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside right upper", frameon=False,
                   fontsize=FONT - (1 if len(names) > 20 else 0),
                   ncols=2 if len(names) > 24 else 1)
    return fig
