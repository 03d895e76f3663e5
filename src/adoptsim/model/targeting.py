"""The targeting strategies of comms managers: one registry, read by the
scenario schema (allowed values), the model and the app.

A strategy ranks the employees a manager can engage with. A *ranked* pick
(made with probability equal to the monitoring coverage: listening enables
targeting) is uniform over the top ``comms.focus`` share of the ranking;
other picks are uniform over everyone eligible (docs/odd.md, section 8.9).
``degree``, ``bridging`` and ``greedy`` rank by network position, a
:attr:`Strategy.score` computed once per run; ``champions`` (posts) and
``followers`` rank by what employees do, and change every step.

``bridging`` counts ties that leave one's own *department*: teams are equal
cliques, so ties outside one's own team would rank exactly like ``degree``.

Adding a strategy is one entry in :data:`STRATEGIES` (and, for a static
ranking, its score function here); the scenario schema and the app read the
names from it.

Examples
--------
>>> list(STRATEGIES)
['none', 'random', 'degree', 'bridging', 'champions', 'followers', 'greedy']
>>> STRATEGIES["bridging"].describe
'bridges: most ties to other departments'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..network.graph import Network

#: How a strategy ranks: not at all, by a score fixed for the run, by
#: cumulative posts on the channel, or by channel followers.
RANK_NONE, RANK_STATIC, RANK_POSTS, RANK_FOLLOWERS = "none", "static", "posts", "followers"

#: ``greedy`` targeting: independent-cascade edge probability and Monte-Carlo
#: samples of the CELF selection, and the largest organisation it runs on.
GREEDY_P = 0.05
GREEDY_SAMPLES = 50
GREEDY_MAX_EMPLOYEES = 100_000

#: ``score(net, k, rng) -> int64 scores`` of a static ranking (higher first);
#: ``k`` is the number of employees the ranking's top holds.
StaticScore = Callable[["Network", int, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Strategy:
    """A targeting strategy.

    Attributes
    ----------
    name : str
        The value of ``comms.strategy``.
    ranking : str
        How it ranks: :data:`RANK_NONE`, :data:`RANK_STATIC`,
        :data:`RANK_POSTS` or :data:`RANK_FOLLOWERS`.
    describe : str
        One line for help texts and the app.
    score : callable or None
        For a static ranking: ``score(net, k, rng) -> int64 scores`` (higher first).
    engages : bool
        False for ``none`` (the manager does not interact).
    """

    name: str
    ranking: str
    describe: str
    score: StaticScore | None = None
    engages: bool = True

    def current_score(self, static: np.ndarray | None, cum_posts: np.ndarray,
                      followers: np.ndarray) -> np.ndarray | None:
        """The scores to rank by this step (None: no ranking, every pick is uniform).

        >>> posts, followers = np.array([3, 0]), np.array([0, 5])
        >>> STRATEGIES["champions"].current_score(None, posts, followers).tolist()
        [3, 0]
        >>> STRATEGIES["random"].current_score(None, posts, followers) is None
        True
        """
        if self.ranking == RANK_STATIC:
            return static
        if self.ranking == RANK_POSTS:
            return cum_posts
        if self.ranking == RANK_FOLLOWERS:
            return followers
        return None


def degree_score(net: Network, k: int, rng: np.random.Generator) -> np.ndarray:
    """Ties in the organisation network (n − 1 for everyone when well mixed)."""
    return net.degree.astype(np.int64)


def bridging_score(net: Network, k: int, rng: np.random.Generator) -> np.ndarray:
    """Ties that leave one's own department (degree when well mixed: no departments tie)."""
    from ..network.stats import outside_group_degree  # here: the schema imports this module

    if net.complete:
        return net.degree.astype(np.int64)
    return outside_group_degree(net.indptr, net.indices, net.department)


def greedy_score(net: Network, k: int, rng: np.random.Generator) -> np.ndarray:
    """Rank the ``k`` best seeds for an independent cascade (CELF, Kempe et al. 2003).

    The first seed chosen scores ``k``, the last 1, everyone else 0.
    """
    from ..classic import celf

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


#: Every strategy by name, in the order help texts and the app list them.
STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    Strategy("none", RANK_NONE, "no interactions (the manager only posts)", engages=False),
    Strategy("random", RANK_NONE, "anyone eligible, no ranking"),
    Strategy("degree", RANK_STATIC, "hubs: most ties in the organisation", degree_score),
    Strategy("bridging", RANK_STATIC, "bridges: most ties to other departments",
             bridging_score),
    Strategy("champions", RANK_POSTS, "enthusiasts: members who posted most"),
    Strategy("followers", RANK_FOLLOWERS, "the most followed members"),
    Strategy("greedy", RANK_STATIC, "best seeds of an independent cascade (CELF)",
             greedy_score),
)}
