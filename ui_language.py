"""The reader's language at the app's edge: which one a session reads (link, choice,
browser, configuration), the picker, and numbers in tables as the reader writes them.

The language is set per script run with `words.set_language`, a context variable of
the session's thread, never process-wide: two visitors in two languages at once each
read their own. Everything cached across sessions that holds words is keyed by it
(`ui`).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from evaluation.config import Config
from evaluation.words import (
    LANGUAGE_NAMES,
    _,
    choose_language,
    current_language,
    language,
    offered,
    set_language,
)


def _default() -> str:
    import ui  # the configuration is read once, in ui

    config: Config = ui.config()
    return config.language


def use_language() -> str:
    """The session's language, set for this script run: a link's `?lang=`, else the
    session's earlier choice, else the browser's (`st.context.locale`), else the
    configured default. Kept in the URL, so a shared link opens in the same language,
    and per session (two visitors in two languages each read their own)."""
    code = choose_language(st.query_params.get("lang"), st.session_state.get("language"),
                           st.context.locale, default=_default())
    set_language(code)
    st.session_state["language"] = code
    if st.query_params.get("lang") != code:
        st.query_params["lang"] = code
    return code


def _language_picked() -> None:
    code = st.session_state["w_language"]
    st.session_state["language"] = code
    st.query_params["lang"] = code


def language_picker(where=st.sidebar) -> None:
    """The language choice, named in each language (the reader may not read the current
    one)."""
    current = current_language()
    st.session_state["w_language"] = current
    where.selectbox(_("Language") + (" · Language" if current != "en" else ""), offered(),
                    format_func=LANGUAGE_NAMES.__getitem__, key="w_language",
                    on_change=_language_picked)


def in_language(make: Callable[[], bytes | str]) -> Callable[[], bytes]:
    """`make` run in this page's language wherever Streamlit calls it: a deferred
    download is made outside the page's run, where no language is set."""
    code = current_language()

    def run() -> bytes:
        with language(code):
            data = make()
        return data.encode("utf-8") if isinstance(data, str) else data
    return run


def uploader_in_language() -> None:
    """Streamlit writes the file uploader's button ("Upload") and its size line in English
    whatever the page's language; the button is named in the reader's words and the size
    line hidden (the uploader's own label says the size and the kinds of file)."""
    word = _("Choose files").replace("\\", "\\\\").replace('"', '\\"')
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
  font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{word}"; font-size: 0.875rem; }}
</style>""")
