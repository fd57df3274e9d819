"""Unit tests of the segment compiler (macros/segments/segment_compiler.sql): the SQL it
produces selects exactly the right customers.

A copy of the project gets its own segment definitions (every operator on every field type
it applies to, `not`, nesting, in_segment / not_in_segment chains and an exclusive group
with priorities), `dbt compile` renders segment_memberships, and the compiled query runs
against a hand-written dim_customers of ten customers built from the model's contract. The
rows hold nulls, boundary values (inclusive between ends, < versus <=, dates exactly 13, 14
and 15 days before as_of_date, timestamps at midnight and late in the day), multi-valued
answers where one option is a substring of another, and LIKE wildcards in a starts_with
value. Each segment's members are compared with a set reasoned by hand from those rows, so
an off-by-one window, a substring match, a wildcard match, a null that leaks through `not`
or a wrong priority fails the segment it breaks. Text ignores case and surrounding spaces
(test_segment_rules_forgiving.py covers that in depth).

Validation errors and injection are covered by test_segments.py, not here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import environment
from custseg import warehouse

AS_OF = "2026-06-30"
DEFINITIONS = Path("models/marts/segments/_segment_definitions.yml")
WAREHOUSE_FILE = "segcompiler.duckdb"
DUCKDB_TYPES = {"string": "varchar"}


# ------------------------------------------------------------------ customers
# Only the columns the rules use; every other contract column is null. The comments give
# what the rows are for (as_of_date is 2026-06-30, so 14 days before is 2026-06-16).
# fmt: off
COLUMNS = (
    "customer_id", "gender", "city", "job_title", "postal_code", "interests", "age",
    "company_size", "nearest_location_distance_km", "p_alive", "is_b2b", "has_purchased",
    "first_purchase_date", "last_purchase_date", "last_visit_at", "customer_since",
    "country_code",
)
CUSTOMERS = [
    # c01: 'travel' as first option, 17 (just under 18), 1.600 km, visited on as_of late
    ("c01", "female", "Berlin", "Head of Marketing", "AB_12", "travel|sustainability", 17,
     1, 1.600, 0.9, True, True, "2025-01-01", "2026-06-30", "2026-06-30 23:59:59",
     "2024-01-01 00:00:00", "DE"),
    # c02: 'adventure_travel' (contains 'travel' as a substring only), 18, 1.601 km,
    # last visit/purchase 13 days before as_of, customer since midnight of 2026-06-01
    ("c02", "male", "Munich", "Marketing Head", "ABC12", "adventure_travel|outdoor", 18,
     5, 1.601, 0.5, False, False, "2025-01-02", "2026-06-17", "2026-06-17 00:00:00",
     "2026-06-01 00:00:00", "DE"),
    # c03: everything unknown
    ("c03", *([None] * (len(COLUMNS) - 1))),
    # c04: 'travel' as last option, 65, 0 km, last visit/purchase 14 days before as_of
    ("c04", "female", "Paris", "Head", "AB_", "sustainability|travel", 65, 10, 0.000, 0.1,
     True, True, "2024-12-31", "2026-06-16", "2026-06-16 23:59:59", "2026-06-01 09:30:00",
     "FR"),
    # c05: 'travel_insurance' and 'outdoors' (options that start like others), 66,
    # 15 days before as_of, customer since one second before 2026-06-01
    ("c05", "diverse", "Berlin-Mitte", "head of sales", "ab_99", "travel_insurance|outdoors",
     66, 11, 25.500, 0.49, False, True, "2025-06-15", "2026-06-15", "2026-06-15 12:00:00",
     "2026-05-31 23:59:59", "US"),
    # c06: 'travel' as the only option, company of 0, dates after as_of
    ("c06", "male", "Hamburg", "VP Sales", "XAB_1", "travel", 40, 0, 2.000, 0.51, True, False,
     None, "2026-07-01", "2026-07-01 00:00:00", "2025-06-30 00:00:00", "US"),
    # c07: 39, 1.599 km, visited 16 days before as_of
    ("c07", "female", "Berlin", "Head of Data", "AB_7", "outdoor", 39, 4, 1.599, 1.0, False,
     True, "2026-01-15", "2026-06-01", "2026-06-14 08:00:00", "2026-06-10 00:00:00", "DE"),
    # c08: empty strings, lowercase 'berlin', no purchase date
    ("c08", "male", "berlin", "", "", "", 41, 1000, 100.000, 0.0, True, False, "2026-01-15",
     None, "2026-06-20 10:00:00", None, "GB"),
    # c09: 'adventure_travel' as a middle option, unknown city/size/distance/b2b/visit
    ("c09", "female", None, "Head of Travel", None, "sustainability|adventure_travel|outdoor",
     25, None, None, None, None, True, "2026-02-01", "2026-06-29", None,
     "2026-06-30 00:00:00", None),
    # c10: 'travel' and 'adventure_travel' both, last visit at midnight 14 days before as_of
    ("c10", "female", "O'Brien Town", "Head", "AB-1",
     "travel|adventure_travel|sustainability|outdoor", 30, 5, 1.000, 0.75, False, True,
     "2025-01-01", "2026-06-30", "2026-06-16 00:00:00", "2026-06-01 00:00:00", "FR"),
]
# fmt: on
ALL = {row[0] for row in CUSTOMERS}


def without(*ids: str) -> set[str]:
    return ALL - set(ids)


# ------------------------------------------------------------------ segments
def cond(field: str, op: str, value=None) -> dict:
    condition = {"field": field, "op": op}
    if value is not None:
        condition["value"] = value
    return condition


def ref(op: str, segment_id: str) -> dict:
    return {"op": op, "value": segment_id}


# segment id -> (rule, extra keys, expected members reasoned from CUSTOMERS)
SEGMENTS: dict[str, tuple[dict, dict, set[str]]] = {
    # ---- string
    "str_eq": (cond("gender", "=", "female"), {}, {"c01", "c04", "c07", "c09", "c10"}),
    "str_ne": (cond("gender", "!=", "female"), {}, {"c02", "c05", "c06", "c08"}),
    # text ignores case: c08's 'berlin' is Berlin (test_segment_rules_forgiving.py has more)
    "str_in": (cond("city", "in", ["Berlin", "Paris"]), {}, {"c01", "c04", "c07", "c08"}),
    "str_not_in": (
        cond("city", "not_in", ["Berlin", "Paris"]),
        {},
        {"c02", "c05", "c06", "c10"},
    ),
    "str_is_null": (cond("city", "is_null"), {}, {"c03", "c09"}),
    "str_is_not_null": (cond("city", "is_not_null"), {}, without("c03", "c09")),
    # c05's 'head of sales' is in (case ignored); 'Marketing Head' is not
    "str_starts_with": (
        cond("job_title", "starts_with", "Head"),
        {},
        {"c01", "c04", "c05", "c07", "c09", "c10"},
    ),
    # '_' is a literal: 'ABC12' and 'XAB_1' are out (a LIKE 'AB_%' would take 'ABC12');
    # c05's 'ab_99' is in (case ignored)
    "str_starts_with_wildcard": (
        cond("postal_code", "starts_with", "AB_"),
        {},
        {"c01", "c04", "c05", "c07"},
    ),
    # a whole option only: not 'adventure_travel' (c02, c09) nor 'travel_insurance' (c05)
    "str_contains": (cond("interests", "contains", "travel"), {}, {"c01", "c04", "c06", "c10"}),
    "str_contains_middle": (
        cond("interests", "contains", "adventure_travel"),
        {},
        {"c02", "c09", "c10"},
    ),
    # 'outdoors' (c05) is not 'outdoor'
    "str_contains_any": (
        cond("interests", "contains_any", ["sustainability", "outdoor"]),
        {},
        {"c01", "c02", "c04", "c07", "c09", "c10"},
    ),
    # c09 has sustainability and adventure_travel only; c06 travel only
    "str_contains_all": (
        cond("interests", "contains_all", ["sustainability", "travel"]),
        {},
        {"c01", "c04", "c10"},
    ),
    # ---- number: integer, bigint, decimal, double
    "num_eq": (cond("age", "=", 18), {}, {"c02"}),
    "num_ne": (cond("age", "!=", 18), {}, without("c02", "c03")),
    "num_lt": (cond("age", "<", 18), {}, {"c01"}),
    "num_le": (cond("age", "<=", 18), {}, {"c01", "c02"}),
    "num_gt": (cond("age", ">", 65), {}, {"c05"}),
    "num_ge": (cond("age", ">=", 65), {}, {"c04", "c05"}),
    "num_between": (cond("age", "between", [18, 65]), {}, without("c01", "c03", "c05")),
    "num_between_decimal": (
        cond("nearest_location_distance_km", "between", [1.599, 1.6]),
        {},
        {"c01", "c07"},
    ),
    "num_eq_decimal": (cond("nearest_location_distance_km", "=", 1.6), {}, {"c01"}),
    "num_le_decimal": (
        cond("nearest_location_distance_km", "<=", 1.6),
        {},
        {"c01", "c04", "c07", "c10"},
    ),
    "num_gt_double": (cond("p_alive", ">", 0.5), {}, {"c01", "c06", "c07", "c10"}),
    "num_in": (cond("company_size", "in", [1, 5]), {}, {"c01", "c02", "c10"}),
    "num_not_in": (
        cond("company_size", "not_in", [1, 5]),
        {},
        {"c04", "c05", "c06", "c07", "c08"},
    ),
    "num_lt_zero_is_not_null": (cond("company_size", "<", 1), {}, {"c06"}),
    "num_is_null": (cond("company_size", "is_null"), {}, {"c03", "c09"}),
    "num_is_not_null": (cond("age", "is_not_null"), {}, without("c03")),
    # ---- boolean
    "bool_eq_true": (cond("is_b2b", "=", True), {}, {"c01", "c04", "c06", "c08"}),
    "bool_eq_false": (cond("is_b2b", "=", False), {}, {"c02", "c05", "c07", "c10"}),
    "bool_ne": (cond("is_b2b", "!=", True), {}, {"c02", "c05", "c07", "c10"}),
    "bool_is_null": (cond("is_b2b", "is_null"), {}, {"c03", "c09"}),
    "bool_is_not_null": (cond("has_purchased", "is_not_null"), {}, without("c03")),
    # ---- date
    "date_eq": (cond("first_purchase_date", "=", "2025-01-01"), {}, {"c01", "c10"}),
    "date_ne": (
        cond("first_purchase_date", "!=", "2025-01-01"),
        {},
        {"c02", "c04", "c05", "c07", "c08", "c09"},
    ),
    "date_lt": (cond("first_purchase_date", "<", "2025-01-01"), {}, {"c04"}),
    "date_le": (cond("first_purchase_date", "<=", "2025-01-01"), {}, {"c01", "c04", "c10"}),
    "date_gt": (cond("first_purchase_date", ">", "2026-01-15"), {}, {"c09"}),
    "date_ge": (cond("first_purchase_date", ">=", "2026-01-15"), {}, {"c07", "c08", "c09"}),
    "date_between": (
        cond("first_purchase_date", "between", ["2025-01-01", "2025-06-15"]),
        {},
        {"c01", "c02", "c05", "c10"},
    ),
    "date_in": (
        cond("first_purchase_date", "in", ["2025-01-02", "2026-02-01"]),
        {},
        {"c02", "c09"},
    ),
    "date_not_in": (
        cond("first_purchase_date", "not_in", ["2025-01-02", "2026-02-01"]),
        {},
        {"c01", "c04", "c05", "c07", "c08", "c10"},
    ),
    "date_is_null": (cond("first_purchase_date", "is_null"), {}, {"c03", "c06"}),
    "date_is_not_null": (cond("last_purchase_date", "is_not_null"), {}, without("c03", "c08")),
    # (2026-06-16, 2026-06-30]: 13 days before is in, 14 (c04) and 15 (c05) out, and so is
    # the day after as_of (c06)
    "date_within_last_days": (
        cond("last_purchase_date", "within_last_days", 14),
        {},
        {"c01", "c02", "c09", "c10"},
    ),
    "date_not_within_last_days": (
        cond("last_purchase_date", "not_within_last_days", 14),
        {},
        {"c03", "c04", "c05", "c06", "c07", "c08"},
    ),
    # ---- timestamp: a 'YYYY-MM-DD' value is midnight of that day; windows compare days
    "ts_within_last_days": (
        cond("last_visit_at", "within_last_days", 14),
        {},
        {"c01", "c02", "c08"},
    ),
    "ts_within_last_day": (cond("last_visit_at", "within_last_days", 1), {}, {"c01"}),
    "ts_not_within_last_days": (
        cond("last_visit_at", "not_within_last_days", 14),
        {},
        {"c03", "c04", "c05", "c06", "c07", "c09", "c10"},
    ),
    "ts_eq": (cond("customer_since", "=", "2026-06-01"), {}, {"c02", "c10"}),
    "ts_ne": (
        cond("customer_since", "!=", "2026-06-01"),
        {},
        {"c01", "c04", "c05", "c06", "c07", "c09"},
    ),
    "ts_lt": (cond("customer_since", "<", "2026-06-01"), {}, {"c01", "c05", "c06"}),
    "ts_le": (
        cond("customer_since", "<=", "2026-06-01"),
        {},
        {"c01", "c02", "c05", "c06", "c10"},
    ),
    "ts_gt": (cond("customer_since", ">", "2026-06-01"), {}, {"c04", "c07", "c09"}),
    "ts_ge": (
        cond("customer_since", ">=", "2026-06-01"),
        {},
        {"c02", "c04", "c07", "c09", "c10"},
    ),
    "ts_between": (
        cond("customer_since", "between", ["2026-06-01", "2026-06-10"]),
        {},
        {"c02", "c04", "c07", "c10"},
    ),
    "ts_in": (cond("customer_since", "in", ["2024-01-01", "2026-06-30"]), {}, {"c01", "c09"}),
    "ts_not_in": (
        cond("customer_since", "not_in", ["2024-01-01", "2026-06-30"]),
        {},
        {"c02", "c04", "c05", "c06", "c07", "c10"},
    ),
    "ts_is_null": (cond("customer_since", "is_null"), {}, {"c03", "c08"}),
    "ts_is_not_null": (cond("last_visit_at", "is_not_null"), {}, without("c03", "c09")),
    # ---- not: a condition on an unknown value is false, so its negation is true (c03)
    "not_condition": (
        {"not": cond("gender", "=", "female")},
        {},
        {"c02", "c03", "c05", "c06", "c08"},
    ),
    "not_not": ({"not": {"not": cond("age", "<", 18)}}, {}, {"c01"}),
    "not_contains": (
        {"not": cond("interests", "contains", "travel")},
        {},
        {"c02", "c03", "c05", "c07", "c08", "c09"},
    ),
    # ---- nesting: all inside any inside not
    # any: women under 40 (c01, c07, c09, c10) or US (c05, c06); c03 matches nothing
    "nested_not_any_all": (
        {
            "not": {
                "any": [
                    {"all": [cond("gender", "=", "female"), cond("age", "<", 40)]},
                    cond("country_code", "=", "US"),
                ]
            }
        },
        {},
        {"c02", "c03", "c04", "c08"},
    ),
    # all[any[not b2b (c02 c03 c05 c07 c09 c10), all[sustainability, 40+] (c04)], purchased]
    "nested_all_any_not": (
        {
            "all": [
                {
                    "any": [
                        {"not": cond("is_b2b", "=", True)},
                        {
                            "all": [
                                cond("interests", "contains", "sustainability"),
                                cond("age", ">=", 40),
                            ]
                        },
                    ]
                },
                cond("has_purchased", "=", True),
            ]
        },
        {},
        {"c04", "c05", "c07", "c09", "c10"},
    ),
    # ---- references, declared before what they refer to (evaluation follows references)
    # level 3: not in ref_level2, age known
    "ref_level3": (
        {"all": [{"not": ref("in_segment", "ref_level2")}, cond("age", "is_not_null")]},
        {},
        {"c01", "c04", "c05", "c07", "c08", "c09", "c10"},
    ),
    # level 2: travellers (ref_base) who are not in ref_level1 (not purchased)
    "ref_level2": (
        {"all": [ref("in_segment", "ref_base"), ref("not_in_segment", "ref_level1")]},
        {},
        {"c02", "c06"},
    ),
    "ref_level1_not": (
        ref("not_in_segment", "ref_level1"),
        {},
        {"c02", "c03", "c05", "c06", "c07", "c08"},
    ),
    # level 1: travellers who purchased
    "ref_level1": (
        {"all": [ref("in_segment", "ref_base"), cond("has_purchased", "=", True)]},
        {},
        {"c01", "c04", "c09", "c10"},
    ),
    "ref_base": (
        cond("interests", "contains_any", ["travel", "adventure_travel"]),
        {},
        {"c01", "c02", "c04", "c06", "c09", "c10"},
    ),
    # ---- exclusive group, declared out of priority order; gold refers to a level-1
    # segment, which lifts the whole group to level 2.
    # raw: gold c01 c04 c09 c10; silver (30+) c04 c05 c06 c07 c08 c10; bronze all but c03
    "tier_silver": (
        cond("age", ">=", 30),
        {"exclusive_group": "tier", "priority": 2},
        {"c05", "c06", "c07", "c08"},
    ),
    "tier_bronze": (
        cond("has_purchased", "is_not_null"),
        {"exclusive_group": "tier", "priority": 3},
        {"c02"},
    ),
    "tier_gold": (
        ref("in_segment", "ref_level1"),
        {"exclusive_group": "tier", "priority": 1},
        {"c01", "c04", "c09", "c10"},
    ),
    # a reference to a group member reads its final membership, not its raw match
    "ref_to_group_member": (ref("in_segment", "tier_silver"), {}, {"c05", "c06", "c07", "c08"}),
}

OPERATORS = {
    "=", "!=", "<", "<=", ">", ">=", "between", "in", "not_in", "is_null", "is_not_null",
    "starts_with", "contains", "contains_any", "contains_all", "within_last_days",
    "not_within_last_days", "in_segment", "not_in_segment",
}  # fmt: skip


def definitions(segments: dict | None = None) -> list[dict]:
    """Full segment definitions of {segment_id: (rule, extra keys, expected members)}."""
    return [
        {
            "id": segment_id,
            "name": segment_id,
            "description": "segment compiler test",
            "owner": "test",
            "model": "micro",
            "type": "active",
            **extra,
            "rule": rule,
        }
        for segment_id, (rule, extra, _) in (SEGMENTS if segments is None else segments).items()
    ]


def conditions(rule: dict):
    for key in ("all", "any"):
        for child in rule.get(key, []):
            yield from conditions(child)
    if "not" in rule:
        yield from conditions(rule["not"])
    if "op" in rule:
        yield rule


# ------------------------------------------------------------------ build
def copy_project(root: Path, segments: dict | None = None) -> Path:
    """A copy of the project whose only segments are `segments` (default SEGMENTS)."""
    project = warehouse.project_dir()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(project / name, root / name)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(project / name, root / name, ignore=shutil.ignore_patterns("python"))
    path = root / DEFINITIONS
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["models"][0]["config"]["meta"]["segment_definitions"] = definitions(segments)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return root


def compile_memberships(root: Path, database: Path, raw: Path) -> warehouse.DbtResult:
    with environment(CUSTSEG_PROJECT_DIR=str(root), WAREHOUSE_PATH=str(database)):
        return warehouse.run_dbt(
            ["compile", "--select", "segment_memberships"],
            {"as_of_date": AS_OF, "raw_path": str(raw)},
        )


def contract_columns(root: Path) -> list[tuple[str, str]]:
    """(name, data_type) of dim_customers' contract columns, from the copy's YAML."""
    for path in sorted((root / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            if model.get("name") == "dim_customers":
                return [(c["name"], c["data_type"]) for c in model["columns"]]
    raise AssertionError("dim_customers not found in the project's models")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, tiny_raw) -> tuple[Path, str]:
    """The copy's root and its compiled segment_memberships."""
    base = tmp_path_factory.mktemp("segment_compiler")
    root = copy_project(base / "project")
    result = compile_memberships(root, base / WAREHOUSE_FILE, tiny_raw)
    assert result.success, "\n".join(result.failures())
    sql = next((warehouse.target_dir(root) / "compiled").rglob("segment_memberships.sql"))
    return root, sql.read_text(encoding="utf-8")


