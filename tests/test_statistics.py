"""Statistics offices' files: every layout read to the documented cells, then mapped onto
partnerships and indicators through the importer (fixtures: tests/fixtures/statistics,
each built to its office's documented layout; see the README there)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluation.cli import main
from evaluation.intake.cube import Cube, parse_time
from evaluation.intake.importer import import_files
from evaluation.intake.regions import region_key, same_region, split_region
from evaluation.intake.statfiles import read_statistics
from evaluation.store.snapshot import read_snapshot
from tests.conftest import FIXTURES, dump

FILES = FIXTURES / "statistics"


def read(name: str) -> Cube:
    found = read_statistics(name, (FILES / name).read_bytes(), as_csv=True)
    assert found is not None, name
    return found.cube


def cell(cube: Cube, **wanted: str) -> float | str:
    """The value (or symbol) of the one cell whose categories are `wanted` (dimension
    name: category code or label; time as `time=`)."""
    keep = {}
    for key, category in wanted.items():
        d = cube.dim_with_role("time") if key == "time" else next(
            i for i, dim in enumerate(cube.dims) if key.casefold() in
            {n.casefold() for n in (dim.id, dim.label)})
        dim = cube.dims[d]
        cats = [i for i in range(len(dim.codes))
                if category.casefold() in dim.category_names(i)
                or split_region(dim.labels[i])[1].casefold() == category.casefold()]
        assert cats, (key, category, dim.codes, dim.labels)
        keep[d] = np.isin(np.arange(len(dim.codes)), cats)
    found = np.flatnonzero(cube.where(keep))
    assert len(found) == 1, (wanted, len(found))
    value = cube.values[found[0]]
    return cube.symbol_names[cube.symbols[found[0]]] if math.isnan(value) else value


# (file, table id, categories, expected value or symbol): the README's cells.
CELLS = [
    ("ssb_07459_statbank.csv", "07459", dict(region="0301", age="20 years", time="2023"), 10398),
    ("ssb_07459_statbank.csv", "07459", dict(region="1804", age="21 years", time="2022"), 698),
    ("ssb_07459_statbank.csv", "07459", dict(region="3024", age="20 years", time="2023"), 1511),
    ("ssb_07459_statbank_no.csv", "07459", dict(region="0301", time="2024"), 10541),
    ("ssb_07459_statbank_no.csv", "07459", dict(region="1507", time="2024"), "."),
    ("ssb_07459_statbank_no.csv", "07459", dict(region="1508", time="2024"), 705),
    ("ssb_07459_statbank_no.csv", "07459", dict(region="1573", time="2023"), ":"),
    ("ssb_12163_district.csv", None, dict(region="0301", time="2023"), 604000),
    ("ssb_12163_district.csv", None, dict(region="030102a", time="2022"), 505000),
    ("ssb_12163_district.csv", None, dict(region="030116a", time="2022"), ":"),
    ("ssb_07459_pxweb2.csv", "07459", dict(region="0301", time="2023"), 709037),
    ("ssb_07459_pxweb2.csv", "07459", dict(region="1508", time="2024"), 58316),
    ("ssb_07459_pxweb2.csv", "07459", dict(region="1507", time="2024"), "."),
    ("ssb_07459.jsonstat2.json", "07459", dict(region="0301", time="2024"), 717710),
    ("ssb_07459.jsonstat2.json", "07459", dict(region="1804", time="2023"), 53712),
    ("ssb_07459.jsonstat2.json", "07459", dict(region="1507", time="2024"), "."),
    ("ssb_quarterly.jsonstat2.json", "01222", dict(region="0301", time="2024K2"), 722562),
    ("ssb_quarterly.jsonstat2.json", "01222", dict(region="4601", time="2024K1"), 293125),
    ("ssb_monthly.jsonstat2.json", "03013", dict(ContentsCode="KpiIndMnd", time="2024M02"),
     132.4),
    ("scb_BE0101A1.pxweb2.csv", None, dict(Region="0180", Kon="1", time="2024"), 492045),
    ("scb_BE0101A1.pxweb2.csv", None, dict(Region="01", Kon="2", time="2023"), 1228947),
    ("scb_TAB638.jsonstat2.json", "TAB638", dict(Region="0180", Kon="2", time="2023"), 494636),
    ("scb_TAB638.jsonstat2.json", "TAB638", dict(Region="01", Kon="1", time="2024"), 1233151),
    ("dst_FOLK1A.csv", None, dict(OMRÅDE="København", KØN="Mænd", time="2021K2"), 313922),
    ("dst_FOLK1A.csv", None, dict(OMRÅDE="Aarhus", KØN="Kvinder", time="2021K1"), 176568),
    ("dst_FOLK1A_codes.csv", None, dict(OMRÅDE="147", KØN="1", time="2021K1"), 48871),
    ("dst_FOLK1A.bulk.csv", None, dict(OMRÅDE="København", KØN="Kvinder", time="2021K1"),
     324546),
    ("dst_FOLK1A.bulk.csv", None, dict(OMRÅDE="Aarhus", KØN="Mænd", time="2021K2"), 173722),
    ("dst_PRIS111_monthly.csv", None, dict(ENHED="Indeks", time="2020M02"), 103.8),
    ("dst_FOLK1A.jsonstat.json", "FOLK1A", dict(OMRÅDE="101", KØN="2", time="2021K1"), 324546),
    ("dst_FOLK1A.jsonstat.json", "FOLK1A", dict(OMRÅDE="147", KØN="1", time="2021K2"), 48912),
    ("ssb_07459.px", "07459", dict(region="0301", alder="20 år", time="2023"), 10398),
    ("ssb_07459.px", "07459", dict(region="1804", alder="105 år eller eldre", time="2023"),
     ".."),
    ("ssb_07459.px", "07459", dict(region="1520", alder="105+", time="2022"), 0),  # '-' nil
    ("scb_BE0101.px", "BE0101N1", dict(region="0180", kön="kvinnor", time="2024"), 496898),
    ("scb_BE0101.px", "BE0101N1", dict(region="1480", kön="män", time="2023"), 302815),
    ("dst_FOLK1A.px", "FOLK1A", dict(område="København", køn="Kvinder", time="2021K2"),
     324935),
    ("dst_FOLK1A.px", "FOLK1A", dict(område="Aarhus", køn="Mænd", time="2021K1"), 173415),
    ("scb_BE0101F1_datasymbols.px", "BE0101F1", dict(region="0114", age="20", sex="men"), 41),
    ("scb_BE0101F1_datasymbols.px", "BE0101F1", dict(region="0114", age="22", sex="women"),
     "..."),
    ("scb_BE0101F1_datasymbols.px", "BE0101F1", dict(region="0117", age="22", sex="men"), 0),
]


@pytest.mark.parametrize(("name", "table", "where", "expected"), CELLS,
                         ids=[f"{c[0]}-{'-'.join(c[2].values())}" for c in CELLS])
def test_every_layout_reads_to_the_documented_cells(name, table, where, expected):
    cube = read(name)
    assert cube.table == table
    assert cube.dim_with_role("time") is not None
    assert cell(cube, **where) == expected


def test_the_offices_symbols_are_missing_never_zero_and_a_dash_is_nil():
    cube = read("scb_BE0101F1_datasymbols.px")
    assert {".", "..", "...", "....", ".....", "......"} <= set(cube.symbol_names)
    nil = read("ssb_07459_statbank_no.csv")
    assert "-" not in nil.symbol_names  # read as 0


def test_time_codes_and_region_codes():
    assert parse_time("2024K1").part == "K1" and parse_time("2024Q1").part == "K1"
    assert parse_time("2024M01").part == "M01" and parse_time("2024").part == ""
    assert parse_time("2022-2023").year == 2023
    assert parse_time("Persons") is None
    assert region_key("K-0301") == region_key("0301") == "0301"
    assert region_key("3001.0") == "3001"  # a number cell from Excel
    assert region_key("030102a") == "030102a"
    assert same_region("0301", {"301"})  # Excel dropped the zero
    assert not same_region("101", {"0101"})  # Denmark's København is not Norway's Halden
    assert split_region("K-3001 Halden") == ("K-3001", "Halden")
    assert split_region("København") == ("", "København")


PARTNERSHIPS = (
    "partnership,municipality,start_year,horizon_years,purpose,lead,region_code\n"
    "Oslo sammen,Oslo,2020,8,Fewer lonely elderly,Oslo kommune,K-0301\n"
    "Bodø i bevegelse,Bodø,2021,8,More active children,Bodø kommune,1804\n"
    "Grünerløkka løft,Oslo,2021,6,Safer streets,Bydel Grünerløkka,030102a\n"
    "København sammen,København,2021,6,Less loneliness,Københavns Kommune,101; København\n")


def _linked(store, indicators: str):
    report = import_files(store, [("p.csv", PARTNERSHIPS.encode()),
                                  ("i.csv", indicators.encode())], user="eva")
    assert report.committed, [p.format() for p in report.problems]
    return store


def _upload(store, name: str, **kw):
    return import_files(store, [(name, (FILES / name).read_bytes())], user="eva", **kw)


HEADER = "indicator,name,pillar,unit,direction,statistic,selection\n"


def test_a_px_file_imports_for_the_partnerships_regions(store):
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                   "07459,alder=20 år\n")
    report = _upload(store, "ssb_07459.px")
    assert report.committed, [p.format() for p in report.problems]
    obs = read_snapshot(store).observations.set_index(["partnership", "year"])
    assert obs.loc[("Oslo sammen", 2023), "value"] == 10398
    assert obs.loc[("Oslo sammen", 2023), "source"] == "Statistisk sentralbyrå (SSB), table 07459"
    assert set(obs.index.get_level_values(0)) == {"Oslo sammen", "Bodø i bevegelse"}
    summary = report.summary()
    assert "PC-Axis, table 07459" in summary
    assert "cells of other regions or categories skipped" in summary


def test_a_code_excel_shortened_matches_and_says_so(store):
    """Excel shows Oslo's 0301 as 301: still Oslo, but never silently, since Denmark's
    101 would be read the same way as Norway's old 0101."""
    report = import_files(store, [
        ("p.csv", PARTNERSHIPS.replace("K-0301", "301").encode()),
        ("i.csv", (HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                            "07459,alder=20 år\n").encode())], user="eva")
    assert report.committed
    report = _upload(store, "ssb_07459.px")
    assert report.committed, [p.format() for p in report.problems]
    warned = [p.message for p in report.warnings if "Excel" in p.message]
    assert warned == ["partnership Oslo sammen: region code 301 is taken as 0301 Oslo, whose "
                      "code Excel shortens by its leading zero; write 0301 in region_code if "
                      "that is right, or remove the code if the partnership is not there"]
    obs = read_snapshot(store).observations.set_index(["partnership", "year"])
    assert obs.loc[("Oslo sammen", 2023), "value"] == 10398


