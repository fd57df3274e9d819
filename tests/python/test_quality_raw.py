"""Gate 1: Great Expectations checks of the raw landing files, before dbt runs.

Clean generated files pass without a single warning; messy ones pass with warnings whose
counts are the generator's injected defects (from its manifest); broken folders fail,
naming table and check; the gate parses exactly as staging does and never prints a value.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import AS_OF
from custseg import contract, warehouse
from custseg.quality import FAIL, PASS, WARN, gate_passed, raw_gate
from custseg.quality.raw_gate import run_raw_gate, summarize, validate_raw

TABLES = list(contract.load().tables)
# a moment after the generated history (which ends at AS_OF), whatever the clock says
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
STRUCTURAL = {"file_present", "file_readable", "required_columns", "row_count"}


def by_check(results) -> dict[tuple[str, str], object]:
    return {(r.table, r.check): r for r in results}


def row_level(result) -> bool:
    return result.check not in STRUCTURAL


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory) -> dict[str, Path]:
    from custseg.generate import generate

    folders = {}
    for fmt in ("parquet", "csv"):
        out = tmp_path_factory.mktemp(f"clean_{fmt}")
        generate(out, customers=500, seed=11, fmt=fmt, as_of=AS_OF, messy=False)
        folders[fmt] = out
    return folders


def only(source: Path, target: Path, names=("customers", "orders")) -> Path:
    """A landing folder with only some of the tables (the rest: optional, absent)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(source / f"{name}.parquet", target / f"{name}.parquet")
    return target


def rewrite(path: Path, change) -> pa.Table:
    table = change(pq.read_table(path))
    pq.write_table(table, path)
    return table


def set_every(table: pa.Table, column: str, value, every: int) -> tuple[pa.Table, int]:
    """``value`` in every ``every``-th row of ``column``; returns the table and the count."""
    mask = pa.array([i % every == 0 for i in range(table.num_rows)])
    typ = table.schema.field(column).type
    changed = pc.if_else(mask, pa.scalar(value, typ), table.column(column))
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, changed), pc.sum(mask.cast(pa.int64())).as_py()


