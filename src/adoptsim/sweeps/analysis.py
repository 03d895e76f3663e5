"""Statistics over replications: means with t confidence intervals.

Examples
--------
>>> ci = mean_ci([1.0, 2.0, 3.0])
>>> round(ci.mean, 3), round(ci.low, 3), round(ci.high, 3), ci.n
(2.0, -0.484, 4.484, 3)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats


class Interval(NamedTuple):
    """A mean and its confidence interval over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int


def mean_ci(values: Iterable[float], level: float = 0.95) -> Interval:
    """Mean and t confidence interval: mean ± t_{(1+level)/2, n-1} · sd / √n.

    Parameters
    ----------
    values
        One value per replication; NaN (and None) values are left out.
    level
        Confidence level, between 0 and 1.

    Returns
    -------
    Interval
        ``low`` and ``high`` are NaN when fewer than two values remain;
        everything is NaN when none does.
    """
    x = np.asarray([v for v in values if v is not None], dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    half = float(stats.t.ppf((1 + level) / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


def point_table(
    summary: pd.DataFrame,
    design_cols: Sequence[str],
    outcomes: Sequence[str],
    level: float = 0.95,
) -> pd.DataFrame:
    """One row per design point: mean and confidence interval of each outcome.

    Parameters
    ----------
    summary
        One row per run (e.g. ``load_results(out).summary``).
    design_cols
        Columns that identify a design point (e.g. ``["point",
        "comms.join_step"]``); empty for a single point.
    outcomes
        Summary columns to summarise (e.g. ``["final_member"]``).
    level
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        The design columns, ``n`` (runs), and ``<outcome>_mean``,
        ``<outcome>_low``, ``<outcome>_high`` for each outcome, in the order
        the points first appear.
    """
    keys = list(design_cols)
    groups = summary.groupby(keys, sort=False) if keys else [((), summary)]
    rows = []
    for key, group in groups:
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row["n"] = len(group)
        for outcome in outcomes:
            ci = mean_ci(group[outcome], level)
            row.update({f"{outcome}_mean": ci.mean, f"{outcome}_low": ci.low,
                        f"{outcome}_high": ci.high})
        rows.append(row)
    columns = [*keys, "n"] + [f"{o}_{s}" for o in outcomes for s in ("mean", "low", "high")]
    return pd.DataFrame(rows, columns=columns)
