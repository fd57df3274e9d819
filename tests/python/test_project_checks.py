"""Gate 2, the project check: coverage by dbt tests and contracts cannot erode.

`dbt parse` writes the manifest into a temporary target path; the rules below read it and
the test fails listing every offender, not only the first:
- every model has a description;
- every model has a primary-key test: `unique` on one column,
  `unique_combination_of_columns` on several, or `rows_satisfy` with its `unique` argument
  (tests/generic/rows_satisfy.sql), without a `where` filter. Only an ephemeral
  base model (models/staging/raw/base/) may go without, and only with its written reason in
  config meta.primary_key_exempt;
- every mart (models under models/marts) has an enforced contract, lists columns, and
  every column it lists has a data_type and a description;
- every test of severity warn says why it only warns: meta.rationale, a description of its
  own, or the word "warn" in the description of the column or model it tests (a sentence
  such as "a campaign aimed at an unknown segment warns");
- every source table has a fresh_as_of test (as of as_of_date), or says why not in meta
  no_freshness_test (both rendered from the raw contract by custseg.contract.render);
- data flows one way, staging -> intermediate -> marts: no model reads a model of a later
  layer (no intermediate reads a mart, no staging model an intermediate or a mart);
- every unit test pins, in `overrides: vars:`, each var its model reads: in its own code or
  in any macro it calls, transitively (as_of_date above all: its default is today, so an
  unpinned unit test passes or fails with the calendar and with the build's --vars).
The rules are plain functions, also checked on a hand-made manifest that breaks each one.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from custseg import warehouse

MARTS = "models/marts/"
EPHEMERAL_EXEMPTION_DIR = "models/staging/raw/base/"
EXEMPTION_KEY = "primary_key_exempt"
MIN_REASON_LENGTH = 40
PRIMARY_KEY_TESTS = {"unique", "unique_combination_of_columns", "rows_satisfy"}
FRESHNESS_TEST = "fresh_as_of"
# var('name') or var("name", default) in a model's or macro's Jinja
VAR_CALL = re.compile(r"""\bvar\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


# ------------------------------------------------------------------ the rules
def _models(manifest: dict) -> list[dict]:
    project = manifest["metadata"].get("project_name")
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node.get("package_name") == project
        ),
        key=lambda node: node["original_file_path"],
    )


def _tests(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]


def _tested_node(test: dict) -> str | None:
    """The model or source a test is on (dbt leaves attached_node empty on source tests)."""
    if test.get("attached_node"):
        return test["attached_node"]
    parents = (test.get("depends_on") or {}).get("nodes") or []
    return parents[0] if len(parents) == 1 else None


def _test_name(test: dict) -> str:
    return (test.get("test_metadata") or {}).get("name") or ""


def _is_primary_key_test(test: dict) -> bool:
    name = _test_name(test)
    if name not in PRIMARY_KEY_TESTS or (test.get("config") or {}).get("where"):
        return False
    kwargs = (test.get("test_metadata") or {}).get("kwargs") or {}
    if name == "unique":
        return bool(test.get("column_name") or kwargs.get("column_name"))
    if name == "rows_satisfy":
        return bool(kwargs.get("unique"))
    columns = kwargs.get("combination_of_columns")
    return isinstance(columns, list) and len(columns) >= 2


def _label(node: dict) -> str:
    return f"{node['name']} ({node['original_file_path']})"


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def description_offenders(manifest: dict) -> list[str]:
    return [
        f"{_label(model)}: no description"
        for model in _models(manifest)
        if not (model.get("description") or "").strip()
    ]


def primary_key_offenders(manifest: dict) -> list[str]:
    keyed = {_tested_node(test) for test in _tests(manifest) if _is_primary_key_test(test)}
    offenders = []
    for model in _models(manifest):
        reason = str(_meta(model).get(EXEMPTION_KEY) or "").strip()
        exemptable = model["config"].get("materialized") == "ephemeral" and model[
            "original_file_path"
        ].startswith(EPHEMERAL_EXEMPTION_DIR)
        if reason and not exemptable:
            offenders.append(
                f"{_label(model)}: meta.{EXEMPTION_KEY} is allowed only on ephemeral base "
                f"models under {EPHEMERAL_EXEMPTION_DIR}"
            )
        if model["unique_id"] in keyed:
            continue
        if exemptable and len(reason) >= MIN_REASON_LENGTH:
            continue
        hint = (
            f" (or write why not in config meta.{EXEMPTION_KEY}, at least "
            f"{MIN_REASON_LENGTH} characters)"
            if exemptable
            else ""
        )
        offenders.append(
            f"{_label(model)}: no primary-key test: `unique` on one column, "
            f"`unique_combination_of_columns` on several or `rows_satisfy` with `unique`, "
            f"without `where`{hint}"
        )
    return offenders


