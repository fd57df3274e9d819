"""Build on a local Spark session: proves the project's SQL runs on a distributed engine.

The landing files are loaded into tables of `raw_schema`, as a warehouse engine would
hold them, then dbt runs with the `spark` target (dbt-spark, method: session) in this
same process, so it reuses the session and its in-process metastore.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from . import contract, landing, warehouse

RAW_SCHEMA = "raw"


def driver_memory() -> str:
    """The local driver's heap: half the machine's memory, at most 8 GB (100,000 customers
    build in 8 GB; --conf spark.driver.memory=... overrides it)."""
    import os

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, min(8, total // 2**31))}g"


def spark_session(work_dir: Path, conf: dict[str, str] | None = None):
    """A local session; `conf` adds or overrides settings (custseg spark --conf)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("custseg")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(work_dir / "spark-warehouse"))
        # quoted: Spark splits the options like a shell, and a work folder may hold spaces
        .config("spark.driver.extraJavaOptions", f'"-Dderby.system.home={work_dir / "derby"}"')
        # Spark's 1 GB default heap runs out in the RFM snapshots at 100,000 customers
        .config("spark.driver.memory", driver_memory())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def load_raw_tables(
    spark,
    raw_path: Path,
    schema: str = RAW_SCHEMA,
    raw_format: str = landing.AUTO,
    csv_delimiter: str = landing.AUTO,
    as_of: str | None = None,
) -> list[str]:
    """Each contract table's landing file (custseg.landing's rule, as on DuckDB: format
    auto finds <table>.parquet, .csv or .csv.gz; a CSV's delimiter is sniffed unless
    given) becomes schema.table. CSV is read as text, as on DuckDB; absent optional tables
    are left absent."""
    import duckdb

    spark.sql(f"create database if not exists {schema}")
    loaded = []
    for name in contract.load().tables:
        paths = landing.table_files(raw_path, name, raw_format, as_of)
        if paths is None:
            continue
        if landing.is_csv(paths[0]):
            with duckdb.connect() as connection:
                delimiter = landing.csv_delimiter(connection, paths[0], csv_delimiter)
            frame = spark.read.csv(
                paths[0] if len(paths) == 1 else paths,
                header=True, inferSchema=False, multiLine=True, escape='"', sep=delimiter,
            )  # fmt: skip
        elif len(paths) == 1:
            frame = spark.read.parquet(paths[0])
        else:  # a folder of exports and deltas: columns matched by name
            frame = spark.read.option("mergeSchema", "true").parquet(*paths)
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"{schema}.{name}")
        loaded.append(name)
    return loaded


# The models that rank customers: their windows must count over values, never hold every
# customer of a partition (percent_rank(), cume_dist() over all customers: one task).
# What --export writes: the relations users and BI tools query.
EXPORTED_SCHEMAS = ("marts", "restricted")
RANKING_MODELS = ("int_customer_rfm_snapshots", "customer_value")
WINDOW = re.compile(r"Window \[(.*?)\], \[(.*?)\], \[(.*?)\]")


def ranking_plans(spark) -> dict:
    """For each ranking model, the windows of Spark's physical plan of its compiled SQL:
    the window expressions and their partition columns."""
    compiled = warehouse.target_dir() / "compiled"
    plans = {}
    for model in RANKING_MODELS:
        (path,) = compiled.rglob(f"{model}.sql")
        plan = spark.sql("explain " + path.read_text(encoding="utf-8")).collect()[0][0]
        plans[model] = [
            {
                "functions": sorted(set(re.findall(r"\b([a-z_]+)\(", functions))),
                "partition_by": partition,
            }
            for functions, partition, _ in WINDOW.findall(plan)
        ]
    return plans


