"""Customers of one chunk: hidden attributes (persona, devices ...) and the CRM table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from . import columns as col
from . import geography as geo
from . import personas as P
from .catalog import N_CATEGORIES
from .names import COMPANY_CORES, INDUSTRIES, INDUSTRY_WEIGHTS, LANGUAGES, NAMES, ascii_slug
from .timestamps import DAY, HOUR, Clock

GENDERS = ("female", "male", "diverse", "unknown")
MARITAL = ("single", "married", "divorced", "widowed", "partnered", "unknown")
EDUCATION = ("primary", "secondary", "vocational", "bachelor", "master", "doctorate", "unknown")
LIFECYCLE = ("subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist")
CUSTOMER = LIFECYCLE.index("customer")

DUPLICATE_SHARE = 0.01  # second CRM contact of the same person
MESSY_EMAIL_SHARE = 0.03  # mixed case and/or surrounding whitespace
HOUSEHOLD_SHARE = 0.01  # a device shared with another customer
CUSTOMER_ID_WIDTH = 8

# deterministic unusual-but-valid values on the first customers of chunk 0
TRICKY_NAMES = (
    ("Liam", "O'Brien", "liam.obrien"),
    ("Zoë", "Ünal", "zoe.uenal"),
    ("Łukasz", "Węgierski", "lukasz.wegierski"),
    ("太郎", "山田", "taro.yamada"),
)
TRICKY_COMPANY = 'Smith & Sons "Best" GmbH, Ltd.'
TRICKY_JOB_TITLE = "'); drop table orders; --"
RESERVED = 12  # first positions of chunk 0 never become duplicate contacts

_EDU_BASE = np.array([24_000, 32_000, 38_000, 50_000, 62_000, 75_000, 40_000], dtype=float)
_COUNTRY_INCOME = {
    "DE": 1.0,
    "AT": 1.0,
    "CH": 1.6,
    "FR": 0.95,
    "NL": 1.05,
    "IT": 0.8,
    "ES": 0.75,
    "PL": 0.5,
    "SE": 1.0,
    "BE": 1.0,
    "DK": 1.15,
    "CZ": 0.55,
    "US": 1.25,
}
_CITY_INCOME = np.array([_COUNTRY_INCOME[c.country] for c in geo.CITIES])
_CITY_LANG = np.array(
    [LANGUAGES.index(c.language if c.country != "US" else "en") for c in geo.CITIES]
)
# favourite category weights: female, male/other, b2b
_FAV = np.array(
    [
        [0.10, 0.22, 0.14, 0.09, 0.16, 0.09, 0.06, 0.07, 0.05, 0.02],
        [0.24, 0.12, 0.12, 0.18, 0.04, 0.09, 0.06, 0.08, 0.05, 0.02],
        [0.25, 0.03, 0.05, 0.02, 0.02, 0.08, 0.02, 0.12, 0.03, 0.38],
    ]
)
_COMPANY_SIZE_BUCKETS = ((1, 1), (2, 9), (10, 49), (50, 249), (250, 5000))
_SIZE_AGENCY = (0.30, 0.45, 0.18, 0.06, 0.01)
_SIZE_OTHER = (0.15, 0.35, 0.27, 0.15, 0.08)


@dataclass
class People:
    """Hidden and visible attributes of the customer ids of one chunk."""

    n: int
    gidx: np.ndarray
    cid: pa.Array
    is_dup: np.ndarray
    orig: np.ndarray  # row of the person a duplicate contact belongs to (self otherwise)
    persona: np.ndarray
    b2b: np.ndarray
    city: np.ndarray
    tz: np.ndarray
    currency: np.ndarray
    created: np.ndarray
    active_end: np.ndarray
    fav: np.ndarray
    fav2: np.ndarray
    industry: np.ndarray
    profile: np.ndarray  # (n, 2) device profile per slot, -1 = none
    anon: np.ndarray  # (n, 2) anonymous ids (object)
    postal: list
    cols: dict = field(default_factory=dict)  # customers-table values built here
    tricky: list = field(default_factory=list)

    @property
    def persons(self) -> np.ndarray:
        return np.flatnonzero(~self.is_dup)


def _uuid_like(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.integers(0, 1 << 62, size=(n, 2), dtype=np.int64)
    out = np.empty(n, dtype=object)
    for i in range(n):
        h = f"{int(raw[i, 0]):016x}{int(raw[i, 1]):016x}"
        out[i] = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    return out


def make_people(
    rng: np.random.Generator,
    clock: Clock,
    chunk: int,
    first_index: int,
    n: int,
    used_emails: set[str],
) -> People:
    end, start = clock.end, clock.start
    positions = np.arange(n)
    # duplicate contacts: positions filled later from their original person
    n_dup = round(DUPLICATE_SHARE * n) if n >= 50 else 0
    reserved = RESERVED if chunk == 0 else 0
    is_dup = np.zeros(n, dtype=bool)
    if n_dup:
        is_dup[rng.choice(positions[reserved:], size=n_dup, replace=False)] = True

    b2b = rng.random(n) < P.B2B_SHARE
    persona = np.where(
        b2b,
        np.where(rng.random(n) < P.B2B_BUYER_SHARE, P.B2B_BUYER, P.B2B_PROSPECT),
        col.choice(rng, P.B2C_SHARES, n),
    )
    city = col.choice(rng, geo.CITY_WEIGHTS, n)
    gender = col.choice(rng, (0.49, 0.47, 0.01, 0.03), n)
    if chunk == 0:  # tricky names on B2C, tricky company strings on B2B, two central Munich
        b2b[:4] = False
        persona[:4] = np.where(persona[:4] >= P.B2B_BUYER, P.REGULAR, persona[:4])
        b2b[4:6] = True
        persona[4:6] = P.B2B_BUYER
        city[6:8] = geo.MUNICH
        gender[:4] = (1, 0, 1, 1)[: min(4, n)]

    # demographics
    age = np.clip(rng.normal(P.AGE[persona, 0], P.AGE[persona, 1]), 18, 85)
    birth_day = clock.end_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    birth_null = rng.random(n) < np.where(b2b, 0.6, 0.12)
    marital = _marital(rng, age)
    education = col.choice(rng, (0.04, 0.22, 0.25, 0.25, 0.17, 0.03, 0.04), n)
    education = np.where((age < 23) & (education >= 4), 1 + (education % 3), education)
    education = np.where(b2b & (rng.random(n) < 0.5), 3 + (rng.random(n) < 0.4), education)
    age_factor = np.where(age < 45, 0.55 + 0.45 * np.minimum(1, (age - 18) / 27), 1.0)
    age_factor = np.where(age > 65, 0.8, age_factor)
    income = (
        _EDU_BASE[education]
        * age_factor
        * _CITY_INCOME[city]
        * P.INCOME_FACTOR[persona]
        * np.exp(rng.normal(0, 0.3, n))
    )
    income_cents = np.round(income / 500).astype(np.int64) * 500 * 100
    income_null = rng.random(n) < np.where(b2b, 0.75, 0.3)
    marital_null = rng.random(n) < np.where(b2b, 0.7, 0.05)
    education_null = rng.random(n) < np.where(b2b, 0.5, 0.05)

    # timeline
    lo = np.full(n, start, dtype=np.int64)
    hi = np.full(n, end - 61 * DAY, dtype=np.int64)
    hi = np.where(persona == P.LOYAL, end - 240 * DAY, hi)
    hi = np.where(persona == P.CHURNED, end - 420 * DAY, hi)
    lo = np.where(persona == P.NEW, end - 60 * DAY, lo)
    hi = np.where(persona == P.NEW, end - 2 * HOUR, hi)
    tz = geo.CITY_TZ[city]
    created = clock.seasonal_times(rng, lo, hi, tz)
    churn_room = (end - 280 * DAY) - created - 60 * DAY
    churn_at = created + 60 * DAY + (rng.random(n) * np.maximum(churn_room, 0)).astype(np.int64)
    active_end = np.where(persona == P.CHURNED, churn_at, end)

    # interests
    fav_group = np.where(b2b, 2, np.where(gender == 0, 0, 1))
    fav = col.choice_rows(rng, _FAV, fav_group)
    fav2 = col.choice_rows(rng, _FAV, fav_group)
    fav2 = np.where(
        fav2 == fav, (fav + 1 + rng.integers(0, N_CATEGORIES - 1, n)) % N_CATEGORIES, fav2
    )

    # B2B
    industry = np.where(b2b, col.choice(rng, INDUSTRY_WEIGHTS, n), -1)
    if chunk == 0:
        industry[4:6] = (INDUSTRIES.index("marketing_agency"), INDUSTRIES.index("software"))[
            : max(0, min(2, n - 4))
        ]
    agency = industry == INDUSTRIES.index("marketing_agency")
    bucket = np.where(agency, col.choice(rng, _SIZE_AGENCY, n), col.choice(rng, _SIZE_OTHER, n))
    lo_s = np.array([b[0] for b in _COMPANY_SIZE_BUCKETS])[bucket]
    hi_s = np.array([b[1] for b in _COMPANY_SIZE_BUCKETS])[bucket]
    company_size = np.floor(
        np.exp(np.log(lo_s) + rng.random(n) * (np.log(hi_s + 1) - np.log(lo_s)))
    ).astype(int)
    company_size = np.clip(company_size, lo_s, hi_s)

    # devices
    profile = np.full((n, 2), -1, dtype=np.int64)
    profile[:, 0] = col.choice_rows(rng, P.PROFILE_WEIGHTS, persona)
    second = rng.random(n) < P.P_SECOND_DEVICE[persona]
    desktop_w = np.where(P.PROFILE_GROUP == 3, 1.0, 0.0) * P.PROFILE_WEIGHTS[persona]
    mobile_w = np.where(P.PROFILE_GROUP < 2, 1.0, 0.0) * P.PROFILE_WEIGHTS[persona]
    first_desktop = P.PROFILE_GROUP[profile[:, 0]] == 3
    other = np.where(first_desktop[:, None], mobile_w, desktop_w)
    cdf = np.cumsum(other / other.sum(axis=1, keepdims=True), axis=1)
    pick = np.minimum((cdf < rng.random(n)[:, None]).sum(axis=1), len(P.DEVICE_PROFILES) - 1)
    profile[:, 1] = np.where(second, pick, -1)
    anon = np.empty((n, 2), dtype=object)
    anon[:, 0] = _uuid_like(rng, n)
    anon[:, 1] = _uuid_like(rng, n)

    # households: a device of one person also used by another (shared tablet / laptop)
    persons = np.flatnonzero(~is_dup)
    n_house = round(HOUSEHOLD_SHARE * len(persons)) if len(persons) >= 50 else 0
    house_b = np.zeros(0, dtype=np.int64)
    house_a = np.zeros(0, dtype=np.int64)
    if n_house:
        pick = rng.choice(persons[persons >= reserved], size=2 * n_house, replace=False)
        house_a, house_b = pick[:n_house], pick[n_house:]
        profile[house_b, 1] = profile[house_a, 0]
        anon[house_b, 1] = anon[house_a, 0]
        city[house_b] = city[house_a]
        tz = geo.CITY_TZ[city]

    # names
    lang = _CITY_LANG[city]
    first_name, last_name = _names(rng, lang, gender)
    for a, b in zip(house_a, house_b, strict=True):
        last_name[b] = last_name[a]
    lat, lon = geo.jitter_coordinates(city, rng)
    if chunk == 0 and n > 6:
        k = min(n, 8) - 6
        r = rng.random(k) * 1.0 / 111.32
        theta = rng.random(k) * 2 * np.pi
        lat[6:8] = geo.CITY_LAT[geo.MUNICH] + r * np.sin(theta)
        lon[6:8] = geo.CITY_LON[geo.MUNICH] + r * np.cos(theta) / np.cos(np.radians(48.137))
    postal = geo.postal_codes(city, rng)
    for a, b in zip(house_a, house_b, strict=True):
        postal[b] = postal[a]
        lat[b] = lat[a] + (lat[b] - lat[a]) * 0.001
        lon[b] = lon[a] + (lon[b] - lon[a]) * 0.001
    phone = geo.phone_numbers(city, rng, 0.2)
    job_title, company, core = _b2b_strings(
        rng, b2b, industry, company_size, city, first_name, last_name
    )

    # duplicates copy their person (everything but id, email spelling, created, devices)
    orig = positions.copy()
    dup_rows = np.flatnonzero(is_dup)
    if len(dup_rows):
        buyers = persons[(P.BUYERS[persona[persons]]) & (persons >= reserved)]
        pool = buyers if len(buyers) >= len(dup_rows) else persons[persons >= reserved]
        orig[dup_rows] = rng.choice(pool, size=len(dup_rows), replace=False)
        src = orig[dup_rows]
        for arr in (
            persona,
            b2b,
            city,
            gender,
            birth_day,
            birth_null,
            marital,
            marital_null,
            education,
            education_null,
            income_cents,
            income_null,
            industry,
            active_end,
            company_size,
            fav,
            fav2,
            lat,
            lon,
            tz,
        ):
            arr[dup_rows] = arr[src]
        for lst in (first_name, last_name, postal, job_title, company, core):
            for d, s in zip(dup_rows, src, strict=True):
                lst[d] = lst[s]
        for d, s in zip(dup_rows, src, strict=True):
            phone[d] = phone[s] if rng.random() < 0.5 else None
        profile[dup_rows] = -1

    tricky = []
    gidx = first_index + positions
    cid_list = [f"C{g + 1:0{CUSTOMER_ID_WIDTH}d}" for g in gidx]
    forced_local: dict[int, str] = {}
    if chunk == 0:
        for i, (fn, ln, local) in enumerate(TRICKY_NAMES[: min(4, n)]):
            first_name[i], last_name[i] = fn, ln
            forced_local[i] = local
            for column, value in (("first_name", fn), ("last_name", ln)):
                if value != "Liam":
                    tricky.append(
                        {
                            "table": "customers",
                            "key": {"customer_id": cid_list[i]},
                            "column": column,
                            "value": value,
                        }
                    )
        if n > 4:
            company[4] = TRICKY_COMPANY
            tricky.append(
                {
                    "table": "customers",
                    "key": {"customer_id": cid_list[4]},
                    "column": "company_name",
                    "value": TRICKY_COMPANY,
                }
            )
        if n > 5:
            job_title[5] = TRICKY_JOB_TITLE
            tricky.append(
                {
                    "table": "customers",
                    "key": {"customer_id": cid_list[5]},
                    "column": "job_title",
                    "value": TRICKY_JOB_TITLE,
                }
            )

    email = _emails(
        rng,
        first_name,
        last_name,
        birth_day,
        city,
        b2b,
        core,
        is_dup,
        orig,
        used_emails,
        forced_local,
    )

    people = People(
        n=n,
        gidx=gidx,
        cid=col.pystrings(cid_list),
        is_dup=is_dup,
        orig=orig,
        persona=persona,
        b2b=b2b,
        city=city,
        tz=tz,
        currency=geo.CITY_CURRENCY[city],
        created=created,
        active_end=active_end,
        fav=fav,
        fav2=fav2,
        industry=industry,
        profile=profile,
        anon=anon,
        postal=postal,
        tricky=tricky,
    )
    people.cols = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "birth_day": birth_day,
        "birth_null": birth_null,
        "gender": gender,
        "marital": marital,
        "marital_null": marital_null,
        "education": education,
        "education_null": education_null,
        "income_cents": income_cents,
        "income_null": income_null,
        "job_title": job_title,
        "company": company,
        "company_size": company_size,
        "lat": lat,
        "lon": lon,
    }
    return people


def _marital(rng, age):
    n = len(age)
    band = np.digitize(age, [25, 40, 60])
    w = np.array(
        [
            # single married divorced widowed partnered unknown
            [0.84, 0.04, 0.0, 0.0, 0.08, 0.04],
            [0.34, 0.36, 0.04, 0.0, 0.20, 0.06],
            [0.15, 0.55, 0.12, 0.02, 0.10, 0.06],
            [0.10, 0.55, 0.12, 0.15, 0.03, 0.05],
        ]
    )
    return col.choice_rows(rng, w, band) if n else np.zeros(0, dtype=np.int64)


def _names(rng, lang, gender):
    n = len(lang)
    u1, u2, u3 = rng.random(n), rng.random(n), rng.random(n)
    first, last = [], []
    for i in range(n):
        female, male, lasts = NAMES[LANGUAGES[lang[i]]]
        g = gender[i]
        pool = female if g == 0 or (g >= 2 and u3[i] < 0.5) else male
        first.append(pool[int(u1[i] * len(pool))])
        last.append(lasts[int(u2[i] * len(lasts))])
    return first, last


def _b2b_strings(rng, b2b, industry, size, city, first, last):
    n = len(b2b)
    u = rng.random((n, 3))
    job, company, core_names = [None] * n, [None] * n, [None] * n
    for i in np.flatnonzero(b2b):
        ind = INDUSTRIES[industry[i]]
        s = size[i]
        if s == 1:
            titles = ("Consultant", "Founder") if ind == "consulting" else ("Founder", "Owner")
        elif s <= 9:
            titles = ("Founder", "CEO", "Owner", "Marketing Manager", "Office Manager")
            if ind == "marketing_agency":
                titles += ("Social Media Manager", "Social Media Manager", "Founder")
        else:
            titles = (
                "Head of Marketing",
                "Marketing Manager",
                "Purchasing Manager",
                "IT Manager",
                "Office Manager",
                "Sales Director",
                "CEO",
            )
            if ind == "software":
                titles += ("CTO", "CTO", "IT Manager")
            if ind == "marketing_agency":
                titles += ("Social Media Manager", "Head of Marketing")
        job[i] = titles[int(u[i, 0] * len(titles))]
        cores = COMPANY_CORES[ind]
        core = cores[int(u[i, 1] * len(cores))].format(first=first[i], last=last[i])
        if s == 1 and u[i, 2] < 0.5:
            core = f"{first[i]} {last[i]} " + (
                "Consulting"
                if ind == "consulting"
                else "Marketing"
                if ind == "marketing_agency"
                else "Services"
            )
        legal = geo.COUNTRIES[geo.CITIES[city[i]].country].legal
        company[i] = f"{core} {legal[int(u[i, 2] * 997) % len(legal)]}"
        core_names[i] = core
    return job, company, core_names


def _emails(rng, first, last, birth_day, city, b2b, company_core, is_dup, orig, used, forced):
    n = len(first)
    pattern = col.choice(rng, (0.55, 0.10, 0.08, 0.05, 0.12, 0.10), n)
    u = rng.random((n, 3))
    variant = rng.random(n) < MESSY_EMAIL_SHARE
    style = rng.integers(0, 4, n)
    canonical: list[str] = [""] * n
    out: list[str] = [""] * n
    for i in range(n):
        if is_dup[i]:
            continue
        f = ascii_slug(first[i]) or "kunde"
        la = ascii_slug(last[i]) or "x"
        if i in forced:
            local = forced[i]
        else:
            p = pattern[i]
            yy = (1970 + int(birth_day[i] // 365.25)) % 100
            local = (
                f"{f}.{la}",
                f"{f}{la}",
                f"{f[0]}.{la}",
                f"{f}_{la}",
                f"{f}.{la}{yy:02d}",
                f"{f}{la[0]}{int(u[i, 0] * 900) + 10}",
            )[p]
        country = geo.COUNTRIES[geo.CITIES[city[i]].country]
        if b2b[i] and company_core[i] and u[i, 1] < 0.8:
            domain = f"{ascii_slug(company_core[i])[:24] or 'firma'}.{country.tld}"
        else:
            domain = country.domains[int(u[i, 2] * len(country.domains))]
        email = f"{local}@{domain}"
        k = 2
        while email in used:
            email = f"{local}{k}@{domain}"
            k += 1
        used.add(email)
        canonical[i] = email
        out[i] = _spell(email, style[i]) if variant[i] and i not in forced else email
    for i in np.flatnonzero(is_dup):
        base = canonical[orig[i]]
        s = int(style[i])
        spelled = _spell(base, s)
        if spelled == out[orig[i]]:
            spelled = _spell(base, (s + 1) % 4)
        out[i] = spelled
    return out


def _spell(email: str, style: int) -> str:
    """The same address as a CRM user might have typed it: case and whitespace noise."""
    local, domain = email.split("@", 1)
    if style == 0:
        return (
            ".".join(p[:1].upper() + p[1:] for p in local.split("."))
            + "@"
            + domain[:1].upper()
            + domain[1:]
        )
    if style == 1:
        return f" {email} "
    if style == 2:
        return " " + ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + domain
    return email.upper() + " "


def set_duplicate_created(rng, people: People, order_cust, order_t, order_person) -> None:
    """Give duplicate contacts a later created_at and move some later orders to them.

    ``order_cust`` (row of the customer id an order belongs to) is updated in place.
    """
    for d in np.flatnonzero(people.is_dup):
        o = people.orig[d]
        mine = np.flatnonzero(order_person == o)
        mine = mine[np.argsort(order_t[mine], kind="stable")]
        if len(mine) >= 2:
            k = int(rng.integers(1, len(mine)))
            t_prev, t_k = order_t[mine[k - 1]], order_t[mine[k]]
            people.created[d] = t_prev + int((t_k - t_prev) * (0.1 + 0.8 * rng.random()))
            moved = mine[k:][rng.random(len(mine) - k) < 0.6]
            order_cust[mine[k]] = d
            order_cust[moved] = d
        else:
            people.created[d] = min(
                people.created[o] + int(rng.integers(1, 200)) * DAY,
                people.active_end[o] - 2 * HOUR,
                people.created[o] + (people.active_end[o] - people.created[o]) // 2,
            )
            people.created[d] = max(people.created[d], people.created[o] + 60)


def customers_table(
    rng,
    clock: Clock,
    people: People,
    n_orders: np.ndarray,
    first_order: np.ndarray,
    last_order: np.ndarray,
) -> tuple[pa.Table, int]:
    """The CRM export: the latest row per customer plus ~12 % earlier versions."""
    n = people.n
    c = people.cols
    end = clock.end
    buyer = n_orders > 0
    persona = people.persona
    b2b = people.b2b
    stage_nb = np.where(
        b2b[:, None], P.NON_BUYER_STAGES_B2B[None, :], P.NON_BUYER_STAGES_B2C[None, :]
    )
    stage = col.choice_rows(rng, stage_nb, np.arange(n)) if n else np.zeros(0, dtype=np.int64)
    evangelist = rng.random(n) < P.P_EVANGELIST[persona]
    stage = np.where(buyer, np.where(evangelist, CUSTOMER + 1, CUSTOMER), stage)

    created = people.created
    anchor = np.where(buyer, np.maximum(last_order, created), created)
    room = np.maximum(np.minimum(end - 1 - anchor, 90 * DAY), 0)
    updated = anchor + (rng.random(n) * room).astype(np.int64)
    updated = np.maximum(updated, created + 1)
    updated = np.minimum(updated, end - 1)
    has_old = (rng.random(n) < 0.12) & (updated - created > 2 * DAY)
    old_rows = np.flatnonzero(has_old)
    old_updated = (
        created[old_rows]
        + 1
        + (rng.random(len(old_rows)) * (updated[old_rows] - created[old_rows] - 2)).astype(np.int64)
    )
    old_stage = np.where(
        buyer[old_rows], np.where(b2b[old_rows], 3, 1), np.maximum(stage[old_rows] - 1, 0)
    )
    rows = np.concatenate([np.arange(n), old_rows])
    stage_all = np.concatenate([stage, old_stage])
    updated_all = np.concatenate([updated, old_updated])
    phone_all = c["phone"] + [c["phone"][i] if rng.random() < 0.6 else None for i in old_rows]

    city = people.city[rows]
    tz = people.tz[rows]
    lat_units = np.round(c["lat"] * 1e6).astype(np.int64)[rows]
    lon_units = np.round(c["lon"] * 1e6).astype(np.int64)[rows]
    take = pa.array(rows)

    def pick(values):
        return col.pystrings(values).take(take)

    table = pa.table(
        {
            "customer_id": people.cid.take(take),
            "email": pick(c["email"]),
            "first_name": pick(c["first_name"]),
            "last_name": pick(c["last_name"]),
            "phone": col.pystrings(phone_all),
            "birth_date": col.dates(c["birth_day"][rows], null=c["birth_null"][rows]),
            "gender": col.strings(GENDERS, c["gender"][rows]),
            "marital_status": col.strings(
                MARITAL, c["marital"][rows], null=c["marital_null"][rows]
            ),
            "education": col.strings(
                EDUCATION, c["education"][rows], null=c["education_null"][rows]
            ),
            "annual_income": col.decimals(
                c["income_cents"][rows], 14, 2, null=c["income_null"][rows]
            ),
            "job_title": pick(c["job_title"]),
            "company_name": pick(c["company"]),
            "industry": col.strings(INDUSTRIES, people.industry[rows]),
            "company_size": col.integers(c["company_size"][rows], null=~b2b[rows]),
            "country_code": col.strings([ci.country for ci in geo.CITIES], city),
            "region": col.strings([ci.region for ci in geo.CITIES], city),
            "city": col.strings([ci.name for ci in geo.CITIES], city),
            "postal_code": pick(people.postal),
            "latitude": col.decimals(lat_units, 9, 6),
            "longitude": col.decimals(lon_units, 9, 6),
            "timezone": col.strings(geo.TIMEZONES, tz),
            "language": col.strings([ci.language for ci in geo.CITIES], city),
            "lifecycle_stage": col.strings(LIFECYCLE, stage_all),
            "created_at": clock.render(created, people.tz, rng).take(take),
            "updated_at": clock.render(updated_all, tz, rng),
        }
    )
    return table, len(old_rows)
