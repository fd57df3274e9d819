"""Landing files: which file holds a contract table, and how a CSV file is split.

One rule for every reader in Python (gate 1, the Spark loader); the staging macro
``select_raw_table`` applies the same rule in SQL, and a test keeps the two in step:

- ``raw_format`` ``auto`` (the default): a table is read from ``<table>.parquet``,
  ``<table>.csv`` or ``<table>.csv.gz``, whichever exists, so every table may come in its
  own format (a CRM's CSV next to a shop's Parquet). Two files for one table are an error
  that names both. ``parquet``, ``csv`` or ``csv.gz``: only ``<table>.<raw_format>``
  (files in other formats are ignored).
- A table may instead be a folder ``<table>/`` of files in one format: a full export and
  the daily deltas that follow it (``orders/2026-06-30.parquet``, ...). A file whose name
  starts with a date (``YYYY-MM-DD``) holds that day's delta and is read only by builds
  whose ``as_of_date`` is on or after it (a replay of an earlier date sees what had
  landed by then); other names (``full.parquet``) are always read. A folder and a file
  for the same table are an error that names both.
- ``raw_csv_delimiter`` ``auto`` (the default): the delimiter DuckDB's CSV sniffer finds
  (``sniff_csv``; comma, semicolon as German or French Excel writes, tab, pipe), with a
  header row, quote ``"`` and escape ``"``. Any other value is the delimiter itself.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from dataclasses import dataclass
from pathlib import Path

AUTO = "auto"
FORMATS = ("parquet", "csv", "csv.gz")
# Delimiters the header hint looks for when a header read as one column.
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
HEADER_NAMES_SHOWN = 8
# A header field that looks like a value (an email address, a number, a date): the file
# probably lacks its header row, and the line is data that a message must not quote.
VALUE_LIKE = r"[0-9][0-9+\-.,:/ TZ]*|.*@.*"
# A delta file's name starts with the day it holds.
DATED = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})")


class LandingError(ValueError):
    """The landing folder does not say unambiguously what to read."""


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def candidates(raw_path: Path | str, table: str, raw_format: str = AUTO) -> list[str]:
    """The file names (or glob patterns) a table may be read from, in this order."""
    formats = FORMATS if raw_format == AUTO else (raw_format,)
    return [f"{raw_path}/{table}.{fmt}" for fmt in formats]


def file_format(name: str) -> str | None:
    """The landing format of a file name (``csv.gz`` before ``csv``), None for others."""
    return next((fmt for fmt in ("parquet", "csv.gz", "csv") if name.endswith("." + fmt)), None)


def file_date(name: str) -> str | None:
    """The day a delta file holds (its name's leading ``YYYY-MM-DD``), None for others."""
    match = DATED.match(Path(name).name)
    return match.group(1) if match else None


def table_files(
    raw_path: Path | str, table: str, raw_format: str = AUTO, as_of: str | None = None
) -> list[str] | None:
    """The files holding ``table``: ``[<table>.<fmt>]``, or the files of the folder
    ``<table>/`` in name order without those dated after ``as_of`` (default: today in
    UTC, as the build's as_of_date); None when there is none. Raises ``LandingError``
    when ``raw_format`` is auto and more than one format exists, or when a table is both
    a file and a folder."""
    if raw_format != AUTO and raw_format not in FORMATS:
        raise LandingError(f"raw_format must be auto, {', '.join(FORMATS)}; got {raw_format!r}")
    found = [path for path in candidates(raw_path, table, raw_format) if glob.glob(path)]
    folder = Path(raw_path) / table
    if folder.is_dir():
        if found:
            raise LandingError(
                f"Raw table '{table}': {Path(found[0]).name} and the folder {table}/ are both "
                f"in {raw_path}. Keep one: a full export, or a folder of exports and deltas."
            )
        files = sorted(
            str(path)
            for path in folder.iterdir()
            if path.is_file()
            and file_format(path.name) in (FORMATS if raw_format == AUTO else (raw_format,))
        )
        formats = sorted({file_format(path) for path in files})
        if len(formats) > 1:
            raise LandingError(
                f"Raw table '{table}': the folder {folder} holds {' and '.join(formats)} files."
                " Keep one format per table, or set var raw_format (custseg: --raw-format)"
                " to the format to read."
            )
        as_of = as_of or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        kept = [path for path in files if (file_date(path) or "") <= as_of]
        return kept or None
    if len(found) > 1:
        names = " and ".join(Path(path).name for path in found)
        raise LandingError(
            f"Raw table '{table}': {names} are both in {raw_path}. Keep one, or set "
            "var raw_format (custseg: --raw-format) to the format to read."
        )
    return found[:1] or None


def table_file(raw_path: Path | str, table: str, raw_format: str = AUTO) -> str | None:
    """The one file holding ``table`` (``<table>.<fmt>``), None when there is none.
    A folder of files: see ``table_files``."""
    files = table_files(raw_path, table, raw_format)
    return files[0] if files and not (Path(raw_path) / table).is_dir() else None


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


def reader_sql(path: str | list[str], delimiter: str = ",") -> str:
    """The DuckDB reader of one landing file or of a folder's files (columns matched by
    name: a later delta may add an optional column), as ``select_raw_table`` builds it."""
    paths = [path] if isinstance(path, str) else list(path)
    files = _literal(paths[0]) if len(paths) == 1 else "[" + ", ".join(map(_literal, paths)) + "]"
    by_name = "" if len(paths) == 1 else ", union_by_name = true"
    if is_csv(paths[0]):
        return (
            f"read_csv({files}, header = true, delim = {_literal(delimiter)}, "
            # comment = '': DuckDB's sniffer otherwise may take rows starting with # (a
            # Shopify order name, an id) for comments and drop them
            f"quote = '\"', escape = '\"', comment = '', all_varchar = true{by_name})"
        )
    return f"read_parquet({files}{by_name})"


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


# ---------------------------------------------------------------------- tool exports
# The tool exports the connectors read (sub-folders of the landing folder): defined once, in
# the dbt project's connector sources, which dbt's macro select_tool_export reads too.
CONNECTOR_SOURCES = Path("models") / "staging" / "connectors" / "_connectors__sources.yml"


@dataclass(frozen=True)
class ToolExport:
    """One kind of tool export: files matching ``pattern`` in ``<raw_path>/<folder>/``,
    mapped onto the contract tables ``feeds``; unusable without ``required`` columns."""

    tool: str
    name: str
    folder: str
    pattern: str
    feeds: tuple[str, ...]
    required: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.tool} {self.name.replace('_', ' ')}"

    def files(self, raw_path: Path) -> list[str]:
        return sorted(glob.glob(str(Path(raw_path) / self.folder / self.pattern)))


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or node.get("meta") or {}


