"""Mesa agents as views: each reads and writes its row of the model's arrays.

No state is copied into agents; ``agent.trust = 0.8`` writes
``model.state.trust[agent.node]``, which the next week's compiled step reads.

Examples
--------
>>> from adoptsim import AdoptionModel
>>> model = AdoptionModel(employees=50, steps=1, rng=0)
>>> agent = model.agents_by_type[Employee][0]
>>> agent.trust = 0.25
>>> float(model.state.trust[agent.node]), agent.status in ("unaware", "aware", "lurker", "active")
(0.25, True)
"""

from __future__ import annotations

import mesa


def _row(group: str, name: str, doc: str) -> property:
    """A property reading and writing row ``node`` of ``model.<group>.<name>``."""

    def get(self: Employee):
        return getattr(getattr(self.model, group), name)[self.node].item()

    def set_(self: Employee, value) -> None:
        getattr(getattr(self.model, group), name)[self.node] = value

    return property(get, set_, doc=doc)


class Employee(mesa.Agent):
    """An employee: a view of row ``node`` of the model's arrays."""

    aware = _row("state", "aware", "Has heard of the channel.")
    member_c = _row("state", "member_c", "Member of the official channel C.")
    member_u = _row("state", "member_u", "Member of an underground back-channel U.")
    trust = _row("state", "trust", "Trust in comms, in [0, 1].")
    fear = _row("state", "fear", "Fear, in [0, 1].")
    frustration = _row("state", "frustration", "Frustration from blocked or removed posts.")
    posts_c = _row("state", "posts_c", "Posts published on C this week.")
    posts_u = _row("state", "posts_u", "Posts on U this week.")
    cum_posts_c = _row("state", "cum_posts_c", "Posts published on C so far.")
    enthusiasm = _row("people", "enthusiasm", "Enthusiasm for the channel, in [0, 1].")
    fear0 = _row("people", "fear0", "Baseline fear, in [0, 1].")
    champion = _row("people", "champion", "A member from step 0 (the most enthusiastic).")
    followers = _row("follow", "followers", "Members following this employee on C.")

    def __init__(self, model: mesa.Model, node: int) -> None:
        super().__init__(model)
        self.node = node

    @property
    def department(self) -> int:
        return int(self.model.network.department[self.node])

    @property
    def team(self) -> int:
        return int(self.model.network.team[self.node])

    @property
    def level(self) -> int:
        return int(self.model.network.level[self.node])

    @property
    def neighbours(self) -> list[int]:
        """Node indices of this employee's org-network ties."""
        net = self.model.network
        if net.complete:
            return [j for j in range(net.n) if j != self.node]
        return net.indices[net.indptr[self.node] : net.indptr[self.node + 1]].tolist()

    @property
    def following(self) -> list[int]:
        """Node indices this employee follows on C."""
        follow = self.model.follow
        return follow.table[self.node, : follow.count[self.node]].tolist()

    @property
    def status(self) -> str:
        """unaware, aware, lurker or active on C (docs/odd.md, section 2.3)."""
        s = self.model.state
        i = self.node
        if s.member_c[i]:
            recent = self.model.steps - s.last_post[i] <= self.model.config.posting.window
            return "active" if recent else "lurker"
        return "aware" if s.aware[i] else "unaware"


class CommsManager(Employee):
    """A communications manager: an employee node plus per-manager state."""

    def __init__(self, model: mesa.Model, node: int, index: int) -> None:
        super().__init__(model, node)
        self.index = index

    def _get(self, name: str):
        return getattr(self.model.comms, name)[self.index].item()

    @property
    def joined(self) -> bool:
        return self._get("joined")

    @property
    def tone(self) -> float:
        return self._get("tone")

    @tone.setter
    def tone(self, value: float) -> None:
        self.model.comms.tone[self.index] = value

    @property
    def reputation(self) -> float:
        """Running share of positive interactions, with a 1-in-2 prior."""
        return (self._get("positive") + 1.0) / (self._get("interactions") + 2.0)

    @property
    def manager_followers(self) -> int:
        """Members following this manager on C."""
        return int(self.model.follow.followers[self.node])
