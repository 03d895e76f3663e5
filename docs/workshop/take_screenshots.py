"""Retake the screenshots of docs/workshop/images/ (headless Debian Chromium).

Starts ``adoptsim workshop`` (baseline, 13 rounds of 8 weeks) on a free
127.0.0.1 port in a temporary folder, lets six teams play seven rounds with
different decisions (a grassroots channel in round 3, a leak in round 5),
and photographs the join page, a team's page, the facilitator's page and the
debrief; then the app's Compare page with its bands. Run from the project
folder: ``.venv/bin/python docs/workshop/take_screenshots.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from adoptsim.app import server  # noqa: E402 - after the source tree is on the path
from adoptsim.app.levers import AppSettings  # noqa: E402
from adoptsim.app.workshop.decisions import RESPONSES  # noqa: E402

IMAGES = Path(__file__).resolve().parent / "images"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Each team's play: joins in round (None: never), effort key, strategy, response.
PLAYS = {
    "Early birds": (1, "End", "followers", "join"),
    "Networkers": (1, None, "champions", "ignore"),
    "Listeners": (2, "Home", "random", "moderate"),
    "Wait and see": (4, None, "degree", "restrict"),
    "Gatekeepers": (1, None, "bridging", "shutdown"),
    "Lurkers": (None, None, "champions", "ignore"),
}


def start_workshop(folder: Path) -> tuple[subprocess.Popen, str]:
    output = folder / "workshop.out"
    port = server.free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(output, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "adoptsim.cli", "workshop",
                                    "baseline", "--port", str(port)], cwd=folder, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    while "Teams join at" not in output.read_text():
        if process.poll() is not None:
            raise RuntimeError(output.read_text())
        time.sleep(0.2)
    return process, output.read_text()


def choose(page, select: str, option: str) -> None:
    page.locator(f".{select}").click()
    page.locator(".menuable__content__active").get_by_role("option", name=option,
                                                           exact=True).click()
    page.wait_for_timeout(300)


def main() -> None:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="adoptsim-screenshots-"))
    process, printed = start_workshop(folder)
    facilitator_url = re.search(r"Facilitator \(keep this address to yourself\): (\S+)",
                                printed)[1]
    code = re.search(r"room code (\S+)", printed)[1]
    base = facilitator_url.split("/facilitator/")[0]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

            def page(url: str, height: int = 1000):
                context = browser.new_context(viewport={"width": 1400, "height": height})
                context.set_default_timeout(120_000)
                p = context.new_page()
                p.goto(url)
                return p

            facilitator = page(facilitator_url, 1300)
            facilitator.locator(".run-round").wait_for()
            teams = {}
            for name in PLAYS:
                team = page(base + "/")
                team.locator(".room-code input").fill(code)
                team.locator(".team-name input").fill(name)
                if name == "Early birds":
                    team.screenshot(path=IMAGES / "workshop_join.png")
                team.locator(".join-button").click()
                team.locator(".team-title").wait_for()
                teams[name] = team
            for r in range(1, 8):
                if r == 3:
                    facilitator.locator(".fire-grassroots").click()
                if r == 5:
                    facilitator.locator(".fire-leak").click()
                for name, (joins, effort, strategy, response) in PLAYS.items():
                    team = teams[name]
                    if r == 3:
                        team.locator(".event-grassroots").wait_for()
                        choose(team, "decision-response", RESPONSES[response])
                    if joins == r:
                        team.locator(".decision-join").get_by_text("Join the channel now").click()
                    if r == 1:
                        if effort:
                            handle = team.locator(".decision-effort [role=slider]")
                            handle.focus()
                            handle.press(effort)
                        choose(team, "select-strategy", strategy)
                    team.locator(".submit-button").click()
                    team.locator(".submit-message").wait_for()
                if r == 3:
                    teams["Early birds"].screenshot(path=IMAGES / "workshop_team.png",
                                                    full_page=True)
                facilitator.locator(".run-round").click()
                facilitator.locator(".round-status").get_by_text(f"Round {r + 1} of").wait_for()
            facilitator.wait_for_timeout(1500)
            facilitator.screenshot(path=IMAGES / "workshop_facilitator.png", full_page=True)
            facilitator.locator(".results-view").get_by_role("button", name="Debrief").click()
            facilitator.locator(".debrief").wait_for()
            # The layout scrolls inside the page: a viewport as tall as the text shows it all.
            height = facilitator.locator(".debrief").bounding_box()["height"]
            facilitator.set_viewport_size({"width": 1400, "height": int(height) + 900})
            facilitator.wait_for_timeout(500)
            facilitator.locator(".debrief").screenshot(path=IMAGES / "workshop_debrief.png")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    compare_screenshot()


def compare_screenshot() -> None:
    """The app's Compare page: baseline against a late manager, as bands."""
    from playwright.sync_api import sync_playwright

    port = server.free_port()
    app = server.start(AppSettings(), port=port, cwd=ROOT)
    try:
        server.wait_until_ready(f"http://127.0.0.1:{port}/", app)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1150})
            context.set_default_timeout(180_000)
            p = context.new_page()
            p.goto(f"http://127.0.0.1:{port}/compare")
            choose(p, "preset-b", "join_late")
            p.locator(".compare-button").click()
            p.locator(".compare-table").wait_for()
            p.wait_for_timeout(1000)
            p.screenshot(path=IMAGES / "compare_bands.png", full_page=True)
            browser.close()
    finally:
        server.stop(app)


if __name__ == "__main__":
    main()
