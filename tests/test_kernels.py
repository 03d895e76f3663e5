"""The compiled week of model v2 against a plain-Python reference written from its specification.

Each configuration builds the engine, then every week copies the engine's
arrays, runs ``reference_v2.reference_step`` on the copy, advances the
engine one week and asserts that every array (state, follow table, follower
counts, managers, channel, the scratch results the specification defines)
and the output rows are equal (integers and booleans exactly, floats within
1e-12 relative: sums are taken in a different order).

"""

from __future__ import annotations

import math

import numpy as np
import pytest

import model_compare as H
import reference as R
from adoptsim.mechanisms import MECHANISMS
from adoptsim.model import rng


def assert_weeks_match(engine, weeks):
    failures = H.run_compare(engine, weeks)
    assert not failures, "\n".join(f"week {t}: {d}" for t, ds in failures.items() for d in ds)
    assert engine.weeks == weeks


# ----------------------------------------------------------------- §8.0 random numbers
def test_mix_keys_and_uniforms_equal_the_engines():
    gen = np.random.default_rng(2024)
    for _ in range(500):
        seed = int(gen.integers(0, 2**63))
        t, stream, entity = int(gen.integers(0, 5000)), int(gen.integers(0, 6)), int(
            gen.integers(0, 10**7))
        row = int(gen.choice([gen.integers(0, 64), gen.integers(0, 2**50)]))
        key = int(gen.integers(0, 2**63)) * 2 + int(gen.integers(0, 2))  # all 64 bits
        assert R.mix(key) == int(rng.mix64(np.uint64(key)))
        assert R.stream_key(seed, t, stream) == int(rng.stream_key(seed, t, stream))
        assert R.entity_key(key, entity) == int(rng.entity_key(np.uint64(key), entity))
        assert R.uniform(key, row) == rng.uniform(np.uint64(key), row)
        n = int(gen.integers(1, 10**6))
        assert R.below(key, row, n) == rng.below(np.uint64(key), row, n)


def test_uniform_is_output_row_plus_one_of_splitmix64():
    # SplitMix64 from state 0: the published first output is 0xE220A8397B1DCDAF.
    assert R.mix(R.PHI64) == 0xE220A8397B1DCDAF
    assert R.uniform(0, 0) == (0xE220A8397B1DCDAF >> 11) / 2.0**53


@pytest.mark.parametrize("rate", [0.0, 1e-9, 1e-3, 0.05, 0.5, 1.0, 3.0, 7.5, 29.99, 30.0, 45.0,
                                  120.0, 1000.0, 2.5e4])
def test_poisson_inversion_equals_the_engines(rate):
    gen = np.random.default_rng(int(rate * 1000) + 1)
    us = [0.0, 1e-300, 0.5, 1.0 - 2.0**-53, *gen.random(300)]
    for u in us:
        assert R.poisson_inverse(u, rate) == rng.poisson_from_uniform(u, rate), (u, rate)


def test_poisson_inversion_is_the_quantile():
    # The smallest k with CDF(k) >= u, checked against a direct CDF for a small rate.
    rate = 2.0
    cdf = np.cumsum([math.exp(-rate) * rate**k / math.factorial(k) for k in range(30)])
    for u in np.linspace(0.001, 0.999, 97):
        assert R.poisson_inverse(u, rate) == int(np.searchsorted(cdf, u))


@pytest.mark.parametrize("n,p", [(0, 0.3), (5, 0.0), (5, 1.0), (1, 0.3), (10, 0.3), (200, 0.1),
                                 (99, 0.3), (100, 0.3), (1000, 0.3), (5000, 0.9), (10**6, 0.02)])
def test_binomial_inversion_equals_the_engines(n, p):
    gen = np.random.default_rng(n + 7)
    for u in [0.0, 0.5, 1.0 - 2.0**-53, *gen.random(200)]:
        assert R.binomial_inverse(u, n, p) == rng.binomial_from_uniform(u, n, p), (u, n, p)


# ----------------------------------------------------------------- one submodel at a time
def small_week(name="lively-restricted", weeks=0, t=None):
    """A Week on a copy of an engine's arrays after ``weeks`` weeks."""
    engine = H.case_engine(name)
    if weeks:
        engine.advance(weeks)
    arrays = H.snapshot(engine)
    return R.Week(*arrays[:7], arrays[7], engine.params, engine.weeks if t is None else t)


def test_top_pool_keeps_those_above_the_cut_and_breaks_ties_at_random():
    w = small_week()
    pool = list(range(40))
    scores = [5 if i % 10 == 0 else 1 for i in range(40)]  # 4 above, 36 tied at the cut
    top = R.top_pool(w, pool, scores, 0)
    size = max(w.par.effort, math.ceil(w.par.focus * 40))
    assert len(top) == size and len(set(top)) == size
    assert top[:4] == [0, 10, 20, 30]  # above the cut first, in row order
    assert all(scores[i] == 1 for i in top[4:])
    assert R.top_pool(w, pool, scores, 0) == top  # same draws, same pool
    assert R.top_pool(w, pool, scores, 1) != top  # another entity's draws


