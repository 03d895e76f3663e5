"""Reading a sweep's results: the design, the summaries and the time series.

:func:`load_results` shows a whole sweep, from the experiment file to its
summary; an ablation's results also give its attribution table
(:attr:`Results.ablation`).

Examples
--------
A folder that holds no sweep is refused with one clear error:

>>> import tempfile
>>> load_results(tempfile.mkdtemp())
Traceback (most recent call last):
...
adoptsim.errors.InputError: ... is not a sweep's results folder (no manifest.json).
"""

from __future__ import annotations

import functools
import itertools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError
from .analysis import ablation_table
from .store import UNREADABLE, Store, read_manifest, summary_frame, unreadable_reason


class CorruptRunWarning(UserWarning):
    """Run files that cannot be read were left out of loaded results."""



class Results:
    """A sweep's results, loaded lazily from its store.

    Batch files that cannot be read (truncated or damaged) are left out with
    a :class:`CorruptRunWarning` naming them, and listed in ``unreadable``;
    loading never changes the store. Running the same ``adoptsim sweep``
    command again moves them to ``corrupt/`` and runs their runs again.

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
        Path of each batch file left out -> why it could not be read.
    ablation : pandas.DataFrame
        An ablation's attribution table (only for ``design.kind = "ablation"``).
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

    @functools.cached_property
    def _scan(self) -> tuple[dict[str, Path], dict[str, dict[str, Any]]]:
        """Where each finished run is and its summary (unreadable files left out)."""
        where, summaries, unreadable = self.store.scan()
        self._skip(unreadable, resume_repairs=True)
        return where, summaries

    def _finished_ids(self) -> list[str]:
        """The finished runs in readable batch files, in design order."""
        where = self._scan[0]
        return [rid for rid in self.design["run_id"]
                if rid in where and where[rid] not in self.unreadable]

    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        summaries = self._scan[1]
        return summary_frame(self.design, {rid: summaries[rid] for rid in self._finished_ids()})

    @functools.cached_property
    def ablation(self) -> pd.DataFrame:
        """An ablation's effects and shares (:func:`.analysis.ablation_table`).

        The effect of the ``[contrast]`` (alternative minus reference, paired
        by replication) on each headline outcome, with every mechanism on
        (``mechanism`` = ``"none"``) and with each one off, and the share of
        the all-on effect that each mechanism carries.

        Raises
        ------
        InputError
            If the store holds another kind of design.
        """
        return ablation_table(self.summary, *self.contrast)

    @functools.cached_property
    def contrast(self) -> tuple[str, Any, Any]:
        """An ablation's contrast: the key, its reference and its alternative value.

        Raises
        ------
        InputError
            If the store holds another kind of design.
        """
        design = self.manifest["design"]
        if design["kind"] != "ablation":
            raise InputError(
                f"{self.store.root} holds a {design['kind']} design, not an ablation: the "
                f"attribution table needs an experiment with design.kind = 'ablation' and a "
                f"[contrast] (docs/sweeps.md)."
            )
        key = design["parameters"][0]
        # Points alternate reference, alternative (all on first, then each mechanism off).
        values = self.design.drop_duplicates("point").sort_values("point")[key]
        return key, values.iloc[0], values.iloc[1]

    def run_tables(self) -> Iterator[tuple[str, pa.Table]]:
        """Each readable finished run's table (``run_id``, ``step``, metrics), in design order.

        Batch files that cannot be read are skipped with a :class:`CorruptRunWarning`.
        """
        where = self._scan[0]
        ids = self._finished_ids()
        # Each batch file is read once, when its first run comes up.
        slices: dict[Path, dict[str, pa.Table]] = {}
        skipped: dict[Path, str] = {}
        for rid in ids:
            path = where[rid]
            if path in skipped:
                continue
            if path not in slices:
                try:
                    slices[path] = _by_run(pq.read_table(path))
                except UNREADABLE as exc:
                    skipped[path] = unreadable_reason(exc)
                    continue
            yield rid, slices[path][rid]
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


def _by_run(table: pa.Table) -> dict[str, pa.Table]:
    """A batch's table split into its runs (zero-copy slices; a run's rows are contiguous)."""
    ids = table.column("run_id").to_numpy(zero_copy_only=False)
    starts = [0, *(i for i in range(1, len(ids)) if ids[i] != ids[i - 1]), len(ids)]
    return {ids[a]: table.slice(a, b - a) for a, b in itertools.pairwise(starts)}


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
    A tiny sweep (2 points of 50 employees over 5 weeks) run in this process:

    >>> import pathlib, tempfile
    >>> from adoptsim.sweeps.executors import open_executor
    >>> from adoptsim.sweeps.experiment import load_experiment
    >>> from adoptsim.sweeps.run import run_sweep
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "base.toml").write_text("[run]\\nsteps = 5\\n"
    ...                                       "[organisation]\\nemployees = 50\\n")
    >>> _ = (folder / "exp.toml").write_text('''
    ... scenario = "base.toml"
    ... replications = 1
    ... seed = 1
    ... [parameters]
    ... "comms.join_step" = [0, 3]
    ... ''')
    >>> exp, store = load_experiment(folder / "exp.toml"), Store(folder / "out")
    >>> store.initialise(exp)
    False
    >>> with open_executor(workers=1) as (executor, in_flight, _):
    ...     _ = run_sweep(exp, store, executor, in_flight)
    >>> res = load_results(folder / "out")
    >>> res.manifest["design"]["kind"], len(res.design), len(res.timeseries)
    ('grid', 2, 12)
    >>> res.summary[["point", "comms.join_step", "replication", "steps"]]
       point  comms.join_step  replication  steps
    0      0                0            0      5
    1      1                3            0      5
    """
    return Results(out)

