"""Every kernel against its plain-Python reference, with the same random numbers."""

import numba
import numpy as np
import pytest

import reference as ref
from adoptsim import jit
from adoptsim.jit import row_bounds
from adoptsim.model import kernels as K
from adoptsim.network import erdos_renyi, outside_group_degree

N = 80


def force_parallel(monkeypatch) -> None:
    """Take the parallel path even on small graphs (the row split and the reductions)."""
    monkeypatch.setattr(jit, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(K, "PARALLEL_MIN_WORK", 0)


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


def test_uniforms_are_splitmix64_and_look_uniform():
    keys = np.random.default_rng(4).integers(0, 2**64, size=50, dtype=np.uint64)
    np.testing.assert_array_equal(K.uniforms(keys, 6), ref.uniforms(keys, 6))
    u = K.uniforms(np.random.default_rng(5).integers(0, 2**64, 100_000, dtype=np.uint64), 6)
    assert ((u >= 0) & (u < 1)).all()
    # mean 1/2 and variance 1/12 per row (se 0.0009 and 0.0003); rows uncorrelated
    assert np.abs(u.mean(axis=1) - 0.5).max() < 0.005
    assert np.abs(u.var(axis=1) - 1 / 12).max() < 0.002
    corr = np.corrcoef(u)
    assert np.abs(corr[np.triu_indices(6, 1)]).max() < 0.015
    # consecutive keys (the worst case for a weak mixer) give unrelated uniforms
    seq = K.uniforms(np.arange(100_000, dtype=np.uint64), 1)[0]
    assert abs(np.corrcoef(seq[:-1], seq[1:])[0, 1]) < 0.015


def _table(member, active, under, sanctioned, trust, bounds=None):
    """The node table of a state given as flags (``active`` via last_post)."""
    n = len(member)
    last_post = np.where(active, 9, -100).astype(np.int32)  # step 10, window 3
    table = np.zeros((n, 2), np.uint64)
    K.node_table(10, 3, member, last_post, under, sanctioned, trust, table, bounds=bounds)
    return table


def test_node_table(world):
    _net, st, rng = world
    sanct = rng.random(N) < 0.2
    table = np.zeros((N, 2), np.uint64)
    K.node_table(4, 3, st["member_c"], st["last_post"], st["member_u"], sanct, st["trust"],
                 table)
    active = st["member_c"] & (4 - st["last_post"] < 3)
    flags = (st["member_c"] * K.MEMBER | active * K.ACTIVE | st["member_u"] * K.UNDERGROUND
             | sanct * K.SANCTIONED)
    np.testing.assert_array_equal(table[:, 1], K.FLAG_LANES[flags])
    np.testing.assert_array_equal(table.view(np.float64)[:, 0],
                                  np.where(st["member_c"], st["trust"], 0.0))
    for f in range(16):  # lane b of FLAG_LANES[f] is bit b of f
        assert [(int(K.FLAG_LANES[f]) >> (16 * b)) & 0xFFFF for b in range(4)] == [
            (f >> b) & 1 for b in range(4)]


@pytest.mark.parametrize("chunks", [1, 5])
@pytest.mark.parametrize("prefetch", [False, True])
def test_neighbour_stats(world, chunks, prefetch, monkeypatch):
    net, st, rng = world
    force_parallel(monkeypatch)  # the parallel path, on a small graph
    if prefetch:  # the large-graph path: prefetching (past the end of the ties, too)
        monkeypatch.setattr(K, "PREFETCH_MIN_NODES", 0)
    bounds = row_bounds(net.indptr + np.arange(N + 1), chunks)
    assert len(bounds) == chunks + 1
    active = st["member_c"] & (rng.random(N) < 0.5)
    sanct = rng.random(N) < 0.2
    table = _table(st["member_c"], active, st["member_u"], sanct, st["trust"], bounds)
    outs = [np.zeros(N, np.int32) for _ in range(4)] + [np.zeros(N)]
    K.neighbour_stats(net.indptr, net.indices, table, *outs, bounds=bounds)
    want, trust_sum = ref.neighbour_stats(net.indptr, net.indices, st["member_c"], active,
                                          st["member_u"], sanct, st["trust"])
    for got, key in zip(outs[:4], ("member", "active", "under", "sanct"), strict=True):
        np.testing.assert_array_equal(got, want[key])
    np.testing.assert_allclose(outs[4], trust_sum, rtol=1e-12)


def test_neighbour_stats_counts_beyond_a_lane():
    """A hub with more ties than one 16-bit lane holds (the counts are flushed)."""
    n = K.LANE_MAX + 2000
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = n - 1  # node 0 is tied to everyone else; the others only to it
    indptr[2:] += np.arange(1, n)
    indices = np.concatenate([np.arange(1, n), np.zeros(n - 1)]).astype(np.int32)
    yes = np.ones(n, bool)
    table = _table(yes, yes, yes, yes, np.full(n, 0.5))
    outs = [np.zeros(n, np.int32) for _ in range(4)] + [np.zeros(n)]
    K.neighbour_stats(indptr, indices, table, *outs)
    for out in outs[:4]:
        assert out[0] == n - 1 and (out[1:] == 1).all()
    assert outs[4][0] == 0.5 * (n - 1)


@pytest.mark.parametrize("parallel", [False, True])
def test_neighbours_and_individuals_is_the_two_passes(world, parallel, monkeypatch):
    """The fused pass gives the very same arrays as neighbour_stats then update_individuals."""
    net, st, rng = world
    force_parallel(monkeypatch)
    monkeypatch.setattr(K, "PREFETCH_MIN_NODES", 0)
    bounds = row_bounds(net.indptr + np.arange(N + 1), 3 if parallel else 1)
    table = _table(st["member_c"], st["member_c"] & (rng.random(N) < 0.5), st["member_u"],
                   rng.random(N) < 0.2, st["trust"])
    par = _params(rng)
    par[K.POLICING] = 0.9
    keys = rng.integers(0, 2**64, size=N, dtype=np.uint64)
    deg = np.diff(net.indptr)
    results = []
    for fused in (False, True):
        got = _copy(st)
        counts = [np.zeros(N, np.int32) for _ in range(4)]
        trust_sum = np.zeros(N)
        indiv = (par, keys, deg, *counts, got["is_manager"], got["enthusiasm"], got["fear0"],
                 got["intensity"], got["aware"], got["member_c"], got["member_u"],
                 got["ever_member"], got["invited"], got["trust"], got["fear"], got["posts_c"],
                 got["posts_u"], got["cum_posts_c"], got["cum_posts_u"], got["last_post"],
                 got["sanctioned"], got["joined_now"])
        if fused:
            K.neighbours_and_individuals(net.indptr, net.indices, table, trust_sum, *indiv,
                                         bounds=bounds)
        else:
            K.neighbour_stats(net.indptr, net.indices, table, *counts, trust_sum)
            K.update_individuals(*indiv)
        results.append({**got, "counts": np.array(counts), "trust_sum": trust_sum})
    for key, value in results[0].items():
        np.testing.assert_array_equal(results[1][key], value, err_msg=key)
    assert results[1]["joined_now"].any()


@pytest.mark.parametrize("threshold", [False, True])
@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("parallel", [False, True])
def test_update_individuals(world, threshold, closed, parallel, monkeypatch):
    net, st, rng = world
    force_parallel(monkeypatch)
    bounds = row_bounds(np.arange(N + 1), 3 if parallel else 1)
    deg = np.diff(net.indptr)
    stats = {k: rng.integers(0, 4, N).astype(np.int32) for k in
             ("member", "active", "under", "sanct")}
    stats = {k: np.minimum(v, deg).astype(np.int32) for k, v in stats.items()}
    par = _params(rng, threshold, closed)
    par[K.POLICING] = 0.9
    par[K.SANCTION_RATE] = 0.5
    keys = rng.integers(0, 2**64, size=N, dtype=np.uint64)
    u = ref.uniforms(keys)
    got, want = _copy(st), _copy(st)
    K.update_individuals(
        par, keys, deg, stats["member"], stats["active"], stats["under"],
        stats["sanct"], got["is_manager"], got["enthusiasm"], got["fear0"], got["intensity"],
        got["aware"], got["member_c"], got["member_u"], got["ever_member"], got["invited"],
        got["trust"], got["fear"], got["posts_c"], got["posts_u"], got["cum_posts_c"],
        got["cum_posts_u"], got["last_post"], got["sanctioned"], got["joined_now"],
        bounds=bounds,
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


def test_top_pool(world):
    _net, st, rng = world
    eligible = np.flatnonzero(st["aware"] | st["member_c"])
    # counts, all tied, distinct, and beyond the histogram (a selection instead)
    for score in (st["cum_posts_c"], np.zeros(N, np.int64), np.arange(N),
                  rng.integers(-(2**40), 2**40, N)):
        for size in (1, 7, len(eligible), len(eligible) + 3):
            u = rng.random(size)
            got = K.top_pool(eligible, score, size, u)
            want = ref.top_pool(eligible, score, size, u)
            assert sorted(got.tolist()) == sorted(want)
            assert len(got) == min(size, len(eligible))


def test_top_pool_breaks_ties_uniformly():
    """Ten tied at the cut, three places: each is in the pool 30% of the time."""
    eligible = np.arange(20)
    score = np.array([5] * 5 + [2] * 10 + [0] * 5)
    rng = np.random.default_rng(8)
    hits = np.zeros(20)
    for _ in range(4000):
        hits[K.top_pool(eligible, score, 8, rng.random(8))] += 1
    assert (hits[:5] == 4000).all() and (hits[15:] == 0).all()
    assert np.abs(hits[5:15] / 4000 - 0.3).max() < 0.04  # se 0.007


def test_eligible_nodes(world):
    _net, st, _rng = world
    out = np.zeros(N, np.int64)
    for invite in (False, True):
        k = K.eligible_nodes(st["member_c"], st["aware"], st["is_manager"], invite, out)
        want = st["member_c"] | (invite & st["aware"])
        np.testing.assert_array_equal(out[:k], np.flatnonzero(want & ~st["is_manager"]))


@pytest.mark.parametrize("managers", [0, 2])
def test_step_sums(world, managers, monkeypatch):
    _net, st, rng = world
    follows = rng.random((managers, N)) < 0.2
    tie = (rng.random((managers, N)) < 0.1).astype(np.float32)
    n_under = rng.integers(0, 4, N).astype(np.int32)
    posts_c = rng.integers(0, 3, N).astype(np.int32)
    posts_u = rng.integers(0, 3, N).astype(np.int32)
    args = (4, 3, st["is_manager"], st["aware"], st["member_c"], st["member_u"],
            st["last_post"], posts_c, posts_u, st["trust"], st["fear"], n_under, follows, tie)
    monkeypatch.setattr(K, "REDUCE_BLOCK", 16)  # several blocks
    got, got_managers = K.step_sums(*args)
    force_parallel(monkeypatch)
    par, par_managers = K.step_sums(*args)
    np.testing.assert_array_equal(par, got)  # in parallel: the same bits
    np.testing.assert_array_equal(par_managers, got_managers)
    for key, value in ref.step_sums(*args).items():
        assert got[getattr(K, key)] == pytest.approx(value, rel=1e-12), key
    np.testing.assert_array_equal(got_managers, (follows & st["member_c"]).sum(axis=1))
    # with step 13 folded in: the same as update_trust first
    n_member = rng.integers(0, 4, N).astype(np.int32)
    trust_sum = n_member * rng.random(N)
    update = (n_member, trust_sum, 0.3, 0.2, 0.4, 0.9)
    want_trust = st["trust"].copy()
    K.update_trust(want_trust, n_member, trust_sum, st["member_c"], st["is_manager"], *update[2:])
    args_want = (*args[:9], want_trust, *args[10:])
    trust = st["trust"].copy()
    args_fused = (*args[:9], trust, *args[10:])
    fused, fused_managers = K.step_sums(*args_fused, trust_update=update)
    np.testing.assert_array_equal(trust, want_trust)
    np.testing.assert_array_equal(fused, K.step_sums(*args_want)[0])
    np.testing.assert_array_equal(fused_managers, got_managers)
    members, following = K.following_members(st["member_c"], st["is_manager"], follows)
    assert members == (st["member_c"] & ~st["is_manager"]).sum()
    assert following == (follows.any(axis=0) & st["member_c"]).sum()


@pytest.mark.parametrize("parallel", [False, True])
def test_update_trust(world, parallel, monkeypatch):
    _net, st, rng = world
    n_member = rng.integers(0, 4, N).astype(np.int32)
    trust_sum = n_member * rng.random(N)
    got = st["trust"].copy()
    force_parallel(monkeypatch)
    bounds = row_bounds(np.arange(N + 1), 4 if parallel else 1)
    K.update_trust(got, n_member, trust_sum, st["member_c"], st["is_manager"], 0.3, 0.2, 0.4, 0.9,
                   bounds=bounds)
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
    got = outside_group_degree(net.indptr, net.indices, team)
    for i in range(N):
        nbrs = net.indices[net.indptr[i] : net.indptr[i + 1]]
        assert got[i] == (team[nbrs] != team[i]).sum()


def test_parallel_kernels_match_serial_threads(monkeypatch):
    """Same inputs => identical outputs on 1 thread, on all threads, and on the
    serial path that small models take."""
    from adoptsim.model.model import AdoptionModel

    serial = AdoptionModel(employees=3000, steps=30, rng=5).run()
    force_parallel(monkeypatch)  # split every pass into chunks
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        try:
            model = AdoptionModel(employees=3000, steps=30, rng=5)
            assert len(model._edge_bounds) > 2
            ts = model.run()
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        results.append(ts)
    assert numba.config.NUMBA_NUM_THREADS >= 1
    assert results[0].equals(results[1])
    assert results[0].equals(serial)
