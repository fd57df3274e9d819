"""Embedded gazetteer: real cities with the address fields a CRM would store.

Each city carries its country, the region as a CRM stores it (Bundesland,
canton, state ...), a postal-code generator, IANA timezone, language,
centre coordinates, a landline area code and a sampling weight. Country
facts (currency, name group, phone style, email domains, legal forms) live
in ``COUNTRIES``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    domains: tuple[str, ...]  # consumer email domains
    tld: str  # company web domain
    legal: tuple[str, ...]  # company legal forms


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country(
            "DE",
            "EUR",
            (
                "gmx.de",
                "web.de",
                "t-online.de",
                "gmail.com",
                "outlook.de",
                "posteo.de",
                "icloud.com",
            ),
            "de",
            ("GmbH", "GmbH", "UG (haftungsbeschränkt)", "GmbH & Co. KG", "e.K.", "AG"),
        ),
        Country(
            "AT",
            "EUR",
            ("gmx.at", "aon.at", "gmail.com", "chello.at", "outlook.com"),
            "at",
            ("GmbH", "GmbH", "OG", "KG", "e.U."),
        ),
        Country(
            "CH",
            "CHF",
            ("bluewin.ch", "gmx.ch", "gmail.com", "sunrise.ch", "hotmail.com"),
            "ch",
            ("AG", "GmbH", "GmbH", "Sàrl"),
        ),
        Country(
            "FR",
            "EUR",
            ("orange.fr", "free.fr", "gmail.com", "laposte.net", "hotmail.fr"),
            "fr",
            ("SAS", "SARL", "SA"),
        ),
        Country(
            "NL",
            "EUR",
            ("ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.nl", "outlook.com"),
            "nl",
            ("B.V.", "B.V.", "V.O.F."),
        ),
        Country(
            "IT",
            "EUR",
            ("libero.it", "virgilio.it", "gmail.com", "alice.it", "hotmail.it"),
            "it",
            ("S.r.l.", "S.r.l.", "S.p.A."),
        ),
        Country(
            "ES",
            "EUR",
            ("gmail.com", "hotmail.es", "telefonica.net", "yahoo.es"),
            "es",
            ("S.L.", "S.L.", "S.A."),
        ),
        Country(
            "PL",
            "PLN",
            ("wp.pl", "onet.pl", "gmail.com", "interia.pl", "o2.pl"),
            "pl",
            ("sp. z o.o.", "sp. z o.o.", "S.A."),
        ),
        Country(
            "SE", "SEK", ("telia.com", "gmail.com", "hotmail.se", "bredband.net"), "se", ("AB",)
        ),
        Country(
            "BE",
            "EUR",
            ("telenet.be", "skynet.be", "gmail.com", "proximus.be"),
            "be",
            ("BV", "SRL", "NV"),
        ),
        Country(
            "DK", "DKK", ("gmail.com", "hotmail.dk", "mail.dk", "jubii.dk"), "dk", ("ApS", "A/S")
        ),
        Country(
            "CZ",
            "CZK",
            ("seznam.cz", "email.cz", "gmail.com", "centrum.cz"),
            "cz",
            ("s.r.o.", "a.s."),
        ),
        Country(
            "US",
            "USD",
            ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"),
            "com",
            ("LLC", "Inc.", "Corp."),
        ),
    )
}
COUNTRY_CODES = tuple(COUNTRIES)

# Approximate EUR per unit: the base of fx_rates and of price conversion.
BASE_RATES = {
    "EUR": 1.0,
    "CHF": 1.045,
    "USD": 0.921,
    "PLN": 0.2315,
    "SEK": 0.0872,
    "DKK": 0.1341,
    "CZK": 0.0402,
}
CURRENCIES = tuple(BASE_RATES)
WHOLE_UNIT_CURRENCIES = ("SEK", "DKK", "CZK")  # prices end in .00


@dataclass(frozen=True)
class City:
    name: str
    country: str
    region: str
    postal: tuple  # ("range", lo, hi) or ("list", codes...)
    timezone: str
    language: str
    lat: float
    lon: float
    area_code: str
    weight: float


def _c(name, country, region, postal, tz, lang, lat, lon, area, weight) -> City:
    return City(name, country, region, postal, tz, lang, lat, lon, area, weight)


_R = "range"
CITIES: tuple[City, ...] = (
    # Germany (~45 %)
    _c(
        "Berlin",
        "DE",
        "Berlin",
        (_R, 10115, 14199),
        "Europe/Berlin",
        "de",
        52.520008,
        13.404954,
        "030",
        8.0,
    ),
    _c(
        "Hamburg",
        "DE",
        "Hamburg",
        (_R, 20095, 22769),
        "Europe/Berlin",
        "de",
        53.551086,
        9.993682,
        "040",
        5.0,
    ),
    _c(
        "München",
        "DE",
        "Bayern",
        (_R, 80331, 81929),
        "Europe/Berlin",
        "de",
        48.137154,
        11.576124,
        "089",
        6.5,
    ),
    _c(
        "Köln",
        "DE",
        "Nordrhein-Westfalen",
        (_R, 50667, 51149),
        "Europe/Berlin",
        "de",
        50.937531,
        6.960279,
        "0221",
        3.5,
    ),
    _c(
        "Frankfurt am Main",
        "DE",
        "Hessen",
        (_R, 60306, 60599),
        "Europe/Berlin",
        "de",
        50.110924,
        8.682127,
        "069",
        3.0,
    ),
    _c(
        "Stuttgart",
        "DE",
        "Baden-Württemberg",
        (_R, 70173, 70629),
        "Europe/Berlin",
        "de",
        48.775845,
        9.182932,
        "0711",
        2.5,
    ),
    _c(
        "Düsseldorf",
        "DE",
        "Nordrhein-Westfalen",
        (_R, 40210, 40629),
        "Europe/Berlin",
        "de",
        51.227741,
        6.773456,
        "0211",
        2.2,
    ),
    _c(
        "Leipzig",
        "DE",
        "Sachsen",
        (_R, 4103, 4357),
        "Europe/Berlin",
        "de",
        51.339695,
        12.373075,
        "0341",
        1.8,
    ),
    _c(
        "Dortmund",
        "DE",
        "Nordrhein-Westfalen",
        (_R, 44135, 44388),
        "Europe/Berlin",
        "de",
        51.513587,
        7.465298,
        "0231",
        1.4,
    ),
    _c(
        "Essen",
        "DE",
        "Nordrhein-Westfalen",
        (_R, 45127, 45359),
        "Europe/Berlin",
        "de",
        51.455643,
        7.011555,
        "0201",
        1.2,
    ),
    _c(
        "Bremen",
        "DE",
        "Bremen",
        (_R, 28195, 28779),
        "Europe/Berlin",
        "de",
        53.079296,
        8.801694,
        "0421",
        1.2,
    ),
    _c(
        "Dresden",
        "DE",
        "Sachsen",
        (_R, 1067, 1328),
        "Europe/Berlin",
        "de",
        51.050409,
        13.737262,
        "0351",
        1.3,
    ),
    _c(
        "Hannover",
        "DE",
        "Niedersachsen",
        (_R, 30159, 30669),
        "Europe/Berlin",
        "de",
        52.375892,
        9.732010,
        "0511",
        1.3,
    ),
    _c(
        "Nürnberg",
        "DE",
        "Bayern",
        (_R, 90402, 90491),
        "Europe/Berlin",
        "de",
        49.452103,
        11.076665,
        "0911",
        1.5,
    ),
    _c(
        "Regensburg",
        "DE",
        "Bayern",
        (_R, 93047, 93059),
        "Europe/Berlin",
        "de",
        49.013432,
        12.101624,
        "0941",
        0.8,
    ),
    _c(
        "Freiburg im Breisgau",
        "DE",
        "Baden-Württemberg",
        (_R, 79098, 79117),
        "Europe/Berlin",
        "de",
        47.999008,
        7.842104,
        "0761",
        0.8,
    ),
    _c(
        "Münster",
        "DE",
        "Nordrhein-Westfalen",
        (_R, 48143, 48167),
        "Europe/Berlin",
        "de",
        51.960665,
        7.626135,
        "0251",
        0.8,
    ),
    _c(
        "Mainz",
        "DE",
        "Rheinland-Pfalz",
        (_R, 55116, 55131),
        "Europe/Berlin",
        "de",
        49.992862,
        8.247253,
        "06131",
        0.7,
    ),
    _c(
        "Kiel",
        "DE",
        "Schleswig-Holstein",
        (_R, 24103, 24159),
        "Europe/Berlin",
        "de",
        54.323293,
        10.122765,
        "0431",
        0.7,
    ),
    # Austria
    _c(
        "Wien",
        "AT",
        "Wien",
        ("list", *range(1010, 1240, 10)),
        "Europe/Vienna",
        "de",
        48.208174,
        16.373819,
        "01",
        4.5,
    ),
    _c(
        "Graz",
        "AT",
        "Steiermark",
        (_R, 8010, 8055),
        "Europe/Vienna",
        "de",
        47.070714,
        15.439504,
        "0316",
        1.2,
    ),
    _c(
        "Linz",
        "AT",
        "Oberösterreich",
        (_R, 4020, 4040),
        "Europe/Vienna",
        "de",
        48.306940,
        14.285830,
        "0732",
        1.0,
    ),
    _c(
        "Salzburg",
        "AT",
        "Salzburg",
        (_R, 5020, 5026),
        "Europe/Vienna",
        "de",
        47.809490,
        13.055010,
        "0662",
        0.8,
    ),
    _c(
        "Innsbruck",
        "AT",
        "Tirol",
        ("list", 6020, 6080),
        "Europe/Vienna",
        "de",
        47.269212,
        11.404102,
        "0512",
        0.5,
    ),
    # Switzerland
    _c(
        "Zürich",
        "CH",
        "Zürich",
        (_R, 8001, 8057),
        "Europe/Zurich",
        "de",
        47.376887,
        8.541694,
        "044",
        3.0,
    ),
    _c(
        "Genève",
        "CH",
        "Genève",
        (_R, 1201, 1209),
        "Europe/Zurich",
        "fr",
        46.204391,
        6.143158,
        "022",
        1.2,
    ),
    _c(
        "Basel",
        "CH",
        "Basel-Stadt",
        (_R, 4051, 4059),
        "Europe/Zurich",
        "de",
        47.559599,
        7.588576,
        "061",
        1.0,
    ),
    _c(
        "Bern",
        "CH",
        "Bern",
        (_R, 3003, 3027),
        "Europe/Zurich",
        "de",
        46.947974,
        7.447447,
        "031",
        1.0,
    ),
    _c(
        "Lausanne",
        "CH",
        "Vaud",
        (_R, 1003, 1018),
        "Europe/Zurich",
        "fr",
        46.519653,
        6.632273,
        "021",
        0.8,
    ),
    # France
    _c(
        "Paris",
        "FR",
        "Île-de-France",
        (_R, 75001, 75020),
        "Europe/Paris",
        "fr",
        48.856614,
        2.352222,
        "01",
        3.5,
    ),
    _c(
        "Lyon",
        "FR",
        "Auvergne-Rhône-Alpes",
        (_R, 69001, 69009),
        "Europe/Paris",
        "fr",
        45.764043,
        4.835659,
        "04",
        1.2,
    ),
    _c(
        "Marseille",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        (_R, 13001, 13016),
        "Europe/Paris",
        "fr",
        43.296482,
        5.369780,
        "04",
        0.8,
    ),
    _c(
        "Bordeaux",
        "FR",
        "Nouvelle-Aquitaine",
        ("list", 33000, 33100, 33200, 33300, 33800),
        "Europe/Paris",
        "fr",
        44.837789,
        -0.579180,
        "05",
        0.5,
    ),
    # Netherlands (postal codes get two letters appended)
    _c(
        "Amsterdam",
        "NL",
        "Noord-Holland",
        (_R, 1011, 1109),
        "Europe/Amsterdam",
        "nl",
        52.367573,
        4.904139,
        "020",
        2.5,
    ),
    _c(
        "Rotterdam",
        "NL",
        "Zuid-Holland",
        (_R, 3011, 3089),
        "Europe/Amsterdam",
        "nl",
        51.924420,
        4.477733,
        "010",
        1.2,
    ),
    _c(
        "Utrecht",
        "NL",
        "Utrecht",
        (_R, 3511, 3585),
        "Europe/Amsterdam",
        "nl",
        52.090737,
        5.121420,
        "030",
        0.8,
    ),
    _c(
        "Den Haag",
        "NL",
        "Zuid-Holland",
        (_R, 2491, 2597),
        "Europe/Amsterdam",
        "nl",
        52.070498,
        4.300700,
        "070",
        0.5,
    ),
    # Italy
    _c(
        "Milano",
        "IT",
        "Lombardia",
        (_R, 20121, 20162),
        "Europe/Rome",
        "it",
        45.464204,
        9.189982,
        "02",
        2.0,
    ),
    _c("Roma", "IT", "Lazio", (_R, 118, 199), "Europe/Rome", "it", 41.902782, 12.496366, "06", 1.5),
    _c(
        "Bologna",
        "IT",
        "Emilia-Romagna",
        (_R, 40121, 40141),
        "Europe/Rome",
        "it",
        44.494887,
        11.342616,
        "051",
        0.5,
    ),
    # Spain
    _c(
        "Madrid",
        "ES",
        "Comunidad de Madrid",
        (_R, 28001, 28055),
        "Europe/Madrid",
        "es",
        40.416775,
        -3.703790,
        "91",
        2.2,
    ),
    _c(
        "Barcelona",
        "ES",
        "Cataluña",
        (_R, 8001, 8042),
        "Europe/Madrid",
        "es",
        41.385064,
        2.173404,
        "93",
        1.8,
    ),
    # Poland (NN-NNN)
    _c(
        "Warszawa",
        "PL",
        "Mazowieckie",
        (_R, 1, 4999),
        "Europe/Warsaw",
        "pl",
        52.229676,
        21.012229,
        "22",
        1.6,
    ),
    _c(
        "Kraków",
        "PL",
        "Małopolskie",
        (_R, 30001, 31999),
        "Europe/Warsaw",
        "pl",
        50.064650,
        19.944980,
        "12",
        0.8,
    ),
    _c(
        "Wrocław",
        "PL",
        "Dolnośląskie",
        (_R, 50001, 54999),
        "Europe/Warsaw",
        "pl",
        51.107885,
        17.038538,
        "71",
        0.6,
    ),
    # Sweden (NNN NN)
    _c(
        "Stockholm",
        "SE",
        "Stockholms län",
        (_R, 11120, 11895),
        "Europe/Stockholm",
        "sv",
        59.329323,
        18.068581,
        "08",
        1.3,
    ),
    _c(
        "Göteborg",
        "SE",
        "Västra Götalands län",
        (_R, 41101, 41879),
        "Europe/Stockholm",
        "sv",
        57.708870,
        11.974560,
        "031",
        0.7,
    ),
    # Belgium, Denmark, Czechia
    _c(
        "Bruxelles",
        "BE",
        "Bruxelles-Capitale",
        (_R, 1000, 1210),
        "Europe/Brussels",
        "fr",
        50.850346,
        4.351721,
        "02",
        1.0,
    ),
    _c(
        "Antwerpen",
        "BE",
        "Antwerpen",
        (_R, 2000, 2660),
        "Europe/Brussels",
        "nl",
        51.219448,
        4.402464,
        "03",
        0.5,
    ),
    _c(
        "København",
        "DK",
        "Hovedstaden",
        (_R, 1050, 2450),
        "Europe/Copenhagen",
        "da",
        55.676097,
        12.568337,
        "",
        1.5,
    ),
    _c(
        "Praha",
        "CZ",
        "Praha",
        (_R, 11000, 19900),
        "Europe/Prague",
        "cs",
        50.075538,
        14.437800,
        "2",
        1.0,
    ),
    # United States (~15 %, west coast first)
    _c(
        "Seattle",
        "US",
        "Washington",
        (_R, 98101, 98199),
        "America/Los_Angeles",
        "en",
        47.606209,
        -122.332071,
        "206",
        2.0,
    ),
    _c(
        "Portland",
        "US",
        "Oregon",
        (_R, 97201, 97239),
        "America/Los_Angeles",
        "en",
        45.515232,
        -122.678385,
        "503",
        1.5,
    ),
    _c(
        "San Francisco",
        "US",
        "California",
        (_R, 94102, 94134),
        "America/Los_Angeles",
        "en",
        37.774929,
        -122.419416,
        "415",
        2.0,
    ),
    _c(
        "Los Angeles",
        "US",
        "California",
        (_R, 90001, 90089),
        "America/Los_Angeles",
        "en",
        34.052235,
        -118.243683,
        "213",
        2.0,
    ),
    _c(
        "San Diego",
        "US",
        "California",
        (_R, 92101, 92154),
        "America/Los_Angeles",
        "en",
        32.715738,
        -117.161084,
        "619",
        0.8,
    ),
    _c(
        "New York",
        "US",
        "New York",
        (_R, 10001, 10292),
        "America/New_York",
        "en",
        40.712776,
        -74.005974,
        "212",
        2.5,
    ),
    _c(
        "Chicago",
        "US",
        "Illinois",
        (_R, 60601, 60661),
        "America/Chicago",
        "en",
        41.878114,
        -87.629798,
        "312",
        1.2,
    ),
    _c(
        "Austin",
        "US",
        "Texas",
        (_R, 78701, 78759),
        "America/Chicago",
        "en",
        30.267153,
        -97.743061,
        "512",
        1.0,
    ),
    _c(
        "Boston",
        "US",
        "Massachusetts",
        (_R, 2108, 2137),
        "America/New_York",
        "en",
        42.360082,
        -71.058880,
        "617",
        1.0,
    ),
    _c(
        "Denver",
        "US",
        "Colorado",
        (_R, 80202, 80239),
        "America/Denver",
        "en",
        39.739236,
        -104.990251,
        "303",
        0.6,
    ),
)

CITY_WEIGHTS = np.array([c.weight for c in CITIES]) / sum(c.weight for c in CITIES)
CITY_INDEX = {c.name: i for i, c in enumerate(CITIES)}
MUNICH = CITY_INDEX["München"]
TIMEZONES = tuple(sorted({c.timezone for c in CITIES}))
CITY_TZ = np.array([TIMEZONES.index(c.timezone) for c in CITIES])
CITY_COUNTRY = np.array([COUNTRY_CODES.index(c.country) for c in CITIES])
CITY_CURRENCY = np.array([CURRENCIES.index(COUNTRIES[c.country].currency) for c in CITIES])
CITY_LAT = np.array([c.lat for c in CITIES])
CITY_LON = np.array([c.lon for c in CITIES])
DACH = np.array([c.country in ("DE", "AT", "CH") for c in CITIES])
BERLIN_TZ = TIMEZONES.index("Europe/Berlin")


def postal_codes(city: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Realistic postal codes (strings, leading zeros kept) for city indices."""
    n = len(city)
    u = rng.random(n)
    letters = rng.integers(0, 26, size=(n, 2))
    out = []
    for i in range(n):
        c = CITIES[city[i]]
        spec = c.postal
        if spec[0] == "list":
            codes = spec[1:]
            v = codes[int(u[i] * len(codes))]
        else:
            v = spec[1] + int(u[i] * (spec[2] - spec[1] + 1))
        out.append(_format_postal(c.country, v, letters[i]))
    return out


