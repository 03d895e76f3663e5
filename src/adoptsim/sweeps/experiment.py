"""Experiment files: schema, validation, design points, seeds and run ids.

An experiment file (``experiments/*.toml``) names a base scenario, fixed
``[overrides]``, the ``[parameters]`` to vary, a ``[design]`` (``grid``,
``lhs``, ``sobol``, ``morris``, or ``ablation`` with its ``[contrast]``), a
number of replications and a master seed.
:func:`load_experiment` validates all of it *before* any run: every design
point's scenario is built and validated, so an out-of-range value is reported
as one paragraph naming the file, the key and the allowed values.

Seeds use **common random numbers**: replication ``r`` runs with the same
seed at every design point (``SeedSequence(seed).spawn(replications)[r]``),
so differences between points are not blurred by different random draws and
paired comparisons are sharper. Integer keys sampled from ranges are drawn
on ``[min, max + 1)`` and rounded down, so every integer from ``min`` to
``max`` is equally likely. An ablation's design rows show the contrast value
and a ``mechanism`` label (``"none"``, or the mechanism switched off) rather
than the switches themselves.

A design with more than :data:`MAX_RUNS` runs is refused before its points
are built (``adoptsim sweep --max-runs`` raises the limit); NaN and infinite
values (TOML's ``nan`` and ``inf``) are refused everywhere. The design itself
(grids, Latin hypercubes, Sobol' samples, Morris trajectories, ablations)
is :mod:`adoptsim.sweeps.design`.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "exp.toml").write_text('''
... scenario = "base.toml"
... replications = 2
... seed = 1
... [parameters]
... "comms.join_step" = [0, 26]
... ''')
>>> _ = (folder / "base.toml").write_text("[run]\\nsteps = 10\\n")
>>> exp = load_experiment(folder / "exp.toml")
>>> len(exp.points), len(exp.runs), exp.runs[0].seed == exp.runs[2].seed
(2, 4, True)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ..config import PATH_KEYS, SECTIONS, ScenarioConfig, load_config
from ..errors import InputError
from ..memory import format_bytes
from ..scenarios import list_scenarios, shipped_scenario
from ..toml import (
    check_key,
    get_dotted,
    non_finite,
    read_toml,
    resolve_path,
    validate_model,
    with_values,
)
from . import design
from .design import validate_point

#: Design columns that precede the parameter columns in ``design.parquet``.
RUN_COLUMNS = ["run_id", "point", "replication", "seed"]

#: Designs with more runs than this are refused unless the caller raises the limit.
MAX_RUNS = 1_000_000

#: Disk use of one run in a batch file: a fixed part (its summary) and a part
#: per simulated week (measured with the metrics of ``metrics.COLUMNS``).
_RUN_FILE_BYTES = 1_000
_STEP_BYTES = 160


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DesignSpec(_Strict):
    """The ``[design]`` table."""

    kind: Literal["grid", "lhs", "sobol", "morris", "ablation"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)
    levels: int | None = Field(None, ge=2, le=1000)
    mechanisms: list[str] | None = None


class ExperimentSpec(_Strict):
    """An experiment file as written (before parameters are checked)."""

    scenario: str
    name: str = Field("", pattern=r"^[A-Za-z0-9_.-]*$",
                      description="letters, digits, '_', '.', '-'")
    description: str = ""
    replications: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)
    design: DesignSpec = DesignSpec()
    parameters: dict[str, Any] = {}
    contrast: dict[str, Any] = {}
    overrides: dict[str, Any] = {}


#: Design kinds that sample ``{ min, max }`` ranges.
SAMPLED = ("lhs", "sobol", "morris")


def _allowed(parent: tuple[str, ...]) -> str:
    model = DesignSpec if parent == ("design",) else ExperimentSpec
    where = f" in [{parent[0]}]" if parent else ""
    return f"allowed keys{where}: {', '.join(model.model_fields)}"


@dataclass(frozen=True)
class Run:
    """One simulation of a sweep: a design point under one replication's seed."""

    run_id: str
    point: int
    replication: int
    seed: int