def mart_offenders(manifest: dict) -> list[str]:
    offenders = []
    for model in _models(manifest):
        if not model["original_file_path"].startswith(MARTS):
            continue
        contract = model["config"].get("contract") or {}
        if not contract.get("enforced"):
            offenders.append(f"{_label(model)}: mart without an enforced contract")
        columns = model.get("columns") or {}
        if not columns:
            offenders.append(f"{_label(model)}: mart lists no columns")
        for name, column in columns.items():
            if not column.get("data_type"):
                offenders.append(f"{_label(model)}: column {name} has no data_type")
            if not (column.get("description") or "").strip():
                offenders.append(f"{_label(model)}: column {name} has no description")
    return offenders


def warn_rationale_offenders(manifest: dict) -> list[str]:
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    offenders = []
    for test in _tests(manifest):
        config = test.get("config") or {}
        if str(config.get("severity", "")).lower() != "warn":
            continue
        if str(_meta(test).get("rationale") or "").strip():
            continue
        if (test.get("description") or "").strip():
            continue
        tested = nodes.get(_tested_node(test) or "", {})
        column = (tested.get("columns") or {}).get(test.get("column_name") or "", {})
        context = f"{column.get('description') or ''} {tested.get('description') or ''}"
        if "warn" in context.lower():
            continue
        offenders.append(
            f"{test['name']} ({test['original_file_path']}): severity warn without a "
            "rationale (config meta.rationale, a test description, or a sentence saying it "
            "warns in the description of what it tests)"
        )
    return sorted(offenders)


def source_freshness_offenders(manifest: dict) -> list[str]:
    fresh = {_tested_node(test) for test in _tests(manifest) if _test_name(test) == FRESHNESS_TEST}
    return [
        f"source {source['source_name']}.{source['name']} ({source['original_file_path']}): "
        f"no {FRESHNESS_TEST} test and no meta.no_freshness_test reason"
        for source in sorted(manifest.get("sources", {}).values(), key=lambda s: s["name"])
        if source["unique_id"] not in fresh and not _meta(source).get("no_freshness_test")
    ]


LAYERS = ("models/staging/", "models/intermediate/", MARTS)


def _layer(node: dict) -> int | None:
    path = node.get("original_file_path") or ""
    return next((i for i, prefix in enumerate(LAYERS) if path.startswith(prefix)), None)


def flow_offenders(manifest: dict) -> list[str]:
    """Models that read a model of a later layer (an intermediate reading a mart, ...)."""
    nodes = manifest["nodes"]
    offenders = []
    for model in _models(manifest):
        layer = _layer(model)
        if layer is None:
            continue
        for parent_id in sorted((model.get("depends_on") or {}).get("nodes") or []):
            parent = nodes.get(parent_id)
            if not parent or parent["resource_type"] != "model":
                continue
            parent_layer = _layer(parent)
            if parent_layer is not None and parent_layer > layer:
                offenders.append(
                    f"{_label(model)}: reads {_label(parent)}, a later layer "
                    f"({LAYERS[parent_layer].rstrip('/')}); data flows staging -> "
                    "intermediate -> marts: move what both need into an intermediate"
                )
    return offenders


def _vars_read(code: str, macro_ids: list[str], macros: dict) -> dict[str, str]:
    """Each var that `code` or a macro it depends on (transitively) reads, with how: "its
    code" or the chain of macros that reaches the var() call."""
    found = {name: "its code" for name in VAR_CALL.findall(code or "")}
    queue = [(macro_id, [macro_id]) for macro_id in macro_ids]
    seen: set[str] = set()
    while queue:
        macro_id, chain = queue.pop(0)
        if macro_id in seen or macro_id not in macros:
            continue
        seen.add(macro_id)
        macro = macros[macro_id]
        for name in VAR_CALL.findall(macro.get("macro_sql") or ""):
            found.setdefault(name, "macro " + " -> ".join(c.split(".")[-1] for c in chain))
        for called in (macro.get("depends_on") or {}).get("macros") or []:
            queue.append((called, [*chain, called]))
    return found


