"""Importers that turn a Slack or Viva Engage export into the files calibration reads.

:func:`read_slack` and :func:`read_viva_engage` read an export into
metadata (:class:`~.common.ExportData`; message text is never kept) and
:func:`import_export` writes ``edges.csv``, ``nodes.csv``,
``observed_individual.csv``, ``observed_weekly.csv`` and
``import_report.json``; :mod:`.common` defines each file. The command line
is :mod:`.cli` (``adoptsim import slack|viva-engage``).
"""

from .common import ExportData, ImportOptions, import_export
from .slack import read_slack
from .viva_engage import read_viva_engage

__all__ = ["ExportData", "ImportOptions", "import_export", "read_slack", "read_viva_engage"]
