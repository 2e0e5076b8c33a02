"""A store in PostgreSQL: schema.py's tables in PostgreSQL's words, and whole tables moved
in and out with COPY.

The same declarations and the same migrations by recorded version as the DuckDB file
(`meta.schema_version`); a database written by a newer program, or one that holds
another program's tables, is refused and left untouched. Rows travel as CSV through
COPY (Arrow tables on this side), never row by row. Reading takes one repeatable-read
transaction, so every table comes from the same moment while others write.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from evaluation.errors import CHOOSE_STORE, EvaluationError
from evaluation.store.connection import migrate_to
from evaluation.store.schema import ENTITIES, MIGRATIONS, PLAIN_TABLES, SCHEMA_VERSION
from evaluation.words import _

SCHEMES = ("postgresql", "postgres")
CHUNK = 8 << 20  # bytes of CSV sent per COPY write
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


def tables(version: int = SCHEMA_VERSION) -> list[str]:
    """Every table of a store at `version`, in the order a copy writes them."""
    return ["meta", "uploads", "upload_files",
            *(e.table for e in ENTITIES.values() if e.since <= version),
            *(t for t, since in PLAIN_TABLES.items() if since <= version)]


@contextmanager
def connect(url: str) -> Iterator[object]:
    """A psycopg connection to the database (password from the URL, PGPASSWORD or
    ~/.pgpass, as libpq finds it); a clear error when the server cannot be reached."""
    import psycopg

    try:
        con = psycopg.connect(url, connect_timeout=10, application_name="evaluation")
    except psycopg.Error as e:
        raise EvaluationError(
            _("Cannot connect to the PostgreSQL store {url}: {detail}. Check the address, the "
              "user and the password (in the URL, PGPASSWORD or ~/.pgpass), and that the "
              "server runs.").format(url=shown(url), detail=_first_line(e)),
            _("Store error"), fix=CHOOSE_STORE) from e
    try:
        yield con
    except psycopg.Error as e:
        con.rollback()
        raise EvaluationError(
            _("The PostgreSQL store {url} reported an error: {detail}").format(
                url=shown(url), detail=_first_line(e)), _("Store error")) from e
    finally:
        con.close()


def recorded_version(con: object) -> int:
    """The schema version the database records (0: none; a new, empty database)."""
    row = con.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(found[0]) if found else 0


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


def arrow_schemas(version: int = SCHEMA_VERSION) -> dict[str, pa.Schema]:
    """Each table's columns and their Arrow types, from the DuckDB declaration itself."""
    con = duckdb.connect(":memory:")
    try:
        migrate_to(con, version)
        return {t: con.sql(f"SELECT * FROM {t} LIMIT 0").to_arrow_table().schema
                for t in tables(version)}
    finally:
        con.close()


def read_table(con: object, table: str, schema: pa.Schema) -> pa.Table:
    """A whole table through COPY ... TO STDOUT, typed as declared."""
    columns = ", ".join(schema.names)
    out = io.BytesIO()
    with con.cursor().copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT csv)") as cp:
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


def set_entity_sequence(con: object, next_id: int) -> None:
    """The next id an imported partnership or indicator receives."""
    con.execute("SELECT setval('entity_seq', %s, false)", [int(next_id)])


def _statements(sql: str) -> list[str]:
    """A migration's statements in PostgreSQL's words (comments dropped)."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    for pattern, word in _TYPES:
        text = pattern.sub(word, text)
    return [s.strip() for s in text.split(";") if s.strip()]


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