def _format_postal(country: str, v: int, letters) -> str:
    if country in ("DE", "FR", "IT", "ES", "US"):
        return f"{v:05d}"
    if country == "NL":
        a, b = (chr(65 + int(x)) for x in letters)
        if a + b in ("SA", "SD", "SS"):
            a = "R"
        return f"{v:04d} {a}{b}"
    if country == "PL":
        return f"{v // 1000:02d}-{v % 1000:03d}"
    if country in ("SE", "CZ"):
        return f"{v // 100:03d} {v % 100:02d}"
    return f"{v:04d}"  # AT, CH, BE, DK


_MOBILE = {
    "DE": ("0151", "0152", "0157", "0160", "0162", "0170", "0171", "0176"),
    "AT": ("0660", "0664", "0676", "0699"),
    "CH": ("076", "077", "078", "079"),
    "FR": ("06", "07"),
    "NL": ("06",),
    "IT": ("320", "333", "340", "347", "388"),
    "ES": ("6", "7"),
    "PL": ("50", "51", "53", "60", "66", "69", "72", "79"),
    "SE": ("070", "072", "073", "076"),
    "BE": ("0470", "0475", "0486", "0496"),
    "DK": ("20", "30", "40", "50", "60"),
    "CZ": ("602", "603", "604", "724", "777"),
}


