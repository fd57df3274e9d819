"""Tool exports as they come: a landing folder holding only Shopify's orders export (two
files written by hand in Shopify's documented layout: one row per line item, order-level
columns on an order's first row, `Name` values starting with #, timestamps with offsets),
HubSpot's contacts export, Mailchimp's audience export (subscribed, unsubscribed, cleaned)
and a Qualtrics response export (three header rows) builds the whole warehouse with
`custseg build`; every export row is staged, quarantined with a reason, or counted as a
duplicate or version; a person in the four tools is one customer, and so is a Shopify
buyer with the same e-mail in the contract's CRM file.

The fixture (tests/fixtures/tools/shopify/):
- #1001 Anna.Berg@Example.com: paid, fulfilled, two lines, express, Accepts Marketing yes;
- #1002 ben.guest@example.org (a guest checkout): refunded in full;
- #1003 carla: voided and cancelled;
- #1004 BEN.GUEST@example.org: partially refunded (60.00 less 10.00), at the shop (pos),
  store pickup, two identical lines;
- #1005 anna.berg@example.com: paid, unfulfilled in file 1, fulfilled in file 2 (a new
  version), Accepts Marketing no;
- #1006 dora: authorized only (not a purchase);
- #1007 eve: Total "12,50" (not a number: quarantined, and its line an orphan);
- a stray line without an order Name;
- #1008 (file 2): a till order without e-mail, tagged hubspot:103 (HubSpot's Frank).
HubSpot (tests/fixtures/tools/hubspot/): Anna (101, e-mail in capitals, created 2023) and
Ben (102) again, Frank and Grace (no e-mail) only there, a row without Record ID, a
contact at stage Other, a property the connector does not know; a companies export (a
company exported in two versions; associated by id, or by the e-mail's domain).
Mailchimp (tests/fixtures/tools/mailchimp/): Anna subscribed (double opt-in), Hanna
subscribed (single opt-in; only here and in Qualtrics), Ben (e-mail in capitals)
unsubscribed after subscribing, Ida's address cleaned (bounced).
Qualtrics (tests/fixtures/tools/qualtrics/), dates in Europe/Berlin: Anna (ExternalReference
101, e-mail in odd case and blanks: multiple choice 3,10; a code the mapping lacks; an
unmapped text question; embedded data utm_source), Ben (no ExternalReference: by e-mail;
a partial response), a survey preview, an anonymous response, Hanna (a choice text among
the codes), and a response whose
ExternalReference names a HubSpot contact the export lacks.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import AS_OF, custseg_here, run_dbt
from test_erasure import traces

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"


def buyer(email: str, tool: str = "shopify") -> str:
    """A tool's id for a person known by e-mail (a Shopify buyer, a Mailchimp member, a
    Qualtrics respondent): the tool and the SHA-256 of the normalised e-mail."""
    return f"{tool}:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


ANNA, BEN = buyer("anna.berg@example.com"), buyer("ben.guest@example.org")
# HubSpot created Anna and Ben before their first orders: their contacts survive the merge
ANNA_PERSON, BEN_PERSON = "hubspot:101", "hubspot:102"


@pytest.fixture(scope="module")
def shopify_only(tmp_path_factory):
    """`custseg build` of a landing folder holding nothing but the four tools' exports. The
    two quarantined orders are 2 of 8: the quarantine limit is raised."""
    root = tmp_path_factory.mktemp("tools_only")
    shutil.copytree(FIXTURES, root / "raw")
    completed = custseg_here(
        root,
        [
            "build", "--raw-path", str(root / "raw"), "--as-of", AS_OF.isoformat(),
            "--var", "max_quarantine_ratio=0.2",
            # the unit tests check models on fixed rows: the suite's messy custseg builds
            # run them all already
            "--exclude", "resource_type:unit_test",
        ],
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return root / "warehouse.duckdb", completed


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def test_gate_1_takes_the_export_for_the_required_tables(shopify_only):
    _, completed = shopify_only
    assert "fed by the shopify orders export" in completed.stdout
    assert "QUALITY GATES FAILED" not in completed.stdout


def test_orders_map_row_by_row(shopify_only):
    path, _ = shopify_only
    orders = {
        row[0]: row[1:]
        for row in _query(
            path,
            "select order_id, customer_id, status, order_total, cast(ordered_at as varchar), "
            "channel, delivery_speed, shipping_postal_code, coupon_code, record_source "
            "from staging.stg_raw__orders",
        )
    }
    assert set(orders) == {f"shopify:#100{n}" for n in (1, 2, 3, 4, 5, 6, 8)}  # 1007: bad
    # no e-mail, but a tag naming the HubSpot contact
    assert orders["shopify:#1008"][:2] == ("hubspot:103", "completed")
    # the same person whatever the letter case of the e-mail
    assert orders["shopify:#1001"][0] == orders["shopify:#1005"][0] == ANNA
    assert orders["shopify:#1002"][0] == orders["shopify:#1004"][0] == BEN
    status = {order: row[1] for order, row in orders.items()}
    assert status == {
        "shopify:#1001": "completed",
        "shopify:#1002": "returned",
        "shopify:#1003": "cancelled",
        "shopify:#1004": "completed",
        "shopify:#1005": "completed",  # file 2's newer version: fulfilled
        "shopify:#1006": "placed",
        "shopify:#1008": "completed",
    }
    totals = {order: float(row[2]) for order, row in orders.items()}
    assert totals["shopify:#1001"] == 84.90
    assert totals["shopify:#1002"] == 0.0  # refunded in full
    assert totals["shopify:#1004"] == 50.0  # 60.00 less the 10.00 refunded
    # 2025-10-07 09:50:26 +0200 is 07:50:26 UTC
    assert orders["shopify:#1001"][3] == "2025-10-07 07:50:26"
    assert orders["shopify:#1001"][4:8] == ("web", "express", "10115", "WELCOME10")
    assert orders["shopify:#1004"][4:6] == ("store", "pickup")
    assert {row[8] for row in orders.values()} == {"shopify"}


def test_line_items_keep_their_position_and_identical_lines(shopify_only):
    path, _ = shopify_only
    lines = _query(
        path,
        "select order_id, line_number, product_id, quantity, unit_price "
        "from staging.stg_raw__order_items order by 1, 2",
    )
    by_order: dict[str, list] = {}
    for order_id, *line in lines:
        by_order.setdefault(order_id, []).append(tuple(line))
    assert [line[:3] for line in by_order["shopify:#1001"]] == [
        (1, "shopify:SKU-MASK", 2),
        (2, "shopify:SKU-SER", 1),
    ]
    assert float(by_order["shopify:#1001"][0][3]) == 34.90
    # two identical lines are two lines, not a duplicate
    assert [line[:3] for line in by_order["shopify:#1004"]] == [
        (1, "shopify:SKU-TOTE", 1),
        (2, "shopify:SKU-TOTE", 1),
    ]
    # a line without a SKU is its product's name
    assert by_order["shopify:#1006"][0][1] == "shopify:Soap Bar"


def test_the_products_export_brings_the_catalogue(shopify_only):
    """Shopify's products export (one row per variant, the product's columns on its first
    row, an extra image row) gives categories and list prices; a variant never ordered is
    a product too; products only the orders name keep what their lines say."""
    path, _ = shopify_only
    products = {
        row[0]: row[1:]
        for row in _query(
            path,
            "select product_id, product_name, category, subcategory, brand, list_price "
            "from staging.stg_raw__products",
        )
    }
    # the merchant's Type is the category, the taxonomy's last level the subcategory
    assert products["shopify:SKU-MASK"][:4] == (
        "Masque au Bio-Collagène",
        "skincare",
        "facial masks",
        "Leaf",
    )
    assert float(products["shopify:SKU-MASK"][4]) == 39.90  # the compare-at price
    # no Type: the taxonomy's first level (a comma inside it is no separator)
    assert products["shopify:SKU-TOTE"][:3] == ("Canvas Tote", "apparel & accessories", "handbags")
    assert products["shopify:SKU-TOTE-BLK"][1] == "apparel & accessories"  # never ordered
    # named by the orders export only
    assert products["shopify:SKU-SER"][1:3] == (None, None)
    assert not any(key.startswith("shopify:masque") for key in products)  # no image rows


def test_every_export_row_is_accounted_for(shopify_only):
    """The export's 12 rows are 12 order lines: 9 staged, 1 exact copy (#1005's line in
    both files), 1 without an order (missing order_id), 1 of the quarantined order #1007
    (orphan). Orders: 9 first rows, 7 staged, 1 older version, 1 quarantined."""
    path, _ = shopify_only
    # nothing of the export is stored as it landed: only through staging
    assert _query(
        path,
        "select count(*) from information_schema.tables where table_name like '%shopify%'",
    ) == [(0,)]
    reconciliation = {
        row[0]: row[1:]
        for row in _query(
            path,
            "select table_name, raw_row_count, staged_row_count, quarantined_row_count, "
            "superseded_row_count, exact_duplicate_row_count, erased_row_count "
            "from staging.stg_raw__reconciliation where record_source = 'shopify'",
        )
    }
    assert reconciliation["order_items"] == (12, 9, 2, 0, 1, 0)
    assert reconciliation["orders"] == (9, 7, 1, 1, 0, 0)
    assert reconciliation["customers"] == (5, 5, 0, 0, 0, 0)
    hubspot = _query(
        path,
        "select raw_row_count, staged_row_count, quarantined_row_count "
        "from staging.stg_raw__reconciliation where record_source = 'hubspot'",
    )
    assert hubspot == [(6, 5, 1)]  # the row without Record ID
    by_source = {
        row[:2]: row[2:]
        for row in _query(
            path,
            "select table_name, record_source, raw_row_count, staged_row_count, "
            "quarantined_row_count, superseded_row_count, exact_duplicate_row_count "
            "from staging.stg_raw__reconciliation "
            "where record_source in ('mailchimp', 'qualtrics')",
        )
    }
    assert by_source == {
        # 4 members; Ben's grant is superseded by his withdrawal; Ida's bounce
        ("customers", "mailchimp"): (4, 4, 0, 0, 0),
        ("consents", "mailchimp"): (5, 4, 0, 1, 0),
        ("email_events", "mailchimp"): (1, 1, 0, 0, 0),
        # 13 answers of 5 responses (the preview's are not answers): the anonymous one
        # (missing customer_id) and the one naming HubSpot contact 999 (orphan) quarantined;
        # 4 respondents with an e-mail
        ("survey_responses", "qualtrics"): (13, 11, 2, 0, 0),
        ("customers", "qualtrics"): (4, 4, 0, 0, 0),
    }
    quarantined = set(
        _query(
            path,
            "select table_name, quarantine_reason from staging.stg_raw__quarantine",
        )
    )
    assert quarantined == {
        ("customers", "missing_required:customer_id"),
        ("orders", "bad_type:order_total"),
        ("order_items", "missing_required:order_id"),
        ("order_items", "orphan:orders"),
        ("survey_responses", "missing_required:customer_id"),
        ("survey_responses", "orphan:customers"),
    }


def test_one_customer_per_person_across_tools_with_value_and_consent(shopify_only):
    path, _ = shopify_only
    customers = dict(_query(path, "select customer_id, record_sources from marts.dim_customers"))
    everywhere = "hubspot|mailchimp|qualtrics|shopify"
    assert customers == {
        ANNA_PERSON: everywhere, BEN_PERSON: everywhere,
        buyer("carla@example.com"): "shopify", buyer("dora@example.com"): "shopify",
        buyer("eve@example.com"): "shopify",
        "hubspot:103": "hubspot", "hubspot:104": "hubspot", "hubspot:106": "hubspot",
        # Hanna subscribed before she answered; Ida was cleaned; the respondent named
        # HubSpot 999 is a customer by the e-mail (his answer is quarantined)
        buyer("hanna.k@example.net", "mailchimp"): "mailchimp|qualtrics",
        buyer("old.address@example.com", "mailchimp"): "mailchimp",
        buyer("ghost@example.com", "qualtrics"): "qualtrics",
    }  # fmt: skip
    # Anna: HubSpot's firmographics and stage; her country from HubSpot's "Germany" (seed
    # country_names) and Shopify's DE agree
    assert _query(
        path,
        "select lifecycle_stage, company_size, country_code, city from marts.dim_customers "
        "where customer_id = ?",
        [ANNA_PERSON],
    ) == [("customer", 4, "DE", "Berlin")]
    stages = dict(
        _query(
            path,
            "select customer_id, lifecycle_stage from staging.stg_raw__customers "
            "where record_source = 'hubspot'",
        )
    )
    assert stages == {
        "hubspot:101": "customer", "hubspot:102": "mql", "hubspot:103": "lead",
        "hubspot:104": "subscriber", "hubspot:106": None,
    }  # fmt: skip
    # the companies export fills what a contact lacks: Ben's associated company (8801 of
    # 8801;8802, its latest version), Ida's by her e-mail's domain; Anna and Frank keep theirs
    firms = {
        row[0]: row[1:]
        for row in _query(
            path,
            "select customer_id, company_name, industry, company_size "
            "from staging.stg_raw__customers where record_source = 'hubspot'",
        )
    }
    # HubSpot's free-text countries: a name through seed country_names, a code as it is
    assert dict(
        _query(
            path,
            "select customer_id, country_code from staging.stg_raw__customers "
            "where record_source = 'hubspot' and country_code is not null",
        )
    ) == {"hubspot:101": "DE", "hubspot:102": "DE", "hubspot:103": "GB"}
    assert firms == {
        "hubspot:101": ("Berg Studio", "Marketing", 4),
        "hubspot:102": ("Okafor Logistics GmbH", "Logistics", 45),
        "hubspot:103": ("Mills & Sons", "Retail", 120),
        "hubspot:104": (None, None, None),
        "hubspot:106": ("Other Studio", "Architecture", 12),
    }
    rfm = {
        row[0]: (row[1], float(row[2]))
        for row in _query(path, "select customer_id, frequency, monetary from marts.customer_rfm")
    }
    assert rfm == {ANNA_PERSON: (2, 104.80), BEN_PERSON: (1, 50.0), "hubspot:103": (1, 30.0)}
    consent = dict(
        _query(
            path,
            "select customer_id, status from staging.stg_raw__consents "
            "where purpose = 'email_marketing'",
        )
    )
    # Anna said yes at her first order and no at her latest: the latest wins
    assert consent[ANNA] == "denied" and consent[BEN] == "granted"
    # over every source, per person: Anna's Shopify "no" (2026-01) is later than her
    # Mailchimp opt-in (2025-09); Ben unsubscribed (2026-02) after his last Shopify "yes";
    # Ida opted in but her address bounced: never e-mailed
    assert set(
        _query(
            path,
            "select customer_id, email_marketing_consent_status, has_email_bounced "
            "from marts.dim_customers where email_marketing_consent_status <> 'none' "
            "and customer_id not like 'shopify:%'",
        )
    ) == {
        (ANNA_PERSON, "denied", False), (BEN_PERSON, "withdrawn", False),
        ("hubspot:103", "denied", False),  # Frank said no at the till (#1008)
        (buyer("hanna.k@example.net", "mailchimp"), "granted", False),
        (buyer("old.address@example.com", "mailchimp"), "granted", True),
    }  # fmt: skip


def test_mailchimp_statuses_map_onto_consents_and_bounces(shopify_only):
    path, _ = shopify_only
    ben = buyer("ben.guest@example.org", "mailchimp")
    ida = buyer("old.address@example.com", "mailchimp")
    records = _query(
        path,
        "select customer_id, status, cast(recorded_at as varchar), row_status "
        "from staging.base_raw__consents where record_source = 'mailchimp' order by 1, 3",
    )
    assert records == sorted([
        # double opt-in: granted when confirmed
        (buyer("anna.berg@example.com", "mailchimp"), "granted", "2025-09-01 08:05:12", "staged"),
        # single opt-in: granted at the opt-in
        (buyer("hanna.k@example.net", "mailchimp"), "granted", "2026-03-10 17:45:00", "staged"),
        # subscribed, then unsubscribed: the withdrawal is the latest record
        (ben, "granted", "2025-11-05 19:31:40", "superseded"),
        (ben, "withdrawn", "2026-02-14 09:12:44", "staged"),
        (ida, "granted", "2024-01-10 10:02:00", "staged"),
    ])  # fmt: skip
    assert _query(
        path,
        "select customer_id, event_type, cast(occurred_at as varchar), campaign_id "
        "from staging.stg_raw__email_events",
    ) == [(ida, "bounced", "2025-06-01 06:30:00", "77aa66bb55")]
    # members' attributes: the country code upper-cased, location and time zone kept, no
    # stage
    assert _query(
        path,
        "select country_code, cast(latitude as double), cast(longitude as double), timezone, "
        "lifecycle_stage, cast(created_at as varchar) "
        "from staging.stg_raw__customers where customer_id = ?",
        [buyer("anna.berg@example.com", "mailchimp")],
    ) == [("DE", 52.52, 13.405, "Europe/Berlin", None, "2025-09-01 08:00:00")]


def test_qualtrics_answers_map_onto_zero_party_attributes(shopify_only):
    path, _ = shopify_only
    answers = {
        row[0]: row[1:]
        for row in _query(
            path,
            "select response_id, customer_id, survey_id, question_key, answer, "
            "cast(answered_at as varchar) from staging.stg_raw__survey_responses",
        )
    }
    anna = {key: value for key, value in answers.items() if key.startswith("R_1dY3")}
    # ExternalReference 101 is HubSpot's Anna; 10:15:02 in Berlin (summer) is 08:15:02 UTC
    assert {row[0] for row in anna.values()} == {ANNA_PERSON}
    assert {row[1] for row in anna.values()} == {"Customer Preferences"}
    assert {row[4] for row in anna.values()} == {"2026-06-01 08:15:02"}
    assert {row[2]: row[3] for row in anna.values()} == {
        "interests": "fitness|outdoor",  # 3,10
        "values": "quality|7",  # the mapping has no code 7: kept as given
        "preferred_channel": "email",
        "budget": "high",
        "nps": "9",
        "Q10_TEXT": "Love the serum, please more sizes",  # unmapped: kept
    }  # utm_source is embedded data, not a question
    ben = {row[2]: (row[0], row[3]) for key, row in answers.items() if key.startswith("R_2bX9")}
    # no ExternalReference: by the e-mail; a partial response's two answers count
    respondent = buyer("ben.guest@example.org", "qualtrics")
    assert ben == {"interests": (respondent, "adventure_travel"),
                   "personality": (respondent, "analytical")}  # fmt: skip
    assert not any(key.startswith("R_preview") for key in answers)
    # Hanna's budget came as choice text (Low): a text equal to a mapped value is that value
    hanna = {row[2]: row[3] for key, row in answers.items() if key.startswith("R_4hanna")}
    assert hanna == {"personality": "creative", "preferred_channel": "sms", "budget": "low"}
    # into the customer's zero-party profile, over the merged contacts
    assert _query(
        path,
        "select interests, budget, nps_score, preferred_channel, personality "
        "from marts.dim_customers where customer_id in (?, ?) order by customer_id",
        [ANNA_PERSON, BEN_PERSON],
    ) == [("fitness|outdoor", "high", 9, "email", None),
          ("adventure_travel", None, None, None, "analytical")]  # fmt: skip


def test_a_shopify_buyer_is_the_crm_contact_with_the_same_email(tmp_path):
    """Contract files and a tool export together: the CRM contact (created first) survives
    and the Shopify buyer with the same e-mail in other letters is merged into it. An
    erasure request naming a Shopify buyer erases them in every source."""
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "shopify", raw / "shopify")
    (raw / "customers.csv").write_text(
        "customer_id,email,first_name,created_at,updated_at\n"
        "C1,ANNA.BERG@example.com,Anna,2024-01-05T10:00:00Z,2024-01-05T10:00:00Z\n"
        "C2,zoe@example.net,Zoe,2024-02-01T10:00:00Z,2024-02-01T10:00:00Z\n",
        encoding="utf-8",
    )
    (raw / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,status,currency,order_total,updated_at\n"
        "O1,C1,2024-03-01T10:00:00Z,completed,EUR,10.00,2024-03-01T10:00:00Z\n",
        encoding="utf-8",
    )
    (raw / "erasure_requests.csv").write_text(
        f"customer_id,requested_at\n{BEN},2026-06-01T00:00:00Z\n", encoding="utf-8"
    )
    build = run_dbt(
        tmp_path / "warehouse.duckdb",
        raw,
        [
            "build",
            "--select",
            "+dim_customers",
            "--exclude-resource-type",
            "test",
            "unit_test",
        ],
    )
    assert build.result.success, build.result.failures()
    assert dict(
        build.query(
            "select customer_id, merged_contact_count || ' ' || record_sources "
            "from marts.dim_customers"
        )
    ) == {"C1": "2 landing|shopify", "C2": "1 landing",
          buyer("carla@example.com"): "1 shopify", buyer("dora@example.com"): "1 shopify",
          buyer("eve@example.com"): "1 shopify"}  # fmt: skip
    # Ben's customer row, his two orders, their three lines and his consents are erased
    erased = {
        table: build.query(
            f"select sum(duplicate_count + 1) from staging.base_raw__{table} "
            "where record_source = 'shopify' and row_status = 'erased'"
        )[0][0]
        for table in ("customers", "orders", "order_items", "consents")
    }
    assert erased == {"customers": 1, "orders": 2, "order_items": 3, "consents": 2}
    # and nothing anywhere holds his id, his e-mail or his orders' ids
    assert traces(build.path, {BEN, "ben.guest@example.org", "#1002", "#1004"}) == []
    assert build.query(
        "select purchase_count from marts.dim_customers where customer_id = 'C1'"
    ) == [(3,)]


def test_an_export_in_the_wrong_folder_is_named_with_where_it_belongs(tmp_path):
    """The mistake people make: the export dropped beside the contract files instead of in
    shopify/. Gate 1 says which file it found and where it goes."""
    from custseg.quality.raw_gate import validate_raw

    shutil.copy(FIXTURES / "shopify" / "orders_export_1.csv", tmp_path / "orders_export_1.csv")
    # any other CSV: not taken for a Qualtrics export (those are named after the survey)
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    failed = {r.table: r.message for r in validate_raw(tmp_path) if r.status == "fail"}
    assert set(failed) == {"customers", "orders"}
    hint = "orders_export_1.csv looks like a shopify orders export: move it into shopify/"
    assert all(hint in message for message in failed.values()), failed
    assert not any("notes.csv" in message for message in failed.values()), failed


@pytest.mark.parametrize(
    ("questions", "words"),
    [
        ({"Q1": {"attribute": "hobbies"}}, "question 'Q1': attribute 'hobbies' is not one"),
        ({"Q2": {"attribute": "budget", "answer": {1: "low"}}},
         "question 'Q2': unknown key 'answer'"),
    ],
)  # fmt: skip
def test_a_mistake_in_the_question_mapping_stops_the_compilation_naming_it(
    tmp_path, questions, words
):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "qualtrics", raw / "qualtrics")
    build = run_dbt(
        tmp_path / "warehouse.duckdb",
        raw,
        ["compile", "--select", "stg_qualtrics__answers"],
        qualtrics_questions=questions,
    )
    assert not build.result.success
    message = str(build.result.exception or build.result.result)
    assert "var qualtrics_questions: " + words in message, message


def test_the_country_names_seed_is_what_its_module_writes():
    """seeds/country_names.csv is generated (python -m custseg.contract.country_names): it
    equals the module's rows, and they hold the names a HubSpot user types."""
    import csv

    from custseg.contract import country_names

    with country_names.SEED.open(encoding="utf-8", newline="") as file:
        seeded = [tuple(row) for row in csv.reader(file)][1:]
    assert seeded == country_names.rows()
    codes = dict(seeded)
    for name, code in [("germany", "DE"), ("deutschland", "DE"), ("allemagne", "DE"),
                       ("osterreich", "AT"), ("österreich", "AT"), ("usa", "US"),
                       ("united kingdom", "GB"), ("namibia", "NA")]:  # fmt: skip
        assert codes[name] == code, name


