"""The app in a real browser: headless Chromium against a live server (see conftest)."""

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from adoptsim.model.metrics import COLUMNS

from .conftest import EMPLOYEES

pytestmark = pytest.mark.browser


def week(app) -> int:
    return int(re.match(r"Week (\d+) of", app.counter()).group(1))


def test_every_page_loads_offline_without_errors(open_app, app_server):
    app = open_app()
    app.goto("/")
    assert app.counter() == "Week 0 of 104"
    expect(app.page.locator(".chart-network img")).to_be_visible()
    assert f"{EMPLOYEES} employees" in app.page.locator(".run-info").inner_text()
    app.page.locator(".nav-compare").click()
    app.page.locator(".compare-button").wait_for()
    app.page.wait_for_load_state("networkidle")
    app.page.locator(".nav-about").click()
    for heading in ("What is it?", "How it works", "How to use it", "Things to notice",
                    "Things to try", "Extending the model"):
        expect(app.page.get_by_role("heading", name=heading)).to_be_visible()
    app.page.wait_for_load_state("networkidle")
    app.page.get_by_role("button", name="The model in detail (docs/odd.md)").click()
    app.page.locator(".docs-page h1").first.wait_for()
    app.page.wait_for_load_state("networkidle")
    app.page.locator(".nav-explore").click()
    app.page.locator(".step-counter").wait_for()
    app.assert_clean()
    # The server must not have fetched front-end files from a CDN on the page's behalf.
    assert "Could not load URL" not in app_server.log.read_text()


def test_step_advances_the_counter_and_redraws_the_charts(open_app):
    app = open_app()
    app.goto("/")
    before = {chart: app.src(chart) for chart in ("network", "channel", "trust", "benefit")}
    app.page.locator(".step-button").click()
    app.page.get_by_text("Week 1 of 104").wait_for()
    app.page.locator(".step-button").click()
    app.page.get_by_text("Week 2 of 104").wait_for()
    after = {chart: app.src(chart) for chart in before}
    assert all(after[c] != before[c] for c in before), "every chart shows a new frame"
    app.assert_clean()


def test_play_runs_and_pause_stops(open_app):
    app = open_app()
    app.goto("/")
    app.page.locator(".play-button").click()
    app.page.get_by_text(re.compile(r"Week [3-9] of 104")).wait_for()
    app.page.locator(".play-button").click()  # now labelled Pause
    app.page.get_by_role("button", name="Play").wait_for()
    paused = week(app)
    app.page.wait_for_timeout(1000)
    assert week(app) == paused
    app.assert_clean()


def test_slider_change_and_reset_rebuild_the_model(open_app):
    app = open_app()
    app.goto("/")
    info = app.page.locator(".run-info")
    assert "comms joins in week 0," in info.inner_text()
    slider = app.page.locator(".lever-comms-join-step [role=slider]")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    app.page.get_by_text("Comms manager joins in week: 5").wait_for()
    app.page.locator(".pending-note").wait_for()
    assert "comms joins in week 0," in info.inner_text()  # not applied before Reset
    app.page.locator(".step-button").click()
    app.page.get_by_text("Week 1 of 104").wait_for()
    app.page.locator(".reset-button").click()
    app.page.get_by_text("Week 0 of 104").wait_for()
    assert "comms joins in week 5," in info.inner_text()
    app.page.locator(".pending-note").wait_for(state="detached")  # the re-render may lag
    app.assert_clean()


def test_a_preset_loads(open_app):
    app = open_app()
    app.goto("/")
    app.page.locator(".step-button").click()
    app.page.get_by_text("Week 1 of 104").wait_for()
    app.choose("preset-select", "late_test")
    app.page.get_by_text("Running late_test:").wait_for()
    assert app.counter() == "Week 0 of 104"
    assert "comms joins in week 30," in app.page.locator(".run-info").inner_text()
    app.page.get_by_text("Comms manager joins in week: 30").wait_for()
    app.page.get_by_text("Test preset: the comms manager joins in week 30.").wait_for()
    app.assert_clean()


def test_compare_runs_both_scenarios_over_replications_as_bands(open_app, tmp_path):
    app = open_app()
    app.goto("/")
    app.page.locator(".nav-compare").click()
    app.choose("preset-b", "late_test")
    app.page.locator(".compare-button").click()
    table = app.page.locator(".compare-table")
    table.wait_for(timeout=120_000)
    text = table.inner_text()
    assert "A: baseline" in text and "B: late_test" in text
    assert "After 104 weeks, 20 replications" in text
    assert "B − A [95% interval]" in text and "A: median [90% band]" in text
    member = next(line for line in text.splitlines() if line.startswith("members (adoption)"))
    assert re.fullmatch(r"members \(adoption\)\t[\d.]+% \[[\d.]+%, [\d.]+%\]\t"
                        r"[\d.]+% \[[\d.]+%, [\d.]+%\]\t[+-][\d.]+ pts \[[+-][\d.]+, "
                        r"[+-][\d.]+\]", member), member
    expect(app.page.locator(".compare-chart img")).to_be_visible()
    with app.page.expect_download() as download:
        app.page.get_by_role("button", name="Every replication (CSV)").click()
    path = tmp_path / "compare.csv"
    download.value.save_as(path)
    runs = pd.read_csv(path)
    assert runs.groupby("run")["replication"].nunique().to_dict() == {"A": 20, "B": 20}
    assert (runs[runs.run == "A"].seed.unique() == runs[runs.run == "B"].seed.unique()).all()
    app.assert_clean()


def test_two_browser_sessions_keep_separate_models(open_app):
    first, second = open_app(), open_app()
    first.goto("/")
    second.goto("/")
    for n in (1, 2, 3):
        first.page.locator(".step-button").click()
        first.page.get_by_text(f"Week {n} of 104").wait_for()
    second.page.wait_for_timeout(500)
    assert second.counter() == "Week 0 of 104"
    second.page.locator(".step-button").click()
    second.page.get_by_text("Week 1 of 104").wait_for()
    assert first.counter() == "Week 3 of 104"
    first.assert_clean()
    second.assert_clean()


def test_downloads_time_series_csv_and_chart_png(open_app, tmp_path):
    app = open_app()
    app.goto("/")
    for n in (1, 2):
        app.page.locator(".step-button").click()
        app.page.get_by_text(f"Week {n} of 104").wait_for()
    with app.page.expect_download() as download:
        app.page.get_by_role("button", name="Time series (CSV)").click()
    assert download.value.suggested_filename == "adoptsim_baseline_seed42_timeseries.csv"
    path = tmp_path / "ts.csv"
    download.value.save_as(path)
    ts = pd.read_csv(path)
    assert list(ts.columns) == COLUMNS
    assert ts["step"].tolist() == [0, 1, 2]
    with app.page.expect_download() as download:
        app.page.get_by_role("button", name="Network (PNG)").click()
    png = tmp_path / "net.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png.read_bytes()) > 20_000
    app.assert_clean()
