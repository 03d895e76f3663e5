"""The app's charts: live time series, the network view, and the comparison.

Everything is drawn with matplotlib's Agg backend into PNG bytes, so the
browser needs no chart library (and no internet). Live charts use
*blitting*: axes, grid, labels, legend and ties are drawn once into a
background; each step only restores that background and redraws the
curves or the employees' dots. That keeps a step's redraw to a few
milliseconds instead of a full figure render (about ten times slower).

Figures are ``matplotlib.figure.Figure`` objects, never pyplot, so each
browser session owns its own and nothing global is shared between threads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter
from PIL import Image

from ..model.metrics import SERIES
from .positions import Drawing

if TYPE_CHECKING:
    import pandas as pd

    from ..config import ScenarioConfig
    from ..model.model import AdoptionModel

#: Employee states in the network view, in code order (see :func:`employee_states`).
STATES = ("unaware", "aware", "lurker", "active", "underground")

#: One colour per state (colour-blind safe; grey = not yet reached).
STATE_COLOURS = ("#d4d4d4", "#9ecae1", "#3a7dc0", "#1a9e58", "#d55e00")

_STATE_RGBA = to_rgba_array(STATE_COLOURS)

FONT = 9


def employee_states(model: AdoptionModel, nodes: np.ndarray | None = None) -> np.ndarray:
    """Each employee's state as a code into :data:`STATES`.

    Members of the official channel are *active* if they posted in the last
    ``posting.window`` weeks, else *lurkers*; anyone in the underground
    back-channel shows as *underground* (that is what a policy pushes people
    towards, so it wins over their standing on the official channel).

    Parameters
    ----------
    model
        The model, read at its current step.
    nodes
        Only these employees (default all).

    Returns
    -------
    numpy.ndarray
        int8 codes, one per employee.
    """
    s = model.state
    idx = slice(None) if nodes is None else nodes
    active = (s.member_c & (model.steps - s.last_post <= model.config.posting.window))[idx]
    codes = s.aware[idx].astype(np.int8)
    codes[s.member_c[idx]] = 2
    codes[active] = 3
    codes[s.member_u[idx]] = 4
    return codes


def png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as a live-frame PNG.

    Reduced to a 128-colour palette: charts have few colours, and a palette
    PNG is about six times smaller and faster to encode than a full-colour
    one, which is what keeps 20 sessions stepping at once responsive.
    """
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    palette = image.convert("RGB").quantize(128, method=Image.Quantize.FASTOCTREE)
    colours = np.asarray(palette.getpalette(), np.uint8).reshape(-1, 3)
    colours[(colours >= 248).all(axis=1)] = 255  # the fast quantiser greys white a little
    palette.putpalette(colours.ravel().tolist())
    out = io.BytesIO()
    palette.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def figure_png(fig: Figure, dpi: int = 200) -> bytes:
    """A whole figure as a PNG file (for downloads)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()


@dataclass(frozen=True)
class Series:
    """One curve: a time-series column and its style (the label is the metric's)."""

    column: str
    colour: str
    style: str = "-"
    right: bool = False  # on a second y axis

    @property
    def label(self) -> str:
        """The legend entry: the metric's label (and where its axis is)."""
        return SERIES[self.column].label + (" (right)" if self.right else "")


@dataclass(frozen=True)
class ChartSpec:
    """A live time-series chart."""

    key: str
    title: str
    series: tuple[Series, ...]
    ylabel: str
    shares: bool = True  # y is a share in [0, 1]; else scaled to the data
    right_label: str = ""


#: The Explore page's time-series charts.
CHARTS = (
    ChartSpec("channel", "Who is on the channel", (
        Series("member", "#08306b"),
        Series("aware", STATE_COLOURS[1]),
        Series("active", STATE_COLOURS[3]),
        Series("lurker", STATE_COLOURS[2], "--"),
        Series("underground", STATE_COLOURS[4]),
    ), "share of employees"),
    ChartSpec("trust", "Trust, fear and following", (
        Series("trust", "#7b3294"),
        Series("fear", "#c51b7d", "--"),
        Series("cm_follower_share", "#e6ab02"),
    ), "level / share"),
    ChartSpec("benefit", "Benefit of the conversation", (
        Series("benefit", "#35978f"),
        Series("benefit_cum", "#543005", "--", right=True),
    ), "per week", shares=False, right_label="cumulative"),
)


def events(config: ScenarioConfig) -> list[tuple[int, str]]:
    """Weeks worth marking on the time axis: comms joining, a policy switch."""
    marks = []
    if config.comms.count and config.comms.join_step > 0:
        marks.append((config.comms.join_step, "comms joins"))
    if config.channel.policy != "open":
        marks.append((config.channel.policy_start, f"policy: {config.channel.policy}"))
    return marks


def _nice_top(value: float) -> float:
    """A round axis top above ``value`` with head room (1, 2 or 5 × 10^k).

    >>> _nice_top(0.031), _nice_top(3.0), _nice_top(8.0)
    (0.05, 5.0, 20.0)
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    exponent = np.floor(np.log10(value * 1.3))
    for m in (1.0, 2.0, 5.0):
        if m * 10**exponent >= value * 1.3:
            return float(m * 10**exponent)
    return float(10 ** (exponent + 1))


class LineChart:
    """A live time-series chart redrawn by blitting.

    Parameters
    ----------
    spec
        What to plot.
    horizon
        Weeks on the x axis (the run's length); it grows if a run goes on.
    marks
        (week, label) vertical markers, see :func:`events`.
    dpi
        Screen resolution of the frames.
    """

    def __init__(
        self, spec: ChartSpec, horizon: int, marks: Sequence[tuple[int, str]] = (), dpi: int = 100
    ) -> None:
        self.spec = spec
        twin = any(s.right for s in spec.series)
        self.fig = Figure(figsize=(6.4, 2.75), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.11, right=0.6 if twin else 0.66, top=0.88, bottom=0.17)
        ax = self.fig.add_subplot()
        ax.set_title(spec.title, fontsize=FONT + 2, loc="left", fontweight="bold")
        ax.set_xlabel("week", fontsize=FONT)
        ax.set_ylabel(spec.ylabel, fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, max(horizon, 1))
        right = ax.twinx() if twin else None
        if spec.shares:
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if right is not None:
            right.set_ylabel(spec.right_label, fontsize=FONT)
            right.tick_params(labelsize=FONT - 1)
        for k, (week, label) in enumerate(marks):
            ax.axvline(week, color="0.45", lw=0.9, ls=":")
            ax.text(week + 0.8, 0.97 - 0.09 * (k % 2), label, transform=ax.get_xaxis_transform(),
                    fontsize=FONT - 1.5, color="0.3", va="top")  # staggered: marks may be close
        self.axes = [right if s.right and right is not None else ax for s in spec.series]
        self.lines = [
            a.plot([], [], s.style, color=s.colour, lw=1.8, label=s.label, animated=True)[0]
            for a, s in zip(self.axes, spec.series, strict=True)
        ]
        self.fig.legend(handles=self.lines, loc="upper left", frameon=False, fontsize=FONT,
                        bbox_to_anchor=(0.71 if twin else 0.68, 0.88))
        self._tops: dict = {}  # y-axis top per auto-scaled axis
        self._background = None

    def _fit(self, data: Mapping[str, Sequence[float]]) -> None:
        """Grow the axes when the data outgrow them (the background is then redrawn)."""
        main = self.axes[0]
        weeks = len(data[self.spec.series[0].column]) - 1
        if weeks > main.get_xlim()[1]:
            main.set_xlim(0, int(weeks * 1.25) + 1)
            self._background = None
        peaks: dict = {}
        for a, s in zip(self.axes, self.spec.series, strict=True):
            if self.spec.shares and a is main:
                continue
            values = np.asarray(data[s.column], float)
            peak = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
            peaks[a] = max(peaks.get(a, 0.0), peak)
        for a, peak in peaks.items():
            if peak > self._tops.get(a, 0.0):  # only grow: a jumping axis is hard to read
                self._tops[a] = _nice_top(peak)
                a.set_ylim(0, self._tops[a])
                self._background = None

    def _set_data(self, data: Mapping[str, Sequence[float]]) -> None:
        self._fit(data)
        for line, s in zip(self.lines, self.spec.series, strict=True):
            values = np.asarray(data[s.column], float)
            line.set_data(np.arange(len(values)), values)

    def render(self, data: Mapping[str, Sequence[float]]) -> bytes:
        """A PNG frame showing ``data`` (column → values per week)."""
        self._set_data(data)
        if self._background is None:
            self.canvas.draw()  # everything except the animated curves
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for a, line in zip(self.axes, self.lines, strict=True):
            a.draw_artist(line)
        return png_bytes(self.canvas)

    def export(self, data: Mapping[str, Sequence[float]], dpi: int = 200) -> bytes:
        """The chart as a print-quality PNG file."""
        self._set_data(data)
        for line in self.lines:
            line.set_animated(False)
        try:
            return figure_png(self.fig, dpi)
        finally:
            for line in self.lines:
                line.set_animated(True)
            self._background = None


class NetworkChart:
    """The organisation drawn by department and team, employees coloured by state.

    Ties and the legend are drawn once; each step only recolours the dots.

    Parameters
    ----------
    drawing
        Who is drawn, where, and their ties (:func:`~adoptsim.app.positions.drawing`).
    levels
        Each drawn employee's level (team leads and heads are drawn larger).
    managers
        Positions in ``drawing.nodes`` of the comms managers (drawn as stars).
    dpi
        Screen resolution of the frames.
    """

    def __init__(
        self, drawing: Drawing, levels: np.ndarray, managers: np.ndarray, dpi: int = 100
    ) -> None:
        self.drawing = drawing
        self.managers = managers
        self.fig = Figure(figsize=(6.2, 6.6), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.fig.add_axes((0.01, 0.1, 0.98, 0.78))
        ax.set_axis_off()
        ax.set_aspect("equal", adjustable="datalim")
        self.ax = ax
        xy = drawing.xy
        for kind, (alpha, width) in enumerate(((0.35, 0.6), (0.14, 0.45), (0.045, 0.35))):
            pick = drawing.ties == kind
            # One polyline broken by NaNs: far cheaper to build than a segment collection.
            ends = np.stack([xy[drawing.src[pick]], xy[drawing.dst[pick]],
                             np.full((pick.sum(), 2), np.nan)], axis=1).reshape(-1, 2)
            ax.plot(ends[:, 0], ends[:, 1], color=(0.25, 0.27, 0.33, alpha), lw=width, zorder=1)
        size = float(np.clip(34000 / max(len(xy), 1), 9, 90))
        self.dots = ax.scatter(
            xy[:, 0], xy[:, 1], s=size * np.array([1.0, 1.7, 2.8])[np.clip(levels, 0, 2)],
            c=STATE_COLOURS[0], linewidths=0, zorder=2, animated=True,
        )
        self.stars = ax.scatter(
            xy[managers, 0], xy[managers, 1], s=max(12 * size, 160), marker="*",
            c=STATE_COLOURS[0], edgecolors="black", linewidths=1.0, zorder=3, animated=True,
        )
        if len(xy):  # the ties already set the limits, unless there are none
            ax.update_datalim(xy)
            ax.autoscale_view()
        self.title = self.fig.text(0.02, 0.975, "", fontsize=FONT + 3, fontweight="bold",
                                   va="top", animated=True)  # says the week
        self.fig.text(0.02, 0.94, "Departments on a grid, teams as clusters, lines are ties.\n"
                      + drawing.note, fontsize=FONT - 0.5, color="0.3", va="top", linespacing=1.4)
        handles = [
            Line2D([], [], ls="", marker="o", markersize=8, markerfacecolor=c,
                   markeredgewidth=0, label=name)
            for name, c in zip(STATES, STATE_COLOURS, strict=True)
        ]
        handles.append(Line2D([], [], ls="", marker="*", markersize=13, markerfacecolor="white",
                              markeredgecolor="black", label="comms manager"))
        self.fig.legend(handles=handles, loc="lower center", ncols=3, frameon=False,
                        fontsize=FONT + 1, bbox_to_anchor=(0.5, 0.0))
        self._background = None

    def _set_states(self, states: np.ndarray, week: int) -> None:
        self.dots.set_facecolor(_STATE_RGBA[states])
        self.stars.set_facecolor(_STATE_RGBA[states[self.managers]])
        self.title.set_text(f"The organisation in week {week}")

    def render(self, states: np.ndarray, week: int) -> bytes:
        """A PNG frame with the drawn employees in ``states`` (codes into :data:`STATES`)."""
        self._set_states(states, week)
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        self.ax.draw_artist(self.dots)
        self.ax.draw_artist(self.stars)
        self.fig.draw_artist(self.title)
        return png_bytes(self.canvas)

    def export(self, states: np.ndarray, week: int, dpi: int = 200) -> bytes:
        """The network view as a print-quality PNG file."""
        self._set_states(states, week)
        live = (self.dots, self.stars, self.title)
        for artist in live:
            artist.set_animated(False)
        try:
            return figure_png(self.fig, dpi)
        finally:
            for artist in live:
                artist.set_animated(True)
            self._background = None


def scale_axis(ax, column: str, values: Sequence[Sequence[float]]) -> None:
    """A y axis from 0 for a metric: scores 0-1; shares in %, up to a round top above the data.

    A small share (the underground, active posters) would be a flat line on
    a 0-100% axis, so a share's axis ends at the first of 1, 2 or 5 × 10^k
    above its data (at most 100%).
    """
    m = SERIES[column]
    peak = max((float(np.nanmax(np.asarray(v, float))) for v in values if len(v)), default=0.0)
    if m.unit == "score":
        ax.set_ylim(0, 1)
    elif m.percent:
        top = min(1.0, _nice_top(max(peak, 0.01)))
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0 if top >= 0.1 else None))
    else:
        ax.set_ylim(0, _nice_top(peak) if np.isfinite(peak) and peak > 0 else 1.0)


#: The Compare page's small multiples (titles and scales from the metric table).
COMPARE_PANELS = ("member", "active", "underground", "trust", "fear", "benefit_cum")


def compare_bands_figure(a: Sequence[pd.DataFrame], b: Sequence[pd.DataFrame],
                         labels: tuple[str, str], band: tuple[float, float] = (0.05, 0.95)
                         ) -> Figure:
    """Key curves of two scenarios over replications: medians and bands.

    A is blue and solid, B orange and dashed; each band spans the ``band``
    quantiles over replications, week by week (default the 90% band).

    Parameters
    ----------
    a, b
        The replications' time series of each scenario
        (:meth:`AdoptionModel.timeseries`), all of one length.
    labels
        Legend names of the scenarios.
    band
        Lower and upper quantile of the band.
    """
    fig = Figure(figsize=(10.5, 5.6), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3, sharex=True)
    for ax, column in zip(axes.flat, COMPARE_PANELS, strict=True):
        m = SERIES[column]
        for runs, label, colour, style in ((a, labels[0], "#0072b2", "-"),
                                           (b, labels[1], "#e69f00", "--")):
            values = np.stack([ts[column].to_numpy(float) for ts in runs])
            weeks = runs[0]["step"].to_numpy()
            low, high = np.nanquantile(values, band, axis=0)
            ax.fill_between(weeks, low, high, color=colour, alpha=0.22, lw=0)
            ax.plot(weeks, np.nanmedian(values, axis=0), style, color=colour, lw=2, label=label)
        ax.set_title(m.label[0].upper() + m.label[1:], fontsize=FONT + 1, loc="left")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=FONT - 1)
        scale_axis(ax, column, [ts[column] for ts in (*a, *b)])
    for ax in axes[1]:
        ax.set_xlabel("week", fontsize=FONT)
    handles, names = axes[0, 0].get_legend_handles_labels()
    share = round(100 * (band[1] - band[0]))
    fig.legend(handles, [f"{n} (median, {share}% band over {len(runs)} runs)"
                         for n, runs in zip(names, (a, b), strict=True)],
               loc="outside upper center", ncols=1, frameon=False, fontsize=FONT + 1)
    return fig
