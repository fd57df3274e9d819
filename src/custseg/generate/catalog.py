"""Global tables and catalogues: products, campaigns, offline events, FX rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import columns as col
from .geography import BASE_RATES, BERLIN_TZ, CURRENCIES
from .names import slugify
from .timestamps import DAY, HOUR, YEAR, Clock

# category -> (share of catalogue, brands, {subcategory: (median EUR price, nouns)})
CATEGORIES: dict[str, tuple[float, tuple[str, ...], dict[str, tuple[float, tuple[str, ...]]]]] = {
    "electronics": (
        0.14,
        ("Voltra", "Sonique", "Pixelon", "Nordtek", "Auralis"),
        {
            "headphones": (89, ("Wireless Headphones", "Earbuds", "Noise-Cancelling Headset")),
            "speakers": (119, ("Bluetooth Speaker", "Smart Speaker")),
            "smartwatches": (199, ("Smartwatch", "Fitness Tracker")),
            "chargers": (29, ("USB-C Charger", "Power Bank", "Charging Cable")),
            "cameras": (449, ("Mirrorless Camera", "Action Cam")),
            "tablets": (379, ("Tablet", "E-Reader")),
        },
    ),
    "fashion": (
        0.16,
        ("Urbanfield", "Maison Lume", "Fjellrev", "Stitch & Co"),
        {
            "sneakers": (89, ("Sneaker", "Canvas Shoe")),
            "jackets": (149, ("Rain Jacket", "Down Jacket", "Denim Jacket")),
            "jeans": (79, ("Slim Jeans", "Straight Jeans")),
            "dresses": (69, ("Summer Dress", "Knit Dress")),
            "shirts": (39, ("Oxford Shirt", "Organic T-Shirt", "Hoodie")),
            "accessories": (29, ("Scarf", "Beanie", "Leather Belt")),
        },
    ),
    "home_garden": (
        0.12,
        ("Heimwerk", "Casa Nova", "Gartenglück", "Nordhus"),
        {
            "cookware": (79, ("Cast Iron Pan", "Knife Set", "Dutch Oven")),
            "furniture": (249, ("Side Table", "Lounge Chair", "Bookshelf")),
            "lighting": (59, ("Floor Lamp", "LED Desk Lamp")),
            "garden_tools": (39, ("Pruning Shears", "Raised Bed", "Garden Hose")),
            "bedding": (69, ("Linen Duvet Cover", "Pillow Set")),
            "decor": (29, ("Ceramic Vase", "Scented Candle")),
        },
    ),
    "sports_outdoor": (
        0.11,
        ("Alpenpfad", "Trailgear", "Summitline", "Velocita"),
        {
            "running": (119, ("Trail Running Shoe", "Running Vest")),
            "cycling": (69, ("Bike Helmet", "Bike Light Set")),
            "camping": (149, ("2-Person Tent", "Sleeping Bag", "Camping Stove")),
            "fitness": (45, ("Yoga Mat", "Kettlebell", "Resistance Bands")),
            "hiking": (139, ("Hiking Boot", "Trekking Poles")),
        },
    ),
    "beauty": (
        0.09,
        ("Lumière", "Pure Botanics", "Glow Lab"),
        {
            "skincare": (29, ("Face Serum", "Day Cream", "Cleansing Gel")),
            "haircare": (19, ("Repair Shampoo", "Hair Oil")),
            "fragrance": (69, ("Eau de Parfum", "Eau de Toilette")),
            "makeup": (24, ("Mascara", "Lip Balm", "Foundation")),
        },
    ),
    "books": (
        0.09,
        ("Kiepen Verlag", "Lesewelt", "Papertrail Press"),
        {
            "fiction": (16, ("Novel", "Crime Thriller")),
            "non_fiction": (24, ("Biography", "Popular Science")),
            "cookbooks": (29, ("Cookbook", "Baking Book")),
            "children": (12, ("Picture Book", "Activity Book")),
            "business": (29, ("Marketing Handbook", "Leadership Guide")),
        },
    ),
    "toys": (
        0.07,
        ("Blockwelt", "Spielfuchs", "Tiny Giants"),
        {
            "building_sets": (49, ("Building Set", "Marble Run")),
            "board_games": (34, ("Board Game", "Card Game")),
            "plush": (19, ("Plush Bear", "Plush Fox")),
            "outdoor_toys": (39, ("Balance Bike", "Water Blaster")),
        },
    ),
    "food_beverage": (
        0.08,
        ("Röstwerk", "Teehaus", "Bio Natura", "Vinothek Süd"),
        {
            "coffee": (14, ("Espresso Beans", "Filter Coffee")),
            "tea": (9, ("Green Tea", "Herbal Tea")),
            "snacks": (6, ("Nut Mix", "Dark Chocolate")),
            "wine": (15, ("Riesling", "Pinot Noir")),
            "organic": (12, ("Olive Oil", "Granola")),
        },
    ),
    "travel_gear": (
        0.06,
        ("Wanderlust", "Globetrek", "Nomad & Co"),
        {
            "backpacks": (99, ("Travel Backpack", "Daypack")),
            "suitcases": (189, ("Carry-On Suitcase", "Check-In Trolley")),
            "travel_accessories": (24, ("Packing Cubes", "Neck Pillow", "Travel Adapter")),
        },
    ),
    "office_supplies": (
        0.08,
        ("Officio", "Papyrus Pro", "Deskline"),
        {
            "paper": (9, ("Copy Paper", "Notebook A5")),
            "writing": (7, ("Gel Pen Set", "Highlighter Set")),
            "desk_accessories": (29, ("Monitor Stand", "Desk Organizer")),
            "printers": (179, ("Laser Printer", "Label Printer")),
            "office_chairs": (299, ("Ergonomic Office Chair",)),
        },
    ),
}
CATEGORY_NAMES = tuple(CATEGORIES)
N_CATEGORIES = len(CATEGORY_NAMES)
N_PRODUCTS = 320
_ADJECTIVES = (
    "Pro",
    "Classic",
    "Lite",
    "Max",
    "Eco",
    "Urban",
    "Premium",
    "Essential",
    "Air",
    "Flex",
    "Active",
    "Nova",
)

SEARCH_QUERIES: dict[str, tuple[str, ...]] = {
    "electronics": (
        "kopfhörer",
        "bluetooth lautsprecher",
        "usb-c ladegerät",
        "smartwatch",
        "kamera",
    ),
    "fashion": ("sneaker", "winterjacke", "jeans slim", "sommerkleid", "hoodie"),
    "home_garden": ("pfanne", "stehlampe", "hochbeet", "bettwäsche leinen"),
    "sports_outdoor": ("laufschuhe", "zelt", "yogamatte", "wanderschuhe"),
    "beauty": ("serum", "parfum", "shampoo", "mascara"),
    "books": ("krimi", "kochbuch", "kinderbuch", "marketing buch"),
    "toys": ("bausteine", "brettspiel", "kuscheltier"),
    "food_beverage": ("espresso bohnen", "grüner tee", "rotwein", "olivenöl"),
    "travel_gear": ("rucksack", "koffer handgepäck", "reiseadapter"),
    "office_supplies": ("druckerpapier", "bürostuhl", "monitorständer", "etikettendrucker"),
}
DEAL_QUERIES = ("sale", "angebote", "gutschein", "rabatt", "black friday", "outlet")


@dataclass
class Products:
    table: pa.Table
    category: np.ndarray  # category code per product
    price_cents: np.ndarray  # list price, EUR cents
    launched: np.ndarray  # launch instant
    slug: list[str]


def make_products(rng: np.random.Generator, clock: Clock) -> Products:
    shares = np.array([CATEGORIES[c][0] for c in CATEGORY_NAMES])
    counts = np.floor(shares / shares.sum() * N_PRODUCTS).astype(int)
    counts[np.argmax(shares)] += N_PRODUCTS - counts.sum()
    rows: dict[str, list] = {k: [] for k in ("name", "cat", "sub", "brand", "price")}
    for ci, cname in enumerate(CATEGORY_NAMES):
        _, brands, subs = CATEGORIES[cname]
        sub_names = list(subs)
        for k in range(counts[ci]):
            sub = sub_names[k % len(sub_names)]
            median, nouns = subs[sub]
            brand = brands[int(rng.integers(len(brands)))]
            noun = nouns[int(rng.integers(len(nouns)))]
            adj = _ADJECTIVES[int(rng.integers(len(_ADJECTIVES)))]
            model = f"{chr(65 + int(rng.integers(26)))}{int(rng.integers(1, 10))}"
            euros = max(1.0, median * float(np.exp(rng.normal(0, 0.45))))
            rows["name"].append(f"{brand} {adj} {noun} {model}")
            rows["cat"].append(ci)
            rows["sub"].append(sub)
            rows["brand"].append(brand)
            rows["price"].append(int(euros) * 100 + (99 if euros < 500 else 0))
    n = len(rows["name"])
    old = rng.random(n) < 0.75
    launched = np.where(
        old,
        clock.start - (rng.random(n) * 4 * YEAR).astype(np.int64),
        clock.start + (rng.random(n) * (clock.end - clock.start - 45 * DAY)).astype(np.int64),
    )
    launched = launched - launched % DAY + 7 * HOUR  # launches at 08:00 or 09:00 Berlin time
    pid = [f"P{i + 1:05d}" for i in range(n)]
    slug = [f"{slugify(name)}-{p.lower()}" for name, p in zip(rows["name"], pid, strict=True)]
    price = np.array(rows["price"], dtype=np.int64)
    table = pa.table(
        {
            "product_id": col.pystrings(pid),
            "product_name": col.pystrings(rows["name"]),
            "category": col.strings(CATEGORY_NAMES, rows["cat"]),
            "subcategory": col.pystrings(rows["sub"]),
            "brand": col.pystrings(rows["brand"]),
            "list_price": col.decimals(price, 14, 2),
            "currency": col.strings(["EUR"], np.zeros(n)),
            "launched_at": clock.render(launched, BERLIN_TZ, rng),
        }
    )
    return Products(table, np.array(rows["cat"]), price, launched, slug)


# ---------------------------------------------------------------- campaigns
CAMPAIGN_CHANNELS = ("email", "sms", "paid_social", "paid_search", "display", "direct_mail")
# target segment -> label used in campaign names
SEGMENTS = (
    "rfm_champions",
    "cart_abandoners_14d",
    "lapsed_customers_180d",
    "new_customers_30d",
    "b2b_marketing_agencies",
    "bargain_hunters",
    "window_shoppers_30d",
)
_SEGMENT_TITLES = (
    "VIP Early Access",
    "Your Cart Misses You",
    "We Miss You Winback",
    "Welcome Series",
    "Agency Partner Program",
    "Flash Sale Alert",
    "Still Thinking About It",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_COST = {
    "email": (300, 2000),
    "sms": (500, 3000),
    "paid_social": (5000, 40000),
    "paid_search": (5000, 30000),
    "display": (3000, 20000),
    "direct_mail": (5000, 25000),
}
_DURATION_DAYS = {
    "email": (5, 14),
    "sms": (2, 5),
    "paid_social": (14, 45),
    "paid_search": (30, 60),
    "display": (14, 30),
    "direct_mail": (20, 40),
}


@dataclass
class Campaigns:
    table: pa.Table
    start: np.ndarray
    channel: np.ndarray  # code into CAMPAIGN_CHANNELS
    segment: np.ndarray  # code into SEGMENTS, -1 = newsletter / broadcast
    ids: list[str]
    slugs: list[str]


def make_campaigns(rng: np.random.Generator, clock: Clock) -> Campaigns:
    specs: list[tuple[int, str, str, int]] = []  # (start, name, channel, segment)
    first = dt.datetime.fromtimestamp(clock.start, dt.UTC)
    month0 = first.year * 12 + first.month - 1
    n_months = 37
    for m in range(n_months):
        y, mo = divmod(month0 + m, 12)
        t0 = int(dt.datetime(y, mo + 1, 1, tzinfo=dt.UTC).timestamp())
        label = f"{_MONTHS[mo]} {y}"
        if m % 2 == 0:
            specs.append((t0 + int(rng.integers(2, 9)) * DAY, f"Newsletter {label}", "email", -1))
        if mo == 10:
            specs.append((t0 + 22 * DAY, f"Black Friday {y}", "email", -1))
            specs.append((t0 + 18 * DAY, f"Black Friday Social {y}", "paid_social", -1))
        if mo == 11:
            specs.append((t0 + 3 * DAY, f"Christmas Gift Guide {y}", "email", -1))
        if mo == 5:
            specs.append((t0 + 20 * DAY, f"Summer Sale {y}", "email", -1))
        if m % 3 == 1:
            seg = (m // 3) % len(SEGMENTS)
            specs.append(
                (
                    t0 + int(rng.integers(5, 20)) * DAY,
                    f"{_SEGMENT_TITLES[seg]} {label}",
                    "email",
                    seg,
                )
            )
        if m % 3 == 2:
            ch = ("paid_social", "paid_search", "display", "sms", "direct_mail")[(m // 3) % 5]
            seg = {"display": 1, "paid_social": 0, "sms": 5}.get(ch, -1)
            title = {
                "paid_social": "Lookalike Social",
                "paid_search": "Search Always-On",
                "display": "Retargeting Display",
                "sms": "SMS Flash Deal",
                "direct_mail": "Catalogue Mailing",
            }[ch]
            specs.append((t0 + int(rng.integers(1, 15)) * DAY, f"{title} {label}", ch, seg))
    specs = [s for s in specs if clock.start <= s[0] < clock.end - 8 * DAY]
    specs.sort(key=lambda s: (s[0], s[1]))
    n = len(specs)
    start = np.array([s[0] for s in specs], dtype=np.int64) + 7 * HOUR
    start += rng.integers(0, 3 * HOUR, n)
    channel = np.array([CAMPAIGN_CHANNELS.index(s[2]) for s in specs])
    segment = np.array([s[3] for s in specs])
    dur = np.array([rng.integers(*_DURATION_DAYS[s[2]]) for s in specs]) * DAY
    end = start + dur
    ongoing = end >= clock.end
    cost = np.array([int(rng.integers(*_COST[s[2]])) * 100 for s in specs], dtype=np.int64)
    ids = [f"CMP{i + 1:04d}" for i in range(n)]
    table = pa.table(
        {
            "campaign_id": col.pystrings(ids),
            "campaign_name": col.pystrings([s[1] for s in specs]),
            "channel": col.strings(CAMPAIGN_CHANNELS, channel),
            "target_segment_id": col.strings(SEGMENTS, segment),
            "started_at": clock.render(start, BERLIN_TZ, rng),
            "ended_at": clock.render(np.minimum(end, clock.end - 1), BERLIN_TZ, rng, null=ongoing),
            "cost": col.decimals(cost, 14, 2),
            "currency": col.strings(["EUR"], np.zeros(n)),
        }
    )
    return Campaigns(table, start, channel, segment, ids, [slugify(s[1]) for s in specs])


# ------------------------------------------------------------ offline events
EVENT_TYPES = ("workshop", "webinar", "trade_fair", "store_event", "other")
_FAIRS = (
    ("OMR Festival", "Hamburg", 5),
    ("re:publica", "Berlin", 5),
    ("dmexco", "Köln", 9),
    ("Bits & Pretzels", "München", 9),
    ("Marketing Summit", "Wien", 11),
    ("Swiss Online Marketing", "Zürich", 4),
)
_WORKSHOP_CITIES = ("München", "Berlin", "Wien", "Zürich", "Hamburg", "Köln", "Frankfurt am Main")
_STORE_CITIES = ("München", "Berlin", "Wien", "Zürich", "Hamburg")
_WORKSHOPS = (
    "Social Media Masterclass",
    "Content Creation Workshop",
    "Barista Basics",
    "Trail Running Clinic",
    "Skincare Workshop",
    "Home Styling Workshop",
)
_WEBINARS = (
    "Instagram Ads Webinar",
    "Email Marketing Webinar",
    "Sustainable Living Webinar",
    "Product Launch Live",
    "B2B Purchasing Webinar",
    "Travel Packing Tips Live",
)
_STORE = ("Store Opening", "Late Night Shopping", "Summer Sale Party", "Christmas Market")


@dataclass
class EventCatalog:
    name: list[str]
    type: np.ndarray
    city: list[str | None]
    day: np.ndarray  # event_date, days since epoch


def make_event_catalog(rng: np.random.Generator, clock: Clock) -> EventCatalog:
    name, etype, city, day = [], [], [], []
    start_year = dt.datetime.fromtimestamp(clock.start, dt.UTC).year
    end_year = clock.as_of.year
    for y in range(start_year, end_year + 1):
        for title, c, month in _FAIRS:
            name.append(f"{title} {y}")
            etype.append(2)
            city.append(c)
            day.append(dt.date(y, month, 10 + int(rng.integers(0, 14))))
        for q in range(4):
            m = 1 + 3 * q + int(rng.integers(0, 3))
            c = _WORKSHOP_CITIES[int(rng.integers(len(_WORKSHOP_CITIES)))]
            name.append(f"{_WORKSHOPS[(y + q) % len(_WORKSHOPS)]} {c} {y}")
            etype.append(0)
            city.append(c)
            day.append(dt.date(y, m, 1 + int(rng.integers(0, 27))))
            name.append(f"{_WEBINARS[(y * 4 + q) % len(_WEBINARS)]} {_MONTHS[m - 1]} {y}")
            etype.append(1)
            city.append(None)
            day.append(dt.date(y, m, 1 + int(rng.integers(0, 27))))
        for k, c in enumerate(_STORE_CITIES):
            title = _STORE[(y + k) % len(_STORE)]
            name.append(f"{title} {c} {y}")
            etype.append(3)
            city.append(c)
            month = 12 if title == "Christmas Market" else 1 + int(rng.integers(0, 11))
            day.append(dt.date(y, month, 1 + int(rng.integers(0, 27))))
        name.append(f"Customer Community Meetup {y}")
        etype.append(4)
        city.append("Berlin")
        day.append(dt.date(y, 10, 1 + int(rng.integers(0, 27))))
    days = np.array([(d - dt.date(1970, 1, 1)).days for d in day])
    keep = (days >= clock.start // DAY + 30) & (days < clock.end_day)
    idx = np.flatnonzero(keep)
    return EventCatalog(
        [name[i] for i in idx], np.array(etype)[idx], [city[i] for i in idx], days[idx]
    )


# ----------------------------------------------------------------- fx rates
def make_fx_rates(seed: int, clock: Clock, used: set[str]) -> pa.Table:
    """One row per business day and non-EUR currency: EUR per unit, a slow random walk."""
    first = clock.start // DAY - 14
    days = np.arange(first, clock.end_day + 1)
    days = days[((days + 3) % 7) < 5]  # 1970-01-01 was a Thursday; Mon..Fri
    cur_codes, day_list, units = [], [], []
    for k, cur in enumerate(CURRENCIES):
        if cur == "EUR" or cur not in used:
            continue
        rng = np.random.default_rng([seed, 13, k])
        x = np.zeros(len(days))
        shocks = rng.normal(0.0, 0.0035, len(days))
        for i in range(1, len(days)):
            x[i] = 0.997 * x[i - 1] + shocks[i]
        rate = BASE_RATES[cur] * np.exp(x)
        cur_codes.append(np.full(len(days), CURRENCIES.index(cur)))
        day_list.append(days)
        units.append(np.round(rate * 1e8).astype(np.int64))
    if not cur_codes:
        return pa.table(
            {
                "currency": pa.array([], pa.string()),
                "rate_date": pa.array([], pa.date32()),
                "rate_to_reporting": col.decimals(np.zeros(0), 18, 8),
            }
        )
    return pa.table(
        {
            "currency": col.strings(CURRENCIES, np.concatenate(cur_codes)),
            "rate_date": col.dates(np.concatenate(day_list)),
            "rate_to_reporting": col.decimals(np.concatenate(units), 18, 8),
        }
    )


class ProductSampler:
    """Draws products by persona price preference and category, respecting launch dates."""

    ANY = N_CATEGORIES  # category code meaning "any category"

    def __init__(self, products: Products, price_alpha: np.ndarray, launch_floor: int):
        euros = products.price_cents / 100.0
        n_personas = len(price_alpha)
        cat_mask = np.vstack(
            [products.category == c for c in range(N_CATEGORIES)]
            + [np.ones(len(euros), dtype=bool)]
        ).astype(float)
        price_w = euros[None, :] ** price_alpha[:, None]  # persona x product
        w = (price_w[:, None, :] * cat_mask[None, :, :]).reshape(
            n_personas * (N_CATEGORIES + 1), -1
        )
        old = products.launched < launch_floor
        w_old = w * old[None, :]
        w_old = np.where(w_old.sum(axis=1, keepdims=True) > 0, w_old, w)
        self._cdf = self._to_cdf(w)
        self._cdf_old = self._to_cdf(w_old)
        self._launched = products.launched
        self.price_cents = products.price_cents
        self.category = products.category
        self.n = len(euros)

    @staticmethod
    def _to_cdf(w: np.ndarray) -> np.ndarray:
        cdf = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
        cdf[:, -1] = 1.0
        return cdf

    def sample(self, rng: np.random.Generator, persona, category, t) -> np.ndarray:
        rows = np.asarray(persona) * (N_CATEGORIES + 1) + np.asarray(category)
        prod = col.sample_cdf(self._cdf, rows, rng.random(len(rows)))
        late = self._launched[prod] > np.asarray(t)
        if late.any():
            prod[late] = col.sample_cdf(self._cdf_old, rows[late], rng.random(int(late.sum())))
        return prod

    @staticmethod
    def categories(rng: np.random.Generator, fav, fav2, p_fav=0.65, p_fav2=0.2) -> np.ndarray:
        u = rng.random(len(fav))
        return np.where(u < p_fav, fav, np.where(u < p_fav + p_fav2, fav2, ProductSampler.ANY))
