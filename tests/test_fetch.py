"""Fetching from the statistics offices' APIs: against a local server answering with the
offices' recorded answers (tests/fixtures/api), through real HTTP; never the network."""

from __future__ import annotations

import socket

import pytest

from evaluation.cli import main
from evaluation.errors import EvaluationError
from evaluation.intake.fetch import Client, fetch_from_store, office_of
from evaluation.intake.importer import import_files
from evaluation.intake.office_api import Limiter
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import list_uploads
from tests.conftest import dump
from tests.statistics_api import Answer, OfficeServer, recorded

PARTNERSHIPS = (
    "partnership,municipality,start_year,horizon_years,purpose,lead,region_code\n"
    "Halden sammen,Halden,2020,8,Fewer young people outside,Halden kommune,3001; 3101\n"
    "Oslo løft,Oslo,2021,8,More active residents,Oslo kommune,K-0301\n"
    "Sammen i København,København,2022,6,Less loneliness,Københavns Kommune,101\n"
    "Göteborg tillsammans,Göteborg,2022,6,Work for young people,Göteborgs stad,1480\n")
INDICATORS = (
    "indicator,name,pillar,unit,direction,statistic,selection\n"
    "OUT_POP,Residents,outcome,persons,higher_is_better,07459,ContentsCode=Personer1\n"
    "OUT_DK_POP,Residents (DK),outcome,persons,higher_is_better,FOLK1A,period=K1\n"
    "OUT_SE_POP,Residents (SE),outcome,persons,higher_is_better,TAB638,"
    "tabellinnehåll=Folkmängd\n")


@pytest.fixture
def offices():
    server = OfficeServer()
    server.route("GET", "/ssb/tables/07459/metadata", recorded("ssb_07459_metadata.json"))
    server.route("GET", "/ssb/tables/07459/data", recorded("ssb_07459_data.json"))
    server.route("GET", "/dst/tableinfo/FOLK1A", recorded("dst_FOLK1A_tableinfo.json"))
    server.route("POST", "/dst/data", recorded("dst_FOLK1A_data.json"))
    server.route("GET", "/scb/tables/TAB638/metadata", recorded("scb_TAB638_metadata.json"))
    server.route("GET", "/scb/tables/TAB638/data", recorded("scb_TAB638_data.json"))
    yield server
    server.close()


@pytest.fixture
def linked(store):
    report = import_files(store, [("p.csv", PARTNERSHIPS.encode()),
                                  ("i.csv", INDICATORS.encode())], user="eva")
    assert report.committed, [p.format() for p in report.problems]
    return store


def _client(server: OfficeServer, **kw) -> Client:
    return Client(bases=server.bases, sleep=kw.pop("sleep", lambda s: None), **kw)


def test_a_fetch_asks_each_office_and_imports_as_one_undoable_upload(linked, offices):
    fetched = fetch_from_store(linked, client=_client(offices))
    assert sorted(fetched.tables) == ["07459", "FOLK1A", "TAB638"]
    report = import_files(linked, fetched.files, user="eva", origins=fetched.origins)
    assert report.committed, [p.format() for p in report.problems]
    assert len(report.files) == 3  # one upload, a file per answer
    obs = read_snapshot(linked).observations.set_index(["partnership", "indicator", "year"])
    assert obs.loc[("Oslo løft", "OUT_POP", 2024), "value"] == 717710
    assert obs.loc[("Halden sammen", "OUT_POP", 2022), "value"] == 31444
    assert ("Halden sammen", "OUT_POP", 2024) not in obs.index  # '.' is missing, not zero
    assert obs.loc[("Sammen i København", "OUT_DK_POP", 2024), "value"] == 660842  # K1
    assert obs.loc[("Göteborg tillsammans", "OUT_SE_POP", 2023), "value"] == 600151
    source = obs.loc[("Oslo løft", "OUT_POP", 2024), "source"]
    assert source.startswith("Statistisk sentralbyrå (SSB), table 07459: http://127.0.0.1")
    assert "SSB table 07459" in [f.name for f in report.files]
    assert "valueCodes[Region]=" in source
    uploads = list_uploads(linked)
    assert uploads.iloc[0].upload_id == report.upload_id
    main(["undo", str(report.upload_id), "--db", str(linked.path), "--user", "eva"])
    assert read_snapshot(linked).observations.empty


def test_the_request_asks_only_the_partnerships_regions_and_the_selected_categories(
        linked, offices):
    fetch_from_store(linked, indicator="OUT_POP", client=_client(offices))
    data = [r for r in offices.requests if r.path.endswith("/data")]
    assert len(data) == 1
    query = data[0].query
    assert sorted(query["valueCodes[Region]"][0].split(",")) == ["0301", "3001", "3101"]
    assert query["valueCodes[ContentsCode]"] == ["Personer1"]
    assert query["outputFormat"] == ["json-stat2"]
    # Sex and age may be left out (the office sums them): they are not asked for.
    assert not any(k.startswith("valueCodes[Kjonn") or k.startswith("valueCodes[Alder")
                   for k in query)


