"""The initial state of a run (docs/odd.md, section 5): population, managers, follow graph.

The draws happen in a fixed order from the population's generator, so the
same seed gives the same population whatever the scenario changes later in
the run; the run's 63-bit key of counter-based random numbers is the last
draw.

Examples
--------
>>> import numpy as np
>>> from adoptsim.config import load_config
>>> from adoptsim.network import build_network
>>> cfg = load_config(overrides={"organisation.employees": 200})
>>> net = build_network(cfg.organisation, np.random.default_rng(0))
>>> run = initial(cfg, net, np.random.default_rng(1))
>>> int(run.state.member_c.sum()), run.params.staff  # 2.5% champions of 199 staff
(5, 199)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..config import ScenarioConfig
from ..errors import InputError
from ..jit import row_bounds
from ..network import Network
from .kernels.following import GUIDE_SPAN
from .params import Params, params_from_config
from .state import (
    CH_BEST_TONE,
    CH_SIZE,
    N_SIZE,
    NEVER,
    Channel,
    Follow,
    Managers,
    Net,
    People,
    Scratch,
    State,
    manager_nodes,
)
from .targeting import STRATEGIES, dense_rank


class Initial(NamedTuple):
    """Everything a run needs, as built by :func:`initial`."""

    net: Net
    people: People
    state: State
    follow: Follow
    scratch: Scratch
    managers: Managers
    channel: Channel
    params: Params
    static_score: np.ndarray  # int64 dense ranks of a static targeting strategy (else 0)


def net_view(network: Network) -> Net:
    """The network as compiled code reads it, with its thread split."""
    n = network.n
    rows = np.arange(n + 1, dtype=np.int64)
    nodes = row_bounds(rows)
    edges = nodes if network.complete else row_bounds(network.indptr + rows)
    # copy=False: a large network's arrays are already of these types and are only read.
    return Net(network.indptr.astype(np.int64, copy=False),
               network.indices.astype(np.int32, copy=False),
               network.degree.astype(np.int64, copy=False),
               network.department.astype(np.int32, copy=False),
               bool(network.complete), nodes, edges)


def initial(cfg: ScenarioConfig, network: Network, rng: np.random.Generator) -> Initial:
    """A run's initial arrays and parameters, drawn from ``rng``."""
    n = network.n
    pop = cfg.population
    enthusiasm = rng.beta(pop.enthusiasm_a, pop.enthusiasm_b, n)
    fear0 = rng.beta(pop.fear_a, pop.fear_b, n)
    s = pop.posting_sigma
    intensity = rng.lognormal(-(s**2) / 2, s, n)
    trust = rng.beta(pop.trust_a, pop.trust_b, n)
    nodes = manager_nodes(cfg, network)
    is_manager = np.zeros(n, bool)
    is_manager[nodes] = True
    manager_of = np.full(n, -1, np.int64)
    manager_of[nodes] = np.arange(len(nodes))
    champion = _champions(enthusiasm, is_manager, pop.champion_share)
    last_post = _initially_active(cfg.posting.initial_active, champion, rng)
    static = _static_score(cfg, network, nodes, rng)
    seed = int(rng.integers(0, 2**63))
    people = People(enthusiasm, fear0, intensity, champion, is_manager, manager_of)
    state = _state(n, champion, is_manager, last_post, fear0, trust)
    cap = cfg.following.cap
    follow = Follow(np.zeros(n, np.int32), np.zeros((n, cap), np.int32), np.zeros(n, np.int64),
                    np.zeros(n, np.int32))
    values = np.zeros(CH_SIZE)
    values[CH_BEST_TONE] = cfg.trust.best_tone
    params = params_from_config(cfg, seed, n, int((~is_manager).sum()))
    return Initial(net_view(network), people, state, follow, _scratch(n, network.complete),
                   _managers(nodes, n, cfg.comms.tone), Channel(values, np.zeros(N_SIZE, np.int64)),
                   params, static)


