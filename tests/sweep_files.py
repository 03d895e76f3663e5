"""Shared helpers of the sweep tests: small experiment files and an in-process CLI."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from adoptsim.cli import main
from adoptsim.sweeps.results import load_results

ROOT = Path(__file__).resolve().parents[1]

#: A small, fast base scenario (runs take a fraction of a second).
SMALL = "[run]\nsteps = 20\n[organisation]\nemployees = 200\n"

#: 4 design points x 3 replications = 12 runs.
GRID = """
scenario = "small.toml"
name = "grid"
replications = 3
seed = 7
[parameters]
"comms.join_step" = [0, 10]
"channel.policy" = ["open", "shutdown"]
[overrides]
"channel.policy_start" = 10
"""


def write_experiment(folder: Path, body: str = GRID, scenario: str = SMALL,
                     name: str = "exp.toml") -> Path:
    """Write ``small.toml`` and an experiment file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.toml").write_text(scenario)
    path = folder / name
    path.write_text(body)
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr with line wrapping undone (rich wraps at 80 columns)."""
        return " ".join((self.out + " " + self.err).split())


def cli(monkeypatch, capsys, *args: str) -> Result:
    """Run ``adoptsim ARGS`` in this process through ``main()`` (exit codes included)."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["adoptsim", *map(str, args)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def serial_results(folder: Path, body: str, scenario: str) -> tuple[Path, Path]:
    """Write an experiment into ``folder``, run it in-process; return (file, store root)."""
    from adoptsim.sweeps.executors import open_executor
    from adoptsim.sweeps.experiment import load_experiment
    from adoptsim.sweeps.run import run_sweep
    from adoptsim.sweeps.store import Store

    path = write_experiment(folder, body, scenario)
    exp = load_experiment(path)
    store = Store(folder / "serial")
    store.initialise(exp)
    with open_executor(workers=1) as (executor, in_flight, _):
        run_sweep(exp, store, executor, in_flight)
    return path, store.root


def assert_same_results(a: Path, b: Path) -> None:
    """Every value of design, summary and time series is identical."""
    ra, rb = load_results(a), load_results(b)
    for name in ("design", "summary", "timeseries"):
        pd.testing.assert_frame_equal(getattr(ra, name), getattr(rb, name), check_exact=True)


def batch_files(out: Path) -> list[Path]:
    """The store's batch files (each holds one or more finished runs)."""
    return sorted((out / "runs").glob("[!.]*.parquet"))


def stored_runs(out: Path) -> list[str]:
    """Ids of the runs in the store's readable batch files (a run twice counts twice)."""
    from adoptsim.sweeps.store import read_summaries

    return [rid for path in batch_files(out) for rid in read_summaries(path)]


def subprocess_env() -> dict[str, str]:
    """Environment for child processes: they import adoptsim from src/."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p
    )
    return env
