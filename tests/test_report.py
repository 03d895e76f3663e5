"""`adoptsim report` on real (small) sweeps: grid, Sobol', ablation and Morris designs."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from adoptsim import load_results
from test_ablation import ABLATION

ROOT = Path(__file__).resolve().parents[1]
SMALL = "[run]\nsteps = 30\n[organisation]\nemployees = 200\n"


def adoptsim(*args):
    res = subprocess.run([sys.executable, "-m", "adoptsim.cli", *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def sweep(tmp_path, body):
    (tmp_path / "small.toml").write_text(SMALL)
    (tmp_path / "exp.toml").write_text(body)
    out = tmp_path / "out"
    adoptsim("sweep", str(tmp_path / "exp.toml"), "--out", str(out), "--workers", "1")
    return out


def test_grid_report(tmp_path):
    out = sweep(tmp_path, """
scenario = "small.toml"
name = "mini_policy"
replications = 4
seed = 3
[parameters]
"channel.policy" = ["open", "shutdown"]
[overrides]
"channel.policy_start" = 10
""")
    adoptsim("report", str(out))
    page = (out / "report.html").read_text()
    for section in ("Outcomes over time", "Final outcomes", "Differences from the reference",
                    "mini_policy", "master seed"):
        assert section in page
    assert page.count("data:image/png;base64,") >= 8
    assert "http://" not in page and "https://" not in page  # opens offline
    finals = pd.read_csv(out / "report" / "final_outcomes.csv")
    assert list(finals["channel.policy"]) == ["open", "shutdown"]
    assert finals.loc[1, "final_member_mean"] == 0  # shut down: no members left
    # The page shows shares in %, as the sweep's terminal table does; the CSV keeps 0-1.
    member, low = finals.loc[0, "final_member_mean"], finals.loc[0, "final_member_low"]
    assert 0 < member < 1 and "members (adoption) (%)" in page  # the metric table's label
    assert f"<td>{100 * member:.1f}<br><small>[{100 * low:.1f}, " in page
    diffs = pd.read_csv(out / "report" / "differences.csv")
    # shutdown minus open, paired: members fall, with an interval below zero
    assert diffs.loc[0, "final_member_high"] < 0
    assert (out / "report" / "series_member.png").stat().st_size > 10_000


#: A small Sobol' design of two keys; {replications} per point.
SOBOL = """
scenario = "small.toml"
name = "mini_sobol"
replications = {replications}
seed = 5
[design]
kind = "sobol"
samples = 8
[parameters]
"awareness.q" = {{ min = 0.05, max = 0.6 }}
"population.posting_sigma" = {{ min = 0.5, max = 2.0 }}
"""


def test_sobol_report(tmp_path):
    out = sweep(tmp_path, SOBOL.format(replications=1))
    target = tmp_path / "page.html"
    adoptsim("report", str(out), "--html", str(target))
    page = target.read_text()
    assert "Sobol" in page and "too many to draw" in page
    sob = pd.read_csv(out / "report" / "sobol.csv")
    assert set(sob["parameter"]) == {"awareness.q", "population.posting_sigma"}
    member = sob[sob["outcome"] == "final_member"].set_index("parameter")
    # word of mouth drives adoption; posting inequality barely does
    assert member.loc["awareness.q", "ST"] > member.loc["population.posting_sigma", "ST"]


def test_sobol_indices_take_the_mean_of_each_points_replications(tmp_path):
    out = sweep(tmp_path, SOBOL.format(replications=3))
    adoptsim("report", str(out))
    sob = pd.read_csv(out / "report" / "sobol.csv")
    summary = load_results(out).summary
    means = summary.groupby("point")["final_member"].mean().sort_index().to_numpy(float)
    problem = json.loads((out / "manifest.json").read_text())["design"]["salib_problem"]
    from SALib.analyze import sobol

    expected = sobol.analyze(problem, means, calc_second_order=False, seed=0)
    member = sob[sob["outcome"] == "final_member"]
    np.testing.assert_allclose(member["ST"], expected["ST"], rtol=1e-12)
    np.testing.assert_allclose(member["S1"], expected["S1"], rtol=1e-12)


def test_ablation_report_has_an_attribution_section(tmp_path):
    out = sweep(tmp_path, ABLATION.replace("replications = 20", "replications = 8"))
    adoptsim("report", str(out))
    page = (out / "report.html").read_text()
    assert "<h2>Attribution</h2>" in page and "comms.posts = 4 instead of 0" in page
    assert "emergent from several mechanisms" in page and "carried by that mechanism" in page
    table = pd.read_csv(out / "report" / "ablation.csv")
    assert list(table.columns) == ["mechanism", "outcome", "effect", "ci_low", "ci_high",
                                   "share"]
    assert table["mechanism"].unique().tolist() == ["none", "manager_posts", "feed"]
    pd.testing.assert_frame_equal(table, load_results(out).ablation, rtol=1e-12)
    # Effects on shares in percentage points and attribution shares in %, as elsewhere.
    row = table.set_index(["mechanism", "outcome"]).loc[("none", "final_cm_follower_share")]
    assert f"<td>{100 * row['effect']:.1f}<br><small>[{100 * row['ci_low']:.1f}, " in page
    assert "share 100%" in page  # managers who do not post: the whole effect goes
    for name in ("ablation_benefit_comms_cum.png", "ablation_cm_follower_share.png"):
        assert (out / "report" / name).stat().st_size > 10_000


def test_morris_report_has_a_screening_section(tmp_path):
    out = sweep(tmp_path, """
scenario = "small.toml"
name = "mini_morris"
replications = 1
seed = 5
[design]
kind = "morris"
samples = 6
[parameters]
"comms.join_step" = { min = 0, max = 29 }
"channel.policy_start" = { min = 40, max = 60 }
[overrides]
"channel.policy" = "shutdown"
""")
    adoptsim("report", str(out))
    page = (out / "report.html").read_text()
    assert "<h2>Screening (Morris)</h2>" in page and "μ*" in page and "σ" in page
    table = pd.read_csv(out / "report" / "morris.csv")
    assert table["outcome"].unique().tolist()[:3] == ["final_member", "final_trust",
                                                      "final_benefit_cum"]
    member = table[table["outcome"] == "final_member"]
    # Sorted by mu*: the join week first, the policy that starts after the run at 0.
    assert member["parameter"].tolist() == ["comms.join_step", "channel.policy_start"]
    assert member["mu_star"].iloc[0] > 0 and member["mu_star"].iloc[1] == 0
    assert (out / "report" / "morris_member.png").stat().st_size > 10_000
