"""`make bench`: the warehouse against a hand-written baseline, at 100,000 and 1,000,000
customers, written to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench.py [--sizes 100000 1000000] [--spark-size 100000]
        [--project DIR] [--label after] [--results benchmarks/RESULTS.md] [--memory-limit 6GB]

For each size: the generated landing files (benchmarks/data/c<N>/, generated once and
reused), then in a fresh folder under benchmarks/work/:
- a full `custseg build --full-refresh` (gate 1, dbt build, gate 3, publish, report),
  split into dbt models, dbt data and unit tests, and the rest (gates, publish, report),
  with the CLV fit and predictions as they ran inside it;
- the next daily run, incremental: the same files laid out as a feed (each table a folder
  of a full export and daily deltas, benchmarks/data/c<N>-deltas/, made once by
  custseg.generate.deltas), built in full as of the day before as_of, then built as of
  as_of: the timed run stages the last day's delta (with its late rows and new versions
  of old orders and customers) on that warehouse;
- the baseline (benchmarks/baseline.py), one fused DuckDB script on the same files;
- the peak resident memory of each (the largest process and its children), every DuckDB
  run under --memory-limit (DuckDB's memory_limit; default 6GB).
Optionally, local Spark (`custseg spark`) at --spark-size customers.
--project measures another checkout's dbt project and package (its src/ comes first on
PYTHONPATH): run it on a clone of an older commit for a before/after table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
AS_OF = dt.date(2026, 6, 30)
SEED = 42
# The feed's daily deltas (the look-back of var incremental_lookback_days re-reads them).
DELTA_DAYS = 3
# DuckDB's memory_limit in every run: the goal is at most 8 GB at 1,000,000 customers, and
# DuckDB otherwise fills what custseg grants it (60 % of the memory) with cached pages.
MEMORY_LIMIT = "6GB"
# Run a command and report its wall time and the peak RSS of it and its children (KiB).
MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "seconds = time.perf_counter() - started\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(json.dumps({'code': code, 'seconds': seconds, 'kib': peak}))\n"
)


def measured(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run `command` (output to `log`); its exit code, wall seconds and peak RSS in GiB."""
    report = log.with_suffix(".json")
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-c", MEASURE, str(report), *command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    result = json.loads(report.read_text())
    result["gib"] = result.pop("kib") / 2**20
    if result["code"] != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(f"{' '.join(command[:3])} failed ({log}):\n" + "\n".join(tail))
    return result


def landing_files(customers: int, custseg: str, env: dict[str, str]) -> Path:
    folder = HERE / "data" / f"c{customers}"
    if not (folder / "_manifest.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {customers:,} customers into {folder}", flush=True)
        subprocess.run(
            [
                custseg,
                "generate",
                "--customers",
                str(customers),
                "--seed",
                str(SEED),
                "--out",
                str(folder),
                "--as-of",
                AS_OF.isoformat(),
            ],
            env=env,
            check=True,
        )
    return folder


# The tables the baseline reads: a shop's orders and CRM without events, email, consent or
# surveys (the warehouse builds from any subset holding customers and orders).
CORE_TABLES = ("customers", "orders", "order_items", "products", "loyalty_members", "fx_rates")


def core_files(full: Path) -> Path:
    """A landing folder of the core tables only, linked to the full data set's files."""
    folder = full.with_name(full.name + "-core")
    folder.mkdir(exist_ok=True)
    for table in CORE_TABLES:
        link = folder / f"{table}.parquet"
        if not link.exists():
            link.symlink_to(full / f"{table}.parquet")
    return folder


def delta_files(raw: Path, days: int = DELTA_DAYS) -> Path:
    """The landing files of `raw` as a feed: each table a folder of a full export and daily
    deltas for the last `days` days up to AS_OF (made once, then reused)."""
    from custseg.generate.deltas import split_into_deltas

    folder = raw.with_name(raw.name + "-deltas")
    if not (folder / "orders").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for path in raw.iterdir():
            if path.is_file() and not path.name.startswith("_"):
                shutil.copyfile(path, folder / path.name)  # follows the core folder's links
        split_into_deltas(folder, AS_OF, days)
    return folder


