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
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO

import duckdb

from evaluation.errors import EvaluationError, StoreBusyError
from evaluation.files import refuse_store_path, write_file
from evaluation.store.connection import Store, migrate_to, now_utc
from evaluation.store.schema import ENTITIES, SCHEMA_VERSION

MANIFEST = "manifest.json"
# What a restore unpacks at most: a crafted ZIP of 3 MB once unpacked to 2.9 GB.
MAX_TABLE_BYTES = 4 << 30
MAX_BACKUP_BYTES = 16 << 30
MAX_RATIO = 200  # Parquet is compressed already: real tables pack 1-10 times, not 1000
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
    refuse_store_path(out, store.path, "the backup")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise EvaluationError(f"Cannot write the backup to {out}: {blocker} is a file, not a "
                              "folder.", "Cannot write the backup")
    with tempfile.TemporaryDirectory() as tmp, store.connect() as con:
        con.execute("BEGIN TRANSACTION")
        info = _describe(con)
        con.execute(f"EXPORT DATABASE '{sql_literal(Path(tmp) / 'db')}' (FORMAT parquet)")
        con.execute("ROLLBACK")
        (Path(tmp) / "db" / MANIFEST).write_text(json.dumps(info.__dict__, indent=1))
        _zip(Path(tmp) / "db", out)
    return info


Check = Callable[[duckdb.DuckDBPyConnection], list[str]]


def restore(source: Path, store: Store, *, check: Check, force: bool = False) -> BackupInfo:
    """Replace (or create) `store` with the backup in `source`; the old store stays
    untouched unless the restored copy checks out.

    `check` lists what in the restored rows the program would never have accepted
    (the intake's `store_problems`: the store itself knows no import rules).
    """
    store.require_writable()
    if not source.is_file():
        what = "is a folder, not a file" if source.is_dir() else "does not exist"
        raise EvaluationError(f"The backup {source} {what}. {MADE_BY}", "No backup")
    if store.exists() and not force and _has_uploads(store):
        raise EvaluationError(
            f"The store {store.path} already holds data. Restore into another path "
            "(--db), or pass --force to replace it (take a backup of it first).",
            "Store not empty")
    _make_folder(store)
    try:
        with zipfile.ZipFile(source) as z:
            info = _open_backup(source, z)
            if info.schema_version > SCHEMA_VERSION:
                raise EvaluationError(f"{source} was made by a newer version of this program "
                                      f"(schema {info.schema_version}); update this program "
                                      "to restore it. Nothing was changed.", "Backup too new")
            # Built next to its final place, so moving it in is one rename.
            with tempfile.TemporaryDirectory(dir=store.path.parent) as tmp:
                built = Path(tmp) / "restored.duckdb"
                _build(source, z, built, info, check)
                _put_in_place(built, store)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError,
            NotImplementedError, ValueError, zlib.error) as e:
        raise EvaluationError(f"{source} cannot be read as a backup ({e}). {MADE_BY}",
                              "Not a backup") from e
    except OSError as e:
        raise EvaluationError(f"{source} could not be restored: {e.strerror or e}. Nothing "
                              "was changed.", "Restore failed") from e
    return info


def _make_folder(store: Store) -> None:
    try:
        store.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvaluationError(f"Cannot create the folder for the store {store.path}: "
                              f"{e.strerror}. Choose another place for the store.",
                              "Cannot restore") from e


def _build(source: Path, z: zipfile.ZipFile, built: Path, info: BackupInfo,
           check: Check) -> None:
    """The restored store in the new file `built`, checked against the manifest and
    against the importer's rules."""
    try:
        con = duckdb.connect(str(built))
        try:
            _load(con, source, z, info.schema_version, built.parent)
            got = _describe(con)
            if got.rows != info.rows or got.uploads != info.uploads:
                raise EvaluationError(f"{source} did not restore completely ({got.rows} rows, "
                                      f"expected {info.rows}); nothing was changed.",
                                      "Restore failed")
            problems = check(con)
            if problems:
                raise EvaluationError(
                    f"{source} holds data this program would never have accepted, so it is "
                    f"not restored: {'; '.join(problems)}. Nothing was changed. {MADE_BY}",
                    "Backup refused")
        finally:
            con.close()
    except duckdb.Error as e:
        raise EvaluationError(f"{source} could not be restored ({str(e).splitlines()[0]}); "
                              f"the backup is damaged or incomplete. {MADE_BY}",
                              "Restore failed") from e


