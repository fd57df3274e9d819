"""Split a landing folder of full exports into folders of a full export and daily deltas.

What a nightly feed looks like (the layout ``custseg.landing`` reads): each table becomes
the folder ``<table>/`` holding ``full.<fmt>`` (rows that landed before the last ``days``
days) and one ``YYYY-MM-DD.<fmt>`` per later day, holding the rows that landed that day.
A row lands on the day of its table's landing column (an order and its lines on the day
of its latest version, a web event on the day it occurred, ...); rows without a readable
date stay in the full export. It also gives the feed what real feeds have:

- late rows: ``late_percent`` of each day's rows arrive in the next day's file (rows of
  the last day, and rows dated after it, land in the last day's file);
- new versions of old entities: ``restated_percent`` of the orders and customers that
  land in the last days and were placed or created before them also get an earlier
  version (``updated_at`` = when placed or created; an order ``placed``) in the full
  export, so the delta holds a new version of an entity the warehouse already has.

The split keeps every row (a test checks the counts), so a full build at the last day
sees the same data as before the split, plus the earlier versions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

# The column whose day a table's row lands on; order lines land with their order.
LANDING_COLUMN = {
    "customers": "updated_at",
    "orders": "updated_at",
    "products": "launched_at",
    "web_events": "occurred_at",
    "email_events": "occurred_at",
    "campaigns": "started_at",
    "survey_responses": "answered_at",
    "consents": "recorded_at",
    "loyalty_members": "joined_at",
    "reviews": "created_at",
    "event_registrations": "registered_at",
    "erasure_requests": "requested_at",
    "fx_rates": "rate_date",
}
# An earlier version of a restated entity: the columns set, as SQL over the row.
EARLIER_VERSION = {
    "orders": {"updated_at": "ordered_at", "status": "'placed'"},
    "customers": {"updated_at": "created_at"},
}


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _day(column: str) -> str:
    return f"try_cast(left(trim(cast({column} as varchar)), 10) as date)"


def split_into_deltas(
    raw: Path,
    as_of: dt.date,
    days: int,
    late_percent: int = 5,
    restated_percent: int = 20,
) -> dict[str, dict[str, int]]:
    """Rewrite every ``<table>.<fmt>`` in ``raw`` as the folder ``<table>/`` (see the
    module docstring); the deltas cover the ``days`` days up to ``as_of``. Returns the
    rows written per table and file name."""
    import duckdb

    first_delta = as_of - dt.timedelta(days=days - 1)
    written: dict[str, dict[str, int]] = {}
    files = sorted(p for p in raw.iterdir() if p.is_file() and p.name.split(".")[0] != "_manifest")
    tables = {p.name.split(".", 1)[0]: p for p in files if not p.name.startswith("_")}
    with duckdb.connect() as connection:
        order_days = None
        if "orders" in tables:
            order_days = (
                f"select order_id, max({_day('updated_at')}) as landing_day "
                f"from {_reader(tables['orders'])} group by order_id"
            )
        for name, path in tables.items():
            fmt = path.name.split(".", 1)[1]
            reader = _reader(path)
            if name == "order_items" and order_days is not None:
                rows = (
                    f"select items.*, order_days.landing_day from {reader} as items "
                    f"left join ({order_days}) as order_days using (order_id)"
                )
            elif name in LANDING_COLUMN:
                rows = f"select *, {_day(LANDING_COLUMN[name])} as landing_day from {reader}"
            else:
                rows = f"select *, cast(null as date) as landing_day from {reader}"
            columns = [
                r[0] for r in connection.execute(f"describe select * from {reader}").fetchall()
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            # late rows move to the next day (never past as_of)
            # a row dated after as_of (a defect) lands on as_of, so no row is left out
            landed = (
                f"select *, least(case when landing_day >= date {_literal(first_delta)} "
                f"and hash({listed}) % 100 < {late_percent} "
                f"then landing_day + 1 else landing_day end, date {_literal(as_of)}) as file_day "
                f"from ({rows})"
            )
            if name in EARLIER_VERSION:
                anchor = EARLIER_VERSION[name]["updated_at"]
                earlier = ", ".join(
                    f'{EARLIER_VERSION[name].get(c, f"{chr(34)}{c}{chr(34)}")} as "{c}"'
                    for c in columns
                )
                landed = (
                    f"{landed} union all select {earlier}, null, null from ({rows}) "
                    f"where landing_day >= date {_literal(first_delta)} "
                    f"and {_day(anchor)} < date {_literal(first_delta)} "
                    f"and hash({listed}, 'restated') % 100 < {restated_percent}"
                )
            connection.execute(f"create or replace temp table landed as {landed}")
            folder = raw / name
            staging = raw / f".{name}.split"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            written[name] = {}
            days_present = [
                r[0]
                for r in connection.execute(
                    "select distinct file_day from landed "
                    f"where file_day >= date {_literal(first_delta)} order by 1"
                ).fetchall()
            ]
            parts = [("full", f"file_day is null or file_day < date {_literal(first_delta)}")]
            parts += [(str(day), f"file_day = date {_literal(day)}") for day in days_present]
            for file_name, where in parts:
                target = staging / f"{file_name}.{fmt}"
                options = "(format parquet, compression zstd)" if fmt == "parquet" else "(header)"
                connection.execute(
                    f"copy (select {listed} from landed where {where}) to {_literal(target)} "
                    f"{options}"
                )
                written[name][target.name] = connection.execute(
                    f"select count(*) from landed where {where}"
                ).fetchone()[0]
            path.unlink()
            shutil.rmtree(folder, ignore_errors=True)
            staging.rename(folder)
    return written


def _reader(path: Path) -> str:
    if path.name.endswith(".parquet"):
        return f"read_parquet({_literal(path)})"
    return f"read_csv({_literal(path)}, header = true, comment = '', all_varchar = true)"
