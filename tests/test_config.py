"""Scenario loading and validation: every bad input gets a clear message."""

import pytest

from adoptsim.config import flat_to_dotted, load_config
from adoptsim.errors import InputError
from adoptsim.toml import parse_assignments


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path, overrides=None) -> str:
    with pytest.raises(InputError) as exc:
        load_config(path, overrides)
    return str(exc.value)


def test_defaults_match_the_design():
    cfg = load_config()
    assert cfg.organisation.employees == 2000 and cfg.run.steps == 104
    assert cfg.posting.intercept == -4.0 and cfg.population.posting_sigma == 2.1
    assert cfg.awareness.q == 0.3 and cfg.visibility.feed == 3.0 and cfg.following.cap == 16
    assert all(cfg.mechanisms.model_dump().values())
    assert cfg.channel.levers() == (0.0, 0.0, 0.0)
    assert cfg.comms.strategy == "champions"


def test_extends_is_relative_to_the_file_and_merges(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "base.toml", "[comms]\neffort = 7\ntone = 0.5\n[run]\nsteps = 9\n")
    child = write(tmp_path / "sub", "child.toml", 'extends = "../base.toml"\n[comms]\ntone = 0.9\n')
    cfg = load_config(child)
    assert (cfg.comms.effort, cfg.comms.tone, cfg.run.steps) == (7, 0.9, 9)


def test_edge_paths_are_relative_to_the_file_that_names_them(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "base.toml", '[organisation]\ngenerator = "edgelist"\nedges = "e.csv"\n')
    child = write(tmp_path / "sub", "child.toml", 'extends = "../base.toml"\n')
    assert load_config(child).organisation.edges == str(tmp_path / "e.csv")


def test_unknown_key_names_file_key_and_allowed_keys(tmp_path):
    path = write(tmp_path, "s.toml", "[comms]\neffrot = 3\n")
    msg = error_of(path)
    assert str(path) in msg and "comms.effrot" in msg and "effort" in msg


def test_unknown_section(tmp_path):
    msg = error_of(write(tmp_path, "s.toml", "[comm]\neffort = 3\n"))
    assert "'comm'" in msg and "allowed sections" in msg and "comms" in msg


def test_out_of_range_names_the_range(tmp_path):
    msg = error_of(write(tmp_path, "s.toml", "[comms]\nmonitoring = 1.5\n"))
    assert "comms.monitoring" in msg and "1.5" in msg and "[0.0, 1.0]" in msg


def test_wrong_type_and_bad_choice(tmp_path):
    msg = error_of(write(tmp_path, "s.toml", '[run]\nsteps = "many"\n[channel]\npolicy = "ban"\n'))
    assert "run.steps" in msg and "'many'" in msg
    assert "channel.policy" in msg and "'shutdown'" in msg and "'custom'" in msg


def test_bad_toml_missing_file_and_cycles(tmp_path):
    assert "not valid TOML" in error_of(write(tmp_path, "s.toml", "[run\nsteps=3"))
    assert "does not exist" in error_of(tmp_path / "nope.toml")
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    assert "cycle" in error_of(tmp_path / "a.toml")
    assert "does not exist" in error_of(write(tmp_path, "c.toml", 'extends = "zz.toml"\n'))


def test_edgelist_needs_edges(tmp_path):
    msg = error_of(write(tmp_path, "s.toml", '[organisation]\ngenerator = "edgelist"\n'))
    assert "organisation.edges" in msg


def test_overrides_and_their_errors():
    cfg = load_config(None, parse_assignments(["comms.strategy=degree", "run.steps=12",
                                               "joining.instant=true"]))
    assert (cfg.comms.strategy, cfg.run.steps, cfg.joining.instant) == ("degree", 12, True)
    with pytest.raises(InputError, match=r"section\.key=value"):
        parse_assignments(["comms.effort"])
    with pytest.raises(InputError, match="unknown section 'com'"):
        load_config(None, {"com.effort": 3})
    with pytest.raises(InputError, match="not a dotted key"):
        load_config(None, {"effort": 3})


def test_flat_names():
    assert flat_to_dotted({"employees": 5, "comms_join_step": 2, "underground_rate": 0.1}) == {
        "organisation.employees": 5, "comms.join_step": 2, "underground.rate": 0.1}
    with pytest.raises(InputError, match="Unknown model parameter 'rate'"):
        flat_to_dotted({"rate": 0.1})  # in [joining] and [underground]: ambiguous
    with pytest.raises(InputError, match="Unknown model parameter 'fear'"):
        flat_to_dotted({"fear": 3.0})  # posting.fear, not the [fear] section
    assert flat_to_dotted({"posting_fear": 3.0}) == {"posting.fear": 3.0}


def test_shipped_scenarios_validate():
    from adoptsim.scenarios import list_scenarios

    items = list_scenarios()
    assert any(name == "baseline" for name, _, _ in items)
    for _, path, desc in items:
        load_config(path)
        assert desc, f"{path} has no description"
