"""Issue 11, point 3: no order disappears when a currency has no FX rate.

A hand-written CSV export of a small Swiss/German shop (reporting currency EUR): seven
customers, fourteen orders in EUR, CHF and USD, and no fx_rates file. Every expected value
below is counted by hand from these rows (the comments show the arithmetic), never read
from the project's output.

    customer  orders (date, currency, total, status)
    c_de1     01-10 EUR 100 completed, 03-15 EUR 50 completed, 06-20 EUR 30 paid
    c_de2     02-01 EUR 200 completed, 05-05 EUR 20 cancelled
    c_ch1     02-10 CHF 80 completed, 04-12 CHF 120 shipped, 06-25 CHF 60 paid
    c_ch2     05-30 CHF 45 completed
    c_mix     03-01 EUR 40, 04-01 CHF 70, 04-01 EUR 10, 06-01 EUR 60 (all completed)
    c_us      06-10 USD 90 completed
    c_none    no orders

14 orders up to as_of_date 2026-06-30; 6 without a rate: CHF 5 (35.71 %), USD 1 (7.14 %),
6 / 14 = 42.86 % in all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import BUILD, run_dbt
from custseg import warehouse

CUSTOMERS = [
    # customer_id, email, first_name, country_code, city, lifecycle_stage
    ("c_de1", "anna@example.de", "Anna", "DE", "Berlin", "customer"),
    ("c_de2", "ben@example.de", "Ben", "DE", "München", "customer"),
    ("c_ch1", "chloe@example.ch", "Chloé", "CH", "Zürich", "lead"),
    ("c_ch2", "dario@example.ch", "Dario", "CH", "Basel", "lead"),
    ("c_mix", "eva@example.ch", "Eva", "CH", "Genève", "customer"),
    ("c_us", "fred@example.com", "Fred", "US", "Boston", "lead"),
    ("c_none", "gina@example.de", "Gina", "DE", "Hamburg", "subscriber"),
]
ORDERS = [
    # order_id, customer_id, ordered_at, status, currency, order_total
    ("o01", "c_de1", "2026-01-10 10:00:00", "completed", "EUR", "100.00"),
    ("o02", "c_de1", "2026-03-15 10:00:00", "completed", "EUR", "50.00"),
    ("o03", "c_de1", "2026-06-20 10:00:00", "paid", "EUR", "30.00"),
    ("o04", "c_de2", "2026-02-01 10:00:00", "completed", "EUR", "200.00"),
    ("o05", "c_de2", "2026-05-05 10:00:00", "cancelled", "EUR", "20.00"),
    ("o06", "c_ch1", "2026-02-10 10:00:00", "completed", "CHF", "80.00"),
    ("o07", "c_ch1", "2026-04-12 10:00:00", "shipped", "CHF", "120.00"),
    ("o08", "c_ch1", "2026-06-25 10:00:00", "paid", "CHF", "60.00"),
    ("o09", "c_ch2", "2026-05-30 10:00:00", "completed", "CHF", "45.00"),
    ("o10", "c_mix", "2026-03-01 10:00:00", "completed", "EUR", "40.00"),
    ("o11", "c_mix", "2026-04-01 10:00:00", "completed", "CHF", "70.00"),
    ("o12", "c_mix", "2026-04-01 15:00:00", "completed", "EUR", "10.00"),
    ("o13", "c_mix", "2026-06-01 10:00:00", "completed", "EUR", "60.00"),
    ("o14", "c_us", "2026-06-10 10:00:00", "completed", "USD", "90.00"),
]
FX_RATES = [
    # currency, rate_date, rate_to_reporting (EUR per unit)
    ("CHF", "2026-01-02", "1.05000000"),
    ("CHF", "2026-06-29", "1.10000000"),
    ("USD", "2026-01-02", "0.90000000"),
    ("USD", "2026-06-29", "0.92000000"),
]
UNCONVERTED_SHARE = 6 / 14


def _write(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _export(folder: Path, with_rates: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "customers.csv",
        ["customer_id", "email", "first_name", "country_code", "city", "lifecycle_stage",
         "created_at", "updated_at"],
        [(*row, "2025-11-01 09:00:00", "2026-06-29 09:00:00") for row in CUSTOMERS],
    )  # fmt: skip
    _write(
        folder / "orders.csv",
        ["order_id", "customer_id", "ordered_at", "status", "currency", "order_total",
         "discount_total", "shipping_total", "updated_at"],
        [(*row, "0.00", "0.00", row[2]) for row in ORDERS],
    )  # fmt: skip
    if with_rates:
        _write(folder / "fx_rates.csv", ["currency", "rate_date", "rate_to_reporting"], FX_RATES)
    return folder


def _build(tmp_path_factory, name: str, with_rates: bool, **variables):
    folder = tmp_path_factory.mktemp(name)
    raw = _export(folder / "raw", with_rates)
    build = run_dbt(folder / "warehouse.duckdb", raw, BUILD, raw_format="csv", **variables)
    # this build's results, kept beside its warehouse (the session's target is the next
    # build's; a target of its own would make dbt parse the whole project again)
    (folder / "target").mkdir()
    for name in ("run_results.json", "manifest.json"):
        shutil.copy(warehouse.target_dir() / name, folder / "target" / name)
    return build


@pytest.fixture(scope="module")
def accepted_build(tmp_path_factory):
    """No rates, the share raised to exactly the export's share: at the limit, a warning."""
    build = _build(
        tmp_path_factory, "fx_accepted", False, max_unconverted_order_ratio=UNCONVERTED_SHARE
    )
    assert build.result.success, build.result.failures()
    return build


