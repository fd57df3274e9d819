"""Benchmark a full `dbt build` (DuckDB) on generated data.

    .venv/bin/python benchmarks/bench_build.py 100000 [--messy] [--select staging]

Generates N customers into a temporary folder, builds a temporary warehouse, and prints
the generation time, the build time, the slowest nodes, the warehouse size and the peak
RSS of this process (dbt and DuckDB run in it). Everything is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from custseg import warehouse
from custseg.generate import generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("--messy", action="store_true")
    parser.add_argument("--select", nargs="+")
    parser.add_argument("--as-of", default="2026-06-30")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="custseg-bench-build-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        generate(
            root / "raw",
            customers=args.customers,
            seed=42,
            as_of=dt.date.fromisoformat(args.as_of),
            messy=args.messy,
            progress=False,
        )
        generated = time.perf_counter() - started
        os.environ["WAREHOUSE_PATH"] = str(root / "warehouse.duckdb")
        dbt_args = ["build", "--quiet"] + (["--select", *args.select] if args.select else [])
        started = time.perf_counter()
        result = warehouse.run_dbt(
            dbt_args, {"raw_path": str(root / "raw"), "as_of_date": args.as_of}
        )
        built = time.perf_counter() - started
        slowest = sorted(result.results, key=lambda r: r.execution_time, reverse=True)[:8]
        size = (root / "warehouse.duckdb").stat().st_size / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"customers: {args.customers:,}  messy: {args.messy}")
        print(f"generate: {generated:.1f} s   dbt build: {built:.1f} s   success: {result.success}")
        print(f"warehouse: {size:,.0f} MiB   peak RSS: {peak:.2f} GiB")
        print("slowest nodes:")
        for node in slowest:
            print(f"  {node.execution_time:7.1f} s  {node.node.name}")
        for line in result.failures():
            print("FAILED:", line)
        return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
