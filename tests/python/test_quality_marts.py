"""Gate 3 (custseg.quality.mart_gate): Great Expectations on the built marts, read through
DuckDB. It passes on the messy build, and each deliberately broken warehouse fails the
check it should, naming the table and the check; Data Docs hold no PII; the report joins
the gates."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import yaml

from conftest import AS_OF, run_dbt
from custseg import warehouse
from custseg.quality import FAIL, PASS, WARN, gate_passed
from custseg.quality.mart_gate import validate_marts
from custseg.quality.report import quality_dir

PROJECT = warehouse.project_dir()
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def broken_copy(build, tmp_path: Path, *statements: str) -> Path:
    # the same file name: dbt-duckdb's views name their database (the file's stem)
    copy = tmp_path / "broken" / build.path.name
    copy.parent.mkdir()
    shutil.copy(build.path, copy)
    with duckdb.connect(str(copy)) as connection:
        for statement in statements:
            connection.execute(statement)
    return copy


def by_check(results):
    return {(r.table, r.check): r for r in results}


def test_the_messy_build_passes_and_every_check_ran(messy_build, tmp_path):
    results, timings = validate_marts(messy_build.path, PROJECT, docs_root=tmp_path / "docs")
    assert gate_passed(results), [r for r in results if r.status == FAIL]
    checks = by_check(results)
    scores = {c for t, c in checks if t == "customer_rfm"}
    assert scores == {f"rfm_score_share_in_band:{d}_score={s}" for d in "rfm" for s in range(1, 6)}
    assert {c for t, c in checks if t == "customer_value"} == {
        "p_alive_in_0_1", "predicted_clv_not_negative", "historical_clv_not_negative",
        "expected_purchases_not_negative",
    }  # fmt: skip
    segments = {s for (s,) in messy_build.query("select segment_id from marts.dim_segments")}
    assert {c for t, c in checks if t == "segment_sizes"} == {f"size_change:{s}" for s in segments}
    assert all(
        r.message == "no previous build to compare with"
        for r in results
        if r.table in ("segment_sizes", "mart_row_counts")
    )
    assert set(timings) == {"rfm", "clv", "consent", "changes"}


def test_out_of_range_values_fail_with_their_count_across_chunks(messy_build, tmp_path):
    copy = broken_copy(
        messy_build,
        tmp_path,
        # DuckDB enforces the mart contract's check `p_alive between 0 and 1` and would
        # refuse the update; gate 3 is for tables without it (Spark's, a copy, a BI
        # extract): the same table without its constraints (a CTAS copies none)
        "create or replace table marts.customer_value as select * from marts.customer_value",
        "update marts.customer_value set p_alive = 1.5 where customer_id in "
        "(select customer_id from marts.customer_value where p_alive is not null "
        "order by customer_id limit 7)",
    )
    results, _ = validate_marts(copy, PROJECT, chunk_rows=300)
    check = by_check(results)[("customer_value", "p_alive_in_0_1")]
    assert (check.status, check.failing_rows) == (FAIL, 7)
    assert by_check(results)[("customer_value", "predicted_clv_not_negative")].status == PASS


def test_a_skewed_rfm_score_and_a_lost_consent_fail(messy_build, tmp_path):
    copy = broken_copy(
        messy_build,
        tmp_path,
        "update marts.customer_rfm set r_score = 5 where r_score = 4",
        "update marts.dim_customers set has_sms_marketing_consent = false",
    )
    results, _ = validate_marts(copy, PROJECT)
    checks = by_check(results)
    assert checks[("customer_rfm", "rfm_score_share_in_band:r_score=5")].status == FAIL
    assert checks[("customer_rfm", "rfm_score_share_in_band:r_score=4")].status == FAIL
    assert checks[("customer_rfm", "rfm_score_share_in_band:m_score=3")].status == PASS
    assert checks[("dim_customers", "consent_share_above_zero:sms_marketing")].status == FAIL
    assert checks[("dim_customers", "consent_share_above_zero:email_marketing")].status == PASS


def test_a_segment_that_doubles_between_two_builds_fails(messy_raw, messy_build, tmp_path):
    """A real second build, a month later, after someone broadened a segment's rule."""
    raw, _ = messy_raw
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT / name, project / name)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(PROJECT / name, project / name, ignore=shutil.ignore_patterns("python"))
    definitions = project / "models/marts/segments/_segment_definitions.yml"
    document = yaml.safe_load(definitions.read_text(encoding="utf-8"))
    for segment in document["models"][0]["config"]["meta"]["segment_definitions"]:
        if segment["id"] == "young_adults":  # 18-24 becomes 18-44
            segment["rule"] = {
                "field": "age_band",
                "op": "in",
                "value": ["18_24", "25_34", "35_44"],
            }
    definitions.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(messy_build.path, copy)
    later = AS_OF + dt.timedelta(days=31)
    os.environ["CUSTSEG_PROJECT_DIR"] = str(project)
    try:
        build = run_dbt(
            copy, raw, ["build", "--select", "segment_memberships+", "mart_row_counts"],
            as_of_date=later.isoformat(),
        )  # fmt: skip
    finally:
        os.environ.pop("CUSTSEG_PROJECT_DIR")
    assert build.result.success, build.result.failures()
    results, _ = validate_marts(copy, project)
    checks = by_check(results)
    doubled = checks[("segment_sizes", "size_change:young_adults")]
    assert doubled.status == FAIL, doubled
    before, after = (int(n) for n in doubled.message.split(" -> "))
    assert after >= 2 * before
    # segments whose rule did not change stay within the ratios
    assert checks[("segment_sizes", "size_change:b2b_decision_makers")].status in (PASS, WARN)
    assert not gate_passed(results)


