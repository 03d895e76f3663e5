"""Experiment files: designs, seeds, run ids, and clear errors for bad files."""

import numpy as np
import pytest

from adoptsim.errors import InputError
from adoptsim.sweeps.experiment import load_experiment, seeds_for
from sweep_files import GRID, cli, write_experiment


def test_grid_is_the_full_factorial_in_file_order(tmp_path):
    exp = load_experiment(write_experiment(tmp_path))
    assert exp.points == [
        {"comms.join_step": 0, "channel.policy": "open"},
        {"comms.join_step": 0, "channel.policy": "shutdown"},
        {"comms.join_step": 10, "channel.policy": "open"},
        {"comms.join_step": 10, "channel.policy": "shutdown"},
    ]
    design = exp.design_frame()
    assert list(design.columns) == [
        "run_id", "point", "replication", "seed", "comms.join_step", "channel.policy"]
    assert len(design) == 12 and design["run_id"].is_unique
    assert exp.base["channel"]["policy_start"] == 10 and exp.base["run"]["steps"] == 20


def test_replications_share_seeds_across_points_and_keep_them_when_added(tmp_path):
    exp = load_experiment(write_experiment(tmp_path))
    design = exp.design_frame()
    per_rep = design.groupby("replication")["seed"].nunique()
    assert (per_rep == 1).all()  # common random numbers
    assert design.groupby("point")["seed"].nunique().eq(3).all()
    assert exp.seeds == seeds_for(7, 3) == seeds_for(7, 10)[:3]
    child = np.random.SeedSequence(7).spawn(3)[2]
    assert exp.seeds[2] == int(child.generate_state(1, np.uint64)[0]) >> 1


def test_run_ids_and_hash_are_stable_and_follow_what_decides_results(tmp_path):
    path = write_experiment(tmp_path)
    a, b = load_experiment(path), load_experiment(path)
    assert [r.run_id for r in a.runs] == [r.run_id for r in b.runs]
    assert a.hash == b.hash
    path.write_text('description = "edited, same runs"\n' + GRID)
    assert load_experiment(path).hash == a.hash
    changed = [
        load_experiment(write_experiment(tmp_path, GRID.replace("seed = 7", "seed = 8"))),
        load_experiment(path, {"run.steps": 21}),
        load_experiment(write_experiment(tmp_path, GRID.replace("= 10\n", "= 11\n"))),
    ]
    for exp in changed:
        assert exp.hash != a.hash
    assert changed[0].runs[0].run_id != a.runs[0].run_id
    assert changed[1].runs[0].run_id != a.runs[0].run_id


def test_lhs_stratifies_each_range_and_rounds_integer_keys(tmp_path):
    body = """
scenario = "small.toml"
replications = 1
seed = 3
[design]
kind = "lhs"
samples = 40
[parameters]
"comms.join_step" = { min = 0, max = 3 }
"awareness.q" = { min = 0.1, max = 0.5 }
"""
    exp = load_experiment(write_experiment(tmp_path, body))
    steps = np.array([p["comms.join_step"] for p in exp.points])
    q = np.array([p["awareness.q"] for p in exp.points])
    # 40 strata over [0, 4) rounded down: each integer 0..3 exactly 10 times.
    assert np.bincount(steps).tolist() == [10, 10, 10, 10]
    assert all(type(s) is int for s in steps.tolist())
    # One sample in each of the 40 strata of [0.1, 0.5].
    assert sorted(np.floor((q - 0.1) / 0.4 * 40).astype(int).tolist()) == list(range(40))
    assert exp.integer_parameters == ["comms.join_step"]
    assert load_experiment(write_experiment(tmp_path, body)).points == exp.points


def test_sobol_design_has_saltelli_blocks_and_a_salib_problem(tmp_path):
    body = """
scenario = "small.toml"
replications = 2
seed = 1
[design]
kind = "sobol"
samples = 8
[parameters]
"awareness.q" = { min = 0.1, max = 0.5 }
"comms.tone" = { min = 0.0, max = 1.0 }
"""
    exp = load_experiment(write_experiment(tmp_path, body))
    assert len(exp.points) == 8 * (2 + 2) and len(exp.runs) == 64
    assert exp.problem == {"num_vars": 2, "names": ["awareness.q", "comms.tone"],
                           "bounds": [[0.1, 0.5], [0.0, 1.0]]}
    x = np.array([[p["awareness.q"], p["comms.tone"]] for p in exp.points]).reshape(8, 4, 2)
    a, ab1, ab2, b = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    # AB_i is A with column i taken from B: what SALib.analyze.sobol expects.
    np.testing.assert_array_equal(ab1, np.column_stack([b[:, 0], a[:, 1]]))
    np.testing.assert_array_equal(ab2, np.column_stack([a[:, 0], b[:, 1]]))
    assert ((x[..., 0] >= 0.1) & (x[..., 0] <= 0.5)).all()


