"""Every page, the respondent's form and the annual report in each language: no text a
person reads is left in English, and two sessions in two languages each get their own.

A text is "left in English" when it equals a catalogue message whose translation in
the page's language differs (names, codes and numbers are data and stay as entered).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from evaluation import words
from evaluation.intake import rounds
from evaluation.method.model import evaluate
from evaluation.output.report import annual_report_pdf
from evaluation.store.connection import Store
from evaluation.store.snapshot import read_snapshot

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [c for c in words.offered() if c != words.SOURCE_LANGUAGE]
PAGES = ["overview", "partnership", "indicators", "survey", "upload", "settings"]
BODO = "Sammen mot ensomhet Bodø"


def english_left(code: str) -> set[str]:
    """The catalogue's English texts that read differently in `code`."""
    with open(ROOT / "evaluation" / "locale" / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=code)
    out = set()
    for m in catalog:
        if m.id and isinstance(m.id, str) and m.string and m.string != m.id:
            out.add(m.id)
    return out


def texts(at: AppTest) -> list[str]:
    """Every text of the page a person reads: titles, prose, labels, options, messages."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("button", "selectbox", "multiselect", "radio", "slider", "text_input",
                 "number_input", "checkbox", "toggle", "metric", "expander", "tab",
                 "text_area", "date_input", "select_slider"):
        for e in at.get(kind):
            label = getattr(e, "label", None)
            if label:
                out.append(str(label))
            for option in getattr(e, "options", None) or []:
                out.append(str(option))
    for frame in at.dataframe:  # the headers shown: a column's configured label, else its name
        config = json.loads(frame.proto.columns or "{}")
        for column in frame.value.columns:
            shown = config.get(str(column), {})
            if shown is None or (isinstance(shown, dict) and shown.get("hidden")):
                continue
            out.append(str(shown.get("label") or column))
    for table in at.table:
        out += [str(column) for column in table.value.columns]
    return out


def run(page: str | None, code: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page and page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.query_params["lang"] = code
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("code", TRANSLATED)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_in_the_chosen_language(app_store, code, name):
    at = run(name, code)
    assert not at.exception, at.exception
    left = sorted({t for t in texts(at) if t.strip() in english_left(code)})
    assert left == [], f"{name} in {code} shows English: {left}"
    assert at.query_params["lang"] == [code] or at.query_params["lang"] == code


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_respondents_form_reads_in_the_chosen_language(app_store, code):
    token = rounds.open_round(app_store, BODO, 2026, "evaluator")
    at = run(None, code, survey=token)
    assert not at.exception, at.exception
    left = sorted({t for t in texts(at) if t.strip() in english_left(code)})
    assert left == []
    statements = [r.label for r in at.radio][1:]
    with words.language("en"):
        english = [r.label for r in run(None, "en", survey=token).radio][1:]
    assert statements and not set(statements) & set(english)  # the instrument's own words


def test_the_browsers_language_is_used_until_one_is_chosen(app_store):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.context["locale"] = "da-DK"
    at.run()
    assert at.query_params["lang"] in ("da", ["da"])
    with words.language("da"):
        assert at.title[0].value == words._("Partnerships at a glance")
    # AppTest formats the widgets' values in the test's thread, in the language they
    # were drawn in: Danish, until the page is drawn again in nynorsk.
    with words.language("da"):
        at.selectbox(key="w_language").set_value("nn").run()
    with words.language("nn"):
        assert at.title[0].value == words._("Partnerships at a glance")
    assert at.query_params["lang"] in ("nn", ["nn"])


def test_two_sessions_in_two_languages_at_once_each_get_their_own(app_store):
    with words.language("nb"):
        nb = run("overview", "nb")
    with words.language("da"):
        da = run("overview", "da")
    with words.language("nb"):
        nb.run()  # after the Danish session ran: still Norwegian
    with words.language("nb"):
        assert nb.title[0].value == words._("Partnerships at a glance")
    with words.language("da"):
        assert da.title[0].value == words._("Partnerships at a glance")
    assert nb.title[0].value != da.title[0].value


def test_the_annual_report_in_norwegian_has_no_english_catalogue_text(sample_template,
                                                                      tmp_path):
    with words.language("nb"):
        data = annual_report_pdf(evaluate(read_snapshot(Store(sample_template))),
                                 "Nettverk friluftsliv Askim", 2025)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    lines = {" ".join(line.split()) for line in text.splitlines()}
    found = sorted(m for m in english_left("nb")
                   if len(m) > 12 and "{" not in m and any(m in line for line in lines))
    assert found == []
