"""``adoptsim calibrate`` end to end: the farmers' worked example at reduced size.

Through the real entry point: every output file and its content, the
calibrated scenario runs, the page is self-contained, and the same seed
gives the same posterior on one worker.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from adoptsim.calibration.statistics import IndividualTarget, exposure_at_adoption
from adoptsim.config import load_config

from .conftest import FARMERS, FARMERS_DATA, adoptsim

FITS = ("--fit", "awareness.p_external=0.001:0.5:log", "--fit", "awareness.q=0.01:5:log",
        "--fit", "joining.rate=0.01:1:log")
OUTPUTS = ("abc.db", "posterior.csv", "summary.json", "predictive.csv", "calibrated.toml",
           "calibration.html", "predictive.png", "marginals.png", "pairs.png", "generations.png")


@pytest.fixture(scope="module")
def farmers(tmp_path_factory):
    """The worked example with 60 particles and 3 generations, run twice with one seed."""
    base = tmp_path_factory.mktemp("farmers")
    runs = []
    for name in ("a", "b"):
        res = adoptsim("calibrate", FARMERS, "--observed", FARMERS_DATA, *FITS, "--out",
                       base / name, "--particles", 60, "--generations", 3, "--seed", 11)
        assert res.returncode == 0, res.stderr
        runs.append((base / name, res))
    return runs


def test_outputs_and_progress(farmers):
    out, res = farmers[0]
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    lines = [x for x in res.stderr.splitlines() if x.startswith("generation ")]
    assert [x.split(":")[0] for x in lines] == [f"generation {i}/3" for i in (1, 2, 3)]
    assert "Running 3 generations of 60 particles on 1 worker (in-process)." in res.stderr
    assert "Posterior predictive check:" in res.stdout


def test_posterior_and_summary(farmers):
    out, _ = farmers[0]
    posterior = pd.read_csv(out / "posterior.csv")
    keys = ["awareness.p_external", "awareness.q", "joining.rate"]
    assert list(posterior.columns) == [*keys, "weight"]
    assert len(posterior) == 60
    assert np.isclose(posterior["weight"].sum(), 1.0)
    assert posterior["awareness.p_external"].between(0.001, 0.5).all()
    summary = json.loads((out / "summary.json").read_text())
    for key in keys:
        v = summary["fitted"][key]
        assert v["q05"] <= v["median"] <= v["q95"]
        assert v["low"] <= v["q05"] and v["q95"] <= v["high"]
        x, w = posterior[key].to_numpy(), posterior["weight"].to_numpy()
        assert v["mean"] == pytest.approx(np.average(x, weights=w))
    assert summary["generations"] == 3
    assert len(summary["epsilon"]) == len(summary["acceptance_rate"]) == 3
    assert summary["final_epsilon"] == summary["epsilon"][-1]
    assert all(0 < a <= 1 for a in summary["acceptance_rate"])
    # Kish's effective sample size of the last generation's weights.
    w = posterior["weight"].to_numpy()
    assert summary["effective_sample_size"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert 1 <= summary["effective_sample_size"] <= 60
    # pyabc's prior sample (60 runs) and 3 generations of at least 60 runs each
    assert summary["runs_simulated"] >= 4 * 60
    assert summary["seconds"] > 0 and summary["reproducible"] is True
    assert summary["form"] == "individual" and summary["weeks"] == 19


def test_predictive_check(farmers):
    out, _ = farmers[0]
    table = pd.read_csv(out / "predictive.csv")
    assert list(table.columns) == ["series", "week", "observed", "q05", "q50", "q95"]
    adopted = table[table["series"] == "adopted"]
    assert adopted["week"].tolist() == list(range(20))
    people = pd.read_csv(FARMERS_DATA)
    share = [(people["joined"] <= w).sum() / len(people) for w in range(20)]
    assert np.allclose(adopted["observed"], share, atol=1e-6)
    assert (table["q05"] <= table["q50"]).all() and (table["q50"] <= table["q95"]).all()
    exposure = table[table["series"] == "exposure"]
    assert len(exposure) == 1 and pd.isna(exposure["week"].iloc[0])
    summary = json.loads((out / "summary.json").read_text())
    inside = ((table["observed"] >= table["q05"]) & (table["observed"] <= table["q95"])).mean()
    assert summary["predictive"]["coverage_90"] == pytest.approx(inside)
    assert summary["predictive"]["draws"] >= 200
    # Even this short run's band holds most of the observed yearly adoption points.
    assert inside >= 0.5


def test_observed_exposure_matches_a_direct_count(farmers):
    """The exposure at adoption of the farmers, counted neighbour by neighbour."""
    out, _ = farmers[0]
    table = pd.read_csv(out / "predictive.csv")
    people = pd.read_csv(FARMERS_DATA, dtype={"id": str})
    edges = pd.read_csv(FARMERS_DATA.parent / "edges.csv", dtype=str)
    joined = dict(zip(people["id"], people["joined"].fillna(-1).astype(int), strict=True))
    neighbours: dict[str, set[str]] = {i: set() for i in joined}
    for a, b in zip(edges["source"], edges["target"], strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)
    shares = [sum(0 <= joined[j] < w for j in neighbours[i]) / len(neighbours[i])
              for i, w in joined.items() if w > 0 and neighbours[i]]
    observed = table.loc[table["series"] == "exposure", "observed"].iloc[0]
    assert observed == pytest.approx(np.mean(shares), abs=1e-6)


def test_same_seed_same_posterior(farmers):
    (a, _), (b, _) = farmers
    assert (a / "posterior.csv").read_bytes() == (b / "posterior.csv").read_bytes()
    assert (a / "predictive.csv").read_bytes() == (b / "predictive.csv").read_bytes()


def test_calibrated_scenario_runs(farmers, tmp_path):
    out, _ = farmers[0]
    summary = json.loads((out / "summary.json").read_text())
    cfg = load_config(out / "calibrated.toml")
    for key, v in summary["fitted"].items():
        section, _, name = key.partition(".")
        assert getattr(getattr(cfg, section), name) == pytest.approx(v["median"], rel=1e-5)
    assert cfg.run.steps == 19 and cfg.comms.count == 0
    res = adoptsim("run", out / "calibrated.toml", "--out", tmp_path / "run", timeout=300)
    assert res.returncode == 0, res.stderr


def test_page_is_self_contained(farmers):
    out, _ = farmers[0]
    page = (out / "calibration.html").read_text()
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 4
    assert not re.search(r"(src|href)=['\"]?https?:", page)
    for text in ("Posterior", "Posterior predictive check", "Generations", "awareness.q"):
        assert text in page


def test_curves_of_a_known_history():
    """Adoption by week and exposure of hand-made join weeks on a path 0-1-2-3."""
    indptr, indices = np.array([0, 1, 3, 5, 6]), np.array([1, 0, 2, 1, 3, 2])
    joined = np.array([0, 2, -1, 1])
    staff = np.ones(4, bool)
    target = IndividualTarget(None, joined, indptr, indices, staff, steps=3)
    curves = target.curves_of(joined)
    assert curves["adopted"].tolist() == [0.25, 0.5, 0.75, 0.75]
    # node 1 (week 2): neighbours 0 (week 0) and 2 (never): 1/2; node 3 (week 1): 2 never: 0
    assert curves["exposure"][0] == pytest.approx(0.25)
    staff[0] = False  # a comms manager: left out as adopter and as neighbour
    assert exposure_at_adoption(joined, indptr, indices, staff) == 0.0


def test_import_then_calibrate(tmp_path):
    """A Slack export's files, imported, calibrate in both forms."""
    from adoptsim.calibration.calibrate import calibrate

    from .test_importers import write_slack

    write_slack(tmp_path / "export")
    res = adoptsim("import", "slack", tmp_path / "export", "--out", tmp_path / "data",
                   timeout=120)
    assert res.returncode == 0, res.stderr
    scenario = tmp_path / "org.toml"
    scenario.write_text('[run]\nsteps = 14\n[organisation]\ngenerator = "edgelist"\n'
                        'edges = "data/edges.csv"\nnodes = "data/nodes.csv"\n[comms]\ncount = 0\n')
    for observed, statistics in (("observed_individual.csv", 16), ("observed_weekly.csv", 45)):
        result = calibrate(scenario, tmp_path / "data" / observed, ["joining.rate=0.01:1:log"],
                           tmp_path / observed, particles=10, generations=1, seed=1)
        assert result.summary["predictive"]["points"] == statistics
        assert len(result.posterior) == 10


def test_commands_are_registered_without_loading_pyabc():
    heavy = ("pyabc", "matplotlib", "adoptsim.model.engine", "adoptsim.calibration.smc")
    res = subprocess.run([sys.executable, "-c", "import sys, adoptsim.calibration.cli; "
                          f"print([m for m in {heavy!r} if m in sys.modules])"],
                         capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "[]", (res.stdout, res.stderr)
    res = adoptsim("--help", timeout=60)
    for command in ("calibrate", "forecast", "import"):
        assert f"│ {command} " in res.stdout
    res = adoptsim("calibrate", "--help", timeout=60)
    assert res.returncode == 0 and "--observed" in res.stdout and "KEY=LO:HI" in res.stdout