def _rows(build, sql: str) -> dict:
    with duckdb.connect(str(build.path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_orders_without_a_rate_stay_in_fct_orders_with_null_amounts(accepted_build):
    orders = _rows(
        accepted_build,
        "select order_id, fx_status, currency, order_total_original_currency,"
        " order_total_reporting, rate_to_reporting, purchase_number from marts.fct_orders",
    )
    assert sorted(orders) == [row[0] for row in ORDERS]  # all 14, none lost
    for order_id, _customer, _at, _status, currency, total in ORDERS:
        order = orders[order_id]
        assert order["order_total_original_currency"] == Decimal(total)
        if currency == "EUR":
            assert order["fx_status"] == "reporting_currency"
            assert order["order_total_reporting"] == Decimal(total)
        else:
            assert order["fx_status"] == "missing_fx_rate", order_id
            assert order["order_total_reporting"] is None, order_id  # never 0
            assert order["rate_to_reporting"] is None
    # c_ch1's CHF orders are its purchases 1, 2, 3
    assert [orders[o]["purchase_number"] for o in ("o06", "o07", "o08")] == [1, 2, 3]


def test_customers_in_other_currencies_remain_buyers(accepted_build):
    customers = _rows(
        accepted_build,
        "select customer_id, order_count, purchase_count, first_purchase_date,"
        " last_purchase_date, has_purchased, funnel_stage, unconverted_purchase_count,"
        " m_score, rfm_segment, historical_clv from marts.dim_customers",
    )
    chf = customers["c_ch1"]
    assert (chf["order_count"], chf["purchase_count"]) == (3, 3)
    assert chf["first_purchase_date"] == date(2026, 2, 10)
    assert chf["last_purchase_date"] == date(2026, 6, 25)
    assert chf["has_purchased"] is True
    assert chf["funnel_stage"] == "customer"  # CRM says lead; a purchase makes a customer
    assert chf["unconverted_purchase_count"] == 3
    assert chf["m_score"] is None and chf["historical_clv"] is None  # unknown, not 0
    # r 5 (5 days, the most recent), f 4 (3 purchases: percent_rank 3/5), m unknown -> m = f:
    # cell 544, Champions
    assert chf["rfm_segment"] == "Champions"
    assert customers["c_ch2"]["purchase_count"] == 1
    assert customers["c_ch2"]["unconverted_purchase_count"] == 1
    assert customers["c_us"]["unconverted_purchase_count"] == 1
    assert customers["c_mix"]["unconverted_purchase_count"] == 1
    assert customers["c_de1"]["unconverted_purchase_count"] == 0
    assert customers["c_none"]["unconverted_purchase_count"] == 0
    assert customers["c_none"]["has_purchased"] is False
    # historical value: known amounts only (c_mix: 40 + 10 + 60; the CHF 70 left out)
    assert customers["c_mix"]["historical_clv"] == Decimal("110.00")
    assert customers["c_de1"]["historical_clv"] == Decimal("180.00")


def test_rfm_counts_every_purchase_and_money_only_where_known(accepted_build):
    rfm = _rows(
        accepted_build,
        "select customer_id, recency_days, frequency, monetary, unconverted_purchase_count,"
        " r_score, f_score, m_score, rfm_cell from marts.customer_rfm",
    )
    assert sorted(rfm) == ["c_ch1", "c_ch2", "c_de1", "c_de2", "c_mix", "c_us"]
    expected = {
        # recency: 2026-06-30 minus the last purchase; frequency: valid purchases;
        # monetary: known amounts only
        "c_ch1": (5, 3, None, 3),
        "c_ch2": (31, 1, None, 1),
        "c_us": (20, 1, None, 1),
        "c_mix": (29, 4, Decimal("110.00"), 1),
        "c_de1": (10, 3, Decimal("180.00"), 0),
        "c_de2": (149, 1, Decimal("200.00"), 0),  # the cancelled order is no purchase
    }
    for customer, (recency, frequency, monetary, unconverted) in expected.items():
        row = rfm[customer]
        assert row["recency_days"] == recency, customer
        assert row["frequency"] == frequency, customer
        assert row["monetary"] == monetary, customer
        assert row["unconverted_purchase_count"] == unconverted, customer
    # m ranked among the three known values: 110 -> 1, 180 -> 1 + floor(5 * 0.5) = 3, 200 -> 5
    assert [rfm[c]["m_score"] for c in ("c_mix", "c_de1", "c_de2")] == [1, 3, 5]
    assert rfm["c_ch1"]["m_score"] is None and rfm["c_ch1"]["rfm_cell"] is None
    # r (recency descending over six customers): 149 -> 1, 31 -> 2, 29 -> 3, 20 -> 4, 10 and 5 -> 5
    assert [rfm[c]["r_score"] for c in ("c_de2", "c_ch2", "c_mix", "c_us", "c_de1", "c_ch1")] == [
        1, 2, 3, 4, 5, 5,
    ]  # fmt: skip


def test_clv_input_counts_unknown_days_for_frequency_not_for_value(accepted_build):
    summary = _rows(
        accepted_build,
        "select customer_id, frequency, recency, t, monetary_value, monetary_frequency,"
        " historical_revenue, unconverted_purchase_count"
        " from intermediate.int_customers_clv_summary",
    )
    # c_mix: purchase days 03-01 (40), 04-01 (CHF 70 unknown + EUR 10: the day's total is
    # unknown), 06-01 (60). frequency 2, recency 92 days, T 121 days; the only repeat day
    # with a known total is 06-01: monetary_value 60 over 1 day.
    mix = summary["c_mix"]
    assert (mix["frequency"], mix["recency"], mix["t"]) == (2, 92, 121)
    assert mix["monetary_value"] == pytest.approx(60.0)
    assert mix["monetary_frequency"] == 1
    assert mix["historical_revenue"] == Decimal("110.00")
    # c_ch1: three CHF days -> BG/NBD frequency 2, recency 02-10..06-25 = 135; no value
    chf = summary["c_ch1"]
    assert (chf["frequency"], chf["recency"]) == (2, 135)
    assert chf["monetary_value"] is None and chf["monetary_frequency"] == 0
    assert chf["historical_revenue"] is None
    # c_de1: repeat days 50 and 30 -> 40
    assert summary["c_de1"]["monetary_value"] == pytest.approx(40.0)
    value = _rows(
        accepted_build,
        "select customer_id, frequency, historical_clv, unconverted_purchase_count"
        " from marts.customer_value",
    )
    assert value["c_ch1"]["frequency"] == 2 and value["c_ch1"]["historical_clv"] is None
    assert value["c_ch1"]["unconverted_purchase_count"] == 3


def test_at_the_limit_the_test_warns(accepted_build):
    outcomes = {
        r.node.name: str(r.status)
        for r in accepted_build.result.results
        if r.node.name == "assert_every_order_currency_has_an_fx_rate"
    }
    assert outcomes == {"assert_every_order_currency_has_an_fx_rate": "warn"}


def test_summary_and_quality_report_show_unconverted_orders_per_currency(accepted_build):
    from custseg.quality import WARN
    from custseg.quality.mart_gate import unconverted_order_results
    from custseg.report import print_summary

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert print_summary(accepted_build.path) == 0
    text = out.getvalue()
    assert "Orders without an FX rate: 6 of 14 (42.86%)" in text, text
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}
    assert lines["CHF"] == ["CHF", "5", "35.71%", "2026-02-10", "2026-06-25"]
    assert lines["USD"] == ["USD", "1", "7.14%", "2026-06-10", "2026-06-10"]

    with duckdb.connect(str(accepted_build.path), read_only=True) as connection:
        results = {r.check: r for r in unconverted_order_results(connection)}
    assert set(results) == {"orders_without_fx_rate:CHF", "orders_without_fx_rate:USD"}
    chf = results["orders_without_fx_rate:CHF"]
    assert (chf.status, chf.failing_rows, chf.table) == (WARN, 5, "fct_orders")
    assert "5 of 14 orders (35.71%, 2026-02-10 to 2026-06-25)" in chf.message


def test_above_the_limit_the_build_fails_naming_currencies_and_fix(tmp_path_factory):
    build = _build(tmp_path_factory, "fx_default", False)  # default limit: 1 % of orders
    assert not build.result.success
    failures = "\n".join(build.result.failures())
    assert "assert_every_order_currency_has_an_fx_rate" in failures
    assert "6 of 14 orders (42.86 %) have no FX rate to EUR" in failures, failures
    assert "CHF 5 (35.71 %, 2026-02-10 to 2026-06-25)" in failures
    assert "USD 1 (7.14 %, 2026-06-10 to 2026-06-10)" in failures
    assert "max_unconverted_order_ratio = 0.01" in failures
    assert "fx_rates.csv" in failures and "currency, rate_date, rate_to_reporting" in failures
    assert "reporting_currency" in failures
    # the quality report's dbt gate row carries the currencies
    from custseg.quality import FAIL
    from custseg.quality.dbt_gate import dbt_results

    rows = [
        r
        for r in dbt_results(build.path.parent / "target")
        if r.check == "assert_every_order_currency_has_an_fx_rate"
    ]
    assert [r.status for r in rows] == [FAIL]
    assert "CHF 5 (35.71 %" in rows[0].message and "USD 1" in rows[0].message, rows[0].message
    # nothing is built on unknown money: fct_orders and what reads it are skipped
    statuses = {r.node.name: str(r.status) for r in build.result.results}
    for model in ("fct_orders", "customer_rfm", "dim_customers"):
        assert statuses.get(model) == "skipped", (model, statuses.get(model))


def test_with_an_fx_rates_file_the_amounts_are_converted(tmp_path_factory):
    build = _build(tmp_path_factory, "fx_rates", True)  # default limit
    assert build.result.success, build.result.failures()
    orders = _rows(
        build,
        "select order_id, fx_status, order_total_reporting from marts.fct_orders"
        " where currency <> 'EUR'",
    )
    # the latest rate on or before the order date: every order is before 06-29 -> 1.05, 0.90
    assert {o: (r["fx_status"], r["order_total_reporting"]) for o, r in orders.items()} == {
        "o06": ("converted", Decimal("84.00")),  # 80 * 1.05
        "o07": ("converted", Decimal("126.00")),  # 120 * 1.05
        "o08": ("converted", Decimal("63.00")),  # 60 * 1.05
        "o09": ("converted", Decimal("47.25")),  # 45 * 1.05
        "o11": ("converted", Decimal("73.50")),  # 70 * 1.05
        "o14": ("converted", Decimal("81.00")),  # 90 * 0.90
    }
    rfm = _rows(
        build,
        "select customer_id, monetary, unconverted_purchase_count from marts.customer_rfm",
    )
    assert rfm["c_ch1"]["monetary"] == Decimal("273.00")  # 84 + 126 + 63
    assert rfm["c_mix"]["monetary"] == Decimal("183.50")  # 40 + 73.50 + 10 + 60
    assert all(row["unconverted_purchase_count"] == 0 for row in rfm.values())
    statuses = {r.node.name: str(r.status) for r in build.result.results}
    assert statuses["assert_every_order_currency_has_an_fx_rate"] == "pass"
