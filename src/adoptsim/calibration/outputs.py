"""The calibration's files: posterior, summary, posterior predictive check, calibrated scenario.

``posterior.csv``
    One row per particle of the last generation: one column per fitted
    key (in the key's own units) and ``weight`` (summing to 1).
``summary.json``
    Per key: prior, mean, median, 5% and 95% quantiles (weighted). The run:
    generations, ε and acceptance rate per generation, final ε, effective
    sample size, runs simulated, seconds, sampler, seed; the predictive
    check's coverage; the resolved scenario (read back by ``forecast``).
``predictive.csv``
    The posterior predictive check: ``series, week, observed, q05, q50,
    q95`` for every observed point, from :data:`PREDICTIVE_DRAWS` runs at
    parameters drawn from the posterior (``week`` is empty for the
    exposure at adoption, which has none).
``calibrated.toml``
    The whole scenario, every key, with the fitted keys at their posterior
    medians: ``adoptsim run`` takes it as it is.

Examples
--------
>>> import numpy as np
>>> round(weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.6, 0.2]), 0.5), 6)
2.0
>>> print(toml_text({"description": "x", "run": {"steps": 3, "seed": 1}}), end="")
description = "x"
<BLANKLINE>
[run]
steps = 3
seed = 1
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..atomic import atomic_write
from .priors import FitKey
from .simulate import PREDICTIVE, Simulator, draw_seeds
from .statistics import Curves, Point

if TYPE_CHECKING:
    from .smc import AbcResult

__all__ = [
    "PREDICTIVE_DRAWS",
    "Predictive",
    "key_summary",
    "posterior_values",
    "predictive_check",
    "toml_text",
    "weighted_quantile",
    "write_outputs",
]

#: Posterior draws of the predictive check.
PREDICTIVE_DRAWS = 200
#: The credible interval reported: 5% to 95%.
LOW, HIGH = 0.05, 0.95


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of values ``x`` with weights ``w`` (pyabc's interpolation)."""
    from pyabc.weighted_statistics import weighted_quantile as pyabc_quantile

    return float(pyabc_quantile(np.asarray(x, np.float64), np.asarray(w, np.float64), alpha=q))


def posterior_values(particles: pd.DataFrame, fits: list[FitKey]) -> pd.DataFrame:
    """The particles in the keys' own units: one column per key, and ``weight``."""
    out = pd.DataFrame({f.key: [f.value(x) for x in particles[f.name]] for f in fits})
    out["weight"] = particles["weight"].to_numpy()
    return out


def key_summary(values: pd.Series, w: np.ndarray, fit: FitKey) -> dict[str, Any]:
    """Prior, mean, median and the 90% credible interval of one key."""
    x = values.to_numpy(np.float64)
    return {
        "prior": "log-uniform" if fit.log else "uniform",
        "low": fit.low,
        "high": fit.high,
        "integer": fit.integer,
        "mean": float(np.average(x, weights=w)),
        "median": weighted_quantile(x, w, 0.5),
        "q05": weighted_quantile(x, w, LOW),
        "q95": weighted_quantile(x, w, HIGH),
    }


def medians(posterior: pd.DataFrame, fits: list[FitKey]) -> dict[str, float | int]:
    """Each key's posterior median, a whole number for an integer key."""
    w = posterior["weight"].to_numpy()
    out: dict[str, float | int] = {}
    for f in fits:
        m = weighted_quantile(posterior[f.key].to_numpy(np.float64), w, 0.5)
        out[f.key] = round(m) if f.integer else float(f"{m:.6g}")
    return out


@dataclass
class Predictive:
    """Runs at parameters drawn from the posterior.

    Attributes
    ----------
    curves : dict of str to numpy.ndarray
        Per series: one row per draw, one column per week (exposure: one column).
    table : pandas.DataFrame
        ``series, week, observed, q05, q50, q95`` per observed point.
    coverage : float
        Share of the observed points inside their 90% band.
    """

    curves: dict[str, np.ndarray]
    table: pd.DataFrame
    coverage: float