def test_a_px_cells_problem_names_its_line_in_the_file(store):
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,%,higher_is_better,"
                   "07459,alder=20 år\n")
    report = _upload(store, "ssb_07459.px")
    lines = {p.line for p in report.warnings if "percentage" in p.message}
    # DATA= is line 56; a row per region and age: Oslo's 20-year-olds on 57, Bodø's on 59
    assert lines == {57, 59}


def test_a_selection_matches_labels_in_any_of_a_px_files_languages(store):
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                   "07459,age=20 years\n")
    assert _upload(store, "ssb_07459.px").committed


def test_a_selection_matching_nothing_lists_what_the_file_offers(store):
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                   "07459,alder=20 years old\n")
    before = dump(store)
    report = _upload(store, "ssb_07459.px")
    assert not report.ok
    message = report.errors[0].format()
    assert message.startswith("ssb_07459.px: indicator OUT_20: alder=20 years old matches none")
    assert "020 (20 år)" in message and "105+ (105 år eller eldre)" in message
    assert dump(store) == before


def test_a_dimension_the_selection_does_not_choose_is_an_error_naming_the_choices(store):
    _linked(store, HEADER + "OUT_POP,Residents,outcome,persons,higher_is_better,07459,\n")
    report = _upload(store, "ssb_07459.px")
    assert "does not say which alder it is" in report.errors[0].message
    assert "20 år, 105 år eller eldre" in report.errors[0].message


