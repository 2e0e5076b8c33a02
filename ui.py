"""What every page shares: the store, cached snapshots, the sidebar and error display.

Pages stay thin: they read selections, call `evaluation`, and render. This
module is the only place that knows about Streamlit caching: the store comes
from `st.cache_resource`, and a snapshot is re-read only when the store file
changed (an upload here, or `python -m evaluation import` in a terminal).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from evaluation.access import EVALUATOR, VIEWER, AccessConfig, Actor, require_write
from evaluation.errors import EvaluationError, Problem
from evaluation.sample import ensure_store
from evaluation.snapshot import Snapshot, read_snapshot
from evaluation.store import Store

log = logging.getLogger("evaluation.ui")


@st.cache_resource(show_spinner="Opening the store...")
def get_store() -> Store:
    """The app's store (EVALUATION_DB or data/evaluation.duckdb), created on first start."""
    store = Store()
    if ensure_store(store):
        log.info("created %s with the sample data", store.path)
    return store


@st.cache_resource(max_entries=4, show_spinner=False)
def _read_snapshot(_store: Store, path: str, fingerprint: tuple[int, ...]) -> Snapshot:
    return read_snapshot(_store)


def snapshot() -> Snapshot:
    """The current content of the store; shared by all sessions until the file changes."""
    store = get_store()
    return _read_snapshot(store, str(store.path), store.fingerprint())


def auth_configured() -> bool:
    """True when `[auth]` in .streamlit/secrets.toml sets up a login (OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is local mode
        return False


def current_user() -> Actor:
    """The acting user: a signed-in person with a configured role, or the local evaluator."""
    if not auth_configured():
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "local user"
        return Actor(name, EVALUATOR, local=True)
    if not st.user.is_logged_in:
        return Actor("not signed in", VIEWER)
    email = str(st.user.get("email") or st.user.get("name") or "unknown")
    access = AccessConfig.from_mapping(st.secrets.get("access"))
    return Actor(email, access.role_of(email))


def can_write() -> bool:
    """Whether write controls should be enabled for this session."""
    return current_user().can_write and not get_store().read_only


def require_evaluator() -> Actor:
    """Stop with a refusal unless the session may write (the core checks again)."""
    return require_write(current_user())


@contextmanager
def guarded() -> Iterator[None]:
    """Show a library error as a message, never a stack trace; stop the page there."""
    try:
        yield
    except EvaluationError as e:
        st.error(f"**{e.title}.** {e.message}")
        st.stop()
    except Exception:  # noqa: BLE001 - the last line of defence for a page
        log.exception("unexpected error on a page")
        st.error("**Something unexpected went wrong.** Nothing was changed in the store. "
                 "Reload the page; if it happens again, tell the person who runs this "
                 "dashboard what you did just before.")
        st.stop()


def problems_table(problems: list[Problem] | tuple[Problem, ...]) -> pd.DataFrame:
    """Problems as a table a person can work through: where, what, and what to do."""
    return pd.DataFrame(
        [{"": "Error" if p.is_error else "Warning", "file": p.file,
          "line": p.line if p.line else None, "column": p.column, "value": p.value,
          "problem and what to do": p.message} for p in problems],
        columns=["", "file", "line", "column", "value", "problem and what to do"])


def sidebar(snap: Snapshot) -> None:
    """Where the data comes from and how current it is: on every page."""
    store = get_store()
    with st.sidebar:
        st.caption(f"Store: `{store.path.name}`")
        if snap.upload_id:
            st.caption(f"Data as of upload {snap.upload_id}, "
                       f"{snap.as_of_time:%Y-%m-%d %H:%M} UTC")
        if store.read_only:
            st.caption("Read-only mode: nothing can be changed here.")