def unit_test_var_offenders(manifest: dict) -> list[str]:
    """Unit tests whose model reads a var (as_of_date above all) they do not pin."""
    nodes, macros = manifest["nodes"], manifest.get("macros", {})
    offenders = []
    for unit_test in sorted(manifest.get("unit_tests", {}).values(), key=lambda u: u["name"]):
        models = [
            nodes[uid]
            for uid in (unit_test.get("depends_on") or {}).get("nodes") or []
            if uid in nodes and nodes[uid]["resource_type"] == "model"
        ]
        pinned = set(((unit_test.get("overrides") or {}).get("vars")) or {})
        for model in models:
            read = _vars_read(
                model.get("raw_code") or "",
                (model.get("depends_on") or {}).get("macros") or [],
                macros,
            )
            for name in sorted(set(read) - pinned):
                offenders.append(
                    f"unit test {unit_test['name']} ({unit_test['original_file_path']}): "
                    f"model {model['name']} reads var {name} (through {read[name]}) but the "
                    f"test does not pin it under overrides: vars:"
                )
    return offenders


def offenders(manifest: dict) -> list[str]:
    return [
        *description_offenders(manifest),
        *primary_key_offenders(manifest),
        *mart_offenders(manifest),
        *warn_rationale_offenders(manifest),
        *source_freshness_offenders(manifest),
        *unit_test_var_offenders(manifest),
        *flow_offenders(manifest),
    ]


# ------------------------------------------------------------------ the project
@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("parse")
    previous = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(target / "parse.duckdb")
    try:
        result = warehouse.run_dbt(
            ["parse", "--target-path", str(target), "--log-path", str(target / "logs")]
        )
    finally:
        if previous is None:
            os.environ.pop("WAREHOUSE_PATH", None)
        else:
            os.environ["WAREHOUSE_PATH"] = previous
    assert result.success, "\n".join(result.failures())
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def test_every_model_is_documented_keyed_and_every_mart_contracted(manifest):
    found = offenders(manifest)
    assert not found, f"{len(found)} gate-2 offender(s):\n" + "\n".join(found)


def test_the_check_sees_the_whole_project(manifest):
    models = _models(manifest)
    paths = [model["original_file_path"] for model in models]
    assert len(models) >= 60
    assert sum(path.startswith(MARTS) for path in paths) >= 15
    assert any(path.startswith("models/intermediate/") for path in paths)
    exempt = [m["name"] for m in models if _meta(m).get(EXEMPTION_KEY)]
    assert exempt and all(name.startswith("base_raw__erased_") for name in exempt)


# ------------------------------------------------------------------ the check itself
def _model(name: str, path: str, **overrides: Any) -> dict:
    node = {
        "unique_id": f"model.custseg.{name}",
        "resource_type": "model",
        "package_name": "custseg",
        "name": name,
        "original_file_path": path,
        "description": f"Grain: one row per {name}.",
        "config": {"materialized": "table", "meta": {}},
        "columns": {},
    }
    node.update(overrides)
    return node


def _test(name: str, model: str, test: str, column: str | None = None, **config: Any) -> dict:
    kwargs: dict = {"column_name": column} if column else {}
    if test == "unique_combination_of_columns":
        kwargs["combination_of_columns"] = config.pop("columns")
    if test == "rows_satisfy":
        kwargs.update(config.pop("arguments"))
    return {
        "unique_id": f"test.custseg.{name}",
        "resource_type": "test",
        "name": name,
        "original_file_path": "models/x.yml",
        "attached_node": f"model.custseg.{model}",
        "column_name": column,
        "test_metadata": {"name": test, "kwargs": kwargs},
        "config": {"severity": "ERROR", **config},
        "description": "",
    }


