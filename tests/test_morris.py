"""Morris screening: SALib trajectories, the screening table, and a toy case with known ranks."""

import numpy as np
import pytest

from adoptsim import load_results
from adoptsim.errors import InputError
from adoptsim.sweeps.analysis import morris_table
from adoptsim.sweeps.experiment import load_experiment
from sweep_files import serial_results, write_experiment

SMALL = "[run]\nsteps = 20\n[organisation]\nemployees = 200\n"

#: channel.policy_start falls after the last week, so it cannot change anything;
#: when comms joins (week 0 to 19 of 20) decides much.
MORRIS = """
scenario = "small.toml"
name = "screen"
replications = 2
seed = 5
[design]
kind = "morris"
samples = 10
[parameters]
"awareness.q" = { min = 0.05, max = 0.6 }
"channel.policy_start" = { min = 30, max = 60 }
"comms.join_step" = { min = 0, max = 19 }
[overrides]
"channel.policy" = "shutdown"
"""

NAMES = ["awareness.q", "channel.policy_start", "comms.join_step"]


def test_points_are_salib_trajectories_one_parameter_at_a_time(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, MORRIS, SMALL))
    assert len(exp.points) == 10 * (3 + 1) and len(exp.runs) == 80
    assert exp.problem == {"num_vars": 3, "names": NAMES, "levels": 4,
                           "bounds": [[0.05, 0.6], [30.0, 61.0], [0.0, 20.0]]}
    assert exp.integer_parameters == ["channel.policy_start", "comms.join_step"]
    x = np.array([[p[k] for k in NAMES] for p in exp.points], float).reshape(10, 4, 3)
    # Each step of a trajectory moves exactly one parameter, each parameter once.
    moved = np.diff(x, axis=1) != 0
    assert (moved.sum(axis=2) == 1).all() and (moved.sum(axis=1) == 1).all()
    # Values sit on the 4 levels of each range (integers rounded down, distinct).
    q = np.unique(x[..., 0])
    np.testing.assert_allclose(q, 0.05 + 0.55 * np.arange(4) / 3)
    assert np.unique(x[..., 2]).tolist() == [0, 6, 13, 19]
    again = load_experiment(write_experiment(tmp_path, MORRIS.replace("= 2\n", "= 5\n"), SMALL))
    assert again.points == exp.points  # the design does not depend on the replications


def _toy(tmp_path):
    """A morris design's frame with a made-up outcome: 3 x (share of q's range), tone unused."""
    body = MORRIS.replace('"channel.policy_start" = { min = 30, max = 60 }\n', "").replace(
        '"comms.join_step" = { min = 0, max = 19 }', '"comms.tone" = { min = 0.0, max = 1.0 }')
    exp = load_experiment(write_experiment(tmp_path, body, SMALL))
    summary = exp.design_frame()
    # Replications differ by +-1, which their mean cancels.
    noise = np.where(summary["replication"] == 0, 1.0, -1.0)
    summary["final_member"] = 3.0 * (summary["awareness.q"] - 0.05) / 0.55 + noise
    return summary, exp.problem


def test_a_parameter_that_drives_an_outcome_ranks_first_and_one_that_cannot_gets_zero(
        tmp_path):
    summary, problem = _toy(tmp_path)
    table = morris_table(summary, problem).set_index("parameter")
    assert list(table.index) == ["awareness.q", "comms.tone"]  # by decreasing mu*
    # Linear in q: every elementary effect is the change over q's whole range.
    assert table.loc["awareness.q", "mu_star"] == pytest.approx(3.0)
    assert table.loc["awareness.q", "mu"] == pytest.approx(3.0)
    assert table.loc["awareness.q", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["comms.tone", ["mu_star", "sigma"]].tolist() == [0.0, 0.0]


def test_only_complete_trajectories_are_screened(tmp_path):
    summary, problem = _toy(tmp_path)
    # A point of trajectory 0 never finished: that trajectory is left out, the rest agree.
    table = morris_table(summary[summary["point"] != 2], problem).set_index("parameter")
    assert table.loc["awareness.q", "mu_star"] == pytest.approx(3.0)
    # Fewer than two complete trajectories: the outcome is left out.
    assert morris_table(summary[summary["point"] < 5], problem).empty  # 3 points each


def test_a_real_screening_ranks_join_timing_first_and_a_late_policy_at_zero(tmp_path):
    _, out = serial_results(tmp_path, MORRIS, SMALL)
    res = load_results(out)
    assert res.manifest["design"]["salib_problem"]["levels"] == 4
    table = morris_table(res.summary, res.manifest["design"]["salib_problem"])
    assert set(table["outcome"]) >= {"final_member", "final_trust", "final_benefit_cum"}
    late = table[table["parameter"] == "channel.policy_start"]
    assert (late[["mu_star", "mu", "sigma"]] == 0).all().all()
    for outcome in ("final_member", "final_cm_reach"):
        ranked = table[table["outcome"] == outcome]
        assert ranked["parameter"].iloc[0] == "comms.join_step"
        assert ranked["mu_star"].iloc[0] > ranked["mu_star_conf"].iloc[0] > 0
    with pytest.raises(InputError, match="holds a morris design, not an ablation"):
        _ = res.ablation
