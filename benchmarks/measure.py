"""Measurements of the model's speed and memory (docs/performance.md).

Each function measures one group of figures of the table that
``benchmarks/run.py`` prints and returns plain numbers. Timings are
wall-clock medians over repeats, because the machines this runs on may be
shared; figures that are compared (adoptsim against plain Mesa, ndlib or the
one-pass floor; one way of running against another) are measured
interleaved in one process, so a burst of load from elsewhere hits both
alike. Anything that must start from a fresh interpreter (cold start, the
command line, the end-to-end run, peak memory) runs in a subprocess.

Runs are driven through :class:`adoptsim.model.engine.Engine` (a run's
arrays and compiled weeks, without Mesa), as the command line and sweeps
drive them, unless a figure is about the Mesa face,
:class:`adoptsim.AdoptionModel`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pandas as pd
from numba import njit, prange

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
BASELINE = ROOT / "scenarios" / "baseline.toml"
sys.path.insert(0, str(ROOT / "benchmarks"))

from floor import one_pass_run  # noqa: E402

from adoptsim.config import ScenarioConfig, load_config  # noqa: E402
from adoptsim.jit import PARALLEL_MIN_WORK  # noqa: E402
from adoptsim.model.engine import Engine  # noqa: E402
from adoptsim.model.kernels.neighbours import (  # noqa: E402
    PREFETCH_AHEAD,
    PREFETCH_MIN_NODES,
    neighbour_rows,
    table_rows,
)
from adoptsim.model.model import AdoptionModel  # noqa: E402
from adoptsim.model.state import NEVER  # noqa: E402
from adoptsim.network import org_network  # noqa: E402

#: Weeks (1-based) whose step times give the early and the late medians:
#: the channel is busiest late (most employees members, most posts read).
EARLY, LATE = (3, 32), (75, 104)


# ------------------------------------------------------------------ helpers
def load() -> float:
    """One-minute load average (how busy the machine is; 2 cores here)."""
    return round(os.getloadavg()[0], 2)


def machine() -> dict:
    """Where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mesa

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "threading_layer": _threading_layer(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "memory_gb": _memory_gb(),
    }


def _threading_layer() -> str:
    # numba picks its threading layer when a parallel kernel first runs.
    _stream(np.array([0, 1], np.uint64), np.ones(1, np.uint64), np.zeros(1, np.uint64))
    try:
        return numba.threading_layer()
    except ValueError:
        return "unknown"


def _memory_gb() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return round(pages * size / 2**30, 1)
    except (ValueError, OSError):
        return None


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of ``fn()``."""
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def timed2(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``fn()`` on this thread.

    On a shared machine the CPU time of single-threaded work is the fairer
    measure: it does not count the time another process held the core.
    """
    t, c = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - t, time.thread_time() - c


def median(xs) -> float:
    return float(statistics.median(xs))


def scenario(n: int | None = None, steps: int = 104,
             overrides: dict[str, Any] | None = None) -> ScenarioConfig:
    """The baseline scenario (default parameters) with ``n`` employees,
    ``steps`` weeks and dotted ``overrides``."""
    changes = {"run.steps": steps, **(overrides or {})}
    if n is not None:
        changes["organisation.employees"] = n
    return load_config(BASELINE, changes)


def python_env() -> dict:
    """Environment for subprocesses: this interpreter finds adoptsim's sources."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    return env


def subprocess_json(code: str, env: dict | None = None, timeout: float = 3600) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last.

    Adds ``wall``: seconds from launching the process to its exit, or, if
    the JSON has a ``done`` key (the child's ``time.time()`` when its work
    was done), to that moment (so interpreter teardown is not counted).
    """
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env=env or python_env(), timeout=timeout,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = result.pop("done", time.time()) - t0
    return result


#: Peak resident memory of this process, MB. (VmHWM, not ru_maxrss: Linux
#: carries ru_maxrss over an exec, so a child would report its parent's size.)
_PEAK = """
def vm_hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
peak = vm_hwm()
"""


