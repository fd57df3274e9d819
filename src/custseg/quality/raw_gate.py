"""Gate 1: Great Expectations suites on the raw landing files, before dbt runs.

One suite per contract table (``custseg.contract``), run against the table's landing file
(``custseg.landing``: ``<raw_path>/<table>.<fmt>``; format auto finds .parquet, .csv or
.csv.gz, a CSV's delimiter is sniffed unless raw_csv_delimiter says it, as in staging):

- structure (blocking): the file of a required table is present, it can be read, it has
  every required column and at least one row. An absent optional file passes (the build
  reads it as an empty table). When a required column is missing, the row-level checks of
  that table are skipped (staging stops the build on it anyway) and the message shows the
  header as read, with the CSV delimiter used.
- rows (quarantined by staging, so soft unless widespread), per listed column present in
  the file, named like staging's quarantine reasons:
  ``missing_required:<col>`` (null, empty or blank), ``bad_type:<col>`` (the text does not
  parse as the contract type), ``bad_value:<col>`` (accepted values, case-insensitive and
  trimmed, or the contract pattern), ``out_of_range:<col>`` (min / max / gt),
  ``future_timestamp:<col>`` (later than ``now`` plus one day; rows after the build's
  as_of_date are valid and never flagged), and ``duplicate_key``: after keeping the latest
  version per key (tables with a version column), distinct valid rows sharing a key.
  Exact duplicate rows are not a defect (staging drops them).

Severity of row-level checks: any offending row warns (with the count); more than
``max_bad_ratio`` of the table's rows fails. Files are read through DuckDB, every column
cast to text (CSV and Parquet are treated alike, as ``select_raw_table`` does), in chunks
of ``chunk_rows``; GX validates each chunk and the unexpected counts are summed over the
chunks, so the warn / fail decision is made on the whole file's totals (GX's ``mostly``
would decide per chunk). Types are parsed with DuckDB by exactly the rules of the macro
``parse_contract_value`` (a value staging accepts is never called unparseable); GX then
checks the parsed value. Only the columns a check needs reach GX (free-text columns such as
email never do); results carry counts and column names, never values.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from custseg import contract as raw_contract
from custseg import landing

from . import FAIL, PASS, STATUSES, WARN, CheckResult, gate_passed
from . import gx as gxq

GATE = "raw"
LAYER = "raw"
FUTURE_TOLERANCE = dt.timedelta(days=1)

# The text forms staging accepts (macros/staging/parse_contract_value.sql; a test keeps
# them equal). Matched with DuckDB's regexp_matches on the trimmed, non-empty text.
INTEGER_PATTERN = "^[+-]?[0-9]{1,18}$"
DECIMAL_PATTERN = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIMESTAMP_PATTERN = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?[ ]?"
    "([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
TRUE_TEXTS = ("true", "t", "yes", "y", "1")
FALSE_TEXTS = ("false", "f", "no", "n", "0")

OPTIONAL_ABSENT = "optional file absent: the build reads it as an empty table"


# ------------------------------------------------------------------------ SQL helpers
def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _reader(path: str | list[str], delimiter: str = ",") -> str:
    """The DuckDB reader of a table's landing files, as ``select_raw_table`` builds it."""
    return landing.reader_sql(path, delimiter)


def _text(file_column: str) -> str:
    """Staging's raw text of a column: trimmed, empty as null."""
    return f"nullif(trim(cast({_ident(file_column)} as varchar)), '')"


def _value_text(column: raw_contract.Column, file_column: str) -> str:
    """The text the value and pattern checks see: lower-cased for enumerations."""
    text = _text(file_column)
    return f"lower({text})" if column.values else text


