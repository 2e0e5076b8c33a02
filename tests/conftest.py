"""Shared fixtures: real DuckDB stores in temporary folders, never a mocked database."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.intake.importer import ImportReport, import_files
from evaluation.intake.sample import load_sample_data
from evaluation.store.connection import Store
from evaluation.store.schema import ENTITIES, PLAIN_TABLES
from tests import postgres_server

FIXTURES = Path(__file__).parent / "fixtures"
HAS_CHROMIUM = Path("/usr/bin/chromium").exists()
# Export and report tests need Chromium; without it they skip, unless CI is set.
needs_browser = pytest.mark.skipif(not HAS_CHROMIUM and not os.environ.get("CI"),
                                   reason="no Chromium (apt-get install chromium)")


@pytest.fixture(autouse=True)
def kept_answers(tmp_path_factory, monkeypatch) -> Path:
    """Each test keeps the command line's answers in a folder of its own, never ~/.cache."""
    folder = tmp_path_factory.mktemp("kept")
    monkeypatch.setenv("EVALUATION_CACHE", str(folder))
    return folder


@pytest.fixture(scope="session")
def postgres_cluster():
    """One real PostgreSQL server for the session (skipped without the package, except in
    CI, where .ci/run installs it)."""
    if postgres_server.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15 or newer is not installed (apt-get install postgresql)")
        pytest.skip("no PostgreSQL server (apt-get install postgresql)")
    with postgres_server.running() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_cluster) -> Iterator[str]:
    """An empty database of its own for one test, owned by a role without superuser."""
    from evaluation.store import pg_store, postgres

    url = postgres_cluster.database()
    yield url
    postgres.close_pools(url)
    pg_store.forget(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test that uses a store runs twice: on a DuckDB file and on a real PostgreSQL
    database (where PostgreSQL is installed, and always in CI; EVALUATION_TEST_BACKENDS=duckdb
    runs the file alone). A test marked `file_store` checks what only a file has."""
    uses_store = {"store", "sample_store", "app_store"} & set(metafunc.fixturenames)
    if not uses_store or metafunc.definition.get_closest_marker("file_store"):
        return
    wanted = os.environ.get("EVALUATION_TEST_BACKENDS", "all").strip().lower()
    if wanted == "all" and (postgres_server.binaries() is not None or os.environ.get("CI")):
        metafunc.parametrize("backend", ["duckdb", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "duckdb")


@pytest.fixture
def store(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Store:
    """An empty store with the current schema."""
    s = Store(request.getfixturevalue("postgres_url") if backend == "postgresql"
              else tmp_path / "store.duckdb")
    with s.connect():  # creates the schema
        pass
    return s


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    load_sample_data(Store(path))
    return path


@pytest.fixture
def sample_store(tmp_path: Path, sample_template: Path, backend: str,
                 request: pytest.FixtureRequest) -> Store:
    """A fresh copy of the store holding the sample data (upload 1)."""
    if backend == "postgresql":
        from evaluation.store.moving import copy_store

        url = request.getfixturevalue("postgres_url")
        copy_store(sample_template, url)
        return Store(url)
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_template, path)
    return Store(path)


@pytest.fixture
def no_browser():
    """The configuration without a browser (EVALUATION_BROWSER=none), for core calls."""
    from evaluation.output import render
    render.use_browser("")
    yield
    render.use_browser(None)


@pytest.fixture
def app_store(tmp_path: Path, sample_template: Path, monkeypatch: pytest.MonkeyPatch,
              backend: str, request: pytest.FixtureRequest):
    """A copy of the sample store that the app's pages open (EVALUATION_DB), with the
    app's caches emptied before and after."""
    import streamlit as st

    if backend == "postgresql":
        from evaluation.store.moving import copy_store

        path = request.getfixturevalue("postgres_url")
        copy_store(sample_template, path)
    else:
        path = tmp_path / "app.duckdb"
        shutil.copy(sample_template, path)
    monkeypatch.setenv("EVALUATION_DB", str(path))
    monkeypatch.delenv("EVALUATION_READ_ONLY", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield Store(path)
    st.cache_resource.clear()


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, all versions, in a stable order: for 'nothing changed'."""
    tables = ["uploads", "upload_files", *ENTITIES, *PLAIN_TABLES]
    if store.server:  # what PostgreSQL itself holds, never this process's mirror of it
        return _dump_postgres(store.url, tables)
    with store.connect() as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def _dump_postgres(url: str, tables: list[str]) -> dict[str, list[tuple]]:
    import duckdb

    from evaluation.store import postgres

    schemas = postgres.arrow_schemas()
    con = duckdb.connect(":memory:")
    with postgres.connect(url) as pg:
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        dumped = {}
        for t in tables:
            con.register("_rows", postgres.read_table(pg, t, schemas[t]))
            dumped[t] = con.execute("SELECT * FROM _rows ORDER BY ALL").fetchall()
            con.unregister("_rows")
        pg.rollback()
    con.close()
    return dumped


def load(store: Store, text: str | bytes, name: str = "upload.csv", *,
         commit: bool = True, user: str = "tester") -> ImportReport:
    """Import one file given as text (UTF-8) or bytes."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_files(store, [(name, data)], user=user, commit=commit)


def run_unprivileged(fn):
    """fn() in a forked child as an ordinary user (nobody) when the tests run as root,
    since root reads and writes past every permission; returns what it returned (a str)."""
    import os

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            try:
                result = str(fn())
            except BaseException as e:  # noqa: BLE001 - reported to the parent as text
                result = f"{type(e).__name__}: {getattr(e, 'message', e)}"
            os.write(write, result.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = pipe.read()
    os.waitpid(pid, 0)
    return result
