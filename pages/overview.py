"""Overview: every partnership at a glance, filtered and sorted; click one to open it."""

from __future__ import annotations

from datetime import date

import streamlit as st

import ui
import ui_tables
from evaluation.method.horizon import PHASE_WORDS
from evaluation.method.statuses import STATUS_LABELS, status_words
from evaluation.output.views import SORTS, filter_portfolio
from evaluation.words import _, percent

ui.page_setup()

st.title(_("Partnerships at a glance"))
with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
    reference_year = date.today().year
    table = ui.portfolio(reference_year)
ui.sidebar()

if table.empty:
    st.info(_("There are no partnerships yet. Evaluators can add them on the Upload page."))
    st.stop()

st.caption(ui.plain(_("{as_of} · {weights} · scores are the share of the way from baseline "
                      "to target, 0-100 %").format(as_of=ui.as_of_text(snap),
                                                    weights=result.settings.describe_weights())))

cols = st.columns([2, 2, 2, 2])
municipalities = cols[0].multiselect(_("Municipality"),
                                     sorted(table["municipality"].dropna().unique()),
                                     placeholder=_("All"))
phases = cols[1].multiselect(_("Phase (this year)"), ["early", "middle", "later", "before start",
                                                      "after horizon"],
                             format_func=lambda p: _(PHASE_WORDS[p]), placeholder=_("All"))
statuses = cols[2].multiselect(_("Has an indicator that is"), list(STATUS_LABELS),
                               format_func=status_words, placeholder=_("Any"))
sort = cols[3].selectbox(_("Sort by"), list(SORTS), format_func=lambda key: _(SORTS[key][0]))

shown = filter_portfolio(table, municipalities=municipalities, phases=phases,
                         statuses=statuses, sort=sort)

metric_cols = st.columns(4)
metric_cols[0].metric(_("Partnerships shown"),
                      _("{shown} of {total}").format(shown=len(shown), total=len(table)))
good, total = int(shown["on_track_or_better"].sum()), int(shown["n_indicators"].sum())
metric_cols[1].metric(_("Indicators on track or better"),
                      _("{shown} of {total}").format(shown=good, total=total))
median = shown["balanced"].median()
metric_cols[2].metric(_("Median balanced index"), "–" if median != median else percent(median))
metric_cols[3].metric(_("Oldest latest data"), str(shown["latest_data"].min()))

# Shares as whole percentages ("70 %" in nb, "70%" in en): Streamlit's own percent format
# writes English decimals whatever the page's language.
shares = ["balanced", "involvement", "process", "outcome", "coverage"]
shown_as = shown.assign(**{c: shown[c] * 100 for c in [*shares, "balanced_change"]},
                        phase=shown["phase"].map(lambda p: _(PHASE_WORDS.get(p, p))))
share = {"format": ui_tables.percent_format(), "min_value": 0.0, "max_value": 100.0}
event = st.dataframe(
    shown_as[["partnership", "municipality", "horizon_position", "phase", "balanced",
              "involvement", "process", "outcome", "balanced_change", "indicators",
              "latest_data", "coverage"]],
    hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="portfolio_table",
    column_config={
        "partnership": st.column_config.TextColumn(_("Partnership"), width="medium"),
        "municipality": _("Municipality"), "phase": _("Phase"),
        "horizon_position": st.column_config.TextColumn(
            _("Year of horizon"), help=_("In {year}").format(year=reference_year)),
        "balanced": st.column_config.ProgressColumn(_("Balanced index"), width="small",
                                                  **share),
        "involvement": st.column_config.ProgressColumn(_("Involvement"), width="small",
                                                     **share),
        "process": st.column_config.ProgressColumn(_("Process"), width="small", **share),
        "outcome": st.column_config.ProgressColumn(_("Outcome"), width="small", **share),
        "balanced_change": st.column_config.NumberColumn(
            _("Change since start"), format=ui_tables.percent_format(signed=True),
            help=_("Balanced index in the latest scored year minus in the first")),
        "indicators": st.column_config.TextColumn(
            _("Indicators by status"),
            help=" · ".join(f"{symbol} {_(words)}" for words, symbol in STATUS_LABELS.values())),
        "latest_data": st.column_config.NumberColumn(_("Latest data"), format="%d"),
        "coverage": st.column_config.ProgressColumn(
            _("Coverage"), help=_("Indicators counted in the scores / indicators used"),
            **share),
    })
st.caption(_("Select a row to open that partnership."))
if event.selection.rows:
    chosen = shown.iloc[event.selection.rows[0]]["partnership"]
    st.session_state["sel_partnership"] = chosen
    st.switch_page("pages/partnership.py", query_params={"partnership": chosen})

st.header(_("Scores by partnership"))
page_size = 25
pages = max(1, -(-len(shown) // page_size))
page = st.number_input(_("Page (of {pages}, {page_size} partnerships each)").format(
    pages=pages, page_size=page_size), 1, pages, 1) \
    if pages > 1 else 1
block = shown.iloc[(page - 1) * page_size: page * page_size]
subject = (_("All partnerships") if len(shown) == len(table)
           else _("{n} partnerships shown").format(n=len(shown)))
charts = ui.portfolio_page_charts(block["partnership"].tolist(),
                                  shown["partnership"].tolist(), subject)
ui.chart(charts[0])
ui.chart(charts[1])
