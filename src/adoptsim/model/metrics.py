"""The metric table: every output column's name, label, unit and format, in one place.

The time series (one row per week), the per-manager table and the run
summaries are defined here (docs/odd.md, sections 7.2 and 7.3); the command
line, single-run files, sweep reports and the app select from :data:`SERIES`
and :data:`SUMMARY` by name instead of writing their own labels. The summary
functions take arrays, not the model.

Examples
--------
>>> SERIES["member"].label
'members (adoption)'
>>> SERIES["member"].format(0.8434)
'84.3%'
>>> SUMMARY["t50"].format(None)
'n/a'
>>> metric("final_trust").format(0.6341)
'0.634'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Metric:
    """One output column.

    Attributes
    ----------
    name : str
        Column name (time series) or summary key.
    label : str
        Short human label.
    unit : str
        ``share`` (0-1, shown as %), ``score`` (0-1), ``count``, ``weeks``,
        ``benefit`` or ``tone``.
    meaning : str
        One line for tables and tooltips.
    """

    name: str
    label: str
    unit: str
    meaning: str

    def format(self, value: Any) -> str:
        """The value as the terminal and reports show it (``n/a`` when missing).

        >>> SERIES["benefit_cum"].format(31.0512), SERIES["posts_c"].format(1234.0)
        ('31.05', '1,234')
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        if self.unit == "share":
            return f"{100 * value:.1f}%"
        if self.unit in ("score", "tone"):
            return f"{value:.3f}"
        if self.unit in ("count", "weeks"):
            return f"{round(float(value)):,}"
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"

    @property
    def percent(self) -> bool:
        """Shown in %, on a 0-100 axis."""
        return self.unit == "share"


def _table(rows: list[tuple[str, str, str, str]]) -> dict[str, Metric]:
    return {name: Metric(name, label, unit, meaning) for name, label, unit, meaning in rows}


#: The time series, in column order (after ``step``). Shares are of employees
#: other than the comms managers, unless the meaning says otherwise.
SERIES = _table([
    ("aware", "aware", "share", "have heard of the channel"),
    ("member", "members (adoption)", "share", "joined the official channel"),
    ("active", "active", "share", "posted in the last weeks"),
    ("lurker", "lurkers", "share", "members who did not post lately"),
    ("underground", "underground", "share", "in the unofficial back-channel"),
    ("posts_c", "posts on the channel", "count", "posts on the official channel this week"),
    ("posts_u", "underground posts", "count", "posts on the back-channel this week"),
    ("underground_post_share", "underground post share", "share", "of posts, last week"),
    ("buzz_coverage", "buzz coverage", "share", "of posts comms sees"),
    ("trust", "mean trust in comms", "score", "0 none, 1 full"),
    ("fear", "mean fear", "score", "0 none, 1 full"),
    ("cm_follower_share", "manager follower share", "share", "of members follow comms"),
    ("cm_reach", "manager reach", "share", "of employees followed or tied"),
    ("cm_tone", "manager tone", "tone", "0 formal, 1 casual (mean of managers)"),
    ("cm_reputation", "manager reputation", "score", "share of positive interactions"),
    ("benefit", "benefit", "benefit", "conversation read this week, weighted by scale"),
    ("benefit_cum", "cumulative benefit", "benefit", "scale-weighted conversation"),
])

#: Time-series columns in order, ``step`` first.
COLUMNS = ["step", *SERIES]

#: The per-manager table (one row per manager and week).
MANAGER_SERIES = _table([
    ("joined", "joined", "count", "1 once the manager is on the channel"),
    ("tone", "tone", "tone", "0 formal, 1 casual"),
    ("reputation", "reputation", "score", "share of positive interactions"),
    ("followers", "followers", "count", "employees following the manager"),
    ("follower_share", "follower share", "share", "of members"),
    ("interactions", "interactions", "count", "with members, so far"),
    ("positive", "positive interactions", "count", "so far"),
])
MANAGER_COLUMNS = ["step", "manager", "node", *MANAGER_SERIES]

#: Weeks after the managers join at which their position is compared
#: (join_timing: equal tenure, not equal calendar time).
TENURE = 26

#: Run summaries (``final_<column>`` entries also exist for every series column).
SUMMARY = _table([
    ("t50", "t50 (weeks)", "weeks", "to half the final adoption"),
    (f"tenure{TENURE}_follower_share", f"follower share after {TENURE} weeks on C", "share",
     "of members follow comms"),
    (f"tenure{TENURE}_reach", f"reach after {TENURE} weeks on C", "share",
     "of employees followed or tied"),
    ("never_posted_share", "members who never posted", "share", "participation"),
    ("top1_post_share", "posts by top 1% of members", "share", "inequality"),
    ("gini_posts", "Gini of posts", "score", "inequality"),
    ("total_posts_c", "posts on C (whole run)", "count", "posts on the official channel"),
    ("total_posts_u", "underground posts (whole run)", "count", "posts on the back-channel"),
])


