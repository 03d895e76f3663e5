"""One run: its arrays, and the compiled code that advances them week by week.

:class:`Engine` is what the Mesa model wraps and what sweeps and calibration
run directly (without Mesa): the same set-up and the same compiled steps, so
a run is identical whichever way it is driven.

Examples
--------
>>> from adoptsim.config import load_config
>>> engine = Engine(load_config(overrides={"organisation.employees": 300, "run.steps": 12}), 1)
>>> engine.advance()
>>> engine.weeks, round(float(engine.series["member"][-1]), 2) > 0
(12, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..config import ScenarioConfig
from ..errors import InputError
from ..memory import format_bytes
from ..network import Network, build_network
from .initial import initial
from .kernels.step import N_COLUMNS, N_MANAGER_COLUMNS, run_steps
from .metrics import COLUMNS, MANAGER_COLUMNS, summarise
from .state import estimate_bytes, require_run_memory

#: Chunks a run with a progress callback is simulated in (each a compiled call).
PROGRESS_CHUNKS = 50


class Engine:
    """The arrays of one run and the compiled code that advances them.

    Parameters
    ----------
    config : ScenarioConfig
        The resolved scenario.
    rng : int, numpy.random.Generator
        The run's seed (or generator): the network and the population draw
        from two streams spawned from it (the network from
        ``organisation.seed`` instead when that is set: the same organisation
        in every replication), and the run's counter-based random numbers
        from a 63-bit key drawn from the population's stream.
    network : Network, optional
        A prebuilt organisation network (reused across replications);
        built from ``config.organisation`` otherwise.

    Raises
    ------
    InputError
        For a bad network file, and for a run whose estimated memory
        (:func:`adoptsim.model.state.estimate_bytes`) exceeds the available
        memory, before anything large is allocated.

    Attributes
    ----------
    seed : int or None
        The integer seed, when ``rng`` was one (the summary records it).
    weeks : int
        Weeks simulated so far.
    out, out_managers : numpy.ndarray
        Every week's outputs (row 0 is the initial state); rows beyond
        ``weeks`` are not yet written.
    """

    def __init__(self, config: ScenarioConfig, rng: int | np.random.Generator,
                 network: Network | None = None) -> None:
        self.config = config
        self.seed = int(rng) if isinstance(rng, int | np.integer) else None
        require_run_memory(config, network)  # refuse a size bomb before allocating
        rng = np.random.default_rng(rng)
        net_rng, pop_rng = rng.spawn(2)
        if config.organisation.seed is not None:
            net_rng = np.random.default_rng(config.organisation.seed)
        if network is None:
            network = build_network(config.organisation, net_rng, config.resolve_path)
            require_run_memory(config, network)  # an edge list's size is known only now
        self.network = network
        try:
            (self.net, self.people, self.state, self.follow, self.scratch, self.managers,
             self.channel, self.params, self.static_score) = initial(config, network, pop_rng)
        except MemoryError:
            raise InputError(
                f"Setting up {network.n:,} employees and {config.comms.count} comms "
                f"manager(s) (estimated {format_bytes(estimate_bytes(config, network))}) ran "
                f"out of memory. Use fewer employees or fewer managers."
            ) from None
        horizon = config.run.steps
        self.out = np.full((horizon + 1, N_COLUMNS), np.nan)
        self.out_managers = np.full((horizon + 1, len(self.managers.node), N_MANAGER_COLUMNS),
                                    np.nan)
        self.weeks = 0
        self._run(0, 0)  # records the initial state in row 0

    def _run(self, t0: int, t1: int) -> None:
        run_steps(t0, t1, self.params, self.net, self.people, self.state, self.follow,
                  self.scratch, self.managers, self.channel, self.static_score, self.out,
                  self.out_managers)

    def advance(self, weeks: int | None = None) -> None:
        """Simulate ``weeks`` more weeks (default: to the horizon ``run.steps``)."""
        horizon = self.config.run.steps
        end = horizon if weeks is None else self.weeks + weeks
        if end > horizon:
            self._grow(end)
        if end > self.weeks:
            self._run(self.weeks, end)
            self.weeks = end

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Simulate to the horizon: in one compiled call, or in chunks with ``progress``.

        ``progress(k)`` is called after each chunk of ``k`` weeks (about
        :data:`PROGRESS_CHUNKS` of them); it may raise to stop the run.
        """
        if progress is None:
            self.advance()
            return
        remaining = self.config.run.steps - self.weeks
        chunk = max(1, remaining // PROGRESS_CHUNKS)
        while remaining > 0:
            k = min(chunk, remaining)
            self.advance(k)
            remaining -= k
            progress(k)

    def _grow(self, rows: int) -> None:
        extra = rows + 1 - len(self.out)
        self.out = np.vstack([self.out, np.full((extra, N_COLUMNS), np.nan)])
        pad = np.full((extra, *self.out_managers.shape[1:]), np.nan)
        self.out_managers = np.concatenate([self.out_managers, pad])

    # ---------------------------------------------------------------- results
    @property
    def series(self) -> dict[str, np.ndarray]:
        """Each output column over weeks 0 .. ``weeks`` (views, not copies)."""
        rows = self.out[: self.weeks + 1]
        return {name: rows[:, i] for i, name in enumerate(COLUMNS)}

    def timeseries(self) -> pd.DataFrame:
        """One row per week (week 0 = the initial state)."""
        frame = pd.DataFrame(self.out[: self.weeks + 1], columns=COLUMNS)
        frame["step"] = frame["step"].astype(np.int64)
        return frame

    def manager_table(self) -> pd.DataFrame:
        """One row per manager and week."""
        rows = self.out_managers[: self.weeks + 1].reshape(-1, N_MANAGER_COLUMNS)
        frame = pd.DataFrame(rows, columns=MANAGER_COLUMNS)
        for col in ("step", "manager", "node"):
            frame[col] = frame[col].astype(np.int64)
        frame["joined"] = frame["joined"].astype(bool)
        return frame

    def manager_rows(self, week: int) -> list[dict[str, Any]]:
        """The per-manager rows of ``week`` (for Mesa's DataCollector table)."""
        rows = []
        for values in self.out_managers[week]:
            row = dict(zip(MANAGER_COLUMNS, values.tolist(), strict=True))
            for col in ("step", "manager", "node"):
                row[col] = int(row[col])
            row["joined"] = bool(row["joined"])
            rows.append(row)
        return rows

    def summary(self) -> dict[str, Any]:
        """Final values, t50, the 90-9-1 split, managers' figures and provenance."""
        staff = ~self.people.is_manager
        s = self.state
        out = summarise(self.series, self.config.comms.join_step,
                        s.cum_posts_c[s.ever_member & staff], s.cum_posts_c[staff],
                        s.cum_posts_u[staff])
        out.update(seed=self.seed, steps=self.weeks, employees=int(self.network.n),
                   ties=int(self.network.n_edges), version=__version__,
                   scenario=self.config.to_dict())
        return out
