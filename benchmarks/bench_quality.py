"""Benchmark the three quality gates on N generated customers.

    .venv/bin/python benchmarks/bench_quality.py 100000 [--messy]

Generates N customers into a temporary folder, then times gate 1 (Great Expectations on
the landing files), gate 2 (`dbt build`: every model, test and contract) and gate 3
(Great Expectations on the marts) one after the other, each in a child process so each
gets its own peak RSS. Prints the times, the peak memory and the gates' verdicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from custseg.generate import generate

GATES = {
    "gate 1 (raw files)": "from custseg.quality.raw_gate import validate_raw as v; "
    "from custseg.quality import gate_passed as g; import sys; "
    "sys.exit(0 if g(v(__import__('pathlib').Path(sys.argv[1]))) else 1)",
    "gate 2 (dbt build)": "from custseg import warehouse; import sys; "
    "r = warehouse.run_dbt(['build', '--quiet'], "
    "{'raw_path': sys.argv[1], 'as_of_date': sys.argv[2]}); sys.exit(0 if r.success else 1)",
    "gate 3 (marts)": "from custseg.quality.mart_gate import validate_marts as v; "
    "from custseg.quality import gate_passed as g; from custseg import warehouse as w; "
    "import sys; r, _ = v(w.warehouse_path(), w.project_dir()); sys.exit(0 if g(r) else 1)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("--messy", action="store_true")
    parser.add_argument("--as-of", default="2026-06-30")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="custseg-bench-quality-") as folder:
        root = Path(folder)
        raw = root / "raw"
        generate(
            raw,
            customers=args.customers,
            seed=42,
            as_of=dt.date.fromisoformat(args.as_of),
            messy=args.messy,
            progress=False,
        )
        environment = {**os.environ, "WAREHOUSE_PATH": str(root / "warehouse.duckdb")}
        print(f"customers: {args.customers:,}  messy: {args.messy}")
        status = 0
        for name, code in GATES.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            # a script file, not `python -c`: pyspark (imported by GX) takes a main module
            # without __file__ for a doctest run and exits 0 silently
            script = root / f"gate_{len(name)}_{name[5]}.py"
            script.write_text(code.replace("; ", "\n") + "\n", encoding="utf-8")
            completed = subprocess.run(
                [sys.executable, str(script), str(raw), args.as_of],
                env=environment,
                capture_output=True,
                text=True,
            )
            took = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            verdict = "passed" if completed.returncode == 0 else "FAILED"
            # ru_maxrss of children is the largest child so far: exact when it grew
            memory = f"{peak / 2**20:.2f} GiB" if peak > before else f"<= {before / 2**20:.2f} GiB"
            print(f"{name:20s} {took:7.1f} s   peak RSS {memory:>12s}   {verdict}")
            if completed.returncode != 0:
                print(completed.stdout[-2000:], completed.stderr[-2000:])
                status = 1
        return status


if __name__ == "__main__":
    raise SystemExit(main())
