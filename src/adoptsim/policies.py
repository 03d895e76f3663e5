"""Targeting strategies of comms managers (DESIGN §1.3 step 11).

``bridging`` counts ties that leave one's own *department*. DESIGN says
"ties outside one's own team", but teams are equal cliques, so that count is
degree minus a constant and ranks exactly like ``degree``.

A strategy ranks the employees a manager can engage with. A *ranked* pick
(made with probability equal to the monitoring coverage: listening enables
targeting) is uniform over the top ``comms.focus`` share of the ranking;
other picks are uniform over everyone eligible.
"""

from __future__ import annotations

import numpy as np

#: Strategies whose ranking changes during the run (recomputed every step).
DYNAMIC = {"champions", "followers"}


def static_score(strategy: str, degree: np.ndarray, bridging: np.ndarray) -> np.ndarray | None:
    """Scores that never change during a run (org-network position)."""
    if strategy == "degree":
        return degree
    if strategy == "bridging":
        return bridging
    return None


def ranked_pool(
    eligible: np.ndarray,
    score: np.ndarray | None,
    size: int,
    jitter: np.ndarray,
) -> np.ndarray:
    """The ``size`` eligible employees with the highest scores.

    Scores are whole numbers (ties, posts, followers), so adding ``jitter`` in
    [0, 0.5) breaks ties at random without reordering distinct scores.
    Returns an empty array when there is no ranking (``score is None``).
    """
    if score is None or len(eligible) == 0:
        return np.zeros(0, np.int64)
    size = min(size, len(eligible))
    key = score[eligible] + 0.5 * jitter
    top = np.argpartition(-key, size - 1)[:size]
    return np.sort(eligible[top])
