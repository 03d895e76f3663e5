"""TOML files and dotted keys: the one reader behind scenarios and experiments.

Scenario files (:mod:`adoptsim.config`) and experiment files
(:mod:`adoptsim.sweeps.experiment`) are read, merged (``extends``),
overridden (``--set section.key=value``), checked key by key and validated
here, so both speak with the same words: every problem is an
:class:`~adoptsim.errors.InputError` paragraph naming the file, the key and
what is allowed. Nothing here knows a schema; callers pass their sections
(``{"run": RunConfig, ...}``) and pydantic models.

Examples
--------
>>> parse_assignments(["comms.effort=20", "channel.policy=restricted"])
{'comms.effort': 20, 'channel.policy': 'restricted'}
>>> with_values({"run": {"steps": 10}}, {"run.seed": 3, "comms.effort": 5})
{'run': {'steps': 10, 'seed': 3}, 'comms': {'effort': 5}}
>>> merge({"run": {"steps": 10, "seed": 1}}, {"run": {"seed": 2}})
{'run': {'steps': 10, 'seed': 2}}
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError, allowed_range, reject_nul
from .scenarios import list_scenarios, shipped_scenario

Sections = Mapping[str, type[BaseModel]]


# ------------------------------------------------------------------ files
def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's contents; ``what`` names the kind of file in messages.

    Raises
    ------
    InputError
        If the file does not exist, is not UTF-8 text or is not valid TOML.
    """
    reject_nul(path, what)
    if not path.is_file():
        raise InputError(f"{what} {path} does not exist.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file.") from None


def read_extending(path: Path, path_keys: Iterable[str], chain: tuple[Path, ...] = ()
                   ) -> dict[str, Any]:
    """Read a scenario file, merging the files it ``extends`` beneath it.

    ``extends`` names a file relative to the extending file's folder or, when
    no such file exists, a shipped scenario (``"baseline"`` or
    ``"baseline.toml"``), so a scenario that extends the baseline works from
    any folder. Relative paths under ``path_keys`` (dotted keys, e.g.
    ``organisation.edges``) belong to the file that names them.
    """
    reject_nul(path, "Scenario file")
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise InputError(f"{path}: 'extends' forms a cycle ({cycle}).")
    if not path.is_file():
        where = f" (extended by {chain[-1]})" if chain else ""
        raise InputError(f"Scenario file {path} does not exist{where}.")
    data = read_toml(path, "Scenario file")
    parent = data.pop("extends", None)
    resolve_paths(data, path_keys, path.parent, str(path))
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: 'extends' must be a path string, got {parent!r}.")
    base = read_extending(_extended(parent, path), path_keys, (*chain, path))
    return merge(base, data)


def _extended(parent: str, path: Path) -> Path:
    """The file an ``extends`` names: relative to ``path``'s folder, else a shipped scenario."""
    reject_nul(parent, f"{path}: 'extends' =")
    local = path.parent / Path(parent).expanduser()
    if local.is_file():
        return local
    shipped = shipped_scenario(parent)
    if shipped is not None:
        return shipped
    known = ", ".join(name for name, _, _ in list_scenarios(shipped_only=True)) or "none found"
    raise InputError(
        f"{path}: 'extends' = {parent!r} is neither a file ({local.resolve()} does not exist) "
        f"nor a shipped scenario. Give a path relative to {path.parent} or the name of a "
        f"shipped scenario ({known})."
    )


def resolve_paths(data: dict[str, Any], path_keys: Iterable[str], folder: Path,
                  source: str) -> None:
    """Make the relative paths under ``path_keys`` in ``data`` relative to ``folder``."""
    for dotted in path_keys:
        section, _, key = dotted.partition(".")
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            table[key] = resolve_path(table[key], folder, f"{source}: {dotted} =")


def resolve_path(value: str, folder: Path, what: str) -> str:
    """``value`` as an absolute path, relative to ``folder`` unless it is absolute."""
    reject_nul(value, what)
    return value if Path(value).is_absolute() else str((folder / value).resolve())


def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, table by table."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


# ------------------------------------------------------------ dotted keys
def parse_value(text: str) -> Any:
    """Parse a ``--set`` value as a TOML value, falling back to a bare string.

    >>> parse_value("13"), parse_value("true"), parse_value("restricted")
    (13, True, 'restricted')
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignments(items: list[str] | None, source: str = "--set") -> dict[str, Any]:
    """Parse ``["comms.effort=20", ...]`` into ``{"comms.effort": 20, ...}``."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"{source} {item!r} is not of the form section.key=value "
                f"(for example --set comms.join_step=13)."
            )
        out[key.strip()] = parse_value(value.strip())
    return out


def get_dotted(obj: Any, dotted: str) -> Any:
    """The value of ``section.key`` in a config object (or plain nested dicts).

    >>> get_dotted({"run": {"steps": 10}}, "run.steps")
    10
    """
    section, _, key = dotted.partition(".")
    if isinstance(obj, Mapping):
        return obj[section][key]
    return getattr(getattr(obj, section), key)


