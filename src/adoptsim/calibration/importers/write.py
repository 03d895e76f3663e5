"""Writing the calibration files of an export, all of them or none.

An importer (:mod:`.slack`, :mod:`.viva_engage`) reads an export into an
:class:`~.records.ExportData`: the people (bots and deleted or deactivated
accounts already left out), the conversations, and one
:class:`~.records.Post` or :class:`~.records.Join` per usable message.
Message text is used only while a message is read, to find mentions; it is
never stored. :func:`import_export` then writes, for the chosen channel
or group, into the output folder:

``edges.csv`` — ``source,target,weight``
    Undirected ties, one row per pair (``source`` < ``target``), no
    self-ties; ``weight`` is the number of interactions between the two:

    * **reply**: a reply ties its poster to the author of the message it
      answers (Slack: the thread's parent; Viva Engage: ``replied_to_id``);
    * **mention**: a post ties its poster to each person it mentions (once
      per post and person);
    * **thread**: two people who both replied in the same thread, once per
      thread, in threads with at most ``max_thread_size`` repliers (a
      company-wide announcement with 500 comments is no evidence that its
      commenters know each other; 0 turns these ties off);
    * **direct**: a message in a direct or group direct conversation (Slack
      exports of all conversations) ties its poster to the other members.

    Ties come from every conversation in the export (``ties_from="all"``)
    or from all but the chosen one (``"other"``): ties that people made in
    the chosen channel itself link those who joined it to those who were
    already there, which inflates the network exposure at adoption that
    individual calibration fits.
``nodes.csv`` — ``id,department``
    Everyone in the export who is not a bot and not deleted or deactivated,
    sorted by id. ``department`` is the export's label, or ``unknown`` where
    the export has none (Slack never has one), so that the file loads as an
    adoptsim node table (which refuses empty cells).
``observed_individual.csv`` — ``id,joined``
    The week each person first posted in or joined the chosen channel;
    empty for people who never did.
``observed_weekly.csv`` — ``week,member,active,posts``
    One row per week of the chosen channel, from week 0 (the week of its
    first post or join) to the week of the last message in the export:
    ``member`` is the share of the people in ``nodes.csv`` who have joined
    or posted by that week, ``active`` the share who posted in it in the
    last ``window`` weeks (that week and the ``window - 1`` before, as the
    model's ``posting.window``), ``posts`` the number of posts in it that
    week. Leaving a channel is not undone: members stay members.
``import_report.json``
    Counts: people, messages read, posts and joins in the channel, ties by
    kind, weeks, the channel chosen and why, skipped messages by reason.

Weeks are calendar weeks from Monday 00:00 UTC; week ``w`` of a time ``t``
is the number of whole weeks between the Monday of week 0 and ``t``.

People are written as pseudonyms: ``p`` and the first 12 hex digits of the
HMAC-SHA256 of their export id keyed with a salt (longer if two would
collide). The salt is random for each run and stored nowhere unless asked
for (``keep_salt``); the same salt gives the same pseudonyms, so two
imports can be linked by reusing it. ``keep_names`` writes the export's
own user ids instead.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ...atomic import writable_folder
from ...errors import InputError
from .observe import choose, count_ties, observe, reasons
from .options import ImportOptions
from .pseudonyms import pseudonyms
from .records import ExportData

__all__ = ["UNKNOWN_DEPARTMENT", "ImportResult", "import_export"]

#: The department written for people whose export gives none.
UNKNOWN_DEPARTMENT = "unknown"


def _share(x: float) -> str:
    return f"{round(x, 6):.6g}"


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_all(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write the files into ``folder`` all or nothing: temporary files first, then renames."""
    written: list[tuple[Path, Path]] = []
    mode = 0o666 & ~_umask()  # mkstemp makes 0600 files; results get the usual mode
    folder = writable_folder(folder, "--out")
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            written.append((Path(tmp), folder / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.chmod(tmp, mode)
        for tmp, final in written:
            os.replace(tmp, final)
    except OSError as exc:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise InputError(
            f"Cannot write the results in --out {folder}: {exc.strerror or exc}. Free some space "
            f"or choose another folder."
        ) from None
    return [final for _, final in written]


def _write_salt(path: Path, salt: str) -> None:
    """Write the salt readable by its owner only: it undoes the pseudonyms."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(salt + "\n")


@dataclass
class ImportResult:
    """What :func:`import_export` wrote and the report it wrote with it."""

    files: list[Path]
    report: dict
    salt_file: Path | None


def import_export(data: ExportData, out: Path, options: ImportOptions) -> ImportResult:
    """Write the calibration files for ``data`` into ``out`` (see the module notes).

    Parameters
    ----------
    data
        The export, read by an importer.
    out
        Output folder, created if missing; files of the same names are replaced.
    options
        The channel and how to count.

    Returns
    -------
    ImportResult
        The files written and the report (also written as ``import_report.json``).

    Raises
    ------
    InputError
        Unknown channel, nothing to observe, or a folder that cannot be written.
    """
    if not data.people:
        raise InputError(
            f"The {data.platform} export {data.source} lists no people (after leaving out "
            f"{reasons(data.excluded) or 'nobody'}); there is nothing to import."
        )
    post_counts = Counter(p.where for p in data.posts)
    where, chosen_by = choose(data, post_counts, options.where)
    observed = observe(data, where, options.window)
    ties, kinds = count_ties(
        data, where if options.ties_from == "other" else None, options.max_thread_size
    )
    ids = sorted(data.people)
    salt = None
    if options.keep_names:
        out_id = {i: i for i in ids}
    else:
        salt = options.salt if options.salt is not None else secrets.token_hex(16)
        out_id = pseudonyms(ids, salt)
    order = sorted(ids, key=out_id.__getitem__)
    nodes = [[out_id[i], data.people[i] or UNKNOWN_DEPARTMENT] for i in order]
    individual = [[out_id[i], observed.joined.get(i, "")] for i in order]
    edges = sorted([*sorted((out_id[a], out_id[b])), w] for (a, b), w in ties.items())
    weekly = [[w, _share(m), _share(a), p] for w, m, a, p in observed.weekly]
    report = {
        "platform": data.platform,
        "export": data.source,
        data.noun: data.conversations[where].name,
        f"{data.noun}_chosen_by": chosen_by,
        f"{data.noun}s": [
            {"name": c.name, "posts": post_counts[c.key]}
            for c in sorted(data.conversations.values(), key=lambda c: -post_counts[c.key])
            if c.selectable
        ],
        "users": {
            "listed": data.users_listed,
            "included": len(data.people),
            "with_department": sum(d is not None for d in data.people.values()),
            "excluded": dict(data.excluded.most_common()),
        },
        "messages_read": data.messages_read,
        "posts": len(data.posts),
        "joins": len(data.joins),
        f"posts_in_{data.noun}": observed.posts,
        f"joins_in_{data.noun}": observed.joins,
        "people_joined": len(observed.joined),
        "ties": len(ties),
        "interactions": {k: kinds[k] for k in ("reply", "mention", "thread", "direct")},
        "ties_from": options.ties_from,
        "max_thread_size": options.max_thread_size,
        "weeks": len(observed.weekly),
        "week0_starts": datetime.fromtimestamp(observed.start, UTC).date().isoformat(),
        "window": options.window,
        "skipped": dict(data.skipped.most_common()),
        **data.counts,
        "ids": "export user ids" if options.keep_names else "pseudonyms (salted HMAC-SHA256)",
        "salt_stored": options.keep_salt is not None,
    }
    files = {
        "edges.csv": _csv_text(["source", "target", "weight"], edges),
        "nodes.csv": _csv_text(["id", "department"], nodes),
        "observed_individual.csv": _csv_text(["id", "joined"], individual),
        "observed_weekly.csv": _csv_text(["week", "member", "active", "posts"], weekly),
        "import_report.json": json.dumps(report, indent=2, ensure_ascii=False) + "\n",
    }
    written = _write_all(out, files)
    if options.keep_salt is not None and salt is not None:
        try:
            _write_salt(options.keep_salt, salt)
        except OSError as exc:
            raise InputError(
                f"Cannot write the salt to --keep-salt {options.keep_salt}: {exc.strerror}. The "
                f"results in {out} are written; run again with --salt to reproduce them."
            ) from None
    return ImportResult(written, report, options.keep_salt)
