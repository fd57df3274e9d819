"""The connectors against the raw contract: the same generated data built once from the
four tools' exports (`custseg generate --as-tools`) and once from contract files.

    .venv/bin/python benchmarks/bench_connectors.py [--customers 10000] [--keep DIR]

Generates N customers (seed 42, as of 2026-06-30) both ways into a temporary folder (or
--keep DIR), runs `custseg build` on each in its own warehouse, and prints, as Markdown:
- wall time, gate 1, dbt build and peak memory of both builds (bench.measured);
- the reconciliation of the tools build per table and source (stg_raw__reconciliation);
- the marts side by side (customers, buyers, revenue, CLV, consent, survey answers) and
  every segment whose size differs, to be explained by what the exports cannot carry
  (`_tools_manifest.json`, `not_represented`).
Not part of `make test`; about 5 minutes at 10,000 customers on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import AS_OF, MEMORY_LIMIT, SEED, measured

MARTS = {
    "customers": "select count(*) from marts.dim_customers",
    "buyers": "select count(*) from marts.customer_rfm",
    "monetary (sum)": "select round(sum(monetary), 2) from marts.customer_rfm",
    "predicted CLV 12m (sum)": "select round(sum(predicted_clv_12m), 0) from marts.customer_value",
    "e-mail consent granted": (
        "select count(*) from marts.dim_customers where has_email_marketing_consent"
    ),
    "e-mail bounced": "select count(*) from marts.dim_customers where has_email_bounced",
    "with interests / NPS": (
        "select count(interests) || ' / ' || count(nps_score) from marts.dim_customers"
    ),
    "segment memberships": "select count(*) from marts.segment_memberships",
    "audience rows": "select count(*) from marts.audience_exports",
}
SEGMENTS = "select segment_id, count(*) from marts.segment_memberships group by segment_id"
RECONCILIATION = """
    select table_name, record_source, raw_row_count, staged_row_count, quarantined_row_count,
        superseded_row_count, exact_duplicate_row_count, erased_row_count
    from staging.stg_raw__reconciliation
    where raw_row_count > 0
    order by table_name, record_source
"""


def build(raw: Path, work: Path, custseg: str) -> dict:
    """`custseg build` of `raw` into `work`: measured, with gate 1's and dbt's seconds."""
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(work / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DUCKDB_MEMORY_LIMIT": MEMORY_LIMIT,
        "CI": "true",
    }
    command = [custseg, "build", "--raw-path", str(raw), "--as-of", AS_OF.isoformat()]
    result = measured(command, env, work / "build.log")
    log = (work / "build.log").read_text(errors="replace")
    for name, pattern in (("gate1", r"Gate 1 \(raw files\) took ([0-9.]+) s"),
                          ("dbt", r"dbt build succeeded in ([0-9.]+) s")):  # fmt: skip
        found = re.search(pattern, log)
        result[name] = float(found.group(1)) if found else None
    result["warehouse"] = work / "warehouse.duckdb"
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    custseg = str(Path(sys.executable).with_name("custseg"))
    with tempfile.TemporaryDirectory(prefix="custseg-bench-connectors-") as temporary:
        root = args.keep or Path(temporary)
        root.mkdir(parents=True, exist_ok=True)
        common = ["--customers", str(args.customers), "--seed", str(SEED),
                  "--as-of", AS_OF.isoformat()]  # fmt: skip
        runs = {}
        for name, extra in (("contract files", []), ("tool exports", ["--as-tools"])):
            raw = root / name.replace(" ", "_") / "raw"
            generated = measured(
                [custseg, "generate", *common, *extra, "--out", str(raw)],
                dict(os.environ),
                root / f"generate_{name.replace(' ', '_')}.log",
            )
            runs[name] = build(raw, raw.parent / "build", custseg)
            runs[name]["generate"] = generated["seconds"]
        print(f"## {args.customers:,} customers: tool exports against contract files\n")
        print("| landing | generate | build | gate 1 | dbt build | peak memory |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, run in runs.items():
            times = f"{run['seconds']:.0f} s | {run['gate1']:.0f} s | {run['dbt']:.0f} s"
            print(f"| {name} | {run['generate']:.0f} s | {times} | {run['gib']:.1f} GiB |")
        connections = {
            name: duckdb.connect(str(run["warehouse"]), read_only=True)
            for name, run in runs.items()
        }
        tools, contract = connections["tool exports"], connections["contract files"]
        print("\n### Reconciliation of the tool exports build\n")
        print("| table | source | raw | staged | quarantined | superseded | duplicates | erased |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for row in tools.execute(RECONCILIATION).fetchall():
            print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else v for v in row) + " |")
        print("\n### The marts side by side\n")
        print("| | tool exports | contract files |")
        print("|---|---:|---:|")
        for label, sql in MARTS.items():
            values = [c.execute(sql).fetchone()[0] for c in (tools, contract)]
            print(f"| {label} | {values[0]} | {values[1]} |")
        sizes = [dict(c.execute(SEGMENTS).fetchall()) for c in (tools, contract)]
        differing = sorted(
            (segment, sizes[0].get(segment, 0), sizes[1].get(segment, 0))
            for segment in set(sizes[0]) | set(sizes[1])
            if sizes[0].get(segment, 0) != sizes[1].get(segment, 0)
        )
        print(f"\nSegments: {len(set(sizes[1]))} non-empty from contract files; "
              f"{len(differing)} differ in size:\n")  # fmt: skip
        for segment, from_tools, from_contract in differing:
            print(f"- {segment}: {from_tools:,} (tools) / {from_contract:,} (contract)")
        for connection in connections.values():
            connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
