"""The population's arrays: the single source of truth of a run.

Every employee is one row (row = node index = Mesa agent index). Comms
managers are employees too (their node rows), with a few extra per-manager
arrays. Mesa agents in :mod:`adoptsim.model.agents` read and write these rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import ScenarioConfig
from ..errors import InputError
from ..memory import require_memory
from ..network import KEPT_BYTES_PER_NODE, KEPT_BYTES_PER_TIE, Network, estimate_size

#: Managers keep a dense tie and follow row per employee (5 bytes a cell).
MAX_MANAGER_CELLS = 200_000_000
MANAGER_CELL_BYTES = 5

#: Bytes per employee of a running model: the state's arrays, the model's
#: per-step tables and scratch, the draws of a step (measured about 160).
EMPLOYEE_BYTES = 192
#: Bytes per employee and ``joining.follows``: the follow urn (8) and the
#: three uniforms per follow drawn when everyone joins at once (24).
FOLLOW_BYTES = 32

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


def population_bytes(cfg: ScenarioConfig, n: int) -> int:
    """Estimated peak bytes of the population of ``n`` employees and its managers."""
    return (
        n * (EMPLOYEE_BYTES + FOLLOW_BYTES * cfg.joining.follows)
        + MANAGER_CELL_BYTES * cfg.comms.count * n
    )


def estimate_bytes(cfg: ScenarioConfig, network: Network | None = None) -> int:
    """Estimated peak memory of a run of ``cfg``, in bytes, without allocating anything.

    The peak is the larger of building the network (edge arrays and the CSR
    sort, :func:`adoptsim.network.estimate_size`) and the built network plus
    the population (:func:`population_bytes`: per-employee arrays and the
    managers' M x N tie and follow arrays).

    Parameters
    ----------
    cfg : ScenarioConfig
        The scenario.
    network : Network, optional
        A network already built: then only the population is estimated.

    Examples
    --------
    >>> from adoptsim.config import load_config
    >>> cfg = load_config(overrides={"organisation.employees": 2000})
    >>> 500_000 < estimate_bytes(cfg) < 2_000_000  # about 0.9 MB
    True
    """
    if network is not None:
        return population_bytes(cfg, network.n)
    n, ties, build = estimate_size(cfg.organisation, cfg.resolve_path)
    kept = KEPT_BYTES_PER_TIE * ties + KEPT_BYTES_PER_NODE * n
    return max(build, kept + population_bytes(cfg, n))


def require_run_memory(cfg: ScenarioConfig, network: Network | None = None) -> None:
    """Raise :class:`InputError` if :func:`estimate_bytes` exceeds the available memory.

    An edge list is not estimated beforehand: its reader checks its own size
    (:func:`adoptsim.network.load_edgelist`), and the population is checked
    once the network, and so its size, is known (pass ``network``).
    """
    org = cfg.organisation
    if network is not None:
        what = f"The population of {network.n:,} employees"
    elif org.generator == "edgelist":
        return
    else:
        n, ties, _ = estimate_size(org, cfg.resolve_path)
        net = "no stored ties" if org.generator == "complete" else f"about {ties:,} ties"
        what = (f"A run of {n:,} employees ({org.generator} network, {net}; "
                f"{cfg.comms.count} comms manager(s))")
    require_memory(
        estimate_bytes(cfg, network),
        what,
        "Use fewer employees, fewer ties per employee (organisation.mean_degree, "
        "team_size, cross_ties) or fewer managers (comms.count).",
    )


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
    """Draw the population's initial state (docs/odd.md, section 5) from ``rng``.

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
    champion = _champions(enthusiasm, is_manager, pop.champion_share)
    last_post = _initially_active(cfg.posting.initial_active, champion, rng)
    return State(
        enthusiasm=enthusiasm,
        fear0=fear0,
        intensity=intensity,
        champion=champion,
        is_manager=is_manager,
        aware=champion | is_manager,
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
        managers=new_managers(nodes, n, cfg.comms.tone),
    )


def _champions(enthusiasm: np.ndarray, is_manager: np.ndarray, share: float) -> np.ndarray:
    """The most enthusiastic ``share`` of the staff: members already at step 0."""
    staff = np.flatnonzero(~is_manager)
    n_champ = round(share * len(staff))
    order = staff[np.argsort(-enthusiasm[staff], kind="stable")]
    champion = np.zeros(len(enthusiasm), bool)
    champion[order[:n_champ]] = True
    return champion


def _initially_active(k: int, champion: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``last_post`` at step 0: ``k`` random champions posted just before the run began."""
    last_post = np.full(len(champion), NEVER, np.int32)
    n_champ = int(np.count_nonzero(champion))
    if k > n_champ:
        raise InputError(
            f"posting.initial_active = {k} exceeds the number of members at step 0 "
            f"({n_champ} champions); raise population.champion_share or lower initial_active."
        )
    if k:
        # They posted just before the run began, so they count as active at step 0.
        last_post[rng.choice(np.flatnonzero(champion), size=k, replace=False)] = -1
    return last_post


def new_managers(nodes: np.ndarray, n: int, tone: float) -> Managers:
    """Managers at ``nodes`` before they join: starting ``tone``, no ties, no followers."""
    m = len(nodes)
    return Managers(
        node=nodes,
        joined=np.zeros(m, bool),
        tone=np.full(m, tone),
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
