"""The seed ``seeds/country_names.csv``: country names as people and tools write them (HubSpot's
free-text ``Country/Region``: "Germany", "Deutschland", "Allemagne", "USA") onto ISO 3166-1
alpha-2 codes.

Names come from the Unicode CLDR through babel (a dependency of dbt's agate), in the
languages of the project's markets, plus the common English aliases CLDR does not list.
Keys are lower-cased, and written once with and once without accents, so that a model
matches ``lower(trim(name))`` without an accent function (Spark has none). A name two
countries share in different languages is left out: no guess.

Regenerate after a babel upgrade: ``python -m custseg.contract.country_names``
(tests/python/test_raw_contract.py checks the seed equals this module's rows).
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da")
# CLDR's region codes that are not countries (European Union, eurozone, United Nations,
# outlying Oceania, unknown), and numeric regions (001 World, 150 Europe, ...)
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ"}
ALIASES = {
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states of america": "US",
    "america": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "holland": "NL", "the netherlands": "NL", "czech republic": "CZ", "turkey": "TR",
    "ivory coast": "CI", "swaziland": "SZ", "macedonia": "MK", "burma": "MM",
    "uae": "AE", "korea": "KR", "republic of korea": "KR", "russian federation": "RU",
    "vatican city": "VA", "cape verde": "CV", "east timor": "TL",
}  # fmt: skip
SEED = Path(__file__).resolve().parents[3] / "seeds" / "country_names.csv"


def _plain(text: str) -> str:
    """``text`` without accents (é -> e, ü -> u)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def rows() -> list[tuple[str, str]]:
    """(country_name, country_code), sorted by name: every unambiguous name."""
    from babel import Locale

    found: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) != 2 or not code.isalpha() or code in NOT_COUNTRIES:
                continue
            for key in {name.strip().lower(), _plain(name.strip().lower())}:
                found.setdefault(key, set()).add(code)
    for name, code in ALIASES.items():
        found.setdefault(name, set()).add(code)
    return sorted((name, codes.pop()) for name, codes in found.items() if len(codes) == 1)


def write(path: Path = SEED) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(("country_name", "country_code"))
        writer.writerows(rows())
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
