"""Incremental builds equal a full build.

A messy generated feed (`custseg generate --deltas`: every table a folder of a full export
and daily deltas, with late rows and new versions of old orders and customers) gets two
more deltas on its last day: erasure requests of people the warehouse already holds, and
new versions of orders placed months before (corrected totals). The
warehouse is built as of the day before, then incrementally as of the last day, and
compared row by row with
- the same warehouse whose staging is rebuilt from every landing file that day (every
  relation: staging, intermediates, marts), and
- a full refresh as of the last day (every relation but the marts that accumulate a
  history of builds, which a full refresh starts over, and the marts that read them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import AS_OF, run_dbt
from custseg import landing, warehouse
from custseg.generate import generate
from custseg.generate.deltas import split_into_deltas
from test_erasure import traces

DAY_BEFORE = AS_OF - dt.timedelta(days=1)
MODELS = ["build", "--exclude-resource-type", "test", "unit_test"]
# Build metadata: when a row was staged or a snapshot computed, how long a build took.
METADATA_COLUMNS = {"staged_at", "computed_at"}
# Incremental models that equal a full refresh; the other incremental models accumulate a
# history of builds.
EQUAL_TO_FULL_REFRESH = {"replace_staged_keys", "replace_snapshots"}
METADATA_RELATIONS = {"warehouse_builds", "mart_row_counts"}
SCHEMAS = ("staging", "intermediate", "marts", "restricted")
ERASED = 2


def _erase_in_last_delta(raw: Path) -> list[str]:
    """Erasure requests, in a delta of the last day, for customers with orders (all in the
    last three months) and web events in the full exports: people the warehouse already
    holds."""
    with duckdb.connect() as connection:
        ids = [
            row[0]
            for row in connection.execute(
                f"select o.customer_id from read_parquet('{raw}/orders/full.parquet') o "
                f"semi join read_parquet('{raw}/web_events/full.parquet') w using (customer_id) "
                "where o.customer_id like 'C%' group by 1 "
                # recent buyers: the month ends before their first purchase stay as they were
                f"having min(try_cast(left(o.ordered_at, 10) as date)) > date '{AS_OF}' - 90 "
                "order by 1 limit ?",
                [ERASED],
            ).fetchall()
        ]
    schema = pq.read_schema(raw / "erasure_requests" / "full.parquet")
    columns = {name: [None] * len(ids) for name in schema.names}
    columns["customer_id"] = ids
    columns["requested_at"] = [f"{AS_OF}T08:00:00Z"] * len(ids)
    pq.write_table(
        pa.table(columns, schema=schema),
        raw / "erasure_requests" / f"{AS_OF}-requests.parquet",
    )
    assert len(ids) == ERASED
    return ids


def _restate_old_orders(raw: Path, erased: list[str]) -> list[str]:
    """New versions, in a delta of the last day, of three completed orders placed four to
    twelve months before, their totals corrected: old month ends' monetary changes while
    their customers and months stay the same."""
    with duckdb.connect() as connection:
        connection.execute(
            f"create table old as select * from read_parquet('{raw}/orders/full.parquet') "
            "where status = 'completed' and customer_id like 'C%' and customer_id not in ? "
            "and try_cast(left(ordered_at, 10) as date) "
            f"between date '{AS_OF}' - 365 and date '{AS_OF}' - 120 "
            "and try_cast(order_total as decimal(14, 2)) > 0 "
            "qualify count(*) over (partition by order_id) = 1 order by order_id limit 3",
            [erased],
        )
        connection.execute(
            "update old set order_total = "
            "cast(cast(order_total as decimal(14, 2)) + 100 as varchar), "
            f"updated_at = '{AS_OF}T09:00:00Z'"
        )
        ids = [row[0] for row in connection.execute("select order_id from old").fetchall()]
        connection.execute(f"copy old to '{raw}/orders/{AS_OF}-restated.parquet'")
    return ids


@pytest.fixture(scope="module")
def delta_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    raw = root / "raw"
    generate(raw, customers=400, seed=11, fmt="parquet", as_of=AS_OF, messy=True)
    split_into_deltas(raw, AS_OF, days=3, late_percent=30, restated_percent=50)
    erased = _erase_in_last_delta(raw)
    assert len(_restate_old_orders(raw, erased)) == 3
    # landed an hour ago: the last day's files are read again for their date (the
    # look-back), not for a modification time in the second the first build started
    landed = time.time() - 3600
    for path in raw.rglob("*.parquet"):
        os.utime(path, (landed, landed))

    # one file name for every warehouse (conftest: one saved parse per name)
    def warehouse_file(name: str) -> Path:
        (root / name).mkdir()
        return root / name / "warehouse.duckdb"

    day_before = run_dbt(warehouse_file("day_before"), raw, MODELS, as_of_date=str(DAY_BEFORE))
    assert day_before.result.success, day_before.result.failures()
    builds = {}
    for name in ("incremental", "restaged"):
        path = warehouse_file(name)
        shutil.copy(day_before.path, path)
        if name == "restaged":
            with duckdb.connect(str(path)) as connection:
                for (table,) in connection.execute(
                    "select table_name from duckdb_tables() "
                    "where schema_name = 'staging' and table_name like 'base_raw__%'"
                ).fetchall():
                    connection.execute(f"drop table staging.{table}")
        builds[name] = run_dbt(path, raw, MODELS)
        assert builds[name].result.success, builds[name].result.failures()
    manifest = json.loads((warehouse.target_dir() / "manifest.json").read_text())
    builds["refreshed"] = run_dbt(warehouse_file("refreshed"), raw, [*MODELS, "--full-refresh"])
    assert builds["refreshed"].result.success, builds["refreshed"].result.failures()
    return raw, erased, day_before, builds, manifest


def _relations(path: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? "
            "union all select schema_name, view_name from duckdb_views() "
            "where schema_name in ? and not internal order by 1, 2",
            [list(SCHEMAS), list(SCHEMAS)],
        ).fetchall()


def _differences(left: Path, right: Path, relations) -> dict[str, tuple[int, int, int]]:
    """Per relation that differs: (rows, rows only in left, rows only in right), compared as
    multisets over every column but METADATA_COLUMNS. Each warehouse is read through its
    own connection (both files are named warehouse.duckdb, the name their views use)."""
    differing = {}
    with (
        duckdb.connect(str(left), read_only=True) as a,
        duckdb.connect(str(right), read_only=True) as b,
        duckdb.connect() as compare,
    ):
        for schema, name in relations:
            columns = [
                row[0]
                for row in a.execute(
                    "select column_name from duckdb_columns() where schema_name = ? "
                    "and table_name = ? order by column_index",
                    [schema, name],
                ).fetchall()
                if row[0] not in METADATA_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            query = f"select {listed} from {schema}.{name}"
            compare.register("l", a.execute(query).fetch_arrow_table())
            compare.register("r", b.execute(query).fetch_arrow_table())
            only_left = compare.execute("select count(*) from (from l except all from r)")
            only_left = only_left.fetchone()[0]
            only_right = compare.execute("select count(*) from (from r except all from l)")
            only_right = only_right.fetchone()[0]
            if only_left or only_right:
                rows = compare.execute("select count(*) from l").fetchone()[0]
                differing[f"{schema}.{name}"] = (rows, only_left, only_right)
    return differing


def test_the_feed_has_late_rows_new_versions_and_erasures(delta_builds):
    raw, erased, day_before, _, _ = delta_builds
    last = f"{AS_OF}.parquet"
    with duckdb.connect() as connection:
        late = connection.execute(
            f"select count(*) from read_parquet('{raw}/web_events/{last}') "
            f"where try_cast(left(occurred_at, 10) as date) < date '{AS_OF}'"
        ).fetchone()[0]
        restated = connection.execute(
            f"select count(distinct order_id) from read_parquet('{raw}/orders/2*.parquet') "
            f"where order_id in (select order_id from read_parquet('{raw}/orders/full.parquet'))"
        ).fetchone()[0]
        new_customer_versions = connection.execute(
            f"select count(*) from read_parquet('{raw}/customers/*.parquet') "
            "group by customer_id having count(*) > 1"
        ).fetchall()
    assert late > 0 and restated > 0 and len(new_customer_versions) > 0
    # the erased people were staged the day before
    held = day_before.query(
        "select count(distinct customer_id) from staging.stg_raw__orders where customer_id in ?",
        [erased],
    )
    assert held == [(ERASED,)]


def test_a_build_reads_only_the_files_dated_on_or_before_its_date(delta_builds):
    raw, _, day_before, builds, _ = delta_builds
    for build, as_of in ((day_before, DAY_BEFORE), (builds["incremental"], AS_OF)):
        files = landing.table_files(raw, "web_events", as_of=str(as_of))
        with duckdb.connect() as connection:
            landed = connection.execute(
                f"select count(*) from {landing.reader_sql(files)}"
            ).fetchone()[0]
        counted = build.query(
            "select raw_row_count from staging.stg_raw__reconciliation "
            "where table_name = 'web_events'"
        )
        assert counted == [(landed,)]
    assert len(landing.table_files(raw, "web_events", as_of=str(DAY_BEFORE))) == 3
    assert len(landing.table_files(raw, "web_events", as_of=str(AS_OF))) == 4


def test_incremental_build_equals_staging_every_file_again(delta_builds):
    _, _, _, builds, _ = delta_builds
    relations = [
        r for r in _relations(builds["incremental"].path) if r[1] not in METADATA_RELATIONS
    ]
    assert len(relations) > 60
    assert _differences(builds["incremental"].path, builds["restaged"].path, relations) == {}


def test_incremental_build_equals_a_full_refresh(delta_builds):
    """Every relation but the accumulating marts (the incremental models that keep a
    history of builds, which a full refresh starts over) and the marts that read them."""
    _, _, _, builds, manifest = delta_builds
    nodes = manifest["nodes"]
    history = {
        node["name"]
        for node in nodes.values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] == "incremental"
        and node["config"]["incremental_strategy"] not in EQUAL_TO_FULL_REFRESH
    }
    reading = set(history)
    changed = True
    while changed:
        before = len(reading)
        for node in nodes.values():
            depends_on = node.get("depends_on", {}).get("nodes", [])
            parents = {dep.rsplit(".", 1)[-1] for dep in depends_on}
            if node["resource_type"] == "model" and parents & reading:
                reading.add(node["name"])
        changed = len(reading) != before
    assert {"segment_membership_history", "segment_sizes", "static_segment_members"} <= history
    relations = [r for r in _relations(builds["incremental"].path) if r[1] not in reading]
    assert {
        "dim_customers", "customer_value", "fct_orders", "base_raw__web_events",
        "int_customer_rfm_snapshots", "customer_rfm_monthly",
    } <= {r[1] for r in relations}  # fmt: skip
    assert _differences(builds["incremental"].path, builds["refreshed"].path, relations) == {}


def test_the_incremental_build_staged_again_only_the_new_keys(delta_builds):
    _, _, day_before, builds, _ = delta_builds
    restaged = {
        table: builds["incremental"].query(
            "select count(*) filter (where staged_at = max_at) * 1.0 / count(*) "
            "from (select staged_at, max(staged_at) over () as max_at "
            f"from staging.base_raw__{table})"
        )[0][0]
        for table in ("web_events", "orders")
    }
    # the last day and the look-back's days of three years, the erased people's rows, and
    # the rows whose parent was staged again (the orders of a customer with a new version)
    assert 0 < restaged["web_events"] < 0.1
    assert 0 < restaged["orders"] < 0.25
    # the day before was a first build: everything staged at once
    assert day_before.query(
        "select count(distinct staged_at) from staging.base_raw__web_events"
    ) == [(1,)]


def test_the_incremental_build_computed_again_only_the_changed_rfm_snapshots(delta_builds):
    """The day before's as_of_date snapshot is gone, the new one (a month end) computed, and
    of the earlier month ends only those whose purchases changed (from the first month of
    a corrected order or an erased customer's purchase) were computed again; the equality
    tests above show that none that changed was missed."""
    _, _, day_before, builds, _ = delta_builds
    sql = (
        "select snapshot_date, computed_at = max(computed_at) over () "
        "from (select distinct snapshot_date, computed_at "
        "from intermediate.int_customer_rfm_snapshots)"
    )
    before = dict(day_before.query(sql))
    after = dict(builds["incremental"].query(sql))
    assert DAY_BEFORE in before and DAY_BEFORE not in after
    assert after[AS_OF] is True
    month_ends = [day for day in after if day != AS_OF]
    kept = [day for day in month_ends if not after[day]]
    # (the erased people's purchases may have been the first month's)
    assert set(month_ends) <= set(before) - {DAY_BEFORE}
    assert 0 < len(kept) < len(month_ends), (len(kept), len(month_ends))
    # a month end kept holds what the day before computed for it
    assert builds["incremental"].query(
        "select count(*) from intermediate.int_customer_rfm_snapshots where snapshot_date = ?",
        [kept[0]],
    ) == day_before.query(
        "select count(*) from intermediate.int_customer_rfm_snapshots where snapshot_date = ?",
        [kept[0]],
    )


def test_erased_people_vanish_from_the_incremental_warehouse(delta_builds):
    _, erased, day_before, builds, _ = delta_builds
    assert traces(day_before.path, set(erased))  # they were there
    assert traces(builds["incremental"].path, set(erased)) == []
