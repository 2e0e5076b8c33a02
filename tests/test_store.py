"""The store: schema versions, migrations, locks held by other processes, bad files."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from evaluation.errors import EvaluationError, PermissionDenied, StoreBusyError
from evaluation.store.connection import Store, migrate_to
from evaluation.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_new_store_gets_the_current_schema(tmp_path):
    store = Store(tmp_path / "new" / "s.duckdb")
    assert not store.exists()
    assert store.schema_version() == SCHEMA_VERSION
    assert store.exists()


def test_older_store_is_migrated_on_open_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate_to(con, 1)
    con.execute("INSERT INTO uploads VALUES (1, 'import', now()::TIMESTAMP, 'a', 's', NULL, NULL)")
    con.close()
    store = Store(path)
    assert store.schema_version() == len(MIGRATIONS) == SCHEMA_VERSION
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 1


def test_newer_store_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "new.duckdb"
    Store(path).schema_version()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(EvaluationError, match="newer version of this program"):
        Store(path).schema_version()


def test_a_file_that_is_not_a_store_gives_a_clear_error(tmp_path):
    path = tmp_path / "garbage.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(EvaluationError) as info:
        Store(path).schema_version()
    assert str(path) in info.value.message


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_store_locked_by_another_process_is_retried_then_reported(tmp_path):
    path = tmp_path / "locked.duckdb"
    Store(path).schema_version()
    proc = _hold(path, 30)
    try:
        start = time.monotonic()
        with pytest.raises(StoreBusyError, match=rf"process {proc.pid}"):
            Store(path, lock_timeout=1).schema_version()
        assert 0.9 < time.monotonic() - start < 10
    finally:
        proc.kill()
        proc.wait()


def test_a_short_lock_is_waited_out(tmp_path):
    path = tmp_path / "briefly.duckdb"
    Store(path).schema_version()
    proc = _hold(path, 1.0)
    try:
        assert Store(path, lock_timeout=20).schema_version() == SCHEMA_VERSION
    finally:
        proc.wait()


def test_read_only_store_refuses_writes(tmp_path):
    store = Store(tmp_path / "ro.duckdb", read_only=True)
    with pytest.raises(PermissionDenied), store.transaction():
        pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_folder_gives_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(EvaluationError, match="permission denied|Permission"):
            Store(folder / "s.duckdb").schema_version()
    finally:
        folder.chmod(0o700)


def test_a_store_path_that_cannot_exist_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(EvaluationError, match="Cannot create the folder"):
        Store(blocker / "s.duckdb").schema_version()


READER = """
import sys, duckdb
duckdb.connect(sys.argv[1], read_only=True).close()
print("read")
"""


@pytest.mark.file_store
def test_read_only_mode_opens_read_only_connections(sample_store):
    reader = Store(sample_store.path, read_only=True)
    with reader.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 1
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM uploads")
        # No write lock is held: another process can read at the same time.
        other = subprocess.run([sys.executable, "-c", READER, str(sample_store.path)],
                               capture_output=True, text=True, timeout=60)
        assert other.stdout.strip() == "read", other.stderr


def test_read_only_mode_never_creates_a_store(tmp_path):
    path = tmp_path / "missing" / "s.duckdb"
    with pytest.raises(EvaluationError, match="read-only mode cannot create one"):
        Store(path, read_only=True).schema_version()
    assert not path.parent.exists()


def test_read_only_mode_never_migrates_and_says_how_to(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate_to(con, 1)
    con.close()
    with pytest.raises(EvaluationError, match="Open it once where the program may write"):
        Store(path, read_only=True).schema_version()
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == "1"
    con.close()
    assert Store(path).schema_version() == SCHEMA_VERSION  # a normal open still migrates
    assert Store(path, read_only=True).schema_version() == SCHEMA_VERSION


def test_read_only_mode_refuses_a_duckdb_file_that_is_not_a_store(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(EvaluationError, match="not a store of this program"):
        Store(path, read_only=True).schema_version()


@pytest.mark.file_store
def test_readers_and_writers_in_one_process_take_turns(sample_store):
    """DuckDB refuses a read-only and a read-write connection to one file in one process;
    both are short-lived, so the later one waits for the earlier one to close."""
    reader = Store(sample_store.path, read_only=True, lock_timeout=20)
    seen: list[int] = []
    with sample_store.transaction() as con:
        con.execute("INSERT INTO uploads VALUES (2, 'import', now()::TIMESTAMP, 'w', 's', "
                    "NULL, NULL)")
        thread = threading.Thread(target=lambda: seen.append(reader.schema_version()))
        thread.start()
        time.sleep(0.3)
        assert thread.is_alive()  # waiting for the writer
    thread.join(30)
    assert seen == [SCHEMA_VERSION]
    with reader.connect() as con:
        assert con.execute("SELECT max(upload_id) FROM uploads").fetchone()[0] == 2
    with sample_store.transaction() as con:  # and the writer gets back in after the reader
        con.execute("DELETE FROM uploads WHERE upload_id = 2")


def test_a_duckdb_file_of_another_program_is_left_untouched(tmp_path):
    path = tmp_path / "sales.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (region VARCHAR, amount DOUBLE)")
    con.close()
    with pytest.raises(EvaluationError, match="another program"):
        Store(path).schema_version()
    con = duckdb.connect(str(path))
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("sales",)]
    con.close()


def test_a_store_in_a_read_only_folder_can_still_be_read(sample_template, tmp_path_factory):
    import os
    import shutil
    import tempfile

    from evaluation.intake.importer import import_files
    from evaluation.store.snapshot import read_snapshot
    from tests.conftest import run_unprivileged

    folder = Path(tempfile.mkdtemp(prefix="read-only-store-"))
    try:
        path = folder / "store.duckdb"
        shutil.copy(sample_template, path)
        path.chmod(0o644)
        folder.chmod(0o555)  # nobody may write the file or create its log here

        def read() -> str:
            return str(len(read_snapshot(Store(path)).partnerships))

        def write() -> str:
            row = b"partnership,indicator,year,value\nNettverk friluftsliv Askim,INV_PARTNERS,2031,3\n"
            return import_files(Store(path), [("x.csv", row)], user="t").summary()

        assert run_unprivileged(read) == "6"  # the sample partnerships, read read-only
        assert "Cannot write to the store" in run_unprivileged(write)
        assert not any(p.name.endswith(".wal") for p in folder.iterdir())
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def _damaged_copy(sample_template, tmp_path) -> Store:
    """A copy of the sample with one data block overwritten: found by trying each block."""
    from evaluation.errors import EvaluationError
    from evaluation.store.snapshot import read_snapshot

    good = sample_template.read_bytes()
    for block in range(1, len(good) // 262144 + 1):
        path = tmp_path / f"damaged-{block}.duckdb"
        data = bytearray(good)
        offset = 12288 + block * 262144 + 100
        data[offset:offset + 64] = b"\xff" * 64
        path.write_bytes(bytes(data))
        try:
            read_snapshot(Store(path))
        except EvaluationError:
            Store(path).damage_marker.unlink(missing_ok=True)
            return Store(path)
    pytest.fail("no block of the sample store holds data")


def test_a_damaged_store_says_so_refuses_writes_and_a_restore_mends_it(sample_template,
                                                                       tmp_path, capsys):
    from evaluation.cli import main
    from evaluation.store.backup import backup
    from evaluation.store.snapshot import read_snapshot

    store = _damaged_copy(sample_template, tmp_path)
    assert main(["status", "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "Restore the latest backup" in err and "unexpected" not in err
    before = store.path.read_bytes()
    row = tmp_path / "row.csv"
    row.write_text("partnership,indicator,year,value\nNettverk friluftsliv Askim,INV_PARTNERS,"
                   "2031,3\n")
    assert main(["import", str(row), "--db", str(store.path)]) == 1
    assert "is damaged" in capsys.readouterr().err
    assert store.path.read_bytes() == before
    backup(Store(sample_template), tmp_path / "good.zip")
    assert main(["restore", str(tmp_path / "good.zip"), "--force", "--db", str(store.path)]) == 0
    assert not store.damage_marker.exists() and read_snapshot(store).upload_id == 1
    assert main(["import", str(row), "--db", str(store.path)]) == 0
