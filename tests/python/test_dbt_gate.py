"""Gate 2 fails when it must: broken copies of the project stop `dbt build`.

Each test breaks one mart in its own copy of the project (in tmp_path) and builds only
that mart and what it needs (`+fct_orders`) on a small generated raw set:
- a duplicate key surviving into the mart: its unique test fails and names both;
- a column whose SQL type differs from the contract: dbt's contract check fails, naming
  the model and the column;
- a value breaching one of the mart's check constraints (the contract's `constraints:`,
  which DuckDB enforces as it writes the table): the model fails, naming table and
  expression, and no table is published.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from conftest import environment
from custseg import warehouse

PROJECT = warehouse.project_dir()
FCT_ORDERS = Path("models/marts/core/fct_orders.sql")
AS_OF = dt.date(2026, 6, 30)
FINAL_SELECT = "select * from orders"


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("gate_raw")
    generate(out, customers=300, seed=23, fmt="parquet", as_of=AS_OF)
    return out


def project_copy(root: Path) -> Path:
    """The dbt project without its Python tests, its target or its warehouse."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("python"))
    return root


@contextmanager
def pointed_at(project: Path) -> Iterator[None]:
    """dbt (custseg.warehouse.run_dbt) runs the copy and writes the copy's warehouse."""
    with environment(CUSTSEG_PROJECT_DIR=str(project), WAREHOUSE_PATH=str(project / "gate.duckdb")):
        yield


def break_final_select(project: Path, replacement: str) -> None:
    path = project / FCT_ORDERS
    sql = path.read_text(encoding="utf-8")
    assert sql.rstrip().endswith(FINAL_SELECT), f"{FCT_ORDERS} no longer ends as expected"
    cut = sql.rstrip()[: -len(FINAL_SELECT)]
    path.write_text(cut + replacement + "\n", encoding="utf-8")


def build_fct_orders(project: Path, raw: Path) -> warehouse.DbtResult:
    with pointed_at(project):
        return warehouse.run_dbt(
            [
                "build",
                "--select",
                "+fct_orders",
                # only tests whose every parent is built (fct_orders' relationship test to
                # dim_customers would otherwise run against a table never built)
                "--indirect-selection",
                "cautious",
                # unit tests run before their model and would stop the broken build first:
                # gate 2 is about the data tests and contracts
                "--exclude-resource-type",
                "unit_test",
            ],
            {"raw_path": str(raw), "as_of_date": AS_OF.isoformat()},
        )


def _statuses(result: warehouse.DbtResult) -> dict[str, str]:
    return {r.node.unique_id: str(r.status).lower() for r in result.results}


def test_the_unbroken_copy_builds(small_raw, tmp_path):
    result = build_fct_orders(project_copy(tmp_path), small_raw)
    assert result.success, "\n".join(result.failures())
    assert _statuses(result)["model.custseg.fct_orders"] == "success"


def test_a_duplicate_key_in_a_mart_fails_the_build_naming_mart_and_test(small_raw, tmp_path):
    project = project_copy(tmp_path)
    # one order twice: the kind of fan-out a bad join lets through
    break_final_select(
        project,
        f"{FINAL_SELECT}\nunion all\n(select * from orders order by order_id limit 1)",
    )
    result = build_fct_orders(project, small_raw)
    assert not result.success
    failures = result.failures()
    prefix = "test.custseg.unique_fct_orders_order_id."
    unique = [line for line in failures if line.startswith(prefix)]
    assert len(unique) == 1, failures
    assert "Got 1 result, configured to fail if != 0" in unique[0], unique
    # the model itself was built; its key test is what stops the build
    assert _statuses(result)["model.custseg.fct_orders"] == "success"


def test_a_contract_type_change_fails_the_build_naming_model_and_column(small_raw, tmp_path):
    project = project_copy(tmp_path)
    # money as a float: the contract says decimal(18,2)
    break_final_select(
        project,
        "select * replace (cast(order_total_reporting as double) as order_total_reporting)"
        "\nfrom orders",
    )
    result = build_fct_orders(project, small_raw)
    assert not result.success
    failures = result.failures()
    (contract,) = [line for line in failures if line.startswith("model.custseg.fct_orders:")]
    assert "contract" in contract.lower(), contract
    assert "order_total_reporting" in contract, contract
    assert "data type mismatch" in contract, contract
    # the mart's tests were skipped: nothing ran on a table of the wrong shape
    mart_tests = [
        status
        for unique_id, status in _statuses(result).items()
        if unique_id.startswith("test.custseg.") and "fct_orders" in unique_id
    ]
    assert mart_tests and set(mart_tests) == {"skipped"}, mart_tests


def test_a_breached_mart_constraint_fails_the_model_naming_table_and_expression(
    small_raw, tmp_path
):
    project = project_copy(tmp_path)
    # a negative count: the contract's check constraint `line_count >= 0` (no data test)
    break_final_select(
        project,
        "select * replace (case when order_number = 1 then -1 else line_count end as line_count)"
        "\nfrom orders",
    )
    result = build_fct_orders(project, small_raw)
    assert not result.success
    (breach,) = [line for line in result.failures() if line.startswith("model.custseg.fct_orders:")]
    assert "CHECK constraint failed" in breach and "fct_orders" in breach, breach
    assert "line_count >= 0" in breach, breach
    # DuckDB refused the rows as it wrote them: no fct_orders table was published
    with duckdb.connect(str(project / "gate.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    assert ("fct_orders",) not in tables
