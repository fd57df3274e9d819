"""The generator's data as four marketing tools export it (``custseg generate --as-tools``).

A marketer rarely holds raw-contract files: she downloads a HubSpot contacts export, a
Shopify orders export, Mailchimp's audience zip and a Qualtrics results file per survey.
The dbt connectors (models/staging/<tool>/) map exactly those exports onto the raw contract,
so this module writes the generator's data in that shape, untouched by any cleaning, to
test the connectors end to end against the contract data they must give back:

- ``hubspot/hubspot-crm-exports-all-contacts-<as_of>.csv``: one contact per customer;
- ``shopify/orders_export_<n>.csv``: one row per order line, 50,000 lines per file at most;
- ``mailchimp/{subscribed,unsubscribed,cleaned}_members_export_<hex>.csv``: the audience;
- ``qualtrics/<survey name>_<Month D, YYYY>_<HH.MM>.csv``: one results file per survey;
- the contract tables no tool holds, as ``<table>.parquet`` at the top (customer ids
  rewritten to ``hubspot:<Record ID>``, the id the HubSpot connector gives a contact),
  without what the exports carry: the email_marketing consents (Mailchimp's statuses,
  Shopify's Accepts Marketing) and each cleaned member's first bounce (its CLEAN_TIME);
- ``_tools_manifest.json``: rows per file, counts per tool, the mapping rules, and the
  contract rows the exports cannot carry, so that a reconciliation can compare.

Identity: contract customer ``k``-th in customer_id order is HubSpot ``Record ID``
``1000 + k``. Shopify and Mailchimp carry the customer's e-mail (the connectors resolve
people by it); Qualtrics carries the Record ID as ``ExternalReference``.

How: ``generate()`` writes the contract tables as Parquet into a temporary folder (same
customers, seed and as_of), and DuckDB SQL over those files builds every export, so that
100,000 customers take seconds. Contract timestamps carry a UTC offset, ``Z`` or none (UTC);
every tool writes them in UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from . import zero_party as zp
from .generator import MANIFEST, generate

TOOLS_MANIFEST = "_tools_manifest.json"
TOOLS = ("hubspot", "shopify", "mailchimp", "qualtrics")
# Record ID of the first customer (customer_id order); the others follow one by one.
FIRST_RECORD_ID = 1001
# Shopify splits an orders export into files of at most this many lines (an order whole).
SHOPIFY_MAX_LINES = 50_000
FIRST_ORDER_NUMBER = 1001  # Name #1001 for the first order in order_id order
FIRST_SHOPIFY_ID = 5_100_000_000_000
# Qualtrics: the time of day in the file names (the export's download time).
QUALTRICS_EXPORT_TIME = "09.15"
PARTIAL_SHARE = 0.03  # about this share of Qualtrics responses is recorded unfinished

# Contract tables the exports replace (never written as contract files beside them) and the
# ones no tool holds (written as Parquet with rewritten customer ids; consents without the
# email_marketing rows, which Mailchimp and Shopify's Accepts Marketing carry).
REPLACED_TABLES = ("customers", "orders", "order_items", "products", "survey_responses")
CONTRACT_TABLES = (
    "web_events",
    "email_events",
    "campaigns",
    "loyalty_members",
    "reviews",
    "event_registrations",
    "erasure_requests",
    "fx_rates",
    "consents",
)
WITH_CUSTOMER_ID = (
    "web_events",
    "email_events",
    "loyalty_members",
    "reviews",
    "event_registrations",
    "erasure_requests",
    "consents",
)

HUBSPOT_HEADER = (
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Lifecycle Stage",
    "Create Date", "Last Modified Date", "Last Activity Date", "Company Name", "Job Title",
    "Industry", "Number of Employees", "City", "State/Region", "Country/Region",
    "Postal Code", "Marketing contact status",
)  # fmt: skip
LIFECYCLE_LABELS = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "mql": "Marketing Qualified Lead",
    "sql": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "evangelist": "Evangelist",
}

# Shopify's products export (Products > Export): one row per variant, the product's own
# columns on its first row; in its order.
SHOPIFY_PRODUCTS_HEADER = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags",
    "Published", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item", "Status",
)  # fmt: skip
# Shopify's documented orders export, 79 columns, in its order.
SHOPIFY_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity",
    "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2",
    "Billing Company", "Billing City", "Billing Zip", "Billing Province", "Billing Country",
    "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1",
    "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level",
    "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value",
    "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value",
    "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
    "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
)  # fmt: skip
FINANCIAL_STATUS = {
    "placed": "pending",
    "paid": "paid",
    "shipped": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "returned": "refunded",
}
# channel -> Source; app: iphone or android
SHOPIFY_SOURCE = {
    "web": "web",
    "store": "pos",
    "phone": "shopify_draft_order",
    "marketplace": "marketplace",
}
SHIPPING_METHOD = {
    "standard": "Standard Shipping",
    "express": "Express (1-2 days)",
    "same_day": "Same Day Delivery",
    "pickup": "Local pickup",
}

# then the status's own columns, then TAGS
MAILCHIMP_HEADER = (
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "Birthday",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
    "LAST_CHANGED",
    "LEID",
    "EUID",
    "NOTES",
)  # fmt: skip
MAILCHIMP_STATUS_COLUMNS = {
    "subscribed": (),
    "unsubscribed": ("UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                     "UNSUB_REASON", "UNSUB_REASON_OTHER"),
    "cleaned": ("CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"),
}  # fmt: skip
MAILCHIMP_STATUSES = tuple(MAILCHIMP_STATUS_COLUMNS)

# Qualtrics: the embedded columns (name, question text, import id, with a time zone).
QUALTRICS_FIELDS = (
    ("StartDate", "Start Date", "startDate", True),
    ("EndDate", "End Date", "endDate", True),
    ("Status", "Response Type", "status", False),
    ("IPAddress", "IP Address", "ipAddress", False),
    ("Progress", "Progress", "progress", False),
    ("Duration (in seconds)", "Duration (in seconds)", "duration", False),
    ("Finished", "Finished", "finished", False),
    ("RecordedDate", "Recorded Date", "recordedDate", True),
    ("ResponseId", "Response ID", "_recordId", False),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName", False),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName", False),
    ("RecipientEmail", "Recipient Email", "recipientEmail", False),
    ("ExternalReference", "External Data Reference", "externalDataReference", False),
    ("LocationLatitude", "Location Latitude", "locationLatitude", False),
    ("LocationLongitude", "Location Longitude", "locationLongitude", False),
    ("DistributionChannel", "Distribution Channel", "distributionChannel", False),
    ("UserLanguage", "User Language", "userLanguage", False),
)
# Q1..Q9: the contract's question_key, its answer options (codes are 1-based positions;
# None: the answer is the number itself, NPS 0..10), multi-select, and the question text.
# The project's default of dbt var qualtrics_questions.
QUALTRICS_QUESTIONS = (
    ("Q1", "interests", zp.INTERESTS, True, "Which of these interest you? - Selected Choice"),
    ("Q2", "values", zp.VALUES, True, "What matters most to you when you shop? - Selected Choice"),
    ("Q3", "personality", zp.PERSONALITY, False, "Which word describes you best?"),
    ("Q4", "needs", zp.NEEDS, True, "What do you need from us? - Selected Choice"),
    ("Q5", "preferred_channel", zp.CHANNELS, False, "How would you like us to contact you?"),
    ("Q6", "contact_frequency", zp.FREQUENCY, False, "How often would you like to hear from us?"),
    ("Q7", "budget", zp.BUDGET, False, "What is your budget for your next purchase?"),
    ("Q8", "purchase_intent", zp.INTENT, False, "When do you plan your next purchase?"),
    ("Q9", "nps", None, False,
     "How likely are you to recommend us to a friend or colleague?"),
)  # fmt: skip
# Readable survey names (the file names) of the generator's survey ids.
SURVEY_NAMES = {
    "SRV-PREFERENCES": "Customer Preferences",
    "SRV-STYLE-QUIZ": "Style Quiz",
    "SRV-CHECKOUT": "Post-Checkout Survey",
    "SRV-NPS": "Net Promoter Score",
    "SRV-ONBOARDING": "Welcome Onboarding",
    "SRV-MISC": "General Feedback",
}
UNNAMED_SURVEY = "Untitled Survey"  # responses without a survey_id
# English month names (not the locale's)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # fmt: skip
QUALTRICS_FILE = re.compile(r".+_[A-Z][a-z]+ \d{1,2}, \d{4}_\d{2}\.\d{2}\.csv")

# Synthetic IP addresses come from the documentation ranges (RFC 5737): nobody's address.
_IP_SQL = (
    "(['192.0.2.', '198.51.100.', '203.0.113.'])[cast(md5_number_lower({key}) % 3 as integer)"
    " + 1] || cast(1 + md5_number_upper({key}) % 254 as varchar)"
)
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class _Plain(str):
    """A SQL expression whose text never needs CSV quoting (numbers, times, fixed codes):
    written as it is, which saves the quoting check on the big exports' many columns."""


