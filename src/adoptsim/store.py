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
``corrupt/``
    Run files that could not be read when a sweep resumed (truncated or
    damaged Parquet), moved out of ``runs/`` so that the sweep runs them again.
``.lock``
    Present while a sweep writes into the store: the pid, host and start
    time of its driver (see :class:`StoreLock`).

Every file is plain Parquet/JSON: pandas, pyarrow and DuckDB read them
(``SELECT * FROM 'OUT/runs/*.parquet'``).
"""

from __future__ import annotations

import errno
import functools
import json
import os
import platform
import shutil
import socket
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import fcntl
except ImportError:  # Windows: the lock's pid check alone tells a stale lock
    fcntl = None  # type: ignore[assignment]

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError, reject_nul

if TYPE_CHECKING:
    from .experiment import Experiment

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
SUMMARY = "summary.parquet"
RUNS = "runs"
FAILED = "failed"
CORRUPT = "corrupt"
#: Present while an interrupted sweep winds down: runs that see it stop.
STOP = ".stop"
#: Present while a sweep writes into the store.
LOCK = ".lock"
#: Parquet key-value metadata key of a run's summary (JSON).
SUMMARY_KEY = b"adoptsim.summary"

#: Summary entries that describe provenance, not outcomes (kept out of the table).
_PROVENANCE = {"final", "scenario", "version", "seed"}

#: Keys of the manifest's "design" object that readers rely on.
_DESIGN_KEYS = ("kind", "parameters", "points", "replications", "runs")

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


#: errno values that mean the disk (or the user's disk quota) is full.
_FULL = {errno.ENOSPC, errno.EDQUOT}

#: Errors of reading a damaged Parquet file (pyarrow raises ArrowInvalid, a
#: ValueError, or OSError for damaged pages; metadata may lack the summary).
_UNREADABLE = (pa.ArrowException, OSError, ValueError, KeyError, TypeError)


class DiskFullError(Exception):
    """The disk holding a store filled up while a file was being written.

    It stops a sweep (it is no failure of the run being written): finished
    runs are kept, no partial file is left, and the same command resumes
    once space is freed.

    Parameters
    ----------
    path
        The file being written.
    reason
        The system's wording, e.g. "No space left on device".
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason} while writing {self.path}"