def write_csv(folder: Path, table: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------- clean and messy
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_clean_generated_data_passes_without_a_warning(clean_raw, fmt):
    results = validate_raw(clean_raw[fmt], fmt, now=NOW)
    assert gate_passed(results)
    flagged = [r for r in results if r.status != PASS]
    assert not flagged, summarize(flagged)
    checks = by_check(results)
    for table in TABLES:
        assert checks[(table, "file_present")].status == PASS
        assert checks[(table, "row_count")].message.endswith(" rows")
        assert (table, "duplicate_key") in checks
    # every check the contract implies ran, e.g. on customers
    for check in (
        "missing_required:customer_id",
        "bad_type:created_at",
        "bad_type:birth_date",
        "bad_value:gender",
        "bad_value:country_code",
        "out_of_range:latitude",
        "future_timestamp:updated_at",
    ):
        assert checks[("customers", check)].failing_rows == 0


@pytest.mark.parametrize("fixture", ["messy_raw", "messy_csv_raw"])
def test_messy_data_passes_with_warnings_counting_the_injected_defects(request, fixture):
    raw, manifest = request.getfixturevalue(fixture)
    fmt = manifest["format"]
    results = validate_raw(raw, fmt, now=NOW)
    assert gate_passed(results), summarize(results)
    assert any(r.status == WARN for r in results)
    assert not any(r.status == FAIL for r in results)
    checks = by_check(results)
    # versioned tables: an exact tie at the latest version is two distinct latest rows
    ties = {}
    for defect in manifest["defects"]:
        if defect["description"].startswith("exact tie"):
            ties[defect["table"]] = ties.get(defect["table"], 0) + 2 * defect["count"]
    compared = 0
    for table, counts in manifest["tables"].items():
        expected = {
            reason: count
            for reason, count in counts["quarantined"].items()
            if not reason.startswith("orphan:")  # parents are staging's business
        }
        if table in ties:
            expected["duplicate_key"] = expected.get("duplicate_key", 0) + ties[table]
        for reason, count in expected.items():
            result = checks[(table, reason)]
            assert result.failing_rows == count, (table, reason)
            assert result.status == WARN
            compared += 1
        for (name, check), result in checks.items():
            if name == table and row_level(result) and check not in expected:
                assert result.failing_rows == 0 and result.status == PASS, (table, check)
        assert checks[(table, "row_count")].message == f"{counts['rows_written']:,} rows"
    assert compared >= 20


def test_a_chunked_run_counts_the_same_as_an_unchunked_run(messy_raw, tmp_path):
    raw, manifest = messy_raw
    # the tables with every kind of row defect (GX costs ~0.1 s a chunk: not all tables)
    names = ["customers", "orders", "web_events", "consents", "reviews"]
    raw = only(raw, tmp_path / "raw", names)
    # every seventh web event: five chunks show the sums across chunks (not all 30)
    rewrite(raw / "web_events.parquet", lambda table: table.take(list(range(0, table.num_rows, 7))))
    chunk_rows = 1_500
    assert manifest["tables"]["customers"]["rows_written"] > chunk_rows
    assert manifest["tables"]["reviews"]["rows_written"] < chunk_rows
    whole = validate_raw(raw, now=NOW)
    chunked = validate_raw(raw, now=NOW, chunk_rows=chunk_rows)
    assert any(r.status == WARN and r.table == "web_events" for r in whole)
    assert [(r.table, r.check, r.status, r.failing_rows) for r in chunked] == [
        (r.table, r.check, r.status, r.failing_rows) for r in whole
    ]


# --------------------------------------------------------------------- broken folders
def assert_blocks(results, table: str, check: str) -> None:
    """The gate fails on exactly this table and check, and the summary says so."""
    assert not gate_passed(results)
    failed = [(r.table, r.check) for r in results if r.status == FAIL]
    assert failed == [(table, check)], failed
    lines = [line for line in summarize(results).splitlines() if line.strip().startswith("FAIL")]
    assert len(lines) == 1 and f"{table}.{check}" in lines[0]
    assert summarize(results).endswith("Gate 1 FAILED.")


def test_a_dropped_required_column_fails_and_skips_the_row_checks(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    rewrite(raw / "customers.parquet", lambda t: t.drop_columns(["created_at"]))
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "customers", "required_columns")
    result = by_check(results)[("customers", "required_columns")]
    assert "created_at" in result.message
    customers = {r.check for r in results if r.table == "customers"}
    assert customers == {"file_present", "required_columns", "file_readable", "row_count"}
    assert by_check(results)[("customers", "row_count")].status == PASS
    assert by_check(results)[("orders", "bad_type:ordered_at")].status == PASS


def test_an_empty_required_file_fails(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    rewrite(raw / "orders.parquet", lambda t: t.slice(0, 0))
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "orders", "row_count")
    assert "no rows" in by_check(results)[("orders", "row_count")].message
    # the row checks ran on no rows and found nothing
    assert by_check(results)[("orders", "missing_required:order_id")].status == PASS


def test_an_unreadable_file_fails_without_quoting_it(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    (raw / "products.parquet").write_text("jane.doe@example.com,not parquet\n")
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "products", "file_readable")
    assert "example" not in by_check(results)[("products", "file_readable")].message


def test_a_missing_required_file_fails_and_a_missing_optional_file_does_not(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw", ["customers", "order_items"])
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "orders", "file_present")
    assert "orders.parquet" in by_check(results)[("orders", "file_present")].message
    absent = [r for r in results if r.table not in ("customers", "orders", "order_items")]
    assert {r.check for r in absent} == {"file_present"}
    assert all(r.status == PASS and "optional" in r.message for r in absent)
    assert "(optional file absent)" in summarize(results)


def test_unparseable_timestamps_warn_and_block_above_the_ratio(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "few")
    table = rewrite(
        raw / "orders.parquet", lambda t: set_every(t, "ordered_at", "yesterday", 97)[0]
    )
    expected = sum(v == "yesterday" for v in table.column("ordered_at").to_pylist())
    result = by_check(validate_raw(raw, now=NOW))[("orders", "bad_type:ordered_at")]
    assert (result.status, result.failing_rows) == (WARN, expected)

    raw = only(clean_raw["parquet"], tmp_path / "many")
    changed = {}

    def break_ten_percent(t):
        t, changed["n"] = set_every(t, "ordered_at", "31.12.2024 10:00", 10)
        return t

    rewrite(raw / "orders.parquet", break_ten_percent)
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "orders", "bad_type:ordered_at")
    result = by_check(results)[("orders", "bad_type:ordered_at")]
    assert result.failing_rows == changed["n"]
    assert "ordered_at" in result.message and "5%" in result.message


