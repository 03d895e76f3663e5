"""The interactive Solara app behind ``adoptsim app`` (see docs/app.md).

=================  ===============================================================
module             what it holds
=================  ===============================================================
:mod:`.pages`      the frame (session, app bar) and the list of pages Solara serves
:mod:`.explore`    the Explore page: one run week by week
:mod:`.compare`    the Compare page: two scenarios over replications, as bands
:mod:`.about`      the About page and the docs it links to
:mod:`.session`    one browser session's state
:mod:`.widgets`    prose, downloads and lever controls shared by the pages
:mod:`.runs`       a session's live run and its chart frames
:mod:`.charts`     live time-series and network charts, the comparison figure
:mod:`.positions`  where the network view draws each employee
:mod:`.levers`     the levers, presets and start-up settings
:mod:`.server`     starting and stopping the Solara server
:mod:`.cli`        the ``adoptsim app`` command (and serving from the terminal)
:mod:`.workshop`   ``adoptsim workshop``: a room of teams (see its own modules)
=================  ===============================================================

Importing this package imports nothing heavy; the page modules import Solara.

Examples
--------
>>> from adoptsim.app.levers import LEVERS
>>> [lever.key for lever in LEVERS][:3]
['organisation.employees', 'population.fear_a', 'comms.count']
"""
