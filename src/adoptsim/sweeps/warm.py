"""Imported by a sweep's fork server: loads the compiled weeks once for every worker.

A worker forked from the server starts with the model's compiled code in
memory (from the numba cache, or compiled here once on a first run) instead
of loading it again, so a sweep's workers start in a fraction of a second.
"""

from __future__ import annotations

from ..config import load_config
from ..model.engine import Engine

Engine(load_config(overrides={"organisation.employees": 30, "run.steps": 1}), 0).advance()
