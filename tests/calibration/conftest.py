"""Scenarios, observed files and a finished calibration shared by the calibration tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoptsim.config import load_config
from adoptsim.model.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
FARMERS = ROOT / "docs" / "calibration" / "farmers_yearly.toml"
FARMERS_DATA = ROOT / "data" / "brfarmers" / "people.csv"


def adoptsim(*args: object, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real entry point in a subprocess."""
    return subprocess.run([sys.executable, "-m", "adoptsim.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def small_org(folder: Path, steps: int = 20, employees: int = 200) -> Path:
    """A small generated organisation without comms managers or promotion."""
    path = folder / "small.toml"
    path.write_text(f"[run]\nsteps = {steps}\n[organisation]\nemployees = {employees}\n"
                    f"seed = 5\n[comms]\ncount = 0\n[awareness]\np_comms = 0.0\n")
    return path


def line_network(folder: Path, n: int = 6) -> Path:
    """A scenario on an edge list: a path of ``n`` people named n0, n1, ..."""
    (folder / "edges.csv").write_text(
        "source,target\n" + "".join(f"n{i},n{i + 1}\n" for i in range(n - 1)))
    path = folder / "line.toml"
    path.write_text('[run]\nsteps = 10\n[organisation]\ngenerator = "edgelist"\n'
                    'edges = "edges.csv"\n[comms]\ncount = 0\n')
    return path


def simulate_weekly(scenario: Path, values: dict, seed: int, weeks: list[int],
                    series: tuple[str, ...] = ("member", "active")) -> pd.DataFrame:
    """Weekly shares of one run at ``values``: observed data with a known truth."""
    engine = Engine(load_config(scenario, values), seed)
    engine.advance()
    return pd.DataFrame({"week": weeks, **{s: engine.series[s][weeks] for s in series}})


def simulate_individual(scenario: Path, values: dict, seed: int) -> pd.DataFrame:
    """Who joined when in one run at ``values`` (``id,joined``; empty: never)."""
    cfg = load_config(scenario, values)
    engine = Engine(cfg, seed)
    joined = np.where(engine.state.ever_member, 0, -1)
    for week in range(1, cfg.run.steps + 1):
        engine.advance(1)
        joined[engine.state.ever_member & (joined < 0)] = week
    return pd.DataFrame({"id": engine.network.labels,
                         "joined": [str(j) if j >= 0 else "" for j in joined]})


@pytest.fixture(scope="session")
def calibrated(tmp_path_factory) -> Path:
    """A small finished calibration of the small organisation (through the Python API)."""
    from adoptsim.calibration.calibrate import calibrate

    folder = tmp_path_factory.mktemp("calibrated")
    scenario = small_org(folder)
    observed = folder / "weekly.csv"
    simulate_weekly(scenario, {"joining.rate": 0.1}, 7, list(range(0, 21, 4))).to_csv(
        observed, index=False)
    calibrate(scenario, observed, ["joining.rate=0.01:0.5:log", "posting.intercept=-7:-1"],
              folder / "out", particles=30, generations=2, seed=3)
    return folder / "out"
