"""The adoptsim model written the ordinary Mesa way: the performance baseline.

One Python agent object per employee, each on a cell of a
:class:`mesa.discrete_space.Network`; comms managers are employees too (a
subclass). A week runs the schedule of docs/odd.md (sections 3 and 8) as
calls on agent sets: the employees ``sense`` their neighbourhood (the state
at the start of the week) and then ``act`` on what they sensed, so the
update is synchronous as in adoptsim; then they publish, ``read`` the
channel, ``follow``, the managers read, engage and review, and everyone
updates trust. A :class:`mesa.DataCollector` with model reporters records the
time series under adoptsim's column names.

The rules and parameters are those of model version 2 (docs/odd.md,
section 8), read from the same :class:`~adoptsim.config.ScenarioConfig`
(flat keyword names as for :class:`adoptsim.AdoptionModel`), on the same
organisation network for a seed (built by :func:`adoptsim.network.build_network`
from the stream adoptsim builds it from). Random numbers come from Mesa's
``model.random`` (Python's generator) and, for Beta, log-normal and Poisson
draws, ``model.rng``: runs are reproducible, but not number-for-number equal
to adoptsim's counter-based numbers. The two are the same model in
distribution (``tests/test_plain_mesa.py``), which is what makes the speed
comparison one of like with like; nothing here is vectorised, that being
the point of the comparison.

Every submodel is implemented; the well-mixed ``complete`` generator is not
(it has no ties to put cells on).

Examples
--------
>>> model = PlainMesaModel(employees=200, steps=5, rng=1)
>>> ts = model.run()
>>> len(ts), bool(0 <= ts["member"].iloc[-1] <= 1)
(6, True)
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, NamedTuple

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Cell, FixedAgent, Network

from adoptsim.config import ScenarioConfig, as_config, flat_to_dotted, with_overrides
from adoptsim.errors import InputError
from adoptsim.model.model import run_seed
from adoptsim.model.params import TIE_FLOOR
from adoptsim.model.state import NEVER, manager_nodes
from adoptsim.model.targeting import STRATEGIES
from adoptsim.network import build_network


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


@dataclass(slots=True)
class Post:
    """A post shown on the channel this week (docs/odd.md, section 8.9)."""

    author: Employee
    harmful: bool = False
    mention: CommsManager | None = None  # a mention of this manager


#: Strategies that rank members by what they do: the attribute they rank by. The other
#: ranking strategies rank by a score fixed for the run (``Employee.rank_score``).
RANKED_BY = {"champions": "cum_posts_c", "followers": "followers"}


class Pools(NamedTuple):
    """Whom the managers can engage with this week, and the top-ranked parts."""

    members: list[Employee]
    top_members: list[Employee]
    others: list[Employee]  # aware non-members (invitations)
    top_others: list[Employee]


class Employee(FixedAgent):
    """An employee: the state of docs/odd.md, section 2, as attributes."""

    def __init__(self, model: PlainMesaModel, cell: Cell, department: int) -> None:
        super().__init__(model)
        self.cell = cell
        self.department = department
        self.degree = len(cell.neighborhood)
        pop = model.config.population
        rng = model.rng
        self.enthusiasm = float(rng.beta(pop.enthusiasm_a, pop.enthusiasm_b))
        self.fear0 = float(rng.beta(pop.fear_a, pop.fear_b))
        s = pop.posting_sigma
        self.intensity = float(rng.lognormal(-(s**2) / 2, s))
        self.trust = float(rng.beta(pop.trust_a, pop.trust_b))
        self.fear = self.fear0
        self.frustration = 0.0
        self.aware = self.member_c = self.ever_member = self.member_u = False
        self.invited = False
        self.last_post = self.last_post_u = NEVER
        self.cum_posts_c = 0
        self.rank_score = 0  # a static targeting strategy's score
        # This week's posts and events.
        self.posts_c = self.removed = self.blocked = self.posts_u = self.harmful_u = 0
        self.shown: list[Post] = []  # posts others can read this week
        self.first_shown = 0  # index of the first of them in model.shown
        self.joined_now = self.rejoined = self.left = self.founded = False
        # A mention of a manager, pending until a post of one's own carries it.
        self.mention_of: CommsManager | None = None
        self.mention_at = 0
        # The follow graph on the channel.
        self.following: list[Employee] = []
        self.followers = 0  # members following this employee
        self.managers_followed = 0
        # What the employee read this week (docs/odd.md, section 8.9).
        self.rep_sum = 0.0
        self.rep_n = self.unfollowed_reads = 0
        self.exposure_candidate: Employee | None = None
        self.mention_candidate: CommsManager | None = None
        # The neighbourhood at the start of the week.
        self.n_member = self.n_active = self.n_under = self.n_sanct = 0
        self.trust_sum = 0.0

    def is_active(self, t: int) -> bool:
        """A member of the channel who posted there in the last ``posting.window`` weeks."""
        return self.member_c and t - self.last_post <= self.model.config.posting.window

    # ---------------------------------------------------------------- sensing
    def sense(self) -> None:
        """Count the neighbours by state, as they are at the start of the week."""
        t = self.model.t
        window = self.model.config.posting.window
        n_member = n_active = n_under = n_sanct = 0
        trust_sum = 0.0
        for other in self.cell.neighborhood.agents:
            if other.member_c:
                n_member += 1
                trust_sum += other.trust
                if t - other.last_post <= window:
                    n_active += 1
            if other.member_u:
                n_under += 1
            if other.removed:
                n_sanct += 1
        self.n_member, self.n_active, self.n_under, self.n_sanct = (
            n_member, n_active, n_under, n_sanct)
        self.trust_sum = trust_sum

    # ------------------------------------------------------------------ acting
    def act(self) -> None:
        """The employee's own decisions of the week (docs/odd.md, sections 8.3-8.8)."""
        self.posts_c = self.removed = self.blocked = self.posts_u = self.harmful_u = 0
        self.shown = []
        self.joined_now = self.rejoined = self.left = self.founded = False
        k = self.degree
        s_member = self.n_member / k if k else 0.0
        s_active = self.n_active / k if k else 0.0
        s_under = self.n_under / k if k else 0.0
        w = self.model.config.awareness.active_weight
        soc = (1 - w) * s_member + w * s_active
        in_u = self.member_u  # at the start of the week
        self.become_aware(soc)
        self.join_or_leave(soc)
        self.post(s_active, in_u)
        self.send_mention()
        if in_u:
            self.post_underground(s_under)
        self.update_frustration()
        self.go_underground(s_under, in_u)
        self.update_fear(s_active)

    def become_aware(self, soc: float) -> None:
        if self.aware:
            return
        m = self.model
        a = m.config.awareness
        promo = (a.p_comms if m.config.mechanisms.promotion
                 and m.t >= m.config.comms.promote_step else 0.0)
        hazard = a.p_external + promo + a.q * soc
        if self.random.random() < 1 - math.exp(-hazard):
            self.aware = True

    def join_or_leave(self, soc: float) -> None:
        m = self.model
        cfg = m.config
        if not m.closed:
            if self.aware and not self.member_c:
                j = cfg.joining
                kappa = m.friction
                f = self.fear if cfg.mechanisms.fear_joining else self.fear0
                g = max(0.0, 1 - cfg.fear.join_weight * f)
                if j.instant:
                    p = (1 - kappa) * g
                else:
                    p = min(1.0, (1 - kappa) * j.rate * (self.enthusiasm + soc)) * g
                if self.invited:
                    p_inv = min(1.0, j.invite_rate * (1 - kappa) * (0.5 + self.trust)) * g
                    p = 1 - (1 - p) * (1 - p_inv)
                if self.random.random() < p:
                    self.member_c = True
                    self.rejoined, self.joined_now = self.ever_member, not self.ever_member
                    self.ever_member = True
            elif self.member_c and cfg.mechanisms.churn:
                if self.random.random() < cfg.joining.leave_rate * max(0.0, self.fear - self.fear0):
                    self.member_c = False
                    self.left = True
        self.invited = False

    def _posting_fear(self) -> float:
        return self.fear if self.model.config.mechanisms.fear_posting else self.fear0

    def post(self, s_active: float, in_u: bool) -> None:
        """Posts on the channel: each may be harmful, blocked, diverted to U or removed."""
        m = self.model
        if not self.member_c or m.closed:
            return
        cfg = m.config
        p = cfg.posting
        f = self._posting_fear()
        if p.mode == "threshold":
            phi = (p.threshold + p.fear_shift * f - p.enthusiasm_shift * self.enthusiasm
                   - p.trust_shift * (self.trust - 0.5))
            n = int(self.degree > 0 and self.n_active >= phi * self.degree - 1e-12)
        else:
            x = (p.intercept + p.social * s_active + p.enthusiasm * self.enthusiasm
                 - p.fear * f + p.trust * (self.trust - 0.5))
            n = int(m.rng.poisson(self.intensity * _logistic(x)))
        if not n:
            return
        rnd = self.random.random
        detect = cfg.channel.harm_detection
        sanction = cfg.fear.sanction_rate * m.policing
        divert = _clip01(f + self.frustration - self.fear0) if in_u else 0.0
        published = 0
        for _ in range(n):
            harmful = rnd() < p.harmful
            if rnd() < (min(1.0, detect * m.restriction) if harmful else m.restriction):
                self.blocked += 1
            elif in_u and rnd() < divert:
                self.posts_u += 1
                self.harmful_u += harmful
            else:
                published += 1
                if rnd() < (min(1.0, detect * sanction) if harmful else sanction):
                    self.removed += 1  # read by nobody
                else:
                    self.shown.append(Post(self, harmful))
        if published:
            self.posts_c = published
            self.cum_posts_c += published
            self.last_post = m.t

    def send_mention(self) -> None:
        """A pending mention goes out with a shown post; it lapses after the window."""
        if self.mention_of is None:
            return
        if self.shown:
            self.shown.append(Post(self, mention=self.mention_of))
            self.mention_of = None
        elif self.model.t - self.mention_at >= self.model.config.posting.window:
            self.mention_of = None

    def post_underground(self, s_under: float) -> None:
        """Posts on a back-channel, where nobody watches: baseline fear, no restriction."""
        m = self.model
        p = m.config.posting
        x = (p.intercept + p.social * s_under + p.enthusiasm * self.enthusiasm
             - p.fear * self.fear0 + p.trust * (self.trust - 0.5))
        n = int(m.rng.poisson(self.intensity * _logistic(x)))
        for _ in range(n):
            self.harmful_u += self.random.random() < p.harmful
        self.posts_u += n
        if self.posts_u:
            self.last_post_u = m.t

    def update_frustration(self) -> None:
        u = self.model.config.underground
        if self.model.config.mechanisms.frustration:
            self.frustration = (u.frustration_decay * self.frustration
                                + u.frustration * (self.blocked + self.removed))

    def go_underground(self, s_under: float, in_u: bool) -> None:
        """Idle back-channel members lapse; the frustrated found one, others join one."""
        m = self.model
        u = m.config.underground
        phi = self.frustration
        if in_u:
            if m.t - self.last_post_u >= m.config.posting.window:
                self.member_u = False
        elif phi > 0 and self.random.random() < u.found * self.enthusiasm * min(phi, 1.0):
            self.member_u = self.founded = True
            self.last_post_u = m.t
        elif self.aware and s_under > 0:
            if self.random.random() < u.rate * self.enthusiasm * (self.fear + phi) * s_under:
                self.member_u = True
                self.last_post_u = m.t

    def update_fear(self, s_active: float) -> None:
        m = self.model
        fc = m.config.fear
        mech = m.config.mechanisms
        f = self.fear
        if mech.policing_fear:
            if self.removed:
                f += fc.sanction_fear
            f = min(1.0, f + fc.neighbour_fear * min(self.n_sanct, 3))
        target = self.fear0 - fc.reassurance * s_active
        if mech.policing_fear:
            target += fc.policing_weight * m.policing
        if mech.surveillance_chill and m.manager_on:
            c = m.config.comms
            target += (fc.monitoring_weight * c.visibility * c.monitoring
                       * (fc.chill_trust - self.trust) * (1 + c.authority))
        self.fear = f + fc.relax * (_clip01(target) - f)

    # ----------------------------------------------------------------- reading
    def read(self) -> None:
        """Read the channel (followees' posts and a feed) and back-channel ties' posts."""
        self.rep_sum = 0.0
        self.rep_n = self.unfollowed_reads = 0
        self.exposure_candidate = self.mention_candidate = None
        m = self.model
        cfg = m.config
        rnd = self.random.random
        view = cfg.visibility.follower_view
        if self.member_c and not m.closed:
            for followee in self.following:
                for post in followee.shown:
                    if rnd() < view:
                        self.read_post(post, in_feed=False)
            feed = cfg.visibility.feed if cfg.mechanisms.feed else 0.0
            own = len(self.shown)
            others = len(m.shown) - own
            if feed > 0 and others > 0:
                k = min(int(m.rng.poisson(feed)), others)
                for x in self.random.sample(range(others), k):  # distinct, not one's own
                    self.read_post(m.shown[x if x < self.first_shown else x + own], in_feed=True)
        if self.member_u:
            for other in self.cell.neighborhood.agents:
                if other.member_u:
                    for p in range(other.posts_u):
                        if rnd() < view:
                            m.count_read(self, other, harmful=p < other.harmful_u,
                                         comms=False, underground=True)

    def read_post(self, post: Post, in_feed: bool) -> None:
        author = post.author
        comms = isinstance(author, CommsManager)
        self.model.count_read(self, author, post.harmful, comms, underground=False)
        if comms:
            self.rep_sum += author.reputation
            self.rep_n += 1
        if post.mention is not None:
            self.rep_sum += post.mention.reputation
            self.rep_n += 1
            if post.mention not in self.following:
                self.mention_candidate = post.mention
        if in_feed and author not in self.following:
            # Keep one unfollowed poster, uniformly, as the candidate of an exposure follow.
            self.unfollowed_reads += 1
            if self.random.random() < 1 / self.unfollowed_reads:
                self.exposure_candidate = author

    # --------------------------------------------------------------- following
    def add_follow(self, other: Employee, route: str) -> None:
        """Follow ``other`` by ``route`` (an :data:`EVENTS` name) unless it is oneself,
        already followed, or the row is full."""
        if (other is self or other in self.following
                or len(self.following) >= self.model.config.following.cap):
            return
        self.following.append(other)
        other.followers += 1
        if isinstance(other, CommsManager):
            self.managers_followed += 1
        self.model.events[route] += 1

    def remove_follow(self, other: Employee) -> None:
        self.following.remove(other)
        other.followers -= 1
        if isinstance(other, CommsManager):
            self.managers_followed -= 1
        self.model.events["unfollows"] += 1

    def follow(self, new_managers: list[CommsManager]) -> None:
        """This week's follows, route by route (docs/odd.md, section 8.10)."""
        if not self.member_c:
            return
        m = self.model
        cfg = m.config
        mech = cfg.mechanisms
        rnd = self.random.random
        if self.joined_now:
            j = cfg.joining
            preferential = j.preferential if mech.preferential_follow else 0.0
            members, cum_weights = m.popular
            for _ in range(j.follows):
                if rnd() < preferential:  # weight followers + 1
                    other = self.random.choices(members, cum_weights=cum_weights)[0]
                    self.add_follow(other, "follows_preferential")
                    continue
                other = self.cell.neighborhood.select_random_agent(default=None)
                if other is None or not other.member_c:
                    other = self.random.choice(members)
                self.add_follow(other, "follows_neighbour")
        if mech.authority_follow:
            for manager in m.comms:
                if manager.joined and (self.joined_now or manager.joined_at == m.t):
                    if rnd() < cfg.comms.authority:
                        self.add_follow(manager, "follows_authority")
        if self.exposure_candidate is not None and mech.exposure_follow:
            if rnd() < 1 - (1 - cfg.following.exposure_rate) ** self.unfollowed_reads:
                self.add_follow(self.exposure_candidate, "follows_exposure")
        if self.mention_candidate is not None and mech.reshare:
            if rnd() < cfg.following.mention_follow:
                self.add_follow(self.mention_candidate, "follows_mention")
        if mech.follow_back:
            for manager in new_managers:
                if self in manager.follows and rnd() < self.trust:
                    self.add_follow(manager, "follows_back")

    # ------------------------------------------------------------------- trust
    def update_trust(self) -> None:
        """DeGroot towards member neighbours, then a drift towards the managers read."""
        cfg = self.model.config
        t = self.trust
        if cfg.mechanisms.peer_trust and self.n_member:
            mu = cfg.trust.averaging
            t = (1 - mu) * t + mu * self.trust_sum / self.n_member
        if cfg.mechanisms.ambient_trust and self.member_c and self.rep_n:
            t += cfg.trust.ambient * (self.rep_sum / self.rep_n - t)
        self.trust = _clip01(t)


