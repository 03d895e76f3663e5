"""Reading CSV/TSV tables line by line, with every problem as one clear error.

The header decides the delimiter (tab, semicolon or comma); each problem
(missing file, undecodable bytes, wrong field count, missing columns)
becomes an :class:`~adoptsim.errors.InputError` naming the file and line.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
>>> _ = path.write_text("id\\tteam\\na\\t1\\n\\nb\\t2\\n")
>>> rows = read_table(path, "Node table", ("id",), "id[,team]")
>>> next(rows), list(rows)
({'id': 0, 'team': 1}, [(2, ['a', '1']), (4, ['b', '2'])])
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError


def io_errors(path: Path, what: str) -> Callable[[BaseException, int], InputError]:
    """Turn I/O and decoding exceptions into one-paragraph :class:`InputError`s."""

    def convert(exc: BaseException, line: int) -> InputError:
        if isinstance(exc, FileNotFoundError):
            return InputError(f"{what} {path} does not exist.")
        if isinstance(exc, IsADirectoryError):
            return InputError(f"{what} {path} is a directory, not a CSV/TSV file.")
        if isinstance(exc, PermissionError):
            return InputError(f"{what} {path} cannot be read (permission denied).")
        if isinstance(exc, UnicodeDecodeError):
            return InputError(
                f"{what} {path} is not a UTF-8 text file (undecodable bytes near line "
                f"{line + 1}); save it as UTF-8 CSV or TSV."
            )
        if isinstance(exc, csv.Error):
            return InputError(f"{what} {path}, near line {line + 1}: unreadable row ({exc}).")
        strerror = getattr(exc, "strerror", None)
        return InputError(f"{what} {path} cannot be read ({strerror or exc}).")

    return convert


READ_ERRORS = (OSError, UnicodeDecodeError, csv.Error)


def read_header(
    f: Any, path: Path, what: str, required: tuple[str, ...], example: str
) -> tuple[list[str], str, int]:
    """Read the header line: (lower-cased column names, delimiter, its line number).

    The delimiter is a tab if the header has tabs and no commas (or the file
    ends in .tsv/.tab), a semicolon if it has only semicolons, else a comma.
    """
    line = 0
    header = ""
    while not header.strip():
        header = f.readline()
        if not header:
            raise InputError(
                f"{what} {path} is empty. It needs a header line naming the columns "
                f"{example} and then one row per line."
            )
        line += 1
    text = header.rstrip("\r\n")
    if "\t" in text and ("," not in text or path.suffix.lower() in (".tsv", ".tab")):
        delim = "\t"
    elif "," not in text and ";" in text:
        delim = ";"
    else:
        delim = ","
    names = [c.strip().lower() for c in next(csv.reader([text], delimiter=delim))]
    missing = [r for r in required if r not in names]
    if missing:
        raise InputError(
            f"{what} {path}, line {line}: the first line must be a header naming "
            f"the columns {example} (comma- or tab-separated), but it is {text!r} "
            f"(missing {', '.join(repr(m) for m in missing)})."
        )
    dup = sorted({c for c in names if c and names.count(c) > 1})
    if dup:
        raise InputError(
            f"{what} {path}, line {line}: the header names column(s) "
            f"{', '.join(repr(d) for d in dup)} more than once."
        )
    return names, delim, line


def read_table(path: Path, what: str, required: tuple[str, ...], example: str) -> Iterator[Any]:
    """Read a CSV/TSV table line by line: yield the column map, then rows.

    Yields ``{name: column}`` once, then ``(line_number, fields)`` for each
    non-blank row with the header's number of fields. Every I/O, decoding or
    format problem becomes an :class:`InputError` naming the file and line.
    """
    line = 0  # last line read, for error messages
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            names, delim, line = read_header(f, path, what, required, example)
            ncol = len(names)
            yield {c: i for i, c in enumerate(names)}
            sep = "tab" if delim == "\t" else repr(delim)
            reader = csv.reader(f, delimiter=delim)
            start = line
            for row in reader:
                line_no = line = start + reader.line_num
                if len(row) != ncol:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # blank line
                    raise InputError(
                        f"{what} {path}, line {line_no}: expected {ncol} fields "
                        f"({', '.join(names)}) separated by {sep}, but found {len(row)}. "
                        f"Every row needs one value per header column."
                    )
                yield line_no, row
    except READ_ERRORS as exc:
        raise io_errors(path, what)(exc, line) from None



def count_lines(path: Path) -> tuple[int, int]:
    """(lines, bytes) of a file, reading it in blocks; (0, 0) if it cannot be read
    (the reader reports that with the line number)."""
    lines = size = 0
    last = b"\n"
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 22):
                lines += block.count(b"\n")
                size += len(block)
                last = block[-1:]
    except (OSError, ValueError):
        return 0, 0
    return lines + (last != b"\n"), size  # a last line without a line break counts too

