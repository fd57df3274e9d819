"""Staging rules on small hand-written landing files, each row a case with a known answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_dbt

CUSTOMERS = '''\
Customer_ID,EMAIL,gender,country_code,created_at,updated_at,first_name,unused_extra
c1, Anna.Mueller@Example.DE ,Female, de ,2024-03-01T10:00:00+01:00,2024-03-01T10:00:00+01:00,Anna,x
c1,anna@new.de,female,DE,2024-03-01T10:00:00+01:00,2024-04-01T00:00:00Z,Anna,y
c2,obrien@example.ie,male,ie,2024-01-01 00:00:00,2024-01-01 00:00:00,"O'Brien, ""Jr""",z
c3,x@example.de,x,DE,2024-01-01,2024-01-01,Bad,z
c4,y@example.de,unknown,Germany,2024-01-01,2024-01-01,Bad,z
c5,t@example.us,,US,2024-01-01T00:00:00-08:00,2024-01-01T00:00:00-08:00,Zoë,z
c6,tie-one@example.de,,DE,2024-01-01,2024-05-01T00:00:00Z,Tie,z
c6,tie-two@example.de,,DE,2024-01-01,2024-05-01T00:00:00Z,Tie,z
,nokey@example.de,,DE,2024-01-01,2024-01-01,NoKey,z
c7,late@example.de,,DE,yesterday,2024-01-01,Late,z
'''

ORDERS = """\
order_id,customer_id,ordered_at,status,currency,order_total,updated_at
o1,c1,2024-03-02T12:00:00+02:00, Completed ,eur,12.345,2024-03-03T00:00:00Z
o2,c9,2024-03-02T12:00:00Z,paid,EUR,10,2024-03-02T12:00:00Z
o3,c2,2024-03-02T12:00:00Z,paid,EUR,-1,2024-03-02T12:00:00Z
o4,c2,2024-02-30 10:00:00,paid,EUR,5,2024-03-02T12:00:00Z
o5,c3,2024-03-02T12:00:00Z,paid,EUR,5,2024-03-02T12:00:00Z
o6,c2,2024-03-02T12:00:00Z,on_hold,EUR,5,2024-03-02T12:00:00Z
o7,c2,2024-03-02T12:00:00Z,paid,EURO,5,2024-03-02T12:00:00Z
"""

ORDER_ITEMS = """\
order_id,line_number,product_id,quantity,unit_price
o1,1,p1,2,5.00
o1,2,p2,1.5,1.00
o1,3,p3,0,1.00
o1,4,p4, 3 ,0
o3,1,p1,1,1.00
o9,1,p1,1,1.00
"""

WEB_EVENTS = """\
event_id,occurred_at,anonymous_id,customer_id,event_type,page_path
e1,2024-03-01T10:00:00Z,a1,,page_view,/home
e2,2024-03-01T10:01:00Z,a1,c1,page_view,/cart
e2,2024-03-01T10:01:00Z,a1,c1,page_view,/checkout
e3,2024-03-01T10:02:00Z,a1,c1,page_view,/home
e3,2024-03-01T10:02:00Z,a1,c1,page_view,/home
e4,2024-03-01T10:03:00Z,a2,c404,page_view,/home
"""

EVENT_REGISTRATIONS = """\
registration_id,customer_id,event_name,event_date,registered_at,attended
r1,c1,Workshop,2024-04-01,2024-03-01T10:00:00Z,YES
r2,c1,Webinar,2024-04-02,2024-03-01T10:00:00Z,0
r3,c2,Fair,2024-04-03,2024-03-01T10:00:00Z,maybe
r4,c2,Fair,01.04.2024,2024-03-01T10:00:00Z,true
"""

FILES = {
    "customers": CUSTOMERS,
    "orders": ORDERS,
    "order_items": ORDER_ITEMS,
    "web_events": WEB_EVENTS,
    "event_registrations": EVENT_REGISTRATIONS,
}


def write_landing(folder: Path, reverse_rows: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        header, *rows = text.splitlines()
        if reverse_rows:
            rows = rows[::-1]
        (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rules_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    build = run_dbt(
        folder / "warehouse.duckdb",
        write_landing(folder / "raw"),
        ["run", "--select", "staging"],
        raw_format="csv",
    )
    assert build.result.success, build.result.failures()
    return build


def quarantine(build, table_name: str) -> dict[str, str]:
    return dict(
        build.query(
            "select record_key, quarantine_reason from staging.stg_raw__quarantine "
            "where table_name = ?",
            [table_name],
        )
    )


def test_contract_violations_get_the_first_reason_in_column_order(rules_build):
    assert quarantine(rules_build, "customers") == {
        "": "missing_required:customer_id",
        "c3": "bad_value:gender",
        "c4": "bad_value:country_code",
        "c7": "bad_type:created_at",
    }
    assert quarantine(rules_build, "orders") == {
        "o2": "orphan:customers",
        "o3": "out_of_range:order_total",
        "o4": "bad_type:ordered_at",  # 30 February does not exist
        "o5": "orphan:customers",  # its customer c3 is quarantined: the orphan follows
        "o6": "bad_value:status",
        "o7": "bad_value:currency",
    }


def test_order_items_need_a_staged_order_and_whole_positive_quantities(rules_build):
    assert quarantine(rules_build, "order_items") == {
        "o1|2": "bad_type:quantity",  # 1.5 is not an integer, on every engine
        "o1|3": "out_of_range:quantity",
        "o3|1": "orphan:orders",  # order o3 was quarantined
        "o9|1": "orphan:orders",
    }
    rows = rules_build.query(
        "select line_number, quantity, unit_price from staging.stg_raw__order_items "
        "order by line_number"
    )
    assert rows == [(1, 2, Decimal("5.00")), (4, 3, Decimal("0.00"))]


def test_the_latest_version_wins_and_values_are_normalised(rules_build):
    rows = rules_build.query(
        "select customer_id, email, gender, country_code, created_at, updated_at, first_name "
        "from staging.stg_raw__customers where customer_id in ('c1', 'c2') order by 1"
    )
    assert rows == [
        (
            "c1",
            "anna@new.de",
            "female",
            "DE",
            dt.datetime(2024, 3, 1, 9, 0),
            dt.datetime(2024, 4, 1, 0, 0),
            "Anna",
        ),
        (
            "c2",
            "obrien@example.ie",
            "male",
            "IE",
            dt.datetime(2024, 1, 1),
            dt.datetime(2024, 1, 1),
            'O\'Brien, "Jr"',
        ),
    ]


def test_timestamps_with_offsets_are_converted_to_utc(rules_build):
    assert rules_build.query(
        "select created_at from staging.stg_raw__customers where customer_id = 'c5'"
    ) == [(dt.datetime(2024, 1, 1, 8, 0),)]
    assert rules_build.query(
        "select ordered_at, status, currency, order_total from staging.stg_raw__orders"
    ) == [(dt.datetime(2024, 3, 2, 10, 0), "completed", "EUR", Decimal("12.35"))]


def test_conflicting_copies_of_an_unversioned_key_are_all_quarantined(rules_build):
    assert sorted(
        rules_build.query(
            "select record_key, quarantine_reason from staging.stg_raw__quarantine "
            "where table_name = 'web_events'"
        )
    ) == [("e2", "duplicate_key"), ("e2", "duplicate_key"), ("e4", "orphan:customers")]
    (counts,) = rules_build.query(
        "select staged_row_count, quarantined_row_count, exact_duplicate_row_count "
        "from staging.stg_raw__reconciliation where table_name = 'web_events'"
    )
    assert counts == (2, 3, 1)  # e1, e3 staged; both e2 and e4 quarantined; one e3 copy


def test_booleans_and_dates_parse_by_the_contract(rules_build):
    assert rules_build.query(
        "select registration_id, has_attended from staging.stg_raw__event_registrations order by 1"
    ) == [("r1", True), ("r2", False)]
    assert quarantine(rules_build, "event_registrations") == {
        "r3": "bad_type:attended",
        "r4": "bad_type:event_date",
    }


def test_version_ties_do_not_depend_on_file_order(rules_build, tmp_path):
    reversed_build = run_dbt(
        tmp_path / "warehouse.duckdb",
        write_landing(tmp_path / "raw", reverse_rows=True),
        ["run", "--select", "staging"],
        raw_format="csv",
    )
    assert reversed_build.result.success, reversed_build.result.failures()
    query = "select email from staging.stg_raw__customers where customer_id = 'c6'"
    assert rules_build.query(query) == reversed_build.query(query)
    assert len(rules_build.query(query)) == 1


def test_a_table_over_the_quarantine_limit_stops_the_build_with_its_reasons(tmp_path):
    """customers: 4 of 10 raw rows quarantined, far over the default 5 %."""
    build = run_dbt(
        tmp_path / "warehouse.duckdb",
        write_landing(tmp_path / "raw"),
        # the hand-made rows are from 2024: freshness as of 2026 would fail first
        ["build", "--select", "staging", "--exclude", "test_name:fresh_as_of"],
        raw_format="csv",
    )
    assert not build.result.success
    message = "\n".join(build.result.failures())
    assert "Raw table 'customers': 4 of 10 rows quarantined (40.00 %)" in message
    assert "bad_type:created_at (1)" in message
    assert "exceeds max_quarantine_ratio = 0.05" in message
    statuses = {r.node.name: str(r.status) for r in build.result.results}
    assert statuses["stg_raw__customers"] == "skipped"  # nothing downstream is built
    assert statuses["stg_raw__quarantine"] == "skipped"


def test_rows_satisfy_counts_the_rows_breaking_each_rule(rules_build):
    """The generic test that carries the staging contract's row rules (tests/generic/
    rows_satisfy.sql), on rows with a known answer: a null breaks not_null only; a null
    passes accepted_values and expressions, as dbt's accepted_values and expression_is_true
    let it; a shared key counts every row that shares it; each broken rule is one row with
    its count, and rules nobody breaks are absent."""
    rows = (
        "(values (1, 'a', 5, 'x'), (null, 'b', -1, 'x'), (null, 'z', null, 'y'),"
        " (4, null, 0, 'y'), (5, 'a', 200, 'x')) as t (id, kind, amount, code)"
    )
    sql = (
        f'{{{{ test_rows_satisfy(model="(select * from {rows})",'
        " not_null=['id', 'kind'], accepted_values={'kind': ['a', 'b'], 'id': [1, 4, 5]},"
        " expressions=['amount >= 0', 'amount < 100'], unique=['kind', 'code']) }}"
    )
    shown = run_dbt(
        rules_build.path,
        rules_build.path.parent / "raw",
        ["show", "--inline", sql, "--limit", "-1"],
        raw_format="csv",
    )
    assert shown.result.success, shown.result.failures()
    (result,) = shown.result.results
    broken = {rule: count for rule, count in result.agate_table.rows}
    assert broken == {
        "id is not null": 2,
        "kind is not null": 1,
        "kind in ('a', 'b')": 1,
        "amount >= 0": 1,
        "amount < 100": 1,
        # (a, x) is on two rows; (null, y) has a null and is not_null's to judge
        "kind, code is unique": 2,
    }
