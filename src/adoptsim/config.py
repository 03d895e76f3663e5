"""The scenario schema: every section and key with its default, range and meaning.

A scenario is a TOML file of sections (``[run]``, ``[organisation]``, ...).
Every key has a default (docs/odd.md, section 7.1), so an empty file is the
baseline. Files are read, extended and overridden by :mod:`adoptsim.toml`;
validation errors become :class:`~adoptsim.errors.InputError` paragraphs that
name the file, the key and the allowed values. The channel policies are
defined once here (:data:`CHANNEL_POLICIES`), the targeting strategies once
in :mod:`adoptsim.model.targeting`.

Examples
--------
>>> cfg = load_config(overrides={"organisation.employees": 300, "run.steps": 10})
>>> cfg.organisation.employees, cfg.run.steps
(300, 10)
>>> flat_to_dotted({"join_step": 13, "joining_rate": 0.1})
{'comms.join_step': 13, 'joining.rate': 0.1}
>>> ChannelConfig(policy="restricted").levers()
(0.6, 0.5, 0.5)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from .errors import InputError, ScenarioWarning
from .mechanisms import MECHANISMS
from .model.targeting import STRATEGIES
from .toml import check_sections, read_extending, validate_model, with_values


class Section(BaseModel):
    # allow_inf_nan=False: every float key must be a finite number (TOML and
    # --set accept nan and inf literals, which would poison the kernels).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    #: Keys of model version 1 that are accepted but no longer act: key -> what replaced it.
    deprecated: ClassVar[dict[str, str]] = {}

    @model_validator(mode="after")
    def _warn_deprecated(self) -> Section:
        for key in self.deprecated.keys() & self.model_fields_set:
            section = type(self).__name__.removesuffix("Config").lower()
            warnings.warn(f"{section}.{key} no longer acts (model version 2) and is ignored: "
                          f"{self.deprecated[key]}", ScenarioWarning, stacklevel=2)
        return self


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
    seed: int | None = Field(None, ge=0, description="a fixed organisation across replications")

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
    posting_sigma: float = Field(2.1, ge=0.0, le=5.0)


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
    leave_rate: float = Field(0.05, ge=0.0, le=1.0)


class FollowingConfig(Section):
    exposure_rate: float = Field(0.02, ge=0.0, le=1.0)
    mention_follow: float = Field(0.2, ge=0.0, le=1.0)
    after_positive: float = Field(0.3, ge=0.0, le=1.0)
    unfollow: float = Field(0.3, ge=0.0, le=1.0)
    cap: int = Field(16, ge=1, le=1024)


class VisibilityConfig(Section):
    follower_view: float = Field(0.3, ge=0.0, le=1.0)
    feed: float = Field(3.0, ge=0.0, le=1000.0)


class PostingConfig(Section):
    mode: Literal["logistic", "threshold"] = "logistic"
    intercept: float = -4.0
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
    harmful: float = Field(0.02, ge=0.0, le=1.0)


class UndergroundConfig(Section):
    rate: float = Field(0.04, ge=0.0, le=1.0)
    found: float = Field(0.02, ge=0.0, le=1.0)
    frustration: float = Field(0.3, ge=0.0, le=10.0)
    frustration_decay: float = Field(0.8, ge=0.0, le=1.0)
    migrate: float | None = Field(None, ge=0.0, le=1.0)

    deprecated: ClassVar[dict[str, str]] = {
        "migrate": "after a shutdown, frustration (underground.found, underground.rate) "
                   "decides who goes underground",
    }


class FearConfig(Section):
    relax: float = Field(0.1, ge=0.0, le=1.0)
    policing_weight: float = Field(0.5, ge=0.0, le=1.0)
    monitoring_weight: float = Field(0.3, ge=0.0, le=1.0)
    reassurance: float = Field(0.3, ge=0.0, le=1.0)
    sanction_rate: float = Field(0.05, ge=0.0, le=1.0)
    sanction_fear: float = Field(0.2, ge=0.0, le=1.0)
    neighbour_fear: float = Field(0.05, ge=0.0, le=1.0)
    join_weight: float = Field(0.5, ge=0.0, le=1.0)
    chill_trust: float = Field(0.5, ge=0.0, le=1.0)


class TrustConfig(Section):
    averaging: float = Field(0.05, ge=0.0, le=1.0)
    gain: float = Field(0.1, ge=0.0, le=1.0)
    loss: float = Field(0.2, ge=0.0, le=1.0)
    ambient: float = Field(0.05, ge=0.0, le=1.0)
    tie_decay: float = Field(0.98, ge=0.0, le=1.0)
    best_tone: float = Field(0.7, ge=0.0, le=1.0)
    relationship_half: float = Field(2.0, ge=0.0, le=1000.0)
    best_tone_shift: float = Field(0.0, ge=-1.0, le=1.0)


class BenefitConfig(Section):
    per_view: float = Field(1.0, ge=0.0, le=1e6)
    cross_silo: float = Field(1.0, ge=0.0, le=1e6)
    harm: float = Field(5.0, ge=0.0, le=1e6)
    channel: float | None = Field(None, ge=0.0)
    underground: float | None = Field(None, ge=0.0)

    deprecated: ClassVar[dict[str, str]] = {
        "channel": "benefit comes from reads, weighted by benefit.per_view and "
                   "benefit.cross_silo, less benefit.harm per harmful read",
        "underground": "reads on back-channels count like reads on the channel "
                       "(benefit.per_view)",
    }


#: The named channel policies as (friction κ, policing π, restriction ρ) once in
#: force; ``custom`` takes the three from ``[channel]``, and ``shutdown`` also
#: closes the channel (docs/odd.md, section 8.1).
CHANNEL_POLICIES: dict[str, tuple[float, float, float]] = {
    "open": (0.0, 0.0, 0.0),
    "moderated": (0.2, 0.1, 0.0),
    "restricted": (0.6, 0.5, 0.5),
    "shutdown": (0.0, 0.0, 0.0),
}


class ChannelConfig(Section):
    policy: Literal[(*CHANNEL_POLICIES, "custom")] = "open"  # type: ignore[valid-type]
    policy_start: int = Field(52, ge=0)
    friction: float = Field(0.0, ge=0.0, le=1.0)
    policing: float = Field(0.0, ge=0.0, le=1.0)
    restriction: float = Field(0.0, ge=0.0, le=1.0)
    harm_detection: float = Field(3.0, ge=0.0, le=1000.0)

    def levers(self) -> tuple[float, float, float]:
        """(friction, policing, restriction) once the policy is in force."""
        if self.policy == "custom":
            return (self.friction, self.policing, self.restriction)
        return CHANNEL_POLICIES[self.policy]


class CommsConfig(Section):
    count: int = Field(1, ge=0, le=1000)
    join_step: int = Field(0, ge=0)
    effort: int = Field(10, ge=0, le=100_000)
    strategy: Literal[tuple(STRATEGIES)] = "champions"  # type: ignore[valid-type]
    tone: float = Field(0.3, ge=0.0, le=1.0)
    learn_tone: bool = True
    review_every: int = Field(8, ge=1)
    monitoring: float = Field(0.5, ge=0.0, le=1.0)
    invite: bool = True
    focus: float = Field(0.1, gt=0.0, le=1.0)
    promote_step: int = Field(0, ge=0)
    follows: int = Field(3, ge=0, le=100_000)
    posts: int = Field(2, ge=0, le=10_000)
    authority: float = Field(0.2, ge=0.0, le=1.0)
    visibility: float = Field(0.5, ge=0.0, le=1.0)
    invite_share: float = Field(0.3, ge=0.0, le=1.0)
    reshare: float = Field(0.2, ge=0.0, le=1.0)


#: One switch per mechanism (docs/odd.md, section 8.14), all on by default.
MechanismsConfig = create_model(
    "MechanismsConfig",
    __base__=Section,
    __doc__="The [mechanisms] switches: off freezes a mechanism at its neutral level.",
    **{name: (bool, Field(True, description=m.does)) for name, m in MECHANISMS.items()},
)


class ScenarioConfig(Section):
    """A whole scenario: every section, each with its defaults."""

    description: str = ""
    run: RunConfig = RunConfig()
    organisation: OrganisationConfig = OrganisationConfig()
    population: PopulationConfig = PopulationConfig()
    awareness: AwarenessConfig = AwarenessConfig()
    joining: JoiningConfig = JoiningConfig()
    following: FollowingConfig = FollowingConfig()
    visibility: VisibilityConfig = VisibilityConfig()
    posting: PostingConfig = PostingConfig()
    underground: UndergroundConfig = UndergroundConfig()
    fear: FearConfig = FearConfig()
    trust: TrustConfig = TrustConfig()
    benefit: BenefitConfig = BenefitConfig()
    channel: ChannelConfig = ChannelConfig()
    comms: CommsConfig = CommsConfig()
    mechanisms: MechanismsConfig = MechanismsConfig()  # type: ignore[valid-type]

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


#: Scenario keys that hold file paths: relative values are relative to the file naming them.
PATH_KEYS = ("organisation.edges", "organisation.nodes")

#: Keys allowed at the top of a scenario besides the sections.
TOP_LEVEL = ("description",)


def allowed_keys(parent: tuple[str, ...]) -> str:
    """The keys allowed under ``parent`` (``()`` or ``("comms",)``), for unknown-key errors."""
    if parent and parent[0] in SECTIONS:
        return "allowed keys in [{}]: {}".format(
            parent[0], ", ".join(SECTIONS[parent[0]].model_fields))
    return "allowed sections: {} (and top-level 'description', 'extends')".format(
        ", ".join(SECTIONS)
    )


def validate(data: dict[str, Any], source: str, base_dir: Path | None = None) -> ScenarioConfig:
    """Validate a scenario dictionary; raise :class:`InputError` on problems."""
    cfg = validate_model(ScenarioConfig, data, source, allowed_keys)
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
        data = read_extending(p, PATH_KEYS)
        base_dir = p.resolve().parent
    if overrides:
        data = _overridden(data, overrides, f"{source} (--set)")
        # Name the overrides too: a bad value may come from them rather than the file.
        source += " with --set " + ", ".join(f"{k}={v!r}" for k, v in overrides.items())
    return validate(data, source, base_dir)


def with_overrides(cfg: ScenarioConfig, overrides: dict[str, Any]) -> ScenarioConfig:
    """A copy of ``cfg`` with dotted overrides applied and validated again."""
    data = _overridden(cfg.to_dict(), overrides, "overrides")
    base = Path(cfg.base_dir) if cfg.base_dir else None
    return validate(data, "overrides", base)


def _overridden(data: dict[str, Any], overrides: dict[str, Any], source: str) -> dict[str, Any]:
    check_sections(data, overrides, SECTIONS, source, TOP_LEVEL)
    return with_values(data, overrides)


def as_config(scenario: str | Path | ScenarioConfig | dict | None) -> ScenarioConfig:
    """Accept a path, a config, a plain dict or ``None`` (defaults)."""
    if isinstance(scenario, ScenarioConfig):
        return scenario
    if isinstance(scenario, dict):
        return validate(scenario, "scenario")
    return load_config(scenario)
