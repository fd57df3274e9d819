"""Tests of `custseg generate --as-tools` (custseg.generate.tools): the generator's data as
HubSpot, Shopify, Mailchimp and Qualtrics export it. Fast (small N, no dbt): the exports
are read back with the csv module and checked against the contract tables generated with
the same seed and as_of, recomputed here in pandas from the mapping rules as written."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from custseg.cli import main
from custseg.generate import generate
from custseg.generate import zero_party as zp
from custseg.generate.tools import (
    CONTRACT_TABLES,
    REPLACED_TABLES,
    SHOPIFY_HEADER,
    TOOLS_MANIFEST,
    convert_to_tools,
    generate_tools,
)

AS_OF = dt.date(2026, 6, 30)
N = 300
SEED = 11
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"

HUBSPOT_HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Lifecycle Stage",
    "Create Date", "Last Modified Date", "Last Activity Date", "Company Name", "Job Title",
    "Industry", "Number of Employees", "City", "State/Region", "Country/Region",
    "Postal Code", "Marketing contact status",
]  # fmt: skip
MAILCHIMP_BASE = [
    "Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday",
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE",
    "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID",
    "EUID", "NOTES",
]  # fmt: skip
MAILCHIMP_EXTRA = {
    "subscribed": [],
    "unsubscribed": ["UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                     "UNSUB_REASON", "UNSUB_REASON_OTHER"],
    "cleaned": ["CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"],
}  # fmt: skip
QUALTRICS_COLUMNS = [
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
    "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
    "DistributionChannel", "UserLanguage", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9",
]  # fmt: skip
# The project's default Qualtrics layout (dbt var qualtrics_questions): column, question
# key, options (codes are 1-based positions; None: NPS, the number itself).
QUESTIONS = {
    "Q1": ("interests", zp.INTERESTS),
    "Q2": ("values", zp.VALUES),
    "Q3": ("personality", zp.PERSONALITY),
    "Q4": ("needs", zp.NEEDS),
    "Q5": ("preferred_channel", zp.CHANNELS),
    "Q6": ("contact_frequency", zp.FREQUENCY),
    "Q7": ("budget", zp.BUDGET),
    "Q8": ("purchase_intent", zp.INTENT),
    "Q9": ("nps", None),
}
UTC_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


# --------------------------------------------------------------------------- helpers
def utc(text: str | None) -> dt.datetime | None:
    """A contract timestamp (Z, an offset, or none meaning UTC) as an aware UTC datetime."""
    if text is None:
        return None
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def contract(folder: Path, table: str) -> pd.DataFrame:
    """A contract Parquet table with every value as Python objects (decimals stay exact)."""
    data = pq.read_table(folder / f"{table}.parquet")
    return pd.DataFrame({c: data.column(c).to_pylist() for c in data.column_names})


def latest(frame: pd.DataFrame, key: str, at: str) -> pd.DataFrame:
    """The latest row per ``key`` by ``at`` (a contract timestamp); later rows win ties."""
    frame = frame.assign(_at=frame[at].map(utc), _row=range(len(frame)))
    frame = frame.sort_values(["_at", "_row"]).drop_duplicates(key, keep="last")
    return frame.drop(columns=["_at", "_row"]).sort_values(key).reset_index(drop=True)


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def read_export(path: Path) -> pd.DataFrame:
    """A one-header CSV export, every value text ('' for empty)."""
    rows = read_csv_rows(path)
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)


def record_ids(customers: pd.DataFrame) -> dict[str, int]:
    """customer_id -> HubSpot Record ID: 1000 + position in customer_id order."""
    ids = sorted(customers["customer_id"].unique())
    return {customer_id: 1001 + k for k, customer_id in enumerate(ids)}


def email_of(value) -> str:
    return (value or "").strip()


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The contract tables and the tool exports of the same customers, seed and as_of."""
    base = tmp_path_factory.mktemp("as_tools")
    generate(base / "contract", N, seed=SEED, as_of=AS_OF, progress=False)
    manifest = generate_tools(base / "tools", N, seed=SEED, as_of=AS_OF, progress=False)
    return base / "contract", base / "tools", manifest


@pytest.fixture(scope="module")
def customers(folders) -> pd.DataFrame:
    """The contract's customers, latest version each, with their Record ID."""
    data = latest(contract(folders[0], "customers"), "customer_id", "updated_at")
    ids = record_ids(data)
    return data.assign(record_id=data["customer_id"].map(ids))


