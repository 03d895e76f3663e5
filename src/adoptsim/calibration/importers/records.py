"""What an importer reads an export into: people, conversations, posts and joins.

Message text is used only while a message is read, to find mentions; none
of these records holds it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Conversation", "ExportData", "Join", "Post"]


@dataclass(frozen=True, slots=True)
class Post:
    """A message written by a person (a post or a reply), without its text.

    Attributes
    ----------
    where
        Key of the conversation it was posted in.
    time
        Seconds since 1970-01-01 UTC.
    author
        The export's user id of its poster.
    thread
        Key of the thread it belongs to, or None.
    reply
        Whether it answers another message (in a thread or by ``replied_to_id``).
    replied_to
        The export's user id of the author of the message it answers, if known.
    mentions
        The export's user ids of the people it mentions.
    """

    where: str
    time: float
    author: str
    thread: str | None = None
    reply: bool = False
    replied_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Join:
    """A person joining a conversation (Slack's ``channel_join``)."""

    where: str
    time: float
    person: str


@dataclass(slots=True)
class Conversation:
    """A channel, group, or direct conversation of an export.

    Attributes
    ----------
    key
        Unique key (Slack: the folder name; Viva Engage: ``group:<id>``, ...).
    name
        The name people know it by (``#general``, ``All Company``).
    ident
        The export's id of it (Slack ``C024BE91L``, a Viva Engage group id).
    selectable
        Whether it can be the channel whose adoption is observed.
    members
        For a direct conversation: its members, each message tying its poster
        to the others.
    """

    key: str
    name: str
    ident: str = ""
    selectable: bool = True
    members: tuple[str, ...] = ()


@dataclass
class ExportData:
    """An export reduced to metadata: people, conversations, posts and joins.

    ``people`` maps the export's user id of everyone included (not a bot,
    not deleted or deactivated) to their department label (None when the
    export gives none). ``excluded`` counts the accounts left out by reason;
    ``skipped`` the messages not used, by reason.
    """

    platform: str
    source: str
    people: dict[str, str | None]
    users_listed: int
    excluded: Counter[str]
    conversations: dict[str, Conversation]
    posts: list[Post]
    joins: list[Join]
    messages_read: int
    skipped: Counter[str]
    counts: dict[str, int] = field(default_factory=dict)
    noun: str = "channel"
    option: str = "--channel"
