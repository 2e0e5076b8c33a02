"""Indicators: one indicator across every partnership that measures it."""

from __future__ import annotations

import streamlit as st

import ui
from evaluation.method.settings import PILLAR_WORDS
from evaluation.output.portfolio_figures import MAX_LINES
from evaluation.output.views import direction_words, indicator_info
from evaluation.words import _

ui.page_setup()

with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
ui.sidebar()
st.title(_("Compare partnerships on one indicator"))
indicators = indicator_info(snap).set_index("indicator")
measured = sorted(str(c) for c in result.assessment["indicator"].unique())
if not measured:
    st.info(_("No indicator has observations yet."))
    st.stop()

code = ui.choose(_("Indicator"), measured, "indicator",
                 format_func=lambda c: f"{c} · {indicators.loc[c, 'name']}")
info = indicators.loc[code]
st.caption(ui.plain(_("{pillar} · unit: {unit} · {direction} · {description}").format(
    pillar=_(PILLAR_WORDS[info["pillar"]]).capitalize(), unit=info["unit"] or _("none"),
    direction=direction_words(info["direction"]), description=info["description"] or "")))
align = ui.choose(_("Years"), ["calendar", "horizon"], "align",
                  format_func=lambda a: {"calendar": _("Calendar years"),
                                         "horizon": _("Aligned on year of horizon (1, 2, ...)")}[a])
partnerships = sorted(result.assessment.loc[result.assessment["indicator"] == code,
                                             "partnership"].astype(str).unique())
highlight = st.multiselect(
    _("Highlight partnerships"), partnerships, placeholder=_("None"),
    default=[p for p in [st.session_state.get("sel_partnership")] if p in partnerships],
    help=_("With more than {max_lines} partnerships the chart shows the median and bands; "
           "highlighted ones are drawn as lines.").format(max_lines=MAX_LINES))
ui.chart(ui.comparison(code, align, highlight),
         column_config={"year": st.column_config.NumberColumn(format="%d"),
                        "progress": st.column_config.NumberColumn(format="percent")})