# --------------------------------------------------------------------------- layout
def test_layout_and_manifest(folders):
    _, out, manifest = folders
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert f"hubspot/hubspot-crm-exports-all-contacts-{AS_OF}.csv" in files
    assert "shopify/orders_export_1.csv" in files
    mailchimp = [f for f in files if f.startswith("mailchimp/")]
    assert len(mailchimp) == 3
    suffixes = {re.fullmatch(r"mailchimp/(\w+)_members_export_([0-9a-f]{10})\.csv", f).groups()
                for f in mailchimp}  # fmt: skip
    assert {s for s, _ in suffixes} == {"subscribed", "unsubscribed", "cleaned"}
    assert len({h for _, h in suffixes}) == 1  # one zip's three files
    qualtrics = [f for f in files if f.startswith("qualtrics/")]
    assert "qualtrics/Customer Preferences_June 30, 2026_09.15.csv" in qualtrics
    for name in qualtrics:
        assert re.fullmatch(r"qualtrics/[A-Za-z -]+_June 30, 2026_09\.15\.csv", name), name
    top = {f for f in files if "/" not in f}
    assert top == {f"{t}.parquet" for t in CONTRACT_TABLES} | {TOOLS_MANIFEST}
    assert not top & {f"{t}.parquet" for t in REPLACED_TABLES}
    # the manifest counts every export's rows as written
    on_disk = json.loads((out / TOOLS_MANIFEST).read_text(encoding="utf-8"))
    assert on_disk == manifest
    for name, item in manifest["files"].items():
        headers = 3 if name.startswith("qualtrics/") else 1
        assert len(read_csv_rows(out / name)) - headers == item["rows"], name
    for name, item in manifest["contract_files"].items():
        assert pq.read_metadata(out / name).num_rows == item["rows"], name


def test_deterministic(folders, tmp_path):
    """The same contract data gives byte-identical exports."""
    contract_dir, out, _ = folders
    again = tmp_path / "again"
    convert_to_tools(contract_dir, again)
    for path in out.rglob("*.csv"):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path


# --------------------------------------------------------------------------- HubSpot
def test_hubspot_contacts(folders, customers):
    _, out, manifest = folders
    path = out / f"hubspot/hubspot-crm-exports-all-contacts-{AS_OF}.csv"
    rows = read_csv_rows(path)
    assert rows[0] == HUBSPOT_HEADER
    export = read_export(path)
    assert export["Record ID"].is_unique
    assert len(export) == len(customers) == manifest["tools"]["hubspot"]["contacts"]
    merged = customers.merge(
        export.assign(record_id=export["Record ID"].astype(int)), on="record_id", how="outer"
    )
    assert len(merged) == len(customers)  # every customer once, no other contact
    assert (merged["Email"] == merged["email"].map(email_of)).all()
    assert (merged["Country/Region"] == merged["country_code"]).all()
    minutes = merged["updated_at"].map(lambda t: utc(t).strftime("%Y-%m-%d %H:%M"))
    assert (merged["Last Modified Date"] == minutes).all()
    created = merged["created_at"].map(lambda t: utc(t).strftime("%Y-%m-%d %H:%M"))
    assert (merged["Create Date"] == created).all()
    labels = {"mql": "Marketing Qualified Lead", "sql": "Sales Qualified Lead", None: ""}
    stages = merged["lifecycle_stage"].map(lambda s: labels.get(s, (s or "").capitalize()))
    assert (merged["Lifecycle Stage"] == stages).all()
    assert set(export["Marketing contact status"]) <= {"Marketing contact",
                                                       "Non-marketing contact"}  # fmt: skip


# --------------------------------------------------------------------------- Shopify
@pytest.fixture(scope="module")
def orders(folders, customers) -> pd.DataFrame:
    """The contract's latest order versions, their Shopify Name, lines and buyer."""
    contract_dir = folders[0]
    data = latest(contract(contract_dir, "orders"), "order_id", "updated_at")
    data = data.assign(name=[f"#{1001 + k}" for k in range(len(data))])  # order_id order
    items = contract(contract_dir, "order_items")
    lines = items.groupby("order_id").size().rename("lines")
    data = data.join(lines, on="order_id")
    return data.merge(
        customers[["customer_id", "email"]], on="customer_id", how="left", indicator=True
    )


