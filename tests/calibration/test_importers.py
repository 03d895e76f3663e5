"""``adoptsim import slack|viva-engage``: exact outputs, privacy, and every bad input.

The fixtures are small exports in the documented formats (see the module
notes of :mod:`adoptsim.calibration.importers.slack` and
:mod:`~adoptsim.calibration.importers.viva_engage`), built in each test's
temporary folder. The week numbers, ties and weekly series asserted here
are worked out by hand from the messages listed in the builders.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adoptsim.calibration.importers import ImportOptions, import_export, read_slack
from adoptsim.calibration.importers.observe import week_start
from adoptsim.calibration.importers.pseudonyms import pseudonyms
from adoptsim.calibration.importers.viva_engage import parse_time, read_viva_engage
from adoptsim.errors import InputError

MONDAY = 1704067200  # 2024-01-01 00:00 UTC, a Monday
DAY = 86400
WEEK = 7 * DAY
OUTPUTS = (
    "edges.csv", "nodes.csv", "observed_individual.csv", "observed_weekly.csv",
    "import_report.json",
)

# ---------------------------------------------------------------------------
# a Slack export: 6 users (4 people, a bot, a deactivated account), 2 channels, a DM

SLACK_USERS = [
    {"id": "U01", "name": "alice", "real_name": "Alice Archer", "deleted": False,
     "is_bot": False, "profile": {"title": "Analyst", "real_name": "Alice Archer"}},
    {"id": "U02", "name": "bob", "real_name": "Bob Baker", "deleted": False, "is_bot": False,
     "profile": {"real_name": "Bob Baker"}},
    {"id": "U03", "name": "carol", "real_name": "Carol Cooper", "deleted": False,
     "is_bot": False, "profile": {"real_name": "Carol Cooper"}},
    {"id": "U04", "name": "dave", "real_name": "Dave Dyer", "deleted": False, "is_bot": False,
     "profile": {"real_name": "Dave Dyer"}},
    {"id": "B01", "name": "standupbot", "deleted": False, "is_bot": True,
     "profile": {"real_name": "Standup Bot", "bot_id": "BB01"}},
    {"id": "U05", "name": "erin", "real_name": "Erin Ewing", "deleted": True, "is_bot": False,
     "profile": {"real_name": "Erin Ewing"}},
]
# Words of the messages and names of the people: none may reach an output file.
SECRET_WORDS = (
    "Welcome", "glad", "everyone", "Quarterly", "offsite", "Lunch", "Sure", "Count me",
    "thought", "Standup", "private note", "Alice", "Archer", "Bob Baker", "Carol", "Dave",
    "Erin", "Kick-off", "Saturday", "Welcome all", "secret plan", "Ann Arbor", "ann@example",
)


def ts(week: int, day: int = 0, hour: int = 9, minute: int = 0) -> str:
    """A Slack ``ts`` in week ``week`` after 2024-01-01 (microseconds as Slack writes them)."""
    return f"{MONDAY + week * WEEK + day * DAY + hour * 3600 + minute * 60}.000200"


P1 = ts(0, 0, 10, 5)  # the thread in #general
P2 = ts(0, 2, 12, 0)  # the thread in #random

GENERAL = [
    {"type": "message", "subtype": "channel_join", "ts": ts(0, 0, 10), "user": "U01",
     "text": "<@U01> has joined the channel"},
    {"type": "message", "ts": P1, "user": "U01", "text": "Welcome to the channel",
     "thread_ts": P1, "reply_count": 2, "reply_users": ["U02", "U03"]},
    {"type": "message", "subtype": "channel_join", "ts": ts(0, 1, 8), "user": "U02",
     "text": "<@U02> has joined the channel"},
    {"type": "message", "ts": ts(0, 1, 9), "user": "U02", "text": "Thanks, glad to be here",
     "thread_ts": P1, "parent_user_id": "U01"},
    {"type": "message", "ts": ts(1, 2), "user": "U03", "text": "Hello <@U02> and everyone",
     "thread_ts": P1, "parent_user_id": "U01"},
    {"type": "message", "subtype": "bot_message", "ts": ts(1, 3), "bot_id": "BB01",
     "text": "Standup time"},
    {"type": "message", "ts": ts(1, 4), "user": "B01", "text": "Standup reminder"},
    {"type": "message", "subtype": "channel_topic", "ts": ts(2, 0), "user": "U01",
     "text": "set the channel topic: offsite"},
    {"type": "message", "user": "U03", "text": "Quarterly draft without a time"},
    {"type": "message", "ts": "soon", "user": "U03", "text": "Quarterly draft, bad time"},
    {"type": "message", "ts": ts(3, 1), "user": "U01", "text": "Reminder about the offsite"},
    {"type": "message", "ts": ts(5, 0), "user": "U05", "text": "Goodbye everyone"},
    {"type": "message", "ts": ts(14, 2), "user": "U02", "text": "Quarterly numbers, <@U04|dave>",
     "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
         {"type": "text", "text": "Quarterly numbers, "}, {"type": "user", "user_id": "U04"}]}]}]},
]
RANDOM = [
    {"type": "message", "ts": P2, "user": "U03", "text": "Lunch anyone?", "thread_ts": P2,
     "reply_count": 2},
    # no parent_user_id: the parent is found by its ts
    {"type": "message", "ts": ts(0, 2, 12, 5), "user": "U04", "text": "Sure", "thread_ts": P2},
    {"type": "message", "ts": ts(0, 2, 12, 9), "user": "U01", "text": "Count me in <@U04>",
     "thread_ts": P2, "parent_user_id": "U03"},
    {"type": "message", "ts": ts(1, 1), "user": "U02", "text": "A random thought"},
]
DIRECT = [{"type": "message", "ts": ts(2, 3), "user": "U04", "text": "A private note"}]


def _day(message: dict) -> str:
    try:
        return datetime.fromtimestamp(float(message["ts"]), UTC).date().isoformat()
    except (KeyError, ValueError):
        return "2024-01-10"  # messages without a valid time still sit in some day's file


def write_slack(folder: Path, conversations: dict[str, list[dict]] | None = None) -> Path:
    """Write the Slack export (or other conversations) into ``folder``."""
    conversations = conversations or {"general": GENERAL, "random": RANDOM, "D01": DIRECT}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.json").write_text(json.dumps(SLACK_USERS))
    (folder / "channels.json").write_text(json.dumps([
        {"id": "C01", "name": "general", "created": MONDAY, "creator": "U01",
         "is_general": True, "members": ["U01", "U02", "U03", "U04"]},
        {"id": "C02", "name": "random", "created": MONDAY, "creator": "U03",
         "members": ["U01", "U02", "U03", "U04"]},
    ]))
    (folder / "dms.json").write_text(json.dumps([{"id": "D01", "members": ["U01", "U04"]}]))
    (folder / "integration_logs.json").write_text(json.dumps({"logs": []}))
    for name, messages in conversations.items():
        days: dict[str, list[dict]] = {}
        for message in messages:
            days.setdefault(_day(message), []).append(message)
        (folder / name).mkdir(exist_ok=True)
        for day, batch in days.items():
            (folder / name / f"{day}.json").write_text(json.dumps(batch, indent=1))
    return folder


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    """Zip ``folder``'s files (under ``prefix`` inside the zip, like a zipped unpacked folder)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                z.write(file, prefix + file.relative_to(folder).as_posix())
    return target


