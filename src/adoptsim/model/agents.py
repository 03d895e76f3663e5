"""Mesa agents as views: each reads and writes its row of the model's arrays.

No state is copied into agents; ``agent.trust = 0.8`` writes
``model.state.trust[agent.node]``.

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


def _row(name: str, doc: str) -> property:
    def get(self: Employee):
        return self.model.state.__dict__[name][self.node].item()

    def set_(self: Employee, value) -> None:
        self.model.state.__dict__[name][self.node] = value

    return property(get, set_, doc=doc)


class Employee(mesa.Agent):
    """An employee: a view of row ``node`` of the model's state."""

    aware = _row("aware", "Has heard of the channel.")
    member_c = _row("member_c", "Member of the official channel C.")
    member_u = _row("member_u", "Member of the underground back-channel U.")
    trust = _row("trust", "Trust in comms, in [0, 1].")
    fear = _row("fear", "Fear of posting, in [0, 1].")
    enthusiasm = _row("enthusiasm", "Enthusiasm for the channel, in [0, 1].")
    champion = _row("champion", "A member from step 0 (the most enthusiastic).")
    posts_c = _row("posts_c", "Posts on C this step.")
    posts_u = _row("posts_u", "Posts on U this step.")
    cum_posts_c = _row("cum_posts_c", "Posts on C so far.")
    followers = _row("followers", "Channel followers (in-degree on C).")

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
    def status(self) -> str:
        """unaware, aware, lurker or active on C (docs/odd.md, section 2.3)."""
        s = self.model.state
        i = self.node
        if s.member_c[i]:
            recent = self.model.steps - s.last_post[i] < self.model.config.posting.window
            return "active" if recent else "lurker"
        return "aware" if s.aware[i] else "unaware"


class CommsManager(Employee):
    """A communications manager: an employee node plus per-manager state."""

    def __init__(self, model: mesa.Model, node: int, index: int) -> None:
        super().__init__(model, node)
        self.index = index

    def _get(self, name: str):
        return getattr(self.model.state.managers, name)[self.index].item()

    @property
    def joined(self) -> bool:
        return self._get("joined")

    @property
    def tone(self) -> float:
        return self._get("tone")

    @tone.setter
    def tone(self, value: float) -> None:
        self.model.state.managers.tone[self.index] = value

    @property
    def reputation(self) -> float:
        return float(self.model.state.managers.reputation()[self.index])

    @property
    def manager_followers(self) -> int:
        """Employees following this manager on C."""
        return self._get("followers")
