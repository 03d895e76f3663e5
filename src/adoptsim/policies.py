"""Targeting strategies of comms managers (DESIGN §1.3 step 11).

``bridging`` counts ties that leave one's own *department*. DESIGN says
"ties outside one's own team", but teams are equal cliques, so that count is
degree minus a constant and ranks exactly like ``degree``.

A strategy ranks the employees a manager can engage with. A *ranked* pick
(made with probability equal to the monitoring coverage: listening enables
targeting) is uniform over the top ``comms.focus`` share of the ranking;
other picks are uniform over everyone eligible. ``degree``, ``bridging`` and
``greedy`` (CELF seeds for an independent cascade) rank by network position,
fixed for the run; ``champions`` (posts) and ``followers`` change every step.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError
from .network import Network

#: ``greedy`` targeting: independent-cascade edge probability and Monte-Carlo
#: samples of the CELF selection, and the largest organisation it runs on.
GREEDY_P = 0.05
GREEDY_SAMPLES = 50
GREEDY_MAX_EMPLOYEES = 100_000


def greedy_score(net: Network, k: int, rng: np.random.Generator) -> np.ndarray:
    """Rank the ``k`` best seeds for an independent cascade (CELF, Kempe et al. 2003).

    The first seed chosen scores ``k``, the last 1, everyone else 0.
    """
    from .classic import celf

    if net.complete or net.n > GREEDY_MAX_EMPLOYEES:
        raise InputError(
            f"comms.strategy = 'greedy' needs a network with ties and at most "
            f"{GREEDY_MAX_EMPLOYEES:,} employees (CELF seed selection); this one has "
            f"{net.n:,}{' and is complete' if net.complete else ''}. Use 'degree' or 'bridging'."
        )
    seeds, _ = celf(net.indptr, net.indices, min(k, net.n), p=GREEDY_P,
                    samples=GREEDY_SAMPLES, rng=rng)
    score = np.zeros(net.n, np.int64)
    score[seeds] = np.arange(len(seeds), 0, -1)
    return score
