"""Segment rules as forgiving as Mailchimp and HubSpot filters (issue 11, point 8).

1. Text comparisons ignore case and surrounding spaces on both sides: ten hand-written
   customers whose texts differ from the rule values only in case and spaces (plus nulls,
   empty and blank texts, near misses such as 'Electronics Accessories', 'Zurich' for
   'Zürich' or 'Outdoors' for 'outdoor'), one segment per text operator, members reasoned
   by hand from the rows.
2. Errors show what was typed (`<`, not `\\u003c`; `ü`, not `\\u00fc`) and suggest the
   nearest field, operator, key or segment.
3. The README's quick check of a rules file (`dbt compile --select dim_segments`) needs no
   landing files and no warehouse: it prints the suggestion and exits non-zero on a typo,
   and passes on the shipped rules.

The compiler tests of every operator are in test_segment_compiler.py, whose helpers this
module reuses (a copy of the project with its own segments, the compiled SQL run over a
DuckDB dim_customers built from the contract).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from custseg import warehouse
from test_segment_compiler import (
    DEFINITIONS,
    compile_memberships,
    cond,
    copy_project,
    definitions,
    run_compiled,
)

# ------------------------------------------------------------------ customers
# fmt: off
COLUMNS = ("customer_id", "last_purchase_category", "city", "job_title", "interests")
CUSTOMERS = [
    ("k01", "Electronics", "Zürich", "Head of Sales", "Travel|Outdoor"),
    ("k02", "ELECTRONICS", " zürich", "HEAD OF DATA", " travel | outdoor "),
    ("k03", " electronics ", "ZÜRICH ", "  head", "TRAVEL"),
    ("k04", "electronics", "Zurich", "Headhunter", "adventure_travel|Outdoors"),
    ("k05", None, None, None, None),
    ("k06", "", "", "", ""),
    ("k07", "   ", "   ", "   ", " | "),
    ("k08", "Electronics Accessories", "Berlin", "Deputy Head", "outdoor| TRAVEL_insurance"),
    ("k09", "Home & Garden", "St. Gallen", "head of marketing", "Sustainability|travel"),
    ("k10", "Garden", "d'Arbois", "vp sales", "Outdoor"),
]
# fmt: on
ALL = {row[0] for row in CUSTOMERS}

# segment id -> (rule, extra keys, expected members reasoned from CUSTOMERS). A condition
# on a null text (k05) is false, for != and not_in too, so `not` of it is true. An empty
# text is a value: '' and '   ' (k06, k07) are both the empty text.
SEGMENTS: dict[str, tuple[dict, dict, set[str]]] = {
    # not 'Electronics Accessories' (k08), not null, empty or blank
    "eq": (
        cond("last_purchase_category", "=", "electronics"),
        {},
        {"k01", "k02", "k03", "k04"},
    ),
    # the value's own case and spaces are ignored as well
    "eq_value_spaced": (
        cond("last_purchase_category", "=", " Electronics "),
        {},
        {"k01", "k02", "k03", "k04"},
    ),
    "ne": (
        cond("last_purchase_category", "!=", "ELECTRONICS"),
        {},
        {"k06", "k07", "k08", "k09", "k10"},
    ),
    "eq_empty": (cond("last_purchase_category", "=", ""), {}, {"k06", "k07"}),
    # lower() knows umlauts: ZÜRICH is zürich; Zurich is another word
    "in": (
        cond("city", "in", ["zürich", " St. Gallen"]),
        {},
        {"k01", "k02", "k03", "k09"},
    ),
    "not_in": (
        cond("city", "not_in", ["ZÜRICH", "berlin"]),
        {},
        {"k04", "k06", "k07", "k09", "k10"},
    ),
    "eq_quote": (cond("city", "=", "D'ARBOIS "), {}, {"k10"}),
    # 'Deputy Head' does not start with it; '  head' does once trimmed
    "starts_with": (
        cond("job_title", "starts_with", "head"),
        {},
        {"k01", "k02", "k03", "k04", "k09"},
    ),
    # the value is trimmed too: 'head of', so neither '  head' nor 'Headhunter'
    "starts_with_value_spaced": (
        cond("job_title", "starts_with", " HEAD OF "),
        {},
        {"k01", "k02", "k09"},
    ),
    # whole options, each trimmed and lower-cased: not adventure_travel (k04) nor
    # travel_insurance (k08)
    "contains": (
        cond("interests", "contains", "travel"),
        {},
        {"k01", "k02", "k03", "k09"},
    ),
    # 'Outdoors' (k04) is not outdoor
    "contains_value_spaced": (
        cond("interests", "contains", " OUTDOOR "),
        {},
        {"k01", "k02", "k08", "k10"},
    ),
    "contains_any": (
        cond("interests", "contains_any", ["Travel_Insurance", " SUSTAINABILITY"]),
        {},
        {"k08", "k09"},
    ),
    "contains_all": (
        cond("interests", "contains_all", ["travel", "Outdoor "]),
        {},
        {"k01", "k02"},
    ),
    "not_contains": (
        {"not": cond("interests", "contains", "TRAVEL")},
        {},
        {"k04", "k05", "k06", "k07", "k08", "k10"},
    ),
}
TEXT_OPERATORS = {"=", "!=", "in", "not_in", "starts_with", "contains", "contains_any",
                  "contains_all"}  # fmt: skip


def test_every_text_operator_is_covered():
    used = set()
    for rule, _, expected in SEGMENTS.values():
        used.add(rule.get("op") or rule["not"]["op"])
        assert expected and expected < ALL
    assert used == TEXT_OPERATORS


@pytest.fixture(scope="module")
def members(tmp_path_factory, tiny_raw) -> dict[str, set[str]]:
    base = tmp_path_factory.mktemp("forgiving")
    root = copy_project(base / "project", SEGMENTS)
    result = compile_memberships(root, base / "forgiving.duckdb", tiny_raw)
    assert result.success, "\n".join(result.failures())
    sql = next((warehouse.target_dir(root) / "compiled").rglob("segment_memberships.sql"))
    directory = tmp_path_factory.mktemp("forgiving_warehouse")
    return run_compiled(root, sql.read_text(encoding="utf-8"), directory, COLUMNS, CUSTOMERS)


@pytest.mark.parametrize("segment_id", list(SEGMENTS))
def test_text_ignores_case_and_surrounding_spaces(members, segment_id):
    rule, _, expected = SEGMENTS[segment_id]
    actual = members.get(segment_id, set())
    assert actual == expected, (
        f"segment {segment_id} (rule {rule}): missing {sorted(expected - actual)}, "
        f"unexpected {sorted(actual - expected)}"
    )


# ------------------------------------------------------------------ error messages
def definition(segment_id: str, rule: dict, **extra) -> dict:
    return definitions({segment_id: (rule, extra, set())})[0]


def write_definitions(root: Path, definitions: list[dict]) -> None:
    path = root / DEFINITIONS
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["models"][0]["config"]["meta"]["segment_definitions"] = definitions
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")


# (definition, texts the error must show): every place that shows a value or suggests a
# name, once. A segment to refer to is always declared.
REFERRED = definition("munich_workshop_attendees", cond("city", "=", "München"))
ERRORS = [
    # (a typo in a field name: the quick check below)
    (
        definition("typed_operator", cond("is_b2b", "<", True)),
        ["operator \"<\" is not allowed for boolean field 'is_b2b'"],
    ),
    (
        definition("typed_value", cond("age", ">", "<18 ü")),
        ['needs a number, got "<18 ü"'],
    ),
    (
        definition("sql_operator", cond("city", "<>", "Bern")),
        ['unknown operator "<>"; did you mean "!="?'],
    ),
    (
        definition("typo_key", {**cond("city", "=", "Bern"), "vaule": "Bern"}),
        ['unknown key "vaule" in a condition; did you mean "value"?'],
    ),
    (
        definition("typo_segment_key", cond("age", ">", 1), exclusve_group="g"),
        ['unknown key "exclusve_group"; did you mean "exclusive_group"?'],
    ),
    (
        definition("typo_reference", {"op": "in_segment", "value": "munich_workshop_attendee"}),
        [
            'in_segment refers to unknown segment "munich_workshop_attendee"; '
            'did you mean "munich_workshop_attendees"?'
        ],
    ),
    # far from every field: no suggestion rather than a wrong one
    (definition("no_near_field", cond("email", "=", "x")), ['unknown field "email" (fields']),
]


@pytest.fixture(scope="module")
def error_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("forgiving_errors") / "project", {})


@pytest.mark.parametrize(("bad", "texts"), ERRORS, ids=[d["id"] for d, _ in ERRORS])
def test_errors_show_what_was_typed_and_suggest_the_nearest(error_project, tiny_raw, bad, texts):
    write_definitions(error_project, [REFERRED, bad])
    result = compile_memberships(error_project, error_project / "errors.duckdb", tiny_raw)
    assert not result.success
    failures = "\n".join(result.failures())
    assert f"Segment '{bad['id']}'" in failures, failures
    for text in texts:
        assert text in failures, failures
    assert "\\u00" not in failures, failures
    if texts[-1].endswith("(fields"):
        assert "did you mean" not in failures, failures


# typed -> (candidates: dim_customers' fields, all operators or a condition's keys, the
# suggestion or None), checked in one dbt run-operation of the compiler's helper
SUGGESTIONS = {
    "Age": ("fields", "age"),
    "lastpurchasecategory": ("fields", "last_purchase_category"),
    "purchase_category": ("fields", "last_purchase_category"),  # the only field holding it
    "category": ("fields", None),  # nps_category and last_purchase_category hold it
    "email": ("fields", None),
    "=<": ("operators", "<="),  # a swap, and as long as '<=' (not '=', one deletion away)
    "startswith": ("operators", "starts_with"),
    "not in": ("operators", "not_in"),
    "is null": ("operators", "is_null"),
    "contain": ("operators", "contains"),
    "within_last_day": ("operators", "within_last_days"),
    "equals_to": ("operators", None),
    "vaule": ("keys", "value"),
}
SUGGEST_MACRO = """
{% macro print_suggestions(typed) %}
    {%- set candidates = {
        'fields': segment_fields().keys() | list,
        'operators': _segment_operators().values() | sum(start=[]),
        'keys': ['field', 'op', 'value'],
    } -%}
    {%- for text, kind in typed.items() -%}
        {{ print('SUGGESTION ' ~ text ~ ' => ' ~ _segment_did_you_mean(text, candidates[kind])) }}
    {%- endfor -%}
{% endmacro %}
"""


def test_the_suggestion_is_the_nearest_name_or_none(cli_project, tmp_path):
    typed = {text: kind for text, (kind, _) in SUGGESTIONS.items()}
    completed, _ = run_dbt_cli(
        cli_project,
        tmp_path,
        ["run-operation", "print_suggestions", "--args", repr({"typed": typed})],
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    printed = dict(
        line.split("SUGGESTION ", 1)[1].split(" => ", 1)
        for line in completed.stdout.splitlines()
        if "SUGGESTION " in line
    )
    expected = {
        text: f'; did you mean "{name}"?' if name else "" for text, (_, name) in SUGGESTIONS.items()
    }
    assert printed == expected


# ------------------------------------------------------------------ quick check
QUICK_CHECK = ["compile", "--select", "dim_segments", "--no-populate-cache"]  # README


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory) -> Path:
    """A copy of the project with the shipped segments, run by the dbt command line (one
    copy, so later runs parse only what changed), and a helper macro for suggestions."""
    project = copy_project(tmp_path_factory.mktemp("forgiving_cli") / "project", {})
    write_definitions(project, shipped_definitions())
    (project / "macros" / "print_suggestions.sql").write_text(SUGGEST_MACRO, encoding="utf-8")
    return project


def shipped_definitions() -> list[dict]:
    source = warehouse.project_dir() / DEFINITIONS
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    return document["models"][0]["config"]["meta"]["segment_definitions"]


def run_dbt_cli(
    project: Path, home: Path, args: list[str]
) -> tuple[subprocess.CompletedProcess, float]:
    """dbt as a user runs it in a fresh clone: from the project folder, with no landing files
    (raw_path is an empty folder) and a warehouse path that must never be written."""
    empty = home / "no_raw"
    empty.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "WAREHOUSE_PATH": str(home / "never_written.duckdb"),
        "DBT_LOG_PATH": str(home / "logs"),
    }
    env.pop("CUSTSEG_PROJECT_DIR", None)
    dbt = Path(sys.executable).with_name("dbt")
    started = time.monotonic()
    completed = subprocess.run(
        [str(dbt), *args, "--vars", f"{{raw_path: '{empty}'}}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return completed, time.monotonic() - started


def test_quick_check_of_a_rules_file_needs_no_data_and_fails_on_a_typo(cli_project, tmp_path):
    project = cli_project
    write_definitions(project, shipped_definitions())
    passed, seconds = run_dbt_cli(project, tmp_path, QUICK_CHECK)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    print(f"quick check of the shipped rules: {seconds:.1f} s")

    typo = definition("typo_field", cond("last_purchase_categry", "=", "electronics"))
    write_definitions(project, [*shipped_definitions(), typo])
    failed, _ = run_dbt_cli(project, tmp_path, QUICK_CHECK)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "Segment 'typo_field'" in output, output
    assert 'unknown field "last_purchase_categry"; did you mean "last_purchase_category"?' in (
        output
    ), output
    assert not (tmp_path / "never_written.duckdb").exists()
    write_definitions(project, shipped_definitions())
