"""Orders, their earlier versions and order items of one chunk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import columns as col
from . import geography as geo
from . import personas as P
from .catalog import CATEGORY_NAMES, ProductSampler
from .customers import People
from .timestamps import DAY, HOUR, YEAR, Clock

STATUSES = ("placed", "paid", "shipped", "completed", "cancelled", "returned")
PLACED, PAID, SHIPPED, COMPLETED, CANCELLED, RETURNED = range(6)
CHANNELS = ("web", "app", "store", "phone", "marketplace")
WEB, APP, STORE, PHONE, MARKETPLACE = range(5)
SPEEDS = ("standard", "express", "same_day", "pickup")
STANDARD, EXPRESS, SAME_DAY, PICKUP = range(4)
COUPONS = (
    ("WELCOME10", 10),
    ("SAVE10", 10),
    ("NEWSLETTER15", 15),
    ("SPRING15", 15),
    ("SUMMER20", 20),
    ("BLACKFRIDAY25", 25),
    ("FLASH30", 30),
    ("VIP15", 15),
    ("B2B5", 5),
)
COUPON_CODES = tuple(c for c, _ in COUPONS)
COUPON_PCT = np.array([p for _, p in COUPONS])
ORDER_ID_WIDTH = 10

# seconds from ordered_at to reaching each status: [lo, hi]
_DELAY_LO = np.array([1, 120, DAY, 4 * DAY, HOUR, 15 * DAY])
_DELAY_HI = np.array([60, 7200, 3 * DAY, 14 * DAY, 2 * DAY, 40 * DAY])
_DOWNGRADE = np.array([PLACED, PLACED, PAID, SHIPPED, PLACED, COMPLETED])
# states an order passes through before its final status (placed, paid, shipped, completed)
_CHAIN = np.array(
    [
        [0, 0, 0, 0],  # placed
        [1, 0, 0, 0],  # paid
        [1, 1, 0, 0],  # shipped
        [1, 1, 1, 0],  # completed
        [1, 0, 0, 0],  # cancelled
        [1, 1, 1, 1],  # returned
    ],
    dtype=bool,
)
_FIRST_ORDER_DAYS = P._p(5, 7, 20, 20, 10, 0, 5, 20, 0)
_CURRENCY_RATE = np.array([geo.BASE_RATES[c] for c in geo.CURRENCIES])
_WHOLE = np.array([c in geo.WHOLE_UNIT_CURRENCIES for c in geo.CURRENCIES])
_NINETY_NINE = np.array([c in ("USD", "PLN") for c in geo.CURRENCIES])
_CHF = np.array([c == "CHF" for c in geo.CURRENCIES])
_OFFICE = CATEGORY_NAMES.index("office_supplies")
_FOOD = CATEGORY_NAMES.index("food_beverage")


@dataclass
class Orders:
    n: int
    cust: np.ndarray  # row of the customer id (a duplicate contact may own it)
    person: np.ndarray  # row of the person who placed it
    t: np.ndarray
    status: np.ndarray
    updated: np.ndarray
    channel: np.ndarray
    device: np.ndarray  # code into DEVICE_TYPES, -1 = none
    slot: np.ndarray  # device slot of the person, -1 = offline
    speed: np.ndarray
    coupon: np.ndarray
    currency: np.ndarray
    subtotal: np.ndarray
    discount: np.ndarray
    shipping: np.ndarray
    total: np.ndarray
    total_eur: np.ndarray
    n_lines: np.ndarray
    item_start: np.ndarray
    item_product: np.ndarray
    item_qty: np.ndarray
    item_price: np.ndarray
    ver_order: np.ndarray
    ver_status: np.ndarray
    ver_updated: np.ndarray
    number: np.ndarray | None = None  # global order number, set by assign_ids

    @property
    def item_order(self) -> np.ndarray:
        return np.repeat(np.arange(self.n), self.n_lines)


def to_local(eur_cents: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """EUR cents -> price in the order currency (cents) with local price endings."""
    local = eur_cents / _CURRENCY_RATE[currency]
    out = np.round(local).astype(np.int64)
    out = np.where(_CHF[currency], np.round(local / 5).astype(np.int64) * 5, out)
    out = np.where(_WHOLE[currency], np.round(local / 100).astype(np.int64) * 100, out)
    ninety = np.maximum(np.ceil(local / 100).astype(np.int64) * 100 - 1, 0)
    out = np.where(_NINETY_NINE[currency] & (eur_cents > 0), ninety, out)
    return np.where(eur_cents > 0, out, 0)


def make_orders(
    rng: np.random.Generator, clock: Clock, people: People, sampler: ProductSampler
) -> Orders:
    end = clock.end
    persons = people.persons
    pers = people.persona[persons]
    created = people.created[persons]
    hi = people.active_end[persons] - 600
    years = (hi - created) / YEAR
    k = rng.poisson(P.ORDERS_PER_YEAR[pers] * np.maximum(years, 0))
    k = np.maximum(k, P.MIN_ORDERS[pers].astype(int))
    k = np.where(pers == P.ONE_TIME, 1, k)
    k = np.where(pers == P.WINDOW, (rng.random(len(pers)) < 0.15).astype(int), k)
    k = np.where(pers == P.NEW, col.choice(rng, (0.45, 0.45, 0.10), len(pers)), k)
    k = np.minimum(k, 80)

    delay = 600 + (rng.exponential(1.0, len(pers)) * _FIRST_ORDER_DAYS[pers] * DAY)
    first = np.where(
        pers == P.WINDOW, created + rng.random(len(pers)) * (hi - created), created + delay
    ).astype(np.int64)
    first = np.minimum(first, hi - 1)
    person = np.repeat(persons, k)
    rank = col.rank_in_group(k)
    lo_o = np.repeat(first, k)
    hi_o = np.repeat(hi, k)
    tz = people.tz[person]
    later = clock.seasonal_times(rng, lo_o, hi_o, tz)
    t = np.where(rank == 0, lo_o, later)
    order = np.lexsort((t, person))
    person, t, tz = person[order], t[order], tz[order]
    n = len(t)
    pers_o = people.persona[person]
    b2b = people.b2b[person]
    city = people.city[person]
    dach = geo.DACH[city]
    currency = people.currency[person]

    # channel and device
    u = rng.random(n)
    store = ~b2b & dach & (u < 0.08)
    phone = (b2b & (u >= 0.08) & (u < 0.33)) | (~b2b & (u >= 0.08) & (u < 0.085))
    offline = store | phone
    has2 = people.profile[person, 1] >= 0
    slot = np.where(has2 & (rng.random(n) < 0.35), 1, 0)
    slot = np.where(offline, -1, slot)
    profile = people.profile[person, np.maximum(slot, 0)]
    is_app = P.PROFILE_IS_APP[profile] & ~offline
    channel = np.where(
        store,
        STORE,
        np.where(
            phone, PHONE, np.where(is_app, APP, np.where(rng.random(n) < 0.06, MARKETPLACE, WEB))
        ),
    )
    device = np.where(offline, -1, P.PROFILE_DEVICE_TYPE[profile])
    v = rng.random(n)
    speed = np.where(v < P.P_EXPRESS[pers_o], EXPRESS, STANDARD)
    speed = np.where(v > 1 - P.P_SAME_DAY[pers_o], SAME_DAY, speed)
    speed = np.where(~b2b & dach & ~offline & (rng.random(n) < 0.04), PICKUP, speed)
    speed = np.where(store, PICKUP, speed)

    # items
    n_lines = 1 + np.minimum(rng.poisson(P.LINES_LAMBDA[pers_o]), 5)
    item_start = col.group_starts(n_lines)
    item_order = np.repeat(np.arange(n), n_lines)
    ip = pers_o[item_order]
    person_i = person[item_order]
    cats = sampler.categories(rng, people.fav[person_i], people.fav2[person_i])
    product = sampler.sample(rng, ip, cats, t[item_order])
    eur = sampler.price_cents[product]
    sale = rng.random(len(product)) < P.P_SALE_ITEM[ip]
    eur = np.where(sale, np.round(eur * 0.8).astype(np.int64), eur)
    eur = np.where(rng.random(len(product)) < 0.004, 0, eur)  # free samples
    price = to_local(eur, currency[item_order])
    pcat = sampler.category[product]
    bulk = (pcat == _OFFICE) | (pcat == _FOOD)
    r = rng.random(len(product))
    qty_b2c = 1 + (r < 0.15) + (r < 0.04) + np.where(pcat == _FOOD, rng.poisson(0.5, len(r)), 0)
    qty_b2b = 1 + rng.poisson(np.where(bulk, 4.0, 0.8))
    qty = np.where(b2b[item_order], qty_b2b, qty_b2c).astype(np.int64)
    subtotal = np.add.reduceat(qty * price, item_start) if n else np.zeros(0, dtype=np.int64)

    # coupons and discounts
    month = t.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12
    has_coupon = rng.random(n) < P.P_COUPON[pers_o]
    generic = col.choice(rng, (0.35, 0.30, 0.10, 0.25), n)  # SAVE10, NEWSLETTER15, FLASH30, season
    seasonal = np.where(
        (month >= 2) & (month <= 4),
        3,
        np.where((month >= 5) & (month <= 7), 4, np.where(month == 10, 5, 1)),
    )
    code = np.array([1, 2, 6, 0])[generic]
    code = np.where(generic == 3, seasonal, code)
    first_order = np.r_[True, person[1:] != person[:-1]] if n else np.zeros(0, dtype=bool)
    code = np.where(first_order & (rng.random(n) < 0.5), 0, code)
    code = np.where((month == 10) & (rng.random(n) < 0.5), 5, code)
    code = np.where(pers_o == P.LOYAL, 7, np.where(b2b, 8, code))
    coupon = np.where(has_coupon, code, -1)
    discount = np.where(has_coupon, np.round(subtotal * COUPON_PCT[code] / 100), 0)
    discount = np.where(_WHOLE[currency], np.round(discount / 100) * 100, discount)
    discount = np.minimum(discount.astype(np.int64), subtotal)

    # shipping
    sub_eur = subtotal * _CURRENCY_RATE[currency]
    fee = np.array([495, 995, 1495, 0])[speed]
    free_std = (speed == STANDARD) & (sub_eur >= np.where(b2b, 10_000, 5_000))
    fee = np.where(free_std | store, 0, np.where(b2b & (speed == STANDARD), 695, fee))
    shipping = to_local(fee, currency)
    total = subtotal + shipping - discount
    total_eur = total * _CURRENCY_RATE[currency] / 100.0

    # status and latest update
    status = col.choice(rng, (0.91, 0.05, 0.04), n)
    status = np.array([COMPLETED, CANCELLED, RETURNED])[status]
    age = end - 1 - t
    for _ in range(5):
        bad = _DELAY_LO[status] >= age
        status = np.where(bad, _DOWNGRADE[status], status)
    hi_d = np.minimum(_DELAY_HI[status], age - 1)
    lo_d = _DELAY_LO[status]
    updated = t + lo_d + (rng.random(n) * (hi_d - lo_d)).astype(np.int64)

    # earlier versions (about 30 % of orders)
    n_ver = col.choice(rng, (0.70, 0.25, 0.05), n)
    chain = _CHAIN[status]
    keys = np.where(chain, rng.random((n, 4)), 2.0)
    ranked = np.argsort(keys, axis=1, kind="stable")
    pick = np.zeros((n, 4), dtype=bool)
    for j in range(2):
        sel = n_ver > j
        rows = np.flatnonzero(sel)
        cols_ = ranked[rows, j]
        ok = chain[rows, cols_]
        pick[rows[ok], cols_[ok]] = True
    ver_rows, ver_state = np.nonzero(pick)
    v_lo, v_hi = _DELAY_LO[ver_state], _DELAY_HI[ver_state]
    ver_updated = t[ver_rows] + v_lo + (rng.random(len(ver_rows)) * (v_hi - v_lo)).astype(np.int64)
    keep = ver_updated < updated[ver_rows]
    ver_rows, ver_state, ver_updated = ver_rows[keep], ver_state[keep], ver_updated[keep]

    return Orders(
        n=n,
        cust=person.copy(),
        person=person,
        t=t,
        status=status,
        updated=updated,
        channel=channel,
        device=device,
        slot=slot,
        speed=speed,
        coupon=coupon,
        currency=currency,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        total=total,
        total_eur=total_eur,
        n_lines=n_lines,
        item_start=item_start,
        item_product=product,
        item_qty=qty,
        item_price=price,
        ver_order=ver_rows,
        ver_status=ver_state,
        ver_updated=ver_updated,
    )


def assign_ids(orders: Orders, first_number: int) -> None:
    """Order numbers follow ordered_at within the chunk."""
    rank = np.empty(orders.n, dtype=np.int64)
    rank[np.argsort(orders.t, kind="stable")] = np.arange(orders.n)
    orders.number = first_number + rank


def order_tables(
    rng: np.random.Generator, clock: Clock, people: People, orders: Orders, product_ids: pa.Array
) -> tuple[pa.Table, pa.Table]:
    n = orders.n
    oid = col.ids("O", orders.number + 1, ORDER_ID_WIDTH)
    tz = people.tz[orders.cust]
    ordered = clock.render(orders.t, tz, rng)
    # shipping postal code: the customer's, sometimes another one in the same city
    postal_cust = col.pystrings(people.postal).take(pa.array(orders.cust))
    other = np.flatnonzero(rng.random(n) < 0.08)
    postal = postal_cust.to_numpy(zero_copy_only=False).astype(object)
    if len(other):
        postal[other] = geo.postal_codes(people.city[orders.cust[other]], rng)
    no_ship = (orders.channel == STORE) | (orders.speed == PICKUP)
    postal[no_ship] = None

    rows = np.concatenate([np.arange(n), orders.ver_order])
    take = pa.array(rows)
    status = np.concatenate([orders.status, orders.ver_status])
    updated = np.concatenate([orders.updated, orders.ver_updated])
    order_table = pa.table(
        {
            "order_id": oid.take(take),
            "customer_id": people.cid.take(pa.array(orders.cust[rows])),
            "ordered_at": ordered.take(take),
            "status": col.strings(STATUSES, status),
            "currency": col.strings(geo.CURRENCIES, orders.currency[rows]),
            "order_total": col.decimals(orders.total[rows], 14, 2),
            "discount_total": col.decimals(orders.discount[rows], 14, 2),
            "shipping_total": col.decimals(orders.shipping[rows], 14, 2),
            "channel": col.strings(CHANNELS, orders.channel[rows]),
            "device_type": col.strings(P.DEVICE_TYPES, orders.device[rows]),
            "delivery_speed": col.strings(SPEEDS, orders.speed[rows]),
            "coupon_code": col.strings(COUPON_CODES, orders.coupon[rows]),
            "shipping_postal_code": pa.array(postal, pa.string()).take(take),
            "updated_at": clock.render(updated, tz[rows], rng),
        }
    )
    item_order = orders.item_order
    item_table = pa.table(
        {
            "order_id": oid.take(pa.array(item_order)),
            "line_number": col.integers(col.rank_in_group(orders.n_lines) + 1),
            "product_id": product_ids.take(pa.array(orders.item_product)),
            "quantity": col.integers(orders.item_qty),
            "unit_price": col.decimals(orders.item_price, 14, 2),
        }
    )
    return order_table, item_table
