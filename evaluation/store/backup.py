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

from evaluation.errors import (
    CHOOSE_STORE,
    OWN_BACKUP,
    REPLACE_STORE,
    EvaluationError,
    StoreBusyError,
)
from evaluation.files import refuse_store_path, write_file
from evaluation.store.connection import Store, migrate_to, now_utc
from evaluation.store.moving import replace_postgres
from evaluation.store.schema import ENTITIES, PLAIN_TABLES, SCHEMA_VERSION, store_tables
from evaluation.words import _

MANIFEST = "manifest.json"
# What a restore unpacks at most: a crafted ZIP of 3 MB once unpacked to 2.9 GB.
MAX_TABLE_BYTES = 4 << 30
MAX_BACKUP_BYTES = 16 << 30
MAX_RATIO = 200  # Parquet is compressed already: real tables pack 1-10 times, not 1000


class _Refused(EvaluationError):
    """A file that is not a backup of this program: the edges add how to make one."""

    def __init__(self, message: str, title: str) -> None:
        super().__init__(message, title, fix=OWN_BACKUP)


def _made_by() -> str:
    """The sentence that ends every refused restore."""
    return _("Give a backup ZIP written by this program's backup; nothing was changed.")


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
        return _("{uploads} uploads, {rows:,} rows (latest upload {latest})").format(
            uploads=self.uploads, rows=sum(self.rows.values()), latest=self.latest_upload)


def backup(store: Store, out: Path) -> BackupInfo:
    """Write a consistent backup of `store` to the ZIP file `out`."""
    if not store.exists():
        raise EvaluationError(_("There is no store at {path} to back up.").format(
            path=store.path), _("No store"))
    if out.is_dir():
        raise EvaluationError(
            _("{out} is a folder; give the backup a file name, for example {example}.").format(
                out=out, example=out / "evaluation-backup.zip"), _("Cannot write the backup"))
    if not store.server:  # a file store: the backup must not overwrite it
        refuse_store_path(out, store.path, _("the backup"))
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise EvaluationError(
            _("Cannot write the backup to {out}: {blocker} is a file, not a folder.").format(
                out=out, blocker=blocker), _("Cannot write the backup"))
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
    _check_restorable(source, store, force)
    try:
        with zipfile.ZipFile(source) as z:
            info = _open_backup(source, z)
            if info.schema_version > SCHEMA_VERSION:
                raise EvaluationError(
                    _("{source} was made by a newer version of this program (schema "
                      "{version}); update this program to restore it. Nothing was "
                      "changed.").format(source=source, version=info.schema_version),
                    _("Backup too new"))
            # Built next to its final place, so moving it in is one rename (into
            # PostgreSQL: one transaction).
            with tempfile.TemporaryDirectory(
                    dir=None if store.server else store.path.parent) as tmp:
                built = Path(tmp) / "restored.duckdb"
                _build(source, z, built, info, check)
                if store.server:  # one transaction under the writers' lock
                    replace_postgres(built, store.url, lock_timeout=store.lock_timeout,
                                     password=store.password)
                else:
                    _put_in_place(built, store)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError,
            NotImplementedError, ValueError, zlib.error) as e:
        raise _Refused(_("{source} cannot be read as a backup ({error}). "
                                "{made_by}").format(source=source, error=e,
                                                    made_by=_made_by()),
                              _("Not a backup")) from e
    except OSError as e:
        raise EvaluationError(_("{source} could not be restored: {reason}. Nothing "
                                "was changed.").format(source=source, reason=e.strerror or e),
                              _("Restore failed")) from e
    return info


def _check_restorable(source: Path, store: Store, force: bool) -> None:
    """Refuse before reading anything: a read-only store, no backup file, a store with
    data (without force); then make the store's folder."""
    store.require_writable()
    if not source.is_file():
        what = _("is a folder, not a file") if source.is_dir() else _("does not exist")
        raise _Refused(_("The backup {source} {what}. {made_by}").format(
            source=source, what=what, made_by=_made_by()), _("No backup"))
    if store.exists() and not force and _has_uploads(store):
        raise EvaluationError(
            _("The store {path} already holds data. Restore into another store, or replace "
              "it on purpose (take a backup of it first).").format(path=store.path),
            _("Store not empty"), fix=REPLACE_STORE, path=store.path)
    if not store.server:
        _make_folder(store)


