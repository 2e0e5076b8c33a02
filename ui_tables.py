"""Tables as a page shows them: in the reader's marks, and static where they are only read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from evaluation.words import current_language


def percent_format(signed: bool = False) -> str:
    """A dataframe column's printf format for whole percentages (values 0-100) in the
    reader's way: `70 %` in nb, nn and da, `70%` in English."""
    sign = "+" if signed else ""
    return f"%{sign}d%%" if current_language() == "en" else f"%{sign}d\u00a0%%"


def number_columns(frame: pd.DataFrame) -> dict:
    """Fractional columns shown with the browser's decimal mark (Streamlit writes English
    ones otherwise); whole numbers, years among them, are left as they are."""
    return {str(c): st.column_config.NumberColumn(format="localized")
            for c in frame.columns if frame[c].dtype.kind == "f"}


def static_table(frame: pd.DataFrame, right: tuple[int, ...] = ()) -> None:
    """A table of text drawn as plain HTML (scrolling sideways in a narrow column), for
    tables read rather than sorted: the interactive grid's code is half a second of a
    page's drawing in the browser, and a static table prints whole. The columns whose
    positions are in `right` (figures, years) are aligned right."""
    styled = frame.fillna("").astype(str).style.hide(axis="index")
    for position in right:
        styled = styled.set_properties(subset=[frame.columns[position]],
                                       **{"text-align": "right !important"})  # over the theme
    st.table(styled)