def with_values(data: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of data (sections of scalars) with ``section.key`` entries set.

    A key without a dot (``description``) is set at the top level. Callers
    check the keys first (:func:`check_key`, :func:`check_sections`).
    """
    # Two levels deep is deep enough, and far cheaper than copy.deepcopy per run.
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for dotted, value in values.items():
        section, sep, key = dotted.partition(".")
        if sep:
            out.setdefault(section, {})[key] = value
        else:
            out[section] = value
    return out


def check_sections(data: dict[str, Any], overrides: Mapping[str, Any], sections: Sections,
                   source: str, top_level: Iterable[str] = ()) -> None:
    """Check that each override is ``section.key`` of a known section (or a ``top_level`` key)
    and that the section in ``data`` is a table. The keys themselves are checked when the
    result is validated."""
    for dotted in overrides:
        section, sep, _ = dotted.partition(".")
        if not sep:
            if dotted in top_level:
                continue
            raise InputError(
                f"{source}: {dotted!r} is not a dotted key; write section.key "
                f"(sections: {', '.join(sections)})."
            )
        if section not in sections:
            raise InputError(
                f"{source}: unknown section {section!r} in {dotted!r}; "
                f"allowed sections: {', '.join(sections)}."
            )
        if not isinstance(data.get(section, {}), dict):
            raise InputError(f"{source}: [{section}] must be a table.")


def check_key(dotted: str, sections: Sections, where: str) -> None:
    """Refuse ``dotted`` unless it is ``section.key`` of a known section and key."""
    section, _, key = dotted.partition(".")
    if section not in sections or key not in sections[section].model_fields:
        if section in sections:
            allowed = f"allowed keys in [{section}]: {', '.join(sections[section].model_fields)}"
        else:
            allowed = f"keys are section.key with sections {', '.join(sections)}"
        raise InputError(f"{where}: {dotted!r} is not a scenario key; {allowed}.")


def non_finite(value: Any) -> bool:
    """True for a float NaN or infinity (TOML's ``nan``, ``inf``).

    >>> non_finite(float("nan")), non_finite(1.5), non_finite("inf")
    (True, False, False)
    """
    return isinstance(value, float) and not math.isfinite(value)


# ------------------------------------------------------------- validation
def validate_model[T: BaseModel](schema: type[T], data: Any, source: str,
                                 allowed: Callable[[tuple[str, ...]], str]) -> T:
    """``schema.model_validate(data)``, with problems as one :class:`InputError` paragraph.

    ``allowed(parent)`` describes the keys allowed under the location
    ``parent`` (a tuple of names), for unknown-key messages.
    """
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, source, schema, allowed)) from None


def format_validation_error(exc: ValidationError, source: str, schema: type[BaseModel],
                            allowed: Callable[[tuple[str, ...]], str]) -> str:
    """Pydantic's errors as one readable paragraph: ``<source>: <problem>; <problem>.``"""
    return f"{source}: " + "; ".join(_problem(err, schema, allowed) for err in exc.errors()) + "."


def _problem(err: Any, schema: type[BaseModel], allowed: Callable[[tuple[str, ...]], str]
             ) -> str:
    loc = tuple(str(p) for p in err["loc"])
    name = ".".join(loc) if loc else "(top level)"
    kind, given = err["type"], err.get("input")
    field = field_at(schema, loc)
    if kind == "extra_forbidden":
        return f"unknown key {name!r}; {allowed(loc[:-1])}"
    if kind == "missing":
        return f"{name} is required"
    if kind == "literal_error":
        return f"{name} = {given!r} is not allowed; allowed values: {err['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        what = field.description if field is not None and field.description else "the pattern"
        return f"{name} = {given!r} may only contain {what}"
    if kind == "finite_number":
        what = f"{name} = {given!r} must be a finite number, not nan or inf"
        limits = bounds(field)
        return what if limits == "any finite number" else f"{what}; allowed: {limits}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name} = {given!r} is out of range; allowed: {bounds(field)}"
    if kind in ("model_type", "dict_type"):
        return f"{name} must be a table of keys ([{name}]), got {given!r}"
    if kind == "value_error":
        return f"{name}: {err['msg'].removeprefix('Value error, ')}"
    expected = "see docs/odd.md" if field is None else getattr(
        field.annotation, "__name__", str(field.annotation))
    return f"{name} = {given!r} has the wrong type ({err['msg']}); expected {expected}"


def field_at(schema: type[BaseModel], loc: tuple[str, ...]) -> Any:
    """The pydantic field at ``loc`` (nested models followed), or None."""
    model: Any = schema
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(model, type) else None
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
    return model.model_fields.get(loc[-1]) if loc else None


def bounds(field: Any) -> str:
    """A numeric field's allowed range in words: ``[0.0, 1.0]``, ``>= 1``, ``(0.0, 1.0]``."""
    if field is None:
        return "see docs/odd.md"
    lo = hi = None
    lo_open = hi_open = False
    for m in field.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    return allowed_range(lo, hi, lo_open, hi_open) or "any finite number"
