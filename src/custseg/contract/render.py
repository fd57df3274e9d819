"""Render the dbt YAML that the raw contract defines.

The contract file is the one place the raw tables are defined. From it come:
- models/staging/raw/_raw__sources.yml: the sources, with everything the staging macros
  enforce (types, required columns, accepted values, checks, keys, versions, parents)
  in their meta, and a freshness test as of as_of_date on each table's event or update
  timestamp (FRESHNESS);
- models/staging/raw/_raw__models.yml: the staging models' documentation and tests
  (primary keys, required columns not null, accepted values, ranges, parents), plus the
  quarantine and reconciliation models;
- models/staging/raw/base/_base__models.yml: the base models and their quarantine gate.
`custseg contract render` writes them; `custseg contract check` (and a test) fails when
the committed files differ from what the contract gives.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import Column, Table, contract_text, load

SOURCES_FILE = Path("models/staging/raw/_raw__sources.yml")
STAGING_FILE = Path("models/staging/raw/_raw__models.yml")
BASE_FILE = Path("models/staging/raw/base/_base__models.yml")

# What became of a raw row in its base model, and the rules a quarantine reason names.
ROW_STATUSES = ("staged", "superseded", "quarantined", "erased")
QUARANTINE_RULES = (
    "missing_required", "bad_type", "bad_value", "out_of_range", "duplicate_key", "orphan",
)  # fmt: skip
# Renames the staging models make (house style: booleans is_/has_).
RENAMES = {("event_registrations", "attended"): "has_attended"}
# Normalisations the staging models apply beyond the contract's parsing rules.
NORMALISED = {
    ("customers", "email"): "Trimmed and lower-cased (macro normalize_email).",
    ("customers", "country_code"): "Upper-cased.",
    ("customers", "language"): "Lower-cased.",
    ("orders", "currency"): "Upper-cased.",
    ("products", "currency"): "Upper-cased.",
    ("campaigns", "currency"): "Upper-cased.",
    ("fx_rates", "currency"): "Upper-cased.",
}

# Freshness as of as_of_date (generic test tests/generic/fresh_as_of.sql; dbt's own
# `freshness:` measures against the wall clock, and builds run as of past dates). Each raw
# table with an event or update timestamp names it and its cadence:
# - "feed": a continuous export every build depends on. Late by more than
#   var raw_freshness_warn_after_days it warns: recency, windows of N days, RFM, CLV and
#   behavioural segments describe the data's last day rather than as_of_date. Only when the
#   user sets var raw_freshness_error_after_days is a later one an error (which stops
#   everything downstream in `dbt build`): an old export is legitimate (a historical
#   analysis, a cohort data set, a small shop), so staleness never stops a build by default.
# - "sporadic": rows arrive when people act or campaigns run; a quiet spell is legitimate,
#   so staleness beyond var raw_freshness_sporadic_warn_after_days only warns.
FRESHNESS = {
    "customers": ("updated_at", "feed"),
    "orders": ("updated_at", "feed"),
    "web_events": ("occurred_at", "feed"),
    "fx_rates": ("rate_date", "feed"),
    "email_events": ("occurred_at", "sporadic"),
    "campaigns": ("started_at", "sporadic"),
    "survey_responses": ("answered_at", "sporadic"),
    "consents": ("recorded_at", "sporadic"),
    "loyalty_members": ("joined_at", "sporadic"),
    "reviews": ("created_at", "sporadic"),
    "event_registrations": ("registered_at", "sporadic"),
    "erasure_requests": ("requested_at", "sporadic"),
}
# Raw tables without a freshness test, and why. Rendering fails for a table in neither
# map, so a new contract table cannot slip past freshness.
NO_FRESHNESS = {
    "order_items": "no timestamp of its own; its lines arrive with their orders",
    "products": "a catalogue: launched_at is an attribute, not an update time",
}
FRESHNESS_RATIONALE = {
    "feed": (
        "Warn when the feed's latest row is older than raw_freshness_warn_after_days at "
        "as_of_date: recency, N-day windows, RFM, CLV and behavioural segments describe the "
        "data's last day, not as_of_date; an old export (a historical analysis, a small "
        "shop) is still legitimate. An error only beyond raw_freshness_error_after_days, "
        "when the user sets it (default empty: never). An empty required table warns "
        "(staging has already stopped a missing one)."
    ),
    "sporadic": (
        "Warn only: rows arrive when people act or campaigns run, so a quiet spell is "
        "legitimate and the marts stay right; a long one is worth a look."
    ),
}

HEADER = """\
# GENERATED from src/custseg/contract/raw_contract.yml by `custseg contract render`.
# Do not edit by hand: change the contract (or render.py) and render again;
# `custseg contract check` and the test suite fail when this file is out of date.
"""


def _column_comments(text: str) -> dict[tuple[str, str], str]:
    comments: dict[tuple[str, str], str] = {}
    table = None
    for line in text.splitlines():
        table_match = re.match(r"^  (\w+):", line)
        if table_match:
            table = table_match.group(1)
            continue
        col_match = re.match(r"^      (\w+):\s*\{.*\}\s*#\s*(.+)$", line)
        if table and col_match:
            comment = re.sub(r"\s*\(?project:.*$", "", col_match.group(2)).strip()
            if comment:
                comments[(table, col_match.group(1))] = comment
    return comments


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _describe_column(column: Column, comment: str | None) -> str:
    parts = [column.type, "required" if column.required else "optional"]
    if column.values:
        parts.append("one of " + ", ".join(column.values))
    bounds = []
    if column.min is not None:
        bounds.append(f">= {column.min}")
    if column.gt is not None:
        bounds.append(f"> {column.gt}")
    if column.max is not None:
        bounds.append(f"<= {column.max}")
    if bounds:
        parts.append(" and ".join(bounds))
    if column.pattern:
        parts.append(f"matches {column.pattern}")
    text = _sentence("; ".join(parts))
    return f"{_sentence(comment)} {text}" if comment else text


def _column_meta(column: Column) -> dict:
    meta: dict = {"contract_type": column.type, "required": column.required}
    for name in ("values", "min", "max", "gt", "pattern"):
        value = getattr(column, name)
        if value is not None:
            meta[name] = list(value) if name == "values" else value
    return meta


def _table_description(table: Table, grain: str | None = None) -> str:
    description = f"Grain: one row per {grain or table.grain}."
    if table.description:
        description = f"{_sentence(table.description)} {description}"
    return description


def _freshness_tests(table: Table) -> dict[str, list]:
    """The fresh_as_of test of the table's freshness column, by column name."""
    if table.name in NO_FRESHNESS:
        return {}
    if table.name not in FRESHNESS:
        raise ValueError(
            f"raw table {table.name!r} is in neither FRESHNESS nor NO_FRESHNESS of "
            "src/custseg/contract/render.py: name its event or update timestamp, or say why "
            "it has none"
        )
    column, cadence = FRESHNESS[table.name]
    if table.columns[column].base_type not in ("date", "timestamp"):
        raise ValueError(f"freshness column {table.name}.{column} is not a date or timestamp")
    if cadence == "feed":
        # var names, not values: the test reads them and names them in its message
        arguments: dict = {
            "warn_after_days_var": "raw_freshness_warn_after_days",
            "error_after_days_var": "raw_freshness_error_after_days",
        }
        if table.required:
            arguments["warn_if_empty"] = True
        config: dict = {}
    else:
        arguments = {"warn_after_days_var": "raw_freshness_sporadic_warn_after_days"}
        config = {"severity": "warn"}
    config["meta"] = {"rationale": FRESHNESS_RATIONALE[cadence]}
    test = {"name": f"fresh_as_of_raw_{table.name}_{column}", "arguments": arguments}
    return {column: [{"fresh_as_of": {**test, "config": config}}]}