def tool_exports() -> list[ToolExport]:
    """Every tool export the connectors define, in the order of their sources file."""
    import yaml

    from . import warehouse

    document = yaml.safe_load((warehouse.project_dir() / CONNECTOR_SOURCES).read_text("utf-8"))
    return [
        ToolExport(
            tool=source["name"],
            name=table["name"],
            folder=_meta(source).get("folder", source["name"]),
            pattern=_meta(table)["files"],
            feeds=tuple(_meta(table).get("feeds") or ()),
            required=tuple(
                column["name"]
                for column in table.get("columns") or []
                if _meta(column).get("required")
            ),
        )
        for source in document["sources"]
        for table in source["tables"]
    ]


def exports_feeding(raw_path: Path, table: str) -> list[ToolExport]:
    """The tool exports with files in ``raw_path`` that feed contract table ``table``."""
    return [e for e in tool_exports() if table in e.feeds and e.files(raw_path)]


def misplaced_exports(raw_path: Path) -> list[tuple[str, ToolExport]]:
    """Files in the landing folder itself that look like a tool export (they belong in the
    tool's sub-folder, where the connectors look): (file name, export). Only an export
    whose file pattern names it (``*orders_export*.csv``) is recognised: Qualtrics' files
    are named after the survey (``*.csv``), and any contract file would match that."""
    found = []
    for export in tool_exports():
        if re.sub(r"[*?]", "", export.pattern).startswith("."):
            continue
        for path in sorted(glob.glob(str(Path(raw_path) / export.pattern))):
            found.append((Path(path).name, export))
    return found
