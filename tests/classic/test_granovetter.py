"""Granovetter (1978) threshold model of collective behaviour."""

import numpy as np
import pytest

from adoptsim.classic import granovetter, granovetter_normal_equilibrium
from adoptsim.errors import InputError

from . import naive


def test_riot_example():
    """Granovetter (1978), the riot example: thresholds 0, 1, ..., 99 give a riot of all 100, one
    joining per round; raising the threshold 1 to 2 leaves the instigator alone."""
    full = granovetter(np.arange(100))
    assert full.adopters == 100
    assert full.rounds == 100
    assert full.adopt_round.tolist() == list(range(1, 101))
    thresholds = np.arange(100)
    thresholds[1] = 2
    stopped = granovetter(thresholds)
    assert stopped.adopters == 1
    assert stopped.adopt_round[0] == 1 and (stopped.adopt_round[1:] == -1).all()


def test_normal_thresholds_jump():
    """Granovetter (1978), normal thresholds with mean 25 in a crowd of 100: the equilibrium
    jumps from a handful to nearly everyone as the sd crosses ≈ 12.2 (we find the jump
    between 12.2 and 12.3)."""
    assert granovetter_normal_equilibrium(100, 25, 12.2) < 6
    assert granovetter_normal_equilibrium(100, 25, 12.3) > 99


@pytest.mark.parametrize("seed", range(5))
def test_kernel_matches_naive_reference(seed):
    rng = np.random.default_rng(seed)
    thresholds = rng.integers(0, 40, size=60)
    thresholds[rng.integers(60)] = 0
    assert granovetter(thresholds).adopt_round.tolist() == naive.granovetter(thresholds.tolist())


def test_nobody_starts_without_an_instigator():
    result = granovetter(np.array([1, 1, 2]))
    assert result.adopters == 0 and result.rounds == 0


@pytest.mark.parametrize("bad", [np.array([0, -1]), np.array([0.5, 1.0]), np.array([], int)])
def test_bad_thresholds_are_input_errors(bad):
    with pytest.raises(InputError):
        granovetter(bad)
