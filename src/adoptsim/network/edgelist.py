"""Reading a real organisation's network from a CSV/TSV edge list and node table.

Decisions:

- **Edge lists** (:func:`load_edgelist`): CSV, TSV (or semicolon-separated)
  with a header naming ``source`` and ``target`` (case-insensitive) and an
  optional ``weight``; other columns are ignored. Ids are stripped of
  surrounding spaces and otherwise arbitrary strings. Blank lines are
  skipped. Weights must be finite and ≥ 0. Self-loops are dropped; duplicate
  ties (including the reversed pair) are merged keeping the **largest**
  weight; both are reported with :func:`warnings.warn`. Node order is the
  node table's row order if given, else first appearance in the edge list.
  Without a node table: department 0, ``team = i // 8``, level 0. In a node
  table (header ``id`` plus any of ``department, team, level, comms``)
  department and team labels become integer ids: sorted numerically when all
  labels are plain integers ("7", not "07"), else in order of first appearance; a team is a
  (department, team) pair, numbered department by department; without a
  ``team`` column each department is one team. ``level`` must be 0, 1 or 2;
  ``comms`` accepts 1/0, true/false, yes/no (case-insensitive) and an empty
  cell (false); other cells may not be empty.
- **Two edge-list readers.** A clean file is read by pyarrow's CSV reader
  (10⁶ edges in about a second); anything unusual (wrong field count,
  padded or empty ids, bad weights, unknown ids, bad bytes) makes it hand
  over to a line-by-line ``csv`` reader, which is the reference: it accepts

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ties.csv"
>>> _ = path.write_text("source,target\\nAda,Bo\\nBo,Cy\\n")
>>> net = load_edgelist(path)
>>> net.labels.tolist(), net.n_edges
(['Ada', 'Bo', 'Cy'], 2)
"""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, reject_nul
from ..memory import require_memory
from .csr import build_bytes, csr_with_weights, dense_codes
from .generators import BLOCK_TEAM
from .graph import Network
from .tables import READ_ERRORS, count_lines, io_errors, read_header, read_table

#: Peak bytes per byte of an edge-list file while it is parsed (pyarrow's
#: table of strings, the interleaved ends and their dictionary encoding).
READ_BYTES_PER_FILE_BYTE = 3


#: Networks read in this process, by the files' contents (a hash: faster than
#: parsing by far): a sweep or a calibration reads the same files in every run.
_READ: dict[tuple, Network] = {}
#: Networks kept in :data:`_READ` (the oldest goes first).
READ_CACHE = 4


class EdgeListWarning(UserWarning):
    """A repaired problem in an edge list (self-loops dropped, duplicate ties merged).

    The message is a single line naming the file.
    """



_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}


class _Slow(Exception):
    """The fast edge-list reader met something odd: re-read line by line."""



def _label_codes(labels: list[str]) -> np.ndarray:
    """Integer codes: numeric order if all labels are plain integers, else first appearance.

    "Plain" means written the way Python writes the number, so "07" and "7"
    stay different labels.
    """
    try:
        values = [int(x) for x in labels]
        plain = all(str(v) == x for v, x in zip(values, labels, strict=True))
    except ValueError:
        plain = False
    if plain:
        return dense_codes(np.array(values, np.int64))
    order: dict[str, int] = {}
    return np.array([order.setdefault(x, len(order)) for x in labels], np.int32)


