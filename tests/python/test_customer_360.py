"""Customer 360 on generated data: identity merging, PII confinement, matchable hashes."""

from __future__ import annotations

import hashlib
import re

import pandas as pd


def test_email_hashes_are_sha256_of_the_normalised_email(messy_build):
    rows = messy_build.query(
        "select email, email_sha256 from restricted.customer_pii where email is not null"
    )
    assert len(rows) > 1000
    for email, digest in rows:
        assert email == email.strip().lower()
        assert digest == hashlib.sha256(email.encode("utf-8")).hexdigest()


def test_contacts_sharing_an_email_follow_the_first_created(messy_build):
    staged = pd.DataFrame(
        messy_build.query(
            "select customer_id, email, created_at from staging.stg_raw__customers "
            "where email is not null"
        ),
        columns=["customer_id", "email", "created_at"],
    )
    erased = {
        r[0] for r in messy_build.query("select customer_id from staging.stg_raw__erasure_requests")
    }
    erased_emails = set(staged.loc[staged.customer_id.isin(erased), "email"])
    expected = {}
    for _email, group in staged[~staged.email.isin(erased_emails)].groupby("email"):
        survivor = group.sort_values(["created_at", "customer_id"]).customer_id.iloc[0]
        expected.update({customer_id: survivor for customer_id in group.customer_id})
    resolved = dict(
        messy_build.query(
            "select customer_id, surviving_customer_id from intermediate.int_customer_ids_resolved "
            "where customer_id in (select customer_id from staging.stg_raw__customers "
            "where email is not null)"
        )
    )
    assert resolved == expected
    merged = sum(1 for customer_id, survivor in expected.items() if customer_id != survivor)
    assert merged > 5, "the generator writes duplicate contacts"


def test_orders_of_merged_contacts_follow_the_survivor(messy_build):
    ((moved,),) = messy_build.query(
        "select count(*) from marts.fct_orders where customer_id <> source_customer_id"
    )
    assert moved > 0
    ((wrong,),) = messy_build.query(
        "select count(*) from marts.fct_orders as orders "
        "inner join intermediate.int_customer_ids_resolved as ids "
        "on orders.source_customer_id = ids.customer_id "
        "where orders.customer_id <> ids.surviving_customer_id"
    )
    assert wrong == 0


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)


def test_no_mart_outside_the_restricted_schema_holds_an_email(messy_build):
    columns = messy_build.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    )
    assert columns
    for schema, table, column in columns:
        values = messy_build.query(f'select distinct "{column}" from {schema}.{table}')
        leaked = [v for (v,) in values if v is not None and EMAIL.search(v)]
        assert not leaked, f"{schema}.{table}.{column} holds emails, e.g. {leaked[:2]}"
