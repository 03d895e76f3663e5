"""Per-step reporters (DESIGN §1.4) and run summaries.

Reporters are array reductions over the model's state, computed once per
step; never per-agent reporters.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .model import AdoptionModel

#: Time-series columns, in order (``step`` first).
COLUMNS = [
    "step", "aware", "member", "active", "lurker", "underground", "posts_c", "posts_u",
    "underground_post_share", "buzz_coverage", "trust", "fear", "cm_follower_share",
    "cm_reach", "cm_tone", "cm_reputation", "benefit", "benefit_cum",
]

#: Per-manager table columns.
MANAGER_COLUMNS = [
    "step", "manager", "node", "joined", "tone", "reputation", "followers",
    "follower_share", "interactions", "positive",
]


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole > 0 else 0.0


def step_metrics(
    model: AdoptionModel, benefit: float, sums: np.ndarray | None = None
) -> dict[str, float]:
    """The time-series row for the model's current state.

    ``sums`` are the state's counts and sums from
    :func:`adoptsim.kernels.step_sums` (one pass over the arrays; computed
    here when not given).
    """
    from . import kernels as K  # here, so summaries and reports need no numba

    s = model.state
    mg = s.managers
    if sums is None:
        sums = model._sums()[0]
    # Shares are of employees other than the managers, who are not adopters.
    n = sums[K.R_STAFF]
    members = sums[K.R_MEMBER]
    active = sums[K.R_ACTIVE]
    posts_c = int(sums[K.R_POSTS_C])
    posts_u = int(sums[K.R_POSTS_U])
    posts = posts_c + posts_u
    joined = bool(mg.joined.any())
    nan = math.nan
    return {
        "step": model.steps,
        "aware": _share(sums[K.R_AWARE], n),
        "member": _share(members, n),
        "active": _share(active, n),
        "lurker": _share(members - active, n),
        "underground": _share(sums[K.R_UNDER], n),
        "posts_c": posts_c,
        "posts_u": posts_u,
        "underground_post_share": _share(posts_u, posts),
        "buzz_coverage": _share(model.config.comms.monitoring * posts_c, posts) if joined else 0.0,
        "trust": float(sums[K.R_TRUST] / n) if n else nan,
        "fear": float(sums[K.R_FEAR] / n) if n else nan,
        "cm_follower_share": _share(sums[K.R_FOLLOWING_MEMBERS], members),
        "cm_reach": _share(sums[K.R_REACHED], n),
        # (sum / count: numpy's mean costs more than the rest of a small step)
        "cm_tone": float(mg.tone.sum()) / mg.count if mg.count else nan,
        "cm_reputation": float(mg.reputation().sum()) / mg.count if mg.count else nan,
        "benefit": benefit,
        "benefit_cum": model.benefit_cum,
    }


def manager_rows(model: AdoptionModel, following: np.ndarray | None = None
                 ) -> list[dict[str, Any]]:
    """One row per manager for the per-manager table.

    ``following`` holds the C members following each manager (from
    :func:`adoptsim.kernels.step_sums`; counted here when not given).
    """
    s = model.state
    mg = s.managers
    if not mg.count:
        return []
    if following is None:
        following = (mg.follows & s.member_c).sum(axis=1)
    members = int(np.count_nonzero(s.member_c)) - int(np.count_nonzero(s.member_c[mg.node]))
    rep = mg.reputation()
    return [
        {
            "step": model.steps,
            "manager": m,
            "node": int(mg.node[m]),
            "joined": bool(mg.joined[m]),
            "tone": float(mg.tone[m]),
            "reputation": float(rep[m]),
            "followers": int(mg.followers[m]),
            "follower_share": _share(following[m], members),
            "interactions": int(mg.interactions[m]),
            "positive": int(mg.positive[m]),
        }
        for m in range(mg.count)
    ]


def t50(member: np.ndarray) -> int | None:
    """First step at which adoption reaches half its final value."""
    final = member[-1]
    if final <= 0:
        return None
    return int(np.argmax(member >= final / 2))


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one has all)."""
    x = np.sort(np.asarray(x, dtype=float))
    total = x.sum()
    if len(x) == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, len(x) + 1)
    return float((2 * ranks - len(x) - 1) @ x / (len(x) * total))


def top_share(x: np.ndarray, share: float = 0.01) -> float:
    """Share of the total held by the top ``share`` of entries (at least one)."""
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    total = x.sum()
    if total == 0:
        return 0.0
    k = max(1, math.ceil(share * len(x)))
    return float(x[:k].sum() / total)


def participation(model: AdoptionModel) -> dict[str, float]:
    """Participation inequality over everyone who ever joined C.

    ``never_posted_share``: members who never posted on C;
    ``top1_post_share``: share of C posts written by the top 1% of members;
    ``gini_posts``: Gini of C posts across members.
    """
    s = model.state
    ever = s.ever_member & ~s.is_manager
    posts = s.cum_posts_c[ever]
    return {
        "never_posted_share": _share((posts == 0).sum(), len(posts)),
        "top1_post_share": top_share(posts, 0.01),
        "gini_posts": gini(posts),
    }


#: Weeks after the managers join at which their position is compared
#: (join_timing: equal tenure, not equal calendar time).
TENURE = 26


def at_tenure(ts: pd.DataFrame, join_step: int, weeks: int) -> dict[str, float | None]:
    """Managers' follower share and reach ``weeks`` after they joined (None if not reached).

    Managers join in the step that starts at ``join_step``, i.e. row
    ``join_step + 1``; ``weeks`` later is row ``join_step + weeks``.
    """
    row = join_step + weeks
    if row >= len(ts) or np.isnan(ts["cm_tone"].iloc[0]):
        return {f"tenure{weeks}_follower_share": None, f"tenure{weeks}_reach": None}
    return {
        f"tenure{weeks}_follower_share": float(ts["cm_follower_share"].iloc[row]),
        f"tenure{weeks}_reach": float(ts["cm_reach"].iloc[row]),
    }


def summarise(ts: pd.DataFrame, model: AdoptionModel) -> dict[str, Any]:
    """Run summary: final values, t50 and participation inequality."""
    final = {
        k: (None if isinstance(v, float) and math.isnan(v) else v)
        for k, v in ts.iloc[-1].to_dict().items()
        if k != "step"
    }
    for k in ("posts_c", "posts_u"):
        final[k] = int(final[k])
    out: dict[str, Any] = {"final": final, "t50": t50(ts["member"].to_numpy())}
    out.update(at_tenure(ts, model.config.comms.join_step, TENURE))
    out.update(participation(model))
    out["total_posts_c"] = int(model.state.cum_posts_c.sum())
    out["total_posts_u"] = int(model.state.cum_posts_u.sum())
    return out
