"""Tests of the synthetic raw-data generator (custseg.generate). All fast: small N."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from custseg import contract
from custseg.generate import generate, persona_assignment
from raw_files import erased_rows, read_all, read_strings

AS_OF = dt.date(2025, 6, 30)
N = 1500
SEED = 7
C = contract.load()
TABLES = list(C.tables)


# --------------------------------------------------------------------------- helpers
_TS = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_INT = re.compile(r"[+-]?\d+")
_DEC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_ts(value: str) -> dt.datetime | None:
    """An ISO-8601 timestamp as an aware UTC datetime, None if it does not parse."""
    m = _TS.fullmatch(value.strip())
    if not m:
        return None
    try:
        t = dt.datetime(*(int(g) for g in m.groups()[:6]))
    except ValueError:
        return None
    zone = m.group(8)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        t -= sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return t.replace(tzinfo=dt.UTC)


def _parses(value: str, base: str) -> bool:
    v = value.strip()
    if base == "integer":
        return bool(_INT.fullmatch(v))
    if base == "decimal":
        return bool(_DEC.fullmatch(v))
    if base == "boolean":
        return v.lower() in ("true", "false")
    if base == "date":
        m = _DATE.fullmatch(v)
        if not m:
            return False
        try:
            dt.date(*(int(g) for g in m.groups()))
        except ValueError:
            return False
        return True
    if base == "timestamp":
        return parse_ts(v) is not None
    return True


def row_reasons(df: pd.DataFrame, table: str) -> pd.Series:
    """First failing check per row in contract column order (None = valid)."""
    reason = pd.Series([None] * len(df), index=df.index, dtype=object)
    for name, col in C.tables[table].columns.items():
        s = df[name]
        present = s.map(lambda v: v is not None and str(v).strip() != "")
        checks = []
        if col.required:
            checks.append((f"missing_required:{name}", ~present))
        ok_type = s.map(
            lambda v, b=col.base_type: v is None or str(v).strip() == "" or _parses(str(v), b)
        )
        checks.append((f"bad_type:{name}", present & ~ok_type))
        if col.values is not None:
            allowed = {v.lower() for v in col.values}
            checks.append(
                (
                    f"bad_value:{name}",
                    present & ~s.map(lambda v, a=allowed: v is None or str(v).strip().lower() in a),
                )
            )
        if col.pattern is not None:
            checks.append(
                (
                    f"bad_value:{name}",
                    present
                    & ~s.map(
                        lambda v, p=col.pattern: (
                            v is None or re.fullmatch(p, str(v).strip()) is not None
                        )
                    ),
                )
            )
        if col.min is not None or col.max is not None or col.gt is not None:

            def out_of_range(v, c=col):
                if v is None or str(v).strip() == "":
                    return False
                try:
                    x = float(str(v).strip())
                except ValueError:
                    return False
                return (
                    (c.min is not None and x < c.min)
                    or (c.max is not None and x > c.max)
                    or (c.gt is not None and x <= c.gt)
                )

            checks.append((f"out_of_range:{name}", present & ok_type & s.map(out_of_range)))
        for label, mask in checks:
            hit = reason.isna() & mask
            reason[hit] = label
    return reason


def recount(frames: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Independent recount of the warehouse's staging steps 1-6 from the files."""
    result: dict[str, dict] = {}
    staged_keys: dict[str, set] = {}
    erased = erased_rows(frames)
    for table, spec in C.tables.items():
        df = frames[table]
        rows = len(df)
        df = df[~erased[table]]
        dup = df.fillna("\x00null").duplicated(keep="first")
        df = df[~dup]
        reason = row_reasons(df, table)
        ok = reason.isna()
        key = list(spec.key)
        if spec.version_column is None:
            clash = df[ok].fillna("\x00null").duplicated(subset=key, keep=False)
            reason[clash[clash].index] = "duplicate_key"
            ok = reason.isna()
        for col, parent in spec.parents.items():
            values = df[col]
            orphan = ok & values.notna() & ~values.isin(staged_keys[parent])
            reason[orphan] = f"orphan:{parent}"
            ok = reason.isna()
        good = df[ok]
        superseded = 0
        if spec.version_column is not None:
            superseded = len(good) - len(good.drop_duplicates(subset=key))
        quarantined = {k: int(v) for k, v in sorted(reason.dropna().value_counts().items())}
        result[table] = {
            "rows_written": rows,
            "exact_duplicates": int(dup.sum()),
            "superseded_versions": superseded,
            "quarantined": quarantined,
            "erased": int(erased[table].sum()),
            "staged": int(len(good) - superseded),
        }
        if len(key) == 1:
            staged_keys[table] = set(good[key[0]])
    return result


