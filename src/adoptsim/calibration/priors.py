"""The fitted keys: ``--fit KEY=LO:HI[:log]``, checked, and their priors for pyabc.

Each fitted key is a numeric scenario key with a uniform prior between its
bounds, or a log-uniform one (``:log``, both bounds above 0). pyabc samples
a log-uniform key as its base-10 logarithm, so the proposal kernels move in
the scale the prior is flat in. An integer key (``comms.join_step``) takes
the whole number below a value drawn uniformly from ``[LO, HI + 1)``, so
every whole number in the bounds is equally likely.

Examples
--------
>>> from adoptsim.config import load_config
>>> cfg = load_config()
>>> q, rate = parse_fits(["awareness.q=0.05:0.8", "joining.rate=0.01:0.2:log"], cfg)
>>> q.describe(), rate.describe()
('awareness.q ~ uniform(0.05, 0.8)', 'joining.rate ~ log-uniform(0.01, 0.2)')
>>> round(rate.value(rate.internal(0.1)), 6)
0.1
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..toml import check_key

if TYPE_CHECKING:
    import pyabc

    from ..config import ScenarioConfig

__all__ = ["FitKey", "parse_fits", "prior"]

#: Sections whose keys are not fitted: the calibration sets the run's length and seed.
NOT_FITTED = ("run",)


@dataclass(frozen=True)
class FitKey:
    """One fitted scenario key and its prior.

    Attributes
    ----------
    key : str
        The dotted scenario key, e.g. ``joining.rate``.
    low, high : float
        The prior's bounds, in the key's own units.
    log : bool
        Log-uniform prior (pyabc samples ``log10`` of the value).
    integer : bool
        An integer key: values are whole numbers.
    name : str
        The parameter's name in pyabc's database (``p0``, ``p1``, ...).
    """

    key: str
    low: float
    high: float
    log: bool = False
    integer: bool = False
    name: str = "p0"

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's support in pyabc's scale (log10 for a log key; ``HI + 1`` for an integer)."""
        top = self.high + 1 if self.integer else self.high
        if self.log:
            return math.log10(self.low), math.log10(top)
        return self.low, top

    def value(self, x: float) -> float | int:
        """The key's value for pyabc's value ``x``."""
        v = 10.0 ** x if self.log else float(x)
        if self.integer:
            return int(min(max(math.floor(v), self.low), self.high))
        return min(max(v, self.low), self.high)

    def internal(self, value: float) -> float:
        """pyabc's value for the key's ``value`` (the inverse of :meth:`value`)."""
        return math.log10(value) if self.log else float(value)

    def describe(self) -> str:
        """``key ~ uniform(LO, HI)`` or ``log-uniform``."""
        kind = ("log-uniform" if self.log else "uniform") + (" integer" if self.integer else "")
        return f"{self.key} ~ {kind}({_num(self.low)}, {_num(self.high)})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``summary.json`` (read back by :meth:`from_dict`)."""
        return {"key": self.key, "low": self.low, "high": self.high, "log": self.log,
                "integer": self.integer, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitKey:
        """The key written by :meth:`to_dict`."""
        return cls(str(data["key"]), float(data["low"]), float(data["high"]), bool(data["log"]),
                   bool(data["integer"]), str(data["name"]))


def _num(x: float) -> str:
    return f"{x:g}"


def prior(fits: list[FitKey]) -> pyabc.Distribution:
    """pyabc's prior: independent uniforms over each key's :attr:`FitKey.bounds`."""
    import pyabc

    return pyabc.Distribution(**{
        f.name: pyabc.RV("uniform", f.bounds[0], f.bounds[1] - f.bounds[0]) for f in fits
    })


def _number(text: str, item: str, which: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"--fit {item}: the {which} bound {text!r} is not a finite number.")
    return value


def parse_fit(item: str, cfg: ScenarioConfig, index: int = 0) -> FitKey:
    """One ``--fit KEY=LO:HI[:log]``, checked against the scenario ``cfg``.

    Raises
    ------
    InputError
        For a malformed item, a key that is not a numeric scenario key (or one
        that cannot be fitted), bounds that are not numbers, not increasing or
        outside the key's allowed range, and ``log`` with a bound at or below 0.
    """
    from ..config import SECTIONS, with_overrides

    key, sep, spec = item.partition("=")
    key = key.strip()
    parts = [p.strip() for p in spec.split(":")]
    if not sep or not key or len(parts) not in (2, 3):
        raise InputError(
            f"--fit {item!r} is not of the form KEY=LO:HI or KEY=LO:HI:log (for example "
            f"--fit joining.rate=0.01:0.2:log)."
        )
    check_key(key, SECTIONS, "--fit")
    section, _, name = key.partition(".")
    if section in NOT_FITTED:
        raise InputError(f"--fit {key}: the run's keys are not fitted (run.steps must cover the "
                         f"observed weeks; the calibration's --seed sets the seeds).")
    model = SECTIONS[section]
    if name in model.deprecated:
        raise InputError(f"--fit {key}: this key no longer acts ({model.deprecated[name]}).")
    annotation = model.model_fields[name].annotation
    if name == "seed":
        raise InputError(f"--fit {key}: a seed is not fitted; it picks one organisation, and "
                         f"calibration shares one organisation across every run.")
    if annotation not in (int, float):
        kind = "a switch (true or false)" if annotation is bool else "text"
        raise InputError(f"--fit {key}: only keys that are numbers can be fitted; this one is "
                         f"{kind} (set it in the scenario instead).")
    if section == "organisation" and cfg.organisation.generator == "edgelist":
        raise InputError(f"--fit {key}: the organisation is read from an edge list, where this "
                         f"key has no effect.")
    low = _number(parts[0], item, "lower")
    high = _number(parts[1], item, "upper")
    log = len(parts) == 3
    if log and parts[2].lower() != "log":
        raise InputError(f"--fit {item}: the third part {parts[2]!r} is not 'log'; write "
                         f"KEY=LO:HI for a uniform prior or KEY=LO:HI:log for a log-uniform one.")
    if not low < high:
        raise InputError(f"--fit {item}: the lower bound {_num(low)} is not below the upper "
                         f"bound {_num(high)}.")
    integer = annotation is int
    if integer and (low != int(low) or high != int(high)):
        raise InputError(f"--fit {item}: {key} is a whole number; give whole-number bounds.")
    if log and low <= 0:
        raise InputError(f"--fit {item}: a log-uniform prior needs bounds above 0 (the lower "
                         f"bound is {_num(low)}); use a uniform prior (KEY=LO:HI) instead.")
    for bound in (low, high):
        try:
            with_overrides(cfg, {key: int(bound) if integer else bound})
        except InputError as exc:
            problem = str(exc).removeprefix("overrides: ")
            raise InputError(f"--fit {item}: the bound {problem}") from None
    return FitKey(key, low, high, log, integer, f"p{index}")


def parse_fits(items: list[str] | None, cfg: ScenarioConfig) -> list[FitKey]:
    """Every ``--fit`` item, in order; at least one, each key once."""
    if not items:
        raise InputError("Give at least one --fit KEY=LO:HI[:log], e.g. --fit "
                         "joining.rate=0.01:0.2:log, for the scenario keys to fit.")
    fits = [parse_fit(item, cfg, i) for i, item in enumerate(items)]
    keys = [f.key for f in fits]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise InputError(f"--fit {', '.join(repeated)} is given more than once; fit each key "
                         f"once.")
    return fits