def phone_numbers(city: np.ndarray, rng: np.random.Generator, p_null: float) -> list:
    """Phone numbers in the national format of each city's country (None = unknown)."""
    n = len(city)
    null = rng.random(n) < p_null
    mobile = rng.random(n) < 0.6
    pick = rng.integers(0, 1 << 30, size=n)
    digits = rng.integers(0, 10**9, size=n)
    out: list = []
    for i in range(n):
        if null[i]:
            out.append(None)
            continue
        c = CITIES[city[i]]
        d = int(digits[i])
        cc = c.country
        if cc == "US":
            ex = 200 + d % 800
            out.append(f"({c.area_code}) {ex:03d}-{(d // 1000) % 10000:04d}")
        elif cc in ("DE", "AT"):
            if mobile[i]:
                pre = _MOBILE[cc][pick[i] % len(_MOBILE[cc])]
                out.append(
                    f"{pre} {d % 10**7 + 10**6:d}" if cc == "AT" else f"{pre} {d % 10**8:08d}"
                )
            else:
                out.append(f"{c.area_code} {d % 10**7 + 2 * 10**6:d}")
        elif cc == "CH":
            pre = _MOBILE[cc][pick[i] % 4] if mobile[i] else c.area_code
            out.append(f"{pre} {d % 1000:03d} {(d // 1000) % 100:02d} {(d // 10**5) % 100:02d}")
        elif cc == "FR":
            pre = _MOBILE[cc][pick[i] % 2] if mobile[i] else c.area_code
            out.append(pre + " " + " ".join(f"{(d // 100**k) % 100:02d}" for k in range(4)))
        elif cc == "NL":
            if mobile[i]:
                out.append(f"06 {d % 10**8:08d}")
            else:
                out.append(f"{c.area_code} {d % 10**7:07d}")
        elif cc == "IT":
            pre = _MOBILE[cc][pick[i] % 5] if mobile[i] else c.area_code
            out.append(f"{pre} {d % 1000:03d} {(d // 1000) % 10000:04d}")
        elif cc == "ES":
            first = _MOBILE[cc][pick[i] % 2] if mobile[i] else c.area_code
            num = f"{first}{d:09d}"[:9]
            out.append(f"{num[:3]} {num[3:5]} {num[5:7]} {num[7:9]}")
        elif cc == "PL":
            first = _MOBILE[cc][pick[i] % 8] if mobile[i] else c.area_code
            num = f"{first}{d:09d}"[:9]
            out.append(
                f"{num[:3]} {num[3:6]} {num[6:9]}"
                if mobile[i]
                else f"{num[:2]} {num[2:5]} {num[5:7]} {num[7:9]}"
            )
        elif cc == "SE":
            pre = _MOBILE[cc][pick[i] % 4] if mobile[i] else c.area_code
            out.append(f"{pre}-{d % 1000:03d} {(d // 1000) % 100:02d} {(d // 10**5) % 100:02d}")
        elif cc == "BE":
            if mobile[i]:
                pre = _MOBILE[cc][pick[i] % 4]
                out.append(f"{pre} {d % 100:02d} {(d // 100) % 100:02d} {(d // 10**4) % 100:02d}")
            else:
                out.append(
                    f"{c.area_code} {d % 1000:03d} {(d // 1000) % 100:02d} {(d // 10**5) % 100:02d}"
                )
        elif cc == "DK":
            pre = _MOBILE[cc][pick[i] % 5] if mobile[i] else "3" + str(d % 10)
            out.append(
                f"{pre} {(d // 10) % 100:02d} {(d // 1000) % 100:02d} {(d // 10**5) % 100:02d}"
            )
        else:  # CZ
            first = _MOBILE[cc][pick[i] % 5] if mobile[i] else c.area_code
            num = f"{first}{d:09d}"[:9]
            out.append(f"{num[:3]} {num[3:6]} {num[6:9]}")
    return out


def jitter_coordinates(
    city: np.ndarray, rng: np.random.Generator, sigma_km: float = 2.5
) -> tuple[np.ndarray, np.ndarray]:
    """Latitude/longitude a few km around each city centre (2-D Gaussian, capped at 3 sigma)."""
    n = len(city)
    r = np.minimum(sigma_km * np.sqrt(-2.0 * np.log1p(-rng.random(n))), 3 * sigma_km)
    theta = rng.random(n) * 2 * np.pi
    lat0 = CITY_LAT[city]
    dlat = r * np.sin(theta) / 111.32
    dlon = r * np.cos(theta) / (111.32 * np.cos(np.radians(lat0)))
    return lat0 + dlat, CITY_LON[city] + dlon


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0088 * 2 * np.arcsin(np.sqrt(a))
