"""The population's arrays: the single source of truth of a run.

Every employee is one row (row = node index = Mesa agent index). Comms
managers are employees too (their node rows), with a few extra per-manager
arrays. Mesa agents in :mod:`adoptsim.agents` read and write these rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import ScenarioConfig
from .errors import InputError
from .network import Network

#: Managers keep a dense tie and follow row per employee (5 bytes a cell).
MAX_MANAGER_CELLS = 200_000_000

#: ``last_post`` value of someone who never posted.
NEVER = np.int32(-(2**30))


@dataclass(eq=False)
class Managers:
    """Per-manager state (M managers; arrays of length M unless noted)."""

    node: np.ndarray  # int64 node index of each manager
    joined: np.ndarray  # bool
    tone: np.ndarray  # float64 in [0, 1]
    direction: np.ndarray  # float64, +1 or -1: where the next tone review moves
    positive: np.ndarray  # int64 cumulative positive interactions with members
    interactions: np.ndarray  # int64 cumulative interactions with members
    window_positive: np.ndarray  # int64 since the last review
    window_interactions: np.ndarray  # int64 since the last review
    last_rate: np.ndarray  # float64 positive rate of the previous review window (nan: none)
    followers: np.ndarray  # int64 employees following this manager
    follows: np.ndarray  # bool (M, N): employee i follows manager m
    tie: np.ndarray  # float32 (M, N): tie strength, decays each step

    @property
    def count(self) -> int:
        return len(self.node)

    def reputation(self) -> np.ndarray:
        """Running share of positive interactions, with a 1-in-2 prior."""
        return (self.positive + 1.0) / (self.interactions + 2.0)


@dataclass(eq=False)
class State:
    """Struct of arrays for N employees, plus the channel's global state."""

    # static
    enthusiasm: np.ndarray  # float64
    fear0: np.ndarray  # float64 baseline fear
    intensity: np.ndarray  # float64 posting intensity lambda
    champion: np.ndarray  # bool
    is_manager: np.ndarray  # bool
    # dynamic
    aware: np.ndarray  # bool
    member_c: np.ndarray  # bool, official channel C
    member_u: np.ndarray  # bool, underground channel U
    ever_member: np.ndarray  # bool, was ever a member of C
    invited: np.ndarray  # bool, invited by a manager this step (joins next step)
    posts_c: np.ndarray  # int32 posts this step on C
    posts_u: np.ndarray  # int32 posts this step on U
    cum_posts_c: np.ndarray  # int64
    cum_posts_u: np.ndarray  # int64
    last_post: np.ndarray  # int32 step of the last C post (NEVER if none)
    fear: np.ndarray  # float64 in [0, 1]
    trust: np.ndarray  # float64 in [0, 1], trust in comms
    followers: np.ndarray  # int32 channel followers (in-degree on C)
    sanctioned: np.ndarray  # bool, sanctioned for a C post this step
    managers: Managers
    #: Urn for preferential following: one entry per follow received.
    urn: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    urn_len: int = 0
    #: The channel's levers in force: friction, policing, restriction.
    friction: float = 0.0
    policing: float = 0.0
    restriction: float = 0.0
    closed: bool = False  # shut down: nobody joins or posts on C again

    @property
    def n(self) -> int:
        return len(self.enthusiasm)

    def active(self, step: int, window: int) -> np.ndarray:
        """Members who posted on C in the ``window`` steps up to ``step``."""
        return self.member_c & (step - self.last_post < window)

    def ensure_urn(self, extra: int) -> None:
        """Grow the follow urn so ``extra`` more entries fit."""
        need = self.urn_len + extra
        if need > len(self.urn):
            grown = np.zeros(max(need, 2 * len(self.urn), 1024), np.int64)
            grown[: self.urn_len] = self.urn[: self.urn_len]
            self.urn = grown


