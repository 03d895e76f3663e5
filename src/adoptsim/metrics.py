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


def step_metrics(model: AdoptionModel, benefit: float) -> dict[str, float]:
    """The time-series row for the model's current state."""
    s = model.state
    mg = s.managers
    # Shares are of employees other than the managers, who are not adopters.
    staff = ~s.is_manager
    n = int(staff.sum())
    members = int((s.member_c & staff).sum())
    active = int((s.active(model.steps, model.config.posting.window) & staff).sum())
    posts_c = int(s.posts_c.sum())
    posts_u = int(s.posts_u.sum())
    posts = posts_c + posts_u
    joined = bool(mg.joined.any())
    following = mg.follows.any(axis=0) if mg.count else np.zeros(n, bool)
    reached = (following | (mg.tie > 0).any(axis=0)) & staff if mg.count else following
    nan = math.nan
    return {
        "step": model.steps,
        "aware": _share((s.aware & staff).sum(), n),
        "member": _share(members, n),
        "active": _share(active, n),
        "lurker": _share(members - active, n),
        "underground": _share((s.member_u & staff).sum(), n),
        "posts_c": posts_c,
        "posts_u": posts_u,
        "underground_post_share": _share(posts_u, posts),
        "buzz_coverage": _share(model.config.comms.monitoring * posts_c, posts) if joined else 0.0,
        "trust": float(s.trust[staff].mean()),
        "fear": float(s.fear[staff].mean()),
        "cm_follower_share": _share((following & s.member_c).sum(), members),
        "cm_reach": _share(reached.sum(), n),
        "cm_tone": float(mg.tone.mean()) if mg.count else nan,
        "cm_reputation": float(mg.reputation().mean()) if mg.count else nan,
        "benefit": benefit,
        "benefit_cum": model.benefit_cum,
    }


def manager_rows(model: AdoptionModel) -> list[dict[str, Any]]:
    """One row per manager for the per-manager table."""
    s = model.state
    mg = s.managers
    members = int((s.member_c & ~s.is_manager).sum())
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
            "follower_share": _share((mg.follows[m] & s.member_c).sum(), members),
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
    out.update(participation(model))
    out["total_posts_c"] = int(model.state.cum_posts_c.sum())
    out["total_posts_u"] = int(model.state.cum_posts_u.sum())
    return out