def test_data_docs_are_written_without_pii(messy_build, tmp_path):
    docs = tmp_path / "docs"
    validate_marts(messy_build.path, PROJECT, docs_root=docs)
    pages = list(docs.rglob("*.html")) + list(docs.rglob("*.json"))
    assert any(p.name == "index.html" for p in pages)
    assert len([p for p in pages if "validations" in p.parts]) >= 4
    found = {
        m for p in pages for m in EMAIL.findall(p.read_text(encoding="utf-8", errors="ignore"))
    }
    assert not found, sorted(found)[:5]


def write_dbt_run(target: Path) -> None:
    """A minimal run_results.json and manifest.json as dbt writes them: one passing test
    on a mart, one warning on a staging model, one skipped test."""
    model, staging = "model.custseg.fct_orders", "model.custseg.stg_raw__orders"
    nodes = {
        model: {"resource_type": "model", "name": "fct_orders",
                "original_file_path": "models/marts/core/fct_orders.sql"},
        staging: {"resource_type": "model", "name": "stg_raw__orders",
                  "original_file_path": "models/staging/raw/stg_raw__orders.sql"},
        "test.custseg.unique_fct_orders_order_id": {
            "resource_type": "test", "name": "unique_fct_orders_order_id",
            "attached_node": model, "original_file_path": "models/marts/core/_core.yml"},
        "test.custseg.not_null_stg_raw__orders_ordered_at": {
            "resource_type": "test", "name": "not_null_stg_raw__orders_ordered_at",
            "attached_node": staging, "original_file_path": "models/staging/raw/_raw.yml"},
        "test.custseg.skipped": {"resource_type": "test", "name": "skipped",
                                 "attached_node": model},
    }  # fmt: skip
    results = [
        {"unique_id": "test.custseg.unique_fct_orders_order_id", "status": "pass",
         "failures": 0, "message": None},
        {"unique_id": "test.custseg.not_null_stg_raw__orders_ordered_at", "status": "warn",
         "failures": 3, "message": "Got 3 results, configured to warn if != 0"},
        {"unique_id": "test.custseg.skipped", "status": "skipped", "failures": None,
         "message": None},
        {"unique_id": model, "status": "success", "failures": None, "message": None},
    ]  # fmt: skip
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")