def test_shopify_orders_match_contract(folders, orders):
    _, out, manifest = folders
    path = out / "shopify/orders_export_1.csv"
    assert read_csv_rows(path)[0] == list(SHOPIFY_HEADER)
    fixture = read_csv_rows(FIXTURES / "shopify" / "orders_export_1.csv")[0]
    assert list(SHOPIFY_HEADER) == fixture and len(fixture) == 79
    export = read_export(path)
    known = orders[orders["_merge"] == "both"].set_index("name")
    # one Name per order whose customer exists
    assert export["Name"].nunique() == len(known) == manifest["tools"]["shopify"]["orders"]
    assert set(export["Name"]) == set(known.index)
    # lines per order, Total on the first row only (its sum per order is order_total)
    assert (export.groupby("Name").size() == known["lines"]).all()
    totals = export["Total"].replace("", "0").map(float).groupby(export["Name"]).sum()
    expected = known["order_total"].map(float)
    assert (totals.reindex(expected.index) - expected).abs().max() < 0.005
    first = export.drop_duplicates("Name").set_index("Name")
    assert (first["Email"] == known["email"].map(email_of).reindex(first.index)).all()
    created = first["Created at"].map(
        lambda t: dt.datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z")
    )  # Shopify's format, parsed as the connector parses it
    assert (created == known["ordered_at"].map(utc).reindex(first.index)).all()
    financial = {"placed": "pending", "paid": "paid", "shipped": "paid",
                 "completed": "paid", "cancelled": "voided", "returned": "refunded"}  # fmt: skip
    assert (first["Financial Status"] == known["status"].map(financial).reindex(first.index)).all()
    returned = known.index[known["status"] == "returned"]
    assert (first.loc[returned, "Refunded Amount"] == first.loc[returned, "Total"]).all()


def test_shopify_reads_back_as_the_connector_reads(folders):
    """DuckDB's reader with the connector's options (macro select_tool_export: all text,
    no comment lines, so that #1001 is a row) sees every row and the same Names."""
    _, out, _ = folders
    path = out / "shopify/orders_export_1.csv"
    with duckdb.connect() as con:
        rows = con.sql(
            f'select "Name", "Lineitem name" from read_csv(\'{path}\', header = true, '
            "all_varchar = true, quote = '\"', escape = '\"', comment = '', parallel = false)"
        ).fetchall()
    export = read_export(path)
    assert [r[0] for r in rows] == list(export["Name"])
    assert [r[1] for r in rows] == list(export["Lineitem name"])


def test_shopify_splits_whole_orders(folders, tmp_path):
    contract_dir, out, _ = folders
    split = convert_to_tools(contract_dir, tmp_path / "split", shopify_max_lines=500)
    files = sorted((tmp_path / "split" / "shopify").glob("orders_export_*.csv"))
    assert len(files) == split["tools"]["shopify"]["files"] > 1
    names_per_file = []
    for path in files:
        export = read_export(path)
        assert 0 < len(export) <= 500
        names_per_file.append(set(export["Name"]))
    for k, names in enumerate(names_per_file):  # an order is never in two files
        assert not names & set().union(*names_per_file[:k], *names_per_file[k + 1 :])
    whole = read_export(out / "shopify/orders_export_1.csv")
    assert sum(len(read_export(p)) for p in files) == len(whole)