def metric(name: str) -> Metric:
    """The metric of a column or summary key (``final_member`` is ``member``).

    >>> metric("final_member") is SERIES["member"]
    True
    """
    key = name.removeprefix("final_")
    if key in SERIES:
        return SERIES[key]
    if name in SUMMARY:
        return SUMMARY[name]
    raise KeyError(f"unknown metric {name!r}")


# ------------------------------------------------------------- summaries
def share(part: float, whole: float) -> float:
    """``part / whole``, or 0 when there is no whole."""
    return float(part) / float(whole) if whole > 0 else 0.0


def t50(member: np.ndarray) -> int | None:
    """First step at which adoption reaches half its final value (None if none).

    >>> t50(np.array([0.0, 0.1, 0.3, 0.4])), t50(np.zeros(3))
    (2, None)
    """
    final = member[-1]
    if final <= 0:
        return None
    return int(np.argmax(member >= final / 2))


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one has all).

    >>> gini(np.array([1.0, 1.0, 1.0])), gini(np.array([0.0, 0.0, 3.0]))
    (0.0, 0.6666666666666666)
    """
    x = np.sort(np.asarray(x, dtype=float))
    total = x.sum()
    if len(x) == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, len(x) + 1)
    return float((2 * ranks - len(x) - 1) @ x / (len(x) * total))


def top_share(x: np.ndarray, share: float = 0.01) -> float:
    """Share of the total held by the top ``share`` of entries (at least one).

    >>> top_share(np.array([90.0] + [1.0] * 99))
    0.47619047619047616
    """
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    total = x.sum()
    if total == 0:
        return 0.0
    k = max(1, math.ceil(share * len(x)))
    return float(x[:k].sum() / total)


def participation(posts: np.ndarray) -> dict[str, float]:
    """Participation inequality over the posts of everyone who ever joined C.

    ``never_posted_share``: members who never posted on C;
    ``top1_post_share``: share of C posts written by the top 1% of members;
    ``gini_posts``: Gini of C posts across members.

    >>> participation(np.array([0, 0, 3, 1]))["never_posted_share"]
    0.5
    """
    return {
        "never_posted_share": share((posts == 0).sum(), len(posts)),
        "top1_post_share": top_share(posts, 0.01),
        "gini_posts": gini(posts),
    }


def at_tenure(series: Mapping[str, Sequence[float]], join_step: int, weeks: int
              ) -> dict[str, float | None]:
    """Managers' follower share and reach ``weeks`` after they joined (None if not reached).

    Managers join in the step that starts at ``join_step``, i.e. row
    ``join_step + 1``; ``weeks`` later is row ``join_step + weeks``.
    """
    row = join_step + weeks
    tone = np.asarray(series["cm_tone"], float)
    if row >= len(tone) or np.isnan(tone[0]):
        return {f"tenure{weeks}_follower_share": None, f"tenure{weeks}_reach": None}
    return {
        f"tenure{weeks}_follower_share": float(np.asarray(series["cm_follower_share"])[row]),
        f"tenure{weeks}_reach": float(np.asarray(series["cm_reach"])[row]),
    }


def summarise(series: Mapping[str, Sequence[float]], join_step: int,
              member_posts: np.ndarray, cum_posts_c: np.ndarray, cum_posts_u: np.ndarray
              ) -> dict[str, Any]:
    """Run summary: final values, t50, position at tenure and participation inequality.

    Parameters
    ----------
    series
        The time series (column -> values per step), e.g. a DataFrame.
    join_step
        ``comms.join_step``.
    member_posts
        Cumulative C posts of everyone who ever joined C (managers excluded).
    cum_posts_c, cum_posts_u
        Cumulative posts of every employee on C and U.
    """
    final = {}
    for key in SERIES:
        value = np.asarray(series[key])[-1].item()
        final[key] = None if isinstance(value, float) and math.isnan(value) else value
    for key in ("posts_c", "posts_u"):
        final[key] = int(final[key])
    out: dict[str, Any] = {"final": final, "t50": t50(np.asarray(series["member"]))}
    out.update(at_tenure(series, join_step, TENURE))
    out.update(participation(member_posts))
    out["total_posts_c"] = int(cum_posts_c.sum())
    out["total_posts_u"] = int(cum_posts_u.sum())
    return out
