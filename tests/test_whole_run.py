"""A whole run in one compiled call is the run stepped week by week, on any thread count.

Sweeps, calibration and ``adoptsim run`` simulate every week in one call
(:meth:`Engine.advance`); the app and Mesa users step. Every shipped
scenario, shrunk to a small organisation, must give bit-identical outputs
and final arrays whichever way it is driven.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

import adoptsim.model.initial as initial_module
from adoptsim import AdoptionModel
from adoptsim.config import load_config
from adoptsim.model.engine import Engine
from adoptsim.scenarios import list_scenarios

SHIPPED = {name: path for name, path, _ in list_scenarios(shipped_only=True)}
SMALL = {"organisation.employees": 240}


def small(name: str):
    """The shipped scenario at its own horizon (its late joins and shutdowns happen)."""
    return load_config(SHIPPED[name], overrides=SMALL)


def arrays(engine: Engine) -> dict[str, np.ndarray]:
    """Every output row and every per-employee and per-manager array of a run."""
    rows = engine.weeks + 1
    out = {"out": engine.out[:rows], "managers": engine.out_managers[:rows]}
    for group in ("state", "follow", "managers"):
        tup = getattr(engine, group)
        out.update((f"{group}.{k}", np.asarray(v)) for k, v in zip(tup._fields, tup, strict=True))
    return out


def assert_same(a: Engine, b: Engine) -> None:
    left, right = arrays(a), arrays(b)
    assert left.keys() == right.keys()
    for key in left:
        np.testing.assert_array_equal(left[key], right[key], err_msg=key)


@pytest.mark.parametrize("name", SHIPPED)
def test_one_call_equals_week_by_week(name):
    cfg = small(name)
    whole = Engine(cfg, 11)
    whole.advance()
    weekly = Engine(cfg, 11)
    for _ in range(cfg.run.steps):
        weekly.advance(1)
    assert whole.weeks == weekly.weeks == cfg.run.steps
    assert_same(whole, weekly)


@pytest.mark.parametrize("name", ["baseline", "join_late", "shutdown", "restricted"])
def test_mesa_step_and_run_equal_the_engine(name):
    cfg = small(name)
    engine = Engine(cfg, 5)
    engine.run(progress=lambda k: None)  # in chunks, as the command line does
    stepped = AdoptionModel(cfg, rng=5)
    while stepped.running:
        stepped.step()
    ran = AdoptionModel(cfg, rng=5)
    ran.run()
    assert_same(engine, stepped.engine)
    assert_same(engine, ran.engine)
    collected = stepped.datacollector.get_model_vars_dataframe()
    np.testing.assert_array_equal(collected["member"].to_numpy(), engine.series["member"])


def test_results_do_not_depend_on_threads_or_chunking(monkeypatch):
    """Large enough for the parallel passes: 1 thread, 2 threads and serial passes agree."""
    cfg = load_config(overrides={"organisation.employees": 30_000, "run.steps": 8})
    runs = []
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            engine = Engine(cfg, 3)
            assert len(engine.net.edge_bounds) > 2, "the passes should be split into chunks"
            engine.advance()
            runs.append(engine)
    finally:
        numba.set_num_threads(before)
    monkeypatch.setattr(initial_module, "row_bounds", lambda work: np.array([0, len(work) - 1],
                                                                            np.uint64))
    serial = Engine(cfg, 3)
    assert len(serial.net.edge_bounds) == 2
    serial.advance()
    assert_same(runs[0], runs[1])
    assert_same(runs[0], serial)
