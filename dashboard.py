"""The router: page config, the list of pages, navigation. Nothing else lives here."""

import streamlit as st

import login
import ui_language
from evaluation.words import _

ui_language.use_language()  # before any word: the titles below are in the reader's language

if "survey" in st.query_params:
    # A respondent's link: the survey form only, without sign-in, menu or results.
    st.set_page_config(page_title=_("Survey"), page_icon="📝", layout="centered",
                       initial_sidebar_state="collapsed")
    st.navigation([st.Page("pages/respond.py", title=_("Survey"), url_path="respond",
                           default=True)], position="hidden").run()
    st.stop()

st.set_page_config(page_title=_("Partnership evaluation"), page_icon="📈", layout="wide")
login.require_valid_secrets()  # a broken sign-in configuration stops every page, fail closed

pages = [
    st.Page("pages/overview.py", title=_("Overview"), icon=":material/dashboard:",
            url_path="overview", default=True),
    st.Page("pages/partnership.py", title=_("Partnership"), icon=":material/handshake:",
            url_path="partnership"),
    st.Page("pages/indicators.py", title=_("Indicators"), icon=":material/monitoring:",
            url_path="indicators"),
    st.Page("pages/survey.py", title=_("Survey"), icon=":material/forum:", url_path="survey"),
    st.Page("pages/upload.py", title=_("Upload"), icon=":material/upload_file:", url_path="upload"),
    st.Page("pages/settings.py", title=_("Settings"), icon=":material/tune:", url_path="settings"),
]
navigation = st.navigation(pages)
ui_language.language_picker()
navigation.run()
