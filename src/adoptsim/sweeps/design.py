"""An experiment's design points: full-factorial grids and sampled ranges.

``grid``: every combination of the ``[parameters]`` value lists, in file
order. ``lhs`` and ``sobol`` sample ``{ min, max }`` ranges (Latin hypercube
by scipy, Saltelli's scheme by SALib) from their own random stream, so
changing the number of replications changes neither the design nor the
earlier replications' seeds. Integer keys are drawn on ``[min, max + 1)``
and rounded down, so every integer from ``min`` to ``max`` is equally
likely. Values are validated as scenarios before any run.

Examples
--------
>>> points("grid", None, {"a.b": [1, 2], "c.d": [3, 4, 5]}), points("sobol", 8, {"a.b": {}})
(6, 24)
>>> scale(np.array([[0.99, 0.25]]), {"x.n": (0.0, 4.0, True), "y.q": (0.0, 1.0, False)})
[{'x.n': 3, 'y.q': 0.25}]
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..config import PATH_KEYS, SECTIONS, ScenarioConfig, validate
from ..errors import InputError
from ..toml import non_finite, resolve_path, with_values

# The design sampler draws from its own stream, so changing the number of
# replications changes neither the design nor the earlier replications' seeds.
_SAMPLER_STREAM = 1

#: A sampled parameter: (low, high, integer) of the uniform draw.
Range = tuple[float, float, bool]


def validate_point(base: dict[str, Any], values: dict[str, Any], source: str,
                   base_dir: str | None) -> ScenarioConfig:
    """The scenario ``base`` with a design point's ``values`` set, validated."""
    return validate(with_values(base, values), source, Path(base_dir) if base_dir else None)


def points(kind: str, samples: int | None, parameters: dict[str, Any]) -> int:
    """The number of design points a design generates, counted without building them.

    ``grid``: the product of the value lists' lengths; ``lhs``: ``samples``;
    ``sobol``: ``samples × (k + 2)`` for ``k`` parameters (Saltelli's scheme
    without second-order indices, as :func:`sample` draws it).
    """
    n, k = samples or 0, len(parameters)
    if kind == "grid":
        return math.prod(len(v) if isinstance(v, list) else 1 for v in parameters.values())
    return n if kind == "lhs" else n * (k + 2)


# ------------------------------------------------------------------- grid
def grid_lists(path: Path, parameters: dict[str, Any]) -> dict[str, list[Any]]:
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
            if non_finite(value):
                raise InputError(f"{where}: value {value!r} is not a finite number; NaN and "
                                 f"infinity are not allowed. List finite values only.")
        if len({json.dumps(v) for v in values}) < len(values):
            raise InputError(f"{where} = {values!r} repeats a value; list each value once.")
        lists[key] = [resolve_path(v, path.parent, where) if key in PATH_KEYS
                      and isinstance(v, str) else v for v in values]
    return lists


def grid_points(path: Path, lists: dict[str, list[Any]], base: dict[str, Any],
                base_dir: str | None) -> list[dict[str, Any]]:
    """Every combination of the value lists, after checking each value on its own."""
    # Each value on its own first, so an error names the value, not a combination.
    anchor = {k: v[0] for k, v in lists.items()}
    for key, values in lists.items():
        for value in values:
            validate_point(base, {**anchor, key: value},
                           f"{path}: [parameters] {key!r} value {value!r}", base_dir)
    return [dict(zip(lists, combo, strict=True)) for combo in itertools.product(*lists.values())]


# ----------------------------------------------------------------- ranges
def ranges(path: Path, kind: str, parameters: dict[str, Any]) -> dict[str, Range]:
    """Check ``{min, max}`` ranges; return key -> (low, high, integer) of the draw."""
    if not parameters:
        raise InputError(f"{path}: a {kind} design needs at least one [parameters] range.")
    return {key: _range(f"{path}: [parameters] {key!r}", key, kind, rng)
            for key, rng in parameters.items()}


def _range(where: str, key: str, kind: str, rng: Any) -> Range:
    if not isinstance(rng, dict) or set(rng) != {"min", "max"}:
        raise InputError(
            f"{where} = {rng!r}: a {kind} design needs a range {{ min = ..., max = ... }} "
            f"for every parameter (value lists are for kind = 'grid')."
        )
    section, _, name = key.partition(".")
    ann = SECTIONS[section].model_fields[name].annotation
    if ann not in (int, float):
        raise InputError(
            f"{where}: only numeric keys can be sampled from a range; {key} is not "
            f"numeric. Vary it with a grid, or fix it in [overrides]."
        )
    lo, hi = rng["min"], rng["max"]
    for name, bound in (("min", lo), ("max", hi)):
        if non_finite(bound):
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
    return (float(lo), float(hi + 1 if integer else hi), integer)


def scale(unit: np.ndarray, draws: dict[str, Range]) -> list[dict[str, Any]]:
    """Points in the unit cube mapped onto the ranges (integers rounded down)."""
    out = []
    for row in unit:
        point = {}
        for (key, (lo, hi, integer)), u in zip(draws.items(), row, strict=True):
            x = lo + u * (hi - lo)
            point[key] = min(math.floor(x), int(hi) - 1) if integer else float(x)
        out.append(point)
    return out


def sample(path: Path, kind: str, samples: int, seed: int, draws: dict[str, Range]
           ) -> tuple[np.ndarray, dict[str, Any] | None]:
    """Unit-cube samples of an ``lhs`` or ``sobol`` design, and the SALib problem of a sobol one."""
    rng = np.random.default_rng([seed, _SAMPLER_STREAM])
    if kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(len(draws), rng=rng).random(samples), None
    if samples & (samples - 1):
        raise InputError(
            f"{path}: design.samples = {samples} must be a power of two for kind = 'sobol' "
            f"(e.g. {2 ** round(math.log2(samples))}); Sobol' sequences balance only then."
        )
    from SALib.sample import sobol

    names = list(draws)
    unit = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    values = sobol.sample(unit, samples, calc_second_order=False, seed=rng)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[lo, hi] for lo, hi, _ in draws.values()],
    }
    return values, problem


def sampled_points(path: Path, kind: str, samples: int, seed: int, draws: dict[str, Range],
                   base: dict[str, Any], base_dir: str | None
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The sampled points (after checking every range's bounds) and the SALib problem."""
    anchor = {k: lo for k, (lo, _, _) in draws.items()}
    for key, (lo, hi, is_int) in draws.items():
        for bound in (lo, hi - 1 if is_int else hi):
            bound = int(bound) if is_int else bound
            validate_point(base, {**anchor, key: bound},
                           f"{path}: [parameters] {key!r} range bound {bound!r}", base_dir)
    unit, problem = sample(path, kind, samples, seed, draws)
    return scale(unit, draws), problem
