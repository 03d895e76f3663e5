"""Finding the shipped scenarios (``scenarios/*.toml``) by name."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import InputError


def scenario_dir() -> Path | None:
    """The shipped scenarios: ``./scenarios`` or the source tree's ``scenarios/``."""
    for candidate in (Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios"):
        if (candidate / "baseline.toml").is_file():
            return candidate
    return None


def list_scenarios() -> list[tuple[str, Path, str]]:
    """(name, path, description) of every shipped scenario, sorted by name."""
    folder = scenario_dir()
    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("*.toml")):
        try:
            desc = tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            desc = "(unreadable)"
        out.append((path.stem, path, str(desc).strip().splitlines()[0] if desc else ""))
    return out


def find_scenario(name: str) -> Path:
    """A scenario path: an existing file, or the name of a shipped scenario."""
    path = Path(name)
    if path.is_file():
        return path
    folder = scenario_dir()
    if folder is not None and "/" not in name and (folder / f"{path.stem}.toml").is_file():
        return folder / f"{path.stem}.toml"
    known = ", ".join(n for n, _, _ in list_scenarios()) or "none found"
    raise InputError(
        f"Scenario file {name} does not exist. Give a path to a TOML file or the name of a "
        f"shipped scenario ({known})."
    )
