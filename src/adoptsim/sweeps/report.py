"""``adoptsim report``: a self-contained HTML page and PNGs for any sweep.

The page shows outcome time series per design point with 95% bands, a table
of final outcomes with confidence intervals, paired differences against the
reference point (design point 0), Sobol' indices where the design has them,
an ablation's attribution (which mechanisms carry the contrast's effect), a
Morris screening, and the sweep's provenance. Images are embedded, so the
page opens offline. Shares are shown in % (differences in percentage
points), as in the table ``adoptsim sweep`` prints; the CSV files keep the
store's 0-1 values. Labels and units come from the metric table
(:mod:`adoptsim.model.metrics`).

Examples
--------
>>> heading("final_member"), heading("final_trust"), heading("total_posts_c")
('members (adoption) (%)', 'mean trust in comms (0-1)', 'posts on C (whole run)')
"""

from __future__ import annotations

import base64
import html
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from ..atomic import DiskFullError, atomic_write, writable_file, writable_folder
from ..errors import InputError
from ..model.metrics import metric
from .analysis import ABLATION_OUTCOMES, mean_ci, morris_table, point_table
from .design import ALL_ON
from .results import CorruptRunWarning, load_results

#: Summary outcomes reported (shares shown in %).
OUTCOMES = (
    "final_member", "final_active", "final_underground", "final_trust", "final_fear",
    "final_cm_follower_share", "final_cm_reach", "tenure26_follower_share", "tenure26_reach",
    "final_buzz_coverage", "total_posts_c", "final_benefit_cum",
)

#: Time-series metrics plotted.
SERIES = ("member", "active", "underground", "trust", "cm_follower_share", "benefit_cum")


def heading(name: str) -> str:
    """A metric's label with its scale: ``(%)`` for shares, ``(0-1)`` for scores."""
    m = metric(name)
    return m.label + {"share": " (%)", "score": " (0-1)"}.get(m.unit, "")


#: Outcomes whose Sobol' indices are computed.
SOBOL_OUTCOMES = ["final_member", "final_trust", "final_benefit_cum"]

#: Outcomes of a Morris screening: Sobol's first, then the other headline outcomes.
MORRIS_OUTCOMES = (*SOBOL_OUTCOMES, *(o for o in ABLATION_OUTCOMES if o not in SOBOL_OUTCOMES))

#: More lines than this in one panel, or panels in one figure, are unreadable.
MAX_LINES = 12
MAX_PANELS = 4


@dataclass
class Report:
    """The computed content of a report (tables and PNG images)."""

    title: str
    params: list[str]
    provenance: dict[str, str]
    finals: pd.DataFrame
    differences: pd.DataFrame | None
    sobol: pd.DataFrame | None
    images: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Problems with the store, e.g. run files left out because they cannot be read.
    warnings: list[str] = field(default_factory=list)
    #: An ablation's attribution table and its contrast (key, reference, alternative).
    ablation: pd.DataFrame | None = None
    contrast: tuple[str, Any, Any] | None = None
    #: A Morris design's screening measures (:func:`.analysis.morris_table`).
    morris: pd.DataFrame | None = None


def _label(row: pd.Series, params: list[str]) -> str:
    return ", ".join(f"{p.split('.')[-1]}={row[p]}" for p in params) or "baseline"


