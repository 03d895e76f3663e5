"""``make bench``: measure the model's speed and memory, print one table, and
merge the figures into ``benchmarks/results.json`` under the key ``"model"``
(other keys, such as ``"sweep"`` and ``"app"``, are kept).

Also draws docs/images/step_time.png (step time against employees and ties).
The measurements are in :mod:`measure`; docs/performance.md explains them.

Usage::

    PYTHONPATH=src python benchmarks/run.py [--quick] [--no-cold]

``--quick`` measures at sizes ten times smaller (a smoke test of the
harness, not the figures); ``--no-cold`` skips compiling every kernel from an
empty cache (a minute or two on a busy two-core machine).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure as M

#: The performance targets on a two-core machine (docs/performance.md).
TARGETS = {
    "mesa_speedup": 200, "ndlib_speedup": 100, "step_1e6_ms": 100, "generation_1e6_s": 2.0,
    "run_1e6_s": 15.0, "peak_1e6_mb": 1024, "cold_start_warm_s": 1.5, "neighbour_ratio": 2.5,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes / 10 (smoke test)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache compile")
    args = parser.parse_args()
    big = 100_000 if args.quick else 1_000_000
    small = 1_000 if args.quick else 10_000

    out: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                 "machine": M.machine(), "load_start": M.load()}
    say = lambda what: print(f"... {what} (load {M.load()})", flush=True)  # noqa: E731
    say("model steps")
    out["steps"] = [M.step_summary(n, 30 if n < big else 15)
                    for n in (small, 10 * small, big)]
    say("plain Mesa")
    out["plain_mesa"] = M.plain_mesa(small, steps=20 if args.quick else 104)
    say("ndlib")
    out["ndlib"] = M.ndlib_threshold(small)
    say("generation")
    out["generation"] = M.generation(big)
    out["memory"] = M.array_bytes(10 * small)
    say("104-step run")
    out["full_run"] = M.full_run(big)
    say("cold start")
    out["cold_start"] = M.cold_start(cold=not args.no_cold)
    say("neighbour pass")
    out["neighbour"] = M.neighbour_bound(big, at_step=20 if args.quick else 52)
    say("scaling")
    sizes = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
    out["scaling"] = M.scaling(sizes[:5] if args.quick else sizes,
                               ties_at=10_000 if args.quick else 100_000)
    out["load_end"] = M.load()
    if not args.quick:
        M.plot_scaling(out["scaling"], M.ROOT / "docs" / "images" / "step_time.png")
    out["table"] = table(out, big, small)
    if not args.quick:  # a smoke test leaves the recorded figures alone
        M.merge_results("model", out)
    print()
    print(render(out["table"]))
    print(f"\nload average: {out['load_start']} at the start, {out['load_end']} at the end "
          f"({out['machine']['cores']} cores)"
          + ("" if args.quick else f"; written to {M.RESULTS.relative_to(M.ROOT)}"))


def table(r: dict, big: int, small: int) -> list[list[str]]:
    """Rows: figure, measured, target, met."""
    def row(name: str, value: float, fmt: str, target: float | None = None,
            below: bool = True) -> list[str]:
        met = "" if target is None else ("yes" if (value <= target) == below else "NO")
        tgt = "" if target is None else (("≤ " if below else "≥ ") + format(target, "g"))
        return [name, format(value, fmt), tgt, met]

    steps = {s["employees"]: s for s in r["steps"]}
    g, f, c, nb = r["generation"], r["full_run"], r["cold_start"], r["neighbour"]
    pm, nd, mem = r["plain_mesa"], r["ndlib"], r["memory"]
    rows = []
    for n, s in steps.items():
        rows.append(row(f"step, {n:,} employees (ms)", s["step_ms"], ".2f",
                        TARGETS["step_1e6_ms"] if n == big else None))
        rows.append(row(f"  per agent-step, {n:,} (ns)", s["ns_per_agent_step"], ".0f"))
    rows += [
        row(f"plain Mesa step, {small:,}, mean of {pm['steps']} weeks (ms)",
            pm["plain_mesa_step_ms"], ".0f"),
        row(f"adoptsim step, same weeks, {small:,} (ms)", pm["adoptsim_step_ms"], ".2f"),
        row("  speed-up over plain Mesa (x)", pm["speedup"], ".0f", TARGETS["mesa_speedup"],
            below=False),
        row("  speed-up in CPU time (x)", pm["speedup_cpu"], ".0f", TARGETS["mesa_speedup"],
            below=False),
        row(f"ndlib ThresholdModel iteration, {small:,} (ms)", nd["ndlib_iteration_ms"], ".1f"),
        row("adoptsim core step, threshold mode (ms)", nd["core_step_ms"], ".2f"),
        row("  speed-up, core (x)", nd["speedup_core"], ".0f", TARGETS["ndlib_speedup"],
            below=False),
        row("  speed-up, core, CPU time (x)", nd["speedup_core_cpu"], ".0f",
            TARGETS["ndlib_speedup"], below=False),
        row("adoptsim classic watts_cascade round (ms)", nd["classic_round_ms"], ".4f"),
        row("  speed-up, classic kernel (x)", nd["speedup_classic"], ".0f",
            TARGETS["ndlib_speedup"], below=False),
        ["  same final adopters", str(nd["same_final_adopters"]), "True",
         "yes" if nd["same_final_adopters"] else "NO"],
        row(f"org network, {big:,} (s)", g["network_s"], ".2f"),
        row(f"model build (network + population), {big:,} (s)", g["build_s"], ".2f",
            TARGETS["generation_1e6_s"]),
        row(f"  peak memory of a build, {big:,} (MB)", g["build_peak_mb"], ".0f"),
        row(f"104-step run end to end, {big:,} (s)", f["run_s"], ".1f", TARGETS["run_1e6_s"]),
        row(f"  peak memory of the run, {big:,} (MB)", f["peak_mb"], ".0f",
            TARGETS["peak_1e6_mb"]),
        row("  arrays per employee (bytes)", mem["bytes_per_employee"], ".0f"),
        row("  arrays per tie (bytes)", mem["bytes_per_tie"], ".0f"),
    ]
    rows += [
        row("cold start to first step, cache warm (s)", c["warm_s"], ".2f",
            TARGETS["cold_start_warm_s"]),
        row("  of which import adoptsim.model (s)", c["warm_import_s"], ".2f"),
        row("  of which import mesa alone (s)", c["import_mesa_s"], ".2f"),
    ]
    if "cold_s" in c:
        rows.append(row("cold start to first step, cache cold (s)", c["cold_s"], ".1f"))
    rows += [
        row(f"neighbour pass, {big:,}, week {nb['at_step']} (ms)", nb["kernel_ms"], ".1f"),
        row("  random-gather bound (ms)", nb["bound_gather_ms"], ".1f"),
        row("  ratio to the bound (x)", nb["ratio_to_gather_bound"], ".2f",
            TARGETS["neighbour_ratio"]),
        row("  sequential-read bound (ms)", nb["bound_stream_ms"], ".1f"),
        row("step time ~ employees^k, k", r["scaling"]["loglog_slope"], ".2f"),
        row("step time ~ ties^k at fixed employees, k", r["scaling"]["tie_loglog_slope"],
            ".2f"),
        row("neighbour pass ~ ties^k at fixed employees, k",
            r["scaling"]["neighbour_tie_loglog_slope"], ".2f"),
    ]
    return rows


def render(rows: list[list[str]]) -> str:
    """The rows as a Markdown table (readable as plain text too)."""
    head = ["figure", "measured", "target", "met"]
    # (Markdown drops leading spaces: sub-rows are marked with a dot instead.)
    rows = [["· " + r[0][2:] if r[0].startswith("  ") else r[0], *r[1:]] for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(4)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(
            str(x).rjust(w) if i == 1 else str(x).ljust(w)
            for i, (x, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i == 1 else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), rule, *(line(r) for r in rows)])


if __name__ == "__main__":
    main()
