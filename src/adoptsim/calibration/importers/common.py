"""What the importers share: reading an export, pseudonyms, and the files they write.

An importer (:mod:`.slack`, :mod:`.viva_engage`) reads an export into an
:class:`ExportData`: the people (bots and deleted or deactivated accounts
already left out), the conversations, and one :class:`Post` or
:class:`Join` per usable message. Message text is used only while a
message is read, to find mentions; it is never stored. :func:`import_export`
then writes, for the chosen channel or group, into the output folder:

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
import hashlib
import hmac
import io
import json
import math
import os
import secrets
import tempfile
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ...errors import InputError, reject_nul
from ...memory import format_bytes, require_memory

__all__ = [
    "DEFAULT_MAX_THREAD_SIZE",
    "DEFAULT_WINDOW",
    "UNKNOWN_DEPARTMENT",
    "Conversation",
    "ExportData",
    "ExportSource",
    "ImportOptions",
    "Join",
    "Post",
    "import_export",
]

#: Weeks a post keeps its poster active (the model's ``posting.window``).
DEFAULT_WINDOW = 12
#: Largest number of repliers of a thread whose pairs count as ties.
DEFAULT_MAX_THREAD_SIZE = 20
#: The department written for people whose export gives none.
UNKNOWN_DEPARTMENT = "unknown"
#: Seconds in a week.
WEEK = 7 * 24 * 3600
#: Message times outside 2000-2100 are invalid (Yammer started in 2008, Slack in 2013):
#: a time near 1970 is a zero or a count, not a date.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
#: Python objects take about this many times the bytes of the JSON they come from.
JSON_MEMORY_FACTOR = 10
#: Channels listed by name in an error message; more are counted.
LISTED = 20


# ---------------------------------------------------------------------------
# reading an export (a folder or a zip file)


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


# ---------------------------------------------------------------------------
# what an importer reads


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


# ---------------------------------------------------------------------------
# choices


@dataclass(frozen=True)
class ImportOptions:
    """How to import an export (see the module notes for each output).

    Attributes
    ----------
    where
        Name or id of the channel or group to observe; None picks the one
        with the most posts.
    window
        Weeks a post keeps its poster active.
    ties_from
        ``"all"`` conversations, or ``"other"`` than the chosen one.
    max_thread_size
        Threads with more repliers give no co-participation ties; 0: none do.
    salt
        Key of the pseudonyms; None draws a random one.
    keep_salt
        File to write the salt to (nowhere if None).
    keep_names
        Write the export's user ids instead of pseudonyms.
    """

    where: str | None = None
    window: int = DEFAULT_WINDOW
    ties_from: str = "all"
    max_thread_size: int = DEFAULT_MAX_THREAD_SIZE
    salt: str | None = None
    keep_salt: Path | None = None
    keep_names: bool = False

    def check(self) -> None:
        """Raise InputError for a value out of range or options that contradict each other."""
        if self.window < 1:
            raise InputError(
                f"--window {self.window} is not allowed; give the number of weeks a post keeps "
                f"its poster active (at least 1; the model's default is {DEFAULT_WINDOW})."
            )
        if self.max_thread_size < 0:
            raise InputError(
                f"--max-thread-size {self.max_thread_size} is not allowed; give 0 (no thread "
                f"ties) or more."
            )
        if self.ties_from not in ("all", "other"):
            raise InputError(f"--ties {self.ties_from!r} is not allowed; use 'all' or 'other'.")
        if self.keep_names and (self.salt is not None or self.keep_salt is not None):
            raise InputError(
                "--keep-names writes the export's user ids, so --salt and --keep-salt have "
                "nothing to do; give either --keep-names or the salt options."
            )
        if self.salt is not None and not self.salt:
            raise InputError(
                "--salt is empty; give a secret text, or leave it out for a random one."
            )


def check_output_folder(path: Path) -> Path:
    """Check, before any work, that the output files can be written in folder ``path``.

    Nothing is created: a missing folder only needs a writable nearest existing parent.
    """
    folder = Path(reject_nul(path, "--out"))
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            where = "is a file" if existing == folder else f"lies under the file {existing}"
            raise InputError(f"--out {folder} {where}; give a folder (created if missing).")
        # os.access is no proof (root passes it on read-only mounts): make and remove a folder.
        os.rmdir(tempfile.mkdtemp(prefix=".adoptsim-check-", dir=existing))
    except OSError as exc:
        problem = "is not writable" if existing == folder else f"cannot be created in {existing}"
        raise InputError(
            f"--out {folder} {problem}: {exc.strerror}. Choose another folder."
        ) from None
    return folder


def check_salt_file(path: Path) -> Path:
    """Check that the salt can be written to ``path`` (a file, in an existing folder)."""
    file = Path(reject_nul(path, "--keep-salt"))
    if file.is_dir():
        raise InputError(f"--keep-salt {file} is a folder; give the file to write the salt to.")
    if not file.parent.is_dir():
        raise InputError(
            f"--keep-salt {file}: the folder {file.parent} does not exist; give a file in an "
            f"existing folder."
        )
    return file


# ---------------------------------------------------------------------------
# pseudonyms


def pseudonyms(ids: list[str], salt: str) -> dict[str, str]:
    """Map each id to ``p`` + hex digits of HMAC-SHA256(salt, id), as short as unique.

    Twelve hex digits (48 bits) unless two ids collide there, then 16, 24
    or all 64, so the mapping is always one to one.
    """
    digests = {i: hmac.new(salt.encode(), i.encode(), hashlib.sha256).hexdigest() for i in ids}
    for length in (12, 16, 24, 64):
        names = {i: "p" + d[:length] for i, d in digests.items()}
        if len(set(names.values())) == len(names):
            return names
    raise AssertionError("distinct ids with equal SHA-256 digests")  # pragma: no cover


# ---------------------------------------------------------------------------
# choosing the channel


def _choose(data: ExportData, posts: Counter[str], wanted: str | None) -> tuple[str, str]:
    """The key of the conversation to observe and how it was chosen."""
    selectable = [c for c in data.conversations.values() if c.selectable]
    ranked = sorted(selectable, key=lambda c: (-posts[c.key], c.name.lower()))

    def listing() -> str:
        shown = [f"{c.name} ({_posts(posts[c.key])})" for c in ranked[:LISTED]]
        more = f" and {len(ranked) - LISTED:,} more" if len(ranked) > LISTED else ""
        return ", ".join(shown) + more if shown else "none"

    if wanted is None:
        if not ranked or posts[ranked[0].key] == 0:
            raise InputError(
                f"The {data.platform} export {data.source} has no posts by the people in it "
                f"(read {data.messages_read:,} messages; skipped: "
                f"{_reasons(data.skipped) or 'none'}); there is nothing to observe."
            )
        return ranked[0].key, f"the {data.noun} with the most posts"
    text = wanted.strip()
    id_matches = [c for c in selectable if c.ident and c.ident == text]
    name_matches = [c for c in selectable if c.name.lower().lstrip("#") == text.lower().lstrip("#")]
    matches = id_matches or name_matches
    if len(matches) > 1:
        ids = ", ".join(c.ident for c in matches)
        raise InputError(
            f"{data.option} {text!r}: several {data.noun}s of the {data.platform} export have "
            f"this name (ids {ids}); give the id instead."
        )
    if not matches:
        raise InputError(
            f"{data.option} {text!r} is not a {data.noun} of the {data.platform} export "
            f"{data.source}; its {data.noun}s are: {listing()}."
        )
    return matches[0].key, f"{data.option}"


def _posts(n: int) -> str:
    return f"{n:,} post" if n == 1 else f"{n:,} posts"


def _reasons(counter: Counter[str]) -> str:
    return ", ".join(f"{n:,} {reason}" for reason, n in counter.most_common())


# ---------------------------------------------------------------------------
# ties and observations


def count_ties(
    data: ExportData, skip: str | None, max_thread_size: int
) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Interactions per pair of people (export ids, ordered) and per kind.

    Posts in the conversation ``skip`` are left out (None: none are).
    """
    ties: Counter[tuple[str, str]] = Counter()
    kinds: Counter[str] = Counter()
    people = data.people

    def add(a: str, b: str, kind: str) -> None:
        if a != b and a in people and b in people:
            ties[(a, b) if a < b else (b, a)] += 1
            kinds[kind] += 1

    repliers: dict[str, set[str]] = defaultdict(set)
    for post in data.posts:
        if post.where == skip:
            continue
        if post.replied_to is not None:
            add(post.author, post.replied_to, "reply")
        for person in set(post.mentions):
            add(post.author, person, "mention")
        for person in data.conversations[post.where].members:
            add(post.author, person, "direct")
        if post.reply and post.thread is not None:
            repliers[post.thread].add(post.author)
    for thread in sorted(repliers):
        group = sorted(repliers[thread] & people.keys())
        if len(group) > max_thread_size:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, b, "thread")
    return ties, kinds


