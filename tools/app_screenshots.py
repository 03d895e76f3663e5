"""Take the app screenshots in docs/images/ with Playwright and Debian's Chromium.

Usage: ``python tools/app_screenshots.py`` (from anywhere; needs /usr/bin/chromium).
Starts the app on a free local port with the shipped scenarios, drives each
page to an instructive state and saves ``docs/images/app_*.png``.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adoptsim.app import server  # noqa: E402 - after the source tree is on the path
from adoptsim.app.levers import AppSettings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = ROOT / "docs" / "images"


def choose(page, select_class: str, option: str) -> None:
    """Pick an option; click again if a closing menu swallowed the first click."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        page.locator(f".{select_class}").click()
        item = page.locator(".menuable__content__active").get_by_role(
            "option", name=option, exact=True)
        try:
            item.wait_for(timeout=5000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        item.click()
        return
    raise RuntimeError(f"the menu of .{select_class} did not offer {option!r}")


def play_until(page, week: int) -> None:
    page.locator(".play-button").click()
    page.wait_for_function(
        "w => parseInt(document.querySelector('.step-counter').innerText.split(' ')[1]) >= w",
        arg=week, timeout=300_000,
    )
    page.locator(".play-button").click()
    page.get_by_role("button", name="Play").wait_for()
    page.evaluate("document.activeElement.blur()")  # a focused button looks disabled
    page.wait_for_timeout(800)  # let the click's ripple fade


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = server.free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="screenshots_")) / "server.log"
    process = server.start(AppSettings(), port=port, log=log, cwd=ROOT)
    try:
        server.wait_until_ready(url + "/", process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1480})
            page.set_default_timeout(120_000)
            page.goto(url + "/")
            page.locator(".step-counter").wait_for()

            choose(page, "preset-select", "restricted")
            page.get_by_text("Running restricted:").wait_for()
            play_until(page, 78)
            page.screenshot(path=OUT / "app_explore.png", full_page=True)

            choose(page, "preset-select", "large_enterprise")
            page.get_by_text(re.compile("Running large_enterprise:")).wait_for()
            play_until(page, 40)
            page.locator(".chart-network").screenshot(path=OUT / "app_network_sample.png")

            page.locator(".nav-compare").click()
            choose(page, "preset-a", "join_early")
            choose(page, "preset-b", "join_late")
            page.locator(".compare-button").click()
            page.locator(".compare-table").wait_for(timeout=300_000)
            page.screenshot(path=OUT / "app_compare.png", full_page=True)

            page.locator(".nav-about").click()
            page.get_by_role("heading", name="Things to notice").wait_for()
            page.screenshot(path=OUT / "app_about.png")
            browser.close()
    finally:
        server.stop(process)
    for name in ("explore", "network_sample", "compare", "about"):
        print(OUT / f"app_{name}.png")


if __name__ == "__main__":
    main()
