"""The plain-Mesa baseline of the benchmarks is the same model as adoptsim.

``benchmarks/plain_mesa.py`` writes model version 2 the ordinary Mesa way
(one agent object per employee); the speed-up reported in
docs/performance.md is only meaningful if both implement the same rules
with the same parameters. They draw different random numbers (adoptsim's are
counter-based, the baseline's come from Mesa's generators), so they are
compared in distribution: 30 seeds each, 300 employees, 40 weeks. Each seed
gives both models the same organisation network, so the runs pair up by
seed (their populations are drawn independently).

Two scenarios are compared:

- the defaults (an open channel), on the final week's adoption, activity,
  trust, fear, the managers' follower share and reach, posts, reads and the
  cumulative benefit;
- a policed channel (the ``restricted`` policy from week 10, with more
  posting, harmful posts, removals and frustration than the defaults, so
  that blocking, removal, diverting to back-channels, frustration and the
  underground all happen), on final values and on totals over the run of the
  week-by-week counts (blocked, removed and underground posts, underground
  reads, harmful reads), which a single week has too few of.

Tolerances: for each outcome the mean of the 30 paired differences must be
within 4 standard errors of zero (a false alarm has probability about 4e-4
per outcome under a t distribution with 29 degrees of freedom, about 1% over
all the outcomes here), and the two samples of final adoption and trust must
not differ by a two-sample Kolmogorov-Smirnov test at the 1% level. With
the seeds fixed the test is deterministic; the tolerances say how far the
models may differ before it fails.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from adoptsim import AdoptionModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from plain_mesa import PlainMesaModel

SEEDS = range(30)
EMPLOYEES, STEPS = 300, 40
#: Final-week outcomes compared in every scenario.
FINAL = ["aware", "member", "active", "trust", "fear", "cm_follower_share", "cm_reach",
         "posts_c", "reads_c", "benefit_cum", "cross_silo_share"]
#: Week-by-week counts of the follow graph's routes and the managers' invitations,
#: compared as totals over the run.
FOLLOWS = ["follows_preferential", "follows_neighbour", "follows_authority",
           "follows_exposure", "follows_mention", "follows_back", "follows_positive",
           "unfollows", "invitations"]
#: A channel policed from week 10 (see the module notes).
POLICED = dict(policy="restricted", policy_start=10, sanction_rate=0.3, harmful=0.1,
               underground_found=0.3, underground_rate=0.3, intercept=-2.0)
#: Week-by-week counts compared as totals over the run, in the policed scenario.
POLICED_TOTALS = ["posts_c", "blocked", "removed", "posts_u", "reads_u", "harmful_reads"]


def _outcomes(model_class, params: dict, final: list[str], totals: list[str]
              ) -> dict[str, np.ndarray]:
    runs: list[pd.DataFrame] = [
        model_class(employees=EMPLOYEES, steps=STEPS, rng=seed, **params).run()
        for seed in SEEDS]
    out = {k: np.array([ts[k].iloc[-1] for ts in runs], float) for k in final}
    out.update({f"total_{k}": np.array([ts[k].sum() for ts in runs], float) for k in totals})
    return out


def _assert_same_in_distribution(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]
                                 ) -> None:
    for k in ours:
        d = ours[k] - theirs[k]
        se = d.std(ddof=1) / np.sqrt(len(d))
        assert abs(d.mean()) <= 4 * se, (k, ours[k].mean(), theirs[k].mean(), se)
    for k in ("member", "trust"):
        assert ks_2samp(ours[k], theirs[k]).pvalue > 0.01, k


@pytest.mark.slow
def test_plain_mesa_baseline_matches_adoptsim_in_distribution():
    ours = _outcomes(AdoptionModel, {}, FINAL, FOLLOWS)
    theirs = _outcomes(PlainMesaModel, {}, FINAL, FOLLOWS)
    _assert_same_in_distribution(ours, theirs)
    # the runs did something: adoption grew well beyond the champions, posts were read,
    # and every route of the follow graph was taken
    for out in (ours, theirs):
        assert out["member"].mean() > 0.1
        assert out["reads_c"].mean() > 50 and out["benefit_cum"].mean() > 1
        for k in FOLLOWS:
            assert out[f"total_{k}"].mean() > 0.5, k


@pytest.mark.slow
def test_plain_mesa_baseline_matches_adoptsim_on_a_policed_channel():
    final = [*FINAL, "underground", "frustration"]
    ours = _outcomes(AdoptionModel, POLICED, final, POLICED_TOTALS)
    theirs = _outcomes(PlainMesaModel, POLICED, final, POLICED_TOTALS)
    _assert_same_in_distribution(ours, theirs)
    # policing acted: posts were blocked and removed, and back-channels formed and were read
    for out in (ours, theirs):
        for k in ("total_blocked", "total_removed", "total_posts_u", "total_reads_u"):
            assert out[k].mean() > 1, k
        assert out["fear"].mean() > 0.45  # the policing weight raised fear from ~0.33


def test_plain_mesa_takes_adoptsims_keywords_and_network():
    model = PlainMesaModel(employees=120, steps=3, rng=7, comms_count=2, join_step=1)
    ours = AdoptionModel(employees=120, steps=3, rng=7, comms_count=2, join_step=1)
    net = ours.network
    ties = {(i, int(j)) for i in range(net.n)
            for j in net.indices[net.indptr[i]:net.indptr[i + 1]] if i < j}
    assert ties == {(min(u, v), max(u, v)) for u, v in model.space.G.edges()}
    assert sorted(a.cell.coordinate for a in model.comms) == sorted(ours.comms.node.tolist())
    ts = model.run()
    assert len(ts) == 4 and list(ts["step"]) == [0, 1, 2, 3]
    assert set(FINAL + FOLLOWS + POLICED_TOTALS) <= set(ts.columns)
    assert all(m.joined and m.joined_at == 1 for m in model.comms)  # comms.join_step = 1


def test_plain_mesa_has_no_well_mixed_population():
    with pytest.raises(NotImplementedError, match="complete"):
        PlainMesaModel(employees=50, generator="complete", rng=1)
