"""The store in PostgreSQL, behind the same interface as the DuckDB file.

The product's logic is DuckDB SQL, written once. Each process keeps a mirror of the
PostgreSQL store: an in-memory DuckDB database holding every table, tagged with the
store's revision (a counter in `meta` that every write raises in its own transaction).
Reading checks the revision with one query and reloads the mirror when another server
or the command line wrote; then the same reads, the method and the views run on it.

A write is one PostgreSQL transaction. It first takes a transaction-level advisory lock:
writers queue (for at most the store's lock timeout) instead of failing, as serialisable
isolation would make them, after their work, on the rows they read. Under the lock the
mirror is brought up to date, the writer's statements run on it inside a DuckDB
transaction, and what they changed goes to PostgreSQL: new uploads and their rows by
COPY, the versions they closed (`valid_to`) and the uploads they marked undone by
UPDATE, the survey's waiting submissions as they now stand. Versioned rows are only
ever added or closed, so "changed" is exactly the rows from uploads above the old
latest, and the rows those uploads closed. Then PostgreSQL commits, then the mirror.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.errors import LEAVE_READ_ONLY, UPDATE_STORE, EvaluationError, PermissionDenied
from evaluation.store import postgres
from evaluation.store.engine import migrate_to, next_entity_id, stale_message
from evaluation.store.schema import ENTITIES, SCHEMA_VERSION, store_tables
from evaluation.words import _

_SMALL = {"uploads": ("upload_id",), "submissions": ("submission_id",),
          "submitted_answers": ("submission_id", "item"), "meta": ("key",)}
_mirrors: dict[str, tuple[int, duckdb.DuckDBPyConnection]] = {}
_polled: dict[str, tuple[float, int]] = {}  # when this process last asked, and the answer
_mirror_lock = threading.Lock()
_refresh_lock = threading.Lock()  # one mirror refresh at a time in this process


class PostgresStore:
    """A store in a PostgreSQL database, given as postgresql://user@host:port/dbname."""

    server = True  # a database server: no file, no folder of its own
    poll_seconds = 0.5  # how long a revision read from the database is taken as current

    def __init__(self, url: str, *, read_only: bool = False, lock_timeout: float = 30.0,
                 password: str | None = None) -> None:
        self.url = re.sub(r"^(\w+):/(?!/)", r"\1://", str(url))  # as Path() wrote it
        self.path = postgres.shown(self.url)  # what messages name (never the password)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.password = password  # from the app's secrets; else the URL or libpq finds it
        self._write_lock = threading.RLock()

    def __repr__(self) -> str:
        return f"PostgresStore({self.path!r})"

    def _pg(self) -> AbstractContextManager:
        """A connection from this process's pool."""
        return postgres.connect(self.url, pooled=True, password=self.password)

    def exists(self) -> bool:
        with self._pg() as pg:
            return postgres.recorded_version(pg) > 0

    def require_existing(self) -> None:
        if not self.exists():
            raise EvaluationError(_("There is no store in the PostgreSQL database "
                                    "{url}.").format(url=self.path), _("No store"))

    def require_writable(self) -> None:
        if self.read_only:
            raise PermissionDenied(
                _("This program runs in read-only mode, so the store {path} cannot be "
                  "changed or created here.").format(path=self.path),
                _("Read-only"), fix=LEAVE_READ_ONLY)

    def require_undamaged(self) -> None:
        """PostgreSQL guards its own pages; there is no damage marker to honour."""

    def fingerprint(self) -> tuple:
        """Changes with every write, from any server: the content version itself (a
        database has no file to look at first)."""
        return self.content_version()

    def content_version(self) -> tuple:
        """The store and its revision: changes with every write, from any server."""
        return (self.path, self._revision_seen())

    def schema_version(self) -> int:
        """The schema version, after creating or updating the schema (as the file does)."""
        self._current_mirror()
        with self._pg() as pg:
            return postgres.recorded_version(pg)

    @contextmanager
    def first_use(self) -> Iterator[bool]:
        """Whether the store is still to be made (no store or no upload yet), held so that
        app servers starting at the same moment fill it once: the others wait here, then
        find it made. The caller fills it through `transaction` (its own connection)."""
        with self._pg() as pg:
            pg.autocommit = True
            pg.execute("SELECT pg_advisory_lock(%s)", [postgres.FIRST_USE])
            try:
                empty = (postgres.recorded_version(pg) == 0 or not pg.execute(
                    "SELECT count(*) FROM uploads").fetchone()[0])
                yield empty
            finally:
                pg.execute("SELECT pg_advisory_unlock(%s)", [postgres.FIRST_USE])

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to this process's up-to-date mirror (its own cursor: a DuckDB
        connection is not shared between threads)."""
        mirror = self._current_mirror()
        cursor = mirror.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write: in PostgreSQL under the advisory lock, mirrored in DuckDB."""
        self.require_writable()
        with self._write_lock, self._pg() as pg:
            postgres.lock_writers(pg, self.url, self.lock_timeout)
            self._prepare(pg)
            revision = postgres.revision(pg)
            mirror = self._mirror(pg, revision)
            cursor = mirror.cursor()
            before = {t: cursor.sql(f"SELECT * FROM {t}").to_arrow_table() for t in _SMALL}
            latest = cursor.execute("SELECT coalesce(max(upload_id), 0) FROM uploads"
                                    ).fetchall()[0][0]
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
                cursor.execute("SELECT 1").fetchall()  # ends a result the caller left open
                _send(cursor, pg, before, int(latest))
                postgres.set_revision(pg, revision + 1)
                cursor.execute("INSERT OR REPLACE INTO meta VALUES ('revision', ?)",
                               [str(revision + 1)])
                pg.commit()
            except BaseException:
                cursor.execute("ROLLBACK")
                cursor.close()
                raise
            cursor.execute("COMMIT")
            cursor.close()
            with _mirror_lock:
                _mirrors[self.url] = (revision + 1, mirror)
            _seen(self.url, revision + 1, time.monotonic())

    def _prepare(self, pg: object) -> None:
        """Create or update the schema (under the writers' lock, inside the transaction)."""
        if postgres.recorded_version(pg) != SCHEMA_VERSION:
            postgres.migrate(pg, self.url)

    def _revision_seen(self) -> int:
        """The store's revision, asked at most every `poll_seconds` (a page run asks
        several times; another server's write is seen within that time)."""
        now = time.monotonic()
        with _mirror_lock:
            polled = _polled.get(self.url)
        if polled is not None and now - polled[0] < self.poll_seconds:
            return polled[1]
        with self._pg() as pg:
            revision = postgres.revision(pg)
        _seen(self.url, revision, now)
        return revision

    def _current_mirror(self) -> duckdb.DuckDBPyConnection:
        revision = self._revision_seen()
        with _mirror_lock:
            known = _mirrors.get(self.url)
        if known is not None and known[0] == revision:
            return known[1]
        with self._pg() as pg:
            version = postgres.recorded_version(pg)
            if version < SCHEMA_VERSION:
                if self.read_only:
                    self.require_existing()  # none at all
                    raise EvaluationError(stale_message(self.path, version),
                                          _("Store needs updating"), fix=UPDATE_STORE)
                pg.rollback()
                self._setup(pg)
            elif version > SCHEMA_VERSION:
                postgres.migrate(pg, self.url)  # raises: a newer store
            pg.commit()
            pg.isolation_level = _repeatable()
            return self._mirror(pg, postgres.revision(pg))

    def _setup(self, pg: object) -> None:
        postgres.lock_writers(pg, self.url, self.lock_timeout)
        self._prepare(pg)
        pg.commit()

    def _mirror(self, pg: object, revision: int) -> duckdb.DuckDBPyConnection:
        """This process's mirror at `revision`: brought up to date in place with what the
        uploads since its own latest added and closed, or loaded whole when it is not
        the same store any more (a restore) or there is none yet. One refresh at a time."""
        with _refresh_lock:
            with _mirror_lock:
                known = _mirrors.get(self.url)
            if known is not None and known[0] == revision:
                return known[1]
            mirror = known[1] if known is not None else None
            if mirror is None or _copy_mark(mirror) != postgres.copy_mark(pg):
                mirror = _load(pg)
            else:
                _refresh(mirror, pg)
            with _mirror_lock:
                _mirrors[self.url] = (revision, mirror)
            _seen(self.url, revision, time.monotonic())
            return mirror