def latest(df: pd.DataFrame, key: list[str], version: str) -> pd.DataFrame:
    """The latest version per key (by parsed instant)."""
    df = df.assign(_v=df[version].map(parse_ts))
    return df.sort_values("_v").drop_duplicates(subset=key, keep="last").drop(columns="_v")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    manifest = generate(out, N, seed=SEED, as_of=AS_OF)
    return out, manifest, read_all(out, "parquet")


@pytest.fixture(scope="module")
def messy_pair(tmp_path_factory):
    out_p = tmp_path_factory.mktemp("messy_parquet")
    out_c = tmp_path_factory.mktemp("messy_csv")
    m_p = generate(out_p, N, seed=SEED, as_of=AS_OF, messy=True)
    m_c = generate(out_c, N, seed=SEED, as_of=AS_OF, messy=True, fmt="csv")
    return (out_p, m_p), (out_c, m_c)


@pytest.fixture(scope="module")
def personas():
    return persona_assignment(N, SEED, AS_OF)


# --------------------------------------------------------------------------- API
def test_argument_validation(tmp_path):
    with pytest.raises(ValueError, match="customers"):
        generate(tmp_path, 0, as_of=AS_OF)
    with pytest.raises(ValueError, match="fmt"):
        generate(tmp_path, 10, fmt="json", as_of=AS_OF)
    with pytest.raises(ValueError, match="as_of"):
        generate(tmp_path, 10)
    with pytest.raises(ValueError, match="customers"):
        generate(tmp_path, "10", as_of=AS_OF)


def test_deterministic_and_seed_sensitive(tmp_path):
    a = generate(tmp_path / "a", 300, seed=3, as_of=AS_OF, messy=True)
    b = generate(tmp_path / "b", 300, seed=3, as_of=AS_OF, messy=True)
    c = generate(tmp_path / "c", 300, seed=4, as_of=AS_OF, messy=True)
    assert a == b
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([f"{t}.parquet" for t in TABLES] + ["_manifest.json"])
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert a != c
    for t in ("customers", "orders", "web_events"):
        assert (tmp_path / "a" / f"{t}.parquet").read_bytes() != (
            tmp_path / "c" / f"{t}.parquet"
        ).read_bytes()


