"""Ablations: the design, the attribution table, and known answers from real sweeps."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from adoptsim import load_results
from adoptsim.mechanisms import MECHANISMS
from adoptsim.sweeps.analysis import ablation_table
from adoptsim.sweeps.experiment import RUN_COLUMNS, load_experiment
from sweep_files import ROOT, serial_results, subprocess_env, write_experiment

#: 250 employees over 40 weeks: a run takes a few milliseconds.
ORG = "[run]\nsteps = 40\n[organisation]\nemployees = 250\n"

ABLATION = """
scenario = "small.toml"
name = "posts_ablation"
replications = 20
seed = 11
[design]
kind = "ablation"
mechanisms = ["manager_posts", "feed"]
[contrast]
"comms.posts" = [0, 4]
"""

COLUMNS = ["mechanism", "outcome", "effect", "ci_low", "ci_high", "share"]


def test_points_are_the_contrast_all_on_then_with_each_mechanism_off(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, ABLATION.replace("= 20", "= 3"), ORG))
    assert exp.points == [
        {"comms.posts": 0}, {"comms.posts": 4},
        {"comms.posts": 0, "mechanisms.manager_posts": False},
        {"comms.posts": 4, "mechanisms.manager_posts": False},
        {"comms.posts": 0, "mechanisms.feed": False},
        {"comms.posts": 4, "mechanisms.feed": False},
    ]
    design = exp.design_frame()
    # A label column, not one boolean column per mechanism.
    assert list(design.columns) == [*RUN_COLUMNS, "comms.posts", "mechanism"]
    assert design.drop_duplicates("point")["mechanism"].tolist() == [
        "none", "none", "manager_posts", "manager_posts", "feed", "feed"]
    assert (design.groupby("replication")["seed"].nunique() == 1).all()  # common random numbers
    assert design["run_id"].is_unique and exp.problem is None
    cfg = exp.run_config(exp.runs[-1])
    assert cfg["mechanisms"]["feed"] is False and cfg["mechanisms"]["manager_posts"] is True


def test_by_default_every_mechanism_that_is_on_is_switched_off_in_turn(tmp_path):
    body = ABLATION.replace('mechanisms = ["manager_posts", "feed"]\n', "")
    exp = load_experiment(write_experiment(tmp_path, body, ORG))
    assert exp.labels[::2] == ["none", *MECHANISMS] and len(exp.points) == 2 * 19
    # A mechanism already off in the base scenario has nothing to ablate: it is left out.
    exp = load_experiment(write_experiment(
        tmp_path, body + '[overrides]\n"mechanisms.churn" = false\n', ORG))
    assert "churn" not in exp.labels and len(exp.points) == 2 * 18
    assert all(cfg["mechanisms"]["churn"] is False
               for cfg in (exp.run_config(r) for r in exp.runs[::20]))


# ------------------------------------------------- the table on known data
def _frame(effects: dict[str, tuple[float, float]], reps: int = 12) -> pd.DataFrame:
    """A summary whose paired effects are known: label -> (trust effect, member effect).

    Each replication has its own large level (noise shared by both arms, as
    common random numbers give) and a small jitter that averages to 0.
    """
    level = np.random.default_rng(3).normal(0.0, 5.0, reps)
    jitter = 0.05 * (-1.0) ** np.arange(reps)
    rows = []
    for label, (trust, member) in effects.items():
        for r in range(reps):
            rows.append({"mechanism": label, "comms.posts": 0, "replication": r,
                         "final_trust": level[r], "final_member": level[r]})
            rows.append({"mechanism": label, "comms.posts": 4, "replication": r,
                         "final_trust": level[r] + trust + jitter[r],
                         "final_member": level[r] + member + jitter[r]})
    return pd.DataFrame(rows)


def test_shares_say_which_mechanism_carries_an_effect():
    summary = _frame({"none": (2.0, 0.0), "carrier": (0.0, 0.0), "bystander": (2.0, 0.0),
                      "half": (1.0, 0.0), "brake": (3.0, 0.0)})
    table = ablation_table(summary, "comms.posts", 0, 4)
    assert list(table.columns) == COLUMNS
    assert table["mechanism"].unique().tolist() == ["none", "carrier", "bystander", "half",
                                                    "brake"]
    trust = table[table["outcome"] == "final_trust"].set_index("mechanism")
    np.testing.assert_allclose(trust["effect"], [2.0, 0.0, 2.0, 1.0, 3.0], atol=1e-12)
    # Paired by replication, the large per-replication levels cancel: tight intervals.
    assert ((trust["ci_high"] - trust["ci_low"]) < 0.1).all()
    assert np.isnan(trust.loc["none", "share"])
    np.testing.assert_allclose(trust.loc[["carrier", "bystander", "half", "brake"], "share"],
                               [1.0, 0.0, 0.5, -0.5], atol=1e-12)
    # No effect with every mechanism on: nothing to attribute, every share is empty.
    member = table[table["outcome"] == "final_member"]
    assert (member["ci_low"] < 0).all() and (member["ci_high"] > 0).all()
    assert member["share"].isna().all()


def test_pairs_by_replication_and_leaves_out_missing_outcomes():
    summary = _frame({"none": (2.0, 0.0), "carrier": (0.0, 0.0)})
    # Replication 0 of the carrier's alternative did not finish: pairs use the others.
    summary = summary.drop(summary.index[(summary["mechanism"] == "carrier")
                                         & (summary["comms.posts"] == 4)][:1])
    table = ablation_table(summary, "comms.posts", 0, 4,
                           outcomes=("final_trust", "final_benefit_cum"))
    assert table["outcome"].unique().tolist() == ["final_trust"]
    assert table.loc[1, "effect"] == pytest.approx(-0.05 / 11, abs=1e-12)  # 11 pairs
    assert table.loc[1, "share"] == pytest.approx(1 + (0.05 / 11) / 2.0)


# ------------------------------------------------ known answers in the model
@pytest.fixture(scope="module")
def posts(tmp_path_factory):
    """comms.posts 0 vs 4 with manager_posts and feed off in turn, 20 replications."""
    _, out = serial_results(tmp_path_factory.mktemp("posts"), ABLATION, ORG)
    return load_results(out)


def test_with_managers_not_posting_the_number_of_posts_has_no_effect(posts):
    table = posts.ablation
    assert list(table.columns) == COLUMNS and len(table) == 3 * 9
    row = table.set_index(["mechanism", "outcome"])
    comms = row.loc[("none", "final_benefit_comms_cum")]
    assert comms["ci_low"] > 0  # posting more brings more benefit from comms posts
    # Managers who do not post at all are not affected by how much they would post:
    # every run of the pair is the same, the effect is exactly 0 and its share 1.
    off = table[table["mechanism"] == "manager_posts"]
    assert (off[["effect", "ci_low", "ci_high"]] == 0).all().all()
    assert row.loc[("manager_posts", "final_benefit_comms_cum"), "share"] == 1.0
    # The feed spreads the posts beyond followers: part of the effect, not all of it.
    feed = row.loc[("feed", "final_benefit_comms_cum")]
    assert 0 < feed["share"] < 1 and feed["ci_low"] > 0


def test_the_table_is_computed_once_from_the_stored_contrast(posts):
    assert posts.ablation is posts.ablation
    assert posts.contrast == ("comms.posts", 0, 4)


def test_join_timing_on_follower_share_with_authority_follows_off(tmp_path):
    body = ABLATION.replace('["manager_posts", "feed"]', '["authority_follow"]').replace(
        '"comms.posts" = [0, 4]', '"comms.join_step" = [0, 40]')
    _, out = serial_results(tmp_path, body, ORG)
    row = load_results(out).ablation.set_index(["mechanism", "outcome"])
    on = row.loc[("none", "final_cm_follower_share")]
    off = row.loc[("authority_follow", "final_cm_follower_share")]
    # Joining at the end of the run instead of the start loses most followers ...
    assert on["ci_high"] < -0.5
    # ... and still does without follows for authority: they carry a small part of it.
    assert off["ci_high"] < -0.5 and on["effect"] < off["effect"]
    assert 0 < off["share"] < 0.5


def test_a_bad_ablation_file_exits_2_from_the_command_line(tmp_path):
    path = write_experiment(tmp_path, ABLATION.replace('"feed"]', '"gossip"]'), ORG)
    res = subprocess.run([sys.executable, "-m", "adoptsim.cli", "sweep", str(path), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                         env=subprocess_env(), timeout=300)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    text = " ".join(res.stderr.split())
    assert "design.mechanisms: 'gossip' is no mechanism" in text
    assert "manager_posts" in text and "frustration" in text
    assert not (tmp_path / "out").exists()
