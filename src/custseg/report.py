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
                select table_name, raw_row_count, staged_row_count, quarantined_row_count,
                       superseded_row_count, exact_duplicate_row_count, erased_row_count
                from staging.stg_raw__reconciliation
                """
                ).fetchall()
            ]
            if any(name == "stg_raw__reconciliation" for _, name, _ in relations)
            else []
        )
        if reconciliation:
            header = ("table", "raw", "staged", "quarantined", "superseded", "duplicates", "erased")
            print(f"\n{header[0]:<22}" + "".join(f"{h:>13}" for h in header[1:]))
            for row in reconciliation:
                print(f"{row[0]:<22}" + "".join(f"{value:>13,}" for value in row[1:]))
        marts = [name for schema, name, _ in relations if schema == "marts"]
        if marts:
            print("\nMarts: " + ", ".join(marts))
        if reconciliation:
            print_switched_off(reconciliation)
    return 0


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
