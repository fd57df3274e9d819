"""dbt docs that explain the project (issue 12, point 3): the overview page, groups with
owners, exposures for the report, the audience files, the semantic layer and the served
marts, and one page per segment (its audience exposure) with its rule as text: the text
the compiler writes into dim_segments.rule_text, not the JSON of the definitions."""

from __future__ import annotations

import json

import yaml

from custseg import cli, warehouse

EXPOSURES = warehouse.project_dir() / cli.SEGMENT_EXPOSURES


def _manifest() -> dict:
    return json.loads((warehouse.target_dir() / "manifest.json").read_text(encoding="utf-8"))


def test_the_committed_segment_pages_match_the_definitions(messy_build, capsys):
    """`custseg docs --check` renders the exposures from the definitions now and compares."""
    assert cli.main(["docs", "--check"]) == 0, capsys.readouterr().err


def test_each_segment_page_shows_its_compiled_rule_as_text(messy_build):
    exposures = {e["name"]: e for e in yaml.safe_load(EXPOSURES.read_text())["exposures"]}
    segments = messy_build.query("select segment_id, segment_name, segment_owner, rule_text"
                                 " from marts.dim_segments")  # fmt: skip
    assert len(segments) >= 40 and len(exposures) == len(segments)
    for segment_id, name, owner, rule_text in segments:
        page = exposures[f"audience_{segment_id}"]
        assert f"Rule: `{rule_text}`" in page["description"], segment_id
        assert "{" not in rule_text and page["owner"]["name"] == owner
        assert page["label"] == f"Audience: {name}"
        assert f"custseg export --segment {segment_id} " in page["description"]


def test_overview_groups_and_exposures_are_in_the_manifest(messy_build):
    manifest = _manifest()
    overview = manifest["docs"]["doc.custseg.__overview__"]["block_contents"]
    assert "## Start here" in overview and "## How segments work" in overview
    groups = manifest["groups"]
    assert {g["name"] for g in groups.values()} == {"data_platform", "customer_analytics",
                                                    "marketing"}  # fmt: skip
    assert all(g["owner"].get("email") for g in groups.values())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert all(node["group"] for node in models.values()), [
        name for name, node in models.items() if not node["group"]]  # fmt: skip
    assert models["customer_pii"]["group"] == "data_platform"
    assert models["segment_memberships"]["group"] == "marketing"
    assert models["dim_customers"]["group"] == "customer_analytics"
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    for name in ("segment_report", "audience_files", "semantic_layer", "served_marts"):
        assert exposures[name]["depends_on"]["nodes"], name
    audiences = [e for e in exposures.values() if e["name"].startswith("audience_")
                 and e["name"] != "audience_files"]  # fmt: skip
    assert all("model.custseg.audience_exports" in e["depends_on"]["nodes"] for e in audiences)