# ------------------------------------------------------------ model steps
def engine_steps(n: int, weeks: int = 104, warm: int = 2,
                 overrides: dict[str, Any] | None = None) -> list[float]:
    """Seconds of each of weeks ``warm + 1`` .. ``weeks`` of a run of ``n``
    employees, each one ``Engine.advance(1)`` (the first ``warm`` weeks load
    the compiled code)."""
    engine = Engine(scenario(n, weeks, overrides), 1)
    engine.advance(warm)
    return [timed(lambda: engine.advance(1)) for _ in range(weeks - warm)]


def step_summary(n: int, weeks: int = 104, warm: int = 2) -> dict:
    """Step times of a whole run at ``n`` employees, default parameters: the
    median of the early weeks, of the late weeks and the mean of all."""
    times = dict(zip(range(warm + 1, weeks + 1), engine_steps(n, weeks, warm), strict=True))

    def between(lo_hi: tuple[int, int]) -> float:
        return median([t for w, t in times.items() if lo_hi[0] <= w <= lo_hi[1]])

    early, late = between(EARLY), between(LATE)
    return {"employees": n, "weeks": weeks, "early_weeks": EARLY, "late_weeks": LATE,
            "step_ms": early * 1e3, "late_step_ms": late * 1e3,
            "mean_step_ms": float(np.mean(list(times.values()))) * 1e3,
            "ns_per_agent_step": early / n * 1e9, "late_ns_per_agent_step": late / n * 1e9,
            "load": load()}


def full_run(n: int) -> dict:
    """A 104-week run of ``n`` employees in a fresh interpreter, end to end:
    start, imports, network and population, 104 weeks in one compiled call,
    the time series; and the process's peak resident memory."""
    code = f"""
import time, json
t0 = time.perf_counter()
from adoptsim.config import load_config
from adoptsim.model.engine import Engine
t1 = time.perf_counter()
e = Engine(load_config({str(BASELINE)!r}, {{"organisation.employees": {n}}}), 1)
t2 = time.perf_counter()
e.advance()
t3 = time.perf_counter()
ts = e.timeseries()
t4 = time.perf_counter()
{_PEAK}
print(json.dumps(dict(import_s=t1 - t0, build_s=t2 - t1, advance_s=t3 - t2,
                      series_s=t4 - t3, in_process_s=t4 - t0, peak_mb=peak,
                      member=float(ts.member.iloc[-1]), done=time.time())))
"""
    out = subprocess_json(code)
    out["load"] = load()
    return out


# --------------------------------------------------------- generation, memory
def generation(n: int, repeat: int = 3) -> dict:
    """Seconds to generate the ``org`` network and to build a whole run
    (network, population, set-up: ``Engine(config, seed)``), medians; the
    peak resident memory of a fresh build."""
    org_network(1000, rng=np.random.default_rng(0))  # load the compiled sort
    net_s = median([timed(lambda: org_network(n, rng=np.random.default_rng(1)))
                    for _ in range(repeat)])
    cfg = scenario(n)
    build_s = median([timed(lambda: Engine(cfg, 1)) for _ in range(repeat)])
    code = f"""
import json
from adoptsim.config import load_config
from adoptsim.model.engine import Engine
{_PEAK}
base = peak
e = Engine(load_config({str(BASELINE)!r}, {{"organisation.employees": {n}}}), 1)
peak = vm_hwm()
print(json.dumps(dict(peak_mb=peak, import_mb=base)))
"""
    mem = subprocess_json(code)
    return {"employees": n, "network_s": net_s, "build_s": build_s,
            "build_peak_mb": mem["peak_mb"], "after_import_mb": mem["import_mb"],
            "load": load()}


