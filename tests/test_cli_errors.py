"""Bad command lines through the real entry point: one message, exit status 2, no traceback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adoptsim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
#: A run that takes a fraction of a second once the kernels are compiled.
SMALL = ("--set", "organisation.employees=100", "--steps", "3")


def adoptsim(*args, cwd=ROOT, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "adoptsim.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_usage_error(res, *fragments):
    """Exit 2, an ``error:`` line naming every fragment, and no traceback."""
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert any(line.startswith("error: ") for line in res.stderr.splitlines()), res.stderr
    for fragment in fragments:
        assert fragment in res.stderr, (fragment, res.stderr)


def edgelist_scenario(folder: Path, edges: str) -> Path:
    (folder / "ties.csv").write_text(edges)
    path = folder / "edges.toml"
    path.write_text(f'extends = "{BASELINE}"\n[organisation]\ngenerator = "edgelist"\n'
                    f'edges = "ties.csv"\n')
    return path


# ---------------------------------------------------------------- usage errors
USAGE = [
    (("runn",), ("No such command 'runn'. Did you mean 'run'?", "Run 'adoptsim --help'")),
    (("run",), ("Missing argument", "Run 'adoptsim run --help' for usage.")),
    (("run", "baseline", "--seed", "abc"), ("'--seed'", "'abc'", "adoptsim run --help")),
    (("sweep",), ("Missing argument", "adoptsim sweep --help")),
    (("sweep", "E", "--workers", "0"), ("'--workers'", "greater than or equal to 1")),
    (("sweep", "E", "--workers", "-1"), ("'--workers'", "'-1'")),
    (("sweep", "E", "--workers", "abc"), ("'--workers'", "'abc'")),
    (("classic", "nosuchmodel"), ("No such command 'nosuchmodel'", "adoptsim classic --help")),
    (("app", "--port", "99999"), ("'--port'", "65535", "'99999'")),
    (("app", "--port", "0"), ("'--port'", "greater than or equal to 1")),
]


@pytest.mark.parametrize(("args", "fragments"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors_are_one_message_and_exit_2(args, fragments):
    res = adoptsim(*args, timeout=60)
    assert_usage_error(res, *fragments)
    assert len(res.stderr.strip().splitlines()) == 2  # the error and the --help hint


@pytest.mark.parametrize(("args", "commands"), [((), ("run", "sweep", "classic")),
                                                (("classic",), ("bass", "watts", "centola"))])
def test_missing_command_lists_the_commands_on_stderr(args, commands):
    res = adoptsim(*args, timeout=60)
    assert_usage_error(res, "error: missing command.", "Usage: adoptsim")
    assert res.stdout == ""
    listed = [line.split()[0] for line in res.stderr.splitlines() if line.startswith("  ")]
    assert set(commands) <= set(listed)


def test_a_nul_byte_in_the_scenario_argument_is_an_input_error():
    code = ("import sys; from adoptsim.cli import main; "
            "sys.argv = ['adoptsim', 'run', 'a\\x00b.toml']; main()")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert_usage_error(res, "NUL byte", "'a\\x00b.toml'")


def test_a_bad_set_value_names_the_set_option_and_the_file(tmp_path):
    res = adoptsim("run", "baseline", "--set", "following.cap=0", "--out", str(tmp_path / "o"))
    assert_usage_error(res, "baseline.toml with --set following.cap=0",
                       "following.cap = 0 is out of range; allowed: [1, 1024]")
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- output folder
def test_out_that_is_a_file_or_lies_under_one_is_refused_before_running(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = adoptsim("run", "baseline", *SMALL, "--out", str(afile))
    assert_usage_error(res, f"--out {afile} is a file")
    res = adoptsim("run", "baseline", *SMALL, "--out", str(afile / "sub"))
    assert_usage_error(res, f"lies under the file {afile}")
    assert "members (adoption)" not in res.stdout, "checked before the run, not after"
    assert afile.read_text() == "x"


def test_out_that_is_not_writable_is_refused_before_running(tmp_path):
    if os.geteuid() == 0:
        # root may write to any mode-0555 folder, but never into sysfs.
        folder, where = Path("/sys/adoptsim-test"), "/sys"
        if not Path("/sys/kernel").is_dir():
            # Without sysfs, root has no folder it cannot write to: nothing to test.
            pytest.skip("no sysfs here to stand in for a read-only folder")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        folder, where = locked / "out", str(locked)
    res = adoptsim("run", "baseline", *SMALL, "--out", str(folder))
    assert_usage_error(res, f"--out {folder} cannot be created in {where}")
    assert "members (adoption)" not in res.stdout


def test_check_output_folder_creates_nothing_and_names_the_problem(tmp_path):
    from adoptsim.atomic import check_output_folder

    target = tmp_path / "a" / "b"
    assert check_output_folder(target, "--csv") == target
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a probe is left
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match=r"--csv .*f is a file"):
        check_output_folder(tmp_path / "f", "--csv")
    with pytest.raises(InputError, match="NUL byte"):
        check_output_folder(str(tmp_path / "x\0y"))


# ---------------------------------------------------------------- literal text
def test_user_text_is_printed_literally_not_as_markup_or_emoji(tmp_path):
    literal = "root:x:0 :smile: [bold]x[/bold]"
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[comms]\neffort = "{literal}"\n')
    res = adoptsim("check", str(bad))
    assert_usage_error(res, literal)
    odd = tmp_path / "a[bold]b:smile:.toml"
    odd.write_text('description = "[red]red[/red] :x:"\n[run]\nsteps = 3\n'
                   '[organisation]\nemployees = 100\n')
    res = adoptsim("check", str(odd))
    assert res.returncode == 0 and f"{odd}: OK" in res.stdout, res.stdout
    res = adoptsim("run", str(odd), "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert "[red]red[/red] :x:" in res.stdout and "a[bold]b:smile::" in res.stdout


# ---------------------------------------------------------------- warnings
def test_edge_list_warnings_are_one_line_each(tmp_path):
    scenario = edgelist_scenario(tmp_path, "source,target\na,b\nb,c\nc,c\nb,a\nc,d\n")
    res = adoptsim("run", str(scenario), "--steps", "2", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    warned = [line for line in res.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 2, res.stderr
    assert "self-loop" in warned[0] and "duplicate tie" in warned[1]
    assert "UserWarning" not in res.stderr and ".py:" not in res.stderr
    assert "load_edgelist(" not in res.stderr  # no Python source line


# ---------------------------------------------------------------- check
def test_check_reads_the_edge_list_as_run_does(tmp_path):
    scenario = edgelist_scenario(tmp_path, "source,target\na,b\nb,c\nc,d\n")
    res = adoptsim("check", str(scenario))
    assert res.returncode == 0, res.stderr
    assert "(4 employees, 3 ties, 104 weeks, generator edgelist)" in res.stdout
    for edges, problem in [(None, "does not exist"),
                           ("source,target,weight\na,b,1\nb,c,abc\n", "weight 'abc'")]:
        (tmp_path / "ties.csv").unlink(missing_ok=True)
        if edges is not None:
            (tmp_path / "ties.csv").write_text(edges)
        checked = adoptsim("check", str(scenario))
        ran = adoptsim("run", str(scenario), *SMALL, "--out", str(tmp_path / "o"))
        assert_usage_error(checked, problem, "ties.csv")
        errors = [[line for line in r.stderr.splitlines() if line.startswith("error: ")]
                  for r in (checked, ran)]
        assert errors[0] == errors[1]  # the same message as the run gives


# ---------------------------------------------------------------- run output
def test_first_run_says_it_compiles_and_logs_plain_progress(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}  # an empty cache
    args = ("run", "baseline", "--set", "organisation.employees=100", "--steps", "20",
            "--out", str(tmp_path / "o"))
    first = adoptsim(*args, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith("Compiling the simulation kernels (first run only")
    second = adoptsim(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert "Compiling" not in second.stderr
    # stderr is a pipe here: a plain line at every tenth of the run instead of a bar.
    assert second.stderr.splitlines() == [f"week {w}/20" for w in range(2, 21, 2)]


def test_missing_t50_prints_n_a(tmp_path):
    res = adoptsim("run", "baseline", *SMALL, "--set", "population.champion_share=0",
                   "--set", "comms.count=0", "--set", "awareness.p_external=0",
                   "--set", "joining.rate=0", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if "t50 (weeks)" in line)
    assert "n/a" in row and "None" not in res.stdout


# ---------------------------------------------------------------- app
def test_app_input_errors_exit_2_before_starting_a_server():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = adoptsim("app", "--port", str(port), timeout=60)
    assert_usage_error(res, f"--port {port}", "Address already in use")
    assert "Starting" not in res.stdout
    assert_usage_error(adoptsim("app", "--host", "no-such-host.invalid", timeout=60),
                       "--host no-such-host.invalid")
    assert_usage_error(adoptsim("app", "no_such_scenario", timeout=60), "no_such_scenario")
    assert_usage_error(adoptsim("app", "--set", "organisation.employees=-3", timeout=60),
                       "organisation.employees")


# ---------------------------------------------------------------- classic
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("bass", "--employees", "-5"), "--employees"),
        (("bass", "--p", "nan"), "--p"),
        (("granovetter", "--employees", "-3"), "--employees"),
        (("watts", "--phi", "nan"), "--phi"),
        (("watts", "--mean-degree", "nan", "--employees", "100"), "--mean-degree"),
        (("sir", "--beta", "inf"), "--beta"),
        (("sis", "--gamma", "-0.5"), "--gamma"),
        (("ic", "--p", "1.5"), "--p"),
        (("lt", "--samples", "0"), "--samples"),
        (("degroot", "--employees", "0"), "--employees"),
        (("fj", "--susceptibility", "nan"), "--susceptibility"),
        (("deffuant", "--mu", "0.7"), "--mu"),
        (("centola", "--rewire", "0.1,nan"), "--rewire"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else None,
)
def test_classic_bad_option_values_name_the_option(args, option):
    res = adoptsim("classic", *args, timeout=60)
    assert_usage_error(res, f"error: {option} must be")


@pytest.mark.parametrize(
    "args",
    [
        ("bass", "--employees", "1000000000000"),
        ("granovetter", "--employees", "1000000000000"),
        ("watts", "--employees", "1000000000000"),
        ("ic", "--employees", "100000", "--samples", "100000"),
        ("friedkin-johnsen", "--employees", "1000000"),
        ("deffuant", "--employees", "1000000000000"),
        ("centola", "--employees", "1000000000000"),
    ],
    ids=lambda a: a[0],
)
def test_classic_size_bombs_are_refused_before_allocating(args):
    res = adoptsim("classic", *args, timeout=60)
    assert_usage_error(res, f"adoptsim classic {args[0]} with --employees", "bytes per employee",
                       "of memory, but only", "Use a smaller --employees")