def test_the_danish_call_is_a_json_body_as_statbank_documents(linked, offices):
    fetch_from_store(linked, indicator="OUT_DK_POP", client=_client(offices))
    body = next(r.body for r in offices.requests if r.path == "/dst/data")
    assert body["table"] == "FOLK1A" and body["format"] == "JSONSTAT"
    variables = {v["code"]: v["values"] for v in body["variables"]}
    assert variables["OMRÅDE"] == ["101"]
    assert "Tid" in variables


def test_too_many_requests_is_waited_out_and_tried_again(linked, offices):
    offices.route("GET", "/ssb/tables/07459/data",
                  recorded("ssb_429.json", 429, **{"Retry-After": "7"}),
                  Answer(503, b"Service Unavailable"),
                  recorded("ssb_07459_data.json"))
    waits: list[float] = []
    fetched = fetch_from_store(linked, indicator="OUT_POP",
                               client=_client(offices, sleep=waits.append))
    assert waits[0] == 7  # the office's Retry-After
    assert len(waits) == 2 and waits[1] > 0
    assert len(fetched.files) == 1


def test_an_office_that_keeps_refusing_gets_one_clear_message_and_nothing_changes(
        linked, offices):
    offices.route("GET", "/scb/tables/TAB638/data", recorded("scb_429.txt", 429))
    before = dump(linked)
    with pytest.raises(EvaluationError) as e:
        fetch_from_store(linked, client=_client(offices))
    assert "Statistics Sweden answered that too many requests were made" in e.value.message
    assert "quota exceeded" in e.value.message
    assert dump(linked) == before


def test_an_unknown_table_says_what_the_office_answered(linked, offices):
    offices.route("GET", "/ssb/tables/07459/metadata", recorded("ssb_404.json", 404))
    with pytest.raises(EvaluationError) as e:
        fetch_from_store(linked, indicator="OUT_POP", client=_client(offices))
    assert "404" in e.value.message and "Non-existent table" in e.value.message


def test_offline_is_one_message_naming_the_office(linked):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = Client(bases={"ssb": f"http://127.0.0.1:{port}/ssb"}, sleep=lambda s: None)
    with pytest.raises(EvaluationError) as e:
        fetch_from_store(linked, indicator="OUT_POP", client=client)
    assert "Statistics Norway cannot be reached" in e.value.message
    assert "Nothing was imported" in e.value.message


def test_a_large_selection_is_split_under_the_offices_cell_limit(linked, offices, monkeypatch):
    from evaluation.intake import fetch
    small = fetch.Office("ssb", "Statistics Norway", "", 3, 30, 60, "pxweb2", ("no", "en"))
    monkeypatch.setitem(fetch.OFFICES, "ssb", small)
    fetched = fetch_from_store(linked, indicator="OUT_POP", client=_client(offices))
    data = [r for r in offices.requests if r.path.endswith("/data")]
    # Three regions a period and at most three cells a call: one period per call.
    assert len(data) == len(fetched.files) == 5
    assert all(len(r.query["valueCodes[Tid]"][0].split(",")) == 1 for r in data)


def test_the_limiter_waits_only_when_the_window_is_full():
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    limiter = Limiter(3, 60, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert waits == []
    now[0] = 10
    limiter.wait()
    assert waits == [50]  # the fourth call waits until the first leaves the window


def test_a_selection_naming_no_category_is_an_error_before_any_data_call(linked, offices):
    bad = ("indicator,name,pillar,unit,direction,statistic,selection\n"
           "OUT_POP,Residents,outcome,persons,higher_is_better,07459,kjønn=Begge\n")
    assert import_files(linked, [("i.csv", bad.encode())], user="eva").committed
    with pytest.raises(EvaluationError) as e:
        fetch_from_store(linked, indicator="OUT_POP", client=_client(offices))
    assert "Kjonn=Begge is none of the categories" in e.value.message
    assert "1 (Menn)" in e.value.message
    assert not [r for r in offices.requests if r.path.endswith("/data")]


def test_which_office_a_statistic_belongs_to():
    assert office_of("07459")[0].key == "ssb"
    assert office_of("FOLK1A")[0].key == "dst"
    assert office_of("TAB638")[0].key == "scb"
    assert office_of("scb:BE0101A1") == (office_of("TAB1")[0], "BE0101A1")


def test_the_fetch_command_previews_and_imports(linked, offices, monkeypatch, capsys):
    monkeypatch.setenv("EVALUATION_STATISTICS_API", offices.environment())
    db = ["--db", str(linked.path), "--user", "eva"]
    assert main(["fetch", "--dry-run", "--partnership", "Oslo løft", *db]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "Fetched 07459" in out
    assert read_snapshot(linked).observations.empty
    assert main(["fetch", "--indicator", "OUT_POP", *db]) == 0
    out = capsys.readouterr().out
    assert "Imported as upload" in out and "JSON-stat 2.0, table 07459" in out


def test_the_fetch_command_offline_prints_one_line(linked, monkeypatch, capsys):
    monkeypatch.setenv("EVALUATION_STATISTICS_API", "ssb=http://127.0.0.1:9/ssb")
    assert main(["fetch", "--indicator", "OUT_POP", "--db", str(linked.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be reached" in err and "Traceback" not in err


def test_a_read_only_store_refuses_a_fetch_before_asking_any_office(linked, offices,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv("EVALUATION_STATISTICS_API", offices.environment())
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    assert main(["fetch", "--db", str(linked.path)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert offices.requests == []