def _source_column(column: Column, comment: str | None, tests: list) -> dict:
    entry: dict = {
        "name": column.name,
        "description": _describe_column(column, comment),
        "config": {"meta": _column_meta(column)},
    }
    if tests:
        entry["data_tests"] = tests
    return entry


def _source_table(table: Table, comments: dict[tuple[str, str], str]) -> dict:
    need = "Required" if table.required else "Optional: an absent file reads as empty"
    freshness = _freshness_tests(table)
    meta: dict = {"contract_required": table.required, "key": list(table.key)}
    if table.version_column:
        meta["version_column"] = table.version_column
    if table.parents:
        meta["parents"] = dict(table.parents)
    if table.erasure:
        meta["erasure"] = list(table.erasure)
    if table.name in NO_FRESHNESS:
        meta["no_freshness_test"] = NO_FRESHNESS[table.name]
    return {
        "name": table.name,
        "description": f"{_table_description(table)} {need}.",
        "config": {"meta": meta},
        "columns": [
            _source_column(
                column,
                comments.get((table.name, column.name)),
                freshness.get(column.name, []),
            )
            for column in table.columns.values()
        ],
    }


def render_sources() -> str:
    contract = load()
    comments = _column_comments(contract_text())
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "description": (
                    "Zero- and first-party landing data, as defined by the raw input contract "
                    f"(version {contract.version}). On DuckDB each table is the file "
                    "<raw_path>/<table>.<raw_format>; on other engines a table in raw_schema."
                ),
                "schema": "{{ var('raw_schema') }}",
                "config": {
                    "meta": {
                        # dbt-duckdb reads this; other adapters ignore it. select_raw_table
                        # fills in <raw_path> and <raw_format> when the model runs: a var
                        # rendered here would make every new raw_path a full re-parse.
                        "external_location": "<raw_path>/{name}.<raw_format>",
                    }
                },
                "tables": [_source_table(t, comments) for t in contract.tables.values()],
            }
        ],
    }
    return HEADER + _dump(document)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _range_rules(column: Column, name: str) -> list[str]:
    """The contract's min / max / gt, which staging enforces by quarantine, as rules."""
    bounds = []
    if column.min is not None and column.max is not None:
        bounds.append(f"between {_number(column.min)} and {_number(column.max)}")
    elif column.min is not None:
        bounds.append(f">= {_number(column.min)}")
    elif column.max is not None:
        bounds.append(f"<= {_number(column.max)}")
    if column.gt is not None:
        bounds.append(f"> {_number(column.gt)}")
    return [f"{name} {bound}" for bound in bounds]


