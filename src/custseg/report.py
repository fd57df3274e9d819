"""A short, readable summary of a built warehouse (read-only connection)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def print_summary(path: Path) -> int:
    if not path.exists():
        print(f"No warehouse at {path}: run `custseg build` first.")
        return 1
    with duckdb.connect(str(path), read_only=True) as connection:
        relations = connection.execute(
            """
            select table_schema, table_name, table_type
            from information_schema.tables
            where table_schema not in ('information_schema', 'pg_catalog')
            order by table_schema, table_name
            """
        ).fetchall()
        print(f"Warehouse: {path} ({path.stat().st_size / 2**20:,.1f} MiB)")
        by_schema: dict[str, int] = {}
        for schema, _name, _kind in relations:
            by_schema[schema] = by_schema.get(schema, 0) + 1
        print("Relations: " + ", ".join(f"{s} {n}" for s, n in by_schema.items()))
        reconciliation = (
            [
                row
                for row in connection.execute(
                    """
                select table_name, sum(raw_row_count), sum(staged_row_count),
                       sum(quarantined_row_count), sum(superseded_row_count),
                       sum(exact_duplicate_row_count), sum(erased_row_count)
                from staging.stg_raw__reconciliation
                group by table_name
                """
                ).fetchall()
            ]
            if any(name == "stg_raw__reconciliation" for _, name, _ in relations)
            else []
        )
        if reconciliation:
            from . import contract

            order = list(contract.load().tables)
            reconciliation.sort(key=lambda row: order.index(row[0]) if row[0] in order else 99)
            header = ("table", "raw", "staged", "quarantined", "superseded", "duplicates", "erased")
            print(f"\n{header[0]:<22}" + "".join(f"{h:>13}" for h in header[1:]))
            for row in reconciliation:
                print(f"{row[0]:<22}" + "".join(f"{value:>13,}" for value in row[1:]))
        marts = [name for schema, name, _ in relations if schema == "marts"]
        if marts:
            print("\nMarts: " + ", ".join(marts))
        if "fct_orders" in marts:
            print_unconverted_orders(connection)
        if reconciliation:
            print_switched_off(reconciliation)
    return 0


def unconverted_orders(connection) -> list[dict]:
    """Per currency, the orders of marts.fct_orders without an FX rate to the reporting
    currency (fx_status 'missing_fx_rate'): count, share of all orders, first and last
    date. Empty when every amount is known (or fct_orders predates fx_status)."""
    columns = {
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'fct_orders'"
        ).fetchall()
    }
    if "fx_status" not in columns:
        return []
    rows = connection.execute(
        """
        with orders as (
            select currency, ordered_date, fx_status from marts.fct_orders
        ),
        totals as (select count(*) as order_count from orders)
        select orders.currency, count(*) as order_count,
            count(*) * 1.0 / any_value(totals.order_count) as order_share,
            min(orders.ordered_date) as first_order_date,
            max(orders.ordered_date) as last_order_date,
            any_value(totals.order_count) as all_order_count
        from orders
        cross join totals
        where orders.fx_status = 'missing_fx_rate'
        group by orders.currency
        order by order_count desc, orders.currency
        """
    ).fetchall()
    names = ("currency", "order_count", "order_share", "first_order_date", "last_order_date",
             "all_order_count")  # fmt: skip
    return [dict(zip(names, row, strict=True)) for row in rows]


def print_unconverted_orders(connection) -> None:
    """The build summary's section on orders whose amounts could not be converted."""
    rows = unconverted_orders(connection)
    if not rows:
        return
    total = sum(row["order_count"] for row in rows)
    print(
        f"\nOrders without an FX rate: {total:,} of {rows[0]['all_order_count']:,}"
        f" ({total / rows[0]['all_order_count']:.2%}). They count as purchases; their"
        " amounts are left out of monetary, CLV and revenue (fct_orders.fx_status ="
        " 'missing_fx_rate'). Add an fx_rates file (currency, rate_date,"
        " rate_to_reporting) or set var reporting_currency."
    )
    print(f"{'currency':<10}{'orders':>10}{'share':>10}  first       last")
    for row in rows:
        print(
            f"{row['currency']:<10}{row['order_count']:>10,}{row['order_share']:>10.2%}"
            f"  {row['first_order_date']}  {row['last_order_date']}"
        )


def switched_off(reconciliation: list[tuple]) -> list[tuple[str, str, str]]:
    """The optional contract tables this build had no valid row of, from staging's
    reconciliation rows (table, raw, staged, ...): (table, why, what it feeds), the latter
    from the raw contract's ``feeds``."""
    from . import contract

    tables = contract.load().tables
    found = []
    for table_name, raw_rows, staged_rows, *_ in reconciliation:
        table = tables.get(table_name)
        if table is None or table.required or staged_rows:
            continue
        why = "no rows" if not raw_rows else f"all {raw_rows:,} rows quarantined"
        found.append((table_name, why, table.feeds))
    return found


def print_switched_off(reconciliation: list[tuple]) -> None:
    """What the optional tables without rows switched off (nothing printed if none)."""
    rows = switched_off(reconciliation)
    if not rows:
        return
    print("\nSwitched off: optional tables without valid rows, and what they would feed")
    width = max(len(table) for table, _, _ in rows)
    for table, why, feeds in rows:
        print(f"  {table:<{width}}  ({why}) {feeds}")