def test_manifest_file_matches_return_value(clean):
    out, manifest, _ = clean
    assert json.loads((out / "_manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["generator_version"] == 1
    assert manifest["customers"] == N and manifest["seed"] == SEED
    assert manifest["as_of"] == AS_OF.isoformat() and manifest["messy"] is False
    assert sum(manifest["personas"].values()) == N


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_columns_exactly_contract(messy_pair, fmt):
    out = messy_pair[0][0] if fmt == "parquet" else messy_pair[1][0]
    for table, spec in C.tables.items():
        path = out / f"{table}.{fmt}"
        if fmt == "parquet":
            names = pq.read_schema(path).names
        else:
            names = path.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
        assert names == list(spec.columns), table


def test_parquet_types(clean, messy_pair):
    out, _, _ = clean
    expected = {
        "string": pa.string(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.string(),
    }
    for table, spec in C.tables.items():
        schema = pq.read_schema(out / f"{table}.parquet")
        for name, col in spec.columns.items():
            want = (
                pa.decimal128(*col.precision_scale)
                if col.base_type == "decimal"
                else expected[col.base_type]
            )
            assert schema.field(name).type == want, (table, name)
    messy_out = messy_pair[0][0]
    assert pq.read_schema(messy_out / "orders.parquet").field("order_total").type == pa.string()
    assert pq.read_schema(messy_out / "order_items.parquet").field("quantity").type == pa.string()


def test_csv_and_parquet_carry_the_same_values(messy_pair):
    (out_p, m_p), (out_c, m_c) = messy_pair
    assert {k: v for k, v in m_p.items() if k != "format"} == {
        k: v for k, v in m_c.items() if k != "format"
    }
    for table in TABLES:
        a, b = read_strings(out_p, table, "parquet"), read_strings(out_c, table, "csv")
        pd.testing.assert_frame_equal(a, b, obj=table)


def test_csv_text_conventions(messy_pair):
    out = messy_pair[1][0]
    text = (out / "event_registrations.csv").read_text(encoding="utf-8")
    assert ",true," in text or ",true\n" in text or text.rstrip().endswith("true")
    first = text.splitlines()[1]
    assert re.search(r",\d{4}-\d{2}-\d{2},", first)
    orders = (out / "orders.csv").read_text(encoding="utf-8").splitlines()
    assert re.search(r'"\d+\.\d{2}"', orders[1])  # messy: order_total is a string column


def test_rows_written_and_staged_arithmetic(clean, messy_pair):
    for out, manifest, fmt in (
        (clean[0], clean[1], "parquet"),
        (messy_pair[0][0], messy_pair[0][1], "parquet"),
        (messy_pair[1][0], messy_pair[1][1], "csv"),
    ):
        for table, t in manifest["tables"].items():
            path = out / f"{table}.{fmt}"
            rows = (
                pq.read_metadata(path).num_rows
                if fmt == "parquet"
                else pacsv.read_csv(path).num_rows
            )
            assert rows == t["rows_written"], (fmt, table)
            assert t["staged"] == (
                t["rows_written"]
                - t["exact_duplicates"]
                - sum(t["quarantined"].values())
                - t["superseded_versions"]
                - t["erased"]
            )


# --------------------------------------------------------------------------- clean mode
def test_clean_mode_recount_has_no_defects(clean):
    _, manifest, frames = clean
    counted = recount(frames)
    assert counted == manifest["tables"]
    for table, t in manifest["tables"].items():
        assert t["quarantined"] == {} and t["exact_duplicates"] == 0, table
        if C.tables[table].version_column is None:
            assert t["superseded_versions"] == 0
    for table in ("customers", "orders", "consents"):
        assert manifest["tables"][table]["superseded_versions"] > 0
    assert manifest["defects"] == []
    erased_customers = frames["customers"][erased_rows(frames)["customers"]]
    assert manifest["tables"]["erasure_requests"]["staged"] >= 1
    assert len(erased_customers) > 0
    erased_ids = erased_customers["customer_id"].nunique()
    assert manifest["tables"]["customers"]["staged"] == N - erased_ids


def test_clean_keys_unique_and_no_orphans(clean):
    _, _, f = clean
    for table, spec in C.tables.items():
        df = f[table]
        key = list(spec.key)
        if spec.version_column:
            # versions differ in their version column
            assert not df.duplicated(subset=[*key, spec.version_column]).any(), table
        else:
            assert not df.duplicated(subset=key).any(), table
    customers = set(f["customers"].customer_id)
    orders = set(f["orders"].order_id)
    products = set(f["products"].product_id)
    campaigns = set(f["campaigns"].campaign_id)
    for table in (
        "orders",
        "email_events",
        "survey_responses",
        "consents",
        "loyalty_members",
        "reviews",
        "event_registrations",
        "erasure_requests",
    ):
        assert f[table].customer_id.isin(customers).all(), table
    web = f["web_events"]
    assert web.customer_id.dropna().isin(customers).all()
    assert set(f["order_items"].order_id) == orders
    assert f["order_items"].product_id.isin(products).all()
    assert web.product_id.dropna().isin(products).all()
    assert f["reviews"].product_id.isin(products).all()
    assert f["email_events"].campaign_id.isin(campaigns).all()


def test_order_totals_reconcile_with_items(clean):
    _, _, f = clean
    items = f["order_items"].assign(
        amount=lambda d: d.quantity.astype(int) * d.unit_price.map(lambda v: round(float(v) * 100))
    )
    sums = items.groupby("order_id").amount.sum()
    orders = f["orders"]
    lines = items.groupby("order_id").line_number.agg(lambda s: sorted(map(int, s)))
    assert all(v == list(range(1, len(v) + 1)) and len(v) <= 6 for v in lines)
    cents = {
        c: orders[c].map(lambda v: round(float(v) * 100))
        for c in ("order_total", "shipping_total", "discount_total")
    }
    expected = orders.order_id.map(sums) + cents["shipping_total"] - cents["discount_total"]
    assert (expected == cents["order_total"]).all()
    assert (items.quantity.astype(int) >= 1).all()
    assert (items.unit_price.astype(float) >= 0).all()
    # all versions of an order agree on amounts
    assert orders.groupby("order_id").order_total.nunique().max() == 1


def test_clean_values_and_time_window(clean):
    _, _, f = clean
    end = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    for table, spec in C.tables.items():
        df = f[table]
        assert row_reasons(df, table).isna().all(), table
        for name, col in spec.columns.items():
            values = df[name].dropna()
            if col.base_type == "timestamp":
                assert values.map(lambda v: parse_ts(v) < end).all(), (table, name)
            if col.base_type == "date":
                assert (values <= AS_OF.isoformat()).all(), (table, name)


def test_timestamp_renderings_mix(clean):
    _, _, f = clean
    ts = f["web_events"].occurred_at
    z = ts.str.endswith("Z").mean()
    offset = ts.str.contains(r"[+-]\d{2}:\d{2}$").mean()
    naive = ts.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").mean()
    assert 0.65 < z < 0.75 and 0.16 < offset < 0.24 and 0.07 < naive < 0.13
    assert abs(z + offset + naive - 1) < 1e-9
    # a local offset matches the customer's timezone (Berlin: +01:00 or +02:00)
    cust = f["customers"].set_index("customer_id").timezone.to_dict()
    orders = f["orders"]
    tz = orders.customer_id.map(cust)
    berlin = orders.ordered_at[
        (tz == "Europe/Berlin") & orders.ordered_at.str.contains(r"[+-]\d{2}:\d{2}$")
    ]
    assert len(berlin) and berlin.str[-6:].isin(["+01:00", "+02:00"]).all()


def test_history_and_versions(clean):
    _, _, f = clean
    end = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=dt.UTC)
    orders = f["orders"]
    ordered = orders.ordered_at.map(parse_ts)
    updated = orders.updated_at.map(parse_ts)
    assert (updated >= ordered).all()
    assert ordered.min() > end - dt.timedelta(days=3 * 365 + 2)
    top = latest(orders, ["order_id"], "updated_at")
    status = top.status.value_counts(normalize=True)
    assert status["completed"] > 0.75
    assert 0.03 < status["cancelled"] < 0.07 and 0.02 < status["returned"] < 0.06
    versioned = orders.order_id.duplicated(keep=False).groupby(orders.order_id).any().mean()
    assert 0.22 < versioned < 0.38
    customers = latest(f["customers"], ["customer_id"], "updated_at")
    created = customers.set_index("customer_id").created_at.map(parse_ts)
    first_order = orders.assign(t=ordered).groupby("customer_id").t.min()
    assert (created[first_order.index] < first_order).all()
    months = top.ordered_at.map(lambda v: parse_ts(v).month)
    share = months.value_counts(normalize=True)
    assert share[[11, 12]].mean() > share[[6, 7, 8]].mean() * 1.5  # seasonality


def test_customer_realism(clean):
    f = clean[2]
    c = latest(f["customers"], ["customer_id"], "updated_at")
    share = c.country_code.value_counts(normalize=True)
    assert 0.38 < share["DE"] < 0.52 and 0.10 < share["US"] < 0.20
    assert share.index[0] == "DE" and {"AT", "CH", "FR", "NL"} <= set(share.index)
    b2b = c.company_name.notna()
    assert 0.15 < b2b.mean() < 0.25
    assert c.job_title.notna().sum() == b2b.sum()
    assert (c.company_size.dropna().astype(int) <= 9).mean() > 0.4
    # postal codes keep leading zeros, consistent gazetteer
    assert c.postal_code.str.match(r"^0").any()
    assert (c[c.city == "München"].region == "Bayern").all()
    assert (c[c.city == "Wien"].region == "Wien").all()
    # Munich customers close to the centre
    munich = c[c.city == "München"]
    lat, lon = munich.latitude.astype(float), munich.longitude.astype(float)
    km = np.hypot((lat - 48.137154) * 111.32, (lon - 11.576124) * 111.32 * np.cos(0.8401))
    assert (km < 1.6).sum() >= 2 and (km < 25).all()
    # emails: mostly clean, ~3 % noisy spelling, ~1 % duplicate contacts
    norm = c.email.str.strip().str.lower()
    noisy = (c.email != norm).mean()
    assert 0.02 < noisy < 0.07
    dups = norm.duplicated(keep=False)
    assert 0.005 < dups.mean() / 2 < 0.02
    assert not (c.email[dups].duplicated()).any()  # same address, different spelling
    # a duplicate contact shares a device with its person (identity stitching is possible)
    web = f["web_events"].dropna(subset=["customer_id"])
    dup_ids = set(c.customer_id[dups])
    dev_custs = web[web.customer_id.isin(dup_ids)].groupby("anonymous_id").customer_id.nunique()
    assert (dev_custs >= 1).any()
    # lifecycle: buyers are customers/evangelists
    buyers = set(f["orders"].customer_id)
    stage = c.set_index("customer_id").lifecycle_stage
    assert stage[stage.index.isin(buyers)].isin(["customer", "evangelist"]).all()
    assert (
        stage[~stage.index.isin(buyers)]
        .isin(["subscriber", "lead", "mql", "sql", "opportunity"])
        .all()
    )


def test_tricky_strings_survive_byte_for_byte(clean, messy_pair):
    for out, manifest, fmt in (
        (clean[0], clean[1], "parquet"),
        (messy_pair[1][0], messy_pair[1][1], "csv"),
    ):
        tricky = manifest["tricky_strings"]
        values = {t["value"] for t in tricky}
        assert {
            "O'Brien",
            "Zoë",
            "Ünal",
            "Łukasz",
            "Węgierski",
            "山田",
            "太郎",
            'Smith & Sons "Best" GmbH, Ltd.',
            "'); drop table orders; --",
        } <= values
        frames = {t: read_strings(out, t, fmt) for t in {x["table"] for x in tricky}}
        for t in tricky:
            df = frames[t["table"]]
            mask = np.ones(len(df), dtype=bool)
            for k, v in t["key"].items():
                mask &= (df[k] == v).to_numpy()
            assert mask.any() and (df.loc[mask, t["column"]] == t["value"]).all(), t
            assert t["value"] == t["value"].strip()


def test_web_events_identity_and_funnel(clean):
    _, _, f = clean
    w = f["web_events"].copy()
    w["t"] = w.occurred_at.map(parse_ts)
    counts = w.event_type.value_counts()
    assert (
        counts["page_view"]
        > counts["add_to_cart"]
        > counts["checkout_started"]
        > counts["purchase"]
    )
    assert counts["product_view"] > counts["add_to_cart"]
    assert 8 < len(w) / N < 25
    # iOS app events are consistent
    ios = w[w.app_platform == "ios"]
    assert (ios.device_type == "mobile").all() and (ios.os == "iOS").all()
    assert ios.browser.isna().all()
    assert w[w.event_type == "search"].search_query.notna().all()
    assert w[w.event_type.isin(["product_view", "add_to_cart"])].product_id.notna().all()
    assert w[w.event_type.isin(["page_view", "search", "login"])].product_id.isna().all()
    # per device, once a customer logged in, earlier events are anonymous
    w = w.sort_values(["anonymous_id", "t", "event_id"])
    anon_share = w.customer_id.isna().mean()
    assert 0.03 < anon_share < 0.4
    first_login = w.dropna(subset=["customer_id"]).groupby("anonymous_id").t.min()
    before = w[w.anonymous_id.map(first_login) > w.t]
    assert before.customer_id.isna().all()
    logins = w[w.event_type.isin(["login", "signup"])]
    assert logins.customer_id.notna().all()
    # devices shared by two customers (households) and visitors who never log in
    per_device = w.dropna(subset=["customer_id"]).groupby("anonymous_id").customer_id.nunique()
    assert (per_device >= 2).sum() >= 1
    never = w.groupby("anonymous_id").customer_id.apply(lambda s: s.isna().all())
    assert never.sum() > 0.05 * N
    # purchase events sit exactly on an order's ordered_at
    orders = f["orders"].drop_duplicates("order_id")
    order_times = set(zip(orders.customer_id, orders.ordered_at.map(parse_ts), strict=True))
    buys = w[w.event_type == "purchase"]
    assert buys.apply(lambda r: (r.customer_id, r.t) in order_times, axis=1).all()


def test_fx_rates_and_campaigns(clean):
    _, _, f = clean
    fx = f["fx_rates"]
    assert "EUR" not in set(fx.currency)
    currencies = set(f["orders"].currency) - {"EUR"}
    assert currencies == set(fx.currency)
    days = pd.to_datetime(fx.rate_date)
    assert (days.dt.day_of_week < 5).all() and days.max() <= pd.Timestamp(AS_OF)
    rates = fx.assign(r=fx.rate_to_reporting.astype(float))
    usd = rates[rates.currency == "USD"].sort_values("rate_date").r
    assert usd.min() > 0.7 and usd.max() < 1.2 and usd.diff().abs().max() < 0.03
    camp = f["campaigns"]
    assert 30 <= len(camp) <= 60 and set(camp.currency) == {"EUR"}
    assert camp.target_segment_id.notna().any() and (camp.channel == "email").sum() > 10


def test_email_and_consent_logic(clean):
    _, _, f = clean
    consents = f["consents"]
    top = latest(consents, ["customer_id", "purpose"], "recorded_at")
    withdrawn = (consents.status == "withdrawn").sum() / (consents.status == "granted").sum()
    assert 0.02 < withdrawn < 0.10
    email_ok = consents[(consents.purpose == "email_marketing") & (consents.status == "granted")]
    e = f["email_events"]
    assert e.customer_id.isin(set(email_ok.customer_id)).all()
    counts = e.event_type.value_counts()
    assert counts["sent"] >= counts["delivered"] > counts["opened"] > counts["clicked"]
    assert counts["sent"] == counts["delivered"] + counts["bounced"]
    assert len(top) < len(consents)


# --------------------------------------------------------------------------- messy mode
def test_messy_manifest_equals_independent_recount(messy_pair):
    for out, manifest, fmt in (
        (messy_pair[0][0], messy_pair[0][1], "parquet"),
        (messy_pair[1][0], messy_pair[1][1], "csv"),
    ):
        counted = recount(read_all(out, fmt))
        assert counted == manifest["tables"], fmt


def test_messy_defects_present_and_bounded(messy_pair):
    manifest = messy_pair[0][1]
    tables = manifest["tables"]
    for table, t in tables.items():
        assert t["exact_duplicates"] >= 1, table
        assert sum(t["quarantined"].values()) < 0.05 * t["rows_written"], table
    expected = {
        "customers": {
            "bad_type:created_at",
            "bad_value:gender",
            "bad_value:country_code",
            "out_of_range:latitude",
            "missing_required:created_at",
        },
        "orders": {
            "bad_type:ordered_at",
            "bad_value:status",
            "bad_type:order_total",
            "out_of_range:order_total",
            "orphan:customers",
            "missing_required:customer_id",
        },
        "order_items": {
            "bad_type:quantity",
            "out_of_range:quantity",
            "missing_required:product_id",
            "orphan:orders",
        },
        "web_events": {
            "bad_type:occurred_at",
            "bad_value:event_type",
            "missing_required:anonymous_id",
            "duplicate_key",
        },
        "email_events": {
            "bad_type:occurred_at",
            "bad_value:event_type",
            "missing_required:customer_id",
        },
        "consents": {"bad_value:status"},
        "reviews": {"out_of_range:rating"},
        "survey_responses": {"missing_required:question_key"},
    }
    for table, reasons in expected.items():
        assert set(tables[table]["quarantined"]) == reasons, table
    assert tables["web_events"]["quarantined"]["duplicate_key"] % 2 == 0
    defects = {(d["table"], d["reason"]): d for d in manifest["defects"]}
    assert all(d["count"] > 0 and d["description"] for d in manifest["defects"])
    assert ("customers", "superseded_versions") in defects
    for table, t in tables.items():
        q = sum(
            d["count"]
            for d in manifest["defects"]
            if d["table"] == table
            and d["reason"] not in ("exact_duplicates", "superseded_versions")
        )
        assert q == sum(t["quarantined"].values())


def test_messy_clean_share_the_natural_data(clean, messy_pair):
    clean_manifest = clean[1]
    messy_manifest = messy_pair[0][1]
    assert clean_manifest["personas"] == messy_manifest["personas"]
    for table in TABLES:
        c, m = clean_manifest["tables"][table], messy_manifest["tables"][table]
        injected = sum(
            d["count"]
            for d in messy_manifest["defects"]
            if d["table"] == table and d["reason"] == "superseded_versions"
        )
        # the originals of conflicting duplicate keys are quarantined with their copies
        lost = m["quarantined"].get("duplicate_key", 0) // 2
        assert m["staged"] == c["staged"] - lost, table
        assert m["superseded_versions"] == c["superseded_versions"] + injected, table


# --------------------------------------------------------------------------- personas
def test_persona_signals(clean, personas):
    _, manifest, f = clean
    counts = pd.Series(personas).value_counts()
    assert counts.to_dict() == {k: v for k, v in manifest["personas"].items() if v}
    orders = latest(f["orders"], ["order_id"], "updated_at")
    orders["persona"] = orders.customer_id.map(personas)
    orders["total"] = orders.order_total.astype(float)
    w = f["web_events"].dropna(subset=["customer_id"])
    views = w[w.event_type == "product_view"].groupby("customer_id").size()
    n_orders = orders.groupby("customer_id").size()
    ids = pd.Series(list(personas), index=list(personas))
    per = pd.DataFrame(
        {
            "persona": pd.Series(personas),
            "views": views.reindex(ids.index, fill_value=0),
            "orders": n_orders.reindex(ids.index, fill_value=0),
        }
    )
    by = per.groupby("persona")[["views", "orders"]].sum()
    ratio = by.views / by.orders.clip(lower=1)
    assert ratio["window_shopper"] > 3 * ratio["loyal_big_spender"]
    mean_orders = per.groupby("persona").orders.mean()
    assert mean_orders["loyal_big_spender"] == mean_orders.max()
    assert mean_orders["window_shopper"] < 0.3
    one_time = per[per.persona == "one_time_buyer"].orders  # duplicate contacts hold none
    assert one_time.max() == 1 and one_time.mean() > 0.95
    # big spenders: high order value; bargain hunters: coupons and low value
    eur = orders[orders.currency == "EUR"]
    aov = eur.groupby("persona").total.mean()
    assert aov["loyal_big_spender"] > 1.5 * aov["bargain_hunter"]
    coupon = orders.groupby("persona").coupon_code.apply(lambda s: s.notna().mean())
    assert coupon["bargain_hunter"] > 0.5 > 0.15 > coupon["loyal_big_spender"]
    # churned: nothing in the last ~9 months; new: created in the last ~60 days
    end = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=dt.UTC)
    churned = orders[orders.persona == "churned"].ordered_at.map(parse_ts)
    assert (churned < end - dt.timedelta(days=270)).all()
    cust = latest(f["customers"], ["customer_id"], "updated_at")
    created = cust.set_index("customer_id").created_at.map(parse_ts)
    new = [k for k, v in personas.items() if v == "new_customer"]
    assert (created[new] > end - dt.timedelta(days=61)).all()
    # device mix: big spenders use apps/desktop, bargain hunters are mobile web first
    w_all = w.assign(persona=w.customer_id.map(personas))
    app = w_all.groupby("persona").app_platform.apply(lambda s: (s != "web").mean())
    assert app["loyal_big_spender"] > 2 * app["bargain_hunter"]
    # churned customers stop opening emails
    e = f["email_events"].assign(
        persona=lambda d: d.customer_id.map(personas), t=lambda d: d.occurred_at.map(parse_ts)
    )
    late = e[(e.persona == "churned") & (e.t > end - dt.timedelta(days=90))]
    assert (late.event_type != "opened").all()
    # zero-party answers agree with behaviour
    s = f["survey_responses"].assign(persona=lambda d: d.customer_id.map(personas))
    budget = pd.crosstab(
        s.persona[s.question_key == "budget"],
        s.answer[s.question_key == "budget"],
        normalize="index",
    )
    assert budget.loc["bargain_hunter", "low"] > 0.6
    assert budget.loc["loyal_big_spender", "high"] > 0.5
    answered = s.customer_id.nunique() / N
    assert 0.4 <= answered <= 0.6
    agency = set(cust.customer_id[cust.industry == "marketing_agency"])
    interests = s[(s.question_key == "interests") & s.customer_id.isin(agency)].answer
    assert interests.str.contains("social_media").mean() > 0.6
    assert s.answer[s.question_key == "nps"].isin([str(k) for k in range(11)]).all()
    # loyalty tiers follow spend
    loyalty = f["loyalty_members"].assign(persona=lambda d: d.customer_id.map(personas))
    assert (
        loyalty[loyalty.persona == "loyal_big_spender"].tier.isin(["gold", "platinum"]).mean() > 0.4
    )
    ratings = (
        f["reviews"]
        .assign(persona=lambda d: d.customer_id.map(personas), r=lambda d: d.rating.astype(int))
        .groupby("persona")
        .r.mean()
    )
    assert ratings["loyal_big_spender"] > ratings["churned"]


# --------------------------------------------------------------------------- edge cases
def test_several_chunks_recount(tmp_path, monkeypatch):
    from custseg.generate import generator

    monkeypatch.setattr(generator, "CHUNK_CUSTOMERS", 250)
    manifest = generate(tmp_path, 620, seed=11, as_of=AS_OF, messy=True)
    frames = read_all(tmp_path, "parquet")
    assert recount(frames) == manifest["tables"]
    ids = frames["customers"].customer_id
    assert ids[ids.str.match(r"C\d{8}$")].nunique() == 620
    assert (
        manifest["personas"]
        == pd.Series(persona_assignment(620, 11, AS_OF))
        .value_counts()
        .reindex(list(manifest["personas"]), fill_value=0)
        .to_dict()
    )
    # ids of every entity stay unique across chunks
    for table in ("web_events", "email_events", "survey_responses", "reviews"):
        key = C.tables[table].key[0]
        staged = frames[table][~frames[table].duplicated(keep="first")]
        assert (
            staged[key].duplicated().sum()
            == manifest["tables"][table]["quarantined"].get("duplicate_key", 0) // 2
        ), table


@pytest.mark.parametrize("n", [1, 7, 60])
def test_tiny_populations(tmp_path, n):
    manifest = generate(tmp_path, n, seed=5, as_of=dt.date(2024, 2, 29), messy=True, fmt="csv")
    frames = read_all(tmp_path, "csv")
    assert recount(frames) == manifest["tables"]
    erased = frames["customers"][erased_rows(frames)["customers"]]["customer_id"].nunique()
    assert manifest["tables"]["customers"]["staged"] == n - erased
