"""Data-quality gates and the one report that sums them up.

Gate 1 (``raw_gate``): Great Expectations suites on the landing files, before dbt runs.
Gate 2 (``dbt_gate``): dbt's own tests and contracts, read back from ``run_results.json``.
Gate 3 (``mart_gate``): Great Expectations suites on the built marts, for what row-level
tests cannot express (distributions, changes between builds).

Every gate returns ``CheckResult`` rows; ``report`` prints and writes them together.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

PASS, WARN, FAIL = "pass", "warn", "fail"
# A check that cannot apply to this build (e.g. consent shares without a consents table):
# reported with its reason, never a failure, and never counted as passed.
NOT_APPLICABLE = "n/a"
STATUSES = (NOT_APPLICABLE, PASS, WARN, FAIL)  # in order of severity


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome. ``status`` is pass, warn (soft: reported, never blocking),
    fail (blocking: the gate exits non-zero) or n/a (the check cannot apply to this build;
    ``message`` says why; never blocking). ``failing_rows`` counts the offending rows (or
    values) when the check has rows to count, else None."""

    gate: str  # raw | dbt | marts
    layer: str  # raw, sources, staging, intermediate, marts, seeds, ...
    table: str
    check: str
    status: str
    failing_rows: int | None = None
    message: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def as_dict(self) -> dict:
        return asdict(self)


def gate_passed(results: list[CheckResult]) -> bool:
    """A gate passes when none of its checks failed (warnings and checks that do not
    apply do not block)."""
    return all(result.status != FAIL for result in results)


# Gate thresholds, overridable by the dbt vars of the same names (dbt_project.yml).
DEFAULTS = {
    "max_quarantine_ratio": 0.05,
    "quality_rfm_share_tolerance": 0.025,
    "quality_size_warn_ratio": 1.5,
    "quality_size_fail_ratio": 2.0,
    "quality_size_min_members": 50,
    "quality_consent_share_band": [0.02, 0.98],
}


def settings(project_dir: Path, overrides: dict | None = None) -> dict:
    """Gate thresholds: the build's vars (``overrides``, e.g. ``custseg build --var``),
    else the project's dbt vars, else the defaults."""
    import yaml

    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    configured = {**(project.get("vars") or {}), **(overrides or {})}
    return {key: configured.get(key, default) for key, default in DEFAULTS.items()}
