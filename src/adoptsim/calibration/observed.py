"""An organisation's observed data, read and checked: weekly aggregates or who joined when.

The form is told from the header (docs/calibration.md, "Observed data"):

aggregate
    ``week`` and any of ``aware``, ``member``, ``active``, ``underground``
    (shares of employees, 0-1) and ``posts`` (posts on the channel that
    week, a count). One row per observed week; an empty cell is a week in
    which that series was not observed.
individual
    ``id`` and ``joined``: the week each person first joined, empty if they
    had not joined by the end of the run (``run.steps``). A ``department``
    column (a node table with a ``joined`` column) is allowed and ignored.

Weeks are the model's: week 0 is the state before the first simulated week,
week ``w`` the state after ``w`` weeks. Every problem with the file is an
:class:`~adoptsim.errors.InputError` naming the file, the line and what is
allowed.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "weekly.csv"
>>> _ = path.write_text("week,member,posts\\n0,0.02,3\\n4,0.10,\\n8,0.25,40\\n")
>>> data = read_observed(path, steps=10)
>>> data.form, data.weeks.tolist(), data.values["posts"].tolist()
('aggregate', [0, 4, 8], [3.0, nan, 40.0])
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, reject_nul
from ..memory import format_bytes, require_memory

__all__ = [
    "AGGREGATE_SERIES",
    "AggregateData",
    "IndividualData",
    "Observed",
    "read_observed",
]

#: Aggregate columns and the model's time-series column each is compared with.
AGGREGATE_SERIES = {
    "aware": "aware",
    "member": "member",
    "active": "active",
    "underground": "underground",
    "posts": "posts_c",
}
#: Aggregate columns that are shares of employees (0-1); ``posts`` is a count.
SHARES = ("aware", "member", "active", "underground")
#: Columns of the individual form; ``department`` is read past.
INDIVIDUAL_COLUMNS = ("id", "joined")
IGNORED_INDIVIDUAL = ("department",)
#: Fewest observed weeks an aggregate file may have.
MIN_WEEKS = 2
#: Rows shown when a message lists offending ids.
LISTED = 5
#: A CSV file takes about this many times its size in memory as Python rows.
CSV_MEMORY_FACTOR = 20


@dataclass(frozen=True)
class AggregateData:
    """Weekly observed series.

    Attributes
    ----------
    path : Path
        The file read.
    weeks : numpy.ndarray
        int64, sorted, distinct observed weeks.
    values : dict of str to numpy.ndarray
        Per column (``member``, ``posts``, ...): float64 values aligned with
        ``weeks``, NaN where the week was not observed.
    """

    path: Path
    weeks: np.ndarray
    values: dict[str, np.ndarray]
    form = "aggregate"

    def describe(self) -> str:
        """One line for the terminal, e.g. ``aggregate: member, posts over 9 weeks (0-52)``."""
        return (f"aggregate: {', '.join(self.values)} over {len(self.weeks)} weeks "
                f"({self.weeks[0]}-{self.weeks[-1]})")


@dataclass(frozen=True)
class IndividualData:
    """Who joined when.

    Attributes
    ----------
    path : Path
        The file read.
    ids : tuple of str
        The people, in file order.
    joined : numpy.ndarray
        int64 week each person first joined, ``-1`` if not by the end.
    """

    path: Path
    ids: tuple[str, ...]
    joined: np.ndarray
    form = "individual"

    def describe(self) -> str:
        """One line for the terminal, e.g. ``individual: 540 of 692 people joined``."""
        return f"individual: {int((self.joined >= 0).sum()):,} of {len(self.ids):,} people joined"

    def by_node(self, labels: np.ndarray | None, what: str) -> np.ndarray:
        """The join week of every node of a network with node ids ``labels`` (-1: never).

        Parameters
        ----------
        labels
            The network's node ids (``Network.labels``), None for a generated network.
        what
            How messages name the scenario.

        Raises
        ------
        InputError
            If the network has no node ids (it is not an edge list), if ids of
            the file are not in it, or if nodes of it are missing from the file.
        """
        if labels is None:
            raise InputError(
                f"{self.path} gives who joined when (id,joined), which needs a network with "
                f"node ids: {what} generates its organisation. Set organisation.generator = "
                f"'edgelist' with the edge list the ids come from, or observe weekly shares "
                f"(week,member,...)."
            )
        index = {str(label): i for i, label in enumerate(labels)}
        unknown = [i for i in self.ids if i not in index]
        if unknown:
            raise InputError(
                f"{self.path}: {len(unknown):,} id(s) are not nodes of the network of {what} "
                f"({_listing(unknown)}); ids must be the node ids of its edge list "
                f"(organisation.edges)."
            )
        out = np.full(len(labels), -2, np.int64)
        out[[index[i] for i in self.ids]] = self.joined
        missing = np.flatnonzero(out == -2)
        if len(missing):
            raise InputError(
                f"{self.path} has no row for {len(missing):,} of the {len(labels):,} people in "
                f"the network of {what} ({_listing([str(labels[i]) for i in missing])}); give "
                f"every node a row, with an empty joined for those who did not join."
            )
        return out


Observed = AggregateData | IndividualData


def _listing(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:LISTED])
    return shown + (f" and {len(ids) - LISTED:,} more" if len(ids) > LISTED else "")


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of each non-blank line of a CSV file, the header first."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True)
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, [c.strip() for c in cells]
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as UTF-8 CSV.") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not valid CSV ({exc}).") from None


def read_observed(path: str | Path, steps: int) -> Observed:
    """Read an observed-data file in either form, checked against a run of ``steps`` weeks.

    Parameters
    ----------
    path
        A CSV file with a header line.
    steps
        The run's weeks (``run.steps``): no observed week may lie beyond it.

    Returns
    -------
    AggregateData or IndividualData
        By the header: ``id,joined`` is individual, ``week,...`` aggregate.

    Raises
    ------
    InputError
        For a missing, unreadable or oversized file, an unknown or repeated
        column, a value that is not a number, a share outside 0-1, a week
        that is negative, not whole or beyond the run, a repeated week or
        id, or too few rows.
    """
    path = Path(reject_nul(path, "--observed"))
    if not path.exists():
        raise InputError(f"--observed {path} does not exist.")
    if not path.is_file():
        raise InputError(f"--observed {path} is not a file; give a CSV file.")
    size = path.stat().st_size
    require_memory(size * CSV_MEMORY_FACTOR, f"Reading --observed {path} ({format_bytes(size)})",
                   "Give a smaller file.")
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(
            f"{path} is empty; expected a header line: week plus any of "
            f"{', '.join(AGGREGATE_SERIES)} (weekly data), or id,joined (who joined when)."
        )
    _, header = first
    names = [h.lower() for h in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{path}: the column {', '.join(repeated)} appears twice in the header.")
    if "id" in names or "joined" in names:
        return _individual(path, names, rows, steps)
    if "week" in names:
        return _aggregate(path, names, rows, steps)
    raise InputError(
        f"{path} has neither a week column (weekly data: week plus any of "
        f"{', '.join(AGGREGATE_SERIES)}) nor id and joined columns (who joined when); its "
        f"columns: {', '.join(header) or 'none'}."
    )


def _cells(path: Path, line: int, cells: list[str], width: int) -> list[str]:
    if len(cells) > width:
        raise InputError(
            f"{path}, line {line}: {len(cells)} cells but the header has {width} columns."
        )
    return cells + [""] * (width - len(cells))


def _week(path: Path, line: int, text: str, steps: int, column: str) -> int:
    """A week number: a whole number from 0 to ``steps``."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value):
        raise InputError(
            f"{path}, line {line}: {column} {text!r} is not a week number; give a whole number "
            f"from 0 to {steps} (run.steps)."
        )
    week = int(value)
    if week < 0:
        raise InputError(f"{path}, line {line}: {column} {week} is negative; weeks start at 0.")
    if week > steps:
        raise InputError(
            f"{path}, line {line}: {column} {week} is beyond the run, which simulates weeks 0 to "
            f"{steps}; set run.steps to at least {week} in the scenario."
        )
    return week


