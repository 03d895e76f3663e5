"""Experiment files: schema, validation, design points, seeds and run ids.

An experiment file (``experiments/*.toml``) names a base scenario, fixed
``[overrides]``, the ``[parameters]`` to vary, a ``[design]`` (``grid``,
``lhs`` or ``sobol``), a number of replications and a master seed.
:func:`load_experiment` validates all of it *before* any run: every design
point's scenario is built and validated, so an out-of-range value is reported
as one paragraph naming the file, the key and the allowed values.

Seeds use **common random numbers**: replication ``r`` runs with the same
seed at every design point (``SeedSequence(seed).spawn(replications)[r]``),
so differences between points are not blurred by different random draws and
paired comparisons are sharper. Integer keys sampled by ``lhs``/``sobol``
are drawn on ``[min, max + 1)`` and rounded down, so every integer from
``min`` to ``max`` is equally likely.

A design with more than :data:`MAX_RUNS` runs is refused before its points
are built (``adoptsim sweep --max-runs`` raises the limit); NaN and infinite
values (TOML's ``nan`` and ``inf``) are refused everywhere.

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
import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import SECTIONS, ScenarioConfig, load_config, validate
from .errors import InputError

#: Design columns that precede the parameter columns in ``design.parquet``.
RUN_COLUMNS = ["run_id", "point", "replication", "seed"]

#: Scenario keys holding file paths: relative values are relative to the experiment file.
PATH_KEYS = {"organisation.edges", "organisation.nodes"}

# The design sampler draws from its own stream, so changing the number of
# replications changes neither the design nor the earlier replications' seeds.
_SAMPLER_STREAM = 1

#: Designs with more runs than this are refused unless the caller raises the limit.
MAX_RUNS = 1_000_000

#: Disk use of one run file: a fixed part (schema, metadata, summary) and
#: a part per simulated week (measured with the metrics of ``metrics.COLUMNS``).
_RUN_FILE_BYTES = 8_000
_STEP_BYTES = 72


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DesignSpec(_Strict):
    """The ``[design]`` table."""

    kind: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)


class ExperimentSpec(_Strict):
    """An experiment file as written (before parameters are checked)."""

    scenario: str
    name: str = Field("", pattern=r"^[A-Za-z0-9_.-]*$")
    description: str = ""
    replications: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)
    design: DesignSpec = DesignSpec()
    parameters: dict[str, Any] = {}
    overrides: dict[str, Any] = {}


_ALLOWED = {
    (): ExperimentSpec.model_fields,
    ("design",): DesignSpec.model_fields,
}


def _format_spec_error(exc: ValidationError, source: str) -> str:
    problems = []
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        name = ".".join(loc)
        given = err.get("input")
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = ", ".join(_ALLOWED.get(loc[:-1], {}))
            where = f" in [{'.'.join(loc[:-1])}]" if loc[:-1] else ""
            problems.append(f"unknown key {loc[-1]!r}{where}; allowed keys: {allowed}")
        elif kind == "missing":
            problems.append(f"{name} is required")
        elif kind == "literal_error":
            problems.append(
                f"{name} = {given!r} is not allowed; allowed values: {err['ctx']['expected']}"
            )
        elif kind == "string_pattern_mismatch":
            problems.append(f"{name} = {given!r} may only contain letters, digits, '_', '.', '-'")
        else:
            problems.append(f"{name} = {given!r}: {err['msg']}")
    return f"{source}: " + "; ".join(problems) + "."


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
        The varied keys, in file order.
    integer_parameters : list of str
        Integer keys sampled from ranges (``lhs``/``sobol``), rounded down.
    points : list of dict
        Each design point's parameter values (validated, typed).
    seeds : list of int
        One seed per replication, shared by all points.
    problem : dict or None
        The SALib problem of a ``sobol`` design (for ``SALib.analyze.sobol``).
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
             "seed": r.seed, **self.points[r.point]}
            for r in self.runs
        ]
        return pd.DataFrame(rows, columns=[*RUN_COLUMNS, *self.parameters])

    def run_config(self, run: Run) -> dict[str, Any]:
        """The resolved scenario of one run, as plain data."""
        return _with_values(self.base, {**self.points[run.point], "run.seed": run.seed})

    def describe(self, run: Run) -> str:
        """A one-line description of a run, for failure reports."""
        values = ", ".join(f"{k}={v!r}" for k, v in self.points[run.point].items())
        return (f"run {run.run_id}: point {run.point} ({values or 'base scenario'}), "
                f"replication {run.replication}, seed {run.seed}")


def _sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _with_values(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of scenario data (sections of scalars) with dotted keys set."""
    # Two levels deep is deep enough, and far cheaper than copy.deepcopy per run.
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for dotted, value in values.items():
        section, _, key = dotted.partition(".")
        out.setdefault(section, {})[key] = value
    return out


