"""Any as_of_date, any era, and stale tables that warn in words instead of stopping the build
(issue 11, points 1 and 2).

- Generator data made for 1999-12-31 (every timestamp in the 1990s) builds end to end
  through `custseg build`: gate 1, dbt build (with every unit test), gate 3, the report,
  exit code 0. Before issue 11 a unit test fed 2024 rows to a model filtering by the
  build's as_of_date and failed, skipping everything downstream.
- The same files built as of a date years after their last row build too, with freshness
  warnings that say which table is how old, not errors.
- A hand-written CSV export (customers and orders only, every row older than 45 days at
  as_of_date) builds with two freshness warnings whose text names table, column, latest
  date, age in days, threshold and var; with var raw_freshness_error_after_days set, the
  build fails with that same text.

Every build has a temporary warehouse; dbt's target and the quality report go to the
session's target folder (DBT_TARGET_PATH, set in conftest), never the repository's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import custseg_here, run_dbt
from custseg import warehouse
from custseg.quality import FAIL, PASS, WARN
from custseg.quality.dbt_gate import dbt_results

PROJECT = warehouse.project_dir()
PAST_AS_OF = dt.date(1999, 12, 31)
YEARS_LATER = dt.date(2004, 6, 30)
FEEDS = {"customers": "updated_at", "orders": "updated_at", "web_events": "occurred_at"}


def _repo_quality_stamp() -> dict[str, float]:
    """Modification times of what `custseg build` writes into the repository's target/."""
    stamps = {}
    for name in ("quality/report.json", "quality/raw_gate.json", "run_results.json"):
        path = PROJECT / "target" / name
        stamps[name] = path.stat().st_mtime if path.exists() else -1.0
    return stamps


def _custseg_build(folder: Path, raw: Path, as_of: dt.date, *options: str) -> dict:
    """`custseg build` into folder/warehouse.duckdb; returns exit code and the written report."""
    completed = custseg_here(
        folder, ["build", "--raw-path", str(raw), "--as-of", as_of.isoformat(), *options]
    )  # fmt: skip
    report = folder / "target" / "quality" / "report.json"
    return {"code": completed.returncode, "report": json.loads(report.read_text(encoding="utf-8"))}


def _timestamp_columns() -> dict[str, list[str]]:
    contract = yaml.safe_load(
        (PROJECT / "src/custseg/contract/raw_contract.yml").read_text(encoding="utf-8")
    )
    return {
        table: [
            name
            for name, column in spec["columns"].items()
            if column["type"] in ("date", "timestamp") and name != "birth_date"
        ]
        for table, spec in contract["tables"].items()
    }


# ------------------------------------------------------------------ generator data, 1999
@pytest.fixture(scope="module")
def raw_1999(tmp_path_factory) -> Path:
    """Three hundred customers whose history ends on 1999-12-31."""
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("raw_1999")
    generate(out, customers=300, seed=11, fmt="parquet", as_of=PAST_AS_OF)
    return out


def test_generated_history_for_1999_lies_in_the_1990s(raw_1999):
    """Every event and update time (not birth dates, which are attributes) of every table."""
    checked = 0
    with duckdb.connect() as connection:
        for table, columns in _timestamp_columns().items():
            path = raw_1999 / f"{table}.parquet"
            for column in columns:
                low, high, count, parsed = connection.execute(
                    f"select min(cast(try_cast({column} as timestamptz) as date)), "
                    f"max(cast(try_cast({column} as timestamptz) as date)), count({column}), "
                    f"count(try_cast({column} as timestamptz)) from read_parquet('{path}')"
                ).fetchone()
                assert parsed == count, (table, column)  # every value parsed, none ignored
                if count:
                    assert dt.date(1990, 1, 1) <= low and high <= PAST_AS_OF, (table, column)
                    checked += 1
    assert checked >= 15


