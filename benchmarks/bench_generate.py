"""Benchmark the raw-data generator in this process.

    .venv/bin/python benchmarks/bench_generate.py 100000 [--fmt csv] [--messy] [--out DIR]

Prints wall time, peak RSS (ru_maxrss of this process) and output size; the
output goes to a temporary directory that is deleted afterwards unless --out
is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from custseg.generate import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("--fmt", default="parquet", choices=("parquet", "csv"))
    parser.add_argument("--messy", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--out", type=Path, help="keep the output here (default: temp dir)")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="custseg-bench-"))
    try:
        start = time.perf_counter()
        manifest = generate(
            out,
            args.customers,
            seed=args.seed,
            fmt=args.fmt,
            as_of=dt.date.fromisoformat(args.as_of),
            messy=args.messy,
        )
        wall = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
        print(f"customers: {args.customers:,}  format: {args.fmt}  messy: {args.messy}")
        print(f"{'table':<22}{'rows_written':>14}{'staged':>14}{'MiB':>10}")
        for table, t in manifest["tables"].items():
            mib = (out / f"{table}.{args.fmt}").stat().st_size / 2**20
            print(f"{table:<22}{t['rows_written']:>14,}{t['staged']:>14,}{mib:>10.1f}")
        total_rows = sum(t["rows_written"] for t in manifest["tables"].values())
        print(f"{'total':<22}{total_rows:>14,}")
        print(f"wall time: {wall:.1f} s")
        print(f"peak RSS: {peak_kib / 2**20:.2f} GiB ({peak_kib / 1024:.0f} MiB)")
        print(f"output size: {size / 2**20:.1f} MiB in {out}")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
