"""What only a store shared by several processes through PostgreSQL has to get right:
writers in other processes, a process killed inside its commit, a new upload seen by
another process, servers starting together on a new database, a restore into it.

Every test runs on a real throwaway PostgreSQL cluster (tests/postgres_server.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from evaluation.errors import StoreBusyError
from evaluation.intake.importer import import_files
from evaluation.intake.integrity import store_problems
from evaluation.intake.sample import ensure_store
from evaluation.store import postgres
from evaluation.store.backup import backup, restore
from evaluation.store.connection import Store
from evaluation.store.moving import copy_store
from evaluation.store.versions import list_uploads
from tests.conftest import dump, load

ROOT = Path(__file__).resolve().parent.parent
NO = "Nettverk friluftsliv Askim"


@pytest.fixture
def pg_store(postgres_url, sample_template) -> Store:
    copy_store(sample_template, postgres_url)
    return Store(postgres_url)


def cli(*args: str, wait: bool = True):
    command = [sys.executable, "-m", "evaluation", *args]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def big_file(store: Store, path: Path, size: int) -> Path:
    """`size` partnerships and indicators put in the store, and a file of their values
    for ten years (size x size x 10 rows)."""
    assert import_files(store, [
        ("partnerships.csv", ("partnership,municipality,start_year,horizon_years,purpose,lead\n"
                              + "".join(f"P{p},Oslo,2016,10,x,y\n" for p in range(size))
                              ).encode()),
        ("indicators.csv", ("indicator,name,pillar,unit,direction\n" + "".join(
            f"I{i},Indicator {i},process,%,higher_is_better\n" for i in range(size))
                            ).encode())], user="t").committed
    with path.open("w", encoding="utf-8") as f:
        f.write("partnership,indicator,year,value\n")
        for p in range(size):
            for i in range(size):
                f.writelines(f"P{p},I{i},{y},{(p + i + y) % 50 + 20}\n"
                             for y in range(2016, 2026))
    return path


def activity(url: str, like: str) -> bool:
    """Whether another connection to the database is running a statement like `like`."""
    with psycopg.connect(url) as con:
        return bool(con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
            "pid <> pg_backend_pid() AND state = 'active' AND query ILIKE %s",
            [like]).fetchone()[0])


@pytest.mark.slow
def test_an_import_killed_inside_its_postgresql_transaction_leaves_the_store_before(
        pg_store, tmp_path):
    data = big_file(pg_store, tmp_path / "big.csv", 200)
    before = dump(pg_store)
    proc = cli("import", str(data), "--db", pg_store.url, wait=False)
    deadline = time.monotonic() + 120
    while not activity(pg_store.url, "COPY observations%"):  # the rows are being sent
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the import never reached its COPY"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the server notices the closed connection and rolls back
    assert dump(pg_store) == before
    assert load(pg_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n"
                ).committed  # the writers' lock went with the killed connection


def test_two_command_line_writers_at_once_both_land_one_after_the_other(pg_store, tmp_path):
    files = []
    for n in range(4):
        f = tmp_path / f"f{n}.csv"
        f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,{2031 + n},{n}\n")
        files.append(f)
    procs = [cli("import", str(f), "--db", pg_store.url, wait=False) for f in files]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    uploads = list_uploads(pg_store)
    assert sorted(uploads["upload_id"]) == [1, 2, 3, 4, 5]
    assert set(uploads[uploads["upload_id"] > 1]["files"]) == {str(f) for f in files}
    with pg_store.connect() as con:
        years = con.execute("SELECT year FROM observations WHERE valid_from > 1 "
                            "ORDER BY year").fetchall()
    assert [y for (y,) in years] == [2031, 2032, 2033, 2034]


def test_a_writer_waits_for_the_lock_a_bounded_time_and_then_says_so(pg_store):
    with psycopg.connect(pg_store.url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [postgres.WRITERS])
        busy = Store(pg_store.url, lock_timeout=1.0)
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="being written by another program"):
            load(busy, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")
        assert 0.9 < time.monotonic() - started < 10
        holder.rollback()
    assert sorted(list_uploads(pg_store)["upload_id"]) == [1]


def test_an_upload_by_another_process_is_seen_at_the_next_read(pg_store, tmp_path):
    before = pg_store.content_version()
    with pg_store.connect() as con:
        assert con.execute("SELECT max(upload_id) FROM uploads").fetchall() == [(1,)]
    f = tmp_path / "new.csv"
    f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")
    assert cli("import", str(f), "--db", pg_store.url).returncode == 0
    assert pg_store.content_version() != before
    with pg_store.connect() as con:
        assert con.execute("SELECT max(upload_id) FROM uploads").fetchall() == [(2,)]
        assert con.execute("SELECT value FROM observations WHERE year = 2031").fetchall() == [
            (3.0,)]


def test_servers_starting_together_on_a_new_database_load_the_sample_once(postgres_url):
    results: list[object] = []

    def start() -> None:
        try:
            results.append(ensure_store(Store(postgres_url)))
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            results.append(e)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [False, False, True]
    assert list(list_uploads(Store(postgres_url))["upload_id"]) == [1]


def test_init_creates_the_store_in_postgresql_with_the_sample(postgres_url):
    done = cli("init", "--db", postgres_url)
    assert done.returncode == 0, done.stderr
    again = cli("init", "--db", postgres_url)
    assert again.returncode == 0 and "already exists (1 uploads)" in again.stdout
    status = cli("status", "--db", postgres_url, "--format", "csv")
    assert status.returncode == 0 and NO in status.stdout


def test_a_backup_of_postgresql_restores_into_a_file_and_back(pg_store, tmp_path,
                                                               postgres_cluster):
    load(pg_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")
    backup(pg_store, tmp_path / "pg.zip")
    as_file = Store(tmp_path / "restored.duckdb")
    restore(tmp_path / "pg.zip", as_file, check=store_problems)
    assert dump(as_file) == dump(pg_store)
    other = Store(postgres_cluster.database())
    restore(tmp_path / "pg.zip", other, check=store_problems)
    assert dump(other) == dump(pg_store)
    assert load(other, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                "Brand new,Oslo,2024,6,x,y\n").committed  # ids continue after the restored


def test_a_restore_over_postgresql_is_seen_by_every_process(pg_store, tmp_path):
    backup(pg_store, tmp_path / "one.zip")
    load(pg_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")
    with pg_store.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(2,)]
    with pytest.raises(Exception, match="already holds data"):
        restore(tmp_path / "one.zip", pg_store, check=store_problems)
    done = cli("restore", str(tmp_path / "one.zip"), "--force", "--db", pg_store.url)
    assert done.returncode == 0, done.stderr
    with pg_store.connect() as con:  # this process had the store with two uploads
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(1,)]


def test_the_app_user_needs_no_superuser(postgres_cluster, postgres_url):
    with psycopg.connect(postgres_url) as con:
        assert con.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                           "WHERE rolname = current_user").fetchone() == (False, False, False)
    assert ensure_store(Store(postgres_url))
    assert os.environ.get("PGPASSWORD")  # the password from the environment, not the URL


def test_read_only_mode_reads_previews_and_backs_up_but_never_writes(pg_store, tmp_path):
    (tmp_path / "ok.csv").write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,"
                                     "2031,5\n")
    before = dump(pg_store)
    env = {**os.environ, "EVALUATION_READ_ONLY": "1"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "evaluation", *args, "--db", pg_store.url],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert run("status").returncode == 0
    assert "sample data" in run("history").stdout
    assert run("backup", "--out", str(tmp_path / "b.zip")).returncode == 0
    preview = run("import", "--dry-run", str(tmp_path / "ok.csv"))
    assert preview.returncode == 0 and "dry run: nothing was written" in preview.stdout
    refused = run("import", str(tmp_path / "ok.csv"))
    assert refused.returncode == 1 and "read-only mode" in refused.stderr
    assert dump(pg_store) == before


def test_a_read_only_screen_may_sign_in_as_a_role_that_only_reads(pg_store, postgres_cluster):
    from tests.postgres_server import APP_PASSWORD

    database = pg_store.url.rsplit("/", 1)[1]
    postgres_cluster.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                           f"'screen') THEN CREATE ROLE screen LOGIN PASSWORD '{APP_PASSWORD}'; "
                           "END IF; END $$")
    postgres_cluster.admin("GRANT pg_read_all_data TO screen")
    screen = Store(postgres_cluster.url(database, user="screen"), read_only=True)
    with screen.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(1,)]
    with pytest.raises(Exception, match="read-only mode"):
        load(screen, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n")


def test_the_password_may_come_from_the_apps_secrets(pg_store, monkeypatch):
    from evaluation.errors import EvaluationError
    from tests.postgres_server import APP_PASSWORD

    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    url = pg_store.url.replace("127.0.0.1", "localhost")  # a pool of its own
    with pytest.raises(EvaluationError, match="Cannot connect to the PostgreSQL store") as e:
        Store(url).exists()
    assert APP_PASSWORD not in str(e.value)
    given = Store(url, password=APP_PASSWORD)
    assert given.exists()
    with given.connect() as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(1,)]
    postgres.close_pools(url)


@pytest.mark.browser
@pytest.mark.slow
def test_an_app_server_killed_inside_its_commit_leaves_the_store_before(pg_store, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import BROWSER_ARGS, CHROMIUM, _require_chromium, free_port, start_app

    _require_chromium()
    data = big_file(pg_store, tmp_path / "big.csv", 200)
    before = dump(pg_store)
    port = free_port()
    server = start_app(pg_store.url, port, log=tmp_path / "server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(f"http://127.0.0.1:{port}/upload", wait_until="domcontentloaded")
            page.locator("input[type=file]").set_input_files(str(data))
            commit = page.get_by_role("button", name="Commit 400,000 changes")
            commit.wait_for(timeout=120_000)
            commit.click()
            deadline = time.monotonic() + 120
            while not activity(pg_store.url, "COPY observations%"):
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the commit never reached its COPY"
                time.sleep(0.02)
            server.send_signal(signal.SIGKILL)
            server.wait()
            browser.close()
    finally:
        if server.poll() is None:
            server.kill()
    time.sleep(0.5)
    assert dump(pg_store) == before
    assert load(pg_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n"
                ).committed


def mirror_rows(store: Store) -> dict[str, list[tuple]]:
    """What this process's copy of the store holds, in dump()'s shape."""
    from evaluation.store.schema import ENTITIES, PLAIN_TABLES

    with store.connect() as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ["uploads", "upload_files", *ENTITIES, *PLAIN_TABLES]}


def test_a_mirror_brought_up_to_date_holds_what_the_database_holds(pg_store, tmp_path,
                                                                   monkeypatch):
    from evaluation.store import pg_store as module

    monkeypatch.setattr(type(pg_store), "poll_seconds", 0.0)
    calls: list[str] = []
    for name in ("_load", "_refresh"):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name: (
            calls.append(_name), _real(*a))[1])
    assert mirror_rows(pg_store) == dump(pg_store)
    f = tmp_path / "two.csv"
    f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n"
                 f"{NO},INV_PARTNERS,2016,99\n")
    steps = [("import", str(f)), ("undo", "2"), ("import", str(f)),
             ("survey", "open", "--partnership", NO, "--year", "2031"),
             ("survey", "close", "--partnership", NO, "--year", "2031")]
    for step in steps:
        done = cli(*step, "--db", pg_store.url)  # another process writes
        assert done.returncode == 0, (step, done.stderr)
        assert mirror_rows(pg_store) == dump(pg_store), step  # brought up to date in place
    assert calls.count("_refresh") == len(steps) and calls.count("_load") <= 1
    backup(pg_store, tmp_path / "b.zip")
    load(pg_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2032,4\n")
    assert cli("restore", str(tmp_path / "b.zip"), "--force", "--db", pg_store.url
               ).returncode == 0
    assert mirror_rows(pg_store) == dump(pg_store)  # another store now: loaded whole
    assert calls[-1] == "_load"
