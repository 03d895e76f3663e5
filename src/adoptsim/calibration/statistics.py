"""Summary statistics: what a run is compared with the observed data on.

A *target* knows how far to run the model, which curves to record while it
runs, and how to turn curves (simulated or observed) into named summary
statistics for pyabc (one float per name):

:class:`AggregateTarget`
    Each observed series at each observed week: ``member@12`` is the share
    of members after 12 weeks (``posts@12``: posts that week).
:class:`IndividualTarget`
    The cumulative adoption share by week (``adopted@w``: the share of
    employees who had joined by week ``w``, whether or not they left again)
    and the exposure at adoption (``exposure``): for each employee who
    joined after week 0, the share of their network neighbours who had
    joined in an earlier week; averaged over them. Comms managers
    (``comms.count``) are left out of both, as adopters and as neighbours.

Each series weighs the same in the distance, whatever its number of points
(:meth:`weights`): with ``p = 2`` a statistic of a series of ``k`` points
gets the fixed weight ``1/sqrt(k)``; pyabc's adaptive distance scales them further
by their spread.

Examples
--------
>>> import numpy as np
>>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1])  # a path 0-1-2
>>> joined = np.array([0, 1, 2])
>>> exposure_at_adoption(joined, indptr, indices, np.ones(3, bool))  # 1: 1/2, 2: 1/1
0.75
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .observed import AGGREGATE_SERIES, AggregateData, IndividualData

if TYPE_CHECKING:
    from ..model.engine import Engine

__all__ = [
    "AggregateTarget",
    "IndividualTarget",
    "Point",
    "Target",
    "exposure_at_adoption",
    "observed_statistics",
    "weights",
]

#: The p of pyabc's p-norm distance.
P_NORM = 2

Curves = dict[str, np.ndarray]


@dataclass(frozen=True)
class Point:
    """One observed point: a summary statistic's name, series, week and value."""

    name: str
    series: str
    week: int | None
    observed: float


def exposure_at_adoption(joined: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                         staff: np.ndarray) -> float:
    """Mean share of earlier joiners among the neighbours of those who joined after week 0.

    Parameters
    ----------
    joined
        int64 join week of every node, ``-1`` for never.
    indptr, indices
        The network in symmetric CSR form.
    staff
        bool: the nodes that count (the comms managers are left out).

    Returns
    -------
    float
        The mean over staff who joined after week 0 and have a staff
        neighbour; 0 when there is no such person.
    """
    degree = np.diff(indptr)
    rows = np.repeat(np.arange(len(joined)), degree)
    cols = indices.astype(np.int64)
    neighbour = staff[cols]
    earlier = neighbour & (joined[cols] >= 0) & (joined[cols] < joined[rows])
    n_earlier = np.bincount(rows, weights=earlier, minlength=len(joined))
    n_staff = np.bincount(rows, weights=neighbour, minlength=len(joined))
    adopters = staff & (joined > 0) & (n_staff > 0)
    if not adopters.any():
        return 0.0
    return float(np.mean(n_earlier[adopters] / n_staff[adopters]))


class AggregateTarget:
    """Observed weekly series (shares, and posts as counts)."""

    def __init__(self, data: AggregateData) -> None:
        self.data = data
        self.horizon = int(data.weeks[-1])
        self.series = list(data.values)

    def record(self, engine: Engine) -> Curves:
        """Run ``engine`` to the last observed week; each observed series' curve (weeks 0..)."""
        engine.advance(self.horizon - engine.weeks)
        return {s: np.array(engine.series[AGGREGATE_SERIES[s]]) for s in self.series}

    def points(self) -> list[Point]:
        """Every observed value, as a named statistic."""
        out = []
        for s, values in self.data.values.items():
            for week, value in zip(self.data.weeks.tolist(), values.tolist(), strict=True):
                if math.isfinite(value):
                    out.append(Point(f"{s}@{week}", s, week, value))
        return out

    def statistics(self, curves: Curves) -> dict[str, float]:
        """The statistics of simulated curves, at the observed points."""
        return {p.name: float(curves[p.series][p.week]) for p in self.points()}


class IndividualTarget:
    """Who joined when, on the scenario's edge-list network."""

    def __init__(self, data: IndividualData, joined: np.ndarray, indptr: np.ndarray,
                 indices: np.ndarray, staff: np.ndarray, steps: int) -> None:
        self.data = data
        self.joined = joined
        self.indptr = indptr
        self.indices = indices
        self.staff = staff
        self.horizon = steps
        self.series = ["adopted", "exposure"]

    def curves_of(self, joined: np.ndarray) -> Curves:
        """Adoption by week and exposure at adoption of join weeks ``joined`` (one per node)."""
        weeks = np.where(self.staff & (joined >= 0), joined, self.horizon + 1)[self.staff]
        counts = np.bincount(weeks, minlength=self.horizon + 2)[: self.horizon + 1]
        return {
            "adopted": np.cumsum(counts) / max(int(self.staff.sum()), 1),
            "exposure": np.array([exposure_at_adoption(joined, self.indptr, self.indices,
                                                       self.staff)]),
        }

    def record(self, engine: Engine) -> Curves:
        """Run ``engine`` week by week, noting the week each employee first joins."""
        joined = np.where(engine.state.ever_member, 0, -1)
        for week in range(engine.weeks + 1, self.horizon + 1):
            engine.advance(1)
            joined[engine.state.ever_member & (joined < 0)] = week
        return self.curves_of(joined)

    def points(self) -> list[Point]:
        """The observed adoption share of every week, and the observed exposure."""
        observed = self.curves_of(self.joined)
        out = [Point(f"adopted@{w}", "adopted", w, float(v))
               for w, v in enumerate(observed["adopted"].tolist())]
        out.append(Point("exposure", "exposure", None, float(observed["exposure"][0])))
        return out

    def statistics(self, curves: Curves) -> dict[str, float]:
        """The statistics of simulated curves."""
        out = {f"adopted@{w}": float(v) for w, v in enumerate(curves["adopted"].tolist())}
        out["exposure"] = float(curves["exposure"][0])
        return out


Target = AggregateTarget | IndividualTarget


def observed_statistics(target: Target) -> dict[str, float]:
    """The observed values as pyabc's observed summary statistics."""
    return {p.name: p.observed for p in target.points()}


def weights(target: Target) -> dict[str, float]:
    """Fixed distance weights that make each observed series weigh the same in total."""
    points = target.points()
    sizes = {s: sum(p.series == s for p in points) for s in {p.series for p in points}}
    return {p.name: sizes[p.series] ** (-1.0 / P_NORM) for p in points}
