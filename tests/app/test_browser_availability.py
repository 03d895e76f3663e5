"""What the browser tests do without a usable Chromium (see conftest).

Each case runs pytest on the browser tests in a subprocess with
``ADOPTSIM_CHROMIUM`` pointing at a missing or a broken Chromium, and
``tools/ensure-chromium`` is run as `make test` runs it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HINT = "install Debian's chromium (`sudo apt-get install chromium`) to run them"


def environment(**variables: str) -> dict[str, str]:
    """This environment without the caller's Chromium settings, plus ``variables``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("ADOPTSIM_CHROMIUM", "ADOPTSIM_CHROMIUM_MISSING")}
    return {**env, **variables}


def browser_tests(*args: str, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/app/test_browser.py", *args],
        cwd=ROOT, env=environment(**variables), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("missing", "reason"), [
    ({}, "no Chromium at /nonexistent/chromium"),
    ({"ADOPTSIM_CHROMIUM_MISSING": "installing it needs root"}, "installing it needs root"),
])
def test_without_chromium_the_browser_tests_are_skipped_and_reported(missing, reason):
    result = browser_tests(ADOPTSIM_CHROMIUM="/nonexistent/chromium", **missing)
    assert result.returncode == 0, result.stdout + result.stderr
    note = f"browser tests NOT run: {reason}; {HINT}"
    lines = result.stdout.splitlines()
    assert lines[0].startswith(note), "reported before the tests run"
    counts = lines[-1]
    assert "skipped" in counts and "passed" not in counts and "failed" not in counts
    assert lines[-2].startswith(note), "reported again just above the final counts"
    skipped = int(counts.split(" skipped")[0].split()[-1])
    assert lines[-2].endswith(f"({skipped} skipped)")


def test_a_chromium_that_does_not_start_fails_the_browser_tests(tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open shared object file' >&2\nexit 127\n")
    broken.chmod(0o755)
    result = browser_tests("-k", "downloads", ADOPTSIM_CHROMIUM=str(broken))
    assert result.returncode == 1
    assert f"Chromium at {broken} is installed but failed to launch" in result.stdout
    assert "cannot open shared object file" in result.stdout
    assert "NOT run" not in result.stdout


def ensure_chromium(chromium: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([ROOT / "tools" / "ensure-chromium"], env=environment(
        ADOPTSIM_CHROMIUM=str(chromium)), capture_output=True, text=True, timeout=60)


def test_ensure_chromium_is_silent_when_chromium_is_there(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    result = ensure_chromium(chromium)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_ensure_chromium_says_why_it_is_missing_and_never_fails():
    result = ensure_chromium("/nonexistent/chromium")
    assert result.returncode == 0
    assert result.stdout == "ADOPTSIM_CHROMIUM=/nonexistent/chromium does not exist\n"
