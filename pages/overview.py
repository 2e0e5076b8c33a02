"""Overview: every partnership at a glance, filtered and sorted; click one to open it."""

from __future__ import annotations

from datetime import date

import streamlit as st

import ui
from evaluation.method.statuses import STATUS_LABELS, status_words
from evaluation.output.views import SORTS, filter_portfolio

ui.page_setup()

st.title("Partnerships at a glance")
with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
    reference_year = date.today().year
    table = ui.portfolio(reference_year)
ui.sidebar()

if table.empty:
    st.info("There are no partnerships yet. Evaluators can add them on the Upload page.")
    st.stop()

st.caption(ui.plain(f"{ui.as_of_text(snap)} · {result.settings.describe_weights()} · "
                    "scores are the share of the way from baseline to target, 0-100 %"))

cols = st.columns([2, 2, 2, 2])
municipalities = cols[0].multiselect("Municipality",
                                     sorted(table["municipality"].dropna().unique()))
phases = cols[1].multiselect("Phase (this year)", ["early", "middle", "later", "before start",
                                                   "after horizon"])
statuses = cols[2].multiselect("Has an indicator that is", list(STATUS_LABELS),
                               format_func=status_words)
sort = cols[3].selectbox("Sort by", list(SORTS))

shown = filter_portfolio(table, municipalities=municipalities, phases=phases,
                         statuses=statuses, sort=sort)

metric_cols = st.columns(4)
metric_cols[0].metric("Partnerships shown", f"{len(shown)} of {len(table)}")
good, total = int(shown["on_track_or_better"].sum()), int(shown["n_indicators"].sum())
metric_cols[1].metric("Indicators on track or better", f"{good} of {total}")
median = shown["balanced"].median()
metric_cols[2].metric("Median balanced index", "–" if median != median else f"{median:.0%}")
metric_cols[3].metric("Oldest latest data", str(shown["latest_data"].min()))

percent = {"format": "percent", "min_value": 0.0, "max_value": 1.0}
event = st.dataframe(
    shown[["partnership", "municipality", "horizon_position", "phase", "balanced", "involvement",
             "process", "outcome", "balanced_change", "indicators", "latest_data", "coverage"]],
    hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="portfolio_table",
    column_config={
        "partnership": st.column_config.TextColumn("Partnership", width="medium"),
        "municipality": "Municipality", "phase": "Phase",
        "horizon_position": st.column_config.TextColumn("Year of horizon",
                                                        help=f"In {reference_year}"),
        "balanced": st.column_config.ProgressColumn("Balanced index", width="small", **percent),
        "involvement": st.column_config.ProgressColumn("Involvement", width="small", **percent),
        "process": st.column_config.ProgressColumn("Process", width="small", **percent),
        "outcome": st.column_config.ProgressColumn("Outcome", width="small", **percent),
        "balanced_change": st.column_config.NumberColumn(
            "Change since start", format="percent",
            help="Balanced index in the latest scored year minus in the first"),
        "indicators": st.column_config.TextColumn(
            "Indicators by status",
            help=" · ".join(f"{symbol} {words}" for words, symbol in STATUS_LABELS.values())),
        "latest_data": st.column_config.NumberColumn("Latest data", format="%d"),
        "coverage": st.column_config.ProgressColumn(
            "Coverage", help="Indicators counted in the scores / indicators used", **percent),
    })
st.caption("Select a row to open that partnership.")
if event.selection.rows:
    chosen = shown.iloc[event.selection.rows[0]]["partnership"]
    st.session_state["sel_partnership"] = chosen
    st.switch_page("pages/partnership.py", query_params={"partnership": chosen})

st.header("Scores by partnership")
page_size = 25
pages = max(1, -(-len(shown) // page_size))
page = st.number_input(f"Page (of {pages}, {page_size} partnerships each)", 1, pages, 1) \
    if pages > 1 else 1
block = shown.iloc[(page - 1) * page_size: page * page_size]
subject = "All partnerships" if len(shown) == len(table) else f"{len(shown)} partnerships shown"
charts = ui.portfolio_page_charts(block["partnership"].tolist(),
                                  shown["partnership"].tolist(), subject)
ui.chart(charts[0])
ui.chart(charts[1])
