"""A hand-written, fused DuckDB pass over the landing files: the yardstick `make bench`
measures the dbt build against.

    .venv/bin/python benchmarks/baseline.py RAW_FOLDER [--as-of 2026-06-30]

What a skilled engineer would write in one script for the core of the warehouse, with no
framework, no tests and no quality gates:
- customers, orders and order lines validated (keys present, timestamps and amounts that
  parse, known statuses) and deduplicated (latest updated_at wins);
- order facts in the reporting currency (the latest rate on or before the order date),
  with the purchase sequence per customer;
- the customer dimension: order aggregates, loyalty tier, age and income bands;
- RFM scores now and at every month end since the first purchase (percent_rank
  quintiles, as the warehouse scores them);
- BG/NBD and Gamma-Gamma fitted by plain L-BFGS-B (numerical gradients) on the unique
  (frequency, recency, T) rows, per-customer p_alive and 12-month CLV;
- twenty segments evaluated and unpivoted into memberships.
Everything runs in one in-memory DuckDB connection; nothing is written but the timing.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb
import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

STAGE = """
create table customers as
select * exclude (version) from (
    select
        trim(customer_id) as customer_id,
        try_cast(birth_date as date) as birth_date,
        try_cast(annual_income as decimal(14, 2)) as annual_income,
        lower(trim(country_code)) as country_code,
        lower(trim(gender)) as gender,
        lower(trim(lifecycle_stage)) as lifecycle_stage,
        try_cast(created_at as timestamptz) as created_at,
        row_number() over (
            partition by trim(customer_id) order by try_cast(updated_at as timestamptz) desc
        ) as version
    from read_parquet('{raw}/customers.parquet')
    where nullif(trim(customer_id), '') is not null
) where version = 1;

create table orders as
select * exclude (version) from (
    select
        trim(order_id) as order_id,
        trim(customer_id) as customer_id,
        try_cast(ordered_at as timestamptz) as ordered_at,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        try_cast(order_total as decimal(14, 2)) as order_total,
        lower(trim(channel)) as channel,
        row_number() over (
            partition by trim(order_id) order by try_cast(updated_at as timestamptz) desc
        ) as version
    from read_parquet('{raw}/orders.parquet')
    where nullif(trim(order_id), '') is not null
        and nullif(trim(customer_id), '') is not null
        and try_cast(ordered_at as timestamptz) is not null
        and lower(trim(status)) in
            ('placed', 'paid', 'shipped', 'completed', 'cancelled', 'returned')
) where version = 1 and cast(ordered_at as date) <= date '{as_of}';

create table order_lines as
select distinct on (order_id, line_number)
    trim(order_id) as order_id,
    line_number,
    trim(product_id) as product_id,
    quantity,
    try_cast(unit_price as decimal(14, 2)) as unit_price
from read_parquet('{raw}/order_items.parquet')
where nullif(trim(order_id), '') is not null and quantity > 0 and unit_price >= 0;
"""

FACTS = """
create table fct_orders as
with lines as (
    select order_id, count(*) as line_count, sum(quantity) as item_quantity
    from order_lines group by order_id
),
converted as (
    select
        orders.*,
        case when orders.currency = '{currency}' then 1 else fx.rate_to_reporting end as rate
    from orders
    asof left join (
        select upper(trim(currency)) as currency, rate_date, rate_to_reporting
        from read_parquet('{raw}/fx_rates.parquet')
    ) as fx
        on orders.currency = fx.currency and cast(orders.ordered_at as date) >= fx.rate_date
)
select
    converted.order_id,
    converted.customer_id,
    converted.ordered_at,
    cast(converted.ordered_at as date) as ordered_date,
    converted.status in ('paid', 'shipped', 'completed') as is_valid_purchase,
    cast(converted.order_total * converted.rate as decimal(18, 2)) as order_total_reporting,
    coalesce(lines.line_count, 0) as line_count,
    coalesce(lines.item_quantity, 0) as item_quantity,
    converted.channel,
    row_number() over (
        partition by converted.customer_id, converted.status in ('paid', 'shipped', 'completed')
        order by converted.ordered_at, converted.order_id
    ) as sequence_number
from converted
inner join customers using (customer_id)
left join lines using (order_id);