def _parsed(column: raw_contract.Column, text: str) -> str | None:
    """Staging's parse of ``text`` into the contract type, as a number GX can compare
    (epoch seconds for dates and timestamps, 1/0 for booleans); null when it does not
    parse. None for strings (every text is a string)."""
    base = column.base_type
    if base == "string":
        return None
    if base == "integer":
        return (
            f"case when regexp_matches({text}, {_literal(INTEGER_PATTERN)}) "
            f"then cast({text} as bigint) end"
        )
    if base == "decimal":
        precision, scale = column.precision_scale
        return (
            f"case when regexp_matches({text}, {_literal(DECIMAL_PATTERN)}) "
            f"then cast(try_cast({text} as decimal({precision}, {scale})) as double) end"
        )
    if base == "boolean":
        trues = ", ".join(_literal(t) for t in TRUE_TEXTS)
        falses = ", ".join(_literal(t) for t in FALSE_TEXTS)
        return (
            f"case when lower({text}) in ({trues}) then 1 "
            f"when lower({text}) in ({falses}) then 0 end"
        )
    if base == "date":
        return (
            f"case when regexp_matches({text}, {_literal(DATE_PATTERN)}) "
            f"then epoch(try_cast({text} as date)) end"
        )
    if base == "timestamp":
        return (
            f"case when regexp_matches({text}, {_literal(TIMESTAMP_PATTERN)}) "
            f"then epoch(timezone('UTC', try_cast({text} as timestamptz))) end"
        )
    raise ValueError(f"raw contract column {column.name!r} has unknown type {column.type!r}")


def _bounds(column: raw_contract.Column) -> tuple[float | None, float | None, bool]:
    """(min, max, strict_min) of the contract's min / max / gt; the tighter lower bound
    wins when both min and gt are set."""
    low, strict = column.min, False
    if column.gt is not None and (low is None or column.gt >= low):
        low, strict = column.gt, True
    return low, column.max, strict


def _python_regex(pattern: str) -> str:
    """A contract pattern for GX's pandas engine: ``$`` there also matches before a final
    newline, where DuckDB's (RE2) does not; ``\\Z`` matches at the very end only."""
    return (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    )


# ---------------------------------------------------------------------- table plan
@dataclass(frozen=True)
class _Check:
    """One row-level check: its name (staging's quarantine reason), what an offending
    row is (for the message; never a value) and the GX expectation that counts them."""

    name: str
    describe: str
    expectation: Callable[[float], Any]  # now + tolerance (epoch seconds) -> expectation


def _column_checks(column: raw_contract.Column) -> list[_Check]:
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    name, parsed = column.name, column.name + "__parsed"
    typed = column.base_type != "string"

    def meta(check: str) -> dict:
        # warn here; the fail decision is made on the whole file's totals (_row_results)
        return {"check": check, "severity": WARN}

    checks = []
    if column.required:
        check = f"missing_required:{name}"
        checks.append(
            _Check(
                check,
                f"{name} null, empty or blank",
                lambda _, c=check: E.ExpectColumnValuesToNotBeNull(column=name, meta=meta(c)),
            )
        )
    if typed:
        check = f"bad_type:{name}"
        checks.append(
            _Check(
                check,
                f"{name} not parseable as {column.type}",
                lambda _, c=check: E.ExpectColumnValuesToNotBeNull(
                    column=parsed,
                    row_condition=Column(name).is_not_null(),
                    meta=meta(c),
                ),
            )
        )
    if column.values:
        check = f"bad_value:{name}"
        checks.append(
            _Check(
                check,
                f"{name} not an accepted value",
                lambda _, c=check: E.ExpectColumnValuesToBeInSet(
                    column=name, value_set=list(column.values), meta=meta(c)
                ),
            )
        )
    if column.pattern:
        check = f"bad_value:{name}"
        checks.append(
            _Check(
                check,
                f"{name} not matching the contract pattern",
                lambda _, c=check: E.ExpectColumnValuesToMatchRegex(
                    column=name, regex=_python_regex(column.pattern), meta=meta(c)
                ),
            )
        )
    low, high, strict = _bounds(column)
    if typed and (low is not None or high is not None):
        check = f"out_of_range:{name}"
        checks.append(
            _Check(
                check,
                f"{name} out of range",
                lambda _, c=check: E.ExpectColumnValuesToBeBetween(
                    column=parsed, min_value=low, max_value=high, strict_min=strict, meta=meta(c)
                ),
            )
        )
    if column.base_type == "timestamp":
        check = f"future_timestamp:{name}"
        checks.append(
            _Check(
                check,
                f"{name} later than now + {FUTURE_TOLERANCE.days} day",
                lambda limit, c=check: E.ExpectColumnValuesToBeBetween(
                    column=parsed, max_value=limit, meta=meta(c)
                ),
            )
        )
    return checks