def series_bands(ts: pd.DataFrame, design: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean and 95% t-interval of ``metric`` per design point and step."""
    merged = ts[["run_id", "step", metric]].merge(design[["run_id", "point"]], on="run_id")
    g = merged.groupby(["point", "step"])[metric].agg(["mean", "std", "count"]).reset_index()
    tcrit = stdtrit(np.maximum(g["count"] - 1, 1), 0.975)
    half = np.where(g["count"] > 1, tcrit * g["std"] / np.sqrt(g["count"]), 0.0)
    g["lo"], g["hi"] = g["mean"] - half, g["mean"] + half
    return g


def paired_differences(
    summary: pd.DataFrame, params: list[str], outcomes: list[str], reference: int = 0
) -> pd.DataFrame:
    """Each point minus the reference point, paired by replication.

    Replication r has the same seed at every point (common random numbers),
    so the paired differences have far less noise than unpaired ones.
    """
    rows = []
    ref = summary[summary["point"] == reference].set_index("replication")
    for point, group in summary[summary["point"] != reference].groupby("point"):
        g = group.set_index("replication")
        common = g.index.intersection(ref.index)
        row = {"point": point, **{p: group[p].iloc[0] for p in params}}
        for col in outcomes:
            diff = (g.loc[common, col] - ref.loc[common, col]).astype(float)
            ci = mean_ci(diff.dropna())
            row.update({f"{col}_mean": ci.mean, f"{col}_low": ci.low, f"{col}_high": ci.high})
        rows.append(row)
    return pd.DataFrame(rows)


def sobol_indices(summary: pd.DataFrame, problem: dict, outcomes: list[str]) -> pd.DataFrame:
    """First- and total-order Sobol' indices (SALib) of each outcome.

    A design point's outcome is the mean over its replications: SALib reads
    one value per Saltelli sample, in design order, and replications of the
    model's own randomness would otherwise count as variation the parameters
    explain (only in their interactions, inflating the total indices).
    """
    from SALib.analyze import sobol

    points = summary.groupby("point")
    rows = []
    for col in outcomes:
        y = points[col].mean().sort_index().to_numpy(float)
        if np.isnan(y).any() or len(y) % (problem["num_vars"] + 2):
            continue
        res = sobol.analyze(problem, y, calc_second_order=False, seed=0)
        for name, s1, s1c, st, stc in zip(problem["names"], res["S1"], res["S1_conf"],
                                          res["ST"], res["ST_conf"], strict=True):
            rows.append({"outcome": col, "parameter": name, "S1": s1, "S1_conf": s1c,
                         "ST": st, "ST_conf": stc})
    return pd.DataFrame(rows)


def _pyplot():
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _panels(design: pd.DataFrame, params: list[str]) -> list[tuple[str, list[int]]]:
    """Design points grouped into panels of at most MAX_LINES lines (or none)."""
    points = design.drop_duplicates("point").sort_values("point")
    if len(points) <= MAX_LINES:
        return [("", points["point"].tolist())]
    if len(params) >= 2:
        last = params[-1]
        panels = [(f"{last.split('.')[-1]} = {v}", g["point"].tolist())
                  for v, g in points.groupby(last, sort=False)]
        if len(panels) <= MAX_PANELS and all(len(p) <= MAX_LINES for _, p in panels):
            return panels
    return []


def plot_series(ts: pd.DataFrame, design: pd.DataFrame, params: list[str], column: str) -> bytes:
    """One metric over time: a line and 95% band per design point."""
    plt = _pyplot()
    panels = _panels(design, params)
    bands = series_bands(ts, design, column)
    labels = design.drop_duplicates("point").set_index("point")
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 2, 4), squeeze=False,
                             sharey=True)
    # tab10 repeats after ten lines; tab20 keeps up to twenty apart.
    cmap = plt.get_cmap("tab10" if max(len(p) for _, p in panels) <= 10 else "tab20")
    for ax, (panel_title, points) in zip(axes[0], panels, strict=True):
        for k, point in enumerate(points):
            b = bands[bands["point"] == point]
            label = _label(labels.loc[point], [p for p in params if p not in panel_title])
            color = cmap(k % cmap.N)
            ax.plot(b["step"], b["mean"], linewidth=1.8, label=label, color=color)
            ax.fill_between(b["step"], b["lo"], b["hi"], color=color, alpha=0.2)
        ax.set_title(panel_title, fontsize=10)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    m = metric(column)
    label = m.label
    axes[0][0].set_ylabel(label + {"share": " (share, 0-1)", "score": " (0-1)"}.get(m.unit, ""))
    axes[0][-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle(f"{label}: mean and 95% band over replications", fontsize=11)
    return _png(fig)


def _bars(labels: list[str], mean: np.ndarray, low: np.ndarray, high: np.ndarray,
          xlabel: str, title: str, colors: list[str] | str = "#4c78a8"):
    """Horizontal bars with interval whiskers, the first label on top; returns (fig, ax)."""
    plt = _pyplot()
    err = np.vstack([mean - low, high - mean])
    err = np.where(np.isnan(err), 0.0, err)
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(mean) + 1.4))
    y = np.arange(len(mean))
    ax.barh(y, mean, xerr=err, color=colors, ecolor="black", capsize=3)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig, ax


def plot_finals(finals: pd.DataFrame, labels: list[str], outcome: str) -> bytes:
    """Final outcome per design point with 95% intervals (horizontal bars)."""
    scale = 100.0 if metric(outcome).percent else 1.0
    mean, low, high = (scale * finals[f"{outcome}_{s}"].to_numpy(float)
                       for s in ("mean", "low", "high"))
    fig, _ = _bars(labels, mean, low, high, heading(outcome),
                   f"Final {heading(outcome)} by design point (95% CI)")
    return _png(fig)


def _effect_unit(outcome: str) -> str:
    """The unit of a difference in ``outcome``: percentage points for shares."""
    m = metric(outcome)
    return m.label + (" (percentage points)" if m.percent else "")


def _share_text(share: float) -> str:
    """An attribution share in %, or a dash when there is no effect to attribute."""
    return "–" if math.isnan(share) else f"{round(100 * share)}%"


def plot_ablation(table: pd.DataFrame, outcome: str, contrast: tuple[str, Any, Any]) -> bytes:
    """The contrast's effect on ``outcome`` with all mechanisms on and each one off.

    Bars: the effect with its 95% interval, the all-on bar on top (grey) and
    its value as a dashed line; each mechanism's share is in its label.
    """
    rows = table[table["outcome"] == outcome]
    scale = 100.0 if metric(outcome).percent else 1.0
    mean, low, high = (scale * rows[c].to_numpy(float) for c in ("effect", "ci_low", "ci_high"))
    labels = ["all mechanisms on" if m == ALL_ON else
              f"{m} off" + ("" if math.isnan(s) else f" (share {_share_text(s)})")
              for m, s in zip(rows["mechanism"], rows["share"], strict=True)]
    colors = ["#9e9e9e" if m == ALL_ON else "#4c78a8" for m in rows["mechanism"]]
    key, ref, alt = contrast
    title = f"{metric(outcome).label}: {key} = {alt} minus {ref} (95% CI)"
    if rows["share"].isna().all():
        title += "\nno share: the all-on interval includes 0"
    fig, ax = _bars(labels, mean, low, high, f"effect on {_effect_unit(outcome)}", title, colors)
    on = rows["mechanism"].to_numpy() == ALL_ON
    if on.any():
        ax.axvline(mean[on][0], color="#555555", linestyle="--", linewidth=1)
    ax.axvline(0.0, color="black", linewidth=0.8)
    return _png(fig)


def plot_morris(table: pd.DataFrame, outcome: str) -> bytes:
    """Morris μ* per parameter (largest on top) with its 95% interval; σ as diamonds."""
    rows = table[table["outcome"] == outcome]
    scale = 100.0 if metric(outcome).percent else 1.0
    mu, conf = scale * rows["mu_star"].to_numpy(float), scale * rows["mu_star_conf"].to_numpy(float)
    fig, ax = _bars(list(rows["parameter"]), mu, mu - conf, mu + conf,
                    f"μ*: change in {_effect_unit(outcome)} across a parameter's range",
                    f"{metric(outcome).label}: Morris screening (95% CI)")
    ax.plot(scale * rows["sigma"].to_numpy(float), np.arange(len(rows)), "D", color="#e45756",
            label="σ (interactions, non-linearity)")
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def plot_sobol(sob: pd.DataFrame) -> bytes:
    """First- and total-order indices per parameter, one panel per outcome."""
    plt = _pyplot()
    outcomes = sob["outcome"].unique()
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.5 * len(outcomes), 3.8),
                             squeeze=False, sharey=True)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        d = sob[sob["outcome"] == outcome]
        x = np.arange(len(d))
        ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], label="first order S1", capsize=2)
        ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], label="total order ST", capsize=2)
        ax.set_xticks(x, [p.split(".")[-1] for p in d["parameter"]], rotation=40, ha="right",
                      fontsize=8)
        ax.set_title(heading(outcome), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("Sobol' index (share of variance)")
    axes[0][-1].legend(fontsize=8)
    return _png(fig)


def _provenance(manifest: dict, runs_finished: int, out: str | Path) -> dict[str, str]:
    design = manifest["design"]
    return {
        "experiment": str(manifest.get("experiment_file", "")),
        "description": manifest.get("description", ""),
        "design": f"{design['kind']}, {design['points']} points x "
                  f"{design['replications']} replications",
        "finished runs": f"{runs_finished} of {design['runs']}",
        "master seed": str(manifest.get("seed")),
        "seeding": manifest.get("seeding", ""),
        "scenario hash": manifest.get("base_scenario_hash", ""),
        "versions": ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items()),
        "created": manifest.get("created", ""),
    }


def build_report(out: str | Path) -> Report:
    """Compute every table and figure of a sweep's report.

    Run files that cannot be read are left out (see
    :func:`adoptsim.load_results`); the report's notes name them.
    """
    results = load_results(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorruptRunWarning)
        report = _build(results, out)
    for warning in caught:
        if issubclass(warning.category, CorruptRunWarning):
            report.warnings.append(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return report


def _build(results, out: str | Path) -> Report:
    manifest = results.manifest
    summary = results.summary
    if summary.empty:
        raise InputError(f"{out}: no finished runs yet; run the sweep first (adoptsim sweep).")
    params = list(manifest["design"]["parameters"])
    kind = manifest["design"]["kind"]
    outcomes = [c for c in OUTCOMES if c in summary and summary[c].notna().any()]
    finals = point_table(summary, ["point", *params], outcomes)
    report = Report(
        title=manifest.get("name") or Path(out).name,
        params=params,
        provenance=_provenance(manifest, len(summary), out),
        finals=finals,
        differences=None,
        sobol=None,
    )
    if kind == "grid" and manifest["design"]["points"] > 1:
        report.differences = paired_differences(summary, params, outcomes)
    if kind == "sobol" and manifest["design"].get("salib_problem"):
        sob = sobol_indices(summary, manifest["design"]["salib_problem"],
                            [c for c in SOBOL_OUTCOMES if c in summary])
        if not sob.empty:
            report.sobol = sob
            report.images["sobol.png"] = plot_sobol(sob)
    if kind == "ablation":
        _add_ablation(report, results)
    if kind == "morris" and manifest["design"].get("salib_problem"):
        _add_morris(report, summary, manifest["design"]["salib_problem"])
    _add_figures(report, results)
    return report


def _add_ablation(report: Report, results) -> None:
    """An ablation's attribution table and one chart per outcome."""
    report.contrast = results.contrast
    report.ablation = results.ablation
    for outcome in report.ablation["outcome"].unique():
        report.images[f"ablation_{outcome.removeprefix('final_')}.png"] = plot_ablation(
            report.ablation, outcome, report.contrast)


def _add_morris(report: Report, summary: pd.DataFrame, problem: dict) -> None:
    """A Morris design's screening measures and one chart per outcome."""
    table = morris_table(summary, problem, MORRIS_OUTCOMES)
    if table.empty:
        report.notes.append("Too few complete Morris trajectories (every point finished) to "
                            "screen the parameters; run the sweep to the end.")
        return
    report.morris = table
    for outcome in table["outcome"].unique():
        report.images[f"morris_{outcome.removeprefix('final_')}.png"] = plot_morris(table,
                                                                                   outcome)


def _add_figures(report: Report, results) -> None:
    """Time series per point (when they can be told apart) and final-value bars."""
    design, params, finals = results.design, report.params, report.finals
    if _panels(design, params):
        ts = results.timeseries
        for column in SERIES:
            report.images[f"series_{column}.png"] = plot_series(ts, design, params, column)
    else:
        report.notes.append(
            f"{results.manifest['design']['points']} design points are too many to draw as "
            f"separate curves; the time series are in the store (adoptsim.load_results)."
        )
    if len(finals) <= 40:
        labels = [_label(row, params) for _, row in finals.iterrows()]
        for outcome in ("final_member", "final_trust", "final_cm_follower_share",
                        "final_underground", "final_benefit_cum"):
            if f"{outcome}_mean" in finals:
                report.images[f"final_{outcome.removeprefix('final_')}.png"] = plot_finals(
                    finals, labels, outcome)


def _fmt(x: object, share: bool = False) -> str:
    """A table cell: shares in % with one decimal (as in the terminal), else 4 digits."""
    if isinstance(x, float):
        if math.isnan(x):
            return "–"
        return f"{100 * x:.1f}" if share else f"{x:.4g}"
    return html.escape(str(x))


def _ci_table(df: pd.DataFrame, key_cols: list[str], outcomes: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in key_cols)
    head += "".join(f"<th>{html.escape(heading(c))}</th>" for c in outcomes)
    body = []
    for _, row in df.iterrows():
        cells = "".join(f"<td>{_fmt(row[c])}</td>" for c in key_cols)
        for c in outcomes:
            pct = metric(c).percent
            # An ablation's attribution share, when there is an effect to attribute.
            share = row.get(f"{c}_share", math.nan)
            extra = "" if math.isnan(share) else f"<br><small>share {_share_text(share)}</small>"
            cells += (f"<td>{_fmt(row[f'{c}_mean'], pct)}<br><small>[{_fmt(row[f'{c}_low'], pct)}"
                      f", {_fmt(row[f'{c}_high'], pct)}]</small>{extra}</td>")
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1200px;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right;vertical-align:top}
th{background:#f3f3f3} td small{color:#666} img{max-width:100%;margin:.5rem 0}
dt{font-weight:600} dd{margin:0 0 .4rem 1rem;color:#444}
"""


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (images inline)."""
    params = report.params
    outcomes = [c for c in OUTCOMES if f"{c}_mean" in report.finals]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>adoptsim report: "
             f"{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>adoptsim report: {html.escape(report.title)}</h1>"]
    parts.append("<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>"
                                  for k, v in report.provenance.items() if v) + "</dl>")
    for warning in report.warnings:
        parts.append(f"<p><strong>Warning:</strong> {html.escape(warning)}</p>")
    for note in report.notes:
        parts.append(f"<p><em>{html.escape(note)}</em></p>")
    series = [k for k in report.images if k.startswith("series_")]
    if series:
        parts.append("<h2>Outcomes over time</h2><p>Mean over replications with the 95% "
                     "t-interval of the mean as a band.</p>")
        parts += [_img(report.images[k], k) for k in series]
    parts.append("<h2>Final outcomes</h2><p>Mean over replications, with the 95% t-interval "
                 "in brackets. Shares are in % (of employees; follower share: of members); "
                 "final_outcomes.csv keeps them as fractions between 0 and 1.</p>")
    parts.append(_ci_table(report.finals, ["point", *params, "n"], outcomes))
    parts += [_img(v, k) for k, v in report.images.items() if k.startswith("final_")]
    if report.differences is not None and not report.differences.empty:
        ref = ", ".join(f"{p} = {report.finals.iloc[0][p]}" for p in params)
        parts.append(f"<h2>Differences from the reference point</h2><p>Each point minus point 0 "
                     f"({html.escape(ref)}), paired by replication (the same seeds at every "
                     f"point), with 95% intervals; shares in percentage points. An interval "
                     f"that excludes 0 is an effect told apart from noise.</p>")
        parts.append(_ci_table(report.differences, ["point", *params], outcomes))
    if report.sobol is not None:
        parts.append("<h2>Sensitivity (Sobol' indices)</h2><p>S1: share of the outcome's "
                     "variance due to the parameter alone; ST: including its interactions. "
                     "Brackets: 95% bootstrap half-widths.</p>")
        parts.append(_img(report.images["sobol.png"], "sobol"))
        parts.append(report.sobol.to_html(index=False, float_format=lambda x: f"{x:.3f}"))
    if report.ablation is not None and report.contrast is not None:
        parts += _ablation_html(report.ablation, report.contrast, report.images)
    if report.morris is not None:
        parts += _morris_html(report.morris, report.images)
    parts.append("<p><small>Made by adoptsim report.</small></p></body></html>")
    return "\n".join(parts)


