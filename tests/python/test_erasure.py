"""Right to erasure: a person who asked leaves no trace in any relation but the request.

Two levels: hand-written landing files where every row has a known fate, and the
warehouse built from generated data, scanned relation by relation and column by
column for every erased id, email and email hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt
from raw_files import TABLES, erased_rows, read_strings

# gone1 asked (the request id has stray spaces). gone2 once shared gone1's old email
# (other spelling), so it is the same person. A row without id but with gone1's new
# email, an exact copy and an invalid row (gender 'x') of gone1 are erased too, never
# quarantined (a quarantined row keeps its record). keep3 stays.
CUSTOMERS = """\
customer_id,email,gender,created_at,updated_at
gone1,Gone.Person@Old.de,female,2024-01-01,2024-01-01
gone1,gone.person@new.de,female,2024-01-01,2024-02-01
gone1,gone.person@new.de,female,2024-01-01,2024-02-01
gone1,gone.person@new.de,x,2024-01-01,2024-03-01
gone2, GONE.PERSON@OLD.DE ,female,2024-01-05,2024-01-05
,gone.person@new.de,female,2024-01-01,2024-01-01
keep3,keep@example.de,male,2024-01-01,2024-01-01
"""

ORDERS = """\
order_id,customer_id,ordered_at,status,currency,order_total,updated_at
gone-o1,gone1,2024-03-01,paid,EUR,10,2024-03-01
gone-o2,gone2,2024-03-01,paid,EUR,20,2024-03-01
gone-o4,gone1,2024-03-01,on_hold,EUR,5,2024-03-01
keep-o3,keep3,2024-03-01,paid,EUR,30,2024-03-01
"""

ORDER_ITEMS = """\
order_id,line_number,product_id,quantity,unit_price
gone-o1,1,p1,1,4.00
gone-o1,2,p2,1,6.00
gone-o4,1,p1,1,5.00
keep-o3,1,p1,3,10.00
"""

# device shared-dev saw gone1 and keep3: its anonymous event goes (it may be gone1's),
# keep3's own login on it stays, and so does the device id, as keep3's
WEB_EVENTS = """\
event_id,occurred_at,anonymous_id,customer_id,event_type
w1,2024-03-01T10:00:00Z,shared-dev,,page_view
w2,2024-03-01T10:01:00Z,shared-dev,gone1,login
w3,2024-03-02T10:00:00Z,shared-dev,keep3,login
w4,2024-03-02T11:00:00Z,keep-dev,,page_view
w5,2024-03-02T11:01:00Z,keep-dev,keep3,login
"""

CONSENTS = """\
customer_id,purpose,status,recorded_at
gone2,email_marketing,granted,2024-01-05
keep3,email_marketing,granted,2024-01-05
"""

ERASURE_REQUESTS = """\
customer_id,requested_at
 gone1 ,2024-05-01T00:00:00Z