@dataclass
class _Plan:
    """What to read from one file and which checks to run on it."""

    table: raw_contract.Table
    path: str
    columns: dict[str, str] = field(default_factory=dict)  # contract name -> file name
    reader: str = ""  # the DuckDB reader of the file (default: _reader(path))

    def __post_init__(self) -> None:
        self.reader = self.reader or _reader(self.path)

    @property
    def present(self) -> list[raw_contract.Column]:
        return [c for name, c in self.table.columns.items() if name in self.columns]

    def checks(self) -> list[_Check]:
        return [check for column in self.present for check in _column_checks(column)]

    def expectations(self, limit: float) -> list:
        """Fresh expectations (a suite owns its expectations: each validation gets new)."""
        return [check.expectation(limit) for check in self.checks()]

    def frame_sql(self) -> str:
        """The chunked select, only the columns a check needs (free text such as email
        never reaches GX): per column its trimmed text ``<col>`` (lower-cased for
        enumerations) and, for typed columns, the parsed value ``<col>__parsed``."""
        selects = []
        for column in self.present:
            if not _column_checks(column):
                continue
            file_column = self.columns[column.name]
            selects.append(f"{_value_text(column, file_column)} as {_ident(column.name)}")
            parsed = _parsed(column, _text(file_column))
            if parsed is not None:
                selects.append(f"{parsed} as {_ident(column.name + '__parsed')}")
        return f"select {', '.join(selects) or '1 as __row'} from {self.reader}"

    def violation_sql(self) -> str:
        """True when a row breaks a contract rule staging quarantines it for (such rows
        take no part in the key check, as in staging's duplicate_key step)."""
        parts = []
        for column in self.present:
            file_column = self.columns[column.name]
            text = _text(file_column)
            value = _value_text(column, file_column)
            parsed = _parsed(column, text)
            if column.required:
                parts.append(f"{text} is null")
            if parsed is not None:
                parts.append(f"({text} is not null and ({parsed}) is null)")
            if column.values:
                accepted = ", ".join(_literal(v) for v in column.values)
                parts.append(f"{value} not in ({accepted})")
            if column.pattern:
                parts.append(f"not regexp_matches({value}, {_literal(column.pattern)})")
            low, high, strict = _bounds(column)
            if parsed is not None and low is not None:
                parts.append(f"({parsed}) {'<=' if strict else '<'} {low!r}")
            if parsed is not None and high is not None:
                parts.append(f"({parsed}) > {high!r}")
        return " or ".join(f"coalesce({part}, false)" for part in parts) or "false"

    def key_sql(self) -> str:
        """One row: the distinct valid rows that share their key with another distinct
        valid row, after keeping per key only the latest version (tables with one), and
        the number of such keys. Staging's rule: exact duplicates collapse first, rows
        with a contract violation are quarantined for it and take no part.

        Aggregates only: the keys held by more than one raw row are found first (a
        group-by on the key alone), and only their rows are compared in full."""
        table = self.table
        names = [c.name for c in self.present]
        reader = self.reader

        def key_value(name: str, file_column: str) -> str:
            column = table.columns[name]
            parsed = _parsed(column, _text(file_column))
            return parsed if parsed is not None else _value_text(column, file_column)

        keys = [f"__k{i}" for i in range(len(table.key))]
        key_list = ", ".join(keys)
        file_keys = ", ".join(
            f"{key_value(name, self.columns[name])} as {k}"
            for name, k in zip(table.key, keys, strict=True)
        )
        raw_columns = ", ".join(
            f"cast({_ident(self.columns[n])} as varchar) as {_ident(n)}" for n in names
        )
        # inside candidate_rows the columns carry their contract names
        contract_named = _Plan(table, self.path, {n: n for n in names}, self.reader)
        violation = contract_named.violation_sql()
        version_column = table.version_column if table.version_column in self.columns else None
        version = ""
        if version_column:
            column = table.columns[version_column]
            version = f", {_parsed(column, _text(version_column))} as __version"
            grouped = f"""
            latest as (
                select {key_list}, max(__version) as __version
                from valid_rows group by {key_list}
            ),
            per_key as (
                select {key_list}, count(*) as n
                from valid_rows join latest using ({key_list}, __version)
                group by {key_list}
            )"""
        else:
            grouped = f"""
            per_key as (
                select {key_list}, count(*) as n from valid_rows group by {key_list}
            )"""
        return f"""
            with candidate_keys as (
                select {file_keys} from {reader}
                group by all
                having count(*) > 1
            ),
            candidate_rows as (
                select distinct {", ".join(_ident(n) for n in names)}, {key_list}
                from (select {raw_columns}, {file_keys} from {reader}) as file_rows
                semi join candidate_keys using ({key_list})
            ),
            valid_rows as (
                select {key_list}{version}
                from candidate_rows
                where not ({violation})
            ),{grouped}
            select
                coalesce(sum(n) filter (where n > 1), 0) as conflicting_rows,
                count(*) filter (where n > 1) as conflicting_keys
            from per_key
        """


