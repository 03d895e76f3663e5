"""`adoptsim export`: CSV files, the BehaviorSpace-style table, output paths; DuckDB queries."""

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from adoptsim import load_results
from adoptsim.errors import InputError
from adoptsim.model.metrics import COLUMNS
from adoptsim.sweeps.experiment import RUN_COLUMNS
from adoptsim.sweeps.export import export_csv, export_table
from sweep_files import GRID, ROOT, SMALL, serial_results
from test_store_damage import adoptsim, unwritable_folder


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The 12-run grid's store (4 points x 3 replications, 21 steps each)."""
    return serial_results(tmp_path_factory.mktemp("export"), GRID, SMALL)[1]


def test_export_without_a_format_writes_csv_files_into_out_csv(store, tmp_path):
    out = Path(shutil.copytree(store, tmp_path / "out"))
    res = adoptsim("export", out)
    assert res.code == 0, res.text
    results = load_results(out)
    for name in ("design", "summary", "timeseries"):
        path = out / "csv" / f"{name}.csv"
        assert f"Wrote {path}" in res.text
        pd.testing.assert_frame_equal(pd.read_csv(path), getattr(results, name),
                                      check_dtype=False)


def test_the_table_has_the_design_on_every_time_series_row(store, tmp_path):
    target = tmp_path / "tables" / "grid.csv"
    res = adoptsim("export", store, "--table", "--csv", target)
    assert res.code == 0, res.text
    assert f"Wrote {target} (252 rows" in res.text
    table = pd.read_csv(target)
    params = ["comms.join_step", "channel.policy"]
    assert list(table.columns) == [*RUN_COLUMNS, *params, *COLUMNS]
    results = load_results(store)
    expected = results.timeseries.merge(results.design, on="run_id")[list(table.columns)]
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    # Every row of a run carries that run's design values.
    assert (table.groupby("run_id")[params].nunique() == 1).all().all()

    out = Path(shutil.copytree(store, tmp_path / "out"))
    res = adoptsim("export", out, "--table")
    assert res.code == 0 and f"Wrote {out / 'csv' / 'table.csv'}" in res.text, res.text
    pd.testing.assert_frame_equal(pd.read_csv(out / "csv" / "table.csv"), table)


def test_unusable_export_paths_are_refused_with_the_path(store, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    read_only = unwritable_folder(tmp_path)
    cases = [
        (["--csv", a_file], f"the CSV folder {a_file} is a file; give a folder"),
        (["--csv", a_file / "csv"], f"the CSV folder {a_file / 'csv'} lies under the file "
                                    f"{a_file}"),
        (["--csv", read_only], f"the CSV folder {read_only} is not writable"),
        (["--table", "--csv", tmp_path], f"the table file {tmp_path} is an existing folder"),
        (["--table", "--csv", read_only / "t.csv"], f"{read_only} is not writable"),
    ]
    for args, message in cases:
        res = adoptsim("export", store, *args)
        assert res.code == 2 and "Traceback" not in res.text, res.text
        assert message in res.text, (message, res.text)
    res = adoptsim("export", tmp_path / "nowhere")
    assert res.code == 2 and "is not a sweep's results folder" in res.text, res.text
    with pytest.raises(InputError, match="NUL byte"):
        export_csv(store, tmp_path / "a\x00b")
    with pytest.raises(InputError, match="NUL byte"):
        export_table(store, tmp_path / "a\x00b.csv")


def test_the_duckdb_queries_of_the_docs_run_on_a_store(store):
    docs = (ROOT / "docs" / "sweeps.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```", docs, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    assert len(statements) >= 2
    results = load_results(store)
    summary, design, series = results.summary, results.design, results.timeseries
    with duckdb.connect() as con:
        found = [con.sql(s.replace("results/join_timing", str(store))).df() for s in statements]

    by_point = found[0]
    expected = summary.groupby("comms.join_step")["final_member"].agg(["mean", "size"])
    assert list(by_point["comms.join_step"]) == list(expected.index)
    assert list(by_point["runs"]) == list(expected["size"])
    assert by_point["member"].to_numpy() == pytest.approx(expected["mean"].to_numpy())

    curves = found[1]
    expected = (series.merge(design, on="run_id")
                .groupby(["comms.join_step", "step"])["member"].mean())
    assert len(curves) == len(expected)
    assert curves["member"].to_numpy() == pytest.approx(expected.to_numpy())
