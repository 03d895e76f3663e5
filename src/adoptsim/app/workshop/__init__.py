"""Workshop mode (``adoptsim workshop``): a room of teams plays the comms manager.

In the spirit of NetLogo's HubNet, one server hosts a room: a facilitator's
page (behind a secret token) and a join page (behind a six-character room
code). Each team plays the comms manager in its own copy of the same
organisation, on the same random draws, deciding round by round (docs/workshop/).

=================  ===============================================================
module             what it holds
=================  ===============================================================
:mod:`.decisions`  what a team decides each round, and the server's check of it
:mod:`.world`      one organisation run round by round; decisions and events on it
:mod:`.room`       the room: teams, rounds, events, leaderboard, saving, CSV export
:mod:`.debrief`    the practitioners' claims, the model's reasons, the room's data
:mod:`.charts`     a team's charts, every team against the no-comms counterfactual
:mod:`.pages`      the join, team and facilitator pages (the module Solara serves)
:mod:`.cli`        the ``adoptsim workshop`` command
=================  ===============================================================

Importing this package imports nothing heavy; :mod:`.pages` imports Solara.
"""
