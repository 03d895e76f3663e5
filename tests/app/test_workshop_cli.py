"""``adoptsim workshop`` through its real entry point: bad input, start, stop and resume."""

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adoptsim.app import server
from adoptsim.app.workshop import cli as workshop_cli
from adoptsim.app.workshop.cli import is_loopback
from adoptsim.app.workshop.room import CODE_LENGTH
from adoptsim.cli import app as cli_app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ('extends = "{}"\ndescription = "Small test organisation."\n'
         "[organisation]\nemployees = 300\n")


def adoptsim(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "adoptsim.cli", "workshop", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "garbage.json").write_text("{ not json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    return tmp_path


def test_bad_options_exit_2_with_one_line_and_start_nothing(folder):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = str(busy.getsockname()[1])
    cases = [
        (["--rounds", "0"], "error: --rounds 0 is not allowed: a game has 1 to 52 rounds."),
        (["--weeks-per-round", "53"],
         "error: --weeks-per-round 53 is not allowed: a round simulates 1 to 52 weeks."),
        (["--max-teams", "201"], "error: --max-teams 201 is not allowed: a room holds 1 to "
                                 "200 teams."),
        (["--rounds", "many"], "error: Invalid value for '--rounds'"),
        (["--port", "0"], "error: Invalid value for '--port'"),
        (["no_such_scenario"], "error: Scenario file no_such_scenario does not exist."),
        (["no_comms"], "error: The scenario no_comms has no comms manager (comms.count = 0)"),
        (["--port", port], f"error: The workshop cannot listen on --host 127.0.0.1 --port "
                           f"{port}:"),
        (["--host", "no-such-host.invalid"], "error: The workshop cannot listen on --host "
                                             "no-such-host.invalid"),
        (["--resume", "missing.json"], "error: --resume missing.json: there is no such file"),
        (["--resume", "garbage.json"], "error: --resume garbage.json cannot be read as a "
                                       "saved workshop"),
        (["--resume", "other.json"], "error: --resume other.json is not a saved adoptsim "
                                     "workshop"),
        (["--resume", "other.json", "--rounds", "3", "baseline"],
         "error: --resume continues the saved game with its own scenario, rounds, weeks per "
         "round and most teams; leave out SCENARIO, --rounds."),
    ]
    try:
        for args, message in cases:
            result = adoptsim(*args, cwd=folder)
            assert result.returncode == 2, (args, result.stderr)
            first = result.stderr.splitlines()[0]
            assert first.startswith(message), (args, first)
            assert "Traceback" not in result.stderr and result.stdout == ""
    finally:
        busy.close()
    assert sorted(p.name for p in folder.iterdir()) == ["garbage.json", "other.json"]


def read_until(process: subprocess.Popen, prefix: str) -> list[str]:
    lines = [process.stdout.readline()]
    while lines[-1] and not lines[-1].lstrip().startswith(prefix):
        lines.append(process.stdout.readline())
    return lines


def start(folder: Path, *args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-m", "adoptsim.cli", "workshop", *args],
                               cwd=folder, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return process, "".join(read_until(process, "Teams join at"))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)
    process.stdout.close()


def test_workshop_prints_both_addresses_saves_the_game_and_resumes_it(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL.format(ROOT / "scenarios" / "baseline.toml"))
    port = server.free_port()
    process, out = start(tmp_path, "small.toml", "--port", str(port), "--rounds", "4",
                         "--weeks-per-round", "6", "--max-teams", "10")
    try:
        assert out.startswith("adoptsim workshop: small, 4 rounds of 6 weeks (24 weeks), up "
                              "to 10 teams.\n")
        token = re.search(rf"Facilitator \(keep this address to yourself\): "
                          rf"http://127\.0\.0\.1:{port}/facilitator/(\S+)\n", out).group(1)
        code = re.search(rf"Teams join at http://127\.0\.0\.1:{port}/ with room code "
                         rf"(\S+)\n", out).group(1)
        assert len(token) >= 24 and len(code) == CODE_LENGTH
        saved = re.search(r"The game is saved to (\S+) after every change", out).group(1)
        assert f"adoptsim workshop --resume {saved}" in out and "warning" not in out
        data = json.loads(Path(saved).read_text())
        assert (data["room_code"], data["token"], data["rounds"]) == (code, token, 4)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200
    finally:
        stop(process)
    with pytest.raises(OSError):  # the server went with the command
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
    process, out = start(tmp_path, "--resume", saved, "--port", str(port))
    try:
        assert "small, 4 rounds of 6 weeks (24 weeks), up to 10 teams, resumed at round 1." in out
        assert f"/facilitator/{token}\n" in out and f"room code {code}\n" in out
    finally:
        stop(process)


def test_another_host_than_loopback_is_warned_about(monkeypatch, tmp_path):
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "127.0.0.2")] == [True] * 4
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.20", "example.org"))
    started = {}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(workshop_cli, "check_address", lambda *args: None)
    monkeypatch.setattr(server, "start", lambda *args, **kwargs: started.update(kwargs))
    monkeypatch.setattr(workshop_cli, "serve", lambda process, host, port, ready, what:
                        started.update(ready=ready))
    result = CliRunner().invoke(cli_app, ["workshop", "small_team", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert ("warning: --host 0.0.0.0 makes the workshop reachable from other machines on the "
            "network; teams still need the room code, and only the facilitator's address runs "
            "the game.") in result.output
    assert started["module"] == "adoptsim.app.workshop.pages"
    assert started["env"]["ADOPTSIM_WORKSHOP_JOIN"] == f"http://{socket.gethostname()}:8765/"
    assert started["ready"][1].startswith(f"  Facilitator (keep this address to yourself): "
                                          f"http://{socket.gethostname()}:8765/facilitator/")
