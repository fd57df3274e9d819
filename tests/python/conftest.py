"""Session fixtures: generated data and dbt builds, each into its own temporary warehouse.

dbt runs in-process (dbtRunner), one invocation at a time, never two on one DuckDB file.
The suite never writes into the repository's target/, logs/, data/ or warehouse file: dbt's
target and log folders (DBT_TARGET_PATH, DBT_LOG_PATH, which custseg's quality reports
follow) and WAREHOUSE_PATH point into the session's temporary directory, and the session
fails when any of those repository paths changed while it ran.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from custseg import warehouse

# An xdist worker's __main__ has neither __file__ nor __spec__, which pyspark (imported by
# Great Expectations) takes for a doctest run and answers with sys.exit(0) when grpc is
# absent. Give the worker's __main__ a name so the gates import as they do elsewhere.
if not hasattr(sys.modules["__main__"], "__file__"):
    sys.modules["__main__"].__file__ = "<pytest-xdist worker>"

AS_OF = dt.date(2026, 6, 30)
CUSTOMERS = 2_000
SEED = 7
# What a user's own build writes in the repository; the suite must leave all of it alone.
USER_PATHS = ("target", "logs", "data", "serving", "warehouse.duckdb", "warehouse.duckdb.wal")


def user_files(project: Path) -> dict[str, tuple[int, int]]:
    """Every file under USER_PATHS in `project`: relative path -> (size, mtime in ns)."""
    found = {}
    for name in USER_PATHS:
        top = project / name
        paths = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file())
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed while listing
                continue
            found[str(path.relative_to(project))] = (stat.st_size, stat.st_mtime_ns)
    return found


# Groups by measured duration on two workers, longest first (2026-12-02: the messy builds
# ~440 s, Spark ~350 s, any_date ~225 s, FX ~145 s, sqlfluff ~135 s, ...); others follow.
LONGEST_GROUPS = (
    "messy_builds", "test_spark", "test_any_date", "test_fx_missing", "test_incremental",
    "test_connectors", "test_lint",
    "test_table_subsets", "test_provenance", "test_raw_contract", "test_dbt_gate",
    "test_quality_raw", "test_erasure", "test_segment_rules_forgiving", "test_staging_rules",
)  # fmt: skip

# Shared builds: tests that read these fixtures run on one xdist worker, so each is built once.
SHARED_BUILDS = ("messy_build", "messy_csv_build", "later_builds")


def _module_fixtures(item) -> set[str]:
    """The module-scoped fixtures (a module's own builds) that `item` uses."""
    definitions = item._fixtureinfo.name2fixturedefs
    return {
        name for name in item.fixturenames
        if name in definitions and definitions[name][-1].scope == "module"
    }  # fmt: skip


@pytest.hookimpl(tryfirst=True)  # before xdist's worker hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """`make test` runs two pytest-xdist workers (`-n 2 --dist loadgroup`): the tests of the
    shared messy builds form one group, and so does every test sharing a module-scoped
    build with one of them; every other module is its own group. So no session or module
    fixture (a dbt build) is built on both workers."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    with_shared = {
        (item.module.__name__, name)
        for item in items
        if any(name in SHARED_BUILDS for name in item.fixturenames)
        for name in _module_fixtures(item)
    }
    for item in items:
        shared = any(name in SHARED_BUILDS for name in item.fixturenames) or any(
            (item.module.__name__, name) in with_shared for name in _module_fixtures(item)
        )
        item.add_marker(pytest.mark.xdist_group("messy_builds" if shared else item.module.__name__))
    # The longest groups first, so that no long group starts last (make test passes
    # --no-loadscope-reorder: xdist hands out groups in this order): the Spark build on one
    # worker, the messy builds on the other, then the rest by their measured duration.
    items.sort(key=lambda item: _group_rank(item, LONGEST_GROUPS))


def _group_rank(item, first: tuple[str, ...]) -> int:
    (group,) = (mark.args[0] for mark in item.iter_markers("xdist_group"))
    return first.index(group) if group in first else len(first)


@pytest.fixture(scope="session", autouse=True)
def private_dbt_paths(tmp_path_factory):
    """dbt's target and logs, the quality reports and the default warehouse in a session
    temp dir; afterwards, fail if the repository's target/, logs/, data/, serving/ or
    warehouse changed during the session."""
    project = warehouse.project_dir()
    before = user_files(project)
    base = tmp_path_factory.mktemp("dbt_paths")
    names = ("DBT_TARGET_PATH", "DBT_LOG_PATH", "WAREHOUSE_PATH")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["DBT_TARGET_PATH"] = str(base / "target")
    os.environ["DBT_LOG_PATH"] = str(base / "logs")
    os.environ["WAREHOUSE_PATH"] = str(base / "warehouse.duckdb")
    yield base
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    after = user_files(project)
    changed = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    assert not changed, (
        f"the tests wrote into the user's files in {project}: {changed[:10]}"
        f"{' ...' if len(changed) > 10 else ''}"
    )