def test_timestamps_far_in_the_future_fail(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    changed = {}

    def to_the_future(t):
        t, changed["n"] = set_every(t, "updated_at", "2099-01-01T00:00:00Z", 8)
        return t

    rewrite(raw / "orders.parquet", to_the_future)
    results = validate_raw(raw, now=NOW)
    assert_blocks(results, "orders", "future_timestamp:updated_at")
    assert by_check(results)[("orders", "future_timestamp:updated_at")].failing_rows == changed["n"]
    assert run_raw_gate(raw) == 1


def test_rows_after_as_of_date_but_not_after_now_pass(clean_raw, tmp_path):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    now = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)
    later = (AS_OF + dt.timedelta(days=40)).isoformat() + "T10:00:00+02:00"
    within_tolerance = "2026-09-02 06:00:00"  # 18 h after now
    beyond_tolerance = "2026-09-03T13:00:00Z"  # 2 days after now

    rewrite(raw / "orders.parquet", lambda t: set_every(t, "ordered_at", later, 3)[0])
    rewrite(raw / "customers.parquet", lambda t: set_every(t, "created_at", within_tolerance, 3)[0])
    results = validate_raw(raw, now=now)
    assert gate_passed(results)
    assert not [r for r in results if r.status != PASS], summarize(results)
    # a naive now is UTC
    assert gate_passed(validate_raw(raw, now=now.replace(tzinfo=None)))

    rewrite(raw / "orders.parquet", lambda t: set_every(t, "ordered_at", beyond_tolerance, 50)[0])
    result = by_check(validate_raw(raw, now=now))[("orders", "future_timestamp:ordered_at")]
    assert result.status == WARN and result.failing_rows > 0


# --------------------------------------------------------------------- staging's rules
def test_the_parse_rules_are_the_staging_macros():
    macro = (warehouse.project_dir() / "macros/staging/parse_contract_value.sql").read_text()
    for pattern in (
        raw_gate.INTEGER_PATTERN,
        raw_gate.DECIMAL_PATTERN,
        raw_gate.DATE_PATTERN,
        raw_gate.TIMESTAMP_PATTERN,
    ):
        assert f"'{pattern}'" in macro
    for texts in (raw_gate.TRUE_TEXTS, raw_gate.FALSE_TEXTS):
        assert "(" + ", ".join(f"'{t}'" for t in texts) + ")" in macro


def test_values_are_judged_as_staging_judges_them(tmp_path):
    """Spellings staging accepts pass; what it quarantines is counted, per check."""
    good = {
        "registration_id": "R1",
        "customer_id": "C1",
        "event_name": "Fair",
        "event_type": "workshop",
        "event_city": "Wien",
        "event_date": "2024-02-29",
        "registered_at": "2024-01-01T10:00:00Z",
        "attended": "true",
        "not_in_contract": "ignored@example.com",
    }
    accepted = [
        {"event_type": " Workshop ", "attended": "Yes"},
        {"event_type": "WEBINAR", "attended": " n "},
        {"registered_at": "2024-01-01 10:00", "attended": "0"},
        {"registered_at": "2024-01-01T10:00:00.123+0200"},
        {"registered_at": "2024-01-01"},
        {"registered_at": " 2024-01-01T10:00:00+05:30 ", "attended": ""},
    ]
    rejected = [
        {"event_date": "2024-02-30"},  # the pattern fits, the calendar does not
        {"event_date": "29.02.2024"},
        {"registered_at": "2024-13-45T10:00:00"},
        {"registered_at": "yesterday"},
        {"attended": "maybe"},
        {"event_type": "fair"},
        {"customer_id": "   "},
        {"event_name": ""},
    ]
    rows = [good] + [{**good, **change} for change in accepted + rejected]
    for index, row in enumerate(rows):
        row["registration_id"] = f"R{index}"
    write_csv(tmp_path, "event_registrations", rows)
    checks = by_check(validate_raw(tmp_path, "csv", now=NOW))
    counts = {
        check: result.failing_rows
        for (table, check), result in checks.items()
        if table == "event_registrations" and row_level(result) and result.failing_rows
    }
    assert counts == {
        "bad_type:event_date": 2,
        "bad_type:registered_at": 2,
        "bad_type:attended": 1,
        "bad_value:event_type": 1,
        "missing_required:customer_id": 1,
        "missing_required:event_name": 1,
    }


def test_patterns_bounds_and_column_names(tmp_path):
    rows = [
        {" Currency ": "EUR", "RATE_DATE": "2024-01-01", "rate_to_reporting": "1"},
        {" Currency ": "eur", "RATE_DATE": "2024-01-02", "rate_to_reporting": "1e-2"},
        {" Currency ": "EUR\n", "RATE_DATE": "2024-01-03", "rate_to_reporting": "1"},
        {" Currency ": "EURO", "RATE_DATE": "2024-01-04", "rate_to_reporting": "1"},
        {" Currency ": "EUR", "RATE_DATE": "2024-01-05", "rate_to_reporting": "0"},
        {" Currency ": "EUR", "RATE_DATE": "2024-01-06", "rate_to_reporting": "-0.001"},
        {" Currency ": "EUR", "RATE_DATE": "2024-01-07", "rate_to_reporting": "0.000000001"},
        {" Currency ": "EUR", "RATE_DATE": "2024-01-08", "rate_to_reporting": "1,5"},
        {" Currency ": "EUR", "RATE_DATE": "2024-01-09", "rate_to_reporting": "1e20"},
    ]
    write_csv(tmp_path, "fx_rates", rows)
    checks = by_check(validate_raw(tmp_path, "csv", now=NOW))
    assert checks[("fx_rates", "required_columns")].status == PASS
    assert checks[("fx_rates", "bad_value:currency")].failing_rows == 2
    # gt 0 on decimal(18,8): 0, -0.001, and 1e-9 (rounds to 0 at the scale, as in staging)
    assert checks[("fx_rates", "out_of_range:rate_to_reporting")].failing_rows == 3
    # a decimal comma, and a value beyond the precision
    assert checks[("fx_rates", "bad_type:rate_to_reporting")].failing_rows == 2