def array_bytes(n: int = 100_000) -> dict:
    """Bytes a run keeps per employee and per tie (its arrays, exactly), by part.

    An array is counted once, in the first part that holds it. ``duplicated_*``
    counts the arrays of the compiled view of the network (``Engine.net``) that
    are copies of the network's own arrays.
    """
    engine = Engine(scenario(n), 1)
    network = engine.network
    ends = len(network.indices)
    parts = {"network": vars(network), "compiled network view": engine.net._asdict(),
             "people": engine.people._asdict(), "state": engine.state._asdict(),
             "follow": engine.follow._asdict(), "scratch": engine.scratch._asdict(),
             "managers": engine.managers._asdict(),
             "targeting": {"static_score": engine.static_score}}
    per_node: dict[str, int] = {}
    per_end: dict[str, int] = {}
    counted: list[np.ndarray] = []
    for part, fields in parts.items():
        for a in fields.values():
            # An array that shares the memory of one already counted costs nothing more.
            if not isinstance(a, np.ndarray) or any(np.may_share_memory(a, b) for b in counted):
                continue
            counted.append(a)
            if a.shape[:1] == (ends,):
                per_end[part] = per_end.get(part, 0) + a.nbytes
            elif any(d in (n, n + 1, (n + 63) // 64) for d in a.shape):
                per_node[part] = per_node.get(part, 0) + a.nbytes
    view = engine.net
    copies = [(getattr(view, k), getattr(network, k)) for k in ("indptr", "indices", "department")]
    dup = [a for a, b in copies if not np.shares_memory(a, b) and np.array_equal(a, b)]
    ties = network.n_edges
    return {"employees": n, "ties": ties, "mean_degree": ends / n,
            "bytes_per_employee": sum(per_node.values()) / n,
            "bytes_per_tie": sum(per_end.values()) / ties,
            "per_employee_by_part": {k: v / n for k, v in per_node.items()},
            "per_tie_by_part": {k: v / ties for k, v in per_end.items()},
            "duplicated_bytes_per_employee": sum(a.nbytes for a in dup if len(a) != ends) / n,
            "duplicated_bytes_per_tie": sum(a.nbytes for a in dup if len(a) == ends) / ties}


# ------------------------------------------------------------- cold start
_FIRST_STEP = """
import time, json
t0 = time.perf_counter()
from adoptsim.model.model import AdoptionModel
t1 = time.perf_counter()
m = AdoptionModel(employees=2000, rng=1)
t2 = time.perf_counter()
m.step()
t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, build_s=t2 - t1, first_step_s=t3 - t2,
                      done=time.time())))
"""


def cold_start(repeat: int = 3, cold: bool = True) -> dict:
    """Process start to the end of the first ``AdoptionModel.step()`` (2,000
    employees), with numba's cache warm (median of ``repeat``) and, if
    ``cold``, cold (a fresh, empty NUMBA_CACHE_DIR: every kernel compiles)."""
    with tempfile.TemporaryDirectory() as cache:
        env = python_env()
        if cold:
            env["NUMBA_CACHE_DIR"] = cache  # empty: the first run compiles everything
        first = subprocess_json(_FIRST_STEP, env)  # (and fills the cache)
        warm = [subprocess_json(_FIRST_STEP, env) for _ in range(repeat)]
    best = sorted(warm, key=lambda r: r["wall"])[len(warm) // 2]
    out = {"warm_s": best["wall"], "warm_import_s": best["import_s"],
           "warm_build_s": best["build_s"], "warm_first_step_s": best["first_step_s"],
           "import_mesa_s": _import_time("mesa"), "load": load()}
    if cold:
        out.update(cold_s=first["wall"], cold_first_step_s=first["first_step_s"])
    return out


def _import_time(module: str, repeat: int = 3) -> float:
    """Median seconds from launching an interpreter to having imported ``module``."""
    code = f"""
import time, json
import {module}
print(json.dumps(dict(done=time.time())))
"""
    return median([subprocess_json(code)["wall"] for _ in range(repeat)])


def adoptsim_command() -> list[str]:
    """The installed ``adoptsim`` command (its console script), else ``python -m adoptsim.cli``."""
    script = Path(sys.executable).with_name("adoptsim")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "adoptsim.cli"]


def _until_line(command: list[str], marker: str, cwd: str,
                timeout: float = 600) -> tuple[float, float]:
    """Seconds from launching ``command`` to the first stderr line containing
    ``marker``, and to its exit."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=python_env(), cwd=cwd)
    first, lines = None, []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append(line)
        if first is None and marker in line:
            first = time.perf_counter() - started
    process.wait(timeout)
    total = time.perf_counter() - started
    if process.returncode or first is None:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode} without a "
                           f"{marker!r} line:\n{''.join(lines)}")
    return first, total


def cli_start(repeat: int = 7) -> dict:
    """The command line with numba's cache warm, medians of ``repeat`` after a warm-up.

    ``adoptsim --help`` from launch to exit, and ``adoptsim run baseline``
    (into a temporary folder) from launch to its first progress line (the
    plain ``week k/104`` lines a pipe gets on stderr) and to its exit; for
    reference, a bare interpreter and ``import adoptsim.cli``.
    """
    cmd = adoptsim_command()
    with tempfile.TemporaryDirectory() as folder:
        run = [*cmd, "run", "baseline", "--out", str(Path(folder) / "out")]

        def help_() -> float:
            t = time.perf_counter()
            subprocess.run([*cmd, "--help"], capture_output=True, check=True,
                           env=python_env(), cwd=folder)
            return time.perf_counter() - t

        help_()
        _until_line(run, "week ", folder)
        helps, firsts, exits = [], [], []
        for _ in range(repeat):  # interleaved
            helps.append(help_())
            first, total = _until_line(run, "week ", folder)
            firsts.append(first)
            exits.append(total)
    return {"command": " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd)),
            "repeat": repeat, "help_s": median(helps), "help_max_s": max(helps),
            "run_first_progress_s": median(firsts), "run_first_progress_max_s": max(firsts),
            "run_exit_s": median(exits), "python_s": _import_time("sys", repeat),
            "import_cli_s": _import_time("adoptsim.cli", repeat), "load": load()}


# ------------------------------------------------------------- plain Mesa
def plain_mesa(n: int = 10_000, steps: int = 104, copies: int = 3, block: int = 8) -> dict:
    """Step time of adoptsim and of the plain-Mesa baseline at ``n`` employees.

    Both run the same weeks from their initial state (default: a whole
    104-week run), alternating in blocks of ``block`` weeks: the baseline
    runs a block, then each of ``copies`` identical ``AdoptionModel``\\ s runs
    the same block, then one whole run in a single compiled call
    (``Engine.advance()``) is timed. So a burst of load from elsewhere hits
    all alike, while each model runs with its own data in cache, as in a
    real run. The speed-ups compare mean step times (total time of the
    run's steps), in wall-clock and in CPU time (all single-threaded at this
    size), and the whole run's time per week.
    """
    from plain_mesa import PlainMesaModel

    t = time.perf_counter()
    plain = PlainMesaModel(employees=n, rng=1, steps=steps)
    plain_build = time.perf_counter() - t
    AdoptionModel(employees=n, rng=1).step()  # load the compiled kernels
    ours = [AdoptionModel(employees=n, rng=1, steps=steps) for _ in range(copies)]
    cfg, network = ours[0].config, ours[0].network
    plain_t, ours_t, whole_t = [], [], []
    for start in range(0, steps, block):
        weeks = range(start, min(steps, start + block))
        plain_t += [timed2(plain.step) for _ in weeks]
        for m in ours:
            ours_t += [timed2(m.step) for _ in weeks]
        engine = Engine(cfg, 1, network)
        whole_t.append(np.array(timed2(engine.advance)) / steps)
    (wall_plain, cpu_plain), (wall_ours, cpu_ours) = np.mean(plain_t, 0), np.mean(ours_t, 0)
    wall_whole, cpu_whole = np.median(whole_t, 0)
    return {"employees": n, "steps": steps,
            "plain_mesa_step_ms": wall_plain * 1e3, "adoptsim_step_ms": wall_ours * 1e3,
            "speedup": wall_plain / wall_ours,
            "plain_mesa_cpu_ms": cpu_plain * 1e3, "adoptsim_cpu_ms": cpu_ours * 1e3,
            "speedup_cpu": cpu_plain / cpu_ours,
            "whole_run_week_ms": wall_whole * 1e3, "speedup_whole_run": wall_plain / wall_whole,
            "speedup_whole_run_cpu": cpu_plain / cpu_whole,
            "plain_mesa_step_median_ms": median([w for w, _ in plain_t]) * 1e3,
            "adoptsim_step_median_ms": median([w for w, _ in ours_t]) * 1e3,
            "plain_mesa_build_s": plain_build, "adoptsim_threads": "1 (serial below "
            f"{PARALLEL_MIN_WORK:,} nodes + ties)",
            "plain_mesa_us_per_agent_step": wall_plain / n * 1e6, "load": load()}


# ------------------------------------------------------------------ ndlib
def ndlib_threshold(n: int = 10_000, phi: float = 0.1, initial: int = 10,
                    max_steps: int = 60, repeat: int = 5) -> dict:
    """The Watts threshold cascade on one org network from the same initial
    adopters: adoptsim's core (threshold posting mode: everyone a member, no
    managers, no underground, a window longer than the run), adoptsim's
    classic kernel (:func:`adoptsim.classic.watts_cascade`) and ndlib's
    ``ThresholdModel``, per iteration, and whether the final adopters agree."""
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    from adoptsim.classic import watts_cascade

    params = dict(employees=n, mode="threshold", threshold=phi, champion_share=1.0,
                  initial_active=initial, window=10 * max_steps, steps=max_steps, count=0,
                  underground_rate=0.0, rng=3)
    core = AdoptionModel(**params)
    net = core.network
    seeds = np.flatnonzero(core.state.last_post == -1)
    g = net.to_networkx()
    nd = ep.ThresholdModel(g, seed=0)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds.tolist())
    for node in g.nodes():
        config.add_node_configuration("threshold", node, phi)
    nd.set_initial_status(config)
    nd.iteration()  # iteration 0 only reports the initial state
    # Interleaved: one core step, then one ndlib iteration, until neither changes.
    t_core, t_nd = [], []
    active = (core.state.last_post > NEVER).sum()
    ours_done = theirs_done = False
    while not (ours_done and theirs_done) and core.steps < max_steps:
        t_core.append(timed2(core.step))
        now = (core.state.last_post > NEVER).sum()
        ours_done, active = now == active, now
        t, c = time.perf_counter(), time.thread_time()
        delta = nd.iteration()["status"]
        t_nd.append((time.perf_counter() - t, time.thread_time() - c))
        theirs_done = not any(v == 1 for v in delta.values())
    core_final = core.state.last_post > NEVER
    nd_final = np.array([nd.status[v] == 1 for v in range(n)])
    rounds_ours = [0]

    def classic() -> None:
        rounds_ours[0] = watts_cascade(net.indptr, net.indices, phi, seeds).rounds

    classic()
    t_classic = np.median([timed2(classic) for _ in range(repeat)], 0)
    classic_final = watts_cascade(net.indptr, net.indices, phi, seeds).active
    (core_ms, core_cpu), (nd_ms, nd_cpu) = (np.median(t_core, 0) * 1e3,
                                            np.median(t_nd, 0) * 1e3)
    classic_ms, classic_cpu = t_classic / max(rounds_ours[0], 1) * 1e3
    return {
        "employees": n, "phi": phi, "initial_adopters": len(seeds),
        "final_adopters": int(core_final.sum()), "iterations": len(t_core),
        "same_final_adopters": bool((core_final == nd_final).all()
                                    and (classic_final == nd_final).all()),
        "ndlib_iteration_ms": nd_ms, "core_step_ms": core_ms, "classic_round_ms": classic_ms,
        "speedup_core": nd_ms / core_ms, "speedup_classic": nd_ms / classic_ms,
        "speedup_core_cpu": nd_cpu / core_cpu, "speedup_classic_cpu": nd_cpu / classic_cpu,
        "rounds": rounds_ours[0], "load": load(),
    }


# ------------------------------------------------- neighbour pass vs bound
@njit(parallel=True, cache=True, nogil=True)
def _neighbour_pass(bounds, indptr, indices, table, n_member, n_active, n_under, n_sanct,
                    trust_sum, ahead):
    """The model's neighbour pass alone (in a step it runs fused with the row
    updates, block by block), over the same work-balanced chunks."""
    for c in prange(len(bounds) - 1):
        neighbour_rows(bounds[c], bounds[c + 1], indptr, indices, table, n_member, n_active,
                       n_under, n_sanct, trust_sum, ahead)


@njit(parallel=True, cache=True, nogil=True)
def _gather(bounds, idx, table, out):
    """Random gather: each chunk sums the 16-byte table rows ``idx`` picks."""
    shown = table.view(np.float64)
    for c in prange(len(bounds) - 1):
        acc = np.uint64(0)
        ts = 0.0
        for e in range(bounds[c], bounds[c + 1]):
            j = idx[e]
            acc += table[j, 1]
            ts += shown[j, 0]
        out[c] = ts + acc


@njit(parallel=True, cache=True, nogil=True)
def _stream(bounds, a, out):
    """Sequential read of ``a`` (uint64), in chunks."""
    for c in prange(len(bounds) - 1):
        acc = np.uint64(0)
        for e in range(bounds[c], bounds[c + 1]):
            acc += a[e]
        out[c] = acc


def neighbour_pass(engine: Engine) -> Callable[[], None]:
    """The neighbour pass of ``engine``'s next week, as a call: fills the node
    table for that week (once, now) and returns the pass over the ties."""
    st, sc, net = engine.state, engine.scratch, engine.net
    n = len(net.degree)
    table_rows(np.uint64(0), np.uint64(n), np.int64(engine.weeks),
               np.int64(engine.config.posting.window), st.member_c, st.last_post,
               st.member_u, st.removed, st.trust, sc.table)
    indptr, indices = net.indptr.view(np.uint64), net.indices.view(np.uint32)
    ahead = np.uint64(PREFETCH_AHEAD if n >= PREFETCH_MIN_NODES else 0)

    def run() -> None:
        _neighbour_pass(net.edge_bounds, indptr, indices, sc.table, sc.n_member, sc.n_active,
                        sc.n_under, sc.n_sanct, sc.trust_sum, ahead)

    run()
    return run


def neighbour_bound(n: int = 1_000_000, at_step: int = 52, repeat: int = 9) -> dict:
    """The neighbour-statistics pass against the memory-traffic bound.

    The pass must read the CSR row pointers (8 B a node) and neighbour ids
    (4 B a tie end), one 16-byte node-table row per tie end, and write four
    counts and a sum (24 B a node). The bound divides those bytes by the
    machine's bandwidth for the same access pattern without the arithmetic:
    a random gather of 16-byte rows from a table of the same size (numba,
    same threads), and, for reference, a sequential read.
    """
    engine = Engine(scenario(n, at_step + 1), 1)
    engine.advance(at_step)
    kernel = neighbour_pass(engine)
    table = engine.scratch.table
    nnz = len(engine.net.indices)
    t_kernel = median([timed(kernel) for _ in range(repeat)])
    bytes_read = 8 * (n + 1) + 4 * nnz + 16 * nnz
    bytes_written = 24 * n
    chunks = np.linspace(0, nnz, 4 * max(numba.get_num_threads(), 1) + 1).astype(np.uint64)
    idx = np.random.default_rng(0).integers(0, n, nnz).astype(np.uint32)
    out = np.zeros(len(chunks) - 1)
    _gather(chunks, idx, table, out)
    t_gather = median([timed(lambda: _gather(chunks, idx, table, out))
                       for _ in range(repeat)])
    gather_bw = 20 * nnz / t_gather  # 4 B id + 16 B row per read
    stream = np.ones(nnz, np.uint64)
    schunks = np.linspace(0, nnz, len(chunks)).astype(np.uint64)
    outs = np.zeros(len(chunks) - 1, np.uint64)
    _stream(schunks, stream, outs)
    t_stream = median([timed(lambda: _stream(schunks, stream, outs)) for _ in range(repeat)])
    stream_bw = 8 * nnz / t_stream
    bound_gather = (bytes_read + bytes_written) / gather_bw
    bound_stream = (bytes_read + bytes_written) / stream_bw
    return {
        "employees": n, "tie_ends": nnz, "at_step": at_step,
        "member_share": float(engine.state.member_c.mean()),
        "kernel_ms": t_kernel * 1e3, "mb_moved": (bytes_read + bytes_written) / 1e6,
        "gather_gb_s": gather_bw / 1e9, "stream_gb_s": stream_bw / 1e9,
        "bound_gather_ms": bound_gather * 1e3, "bound_stream_ms": bound_stream * 1e3,
        "ratio_to_gather_bound": t_kernel / bound_gather,
        "ratio_to_stream_bound": t_kernel / bound_stream,
        "ns_per_tie_end": t_kernel / nnz * 1e9, "load": load(),
    }


# ------------------------------------------------------------------ scaling
def scaling(sizes=(1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000),
            cross_ties=(1.5, 3.0, 6.0, 12.0, 24.0), ties_at: int = 100_000,
            rounds: int = 2) -> dict:
    """Median step time against employees (default ties), and step and
    neighbour-pass time against ties (``cross_ties`` at ``ties_at``
    employees). Each figure is measured in ``rounds`` passes over all sizes
    (weeks 2-31, or 2-11 above 10⁵) and the fastest pass kept, so a burst of
    load from elsewhere hits one pass only."""
    def one(n: int, overrides: dict | None = None) -> dict:
        steps = 30 if n <= 100_000 else 10
        engine = Engine(scenario(n, steps + 1, overrides), 1)
        engine.advance(1)
        step = median([timed(lambda: engine.advance(1)) for _ in range(steps)])
        pass_ = neighbour_pass(engine)
        return {"employees": n, "tie_ends": int(engine.net.indptr[-1]),
                "step_ms": step * 1e3,
                "neighbour_ms": median([timed(pass_) for _ in range(steps)]) * 1e3}

    def best(runs: list[dict]) -> dict:
        return {**runs[0], "step_ms": min(r["step_ms"] for r in runs),
                "neighbour_ms": min(r["neighbour_ms"] for r in runs)}

    by_size: dict[int, list] = {n: [] for n in sizes}
    by_ties: dict[float, list] = {c: [] for c in cross_ties}
    for _ in range(rounds):
        for n in sizes:
            by_size[n].append(one(n))
        for c in cross_ties:
            by_ties[c].append(one(ties_at, {"organisation.cross_ties": c}))
    size_rows = [best(r) for r in by_size.values()]
    tie_rows = [{"cross_ties": c, **best(r)} for c, r in by_ties.items()]

    def slope(rows: list[dict], x: str, y: str) -> float:
        return float(np.polyfit(np.log([r[x] for r in rows]), np.log([r[y] for r in rows]),
                                1)[0])

    return {"by_employees": size_rows, "by_ties": tie_rows,
            "loglog_slope": slope(size_rows, "employees", "step_ms"),
            "tie_loglog_slope": slope(tie_rows, "tie_ends", "step_ms"),
            "neighbour_tie_loglog_slope": slope(tie_rows, "tie_ends", "neighbour_ms"),
            "load": load()}


def plot_scaling(result: dict, path: Path) -> None:
    """Log-log plots of step time against employees, and against ties."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, ScalarFormatter

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    rows = result["by_employees"]
    n = np.array([r["employees"] for r in rows])
    t = np.array([r["step_ms"] for r in rows])
    a.loglog(n, t, "o-", label="step, Engine.advance(1) (median)")
    a.loglog(n, [r["neighbour_ms"] for r in rows], "s--", ms=4, label="neighbour pass")
    a.loglog(n, t[-1] * n / n[-1], ":", color="grey", label="∝ employees")
    a.axhline(100, color="red", lw=0.8, ls="--", label="target at 10⁶: 100 ms")
    a.set_xlabel("employees (org generator, default parameters)")
    a.set_ylabel("time (ms)")
    a.legend(fontsize=8)
    rows = result["by_ties"]
    e = np.array([r["tie_ends"] for r in rows]) / 2
    b.loglog(e, [r["step_ms"] for r in rows], "o-", label="step")
    b.loglog(e, [r["neighbour_ms"] for r in rows], "s--", ms=4, label="neighbour pass")
    nb = np.array([r["neighbour_ms"] for r in rows])
    b.loglog(e, nb[-1] * e / e[-1], ":", color="grey", label="∝ ties")
    b.set_xlabel(f"ties at {rows[0]['employees']:,} employees (cross_ties "
                 f"{rows[0]['cross_ties']:g} to {rows[-1]['cross_ties']:g})")
    b.set_ylabel("time (ms)")
    b.legend(fontsize=8)
    for ax in (a, b):
        ax.grid(True, which="both", lw=0.3)
    b.xaxis.set_major_locator(FixedLocator([5e5, 1e6, 2e6]))
    b.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e6:g} M"))
    b.xaxis.set_minor_formatter(NullFormatter())
    b.yaxis.set_major_formatter(ScalarFormatter())
    b.yaxis.set_minor_formatter(ScalarFormatter())
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------- fast-run path
def floor_ratio(pairs: int = 21) -> dict:
    """A bare baseline run against the one-pass floor on the same network.

    Each pair times a bare run of the baseline scenario (``Engine(config,
    seed)``: network and population, then ``advance()``: 104 weeks in one
    compiled call) and then :func:`floor.one_pass_run` for 104 weeks on the
    run's network; the ratio is taken pair by pair and the median kept. The
    run's parts (network generation, set-up, weeks) are timed in the same
    pairs.
    """
    from adoptsim.network import build_network

    cfg = load_config(BASELINE)
    seed = cfg.run.seed
    weeks = cfg.run.steps
    Engine(cfg, seed).advance()  # load the compiled code
    net_rng = np.random.default_rng(seed).spawn(2)[0]  # the stream Engine builds it from
    network = build_network(cfg.organisation, net_rng)
    one_pass_run(network.indptr, network.indices, weeks, seed)
    runs, floors, builds, advances, networks = [], [], [], [], []
    for _ in range(pairs):
        t0 = time.perf_counter()
        engine = Engine(cfg, seed)
        t1 = time.perf_counter()
        engine.advance()
        t2 = time.perf_counter()
        one_pass_run(engine.network.indptr, engine.network.indices, weeks, seed)
        floors.append(time.perf_counter() - t2)
        runs.append(t2 - t0)
        builds.append(t1 - t0)
        advances.append(t2 - t1)
        networks.append(timed(lambda: build_network(
            cfg.organisation, np.random.default_rng(seed).spawn(2)[0])))
    assert np.array_equal(engine.network.indices, network.indices)  # the same network
    runs_a, floors_a = np.array(runs), np.array(floors)
    return {"employees": cfg.organisation.employees, "weeks": weeks, "pairs": pairs,
            "ties": int(network.n_edges),
            "run_ms": median(runs) * 1e3, "floor_ms": median(floors) * 1e3,
            "ratio": median(runs_a / floors_a),
            "build_ms": median(builds) * 1e3, "network_ms": median(networks) * 1e3,
            "advance_ms": median(advances) * 1e3,
            "advance_ratio": median(np.array(advances) / floors_a),
            "week_us": median(advances) / weeks * 1e6, "load": load()}


