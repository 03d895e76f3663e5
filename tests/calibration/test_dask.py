"""``adoptsim calibrate --scheduler``: a local Dask cluster against a local run with one seed.

What pyabc allows: its Dask sampler reseeds every worker from the operating
system and keeps the particles that finish first, so a cluster cannot give
the very numbers of a local run. What must hold, and is tested here:

* every run is a pure function of the seed and its parameter values: the
  particles a Dask worker simulated give the same statistics, to the last
  bit, when run again in this process;
* the posterior is the same distribution: each key's median on the cluster
  lies in the local run's 90% interval and the other way round.
"""

from __future__ import annotations

import json

import pytest

from .conftest import FARMERS, FARMERS_DATA, adoptsim

FITS = ["awareness.p_external=0.001:0.5:log", "joining.rate=0.01:1:log"]
SEED = 4


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from dask.distributed import LocalCluster

    base = tmp_path_factory.mktemp("dask")
    args = ["calibrate", FARMERS, "--observed", FARMERS_DATA, "--fit", FITS[0], "--fit", FITS[1],
            "--particles", 80, "--generations", 4, "--seed", SEED]
    local = adoptsim(*args, "--out", base / "local")
    assert local.returncode == 0, local.stderr
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = adoptsim(*args, "--out", base / "dask", "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    return base / "local", base / "dask", remote


@pytest.mark.slow
def test_runs_on_the_cluster(runs):
    _, dask_out, res = runs
    summary = json.loads((dask_out / "summary.json").read_text())
    assert summary["sampler"].startswith("Dask cluster tcp://")
    assert "(2 worker threads)" in summary["sampler"]
    assert summary["reproducible"] is False
    assert summary["generations"] == 4
    assert "on Dask cluster" in res.stderr


@pytest.mark.slow
def test_cluster_runs_repeat_locally(runs):
    import pyabc

    from adoptsim.calibration.calibrate import prepare

    _, dask_out, _ = runs
    _, simulator = prepare(FARMERS, FARMERS_DATA, FITS, SEED)
    history = pyabc.History(f"sqlite:///{dask_out / 'abc.db'}")
    population = history.get_population(t=history.max_t)
    particles = population.particles[:10]
    assert particles
    for particle in particles:
        assert simulator(dict(particle.parameter)) == dict(particle.sum_stat)


@pytest.mark.slow
def test_same_posterior_as_local(runs):
    local_out, dask_out, _ = runs
    local = json.loads((local_out / "summary.json").read_text())["fitted"]
    remote = json.loads((dask_out / "summary.json").read_text())["fitted"]
    for key in local:
        a, b = local[key], remote[key]
        assert a["q05"] <= b["median"] <= a["q95"], (key, a, b)
        assert b["q05"] <= a["median"] <= b["q95"], (key, a, b)
