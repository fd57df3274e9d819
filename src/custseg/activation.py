"""Audience files for the tools marketers send from: `custseg export`.

A file holds one segment's audience on one channel: the members of `marts.audience_exports`
(consent for the channel's purpose granted; for email never an unsubscribed or bounced
address) outside the segment's holdout, as of the warehouse's build date. Addresses come
from `restricted.customer_pii` and exist only in the file written, never in a mart.

Formats (each tool's contact-import header):
- mailchimp (email): Email Address, First Name, Last Name, Tags (the segment id);
- hubspot (email): Email, First Name, Last Name, Segment (a list/segment property);
- csv / parquet: customer_id, the channel's identifier (email, phone, or for ads only the
  normalised email's SHA-256), segment_id, as_of_date.
Ads files carry the SHA-256 of the normalised email only, whatever the format asked.

`changes_since` (a date, or "last": the last export of that segment and channel) writes
two files instead, adds and removes, from `marts.segment_membership_history`, as Hightouch
and Census sync: adds are current audience members whose spell in the segment began after
that date; removes are customers whose spell ended after it and who are not members now.

Every file written is logged in the warehouse, `activation.export_log` (segment, channel,
format, kind, as_of_date, since, rows, file, time; never an address).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import uuid
from dataclasses import dataclass
from pathlib import Path

CHANNELS = {"email": "email", "sms": "sms", "ads": "paid_media"}  # option -> audience channel
FORMATS = ("mailchimp", "hubspot", "csv", "parquet")
HEADERS = {
    "mailchimp": ("Email Address", "First Name", "Last Name", "Tags"),
    "hubspot": ("Email", "First Name", "Last Name", "Segment"),
}
IDENTIFIER = {"email": "email", "sms": "phone", "ads": "email_sha256"}
LOG_TABLE = "activation.export_log"


class ExportError(ValueError):
    """A request that cannot be exported; the message says why and what to do."""


@dataclass
class Written:
    kind: str  # audience | adds | removes
    path: Path
    rows: int


def _check_request(segment: str, channel: str, fmt: str, known: list[str]) -> None:
    if segment not in known:
        near = difflib.get_close_matches(segment, known, n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise ExportError(f"segment {segment!r} is not in marts.dim_segments{hint}")
    if channel not in CHANNELS:
        raise ExportError(f"channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt in HEADERS and channel != "email":
        raise ExportError(
            f"format {fmt} imports e-mail contacts: use --channel email, or --format csv or "
            f"parquet for {channel}"
        )


def _since(connection, segment: str, channel: str, changes_since: str) -> dt.date:
    if changes_since != "last":
        try:
            return dt.date.fromisoformat(changes_since)
        except ValueError:
            raise ExportError(
                f"--changes-since {changes_since!r}: a date YYYY-MM-DD or 'last'"
            ) from None
    found = connection.execute(
        f"select max(as_of_date) from {LOG_TABLE} where segment_id = ? and channel = ?",
        [segment, channel],
    ).fetchone()[0]
    if found is None:
        raise ExportError(
            f"--changes-since last: segment {segment} was never exported to {channel}; "
            "export the whole audience first (without --changes-since)"
        )
    return found


AUDIENCE = """
    select
        audiences.customer_id,
        pii.email,
        pii.phone,
        audiences.email_sha256,
        pii.first_name,
        pii.last_name
    from marts.audience_exports as audiences
    inner join restricted.customer_pii as pii
        on audiences.customer_id = pii.customer_id
    where audiences.segment_id = $segment
        and audiences.channel = $channel
        and not audiences.is_holdout
"""
ADDED = """
    and audiences.customer_id in (
        select customer_id from marts.segment_membership_history
        where segment_id = $segment and exited_on is null and entered_on > $since
    )
"""
REMOVED = """
    select
        pii.customer_id,
        pii.email,
        pii.phone,
        pii.email_sha256,
        pii.first_name,
        pii.last_name
    from restricted.customer_pii as pii
    where pii.customer_id in (
        select customer_id from marts.segment_membership_history
        where segment_id = $segment and exited_on > $since
    )
    and pii.customer_id not in (
        select customer_id from marts.segment_memberships where segment_id = $segment
    )
