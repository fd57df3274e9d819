"""The served warehouse (issue 12, point 1): what `custseg build` publishes for BI tools.

The main messy build published its marts and restricted schemas to serving/ beside its
warehouse. Each served file holds every relation of its schema with the warehouse's rows
and comments, in DuckDB's storage version v1.0.0 (what DuckDB 1.0 and later read), and
raw PII only in a file its owner alone may read. The reader-during-build test is in
test_any_date.py, which builds a warehouse twice anyway.
"""

from __future__ import annotations

import stat

import duckdb

from custseg import serving


def _relations(connection, catalog: str, schema: str) -> dict[str, int]:
    names = connection.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ?"
        " union all select view_name from duckdb_views()"
        " where database_name = ? and schema_name = ? and not internal",
        [catalog, schema, catalog, schema],
    ).fetchall()
    return {
        name: connection.execute(f'select count(*) from {catalog}.{schema}."{name}"').fetchone()[0]
        for (name,) in names
    }


def test_the_served_files_hold_every_relation_with_the_warehouses_rows(messy_build):
    folder = messy_build.path.parent / "serving"
    assert sorted(p.name for p in folder.iterdir()) == ["marts.duckdb", "restricted.duckdb"]
    assert "Published " + str(folder / "marts.duckdb") in messy_build.stdout
    with duckdb.connect() as connection:
        connection.execute(f"attach '{messy_build.path}' as built (read_only)")
        for name, schema in serving.SERVED_SCHEMAS.items():
            connection.execute(f"attach '{folder / name}.duckdb' as {name} (read_only)")
            expected = _relations(connection, "built", schema)
            assert len(expected) >= (15 if name == "marts" else 1)
            assert _relations(connection, name, "main") == expected
            assert sum(expected.values()) > 0
        # the names a reader writes are the warehouse's (catalog marts, default schema)
        assert connection.execute("select count(*) from marts.fct_orders").fetchone() == (
            connection.execute("select count(*) from built.marts.fct_orders").fetchone()
        )
        tags = dict(
            connection.execute(
                "select database_name, tags['storage_version'] from duckdb_databases()"
                " where database_name in ('marts', 'restricted')"
            ).fetchall()
        )
        assert tags == {"marts": "v1.0.0+", "restricted": "v1.0.0+"}
        comments = connection.execute(
            """
            select served.comment = built.comment, count(*) from duckdb_columns() as built
            left join duckdb_columns() as served
                on served.database_name = 'marts' and served.table_name = built.table_name
                and served.column_name = built.column_name
            where built.database_name = 'built' and built.schema_name = 'marts'
                and built.comment is not null
            group by all
            """
        ).fetchall()
        assert dict(comments).get(True, 0) >= 100 and list(dict(comments)) == [True]


def test_the_served_file_header_is_duckdb_storage_version_64(messy_build):
    """The file's own header (bytes 8-20: magic DUCK, then the storage version number),
    independent of what today's DuckDB reports: 64 is the number DuckDB 1.0 and 1.1 write
    and read; a file written with storage version v1.2.0 or later carries 65 or more, and
    DuckDB 1.0 and 1.1 refuse it. (By hand on 2026-12-03, DuckDB 1.0.0 and 1.1.3 read every
    row of a served file written by 1.4.4; see DECISIONLOG.md.)"""
    header = (messy_build.path.parent / "serving" / "marts.duckdb").read_bytes()[:20]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64


def test_raw_pii_is_served_to_its_owner_only(messy_build):
    folder = messy_build.path.parent / "serving"
    assert stat.S_IMODE((folder / "restricted.duckdb").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "marts.duckdb").stat().st_mode) == 0o644
    with duckdb.connect(str(folder / "marts.duckdb"), read_only=True) as connection:
        columns = {
            name
            for (name,) in connection.execute(
                "select distinct column_name from duckdb_columns()"
            ).fetchall()
        }
    assert not columns & {"email", "first_name", "last_name", "phone", "birth_date"}
