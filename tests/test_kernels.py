"""Every kernel against its plain-Python reference, with the same random numbers."""

import numba
import numpy as np
import pytest

import reference as ref
from adoptsim import kernels as K
from adoptsim.network import erdos_renyi

N = 80


@pytest.fixture(params=[1, 2, 3])
def world(request):
    """A random small graph and a random population state (three seeds)."""
    rng = np.random.default_rng(request.param)
    net = erdos_renyi(N, 4.0, rng)
    st = {
        "is_manager": rng.random(N) < 0.05,
        "enthusiasm": rng.beta(2, 5, N),
        "fear0": rng.beta(2, 4, N),
        "intensity": rng.lognormal(-1.62, 1.8, N) * 20,  # large, to reach many posts
        "aware": rng.random(N) < 0.5,
        "member_c": rng.random(N) < 0.3,
        "member_u": rng.random(N) < 0.1,
        "invited": rng.random(N) < 0.2,
        "trust": rng.random(N),
        "fear": rng.random(N),
        "cum_posts_c": rng.integers(0, 5, N),
        "cum_posts_u": rng.integers(0, 5, N),
        "last_post": rng.integers(-20, 5, N).astype(np.int32),
    }
    st["ever_member"] = st["member_c"].copy()
    for key in ("posts_c", "posts_u"):
        st[key] = np.zeros(N, np.int32)
    st["sanctioned"] = np.zeros(N, bool)
    st["joined_now"] = np.zeros(N, bool)
    return net, st, rng


def _params(rng, threshold=False, closed=False):
    p = np.zeros(K.N_PARAMS)
    p[:] = rng.random(K.N_PARAMS) * 0.5
    p[K.Q] = 2.0
    p[K.B0] = -1.0
    p[K.B_SOCIAL] = 4.0
    p[K.B_FEAR] = 3.0
    p[K.INSTANT] = 0.0
    p[K.JOIN_RATE] = 0.8
    p[K.THRESHOLD_MODE] = float(threshold)
    p[K.CLOSED] = float(closed)
    p[K.ANY_JOINED] = 1.0
    p[K.STEP] = 7.0
    return p


def _copy(st):
    return {k: v.copy() for k, v in st.items()}


@pytest.mark.parametrize("rate", [0.0, 0.01, 0.7, 3.0, 29.9, 30.0, 75.0, 900.0, 5000.0])
def test_poisson_inversion_matches_scipy(rate):
    for u in np.linspace(0.0005, 0.9995, 199):
        assert K.poisson_from_uniform(u, rate) == ref.poisson_from_uniform(u, rate), (u, rate)


def test_poisson_inversion_has_the_right_mean_and_variance():
    u = np.random.default_rng(0).random(200_000)
    for rate in (0.3, 12.0, 400.0):
        x = np.array([K.poisson_from_uniform(v, rate) for v in u])
        # standard error of the mean is sqrt(rate / n); allow 5 of them
        assert abs(x.mean() - rate) < 5 * np.sqrt(rate / len(u))
        assert abs(x.var() / rate - 1) < 0.02


def test_neighbour_stats(world):
    net, st, rng = world
    active = st["member_c"] & (rng.random(N) < 0.5)
    sanct = rng.random(N) < 0.2
    flags = (st["member_c"] * K.MEMBER | active * K.ACTIVE
             | st["member_u"] * K.UNDERGROUND | sanct * K.SANCTIONED).astype(np.uint8)
    outs = [np.zeros(N, np.int32) for _ in range(4)] + [np.zeros(N)]
    K.neighbour_stats(net.indptr, net.indices, flags, st["trust"], *outs)
    want, trust_sum = ref.neighbour_stats(net.indptr, net.indices, st["member_c"], active,
                                          st["member_u"], sanct, st["trust"])
    for got, key in zip(outs[:4], ("member", "active", "under", "sanct"), strict=True):
        np.testing.assert_array_equal(got, want[key])
    np.testing.assert_allclose(outs[4], trust_sum, rtol=1e-12)


@pytest.mark.parametrize("threshold", [False, True])
@pytest.mark.parametrize("closed", [False, True])
def test_update_individuals(world, threshold, closed):
    net, st, rng = world
    deg = np.diff(net.indptr)
    stats = {k: rng.integers(0, 4, N).astype(np.int32) for k in
             ("member", "active", "under", "sanct")}
    stats = {k: np.minimum(v, deg).astype(np.int32) for k, v in stats.items()}
    par = _params(rng, threshold, closed)
    par[K.POLICING] = 0.9
    par[K.SANCTION_RATE] = 0.5
    u = rng.random((6, N))
    got, want = _copy(st), _copy(st)
    K.update_individuals(
        par, u, deg, stats["member"], stats["active"], stats["under"],
        stats["sanct"], got["is_manager"], got["enthusiasm"], got["fear0"], got["intensity"],
        got["aware"], got["member_c"], got["member_u"], got["ever_member"], got["invited"],
        got["trust"], got["fear"], got["posts_c"], got["posts_u"], got["cum_posts_c"],
        got["cum_posts_u"], got["last_post"], got["sanctioned"], got["joined_now"],
    )
    ref.update_individuals(par, u, deg, stats, want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, err_msg=key)
    # the draws reach the branches under test: joins and posts unless C is closed
    assert got["joined_now"].any() == (not closed)
    assert got["posts_c"].any() == (not closed)


