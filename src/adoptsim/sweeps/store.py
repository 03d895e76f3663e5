"""The results store of a sweep: one folder of plain Parquet and JSON files.

Layout of ``OUT/``:

``manifest.json``
    The experiment file's contents, the resolved base scenario and its hash,
    the experiment hash, seeds, design kind (and the SALib problem of a
    ``sobol`` design), package and Python versions.
``design.parquet``
    One row per run: ``run_id``, ``point``, ``replication``, ``seed`` and
    one column per parameter (named by its dotted key).
``runs/<batch>.parquet``
    A batch of finished runs, written by one worker: their time series
    (``run_id``, ``step`` and the metric columns, run after run). Their
    summaries are in the same file, as a JSON object (run id -> summary) in
    the Parquet key-value metadata under ``adoptsim.summaries``, so a batch is
    one file that appears atomically (written to a hidden staging name, then
    renamed): a crash loses at most the batches in flight.
``summary.parquet``
    One row per finished run (design columns plus summary values), rewritten
    at the end of every sweep; :func:`load_results` reads the run files
    themselves, so it is right even after a sweep was killed.
``failed/<run_id>.txt``
    The traceback of a run that raised; removed when the run later succeeds.
``corrupt/``
    Batch files that could not be read when a sweep resumed (truncated or
    damaged Parquet), moved out of ``runs/`` so that the sweep runs their
    runs again.
``.lock``
    Present while a sweep writes into the store: the pid, host and start
    time of its driver (see :class:`StoreLock`).

Every file is plain Parquet/JSON: pandas, pyarrow and DuckDB read them
(``SELECT * FROM 'OUT/runs/*.parquet'``).

Examples
--------
>>> flatten_summary({"final": {"member": 0.5}, "t50": 12, "seed": 3, "scenario": {}})
{'final_member': 0.5, 't50': 12}
>>> Store("results/demo").batch_path("abc").as_posix()
'results/demo/runs/abc.parquet'
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .._version import __version__
from ..atomic import atomic_write, writing
from ..errors import InputError

if TYPE_CHECKING:
    from .experiment import Experiment

MANIFEST = "manifest.json"
#: One row per run (the experiment's design): run_id, point, replication, seed, parameters.
RUN_TABLE = "design.parquet"
SUMMARY_TABLE = "summary.parquet"
RUNS = "runs"
FAILED = "failed"
CORRUPT = "corrupt"
#: Present while an interrupted sweep winds down: runs that see it stop.
STOP = ".stop"
#: Present while a sweep writes into the store.
LOCK = ".lock"
#: Parquet key-value metadata key of a batch's summaries (JSON: run id -> summary).
SUMMARY_KEY = b"adoptsim.summaries"
#: The store's layout version (1: one file per run; 2: batches of runs).
FORMAT = 2

#: Summary entries that describe provenance, not outcomes (kept out of the table).
_PROVENANCE = {"final", "scenario", "version", "seed"}

#: Keys of the manifest's "design" object that readers rely on.
_MANIFEST_KEYS = ("kind", "parameters", "points", "replications", "runs")

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
    out: dict[str, str | None] = {"adoptsim": __version__}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


#: Errors of reading a damaged Parquet file (pyarrow raises ArrowInvalid, a
#: ValueError, or OSError for damaged pages; metadata may lack the summary).
UNREADABLE = (pa.ArrowException, OSError, ValueError, KeyError, TypeError)


class UnreadableRun(Exception):
    """A batch file that cannot be read (truncated or damaged Parquet)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason


