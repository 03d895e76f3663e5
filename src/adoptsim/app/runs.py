"""A session's live run on the Explore page, with its chart frames.

Each browser session owns its own :class:`Exploration` (created inside the
page components, never at module level), so one user's Step never moves
another's model. A step renders the session's chart frames right away, in
the thread that stepped, so a page update only ships ready PNG bytes.

Examples
--------
>>> from adoptsim.config import load_config
>>> run = Exploration(load_config(overrides={"organisation.employees": 100}), "demo")
>>> run.step()
>>> run.week, sorted(run.frames)
(1, ['benefit', 'channel', 'network', 'trust'])
"""

from __future__ import annotations

import re
import threading

import numpy as np

from ..config import ScenarioConfig
from ..model.model import AdoptionModel
from .charts import CHARTS, LineChart, NetworkChart, employee_states, events
from .positions import drawing


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "run"


class Exploration:
    """One session's live model with its charts.

    Parameters
    ----------
    config
        The scenario to run (preset, overrides, levers and seed applied).
    name
        The preset's name, for file names and captions.

    Attributes
    ----------
    model : AdoptionModel
        The model; step it through :meth:`step` so frames stay in sync.
    frames : dict
        PNG bytes of every chart at the current week: the keys of
        :data:`~adoptsim.app.charts.CHARTS` and ``"network"``.
    """

    def __init__(self, config: ScenarioConfig, name: str) -> None:
        self.name = name
        self.model = AdoptionModel(config, rng=config.run.seed)
        self.lock = threading.Lock()  # the Play thread and button clicks share the model
        net, managers = self.model.network, self.model.comms.node
        self.drawing = drawing(net, managers)
        marks = events(config)
        self.charts = {spec.key: LineChart(spec, config.run.steps, marks) for spec in CHARTS}
        nodes = self.drawing.nodes
        self.network_chart = NetworkChart(self.drawing, net.level[nodes],
                                          np.searchsorted(nodes, managers))
        self.frames: dict[str, bytes] = {}
        with self.lock:
            self._render()

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return int(self.model.steps)

    @property
    def horizon(self) -> int:
        """The run's length in weeks (``run.steps``)."""
        return self.model.config.run.steps

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.week >= self.horizon

    def step(self) -> None:
        """Advance one week (unless finished) and render the new frames."""
        with self.lock:
            if not self.finished:
                self.model.step()
                self._render()

    def _series(self) -> dict[str, list[float]]:
        # The DataCollector's lists, copied: O(steps), no DataFrame per step.
        return {k: list(v) for k, v in self.model.datacollector.model_vars.items()}

    def _render(self) -> None:
        data = self._series()
        frames = {key: chart.render(data) for key, chart in self.charts.items()}
        states = employee_states(self.model, self.drawing.nodes)
        frames["network"] = self.network_chart.render(states, self.week)
        self.frames = frames

    def now(self) -> dict[str, float]:
        """The current week's outcomes (one time-series row)."""
        with self.lock:
            return dict(self.model.metrics)

    def filename(self, what: str, extension: str) -> str:
        """A download's file name: scenario, seed and content.

        No week: the name is shown before the click, and the content says
        the week (the CSV's last step, the network view's title, the axes).
        """
        seed = self.model.config.run.seed
        return f"adoptsim_{_slug(self.name)}_seed{seed}_{what}.{extension}"

    def csv(self) -> str:
        """The time series so far as CSV (columns: :data:`adoptsim.model.metrics.COLUMNS`)."""
        with self.lock:
            return self.model.timeseries().to_csv(index=False)

    def export_png(self, key: str) -> bytes:
        """One chart (a key of :attr:`frames`) as a print-quality PNG file."""
        with self.lock:
            if key == "network":
                states = employee_states(self.model, self.drawing.nodes)
                return self.network_chart.export(states, self.week)
            return self.charts[key].export(self._series())

