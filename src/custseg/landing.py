"""Landing files: which file holds a contract table, and how a CSV file is split.

One rule for every reader in Python (gate 1, the Spark loader); the staging macro
``select_raw_table`` applies the same rule in SQL, and a test keeps the two in step:

- ``raw_format`` ``auto`` (the default): a table is read from ``<table>.parquet``,
  ``<table>.csv`` or ``<table>.csv.gz``, whichever exists, so every table may come in its
  own format (a CRM's CSV next to a shop's Parquet). Two files for one table are an error
  that names both. ``parquet``, ``csv`` or ``csv.gz``: only ``<table>.<raw_format>``
  (files in other formats are ignored).
- ``raw_csv_delimiter`` ``auto`` (the default): the delimiter DuckDB's CSV sniffer finds
  (``sniff_csv``; comma, semicolon as German or French Excel writes, tab, pipe), with a
  header row, quote ``"`` and escape ``"``. Any other value is the delimiter itself.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

AUTO = "auto"
FORMATS = ("parquet", "csv", "csv.gz")
# Delimiters the header hint looks for when a header read as one column.
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
HEADER_NAMES_SHOWN = 8
# A header field that looks like a value (an email address, a number, a date): the file
# probably lacks its header row, and the line is data that a message must not quote.
VALUE_LIKE = r"[0-9][0-9+\-.,:/ TZ]*|.*@.*"


class LandingError(ValueError):
    """The landing folder does not say unambiguously what to read."""


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def candidates(raw_path: Path | str, table: str, raw_format: str = AUTO) -> list[str]:
    """The file names (or glob patterns) a table may be read from, in this order."""
    formats = FORMATS if raw_format == AUTO else (raw_format,)
    return [f"{raw_path}/{table}.{fmt}" for fmt in formats]


def table_file(raw_path: Path | str, table: str, raw_format: str = AUTO) -> str | None:
    """The file holding ``table`` in the folder ``raw_path``, None when there is none.

    Raises ``LandingError`` when ``raw_format`` is auto and more than one format exists."""
    if raw_format != AUTO and raw_format not in FORMATS:
        raise LandingError(f"raw_format must be auto, {', '.join(FORMATS)}; got {raw_format!r}")
    found = [path for path in candidates(raw_path, table, raw_format) if glob.glob(path)]
    if len(found) > 1:
        names = " and ".join(Path(path).name for path in found)
        raise LandingError(
            f"Raw table '{table}': {names} are both in {raw_path}. Keep one, or set "
            "var raw_format (custseg: --raw-format) to the format to read."
        )
    return found[0] if found else None


def is_csv(path: str) -> bool:
    return path.endswith(".csv") or path.endswith(".csv.gz")


def csv_delimiter(connection, path: str, configured: str = AUTO) -> str:
    """``configured``, or when it is auto the delimiter DuckDB's sniffer finds in ``path``
    (comma when the sniffer cannot decide, e.g. on an empty file)."""
    import duckdb

    if configured != AUTO:
        return configured
    try:
        row = connection.execute(
            f"select Delimiter from sniff_csv({_literal(path)}, header = true, "
            "all_varchar = true, quote = '\"', escape = '\"')"
        ).fetchone()
    except duckdb.Error:  # an unreadable file is reported by its reader
        return ","
    return row[0] if row and row[0] else ","


def reader_sql(path: str, delimiter: str = ",") -> str:
    """The DuckDB reader of one landing file, as ``select_raw_table`` builds it."""
    if is_csv(path):
        return (
            f"read_csv({_literal(path)}, header = true, delim = {_literal(delimiter)}, "
            "quote = '\"', escape = '\"', all_varchar = true)"
        )
    return f"read_parquet({_literal(path)})"


def delimiter_shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f"'{delimiter}'"


def header_hint(columns: list[str], delimiter: str | None, configured: str = AUTO) -> str:
    """What a reader made of a file's header, for an error about missing columns: the
    columns read and, for CSV, the delimiter used, how it was chosen, and the delimiter
    the file seems to use when the whole header read as one column. A first line that
    holds values (no header row) is not quoted: it is data. The staging macro
    ``select_raw_table`` words it the same way."""
    fields = [t.strip() for c in columns for t in re.split(r"[,;\t|]", c)]
    if any(re.fullmatch(VALUE_LIKE, field) for field in fields if field):
        how = "" if delimiter is None else f" (delimiter {delimiter_shown(delimiter)})"
        return (
            f"The first line{how} holds values such as numbers, dates or email addresses,"
            " not column names (not shown): is the header row missing?"
        )
    shown = ", ".join(f"'{c}'" for c in columns[:HEADER_NAMES_SHOWN])
    if len(columns) > HEADER_NAMES_SHOWN:
        shown += f", ... ({len(columns)} in all)"
    noun = "column" if len(columns) == 1 else "columns"
    if delimiter is None:
        return f"The file has {len(columns)} {noun}: {shown}."
    how = "detected" if configured == AUTO else "var raw_csv_delimiter"
    hint = (
        f"Read the header as {len(columns)} {noun} {shown} with delimiter "
        f"{delimiter_shown(delimiter)} ({how})."
    )
    if len(columns) == 1:
        seen = [d for d in DELIMITER_CANDIDATES if d != delimiter and d in columns[0]]
        if seen:
            hint += (
                f" The file looks {delimiter_shown(seen[0])}-separated:"
                f" set var raw_csv_delimiter to"
                f" {delimiter_shown(seen[0])}, or to auto."
            )
    return hint
