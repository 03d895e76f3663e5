"""The results store of a sweep: one folder of plain Parquet and JSON files.

Layout of ``OUT/``:

``manifest.json``
    The experiment file's contents, the resolved base scenario and its hash,
    the experiment hash, seeds, design kind (and the SALib problem of a
    ``sobol`` design), package and Python versions.
``design.parquet``
    One row per run: ``run_id``, ``point``, ``replication``, ``seed`` and
    one column per parameter (named by its dotted key).
``runs/<run_id>.parquet``
    One finished run: its time series (``run_id``, ``step`` and the metric
    columns). The run's summary is in the same file, as JSON in the Parquet
    key-value metadata under ``adoptsim.summary``, so a run is one file that
    appears atomically (written to a hidden staging name, then renamed).
``summary.parquet``
    One row per finished run (design columns plus summary values), rewritten
    at the end of every sweep; :func:`load_results` reads the run files
    themselves, so it is right even after a sweep was killed.
``failed/<run_id>.txt``
    The traceback of a run that raised; removed when the run later succeeds.

Every file is plain Parquet/JSON: pandas, pyarrow and DuckDB read them
(``SELECT * FROM 'OUT/runs/*.parquet'``).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from datetime import UTC, datetime
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError

if TYPE_CHECKING:
    from .experiment import Experiment

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
SUMMARY = "summary.parquet"
RUNS = "runs"
FAILED = "failed"
#: Present while an interrupted sweep winds down: runs that see it stop.
STOP = ".stop"
#: Parquet key-value metadata key of a run's summary (JSON).
SUMMARY_KEY = b"adoptsim.summary"

#: Summary entries that describe provenance, not outcomes (kept out of the table).
_PROVENANCE = {"final", "scenario", "version", "seed"}

#: Packages whose versions the manifest records.
_PACKAGES = ["numpy", "numba", "mesa", "pandas", "pyarrow", "scipy", "SALib", "distributed"]


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The scalar outcomes of :meth:`AdoptionModel.summary` as one flat row.

    ``final`` values become ``final_<metric>``; the other numeric entries
    (``t50``, ``never_posted_share``, ``top1_post_share``, ``gini_posts``, ...)
    keep their names.
    """
    row = {f"final_{k}": v for k, v in summary["final"].items()}
    row.update(
        (k, v) for k, v in summary.items()
        if k not in _PROVENANCE and (v is None or isinstance(v, int | float))
    )
    return row


def _versions() -> dict[str, str | None]:
    from . import __version__

    out: dict[str, str | None] = {"adoptsim": __version__}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _atomic(path: Path, write) -> None:
    """Write through a unique hidden staging name, then rename into place."""
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        write(staging)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, default=str) + "\n"
    _atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


