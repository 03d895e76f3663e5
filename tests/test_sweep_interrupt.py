"""A sweep driver killed or interrupted mid-way: nothing lost, resume runs each run once."""

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from adoptsim.sweeps.experiment import load_experiment
from sweep_files import (
    ROOT,
    assert_same_results,
    batch_files,
    cli,
    serial_results,
    stored_runs,
    subprocess_env,
)

#: 8 points x 5 replications = 40 runs: long enough to interrupt half-way.
FORTY = """
scenario = "small.toml"
replications = 5
seed = 11
[parameters]
"comms.join_step" = [0, 2, 4, 6, 8, 10, 12, 14]
"""
SCENARIO = "[run]\nsteps = 30\n[organisation]\nemployees = 300\n"
RUNS = 40


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    """The experiment file and its serial results, for comparison."""
    return serial_results(tmp_path_factory.mktemp("forty"), FORTY, SCENARIO)


def start_driver(path, out):
    return subprocess.Popen(
        [sys.executable, "-m", "adoptsim.cli", "sweep", str(path), "--out", str(out),
         "--workers", "2"],
        cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,  # its own process group, like a terminal job
    )


def wait_for_batches(out, count, proc, timeout=120.0):
    deadline = time.monotonic() + timeout
    while len(batch_files(out)) < count:
        assert proc.poll() is None, f"driver ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "no batch files appeared in time"
        time.sleep(0.01)


def group_alive(pgid: int) -> list[int]:
    alive = []
    for p in psutil.process_iter(["status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(p.pid)
        except (ProcessLookupError, psutil.Error):
            pass
    return alive


def wait_until_gone(pgid: int, timeout=15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def resume_and_check(path, out, serial, monkeypatch, capsys, saved):
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--workers", "2")
    assert res.code == 0, res.text
    assert f"{saved} of {RUNS} runs already done" in res.text
    assert f"running {RUNS - saved} runs" in res.text
    exp = load_experiment(path)
    assert sorted(stored_runs(out)) == sorted(r.run_id for r in exp.runs)
    assert not list(out.rglob("*.partial")) and not list((out / "failed").iterdir())
    assert_same_results(serial, out)


def test_killed_driver_leaves_no_workers_and_resumes_every_run_once(
        forty, tmp_path, monkeypatch, capsys):
    path, serial = forty
    out = tmp_path / "out"
    proc = start_driver(path, out)
    try:
        wait_for_batches(out, 2, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # The pool's workers notice their driver is gone and exit.
        assert wait_until_gone(proc.pid) == []
    finally:
        kill_group(proc)
    saved = len(stored_runs(out))
    assert 2 <= saved < RUNS, "the driver was not killed mid-way"
    resume_and_check(path, out, serial, monkeypatch, capsys, saved)


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(forty, tmp_path, monkeypatch, capsys):
    path, serial = forty
    out = tmp_path / "out"
    proc = start_driver(path, out)
    try:
        wait_for_batches(out, 2, proc)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert wait_until_gone(proc.pid) == []
    finally:
        kill_group(proc)
    text = " ".join(err.split())
    saved = len(stored_runs(out))
    assert 2 <= saved < RUNS, "the sweep was not interrupted mid-way"
    assert f"Interrupted: {saved} of {RUNS} runs are saved" in text
    assert "Run the same command again to resume" in text and "Traceback" not in text
    assert not (out / ".stop").exists() and not list(out.rglob("*.partial"))
    resume_and_check(path, out, serial, monkeypatch, capsys, saved)