class ToolsOutputError(ValueError):
    """The output folder holds files that would be read beside the tool exports."""


def generate_tools(
    out_dir,
    customers: int,
    seed: int = 42,
    as_of: dt.date | None = None,
    progress: bool | None = None,
    shopify_max_lines: int = SHOPIFY_MAX_LINES,
) -> dict:
    """Generate the data of ``generate(out_dir, customers, seed, as_of=as_of)`` and write it
    as the four tools' exports (see the module docstring); returns the tools manifest.

    Export files an earlier run left in the tool folders (another as_of, more Shopify files)
    are replaced, so that the connectors do not read them beside the new ones; a folder
    holding raw-contract files of the replaced tables is refused (``ToolsOutputError``)."""
    out = Path(out_dir)
    check_output_folder(out)  # before minutes of generating, not after
    with tempfile.TemporaryDirectory(prefix="custseg-contract-") as contract_dir:
        generate(contract_dir, customers, seed=seed, fmt="parquet", as_of=as_of, progress=progress)
        return convert_to_tools(contract_dir, out, shopify_max_lines=shopify_max_lines)


def check_output_folder(out: Path) -> None:
    """Refuse a folder holding contract files the connectors would read beside the exports:
    a table the exports replace (customers, orders, ...), or a table written here as Parquet
    that also lies there as CSV or as a folder of deltas (two files for one table)."""
    clashes = []
    for table in (*REPLACED_TABLES, *CONTRACT_TABLES):
        names = [f"{table}.csv", f"{table}.csv.gz", table]
        if table in REPLACED_TABLES:
            names.append(f"{table}.parquet")
        clashes += [name for name in names if (out / name).exists()]
    if clashes:
        raise ToolsOutputError(
            f"{out} holds raw-contract files that would be read beside the tool exports "
            f"({', '.join(clashes)}): remove them or write to another folder"
        )


def convert_to_tools(
    contract_dir, out_dir, as_of: dt.date | None = None, shopify_max_lines: int = SHOPIFY_MAX_LINES
) -> dict:
    """Write the tool exports of the clean contract Parquet files in ``contract_dir`` (as
    ``generate(fmt="parquet")`` writes them) into ``out_dir``; returns the tools manifest,
    also written to ``<out_dir>/_tools_manifest.json``. ``as_of`` defaults to the one in
    the contract folder's ``_manifest.json``."""
    contract_dir, out = Path(contract_dir), Path(out_dir)
    source = {}
    if (contract_dir / MANIFEST).exists():
        source = json.loads((contract_dir / MANIFEST).read_text(encoding="utf-8"))
        if source.get("messy"):
            raise ValueError("the tool exports are written from clean contract data, not messy")
    as_of = as_of or (dt.date.fromisoformat(source["as_of"]) if "as_of" in source else None)
    if as_of is None:
        raise ValueError("as_of is required: the day the exports are taken")
    check_output_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        return _Exporter(con, contract_dir, out, as_of, source, shopify_max_lines).run()


def describe(manifest: dict) -> list[str]:
    """One line per tool folder (files, rows, what they hold) and one for the contract
    files, as ``custseg generate --as-tools`` prints them."""
    tools = manifest["tools"]
    members = tools["mailchimp"]["members"]
    what = {
        "hubspot": f"{tools['hubspot']['contacts']:,} contacts",
        "shopify": f"{tools['shopify']['orders']:,} orders, {tools['shopify']['lines']:,} lines",
        "mailchimp": ", ".join(f"{members[s]:,} {s}" for s in MAILCHIMP_STATUSES),
        "qualtrics": f"{tools['qualtrics']['responses']:,} responses, "
        f"{len(tools['qualtrics']['surveys'])} surveys",
    }
    lines = []
    for tool in TOOLS:
        files = {k: v for k, v in manifest["files"].items() if k.startswith(f"{tool}/")}
        rows = sum(v["rows"] for v in files.values())
        lines.append(f"{tool}/: {len(files)} file(s), {rows:,} rows ({what[tool]})")
    contract = manifest["contract_files"]
    lines.append(
        f"contract files (Parquet, hubspot: ids): {len(contract)} tables, "
        f"{sum(v['rows'] for v in contract.values()):,} rows"
    )
    return lines