def test_an_export_saved_again_by_a_german_excel_reads_the_same(tmp_path):
    """The mistake people make: opening the export in Excel and saving it (semicolons, a
    byte-order mark). Gate 1 and staging detect the delimiter, as for the contract's
    files, and stage the same orders and lines."""
    import csv
    import io

    from custseg.quality.raw_gate import validate_raw

    raw = tmp_path / "raw"
    (raw / "shopify").mkdir(parents=True)
    for source in sorted((FIXTURES / "shopify").glob("orders_export_*.csv")):
        with source.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
        text = io.StringIO()
        csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
        (raw / "shopify" / source.name).write_text("\ufeff" + text.getvalue(), encoding="utf-8")
    failed = [r for r in validate_raw(raw) if r.status == "fail"]
    assert failed == []
    build = run_dbt(
        tmp_path / "warehouse.duckdb", raw, ["run", "--select", "+base_raw__order_items"]
    )
    assert build.result.success, build.result.failures()
    counts = {
        table: build.query(
            f"select sum(duplicate_count + 1), count(case when row_status = 'staged' then 1 end)"
            f" from staging.base_raw__{table}"
        )[0]
        for table in ("orders", "order_items")
    }
    # as from the originals, but for #1008 and its line: no HubSpot export here, so the
    # contact its tag names is not staged (orphan)
    assert counts == {"orders": (9, 6), "order_items": (12, 8)}
    # a mixture of delimiters is named, not half read
    original = FIXTURES / "shopify" / "orders_export_2.csv"
    shutil.copy(original, raw / "shopify" / "orders_export_2.csv")
    failed = {r.check: r.message for r in validate_raw(raw) if r.status == "fail"}
    assert "have different delimiters" in failed["file_readable"], failed


def test_a_qualtrics_export_without_its_header_rows_stops_gate_1(tmp_path):
    """A Qualtrics file whose question-text and import-id rows were deleted (to "clean it
    up" in a spreadsheet): no column is known to be a question, so every answer would be
    left out. Gate 1 names the file and says what to do."""
    from custseg.quality.raw_gate import validate_raw

    source = next((FIXTURES / "qualtrics").glob("*.csv"))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "qualtrics").mkdir()
    (tmp_path / "qualtrics" / source.name).write_text(lines[0] + "".join(lines[3:]))
    failed = {r.check: r.message for r in validate_raw(tmp_path) if r.table.startswith("qualtrics")}
    assert failed == {
        "header_rows": f"{source.name}: the third row holds no import ids "
        '({"ImportId":...}): not Qualtrics\' CSV export with its three header rows. Export it '
        "again (Data & Analysis > Export data > CSV), without removing rows"
    }