def _rows_satisfy(
    model: str,
    not_null: list[str] | None = None,
    accepted_values: dict[str, list] | None = None,
    expressions: list[str] | None = None,
    unique: list[str] | None = None,
) -> dict:
    """One rows_satisfy test (tests/generic/rows_satisfy.sql) for a model's row rules and
    its key: one dbt node instead of a test per rule. Named rows_satisfy_<model> (dbt would
    spell every argument into the name)."""
    arguments: dict = {}
    if not_null:
        arguments["not_null"] = not_null
    if accepted_values:
        arguments["accepted_values"] = accepted_values
    if expressions:
        arguments["expressions"] = expressions
    if unique:
        arguments["unique"] = unique
    return {"rows_satisfy": {"name": f"rows_satisfy_{model}", "arguments": arguments}}


def _parent_test(table: Table, column: str) -> dict:
    """A child's parent key is a staged parent (staging quarantines orphans)."""
    parent = load().tables[table.parents[column]]
    (parent_key,) = parent.key
    return {
        "relationships": {
            "arguments": {
                "to": f"ref('stg_raw__{parent.name}')",
                "field": RENAMES.get((parent.name, parent_key), parent_key),
            }
        }
    }


# Where a row came from: the contract's landing files, or a tool export mapped onto the table.
RECORD_SOURCE = {
    "name": "record_source",
    "description": (
        "Where the row came from: 'landing' (the contract's landing files) or the tool whose "
        "export was mapped onto this table (models/staging/<tool>/, e.g. 'shopify')."
    ),
}


