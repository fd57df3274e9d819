"""Chunked writers: one Parquet or CSV file per contract table, appended chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from custseg.contract import Column, Table

FORMATS = ("parquet", "csv")


def arrow_type(column: Column) -> pa.DataType:
    """Logical contract type -> Arrow type. Timestamps are ISO-8601 strings."""
    base = column.base_type
    if base == "integer":
        return pa.int64()
    if base == "decimal":
        precision, scale = column.precision_scale
        return pa.decimal128(precision, scale)
    if base == "boolean":
        return pa.bool_()
    if base == "date":
        return pa.date32()
    return pa.string()  # string, timestamp


def table_schema(table: Table, string_columns: tuple[str, ...] = ()) -> pa.Schema:
    """The file schema: contract columns in contract order; ``string_columns`` forced to string."""
    return pa.schema(
        [
            pa.field(name, pa.string() if name in string_columns else arrow_type(column))
            for name, column in table.columns.items()
        ]
    )


class TableWriter:
    """Appends chunks to ``<table>.<fmt>``; the file exists (with its header) even if empty."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
        self.path = path
        self.schema = schema
        self.rows = 0
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")
        else:
            self._writer = pacsv.CSVWriter(
                str(path), schema, write_options=pacsv.WriteOptions(include_header=True)
            )

    def conform(self, data: pa.Table) -> pa.Table:
        """Select the contract columns in order and cast them to the file schema."""
        return data.select(self.schema.names).cast(self.schema)

    def write(self, data: pa.Table) -> None:
        data = self.conform(data)
        if data.num_rows:
            self._writer.write_table(data)
            self.rows += data.num_rows

    def close(self) -> None:
        self._writer.close()