def build_report(spark) -> dict:
    """What the build made: reconciliation and quarantine counts, the marts' columns and why
    CLV predictions are missing (dbt Python models do not run on Spark)."""
    reconciliation = [
        row.asDict() for row in spark.sql("select * from staging.stg_raw__reconciliation").collect()
    ]
    quarantine = [
        row.asDict()
        for row in spark.sql(
            "select table_name, quarantine_reason, count(*) as row_count"
            " from staging.stg_raw__quarantine group by table_name, quarantine_reason"
        ).collect()
    ]
    marts = {
        row.tableName: [column.name for column in spark.catalog.listColumns(row.tableName, "marts")]
        for row in spark.sql("show tables in marts").collect()
        if not row.isTemporary  # dbt's __dbt_tmp views of incremental models
    }
    clv_reasons = (
        [
            row.reason
            for row in spark.sql(
                "select distinct prediction_missing_reason as reason from marts.customer_value"
            ).collect()
        ]
        if "customer_value" in marts
        else []
    )
    history = (
        spark.sql(
            "select count(*) as spells, count(distinct entered_on) as entry_dates,"
            " count(case when exited_on is not null then 1 end) as closed_spells,"
            " cast(max(evaluated_on) as string) as evaluated_on"
            " from marts.segment_membership_history"
        )
        .collect()[0]
        .asDict()
        if "segment_membership_history" in marts
        else {}
    )
    size_dates = (
        [
            str(row.as_of_date)
            for row in spark.sql(
                "select distinct as_of_date from marts.segment_sizes order by as_of_date"
            ).collect()
        ]
        if "segment_sizes" in marts
        else []
    )
    return {
        "reconciliation": reconciliation,
        "quarantine": quarantine,
        "mart_columns": marts,
        "clv_missing_reasons": clv_reasons,
        "segment_history": history,
        "segment_size_dates": size_dates,
        "ranking_windows": ranking_plans(spark),
    }


def export_relations(spark, out: Path, schemas: tuple[str, ...] = EXPORTED_SCHEMAS) -> list[str]:
    """Every table and view dbt built in `schemas`, written as Parquet to out/schema/name
    (a folder of part files; timestamps as microseconds, which DuckDB reads as it wrote
    them): what a test compares with the DuckDB build of the same landing files."""
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    written = []
    existing = {row.namespace for row in spark.sql("show databases").collect()}
    for schema in (s for s in schemas if s in existing):
        for row in spark.sql(f"show tables in {schema}").collect():
            if row.isTemporary or row.tableName.endswith("__dbt_tmp"):
                continue
            spark.table(f"{schema}.{row.tableName}").write.mode("overwrite").parquet(
                str(out / schema / row.tableName)
            )
            written.append(f"{schema}.{row.tableName}")
    return written


def build_on_spark(
    raw_path: Path,
    select: list[str] | None = None,
    exclude: list[str] | None = None,
    variables: dict | None = None,
    work_dir: Path | None = None,
    report_path: Path | None = None,
    then_as_of: list[str] | None = None,
    spark_conf: dict[str, str] | None = None,
    export_path: Path | None = None,
) -> int:
    """Load the landing files, `dbt build` the nodes `select` names (default: all) but the
    ones `exclude` names, then for each date of `then_as_of` rebuild the segment marts
    (segment_memberships and everything after it, less `exclude`) as of that date in the
    same session: the accumulating marts' incremental path on Spark. `export_path` gets
    every mart as Parquet after the first build."""
    with tempfile.TemporaryDirectory(prefix="custseg-spark-") as temporary:
        root = (work_dir or Path(temporary)).resolve()
        root.mkdir(parents=True, exist_ok=True)
        spark = spark_session(root, spark_conf)
        spark.sparkContext.setLogLevel("ERROR")
        try:
            loaded = load_raw_tables(
                spark,
                raw_path.resolve(),
                raw_format=warehouse.run_var(variables, "raw_format"),
                csv_delimiter=str((variables or {}).get("raw_csv_delimiter") or landing.AUTO),
                as_of=warehouse.run_var(variables, "as_of_date") or None,
            )
            print(f"Loaded {len(loaded)} raw tables into Spark schema {RAW_SCHEMA}: {loaded}")
            variables = {"raw_schema": RAW_SCHEMA, **(variables or {})}
            dbt_args = [
                "build",
                *(["--select", *select] if select else []),
                *(["--exclude", *exclude] if exclude else []),
            ]
            result = warehouse.run_dbt(dbt_args, variables, target="spark")
            if result.success and export_path:
                exported = export_relations(spark, export_path.resolve())
                print(f"Exported {len(exported)} relations to {export_path}")
            for as_of in then_as_of or []:
                if not result.success:
                    break
                print(f"Rebuilding the segment marts as of {as_of}")
                result = warehouse.run_dbt(
                    [
                        "build",
                        "--select",
                        "segment_memberships+",
                        "static_segment_members+",
                        *(["--exclude", *exclude] if exclude else []),
                    ],
                    {**variables, "as_of_date": as_of},
                    target="spark",
                )
            if result.success and report_path:
                report = build_report(spark)
                report["spark_conf"] = {key: spark.conf.get(key) for key in spark_conf or {}}
                report_path.write_text(json.dumps(report, default=str, indent=1))
        finally:
            spark.stop()
    if not result.success:
        print("dbt on Spark failed:", file=sys.stderr)
        for line in result.failures():
            print(f"  - {line}", file=sys.stderr)
        return 1
    print("dbt on Spark succeeded.")
    return 0