def row_counts(raw: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect()
    counts = {}
    for table in ("customers", "orders", "order_items", "web_events", "email_events"):
        path = raw / f"{table}.parquet"
        counts[table] = (
            con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]
            if path.exists()
            else 0
        )
    return counts


def dbt_split(target: Path) -> dict[str, float]:
    """Seconds spent in models, in data and unit tests, in the CLV models, and dbt's own
    elapsed time, from run_results.json; the slowest nodes."""
    results = json.loads((target / "run_results.json").read_text())
    split = {"models": 0.0, "tests": 0.0, "clv": 0.0}
    nodes = []
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        seconds = node["execution_time"]
        if kind in ("model", "seed", "snapshot"):
            split["models"] += seconds
        elif kind in ("test", "unit_test"):
            split["tests"] += seconds
        if node["unique_id"].endswith((".int_clv_model_fit", ".int_clv_predictions")):
            split["clv"] += seconds
        nodes.append((seconds, node["unique_id"]))
    split["dbt"] = results["elapsed_time"]
    split["slowest"] = [f"{s:.1f} s {u}" for s, u in sorted(nodes, reverse=True)[:12]]
    return split


def bench_size(customers: int, args, env: dict[str, str], custseg: str) -> dict:
    raw = landing_files(customers, custseg, env)
    if args.core:
        raw = core_files(raw)
    counts = row_counts(raw)
    work = HERE / "work" / f"{args.label}-c{customers}{'-core' if args.core else ''}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    run_env = {
        **env,
        "WAREHOUSE_PATH": str(work / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "SERVING_DIR": str(work / "serving"),
    }
    row = {**counts, "customer_rows": counts["customers"], "customers": customers}
    row["tables"] = f"{len(CORE_TABLES)} core" if args.core else "all 14"
    print(f"[{customers:,}] full build", flush=True)
    full = measured(
        [custseg, "build", "--full-refresh", "--raw-path", str(raw), "--as-of", AS_OF.isoformat()],
        run_env,
        work / "full.log",
    )
    split = dbt_split(work / "target")
    row.update(
        full=full["seconds"],
        models=split["models"],
        tests=split["tests"],
        rest=full["seconds"] - split["dbt"],
        clv=split["clv"],
        full_gib=full["gib"],
        slowest=split["slowest"],
    )
    print(f"[{customers:,}] next daily run: the day before, in full", flush=True)
    feed = delta_files(raw)
    feed_env = {**run_env, "WAREHOUSE_PATH": str(work / "feed.duckdb")}
    day_before = (AS_OF - dt.timedelta(days=1)).isoformat()
    measured(
        [custseg, "build", "--full-refresh", "--raw-path", str(feed), "--as-of", day_before],
        feed_env,
        work / "day-before.log",
    )
    print(f"[{customers:,}] next daily run: incremental", flush=True)
    daily = measured(
        [custseg, "build", "--raw-path", str(feed), "--as-of", AS_OF.isoformat()],
        {**feed_env, "DBT_TARGET_PATH": str(work / "day-target")},
        work / "day.log",
    )
    day_split = dbt_split(work / "day-target")
    row.update(
        day=daily["seconds"], day_gib=daily["gib"], day_models=day_split["models"],
        day_slowest=day_split["slowest"],
    )  # fmt: skip
    print(f"[{customers:,}] baseline", flush=True)
    baseline = measured(
        [sys.executable, str(HERE / "baseline.py"), str(raw), "--as-of", AS_OF.isoformat()],
        env,
        work / "baseline.log",
    )
    row.update(baseline=baseline["seconds"], baseline_gib=baseline["gib"])
    if customers == args.spark_size:
        print(f"[{customers:,}] local Spark", flush=True)
        spark = measured(
            [
                custseg,
                "spark",
                "--raw-path",
                str(raw),
                "--as-of",
                AS_OF.isoformat(),
                "--work-dir",
                str(work / "spark"),
            ],
            # its own dbt target: the full build's run results stay readable afterwards
            {**run_env, "DBT_TARGET_PATH": str(work / "spark-target")},
            work / "spark.log",
        )
        row.update(spark=spark["seconds"], spark_gib=spark["gib"])
    if not args.keep:
        shutil.rmtree(work / "serving", ignore_errors=True)
        for path in work.glob("warehouse.duckdb*"):
            path.unlink()
        shutil.rmtree(work / "spark", ignore_errors=True)
    return row


