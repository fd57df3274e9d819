"""A copy of the dbt project in a temporary folder, for tests that run `custseg` end to end:
its target/ (manifest, run results, quality report), logs and warehouse file are the
copy's, so a test never writes into the repository's target/, data/ or warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from custseg import warehouse

PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds")
TEST_PARTS = ("generic", "marts", "fixtures")


def copy_project(destination: Path) -> Path:
    """The dbt project (models, macros, seeds, data tests) copied to ``destination``."""
    source = warehouse.project_dir()
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, destination / part)
        else:
            shutil.copy2(source / part, destination / part)
    for part in TEST_PARTS:
        if (source / "tests" / part).exists():
            shutil.copytree(source / "tests" / part, destination / "tests" / part)
    return destination


def run_custseg(project: Path, args: list[str], timeout: int = 1800):
    """`custseg <args>` in a child process against the project copy ``project`` (warehouse
    file inside it); returns the CompletedProcess with stdout and stderr as text."""
    env = {
        **os.environ,
        "CUSTSEG_PROJECT_DIR": str(project),
        "WAREHOUSE_PATH": str(project / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "logs"),
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "custseg.cli", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