# ---------------------------------------------------------------------------
# a Viva Engage export: Users.csv, Groups.csv, Messages.csv

VE_START = datetime(2024, 3, 4, tzinfo=UTC).timestamp()  # a Monday


def ve_time(week: int, day: int = 0, hour: int = 9) -> str:
    moment = datetime.fromtimestamp(VE_START + week * WEEK + day * DAY + hour * 3600, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


VE_USERS = [
    ["id", "name", "email", "job_title", "location", "department", "api_url", "joined_at",
     "deleted_by_id", "deleted_by_type", "deleted_at", "suspended_by_id", "suspended_by_type",
     "suspended_at", "guest", "state"],
    ["101", "Ann Archer", "ann@example.com", "Manager", "Ann Arbor", "Sales", "", ve_time(-50),
     "", "", "", "", "", "", "false", "active"],
    ["102", "Ben Brown", "ben@example.com", "Rep", "Leeds", "Sales", "", ve_time(-50),
     "", "", "", "", "", "", "false", "active"],
    ["103", "Cat Cole", "cat@example.com", "Engineer", "Leeds", "Engineering", "", ve_time(-40),
     "", "", "", "", "", "", "false", "active"],
    ["104", "Dan Dodd", "dan@example.com", "", "Paris", "", "", ve_time(-30),
     "", "", "", "", "", "", "false", "active"],
    ["105", "Eve East", "eve@example.com", "", "Paris", "HR", "", ve_time(-30),
     "1", "User", ve_time(1), "", "", "", "false", "soft_delete"],
    ["106", "Fay Ford", "fay@example.com", "", "Paris", "HR", "", "",
     "", "", "", "", "", "", "false", "soft_delete"],
]
VE_GROUPS = [
    ["id", "name", "description", "private", "external", "moderated", "type", "api_url",
     "created_at", "creator_type", "creator_id"],
    ["201", "Town Hall", "Company updates", "false", "false", "false", "group", "",
     ve_time(-10), "user", "101"],
    ["202", "Cycling Club", "Rides", "false", "false", "false", "group", "", ve_time(-10),
     "user", "104"],
]
VE_HEADER = [
    "id", "replied_to_id", "thread_id", "conversation_id", "group_id", "group_name",
    "participants", "in_private_group", "in_private_conversation", "sender_id", "sender_type",
    "sender_name", "sender_email", "body", "api_url", "attachments", "deleted_by_id",
    "deleted_by_type", "created_at", "deleted_at",
]


def ve_message(mid, replied, thread, group, sender, body, created, *, private="false",
               sender_type="user", deleted=""):
    names = {"201": "Town Hall", "202": "Cycling Club"}
    return [mid, replied, thread, "", group, names.get(group, ""), "", "false", private, sender,
            sender_type, f"Person {sender}", f"{sender}@example.com", body, "", "", "", "",
            created, deleted]


VE_MESSAGES = [
    VE_HEADER,
    ve_message("1", "", "1", "201", "101", "Kick-off of the [[user:103]] town hall,\nsee you",
               ve_time(0)),
    ve_message("2", "1", "1", "201", "102", "Thanks, \"great\" Kick-off", ve_time(0, 1)),
    ve_message("3", "2", "1", "201", "103", "Agreed", ve_time(2)),
    ve_message("4", "1", "1", "201", "105", "Kick-off notes", ve_time(2, 1)),
    ve_message("5", "", "5", "201", "102", "Deleted Kick-off", ve_time(3), deleted=ve_time(3, 1)),
    ve_message("6", "", "6", "201", "104", "Kick-off again", "last tuesday"),
    ve_message("7", "", "7", "201", "101", "Kick-off recap",
               datetime.fromtimestamp(VE_START + 5 * WEEK + 3600, UTC).strftime(
                   "%Y/%m/%d %H:%M:%S +0000")),
    ve_message("8", "", "8", "201", "101", "Kick-off digest", ve_time(3), sender_type="system"),
    ve_message("9", "", "9", "201", "101", "Kick-off, no time", ""),
    ve_message("10", "", "10", "202", "104", "Ride on Saturday", ve_time(1)),
    ve_message("11", "10", "10", "202", "103", "Saturday works", ve_time(1, 1)),
    ve_message("12", "10", "10", "202", "999", "Saturday for me too", ve_time(1, 2)),
    ve_message("20", "", "20", "", "101", "Welcome all", ve_time(0, 2)),
    ve_message("30", "", "30", "", "102", "A secret plan for [[user:104]]", ve_time(4),
               private="true"),
]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def write_viva_engage(folder: Path, messages=None, users=None, groups=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "Messages.csv", VE_MESSAGES if messages is None else messages)
    write_csv(folder / "Users.csv", VE_USERS if users is None else users)
    write_csv(folder / "Groups.csv", VE_GROUPS if groups is None else groups)
    (folder / "log.txt").write_text("Export summary\n")
    (folder / "Admins.csv").write_text("id,name,email,type\n101,Ann Archer,ann@example.com,x\n")
    return folder


# ---------------------------------------------------------------------------
# running the command and reading its files


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    """Run the real entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "adoptsim.cli", "import", *map(str, args)],
        capture_output=True, text=True, timeout=120,
    )


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def outputs(out: Path) -> dict[str, list[list[str]]]:
    return {name: read_rows(out / name) for name in OUTPUTS if name.endswith(".csv")}


def by_name(rows: list[list[str]], ids: dict[str, str]) -> list[list[str]]:
    """Rows with the pseudonyms replaced by export ids (``ids``: pseudonym -> export id)."""
    return [[ids.get(cell, cell) for cell in row] for row in rows]


def assert_private(out: Path) -> None:
    """No word of any message and no person's name is in any output file."""
    for name in OUTPUTS:
        text = (out / name).read_text(encoding="utf-8")
        for word in SECRET_WORDS:
            assert word not in text, f"{word!r} leaked into {name}"


SLACK_EDGES = [  # by export id, from the messages above
    ["U01", "U02", "1"],  # U02 replied to U01's thread
    ["U01", "U03", "2"],  # U03 replied to U01's thread; U01 replied to U03's thread
    ["U01", "U04", "3"],  # U01 mentioned U04; both replied to U03's thread; a DM
    ["U02", "U03", "2"],  # U03 mentioned U02; both replied to U01's thread
    ["U02", "U04", "1"],  # U02 mentioned U04 (in the text and the blocks: once)
    ["U03", "U04", "1"],  # U04 replied to U03's thread (parent found by ts)
]
SLACK_JOINED = {"U01": "0", "U02": "0", "U03": "1", "U04": ""}


def slack_weekly() -> list[list[str]]:
    """#general by week: members U01, U02 (week 0) and U03 (week 1) of 4 people."""
    posts = {0: 2, 1: 1, 3: 1, 14: 1}
    posters = {0: {"U01", "U02"}, 1: {"U03"}, 3: {"U01"}, 14: {"U02"}}
    rows = []
    for w in range(15):
        active = set().union(*(posters.get(v, set()) for v in range(w - 11, w + 1)))
        member = 2 if w == 0 else 3
        rows.append([str(w), f"{member / 4:.6g}", f"{len(active) / 4:.6g}", str(posts.get(w, 0))])
    return rows


# ---------------------------------------------------------------------------
# Slack: exact outputs


def test_slack_outputs_exact(tmp_path):
    export = write_slack(tmp_path / "export")
    out = tmp_path / "out"
    result = import_export(read_slack(export), out, ImportOptions(keep_names=True))
    files = outputs(out)
    assert files["edges.csv"] == [["source", "target", "weight"], *SLACK_EDGES]
    assert files["nodes.csv"] == [["id", "department"]] + [
        [u, "unknown"] for u in ("U01", "U02", "U03", "U04")
    ]
    assert files["observed_individual.csv"] == [["id", "joined"]] + [
        [u, w] for u, w in SLACK_JOINED.items()
    ]
    assert files["observed_weekly.csv"] == [["week", "member", "active", "posts"], *slack_weekly()]
    # the hand-made series: active falls to U03 and U01 at week 12, U01 at 13, U01 and U02 at 14
    assert [r[2] for r in files["observed_weekly.csv"][12:]] == ["0.75", "0.5", "0.25", "0.5"]
    report = json.loads((out / "import_report.json").read_text())
    assert report == result.report
    assert report["channel"] == "#general"
    assert report["channel_chosen_by"] == "the channel with the most posts"
    assert report["channels"] == [{"name": "#general", "posts": 5}, {"name": "#random", "posts": 4}]
    assert report["users"] == {"listed": 6, "included": 4, "with_department": 0,
                               "excluded": {"bot": 1, "deactivated": 1}}
    assert report["messages_read"] == 18
    assert (report["posts"], report["joins"]) == (10, 2)
    assert (report["posts_in_channel"], report["joins_in_channel"]) == (5, 2)
    assert report["people_joined"] == 3
    assert report["ties"] == 6
    assert report["interactions"] == {"reply": 4, "mention": 3, "thread": 2, "direct": 1}
    assert report["weeks"] == 15
    assert report["week0_starts"] == "2024-01-01"
    assert report["skipped"] == {
        "bot message": 1, "by a bot account": 1, "not a post (channel_topic)": 1,
        "missing timestamp": 1, "invalid timestamp": 1, "by a deactivated account": 1,
    }
    assert report["ids"] == "export user ids"


def test_slack_channel_choice_ties_and_window(tmp_path):
    export = write_slack(tmp_path / "export")
    out = tmp_path / "out"
    options = ImportOptions(where="C02", keep_names=True, ties_from="other", window=1,
                            max_thread_size=0)
    report = import_export(read_slack(export), out, options).report
    assert report["channel"] == "#random" and report["channel_chosen_by"] == "--channel"
    files = outputs(out)
    # ties without #random's: #general's thread, mentions, and the DM; no thread ties (0)
    assert files["edges.csv"][1:] == [
        ["U01", "U02", "1"], ["U01", "U03", "1"], ["U01", "U04", "1"], ["U02", "U03", "1"],
        ["U02", "U04", "1"],
    ]
    assert files["observed_individual.csv"][1:] == [
        ["U01", "0"], ["U02", "1"], ["U03", "0"], ["U04", "0"],
    ]
    # #random from week 0 (its thread) to week 14 (the export's last message); window 1
    weekly = files["observed_weekly.csv"][1:]
    assert len(weekly) == 15
    assert weekly[0] == ["0", "0.75", "0.75", "3"]
    assert weekly[1] == ["1", "1", "0.25", "1"]
    assert weekly[2] == ["2", "1", "0", "0"]
    for name in ("random", "#random", "C02"):
        assert import_export(read_slack(export), out, ImportOptions(where=name)).report[
            "channel"] == "#random"


def test_slack_zip_equals_folder_and_cli(tmp_path):
    folder = write_slack(tmp_path / "export")
    archive = zip_folder(folder, tmp_path / "export.zip")
    nested = zip_folder(folder, tmp_path / "nested.zip", prefix="Acme Slack export/")
    results = {}
    for name, export in (("folder", folder), ("zip", archive), ("nested", nested)):
        out = tmp_path / f"out-{name}"
        proc = run_cli("slack", export, "--out", out, "--keep-names")
        assert proc.returncode == 0, proc.stderr
        assert "#general (the channel with the most posts; choose another with --channel)" in (
            proc.stdout)
        results[name] = {n: (out / n).read_text() for n in OUTPUTS if n.endswith(".csv")}
    assert results["folder"] == results["zip"] == results["nested"]
    assert results["zip"]["edges.csv"].splitlines()[1:] == [",".join(r) for r in SLACK_EDGES]


def test_slack_outputs_hold_no_text_or_names(tmp_path):
    export = write_slack(tmp_path / "export")
    out = tmp_path / "out"
    proc = run_cli("slack", export, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert_private(out)
    for user in SLACK_USERS:  # pseudonymised by default: no Slack id either
        for name in OUTPUTS:
            assert user["id"] not in (out / name).read_text()
    assert "random salt that was not stored" in proc.stdout
    assert not list(out.glob(".*")), "temporary files left behind"


def test_slack_pseudonyms_stable_per_salt(tmp_path):
    export = write_slack(tmp_path / "export")
    runs = {}
    for name, salt in (("a", "pepper"), ("b", "pepper"), ("c", "paprika")):
        out = tmp_path / name
        import_export(read_slack(export), out, ImportOptions(salt=salt))
        runs[name] = outputs(out)
    assert runs["a"] == runs["b"]
    ids_a = [r[0] for r in runs["a"]["nodes.csv"][1:]]
    ids_c = [r[0] for r in runs["c"]["nodes.csv"][1:]]
    assert not set(ids_a) & set(ids_c)
    assert all(len(i) == 13 and i.startswith("p") for i in ids_a)
    # the same network and series under each salt: map the pseudonyms back to Slack ids
    for run, salt in ((runs["a"], "pepper"), (runs["c"], "paprika")):
        back = {v: k for k, v in pseudonyms(["U01", "U02", "U03", "U04"], salt).items()}
        edges = sorted([*sorted(r[:2]), r[2]] for r in by_name(run["edges.csv"][1:], back))
        assert edges == SLACK_EDGES
        assert dict(by_name(run["observed_individual.csv"][1:], back)) == SLACK_JOINED
        assert run["observed_weekly.csv"][1:] == slack_weekly()
        # every id of every file is a node, and pseudonyms are consistent across files
        nodes = {r[0] for r in run["nodes.csv"][1:]}
        assert {r[0] for r in run["observed_individual.csv"][1:]} == nodes
        assert {c for r in run["edges.csv"][1:] for c in r[:2]} <= nodes


def test_slack_keep_salt_reproduces(tmp_path):
    export = write_slack(tmp_path / "export")
    salt_file = tmp_path / "salt.txt"
    proc = run_cli("slack", export, "--out", tmp_path / "a", "--keep-salt", salt_file)
    assert proc.returncode == 0, proc.stderr
    salt = salt_file.read_text().strip()
    assert len(salt) == 32 and oct(salt_file.stat().st_mode & 0o777) == "0o600"
    assert salt not in (tmp_path / "a" / "import_report.json").read_text()
    proc = run_cli("slack", export, "--out", tmp_path / "b", "--salt", salt)
    assert proc.returncode == 0, proc.stderr
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")
    proc = run_cli("slack", export, "--out", tmp_path / "c")  # a fresh random salt
    assert outputs(tmp_path / "c")["nodes.csv"] != outputs(tmp_path / "a")["nodes.csv"]


def test_outputs_load_as_an_edge_list(tmp_path):
    from adoptsim.network import load_edgelist

    import_export(read_slack(write_slack(tmp_path / "export")), tmp_path / "out",
                  ImportOptions())
    network = load_edgelist(tmp_path / "out" / "edges.csv", tmp_path / "out" / "nodes.csv")
    assert network.n == 4 and network.n_edges == 6
    # each tie's weight, once per direction: 1, 2, 3, 2, 1, 1 (SLACK_EDGES)
    assert sorted(network.weights.tolist()) == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    import_export(read_viva_engage(write_viva_engage(tmp_path / "ve")), tmp_path / "ve-out",
                  ImportOptions())
    network = load_edgelist(tmp_path / "ve-out" / "edges.csv", tmp_path / "ve-out" / "nodes.csv")
    assert (network.n, network.n_edges) == (5, 7)
    assert len(set(network.department.tolist())) == 3  # Sales, Engineering, unknown


# ---------------------------------------------------------------------------
# Viva Engage: exact outputs

VE_EDGES = [
    ["101", "102", "1"],  # 102 replied to 101
    ["101", "103", "1"],  # 101 mentioned 103
    ["102", "103", "2"],  # 103 replied to 102; both replied in thread 1
    ["102", "104", "1"],  # 102 mentioned 104 in a private message
    ["103", "104", "1"],  # 103 replied to 104
    ["103", "999", "1"],  # both replied in thread 10
    ["104", "999", "1"],  # 999 replied to 104
]


def test_viva_engage_outputs_exact(tmp_path):
    export = write_viva_engage(tmp_path / "export")
    out = tmp_path / "out"
    proc = run_cli("viva-engage", export, "--out", out, "--keep-names")
    assert proc.returncode == 0, proc.stderr
    files = outputs(out)
    assert files["edges.csv"] == [["source", "target", "weight"], *VE_EDGES]
    assert files["nodes.csv"] == [
        ["id", "department"], ["101", "Sales"], ["102", "Sales"], ["103", "Engineering"],
        ["104", "unknown"], ["999", "unknown"],
    ]
    assert files["observed_individual.csv"] == [
        ["id", "joined"], ["101", "0"], ["102", "0"], ["103", "2"], ["104", ""], ["999", ""],
    ]
    assert files["observed_weekly.csv"] == [
        ["week", "member", "active", "posts"],
        ["0", "0.4", "0.4", "2"], ["1", "0.4", "0.4", "0"], ["2", "0.6", "0.6", "1"],
        ["3", "0.6", "0.6", "0"], ["4", "0.6", "0.6", "0"], ["5", "0.6", "0.6", "1"],
    ]
    report = json.loads((out / "import_report.json").read_text())
    assert report["group"] == "Town Hall"
    assert report["groups"] == [
        {"name": "Town Hall", "posts": 4}, {"name": "Cycling Club", "posts": 3},
        {"name": "All Company", "posts": 1},
    ]
    assert report["users"] == {"listed": 6, "included": 5, "with_department": 3,
                               "excluded": {"deleted": 1, "pending": 1}}
    assert report["people_only_in_messages"] == 1
    assert report["messages_read"] == 14
    assert report["skipped"] == {
        "by a deleted account": 1, "deleted message": 1, "invalid timestamp": 1,
        "not by a person (sender_type system)": 1, "missing timestamp": 1,
    }
    assert report["interactions"] == {"reply": 4, "mention": 2, "thread": 2, "direct": 0}
    assert report["week0_starts"] == "2024-03-04"
    assert "Group Town Hall (the group with the most posts; choose another with --group)" in (
        proc.stdout)


def test_viva_engage_groups_window_zip_and_privacy(tmp_path):
    export = write_viva_engage(tmp_path / "export")
    archive = zip_folder(export, tmp_path / "export.zip")
    out = tmp_path / "out"
    proc = run_cli("viva-engage", archive, "--out", out, "--window", "2", "--salt", "s")
    assert proc.returncode == 0, proc.stderr
    assert [r[2] for r in outputs(out)["observed_weekly.csv"][1:]] == [
        "0.4", "0.4", "0.2", "0.2", "0", "0.2"]
    assert_private(out)
    assert all(len(r[0]) == 13 and r[0].startswith("p") for r in outputs(out)["nodes.csv"][1:])
    data = read_viva_engage(export)
    report = import_export(data, out, ImportOptions(where="all company", keep_names=True)).report
    assert report["group"] == "All Company" and report["posts_in_group"] == 1
    assert outputs(out)["observed_individual.csv"][1] == ["101", "0"]
    report = import_export(data, out, ImportOptions(where="202", keep_names=True)).report
    assert report["group"] == "Cycling Club"
    assert outputs(out)["observed_individual.csv"][1:] == [
        ["101", ""], ["102", ""], ["103", "0"], ["104", "0"], ["999", "0"]]


def test_viva_engage_department_column_and_users_file(tmp_path):
    export = write_viva_engage(tmp_path / "export")
    full = tmp_path / "all-users.csv"
    write_csv(full, [*VE_USERS, ["107", "Gus Gray", "gus@example.com", "", "Oslo", "IT", "",
                                 ve_time(-5), "", "", "", "", "", "", "false", "active"]])
    data = read_viva_engage(export, users=full, department="Location")
    assert data.people == {"101": "Ann Arbor", "102": "Leeds", "103": "Leeds", "104": "Paris",
                           "107": "Oslo", "999": None}


def test_parse_time_formats():
    assert parse_time("2024-03-04 09:00:00 UTC") == VE_START + 9 * 3600
    assert parse_time("2024-03-04T09:00:00Z") == VE_START + 9 * 3600
    assert parse_time("2024-03-04T10:00:00+01:00") == VE_START + 9 * 3600
    assert parse_time("2024/3/4 09:00:00 +0000") == VE_START + 9 * 3600
    assert parse_time("2024-03-04 09:00:00") == VE_START + 9 * 3600  # no zone: UTC
    for bad in ("", "soon", "2024-13-01 00:00:00", "nan", "99999999999999"):
        assert parse_time(bad) is None
    assert week_start(VE_START + 6 * DAY) == VE_START


# ---------------------------------------------------------------------------
# bad input: exit 2 and one paragraph through the real entry point


def assert_refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
    message = " ".join(proc.stderr.split())
    for word in words:
        assert word in message, message


def broken_slack(tmp_path: Path, name: str, content: bytes | None) -> Path:
    folder = write_slack(tmp_path / "export")
    if content is None:
        (folder / name).unlink()
    else:
        (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("file", "content", "words"),
    [
        ("users.json", None, ["has no users.json or org_users.json", "channels.json"]),
        ("channels.json", None, ["has no channels.json"]),
        ("users.json", b'[{"id": "U01",', ["users.json is not valid JSON", "line 1"]),
        ("users.json", b"[]", ["users.json lists no users", "empty"]),
        ("channels.json", b'{"id": "C01"}', ["channels.json is not a list of conversations"]),
        ("general/2024-01-01.json", b"[{]", ["2024-01-01.json is not valid JSON"]),
        ("general/2024-01-01.json", b'{"ts": "1"}', ["is not a list of messages"]),
        ("users.json", b'[{"id": "U01", "name": "\xff"}]', ["users.json is not UTF-8 text"]),
    ],
)
def test_slack_malformed_files(tmp_path, file, content, words):
    folder = broken_slack(tmp_path, file, content)
    assert_refused(run_cli("slack", folder, "--out", tmp_path / "out"), *words)
    assert not (tmp_path / "out").exists()


def test_slack_bad_paths(tmp_path):
    out = tmp_path / "out"
    assert_refused(run_cli("slack", tmp_path / "missing.zip", "--out", out), "does not exist")
    text = tmp_path / "export.txt"
    text.write_text("not an export")
    assert_refused(run_cli("slack", text, "--out", out), "neither a folder nor a .zip file")
    archive = zip_folder(write_slack(tmp_path / "export"), tmp_path / "export.zip")
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert_refused(run_cli("slack", damaged, "--out", out), "damaged.zip")
    two = tmp_path / "two"
    write_slack(two / "a")
    write_slack(two / "b")
    assert_refused(run_cli("slack", two, "--out", out), "holds several exports (a, b)")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_refused(run_cli("slack", empty, "--out", out), "has no users.json", "expected a Slack")


def test_bad_output_paths(tmp_path):
    export = write_slack(tmp_path / "export")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_refused(run_cli("slack", export, "--out", a_file), "--out", "is a file")
    assert_refused(run_cli("slack", export, "--out", a_file / "sub"), "lies under the file")
    if sys.platform == "linux":  # /proc takes no new folders, even from root
        assert_refused(run_cli("slack", export, "--out", "/proc/adoptsim-out"),
                       "cannot be created in /proc")
    assert_refused(run_cli("slack", export, "--out", tmp_path / "o", "--keep-salt", tmp_path),
                   "--keep-salt", "is a folder")
    assert_refused(run_cli("slack", export, "--out", tmp_path / "o", "--keep-salt",
                           tmp_path / "nope" / "salt.txt"), "does not exist")


def test_slack_bad_options_and_channels(tmp_path):
    export = write_slack(tmp_path / "export")
    out = tmp_path / "out"
    assert_refused(run_cli("slack", export, "--out", out, "--channel", "sales"),
                   "--channel 'sales' is not a channel", "#general (5 posts), #random (4 posts)")
    assert_refused(run_cli("slack", export, "--out", out, "--window", "0"), "--window 0")
    assert_refused(run_cli("slack", export, "--out", out, "--max-thread-size", "-1"),
                   "--max-thread-size -1")
    assert_refused(run_cli("slack", export, "--out", out, "--keep-names", "--salt", "x"),
                   "--keep-names")
    assert_refused(run_cli("slack", export, "--out", out, "--salt", ""), "--salt is empty")
    assert_refused(run_cli("slack", export, "--out", out, "--ties", "some"), "--ties")
    assert_refused(run_cli("slack", export), "--out")
    assert not out.exists()


def test_slack_no_messages_and_bot_only_channel(tmp_path):
    out = tmp_path / "out"
    silent = write_slack(tmp_path / "silent", conversations={"general": [], "random": []})
    assert_refused(run_cli("slack", silent, "--out", out), "has no posts by the people in it")
    bots = write_slack(tmp_path / "bots", conversations={
        "general": GENERAL[5:7], "random": RANDOM})
    assert_refused(run_cli("slack", bots, "--out", out, "--channel", "general"),
                   "#general", "has no posts or joins by the people in the export",
                   "--channel")
    bad_times = write_slack(tmp_path / "times", conversations={"general": GENERAL[8:10]})
    assert_refused(run_cli("slack", bad_times, "--out", out),
                   "read 2 messages", "1 missing timestamp", "1 invalid timestamp")


def test_viva_engage_malformed(tmp_path):
    out = tmp_path / "out"
    export = write_viva_engage(tmp_path / "export")
    (export / "Users.csv").unlink()
    assert_refused(run_cli("viva-engage", export, "--out", out),
                   "has Messages.csv but no Users.csv", "--users")
    (export / "Messages.csv").unlink()
    assert_refused(run_cli("viva-engage", export, "--out", out), "has no Messages.csv")

    def case(name: str, **files) -> Path:
        return write_viva_engage(tmp_path / name, **files)

    no_time = [[c for c in row if c != "created_at"] for row in VE_MESSAGES[:1]]
    assert_refused(run_cli("viva-engage", case("cols", messages=no_time), "--out", out),
                   "Messages.csv has no column created_at", "expected id, sender_id")
    assert_refused(run_cli("viva-engage", case("ucols", users=[["name"], ["Ann"]]), "--out",
                           out), "Users.csv has no column id")
    empty = case("empty")
    (empty / "Messages.csv").write_bytes(b"")
    assert_refused(run_cli("viva-engage", empty, "--out", out), "Messages.csv is empty")
    assert_refused(run_cli("viva-engage", case("nomsg", messages=[VE_HEADER]), "--out", out),
                   "has no posts by the people in it")
    assert_refused(run_cli("viva-engage", case("nousers", users=VE_USERS[:1]), "--out", out),
                   "Users.csv lists no users")
    binary = case("binary")
    (binary / "Users.csv").write_bytes(b"id,name\n101,\xff\xfe\n")
    assert_refused(run_cli("viva-engage", binary, "--out", out), "Users.csv is not UTF-8 text")
    unclosed = case("unclosed")
    (unclosed / "Messages.csv").write_text('id,sender_id,created_at,group_id\n1,101,"2024,3\n')
    assert_refused(run_cli("viva-engage", unclosed, "--out", out), "Messages.csv, line 2",
                   "not valid CSV")
    good = case("good")
    assert_refused(run_cli("viva-engage", good, "--out", out, "--group", "Chess"),
                   "--group 'Chess' is not a group",
                   "Town Hall (4 posts), Cycling Club (3 posts), All Company (1 post)")
    assert_refused(run_cli("viva-engage", good, "--out", out, "--department-column", "team"),
                   "Users.csv has no column team")
    assert_refused(run_cli("viva-engage", good, "--out", out, "--users", tmp_path / "no.csv"),
                   "--users", "is not a file")
    twin = case("twin", groups=[*VE_GROUPS, ["203", "Town Hall", "", "", "", "", "", "", "",
                                             "", ""]])
    assert_refused(run_cli("viva-engage", twin, "--out", out, "--group", "town hall"),
                   "several groups", "ids 201, 203")
    assert not out.exists()


def test_help_states_privacy_and_definitions():
    for command in ("slack", "viva-engage"):
        proc = run_cli(command, "--help")
        assert proc.returncode == 0, proc.stderr
        text = " ".join(proc.stdout.replace("│", " ").split())
        for phrase in ("message text is never written", "pseudonyms", "--keep-salt",
                       "--keep-names", "bots and deleted or deactivated accounts",
                       "observed_weekly.csv", "last --window weeks"):
            assert phrase in text, (command, phrase)


def test_direct_api_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_slack(tmp_path / "nothing")
    with pytest.raises(InputError, match=r"Users\.csv has no column id"):
        read_viva_engage(write_viva_engage(tmp_path / "e", users=[["name"], ["x"]]))
