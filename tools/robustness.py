"""Do the findings hold on other networks and at other sizes?

Each headline contrast of docs/findings.md (one key, a reference and an
alternative value) is swept, 30 paired replications, on five organisations:
the ``org`` generator at 500, 2,000 and 10,000 employees, a heavy-tailed
Barabási-Albert network of 2,000, and the real contact network of the
Brazilian farmers (data/brfarmers, 692 people). Writes
``results/robustness/robustness.csv`` (contrast, network, outcome, effect and
its 95% interval) and ``docs/images/findings/robustness.png``, and prints
the table in Markdown.

Usage: ``.venv/bin/python tools/robustness.py [--workers N] [--replications R]``
(``make findings`` runs it after the experiments).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd

from adoptsim.sweeps.analysis import mean_ci
from adoptsim.sweeps.executors import open_executor
from adoptsim.sweeps.experiment import load_experiment
from adoptsim.sweeps.results import load_results
from adoptsim.sweeps.run import run_sweep
from adoptsim.sweeps.store import Store

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "robustness"
FIGURE = ROOT / "docs" / "images" / "findings" / "robustness.png"

#: Question -> (key, reference, alternative): the headline contrasts.
CONTRASTS = {
    "join late (week 52 vs 0)": ("comms.join_step", 0, 52),
    "degree vs random targeting": ("comms.strategy", "random", "degree"),
    "fixed random set vs random": ("comms.strategy", "random", "random_fixed"),
    "authority 0.5 vs 0": ("comms.authority", 0.0, 0.5),
    "effort 20 vs 0": ("comms.effort", 0, 20),
    "visible watching (0.9 vs 0.1)": ("comms.visibility", 0.1, 0.9),
    "tone learning vs fixed": ("comms.learn_tone", False, True),
    "moderate at week 52": ("channel.policy", "open", "moderated"),
    "restrict at week 52": ("channel.policy", "open", "restricted"),
    "shut down at week 52": ("channel.policy", "open", "shutdown"),
    "follow 30 vs 3 on joining": ("comms.follows", 3, 30),
    "fearful culture (fear_a 6 vs 2)": ("population.fear_a", 2.0, 6.0),
}

FARMERS = ROOT / "data" / "brfarmers"
#: Network -> overrides of the baseline scenario.
NETWORKS = {
    "org 2,000": {},
    "org 500": {"organisation.employees": 500},
    "org 10,000": {"organisation.employees": 10_000},
    "Barabási-Albert 2,000": {"organisation.generator": "barabasi_albert"},
    "farmers 692": {"organisation.generator": "edgelist",
                    "organisation.edges": str(FARMERS / "edges.csv"),
                    "organisation.nodes": str(FARMERS / "people.csv")},
}

OUTCOMES = {
    "final_member": "adoption",
    "final_active": "active",
    "final_cm_follower_share": "follower share",
    "final_trust": "trust",
    "final_underground": "underground",
    "final_benefit_cum": "benefit",
    "final_benefit_comms_cum": "benefit of comms posts",
}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def experiment_file(folder: Path, key: str, values: tuple, overrides: dict,
                    replications: int) -> Path:
    """Write the contrast's two-point experiment (paired replications) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'scenario = "{ROOT / "scenarios" / "baseline.toml"}"', f'name = "{folder.name}"',
             f"replications = {replications}", "seed = 23", "[parameters]",
             f'"{key}" = [{", ".join(_toml(v) for v in values)}]']
    if overrides:
        lines.append("[overrides]")
        lines += [f'"{k}" = {_toml(v)}' for k, v in overrides.items()]
    path = folder / "experiment.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def effects(summary: pd.DataFrame, key: str, reference: object,
            alternative: object) -> list[dict]:
    """Alternative minus reference, paired by replication, for every outcome."""
    ref = summary[summary[key] == reference].set_index("replication")
    alt = summary[summary[key] == alternative].set_index("replication")
    rows = []
    for outcome, label in OUTCOMES.items():
        diff = (alt[outcome] - ref[outcome]).dropna()
        ci = mean_ci(diff)
        rows.append({"outcome": label, "reference": ref[outcome].mean(), "effect": ci.mean,
                     "ci_low": ci.low, "ci_high": ci.high, "n": ci.n})
    return rows


def sweep(path: Path, out: Path, workers: int) -> pd.DataFrame:
    exp = load_experiment(path)
    store = Store(out)
    store.initialise(exp)
    with open_executor(workers=workers) as (executor, in_flight, _):
        report = run_sweep(exp, store, executor, in_flight)
    if report.failed or report.interrupted:
        raise SystemExit(f"{path}: {len(report.failed)} runs failed; see {out}/failed/")
    return load_results(out).summary


def plot(table: pd.DataFrame, path: Path) -> None:
    """One panel per outcome: each contrast's effect and interval on every network."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = ["adoption", "follower share", "trust", "benefit"]
    contrasts = list(CONTRASTS)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(16, 0.45 * len(contrasts) + 1.5),
                             sharey=True)
    offsets = {name: (i - (len(NETWORKS) - 1) / 2) * 0.15 for i, name in enumerate(NETWORKS)}
    for ax, outcome in zip(axes, outcomes, strict=True):
        part = table[table["outcome"] == outcome]
        for network, offset in offsets.items():
            rows = part[part["network"] == network].set_index("contrast").reindex(contrasts)
            y = [i + offset for i in range(len(contrasts))]
            ax.errorbar(rows["effect"], y, xerr=[rows["effect"] - rows["ci_low"],
                                                 rows["ci_high"] - rows["effect"]],
                        fmt="o", ms=3, capsize=2, label=network)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(outcome)
        ax.grid(alpha=0.3, axis="x")
    axes[0].set_yticks(range(len(contrasts)), contrasts)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(NETWORKS), fontsize=9)
    fig.suptitle("Effect of each contrast (alternative - reference, 95% interval) on five "
                 "networks")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    """Sweep every contrast on every network (resuming finished ones); write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--replications", type=int, default=30)
    args = parser.parse_args()
    rows = []
    for c, (question, (key, reference, alternative)) in enumerate(CONTRASTS.items()):
        for n, (network, overrides) in enumerate(NETWORKS.items()):
            folder = OUT / f"c{c:02d}_n{n}"
            print(f"{question} | {network}", flush=True)
            path = experiment_file(folder, key, (reference, alternative), overrides,
                                   args.replications)
            summary = sweep(path, folder / "out", args.workers)
            for row in effects(summary, key, reference, alternative):
                rows.append({"contrast": question, "network": network, **row})
    table = pd.DataFrame(rows)
    table.to_csv(OUT / "robustness.csv", index=False)
    plot(table, FIGURE)
    shown = table.pivot_table(index=["contrast", "outcome"], columns="network",
                              values="effect", sort=False)
    print(shown.round(3).to_string())


if __name__ == "__main__":
    main()
