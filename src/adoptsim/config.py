"""Scenario schema, TOML loading with ``extends``, and dotted overrides.

A scenario is a TOML file of sections (``[run]``, ``[organisation]``, ...).
Every key has a default (DESIGN §1.3a), so an empty file is the baseline.
Validation errors become :class:`~adoptsim.errors.InputError` paragraphs that
name the file, the key and the allowed values.

Examples
--------
>>> cfg = load_config(overrides={"organisation.employees": 300, "run.steps": 10})
>>> cfg.organisation.employees, cfg.run.steps
(300, 10)
>>> flat_to_dotted({"join_step": 13, "joining_rate": 0.1})
{'comms.join_step': 13, 'joining.rate': 0.1}
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InputError
from .scenarios import list_scenarios, shipped_scenario


class Section(BaseModel):
    # allow_inf_nan=False: every float key must be a finite number (TOML and
    # --set accept nan and inf literals, which would poison the kernels).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class RunConfig(Section):
    steps: int = Field(104, ge=1, le=100_000, description="weeks to simulate")
    seed: int = Field(42, ge=0, description="master seed of the run")


class OrganisationConfig(Section):
    generator: Literal[
        "org", "erdos_renyi", "watts_strogatz", "barabasi_albert",
        "ring_lattice", "complete", "edgelist",
    ] = "org"
    employees: int = Field(2000, ge=2, le=50_000_000)
    team_size: int = Field(8, ge=1, le=10_000)
    teams_per_department: int = Field(10, ge=1, le=100_000)
    cross_ties: float = Field(3.0, ge=0.0, le=1_000.0)
    within_department: float = Field(0.7, ge=0.0, le=1.0)
    hub_sigma: float = Field(0.6, ge=0.0, le=5.0)
    mean_degree: float = Field(10.0, ge=0.0, le=10_000.0)
    rewire: float = Field(0.1, ge=0.0, le=1.0)
    edges: str | None = None
    nodes: str | None = None

    @field_validator("edges", "nodes")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError(f"path {value!r} contains a NUL byte, which no file path can hold")
        return value

    @model_validator(mode="after")
    def _edgelist_needs_edges(self) -> OrganisationConfig:
        if self.generator == "edgelist" and not self.edges:
            raise ValueError("generator 'edgelist' needs organisation.edges (a CSV/TSV path)")
        return self


class PopulationConfig(Section):
    enthusiasm_a: float = Field(2.0, gt=0.0)
    enthusiasm_b: float = Field(5.0, gt=0.0)
    champion_share: float = Field(0.025, ge=0.0, le=1.0)
    fear_a: float = Field(2.0, gt=0.0)
    fear_b: float = Field(4.0, gt=0.0)
    trust_a: float = Field(5.0, gt=0.0)
    trust_b: float = Field(5.0, gt=0.0)
    posting_sigma: float = Field(1.8, ge=0.0, le=5.0)


class AwarenessConfig(Section):
    p_external: float = Field(0.005, ge=0.0, le=1.0)
    p_comms: float = Field(0.01, ge=0.0, le=1.0)
    q: float = Field(0.3, ge=0.0, le=10.0)
    active_weight: float = Field(0.5, ge=0.0, le=1.0)


class JoiningConfig(Section):
    rate: float = Field(0.05, ge=0.0, le=1.0)
    invite_rate: float = Field(0.3, ge=0.0, le=1.0)
    instant: bool = False
    follows: int = Field(3, ge=0, le=1000)
    preferential: float = Field(0.7, ge=0.0, le=1.0)


class PostingConfig(Section):
    mode: Literal["logistic", "threshold"] = "logistic"
    intercept: float = -4.5
    social: float = 4.0
    enthusiasm: float = 3.0
    fear: float = 3.0
    trust: float = 2.0
    threshold: float = Field(0.18, ge=0.0, le=1.0)
    fear_shift: float = 0.0
    enthusiasm_shift: float = 0.0
    trust_shift: float = 0.0
    window: int = Field(12, ge=1, le=100_000)
    initial_active: int = Field(0, ge=0)


class UndergroundConfig(Section):
    rate: float = Field(0.04, ge=0.0, le=1.0)
    migrate: float = Field(0.5, ge=0.0, le=1.0)


class FearConfig(Section):
    relax: float = Field(0.1, ge=0.0, le=1.0)
    policing_weight: float = Field(0.5, ge=0.0, le=1.0)
    monitoring_weight: float = Field(0.3, ge=0.0, le=1.0)
    reassurance: float = Field(0.3, ge=0.0, le=1.0)
    sanction_rate: float = Field(0.05, ge=0.0, le=1.0)
    sanction_fear: float = Field(0.2, ge=0.0, le=1.0)
    neighbour_fear: float = Field(0.05, ge=0.0, le=1.0)


class TrustConfig(Section):
    averaging: float = Field(0.05, ge=0.0, le=1.0)
    gain: float = Field(0.1, ge=0.0, le=1.0)
    loss: float = Field(0.2, ge=0.0, le=1.0)
    ambient: float = Field(0.05, ge=0.0, le=1.0)
    tie_decay: float = Field(0.98, ge=0.0, le=1.0)
    best_tone: float = Field(0.7, ge=0.0, le=1.0)


class BenefitConfig(Section):
    channel: float = Field(0.02, ge=0.0)
    underground: float = Field(0.5, ge=0.0)


#: The named channel policies as (friction κ, policing π, restriction ρ).
POLICIES: dict[str, tuple[float, float, float]] = {
    "open": (0.0, 0.0, 0.0),
    "moderated": (0.2, 0.1, 0.0),
    "restricted": (0.6, 0.5, 0.5),
    "shutdown": (0.0, 0.0, 0.0),
}


class ChannelConfig(Section):
    policy: Literal["open", "moderated", "restricted", "shutdown", "custom"] = "open"
    policy_start: int = Field(52, ge=0)
    friction: float = Field(0.0, ge=0.0, le=1.0)
    policing: float = Field(0.0, ge=0.0, le=1.0)
    restriction: float = Field(0.0, ge=0.0, le=1.0)

    def levers(self) -> tuple[float, float, float]:
        """(friction, policing, restriction) once the policy is in force."""
        if self.policy == "custom":
            return (self.friction, self.policing, self.restriction)
        return POLICIES[self.policy]


class CommsConfig(Section):
    count: int = Field(1, ge=0, le=1000)
    join_step: int = Field(0, ge=0)
    effort: int = Field(10, ge=0, le=100_000)
    strategy: Literal[
        "none", "random", "degree", "bridging", "champions", "followers", "greedy"
    ] = "champions"
    tone: float = Field(0.3, ge=0.0, le=1.0)
    learn_tone: bool = True
    review_every: int = Field(8, ge=1)
    monitoring: float = Field(0.5, ge=0.0, le=1.0)
    invite: bool = True
    focus: float = Field(0.1, gt=0.0, le=1.0)


class ScenarioConfig(Section):
    """A whole scenario: every section, each with its defaults."""

    description: str = ""
    run: RunConfig = RunConfig()
    organisation: OrganisationConfig = OrganisationConfig()
    population: PopulationConfig = PopulationConfig()
    awareness: AwarenessConfig = AwarenessConfig()
    joining: JoiningConfig = JoiningConfig()
    posting: PostingConfig = PostingConfig()
    underground: UndergroundConfig = UndergroundConfig()
    fear: FearConfig = FearConfig()
    trust: TrustConfig = TrustConfig()
    benefit: BenefitConfig = BenefitConfig()
    channel: ChannelConfig = ChannelConfig()
    comms: CommsConfig = CommsConfig()

    #: Directory that relative paths in the scenario (edge lists) refer to.
    base_dir: str | None = Field(None, exclude=True)

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data (JSON/TOML-able)."""
        return json.loads(self.model_dump_json(exclude_none=True))

    def resolve_path(self, value: str) -> Path:
        """A path from the scenario, relative to the scenario file's folder."""
        p = Path(value).expanduser()
        if not p.is_absolute() and self.base_dir:
            p = Path(self.base_dir) / p
        return p


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}


