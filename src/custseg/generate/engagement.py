"""Loyalty programme, product reviews, event registrations and erasure requests."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import columns as col
from . import geography as geo
from . import personas as P
from .catalog import EVENT_TYPES, EventCatalog
from .customers import RESERVED, People
from .orders import CANCELLED, COMPLETED, RETURNED, Orders
from .timestamps import DAY, HOUR, Clock

TIERS = ("bronze", "silver", "gold", "platinum")
TIER_THRESHOLDS_EUR = (400, 1200, 3000)
ERASURE_SHARE = 0.002


def make_loyalty(
    rng: np.random.Generator,
    clock: Clock,
    people: People,
    spend_eur: np.ndarray,
    n_orders: np.ndarray,
    first_order: np.ndarray,
) -> pa.Table:
    buyer = n_orders > 0
    member = np.flatnonzero(buyer & (rng.random(people.n) < P.P_LOYALTY[people.persona]))
    spend = spend_eur[member]
    tier = np.searchsorted(np.array(TIER_THRESHOLDS_EUR), spend, side="right")
    upgrade = rng.random(len(member)) < 0.1  # some tiers lag behind or run ahead of spend
    tier = np.clip(tier + np.where(upgrade, rng.choice([-1, 1], len(member)), 0), 0, 3)
    points = np.maximum(0, spend * (0.2 + 0.8 * rng.random(len(member)))).astype(np.int64)
    first = first_order[member]
    joined = first + (rng.random(len(member)) * 0.5 * (clock.end - 1 - first)).astype(np.int64)
    return pa.table(
        {
            "customer_id": people.cid.take(pa.array(member)),
            "tier": col.strings(TIERS, tier),
            "points_balance": col.integers(points),
            "joined_at": clock.render(joined, people.tz[member], rng),
        }
    )


def make_reviews(
    rng: np.random.Generator,
    clock: Clock,
    people: People,
    orders: Orders,
    product_ids: pa.Array,
    first_number: int,
) -> pa.Table:
    item_order = orders.item_order
    status = orders.status[item_order]
    persona = people.persona[orders.person[item_order]]
    ok = (status == COMPLETED) | (status == RETURNED)
    pick = np.flatnonzero(ok & (rng.random(len(item_order)) < P.P_REVIEW[persona]))
    o = item_order[pick]
    when = orders.t[o] + 5 * DAY + (rng.random(len(pick)) * 35 * DAY).astype(np.int64)
    keep = when < clock.end - 1
    pick, o, when = pick[keep], o[keep], when[keep]
    rating = 1 + col.choice_rows(rng, P.RATING_PROBS, people.persona[orders.person[o]])
    rating = np.where(orders.status[o] == RETURNED, np.maximum(1, rating - 2), rating)
    order = np.argsort(when, kind="stable")
    pick, o, when, rating = pick[order], o[order], when[order], rating[order]
    cust = orders.cust[o]
    return pa.table(
        {
            "review_id": col.ids("RV", first_number + np.arange(len(pick)) + 1, 9),
            "customer_id": people.cid.take(pa.array(cust)),
            "product_id": product_ids.take(pa.array(orders.item_product[pick])),
            "rating": col.integers(rating),
            "created_at": clock.render(when, people.tz[cust], rng),
        }
    )


# registration weights per event type (workshop, webinar, trade_fair, store_event, other)
_TYPE_W = np.array(
    [
        [0.30, 0.30, 0.03, 0.32, 0.05],  # B2C
        [0.20, 0.35, 0.45, 0.00, 0.00],
    ]
)  # B2B


def make_registrations(
    rng: np.random.Generator, clock: Clock, people: People, events: EventCatalog, first_number: int
) -> pa.Table:
    persons = people.persons
    reg = persons[rng.random(len(persons)) < P.P_EVENT[people.persona[persons]]]
    reg = np.repeat(reg, 1 + (rng.random(len(reg)) < 0.3))
    m, k = len(reg), len(events.name)
    empty = pa.table(
        {
            "registration_id": pa.array([], pa.string()),
            "customer_id": pa.array([], pa.string()),
            "event_name": pa.array([], pa.string()),
            "event_type": pa.array([], pa.string()),
            "event_city": pa.array([], pa.string()),
            "event_date": pa.array([], pa.date32()),
            "registered_at": pa.array([], pa.string()),
            "attended": pa.array([], pa.bool_()),
        }
    )
    if m == 0 or k == 0:
        return empty
    city_names = [c.name for c in geo.CITIES]
    ev_city = np.array([city_names.index(c) if c else -1 for c in events.city])
    ev_country = np.where(ev_city >= 0, geo.CITY_COUNTRY[np.maximum(ev_city, 0)], -1)
    cust_city = people.city[reg]
    w = _TYPE_W[people.b2b[reg].astype(int)][:, events.type]
    same_city = ev_city[None, :] == cust_city[:, None]
    same_country = ev_country[None, :] == geo.CITY_COUNTRY[cust_city][:, None]
    online = ev_city[None, :] < 0
    w = w * np.where(same_city, 8.0, np.where(online, 1.0, np.where(same_country, 0.4, 0.05)))
    day_t = events.day.astype(np.int64) * DAY
    w = w * ((day_t[None, :] - DAY) > people.created[reg][:, None])
    w = w * (day_t[None, :] < people.active_end[reg][:, None] + 60 * DAY)
    has = w.sum(axis=1) > 0
    reg, w = reg[has], w[has]
    if len(reg) == 0:
        return empty
    ev = col.choice_rows(rng, w, np.arange(len(reg)))
    pair = reg * k + ev
    _, first = np.unique(pair, return_index=True)
    first = np.sort(first)
    reg, ev = reg[first], ev[first]
    n = len(reg)
    day_t = events.day[ev].astype(np.int64) * DAY
    registered = day_t - DAY - (rng.random(n) * 29 * DAY).astype(np.int64) + 9 * HOUR
    registered = np.maximum(registered, people.created[reg] + 60)
    registered = np.minimum(registered, clock.end - 1)
    attended = rng.random(n) < 0.78
    unknown = rng.random(n) < 0.05
    order = np.lexsort((reg, registered))
    reg, ev, registered, attended, unknown = (
        a[order] for a in (reg, ev, registered, attended, unknown)
    )
    return pa.table(
        {
            "registration_id": col.ids("REG", first_number + np.arange(n) + 1, 9),
            "customer_id": people.cid.take(pa.array(reg)),
            "event_name": col.strings(events.name, ev),
            "event_type": col.strings(EVENT_TYPES, events.type[ev]),
            "event_city": col.strings(events.city, ev),
            "event_date": col.dates(events.day[ev]),
            "registered_at": clock.render(registered, people.tz[reg], rng),
            "attended": col.booleans(attended, null=unknown),
        }
    )


def make_erasure(rng: np.random.Generator, clock: Clock, people: People, chunk: int) -> pa.Table:
    persons = people.persons
    if chunk == 0:
        persons = persons[persons >= RESERVED]
    k = min(len(persons), max(1, round(ERASURE_SHARE * people.n)))
    who = np.sort(rng.choice(persons, size=k, replace=False)) if k else np.zeros(0, int)
    created = people.created[who]
    lo = created + DAY
    when = np.minimum(
        lo + (rng.random(k) * np.maximum(clock.end - 1 - lo, 0)).astype(np.int64), clock.end - 1
    )
    return pa.table(
        {
            "customer_id": people.cid.take(pa.array(who, pa.int64())),
            "requested_at": clock.render(when, people.tz[who], rng),
        }
    )


def _normalise_email(value: str | None) -> str | None:
    """As macro normalize_email: trimmed of spaces, lower-cased, empty as null."""
    value = (value or "").strip(" ").lower()
    return value or None


def _isin(column: pa.ChunkedArray, values: set[str]) -> np.ndarray:
    mask = pc.is_in(column, value_set=pa.array(sorted(values), pa.string()))
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


@dataclass
class Erasure:
    """Which generated rows the warehouse erases, predicted as its staging rules state.

    Erased customers are the requested ids plus every contact that shares a
    normalised email with one of them (the default ``merge_contacts_by_email``);
    their orders' lines and their devices' anonymous events go with them.
    """

    customers: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    orders: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)

    def add_requests(self, requests: pa.Table, customers: pa.Table) -> None:
        requested = {c.strip(" ") for c in requests.column("customer_id").to_pylist() if c}
        ids = customers.column("customer_id").to_pylist()
        emails = [_normalise_email(e) for e in customers.column("email").to_pylist()]
        new = {e for c, e in zip(ids, emails, strict=True) if c in requested and e}
        self.emails |= new
        self.customers |= requested | {
            c for c, e in zip(ids, emails, strict=True) if c and e in new
        }

    def mask(self, table: str, data: pa.Table) -> np.ndarray:
        """Rows of ``data`` (one raw table) that belong to erased people."""
        n = data.num_rows
        if not self.customers or n == 0:
            return np.zeros(n, dtype=bool)
        if table == "order_items":
            return _isin(data.column("order_id"), self.orders)
        if table == "erasure_requests" or "customer_id" not in data.column_names:
            return np.zeros(n, dtype=bool)
        customer_id = data.column("customer_id")
        identified = pc.is_valid(customer_id).to_numpy(zero_copy_only=False)
        by_customer = _isin(customer_id, self.customers)
        if table == "orders":
            self.orders |= set(pc.filter(data.column("order_id"), by_customer).to_pylist())
        if table == "web_events":
            self.devices |= set(pc.filter(data.column("anonymous_id"), by_customer).to_pylist())
            by_device = _isin(data.column("anonymous_id"), self.devices)
            return np.where(identified, by_customer, by_device)
        if table == "customers":
            emails = pa.array(
                [_normalise_email(e) for e in data.column("email").to_pylist()], pa.string()
            )
            return np.where(identified, by_customer, _isin(emails, self.emails))
        return by_customer


def spend_per_customer(people: People, orders: Orders) -> tuple[np.ndarray, ...]:
    """Per customer id: spend in EUR (not cancelled), order count, first and last order."""
    n = people.n
    valid = orders.status != CANCELLED
    spend = np.bincount(orders.cust[valid], weights=orders.total_eur[valid], minlength=n)
    count = np.bincount(orders.cust, minlength=n)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, orders.cust, orders.t)
    np.maximum.at(last, orders.cust, orders.t)
    return spend, count, first, last