def _ablation_html(table: pd.DataFrame, contrast: tuple[str, Any, Any],
                   images: dict[str, bytes]) -> list[str]:
    """The Attribution section: how to read it, a chart per outcome, the table."""
    key, ref, alt = contrast
    text = (
        f"The effect of {key} = {alt} instead of {ref} (alternative minus reference, paired by "
        f"replication: the same seeds), with its 95% interval, with every mechanism on (the "
        f"grey bar and the dashed line) and with one mechanism off at a time (docs/odd.md, "
        f"section 8.14). share = 1 − effect with the mechanism off / effect with all on: 100% "
        f"when the effect vanishes without the mechanism, 0% when it is unchanged, above 100% "
        f"when it reverses, below 0% when the mechanism held it back. An effect that survives "
        f"every single mechanism off is emergent from several mechanisms (or carried by more "
        f"than one); one that vanishes with one mechanism off is carried by that mechanism. "
        f"No share is given for an outcome whose all-on interval includes 0: there is no "
        f"effect to attribute. Effects on shares are in percentage points; ablation.csv keeps "
        f"fractions."
    )
    parts = ["<h2>Attribution</h2>", f"<p>{html.escape(text)}</p>"]
    parts += [_img(v, k) for k, v in images.items() if k.startswith("ablation_")]
    rows = []
    for label, group in table.groupby("mechanism", sort=False):
        row: dict[str, Any] = {"mechanism off": label}
        for r in group.itertuples():
            row.update({f"{r.outcome}_mean": r.effect, f"{r.outcome}_low": r.ci_low,
                        f"{r.outcome}_high": r.ci_high, f"{r.outcome}_share": r.share})
        rows.append(row)
    outcomes = list(table["outcome"].unique())
    parts.append(_ci_table(pd.DataFrame(rows), ["mechanism off"], outcomes))
    return parts