def run_compiled(
    root: Path, sql: str, directory: Path, columns: tuple[str, ...], customers: list[tuple]
) -> dict[str, set[str]]:
    """segment_id -> customer ids: the compiled segment_memberships run over `customers`
    (rows of `columns`) in a DuckDB dim_customers with the contract's columns."""
    match = re.search(r'"(\w+)"\."(\w+)"\."dim_customers"', sql)
    assert match, sql[:2000]
    database, schema = match.groups()
    path = directory / f"{database}.duckdb"
    contract = contract_columns(root)
    types = {name: DUCKDB_TYPES.get(kind.lower(), kind) for name, kind in contract}
    with duckdb.connect(str(path)) as connection:
        connection.execute(f'create schema "{schema}"')
        table = f'"{schema}".dim_customers'
        connection.execute(
            f"create table {table} ("
            + ", ".join(f'"{name}" {types[name]}' for name, _ in contract)
            + ")"
        )
        names = ", ".join(f'"{name}"' for name in (*columns, "as_of_date"))
        values = ", ".join(f"cast(? as {types[name]})" for name in columns)
        connection.executemany(
            f"insert into {table} ({names}) values ({values}, date '{AS_OF}')",
            [list(row) for row in customers],
        )
        rows = connection.execute(sql).fetchall()
    assert len(rows) == len(set(rows)), "duplicate membership rows"
    assert {str(as_of) for _, _, as_of in rows} == {AS_OF}
    found: dict[str, set[str]] = {}
    for segment_id, customer_id, _ in rows:
        found.setdefault(segment_id, set()).add(customer_id)
    return found


