"""Where the app draws each employee: departments on a grid, teams as clusters.

A force-directed (spring) layout costs seconds for a thousand nodes and
moves every time it is computed; an organisation chart already says where
people belong. So departments sit on a square grid, each department's teams
are spread over its disc on a sunflower (Vogel) spiral, and each team's
members sit on a small sunflower around their lead. Everything is vectorised:
laying out 10⁶ employees takes well under a second.

Large organisations are drawn as a sample of whole departments (or whole
teams when one department alone is too big), so what is drawn still shows
teams and departments intact.

Examples
--------
>>> import numpy as np
>>> dept = np.repeat([0, 1], 16)
>>> team = np.repeat([0, 1, 2, 3], 8)
>>> xy = org_layout(dept, team, np.zeros(32, np.int8))
>>> xy.shape
(32, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network

#: Radians between consecutive points of a sunflower spiral.
GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))

#: Most employees the network view draws; larger organisations are sampled.
DRAW_LIMIT = 3000

#: Free space around a team's disc and a department's disc, in node spacings.
TEAM_GAP, DEPARTMENT_GAP = 0.9, 3.0


def _groups(keys: np.ndarray, order_within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each element's rank inside its group (sorted by ``order_within``) and the group's size."""
    n = len(keys)
    order = np.lexsort((order_within, keys))
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, sizes)
    size = np.empty(n, np.int64)
    size[order] = np.repeat(sizes, sizes)
    return rank, size


