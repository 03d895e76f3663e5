"""Tests of the organisation network generators and the edge-list loader."""

from __future__ import annotations

import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from adoptsim.config import OrganisationConfig
from adoptsim.errors import InputError
from adoptsim.network import (
    LEADERSHIP_CLIQUE_MAX,
    Network,
    barabasi_albert,
    build_network,
    complete_network,
    csr_from_edges,
    erdos_renyi,
    load_edgelist,
    org_network,
    ring_lattice,
    watts_strogatz,
)
from adoptsim.network.csr import csr_with_weights

DATA = Path(__file__).parent / "data"


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def check_csr(net: Network) -> None:
    """Every structural promise of :class:`Network`."""
    n = net.n
    assert net.indptr.dtype == np.int64 and net.indptr.shape == (n + 1,)
    assert net.indices.dtype == np.int32 and net.indices.shape == (net.indptr[-1],)
    assert net.department.dtype == np.int32 and net.department.shape == (n,)
    assert net.team.dtype == np.int32 and net.team.shape == (n,)
    assert net.level.dtype == np.int8 and net.level.shape == (n,)
    assert set(np.unique(net.level).tolist()) <= {0, 1, 2}
    assert net.indptr[0] == 0 and np.all(np.diff(net.indptr) >= 0)
    # Team ids are global and dense.
    assert np.array_equal(np.unique(net.team), np.arange(net.team.max() + 1))
    if net.complete:
        assert not net.indptr.any() and len(net.indices) == 0
        return
    rows = np.repeat(np.arange(n), np.diff(net.indptr))
    cols = net.indices.astype(np.int64)
    assert np.all((cols >= 0) & (cols < n))
    assert not np.any(rows == cols), "self-loop"
    # Strictly increasing inside each row: sorted and no duplicates.
    same_row = rows[1:] == rows[:-1]
    assert np.all(np.diff(cols)[same_row] > 0)
    # Symmetric: the transposed entries are the same set.
    fwd = np.sort(rows * n + cols)
    back = np.sort(cols * n + rows)
    assert np.array_equal(fwd, back)
    assert net.n_edges * 2 == len(net.indices)
    assert np.array_equal(net.degree, np.diff(net.indptr))
    if net.weights is not None:
        assert net.weights.dtype == np.float64 and net.weights.shape == net.indices.shape
        w_fwd = net.weights[np.argsort(rows * n + cols)]
        w_back = net.weights[np.argsort(cols * n + rows)]
        assert np.array_equal(w_fwd, w_back)


GENERATORS = {
    "org": lambda n, r: org_network(n, 8, 10, 3.0, 0.7, 0.6, r),
    "erdos_renyi": lambda n, r: erdos_renyi(n, 10, r),
    "watts_strogatz": lambda n, r: watts_strogatz(n, 10, 0.1, r),
    "barabasi_albert": lambda n, r: barabasi_albert(n, 10, r),
    "ring_lattice": lambda n, r: ring_lattice(n, 10),
    "complete": lambda n, r: complete_network(n),
}
RANDOM = ["org", "erdos_renyi", "watts_strogatz", "barabasi_albert"]


def same(a: Network, b: Network) -> bool:
    return all(
        np.array_equal(getattr(a, k), getattr(b, k))
        for k in ("indptr", "indices", "department", "team", "level")
    )


# --------------------------------------------------------------------------- CSR


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [1, 2, 13, 503])
def test_csr_invariants(name: str, n: int) -> None:
    net = GENERATORS[name](n, rng(3))
    assert net.n == n
    check_csr(net)
    assert net.weights is None and net.labels is None and net.comms is None


@pytest.mark.parametrize("name", RANDOM)
def test_determinism(name: str) -> None:
    a = GENERATORS[name](600, rng(11))
    b = GENERATORS[name](600, rng(11))
    c = GENERATORS[name](600, rng(12))
    assert same(a, b)
    assert not same(a, c)


def reference_csr(src, dst, n, weights=None):
    """Plain-Python symmetric CSR: dict of sets, max weight on duplicates."""
    nb: list[dict[int, float]] = [{} for _ in range(n)]
    for e, (s, d) in enumerate(zip(src, dst, strict=True)):
        if s == d:
            continue
        w = 1.0 if weights is None else weights[e]
        for a, b in ((s, d), (d, s)):
            nb[a][b] = max(nb[a].get(b, -np.inf), w)
    indptr = [0]
    indices: list[int] = []
    wout: list[float] = []
    for row in nb:
        for c in sorted(row):
            indices.append(c)
            wout.append(row[c])
        indptr.append(len(indices))
    return np.array(indptr), np.array(indices, dtype=np.int64), np.array(wout)


