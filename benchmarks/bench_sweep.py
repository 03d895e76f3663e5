"""Sweep throughput through the real command line, and the cost of the results store.

Every run is the baseline scenario (2,000 employees, 104 weeks), replicated.

- **End to end**: ``adoptsim sweep bench.toml --workers 2`` (and ``--workers
  1`` for the speed-up), launched as a subprocess: wall time from launch to
  exit, start-up (interpreter, imports, the worker pool's forkserver and
  each worker's loading of the compiled code) and the summary table
  included. Rounds alternate the two.
- **Steady state**: from the same sweeps, the runs finished after each
  worker's first batch over the time from those first batches to the last
  (the batch files' modification times: a worker writes one file per batch).
- **The store's cost**: the same runs as bare ``Engine`` runs in a loop
  (validate the run's scenario, build, run, its time series and flat
  summary; nothing written) against an in-process sweep
  (:func:`adoptsim.sweeps.run.run_sweep` with one worker: the same runs,
  batched and written to a fresh store, the summary table at the end), in
  interleaved rounds; and the batch files' writing alone.

Prints the figures and merges them into ``benchmarks/results.json`` under
``"sweep"``; ``benchmarks/run.py`` calls the same functions.

Usage::

    PYTHONPATH=src python benchmarks/bench_sweep.py [--runs 1000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import BASELINE, RESULTS, adoptsim_command, python_env

from adoptsim.config import validate
from adoptsim.model.engine import Engine
from adoptsim.sweeps.executors import open_executor
from adoptsim.sweeps.experiment import Experiment, load_experiment
from adoptsim.sweeps.run import run_sweep
from adoptsim.sweeps.store import Store, flatten_summary, read_summaries

EXPERIMENT = """
scenario = "{scenario}"
name = "bench"
replications = {runs}
seed = 1
"""


def write_experiment(folder: Path, runs: int) -> Path:
    """A baseline experiment of ``runs`` replications in ``folder``."""
    path = folder / f"bench-{runs}.toml"
    path.write_text(EXPERIMENT.format(scenario=BASELINE.as_posix(), runs=runs))
    return path


def cli_sweep(folder: Path, runs: int, workers: int) -> dict:
    """One ``adoptsim sweep`` of ``runs`` baseline runs on ``workers`` workers, end to end."""
    experiment = write_experiment(folder, runs)
    out = folder / f"out-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    command = [*adoptsim_command(), "sweep", str(experiment), "--workers", str(workers),
               "--out", str(out)]
    launched = time.time()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=python_env(), cwd=folder)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    files = sorted(Store(out).batch_files(), key=lambda p: p.stat().st_mtime)
    counts = [len(read_summaries(p)) for p in files]
    at = np.array([p.stat().st_mtime for p in files]) - launched
    assert sum(counts) == runs, (counts, runs)
    # Steady state: past each worker's first batch (its start-up) to the last batch.
    k = min(workers, len(files) - 1)
    steady = sum(counts[k:]) / (at[-1] - at[:k].mean()) if k >= 1 else runs / seconds
    return {"workers": workers, "runs": runs, "seconds": seconds, "runs_per_s": runs / seconds,
            "steady_runs_per_s": steady, "batches": len(files),
            "first_batch_s": float(at[0]), "last_batch_s": float(at[-1]),
            # What the end-to-end time loses against the steady rate (start-up and finish).
            "overhead_s": seconds - runs / steady}


def cli_sweeps(runs: int = 1000, rounds: int = 2) -> dict:
    """``rounds`` of a 2-worker and a 1-worker sweep through the command line, alternating.

    The 2-worker figures are medians over rounds; the speed-up of two
    workers is taken round by round (steady states) and the median kept.
    """
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        folder = Path(tmp)
        cli_sweep(folder, 20, 2)  # page in the interpreter, the libraries and the cache
        two, one = [], []
        for _ in range(rounds):
            two.append(cli_sweep(folder, runs, 2))
            one.append(cli_sweep(folder, runs, 1))

    def med(rows: list[dict], key: str) -> float:
        return float(statistics.median(r[key] for r in rows))

    return {"runs": runs, "rounds": rounds, "employees": 2000, "weeks": 104,
            "workers2_seconds": med(two, "seconds"),
            "workers2_runs_per_s": med(two, "runs_per_s"),
            "workers2_steady_runs_per_s": med(two, "steady_runs_per_s"),
            "workers2_overhead_s": med(two, "overhead_s"),
            "workers2_first_batch_s": med(two, "first_batch_s"),
            "workers2_batches": [r["batches"] for r in two],
            "workers1_runs_per_s": med(one, "runs_per_s"),
            "workers1_steady_runs_per_s": med(one, "steady_runs_per_s"),
            "speedup_workers2_steady": float(statistics.median(
                a["steady_runs_per_s"] / b["steady_runs_per_s"]
                for a, b in zip(two, one, strict=True))),
            "rounds_detail": {"workers2": two, "workers1": one},
            "load": round(os.getloadavg()[0], 2)}


def bare(exp: Experiment) -> tuple[float, float, list]:
    """Wall and CPU seconds of the experiment's runs without the store, and each
    run's (run id, time series columns, flat summary)."""
    base_dir = Path(exp.base_dir) if exp.base_dir else None
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # as a sweep's runs
    outputs = []
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        for run in exp.runs:
            cfg = validate(exp.run_config(run), exp.describe(run), base_dir)
            engine = Engine(cfg, cfg.run.seed)
            engine.run()
            series = dict(engine.series)
            series["step"] = series["step"].astype("int64")
            outputs.append((run.run_id, series, flatten_summary(engine.summary())))
        return time.perf_counter() - wall, time.process_time() - cpu, outputs
    finally:
        numba.set_num_threads(threads)


