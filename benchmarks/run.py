"""``make bench``: measure the model's speed and memory and the fast-run path,
print one table, and merge the figures into ``benchmarks/results.json`` under
the keys ``"model"`` and ``"sweep"`` (other keys, such as ``"app"`` and the
version 1 figures under ``"v1"``, are kept).

Also draws docs/images/step_time.png (step time against employees and ties).
The measurements are in :mod:`measure` and :mod:`bench_sweep`;
docs/performance.md explains them. The table's ``v1`` column is the figure
of model version 1 where one was measured (``results.json``, ``"v1"``).

Usage::

    PYTHONPATH=src python benchmarks/run.py [--quick] [--no-cold]

``--quick`` measures at sizes ten times smaller and with fewer repeats (a
smoke test of the harness, not the figures; it writes nothing); ``--no-cold``
skips compiling every kernel from an empty cache (a few minutes on a busy
two-core machine).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_sweep as S
import measure as M

#: The performance targets on a two-core machine (docs/performance.md).
TARGETS = {
    "mesa_speedup": 200, "ndlib_speedup": 100, "step_1e6_ms": 100, "generation_1e6_s": 2.0,
    "run_1e6_s": 15.0, "peak_1e6_mb": 1024, "cold_start_warm_s": 1.5, "neighbour_ratio": 2.5,
    "floor_ratio": 4.0, "sweep_runs_per_s": 80, "sweep_speedup": 1.7, "store_overhead_pct": 5,
    "help_s": 0.5, "first_progress_s": 1.5,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes / 10 (smoke test)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache compile")
    args = parser.parse_args()
    quick = args.quick
    big = 100_000 if quick else 1_000_000
    small = 1_000 if quick else 10_000

    out: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                 "machine": M.machine(), "load_start": M.load()}
    say = lambda what: print(f"... {what} (load {M.load()})", flush=True)  # noqa: E731
    say("model steps")
    out["steps"] = [M.step_summary(n) for n in (small, 10 * small, big)]
    say("bare run against the one-pass floor")
    out["floor"] = M.floor_ratio(7 if quick else 21)
    say("four ways to run")
    out["paths"] = M.run_paths(3 if quick else 9)
    say("command line")
    out["cli"] = M.cli_start(3 if quick else 7)
    say("sweeps through the command line")
    sweep = {"cli": S.cli_sweeps(100 if quick else 1000, 1 if quick else 2)}
    say("the store's cost")
    sweep["store"] = S.store_overhead(40 if quick else 200, 2 if quick else 3)
    say("plain Mesa")
    out["plain_mesa"] = M.plain_mesa(small, steps=16 if quick else 104)
    say("ndlib")
    out["ndlib"] = M.ndlib_threshold(small)
    say("generation")
    out["generation"] = M.generation(big)
    out["memory"] = M.array_bytes(10 * small)
    say("104-week run")
    out["full_run"] = M.full_run(big)
    say("cold start")
    out["cold_start"] = M.cold_start(cold=not args.no_cold)
    say("neighbour pass")
    out["neighbour"] = M.neighbour_bound(big, at_step=20 if quick else 52)
    say("scaling")
    sizes = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
    out["scaling"] = M.scaling(sizes[:5] if quick else sizes,
                               ties_at=10_000 if quick else 100_000)
    out["load_end"] = M.load()
    recorded = json.loads(M.RESULTS.read_text()) if M.RESULTS.exists() else {}
    # (A smoke test's sizes differ from version 1's: no v1 column.)
    v1 = {} if quick else recorded.get("v1", {})
    out["table"] = table({**out, "sweep": sweep}, big, small, v1)
    if not quick:  # a smoke test leaves the recorded figures alone
        M.plot_scaling(out["scaling"], M.ROOT / "docs" / "images" / "step_time.png")
        M.merge_results("model", out)
        M.merge_results("sweep", {**sweep, "cpus": out["machine"]["cores"],
                                  "load_average_at_start": sweep["cli"]["load"],
                                  "python": platform.python_version(), "date": out["date"]})
    print()
    print(render(out["table"]))
    print(f"\nload average: {out['load_start']} at the start, {out['load_end']} at the end "
          f"({out['machine']['cores']} cores)"
          + ("" if quick else f"; written to {M.RESULTS.relative_to(M.ROOT)}"))


def table(r: dict, big: int, small: int, v1: dict) -> list[list[str]]:
    """Rows: figure, v1 figure, measured, target, met.

    ``v1`` is results.json's ``"v1"`` entry: the version 1 ``"model"`` (its
    table) and ``"sweep"`` figures.
    """
    v1_rows = {row[0]: row[1] for row in v1.get("model", {}).get("table", [])}
    v1_sweep = v1.get("sweep", {})

    def row(name: str, value: float, fmt: str, target: float | None = None,
            below: bool = True, was: str | None = None, was_sweep: str | None = None) -> list:
        met = "" if target is None else ("yes" if (value <= target) == below else "NO")
        tgt = "" if target is None else (("≤ " if below else "≥ ") + format(target, "g"))
        before = v1_rows.get(was, "") if was else ""
        if was_sweep and was_sweep in v1_sweep:
            before = format(v1_sweep[was_sweep], "g")
        return [name, before, format(value, fmt), tgt, met]

    def check(name: str, ok: bool) -> list:
        return [name, "", str(ok), "True", "yes" if ok else "NO"]

    rows = []
    lo, hi = M.LATE
    for s in r["steps"]:
        n = s["employees"]
        target = TARGETS["step_1e6_ms"] if n == big else None
        rows += [
            row(f"step, {n:,} employees, weeks {M.EARLY[0]}–{M.EARLY[1]} (ms)", s["step_ms"],
                ".2f", target, was=f"step, {n:,} employees (ms)"),
            row("  per agent-step (ns)", s["ns_per_agent_step"], ".0f",
                was=f"  per agent-step, {n:,} (ns)"),
            row(f"  late weeks {lo}–{hi} (ms)", s["late_step_ms"], ".2f", target),
            row("  mean of all weeks (ms)", s["mean_step_ms"], ".2f"),
        ]
    f, p = r["floor"], r["paths"]
    rows += [
        row(f"bare baseline run, {f['employees']:,} x {f['weeks']}: Engine build + advance "
            "(ms)", f["run_ms"], ".1f", was_sweep="median_run_ms_bare"),
        row("  one-pass floor, same network (ms)", f["floor_ms"], ".1f"),
        row(f"  ratio, median of {f['pairs']} interleaved pairs (x)", f["ratio"], ".2f",
            TARGETS["floor_ratio"]),
        row("  of which build: network + population (ms)", f["build_ms"], ".2f"),
        row("  of which 104 weeks in one call (ms)", f["advance_ms"], ".1f"),
        row("  104 weeks alone against the floor (x)", f["advance_ratio"], ".2f"),
        row("baseline run in one call: Engine.advance() (ms)", p["whole_ms"], ".1f"),
        row("  week by week: Engine.advance(1) x 104 (ms)", p["weekly_ms"], ".1f"),
        row("  AdoptionModel.step() x 104 (ms)", p["mesa_step_ms"], ".1f"),
        row("  AdoptionModel.run() (ms)", p["mesa_run_ms"], ".1f"),
        check("  same results all four ways", p["same_results"]),
    ]
    c, st = r["sweep"]["cli"], r["sweep"]["store"]
    rows += [
        row(f"sweep of {c['runs']:,} runs, --workers 2, end to end (runs/s)",
            c["workers2_runs_per_s"], ".1f", TARGETS["sweep_runs_per_s"], below=False),
        row("  wall time, start-up included (s)", c["workers2_seconds"], ".1f"),
        row("  of which start-up and finish (s)", c["workers2_overhead_s"], ".1f"),
        row("  steady state (runs/s)", c["workers2_steady_runs_per_s"], ".1f",
            was_sweep="workers2_steady_runs_per_s"),
        row("  steady-state speed-up over --workers 1 (x)", c["speedup_workers2_steady"],
            ".2f", TARGETS["sweep_speedup"], below=False, was_sweep="speedup_workers2_steady"),
        row(f"store: bare Engine run, {st['runs']} runs (ms)", st["bare_run_ms"], ".1f"),
        row("  the same runs in a sweep, per run (ms)", st["sweep_run_ms"], ".1f",
            was_sweep="median_run_ms_sweep"),
        row("  store overhead per run (ms)", st["overhead_ms_per_run"], ".2f"),
        row("  store overhead, wall (%)", st["overhead_pct"], ".1f",
            TARGETS["store_overhead_pct"], was_sweep="store_overhead_pct"),
        row("  store overhead, CPU time (%)", st["overhead_cpu_pct"], ".1f",
            TARGETS["store_overhead_pct"], was_sweep="store_overhead_cpu_pct"),
        row("  writing the batch files, per run (ms)", st["write_ms_per_run"], ".2f",
            was_sweep="store_write_ms_per_run"),
    ]
    cl = r["cli"]
    rows += [
        row("adoptsim --help, cache warm (s)", cl["help_s"], ".2f", TARGETS["help_s"]),
        row("adoptsim run baseline to its first progress line (s)", cl["run_first_progress_s"],
            ".2f", TARGETS["first_progress_s"]),
        row("  to its exit (s)", cl["run_exit_s"], ".2f"),
        row("  import adoptsim.cli alone (s)", cl["import_cli_s"], ".2f"),
    ]
    pm, nd = r["plain_mesa"], r["ndlib"]
    rows += [
        row(f"plain Mesa step, {small:,}, mean of {pm['steps']} weeks (ms)",
            pm["plain_mesa_step_ms"], ".0f",
            was=f"plain Mesa step, {small:,}, mean of {pm['steps']} weeks (ms)"),
        row("AdoptionModel.step(), same weeks (ms)", pm["adoptsim_step_ms"], ".2f",
            was=f"adoptsim step, same weeks, {small:,} (ms)"),
        row("  speed-up over plain Mesa (x)", pm["speedup"], ".0f", TARGETS["mesa_speedup"],
            below=False, was="  speed-up over plain Mesa (x)"),
        row("  speed-up in CPU time (x)", pm["speedup_cpu"], ".0f", TARGETS["mesa_speedup"],
            below=False, was="  speed-up in CPU time (x)"),
        row("whole run in one call, per week (ms)", pm["whole_run_week_ms"], ".2f"),
        row("  speed-up over plain Mesa (x)", pm["speedup_whole_run"], ".0f",
            TARGETS["mesa_speedup"], below=False),
        row(f"ndlib ThresholdModel iteration, {small:,} (ms)", nd["ndlib_iteration_ms"], ".1f",
            was=f"ndlib ThresholdModel iteration, {small:,} (ms)"),
        row("adoptsim core step, threshold mode (ms)", nd["core_step_ms"], ".2f",
            was="adoptsim core step, threshold mode (ms)"),
        row("  speed-up, core (x)", nd["speedup_core"], ".0f", TARGETS["ndlib_speedup"],
            below=False, was="  speed-up, core (x)"),
        row("  speed-up, core, CPU time (x)", nd["speedup_core_cpu"], ".0f",
            TARGETS["ndlib_speedup"], below=False, was="  speed-up, core, CPU time (x)"),
        row("adoptsim classic watts_cascade round (ms)", nd["classic_round_ms"], ".4f",
            was="adoptsim classic watts_cascade round (ms)"),
        row("  speed-up, classic kernel (x)", nd["speedup_classic"], ".0f",
            TARGETS["ndlib_speedup"], below=False, was="  speed-up, classic kernel (x)"),
        check("  same final adopters", nd["same_final_adopters"]),
    ]
    g, fr, mem = r["generation"], r["full_run"], r["memory"]
    rows += [
        row(f"org network, {big:,} (s)", g["network_s"], ".2f",
            was=f"org network, {big:,} (s)"),
        row(f"run build (network + population), {big:,} (s)", g["build_s"], ".2f",
            TARGETS["generation_1e6_s"], was=f"model build (network + population), {big:,} (s)"),
        row("  peak memory of a build (MB)", g["build_peak_mb"], ".0f",
            was=f"  peak memory of a build, {big:,} (MB)"),
        row(f"104-week run end to end, fresh process, {big:,} (s)", fr["wall"], ".1f",
            TARGETS["run_1e6_s"], was=f"104-step run end to end, {big:,} (s)"),
        row("  of which imports (s)", fr["import_s"], ".2f"),
        row("  of which build (s)", fr["build_s"], ".2f"),
        row("  of which 104 weeks in one call (s)", fr["advance_s"], ".2f"),
        row("  peak memory of the run (MB)", fr["peak_mb"], ".0f", TARGETS["peak_1e6_mb"],
            was=f"  peak memory of the run, {big:,} (MB)"),
        row(f"arrays per employee, {mem['employees']:,} (bytes)", mem["bytes_per_employee"],
            ".0f", was="  arrays per employee (bytes)"),
        row("arrays per tie (bytes)", mem["bytes_per_tie"], ".0f",
            was="  arrays per tie (bytes)"),
        row("  of which copies of the network's arrays (bytes)",
            mem["duplicated_bytes_per_tie"], ".0f"),
    ]
    cs, nb, sc = r["cold_start"], r["neighbour"], r["scaling"]
    rows += [
        row("AdoptionModel to first step, cache warm (s)", cs["warm_s"], ".2f",
            TARGETS["cold_start_warm_s"], was="cold start to first step, cache warm (s)"),
        row("  of which import adoptsim.model.model (s)", cs["warm_import_s"], ".2f",
            was="  of which import adoptsim.model (s)"),
        row("  of which import mesa alone (s)", cs["import_mesa_s"], ".2f",
            was="  of which import mesa alone (s)"),
    ]
    if "cold_s" in cs:
        rows.append(row("AdoptionModel to first step, cache cold (s)", cs["cold_s"], ".1f",
                        was="cold start to first step, cache cold (s)"))
    rows += [
        row(f"neighbour pass, {big:,}, week {nb['at_step']} (ms)", nb["kernel_ms"], ".1f",
            was=f"neighbour pass, {big:,}, week {nb['at_step']} (ms)"),
        row("  random-gather bound (ms)", nb["bound_gather_ms"], ".1f",
            was="  random-gather bound (ms)"),
        row("  ratio to the bound (x)", nb["ratio_to_gather_bound"], ".2f",
            TARGETS["neighbour_ratio"], was="  ratio to the bound (x)"),
        row("  sequential-read bound (ms)", nb["bound_stream_ms"], ".1f",
            was="  sequential-read bound (ms)"),
        row("step time ~ employees^k, k", sc["loglog_slope"], ".2f",
            was="step time ~ employees^k, k"),
        row("step time ~ ties^k at fixed employees, k", sc["tie_loglog_slope"], ".2f",
            was="step time ~ ties^k at fixed employees, k"),
        row("neighbour pass ~ ties^k at fixed employees, k", sc["neighbour_tie_loglog_slope"],
            ".2f", was="neighbour pass ~ ties^k at fixed employees, k"),
    ]
    return rows


def render(rows: list[list[str]]) -> str:
    """The rows as a Markdown table (readable as plain text too)."""
    head = ["figure", "v1", "measured", "target", "met"]
    numeric = {1, 2}
    # (Markdown drops leading spaces: sub-rows are marked with a dot instead.)
    rows = [["· " + r[0][2:] if r[0].startswith("  ") else r[0], *r[1:]] for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(
            str(x).rjust(w) if i in numeric else str(x).ljust(w)
            for i, (x, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in numeric else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), rule, *(line(r) for r in rows)])


if __name__ == "__main__":
    main()