# --------------------------------------------------------------------------- Mailchimp
def test_mailchimp_statuses_match_consents(folders, customers):
    contract_dir, out, manifest = folders
    consents = contract(contract_dir, "consents")
    consents = consents[consents["purpose"] == "email_marketing"].assign(
        at=lambda f: f["recorded_at"].map(utc), row=lambda f: range(len(f))
    )
    events = contract(contract_dir, "email_events")
    bounced = set(events.loc[events["event_type"] == "bounced", "customer_id"])
    with_email = set(customers.loc[customers["email"].map(email_of) != "", "customer_id"])
    expected = {}
    for customer_id, log in consents.sort_values(["at", "row"]).groupby("customer_id"):
        if customer_id not in with_email:
            continue
        last = log["status"].iloc[-1]
        if customer_id in bounced:
            expected[customer_id] = "cleaned"
        elif last == "granted":
            expected[customer_id] = "subscribed"
        elif last == "withdrawn" or (last == "denied" and (log["status"] == "granted").any()):
            expected[customer_id] = "unsubscribed"
    # members by address: a duplicate contact may share its person's address (one row
    # per customer, as the manifest's addresses_held_by_two_members counts)
    email_of_id = dict(zip(customers["customer_id"], customers["email"].map(email_of),
                           strict=True))  # fmt: skip
    found = []
    for status in ("subscribed", "unsubscribed", "cleaned"):
        (path,) = (out / "mailchimp").glob(f"{status}_members_export_*.csv")
        rows = read_csv_rows(path)
        assert rows[0] == MAILCHIMP_BASE + MAILCHIMP_EXTRA[status] + ["TAGS"]
        export = read_export(path)
        assert manifest["tools"]["mailchimp"]["members"][status] == len(export)
        for _, member in export.iterrows():
            found.append((member["Email Address"], status))
            assert UTC_SECONDS.fullmatch(member["LAST_CHANGED"])
            assert member["MEMBER_RATING"] in {"1", "2", "3", "4", "5"}
    assert sorted(found) == sorted((email_of_id[c], s) for c, s in expected.items())
    shared = pd.Series([e for e, _ in found]).str.lower().duplicated().sum()
    assert manifest["tools"]["mailchimp"]["addresses_held_by_two_members"] == shared
    counts = pd.Series(expected).value_counts().to_dict()
    assert counts == {k: v for k, v in manifest["tools"]["mailchimp"]["members"].items() if v}


# --------------------------------------------------------------------------- Qualtrics
def test_qualtrics_files_and_answers(folders, customers):
    contract_dir, out, manifest = folders
    surveys = manifest["tools"]["qualtrics"]["surveys"]
    assert {p.name for p in (out / "qualtrics").glob("*.csv")} == set(surveys)
    by_record = customers.set_index("record_id")["customer_id"].to_dict()
    decoded = {}
    for name, survey in surveys.items():
        rows = read_csv_rows(out / "qualtrics" / name)
        assert rows[0] == QUALTRICS_COLUMNS
        assert rows[1][:3] == ["Start Date", "End Date", "Response Type"]
        ids = [json.loads(cell) for cell in rows[2]]  # the third header row: JSON objects
        assert all(isinstance(i, dict) and "ImportId" in i for i in ids)
        assert ids[0] == {"ImportId": "startDate", "timeZone": "UTC"}
        assert [i["ImportId"] for i in ids[-9:]] == [f"QID{k}" for k in range(1, 10)]
        data = pd.DataFrame(rows[3:], columns=rows[0], dtype=object)
        assert all(UTC_SECONDS.fullmatch(t) for t in data["StartDate"])  # 4th row: data
        preview = data[data["Status"] == "1"]
        assert len(preview) == 1 and preview["RecipientEmail"].iloc[0] == ""
        responses = data[data["Status"] == "0"]
        assert len(responses) == survey["responses"]
        assert responses["ResponseId"].map(lambda r: re.fullmatch(r"R_[0-9A-Za-z]{15}", r)).all()
        partial = responses[responses["Finished"] == "0"]
        assert (partial["Progress"].astype(int) < 100).all()
        for _, response in responses.iterrows():
            customer_id = by_record[int(response["ExternalReference"])]
            day = response["RecordedDate"][:10]
            for column, (key, options) in QUESTIONS.items():
                code = response[column]
                if code == "":
                    continue
                value = code if options is None else "|".join(
                    options[int(c) - 1] for c in code.split(",")
                )  # fmt: skip
                decoded[(customer_id, survey["survey_id"], day, key)] = value
    assert 0 < manifest["tools"]["qualtrics"]["partial_responses"] < 0.1 * len(decoded)
    # the contract's latest answer per customer, survey, UTC day and question
    answers = contract(contract_dir, "survey_responses").assign(
        at=lambda f: f["answered_at"].map(utc), row=lambda f: range(len(f))
    )
    answers["day"] = answers["at"].map(lambda t: t.strftime("%Y-%m-%d"))
    expected = {
        (r.customer_id, r.survey_id, r.day, r.question_key): r.answer
        for r in answers.sort_values(["at", "row"]).itertuples()
    }
    assert decoded == expected
    assert manifest["tools"]["qualtrics"]["answers"] == len(expected)


