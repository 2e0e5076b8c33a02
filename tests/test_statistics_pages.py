"""The Upload page with statistics offices' tables and the fetch button, under AppTest on
a copy of the sample store; the offices answer from recordings on a local server."""

from __future__ import annotations

import pytest

from evaluation.store.snapshot import read_snapshot
from tests.conftest import FIXTURES, load
from tests.statistics_api import OfficeServer, recorded
from tests.test_pages import page, text_of

LINKS = (
    "partnership,municipality,start_year,horizon_years,purpose,lead,region_code\n"
    "Oslo sammen,Oslo,2020,8,Fewer lonely elderly,Oslo kommune,0301\n"
    "København sammen,København,2021,6,Less loneliness,Københavns Kommune,101; København\n")
HEADER = "indicator,name,pillar,unit,direction,statistic,selection\n"
DANISH = ("OUT_DK,Women in København,outcome,persons,higher_is_better,FOLK1A,"
          "KØN=Kvinder|2; period=K1\n")
INDICATORS = (HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,07459,"
              "alder=20 år\n" + DANISH)
FETCHED = (HEADER + "OUT_POP,Residents,outcome,persons,higher_is_better,07459,"
           "ContentsCode=Personer1\n"  # the recorded answers are for these selections
           "OUT_DK,Residents of København,outcome,persons,higher_is_better,FOLK1A,period=K1\n")


def _commit(at):
    commit = next(b for b in at.button if b.label.startswith("Commit"))
    commit.click().run()
    assert not at.exception, at.exception
    return at


def test_a_px_file_uploads_with_its_links_and_the_partnership_page_names_the_source(app_store):
    at = page("upload")
    px = (FIXTURES / "statistics" / "ssb_07459.px").read_bytes()
    at.file_uploader[0].set_value([("links.csv", LINKS.encode(), "text/csv"),
                                   ("ind.csv", INDICATORS.encode(), "text/csv"),
                                   ("ssb_07459.px", px, "application/octet-stream")]).run()
    assert not at.exception, at.exception
    assert "PC-Axis, table 07459" in at.info[0].value.replace("\\", "")
    _commit(at)
    assert "Imported as upload 2" in at.success[0].value
    obs = read_snapshot(app_store).observations
    assert obs.loc[(obs.partnership == "Oslo sammen") & (obs.year == 2023), "value"].tolist() \
        == [10398]
    at = page("partnership", partnership="Oslo sammen")
    assert not at.exception, at.exception
    titles = " ".join(str(c.spec) for c in at.get("plotly_chart"))
    assert "source: Statistisk sentralbyrå (SSB), table 07459" in titles


def test_a_file_that_does_not_name_its_table_gets_a_choice(app_store):
    assert load(app_store, LINKS, "links.csv").committed
    assert load(app_store, INDICATORS, "ind.csv").committed
    at = page("upload")
    csv = (FIXTURES / "statistics" / "dst_FOLK1A.csv").read_bytes()
    at.file_uploader[0].set_value(("dst_FOLK1A.csv", csv, "text/csv")).run()
    assert "does not say which table it holds" in " ".join(at.dataframe[0].value["problem and what to do"])
    choice = at.selectbox(key="upload_statistic")
    assert "FOLK1A" in choice.options
    choice.select("FOLK1A").run()
    assert not at.error, [e.value for e in at.error]
    _commit(at)
    obs = read_snapshot(app_store).observations
    assert obs.loc[obs.partnership == "København sammen", "value"].tolist() == [324546]


@pytest.fixture
def offices(monkeypatch):
    server = OfficeServer()
    server.route("GET", "/ssb/tables/07459/metadata", recorded("ssb_07459_metadata.json"))
    server.route("GET", "/ssb/tables/07459/data", recorded("ssb_07459_data.json"))
    server.route("GET", "/dst/tableinfo/FOLK1A", recorded("dst_FOLK1A_tableinfo.json"))
    server.route("POST", "/dst/data", recorded("dst_FOLK1A_data.json"))
    monkeypatch.setenv("EVALUATION_STATISTICS_API", server.environment())
    yield server
    server.close()


def test_the_fetch_button_previews_then_commits_what_the_offices_sent(app_store, offices):
    assert load(app_store, LINKS, "links.csv").committed
    assert load(app_store, FETCHED, "ind.csv").committed
    at = page("upload")
    next(b for b in at.button if b.key == "fetch").click().run()
    assert not at.exception, at.exception
    assert "Fetched FOLK1A, 07459 from 6 call(s)" in text_of(at).replace("\\", "")
    assert read_snapshot(app_store).observations.query("partnership == 'Oslo sammen'").empty
    _commit(at)
    obs = read_snapshot(app_store).observations.set_index(["partnership", "indicator", "year"])
    assert obs.loc[("Oslo sammen", "OUT_POP", 2024), "value"] == 717710
    assert obs.loc[("København sammen", "OUT_DK", 2024), "value"] == 660842


def test_the_fetch_button_offline_says_so_on_the_page(app_store, monkeypatch):
    monkeypatch.setenv("EVALUATION_STATISTICS_API", "ssb=http://127.0.0.1:9/ssb,"
                       "dst=http://127.0.0.1:9/dst")
    assert load(app_store, LINKS, "links.csv").committed
    assert load(app_store, INDICATORS, "ind.csv").committed
    at = page("upload")
    next(b for b in at.button if b.key == "fetch").click().run()
    assert not at.exception, at.exception
    assert any("cannot be reached" in e.value for e in at.error)
