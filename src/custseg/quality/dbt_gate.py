"""Gate 2 read back: the outcome of every dbt test (data and unit tests) and of every
model build of the last dbt invocation, from ``target/run_results.json`` and
``target/manifest.json``, as CheckResult rows by layer.

A row's message is the test's own words when it has them: a test may write one line
``-- quality message: <sentence>`` into its compiled SQL (fresh_as_of does: table, column,
latest value, age, threshold and var), and an error a test raises is shown without dbt's
"Compilation Error in test ..." header and macro trace."""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import FAIL, PASS, WARN, CheckResult

GATE = "dbt"
_STATUS = {"pass": PASS, "success": PASS, "warn": WARN, "fail": FAIL, "error": FAIL}
_QUALITY_MESSAGE = re.compile(r"^\s*-- quality message: (.+?)\s*$", re.MULTILINE)
_DBT_HEADER = re.compile(r"^(Compilation|Runtime|Database) Error in \w+ \S+( \(.*\))?$")


def _layer(node: dict) -> str:
    if node.get("resource_type") == "source":
        return "sources"
    if node.get("resource_type") == "seed":
        return "seeds"
    parts = Path(node.get("original_file_path", "")).parts
    if len(parts) > 1 and parts[0] == "models":
        return parts[1]
    if len(parts) > 1 and parts[0] == "tests":
        return parts[1]  # singular tests live in tests/<layer>/
    return parts[0] if parts else "unknown"


def dbt_results(target_dir: Path) -> list[CheckResult]:
    """Tests (pass / warn / fail) and failed builds of the last dbt run; nodes dbt skipped
    because something upstream failed are left out (the upstream failure is reported)."""
    run_results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    nodes.update(manifest.get("unit_tests", {}))
    results = []
    for outcome in run_results.get("results", []):
        status = _STATUS.get(outcome.get("status"))
        if status is None:  # skipped, no-op
            continue
        node = nodes.get(outcome["unique_id"], {})
        kind = node.get("resource_type", outcome["unique_id"].split(".")[0])
        if kind in ("test", "unit_test"):
            tested = _tested_node(node, nodes)
            results.append(
                CheckResult(
                    gate=GATE,
                    layer="unit tests" if kind == "unit_test" else _layer(tested or node),
                    table=(tested or {}).get("name", node.get("model", "")),
                    check=node.get("name", outcome["unique_id"]),
                    status=status,
                    failing_rows=outcome.get("failures"),
                    message="" if status == PASS else _test_message(outcome),
                )
            )
        elif status == FAIL:  # a model, seed or snapshot that did not build
            results.append(
                CheckResult(
                    gate=GATE,
                    layer=_layer(node),
                    table=node.get("name", outcome["unique_id"]),
                    check=f"build {kind}",
                    status=FAIL,
                    message=_first_line(outcome.get("message")),
                )
            )
    return results


def _tested_node(test: dict, nodes: dict) -> dict | None:
    attached = test.get("attached_node")
    if attached and attached in nodes:
        return nodes[attached]
    for parent in (test.get("depends_on") or {}).get("nodes", []):
        if parent in nodes and nodes[parent].get("resource_type") in ("model", "source", "seed"):
            return nodes[parent]
    model = test.get("model")  # unit tests name their model
    if model:
        return next((n for n in nodes.values() if n.get("unique_id") == model), None)
    return None


def _test_message(outcome: dict) -> str:
    """The test's own sentence from its compiled SQL, else dbt's message."""
    found = _QUALITY_MESSAGE.search(outcome.get("compiled_code") or "")
    if found:
        return found.group(1)
    return _first_line(outcome.get("message"))


def _first_line(message: str | None) -> str:
    """dbt's message without the "<kind> Error in test <name> (<file>)" header that repeats
    the check's name, nor the "> in macro ..." trace; the first lines that remain."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if len(lines) > 1 and _DBT_HEADER.match(lines[0]):
        lines = [line for line in lines[1:] if not line.startswith("> ")]
    return " ".join(lines[:3])[:500]