create table dim_customers as
with purchases as (
    select
        customer_id,
        count(*) as order_count,
        count(*) filter (where is_valid_purchase) as purchase_count,
        sum(order_total_reporting) filter (where is_valid_purchase) as revenue,
        min(ordered_date) filter (where is_valid_purchase) as first_purchase_date,
        max(ordered_date) filter (where is_valid_purchase) as last_purchase_date
    from fct_orders group by customer_id
),
loyalty as (
    select distinct on (trim(customer_id)) trim(customer_id) as customer_id, lower(tier) as tier
    from read_parquet('{raw}/loyalty_members.parquet')
)
select
    customers.*,
    date_diff('year', customers.birth_date, date '{as_of}') as age,
    case
        when date_diff('year', customers.birth_date, date '{as_of}') < 25 then '18-24'
        when date_diff('year', customers.birth_date, date '{as_of}') < 35 then '25-34'
        when date_diff('year', customers.birth_date, date '{as_of}') < 45 then '35-44'
        when date_diff('year', customers.birth_date, date '{as_of}') < 55 then '45-54'
        when date_diff('year', customers.birth_date, date '{as_of}') < 65 then '55-64'
        when customers.birth_date is not null then '65+'
    end as age_band,
    case
        when customers.annual_income < 25000 then 'low'
        when customers.annual_income < 60000 then 'middle'
        when customers.annual_income < 120000 then 'upper_middle'
        when customers.annual_income is not null then 'high'
    end as income_band,
    coalesce(purchases.order_count, 0) as order_count,
    coalesce(purchases.purchase_count, 0) as purchase_count,
    purchases.revenue,
    purchases.first_purchase_date,
    purchases.last_purchase_date,
    loyalty.tier as loyalty_tier
from customers
left join purchases using (customer_id)
left join loyalty using (customer_id);
"""

RFM = """
create table customer_rfm_monthly as
with monthly as (
    select
        customer_id,
        last_day(ordered_date) as month_end,
        count(*) as orders,
        sum(order_total_reporting) as total,
        max(ordered_date) as last_date
    from fct_orders where is_valid_purchase
    group by all
),
snapshots as (
    select unnest(generate_series(
        last_day(min(month_end)), date '{as_of}', interval 1 month
    ))::date as snapshot_date
    from monthly
    union select date '{as_of}'
),
measured as (
    select
        last_day(snapshots.snapshot_date) as snapshot_date,
        monthly.customer_id,
        date_diff('day', max(monthly.last_date), min(snapshots.snapshot_date)) as recency_days,
        sum(monthly.orders) as frequency,
        sum(monthly.total) as monetary
    from snapshots
    inner join monthly on monthly.month_end <= last_day(snapshots.snapshot_date)
    where snapshots.snapshot_date <= date '{as_of}'
    group by all
)
select
    *,
    least(5, 1 + floor(5 * percent_rank() over (
        partition by snapshot_date order by recency_days desc))) as r_score,
    least(5, 1 + floor(5 * percent_rank() over (
        partition by snapshot_date order by frequency))) as f_score,
    least(5, 1 + floor(5 * percent_rank() over (
        partition by snapshot_date order by monetary))) as m_score
from measured;
"""

CLV_SUMMARY = """
with days as (
    select customer_id, ordered_date, sum(order_total_reporting) as total
    from fct_orders where is_valid_purchase group by all
),
numbered as (
    select *, row_number() over (partition by customer_id order by ordered_date) as n
    from days
)
select
    customer_id,
    count(*) - 1 as frequency,
    date_diff('day', min(ordered_date), max(ordered_date)) as recency,
    date_diff('day', min(ordered_date), date '{as_of}') as t,
    avg(total) filter (where n > 1) as monetary_value
