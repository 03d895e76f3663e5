"""Read a Slack workspace export (the ``.zip`` or its unpacked folder).

The format, as Slack documents it ("How to read Slack data exports",
https://slack.com/help/articles/220556107) and as Slack's API defines the
message fields (https://api.slack.com/events/message, "Retrieving
messages", https://docs.slack.dev/messaging/retrieving-messages/):

* ``users.json`` (``org_users.json`` in an Enterprise Grid export): a list
  of users. Used: ``id``; ``deleted`` (true for a deactivated account);
  ``is_bot``. ``USLACKBOT`` is Slackbot. The standard export has no
  department, so every ``department`` in ``nodes.csv`` is ``unknown``.
* ``channels.json`` (public channels), and in exports of all conversations
  ``groups.json`` (private channels), ``mpims.json`` (group direct
  messages) and ``dms.json`` (direct messages): lists of conversations.
  Used: ``name`` (the folder of a channel, private channel or group DM),
  ``id`` (the folder of a DM; also accepted by ``--channel``), ``members``
  (of direct conversations).
* One folder per conversation holding one ``YYYY-MM-DD.json`` file per day:
  a list of messages. Used: ``ts`` (seconds since 1970 as text, e.g.
  ``"1512085950.000216"``), ``user``, ``subtype``, ``bot_id``,
  ``thread_ts`` (equal to ``ts`` on a thread's parent, the parent's ``ts``
  on its replies), ``parent_user_id`` (on replies), ``root`` (on
  ``thread_broadcast`` replies), and, only to find mentions and never
  kept, ``text`` (``<@U024BE7LH>`` or ``<@U024BE7LH|name>``) and
  ``blocks`` (rich-text elements ``{"type": "user", "user_id": ...}``).

What counts:

* **Posts**: messages with no subtype or subtype ``thread_broadcast``,
  ``file_share`` or ``me_message``, by a person; thread replies are posts.
* **Joins**: subtype ``channel_join`` (``group_join`` in old private
  channels).
* **Skipped** (counted in ``import_report.json`` by reason): messages with
  no ``ts`` or one that is not a time between 2000 and 2100; bot messages
  (subtype ``bot_message`` or a ``bot_id`` without a ``user``); messages by
  bots, deactivated or unknown users; other subtypes (``channel_leave``,
  ``channel_topic``, ...); the second copy of a message seen twice.
* **Replies** tie the replier to the thread's parent author
  (``parent_user_id``, else the author of the message whose ``ts`` is the
  reply's ``thread_ts``).

Bots (``is_bot``, Slackbot) and deactivated accounts (``deleted``) are
left out of the people, and their messages are skipped.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from ...errors import InputError
from .records import Conversation, ExportData, Join, Post
from .source import ExportSource, valid_time

__all__ = ["read_slack"]

POST_SUBTYPES = frozenset({"", "thread_broadcast", "file_share", "me_message"})
JOIN_SUBTYPES = frozenset({"channel_join", "group_join"})
SLACKBOT = "USLACKBOT"
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
EXPECTED = (
    "a Slack workspace export: users.json, channels.json and one folder of daily "
    "YYYY-MM-DD.json message files per channel"
)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A usable message of one conversation before its thread parent is resolved."""

    time: float
    author: str
    join: bool
    thread_ts: str | None
    reply: bool
    parent: str | None
    mentions: tuple[str, ...]


def _seconds(ts: object) -> float | None:
    """Slack's ``ts`` as seconds since 1970, or None if it is not a valid time."""
    if isinstance(ts, bool) or not isinstance(ts, str | int | float):
        return None
    try:
        seconds = float(ts)
    except ValueError:
        return None
    return seconds if valid_time(seconds) else None