# ---------------------------------------------------------------------- results
def _result(table: str, check: str, status: str, failing: int | None = None, message: str = ""):
    return CheckResult(GATE, LAYER, table, check, status, failing, message)


def _share(bad: int, rows: int) -> str:
    return f"{bad:,} of {rows:,} rows ({100.0 * bad / rows:.2f} %)" if rows else f"{bad:,} rows"


def _raised(outcome) -> bool:
    """Did GX fail to evaluate the expectation? (``exception_info`` is either flat or
    keyed by metric.)"""
    info = outcome.exception_info or {}
    if info.get("raised_exception"):
        return True
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _unexpected(validation) -> dict[str, int | None]:
    """Per check name: the unexpected count summed over its expectations; None when an
    expectation could not be evaluated (its exception text is dropped: it may quote data)."""
    found: dict[str, int | None] = {}
    for outcome in validation.results:
        check = (outcome.expectation_config.meta or {})["check"]
        count = (outcome.result or {}).get("unexpected_count")
        if _raised(outcome) or count is None or found.get(check, 0) is None:
            found[check] = None
        else:
            found[check] = found.get(check, 0) + int(count)
    return found


def _row_results(
    table: str, checks: list[_Check], totals: dict[str, int | None], rows: int, max_ratio: float
) -> list[CheckResult]:
    """The whole file's verdict per row-level check: any offending row warns, more than
    ``max_ratio`` of the rows fails."""
    results = []
    described: dict[str, list[str]] = {}
    for check in checks:
        described.setdefault(check.name, []).append(check.describe)
    for check, describe in described.items():
        bad = totals.get(check, 0)
        what = " or ".join(describe)
        if bad is None:
            results.append(
                _result(table, check, FAIL, None, "the expectation could not be evaluated")
            )
        elif bad > max_ratio * rows:
            message = f"{what} in {_share(bad, rows)}: more than {max_ratio:.0%} blocks the build"
            results.append(_result(table, check, FAIL, bad, message))
        elif bad:
            note = "staging stages them" if check.startswith("future_") else "quarantined"
            message = f"{what} in {_share(bad, rows)} ({note})"
            results.append(_result(table, check, WARN, bad, message))
        else:
            results.append(_result(table, check, PASS, 0))
    return results