class Store:
    """A sweep's results folder (see the module docstring for its layout).

    Parameters
    ----------
    root
        The folder (``--out``).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS
        self.failed_dir = self.root / FAILED
        self.stop_path = self.root / STOP

    def run_path(self, run_id: str) -> Path:
        """Where a finished run's file lives."""
        return self.runs_dir / f"{run_id}.parquet"

    def failed_path(self, run_id: str) -> Path:
        """Where a failed run's traceback lives."""
        return self.failed_dir / f"{run_id}.txt"

    # ------------------------------------------------------------- set-up
    def initialise(self, experiment: Experiment, force: bool = False) -> bool:
        """Create the store, or check that it belongs to ``experiment`` (resume).

        Returns
        -------
        bool
            True when resuming an existing store of the same experiment.

        Raises
        ------
        InputError
            If the folder holds another experiment's results (or other
            files) and ``force`` is false.
        """
        manifest = self.root / MANIFEST
        if manifest.is_file() and not force:
            old = json.loads(manifest.read_text(encoding="utf-8"))
            if old.get("hash") == experiment.hash:
                self._tidy()
                return True
            raise InputError(
                f"{self.root} holds the results of a different experiment: "
                f"{self._difference(old, experiment)}. Choose another --out folder, or add "
                f"--force to delete those results and start over."
            )
        known = {MANIFEST, DESIGN, SUMMARY, RUNS, FAILED, STOP}
        foreign = sorted(p.name for p in self.root.iterdir() if p.name not in known) if (
            self.root.is_dir()) else []
        if foreign and not manifest.is_file():
            raise InputError(
                f"{self.root} is not empty and holds no sweep (no {MANIFEST}; found "
                f"{', '.join(foreign[:5])}). Choose a new or empty --out folder."
            )
        for name in (MANIFEST, DESIGN, SUMMARY, STOP):
            (self.root / name).unlink(missing_ok=True)
        for folder in (self.runs_dir, self.failed_dir):
            shutil.rmtree(folder, ignore_errors=True)
        self.runs_dir.mkdir(parents=True)
        self.failed_dir.mkdir()
        design = experiment.design_frame()
        _atomic(self.root / DESIGN, lambda p: design.to_parquet(p, index=False))
        # The manifest goes last: its presence marks a complete store.
        _write_json(manifest, self._manifest(experiment))
        return False

    @staticmethod
    def _difference(old: dict[str, Any], experiment: Experiment) -> str:
        raw = {k: v for k, v in experiment.raw.items() if k != "description"}
        old_raw = {k: v for k, v in old.get("experiment", {}).items() if k != "description"}
        if json.loads(json.dumps(raw, default=str)) != old_raw:
            return "the experiment file has changed"
        if old.get("base_scenario_hash") != experiment.base_hash:
            return "the base scenario (its file or --set values) has changed"
        return "the design it generates has changed (other scipy or SALib versions?)"

    @staticmethod
    def _manifest(experiment: Experiment) -> dict[str, Any]:
        spec = experiment.spec
        return {
            "format": 1,
            "name": experiment.name,
            "description": spec.description,
            "hash": experiment.hash,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "experiment_file": str(experiment.path.resolve()),
            "experiment": experiment.raw,
            "set": experiment.sets,
            "base_scenario": experiment.base,
            "base_scenario_hash": experiment.base_hash,
            "design": {
                "kind": spec.design.kind,
                "samples": spec.design.samples,
                "parameters": experiment.parameters,
                "integer_parameters": experiment.integer_parameters,
                "points": len(experiment.points),
                "replications": spec.replications,
                "runs": len(experiment.runs),
                # Sobol: analyse per-point outcomes in point order with this problem.
                "salib_problem": experiment.problem,
            },
            "seed": spec.seed,
            "replication_seeds": experiment.seeds,
            "seeding": "replication r uses replication_seeds[r] at every design point "
                       "(common random numbers); seeds from SeedSequence(seed).spawn",
            "versions": _versions(),
            "python": platform.python_version(),
        }

    def _tidy(self) -> None:
        """Remove what a killed sweep may have left: staging files and the stop flag."""
        self.stop_path.unlink(missing_ok=True)
        for folder in (self.runs_dir, self.failed_dir, self.root):
            for stale in folder.glob(".*.partial"):
                stale.unlink(missing_ok=True)

    # --------------------------------------------------------------- runs
    def finished(self) -> set[str]:
        """Ids of the runs whose result file exists."""
        if not self.runs_dir.is_dir():
            return set()
        return {p.stem for p in self.runs_dir.glob("[!.]*.parquet")}

    def write_run(self, run_id: str, timeseries: pd.DataFrame, summary: dict[str, Any]) -> None:
        """Write one run's file atomically and clear any earlier failure record."""
        # Column by column: twice as fast as Table.from_pandas for these small tables.
        columns = {"run_id": pa.array([run_id] * len(timeseries), pa.string())}
        columns.update((name, pa.array(col.to_numpy())) for name, col in timeseries.items())
        table = pa.Table.from_pydict(columns, metadata={SUMMARY_KEY: json.dumps(summary)})
        _atomic(self.run_path(run_id), lambda p: pq.write_table(table, p))
        self.failed_path(run_id).unlink(missing_ok=True)

    def record_failure(self, run_id: str, text: str) -> None:
        """Keep a failed run's traceback in ``failed/<run_id>.txt``."""
        path = self.failed_path(run_id)
        _atomic(path, lambda p: p.write_text(text, encoding="utf-8"))

    def read_summaries(self, run_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The flat summaries of finished runs, read from their file metadata."""
        return {
            rid: json.loads(pq.read_schema(self.run_path(rid)).metadata[SUMMARY_KEY])
            for rid in run_ids
        }

    def write_summary_table(self, design: pd.DataFrame, summaries: dict[str, dict]) -> None:
        """Write ``summary.parquet`` (one row per finished run)."""
        frame = summary_frame(design, summaries)
        _atomic(self.root / SUMMARY, lambda p: frame.to_parquet(p, index=False))

    # ------------------------------------------------------- interruption
    def request_stop(self) -> None:
        """Ask running and queued runs (in any process) to stop."""
        self.stop_path.touch()

    def stop_requested(self) -> bool:
        """True while an interrupted sweep winds down."""
        return self.stop_path.exists()

    def clear_stop(self) -> None:
        """Let runs start again."""
        self.stop_path.unlink(missing_ok=True)


def summary_frame(design: pd.DataFrame, summaries: dict[str, dict]) -> pd.DataFrame:
    """Design rows of the finished runs (in design order) joined with their summaries."""
    done = design[design["run_id"].isin(summaries)].reset_index(drop=True)
    # Numeric columns throughout: an outcome that is undefined (None) in every run is NaN.
    values = pd.DataFrame([summaries[rid] for rid in done["run_id"]]).apply(pd.to_numeric)
    return pd.concat([done, values], axis=1)


class Results:
    """A sweep's results, loaded lazily from its store.

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
    """

    def __init__(self, root: str | Path) -> None:
        self.store = Store(root)
        path = self.store.root / MANIFEST
        if not path.is_file():
            raise InputError(f"{self.store.root} is not a sweep's results folder (no {MANIFEST}).")
        self.manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.store.root / DESIGN)

    def _finished_ids(self) -> list[str]:
        done = self.store.finished()
        return [rid for rid in self.design["run_id"] if rid in done]

    @cached_property
    def summary(self) -> pd.DataFrame:
        return summary_frame(self.design, self.store.read_summaries(self._finished_ids()))

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        tables = [pq.read_table(self.store.run_path(rid)) for rid in self._finished_ids()]
        if not tables:
            return pd.DataFrame(columns=["run_id", "step"])
        return pa.concat_tables(tables).to_pandas()


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

    Examples
    --------
    >>> res = load_results("results/join_timing")  # doctest: +SKIP
    >>> res.summary.groupby("comms.join_step")["final_member"].mean()  # doctest: +SKIP
    """
    return Results(out)


def export_csv(out: str | Path, folder: str | Path) -> list[Path]:
    """Write ``design.csv``, ``summary.csv`` and ``timeseries.csv`` for spreadsheets."""
    results = load_results(out)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in ("design", "summary", "timeseries"):
        path = folder / f"{name}.csv"
        frame = getattr(results, name)
        _atomic(path, lambda p, f=frame: f.to_csv(p, index=False))
        files.append(path)
    return files
