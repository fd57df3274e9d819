"""Audience files (issue 12, point 5): `custseg export` on a copy of the messy warehouse
built on two dates a month apart (later_builds), so that segments have members who joined
and left between the builds.

The oracle is computed from dim_customers, segment_memberships and
segment_membership_history, not from audience_exports' own channel filters."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import AS_OF, environment
from custseg import activation, cli

# Each tool's contact-import columns, from its documentation: Mailchimp's import needs an
# "Email Address" column and maps "First Name", "Last Name" and "Tags"; HubSpot's contact
# import maps "Email", "First Name" and "Last Name" to its default properties.
MAILCHIMP = ["Email Address", "First Name", "Last Name", "Tags"]
HUBSPOT = ["Email", "First Name", "Last Name", "Segment"]


@pytest.fixture(scope="module")
def warehouse_copy(later_builds, tmp_path_factory) -> Path:
    _, build, _ = later_builds
    path = tmp_path_factory.mktemp("activation") / "warehouse.duckdb"
    shutil.copy(build.path, path)
    return path


def export(warehouse_copy: Path, out: Path, *args: str) -> int:
    with environment(WAREHOUSE_PATH=str(warehouse_copy)):
        return cli.main(["export", *args, "--out", str(out)])


def query(path: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def allowed_emails(path: Path, segment: str) -> tuple[set[str], dict[str, int]]:
    """The segment's current members who may get marketing e-mail (consent granted, never
    unsubscribed or bounced, an address) and are not in its holdout; and how many members
    each reason kept out."""
    rows = query(
        path,
        """
        select pii.email, customers.has_email_marketing_consent,
            customers.has_unsubscribed_from_email, customers.has_email_bounced,
            coalesce(holdout.is_holdout, false)
        from marts.segment_memberships as members
        inner join marts.dim_customers as customers on members.customer_id = customers.customer_id
        inner join restricted.customer_pii as pii on members.customer_id = pii.customer_id
        left join (select distinct customer_id, is_holdout from marts.audience_exports
                   where segment_id = $1) as holdout
            on members.customer_id = holdout.customer_id
        where members.segment_id = $1
        """,
        [segment],
    )
    reasons = {"no consent": 0, "unsubscribed": 0, "bounced": 0, "holdout": 0, "no address": 0}
    allowed = set()
    for email, consent, unsubscribed, bounced, holdout in rows:
        if not consent:
            reasons["no consent"] += 1
        elif unsubscribed:
            reasons["unsubscribed"] += 1
        elif bounced:
            reasons["bounced"] += 1
        elif email is None:
            reasons["no address"] += 1
        elif holdout:
            reasons["holdout"] += 1
        else:
            allowed.add(email)
    return allowed, reasons


def _largest_segment(path: Path) -> str:
    ((segment,),) = query(
        path,
        "select segment_id from marts.segment_memberships group by 1 order by count(*) desc"
        " limit 1",
    )
    return segment


def test_a_mailchimp_file_holds_exactly_the_consented_non_holdout_members(warehouse_copy, tmp_path):
    segment = _largest_segment(warehouse_copy)
    assert export(warehouse_copy, tmp_path, "--segment", segment, "--channel", "email",
                  "--format", "mailchimp") == 0  # fmt: skip
    (path,) = tmp_path.glob("*.csv")
    header, rows = read_csv(path)
    assert header == MAILCHIMP
    allowed, reasons = allowed_emails(warehouse_copy, segment)
    # every reason to keep someone out occurs in this segment, so a file that ignored one
    # of them would hold people it must not
    assert all(reasons[r] > 0 for r in ("no consent", "unsubscribed", "bounced", "holdout")), (
        reasons
    )
    assert {row["Email Address"] for row in rows} == allowed
    assert len(rows) == len(allowed) and {row["Tags"] for row in rows} == {segment}
    names = dict(query(warehouse_copy, "select email, first_name from restricted.customer_pii"))
    assert all(row["First Name"] == (names[row["Email Address"]] or "") for row in rows)


def test_hubspot_sms_and_ads_files_carry_their_tools_columns(warehouse_copy, tmp_path):
    segment = _largest_segment(warehouse_copy)
    for channel, fmt in (("email", "hubspot"), ("sms", "csv"), ("ads", "parquet")):
        assert export(warehouse_copy, tmp_path / fmt, "--segment", segment,
                      "--channel", channel, "--format", fmt) == 0  # fmt: skip
    header, hubspot = read_csv(next((tmp_path / "hubspot").glob("*.csv")))
    assert header == HUBSPOT and {row["Segment"] for row in hubspot} == {segment}
    allowed, _ = allowed_emails(warehouse_copy, segment)
    assert {row["Email"] for row in hubspot} == allowed
    header, sms = read_csv(next((tmp_path / "csv").glob("*.csv")))
    assert header == ["customer_id", "phone", "segment_id", "as_of_date"]
    consented = {
        customer
        for (customer,) in query(
            warehouse_copy,
            "select members.customer_id from marts.segment_memberships as members"
            " inner join marts.dim_customers as customers using (customer_id)"
            " inner join restricted.customer_pii as pii using (customer_id)"
            " where members.segment_id = $1 and customers.has_sms_marketing_consent"
            " and pii.phone is not null",
            [segment],
        )
    }
    assert sms and {row["customer_id"] for row in sms} <= consented
    ads = pq.read_table(next((tmp_path / "parquet").glob("*.parquet"))).to_pylist()
    assert ads and set(ads[0]) == {"customer_id", "email_sha256", "segment_id", "as_of_date"}
    emails = dict(query(warehouse_copy, "select customer_id, email from restricted.customer_pii"))
    for row in ads:
        expected = hashlib.sha256(emails[row["customer_id"]].encode()).hexdigest()
        assert row["email_sha256"] == expected and "@" not in "".join(map(str, row.values()))


def test_changes_since_the_first_build_are_the_membership_histories_spells(
    warehouse_copy, later_builds, tmp_path
):
    later, _, _ = later_builds
    ((segment, joined, left),) = query(
        warehouse_copy,
        """
        select segment_id, count(*) filter (where entered_on > $1 and exited_on is null),
            count(*) filter (where exited_on > $1)
        from marts.segment_membership_history group by 1
        order by least(count(*) filter (where entered_on > $1 and exited_on is null),
                       count(*) filter (where exited_on > $1)) desc
        limit 1
        """,
        [AS_OF],
    )
    assert joined > 0 and left > 0
    assert export(warehouse_copy, tmp_path, "--segment", segment, "--channel", "email",
                  "--format", "csv", "--changes-since", AS_OF.isoformat()) == 0  # fmt: skip
    (adds,) = tmp_path.glob("*__adds_since_*.csv")
    (removes,) = tmp_path.glob("*__removes_since_*.csv")
    added = {row["customer_id"] for row in read_csv(adds)[1]}
    removed = {row["customer_id"] for row in read_csv(removes)[1]}
    history = query(
        warehouse_copy,
        "select customer_id, entered_on, exited_on from marts.segment_membership_history"
        " where segment_id = $1",
        [segment],
    )
    entered = {c for c, start, end in history if start > AS_OF and end is None}
    exited = {c for c, _, end in history if end is not None and end > AS_OF} - {
        c for c, _, end in history if end is None
    }
    sendable = {
        c for (c,) in query(
            warehouse_copy,
            "select customer_id from marts.audience_exports where segment_id = $1"
            " and channel = 'email' and not is_holdout",
            [segment],
        )
    }  # fmt: skip
    assert added == entered & sendable and added
    with_pii = {
        c for (c,) in query(warehouse_copy, "select customer_id from restricted.customer_pii")
    }
    erased = exited - with_pii
    assert removed == exited - erased and removed
    log = query(
        warehouse_copy,
        f"select kind, as_of_date, changes_since, row_count from {activation.LOG_TABLE}"
        " where segment_id = $1 and changes_since is not null",
        [segment],
    )
    assert sorted(log) == [("adds", later, AS_OF, len(added)), ("removes", later, AS_OF,
                                                                 len(removed))]  # fmt: skip


def test_the_export_log_records_every_file_and_no_address(warehouse_copy, tmp_path):
    segment = _largest_segment(warehouse_copy)
    before = query(warehouse_copy, f"select count(*) from {activation.LOG_TABLE}")[0][0]
    assert export(warehouse_copy, tmp_path, "--segment", segment, "--channel", "email",
                  "--format", "mailchimp") == 0  # fmt: skip
    assert export(warehouse_copy, tmp_path, "--segment", segment, "--channel", "email",
                  "--format", "mailchimp", "--changes-since", "last") == 0  # fmt: skip
    rows = query(
        warehouse_copy,
        f"select * from {activation.LOG_TABLE} order by exported_at",
    )
    assert len(rows) == before + 3  # the whole audience, then adds and removes
    assert not any("@" in str(value) for row in rows for value in row)
    *_, full, adds, removes = rows
    assert full[4] == "audience" and Path(full[8]).exists()
    assert full[7] == len(read_csv(Path(full[8]))[1])
    # "last": since the previous export of this segment and channel, the same build date
    assert (adds[4], adds[6], adds[7], removes[4], removes[7]) == ("adds", full[5], 0, "removes", 0)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--segment", "funel_customer", "--channel", "email", "--format", "csv"],
         "did you mean funnel_customer?"),
        (["--segment", "funnel_customer", "--channel", "sms", "--format", "mailchimp"],
         "format mailchimp imports e-mail contacts"),
        (["--segment", "funnel_customer", "--channel", "email", "--format", "csv",
          "--changes-since", "yesterday"], "a date YYYY-MM-DD or 'last'"),
    ],
)  # fmt: skip
def test_a_request_that_cannot_be_exported_says_why(warehouse_copy, tmp_path, capsys, args, words):
    assert export(warehouse_copy, tmp_path, *args) == 2
    assert words in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
