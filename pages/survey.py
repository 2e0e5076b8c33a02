"""Survey: run the yearly collaboration survey (open a round, share its link and QR code,
close it) and read its results: profile, change, gaps and response rate."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

import ui
from evaluation.intake.rounds import close_round, open_round, round_overview
from evaluation.limits import MAX_YEAR, MIN_YEAR
from evaluation.method.survey import group_label
from evaluation.output.qr import qr_png, qr_svg
from evaluation.output.survey_views import rate_text, rates_table
from evaluation.words import _

ui.page_setup()
with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
    rounds = round_overview(ui.get_store())
ui.sidebar()
st.title(_("Collaboration survey"))
st.write(_("Each year the partners answer a short survey on how the collaboration works: "
           "shared purpose, decisions, trust, learning, equality between partners and more "
           "(docs/method.md). Answers are anonymous, and no figure from fewer than {min} "
           "respondents is ever shown.").format(min=result.survey.min_n))
names = snap.partnerships["partnership"].tolist()
if not names:
    st.info(_("There are no partnerships yet. Evaluators can add them on the Upload page."))
    st.stop()
name = ui.choose(_("Partnership"), names, "partnership")


def respondent_link(token: str) -> str:
    """The link respondents open: this dashboard's address with the round's token."""
    url = urlsplit(st.context.url or "http://localhost:8501/")
    base = url.path.rstrip("/")  # behind a proxy the app may live under a path prefix
    base = base[: -len("/survey")] if base.endswith("/survey") else base
    return f"{url.scheme}://{url.netloc}{base}/?survey={token}"


mine = rounds[rounds["partnership"] == name]
st.header(_("Rounds"))
if snap.instrument.empty:
    st.info(_("There is no survey instrument yet. Import one on the Upload page (the "
              "instrument file kind; sample_data/instrument.csv is the default)."))
for row in mine[mine["state"] == "open"].itertuples():
    link = respondent_link(row.token)
    with st.container(border=True):
        st.subheader(_("{year}: open, {n} respondent(s) so far").format(
            year=row.year, n=row.respondents))
        text, code = st.columns([3, 1])
        text.write(_("Paste this link into the invitation; respondents need no account:"))
        text.code(link, language=None)
        text.download_button(_("QR code (PNG)"), qr_png(link), file_name=f"survey-{row.year}.png",
                             mime="image/png", on_click="ignore", key=f"qr_png_{row.year}")
        code.image(qr_svg(link).decode(), caption=_("QR code of the link"), width=160)
        if ui.can_write():
            confirm = text.checkbox(_("No more answers: close the {year} round").format(
                year=row.year), key=f"confirm_close_{row.year}")
            if text.button(_("Close the round"), disabled=not confirm, key=f"close_{row.year}"):
                with ui.guarded():
                    upload = close_round(ui.get_store(), name, int(row.year), ui.current_user())
                st.success(_("Closed: the answers are upload {upload}.").format(upload=upload))
                st.rerun()

done = result.survey.rounds_of(name)
if done:
    st.caption(_("Rounds with results: {years}.").format(years=", ".join(map(str, done))))
if ui.can_write() and not snap.instrument.empty:
    with st.form("open_round"):
        year = st.number_input(_("Open a round for the year"), min_value=MIN_YEAR,
                               max_value=MAX_YEAR, value=date.today().year, step=1)
        if st.form_submit_button(_("Open round"), type="primary"):
            with ui.guarded():
                open_round(ui.get_store(), name, int(year), ui.require_evaluator())
            st.rerun()

st.header(_("Results"))
if not done:
    st.info(_("No closed round with answers yet. Close a round above, or import answers "
              "exported from a survey tool (the responses file kind) on the Upload page."))
    st.stop()
year = st.selectbox(_("Round"), done[::-1], key="survey_year")
with ui.guarded():
    view, charts = ui.survey_round(name, int(year))
st.write(ui.plain(rate_text(view)))
with st.expander(_("Respondents and partners by actor type")):
    st.dataframe(rates_table(view), hide_index=True, width="stretch", column_config={
        _("Share answered"): st.column_config.NumberColumn(format="percent")})
if view.hidden_groups:
    st.caption(ui.plain(_("Figures for {groups} are not shown in some factors: fewer than "
                          "{min} answered, or their figure could be worked out from the "
                          "others.").format(groups=", ".join(view.hidden_groups),
                                            min=view.min_n)))
for chart in charts:
    st.subheader(ui.plain(chart.title.split(": ", 1)[-1]).capitalize())
    ui.chart(chart)

st.subheader(_("All figures"))
table = view.results[["factor_name", "actor_type", "n", "mean", "share_agree", "dont_know",
                      "suppressed"]].copy()
table["actor_type"] = table["actor_type"].map(group_label)
st.dataframe(pd.DataFrame({
    _("Factor"): table["factor_name"], _("Group"): table["actor_type"], _("n"): table["n"],
    _("Mean (1-5)"): table["mean"], _("Agree (4-5)"): table["share_agree"],
    _("Don't know"): table["dont_know"], _("Not shown"): table["suppressed"]}),
    hide_index=True, width="stretch", column_config={
        _("Mean (1-5)"): st.column_config.NumberColumn(format="%.2f"),
        _("Agree (4-5)"): st.column_config.NumberColumn(format="percent"),
        _("Don't know"): st.column_config.NumberColumn(format="percent")})
