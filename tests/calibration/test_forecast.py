"""``adoptsim forecast``: output shape, common random numbers, and bad input."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from adoptsim.calibration.forecast import OUTCOMES, forecast
from adoptsim.errors import InputError

from .conftest import adoptsim

COLUMNS = ["alternative", "outcome", "status_quo", "alternative_value", "difference", "lo", "hi"]
SAME = "channel.policy=open"  # the calibrated scenario's own policy: the status quo again
RESTRICTED = "channel.policy=restricted,channel.policy_start=4"


@pytest.fixture(scope="module")
def forecasted(calibrated, tmp_path_factory):
    """The calibration, copied, with a forecast of two alternatives through the real entry point."""
    folder = tmp_path_factory.mktemp("forecast") / "cal"
    shutil.copytree(calibrated, folder)
    res = adoptsim("forecast", folder, "--compare", SAME, "--compare", RESTRICTED,
                   "--draws", 40, timeout=300)
    assert res.returncode == 0, res.stderr
    return folder, res


def test_shape(forecasted):
    folder, res = forecasted
    table = pd.read_csv(folder / "forecast.csv")
    assert list(table.columns) == COLUMNS
    assert len(table) == 2 * len(OUTCOMES)
    assert table["outcome"].tolist() == list(OUTCOMES) * 2
    assert table["alternative"].tolist() == [SAME] * 5 + [RESTRICTED] * 5
    assert (folder / "forecast.png").stat().st_size > 0
    assert (table["lo"] <= table["difference"]).all() and (table["difference"] <= table["hi"]).all()
    # Both alternatives are paired with the same status-quo runs.
    sq = table.pivot(index="outcome", columns="alternative", values="status_quo")
    assert (sq[SAME] == sq[RESTRICTED]).all()
    assert "Wrote forecast.csv, forecast.png" in res.stdout


def test_status_quo_again_differs_by_exactly_zero(forecasted):
    folder, _ = forecasted
    table = pd.read_csv(folder / "forecast.csv")
    same = table[table["alternative"] == SAME]
    assert (same[["difference", "lo", "hi"]] == 0).all().all()
    assert (same["alternative_value"] == same["status_quo"]).all()


def test_restriction_changes_the_channel(forecasted):
    folder, _ = forecasted
    table = pd.read_csv(folder / "forecast.csv").set_index(["alternative", "outcome"])
    # Restriction's friction from week 4 holds back joining in (nearly) every draw.
    assert table.loc[(RESTRICTED, "adoption"), "hi"] < 0
    assert table.loc[(RESTRICTED, "benefit"), "difference"] < 0


def test_pairing_and_seed(calibrated, tmp_path):
    """Paired differences are narrower than unpaired ones, and a seed repeats the forecast."""
    folder = tmp_path / "cal"
    shutil.copytree(calibrated, folder)
    a, _ = forecast(folder, [RESTRICTED], draws=30, seed=5)
    b, _ = forecast(folder, [RESTRICTED], draws=30, seed=5)
    pd.testing.assert_frame_equal(a, b)
    c, _ = forecast(folder, [RESTRICTED], draws=30, seed=6)
    assert not a.equals(c)
    d, _ = forecast(folder, ["comms.count=0"], draws=30, seed=5, steps=25)  # no managers anyway
    assert (d["difference"] == 0).all()


@pytest.mark.parametrize(("args", "fragments"), [
    (("--compare", "channel.policy=banned"), ("--compare 'channel.policy=banned'", "policy")),
    (("--compare", "channel.speed=3"), ("'channel.speed'",)),
    (("--compare", "run.steps=30"), ("run.steps cannot differ", "--steps")),
    (("--compare", "policy"), ("'policy' is not of the form KEY=V",)),
    (("--compare", SAME, "--compare", SAME), ("is given twice",)),
    (("--compare", SAME, "--draws", "0"), ("--draws 0",)),
    (("--compare", SAME, "--steps", "0"), ("--steps 0",)),
    ((), ("Missing option '--compare'",)),
])
def test_bad_compare(calibrated, tmp_path, args, fragments):
    folder = tmp_path / "cal"
    shutil.copytree(calibrated, folder)
    res = adoptsim("forecast", folder, *args, timeout=120)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    for fragment in fragments:
        assert fragment in res.stderr, (fragment, res.stderr)
    assert not (folder / "forecast.csv").exists()


def test_bad_folder(calibrated, tmp_path):
    with pytest.raises(InputError, match="holds no calibration"):
        forecast(tmp_path, [SAME])
    with pytest.raises(InputError, match="is not a folder"):
        forecast(tmp_path / "nope", [SAME])
    folder = tmp_path / "cal"
    shutil.copytree(calibrated, folder)
    posterior = pd.read_csv(folder / "posterior.csv")
    posterior.drop(columns="weight").to_csv(folder / "posterior.csv", index=False)
    with pytest.raises(InputError, match="expected the columns"):
        forecast(folder, [SAME])
    posterior.assign(weight=-1.0).to_csv(folder / "posterior.csv", index=False)
    with pytest.raises(InputError, match="negative"):
        forecast(folder, [SAME])
    posterior.assign(**{"joining.rate": 7.0}).to_csv(folder / "posterior.csv", index=False)
    with pytest.raises(InputError, match="outside its prior's bounds"):
        forecast(folder, [SAME])
    (folder / "posterior.csv").unlink()
    with pytest.raises(InputError, match=r"no posterior\.csv"):
        forecast(folder, [SAME])
    (folder / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match=r"summary\.json is damaged"):
        forecast(folder, [SAME])
    summary = json.loads((calibrated / "summary.json").read_text())
    del summary["fits"]
    (folder / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(InputError, match="damaged"):
        forecast(folder, [SAME])
    res = adoptsim("forecast", tmp_path / "nope", "--compare", SAME, timeout=120)
    assert res.returncode == 2 and res.stderr.startswith("error: ") and "is not a folder" in \
        res.stderr, res.stderr

