"""``adoptsim forecast``: the calibrated status quo against alternatives, on common random numbers.

Each of ``draws`` posterior draws (parameters resampled by weight from
``posterior.csv``) is run once under the calibrated status quo and once
under each alternative, with the same seed: the runs share every random
number that the alternative does not change (the model's random numbers are
keyed by seed, week, stream and employee, docs/odd.md, section 8), so the
paired difference shows the alternative's effect, not noise. An alternative
equal to the status quo gives a difference of exactly 0.

``forecast.csv`` has one row per alternative and headline outcome (the
value at the last week): ``alternative, outcome, status_quo,
alternative_value, difference, lo, hi``: the medians over draws of the
status quo, of the alternative and of the paired difference, and the
difference's 90% credible interval (5% to 95%). ``forecast.png`` shows the
differences with their intervals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..atomic import atomic_write, check_output_folder
from ..errors import InputError, reject_nul
from .priors import FitKey
from .simulate import FORECAST, draw_seeds, with_values

if TYPE_CHECKING:
    from ..config import ScenarioConfig

__all__ = ["OUTCOMES", "Alternative", "forecast", "load_calibration", "parse_compare"]

#: Headline outcomes: name in forecast.csv -> the time-series column whose last value it is.
OUTCOMES = {
    "adoption": "member",
    "active": "active",
    "underground": "underground",
    "trust": "trust",
    "benefit": "benefit_cum",
}
#: The credible interval of the differences: 5% to 95%.
LOW, HIGH = 0.05, 0.95
#: Most posterior draws of one forecast.
MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Alternative:
    """One ``--compare``: its label (as given) and the keys it sets."""

    label: str
    overrides: dict[str, Any]


@dataclass
class Calibrated:
    """A calibration folder, read back."""

    folder: Path
    config: ScenarioConfig
    fits: list[FitKey]
    posterior: pd.DataFrame
    summary: dict[str, Any]


def load_calibration(folder: str | Path) -> Calibrated:
    """Read ``summary.json`` and ``posterior.csv`` of a calibration folder, checked.

    Raises
    ------
    InputError
        If the folder, or either file, is missing or damaged.
    """
    from ..config import validate

    folder = Path(reject_nul(folder, "The calibration folder"))
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give the --out folder of an adoptsim "
                         f"calibrate run.")
    hint = "run adoptsim calibrate ... --out FOLDER first, then forecast FOLDER"
    path = folder / "summary.json"
    if not path.is_file():
        raise InputError(f"{folder} holds no calibration (no summary.json); {hint}.")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        fits = [FitKey.from_dict(d) for d in summary["fits"]]
        scenario = summary["scenario"]
        seed = int(summary["seed"])
        int(summary["network_seed"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is damaged ({type(exc).__name__}: {exc}); {hint}.") from None
    if seed < 0 or not fits or not isinstance(scenario, dict):
        raise InputError(f"{path} is damaged (no fitted keys, scenario or seed); {hint}.")
    config = validate(scenario, str(path))
    posterior_path = folder / "posterior.csv"
    try:
        posterior = pd.read_csv(posterior_path)
    except FileNotFoundError:
        raise InputError(f"{folder} has summary.json but no posterior.csv; {hint}.") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{posterior_path} is damaged ({exc}); {hint}.") from None
    expected = [f.key for f in fits] + ["weight"]
    if list(posterior.columns) != expected or posterior.empty:
        raise InputError(f"{posterior_path} does not hold the posterior of the fitted keys "
                         f"(expected the columns {', '.join(expected)} and one row per "
                         f"particle); {hint}.")
    values = posterior.to_numpy(np.float64, na_value=np.nan)
    w = posterior["weight"].to_numpy(np.float64)
    if not np.isfinite(values).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(f"{posterior_path} has empty, non-numeric or negative values; {hint}.")
    for f in fits:
        x = posterior[f.key].to_numpy(np.float64)
        if (x < f.low).any() or (x > f.high).any():
            raise InputError(f"{posterior_path}: {f.key} has values outside its prior's bounds "
                             f"[{f.low:g}, {f.high:g}]; {hint}.")
        if f.integer:
            posterior[f.key] = posterior[f.key].round().astype(np.int64)
    return Calibrated(folder, config, fits, posterior, summary)


def parse_compare(items: list[str] | None, config: ScenarioConfig) -> list[Alternative]:
    """Each ``--compare "KEY=V[,KEY=V...]"``, checked against the calibrated scenario."""
    from ..config import with_overrides
    from ..toml import parse_value

    if not items:
        raise InputError('Give at least one --compare "KEY=V[,KEY=V...]", e.g. --compare '
                         '"channel.policy=restricted,channel.policy_start=30".')
    out: list[Alternative] = []
    for item in items:
        overrides: dict[str, Any] = {}
        for part in (p.strip() for p in item.split(",") if p.strip()):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise InputError(f"--compare {item!r}: {part!r} is not of the form KEY=V (for "
                                 f"example channel.policy=restricted).")
            overrides[key.strip()] = parse_value(value.strip())
        if not overrides:
            raise InputError(f"--compare {item!r} sets no key; write KEY=V[,KEY=V...].")
        run_keys = [k for k in overrides if k.startswith("run.")]
        if run_keys:
            raise InputError(f"--compare {item!r}: {', '.join(run_keys)} cannot differ between "
                             f"the status quo and an alternative; use --steps for the horizon "
                             f"(the seeds are paired by draw).")
        try:
            with_overrides(config, overrides)
        except InputError as exc:
            raise InputError(f"--compare {item!r}: {str(exc).removeprefix('overrides: ')}"
                             ) from None
        label = ",".join(f"{k}={v}" for k, v in overrides.items())
        if any(a.label == label for a in out):
            raise InputError(f"--compare {item!r} is given twice.")
        out.append(Alternative(label, overrides))
    return out


def _final(engine_series: dict[str, np.ndarray]) -> np.ndarray:
    return np.array([engine_series[col][-1] for col in OUTCOMES.values()])


def _network_for(cal: Calibrated, overrides: dict[str, Any]) -> Any:
    """The calibration's shared organisation, unless the alternative or a fit changes it."""
    from ..network import build_network

    touches = [k for k in [*overrides, *(f.key for f in cal.fits)]
               if k.startswith("organisation.")]
    if touches:
        return None
    return build_network(cal.config.organisation,
                         np.random.default_rng(int(cal.summary["network_seed"])),
                         cal.config.resolve_path)