def _morris_html(table: pd.DataFrame, images: dict[str, bytes]) -> list[str]:
    """The Screening (Morris) section: how to read it, a chart per outcome, the table."""
    text = (
        "Morris elementary effects (SALib): each trajectory moves one parameter at a time by "
        "one step of the grid of levels. μ* is the mean absolute change in the outcome over "
        "a step, scaled up to the parameter's whole range (shares in percentage points), with "
        "the half-width of its 95% bootstrap interval; σ is the spread of the effects: a σ "
        "as large as μ* means the parameter acts through interactions or non-linearly. "
        "Parameters with μ* near 0 can be fixed in later, costlier designs (e.g. Sobol'). "
        "With several replications a point's outcome is its mean over them. morris.csv has "
        "μ (the signed mean) too."
    )
    parts = ["<h2>Screening (Morris)</h2>", f"<p>{html.escape(text)}</p>"]
    parts += [_img(v, k) for k, v in images.items() if k.startswith("morris_")]
    outcomes = list(table["outcome"].unique())
    cells = table.set_index(["outcome", "parameter"])
    head = "<th>parameter</th>" + "".join(
        f"<th>{html.escape(heading(o))}<br><small>μ* ± conf; σ</small></th>" for o in outcomes)
    body = []
    for name in table[table["outcome"] == outcomes[0]]["parameter"]:
        row = f"<td>{html.escape(name)}</td>"
        for o in outcomes:
            r, pct = cells.loc[(o, name)], metric(o).percent
            row += (f"<td>{_fmt(r['mu_star'], pct)} <small>±{_fmt(r['mu_star_conf'], pct)}"
                    f"</small><br><small>σ {_fmt(r['sigma'], pct)}</small></td>")
        body.append(f"<tr>{row}</tr>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    return parts


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode()
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{encoded}'>"


def write_report(out: str | Path, html_path: str | Path | None = None) -> tuple[Path, list[Path]]:
    """Write ``report.html`` and the PNGs (into ``OUT/report/``); return their paths.

    Warnings (run files left out because they cannot be read) are printed
    on stderr as well as shown on the page.

    Raises
    ------
    InputError
        If ``out`` is no readable sweep, an output path cannot be written,
        or the disk fills up.
    """
    from rich.console import Console

    report = build_report(out)
    target = writable_file(Path(html_path) if html_path else Path(out) / "report.html", "--html")
    folder = writable_folder(Path(out) / "report", "the report folder")
    tables = {"final_outcomes.csv": report.finals, "differences.csv": report.differences,
              "sobol.csv": report.sobol, "ablation.csv": report.ablation,
              "morris.csv": report.morris}
    try:
        pngs = []
        for name, data in report.images.items():
            atomic_write(folder / name, lambda p, data=data: p.write_bytes(data))
            pngs.append(folder / name)
        for name, frame in tables.items():
            if frame is not None:
                atomic_write(folder / name, lambda p, f=frame: f.to_csv(p, index=False))
        page = render_html(report)
        atomic_write(target, lambda p: p.write_text(page, encoding="utf-8"))
    except DiskFullError as exc:
        raise InputError(f"the disk is full ({exc.reason}) while writing {exc.path}. Free some "
                         f"space and run adoptsim report again.") from None
    stderr = Console(stderr=True)
    for warning in report.warnings:
        stderr.print(f"warning: {warning}", highlight=False, markup=False, soft_wrap=True)
    return target, pngs
