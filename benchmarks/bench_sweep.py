"""Sweep throughput: runs per second serially and on two local workers, and the
cost of the results store against bare model runs.

Every run is the baseline scenario (2,000 employees, 104 weeks). The same
runs are timed three ways:

- bare: ``AdoptionModel(cfg).run()`` and ``.summary()`` in a loop, nothing written;
- serial sweep: ``adoptsim sweep --workers 1`` (runs in this process, each
  writing its Parquet file to a fresh store);
- two workers: ``adoptsim sweep --workers 2`` (a local process pool), in
  steady state (the middle 80% of completions) and end to end: cold (the
  first pool also starts the forkserver, which imports the model once, as
  every ``adoptsim sweep`` command does) and warm (later pools).

The three are interleaved for several rounds (the machine may be shared);
throughputs are the fastest round. The store's overhead is measured three
ways: the time to write the runs' files alone, against the median bare run;
CPU time of the serial sweep against the bare loop (fastest rounds); and wall
time, per run (median; a sweep's run includes writing its file and the
driver's bookkeeping) and end to end (each round's sweep against the same
round's bare loop, median over rounds). The figures are printed and merged
into ``benchmarks/results.json`` under the key ``"sweep"``.

Usage::

    PYTHONPATH=src python benchmarks/bench_sweep.py [--runs 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numba
import numpy as np

from adoptsim.config import validate
from adoptsim.model.model import AdoptionModel
from adoptsim.sweeps.executors import open_executor
from adoptsim.sweeps.experiment import load_experiment
from adoptsim.sweeps.run import run_sweep
from adoptsim.sweeps.store import Store, flatten_summary

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"

EXPERIMENT = """
scenario = "{scenario}"
name = "bench"
replications = {replications}
seed = 1
[parameters]
"comms.join_step" = [0, 26]
"""


def bare(exp) -> tuple[list[float], float, list]:
    """Seconds of each run without the store (single-threaded, like a sweep's runs),
    the CPU seconds of them all, and each run's (run_id, time series, flat summary)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    times, outputs = [], []
    cpu = time.process_time()
    try:
        for run in exp.runs:
            started = time.perf_counter()
            model = AdoptionModel.from_scenario(validate(exp.run_config(run), "bench"))
            timeseries = model.run()
            summary = model.summary()
            times.append(time.perf_counter() - started)
            outputs.append((run.run_id, timeseries, flatten_summary(summary)))
        return times, time.process_time() - cpu, outputs
    finally:
        numba.set_num_threads(threads)


def write_seconds(outputs: list, out: Path) -> float:
    """Seconds per run to write the runs' files into a store: the store's own cost."""
    store = Store(out)
    store.runs_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for run_id, timeseries, summary in outputs:
        store.write_run(run_id, timeseries, summary)
    return (time.perf_counter() - started) / len(outputs)


def sweep(exp, out: Path, workers: int) -> tuple[float, list[float], float]:
    """End-to-end seconds of a sweep into a fresh store, the times its runs finished,
    and the CPU seconds of this process (all of it, for ``workers=1``)."""
    shutil.rmtree(out, ignore_errors=True)
    cpu = time.process_time()
    started = time.perf_counter()
    finished = [started]
    store = Store(out)
    store.initialise(exp)
    with open_executor(workers) as (executor, in_flight, _):
        report = run_sweep(exp, store, executor, in_flight,
                           lambda _: finished.append(time.perf_counter()))
    seconds = time.perf_counter() - started
    assert len(report.done) == len(exp.runs), report
    return seconds, finished, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="runs per measurement (even)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.toml"
        path.write_text(EXPERIMENT.format(scenario=ROOT / "scenarios" / "baseline.toml",
                                          replications=args.runs // 2))
        exp = load_experiment(path)
        n = len(exp.runs)
        warm = validate(exp.run_config(exp.runs[0]), "warm-up")
        AdoptionModel.from_scenario(warm).run()  # compile

        bare_runs, bare_total, serial_runs, serial_total, pool_total, pool_steady = (
            [], [], [], [], [], [])
        bare_cpu, serial_cpu, writes = [], [], []
        load = os.getloadavg()[0]
        # Interleaved, so a burst of load from elsewhere hits all three alike.
        for _ in range(args.repeat):
            times, cpu, outputs = bare(exp)
            writes.append(write_seconds(outputs, folder / "writes"))
            bare_runs += times
            bare_total.append(sum(times))
            bare_cpu.append(cpu)
            seconds, finished, cpu = sweep(exp, folder / "serial", 1)
            serial_total.append(seconds)
            serial_cpu.append(cpu)
            serial_runs += list(np.diff(finished[1:]))  # the first includes set-up
            seconds, finished, _ = sweep(exp, folder / "pool", 2)
            pool_total.append(seconds)
            if len(pool_total) == 1:  # the first pool also starts the forkserver
                cold_first = finished[1] - finished[0]
            # Steady state: the middle 80% of completions, past the pool's start-up.
            lo, hi = finished[1 + n // 10], finished[n - n // 10]
            pool_steady.append((n - 2 * (n // 10) - 1) / (hi - lo))

    serial_rate = n / min(serial_total)
    per_run_bare, per_run_serial = np.median(bare_runs), np.median(serial_runs)
    steady = max(pool_steady)
    figures = {
        "runs": n,
        "employees": exp.base["organisation"]["employees"],
        "steps": exp.base["run"]["steps"],
        "rounds": args.repeat,
        "bare_runs_per_s": round(n / min(bare_total), 2),
        "serial_runs_per_s": round(serial_rate, 2),
        "workers2_steady_runs_per_s": round(steady, 2),
        "speedup_workers2_steady": round(steady / serial_rate, 2),
        "workers2_cold_end_to_end_runs_per_s": round(n / pool_total[0], 2),
        "workers2_warm_end_to_end_runs_per_s": round(n / min(pool_total[1:] or pool_total), 2),
        "workers2_cold_start_s": round(cold_first - per_run_serial, 2),
        "median_run_ms_bare": round(1000 * per_run_bare, 1),
        "median_run_ms_sweep": round(1000 * per_run_serial, 1),
        "store_write_ms_per_run": round(1000 * min(writes), 2),
        "store_write_pct_of_run": round(100 * min(writes) / per_run_bare, 1),
        # CPU time is what the store adds; wall time also shows other users' load.
        "store_overhead_cpu_pct": round(100 * (min(serial_cpu) / min(bare_cpu) - 1), 1),
        "store_overhead_pct": round(100 * (per_run_serial / per_run_bare - 1), 1),
        # Each round's sweep against the same round's bare loop, then the median round.
        "store_overhead_end_to_end_pct": round(
            100 * (np.median(np.array(serial_total) / np.array(bare_total)) - 1), 1),
        "cpus": os.cpu_count(),
        "load_average_at_start": round(load, 2),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    f = figures
    print(f"{n} runs of {f['employees']:,} employees x {f['steps']} weeks, {args.repeat} rounds; "
          f"{f['cpus']} cores, load {load:.2f} at start")
    print(f"{'':40} {'runs/s':>7}")
    rows = [
        ("bare model runs (no store)", f["bare_runs_per_s"],
         f"median run {f['median_run_ms_bare']} ms; writing a run's file takes "
         f"{f['store_write_ms_per_run']} ms ({f['store_write_pct_of_run']}%)"),
        ("sweep --workers 1", f["serial_runs_per_s"],
         f"median run {f['median_run_ms_sweep']} ms; store overhead "
         f"{f['store_overhead_cpu_pct']:+.1f}% CPU time; wall time "
         f"{f['store_overhead_pct']:+.1f}% per run, {f['store_overhead_end_to_end_pct']:+.1f}% "
         f"end to end"),
        ("sweep --workers 2, steady state", f["workers2_steady_runs_per_s"],
         f"{f['speedup_workers2_steady']:.2f}x serial"),
        ("sweep --workers 2, end to end (cold)", f["workers2_cold_end_to_end_runs_per_s"],
         f"pool start-up {f['workers2_cold_start_s']:.1f} s (forkserver imports the model)"),
        ("sweep --workers 2, end to end (warm)", f["workers2_warm_end_to_end_runs_per_s"],
         "forkserver already running"),
    ]
    for name, rate, note in rows:
        print(f"{name:40} {rate:7.2f}  {note}")

    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results["sweep"] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"merged into {RESULTS}")


if __name__ == "__main__":
    main()
