"""Small graphs shared by the classic-model tests."""

import numpy as np
import pytest

from adoptsim.network import barabasi_albert, erdos_renyi, org_network, watts_strogatz


def small_graphs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """A few small graphs of different shapes (one with isolated nodes), fixed seeds."""
    nets = {
        "er_sparse": erdos_renyi(60, 1.5, np.random.default_rng(1)),  # isolated nodes
        "er": erdos_renyi(80, 4.0, np.random.default_rng(2)),
        "ws": watts_strogatz(70, 4, 0.2, np.random.default_rng(3)),
        "ba": barabasi_albert(90, 4, np.random.default_rng(4)),
        "org": org_network(100, rng=np.random.default_rng(5)),
    }
    return [(name, net.indptr, net.indices) for name, net in nets.items()]


@pytest.fixture(params=small_graphs(), ids=lambda g: g[0])
def graph(request):
    """(name, indptr, indices) of each small graph in turn."""
    return request.param