def _source(name: str, **meta: Any) -> dict:
    return {
        "unique_id": f"source.custseg.raw.{name}",
        "resource_type": "source",
        "source_name": "raw",
        "name": name,
        "original_file_path": "models/staging/raw/_raw__sources.yml",
        "config": {"meta": meta},
        "columns": {},
    }


def _manifest(*nodes: dict) -> dict:
    return {
        "metadata": {"project_name": "custseg"},
        "nodes": {n["unique_id"]: n for n in nodes if n["resource_type"] != "source"},
        "sources": {n["unique_id"]: n for n in nodes if n["resource_type"] == "source"},
    }


def test_the_check_reports_every_offender_not_only_the_first():
    contract = {"materialized": "table", "contract": {"enforced": True}, "meta": {}}
    good_mart = _model(
        "good_mart",
        "models/marts/core/good_mart.sql",
        config=contract,
        columns={"id": {"name": "id", "data_type": "string", "description": "The key."}},
    )
    manifest = _manifest(
        good_mart,
        _test("unique_good_mart_id", "good_mart", "unique", "id"),
        _model("undocumented", "models/intermediate/undocumented.sql", description=" "),
        _test("unique_undocumented_id", "undocumented", "unique", "id"),
        _model("keyless", "models/intermediate/keyless.sql"),
        _model("filtered_key", "models/intermediate/filtered_key.sql"),
        _test("unique_filtered", "filtered_key", "unique", "id", where="id > 0"),
        _model("pair_key", "models/intermediate/pair_key.sql"),
        _test("pair", "pair_key", "unique_combination_of_columns", columns=["a", "b"]),
        _model("rules_key", "models/intermediate/rules_key.sql"),
        _test("rules", "rules_key", "rows_satisfy", arguments={"not_null": ["a"], "unique": ["a"]}),
        _model("rules_only", "models/intermediate/rules_only.sql"),
        _test("rules_only", "rules_only", "rows_satisfy", arguments={"not_null": ["a"]}),
        _model(
            "loose_mart",
            "models/marts/value/loose_mart.sql",
            columns={
                "id": {"name": "id", "data_type": "string", "description": "The key."},
                "amount": {"name": "amount", "data_type": None, "description": ""},
            },
        ),
        _test("unique_loose_mart_id", "loose_mart", "unique", "id"),
        _model("empty_mart", "models/marts/value/empty_mart.sql", config=contract),
        _test("unique_empty_mart_id", "empty_mart", "unique", "id"),
        _model(
            "base_raw__erased_x",
            "models/staging/raw/base/erasure/base_raw__erased_x.sql",
            config={"materialized": "ephemeral", "meta": {EXEMPTION_KEY: "x" * 50}},
        ),
        _model(
            "base_raw__terse",
            "models/staging/raw/base/erasure/base_raw__terse.sql",
            config={"materialized": "ephemeral", "meta": {EXEMPTION_KEY: "ephemeral"}},
        ),
        _model(
            "int_exempt",
            "models/intermediate/int_exempt.sql",
            config={"materialized": "ephemeral", "meta": {EXEMPTION_KEY: "y" * 50}},
        ),
        _source("fresh_feed"),
        {
            **_test("fresh_as_of_raw_fresh_feed", "fresh_feed", FRESHNESS_TEST, "updated_at"),
            "attached_node": None,
            "depends_on": {"nodes": ["source.custseg.raw.fresh_feed"]},
        },
        _source("catalogue", no_freshness_test="a catalogue, no update time"),
        _source("stale_feed"),
        _test("quiet_warning", "good_mart", "not_null", "id", severity="warn"),
        _test(
            "explained_warning",
            "good_mart",
            "not_null",
            "id",
            severity="warn",
            meta={"rationale": "Doubtful but usable."},
        ),
    )
    found = offenders(manifest)
    expected = [
        "undocumented (models/intermediate/undocumented.sql): no description",
        "keyless (models/intermediate/keyless.sql): no primary-key test",
        "filtered_key (models/intermediate/filtered_key.sql): no primary-key test",
        "rules_only (models/intermediate/rules_only.sql): no primary-key test",
        "base_raw__terse (models/staging/raw/base/erasure/base_raw__terse.sql): no primary-key "
        "test",
        "int_exempt (models/intermediate/int_exempt.sql): meta.primary_key_exempt is allowed "
        "only on ephemeral base models",
        "int_exempt (models/intermediate/int_exempt.sql): no primary-key test",
        "loose_mart (models/marts/value/loose_mart.sql): mart without an enforced contract",
        "loose_mart (models/marts/value/loose_mart.sql): column amount has no data_type",
        "loose_mart (models/marts/value/loose_mart.sql): column amount has no description",
        "empty_mart (models/marts/value/empty_mart.sql): mart lists no columns",
        "quiet_warning (models/x.yml): severity warn without a rationale",
        "source raw.stale_feed (models/staging/raw/_raw__sources.yml): no fresh_as_of test",
    ]
    for line in expected:
        assert sum(offence.startswith(line) for offence in found) == 1, (line, found)
    assert len(found) == len(expected), found
    clean = ("good_mart", "pair_key", "rules_key", "erased_x", "fresh_feed", "catalogue")
    assert not any(name in "\n".join(found) for name in clean)
    assert "explained_warning" not in "\n".join(found)


