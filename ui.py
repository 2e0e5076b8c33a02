"""What every page shares: the store, cached snapshots, the sidebar and error display.

Pages stay thin: they read selections, call `evaluation`, and render. This
module is the only place that knows about Streamlit caching: the store comes
from `st.cache_resource`, and a snapshot is re-read only when the store file
changed (an upload here, or `python -m evaluation import` in a terminal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pandas as pd
import streamlit as st

import login
import ui_language
import ui_tables
from evaluation.access import ROLE_WORDS, Actor, require_write
from evaluation.config import Config
from evaluation.errors import (
    CHOOSE_STORE,
    CREATE_STORE,
    LEAVE_READ_ONLY,
    UPDATE_STORE,
    EvaluationError,
)
from evaluation.intake.rounds import RoundLink, round_link
from evaluation.intake.sample import ensure_store
from evaluation.method.model import Evaluation, evaluate
from evaluation.output.charts import Chart, comparison_chart, partnership_charts, portfolio_charts
from evaluation.output.exports import export_files
from evaluation.output.render import INSTALL_HINT, browser_available, use_browser
from evaluation.output.survey_figures import survey_charts
from evaluation.output.survey_views import RoundView, round_view
from evaluation.output.views import (
    PartnershipView,
    partnership_view,
    portfolio_table,
    status_counts,
)
from evaluation.store.connection import Store
from evaluation.store.snapshot import Snapshot, read_snapshot
from evaluation.text import markdown_literal, suggest
from evaluation.words import N_, _, current_language

log = logging.getLogger("evaluation.ui")


@st.cache_resource(show_spinner=False)
def config() -> Config:
    """The configuration, read here once per process from the environment."""
    return Config.from_environment()


@st.cache_resource(show_spinner=N_("Opening the store..."))
def get_store() -> Store:
    """The app's store (EVALUATION_DB or data/evaluation.duckdb), created on first start."""
    config_ = config()
    use_browser(config_.browser)
    password = login.store_password() if isinstance(config_.store, str) else None
    store = Store(config_.store, read_only=config_.read_only, lock_timeout=config_.lock_timeout,
                  **({"password": password} if password else {}))
    if ensure_store(store):
        log.info("created %s with the sample data", store.path)
    return store


@st.cache_resource(max_entries=4, show_spinner=False)
def _read_snapshot(_store: Store, path: str, content: tuple) -> Snapshot:
    return read_snapshot(_store)


def _current() -> tuple[Snapshot, tuple]:
    """The current snapshot and the version key of everything built from it.

    The snapshot is re-read whenever the stored content changes (a new upload, a
    restore; not answers sent to an open survey round); what is built from it is keyed
    by content: the latest upload with its time (a restored backup can carry the
    upload number of the store it replaced, never also its time) and the settings.
    A re-read that finds the same content (a checkpoint, a commit in progress)
    reuses every evaluation, view and chart already built.
    """
    store = get_store()
    snap = _read_snapshot(store, str(store.path), store.content_version())
    return snap, (str(store.path), snap.upload_id, snap.as_of_time,
                  tuple(sorted(snap.settings.items())))


def snapshot() -> Snapshot:
    """The current content of the store; shared by all sessions until the file changes."""
    return _current()[0]


@st.cache_resource(max_entries=4, show_spinner=False)
def _evaluate(_snap: Snapshot, version: tuple) -> Evaluation:
    return evaluate(_snap)


def _evaluated() -> tuple[Evaluation, tuple]:
    """The current evaluation with its version key, read together: a view cached under a
    key must be built from that key's data even when a commit lands meanwhile."""
    snap, version = _current()
    return _evaluate(snap, version), version


def evaluation() -> Evaluation:
    """The method applied to the current snapshot; computed once per store version."""
    return _evaluated()[0]


@st.cache_resource(max_entries=64, show_spinner=False)
def _partnership_view(_ev: Evaluation, version: tuple, name: str,
                      language: str) -> PartnershipView:
    return partnership_view(_ev, name)


@st.cache_resource(max_entries=64, show_spinner=False)
def _partnership_charts(_ev: Evaluation, version: tuple, name: str, low: int,
                        high: int, language: str) -> list[Chart]:
    return partnership_charts(_ev, _partnership_view(_ev, version, name, language), low, high)


def partnership(name: str) -> PartnershipView:
    """One partnership's view, built once per store version and language and shared by
    all sessions (every cache of words is keyed by the language)."""
    return _partnership_view(*_evaluated(), name, current_language())


def partnership_page_charts(name: str, low: int, high: int) -> list[Chart]:
    """Its charts for the years shown, likewise (building figures is most of a page's cost)."""
    return _partnership_charts(*_evaluated(), name, low, high, current_language())


@st.cache_resource(max_entries=16, show_spinner=False)
def _portfolio(_ev: Evaluation, version: tuple, reference_year: int,
               language: str) -> pd.DataFrame:
    return portfolio_table(_ev, reference_year)


