"""The raw contract at the edges: missing tables and columns, and the YAML it renders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import run_dbt
from custseg import contract, warehouse
from custseg.contract import render
from raw_files import erased_rows, read_strings

TABLES = list(contract.load().tables)


def copy_tables(source: Path, target: Path, names: list[str]) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(source / f"{name}.parquet", target / f"{name}.parquet")
    return target


def test_only_customers_and_orders_stage_with_empty_optional_tables(messy_raw, tmp_path):
    """Staging of the two required tables alone (test_table_subsets.py builds a hand-written
    two-table export end to end through custseg build, every gate included)."""
    raw, manifest = messy_raw
    only = copy_tables(raw, tmp_path / "raw", ["customers", "orders"])
    build = run_dbt(tmp_path / "warehouse.duckdb", only, ["run", "--select", "staging"])
    assert build.result.success, build.result.failures()
    counts = dict(
        build.query("select table_name, staged_row_count from staging.stg_raw__reconciliation")
    )
    # without the erasure_requests file nobody is erased: the erased people's latest
    # versions are staged again
    frames = {name: read_strings(raw, name, "parquet") for name in TABLES}
    erased = erased_rows(frames)
    for name, key in (("customers", "customer_id"), ("orders", "order_id")):
        kept_again = frames[name][erased[name]][key].nunique()
        assert kept_again > 0
        assert counts[name] == manifest["tables"][name]["staged"] + kept_again
    assert all(counts[name] == 0 for name in TABLES if name not in ("customers", "orders"))
    # an absent optional table is an empty relation with the contract's columns and types
    (columns,) = build.query(
        "select list(column_name || ' ' || data_type order by ordinal_position) "
        "from information_schema.columns where table_name = 'stg_raw__event_registrations'"
    )
    assert columns[0][-3:] == [
        "registered_at TIMESTAMP", "has_attended BOOLEAN", "record_source VARCHAR"
    ]  # fmt: skip


def test_a_missing_required_table_stops_the_build_naming_table_and_path(messy_raw, tmp_path):
    raw, _ = messy_raw
    only = copy_tables(raw, tmp_path / "raw", ["customers", "products"])
    build = run_dbt(tmp_path / "warehouse.duckdb", only, ["run"])
    assert not build.result.success
    message = "\n".join(build.result.failures())
    assert "Raw table 'orders' is missing" in message
    assert str(only / "orders.parquet") in message


def test_a_missing_required_column_stops_the_build_naming_it(messy_raw, tmp_path):
    raw, _ = messy_raw
    target = copy_tables(raw, tmp_path / "raw", ["customers"])
    orders = pq.read_table(raw / "orders.parquet")
    pq.write_table(orders.drop_columns(["order_total"]), target / "orders.parquet")
    build = run_dbt(tmp_path / "warehouse.duckdb", target, ["run"])
    assert not build.result.success
    message = "\n".join(build.result.failures())
    assert "Raw table 'orders'" in message
    assert "lacks required column(s) order_total (decimal(14,2))" in message
    assert str(target / "orders.parquet") in message


def test_a_missing_optional_column_reads_as_null(messy_raw, tmp_path):
    raw, manifest = messy_raw
    target = copy_tables(raw, tmp_path / "raw", ["orders", "erasure_requests"])
    customers = pq.read_table(raw / "customers.parquet")
    pq.write_table(customers.drop_columns(["latitude", "longitude"]), target / "customers.parquet")
    build = run_dbt(tmp_path / "warehouse.duckdb", target, ["run", "--select", "staging"])
    assert build.result.success, build.result.failures()
    ((staged, with_latitude),) = build.query(
        "select count(*), count(latitude) from staging.stg_raw__customers"
    )
    customers = manifest["tables"]["customers"]
    # rows quarantined only for a bad latitude are valid once the column is absent
    assert staged == customers["staged"] + customers["quarantined"].get("out_of_range:latitude", 0)
    assert with_latitude == 0


def test_the_committed_dbt_yaml_matches_the_contract():
    assert render.stale(warehouse.project_dir()) == []


def test_the_raw_table_list_macro_matches_the_contract():
    text = (warehouse.project_dir() / "macros/staging/raw_table_names.sql").read_text()
    assert re.findall(r"'(\w+)'", text) == TABLES


def test_the_contract_copy_keeps_the_upstream_contract_verbatim():
    """Every line of the upstream text is in the project copy, in order; the project
    adds only lines or annotations marked `project:`."""
    upstream = Path(warehouse.project_dir()).parent / "shared/spec/raw_contract.yml"
    if not upstream.exists():
        pytest.skip("shared/ is not beside the repository")

    def upstream_part(line: str) -> str:
        line = line.split("# project:")[0].split(" (project:")[0]
        line = re.sub(r", pattern: '[^']*'", "", line)
        return re.sub(r", (min|max|gt): [^,}]+", "", line).rstrip()

    ours = [
        upstream_part(line)
        for line in contract.contract_text().splitlines()
        if not line.strip().endswith("# project:") or "{" in line
    ]
    theirs = [line.rstrip() for line in upstream.read_text().splitlines()]
    position = 0
    for line in theirs:
        assert line in ours[position:], line
        position = ours.index(line, position) + 1


def test_a_var_given_to_dbt_wins_over_the_environment(tiny_raw, tmp_path, monkeypatch):
    """custseg passes raw_path as CUSTSEG_RAW_PATH; plain dbt's --vars raw_path still names
    the folder read, and without the var the environment variable does."""
    import json

    from dbt.cli.main import dbtRunner

    project = warehouse.project_dir()
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("CUSTSEG_RAW_PATH", str(elsewhere))
    monkeypatch.setenv("CUSTSEG_AS_OF_DATE", "2026-06-30")
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.chdir(project)
    args = ["compile", "--select", "base_raw__customers", "--indirect-selection", "empty",
            "--project-dir", str(project), "--profiles-dir", str(project)]  # fmt: skip
    try:
        given = dbtRunner().invoke([*args, "--vars", json.dumps({"raw_path": str(tiny_raw)})])
        from_environment = dbtRunner().invoke(args)
    finally:
        warehouse._release_duckdb_file()
    assert given.success, given.exception
    (compiled,) = [result.node.compiled_code for result in given.result.results]
    assert f"read_parquet('{tiny_raw}/customers.parquet')" in compiled
    assert not from_environment.success
    assert f"no file at {elsewhere}/customers.parquet" in str(from_environment.exception)
