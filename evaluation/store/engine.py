"""The DuckDB side of every store, file or PostgreSQL mirror: the schema applied by
recorded version, and the ids a store gives out next.

Below `connection` (the file) and `pg_store` (the database server's mirror), so that
both build their DuckDB databases the same way without importing each other.
"""

from __future__ import annotations

import duckdb

from evaluation.store.schema import MIGRATIONS, SCHEMA_VERSION
from evaluation.words import _


def migrate_to(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Bring a store up to `version` exactly (tests build old stores with it)."""
    apply_migrations(con, recorded_version(con), version)


def apply_migrations(con: duckdb.DuckDBPyConnection, current: int,
                     target: int = SCHEMA_VERSION) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for step in range(current, target):
            con.execute(MIGRATIONS[step])
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def recorded_version(con: duckdb.DuckDBPyConnection) -> int:
    try:
        row = con.execute("SELECT value FROM main.meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return 0  # a new, empty file
    return int(row[0]) if row else 0


def holds_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                            "current_database() AND NOT temporary").fetchone()[0])


def next_entity_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id the next new partnership or indicator of the store `con` receives."""
    return int(con.execute(
        "SELECT coalesce(last_value + 1, start_value) FROM duckdb_sequences() "
        "WHERE sequence_name = 'entity_seq' AND database_name = current_database()"
    ).fetchall()[0][0])


def stale_message(path: object, version: int) -> str:
    """Why read-only mode cannot use a store of an older schema (or a file of none)."""
    if version == 0:
        return _("{path} is a DuckDB file but not a store of this program (it has no "
                 "schema). Use the store instead.").format(path=path)
    return _("The store {path} has schema {version}, older than this program's "
             "{known}, and read-only mode cannot update it. Open it once where the program "
             "may write to update it, then start the read-only screen again.").format(
                 path=path, version=version, known=SCHEMA_VERSION)