def test_the_project_check_prints_its_offenders(manifest):
    """The failure message of the real check lists them all, one a line."""
    broken = json.loads(json.dumps(manifest))
    marts = [m for m in _models(broken) if m["original_file_path"].startswith(MARTS)]
    for model in marts[:3]:
        broken["nodes"][model["unique_id"]]["description"] = ""
    found = description_offenders(broken)
    assert [line.split(" ")[0] for line in found] == [m["name"] for m in marts[:3]]


def _macro(name: str, sql: str, *calls: str) -> dict:
    return {
        "unique_id": f"macro.custseg.{name}",
        "name": name,
        "macro_sql": sql,
        "depends_on": {"macros": [f"macro.custseg.{c}" for c in calls]},
    }


def _unit_test(name: str, model: str, **pinned: Any) -> dict:
    return {
        "unique_id": f"unit_test.custseg.{model}.{name}",
        "resource_type": "unit_test",
        "name": name,
        "original_file_path": "models/x.yml",
        "depends_on": {"macros": [], "nodes": [f"model.custseg.{model}"]},
        "overrides": {"macros": {}, "vars": pinned, "env_vars": {}} if pinned else None,
    }


def test_unit_tests_must_pin_every_var_their_model_reads_even_through_macros():
    """as_of_date read directly, through a macro and through a macro's macro; another var;
    a model without vars; every offender listed, each with how its model reads the var."""
    macros = [
        _macro("as_of_date_text", "{%- set d = var('as_of_date', '') -%}"),
        _macro("as_of_date", "cast('{{ as_of_date_text() }}' as date)", "as_of_date_text"),
        _macro("days_before_as_of", "{{ as_of_date() }} - 3", "as_of_date"),
        _macro("plain", "lower({{ x }})"),
    ]

    def model(name: str, code: str, *calls: str) -> dict:
        return _model(
            name,
            f"models/intermediate/{name}.sql",
            raw_code=code,
            depends_on={"macros": [f"macro.custseg.{c}" for c in calls], "nodes": []},
        )

    manifest = _manifest(
        model("direct", 'select {{ var("as_of_date") }} as d'),
        model("via_macro", "select {{ as_of_date() }} as d", "as_of_date"),
        model("via_two", "select {{ days_before_as_of(3) }}", "days_before_as_of", "plain"),
        model("currency", "select '{{ var('reporting_currency') }}'", "plain"),
        model("no_vars", "select {{ plain('a') }}", "plain"),
    )
    manifest["macros"] = {m["unique_id"]: m for m in macros}
    manifest["unit_tests"] = {
        u["unique_id"]: u
        for u in [
            _unit_test("test_direct_unpinned", "direct"),
            _unit_test("test_direct_pinned", "direct", as_of_date="2003-01-03"),
            _unit_test("test_via_macro_unpinned", "via_macro", reporting_currency="EUR"),
            _unit_test("test_via_two_unpinned", "via_two"),
            _unit_test("test_via_two_pinned", "via_two", as_of_date="1999-12-31"),
            _unit_test("test_currency_unpinned", "currency", as_of_date="2024-01-01"),
            _unit_test("test_no_vars", "no_vars"),
        ]
    }
    found = unit_test_var_offenders(manifest)
    assert found == [
        "unit test test_currency_unpinned (models/x.yml): model currency reads var "
        "reporting_currency (through its code) but the test does not pin it under overrides: "
        "vars:",
        "unit test test_direct_unpinned (models/x.yml): model direct reads var as_of_date "
        "(through its code) but the test does not pin it under overrides: vars:",
        "unit test test_via_macro_unpinned (models/x.yml): model via_macro reads var "
        "as_of_date (through macro as_of_date -> as_of_date_text) but the test does not pin it "
        "under overrides: vars:",
        "unit test test_via_two_unpinned (models/x.yml): model via_two reads var as_of_date "
        "(through macro days_before_as_of -> as_of_date -> as_of_date_text) but the test does "
        "not pin it under overrides: vars:",
    ]
    assert set(found) <= set(offenders(manifest))


