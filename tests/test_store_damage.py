"""A damaged or busy results store: unreadable run files, a damaged manifest, a full
disk, two sweeps at once, oversized designs and unusable --out folders.

Every case goes through the real ``adoptsim`` entry point in a subprocess (except
the in-process disk-full case, which needs a patched writer in this process).
"""

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from adoptsim import load_results
from adoptsim.atomic import writable_folder
from adoptsim.errors import InputError
from adoptsim.sweeps.lock import StoreLock
from adoptsim.sweeps.results import CorruptRunWarning
from adoptsim.sweeps.store import read_summaries
from sweep_files import (
    GRID,
    ROOT,
    SMALL,
    Result,
    assert_same_results,
    batch_files,
    cli,
    serial_results,
    stored_runs,
    subprocess_env,
    write_experiment,
)


def adoptsim(*args, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    """Run ``python -m adoptsim.cli ARGS`` in a subprocess."""
    res = subprocess.run([sys.executable, "-m", "adoptsim.cli", *map(str, args)], cwd=ROOT,
                         env=env or subprocess_env(), capture_output=True, text=True,
                         timeout=timeout)
    return Result(res.returncode, res.stdout, res.stderr)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The 12-run grid (4 points x 3 replications), swept in this process."""
    return serial_results(tmp_path_factory.mktemp("damage"), GRID, SMALL)


@pytest.fixture
def copy(reference, tmp_path):
    """A fresh copy of the reference store."""
    _, out = reference
    return Path(shutil.copytree(out, tmp_path / "out"))


def clean(out: Path) -> None:
    """Nothing a sweep leaves only while running: no staging file, stop flag or lock."""
    assert not list(out.rglob("*.partial"))
    assert not (out / ".stop").exists() and not (out / ".lock").exists()


# ------------------------------------------------------------ unreadable run files
def test_unreadable_batch_files_are_named_then_set_aside_and_run_again(reference, copy):
    path, out = reference
    truncated, empty = batch_files(copy)[0], batch_files(copy)[-1]
    lost = {*read_summaries(truncated), *read_summaries(empty)}
    kept = 12 - len(lost)
    truncated.write_bytes(truncated.read_bytes()[:300])
    empty.write_bytes(b"")

    with pytest.warns(CorruptRunWarning, match=truncated.name) as caught:
        summary = load_results(copy).summary
    assert empty.name in str(caught[0].message) and "adoptsim sweep" in str(caught[0].message)
    assert len(summary) == kept and not lost & set(summary["run_id"])
    assert truncated.exists() and empty.exists()  # loading never changes the store

    res = adoptsim("report", copy)
    assert res.code == 0 and "Traceback" not in res.text, res.text
    assert "warning:" in res.err and truncated.name in res.text and empty.name in res.text
    assert truncated.name in (copy / "report.html").read_text()

    res = adoptsim("sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 0 and "Traceback" not in res.text, res.text
    assert truncated.name in res.err and "moved to" in res.text
    assert f"{kept} of 12 runs already done" in res.text
    assert f"running {12 - kept} runs" in res.text
    assert sorted(p.name for p in (copy / "corrupt").iterdir()) == sorted(
        [truncated.name, empty.name])
    assert sorted(stored_runs(copy)) == sorted(load_results(out).design["run_id"])
    clean(copy)
    assert_same_results(out, copy)


def test_a_run_file_damaged_inside_is_named_when_its_series_is_read(copy):
    damaged = batch_files(copy)[0]
    inside = len(read_summaries(damaged))
    data = bytearray(damaged.read_bytes())
    data[2000:2500] = bytes(500)  # a data page; the footer (and summaries) stay readable
    damaged.write_bytes(bytes(data))
    results = load_results(copy)
    assert len(results.summary) == 12
    with pytest.warns(CorruptRunWarning, match=damaged.name):
        series = results.timeseries
    assert series["run_id"].nunique() == 12 - inside and damaged in results.unreadable

    res = adoptsim("export", copy, "--table")
    assert res.code == 0 and "Traceback" not in res.text, res.text
    assert "warning: 1 run file(s) cannot be read" in res.err and damaged.name in res.text


def test_an_unreadable_design_file_is_named_and_rewritten_by_a_resume(reference, copy):
    path, out = reference
    (copy / "design.parquet").write_bytes(b"PAR1 not really")
    res = adoptsim("report", copy)
    assert res.code == 2 and "Traceback" not in res.text, res.text
    assert str(copy / "design.parquet") in res.text and "adoptsim sweep" in res.text
    res = adoptsim("sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 0 and "12 of 12 runs already done" in res.text, res.text
    assert_same_results(out, copy)


# ------------------------------------------------------------------ the manifest
DAMAGED_MANIFESTS = {
    "invalid JSON": ('{"hash": ', "not valid JSON"),
    "missing keys": ('{"hash": "abc"}', "missing design"),
    "no object": ("[1, 2]", "a JSON list, not an object"),
}


@pytest.mark.parametrize("case", list(DAMAGED_MANIFESTS))
def test_a_damaged_manifest_is_named_with_what_to_do(case, reference, copy):
    path, _ = reference
    text, reason = DAMAGED_MANIFESTS[case]
    manifest = copy / "manifest.json"
    manifest.write_text(text)
    for args in (["sweep", path, "--out", copy, "--workers", "1"], ["report", copy]):
        res = adoptsim(*args)
        assert res.code == 2 and "Traceback" not in res.text, res.text
        assert f"{manifest} is damaged ({reason}" in res.text
        assert "--force" in res.text and "restore it" in res.text
    assert len(stored_runs(copy)) == 12 and manifest.read_text() == text  # nothing touched
    clean(copy)


def test_force_starts_over_from_a_damaged_manifest(reference, copy):
    path, out = reference
    (copy / "manifest.json").write_text("{")
    res = adoptsim("sweep", path, "--out", copy, "--workers", "1", "--force")
    assert res.code == 0, res.text
    assert_same_results(out, copy)


# -------------------------------------------------------------------- full disk
def fail_run_writes_after(limit: int):
    """A pyarrow write_table that raises ENOSPC for batch files after ``limit`` of them."""
    real = pq.write_table
    calls = []

    def write_table(table, where, *args, **kwargs):
        if Path(str(where)).parent.name == "runs":
            calls.append(where)
            if len(calls) > limit:
                raise OSError(errno.ENOSPC, "Error writing bytes to file: [errno 28]")
        return real(table, where, *args, **kwargs)

    return write_table


def check_disk_full(res: Result, out: Path, batches: int | None) -> int:
    """The sweep stopped with one clear error, keeping the batches written; returns runs saved.

    ``batches``: how many batch files it wrote (``None``: at least one).
    """
    assert res.code == 2 and "Traceback" not in res.text, res.text
    assert f"error: the disk holding {out} is full (No space left on device)" in res.text
    saved = len(stored_runs(out))
    written = len(batch_files(out))
    assert (written >= 1 if batches is None else written == batches) and 0 < saved < 12
    assert not list((out / "runs").glob(".*.partial"))  # no half-written file
    assert f"{out / 'runs'}" in res.text and f"{saved} of 12 runs are saved" in res.text
    assert "run the same command again to resume" in res.text
    assert not list((out / "failed").iterdir())  # a full disk is no failure of a run
    clean(out)
    return saved


def test_a_full_disk_stops_an_in_process_sweep_which_resumes(reference, tmp_path, monkeypatch,
                                                             capsys):
    path, reference_out = reference
    out = tmp_path / "out"
    monkeypatch.setattr("adoptsim.sweeps.store.pq.write_table", fail_run_writes_after(2))
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--workers", "1")
    saved = check_disk_full(res, out, batches=2)

    monkeypatch.undo()
    res = cli(monkeypatch, capsys, "sweep", path, "--out", out, "--workers", "1")
    assert res.code == 0 and f"{saved} of 12 runs already done" in res.text, res.text
    assert_same_results(reference_out, out)


#: Imported by every Python process of the test (driver, forkserver, workers):
#: batch-file writes after the limit fail with ENOSPC, counted across processes.
SITECUSTOMIZE = '''
import errno, os
from pathlib import Path
import pyarrow.parquet as pq

_real = pq.write_table
_count = Path(os.environ["ADOPTSIM_TEST_WRITES"])

def write_table(table, where, *args, **kwargs):
    if Path(str(where)).parent.name == "runs":
        with open(_count, "a") as handle:
            handle.write("x")
        if _count.stat().st_size > int(os.environ["ADOPTSIM_TEST_WRITE_LIMIT"]):
            raise OSError(errno.ENOSPC, "Error writing bytes to file: [errno 28]")
    return _real(table, where, *args, **kwargs)

pq.write_table = write_table
'''


def test_a_full_disk_in_pool_workers_stops_the_sweep_which_resumes(reference, tmp_path):
    path, reference_out = reference
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = subprocess_env()
    env["PYTHONPATH"] += os.pathsep + str(hook)
    env["ADOPTSIM_TEST_WRITES"] = str(tmp_path / "writes")
    env["ADOPTSIM_TEST_WRITE_LIMIT"] = "2"
    out = tmp_path / "out"
    res = adoptsim("sweep", path, "--out", out, "--workers", "2", env=env)
    assert "2 local worker processes" in res.text
    # Two writes pass; which batches the two workers finish before the stop is timing.
    saved = check_disk_full(res, out, batches=None)

    res = adoptsim("sweep", path, "--out", out, "--workers", "2")
    assert res.code == 0 and f"{saved} of 12 runs already done" in res.text, res.text
    assert_same_results(reference_out, out)


# ------------------------------------------------------------------------ lock
def test_a_second_sweep_into_the_same_folder_is_refused(reference, copy):
    path, _ = reference
    with StoreLock(copy) as lock:
        assert lock.acquire() is None
        res = adoptsim("sweep", path, "--out", copy, "--workers", "1")
        assert res.code == 2 and "Traceback" not in res.text, res.text
        assert f"the lock file {copy / '.lock'} is held by pid {os.getpid()}" in res.text
        assert f"on host {socket.gethostname()}" in res.text and "another --out" in res.text
        assert json.loads((copy / ".lock").read_text())["pid"] == os.getpid()  # still ours
        assert adoptsim("report", copy).code == 0  # reading needs no lock
    assert not (copy / ".lock").exists()


def test_a_stale_lock_is_taken_over_and_the_lock_is_released(reference, copy):
    path, _ = reference
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (copy / ".lock").write_text(json.dumps(
        {"pid": dead.pid, "host": socket.gethostname(), "started": "2024-01-01T00:00:00+00:00"}))
    res = adoptsim("sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 0, res.text
    assert f"Took over the stale lock {copy / '.lock'} (pid {dead.pid}" in res.text
    clean(copy)

    # Another host's lock cannot be checked from here: refused, with what to do.
    (copy / ".lock").write_text(json.dumps(
        {"pid": 1, "host": "elsewhere.example", "started": "2024-01-01T00:00:00+00:00"}))
    res = adoptsim("sweep", path, "--out", copy, "--workers", "1")
    assert res.code == 2 and "on host elsewhere.example" in res.text, res.text
    assert f"If no sweep is running there, delete {copy / '.lock'}" in res.text


def test_the_lock_is_released_after_an_error(reference, copy, tmp_path):
    changed = write_experiment(tmp_path / "changed", GRID.replace("seed = 7", "seed = 8"))
    res = adoptsim("sweep", changed, "--out", copy, "--workers", "1")
    assert res.code == 2 and "different experiment" in res.text, res.text
    clean(copy)


def test_the_lock_is_released_after_ctrl_c(tmp_path):
    body = GRID.replace("replications = 3", "replications = 30")  # 120 runs
    path = write_experiment(tmp_path, body)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "adoptsim.cli", "sweep", str(path), "--out", str(out),
         "--workers", "1"], cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not batch_files(out):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert (out / ".lock").exists()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    clean(out)


# ----------------------------------------------------------------- design size
def test_a_design_over_the_run_limit_is_refused_unless_raised(reference, tmp_path):
    path, _ = reference
    values = ", ".join(str(i / 1000) for i in range(1001))
    huge = write_experiment(tmp_path / "huge", f"""
scenario = "small.toml"
replications = 1000
seed = 1
[parameters]
"comms.tone" = [{values}]
"awareness.q" = [0.1, 0.2]
""")
    res = adoptsim("sweep", huge, "--out", tmp_path / "huge_out")
    assert res.code == 2 and "Traceback" not in res.text, res.text
    assert "the design has 2,002,000 runs (2,002 design points x 1,000 replications)" in res.text
    assert "limit of 1,000,000" in res.text and "GB on disk" in res.text
    assert "--max-runs 2002000" in res.text
    assert not (tmp_path / "huge_out").exists()

    out = tmp_path / "out"
    res = adoptsim("sweep", path, "--out", out, "--workers", "1", "--max-runs", "11")
    assert res.code == 2 and "the design has 12 runs" in res.text, res.text
    res = adoptsim("sweep", path, "--out", out, "--workers", "1", "--max-runs", "12")
    assert res.code == 0, res.text


# --------------------------------------------------------------- --out folder
def unwritable_folder(tmp_path: Path) -> Path:
    """An existing folder this process cannot create entries in (root ignores mode bits)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        try:
            os.rmdir(tempfile.mkdtemp(dir=candidate))
        except OSError:
            return candidate
    # Root with no sysfs (some containers) can write anywhere: there is no unwritable
    # folder to test with, which is a fact of the machine, not a failure of the code.
    pytest.skip("no folder here refuses new entries to this user")


def test_an_unusable_out_folder_is_refused_with_its_path(reference, tmp_path):
    path, _ = reference
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    read_only = unwritable_folder(tmp_path)
    cases = {
        a_file: "is a file; give a folder",
        a_file / "out": f"lies under the file {a_file}",
        read_only: "is not writable",
    }
    for out, message in cases.items():
        res = adoptsim("sweep", path, "--out", out, "--workers", "1")
        assert res.code == 2 and "Traceback" not in res.text, res.text
        assert f"--out {out} {message}" in res.text
    with pytest.raises(InputError, match="NUL byte"):
        writable_folder(tmp_path / "a\x00b", "--out")
