"""The arrays of a run: the single source of truth, as named tuples compiled code reads.

Every employee is one row (row = node index = Mesa agent index); comms
managers are employees too (their node rows), with per-manager arrays. A
run's state is a handful of named tuples of numpy arrays (struct of
arrays); kernels read ``s.trust[i]`` through them (behind one pointer, see
:mod:`adoptsim.jit`), and Python code (the Mesa agents, the app, the
metrics) reads the same arrays. Scalars that change during a run live in
small arrays (:class:`Channel`), so a tuple never needs rebuilding.

- :class:`Net`: the organisation graph and how passes split across threads.
- :class:`People`: what does not change (enthusiasm, baseline fear, ...).
- :class:`State`: what each employee is and did this week.
- :class:`Follow`: the follow graph on the official channel.
- :class:`Managers`: the comms managers (M of them) and their M x N arrays.
- :class:`Channel`: the policy in force, benefit, and the week's event counts.
- :class:`Scratch`: per-week intermediate results, overwritten every week.

It also estimates a run's memory before anything is allocated
(:func:`estimate_bytes`).

Examples
--------
>>> from adoptsim.config import load_config
>>> cfg = load_config(overrides={"organisation.employees": 2000})
>>> 1_000_000 < estimate_bytes(cfg) < 4_000_000  # about 1.6 MB
True
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..config import ScenarioConfig
from ..errors import InputError
from ..memory import require_memory
from ..network import KEPT_BYTES_PER_NODE, KEPT_BYTES_PER_TIE, Network, estimate_size

#: Managers keep a dense tie and follow row per employee (5 bytes a cell).
MAX_MANAGER_CELLS = 200_000_000
MANAGER_CELL_BYTES = 5

#: Bytes per employee of a running model besides the follow table: the state,
#: people, scratch and per-week arrays (measured about 330 at 10^6 employees).
EMPLOYEE_BYTES = 400
#: Bytes per employee and follow-table slot (``following.cap``).
FOLLOW_SLOT_BYTES = 4

#: ``last_post`` value of someone who never posted.
NEVER = -(2**30)


class Net(NamedTuple):
    """The organisation graph (symmetric CSR) and the thread split of passes."""

    indptr: np.ndarray  # int64 (n + 1,)
    indices: np.ndarray  # int32 neighbour ids
    degree: np.ndarray  # int64 (n,): ties (n − 1 everywhere on a complete network)
    department: np.ndarray  # int32 (n,)
    complete: bool  # well-mixed: no ties stored, shares over the population
    node_bounds: np.ndarray  # uint64 chunk boundaries of passes over nodes
    edge_bounds: np.ndarray  # uint64 chunk boundaries of passes over nodes + ties


class People(NamedTuple):
    """Static attributes of every employee."""

    enthusiasm: np.ndarray  # float64 e in [0, 1]
    fear0: np.ndarray  # float64 baseline fear f0
    intensity: np.ndarray  # float64 posting intensity λ
    champion: np.ndarray  # bool: a member from step 0
    is_manager: np.ndarray  # bool
    manager_of: np.ndarray  # int64: the manager index of a node, −1 for staff


class State(NamedTuple):
    """What each employee is, and did this step (length n unless noted)."""

    aware: np.ndarray  # bool
    member_c: np.ndarray  # bool, the official channel C
    ever_member: np.ndarray  # bool, ever a member of C
    member_u: np.ndarray  # bool, the underground back-channel U
    invited: np.ndarray  # bool, invited by a manager (decides next step)
    last_post: np.ndarray  # int32 step of the last post published on C
    last_post_u: np.ndarray  # int32 step of the last post on U (or of joining U)
    posts_c: np.ndarray  # int32 posts published on C this step
    removed: np.ndarray  # int32 of those, removed by policing before anyone read them
    harmful_c: np.ndarray  # int32 harmful posts shown on C (published, not removed)
    blocked: np.ndarray  # int32 posts blocked by restriction this step
    posts_u: np.ndarray  # int32 posts on U this step (own and diverted)
    harmful_u: np.ndarray  # int32 harmful posts among them
    cum_posts_c: np.ndarray  # int64
    cum_posts_u: np.ndarray  # int64
    fear: np.ndarray  # float64 f in [0, 1]
    trust: np.ndarray  # float64 T in [0, 1], trust in comms
    frustration: np.ndarray  # float64 φ ≥ 0
    mention_of: np.ndarray  # int32 manager a pending mention is about, −1 if none
    mention_at: np.ndarray  # int32 step the pending mention was set
    mention_pub: np.ndarray  # int32 manager a mention published this step is about, −1
    events: np.ndarray  # uint8 bit flags of this step (EV_*)


# Bits of State.events.
EV_JOINED, EV_REJOINED, EV_LEFT, EV_FOUNDED = 1, 2, 4, 8


class Follow(NamedTuple):
    """The follow graph on C: a fixed-width followee row per employee.

    A leaver keeps its rows; they count nowhere (not in ``followers``, not
    read) while it is not a member.
    """

    count: np.ndarray  # int32 (n,): followees in the row
    table: np.ndarray  # int32 (n, cap): followees (first ``count`` entries)
    followers: np.ndarray  # int64 (n,): followers who are members
    managers_followed: np.ndarray  # int32 (n,): managers in the row


class Managers(NamedTuple):
    """The comms managers (arrays of length M unless noted)."""

    node: np.ndarray  # int64 node of each manager
    joined: np.ndarray  # bool
    joined_at: np.ndarray  # int64 step of joining (−1 before)
    tone: np.ndarray  # float64 τ in [0, 1]
    direction: np.ndarray  # float64 ±1: where the next review moves the tone
    delta: np.ndarray  # float64 the next review's step size
    rises: np.ndarray  # int64 reviews in a row at which the positive rate rose
    positive: np.ndarray  # int64 cumulative positive interactions
    interactions: np.ndarray  # int64 cumulative interactions with members
    window_positive: np.ndarray  # int64 since the last review
    window_interactions: np.ndarray  # int64 since the last review
    last_rate: np.ndarray  # float64 positive rate of the previous window (nan: none)
    read_share: np.ndarray  # float64 share of this step's C posts the manager read
    invitations: np.ndarray  # int64 cumulative invitations
    tie: np.ndarray  # float32 (M, n): relationship strength r, decays each step
    follows: np.ndarray  # bool (M, n): the manager follows the employee


class Channel(NamedTuple):
    """The channel's run-level state, in small arrays."""

    values: np.ndarray  # float64, indexed by the CH_* constants
    counts: np.ndarray  # int64 this step's event counts, indexed by the N_* constants


