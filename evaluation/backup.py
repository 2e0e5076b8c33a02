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
import zlib
from contextlib import suppress
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb

from evaluation.errors import EvaluationError, StoreBusyError
from evaluation.schema import ENTITIES, SCHEMA_VERSION
from evaluation.store import Store, migrate_to, now_utc

MANIFEST = "manifest.json"
MADE_BY = "Give a backup ZIP written by `python -m evaluation backup`; nothing was changed."


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: enough to check a restore against."""

    schema_version: int
    uploads: int
    latest_upload: int | None
    rows: dict[str, int]
    created_at: str

    def summary(self) -> str:
        """'12 uploads, 1,204 rows (latest upload 12)': what backup and restore report."""
        return (f"{self.uploads} uploads, {sum(self.rows.values()):,} rows "
                f"(latest upload {self.latest_upload})")


def backup(store: Store, out: Path) -> BackupInfo:
    """Write a consistent backup of `store` to the ZIP file `out`."""
    if not store.exists():
        raise EvaluationError(f"There is no store at {store.path} to back up.", "No store")
    if out.is_dir():
        raise EvaluationError(f"{out} is a folder; give the backup a file name, for example "
                              f"{out / 'evaluation-backup.zip'}.", "Cannot write the backup")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise EvaluationError(f"Cannot write the backup to {out}: {blocker} is a file, not a "
                              "folder.", "Cannot write the backup")
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
    store.require_writable()
    if not source.is_file():
        what = "is a folder, not a file" if source.is_dir() else "does not exist"
        raise EvaluationError(f"The backup {source} {what}. {MADE_BY}", "No backup")
    if store.exists() and not force and _has_uploads(store):
        raise EvaluationError(
            f"The store {store.path} already holds data. Restore into another path "
            "(--db), or pass --force to replace it (take a backup of it first).",
            "Store not empty")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "db"
        info = _unzip(source, folder)
        if info.schema_version > SCHEMA_VERSION:
            raise EvaluationError(f"{source} was made by a newer version of this program "
                                  f"(schema {info.schema_version}); update this program to "
                                  "restore it. Nothing was changed.", "Backup too new")
        _restore_checked(source, folder, info, store)
    return info


def _restore_checked(source: Path, folder: Path, info: BackupInfo, store: Store) -> None:
    """Build the store next to its final place (so moving it in is one rename), check it
    against the manifest, then move it in."""
    try:
        store.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvaluationError(f"Cannot create the folder for the store {store.path}: "
                              f"{e.strerror}. Choose another place with --db.",
                              "Cannot restore") from e
    with tempfile.TemporaryDirectory(dir=store.path.parent) as tmp:
        built = Path(tmp) / "restored.duckdb"
        got = _build(source, folder, built, info.schema_version)
        if got.rows != info.rows or got.uploads != info.uploads:
            raise EvaluationError(f"{source} did not restore completely ({got.rows} rows, "
                                  f"expected {info.rows}); nothing was changed.",
                                  "Restore failed")
        _put_in_place(built, store)


def _build(source: Path, folder: Path, built: Path, version: int) -> BackupInfo:
    """The restored store in the new file `built`; what it holds, to check."""
    try:
        con = duckdb.connect(str(built))
        try:
            _load(con, source, folder, version)
            return _describe(con)
        finally:
            con.close()
    except duckdb.Error as e:
        raise EvaluationError(f"{source} could not be restored ({str(e).splitlines()[0]}); "
                              f"the backup is damaged or incomplete. {MADE_BY}",
                              "Restore failed") from e


def _load(con: duckdb.DuckDBPyConnection, source: Path, folder: Path, version: int) -> None:
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
            raise EvaluationError(f"{source} has no {table} table. {MADE_BY}",
                                  "Backup incomplete")
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [str(path)])
    ids = con.execute("SELECT greatest(coalesce((SELECT max(partnership_id) FROM partnerships), "
                      "0), coalesce((SELECT max(indicator_id) FROM indicators), 0))").fetchone()
    con.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {int(ids[0]) + 1}")
    recorded = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if recorded is None or recorded[0] != str(version):
        raise EvaluationError(f"{source}: its meta table does not record schema {version}, "
                              f"as its manifest does. {MADE_BY}", "Backup inconsistent")
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
    with store._write_lock:
        if store.exists():
            try:
                with store.connect() as con:
                    con.execute("CHECKPOINT")  # folds the old WAL in; waits for other writers
            except StoreBusyError:
                raise
            except EvaluationError:
                pass  # a damaged store is what `restore --force` is there to replace
        try:
            os.replace(built, store.path)
            Path(f"{store.path}.wal").unlink(missing_ok=True)
        except OSError as e:
            raise EvaluationError(f"Cannot put the restored store in place at {store.path}: "
                                  f"{e.strerror}. Choose another place with --db.",
                                  "Cannot restore") from e


def _zip(folder: Path, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.iterdir()):
                z.write(path, path.name)
        os.replace(partial, out)
    except OSError as e:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise EvaluationError(f"Cannot write the backup to {out}: {e.strerror or e}. Give "
                              "--out a file in a folder you can write to.",
                              "Cannot write the backup") from e


def _unzip(source: Path, folder: Path) -> BackupInfo:
    try:
        with zipfile.ZipFile(source) as z:
            names = z.namelist()
            if MANIFEST not in names or any("/" in n or n.startswith(".") for n in names):
                raise EvaluationError(f"{source} is not a backup made by this program. "
                                      f"{MADE_BY}", "Not a backup")
            z.extractall(folder)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError, zlib.error) as e:
        raise EvaluationError(f"{source} cannot be read as a backup ({e}). {MADE_BY}",
                              "Not a backup") from e
    return _read_manifest(source, folder / MANIFEST)


def _read_manifest(source: Path, path: Path) -> BackupInfo:
    """The manifest, checked field by field: a damaged one is a clear error, not a crash."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _bad_manifest(source, f"it is not JSON ({e})") from e
    if not isinstance(data, dict):
        raise _bad_manifest(source, "it is not a JSON object")
    missing = [f.name for f in fields(BackupInfo) if f.name not in data]
    if missing:
        raise _bad_manifest(source, f"it lacks {', '.join(missing)}")
    wrong = _wrong_manifest_field(data)
    if wrong:
        raise _bad_manifest(source, wrong)
    return BackupInfo(**{f.name: data[f.name] for f in fields(BackupInfo)})


def _wrong_manifest_field(data: dict) -> str | None:
    def count(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    checks = {
        "schema_version": count(data["schema_version"]) and data["schema_version"] >= 1,
        "uploads": count(data["uploads"]),
        "latest_upload": data["latest_upload"] is None or count(data["latest_upload"]),
        "rows": isinstance(data["rows"], dict) and all(
            isinstance(k, str) and count(v) for k, v in data["rows"].items()),
        "created_at": isinstance(data["created_at"], str),
    }
    bad = [name for name, ok in checks.items() if not ok]
    return (f"{bad[0]} is {json.dumps(data[bad[0]])[:60]}, which no backup records"
            if bad else None)


def _bad_manifest(source: Path, what: str) -> EvaluationError:
    return EvaluationError(f"{source} has a damaged manifest.json: {what}. {MADE_BY}",
                           "Not a backup")


def _sql_path(path: Path) -> str:
    """A path inside a SQL string literal (paths come from the program, never from data)."""
    return str(path).replace("'", "''")