def _staging_model(table: Table, comments: dict[tuple[str, str], str]) -> dict:
    # The staged key: unique after versions collapse; its columns are required, so
    # not_null lists them too, and the pair is the primary-key test.
    key = [RENAMES.get((table.name, c), c) for c in table.key]
    columns = []
    not_null, accepted_values, expressions = [], {}, []
    for column in table.columns.values():
        name = RENAMES.get((table.name, column.name), column.name)
        tests: list = []
        if column.required:
            not_null.append(name)
        if column.values:
            accepted_values[name] = list(column.values)
        expressions += _range_rules(column, name)
        if column.name in table.parents:
            tests.append(_parent_test(table, column.name))
        description = _describe_column(column, comments.get((table.name, column.name)))
        if (table.name, column.name) in NORMALISED:
            description += " " + NORMALISED[(table.name, column.name)]
        if column.type == "timestamp":
            description += " UTC."
        entry: dict = {"name": name, "description": description}
        if tests:
            entry["data_tests"] = tests
        columns.append(entry)
    columns.append(RECORD_SOURCE)
    versions = (
        f" Versions collapsed to the latest by {table.version_column}."
        if table.version_column
        else ""
    )
    model: dict = {
        "name": f"stg_raw__{table.name}",
        "description": (
            f"{_table_description(table, grain=', '.join(table.key))}"
            f" Contract-valid rows of raw {table.name}, typed, normalised and deduplicated."
            f"{versions} Invalid rows are in stg_raw__quarantine."
        ),
    }
    model["data_tests"] = [
        _rows_satisfy(f"stg_raw__{table.name}", not_null, accepted_values, expressions, key)
    ]
    model["columns"] = columns
    return model


def render_staging_models() -> str:
    contract = load()
    comments = _column_comments(contract_text())
    models = [_staging_model(t, comments) for t in contract.tables.values()]
    models.append(
        {
            "name": "stg_raw__quarantine",
            "description": (
                "Grain: one row per quarantined raw row (exact duplicates collapsed). Every raw "
                "row that broke the contract, across all tables: never dropped silently."
            ),
            "data_tests": [
                _rows_satisfy(
                    "stg_raw__quarantine",
                    not_null=[
                        "quarantined_row_id",
                        "table_name",
                        "quarantine_reason",
                        "raw_record",
                    ],
                    accepted_values={
                        "table_name": list(contract.tables),
                        "quarantine_rule": list(QUARANTINE_RULES),
                    },
                    unique=["quarantined_row_id"],
                )
            ],
            "columns": [
                {
                    "name": "quarantined_row_id",
                    "description": "Hash of table name and raw record.",
                },
                {
                    "name": "table_name",
                    "description": "The raw contract table the row came from.",
                },
                {
                    "name": "record_key",
                    "description": "The row's key as written (composite keys joined by |).",
                },
                {
                    "name": "quarantine_reason",
                    "description": (
                        "First contract violation: missing_required:<col>, bad_type:<col>, "
                        "bad_value:<col>, out_of_range:<col>, duplicate_key, orphan:<parent>."
                    ),
                },
                {
                    "name": "quarantine_rule",
                    "description": "The reason without its column: missing_required, ....",
                },
                {
                    "name": "raw_record",
                    "description": "The original record, every contract column as text, JSON.",
                },
            ],
        }
    )
    models.append(
        {
            "name": "stg_raw__reconciliation",
            "description": (
                "Grain: one row per raw contract table and record source (its landing files; "
                "each tool export mapped onto it). What became of every raw row: raw rows "
                "(counted straight from the landing files or the tool's mapping model) = "
                "staged + quarantined + superseded versions + exact duplicates + erased, and "
                "staged = rows of the staging model."
            ),
            "data_tests": [
                _rows_satisfy(
                    "stg_raw__reconciliation",
                    not_null=["table_name"],
                    expressions=[
                        "raw_row_count = staged_row_count + quarantined_row_count"
                        " + superseded_row_count + exact_duplicate_row_count + erased_row_count",
                        "staged_row_count = staging_model_row_count",
                    ],
                    unique=["table_name", "record_source"],
                )
            ],
            "columns": [
                {"name": "table_name", "description": "The raw contract table."},
                RECORD_SOURCE,
                {"name": "raw_row_count", "description": "Rows in the raw file or table."},
                {"name": "staged_row_count", "description": "Rows staged."},
                {"name": "quarantined_row_count", "description": "Rows quarantined."},
                {"name": "superseded_row_count", "description": "Older versions collapsed."},
                {"name": "exact_duplicate_row_count", "description": "Exact copies dropped."},
                {
                    "name": "erased_row_count",
                    "description": (
                        "Rows (with their exact copies) of people who asked for erasure."
                    ),
                },
                {
                    "name": "staging_model_row_count",
                    "description": "Rows in the table's stg_raw__ model.",
                },
                {
                    "name": "quarantined_share",
                    "description": "Quarantined rows / raw rows (0 for an empty table).",
                },
            ],
        }
    )
    return HEADER + _dump({"version": 2, "models": models})