def _load(pg: object) -> duckdb.DuckDBPyConnection:
    """A new mirror holding every table of the store."""
    schemas = postgres.arrow_schemas()
    mirror = duckdb.connect(":memory:")
    migrate_to(mirror, SCHEMA_VERSION)
    mirror.execute("BEGIN TRANSACTION")
    for table in store_tables():
        mirror.execute(f"DELETE FROM {table}")
        _insert(mirror, table, postgres.read_table(pg, table, schemas[table]))
    mirror.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {postgres.next_entity_id(pg)}")
    mirror.execute("COMMIT")
    return mirror


def _refresh(mirror: duckdb.DuckDBPyConnection, pg: object) -> None:
    """The uploads written since the mirror's latest, in one DuckDB transaction: versioned
    rows are only added (valid_from above it) or closed (valid_to above it); the small
    tables are read whole. On any failure the mirror stays as it was."""
    schemas = postgres.arrow_schemas()
    latest = int(mirror.execute("SELECT coalesce(max(upload_id), 0) FROM uploads"
                                ).fetchall()[0][0])
    mirror.execute("BEGIN TRANSACTION")
    try:
        for table in _SMALL:
            mirror.execute(f"DELETE FROM {table}")
            _insert(mirror, table, postgres.read_table(pg, table, schemas[table]))
        _insert(mirror, "upload_files", postgres.read_table(
            pg, "upload_files", schemas["upload_files"], where=f"upload_id > {latest}"))
        for entity in ENTITIES.values():
            closed = postgres.read_table(
                pg, entity.table, schemas[entity.table],
                where=f"valid_from <= {latest} AND valid_to > {latest}")
            if closed.num_rows:
                mirror.register("_closed", closed)
                match = " AND ".join(f"t.{k} = c.{k}" for k in (*entity.key, "valid_from"))
                mirror.execute(f"UPDATE {entity.table} t SET valid_to = c.valid_to FROM _closed "
                               f"c WHERE t.valid_to IS NULL AND {match}")
                mirror.unregister("_closed")
            _insert(mirror, entity.table, postgres.read_table(
                pg, entity.table, schemas[entity.table], where=f"valid_from > {latest}"))
        mirror.execute("CREATE OR REPLACE SEQUENCE entity_seq START "
                       f"{postgres.next_entity_id(pg)}")
        mirror.execute("COMMIT")
    except BaseException:
        mirror.execute("ROLLBACK")
        raise


