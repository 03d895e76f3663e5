"""The targeting strategies of comms managers: one registry, read by the
scenario schema (allowed values), the model and the app.

A strategy ranks the employees a manager can engage with. Every strategy
draws from the same two pools, members and aware non-members (docs/odd.md,
section 8.12); a *ranked* pick (made with P = max(monitoring, share of the
week's posts the manager read): listening enables targeting) is uniform
over the top ``comms.focus`` share of the pool's ranking, other picks are
uniform over the pool. ``degree``, ``bridging``, ``greedy`` and
``random_fixed`` rank by a :attr:`Strategy.score` computed once per run;
``champions`` (posts) and ``followers`` rank members by what they do, change
every week, and rank no non-members. ``random_fixed`` is the control for
concentration: a ranked strategy revisits the same people, building
relationships faster, and a fixed random ranking does that without
influence.

``bridging`` counts ties that leave one's own *department*: teams are equal
cliques, so ties outside one's own team would rank exactly like ``degree``.

Adding a strategy is one entry in :data:`STRATEGIES` (and, for a static
ranking, its score function here); the scenario schema and the app read the
names from it.

Examples
--------
>>> list(STRATEGIES)
['none', 'random', 'random_fixed', 'degree', 'bridging', 'champions', 'followers', 'greedy']
>>> dense_rank(np.array([10, 3, 10, 7])).tolist()
[2, 0, 2, 1]
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

#: How a strategy ranks (compiled code reads these numbers): not at all, by a
#: score fixed for the run, by cumulative posts on the channel, or by followers.
RANK_NONE, RANK_STATIC, RANK_POSTS, RANK_FOLLOWERS = range(4)

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
    ranking : int
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
    ranking: int
    describe: str
    score: StaticScore | None = None
    engages: bool = True


def dense_rank(score: np.ndarray) -> np.ndarray:
    """Scores as dense ranks 0, 1, ... (same order, ties kept): what compiled ranking counts."""
    _, rank = np.unique(score, return_inverse=True)
    return rank.astype(np.int64)


def random_fixed_score(net: Network, k: int, rng: np.random.Generator) -> np.ndarray:
    """A random ranking, fixed for the run (the control for concentration)."""
    return rng.permutation(net.n).astype(np.int64)


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
    Strategy("random", RANK_NONE, "anyone in the pool, no ranking"),
    Strategy("random_fixed", RANK_STATIC,
             "a fixed random ranking: concentration without influence (the control)",
             random_fixed_score),
    Strategy("degree", RANK_STATIC, "hubs: most ties in the organisation", degree_score),
    Strategy("bridging", RANK_STATIC, "bridges: most ties to other departments",
             bridging_score),
    Strategy("champions", RANK_POSTS, "enthusiasts: members who posted most"),
    Strategy("followers", RANK_FOLLOWERS, "the most followed members"),
    Strategy("greedy", RANK_STATIC, "best seeds of an independent cascade (CELF)",
             greedy_score),
)}
