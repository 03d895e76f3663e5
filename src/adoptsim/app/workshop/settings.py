"""How a workshop room plays, and how the command hands a game to its server.

Kept apart from :mod:`.room` so that ``adoptsim --help`` and the command's
option checks do not import the model.

Examples
--------
>>> Settings().horizon
104
"""

from __future__ import annotations

from dataclasses import dataclass

#: Environment variables through which ``adoptsim workshop`` hands the server its
#: saved game and the join address to show.
ENV_FILE = "ADOPTSIM_WORKSHOP_FILE"
ENV_JOIN = "ADOPTSIM_WORKSHOP_JOIN"


@dataclass(frozen=True)
class Settings:
    """How the room plays: rounds, weeks per round, the most teams, the scenario's name."""

    rounds: int = 13
    weeks_per_round: int = 8
    max_teams: int = 40
    scenario: str = "baseline"

    @property
    def horizon(self) -> int:
        """Weeks in the whole game."""
        return self.rounds * self.weeks_per_round
