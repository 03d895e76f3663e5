"""Responsiveness of the Solara app in a real browser (headless Debian Chromium).

Measures, against a server started here on a free local port:

- **first page load**: a fresh browser context opens the Explore page, until
  the step counter and the network view are visible (the first load after the
  server starts, then the median of further loads);
- **step**: at 2,000 employees (the baseline), from the click on Step until
  the counter shows the next week and the network view shows a new frame;
- **concurrent sessions**: 20 browser contexts (20 sessions) click Step at
  the same time, for several rounds; every counter must advance.

Targets: first load < 5 s, step < 0.3 s, no failure with 20 sessions.
Prints the figures and merges them into ``benchmarks/results.json`` under
``"app"``. Run with ``python benchmarks/bench_app.py`` (needs /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adoptsim.app import server  # noqa: E402 - after the source tree is on the path
from adoptsim.app.levers import AppSettings  # noqa: E402
from adoptsim.config import load_config  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 120_000


def week(page) -> int:
    return int(page.locator(".step-counter").inner_text().split()[1])


def open_explore(browser, url: str):
    """A new session on the Explore page; returns (context, page, seconds to render)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.locator(".step-counter").wait_for()
    page.locator(".chart-network img").wait_for()
    return context, page, time.perf_counter() - started


def time_steps(page, count: int) -> list[float]:
    """Seconds from each Step click until the counter and the network view have changed."""
    times = []
    for _ in range(count):
        before_week = week(page)
        before_src = page.locator(".chart-network img").get_attribute("src")
        started = time.perf_counter()
        page.locator(".step-button").click()
        page.wait_for_function(
            """([w, src]) => {
                const c = document.querySelector('.step-counter');
                const img = document.querySelector('.chart-network img');
                return c && img && c.innerText.startsWith(`Week ${w + 1} `) && img.src !== src;
            }""",
            arg=[before_week, before_src], polling="raf",
        )
        times.append(time.perf_counter() - started)
    return times


def concurrent_rounds(browser, url: str, sessions: int, rounds: int) -> dict:
    """``sessions`` contexts click Step together, ``rounds`` times; count failures."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    opened = [open_explore(browser, url) for _ in range(sessions)]
    failures, round_times = 0, []
    try:
        for r in range(1, rounds + 1):
            started = time.perf_counter()
            for _, page, _ in opened:
                page.locator(".step-button").click()
            for _, page, _ in opened:
                try:
                    page.get_by_text(f"Week {r} of").wait_for()
                except PlaywrightTimeout:
                    failures += 1
            round_times.append(time.perf_counter() - started)
        at_end = sum(week(page) == rounds for _, page, _ in opened)
    finally:
        for context, _, _ in opened:
            context.close()
    return {"sessions": sessions, "rounds": rounds, "failures": failures,
            "sessions_at_final_week": at_end,
            "round_seconds": [round(t, 2) for t in round_times]}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--loads", type=int, default=5, help="page loads to time (default 5)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--rounds", type=int, default=5, help="concurrent step rounds")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench_app_"))
    port = server.free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    process = server.start(AppSettings(), port=port, log=work / "server.log", cwd=ROOT)
    try:
        server.wait_until_ready(url, process)
        ready = time.perf_counter() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            loads = []
            for _ in range(args.loads):
                context, page, seconds = open_explore(browser, url)
                loads.append(seconds)
                context.close()
            context, page, _ = open_explore(browser, url)
            steps = time_steps(page, args.steps)
            context.close()
            crowd = concurrent_rounds(browser, url, args.sessions, args.rounds)
            browser.close()
    finally:
        server.stop(process)

    steps_sorted = sorted(steps)
    result = {
        "server_ready_seconds": round(ready, 2),
        "first_load_seconds": round(loads[0], 3),
        "load_seconds_median": round(statistics.median(loads), 3),
        "load_seconds_max": round(max(loads), 3),
        "step_employees": load_config(ROOT / "scenarios" / "baseline.toml").organisation.employees,
        "step_seconds_median": round(statistics.median(steps), 3),
        "step_seconds_p90": round(steps_sorted[int(0.9 * (len(steps) - 1))], 3),
        "step_seconds_max": round(max(steps), 3),
        "concurrent": crowd,
        "targets": {"first_load_seconds": 5.0, "step_seconds": 0.3, "concurrent_failures": 0},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        # The browser runs on the same machine; other work on it slows both.
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "date": time.strftime("%Y-%m-%d"),
    }
    result["met"] = bool(loads[0] < 5.0 and result["step_seconds_median"] < 0.3
                         and crowd["failures"] == 0
                         and crowd["sessions_at_final_week"] == args.sessions)
    print(json.dumps(result, indent=2))

    out = ROOT / "benchmarks" / "results.json"
    data = json.loads(out.read_text()) if out.exists() else {}
    data["app"] = result
    out.write_text(json.dumps(data, indent=2) + "\n")
    print(f"merged into {out}")


if __name__ == "__main__":
    main()
