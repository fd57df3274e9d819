"""Orchestration: chunks of customers -> all 14 raw tables, plus the manifest."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from custseg import contract

from . import geography as geo
from . import messy as messy_mode
from . import personas as P
from .catalog import (
    ProductSampler,
    make_campaigns,
    make_event_catalog,
    make_fx_rates,
    make_products,
)
from .customers import customers_table, make_people, set_duplicate_created
from .emails import make_email_events
from .engagement import (
    Erasure,
    make_erasure,
    make_loyalty,
    make_registrations,
    make_reviews,
    spend_per_customer,
)
from .orders import assign_ids, make_orders, order_tables
from .timestamps import Clock
from .web import make_web_events
from .writer import FORMATS, TableWriter, table_schema
from .zero_party import make_consents, make_surveys

GENERATOR_VERSION = 1
CHUNK_CUSTOMERS = 20_000
MANIFEST = "_manifest.json"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"as_of must be a date (YYYY-MM-DD), not {value!r}") from exc
    raise ValueError("as_of is required: the date the generated history ends at")


def _validate(customers, seed, fmt) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer):
        raise ValueError(f"customers must be an integer >= 1, not {customers!r}")
    if customers < 1:
        raise ValueError(f"customers must be >= 1, not {customers}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")


def generate(
    out_dir,
    customers: int,
    seed: int = 42,
    fmt: str = "parquet",
    as_of: dt.date | None = None,
    messy: bool = False,
    progress: bool | None = None,
) -> dict:
    """Write ``<out_dir>/<table>.<fmt>`` for every contract table and ``_manifest.json``.

    Deterministic: the same arguments give byte-identical files. ``as_of`` is
    required (history covers the three years before it). ``messy`` injects
    defects at known rates; the returned manifest predicts the warehouse's
    staging counts. ``progress=None`` shows a bar only when stderr is a TTY.
    """
    _validate(customers, seed, fmt)
    as_of = _as_date(as_of)
    customers, seed = int(customers), int(seed)
    if progress is None:
        progress = sys.stderr.isatty()
    c = contract.load()
    names = list(c.tables)
    index = {name: i for i, name in enumerate(names)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clock = Clock(as_of, geo.TIMEZONES)
    ledger = messy_mode.Ledger()
    natural_superseded: Counter = Counter()
    erasure = Erasure()
    erased_rows: Counter = Counter()
    erased_superseded: Counter = Counter()
    writers = {
        name: TableWriter(
            out / f"{name}.{fmt}",
            table_schema(
                c.tables[name], messy_mode.STRING_OVERRIDES.get(name, ()) if messy else ()
            ),
            fmt,
        )
        for name in names
    }

    def rng(name: str, chunk: int) -> np.random.Generator:
        return np.random.default_rng([seed, index[name], chunk])

    def emit(
        name: str, data: pa.Table, chunk: int, superseded: int = 0, latest_rows: int = 0
    ) -> None:
        natural_superseded[name] += superseded
        writer = writers[name]
        data = writer.conform(data)
        erased = erasure.mask(name, data)
        if erased.any():
            erased_rows[name] += int(erased.sum())
            if c.tables[name].version_column:
                keys = c.tables[name].key
                kept = data.filter(pa.array(erased)).select(list(keys)).to_pylist()
                distinct = {tuple(row[k] for k in keys) for row in kept}
                erased_superseded[name] += int(erased.sum()) - len(distinct)
        if messy:
            data = messy_mode.inject(
                name,
                data,
                latest_rows,
                np.random.default_rng([seed, 100 + index[name], chunk]),
                ledger,
                erased,
            )
        writer.write(data)

    try:
        products = make_products(rng("products", 0), clock)
        campaigns = make_campaigns(rng("campaigns", 0), clock)
        events = make_event_catalog(
            np.random.default_rng([seed, index["event_registrations"], 0, 1]), clock
        )
        sampler = ProductSampler(products, P.PRICE_ALPHA, clock.start)
        product_ids = products.table.column("product_id").combine_chunks()
        emit("products", products.table, 0)
        emit("campaigns", campaigns.table, 0)

        counters = Counter()
        used_emails: set[str] = set()
        used_currencies: set[str] = set()
        personas = np.zeros(P.N_PERSONAS, dtype=np.int64)
        tricky: list[dict] = []
        n_chunks = (customers + CHUNK_CUSTOMERS - 1) // CHUNK_CUSTOMERS
        bar = tqdm(
            total=customers, desc="generate", unit="customer", file=sys.stderr, disable=not progress
        )
        for chunk in range(n_chunks):
            n = min(CHUNK_CUSTOMERS, customers - chunk * CHUNK_CUSTOMERS)
            rng_c = rng("customers", chunk)
            people = make_people(rng_c, clock, chunk, chunk * CHUNK_CUSTOMERS, n, used_emails)
            tricky.extend(people.tricky)
            personas += np.bincount(people.persona, minlength=P.N_PERSONAS)

            rng_o = rng("orders", chunk)
            orders = make_orders(rng_o, clock, people, sampler)
            set_duplicate_created(rng_o, people, orders.cust, orders.t, orders.person)
            assign_ids(orders, counters["order"])
            counters["order"] += orders.n
            used_currencies.update(geo.CURRENCIES[k] for k in np.unique(orders.currency))
            spend, n_orders, first, last = spend_per_customer(people, orders)

            cust_table, n_old = customers_table(rng_c, clock, people, n_orders, first, last)
            requests = make_erasure(rng("erasure_requests", chunk), clock, people, chunk)
            erasure.add_requests(requests, cust_table)
            emit("customers", cust_table, chunk, n_old, latest_rows=n)
            order_table, item_table = order_tables(rng_o, clock, people, orders, product_ids)
            emit("orders", order_table, chunk, len(orders.ver_order), latest_rows=orders.n)
            emit("order_items", item_table, chunk)

            web, n_sessions = make_web_events(
                rng("web_events", chunk),
                clock,
                people,
                orders,
                sampler,
                product_ids,
                products.slug,
                campaigns,
                counters["session"],
                counters["web_event"],
            )
            counters["session"] += n_sessions
            counters["web_event"] += web.num_rows
            emit("web_events", web, chunk)

            consents, n_withdrawn, grant_at, withdraw_at = make_consents(
                rng("consents", chunk), clock, people
            )
            emit("consents", consents, chunk, n_withdrawn)
            email = make_email_events(
                rng("email_events", chunk),
                clock,
                people,
                grant_at,
                withdraw_at,
                campaigns,
                counters["email_event"],
            )
            counters["email_event"] += email.num_rows
            emit("email_events", email, chunk)

            surveys = make_surveys(
                rng("survey_responses", chunk), clock, people, n_orders, counters["response"]
            )
            counters["response"] += surveys.num_rows
            emit("survey_responses", surveys, chunk)
            emit(
                "loyalty_members",
                make_loyalty(rng("loyalty_members", chunk), clock, people, spend, n_orders, first),
                chunk,
            )
            reviews = make_reviews(
                rng("reviews", chunk), clock, people, orders, product_ids, counters["review"]
            )
            counters["review"] += reviews.num_rows
            emit("reviews", reviews, chunk)
            regs = make_registrations(
                rng("event_registrations", chunk), clock, people, events, counters["registration"]
            )
            counters["registration"] += regs.num_rows
            emit("event_registrations", regs, chunk)
            emit("erasure_requests", requests, chunk)
            bar.update(n)
        bar.close()
        emit("fx_rates", make_fx_rates(seed, clock, used_currencies), 0)
    finally:
        for w in writers.values():
            w.close()

    tables = {}
    for name in names:
        rows = writers[name].rows
        exact = ledger.exact_duplicates[name]
        superseded = natural_superseded[name] + ledger.superseded[name] - erased_superseded[name]
        quarantined = dict(sorted(ledger.quarantined.get(name, Counter()).items()))
        erased = erased_rows[name]
        tables[name] = {
            "rows_written": rows,
            "exact_duplicates": exact,
            "superseded_versions": superseded,
            "quarantined": quarantined,
            "erased": erased,
            "staged": rows - exact - sum(quarantined.values()) - superseded - erased,
        }
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "customers": customers,
        "format": fmt,
        "as_of": as_of.isoformat(),
        "messy": bool(messy),
        "personas": {name: int(k) for name, k in zip(P.PERSONAS, personas, strict=True)},
        "tables": tables,
        "defects": [
            {"table": t, "reason": r, "count": k, "description": d}
            for (t, r, d), k in ledger.defects.items()
        ],
        "tricky_strings": tricky,
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def persona_assignment(customers: int, seed: int, as_of: dt.date) -> dict[str, str]:
    """customer_id -> persona name, recomputed exactly as ``generate`` draws it.

    For tests and analysis only: the generated files never name personas.
    """
    _validate(customers, seed, "parquet")
    clock = Clock(_as_date(as_of), geo.TIMEZONES)
    index = list(contract.load().tables).index("customers")
    out: dict[str, str] = {}
    used: set[str] = set()
    for chunk in range((customers + CHUNK_CUSTOMERS - 1) // CHUNK_CUSTOMERS):
        n = min(CHUNK_CUSTOMERS, customers - chunk * CHUNK_CUSTOMERS)
        people = make_people(
            np.random.default_rng([seed, index, chunk]),
            clock,
            chunk,
            chunk * CHUNK_CUSTOMERS,
            n,
            used,
        )
        for cid, p in zip(people.cid.to_pylist(), people.persona, strict=True):
            out[cid] = P.PERSONAS[p]
    return out
