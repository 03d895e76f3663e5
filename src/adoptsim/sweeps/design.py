"""An experiment's design points: grids, sampled ranges and ablations.

``grid``: every combination of the ``[parameters]`` value lists, in file
order. ``lhs``, ``sobol`` and ``morris`` sample ``{ min, max }`` ranges
(Latin hypercube by scipy, Saltelli's scheme and Morris trajectories by
SALib) from their own random stream, so changing the number of replications
changes neither the design nor the earlier replications' seeds. Integer keys
are drawn on ``[min, max + 1)`` and rounded down, so every integer from
``min`` to ``max`` is equally likely. ``ablation``: a two-valued
``[contrast]`` with every mechanism on, then with each listed mechanism off
(:mod:`adoptsim.mechanisms`). Values are validated as scenarios before any
run.

Examples
--------
>>> points("grid", None, {"a.b": [1, 2], "c.d": [3, 4, 5]}), points("sobol", 8, {"a.b": {}})
(6, 24)
>>> points("morris", 10, {"a.b": {}, "c.d": {}}), points("ablation", None, {}, mechanisms=18)
(30, 38)
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
from ..mechanisms import MECHANISMS
from ..toml import get_dotted, non_finite, resolve_path, with_values

# The design sampler draws from its own stream, so changing the number of
# replications changes neither the design nor the earlier replications' seeds.
_SAMPLER_STREAM = 1

#: A sampled parameter: (low, high, integer) of the uniform draw.
Range = tuple[float, float, bool]

#: Grid levels of a Morris design unless ``design.levels`` says otherwise (SALib's default).
MORRIS_LEVELS = 4


def validate_point(base: dict[str, Any], values: dict[str, Any], source: str,
                   base_dir: str | None) -> ScenarioConfig:
    """The scenario ``base`` with a design point's ``values`` set, validated."""
    return validate(with_values(base, values), source, Path(base_dir) if base_dir else None)


def points(kind: str, samples: int | None, parameters: dict[str, Any],
           mechanisms: int = 0) -> int:
    """The number of design points a design generates, counted without building them.

    ``grid``: the product of the value lists' lengths; ``lhs``: ``samples``;
    ``sobol``: ``samples × (k + 2)`` for ``k`` parameters (Saltelli's scheme
    without second-order indices, as :func:`sample` draws it); ``morris``:
    ``samples × (k + 1)`` (one trajectory of ``k + 1`` points per sample);
    ``ablation``: ``2 × (1 + mechanisms)`` (the two contrast values with
    every mechanism on, then with each of ``mechanisms`` off).
    """
    n, k = samples or 0, len(parameters)
    if kind == "grid":
        return math.prod(len(v) if isinstance(v, list) else 1 for v in parameters.values())
    per_sample = {"lhs": 1, "sobol": k + 2, "morris": k + 1}
    return 2 * (1 + mechanisms) if kind == "ablation" else n * per_sample[kind]


# ------------------------------------------------------------------- grid
def grid_lists(path: Path, parameters: dict[str, Any], table: str = "parameters"
               ) -> dict[str, list[Any]]:
    """Check the shape of a grid's value lists (values are checked later).

    ``table`` names the file's table in messages (``parameters``, or
    ``contrast`` for an ablation).
    """
    lists = {}
    for key, values in parameters.items():
        where = f"{path}: [{table}] {key!r}"
        if not isinstance(values, list) or not values:
            raise InputError(
                f"{where} = {values!r}: a grid needs a non-empty list of values, "
                f"e.g. {key!r} = [0, 13, 26] (ranges {{min, max}} are for lhs, sobol and morris)."
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


def sample(path: Path, kind: str, samples: int, seed: int, draws: dict[str, Range],
           levels: int | None = None) -> tuple[np.ndarray, dict[str, Any] | None]:
    """Unit-cube samples of an ``lhs``, ``sobol`` or ``morris`` design, and its SALib problem.

    The problem (``num_vars``, ``names``, ``bounds``; a morris one also
    ``levels``) is what ``SALib.analyze`` needs; an ``lhs`` design has none.
    """
    rng = np.random.default_rng([seed, _SAMPLER_STREAM])
    if kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(len(draws), rng=rng).random(samples), None
    names = list(draws)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[lo, hi] for lo, hi, _ in draws.values()],
    }
    unit = {**problem, "bounds": [[0.0, 1.0]] * len(names)}
    if kind == "morris":
        from SALib.sample import morris

        values = morris.sample(unit, samples, num_levels=levels, seed=rng)
        return values, {**problem, "levels": levels}
    if samples & (samples - 1):
        raise InputError(
            f"{path}: design.samples = {samples} must be a power of two for kind = 'sobol' "
            f"(e.g. {2 ** round(math.log2(samples))}); Sobol' sequences balance only then."
        )
    from SALib.sample import sobol

    return sobol.sample(unit, samples, calc_second_order=False, seed=rng), problem