@pytest.fixture(scope="module")
def members(compiled, tmp_path_factory) -> dict[str, set[str]]:
    """segment_id -> customer ids, from the compiled SQL run over CUSTOMERS."""
    root, sql = compiled
    directory = tmp_path_factory.mktemp("segment_warehouse")
    found = run_compiled(root, sql, directory, COLUMNS, CUSTOMERS)
    unknown = set(found) - set(SEGMENTS)
    assert not unknown, f"memberships of segments never defined: {unknown}"
    return found


# ------------------------------------------------------------------ tests
def test_the_segments_cover_every_operator_and_field_type():
    used: dict[str, set[str]] = {}
    kinds = {
        "gender": "string", "city": "string", "job_title": "string", "postal_code": "string",
        "interests": "string", "country_code": "string", "age": "number",
        "company_size": "number", "nearest_location_distance_km": "number",
        "p_alive": "number", "is_b2b": "boolean", "has_purchased": "boolean",
        "first_purchase_date": "date", "last_purchase_date": "date",
        "last_visit_at": "timestamp", "customer_since": "timestamp",
    }  # fmt: skip
    for rule, _, _ in SEGMENTS.values():
        for condition in conditions(rule):
            used.setdefault(condition["op"], set()).add(kinds.get(condition.get("field"), "ref"))
    assert set(used) == OPERATORS
    for op in ("=", "!=", "is_null", "is_not_null"):
        assert used[op] >= {"string", "number", "boolean", "date", "timestamp"}, op
    for op in ("<", "<=", ">", ">=", "between", "in", "not_in"):
        assert used[op] >= {"number", "date", "timestamp"}, op
    for op in ("in", "not_in"):
        assert "string" in used[op], op
    for op in ("within_last_days", "not_within_last_days"):
        assert used[op] == {"date", "timestamp"}, op
    # every segment has members and non-members among the customers
    for segment_id, (_, _, expected) in SEGMENTS.items():
        assert expected and expected < ALL, segment_id


@pytest.mark.parametrize("segment_id", list(SEGMENTS))
def test_segment_selects_the_expected_customers(members, segment_id):
    rule, _, expected = SEGMENTS[segment_id]
    actual = members.get(segment_id, set())
    assert actual == expected, (
        f"segment {segment_id} (rule {rule}): missing {sorted(expected - actual)}, "
        f"unexpected {sorted(actual - expected)}"
    )


def test_exclusive_group_puts_each_customer_in_at_most_one_tier(members):
    tiers = [members.get(s, set()) for s in ("tier_gold", "tier_silver", "tier_bronze")]
    assert sum(len(t) for t in tiers) == len(set().union(*tiers)) == len(ALL) - 1