def portfolio(reference_year: int) -> pd.DataFrame:
    """The overview table, once per store version (callers must not modify it)."""
    return _portfolio(*_evaluated(), reference_year, current_language())


@st.cache_resource(max_entries=64, show_spinner=False)
def _portfolio_charts(_ev: Evaluation, version: tuple, page: tuple[str, ...],
                      shown: tuple[str, ...], subject: str, language: str) -> list[Chart]:
    table = _portfolio(_ev, version, date.today().year, language)
    rows = table.set_index("partnership").loc[list(page)].reset_index()
    return portfolio_charts(_ev, rows, status_counts(_ev, list(shown)), subject)


def portfolio_page_charts(page: list[str], shown: list[str], subject: str) -> list[Chart]:
    """The overview's charts: scores for the partnerships on this page, statuses for all
    partnerships the filters show."""
    return _portfolio_charts(*_evaluated(), tuple(page), tuple(shown), subject,
                             current_language())


@st.cache_resource(max_entries=64, show_spinner=False)
def _comparison(_ev: Evaluation, version: tuple, indicator: str, align: str,
                highlight: tuple[str, ...], language: str) -> Chart:
    return comparison_chart(_ev, indicator, align, list(highlight))


def comparison(indicator: str, align: str, highlight: list[str]) -> Chart:
    return _comparison(*_evaluated(), indicator, align, tuple(highlight), current_language())


@st.cache_resource(max_entries=64, show_spinner=False)
def _survey(_ev: Evaluation, version: tuple, name: str, year: int,
            language: str) -> tuple[RoundView, list[Chart]]:
    view = round_view(_ev, name, year)
    return view, survey_charts(_ev, view)


def survey_round(name: str, year: int) -> tuple[RoundView, list[Chart]]:
    """One survey round's view and charts, built once per store version and language."""
    return _survey(*_evaluated(), name, year, current_language())


@st.cache_resource(ttl=5, max_entries=256, show_spinner=False)
def _survey_link(_store: Store, path: str, token: str) -> RoundLink | None:
    return round_link(_store, token)


def survey_link(token: str) -> RoundLink | None:
    """The round a respondent's link opens, read at most every 5 s per link: 500 people
    opening one link in a minute read the store a dozen times, not 500 (whether it is
    still open is checked again, in the store, when the answers are sent)."""
    store = get_store()
    return _survey_link(store, str(store.path), token)


def choose(label: str, options: list, param: str, *, format_func=str, help: str | None = None):
    """A selectbox whose choice lives in the URL (`?param=`) and carries across pages."""
    if not options:
        return None
    key, remembered = f"w_{param}", f"sel_{param}"
    linked = st.query_params.get(param)
    wanted = linked or st.session_state.get(remembered)
    if st.session_state.get(key) not in options:
        st.session_state[key] = wanted if wanted in options else options[0]
        if linked and linked not in options:
            st.warning(plain(_("The link asks for {what} '{linked}', which does not "
                               "exist{hint}; showing '{first}' instead.").format(
                what=label.lower(), linked=linked,
                hint=suggest(linked, [str(o) for o in options]),
                first=format_func(options[0]))))
    value = st.selectbox(label, options, key=key, format_func=format_func, help=help)
    st.session_state[remembered] = value
    st.query_params[param] = str(value)
    return value


def choose_years(first: int, last: int, default_first: int | None = None) -> tuple[int, int]:
    """A year-range slider kept in the URL as `?from=&to=` (from `default_first` by default)."""
    def _param(name: str, default: int) -> int:
        raw = st.query_params.get(name) or st.session_state.get(f"sel_{name}")
        try:
            return min(max(int(raw), first), last)
        except (TypeError, ValueError):
            return default
    if first >= last:
        return first, last
    low = _param("from", first if default_first is None else max(first, default_first))
    high = _param("to", last)
    if st.session_state.get("w_years") is None or not (
            first <= st.session_state["w_years"][0] <= st.session_state["w_years"][1] <= last):
        st.session_state["w_years"] = (low, max(low, high))
    low, high = st.slider(_("Years shown"), first, last, key="w_years")
    st.session_state["sel_from"], st.session_state["sel_to"] = low, high
    st.query_params["from"], st.query_params["to"] = str(low), str(high)
    return low, high


def chart(item: Chart, *, compact: bool = False, column_config: dict | None = None) -> None:
    """A chart with its data one click away and every export, or a plain sentence when
    there is nothing to draw."""
    fig = item.figure(compact=compact)
    if fig is None:
        st.info(plain(item.empty))
        return
    st.plotly_chart(fig, key=f"chart_{item.key}", config={"displaylogo": False})
    data_col, download_col = st.columns([6, 1])
    # The table and the download menu are filled only when opened: a partnership page
    # has a dozen charts, and every viewer would otherwise pay for all of them.
    data = data_col.expander(_("Data behind this chart"), key=f"data_{item.key}",
                             on_change="rerun")
    if data.open:
        with data:
            st.dataframe(item.data, hide_index=True, width="stretch",
                         column_config={**ui_tables.number_columns(item.data),
                                        **(column_config or {})})
    menu = download_col.popover(":material/download:", help=_("Download this chart or its data"),
                                width="stretch", key=f"menu_{item.key}", on_change="rerun")
    if menu.open:
        with menu:
            for f in export_files(item):
                st.download_button(f.name.rsplit(".", 1)[1].upper(),
                                   _logged(ui_language.in_language(f.data), f.name),
                                   file_name=f.name,
                                   mime=f.mime, key=f"dl_{item.key}_{f.name}",
                                   width="stretch", on_click="ignore")
            if not browser_available():
                st.caption(_(INSTALL_HINT))