class UnreadableRun(Exception):
    """A run file that cannot be read (truncated or damaged Parquet)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason


class CorruptRunWarning(UserWarning):
    """Run files that cannot be read were left out of loaded results."""


def _reason(exc: BaseException) -> str:
    """Why a run file cannot be read, in one line."""
    if isinstance(exc, KeyError | TypeError):
        return "it has no adoptsim.summary metadata"
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a full disk (ENOSPC, EDQUOT) while writing ``path`` into :class:`DiskFullError`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise DiskFullError(str(path), os.strerror(exc.errno)) from None
        raise


def _atomic(path: Path, write) -> None:
    """Write through a unique hidden staging name, then rename into place.

    A failed write (e.g. a full disk: :class:`DiskFullError`) leaves no file.
    """
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with writing(path):
            write(staging)
            os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def writable_folder(path: str | Path, what: str) -> Path:
    """Check the folder ``path`` with :func:`adoptsim.output.check_output_folder`, then make it.

    Parameters
    ----------
    path
        The folder.
    what
        How the user gave it, for messages (e.g. ``"--out"``).

    Returns
    -------
    Path
        The folder, which exists.

    Raises
    ------
    InputError
        Naming the path when it holds a NUL byte, is an existing file, lies
        under a file, or cannot be created or written in.
    """
    from .output import check_output_folder

    folder = check_output_folder(path, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{what} {folder} cannot be created: {exc.strerror}. Choose another "
                         f"folder.") from None
    return folder


def writable_file(path: str | Path, what: str) -> Path:
    """Check that the file ``path`` can be written (its folder is made if needed).

    Raises
    ------
    InputError
        Naming the path when it holds a NUL byte, is an existing folder, or
        its folder cannot be created or written in.
    """
    target = Path(reject_nul(path, what))
    if target.is_dir():
        raise InputError(f"{what} {target} is an existing folder; give a file name, "
                         f"e.g. {target / 'table.csv'}.")
    writable_folder(target.parent, f"the folder of {what} {target}:")
    return target


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
        missing += [f"design.{k}" for k in _DESIGN_KEYS if k not in design]
    elif "design" in data:
        missing.append("design (an object)")
    if missing:
        raise InputError(f"{path} is damaged (missing {', '.join(missing)}). {fix}")
    return data


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
        self.corrupt_dir = self.root / CORRUPT
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
            files) or a damaged ``manifest.json``, and ``force`` is false.
        DiskFullError
            If the disk fills up while the store is created.
        """
        manifest = self.root / MANIFEST
        if manifest.exists() and not force:
            old = read_manifest(self.root)
            if old["hash"] == experiment.hash:
                self._tidy(experiment)
                return True
            raise InputError(
                f"{self.root} holds the results of a different experiment: "
                f"{self._difference(old, experiment)}. Choose another --out folder, or add "
                f"--force to delete those results and start over."
            )
        known = {MANIFEST, DESIGN, SUMMARY, RUNS, FAILED, CORRUPT, STOP, LOCK}
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
        for name in (MANIFEST, DESIGN, SUMMARY, STOP):
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
        _atomic(self.root / DESIGN, lambda p: design.to_parquet(p, index=False))
        # The manifest goes last: its presence marks a complete store.
        _write_json(self.root / MANIFEST, self._manifest(experiment))

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
            pq.read_schema(self.root / DESIGN)
        except _UNREADABLE:
            # The design follows from the experiment, whose hash the manifest matched.
            design = experiment.design_frame()
            _atomic(self.root / DESIGN, lambda p: design.to_parquet(p, index=False))

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

    def read_summary(self, run_id: str) -> dict[str, Any]:
        """A finished run's flat summary, from its file's metadata.

        Raises
        ------
        UnreadableRun
            If the file is truncated or damaged (only its footer is read: a
            damaged data page shows when the time series is read).
        """
        path = self.run_path(run_id)
        try:
            summary = json.loads(pq.read_schema(path).metadata[SUMMARY_KEY])
        except _UNREADABLE as exc:
            raise UnreadableRun(path, _reason(exc)) from None
        if not isinstance(summary, dict):
            raise UnreadableRun(path, "its adoptsim.summary metadata is no JSON object")
        return summary

    def load_finished(
        self, run_ids: Iterable[str]
    ) -> tuple[dict[str, dict[str, Any]], list[tuple[Path, str]]]:
        """Summaries of the finished runs among ``run_ids``; set unreadable run files aside.

        A run file that cannot be read is moved to ``corrupt/``, so that the
        run counts as not finished and the sweep runs it again.

        Returns
        -------
        summaries : dict
            Run id -> flat summary, for each readable finished run.
        moved : list of (Path, str)
            Where each unreadable file went, and why it could not be read.
        """
        done = self.finished()
        summaries: dict[str, dict[str, Any]] = {}
        moved = []
        for rid in run_ids:
            if rid not in done:
                continue
            try:
                summaries[rid] = self.read_summary(rid)
            except UnreadableRun as exc:
                moved.append((self._set_aside(exc.path), exc.reason))
        return summaries, moved

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


#: A lock file younger than this without readable contents belongs to a sweep still starting.
_LOCK_GRACE_SECONDS = 10.0


