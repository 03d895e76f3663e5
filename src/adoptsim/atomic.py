"""Writing result files safely: folders checked before the work, files replaced whole.

Every file adoptsim writes (a run's files, a sweep's store, exports, reports)
goes through :func:`atomic_write`: it is written under a hidden staging name
and renamed into place, so a reader never sees half a file, and a full disk
is one :class:`DiskFullError` that leaves no partial file behind. Output
folders are checked with :func:`check_output_folder` before a long
computation, so a bad ``--out`` costs nothing.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> atomic_write(path, lambda p: p.write_text("hello"))
>>> path.read_text(), sorted(q.name for q in path.parent.iterdir())
('hello', ['hello.txt'])
"""

from __future__ import annotations

import errno
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import InputError, reject_nul

#: errno values that mean the disk (or the user's disk quota) is full.
_FULL = {errno.ENOSPC, errno.EDQUOT}


class DiskFullError(Exception):
    """The disk filled up while a file was being written.

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


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a full disk (ENOSPC, EDQUOT) while writing ``path`` into :class:`DiskFullError`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise DiskFullError(str(path), os.strerror(exc.errno)) from None
        raise


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` through a unique hidden staging name, then rename it into place.

    ``write(staging)`` writes the whole file. A failed write (e.g. a full
    disk: :class:`DiskFullError`) leaves no file, and an older ``path`` as it was.
    """
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        with writing(path):
            write(staging)
            os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def check_output_folder(path: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check, before any work, that results can be written to the folder ``path``.

    Nothing is created: the folder may be missing as long as it can be made
    in its nearest existing parent. Call this before a long run, so a bad
    folder is reported at once instead of after the results are computed.

    Parameters
    ----------
    path
        The output folder as given.
    option
        The option or key that gave it, named in the message.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.

    Raises
    ------
    InputError
        If the path holds a NUL byte, is an existing file, lies under a file,
        or the folder (or its nearest existing parent) is not writable.
    """
    folder = Path(reject_nul(path, option))
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            where = "is a file" if existing == folder else f"lies under the file {existing}"
            raise InputError(f"{option} {folder} {where}; give a folder (created if missing).")
        # os.access is no proof (root passes it on read-only mounts): make and remove a folder.
        os.rmdir(tempfile.mkdtemp(prefix=".adoptsim-check-", dir=existing))
    except OSError as exc:
        problem = "is not writable" if existing == folder else f"cannot be created in {existing}"
        raise InputError(
            f"{option} {folder} {problem}: {exc.strerror}. Choose another folder."
        ) from None
    return folder


def writable_folder(path: str | Path, what: str) -> Path:
    """Check the folder ``path`` with :func:`check_output_folder`, then make it.

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
