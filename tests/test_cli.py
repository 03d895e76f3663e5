"""The command line as a user meets it: files written, errors without tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from adoptsim.model.metrics import COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def adoptsim(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "adoptsim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_run_writes_the_four_files_and_is_reproducible(tmp_path):
    outs = []
    for name in ("a", "b"):
        res = adoptsim("run", "scenarios/baseline.toml", "--set", "organisation.employees=300",
                       "--steps", "30", "--seed", "5", "--out", str(tmp_path / name))
        assert res.returncode == 0, res.stderr
        assert "members (adoption)" in res.stdout
        outs.append(tmp_path / name)
    for f in ("timeseries.parquet", "timeseries.csv", "summary.json", "adoption.png"):
        assert (outs[0] / f).stat().st_size > 0
    ts = pd.read_parquet(outs[0] / "timeseries.parquet")
    assert list(ts.columns) == COLUMNS and len(ts) == 31
    assert (outs[0] / "timeseries.csv").read_bytes() == (outs[1] / "timeseries.csv").read_bytes()
    s = [json.loads((o / "summary.json").read_text()) for o in outs]
    for d in s:
        d.pop("wall_seconds")
    assert s[0] == s[1]
    assert s[0]["seed"] == 5 and s[0]["scenario"]["organisation"]["employees"] == 300
    for key in ("t50", "never_posted_share", "top1_post_share", "gini_posts", "version"):
        assert key in s[0]


def test_bad_scenario_exits_2_with_one_paragraph(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[posting]\nmode = 'loud'\n")
    res = adoptsim("run", str(bad), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "posting.mode" in res.stderr
    assert "logistic" in res.stderr and str(bad) in res.stderr.replace("\n", "")
    res = adoptsim("check", "scenarios/baseline.toml", "--set", "comms.effort=-3")
    assert res.returncode == 2 and "comms.effort" in res.stderr and "Traceback" not in res.stderr
    res = adoptsim("run", str(tmp_path / "missing.toml"))
    assert res.returncode == 2 and "does not exist" in res.stderr


def test_check_and_scenarios():
    res = adoptsim("check", "baseline")
    assert res.returncode == 0 and "OK" in res.stdout
    res = adoptsim("scenarios", "--json")
    assert res.returncode == 0
    names = {s["name"] for s in json.loads(res.stdout)}
    assert "baseline" in names
