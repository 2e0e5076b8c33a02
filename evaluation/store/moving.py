"""A whole store, with its full history, copied between a DuckDB file and PostgreSQL.

The source is read in one consistent transaction (every table from the same moment).
The copy is written as one unit: into a new DuckDB file built beside its final place
and renamed in, or into an empty PostgreSQL database in one transaction. Before it is
kept, every table is read back from the copy and compared with the source row for
row; any difference and nothing is kept. The source is never changed.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from evaluation.errors import CHOOSE_STORE, EvaluationError
from evaluation.store import postgres
from evaluation.store.connection import Store, migrate_to, next_entity_id
from evaluation.store.schema import SCHEMA_VERSION, store_tables
from evaluation.words import _

Tables = dict[str, pa.Table]


@dataclass(frozen=True)
class Copied:
    """What was copied: enough for the command's answer."""

    uploads: int
    rows: int
    tables: int

    def summary(self) -> str:
        return _("{uploads} uploads, {rows:,} rows in {tables} tables, every table "
                 "compared with the source").format(uploads=self.uploads, rows=self.rows,
                                                    tables=self.tables)


def named(location: str | Path) -> str:
    """A store location as messages show it (a PostgreSQL URL without its password)."""
    return postgres.shown(str(location)) if postgres.is_postgres(location) else str(location)


def copy_store(source: str | Path, target: str | Path, *, lock_timeout: float = 30.0) -> Copied:
    """Copy the store at `source` to `target` (each a store file or a PostgreSQL URL)."""
    if str(source) == str(target) or (
            not postgres.is_postgres(source) and not postgres.is_postgres(target)
            and Path(target).resolve() == Path(source).resolve()):
        raise EvaluationError(_("The copy would overwrite its own source {source}; give "
                                "another target.").format(source=named(source)),
                              _("Cannot copy"), fix=CHOOSE_STORE)
    if postgres.is_postgres(source):
        rows, next_id = _read_postgres(str(source))
    else:
        rows, next_id = _read_duckdb(Store(source, read_only=True, lock_timeout=lock_timeout))
    if postgres.is_postgres(target):
        _write_postgres(str(target), rows, next_id)
    else:
        _write_duckdb(Path(target), rows, next_id)
    return Copied(uploads=rows["uploads"].num_rows, tables=len(rows),
                  rows=sum(t.num_rows for name, t in rows.items() if name != "meta"))


def _read_duckdb(store: Store) -> tuple[Tables, int]:
    store.require_existing()
    with store.connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            rows = {t: con.sql(f"SELECT * FROM {t}").to_arrow_table()
                    for t in store_tables()}
            next_id = next_entity_id(con)
        finally:
            con.execute("ROLLBACK")
    return rows, int(next_id)


def _read_postgres(url: str) -> tuple[Tables, int]:
    import psycopg

    schemas = postgres.arrow_schemas()
    with postgres.connect(url) as con:
        version = postgres.recorded_version(con)
        if version == 0:
            raise EvaluationError(_("There is no store in the PostgreSQL database "
                                    "{url}.").format(url=postgres.shown(url)),
                                  _("No store"), fix=CHOOSE_STORE)
        postgres.migrate(con, url)  # refuses a newer store; brings an older one up to date
        con.commit()
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        rows = {t: postgres.read_table(con, t, schemas[t]) for t in store_tables()}
        next_id = postgres.next_entity_id(con)
        con.rollback()
    return rows, int(next_id)


def _write_duckdb(target: Path, rows: Tables, next_id: int) -> None:
    if target.exists():
        raise EvaluationError(
            _("{target} already exists. Copy into a new file; a store is never overwritten "
              "by a copy.").format(target=target), _("Cannot copy"), fix=CHOOSE_STORE)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            built = Path(tmp) / "copy.duckdb"
            con = duckdb.connect(str(built))
            try:
                migrate_to(con, SCHEMA_VERSION)
                con.execute("BEGIN TRANSACTION")
                for table, data in rows.items():
                    con.execute(f"DELETE FROM {table}")
                    con.register("_rows", data)
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
                    con.unregister("_rows")
                con.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {int(next_id)}")
                con.execute("COMMIT")
                _compare(rows, {t: con.sql(f"SELECT * FROM {t}").to_arrow_table()
                                for t in rows}, str(target))
            finally:
                con.close()
            os.replace(built, target)
    except OSError as e:
        raise EvaluationError(_("Cannot write the copy to {target}: {reason}. Choose "
                                "another place.").format(target=target,
                                                         reason=e.strerror or e),
                              _("Cannot copy"), fix=CHOOSE_STORE) from e


def replace_postgres(built: str | Path, url: str, *, lock_timeout: float = 30.0,
                     password: str | None = None) -> None:
    """Replace the PostgreSQL store at `url` whole with the store file `built` (a restore):
    one transaction under the writers' lock, compared before it is kept; the revision
    rises past the old one so that every app server reloads."""
    rows, next_id = _read_duckdb(Store(built, read_only=True, lock_timeout=lock_timeout))
    _write_postgres(url, rows, next_id, replace=True, lock_timeout=lock_timeout,
                    password=password)


def _write_postgres(url: str, rows: Tables, next_id: int, *, replace: bool = False,
                    lock_timeout: float = 30.0, password: str | None = None) -> None:
    schemas = postgres.arrow_schemas()
    with postgres.connect(url, password=password) as con:
        postgres.lock_writers(con, url, lock_timeout)
        old = postgres.revision(con)
        if replace:
            postgres.drop_store(con, url)
        elif postgres.holds_tables(con):
            raise EvaluationError(
                _("The PostgreSQL database {url} is not empty. Copy into an empty database; a "
                  "store is never overwritten by a copy.").format(url=postgres.shown(url)),
                _("Cannot copy"), fix=CHOOSE_STORE)
        postgres.migrate(con, url)  # inside the one transaction, with every row
        con.execute("DELETE FROM meta")
        for table, data in rows.items():
            postgres.write_table(con, table, data.select(schemas[table].names))
        postgres.set_entity_sequence(con, next_id)
        _compare(rows, {t: postgres.read_table(con, t, schemas[t]) for t in rows},
                 postgres.shown(url))
        copied = rows["meta"].to_pydict()
        kept = dict(zip(copied["key"], copied["value"], strict=True)).get("revision", 0)
        postgres.set_revision(con, max(old, int(kept)) + 1)
        con.execute("INSERT INTO meta VALUES ('copy', %s) ON CONFLICT (key) DO UPDATE SET "
                    "value = excluded.value", [secrets.token_hex(8)])
        con.commit()


def _compare(source: Tables, copied: Tables, target: str) -> None:
    """Raise unless every table of the copy holds exactly the source's rows."""
    con = duckdb.connect(":memory:")
    try:
        for table, rows in source.items():
            con.register("_a", rows)
            con.register("_b", copied[table].select(rows.column_names))
            missing, extra = con.execute(
                "SELECT (SELECT count(*) FROM (SELECT * FROM _a EXCEPT ALL SELECT * FROM _b)),"
                " (SELECT count(*) FROM (SELECT * FROM _b EXCEPT ALL SELECT * FROM _a))"
            ).fetchall()[0]
            if missing or extra:
                raise EvaluationError(
                    _("The copy in {target} differs from the source in table {table} ({missing} "
                      "rows missing, {extra} not in the source), so it is not kept.").format(
                        target=target, table=table, missing=missing, extra=extra),
                    _("Copy failed"))
            con.unregister("_a")
            con.unregister("_b")
    finally:
        con.close()