def _champions(enthusiasm: np.ndarray, is_manager: np.ndarray, share: float) -> np.ndarray:
    """The most enthusiastic ``share`` of staff: members from step 0."""
    staff = np.flatnonzero(~is_manager)
    order = staff[np.argsort(-enthusiasm[staff], kind="stable")]
    champion = np.zeros(len(enthusiasm), bool)
    champion[order[: round(share * len(staff))]] = True
    return champion


def _initially_active(k: int, champion: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``last_post``: ``k`` champions posted just before the run began (active at step 0)."""
    last_post = np.full(len(champion), NEVER, np.int32)
    if k > champion.sum():
        raise InputError(
            f"posting.initial_active = {k} exceeds the number of members at step 0 "
            f"({int(champion.sum())} champions); raise population.champion_share or lower "
            f"initial_active."
        )
    if k:
        last_post[rng.choice(np.flatnonzero(champion), size=k, replace=False)] = -1
    return last_post


def _static_score(cfg: ScenarioConfig, network: Network, nodes: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """Dense ranks of a strategy that ranks by network position (zeros otherwise)."""
    strategy = STRATEGIES[cfg.comms.strategy]
    if strategy.score is None or not len(nodes):
        return np.zeros(network.n, np.int64)
    k = max(cfg.comms.effort, math.ceil(cfg.comms.focus * network.n))
    return dense_rank(strategy.score(network, k, rng.spawn(1)[0]))


def _state(n: int, champion: np.ndarray, is_manager: np.ndarray, last_post: np.ndarray,
           fear0: np.ndarray, trust: np.ndarray) -> State:
    def counts() -> np.ndarray:
        return np.zeros(n, np.int32)

    return State(
        aware=champion | is_manager, member_c=champion.copy(), ever_member=champion.copy(),
        member_u=np.zeros(n, bool), invited=np.zeros(n, bool), last_post=last_post,
        last_post_u=np.full(n, NEVER, np.int32), posts_c=counts(), removed=counts(),
        harmful_c=counts(), blocked=counts(), posts_u=counts(), harmful_u=counts(),
        cum_posts_c=np.zeros(n, np.int64), cum_posts_u=np.zeros(n, np.int64),
        fear=fear0.copy(), trust=trust, frustration=np.zeros(n),
        mention_of=np.full(n, -1, np.int32), mention_at=counts(),
        mention_pub=np.full(n, -1, np.int32), events=np.zeros(n, np.uint8),
    )


def _scratch(n: int, complete: bool) -> Scratch:
    def counts() -> np.ndarray:
        return np.zeros(n, np.int32)

    return Scratch(
        table=np.zeros((0 if complete else n, 2), np.uint64), n_member=counts(),
        n_active=counts(), n_under=counts(), n_sanct=counts(), trust_sum=np.zeros(n),
        reads=counts(), unfollowed=counts(), candidate=np.full(n, -1, np.int32),
        mention=np.full(n, -1, np.int32), rep_sum=np.zeros(n), rep_n=counts(),
        eligible=np.zeros(n, np.int64), others=np.zeros(n, np.int64),
        post_start=np.zeros(n + 1, np.int64), has_posts=np.zeros((n + 63) // 64, np.uint64),
        cum=np.zeros(n + 1, np.int64), guide=np.zeros(max(n // GUIDE_SPAN, 1), np.int64),
    )


def _managers(nodes: np.ndarray, n: int, tone: float) -> Managers:
    m = len(nodes)
    return Managers(
        node=nodes, joined=np.zeros(m, bool), joined_at=np.full(m, -1, np.int64),
        tone=np.full(m, tone), direction=np.ones(m), delta=np.full(m, 0.1),
        rises=np.zeros(m, np.int64), positive=np.zeros(m, np.int64),
        interactions=np.zeros(m, np.int64), window_positive=np.zeros(m, np.int64),
        window_interactions=np.zeros(m, np.int64), last_rate=np.full(m, np.nan),
        read_share=np.zeros(m), invitations=np.zeros(m, np.int64),
        tie=np.zeros((m, n), np.float32), follows=np.zeros((m, n), bool),
    )
