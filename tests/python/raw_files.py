"""Independent readers of raw landing files, for tests: every column as text, and the
rows the warehouse must erase, computed in pandas from the staging rules as written
(not with the generator's or the warehouse's code)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from custseg import contract

C = contract.load()
TABLES = list(C.tables)


def read_strings(out: Path, table: str, fmt: str) -> pd.DataFrame:
    """A table file with every column as text (null stays null, '' stays '')."""
    cols = list(C.tables[table].columns)
    path = out / f"{table}.{fmt}"
    if fmt == "parquet":
        t = pq.read_table(path)
        t = pa.table({c: t.column(c).cast(pa.string()) for c in t.column_names})
    else:
        t = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in cols},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    return pd.DataFrame(
        {c: pd.Series(t.column(c).to_pylist(), dtype=object) for c in t.column_names}
    )


def read_all(out: Path, fmt: str) -> dict[str, pd.DataFrame]:
    return {t: read_strings(out, t, fmt) for t in TABLES}


def erased_rows(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Per table, the rows of people who asked for erasure (staging step 2), from the files:
    requested ids, contacts sharing a normalised email with them, their orders' lines,
    and the anonymous events of their devices."""

    def norm(s: pd.Series) -> pd.Series:
        return s.astype("string").str.strip(" ").str.lower().replace("", pd.NA)

    def ids(s: pd.Series) -> pd.Series:
        return s.astype("string").str.strip(" ").replace("", pd.NA)

    customers = frames["customers"]
    requested = set(ids(frames["erasure_requests"]["customer_id"]).dropna())
    cid, email = ids(customers["customer_id"]), norm(customers["email"])
    emails = set(email[cid.isin(requested)].dropna())
    erased_ids = requested | set(cid[email.isin(emails)].dropna())
    orders = frames["orders"]
    erased_orders = set(ids(orders["order_id"])[ids(orders["customer_id"]).isin(erased_ids)])
    web = frames["web_events"]
    devices = set(ids(web["anonymous_id"])[ids(web["customer_id"]).isin(erased_ids)])
    masks = {}
    for table, spec in C.tables.items():
        df = frames[table]
        mask = pd.Series(False, index=df.index)
        if table == "order_items":
            mask = ids(df["order_id"]).isin(erased_orders)
        elif "customer_id" in spec.columns and table != "erasure_requests":
            c = ids(df["customer_id"])
            mask = c.isin(erased_ids)
            if table == "web_events":
                mask = mask | (c.isna() & ids(df["anonymous_id"]).isin(devices))
            if table == "customers":
                mask = mask | (c.isna() & norm(df["email"]).isin(emails))
        masks[table] = mask.fillna(False).astype(bool)
    return masks