@pytest.fixture(scope="module")
def build_1999(raw_1999, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("build_1999")
    before = _repo_quality_stamp()
    outcome = _custseg_build(tmp, raw_1999, PAST_AS_OF)
    outcome["repo_untouched"] = _repo_quality_stamp() == before
    outcome["warehouse"] = tmp / "warehouse.duckdb"
    outcome["raw"] = raw_1999
    return outcome


def test_custseg_build_as_of_1999_passes_every_gate(build_1999):
    report = build_1999["report"]
    failed = [r for r in report["results"] if r["status"] == FAIL]
    assert build_1999["code"] == 0, failed
    assert report["passed"] and report["not_run"] == [], failed
    assert {r["gate"] for r in report["results"]} == {"raw", "dbt", "marts"}
    unit_tests = [r for r in report["results"] if r["layer"] == "unit tests"]
    assert len(unit_tests) >= 18 and all(r["status"] == PASS for r in unit_tests)
    assert build_1999["repo_untouched"]


def test_the_1999_marts_describe_1999(build_1999, raw_1999):
    """as_of_date reached the marts, and recency is measured from it: the most recent valid
    purchase (paid, shipped, completed) is days old, not decades; no customer's is more
    recent than the raw files' latest valid order (an oracle read from the files)."""
    with duckdb.connect(str(build_1999["warehouse"]), read_only=True) as connection:
        dates = connection.execute("select distinct as_of_date from marts.segment_sizes").fetchall()
        recency = connection.execute("select min(recency_days) from marts.customer_rfm").fetchone()
    with duckdb.connect() as connection:
        (latest,) = connection.execute(
            "select max(cast(try_cast(ordered_at as timestamptz) as date)) "
            f"from read_parquet('{raw_1999 / 'orders.parquet'}') "
            "where lower(trim(status)) in ('paid', 'shipped', 'completed')"
        ).fetchone()
    assert dates == [(PAST_AS_OF,)]
    assert recency[0] is not None and (PAST_AS_OF - latest).days <= recency[0] <= 31


# BI tools' readers, each run as its own process (DuckDB shares one open database between
# the connections of a process, so a connection held open would serve every new one too):
# "poll" opens the served marts read-only again and again (a dashboard refreshing) and
# writes what it saw, one JSON line per query, until the stop file appears; "hold" keeps one
# connection open all along (a DBeaver session) and writes what it saw first and last.
READER = r"""
import json, os, sys, time, duckdb
mode, path, stop, out = sys.argv[1:5]
STATE = (
    "select (select max(as_of_date) from marts.mart_row_counts),"
    " (select count(*) from marts.dim_customers), (select count(*) from marts.fct_orders),"
    " (select count(*) from marts.segment_memberships),"
    " (select sum(row_count) from marts.mart_row_counts)"
)
def state(connection):
    return [str(value) for value in connection.execute(STATE).fetchone()]
with open(out, "w") as log:
    if mode == "hold":
        held = duckdb.connect(path, read_only=True)
        log.write(json.dumps({"held": state(held)}) + "\n")
        log.flush()
    while not os.path.exists(stop):
        if mode == "poll":
            try:
                with duckdb.connect(path, read_only=True) as connection:
                    log.write(json.dumps({"t": time.time(), "state": state(connection)}) + "\n")
            except Exception as error:
                log.write(json.dumps({"t": time.time(), "error": repr(error)}) + "\n")
            log.flush()
        time.sleep(0.05)
    if mode == "hold":
        log.write(json.dumps({"held": state(held)}) + "\n")
"""


@pytest.fixture(scope="module")
def build_2004(build_1999, tmp_path_factory) -> dict:
    """The 1999 warehouse and its served marts, built again in full as of 2004 (`custseg
    build --full-refresh`: the segments' sizes of 1999 are no baseline for 2004's) while a
    reader process queries the served marts (as a BI tool would) all along."""
    import shutil
    import subprocess
    import sys
    import time

    folder = tmp_path_factory.mktemp("build_2004")
    shutil.copy(build_1999["warehouse"], folder / "warehouse.duckdb")
    shutil.copytree(build_1999["warehouse"].parent / "serving", folder / "serving")
    served = folder / "serving" / "marts.duckdb"
    stop = folder / "reader.stop"
    logs = {mode: folder / f"{mode}.jsonl" for mode in ("poll", "hold")}
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, mode, str(served), str(stop), str(log)])
        for mode, log in logs.items()
    ]
    while not all(log.exists() and log.read_text(encoding="utf-8").count("\n") >= 1
                  for log in logs.values()):  # fmt: skip
        assert all(r.poll() is None for r in readers), "a reader stopped before the build began"
        time.sleep(0.1)
    before, began = _repo_quality_stamp(), time.time()
    outcome = _custseg_build(folder, build_1999["raw"], YEARS_LATER, "--full-refresh")
    ended = time.time()
    outcome["repo_untouched"] = _repo_quality_stamp() == before
    time.sleep(0.5)  # the reader sees the published file a few more times
    stop.touch()
    for reader in readers:
        reader.wait(timeout=60)
    read = {mode: [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
            for mode, log in logs.items()}  # fmt: skip
    outcome.update(folder=folder, served=served, began=began, ended=ended, **read)
    return outcome


def test_a_served_marts_reader_never_fails_during_a_build_and_publish(build_2004):
    """Every query of the reader, before, during and after the 2004 build and its publish,
    succeeded and saw one whole build: the 1999 one (its state read by the connection held
    open since before the build) or the 2004 one (read from the file published at the
    end), never an error, a lock or a mix; the held connection still reads 1999's build."""
    import os

    lines = build_2004["poll"]
    assert build_2004["code"] == 0
    errors = [line["error"] for line in lines if "error" in line]
    assert errors == []
    held_first, held_last = (line["held"] for line in build_2004["hold"])
    with duckdb.connect(str(build_2004["served"]), read_only=True) as connection:
        (published,) = connection.execute(
            "select max(as_of_date) from marts.mart_row_counts"
        ).fetchone()
        served_rows = connection.execute(
            "select count(*) from marts.dim_customers"
        ).fetchone()  # fmt: skip
    assert held_first[0] == PAST_AS_OF.isoformat() and held_last == held_first
    assert published == YEARS_LATER
    states = [tuple(line["state"]) for line in lines if "state" in line]
    new = {state for state in states if state[0] == YEARS_LATER.isoformat()}
    assert len(new) == 1 and next(iter(new))[1] == str(served_rows[0])
    assert set(states) == {tuple(held_first), *new}
    began, ended = build_2004["began"], build_2004["ended"]
    during = [line for line in lines if began <= line.get("t", 0) <= ended]
    assert len(during) >= 100  # the reader was reading the whole build long
    # the reader saw 1999's build, then 2004's, and never 1999's again
    switch = states.index(next(iter(new)))
    assert set(states[:switch]) == {tuple(held_first)} and set(states[switch:]) == new
    assert not [p for p in os.listdir(build_2004["folder"] / "serving") if p.endswith(".tmp")]


def test_a_failed_build_leaves_the_last_good_served_marts(build_2004, tmp_path):
    """A build whose landing files fail gate 1 publishes nothing: the served file is the
    same file (inode) with the same build in it."""
    served = build_2004["served"]
    before = served.stat()
    empty = tmp_path / "raw"
    empty.mkdir()
    completed = custseg_here(
        build_2004["folder"], ["build", "--raw-path", str(empty), "--as-of", "2004-07-31"]
    )  # fmt: skip
    assert completed.returncode == 1
    after = served.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    with duckdb.connect(str(served), read_only=True) as connection:
        assert connection.execute(
            "select max(as_of_date) from marts.mart_row_counts"
        ).fetchone() == (YEARS_LATER,)


def test_a_build_years_after_the_last_row_warns_on_freshness(raw_1999, build_2004):
    """The 1999 files built as of 2004: the build succeeds; each continuous feed warns,
    naming its table, column, latest date, age at as_of_date and the var."""
    with duckdb.connect() as connection:
        latest = {
            table: connection.execute(
                f"select max(cast(try_cast({column} as timestamptz) as date)) "
                f"from read_parquet('{raw_1999 / f'{table}.parquet'}')"
            ).fetchone()[0]
            for table, column in FEEDS.items()
        }
    outcome = build_2004
    report = outcome["report"]
    failed = [r for r in report["results"] if r["status"] == FAIL]
    assert outcome["code"] == 0 and report["passed"], failed
    assert outcome["repo_untouched"]
    freshness = {
        r["table"]: r for r in report["results"] if r["check"].startswith("fresh_as_of_raw_")
    }
    for table, column in FEEDS.items():
        row = freshness[table]
        age = (YEARS_LATER - latest[table]).days
        assert row["status"] == WARN, row
        for words in (
            f"raw table {table}",
            f"column {column}",
            f"latest value {latest[table].isoformat()}",
            f"{age} days old at as_of_date {YEARS_LATER.isoformat()}",
            "threshold of 3 days (var raw_freshness_warn_after_days)",
        ):
            assert words in row["message"], (words, row["message"])
    sporadic = freshness["email_events"]
    assert sporadic["status"] == WARN
    assert "var raw_freshness_sporadic_warn_after_days" in sporadic["message"]


# ------------------------------------------------------------------ a hand-written export
CUSTOMERS_CSV = """\
customer_id,email,first_name,country_code,created_at,updated_at
k1,anna@beispiel.ch,Anna,CH,2025-11-02T10:00:00Z,2026-01-15T10:00:00Z
k2,ben@beispiel.de,Ben,DE,2025-11-20T08:30:00Z,2026-04-10T16:45:00+02:00
k3,,Clara,AT,2025-12-01 09:00:00,2026-02-01 09:00:00
k4,dora@beispiel.at,Dora,AT,2026-01-05T11:00:00Z,2026-03-30T11:00:00Z
"""
ORDERS_CSV = """\
order_id,customer_id,ordered_at,status,currency,order_total,updated_at
o1,k1,2026-01-10T12:00:00Z,completed,EUR,120.50,2026-01-12T12:00:00Z
o2,k1,2026-03-05T12:00:00Z,completed,EUR,80.00,2026-03-07T12:00:00Z
o3,k2,2026-04-18T09:00:00Z,completed,EUR,45.00,2026-04-20T09:00:00Z
o4,k3,2026-02-02T09:00:00Z,cancelled,EUR,10.00,2026-02-03T09:00:00Z
o5,k4,2026-03-28T15:00:00Z,paid,EUR,99.90,2026-03-29T15:00:00Z
"""
EXPORT_AS_OF = dt.date(2026, 6, 30)
# Read off the rows above by hand: the latest update of each table and its age.
EXPORT_LATEST = {"customers": dt.date(2026, 4, 10), "orders": dt.date(2026, 4, 20)}


@pytest.fixture(scope="module")
def old_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("old_export")
    (out / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (out / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    return out


def _stale_words(table: str) -> str:
    latest = EXPORT_LATEST[table]
    age = (EXPORT_AS_OF - latest).days
    assert age > 45  # the export is older than the former hard limit
    return (
        f"raw table {table}, column updated_at: latest value {latest.isoformat()} is {age} "
        f"days old at as_of_date {EXPORT_AS_OF.isoformat()}"
    )


def _build_export(export: Path, tmp: Path, **variables):
    build = run_dbt(tmp / "warehouse.duckdb", export, raw_format="csv",
                    as_of_date=EXPORT_AS_OF.isoformat(), **variables)  # fmt: skip
    results = dbt_results(warehouse.target_dir())
    rows = {r.table: r for r in results if r.check.startswith("fresh_as_of_")}
    return build, rows


def test_a_stale_export_builds_and_warns_in_words(old_export, tmp_path, capfd):
    build, rows = _build_export(old_export, tmp_path)
    printed = capfd.readouterr().out
    assert build.result.success, build.result.failures()
    for table in EXPORT_LATEST:
        words = _stale_words(table)
        row = rows[table]
        assert row.status == WARN, row
        assert words in row.message, row.message
        assert "threshold of 3 days (var raw_freshness_warn_after_days)" in row.message
        assert "var raw_freshness_error_after_days" in row.message  # how to make it an error
        # the same sentence in the dbt output the user sees
        assert re.search(re.escape(row.message), printed), printed[-3000:]
    # optional tables that are absent are not stale: they pass
    assert rows["web_events"].status == PASS and rows["consents"].status == PASS


def test_a_stale_export_fails_when_the_user_sets_the_error_var(old_export, tmp_path, capfd):
    build, rows = _build_export(old_export, tmp_path, raw_freshness_error_after_days=45)
    printed = capfd.readouterr().out
    assert not build.result.success
    failures = "\n".join(build.result.failures())
    for table in EXPORT_LATEST:
        words = _stale_words(table)
        row = rows[table]
        assert row.status == FAIL, row
        assert row.message.startswith("Freshness error: " + words), row.message
        assert "error threshold of 45 days (var raw_freshness_error_after_days)" in row.message
        assert words in failures and words in printed
    # nothing built on the stale sources (a tool export's staging, e.g.
    # stg_shopify__customers, reads its own files, not them)
    assert not any(r.status == "success" for r in build.result.results
                   if r.node.resource_type == "model" and "customer" in r.node.name
                   and r.node.fqn[1:3] != ["staging", "shopify"])  # fmt: skip


def test_the_report_row_carries_the_tests_own_sentence(tmp_path):
    """dbt_gate reads a test's `-- quality message:` line from its compiled SQL, and shows a
    raised error without dbt's "Compilation Error in test ..." header and macro trace."""
    source = "source.custseg.raw.orders"
    warned, errored = "test.custseg.fresh_as_of_warned", "test.custseg.fresh_as_of_errored"
    other = "test.custseg.not_null_x"
    nodes = {
        name: {"resource_type": "test", "name": name.split(".")[-1], "attached_node": None,
               "depends_on": {"nodes": [source]}, "original_file_path": "models/s.yml"}
        for name in (warned, errored, other)
    }  # fmt: skip
    sentence = "Freshness warning: raw table orders, column updated_at: latest value 2026-04-20"
    error = "Freshness error: raw table orders, column updated_at: latest value 2026-04-20"
    results = [
        {"unique_id": warned, "status": "warn", "failures": 1,
         "message": "Got 1 result, configured to warn if >=1",
         "compiled_code": f"\n\n-- quality message: {sentence}\n\nwith\n\nraw_rows as (...)"},
        {"unique_id": errored, "status": "error", "failures": None, "compiled_code": None,
         "message": "Compilation Error in test fresh_as_of_errored (models/s.yml)\n  "
                    f"{error}\n  \n  > in macro test_fresh_as_of (tests/generic/x.sql)\n"
                    "  > called by test fresh_as_of_errored (models/s.yml)"},
        {"unique_id": other, "status": "warn", "failures": 2, "compiled_code": "select 1",
         "message": "Got 2 results, configured to warn if != 0"},
    ]  # fmt: skip
    manifest = {"nodes": nodes, "sources": {source: {"resource_type": "source", "name": "orders"}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}), "utf-8")
    rows = {r.check: r for r in dbt_results(tmp_path)}
    assert rows["fresh_as_of_warned"].message == sentence
    assert rows["fresh_as_of_warned"].status == WARN
    assert rows["fresh_as_of_errored"].message == error
    assert rows["fresh_as_of_errored"].status == FAIL
    assert rows["not_null_x"].message == "Got 2 results, configured to warn if != 0"