def check_levels(path: Path, draws: dict[str, Range], levels: int) -> None:
    """Refuse integer ranges too narrow for a Morris grid: two levels would be one integer.

    A range of ``n`` integers keeps the ``levels`` grid levels apart (rounded
    down) exactly when ``n >= levels``; otherwise a Morris step could change
    nothing and its elementary effect would be undefined.
    """
    for key, (lo, hi, integer) in draws.items():
        n = int(hi - lo)
        if integer and n < levels:
            raise InputError(
                f"{path}: [parameters] {key!r} spans {n} integers ({int(lo)} to {int(hi) - 1}), "
                f"fewer than design.levels = {levels}: two Morris grid levels would round to "
                f"the same integer. Widen the range to at least {levels} integers, or lower "
                f"design.levels (an even number up to {n - n % 2})."
            )


def sampled_points(path: Path, kind: str, samples: int, seed: int, draws: dict[str, Range],
                   base: dict[str, Any], base_dir: str | None, levels: int | None = None
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The sampled points (after checking every range's bounds) and the SALib problem."""
    anchor = {k: lo for k, (lo, _, _) in draws.items()}
    for key, (lo, hi, is_int) in draws.items():
        for bound in (lo, hi - 1 if is_int else hi):
            bound = int(bound) if is_int else bound
            validate_point(base, {**anchor, key: bound},
                           f"{path}: [parameters] {key!r} range bound {bound!r}", base_dir)
    if kind == "morris":
        check_levels(path, draws, levels or 0)
    unit, problem = sample(path, kind, samples, seed, draws, levels)
    return scale(unit, draws), problem


# --------------------------------------------------------------- ablation
#: The mechanism label of an ablation's points with every mechanism on.
ALL_ON = "none"


def contrast_values(path: Path, key: str, values: Any) -> list[Any]:
    """An ablation's two contrast values (reference, alternative), shape-checked."""
    if not isinstance(values, list) or len(values) != 2:
        raise InputError(
            f"{path}: [contrast] {key!r} = {values!r}: an ablation contrasts exactly two "
            f"values, the reference and the alternative, e.g. {key!r} = [0, 52]."
        )
    if json.dumps(values[0]) == json.dumps(values[1]):
        raise InputError(f"{path}: [contrast] {key!r} = {values!r}: the reference and the "
                         f"alternative are the same; give two different values.")
    return grid_lists(path, {key: values}, "contrast")[key]


def ablated(path: Path, listed: list[str] | None, base: dict[str, Any]) -> list[str]:
    """The mechanisms an ablation switches off: those listed, or every one on in ``base``.

    Raises
    ------
    InputError
        For an empty list, an unknown or repeated name, or a listed
        mechanism that the base scenario already has off.
    """
    on = base.get("mechanisms", {})
    allowed = f"the mechanisms are {', '.join(MECHANISMS)} (docs/odd.md, section 8.14)"
    if listed is None:
        names = [m for m in MECHANISMS if on.get(m, True)]
        if not names:
            raise InputError(f"{path}: every mechanism is off in the base scenario, so the "
                             f"ablation has none to switch off. Turn some on in [overrides].")
        return names
    if not listed:
        raise InputError(f"{path}: design.mechanisms is empty; list the mechanisms to switch "
                         f"off one at a time, or leave it out for all of them; {allowed}.")
    unknown = [m for m in listed if m not in MECHANISMS]
    if unknown:
        raise InputError(f"{path}: design.mechanisms: {', '.join(map(repr, unknown))} "
                         f"{'is no mechanism' if len(unknown) == 1 else 'are no mechanisms'}; "
                         f"{allowed}.")
    repeated = sorted({m for m in listed if listed.count(m) > 1})
    if repeated:
        raise InputError(f"{path}: design.mechanisms lists {', '.join(map(repr, repeated))} "
                         f"more than once; list each mechanism once.")
    off = [m for m in listed if not on.get(m, True)]
    if off:
        raise InputError(
            f"{path}: design.mechanisms lists {', '.join(map(repr, off))}, already off in the "
            f"base scenario (its [mechanisms], [overrides] or --set): switching it off would "
            f"compare the base with itself. Remove it from design.mechanisms, or turn it on."
        )
    return list(listed)


def ablation_points(path: Path, key: str, values: list[Any], mechanisms: list[str],
                    base: dict[str, Any], base_dir: str | None
                    ) -> tuple[list[dict[str, Any]], list[str]]:
    """An ablation's points and each point's mechanism label.

    For each label in ``["none", *mechanisms]`` and each contrast value:
    ``{key: value}``, plus ``{"mechanisms.<label>": False}`` when the label
    is a mechanism. Each contrast value is validated on its own first, so an
    error names the value.
    """
    typed = [get_dotted(validate_point(base, {key: value}, f"{path}: [contrast] {key!r} value "
                                       f"{value!r}", base_dir), key) for value in values]
    if typed[0] == typed[1]:
        raise InputError(f"{path}: [contrast] {key!r} = {values!r}: both values are "
                         f"{typed[0]!r} once validated; give two different values.")
    points, labels = [], []
    for label in [ALL_ON, *mechanisms]:
        off = {} if label == ALL_ON else {f"mechanisms.{label}": False}
        for value in values:
            points.append({key: value, **off})
            labels.append(label)
    return points, labels