def _aggregate(path: Path, names: list[str], rows: Iterator[tuple[int, list[str]]],
               steps: int) -> AggregateData:
    unknown = [n for n in names if n != "week" and n not in AGGREGATE_SERIES]
    if unknown:
        raise InputError(
            f"{path}: unknown column {', '.join(repr(n) for n in unknown)}; weekly data has week "
            f"and any of {', '.join(AGGREGATE_SERIES)} (shares 0-1, posts a count)."
        )
    series = [n for n in names if n != "week"]
    if not series:
        raise InputError(
            f"{path} has a week column but no observed series; add any of "
            f"{', '.join(AGGREGATE_SERIES)}."
        )
    col = {n: i for i, n in enumerate(names)}
    weeks: dict[int, int] = {}
    values: dict[str, list[float]] = {s: [] for s in series}
    for line, raw in rows:
        cells = _cells(path, line, raw, len(names))
        week = _week(path, line, cells[col["week"]], steps, "week")
        if week in weeks:
            raise InputError(f"{path}, line {line}: week {week} appears again (first on line "
                             f"{weeks[week]}); give one row per week.")
        weeks[week] = line
        for name in series:
            values[name].append(_value(path, line, name, cells[col[name]]))
    order = np.argsort(list(weeks))
    table = {s: np.asarray(v, np.float64)[order] for s, v in values.items()}
    observed = [s for s, v in table.items() if np.isfinite(v).any()]
    empty = [s for s in series if s not in observed]
    if empty:
        raise InputError(f"{path}: the column {', '.join(empty)} has no value; fill it in or "
                         f"leave the column out.")
    if len(weeks) < MIN_WEEKS:
        raise InputError(
            f"{path} has {len(weeks)} observed week(s); calibration needs at least {MIN_WEEKS} "
            f"(one row per week)."
        )
    return AggregateData(path, np.asarray(list(weeks), np.int64)[order], table)