def test_tone_review_reverses_at_a_bound_and_halves_after_a_fall():
    w = small_week()
    mg = w.managers
    w.par = w.par._replace(review_every=1, learn_tone=True)
    mg.joined[0], mg.joined_at[0] = True, w.t
    mg.tone[0], mg.direction[0], mg.delta[0], mg.last_rate[0] = 0.95, 1.0, 0.1, np.nan
    mg.window_interactions[0], mg.window_positive[0] = 4, 2
    R.tone_review(w)  # first review: moves; 1.05 is out of bounds -> moves down instead
    assert mg.tone[0] == pytest.approx(0.85) and mg.direction[0] == -1.0
    assert mg.window_interactions[0] == 0 and mg.last_rate[0] == 0.5
    mg.window_interactions[0], mg.window_positive[0] = 4, 1  # the rate fell
    R.tone_review(w)
    assert mg.direction[0] == 1.0 and mg.delta[0] == 0.05
    assert mg.tone[0] == pytest.approx(0.9)


def test_a_mention_goes_out_with_a_shown_post_or_lapses_after_w_weeks():
    w = small_week()
    st, i = w.state, int(np.flatnonzero(~w.people.is_manager)[0])
    st.mention_of[i], st.mention_at[i] = 0, w.t - w.par.window
    st.posts_c[i], st.removed[i] = 1, 1  # removed: nobody sees it
    R.mention(w, i)
    assert st.mention_of[i] == -1 and st.mention_pub[i] == -1  # its W-th week: lapsed
    st.mention_of[i], st.mention_at[i] = 0, w.t - w.par.window
    st.posts_c[i], st.removed[i] = 2, 1
    R.mention(w, i)
    assert st.mention_pub[i] == 0 and st.mention_of[i] == -1


def test_benefit_counts_cross_silo_weight_and_harm():
    w = small_week()
    staff = np.flatnonzero(~w.people.is_manager)
    dept = w.net.department
    a = int(staff[0])
    b = next(int(j) for j in staff if dept[j] != dept[a])
    R.count_read(w, a, a, False, False, False)  # same department: weight 1
    R.count_read(w, a, b, True, False, True)  # another department, harmful, on U: weight 2
    R.benefit(w)
    par = w.par
    assert w.channel.values[R.CH_BENEFIT] == pytest.approx(
        (par.per_view * (1 + 1 + par.cross_silo) - par.harm * 1) / par.staff)
    assert w.scratch.reads[a] == 2


# ----------------------------------------------------------------- the week, against the engine
@pytest.mark.parametrize("scenario", H.SCENARIOS)
def test_shipped_scenarios_week_by_week(scenario):
    engine = H.make_engine(overrides=H.SHORT, scenario=scenario, seed=5)
    assert_weeks_match(engine, 40)


@pytest.mark.parametrize("name", list(H.CASES))
def test_lively_cases_week_by_week(name):
    assert_weeks_match(H.case_engine(name), 40)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_each_mechanism_off_week_by_week(mechanism):
    scenario = "shutdown" if mechanism == "frustration" else "restricted"
    engine = H.make_engine(overrides={**H.LIVELY, **H.HOT, "organisation.employees": 120},
                           scenario=scenario, seed=9, mechanisms={mechanism: False})
    assert not getattr(engine.params, f"m_{mechanism}")
    assert_weeks_match(engine, 30)


def test_the_cases_exercise_every_event():
    """Every counted event happens in some case, so the comparisons above are not vacuous."""
    from adoptsim.model.metrics import COLUMNS

    seen = dict.fromkeys(COLUMNS, 0.0)
    for name in H.CASES:
        engine = H.case_engine(name)
        engine.advance(40)
        for c, column in enumerate(COLUMNS):
            seen[column] = max(seen[column], float(np.abs(np.nan_to_num(engine.out[1:, c])).max()))
    assert [c for c, v in seen.items() if v == 0] == []
    complete = H.case_engine("complete-restricted")
    complete.advance(40)
    assert np.nansum(complete.series["reads_u"]) > 0  # U reads by the binomial route
    threshold = H.case_engine("threshold")
    threshold.advance(40)
    assert np.nansum(threshold.series["posts_c"]) > 0


def test_the_comparison_sees_a_one_read_difference(monkeypatch):
    """The harness fails when the reference miscounts harmful reads (even-numbered readers)."""
    original = R.count_read

    def one_off(w, reader, poster, harmful, comms, channel_u):
        original(w, reader, poster, harmful and reader % 2 == 1, comms, channel_u)

    monkeypatch.setattr(R, "count_read", one_off)
    failures = H.run_compare(H.case_engine("lively-restricted", seed=5), 40)
    assert failures and any("harmful_reads" in d for d in next(iter(failures.values())))