# ---------------------------------------------------------------------- the gate
def _connect(spill: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with staging's settings: UTC, bounded memory (spills
    to the folder ``spill``), no insertion order to keep."""
    memory = os.environ.get("DUCKDB_MEMORY_LIMIT")
    if not memory:
        from custseg.warehouse import default_memory_limit

        memory = default_memory_limit()
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(f"set memory_limit = {_literal(memory)}")
    connection.execute("set preserve_insertion_order = false")
    connection.execute(f"set temp_directory = {_literal(str(spill))}")
    if os.environ.get("DUCKDB_THREADS"):
        connection.execute(f"set threads = {int(os.environ['DUCKDB_THREADS'])}")
    return connection


def _future_limit(now: dt.datetime | None) -> float:
    """now (default: this moment; naive means UTC) plus the tolerance, in epoch seconds."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return (now + FUTURE_TOLERANCE).timestamp()


def _unreadable(table: str, error: Exception) -> CheckResult:
    # the error type only: reader messages may quote lines of the file
    return _result(table, "file_readable", FAIL, None, f"cannot be read ({type(error).__name__})")


def _validate_table(
    connection,
    ctx,
    table: raw_contract.Table,
    raw_path: Path,
    raw_format: str,
    csv_delimiter: str,
    as_of: str | None,
    limit: float,
    max_ratio: float,
    chunk_rows: int,
    docs: bool,
) -> list[CheckResult]:
    """One table's checks (see the module docstring)."""
    import great_expectations as gx

    E = gx.expectations
    name = table.name
    try:
        paths = landing.table_files(raw_path, name, raw_format, as_of)
    except landing.LandingError as error:
        return [_result(name, "file_present", FAIL, None, str(error))]
    if paths is None:
        looked_at = " or ".join(landing.candidates(raw_path, name, raw_format))
        feeding = landing.exports_feeding(raw_path, name)
        if table.required and feeding:
            message = "no file; fed by the " + ", ".join(e.label for e in feeding)
            return [_result(name, "file_present", PASS, None, message)]
        if table.required:
            message = f"required file missing: {looked_at}"
            misplaced = [
                f"{file} looks like a {export.label}: move it into {export.folder}/"
                for file, export in landing.misplaced_exports(raw_path)
                if name in export.feeds
            ]
            if misplaced:
                message += " (" + "; ".join(misplaced) + ")"
            return [_result(name, "file_present", FAIL, None, message)]
        return [_result(name, "file_present", PASS, None, OPTIONAL_ABSENT)]
    path = paths[0]
    delimiter = (
        landing.csv_delimiter(connection, path, csv_delimiter) if landing.is_csv(path) else None
    )
    reader = _reader(paths, delimiter or ",")
    read_as = Path(path).name if len(paths) == 1 else f"{name}/ ({len(paths)} files)"
    if delimiter is not None:
        how = "detected" if csv_delimiter == landing.AUTO else "raw_csv_delimiter"
        read_as += f", delimiter {landing.delimiter_shown(delimiter)} ({how})"
    results = [_result(name, "file_present", PASS, None, read_as)]
    try:
        described = connection.execute(f"describe select * from {reader}").fetchall()
    except duckdb.Error as error:
        return [*results, _unreadable(name, error)]
    # contract columns are matched case-insensitively, ignoring surrounding blanks
    by_name = {row[0].lower().strip(): row[0] for row in described}
    plan = _Plan(table, path, {n: by_name[n] for n in table.columns if n in by_name}, reader)

    # structure: the required columns, on a frame with the file's columns and no rows
    required = [n for n, c in table.columns.items() if c.required]
    validation = gxq.validate_frame(
        ctx,
        f"raw_{name}_columns",
        pd.DataFrame(columns=list(plan.columns)),
        [E.ExpectColumnToExist(column=n, meta={"check": "required_columns"}) for n in required],
        docs,
    )
    missing = [o.expectation_config.kwargs["column"] for o in validation.results if not o.success]
    if missing:
        header = landing.header_hint([row[0] for row in described], delimiter, csv_delimiter)
        message = f"missing required column(s) {', '.join(missing)}; row checks skipped. {header}"
        results.append(_result(name, "required_columns", FAIL, None, message))
    else:
        results.append(_result(name, "required_columns", PASS))

    # rows: GX on bounded chunks, unexpected counts summed over the chunks
    rows, totals = 0, {}
    conflicting_rows = conflicting_keys = 0
    checks = [] if missing else plan.checks()
    try:
        if missing:
            rows = connection.execute(f"select count(*) from {reader}").fetchone()[0]
        else:
            reader = connection.execute(plan.frame_sql()).fetch_record_batch(chunk_rows)
            frames = (batch.to_pandas() for batch in reader if batch.num_rows)
            first = True
            for frame in frames:
                if not first:
                    # GX's validation objects hold the last chunk in reference cycles:
                    # free it before reading on, or memory grows with the file
                    gc.collect()
                rows += len(frame)
                suite = f"raw_{name}_rows"
                validation = gxq.validate_frame(
                    ctx, suite, frame, plan.expectations(limit), docs and first
                )
                first = False
                for check, count in _unexpected(validation).items():
                    previous = totals.get(check, 0)
                    totals[check] = None if None in (count, previous) else previous + count
                del frame, validation
            if first and checks:  # an empty file: the suite runs once on no rows
                frame = reader.schema.empty_table().to_pandas()
                validation = gxq.validate_frame(
                    ctx, f"raw_{name}_rows", frame, plan.expectations(limit), docs
                )
                totals = _unexpected(validation)
            conflicting_rows, conflicting_keys = connection.execute(plan.key_sql()).fetchone()
    except duckdb.Error as error:
        return [*results, _unreadable(name, error)]
    results.append(_result(name, "file_readable", PASS))

    # table level: row count and key conflicts, one aggregate row validated by GX
    summary = pd.DataFrame(
        {
            "row_count": [int(rows)],
            "conflicting_rows": [int(conflicting_rows)],
            "conflicting_share": [conflicting_rows / rows if rows else 0.0],
        }
    )
    expectations = []
    if table.required:
        expectations.append(
            E.ExpectColumnValuesToBeBetween(
                column="row_count", min_value=1, meta={"check": "row_count", "severity": FAIL}
            )
        )
    if not missing:
        # the soft and the blocking version of the same check
        expectations += [
            E.ExpectColumnValuesToBeBetween(
                column="conflicting_rows",
                max_value=0,
                meta={"check": "duplicate_key", "severity": WARN},
            ),
            E.ExpectColumnValuesToBeBetween(
                column="conflicting_share",
                max_value=max_ratio,
                meta={"check": "duplicate_key", "severity": FAIL},
            ),
        ]
    status: dict[str, str] = {}
    if expectations:
        validation = gxq.validate_frame(ctx, f"raw_{name}_table", summary, expectations, docs)
        for outcome in validation.results:
            meta = outcome.expectation_config.meta
            failed = _raised(outcome) or not outcome.success
            severity = meta["severity"] if failed else PASS
            status[meta["check"]] = max(
                status.get(meta["check"], PASS), severity, key=STATUSES.index
            )
    counted = f"{int(rows):,} rows"
    if table.required and status["row_count"] != PASS:
        counted = "the required table has no rows"
    results.append(_result(name, "row_count", status.get("row_count", PASS), None, counted))
    results += _row_results(name, checks, totals, int(rows), max_ratio)
    if not missing:
        message = ""
        if status["duplicate_key"] != PASS:
            if table.version_column:
                message = (
                    f"{conflicting_keys:,} key(s) with more than one distinct valid row at the "
                    f"latest {table.version_column}, {_share(int(conflicting_rows), int(rows))}"
                    " (staging keeps one of each, chosen by record hash)"
                )
            else:
                message = (
                    f"{conflicting_keys:,} key(s) held by more than one distinct valid row, "
                    f"{_share(int(conflicting_rows), int(rows))} (staging quarantines them all)"
                )
        results.append(
            _result(name, "duplicate_key", status["duplicate_key"], int(conflicting_rows), message)
        )
    return results


