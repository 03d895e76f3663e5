"""Per-step reporters: one time-series row and the per-manager rows, from arrays.

Reporters are array reductions computed once per step (the kernels' step
sums, :func:`adoptsim.model.kernels.step_sums`), never per-agent reporters.
The columns are those of :data:`adoptsim.model.metrics.COLUMNS` and
:data:`~adoptsim.model.metrics.MANAGER_COLUMNS`.

Examples
--------
>>> from adoptsim.model.metrics import COLUMNS, MANAGER_COLUMNS
>>> from adoptsim import AdoptionModel
>>> model = AdoptionModel(employees=100, steps=2, rng=0)
>>> list(model.metrics) == COLUMNS, list(manager_rows(0, model.state)[0]) == MANAGER_COLUMNS
(True, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import kernels as K
from .metrics import share
from .state import State


def step_row(step: int, sums: np.ndarray, state: State, monitoring: float, benefit: float,
             benefit_cum: float) -> dict[str, float]:
    """The time-series row of the state whose step sums are ``sums``.

    Shares are of employees other than the managers, who are not adopters.
    """
    mg = state.managers
    n = sums[K.R_STAFF]
    members = sums[K.R_MEMBER]
    active = sums[K.R_ACTIVE]
    posts_c = int(sums[K.R_POSTS_C])
    posts_u = int(sums[K.R_POSTS_U])
    posts = posts_c + posts_u
    joined = bool(mg.joined.any())
    nan = math.nan
    return {
        "step": step,
        "aware": share(sums[K.R_AWARE], n),
        "member": share(members, n),
        "active": share(active, n),
        "lurker": share(members - active, n),
        "underground": share(sums[K.R_UNDER], n),
        "posts_c": posts_c,
        "posts_u": posts_u,
        "underground_post_share": share(posts_u, posts),
        "buzz_coverage": share(monitoring * posts_c, posts) if joined else 0.0,
        "trust": float(sums[K.R_TRUST] / n) if n else nan,
        "fear": float(sums[K.R_FEAR] / n) if n else nan,
        "cm_follower_share": share(sums[K.R_FOLLOWING_MEMBERS], members),
        "cm_reach": share(sums[K.R_REACHED], n),
        # (sum / count: numpy's mean costs more than the rest of a small step)
        "cm_tone": float(mg.tone.sum()) / mg.count if mg.count else nan,
        "cm_reputation": float(mg.reputation().sum()) / mg.count if mg.count else nan,
        "benefit": benefit,
        "benefit_cum": benefit_cum,
    }


def manager_rows(step: int, state: State, following: np.ndarray | None = None
                 ) -> list[dict[str, Any]]:
    """One row per manager for the per-manager table.

    ``following`` holds the C members following each manager (from
    :func:`adoptsim.model.kernels.step_sums`; counted here when not given).
    """
    s = state
    mg = s.managers
    if not mg.count:
        return []
    if following is None:
        following = (mg.follows & s.member_c).sum(axis=1)
    members = int(np.count_nonzero(s.member_c)) - int(np.count_nonzero(s.member_c[mg.node]))
    rep = mg.reputation()
    return [
        {
            "step": step,
            "manager": m,
            "node": int(mg.node[m]),
            "joined": bool(mg.joined[m]),
            "tone": float(mg.tone[m]),
            "reputation": float(rep[m]),
            "followers": int(mg.followers[m]),
            "follower_share": share(following[m], members),
            "interactions": int(mg.interactions[m]),
            "positive": int(mg.positive[m]),
        }
        for m in range(mg.count)
    ]
