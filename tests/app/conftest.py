"""Browser-test set-up: the app server on a free local port, Debian's Chromium.

The server runs as a subprocess from a temporary working directory holding
two presets (a copy of the baseline and a test preset), so the tests do not
depend on which scenarios ship and also check that the app works from any
directory. Every preset is cut to 400 employees (``--set``) to keep steps fast.

Without Chromium (``ADOPTSIM_CHROMIUM``, default ``/usr/bin/chromium``) the
browser tests are skipped, and the run says so at its start and again at its
end, with the reason (``ADOPTSIM_CHROMIUM_MISSING``, set by ``make test`` from
``tools/ensure-chromium``, says why it could not be installed). A Chromium
that exists but fails to launch fails the tests.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adoptsim.app import server
from adoptsim.app.levers import AppSettings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ADOPTSIM_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
EMPLOYEES = 400
TEST_PRESET = """\
extends = "baseline.toml"
description = "Test preset: the comms manager joins in week 30."

[comms]
join_step = 30
"""


NOT_RUN = pytest.StashKey[str]()


def chromium_missing() -> str | None:
    """Why there is no Chromium to drive, or None if there is one."""
    if CHROMIUM.exists():
        return None
    return os.environ.get("ADOPTSIM_CHROMIUM_MISSING") or f"no Chromium at {CHROMIUM}"


@pytest.hookimpl(trylast=True)  # after -k/-m deselection, so only selected tests count
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests when there is no Chromium, and say so before they run."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    reason = chromium_missing()
    if not browser_tests or reason is None:
        return
    note = (f"browser tests NOT run: {reason}; install Debian's chromium "
            "(`sudo apt-get install chromium`) to run them")
    config.stash[NOT_RUN] = f"{note} ({len(browser_tests)} skipped)"
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=note))
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(config.stash[NOT_RUN], yellow=True, bold=True)


# Outermost wrapper, so the note comes after pytest's own summary, just above the counts.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> Iterator[None]:
    """Repeat at the end of the run that the browser tests did not run, and why."""
    yield
    if NOT_RUN in config.stash:
        terminalreporter.write_sep("!", "browser tests NOT run", yellow=True, bold=True)
        terminalreporter.write_line(config.stash[NOT_RUN], yellow=True, bold=True)


@dataclass(frozen=True)
class Server:
    """A running app server: its address and the file its output goes to."""

    url: str
    log: Path


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running app server (stopped when the session ends)."""
    work = tmp_path_factory.mktemp("app")
    (work / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "baseline.toml", work / "scenarios")
    (work / "scenarios" / "late_test.toml").write_text(TEST_PRESET)
    port = server.free_port()
    log = work / "server.log"
    settings = AppSettings(overrides={"organisation.employees": EMPLOYEES})
    process = server.start(settings, port=port, log=log, cwd=work)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            server.wait_until_ready(url + "/", process)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\nserver output:\n{log.read_text()}")
        yield Server(url, log)
    finally:
        server.stop(process)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; never a browser Playwright downloads.

    A missing Chromium skips the browser tests before this runs; one that is
    there but does not start fails them.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            message = f"Chromium at {CHROMIUM} is installed but failed to launch:\n{exc}"
            raise pytest.fail.Exception(message, pytrace=False) from None
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class AppPage:
    """A page of the app with what went wrong in it recorded."""

    page: object
    origin: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.origin + path)
        if path == "/":
            self.page.locator(".step-counter").wait_for()

    def choose(self, select: str, option: str) -> None:
        """Pick ``option`` in the drop-down with class ``select``.

        Clicked again if the menu did not open: a click that lands while the
        previous menu is still closing is swallowed by its overlay.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for _ in range(3):
            self.page.locator(f".{select}").click()
            item = self.page.locator(".menuable__content__active").get_by_role(
            "option", name=option, exact=True)
            try:
                item.wait_for(timeout=5000)
            except PlaywrightTimeout:
                self.page.keyboard.press("Escape")
                continue
            item.click()
            return
        raise AssertionError(f"the menu of .{select} did not offer {option!r}")

    def counter(self) -> str:
        return self.page.locator(".step-counter").inner_text()

    def src(self, chart: str) -> str:
        return self.page.locator(f".chart-{chart} img").get_attribute("src")

    def assert_clean(self) -> None:
        """No console errors, no request that left the app's own address, no traceback."""
        assert self.errors == []
        assert self.outside == []
        assert self.page.get_by_text("Traceback").count() == 0