# Channel.values entries.
CH_FRICTION, CH_POLICING, CH_RESTRICTION, CH_CLOSED, CH_BEST_TONE = range(5)
CH_BENEFIT, CH_BENEFIT_COMMS, CH_BENEFIT_CUM, CH_BENEFIT_COMMS_CUM = range(5, 9)
CH_SIZE = 9

# Channel.counts entries: this step's events.
(
    N_FOLLOW_PREFERENTIAL, N_FOLLOW_NEIGHBOUR, N_FOLLOW_AUTHORITY, N_FOLLOW_EXPOSURE,
    N_FOLLOW_MENTION, N_FOLLOW_BACK, N_FOLLOW_POSITIVE, N_UNFOLLOW, N_INVITATIONS, N_READS_C,
    N_READS_U, N_CROSS_READS, N_HARMFUL_READS, N_COMMS_READS, N_SIZE,
) = range(15)


class Scratch(NamedTuple):
    """Per-step intermediate results (overwritten every step)."""

    table: np.ndarray  # uint64 (n, 2): what each node shows its neighbours
    n_member: np.ndarray  # int32 member neighbours (start of step)
    n_active: np.ndarray  # int32 active neighbours
    n_under: np.ndarray  # int32 U-member neighbours
    n_sanct: np.ndarray  # int32 neighbours whose posts were removed last step
    trust_sum: np.ndarray  # float64 trust of member neighbours
    reads: np.ndarray  # int32 posts each reader read this step (C and U)
    unfollowed: np.ndarray  # int32 posts read whose poster the reader does not follow
    candidate: np.ndarray  # int32 a poster drawn from those reads (−1: none)
    mention: np.ndarray  # int32 a manager whose mention the reader read, unfollowed (−1)
    rep_sum: np.ndarray  # float64 sum of the reputations of manager posts/mentions read
    rep_n: np.ndarray  # int32 manager posts and mentions read
    eligible: np.ndarray  # int64 (n,): compaction buffer for the managers' pools
    others: np.ndarray  # int64 (n,): second compaction buffer
    post_start: np.ndarray  # int64 (n + 1,): each poster's first post record this step
    has_posts: np.ndarray  # uint64 ((n + 63) // 64,): bit i set when i has post records
    cum: np.ndarray  # int64 (n + 1,): prefix sum of the preferential-follow weights
    guide: np.ndarray  # int64 (n // GUIDE_SPAN,): guide table of weighted picks from it


def population_bytes(cfg: ScenarioConfig, n: int) -> int:
    """Estimated peak bytes of the population of ``n`` employees and its managers."""
    return (
        n * (EMPLOYEE_BYTES + FOLLOW_SLOT_BYTES * cfg.following.cap)
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
