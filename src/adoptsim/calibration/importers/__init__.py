"""Importers that turn a Slack or Viva Engage export into the files calibration reads.

:func:`read_slack` and :func:`read_viva_engage` read an export into
metadata (:class:`~.records.ExportData`; message text is never kept) and
:func:`import_export` writes ``edges.csv``, ``nodes.csv``,
``observed_individual.csv``, ``observed_weekly.csv`` and
``import_report.json``; :mod:`.write` defines each file. The modules:

=================  ==========================================================
:mod:`.source`     reading an export (a folder or a zip) and its JSON and CSV
:mod:`.records`    what an export is read into: people, posts, joins
:mod:`.slack`      the Slack workspace export
:mod:`.viva_engage` the Viva Engage (Yammer) network data export
:mod:`.options`    the import's options, checked
:mod:`.pseudonyms` salted-hash pseudonyms
:mod:`.observe`    the chosen channel's joins, weekly series and ties
:mod:`.write`      the output files, written all or none
:mod:`.cli`        ``adoptsim import slack|viva-engage``
=================  ==========================================================
"""

from .options import ImportOptions
from .records import ExportData
from .slack import read_slack
from .viva_engage import read_viva_engage
from .write import import_export

__all__ = ["ExportData", "ImportOptions", "import_export", "read_slack", "read_viva_engage"]
