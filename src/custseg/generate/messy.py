"""--messy mode: deliberate defects at known rates, and the ledger the manifest is built from.

Each quarantine defect is a copy of a valid row with one column broken and,
except where noted, a fresh key, so the row fails for exactly one reason
(the first failing contract column) and nothing cascades: defect rows are
never parents of other rows and are never duplicated themselves.
The warehouse's staging order (exact duplicates, row validation, duplicate
keys, orphans, versions) is what the ledger predicts.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa

# columns that receive bad-type defects and are therefore written as strings in messy Parquet
STRING_OVERRIDES: dict[str, tuple[str, ...]] = {
    "orders": ("order_total",),
    "order_items": ("quantity",),
}
BAD_TIMESTAMPS = (
    "not-a-date",
    "2024-13-45T10:00:00",
    "31.12.2024 10:00",
    "yesterday",
    "0000-00-00 00:00:00",
)
MISSING = (None, "", "   ")
EXACT_DUPLICATE_RATE = 0.01
EXTRA_VERSION_RATE = 0.02
TIE_RATE = 0.002
DUPLICATE_KEY_RATE = 0.0005
QUARANTINE_BUDGET = 0.04  # never more than this share of a chunk's rows per table


@dataclass
class Ledger:
    """Counts per table, accumulated over chunks, for the manifest."""

    exact_duplicates: Counter = field(default_factory=Counter)
    superseded: Counter = field(default_factory=Counter)
    quarantined: dict[str, Counter] = field(default_factory=dict)
    defects: dict[tuple[str, str, str], int] = field(default_factory=dict)
    _fresh: Counter = field(default_factory=Counter)

    def defect(self, table: str, reason: str, count: int, description: str) -> None:
        key = (table, reason, description)
        self.defects[key] = self.defects.get(key, 0) + count
        if reason == "exact_duplicates":
            self.exact_duplicates[table] += count
        elif reason == "superseded_versions":
            self.superseded[table] += count
        else:
            self.quarantined.setdefault(table, Counter())[reason] += count

    def fresh(self, prefix: str, k: int, width: int) -> list[str]:
        start = self._fresh[prefix]
        self._fresh[prefix] += k
        return [f"{prefix}{start + i + 1:0{width}d}" for i in range(k)]

    def fresh_numbers(self, prefix: str, k: int) -> list[int]:
        start = self._fresh[prefix]
        self._fresh[prefix] += k
        return [start + i + 1 for i in range(k)]


def _set(t: pa.Table, column: str, values) -> pa.Table:
    i = t.schema.get_field_index(column)
    typ = t.schema.field(column).type
    if isinstance(values, pa.Array | pa.ChunkedArray):
        arr = values.cast(typ)
    else:
        arr = pa.array(list(values), typ)
    return t.set_column(i, column, arr)


def _cycle(values, k: int) -> list:
    return list(itertools.islice(itertools.cycle(values), k))


def _col(t: pa.Table, column: str) -> list:
    return t.column(column).to_pylist()


# ---------------------------------------------------------------- defect makers
Maker = Callable[[pa.Table, "Ledger", np.random.Generator], pa.Table]


def _fresh_key(table: str) -> Maker:
    prefix, column, width = {
        "customers": ("CQ", "customer_id", 8),
        "orders": ("OQ", "order_id", 9),
        "web_events": ("EQ", "event_id", 10),
        "email_events": ("MQ", "event_id", 10),
        "survey_responses": ("RQ", "response_id", 9),
        "reviews": ("VQ", "review_id", 8),
    }.get(table, (None, None, 0))

    def make(t: pa.Table, ledger: Ledger, rng) -> pa.Table:
        if table == "order_items":
            lines = [1000 + k for k in ledger.fresh_numbers("order_items_line", t.num_rows)]
            return _set(t, "line_number", lines)
        return _set(t, column, ledger.fresh(prefix, t.num_rows, width))

    return make


def _broken(table: str, column: str, values: Callable[[pa.Table], list]) -> Maker:
    fresh = _fresh_key(table)

    def make(t: pa.Table, ledger: Ledger, rng) -> pa.Table:
        return _set(fresh(t, ledger, rng), column, values(t))

    return make


def _orphan_order(t: pa.Table, ledger: Ledger, rng) -> pa.Table:
    t = _fresh_key("orders")(t, ledger, rng)
    return _set(t, "customer_id", ledger.fresh("CX", t.num_rows, 8))


def _orphan_item(t: pa.Table, ledger: Ledger, rng) -> pa.Table:
    t = _set(t, "order_id", ledger.fresh("OX", t.num_rows, 9))
    return _set(t, "line_number", [1] * t.num_rows)


def _consent_maybe(source: pa.Table) -> Maker:
    """status 'maybe' on a (customer, purpose) pair that has no record yet."""
    taken = set(zip(_col(source, "customer_id"), _col(source, "purpose"), strict=True))
    customers = _col(source, "customer_id")
    purposes = ("email_marketing", "sms_marketing", "personalized_ads", "profiling")

    def make(t: pa.Table, ledger: Ledger, rng) -> pa.Table:
        keys: list[tuple[str, str]] = []
        for i in rng.permutation(len(customers)):
            c = customers[i]
            free = [p for p in purposes if (c, p) not in taken]
            if free:
                taken.add((c, free[0]))
                keys.append((c, free[0]))
            if len(keys) == t.num_rows:
                break
        t = t.slice(0, len(keys))
        t = _set(t, "customer_id", [k[0] for k in keys])
        t = _set(t, "purpose", [k[1] for k in keys])
        return _set(t, "status", ["maybe"] * len(keys))

    return make


def _specs(table: str, source: pa.Table) -> list[tuple[str, float, int, str, Maker]]:
    """(reason, rate, minimum, description, maker) of the quarantine defects of a table."""
    ts = ", ".join(BAD_TIMESTAMPS)

    def const(v):
        return lambda t: [v] * t.num_rows

    def cycle(vs):
        return lambda t: _cycle(vs, t.num_rows)

    def bad_ts(column):
        return (
            "bad_type:" + column,
            0.002 if table in ("customers", "orders") else 0.001,
            1,
            f"unparseable {column} ({ts})",
            _broken(table, column, cycle(BAD_TIMESTAMPS)),
        )

    def missing(column):
        return (
            "missing_required:" + column,
            0.001,
            1,
            f"{column} null, empty or blank",
            _broken(table, column, cycle(MISSING)),
        )

    if table == "customers":
        return [
            bad_ts("created_at"),
            (
                "bad_value:gender",
                0.001,
                1,
                "unknown gender 'x'",
                _broken(table, "gender", const("x")),
            ),
            (
                "bad_value:country_code",
                0.001,
                1,
                "country_code 'Germany' (not ISO alpha-2)",
                _broken(table, "country_code", const("Germany")),
            ),
            (
                "out_of_range:latitude",
                0.001,
                1,
                "latitude 123.4",
                _broken(table, "latitude", const(Decimal("123.4"))),
            ),
            missing("created_at"),
        ]
    if table == "orders":
        return [
            bad_ts("ordered_at"),
            (
                "bad_value:status",
                0.001,
                1,
                "unknown status 'on_hold'",
                _broken(table, "status", const("on_hold")),
            ),
            (
                "bad_type:order_total",
                0.001,
                1,
                "order_total with a decimal comma ('12,50')",
                _broken(
                    table,
                    "order_total",
                    lambda t: [v.replace(".", ",") for v in _col(t, "order_total")],
                ),
            ),
            (
                "out_of_range:order_total",
                0.001,
                1,
                "negative order_total",
                _broken(
                    table,
                    "order_total",
                    lambda t: ["-1.00" if v == "0.00" else f"-{v}" for v in _col(t, "order_total")],
                ),
            ),
            ("orphan:customers", 0.001, 1, "customer_id that no customer has", _orphan_order),
            missing("customer_id"),
        ]
    if table == "order_items":
        return [
            (
                "bad_type:quantity",
                0.001,
                1,
                "quantity 'two'",
                _broken(table, "quantity", const("two")),
            ),
            (
                "out_of_range:quantity",
                0.001,
                1,
                "negative quantity (-1, -3)",
                _broken(table, "quantity", cycle(("-1", "-3"))),
            ),
            missing("product_id"),
            ("orphan:orders", 0.001, 1, "order_id that no order has", _orphan_item),
        ]
    if table == "web_events":
        return [
            bad_ts("occurred_at"),
            (
                "bad_value:event_type",
                0.001,
                1,
                "unknown event_type 'hover'",
                _broken(table, "event_type", const("hover")),
            ),
            missing("anonymous_id"),
        ]
    if table == "email_events":
        return [
            bad_ts("occurred_at"),
            (
                "bad_value:event_type",
                0.001,
                1,
                "unknown event_type 'forwarded'",
                _broken(table, "event_type", const("forwarded")),
            ),
            missing("customer_id"),
        ]
    if table == "consents":
        return [
            (
                "bad_value:status",
                0.002,
                1,
                "unknown status 'maybe' (on a new key)",
                _consent_maybe(source),
            )
        ]
    if table == "reviews":
        return [
            (
                "out_of_range:rating",
                0.01,
                2,
                "rating 0 or 7",
                _broken(table, "rating", cycle((0, 7))),
            )
        ]
    if table == "survey_responses":
        return [missing("question_key")]
    return []


def _count(rate: float, n: int, minimum: int = 1) -> int:
    return max(minimum, round(rate * n)) if n else 0


def inject(
    table: str,
    data: pa.Table,
    latest_rows: int,
    rng: np.random.Generator,
    ledger: Ledger,
    erased: np.ndarray | None = None,
) -> pa.Table:
    """Append this chunk's defect rows to ``data`` (already in the file schema).

    Rows flagged in ``erased`` (people who asked for erasure) are never templates
    of defects: the warehouse erases them before any other step, so a defect
    copied from them would be erased rather than quarantined.
    """
    n = data.num_rows
    if n == 0:
        return data
    pieces = [data]
    used = np.zeros(n, dtype=bool)
    allowed = np.ones(n, dtype=bool) if erased is None else ~erased
    pool = np.flatnonzero(allowed)
    if len(pool) == 0:
        return data
    budget = int(QUARANTINE_BUDGET * n)

    if table == "web_events":  # conflicting duplicate keys: original and copy both quarantined
        k = min(_count(DUPLICATE_KEY_RATE, n), budget // 2, len(pool))
        if k:
            src = np.sort(rng.choice(pool, size=k, replace=False))
            used[src] = True
            copy = data.take(pa.array(src))
            paths = ["/account" if p != "/account" else "/" for p in _col(copy, "page_path")]
            pieces.append(_set(copy, "page_path", paths))
            ledger.defect(
                table,
                "duplicate_key",
                2 * k,
                "copy of a real event with the same event_id and another page_path "
                "(original and copy)",
            )
            budget -= 2 * k

    if table in ("customers", "orders") and latest_rows:  # extra older versions and ties
        version_col, stamp_col = (
            "updated_at",
            ("created_at" if table == "customers" else "ordered_at"),
        )
        cand = rng.permutation(np.flatnonzero(allowed[:latest_rows]))
        k = min(_count(EXTRA_VERSION_RATE, latest_rows), len(cand))
        src = np.sort(cand[:k])
        old = data.take(pa.array(src))
        old = _set(old, version_col, old.column(stamp_col))
        if table == "customers":
            stage = ["subscriber" if s == "lead" else "lead" for s in _col(old, "lifecycle_stage")]
            old = _set(old, "lifecycle_stage", stage)
        else:
            old = _set(old, "status", ["placed"] * k)
        pieces.append(old)
        ledger.defect(
            table, "superseded_versions", k, f"extra older version ({version_col} = {stamp_col})"
        )
        tie_col = "phone" if table == "customers" else "shipping_postal_code"
        rest = cand[k:]
        rest = (
            rest[
                data.column(tie_col).take(pa.array(rest)).is_valid().to_numpy(zero_copy_only=False)
            ]
            if len(rest)
            else rest
        )
        k2 = min(_count(TIE_RATE, latest_rows), len(rest))
        if k2:
            tie = data.take(pa.array(np.sort(rest[:k2])))
            pieces.append(_set(tie, tie_col, [None] * k2))
            ledger.defect(
                table,
                "superseded_versions",
                k2,
                f"exact tie: same key and {version_col}, {tie_col} missing",
            )

    for reason, rate, minimum, description, make in _specs(table, data.filter(pa.array(allowed))):
        k = min(_count(rate, n, minimum), budget)
        if k <= 0:
            continue
        src = pool[rng.integers(0, len(pool), k)]
        rows = make(data.take(pa.array(src)), ledger, rng)
        if rows.num_rows == 0:
            continue
        budget -= rows.num_rows
        pieces.append(rows)
        ledger.defect(table, reason, rows.num_rows, description)

    avail = np.flatnonzero(~used & allowed)
    k = min(_count(EXACT_DUPLICATE_RATE, n), len(avail))
    if k:
        src = np.sort(rng.choice(avail, size=k, replace=False))
        pieces.append(data.take(pa.array(src)))
        ledger.defect(table, "exact_duplicates", k, "exact copies of valid rows")
    return pa.concat_tables(pieces)
