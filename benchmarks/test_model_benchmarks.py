"""pytest-benchmark suites of the model (not part of ``make test``).

Run with ``PYTHONPATH=src pytest benchmarks/test_model_benchmarks.py``
(add ``--benchmark-json=out.json`` to keep the figures, or
``--benchmark-compare`` to compare with a saved run). The figures of
docs/performance.md come from ``benchmarks/run.py``, which measures the same
operations and also the ones a benchmark fixture cannot (cold start and the
command line in a fresh interpreter, peak memory, interleaved ratios).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor import one_pass_run
from measure import BASELINE, neighbour_pass, scenario

from adoptsim.classic import watts_cascade
from adoptsim.config import load_config
from adoptsim.model.engine import Engine
from adoptsim.model.model import AdoptionModel
from adoptsim.model.state import NEVER
from adoptsim.network import org_network

SIZES = [10_000, 100_000, 1_000_000]


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n:.0e}")
def engine(request):
    e = Engine(scenario(request.param, steps=10_000), 1)
    e.advance(2)  # load the compiled code
    return e


def test_engine_step(benchmark, engine):
    """One week of the default model (org network, default parameters)."""
    benchmark.extra_info["employees"] = engine.network.n
    benchmark.pedantic(engine.advance, args=(1,),
                       rounds=10 if engine.network.n >= 10**6 else 30)


def test_neighbour_pass(benchmark, engine):
    """The neighbour pass alone (in a step it runs fused with the row updates)."""
    benchmark.extra_info["tie_ends"] = int(engine.net.indptr[-1])
    benchmark(neighbour_pass(engine))


@pytest.fixture(scope="module")
def baseline():
    """The baseline scenario and its network, with the compiled code loaded."""
    cfg = load_config(BASELINE)
    e = Engine(cfg, cfg.run.seed)
    e.advance()
    one_pass_run(e.network.indptr, e.network.indices, cfg.run.steps, cfg.run.seed)
    return cfg, e.network


def test_baseline_run(benchmark, baseline):
    """A bare baseline run: Engine build (network and population) and 104 weeks."""
    cfg, _ = baseline

    def run() -> None:
        Engine(cfg, cfg.run.seed).advance()

    benchmark.pedantic(run, rounds=20)


def test_one_pass_floor(benchmark, baseline):
    """The floor of a baseline run: 104 weeks of one neighbour pass and one node update."""
    cfg, net = baseline
    benchmark(one_pass_run, net.indptr, net.indices, cfg.run.steps, cfg.run.seed)


def test_baseline_mesa_run(benchmark, baseline):
    """The same run through Mesa: AdoptionModel(...).run()."""
    cfg, _ = baseline
    benchmark.pedantic(lambda: AdoptionModel(cfg, rng=cfg.run.seed).run(), rounds=10)


def test_org_network_1e6(benchmark):
    org_network(1000, rng=np.random.default_rng(0))
    benchmark.pedantic(lambda: org_network(10**6, rng=np.random.default_rng(1)), rounds=3)


def test_engine_build_1e6(benchmark):
    cfg = scenario(10**6)
    benchmark.pedantic(lambda: Engine(cfg, 1), rounds=3)


def test_plain_mesa_step_1e4(benchmark):
    from plain_mesa import PlainMesaModel

    m = PlainMesaModel(employees=10_000, rng=1, steps=10_000)
    benchmark.pedantic(m.step, rounds=3)


@pytest.fixture(scope="module")
def cascade():
    """A Watts cascade set-up at 10⁴ employees: core model, seeds, ndlib model."""
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    params = dict(employees=10_000, mode="threshold", threshold=0.1, champion_share=1.0,
                  initial_active=10, window=10_000, steps=10_000, count=0,
                  underground_rate=0.0, rng=3)
    core = AdoptionModel(**params)
    seeds = np.flatnonzero(core.state.last_post == -1)
    g = core.network.to_networkx()
    nd = ep.ThresholdModel(g, seed=0)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds.tolist())
    for node in g.nodes():
        config.add_node_configuration("threshold", node, 0.1)
    nd.set_initial_status(config)
    nd.iteration()
    return core, seeds, nd


def test_threshold_core_step_1e4(benchmark, cascade):
    core, _, _ = cascade
    benchmark.pedantic(core.step, rounds=30)
    assert (core.state.last_post > NEVER).sum() > 10  # the cascade spread


def test_threshold_classic_cascade_1e4(benchmark, cascade):
    core, seeds, _ = cascade
    net = core.network
    benchmark(watts_cascade, net.indptr, net.indices, 0.1, seeds)


def test_threshold_ndlib_iteration_1e4(benchmark, cascade):
    _, _, nd = cascade
    benchmark.pedantic(nd.iteration, rounds=10)