@pytest.mark.parametrize("complete", [False, True])
def test_follow(world, complete):
    net, st, rng = world
    new = np.flatnonzero(st["member_c"])[:10].astype(np.int64)
    manager_of = np.full(N, -1, np.int64)
    manager_of[np.flatnonzero(st["member_c"])[:2]] = [0, 1]
    follows = np.zeros((2, N), bool)
    urn0 = rng.integers(0, N, 15)
    u = rng.random((len(new), 3, 3))
    got_f, want_f = np.zeros(N, np.int32), np.zeros(N, np.int32)
    got_follows, want_follows = follows.copy(), follows.copy()
    got_mf, want_mf = np.zeros(2, np.int64), np.zeros(2, np.int64)
    urn = np.zeros(100, np.int64)
    urn[:15] = urn0
    urn_len = K.follow(new, net.indptr, net.indices, complete, st["member_c"],
                       np.flatnonzero(st["member_c"]), urn, 15, got_f, u, 0.5, manager_of,
                       got_follows, got_mf)
    want_urn = ref.follow(new, net.indptr, net.indices, complete, st["member_c"], want_f, urn0,
                          u, 0.5, manager_of, want_follows, want_mf)
    assert urn_len == len(want_urn)
    np.testing.assert_array_equal(urn[:urn_len], want_urn)
    np.testing.assert_array_equal(got_f, want_f)
    np.testing.assert_array_equal(got_follows, want_follows)
    np.testing.assert_array_equal(got_mf, want_mf)
    assert got_f.sum() > 0


def test_engage(world):
    _net, st, rng = world
    nodes = np.flatnonzero(st["is_manager"])[:2].astype(np.int64)
    if len(nodes) < 2:
        nodes = np.array([0, 1], np.int64)
    m = len(nodes)
    eligible = np.flatnonzero(st["aware"] | st["member_c"])
    pool = eligible[:5]
    u = rng.random((m, 30, 4))
    mg = {
        "tie": np.zeros((m, N), np.float32), "follows": np.zeros((m, N), bool),
        "followers": np.zeros(m, np.int64), "positive": np.zeros(m, np.int64),
        "interactions": np.zeros(m, np.int64), "window_positive": np.zeros(m, np.int64),
        "window_interactions": np.zeros(m, np.int64),
    }
    tone = np.array([0.3, 0.8])[:m]
    joined = np.ones(m, bool)
    got_st, want_st = _copy(st), _copy(st)
    got_st["followers"] = np.zeros(N, np.int32)
    want_st["followers"] = np.zeros(N, np.int32)
    got_mg, want_mg = _copy(mg), _copy(mg)
    urn = np.zeros(200, np.int64)
    urn_len = K.engage(nodes, joined, tone, 0.7, 0.6, eligible, pool, u, got_st["member_c"],
                       got_st["trust"], got_st["fear"], got_st["invited"], got_mg["tie"],
                       got_mg["follows"], got_mg["followers"], got_st["followers"], urn, 0,
                       0.1, 0.2, got_mg["positive"], got_mg["interactions"],
                       got_mg["window_positive"], got_mg["window_interactions"])
    added = ref.engage(nodes, joined, tone, 0.7, 0.6, eligible, pool, u, want_st, want_mg,
                       0.1, 0.2)
    np.testing.assert_array_equal(urn[:urn_len], added)
    for key in ("trust", "fear", "invited", "followers"):
        np.testing.assert_allclose(got_st[key], want_st[key], rtol=1e-12, err_msg=key)
    for key in mg:
        np.testing.assert_allclose(got_mg[key], want_mg[key], rtol=1e-6, err_msg=key)
    assert got_mg["positive"].sum() > 0 and got_mg["interactions"].sum() > got_mg["positive"].sum()


def test_update_trust(world):
    _net, st, rng = world
    n_member = rng.integers(0, 4, N).astype(np.int32)
    trust_sum = n_member * rng.random(N)
    got = st["trust"].copy()
    K.update_trust(got, n_member, trust_sum, st["member_c"], st["is_manager"], 0.3, 0.2, 0.4, 0.9)
    want = ref.update_trust(st["trust"], n_member, trust_sum, st["member_c"], st["is_manager"],
                            0.3, 0.2, 0.4, 0.9)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_decay_ties_and_bridging(world):
    net, _st, rng = world
    tie = (rng.random((2, N)) * 2).astype(np.float32)
    want = tie * np.float32(0.5)
    want[want < 0.3] = 0
    K.decay_ties(tie, 0.5, 0.3)
    np.testing.assert_allclose(tie, want, rtol=1e-6)
    team = rng.integers(0, 5, N)
    got = K.outside_group_degree(net.indptr, net.indices, team)
    for i in range(N):
        nbrs = net.indices[net.indptr[i] : net.indptr[i + 1]]
        assert got[i] == (team[nbrs] != team[i]).sum()


def test_parallel_kernels_match_serial_threads():
    """Same inputs => identical outputs on 1 thread and on all threads."""
    from adoptsim.model import AdoptionModel

    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        try:
            ts = AdoptionModel(employees=3000, steps=30, rng=5).run()
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        results.append(ts)
    assert numba.config.NUMBA_NUM_THREADS >= 1
    assert results[0].equals(results[1])
