"""Web and app events: sessions, funnels, devices and identity (login) of one chunk.

Every person browses on one or two devices (anonymous ids). Events on a device
carry the customer id only from the device's login onwards; earlier events
stay anonymous (identity stitching happens later in the warehouse). Tracked
online orders end in a purchase session whose purchase event is at ordered_at
and whose product events are the order's items. Some devices are shared by a
household, and some visitors never log in at all.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import columns as col
from . import personas as P
from .catalog import (
    CAMPAIGN_CHANNELS,
    CATEGORY_NAMES,
    DEAL_QUERIES,
    N_CATEGORIES,
    SEARCH_QUERIES,
    Campaigns,
    ProductSampler,
)
from .customers import People, _uuid_like
from .orders import Orders
from .timestamps import DAY, HOUR, YEAR, Clock

EVENT_TYPES = (
    "page_view",
    "product_view",
    "search",
    "add_to_cart",
    "remove_from_cart",
    "checkout_started",
    "purchase",
    "signup",
    "login",
)
# funnel slots of a session, in event order; slot 1 is the login / signup event
_SLOT_TYPE = np.array([0, 8, 2, 1, 3, 4, 5, 6])
N_SLOTS = len(_SLOT_TYPE)
BROWSE, PURCHASE, SIGNUP, VISITOR = range(4)
ANONYMOUS_VISITORS = 0.2  # devices per person that never log in
EVENT_ID_WIDTH = 11
SESSION_ID_WIDTH = 10

_STATIC = (
    "/",
    "/login",
    "/signup",
    "/search",
    "/cart",
    "/checkout",
    "/checkout/confirmation",
    "/account",
    "/sale",
)
_UTM_MEDIUM = ("email", "cpc", "paid_social", "display")
_UTM_CHANNEL = ("email", "paid_search", "paid_social", "display")
_UTM_SOURCES = (
    ("newsletter",),
    ("google", "bing"),
    ("facebook", "instagram", "tiktok"),
    ("criteo", "google"),
)
_UTM_SOURCE_W = ((1.0,), (0.85, 0.15), (0.4, 0.45, 0.15), (0.6, 0.4))
_SEARCH_VOCAB = [q for c in CATEGORY_NAMES for q in SEARCH_QUERIES[c]] + list(DEAL_QUERIES)
_SEARCH_OFFSET = np.cumsum([0] + [len(SEARCH_QUERIES[c]) for c in CATEGORY_NAMES])
_SEARCH_COUNT = np.array([len(SEARCH_QUERIES[c]) for c in CATEGORY_NAMES])


def _gather(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """values[idx] with 0 where idx < 0 (also when there are no values at all)."""
    out = np.zeros(len(idx), dtype=values.dtype)
    ok = idx >= 0
    out[ok] = values[idx[ok]]
    return out


def make_web_events(
    rng: np.random.Generator,
    clock: Clock,
    people: People,
    orders: Orders,
    sampler: ProductSampler,
    product_ids: pa.Array,
    product_slugs: list[str],
    campaigns: Campaigns,
    first_session: int,
    first_event: int,
) -> tuple[pa.Table, int]:
    end, start = clock.end, clock.start
    n = people.n
    persons = people.persons
    pers = people.persona[persons]
    has2 = people.profile[:, 1] >= 0

    # browse sessions
    lo = np.maximum(start, people.created[persons] - 30 * DAY)
    hi = np.where(pers == P.CHURNED, people.active_end[persons] + 30 * DAY, end) - HOUR
    hi = np.minimum(np.maximum(hi, lo + HOUR), end - HOUR)
    years = (hi - lo) / YEAR
    nb = np.maximum(rng.poisson(P.BROWSE_PER_YEAR[pers] * years), P.MIN_BROWSE[pers].astype(int))
    b_person = np.repeat(persons, nb)
    b_t = clock.seasonal_times(rng, np.repeat(lo, nb), np.repeat(hi, nb), people.tz[b_person])
    b_slot = np.where(has2[b_person] & (rng.random(len(b_person)) < 0.35), 1, 0)

    # purchase sessions of tracked online orders
    tracked = (orders.slot >= 0) & (rng.random(orders.n) < P.P_TRACKED_ORDER)
    p_order = np.flatnonzero(tracked)

    # signup sessions
    s_person = persons[(people.created[persons] > start + HOUR) & (rng.random(len(persons)) < 0.5)]

    # anonymous visitors who never log in
    n_vis = round(ANONYMOUS_VISITORS * len(persons))
    v_sessions = rng.geometric(0.55, n_vis)
    # (one spare entry so that indexing works when there are no visitors)
    v_profile = col.choice_rows(rng, P.PROFILE_WEIGHTS, np.full(n_vis + 1, P.REGULAR))
    v_anon = _uuid_like(rng, n_vis)
    v_fav = rng.integers(0, N_CATEGORIES, n_vis + 1)
    v_dev = np.repeat(np.arange(n_vis), v_sessions)
    v_t = start + (rng.random(len(v_dev)) * (end - HOUR - start)).astype(np.int64)

    kind = np.concatenate(
        [
            np.full(len(b_person), BROWSE),
            np.full(len(p_order), PURCHASE),
            np.full(len(s_person), SIGNUP),
            np.full(len(v_dev), VISITOR),
        ]
    )
    person = np.concatenate([b_person, orders.person[p_order], s_person, np.full(len(v_dev), -1)])
    cust = np.concatenate([b_person, orders.cust[p_order], s_person, np.full(len(v_dev), -1)])
    slot = np.concatenate(
        [b_slot, orders.slot[p_order], np.zeros(len(s_person), int), np.zeros(len(v_dev), int)]
    )
    approx = np.concatenate([b_t, orders.t[p_order] - 300, people.created[s_person], v_t])
    order_of = np.concatenate(
        [np.full(len(b_person), -1), p_order, np.full(len(s_person) + len(v_dev), -1)]
    )
    dev = np.where(
        person >= 0,
        2 * np.maximum(person, 0) + slot,
        2 * n + np.concatenate([np.zeros(len(kind) - len(v_dev), int), v_dev]),
    )
    persona_s = np.where(person >= 0, people.persona[np.maximum(person, 0)], P.REGULAR)
    pm = np.maximum(person, 0)
    profile = np.where(
        person >= 0,
        people.profile[pm, slot],
        v_profile[np.concatenate([np.zeros(len(kind) - len(v_dev), int), v_dev])],
    )
    vis_fav = v_fav[np.concatenate([np.zeros(len(kind) - len(v_dev), int), v_dev])]

    # login per device: slot 0 logs in at created_at, slot 1 after 0-2 anonymous sessions,
    # and every purchase session is logged in
    order = np.lexsort((kind != SIGNUP, approx, dev))
    kind, person, cust, slot, approx, order_of, dev, persona_s, profile, pm, vis_fav = (
        a[order]
        for a in (kind, person, cust, slot, approx, order_of, dev, persona_s, profile, pm, vis_fav)
    )
    S = len(kind)
    new_dev = np.r_[True, dev[1:] != dev[:-1]] if S else np.zeros(0, dtype=bool)
    dev_start = np.flatnonzero(new_dev)
    dev_len = np.diff(np.r_[dev_start, S])
    rank_dev = col.rank_in_group(dev_len)
    login_at = np.full(2 * n + n_vis, np.iinfo(np.int64).max, dtype=np.int64)
    login_at[2 * np.arange(n)] = people.created
    k_anon = col.choice(rng, (0.4, 0.35, 0.25), 2 * n + n_vis)
    first_login = (slot == 1) & (person >= 0) & (rank_dev == k_anon[dev])
    login_at[dev[first_login]] = approx[first_login]
    buy = kind == PURCHASE
    np.minimum.at(login_at, dev[buy], approx[buy])
    ident = approx >= login_at[dev]
    prev_ident = np.r_[False, ident[:-1]] if S else ident
    login_sess = ident & (new_dev | ~prev_ident)

    # events per funnel slot
    C = np.zeros((S, N_SLOTS), dtype=np.int64)
    browse = (kind == BROWSE) | (kind == VISITOR)
    n_lines = np.where(buy, _gather(orders.n_lines, order_of), 0)
    C[:, 0] = 1
    C[:, 1] = login_sess
    C[:, 2] = np.where(browse, rng.random(S) < P.P_SEARCH[persona_s], buy & (rng.random(S) < 0.2))
    pv = np.minimum(rng.poisson(P.PRODUCT_VIEWS[persona_s]), 15)
    C[:, 3] = np.where(browse, pv, n_lines)
    atc = (pv > 0) & (rng.random(S) < P.P_ADD_TO_CART[persona_s])
    atc = atc * (1 + (rng.random(S) < 0.25))
    C[:, 4] = np.where(browse, atc, n_lines)
    C[:, 5] = browse & (atc > 0) & (rng.random(S) < 0.15)
    C[:, 6] = np.where(browse, (atc > 0) & (rng.random(S) < P.P_CHECKOUT[persona_s]), buy)
    C[:, 7] = buy
    total = C.sum(axis=1)
    E = int(total.sum())
    ev_sess = np.repeat(np.arange(S), total)
    ev_slot = np.repeat(np.tile(np.arange(N_SLOTS), S), C.ravel())
    ev_first = col.group_starts(total)
    ev_rank = np.arange(E) - ev_first[ev_sess]
    slot_first = col.group_starts(C.ravel())
    ev_rank_slot = np.arange(E) - np.repeat(slot_first, C.ravel())

    # timing: gaps between events; purchases land on ordered_at, signups on created_at
    gaps = (rng.exponential(35.0, E) + 2).astype(np.int64)
    gaps[ev_first[total > 0]] = 0
    cum = np.cumsum(gaps)
    offset = cum - cum[ev_first][ev_sess]
    duration = offset[ev_first + total - 1]
    s_start = np.where(
        buy,
        _gather(orders.t, order_of) - duration,
        np.where(kind == SIGNUP, approx - duration, np.minimum(approx, end - 1 - duration)),
    )
    ev_t = s_start[ev_sess] + offset

    # event attributes
    etype = _SLOT_TYPE[ev_slot]
    etype = np.where((ev_slot == 1) & (kind[ev_sess] == SIGNUP), 7, etype)
    ev_ident = ident[ev_sess] & ~(login_sess[ev_sess] & (ev_rank == 0))
    ev_cust = np.where(ev_ident, cust[ev_sess], -1)
    sess_fav = np.where(person >= 0, people.fav[pm], vis_fav)
    sess_fav2 = np.where(person >= 0, people.fav2[pm], vis_fav)

    product = np.full(E, -1, dtype=np.int64)
    in_buy = buy[ev_sess] & ((ev_slot == 3) | (ev_slot == 4))
    item = _gather(orders.item_start, order_of[ev_sess[in_buy]]) + ev_rank_slot[in_buy]
    product[in_buy] = orders.item_product[item]
    views = browse[ev_sess] & (ev_slot == 3)
    vs = ev_sess[views]
    cats = ProductSampler.categories(rng, sess_fav[vs], sess_fav2[vs], 0.6, 0.25)
    product[views] = sampler.sample(rng, persona_s[vs], cats, ev_t[views])
    carted = browse[ev_sess] & ((ev_slot == 4) | (ev_slot == 5))
    first_view = ev_first + C[:, 0] + C[:, 1] + C[:, 2]
    product[carted] = product[first_view[ev_sess[carted]]]

    n_static = len(_STATIC)
    page = np.full(E, -1, dtype=np.int64)
    u = rng.random(E)
    deal = rng.random(E) < P.P_DEAL_SEARCH[persona_s[ev_sess]]
    pv_page = np.where(
        u < 0.35,
        0,
        np.where(u < 0.85, n_static + sess_fav[ev_sess], np.where(deal | (u < 0.9), 8, 7)),
    )
    pv_page = np.where((pv_page == 7) & ~ev_ident, 0, pv_page)
    page = np.where(ev_slot == 0, pv_page, page)
    page = np.where(ev_slot == 1, np.where(etype == 7, 2, 1), page)
    page = np.where(ev_slot == 2, 3, page)
    page = np.where((ev_slot == 3) | (ev_slot == 4), n_static + N_CATEGORIES + product, page)
    page = np.where(ev_slot == 5, 4, np.where(ev_slot == 6, 5, np.where(ev_slot == 7, 6, page)))
    page_vocab = (
        list(_STATIC)
        + [f"/c/{c.replace('_', '-')}" for c in CATEGORY_NAMES]
        + [f"/p/{s}" for s in product_slugs]
    )

    search = np.full(E, -1, dtype=np.int64)
    srch = ev_slot == 2
    q_cat = np.where(rng.random(E) < 0.7, sess_fav[ev_sess], rng.integers(0, N_CATEGORIES, E))
    q = _SEARCH_OFFSET[q_cat] + (rng.random(E) * _SEARCH_COUNT[q_cat]).astype(np.int64)
    q = np.where(
        deal, len(_SEARCH_VOCAB) - len(DEAL_QUERIES) + rng.integers(0, len(DEAL_QUERIES), E), q
    )
    search[srch] = q[srch]

    # campaign attribution per session
    p_utm = np.where(persona_s == P.BARGAIN, 0.5, 0.3)
    has_utm = rng.random(S) < p_utm
    medium_w = np.where(
        (persona_s == P.BARGAIN)[:, None], [[0.55, 0.2, 0.2, 0.05]], [[0.25, 0.35, 0.3, 0.1]]
    )
    medium = col.choice_rows(rng, medium_w, np.arange(S)) if S else np.zeros(0, int)
    src_vocab, src_code = [], np.full(S, -1)
    camp_code = np.full(S, -1)
    slug_vocab = list(campaigns.slugs) + [f"always-on-{m}" for m in _UTM_MEDIUM]
    for m, sources in enumerate(_UTM_SOURCES):
        sel = has_utm & (medium == m)
        k = col.choice(rng, _UTM_SOURCE_W[m], int(sel.sum()))
        src_code[sel] = len(src_vocab) + k
        src_vocab.extend(sources)
        mine = np.flatnonzero(campaigns.channel == CAMPAIGN_CHANNELS.index(_UTM_CHANNEL[m]))
        if len(mine):
            pos = np.searchsorted(campaigns.start[mine], s_start[sel], side="right") - 1
            camp_code[sel] = np.where(pos >= 0, mine[np.maximum(pos, 0)], len(campaigns.slugs) + m)
        else:
            camp_code[sel] = len(campaigns.slugs) + m

    # output in chronological session order
    chrono = np.argsort(s_start, kind="stable")
    ev_order = np.repeat(ev_first[chrono], total[chrono]) + col.rank_in_group(total[chrono])
    sess_number = np.empty(S, dtype=np.int64)
    sess_number[chrono] = first_session + np.arange(S) + 1
    es = ev_sess[ev_order]
    dev_vocab = pa.array(list(people.anon.ravel()) + list(v_anon), pa.string())
    profiles = P.DEVICE_PROFILES
    tz_s = np.where(person >= 0, people.tz[pm], people.tz[0] if n else 0)
    table = pa.table(
        {
            "event_id": col.ids("E", first_event + np.arange(E) + 1, EVENT_ID_WIDTH),
            "occurred_at": clock.render(ev_t[ev_order], tz_s[es], rng),
            "anonymous_id": col.strings(dev_vocab, dev[es]),
            "customer_id": people.cid.take(pa.array(ev_cust[ev_order], mask=ev_cust[ev_order] < 0)),
            "session_id": col.ids("S", sess_number[es], SESSION_ID_WIDTH),
            "event_type": col.strings(EVENT_TYPES, etype[ev_order]),
            "page_path": col.strings(page_vocab, page[ev_order]),
            "product_id": product_ids.take(pa.array(product[ev_order], mask=product[ev_order] < 0)),
            "search_query": col.strings(_SEARCH_VOCAB, search[ev_order]),
            "device_type": col.strings([p[1] for p in profiles], profile[es]),
            "os": col.strings([p[2] for p in profiles], profile[es]),
            "browser": col.strings([p[3] for p in profiles], profile[es]),
            "app_platform": col.strings([p[4] for p in profiles], profile[es]),
            "utm_source": col.strings(src_vocab, src_code[es]),
            "utm_medium": col.strings(_UTM_MEDIUM, np.where(has_utm, medium, -1)[es]),
            "utm_campaign": col.strings(slug_vocab, camp_code[es]),
        }
    )
    return table, S
