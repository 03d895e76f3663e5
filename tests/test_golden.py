"""Recorded results that a refactor must leave exactly as they are.

The values in ``tests/data/golden.json`` were recorded, on purpose, from
model version 2 as first implemented: every column and
every row of a baseline run's time series and per-manager table (300
employees, 30 weeks, seed 5) and the whole ``summary.parquet`` of a small
sweep (2 design points x 2 replications, 120 employees). A refactor that
changes any result, even in the last digit, fails here. A new model version
that changes results on purpose records them again:

    ADOPTSIM_RECORD_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

(or ``tools/record-golden``), and says in its change why the values moved.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from adoptsim import AdoptionModel

GOLDEN = Path(__file__).parent / "data" / "golden.json"
RECORD = os.environ.get("ADOPTSIM_RECORD_GOLDEN") == "1"
#: Floats may differ by this much (relative); every recorded value matched exactly.
TOLERANCE = 1e-12

BASE = "[run]\nsteps = 12\n[organisation]\nemployees = 120\n"
EXPERIMENT = """
scenario = "base.toml"
name = "golden"
replications = 2
seed = 11
[parameters]
"comms.join_step" = [0, 4]
"""


def _records(frame: pd.DataFrame) -> dict:
    """A frame as JSON-able columns (NaN kept as NaN, numpy scalars as Python's)."""
    return {c: [v.item() if hasattr(v, "item") else v for v in frame[c]] for c in frame.columns}


def baseline_run() -> dict:
    """The baseline scenario at 300 employees for 30 weeks, seed 5."""
    model = AdoptionModel.from_scenario(
        None, {"organisation.employees": 300, "run.steps": 30}, rng=5
    )
    model.run()
    return {"timeseries": _records(model.timeseries()),
            "managers": _records(model.manager_table())}


def small_sweep(folder: Path) -> dict:
    """``summary.parquet`` of a 2 x 2 sweep run through the real command line."""
    (folder / "base.toml").write_text(BASE)
    (folder / "exp.toml").write_text(EXPERIMENT)
    out = folder / "out"
    subprocess.run(
        [sys.executable, "-m", "adoptsim.cli", "sweep", str(folder / "exp.toml"), "--out",
         str(out), "--workers", "1"],
        check=True, capture_output=True, text=True,
    )
    return _records(pd.read_parquet(out / "summary.parquet"))


def record(folder: Path) -> dict:
    """Compute every recorded value (for :data:`GOLDEN`)."""
    return {"baseline": baseline_run(), "sweep_summary": small_sweep(folder)}


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def assert_same_table(got: dict, want: dict, what: str) -> None:
    assert list(got) == list(want), f"{what}: columns differ"
    for column, values in want.items():
        assert len(got[column]) == len(values), f"{what}.{column}: row count differs"
        for row, (x, y) in enumerate(zip(got[column], values, strict=True)):
            assert _same(x, y), f"{what}.{column} row {row}: {x!r} != recorded {y!r}"


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> dict:
    if RECORD:
        values = record(tmp_path_factory.mktemp("golden"))
        GOLDEN.write_text(json.dumps(values, indent=1) + "\n")
    return json.loads(GOLDEN.read_text())


def test_baseline_time_series_and_manager_table_are_as_recorded(golden):
    got = baseline_run()
    assert_same_table(got["timeseries"], golden["baseline"]["timeseries"], "timeseries")
    assert_same_table(got["managers"], golden["baseline"]["managers"], "managers")
    assert len(golden["baseline"]["timeseries"]["step"]) == 31


def test_sweep_summary_is_as_recorded(golden, tmp_path):
    got = small_sweep(tmp_path)
    assert_same_table(got, golden["sweep_summary"], "summary.parquet")
    assert len(golden["sweep_summary"]["run_id"]) == 4
