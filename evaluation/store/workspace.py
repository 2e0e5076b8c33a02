"""A private in-memory copy of the store's current state, for work that must not hold it.

Checking an upload and previewing it only read the current rows, yet on the
store itself they took its write lock for the whole validation (a one-row import
waited 10 s behind the dry run of a million-row file) and read-only mode could
not preview at all. The copy is read in one short read transaction; the
validation then runs on the copy with the same schema and the same SQL, as long
as it takes, while other sessions and the command line write to the store.
"""

from __future__ import annotations

import duckdb

from evaluation.store.connection import Store, migrate_to, next_entity_id
from evaluation.store.schema import ENTITIES, SCHEMA_VERSION

# Tables copied whole (small); every versioned entity table is copied as its current rows.
_WHOLE = ("uploads", "upload_files")


def current_copy(store: Store) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the store's current rows (its uploads too, so
    `latest_upload` on it says which state it reflects)."""
    tables, next_id = _read_current(store)
    copy = duckdb.connect(":memory:")
    try:
        migrate_to(copy, SCHEMA_VERSION)
        for table, rows in tables.items():
            copy.register("_copied", rows)
            copy.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _copied")
            copy.unregister("_copied")
        copy.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {int(next_id)}")
    except BaseException:
        copy.close()
        raise
    return copy


def latest_upload(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest upload in the store (or copy) `con` is connected to."""
    return con.execute("SELECT max(upload_id) FROM uploads").fetchone()[0]


def _read_current(store: Store) -> tuple[dict, int]:
    with store.connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            tables = {t: con.sql(f"SELECT * FROM {t}").to_arrow_table() for t in _WHOLE}
            for entity in ENTITIES.values():
                tables[entity.table] = con.sql(
                    f"SELECT * FROM {entity.table} WHERE valid_to IS NULL").to_arrow_table()
            return tables, next_entity_id(con)
        finally:
            con.execute("ROLLBACK")