@pytest.mark.parametrize("seed", range(8))
def test_csr_from_edges_matches_reference(seed: int) -> None:
    r = rng(seed)
    n = int(r.integers(1, 40))
    m = int(r.integers(0, 120))
    src = r.integers(0, n, m)
    dst = r.integers(0, n, m)
    w = r.random(m).round(2)
    indptr, indices = csr_from_edges(src, dst, n)
    ref_ptr, ref_idx, ref_w = reference_csr(src.tolist(), dst.tolist(), n, w.tolist())
    assert indptr.dtype == np.int64 and indices.dtype == np.int32
    assert np.array_equal(indptr, ref_ptr)
    assert np.array_equal(indices, ref_idx)
    wp, wi, ww = csr_with_weights(src, dst, n, w)
    assert np.array_equal(wp, ref_ptr) and np.array_equal(wi, ref_idx)
    assert np.array_equal(ww, ref_w)


def test_csr_from_edges_large_n_and_errors() -> None:
    # Node ids beyond 2**12 exercise several radix digits.
    n = 3_000_000
    src = np.array([2_999_999, 5, 1_234_567, 5])
    dst = np.array([0, 2_999_999, 5, 2_999_999])
    indptr, indices = csr_from_edges(src, dst, n)
    assert indices[indptr[5] : indptr[6]].tolist() == [1_234_567, 2_999_999]
    assert indices[indptr[2_999_999] : indptr[3_000_000]].tolist() == [0, 5]
    assert len(indices) == 6
    with pytest.raises(ValueError, match="outside"):
        csr_from_edges([0, 3], [1, 1], 3)
    with pytest.raises(ValueError, match="length"):
        csr_from_edges([0, 1], [1], 3)
    empty_ptr, empty_idx = csr_from_edges([], [], 4)
    assert empty_ptr.tolist() == [0] * 5 and len(empty_idx) == 0


# --------------------------------------------------------------------------- org


def test_org_defaults_degree_and_clustering() -> None:
    net = org_network(2000, 8, 10, 3.0, 0.7, 0.6, rng(1))
    # docs/odd.md, section 2.2: mean degree ≈ 10 (7 in-team + ≈2.8 cross + leadership),
    # clustering ≈ 0.5. Over seeds 0-5 we see 10.25-10.33 and 0.542-0.551.
    assert 9.8 <= net.degree.mean() <= 10.8
    clustering = nx.average_clustering(net.to_networkx())
    assert 0.50 <= clustering <= 0.60