def manager_nodes(cfg: ScenarioConfig, net: Network) -> np.ndarray:
    """The comms managers' nodes.

    Nodes flagged ``comms`` in an edge list's node table come first; otherwise
    the last ``count`` nodes, which for the ``org`` generator are the last
    team of the last department (the communications team).
    """
    m = cfg.comms.count
    if m == 0:
        return np.zeros(0, np.int64)
    if m >= net.n:
        raise InputError(
            f"comms.count = {m} must be smaller than the number of employees ({net.n})."
        )
    if m * net.n > MAX_MANAGER_CELLS:
        raise InputError(
            f"comms.count = {m} managers x {net.n:,} employees needs {m * net.n:,} tie cells; "
            f"at most {MAX_MANAGER_CELLS:,} are allowed (about 1 GB). Use fewer managers."
        )
    if net.comms is not None and net.comms.any():
        flagged = np.flatnonzero(net.comms)
        if len(flagged) < m:
            raise InputError(
                f"comms.count = {m} but the node table flags only {len(flagged)} "
                f"employees as comms; flag more or lower comms.count."
            )
        return flagged[:m].astype(np.int64)
    return np.arange(net.n - m, net.n, dtype=np.int64)


def initial_state(cfg: ScenarioConfig, net: Network, rng: np.random.Generator) -> State:
    """Draw the population's initial state (DESIGN §1.2) from ``rng``.

    The draws happen in a fixed order so that the same seed gives the same
    population, whatever else the scenario changes later in the run.
    """
    n = net.n
    pop = cfg.population
    enthusiasm = rng.beta(pop.enthusiasm_a, pop.enthusiasm_b, n)
    fear0 = rng.beta(pop.fear_a, pop.fear_b, n)
    s = pop.posting_sigma
    intensity = rng.lognormal(-(s**2) / 2, s, n)
    trust = rng.beta(pop.trust_a, pop.trust_b, n)

    nodes = manager_nodes(cfg, net)
    is_manager = np.zeros(n, bool)
    is_manager[nodes] = True

    # Champions: the most enthusiastic share, already members at step 0.
    staff = np.flatnonzero(~is_manager)
    n_champ = round(pop.champion_share * len(staff))
    order = staff[np.argsort(-enthusiasm[staff], kind="stable")]
    champion = np.zeros(n, bool)
    champion[order[:n_champ]] = True

    last_post = np.full(n, NEVER, np.int32)
    k = cfg.posting.initial_active
    if k > n_champ:
        raise InputError(
            f"posting.initial_active = {k} exceeds the number of members at step 0 "
            f"({n_champ} champions); raise population.champion_share or lower initial_active."
        )
    if k:
        # They posted just before the run began, so they count as active at step 0.
        last_post[rng.choice(np.flatnonzero(champion), size=k, replace=False)] = -1

    m = len(nodes)
    managers = Managers(
        node=nodes,
        joined=np.zeros(m, bool),
        tone=np.full(m, cfg.comms.tone),
        direction=np.ones(m),
        positive=np.zeros(m, np.int64),
        interactions=np.zeros(m, np.int64),
        window_positive=np.zeros(m, np.int64),
        window_interactions=np.zeros(m, np.int64),
        last_rate=np.full(m, np.nan),
        followers=np.zeros(m, np.int64),
        follows=np.zeros((m, n), bool),
        tie=np.zeros((m, n), np.float32),
    )
    aware = champion | is_manager
    return State(
        enthusiasm=enthusiasm,
        fear0=fear0,
        intensity=intensity,
        champion=champion,
        is_manager=is_manager,
        aware=aware,
        member_c=champion.copy(),
        member_u=np.zeros(n, bool),
        ever_member=champion.copy(),
        invited=np.zeros(n, bool),
        posts_c=np.zeros(n, np.int32),
        posts_u=np.zeros(n, np.int32),
        cum_posts_c=np.zeros(n, np.int64),
        cum_posts_u=np.zeros(n, np.int64),
        last_post=last_post,
        fear=fear0.copy(),
        trust=trust,
        followers=np.zeros(n, np.int32),
        sanctioned=np.zeros(n, bool),
        managers=managers,
    )