def _validate_export(
    connection, export: landing.ToolExport, files: list[str], csv_delimiter: str = landing.AUTO
) -> list:
    """A tool export's structure (blocking): every file reads as CSV with a header and at
    least one row, and holds the columns the export is unusable without (header names
    compared ignoring case and surrounding blanks); the files of one export share a
    delimiter (detected, as the contract's files: an export saved again by a German Excel
    has semicolons; or var raw_csv_delimiter). Its rows are validated after mapping, by
    staging's contract rules (quarantine with a reason, reconciliation per source)."""
    table = f"{export.folder}/{export.pattern}"
    results = []
    delimiters = {Path(p).name: landing.csv_delimiter(connection, p, csv_delimiter) for p in files}
    if len(set(delimiters.values())) > 1:
        shown = ", ".join(f"{n} ({landing.delimiter_shown(d)})" for n, d in delimiters.items())
        message = (
            f"the {export.label}'s files have different delimiters: {shown}; save them "
            "again with one (the connector reads them as one table)"
        )
        return [_result(table, "file_readable", FAIL, None, message)]
    for path in files:
        reader = landing.reader_sql(path, delimiters[Path(path).name])
        try:
            described = connection.execute(f"describe select * from {reader}").fetchall()
            rows = connection.execute(f"select count(*) from {reader}").fetchone()[0]
        except duckdb.Error as error:
            results.append(_unreadable(table, error))
            continue
        present = {row[0].strip().lower() for row in described}
        missing = [c for c in export.required if c.lower() not in present]
        name = Path(path).name
        if missing:
            message = (
                f"{name}: the {export.label} lacks column(s) "
                + ", ".join(f"'{c}'" for c in missing)
                + f" (read {len(present)} columns)"
            )
            results.append(_result(table, "required_columns", FAIL, None, message))
        elif rows == 0:
            results.append(_result(table, "has_rows", FAIL, 0, f"{name}: no rows"))
        elif export.tool == "qualtrics" and not _has_import_ids(path, delimiters[name]):
            # without its import ids no column is known to be a question: every answer
            # would be left out without a word
            message = (
                f'{name}: the third row holds no import ids ({{"ImportId":...}}): not '
                "Qualtrics' CSV export with its three header rows. Export it again "
                "(Data & Analysis > Export data > CSV), without removing rows"
            )
            results.append(_result(table, "header_rows", FAIL, None, message))
        else:
            results.append(_result(table, "required_columns", PASS, None, f"{name}: {rows:,} rows"))
    return results


