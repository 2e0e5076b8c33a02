"""The survey in the app: the evaluator's Survey page (AppTest) and the respondent's form,
under AppTest and in Chromium at a phone's width."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from evaluation.intake import rounds
from evaluation.store.snapshot import read_snapshot
from tests.test_pages import app, page, text_of

ROOT = Path(__file__).resolve().parent.parent
BODO = "Sammen mot ensomhet Bodø"
DRAMMEN = "Ungdomsløftet Drammen"


def respondent(token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["survey"] = token
    return at.run()


def test_the_survey_page_shows_a_rounds_results(app_store):
    at = app("survey", partnership=DRAMMEN)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = text_of(at)
    assert "21 respondents from" in text
    assert len(at.get("plotly_chart")) == 3  # profile, change, gaps


def test_the_survey_page_never_shows_a_small_groups_figures(app_store):
    at = app("survey", partnership=BODO)
    at.selectbox(key="survey_year").set_value(2024).run()
    assert not at.exception
    table = at.dataframe[-1].value
    business = table[table.iloc[:, 1] == "Business"]
    assert len(business) and business.iloc[:, 3].isna().all()
    assert "Business" in text_of(at)  # named as not shown


def test_an_evaluator_opens_a_round_and_gets_its_link(app_store):
    at = page("survey", partnership=BODO)
    at.number_input[0].set_value(2026)
    at.button[0].click().run()  # the form's "Open round"
    assert not at.exception, at.exception
    links = [c.value for c in at.code]
    assert links and "/?survey=" in links[0]
    token = links[0].rsplit("=", 1)[1]
    assert rounds.round_link(app_store, token).open


def test_the_respondent_page_shows_the_form_and_nothing_else(app_store):
    token = rounds.open_round(app_store, BODO, 2026, "evaluator")
    at = respondent(token)
    assert not at.exception, at.exception
    assert at.title[0].value == BODO
    assert len(at.radio) == 1 + 33  # actor type, then every statement
    assert not at.sidebar.button  # no sign-out, no menu
    text = text_of(at)
    assert "Data as of upload" not in text and "Weights" not in text
    assert not at.get("plotly_chart")


def test_a_respondent_submits_once(app_store):
    token = rounds.open_round(app_store, BODO, 2026, "evaluator")
    at = respondent(token)
    at.radio[0].set_value("civil_society")
    at.radio[1].set_value(4)
    at.radio[2].set_value(0)  # don't know
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Thank you!"
    submitted = rounds.round_overview(app_store)
    assert int(submitted.loc[submitted["year"] == 2026, "respondents"].iloc[0]) == 1
    at.run()  # reloading the page does not send again
    assert int(rounds.round_overview(app_store).query("year == 2026")["respondents"].iloc[0]) == 1
    rounds.close_round(app_store, BODO, 2026, "evaluator")
    answers = read_snapshot(app_store).answers.query("year == 2026")
    assert len(answers) == 2 and answers["value"].isna().sum() == 1


def test_a_closed_or_unknown_link_gets_a_plain_message(app_store):
    at = respondent("Q" * 22)
    assert "not known" in at.info[0].value and not at.radio
    token = rounds.open_round(app_store, BODO, 2026, "evaluator")
    rounds.close_round(app_store, BODO, 2026, "evaluator")
    at = respondent(token)
    assert "closed" in at.info[0].value and not at.radio


def test_the_respondent_form_is_not_sent_without_an_actor_type(app_store):
    token = rounds.open_round(app_store, BODO, 2026, "evaluator")
    at = respondent(token)
    at.radio[1].set_value(4)
    at.button[0].click().run()
    assert "Choose the kind of organisation" in at.error[0].value
    assert int(rounds.round_overview(app_store).query("year == 2026")["respondents"].iloc[0]) == 0
