"""Sweeps in this process and on a local pool: the store, resume, failures, export."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from adoptsim import load_results
from adoptsim.config import validate
from adoptsim.model.metrics import COLUMNS
from adoptsim.model.model import AdoptionModel
from adoptsim.sweeps.executors import open_executor
from adoptsim.sweeps.experiment import load_experiment
from adoptsim.sweeps.run import SECONDS_PER_EMPLOYEE_WEEK, batch_size, run_sweep
from adoptsim.sweeps.store import Store, flatten_summary, read_summaries
from sweep_files import (
    GRID,
    ROOT,
    assert_same_results,
    batch_files,
    cli,
    stored_runs,
    subprocess_env,
    write_experiment,
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The 12-run grid, swept in this process through the Python API."""
    folder = tmp_path_factory.mktemp("reference")
    path = write_experiment(folder)
    exp = load_experiment(path)
    store = Store(folder / "out")
    assert store.initialise(exp) is False
    with open_executor(workers=1) as (executor, in_flight, _):
        report = run_sweep(exp, store, executor, in_flight)
    assert len(report.done) == 12 and not report.failed and not report.interrupted
    return path, store.root


def test_store_holds_manifest_design_and_every_run_once_in_batch_files(reference):
    path, out = reference
    exp = load_experiment(path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["hash"] == exp.hash
    assert manifest["replication_seeds"] == exp.seeds and manifest["seed"] == 7
    assert manifest["design"]["kind"] == "grid" and manifest["design"]["runs"] == 12
    assert manifest["experiment"]["parameters"]["comms.join_step"] == [0, 10]
    assert manifest["base_scenario"]["organisation"]["employees"] == 200
    for package in ("adoptsim", "numpy", "numba", "mesa", "pandas"):
        assert manifest["versions"][package]
    assert manifest["python"].startswith("3.")

    assert manifest["format"] == 2
    assert sorted(stored_runs(out)) == sorted(r.run_id for r in exp.runs)
    # Batches of runs, not a file per run: as many files as the driver's batch sizes
    # make (each size depends only on the runs left when the batch is submitted).
    with open_executor(workers=1) as (_, in_flight, _where):
        pass
    run_seconds = 200 * exp.base["run"]["steps"] * SECONDS_PER_EMPLOYEE_WEEK
    remaining, batches = 12, 0
    while remaining:
        remaining -= min(batch_size(remaining, in_flight, run_seconds, None), remaining)
        batches += 1
    assert 1 < batches < 12 and len(batch_files(out)) == batches
    assert not list((out / "failed").iterdir())
    assert not list(out.rglob("*.partial")) and not (out / ".stop").exists()

    res = load_results(out)
    pd.testing.assert_frame_equal(res.design, exp.design_frame())
    assert list(res.summary["run_id"]) == list(res.design["run_id"])
    for col in ("final_member", "final_trust", "final_benefit_cum", "t50",
                "never_posted_share", "top1_post_share", "gini_posts", "comms.join_step"):
        assert col in res.summary.columns
    ts = res.timeseries
    assert list(ts.columns) == ["run_id", *COLUMNS]
    assert ts.groupby("run_id").size().eq(21).all() and ts["run_id"].nunique() == 12
    # Plain Parquet: pyarrow reads the runs folder as one table, skipping staging names.
    assert pq.read_table(out / "runs").num_rows == 12 * 21
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), res.summary)
    assert res.manifest == manifest


def test_a_stored_run_is_the_bare_model_run_with_its_seed(reference):
    path, out = reference
    exp = load_experiment(path)
    run = exp.runs[7]
    cfg = validate(exp.run_config(run), "test")
    assert cfg.run.seed == run.seed and cfg.comms.join_step == exp.points[run.point][
        "comms.join_step"]
    model = AdoptionModel(cfg, rng=cfg.run.seed)
    expected = model.run()
    (batch,) = [f for f in batch_files(out) if run.run_id in read_summaries(f)]
    stored = pq.read_table(batch).to_pandas()
    stored = stored[stored["run_id"] == run.run_id].drop(columns="run_id")
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), expected, check_exact=True)
    assert read_summaries(batch)[run.run_id] == json.loads(
        json.dumps(flatten_summary(model.summary())))


def test_two_local_workers_give_identical_results(reference, tmp_path, monkeypatch, capsys):
    path, out = reference
    res = cli(monkeypatch, capsys, "sweep", path, "--out", tmp_path / "pool", "--workers", "2")
    assert res.code == 0, res.text
    assert "2 local worker processes" in res.text
    assert_same_results(out, tmp_path / "pool")


def test_the_summary_table_shows_each_point_with_intervals(reference, tmp_path, monkeypatch,
                                                           capsys):
    path, out = reference
    shutil.copytree(out, tmp_path / "out")
    res = cli(monkeypatch, capsys, "sweep", path, "--out", tmp_path / "out")
    assert res.code == 0, res.text
    assert "12 of 12 runs already done" in res.text and "running 0 runs" in res.text
    for heading in ("member", "active", "trust", "benefit", "shutdown", "95% t-interval"):
        assert heading in res.out
    member = load_results(out).summary.groupby("point")["final_member"].mean()
    assert f"{100 * member[3]:.1f}" in res.out


