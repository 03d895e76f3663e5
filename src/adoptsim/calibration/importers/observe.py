"""The observations of the chosen channel: who joined when, weekly series, and the ties.

Weeks are calendar weeks from Monday 00:00 UTC; week ``w`` of a time ``t``
is the number of whole weeks between the Monday of week 0 and ``t``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ...errors import InputError
from .records import ExportData

__all__ = ["WEEK", "Observed", "choose", "count_ties", "observe", "reasons", "week_start"]

#: Seconds in a week.
WEEK = 7 * 24 * 3600
#: Channels listed by name in an error message; more are counted.
LISTED = 20


def choose(data: ExportData, posts: Counter[str], wanted: str | None) -> tuple[str, str]:
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
                f"{reasons(data.skipped) or 'none'}); there is nothing to observe."
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


def reasons(counter: Counter[str]) -> str:
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