def _check_key(dotted: str, where: str) -> None:
    section, _, key = dotted.partition(".")
    if section not in SECTIONS or key not in SECTIONS[section].model_fields:
        if section in SECTIONS:
            allowed = f"allowed keys in [{section}]: {', '.join(SECTIONS[section].model_fields)}"
        else:
            allowed = f"keys are section.key with sections {', '.join(SECTIONS)}"
        raise InputError(f"{where}: {dotted!r} is not a scenario key; {allowed}.")
    if dotted == "run.seed":
        raise InputError(
            f"{where}: 'run.seed' cannot be set here; each run's seed comes from the "
            f"experiment's 'seed' (one seed per replication, shared by all design points)."
        )


def _annotation(dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    return SECTIONS[section].model_fields[key].annotation


def seeds_for(seed: int, replications: int) -> list[int]:
    """One integer seed per replication, from ``SeedSequence(seed).spawn``.

    Replication ``r``'s seed does not depend on the number of replications,
    so adding replications keeps the earlier ones.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    # 63 bits: a non-negative int64 in Parquet and JSON.
    return [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"Experiment file {path} does not exist.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file.") from None


def _validate(
    data: dict[str, Any], values: dict[str, Any], source: str, base_dir: str | None
) -> ScenarioConfig:
    return validate(_with_values(data, values), source, Path(base_dir) if base_dir else None)


def _check_base(
    data: dict[str, Any], anchor: dict[str, Any], source: str, base_dir: str | None
) -> None:
    """Validate the base scenario; it may need a design point to be complete.

    (``organisation.generator = "edgelist"`` in [overrides] with the edge list
    as a parameter is valid only together with a point.)
    """
    try:
        _validate(data, {}, source, base_dir)
    except InputError:
        try:
            _validate(data, anchor, source, base_dir)
        except InputError:
            pass
        else:
            return
        raise


def _resolve_path(key: str, value: Any, folder: Path) -> Any:
    if key in PATH_KEYS and isinstance(value, str) and not Path(value).is_absolute():
        return str((folder / value).resolve())
    return value


def _grid_lists(path: Path, parameters: dict[str, Any]) -> dict[str, list[Any]]:
    """Check the shape of a grid's value lists (values are checked later)."""
    lists = {}
    for key, values in parameters.items():
        where = f"{path}: [parameters] {key!r}"
        if not isinstance(values, list) or not values:
            raise InputError(
                f"{where} = {values!r}: a grid needs a non-empty list of values, "
                f"e.g. {key!r} = [0, 13, 26] (ranges {{min, max}} are for lhs and sobol)."
            )
        for value in values:
            if not isinstance(value, str | int | float | bool):
                raise InputError(f"{where}: value {value!r} must be a number, string or boolean.")
            if _non_finite(value):
                raise InputError(f"{where}: value {value!r} is not a finite number; NaN and "
                                 f"infinity are not allowed. List finite values only.")
        if len({json.dumps(v) for v in values}) < len(values):
            raise InputError(f"{where} = {values!r} repeats a value; list each value once.")
        lists[key] = [_resolve_path(key, v, path.parent) for v in values]
    return lists


def _get(cfg: ScenarioConfig, dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    return getattr(getattr(cfg, section), key)


def _ranges(
    path: Path, kind: str, parameters: dict[str, Any]
) -> dict[str, tuple[float, float, bool]]:
    """Check ``{min, max}`` ranges; return key -> (low, high, integer) of the draw."""
    if not parameters:
        raise InputError(f"{path}: a {kind} design needs at least one [parameters] range.")
    out = {}
    for key, rng in parameters.items():
        where = f"{path}: [parameters] {key!r}"
        if not isinstance(rng, dict) or set(rng) != {"min", "max"}:
            raise InputError(
                f"{where} = {rng!r}: a {kind} design needs a range {{ min = ..., max = ... }} "
                f"for every parameter (value lists are for kind = 'grid')."
            )
        ann = _annotation(key)
        if ann not in (int, float):
            raise InputError(
                f"{where}: only numeric keys can be sampled from a range; {key} is not "
                f"numeric. Vary it with a grid, or fix it in [overrides]."
            )
        lo, hi = rng["min"], rng["max"]
        for name, bound in (("min", lo), ("max", hi)):
            if _non_finite(bound):
                raise InputError(f"{where}: {name} = {bound!r} is not a finite number; a range "
                                 f"needs finite min and max, e.g. {{ min = 0.1, max = 0.5 }}.")
        integer = ann is int
        allowed = (int,) if integer else (int, float)
        for bound in (lo, hi):
            if isinstance(bound, bool) or not isinstance(bound, allowed):
                need = "integers" if integer else "numbers"
                raise InputError(f"{where}: min and max must be {need}, got {bound!r}.")
        if not lo < hi:
            raise InputError(f"{where}: min ({lo}) must be less than max ({hi}).")
        # Integers: draw on [min, max + 1) and round down (uniform over min..max).
        out[key] = (float(lo), float(hi + 1 if integer else hi), integer)
    return out


def _scale(unit: np.ndarray, ranges: dict[str, tuple[float, float, bool]]) -> list[dict]:
    points = []
    for row in unit:
        point = {}
        for (key, (lo, hi, integer)), u in zip(ranges.items(), row, strict=True):
            x = lo + u * (hi - lo)
            point[key] = min(math.floor(x), int(hi) - 1) if integer else float(x)
        points.append(point)
    return points


def _sample(
    path: Path, spec: ExperimentSpec, ranges: dict[str, tuple[float, float, bool]]
) -> tuple[np.ndarray, dict[str, Any] | None]:
    kind, n = spec.design.kind, spec.design.samples
    rng = np.random.default_rng([spec.seed, _SAMPLER_STREAM])
    if kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(len(ranges), rng=rng).random(n), None
    if n & (n - 1):
        raise InputError(
            f"{path}: design.samples = {n} must be a power of two for kind = 'sobol' "
            f"(e.g. {2 ** round(math.log2(n))}); Sobol' sequences balance only then."
        )
    from SALib.sample import sobol

    names = list(ranges)
    unit = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    values = sobol.sample(unit, n, calc_second_order=False, seed=rng)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[lo, hi] for lo, hi, _ in ranges.values()],
    }
    return values, problem


