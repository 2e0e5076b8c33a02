"""Backup and restore: a store as one portable ZIP file, and back.

A backup is DuckDB's `EXPORT DATABASE` (Parquet files plus the schema) with a
manifest, taken in one transaction, so it is consistent even while the app
runs, and readable by other DuckDB versions (a DuckDB 2.0 store file is not).
A restore builds the store in a new file from this program's own schema and the
backup's rows, checks it against the manifest and only then puts it in place:
a failed restore leaves the existing store alone.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from evaluation.errors import EvaluationError
from evaluation.schema import ENTITIES, SCHEMA_VERSION
from evaluation.store import Store, migrate_to, now_utc

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: enough to check a restore against."""

    schema_version: int
    uploads: int
    latest_upload: int | None
    rows: dict[str, int]
    created_at: str


def backup(store: Store, out: Path) -> BackupInfo:
    """Write a consistent backup of `store` to the ZIP file `out`."""
    if not store.exists():
        raise EvaluationError(f"There is no store at {store.path} to back up.", "No store")
    with tempfile.TemporaryDirectory() as tmp, store.connect() as con:
        con.execute("BEGIN TRANSACTION")
        info = _describe(con)
        con.execute(f"EXPORT DATABASE '{_sql_path(Path(tmp) / 'db')}' (FORMAT parquet)")
        con.execute("ROLLBACK")
        (Path(tmp) / "db" / MANIFEST).write_text(json.dumps(info.__dict__, indent=1))
        _zip(Path(tmp) / "db", out)
    return info


def restore(source: Path, store: Store, *, force: bool = False) -> BackupInfo:
    """Replace (or create) `store` with the backup in `source`; the old store stays
    untouched unless the restored copy checks out."""
    if store.exists() and not force and _has_uploads(store):
        raise EvaluationError(
            f"The store {store.path} already holds data. Restore into another path "
            "(--db), or pass --force to replace it (take a backup of it first).",
            "Store not empty")
    with tempfile.TemporaryDirectory(dir=store.path.parent if store.path.parent.exists()
                                     else None) as tmp:
        folder = Path(tmp) / "db"
        info = _unzip(source, folder)
        if info.schema_version > SCHEMA_VERSION:
            raise EvaluationError(f"{source} was made by a newer version of this program "
                                  f"(schema {info.schema_version}).", "Backup too new")
        built = Path(tmp) / "restored.duckdb"
        con = duckdb.connect(str(built))
        try:
            _load(con, folder, info.schema_version)
            got = _describe(con)
        finally:
            con.close()
        if got.rows != info.rows or got.uploads != info.uploads:
            raise EvaluationError(f"{source} did not restore completely ({got.rows} rows, "
                                  f"expected {info.rows}); nothing was changed.",
                                  "Restore failed")
        _put_in_place(built, store)
    return info


def _load(con: duckdb.DuckDBPyConnection, folder: Path, version: int) -> None:
    """This program's own schema, then the backup's rows table by table.

    The SQL files EXPORT DATABASE writes into the backup are never run: a backup
    is data, and a crafted one must not be able to execute statements.
    """
    migrate_to(con, version)
    con.execute("BEGIN TRANSACTION")
    for table in ("meta", "uploads", "upload_files", *(e.table for e in ENTITIES.values()
                                                        if e.table != "settings" or version > 1)):
        path = folder / f"{table}.parquet"
        if not path.exists():
            raise EvaluationError(f"The backup has no {table} table; nothing was changed.",
                                  "Backup incomplete")
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [str(path)])
    ids = con.execute("SELECT greatest(coalesce((SELECT max(partnership_id) FROM partnerships), "
                      "0), coalesce((SELECT max(indicator_id) FROM indicators), 0))").fetchone()
    con.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {int(ids[0]) + 1}")
    con.execute("COMMIT")
    migrate_to(con, SCHEMA_VERSION)


def _describe(con: duckdb.DuckDBPyConnection) -> BackupInfo:
    version = int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                              ).fetchone()[0])
    rows = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("uploads", "upload_files", *ENTITIES)}
    latest = con.execute("SELECT max(upload_id) FROM uploads").fetchone()[0]
    return BackupInfo(version, rows["uploads"], latest, rows, now_utc().isoformat())


def _has_uploads(store: Store) -> bool:
    with store.connect() as con:
        return bool(con.execute("SELECT count(*) FROM uploads").fetchone()[0])


def _put_in_place(built: Path, store: Store) -> None:
    """Swap the checked copy in; no write-ahead log of the old file may survive it."""
    store.path.parent.mkdir(parents=True, exist_ok=True)
    with store._write_lock:
        if store.exists():
            with store.connect() as con:
                con.execute("CHECKPOINT")  # folds the old WAL in; waits for other writers
        os.replace(built, store.path)
        Path(f"{store.path}.wal").unlink(missing_ok=True)


def _zip(folder: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.iterdir()):
            z.write(path, path.name)
    os.replace(partial, out)


def _unzip(source: Path, folder: Path) -> BackupInfo:
    try:
        with zipfile.ZipFile(source) as z:
            names = z.namelist()
            if MANIFEST not in names or any("/" in n or n.startswith(".") for n in names):
                raise EvaluationError(f"{source} is not a backup made by this program.",
                                      "Not a backup")
            z.extractall(folder)
    except (zipfile.BadZipFile, OSError) as e:
        raise EvaluationError(f"{source} cannot be read as a backup: {e}.", "Not a backup") from e
    return BackupInfo(**json.loads((folder / MANIFEST).read_text()))


def _sql_path(path: Path) -> str:
    """A path inside a SQL string literal (paths come from the program, never from data)."""
    return str(path).replace("'", "''")
