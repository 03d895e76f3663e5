"""Writing one run's results: time series, summary and the adoption plot."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import InputError, reject_nul

if TYPE_CHECKING:
    from .model import AdoptionModel

#: Share columns drawn in adoption.png, with their labels.
PLOTTED = {
    "member": "members (adoption)",
    "active": "active posters",
    "lurker": "lurkers",
    "underground": "underground members",
    "trust": "mean trust in comms",
}


def check_output_folder(path: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check, before any work, that results can be written to the folder ``path``.

    Nothing is created: the folder may be missing as long as it can be made
    in its nearest existing parent. Call this before a long run, so a bad
    folder is reported at once instead of after the results are computed.

    Parameters
    ----------
    path
        The output folder as given.
    option
        The option or key that gave it, named in the message.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.

    Raises
    ------
    InputError
        If the path holds a NUL byte, is an existing file, lies under a file,
        or the folder (or its nearest existing parent) is not writable.
    """
    folder = Path(reject_nul(path, option))
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            where = "is a file" if existing == folder else f"lies under the file {existing}"
            raise InputError(f"{option} {folder} {where}; give a folder (created if missing).")
        # os.access is no proof (root passes it on read-only mounts): make and remove a folder.
        os.rmdir(tempfile.mkdtemp(prefix=".adoptsim-check-", dir=existing))
    except OSError as exc:
        problem = "is not writable" if existing == folder else f"cannot be created in {existing}"
        raise InputError(
            f"{option} {folder} {problem}: {exc.strerror}. Choose another folder."
        ) from None
    return folder


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    write(tmp)
    os.replace(tmp, path)


def plot_adoption(ts: pd.DataFrame, path: Path, title: str) -> None:
    """Shares of employees over time, plus mean trust (all on a 0-1 axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for col, label in PLOTTED.items():
        style = "--" if col == "trust" else "-"
        ax.plot(ts["step"], ts[col], style, label=label, linewidth=2)
    ax.set_xlabel("week")
    ax.set_ylabel("share of employees (trust: 0-1 scale)")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, ts["step"].iloc[-1])
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    _atomic_write(path, lambda p: fig.savefig(p, format="png"))
    plt.close(fig)


def write_run(
    model: AdoptionModel, summary: dict[str, Any], out: Path, title: str
) -> list[Path]:
    """Write time series (Parquet, CSV), managers.csv, summary.json and adoption.png."""
    out.mkdir(parents=True, exist_ok=True)
    ts = model.timeseries()
    files = [out / "timeseries.parquet", out / "timeseries.csv", out / "managers.csv",
             out / "summary.json", out / "adoption.png"]
    _atomic_write(files[0], lambda p: ts.to_parquet(p, index=False))
    _atomic_write(files[1], lambda p: ts.to_csv(p, index=False))
    _atomic_write(files[2], lambda p: model.manager_table().to_csv(p, index=False))
    _atomic_write(files[3], lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"))
    seed = summary["seed"]
    plot_adoption(ts, files[4], f"{title}: {model.state.n:,} employees, seed {seed}")
    return files