def _unique_keys() -> dict[str, str]:
    seen: dict[str, list[str]] = {}
    for section, model in SECTIONS.items():
        for key in model.model_fields:
            seen.setdefault(key, []).append(section)
    # A key that is also a section's name (posting.fear, benefit.channel) would
    # read as that section's lever, so it needs its section prefix.
    return {
        key: secs[0] for key, secs in seen.items() if len(secs) == 1 and key not in SECTIONS
    }


#: Keys that name one section only, so a flat keyword can omit the section.
UNIQUE_KEYS = _unique_keys()


def flat_to_dotted(params: dict[str, Any]) -> dict[str, Any]:
    """Map flat keyword names to dotted scenario keys.

    ``section_key`` always works (``comms_join_step``); a key that exists in one
    section only may also be given alone (``join_step``).
    """
    out: dict[str, Any] = {}
    for name, value in params.items():
        if "." in name:
            out[name] = value
            continue
        for section in SECTIONS:
            prefix = section + "_"
            if name.startswith(prefix) and name[len(prefix):] in SECTIONS[section].model_fields:
                out[f"{section}.{name[len(prefix):]}"] = value
                break
        else:
            if name in UNIQUE_KEYS:
                out[f"{UNIQUE_KEYS[name]}.{name}"] = value
            elif name == "description":
                out[name] = value
            else:
                raise InputError(
                    f"Unknown model parameter {name!r}. Use 'section_key' names such as "
                    f"'comms_join_step' or 'organisation_employees', or a key that belongs to "
                    f"one section only such as 'join_step'. Sections: {', '.join(SECTIONS)}."
                )
    return out


