"""Means with t confidence intervals, and the per-design-point table."""

import math

import numpy as np
import pandas as pd
from scipy import stats

from adoptsim.sweeps.analysis import mean_ci, point_table


def test_mean_ci_is_the_t_interval():
    x = np.random.default_rng(4).normal(3.0, 2.0, size=9)
    ci = mean_ci(x, level=0.9)
    low, high = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert ci.n == 9 and ci.mean == x.mean()
    assert math.isclose(ci.low, low, rel_tol=1e-12) and math.isclose(ci.high, high, rel_tol=1e-12)


def test_mean_ci_leaves_out_missing_values_and_needs_two_for_an_interval():
    assert mean_ci([1.0, None, float("nan"), 3.0]) == mean_ci([1.0, 3.0])
    one = mean_ci([5.0])
    assert one.mean == 5.0 and one.n == 1 and math.isnan(one.low) and math.isnan(one.high)
    assert mean_ci([]).n == 0 and math.isnan(mean_ci([]).mean)
    assert mean_ci([2.0, 2.0, 2.0])[:3] == (2.0, 2.0, 2.0)


def test_point_table_has_one_row_per_point_in_order():
    summary = pd.DataFrame({
        "point": [1, 1, 1, 0, 0, 0],
        "policy": ["shutdown"] * 3 + ["open"] * 3,
        "final_member": [0.5, 0.6, 0.7, 0.8, 0.9, 0.85],
        "t50": [10.0, np.nan, 12.0, 5.0, 6.0, 7.0],
    })
    table = point_table(summary, ["point", "policy"], ["final_member", "t50"])
    assert list(table.columns) == [
        "point", "policy", "n", "final_member_mean", "final_member_low", "final_member_high",
        "t50_mean", "t50_low", "t50_high"]
    assert table["point"].tolist() == [1, 0] and table["n"].tolist() == [3, 3]
    expected = mean_ci([0.8, 0.9, 0.85])
    row = table.iloc[1]
    assert (row["final_member_mean"], row["final_member_low"], row["final_member_high"]) == \
        expected[:3]
    assert table.loc[0, "t50_mean"] == 11.0  # the missing t50 is left out
    single = point_table(summary, [], ["final_member"])
    assert len(single) == 1 and single.loc[0, "n"] == 6
