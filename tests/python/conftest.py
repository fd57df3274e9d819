"""Session fixtures: generated data and dbt builds, each into its own temporary warehouse.

dbt runs in-process (dbtRunner), one invocation at a time, never two on one DuckDB file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from custseg import warehouse

AS_OF = dt.date(2026, 6, 30)
CUSTOMERS = 2_000
SEED = 7


@dataclass
class Build:
    """One dbt invocation's outcome and the warehouse file it wrote."""

    result: warehouse.DbtResult
    path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    def table(self, relation: str):
        """A relation as an Arrow table with rows in a canonical order."""
        with duckdb.connect(str(self.path), read_only=True) as connection:
            columns = [r[0] for r in connection.execute(f"describe {relation}").fetchall()]
            order = ", ".join(f'"{c}"' for c in columns)
            return connection.execute(
                f"select * from {relation} order by {order}"
            ).fetch_arrow_table()


def run_dbt(
    warehouse_file: Path,
    raw_path: Path,
    args: list[str] | None = None,
    **variables,
) -> Build:
    previous = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(warehouse_file)
    try:
        result = warehouse.run_dbt(
            args or ["build"],
            {"raw_path": str(raw_path), "as_of_date": AS_OF.isoformat(), **variables},
        )
    finally:
        if previous is None:
            os.environ.pop("WAREHOUSE_PATH", None)
        else:
            os.environ["WAREHOUSE_PATH"] = previous
    return Build(result, warehouse_file)


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory) -> Path:
    """Fifty clean customers: landing files for a `dbt compile` (the staging macros read
    the files' columns at compile time, so compiling needs some)."""
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("tiny_raw")
    generate(out, customers=50, seed=3, fmt="parquet", as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def messy_raw(tmp_path_factory) -> tuple[Path, dict]:
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("messy_parquet")
    manifest = generate(out, customers=CUSTOMERS, seed=SEED, fmt="parquet", as_of=AS_OF, messy=True)
    return out, manifest


@pytest.fixture(scope="session")
def messy_csv_raw(tmp_path_factory) -> tuple[Path, dict]:
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("messy_csv")
    manifest = generate(out, customers=CUSTOMERS, seed=SEED, fmt="csv", as_of=AS_OF, messy=True)
    return out, manifest


@pytest.fixture(scope="session")
def messy_build(messy_raw, tmp_path_factory) -> Build:
    """The main build: `dbt build` (models and all data tests) on messy generated data."""
    raw, _ = messy_raw
    build = run_dbt(tmp_path_factory.mktemp("wh") / "messy.duckdb", raw)
    assert build.result.success, "\n".join(build.result.failures())
    return build


@pytest.fixture(scope="session")
def messy_csv_build(messy_csv_raw, tmp_path_factory) -> Build:
    raw, _ = messy_csv_raw
    build = run_dbt(
        tmp_path_factory.mktemp("wh") / "messy_csv.duckdb",
        raw,
        ["run", "--select", "staging"],
        raw_format="csv",
    )
    assert build.result.success, "\n".join(build.result.failures())
    return build
