"""A store in PostgreSQL: schema.py's tables in PostgreSQL's words, and whole tables moved
in and out with COPY.

The same declarations and the same migrations by recorded version as the DuckDB file
(`meta.schema_version`); a database written by a newer program, or one that holds
another program's tables, is refused and left untouched. Rows travel as CSV through
COPY (Arrow tables on this side), never row by row. Reading takes one repeatable-read
transaction, so every table comes from the same moment while others write.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from evaluation.errors import CHOOSE_STORE, EvaluationError, StoreBusyError
from evaluation.store.engine import migrate_to
from evaluation.store.schema import MIGRATIONS, SCHEMA_VERSION, store_tables
from evaluation.words import _

SCHEMES = ("postgresql", "postgres")
WRITERS = 0x65766131  # the advisory lock every writer of a store takes ("eva1")
FIRST_USE = 0x65766132  # held while the first app server fills a new store ("eva2")
CHUNK = 8 << 20  # bytes of CSV sent per COPY write
CONNECT_TIMEOUT = 10  # seconds to reach the server
POOL_SIZE = 8  # connections one process keeps at most (reads take one for milliseconds)
_pools: dict[str, object] = {}
_pools_lock = threading.Lock()
# DuckDB's names for types PostgreSQL spells otherwise.
_TYPES = ((re.compile(r"\bDOUBLE\b"), "DOUBLE PRECISION"),)


def is_postgres(location: object) -> bool:
    """Whether a store location is a PostgreSQL URL (postgresql://user@host:port/dbname)."""
    return str(location).split("://", 1)[0].lower() in SCHEMES and "://" in str(location)


def shown(url: str) -> str:
    """The URL as printed in messages: never with its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


@contextmanager
def connect(url: str, *, pooled: bool = False, password: str | None = None
            ) -> Iterator[object]:
    """A psycopg connection to the database (password from the URL, PGPASSWORD or
    ~/.pgpass, as libpq finds it, or `password`: the app's secrets); a clear error when
    the server cannot be reached.

    `pooled` takes it from this process's pool for the URL (what the store does for
    every read and write) instead of connecting anew. Either way an unfinished
    transaction is rolled back when the block ends: the caller commits.
    """
    import psycopg

    try:
        if pooled:
            with _pool(url, password).connection(timeout=CONNECT_TIMEOUT) as con:
                with _translated(url):
                    yield con
                con.rollback()
            return
        con = psycopg.connect(url, **_options(password))
    except psycopg.OperationalError as e:
        raise _unreachable(url, e) from e
    try:
        with _translated(url):
            yield con
    finally:
        con.close()


@contextmanager
def _translated(url: str) -> Iterator[None]:
    import psycopg

    try:
        yield
    except psycopg.Error as e:
        raise EvaluationError(
            _("The PostgreSQL store {url} reported an error: {detail}").format(
                url=shown(url), detail=_first_line(e)), _("Store error")) from e


def _unreachable(url: str, error: Exception) -> EvaluationError:
    return EvaluationError(
        _("Cannot connect to the PostgreSQL store {url}: {detail}. Check the address, the "
          "user and the password (in the URL, PGPASSWORD or ~/.pgpass), and that the "
          "server runs.").format(url=shown(url), detail=_first_line(error)),
        _("Store error"), fix=CHOOSE_STORE)


def _options(password: str | None) -> dict[str, object]:
    options: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT,
                                  "application_name": "evaluation"}
    if password:
        options["password"] = password
    return options


def _pool(url: str, password: str | None = None) -> object:
    """This process's connection pool for `url`, opened on first use (it fails at once,
    with the server's reason, when the server cannot be reached)."""
    with _pools_lock:
        pool = _pools.get(url)
        if pool is not None:
            return pool
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            url, min_size=1, max_size=POOL_SIZE, open=False, name="evaluation",
            kwargs=_options(password),
            check=ConnectionPool.check_connection, reset=_reset)
        try:
            import psycopg

            psycopg.connect(url, **_options(password)).close()  # the reason, now
        except psycopg.OperationalError as e:
            raise _unreachable(url, e) from e
        pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        _pools[url] = pool
        return pool


def close_pools(url: str | None = None) -> None:
    """Close this process's pool for `url` (every pool: None), as when a database goes."""
    with _pools_lock:
        for known in [u for u in _pools if url is None or u == url]:
            _pools.pop(known).close()


def _reset(con: object) -> None:
    """A connection back in the pool as a new one would be."""
    con.autocommit = False
    con.isolation_level = None
    con.read_only = None


def recorded_version(con: object) -> int:
    """The schema version the database records (0: none; a new, empty database)."""
    row = con.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(found[0]) if found else 0


def lock_writers(con: object, url: str, timeout: float) -> None:
    """Wait (at most `timeout` seconds) until no other writer holds the store, then hold it
    until the caller's transaction ends."""
    import psycopg

    con.execute(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'")
    try:
        con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS])
    except psycopg.errors.LockNotAvailable as e:
        con.rollback()
        raise StoreBusyError(
            _("The store {path} is being written by another program and stayed busy for "
              "{timeout:.0f} s. Wait for that import, undo or report to finish and try "
              "again.").format(path=shown(url), timeout=timeout), _("Store busy")) from e


