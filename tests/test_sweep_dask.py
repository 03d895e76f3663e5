"""Sweeps on a real Dask cluster: a scheduler and two single-threaded workers on 127.0.0.1.

The tests share one cluster; the last one kills a worker, so keep it last.
"""

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client

from adoptsim.sweeps.experiment import load_experiment
from sweep_files import (
    assert_same_results,
    batch_files,
    cli,
    serial_results,
    stored_runs,
    subprocess_env,
)

#: 4 points x 4 replications of runs long enough to kill a worker during them.
SIXTEEN = """
scenario = "small.toml"
replications = 4
seed = 5
[parameters]
"comms.join_step" = [0, 20]
"comms.strategy" = ["random", "champions"]
"""
SCENARIO = "[run]\nsteps = 40\n[organisation]\nemployees = 800\n"
RUNS = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, worker processes); every process is killed at the end."""
    folder = tmp_path_factory.mktemp("dask")
    dask = str(Path(sys.executable).with_name("dask"))
    address = f"tcp://127.0.0.1:{free_port()}"
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = open(folder / f"{name}.log", "w")
        proc = subprocess.Popen([dask, *args], env=subprocess_env(), cwd=folder,
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        procs.append(proc)
        return proc

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port",
              address.rsplit(":", 1)[1], "--no-dashboard")
        workers = [
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--no-nanny",
                  "--no-dashboard", "--name", f"w{i}", "--local-directory", str(folder / f"w{i}"))
            for i in range(2)
        ]
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def sixteen(tmp_path_factory):
    """The experiment file and its serial results."""
    return serial_results(tmp_path_factory.mktemp("sixteen"), SIXTEEN, SCENARIO)


def assert_every_run_once(path, out):
    exp = load_experiment(path)
    assert sorted(stored_runs(out)) == sorted(r.run_id for r in exp.runs)
    assert not list((out / "failed").iterdir())


def test_a_dask_cluster_gives_identical_results(cluster, sixteen, tmp_path, monkeypatch, capsys):
    address, _ = cluster
    path, serial = sixteen
    res = cli(monkeypatch, capsys, "sweep", path, "--out", tmp_path / "out",
              "--scheduler", address)
    assert res.code == 0, res.text
    assert f"Dask cluster {address} (2 worker threads)" in res.text
    assert_every_run_once(path, tmp_path / "out")
    assert_same_results(serial, tmp_path / "out")


def test_killing_a_worker_mid_sweep_loses_no_run(cluster, sixteen, tmp_path, monkeypatch,
                                                 capsys):
    address, workers = cluster
    path, serial = sixteen
    out = tmp_path / "out"
    killed_at: list[int] = []

    def kill_w0_while_it_has_work() -> None:
        with Client(address, timeout="30s", set_as_default=False) as watcher:
            info = watcher.scheduler_info()["workers"]
            w0 = next(addr for addr, worker in info.items() if worker["name"] == "w0")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and (
                    not batch_files(out) or not watcher.processing([w0])[w0]):
                time.sleep(0.005)
            workers[0].send_signal(signal.SIGKILL)
            killed_at.append(len(stored_runs(out)))

    killer = threading.Thread(target=kill_w0_while_it_has_work, daemon=True)
    killer.start()
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--scheduler", address)
    killer.join(timeout=130)
    assert res.code == 0, res.text
    assert workers[0].wait(timeout=30) == -signal.SIGKILL
    assert killed_at and killed_at[0] < RUNS, "the worker was not killed mid-sweep"
    assert_every_run_once(path, out)
    assert_same_results(serial, out)