def test_the_report_joins_the_gates_and_fails_when_one_fails(
    messy_build, tmp_path, capsys, monkeypatch
):
    from custseg.quality import CheckResult
    from custseg.quality.report import run_report, write_results

    results, timings = validate_marts(messy_build.path, PROJECT)
    project = tmp_path / "project"
    monkeypatch.setenv("DBT_TARGET_PATH", str(project / "target"))
    quality = project / "target" / "quality"
    write_results(quality / "mart_gate.json", results, timings)
    raw = [CheckResult("raw", "raw", "orders", "required_columns_present", PASS)]
    write_results(quality / "raw_gate.json", raw)
    write_dbt_run(project / "target")
    assert run_report(project) == 0
    printed = capsys.readouterr().out
    assert "QUALITY GATES PASSED" in printed and "3 marts" in printed and "2 dbt" in printed
    report = json.loads((quality / "report.json").read_text(encoding="utf-8"))
    assert {r["gate"] for r in report["results"]} == {"raw", "dbt", "marts"}
    assert report["passed"] is True
    dbt_rows = {(r["layer"], r["table"], r["check"], r["status"], r["failing_rows"])
                for r in report["results"] if r["gate"] == "dbt"}  # fmt: skip
    assert dbt_rows == {
        ("marts", "fct_orders", "unique_fct_orders_order_id", PASS, 0),
        ("staging", "stg_raw__orders", "not_null_stg_raw__orders_ordered_at", WARN, 3),
    }  # the skipped test is left out: its upstream failure would be reported instead
    assert re.search(r"stg_raw__orders\s+not_null_stg_raw__orders_ordered_at.*WARN\s+3", printed)
    write_results(
        quality / "raw_gate.json",
        [CheckResult("raw", "raw", "customers", "required_columns_present", FAIL, None, "email")],
    )
    assert run_report(project) == 1
    printed = capsys.readouterr().out
    assert re.search(r"customers\s+required_columns_present \(email\)\s+FAIL", printed), printed
    assert json.loads((quality / "report.json").read_text(encoding="utf-8"))["passed"] is False


def test_custseg_build_runs_the_three_gates_and_the_report(messy_build):
    """The CLI's build (the session's messy build is one): gate 1, dbt build (gate 2),
    gate 3, then one report naming all."""
    assert messy_build.code == 0, messy_build.stdout[-3000:]
    report = messy_build.report
    assert report["passed"] and report["not_run"] == []
    gates = {r["gate"] for r in report["results"]}
    assert gates == {"raw", "dbt", "marts"}
    # the messy landing files warn in gate 1; dbt quarantines those rows and passes
    assert any(r["gate"] == "raw" and r["status"] == WARN for r in report["results"])
    assert all(r["status"] != FAIL for r in report["results"])
    assert messy_build.data_docs_written
    assert messy_build.stdout.rstrip().splitlines()[-1].endswith("QUALITY GATES PASSED.")


def test_a_blocking_raw_defect_stops_the_build_before_dbt(tiny_raw, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from custseg import cli

    raw = tiny_raw
    broken = tmp_path / "raw"
    shutil.copytree(raw, broken)
    customers = pq.read_table(broken / "customers.parquet")
    pq.write_table(customers.drop(["customer_id"]), broken / "customers.parquet")
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "never.duckdb"))
    arguments = ["build", "--raw-path", str(broken), "--as-of", AS_OF.isoformat()]
    assert cli.main(arguments) == 1
    assert not (tmp_path / "never.duckdb").exists()  # dbt never ran
    results = json.loads((quality_dir(PROJECT) / "raw_gate.json").read_text(encoding="utf-8"))[
        "results"
    ]
    failed = {(r["table"], r["check"]) for r in results if r["status"] == FAIL}
    assert ("customers", "required_columns") in failed
