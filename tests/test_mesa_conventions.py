"""AdoptionModel seeds like a Mesa model: rng=None is fresh entropy, recorded."""

import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

from adoptsim import AdoptionModel
from adoptsim.config import load_config
from adoptsim.errors import InputError

SMALL = dict(employees=200, steps=8)


def test_rng_none_draws_a_fresh_recorded_seed():
    a, b = AdoptionModel(**SMALL), AdoptionModel(**SMALL)
    assert a.seed != b.seed and a.seed != 42  # not the scenario's run.seed
    for m in (a, b):
        assert isinstance(m.seed, int) and 0 <= m.seed < 2**63
        assert m.config.run.seed == m.seed
    ts = a.run()
    assert a.summary()["seed"] == a.seed
    # The recorded seed repeats the run exactly.
    pd.testing.assert_frame_equal(AdoptionModel(**SMALL, rng=a.seed).run(), ts, check_exact=True)


def test_rng_none_ignores_the_scenarios_seed_unless_passed():
    cfg = load_config(overrides={"organisation.employees": 200, "run.steps": 8, "run.seed": 7})
    assert AdoptionModel(cfg).seed != 7
    explicit = AdoptionModel(cfg, rng=cfg.run.seed)
    assert explicit.seed == 7
    scenario = AdoptionModel.from_scenario(cfg)
    assert scenario.seed == 7
    pd.testing.assert_frame_equal(explicit.run(), scenario.run(), check_exact=True)


def test_integer_and_seed_sequence_seeds_are_reproducible():
    a = AdoptionModel(**SMALL, rng=np.int64(3)).run()
    b = AdoptionModel(**SMALL, rng=3).run()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    s1 = AdoptionModel(**SMALL, rng=np.random.SeedSequence(5))
    s2 = AdoptionModel(**SMALL, rng=np.random.SeedSequence(5))
    assert s1.seed == s2.seed and s1.config.run.seed == s1.seed
    assert AdoptionModel(**SMALL, rng=np.random.default_rng(1)).seed is None


@pytest.mark.parametrize("rng", [-1, True, "7", 1.5])
def test_bad_rng_is_an_input_error(rng):
    with pytest.raises(InputError, match=r"rng = .* is not allowed"):
        AdoptionModel(**SMALL, rng=rng)


def finals(results: list[dict]) -> dict[int, tuple]:
    return {r["iteration"]: (r["aware"], r["member"], r["trust"], r["fear"]) for r in results}


def test_batch_run_iterations_are_different_replications():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # mesa prefers rng=[None] * 3
        results = mesa.batch_run(AdoptionModel, parameters=SMALL, iterations=3,
                                 max_steps=8, number_processes=1, display_progress=False)
    by_iteration = finals(results)
    assert sorted(by_iteration) == [0, 1, 2]
    assert len(set(by_iteration.values())) == 3


def test_batch_run_with_integer_seeds_is_reproducible():
    results = mesa.batch_run(AdoptionModel, parameters=SMALL, rng=[11, 12, 11], max_steps=8,
                             number_processes=1, display_progress=False)
    by_iteration = finals(results)
    assert by_iteration[0] == by_iteration[2] != by_iteration[1]
    alone = AdoptionModel(**SMALL, rng=11).run().iloc[-1]
    assert by_iteration[0] == (alone["aware"], alone["member"], alone["trust"], alone["fear"])