def forecast(folder: str | Path, compare: list[str] | None, draws: int = 200,
             seed: int | None = None, steps: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, list[Path]]:
    """Run posterior draws under the status quo and each alternative; write the forecast.

    Parameters
    ----------
    folder
        A calibration's ``--out`` folder; ``forecast.csv`` and ``forecast.png``
        are written into it.
    compare
        ``KEY=V[,KEY=V...]`` per alternative.
    draws
        Posterior draws (each is run once per scenario).
    seed
        Seeds the draws and their runs (default: the calibration's seed).
    steps
        Weeks to simulate (default: the calibrated scenario's ``run.steps``).
    progress
        Called with (draws done, draws) after each draw.

    Returns
    -------
    table : pandas.DataFrame
        The rows of ``forecast.csv``.
    files : list of Path
        The files written.
    """
    import numba

    from ..model.engine import Engine
    from ..model.state import require_run_memory

    if not 1 <= draws <= MAX_DRAWS:
        raise InputError(f"--draws {draws} is not allowed; give 1 to {MAX_DRAWS:,} (200 or more "
                         f"for stable 90% intervals).")
    if seed is not None and seed < 0:
        raise InputError(f"--seed {seed} is not allowed; give a whole number >= 0.")
    cal = load_calibration(folder)
    check_output_folder(cal.folder, "The calibration folder")
    base = cal.config
    if steps is not None:
        from ..config import with_overrides

        try:
            base = with_overrides(base, {"run.steps": steps})
        except InputError as exc:
            raise InputError(f"--steps {steps}: {str(exc).removeprefix('overrides: ')}") from None
    alternatives = parse_compare(compare, base)
    seed = int(cal.summary["seed"]) if seed is None else seed
    rng = np.random.default_rng([seed, FORECAST])
    w = cal.posterior["weight"].to_numpy(np.float64)
    rows = rng.choice(len(cal.posterior), size=draws, p=w / w.sum())
    seeds = draw_seeds(seed, FORECAST, draws)
    scenarios = [Alternative("status quo", {}), *alternatives]
    networks = [_network_for(cal, a.overrides) for a in scenarios]
    for net in networks:
        require_run_memory(base, net)
    finals = np.empty((len(scenarios), draws, len(OUTCOMES)))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # many small runs: one thread each is fastest
    try:
        for d, (row, run_seed) in enumerate(zip(rows, seeds, strict=True)):
            values = {f.key: cal.posterior[f.key].iloc[row].item() for f in cal.fits}
            for s, (alt, net) in enumerate(zip(scenarios, networks, strict=True)):
                cfg = with_values(base, {**values, **alt.overrides})
                engine = Engine(cfg, run_seed, network=net)
                engine.advance()
                finals[s, d] = _final(engine.series)
            if progress is not None:
                progress(d + 1, draws)
    finally:
        numba.set_num_threads(threads)
    table = _table(finals, alternatives)
    info = {"draws": draws, "seed": seed, "weeks": base.run.steps}
    files = _write(cal.folder, table, info)
    return table, files