@pytest.fixture(scope="session", autouse=True)
def dbt_opens_one_path_per_name(private_dbt_paths):
    """Each test keeps its own warehouse file, but dbt opens it from one place per file name
    (the file is moved there for the invocation and back after): dbt-duckdb puts the file's
    path into the profile, and a changed profile makes dbt re-parse the whole project
    (~10 s) instead of reusing the previous invocation's parse. A child process (the Spark
    test, the CLI run as a subprocess) opens its files where they are.

    The place is per file name, not one for all: DuckDB names the database after the file
    (`warehouse`), and a view refers to its tables through that name, so a warehouse built
    as one name cannot be read under another. Hence every test names its warehouse
    `warehouse.duckdb`, in a folder of its own, as a user's is named by default: one name,
    one profile, one saved parse.

    A saved parse belongs to one project and one set of --vars: dbt parses the whole
    project again when either differs from the previous invocation's (~5-10 s). So each
    (project, --vars) keeps a saved parse of its own, put in place before dbt runs: a test
    with vars of its own (merge_contacts_by_email, max_unconverted_order_ratio, ...) parses
    once, and the next test with the usual vars finds theirs again. (A project copy must
    not share the repository's: dbt compares files against the saved parse by modification
    time first, and read a copy's segment definitions back as the repository's.)"""
    import hashlib
    import json

    slots = private_dbt_paths / "open_here"
    parses = private_dbt_paths / "saved_parses"
    slots.mkdir()
    parses.mkdir()
    run = warehouse.run_dbt
    in_place: dict[str, str] = {}  # target folder -> key of the saved parse it holds

    def parse_key(variables) -> str:
        cli_vars = {k: v for k, v in (variables or {}).items() if k not in warehouse.RUN_VARS}
        text = json.dumps([str(warehouse.project_dir()), cli_vars], sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def run_dbt(args, variables=None, target=None):
        if target not in (None, "dev"):
            return run(args, variables, target)
        own = warehouse.warehouse_path()
        # (where it is, where dbt reads it): moved there before dbt runs, back after
        moves = [(own.with_name(own.name + end), slots / (own.name + end))
                 for end in ("", ".wal")]  # fmt: skip
        saved = warehouse.target_dir() / "partial_parse.msgpack"
        key, held = parse_key(variables), in_place.get(str(saved))
        if held != key:
            if saved.exists():
                os.replace(saved, parses / f"{held or 'unknown'}.msgpack")
            if (parses / f"{key}.msgpack").exists():
                os.replace(parses / f"{key}.msgpack", saved)
            in_place[str(saved)] = key
        for there, here in moves:
            if there.exists():
                os.replace(there, here)
        try:
            with environment(WAREHOUSE_PATH=str(slots / own.name)):
                return run(args, variables, target)
        finally:
            own.parent.mkdir(parents=True, exist_ok=True)
            for there, here in reversed(moves):
                if here.exists():
                    os.replace(here, there)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warehouse, "run_dbt", run_dbt)
        yield


@contextlib.contextmanager
def environment(**values: str):
    """Set environment variables (CUSTSEG_PROJECT_DIR, WAREHOUSE_PATH, ...) for the block,
    then put back what was there before."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def custseg_here(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """`custseg <args>` run in this process into folder/warehouse.duckdb, returned as a child
    process's outcome (exit code, stdout, stderr). In this process dbt reuses the session's
    saved parse; a child process parses the whole project again (~15 s). What the command
    wrote into the session's target folder (run results, manifest, quality reports) is
    copied to folder/target, as a project copy's own target would hold it.
    (project_copy.run_custseg runs the CLI as a child process, as a user does.)"""
    from custseg import cli

    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with (
        environment(WAREHOUSE_PATH=str(folder / "warehouse.duckdb")),
        out.open("w", encoding="utf-8") as stdout,
        err.open("w", encoding="utf-8") as stderr,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        code = cli.main(args)
    shutil.copytree(
        warehouse.target_dir(), folder / "target", dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("partial_parse.msgpack", "compiled", "run"),
    )  # fmt: skip
    return subprocess.CompletedProcess(
        ["custseg", *args], code, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    )


@dataclass
class Build:
    """One dbt invocation's outcome and the warehouse file it wrote."""

    result: warehouse.DbtResult
    path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    def table(self, relation: str):
        """A relation as an Arrow table with rows in a canonical order."""
        with duckdb.connect(str(self.path), read_only=True) as connection:
            columns = [r[0] for r in connection.execute(f"describe {relation}").fetchall()]
            order = ", ".join(f'"{c}"' for c in columns)
            return connection.execute(
                f"select * from {relation} order by {order}"
            ).fetch_arrow_table()


# `dbt build` less the unit tests, for builds that only test data: a unit test pins every var
# its model reads (a project check sees to it), so it gives the same result on any data and
# date. Every `custseg build` of the suite runs them all (the messy build, the builds as of
# 1999 and 2004, the two-table and consent builds).
BUILD = ["build", "--exclude", "resource_type:unit_test"]