def run_paths(rounds: int = 9) -> dict:
    """The baseline run four ways, from construction to the time series.

    - ``whole``: ``Engine(config, seed)``, ``advance()`` (one compiled call);
    - ``weekly``: ``Engine``, then ``advance(1)`` 104 times;
    - ``mesa_step``: ``AdoptionModel(config, rng=seed)``, ``step()`` 104 times
      (Mesa counts the step and its ``DataCollector`` collects each week);
    - ``mesa_run``: ``AdoptionModel(...).run()`` (the weeks in one compiled
      call, then collected).

    The four are interleaved ``rounds`` times (order rotated); medians in ms.
    Their time series and final state must be identical (asserted).
    """
    cfg = load_config(BASELINE)
    seed, weeks = cfg.run.seed, cfg.run.steps

    def whole():
        e = Engine(cfg, seed)
        e.advance()
        return e.timeseries(), e.state

    def weekly():
        e = Engine(cfg, seed)
        for _ in range(weeks):
            e.advance(1)
        return e.timeseries(), e.state

    def mesa_step():
        m = AdoptionModel(cfg, rng=seed)
        for _ in range(weeks):
            m.step()
        return m.timeseries(), m.state

    def mesa_run():
        m = AdoptionModel(cfg, rng=seed)
        return m.run(), m.state

    ways = {"whole": whole, "weekly": weekly, "mesa_step": mesa_step, "mesa_run": mesa_run}
    reference = whole()
    for name, way in ways.items():  # load the compiled code; same results every way
        series, state = way()
        pd.testing.assert_frame_equal(series, reference[0], check_exact=True, obj=name)
        for field in ("trust", "member_c", "last_post", "fear", "cum_posts_c"):
            assert np.array_equal(getattr(state, field), getattr(reference[1], field)), name
    times: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for r in range(rounds):
        for name in names[r % 4:] + names[: r % 4]:
            times[name].append(timed(ways[name]))
    ms = {name: median(t) * 1e3 for name, t in times.items()}
    return {"employees": cfg.organisation.employees, "weeks": weeks, "rounds": rounds,
            **{f"{name}_ms": v for name, v in ms.items()},
            **{f"{name}_vs_whole": v / ms["whole"] for name, v in ms.items()},
            "same_results": True, "load": load()}


def merge_results(key: str, value: dict) -> None:
    """Read-modify-write ``benchmarks/results.json``, keeping other keys."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = value
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
