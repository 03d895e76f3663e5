"""The network a scenario's ``[organisation]`` section asks for, and its size beforehand.

Examples
--------
>>> from adoptsim.config import OrganisationConfig
>>> cfg = OrganisationConfig(generator="ring_lattice", employees=1000)
>>> estimate_size(cfg)[:2]
(1000, 5000)
>>> build_network(cfg, np.random.default_rng(0)).n_edges
5000
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..memory import format_bytes
from .csr import build_bytes
from .edgelist import edgelist_size, load_edgelist
from .generators import (
    barabasi_albert,
    complete_network,
    erdos_renyi,
    generator_ties,
    org_network,
    ring_lattice,
    watts_strogatz,
)
from .graph import Network

if TYPE_CHECKING:  # pragma: no cover
    from ..config import OrganisationConfig


def estimate_size(
    cfg: OrganisationConfig, resolve: Callable[[str], Path] = Path
) -> tuple[int, int, int]:
    """Estimate what a scenario's ``[organisation]`` will build, before building it.

    Parameters
    ----------
    cfg : OrganisationConfig
        The section.
    resolve : callable
        Maps ``cfg.edges``/``cfg.nodes`` to paths, e.g.
        ``ScenarioConfig.resolve_path``.

    Returns
    -------
    employees, ties, peak_bytes : int
        Employees, undirected ties (0 for ``complete``, which stores none) and
        the peak memory of building the network in bytes. For an edge list
        these are read off the files' line counts.

    Examples
    --------
    >>> from adoptsim.config import OrganisationConfig
    >>> estimate_size(OrganisationConfig(generator="ring_lattice", employees=1000))[:2]
    (1000, 5000)
    """
    if cfg.generator == "edgelist" and cfg.edges:
        return edgelist_size(resolve(cfg.edges), resolve(cfg.nodes) if cfg.nodes else None)
    n = cfg.employees
    ties = generator_ties(cfg.generator, n, cfg)
    return n, ties, build_bytes(n, ties)



def build_network(
    cfg: OrganisationConfig,
    rng: np.random.Generator,
    resolve: Callable[[str], Path] = Path,
) -> Network:
    """Build the network a scenario's ``[organisation]`` section asks for.

    Parameters
    ----------
    cfg : OrganisationConfig
        Dispatches on ``cfg.generator``. For ``edgelist`` the size comes
        from the files and ``employees`` (and the generator keys) are ignored.
    rng : numpy.random.Generator
        The run's generator (unused by ``ring_lattice``, ``complete`` and
        ``edgelist``, so they do not shift later draws).
    resolve : callable
        Maps ``cfg.edges``/``cfg.nodes`` to paths, e.g.
        ``ScenarioConfig.resolve_path``.

    Raises
    ------
    InputError
        For a bad edge list, or a network that would not fit in the available
        memory (refused before allocating, with the estimate; a
        ``MemoryError`` on the way is reported the same way).
    """
    try:
        return _build(cfg, rng, resolve)
    except MemoryError:
        n, ties, peak = estimate_size(cfg, resolve)
        raise InputError(
            f"Building the {cfg.generator} network ({n:,} employees, about {ties:,} ties, "
            f"estimated {format_bytes(peak)} at the peak) ran out of memory. Use fewer "
            f"employees or fewer ties per employee."
        ) from None


def _build(
    cfg: OrganisationConfig, rng: np.random.Generator, resolve: Callable[[str], Path]
) -> Network:
    g = cfg.generator
    n = cfg.employees
    if g == "org":
        return org_network(
            n, cfg.team_size, cfg.teams_per_department, cfg.cross_ties,
            cfg.within_department, cfg.hub_sigma, rng,
        )
    if g == "erdos_renyi":
        return erdos_renyi(n, cfg.mean_degree, rng)
    if g == "watts_strogatz":
        return watts_strogatz(n, cfg.mean_degree, cfg.rewire, rng)
    if g == "barabasi_albert":
        return barabasi_albert(n, cfg.mean_degree, rng)
    if g == "ring_lattice":
        return ring_lattice(n, cfg.mean_degree)
    if g == "complete":
        return complete_network(n)
    if g == "edgelist":
        if not cfg.edges:
            raise InputError("generator 'edgelist' needs organisation.edges (a CSV/TSV path).")
        return load_edgelist(resolve(cfg.edges), resolve(cfg.nodes) if cfg.nodes else None)
    raise InputError(f"unknown organisation.generator {g!r}")