class CommsManager(Employee):
    """A comms manager: joins, follows, posts, reads, engages and reviews its tone."""

    def __init__(self, model: PlainMesaModel, cell: Cell, department: int) -> None:
        super().__init__(model, cell, department)
        self.joined = False
        self.joined_at = -1
        self.tone = model.config.comms.tone
        self.direction = 1.0
        self.delta = 0.1  # the next review's step
        self.rises = 0
        self.positive = self.interactions = 0
        self.window_positive = self.window_interactions = 0
        self.last_rate = math.nan
        self.read_share = 0.0
        self.ties: dict[Employee, float] = {}  # relationship strength r
        self.follows: set[Employee] = set()  # the members this manager follows

    @property
    def reputation(self) -> float:
        """The share of positive interactions, with a 1-in-2 prior."""
        return (self.positive + 1) / (self.interactions + 2)

    def join(self, t: int) -> None:
        self.joined = self.member_c = self.ever_member = self.aware = True
        self.joined_at = t

    def pick(self, pool: list[Employee], top: list[Employee], p_ranked: float) -> Employee:
        """From the top-ranked part with P = ``p_ranked`` (if it has anyone), else the pool."""
        if top and self.random.random() < p_ranked:
            return self.random.choice(top)
        return self.random.choice(pool)

    def follow_members(self, pools: Pools) -> None:
        """On joining, follow ``comms.follows`` distinct members (docs/odd.md, section 8.2)."""
        c = self.model.config.comms
        want = min(c.follows, len(pools.members))
        for _ in range(4 * want + 16):  # a repeat is redrawn, within a budget
            if len(self.follows) >= want:
                break
            self.follows.add(self.pick(pools.members, pools.top_members, c.monitoring))

    def publish(self, posts: int) -> None:
        self.shown = [Post(self) for _ in range(posts)] if self.joined else []

    def read_channel(self) -> None:
        """Read the members followed and a feed: the share of this week's posts read."""
        m = self.model
        cfg = m.config
        self.read_share = 0.0
        others = len(m.shown) - len(self.shown)
        if not self.joined or m.closed or others <= 0:
            return
        view = cfg.visibility.follower_view
        reads = sum(self.random.random() < view for a in self.follows for _ in a.shown)
        if cfg.mechanisms.feed:
            reads += min(int(m.rng.poisson(cfg.visibility.feed)), others)
        self.read_share = min(1.0, reads / others)

    def engage(self, pools: Pools) -> None:
        """``comms.effort`` invitations and interactions with members (section 8.12)."""
        if not self.joined:
            return
        m = self.model
        cfg = m.config
        c, tr, mech = cfg.comms, cfg.trust, cfg.mechanisms
        rnd = self.random.random
        p_ranked = max(c.monitoring, self.read_share)
        for _ in range(c.effort):
            if pools.others and (not pools.members or rnd() < c.invite_share):
                other = self.pick(pools.others, pools.top_others, p_ranked)
                other.invited = True  # decides next week
                m.events["invitations"] += 1
                continue
            other = self.pick(pools.members, pools.top_members, p_ranked)
            self.interactions += 1
            self.window_interactions += 1
            t = other.trust
            if rnd() < 0.2 + 0.6 * (1 - abs(self.tone - m.best_tone)) * (0.5 + t):
                self.positive += 1
                self.window_positive += 1
                r = self.ties.get(other, 0.0) + 1
                self.ties[other] = r
                if not mech.relationship_trust:
                    r = 1.0
                other.trust = t + tr.gain * (1 - t) * r / (r + tr.relationship_half)
                other.fear *= 0.9
                if rnd() < cfg.following.after_positive:
                    other.add_follow(self, "follows_positive")
                if mech.reshare and other.mention_of is None and rnd() < c.reshare:
                    other.mention_of, other.mention_at = self, m.t
            else:
                other.trust = t - tr.loss * t
                if self in other.following and rnd() < cfg.following.unfollow:
                    other.remove_follow(self)

    def review(self) -> None:
        """Every ``comms.review_every`` weeks of tenure, learn the tone (section 8.13)."""
        c = self.model.config.comms
        tenure = self.model.t + 1 - self.joined_at
        if (not self.joined or tenure <= 0 or tenure % c.review_every
                or not self.window_interactions):
            return
        rate = self.window_positive / self.window_interactions
        if c.learn_tone:
            move = True
            if not math.isnan(self.last_rate):
                if rate < self.last_rate:
                    self.direction = -self.direction
                    self.delta = max(self.delta / 2, 0.025)
                    self.rises = 0
                elif rate > self.last_rate:
                    self.rises += 1
                    if self.rises >= 2:
                        self.delta = min(self.delta * 2, 0.2)
                        self.rises = 0
                else:
                    move = False
            if move:
                tone = self.tone + self.direction * self.delta
                if not 0 <= tone <= 1:  # turn at the bounds
                    self.direction = -self.direction
                    tone = self.tone + self.direction * self.delta
                self.tone = _clip01(tone)
        self.last_rate = rate
        self.window_positive = self.window_interactions = 0

    def decay_ties(self) -> None:
        decay = self.model.config.trust.tie_decay
        for other, r in list(self.ties.items()):
            if r * decay < TIE_FLOOR:
                del self.ties[other]
            else:
                self.ties[other] = r * decay


