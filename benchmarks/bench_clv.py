"""Benchmark the CLV fits (custseg.clv) on N generated customers.

    .venv/bin/python benchmarks/bench_clv.py 1000000

Generates N customers, builds the lifetimes-style summary (purchase days of valid
orders, daily frequency) straight from orders.parquet with DuckDB, then times the
MBG/NBD (the marts' purchase model), BG/NBD and Gamma-Gamma fits (each from its
method-of-moments start, with restarts) and the per-customer predictions, and prints the
peak RSS.
Amounts stay in the order currencies here: conversion changes values, not the work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from custseg import clv
from custseg.generate import generate

SUMMARY = """
with orders as (
    select
        trim(customer_id) as customer_id,
        cast(try_cast(ordered_at as timestamptz) at time zone 'UTC' as date) as purchase_date,
        try_cast(order_total as double) as total,
        row_number() over (partition by order_id order by updated_at desc) as version
    from read_parquet('{path}')
    where lower(trim(status)) in ('paid', 'shipped', 'completed')
),
days as (
    select customer_id, purchase_date, sum(total) as total
    from orders where version = 1 and purchase_date <= date '{as_of}'
    group by all
),
numbered as (
    select *, row_number() over (partition by customer_id order by purchase_date) as n
    from days
)
select
    customer_id,
    count(*) - 1 as frequency,
    date_diff('day', min(purchase_date), max(purchase_date)) as recency,
    date_diff('day', min(purchase_date), date '{as_of}') as t,
    avg(case when n > 1 then total end) as monetary_value
from numbered group by customer_id
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--raw", type=Path, help="reuse these landing files (orders.parquet)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="custseg-bench-clv-") as folder:
        started = time.perf_counter()
        if args.raw:
            folder = args.raw
        else:
            generate(Path(folder), args.customers, seed=42, as_of=dt.date.fromisoformat(args.as_of))
        generated = time.perf_counter() - started
        started = time.perf_counter()
        summary = (
            duckdb.connect()
            .execute(SUMMARY.format(path=Path(folder) / "orders.parquet", as_of=args.as_of))
            .df()
        )
        summarised = time.perf_counter() - started
    x, t_x, t, m = (summary[c] for c in ("frequency", "recency", "t", "monetary_value"))
    unique = len(summary[["frequency", "recency", "t"]].drop_duplicates())
    started = time.perf_counter()
    mbg_nbd = clv.fit_mbg_nbd(x, t_x, t)
    fitted_mbg = time.perf_counter() - started
    started = time.perf_counter()
    bg_nbd = clv.fit_bg_nbd(x, t_x, t)
    fitted_bg = time.perf_counter() - started
    started = time.perf_counter()
    gamma_gamma = clv.fit_gamma_gamma(x, m)
    fitted_gg = time.perf_counter() - started
    started = time.perf_counter()
    predictions = clv.predictions(summary, pd.DataFrame(mbg_nbd.rows() + gamma_gamma.rows()))
    predicted = time.perf_counter() - started
    one_time = predictions["p_alive"][summary["frequency"] == 0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"customers generated: {args.customers:,} in {generated:.1f} s")
    print(f"buyers in the summary: {len(summary):,} ({unique:,} unique frequency/recency/T)")
    print(f"summary (DuckDB): {summarised:.1f} s")
    print(f"MBG/NBD fit: {fitted_mbg:.2f} s  converged={mbg_nbd.converged}  {mbg_nbd.params}")
    print(f"  log-likelihood {mbg_nbd.log_likelihood}  {mbg_nbd.reason or ''}")
    print(f"BG/NBD fit: {fitted_bg:.2f} s  converged={bg_nbd.converged}  {bg_nbd.params}")
    print(f"  log-likelihood {bg_nbd.log_likelihood}  {bg_nbd.reason or ''}")
    print(
        f"Gamma-Gamma fit: {fitted_gg:.2f} s  converged={gamma_gamma.converged}  "
        f"{gamma_gamma.params}"
    )
    print(f"  {gamma_gamma.reason or ''}")
    print(f"predictions for every buyer: {predicted:.2f} s")
    print(
        f"one-time buyers' p_alive (MBG/NBD): median {one_time.median():.3f}, "
        f"max {one_time.max():.3f}"
    )
    print(f"null predicted_clv_12m: {predictions['predicted_clv_12m'].isna().sum():,}")
    print(f"peak RSS: {rss:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