def _read_nodes(path: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Read a node table: ids in order and its department/team/level/comms columns."""
    what = "Node table"
    rows = read_table(path, what, ("id",), "id[,department,team,level,comms]")
    cols = next(rows)
    ids: dict[str, int] = {}
    wanted = [c for c in ("department", "team", "level", "comms") if c in cols]
    values: dict[str, list] = {c: [] for c in wanted}
    ic = cols["id"]
    for line_no, row in rows:
        where = f"{what} {path}, line {line_no}"
        node = row[ic].strip()
        if not node:
            raise InputError(f"{where}: empty id; every row needs an id.")
        if node in ids:
            raise InputError(f"{where}: id {node!r} appears twice; ids must be unique.")
        ids[node] = len(ids)
        for c in wanted:
            values[c].append(_node_cell(c, row[cols[c]].strip(), where))
    if not ids:
        raise InputError(f"{what} {path} has a header but no rows; list one node per line.")
    return ids, _node_columns(values, len(ids))


def _node_cell(column: str, v: str, where: str) -> int | bool | str:
    """One cell of a node table's ``level``, ``comms``, ``department`` or ``team`` column."""
    if column == "level":
        if v not in ("0", "1", "2"):
            raise InputError(f"{where}: level {v!r} is not allowed; use 0 (staff), 1 (team "
                             f"lead) or 2 (department head).")
        return int(v)
    if column == "comms":
        low = v.lower()
        if low not in _TRUE and low not in _FALSE:
            raise InputError(f"{where}: comms {v!r} is not a yes/no value; use 1/0, "
                             f"true/false or yes/no (empty means no).")
        return low in _TRUE
    if not v:
        raise InputError(f"{where}: empty {column}; give every row a {column} (any name or "
                         f"number) or leave the column out.")
    return v


def _node_columns(values: dict[str, list], n: int) -> dict[str, np.ndarray]:
    """A node table's columns as the arrays of a :class:`Network` (labels become codes)."""
    out: dict[str, np.ndarray] = {}
    dept = (
        _label_codes(values["department"]) if "department" in values else np.zeros(n, np.int32)
    )
    out["department"] = dept
    if "team" in values:
        tcode = _label_codes(values["team"]).astype(np.int64)
        key = dept.astype(np.int64) * (int(tcode.max()) + 1) + tcode
        out["team"] = dense_codes(key)
    else:
        out["team"] = dept.copy()  # one team per department
    out["level"] = np.array(values.get("level", np.zeros(n)), np.int8)
    if "comms" in values:
        out["comms"] = np.array(values["comms"], bool)
    return out


_EDGES = ("Edge list", ("source", "target"), "source,target[,weight]")

EdgeData = tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray | None]


def _edges_fast(path: Path, fixed: dict[str, int] | None) -> EdgeData:
    """Read an edge list with pyarrow's CSV reader (several times faster).

    Raises :class:`_Slow` on anything unusual (wrong field count, blank or
    padded ids, bad weight, unknown id, decoding trouble) so that
    :func:`_edges_slow` finds the line and writes the message; a clean file
    gives the same result either way.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    what, required, example = _EDGES
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            names, delim, line = read_header(f, path, what, required, example)
    except READ_ERRORS as exc:
        raise io_errors(path, what)(exc, 0) from None
    if line != 1:
        raise _Slow
    wanted = ["source", "target"] + (["weight"] if "weight" in names else [])
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delim, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        both = pa.concat_arrays(
            [table["source"].combine_chunks(), table["target"].combine_chunks()]
        )
        m = len(table)
        if m and (
            pc.min(pc.utf8_length(both)).as_py() == 0
            or pc.any(pc.not_equal(pc.utf8_trim_whitespace(both), both)).as_py()
        ):
            raise _Slow  # empty or padded ids: the slow reader strips or complains
        ids, codes = _arrow_codes(both, m, fixed)
        weights = None
        if "weight" in wanted:
            weights = pc.cast(table["weight"], pa.float64()).to_numpy()
            if not np.all((weights >= 0) & np.isfinite(weights)):
                raise _Slow
    except (pa.ArrowException, OSError, ValueError):
        raise _Slow from None
    codes = np.asarray(codes, np.int32)
    return ids, codes[0::2].copy(), codes[1::2].copy(), weights


def _arrow_codes(both: Any, m: int, fixed: dict[str, int] | None) -> tuple[dict[str, int], Any]:
    """Node codes of the ``m`` sources then ``m`` targets in ``both``, interleaved.

    Ids are numbered in order of first appearance (source, target, source,
    ...), as the line-by-line reader numbers them; with a node table
    (``fixed``) an id missing from it raises :class:`_Slow`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    order = np.empty(2 * m, np.int64)
    order[0::2] = np.arange(m)
    order[1::2] = np.arange(m, 2 * m)
    ends = pc.take(both, pa.array(order))
    if fixed is None:
        encoded = pc.dictionary_encode(ends)
        labels = encoded.dictionary.to_pylist()
        return (dict(zip(labels, range(len(labels)), strict=True)),
                encoded.indices.to_numpy(zero_copy_only=False))
    found = pc.index_in(ends, value_set=pa.array(list(fixed), pa.string()))
    if found.null_count:
        raise _Slow
    return fixed, found.to_numpy(zero_copy_only=False)


