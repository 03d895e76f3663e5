"""Statistics over replications: means with t intervals, ablations and Morris screening.

Examples
--------
>>> ci = mean_ci([1.0, 2.0, 3.0])
>>> round(ci.mean, 3), round(ci.low, 3), round(ci.high, 3), ci.n
(2.0, -0.484, 4.484, 3)

An ablation's effect is the alternative minus the reference, paired by
replication; a mechanism whose removal takes the whole effect away carries
all of it (share 1):

>>> import pandas as pd
>>> summary = pd.DataFrame({
...     "mechanism": ["none"] * 6 + ["feed"] * 6, "x.y": [0, 0, 0, 1, 1, 1] * 2,
...     "replication": [0, 1, 2] * 4,
...     "final_member": [.1, .2, .3, .5, .6, .8, .1, .2, .3, .1, .2, .3]})
>>> print(ablation_table(summary, "x.y", 0, 1).round(3).to_string(index=False))
mechanism      outcome  effect  ci_low  ci_high  share
     none final_member   0.433    0.29    0.577    NaN
     feed final_member   0.000    0.00    0.000    1.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # the t quantile; scipy.stats takes far longer to import

from .design import ALL_ON

#: Headline outcomes of an ablation's attribution and a Morris screening
#: (those in a summary are used).
ABLATION_OUTCOMES = (
    "final_member", "final_active", "final_trust", "final_fear", "final_cm_follower_share",
    "final_cm_reach", "final_underground", "final_benefit_cum", "final_benefit_comms_cum",
)


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
    half = float(stdtrit(n - 1, (1 + level) / 2) * x.std(ddof=1) / math.sqrt(n))
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


def ablation_table(
    summary: pd.DataFrame,
    contrast_key: str,
    reference: object,
    alternative: object,
    outcomes: Sequence[str] = ABLATION_OUTCOMES,
    level: float = 0.95,
) -> pd.DataFrame:
    """The effect of a contrast with every mechanism on and with each one off.

    Parameters
    ----------
    summary
        One row per run with the columns ``mechanism`` (``"none"``: every
        mechanism on; else the mechanism switched off), ``contrast_key``,
        ``replication`` and the outcomes (an ablation's
        ``load_results(out).summary``).
    contrast_key, reference, alternative
        The contrasted key and its two values.
    outcomes
        Outcome columns; those missing from ``summary`` are left out.
    level
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per mechanism label (in the order of ``summary``) and
        outcome: ``mechanism, outcome, effect, ci_low, ci_high, share``.
        ``effect`` is the mean over replications of alternative minus
        reference, paired by replication (the same seed), with its t
        interval. ``share = 1 - effect_off / effect_on`` is the part of the
        all-on effect that goes when the mechanism is off: 1 when the effect
        vanishes, 0 when it stays; above 1 when it reverses, below 0 when the
        mechanism held the effect back. It is NaN on the ``"none"`` row, and
        for every mechanism when the all-on interval includes 0 (no effect,
        nothing to attribute).
    """
    present = [o for o in outcomes if o in summary]
    rows = []
    for label, group in summary.groupby("mechanism", sort=False):
        ref = group[group[contrast_key] == reference].set_index("replication")
        alt = group[group[contrast_key] == alternative].set_index("replication")
        paired = ref.index.intersection(alt.index)
        for outcome in present:
            diff = (alt.loc[paired, outcome] - ref.loc[paired, outcome]).astype(float)
            ci = mean_ci(diff, level)
            rows.append({"mechanism": label, "outcome": outcome, "effect": ci.mean,
                         "ci_low": ci.low, "ci_high": ci.high})
    table = pd.DataFrame(rows, columns=["mechanism", "outcome", "effect", "ci_low", "ci_high"])
    table["share"] = _shares(table)
    return table


def _shares(table: pd.DataFrame) -> pd.Series:
    """``1 - effect_off / effect_on`` where the all-on effect's interval excludes 0."""
    share = pd.Series(np.nan, index=table.index, dtype=float)
    for _, on in table[table["mechanism"] == ALL_ON].iterrows():
        if not (on["ci_low"] > 0 or on["ci_high"] < 0):  # includes 0, or undefined
            continue
        off = (table["outcome"] == on["outcome"]) & (table["mechanism"] != ALL_ON)
        share[off] = 1.0 - table.loc[off, "effect"] / on["effect"]
    return share


def morris_table(
    summary: pd.DataFrame, problem: dict, outcomes: Sequence[str] = ABLATION_OUTCOMES
) -> pd.DataFrame:
    """Morris screening measures of each parameter, per outcome (``SALib.analyze.morris``).

    Parameters
    ----------
    summary
        One row per run of a ``morris`` design: ``point``, the parameter
        columns and the outcomes. A point's outcome is the mean over its
        replications; only trajectories whose points all have a value are
        analysed, and an outcome with fewer than two is left out.
    problem
        The design's SALib problem with its ``levels``
        (``manifest["design"]["salib_problem"]``).
    outcomes
        Outcome columns; those missing from ``summary`` are left out.

    Returns
    -------
    pandas.DataFrame
        ``outcome, parameter, mu_star, mu_star_conf, mu, sigma``, each
        outcome's parameters by decreasing ``mu_star``. ``mu_star`` is the
        mean absolute elementary effect: the change in the outcome per step
        of the grid, scaled to the parameter's whole range (in the outcome's
        units); ``mu_star_conf`` the half-width of its 95% bootstrap
        interval; ``mu`` the mean signed effect; ``sigma`` the effects'
        spread (interactions or non-linearity).
    """
    from SALib.analyze import morris

    names, size = list(problem["names"]), problem["num_vars"] + 1
    salib = {"num_vars": problem["num_vars"], "names": names, "bounds": problem["bounds"]}
    points = summary.groupby("point")
    x = points[names].first()
    rows = []
    for outcome in [o for o in outcomes if o in summary]:
        y = points[outcome].mean().reindex(x.index)
        trajectory = pd.Series(x.index // size, index=x.index)
        counts = trajectory[y.notna()].value_counts()
        keep = trajectory.isin(counts.index[counts == size])
        if keep.sum() < 2 * size:
            continue
        res = morris.analyze(dict(salib), x[keep].to_numpy(float), y[keep].to_numpy(float),
                             num_levels=problem["levels"], seed=0)
        found = pd.DataFrame({"outcome": outcome, "parameter": names,
                              **{k: np.asarray(res[k], float) for k in
                                 ("mu_star", "mu_star_conf", "mu", "sigma")}})
        rows.append(found.sort_values("mu_star", ascending=False, kind="stable"))
    columns = ["outcome", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
