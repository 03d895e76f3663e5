"""``adoptsim calibrate`` and ``forecast`` refuse bad input: one message, exit 2, nothing written.

Every case runs through :func:`adoptsim.cli.main` (the function the
``adoptsim`` script calls); a representative case of each kind also runs in
a subprocess of the real entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adoptsim.cli import main

from .conftest import adoptsim, line_network, small_org

# name: (scenario kind, observed file text (None: no file), extra arguments, message fragments)
AGGREGATE_CASES = {
    "missing file": ("small", None, (), ("does not exist",)),
    "empty file": ("small", "", (), ("is empty", "id,joined")),
    "not utf-8": ("small", b"week,member\n0,0.1\n1,\xff\n", (), ("not UTF-8",)),
    "neither form": ("small", "a,b\n1,2\n", (), ("neither a week column", "columns: a, b")),
    "unknown column": ("small", "week,member,likes\n0,0.1,3\n", (),
                       ("unknown column 'likes'", "aware, member, active, underground, posts")),
    "repeated column": ("small", "week,member,member\n0,0.1,0.1\n", (), ("appears twice",)),
    "no series": ("small", "week\n0\n1\n", (), ("no observed series",)),
    "week beyond run": ("small", "week,member\n0,0.1\n25,0.2\n", (),
                        ("line 3", "week 25 is beyond the run", "weeks 0 to 20", "run.steps")),
    "negative week": ("small", "week,member\n-1,0.1\n2,0.2\n", (), ("line 2", "negative")),
    "fractional week": ("small", "week,member\n0,0.1\n1.5,0.2\n", (),
                        ("1.5", "not a week number", "whole number from 0 to 20")),
    "percentage": ("small", "week,member\n0,0.1\n4,45\n", (),
                   ("member 45 is not a share between 0 and 1", "percentage")),
    "share below 0": ("small", "week,active\n0,0.1\n4,-0.2\n", (), ("not a share",)),
    "nan share": ("small", "week,member\n0,0.1\n4,nan\n", (), ("'nan' is not a number",)),
    "text share": ("small", "week,member\n0,0.1\n4,high\n", (), ("'high' is not a number",)),
    "negative posts": ("small", "week,posts\n0,3\n4,-2\n", (), ("negative", "count")),
    "repeated week": ("small", "week,member\n0,0.1\n4,0.2\n4,0.3\n", (),
                      ("line 4", "week 4 appears again", "line 3")),
    "one week": ("small", "week,member\n4,0.2\n", (), ("1 observed week", "at least 2")),
    "empty column": ("small", "week,member,active\n0,0.1,\n4,0.2,\n", (),
                     ("active has no value",)),
    "extra cells": ("small", "week,member\n0,0.1,9\n4,0.2\n", (),
                    ("line 2", "3 cells but the header has 2")),
    "unclosed quote": ("small", 'week,member\n0,"0.1\n4,0.2\n', (), ("not valid CSV",)),
}
INDIVIDUAL_CASES = {
    "unknown ids": ("line", "id,joined\nn0,0\nn1,1\nn2,\nn3,\nn4,\nn5,\nx9,2\nz,\n", (),
                    ("2 id(s) are not nodes", "'x9'", "organisation.edges")),
    "missing people": ("line", "id,joined\nn0,0\nn1,1\n", (),
                       ("no row for 4 of the 6 people", "'n2'", "empty joined")),
    "joined not a week": ("line", "id,joined\nn0,0\nn1,soon\n", (),
                          ("line 3", "joined 'soon' is not a week number")),
    "joined beyond run": ("line", "id,joined\nn0,0\nn1,11\n", (),
                          ("joined 11 is beyond the run", "run.steps")),
    "repeated id": ("line", "id,joined\nn0,0\nn1,1\nn0,2\n", (), ("id 'n0' appears again",)),
    "empty id": ("line", "id,joined\nn0,0\n,1\n", (), ("line 3", "the id is empty")),
    "unknown individual column": ("line", "id,joined,team\nn0,0,a\n", (),
                                  ("unknown column 'team'", "department")),
    "no joined column": ("line", "id,department\nn0,a\n", (), ("no joined column",)),
    "nobody joined": ("line", "id,joined\nn0,0\nn1,\nn2,\nn3,\nn4,\nn5,\n", (),
                      ("nobody joined after week 0",)),
    "generated network": ("small", "id,joined\na,0\nb,1\n", (),
                          ("needs a network with node ids", "organisation.generator")),
}
FIT = "joining.rate=0.01:0.5:log"
GOOD = "week,member\n0,0.02\n4,0.1\n8,0.2\n"
FIT_CASES = {
    "unknown key": (("--fit", "joining.speed=0:1"),
                    ("'joining.speed' is not a scenario key", "allowed keys in [joining]")),
    "unknown section": (("--fit", "joinin.rate=0:1"), ("is not a scenario key",)),
    "no equals": (("--fit", "joining.rate"), ("is not of the form KEY=LO:HI",)),
    "one bound": (("--fit", "joining.rate=0.1"), ("is not of the form KEY=LO:HI",)),
    "text bound": (("--fit", "joining.rate=a:0.2"), ("lower bound 'a' is not a finite number",)),
    "nan bound": (("--fit", "joining.rate=0.1:nan"), ("upper bound 'nan'",)),
    "bounds reversed": (("--fit", "joining.rate=0.2:0.1"), ("lower bound 0.2 is not below",)),
    "equal bounds": (("--fit", "joining.rate=0.2:0.2"), ("is not below",)),
    "out of range": (("--fit", "joining.rate=0.1:2"),
                     ("joining.rate = 2.0 is out of range", "[0.0, 1.0]")),
    "log at 0": (("--fit", "joining.rate=0:0.5:log"), ("bounds above 0",)),
    "not log": (("--fit", "joining.rate=0.1:0.5:lin"), ("'lin' is not 'log'",)),
    "text key": (("--fit", "channel.policy=0:1"), ("only keys that are numbers",)),
    "switch": (("--fit", "mechanisms.feed=0:1"), ("only keys that are numbers", "a switch")),
    "seed": (("--fit", "organisation.seed=1:9"), ("a seed is not fitted",)),
    "run key": (("--fit", "run.steps=5:10"), ("run's keys are not fitted",)),
    "repeated key": (("--fit", FIT, "--fit", "joining.rate=0.02:0.3"),
                     ("joining.rate is given more than once",)),
    "fractional integer bounds": (("--fit", "comms.join_step=0.5:3"), ("whole number",)),
    "deprecated key": (("--fit", "underground.migrate=0:1"), ("no longer acts",)),
}
OPTION_CASES = {
    "workers and scheduler": (("--fit", FIT, "--workers", "2", "--scheduler", "tcp://x:1"),
                              ("not both",)),
    "too few particles": (("--fit", FIT, "--particles", "5"), ("--particles 5 is too few",)),
    "too many particles": (("--fit", FIT, "--particles", "1000000000"), ("too many",)),
    "no generations": (("--fit", FIT, "--generations", "0"), ("--generations 0",)),
    "negative seed": (("--fit", FIT, "--seed", "-1"), ("--seed -1",)),
    "no fit": ((), ("Missing option '--fit'",)),
}


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def _scenario(kind: str, folder: Path) -> Path:
    return small_org(folder) if kind == "small" else line_network(folder)


def _main(capsys, args: list[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code, capsys.readouterr().err


def _assert_refused(code: int, stderr: str, out: Path, fragments: tuple[str, ...]) -> None:
    assert code == 2, stderr
    assert stderr.startswith("error: "), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr, (fragment, stderr)
    assert not out.exists()  # checked before any run: nothing written


@pytest.mark.parametrize("case", [*AGGREGATE_CASES, *INDIVIDUAL_CASES])
def test_bad_observed_file(case, tmp_path, capsys):
    kind, content, extra, fragments = {**AGGREGATE_CASES, **INDIVIDUAL_CASES}[case]
    observed = tmp_path / "observed.csv"
    if content is not None:
        _write(observed, content)
    out = tmp_path / "out"
    code, stderr = _main(capsys, ["calibrate", str(_scenario(kind, tmp_path)), "--observed",
                                  str(observed), "--fit", FIT, "--out", str(out), *extra])
    _assert_refused(code, stderr, out, fragments)


def test_observed_folder_and_bad_out(tmp_path, capsys):
    scenario = small_org(tmp_path)
    observed = tmp_path / "observed.csv"
    observed.write_text(GOOD)
    out = tmp_path / "out"
    code, stderr = _main(capsys, ["calibrate", str(scenario), "--observed", str(tmp_path),
                                  "--fit", FIT, "--out", str(out)])
    _assert_refused(code, stderr, out, ("is not a file",))
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, stderr = _main(capsys, ["calibrate", str(scenario), "--observed", str(observed),
                                  "--fit", FIT, "--out", str(afile)])
    assert code == 2 and "--out" in stderr and "is a file" in stderr, stderr
    code, stderr = _main(capsys, ["calibrate", str(tmp_path / "nope.toml"), "--observed",
                                  str(observed), "--fit", FIT, "--out", str(out)])
    _assert_refused(code, stderr, out, ("nope.toml",))


@pytest.mark.parametrize("case", [*FIT_CASES, *OPTION_CASES])
def test_bad_fit_and_options(case, tmp_path, capsys):
    args, fragments = {**FIT_CASES, **OPTION_CASES}[case]
    observed = tmp_path / "observed.csv"
    observed.write_text(GOOD)
    out = tmp_path / "out"
    code, stderr = _main(capsys, ["calibrate", str(small_org(tmp_path)), "--observed",
                                  str(observed), "--out", str(out), *args])
    _assert_refused(code, stderr, out, fragments)


def test_fit_on_an_edge_list_refuses_organisation_keys(tmp_path, capsys):
    observed = tmp_path / "observed.csv"
    observed.write_text(GOOD)
    out = tmp_path / "out"
    code, stderr = _main(capsys, ["calibrate", str(line_network(tmp_path)), "--observed",
                                  str(observed), "--fit", "organisation.cross_ties=1:5",
                                  "--out", str(out)])
    _assert_refused(code, stderr, out, ("edge list", "no effect"))


SUBPROCESS_CASES = ["week beyond run", "unknown ids", "percentage", "unknown column"]


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_real_entry_point(case, tmp_path):
    kind, content, _, fragments = {**AGGREGATE_CASES, **INDIVIDUAL_CASES}[case]
    observed = tmp_path / "observed.csv"
    _write(observed, content)
    out = tmp_path / "out"
    res = adoptsim("calibrate", _scenario(kind, tmp_path), "--observed", observed, "--fit", FIT,
                   "--out", out, timeout=120)
    _assert_refused(res.returncode, res.stderr, out, fragments)
    assert len(res.stderr.strip().splitlines()) == 1  # one paragraph


def test_real_entry_point_fit_and_scheduler(tmp_path):
    observed = tmp_path / "observed.csv"
    observed.write_text(GOOD)
    out = tmp_path / "out"
    scenario = small_org(tmp_path)
    res = adoptsim("calibrate", scenario, "--observed", observed, "--fit", "joining.rate=0.1:2",
                   "--out", out, timeout=120)
    _assert_refused(res.returncode, res.stderr, out, ("out of range",))
    # Nothing listens on port 9 of this machine: the scheduler cannot be reached.
    res = adoptsim("calibrate", scenario, "--observed", observed, "--fit", FIT, "--out", out,
                   "--scheduler", "tcp://127.0.0.1:9", timeout=120)
    _assert_refused(res.returncode, res.stderr, out,
                    ("Cannot reach the Dask scheduler at tcp://127.0.0.1:9",))
