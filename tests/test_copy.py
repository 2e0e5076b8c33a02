"""Copying a whole store between a DuckDB file and PostgreSQL, on a real server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from evaluation.errors import EvaluationError
from evaluation.store.connection import Store
from evaluation.store.moving import copy_store
from evaluation.store.versions import list_uploads, undo_upload
from tests.conftest import dump, load

# The source is a store file and the target a database of its own: never run on PostgreSQL alone.
pytestmark = pytest.mark.file_store

ROOT = Path(__file__).resolve().parent.parent

NO = "Ungdomsløftet Drammen"


def _with_history(store: Store) -> Store:
    """The sample plus an import, its undo and odd text: what a copy must carry exactly."""
    load(store, f"partnership,indicator,year,value,note\n{NO},INV_PARTNERS,2031,41.25,"
                '"a ""quoted"", multi\nline note"\n')
    load(store, f"partnership,indicator,year,value,note\n{NO},INV_PARTNERS,2032,0.1,\n")
    undo_upload(store, int(list_uploads(store).iloc[0].upload_id), "kari")
    return store


def test_a_store_goes_to_postgresql_and_back_unchanged(sample_store, postgres_url, tmp_path):
    source = _with_history(sample_store)
    copied = copy_store(source.path, postgres_url)
    assert copied.uploads == len(list_uploads(source))
    back = tmp_path / "back.duckdb"
    copy_store(postgres_url, back)
    assert dump(Store(back)) == dump(source)
    # The copy is a store: the next import continues its history and its ids.
    load(Store(back), f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2033,7\n")
    assert list_uploads(Store(back)).iloc[0].upload_id == list_uploads(source).iloc[0].upload_id + 1


def test_null_and_empty_text_and_every_table_survive(sample_store, postgres_url, tmp_path):
    with sample_store.transaction() as con:
        con.execute("INSERT INTO submissions VALUES ('s1', 'tok', 'municipality', ''), "
                    "('s2', 'tok', 'ngo', NULL)")
    copy_store(sample_store.path, postgres_url)
    with psycopg.connect(postgres_url) as con:
        rows = con.execute("SELECT submission_id, partner FROM submissions ORDER BY 1").fetchall()
        assert rows == [("s1", ""), ("s2", None)]
        owner = con.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert owner.fetchone()[0] is False  # the app's user needs no superuser
    copy_store(postgres_url, tmp_path / "back.duckdb")
    assert dump(Store(tmp_path / "back.duckdb")) == dump(sample_store)


def test_a_copy_never_overwrites(sample_store, postgres_url, tmp_path):
    copy_store(sample_store.path, postgres_url)
    with pytest.raises(EvaluationError, match="not empty"):
        copy_store(sample_store.path, postgres_url)
    existing = tmp_path / "there.duckdb"
    existing.write_bytes(b"keep me")
    with pytest.raises(EvaluationError, match="already exists"):
        copy_store(postgres_url, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(EvaluationError, match="own source"):
        copy_store(sample_store.path, sample_store.path)


def test_a_database_of_another_program_or_a_newer_store_is_refused(postgres_url, tmp_path):
    with psycopg.connect(postgres_url) as con:
        con.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(EvaluationError, match="not empty"):
        copy_store(_new_store(tmp_path), postgres_url)
    with pytest.raises(EvaluationError, match="no store"):
        copy_store(postgres_url, tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()
    with psycopg.connect(postgres_url) as con:
        con.execute("DROP TABLE invoices")
    copy_store(_new_store(tmp_path), postgres_url)
    with psycopg.connect(postgres_url) as con:
        con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(EvaluationError, match="newer version"):
        copy_store(postgres_url, tmp_path / "y.duckdb")
    assert not (tmp_path / "y.duckdb").exists()


def test_a_failed_copy_leaves_the_database_empty(sample_store, postgres_url, monkeypatch):
    from evaluation.store import moving

    def differs(source, copied, target):
        raise EvaluationError("differs", "Copy failed")
    monkeypatch.setattr(moving, "_compare", differs)
    with pytest.raises(EvaluationError, match="differs"):
        copy_store(sample_store.path, postgres_url)
    with psycopg.connect(postgres_url) as con:
        assert con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema = 'public'").fetchone()[0] == 0


def test_copy_command_never_prints_the_password(sample_store, postgres_cluster, tmp_path):
    postgres_url = postgres_cluster.database(with_password=True)
    done = subprocess.run([sys.executable, "-m", "evaluation", "copy", "--from",
                           str(sample_store.path), "--to", postgres_url],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "compared with the source" in done.stdout
    assert "app-secret" not in done.stdout + done.stderr
    again = subprocess.run([sys.executable, "-m", "evaluation", "copy", "--from",
                            str(sample_store.path), "--to", postgres_url],
                           cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert "app-secret" not in again.stderr and "Traceback" not in again.stderr
    wrong = postgres_url.replace("app-secret", "wrong")
    refused = subprocess.run([sys.executable, "-m", "evaluation", "copy", "--from", wrong,
                              "--to", str(tmp_path / "z.duckdb")],
                             cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 1 and "Cannot connect" in refused.stderr
    assert "wrong" not in refused.stderr


def test_the_command_line_answers_the_same_on_both_backends(sample_store, postgres_url,
                                                            tmp_path):
    copy_store(sample_store.path, postgres_url)
    upload = tmp_path / "upload.csv"
    upload.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,41\n",
                      encoding="utf-8")
    answers = []
    for location in (str(sample_store.path), postgres_url):
        line = [sys.executable, "-m", "evaluation", "--db", location]
        for command in (["import", str(upload)], ["undo", "2"], ["undo", "3"]):
            done = subprocess.run([*line, *command], cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        asked = [subprocess.run([*line, what, "--format", "csv"], cwd=ROOT,
                                capture_output=True, text=True) for what in ("status", "scores")]
        assert all(a.returncode == 0 for a in asked), [a.stderr for a in asked]
        answers.append([a.stdout for a in asked])
    assert answers[0] == answers[1] and answers[0][0].count("\n") > 50
    assert "2031" in answers[1][0]  # the redo (undo of the undo) brought the value back


def _new_store(tmp_path):
    path = tmp_path / "new.duckdb"
    if not path.exists():
        Store(path).schema_version()
    return path

