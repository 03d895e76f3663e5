"""Reading a sweep's results: the design, the summaries and the time series.

Examples
--------
>>> res = load_results("results/join_timing")  # doctest: +SKIP
>>> res.summary.groupby("comms.join_step")["final_member"].mean()  # doctest: +SKIP

A folder that holds no sweep is refused with one clear error:

>>> import tempfile
>>> load_results(tempfile.mkdtemp())
Traceback (most recent call last):
...
adoptsim.errors.InputError: ... is not a sweep's results folder (no manifest.json).
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError
from .store import (
    UNREADABLE,
    Store,
    UnreadableRun,
    read_manifest,
    summary_frame,
    unreadable_reason,
)


class CorruptRunWarning(UserWarning):
    """Run files that cannot be read were left out of loaded results."""



class Results:
    """A sweep's results, loaded lazily from its store.

    Run files that cannot be read (truncated or damaged) are left out with a
    :class:`CorruptRunWarning` naming them, and listed in ``unreadable``;
    loading never changes the store. Running the same ``adoptsim sweep``
    command again moves them to ``corrupt/`` and runs them again.

    Attributes
    ----------
    manifest : dict
        ``manifest.json``.
    design : pandas.DataFrame
        One row per run (finished or not).
    summary : pandas.DataFrame
        One row per finished run: design columns, ``final_*`` values, ``t50``,
        ``never_posted_share``, ``top1_post_share``, ``gini_posts``, ...
    timeseries : pandas.DataFrame
        Tidy: ``run_id``, ``step`` and the metric columns, finished runs in
        design order.
    unreadable : dict
        Path of each run file left out -> why it could not be read.
    """

    def __init__(self, root: str | Path) -> None:
        self.store = Store(root)
        if not self.store.manifest_path.exists():
            raise InputError(f"{self.store.root} is not a sweep's results folder (no "
                             f"{self.store.manifest_path.name}).")
        self.manifest: dict[str, Any] = read_manifest(self.store.root)
        self.unreadable: dict[Path, str] = {}

    @functools.cached_property
    def design(self) -> pd.DataFrame:
        path = self.store.design_path
        try:
            return pd.read_parquet(path)
        except UNREADABLE as exc:
            raise InputError(
                f"{path} cannot be read ({unreadable_reason(exc)}). Run the same adoptsim sweep "
                f"command again: it rewrites the design from the experiment file."
            ) from None

    def _finished_ids(self) -> list[str]:
        done = self.store.finished()
        return [rid for rid in self.design["run_id"]
                if rid in done and self.store.run_path(rid) not in self.unreadable]

    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        summaries, skipped = {}, {}
        for rid in self._finished_ids():
            try:
                summaries[rid] = self.store.read_summary(rid)
            except UnreadableRun as exc:
                skipped[exc.path] = exc.reason
        self._skip(skipped, resume_repairs=True)
        return summary_frame(self.design, summaries)

    def run_tables(self) -> Iterator[tuple[str, pa.Table]]:
        """Each readable finished run's table (``run_id``, ``step``, metrics), in design order.

        Files that cannot be read are skipped with a :class:`CorruptRunWarning`.
        """
        skipped = {}
        for rid in self._finished_ids():
            path = self.store.run_path(rid)
            try:
                table = pq.read_table(path)
            except UNREADABLE as exc:
                skipped[path] = unreadable_reason(exc)
                continue
            yield rid, table
        self._skip(skipped, resume_repairs=False)

    @functools.cached_property
    def timeseries(self) -> pd.DataFrame:
        tables = [table for _, table in self.run_tables()]
        if not tables:
            return pd.DataFrame(columns=["run_id", "step"])
        return pa.concat_tables(tables).to_pandas()

    def _skip(self, skipped: dict[Path, str], resume_repairs: bool) -> None:
        """Remember and warn about run files left out."""
        if not skipped:
            return
        self.unreadable.update(skipped)
        listed = "; ".join(f"{path} ({why})" for path, why in list(skipped.items())[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        corrupt = self.store.corrupt_dir
        # A damaged footer is found by the sweep's resume; a damaged page only here.
        fix = (f"Run the same adoptsim sweep command again: it moves them to {corrupt}/ and "
               f"runs them again." if resume_repairs else
               f"Move them to {corrupt}/ and run the same adoptsim sweep command again to "
               f"run them again.")
        # Point the warning at the caller's line, not at adoptsim's or functools' frames.
        warnings.warn(f"{len(skipped)} run file(s) cannot be read and are left out of these "
                      f"results: {listed}{more}. {fix}", CorruptRunWarning,
                      skip_file_prefixes=(os.path.dirname(__file__),
                                          os.path.dirname(functools.__file__)))


def load_results(out: str | Path) -> Results:
    """Load a sweep's results folder.

    Parameters
    ----------
    out
        The folder given to ``adoptsim sweep --out``.

    Returns
    -------
    Results
        With ``.manifest`` (dict) and ``.design``, ``.summary``,
        ``.timeseries`` (pandas DataFrames, read on first use).

    Raises
    ------
    InputError
        If ``out`` is no sweep's folder, or its ``manifest.json`` or
        ``design.parquet`` is damaged (the message says how to repair it).

    Warns
    -----
    CorruptRunWarning
        When run files cannot be read: they are left out (like unfinished
        runs) and named in the warning and in ``Results.unreadable``. The
        store is not changed; running the same ``adoptsim sweep`` command
        again sets them aside in ``corrupt/`` and runs them again.

    Examples
    --------
    >>> res = load_results("results/join_timing")  # doctest: +SKIP
    >>> res.summary.groupby("comms.join_step")["final_member"].mean()  # doctest: +SKIP
    """
    return Results(out)