def _sunflower(rank: np.ndarray, size: np.ndarray, centred: bool) -> np.ndarray:
    """Points of a unit-disc sunflower: point ``rank`` of ``size``.

    ``centred`` puts point 0 at the centre (a team's lead); otherwise points
    start half a step out, which spreads few points more evenly (teams).
    """
    k = rank + (0.0 if centred else 0.5)
    r = np.sqrt(k / np.maximum(size, 1))
    theta = rank * GOLDEN_ANGLE
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def org_layout(department: np.ndarray, team: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Positions (n, 2) of employees grouped by department and team.

    Parameters
    ----------
    department, team : numpy.ndarray
        Integer ids per employee; a team is a (department, team) pair.
    level : numpy.ndarray
        0 staff, 1 team lead, 2 department head: higher levels sit at the
        centre of their team.

    Returns
    -------
    numpy.ndarray
        float64 (n, 2); one unit is about the distance between neighbours
        in a team. Departments are laid out row by row, left to right.
    """
    department = np.asarray(department, np.int64)
    team = np.asarray(team, np.int64)
    n = len(department)
    if n == 0:
        return np.zeros((0, 2))
    # Members inside their team: leads first, then by node order.
    team_key = department * (int(team.max()) + 1) + team
    member_rank, team_size = _groups(team_key, -np.asarray(level, np.int64) * n + np.arange(n))
    team_radius = 0.6 * np.sqrt(team_size)  # about one node per unit of area
    offset = _sunflower(member_rank, team_size, centred=True) * team_radius[:, None]

    # Teams inside their department, one row per team.
    teams, first = np.unique(team_key, return_index=True)
    t_dept = department[first]
    t_radius = team_radius[first] + TEAM_GAP
    t_rank, t_count = _groups(t_dept, teams)
    # Sunflower spacing is about radius·sqrt(pi/count); keep it above two team radii.
    d_ids, d_index = np.unique(t_dept, return_inverse=True)
    widest = np.zeros(len(d_ids))
    np.maximum.at(widest, d_index, t_radius)
    spread = 1.15 * 2.0 * widest[d_index] * np.sqrt(t_count / np.pi)
    spread = np.where(t_count == 1, 0.0, spread)
    t_centre = _sunflower(t_rank, t_count, centred=False) * spread[:, None]

    # Departments on a square grid of equal cells.
    d_radius = np.zeros(len(d_ids))
    np.maximum.at(d_radius, d_index, np.hypot(t_centre[:, 0], t_centre[:, 1]) + t_radius)
    cell = 2.0 * d_radius.max() + DEPARTMENT_GAP
    cols = int(np.ceil(np.sqrt(len(d_ids))))
    d_pos = np.arange(len(d_ids))
    d_centre = np.column_stack([(d_pos % cols) * cell, -(d_pos // cols) * cell])

    team_of = np.searchsorted(teams, team_key)
    return d_centre[d_index[team_of]] + t_centre[team_of] + offset


@dataclass(frozen=True)
class Drawing:
    """The part of an organisation the network view draws.

    Attributes
    ----------
    nodes : numpy.ndarray
        Node ids drawn, ascending.
    xy : numpy.ndarray
        Their positions (len(nodes), 2).
    src, dst : numpy.ndarray
        Ties among drawn nodes, as positions in ``nodes`` (each tie once).
    ties : numpy.ndarray
        int8 per tie: 0 inside a team, 1 inside a department, 2 across departments.
    note : str
        What is shown, for the caption.
    """

    nodes: np.ndarray
    xy: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    ties: np.ndarray
    note: str


def sample_nodes(network: Network, limit: int, keep: np.ndarray) -> tuple[np.ndarray, str]:
    """Whole departments (or whole teams) totalling at most ``limit`` employees.

    The groups holding ``keep`` (the comms managers) always come first; the
    rest are spread evenly over the organisation by a golden-ratio sequence,
    so a sample is deterministic and not just the first departments.

    Returns
    -------
    tuple
        The sorted node ids and a sentence describing the sample.
    """
    n = network.n
    if n <= limit:
        return np.arange(n), f"All {n:,} employees."
    fitting = [(name, ids) for name, ids in (("departments", network.department),
                                             ("teams", network.team))
               if np.bincount(ids).max() <= limit]
    if not fitting:  # even one team is too big: evenly spaced employees
        nodes = np.unique(np.r_[np.linspace(0, n - 1, limit - len(keep)).astype(np.int64), keep])
        return nodes, f"{len(nodes):,} of {n:,} employees, evenly spaced."
    name, ids = fitting[0]
    sizes = np.bincount(ids)
    present = np.flatnonzero(sizes)
    spread = present[np.argsort((np.arange(len(present)) * 0.6180339887498949) % 1.0)]
    kept = np.unique(ids[keep])
    order = np.r_[kept, spread[~np.isin(spread, kept)]]
    chosen = order[np.cumsum(sizes[order]) <= limit]
    nodes = np.flatnonzero(np.isin(ids, chosen))
    return nodes, (
        f"A sample of whole {name}: {len(chosen):,} of {len(present):,} "
        f"({len(nodes):,} of {n:,} employees)."
    )


def drawing(network: Network, keep: np.ndarray, limit: int = DRAW_LIMIT) -> Drawing:
    """Positions and ties of the employees the network view draws.

    Parameters
    ----------
    network
        The organisation.
    keep
        Nodes that must be drawn (the comms managers).
    limit
        Most employees to draw; see :func:`sample_nodes`.

    Examples
    --------
    >>> from adoptsim.network import org_network
    >>> d = drawing(org_network(5000, rng=np.random.default_rng(0)), np.array([4999]))
    >>> len(d.nodes) <= DRAW_LIMIT, 4999 in d.nodes
    (True, True)
    """
    nodes, note = sample_nodes(network, limit, np.asarray(keep, np.int64))
    dept, team = network.department[nodes], network.team[nodes]
    xy = org_layout(dept, team, network.level[nodes])
    if network.complete:
        empty = np.zeros(0, np.int64)
        return Drawing(nodes, xy, empty, empty, empty.astype(np.int8),
                       note + " Well-mixed population: everyone is everyone's neighbour.")
    local = np.full(network.n, -1, np.int64)
    local[nodes] = np.arange(len(nodes))
    start, stop = network.indptr[nodes], network.indptr[nodes + 1]
    degree = stop - start
    rows = np.repeat(np.arange(len(nodes)), degree)
    first = np.repeat(np.cumsum(degree) - degree, degree)
    cols = local[network.indices[np.repeat(start, degree) + np.arange(degree.sum()) - first]]
    once = cols > rows  # drawn at both ends, each tie once
    src, dst = rows[once], cols[once]
    ties = np.where(dept[src] != dept[dst], 2, np.where(team[src] != team[dst], 1, 0))
    return Drawing(nodes, xy, src, dst, ties.astype(np.int8), note)
