"""The package's version: its one home (pyproject.toml reads it from here).

A literal, not ``importlib.metadata.version``, which costs a tenth of a
second at every start of the command.

Examples
--------
>>> __version__.count(".") >= 2
True
"""

__version__ = "0.2.0"