from numbered group by customer_id
"""

SEGMENTS = {
    "champions": "r_score >= 4 and f_score >= 4 and m_score >= 4",
    "loyal": "f_score >= 4",
    "at_risk": "r_score <= 2 and f_score >= 3",
    "lost": "r_score = 1 and f_score <= 2",
    "new_customers": "first_purchase_date > date '{as_of}' - 30",
    "one_time_buyers": "purchase_count = 1",
    "repeat_buyers": "purchase_count >= 2",
    "never_purchased": "purchase_count = 0",
    "high_value": "revenue >= 1000",
    "top_clv": "clv_12m >= clv_p90",
    "likely_churn": "p_alive < 0.3",
    "young_adults": "age_band = '18-24'",
    "seniors": "age_band = '65+'",
    "high_income": "income_band = 'high'",
    "gold_or_better": "loyalty_tier in ('gold', 'platinum')",
    "germany": "country_code = 'de'",
    "nordics": "country_code in ('dk', 'se', 'no', 'fi')",
    "lapsed_180d": "last_purchase_date < date '{as_of}' - 180",
    "leads": "lifecycle_stage in ('lead', 'subscriber')",
    "women_high_value": "gender = 'female' and revenue >= 500",
}


def _bg_nbd_negative_log_likelihood(log_params, x, t_x, big_t, w):
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return -(w * (a1 + a2 + np.logaddexp(a3, a4))).sum() / w.sum()


def _gamma_gamma_negative_log_likelihood(log_params, x, m, w):
    p, q, v = np.exp(log_params)
    ll = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )
    return -(w * ll).sum() / w.sum()


def fit_clv(con: duckdb.DuckDBPyConnection, as_of: str) -> dict:
    summary = con.execute(CLV_SUMMARY.format(as_of=as_of)).df()
    grouped = summary.groupby(["frequency", "recency", "t"], as_index=False).size()
    x, t_x, big_t, w = (grouped[c].to_numpy(float) for c in ("frequency", "recency", "t", "size"))
    scale = 10.0 / big_t.max()
    purchases = minimize(
        _bg_nbd_negative_log_likelihood,
        np.zeros(4),
        args=(x, t_x * scale, big_t * scale, w),
        method="L-BFGS-B",
    )
    r, alpha, a, b = np.exp(purchases.x)
    alpha /= scale
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    spend_scale = repeat["monetary_value"].mean()
    spend = minimize(
        _gamma_gamma_negative_log_likelihood,
        np.zeros(3),
        args=(
            repeat["frequency"].to_numpy(float),
            repeat["monetary_value"].to_numpy(float) / spend_scale,
            np.ones(len(repeat)),
        ),
        method="L-BFGS-B",
    )
    p, q, v = np.exp(spend.x)
    v *= spend_scale
    fx, ft_x, ft = (summary[c].to_numpy(float) for c in ("frequency", "recency", "t"))
    with np.errstate(all="ignore"):
        p_alive = np.where(
            fx > 0,
            1 / (1 + a / (b + fx - 1) * ((alpha + ft) / (alpha + ft_x)) ** (r + fx)),
            1.0,
        )
        m = np.nan_to_num(summary["monetary_value"].to_numpy(float))
        value = p * (v + fx * m) / (p * fx + q - 1)
        clv = np.zeros(len(summary))
        previous = np.zeros(len(summary))
        for month in range(1, 13):
            t = 30.0 * month
            z = t / (alpha + ft + t)
            hyp = hyp2f1(r + fx, b + fx, a + b + fx - 1, z)
            expected = (
                (a + b + fx - 1)
                / (a - 1)
                * (1 - ((alpha + ft) / (alpha + ft + t)) ** (r + fx) * hyp)
                / (1 + (fx > 0) * a / (b + fx - 1) * ((alpha + ft) / (alpha + ft_x)) ** (r + fx))
            )
            clv += value * (expected - previous) / 1.01**month
            previous = expected
    summary["p_alive"] = p_alive
    summary["clv_12m"] = clv
    con.register("clv_frame", summary[["customer_id", "p_alive", "clv_12m"]])
    con.execute("create table customer_value as select * from clv_frame")
    return {"bg_nbd": (r, alpha, a, b), "gamma_gamma": (p, q, v)}


def memberships_sql(as_of: str) -> str:
    unions = "\nunion all\n".join(
        f"select customer_id, '{name}' as segment_id from segment_base where "
        + rule.format(as_of=as_of)
        for name, rule in SEGMENTS.items()
    )
    return f"""
create table segment_memberships as
with segment_base as (
    select
        dim_customers.*,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        customer_value.p_alive,
        customer_value.clv_12m,
        quantile_cont(customer_value.clv_12m, 0.9) over () as clv_p90
    from dim_customers
    left join customer_rfm_monthly as rfm
        on dim_customers.customer_id = rfm.customer_id
        and rfm.snapshot_date = date '{as_of}'
    left join customer_value
        on dim_customers.customer_id = customer_value.customer_id
)
{unions}
"""


def run(raw: Path, as_of: str, currency: str = "EUR") -> dict[str, float]:
    """Every step on one connection; seconds per step, and the row counts."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    if os.environ.get("DUCKDB_MEMORY_LIMIT"):  # as the warehouse's (bench.py --memory-limit)
        con.execute(f"set memory_limit = '{os.environ['DUCKDB_MEMORY_LIMIT']}'")
    timings: dict[str, float] = {}
    steps = [
        ("stage", lambda: con.execute(STAGE.format(raw=raw, as_of=as_of))),
        ("facts", lambda: con.execute(FACTS.format(raw=raw, as_of=as_of, currency=currency))),
        ("rfm", lambda: con.execute(RFM.format(as_of=as_of))),
        ("clv", lambda: fit_clv(con, as_of)),
        ("segments", lambda: con.execute(memberships_sql(as_of))),
    ]
    for name, step in steps:
        started = time.perf_counter()
        step()
        timings[name] = time.perf_counter() - started
    timings["total"] = sum(timings.values())
    for table in ("fct_orders", "dim_customers", "customer_rfm_monthly", "segment_memberships"):
        timings[f"rows.{table}"] = con.execute(f"select count(*) from {table}").fetchone()[0]
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--as-of", default="2026-06-30")
    args = parser.parse_args()
    for name, value in run(args.raw.resolve(), args.as_of).items():
        print(f"{name:32} {value:,.2f}" if isinstance(value, float) else f"{name:32} {value:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
