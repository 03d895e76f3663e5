"""Threshold cascades: Watts (2002) and Centola & Macy (2007)."""

import networkx as nx
import numpy as np
import pytest

from adoptsim.classic import (
    complex_contagion,
    complex_contagion_trials,
    fractional_need,
    watts_cascade,
    watts_cascade_condition,
    watts_cascade_frequency,
    watts_cascade_window,
    watts_trials,
)
from adoptsim.errors import InputError
from adoptsim.network import erdos_renyi, watts_strogatz

from . import naive


def test_cascade_window_at_phi_018():
    """Watts (2002), Fig. 1/eq. 4: for φ = 0.18 on Poisson graphs global cascades are possible
    for 1.02 ≲ z ≲ 5.76."""
    low, high = watts_cascade_window(0.18)
    assert low == pytest.approx(1.02, abs=0.005)
    assert high == pytest.approx(5.76, abs=0.005)
    assert abs(watts_cascade_condition(low, 0.18)) < 1e-9
    assert watts_cascade_condition(3.0, 0.18) > 0 > watts_cascade_condition(8.0, 0.18)


def test_no_window_for_high_thresholds():
    """Watts (2002): with K = ⌊1/φ⌋ ≤ 3 no Poisson graph has a vulnerable giant cluster."""
    assert np.isnan(watts_cascade_window(0.26)).all()
    assert watts_cascade_frequency(3.0, 0.26) == 0.0


def test_global_cascades_frequent_inside_window_absent_outside():
    """Watts (2002), Fig. 1 (φ = 0.18, n = 10,000): at z = 3 most single seeds trigger a global
    cascade, at z = 8 none does.

    Global means > 10% of nodes. Measured (seeds 1/2, 200 trials): 0.89 at z = 3 (mean
    size 0.94) against 0.873 predicted by the extended vulnerable cluster, which ignores
    cascades carried by nodes needing two active neighbours and so runs low by ~0.02 here;
    the binomial standard error is 0.022. Tolerance 0.08 (~3.5 SE).
    """
    inside = erdos_renyi(10_000, 3.0, np.random.default_rng(1))
    res = watts_trials(inside.indptr, inside.indices, 0.18, trials=200, rng=2)
    predicted = watts_cascade_frequency(float(inside.degree.mean()), 0.18)
    assert res.global_frequency > 0.5
    assert res.global_frequency == pytest.approx(predicted, abs=0.08)
    assert res.mean_global_size > 0.9
    outside = erdos_renyi(10_000, 8.0, np.random.default_rng(1))
    res = watts_trials(outside.indptr, outside.indices, 0.18, trials=100, rng=2)
    assert res.global_frequency == 0.0
    assert res.sizes.max() < 0.01


@pytest.mark.parametrize("phi", [0.0, 0.1, 0.18, 1 / 3, 0.5])
def test_watts_kernel_matches_naive_reference(graph, phi):
    _, indptr, indices = graph
    adj = naive.adjacency(indptr, indices)
    rng = np.random.default_rng(11)
    for seeds in ([0], rng.choice(len(adj), size=3, replace=False).tolist()):
        got = watts_cascade(indptr, indices, phi, seeds).activated.tolist()
        assert got == naive.threshold_cascade(adj, seeds, phi=phi)


def test_per_node_thresholds_match_naive_reference(graph):
    _, indptr, indices = graph
    adj = naive.adjacency(indptr, indices)
    phi = np.random.default_rng(5).random(len(adj)) * 0.4
    got = watts_cascade(indptr, indices, phi, [1, 2]).activated.tolist()
    assert got == naive.threshold_cascade(adj, [1, 2], phi=phi)


@pytest.mark.parametrize("a", [1, 2, 3])
def test_absolute_threshold_matches_naive_reference(graph, a):
    _, indptr, indices = graph
    adj = naive.adjacency(indptr, indices)
    seeds = [0, *adj[0]]
    got = complex_contagion(indptr, indices, a, seeds).activated.tolist()
    assert got == naive.threshold_cascade(adj, seeds, a=a)