def test_the_unit_test_check_sees_the_models_that_read_as_of_date(manifest):
    """Models known (from their SQL) to call as_of_date() or days_before_as_of() are seen to
    read as_of_date, and every unit test of them pins it."""
    macros = manifest["macros"]
    reads = {}
    for unit_test in manifest["unit_tests"].values():
        (model_id,) = unit_test["depends_on"]["nodes"]
        model = manifest["nodes"][model_id]
        reads[model["name"]] = _vars_read(model["raw_code"], model["depends_on"]["macros"], macros)
        pinned = (unit_test.get("overrides") or {}).get("vars") or {}
        if "as_of_date" in reads[model["name"]]:
            assert "as_of_date" in pinned, unit_test["name"]
    for name in (
        "int_web_visitors_identified",
        "int_customer_rfm_snapshots",
        "int_customers_consents_pivoted",
        "int_customers_banded",
        "customer_lead_scores",
        "int_orders_enriched",
    ):
        assert "as_of_date" in reads[name], (name, reads[name])
    assert "as_of_date" not in reads["int_rfm_cells_segmented"]
    assert reads["int_customer_ids_resolved"]["merge_contacts_by_email"] == "its code"


def test_the_flow_check_names_every_model_that_reads_a_later_layer():
    """staging -> intermediate -> marts: an intermediate reading a mart and a staging model
    reading an intermediate are offenders; a mart reading an intermediate, a mart or a
    seed, an intermediate reading staging, are not."""

    def model(name: str, path: str, *parents: str) -> dict:
        return _model(name, path, depends_on={"macros": [], "nodes": list(parents)})

    manifest = _manifest(
        model("stg_a", "models/staging/raw/stg_a.sql"),
        model("stg_b", "models/staging/raw/stg_b.sql", "model.custseg.int_x"),
        model("int_x", "models/intermediate/x/int_x.sql", "model.custseg.stg_a"),
        model(
            "int_y",
            "models/intermediate/x/int_y.sql",
            "model.custseg.int_x",
            "model.custseg.fct_a",
            "model.custseg.dim_b",
        ),
        model("fct_a", "models/marts/core/fct_a.sql", "model.custseg.int_x", "seed.custseg.s"),
        model("dim_b", "models/marts/core/dim_b.sql", "model.custseg.fct_a"),
    )
    manifest["nodes"]["seed.custseg.s"] = {
        "unique_id": "seed.custseg.s",
        "resource_type": "seed",
        "original_file_path": "seeds/s.csv",
    }
    found = flow_offenders(manifest)
    assert [
        line.split(": reads ")[0] + " -> " + line.split(": reads ")[1].split(" ")[0]
        for line in found
    ] == [
        "int_y (models/intermediate/x/int_y.sql) -> dim_b",
        "int_y (models/intermediate/x/int_y.sql) -> fct_a",
        "stg_b (models/staging/raw/stg_b.sql) -> int_x",
    ]
    assert set(found) <= set(offenders(manifest))


def test_no_intermediate_reads_a_mart(manifest):
    """The rule on this project, with a check that it sees the intermediates' parents."""
    found = flow_offenders(manifest)
    assert not found, "\n".join(found)
    nodes = manifest["nodes"]
    history = nodes["model.custseg.int_customers_order_history"]
    assert "model.custseg.int_orders_enriched" in history["depends_on"]["nodes"]
    assert _layer(nodes["model.custseg.fct_orders"]) == 2
