"""Input a person actually has: the format of each landing file is found from the files
present, a CSV's delimiter is found (German Excel writes ';'), and a CSV that does not
parse into contract columns says which header it read and with which delimiter.

Gate 1 (Python) and staging (the macro select_raw_table, at compile time) must agree:
the same files are read the same way and the same mistakes are worded the same way.
Hand-written exports only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import duckdb
import pytest

from custseg import landing
from custseg.quality import FAIL, PASS, gate_passed
from custseg.quality.raw_gate import summarize, validate_raw
from project_copy import copy_project, run_custseg

NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
CUSTOMER_HEADER = ["customer_id", "email", "first_name", "city", "created_at", "updated_at"]
CUSTOMERS = [
    ["K-1", "anna@example.de", "Anna", "München", "2025-01-03 10:00:00", "2026-06-20 08:00:00"],
    ["K-2", "bernd@example.de", "Bernd", "Köln", "2025-02-11 09:30:00", "2026-06-21 08:00:00"],
    [
        "K-3",
        "carla@example.de",
        "Carla; Maria",
        "Bonn",
        "2025-03-01 12:00:00",
        "2026-06-22 08:00:00",
    ],
]
ORDER_HEADER = ["order_id", "customer_id", "ordered_at", "status", "currency", "order_total",
                "updated_at"]  # fmt: skip
ORDERS = [
    ["A-1", "K-1", "2026-06-01 10:00:00", "completed", "EUR", "19.90", "2026-06-01 10:00:00"],
    ["A-2", "K-2", "2026-06-15 10:00:00", "completed", "EUR", "5.00", "2026-06-15 10:00:00"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str) -> Path:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value else value

    lines = [delimiter.join(header)] + [delimiter.join(cell(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with duckdb.connect() as connection:
        values = ", ".join(
            "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in row) + ")" for row in rows
        )
        columns = ", ".join(header)
        connection.execute(
            f"copy (select * from (values {values}) as t({columns})) to '{path}' (format parquet)"
        )
    return path


@pytest.fixture
def german_export(tmp_path) -> Path:
    """customers.csv as German Excel writes it (';', a ';' inside a quoted name),
    orders as Parquet from another system."""
    folder = tmp_path / "export"
    folder.mkdir()
    write_csv(folder / "customers.csv", CUSTOMER_HEADER, CUSTOMERS, ";")
    write_parquet(folder / "orders.parquet", ORDER_HEADER, ORDERS)
    return folder


# ------------------------------------------------------------------ which file
def test_each_table_is_read_from_the_file_that_exists(tmp_path):
    write_csv(tmp_path / "customers.csv", CUSTOMER_HEADER, CUSTOMERS, ",")
    write_parquet(tmp_path / "orders.parquet", ORDER_HEADER, ORDERS)
    (tmp_path / "reviews.csv.gz").write_bytes(b"")
    assert landing.table_file(tmp_path, "customers") == f"{tmp_path}/customers.csv"
    assert landing.table_file(tmp_path, "orders") == f"{tmp_path}/orders.parquet"
    assert landing.table_file(tmp_path, "reviews") == f"{tmp_path}/reviews.csv.gz"
    assert landing.table_file(tmp_path, "consents") is None
    # an explicit format reads that format only
    assert landing.table_file(tmp_path, "orders", "csv") is None
    assert landing.table_file(tmp_path, "customers", "csv") == f"{tmp_path}/customers.csv"


def test_two_files_for_one_table_are_an_error_naming_both(tmp_path):
    write_csv(tmp_path / "customers.csv", CUSTOMER_HEADER, CUSTOMERS, ",")
    write_parquet(tmp_path / "customers.parquet", CUSTOMER_HEADER, CUSTOMERS)
    with pytest.raises(landing.LandingError, match=r"customers\.parquet and customers\.csv"):
        landing.table_file(tmp_path, "customers")
    # gate 1 reports it as a failed check, not a crash
    write_parquet(tmp_path / "orders.parquet", ORDER_HEADER, ORDERS)
    results = validate_raw(tmp_path, now=NOW)
    present = {(r.table, r.check): r for r in results}[("customers", "file_present")]
    assert present.status == FAIL
    assert "customers.parquet and customers.csv" in present.message
    assert "raw_format" in present.message


# ------------------------------------------------------------------ delimiters
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(tmp_path, delimiter):
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_HEADER, CUSTOMERS, delimiter)
    with duckdb.connect() as connection:
        found = landing.csv_delimiter(connection, str(path))
        rows = connection.execute(
            f"select * from {landing.reader_sql(str(path), found)}"
        ).fetchall()
    assert found == delimiter
    assert [list(row) for row in rows] == CUSTOMERS  # the quoted ';' stays in the name


def test_an_empty_csv_file_reads_as_comma_separated(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(b"")
    with duckdb.connect() as connection:
        assert landing.csv_delimiter(connection, str(path)) == ","


def test_gate_1_reads_a_semicolon_export_and_says_how(german_export):
    results = validate_raw(german_export, now=NOW)
    assert gate_passed(results), summarize(results)
    checks = {(r.table, r.check): r for r in results}
    assert checks[("customers", "required_columns")].status == PASS
    assert checks[("customers", "row_count")].message == f"{len(CUSTOMERS)} rows"
    assert checks[("orders", "row_count")].message == f"{len(ORDERS)} rows"
    summary = summarize(results)
    assert re.search(
        r"customers: \d+ of \d+ checks passed \(customers\.csv, delimiter ';' \(detected\)\)",
        summary,
    ), summary
    assert re.search(r"orders: \d+ of \d+ checks passed \(orders\.parquet\)", summary), summary


def test_gate_1_names_the_header_and_delimiter_it_read(german_export):
    results = validate_raw(german_export, now=NOW, csv_delimiter=",")
    failed = {(r.table, r.check): r for r in results if r.status == FAIL}
    message = failed[("customers", "required_columns")].message
    assert "customer_id, created_at, updated_at" in message
    assert "Read the header as 1 column 'customer_id;email;first_name;city;" in message
    assert "with delimiter ',' (var raw_csv_delimiter)" in message
    assert "The file looks ';'-separated: set var raw_csv_delimiter to ';', or to auto." in message


def test_gate_1_lists_the_columns_of_a_header_that_parsed_but_lacks_some(tmp_path):
    header = ["Kunden-ID", "E-Mail", "created_at", "updated_at"]
    write_csv(
        tmp_path / "customers.csv", header, [["K-1", "a@b.de", "2026-01-01", "2026-01-01"]], ";"
    )
    write_parquet(tmp_path / "orders.parquet", ORDER_HEADER, ORDERS)
    results = validate_raw(tmp_path, now=NOW)
    message = {(r.table, r.check): r for r in results}[("customers", "required_columns")].message
    assert "missing required column(s) customer_id" in message
    assert (
        "Read the header as 4 columns 'Kunden-ID', 'E-Mail', 'created_at', 'updated_at' "
        "with delimiter ';' (detected)."
    ) in message
    assert "looks" not in message


# ------------------------------------------------------ staging agrees (one dbt run)
def test_staging_reads_the_same_files_and_words_the_same_errors(tmp_path, german_export):
    """Gate 1 through `custseg validate raw --var` and one `dbt compile` of the raw base
    models, on a copy of the project: customers.csv is ';'-separated but
    raw_csv_delimiter says ',', and orders exists both as .csv and .parquet."""
    folder = german_export
    write_csv(folder / "orders.csv", ORDER_HEADER, ORDERS, ",")
    project = copy_project(tmp_path / "project")
    completed = run_custseg(
        project,
        ["validate", "raw", "--raw-path", str(folder), "--var", "raw_csv_delimiter=,"],
    )
    gate_output = completed.stdout + completed.stderr
    assert completed.returncode == 1, gate_output

    from custseg.quality.raw_gate import validate_raw as gate

    python_messages = {
        (r.table, r.check): r.message
        for r in gate(folder, now=NOW, csv_delimiter=",")
        if r.status == FAIL
    }
    hint = landing.header_hint([";".join(CUSTOMER_HEADER)], ",", configured=",")
    assert hint in python_messages[("customers", "required_columns")]

    import os
    import subprocess
    import sys

    dbt = Path(sys.executable).parent / "dbt"
    variables = f"{{raw_path: '{folder}', raw_csv_delimiter: ',', as_of_date: 2026-07-01}}"

    def compile_model(model: str) -> str:
        compiled = subprocess.run(
            [str(dbt), "compile", "--select", model, "--project-dir", str(project),
             "--profiles-dir", str(project), "--vars", variables],
            cwd=project,
            env={**os.environ, "WAREHOUSE_PATH": str(project / "w.duckdb"), "DO_NOT_TRACK": "1"},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        output = compiled.stdout + compiled.stderr
        assert compiled.returncode != 0, output
        return output

    output = compile_model("base_raw__customers")
    # the staging macro words the header hint exactly as gate 1 does
    assert hint in " ".join(output.split()), output
    assert "lacks required column(s) customer_id (string)" in output
    # and names both files of one table (same vars: dbt's partial parse makes this cheap)
    output = compile_model("base_raw__orders")
    assert "orders.parquet and orders.csv are both in" in output, output


def test_a_file_without_header_row_is_named_but_never_quoted(tmp_path):
    """The first line of a headerless export is a customer: the message must not quote
    it (results carry counts and names, never values)."""
    lines = [";".join(row) for row in CUSTOMERS]
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_parquet(tmp_path / "orders.parquet", ORDER_HEADER, ORDERS)
    results = validate_raw(tmp_path, now=NOW)
    message = {(r.table, r.check): r for r in results}[("customers", "required_columns")].message
    assert "is the header row missing?" in message
    assert "delimiter ';'" in message
    for value in CUSTOMERS[0]:
        assert value not in message


def test_spark_loads_each_table_from_its_file_with_its_delimiter(german_export):
    """custseg spark: the same rule (a fake session records what it was asked to read)."""
    from custseg.spark import load_raw_tables

    calls = []

    class Frame:
        def __init__(self, what):
            self.what = what
            self.write = self

        def mode(self, _):
            return self

        def format(self, _):
            return self

        def saveAsTable(self, name):
            calls.append((name, self.what))

    class Reader:
        def csv(self, path, **options):
            return Frame(("csv", Path(path).name, options["sep"]))

        def parquet(self, path):
            return Frame(("parquet", Path(path).name, None))

    class Session:
        read = Reader()

        def sql(self, _):
            return None

    loaded = load_raw_tables(Session(), german_export)
    assert loaded == ["customers", "orders"]
    assert calls == [
        ("raw.customers", ("csv", "customers.csv", ";")),
        ("raw.orders", ("parquet", "orders.parquet", None)),
    ]


# ------------------------------------------------------------------ folders of deltas
def test_a_folder_of_csv_deltas_is_read_by_date_and_staged_incrementally(tmp_path):
    """customers/ holds a ';'-separated full export and two dated deltas (a new version of
    K-1 with a new email, a new customer K-4); orders stays one Parquet file. Python and
    dbt read the files dated on or before the build's date; the second build stages the
    new delta incrementally and gets what a first build at that date gets."""
    from conftest import run_dbt

    folder = tmp_path / "feed"
    (folder / "customers").mkdir(parents=True)
    write_csv(folder / "customers" / "full.csv", CUSTOMER_HEADER, CUSTOMERS, ";")
    changed = ["K-1", "anna.neu@example.de", "Anna", "München", "2025-01-03 10:00:00",
               "2026-06-25 08:00:00"]  # fmt: skip
    added = ["K-4", "dora@example.de", "Dora", "Ulm", "2026-06-25 09:00:00",
             "2026-06-25 09:00:00"]  # fmt: skip
    write_csv(folder / "customers" / "2026-06-25.csv", CUSTOMER_HEADER, [changed, added], ";")
    write_csv(folder / "customers" / "2026-06-27-late.csv", CUSTOMER_HEADER, [], ";")
    write_parquet(folder / "orders.parquet", ORDER_HEADER, ORDERS)
    # landed an hour before the builds (a file modified in the second a build starts is
    # read again by the next: modification times have whole seconds)
    landed = time.time() - 3600
    for path in folder.rglob("*.*"):
        os.utime(path, (landed, landed))
    files = landing.table_files(folder, "customers", as_of="2026-06-24")
    assert [Path(f).name for f in files] == ["full.csv"]
    files = landing.table_files(folder, "customers", as_of="2026-06-27")
    assert [Path(f).name for f in files] == ["2026-06-25.csv", "2026-06-27-late.csv", "full.csv"]
    assert landing.table_files(folder, "orders") == [f"{folder}/orders.parquet"]

    args = ["run", "--select", "+stg_raw__customers", "+stg_raw__orders"]
    staged = "select customer_id, email from staging.stg_raw__customers order by 1"
    first = run_dbt(tmp_path / "w.duckdb", folder, args, as_of_date="2026-06-24")
    assert first.result.success, first.result.failures()
    assert first.query(staged) == [(row[0], row[1]) for row in CUSTOMERS]
    # after the first build, an undated file lands: found by its modification time
    fixed = ["K-3", "carla.m@example.de", "Carla", "Bonn", "2025-03-01 12:00:00",
             "2026-06-23 07:00:00"]  # fmt: skip
    write_csv(folder / "customers" / "crm-fix.csv", CUSTOMER_HEADER, [fixed], ";")
    later = run_dbt(tmp_path / "w.duckdb", folder, args, as_of_date="2026-06-26")
    assert later.result.success, later.result.failures()
    expected = [("K-1", "anna.neu@example.de"), ("K-2", "bernd@example.de"),
                ("K-3", "carla.m@example.de"), ("K-4", "dora@example.de")]  # fmt: skip
    assert later.query(staged) == expected
    # only the key groups of the new delta (K-1, K-4) and the new file (K-3) were staged again
    assert later.query(
        "select staging_key, row_status from staging.base_raw__customers "
        "where staged_at = (select max(staged_at) from staging.base_raw__customers) order by 1, 2"
    ) == [("K-1", "staged"), ("K-1", "superseded"), ("K-3", "staged"), ("K-3", "superseded"),
          ("K-4", "staged")]  # fmt: skip
    fresh = run_dbt(tmp_path / "fresh.duckdb", folder, args, as_of_date="2026-06-26")
    assert fresh.query(staged) == expected
    columns = "customer_id, email, row_status, duplicate_count, raw_row_id, staging_key"
    relation = f"select {columns} from staging.base_raw__customers order by all"
    assert later.query(relation) == fresh.query(relation)


def test_a_table_as_both_a_file_and_a_folder_is_an_error_naming_both(tmp_path):
    (tmp_path / "customers").mkdir()
    write_csv(tmp_path / "customers" / "full.csv", CUSTOMER_HEADER, CUSTOMERS, ",")
    write_csv(tmp_path / "customers.csv", CUSTOMER_HEADER, CUSTOMERS, ",")
    with pytest.raises(landing.LandingError, match=r"customers\.csv and the folder customers/"):
        landing.table_files(tmp_path, "customers")
    write_parquet(tmp_path / "orders.parquet", ORDER_HEADER, ORDERS)
    present = {(r.table, r.check): r for r in validate_raw(tmp_path, now=NOW)}
    assert present[("customers", "file_present")].status == FAIL


def test_rows_starting_with_a_hash_are_rows_not_comments(tmp_path):
    """DuckDB's CSV sniffer took the # of Shopify's order names for a comment character and
    dropped those rows without a word (9 of 10 rows of the hand-written orders export). The
    same file landed as a contract table, its columns renamed: gate 1's reader and
    staging's read every row."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "tools" / "shopify"
    lines = (fixture / "orders_export_1.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    header[:6] = CUSTOMER_HEADER
    folder = tmp_path / "export"
    folder.mkdir()
    path = folder / "customers.csv"
    path.write_text("\r\n".join([",".join(header), *lines[1:]]) + "\r\n", encoding="utf-8")
    write_csv(folder / "orders.csv", ORDER_HEADER, ORDERS, ",")
    with duckdb.connect() as connection:
        read = connection.execute(
            f"select count(*) from {landing.reader_sql(str(path), ',')}"
        ).fetchone()
    assert read == (len(lines) - 1,)
    from conftest import run_dbt

    args = ["run", "--select", "base_raw__customers"]
    build = run_dbt(tmp_path / "warehouse.duckdb", folder, args)
    assert build.result.success, build.result.failures()
    # every raw row has a fate (most are quarantined: these are order lines, not customers)
    assert build.query("select sum(duplicate_count + 1) from staging.base_raw__customers") == [
        (len(lines) - 1,)
    ]
