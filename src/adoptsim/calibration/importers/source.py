"""Reading an export in place, a folder or a ``.zip`` file: its JSON and CSV files.

:class:`ExportSource` finds the export's files (case-insensitively, at its
top or one folder below) and reads them with the checks every importer
needs: a damaged zip, text that is not UTF-8, malformed JSON or CSV and a
file too large for memory are each one :class:`~adoptsim.errors.InputError`
naming the file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ...errors import InputError, reject_nul
from ...memory import format_bytes, require_memory

__all__ = ["ExportSource", "valid_time"]

#: Message times outside 2000-2100 are invalid (Yammer started in 2008, Slack in 2013):
#: a time near 1970 is a zero or a count, not a date.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
#: Python objects take about this many times the bytes of the JSON they come from.
JSON_MEMORY_FACTOR = 10


class ExportSource:
    """A folder or a ``.zip`` file holding an export, read in place without unpacking.

    File names are matched case-insensitively. The export's files may sit
    at the top or in one folder below it (a zip of the unpacked folder);
    ``markers`` names the files that show where (any one of them).

    Parameters
    ----------
    path
        The export as given on the command line.
    what
        How messages name it, e.g. ``"Slack export"``.
    markers
        File names, any of which marks the export's top folder.
    expected
        What the folder should contain, for the message when no marker is found.
    """

    def __init__(
        self, path: str | os.PathLike[str], what: str, markers: tuple[str, ...], expected: str
    ) -> None:
        self.path = Path(reject_nul(path, f"The {what}"))
        self.what = what
        self._zip: zipfile.ZipFile | None = None
        self._tree: dict[str, dict[str, tuple[str, bool]]] = {}
        if not self.path.exists():
            raise InputError(
                f"The {what} {self.path} does not exist; give the export's .zip file (as "
                f"downloaded) or the folder it was unpacked to."
            )
        if not self.path.is_dir():
            self._open_zip()
        self.root = self._find_root(markers, expected)

    def _open_zip(self) -> None:
        try:
            with open(self.path, "rb"):
                pass
            is_zip = zipfile.is_zipfile(self.path)
        except OSError as exc:
            raise InputError(
                f"The {self.what} {self.path} cannot be read: {exc.strerror}."
            ) from None
        if not is_zip:
            raise InputError(
                f"The {self.what} {self.path} is neither a folder nor a .zip file; give the "
                f"export's .zip file (as downloaded) or the folder it was unpacked to."
            )
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"The {self.what} {self.path} is a damaged .zip file ({exc}); download it again."
            ) from None
        for info in self._zip.infolist():
            parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
            if not parts:
                continue
            for depth in range(len(parts)):
                folder = "/".join(parts[:depth])
                is_dir = depth < len(parts) - 1 or info.is_dir()
                self._tree.setdefault(folder, {})[parts[depth].lower()] = (parts[depth], is_dir)
            if info.is_dir():
                self._tree.setdefault("/".join(parts), {})
        self._members = {
            "/".join(p for p in info.filename.replace("\\", "/").split("/") if p): info
            for info in self._zip.infolist()
            if not info.is_dir()
        }

    def close(self) -> None:
        """Close the zip file, if any."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- listing ------------------------------------------------------------

    def _listing(self, folder: str) -> dict[str, tuple[str, bool]]:
        """Entries of ``folder`` (relative to the zip or folder): lower name -> (name, is_dir)."""
        if self._zip is not None:
            return self._tree.get(folder, {})
        try:
            with os.scandir(self.path / folder) as entries:
                return {e.name.lower(): (e.name, e.is_dir()) for e in entries}
        except OSError as exc:
            raise InputError(
                f"The {self.what} folder {self.path / folder} cannot be read: {exc.strerror}."
            ) from None

    def _find_root(self, markers: tuple[str, ...], expected: str) -> str:
        def has_marker(folder: str) -> bool:
            listing = self._listing(folder)
            return any(not listing.get(m.lower(), ("", True))[1] for m in markers)

        if has_marker(""):
            return ""
        below = [
            name
            for name, is_dir in self._listing("").values()
            if is_dir and not name.startswith((".", "__MACOSX")) and has_marker(name)
        ]
        if len(below) == 1:
            return below[0]
        names = " or ".join(markers)
        if below:
            raise InputError(
                f"The {self.what} {self.path} holds several exports ({', '.join(sorted(below))}), "
                f"each with its own {names}; give the folder of one of them."
            )
        raise InputError(
            f"The {self.what} {self.path} has no {names} (at its top or in one folder below); "
            f"expected {expected}."
        )

    def find(self, name: str, folder: str = "") -> str | None:
        """The path (relative to the export's top) of file ``name`` in ``folder``, or None."""
        base = f"{self.root}/{folder}".strip("/")
        entry = self._listing(base).get(name.lower())
        if entry is None or entry[1]:
            return None
        return f"{folder}/{entry[0]}".strip("/")

    def folders(self) -> dict[str, str]:
        """The folders at the export's top: lower name -> name."""
        return {k: name for k, (name, is_dir) in self._listing(self.root).items() if is_dir}

    def files(self, folder: str, suffix: str) -> list[str]:
        """Sorted paths of the files in ``folder`` whose names end with ``suffix``."""
        base = f"{self.root}/{folder}".strip("/")
        return sorted(
            f"{folder}/{name}"
            for name, is_dir in self._listing(base).values()
            if not is_dir and name.lower().endswith(suffix)
        )

    def name(self, rel: str) -> str:
        """How messages name the file ``rel``: its path, or its name inside the zip."""
        full = f"{self.root}/{rel}".strip("/")
        if self._zip is not None:
            return f"{full} in {self.path}"
        return str(self.path / full)

    # -- reading ------------------------------------------------------------

    def _damaged(self, rel: str, exc: BaseException) -> InputError:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return InputError(
            f"{self.name(rel)} cannot be read ({problem or type(exc).__name__}); the export "
            f"may be damaged or encrypted: download or unpack it again."
        )

    def size(self, rel: str) -> int:
        """Uncompressed size of the file ``rel`` in bytes."""
        full = f"{self.root}/{rel}".strip("/")
        if self._zip is not None:
            return self._members[full].file_size
        try:
            return (self.path / full).stat().st_size
        except OSError as exc:
            raise self._damaged(rel, exc) from None

    @contextlib.contextmanager
    def open_text(self, rel: str) -> Iterator[io.TextIOBase]:
        """Open ``rel`` as UTF-8 text (a byte-order mark is skipped), universal newlines off."""
        full = f"{self.root}/{rel}".strip("/")
        try:
            raw = self._zip.open(self._members[full]) if self._zip else open(self.path / full, "rb")
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
            raise self._damaged(rel, exc) from None
        with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            try:
                yield text
            except UnicodeDecodeError:
                raise InputError(
                    f"{self.name(rel)} is not UTF-8 text; the export may be damaged: "
                    f"download it again."
                ) from None
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise self._damaged(rel, exc) from None

    def read_json(self, rel: str) -> object:
        """Parse the JSON file ``rel``; a size bomb or malformed JSON raises InputError."""
        size = self.size(rel)
        require_memory(
            size * JSON_MEMORY_FACTOR,
            f"Reading {self.name(rel)} ({format_bytes(size)} of JSON)",
            "Run the import on a machine with more memory.",
        )
        with self.open_text(rel) as text:
            data = text.read()
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.name(rel)} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); the export may be damaged: download it again."
            ) from None
        except RecursionError:
            raise InputError(
                f"{self.name(rel)} is nested too deeply to be an export file."
            ) from None

    def read_csv(
        self, rel: str, required: tuple[str, ...], columns_hint: str
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield ``(line number, row)`` of a CSV file; headers are matched case-insensitively.

        Rows map the lower-cased, stripped header names to cell text ('' for a
        missing cell). A missing required column, an empty file or a
        malformed line raises InputError naming the file.
        """
        limit = csv.field_size_limit()
        csv.field_size_limit(2**31 - 1)  # message bodies may exceed the 128 kB default
        try:
            with self.open_text(rel) as text:
                reader = csv.reader(text, strict=True)  # an unclosed quote is an error
                try:
                    header = next(reader, None)
                    if header is None:
                        raise InputError(
                            f"{self.name(rel)} is empty; expected a header line with "
                            f"{columns_hint}."
                        )
                    names = [h.strip().lower() for h in header]
                    missing = [c for c in required if c not in names]
                    if missing:
                        raise InputError(
                            f"{self.name(rel)} has no column {', '.join(missing)} (its columns: "
                            f"{', '.join(n for n in names if n) or 'none'}); expected "
                            f"{columns_hint}."
                        )
                    index = {n: i for i, n in reversed(list(enumerate(names)))}
                    for row in reader:
                        if not any(cell.strip() for cell in row):
                            continue
                        yield reader.line_num, {
                            n: row[i] if i < len(row) else "" for n, i in index.items()
                        }
                except csv.Error as exc:
                    raise InputError(
                        f"{self.name(rel)}, line {reader.line_num}: not valid CSV ({exc}); the "
                        f"export may be damaged: download it again."
                    ) from None
        finally:
            csv.field_size_limit(limit)


def valid_time(seconds: float) -> bool:
    """Whether ``seconds`` since 1970 (UTC) is a plausible message time (2000-2100)."""
    return math.isfinite(seconds) and EARLIEST_TIME <= seconds < LATEST_TIME

