"""Read a Viva Engage (Yammer) network data export (the ``.zip`` or its unpacked folder).

The format, as Microsoft documents it: "Export data from Yammer Enterprise"
(the file ``yammer/manage-security-and-compliance/export-yammer-enterprise-data.md``
of the ``MicrosoftDocs/OfficeDocs-O365ITPro`` repository, published on
learn.microsoft.com) lists each file of the network data export and what it
holds; the "Network Data Export API"
(https://learn.microsoft.com/rest/api/yammer/network-data-export) makes the
same export; the message fields are named as in Yammer's message API
(https://learn.microsoft.com/rest/api/yammer/messagesin_threadthreadidjson).
Headers are matched case-insensitively; other columns are ignored.

* ``Messages.csv`` — required columns ``id``, ``sender_id``, ``created_at``
  (e.g. ``2019-02-27 13:21:38 UTC``; ISO 8601 and ``2019/02/27 13:21:38
  +0000`` are read too; a time without a zone is UTC) and ``group_id``
  (empty for the All Company feed and private messages). Used when present:
  ``replied_to_id``, ``thread_id``, ``group_name``, ``sender_type`` (rows
  whose value is not ``user`` are not by a person), ``deleted_at`` (deleted
  messages are skipped), ``in_private_conversation`` (private messages are
  no group's posts but still give ties) and, only to find mentions and
  never kept, ``body`` (references ``[[user:1234]]``).
* ``Users.csv`` — required column ``id``; used when present: ``department``
  (or the column named by ``--department-column``, e.g. ``location``),
  ``deleted_at``, ``suspended_at`` (deactivated) and ``state`` (``active``;
  ``soft_delete`` is pending, suspended or deleted). Deleted, deactivated
  and pending users are left out, and their messages skipped. The network
  export lists only the users who joined or changed in its date range; give
  the full list from "Export users" with ``--users`` if the range does not
  cover the network's whole life. Senders missing from the user list are
  kept as people without a department (counted as
  ``people_only_in_messages``).
* ``Groups.csv`` (optional) — columns ``id``, ``name``: the group names.

What counts:

* **Posts**: every message of a group, thread starters and replies alike.
  The group ``All Company`` is the network-wide feed: messages with no
  ``group_id`` that are not private (and a group named All Company).
* **Joins**: the export holds no group memberships, so a person's
  ``joined`` week is the week of their first post in the group.
* **Replies** tie the replier to the author of ``replied_to_id``; thread
  co-participation uses ``thread_id``.
* **Skipped** (counted by reason): rows with no ``id`` or a repeated one,
  deleted messages, a missing or unreadable ``created_at`` (or one outside
  2000-2100), messages not by
  a person, by excluded users, or with no sender.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from ...errors import InputError, reject_nul
from .records import Conversation, ExportData, Post
from .source import ExportSource, valid_time

__all__ = ["parse_time", "read_viva_engage"]

ALL_COMPANY = "all-company"
MENTION = re.compile(r"\[\[user:(\d+)\]\]")
EXPECTED = "a Viva Engage (Yammer) network data export: Messages.csv, Users.csv and Groups.csv"
MESSAGE_COLUMNS = ("id", "sender_id", "created_at", "group_id")
MESSAGE_HINT = "id, sender_id, created_at, group_id (and replied_to_id, thread_id, group_name)"
_TRUE = frozenset({"true", "t", "1", "yes"})
_ZONE = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_OFFSET = re.compile(r"\s*([+-])(\d{2}):?(\d{2})$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")


def parse_time(text: str) -> float | None:
    """Seconds since 1970 of an export time, or None if it cannot be read.

    Examples
    --------
    >>> parse_time("2024-03-04 09:00:00 UTC"), parse_time("2024/03/04 10:00:00 +0100")
    (1709542800.0, 1709542800.0)
    >>> parse_time("yesterday") is None, parse_time("1970-01-02 00:00:00 UTC") is None
    (True, True)
    """
    s = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        seconds = float(s)
    else:
        s = _SLASHED.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", s)
        s = _OFFSET.sub(r"\1\2:\3", _ZONE.sub("+00:00", s))
        try:
            moment = datetime.fromisoformat(s)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = moment.timestamp()
    return seconds if valid_time(seconds) else None


def _users_source(users: Path | None, src: ExportSource) -> tuple[ExportSource, str]:
    """Where the user list is: the ``--users`` file, or Users.csv in the export."""
    if users is None:
        rel = src.find("Users.csv")
        if rel is None:
            raise InputError(
                f"The Viva Engage export {src.path} has Messages.csv but no Users.csv; export "
                f"again with users included, or give the user list with --users."
            )
        return src, rel
    file = Path(reject_nul(users, "--users"))
    if not file.is_file():
        raise InputError(
            f"--users {file} is not a file; give the Users.csv of an \"Export users\" download."
        )
    folder = ExportSource(file.parent, "user list", (file.name,), "the file given to --users")
    rel = folder.find(file.name)
    assert rel is not None  # the marker was found
    return folder, rel


def _read_users(
    src: ExportSource, rel: str, department: str | None, counts: dict[str, int]
) -> tuple[dict[str, str | None], dict[str, str], int]:
    """People (id -> department or None), excluded ids -> reason, rows listed."""
    column = (department or "department").strip().lower()
    required = ("id", column) if department else ("id",)
    people: dict[str, str | None] = {}
    excluded: dict[str, str] = {}
    listed = 0
    for _, row in src.read_csv(rel, required, f"id and {column}"):
        listed += 1
        uid = row["id"].strip()
        if not uid or uid in people or uid in excluded:
            key = "users_without_id" if not uid else "repeated_users"
            counts[key] = counts.get(key, 0) + 1
            continue
        state = row.get("state", "").strip().lower()
        if row.get("deleted_at", "").strip():
            excluded[uid] = "deleted"
        elif row.get("suspended_at", "").strip():
            excluded[uid] = "deactivated"
        elif state not in ("", "active"):
            excluded[uid] = "pending" if state == "soft_delete" else state
        else:
            people[uid] = row.get(column, "").strip() or None
    if listed == 0:
        raise InputError(f"{src.name(rel)} lists no users; the export is empty.")
    return people, excluded, listed


def _read_groups(src: ExportSource) -> dict[str, str]:
    """Group id -> name from Groups.csv (empty if the export has none)."""
    rel = src.find("Groups.csv")
    if rel is None:
        return {}
    return {
        row["id"].strip(): row["name"].strip()
        for _, row in src.read_csv(rel, ("id", "name"), "id and name")
        if row["id"].strip()
    }


def read_viva_engage(
    path: str | os.PathLike[str], users: Path | None = None, department: str | None = None
) -> ExportData:
    """Read a Viva Engage network data export into people, groups and posts.

    Parameters
    ----------
    path
        The export's ``.zip`` file or the folder it was unpacked to.
    users
        A Users.csv to use instead of the export's (e.g. from "Export users").
    department
        The Users.csv column to use as the department (default ``department``
        when present; a named column must exist).

    Returns
    -------
    ExportData
        Message text is not kept.

    Raises
    ------
    InputError
        Not a folder or zip file; no Messages.csv or Users.csv; a CSV file
        missing a required column or not valid CSV; no users.
    """
    counts: dict[str, int] = {}
    skipped: Counter[str] = Counter()
    with ExportSource(path, "Viva Engage export", ("Messages.csv",), EXPECTED) as src:
        users_src, users_rel = _users_source(users, src)
        try:
            people, excluded, listed = _read_users(users_src, users_rel, department, counts)
        finally:
            if users_src is not src:
                users_src.close()
        groups = _read_groups(src)
        conversations = {
            ALL_COMPANY: Conversation(ALL_COMPANY, "All Company"),
            "private": Conversation("private", "private messages", selectable=False),
        }
        for gid, name in groups.items():
            key = ALL_COMPANY if name.lower() == "all company" else f"group:{gid}"
            conversations.setdefault(key, Conversation(key, name or gid, gid))
        authors: dict[str, str] = {}  # message id -> sender id, for replies
        seen: set[str] = set()
        pending: list[tuple[Post, str]] = []
        read = 0
        only_in_messages = 0
        rel = src.find("Messages.csv")
        assert rel is not None  # the marker ExportSource found
        for _, row in src.read_csv(rel, MESSAGE_COLUMNS, MESSAGE_HINT):
            read += 1
            mid = row["id"].strip()
            sender = row["sender_id"].strip()
            if not mid:
                skipped["missing message id"] += 1
                continue
            if mid in seen:
                skipped["repeated message id"] += 1
                continue
            seen.add(mid)
            if sender:
                authors[mid] = sender
            created = row["created_at"].strip()
            time = parse_time(created) if created else None
            sender_type = row.get("sender_type", "").strip().lower()
            if row.get("deleted_at", "").strip():
                reason = "deleted message"
            elif not created:
                reason = "missing timestamp"
            elif time is None:
                reason = "invalid timestamp"
            elif sender_type not in ("", "user"):
                reason = f"not by a person (sender_type {sender_type})"
            elif not sender:
                reason = "no sender"
            elif sender in excluded:
                reason = f"by a {excluded[sender]} account"
            else:
                reason = ""
            if reason:
                skipped[reason] += 1
                continue
            assert time is not None
            if sender not in people:
                people[sender] = None
                only_in_messages += 1
            key = _conversation(row, groups, conversations)
            thread = row.get("thread_id", "").strip()
            replied = row.get("replied_to_id", "").strip()
            post = Post(
                key,
                time,
                sender,
                f"thread:{thread}" if thread else None,
                bool(replied),
                None,
                tuple(sorted(set(MENTION.findall(row.get("body", ""))))),
            )
            pending.append((post, replied))
    posts = []
    for post, replied in pending:
        if replied:
            author = authors.get(replied)
            if author is None:
                counts["replies_to_messages_not_in_export"] = (
                    counts.get("replies_to_messages_not_in_export", 0) + 1
                )
            post = Post(post.where, post.time, post.author, post.thread, True, author,
                        post.mentions)
        posts.append(post)
    counts["people_only_in_messages"] = only_in_messages
    return ExportData(
        platform="Viva Engage",
        source=str(path),
        people=people,
        users_listed=listed,
        excluded=Counter(excluded.values()),
        conversations=conversations,
        posts=posts,
        joins=[],
        messages_read=read,
        skipped=skipped,
        counts=counts,
        noun="group",
        option="--group",
    )


def _conversation(
    row: dict[str, str], groups: dict[str, str], conversations: dict[str, Conversation]
) -> str:
    """The key of the group (or All Company, or private messages) a message belongs to."""
    if row.get("in_private_conversation", "").strip().lower() in _TRUE:
        return "private"
    gid = row["group_id"].strip()
    if not gid:
        return ALL_COMPANY
    name = groups.get(gid) or row.get("group_name", "").strip() or gid
    key = ALL_COMPANY if name.lower() == "all company" else f"group:{gid}"
    conversations.setdefault(key, Conversation(key, name, gid))
    return key