class StoreLock:
    """``OUT/.lock``: at most one sweep writes into a store at a time.

    The file holds the driver's pid, host name and start time. It is created
    atomically (``O_EXCL``) and, where the platform has ``flock``, also held
    locked, so that the lock of a driver that died (even by ``kill -9``) is
    known to be stale. A stale lock left on this host (its pid no longer runs)
    is taken over; a lock held by another host is never taken over, since its
    pid cannot be checked from here.

    Parameters
    ----------
    root
        The store's folder (it must exist).
    """

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / LOCK
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock.

        Returns
        -------
        str or None
            A one-line notice when a stale lock was taken over.

        Raises
        ------
        InputError
            If a running sweep holds the lock (the message names the lock
            file and the holder's pid and host).
        """
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                try:
                    fd = os.open(self.path, os.O_RDWR)
                except FileNotFoundError:  # released meanwhile
                    continue
                taken, notice = self._take_over(fd)
                if taken:
                    return notice
                continue  # the file was replaced while we looked: look again
            _flock(fd)
            self._own(fd)
            return None

    def _take_over(self, fd: int) -> tuple[bool, str | None]:
        holder = _read_holder(fd)
        locked = _flock(fd)
        if not self._is(fd):
            os.close(fd)
            return False, None
        age = time.time() - os.fstat(fd).st_mtime
        if locked is False or not _stale(holder, locked, age):
            os.close(fd)
            raise InputError(self._busy(holder))
        self._own(fd)
        who = (f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
               if holder else "no details")
        return True, (f"Took over the stale lock {self.path} ({who}): that sweep is no "
                      f"longer running.")

    def _busy(self, holder: dict[str, Any] | None) -> str:
        who = (f"held by pid {holder['pid']} on host {holder['host']}, started "
               f"{holder['started']}" if holder else "held by a sweep that is starting")
        return (f"{self.path.parent} is in use by another sweep: the lock file {self.path} is "
                f"{who}. Wait for that sweep to finish (or stop it), or give another --out. "
                f"If no sweep is running there, delete {self.path}.")

    def _is(self, fd: int) -> bool:
        """True while ``self.path`` still names the open file ``fd``."""
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except FileNotFoundError:
            return False

    def _own(self, fd: int) -> None:
        data = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": datetime.now(UTC).isoformat(timespec="seconds")})
        try:
            with writing(self.path):
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, data.encode() + b"\n")
        except BaseException:
            self._fd = fd
            self.release()
            raise
        self._fd = fd

    def release(self) -> None:
        """Remove the lock file (if it is still ours) and unlock it."""
        if self._fd is None:
            return
        try:
            if self._is(self._fd):
                self.path.unlink()
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _flock(fd: int) -> bool | None:
    """Try to lock ``fd`` without waiting: True, False (held elsewhere), None (unsupported)."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # e.g. ENOLCK on some network filesystems
        return None
    return True


def _read_holder(fd: int) -> dict[str, Any] | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        holder = json.loads(os.read(fd, 4096))
    except (OSError, ValueError):
        return None
    keys = {"pid", "host", "started"}
    ok = isinstance(holder, dict) and keys <= set(holder) and isinstance(holder["pid"], int)
    return holder if ok else None


def _stale(holder: dict[str, Any] | None, locked: bool | None, age: float) -> bool:
    """Whether a lock that nobody holds with ``flock`` (or cannot be flocked) is stale."""
    if holder is None:
        return age > _LOCK_GRACE_SECONDS
    if holder["host"] != socket.gethostname():
        return False
    if locked:
        return True  # flock is released by the kernel when its holder dies
    return not _running_since(holder["pid"], holder["started"])


def _running_since(pid: int, started: str) -> bool:
    """True if process ``pid`` runs and started no later than ``started`` (not a reused pid)."""
    import psutil

    try:
        created = psutil.Process(pid).create_time()
        since = datetime.fromisoformat(started).timestamp()
    except (psutil.Error, ValueError, TypeError):
        return False
    return created <= since + 1.0


def summary_frame(design: pd.DataFrame, summaries: dict[str, dict]) -> pd.DataFrame:
    """Design rows of the finished runs (in design order) joined with their summaries."""
    done = design[design["run_id"].isin(summaries)].reset_index(drop=True)
    # Numeric columns throughout: an outcome that is undefined (None) in every run is NaN.
    values = pd.DataFrame([summaries[rid] for rid in done["run_id"]]).apply(pd.to_numeric)
    return pd.concat([done, values], axis=1)


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
        if not (self.store.root / MANIFEST).exists():
            raise InputError(f"{self.store.root} is not a sweep's results folder (no {MANIFEST}).")
        self.manifest: dict[str, Any] = read_manifest(self.store.root)
        self.unreadable: dict[Path, str] = {}

    @functools.cached_property
    def design(self) -> pd.DataFrame:
        path = self.store.root / DESIGN
        try:
            return pd.read_parquet(path)
        except _UNREADABLE as exc:
            raise InputError(
                f"{path} cannot be read ({_reason(exc)}). Run the same adoptsim sweep command "
                f"again: it rewrites the design from the experiment file."
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
            except _UNREADABLE as exc:
                skipped[path] = _reason(exc)
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

    _atomic(path, write)
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
        _atomic(path, lambda p, f=frame: f.to_csv(p, index=False))
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
