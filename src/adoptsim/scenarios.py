"""Finding the shipped scenarios (``scenarios/*.toml``) by name.

The shipped scenarios live in the repository's top-level ``scenarios/``
folder. They are looked up first as package data, ``adoptsim/scenarios/``
next to this module (where pyproject's package-data puts them in a built
package), then in the source tree's top-level folder (a checkout or an
editable install). Names given on the command line are looked up in
``./scenarios`` first, so a project folder can hold its own scenarios.

Examples
--------
>>> shipped_scenario("baseline").name
'baseline.toml'
>>> "baseline" in [name for name, _, _ in list_scenarios(shipped_only=True)]
True
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import InputError


def _has_baseline(folder: Path) -> bool:
    return (folder / "baseline.toml").is_file()


def shipped_dir() -> Path | None:
    """The scenarios that come with adoptsim, wherever the current directory is.

    The package data folder ``adoptsim/scenarios`` of an installed package,
    else the source tree's top-level ``scenarios/``; ``None`` if neither holds
    ``baseline.toml``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "scenarios", here.parents[1] / "scenarios"):
        if _has_baseline(candidate):
            return candidate
    return None


def scenario_dir() -> Path | None:
    """Where scenario names are looked up: ``./scenarios`` if it holds ``baseline.toml``,
    else :func:`shipped_dir`."""
    local = Path.cwd() / "scenarios"
    return local if _has_baseline(local) else shipped_dir()


def shipped_scenario(name: str) -> Path | None:
    """The shipped scenario called ``name`` (``"baseline"`` or ``"baseline.toml"``), or None.

    Only a bare name counts: anything with a folder in it is a path.
    """
    folder = shipped_dir()
    path = Path(name)
    if folder is None or "/" in name or "\\" in name or path.suffix not in ("", ".toml"):
        return None
    candidate = folder / f"{path.stem}.toml"
    return candidate if candidate.is_file() else None


def list_scenarios(shipped_only: bool = False) -> list[tuple[str, Path, str]]:
    """(name, path, description) of every scenario in :func:`scenario_dir` (or, with
    ``shipped_only``, :func:`shipped_dir`), sorted by name."""
    folder = shipped_dir() if shipped_only else scenario_dir()
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
