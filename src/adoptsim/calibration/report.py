"""The calibration's figures and its self-contained page, ``calibration.html``.

Figures (PNG, written next to the page and embedded in it, so the page
opens offline): ``predictive.png`` (the posterior predictive 90% band and
median over the observed points), ``marginals.png`` (each key's posterior
within its prior's bounds), ``pairs.png`` (the particles for each pair of
keys, with two keys or more) and ``generations.png`` (ε and acceptance
rate per generation).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..atomic import atomic_write
from .observed import AGGREGATE_SERIES
from .outputs import HIGH, LOW, Predictive
from .priors import FitKey
from .statistics import Point

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figures", "write_report"]

#: Labels of the individual form's series.
INDIVIDUAL_LABELS = {
    "adopted": "adopted by then (share)",
    "exposure": "exposure at adoption (mean share of neighbours already joined)",
}
BAND = "#9ecae1"
LINE = "#08519c"
OBSERVED = "#d62728"


def series_label(series: str) -> str:
    """How a figure names an observed series."""
    if series in INDIVIDUAL_LABELS:
        return INDIVIDUAL_LABELS[series]
    from ..model.metrics import SERIES

    m = SERIES[AGGREGATE_SERIES[series]]
    return m.label + (" (share)" if m.unit == "share" else "")


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (the figure is closed)."""
    plt = pyplot()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def plot_predictive(predictive: Predictive, points: list[Point], title: str,
                    week_label: str = "week") -> bytes:
    """One panel per observed series: the 90% band and median of the draws, and the data."""
    plt = pyplot()
    series = list(dict.fromkeys(p.series for p in points))
    fig, axes = plt.subplots(1, len(series), figsize=(5.2 * len(series), 3.8), squeeze=False)
    for ax, s in zip(axes[0], series, strict=True):
        runs = predictive.curves[s]
        mine = [p for p in points if p.series == s]
        if s == "exposure":
            ax.hist(runs[:, 0], bins=30, color=BAND, edgecolor=LINE)
            ax.axvline(mine[0].observed, color=OBSERVED, lw=2, label="observed")
            ax.set_xlabel(INDIVIDUAL_LABELS[s])
            ax.set_ylabel("posterior draws")
        else:
            weeks = np.arange(runs.shape[1])
            lo, mid, hi = np.quantile(runs, [LOW, 0.5, HIGH], axis=0)
            ax.fill_between(weeks, lo, hi, color=BAND, label="90% of posterior draws")
            ax.plot(weeks, mid, color=LINE, label="median")
            ax.plot([p.week for p in mine], [p.observed for p in mine], "o", color=OBSERVED,
                    ms=4, label="observed")
            ax.set_xlabel(week_label)
            ax.set_ylabel(series_label(s))
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    return png(fig)


def plot_marginals(posterior: pd.DataFrame, fits: list[FitKey]) -> bytes:
    """Each key's weighted posterior histogram over its prior's bounds, median and 90% interval."""
    from .outputs import weighted_quantile

    plt = pyplot()
    fig, axes = plt.subplots(1, len(fits), figsize=(4.2 * len(fits), 3.4), squeeze=False)
    w = posterior["weight"].to_numpy()
    for ax, f in zip(axes[0], fits, strict=True):
        x = posterior[f.key].to_numpy(np.float64)
        top = f.high + 1 if f.integer else f.high
        bins = (np.geomspace(f.low, top, 31) if f.log else np.linspace(f.low, top, 31))
        ax.hist(x, bins=bins, weights=w, density=True, color=BAND, edgecolor=LINE)
        lo, mid, hi = (weighted_quantile(x, w, q) for q in (LOW, 0.5, HIGH))
        ax.axvspan(lo, hi, color=LINE, alpha=0.12, label="90% interval")
        ax.axvline(mid, color=LINE, lw=2, label=f"median {mid:.3g}")
        if f.log:
            ax.set_xscale("log")
        ax.set_xlim(f.low, top)
        ax.set_xlabel(f.key)
        ax.set_yticks([])
        ax.legend(fontsize=8)
    fig.suptitle("Posterior of each fitted key (x axis: the prior's bounds)", fontsize=10)
    return png(fig)


def plot_pairs(posterior: pd.DataFrame, fits: list[FitKey]) -> bytes:
    """The last generation's particles for each pair of keys (larger: heavier)."""
    plt = pyplot()
    k = len(fits)
    fig, axes = plt.subplots(k - 1, k - 1, figsize=(3.4 * (k - 1), 3.2 * (k - 1)),
                             squeeze=False)
    w = posterior["weight"].to_numpy()
    size = 4 + 60 * w / w.max()
    for i in range(1, k):
        for j in range(k - 1):
            ax = axes[i - 1][j]
            if j >= i:
                ax.axis("off")
                continue
            fx, fy = fits[j], fits[i]
            ax.scatter(posterior[fx.key], posterior[fy.key], s=size, color=LINE, alpha=0.35,
                       linewidths=0)
            for f, set_scale, set_lim in ((fx, ax.set_xscale, ax.set_xlim),
                                          (fy, ax.set_yscale, ax.set_ylim)):
                if f.log:
                    set_scale("log")
                set_lim(f.low, f.high + 1 if f.integer else f.high)
            ax.set_xlabel(fx.key, fontsize=8)
            ax.set_ylabel(fy.key, fontsize=8)
    fig.suptitle("Particles of the last generation, by pair of keys", fontsize=10)
    return png(fig)


