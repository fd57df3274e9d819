"""The segment compiler: shipped segments on generated data, validation errors that name
the segment, and definitions that try to inject SQL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import AS_OF
from custseg import warehouse

PROJECT = warehouse.project_dir()
DEFINITIONS = Path("models/marts/segments/_segment_definitions.yml")
RARE = {"women_under_40_solo_business", "small_social_media_agencies"}


def test_memberships_are_customers_and_exclusive_groups_hold(messy_build):
    ((orphans,),) = messy_build.query(
        "select count(*) from marts.segment_memberships m "
        "left join marts.dim_customers c using (customer_id) where c.customer_id is null"
    )
    assert orphans == 0
    ((overlaps,),) = messy_build.query(
        "select count(*) from (select customer_id from marts.segment_memberships m "
        "join marts.dim_segments s using (segment_id) where s.exclusive_group = 'funnel' "
        "group by customer_id having count(*) > 1)"
    )
    assert overlaps == 0
    # every customer is at exactly one funnel stage, and RFM segments mirror customer_rfm
    ((funnel,), (customers,)) = messy_build.query(
        "select count(*) from marts.segment_memberships where segment_id like 'funnel_%' "
        "union all select count(*) from marts.dim_customers"
    )
    assert funnel == customers
    rfm = dict(
        messy_build.query(
            "select segment_id, count(*) from marts.segment_memberships "
            "where segment_id like 'rfm_%' group by segment_id"
        )
    )
    expected = dict(
        messy_build.query(
            "select 'rfm_' || replace(replace(lower(rfm_segment), '''', ''), ' ', '_'), count(*) "
            "from marts.customer_rfm group by 1"
        )
    )
    assert rfm == expected


def test_rules_select_the_customers_they_describe(messy_build):
    def members(segment_id: str) -> set[str]:
        return {
            r[0]
            for r in messy_build.query(
                "select customer_id from marts.segment_memberships where segment_id = ?",
                [segment_id],
            )
        }

    def where(condition: str) -> set[str]:
        return {
            r[0]
            for r in messy_build.query(
                f"select customer_id from marts.dim_customers where {condition}"
            )
        }

    assert members("us_west_coast") == where(
        "country_code = 'US' and region in ('California', 'Oregon', 'Washington')"
    )
    assert members("adventure_travellers") == where(
        "list_has_any(string_split(interests, '|'), ['adventure_travel', 'outdoor'])"
    )
    assert members("cart_abandoners_14d") == where(
        f"abandoned_carts_30d > 0 and cast(last_visit_at as date) > date '{AS_OF}' - 14"
    )
    assert members("browsers_never_bought") == where("sessions_90d > 0 and not has_purchased")
    assert members("small_social_media_agencies") == where(
        "industry = 'marketing_agency' and company_size < 10 and (job_role = 'social_media' "
        "or list_contains(string_split(interests, '|'), 'social_media'))"
    )
    assert members("small_social_media_agencies") <= members("marketing_agencies")


def test_shipped_segments_have_members_and_cover_every_model(messy_build):
    sizes = dict(
        messy_build.query(
            "select s.segment_id, count(m.customer_id) from marts.dim_segments s "
            "left join marts.segment_memberships m using (segment_id) group by 1"
        )
    )
    models = {r[0] for r in messy_build.query("select segmentation_model from marts.dim_segments")}
    assert len(sizes) >= 30
    assert models == {
        "demographic", "geographic", "psychographic", "technographic", "behavioral", "needs",
        "value", "firmographic", "situational", "lifecycle", "micro",
    }  # fmt: skip
    empty = {s for s, n in sizes.items() if n == 0} - RARE
    # RFM cells no customer falls in on small data are allowed to be empty
    assert {s for s in empty if not s.startswith("rfm_")} <= {"valuable_at_risk"}


# ------------------------------------------------------------------ validation
@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("python"))
    return root


def compile_with(project: Path, extra: list[dict]):
    path = project / DEFINITIONS
    original = (PROJECT / DEFINITIONS).read_text(encoding="utf-8")
    document = yaml.safe_load(original)
    document["models"][0]["config"]["meta"]["segment_definitions"] += extra
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    previous = os.environ.get("CUSTSEG_PROJECT_DIR")
    os.environ["CUSTSEG_PROJECT_DIR"] = str(project)
    # named like the messy warehouse, so the compiled SQL runs against it
    os.environ["WAREHOUSE_PATH"] = str(project / "messy.duckdb")
    try:
        return warehouse.run_dbt(
            ["compile", "--select", "dim_segments", "segment_memberships"],
            {"as_of_date": AS_OF.isoformat()},
        )
    finally:
        if previous is None:
            os.environ.pop("CUSTSEG_PROJECT_DIR", None)
        else:
            os.environ["CUSTSEG_PROJECT_DIR"] = previous
        os.environ.pop("WAREHOUSE_PATH", None)


def segment(segment_id: str, rule: dict) -> dict:
    return {
        "id": segment_id,
        "name": segment_id,
        "description": "test",
        "owner": "test",
        "model": "micro",
        "type": "active",
        "rule": rule,
    }


INVALID = [
    (segment("bad_field", {"field": "email", "op": "=", "value": "x"}), 'unknown field "email"'),
    (
        segment("injected_field", {"field": "1=1 or email", "op": "=", "value": "x"}),
        'unknown field "1=1 or email"',
    ),
    (
        segment("bad_operator", {"field": "age", "op": "contains", "value": "4"}),
        "operator \"contains\" is not allowed for number field 'age'",
    ),
    (
        segment("bad_value", {"field": "age", "op": "<", "value": "forty"}),
        'needs a number, got "forty"',
    ),
    (
        segment("bad_boolean", {"field": "has_purchased", "op": "=", "value": "yes"}),
        "needs true or false",
    ),
    (
        segment("empty_list", {"field": "gender", "op": "in", "value": []}),
        "needs a non-empty list",
    ),
    (
        segment("bad_reference", {"op": "in_segment", "value": "no_such_segment"}),
        'unknown segment "no_such_segment"',
    ),
    (segment("young_adults", {"field": "age", "op": ">", "value": 1}), "duplicate id"),
    (
        segment("bad_days", {"field": "last_visit_at", "op": "within_last_days", "value": 0}),
        "needs a whole number of days >= 1",
    ),
]


@pytest.mark.parametrize(("definition", "message"), INVALID, ids=[d["id"] for d, _ in INVALID])
def test_invalid_definitions_fail_naming_the_segment(project_copy, definition, message):
    result = compile_with(project_copy, [definition])
    assert not result.success
    failures = "\n".join(result.failures())
    assert f"Segment '{definition['id']}'" in failures, failures
    assert message in failures, failures


def test_cyclic_references_are_an_error(project_copy):
    result = compile_with(
        project_copy,
        [
            segment("cycle_a", {"op": "in_segment", "value": "cycle_b"}),
            segment("cycle_b", {"not": {"op": "in_segment", "value": "cycle_a"}}),
        ],
    )
    assert not result.success
    assert "cyclic segment reference among cycle_a, cycle_b" in "\n".join(result.failures())


INJECTIONS = [
    "x'); drop table dim_customers; --",
    "x' or '1'='1",
    "x\\' or 1=1 --",
    "'; select * from restricted.customer_pii; --",
]


def test_injection_attempts_stay_literals(project_copy, messy_build):
    extra = [
        segment(f"injection_{i}", {"field": "city", "op": "=", "value": value})
        for i, value in enumerate(INJECTIONS)
    ] + [
        segment(
            "injection_list",
            {"field": "interests", "op": "contains_any", "value": ["x' or 1=1 --", "y"]},
        )
    ]
    result = compile_with(project_copy, extra)
    assert result.success, result.failures()
    compiled = next(
        (project_copy / "target" / "compiled").rglob("segment_memberships.sql")
    ).read_text(encoding="utf-8")
    with duckdb.connect(str(messy_build.path), read_only=True) as connection:
        rows = connection.execute(compiled).fetchall()
    found = {segment_id for segment_id, _, _ in rows}
    assert not {s for s in found if s.startswith("injection")}
    assert "young_adults" in found  # the query ran and other segments kept their members


# ------------------------------------------------------------------ activation
def test_holdout_is_a_stable_hash_near_the_configured_share(messy_build):
    import hashlib

    rows = messy_build.query(
        "select segment_id, customer_id, is_holdout from marts.audience_exports"
    )
    assert len(rows) > 2000
    for segment_id, customer_id, is_holdout in rows:
        digest = hashlib.md5(f"{customer_id}|{segment_id}".encode()).hexdigest()
        assert is_holdout == (int(digest[:15], 16) % 10000 < 1000)
    share = sum(r[2] for r in rows) / len(rows)
    assert abs(share - 0.10) <= 0.02


def test_exports_respect_consent_and_carry_the_email_hash(messy_build):
    ((unconsented,),) = messy_build.query(
        "select count(*) from marts.audience_exports e join marts.dim_customers c "
        "using (customer_id) where (e.channel = 'email' and (not c.has_email_marketing_consent "
        "or c.has_unsubscribed_from_email or c.has_email_bounced)) "
        "or (e.channel = 'sms' and not c.has_sms_marketing_consent) "
        "or (e.channel = 'paid_media' and not c.has_personalized_ads_consent)"
    )
    assert unconsented == 0
    ((wrong_hash,),) = messy_build.query(
        "select count(*) from marts.audience_exports e join restricted.customer_pii p "
        "using (customer_id) where e.email_sha256 <> sha256(p.email)"
    )
    assert wrong_hash == 0
    # members without email consent exist, and are not exported on email
    ((left_out,),) = messy_build.query(
        "select count(*) from marts.segment_memberships m join marts.dim_customers c "
        "using (customer_id) where not c.has_email_marketing_consent"
    )
    assert left_out > 0


def test_segment_sizes_accumulate_over_builds_and_rebuilds_are_idempotent(
    messy_raw, messy_build, tmp_path
):
    import datetime as dt

    from conftest import run_dbt

    raw, _ = messy_raw
    copy = tmp_path / "messy.duckdb"
    shutil.copy(messy_build.path, copy)
    later = (AS_OF + dt.timedelta(days=31)).isoformat()
    for _ in range(2):
        build = run_dbt(
            copy,
            raw,
            ["build", "--select", "+segment_sizes", "--exclude", "resource_type:seed"],
            as_of_date=later,
        )
        assert build.result.success, build.result.failures()
    counts = dict(build.query("select as_of_date, count(*) from marts.segment_sizes group by 1"))
    segments = build.query("select count(*) from marts.dim_segments")[0][0]
    assert counts == {AS_OF: segments, dt.date.fromisoformat(later): segments}
