"""``adoptsim classic MODEL``: every model runs, prints JSON, and rejects bad input."""

import json

import pytest
import typer
from typer.testing import CliRunner

from adoptsim.classic.cli import register
from adoptsim.errors import InputError

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Stand-in for the adoptsim app."""

    register(app)
    return app


def _run(*args: str):
    return runner.invoke(_app(), ["classic", *args])


def _json(*args: str) -> dict:
    result = _run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_granovetter_riot():
    assert _json("granovetter")["adopters"] == 100
    assert _json("granovetter", "--raise-one")["adopters"] == 1


def test_watts_explicit_seeds_and_trials():
    out = _json("watts", "--employees", "2000", "--seeds", "1,5,9", "--phi", "0.1")
    assert out["seeds"] == [1, 5, 9]
    assert out["final_adopters"] == len(out["adopters"])
    out = _json("watts", "--employees", "2000", "--trials", "20")
    assert out["poisson_window_low"] == pytest.approx(1.02, abs=0.01)
    assert len(out["sizes"]) == 20
    assert out["global_frequency"] == sum(s > 0.1 for s in out["sizes"]) / 20


@pytest.mark.parametrize(
    "args",
    [
        ("bass", "--employees", "500", "--horizon", "5"),
        ("sir", "--employees", "2000", "--trials", "2"),
        ("sis", "--employees", "500", "--steps", "50", "--trials", "1"),
        ("ic", "--employees", "200", "--k", "3", "--samples", "20"),
        ("lt", "--employees", "200", "--k", "3", "--samples", "20", "--generator", "org"),
        ("degroot", "--employees", "200"),
        ("friedkin-johnsen", "--employees", "200", "--generator", "watts_strogatz",
         "--mean-degree", "6"),
        ("deffuant", "--employees", "200", "--d", "0.3"),
        ("centola", "--employees", "400", "--rewire", "0,0.1", "--trials", "2"),
    ],
    ids=lambda a: a[0],
)
def test_every_model_prints_json_and_a_table(args):
    out = _json(*args)
    assert out["model"]
    table = _run(*args)
    assert table.exit_code == 0 and out["model"].split()[0] in table.output


def test_fj_is_a_hidden_alias_of_friedkin_johnsen():
    args = ("--employees", "200", "--generator", "watts_strogatz", "--mean-degree", "6")
    assert _json("fj", *args) == _json("friedkin-johnsen", *args)
    listed = _run("--help").output
    assert "friedkin-johnsen" in listed
    assert not any(line.split()[1:2] == ["fj"] for line in listed.splitlines() if line.strip())


def test_same_seed_same_output():
    args = ("sir", "--employees", "1000", "--trials", "2", "--seed", "4")
    assert _json(*args) == _json(*args)


def test_edge_list_input(tmp_path):
    path = tmp_path / "ties.csv"
    path.write_text("source,target\na,b\nb,c\nc,d\nd,a\n")
    out = _json("watts", "--edges", str(path), "--seeds", "0", "--phi", "0.5")
    assert out["nodes"] == 4 and out["final_adopters"] == 4


@pytest.mark.parametrize(
    "args",
    [
        ("watts", "--generator", "complete", "--employees", "50"),
        ("watts", "--generator", "nonsense"),
        ("watts", "--generator", "edgelist"),
        ("watts", "--employees", "100", "--seeds", "1,x"),
        ("sir", "--employees", "100", "--beta", "2"),
        ("centola", "--rewire", ""),
        ("bass", "--dt", "0"),
        ("granovetter", "--thresholds", "0,1.5"),
    ],
)
def test_bad_input_raises_input_error(args):
    result = _run(*args)
    assert isinstance(result.exception, InputError), result.output
