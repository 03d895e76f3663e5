"""The app's pure parts: layout, sampling, charts, levers, runs and the command."""

import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from adoptsim.app import server
from adoptsim.app.charts import (
    CHARTS,
    STATES,
    LineChart,
    NetworkChart,
    compare_bands_figure,
    employee_states,
    events,
)
from adoptsim.app.compare import REPLICATIONS, comparison_table, run_replications, timeseries_csv
from adoptsim.app.levers import (
    ENV_OVERRIDES,
    ENV_SCENARIO,
    LEVERS,
    AppSettings,
    configure,
    lever_changes,
    lever_options,
    lever_values,
)
from adoptsim.app.positions import drawing, org_layout, sample_nodes
from adoptsim.app.runs import Exploration
from adoptsim.cli import app as cli_app
from adoptsim.config import load_config
from adoptsim.errors import InputError
from adoptsim.model.agents import CommsManager
from adoptsim.model.metrics import COLUMNS
from adoptsim.model.model import AdoptionModel
from adoptsim.network import org_network

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def small(**overrides):
    return load_config(overrides={"organisation.employees": 300, "run.steps": 12, **overrides})


# ------------------------------------------------------------------ positions
def test_layout_keeps_teams_together_and_departments_apart():
    net = org_network(800, rng=np.random.default_rng(1))
    xy = org_layout(net.department, net.team, net.level)
    assert xy.shape == (800, 2) and np.isfinite(xy).all()
    assert len(np.unique(xy.round(6), axis=0)) == 800, "no two employees on one spot"
    centre = {t: xy[net.team == t].mean(axis=0) for t in np.unique(net.team)}
    own = np.array([np.linalg.norm(xy[i] - centre[net.team[i]]) for i in range(800)])
    nearest_other = np.array([
        min(np.linalg.norm(xy[i] - c) for t, c in centre.items() if t != net.team[i])
        for i in range(0, 800, 7)
    ])
    assert (own[::7] < nearest_other).all(), "everyone is closest to their own team"
    leads = net.level >= 1
    assert np.allclose(xy[leads], [centre[t] for t in net.team[leads]], atol=1.0)
    dept_xy = np.array([xy[net.department == d].mean(axis=0) for d in range(10)])
    gaps = np.linalg.norm(dept_xy[:, None] - dept_xy[None], axis=2)[np.triu_indices(10, 1)]
    spread = max(np.linalg.norm(xy[net.department == d] - dept_xy[d], axis=1).max()
                 for d in range(10))
    assert gaps.min() > 2 * spread, "departments do not overlap"


def test_sample_of_a_large_organisation_is_whole_departments_with_the_managers():
    net = org_network(20_000, rng=np.random.default_rng(2))
    nodes, note = sample_nodes(net, 3000, np.array([19_999]))
    assert len(nodes) <= 3000 and 19_999 in nodes
    chosen = np.unique(net.department[nodes])
    assert len(nodes) == np.isin(net.department, chosen).sum(), "departments are whole"
    assert chosen.max() - chosen.min() > len(chosen), "spread over the organisation"
    assert note.startswith("A sample of whole departments")
    small_net = org_network(500, rng=np.random.default_rng(2))
    assert sample_nodes(small_net, 3000, np.array([0]))[0].tolist() == list(range(500))


def test_drawing_shows_exactly_the_ties_among_drawn_employees():
    net = org_network(6000, rng=np.random.default_rng(3))
    d = drawing(net, np.array([5999]), limit=1000)
    ties = {(int(a), int(b)) for a, b in zip(d.nodes[d.src], d.nodes[d.dst], strict=True)}
    drawn = set(d.nodes.tolist())
    expected = {(i, int(j)) for i in drawn for j in
                net.indices[net.indptr[i]:net.indptr[i + 1]] if j in drawn and i < j}
    assert ties == expected
    same_team = net.team[d.nodes[d.src]] == net.team[d.nodes[d.dst]]
    assert ((d.ties == 0) == same_team).all()


# --------------------------------------------------------------------- charts
def test_employee_states_agree_with_the_mesa_agents():
    model = AdoptionModel(small(), rng=4)
    for _ in range(10):
        model.step()
    codes = employee_states(model)
    for agent in model.agents:
        if not model.state.member_u[agent.node]:
            assert STATES[codes[agent.node]] == agent.status
    assert (codes[model.state.member_u] == STATES.index("underground")).all()
    assert {STATES[c] for c in codes} >= {"aware", "lurker"}
    assert any(isinstance(a, CommsManager) for a in model.agents)