def unreadable_reason(exc: BaseException) -> str:
    """Why a batch file cannot be read, in one line."""
    if isinstance(exc, KeyError | TypeError):
        return "it has no adoptsim.summaries metadata"
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def read_manifest(root: Path) -> dict[str, Any]:
    """A store's ``manifest.json``, checked for the keys the store relies on.

    Raises
    ------
    InputError
        Naming the file and what to do when it cannot be read, is not valid
        JSON, or lacks a key.
    """
    path = root / MANIFEST
    fix = (f"It records which experiment {root} holds: restore it (from a backup or a copy "
           f"of the store), or run the sweep again with --force to delete the results in "
           f"{root} and start over.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not valid JSON: {exc}"
        raise InputError(f"{path} is damaged ({reason}). {fix}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is damaged (a JSON {type(data).__name__}, not an object). "
                         f"{fix}")
    design = data.get("design")
    missing = [k for k in ("hash", "design") if k not in data]
    if isinstance(design, dict):
        missing += [f"design.{k}" for k in _MANIFEST_KEYS if k not in design]
    elif "design" in data:
        missing.append("design (an object)")
    if missing:
        raise InputError(f"{path} is damaged (missing {', '.join(missing)}). {fix}")
    return data


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, default=str) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


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
        self.corrupt_dir = self.root / CORRUPT
        self.stop_path = self.root / STOP
        self.manifest_path = self.root / MANIFEST
        self.design_path = self.root / RUN_TABLE
        self.summary_path = self.root / SUMMARY_TABLE

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
            files) or a damaged ``manifest.json``, and ``force`` is false.
        DiskFullError
            If the disk fills up while the store is created.
        """
        manifest = self.manifest_path
        if manifest.exists() and not force:
            old = read_manifest(self.root)
            made_by = (old.get("versions") or {}).get("adoptsim")
            if old.get("format") != FORMAT or made_by != __version__:
                raise InputError(
                    f"{self.root} holds results of adoptsim {made_by or 'unknown'} (store "
                    f"format {old.get('format', 1)}); this is adoptsim {__version__}, whose "
                    f"model or store may differ, and results of two versions must not mix. "
                    f"Choose another --out folder, or add --force to delete those results "
                    f"and start over."
                )
            if old["hash"] == experiment.hash:
                self._tidy(experiment)
                return True
            raise InputError(
                f"{self.root} holds the results of a different experiment: "
                f"{self._difference(old, experiment)}. Choose another --out folder, or add "
                f"--force to delete those results and start over."
            )
        known = {MANIFEST, RUN_TABLE, SUMMARY_TABLE, RUNS, FAILED, CORRUPT, STOP, LOCK}
        foreign = sorted(p.name for p in self.root.iterdir() if p.name not in known) if (
            self.root.is_dir()) else []
        if foreign and not manifest.exists():
            raise InputError(
                f"{self.root} is not empty and holds no sweep (no {MANIFEST}; found "
                f"{', '.join(foreign[:5])}). Choose a new or empty --out folder."
            )
        self._create(experiment)
        return False

    def _create(self, experiment: Experiment) -> None:
        """Start an empty store for ``experiment`` (deleting an older one)."""
        for name in (MANIFEST, RUN_TABLE, SUMMARY_TABLE, STOP):
            path = self.root / name
            if path.is_dir():  # a damaged store may hold anything
                shutil.rmtree(path)
            path.unlink(missing_ok=True)
        for folder in (self.runs_dir, self.failed_dir, self.corrupt_dir):
            shutil.rmtree(folder, ignore_errors=True)
        with writing(self.runs_dir):
            self.runs_dir.mkdir(parents=True)
            self.failed_dir.mkdir()
        design = experiment.design_frame()
        atomic_write(self.design_path, lambda p: design.to_parquet(p, index=False))
        # The manifest goes last: its presence marks a complete store.
        _write_json(self.manifest_path, self._manifest(experiment))

    @staticmethod
    def _difference(old: dict[str, Any], experiment: Experiment) -> str:
        raw = {k: v for k, v in experiment.raw.items() if k != "description"}
        old_exp = old.get("experiment")
        if not isinstance(old_exp, dict):
            return f"its {MANIFEST} does not record the experiment file"
        old_raw = {k: v for k, v in old_exp.items() if k != "description"}
        if json.loads(json.dumps(raw, default=str)) != old_raw:
            return "the experiment file has changed"
        if old.get("base_scenario_hash") != experiment.base_hash:
            return "the base scenario (its file or --set values) has changed"
        return "the design it generates has changed (other scipy or SALib versions?)"

    @staticmethod
    def _manifest(experiment: Experiment) -> dict[str, Any]:
        spec = experiment.spec
        return {
            "format": FORMAT,
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

    def _tidy(self, experiment: Experiment) -> None:
        """Repair what a killed sweep or a damaged copy may have left before resuming.

        Removes staging files and the stop flag; recreates missing folders
        and an unreadable ``design.parquet``.
        """
        self.stop_path.unlink(missing_ok=True)
        for folder in (self.runs_dir, self.failed_dir, self.root):
            for stale in folder.glob(".*.partial"):
                stale.unlink(missing_ok=True)
        with writing(self.runs_dir):
            self.runs_dir.mkdir(exist_ok=True)
            self.failed_dir.mkdir(exist_ok=True)
        try:
            pq.read_schema(self.design_path)
        except UNREADABLE:
            # The design follows from the experiment, whose hash the manifest matched.
            design = experiment.design_frame()
            atomic_write(self.design_path, lambda p: design.to_parquet(p, index=False))

    # --------------------------------------------------------------- runs
    def batch_files(self) -> list[Path]:
        """The batch files in ``runs/`` (staging files excluded), by name."""
        if not self.runs_dir.is_dir():
            return []
        return sorted(self.runs_dir.glob("[!.]*.parquet"))

    def scan(self) -> tuple[dict[str, Path], dict[str, dict[str, Any]], dict[Path, str]]:
        """Where each finished run is, its summary, and the batch files that cannot be read.

        Only the files' footers are read (a damaged data page shows when the
        time series is read). A run found in two files counts once, from the
        first by name.

        Returns
        -------
        where : dict
            Run id -> its batch file.
        summaries : dict
            Run id -> flat summary.
        unreadable : dict
            Batch file -> why it cannot be read.
        """
        where: dict[str, Path] = {}
        summaries: dict[str, dict[str, Any]] = {}
        unreadable: dict[Path, str] = {}
        for path in self.batch_files():
            try:
                batch = read_summaries(path)
            except UnreadableRun as exc:
                unreadable[path] = exc.reason
                continue
            for rid, summary in batch.items():
                if rid not in where:
                    where[rid] = path
                    summaries[rid] = summary
        return where, summaries, unreadable

    def finished(self) -> set[str]:
        """Ids of the runs in readable batch files."""
        return set(self.scan()[0])

    def batch_path(self, name: str) -> Path:
        """Where the batch file ``name`` lives."""
        return self.runs_dir / f"{name}.parquet"

    def write_batch(self, runs: list[tuple[str, dict[str, np.ndarray]]],
                    summaries: dict[str, dict[str, Any]]) -> Path:
        """Write finished runs as one batch file, atomically; clear their failure records.

        Parameters
        ----------
        runs
            (run id, time series columns) of each run, in order.
        summaries
            Run id -> flat summary (:func:`flatten_summary`).
        """
        lengths = [len(next(iter(columns.values()))) for _, columns in runs]
        ids = np.repeat(np.array([rid for rid, _ in runs], dtype=object), lengths)
        table = pa.Table.from_pydict(
            {"run_id": pa.array(ids, pa.string()),
             **{name: pa.array(np.concatenate([cols[name] for _, cols in runs]))
                for name in runs[0][1]}},
            metadata={SUMMARY_KEY: json.dumps(summaries)},
        )
        # Named by its runs: a batch run again (a cluster reschedules the work of a
        # lost worker) replaces its file instead of adding a second copy.
        names = hashlib.blake2b("\n".join(rid for rid, _ in runs).encode(), digest_size=8)
        path = self.batch_path(f"{runs[0][0]}-{names.hexdigest()}")
        atomic_write(path, lambda p: pq.write_table(table, p))
        for rid, _ in runs:
            self.failed_path(rid).unlink(missing_ok=True)
        return path

    def record_failure(self, run_id: str, text: str) -> None:
        """Keep a failed run's traceback in ``failed/<run_id>.txt``."""
        path = self.failed_path(run_id)
        atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))

    def load_finished(
        self, run_ids: Iterable[str]
    ) -> tuple[dict[str, dict[str, Any]], list[tuple[Path, str]]]:
        """Summaries of the finished runs among ``run_ids``; set unreadable batch files aside.

        A batch file that cannot be read is moved to ``corrupt/``, so that its
        runs count as not finished and the sweep runs them again.

        Returns
        -------
        summaries : dict
            Run id -> flat summary, for each readable finished run.
        moved : list of (Path, str)
            Where each unreadable file went, and why it could not be read.
        """
        _, summaries, unreadable = self.scan()
        moved = [(self._set_aside(path), reason) for path, reason in unreadable.items()]
        wanted = set(run_ids)
        return {rid: s for rid, s in summaries.items() if rid in wanted}, moved

    def _set_aside(self, path: Path) -> Path:
        with writing(self.corrupt_dir):
            self.corrupt_dir.mkdir(exist_ok=True)
        target = self.corrupt_dir / path.name
        if target.exists():  # damaged twice: keep both copies
            target = target.with_name(f"{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix}")
        os.replace(path, target)
        return target

    def write_summary_table(self, design: pd.DataFrame, summaries: dict[str, dict]) -> None:
        """Write ``summary.parquet`` (one row per finished run)."""
        frame = summary_frame(design, summaries)
        atomic_write(self.summary_path, lambda p: frame.to_parquet(p, index=False))

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



def read_summaries(path: Path) -> dict[str, dict[str, Any]]:
    """A batch file's summaries (run id -> flat summary), from its footer.

    Raises
    ------
    UnreadableRun
        If the file is truncated or damaged, or its metadata is not a JSON
        object of summaries.
    """
    try:
        batch = json.loads(pq.read_schema(path).metadata[SUMMARY_KEY])
    except UNREADABLE as exc:
        raise UnreadableRun(path, unreadable_reason(exc)) from None
    if not isinstance(batch, dict) or not all(isinstance(v, dict) for v in batch.values()):
        raise UnreadableRun(path, "its adoptsim.summaries metadata is no JSON object of "
                                  "summaries")
    return batch


def summary_frame(design: pd.DataFrame, summaries: dict[str, dict]) -> pd.DataFrame:
    """Design rows of the finished runs (in design order) joined with their summaries."""
    done = design[design["run_id"].isin(summaries)].reset_index(drop=True)
    # Numeric columns throughout: an outcome that is undefined (None) in every run is NaN.
    values = pd.DataFrame([summaries[rid] for rid in done["run_id"]]).apply(pd.to_numeric)
    return pd.concat([done, values], axis=1)

