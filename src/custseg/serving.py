"""The served warehouse: what BI tools read, published after every successful build.

dbt builds `warehouse.duckdb`, and while it does it holds DuckDB's write lock: no other
process can open the file, not even read-only, and an open reader makes the build fail.
So BI tools never read that file. After a build whose quality gates passed, `publish`
copies each served schema into its own DuckDB file in the serving folder:

- `marts.duckdb`: every table and view of schema `marts`, with their comments;
- `restricted.duckdb`: schema `restricted` (raw PII; readable by the file's owner only).

In each file the relations live in its default schema, so the names a reader writes are
the warehouse's: DuckDB names a database after its file, and `marts.fct_orders` is
catalog `marts`, schema `main` (`restricted.customer_pii` once `restricted.duckdb` is
attached beside it).

Each file is written under a temporary name beside its final one, checkpointed, closed
and then renamed over the previous file (`os.replace`, atomic on one file system). A reader
that opens the path gets either the previous build's file or the new one, whole; a reader
that still has the previous file open keeps reading it, unchanged, until it reconnects.
Nothing ever locks a serving file for writing, so an open reader never fails a build, and a
build that fails publishes nothing: the last good files stay.

The files are written with DuckDB's storage version `v1.0.0`, which every DuckDB 1.x can
read (the engines BI drivers embed lag the Python package), not the default of the
writing version."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

# The oldest storage format the serving files are written in: readable by DuckDB >= 1.0.
STORAGE_VERSION = "v1.0.0"
# serving file name -> the warehouse schema it holds
SERVED_SCHEMAS = {"marts": "marts", "restricted": "restricted"}
# restricted holds raw PII: the serving file is readable by its owner only
FILE_MODES = {"marts": 0o644, "restricted": 0o600}


def serving_dir(warehouse_file: Path | None = None) -> Path:
    """$SERVING_DIR (relative paths from the project), else `serving/` beside the warehouse
    file: `serving/` for the default `warehouse.duckdb`, `data/demo/serving/` for the demo."""
    from . import warehouse

    configured = os.environ.get("SERVING_DIR")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else warehouse.project_dir() / path
    return (warehouse_file or warehouse.warehouse_path()).parent / "serving"


@dataclass
class Published:
    name: str
    path: Path
    tables: int
    rows: int
    seconds: float


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(warehouse_file: Path, directory: Path | None = None) -> list[Published]:
    """Copy every served schema of `warehouse_file` into its serving file, atomically.
    Views become tables (a reader needs no upstream schema). Returns what was written."""
    import duckdb

    directory = directory or serving_dir(warehouse_file)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    catalog = "warehouse"
    with duckdb.connect() as source:
        source.execute(f"attach {_literal(str(warehouse_file))} as {catalog} (read_only)")
        for name, schema in SERVED_SCHEMAS.items():
            started = time.perf_counter()
            final = directory / f"{name}.duckdb"
            temporary = directory / f".{name}.duckdb.{os.getpid()}.tmp"
            for leftover in (temporary, Path(f"{temporary}.wal")):
                leftover.unlink(missing_ok=True)
            relations = source.execute(
                """
                select table_name, comment from duckdb_tables()
                where database_name = ? and schema_name = ?
                union all
                select view_name, comment from duckdb_views()
                where database_name = ? and schema_name = ? and not internal
                order by 1
                """,
                [catalog, schema, catalog, schema],
            ).fetchall()
            columns = source.execute(
                """
                select table_name, column_name, comment from duckdb_columns()
                where database_name = ? and schema_name = ? and comment is not null
                """,
                [catalog, schema],
            ).fetchall()
            source.execute(
                f"attach {_literal(str(temporary))} as serving"
                f" (storage_version {_literal(STORAGE_VERSION)})"
            )
            rows = 0
            try:
                for table, comment in relations:
                    target = f"serving.main.{_quoted(table)}"
                    source.execute(
                        f"create table {target} as select * from"
                        f" {_quoted(catalog)}.{_quoted(schema)}.{_quoted(table)}"
                    )
                    rows += source.execute(f"select count(*) from {target}").fetchone()[0]
                    if comment:
                        source.execute(f"comment on table {target} is {_literal(comment)}")
                for table, column, comment in columns:
                    source.execute(
                        f"comment on column serving.main.{_quoted(table)}"
                        f".{_quoted(column)} is {_literal(comment)}"
                    )
                source.execute("checkpoint serving")
            finally:
                source.execute("detach serving")
            os.chmod(temporary, FILE_MODES[name])
            os.replace(temporary, final)
            written.append(
                Published(name, final, len(relations), rows, time.perf_counter() - started)
            )
    _sync_directory(directory)
    return written


def _sync_directory(directory: Path) -> None:
    """Make the renames durable (a crash right after publish keeps the new files)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
