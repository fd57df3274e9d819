"""One quality report over the three gates: a table on the terminal (every check that
warned, failed or did not apply, with its reason, and the passing ones counted per gate
and layer) and the same rows as JSON under target/quality/report.json for CI and BI.

The verdict is PASSED only when every gate ran and passed: a gate that did not run (dbt
could not start, the marts were not validated) makes it INCOMPLETE, never PASSED."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import FAIL, NOT_APPLICABLE, PASS, WARN, CheckResult, gate_passed

GATES = ("raw", "dbt", "marts")
GATE_TITLES = {"raw": "1 raw files", "dbt": "2 dbt", "marts": "3 marts"}


def quality_dir(project_dir: Path) -> Path:
    """<dbt target folder>/quality: follows DBT_TARGET_PATH like dbt's own target."""
    from ..warehouse import target_dir

    return target_dir(project_dir) / "quality"


def verdict(results: list[CheckResult], missing: list[str]) -> str:
    """PASSED, FAILED (a check failed) or INCOMPLETE (nothing failed, a gate did not run)."""
    if not gate_passed(results):
        return "FAILED"
    return "INCOMPLETE" if missing else "PASSED"


def write_results(path: Path, results: list[CheckResult], timings: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"results": [r.as_dict() for r in results], "timings": timings or {}}
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")


def read_results(path: Path) -> tuple[list[CheckResult], dict]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [CheckResult(**row) for row in document["results"]], document.get("timings", {})


def collect(project_dir: Path) -> tuple[list[CheckResult], dict, list[str]]:
    """Every gate's latest results; the gates that never ran are listed as missing."""
    from .dbt_gate import dbt_results

    folder = quality_dir(project_dir)
    results: list[CheckResult] = []
    timings: dict = {}
    missing = []
    for gate, name in (("raw", "raw_gate.json"), ("marts", "mart_gate.json")):
        if (folder / name).exists():
            found, took = read_results(folder / name)
            results += found
            timings[gate] = took
        else:
            missing.append(gate)
    from ..warehouse import target_dir

    target = target_dir(project_dir)
    if (target / "run_results.json").exists() and (target / "manifest.json").exists():
        results += dbt_results(target)
    else:
        missing.append("dbt")
    order = {gate: index for index, gate in enumerate(GATES)}
    results.sort(key=lambda r: (order.get(r.gate, 9), r.layer, r.table, r.check))
    return results, timings, missing


def _status_label(status: str) -> str:
    return "not applicable" if status == NOT_APPLICABLE else status.upper()


def _shorten(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def render(results: list[CheckResult], missing: list[str]) -> str:
    rows = [("gate", "layer", "table", "check", "status", "failing rows")]
    for result in results:
        if result.status != PASS:
            failing = "" if result.failing_rows is None else f"{result.failing_rows:,}"
            check = result.check + (f" ({result.message})" if result.message else "")
            rows.append(
                (GATE_TITLES.get(result.gate, result.gate), result.layer, result.table,
                 _shorten(check), _status_label(result.status), failing)
            )  # fmt: skip
    passed = Counter((r.gate, r.layer) for r in results if r.status == PASS)
    for (gate, layer), count in sorted(passed.items(), key=lambda item: GATES.index(item[0][0])):
        rows.append((GATE_TITLES.get(gate, gate), layer, "(all)", f"{count} checks", "pass", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    counts = Counter(r.status for r in results)
    lines.append("")
    lines.append(
        f"{len(results)} checks: {counts[PASS]} passed, {counts[WARN]} warned, "
        f"{counts[FAIL]} failed"
        + (f", {counts[NOT_APPLICABLE]} not applicable" if counts[NOT_APPLICABLE] else "")
        + "."
        + (f" Not run: {', '.join(missing)}." if missing else "")
        + f" QUALITY GATES {verdict(results, missing)}."
    )
    return "\n".join(lines)


@dataclass
class Report:
    verdict: str
    path: Path
    text: str  # the table; its last line is the verdict

    @property
    def passed(self) -> bool:
        return self.verdict == "PASSED"


def write_report(project_dir: Path) -> Report:
    """Collect the gates' latest results and write report.json; nothing printed."""
    results, timings, missing = collect(project_dir)
    outcome = verdict(results, missing)
    summary = {
        "passed": outcome == "PASSED",
        "verdict": outcome,
        "not_run": missing,
        "counts": dict(Counter(r.status for r in results)),
        "timings_seconds": timings,
        "results": [r.as_dict() for r in results],
    }
    path = quality_dir(project_dir) / "report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return Report(outcome, path, render(results, missing))


def print_report(report: Report) -> int:
    print(f"Report written to {report.path}")
    print(report.text)  # its last line is the verdict the exit code follows
    return 0 if report.passed else 1


def run_report(project_dir: Path) -> int:
    return print_report(write_report(project_dir))
