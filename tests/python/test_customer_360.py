"""Customer 360 on generated data: identity merging, PII confinement, matchable hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import duckdb
import pandas as pd
import pytest

from custseg.generate import persona_assignment


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
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in columns:
        tables.setdefault((schema, table), []).append(column)
    for (schema, table), names in tables.items():  # one scan per table, every text column
        labels = ", ".join(f"'{name}'" for name in names)
        cells = ", ".join(f'"{name}"' for name in names)
        values = messy_build.query(
            f"select distinct * from (select unnest([{labels}]) as column_name, "
            f"unnest([{cells}]) as value from {schema}.{table})"
        )
        leaked = [(c, v) for c, v in values if v is not None and EMAIL.search(v)]
        assert not leaked, f"{schema}.{table} holds emails, e.g. {leaked[:2]}"


# ----------------------------------------------------------------- dim_customers carries signal
@pytest.fixture(scope="module")
def customers_with_personas(messy_raw, messy_build):
    """dim_customers with each customer's hidden generator persona (never in the data)."""
    _, manifest = messy_raw
    personas = persona_assignment(
        manifest["customers"], manifest["seed"], dt.date.fromisoformat(manifest["as_of"])
    )
    with duckdb.connect(str(messy_build.path), read_only=True) as connection:
        dim = connection.execute("select * from marts.dim_customers").df()
    dim["persona"] = dim["customer_id"].map(personas)
    assert dim["persona"].notna().all()
    return dim


def test_dim_customers_has_one_row_per_surviving_customer(messy_build):
    ((rows, distinct, survivors),) = messy_build.query(
        "select count(*), count(distinct customer_id), "
        "(select count(*) from intermediate.int_customer_ids_resolved where is_survivor) "
        "from marts.dim_customers"
    )
    assert rows == distinct == survivors


def test_app_users_browse_on_mobile_more_than_desktop_users(customers_with_personas):
    dim = customers_with_personas
    app = dim[dim["app_usage"].isin(["app", "app_and_web"])]["mobile_session_share"]
    desktop = dim[dim["primary_device_type"] == "desktop"]["mobile_session_share"]
    assert len(app) > 50 and len(desktop) > 50
    assert app.astype(float).mean() > desktop.astype(float).mean() + 0.3


def test_personas_show_in_behaviour_value_and_firmographics(customers_with_personas):
    dim = customers_with_personas
    by = dim.groupby("persona")

    def mean(column: str) -> pd.Series:
        return by[column].apply(lambda s: s.astype(float).mean())

    # churned customers have not bought for long and are rarely around
    days = mean("days_since_last_purchase")
    assert days["churned"] > 2 * days["loyal_big_spender"]
    assert days["churned"] > days["regular"]
    sessions = mean("sessions_90d")
    assert sessions["churned"] < sessions["new_customer"]
    assert sessions["churned"] < sessions["window_shopper"]
    # window shoppers browse and abandon carts but rarely buy
    purchases = mean("purchase_count")
    buyers = purchases.drop(["window_shopper", "b2b_prospect"])
    assert purchases["window_shopper"] < 0.5 * buyers.min()
    abandoned = mean("abandoned_carts_90d")
    assert abandoned["window_shopper"] > abandoned.drop("window_shopper").max()
    # loyal big spenders are worth most and join the loyalty programme
    revenue = by["historical_clv"].apply(lambda s: s.astype(float).fillna(0).mean())
    assert revenue["loyal_big_spender"] == revenue.drop("b2b_buyer").max()
    assert revenue["loyal_big_spender"] > 3 * revenue["one_time_buyer"]
    loyalty = mean("is_loyalty_member")
    assert loyalty["loyal_big_spender"] == loyalty.max()
    # bargain hunters click their emails
    clicks = mean("email_click_rate_90d")
    assert clicks["bargain_hunter"] > clicks["one_time_buyer"]
    # B2B personas are business contacts and work at a desk; B2C ones are not
    b2b = mean("is_b2b")
    assert b2b[["b2b_buyer", "b2b_prospect"]].min() > 0.95
    assert b2b.drop(["b2b_buyer", "b2b_prospect"]).max() < 0.05
    desktop = by["primary_device_type"].apply(lambda s: (s == "desktop").mean())
    assert desktop["b2b_buyer"] > desktop["bargain_hunter"] + 0.3
    # and their job titles map to roles
    roles = dim[dim["persona"] == "b2b_buyer"]["job_role"]
    assert roles.notna().mean() > 0.9 and (roles == "other").mean() < 0.1
