"""The plain-Mesa baseline of the benchmarks is the same model as adoptsim.

``benchmarks/plain_mesa.py`` writes the model the ordinary Mesa way (one
agent object per employee); the speed-up reported in docs/performance.md is
only meaningful if both implement the same rules with the same parameters.
They draw different random numbers, so they are compared in distribution:
30 seeds each, 300 employees, 40 steps, default parameters. Each seed gives
both models the same organisation network, so the runs pair up by seed.

Tolerances: for each outcome the paired differences' mean must be within
4 standard errors of zero (a false alarm has probability ~4e-4 under a t
distribution with 29 degrees of freedom), and the two samples of final
adoption and trust must not differ by a two-sample Kolmogorov-Smirnov test
at the 1% level.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import ks_2samp

from adoptsim import AdoptionModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from plain_mesa import PlainMesaModel

SEEDS = range(30)
EMPLOYEES, STEPS = 300, 40
OUTCOMES = ["aware", "member", "active", "trust", "fear", "cm_follower_share", "cm_reach",
            "posts_c"]


def _finals(model_class) -> dict[str, np.ndarray]:
    rows = [model_class(employees=EMPLOYEES, steps=STEPS, rng=seed).run().iloc[-1]
            for seed in SEEDS]
    return {k: np.array([r[k] for r in rows], float) for k in OUTCOMES}


@pytest.mark.slow
def test_plain_mesa_baseline_matches_adoptsim_in_distribution():
    ours, theirs = _finals(AdoptionModel), _finals(PlainMesaModel)
    for k in OUTCOMES:
        d = ours[k] - theirs[k]
        se = d.std(ddof=1) / np.sqrt(len(d))
        assert abs(d.mean()) < 4 * se, (k, ours[k].mean(), theirs[k].mean(), se)
    for k in ("member", "trust"):
        assert ks_2samp(ours[k], theirs[k]).pvalue > 0.01, k
    # the runs did something: adoption grew well beyond the champions
    assert ours["member"].mean() > 0.1 and theirs["member"].mean() > 0.1
