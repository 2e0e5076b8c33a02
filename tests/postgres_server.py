"""A throwaway PostgreSQL server for the tests: Debian's `postgresql` package, a cluster
in a temporary folder made with initdb and started with pg_ctl as a non-root user,
listening on 127.0.0.1 only. Never a mock.

The superuser is only used to make roles and databases; the store's tests connect as
`evaluation`, a role without superuser that owns its database, as a deployment's app
user would.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

ADMIN_PASSWORD = "admin-secret"
APP_USER, APP_PASSWORD = "evaluation", "app-secret"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (15 or newer), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found and int(Path(found[-1]).parts[-3]) >= 15:
        return Path(found[-1]).parent
    return None


class Server:
    """A running cluster; `database()` makes an empty database owned by the app user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._numbers = count(1)

    def url(self, database: str, user: str = APP_USER, password: str | None = None) -> str:
        """Without a password the app's user finds it in PGPASSWORD, as a deployment's
        would (and the URL is then also what messages print)."""
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres", "postgres", ADMIN_PASSWORD),
                             autocommit=True) as con:
            con.execute(sql)

    def database(self, with_password: bool = False) -> str:
        """A new, empty database for one test; its URL."""
        name = f"store_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name} OWNER {APP_USER}")
        return self.url(name, password=APP_PASSWORD if with_password else None)


@contextmanager
def running() -> Iterator[Server]:
    """Start a cluster for the test session and remove it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    user = _unprivileged()
    data, password_file = folder / "data", folder / "password"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    if user is not None:
        shutil.chown(folder, user)
        shutil.chown(password_file, user)
    port = _free_port()
    bin_dir = binaries()
    try:
        _run(user, [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth-local=trust", "--auth-host=scram-sha-256",
                    f"--pwfile={password_file}", "-E", "UTF8", "--locale=C.UTF-8"])
        _run(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                    "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
                          "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start"])
        server = Server(port)
        server.admin(f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER "
                     "NOCREATEDB NOCREATEROLE")
        os.environ["PGPASSWORD"] = APP_PASSWORD  # the app user's, for this process and its children
        yield server
    finally:
        os.environ.pop("PGPASSWORD", None)
        if (data / "postmaster.pid").exists():
            _run(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                        "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _unprivileged() -> str | None:
    """PostgreSQL refuses to run as root: as root, the cluster runs as `postgres`."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return "nobody"


def _run(user: str | None, command: list[str], check: bool = True) -> None:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/")
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
