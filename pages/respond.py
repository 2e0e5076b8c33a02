"""The respondent's page: one survey round's form, reached by its link (`/?survey=TOKEN`).

It shows nothing else of the dashboard (no menu, no sidebar, no results) and asks for
no sign-in. No name, e-mail or address is asked for or stored.
"""

from __future__ import annotations

import logging

import streamlit as st

import ui
import ui_language
from evaluation.errors import EvaluationError
from evaluation.intake.rounds import SurveyClosed, new_submission_id, submit_answers
from evaluation.limits import ACTOR_TYPES
from evaluation.method.survey import group_label, statements
from evaluation.words import N_, _, current_language

SCALE = (1, 2, 3, 4, 5, 0)  # 0 stands for "don't know" on the form; it is stored as missing
SCALE_WORDS = {1: N_("Strongly disagree"), 5: N_("Strongly agree")}

token = str(st.query_params.get("survey", ""))
sent = st.session_state.setdefault("survey_sent", {})
if token in sent:  # answered in this browser: thanks, and nothing more is drawn or read
    if sent[token] is None:
        st.title(_("Thank you!"))
        st.success(_("Your answers have been sent. You can close this page."))
    else:
        st.title(_("Survey"))
        st.info(ui.plain(sent[token]))
    st.stop()
with ui.guarded():
    link = ui.survey_link(token)
if link is None:
    st.title(_("Survey"))
    st.info(_("This survey link is not known. Check that the whole link was copied from the "
              "invitation, or ask the person who sent it for a new one."))
    st.stop()
if not link.open:
    st.title(_("Survey"))
    st.info(_("This survey is closed and takes no more answers. Thank you for your interest."))
    st.stop()
form_id = st.session_state.setdefault(f"survey_form_{token}", new_submission_id())


def send() -> None:
    """Runs on "Send my answers", before the page is drawn again: the answers are read from
    the form's widgets and stored once; the next run only says thank you."""
    state = st.session_state
    actor = state.get("survey_actor")
    answers = {item: (None if state[f"item_{item}"] == 0 else int(state[f"item_{item}"]))
               for item in link.items["item"] if state.get(f"item_{item}") is not None}
    if actor is None:
        state["survey_problem"] = _("Choose the kind of organisation you answer for (at the "
                                    "top), then send again.")
        return
    if not answers:
        state["survey_problem"] = _("You have not answered any statement yet.")
        return
    try:
        submit_answers(ui.get_store(), token, form_id, actor, state.get("survey_partner"),
                       answers)
    except SurveyClosed as e:  # already sent (a double click), closed meanwhile, unknown
        sent[token] = None if e.title == _("Already sent") else e.message
        return
    except EvaluationError as e:
        state["survey_problem"] = e.message
        return
    except Exception:  # noqa: BLE001 - a callback has no page guard: never a stack trace
        logging.getLogger("evaluation.ui").exception("a survey answer could not be stored")
        state["survey_problem"] = _("Your answers could not be sent just now; nothing was "
                                    "stored. Please press the button again in a moment.")
        return
    sent[token] = None


st.title(ui.plain(link.partnership))
st.subheader(_("How does the collaboration work? Survey {year}").format(year=link.year))
ui_language.language_picker(st)  # the statements and the form follow the page's language
chosen = current_language()
st.write(_("The partnership asks everyone who takes part how the collaboration works. "
           "Answering takes about five minutes. Your answers are anonymous: no name, e-mail "
           "or address is stored, and results are only ever shown for groups of at least "
           "{min} respondents.").format(min=link.min_n))

items = statements(link.items, chosen)
with st.form(f"survey_{token}", border=False):
    st.radio(_("What kind of organisation do you answer for?"),
             list(ACTOR_TYPES),
             format_func=group_label, index=None, key="survey_actor")
    st.selectbox(_("Your organisation (optional: it helps count which partners answered; it "
                   "is never shown with your answers)"), link.partners["partner"].tolist(),
                 index=None, placeholder=_("Rather not say"), key="survey_partner")
    st.caption(_("For each statement: 1 = strongly disagree … 5 = strongly agree, or "
                 "\"don't know\"."))
    for _factor, rows in items.groupby("factor", sort=False):
        st.markdown(f"**{ui.plain(rows['factor_name'].iloc[0])}**")
        for row in rows.itertuples():
            st.radio(ui.plain(row.statement), SCALE, index=None, horizontal=True,
                     key=f"item_{row.item}",
                     format_func=lambda v: _("Don't know") if v == 0 else str(v))
    st.form_submit_button(_("Send my answers"), type="primary", width="stretch", on_click=send)
if problem := st.session_state.pop("survey_problem", None):
    st.error(ui.plain(problem))
