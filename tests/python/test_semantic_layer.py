"""The dbt semantic layer (issue 12, point 2): MetricFlow's own CLI (`mf`), as a user runs
it, against the messy warehouse built on two dates a month apart (later_builds).

`mf validate-configs` checks the semantic models and metrics, against the warehouse too.
Each metric's `mf query` result is compared with the same number computed in plain SQL
from the marts; the segment-size metrics are snapshots, so a year holding two build dates
shows the later date's members, not the sum of both.

`mf` reads the semantic manifest from <project>/target/semantic_manifest.json, always; the
tests run it through `custseg mf`, which gives it a folder of links to the project whose
target/ is dbt's target of the moment (here a temporary one), never the repository's.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from custseg import warehouse

CUSTSEG = Path(sys.executable).with_name("custseg")


@pytest.fixture(scope="module")
def mf_project(later_builds, tmp_path_factory) -> Path:
    """A dbt target folder with the session's semantic manifest, and a copy of the two-date
    messy warehouse, as `custseg mf` finds them through DBT_TARGET_PATH and WAREHOUSE_PATH
    (as for the demo, whose target lives under data/demo/)."""
    root = tmp_path_factory.mktemp("mf_project")
    (root / "target").mkdir()
    shutil.copy(warehouse.target_dir() / "semantic_manifest.json", root / "target")
    _, build, _ = later_builds
    shutil.copy(build.path, root / "warehouse.duckdb")
    return root


def mf(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`custseg mf <args>`: MetricFlow's CLI, run as a user runs it."""
    environment = {
        **os.environ,
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [str(CUSTSEG), "mf", *args], cwd=root, env=environment, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def query(root: Path, metrics: list[str], group_by: list[str] | None = None) -> list[dict]:
    """`mf query` as CSV rows (values as text; empty for null)."""
    out = root / "query.csv"
    out.unlink(missing_ok=True)
    args = ["query", "--metrics", ",".join(metrics), "--csv", str(out)]
    if group_by:
        args += ["--group-by", ",".join(group_by)]
    completed = mf(root, *args)
    assert completed.returncode == 0 and out.exists(), completed.stdout + completed.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sql(root: Path, text: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(text).fetchall()


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def close(got, expected) -> bool:
    if expected is None or got is None:
        return got is expected
    return got == pytest.approx(float(expected), rel=1e-9, abs=1e-9)


def test_mf_validate_configs_passes_against_the_warehouse(mf_project):
    completed = mf(mf_project, "validate-configs")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Successfully validated semantic models against data warehouse" in output
    assert "Successfully validated metrics against data warehouse" in output
    assert "ERRORS: 0" in output and "✖" not in output


def test_customer_and_value_metrics_equal_the_marts(mf_project):
    (row,) = query(
        mf_project,
        ["customers", "buyers", "repeat_buyers", "repeat_purchase_rate", "historical_clv",
         "predicted_clv_12m", "valued_customers", "average_predicted_clv_12m"],
    )  # fmt: skip
    ((customers, buyers, repeat_buyers),) = sql(
        mf_project,
        "select count(*), count(*) filter (where has_purchased),"
        " count(*) filter (where purchase_count >= 2) from marts.dim_customers",
    )
    ((historical, predicted, valued),) = sql(
        mf_project,
        "select sum(historical_clv), sum(predicted_clv_12m), count(predicted_clv_12m)"
        " from marts.customer_value"
        " where as_of_date = (select max(as_of_date) from marts.customer_value)",
    )
    assert buyers > 0 and 0 < repeat_buyers < buyers and valued > 0
    assert int(row["customers"]) == customers and int(row["buyers"]) == buyers
    assert int(row["repeat_buyers"]) == repeat_buyers and int(row["valued_customers"]) == valued
    assert close(number(row["repeat_purchase_rate"]), repeat_buyers / buyers)
    assert close(number(row["historical_clv"]), historical)
    assert close(number(row["predicted_clv_12m"]), predicted)
    assert close(number(row["average_predicted_clv_12m"]), predicted / valued)


def test_order_metrics_by_channel_and_country_equal_fct_orders(mf_project):
    by_channel = {
        row["order__channel"]: row
        for row in query(
            mf_project,
            ["revenue", "orders", "priced_orders", "average_order_value", "purchasing_customers"],
            ["order__channel"],
        )
    }
    expected = sql(
        mf_project,
        """
        select channel, sum(order_total_reporting), count(*), count(order_total_reporting),
            sum(order_total_reporting) / count(order_total_reporting), count(distinct customer_id)
        from marts.fct_orders where is_valid_purchase group by channel
        """,
    )
    assert len(expected) >= 3 and set(by_channel) == {channel or "" for channel, *_ in expected}
    for channel, revenue, orders, priced, average, buyers in expected:
        row = by_channel[channel or ""]
        assert close(number(row["revenue"]), revenue), channel
        assert int(row["orders"]) == orders and int(row["purchasing_customers"]) == buyers
        assert int(row["priced_orders"]) == priced
        assert close(number(row["average_order_value"]), average), channel
    by_country = {
        row["customer__country_code"]: number(row["revenue"])
        for row in query(mf_project, ["revenue"], ["customer__country_code"])
    }
    expected = sql(
        mf_project,
        """
        select customers.country_code, sum(orders.order_total_reporting)
        from marts.fct_orders as orders
        left join marts.dim_customers as customers on orders.customer_id = customers.customer_id
        where orders.is_valid_purchase group by customers.country_code
        """,
    )
    assert len(expected) >= 3
    assert {country or "": None for country, _ in expected}.keys() == by_country.keys()
    for country, revenue in expected:
        assert close(by_country[country or ""], revenue), country


def test_segment_members_over_a_year_are_its_last_snapshot_not_a_sum(mf_project, later_builds):
    later, _, _ = later_builds
    rows = query(
        mf_project, ["segment_members", "segment_revenue"],
        ["segment__segment_name", "metric_time__year"],
    )  # fmt: skip
    got = {(row["segment__segment_name"], row["metric_time__year"][:4]): row for row in rows}
    expected = sql(
        mf_project,
        """
        select segments.segment_name, year(sizes.as_of_date),
            arg_max(sizes.member_count, sizes.as_of_date), sum(sizes.member_count),
            count(distinct sizes.as_of_date), arg_max(sizes.revenue, sizes.as_of_date)
        from marts.segment_sizes as sizes
        inner join marts.dim_segments as segments on sizes.segment_id = segments.segment_id
        group by all
        """,
    )
    assert len(expected) >= 10 and len(got) == len(expected)
    assert {row[4] for row in expected} == {2}  # two builds (AS_OF, a month later)
    summed_differs = 0
    for name, year, last, summed, _, revenue in expected:
        assert int(got[(name, str(year))]["segment_members"]) == last, name
        assert close(number(got[(name, str(year))]["segment_revenue"]), revenue), name
        summed_differs += summed != last
    assert summed_differs >= 10
    assert later.year == expected[0][1]


def test_segment_reach_per_channel_equals_the_consented_non_holdout_audience(mf_project):
    rows = query(
        mf_project, ["segment_reach"], ["segment__segment_name", "audience_member__channel"]
    )
    got = {(r["segment__segment_name"], r["audience_member__channel"]): r for r in rows}
    expected = sql(
        mf_project,
        """
        select segments.segment_name, audiences.channel, count(*) filter (where not is_holdout)
        from marts.audience_exports as audiences
        inner join marts.dim_segments as segments on audiences.segment_id = segments.segment_id
        where audiences.as_of_date = (select max(as_of_date) from marts.audience_exports)
        group by all
        """,
    )
    assert {channel for _, channel, _ in expected} >= {"email", "sms", "paid_media"}
    assert len(got) == len(expected)
    for name, channel, reach in expected:
        assert int(got[(name, channel)]["segment_reach"]) == reach, (name, channel)


def test_campaign_metrics_equal_segment_performance(mf_project):
    counts = ["targeted_members", "holdout_members", "treated_conversions",
              "holdout_conversions", "incremental_conversions", "campaign_cost"]  # fmt: skip
    metrics = ["campaign_conversion_rate", "holdout_conversion_rate", "conversion_uplift",
               "cost_per_acquisition", "cost_per_incremental_conversion", *counts]  # fmt: skip
    got = {r["campaign__campaign_channel"]: r for r in query(
        mf_project, metrics, ["campaign__campaign_channel"])}  # fmt: skip
    expected = sql(
        mf_project,
        """
        select channel,
            sum(treated_conversions) / sum(members_targeted),
            sum(holdout_conversions) / nullif(sum(holdout_members), 0),
            sum(campaign_cost) / nullif(sum(treated_conversions), 0),
            sum(campaign_cost) / nullif(sum(incremental_conversions), 0),
            sum(members_targeted), sum(holdout_members), sum(treated_conversions),
            sum(holdout_conversions), sum(incremental_conversions), sum(campaign_cost)
        from marts.segment_performance group by channel
        """,
    )
    assert len(expected) >= 2 and set(got) == {channel for channel, *_ in expected}
    for channel, treated, holdout, per_acquisition, per_incremental, *sums in expected:
        row = got[channel]
        for name, value in zip(counts, sums, strict=True):
            assert close(number(row[name]), value), (channel, name)
        assert close(number(row["campaign_conversion_rate"]), treated), channel
        assert close(number(row["holdout_conversion_rate"]), holdout), channel
        uplift = None if holdout is None else treated - holdout
        assert close(number(row["conversion_uplift"]), uplift), channel
        assert close(number(row["cost_per_acquisition"]), per_acquisition), channel
        assert close(number(row["cost_per_incremental_conversion"]), per_incremental), channel


def test_every_saved_query_runs(mf_project):
    """The README's questions, as saved queries in the semantic manifest; `mf query
    --saved-query` runs one."""
    names = [
        "revenue_by_month_and_channel", "revenue_by_country", "revenue_by_rfm_segment",
        "segment_sizes_over_time", "segment_reach_by_channel", "campaign_results",
        "customer_value_overview",
    ]  # fmt: skip
    manifest = json.loads((mf_project / "target" / "semantic_manifest.json").read_text())
    assert sorted(q["name"] for q in manifest["saved_queries"]) == sorted(names)
    out = mf_project / "saved.csv"
    completed = mf(mf_project, "query", "--saved-query", "revenue_by_country", "--csv", str(out))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) >= 3