def run_dbt(
    warehouse_file: Path,
    raw_path: Path,
    args: list[str] | None = None,
    **variables,
) -> Build:
    with environment(WAREHOUSE_PATH=str(warehouse_file)):
        result = warehouse.run_dbt(
            args or BUILD,
            {"raw_path": str(raw_path), "as_of_date": AS_OF.isoformat(), **variables},
        )
    return Build(result, warehouse_file)


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory) -> Path:
    """Fifty clean customers: landing files for a `dbt compile` (the staging macros read
    the files' columns at compile time, so compiling needs some)."""
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("tiny_raw")
    generate(out, customers=50, seed=3, fmt="parquet", as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def messy_raw(tmp_path_factory) -> tuple[Path, dict]:
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("messy_parquet")
    manifest = generate(out, customers=CUSTOMERS, seed=SEED, fmt="parquet", as_of=AS_OF, messy=True)
    return out, manifest


@pytest.fixture(scope="session")
def messy_csv_raw(tmp_path_factory) -> tuple[Path, dict]:
    from custseg.generate import generate

    out = tmp_path_factory.mktemp("messy_csv")
    manifest = generate(out, customers=CUSTOMERS, seed=SEED, fmt="csv", as_of=AS_OF, messy=True)
    return out, manifest


@dataclass
class CliBuild(Build):
    """`custseg build`'s outcome: exit code, what it printed and the quality report it
    wrote (read at once: later builds in the session overwrite the report file)."""

    code: int = 0
    stdout: str = ""
    report: dict | None = None
    data_docs_written: bool = False


@pytest.fixture(scope="session")
def messy_build(messy_raw, tmp_path_factory) -> CliBuild:
    """The main build: `custseg build` (gate 1, dbt build with every data test, gate 3, the
    report) on messy generated data. `result` is its dbt invocation's outcome."""
    import io
    import json
    from contextlib import redirect_stdout

    from custseg import cli
    from custseg.quality.report import quality_dir

    raw, _ = messy_raw
    path = tmp_path_factory.mktemp("messy_warehouse") / "warehouse.duckdb"
    invocations = []
    run = warehouse.run_dbt

    def recorded(*args, **kwargs):
        invocations.append(run(*args, **kwargs))
        return invocations[-1]

    printed = io.StringIO()
    arguments = ["build", "--raw-path", str(raw), "--as-of", AS_OF.isoformat()]
    with environment(WAREHOUSE_PATH=str(path)), pytest.MonkeyPatch.context() as patch:
        patch.setattr(warehouse, "run_dbt", recorded)
        with redirect_stdout(printed):
            code = cli.main(arguments)
    quality = quality_dir(warehouse.project_dir())
    docs = quality / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
    (result,) = invocations  # custseg build invokes dbt once
    assert result.success, "\n".join(result.failures())
    return CliBuild(
        result,
        path,
        code=code,
        stdout=printed.getvalue(),
        report=json.loads((quality / "report.json").read_text(encoding="utf-8")),
        data_docs_written=docs.exists(),
    )


@pytest.fixture(scope="session")
def messy_csv_build(messy_csv_raw, tmp_path_factory) -> Build:
    raw, _ = messy_csv_raw
    build = run_dbt(
        tmp_path_factory.mktemp("messy_csv_warehouse") / "warehouse.duckdb",
        raw,
        ["run", "--select", "staging"],
        raw_format="csv",
    )
    assert build.result.success, "\n".join(build.result.failures())
    return build


def segment_state(build) -> dict:
    return {
        "history": set(
            build.query(
                "select segment_id, customer_id, entered_on, exited_on "
                "from marts.segment_membership_history"
            )
        ),
        "members": set(
            build.query("select segment_id, customer_id from marts.segment_memberships")
        ),
        "holdout": dict(
            ((s, c), h)
            for s, c, h in build.query(
                "select segment_id, customer_id, bool_or(is_holdout) "
                "from marts.audience_exports group by 1, 2"
            )
        ),
        "static": set(
            build.query(
                "select segment_id, customer_id, frozen_on from marts.static_segment_members"
            )
        ),
    }


@pytest.fixture(scope="session")
def later_builds(messy_raw, messy_build, tmp_path_factory):
    """The messy warehouse (as of AS_OF) built again a month later, as a daily run or the
    second date of `custseg replay` builds it, then its accumulating segment marts rebuilt
    for that same later date; what the warehouse held after each. The first build runs the
    models only; the second runs the segment marts' data tests too (spells that do not
    overlap, open spells that are current memberships, sizes that equal memberships) on
    that date's state, which test_segments.py finds the same after both builds. Its two
    build dates make it the semantic layer's warehouse too (test_semantic_layer.py)."""
    raw, _ = messy_raw
    path = tmp_path_factory.mktemp("later") / "warehouse.duckdb"
    shutil.copy(messy_build.path, path)
    later = AS_OF + dt.timedelta(days=30)
    states = []
    for args in (
        ["build", "--exclude-resource-type", "test", "unit_test"],
        [*BUILD, "--select", "segment_memberships+", "static_segment_members+"],
    ):
        build = run_dbt(path, raw, args, as_of_date=later.isoformat())
        assert build.result.success, build.result.failures()
        states.append(segment_state(build))
    return later, build, states