def _value(path: Path, line: int, name: str, text: str) -> float:
    """A share (0-1) or a post count; NaN for an empty cell."""
    if text == "":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{path}, line {line}: {name} {text!r} is not a number.")
    if name in SHARES and not 0.0 <= value <= 1.0:
        hint = " (a percentage? divide by 100)" if 1.0 < value <= 100.0 else ""
        raise InputError(
            f"{path}, line {line}: {name} {text} is not a share between 0 and 1{hint}."
        )
    if name not in SHARES and value < 0:
        raise InputError(f"{path}, line {line}: {name} {text} is negative; posts are a count.")
    return value


def _individual(path: Path, names: list[str], rows: Iterator[tuple[int, list[str]]],
                steps: int) -> IndividualData:
    missing = [c for c in INDIVIDUAL_COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"{path} has no {' or '.join(missing)} column; who-joined-when data has the columns "
            f"id,joined (joined: the week of joining, empty if not joined)."
        )
    unknown = [n for n in names if n not in INDIVIDUAL_COLUMNS + IGNORED_INDIVIDUAL]
    if unknown:
        raise InputError(
            f"{path}: unknown column {', '.join(repr(n) for n in unknown)}; who-joined-when data "
            f"has the columns id,joined (and optionally department, which is ignored)."
        )
    col = {n: i for i, n in enumerate(names)}
    seen: dict[str, int] = {}
    joined: list[int] = []
    for line, raw in rows:
        cells = _cells(path, line, raw, len(names))
        person = cells[col["id"]]
        if not person:
            raise InputError(f"{path}, line {line}: the id is empty.")
        if person in seen:
            raise InputError(f"{path}, line {line}: id {person!r} appears again (first on line "
                             f"{seen[person]}); give one row per person.")
        seen[person] = line
        text = cells[col["joined"]]
        joined.append(-1 if text == "" else _week(path, line, text, steps, "joined"))
    weeks = np.asarray(joined, np.int64)
    if len(weeks) < 2:
        raise InputError(f"{path} has {len(weeks)} person(s); calibration needs a row for every "
                         f"person in the network.")
    if not (weeks > 0).any():
        raise InputError(
            f"{path}: nobody joined after week 0, so there is no adoption to fit; check the "
            f"joined column (weeks 1 to {steps}, empty for people who did not join)."
        )
    return IndividualData(path, tuple(seen), weeks)