def _non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _parse_spec(path: Path, raw: dict[str, Any]) -> ExperimentSpec:
    """The file's top-level keys and [design], validated."""
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_format_spec_error(exc, str(path))) from None
    kind = spec.design.kind
    if kind == "grid" and spec.design.samples is not None:
        raise InputError(
            f"{path}: design.samples applies to kind = 'lhs' or 'sobol' only; a grid's size "
            f"is the product of its value lists. Remove samples or change the kind."
        )
    if kind != "grid" and spec.design.samples is None:
        raise InputError(
            f"{path}: design.samples is required for kind = {kind!r} (the number of samples, "
            f"e.g. samples = 64)."
        )
    return spec


def _check_keys(path: Path, spec: ExperimentSpec, sets: dict[str, Any]) -> None:
    """Parameters, overrides and --set name scenario keys, once each, with finite values."""
    for key in spec.parameters:
        _check_key(key, f"{path} [parameters]")
        if key in spec.overrides:
            raise InputError(
                f"{path}: {key!r} is both a parameter and an override; keep it in one table."
            )
    for key, value in spec.overrides.items():
        _check_key(key, f"{path} [overrides]")
        if _non_finite(value):
            raise InputError(f"{path}: [overrides] {key!r} = {value!r} is not a finite number; "
                             f"NaN and infinity are not allowed. Give a finite number.")
    for key, value in sets.items():
        _check_key(key, "--set")
        if key in spec.parameters:
            raise InputError(
                f"--set {key}: {key!r} is a design parameter of {path}; it cannot also be set."
            )
        if _non_finite(value):
            raise InputError(f"--set {key}={value!r}: {value!r} is not a finite number; NaN "
                             f"and infinity are not allowed. Give a finite number.")