def test_a_quarterly_table_needs_the_period_that_stands_for_the_year(store):
    indicators = HEADER + "OUT_DK,Residents,outcome,persons,higher_is_better,FOLK1A,køn=Mænd\n"
    _linked(store, indicators)
    report = _upload(store, "dst_FOLK1A.px")
    assert "K1, K2 within each year" in report.errors[0].message
    assert "period=K2" in report.errors[0].message
    _linked(store, indicators.replace("køn=Mænd", "køn=Mænd; period=Q2"))
    report = _upload(store, "dst_FOLK1A.px")
    assert report.committed, [p.format() for p in report.problems]
    obs = read_snapshot(store).observations
    assert obs.loc[obs.partnership == "København sammen", "value"].tolist() == [313922]


def test_a_csv_without_a_table_id_takes_the_statistic_given(store, capsys):
    _linked(store, HEADER + "OUT_DK,Residents,outcome,persons,higher_is_better,FOLK1A,"
                   "KØN=Kvinder|2; period=K1\n")
    report = _upload(store, "dst_FOLK1A.csv", commit=False)
    assert report.unnamed_tables == ("dst_FOLK1A.csv",)
    assert report.table_choices == ("FOLK1A",)
    assert "does not say which table it holds; choose it (FOLK1A)" in report.errors[0].message
    # The indicators in the same upload count: the page offers their tables too.
    both = import_files(store, [
        ("i.csv", (HEADER + "OUT_SE,Residents,outcome,persons,higher_is_better,TAB638,\n"
                   ).encode()), ("dst_FOLK1A.csv", (FILES / "dst_FOLK1A.csv").read_bytes())],
        user="eva", commit=False)
    assert both.table_choices == ("FOLK1A", "TAB638")
    # A file naming regions without codes matches a region_code written as the name.
    assert _upload(store, "dst_FOLK1A.csv", statistic="FOLK1A").committed
    obs = read_snapshot(store).observations
    assert obs.value.tolist() == [324546]
    path = str(FILES / "dst_FOLK1A_codes.csv")
    code = main(["import", path, "--statistic", "FOLK1A", "--db", str(store.path), "--dry-run"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Nothing to change" in out.out  # codes give the same cell


def test_a_district_file_maps_onto_a_district_partnership(store):
    _linked(store, HEADER + "OUT_INCOME,Median income after tax,outcome,NOK,higher_is_better,"
                   "06944,ContentsCode=InntSkatt\n")
    report = _upload(store, "ssb_12163_district.csv", statistic="06944")
    assert report.committed, [p.format() for p in report.problems]
    obs = read_snapshot(store).observations.set_index(["partnership", "year"])
    assert obs.loc[("Grünerløkka løft", 2022), "value"] == 505000
    assert obs.loc[("Oslo sammen", 2023), "value"] == 604000


def test_a_municipality_renumbered_by_a_reform_takes_each_years_code(store):
    partnerships = PARTNERSHIPS + ("Ålesund ung,Ålesund,2021,8,Young people in work,"
                                   "Ålesund kommune,1507; 1508\n")
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                   "07459,\n")
    assert import_files(store, [("p.csv", partnerships.encode())], user="eva").committed
    report = _upload(store, "ssb_07459_statbank_no.csv")
    assert report.committed, [p.format() for p in report.problems]
    obs = read_snapshot(store).observations.set_index(["partnership", "year"])
    assert obs.loc[("Ålesund ung", 2023), "value"] == 812  # 1507 until the reform
    assert obs.loc[("Ålesund ung", 2024), "value"] == 705  # 1508 after it
    assert "left empty: 2 '.' (not applicable)" in report.summary()


def test_no_partnership_in_the_file_is_an_error_listing_its_regions(store):
    _linked(store, HEADER + "OUT_SE,Residents,outcome,persons,higher_is_better,TAB638,"
                   "Kon=1; ContentsCode=BE0101N1\n")
    report = _upload(store, "scb_TAB638.jsonstat2.json")
    message = report.errors[0].message
    assert "none of the file's regions is a partnership's region code" in message
    assert "0180 Stockholm" in message


def test_an_indicator_for_another_table_is_an_error_saying_what_to_add(store):
    _linked(store, HEADER + "OUT_X,X,outcome,persons,higher_is_better,,\n")
    report = _upload(store, "ssb_07459.jsonstat2.json")
    assert "no indicator has statistic 07459" in report.errors[0].message


def test_one_upload_may_bring_the_links_and_the_table(store):
    indicators = HEADER + ("OUT_POP,Residents,outcome,persons,higher_is_better,07459,"
                           "ContentsCode=Personer1\n")
    report = import_files(store, [("ssb_07459.jsonstat2.json",
                                   (FILES / "ssb_07459.jsonstat2.json").read_bytes()),
                                  ("p.csv", PARTNERSHIPS.encode()),
                                  ("i.csv", indicators.encode())], user="eva")
    assert report.committed, [p.format() for p in report.problems]
    obs = read_snapshot(store).observations.set_index(["partnership", "year"])
    assert obs.loc[("Bodø i bevegelse", 2024), "value"] == 54087


@pytest.mark.parametrize(("column", "value", "message"), [
    ("region_code", "30O1", "'30O1' is not a region code"),
    ("statistic", "07459 population", "a statistic is a statistics office's table id"),
    ("selection", "alder 20 år", "is not of the form dimension=category"),
])
def test_bad_links_are_errors_at_their_line(store, column, value, message):
    if column == "region_code":
        text = PARTNERSHIPS.replace("K-0301", value)
    else:
        text = HEADER + "OUT_A,A,outcome,persons,higher_is_better,07459,alder=20 år\n"
        text = text.replace("07459" if column == "statistic" else "alder=20 år", value)
    name = "p.csv" if column == "region_code" else "i.csv"
    report = import_files(store, [(name, text.encode())], user="eva")
    assert not report.ok
    problem = report.errors[0]
    assert (problem.file, problem.line, problem.column) == (name, 2, column)
    assert message in problem.message


def test_a_damaged_px_file_is_a_clear_error(store):
    raw = (FILES / "ssb_07459.px").read_bytes()
    cut = raw[: raw.rindex(b"DATA=") + 30]
    report = import_files(store, [("cut.px", cut)], user="eva")
    assert "the file is cut or damaged" in report.errors[0].message


def test_a_download_holding_one_of_a_tables_indicators_warns_of_the_others(store):
    _linked(store, HEADER + "OUT_20,Residents aged 20,outcome,persons,higher_is_better,"
                   "ssb:07459,alder=20 år\n"
                   "OUT_30,Residents aged 30,outcome,persons,higher_is_better,07459,"
                   "alder=30 år\n")
    report = _upload(store, "ssb_07459.px")
    assert report.committed, [p.format() for p in report.problems]
    assert [w.message.split(":")[0] for w in report.warnings] == ["indicator OUT_30"]
    assert "alder=30 år matches none of the file's categories" in report.warnings[0].message


def test_every_layout_names_the_office_the_same_way(store):
    _linked(store, HEADER + "OUT_POP,Residents,outcome,persons,higher_is_better,07459,"
                   "ContentsCode=Personer1\n")
    assert _upload(store, "ssb_07459.jsonstat2.json").committed
    assert _upload(store, "ssb_07459_pxweb2.csv").changes == 0  # same cells, same source