def _load(con: duckdb.DuckDBPyConnection, source: Path, z: zipfile.ZipFile, version: int,
          scratch: Path) -> None:
    """This program's own schema, then the backup's rows table by table.

    The SQL files EXPORT DATABASE writes into the backup are never run: a backup
    is data, and a crafted one must not be able to execute statements. Each
    table is taken out of the ZIP on its own, within its size limits, loaded and
    deleted again, so a restore never needs room for the whole backup unpacked.
    """
    migrate_to(con, version)
    con.execute("BEGIN TRANSACTION")
    for table in _tables(version):
        name = f"{table}.parquet"
        if name not in z.namelist():
            raise EvaluationError(f"{source} has no {table} table. {MADE_BY}",
                                  "Backup incomplete")
        path = scratch / name
        try:
            _extract(source, z, name, path)
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)",
                        [str(path)])
        finally:
            path.unlink(missing_ok=True)
    ids = con.execute("SELECT greatest(coalesce((SELECT max(partnership_id) FROM partnerships), "
                      "0), coalesce((SELECT max(indicator_id) FROM indicators), 0))").fetchone()
    con.execute(f"CREATE OR REPLACE SEQUENCE entity_seq START {int(ids[0]) + 1}")
    recorded = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if recorded is None or recorded[0] != str(version):
        raise EvaluationError(f"{source}: its meta table does not record schema {version}, "
                              f"as its manifest does. {MADE_BY}", "Backup inconsistent")
    con.execute("COMMIT")
    migrate_to(con, SCHEMA_VERSION)


def _tables(version: int) -> list[str]:
    return ["meta", "uploads", "upload_files",
            *(e.table for e in ENTITIES.values() if e.table != "settings" or version > 1)]


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
                with store.connect(write=True) as con:
                    con.execute("CHECKPOINT")  # folds the old WAL in; waits for other writers
            except StoreBusyError:
                raise
            except EvaluationError:
                pass  # a damaged store is what `restore --force` is there to replace
        try:
            os.replace(built, store.path)
            Path(f"{store.path}.wal").unlink(missing_ok=True)
            store.damage_marker.unlink(missing_ok=True)  # the damaged store is gone
        except OSError as e:
            raise EvaluationError(f"Cannot put the restored store in place at {store.path}: "
                                  f"{e.strerror}. Choose another place with --db.",
                                  "Cannot restore") from e


def _zip(folder: Path, out: Path) -> None:
    def fill(file: BinaryIO) -> None:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.iterdir()):
                z.write(path, path.name)

    write_file(out, fill, what="the backup")


def _open_backup(source: Path, z: zipfile.ZipFile) -> BackupInfo:
    """The manifest of a ZIP that looks like our backup, with every member's declared
    size within the limits; a clear error otherwise."""
    names = z.namelist()
    if MANIFEST not in names or any("/" in n or "\\" in n or n.startswith(".")
                                    for n in names):
        raise EvaluationError(f"{source} is not a backup made by this program. {MADE_BY}",
                              "Not a backup")
    total = 0
    for member in z.infolist():
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (member.file_size > MAX_TABLE_BYTES or total > MAX_BACKUP_BYTES
                or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO)):
            raise EvaluationError(
                f"{source} is not restored: {member.filename} would unpack to "
                f"{member.file_size / 1024 / 1024:,.0f} MB ({ratio:,.0f} times its packed "
                f"size). Backups of this program stay below {MAX_TABLE_BYTES >> 30} GB a "
                f"table and {MAX_RATIO} times packed. Nothing was changed. {MADE_BY}",
                "Backup refused")
    if z.getinfo(MANIFEST).file_size > 1024 * 1024:
        raise _bad_manifest(source, "it is larger than any manifest this program writes")
    return _read_manifest(source, z.read(MANIFEST))


def _extract(source: Path, z: zipfile.ZipFile, name: str, path: Path) -> None:
    """One member to `path`, counting what it really unpacks to against what it declared."""
    declared, written = z.getinfo(name).file_size, 0
    with z.open(name) as packed, open(path, "xb") as out:
        while chunk := packed.read(1024 * 1024):
            written += len(chunk)
            if written > declared:
                raise EvaluationError(f"{source}: {name} unpacks to more than it declares; "
                                      f"the backup is damaged or crafted. {MADE_BY}",
                                      "Backup refused")
            out.write(chunk)


def _read_manifest(source: Path, raw: bytes) -> BackupInfo:
    """The manifest, checked field by field: a damaged one is a clear error, not a crash."""
    try:
        data = json.loads(raw.decode("utf-8"))
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


def sql_literal(path: Path) -> str:
    """A path inside a SQL string literal (paths come from the program, never from data)."""
    return str(path).replace("'", "''")