def open_page(browser, origin_url: str, contexts: list) -> AppPage:
    """A page in a fresh browser context (a new browser) that records what goes wrong.

    Every request that leaves ``origin_url``'s address is refused and
    recorded, as are console errors; every websocket frame the page receives
    is kept (``frames``) for tests that check what a page was sent.
    """
    origin = urlsplit(origin_url)

    def local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or parts.netloc == origin.netloc

    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    context.set_default_timeout(60_000)
    contexts.append(context)
    app = AppPage(context.new_page(), origin_url)

    def route(r):
        if local(r.request.url):
            r.continue_()
        else:  # record and refuse: the page must not need the internet
            app.outside.append(r.request.url)
            r.abort()

    def websocket(ws):
        if not local(ws.url.replace("ws", "http", 1)):
            app.outside.append(ws.url)
        ws.on("framereceived", lambda payload: app.frames.append(
            payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    context.route("**/*", route)
    app.page.on("websocket", websocket)
    app.page.on("console", lambda m: app.errors.append(m.text) if m.type == "error" else None)
    app.page.on("pageerror", lambda e: app.errors.append(str(e)))
    return app


@pytest.fixture
def open_app(browser, app_server: Server) -> Iterator[Callable[[], AppPage]]:
    """Open the app in a fresh browser context (a new session) per call."""
    contexts: list = []
    yield lambda: open_page(browser, app_server.url, contexts)
    for context in contexts:
        context.close()


@dataclass(frozen=True)
class Workshop:
    """A running ``adoptsim workshop``: its addresses, code, saved game and process."""

    base: str
    facilitator: str
    token: str
    code: str
    saved: Path
    process: subprocess.Popen
    output: Path


def start_workshop(folder: Path, port: int, *args: str) -> Workshop:
    """Start ``adoptsim workshop ARGS --port PORT`` in ``folder`` through the real command.

    Its output goes to a file (a pipe nobody reads would block the server);
    returns once it printed both addresses.
    """
    import re
    import time

    output = folder / f"workshop-{port}-{time.monotonic_ns()}.out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(output, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "adoptsim.cli", "workshop", *args, "--port", str(port)],
            cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while "Teams join at" not in output.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"adoptsim workshop did not start:\n{output.read_text()}")
        time.sleep(0.2)
    text = output.read_text()
    facilitator = re.search(r"Facilitator \(keep this address to yourself\): (\S+)", text)[1]
    return Workshop(
        base=f"http://127.0.0.1:{port}", facilitator=facilitator,
        token=facilitator.rsplit("/", 1)[1], code=re.search(r"room code (\S+)", text)[1],
        saved=Path(re.search(r"The game is saved to (\S+) after", text)[1]),
        process=process, output=output)


def stop_workshop(workshop: Workshop) -> None:
    """Stop the command (it stops its server)."""
    if workshop.process.poll() is None:
        workshop.process.terminate()
        workshop.process.wait(timeout=30)


SMALL_ORGANISATION = """\
extends = "{baseline}"
description = "Workshop test: 300 employees."

[organisation]
employees = 300
"""


@pytest.fixture
def workshop_folder(tmp_path: Path) -> Path:
    """A folder with a small scenario (``small.toml``) to start workshops in."""
    baseline = ROOT / "scenarios" / "baseline.toml"
    (tmp_path / "small.toml").write_text(SMALL_ORGANISATION.format(baseline=baseline))
    return tmp_path