def _edges_slow(path: Path, fixed: dict[str, int] | None, npath: Path | None) -> EdgeData:
    """Read an edge list row by row, raising :class:`InputError` at the first problem."""
    what, required, example = _EDGES
    rows = read_table(path, what, required, example)
    cols = next(rows)
    si, ti, wi = cols["source"], cols["target"], cols.get("weight", -1)
    ids: dict[str, int] = {} if fixed is None else fixed
    src: list[int] = []
    dst: list[int] = []
    wts: list[float] = []
    unknown: dict[str, int] = {}
    for line_no, row in rows:
        ends = []
        for role, col in (("source", si), ("target", ti)):
            node = row[col].strip()
            if not node:
                raise InputError(
                    f"{what} {path}, line {line_no}: empty {role} id; every row needs "
                    f"both a source and a target."
                )
            code = ids.get(node)
            if code is None:
                if fixed is not None:
                    unknown.setdefault(node, line_no)
                    code = -1
                else:
                    code = ids[node] = len(ids)
            ends.append(code)
        src.append(ends[0])
        dst.append(ends[1])
        if wi >= 0:
            text = row[wi].strip()
            try:
                x = float(text)
            except ValueError:
                x = math.nan
            if not 0.0 <= x < math.inf:
                raise InputError(
                    f"{what} {path}, line {line_no}: weight {text!r} is not allowed; "
                    f"weights must be finite numbers >= 0 (or leave the weight column out)."
                )
            wts.append(x)
    if unknown:
        first = list(unknown.items())[:5]
        shown = ", ".join(f"{k!r} (line {v})" for k, v in first)
        more = f" and {len(unknown) - len(first)} more" if len(unknown) > len(first) else ""
        raise InputError(
            f"{what} {path} mentions {len(unknown)} id(s) missing from the node table "
            f"{npath}: {shown}{more}. Add them to the node table or remove their rows."
        )
    weights = np.array(wts, np.float64) if wi >= 0 else None
    return ids, np.array(src, np.int32), np.array(dst, np.int32), weights


def load_edgelist(edges: str | Path, nodes: str | Path | None = None) -> Network:
    """Load a real organisation's network from a CSV/TSV edge list.

    Parameters
    ----------
    edges : str or pathlib.Path
        CSV or TSV with a header naming ``source`` and ``target`` (and
        optionally ``weight``, finite and ≥ 0); one undirected tie per row;
        ids are arbitrary strings. Other columns are ignored.
    nodes : str or pathlib.Path, optional
        Node table with a header ``id`` and any of ``department``, ``team``,
        ``level`` (0–2), ``comms`` (yes/no). Its rows fix the node order and
        keep nodes without ties; every id in ``edges`` must appear in it.

    Returns
    -------
    Network
        With ``labels`` (the ids), ``weights`` if the file has a weight
        column, and ``comms`` if the node table has one.

    Raises
    ------
    InputError
        One paragraph naming the file, the line and the problem: missing,
        empty or unreadable file, missing header, wrong number of fields,
        empty id, bad weight, ids missing from the node table.

    Notes
    -----
    Self-loops are dropped and duplicate ties (also reversed ones) merged,
    keeping the largest weight; both are reported as warnings. See the
    module notes for how node-table labels become integer ids. Files read
    before in the same process, unchanged since, are not read again (the
    same :class:`Network` is returned; treat it as read-only).
    """
    epath = Path(edges)
    npath = Path(nodes) if nodes is not None else None
    for what, path in (("Edge list path", epath), ("Node table path", npath)):
        if path is not None:
            reject_nul(path, what)
    key = _identity(epath, npath)
    if key is not None and key in _READ:
        return _READ[key]
    network = _load(epath, npath)
    if key is not None:
        while len(_READ) >= READ_CACHE:
            del _READ[next(iter(_READ))]
        _READ[key] = network
    return network


