"""Exporting a sweep's results as CSV files for spreadsheets, R or pandas.

Examples
--------
>>> export_csv("results/join_timing")  # doctest: +SKIP
[PosixPath('results/join_timing/csv/design.csv'), ...]

A folder that holds no sweep is refused before anything is written:

>>> import tempfile
>>> export_table(tempfile.mkdtemp())
Traceback (most recent call last):
...
adoptsim.errors.InputError: ... is not a sweep's results folder (no manifest.json).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write, writable_file, writable_folder
from .results import load_results


def _write_csv(path: Path, frames: Iterable[pd.DataFrame], columns: list[str]) -> int:
    """Write data frames one after another as one CSV file (atomically); return the rows."""
    rows = 0

    def write(staging: Path) -> None:
        nonlocal rows
        with open(staging, "w", newline="", encoding="utf-8") as handle:
            header = True
            for frame in frames:
                frame.to_csv(handle, header=header, index=False)
                header, rows = False, rows + len(frame)
            if header:  # no rows: the header alone
                pd.DataFrame(columns=columns).to_csv(handle, index=False)

    atomic_write(path, write)
    return rows


def export_csv(out: str | Path, folder: str | Path | None = None) -> list[Path]:
    """Write ``design.csv``, ``summary.csv`` and ``timeseries.csv`` for spreadsheets.

    Parameters
    ----------
    out
        A sweep's results folder.
    folder
        Where to write them (created if needed); default ``OUT/csv``.

    Returns
    -------
    list of Path
        The three files.
    """
    results = load_results(out)
    folder = writable_folder(Path(out) / "csv" if folder is None else folder, "the CSV folder")
    files = [folder / f"{name}.csv" for name in ("design", "summary", "timeseries")]
    for path, frame in zip(files[:2], (results.design, results.summary), strict=True):
        atomic_write(path, lambda p, f=frame: f.to_csv(p, index=False))
    # Run by run, so a large sweep's time series never has to fit in memory.
    frames = (table.to_pandas() for _, table in results.run_tables())
    _write_csv(files[2], frames, ["run_id", "step"])
    return files


def export_table(out: str | Path, path: str | Path | None = None) -> tuple[Path, int]:
    """Write one BehaviorSpace-style CSV: the design on every time-series row.

    Columns: ``run_id``, ``point``, ``replication``, ``seed``, one column per
    design parameter, ``step`` and the metrics; one row per run and step.

    Parameters
    ----------
    out
        A sweep's results folder.
    path
        The CSV file; default ``OUT/csv/table.csv``.

    Returns
    -------
    (Path, int)
        The file and its number of rows.
    """
    results = load_results(out)
    target = writable_file(Path(out) / "csv" / "table.csv" if path is None else path,
                           "the table file")
    design = results.design.set_index("run_id", drop=False)
    lead = list(design.columns)

    def frames() -> Iterator[pd.DataFrame]:
        for rid, table in results.run_tables():
            series = table.drop_columns(["run_id"]).to_pandas()
            row = design.loc[rid]
            values = pd.DataFrame({c: [row[c]] * len(series) for c in lead})
            yield pd.concat([values.astype(design.dtypes.to_dict()), series], axis=1)

    rows = _write_csv(target, frames(), [*lead, "step"])
    return target, rows