def _make_folder(store: Store) -> None:
    try:
        store.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvaluationError(_("Cannot create the folder for the store {path}: "
                                "{reason}. Choose another place for the store.").format(
                                    path=store.path, reason=e.strerror),
                              _("Cannot restore")) from e


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
                raise EvaluationError(
                    _("{source} did not restore completely ({got} rows, expected {expected}); "
                      "nothing was changed.").format(source=source, got=got.rows,
                                                     expected=info.rows),
                    _("Restore failed"))
            problems = check(con)
            if problems:
                raise _Refused(
                    _("{source} holds data this program would never have accepted, so it is "
                      "not restored: {problems}. Nothing was changed. {made_by}").format(
                        source=source, problems="; ".join(problems), made_by=_made_by()),
                    _("Backup refused"))
        finally:
            con.close()
    except duckdb.Error as e:
        raise _Refused(_("{source} could not be restored ({detail}); the backup is "
                                "damaged or incomplete. {made_by}").format(
                                    source=source, detail=str(e).splitlines()[0],
                                    made_by=_made_by()),
                              _("Restore failed")) from e


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
    for table in store_tables(version):
        name = f"{table}.parquet"
        if name not in z.namelist():
            raise _Refused(_("{source} has no {table} table. {made_by}").format(
                source=source, table=table, made_by=_made_by()), _("Backup incomplete"))
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
        raise _Refused(_("{source}: its meta table does not record schema {version}, "
                                "as its manifest does. {made_by}").format(
                                    source=source, version=version, made_by=_made_by()),
                              _("Backup inconsistent"))
    con.execute("COMMIT")
    migrate_to(con, SCHEMA_VERSION)


def _describe(con: duckdb.DuckDBPyConnection) -> BackupInfo:
    version = int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                              ).fetchone()[0])
    rows = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("uploads", "upload_files", *ENTITIES, *PLAIN_TABLES)}
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
            raise EvaluationError(_("Cannot put the restored store in place at {path}: "
                                    "{reason}. Choose another place for the store.").format(
                                        path=store.path, reason=e.strerror),
                                  _("Cannot restore"), fix=CHOOSE_STORE, path=store.path) from e


def _zip(folder: Path, out: Path) -> None:
    def fill(file: BinaryIO) -> None:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.iterdir()):
                z.write(path, path.name)

    write_file(out, fill, what=_("the backup"))


def _open_backup(source: Path, z: zipfile.ZipFile) -> BackupInfo:
    """The manifest of a ZIP that looks like our backup, with every member's declared
    size within the limits; a clear error otherwise."""
    names = z.namelist()
    if MANIFEST not in names or any("/" in n or "\\" in n or n.startswith(".")
                                    for n in names):
        raise _Refused(_("{source} is not a backup made by this program. "
                                "{made_by}").format(source=source, made_by=_made_by()),
                              _("Not a backup"))
    total = 0
    for member in z.infolist():
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (member.file_size > MAX_TABLE_BYTES or total > MAX_BACKUP_BYTES
                or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO)):
            raise _Refused(
                _("{source} is not restored: {member} would unpack to {size:,.0f} MB "
                  "({ratio:,.0f} times its packed size). Backups of this program stay below "
                  "{max_gb} GB a table and {max_ratio} times packed. Nothing was changed. "
                  "{made_by}").format(
                    source=source, member=member.filename, size=member.file_size / 1024 / 1024,
                    ratio=ratio, max_gb=MAX_TABLE_BYTES >> 30, max_ratio=MAX_RATIO,
                    made_by=_made_by()),
                _("Backup refused"))
    if z.getinfo(MANIFEST).file_size > 1024 * 1024:
        raise _bad_manifest(source, _("it is larger than any manifest this program writes"))
    return _read_manifest(source, z.read(MANIFEST))


def _extract(source: Path, z: zipfile.ZipFile, name: str, path: Path) -> None:
    """One member to `path`, counting what it really unpacks to against what it declared."""
    declared, written = z.getinfo(name).file_size, 0
    with z.open(name) as packed, open(path, "xb") as out:
        while chunk := packed.read(1024 * 1024):
            written += len(chunk)
            if written > declared:
                raise _Refused(
                    _("{source}: {name} unpacks to more than it declares; the backup is "
                      "damaged or crafted. {made_by}").format(source=source, name=name,
                                                              made_by=_made_by()),
                    _("Backup refused"))
            out.write(chunk)


def _read_manifest(source: Path, raw: bytes) -> BackupInfo:
    """The manifest, checked field by field: a damaged one is a clear error, not a crash."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _bad_manifest(source, _("it is not JSON ({error})").format(error=e)) from e
    if not isinstance(data, dict):
        raise _bad_manifest(source, _("it is not a JSON object"))
    missing = [f.name for f in fields(BackupInfo) if f.name not in data]
    if missing:
        raise _bad_manifest(source, _("it lacks {fields}").format(fields=", ".join(missing)))
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
    return (_("{field} is {value}, which no backup records").format(
        field=bad[0], value=json.dumps(data[bad[0]])[:60]) if bad else None)


def _bad_manifest(source: Path, what: str) -> EvaluationError:
    return _Refused(_("{source} has a damaged manifest.json: {what}. {made_by}").format(
        source=source, what=what, made_by=_made_by()), _("Not a backup"))


def sql_literal(path: Path) -> str:
    """A path inside a SQL string literal (paths come from the program, never from data)."""
    return str(path).replace("'", "''")