def _insert(mirror: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    if rows.num_rows:
        mirror.register("_rows", rows)
        mirror.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
        mirror.unregister("_rows")


def _copy_mark(mirror: duckdb.DuckDBPyConnection) -> str | None:
    found = mirror.execute("SELECT value FROM meta WHERE key = 'copy'").fetchall()
    return found[0][0] if found else None


def forget(url: str) -> None:
    """Drop this process's mirror of the store at `url` (a database that is gone)."""
    with _mirror_lock:
        _mirrors.pop(url, None)
        _polled.pop(url, None)


def _seen(url: str, revision: int, when: float) -> None:
    with _mirror_lock:
        _polled[url] = (when, revision)


def _repeatable() -> object:
    import psycopg

    return psycopg.IsolationLevel.REPEATABLE_READ


def _send(cursor: duckdb.DuckDBPyConnection, pg: object, before: dict[str, pa.Table],
          latest: int) -> None:
    """What the transaction on the mirror changed, written to PostgreSQL."""
    schemas = postgres.arrow_schemas()
    for table, key in _SMALL.items():
        if table == "uploads":
            continue
        _replace_changed(cursor, pg, table, key, before[table])
    _replace_changed(cursor, pg, "uploads", _SMALL["uploads"], before["uploads"])
    postgres.write_table(pg, "upload_files", cursor.sql(
        f"SELECT * FROM upload_files WHERE upload_id > {latest}").to_arrow_table())
    for entity in ENTITIES.values():
        closed = cursor.sql(f"SELECT {', '.join(entity.key)}, valid_from, valid_to FROM "
                            f"{entity.table} WHERE valid_from <= {latest} AND valid_to > "
                            f"{latest}").to_arrow_table()
        if closed.num_rows:
            pg.execute(f"CREATE TEMP TABLE _closed AS SELECT {', '.join(entity.key)}, "
                       f"valid_from, valid_to FROM {entity.table} WITH NO DATA")
            postgres.write_table(pg, "_closed", closed)
            match = " AND ".join(f"t.{k} = c.{k}" for k in (*entity.key, "valid_from"))
            pg.execute(f"UPDATE {entity.table} t SET valid_to = c.valid_to FROM _closed c "
                       f"WHERE t.valid_to IS NULL AND {match}")
            pg.execute("DROP TABLE _closed")
        added = cursor.sql(f"SELECT * FROM {entity.table} WHERE valid_from > {latest}"
                           ).to_arrow_table()
        postgres.write_table(pg, entity.table, added.select(schemas[entity.table].names))
    postgres.set_entity_sequence(pg, next_entity_id(cursor))


def _replace_changed(cursor: duckdb.DuckDBPyConnection, pg: object, table: str,
                     key: tuple[str, ...], before: pa.Table) -> None:
    """A small table's rows that the transaction added, changed or removed, replaced in
    PostgreSQL by key."""
    cursor.register("_before", before)
    gone = cursor.sql(f"SELECT {', '.join(key)} FROM (SELECT * FROM _before EXCEPT "
                      f"SELECT * FROM {table})").to_arrow_table()
    new = cursor.sql(f"SELECT * FROM {table} EXCEPT SELECT * FROM _before").to_arrow_table()
    cursor.unregister("_before")
    if gone.num_rows:
        pg.execute(f"CREATE TEMP TABLE _gone AS SELECT {', '.join(key)} FROM {table} "
                   "WITH NO DATA")
        postgres.write_table(pg, "_gone", gone)
        match = " AND ".join(f"t.{k} = g.{k}" for k in key)
        pg.execute(f"DELETE FROM {table} t USING _gone g WHERE {match}")
        pg.execute("DROP TABLE _gone")
    if table == "meta":
        new = new.filter(pc.not_equal(new["key"], "revision"))
    postgres.write_table(pg, table, new)