def _identity(*paths: Path | None) -> tuple | None:
    """The files' content hashes; None if one cannot be read (reading reports why)."""
    key = []
    for path in paths:
        if path is None:
            key.append(None)
            continue
        digest = hashlib.blake2b(digest_size=16)
        try:
            with path.open("rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
        except OSError:
            return None
        key.append(digest.hexdigest())
    return tuple(key)


def _load(epath: Path, npath: Path | None) -> Network:
    """Read and check the files (:func:`load_edgelist` without the cache)."""
    n_est, ties_est, peak = edgelist_size(epath, npath)
    require_memory(
        peak,
        f"Reading edge list {_one_line(epath)} (about {ties_est:,} ties, "
        f"{n_est:,} employees)",
        "Use a smaller edge list.",
    )
    fixed, node_cols = _read_nodes(npath) if npath is not None else (None, {})
    ids, src, dst, w = _read_edges(epath, fixed, npath)
    n = len(ids)
    loops = int(np.count_nonzero(src == dst))
    indptr, indices, weights = csr_with_weights(src, dst, n, w)
    _warn_repairs(epath, loops, len(src) - loops - len(indices) // 2, weights is not None)
    labels = np.empty(n, object)
    labels[:] = list(ids)
    if fixed is not None:
        department, team, level = node_cols["department"], node_cols["team"], node_cols["level"]
    else:
        department = np.zeros(n, np.int32)
        team = np.arange(n, dtype=np.int32) // BLOCK_TEAM
        level = np.zeros(n, np.int8)
    return Network(
        indptr, indices, department, team, level,
        weights=weights, labels=labels, comms=node_cols.get("comms"),
    )


def _read_edges(epath: Path, fixed: dict[str, int] | None, npath: Path | None) -> EdgeData:
    """The edge list's ids and ends: by the fast reader, or line by line if it gives up."""
    try:
        data = _edges_fast(epath, fixed)
    except _Slow:
        data = _edges_slow(epath, fixed, npath)
    if not data[0]:
        raise InputError(
            f"Edge list {epath} has a header but no ties, and no node table gives nodes; "
            f"add rows 'source,target'."
        )
    return data


def _warn_repairs(epath: Path, loops: int, dups: int, weighted: bool) -> None:
    """Report dropped self-loops and merged duplicates (at the caller of load_edgelist)."""
    if loops:
        warnings.warn(
            f"Edge list {_one_line(epath)}: dropped {loops} self-loop(s) (ties of a node "
            f"to itself).",
            EdgeListWarning,
            stacklevel=3,
        )
    if dups:
        warnings.warn(
            f"Edge list {_one_line(epath)}: merged {dups} duplicate tie(s) (also reversed "
            f"pairs)" + ("; kept the largest weight." if weighted else "."),
            EdgeListWarning,
            stacklevel=3,
        )


def _one_line(path: Path) -> str:
    """A path for a one-line message: as is, or quoted with escapes if it holds
    line breaks or other unprintable characters."""
    text = str(path)
    return text if text.isprintable() else repr(text)




def edgelist_size(edges: Path, nodes: Path | None) -> tuple[int, int, int]:
    """(employees, ties, peak bytes) of reading an edge list, estimated from its lines.

    Every line but the header is taken to be a tie. Without a node table the
    number of employees is taken to be the number of ties (the exact check
    of the population follows once the file is read).
    """
    ties, size = count_lines(edges)
    ties = max(ties - 1, 0)
    n = max(count_lines(nodes)[0] - 1, 0) if nodes is not None else ties
    return n, ties, READ_BYTES_PER_FILE_BYTE * size + build_bytes(n, ties)