def week_start(seconds: float) -> float:
    """Monday 00:00 UTC of the week holding ``seconds`` (the epoch was a Thursday)."""
    monday = 4 * 24 * 3600  # 1970-01-05, the first Monday after the epoch
    return seconds - (seconds - monday) % WEEK


@dataclass
class Observed:
    """The chosen channel's observations: per person and per week."""

    start: float
    joined: dict[str, int]
    weekly: list[tuple[int, float, float, int]]
    posts: int
    joins: int


def observe(data: ExportData, where: str, window: int) -> Observed:
    """Join weeks and the weekly member/active/posts series of the conversation ``where``."""
    posts = [p for p in data.posts if p.where == where]
    joins = [j for j in data.joins if j.where == where]
    events = [(p.time, p.author) for p in posts] + [(j.time, j.person) for j in joins]
    name = data.conversations[where].name
    if not events:
        raise InputError(
            f"The {data.noun} {name} of the {data.platform} export {data.source} has no posts or "
            f"joins by the people in the export; choose another with {data.option}."
        )
    start = week_start(min(t for t, _ in events))
    last = max(
        [t for t, _ in events] + [p.time for p in data.posts] + [j.time for j in data.joins]
    )

    def week(t: float) -> int:
        return int((t - start) // WEEK)

    joined: dict[str, int] = {}
    for t, person in events:
        joined[person] = min(joined.get(person, week(t)), week(t))
    weeks = week(last) + 1
    new_members = Counter(joined.values())
    post_counts = Counter(week(p.time) for p in posts)
    posters: dict[int, set[str]] = defaultdict(set)
    for p in posts:
        posters[week(p.time)].add(p.author)
    n = len(data.people)
    in_window: Counter[str] = Counter()  # weeks in the window in which each person posted
    members = active = 0
    weekly = []
    for w in range(weeks):
        members += new_members[w]
        for person in posters.get(w, ()):
            in_window[person] += 1
            active += in_window[person] == 1
        for person in posters.get(w - window, ()):
            in_window[person] -= 1
            active -= in_window[person] == 0
        weekly.append((w, members / n, active / n, post_counts[w]))
    return Observed(start, joined, weekly, len(posts), len(joins))


# ---------------------------------------------------------------------------
# writing


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
    try:
        folder.mkdir(parents=True, exist_ok=True)
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
            f"{_reasons(data.excluded) or 'nobody'}); there is nothing to import."
        )
    post_counts = Counter(p.where for p in data.posts)
    where, chosen_by = _choose(data, post_counts, options.where)
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
