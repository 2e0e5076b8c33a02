"""The respondent's page: one survey round's form, reached by its link (`/?survey=TOKEN`).

It shows nothing else of the dashboard (no menu, no sidebar, no results) and asks for
no sign-in. No name, e-mail or address is asked for or stored.
"""

from __future__ import annotations

import streamlit as st

import ui
from evaluation.intake.rounds import SurveyClosed, new_submission_id, round_link, submit_answers
from evaluation.limits import LANGUAGE_CODES
from evaluation.method.survey import ACTOR_TYPE_LABELS, statements
from evaluation.words import N_, _

LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "da": "Dansk", "en": "English"}
SCALE = (1, 2, 3, 4, 5, 0)  # 0 stands for "don't know" on the form; it is stored as missing
SCALE_WORDS = {1: N_("Strongly disagree"), 5: N_("Strongly agree")}

token = str(st.query_params.get("survey", ""))
with ui.guarded():
    link = round_link(ui.get_store(), token)
if link is None:
    st.title(_("Survey"))
    st.info(_("This survey link is not known. Check that the whole link was copied from the "
              "invitation, or ask the person who sent it for a new one."))
    st.stop()
if not link.open:
    st.title(_("Survey"))
    st.info(_("This survey is closed and takes no more answers. Thank you for your interest."))
    st.stop()

sent = st.session_state.setdefault("survey_sent", set())
if token in sent:
    st.title(_("Thank you!"))
    st.success(_("Your answers have been sent. You can close this page."))
    st.stop()
form_id = st.session_state.setdefault(f"survey_form_{token}", new_submission_id())

st.title(ui.plain(link.partnership))
st.subheader(_("How does the collaboration work? Survey {year}").format(year=link.year))
chosen = st.selectbox(_("Language of the statements"), LANGUAGE_CODES,
                      format_func=LANGUAGE_NAMES.get, key="survey_language")
st.write(_("The partnership asks everyone who takes part how the collaboration works. "
           "Answering takes about five minutes. Your answers are anonymous: no name, e-mail "
           "or address is stored, and results are only ever shown for groups of at least "
           "{min} respondents.").format(min=link.min_n))

items = statements(link.items, chosen)
with st.form(f"survey_{token}", border=False):
    actor = st.radio(_("What kind of organisation do you answer for?"),
                     [a for a in ACTOR_TYPE_LABELS if a != "all"],
                     format_func=lambda a: _(ACTOR_TYPE_LABELS[a]), index=None)
    partners = link.partners["partner"].tolist()
    partner = st.selectbox(_("Your organisation (optional: it helps count which partners "
                             "answered; it is never shown with your answers)"),
                           partners, index=None, placeholder=_("Rather not say"))
    st.caption(_("For each statement: 1 = strongly disagree … 5 = strongly agree, or "
                 "\"don't know\"."))
    answers: dict[str, int | None] = {}
    for _factor, rows in items.groupby("factor", sort=False):
        st.markdown(f"**{ui.plain(rows['factor_name'].iloc[0])}**")
        for row in rows.itertuples():
            choice = st.radio(ui.plain(row.statement), SCALE, index=None, horizontal=True,
                              key=f"item_{row.item}",
                              format_func=lambda v: _("Don't know") if v == 0 else str(v))
            if choice is not None:
                answers[row.item] = None if choice == 0 else int(choice)
    send = st.form_submit_button(_("Send my answers"), type="primary", width="stretch")

if send:
    if actor is None:
        st.error(_("Choose the kind of organisation you answer for (at the top), then send "
                   "again."))
        st.stop()
    if not answers:
        st.error(_("You have not answered any statement yet."))
        st.stop()
    refused = None
    with ui.guarded():
        try:
            submit_answers(ui.get_store(), token, form_id, actor, partner, answers)
        except SurveyClosed as e:
            refused = e
    if refused is not None and refused.title != _("Already sent"):
        st.info(ui.plain(refused.message))
        st.stop()
    sent.add(token)  # sent now, or by an earlier click of the same form
    st.rerun()
