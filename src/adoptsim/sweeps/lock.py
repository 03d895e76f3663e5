"""``OUT/.lock``: at most one sweep writes into a store at a time.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> with StoreLock(folder) as lock:
...     lock.acquire() is None, (Path(folder) / ".lock").exists()
(True, True)
>>> (Path(folder) / ".lock").exists()
False
"""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the lock's pid check alone tells a stale lock
    fcntl = None  # type: ignore[assignment]

from ..atomic import writing
from ..errors import InputError
from .store import LOCK

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