"""

FILES = {
    "customers": CUSTOMERS,
    "orders": ORDERS,
    "order_items": ORDER_ITEMS,
    "web_events": WEB_EVENTS,
    "consents": CONSENTS,
    "erasure_requests": ERASURE_REQUESTS,
}

ERASED = {
    "customers": 6,  # both versions, the copy, the invalid row, gone2, the id-less row
    "orders": 3,
    "order_items": 3,
    "web_events": 2,
    "consents": 1,
}

REQUEST_RELATIONS = {"base_raw__erasure_requests", "stg_raw__erasure_requests"}


def write_landing(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def traces(path: Path, needles: set[str]) -> list[tuple[str, str, str]]:
    """(relation, column, needle) for every text value in the warehouse that contains a
    needle, outside the erasure requests themselves."""
    found = []
    with duckdb.connect(str(path), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"
        ).fetchall()
        connection.execute("create temp table needles (needle varchar)")
        connection.executemany("insert into needles values (?)", [[n] for n in sorted(needles)])
        relations: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            if table not in REQUEST_RELATIONS:
                relations.setdefault((schema, table), []).append(column)
        for (schema, table), names in relations.items():
            # one scan per relation (a view is computed once), every column as text
            labels = ", ".join(f"'{name}'" for name in names)
            values = ", ".join(f'cast(relation."{name}" as varchar)' for name in names)
            hits = connection.execute(
                f"select distinct cells.column_name, needles.needle from ("
                f"select unnest([{labels}]) as column_name, unnest([{values}]) as value "
                f'from "{schema}"."{table}" as relation) as cells '
                "inner join needles on contains(lower(cells.value), lower(needles.needle))"
            ).fetchall()
            found += [(f"{schema}.{table}", column, needle) for column, needle in hits]
    return found


@pytest.fixture(scope="module")
def erasure_builds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("erasure")
    raw = write_landing(folder / "raw")
    builds = {}
    for merge in (True, False):
        build = run_dbt(
            folder / f"merge_{merge}" / "warehouse.duckdb",
            raw,
            ["build", "--exclude-resource-type", "test", "unit_test"],
            raw_format="csv",
            merge_contacts_by_email=merge,
        )
        assert build.result.success, build.result.failures()
        builds[merge] = build
    return builds


def test_erased_rows_are_counted_not_kept(erasure_builds):
    build = erasure_builds[True]
    counts = {
        name: (erased, staged, raw)
        for name, erased, staged, raw in build.query(
            "select table_name, erased_row_count, staged_row_count, raw_row_count "
            "from staging.stg_raw__reconciliation"
        )
    }
    assert {name: counts[name][0] for name in ERASED} == ERASED
    assert counts["customers"][1:] == (1, 7)
    assert counts["orders"][1] == 1
    assert counts["order_items"][1] == 1
    assert counts["web_events"][1] == 3
    assert counts["erasure_requests"][1] == 1
    assert build.query("select count(*) from staging.stg_raw__quarantine") == [(0,)]
    # an erased row keeps its fate and count, nothing else
    rows = build.query(
        "select customer_id, email, raw_row_id, record_key, raw_record, duplicate_count "
        "from staging.base_raw__customers where row_status = 'erased'"
    )
    assert sorted(r[-1] for r in rows) == [0, 0, 0, 0, 1]
    assert all(value is None for row in rows for value in row[:-1])


def test_no_relation_holds_an_erased_id_email_or_hash(erasure_builds):
    needles = {
        "gone",  # every erased id and order id starts with it
        "gone.person@",
        sha256("gone.person@old.de"),
        sha256("gone.person@new.de"),
    }
    assert traces(erasure_builds[True].path, needles) == []
    # what stayed is really there, so the scan can find things
    assert traces(erasure_builds[True].path, {"keep3", "keep-o3", "keep@example.de"})


def test_without_email_merging_only_the_requested_contact_goes(erasure_builds):
    build = erasure_builds[False]
    staged = {r[0] for r in build.query("select customer_id from staging.stg_raw__customers")}
    assert staged == {"gone2", "keep3"}
    assert {r[0] for r in build.query("select order_id from marts.fct_orders")} == {
        "gone-o2",
        "keep-o3",
    }
    assert not traces(build.path, {"gone1", "gone-o1", "gone-o4", "gone.person@new.de"})


def test_generated_warehouse_has_no_trace_of_erased_people(messy_raw, messy_build):
    raw, manifest = messy_raw
    frames = {name: read_strings(raw, name, "parquet") for name in TABLES}
    erased = erased_rows(frames)
    customers = frames["customers"][erased["customers"]]
    ids = set(customers["customer_id"].dropna().str.strip())
    emails = set(customers["email"].dropna().str.strip().str.lower())
    orders = set(frames["orders"][erased["orders"]]["order_id"])
    assert len(ids) >= 3 and emails and orders
    assert manifest["tables"]["web_events"]["erased"] > 0
    needles = ids | emails | orders | {sha256(email) for email in emails}
    assert traces(messy_build.path, needles) == []
    # the scan does find people who were not erased
    kept = frames["customers"].loc[~erased["customers"], "customer_id"].dropna().head(3)
    assert {needle for _, _, needle in traces(messy_build.path, set(kept))} == set(kept)