def parse_value(text: str) -> Any:
    """Parse a ``--set`` value as a TOML value, falling back to a bare string."""
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


def _check_path_text(value: str, what: str) -> None:
    """Refuse a path with a NUL byte (``open`` would raise ValueError on it)."""
    if "\x00" in value:
        raise InputError(
            f"{what} {value!r} contains a NUL byte (\\x00), which no file path can hold; "
            f"give the file's path without it."
        )


def _extended(parent: str, path: Path) -> Path:
    """The file an ``extends`` names: relative to ``path``'s folder, else a shipped scenario."""
    _check_path_text(parent, f"{path}: 'extends' =")
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


def _read_toml(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file, merging the files it ``extends`` beneath it.

    ``extends`` names a file relative to the extending file's folder or, when
    no such file exists, a shipped scenario (``"baseline"`` or
    ``"baseline.toml"``), so a scenario that extends the baseline works from
    any folder.
    """
    _check_path_text(str(path), "Scenario file")
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise InputError(f"{path}: 'extends' forms a cycle ({cycle}).")
    if not path.is_file():
        where = f" (extended by {chain[-1]})" if chain else ""
        raise InputError(f"Scenario file {path} does not exist{where}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file.") from None
    parent = data.pop("extends", None)
    # Relative edge-list paths belong to the file that names them.
    org = data.get("organisation")
    if isinstance(org, dict):
        for key in ("edges", "nodes"):
            if isinstance(org.get(key), str):
                _check_path_text(org[key], f"{path}: organisation.{key} =")
                if not Path(org[key]).is_absolute():
                    org[key] = str((path.parent / org[key]).resolve())
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: 'extends' must be a path string, got {parent!r}.")
    base = _read_toml(_extended(parent, path), (*chain, path))
    return _merge(base, data)


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _apply_overrides(data: dict[str, Any], overrides: dict[str, Any], source: str) -> None:
    for dotted, value in overrides.items():
        section, sep, key = dotted.partition(".")
        if not sep:
            if dotted == "description":
                data[dotted] = value
                continue
            raise InputError(
                f"{source}: {dotted!r} is not a dotted key; write section.key "
                f"(sections: {', '.join(SECTIONS)})."
            )
        if section not in SECTIONS:
            raise InputError(
                f"{source}: unknown section {section!r} in {dotted!r}; "
                f"allowed sections: {', '.join(SECTIONS)}."
            )
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            raise InputError(f"{source}: [{section}] must be a table.")
        data[section][key] = value


def _allowed(section: str | None, key: str | None) -> str:
    """Describe the allowed keys of a section, for unknown-key errors."""
    if section in SECTIONS and key is not None:
        return "allowed keys in [{}]: {}".format(section, ", ".join(SECTIONS[section].model_fields))
    return "allowed sections: {} (and top-level 'description', 'extends')".format(
        ", ".join(SECTIONS)
    )


def format_validation_error(exc: ValidationError, source: str) -> str:
    """Turn pydantic's errors into one readable paragraph per problem."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        section = loc[0] if loc else None
        key = loc[1] if len(loc) > 1 else None
        name = ".".join(loc) if loc else "(scenario)"
        kind = err["type"]
        ctx = err.get("ctx", {})
        given = err.get("input")
        if kind == "extra_forbidden":
            if key is None:
                what = f"unknown section or key {name!r}; {_allowed(None, None)}"
            else:
                what = f"unknown key {name!r}; {_allowed(section, key)}"
        elif kind == "literal_error":
            what = f"{name} = {given!r} is not allowed; allowed values: {ctx.get('expected')}"
        elif kind == "finite_number":
            bounds = _bounds(section, key)
            what = f"{name} = {given!r} must be a finite number, not nan or inf"
            if bounds != "any finite number":
                what += f"; allowed: {bounds}"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            bounds = _bounds(section, key)
            what = f"{name} = {given!r} is out of range; allowed: {bounds}"
        elif kind == "model_type" or kind == "dict_type":
            what = f"{name} must be a table of keys ([{name}]), got {given!r}"
        elif kind == "value_error":
            what = f"{name}: {err['msg'].removeprefix('Value error, ')}"
        else:
            expected = _type_name(section, key)
            what = f"{name} = {given!r} has the wrong type ({err['msg']}); expected {expected}"
        lines.append(what)
    return f"{source}: " + "; ".join(lines) + "."


def _field(section: str | None, key: str | None):
    if section in SECTIONS and key in SECTIONS[section].model_fields:
        return SECTIONS[section].model_fields[key]
    return None


def _bounds(section: str | None, key: str | None) -> str:
    field = _field(section, key)
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
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    if lo is None and hi is None:
        return "any finite number"
    if lo is None:
        return f"{'<' if hi_open else '<='} {hi}"
    if hi is None:
        return f"{'>' if lo_open else '>='} {lo}"
    return f"{left}{lo}, {hi}{right}"


def _type_name(section: str | None, key: str | None) -> str:
    field = _field(section, key)
    if field is None:
        return "see docs/odd.md"
    ann = field.annotation
    return getattr(ann, "__name__", str(ann))


def validate(data: dict[str, Any], source: str, base_dir: Path | None = None) -> ScenarioConfig:
    """Validate a scenario dictionary; raise :class:`InputError` on problems."""
    try:
        cfg = ScenarioConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, source)) from None
    if base_dir is not None:
        cfg.base_dir = str(base_dir)
    return cfg


