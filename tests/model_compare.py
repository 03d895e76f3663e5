"""Week-by-week comparison of the compiled engine with the plain-Python reference.

Each week, :func:`run_compare` copies the engine's arrays, runs
``reference.reference_step`` on the copy, advances the engine one week and
lists every difference: state, follow table, follower counts, managers,
channel, the scratch results docs/odd.md defines, and the output rows.
Run it by hand on one case: ``python tests/model_compare.py "{'scenario': 'shutdown'}"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import reference as R
from adoptsim.config import load_config
from adoptsim.model.engine import Engine
from adoptsim.model.metrics import COLUMNS, MANAGER_COLUMNS

ROOT = Path(__file__).resolve().parents[1]

#: Scratch arrays the specification defines (``table``, ``eligible``, ``others``
#: are the kernels' own buffers).
SCRATCH = ("n_member", "n_active", "n_under", "n_sanct", "trust_sum", "reads", "unfollowed",
           "candidate", "mention", "rep_sum", "rep_n", "post_start", "has_posts")


def copy_tuple(x):
    return type(x)(*[a.copy() if isinstance(a, np.ndarray) else a for a in x])


def snapshot(engine):
    """Copies of the engine's arrays, as ``reference_step`` takes them."""
    parts = (engine.net, engine.people, engine.state, engine.follow, engine.scratch,
             engine.managers, engine.channel)
    return (*(copy_tuple(x) for x in parts), engine.static_score.copy())


