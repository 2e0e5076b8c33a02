"""File kinds, header recognition and the templates users download."""

from __future__ import annotations

import pytest

from evaluation.intake.formats import (
    KINDS,
    canonical_column,
    explain_unrecognised,
    match_header,
    template_csv,
)
from evaluation.text import markdown_table, suggest
from tests.conftest import load


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_template_is_recognised_and_imports_cleanly(sample_store, kind):
    text = template_csv(kind)
    header = text.splitlines()[0].split(",")
    assert match_header(header).kind.name == kind
    report = load(sample_store, text, name=f"{kind}.csv")
    assert report.ok, [p.format() for p in report.errors]


@pytest.mark.parametrize("header, canonical", [
    ("Partnerskap", "partnership"), ("partnerskab", "partnership"), ("År", "year"),
    ("aar", "year"), ("Verdi", "value"), ("værdi", "value"), ("Gruppe", "group"),
    ("kilde", "source"), ("Merknad", "note"), ("note", "note"), (" Indikator ", "indicator"),
    ("\ufeffpartnership", "partnership"), ("Start year", "start_year"),
])
def test_header_aliases(header, canonical):
    assert canonical_column(header) == canonical


def test_wide_header_has_year_columns():
    match = match_header(["partnership", "indicator", "2016", "2017", "År 2018"])
    assert match.kind.name == "observations_wide"
    assert sorted(match.year_columns) == [2016, 2017, 2018]


def test_unrecognised_header_names_nearest_kind_and_missing_column():
    message = explain_unrecognised(["partnership", "indicator", "yaer", "value"])
    assert "observations" in message and "'year'" in message and "'yaer'" in message


def test_suggestions_match_words_not_only_whole_strings():
    assert "Nettverk friluftsliv Askim" in suggest("Askim frilufsliv",
                                                   ["Nettverk friluftsliv Askim", "Ungdom"])
    assert suggest("Oslo", ["Nettverk friluftsliv Askim"]) == ""


def test_all_templates_together_import_into_an_empty_store(store):
    from evaluation.intake.importer import import_files
    files = [(f"{k}.csv", template_csv(k).encode()) for k in KINDS]
    report = import_files(store, files, user="t")
    assert report.ok and report.committed, [p.format() for p in report.errors]


@pytest.mark.parametrize("header, canonical", [
    ("Municipality/region", "municipality"), ("Horizon (years)", "horizon_years"),
    ("Start-year", "start_year"), ("Target year", "target_year")])
def test_headers_with_punctuation(header, canonical):
    assert canonical_column(header) == canonical


@pytest.mark.parametrize("header, year", [
    ("2019", 2019), ("2019.0", 2019), ("2019,0", 2019), (" 2019 ", 2019), ("\u00a02019", 2019),
    ("År 2019", 2019), ("Year-2019", 2019), ("year_2019", 2019), ("2019.00", 2019),
    ("FY2019", None), ("2019-2020", None), ("2019.5", None), ("20190", None),
])
def test_year_headers_as_spreadsheets_write_them(header, year):
    from evaluation.intake.formats import year_of_header
    assert year_of_header(header) == year


def test_a_wide_header_with_float_years_is_recognised_without_unused_columns():
    match = match_header(["partnership", "indicator", "2019.0", "2020.0", " 2021 "])
    assert match.kind.name == "observations_wide"
    assert match.year_columns == {2019: 2, 2020: 3, 2021: 4} and not match.unknown


def test_a_markdown_table_shows_each_cell_as_written_on_one_line():
    table = markdown_table(["upload", "summary"], [(3, "a | b\nc *d*"), (2, None)], right=(0,))
    lines = table.splitlines()
    assert lines[:2] == ["| upload | summary |", "| ---: | --- |"]
    assert lines[2] == "| 3 | a \\| b c \\*d\\* |"  # the pipe cannot split the row
    assert lines[3] == "| 2 |  |"
