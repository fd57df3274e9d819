"""One warehouse, one data set: marts.warehouse_builds records the raw source, a fingerprint
of the landing files and the as_of_date of every build; a build from another source stops
before it writes (on-run-start hook check_raw_source) and says how to start a new warehouse;
the same folder with changed files is recorded; a full refresh starts the history over.

Two hand-written exports of two shops (customers and orders as CSV, a few rows each), built
with plain dbt (`dbt build` without its tests, to keep it quick: the check and the record
are dbt's, not the CLI's).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from conftest import AS_OF, run_dbt

LATER = AS_OF + dt.timedelta(days=1)
BUILD = ["build", "--exclude-resource-type", "test", "unit_test"]


def write_export(folder: Path, shop: str, orders: int) -> Path:
    """A small shop's CRM export: four customers, `orders` completed orders in June."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = [
        {"customer_id": f"{shop}-{i}", "email": f"{shop}{i}@example.ch", "country_code": "CH",
         "created_at": f"2026-01-0{i} 10:00:00", "updated_at": f"2026-06-2{i} 10:00:00"}
        for i in range(1, 5)
    ]  # fmt: skip
    order_rows = [
        {"order_id": f"{shop}-o{i}", "customer_id": f"{shop}-{1 + i % 4}",
         "ordered_at": f"2026-06-{i + 1:02d} 12:00:00", "status": "completed",
         "currency": "EUR", "order_total": f"{10 * i}.50",
         "updated_at": f"2026-06-{i + 1:02d} 12:00:00"}
        for i in range(1, orders + 1)
    ]  # fmt: skip
    for name, rows in (("customers", customers), ("orders", order_rows)):
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def expected_fingerprint(folder: Path) -> tuple[int, int, str]:
    """(files, bytes, md5) of the landing files as the README documents the fingerprint:
    md5 over "name size modified_at" per file (UTC, seconds), by name, joined by "; "."""
    lines, total = [], 0
    for path in sorted(folder.glob("*.csv")):
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(int(stat.st_mtime), dt.UTC)
        lines.append(f"{path.name} {stat.st_size} {modified:%Y-%m-%dT%H:%M:%S}")
        total += stat.st_size
    return len(lines), total, hashlib.md5("; ".join(lines).encode()).hexdigest()


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


BUILDS = (
    "select raw_source, raw_location, as_of_date, landing_file_count, landing_bytes,"
    " raw_fingerprint, is_full_refresh from marts.warehouse_builds order by started_at"
)
SIZES = "select * from marts.segment_sizes order by all"
COUNTS = "select * from marts.mart_row_counts order by all"


@pytest.fixture(scope="module")
def shops(tmp_path_factory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("provenance")
    return (
        write_export(base / "shop_a", "a", orders=6),
        write_export(base / "shop_b", "b", orders=5),
        base / "warehouse.duckdb",
    )


@pytest.fixture(scope="module")
def first_build(shops):
    shop_a, _, path = shops
    fingerprint = expected_fingerprint(shop_a)
    build = run_dbt(path, shop_a, BUILD, raw_format="csv")
    assert build.result.success, "\n".join(build.result.failures())
    return build, fingerprint


def test_a_build_records_its_source_fingerprint_and_date(shops, first_build):
    shop_a, _, path = shops
    _, (files, size, md5) = first_build
    source = str(shop_a.resolve())
    assert rows(path, BUILDS) == [(source, source, AS_OF, files, size, md5, False)]
    assert files == 2


def test_a_build_from_another_source_stops_before_writing(shops, first_build):
    shop_a, shop_b, path = shops
    sizes, counts = rows(path, SIZES), rows(path, COUNTS)
    assert sizes and counts
    build = run_dbt(path, shop_b, BUILD, raw_format="csv", as_of_date=LATER.isoformat())
    assert not build.result.success
    message = "\n".join(build.result.failures())
    assert str(shop_a.resolve()) in message and str(shop_b.resolve()) in message
    assert "WAREHOUSE_PATH" in message and "--full-refresh" in message
    assert "Nothing was written" in message
    # not one model ran: the segment and row-count history and the build record are as before
    assert not [r for r in build.result.results if str(r.status) == "success"]
    assert rows(path, SIZES) == sizes
    assert rows(path, COUNTS) == counts
    source, (files, size, md5) = str(shop_a.resolve()), first_build[1]
    assert rows(path, BUILDS) == [(source, source, AS_OF, files, size, md5, False)]


def test_tomorrows_export_of_the_same_source_is_recorded(shops, first_build):
    shop_a, _, path = shops
    write_export(shop_a, "a", orders=7)  # the same folder, one more order
    files, size, md5 = expected_fingerprint(shop_a)
    build = run_dbt(path, shop_a, BUILD, raw_format="csv", as_of_date=LATER.isoformat())
    assert build.result.success, "\n".join(build.result.failures())
    recorded = rows(path, BUILDS)
    source = str(shop_a.resolve())
    assert len(recorded) == 2
    assert recorded[1] == (source, source, LATER, files, size, md5, False)
    assert recorded[0][5] != md5  # the first build's fingerprint stays as it was
    assert {row[-1] for row in rows(path, "select as_of_date from marts.segment_sizes")} == {
        AS_OF,
        LATER,
    }


def test_a_full_refresh_from_another_source_starts_the_history_over(shops, first_build):
    _, shop_b, path = shops
    build = run_dbt(path, shop_b, [*BUILD, "--full-refresh"], raw_format="csv")
    assert build.result.success, "\n".join(build.result.failures())
    files, size, md5 = expected_fingerprint(shop_b)
    source = str(shop_b.resolve())
    assert rows(path, BUILDS) == [(source, source, AS_OF, files, size, md5, True)]
    assert {row[0] for row in rows(path, "select as_of_date from marts.segment_sizes")} == {AS_OF}
    customers = rows(path, "select customer_id from marts.dim_customers order by 1")
    assert customers == [(f"b-{i}",) for i in range(1, 5)]


def test_a_named_source_may_move(tmp_path):
    """raw_source_name, not the folder, identifies a source that has a name."""
    folder = write_export(tmp_path / "monday", "a", orders=3)
    path = tmp_path / "named" / "warehouse.duckdb"
    build = run_dbt(
        path, folder, ["run", "--select", "warehouse_builds"], raw_format="csv",
        raw_source_name="shop_crm",
    )  # fmt: skip
    assert build.result.success, "\n".join(build.result.failures())
    moved = write_export(tmp_path / "tuesday", "a", orders=4)
    build = run_dbt(
        path, moved, ["run", "--select", "warehouse_builds"], raw_format="csv",
        raw_source_name="shop_crm",
    )  # fmt: skip
    assert build.result.success, "\n".join(build.result.failures())
    recorded = rows(path, "select raw_source, raw_location from marts.warehouse_builds")
    assert sorted(recorded) == [
        ("shop_crm", str(folder.resolve())),
        ("shop_crm", str(moved.resolve())),
    ]
