"""Bad values reach users as one clear error: nan/inf, NUL paths, size bombs.

Covers the scenario schema (every float key), paths in scenario files,
``extends`` by a shipped scenario's name, memory estimates, edge-list warnings
and the classic models' parameters.
"""

import json
import math
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from adoptsim import classic, memory
from adoptsim import network as network_module
from adoptsim import scenarios as scenarios_module
from adoptsim.config import SECTIONS, load_config, validate
from adoptsim.errors import InputError
from adoptsim.model.model import AdoptionModel
from adoptsim.model.state import estimate_bytes
from adoptsim.network import EdgeListWarning, build_network, estimate_size, load_edgelist
from adoptsim.network import edgelist as edgelist_module

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"

FLOAT_KEYS = [
    f"{section}.{key}"
    for section, model in SECTIONS.items()
    for key, field in model.model_fields.items()
    if field.annotation is float
]
NON_FINITE = [math.nan, math.inf, -math.inf]


def adoptsim(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "adoptsim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def toml_literal(x: float) -> str:
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


# --------------------------------------------------------------- nan and inf


def test_the_schema_has_many_float_keys():
    assert len(FLOAT_KEYS) > 40
    assert {"posting.intercept", "posting.social", "benefit.per_view"} <= set(FLOAT_KEYS)


@pytest.mark.parametrize("value", NON_FINITE, ids=toml_literal)
def test_every_float_key_refuses_nan_and_inf_in_overrides(value):
    for dotted in FLOAT_KEYS:
        with pytest.raises(InputError) as exc:
            load_config(overrides={dotted: value})
        message = str(exc.value)
        assert f"{dotted} = {value!r} must be a finite number" in message, message


@pytest.mark.parametrize("value", NON_FINITE, ids=toml_literal)
def test_every_float_key_refuses_nan_and_inf_in_scenario_files(tmp_path, value):
    for dotted in FLOAT_KEYS:
        section, key = dotted.split(".")
        path = tmp_path / f"{section}_{key}.toml"
        path.write_text(f"[{section}]\n{key} = {toml_literal(value)}\n")
        with pytest.raises(InputError) as exc:
            load_config(path)
        message = str(exc.value)
        assert str(path) in message and f"{dotted} = {value!r} must be a finite number" in message


def test_bounded_keys_say_their_range_too():
    with pytest.raises(InputError, match=r"trust\.gain = nan must be a finite number, not nan or "
                                         r"inf; allowed: \[0\.0, 1\.0\]"):
        load_config(overrides={"trust.gain": math.nan})


def test_flat_model_parameters_refuse_nan():
    with pytest.raises(InputError, match=r"posting\.intercept = nan must be a finite number"):
        AdoptionModel(intercept=math.nan, employees=100, steps=2, rng=1)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("posting.intercept=nan", "posting.intercept = nan must be a finite number"),
        ("posting.social=inf", "posting.social = inf must be a finite number"),
        ("benefit.per_view=-inf", "benefit.per_view = -inf must be a finite number"),
    ],
)
def test_cli_set_refuses_nan_and_inf(setting, expected):
    res = adoptsim("check", "baseline", "--set", setting)
    assert res.returncode == 2, res.stdout + res.stderr
    assert expected in res.stderr and "Traceback" not in res.stderr


def test_cli_scenario_file_refuses_inf(tmp_path):
    path = tmp_path / "loud.toml"
    path.write_text('extends = "baseline"\n[posting]\nsocial = inf\n')
    res = adoptsim("run", str(path), "--steps", "2", "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "posting.social = inf must be a finite number" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "out").exists()


# ----------------------------------------------------------------- NUL paths


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('extends = "base\\u0000.toml"\n', "'extends' = 'base\\x00.toml' contains a NUL byte"),
        ('[organisation]\ngenerator = "edgelist"\nedges = "e\\u0000.csv"\n',
         "organisation.edges = 'e\\x00.csv' contains a NUL byte"),
        ('[organisation]\ngenerator = "edgelist"\nedges = "e.csv"\nnodes = "n\\u0000.csv"\n',
         "organisation.nodes = 'n\\x00.csv' contains a NUL byte"),
    ],
    ids=["extends", "edges", "nodes"],
)
def test_nul_bytes_in_scenario_paths(tmp_path, text, named):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert named in str(exc.value) and str(path) in str(exc.value)