def swept(exp: Experiment, out: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of an in-process sweep of ``exp`` into a fresh store,
    and the number of batch files it wrote."""
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu = time.perf_counter(), time.process_time()
    store = Store(out)
    store.initialise(exp)
    with open_executor(1) as (executor, in_flight, _):
        report = run_sweep(exp, store, executor, in_flight)
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(report.done) == len(exp.runs), report
    return seconds, cpu, len(store.batch_files())


def write_seconds(outputs: list, out: Path, batches: int) -> float:
    """Seconds to write ``outputs`` as ``batches`` batch files: the store's own cost."""
    store = Store(out)
    store.runs_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for chunk in np.array_split(np.arange(len(outputs)), batches):
        part = [outputs[i] for i in chunk]
        store.write_batch([(rid, series) for rid, series, _ in part],
                          {rid: summary for rid, _, summary in part})
    return time.perf_counter() - started


def store_overhead(runs: int = 200, rounds: int = 3) -> dict:
    """The store's cost per run: in-process sweeps against bare runs, interleaved."""
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        folder = Path(tmp)
        exp = load_experiment(write_experiment(folder, runs))
        bare(load_experiment(write_experiment(folder, 2)))  # load the compiled code
        walls, cpus, writes, per_round = [], [], [], []
        for r in range(rounds):
            b_wall, b_cpu, outputs = bare(exp)
            s_wall, s_cpu, batches = swept(exp, folder / "store")
            writes.append(write_seconds(outputs, folder / f"writes-{r}", batches))
            walls.append((b_wall, s_wall))
            cpus.append((b_cpu, s_cpu))
            per_round.append({"bare_s": b_wall, "sweep_s": s_wall, "batches": batches})
    walls_a, cpus_a = np.array(walls), np.array(cpus)
    bare_ms = float(np.median(walls_a[:, 0])) / runs * 1e3
    return {"runs": runs, "rounds": rounds, "batches": batches,
            "bare_run_ms": bare_ms,
            "sweep_run_ms": float(np.median(walls_a[:, 1])) / runs * 1e3,
            # Round by round (the sweep against the bare loop next to it), median.
            "overhead_ms_per_run": float(np.median(walls_a[:, 1] - walls_a[:, 0])) / runs * 1e3,
            "overhead_pct": float(np.median(walls_a[:, 1] / walls_a[:, 0]) - 1) * 100,
            "overhead_cpu_pct": float(np.median(cpus_a[:, 1] / cpus_a[:, 0]) - 1) * 100,
            "write_ms_per_run": min(writes) / runs * 1e3,
            "write_pct_of_run": min(writes) / runs * 1e3 / bare_ms * 100,
            "rounds_detail": per_round, "load": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs per command-line sweep")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of command-line sweeps")
    parser.add_argument("--store-runs", type=int, default=200,
                        help="runs per round of the store's cost")
    args = parser.parse_args()

    load = round(os.getloadavg()[0], 2)
    figures = {"cli": cli_sweeps(args.runs, args.rounds),
               "store": store_overhead(args.store_runs),
               "cpus": os.cpu_count(), "load_average_at_start": load,
               "python": platform.python_version(),
               "date": datetime.now(UTC).isoformat(timespec="seconds")}
    c, s = figures["cli"], figures["store"]
    print(f"{c['runs']} runs of 2,000 employees x 104 weeks, {c['rounds']} rounds; "
          f"{figures['cpus']} cores, load {load:.2f} at the start")
    print(f"adoptsim sweep --workers 2, end to end: {c['workers2_runs_per_s']:.1f} runs/s "
          f"({c['workers2_seconds']:.1f} s, {c['workers2_overhead_s']:.1f} s of it start-up "
          f"and finish)")
    print(f"  steady state: {c['workers2_steady_runs_per_s']:.1f} runs/s, "
          f"{c['speedup_workers2_steady']:.2f}x one worker "
          f"({c['workers1_steady_runs_per_s']:.1f} runs/s)")
    print(f"store: bare run {s['bare_run_ms']:.1f} ms, in a sweep {s['sweep_run_ms']:.1f} ms: "
          f"{s['overhead_ms_per_run']:+.2f} ms a run ({s['overhead_pct']:+.1f}% wall, "
          f"{s['overhead_cpu_pct']:+.1f}% CPU); writing {s['write_ms_per_run']:.2f} ms a run "
          f"({s['write_pct_of_run']:.1f}%)")
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results["sweep"] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"merged into {RESULTS}")


if __name__ == "__main__":
    main()
