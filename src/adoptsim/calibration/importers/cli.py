"""``adoptsim import slack|viva-engage EXPORT --out DIR``: exports to calibration files.

:func:`register` adds the sub-command group to the main ``adoptsim``
command. Bad input raises :class:`~adoptsim.errors.InputError` naming the
file and what is wrong (the main command prints it as one paragraph and
exits with status 2). The export is read only once the options and the
output folder are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ...atomic import check_output_folder
from .options import DEFAULT_MAX_THREAD_SIZE, DEFAULT_WINDOW, ImportOptions, check_salt_file

if TYPE_CHECKING:
    from .records import ExportData

import_app = typer.Typer(
    name="import",
    help="Turn a Slack or Viva Engage export into the files calibration reads: a contact "
    "network and a channel's adoption by person and by week. Metadata only, pseudonymised.",
)
# Plain console: channel names and paths are printed literally, never as markup.
console = Console(markup=False, emoji=False, highlight=False, soft_wrap=True)


class TiesFrom(StrEnum):
    """Which conversations give the ties."""

    all = "all"
    other = "other"


def register(app: typer.Typer) -> None:
    """Add the ``import`` sub-command group to the main ``adoptsim`` app (once)."""
    if any(group.name == "import" for group in app.registered_groups):
        return
    app.add_typer(import_app, name="import")


# Options shared by the commands.
Out = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Folder to write the files to (created if missing; files of the same names are "
        "replaced).",
    ),
]
Window = Annotated[
    int, typer.Option(help="Weeks a post keeps its poster active (the model's posting.window).")
]
Ties = Annotated[
    TiesFrom,
    typer.Option(
        help="Ties from all conversations, or from all but the observed one ('other'), so that "
        "ties made in the observed channel or group do not inflate the exposure at adoption."
    ),
]
MaxThread = Annotated[
    int,
    typer.Option(
        help="Count co-participation ties only in threads with at most this many repliers "
        "(0: none).",
    ),
]
Salt = Annotated[
    str | None,
    typer.Option(
        help="Secret key of the pseudonyms (default: random for each run). The same salt gives "
        "the same pseudonyms, so imports can be linked."
    ),
]
KeepSalt = Annotated[
    Path | None,
    typer.Option(
        "--keep-salt",
        help="Write the salt to this file (readable by its owner only); without it the salt is "
        "stored nowhere.",
    ),
]
KeepNames = Annotated[
    bool, typer.Option("--keep-names", help="Write the export's user ids instead of pseudonyms.")
]

OUTPUTS = (
    "Writes into --out: edges.csv (source,target,weight: undirected ties from replies, "
    "mentions and co-participation in threads; weight = number of interactions), nodes.csv "
    "(id,department), observed_individual.csv (id,joined: the week each person first posted in "
    "or joined the {noun}, empty if never), observed_weekly.csv (week,member,active,posts: per "
    "week, the share of people who have joined or posted by then, the share who posted in the "
    "last --window weeks, and the posts that week) and import_report.json (counts, skipped "
    "messages by reason). Week 0 is the calendar week (from Monday, UTC) of the {noun}'s first "
    "post or join. Shares are of everyone in the export except bots and deleted or "
    "deactivated accounts, which are left out everywhere, with their messages."
)
PRIVACY = (
    "Privacy: message text is never written; it is read only to find mentions. People are "
    "written as pseudonyms (a salted hash of their user id); the salt is random and kept "
    "nowhere unless --keep-salt saves it or --salt sets it. --keep-names writes the export's "
    "user ids instead."
)


def _import(read: Callable[[], ExportData], out: Path, options: ImportOptions) -> None:
    """Check the options and output folder, read the export, write and summarise the files."""
    from .write import import_export

    options.check()
    out = check_output_folder(out)  # before the work, so a bad folder costs nothing
    if options.keep_salt is not None:
        check_salt_file(options.keep_salt)
    data = read()
    result = import_export(data, out, options)
    r = result.report
    noun = data.noun
    users = r["users"]
    left_out = ", ".join(f"{n:,} {why}" for why, n in users["excluded"].items()) or "nobody"
    console.print(
        f"Read {r['messages_read']:,} messages of the {data.platform} export {data.source}: "
        f"{users['included']:,} people (left out: {left_out})."
    )
    hint = f"; choose another with {data.option}" if r[f"{noun}_chosen_by"] != data.option else ""
    joins = r[f"joins_in_{noun}"]
    console.print(
        f"{noun.capitalize()} {r[noun]} ({r[f'{noun}_chosen_by']}{hint}): "
        f"{r[f'posts_in_{noun}']:,} posts" + (f", {joins:,} joins" if joins else "") + "; "
        f"{r['people_joined']:,} people joined over {r['weeks']:,} weeks from "
        f"{r['week0_starts']}."
    )
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in r["interactions"].items() if n)
    total = sum(r["interactions"].values())
    console.print(
        f"Ties: {r['ties']:,} pairs of people from {total:,} interactions ({kinds or 'none'})."
    )
    if r["skipped"]:
        reasons = ", ".join(f"{n:,} {why}" for why, n in r["skipped"].items())
        console.print(f"Skipped {sum(r['skipped'].values()):,} messages: {reasons}.")
    console.print(f"Wrote {', '.join(f.name for f in result.files)} in {out}.")
    if options.keep_names:
        console.print("People are written with the export's user ids (--keep-names).")
    elif options.keep_salt is not None:
        console.print(f"People are pseudonymised; the salt is in {options.keep_salt}.")
    elif options.salt is None:
        console.print(
            "People are pseudonymised with a random salt that was not stored (--salt or "
            "--keep-salt make the pseudonyms reproducible)."
        )
    else:
        console.print("People are pseudonymised with the salt given by --salt.")


@import_app.command("slack", help=(
    "Import a Slack workspace export (its .zip or unpacked folder) for calibration.\n\n"
    + OUTPUTS.format(noun="channel")
    + " Slack exports have no department: it is written as 'unknown'. Joins are "
    "channel_join messages.\n\n" + PRIVACY
))
def slack(
    export: Annotated[str, typer.Argument(help="The export's .zip file or unpacked folder.")],
    out: Out,
    channel: Annotated[
        str | None,
        typer.Option(
            help="Channel to observe, by name (general or #general) or id (default: the one "
            "with the most posts).",
        ),
    ] = None,
    window: Window = DEFAULT_WINDOW,
    ties: Ties = TiesFrom.all,
    max_thread_size: MaxThread = DEFAULT_MAX_THREAD_SIZE,
    salt: Salt = None,
    keep_salt: KeepSalt = None,
    keep_names: KeepNames = False,
) -> None:
    from .slack import read_slack

    options = ImportOptions(
        where=channel, window=window, ties_from=ties.value, max_thread_size=max_thread_size,
        salt=salt, keep_salt=keep_salt, keep_names=keep_names,
    )
    _import(lambda: read_slack(export), out, options)


@import_app.command("viva-engage", help=(
    "Import a Viva Engage (Yammer) network data export (its .zip or unpacked folder) for "
    "calibration.\n\n"
    + OUTPUTS.format(noun="group")
    + " The export has no group memberships, so joining a group is first posting in it. "
    "The group 'All Company' is the network-wide feed (messages in no group).\n\n" + PRIVACY
))
def viva_engage(
    export: Annotated[str, typer.Argument(help="The export's .zip file or unpacked folder.")],
    out: Out,
    group: Annotated[
        str | None,
        typer.Option(
            help="Group to observe, by name (or 'All Company') or id (default: the one with "
            "the most posts).",
        ),
    ] = None,
    users: Annotated[
        Path | None,
        typer.Option(
            help="A Users.csv to use instead of the export's, e.g. from 'Export users' (the "
            "network export lists only users who joined or changed in its date range).",
        ),
    ] = None,
    department_column: Annotated[
        str | None,
        typer.Option(
            help="Users.csv column to write as the department, e.g. location (default: "
            "department, if the file has it).",
        ),
    ] = None,
    window: Window = DEFAULT_WINDOW,
    ties: Ties = TiesFrom.all,
    max_thread_size: MaxThread = DEFAULT_MAX_THREAD_SIZE,
    salt: Salt = None,
    keep_salt: KeepSalt = None,
    keep_names: KeepNames = False,
) -> None:
    from .viva_engage import read_viva_engage

    options = ImportOptions(
        where=group, window=window, ties_from=ties.value, max_thread_size=max_thread_size,
        salt=salt, keep_salt=keep_salt, keep_names=keep_names,
    )
    _import(lambda: read_viva_engage(export, users, department_column), out, options)