def _table(finals: np.ndarray, alternatives: list[Alternative]) -> pd.DataFrame:
    """Medians and the paired difference's 90% interval, per alternative and outcome."""
    out = []
    for a, alt in enumerate(alternatives, start=1):
        for o, outcome in enumerate(OUTCOMES):
            sq, alt_values = finals[0, :, o], finals[a, :, o]
            diff = alt_values - sq
            lo, mid, hi = np.quantile(diff, [LOW, 0.5, HIGH])
            out.append({"alternative": alt.label, "outcome": outcome,
                        "status_quo": float(np.median(sq)),
                        "alternative_value": float(np.median(alt_values)),
                        "difference": float(mid), "lo": float(lo), "hi": float(hi)})
    return pd.DataFrame(out)


def plot_forecast(table: pd.DataFrame, info: dict[str, Any]) -> bytes:
    """One panel per outcome: each alternative's paired difference and its 90% interval."""
    from ..model.metrics import SERIES
    from .report import LINE, png, pyplot

    plt = pyplot()
    labels = list(dict.fromkeys(table["alternative"]))
    columns = 3
    rows_n = -(-len(OUTCOMES) // columns)
    fig, axes = plt.subplots(rows_n, columns, figsize=(13, rows_n * (0.5 * len(labels) + 1.6)),
                             squeeze=False, sharey=True)
    for ax in axes.flat[len(OUTCOMES):]:
        ax.axis("off")
    for ax, (outcome, column) in zip(axes.flat, OUTCOMES.items(), strict=False):
        rows = table[table["outcome"] == outcome].set_index("alternative").loc[labels]
        scale = 100.0 if SERIES[column].unit == "share" else 1.0
        y = np.arange(len(labels))
        mid = rows["difference"].to_numpy() * scale
        err = np.vstack([mid - rows["lo"].to_numpy() * scale, rows["hi"].to_numpy() * scale - mid])
        ax.errorbar(mid, y, xerr=err, fmt="o", color=LINE, capsize=3)
        ax.axvline(0, color="#888", lw=1)
        ax.set_title(outcome + (" (percentage points)" if scale == 100 else ""), fontsize=9)
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_ylim(len(labels) - 0.5, -0.5)
    fig.suptitle(f"Difference from the calibrated status quo at week {info['weeks']}: median and "
                 f"90% interval over {info['draws']} posterior draws", fontsize=10)
    return png(fig)


def _write(folder: Path, table: pd.DataFrame, info: dict[str, Any]) -> list[Path]:
    image = plot_forecast(table, info)
    atomic_write(folder / "forecast.csv",
                 lambda p: table.to_csv(p, index=False, float_format="%.6g"))
    atomic_write(folder / "forecast.png", lambda p: p.write_bytes(image))
    return [folder / "forecast.csv", folder / "forecast.png"]

