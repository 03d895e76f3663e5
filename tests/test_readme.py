"""The README's sample output of `make run` is what `make run` prints.

The sample table is parsed from the README and compared with a real run of the
same command, so a model change cannot leave the README showing stale numbers.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TITLE = re.compile(r"^(\S+): ([\d,]+) employees, (\d+) weeks, seed (\d+)$")
NUMBER = re.compile(r"^-?[\d,]+(?:\.(\d+))?%?$")


def parse_output(text: str) -> dict:
    """The title, rows (outcome, value, meaning) and caption words of a run summary."""
    lines = text.splitlines()
    title = next(TITLE.match(line.strip()) for line in lines if TITLE.match(line.strip()))
    rows = [tuple(cell.strip() for cell in line.split("│")[1:-1])
            for line in lines if line.startswith("│")]
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    caption = []
    for line in lines[bottom + 1:]:
        if line.startswith("Ran in"):
            break
        caption.append(line)
    return {"title": title.groups(), "rows": rows, "caption": " ".join(caption).split()}


def readme_sample() -> tuple[str, str]:
    """The README's paragraph introducing the sample output of `make run`, and the sample."""
    readme = (ROOT / "README.md").read_text()
    mention = readme.index("`make run` prints")
    fence = readme.index("```\n", mention) + 4
    return readme[readme.rfind("\n\n", 0, mention):fence], readme[fence:readme.index("```", fence)]


def matches(shown: str, real: str) -> bool:
    """Equal, or numbers equal to within one unit of the last digit shown (rounding)."""
    shown_number, real_number = NUMBER.match(shown), NUMBER.match(real)
    if shown_number is None or real_number is None or shown.endswith("%") != real.endswith("%"):
        return shown == real
    decimals = len(shown_number.group(1) or "")
    unit = 10.0 ** -decimals if decimals else 0.0
    value = float(shown.rstrip("%").replace(",", ""))
    return abs(value - float(real.rstrip("%").replace(",", ""))) <= unit * 1.0001


def test_readme_sample_output_matches_a_real_make_run(tmp_path):
    intro, sample = readme_sample()
    shown = parse_output(sample)
    # Exactly `make run`'s command: no --seed, so the run uses the scenario's default seed.
    env = {**os.environ, "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-m", "adoptsim.cli", "run", "scenarios/baseline.toml",
         "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    real = parse_output(result.stdout)

    assert shown["title"] == real["title"]
    seed = real["title"][3]
    assert f"seed {seed}" in intro and "default" in intro, (
        f"the README must say the sample comes from seed {seed}, the default")
    assert [row[0] for row in shown["rows"]] == [row[0] for row in real["rows"]], (
        "the README's sample table must list the outcomes `make run` prints")
    for (outcome, value, meaning), (_, real_value, real_meaning) in zip(
            shown["rows"], real["rows"], strict=True):
        assert matches(value, real_value), f"README {outcome}: {value}, a real run: {real_value}"
        assert meaning == real_meaning
    assert shown["caption"] == real["caption"]


def test_matches_allows_rounding_only():
    assert matches("84.3%", "84.3%") and matches("84.3%", "84.4%")
    assert not matches("84.3%", "84.5%")
    assert not matches("84.3%", "0.843")
    assert matches("0.634", "0.635") and not matches("0.634", "0.636")
    assert matches("56", "56") and not matches("56", "57")
    assert matches("n/a", "n/a") and not matches("n/a", "0.0%")