def _has_import_ids(path: str, delimiter: str) -> bool:
    """Whether the third row of a Qualtrics export holds its columns' import ids."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = csv.reader(file, delimiter=delimiter)
        third = next((row for number, row in enumerate(rows) if number == 2), [])
    return any('"ImportId"' in cell for cell in third)


def validate_raw(
    raw_path: Path,
    raw_format: str = landing.AUTO,
    now: dt.datetime | None = None,
    max_bad_ratio: float = 0.05,
    chunk_rows: int = 1_000_000,
    docs_root: Path | None = None,
    csv_delimiter: str = landing.AUTO,
    as_of: str | None = None,
) -> list[CheckResult]:
    """Run gate 1 on the landing folder ``raw_path`` (files ``<table>.<raw_format>``;
    ``auto``: whichever of .parquet, .csv, .csv.gz exists; CSV split by ``csv_delimiter``,
    ``auto``: sniffed; a folder ``<table>/`` of exports and deltas: its files, without
    those dated after ``as_of``).

    ``now`` (default: the moment of validation; a naive value is UTC) bounds the
    timestamps, with a tolerance of one day. Row-level checks warn on any offending row
    and fail when more than ``max_bad_ratio`` of the table's rows offend. Files are read
    in chunks of ``chunk_rows`` rows. With ``docs_root`` the runs are stored and Great
    Expectations Data Docs written under it (row suites: the first chunk's run)."""
    if not 0 <= max_bad_ratio < 1:
        raise ValueError(f"max_bad_ratio must be in [0, 1), not {max_bad_ratio!r}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows!r}")
    limit = _future_limit(now)
    ctx = gxq.context(docs_root)
    results: list[CheckResult] = []
    spill = Path(tempfile.mkdtemp(prefix="custseg_raw_gate_"))
    try:
        with _connect(spill) as connection:
            for table in raw_contract.load().tables.values():
                results += _validate_table(
                    connection,
                    ctx,
                    table,
                    raw_path,
                    raw_format,
                    csv_delimiter,
                    as_of,
                    limit,
                    max_bad_ratio,
                    chunk_rows,
                    docs_root is not None,
                )
            for export in landing.tool_exports():
                files = export.files(raw_path)
                if files:
                    results += _validate_export(connection, export, files, csv_delimiter)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    if docs_root is not None:
        gxq.build_docs(ctx)
    return results


def summarize(results: list[CheckResult]) -> str:
    """Per table: how many checks passed, and every check that warned or failed with its
    status, failing rows and message; a last line with the totals and the verdict."""
    by_table: dict[str, list[CheckResult]] = {}
    for result in results:
        by_table.setdefault(result.table, []).append(result)
    flagged = [r for r in results if r.status != PASS]
    width = max((len(f"{r.table}.{r.check}") for r in flagged), default=0)
    lines = ["Gate 1: raw landing files"]
    for table, rows in by_table.items():
        passed = sum(r.status == PASS for r in rows)
        absent = any(r.message == OPTIONAL_ABSENT for r in rows)
        read_as = [r.message for r in rows if r.check == "file_present" and r.status == PASS]
        note = " (optional file absent)" if absent else f" ({read_as[0]})" if read_as else ""
        lines.append(f"{table}: {passed} of {len(rows)} checks passed{note}")
        for r in rows:
            if r.status != PASS:
                failing = "" if r.failing_rows is None else f"{r.failing_rows:,} rows"
                check = f"{table}.{r.check}"
                lines.append(
                    f"  {r.status.upper():<4}  {check:<{width}}  {failing:>12}  {r.message}"
                )
    counts = Counter(r.status for r in results)
    verdict = "PASSED" if gate_passed(results) else "FAILED"
    lines.append(
        f"{len(results)} checks: {counts[PASS]} passed, {counts[WARN]} warned, "
        f"{counts[FAIL]} failed. Gate 1 {verdict}."
    )
    return "\n".join(lines)


def run_raw_gate(
    raw_path: Path,
    raw_format: str = landing.AUTO,
    json_path: Path | None = None,
    max_bad_ratio: float = 0.05,
    docs_root: Path | None = None,
    csv_delimiter: str = landing.AUTO,
    as_of: str | None = None,
) -> int:
    """Run gate 1, print the summary, write the results and timing as JSON (the format of
    ``report.write_results``) when ``json_path`` is given; 0 when the gate passed."""
    from .report import write_results

    started = time.perf_counter()
    results = validate_raw(
        Path(raw_path),
        raw_format,
        max_bad_ratio=max_bad_ratio,
        docs_root=docs_root,
        csv_delimiter=csv_delimiter,
        as_of=as_of,
    )
    print(summarize(results))
    if json_path is not None:
        write_results(Path(json_path), results, {"total": time.perf_counter() - started})
    return 0 if gate_passed(results) else 1