def test_key_conflicts_follow_staging(tmp_path):
    review = {
        "review_id": "V1",
        "customer_id": "C1",
        "product_id": "P1",
        "rating": "5",
        "created_at": "2024-01-01T10:00:00Z",
    }
    consent = {
        "customer_id": "C1",
        "purpose": "profiling",
        "status": "granted",
        "recorded_at": "2024-01-01T10:00:00Z",
        "source": "web",
    }
    reviews = [
        review,
        dict(review),  # exact duplicate: dropped, no conflict
        {**review, "review_id": "V2"},
        {**review, "review_id": "V2", "rating": "4"},  # two distinct rows, one key
        {**review, "review_id": " V2 "},  # same key once trimmed: a third distinct row
        {**review, "review_id": "V3"},
        {**review, "review_id": "V3", "rating": "9"},  # invalid: quarantined for itself
    ]
    consents = [
        consent,
        {**consent, "status": "denied", "recorded_at": "2024-02-01T10:00:00Z"},  # newer
        {**consent, "purpose": "sms_marketing"},
        {**consent, "purpose": "SMS_Marketing ", "source": "app"},  # tie at the latest
        {**consent, "purpose": "email_marketing", "recorded_at": "2024-03-01T10:00:00Z"},
        {**consent, "purpose": "email_marketing", "source": "app"},  # older: superseded
    ]
    write_csv(tmp_path, "reviews", reviews)
    write_csv(tmp_path, "consents", consents)
    for chunk_rows in (1_000_000, 2):
        checks = by_check(validate_raw(tmp_path, "csv", now=NOW, chunk_rows=chunk_rows))
        assert checks[("reviews", "duplicate_key")].failing_rows == 3
        assert checks[("reviews", "duplicate_key")].status == FAIL  # 3 of 7 rows
        assert checks[("reviews", "out_of_range:rating")].failing_rows == 1
        assert checks[("consents", "duplicate_key")].failing_rows == 2
        assert "1 key(s)" in checks[("consents", "duplicate_key")].message


# --------------------------------------------------------------------- output, no values
def test_no_value_reaches_the_summary_the_json_or_data_docs(clean_raw, tmp_path, capsys):
    raw = only(clean_raw["parquet"], tmp_path / "raw")
    address = "jane.doe@example.com"

    def emails_everywhere(t):
        for column in ("gender", "country_code", "created_at", "latitude"):
            if pa.types.is_decimal(t.schema.field(column).type):
                t = t.set_column(
                    t.schema.get_field_index(column), column, t.column(column).cast(pa.string())
                )
            t, _ = set_every(t, column, address, 4)
        return t

    rewrite(raw / "customers.parquet", emails_everywhere)
    json_path = tmp_path / "out" / "raw_gate.json"
    assert run_raw_gate(raw, "parquet", json_path=json_path) == 1  # 25 % bad rows block
    printed = capsys.readouterr().out
    assert "customers.bad_value:gender" in printed
    assert address not in printed and not EMAIL.search(printed)
    document = json.loads(json_path.read_text(encoding="utf-8"))["results"]
    assert isinstance(document, list) and {"table", "check", "status"} <= set(document[0])
    assert not EMAIL.search(json_path.read_text(encoding="utf-8"))
    checks = {(r["table"], r["check"]): r for r in document}
    for check in ("bad_value:gender", "bad_value:country_code", "bad_type:created_at"):
        assert checks[("customers", check)]["status"] == FAIL
    assert checks[("customers", "out_of_range:latitude")]["status"] == PASS  # unparseable
    assert checks[("customers", "bad_type:latitude")]["status"] == FAIL

    docs = tmp_path / "docs"
    results = validate_raw(raw, now=NOW, docs_root=docs)
    assert not any(EMAIL.search(r.message) for r in results)
    written = [p for p in docs.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written)
    # every stored run has its page (Data Docs are built once, after the last run)
    site = docs / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
    stored = list((docs / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert stored and len(list(site.rglob("*.html"))) == len(stored)
    for path in written:
        assert address not in path.read_text(encoding="utf-8", errors="ignore"), path


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="max_bad_ratio"):
        validate_raw(tmp_path, max_bad_ratio=1.5)
    with pytest.raises(ValueError, match="chunk_rows"):
        validate_raw(tmp_path, chunk_rows=0)
