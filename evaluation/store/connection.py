"""The embedded DuckDB store: where it lives, how to connect, and the schema's upkeep.

DuckDB lets one process write a file at a time and a shared connection is not
safe across threads (PLATFORM-FACTS.md), so every operation opens its own
short-lived connection and closes it: the dashboard never locks out the command
line for longer than one query or one commit, and a busy store is retried for
a bounded time before the user is told who holds it. In read-only mode
connections are opened read-only: a public screen never
takes the write lock, never creates a store and never migrates one.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from evaluation.errors import (
    CHOOSE_STORE,
    CREATE_STORE,
    LEAVE_READ_ONLY,
    UPDATE_STORE,
    EvaluationError,
    PermissionDenied,
    StoreBusyError,
)
from evaluation.store.engine import apply_migrations as _apply_migrations
from evaluation.store.engine import holds_tables as _holds_tables
from evaluation.store.engine import migrate_to, next_entity_id, stale_message  # noqa: F401 - the store's own
from evaluation.store.engine import recorded_version as _recorded_version
from evaluation.store.schema import SCHEMA_VERSION
from evaluation.words import _

_write_locks: dict[str, threading.RLock] = {}
_registry_lock = threading.Lock()


class Store:
    """A DuckDB file plus the rules for using it safely from threads and processes.

    Where it is, whether it may be written and how long to wait for a busy file come
    from the caller (the command line and the app read them from `Config`).
    """

    server = False  # a file (PostgresStore is the database server)

    def __new__(cls, path: str | Path, **options: object) -> Store:
        """A PostgreSQL URL (postgresql://user@host:port/dbname) opens the same store
        interface on PostgreSQL (`pg_store`); anything else is a DuckDB file."""
        if re.match(r"(?i)postgres(ql)?:/", str(path)):
            from evaluation.store.pg_store import PostgresStore

            return PostgresStore(str(path), **options)
        return super().__new__(cls)

    def __init__(self, path: str | Path, *, read_only: bool = False,
                 lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        key = str(self.path.resolve())
        with _registry_lock:
            self._write_lock = _write_locks.setdefault(key, threading.RLock())
        self._key = key
        self._content: tuple[tuple[int, ...], tuple] | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    def fingerprint(self) -> tuple[int, ...]:
        """Changes whenever the file or its write-ahead log changes; cheap (no connection)."""
        parts: list[int] = []
        for p in (self.path, Path(f"{self.path}.wal")):
            try:
                st = p.stat()
                parts += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                parts += [0, 0]
        return tuple(parts)

    def content_version(self) -> tuple:
        """What identifies the stored content: the latest upload and its time, and the
        file's identity (a restored backup is a new file). Answers sent to an open survey
        round change the file but not this, so they do not make every page re-read the
        store. Read with one query only when the file changed."""
        fingerprint = self.fingerprint()
        known = self._content
        if known is not None and known[0] == fingerprint:
            return known[1]
        with self.connect() as con:
            row = con.execute("SELECT max(upload_id), max(created_at) FROM uploads").fetchone()
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            inode = 0
        version = (inode, row[0], str(row[1]))
        self._content = (fingerprint, version)
        return version

    def require_existing(self) -> None:
        """Raise unless the store file exists: reading a mistyped path must not create one."""
        if self.path.is_dir():
            raise EvaluationError(
                _("{path} is a folder, not a store; give the store file, such as "
                  "{example}").format(path=self.path, example=self.path / "evaluation.duckdb"),
                _("No store"), fix=CHOOSE_STORE, path=self.path)
        if not self.exists():
            raise EvaluationError(_("There is no store at {path}.").format(path=self.path),
                                  _("No store"), fix=CREATE_STORE, path=self.path)

    def require_writable(self) -> None:
        """Raise PermissionDenied in read-only mode; every write path calls this first."""
        if self.read_only:
            raise PermissionDenied(
                _("This program runs in read-only mode, so the store {path} cannot be "
                  "changed or created here.").format(path=self.path),
                _("Read-only"), fix=LEAVE_READ_ONLY, path=self.path)

    @property
    def damage_marker(self) -> Path:
        """Left beside a store found damaged, so every process refuses to write to it
        until a backup is restored (DuckDB notices damage only in the blocks it reads)."""
        return Path(f"{self.path}.damaged")

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection to an up-to-date schema; closed on exit.

        For reading only (`write` false), a store the program may not write (a read-only
        folder or file) is opened read-only instead of failing.
        """
        con, read_only = self._open(write)
        try:
            self._migrate(con, read_only)
            yield con
        except duckdb.Error as e:
            raise self._error(e) from e
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction: committed on success, rolled back on any exception."""
        self.require_writable()
        self.require_undamaged()
        with self._write_lock, self.connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except duckdb.Error as e:
                raise _store_error(self.path, e) from e

    def require_undamaged(self) -> None:
        """Raise when this store was found damaged: nothing more is written to it."""
        try:
            detail = self.damage_marker.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        raise EvaluationError(_damaged_message(self.path, detail.strip()[:200]),
                              _("Store damaged"))

    def schema_version(self) -> int:
        with self.connect(write=True) as con:
            return _recorded_version(con)

    def _error(self, error: duckdb.Error) -> EvaluationError:
        """The user's words for a DuckDB error; damage is recorded beside the store."""
        if _is_damage(error):
            detail = str(error).splitlines()[0]
            try:
                self.damage_marker.write_text(detail + "\n", encoding="utf-8")
            except OSError:
                pass  # a read-only folder: each process finds the damage again itself
            return EvaluationError(_damaged_message(self.path, detail), _("Store damaged"))
        return _store_error(self.path, error)

    def _open(self, write: bool = True) -> tuple[duckdb.DuckDBPyConnection, bool]:
        if self.read_only and not self.exists():
            raise EvaluationError(
                _("There is no store at {path}, and read-only mode cannot create one. Create "
                  "it first where the program may write, or use an existing store.").format(
                    path=self.path), _("No store"), fix=CREATE_STORE, path=self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise EvaluationError(
                _("Cannot create the folder for the store {path}: {reason}. Choose "
                  "another place for the store.").format(
                    path=self.path, reason=e.strerror), _("Store error"),
                fix=CHOOSE_STORE, path=self.path) from e
        read_only = self.read_only or (not write and self.exists()
                                        and not _writable(self.path))
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only), read_only
            except duckdb.Error as e:
                if not _is_lock_error(e):
                    raise self._error(e) from e
                if time.monotonic() >= deadline:
                    raise StoreBusyError(_busy_message(self.path, e, self.lock_timeout),
                                         _("Store busy")) from e
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _migrate(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        with _registry_lock:
            version = _recorded_version(con)
            if version > SCHEMA_VERSION:
                raise EvaluationError(
                    _("The store {path} was written by a newer version of this program "
                      "(schema {version}; this program knows up to {known}). Update the "
                      "program, or use another store.").format(
                        path=self.path, version=version, known=SCHEMA_VERSION),
                    _("Store is newer than this program"), fix=CHOOSE_STORE, path=self.path)
            if version < SCHEMA_VERSION and read_only:
                raise EvaluationError(stale_message(self.path, version),
                                      _("Store needs updating"),
                                      fix=UPDATE_STORE if version else CHOOSE_STORE,
                                      path=self.path)
            if version == 0 and _holds_tables(con):
                raise EvaluationError(
                    _("{path} is a DuckDB file of another program (it has tables but not "
                      "this program's schema), so it is left untouched. Use the store, or a "
                      "new file to create one.").format(path=self.path), _("Not a store"),
                    fix=CHOOSE_STORE, path=self.path)
            if version < SCHEMA_VERSION:
                _apply_migrations(con, version)


def now_utc() -> datetime:
    """The time recorded on uploads: UTC, without a time zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error)
    # The last one: this process has the file open in the other mode (read-only or not);
    # connections are short-lived, so it is waited out like another process's lock.
    return any(w in text for w in ("Could not set lock", "Conflicting lock",
                                   "different configuration"))


def _writable(path: Path) -> bool:
    """Whether this process may write the store file and create its log beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _is_damage(error: duckdb.Error) -> bool:
    text = str(error)
    return isinstance(error, (duckdb.IOException, duckdb.InternalException)) and any(
        w in text for w in ("Corrupt", "checksum", "corrupt", "Could not read")) or (
        "Corrupt database file" in text)


def _damaged_message(path: Path, detail: str) -> str:
    return _("The store {path} is damaged ({detail}), so nothing more is written to it. "
             "Restore the latest backup over it (the restore command, with force), or point "
             "the program at another store.").format(path=path, detail=detail)


def _busy_message(path: Path, error: duckdb.Error, timeout: float) -> str:
    pid = re.search(r"PID (\d+)", str(error))
    holder = " " + _("(process {pid})").format(pid=pid.group(1)) if pid else ""
    return _("The store {path} is being written by another program{holder} and stayed busy "
             "for {timeout:.0f} s. Wait for that import, undo or report to finish and try "
             "again.").format(path=path, holder=holder, timeout=timeout)


def _store_error(path: Path, error: duckdb.Error) -> EvaluationError:
    text = str(error)
    if any(w in text for w in ("Permission denied", "Read-only file system",
                                "Operation not permitted")):
        message = _("Cannot write to the store {path}: permission denied. Check that the "
                    "file and its folder are writable by this user.").format(path=path)
    elif "No space left" in text:
        message = _("Cannot write to the store {path}: the disk is full. Free some "
                    "space.").format(path=path)
    elif "not a valid DuckDB database" in text or "Failed to read" in text or "serializ" in text:
        message = _("{path} is not a store this program can read ({detail}). Restore a backup "
                    "or use another file.").format(
                        path=path, detail=text.splitlines()[0])
    else:
        message = _("The store {path} reported an error: {detail}").format(
            path=path, detail=text.splitlines()[0])
    return EvaluationError(message, _("Store error"))
