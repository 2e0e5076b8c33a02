"""Exports: every format produced for real and checked; formula injection; no browser."""

from __future__ import annotations

import io
import struct
import threading
import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from evaluation.method.model import evaluate
from evaluation.output.charts import partnership_charts
from evaluation.output.exports import (
    WRITERS,
    export_files,
    neutralise,
    safe_filename,
    write_csv,
    write_xlsx,
)
from evaluation.output.render import BrowserMissing, render
from evaluation.output.views import partnership_view
from evaluation.store.snapshot import read_snapshot
from tests.conftest import needs_browser

DRAMMEN = "Ungdomsløftet Drammen"


@pytest.fixture(scope="module")
def charts(sample_template):
    from evaluation.store.connection import Store
    ev = evaluate(read_snapshot(Store(sample_template)))
    view = partnership_view(ev, DRAMMEN)
    return {c.key: c for c in partnership_charts(ev, view, 2018, 2027)}


@pytest.mark.parametrize("parts, expected", [
    (("Fællesskaber Høje-Taastrup", "horizon", "2020-2027"),
     "Faellesskaber-Hoeje-Taastrup_horizon_2020-2027.png"),
    (("Sammen mot ensomhet Bodø",), "Sammen-mot-ensomhet-Bodoe.png"),
    (("a/b\\c:d*e?f\"g<h>i|j",), "a-b-c-d-e-f-g-h-i-j.png"),
    (("CON",), "_CON.png"),
    (("Ærø Åbenrå Grünerløkka",), "Aeroe-Aabenraa-Grunerloekka.png"),
    (("",), "export.png"),
])
def test_file_names_are_safe_everywhere(parts, expected):
    assert safe_filename(*parts, ext="png") == expected


@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(1)", "'@SUM(1)"), ("\tcmd", " cmd"), ("\r=cmd", "\n'=cmd"), ("a;-x", "a;'-x"),
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("-5", "-5"), ("-5.5", "-5.5"), ("+3", "+3"), ("-1e3", "-1e3"),
    (-3.2, -3.2), (7, 7), ("Trust between partners", "Trust between partners"), (None, None),
])
def test_formula_injection_is_neutralised_but_numbers_are_not(cell, expected):
    assert neutralise(cell) == expected


def _hostile(chart):
    data = pd.DataFrame({"partnership": ["=cmd|' /C calc'!A0", "Askim"], "value": [-2.5, 3.0],
                         "note": ["@SUM(1)", "-4"]})
    return type(chart)(chart.key, "=title", chart.make, data, "+subject", chart.years,
                       chart.as_of, chart.weights)


def test_csv_states_what_it_is_and_is_safe(charts):
    chart = _hostile(charts["horizon"])
    raw = write_csv(chart)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert '"# title","\'=title"' in text and '"# subject","\'+subject"' in text
    assert '"# weights","Weights: involvement 33%' in text
    assert '"# data","Data as of upload 1' in text
    about = text.split("\r\n\r\n")[0].count("\r\n") + 2  # the lines above the table
    back = pd.read_csv(io.BytesIO(raw), skiprows=about, encoding="utf-8-sig")
    assert back["partnership"][0].startswith("'=cmd")
    assert back["value"].tolist() == [-2.5, 3.0]  # real negative numbers stay numbers
    assert back["note"].tolist() == ["'@SUM(1)", "-4"]  # a number as text, untouched


def test_xlsx_has_data_and_about_sheets_without_formulas(charts):
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(_hostile(charts["horizon"]))))
    data = book["data"]
    assert data["A2"].value.startswith("'=cmd") and data["A2"].data_type == "s"
    assert data["B2"].value == -2.5 and data["B2"].data_type == "n"
    about = {r[0].value: r[1].value for r in book["about"].iter_rows(min_row=2)}
    assert about["title"] == "'=title" and about["data"].startswith("Data as of upload 1")


def test_html_is_standalone_and_titled(charts):
    html = WRITERS["html"](charts["horizon"]).decode()
    assert "<html>" in html[:200] and "<title>" in html
    assert "plotly" in html and "<script src=\"https://cdn.plot.ly" not in html
    assert "Data as of upload 1" in html  # the provenance line


@needs_browser
def test_png_is_print_resolution_with_dpi(charts):
    png = WRITERS["png"](charts["horizon"])
    width, height = struct.unpack(">II", png[16:24])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and width >= 2480 and height > 800
    assert b"pHYs" in png[:100]
    x_density = struct.unpack(">I", png[png.index(b"pHYs") + 4:][:4])[0]
    assert round(x_density * 0.0254) == 300


@needs_browser
def test_svg_parses_and_pdf_has_one_page_with_the_title(charts):
    svg = WRITERS["svg"](charts["indicator_OUT_NEET"])
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Ungdomsløftet Drammen" in svg.decode()
    reader = PdfReader(io.BytesIO(WRITERS["pdf"](charts["horizon"])))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "pillar scores and balanced index" in text and "Data as of upload 1" in text


@needs_browser
def test_concurrent_exports_never_get_each_others_image(charts):
    keys = [k for k in charts if k.startswith("indicator_")][:6]
    results: dict[str, bytes] = {}

    def work(key: str) -> None:
        for _ in range(2):
            results[key] = WRITERS["svg"](charts[key])

    threads = [threading.Thread(target=work, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key in keys:
        code = key.removeprefix("indicator_")
        assert code in results[key].decode(), key


def test_without_a_browser_only_html_and_data_are_offered(charts, no_browser):
    formats = {f.name.rsplit(".", 1)[1] for f in export_files(charts["horizon"])}
    assert formats == {"html", "csv", "xlsx"}
    with pytest.raises(BrowserMissing, match="apt-get install chromium"):
        render(charts["horizon"].figure(), "png")


def test_every_export_names_partnership_chart_and_years(charts):
    names = [f.name for f in export_files(charts["horizon"])]
    assert "Ungdomsloeftet-Drammen_horizon_2018-2027.csv" in names