@dataclass(frozen=True, eq=False)
class Experiment:
    """A validated experiment: its base scenario, design points, seeds and runs.

    Attributes
    ----------
    path : Path
        The experiment file.
    spec : ExperimentSpec
        The file's contents, validated.
    raw : dict
        The file's contents as parsed from TOML (stored in the manifest).
    sets : dict
        ``--set`` overrides of the base scenario.
    base : dict
        The resolved base scenario (with ``[overrides]`` and ``--set``) as
        plain data; a design point completes it (e.g. an edge list).
    base_dir : str or None
        Folder that relative paths in the base scenario refer to.
    parameters : list of str
        The design's columns after ``RUN_COLUMNS``: the varied keys, in file
        order (an ablation: the contrast key and ``"mechanism"``).
    integer_parameters : list of str
        Integer keys sampled from ranges (``lhs``/``sobol``/``morris``),
        rounded down.
    points : list of dict
        Each design point's scenario values (validated, typed; an ablation's
        include ``mechanisms.<name> = False``).
    seeds : list of int
        One seed per replication, shared by all points.
    problem : dict or None
        The SALib problem of a ``sobol`` design (for ``SALib.analyze.sobol``)
        or a ``morris`` one (with its ``levels``, for ``SALib.analyze.morris``).
    labels : list of str or None
        An ablation's mechanism label of each point (``"none"``: all on).
    """

    path: Path
    spec: ExperimentSpec
    raw: dict[str, Any]
    sets: dict[str, Any]
    base: dict[str, Any]
    base_dir: str | None
    parameters: list[str]
    integer_parameters: list[str]
    points: list[dict[str, Any]]
    seeds: list[int]
    problem: dict[str, Any] | None
    labels: list[str] | None = None

    @property
    def name(self) -> str:
        return self.spec.name or self.path.stem

    @cached_property
    def base_hash(self) -> str:
        """sha256 of the resolved base scenario."""
        return _sha256(self.base)

    @cached_property
    def runs(self) -> list[Run]:
        """Every run, point-major (point 0's replications first)."""
        return [
            Run(self._run_id(p, r), p, r, seed)
            for p in range(len(self.points))
            for r, seed in enumerate(self.seeds)
        ]

    def _run_id(self, point: int, replication: int) -> str:
        # The point index is part of the id, so two points that happen to
        # coincide (rounded integer samples) still are two runs.
        payload = {
            "scenario": self.base_hash,
            "parameters": self.points[point],
            "point": point,
            "replication": replication,
            "seed": self.seeds[replication],
        }
        return _sha256(payload)[:16]

    @cached_property
    def hash(self) -> str:
        """sha256 of everything that decides the results (not the description)."""
        raw = {k: v for k, v in self.raw.items() if k != "description"}
        return _sha256(
            {"experiment": raw, "base": self.base_hash, "runs": [r.run_id for r in self.runs]}
        )

    def design_frame(self) -> pd.DataFrame:
        """One row per run: run_id, point, replication, seed, then each parameter."""
        rows = [
            {"run_id": r.run_id, "point": r.point, "replication": r.replication,
             "seed": r.seed, **self._columns(r.point)}
            for r in self.runs
        ]
        return pd.DataFrame(rows, columns=[*RUN_COLUMNS, *self.parameters])

    def _columns(self, point: int) -> dict[str, Any]:
        """A point's design columns: its values, or an ablation's contrast value and label."""
        values = self.points[point]
        if self.labels is None:
            return values
        key = self.parameters[0]
        return {key: values[key], "mechanism": self.labels[point]}

    def run_config(self, run: Run) -> dict[str, Any]:
        """The resolved scenario of one run, as plain data."""
        return with_values(self.base, {**self.points[run.point], "run.seed": run.seed})

    def describe(self, run: Run) -> str:
        """A one-line description of a run, for failure reports."""
        values = ", ".join(f"{k}={v!r}" for k, v in self.points[run.point].items())
        return (f"run {run.run_id}: point {run.point} ({values or 'base scenario'}), "
                f"replication {run.replication}, seed {run.seed}")


