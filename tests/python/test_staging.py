"""The staging layer on generated data: quarantine, reconciliation, idempotence, formats."""

from __future__ import annotations

import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest

from conftest import run_dbt
from custseg import contract

TABLES = list(contract.load().tables)


def staging_relations() -> list[str]:
    return [f"staging.stg_raw__{name}" for name in TABLES]


def test_messy_build_passes_with_every_data_test(messy_build):
    ran = [r for r in messy_build.result.results if r.node.resource_type == "test"]
    assert len(ran) > 150, "the build ran the data tests"
    assert messy_build.result.success
    # quarantined rows below the limit are warnings, one per table with defects
    gates = {r.node.name: str(r.status) for r in ran if r.node.name.startswith("quarantine_within")}
    assert len(gates) == len(TABLES)
    assert gates["quarantine_within_limit_base_raw__orders_"] == "warn"
    assert gates["quarantine_within_limit_base_raw__products_"] == "pass"


def test_quarantine_counts_equal_the_generator_manifest(messy_raw, messy_build):
    _, manifest = messy_raw
    found: dict[str, Counter] = {name: Counter() for name in TABLES}
    for table_name, reason, count in messy_build.query(
        "select table_name, quarantine_reason, count(*) from staging.stg_raw__quarantine "
        "group by all"
    ):
        found[table_name][reason] = count
    expected = {name: Counter(manifest["tables"][name]["quarantined"]) for name in TABLES}
    assert found == expected
    assert sum(sum(c.values()) for c in expected.values()) > 50, "messy data has defects"


@pytest.mark.parametrize("table_name", TABLES)
def test_every_raw_row_is_accounted_for(messy_raw, messy_build, table_name):
    raw_dir, manifest = messy_raw
    expected = manifest["tables"][table_name]
    (row,) = messy_build.query(
        "select raw_row_count, staged_row_count, quarantined_row_count, superseded_row_count, "
        "exact_duplicate_row_count, erased_row_count, staging_model_row_count "
        "from staging.stg_raw__reconciliation where table_name = ?",
        [table_name],
    )
    raw, staged, quarantined, superseded, duplicates, erased, model_rows = row
    # raw rows counted independently of dbt, straight from the file
    assert raw == pq.ParquetFile(raw_dir / f"{table_name}.parquet").metadata.num_rows
    assert raw == staged + quarantined + superseded + duplicates + erased
    assert staged == model_rows
    assert (staged, superseded, duplicates, erased) == (
        expected["staged"],
        expected["superseded_versions"],
        expected["exact_duplicates"],
        expected["erased"],
    )


def test_quarantined_rows_keep_the_original_record(messy_build):
    rows = messy_build.query(
        "select table_name, record_key, quarantine_reason, raw_record "
        "from staging.stg_raw__quarantine where quarantine_reason = 'bad_type:ordered_at'"
    )
    assert rows
    for _table, key, _reason, record in rows:
        assert f'"order_id":"{key}"' in record.replace(" ", "")


def test_tricky_strings_survive_byte_for_byte(messy_raw, messy_build):
    _, manifest = messy_raw
    assert manifest["tricky_strings"]
    for tricky in manifest["tricky_strings"]:
        where = " and ".join(f"{column} = ?" for column in tricky["key"])
        (value,) = messy_build.query(
            f"select {tricky['column']} from staging.stg_raw__{tricky['table']} where {where}",
            list(tricky["key"].values()),
        )[0]
        assert value == tricky["value"]


def test_two_builds_on_the_same_input_give_identical_staging(messy_raw, messy_build, tmp_path):
    """Build again over a copy of the built warehouse: every staging table is unchanged."""
    raw, _ = messy_raw
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(messy_build.path, copy)
    again = run_dbt(copy, raw, ["run", "--select", "staging"])
    assert again.result.success, again.result.failures()
    for relation in [*staging_relations(), "staging.stg_raw__quarantine"]:
        assert again.table(relation).equals(messy_build.table(relation)), relation


def test_csv_and_parquet_give_the_same_staging_tables(messy_build, messy_csv_build):
    for relation in [*staging_relations(), "staging.stg_raw__reconciliation"]:
        parquet, csv = messy_build.table(relation), messy_csv_build.table(relation)
        assert csv.num_rows == parquet.num_rows, relation
        assert csv.equals(parquet), relation


def test_staged_values_are_normalised(messy_build):
    rows = messy_build.query(
        "select count(*) filter (where email <> lower(trim(email))), "
        "count(*) filter (where country_code <> upper(country_code)), "
        "count(*) filter (where gender not in ('female', 'male', 'diverse', 'unknown')) "
        "from staging.stg_raw__customers"
    )
    assert rows == [(0, 0, 0)]
    (types,) = messy_build.query(
        "select list(data_type order by column_name) from information_schema.columns "
        "where table_schema = 'staging' and table_name = 'stg_raw__orders' "
        "and column_name in ('ordered_at', 'order_total', 'status')"
    )
    assert types[0] == ["DECIMAL(14,2)", "TIMESTAMP", "VARCHAR"]