#: An ablation of two mechanisms (4 design points).
ABLATION = """
scenario = "small.toml"
replications = 2
seed = 7
[design]
kind = "ablation"
mechanisms = ["feed", "churn"]
[contrast]
"comms.join_step" = [0, 10]
"""

#: A Morris screening of two parameters (3 trajectories of 3 points).
MORRIS = """
scenario = "small.toml"
replications = 2
seed = 7
[design]
kind = "morris"
samples = 3
[parameters]
"awareness.q" = { min = 0.1, max = 0.5 }
"comms.join_step" = { min = 0, max = 10 }
"""

BAD_FILES = {
    "unknown key": (
        GRID.replace("replications = 3", "replicates = 3"),
        ["unknown key 'replicates'", "allowed keys", "replications"],
    ),
    "wrong design kind": (
        GRID + '[design]\nkind = "random"\n',
        ["design.kind = 'random' is not allowed", "'grid'", "'lhs'", "'sobol'"],
    ),
    "grid value out of range": (
        GRID.replace("[0, 10]", "[0, -5]"),
        ["'comms.join_step' value -5", "comms.join_step = -5 is out of range", ">= 0"],
    ),
    "lhs range min > max": (
        GRID.replace('"comms.join_step" = [0, 10]', '"awareness.q" = { min = 0.5, max = 0.1 }')
        .replace('"channel.policy" = ["open", "shutdown"]', "")
        + '[design]\nkind = "lhs"\nsamples = 8\n',
        ["'awareness.q'", "min (0.5) must be less than max (0.1)"],
    ),
    "missing scenario file": (
        GRID.replace("small.toml", "nowhere.toml"),
        ["nowhere.toml does not exist", "relative to the experiment file"],
    ),
    "TOML syntax error": (
        GRID.replace("replications = 3", "replications = "),
        ["is not valid TOML", "line"],
    ),
    "parameter that is no scenario key": (
        GRID.replace("comms.join_step", "comms.joinstep"),
        ["'comms.joinstep' is not a scenario key", "allowed keys in [comms]", "join_step"],
    ),
    "grid given a range": (
        GRID.replace("[0, 10]", "{ min = 0, max = 10 }"),
        ["a grid needs a non-empty list of values"],
    ),
    "sobol samples not a power of two": (
        GRID.replace('"comms.join_step" = [0, 10]', '"awareness.q" = { min = 0.1, max = 0.5 }')
        .replace('"channel.policy" = ["open", "shutdown"]', "")
        + '[design]\nkind = "sobol"\nsamples = 50\n',
        ["design.samples = 50 must be a power of two", "64"],
    ),
    "range over a string key": (
        GRID.replace('"comms.join_step" = [0, 10]', '"channel.policy" = { min = 0, max = 1 }')
        .replace('"channel.policy" = ["open", "shutdown"]', "")
        + '[design]\nkind = "lhs"\nsamples = 4\n',
        ["only numeric keys can be sampled", "channel.policy"],
    ),
    "run.seed as a parameter": (
        GRID.replace("comms.join_step", "run.seed"),
        ["'run.seed' cannot be set here", "experiment's 'seed'"],
    ),
    # TOML has nan and inf literals: each is refused with the key and the value.
    "NaN in a grid": (
        GRID.replace('"comms.join_step" = [0, 10]', '"comms.tone" = [0.1, nan]'),
        ["'comms.tone': value nan is not a finite number", "NaN and infinity are not allowed"],
    ),
    "NaN in an integer grid": (
        GRID.replace("[0, 10]", "[0, nan]"),
        ["'comms.join_step': value nan is not a finite number"],
    ),
    "inf as a range's max": (
        GRID.replace('"comms.join_step" = [0, 10]', '"comms.tone" = { min = 0, max = inf }')
        .replace('"channel.policy" = ["open", "shutdown"]', "")
        + '[design]\nkind = "lhs"\nsamples = 4\n',
        ["'comms.tone': max = inf is not a finite number", "finite min and max"],
    ),
    "NaN as a range's min": (
        GRID.replace('"comms.join_step" = [0, 10]', '"comms.tone" = { min = nan, max = 1 }')
        .replace('"channel.policy" = ["open", "shutdown"]', "")
        + '[design]\nkind = "sobol"\nsamples = 4\n',
        ["'comms.tone': min = nan is not a finite number"],
    ),
    "NaN in [overrides]": (
        GRID + '"awareness.q" = nan\n',
        ["[overrides] 'awareness.q' = nan is not a finite number"],
    ),
    "-inf in [overrides]": (
        GRID + '"awareness.q" = -inf\n',
        ["[overrides] 'awareness.q' = -inf is not a finite number"],
    ),
    "ablation with two contrast keys": (
        ABLATION + '"comms.posts" = [1, 2]\n',
        ["exactly one key and two values", "it has 2 keys (comms.join_step, comms.posts)"],
    ),
    "ablation without a contrast": (
        ABLATION.split("[contrast]")[0],
        ["an ablation needs a [contrast] table", "it has 0 keys"],
    ),
    "ablation contrast of three values": (
        ABLATION.replace("[0, 10]", "[0, 10, 20]"),
        ["'comms.join_step' = [0, 10, 20]", "exactly two values, the reference and the "],
    ),
    "ablation contrast of one value twice": (
        ABLATION.replace("[0, 10]", "[3, 3]"),
        ["the reference and the alternative are the same"],
    ),
    "ablation contrast that is a mechanism switch": (
        ABLATION.replace('"comms.join_step" = [0, 10]', '"mechanisms.feed" = [true, false]'),
        ["'mechanisms.feed': the contrast cannot be a mechanism switch"],
    ),
    "ablation contrast that is no scenario key": (
        ABLATION.replace("comms.join_step", "comms.joinstep"),
        ["'comms.joinstep' is not a scenario key", "join_step"],
    ),
    "ablation contrast out of range": (
        ABLATION.replace("[0, 10]", "[0, -3]"),
        ["[contrast] 'comms.join_step' value -3", ">= 0"],
    ),
    "NaN in an ablation's contrast": (
        ABLATION.replace('"comms.join_step" = [0, 10]', '"comms.tone" = [0.1, nan]'),
        ["[contrast] 'comms.tone': value nan is not a finite number"],
    ),
    "ablation contrast also an override": (
        ABLATION + '[overrides]\n"comms.join_step" = 3\n',
        ["'comms.join_step' is both the contrast and an override"],
    ),
    "ablation of an unknown mechanism": (
        ABLATION.replace('"churn"', '"gossip"'),
        ["design.mechanisms: 'gossip' is no mechanism", "promotion", "frustration"],
    ),
    "ablation listing a mechanism twice": (
        ABLATION.replace('"churn"', '"feed"'),
        ["lists 'feed' more than once"],
    ),
    "ablation of a mechanism already off": (
        ABLATION + '[overrides]\n"mechanisms.churn" = false\n',
        ["lists 'churn', already off in the base scenario", "compare the base with itself"],
    ),
    "ablation with parameters": (
        ABLATION + '[parameters]\n"comms.posts" = [1, 2]\n',
        ["an ablation varies no [parameters] (comms.posts)"],
    ),
    "ablation with samples": (
        ABLATION.replace('kind = "ablation"', 'kind = "ablation"\nsamples = 4'),
        ["design.samples applies to kind = 'lhs', 'sobol' or 'morris' only"],
    ),
    "contrast in a grid": (
        GRID + '[contrast]\n"comms.effort" = [0.1, 0.5]\n',
        ["[contrast] applies to kind = 'ablation' only"],
    ),
    "levels in a grid": (
        GRID + "[design]\nlevels = 4\n",
        ["design.levels applies to kind = 'morris' only"],
    ),
    "morris with odd levels": (
        MORRIS.replace("samples = 3", "samples = 3\nlevels = 5"),
        ["design.levels = 5 must be even"],
    ),
    "morris with one trajectory": (
        MORRIS.replace("samples = 3", "samples = 1"),
        ["a morris design needs at least 2 trajectories"],
    ),
    "morris integer range narrower than its levels": (
        MORRIS.replace("max = 10", "max = 2"),
        ["'comms.join_step' spans 3 integers (0 to 2), fewer than design.levels = 4"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_experiment_file_exits_2_with_a_clear_message(case, tmp_path, monkeypatch, capsys):
    body, expected = BAD_FILES[case]
    path = write_experiment(tmp_path, body)
    res = cli(monkeypatch, capsys, "sweep", path, "--out", tmp_path / "out", "--workers", "1")
    assert res.code == 2, res.text
    assert "Traceback" not in res.text
    assert str(path) in res.text or "nowhere.toml" in res.text
    for fragment in expected:
        assert fragment in res.text, (fragment, res.text)
    assert not (tmp_path / "out").exists()  # nothing ran


def test_bad_command_lines_exit_2(tmp_path, monkeypatch, capsys):
    path = write_experiment(tmp_path)
    res = cli(monkeypatch, capsys, "sweep", path, "--set", "comms.effort=-3")
    assert res.code == 2 and "--set" in res.text and "comms.effort = -3" in res.text
    res = cli(monkeypatch, capsys, "sweep", path, "--set", "comms.join_step=3")
    assert res.code == 2 and "is a design parameter" in res.text
    res = cli(monkeypatch, capsys, "sweep", path, "--workers", "2", "--scheduler", "tcp://x:1")
    assert res.code == 2 and "not both" in res.text
    res = cli(monkeypatch, capsys, "sweep", tmp_path / "none.toml")
    assert res.code == 2 and "does not exist" in res.text
    res = cli(monkeypatch, capsys, "sweep", path, "--set", "comms.tone=nan")
    assert res.code == 2 and "--set comms.tone=nan: nan is not a finite number" in res.text


SIZED = {
    "grid": ('"comms.join_step" = [0, 5, 10]\n"comms.tone" = [0.2, 0.8]\n', 6),
    "lhs": ('"comms.tone" = { min = 0, max = 1 }\n[design]\nkind = "lhs"\nsamples = 5\n', 5),
    "sobol": ('"comms.tone" = { min = 0, max = 1 }\n"awareness.q" = { min = 0.1, max = 0.5 }\n'
              '"comms.join_step" = { min = 0, max = 20 }\n[design]\nkind = "sobol"\n'
              "samples = 4\n", 4 * (3 + 2)),
    "morris": ('"comms.tone" = { min = 0, max = 1 }\n"awareness.q" = { min = 0.1, max = 0.5 }\n'
               '[design]\nkind = "morris"\nsamples = 5\n', 5 * (2 + 1)),
    "ablation": ('[contrast]\n"comms.join_step" = [0, 5]\n[design]\nkind = "ablation"\n'
                 'mechanisms = ["feed", "churn", "reshare"]\n', 2 * (1 + 3)),
}


@pytest.mark.parametrize("kind", list(SIZED))
def test_the_run_count_is_known_before_the_design_is_built(kind, tmp_path, monkeypatch):
    parameters, points = SIZED[kind]
    body = f'scenario = "small.toml"\nreplications = 3\nseed = 2\n[parameters]\n{parameters}'
    path = write_experiment(tmp_path, body)
    exp = load_experiment(path, max_runs=3 * points)
    assert len(exp.points) == points and len(exp.runs) == 3 * points

    def build(*args, **kwargs):
        raise AssertionError("the design was built before its size was checked")

    monkeypatch.setattr("adoptsim.sweeps.design.grid_points", build)
    monkeypatch.setattr("adoptsim.sweeps.design.sample", build)
    monkeypatch.setattr("adoptsim.sweeps.design.ablation_points", build)
    with pytest.raises(InputError) as error:
        load_experiment(path, max_runs=3 * points - 1)
    message = str(error.value)
    assert f"the design has {3 * points} runs" in message and "--max-runs" in message
    how = {"sobol": "4 samples x (3 parameters + 2) = 20 design points x 3 replications",
           "morris": "5 trajectories x (2 parameters + 1) = 15 design points x 3 replications",
           "ablation": "2 contrast values x (1 + 3 mechanisms) = 8 design points x 3 "
                       "replications"}
    assert how.get(kind, "") in message