def diff_arrays(name, a, b, tol=1e-12):
    """A description of how two arrays differ, or None."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return f"{name}: shape {a.shape} vs {b.shape}"
    if a.dtype.kind == "f":
        both_nan = np.isnan(a) & np.isnan(b)
        bad = ~both_nan & ~(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b)))
    else:
        bad = a != b
    if not bad.any():
        return None
    idx = np.argwhere(bad)
    first = tuple(int(x) for x in idx[0])
    return (f"{name}: {int(bad.sum())} differ, first at {first}: "
            f"reference {a[first]!r} engine {b[first]!r}")


def compare_week(engine, ref_arrays, ref_row, ref_mgr, t, scratch=SCRATCH):
    """Differences (list of strings) between the engine after week t and the reference."""
    out = []
    names = ("net", "people", "state", "follow", "scratch", "managers", "channel")
    theirs_all = (engine.net, engine.people, engine.state, engine.follow, engine.scratch,
                  engine.managers, engine.channel)
    for label, mine, theirs in zip(names, ref_arrays[:7], theirs_all, strict=True):
        for fname in mine._fields:
            if label == "scratch" and fname not in scratch:
                continue
            a, b = getattr(mine, fname), getattr(theirs, fname)
            if not isinstance(a, np.ndarray):
                if a != b:
                    out.append(f"{label}.{fname}: {a!r} vs {b!r}")
                continue
            if label == "follow" and fname == "table":
                # only the first count[i] entries of a row are followees
                keep = np.arange(a.shape[1])[None, :] < np.asarray(mine.count)[:, None]
                a, b = np.where(keep, a, -1), np.where(keep, b, -1)
            d = diff_arrays(f"{label}.{fname}", a, b)
            if d:
                out.append(d)
    row = np.asarray(ref_row)
    erow = engine.out[t + 1]
    for c, name in enumerate(COLUMNS):
        d = diff_arrays(f"row.{name}", row[c:c + 1], erow[c:c + 1])
        if d:
            out.append(d)
    if len(ref_mgr):
        mrow = np.asarray(ref_mgr)
        emrow = engine.out_managers[t + 1]
        for c, name in enumerate(MANAGER_COLUMNS):
            d = diff_arrays(f"managers_row.{name}", mrow[:, c], emrow[:, c])
            if d:
                out.append(d)
    return out


def make_engine(overrides=None, scenario="baseline", seed=1, mechanisms=None):
    """An engine of a shipped scenario with dotted overrides and mechanisms switched off."""
    overrides = dict(overrides or {})
    overrides.update({f"mechanisms.{k}": bool(v) for k, v in (mechanisms or {}).items()})
    cfg = load_config(ROOT / "scenarios" / f"{scenario}.toml", overrides=overrides)
    return Engine(cfg, seed)


def run_compare(engine, weeks, stop_at_first=True, verbose=False):
    """Advance week by week; return {week: [differences]}."""
    failures = {}
    for t in range(engine.weeks, engine.weeks + weeks):
        ref = snapshot(engine)
        row, mgr = R.reference_step(ref, engine.params, t)
        engine.advance(1)
        d = compare_week(engine, ref, row, mgr, t)
        if d:
            failures[t] = d
            if verbose:
                print(f"week {t}:", *d, sep="\n  ")
            if stop_at_first:
                break
    return failures


if __name__ == "__main__":
    import ast

    kw = ast.literal_eval(sys.argv[1]) if len(sys.argv) > 1 else {}
    weeks = kw.pop("weeks", 30)
    eng = make_engine(**kw)
    f = run_compare(eng, weeks, stop_at_first=kw.get("stop", True), verbose=True)
    print("OK" if not f else f"{len(f)} failing weeks")


# ----------------------------------------------------------------- the configurations tested
#: A small, busy organisation: most rules fire within a few weeks (policy at 12, managers at 3).
LIVELY = {"organisation.employees": 200, "run.steps": 40, "awareness.p_external": 0.05,
          "joining.rate": 0.3, "posting.intercept": -2.0, "underground.rate": 0.5,
          "population.champion_share": 0.05, "channel.policy_start": 12, "comms.join_step": 3,
          "fear.sanction_rate": 0.3}
#: Harm, churn and the underground raised so that they happen often.
HOT = {"posting.harmful": 0.2, "joining.leave_rate": 0.5, "underground.found": 0.3,
       "underground.frustration": 1.0}
#: The shipped scenarios, shortened (policy in week 12, managers in week 3).
SHORT = {"organisation.employees": 150, "run.steps": 40, "channel.policy_start": 12,
         "comms.join_step": 3}
COMPLETE = {"organisation.generator": "complete", "organisation.employees": 80}
EDGES = {"organisation.generator": "edgelist",
         "organisation.edges": str(ROOT / "tests" / "data" / "small_edges.csv")}
SCENARIOS = ("baseline", "shutdown", "restricted", "moderated", "fearful_culture", "join_late",
             "target_hubs", "target_champions", "no_comms")

#: name -> (scenario, overrides on top of LIVELY and HOT)
CASES = {
    **{f"lively-{s}": (s, {}) for s in SCENARIOS},
    "lively-join_late-20": ("join_late", {"comms.join_step": 20}),
    "count2": ("baseline", {"comms.count": 2}),
    "count3-followers-late": ("join_late", {"comms.count": 3, "comms.join_step": 8,
                                            "comms.strategy": "followers"}),
    "threshold": ("baseline", {"posting.mode": "threshold", "posting.threshold": 0.05,
                               "posting.initial_active": 5, "posting.fear_shift": 0.1,
                               "posting.enthusiasm_shift": 0.1, "posting.trust_shift": 0.1}),
    "threshold-default": ("baseline", {"posting.mode": "threshold"}),
    "instant": ("baseline", {"joining.instant": True}),
    "erdos_renyi-restricted": ("restricted", {"organisation.generator": "erdos_renyi"}),
    "barabasi_albert-shutdown": ("shutdown", {"organisation.generator": "barabasi_albert"}),
    "watts_strogatz-restricted": ("restricted", {"organisation.generator": "watts_strogatz"}),
    "complete-restricted": ("restricted", COMPLETE),
    "complete-shutdown": ("shutdown", COMPLETE),
    "complete-threshold": ("restricted", {**COMPLETE, "posting.mode": "threshold",
                                          "posting.threshold": 0.02,
                                          "posting.initial_active": 2}),
    "edgelist-restricted": ("restricted", EDGES),
    "edgelist-baseline": ("baseline", EDGES),
    "strategy-followers": ("baseline", {"comms.strategy": "followers"}),
    "strategy-bridging": ("baseline", {"comms.strategy": "bridging"}),
    "strategy-random": ("baseline", {"comms.strategy": "random"}),
    "strategy-none": ("baseline", {"comms.strategy": "none"}),
    "strategy-greedy": ("baseline", {"comms.strategy": "greedy"}),
    "tone-upper-bound": ("baseline", {"comms.tone": 0.95, "comms.review_every": 2}),
    "tone-lower-bound": ("baseline", {"comms.tone": 0.05, "comms.review_every": 3,
                                      "trust.best_tone": 0.0}),
    "shutdown-before-join": ("shutdown", {"channel.policy_start": 5, "comms.join_step": 10}),
    "promote-step-tone-shift": ("moderated", {"comms.promote_step": 10,
                                              "trust.best_tone_shift": 0.2}),
    "no-invite": ("baseline", {"comms.invite": False}),
    "custom-policy": ("baseline", {"channel.policy": "custom", "channel.friction": 0.3,
                                   "channel.policing": 0.9, "channel.restriction": 0.2}),
}


def case_engine(name, seed=3, mechanisms=None, **more_overrides):
    """The engine of a named case (lively, hot), before week 0."""
    scenario, overrides = CASES[name]
    return make_engine(overrides={**LIVELY, **HOT, **overrides, **more_overrides},
                       scenario=scenario, seed=seed, mechanisms=mechanisms)