def _literal(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _strings(values: Iterable[str]) -> str:
    """A DuckDB list literal of strings."""
    return "[" + ", ".join(_literal(v) for v in values) + "]"


def _case(expr: str, mapping: dict[str, str], default: str = "null") -> str:
    whens = " ".join(f"when {_literal(k)} then {_literal(v)}" for k, v in mapping.items())
    return f"case {expr} {whens} else {default} end"


class _Exporter:
    """One conversion: a DuckDB session over the contract files, writing into ``out``."""

    def __init__(
        self,
        con,
        contract_dir: Path,
        out: Path,
        as_of: dt.date,
        source: dict,
        shopify_max_lines: int,
    ):
        self.con = con
        self.contract_dir = contract_dir
        self.out = out
        self.as_of = as_of
        self.source = source
        self.shopify_max_lines = shopify_max_lines
        self.files: dict[str, dict] = {}
        self.tools: dict[str, dict] = {}
        self.lost: dict[str, dict] = {}  # contract rows an export cannot carry, and why

    # ------------------------------------------------------------------ helpers
    def scalar(self, query: str):
        return self.con.sql(query).fetchone()[0]

    def rows(self, query: str) -> list[tuple]:
        return self.con.sql(query).fetchall()

    def _setup(self) -> None:
        """UTC session, a view per contract table (with its row position, the tie-breaker
        between versions of one timestamp) and the SQL macros of the exports."""
        self.con.execute("set TimeZone = 'UTC'")
        self.con.execute("set enable_progress_bar = false")
        for table in (*REPLACED_TABLES, *CONTRACT_TABLES):
            path = self.contract_dir / f"{table}.parquet"
            self.con.execute(
                f"create view contract_{table} as select * from "
                f"read_parquet({_literal(path)}, file_row_number = true)"
            )
        self.con.execute(
            # a CSV field, quoted only when it must be (as Python's csv module does)
            "create macro csv_field(x) as case when x is null then '' "
            "when contains(x, ',') or contains(x, '\"') or contains(x, chr(10)) "
            "or contains(x, chr(13)) then '\"' || replace(x, '\"', '\"\"') || '\"' else x end"
        )
        self.con.execute("create macro ts(x) as try_cast(x as timestamptz)")
        self.con.execute("create macro utc_text(t) as strftime(t, '%Y-%m-%d %H:%M:%S')")
        self.con.execute("create macro money(x) as cast(cast(x as decimal(18, 2)) as varchar)")
        self.con.execute(
            # n stable characters [0-9A-Za-z] of a key's MD5 (Qualtrics response ids)
            "create macro base62_id(key, n) as array_to_string(list_transform(range(n), "
            f"i -> substr({_literal(_BASE62)}, cast((((case when i < 10 "
            "then md5_number_lower(key) >> cast(6 * i as ubigint) "
            "else md5_number_upper(key) >> cast(6 * (i - 10) as ubigint) end) "
            "& cast(63 as ubigint)) % 62) as integer) + 1, 1)), '')"
        )

    def _write_csv(
        self, name: str | Callable[[int], str], header_rows: list[tuple], query: str
    ) -> dict[str, int]:
        """Write the ``line`` column of ``query`` (CSV lines with their newline, in order;
        see ``_line``) after the header rows. ``name`` is a file name, or a function of the
        ``part`` column (1, 2, ...) that splits the lines into files. The lines' bytes go
        from DuckDB's Arrow buffers to the file as they are (no Python string per line).
        Returns the rows written per file (paths relative to ``out``)."""
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(header_rows)
        header = text.getvalue().encode("utf-8")
        split = callable(name)
        written: dict[str, int] = {}
        handle, current = None, None

        def open_file(relative: str):
            nonlocal handle, current
            if handle:
                handle.close()
            path = self.out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("wb")
            handle.write(header)
            current, written[relative] = relative, 0

        try:
            for batch in self.con.sql(query).fetch_arrow_reader(100_000):
                lines = batch.column("line")
                if not (pa.types.is_string(lines.type) or pa.types.is_large_string(lines.type)):
                    lines = lines.cast(pa.large_string())
                width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
                n = len(lines)
                if n == 0:
                    continue
                offsets = np.frombuffer(lines.buffers()[1], dtype=width)[
                    lines.offset : lines.offset + n + 1
                ]
                data = memoryview(lines.buffers()[2])
                parts = batch.column("part").to_numpy() if split else np.ones(n, np.int64)
                bounds = np.flatnonzero(np.diff(parts)) + 1
                for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
                    relative = name(int(parts[lo])) if split else name
                    if relative != current:
                        open_file(relative)
                    handle.write(data[offsets[lo] : offsets[hi]])
                    written[relative] += int(hi - lo)
            if not written:  # no rows: the header alone, as a tool exports an empty list
                open_file(name(1) if split else name)
        finally:
            if handle:
                handle.close()
        for relative, rows in written.items():
            self.files[relative] = {"rows": rows}
        return written

    @staticmethod
    def _line(exprs: Iterable[str | None]) -> str:
        """The SQL of one CSV line, with its newline, of text expressions (None: an always
        empty field; a ``_Plain`` one is never quoted: numbers, times, codes)."""
        fields = [
            "''" if e is None
            else f"coalesce(cast({e} as varchar), '')" if isinstance(e, _Plain)
            else f"csv_field(cast({e} as varchar))"
            for e in exprs
        ]  # fmt: skip
        return "concat_ws(',', " + ", ".join(fields) + ") || chr(10)"

    def _remove_stale(self) -> None:
        """Remove the export files an earlier run wrote here (another size or date would
        leave files the connectors read beside the new ones); other files stay."""
        patterns = {
            "hubspot": ["hubspot-crm-exports-all-contacts-*.csv"],
            "shopify": ["orders_export_*.csv", "products_export_*.csv"],
            "mailchimp": [f"{s}_members_export_*.csv" for s in MAILCHIMP_STATUSES],
            "qualtrics": ["*.csv"],
        }
        for tool, globs in patterns.items():
            for pattern in globs:
                for path in (self.out / tool).glob(pattern):
                    if tool != "qualtrics" or QUALTRICS_FILE.fullmatch(path.name):
                        path.unlink()

    # ------------------------------------------------------------------ run
    def run(self) -> dict:
        self._setup()
        self._remove_stale()
        self._customers()
        self._hubspot()
        self._shopify()
        self._shopify_products()
        self._mailchimp()
        self._qualtrics()
        contract_files = self._contract_files()
        manifest = {
            "as_of": self.as_of.isoformat(),
            "generator": {
                k: self.source[k]
                for k in ("generator_version", "seed", "customers", "as_of")
                if k in self.source
            },
            "files": dict(sorted(self.files.items())),
            "tools": self.tools,
            "contract_files": contract_files,
            "not_represented": self.lost,
            "mapping": self._mapping_rules(),
        }
        (self.out / TOOLS_MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return manifest

    # ------------------------------------------------------------------ people
    def _customers(self) -> None:
        """Tables every export reads: ``customer``, each customer's latest version (by
        updated_at; the later row on a tie) with its Record ID and e-mail (trimmed, null when
        empty); ``email_consent``, the email_marketing consent log, and
        ``latest_email_consent``, its latest record per customer; ``timezone_offset``."""
        self.con.execute(
            f"""
            create temp table customer as
            with versions as (
                select
                    *,
                    row_number() over (
                        partition by customer_id
                        order by ts(updated_at) desc nulls last, file_row_number desc
                    ) as recency
                from contract_customers
            )
            select
                * exclude (recency, file_row_number),
                {FIRST_RECORD_ID - 1} + row_number() over (order by customer_id) as record_id,
                nullif(trim(email), '') as email_address,
                ts(created_at) as created_ts,
                ts(updated_at) as updated_ts
            from versions
            where recency = 1
            """
        )
        self.con.execute(
            """
            create temp table email_consent as
            select
                customer_id,
                lower(trim(status)) as status,
                ts(recorded_at) as recorded_ts,
                source,
                file_row_number
            from contract_consents
            where lower(trim(purpose)) = 'email_marketing'
            """
        )
        self.con.execute(
            """
            create temp table latest_email_consent as
            select customer_id, status, recorded_ts, source
            from (
                select
                    *,
                    row_number() over (
                        partition by customer_id
                        order by recorded_ts desc nulls last, file_row_number desc
                    ) as recency
                from email_consent
            )
            where recency = 1
            """
        )
        # Mailchimp's GMTOFF/DSTOFF: standard and summer offset (hours) of each timezone
        year = self.as_of.year
        offsets = []
        for (name,) in self.rows("select distinct timezone from customer where timezone != ''"):
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
            hours = sorted(
                dt.datetime(year, month, 1, tzinfo=zone).utcoffset().total_seconds() / 3600
                for month in (1, 7)
            )
            offsets.append((name, *(f"{h:g}" for h in hours)))
        zones = pa.table(
            {k: [row[i] for row in offsets] for i, k in enumerate(("timezone", "gmt", "dst"))},
            schema=pa.schema([(k, pa.string()) for k in ("timezone", "gmt", "dst")]),
        )
        self.con.register("timezone_offsets", zones)
        self.con.execute("create temp table timezone_offset as select * from timezone_offsets")
        self.con.unregister("timezone_offsets")

        versions = self.scalar("select count(*) from contract_customers")
        customers = self.scalar("select count(*) from customer")
        self.lost["customers"] = {
            "superseded_versions": {
                "rows": versions - customers,
                "why": "a CRM export holds each contact's current version only",
            },
            "columns_not_exported": {
                "columns": [
                    "birth_date",
                    "gender",
                    "marital_status",
                    "education",
                    "annual_income",
                    "latitude",
                    "longitude",
                    "timezone",
                    "language",
                ],
                "why": "not among HubSpot's default contact properties (birth date, "
                "geolocation and timezone reach Mailchimp's columns for its members)",
            },
        }

    # ------------------------------------------------------------------ HubSpot
    def _hubspot(self) -> None:
        """One contact per customer, dates ``YYYY-MM-DD HH:MM`` in UTC. Last Activity Date:
        the latest order, e-mail open or click; marketing contact: the latest
        email_marketing consent is granted."""
        self.con.execute(
            """
            create temp table activity as
            select customer_id, max(activity_ts) as last_activity
            from (
                select customer_id, ts(ordered_at) as activity_ts from contract_orders
                union all
                select customer_id, ts(occurred_at) from contract_email_events
                where lower(trim(event_type)) in ('opened', 'clicked')
            )
            group by customer_id
            """
        )
        minutes = "'%Y-%m-%d %H:%M'"
        line = self._line(
            [
                "c.record_id",
                "c.first_name",
                "c.last_name",
                "c.email_address",
                "c.phone",
                _case("lower(trim(c.lifecycle_stage))", LIFECYCLE_LABELS),
                f"strftime(c.created_ts, {minutes})",
                f"strftime(c.updated_ts, {minutes})",
                f"strftime(a.last_activity, {minutes})",
                "c.company_name",
                "c.job_title",
                "c.industry",
                "c.company_size",
                "c.city",
                "c.region",
                "c.country_code",
                "c.postal_code",
                "case when e.status = 'granted' then 'Marketing contact' "
                "else 'Non-marketing contact' end",
            ]
        )
        name = f"hubspot/hubspot-crm-exports-all-contacts-{self.as_of.isoformat()}.csv"
        written = self._write_csv(
            name,
            [HUBSPOT_HEADER],
            f"""
            select {line} as line
            from customer as c
            left join activity as a on c.customer_id = a.customer_id
            left join latest_email_consent as e on c.customer_id = e.customer_id
            order by c.record_id
            """,
        )
        self.tools["hubspot"] = {
            "files": 1,
            "contacts": written[name],
            "contacts_without_email": self.scalar(
                "select count(*) from customer where email_address is null"
            ),
            "marketing_contacts": self.scalar(
                "select count(*) from customer c join latest_email_consent e "
                "using (customer_id) where e.status = 'granted'"
            ),
        }

    # ------------------------------------------------------------------ Shopify
    def _shopify(self) -> None:
        """Orders' latest versions with their lines, one export row per line, the order's
        columns on its first row; orders of customers missing from customers left out."""
        con = self.con
        con.execute(
            f"""
            create temp table shop_order as
            with versions as (
                select
                    *,
                    row_number() over (
                        partition by order_id
                        order by ts(updated_at) desc nulls last, file_row_number desc
                    ) as recency
                from contract_orders
            ),
            latest as (
                select
                    * exclude (recency),
                    {FIRST_ORDER_NUMBER - 1} + row_number() over (order by order_id)
                        as order_number,
                    lower(trim(status)) as order_status,
                    ts(ordered_at) as ordered_ts,
                    ts(updated_at) as updated_ts
                from versions
                where recency = 1
            ),
            app_platform as (  -- the platform of the buyer's app events
                select
                    customer_id,
                    case
                        when count(*) filter (where app_platform = 'ios')
                            >= count(*) filter (where app_platform = 'android')
                            then 'iphone'
                        else 'android'
                    end as platform
                from contract_web_events
                where app_platform in ('ios', 'android') and customer_id is not null
                group by customer_id
            )
            select
                o.*,
                c.record_id,
                c.email_address,
                nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as billing_name,
                c.company_name,
                c.city,
                c.region,
                c.country_code,
                c.postal_code,
                c.phone,
                p.platform
            from latest as o
            left join customer as c on o.customer_id = c.customer_id
            left join app_platform as p on o.customer_id = p.customer_id
            """
        )
        # Accepts Marketing: the buyer's email_marketing consent in force when ordering
        con.execute(
            """
            create temp table shop_accepts as
            select o.order_id, e.status as consent_status
            from shop_order as o
            asof left join email_consent as e
                on o.customer_id = e.customer_id and o.ordered_ts >= e.recorded_ts
            """
        )
        con.execute(
            """
            create temp table shop_line as
            with items as (
                select
                    *,
                    row_number() over (
                        partition by order_id, line_number order by file_row_number desc
                    ) as recency
                from contract_order_items
            ),
            products as (
                select
                    *,
                    row_number() over (partition by product_id order by file_row_number desc)
                        as recency
                from contract_products
            )
            select
                i.order_id,
                row_number() over (partition by i.order_id order by i.line_number) as position,
                i.quantity,
                i.unit_price,
                i.product_id,
                coalesce(p.product_name, i.product_id) as product_name,
                p.brand
            from items as i
            left join products as p on i.product_id = p.product_id and p.recency = 1
            where i.recency = 1
            """
        )
        # files of whole orders, at most shopify_max_lines lines each (as Shopify splits)
        sizes = self.rows(
            """
            select o.order_number, greatest(count(l.order_id), 1)
            from shop_order as o
            left join shop_line as l on o.order_id = l.order_id
            where o.record_id is not null
            group by o.order_number
            order by o.order_number
            """
        )
        part, used, parts = 1, 0, []
        for number, lines in sizes:
            if used and used + lines > self.shopify_max_lines:
                part, used = part + 1, 0
            used += lines
            parts.append((number, part))
        con.register(
            "order_part_rows",
            pa.table(
                {
                    "order_number": pa.array([n for n, _ in parts], pa.int64()),
                    "part": pa.array([p for _, p in parts], pa.int64()),
                }
            ),
        )
        con.execute("create temp table order_part as select * from order_part_rows")
        con.unregister("order_part_rows")

        shop_time = "'%Y-%m-%d %H:%M:%S +0000'"
        status = "o.order_status"
        fulfilled = f"{status} in ('shipped', 'completed', 'returned')"
        no_shipping = "(lower(o.channel) = 'store' or lower(o.delivery_speed) = 'pickup')"

        def zip_code(expr: str) -> str:  # Shopify keeps a numeric zip's zeros with a '
            return (
                f"case when regexp_full_match({expr}, '[0-9]+') then '''' || {expr} else {expr} end"
            )

        order_level = {
            "Financial Status": _case(status, FINANCIAL_STATUS, "'pending'"),
            "Paid at": f"case when {status} in ('paid', 'shipped', 'completed', 'returned') "
            f"then strftime(o.ordered_ts, {shop_time}) end",
            "Fulfillment Status": f"case when {fulfilled} then 'fulfilled' else 'unfulfilled' end",
            "Fulfilled at": f"case when {status} in ('shipped', 'completed') "
            f"then strftime(o.updated_ts, {shop_time}) end",
            "Accepts Marketing": "case when a.consent_status = 'granted' then 'yes' else 'no' end",
            "Currency": "upper(o.currency)",
            "Subtotal": "money(s.subtotal)",
            "Shipping": "money(o.shipping_total)",
            "Total": "money(o.order_total)",
            "Discount Code": "o.coupon_code",
            "Discount Amount": "money(o.discount_total)",
            "Shipping Method": _case("lower(o.delivery_speed)", SHIPPING_METHOD),
            "Created at": f"strftime(o.ordered_ts, {shop_time})",
            "Billing Name": "o.billing_name",
            "Billing Company": "o.company_name",
            "Billing City": "o.city",
            "Billing Zip": zip_code("o.postal_code"),
            "Billing Province": "o.region",
            "Billing Country": "o.country_code",
            "Billing Phone": "o.phone",
            "Shipping Name": f"case when not {no_shipping} then o.billing_name end",
            "Shipping City": "case when o.shipping_postal_code = o.postal_code then o.city end",
            "Shipping Zip": zip_code("o.shipping_postal_code"),
            "Shipping Province": "case when o.shipping_postal_code = o.postal_code "
            "then o.region end",
            "Shipping Country": f"case when not {no_shipping} then o.country_code end",
            "Cancelled at": f"case when {status} = 'cancelled' "
            f"then strftime(o.updated_ts, {shop_time}) end",
            "Payment Method": _case(
                "lower(o.channel)", {"store": "Cash", "phone": "manual"}, "'Shopify Payments'"
            ),
            "Refunded Amount": f"case when {status} = 'returned' then money(o.order_total) end",
            "Id": f"{FIRST_SHOPIFY_ID} + o.order_number",
            "Risk Level": "'Low'",
            "Source": "case when lower(o.channel) = 'app' then coalesce(o.platform, "
            "case when o.order_number % 2 = 0 then 'iphone' else 'android' end) else "
            + _case("lower(o.channel)", SHOPIFY_SOURCE)
            + " end",
            "Billing Province Name": "o.region",
            "Shipping Province Name": "case when o.shipping_postal_code = o.postal_code "
            "then o.region end",
        }
        line_level = {  # on every row of the order
            "Name": "'#' || o.order_number",
            "Email": "o.email_address",
            "Lineitem quantity": "l.quantity",
            "Lineitem name": "l.product_name",
            "Lineitem price": "money(l.unit_price)",
            "Lineitem sku": "l.product_id",
            "Lineitem requires shipping": f"case when l.order_id is not null "
            f"then case when {no_shipping} then 'false' else 'true' end end",
            "Lineitem taxable": "case when l.order_id is not null then 'true' end",
            "Lineitem fulfillment status": f"case when l.order_id is not null then "
            f"case when {fulfilled} then 'fulfilled' else 'pending' end end",
            "Vendor": "l.brand",
        }
        # columns this export computes (statuses, times, amounts, ids): never quoted
        plain = {
            "Name", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
            "Accepts Marketing", "Subtotal", "Shipping", "Total", "Discount Amount",
            "Shipping Method", "Created at", "Lineitem quantity", "Lineitem price",
            "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
            "Cancelled at", "Payment Method", "Refunded Amount", "Id", "Risk Level", "Source",
        }  # fmt: skip
        exprs = []
        for column in SHOPIFY_HEADER:  # the others stay empty
            expr = None
            if column in line_level:
                expr = line_level[column]
            elif column in order_level:  # on the order's first row only
                expr = f"case when coalesce(l.position, 1) = 1 then {order_level[column]} end"
            exprs.append(_Plain(expr) if expr and column in plain else expr)
        written = self._write_csv(
            lambda part: f"shopify/orders_export_{part}.csv",
            [SHOPIFY_HEADER],
            f"""
            select p.part, {self._line(exprs)} as line
            from shop_order as o
            join order_part as p on o.order_number = p.order_number
            join shop_accepts as a on o.order_id = a.order_id
            left join (
                select order_id, sum(quantity * unit_price) as subtotal
                from shop_line group by order_id
            ) as s on o.order_id = s.order_id
            left join shop_line as l on o.order_id = l.order_id
            order by o.order_number, l.position
            """,
        )

        counts = dict(
            self.rows(
                """
                select 'orders', count(*) from shop_order where record_id is not null
                union all
                select 'orders_without_customer', count(*) from shop_order where record_id is null
                union all
                select 'orders_without_email', count(*) from shop_order
                where record_id is not null and email_address is null
                union all
                select 'orders_without_lines', count(*) from shop_order as o
                where record_id is not null
                    and not exists (select 1 from shop_line as l where l.order_id = o.order_id)
                union all
                select 'lines', count(*) from shop_line as l
                join shop_order as o on l.order_id = o.order_id where o.record_id is not null
                union all
                select 'lines_of_orders_left_out', count(*) from shop_line as l
                join shop_order as o on l.order_id = o.order_id where o.record_id is null
                union all
                select 'orphan_lines', count(*) from shop_line as l
                where not exists (select 1 from shop_order as o where o.order_id = l.order_id)
                union all
                select 'order_versions', count(*) from contract_orders
                union all
                select 'products', count(*) from contract_products
                union all
                select 'products_in_export', count(distinct l.product_id) from shop_line as l
                join shop_order as o on l.order_id = o.order_id where o.record_id is not null
                union all
                select 'shipped', count(*) from shop_order
                where record_id is not null and order_status = 'shipped'
                union all
                select 'returned', count(*) from shop_order
                where record_id is not null and order_status = 'returned'
                union all
                select 'updated_at', count(*) from shop_order
                where record_id is not null and updated_ts != ordered_ts
                    and order_status not in ('shipped', 'completed', 'cancelled')
                union all
                select 'device_type', count(*) from shop_order
                where record_id is not null and device_type is not null
                union all
                select 'accepts_marketing', count(*) from shop_order as o
                join shop_accepts as a on o.order_id = a.order_id
                where o.record_id is not null and a.consent_status = 'granted'
                """
            )
        )
        by_status = dict(
            self.rows(
                f"""
                select {_case("order_status", FINANCIAL_STATUS, "'pending'")}, count(*)
                from shop_order where record_id is not null group by all order by all
                """
            )
        )
        self.tools["shopify"] = {
            "files": len(written),
            "orders": counts["orders"],
            "lines": counts["lines"] + counts["orders_without_lines"],
            "line_items": counts["lines"],
            "orders_by_financial_status": by_status,
            "orders_accepting_marketing": counts["accepts_marketing"],
            "orders_without_email": counts["orders_without_email"],
            "products": counts["products_in_export"],
        }
        self.lost["orders"] = {
            "superseded_versions": {
                "rows": counts["order_versions"]
                - counts["orders"]
                - counts["orders_without_customer"],
                "why": "an orders export holds each order's current state only",
            },
            "orders_of_unknown_customers": {
                "rows": counts["orders_without_customer"],
                "why": "their customer_id has no row in customers: no buyer to export",
            },
            "orders_without_email": {
                "rows": counts["orders_without_email"],
                "why": "exported with an empty Email (their customer has none): the "
                "connector cannot link them to a customer",
            },
            "orders_without_lines": {
                "rows": counts["orders_without_lines"],
                "why": "exported as one row with empty Lineitem columns",
            },
            "shipped_read_back_as_completed": {
                "rows": counts["shipped"],
                "why": "Shopify has no 'shipped but not completed' state: shipped and "
                "completed are both paid + fulfilled, which the connector reads as completed",
            },
            "returned_value": {
                "rows": counts["returned"],
                "why": "returned orders are refunded with Refunded Amount = Total: with var "
                "shopify_refunds_reduce_value the connector reads their order_total as 0",
            },
            "updated_at": {
                "rows": counts["updated_at"],
                "why": "the export dates an order by Created at, Paid at (= ordered_at), "
                "Fulfilled at (updated_at of shipped, completed) and Cancelled at (updated_at "
                "of cancelled): the last change of placed, paid and returned orders is lost",
            },
            "device_type": {
                "rows": counts["device_type"],
                "why": "the orders export has no device column (Source tells the app's "
                "platform only)",
            },
        }
        self.lost["order_items"] = {
            "lines_of_orders_left_out": {
                "rows": counts["lines_of_orders_left_out"],
                "why": "their order's customer has no row in customers",
            },
            "lines_without_order": {
                "rows": counts["orphan_lines"],
                "why": "no order with their order_id",
            },
        }
        self.lost["products"] = {
            "never_ordered": {
                "rows": counts["products"] - counts["products_in_export"],
                "why": "an orders export names only the products in its line items",
            },
            "columns_not_exported": {
                "columns": ["category", "subcategory", "list_price", "currency", "launched_at"],
                "why": "not in the orders export (Vendor is the brand)",
            },
        }

    def _shopify_products(self) -> None:
        """The catalogue as Shopify's products export: one product per row (one variant
        each), its latest version; Type is the category, Product Category the taxonomy path
        "<category> > <subcategory>", Variant SKU the product id (the orders export's
        Lineitem sku), Variant Price the list price. Shopify keeps no launch date."""
        exprs = {
            "Handle": "'p-' || lower(regexp_replace(product_id, '[^A-Za-z0-9]+', '-', 'g'))",
            "Title": "coalesce(product_name, product_id)",
            "Vendor": "brand",
            "Product Category": "case when subcategory is not null "
            "then category || ' > ' || subcategory else category end",
            "Type": "category",
            "Published": _Plain("'true'"),
            "Option1 Name": "'Title'",
            "Option1 Value": "'Default Title'",
            "Variant SKU": "product_id",
            "Variant Inventory Policy": "'deny'",
            "Variant Fulfillment Service": "'manual'",
            "Variant Price": _Plain("money(list_price)"),
            "Variant Requires Shipping": _Plain("'true'"),
            "Variant Taxable": _Plain("'true'"),
            "Gift Card": _Plain("'false'"),
            "Status": "'active'",
        }
        written = self._write_csv(
            "shopify/products_export_1.csv",
            [SHOPIFY_PRODUCTS_HEADER],
            f"""
            select {self._line(exprs.get(column) for column in SHOPIFY_PRODUCTS_HEADER)} as line
            from (
                select
                    *,
                    row_number() over (partition by product_id order by file_row_number desc)
                        as recency
                from contract_products
            )
            where recency = 1
            order by product_id
            """,
        )
        self.tools["shopify"]["products_export_files"] = len(written)
        self.tools["shopify"]["catalogue_products"] = sum(written.values())
        self.lost["products"] = {
            "columns_not_exported": {
                "columns": ["currency", "launched_at"],
                "why": "the products export has prices in the shop's currency and no launch date",
            },
        }

    # ------------------------------------------------------------------ Mailchimp
    def _mailchimp(self) -> None:
        """The audience: customers with an e-mail and an email_marketing consent record.
        Cleaned when any e-mail bounced; else subscribed when the latest record is granted,
        unsubscribed when withdrawn (or denied after a grant). Never granted: absent."""
        self.con.execute(
            """
            create temp table member as
            with consent as (
                select
                    customer_id,
                    min(recorded_ts) filter (where status = 'granted') as optin_ts,
                    bool_or(status = 'granted') as ever_granted
                from email_consent
                group by customer_id
            ),
            events as (
                select
                    customer_id,
                    min(ts(occurred_at)) filter (where lower(trim(event_type)) = 'bounced')
                        as clean_ts,
                    arg_min(campaign_id, ts(occurred_at))
                        filter (where lower(trim(event_type)) = 'bounced') as clean_campaign,
                    arg_min(event_id, ts(occurred_at))
                        filter (where lower(trim(event_type)) = 'bounced') as clean_event_id,
                    count(*) filter (where lower(trim(event_type)) = 'opened') as opens
                from contract_email_events
                group by customer_id
            ),
            loyalty as (
                select customer_id, max(lower(tier)) filter (where lower(tier) in
                    ('gold', 'platinum')) as vip
                from contract_loyalty_members
                group by customer_id
            ),
            members as (
                select
                    c.*,
                    k.optin_ts,
                    l.status as last_status,
                    l.recorded_ts as last_ts,
                    l.source as last_source,
                    ev.clean_ts,
                    ev.clean_campaign,
                    ev.clean_event_id,
                    coalesce(ev.opens, 0) as opens,
                    y.vip,
                    case
                        when ev.clean_ts is not null then 'cleaned'
                        when l.status = 'granted' then 'subscribed'
                        when l.status = 'withdrawn'
                            or (l.status = 'denied' and k.ever_granted) then 'unsubscribed'
                    end as member_status
                from customer as c
                join consent as k on c.customer_id = k.customer_id
                join latest_email_consent as l on c.customer_id = l.customer_id
                left join events as ev on c.customer_id = ev.customer_id
                left join loyalty as y on c.customer_id = y.customer_id
                where c.email_address is not null
            )
            select
                *,
                optin_ts + to_seconds(60 + md5_number_lower('confirm|' || customer_id) % 540)
                    as confirm_ts,
                case when member_status = 'unsubscribed' then last_ts end as unsub_ts
            from members
            where member_status is not null
            """
        )
        hex_id = hashlib.md5(
            json.dumps(
                [self.source.get("seed"), self.source.get("customers"), self.as_of.isoformat()]
            ).encode()
        ).hexdigest()[:10]
        base = [
            "m.email_address",
            "m.first_name",
            "m.last_name",
            None,  # Address: the contract has no street
            "m.phone",
            "strftime(m.birth_date, '%m/%d')",
            "case when m.member_status = 'cleaned' then 1 when m.opens = 0 then 2 "
            "when m.opens < 5 then 3 when m.opens < 15 then 4 else 5 end",
            "utc_text(m.optin_ts)",
            None,  # OPTIN_IP: signed up through a form, confirmed by e-mail (double opt-in)
            "utc_text(m.confirm_ts)",
            "case when m.confirm_ts is not null then "
            + _IP_SQL.format(key="'ip|' || m.customer_id")
            + " end",
            "m.latitude",
            "m.longitude",
            "z.gmt",
            "z.dst",
            "m.timezone",
            "m.country_code",
            "m.region",
            "utc_text(greatest(m.confirm_ts, m.unsub_ts, m.clean_ts))",
            f"{200_000_000 - FIRST_RECORD_ID} + m.record_id",  # LEID
            "substr(md5('euid|' || m.customer_id), 1, 10)",  # EUID
            None,  # NOTES
        ]
        extra = {
            "subscribed": [],
            "unsubscribed": [
                "utc_text(m.unsub_ts)",
                None,
                None,
                "case when m.last_source in ('preference_center', 'app_settings') then "
                "'I no longer want to receive these emails' "
                "else 'N/A (Unsubscribed by an admin)' end",
                None,
            ],
            "cleaned": ["utc_text(m.clean_ts)", "g.campaign_name", "m.clean_campaign"],
        }
        tags = "case when m.vip is not null then '\"vip\"' end"
        members = {}
        for member_status in MAILCHIMP_STATUSES:
            name = f"mailchimp/{member_status}_members_export_{hex_id}.csv"
            header = (*MAILCHIMP_HEADER, *MAILCHIMP_STATUS_COLUMNS[member_status], "TAGS")
            written = self._write_csv(
                name,
                [header],
                f"""
                select {self._line([*base, *extra[member_status], tags])} as line
                from member as m
                left join timezone_offset as z on m.timezone = z.timezone
                left join contract_campaigns as g on m.clean_campaign = g.campaign_id
                where m.member_status = {_literal(member_status)}
                order by m.record_id
                """,
            )
            members[member_status] = written[name]
        lost = dict(
            self.rows(
                """
                select 'without_email', count(distinct e.customer_id) from email_consent as e
                join customer as c on e.customer_id = c.customer_id
                where c.email_address is null
                union all
                select 'never_granted', count(*) from customer as c
                where c.email_address is not null
                    and exists (select 1 from email_consent as e
                                where e.customer_id = c.customer_id)
                    and c.customer_id not in (select customer_id from member)
                union all
                select 'rows', count(*) from email_consent
                union all
                select 'unknown_customers', count(distinct customer_id) from email_consent
                where customer_id not in (select customer_id from customer)
                union all
                select 'shared_addresses', count(*) from (
                    select lower(email_address) from member group by 1 having count(*) > 1
                )
                """
            )
        )
        self.tools["mailchimp"] = {
            "files": len(MAILCHIMP_STATUSES),
            "export_id": hex_id,
            "members": members,
            "addresses_held_by_two_members": lost["shared_addresses"],
        }
        self.lost["consents"] = {
            "email_marketing_rows_in_tools": {
                "rows": lost["rows"],
                "why": "the email_marketing consent log is not a contract file: Mailchimp "
                "holds each member's current status and times (OPTIN_TIME, UNSUB_TIME), "
                "Shopify's Accepts Marketing the consent in force at each order",
            },
            "customers_without_email": {
                "customers": lost["without_email"],
                "why": "Mailchimp holds e-mail addresses only: their email_marketing "
                "consent is in no export",
            },
            "customers_never_granted": {
                "customers": lost["never_granted"],
                "why": "only denied, never bounced: not in the Mailchimp audience (HubSpot "
                "shows them as Non-marketing contact)",
            },
            "customers_unknown": {
                "customers": lost["unknown_customers"],
                "why": "their customer_id has no row in customers",
            },
        }

    # ------------------------------------------------------------------ Qualtrics
    def _qualtrics(self) -> None:
        """One response per (customer, survey, answered day in UTC): its answers coded, the
        latest answer of a question that day wins; ~3 % recorded unfinished; one survey
        preview per file (Qualtrics' numeric-values CSV: three header rows)."""
        con = self.con
        # the answer code of each question: positions in its options, multi-select ones
        # sorted and joined by ','; null when an option is unknown (counted, not exported)
        cases = {key: (options, multi) for _, key, options, multi, _ in QUALTRICS_QUESTIONS}
        code_sql = ["case question_key"]
        for key, (options, multi) in cases.items():
            if options is None:  # NPS: the number itself
                code = (
                    "case when try_cast(trim(answer) as integer) between 0 and 10 "
                    "then cast(cast(trim(answer) as integer) as varchar) end"
                )
            elif multi:
                code = (
                    "case when list_bool_and(list_transform(string_split(answer, '|'), "
                    f"x -> list_position({_strings(options)}, trim(x)) is not null)) then "
                    "array_to_string(list_sort(list_distinct(list_transform("
                    f"string_split(answer, '|'), x -> list_position({_strings(options)}, "
                    "trim(x))))), ',') end"
                )
            else:
                code = f"cast(list_position({_strings(options)}, trim(answer)) as varchar)"
            code_sql.append(f"when {_literal(key)} then {code}")
        code_sql.append("end")
        q_index = " ".join(
            ["case question_key"]
            + [f"when {_literal(key)} then {i + 1}" for i, key in enumerate(cases)]
            + ["end"]
        )
        con.execute(
            f"""
            create temp table answer as
            with answers as (
                select
                    r.customer_id,
                    r.survey_id,
                    lower(trim(r.question_key)) as question_key,
                    r.answer,
                    r.source,
                    ts(r.answered_at) as answered_ts,
                    cast(ts(r.answered_at) as date) as answered_day,
                    r.file_row_number
                from contract_survey_responses as r
            )
            select
                a.*,
                cast({q_index} as integer) as q,
                {" ".join(code_sql)} as code,
                c.record_id is not null as known_customer,
                'R_' || base62_id(
                    concat_ws('|', a.customer_id, a.survey_id, a.answered_day), 15
                ) as response_id,
                row_number() over (
                    partition by a.customer_id, a.survey_id, a.answered_day, a.question_key
                    order by a.answered_ts desc nulls last, a.file_row_number desc
                ) as recency
            from answers as a
            left join customer as c on a.customer_id = c.customer_id
            """
        )
        # responses: the groups of a customer's latest answers per question that day. About
        # PARTIAL_SHARE of them (by their id's hash) are recorded unfinished: the respondent
        # left 1 to 3 questions before the end (Finished 0, Progress below 100); the answers
        # they gave are all there, the ones they never gave are missing.
        pivot = ", ".join(
            f"max(code) filter (where q = {i + 1}) as q{i + 1}"
            for i in range(len(QUALTRICS_QUESTIONS))
        )
        con.execute(
            f"""
            create temp table response as
            with answers as (
                select * from answer
                where recency = 1 and known_customer and q is not null and code is not null
            )
            select
                response_id,
                any_value(customer_id) as customer_id,
                any_value(survey_id) as survey_id,
                count(*) as n_answers,
                md5_number_lower('partial|' || response_id) % 10000
                    < {round(10_000 * PARTIAL_SHARE)} as partial,
                cast(1 + md5_number_upper('partial|' || response_id) % 3 as integer)
                    as never_reached,
                max(answered_ts) as end_ts,
                {pivot}
            from answers
            group by response_id
            """
        )
        # one file per survey; its source (the contract's `source`) for the manifest
        surveys = self.rows(
            """
            select
                r.survey_id,
                (select mode(a.source) from answer as a
                 where a.survey_id is not distinct from r.survey_id) as source,
                count(*) as responses
            from response as r
            group by r.survey_id
            order by r.survey_id nulls last
            """
        )
        when = f"{MONTHS[self.as_of.month - 1]} {self.as_of.day}, {self.as_of.year}"
        header = [
            tuple(f[0] for f in QUALTRICS_FIELDS) + tuple(q[0] for q in QUALTRICS_QUESTIONS),
            tuple(f[1] for f in QUALTRICS_FIELDS) + tuple(q[4] for q in QUALTRICS_QUESTIONS),
            tuple(
                json.dumps(
                    {"ImportId": f[2], **({"timeZone": "UTC"} if f[3] else {})},
                    separators=(",", ":"),
                )
                for f in QUALTRICS_FIELDS
            )
            + tuple(
                json.dumps({"ImportId": f"QID{i + 1}"}, separators=(",", ":"))
                for i in range(len(QUALTRICS_QUESTIONS))
            ),
        ]
        answers = [f"r.q{i + 1}" for i in range(len(QUALTRICS_QUESTIONS))]
        response_line = self._line(
            [
                _Plain("utc_text(r.start_ts)"),
                _Plain("utc_text(r.end_ts)"),
                _Plain("0"),
                _Plain(_IP_SQL.format(key="r.response_id")),
                _Plain(
                    "case when r.partial then 100 * r.n_answers "
                    "// (r.n_answers + r.never_reached) else 100 end"
                ),
                _Plain("epoch(r.end_ts - r.start_ts)::bigint"),
                _Plain("case when r.partial then 0 else 1 end"),
                _Plain("utc_text(r.end_ts)"),
                _Plain("r.response_id"),
                "c.last_name",
                "c.first_name",
                "c.email_address",
                _Plain("c.record_id"),
                _Plain("cast(c.latitude as decimal(9, 4))"),
                _Plain("cast(c.longitude as decimal(9, 4))"),
                _Plain("'email'"),
                _Plain("'EN'"),
                *answers,  # multi-select codes hold commas: quoted
            ]
        )
        # a survey preview (Status 1): the survey's author clicking through before launch
        preview_line = self._line(
            [
                "utc_text(start_ts)",
                "utc_text(end_ts)",
                "1",
                None,
                "100",
                "epoch(end_ts - start_ts)::bigint",
                "1",
                "utc_text(end_ts)",
                "response_id",
                None,
                None,
                None,
                None,
                None,
                None,
                "'preview'",
                "'EN'",
                *(["'1'"] * (len(QUALTRICS_QUESTIONS) - 1)),
                "'10'",
            ]
        )
        by_survey = {}
        for survey_id, source, responses in surveys:
            name = SURVEY_NAMES.get(survey_id) or (
                re.sub(r"[^A-Za-z0-9 .-]+", " ", survey_id).strip() if survey_id else ""
            )
            name = name or UNNAMED_SURVEY
            relative = f"qualtrics/{name}_{when}_{QUALTRICS_EXPORT_TIME}.csv"
            match = (
                "r.survey_id is null"
                if survey_id is None
                else f"r.survey_id = {_literal(survey_id)}"
            )
            self._write_csv(
                relative,
                header,
                f"""
                with responses as (
                    select
                        *,
                        end_ts - to_seconds(60 + md5_number_upper(response_id) % 840)
                            as start_ts
                    from response as r
                    where {match}
                ),
                preview as (
                    select
                        'R_' || base62_id('preview|' || {_literal(relative)}, 15)
                            as response_id,
                        min(start_ts) - interval 2 day as start_ts,
                        min(start_ts) - interval 2 day + interval 4 minute as end_ts
                    from responses
                )
                select line from (
                    select end_ts, response_id, {preview_line} as line from preview
                    union all
                    select r.end_ts, r.response_id, {response_line} as line
                    from responses as r
                    join customer as c on r.customer_id = c.customer_id
                )
                order by end_ts, response_id
                """,
            )
            by_survey[relative.removeprefix("qualtrics/")] = {
                "survey_id": survey_id,
                "source": source,
                "responses": responses,
            }
        counts = dict(
            self.rows(
                """
                select 'answers', count(*) from answer
                union all
                select 'unknown_customers', count(*) from answer where not known_customer
                union all
                select 'superseded', count(*) from answer where known_customer and recency > 1
                union all
                select 'uncoded', count(*) from answer
                where known_customer and recency = 1 and (q is null or code is null)
                union all
                select 'exported', coalesce(sum(n_answers), 0) from response
                union all
                select 'in_partial', coalesce(sum(n_answers), 0) from response where partial
                union all
                select 'partial', count(*) from response where partial
                union all
                select 'responses', count(*) from response
                union all
                select 'without_email', count(*) from response as r
                join customer as c on r.customer_id = c.customer_id
                where c.email_address is null
                union all
                select 'moved', count(*) from answer as a
                join response as r on a.response_id = r.response_id
                where a.recency = 1 and a.code is not null and a.answered_ts != r.end_ts
                """
            )
        )
        self.tools["qualtrics"] = {
            "files": len(by_survey),
            "responses": counts["responses"],
            "partial_responses": counts["partial"],
            "answers_in_partial_responses": counts["in_partial"],
            "preview_responses": len(by_survey),
            "answers": counts["exported"],
            "responses_without_email": counts["without_email"],
            "surveys": by_survey,
        }
        self.lost["survey_responses"] = {
            "answers_of_unknown_customers": {
                "rows": counts["unknown_customers"],
                "why": "their customer_id has no row in customers (no Record ID)",
            },
            "superseded_the_same_day": {
                "rows": counts["superseded"],
                "why": "a question answered twice in one survey on one day: one response "
                "holds the later answer",
            },
            "answers_not_coded": {
                "rows": counts["uncoded"],
                "why": "a question or answer outside the Q1..Q9 mapping",
            },
            "responses_without_email": {
                "rows": counts["without_email"],
                "why": "exported with an empty RecipientEmail: matched by ExternalReference "
                "(the HubSpot Record ID) only",
            },
            "answered_at_moved_to_recorded_date": {
                "rows": counts["moved"],
                "why": "a response has one RecordedDate: the latest answer's time that day",
            },
        }

    # ------------------------------------------------------------------ contract files
    def _contract_files(self) -> dict:
        """The tables no tool holds, as Parquet with customer ids ``hubspot:<Record ID>``;
        rows of customers missing from customers are left out (counted)."""
        written = {}
        lost = {}
        for table in CONTRACT_TABLES:
            where = "true"
            if table == "consents":  # email_marketing: Mailchimp, Accepts Marketing
                where = "lower(trim(t.purpose)) != 'email_marketing'"
            if table == "email_events":  # a cleaned member's bounce: CLEAN_TIME in Mailchimp
                where = (
                    "t.event_id not in (select clean_event_id from member "
                    "where member_status = 'cleaned' and clean_event_id is not null)"
                )
            path = self.out / f"{table}.parquet"
            if table in WITH_CUSTOMER_ID:
                query = f"""
                    select * exclude (file_row_number, record_id) replace (
                        'hubspot:' || record_id as customer_id
                    )
                    from (
                        select t.*, c.record_id
                        from contract_{table} as t
                        left join customer as c on t.customer_id = c.customer_id
                        where {where}
                    )
                    where customer_id is null or record_id is not null
                    order by file_row_number
                """
                lost[table] = self.scalar(
                    f"select count(*) from contract_{table} as t where {where} "
                    "and t.customer_id is not null and t.customer_id not in "
                    "(select customer_id from customer)"
                )
            else:
                query = f"select * exclude (file_row_number) from contract_{table}"
            self.con.execute(
                f"copy ({query}) to {_literal(path)} (format parquet, compression zstd)"
            )
            written[path.name] = {
                "rows": self.scalar(f"select count(*) from read_parquet({_literal(path)})")
            }
        self.lost["email_events"] = {
            "bounces_in_mailchimp": {
                "rows": self.scalar("select count(*) from member where member_status = 'cleaned'"),
                "why": "each cleaned member's first bounce is its CLEAN_TIME and "
                "CLEAN_CAMPAIGN_ID in Mailchimp's cleaned export (the connector makes it a "
                "bounced event), so email_events.parquet leaves it out",
            },
        }
        self.lost["contract_files"] = {
            "rows_of_unknown_customers": {
                "rows": lost,
                "why": "their customer_id has no row in customers, so no Record ID to "
                "rewrite it to",
            },
        }
        return written

    def _mapping_rules(self) -> dict:
        """The rules these exports were written by, for the connectors and reconciliations."""
        return {
            "record_id": f"HubSpot Record ID = {FIRST_RECORD_ID - 1} + the customer's "
            "position in customer_id order (1-based), over the latest version per "
            "customer_id; the contract files' customer_id = 'hubspot:' || Record ID",
            "timestamps": "UTC: HubSpot YYYY-MM-DD HH:MM, Shopify YYYY-MM-DD HH:MM:SS +0000, "
            "Mailchimp and Qualtrics YYYY-MM-DD HH:MM:SS",
            "hubspot": {
                "Lifecycle Stage": LIFECYCLE_LABELS,
                "Create Date": "created_at",
                "Last Modified Date": "updated_at",
                "Last Activity Date": "latest order, e-mail open or click",
                "Country/Region": "country_code",
                "Number of Employees": "company_size",
                "Marketing contact status": "Marketing contact when the latest "
                "email_marketing consent is granted",
            },
            "shopify": {
                "orders": "latest version per order_id; its lines (order_items by "
                "line_number), one export row each, order columns on the first row",
                "Name": f"'#' || ({FIRST_ORDER_NUMBER - 1} + the order's position in order_id "
                "order over all orders, 1-based)",
                "Id": f"{FIRST_SHOPIFY_ID} + the number in Name",
                "Email": "the buyer's e-mail (empty when the customer has none)",
                "Financial Status": FINANCIAL_STATUS,
                "Fulfillment Status": "fulfilled for shipped, completed, returned; "
                "else unfulfilled",
                "Paid at": "ordered_at, when paid (paid, shipped, completed, returned)",
                "Fulfilled at": "updated_at of shipped and completed orders",
                "Cancelled at": "updated_at of cancelled orders",
                "Refunded Amount": "order_total of returned orders",
                "Total": "order_total",
                "Subtotal": "sum of quantity * unit_price",
                "Discount Amount": "discount_total",
                "Shipping": "shipping_total",
                "Shipping Method": SHIPPING_METHOD,
                "Source": {
                    **SHOPIFY_SOURCE,
                    "app": "iphone or android: the platform of "
                    "the buyer's app events, else by order number parity",
                },
                "Accepts Marketing": "yes when the buyer's email_marketing consent in force "
                "at ordered_at is granted",
                "Lineitem": "name = product_name, sku = product_id, price = unit_price, "
                "Vendor = brand",
                "files": f"at most {self.shopify_max_lines:,} lines each, whole orders",
            },
            "mailchimp": {
                "members": "customers with an e-mail and an email_marketing consent record",
                "cleaned": "any bounced e-mail event (wins)",
                "subscribed": "latest email_marketing record granted",
                "unsubscribed": "latest record withdrawn, or denied after a grant",
                "OPTIN_TIME": "first granted record",
                "CONFIRM_TIME": "OPTIN_TIME + 1 to 10 minutes (double opt-in)",
                "UNSUB_TIME": "the latest (withdrawn or denied) record",
                "CLEAN_TIME": "first bounced event (CLEAN_CAMPAIGN_ID: its campaign); that "
                "event is left out of email_events.parquet",
                "LAST_CHANGED": "latest of CONFIRM_TIME, UNSUB_TIME, CLEAN_TIME",
                "MEMBER_RATING": "1 cleaned; 2 no opens; 3 under 5; 4 under 15; 5 more",
                "LEID": f"{200_000_000 - FIRST_RECORD_ID} + Record ID",
                "TAGS": '"vip" for gold and platinum loyalty members',
            },
            "qualtrics": {
                "response": "one per (customer_id, survey_id, answered_at's UTC date); the "
                "latest answer per question",
                "RecordedDate": "EndDate: the latest answered_at of the response",
                "StartDate": "EndDate - 1 to 15 minutes",
                "ExternalReference": "the customer's HubSpot Record ID",
                "questions": {
                    q: {
                        "question_key": key,
                        "codes": list(options) if options else "0-10",
                        "multi_select": multi,
                    }
                    for q, key, options, multi, _ in QUALTRICS_QUESTIONS
                },
                "partial": f"about {PARTIAL_SHARE:.0%} of responses (by their id's hash): "
                "Finished 0, Progress = 100 * answered // (answered + 1 to 3 questions never "
                "reached); every answer given is there",
                "preview": "one Status 1 (Survey Preview) row per file, no recipient",
            },
        }
