"""The segment compiler: shipped segments on generated data, validation errors that name
the segment, and definitions that try to inject SQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import AS_OF, environment, run_dbt
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
    assert members("small_social_media_agencies") <= members("b2b_marketing_agencies")


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
    # every RFM segment is reachable despite frequency ties (seed rfm_segments); only the
    # intersection of top CLV and high churn risk is too rare for 2,000 customers
    assert empty <= {"valuable_at_risk"}


# ------------------------------------------------------------------ validation
@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("python"))
    return root


def compile_with(project: Path, extra: list[dict], raw: Path):
    path = project / DEFINITIONS
    original = (PROJECT / DEFINITIONS).read_text(encoding="utf-8")
    document = yaml.safe_load(original)
    document["models"][0]["config"]["meta"]["segment_definitions"] += extra
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    # the warehouse is named like the messy one (every test's is warehouse.duckdb, in a folder
    # of its own), so the compiled SQL runs against it
    messy_named = str(project / "warehouse.duckdb")
    with environment(CUSTSEG_PROJECT_DIR=str(project), WAREHOUSE_PATH=messy_named):
        return warehouse.run_dbt(
            ["compile", "--select", "dim_segments", "segment_memberships"],
            {"as_of_date": AS_OF.isoformat(), "raw_path": str(raw)},
        )


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
    (
        segment("impossible_date", {"field": "customer_since", "op": ">", "value": "2026-02-30"}),
        "needs a date 'YYYY-MM-DD', got \"2026-02-30\"",
    ),
    (
        {**segment("static_undated", {"field": "age", "op": ">", "value": 1}), "type": "static"},
        "a static segment needs created_on",
    ),
    (
        {
            **segment("static_grouped", {"field": "age", "op": ">", "value": 1}),
            "type": "static",
            "created_on": "2026-01-01",
            "exclusive_group": "g",
        },
        "a static segment cannot be in an exclusive group",
    ),
    (
        segment("refers_to_static", {"op": "in_segment", "value": "spring_2026_catalogue"}),
        "in_segment may not refer to static segment 'spring_2026_catalogue'",
    ),
    (
        {**segment("typo_key", {"field": "age", "op": ">", "value": 1}), "exclusve_group": "g"},
        'unknown key "exclusve_group"',
    ),
    (
        {**segment("big_holdout", {"field": "age", "op": ">", "value": 1}), "holdout_percent": 150},
        "holdout_percent must be a number from 0 to 100",
    ),
]


@pytest.mark.parametrize(("definition", "message"), INVALID, ids=[d["id"] for d, _ in INVALID])
def test_invalid_definitions_fail_naming_the_segment(project_copy, tiny_raw, definition, message):
    result = compile_with(project_copy, [definition], tiny_raw)
    assert not result.success
    failures = "\n".join(result.failures())
    assert f"Segment '{definition['id']}'" in failures, failures
    assert message in failures, failures


def test_cyclic_references_are_an_error(project_copy, tiny_raw):
    result = compile_with(
        project_copy,
        [
            segment("cycle_a", {"op": "in_segment", "value": "cycle_b"}),
            segment("cycle_b", {"not": {"op": "in_segment", "value": "cycle_a"}}),
        ],
        tiny_raw,
    )
    assert not result.success
    assert "cyclic segment reference among cycle_a, cycle_b" in "\n".join(result.failures())


INJECTIONS = [
    "x'); drop table dim_customers; --",
    "x' or '1'='1",
    "x\\' or 1=1 --",
    "'; select * from restricted.customer_pii; --",
]


def test_injection_attempts_stay_literals(project_copy, tiny_raw, messy_build):
    extra = [
        segment(f"injection_{i}", {"field": "city", "op": "=", "value": value})
        for i, value in enumerate(INJECTIONS)
    ] + [
        segment(
            "injection_list",
            {"field": "interests", "op": "contains_any", "value": ["x' or 1=1 --", "y"]},
        )
    ]
    result = compile_with(project_copy, extra, tiny_raw)
    assert result.success, result.failures()
    compiled = next(
        (warehouse.target_dir(project_copy) / "compiled").rglob("segment_memberships.sql")
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


def test_history_spells_follow_memberships_and_rebuilds_are_idempotent(messy_build, later_builds):
    later, _, (first, second) = later_builds
    before = set(messy_build.query("select segment_id, customer_id from marts.segment_memberships"))
    after = first["members"]
    assert before - after and after - before  # members both left and joined
    expected = {(s, c, AS_OF, None if (s, c) in after else later) for s, c in before} | {
        (s, c, later, None) for s, c in after - before
    }
    assert first["history"] == expected
    assert second["history"] == first["history"]
    assert second["members"] == first["members"]


def test_an_earlier_as_of_date_is_rejected_and_changes_nothing(messy_raw, later_builds):
    raw, _ = messy_raw
    later, build, (_, second) = later_builds
    rejected = run_dbt(
        build.path, raw, ["run", "--select", "segment_membership_history"],
        as_of_date=AS_OF.isoformat(),
    )  # fmt: skip
    assert not rejected.result.success
    failures = "\n".join(rejected.result.failures())
    assert f"as_of_date {AS_OF} is earlier than {later}" in failures, failures
    history = set(
        build.query(
            "select segment_id, customer_id, entered_on, exited_on "
            "from marts.segment_membership_history"
        )
    )
    assert history == second["history"]


def test_static_segments_stay_frozen(messy_build, later_builds):
    later, build, (first, second) = later_builds
    frozen_then = set(
        messy_build.query(
            "select segment_id, customer_id from marts.segment_memberships "
            "where segment_id = 'spring_2026_catalogue'"
        )
    )
    assert frozen_then
    assert first["static"] == second["static"]
    assert {(s, c) for s, c, _ in first["static"] if c is not None} == frozen_then
    assert {frozen for _, _, frozen in first["static"]} == {AS_OF}
    # the rule alone would now select other customers; the static segment does not follow
    matching_now = set(
        build.query(
            "select 'spring_2026_catalogue', customer_id from marts.dim_customers "
            "where last_purchase_date > ? - 365 and has_email_marketing_consent",
            [later],
        )
    )
    members_now = {(s, c) for s, c in first["members"] if s == "spring_2026_catalogue"}
    customers_now = {c for (c,) in build.query("select customer_id from marts.dim_customers")}
    assert members_now == {(s, c) for s, c in frozen_then if c in customers_now}
    assert matching_now != members_now


def test_holdout_membership_is_stable_across_builds(messy_build, later_builds):
    _, _, (first, second) = later_builds
    before = dict(
        ((s, c), h)
        for s, c, h in messy_build.query(
            "select segment_id, customer_id, bool_or(is_holdout) "
            "from marts.audience_exports group by 1, 2"
        )
    )
    common = before.keys() & first["holdout"].keys()
    assert len(common) > 1000
    assert all(before[k] == first["holdout"][k] for k in common)
    assert second["holdout"] == first["holdout"]


def test_segment_sizes_accumulate_over_builds(later_builds):
    later, build, _ = later_builds
    counts = dict(build.query("select as_of_date, count(*) from marts.segment_sizes group by 1"))
    segments = build.query("select count(*) from marts.dim_segments")[0][0]
    assert counts == {AS_OF: segments, later: segments}
    # the later date's sizes are its memberships, the earlier date's were kept
    sizes = dict(
        build.query(
            "select segment_id, member_count from marts.segment_sizes where as_of_date = ?",
            [later],
        )
    )
    _, _, (first, _) = later_builds
    for segment_id, count in sizes.items():
        assert count == sum(1 for s, _ in first["members"] if s == segment_id), segment_id


def test_replay_backfills_history_from_a_full_refresh(monkeypatch, capsys):
    """custseg replay: a full-refresh build at the first date, then one build per later date
    (what later_builds does to the messy warehouse, end to end), each with its as_of_date
    and the user's vars; it publishes the served marts after the last date, and stops at
    the first failed date without publishing."""
    import datetime as dt

    from custseg import cli

    calls = []

    def fake_dbt(args, variables=None, target=None):
        calls.append((list(args), dict(variables or {}), target))
        failed = variables["as_of_date"] == failing
        return warehouse.DbtResult(not failed, list(args), None, [])

    monkeypatch.setattr(warehouse, "run_dbt", fake_dbt)
    monkeypatch.setattr(warehouse, "check_not_locked", lambda: None)
    published = []
    monkeypatch.setattr(cli, "_publish", lambda: published.append(len(calls)))
    failing = None
    start = AS_OF - dt.timedelta(days=61)
    arguments = ["replay", "--raw-path", "exports", "--from", str(start), "--to", str(AS_OF),
                 "--var", "segment_holdout_percent=5"]  # fmt: skip
    assert cli.main(arguments) == 0
    dates = ["2026-04-30", "2026-05-30", "2026-06-30"]  # monthly, the day of month kept
    assert [(args, v["as_of_date"]) for args, v, _ in calls] == [
        (["build", "--full-refresh"], dates[0]), (["build"], dates[1]), (["build"], dates[2]),
    ]  # fmt: skip
    exports = str(Path("exports").resolve())  # relative to where the command runs
    assert all(v["raw_path"] == exports and v["segment_holdout_percent"] == 5
               for _, v, _ in calls)  # fmt: skip
    assert "Replayed 3 dates, 2026-04-30 to 2026-06-30" in capsys.readouterr().out
    assert published == [3]  # the served marts once, after the last date
    calls.clear()
    failing = dates[1]
    assert cli.main(arguments) == 1
    assert [v["as_of_date"] for _, v, _ in calls] == dates[:2]
    assert published == [3]  # a failed replay publishes nothing


def test_a_later_build_extends_the_accumulating_marts(later_builds):
    """The state after the later build: both dates' sizes, entries on both dates, exits on
    the later one, and the static segment frozen on the first."""
    later, build, (first, _) = later_builds
    dates = build.query("select distinct as_of_date from marts.segment_sizes order by 1")
    entered = {entered for _, _, entered, _ in first["history"]}
    exited = sum(1 for *_, exited in first["history"] if exited == later)
    assert dates == [(AS_OF,), (later,)]
    assert entered == {AS_OF, later} and exited > 0
    # created_on 2026-03-01 <= the first date: frozen then, kept a month later
    assert {frozen for _, _, frozen in first["static"]} == {AS_OF}


def test_segment_performance_matches_a_recount(messy_build):
    import datetime as dt
    import hashlib

    window = dt.timedelta(days=14)
    rows = messy_build.query(
        "select campaign_id, segment_id, members_targeted, holdout_members, treated_conversions,"
        " holdout_conversions, treated_revenue, open_rate, cost_per_acquisition, campaign_cost"
        " from marts.segment_performance"
    )
    campaigns = {
        c: (s, t)
        for c, s, t in messy_build.query(
            "select campaign_id, target_segment_id, started_at from staging.stg_raw__campaigns"
        )
    }
    members = {}
    for segment_id, customer_id in messy_build.query(
        "select segment_id, customer_id from marts.segment_memberships"
    ):
        members.setdefault(segment_id, set()).add(customer_id)
    purchases = messy_build.query(
        "select customer_id, ordered_at, order_total_reporting from marts.fct_orders "
        "where is_valid_purchase"
    )
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time())
    checked = 0
    for row in rows:
        campaign_id, segment_id, targeted, holdouts, treated, held, revenue, open_rate = row[:8]
        cpa, cost = row[8:]
        _, started = campaigns[campaign_id]
        audience = members.get(segment_id, set())  # one build: its date stands in
        in_holdout = {
            c for c in audience
            if int(hashlib.md5(f"{c}|{segment_id}".encode()).hexdigest()[:15], 16) % 10000 < 1000
        }  # fmt: skip
        converted = {}
        for customer_id, ordered_at, total in purchases:
            if customer_id in audience and started <= ordered_at < min(started + window, end):
                converted[customer_id] = converted.get(customer_id, 0) + total
        assert targeted == len(audience - in_holdout), campaign_id
        assert holdouts == len(in_holdout), campaign_id
        assert treated == len(converted.keys() - in_holdout), campaign_id
        assert held == len(converted.keys() & in_holdout), campaign_id
        assert revenue == sum(v for k, v in converted.items() if k not in in_holdout), campaign_id
        if treated:
            assert abs(float(cpa) - float(cost) / treated) <= 0.005, campaign_id
        (messages,) = messy_build.query(
            "select count(*) filter (where is_delivered), count(*) filter (where is_opened) "
            "from marts.fct_email_messages where campaign_id = ?",
            [campaign_id],
        )
        if messages[0]:
            assert open_rate == pytest.approx(messages[1] / messages[0]), campaign_id
        checked += bool(treated)
    assert len(rows) >= 10 and checked >= 5
