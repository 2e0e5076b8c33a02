"""The router: page config, the list of pages, navigation. Nothing else lives here."""

import streamlit as st

st.set_page_config(page_title="Partnership evaluation", page_icon="📈", layout="wide")

pages = [
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
]
st.navigation(pages).run()