def revision(con: object) -> int:
    """The store's revision: raised by every write, so a changed store is seen at once."""
    if con.execute("SELECT to_regclass('meta') IS NULL").fetchone()[0]:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def copy_mark(con: object) -> str | None:
    """The mark a copy or a restore leaves in `meta`: another mark, another store."""
    row = con.execute("SELECT value FROM meta WHERE key = 'copy'").fetchone()
    return row[0] if row else None


def set_revision(con: object, value: int) -> None:
    con.execute("INSERT INTO meta VALUES ('revision', %s) ON CONFLICT (key) DO UPDATE SET "
                "value = excluded.value", [str(value)])


def drop_store(con: object, url: str) -> None:
    """Remove the store's tables (inside the caller's transaction), to be replaced whole;
    another program's tables are refused and left alone."""
    version = recorded_version(con)
    if version > SCHEMA_VERSION or (version == 0 and holds_tables(con)):
        migrate(con, url)  # raises: a newer store, or not a store
    for table in store_tables(version):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP SEQUENCE IF EXISTS upload_seq")
    con.execute("DROP SEQUENCE IF EXISTS entity_seq")


def holds_tables(con: object) -> bool:
    """Whether the database's current schema holds any table (ours or another's)."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = current_schema()").fetchone()[0])


def migrate(con: object, url: str, target: int = SCHEMA_VERSION) -> None:
    """Bring the database up to `target` inside the caller's transaction; refuse a newer
    store or another program's tables."""
    version = recorded_version(con)
    if version > SCHEMA_VERSION:
        raise EvaluationError(
            _("The store {path} was written by a newer version of this program (schema "
              "{version}; this program knows up to {known}). Update the program, or use "
              "another store.").format(path=shown(url), version=version, known=SCHEMA_VERSION),
            _("Store is newer than this program"), fix=CHOOSE_STORE)
    if version == 0 and holds_tables(con):
        raise EvaluationError(
            _("The PostgreSQL database {url} holds tables of another program, so it is left "
              "untouched. Use an empty database for the store.").format(url=shown(url)),
            _("Not a store"), fix=CHOOSE_STORE)
    for step in range(version, target):
        for statement in _statements(MIGRATIONS[step]):
            con.execute(statement)
    if version < target:
        con.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value", [str(target)])


@functools.cache
def arrow_schemas(version: int = SCHEMA_VERSION) -> dict[str, pa.Schema]:
    """Each table's columns and their Arrow types, from the DuckDB declaration itself
    (built once per process: callers only read it)."""
    con = duckdb.connect(":memory:")
    try:
        migrate_to(con, version)
        return {t: con.sql(f"SELECT * FROM {t} LIMIT 0").to_arrow_table().schema
                for t in store_tables(version)}
    finally:
        con.close()


def read_table(con: object, table: str, schema: pa.Schema, where: str = "") -> pa.Table:
    """A whole table (or its rows matching `where`, SQL written by this program) through
    COPY ... TO STDOUT, typed as declared."""
    columns = ", ".join(schema.names)
    out = io.BytesIO()
    condition = f" WHERE {where}" if where else ""
    with con.cursor().copy(f"COPY (SELECT {columns} FROM {table}{condition}) TO STDOUT "
                           "(FORMAT csv)") as cp:
        for block in cp:
            out.write(block)
    if not out.tell():
        return schema.empty_table()
    out.seek(0)
    return pa_csv.read_csv(
        out, read_options=pa_csv.ReadOptions(column_names=schema.names),
        convert_options=pa_csv.ConvertOptions(
            column_types=schema, null_values=[""], strings_can_be_null=True,
            quoted_strings_can_be_null=False, true_values=["t"], false_values=["f"]))


def write_table(con: object, table: str, rows: pa.Table) -> None:
    """Append `rows` to `table` through COPY ... FROM STDIN (CSV: NULL unquoted, an empty
    text quoted)."""
    if not rows.num_rows:
        return
    data = io.BytesIO()
    pa_csv.write_csv(rows, data, pa_csv.WriteOptions(include_header=False,
                                                     quoting_style="needed"))
    view = data.getbuffer()
    columns = ", ".join(rows.column_names)
    with con.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as cp:
        for start in range(0, len(view), CHUNK):
            cp.write(view[start:start + CHUNK])
    del view


_NEXT_ID = "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM entity_seq"


def next_entity_id(con: object) -> int:
    """The id the next new partnership or indicator of the database receives."""
    return int(con.execute(_NEXT_ID).fetchone()[0])


def set_entity_sequence(con: object, next_id: int) -> None:
    """The next id an imported partnership or indicator receives (never one given out)."""
    con.execute(f"SELECT setval('entity_seq', greatest(%s, ({_NEXT_ID})), false)",
                [int(next_id)])


def _statements(sql: str) -> list[str]:
    """A migration's statements in PostgreSQL's words (comments dropped)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    for pattern, word in _TYPES:
        text = pattern.sub(word, text)
    return [s.strip() for s in text.split(";") if s.strip()]


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
