"""Writing one run's results: time series, managers, summary and the adoption plot.

Examples
--------
>>> import tempfile, pathlib
>>> from adoptsim import AdoptionModel
>>> model = AdoptionModel(employees=100, steps=3, rng=0)
>>> _ = model.run()
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [f.name for f in write_run(model.engine, model.summary(), out, "demo")]
['timeseries.parquet', 'timeseries.csv', 'managers.csv', 'summary.json', 'adoption.png']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..atomic import atomic_write
from .metrics import SERIES

if TYPE_CHECKING:
    from .engine import Engine

#: Columns drawn in adoption.png (shares of employees, and trust on the same 0-1 axis).
PLOTTED = ("member", "active", "lurker", "underground", "trust")


def plot_adoption(ts: pd.DataFrame, path: Path, title: str) -> None:
    """Shares of employees over time, plus mean trust (all on a 0-1 axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for col in PLOTTED:
        style = "-" if SERIES[col].percent else "--"
        ax.plot(ts["step"], ts[col], style, label=SERIES[col].label, linewidth=2)
    ax.set_xlabel("week")
    ax.set_ylabel("share of employees (trust: 0-1 scale)")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, ts["step"].iloc[-1])
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png"))
    plt.close(fig)


def write_run(engine: Engine, summary: dict[str, Any], out: Path, title: str) -> list[Path]:
    """Write time series (Parquet, CSV), managers.csv, summary.json and adoption.png."""
    out.mkdir(parents=True, exist_ok=True)
    ts = engine.timeseries()
    files = [out / "timeseries.parquet", out / "timeseries.csv", out / "managers.csv",
             out / "summary.json", out / "adoption.png"]
    atomic_write(files[0], lambda p: ts.to_parquet(p, index=False))
    atomic_write(files[1], lambda p: ts.to_csv(p, index=False))
    atomic_write(files[2], lambda p: engine.manager_table().to_csv(p, index=False))
    atomic_write(files[3], lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"))
    seed = summary["seed"]
    plot_adoption(ts, files[4], f"{title}: {engine.network.n:,} employees, seed {seed}")
    return files
