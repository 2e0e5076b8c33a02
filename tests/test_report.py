"""The annual report: PDF pages and text, rendered to images, the chart pack, --as-of."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from pypdf import PdfReader

from evaluation.cli import main
from evaluation.intake.edits import save_commentary
from evaluation.intake.importer import import_files
from evaluation.method.model import evaluate
from evaluation.output.render import BrowserMissing
from evaluation.output.report import annual_report_pdf, annual_report_zip
from evaluation.store.snapshot import read_snapshot
from tests.conftest import HAS_CHROMIUM, load, needs_browser

DRAMMEN = "Ungdomsløftet Drammen"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def report(sample_template):
    from evaluation.store.connection import Store
    if not HAS_CHROMIUM and not os.environ.get("CI"):
        pytest.skip("no Chromium")
    return annual_report_pdf(evaluate(read_snapshot(Store(sample_template))), DRAMMEN, 2025)


@needs_browser
def test_report_has_cover_summary_pillars_events_and_page_numbers(report):
    reader = PdfReader(io.BytesIO(report))
    pages = len(reader.pages)
    assert 4 <= pages <= 12
    text = pdf_text(report)
    for expected in ["Annual report 2025", DRAMMEN, "Summary", "Balanced index",
                     "Involvement", "Process", "Outcome", "What happened in 2025",
                     "Evaluator's commentary on 2025", "Data as of upload 1",
                     "Weights: involvement 33%", f"Page {pages} of {pages}"]:
        assert expected in text, expected
    assert reader.metadata.title == f"{DRAMMEN}: annual report 2025"


@needs_browser
def test_report_pages_render_to_images(report, tmp_path):
    if not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("pdftoppm missing under CI: .ci/run must install poppler-utils")
        pytest.skip("no pdftoppm (apt-get install poppler-utils)")
    (tmp_path / "report.pdf").write_bytes(report)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(io.BytesIO(report)).pages)
    assert all(p.stat().st_size > 5_000 for p in images)  # every page has content


@needs_browser
def test_chart_pack_has_png_svg_and_csv_for_every_chart(sample_template):
    from evaluation.store.connection import Store
    data = annual_report_zip(evaluate(read_snapshot(Store(sample_template))), DRAMMEN, 2025)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "README.txt" in names
    assert "PNG (300 dpi at A4 width) and SVG" in zipfile.ZipFile(io.BytesIO(data)).read(
        "README.txt").decode()
    stems = {n.rsplit(".", 1)[0] for n in names if n != "README.txt"}
    assert any("horizon" in s for s in stems) and any("OUT_NEET" in s for s in stems)
    for stem in stems:
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.csv"} <= set(names), stem


@needs_browser
def test_as_of_reproduces_a_published_report_after_later_changes(sample_store, tmp_path,
                                                                   capsys):
    db = ["--db", str(sample_store.path)]
    first, again, now = (tmp_path / n for n in ("first.pdf", "again.pdf", "now.pdf"))
    assert main(["report", "--partnership", DRAMMEN, "--year", "2025", "--out", str(first),
                 *db]) == 0
    load(sample_store, f"partnership,indicator,year,value\n{DRAMMEN},OUT_NEET,2025,5.0\n")
    save_commentary(sample_store, DRAMMEN, 2025, "Rewritten after publication.", "editor")
    assert main(["report", "--partnership", DRAMMEN, "--year", "2025", "--out", str(again),
                 "--as-of", "1", *db]) == 0
    assert main(["report", "--partnership", DRAMMEN, "--year", "2025", "--out", str(now),
                 *db]) == 0
    assert pdf_text(first.read_bytes()) == pdf_text(again.read_bytes())
    assert first.read_bytes() == again.read_bytes()
    assert "Rewritten after publication." in pdf_text(now.read_bytes())
    assert "Data as of upload 3" in pdf_text(now.read_bytes())


def test_report_command_errors_are_plain(sample_store, tmp_path, capsys):
    code = main(["report", "--db", str(sample_store.path), "--partnership", "Nowhere",
                 "--year", "2025", "--out", str(tmp_path / "x.pdf")])
    assert code == 1 and "There is no partnership 'Nowhere'" in capsys.readouterr().err
    code = main(["report", "--db", str(sample_store.path), "--partnership", DRAMMEN,
                 "--year", "2025", "--out", str(tmp_path / "x.docx")])
    assert code == 1 and ".pdf or .zip" in capsys.readouterr().err


def test_without_a_browser_the_pdf_is_refused_and_the_pack_has_html(sample_store, tmp_path,
                                                                      capsys, monkeypatch,
                                                                      no_browser):
    monkeypatch.setenv("EVALUATION_BROWSER", "none")
    code = main(["report", "--db", str(sample_store.path), "--partnership", DRAMMEN,
                 "--year", "2025", "--out", str(tmp_path / "r.pdf")])
    assert code == 1 and "apt-get install chromium" in capsys.readouterr().err
    ev = evaluate(read_snapshot(sample_store))
    with pytest.raises(BrowserMissing):
        annual_report_pdf(ev, DRAMMEN, 2025)
    pack = zipfile.ZipFile(io.BytesIO(annual_report_zip(ev, DRAMMEN, 2025)))
    names = pack.namelist()
    assert any(n.endswith(".html") for n in names) and not any(n.endswith(".png")
                                                               for n in names)
    readme = pack.read("README.txt").decode()
    assert "interactive HTML" in readme and "PNG (300 dpi" not in readme


def test_commentary_is_versioned_and_can_be_removed(sample_store):
    first = save_commentary(sample_store, DRAMMEN, 2026, "First words.", "anne")
    assert save_commentary(sample_store, DRAMMEN, 2026, "First words.", "anne") is None
    removed = save_commentary(sample_store, DRAMMEN, 2026, "", "anne")
    snap = read_snapshot(sample_store)
    assert 2026 not in set(snap.commentary.loc[snap.commentary.partnership == DRAMMEN, "year"])
    assert read_snapshot(sample_store, as_of=first).commentary.query("year == 2026").shape[0] == 1
    assert removed > first


@pytest.fixture
def longest_names(store):
    """A partnership whose every text is as long as the importer allows."""
    from evaluation.limits import MAX_CHARS
    name = ("Samarbeid for unge utenfor arbeid og utdanning i " * 4)[:MAX_CHARS["partnership"]]
    indicator = ("Andel unge 16-25 år som verken er i arbeid, utdanning eller opplæring "
                 * 4)[:MAX_CHARS["name"]]
    unit = ("personer per tusen innbyggere " * 3)[:MAX_CHARS["unit"]]
    event = ("Ny koordinator og nytt styre i partnerskapet etter kommunevalget " * 4
             )[:MAX_CHARS["event"]]
    group = ("frivillige organisasjoner og lag " * 3)[:MAX_CHARS["group"]]
    files = [
        ("p.csv", "partnership,municipality,start_year,horizon_years,purpose,lead\n"
         f'"{name}",Oslo,2020,8,"{"Formål. " * 300}","{"Leder " * 40}"\n'),
        ("i.csv", "indicator,name,pillar,unit,direction\n"
         f'{"X" * MAX_CHARS["indicator"]},"{indicator}",outcome,"{unit}",lower_is_better\n'),
        ("t.csv", "partnership,indicator,baseline_year,baseline,target_year,target\n"
         f'"{name}",{"X" * MAX_CHARS["indicator"]},2020,10,2027,5\n'),
        ("o.csv", "partnership,indicator,year,value,group\n" + "".join(
            f'"{name}",{"X" * MAX_CHARS["indicator"]},{y},{12 - y + 2020},{g}\n'
            for y in range(2020, 2026) for g in ('""', f'"{group}"'))),
        ("e.csv", f'partnership,year,event\n"{name}",2023,"{event}"\n'),
    ]
    report = load_all(store, files)
    assert report.committed, [p.format() for p in report.problems]
    return store, name


def load_all(store, files):
    return import_files(store, [(n, t.encode()) for n, t in files], user="t")


@needs_browser
def test_a_report_holds_the_longest_names_the_importer_allows(longest_names):
    store, name = longest_names
    data = annual_report_pdf(evaluate(read_snapshot(store)), name, 2025)
    text = pdf_text(data)
    assert "Andel unge 16-25" in text and len(PdfReader(io.BytesIO(data)).pages) >= 3


@pytest.mark.file_store
@needs_browser
def test_control_characters_in_an_old_store_do_not_break_images_or_the_report(store):
    """A store written before the importer refused control characters still exports."""
    import xml.etree.ElementTree as ET

    import duckdb

    from evaluation.output.charts import partnership_charts
    from evaluation.output.exports import WRITERS
    from evaluation.output.views import partnership_view

    load(store, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                "Escaped,Oslo,2020,8,x,y\n")
    load(store, "indicator,name,pillar,unit,direction\nI1,Trust,process,score,higher_is_better\n")
    load(store, "partnership,indicator,year,value\n" + "".join(
        f"Escaped,I1,{y},{y - 2019}\n" for y in range(2020, 2025)))
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE partnerships SET name = 'Esc' || chr(27) || '[31maped'")
    con.execute("UPDATE indicators SET unit = 'sc' || chr(7) || 'ore'")
    con.close()
    ev = evaluate(read_snapshot(store))
    name = ev.snapshot.partnerships["partnership"].iloc[0]
    charts = partnership_charts(ev, partnership_view(ev, name), 2020, 2027)
    for chart in charts:
        if chart.figure() is not None:
            ET.fromstring(WRITERS["svg"](chart))  # valid XML
    assert "Esc[31maped" in pdf_text(annual_report_pdf(ev, name, 2024))  # the ESC dropped


TINY = {
    "partnerships.csv": "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                        + "".join(f"Tiny {n},Askim,2020,6,Purpose,Lead\n" for n in "ABC"),
    "indicators.csv": "indicator,name,pillar,unit,direction,description\n"
                      "PRO_MEET,Meetings,process,count,higher_is_better,\n",
    "observations.csv": "partnership,indicator,year,value,group,source,note\n"
                        + "".join(f"Tiny {n},PRO_MEET,{y},{y - 2015},,Minutes,\n"
                                  for n in "ABC" for y in (2020, 2021, 2022)),
}


@needs_browser
def test_every_report_of_a_store_is_drawn_in_one_browser_session(store, tmp_path):
    """`report` without --partnership writes each partnership's report through the browser
    the configuration names, started once for all of them (a national store has 400)."""
    import_files(store, [(k, v.encode()) for k, v in TINY.items()], user="tester")
    started = tmp_path / "started.log"
    browser = tmp_path / "counting-browser"
    browser.write_text(f'#!/bin/sh\necho start >> "{started}"\nexec /usr/bin/chromium "$@"\n')
    browser.chmod(0o755)
    done = subprocess.run([sys.executable, "-m", "evaluation", "report", "--db", str(store.path),
                           "--year", "2022", "--out", str(tmp_path / "reports")],
                          env={**os.environ, "EVALUATION_BROWSER": str(browser)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert written == [f"Tiny-{n}_annual-report_2022.pdf" for n in "ABC"]
    assert started.read_text().split() == ["start"]
