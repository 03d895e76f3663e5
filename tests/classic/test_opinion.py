"""DeGroot and Friedkin–Johnsen opinion dynamics."""

import numpy as np
import pytest

from adoptsim.classic import degroot, degroot_limit, friedkin_johnsen, friedkin_johnsen_limit
from adoptsim.classic.opinion import _fj_step
from adoptsim.errors import InputError
from adoptsim.network import erdos_renyi, watts_strogatz

from . import naive


def test_degroot_reaches_degree_weighted_mean():
    """DeGroot (1974): with W = D⁻¹(A + I) on a connected graph, opinions converge to the
    consensus Σ(k_i+1)·x0_i / Σ(k_i+1) (the stationary distribution of W). Tolerance 1e-9."""
    net = watts_strogatz(300, 6, 0.2, np.random.default_rng(1))
    x0 = np.random.default_rng(2).random(net.n)
    run = degroot(net.indptr, net.indices, x0)
    weights = net.degree + 1.0
    consensus = np.sum(weights * x0) / np.sum(weights)
    assert run.converged
    np.testing.assert_allclose(run.opinions, consensus, atol=1e-9)
    np.testing.assert_allclose(degroot_limit(net.indptr, net.indices, x0), consensus, atol=1e-14)


def test_degroot_limit_per_component():
    """Each connected component reaches its own weighted mean (isolated nodes keep x0)."""
    net = erdos_renyi(200, 1.5, np.random.default_rng(3))
    x0 = np.random.default_rng(4).random(net.n)
    run = degroot(net.indptr, net.indices, x0, max_steps=200_000)
    assert run.converged
    np.testing.assert_allclose(run.opinions, degroot_limit(net.indptr, net.indices, x0),
                               atol=1e-8)


def test_friedkin_johnsen_closed_form_matches_iteration():
    """Friedkin & Johnsen (1990): x ← ΛWx + (I−Λ)x0 converges to (I − ΛW)⁻¹(I − Λ)x0.
    Tolerance 1e-9; susceptibilities differ by node and a few nodes are fully susceptible."""
    net = erdos_renyi(400, 6.0, np.random.default_rng(5))
    rng = np.random.default_rng(6)
    x0 = rng.random(net.n)
    lam = rng.uniform(0.3, 1.0, net.n)
    lam[:5] = 1.0
    run = friedkin_johnsen(net.indptr, net.indices, x0, lam)
    assert run.converged
    np.testing.assert_allclose(
        run.opinions, friedkin_johnsen_limit(net.indptr, net.indices, x0, lam), atol=1e-9
    )


def test_stubborn_people_keep_their_opinion():
    net = erdos_renyi(50, 4.0, np.random.default_rng(7))
    x0 = np.random.default_rng(8).random(net.n)
    limit = friedkin_johnsen_limit(net.indptr, net.indices, x0, 0.0)
    np.testing.assert_array_equal(limit, x0)


def test_kernel_matches_naive_reference(graph):
    _, indptr, indices = graph
    adj = naive.adjacency(indptr, indices)
    rng = np.random.default_rng(9)
    x0 = rng.random(len(adj))
    lam = rng.random(len(adj))
    x, out = x0.copy(), np.empty_like(x0)
    ref = x0.tolist()
    for _ in range(5):
        change = _fj_step(indptr, indices, x, x0, lam, out)
        new_ref = naive.fj_step(adj, ref, x0.tolist(), lam.tolist())
        assert out.tolist() == new_ref
        assert change == max(abs(a - b) for a, b in zip(new_ref, ref, strict=True))
        x, out, ref = out, x, new_ref


def test_closed_form_needs_an_anchor_in_every_component():
    net = erdos_renyi(30, 0.5, np.random.default_rng(10))  # many components
    with pytest.raises(InputError):
        friedkin_johnsen_limit(net.indptr, net.indices, np.zeros(net.n), 1.0)


@pytest.mark.parametrize(
    "bad", [{"x0": np.zeros(3)}, {"susceptibility": 1.5}, {"susceptibility": np.ones(3)}]
)
def test_bad_input_is_an_input_error(bad):
    net = erdos_renyi(10, 3.0, np.random.default_rng(0))
    args = {"x0": np.zeros(10), "susceptibility": 0.5} | bad
    with pytest.raises(InputError):
        friedkin_johnsen(net.indptr, net.indices, args["x0"], args["susceptibility"])
