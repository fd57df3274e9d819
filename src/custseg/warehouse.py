"""Run dbt in-process (dbtRunner) against this project, and read what it built."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def project_dir() -> Path:
    """The dbt project: $CUSTSEG_PROJECT_DIR, else the repository this package lives in,
    else the current directory."""
    configured = os.environ.get("CUSTSEG_PROJECT_DIR")
    if configured:
        return Path(configured).resolve()
    repo = Path(__file__).resolve().parents[2]
    if (repo / "dbt_project.yml").exists():
        return repo
    return Path.cwd()


def warehouse_path() -> Path:
    """The DuckDB file the `dev` target writes (profiles.yml reads the same variable)."""
    path = Path(os.environ.get("WAREHOUSE_PATH", "warehouse.duckdb"))
    return path if path.is_absolute() else project_dir() / path


# The vars that change from build to build travel as environment variables, which the
# project reads when the var is empty (macros as_of_date_text, raw_location, raw_format):
# dbt's partial parsing re-parses the whole project (~12 s here) whenever --vars differ
# from the previous invocation's.
RUN_VARS = {
    "as_of_date": "CUSTSEG_AS_OF_DATE",
    "raw_path": "CUSTSEG_RAW_PATH",
    "raw_format": "CUSTSEG_RAW_FORMAT",
}
RUN_VAR_DEFAULTS = {"raw_path": "data/raw", "raw_format": "auto"}


def run_var(variables: Mapping[str, Any] | None, name: str) -> str:
    """A RUN_VARS var as the project's macros resolve it: given, else its environment
    variable, else its default ("" for as_of_date: today)."""
    given = str((variables or {}).get(name) or "").strip()
    return given or os.environ.get(RUN_VARS[name], "").strip() or RUN_VAR_DEFAULTS.get(name, "")


def raw_path(variables: Mapping[str, Any] | None = None) -> Path:
    """The landing folder a build reads, as macro raw_location() finds it; relative paths
    from the project directory."""
    path = Path(run_var(variables, "raw_path"))
    return path if path.is_absolute() else project_dir() / path


def target_dir(project: Path | None = None) -> Path:
    """dbt's target folder (run_results.json, manifest.json, the quality reports):
    $DBT_TARGET_PATH, which dbt itself reads too (absolute, or relative to the project),
    else <project>/target as dbt_project.yml says."""
    project = project or project_dir()
    configured = os.environ.get("DBT_TARGET_PATH")
    path = Path(configured) if configured else Path("target")
    return path if path.is_absolute() else project / path


class WarehouseLocked(RuntimeError):
    """Another process holds the DuckDB file's write lock; the message is one line."""


def check_not_locked(path: Path | None = None) -> None:
    """Raise WarehouseLocked, naming the process that holds the warehouse file, when this
    process could not open it read-write (dbt could not build). A missing file is fine."""
    import duckdb

    path = path or warehouse_path()
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise WarehouseLocked(lock_message(path, str(error))) from None


def lock_message(path: Path, error: str) -> str:
    """One line from DuckDB's lock error: the file, the holder (PID and its command line
    when /proc shows it) and what to do."""
    import re

    match = re.search(r"PID (\d+)", error)
    holder = "another process"
    if match:
        pid = match.group(1)
        holder = f"process {pid}"
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            command = " ".join(raw.replace(b"\0", b" ").decode(errors="replace").split())
        except OSError:
            command = ""
        if command:
            holder += f" ({command[:120]})"
    return (
        f"The warehouse {path} is open in {holder}, which holds its write lock, so dbt "
        "cannot build it. Close that connection (a BI tool, notebook or duckdb shell; even "
        "a read-only one blocks a build) and run the build again, or let BI tools read a "
        "copy of the file."
    )


def default_memory_limit(share: float = 0.6) -> str:
    """About 60 % of this machine's memory, for DuckDB's memory_limit (profiles.yml reads
    DUCKDB_MEMORY_LIMIT; plain `dbt` without the CLI falls back to the profile's 14GB)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(total * share / 2**30))}GB"


# Extra dbtRunner callbacks (custseg.progress counts finished nodes with one).
DBT_CALLBACKS: list = []


@dataclass
class DbtResult:
    success: bool
    args: list[str]
    exception: BaseException | None
    results: list[Any]

    def failures(self) -> list[str]:
        """One line per node that errored or failed: unique id and message."""
        lines = []
        for result in self.results:
            status = str(getattr(result, "status", ""))
            if status.lower() in {"error", "fail"}:
                lines.append(f"{result.node.unique_id}: {result.message}")
        if self.exception is not None:
            lines.append(str(self.exception))
        return lines


def run_dbt(
    args: Sequence[str],
    variables: Mapping[str, Any] | None = None,
    target: str | None = None,
) -> DbtResult:
    """Invoke dbt with `args` (e.g. ["build", "--select", "staging"]) in this project, with
    `variables` as its vars (RUN_VARS as their environment variables, the others as
    --vars).

    Never run two invocations against one DuckDB file at the same time.
    """
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DUCKDB_MEMORY_LIMIT", default_memory_limit())
    directory = project_dir()
    variables = dict(variables or {})
    environment = {
        RUN_VARS[name]: str(variables.pop(name) or "")
        for name in list(variables)
        if name in RUN_VARS
    }
    cli = [*args, "--project-dir", str(directory), "--profiles-dir", str(directory)]
    if variables:
        cli += ["--vars", json.dumps(variables)]
    if target:
        cli += ["--target", target]
    previous = Path.cwd()
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    os.chdir(directory)  # relative paths (warehouse file, raw_path) resolve from the project
    try:
        outcome = dbtRunner(callbacks=list(DBT_CALLBACKS)).invoke(cli)
    finally:
        os.chdir(previous)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _release_duckdb_file()
    results = list(getattr(outcome.result, "results", None) or [])
    return DbtResult(bool(outcome.success), cli, outcome.exception, results)


def _release_duckdb_file() -> None:
    """dbt-duckdb keeps its database file open in a class-level environment after an
    invocation, so nothing else in this process could open the file (read-only readers
    fail with "different configuration"). Close it once dbt is done."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def replay_dates(start: dt.date, end: dt.date, every: str) -> list[dt.date]:
    """as_of_dates from `start` to `end` (both included) a day, week or month apart.
    Monthly steps keep the day of month, clamped to the month's last day."""
    if end < start:
        raise ValueError(f"replay: --to {end} is before --from {start}")
    dates = [start]
    while True:
        previous = dates[-1]
        if every == "day":
            following = previous + dt.timedelta(days=1)
        elif every == "week":
            following = previous + dt.timedelta(days=7)
        elif every == "month":
            months = (len(dates)) + start.month - 1
            year, month = start.year + months // 12, months % 12 + 1
            following = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        else:
            raise ValueError(f"replay: every must be day, week or month, got {every!r}")
        if following >= end:
            break
        dates.append(following)
    if dates[-1] != end:
        dates.append(end)
    return dates