def _sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def seeds_for(seed: int, replications: int) -> list[int]:
    """One integer seed per replication, from ``SeedSequence(seed).spawn``.

    Replication ``r``'s seed does not depend on the number of replications,
    so adding replications keeps the earlier ones.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    # 63 bits: a non-negative int64 in Parquet and JSON.
    return [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]


def load_experiment(
    path: str | Path, sets: dict[str, Any] | None = None, max_runs: int = MAX_RUNS
) -> Experiment:
    """Read and validate an experiment file and build its design.

    Parameters
    ----------
    path
        The experiment TOML file.
    sets
        Dotted overrides of the base scenario (the CLI's ``--set``), applied
        after the file's ``[overrides]``.
    max_runs
        Refuse a design with more runs than this (checked before any point
        is built; the CLI's ``--max-runs``).

    Returns
    -------
    Experiment
        With every design point validated.

    Raises
    ------
    InputError
        One paragraph naming the file, the key and the allowed values.
    """
    path = Path(path)
    sets = dict(sets or {})
    raw = read_toml(path, "Experiment file")
    spec = _parse_spec(path, raw)
    _check_keys(path, spec, sets)
    scenario = _load_scenario(path, spec)
    build = {"grid": _grid, "ablation": _ablation}.get(spec.design.kind, _sampled)
    base, built = build(path, spec, sets, scenario, max_runs)
    return Experiment(
        path=path, spec=spec, raw=raw, sets=sets, base=base, base_dir=scenario.base_dir,
        parameters=built.parameters, integer_parameters=built.integer_parameters,
        points=_typed(path, built.points, base, scenario.base_dir),
        seeds=seeds_for(spec.seed, spec.replications), problem=built.problem,
        labels=built.labels,
    )


@dataclass
class _Built:
    """A design as built from the file, before its points are typed."""

    parameters: list[str]
    points: list[dict[str, Any]]
    integer_parameters: list[str] = field(default_factory=list)
    problem: dict[str, Any] | None = None
    labels: list[str] | None = None


def _grid(path: Path, spec: ExperimentSpec, sets: dict[str, Any], scenario: ScenarioConfig,
          max_runs: int) -> tuple[dict[str, Any], _Built]:
    """The base scenario and a grid's points (every combination of the value lists)."""
    lists = design.grid_lists(path, spec.parameters)
    base = _resolve_base(path, spec, sets, scenario, {k: v[0] for k, v in lists.items()})
    _check_size(path, spec, base, max_runs)
    points = design.grid_points(path, lists, base, scenario.base_dir)
    return base, _Built(list(spec.parameters), points)


def _sampled(path: Path, spec: ExperimentSpec, sets: dict[str, Any], scenario: ScenarioConfig,
             max_runs: int) -> tuple[dict[str, Any], _Built]:
    """The base scenario and the points sampled from the ranges (lhs, sobol, morris)."""
    kind = spec.design.kind
    draws = design.ranges(path, kind, spec.parameters)
    base = _resolve_base(path, spec, sets, scenario, {k: lo for k, (lo, _, _) in draws.items()})
    _check_size(path, spec, base, max_runs)
    levels = (spec.design.levels or design.MORRIS_LEVELS) if kind == "morris" else None
    points, problem = design.sampled_points(path, kind, spec.design.samples, spec.seed, draws,
                                            base, scenario.base_dir, levels)
    integers = [k for k, (_, _, integer) in draws.items() if integer]
    return base, _Built(list(spec.parameters), points, integers, problem)


def _ablation(path: Path, spec: ExperimentSpec, sets: dict[str, Any], scenario: ScenarioConfig,
              max_runs: int) -> tuple[dict[str, Any], _Built]:
    """The base scenario and an ablation's points: the contrast, all on, then each mechanism off."""
    key, raw_values = next(iter(spec.contrast.items()))
    values = design.contrast_values(path, key, raw_values)
    base = _resolve_base(path, spec, sets, scenario, {key: values[0]})
    mechanisms = design.ablated(path, spec.design.mechanisms, base)
    _check_size(path, spec, base, max_runs, len(mechanisms))
    points, labels = design.ablation_points(path, key, values, mechanisms, base,
                                            scenario.base_dir)
    return base, _Built([key, "mechanism"], points, labels=labels)


def _typed(path: Path, points: list[dict[str, Any]], base: dict[str, Any],
           base_dir: str | None) -> list[dict[str, Any]]:
    """Validate every point's scenario; return the points with the values as validated."""
    out = []
    for i, point in enumerate(points):
        values = ", ".join(f"{k}={v!r}" for k, v in point.items())
        cfg = validate_point(base, point, f"{path}: design point {i} ({values})", base_dir)
        out.append({k: get_dotted(cfg, k) for k in point})
    return out


def _parse_spec(path: Path, raw: dict[str, Any]) -> ExperimentSpec:
    """The file's top-level keys and [design], validated."""
    spec = validate_model(ExperimentSpec, raw, str(path), _allowed)
    d = spec.design
    kind = d.kind
    if kind not in SAMPLED and d.samples is not None:
        size = ("a grid's size is the product of its value lists" if kind == "grid" else
                "an ablation has 2 x (1 + number of mechanisms) design points")
        raise InputError(
            f"{path}: design.samples applies to kind = 'lhs', 'sobol' or 'morris' only; "
            f"{size}. Remove samples or change the kind."
        )
    if kind in SAMPLED and d.samples is None:
        what = ("trajectories, e.g. samples = 20" if kind == "morris" else
                "samples, e.g. samples = 64")
        raise InputError(
            f"{path}: design.samples is required for kind = {kind!r} (the number of {what})."
        )
    for name, value, applies in (("levels", d.levels, "morris"),
                                 ("mechanisms", d.mechanisms, "ablation")):
        if value is not None and kind != applies:
            raise InputError(f"{path}: design.{name} applies to kind = {applies!r} only; "
                             f"remove it or change the kind.")
    if kind == "morris":
        _check_morris(path, d)
    _check_contrast(path, spec)
    return spec


def _check_morris(path: Path, d: DesignSpec) -> None:
    """At least two trajectories, and an even number of grid levels."""
    if d.samples is not None and d.samples < 2:
        raise InputError(
            f"{path}: design.samples = {d.samples}: a morris design needs at least 2 "
            f"trajectories (sigma, the spread of the elementary effects, needs two); 10 to 50 "
            f"are usual, e.g. samples = 20."
        )
    if d.levels is not None and d.levels % 2:
        raise InputError(
            f"{path}: design.levels = {d.levels} must be even: with an odd number of levels "
            f"Morris trajectories do not sample the levels evenly. Use e.g. 4 (the default) "
            f"or 6."
        )


def _check_contrast(path: Path, spec: ExperimentSpec) -> None:
    """An ablation has one [contrast] key (not a mechanism switch) and no [parameters]."""
    kind, contrast = spec.design.kind, spec.contrast
    if kind != "ablation":
        if contrast:
            raise InputError(f"{path}: [contrast] applies to kind = 'ablation' only; vary "
                             f"keys of a {kind} design in [parameters].")
        return
    if spec.parameters:
        raise InputError(
            f"{path}: an ablation varies no [parameters] ({', '.join(spec.parameters)}): it "
            f"runs the two [contrast] values with every mechanism on and with each one off. "
            f"Give one key and two values in [contrast], and fix other keys in [overrides]."
        )
    if len(contrast) != 1:
        listed = f" ({', '.join(contrast)})" if contrast else ""
        raise InputError(
            f"{path}: an ablation needs a [contrast] table with exactly one key and two values "
            f"(reference, alternative), e.g. \"comms.join_step\" = [0, 52]; it has "
            f"{len(contrast)} keys{listed}."
        )
    key = next(iter(contrast))
    if key.partition(".")[0] == "mechanisms":
        raise InputError(
            f"{path}: [contrast] {key!r}: the contrast cannot be a mechanism switch, since "
            f"the ablation switches the mechanisms itself. Contrast a lever (e.g. "
            f"\"comms.join_step\" = [0, 52]); to compare {key} on and off, use a grid."
        )


def _check_key(dotted: str, where: str) -> None:
    check_key(dotted, SECTIONS, where)
    if dotted == "run.seed":
        raise InputError(
            f"{where}: 'run.seed' cannot be set here; each run's seed comes from the "
            f"experiment's 'seed' (one seed per replication, shared by all design points)."
        )


def _check_keys(path: Path, spec: ExperimentSpec, sets: dict[str, Any]) -> None:
    """Parameters, contrast, overrides and --set name scenario keys, once each, finite."""
    for name, what in (("parameters", "a parameter"), ("contrast", "the contrast")):
        for key in getattr(spec, name):
            _check_key(key, f"{path} [{name}]")
            if key in spec.overrides:
                raise InputError(
                    f"{path}: {key!r} is both {what} and an override; keep it in one table."
                )
    for key, value in spec.overrides.items():
        _check_key(key, f"{path} [overrides]")
        if non_finite(value):
            raise InputError(f"{path}: [overrides] {key!r} = {value!r} is not a finite number; "
                             f"NaN and infinity are not allowed. Give a finite number.")
    for key, value in sets.items():
        _check_key(key, "--set")
        if key in spec.parameters or key in spec.contrast:
            raise InputError(
                f"--set {key}: {key!r} is a design parameter of {path}; it cannot also be set."
            )
        if non_finite(value):
            raise InputError(f"--set {key}={value!r}: {value!r} is not a finite number; NaN "
                             f"and infinity are not allowed. Give a finite number.")


def _load_scenario(path: Path, spec: ExperimentSpec) -> ScenarioConfig:
    """The base scenario: a file relative to the experiment file, or a shipped name."""
    scenario_path = (path.parent / spec.scenario).resolve()
    if not scenario_path.is_file():
        scenario_path = shipped_scenario(spec.scenario)
    if scenario_path is None:
        shipped = ", ".join(name for name, _, _ in list_scenarios(shipped_only=True))
        raise InputError(
            f"{path}: scenario file {(path.parent / spec.scenario).resolve()} does not exist "
            f"(scenario = {spec.scenario!r} is relative to the experiment file, or the name "
            f"of a shipped scenario: {shipped})."
        )
    return load_config(scenario_path)


def _check_size(path: Path, spec: ExperimentSpec, base: dict[str, Any], max_runs: int,
                mechanisms: int = 0) -> None:
    """Refuse a design with more than ``max_runs`` runs before anything is built."""
    kind, samples, k = spec.design.kind, spec.design.samples, len(spec.parameters)
    points = design.points(kind, samples, spec.parameters, mechanisms)
    runs = points * spec.replications
    if runs <= max_runs:
        return
    varied = {**spec.parameters, **spec.contrast}
    steps = varied.get("run.steps", base.get("run", {}).get("steps", 0))
    if isinstance(steps, list):
        steps = max((v for v in steps if isinstance(v, int)), default=0)
    elif isinstance(steps, dict):
        steps = steps.get("max", 0)
    per_run = _RUN_FILE_BYTES + _STEP_BYTES * (int(steps) + 1)
    how = {"sobol": f"{samples or 0:,} samples x ({k} parameters + 2) = ",
           "morris": f"{samples or 0:,} trajectories x ({k} parameters + 1) = ",
           "ablation": f"2 contrast values x (1 + {mechanisms} mechanisms) = "}.get(kind, "")
    raise InputError(
        f"{path}: the design has {runs:,} runs ({how}{points:,} design points x "
        f"{spec.replications:,} replications), more than the limit of {max_runs:,}. They would "
        f"take about {format_bytes(per_run * runs)} on disk ({format_bytes(per_run)} per run "
        f"of {steps} weeks). Make the design smaller (fewer values, samples, mechanisms or "
        f"replications), or raise the limit with adoptsim sweep --max-runs {runs}."
    )


def _resolve_base(
    path: Path, spec: ExperimentSpec, sets: dict[str, Any], scenario: ScenarioConfig,
    anchor: dict[str, Any],
) -> dict[str, Any]:
    """The base scenario with [overrides] and --set applied, validated."""
    overrides = {k: resolve_path(v, path.parent, f"{path}: [overrides] {k} =")
                 if k in PATH_KEYS and isinstance(v, str) else v
                 for k, v in spec.overrides.items()}
    base = with_values(scenario.to_dict(), overrides)
    _check_base(base, anchor, f"{path} [overrides]", scenario.base_dir)
    base = with_values(base, sets)
    _check_base(base, anchor, "--set", scenario.base_dir)
    return base


def _check_base(
    data: dict[str, Any], anchor: dict[str, Any], source: str, base_dir: str | None
) -> None:
    """Validate the base scenario; it may need a design point to be complete.

    (``organisation.generator = "edgelist"`` in [overrides] with the edge list
    as a parameter is valid only together with a point.)
    """
    try:
        validate_point(data, {}, source, base_dir)
    except InputError:
        try:
            validate_point(data, anchor, source, base_dir)
        except InputError:
            pass
        else:
            return
        raise
