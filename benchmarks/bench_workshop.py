"""Load test of ``adoptsim workshop``: many teams in a real browser, on loopback.

Starts ``adoptsim workshop`` through the real command on a free 127.0.0.1
port (in a temporary folder: the saved game goes there), opens the
facilitator's page and one headless Chromium context per team, and plays a
few rounds:

- **join**: every team joins with the room code and a name, one after the
  other, until its page shows;
- **submit**: every team changes a decision and submits, until its page
  confirms (the server checks and records it);
- **round**: from the facilitator's click on "Run round" until every page
  (every team's and the facilitator's) shows the next round and every team's
  page shows its organisation at the round's last week (its world has run
  and its figure is drawn); also the CPU seconds the server process spent
  in that time (the browsers run on the same machine and take the rest).

It is bounded: a fixed number of rounds, and a deadline (``--deadline``)
after which it stops whatever it is doing; the server always stops with it.
Prints the figures (and writes them as JSON with ``--json``). Not part of
the test suite. Run with ``python benchmarks/bench_workshop.py`` (needs
/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adoptsim.app import server  # noqa: E402 - after the source tree is on the path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 120_000


class OutOfTime(Exception):
    """The benchmark's deadline passed."""


def start(folder: Path, args: list[str]) -> tuple[subprocess.Popen, str]:
    """``adoptsim workshop ARGS`` in ``folder``; returns the process and what it printed."""
    output = folder / "workshop.out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(output, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "adoptsim.cli", "workshop", *args],
                                   cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    while "Teams join at" not in output.read_text():
        if process.poll() is not None:
            raise RuntimeError(f"adoptsim workshop did not start:\n{output.read_text()}")
        time.sleep(0.2)
    return process, output.read_text()


def server_cpu(process: subprocess.Popen) -> float:
    """CPU seconds used so far by the command and its server (user + system)."""
    import psutil

    total = 0.0
    parent = psutil.Process(process.pid)
    for p in (parent, *parent.children(recursive=True)):
        times = p.cpu_times()
        total += times.user + times.system
    return total


def new_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    return page


def play(args: argparse.Namespace) -> dict:
    """Run the load test; return its figures."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="adoptsim-bench-workshop-"))
    port = server.free_port()
    process, printed = start(folder, [args.scenario, "--port", str(port), "--rounds",
                                      str(args.rounds), "--weeks-per-round",
                                      str(args.weeks_per_round), "--max-teams",
                                      str(args.teams)])
    base = f"http://127.0.0.1:{port}"
    facilitator_url = re.search(r"Facilitator \(keep this address to yourself\): (\S+)",
                                printed)[1]
    code = re.search(r"room code (\S+)", printed)[1]
    figures: dict = {"teams": args.teams, "rounds": args.rounds,
                     "weeks_per_round": args.weeks_per_round, "scenario": args.scenario}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            facilitator = new_page(browser, facilitator_url)
            facilitator.locator(".run-round").wait_for()
            started = time.perf_counter()
            teams = []
            for k in range(args.teams):
                page = new_page(browser, base + "/")
                page.locator(".room-code input").fill(code)
                page.locator(".team-name input").fill(f"Team {k + 1:02d}")
                page.locator(".join-button").click()
                page.locator(".team-title").wait_for()
                teams.append(page)
            figures["join_all_seconds"] = time.perf_counter() - started
            submits, rounds, cpus = [], [], []
            for r in range(1, args.rounds + 1):
                for k, page in enumerate(teams):
                    if r == 1 and k % 2 == 0:  # half the room joins at once
                        page.locator(".decision-join").get_by_text("Join the channel now").click()
                    began = time.perf_counter()
                    page.locator(".submit-button").click()
                    page.locator(".submit-message").get_by_text(
                        f"Submitted for round {r}").wait_for()
                    submits.append(time.perf_counter() - began)
                last_week = r * args.weeks_per_round
                nxt = (f"Round {r + 1} of" if r < args.rounds else "The game is over")
                cpu = server_cpu(process)
                began = time.perf_counter()
                facilitator.locator(".run-round").click()
                for page in [*teams, facilitator]:
                    page.locator(".round-status").get_by_text(nxt).wait_for()
                for page in teams:
                    page.get_by_text(f"Your organisation in week {last_week}").wait_for()
                rounds.append(time.perf_counter() - began)
                cpus.append(server_cpu(process) - cpu)
                print(f"round {r}: {rounds[-1]:.2f} s for {args.teams} teams (server CPU "
                      f"{cpus[-1]:.2f} s)", flush=True)
            figures.update(
                submit_median_seconds=statistics.median(submits),
                submit_max_seconds=max(submits),
                round_seconds=rounds, round_max_seconds=max(rounds), round_server_cpu=cpus,
            )
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--weeks-per-round", type=int, default=8)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--deadline", type=int, default=900,
                        help="seconds after which the benchmark stops (default 900)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    def out_of_time(*_: object) -> None:
        raise OutOfTime(f"stopped after the --deadline of {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.deadline)
    try:
        figures = play(args)
    except OutOfTime as exc:
        sys.exit(f"bench_workshop: {exc}")
    finally:
        signal.alarm(0)
    figures["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    print(f"{figures['teams']} teams joined in {figures['join_all_seconds']:.1f} s; "
          f"a submission took {figures['submit_median_seconds']:.2f} s (median), "
          f"{figures['submit_max_seconds']:.2f} s at most; a round of "
          f"{figures['weeks_per_round']} weeks took "
          + ", ".join(f"{s:.2f}" for s in figures["round_seconds"])
          + f" s (at most {figures['round_max_seconds']:.2f} s).")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
