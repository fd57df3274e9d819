"""Reports that never lie: a build's report shows that build's results only; a gate that did
not run makes the verdict INCOMPLETE, never PASSED; the exit code follows the last line; a
DuckDB lock held by another program is one line naming it, with no traceback; and the test
suite itself never writes into the user's target/, logs/, data/ or warehouse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, user_files
from custseg import cli, warehouse
from custseg.quality import FAIL, PASS, CheckResult
from custseg.quality.report import quality_dir, write_results

TEST_ID = "test.custseg.unique_fct_orders_order_id"
MODEL_ID = "model.custseg.fct_orders"


def write_passing_dbt_run(target: Path) -> None:
    """run_results.json and manifest.json of an earlier dbt build in which every test passed."""
    nodes = {
        MODEL_ID: {"resource_type": "model", "name": "fct_orders",
                   "original_file_path": "models/marts/core/fct_orders.sql"},
        TEST_ID: {"resource_type": "test", "name": "unique_fct_orders_order_id",
                  "attached_node": MODEL_ID},
    }  # fmt: skip
    results = [
        {"unique_id": TEST_ID, "status": "pass", "failures": 0, "message": None},
        {"unique_id": MODEL_ID, "status": "success", "failures": None, "message": None},
    ]
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")


def write_export(folder: Path) -> Path:
    """Three customers and three orders, hand-written, as CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customers.csv").write_text(
        "customer_id,email,created_at,updated_at\n"
        "c1,anna@example.de,2026-01-05 09:00:00,2026-06-28 09:00:00\n"
        "c2,ben@example.de,2026-02-05 09:00:00,2026-06-28 09:00:00\n"
        "c3,cleo@example.de,2026-03-05 09:00:00,2026-06-29 09:00:00\n",
        encoding="utf-8",
    )
    (folder / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,status,currency,order_total,updated_at\n"
        "o1,c1,2026-06-01 10:00:00,completed,EUR,19.90,2026-06-01 10:00:00\n"
        "o2,c2,2026-06-15 10:00:00,completed,EUR,45.00,2026-06-15 10:00:00\n"
        "o3,c1,2026-06-28 10:00:00,completed,EUR,12.50,2026-06-28 10:00:00\n",
        encoding="utf-8",
    )
    return folder


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


@pytest.fixture
def own_target(tmp_path, monkeypatch) -> Path:
    """This test's own dbt target folder (and so quality folder)."""
    target = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    return target


def test_a_held_lock_is_one_line_and_the_verdict_is_not_passed(tmp_path, own_target):
    path = tmp_path / "warehouse.duckdb"
    raw = write_export(tmp_path / "raw")
    write_passing_dbt_run(own_target)  # an earlier build that passed
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time\n"
         "connection = duckdb.connect(sys.argv[1])\n"
         "connection.execute('create table if not exists opened (i integer)')\n"
         "print('ready', flush=True)\n"
         "time.sleep(600)\n",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        env = {
            **os.environ,
            "WAREHOUSE_PATH": str(path),
            "DBT_TARGET_PATH": str(own_target),
            "DBT_LOG_PATH": str(tmp_path / "logs"),
        }
        completed = subprocess.run(
            [str(Path(sys.executable).with_name("custseg")), "build", "--raw-path", str(raw),
             "--raw-format", "csv", "--as-of", AS_OF.isoformat()],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "Traceback" not in output
    naming = [line for line in completed.stderr.splitlines() if str(holder.pid) in line]
    assert len(naming) == 1, completed.stderr
    assert str(path) in naming[0] and "Close that connection" in naming[0]
    verdict = last_line(completed.stdout)
    assert "QUALITY GATES" in verdict and "PASSED" not in verdict, completed.stdout
    assert "dbt" in verdict  # named among the gates that did not run
    report = json.loads((quality_dir(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["passed"] is False and "dbt" in report["not_run"]


def test_check_not_locked_names_the_holder(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time\n"
         "connection = duckdb.connect(sys.argv[1])\n"
         "connection.execute('create table t (i integer)')\n"
         "print('ready', flush=True)\n"
         "time.sleep(600)\n",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(warehouse.WarehouseLocked) as raised:
            warehouse.check_not_locked(path)
    finally:
        holder.kill()
        holder.wait()
    message = str(raised.value)
    assert "\n" not in message
    assert f"process {holder.pid} ({sys.executable} -c import duckdb" in message
    warehouse.check_not_locked(path)  # released: nothing to say


@pytest.mark.parametrize(
    ("gates", "exit_code", "verdict", "not_run"),
    [
        ({"raw": PASS, "dbt": PASS, "marts": PASS}, 0, "PASSED", ""),
        ({"raw": PASS, "dbt": PASS}, 1, "INCOMPLETE", "marts"),
        ({"raw": PASS, "marts": PASS}, 1, "INCOMPLETE", "dbt"),
        ({"dbt": PASS}, 1, "INCOMPLETE", "raw, marts"),
        ({"raw": PASS, "dbt": PASS, "marts": FAIL}, 1, "FAILED", ""),
        ({"raw": FAIL, "dbt": PASS}, 1, "FAILED", "marts"),
    ],
)
def test_the_exit_code_and_the_last_line_agree(
    gates, exit_code, verdict, not_run, tmp_path, own_target, capsys
):
    """`custseg quality`: a gate that did not run is never PASSED."""
    folder = quality_dir(warehouse.project_dir())
    assert folder == own_target / "quality"
    for gate, name in (("raw", "raw_gate.json"), ("marts", "mart_gate.json")):
        if gate in gates:
            write_results(folder / name, [CheckResult(gate, gate, "orders", "check", gates[gate])])
    if "dbt" in gates:
        write_passing_dbt_run(own_target)
    assert cli.main(["quality"]) == exit_code
    line = last_line(capsys.readouterr().out)
    assert line.endswith(f"QUALITY GATES {verdict}."), line
    assert (f"Not run: {not_run}." in line) if not_run else ("Not run" not in line)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == verdict and report["passed"] is (exit_code == 0)


def test_the_target_folder_follows_dbt_target_path(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET_PATH", "elsewhere/target")
    assert quality_dir(tmp_path) == tmp_path / "elsewhere" / "target" / "quality"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "abs"))
    assert quality_dir(Path("/nowhere")) == tmp_path / "abs" / "quality"
    monkeypatch.delenv("DBT_TARGET_PATH")
    assert quality_dir(tmp_path) == tmp_path / "target" / "quality"


def test_the_suite_runs_with_private_dbt_paths():
    """The session fixture moved dbt's target, logs and the default warehouse out of the
    repository (its finaliser fails the session if the repository's files changed)."""
    project = warehouse.project_dir()
    for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "WAREHOUSE_PATH"):
        assert not Path(os.environ[name]).resolve().is_relative_to(project), name
    assert not warehouse.warehouse_path().is_relative_to(project)
    assert not quality_dir(project).is_relative_to(project)


def test_the_guard_sees_a_rewritten_report(tmp_path):
    report = tmp_path / "target" / "quality" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text("{}", encoding="utf-8")
    (tmp_path / "warehouse.duckdb").write_bytes(b"x")
    before = user_files(tmp_path)
    assert set(before) == {"target/quality/report.json", "warehouse.duckdb"}
    report.write_text('{"passed": true}', encoding="utf-8")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "orders.csv").write_text("order_id\n", encoding="utf-8")
    after = user_files(tmp_path)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {"target/quality/report.json", "data/raw/orders.csv"}
