"""Faults: killed processes, unwritable and full disks, and writers racing each other."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evaluation.intake.importer import import_files
from evaluation.intake.integrity import store_problems
from evaluation.store.connection import Store
from evaluation.store.versions import list_uploads
from tests.conftest import dump

ROOT = Path(__file__).resolve().parent.parent
NO = "Nettverk friluftsliv Askim"


def cli(*args: str, env: dict | None = None, wait: bool = True, **kw):
    command = [sys.executable, "-m", "evaluation", *args]
    environment = {**os.environ, **(env or {})}
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=300, **kw)


def big_file(path: Path, rows: int) -> Path:
    """`rows` observations for the sample partnership, one group each (distinct keys)."""
    with path.open("w", encoding="utf-8") as f:
        f.write("partnership,indicator,year,value,group\n")
        for n in range(rows):
            f.write(f"{NO},INV_PARTNERS,2020,{n % 97},g{n}\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.3, 0.8, 1.5])
def test_a_killed_import_leaves_the_store_as_it_was(sample_store, tmp_path, kill_after):
    data = big_file(tmp_path / "big.csv", 1_000_000)
    before = dump(sample_store)
    proc = cli("import", str(data), "--db", str(sample_store.path), wait=False)
    time.sleep(kill_after)
    if proc.poll() is not None:
        pytest.skip(f"the import finished within {kill_after} s on this machine")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert dump(sample_store) == before
    assert import_files(sample_store, [("small.csv", f"partnership,indicator,year,value\n"
                                        f"{NO},INV_PARTNERS,2031,3\n".encode())],
                        user="t").committed  # and the store still works


@pytest.fixture
def immutable(tmp_path):
    """Set the immutable attribute on a file (even root cannot write it), undone after."""
    marked: list[Path] = []

    def mark(path: Path) -> None:
        result = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if result.returncode:
            pytest.skip(f"cannot make files immutable here: {result.stderr.decode().strip()}")
        marked.append(path)

    yield mark
    for path in marked:
        subprocess.run(["chattr", "-i", str(path)])


@pytest.mark.file_store
def test_an_unwritable_store_gives_a_clear_error_and_no_partial_write(sample_store, tmp_path,
                                                                        immutable):
    before = dump(sample_store)
    immutable(sample_store.path)
    f = tmp_path / "obs.csv"
    f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")
    result = cli("import", str(f), "--db", str(sample_store.path))
    assert result.returncode == 1
    assert "Cannot write to the store" in result.stderr and "Traceback" not in result.stderr
    subprocess.run(["chattr", "-i", str(sample_store.path)])
    assert dump(sample_store) == before


@pytest.fixture
def small_disk(tmp_path, sample_template):
    """A disk with 1 MB free beyond the sample store."""
    mount = tmp_path / "disk"
    mount.mkdir()
    size = sample_template.stat().st_size // 1024 + 1024
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k", "tmpfs",
                             str(mount)], capture_output=True)
    if result.returncode:
        pytest.skip("cannot mount a small disk here (needs root and CAP_SYS_ADMIN)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


@pytest.mark.file_store
def test_a_full_disk_gives_a_clear_error_and_the_store_stays_usable(sample_template, small_disk,
                                                                   tmp_path):
    store = Store(small_disk / "store.duckdb")
    shutil.copy(sample_template, store.path)
    before = dump(store)
    data = big_file(tmp_path / "big.csv", 300_000)
    result = cli("import", str(data), "--db", str(store.path))
    assert result.returncode == 1, result.stdout
    assert ("disk is full" in result.stderr or "No space" in result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert dump(store) == before


def test_two_imports_started_together_both_land_in_some_order(sample_store, tmp_path):
    files = []
    for n, year in enumerate((2031, 2032)):
        f = tmp_path / f"f{n}.csv"
        f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,{year},{n + 1}\n")
        files.append(f)
    procs = [cli("import", str(f), "--db", str(sample_store.path), wait=False) for f in files]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    uploads = list_uploads(sample_store)
    assert sorted(uploads["upload_id"]) == [1, 2, 3]
    latest = uploads[uploads["upload_id"] > 1]
    assert set(latest["files"]) == {str(f) for f in files}


def test_concurrent_commits_in_one_process_are_serialised(sample_store):
    errors: list[Exception] = []

    def commit(year: int) -> None:
        try:
            text = f"partnership,indicator,year,value\n{NO},INV_PARTNERS,{year},{year % 7}\n"
            assert import_files(sample_store, [(f"{year}.csv", text.encode())],
                                user="t").committed
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=commit, args=(2040 + n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(list_uploads(sample_store)["upload_id"]) == list(range(1, 8))


def test_backup_and_restore_round_trip_exactly(sample_store, tmp_path):
    from evaluation.intake.edits import save_commentary, save_settings
    from evaluation.store.backup import backup, restore
    save_settings(sample_store, {"weight_outcome": 2.0}, "t")
    save_commentary(sample_store, NO, 2026, "Round trip.", "t")
    backup(sample_store, tmp_path / "b.zip")
    fresh = Store(tmp_path / "fresh" / "restored.duckdb")
    restore(tmp_path / "b.zip", fresh, check=store_problems)
    assert dump(fresh) == dump(sample_store)
    report = import_files(fresh, [("x.csv", b"partnership,municipality,start_year,"
                                   b"horizon_years,purpose,lead\nBrand new,Oslo,2024,6,x,y\n")],
                          user="t")
    assert report.committed  # ids continue after the restored ones


def test_restore_refuses_a_non_backup_and_a_store_with_data(sample_store, tmp_path):
    from evaluation.errors import EvaluationError
    from evaluation.store.backup import backup, restore
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(EvaluationError, match="cannot be read as a backup"):
        restore(tmp_path / "junk.zip", Store(tmp_path / "new.duckdb"), check=store_problems)
    backup(sample_store, tmp_path / "b.zip")
    before = dump(sample_store)
    with pytest.raises(EvaluationError, match="already holds data"):
        restore(tmp_path / "b.zip", sample_store, check=store_problems)
    assert dump(sample_store) == before