def render_base_models() -> str:
    contract = load()
    models = []
    for table in contract.tables.values():
        models.append(
            {
                "name": f"base_raw__{table.name}",
                "description": (
                    f"Grain: one row per distinct raw row of {table.name} (exact copies "
                    "counted in duplicate_count). Every raw row typed by the contract, with its "
                    "fate (row_status) and, when quarantined, its reason and original record. "
                    "Rows of people who asked for erasure keep nothing but their fate and count. "
                    "Built by macro stage_raw_table."
                ),
                "data_tests": [
                    # Severity warn: quarantined rows below the limit are a warning; above it
                    # the test raises an error that names the table and the top reasons.
                    {
                        "quarantine_within_limit": {
                            "config": {
                                "severity": "warn",
                                "meta": {
                                    "rationale": (
                                        "Warn below var max_quarantine_ratio: the invalid "
                                        "rows are kept in stg_raw__quarantine and the marts "
                                        "are right for the valid ones. Above it the test "
                                        "raises an error whatever its severity: too much "
                                        "of the input is unusable for the marts to be "
                                        "trusted."
                                    )
                                },
                            }
                        }
                    },
                    _rows_satisfy(
                        f"base_raw__{table.name}",
                        not_null=["row_status", "duplicate_count"],
                        accepted_values={"row_status": list(ROW_STATUSES)},
                        expressions=[
                            "duplicate_count >= 0",
                            "raw_row_id is not null or row_status = 'erased'",
                            "quarantine_reason is not null or row_status <> 'quarantined'",
                        ],
                        # null on erased rows, which the expression above allows
                        unique=["raw_row_id"],
                    ),
                ],
                "columns": [
                    {
                        "name": "raw_row_id",
                        "description": (
                            "Hash of the raw record (every contract column as text); "
                            "null on erased rows."
                        ),
                    },
                    {
                        "name": "row_status",
                        "description": "staged, superseded, quarantined or erased.",
                    },
                    {
                        "name": "duplicate_count",
                        "description": "Further exact copies of this row in the raw table.",
                    },
                    {
                        "name": "quarantine_reason",
                        "description": "First contract violation (quarantined rows only).",
                    },
                    {
                        "name": "staging_key",
                        "description": (
                            "The row's key as parsed (key values joined by '|'): the group "
                            "an incremental build stages again whole. 'erased' on erased rows."
                        ),
                    },
                    RECORD_SOURCE,
                    {
                        "name": "staged_at",
                        "description": "When the build that staged this row started (UTC).",
                    },
                ],
            }
        )
    return HEADER + _dump({"version": 2, "models": models})


def _dump(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def rendered() -> dict[Path, str]:
    return {
        SOURCES_FILE: render_sources(),
        STAGING_FILE: render_staging_models(),
        BASE_FILE: render_base_models(),
    }


def write(project_dir: Path) -> list[Path]:
    written = []
    for relative, text in rendered().items():
        path = project_dir / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale(project_dir: Path) -> list[Path]:
    """Committed files that differ from what the contract renders."""
    return [
        project_dir / relative
        for relative, text in rendered().items()
        if not (project_dir / relative).exists()
        or (project_dir / relative).read_text(encoding="utf-8") != text
    ]
