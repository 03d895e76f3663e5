"""AdoptionModel: the Mesa model, a face over one run's arrays and its compiled steps.

The arrays and the compiled week live in :class:`~adoptsim.model.engine.Engine`;
the model adds Mesa's conventions: flat keyword parameters, ``rng=`` seeding,
``model.agents`` (views of the arrays' rows), ``step()`` and a
``DataCollector`` with array-based reporters. ``run()`` simulates the weeks
inside compiled code and collects their rows afterwards, with the same
results as stepping week by week.

Examples
--------
>>> from adoptsim import AdoptionModel
>>> model = AdoptionModel(employees=300, steps=20, rng=1)
>>> ts = model.run()
>>> list(ts.columns[:4])
['step', 'aware', 'member', 'active']
>>> len(ts)
21
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from ..config import ScenarioConfig, as_config, flat_to_dotted, with_overrides
from ..errors import InputError
from ..network import Network
from .agents import CommsManager, Employee
from .engine import Engine
from .metrics import COLUMNS, MANAGER_COLUMNS


def fresh_seed() -> int:
    """A seed from fresh OS entropy, reduced to 63 bits (fits ``run.seed`` and int64)."""
    return int(np.random.SeedSequence().entropy) & (2**63 - 1)


def run_seed(rng: Any) -> int | None:
    """The integer seed a run uses for ``rng``; None for a Generator (used as it is).

    ``None`` draws a fresh seed (Mesa's convention: fresh entropy), an integer
    is the seed itself, and a :class:`numpy.random.SeedSequence` gives a seed
    derived from it, so that every run has a seed it can be repeated with.
    """
    if rng is None:
        return fresh_seed()
    if isinstance(rng, np.random.Generator):
        return None
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0]) >> 1
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return int(rng)
    raise InputError(
        f"rng = {rng!r} is not allowed; give None (fresh entropy), an integer seed >= 0, "
        f"a numpy.random.SeedSequence or a numpy.random.Generator."
    )


def _metric(model: AdoptionModel, column: int) -> float:
    """A reporter: column ``column`` of the row being collected."""
    return float(model.engine.out[model._row, column])


class AdoptionModel(mesa.Model):
    """Employees adopting an internal channel, and the comms managers on it.

    Parameters
    ----------
    scenario
        A scenario file path, a :class:`~adoptsim.config.ScenarioConfig`, a
        dict of sections, or ``None`` for the defaults.
    rng
        As in Mesa: ``None`` (the default) seeds the run from fresh OS
        entropy, so repeated models are independent replications (what
        :func:`mesa.batch_run` relies on); the seed drawn is kept in
        :attr:`seed`, ``run.seed`` and the summary, so ``rng=model.seed``
        repeats the run. An integer is the seed (it also becomes
        ``run.seed``), a ``numpy.random.SeedSequence`` gives a seed derived
        from it, and a ``numpy.random.Generator`` is used as it is. The
        scenario's own ``run.seed`` is used only when passed explicitly,
        ``rng=cfg.run.seed``, as the command line and sweeps do, or through
        :meth:`from_scenario`.
    network
        A prebuilt organisation network (reused across runs).
    **params
        Flat overrides of scenario keys: ``section_key`` (``comms_join_step=13``)
        or, for keys that belong to one section only, the key alone
        (``employees=500``, ``join_step=13``).

    Raises
    ------
    InputError
        For bad parameters, and for a scenario whose estimated memory
        (:func:`adoptsim.model.state.estimate_bytes`) exceeds the available memory,
        before anything large is allocated.

    Attributes
    ----------
    seed : int or None
        The run's integer seed (drawn from fresh entropy when ``rng`` is
        None); None when a Generator was passed in.
    config : ScenarioConfig
        The resolved scenario (``run.seed`` is :attr:`seed`).
    network : Network
        The organisation graph (CSR).
    engine : Engine
        The run's arrays and compiled steps; :attr:`state`, :attr:`people`,
        :attr:`follow` and :attr:`comms` are its arrays (Mesa agents are
        views of their rows).
    datacollector : mesa.DataCollector
        One row per week with the columns of :data:`adoptsim.model.metrics.COLUMNS`,
        and a ``managers`` table with one row per manager and week.
    """

    def __init__(
        self,
        scenario: str | Path | ScenarioConfig | dict | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        network: Network | None = None,
        **params: Any,
    ) -> None:
        cfg = as_config(scenario)
        if params:
            cfg = with_overrides(cfg, flat_to_dotted(params))
        seed = run_seed(rng)
        if seed is not None:
            cfg = with_overrides(cfg, {"run.seed": seed})  # the summary names it
        self.seed = seed
        super().__init__(rng=rng if seed is None else seed)
        self.config = cfg
        self.engine = Engine(cfg, self.rng, network)  # refuses a size bomb before allocating
        self.network = self.engine.network
        self.running = True
        self._views_built = False
        self._row = 0
        self._ahead = 0  # weeks simulated by run() and not yet stepped through
        self.datacollector = mesa.DataCollector(
            model_reporters={name: functools.partial(_metric, column=i)
                             for i, name in enumerate(COLUMNS) if name != "step"},
            tables={"managers": MANAGER_COLUMNS},
        )
        self._collect(0)

    @classmethod
    def from_scenario(
        cls,
        scenario: str | Path | ScenarioConfig | dict | None,
        overrides: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> AdoptionModel:
        """Build a model from a scenario file or config plus dotted overrides.

        Unlike the constructor, the run is seeded with the scenario's
        ``run.seed`` unless ``rng`` is given: the scenario as written,
        reproducibly.

        >>> m = AdoptionModel.from_scenario(None, {"organisation.employees": 200})
        >>> len(m.state.trust), m.seed
        (200, 42)
        """
        cfg = as_config(scenario)
        if overrides:
            cfg = with_overrides(cfg, overrides)
        kwargs.setdefault("rng", cfg.run.seed)
        return cls(cfg, **kwargs)

    # ----------------------------------------------------------- the arrays
    @property
    def state(self):
        """What each employee is and did this week (:class:`~adoptsim.model.state.State`)."""
        return self.engine.state

    @property
    def people(self):
        """What does not change (:class:`~adoptsim.model.state.People`)."""
        return self.engine.people

    @property
    def follow(self):
        """The follow graph on C (:class:`~adoptsim.model.state.Follow`)."""
        return self.engine.follow

    @property
    def comms(self):
        """The comms managers' arrays (:class:`~adoptsim.model.state.Managers`)."""
        return self.engine.managers

    @property
    def metrics(self) -> dict[str, float]:
        """The latest week's outputs by column name."""
        return dict(zip(COLUMNS, self.engine.out[self.engine.weeks].tolist(), strict=True))

    # ------------------------------------------------------------- Mesa views
    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents; the views are built on first use (cheap for large N)."""
        if not self._views_built:
            self._views_built = True
            manager_of = self.people.manager_of
            for i in range(len(manager_of)):
                if manager_of[i] >= 0:
                    CommsManager(self, i, int(manager_of[i]))
                else:
                    Employee(self, i)
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        self.agents  # noqa: B018 - builds the views
        return super().agents_by_type

    @property
    def managers(self) -> list[CommsManager]:
        """The comms managers as Mesa agents."""
        return list(self.agents_by_type.get(CommsManager, []))

    # -------------------------------------------------------------------- run
    def step(self) -> None:
        """One week (docs/odd.md, section 3), in compiled code; Mesa has counted it.

        Weeks that :meth:`run` already simulated in one go are only collected.
        """
        if self._ahead:
            self._ahead -= 1
        else:
            self.engine.advance(1)
        self._collect(self.steps)
        self.running = self.steps < self.config.run.steps

    def run(
        self,
        steps: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> pd.DataFrame:
        """Run to ``run.steps`` (or ``steps`` more weeks); return the time series.

        The weeks are simulated inside compiled code, in one go or, with
        ``progress``, in about 50 chunks (``progress(k)`` after each chunk of
        ``k`` weeks); Mesa then steps through them, collecting each week's
        row. The results are those of stepping week by week.
        """
        target = self.config.run.steps if steps is None else self.steps + steps
        chunk = max(1, (target - self.steps) // 50) if progress else max(target - self.steps, 1)
        while self.steps < target:
            k = min(chunk, target - self.steps)
            self.engine.advance(k)
            self._ahead = k
            for _ in range(k):
                self.step()
            if progress is not None:
                progress(k)
        return self.timeseries()

    def _collect(self, row: int) -> None:
        """Collect week ``row``'s outputs (already written by compiled code)."""
        self._row = row
        self.datacollector.collect(self)
        for record in self.engine.manager_rows(row):
            self.datacollector.add_table_row("managers", record)

    # --------------------------------------------------------------- results
    def timeseries(self) -> pd.DataFrame:
        """One row per week (week 0 = the initial state), tidy columns."""
        return self.engine.timeseries()

    def manager_table(self) -> pd.DataFrame:
        """One row per manager and week."""
        return self.engine.manager_table()

    def summary(self) -> dict[str, Any]:
        """Run summary: final values, t50, participation inequality, provenance."""
        out = self.engine.summary()
        out.update(seed=self.seed, steps=int(self.steps))
        return out
