"""SIR and SIS on networks, with bond-percolation theory."""

import numpy as np
import pytest

from adoptsim.classic import (
    SUSCEPTIBLE,
    epidemic_threshold,
    er_final_size,
    sir,
    sis,
    sis_threshold,
    transmissibility,
)
from adoptsim.errors import InputError
from adoptsim.network import csr_from_edges, erdos_renyi

from . import naive


def test_transmissibility_formula():
    """T = 1 − E[(1−β)^D] for a geometric infectious period D ≥ 1 equals β/(β+γ−βγ)."""
    beta, gamma = 0.1, 0.2
    d = np.arange(1, 2000)
    series = 1 - np.sum(gamma * (1 - gamma) ** (d - 1) * (1 - beta) ** d)
    assert transmissibility(beta, gamma) == pytest.approx(series, abs=1e-12)
    assert transmissibility(0.3, 1.0) == pytest.approx(0.3)  # one step infectious


def test_transmissibility_on_isolated_pairs():
    """On 10,000 separate edges with one end infected, the other end is infected with
    probability T: the observed share must lie within 4 binomial standard errors (0.019)."""
    pairs = 10_000
    indptr, indices = csr_from_edges(np.arange(pairs), np.arange(pairs) + pairs, 2 * pairs)
    run = sir(indptr, indices, 0.1, 0.2, seeds=np.arange(pairs), rng=3)
    share = np.count_nonzero(run.state[pairs:] != SUSCEPTIBLE) / pairs
    t = transmissibility(0.1, 0.2)
    assert share == pytest.approx(t, abs=4 * np.sqrt(t * (1 - t) / pairs))


def test_erdos_renyi_giant_component():
    """Erdős & Rényi (1960): at mean degree 2 the giant component holds 79.68% of nodes
    (S = 1 − e^{−2S}); below z·T = 1 there is none."""
    assert er_final_size(2.0, 1.0) == pytest.approx(0.7968121300200, abs=1e-12)
    assert er_final_size(4.0, 0.25) == 0.0


def test_er_threshold_is_one_over_z():
    """Newman (2002): T_c = ⟨k⟩/(⟨k²⟩−⟨k⟩) = 1/z for Poisson degrees (here within 3%)."""
    net = erdos_renyi(20_000, 4.0, np.random.default_rng(1))
    assert epidemic_threshold(net.indptr) == pytest.approx(1 / 4.0, rel=0.03)


def test_sir_final_size_on_erdos_renyi():
    """Newman (2002): large SIR outbreaks on Erdős–Rényi graphs reach S = 1 − exp(−z·T·S).

    n = 20,000, z = 4, β = 0.1, γ = 0.2 (T = 0.357, S = 0.533). Measured over 30 graphs:
    the simulated minus predicted size has mean −0.001 and standard deviation 0.013, so
    the mean of 8 runs is held to 0.015 (≈ 3.3 standard errors).
    """
    t = transmissibility(0.1, 0.2)
    diffs = []
    for i in range(8):
        net = erdos_renyi(20_000, 4.0, np.random.default_rng(100 + i))
        run = sir(net.indptr, net.indices, 0.1, 0.2, initial=10, rng=i)
        diffs.append(run.final_size - er_final_size(float(net.degree.mean()), t))
    assert abs(np.mean(diffs)) < 0.015


def test_sir_below_threshold_stays_small():
    """Below T_c = 1/z outbreaks stay finite: T = 0.16 < 0.25 on z = 4."""
    net = erdos_renyi(20_000, 4.0, np.random.default_rng(2))
    run = sir(net.indptr, net.indices, 0.04, 0.25, initial=10, rng=3)
    assert transmissibility(0.04, 0.25) < epidemic_threshold(net.indptr)
    assert run.final_size < 0.01


def test_sis_endemic_above_threshold_dies_out_below():
    """Pastor-Satorras & Vespignani (2001), mean field: SIS is endemic when β/γ > ⟨k⟩/⟨k²⟩
    (≈ 0.091 here, z = 10). At β/γ = 0.5 over half the nodes stay infected (measured 0.71);
    at β/γ = 0.04 the infection is gone within 300 steps."""
    net = erdos_renyi(2000, 10.0, np.random.default_rng(4))
    threshold = sis_threshold(net.indptr)
    assert threshold == pytest.approx(1 / 11, rel=0.05)
    above = sis(net.indptr, net.indices, 0.1, 0.2, initial=20, steps=300, rng=5)
    assert above.prevalence(75) > 0.5
    below = sis(net.indptr, net.indices, 0.008, 0.2, initial=20, steps=300, rng=5)
    assert 0.008 / 0.2 < threshold
    assert below.infected[-1] == 0 and below.infected.size == 301


@pytest.mark.parametrize("model", ["sir", "sis"])
def test_kernel_matches_naive_reference(graph, model):
    _, indptr, indices = graph
    adj = naive.adjacency(indptr, indices)
    run_model = sir if model == "sir" else sis
    run = run_model(indptr, indices, 0.3, 0.2, seeds=[0, 3], steps=40, rng=6)
    counts, state = naive.epidemic(
        adj, [0, 3], 0.3, 0.2, 40, np.random.default_rng(6), sis=model == "sis"
    )
    assert run.infected[: len(counts)].tolist() == counts
    assert run.state.tolist() == state


def test_same_seed_same_result():
    net = erdos_renyi(3000, 4.0, np.random.default_rng(7))
    a = sir(net.indptr, net.indices, 0.1, 0.2, initial=5, rng=8)
    b = sir(net.indptr, net.indices, 0.1, 0.2, initial=5, rng=8)
    assert np.array_equal(a.state, b.state) and np.array_equal(a.infected, b.infected)


@pytest.mark.parametrize(
    "kwargs", [{"beta": 1.5}, {"gamma": -0.1}, {"initial": 0}, {"seeds": [50]}, {"initial": 11}]
)
def test_bad_input_is_an_input_error(kwargs):
    net = erdos_renyi(10, 2.0, np.random.default_rng(0))
    args = {"beta": 0.1, "gamma": 0.2} | kwargs
    with pytest.raises(InputError):
        sir(net.indptr, net.indices, args.pop("beta"), args.pop("gamma"), **args)