def plot_generations(summary: dict[str, Any]) -> bytes:
    """ε and the acceptance rate per generation."""
    plt = pyplot()
    gens = np.arange(1, summary["generations"] + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.2))
    eps = np.asarray(summary["epsilon"], float)
    a.plot(gens, eps, "o-", color=LINE)
    if (eps > 0).all() and np.isfinite(eps).all():
        a.set_yscale("log")
    a.set_xlabel("generation")
    a.set_ylabel("ε (acceptance threshold)")
    b.plot(gens, 100 * np.asarray(summary["acceptance_rate"], float), "o-", color=LINE)
    b.set_xlabel("generation")
    b.set_ylabel("acceptance rate (%)")
    for ax in (a, b):
        ax.set_xticks(gens)
    return png(fig)


def figures(posterior: pd.DataFrame, fits: list[FitKey], predictive: Predictive,
            points: list[Point], summary: dict[str, Any], week_label: str = "week"
            ) -> dict[str, bytes]:
    """Every figure of the report, by file name."""
    coverage = summary["predictive"]["coverage_90"]
    title = (f"Posterior predictive check: {summary['predictive']['draws']} runs at posterior "
             f"draws; {100 * coverage:.0f}% of the observed points lie in the 90% band")
    out = {
        "predictive.png": plot_predictive(predictive, points, title, week_label),
        "marginals.png": plot_marginals(posterior, fits),
        "generations.png": plot_generations(summary),
    }
    if len(fits) >= 2:
        out["pairs.png"] = plot_pairs(posterior, fits)
    return out


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1200px;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
th{background:#f3f3f3} img{max-width:100%;margin:.5rem 0}
dt{font-weight:600} dd{margin:0 0 .4rem 1rem;color:#444}
"""


def _img(data: bytes, alt: str) -> str:
    return (f"<img alt='{html.escape(alt)}' "
            f"src='data:image/png;base64,{base64.b64encode(data).decode()}'>")


def render_html(summary: dict[str, Any], images: dict[str, bytes],
                predictive: pd.DataFrame) -> str:
    """The report page, images inline."""
    e = html.escape
    fitted = summary["fitted"]
    rows = "".join(
        f"<tr><td style='text-align:left'>{e(k)}</td><td>{e(v['prior'])} "
        f"[{v['low']:g}, {v['high']:g}]</td><td>{v['mean']:.4g}</td><td>{v['median']:.4g}</td>"
        f"<td>{v['q05']:.4g}</td><td>{v['q95']:.4g}</td></tr>" for k, v in fitted.items())
    about = {
        "scenario": summary["scenario_file"],
        "observed data": f"{summary['observed_file']} ({summary['observed']})",
        "particles per generation": f"{summary['particles']:,}",
        "generations": summary["generations"],
        "final ε": f"{summary['final_epsilon']:.4g}",
        "effective sample size": f"{summary['effective_sample_size']:.0f}",
        "runs simulated": f"{summary['runs_simulated']:,}",
        "seconds": f"{summary['seconds']:.1f}",
        "sampler": summary["sampler"],
        "seed": summary["seed"],
        "reproducible": ("yes: the same seed gives the same posterior" if summary["reproducible"]
                         else "no: parallel samplers give a statistically equivalent posterior"),
    }
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>adoptsim calibration</title>"
        f"<style>{CSS}</style></head><body><h1>adoptsim calibration</h1>",
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in about.items())
        + "</dl>",
        "<h2>Posterior</h2><p>Weighted particles of the last generation (posterior.csv); "
        "calibrated.toml holds the scenario at the medians.</p>"
        "<table><tr><th>key</th><th>prior</th><th>mean</th><th>median</th><th>5%</th>"
        f"<th>95%</th></tr>{rows}</table>",
        _img(images["marginals.png"], "marginals"),
    ]
    if "pairs.png" in images:
        parts.append(_img(images["pairs.png"], "pairs"))
    coverage = summary["predictive"]["coverage_90"]
    parts += [
        "<h2>Posterior predictive check</h2>"
        f"<p>{summary['predictive']['draws']} runs at parameters drawn from the posterior; "
        f"{100 * coverage:.0f}% of the {len(predictive)} observed points lie in their 90% "
        "band (predictive.csv). Points outside it show what the model does not reproduce.</p>",
        _img(images["predictive.png"], "predictive"),
        "<h2>Generations</h2><p>ε is the acceptance threshold of each generation. The "
        "distance is rescaled every generation, so ε of two generations are not on one "
        "scale; a falling acceptance rate shows the posterior narrowing.</p>",
        _img(images["generations.png"], "generations"),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(out: Path, images: dict[str, bytes], summary: dict[str, Any],
                 predictive: pd.DataFrame) -> list[Path]:
    """Write the figures and ``calibration.html`` into ``out``."""
    written = []
    for name, data in images.items():
        atomic_write(out / name, lambda p, data=data: p.write_bytes(data))
        written.append(out / name)
    page = render_html(summary, images, predictive)
    atomic_write(out / "calibration.html", lambda p: p.write_text(page, encoding="utf-8"))
    return [*written, out / "calibration.html"]