def test_live_chart_frames_follow_the_data_and_axes_grow():
    spec = next(s for s in CHARTS if s.key == "benefit")
    chart = LineChart(spec, 20, [(5, "comms joins")])
    data = {"benefit": [0.0, 0.01], "benefit_cum": [0.0, 0.01]}
    first = chart.render(data)
    assert first.startswith(PNG)
    assert chart.render(data) == first, "same data, same frame"
    grown = {"benefit": [0.0, 0.01, 3.0], "benefit_cum": [0.0, 0.01, 3.01]}
    assert chart.render(grown) != first
    assert chart.axes[0].get_ylim()[1] >= 3.0
    longer = {k: v * 10 for k, v in grown.items()}  # 30 weeks on a 20-week axis
    chart.render(longer)
    assert chart.axes[0].get_xlim()[1] >= 29
    export = chart.export(longer)
    assert export.startswith(PNG) and len(export) > len(first)


def test_network_chart_recolours_and_marks_managers():
    model = AdoptionModel(small(), rng=5)
    d = drawing(model.network, model.comms.node)
    chart = NetworkChart(d, model.network.level[d.nodes],
                         np.searchsorted(d.nodes, model.comms.node))
    before = chart.render(employee_states(model, d.nodes), 0)
    for _ in range(8):
        model.step()
    after = chart.render(employee_states(model, d.nodes), 8)
    assert before.startswith(PNG) and after != before
    assert chart.title.get_text() == "The organisation in week 8"
    assert len(chart.stars.get_offsets()) == model.config.comms.count


def test_events_mark_a_late_join_and_a_policy_switch():
    assert events(small()) == []
    marks = events(small(**{"comms.join_step": 26, "channel.policy": "restricted"}))
    assert marks == [(26, "comms joins"), (52, "policy: restricted")]


def test_compare_figure_draws_a_median_and_a_band_per_scenario():
    a = [AdoptionModel(small(), rng=s).run() for s in (1, 2, 3)]
    b = [AdoptionModel(small(**{"comms.join_step": 6}), rng=s).run() for s in (1, 2, 3)]
    fig = compare_bands_figure(a, b, ("A: x", "B: y"))
    assert all(len(ax.get_lines()) == 2 and len(ax.collections) == 2 for ax in fig.axes)
    member = np.stack([ts["member"] for ts in a])
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), np.median(member, axis=0))
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() == pytest.approx(np.quantile(member, 0.95, axis=0).max())
    assert "median, 90% band over 3 runs" in fig.legends[0].get_texts()[0].get_text()


# --------------------------------------------------------------------- levers
def test_levers_read_and_apply_scenario_keys():
    cfg = load_config(ROOT / "scenarios" / "baseline.toml")
    values = lever_values(cfg)
    assert set(values) == {lever.key for lever in LEVERS}
    changed = configure(cfg, {**values, "comms.join_step": 13, "population.fear_a": 4.0}, 7)
    assert changed.comms.join_step == 13 and changed.population.fear_a == 4.0
    assert changed.run.seed == 7
    assert lever_changes(cfg, {**values, "comms.join_step": 13}) == {"comms.join_step": 13}
    keys = {lever.key for lever in LEVERS}
    assert {"comms.join_step", "comms.effort", "comms.strategy", "comms.tone", "comms.learn_tone",
            "comms.monitoring", "comms.visibility", "comms.invite_share", "comms.authority",
            "comms.follows", "comms.posts", "channel.policy", "channel.policy_start",
            "population.fear_a", "comms.count"} <= keys
    strategy = next(lv for lv in LEVERS if lv.key == "comms.strategy")
    assert "random_fixed" in strategy.choices
    for lever in LEVERS:  # every lever's range is allowed by the scenario schema
        ends = ([lever.low, lever.high] if lever.kind in ("int", "float") else
                list(lever.choices) if lever.kind == "choice" else [True, False])
        for value in ends:
            configure(cfg, {**values, lever.key: value}, 1)
    employees = next(lv for lv in LEVERS if lv.key == "organisation.employees")
    assert lever_options(employees, 2000) == list(employees.choices)
    assert 1234 in lever_options(employees, 1234)


def test_settings_travel_through_the_environment(monkeypatch, tmp_path):
    own = tmp_path / "mine.toml"
    own.write_text('description = "My own scenario."\n[comms]\njoin_step = 9\n')
    settings = AppSettings(own, {"organisation.employees": 250})
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    back = AppSettings.from_env()
    assert back == AppSettings(own.resolve(), {"organisation.employees": 250})
    presets = back.presets()
    assert presets[0].name == "mine" and back.first_preset(presets).name == "mine"
    cfg = back.load(presets[0])
    assert cfg.comms.join_step == 9 and cfg.organisation.employees == 250
    monkeypatch.delenv(ENV_SCENARIO)
    monkeypatch.setenv(ENV_OVERRIDES, "{}")
    assert AppSettings.from_env().first_preset(AppSettings.from_env().presets()).name == \
        "baseline"