def test_rerun_skips_finished_runs_and_runs_missing_ones(reference, tmp_path, monkeypatch,
                                                         capsys):
    path, out = reference
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    files = batch_files(copy)
    lost = read_summaries(files[0])
    files[0].unlink()
    (copy / "runs" / ".stale.parquet.1234.partial").write_bytes(b"half a file")
    before = {f.name: f.stat().st_mtime_ns for f in files[1:]}
    res = cli(monkeypatch, capsys, "sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 0, res.text
    assert f"{12 - len(lost)} of 12 runs already done" in res.text
    assert f"running {len(lost)} runs" in res.text
    after = {f.name: f.stat().st_mtime_ns for f in batch_files(copy)}
    assert {k: after[k] for k in before} == before  # finished batches are not touched
    assert sorted(stored_runs(copy)) == sorted(load_experiment(path).design_frame()["run_id"])
    assert not list(copy.rglob("*.partial"))
    assert_same_results(out, copy)


def test_a_changed_experiment_is_refused_unless_forced(reference, tmp_path, monkeypatch, capsys):
    path, out = reference
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    changed = write_experiment(tmp_path, GRID.replace("replications = 3", "replications = 2"))
    res = cli(monkeypatch, capsys, "sweep", changed, "--out", copy, "--workers", "1")
    assert res.code == 2 and "different experiment" in res.text and "--force" in res.text
    assert "experiment file has changed" in res.text
    res = cli(monkeypatch, capsys, "sweep", path, "--out", copy, "--set", "run.steps=19")
    assert res.code == 2 and "base scenario" in res.text
    assert len(stored_runs(copy)) == 12  # nothing touched

    res = cli(monkeypatch, capsys, "sweep", changed, "--out", copy, "--workers", "1", "--force")
    assert res.code == 0, res.text
    exp = load_experiment(changed)
    assert sorted(stored_runs(copy)) == sorted(r.run_id for r in exp.runs)
    assert json.loads((copy / "manifest.json").read_text())["hash"] == exp.hash


def test_a_folder_that_is_no_store_is_refused(reference, tmp_path, monkeypatch, capsys):
    path, _ = reference
    (tmp_path / "notes.txt").write_text("mine")
    res = cli(monkeypatch, capsys, "sweep", path, "--out", tmp_path)
    assert res.code == 2 and "holds no sweep" in res.text and "notes.txt" in res.text


def test_failed_runs_are_recorded_and_retried(tmp_path, monkeypatch, capsys):
    edges = "source,target\n" + "".join(f"{i},{(i + 1) % 40}\n{i},{(i + 3) % 40}\n"
                                        for i in range(40))
    (tmp_path / "org.csv").write_text(edges)
    path = write_experiment(tmp_path, """
scenario = "small.toml"
replications = 2
seed = 3
[parameters]
"organisation.edges" = ["org.csv", "later.csv"]   # relative to this file
[overrides]
"organisation.generator" = "edgelist"
""")
    out = tmp_path / "out"
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--workers", "1")
    assert res.code == 1, res.text
    assert "2 of 4 runs failed" in res.text and str(out / "failed") in res.text
    exp = load_experiment(path)
    failed = sorted(p.stem for p in (out / "failed").glob("*.txt"))
    assert failed == sorted(r.run_id for r in exp.runs if r.point == 1)
    report = (out / "failed" / f"{failed[0]}.txt").read_text()
    assert "later.csv" in report and "Traceback" in report and "does not exist" in report
    assert len(stored_runs(out)) == 2

    (tmp_path / "later.csv").write_text(edges)
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--workers", "1")
    assert res.code == 0, res.text
    assert not list((out / "failed").iterdir())
    assert len(load_results(out).summary) == 4


def test_export_writes_three_csv_files(reference, tmp_path, monkeypatch, capsys):
    _, out = reference
    res = cli(monkeypatch, capsys, "export", out, "--csv", tmp_path / "csv")
    assert res.code == 0, res.text
    results = load_results(out)
    for name in ("design", "summary", "timeseries"):
        frame = pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        pd.testing.assert_frame_equal(frame, getattr(results, name), check_dtype=False)


@pytest.mark.parametrize("change", [{"format": 1}, {"versions": {"adoptsim": "0.1.0"}}])
def test_a_store_of_another_version_is_refused_unless_forced(reference, tmp_path, monkeypatch,
                                                             capsys, change):
    path, out = reference
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest.update(change)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    res = cli(monkeypatch, capsys, "sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 2 and "must not mix" in res.text and "--force" in res.text, res.text
    assert len(stored_runs(copy)) == 12  # nothing touched
    res = cli(monkeypatch, capsys, "sweep", path, "--out", copy, "--workers", "1", "--force")
    assert res.code == 0, res.text
    assert_same_results(out, copy)


def test_pool_workers_may_run_parallel_compiled_code(tmp_path):
    """Bridging targeting ranks in a parallel kernel: numba's threading layer must start in
    each worker, not before the fork (it would kill the workers)."""
    path = write_experiment(tmp_path, GRID.replace('"channel.policy" = ["open", "shutdown"]',
                                                   '"comms.strategy" = ["random", "bridging"]'))
    res = subprocess.run([sys.executable, "-m", "adoptsim.cli", "sweep", str(path), "--out",
                          str(tmp_path / "out"), "--workers", "2"], cwd=ROOT,
                         env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "fork()" not in res.stderr and "12 runs in" in res.stdout