def table(rows: list[dict]) -> str:
    header = (
        "| customers (rows) | tables | orders | order lines | events | models | data tests | "
        "gates, publish, report | full build | CLV fit + predictions | "
        "next daily run, incremental (% of full; its models) | peak memory | baseline | "
        "models / baseline | "
        "models + tests / baseline | local Spark |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for r in rows:
        spark = f"{r['spark']:.0f} s" if "spark" in r else "-"
        lines.append(
            f"| {r['customers']:,} ({r['customer_rows']:,}) | {r['tables']} | {r['orders']:,} | "
            f"{r['order_items']:,} | "
            f"{r['web_events'] + r['email_events']:,} | {r['models']:.0f} s | "
            f"{r['tests']:.0f} s | {r['rest']:.0f} s | {r['full']:.0f} s | {r['clv']:.1f} s | "
            f"{r['day']:.0f} s ({100 * r['day'] / r['full']:.0f} %; {r['day_models']:.0f} s) | "
            f"{max(r['full_gib'], r['day_gib']):.1f} GiB | {r['baseline']:.0f} s | "
            f"{r['models'] / r['baseline']:.1f}x | "
            f"{(r['models'] + r['tests']) / r['baseline']:.1f}x | {spark} |"
        )
    return "\n".join(lines)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB memory, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}; commit {commit or '?'}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--spark-size", type=int, default=100_000, help="0: no Spark run")
    parser.add_argument("--project", type=Path, help="measure this checkout instead")
    parser.add_argument("--label", default="current")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses")
    parser.add_argument(
        "--memory-limit",
        default=MEMORY_LIMIT,
        help="DuckDB's memory_limit for the warehouse and the baseline (DUCKDB_MEMORY_LIMIT)",
    )
    parser.add_argument(
        "--core",
        action="store_true",
        help="build from the baseline's tables only: " + ", ".join(CORE_TABLES),
    )
    args = parser.parse_args()
    custseg = str(Path(sys.executable).with_name("custseg"))
    env = {**os.environ, "DUCKDB_MEMORY_LIMIT": args.memory_limit}
    if args.project:
        project = args.project.resolve()
        env["CUSTSEG_PROJECT_DIR"] = str(project)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(project / "src"), env.get("PYTHONPATH")])
        )
    started = time.perf_counter()
    rows = [bench_size(size, args, env, custseg) for size in args.sizes]
    text = "\n".join(
        [
            f"# Benchmark ({args.label})",
            "",
            f"Machine: {machine()}; DuckDB memory_limit {args.memory_limit}.",
            f"Data: `custseg generate --seed {SEED} --as-of {AS_OF}` (benchmarks/data/); "
            "events are web and email events. Times are wall-clock seconds; the models, "
            "data tests and CLV columns come from dbt's run_results.json; the next daily "
            f"run is incremental: the same data as a feed of a full export and {DELTA_DAYS} "
            "daily deltas, built in full the day before as_of, then as of as_of (timed). "
            "Peak memory: the largest process of either build with its children.",
            "",
            table(rows),
            "",
            *[
                line
                for r in rows
                for line in [
                    f"Slowest nodes at {r['customers']:,} customers:",
                    "",
                    "```",
                    *r["slowest"],
                    "```",
                    "",
                    f"Slowest nodes of the incremental day at {r['customers']:,} customers:",
                    "",
                    "```",
                    *r["day_slowest"],
                    "```",
                    "",
                ]
            ],
            f"Benchmark ran for {time.perf_counter() - started:.0f} s.",
            "",
        ]
    )
    print(text)
    args.results.write_text(text, encoding="utf-8")
    print(f"written to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