"""


def _rows(connection, sql: str, parameters: dict, channel: str) -> tuple[list[tuple], int]:
    """The query's rows (ordered by customer) that have the channel's identifier, and how
    many had none (an SMS member without a phone number)."""
    rows = connection.execute(sql + " order by 1", parameters).fetchall()
    column = ("customer_id", "email", "phone", "email_sha256").index(IDENTIFIER[channel])
    kept = [row for row in rows if row[column]]
    return kept, len(rows) - len(kept)


def _write(path: Path, fmt: str, channel: str, rows: list[tuple], segment: str, as_of) -> None:
    if fmt in HEADERS:
        header = HEADERS[fmt]
        records = [(email, first or "", last or "", segment)
                   for _, email, _, _, first, last in rows]  # fmt: skip
    else:
        identifier = IDENTIFIER[channel]
        header = ("customer_id", identifier, "segment_id", "as_of_date")
        index = ("customer_id", "email", "phone", "email_sha256").index(identifier)
        records = [(row[0], row[index], segment, as_of.isoformat()) for row in rows]
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = list(zip(*records, strict=True)) if records else [[] for _ in header]
        table = pa.table({name: pa.array(list(values), pa.string())
                          for name, values in zip(header, columns, strict=True)})  # fmt: skip
        pq.write_table(table, path)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)


def export(
    warehouse_file: Path,
    segment: str,
    channel: str,
    fmt: str,
    out_dir: Path,
    changes_since: str | None = None,
) -> tuple[list[Written], int]:
    """Write the audience file (or the adds and removes files) and log them; returns what
    was written and how many members had no identifier for the channel."""
    import duckdb

    with duckdb.connect(str(warehouse_file)) as connection:
        known = [row[0] for row in connection.execute(
            "select segment_id from marts.dim_segments order by 1").fetchall()]  # fmt: skip
        _check_request(segment, channel, fmt, known)
        (as_of,) = connection.execute(
            "select max(as_of_date) from marts.audience_exports"
        ).fetchone()
        if as_of is None:
            raise ExportError(
                "marts.audience_exports is empty: nobody may be contacted (no segment member "
                "has consent for any channel; without a consents table nobody has: see the "
                "README's recipe for turning a CRM opt-in column into consents)"
            )
        connection.execute(
            f"""
            create schema if not exists activation;
            create table if not exists {LOG_TABLE} (
                export_id varchar, segment_id varchar, channel varchar, format varchar,
                kind varchar, as_of_date date, changes_since date, row_count bigint,
                file_path varchar, exported_at timestamp
            )
            """
        )
        parameters = {"segment": segment, "channel": CHANNELS[channel]}
        since = None
        if changes_since is None:
            plans = [("audience", AUDIENCE, parameters)]
        else:
            since = _since(connection, segment, channel, changes_since)
            dated = {**parameters, "since": since}
            plans = [("adds", AUDIENCE + ADDED, dated),
                     ("removes", REMOVED, {"segment": segment, "since": since})]  # fmt: skip
        out_dir.mkdir(parents=True, exist_ok=True)
        suffix = "parquet" if fmt == "parquet" else "csv"
        written, missing = [], 0
        for kind, sql, values in plans:
            rows, without = _rows(connection, sql, values, channel)
            missing += without
            name = f"{segment}__{channel}__{fmt}__{as_of.isoformat()}"
            name += "" if kind == "audience" else f"__{kind}_since_{since.isoformat()}"
            path = (out_dir / f"{name}.{suffix}").resolve()
            _write(path, fmt, channel, rows, segment, as_of)
            connection.execute(
                f"insert into {LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [str(uuid.uuid4()), segment, channel, fmt, kind, as_of, since, len(rows),
                 str(path), dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )  # fmt: skip
            written.append(Written(kind, path, len(rows)))
    return written, missing