def test_server_environment_finds_the_package_from_anywhere():
    env = server.server_env(AppSettings(None, {"run.steps": 5}))
    assert str(ROOT / "src") in env["PYTHONPATH"].split(":")[0]
    assert json.loads(env[ENV_OVERRIDES]) == {"run.steps": 5}
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


# ----------------------------------------------------------------------- runs
def test_exploration_steps_to_its_horizon_and_exports():
    run = Exploration(small(), "tiny")
    first = dict(run.frames)
    assert set(first) == {"network", *(s.key for s in CHARTS)}
    run.step()
    assert run.week == 1 and all(run.frames[k] != first[k] for k in first)
    for _ in range(20):
        run.step()
    assert run.finished and run.week == 12
    ts = pd.read_csv(io.StringIO(run.csv()))
    assert list(ts.columns) == COLUMNS and len(ts) == 13
    assert run.filename("timeseries", "csv") == "adoptsim_tiny_seed42_timeseries.csv"
    assert run.export_png("network").startswith(PNG)


def test_comparison_table_reports_bands_and_the_paired_difference():
    seeds = [11, 12, 13, 14]
    a = run_replications(small(), seeds)
    b = run_replications(small(**{"comms.effort": 40}), seeds)
    assert [ts["trust"].iloc[0] for ts in a] == [ts["trust"].iloc[0] for ts in b], "paired"
    rows = {r.outcome: r for r in comparison_table(a, b)}
    member = np.array([ts["member"].iloc[-1] for ts in a])
    low, high = np.quantile(member, [0.05, 0.95])
    assert rows["members (adoption)"].a == (
        f"{100 * np.median(member):.1f}% [{100 * low:.1f}%, {100 * high:.1f}%]")
    diff = np.array([y["trust"].iloc[-1] - x["trust"].iloc[-1] for x, y in zip(a, b, strict=True)])
    half = 3.182446305284263 * diff.std(ddof=1) / 2  # t(0.975, 3) * sd / sqrt(4)
    assert rows["mean trust in comms"].difference == (
        f"{diff.mean():+.3f} [{diff.mean() - half:+.3f}, {diff.mean() + half:+.3f}]")
    same = comparison_table(a, a)
    assert all(r.difference.startswith(("+0.0 pts [+0.0, +0.0]", "+0.000 [+0.000, +0.000]",
                                        "+0.0 [+0.0, +0.0]", "+0.0 weeks")) for r in same)


def test_replications_are_whole_runs_identical_to_the_model_and_export_together():
    seeds = [5, 6]
    runs = run_replications(small(), seeds)
    for seed, ts in zip(seeds, runs, strict=True):
        pd.testing.assert_frame_equal(ts, AdoptionModel(small(), rng=seed).run())
    from adoptsim.app.session import Comparison
    result = Comparison(1, ("A: x", "B: y"), tuple(runs), tuple(runs), tuple(seeds), b"")
    table = pd.read_csv(io.StringIO(timeseries_csv(result)))
    assert list(table.columns) == ["run", "replication", "seed", *COLUMNS]
    assert len(table) == 2 * 2 * 13 and set(table["seed"]) == set(seeds)
    assert REPLICATIONS == 20


# -------------------------------------------------------------------- command
def test_app_command_is_registered_and_rejects_bad_input():
    runner = CliRunner()
    result = runner.invoke(cli_app, ["app", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
    result = runner.invoke(cli_app, ["app", "no_such_scenario"])
    assert isinstance(result.exception, InputError)
    result = runner.invoke(cli_app, ["app", "--set", "organisation.employees=-3"])
    assert isinstance(result.exception, InputError)


def test_app_command_serves_from_another_directory_and_stops_its_server(tmp_path):
    port = server.free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "adoptsim.cli", "app", "small_team", "--port", str(port),
               "--set", "organisation.employees=150"]
    cli = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    try:
        lines = [cli.stdout.readline()]
        while lines[-1] and not lines[-1].startswith("adoptsim app ready"):
            lines.append(cli.stdout.readline())  # the server's own lines come in between
        assert lines[0].startswith(f"Starting the adoptsim app at http://127.0.0.1:{port}/")
        assert lines[-1].startswith(f"adoptsim app ready: open http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200
    finally:
        cli.terminate()
        cli.wait(timeout=30)
        cli.stdout.close()
    with pytest.raises(OSError):  # the server went with the command
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)


@pytest.mark.parametrize("name", [p.stem for p in sorted((ROOT / "scenarios").glob("*.toml"))])
def test_every_shipped_scenario_opens_in_the_app(name):
    settings = AppSettings(overrides={"run.steps": 2})
    preset = next(p for p in settings.presets() if p.name == name)
    run = Exploration(settings.load(preset), name)
    run.step()
    assert run.week == 1 and len(run.drawing.nodes) <= 3000