def _logged(make: Callable[[], bytes], name: str) -> Callable[[], bytes]:
    """A deferred download runs outside the page, where no message can be shown: its
    failure goes to the server log with the file it was for, and the browser shows
    Streamlit's own "Failed to generate file for download" under the button."""
    def run() -> bytes:
        try:
            return make()
        except Exception:
            log.exception("could not make the download %s", name)
            raise
    return run


def prepared_download(label: str, make: Callable[[], bytes], *, file_name: str, mime: str,
                      version: str, disabled: bool = False) -> None:
    """A file that takes a while and can fail (the annual report): made on a click, inside
    the page's error guard and with a spinner, then offered for download."""
    slot = f"prepared_{file_name}"
    ready = st.session_state.get(slot)
    if ready is not None and ready[0] == version:
        st.download_button(_("Download {label}").format(label=label), ready[1],
                           file_name=file_name, mime=mime,
                           on_click="ignore", type="primary", width="stretch",
                           key=f"download_{file_name}")
        return
    if st.button(_("Make {label}").format(label=label), key=f"make_{file_name}", disabled=disabled,
                 width="stretch"):
        with guarded(), st.spinner(_("Making {label}...").format(label=label)):
            data = make()
        st.session_state[slot] = (version, data)
        st.rerun()


def page_setup() -> None:
    """First call on every page: make sure the app runs through dashboard.py's navigation.

    Streamlit treats a `pages/` folder next to the entry script as its legacy
    multipage layout until some session calls st.navigation, so the very first
    visitor of a process arriving on /overview would bypass the router (no wide
    layout, file names as menu). Switching the process over and rerunning sends
    that visit through dashboard.py like every other. (AppTest has no server
    runtime and resets the flag before every run; it needs no switch.)
    """
    from streamlit import runtime
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and runtime.exists():
        PagesManager.uses_pages_directory = False
        st.rerun()
    ui_language.use_language()  # again: a page run on its own (a test) reads its words
    login.require_sign_in()


def current_user() -> Actor:
    """The acting user: a signed-in person with a configured role, or the local evaluator."""
    return login.current_user()


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
        fix = _page_fix_words(e)
        st.error(_("**{title}.** {message}").format(title=plain(e.title), message=plain(e.message))
                 + (f" {plain(fix)}" if fix else ""))
        st.stop()
    except Exception:  # noqa: BLE001 - the last line of defence for a page
        log.exception("unexpected error on a page")
        st.error(_("**Something unexpected went wrong.** Nothing was changed in the store. "
                   "Reload the page; if it happens again, tell the person who runs this "
                   "dashboard what you did just before."))
        st.stop()


def _page_fix_words(error: EvaluationError) -> str:
    """The app's own words for what to do: whom to ask, which setting the operator uses."""
    words = {
        CHOOSE_STORE: _("The person who runs this dashboard sets the store with "
                        "EVALUATION_DB."),
        CREATE_STORE: _("The person who runs this dashboard creates it first."),
        LEAVE_READ_ONLY: _("This screen is read-only (EVALUATION_READ_ONLY)."),
        UPDATE_STORE: _("The person who runs this dashboard opens the store once without "
                        "EVALUATION_READ_ONLY (for example `python -m evaluation status`)."),
    }
    return words.get(error.fix or "", "")


def plain(text: object) -> str:
    """User text for st.markdown/st.caption: every markdown character escaped, so names,
    purposes and commentary are shown as written and never as links, HTML or LaTeX."""
    return markdown_literal(text)


def as_of_text(snap: Snapshot) -> str:
    """'Data as of upload 7 (2026-11-20 14:02 UTC)': printed on pages and exports."""
    return snap.describe_as_of()


def sidebar() -> None:
    """Who is signed in, how current the data is, and which weights apply: on every page."""
    with guarded():
        store, snap, user = get_store(), snapshot(), current_user()
        weights = evaluation().settings.describe_weights()
    with st.sidebar:
        if user.local:
            st.caption(plain(_("Local mode: {name} (evaluator)").format(name=user.name)))
        else:
            st.caption(plain(_("Signed in as {name} ({role})").format(
                name=user.name, role=_(ROLE_WORDS.get(user.role, user.role)))))
            if st.button(_("Sign out"), key="sign_out"):
                st.logout()
        st.caption(plain(as_of_text(snap)))
        st.caption(plain(weights))
        if store.read_only:
            st.caption(_("Read-only mode: nothing can be changed here."))