# --------------------------------------------------------------------------- contract files
def test_leftover_contract_files_carry_hubspot_ids(folders, customers):
    contract_dir, out, manifest = folders
    hubspot_ids = {f"hubspot:{k}" for k in customers["record_id"]}
    for table in CONTRACT_TABLES:
        written = contract(out, table)
        original = contract(contract_dir, table)
        assert list(written.columns) == list(original.columns), table
        assert pq.read_schema(out / f"{table}.parquet").equals(
            pq.read_schema(contract_dir / f"{table}.parquet")
        ), table
        if "customer_id" not in written:
            assert written.equals(original), table
            continue
        ids = written["customer_id"].dropna()
        assert ids.str.startswith("hubspot:").all(), table
        assert set(ids) <= hubspot_ids, table
        if table != "web_events":
            assert written["customer_id"].notna().all(), table
    consents = contract(out, "consents")
    assert "email_marketing" not in set(consents["purpose"])
    original = contract(contract_dir, "consents")
    assert len(consents) == (original["purpose"] != "email_marketing").sum()
    events, original = contract(out, "email_events"), contract(contract_dir, "email_events")
    cleaned = manifest["tools"]["mailchimp"]["members"]["cleaned"]
    assert len(events) == len(original) - cleaned  # their first bounce: Mailchimp's
    web = contract(out, "web_events")
    assert (
        web["customer_id"].isna().sum()
        == contract(contract_dir, "web_events")["customer_id"].isna().sum()
    )


# --------------------------------------------------------------------------- no e-mail
def test_customers_without_email(folders, customers, tmp_path):
    """Customers without an e-mail: HubSpot contacts still, their orders exported with an
    empty Email, not in Mailchimp, their survey responses matched by Record ID only."""
    contract_dir, _, _ = folders
    answered = set(contract(contract_dir, "survey_responses")["customer_id"])
    ordered = set(contract(contract_dir, "orders")["customer_id"])
    chosen = sorted(answered & ordered)[:5]
    copy = tmp_path / "contract"
    copy.mkdir()
    for path in contract_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    table = pq.read_table(contract_dir / "customers.parquet")
    emails = [None if c in chosen else e for c, e in zip(
        table.column("customer_id").to_pylist(), table.column("email").to_pylist(), strict=True
    )]  # fmt: skip
    table = table.set_column(table.schema.get_field_index("email"), "email",
                             pa.array(emails, pa.string()))  # fmt: skip
    pq.write_table(table, copy / "customers.parquet")

    out = tmp_path / "tools"
    manifest = convert_to_tools(copy, out)
    ids = customers.set_index("customer_id")["record_id"]
    chosen_ids = {str(ids[c]) for c in chosen}
    hubspot = read_export(out / f"hubspot/hubspot-crm-exports-all-contacts-{AS_OF}.csv")
    assert (hubspot.loc[hubspot["Record ID"].isin(chosen_ids), "Email"] == "").all()
    assert manifest["tools"]["hubspot"]["contacts_without_email"] == len(chosen)
    shopify = read_export(out / "shopify/orders_export_1.csv")
    billing = shopify.drop_duplicates("Name")
    empty = billing[billing["Email"] == ""]
    assert len(empty) == manifest["tools"]["shopify"]["orders_without_email"] > 0
    assert manifest["not_represented"]["orders"]["orders_without_email"]["rows"] == len(empty)
    members = pd.concat(read_export(p) for p in (out / "mailchimp").glob("*.csv"))
    chosen_emails = {email_of(e) for e in customers.set_index("customer_id").loc[chosen, "email"]}
    assert not set(members["Email Address"]) & chosen_emails
    responses = pd.concat(
        pd.DataFrame(rows[3:], columns=rows[0])
        for rows in map(read_csv_rows, (out / "qualtrics").glob("*.csv"))
    )
    theirs = responses[responses["ExternalReference"].isin(chosen_ids)]
    assert len(theirs) > 0 and (theirs["RecipientEmail"] == "").all()
    assert manifest["tools"]["qualtrics"]["responses_without_email"] == len(theirs)


# --------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("extra", [["--messy"], ["--deltas", "3"], ["--format", "csv"]])
def test_cli_rejects_as_tools_with(extra, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["generate", "--as-tools", *extra, "--customers", "5", "--out", str(out)])
    assert status == 2
    error = capsys.readouterr().err
    assert f"--as-tools cannot be combined with {extra[0]}" in error
    assert not out.exists()


def test_cli_refuses_a_folder_of_contract_files(folders, capsys):
    contract_dir = folders[0]
    status = main(["generate", "--as-tools", "--customers", "5", "--out", str(contract_dir),
                   "--as-of", AS_OF.isoformat()])  # fmt: skip
    assert status == 2
    assert "customers.parquet" in capsys.readouterr().err
