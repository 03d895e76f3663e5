"""Bass (1969) diffusion: closed form and agent-based version."""

import numpy as np
import pytest

from adoptsim.classic import bass_abm, bass_adoption, bass_density, bass_peak_time
from adoptsim.errors import InputError

from . import naive

P, Q = 0.03, 0.38  # Sultan, Farley & Lehmann (1990): mean p and q across 213 applications


def test_peak_time_is_where_the_density_peaks():
    """Bass (1969): f(t) peaks at t* = ln(q/p)/(p+q), where F(t*) = 1/2 − p/(2q)."""
    t = np.linspace(0, 20, 200_001)  # grid step 1e-4
    peak = bass_peak_time(P, Q)
    assert peak == pytest.approx(np.log(Q / P) / (P + Q))
    assert t[np.argmax(bass_density(t, P, Q))] == pytest.approx(peak, abs=1e-4)
    assert bass_adoption(peak, P, Q) == pytest.approx(0.5 - P / (2 * Q), abs=1e-12)


def test_closed_form_solves_the_bass_equation():
    """Bass (1969): dF/dt = (p + q·F)(1 − F) with F(0) = 0."""
    t = np.linspace(0, 30, 301)
    big_f = bass_adoption(t, P, Q)
    assert big_f[0] == 0.0
    np.testing.assert_allclose(bass_density(t, P, Q), (P + Q * big_f) * (1 - big_f), rtol=1e-9)


def test_agent_based_bass_follows_the_closed_form():
    """Bass (1969): the agent-based curve approaches F(t) for small dt and large n.

    Tolerance: with n = 20,000 and dt = 0.05 the step lags the continuous
    curve by about 0.15·dt ≈ 0.008 (measured with n = 200,000), and the mean of
    4 runs varies by up to ≈ 0.01 (10 seeds); hence 0.02. The crossing time of
    F(t*) estimates the peak to within 0.1 over 10 seeds (tolerance 0.15).
    """
    run = bass_abm(20_000, P, Q, dt=0.05, steps=300, trials=4, rng=2024)
    closed = bass_adoption(run.times, P, Q)
    assert np.abs(run.adopted.mean(axis=0) - closed).max() < 0.02
    assert run.peak_time() == pytest.approx(bass_peak_time(P, Q), abs=0.15)


def test_kernel_matches_naive_reference():
    """Same uniforms, same adoption curve, exactly."""
    run = bass_abm(300, P, Q, dt=0.5, steps=25, rng=7)
    reference = naive.bass(300, P, Q, 0.5, 25, np.random.default_rng(7))
    assert run.adopted[0].tolist() == reference


def test_same_seed_same_result():
    a = bass_abm(500, P, Q, steps=50, trials=2, rng=3)
    b = bass_abm(500, P, Q, steps=50, trials=2, rng=3)
    assert np.array_equal(a.adopted, b.adopted)


@pytest.mark.parametrize("kwargs", [{"p": 0.0}, {"q": -1.0}, {"dt": 0.0}, {"n": 0}])
def test_bad_input_is_an_input_error(kwargs):
    args = {"n": 10, "p": P, "q": Q, "dt": 0.1} | kwargs
    with pytest.raises(InputError):
        bass_abm(args.pop("n"), args.pop("p"), args.pop("q"), **args)