def _mentions(message: dict) -> tuple[str, ...]:
    """User ids mentioned in the message's text or rich-text blocks (the text is not kept)."""
    found = set()
    text = message.get("text")
    if isinstance(text, str):
        found.update(MENTION.findall(text))
    stack = [message.get("blocks")]
    while stack:  # iterative: blocks may nest deeply
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "user" and isinstance(node.get("user_id"), str):
                found.add(node["user_id"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(sorted(found))


def _list_of_objects(src: ExportSource, rel: str, what: str) -> list:
    data = src.read_json(rel)
    if not isinstance(data, list):
        raise InputError(
            f"{src.name(rel)} is not a list of {what} (it holds a JSON "
            f"{type(data).__name__}); the export may be damaged: download it again."
        )
    return data


def _read_users(
    src: ExportSource, rel: str, counts: dict[str, int]
) -> tuple[dict[str, str | None], dict[str, str], int]:
    """People (id -> department None), excluded ids -> reason, and the number listed."""
    users = _list_of_objects(src, rel, "users")
    if not users:
        raise InputError(f"{src.name(rel)} lists no users; the export is empty.")
    people: dict[str, str | None] = {}
    excluded: dict[str, str] = {}
    for user in users:
        uid = user.get("id") if isinstance(user, dict) else None
        if not isinstance(uid, str) or not uid:
            counts["users_without_id"] = counts.get("users_without_id", 0) + 1
        elif user.get("is_bot") is True or uid == SLACKBOT:
            excluded[uid] = "bot"
        elif user.get("deleted") is True:
            excluded[uid] = "deactivated"
        else:
            people[uid] = None
    return people, excluded, len(users)


def _read_conversations(src: ExportSource, counts: dict[str, int]) -> dict[str, Conversation]:
    """The conversations listed in channels.json and, if present, the other lists."""
    channels = src.find("channels.json")
    if channels is None:
        raise InputError(
            f"The Slack export {src.path} has no channels.json; expected {EXPECTED}."
        )
    conversations: dict[str, Conversation] = {}
    # (file, selectable, folder named by "name" or by "id")
    for file, selectable, folder_key in (
        (channels, True, "name"),
        (src.find("groups.json"), True, "name"),
        (src.find("mpims.json"), False, "name"),
        (src.find("dms.json"), False, "id"),
    ):
        if file is None:
            continue
        for entry in _list_of_objects(src, file, "conversations"):
            folder = entry.get(folder_key) if isinstance(entry, dict) else None
            if not isinstance(folder, str) or not folder or folder in conversations:
                counts["conversations_without_name"] = (
                    counts.get("conversations_without_name", 0) + 1
                )
                continue
            ident = entry.get("id")
            members = entry.get("members") if not selectable else None
            conversations[folder] = Conversation(
                key=folder,
                name=f"#{folder}" if selectable else folder,
                ident=ident if isinstance(ident, str) else "",
                selectable=selectable,
                members=tuple(m for m in members if isinstance(m, str))
                if isinstance(members, list)
                else (),
            )
    return conversations


def read_slack(path: str | os.PathLike[str]) -> ExportData:
    """Read a Slack workspace export into people, conversations, posts and joins.

    Parameters
    ----------
    path
        The export's ``.zip`` file or the folder it was unpacked to.

    Returns
    -------
    ExportData
        Message text is not kept.

    Raises
    ------
    InputError
        Not a folder or zip file; no ``users.json`` or ``channels.json``;
        malformed JSON; a file that is not a list; no users.
    """
    counts: dict[str, int] = {}
    skipped: Counter[str] = Counter()
    posts: list[Post] = []
    joins: list[Join] = []
    read = 0
    with ExportSource(path, "Slack export", ("users.json", "org_users.json"), EXPECTED) as src:
        users_file = src.find("users.json") or src.find("org_users.json")
        assert users_file is not None  # ExportSource found one of them
        people, excluded, listed = _read_users(src, users_file, counts)
        conversations = _read_conversations(src, counts)
        folders = src.folders()
        for key in conversations:
            folder = folders.get(key.lower())
            if folder is None:
                continue
            authors: dict[str, str] = {}  # ts -> user or bot id, for thread parents
            pending: list[_Pending] = []
            seen: set[tuple[str, str, bool]] = set()
            for rel in src.files(folder, ".json"):
                for message in _list_of_objects(src, rel, "messages"):
                    read += 1
                    reason = _classify(message, people, excluded)
                    if isinstance(message, dict) and reason not in (
                        "not a JSON object", "missing timestamp", "invalid timestamp"
                    ):
                        author = message.get("user") or message.get("bot_id")
                        if isinstance(author, str):
                            authors.setdefault(str(message["ts"]), author)
                    if reason:
                        skipped[reason] += 1
                        continue
                    ts = str(message["ts"])
                    user = message["user"]
                    join = (message.get("subtype") or "") in JOIN_SUBTYPES
                    if (ts, user, join) in seen:
                        skipped["duplicate message"] += 1
                        continue
                    seen.add((ts, user, join))
                    pending.append(_pending(message, ts, user, join))
            for p in pending:
                if p.join:
                    joins.append(Join(key, p.time, p.author))
                    continue
                parent = p.parent
                if p.reply and parent is None and p.thread_ts is not None:
                    parent = authors.get(p.thread_ts)
                if p.reply and parent is None:
                    counts["replies_to_messages_not_in_export"] = (
                        counts.get("replies_to_messages_not_in_export", 0) + 1
                    )
                thread = f"{key}/{p.thread_ts}" if p.thread_ts is not None else None
                posts.append(Post(key, p.time, p.author, thread, p.reply, parent, p.mentions))
    return ExportData(
        platform="Slack",
        source=str(path),
        people=people,
        users_listed=listed,
        excluded=Counter(excluded.values()),
        conversations=conversations,
        posts=posts,
        joins=joins,
        messages_read=read,
        skipped=skipped,
        counts=counts,
        noun="channel",
        option="--channel",
    )


def _classify(message: object, people: dict, excluded: dict[str, str]) -> str:
    """Why a message is skipped, or '' if it is a usable post or join."""
    if not isinstance(message, dict):
        return "not a JSON object"
    if "ts" not in message or message["ts"] in (None, ""):
        return "missing timestamp"
    if _seconds(message["ts"]) is None:
        return "invalid timestamp"
    subtype = message.get("subtype") or ""
    user = message.get("user")
    if subtype == "bot_message" or (not user and message.get("bot_id")):
        return "bot message"
    if not isinstance(subtype, str) or (subtype not in POST_SUBTYPES | JOIN_SUBTYPES):
        return f"not a post ({subtype})"
    if not isinstance(user, str) or not user:
        return "no user"
    if user in excluded:
        return f"by a {excluded[user]} account"
    if user not in people:
        return "unknown user"
    return ""


def _pending(message: dict, ts: str, user: str, join: bool) -> _Pending:
    """The metadata of a usable message; its text is read for mentions only."""
    time = _seconds(ts)
    assert time is not None  # _classify checked it
    thread_ts = message.get("thread_ts")
    thread_ts = str(thread_ts) if isinstance(thread_ts, str | int | float) else None
    reply = thread_ts is not None and thread_ts != ts
    parent = message.get("parent_user_id")
    root = message.get("root")
    if not isinstance(parent, str) and isinstance(root, dict):
        parent = root.get("user")  # thread_broadcast replies carry their thread's root
    return _Pending(
        time,
        user,
        join,
        None if join else thread_ts,
        reply and not join,
        parent if isinstance(parent, str) and reply else None,
        () if join else _mentions(message),
    )