def test_fractional_need_is_exact_at_integer_ratios():
    """m ≥ φ·k − 1e-12: φ = 0.3 with k = 10 needs exactly 3 (0.3·10 is 3.0000000000000004)."""
    indptr = np.array([0, 10] + [11] * 10)
    assert fractional_need(indptr, 0.3)[0] == 3
    assert fractional_need(np.array([0, 0]), 0.3)[0] == 1  # isolated: never


def _run_ndlib(g: nx.Graph, phi: float, seeds: list[int]) -> dict[int, int]:
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    model = ep.ThresholdModel(g, seed=0)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    for node in g.nodes():
        config.add_node_configuration("threshold", node, phi)
    model.set_initial_status(config)
    rounds = dict.fromkeys(g.nodes(), -1)
    for s in seeds:
        rounds[s] = 0
    model.iteration()  # iteration 0 reports the initial state
    it = 1
    while True:
        changed = [v for v, s in model.iteration()["status"].items() if s == 1]
        if not changed:
            return rounds
        for v in changed:
            rounds[v] = it
        it += 1


@pytest.mark.parametrize("phi", [0.1, 0.18, 0.25, 0.5])
def test_watts_matches_ndlib_threshold_model(phi):
    """ndlib's ThresholdModel (synchronous; a node activates when infected/len(neighbours)
    >= threshold) gives the same adopters, in the same rounds."""
    for net in (
        erdos_renyi(400, 3.0, np.random.default_rng(21)),
        watts_strogatz(300, 6, 0.1, np.random.default_rng(22)),
    ):
        g = net.to_networkx()
        for seeds in ([0], [5, 17, 123]):
            ours = watts_cascade(net.indptr, net.indices, phi, seeds).activated
            theirs = _run_ndlib(g, phi, seeds)
            assert ours.tolist() == [theirs[v] for v in range(net.n)]


def test_centola_macy_rewiring_stops_complex_but_speeds_simple_contagion():
    """Centola & Macy (2007): on a ring lattice (z = 4), random rewiring speeds a simple
    contagion (a = 1) but stops a complex one (a = 2, seeded with a node and its neighbours).

    Measured (n = 4,000, 10 trials): simple reaches everyone in 999 rounds without
    rewiring and in ~17 at p = 0.1; complex reaches everyone at p = 0 and < 1% at p = 0.1.
    """
    shares, rounds = {}, {}
    for p in (0.0, 0.1):
        net = watts_strogatz(4000, 4, p, np.random.default_rng(8))
        for a in (1, 2):
            res = complex_contagion_trials(net.indptr, net.indices, a, trials=10, rng=9)
            shares[p, a], rounds[p, a] = res.sizes.mean(), res.rounds.mean()
    assert shares[0.0, 1] == 1.0 and shares[0.1, 1] == 1.0
    assert rounds[0.1, 1] < rounds[0.0, 1] / 10
    assert shares[0.0, 2] == 1.0
    assert shares[0.1, 2] < 0.05


def test_trials_are_reproducible():
    net = erdos_renyi(2000, 3.0, np.random.default_rng(4))
    a = watts_trials(net.indptr, net.indices, 0.18, trials=20, rng=5)
    b = watts_trials(net.indptr, net.indices, 0.18, trials=20, rng=5)
    assert np.array_equal(a.sizes, b.sizes) and np.array_equal(a.rounds, b.rounds)


@pytest.mark.parametrize(
    "call",
    [
        lambda ip, ix: watts_cascade(ip, ix, 0.2, [99]),  # seed out of range
        lambda ip, ix: watts_cascade(ip, ix, 0.2, []),  # no seed
        lambda ip, ix: complex_contagion(ip, ix, 0, [0]),  # threshold below 1
        lambda ip, ix: watts_cascade(ip[:-1], ix, 0.2, [0]),  # broken CSR
        lambda ip, ix: watts_trials(ip, ix, 0.2, trials=0),
        lambda ip, ix: watts_cascade(ip, ix, np.full(3, 0.2), [0]),  # phi per node, wrong size
    ],
)
def test_bad_input_is_an_input_error(call):
    net = erdos_renyi(10, 2.0, np.random.default_rng(0))
    with pytest.raises(InputError):
        call(net.indptr, net.indices)
