"""AdoptionModel: the Mesa model that wires network, state and kernels.

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
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .._version import __version__
from ..config import ScenarioConfig, as_config, flat_to_dotted, with_overrides
from ..errors import InputError
from ..jit import row_bounds
from ..memory import format_bytes
from ..network import Network, build_network
from . import kernels as K
from .agents import CommsManager, Employee
from .metrics import COLUMNS, MANAGER_COLUMNS, summarise
from .reporters import manager_rows, step_row
from .state import State, estimate_bytes, initial_state, require_run_memory
from .targeting import STRATEGIES

#: A tie weaker than this has lapsed (about 150 weeks after one positive contact).
TIE_FLOOR = 0.05


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


def _metric(model: AdoptionModel, key: str) -> float:
    return model.metrics[key]


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
    state : State
        The population's arrays; Mesa agents are views of its rows.
    datacollector : mesa.DataCollector
        One row per step with the columns of :data:`adoptsim.model.metrics.COLUMNS`,
        and a ``managers`` table with one row per manager and step.
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
        # Refuse a size bomb before anything large is allocated.
        require_run_memory(cfg, network)
        super().__init__(rng=rng if seed is None else seed)
        self.config = cfg
        # Separate streams, so changing a network parameter leaves the
        # population's draws alone and vice versa.
        net_rng, pop_rng = self.rng.spawn(2)
        self.network = network if network is not None else build_network(
            cfg.organisation, net_rng, cfg.resolve_path
        )
        if network is None and cfg.organisation.generator == "edgelist":
            require_run_memory(cfg, self.network)  # its size is known only now
        try:
            self.state: State = initial_state(cfg, self.network, pop_rng)
            self._setup_arrays()
        except MemoryError:
            raise InputError(
                f"Setting up {self.network.n:,} employees and {cfg.comms.count} comms manager(s) "
                f"(estimated {format_bytes(estimate_bytes(cfg, self.network))}) ran out of "
                f"memory. Use fewer employees or fewer managers."
            ) from None
        self.benefit_cum = 0.0
        self.running = True
        self._views_built = False
        self.datacollector = mesa.DataCollector(
            model_reporters={
                k: functools.partial(_metric, key=k) for k in COLUMNS if k != "step"
            },
            tables={"managers": MANAGER_COLUMNS},
        )
        self._record(0.0)

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
        >>> m.state.n, m.seed
        (200, 42)
        """
        cfg = as_config(scenario)
        if overrides:
            cfg = with_overrides(cfg, overrides)
        kwargs.setdefault("rng", cfg.run.seed)
        return cls(cfg, **kwargs)

    # ------------------------------------------------------------------ set-up
    def _setup_arrays(self) -> None:
        net, s = self.network, self.state
        n = net.n
        self.degree = (
            np.full(n, n - 1, np.int64) if net.complete else np.diff(net.indptr).astype(np.int64)
        )
        self.n_member = np.zeros(n, np.int32)
        self.n_active = np.zeros(n, np.int32)
        self.n_under = np.zeros(n, np.int32)
        self.n_sanct = np.zeros(n, np.int32)
        self.trust_sum = np.zeros(n)
        self.joined_now = np.zeros(n, bool)
        # Per-step scratch, allocated once: what each node shows its neighbours
        # (kernels.node_table) and the list of employees a manager may engage.
        self._table = np.zeros((0 if net.complete else n, 2), np.uint64)
        self._eligible = np.zeros(n, np.int64)
        # How the row passes split across threads (serial when small; by
        # nodes + ties for the neighbour pass, so hubs do not unbalance it).
        rows = np.arange(n + 1, dtype=np.int64)
        self._node_bounds = row_bounds(rows)
        self._edge_bounds = self._node_bounds if net.complete else row_bounds(net.indptr + rows)
        self.manager_of = np.full(n, -1, np.int64)
        self.manager_of[s.managers.node] = np.arange(s.managers.count)
        self.params = K.param_vector(self.config)
        # Rankings by network position are fixed for the run.
        comms = self.config.comms
        self.strategy = STRATEGIES[comms.strategy]
        self.static_score = None
        if self.strategy.score is not None and comms.count:
            k = max(comms.effort, math.ceil(comms.focus * n))
            self.static_score = self.strategy.score(net, k, self.rng.spawn(1)[0])

    # ------------------------------------------------------------- Mesa views
    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents; the views are built on first use (cheap for large N)."""
        if not self._views_built:
            self._views_built = True
            mgr = self.manager_of
            for i in range(self.state.n):
                if mgr[i] >= 0:
                    CommsManager(self, i, int(mgr[i]))
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

    # -------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one week (docs/odd.md, section 3); Mesa has already counted the step."""
        t = self.steps - 1  # the state's time at the start of this step
        cfg, s = self.config, self.state

        # 1. policy switch
        if t == cfg.channel.policy_start:
            self._switch_policy()

        # 2. managers join (and follow members like any newcomer)
        mg = s.managers
        if not s.closed and t >= cfg.comms.join_step and mg.count and not mg.joined.all():
            joining = mg.node[~mg.joined]
            mg.joined[:] = True
            s.member_c[joining] = True
            s.ever_member[joining] = True
            self._follow(joining)

        # 3-10. neighbour statistics, awareness, joining, underground, posting,
        # policing, fear. Once C is closed no manager is on a channel: no comms
        # awareness, no watching.
        any_joined = bool(mg.joined.any()) and not s.closed
        self._individuals(t, any_joined)

        # 6. following
        new = np.flatnonzero(self.joined_now)
        if len(new):
            self._follow(new)

        # 11-12. engagement, then tone review
        if any_joined and self.strategy.engages and cfg.comms.effort:
            self._engage()
        self._review(t)

        # 13-14. trust, then benefit and the reporters
        self._trust_and_report(any_joined)
        if self.steps >= cfg.run.steps:
            self.running = False

    def _individuals(self, t: int, any_joined: bool) -> None:
        """Steps 3-10 from the state at the start of the step (synchronous update)."""
        s, p = self.state, self.params
        p[K.STEP] = self.steps
        p[K.FRICTION], p[K.POLICING], p[K.RESTRICTION] = s.friction, s.policing, s.restriction
        p[K.CLOSED] = s.closed
        p[K.ANY_JOINED] = any_joined
        # One 64-bit key per employee; the kernel expands it into the (up to
        # six) uniforms each employee's decisions consult (kernels module notes).
        keys = self.rng.integers(0, 2**64, size=s.n, dtype=np.uint64)
        individuals = (
            p, keys, self.degree, self.n_member, self.n_active, self.n_under,
            self.n_sanct, s.is_manager, s.enthusiasm, s.fear0, s.intensity,
            s.aware, s.member_c, s.member_u, s.ever_member, s.invited, s.trust, s.fear,
            s.posts_c, s.posts_u, s.cum_posts_c, s.cum_posts_u, s.last_post, s.sanctioned,
            self.joined_now,
        )
        if self.network.complete:
            self._neighbour_stats(t)
            K.update_individuals(*individuals, bounds=self._node_bounds)
        else:  # both in one pass over the rows (kernels.neighbours_and_individuals)
            self._node_table(t)
            net = self.network
            K.neighbours_and_individuals(net.indptr, net.indices, self._table, self.trust_sum,
                                         *individuals, bounds=self._edge_bounds)

    def _trust_and_report(self, any_joined: bool) -> None:
        """Steps 13-14: trust, benefit and the reporters, in one pass over the rows."""
        cfg, mg = self.config, self.state.managers
        # The managers' reputation and follower share; ties decay (before the
        # trust update, which does not read them).
        reputation = share = 0.0
        if any_joined:
            rep = mg.reputation()[mg.joined]
            reputation = float(rep.sum()) / len(rep)
            members, in_c = K.following_members(self.state.member_c, self.state.is_manager,
                                                mg.follows)
            share = in_c / members if members else 0.0
            K.decay_ties(mg.tie, cfg.trust.tie_decay, TIE_FLOOR)
        ambient = cfg.trust.ambient if any_joined else 0.0
        sums, following = self._sums(
            (self.n_member, self.trust_sum, cfg.trust.averaging, ambient, share, reputation)
        )
        benefit = self._benefit(sums)
        self.benefit_cum += benefit
        self._record(benefit, sums, following)

    def _switch_policy(self) -> None:
        s, cfg = self.state, self.config
        s.friction, s.policing, s.restriction = cfg.channel.levers()
        if cfg.channel.policy == "shutdown" and not s.closed:
            # C closes; its active members may carry on underground.
            active = s.active(self.steps - 1, cfg.posting.window)
            p = np.minimum(1.0, cfg.underground.migrate * (0.5 + s.enthusiasm))
            moves = active & (self.rng.random(s.n) < p) & ~s.is_manager
            s.member_u |= moves
            s.member_c[:] = False
            s.closed = True

    def _node_table(self, t: int) -> None:
        """What each employee shows its neighbours at the start of step ``t + 1``."""
        s = self.state
        # Managers show the comms team's reputation to their neighbours.
        if s.managers.count:
            s.trust[s.managers.node] = s.managers.reputation()
        K.node_table(t, self.config.posting.window, s.member_c, s.last_post, s.member_u,
                     s.sanctioned, s.trust, self._table, bounds=self._node_bounds)

    def _neighbour_stats(self, t: int) -> None:
        """Step 3 on its own (the step fuses it with steps 4-10 when it can)."""
        s = self.state
        if self.network.complete:
            if s.managers.count:
                s.trust[s.managers.node] = s.managers.reputation()
            self._population_stats(s.active(t, self.config.posting.window))
            return
        self._node_table(t)
        K.neighbour_stats(
            self.network.indptr, self.network.indices, self._table, self.n_member,
            self.n_active, self.n_under, self.n_sanct, self.trust_sum, bounds=self._edge_bounds,
        )

    def _population_stats(self, active: np.ndarray) -> None:
        """Well-mixed population: everyone else is a neighbour."""
        s = self.state
        for out, flag in (
            (self.n_member, s.member_c), (self.n_active, active),
            (self.n_under, s.member_u), (self.n_sanct, s.sanctioned),
        ):
            out[:] = flag.sum() - flag
        member_trust = np.where(s.member_c, s.trust, 0.0)
        self.trust_sum[:] = member_trust.sum() - member_trust

    def _follow(self, new: np.ndarray) -> None:
        s, cfg, net = self.state, self.config, self.network
        nf = cfg.joining.follows
        if nf == 0:
            return
        s.ensure_urn(len(new) * nf)
        u = self.rng.random((len(new), nf, 3))
        s.urn_len = K.follow(
            new.astype(np.int64), net.indptr, net.indices, net.complete, s.member_c,
            np.flatnonzero(s.member_c), s.urn, s.urn_len, s.followers, u,
            cfg.joining.preferential, self.manager_of, s.managers.follows,
            s.managers.followers,
        )

    def _engage(self) -> None:
        s, cfg, mg = self.state, self.config, self.state.managers
        c = cfg.comms
        k = K.eligible_nodes(s.member_c, s.aware, s.is_manager, c.invite, self._eligible)
        eligible = self._eligible[:k]
        score = self.strategy.current_score(self.static_score, s.cum_posts_c, s.followers)
        pool = np.zeros(0, np.int64)
        if score is not None and k:
            # The strategy's top `focus` share, ties at the cut broken at random.
            size = min(k, max(c.effort, math.ceil(c.focus * k)))
            pool = K.top_pool(eligible, score, size, self.rng.random(size))
        u = self.rng.random((mg.count, c.effort, 4))
        s.ensure_urn(mg.count * c.effort)
        s.urn_len = K.engage(
            mg.node, mg.joined, mg.tone, cfg.trust.best_tone, c.monitoring, eligible, pool, u,
            s.member_c, s.trust, s.fear, s.invited, mg.tie, mg.follows, mg.followers,
            s.followers, s.urn, s.urn_len, cfg.trust.gain, cfg.trust.loss, mg.positive,
            mg.interactions, mg.window_positive, mg.window_interactions,
        )

    def _review(self, t: int) -> None:
        """Step 12: every R steps a learning manager moves its tone by ±0.1."""
        c, mg = self.config.comms, self.state.managers
        tenure = t + 1 - c.join_step
        if not mg.joined.any() or tenure <= 0 or tenure % c.review_every:
            return
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = mg.window_positive / mg.window_interactions
        seen = ~np.isnan(rate)  # a manager with no interactions has nothing to learn from
        if c.learn_tone:
            fell = rate < mg.last_rate  # False wherever either rate is nan
            mg.direction[fell] *= -1.0
            mg.tone[seen] = np.clip(mg.tone[seen] + 0.1 * mg.direction[seen], 0.0, 1.0)
        mg.last_rate[seen] = rate[seen]
        mg.window_positive[:] = 0
        mg.window_interactions[:] = 0

    def _sums(self, trust_update: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The current state's counts and sums (:func:`adoptsim.model.kernels.step_sums`),
        after the trust update of step 13 if ``trust_update`` gives its inputs."""
        s = self.state
        return K.step_sums(
            self.steps, self.config.posting.window, s.is_manager, s.aware, s.member_c,
            s.member_u, s.last_post, s.posts_c, s.posts_u, s.trust, s.fear, self.n_under,
            s.managers.follows, s.managers.tie, trust_update,
        )

    def _benefit(self, sums: np.ndarray) -> float:
        b = self.config.benefit
        n = self.state.n
        members, posts_c = sums[K.R_MEMBER_ALL], sums[K.R_POSTS_C]
        value = 0.0
        if members and posts_c and sums[K.R_MEMBER]:
            mean_value = sums[K.R_MEMBER_VALUE] / sums[K.R_MEMBER]  # mean of 0.5 + T
            value += b.channel / n * members * posts_c * mean_value
        if sums[K.R_POSTS_U]:
            value += b.underground / n * sums[K.R_U_REACH]
        return float(value)

    def _record(self, benefit: float, sums: np.ndarray | None = None,
                following: np.ndarray | None = None) -> None:
        if sums is None:
            sums, following = self._sums()
        self.metrics = step_row(self.steps, sums, self.state, self.config.comms.monitoring,
                                benefit, self.benefit_cum)
        self.datacollector.collect(self)
        for row in manager_rows(self.steps, self.state, following):
            self.datacollector.add_table_row("managers", row)

    # --------------------------------------------------------------- results
    def run(
        self,
        steps: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> pd.DataFrame:
        """Run to ``run.steps`` (or ``steps`` more steps); return the time series.

        ``progress`` is called with 1 after every step (for progress bars).
        """
        target = self.config.run.steps if steps is None else self.steps + steps
        while self.steps < target:
            self.step()
            if progress is not None:
                progress(1)
        return self.timeseries()

    def timeseries(self) -> pd.DataFrame:
        """One row per step (step 0 = the initial state), tidy columns."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "step", np.arange(len(df)))
        return df[COLUMNS]

    def manager_table(self) -> pd.DataFrame:
        """One row per manager and step."""
        return self.datacollector.get_table_dataframe("managers")

    def summary(self) -> dict[str, Any]:
        """Run summary: final values, t50, participation inequality, provenance."""
        s = self.state
        out = summarise(self.timeseries(), self.config.comms.join_step,
                        s.cum_posts_c[s.ever_member & ~s.is_manager], s.cum_posts_c, s.cum_posts_u)
        out.update(
            seed=self.seed,
            steps=int(self.steps),
            employees=int(self.state.n),
            ties=int(self.network.n_edges),
            version=__version__,
            scenario=self.config.to_dict(),
        )
        return out