def load_config(
    path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> ScenarioConfig:
    """Load and validate a scenario.

    Parameters
    ----------
    path
        A scenario TOML file, or ``None`` for the built-in defaults.
    overrides
        Dotted keys to set after loading, e.g. ``{"comms.join_step": 13}``.

    Returns
    -------
    ScenarioConfig
        The validated scenario.

    Raises
    ------
    InputError
        With a message naming the file, the key and the allowed values.
    """
    source = str(path) if path is not None else "scenario"
    data: dict[str, Any] = {}
    base_dir = None
    if path is not None:
        p = Path(path)
        data = _read_toml(p)
        base_dir = p.resolve().parent
    if overrides:
        _apply_overrides(data, overrides, f"{source} (--set)")
    return validate(data, source, base_dir)


def with_overrides(cfg: ScenarioConfig, overrides: dict[str, Any]) -> ScenarioConfig:
    """A copy of ``cfg`` with dotted overrides applied and validated again."""
    data = cfg.to_dict()
    _apply_overrides(data, overrides, "overrides")
    base = Path(cfg.base_dir) if cfg.base_dir else None
    return validate(data, "overrides", base)


def as_config(scenario: str | Path | ScenarioConfig | dict | None) -> ScenarioConfig:
    """Accept a path, a config, a plain dict or ``None`` (defaults)."""
    if isinstance(scenario, ScenarioConfig):
        return scenario
    if isinstance(scenario, dict):
        return validate(scenario, "scenario")
    return load_config(scenario)
