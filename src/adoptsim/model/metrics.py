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
    ("underground", "underground", "share", "in an unofficial back-channel"),
    ("posts_c", "posts on the channel", "count", "employees' posts published this week"),
    ("posts_u", "underground posts", "count", "posts on back-channels this week"),
    ("posts_comms", "comms posts", "count", "the managers' own posts this week"),
    ("underground_post_share", "underground post share", "share",
     "of employees' posts, last week"),
    ("buzz_coverage", "buzz coverage", "share", "of employees' posts comms monitors"),
    ("trust", "mean trust in comms", "score", "0 none, 1 full"),
    ("fear", "mean fear", "score", "0 none, 1 full"),
    ("frustration", "mean frustration", "score", "from blocked and removed posts"),
    ("cm_follower_share", "manager follower share", "share", "of members follow comms"),
    ("cm_reach", "manager reach", "share", "of employees followed, following or tied"),
    ("cm_tone", "manager tone", "tone", "0 formal, 1 casual (mean of managers)"),
    ("cm_reputation", "manager reputation", "score", "share of positive interactions"),
    ("benefit", "benefit", "benefit", "conversation read this week, net of harm"),
    ("benefit_cum", "cumulative benefit", "benefit", "conversation read, net of harm"),
    ("benefit_comms", "benefit of comms posts", "benefit", "the managers' posts read this week"),
    ("benefit_comms_cum", "cumulative benefit of comms posts", "benefit",
     "the managers' posts read"),
    ("reads_c", "reads on the channel", "count", "posts read on the official channel"),
    ("reads_u", "underground reads", "count", "posts read on back-channels"),
    ("cross_silo_share", "cross-silo reads", "share", "of reads across departments"),
    ("harmful_reads", "harmful reads", "count", "reads of harmful posts (leaks, abuse)"),
    ("removed", "removed posts", "count", "posts removed by policing"),
    ("blocked", "blocked posts", "count", "posts blocked by restriction"),
    ("leavers", "leavers", "count", "members who left the channel"),
    ("founders", "back-channel founders", "count", "employees who started a back-channel"),
    ("invitations", "invitations", "count", "the managers' invitations"),
    ("follows_preferential", "follows: popular", "count", "new members following the popular"),
    ("follows_neighbour", "follows: colleagues", "count", "new members following colleagues"),
    ("follows_authority", "follows: authority", "count", "follows of a manager's authority"),
    ("follows_exposure", "follows: exposure", "count", "follows of a poster one read"),
    ("follows_mention", "follows: mentions", "count", "follows of a manager one read about"),
    ("follows_back", "follows: follow-back", "count", "follows back of a manager"),
    ("follows_positive", "follows: after a good exchange", "count",
     "follows of a manager after a positive interaction"),
    ("unfollows", "unfollows", "count", "managers unfollowed after a negative interaction"),
    ("reached_trust", "trust, reached members", "score",
     "mean trust of members a manager reached"),
    ("unreached_trust", "trust, other members", "score",
     "mean trust of members no manager reached"),
    ("reached_posts", "posts, reached members", "score",
     "mean posts this week of members a manager reached"),
    ("unreached_posts", "posts, other members", "score",
     "mean posts this week of members no manager reached"),
    ("reached_tie", "relationship strength", "score",
     "mean relationship of members a manager reached"),
])

#: Time-series columns in order, ``step`` first.
COLUMNS = ["step", *SERIES]

#: The per-manager table (one row per manager and week).
MANAGER_SERIES = _table([
    ("joined", "joined", "count", "1 once the manager is on the channel"),
    ("tone", "tone", "tone", "0 formal, 1 casual"),
    ("tone_step", "tone step", "tone", "the next review's step size"),
    ("reputation", "reputation", "score", "share of positive interactions"),
    ("followers", "followers", "count", "members following the manager"),
    ("follower_share", "follower share", "share", "of members"),
    ("interactions", "interactions", "count", "with members, so far"),
    ("positive", "positive interactions", "count", "so far"),
    ("invitations", "invitations", "count", "so far"),
    ("read_share", "read share", "share", "of this week's posts the manager read"),
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
    ("next9_post_share", "posts by the next 9% of members", "share", "inequality"),
    ("bottom90_post_share", "posts by the other 90% of members", "share", "inequality"),
    ("gini_posts", "Gini of posts", "score", "inequality"),
    ("total_posts_c", "posts on C (whole run)", "count", "employees' posts on the channel"),
    ("total_posts_u", "underground posts (whole run)", "count", "posts on back-channels"),
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


def participation(posts: np.ndarray) -> dict[str, float]:
    """Participation inequality over the posts of everyone who ever joined C.

    ``never_posted_share``: members who never posted on C; the 90-9-1 split:
    the shares of C posts written by the top 1% of members
    (``top1_post_share``, at least one member), the next 9%
    (``next9_post_share``) and the other 90% (``bottom90_post_share``);
    ``gini_posts``: Gini of C posts across members.

    >>> p = participation(np.array([90] + [1] * 99))
    >>> p["never_posted_share"], round(p["top1_post_share"], 3), round(p["bottom90_post_share"], 3)
    (0.0, 0.476, 0.476)
    """
    x = np.sort(np.asarray(posts, dtype=float))[::-1]
    total = x.sum()
    top1 = max(1, math.ceil(0.01 * len(x)))
    top10 = max(top1, math.ceil(0.10 * len(x)))
    return {
        "never_posted_share": share((x == 0).sum(), len(x)),
        "top1_post_share": share(x[:top1].sum(), total),
        "next9_post_share": share(x[top1:top10].sum(), total),
        "bottom90_post_share": share(x[top10:].sum(), total),
        "gini_posts": gini(x),
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
