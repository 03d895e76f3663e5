"""The shipped scenarios and experiments, and the headline effects they show."""

from pathlib import Path

import numpy as np
import pytest

from adoptsim import AdoptionModel
from adoptsim.config import load_config
from adoptsim.scenarios import list_scenarios
from adoptsim.sweeps.experiment import load_experiment

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {name: path for name, path, _ in list_scenarios()}
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))

EXPECTED = {
    "baseline", "join_early", "join_late", "no_comms", "monitor_only", "restricted",
    "moderated", "shutdown", "target_hubs", "target_bridges", "target_champions",
    "fixed_tone", "fearful_culture", "small_team", "large_enterprise",
}


def test_the_scenario_library_is_complete():
    assert EXPECTED <= set(SCENARIOS)
    for name in EXPECTED - {"baseline"}:
        text = SCENARIOS[name].read_text()
        assert 'extends = "baseline.toml"' in text and text.startswith("#"), name


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_runs_and_is_sane(name):
    small = {"organisation.employees": 300, "run.steps": 60, "channel.policy_start": 30}
    ts = AdoptionModel(load_config(SCENARIOS[name], small), rng=1).run()
    shares = ts[["aware", "member", "active", "lurker", "underground", "trust", "fear"]]
    assert shares.notna().all().all() and ((shares >= 0) & (shares <= 1)).all().all()
    assert ts["aware"].iloc[-1] > ts["aware"].iloc[0]
    assert ts["posts_c"].sum() + ts["posts_u"].sum() > 0


def test_large_enterprise_is_large():
    assert load_config(SCENARIOS["large_enterprise"]).organisation.employees == 100_000
    assert load_config(SCENARIOS["small_team"]).organisation.employees == 200


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_experiment_validates(path):
    exp = load_experiment(path)
    assert len(exp.runs) >= 20
    assert exp.spec.description


def _final(scenario: str, metric: str, seeds: range, **kw) -> np.ndarray:
    return np.array([
        AdoptionModel(SCENARIOS[scenario], employees=600, rng=seed, **kw).run()[metric].iloc[-1]
        for seed in seeds
    ])


@pytest.mark.slow
def test_shutdown_drives_conversation_underground_and_costs_benefit():
    """10 paired seeds: shutdown at week 52 vs open."""
    shut_u = _final("shutdown", "underground", range(10))
    open_u = _final("baseline", "underground", range(10))
    shut_b = _final("shutdown", "benefit_cum", range(10))
    open_b = _final("baseline", "benefit_cum", range(10))
    assert shut_u.mean() > open_u.mean() and (shut_u >= open_u).mean() >= 0.8
    assert (shut_b < open_b).all()


@pytest.mark.slow
def test_being_watched_chills_when_distrusted_and_reassures_when_trusted():
    """docs/odd.md, section 8.8: a manager who monitors without engaging raises
    fear when seen watching (comms.visibility 1 vs 0) among employees who
    distrust comms (trust below fear.chill_trust), and lowers it among those
    who trust it; 8 paired seeds each way."""
    distrusted, trusted = {"trust_a": 2.0, "trust_b": 8.0}, {"trust_a": 8.0, "trust_b": 2.0}
    for trust, sign in ((distrusted, 1), (trusted, -1)):
        seen = _final("monitor_only", "fear", range(8), comms_visibility=1.0, **trust)
        unseen = _final("monitor_only", "fear", range(8), comms_visibility=0.0, **trust)
        assert (sign * (seen - unseen) > 0).all()


