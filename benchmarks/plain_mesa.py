"""The adoptsim model written the ordinary Mesa way: the performance baseline.

One Python agent object per employee, living on a cell of
:class:`mesa.discrete_space.Network`; each step the agents ``sense`` their
neighbourhood and then ``act`` (two phases, so the update is synchronous like
adoptsim's), and a :class:`mesa.DataCollector` with model reporters records
the same time series. The rules and parameters are those of docs/odd.md (section 8) and
:mod:`adoptsim.model`, read from the same :class:`~adoptsim.config.ScenarioConfig`,
on the same organisation network (built by :func:`adoptsim.network.build_network`
from the same seed). Random numbers come from Mesa's ``model.random`` (Python's
generator) and, for Poisson and Beta draws, ``model.rng``, so runs are
reproducible but not number-for-number equal to adoptsim's: the two agree in
distribution (``tests/test_plain_mesa.py``), which is what makes the speed
comparison one of like with like.

Everything is implemented except the ``greedy`` targeting strategy and the
well-mixed ``complete`` generator (no edges to put cells on).

Examples
--------
>>> model = PlainMesaModel(employees=200, steps=5, rng=1)
>>> ts = model.run()
>>> len(ts), bool(0 <= ts["member"].iloc[-1] <= 1)
(6, True)
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from adoptsim.config import ScenarioConfig, as_config, flat_to_dotted, with_overrides
from adoptsim.model.state import manager_nodes
from adoptsim.network import build_network

#: A tie weaker than this has lapsed (as in adoptsim.model).
TIE_FLOOR = 0.05


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class Employee(FixedAgent):
    """An employee: the state of docs/odd.md, section 2.3, as attributes."""

    def __init__(self, model: PlainMesaModel, cell: Any, node: int) -> None:
        super().__init__(model)
        self.cell = cell
        self.node = node
        pop = model.config.population
        rng = model.rng
        self.enthusiasm = float(rng.beta(pop.enthusiasm_a, pop.enthusiasm_b))
        self.fear0 = float(rng.beta(pop.fear_a, pop.fear_b))
        s = pop.posting_sigma
        self.intensity = float(rng.lognormal(-(s**2) / 2, s))
        self.trust = float(rng.beta(pop.trust_a, pop.trust_b))
        self.fear = self.fear0
        self.champion = False
        self.aware = False
        self.member_c = False
        self.member_u = False
        self.ever_member = False
        self.invited = False
        self.posts_c = 0
        self.posts_u = 0
        self.cum_posts_c = 0
        self.cum_posts_u = 0
        self.last_post = -(2**30)
        self.sanctioned = False
        self.followers = 0  # channel followers (in-degree on C)
        self.following: set[CommsManager] = set()  # managers this employee follows
        # Neighbourhood counts, sensed at the start of each step.
        self.degree = 0
        self.n_member = self.n_active = self.n_under = self.n_sanct = 0
        self.trust_sum = 0.0

    def is_active(self, step: int) -> bool:
        return self.member_c and step - self.last_post < self.model.config.posting.window

    def neighbours(self) -> list[Employee]:
        return list(self.cell.neighborhood.agents)

    # -- step 3: look at the neighbours (state at the start of the step)
    def sense(self) -> None:
        t = self.model.t
        self.degree = 0
        self.n_member = self.n_active = self.n_under = self.n_sanct = 0
        self.trust_sum = 0.0
        for other in self.cell.neighborhood.agents:
            self.degree += 1
            if other.member_c:
                self.n_member += 1
                self.trust_sum += other.trust
                if other.is_active(t):
                    self.n_active += 1
            if other.member_u:
                self.n_under += 1
            if other.sanctioned:
                self.n_sanct += 1

    # -- steps 4-10
    def act(self) -> None:
        m = self.model
        cfg = m.config
        rnd = m.random
        self.posts_c = self.posts_u = 0
        self.sanctioned = False
        joined_now = False
        k = self.degree
        s_member = self.n_member / k if k else 0.0
        s_active = self.n_active / k if k else 0.0
        s_under = self.n_under / k if k else 0.0
        w = cfg.awareness.active_weight
        soc = (1 - w) * s_member + w * s_active
        e, t, f = self.enthusiasm, self.trust, self.fear
        kappa, pi, rho = m.friction, m.policing, m.restriction

        # 4. awareness
        if not self.aware:
            a = cfg.awareness
            hazard = a.p_external + a.p_comms * m.any_joined + a.q * soc
            if rnd.random() < 1 - math.exp(-hazard):
                self.aware = True

        # 5. joining C
        if self.aware and not self.member_c and not m.closed:
            j = cfg.joining
            p = 1 - kappa if j.instant else min(1.0, (1 - kappa) * j.rate * (e + soc))
            if self.invited:
                p_inv = min(1.0, j.invite_rate * (1 - kappa) * (0.5 + t))
                p = 1 - (1 - p) * (1 - p_inv)
            if rnd.random() < p:
                self.member_c = self.ever_member = joined_now = True
        self.invited = False

        # 8a. joining U
        if self.aware and not self.member_u:
            if rnd.random() < cfg.underground.rate * e * (f + rho) * (s_under + 0.05):
                self.member_u = True

        # 7. posting on C
        post = cfg.posting
        if self.member_c and not m.closed:
            if post.mode == "threshold":
                phi = (post.threshold + post.fear_shift * f - post.enthusiasm_shift * e
                       - post.trust_shift * (t - 0.5))
                self.posts_c = int(k > 0 and self.n_active >= phi * k - 1e-12)
            else:
                x = (post.intercept + post.social * s_active + post.enthusiasm * e
                     - post.fear * f + post.trust * (t - 0.5))
                self.posts_c = int(m.rng.poisson(self.intensity * _logistic(x) * (1 - rho)))
            if self.posts_c:
                self.cum_posts_c += self.posts_c
                self.last_post = m.steps

        # 8b. posting on U (baseline fear, no restriction)
        if self.member_u:
            x = (post.intercept + post.social * s_under + post.enthusiasm * e
                 - post.fear * self.fear0 + post.trust * (t - 0.5))
            self.posts_u = int(m.rng.poisson(self.intensity * _logistic(x)))
            self.cum_posts_u += self.posts_u

        # 9. policing
        fc = cfg.fear
        if self.posts_c and pi > 0:
            if rnd.random() < 1 - (1 - fc.sanction_rate * pi) ** self.posts_c:
                self.sanctioned = True
                f += fc.sanction_fear
        f = min(1.0, f + fc.neighbour_fear * min(self.n_sanct, 3))

        # 10. fear relaxes
        target = (self.fear0 + fc.policing_weight * pi
                  + fc.monitoring_weight * cfg.comms.monitoring * (1 - t) * m.any_joined
                  - fc.reassurance * s_active)
        self.fear = f + fc.relax * (min(1.0, max(0.0, target)) - f)
        if joined_now:
            m.new_members.append(self)

    # -- step 6
    def follow_members(self, members: list[Employee]) -> None:
        """Follow ``joining.follows`` members: preferentially (∝ followers + 1) or a
        member org neighbour."""
        m = self.model
        j = m.config.joining
        rnd = m.random
        for _ in range(j.follows):
            u0, u1, u2 = rnd.random(), rnd.random(), rnd.random()
            target = None
            if u0 >= j.preferential:
                nbrs = self.neighbours()
                if nbrs:
                    other = nbrs[int(u1 * len(nbrs))]
                    target = other if other.member_c else None
            if target is None:
                total = len(members) + len(m.urn)
                if total == 0:
                    continue
                idx = int(u2 * total)
                target = members[idx] if idx < len(members) else m.urn[idx - len(members)]
            if target is self:
                continue
            target.followers += 1
            m.urn.append(target)
            if isinstance(target, CommsManager) and target not in self.following:
                self.following.add(target)
                target.follower_count += 1

    # -- step 13
    def update_trust(self, ambient: float) -> None:
        t = self.trust
        if self.n_member:
            a = self.model.config.trust.averaging
            t = (1 - a) * t + a * self.trust_sum / self.n_member
        if self.member_c:
            t += ambient * (self.model.reputation - t)
        self.trust = min(1.0, max(0.0, t))


class CommsManager(Employee):
    """A comms manager: an employee who engages, reviews its tone and keeps ties."""

    def __init__(self, model: PlainMesaModel, cell: Any, node: int) -> None:
        super().__init__(model, cell, node)
        c = model.config.comms
        self.joined = False
        self.tone = c.tone
        self.direction = 1.0
        self.positive = self.interactions = 0
        self.window_positive = self.window_interactions = 0
        self.last_rate = math.nan
        self.follower_count = 0
        self.ties: dict[Employee, float] = {}

    def act(self) -> None:
        # Managers are not adopters: only an invitation lapses.
        self.posts_c = self.posts_u = 0
        self.sanctioned = False
        self.invited = False

    def update_trust(self, ambient: float) -> None:
        pass

    @property
    def reputation_value(self) -> float:
        return (self.positive + 1.0) / (self.interactions + 2.0)

    # -- step 11
    def engage(self, eligible: list[Employee], pool: list[Employee]) -> None:
        m = self.model
        c, tr = m.config.comms, m.config.trust
        rnd = m.random
        if not eligible:
            return
        for _ in range(c.effort):
            u0, u1, u2, u3 = rnd.random(), rnd.random(), rnd.random(), rnd.random()
            if u0 < c.monitoring and pool:
                other = pool[int(u1 * len(pool))]
            else:
                other = eligible[int(u1 * len(eligible))]
            if not other.member_c:
                other.invited = True
                continue
            self.interactions += 1
            self.window_interactions += 1
            p = 0.2 + 0.6 * (1 - abs(self.tone - tr.best_tone)) * (0.5 + other.trust)
            if u2 < p:
                self.positive += 1
                self.window_positive += 1
                other.trust += tr.gain * (1 - other.trust)
                other.fear *= 0.9
                self.ties[other] = self.ties.get(other, 0.0) + 1.0
                if self not in other.following and u3 < 0.3:
                    other.following.add(self)
                    self.follower_count += 1
                    self.followers += 1
                    m.urn.append(self)
            else:
                other.trust -= tr.loss * other.trust

    # -- step 12
    def review(self, tenure: int) -> None:
        c = self.model.config.comms
        if tenure <= 0 or tenure % c.review_every:
            return
        if self.window_interactions:
            rate = self.window_positive / self.window_interactions
            if c.learn_tone:
                if rate < self.last_rate:
                    self.direction = -self.direction
                self.tone = min(1.0, max(0.0, self.tone + 0.1 * self.direction))
            self.last_rate = rate
        self.window_positive = self.window_interactions = 0

    def decay_ties(self) -> None:
        decay = self.model.config.trust.tie_decay
        for other, value in list(self.ties.items()):
            value *= decay
            if value < TIE_FLOOR:
                del self.ties[other]
            else:
                self.ties[other] = value


class PlainMesaModel(mesa.Model):
    """adoptsim's model as ordinary Mesa code (see the module notes).

    Parameters
    ----------
    scenario
        As for :class:`adoptsim.AdoptionModel`.
    rng
        Seed; the network is built from the same seed as adoptsim's.
    **params
        Flat overrides, as for :class:`adoptsim.AdoptionModel`.
    """

    def __init__(self, scenario: Any = None, *, rng: int | None = None, **params: Any) -> None:
        cfg: ScenarioConfig = as_config(scenario)
        if params:
            cfg = with_overrides(cfg, flat_to_dotted(params))
        seed = cfg.run.seed if rng is None else rng
        super().__init__(rng=seed)
        self.config = cfg
        if cfg.comms.strategy == "greedy" or cfg.organisation.generator == "complete":
            raise NotImplementedError("plain Mesa baseline: no 'greedy' and no 'complete'")
        # The same organisation network as adoptsim's for this seed.
        net_rng, _ = np.random.default_rng(seed).spawn(2)
        net = build_network(cfg.organisation, net_rng, cfg.resolve_path)
        self.n = net.n
        self.space = Network(net.to_networkx(), random=self.random, layout=None)
        managers = set(manager_nodes(cfg, net).tolist())
        self.people: list[Employee] = []
        for node in range(net.n):
            klass = CommsManager if node in managers else Employee
            self.people.append(klass(self, self.space[node], node))
        self.comms = [a for a in self.people if isinstance(a, CommsManager)]
        self.staff = [a for a in self.people if not isinstance(a, CommsManager)]
        self.department = {a: int(net.department[a.node]) for a in self.people}
        # Champions: the most enthusiastic share of staff, members at step 0.
        n_champ = round(cfg.population.champion_share * len(self.staff))
        for a in sorted(self.staff, key=lambda a: -a.enthusiasm)[:n_champ]:
            a.champion = a.member_c = a.ever_member = a.aware = True
        for a in self.comms:
            a.aware = True
        if cfg.posting.initial_active:
            champions = [a for a in self.staff if a.champion]
            for a in self.random.sample(champions, cfg.posting.initial_active):
                a.last_post = -1
        self.urn: list[Employee] = []
        self.new_members: list[Employee] = []
        self.friction = self.policing = self.restriction = 0.0
        self.closed = False
        self.any_joined = False
        self.reputation = 0.0
        self.benefit = self.benefit_cum = 0.0
        self.t = 0
        self.datacollector = mesa.DataCollector(model_reporters={
            "aware": lambda m: m.share(lambda a: a.aware),
            "member": lambda m: m.share(lambda a: a.member_c),
            "active": lambda m: m.share(lambda a: a.is_active(m.steps)),
            "underground": lambda m: m.share(lambda a: a.member_u),
            "posts_c": lambda m: sum(a.posts_c for a in m.people),
            "posts_u": lambda m: sum(a.posts_u for a in m.people),
            "trust": lambda m: sum(a.trust for a in m.staff) / len(m.staff),
            "fear": lambda m: sum(a.fear for a in m.staff) / len(m.staff),
            "cm_follower_share": lambda m: m.follower_share(),
            "cm_reach": lambda m: m.share(lambda a: bool(a.following) or any(
                a in c.ties for c in m.comms)),
            "cm_tone": lambda m: (sum(c.tone for c in m.comms) / len(m.comms)
                                  if m.comms else math.nan),
            "cm_reputation": lambda m: (sum(c.reputation_value for c in m.comms) / len(m.comms)
                                        if m.comms else math.nan),
            "benefit": "benefit",
            "benefit_cum": "benefit_cum",
        })
        self.datacollector.collect(self)

    def share(self, test) -> float:
        """Share of staff (employees other than the managers) passing ``test``."""
        return sum(1 for a in self.staff if test(a)) / len(self.staff)

    def follower_share(self) -> float:
        members = sum(1 for a in self.staff if a.member_c)
        following = sum(1 for a in self.people if a.member_c and a.following)
        return following / members if members else 0.0

    def step(self) -> None:
        cfg = self.config
        self.t = t = self.steps - 1

        # 1. policy switch
        if t == cfg.channel.policy_start:
            self.friction, self.policing, self.restriction = cfg.channel.levers()
            if cfg.channel.policy == "shutdown" and not self.closed:
                for a in self.staff:
                    if a.is_active(t) and self.random.random() < min(
                            1.0, cfg.underground.migrate * (0.5 + a.enthusiasm)):
                        a.member_u = True
                for a in self.people:
                    a.member_c = False
                self.closed = True

        # 2. managers join and follow members
        joining = [c for c in self.comms if not c.joined]
        if not self.closed and t >= cfg.comms.join_step and joining:
            for c in joining:
                c.joined = c.member_c = c.ever_member = True
            members = [a for a in self.people if a.member_c]
            for c in joining:
                c.follow_members(members)

        # 3. neighbour statistics (managers show the team's reputation)
        for c in self.comms:
            c.trust = c.reputation_value
        self.any_joined = any(c.joined for c in self.comms) and not self.closed
        self.agents.do("sense")

        # 4-10, then 6. following
        self.new_members = []
        self.agents.do("act")
        if self.new_members:
            members = [a for a in self.people if a.member_c]
            for a in self.new_members:
                a.follow_members(members)

        # 11-12. engagement and tone review
        c = cfg.comms
        if self.any_joined and c.strategy != "none" and c.effort:
            eligible = [a for a in self.staff if a.member_c or (c.invite and a.aware)]
            pool = self.ranked_pool(eligible)
            for manager in self.comms:
                if manager.joined:
                    manager.engage(eligible, pool)
        if any(m.joined for m in self.comms):
            for manager in self.comms:
                manager.review(t + 1 - c.join_step)

        # 13. trust
        joined = [m for m in self.comms if m.joined]
        self.reputation = (sum(m.reputation_value for m in joined) / len(joined)
                           if self.any_joined else 0.0)
        ambient = cfg.trust.ambient * self.follower_share() if self.any_joined else 0.0
        self.agents.do("update_trust", ambient)
        if self.any_joined:
            for manager in self.comms:
                manager.decay_ties()

        # 14. benefit
        self.benefit = self.compute_benefit()
        self.benefit_cum += self.benefit
        self.datacollector.collect(self)
        if self.steps >= cfg.run.steps:
            self.running = False

    def ranked_pool(self, eligible: list[Employee]) -> list[Employee]:
        """The strategy's top ``focus`` share of ``eligible``, ties broken at random."""
        c = self.config.comms
        if c.strategy == "random" or not eligible:
            return []
        score = {
            "champions": lambda a: a.cum_posts_c,
            "followers": lambda a: a.followers,
            "degree": lambda a: a.degree,
            "bridging": lambda a: sum(
                1 for b in a.neighbours() if self.department[b] != self.department[a]),
        }[c.strategy]
        size = min(len(eligible), max(c.effort, math.ceil(c.focus * len(eligible))))
        ranked = sorted(eligible, key=lambda a: (-score(a), self.random.random()))
        return ranked[:size]

    def compute_benefit(self) -> float:
        b = self.config.benefit
        members = sum(1 for a in self.people if a.member_c)
        posts_c = sum(a.posts_c for a in self.people)
        value = 0.0
        if members and posts_c:
            staff_members = [a for a in self.staff if a.member_c]
            mean_value = sum(0.5 + a.trust for a in staff_members) / len(staff_members)
            value += b.channel / self.n * members * posts_c * mean_value
        value += b.underground / self.n * sum(a.posts_u * a.n_under for a in self.people)
        return value

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run to ``run.steps`` (or ``steps`` more); return the time series."""
        target = self.config.run.steps if steps is None else self.steps + steps
        while self.steps < target:
            self.step()
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "step", np.arange(len(df)))
        return df