class PlainMesaModel(mesa.Model):
    """adoptsim's model as ordinary Mesa code (see the module notes).

    Parameters
    ----------
    scenario
        As for :class:`adoptsim.AdoptionModel`: a path, a config, a dict or None.
    rng
        The seed, as for :class:`adoptsim.AdoptionModel` (None: fresh entropy);
        the organisation network is the one adoptsim builds for it.
    **params
        Flat overrides (``employees=500``, ``comms_join_step=13``), as for
        :class:`adoptsim.AdoptionModel`.

    Raises
    ------
    InputError
        For bad parameters, as :class:`adoptsim.AdoptionModel` does.
    NotImplementedError
        For the ``complete`` generator (no ties to place agents on).
    """

    def __init__(self, scenario: Any = None, *, rng: Any = None, **params: Any) -> None:
        cfg: ScenarioConfig = as_config(scenario)
        if params:
            cfg = with_overrides(cfg, flat_to_dotted(params))
        if cfg.organisation.generator == "complete":
            raise NotImplementedError("the plain Mesa baseline has no 'complete' generator")
        seed = run_seed(rng)
        self.seed = seed
        super().__init__(rng=rng if seed is None else seed)
        self.config = cfg
        # The same organisation network as adoptsim's (the first stream spawned).
        net_rng, _ = self.rng.spawn(2)
        if cfg.organisation.seed is not None:
            net_rng = np.random.default_rng(cfg.organisation.seed)
        net = build_network(cfg.organisation, net_rng, cfg.resolve_path)
        self.space = Network(net.to_networkx(), random=self.random, layout=None)
        managers = set(manager_nodes(cfg, net).tolist())
        for node in range(net.n):
            kind = CommsManager if node in managers else Employee
            kind(self, self.space[node], int(net.department[node]))
        self.staff = self.agents.select(lambda a: not isinstance(a, CommsManager))
        self.comms = self.agents.select(lambda a: isinstance(a, CommsManager))
        self.n_staff = len(self.staff)
        # Champions: the most enthusiastic share of staff, members from week 0.
        n_champ = round(cfg.population.champion_share * self.n_staff)
        champions = sorted(self.staff, key=lambda a: -a.enthusiasm)[:n_champ]
        for a in champions:
            a.aware = a.member_c = a.ever_member = True
        for a in self.comms:
            a.aware = True
        if cfg.posting.initial_active > n_champ:
            raise InputError(
                f"posting.initial_active = {cfg.posting.initial_active} exceeds the number of "
                f"members at step 0 ({n_champ} champions); raise population.champion_share "
                f"or lower initial_active.")
        for a in self.random.sample(champions, cfg.posting.initial_active):
            a.last_post = -1
        strategy = STRATEGIES[cfg.comms.strategy]
        if strategy.score is not None and len(self.comms):
            k = max(cfg.comms.effort, math.ceil(cfg.comms.focus * net.n))
            for a, score in zip(self.agents, strategy.score(net, k, self.rng), strict=True):
                a.rank_score = int(score)
        self.friction = self.policing = self.restriction = 0.0
        self.best_tone = cfg.trust.best_tone
        self.closed = self.manager_on = False
        self.t = -1
        self.shown: list[Post] = []
        self.popular: tuple[list[Employee], list[int]] = ([], [])
        self.reads_c = self.reads_u = self.harmful_reads = 0
        self.weight_conv = self.weight_comms = 0.0
        self.events: Counter[str] = Counter()  # this week's follows, invitations, ...
        self.benefit = self.benefit_cum = 0.0
        self.benefit_comms = self.benefit_comms_cum = 0.0
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

    # -------------------------------------------------------------- the week
    def step(self) -> None:
        """One week (docs/odd.md, section 3)."""
        self.t = t = self.steps - 1
        self.reads_c = self.reads_u = self.harmful_reads = 0
        self.weight_conv = self.weight_comms = 0.0
        self.events.clear()
        self.policy_switch()
        new_managers = self.managers_join()
        self.manager_on = not self.closed and any(m.joined for m in self.comms)
        for manager in self.comms:
            manager.trust = manager.reputation  # what its ties see
        self.staff.do("sense")
        self.staff.do("act")
        self.publish()
        self.staff.do("read")
        self.following(new_managers)
        self.comms.do("read_channel")
        c = self.config.comms
        if not self.closed and STRATEGIES[c.strategy].engages and c.effort:
            pools = self.pools()
            if pools.members or pools.others:
                self.comms.do("engage", pools)
        self.comms.do("review")
        self.staff.do("update_trust")
        self.comms.do("decay_ties")
        b = self.config.benefit
        staff = max(self.n_staff, 1)
        self.benefit = (b.per_view * self.weight_conv - b.harm * self.harmful_reads) / staff
        self.benefit_cum += self.benefit
        self.benefit_comms = b.per_view * self.weight_comms / staff
        self.benefit_comms_cum += self.benefit_comms
        self.datacollector.collect(self)
        self.running = t + 1 < self.config.run.steps

    def policy_switch(self) -> None:
        """At ``channel.policy_start`` the policy's levers take effect; a shutdown closes C."""
        ch = self.config.channel
        if self.t != ch.policy_start:
            return
        self.friction, self.policing, self.restriction = ch.levers()
        self.best_tone = _clip01(self.config.trust.best_tone + self.config.trust.best_tone_shift)
        if ch.policy == "shutdown" and not self.closed:
            for a in self.staff:
                if a.is_active(self.t) and self.config.mechanisms.frustration:
                    a.frustration += 1.0
            for a in self.agents:
                a.member_c = False
                a.followers = 0
            self.closed = True

    def managers_join(self) -> list[CommsManager]:
        """Managers whose week has come join C and follow members; returns them."""
        if self.closed or self.t < self.config.comms.join_step:
            return []
        new = [m for m in self.comms if not m.joined]
        for manager in new:
            manager.join(self.t)
        if new and self.config.comms.follows:
            pools = self.pools()
            if pools.members:
                for manager in new:
                    manager.follow_members(pools)
        return new

    def publish(self) -> None:
        """Lay out this week's shown posts, poster by poster (the feed draws from them)."""
        mech, c = self.config.mechanisms, self.config.comms
        posts = c.posts if mech.manager_posts and not self.closed else 0
        for manager in self.comms:
            manager.publish(posts)
        self.shown = []
        for a in self.agents:
            a.first_shown = len(self.shown)
            self.shown += a.shown

    def count_read(self, reader: Employee, author: Employee, harmful: bool, comms: bool,
                   underground: bool) -> None:
        """One read: its count, its benefit weight and harm (docs/odd.md, section 8.9)."""
        if underground:
            self.reads_u += 1
        else:
            self.reads_c += 1
        cross = reader.department != author.department
        self.events["cross_reads"] += cross
        weight = 1 + self.config.benefit.cross_silo * cross
        if comms:
            self.weight_comms += weight
        else:
            self.weight_conv += weight
        self.harmful_reads += harmful

    def following(self, new_managers: list[CommsManager]) -> None:
        """Leavers' follows stop counting, rejoiners' count again; then members follow."""
        for a in self.staff:
            if a.left or a.rejoined:
                for other in a.following:
                    other.followers += 1 if a.rejoined else -1
        if self.closed:
            return
        if self.config.joining.follows and any(a.joined_now for a in self.staff):
            members = [a for a in self.agents if a.member_c]
            self.popular = (members, list(accumulate(a.followers + 1 for a in members)))
        self.staff.do("follow", new_managers)

    def pools(self) -> Pools:
        """Members and (with invitations) aware non-members, and their top-ranked parts."""
        c = self.config.comms
        members = [a for a in self.staff if a.member_c]
        others = []
        if c.invite and self.config.mechanisms.invitations and not self.closed:
            others = [a for a in self.staff if a.aware and not a.member_c]
        # Strategies that rank by what members do rank no non-members.
        static = STRATEGIES[c.strategy].score is not None
        score = RANKED_BY.get(c.strategy, "rank_score" if static else None)
        top_members = self.top(members, score) if score else []
        top_others = self.top(others, score) if static else []
        return Pools(members, top_members, others, top_others)

    def top(self, pool: list[Employee], score: str) -> list[Employee]:
        """The pool's top ``comms.focus`` share by the attribute ``score`` (at least
        ``comms.effort`` of them), ties at the cut broken at random."""
        c = self.config.comms
        size = min(len(pool), max(c.effort, math.ceil(c.focus * len(pool))))
        rnd = self.random.random
        return heapq.nlargest(size, pool, key=lambda a: (getattr(a, score), rnd()))

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run to ``run.steps`` (or ``steps`` more weeks); return the time series."""
        target = self.config.run.steps if steps is None else self.steps + steps
        while self.steps < target:
            self.step()
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "step", np.arange(len(df)))
        return df


# ------------------------------------------------------------------ reporters
def _share(model: PlainMesaModel, test: Callable[[Employee], bool]) -> float:
    """The share of staff (employees other than the managers) passing ``test``."""
    return sum(1 for a in model.staff if test(a)) / model.n_staff


def _follower_share(model: PlainMesaModel) -> float:
    members = [a for a in model.staff if a.member_c]
    return sum(1 for a in members if a.managers_followed) / len(members) if members else 0.0


def _reach(model: PlainMesaModel) -> float:
    """Staff tied to, followed by, or following a manager."""
    reached = set()
    for manager in model.comms:
        reached.update(manager.ties, manager.follows)
    return _share(model, lambda a: a.managers_followed > 0 or a in reached)


def _managers_mean(model: PlainMesaModel, value: Callable[[CommsManager], float]) -> float:
    return sum(value(m) for m in model.comms) / len(model.comms) if model.comms else math.nan


#: Counts of this week's events, under adoptsim's column names.
EVENTS = ("invitations", "follows_preferential", "follows_neighbour", "follows_authority",
          "follows_exposure", "follows_mention", "follows_back", "follows_positive", "unfollows")


def _event_count(name: str) -> Callable[[PlainMesaModel], int]:
    return lambda m: m.events[name]


def _cross_silo_share(model: PlainMesaModel) -> float:
    reads = model.reads_c + model.reads_u
    return model.events["cross_reads"] / reads if reads else 0.0


#: The time series, under adoptsim's column names.
REPORTERS: dict[str, Any] = {
    "aware": lambda m: _share(m, lambda a: a.aware),
    "member": lambda m: _share(m, lambda a: a.member_c),
    "active": lambda m: _share(m, lambda a: a.is_active(m.steps)),
    "underground": lambda m: _share(m, lambda a: a.member_u),
    "posts_c": lambda m: m.staff.agg("posts_c", sum),
    "posts_u": lambda m: m.staff.agg("posts_u", sum),
    "trust": lambda m: m.staff.agg("trust", sum) / m.n_staff,
    "fear": lambda m: m.staff.agg("fear", sum) / m.n_staff,
    "frustration": lambda m: m.staff.agg("frustration", sum) / m.n_staff,
    "cm_follower_share": _follower_share,
    "cm_reach": _reach,
    "cm_tone": lambda m: _managers_mean(m, lambda c: c.tone),
    "cm_reputation": lambda m: _managers_mean(m, lambda c: c.reputation),
    "benefit": "benefit",
    "benefit_cum": "benefit_cum",
    "benefit_comms": "benefit_comms",
    "benefit_comms_cum": "benefit_comms_cum",
    "reads_c": "reads_c",
    "reads_u": "reads_u",
    "harmful_reads": "harmful_reads",
    "removed": lambda m: m.staff.agg("removed", sum),
    "blocked": lambda m: m.staff.agg("blocked", sum),
    "leavers": lambda m: m.staff.agg("left", sum),
    "founders": lambda m: m.staff.agg("founded", sum),
    "cross_silo_share": _cross_silo_share,
    **{name: _event_count(name) for name in EVENTS},
}