def predictive_check(simulator: Simulator, posterior: pd.DataFrame, points: list[Point],
                     seed: int, draws: int = PREDICTIVE_DRAWS) -> Predictive:
    """Run ``draws`` posterior draws and compare them with the observed ``points``."""
    rng = np.random.default_rng([seed, PREDICTIVE])
    w = posterior["weight"].to_numpy()
    rows = rng.choice(len(posterior), size=draws, p=w / w.sum())
    keys = [f.key for f in simulator.fits]
    values = [{k: posterior[k].iloc[i].item() for k in keys} for i in rows]
    runs: list[Curves] = simulator.draws(values, draw_seeds(seed, PREDICTIVE, draws))
    curves = {s: np.vstack([r[s] for r in runs]) for s in runs[0]}
    table = []
    for p in points:
        column = curves[p.series][:, 0 if p.week is None else p.week]
        q05, q50, q95 = np.quantile(column, [LOW, 0.5, HIGH])
        table.append({"series": p.series, "week": p.week, "observed": p.observed,
                      "q05": q05, "q50": q50, "q95": q95})
    frame = pd.DataFrame(table)
    frame["week"] = frame["week"].astype("Int64")
    inside = (frame["observed"] >= frame["q05"]) & (frame["observed"] <= frame["q95"])
    return Predictive(curves, frame, float(inside.mean()))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def toml_text(data: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """A scenario (top-level scalars, then sections of scalars) as TOML.

    ``comments`` maps dotted keys to a comment written after the value.
    """
    comments = comments or {}
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for section, table in data.items():
        if not isinstance(table, dict):
            continue
        lines += ["", f"[{section}]"]
        for key, value in table.items():
            note = comments.get(f"{section}.{key}")
            lines.append(f"{key} = {_toml_value(value)}" + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"


def calibrated_toml(scenario: dict[str, Any], posterior: pd.DataFrame, fits: list[FitKey],
                    header: list[str]) -> str:
    """The resolved scenario with the fitted keys at their posterior medians, as TOML."""
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in scenario.items()}
    notes = {}
    w = posterior["weight"].to_numpy()
    for key, value in medians(posterior, fits).items():
        section, _, name = key.partition(".")
        data[section][name] = value
        x = posterior[key].to_numpy(np.float64)
        notes[key] = (f"fitted: posterior median; 90% interval "
                      f"{weighted_quantile(x, w, LOW):.4g} to {weighted_quantile(x, w, HIGH):.4g}")
    return "".join(f"# {line}\n" for line in header) + toml_text(data, notes)


def summary_data(result: AbcResult, posterior: pd.DataFrame, fits: list[FitKey],
                 predictive: Predictive, info: dict[str, Any]) -> dict[str, Any]:
    """The content of ``summary.json``."""
    import pyabc

    w = posterior["weight"].to_numpy()
    gens = result.generations
    return {
        **info,
        "fitted": {f.key: key_summary(posterior[f.key], w, f) for f in fits},
        "generations": len(gens),
        "final_epsilon": gens[-1].epsilon,
        "epsilon": [g.epsilon for g in gens],
        "acceptance_rate": [g.acceptance for g in gens],
        "effective_sample_size": gens[-1].ess,
        "effective_sample_size_per_generation": [g.ess for g in gens],
        "runs_simulated": result.runs,
        "seconds": round(result.seconds, 3),
        "sampler": result.sampler,
        "reproducible": result.reproducible,
        "predictive": {"draws": len(next(iter(predictive.curves.values()))),
                       "points": len(predictive.table),
                       "coverage_90": predictive.coverage},
        "database": {"file": "abc.db", "history_id": result.history_id},
        "fits": [f.to_dict() for f in fits],
        "versions": {"adoptsim": __version__, "pyabc": pyabc.__version__},
    }


def _json_safe(value: Any) -> Any:
    """NaN and infinity as null (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def write_outputs(out: Path, posterior: pd.DataFrame, summary: dict[str, Any],
                  predictive: Predictive, calibrated: str) -> list[Path]:
    """Write ``posterior.csv``, ``summary.json``, ``predictive.csv`` and ``calibrated.toml``."""
    files = {
        "posterior.csv": lambda p: posterior.to_csv(p, index=False, float_format="%.8g"),
        "summary.json": lambda p: p.write_text(
            json.dumps(_json_safe(summary), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8"),
        "predictive.csv": lambda p: predictive.table.to_csv(p, index=False, float_format="%.6g"),
        "calibrated.toml": lambda p: p.write_text(calibrated, encoding="utf-8"),
    }
    written = []
    for name, write in files.items():
        atomic_write(out / name, write)
        written.append(out / name)
    return written