def _load_scenario(path: Path, spec: ExperimentSpec) -> ScenarioConfig:
    scenario_path = (path.parent / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise InputError(
            f"{path}: scenario file {scenario_path} does not exist (scenario = "
            f"{spec.scenario!r} is relative to the experiment file)."
        )
    return load_config(scenario_path)


def design_points(spec: ExperimentSpec) -> int:
    """The number of design points ``spec`` generates, counted without building them.

    ``grid``: the product of the value lists' lengths; ``lhs``: ``samples``;
    ``sobol``: ``samples × (k + 2)`` for ``k`` parameters (Saltelli's scheme
    without second-order indices, as :func:`_sample` draws it).
    """
    kind, n, k = spec.design.kind, spec.design.samples or 0, len(spec.parameters)
    if kind == "grid":
        return math.prod(len(v) if isinstance(v, list) else 1 for v in spec.parameters.values())
    return n if kind == "lhs" else n * (k + 2)


def _human_bytes(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _check_size(path: Path, spec: ExperimentSpec, base: dict[str, Any], max_runs: int) -> None:
    """Refuse a design with more than ``max_runs`` runs before anything is built."""
    points = design_points(spec)
    runs = points * spec.replications
    if runs <= max_runs:
        return
    steps = spec.parameters.get("run.steps", base.get("run", {}).get("steps", 0))
    if isinstance(steps, list):
        steps = max((v for v in steps if isinstance(v, int)), default=0)
    elif isinstance(steps, dict):
        steps = steps.get("max", 0)
    per_run = _RUN_FILE_BYTES + _STEP_BYTES * (int(steps) + 1)
    how = (f"{spec.design.samples:,} samples x ({len(spec.parameters)} parameters + 2) = "
           if spec.design.kind == "sobol" else "")
    raise InputError(
        f"{path}: the design has {runs:,} runs ({how}{points:,} design points x "
        f"{spec.replications:,} replications), more than the limit of {max_runs:,}. They would "
        f"take about {_human_bytes(per_run * runs)} on disk ({_human_bytes(per_run)} per run "
        f"of {steps} weeks). Make the design smaller (fewer values, samples or "
        f"replications), or raise the limit with adoptsim sweep --max-runs {runs}."
    )


def _resolve_base(
    path: Path, spec: ExperimentSpec, sets: dict[str, Any], scenario: ScenarioConfig,
    anchor: dict[str, Any],
) -> dict[str, Any]:
    """The base scenario with [overrides] and --set applied, validated."""
    overrides = {k: _resolve_path(k, v, path.parent) for k, v in spec.overrides.items()}
    base = _with_values(scenario.to_dict(), overrides)
    _check_base(base, anchor, f"{path} [overrides]", scenario.base_dir)
    base = _with_values(base, sets)
    _check_base(base, anchor, "--set", scenario.base_dir)
    return base


def _grid_points(
    path: Path, lists: dict[str, list[Any]], base: dict[str, Any], base_dir: str | None
) -> list[dict[str, Any]]:
    # Each value on its own first, so an error names the value, not a combination.
    anchor = {k: v[0] for k, v in lists.items()}
    for key, values in lists.items():
        for value in values:
            _validate(base, {**anchor, key: value},
                      f"{path}: [parameters] {key!r} value {value!r}", base_dir)
    return [dict(zip(lists, combo, strict=True)) for combo in itertools.product(*lists.values())]


def _sampled_points(
    path: Path, spec: ExperimentSpec, ranges: dict[str, tuple[float, float, bool]],
    base: dict[str, Any], base_dir: str | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    anchor = {k: lo for k, (lo, _, _) in ranges.items()}
    for key, (lo, hi, is_int) in ranges.items():
        for bound in (lo, hi - 1 if is_int else hi):
            bound = int(bound) if is_int else bound
            _validate(base, {**anchor, key: bound},
                      f"{path}: [parameters] {key!r} range bound {bound!r}", base_dir)
    unit, problem = _sample(path, spec, ranges)
    return _scale(unit, ranges), problem


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
    raw = _read(path)
    spec = _parse_spec(path, raw)
    _check_keys(path, spec, sets)
    scenario = _load_scenario(path, spec)
    base_dir = scenario.base_dir
    if spec.design.kind == "grid":
        lists = _grid_lists(path, spec.parameters)
        anchor = {k: v[0] for k, v in lists.items()}
    else:
        ranges = _ranges(path, spec.design.kind, spec.parameters)
        anchor = {k: lo for k, (lo, _, _) in ranges.items()}
    base = _resolve_base(path, spec, sets, scenario, anchor)
    _check_size(path, spec, base, max_runs)
    problem = None
    if spec.design.kind == "grid":
        points = _grid_points(path, lists, base, base_dir)
    else:
        points, problem = _sampled_points(path, spec, ranges, base, base_dir)
    for i, point in enumerate(points):
        values = ", ".join(f"{k}={v!r}" for k, v in point.items())
        cfg = _validate(base, point, f"{path}: design point {i} ({values})", base_dir)
        points[i] = {k: _get(cfg, k) for k in point}
    integer = [] if spec.design.kind == "grid" else [k for k, r in ranges.items() if r[2]]
    return Experiment(
        path=path, spec=spec, raw=raw, sets=sets, base=base, base_dir=base_dir,
        parameters=list(spec.parameters), integer_parameters=integer, points=points,
        seeds=seeds_for(spec.seed, spec.replications), problem=problem,
    )