def test_org_structure() -> None:
    n = 2003  # not a multiple: last team has 3 members, last department 3 teams
    net = org_network(n, 8, 10, 0.0, 0.7, 0.6, rng(2))  # no cross ties
    i = np.arange(n)
    assert np.array_equal(net.team, i // 8)
    assert np.array_equal(net.department, i // 80)
    heads = np.arange(0, n, 80)
    leads = np.setdiff1d(np.arange(0, n, 8), heads)
    assert np.array_equal(np.flatnonzero(net.level == 2), heads)
    assert np.array_equal(np.flatnonzero(net.level == 1), leads)
    g = net.to_networkx()
    for t in (0, 7, 250):  # whole teams and the short last one
        members = np.flatnonzero(net.team == t)
        k = len(members)
        assert g.subgraph(members.tolist()).number_of_edges() == k * (k - 1) // 2
    assert len(np.flatnonzero(net.team == 250)) == 3
    for lead in leads:
        assert g.has_edge(int(lead), int(lead // 80 * 80))
    assert g.subgraph(heads.tolist()).number_of_edges() == len(heads) * (len(heads) - 1) // 2
    # Staff have their team only.
    staff = net.level == 0
    assert np.all(net.degree[staff & (net.team < 250)] == 7)


def test_org_leadership_hierarchy_beyond_clique_limit() -> None:
    # One-person departments: every node is a head.
    n = 2 * LEADERSHIP_CLIQUE_MAX + 50
    net = org_network(n, 1, 1, 0.0, 0.7, 0.6, rng(0))
    check_csr(net)
    assert np.all(net.level == 2)
    deg = net.degree
    # Blocks of 100, 100, 50 are cliques; the blocks' first heads (0, 100, 200)
    # form the top clique.
    assert deg[1] == 99 and deg[101] == 99 and deg[201] == 49
    assert deg[0] == 99 + 2 and deg[100] == 99 + 2 and deg[200] == 49 + 2
    assert net.n_edges == 2 * 4950 + 1225 + 3


def test_org_cross_ties_within_department_share() -> None:
    net = org_network(4000, 8, 10, 3.0, 1.0, 0.6, rng(4))
    rows = np.repeat(np.arange(net.n), net.degree)
    leadership = (net.level[rows] == 2) & (net.level[net.indices] == 2)
    assert np.all((net.department[rows] == net.department[net.indices]) | leadership)
    net = org_network(4000, 8, 10, 3.0, 0.0, 0.6, rng(4))
    rows = np.repeat(np.arange(net.n), net.degree)
    other_team = net.team[rows] != net.team[net.indices]
    outside = net.department[rows] != net.department[net.indices]
    # Uniform partners land outside the department 98% of the time.
    share = outside[other_team & (net.level[rows] == 0)].mean()
    assert share > 0.9


def test_hub_sigma_makes_hubs() -> None:
    flat = org_network(3000, 8, 10, 3.0, 0.7, 0.0, rng(5))
    hubby = org_network(3000, 8, 10, 3.0, 0.7, 1.5, rng(5))
    staff = flat.level == 0
    assert hubby.degree[staff].var() > 1.5 * flat.degree[staff].var()
    assert hubby.degree[staff].max() > flat.degree[staff].max() + 10


# --------------------------------------------------------------------------- others


def test_block_layout_of_other_generators() -> None:
    for name in ("erdos_renyi", "watts_strogatz", "barabasi_albert", "ring_lattice", "complete"):
        net = GENERATORS[name](200, rng(0))
        assert np.array_equal(net.team, np.arange(200) // 8)
        assert np.array_equal(net.department, np.arange(200) // 80)
        assert not net.level.any()


def test_erdos_renyi_mean_degree() -> None:
    n, k = 3000, 10.0
    means = [erdos_renyi(n, k, rng(s)).degree.mean() for s in range(3)]
    # sd of the mean degree is 2·sqrt(n(n-1)/2·p(1-p))/n ≈ 0.08
    assert all(abs(x - k) < 0.4 for x in means)
    dense = erdos_renyi(60, 45, rng(0))  # p > 0.5: enumerates pairs
    check_csr(dense)
    assert abs(dense.degree.mean() - 45) < 3
    assert erdos_renyi(50, 1000, rng(0)).n_edges == 50 * 49 // 2  # p clamped to 1


def test_ring_lattice_degrees() -> None:
    assert np.all(ring_lattice(100, 10).degree == 10)
    assert np.all(ring_lattice(100, 3).degree == 4)  # rounded half-up to even
    assert np.all(ring_lattice(100, 2.9).degree == 2)
    assert np.all(ring_lattice(9, 100).degree == 8)  # clamped: complete
    assert np.all(ring_lattice(10, 100).degree == 9)
    net = ring_lattice(20, 4)
    assert net.indices[net.indptr[0] : net.indptr[1]].tolist() == [1, 2, 18, 19]


def test_watts_strogatz() -> None:
    assert same(watts_strogatz(300, 6, 0.0, rng(0)), ring_lattice(300, 6))
    net = watts_strogatz(2000, 10, 0.2, rng(1))
    assert net.degree.mean() == 10.0  # rewiring keeps every tie
    lattice = ring_lattice(2000, 10)
    changed = (net.to_networkx().edges - lattice.to_networkx().edges).__len__()
    assert 0.15 * 10_000 < changed < 0.25 * 10_000
    full = watts_strogatz(9, 8, 1.0, rng(0))  # nowhere to rewire to
    assert full.n_edges == 36


def test_barabasi_albert() -> None:
    n = 3000
    net = barabasi_albert(n, 6, rng(0))
    m = 3
    assert net.n_edges == m + (n - m - 1) * m
    assert net.degree.min() >= m
    assert net.degree.max() > 20 * m  # preferential attachment makes hubs
    assert barabasi_albert(n, 1, rng(0)).n_edges == n - 1  # m = max(1, ...): a tree
    tiny = barabasi_albert(3, 10, rng(0))  # m clamped to n − 1
    assert tiny.n_edges == 2


def test_complete_network() -> None:
    net = complete_network(7)
    assert net.complete and net.n_edges == 21
    assert np.all(net.degree == 6)
    g = net.to_networkx()
    assert g.number_of_edges() == 21
    with pytest.raises(ValueError, match="complete"):
        complete_network(5001).to_networkx()


def test_to_networkx_roundtrip() -> None:
    net = org_network(300, 8, 10, 3.0, 0.7, 0.6, rng(8))
    g = net.to_networkx()
    assert g.number_of_nodes() == 300 and g.number_of_edges() == net.n_edges
    for i in (0, 8, 17, 299):
        assert g.nodes[i] == {
            "department": int(net.department[i]),
            "team": int(net.team[i]),
            "level": int(net.level[i]),
        }
    a = nx.to_scipy_sparse_array(g, nodelist=range(300), format="csr")
    assert np.array_equal(a.indptr, net.indptr)
    assert np.array_equal(a.indices, net.indices)


# --------------------------------------------------------------------------- build


@pytest.mark.parametrize("name", list(GENERATORS))
def test_build_network_dispatch(name: str) -> None:
    cfg = OrganisationConfig(generator=name, employees=240)
    net = build_network(cfg, rng(9))
    expected = GENERATORS[name](240, rng(9))
    assert same(net, expected) and net.complete == (name == "complete")


def test_build_network_edgelist_uses_resolve(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("source,target\na,b\nb,c\n")
    (tmp_path / "n.csv").write_text("id,department\na,x\nb,x\nc,y\nd,y\n")
    cfg = OrganisationConfig(generator="edgelist", edges="e.csv", nodes="n.csv", employees=99)
    net = build_network(cfg, rng(0), resolve=lambda p: tmp_path / p)
    assert net.n == 4  # employees is ignored
    assert net.labels.tolist() == ["a", "b", "c", "d"]


# --------------------------------------------------------------------------- edge lists


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edges_of(net: Network) -> set[tuple[str, str]]:
    rows = np.repeat(np.arange(net.n), net.degree)
    labels = net.labels
    return {
        (labels[i], labels[j]) for i, j in zip(rows, net.indices, strict=True) if i < j
    }


def test_edgelist_shipped_example() -> None:
    net = load_edgelist(DATA / "small_edges.csv", DATA / "small_nodes.tsv")
    check_csr(net)
    assert net.n == 10 and net.labels[0] == "ana"
    assert net.weights is not None
    assert net.comms is not None and net.comms.sum() == 2
    assert net.degree[net.labels.tolist().index("jo")] == 0  # isolated, kept


def test_edgelist_string_ids_and_order(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "Source , Target\nzoe,amy\n amy ,bob\n\nbob,zoe\nx y,zoe\n")
    net = load_edgelist(path)
    check_csr(net)
    assert net.labels.tolist() == ["zoe", "amy", "bob", "x y"]  # first appearance
    assert edges_of(net) == {("zoe", "amy"), ("amy", "bob"), ("zoe", "bob"), ("zoe", "x y")}
    assert not net.department.any() and not net.level.any()
    assert net.weights is None and net.comms is None


def test_edgelist_tsv_and_weights(tmp_path: Path) -> None:
    path = write(tmp_path, "e.tsv", "source\ttarget\tweight\tnote\n1\t2\t0.5\tx, y\n2\t3\t2\t\n")
    net = load_edgelist(path)
    check_csr(net)
    assert net.labels.tolist() == ["1", "2", "3"]
    row = slice(net.indptr[1], net.indptr[2])
    assert net.indices[row].tolist() == [0, 2]
    assert net.weights[row].tolist() == [0.5, 2.0]


def test_edgelist_self_loops_and_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "source,target,weight\na,b,1\nb,a,3\na,a,2\na,b,2\nb,c,1\n")
    with pytest.warns(UserWarning) as record:
        net = load_edgelist(path)
    messages = " ".join(str(w.message) for w in record)
    assert "1 self-loop" in messages and "2 duplicate" in messages and "e.csv" in messages
    check_csr(net)
    assert net.n == 3 and net.n_edges == 2
    assert net.weights[net.indptr[0] : net.indptr[1]].tolist() == [3.0]  # max kept


def test_edgelist_clean_file_does_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "source,target\na,b\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_edgelist(path)


def test_node_table(tmp_path: Path) -> None:
    edges = write(tmp_path, "e.csv", "source,target\nb,a\nc,d\n")
    nodes = write(
        tmp_path,
        "n.csv",
        "id,department,team,level,comms\n"
        "a,Sales,north,2,0\n"
        "b,Sales,south,1,\n"
        "c,IT,north,0,TRUE\n"
        "d,IT,north,0,no\n"
        "e,Sales,north,0,yes\n",
    )
    net = load_edgelist(edges, nodes)
    check_csr(net)
    assert net.labels.tolist() == ["a", "b", "c", "d", "e"]  # node table order
    assert net.department.tolist() == [0, 0, 1, 1, 0]  # first appearance
    # Teams are (department, team) pairs numbered department by department:
    # IT/north is not Sales/north.
    assert net.team.tolist() == [0, 1, 2, 2, 0]
    assert net.level.tolist() == [2, 1, 0, 0, 0]
    assert net.comms.tolist() == [False, False, True, False, True]
    assert net.degree[4] == 0  # isolated node kept
    g = net.to_networkx()
    assert g.nodes[2]["label"] == "c" and g.nodes[2]["comms"] is True


def test_node_table_numeric_labels_and_defaults(tmp_path: Path) -> None:
    edges = write(tmp_path, "e.csv", "source,target\n1,2\n")
    nodes = write(tmp_path, "n.tsv", "id\tdepartment\n1\t30\n2\t4\n3\t30\n")
    net = load_edgelist(edges, nodes)
    assert net.department.tolist() == [1, 0, 1]  # integers sorted numerically
    assert net.team.tolist() == [1, 0, 1]  # no team column: one team per department
    assert not net.level.any() and net.comms is None


def assert_input_error(excinfo: pytest.ExceptionInfo, *parts: str) -> None:
    message = str(excinfo.value)
    assert "\n" not in message, "one paragraph"
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", ["is empty", "source,target"]),
        ("\n  \n", ["is empty"]),
        ("a,b\nb,c\n", ["line 1", "header", "'source'", "'target'"]),
        ("source,target\na,b\nb,c,d\n", ["line 3", "expected 2 fields", "found 3"]),
        ("source,target,weight\na,b,1\nb\n", ["line 3", "expected 3 fields", "found 1"]),
        ("source,target\na,b\n,c\n", ["line 3", "empty source"]),
        ("source,target\na, \n", ["line 2", "empty target"]),
        ("source,target,weight\na,b,1\n\nb,c,heavy\n", ["line 4", "weight 'heavy'", ">= 0"]),
        ("source,target,weight\na,b,-1\n", ["line 2", "weight '-1'", ">= 0"]),
        ("source,target,weight\na,b,nan\n", ["line 2", "weight 'nan'"]),
        ("source,target,weight\na,b,inf\n", ["line 2", "finite"]),
        ("source,target,source\na,b,c\n", ["line 1", "'source' more than once"]),
        ("source,target\n", ["no ties"]),
    ],
)
def test_edgelist_errors(tmp_path: Path, text: str, parts: list[str]) -> None:
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(InputError) as excinfo:
        load_edgelist(path)
    assert_input_error(excinfo, str(path), *parts)


def test_edgelist_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        load_edgelist(tmp_path / "nope.csv")
    assert_input_error(excinfo, "nope.csv", "does not exist")
    with pytest.raises(InputError) as excinfo:
        load_edgelist(tmp_path)
    assert_input_error(excinfo, str(tmp_path), "directory")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"source,target\n\xff\xfe\x00\x01,b\n")
    with pytest.raises(InputError) as excinfo:
        load_edgelist(binary)
    assert_input_error(excinfo, "bin.csv", "UTF-8")


def test_edgelist_unknown_ids(tmp_path: Path) -> None:
    edges = write(tmp_path, "e.csv", "source,target\na,b\nb,ghost\nspook,a\nghost,a\n")
    nodes = write(tmp_path, "n.csv", "id\na\nb\n")
    with pytest.raises(InputError) as excinfo:
        load_edgelist(edges, nodes)
    assert_input_error(
        excinfo, str(edges), str(nodes), "2 id(s)", "'ghost' (line 3)", "'spook' (line 4)"
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("name,department\na,x\n", ["line 1", "'id'"]),
        ("id,level\na,3\n", ["line 2", "level '3'", "0 (staff)"]),
        ("id,comms\na,maybe\n", ["line 2", "comms 'maybe'"]),
        ("id,department\na,x\nb,\n", ["line 3", "empty department"]),
        ("id\na\nb\na\n", ["line 4", "'a' appears twice"]),
        ("id\n\n", ["no rows"]),
        ("id,team\na\n", ["line 2", "expected 2 fields"]),
    ],
)
def test_node_table_errors(tmp_path: Path, text: str, parts: list[str]) -> None:
    edges = write(tmp_path, "e.csv", "source,target\na,b\n")
    nodes = write(tmp_path, "nodes.csv", text)
    with pytest.raises(InputError) as excinfo:
        load_edgelist(edges, nodes)
    assert_input_error(excinfo, str(nodes), "Node table", *parts)


VALID_FILES = {
    "plain.csv": "source,target\na,b\nb,c\nc,a\n",
    "weights.csv": "source,target,weight\na,b,0.5\nb,a,2\nc,c,1\nd,b,0\n",
    "quoted.csv": 'source,target,kind\n"Smith, J",b,x\nb,"Lee ""Al"" K",y\n',
    "crlf.tsv": "source\ttarget\r\n1\t2\r\n2\t3\r\n",
    "semicolon.csv": "source;target\nx;y\n",
    "extra_blank.csv": "source,target\n\na,b\n\n",
    "unicode.csv": "\ufeffsource,target\nJosé,Zoë\nZoë,李\n",
}


@pytest.mark.parametrize("name", VALID_FILES)
def test_fast_and_slow_readers_agree(tmp_path: Path, name: str) -> None:
    from adoptsim.network.edgelist import _edges_fast, _edges_slow, _Slow

    path = write(tmp_path, name, VALID_FILES[name])
    slow = _edges_slow(path, None, None)
    try:
        fast = _edges_fast(path, None)
    except _Slow:
        return  # fine: the slow reader is the reference
    assert list(fast[0]) == list(slow[0])
    for a, b in zip(fast[1:], slow[1:], strict=True):
        assert (a is None and b is None) or np.array_equal(a, b)


def test_clean_file_takes_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    import adoptsim.network.edgelist as edgelist

    path = write(tmp_path, "e.csv", "source,target,weight\na,b,1\nb,c,2.5\n")
    nodes = write(tmp_path, "n.csv", "id\nc\nb\na\nd\n")

    def fail(*args):
        raise AssertionError("slow reader used for a clean file")

    monkeypatch.setattr(edgelist, "_edges_slow", fail)
    net = load_edgelist(path)
    assert net.labels.tolist() == ["a", "b", "c"] and net.n_edges == 2
    net = load_edgelist(path, nodes)
    assert net.labels.tolist() == ["c", "b", "a", "d"] and net.degree.tolist() == [1, 2, 1, 0]


def test_set_helpers_match_numpy() -> None:
    from adoptsim.network.csr import dense_codes, first_occurrence, unique_sorted

    for seed in range(5):
        x = rng(seed).integers(0, 30, int(rng(seed).integers(0, 60)))
        assert np.array_equal(unique_sorted(x), np.unique(x))
        mask = np.zeros(len(x), bool)
        mask[np.unique(x, return_index=True)[1]] = True
        assert np.array_equal(first_occurrence(x), mask)
        assert np.array_equal(dense_codes(x), np.unique(x, return_inverse=True)[1])


def test_node_table_padded_numbers_stay_labels(tmp_path: Path) -> None:
    edges = write(tmp_path, "e.csv", "source,target\na,b\n")
    nodes = write(tmp_path, "n.csv", "id,department\na,7\nb,07\nc,10\n")
    net = load_edgelist(edges, nodes)
    assert net.department.tolist() == [0, 1, 2]  # "7" and "07" differ: first appearance


def test_an_edge_list_read_again_is_not_parsed_again_unless_it_changed(tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text("source,target\na,b\nb,c\n")
    first = load_edgelist(path)
    assert load_edgelist(path) is first
    path.write_text("source,target\na,b\nb,d\n")  # same size, new contents, same instant
    second = load_edgelist(path)
    assert second is not first
    assert second.labels.tolist() == ["a", "b", "d"]