def test_nul_bytes_in_paths_given_from_python():
    with pytest.raises(InputError, match=r"organisation\.edges: path 'a\\x00\.csv' contains a "
                                         r"NUL byte"):
        validate({"organisation": {"generator": "edgelist", "edges": "a\x00.csv"}}, "scenario")
    with pytest.raises(InputError, match=r"Scenario file 'x\\x00\.toml' contains a NUL byte"):
        load_config("x\x00.toml")
    with pytest.raises(InputError, match=r"Edge list path 'e\\x00\.csv' contains a NUL byte"):
        load_edgelist("e\x00.csv")
    with pytest.raises(InputError, match=r"Node table path 'n\\x00\.csv' contains a NUL byte"):
        load_edgelist(DATA / "small_edges.csv", "n\x00.csv")


def test_cli_nul_byte_in_edges_path(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[organisation]\ngenerator = "edgelist"\nedges = "e\\u0000.csv"\n')
    res = adoptsim("run", str(path), "--steps", "2", "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "organisation.edges = 'e\\x00.csv' contains a NUL byte" in res.stderr
    assert "Traceback" not in res.stderr


# ------------------------------------------------------ extends a shipped name


def readme_own_organisation() -> str:
    """The README's own-organisation scenario, as written there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    (block,) = [b for b in blocks if 'generator = "edgelist"' in b]
    return block


def test_readme_own_organisation_example_works_from_any_folder(tmp_path):
    text = readme_own_organisation()
    assert 'extends = "baseline.toml"' in text and "our_edges.csv" in text
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert not (folder / "baseline.toml").exists() and ROOT not in folder.parents
    (folder / "my_org.toml").write_text(text)
    shutil.copy(DATA / "small_edges.csv", folder / "our_edges.csv")
    shutil.copy(DATA / "small_nodes.tsv", folder / "our_people.csv")
    res = adoptsim("check", "my_org.toml", cwd=folder)
    assert res.returncode == 0, res.stderr
    res = adoptsim("run", "my_org.toml", "--steps", "3", "--out", "out", cwd=folder)
    assert res.returncode == 0, res.stderr
    summary = json.loads((folder / "out" / "summary.json").read_text())
    assert summary["employees"] == 10 and summary["ties"] > 0


def test_extends_prefers_a_local_file_then_the_shipped_scenario(tmp_path):
    shipped = load_config(ROOT / "scenarios" / "baseline.toml")
    for name in ("baseline", "baseline.toml"):
        (tmp_path / "a.toml").write_text(f'extends = "{name}"\n[run]\nsteps = 9\n')
        cfg = load_config(tmp_path / "a.toml")
        assert cfg.run.steps == 9 and cfg.description == shipped.description
    (tmp_path / "baseline.toml").write_text('description = "local"\n')
    cfg = load_config(tmp_path / "a.toml")
    assert cfg.description == "local"


def test_extends_unknown_name_lists_the_shipped_scenarios(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "no_such_scenario"\n')
    with pytest.raises(InputError) as exc:
        load_config(tmp_path / "a.toml")
    message = str(exc.value)
    assert "'extends' = 'no_such_scenario' is neither a file" in message
    assert "baseline" in message and "join_late" in message


def test_shipped_scenarios_are_found_as_package_data(tmp_path, monkeypatch):
    # An installed (non-editable) package has them in adoptsim/scenarios/.
    package = tmp_path / "site-packages" / "adoptsim"
    (package / "scenarios").mkdir(parents=True)
    (package / "scenarios" / "baseline.toml").write_text('description = "installed"\n')
    monkeypatch.setattr(scenarios_module, "__file__", str(package / "scenarios.py"))
    assert scenarios_module.shipped_dir() == package / "scenarios"
    assert scenarios_module.shipped_scenario("baseline.toml") == package / "scenarios" / (
        "baseline.toml")
    assert scenarios_module.shipped_scenario("sub/baseline") is None
    (tmp_path / "a.toml").write_text('extends = "baseline"\n')
    assert load_config(tmp_path / "a.toml").description == "installed"


# ------------------------------------------------------------------ size bombs

BOMBS = {
    "org": {"organisation.employees": 50_000_000, "organisation.team_size": 10_000},
    "erdos_renyi": {"organisation.employees": 50_000_000, "organisation.mean_degree": 10_000},
    "watts_strogatz": {"organisation.employees": 50_000_000, "organisation.mean_degree": 10_000},
    "ring_lattice": {"organisation.employees": 50_000_000, "organisation.mean_degree": 10_000},
    "barabasi_albert": {"organisation.employees": 50_000_000, "organisation.mean_degree": 10_000},
    "complete": {"organisation.employees": 50_000_000, "comms.count": 1000},
}


@pytest.mark.parametrize("generator", list(BOMBS))
def test_size_bombs_are_refused_before_allocating(generator, monkeypatch):
    cfg = load_config(overrides={"organisation.generator": generator, **BOMBS[generator]})
    needed = estimate_bytes(cfg)
    assert needed > 10**11  # hundreds of GB at least
    def never(*args):
        raise AssertionError("allocated before refusing")

    monkeypatch.setattr("adoptsim.model.engine.build_network", never)
    monkeypatch.setattr("adoptsim.model.engine.initial", never)
    with pytest.raises(InputError) as exc:
        AdoptionModel(cfg, rng=1)
    message = str(exc.value)
    assert "50,000,000 employees" in message and f"needs about {memory.format_bytes(needed)}" in (
        message) and "is available" in message


def test_estimates_follow_the_generators_tie_counts():
    def ties(**o):
        return estimate_size(load_config(overrides=o).organisation)[1]

    n = {"organisation.employees": 1000}
    assert ties(**n, **{"organisation.generator": "ring_lattice"}) == 5000
    assert ties(**n, **{"organisation.generator": "erdos_renyi"}) == 5000
    assert ties(**n, **{"organisation.generator": "barabasi_albert"}) == 5000
    assert ties(**n, **{"organisation.generator": "complete"}) == 0
    # org at the defaults: 3.5 team ties, 1/8 lead ties and 1.5 cross ties per employee
    assert 5000 <= ties(**n) <= 5300


@pytest.mark.parametrize("generator", ["org", "erdos_renyi", "watts_strogatz", "ring_lattice",
                                       "barabasi_albert"])
def test_estimates_bound_the_networks_built(generator):
    cfg = load_config(overrides={"organisation.generator": generator,
                                 "organisation.employees": 3000})
    net = build_network(cfg.organisation, np.random.default_rng(1))
    n, ties, _ = estimate_size(cfg.organisation)
    assert n == net.n and 0.9 * ties <= net.n_edges <= 1.05 * ties


def test_edgelist_estimate_counts_lines():
    cfg = load_config(overrides={"organisation.generator": "edgelist",
                                 "organisation.edges": str(DATA / "small_edges.csv"),
                                 "organisation.nodes": str(DATA / "small_nodes.tsv")})
    n, ties, peak = estimate_size(cfg.organisation, cfg.resolve_path)
    assert (n, ties) == (10, 11) and peak > 0


def test_generators_called_directly_refuse_size_bombs():
    with pytest.raises(InputError, match=r"An erdos_renyi network .*needs about .* TB"):
        network_module.erdos_renyi(50_000_000, 10_000, np.random.default_rng(1))
    with pytest.raises(InputError, match=r"An org network .*needs about"):
        network_module.org_network(50_000_000, team_size=10_000, rng=1)


def little_memory(monkeypatch) -> None:
    """Pretend the machine has 1,000 bytes free, and check even the smallest needs."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    monkeypatch.setattr(memory, "UNCHECKED_BYTES", 0)
    monkeypatch.setattr(edgelist_module, "_READ", {})  # read files again


def test_edge_list_too_big_for_memory(monkeypatch):
    little_memory(monkeypatch)
    with pytest.raises(InputError, match=r"Reading edge list .*small_edges\.csv .* needs about"):
        load_edgelist(DATA / "small_edges.csv")


def test_population_is_checked_once_the_network_is_known(monkeypatch):
    cfg = load_config(overrides={"organisation.generator": "edgelist",
                                 "organisation.edges": str(DATA / "small_edges.csv")})
    net = load_edgelist(DATA / "small_edges.csv")
    little_memory(monkeypatch)
    with pytest.raises(InputError, match=r"^The population of 9 employees needs about"):
        AdoptionModel(cfg, rng=1, network=net)


def test_memory_errors_become_input_errors(monkeypatch):
    cfg = load_config(overrides={"organisation.generator": "erdos_renyi",
                                 "organisation.employees": 500})

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("adoptsim.network.build.erdos_renyi", out_of_memory)
    with pytest.raises(InputError, match=r"Building the erdos_renyi network \(500 employees, "
                                         r"about 2,500 ties, estimated .*\) ran out of memory"):
        build_network(cfg.organisation, np.random.default_rng(1))
    monkeypatch.undo()
    monkeypatch.setattr("adoptsim.model.engine.initial", out_of_memory)
    with pytest.raises(InputError, match=r"Setting up 500 employees and 1 comms manager\(s\) "
                                         r"\(estimated .*\) ran out of memory"):
        AdoptionModel(cfg, rng=1)


def test_cli_refuses_a_size_bomb_without_traceback(tmp_path):
    res = adoptsim("run", "baseline", "--set", "organisation.generator=erdos_renyi",
                   "--set", "organisation.employees=50000000",
                   "--set", "organisation.mean_degree=10000", "--steps", "1",
                   "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "needs about" in res.stderr and "TB of memory" in res.stderr
    assert "Traceback" not in res.stderr and "MemoryError" not in res.stderr


def test_require_memory_message():
    with pytest.raises(InputError, match=r"^X needs about 1,000,000 TB of memory, but only .* "
                                         r"is available\. Try less\.$"):
        memory.require_memory(10**18, "X", "Try less.")
    memory.require_memory(1, "X")  # fits


# ----------------------------------------------------------- edge-list warnings


def test_edge_list_warnings_are_one_line_each(tmp_path):
    folder = tmp_path / "odd\nfolder"
    folder.mkdir()
    path = folder / "e.csv"
    path.write_text("source,target\na,a\na,b\nb,a\na,b\n")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        load_edgelist(path)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2 and all(w.category is EdgeListWarning for w in record)
    assert all("\n" not in m and "e.csv" in m for m in messages), messages
    assert "dropped 1 self-loop(s)" in messages[0] and "merged 2 duplicate tie(s)" in messages[1]


# ------------------------------------------------------------- classic models

CSR = (np.array([0, 1, 3, 5, 6]), np.array([1, 0, 2, 1, 3, 2]))  # path 0-1-2-3
BAD = [math.nan, math.inf, -math.inf]


def _call(name, **kwargs):
    """Call a classic function with good defaults, overriding ``kwargs``."""
    fn = getattr(classic, name)
    ip, ix = CSR
    defaults = {
        "bass_adoption": dict(t=1.0, p=0.03, q=0.38),
        "bass_density": dict(t=1.0, p=0.03, q=0.38),
        "bass_peak_time": dict(p=0.03, q=0.38),
        "bass_abm": dict(n=10, p=0.03, q=0.38, dt=0.1, steps=2, trials=1, rng=1),
        "granovetter_normal_equilibrium": dict(n=100, mean=25.0, sd=10.0, tol=1e-9),
        "sir": dict(indptr=ip, indices=ix, beta=0.5, gamma=0.5, steps=5, rng=1),
        "sis": dict(indptr=ip, indices=ix, beta=0.5, gamma=0.5, steps=5, rng=1),
        "transmissibility": dict(beta=0.5, gamma=0.5),
        "er_final_size": dict(z=2.0, t=1.0),
        "watts_trials": dict(indptr=ip, indices=ix, phi=0.5, trials=2, rng=1, global_share=0.1),
        "complex_contagion_trials": dict(indptr=ip, indices=ix, a=1, trials=2, rng=1,
                                         global_share=0.1),
        "watts_cascade_condition": dict(z=2.0, phi=0.18),
        "watts_cascade_window": dict(phi=0.18),
        "watts_cascade_frequency": dict(z=2.0, phi=0.18),
        "fractional_need": dict(indptr=ip, phi=0.5),
        "celf": dict(indptr=ip, indices=ix, k=1, p=0.5, samples=3, rng=1),
        "greedy": dict(indptr=ip, indices=ix, k=1, p=0.5, samples=3, rng=1),
        "independent_cascade": dict(indptr=ip, indices=ix, seeds=[0], p=0.5, rng=1),
        "random_seeds": dict(n=10, k=2, rng=1),
        "degroot": dict(indptr=ip, indices=ix, x0=np.arange(4.0), tol=1e-9, max_steps=50),
        "friedkin_johnsen": dict(indptr=ip, indices=ix, x0=np.arange(4.0), susceptibility=0.5,
                                 tol=1e-9, max_steps=50),
        "deffuant": dict(x0=np.linspace(0, 1, 5), d=0.2, mu=0.5, tol=1e-3, max_meetings=100,
                         rng=1),
        "opinion_clusters": dict(x=np.linspace(0, 1, 5), tol=1e-3),
    }[name]
    return fn(**{**defaults, **kwargs})


# (function, parameter, name in the message, out-of-range values besides nan/±inf)
CLASSIC_PARAMS = [
    ("bass_adoption", "p", "p (innovation)", [0.0, -1.0]),
    ("bass_adoption", "q", "q (imitation)", [-0.1]),
    ("bass_adoption", "t", "times t", [-1.0]),
    ("bass_density", "p", "p (innovation)", [0.0]),
    ("bass_density", "t", "times t", [-1.0]),
    ("bass_peak_time", "q", "q (imitation)", [-1.0]),
    ("bass_abm", "n", "n must be an integer", [0, 2.5]),
    ("bass_abm", "dt", "dt (time step)", [0.0]),
    ("bass_abm", "steps", "steps must be an integer", [0]),
    ("bass_abm", "trials", "trials must be an integer", [0]),
    ("granovetter_normal_equilibrium", "n", "n (crowd size)", [0.0]),
    ("granovetter_normal_equilibrium", "mean", "mean", []),
    ("granovetter_normal_equilibrium", "sd", "sd", [0.0]),
    ("granovetter_normal_equilibrium", "tol", "tol", [0.0]),
    ("sir", "beta", "beta", [1.5, -0.1]),
    ("sir", "gamma", "gamma", [1.5]),
    ("sir", "steps", "steps must be an integer", [0]),
    ("sis", "initial", "initial must be an integer", [0]),
    ("transmissibility", "beta", "beta", [2.0]),
    ("er_final_size", "z", "z (mean degree)", [-1.0]),
    ("er_final_size", "t", "T (transmissibility)", [1.5]),
    ("watts_trials", "trials", "trials must be an integer", [0]),
    ("watts_trials", "global_share", "global_share", [1.0, -0.1]),
    ("watts_trials", "phi", "phi", []),
    ("complex_contagion_trials", "a", "threshold a", [0]),
    ("watts_cascade_condition", "z", "z (mean degree)", [-1.0]),
    ("watts_cascade_condition", "phi", "phi", [0.0, 1.5]),
    ("watts_cascade_window", "phi", "phi", [0.0]),
    ("watts_cascade_frequency", "z", "z (mean degree)", [-1.0]),
    ("fractional_need", "phi", "phi", []),
    ("celf", "k", "k must be an integer", [0]),
    ("celf", "p", "p must be", [1.5]),
    ("greedy", "samples", "samples must be an integer", [0]),
    ("independent_cascade", "p", "p must be", [-0.5]),
    ("random_seeds", "n", "n must be an integer", [0]),
    ("random_seeds", "k", "k must be an integer", [0]),
    ("degroot", "tol", "tol", [-1.0]),
    ("degroot", "max_steps", "max_steps must be an integer", [0]),
    ("friedkin_johnsen", "susceptibility", "susceptibility", [1.5]),
    ("deffuant", "d", "d (confidence bound)", [0.0, 1.5]),
    ("deffuant", "mu", "mu (convergence)", [0.0, 0.6]),
    ("deffuant", "tol", "tol", [0.0]),
    ("deffuant", "max_meetings", "max_meetings must be an integer", [0]),
    ("opinion_clusters", "tol", "tol", [0.0]),
]


@pytest.mark.parametrize(("name", "param", "named", "out_of_range"), CLASSIC_PARAMS,
                         ids=[f"{f}-{p}" for f, p, _, _ in CLASSIC_PARAMS])
def test_classic_functions_refuse_nan_inf_and_out_of_range(name, param, named, out_of_range):
    _call(name)  # the defaults are fine
    for value in [*BAD, *out_of_range]:
        with pytest.raises(InputError) as exc:
            _call(name, **{param: value})
        assert named in str(exc.value), (value, str(exc.value))


@pytest.mark.parametrize(
    ("name", "kwargs", "what"),
    [
        ("bass_abm", dict(n=10**12), "agent-based Bass model with n = 1,000,000,000,000"),
        ("bass_abm", dict(steps=10**12, trials=10), "1,000,000,000,000 steps"),
        ("sis", dict(steps=10**13), "An SIS record of 10,000,000,000,000 steps"),
        ("watts_trials", dict(trials=10**12), "with 1,000,000,000,000 trials"),
        ("complex_contagion_trials", dict(trials=10**12), "with 1,000,000,000,000 trials"),
        ("random_seeds", dict(n=10**13, k=10**12), "Drawing 1,000,000,000,000 of"),
    ],
)
def test_classic_size_bombs_are_refused_before_allocating(name, kwargs, what):
    with pytest.raises(InputError) as exc:
        _call(name, **kwargs)
    assert what in str(exc.value) and "needs about" in str(exc.value)
