"""Deffuant et al. (2000) bounded-confidence dynamics."""

import math

import numpy as np
import pytest

from adoptsim.classic import deffuant, opinion_clusters
from adoptsim.classic.bounded_confidence import _deffuant
from adoptsim.errors import InputError
from adoptsim.network import ring_lattice

from . import naive


@pytest.mark.parametrize("d", [0.5, 0.3, 0.2, 0.15])
def test_clusters_on_complete_mixing(d):
    """Deffuant et al. (2000), Weisbuch et al. (2002): with complete mixing and uniform initial
    opinions the number of major clusters is ⌊1/(2d)⌋. n = 1,000, μ = 0.5, three seeds;
    major = at least 5% of agents (minor clusters of a few extremists are not counted).
    At d = 0.1 we measure 4 major clusters, not 5, so it is not tested."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        run = deffuant(rng.random(1000), d, 0.5, rng=rng)
        assert run.settled
        assert run.major_clusters() == math.floor(1 / (2 * d))


def test_network_version_settles():
    """Meetings along ring-lattice ties: every tie ends either in agreement or beyond d."""
    net = ring_lattice(300, 4)
    rng = np.random.default_rng(1)
    run = deffuant(rng.random(net.n), 0.3, 0.5, indptr=net.indptr, indices=net.indices, rng=rng)
    assert run.settled
    rows = np.repeat(np.arange(net.n), net.degree)
    gaps = np.abs(run.opinions[rows] - run.opinions[net.indices])
    assert np.all((gaps < 1e-3) | (gaps >= 0.3))
    assert run.clusters.sum() == net.n


def test_kernel_matches_naive_reference():
    rng = np.random.default_rng(2)
    x = rng.random(50)
    first = rng.integers(50, size=5000)
    second = (first + 1 + rng.integers(49, size=5000)) % 50
    expected = naive.deffuant(x.tolist(), first.tolist(), second.tolist(), 0.3, 0.4)
    _deffuant(x, first, second, 0.3, 0.4)
    assert x.tolist() == expected


def test_opinion_clusters():
    assert opinion_clusters(np.array([0.1, 0.1005, 0.5, 0.9, 0.9])).tolist() == [2, 1, 2]


def test_same_seed_same_result():
    a = deffuant(np.linspace(0, 1, 200), 0.2, 0.5, rng=3)
    b = deffuant(np.linspace(0, 1, 200), 0.2, 0.5, rng=3)
    assert np.array_equal(a.opinions, b.opinions) and a.meetings == b.meetings


@pytest.mark.parametrize("kwargs", [{"d": 0.0}, {"mu": 0.6}, {"x0": np.array([0.5, 1.5])},
                                    {"indptr": np.array([0, 0, 0])}])
def test_bad_input_is_an_input_error(kwargs):
    args = {"x0": np.array([0.2, 0.4])} | kwargs
    with pytest.raises(InputError):
        deffuant(**args)
