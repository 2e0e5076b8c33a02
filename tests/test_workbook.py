"""Excel workbooks: every sheet read as a file of its own kind, as one upload, with
problems at the sheet's own rows; and the template workbook."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import xlsxwriter

from evaluation.cli import main
from evaluation.intake.importer import import_files
from evaluation.intake.workbook import template_workbook
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import undo_upload
from tests.conftest import dump

DRAMMEN = "Ungdomsløftet Drammen"


def workbook(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    year = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), year)
                elif value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return out.getvalue()


def errors(report) -> list[str]:
    return [p.format() for p in report.errors]


def test_every_sheet_is_a_file_of_its_kind_and_one_upload(sample_store):
    data = workbook({
        "Observationer": [["Partnerskap", "Indikator", "År", "Verdi", "Kilde"],
                          [DRAMMEN, "OUT_NEET", 2026, 8.25, "SSB"],
                          [DRAMMEN, "PRO_TRUST", dt.date(2026, 12, 31), "3,5", ""]],
        "Hendelser": [["partnership", "year", "event"], [DRAMMEN, 2026, "Workbook coordinator"]],
        "Gammelt": [["x"]], "Tom": []}, hidden=("Gammelt",))
    report = import_files(sample_store, [("data.xlsx", data)], user="tester")
    assert report.ok and report.committed, errors(report)
    warnings = [p.format() for p in report.warnings]
    assert "data.xlsx [Gammelt]: warning: the sheet is hidden; it is skipped" in warnings
    assert "data.xlsx [Tom]: warning: the sheet is empty; it is skipped" in warnings
    snap = read_snapshot(sample_store)
    obs = snap.observations
    mine = obs[(obs["partnership"] == DRAMMEN) & (obs["year"] == 2026)].set_index("indicator")
    assert mine.loc["OUT_NEET", "value"] == 8.25  # Excel's number, no decimal guessing
    assert mine.loc["PRO_TRUST", "value"] == 3.5  # a text cell parsed as today ("3,5")
    assert "Workbook coordinator" in set(snap.events["event"])
    before = read_snapshot(sample_store)
    undo_upload(sample_store, report.upload_id, "tester")  # both sheets undone together
    after = read_snapshot(sample_store)
    assert len(after.observations) == len(before.observations) - 2
    assert "Workbook coordinator" not in set(after.events["event"])


def test_problems_name_the_sheet_and_excel_row_and_nothing_is_written(sample_store):
    before = dump(sample_store)
    data = workbook({"Obs": [["title of the sheet"], [],
                             ["partnership", "indicator", "year", "value"],
                             [DRAMMEN, "OUT_NEET", 2026, "abc"],
                             [None, None, None, None],
                             [DRAMMEN, "NOPE", 2026, 3]]})
    report = import_files(sample_store, [("obs.xlsx", data)], user="tester")
    found = errors(report)
    assert any(e.startswith("obs.xlsx [Obs]:4: value: is not a number") for e in found), found
    assert any(e.startswith("obs.xlsx [Obs]:6: indicator: unknown indicator 'NOPE'")
               for e in found), found
    assert dump(sample_store) == before


def test_merged_headers_and_formulas_without_values_are_errors(sample_store):
    book = openpyxl.Workbook()
    obs = book.active
    obs.title = "Obs"
    obs.append(["partnership", "indicator", "year", "value"])
    obs.append([DRAMMEN, "OUT_NEET", 2026, "=1+2"])  # openpyxl saves no calculated value
    merged = book.create_sheet("Merged")
    merged.append(["partnership", "indicator", None, "value"])
    merged.merge_cells("B1:C1")
    out = io.BytesIO()
    book.save(out)
    found = errors(import_files(sample_store, [("f.xlsx", out.getvalue())], user="tester"))
    assert any("f.xlsx [Obs]:2" in e and "cell D2 holds a formula without a saved value" in e
               for e in found), found
    assert any("f.xlsx [Merged]:1" in e and "merged cells in the header (B1:C1)" in e
               for e in found), found


def test_a_sheet_that_is_no_kind_is_named(sample_store):
    data = workbook({"Read me": [["How to fill this in", "see the docs"]],
                     "Events": [["partnership", "year", "event"], [DRAMMEN, 2026, "x"]]})
    found = errors(import_files(sample_store, [("w.xlsx", data)], user="tester"))
    assert any(e.startswith("w.xlsx [Read me]") and "header not recognised" in e
               for e in found), found


def test_a_broken_workbook_gets_a_plain_message(sample_store):
    report = import_files(sample_store, [("broken.xlsx", b"PK\x03\x04 not really")],
                          user="tester")
    assert any("cannot open this workbook" in e for e in errors(report))


def test_the_template_workbook_imports_into_an_empty_store(store):
    report = import_files(store, [("templates.xlsx", template_workbook())], user="tester")
    assert report.ok and report.committed, errors(report)
    kinds = {f.kind for f in report.files}
    assert kinds >= {"partnerships", "indicators", "targets", "observations", "partners",
                     "instrument", "responses"}
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    lists = [v.formula1 for v in book["indicators"].data_validations.dataValidation]
    assert any("involvement" in f for f in lists) and any("higher_is_better" in f
                                                           for f in lists)
    assert any("civil_society" in v.formula1
               for v in book["partners"].data_validations.dataValidation)


def test_the_command_line_imports_a_workbook(sample_store, tmp_path, capsys):
    path = tmp_path / "events.xlsx"
    path.write_bytes(workbook({"Events": [["partnership", "year", "event"],
                                          [DRAMMEN, 2026, "Workbook event"]]}))
    assert main(["--db", str(sample_store.path), "import", str(path)]) == 0
    assert "events.xlsx [Events]" in capsys.readouterr().out
    assert "Workbook event" in set(read_snapshot(sample_store).events["event"])


@pytest.mark.parametrize("name", ["data.xlsm", "DATA.XLSX"])
def test_workbook_names_are_recognised_whatever_their_case(sample_store, name):
    data = workbook({"Events": [["partnership", "year", "event"], [DRAMMEN, 2026, "x"]]})
    assert import_files(sample_store, [(name, data)], user="tester", commit=False).ok
