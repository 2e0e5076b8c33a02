"""The importer: every dialect evaluators send, every validation rule, atomicity."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.intake.importer import import_files
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import undo_upload
from tests.conftest import FIXTURES, dump, load

DK = "Fællesskaber Høje-Taastrup"
NO = "Nettverk friluftsliv Askim"


def value_of(store, partnership, indicator, year, group=""):
    obs = read_snapshot(store).observations
    row = obs[(obs.partnership == partnership) & (obs.indicator == indicator)
              & (obs.year == year) & (obs["group"] == group)]
    return None if row.empty else row.iloc[0]


# --- dialects: each fixture file holds three observations ------------------------------

DIALECTS = {
    "comma_utf8.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "semicolon_decimal_comma.csv": {(NO, "PRO_TRUST"): 4.2, (NO, "OUT_ACTIVE"): 39.75},
    "excel_unicode_text.txt": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
    "utf8_bom.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "windows_1252.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "latin1.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
    "thousands_separators.csv": {(DK, "INV_PARTICIPANTS"): 1412, (NO, "INV_PARTICIPANTS"): 1050},
    "empty_cells_and_blank_rows.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
    "norwegian_headers.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "danish_headers.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
    "wide_years.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "names_case_and_spaces.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
    "title_lines_above_header.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "PRO_TRUST"): 4.2},
    "mac_line_endings.csv": {(DK, "INV_PARTICIPANTS"): 412, (NO, "OUT_ACTIVE"): 39.75},
}


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_dialect_imports_with_values_and_names_intact(sample_store, name):
    data = (FIXTURES / "dialects" / name).read_bytes()
    report = import_files(sample_store, [(name, data)], user="tester")
    assert report.ok, [p.format() for p in report.errors]
    assert report.committed
    for (partnership, indicator), expected in DIALECTS[name].items():
        row = value_of(sample_store, partnership, indicator, 2026)
        assert row is not None, (partnership, indicator)
        assert row.value == pytest.approx(expected)
    assert DK in set(read_snapshot(sample_store).partnerships.partnership)


def test_windows_1252_text_is_decoded_not_mangled(sample_store):
    data = (FIXTURES / "dialects" / "windows_1252.csv").read_bytes()
    assert import_files(sample_store, [("w.csv", data)], user="t").committed
    assert value_of(sample_store, DK, "INV_PARTICIPANTS", 2026).note == "2025–2026 € budget"
    assert value_of(sample_store, NO, "PRO_TRUST", 2026).note == "“new” survey"


def test_group_source_and_note_are_stored(sample_store):
    data = (FIXTURES / "dialects" / "comma_utf8.csv").read_bytes()
    assert import_files(sample_store, [("c.csv", data)], user="t").committed
    row = value_of(sample_store, NO, "INV_PARTNERS", 2026, "civil_society")
    assert row.value == 7 and row.source == "Register"
    assert value_of(sample_store, NO, "PRO_TRUST", 2026).note == "new provider, same scale"


def test_empty_value_cells_are_missing_not_zero(sample_store):
    before = value_of(sample_store, NO, "PRO_TRUST", 2025)
    data = (FIXTURES / "dialects" / "empty_cells_and_blank_rows.csv").read_bytes()
    report = import_files(sample_store, [("e.csv", data)], user="t")
    assert report.files[0].skipped == 1
    after = value_of(sample_store, NO, "PRO_TRUST", 2025)
    assert (before is None and after is None) or before.value == after.value


@pytest.mark.parametrize("cell, expected", [
    ("1.234,5", 1234.5), ("1 234,5", 1234.5), ("1\u00a0234", 1234), ("45 %", 45),
    ("−3,5", -3.5), ("12,5", 12.5), ("0,25", 0.25), ("1e3", 1000),
])
def test_number_spellings_in_semicolon_files(sample_store, cell, expected):
    report = load(sample_store, f"partnership;indicator;year;value\n{NO};INV_PARTNERS;2030;{cell}\n")
    assert report.ok, [p.format() for p in report.problems]
    assert value_of(sample_store, NO, "INV_PARTNERS", 2030).value == pytest.approx(expected)


@pytest.mark.parametrize("cell, expected", [("\"1,234.5\"", 1234.5), ("\"12,5\"", 12.5)])
def test_number_spellings_in_comma_files(sample_store, cell, expected):
    report = load(sample_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2030,{cell}\n")
    assert report.ok
    assert value_of(sample_store, NO, "INV_PARTNERS", 2030).value == pytest.approx(expected)


# --- validation rules: input -> the problem it must produce -------------------------------

OBS = "partnership,indicator,year,value\n"
RULES = [
    ("year not a year", OBS + f"{NO},INV_PARTNERS,20019,5\n", 2, "year", "is not a year"),
    ("unknown partnership with suggestion", OBS + "Askim frilufsliv,INV_PARTNERS,2020,5\n",
     2, "partnership", f'did you mean "{NO}"'),
    ("unknown indicator", OBS + f"{NO},INV_PARTNER,2020,5\n", 2, "indicator",
     'did you mean "INV_PARTNERS"'),
    ("value n/a", OBS + f"{NO},INV_PARTNERS,2020,n/a\n", 2, "value",
     "leave the cell empty for missing"),
    ("dash is ambiguous", OBS + f"{NO},INV_PARTNERS,2020,-\n", 2, "value", "write 0 for nothing"),
    ("different duplicates", OBS + f"{NO},INV_PARTNERS,2020,5\nx,y,2020,1\n{NO},INV_PARTNERS,2020,6\n",
     4, "", "lines 2 and 4 with different values"),
    ("empty partnership", OBS + ",INV_PARTNERS,2020,5\n", 2, "partnership", "is empty"),
    ("missing column", "partnership,indicator,value\nA,B,1\n", 1, "", "'year'"),
    ("misspelt header", "partnership,indicator,yaer,value\nA,B,2020,1\n", 1, "",
     "is 'yaer' a misspelling?"),
    ("unknown pillar", "indicator,name,pillar,unit,direction,description\n"
     "X1,Name,procss,%,higher_is_better,\n", 2, "pillar", 'did you mean "process"'),
    ("unknown direction", "indicator,name,pillar,unit,direction,description\n"
     "X1,Name,process,%,better,\n", 2, "direction", "use one of: higher_is_better"),
    ("horizon not a number of years", "partnership,municipality,start_year,horizon_years,"
     "purpose,lead\nP,M,2020,40,x,y\n", 2, "horizon_years", "between 1 and 30"),
    ("target year before baseline", "partnership,indicator,baseline_year,baseline,target_year,"
     f"target\n{NO},INV_PARTNERS,2020,5,2019,9\n", 2, "target_year", "must come after"),
    ("ragged row", OBS + f"{NO},INV_PARTNERS,2020,5,oops\n", 2, "", "has 5 cells"),
    ("unclosed quote", OBS + f"{NO},INV_PARTNERS,2020,\"5\n{NO},INV_PARTNERS,2021,6\n", 2, "",
     "never closed"),
    ("excel workbook", b"PK\x03\x04binary", 1, "", "Excel workbook"),
    ("nul bytes", b"partnership,indicator,year,value\nA\x00,B,2020,1\n", 2, "", "NUL bytes"),
    ("empty file", b"", 1, "", "empty"),
    ("huge cell", OBS + f"{NO},INV_PARTNERS,2020,{'9' * 200_000}\n", 2, "", "characters long"),
]


@pytest.mark.parametrize("label, text, line, column, fragment",
                         RULES, ids=[r[0] for r in RULES])
def test_validation_errors(sample_store, label, text, line, column, fragment):
    before = dump(sample_store)
    report = load(sample_store, text)
    assert not report.ok and not report.committed
    matches = [p for p in report.errors if fragment in p.message]
    assert matches, [p.format() for p in report.problems]
    assert matches[0].line == line and matches[0].column == column
    assert dump(sample_store) == before


WARNINGS = [
    ("percentage above 100", OBS + f"{NO},OUT_ACTIVE,2030,135\n", "value", "percentage (0-100)"),
    ("negative count", OBS + f"{NO},INV_PARTNERS,2030,-2\n", "value", "never negative"),
    ("score off scale", OBS + f"{NO},PRO_TRUST,2030,7\n", "value", "scale 1-5"),
    ("outlier", OBS + f"{NO},INV_PARTICIPANTS,2026,9100\n", "value", "far from the rest"),
    ("horizon outside 5-10", "partnership,municipality,start_year,horizon_years,purpose,lead\n"
     "New one,M,2024,3,x,y\n", "horizon_years", "unusual"),
    ("identical duplicate", OBS + f"{NO},INV_PARTNERS,2030,5\n{NO},INV_PARTNERS,2030,5\n", "",
     "imported once"),
    ("statistics office symbol", "partnership;indicator;2029;2030\n" + f"{NO};OUT_ACTIVE;..;40\n",
     "2029", "read as missing"),
    ("unused column", "partnership,indicator,year,value,colour\n" + f"{NO},INV_PARTNERS,2030,5,red\n",
     "colour", "ignored"),
    ("target beyond horizon", "partnership,indicator,baseline_year,baseline,target_year,target\n"
     f"{NO},INV_VOLUNTEERS,2016,10,2040,50\n", "target_year", "after the end"),
]


@pytest.mark.parametrize("label, text, column, fragment", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warnings_do_not_block(sample_store, label, text, column, fragment):
    report = load(sample_store, text)
    assert report.ok, [p.format() for p in report.errors]
    assert report.committed
    matches = [p for p in report.warnings if fragment in p.message]
    assert matches and matches[0].column == column, [p.format() for p in report.problems]


def test_all_problems_of_a_file_are_reported_at_once(sample_store):
    text = OBS + "\n".join([f"{NO},INV_PARTNERS,20019,5", "Askim frilufsliv,INV_PARTNERS,2020,5",
                            f"{NO},INV_PARTNERS,2021,n/a"]) + "\n"
    report = load(sample_store, text)
    assert {(p.line, p.column) for p in report.errors} == {
        (2, "year"), (3, "partnership"), (4, "value")}
    assert all(p.file == "upload.csv" for p in report.errors)


def test_wide_file_problems_name_the_year_column(sample_store):
    report = load(sample_store, f"partnership;indicator;2024;2025\n{NO};OUT_ACTIVE;12;abc\n")
    (error,) = report.errors
    assert (error.line, error.column, error.value) == (2, "2025", "abc")


def test_many_bad_rows_are_summarised(sample_store):
    text = OBS + "".join(f"{NO},INV_PARTNERS,{2000 + i % 50},bad\n" for i in range(500))
    report = load(sample_store, text)
    assert len(report.errors) <= 60
    assert any("more rows with the same problem" in p.message for p in report.errors)


# --- atomicity, previews, idempotence -----------------------------------------------------

def test_bad_row_in_the_middle_changes_nothing_in_any_table(sample_store):
    partnerships = ("partnership,municipality,start_year,horizon_years,purpose,lead\n"
                    "Brand new partnership,Oslo,2024,8,Purpose,Lead\n")
    rows = [f"{NO},INV_PARTNERS,{2000 + i},{i}" for i in range(40)]
    rows[20] = f"{NO},INV_PARTNERS,2099,not-a-number"
    before = dump(sample_store)
    report = import_files(sample_store, [
        ("obs.csv", (OBS + "\n".join(rows) + "\n").encode()),
        ("partnerships.csv", partnerships.encode())], user="t")
    assert not report.ok and report.errors[0].line == 22
    assert dump(sample_store) == before


def test_preview_writes_nothing_and_shows_old_and_new(sample_store):
    before = dump(sample_store)
    old = value_of(sample_store, NO, "INV_PARTNERS", 2020).value
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n{NO},INV_PARTNERS,2031,5\n",
                  commit=False)
    assert report.ok and not report.committed
    (f,) = report.files
    assert (f.new, f.changed, f.unchanged) == (1, 1, 0)
    changed = f.preview[f.preview.status == "changed"].iloc[0]
    assert changed["old value"] == old and changed["value"] == 99
    assert dump(sample_store) == before


def test_reimporting_the_same_file_changes_nothing_and_says_so(sample_store):
    text = OBS + f"{NO},INV_PARTNERS,2031,5\n"
    first = load(sample_store, text)
    before = dump(sample_store)
    second = load(sample_store, text)
    assert first.committed and not second.committed and second.ok
    assert second.changes == 0 and first.upload_id in second.same_as
    assert "Nothing to change" in second.summary()
    assert dump(sample_store) == before


def test_files_are_applied_in_dependency_order(store):
    report = import_files(store, [
        ("obs.csv", b"partnership,indicator,year,value\nP1,I1,2020,3\n"),
        ("ind.csv", b"indicator,name,pillar,unit,direction\nI1,One,process,count,higher\n"),
        ("p.csv", b"partnership,municipality,start_year,horizon_years,purpose,lead\n"
                  b"P1,Oslo,2019,6,x,y\n")], user="t")
    assert report.ok and report.committed
    assert [f.kind for f in report.files] == ["partnerships", "indicators", "observations"]
    assert value_of(store, "P1", "I1", 2020).value == 3


def test_two_files_disagreeing_on_a_value_is_an_error(sample_store):
    a = OBS + f"{NO},INV_PARTNERS,2031,5\n"
    b = OBS + f"{NO},INV_PARTNERS,2031,6\n"
    report = import_files(sample_store, [("a.csv", a.encode()), ("b.csv", b.encode())], user="t")
    assert any("another file in this upload" in p.message for p in report.errors)


def test_upload_records_file_hash_kind_counts_and_user(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,5\n", name="mine.csv", user="anne")
    with sample_store.connect() as con:
        row = con.execute("SELECT u.created_by, f.file_name, f.kind, f.n_new, length(f.sha256) "
                          "FROM uploads u JOIN upload_files f USING (upload_id) "
                          "WHERE upload_id = ?", [report.upload_id]).fetchone()
    assert row == ("anne", "mine.csv", "observations", 1, 64)


# --- hostile input never escapes and never writes -----------------------------------------

HEADERS = ["partnership,indicator,year,value", "partnership;indicator;2019;2020",
           "indicator,name,pillar,unit,direction,description", "partnership,year,event"]
cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
csv_like = st.builds(
    lambda header, rows, sep: header + "\n" + "\n".join(sep.join(r) for r in rows),
    st.sampled_from(HEADERS), st.lists(st.lists(cells, max_size=6), max_size=8),
    st.sampled_from([",", ";", "\t"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), csv_like.map(lambda t: t.encode("utf-8"))))
def test_arbitrary_input_never_raises_and_never_writes_when_refused(sample_template, tmp_path,
                                                                    data):
    import shutil
    import uuid

    from evaluation.store.connection import Store
    path = tmp_path / f"{uuid.uuid4().hex}.duckdb"  # a fresh store for every example
    shutil.copy(sample_template, path)
    store = Store(path)
    before = dump(store)
    report = import_files(store, [("fuzz.csv", data)], user="fuzz")
    after = dump(store)
    if not report.committed:
        assert after == before
    else:
        written = sum(len(rows) for rows in after.values()) - sum(
            len(rows) for rows in before.values())
        counted = sum(f.new + f.changed for f in report.files)
        assert written == counted + 1 + len(report.files)  # versions, the upload, its files
    path.unlink()


def test_blank_rows_with_spaces_in_number_cells_are_skipped(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,4\n,,,   \n,  ,,\n")
    assert report.ok, [p.format() for p in report.problems]


def test_an_unclosed_quote_on_the_last_line_is_an_error(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,\"30\n")
    assert any("never closed" in p.message and p.line == 2 for p in report.errors)


def test_unknown_names_in_a_wide_file_count_cells(sample_store):
    report = load(sample_store, "partnership;indicator;2024;2025\nNowhere;OUT_ACTIVE;1;2\n")
    (error,) = report.errors
    assert "1 more cells" in error.message


def test_the_upload_limit_matches_the_server_setting_and_is_explained(sample_store, monkeypatch):
    import tomllib

    from evaluation.intake import importer
    config = tomllib.loads((FIXTURES.parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == importer.MAX_UPLOAD_MB
    monkeypatch.setattr(importer, "MAX_UPLOAD_MB", 1)
    before = dump(sample_store)
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,1\n" + "#" * (2 << 20))
    assert "at most 1 MB" in report.errors[0].message and "split it" in report.errors[0].message
    assert dump(sample_store) == before


# --- decimal marks: decided per column from all its cells -------------------------------

SETUP = [("p.csv", b"partnership,municipality,start_year,horizon_years,purpose,lead\n"
                   b"P1,Oslo,2019,8,x,y\n"),
         ("i.csv", b"indicator,name,pillar,unit,direction\nI1,Budget,outcome,NOK,higher\n"
                   b"I2,Members,involvement,members,higher\n")]


@pytest.fixture
def plain_store(store):
    """P1 with indicator I1 in NOK (a unit no plausibility check applies to) and I2, a count."""
    assert import_files(store, SETUP, user="t").committed
    return store


def _column(sep, cells, indicator="I1"):
    q = '"' if sep == "," else ""
    return f"partnership{sep}indicator{sep}year{sep}value\n" + "".join(
        f"P1{sep}{indicator}{sep}{2020 + i}{sep}{q}{c}{q}\n" for i, c in enumerate(cells))


AMBIGUOUS = "could be"
DECIMALS = [
    # (label, delimiter, cells, value read from the first cell, fragment of a problem on it)
    ("semicolon, no evidence: decimal comma", ";", ["1.234", "7"], 1234, AMBIGUOUS),
    ("semicolon, decimal commas elsewhere", ";", ["1.234", "12,5"], 1234,
     "decimal comma (see '12,5' on line 3)"),
    ("semicolon, decimal points elsewhere", ";", ["1.234", "12.5"], 1.234, None),
    ("semicolon, 1,234 with decimal commas", ";", ["1,234", "7"], 1.234, None),
    ("semicolon, dots group thousands elsewhere", ";", ["1.234", "1.234.567"], 1234, AMBIGUOUS),
    ("comma file, quoted 0,500", ",", ["0,500", "7"], 0.5, None),
    ("comma file, quoted 1,234, no evidence", ",", ["1,234", "7"], 1234,
     "comma- and tab-separated files use a decimal point"),
    ("comma file, quoted 1,234 with decimal commas elsewhere", ",", ["1,234", "12,5"], 1.234,
     None),
    ("comma file, 1,234 with decimal points elsewhere", ",", ["1,234", "12.5"], 1234, AMBIGUOUS),
    ("tab file, decimal commas elsewhere", "\t", ["1.234", "4,5"], 1234, AMBIGUOUS),
    ("tab file, no evidence", "\t", ["1.234", "4"], 1.234, None),
    ("thousands with both marks", ";", ["1.234,5", "1 234,5"], 1234.5, None),
    ("nbsp thousands", ";", ["1\u00a0234", "2"], 1234, None),
]


@pytest.mark.parametrize("label, sep, cells, expected, fragment", DECIMALS,
                         ids=[d[0] for d in DECIMALS])
def test_the_decimal_mark_is_decided_per_column(plain_store, label, sep, cells, expected,
                                                fragment):
    report = load(plain_store, _column(sep, cells))
    assert report.ok, [p.format() for p in report.problems]
    assert value_of(plain_store, "P1", "I1", 2020).value == pytest.approx(expected)
    on_first = [p for p in report.warnings if p.line == 2 and AMBIGUOUS in p.message]
    if fragment is None:
        assert not on_first, [p.format() for p in report.problems]
    else:
        (warning,) = on_first
        assert fragment in warning.message and warning.column == "value"
        assert f"read as {expected:g}" in warning.message and warning.value == cells[0]


@pytest.mark.parametrize("sep, cells, line", [
    (",", ["1.234,5", "1,234.5"], 3), (";", ["12,5", "1.234", "13.5"], 4),
    (",", ["2.5", "3", "1,5"], 4), (";", ["1.234.567", "7", "1,234.5"], 4),
])
def test_a_column_mixing_decimal_marks_is_an_error(plain_store, sep, cells, line):
    before = dump(plain_store)
    report = load(plain_store, _column(sep, cells))
    (error,) = report.errors
    assert "mixes decimal marks" in error.message and error.column == "value"
    assert error.line == line and f"'{cells[0]}' on line 2" in error.message
    assert dump(plain_store) == before


def test_a_column_without_a_mark_takes_the_other_columns_mark(plain_store):
    targets = ("partnership;indicator;baseline_year;baseline;target_year;target\n"
               "P1;I1;2019;0.5;2026;1.500\n")
    report = load(plain_store, targets)
    assert report.ok and not report.warnings, [p.format() for p in report.problems]
    assert read_snapshot(plain_store).targets.loc[0, "target"] == 1.5
    commas = targets.replace("0.5;", "0,5;")
    report = load(plain_store, commas)
    (warning,) = [p for p in report.warnings if AMBIGUOUS in p.message]
    assert "other number columns of this file use a decimal comma" in warning.message
    assert read_snapshot(plain_store).targets.loc[0, "target"] == 1500


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_digit_separators_are_not_numbers(plain_store, sep):
    before = dump(plain_store)
    report = load(plain_store, _column(sep, ["1_000.5" if sep != ";" else "1_000,5", "12,5"]))
    assert not report.ok and dump(plain_store) == before
    assert any(p.line == 2 and p.column == "value" for p in report.errors), [
        p.format() for p in report.problems]


def test_a_wide_file_decides_over_all_its_year_columns(plain_store):
    report = load(plain_store, "partnership;indicator;2020;2021\nP1;I1;1.234;3,5\n")
    assert report.ok
    assert value_of(plain_store, "P1", "I1", 2020).value == 1234
    (warning,) = [p for p in report.warnings if AMBIGUOUS in p.message]
    assert (warning.line, warning.column, warning.value) == (2, "2020", "1.234")


def test_many_distinct_ambiguous_cells_are_summarised(plain_store):
    cells = [f"{n}.{n:03d}" for n in range(1, 76)] + ["0,5"]
    report = load(plain_store, _column(";", cells))
    assert report.ok, [p.format() for p in report.errors]
    assert value_of(plain_store, "P1", "I1", 2020).value == 1001
    ambiguous = [p for p in report.warnings if AMBIGUOUS in p.message
                 or "thousands separator" in p.message]
    assert len(ambiguous) == 51 and "25 more rows" in ambiguous[-1].message


def test_a_count_with_a_fraction_is_a_warning(plain_store):
    report = load(plain_store, _column(";", ["1,234", "12"], indicator="I2"))
    assert report.committed
    (warning,) = [p for p in report.warnings if "count with a fraction" in p.message]
    assert warning.line == 2 and "decimal mark" in warning.message


def test_a_count_whose_values_mostly_have_decimals_is_one_warning_for_the_indicator(
        plain_store):
    """990,080 row warnings once said what one sentence says: the unit is not a count."""
    report = load(plain_store, _column(",", [f"{7 + i / 10:.1f}" for i in range(30)],
                                       indicator="I2"))
    assert report.committed
    fractions = [p for p in report.warnings if "decimal" in p.message]
    assert len(fractions) == 1 and fractions[0].line is None
    assert fractions[0].message.startswith("indicator I2: 27 of its 30 values have decimals")  # 7.0, 8.0, 9.0 are whole


@pytest.mark.parametrize("unit, is_count", [
    ("members", True), ("antall deltakere", True), ("persons per 1,000 inhabitants", False),
    ("participants per session", False), ("average number of partners", False),
    ("members/year", False)])
def test_rates_of_counts_are_not_counts(unit, is_count):
    from evaluation.intake.checks import COUNT, unit_bounds
    low, high, what = unit_bounds(unit)
    assert (what == COUNT) is is_count and low == 0 and high is None


@pytest.mark.parametrize("text, comma, point", [
    ("1.234", 1234, 1.234), ("1,234", 1.234, 1234), ("0,500", 0.5, 0.5), ("12,5", 12.5, 12.5),
    ("1.234,5", 1234.5, 1234.5), ("1,234.5", 1234.5, 1234.5), ("1.2,3", None, None),
    ("1 234", 1234, 1234), ("-1.234", -1234, -1.234), ("45,5 %", 45.5, 45.5),
    ("1.234.567", 1234567, 1234567), ("1,2,3", None, None), ("inf", None, None),
])
def test_parse_number_reads_only_fitting_cells_by_the_column_mark(text, comma, point):
    from evaluation.intake.numbers import parse_number
    assert parse_number(text, True) == comma and parse_number(text, False) == point


@pytest.mark.parametrize("text, mark", [
    ("12,5", ","), ("0,500", ","), ("1.234,5", ","), ("1.234.567", ","), ("1 234,5", ","),
    ("12.5", "."), ("0.500", "."), ("1,234.5", "."), ("1,234,567", "."), ("1234.567", "."),
    ("1.234", "either"), ("-1,234", "either"), ("1234", None), ("1 234", None), ("n.a.", None),
])
def test_decimal_mark_evidence_of_a_cell(text, mark):
    from evaluation.intake.numbers import decimal_mark
    assert decimal_mark(text) == mark


def test_a_spreadsheet_year_cell_is_a_year(plain_store):
    report = load(plain_store, OBS + "P1,I1,2019.0,5\nP1,I1,\"2020,0\",6\n")
    assert report.ok, [p.format() for p in report.problems]
    assert value_of(plain_store, "P1", "I1", 2019).value == 5
    assert value_of(plain_store, "P1", "I1", 2020).value == 6


def test_float_year_headers_make_a_wide_file(plain_store):
    report = load(plain_store, "partnership;indicator;2019.0;2020,0; 2021 \nP1;I1;1;2;3\n")
    assert report.ok and report.files[0].kind == "observations_wide"
    assert [value_of(plain_store, "P1", "I1", y).value for y in (2019, 2020, 2021)] == [1, 2, 3]


# --- groups match like names ------------------------------------------------------------

GROUPED = "partnership,indicator,year,value,group\n"


def _groups(store, partnership=NO, indicator="INV_PARTNERS"):
    obs = read_snapshot(store).observations
    rows = obs[(obs.partnership == partnership) & (obs.indicator == indicator)]
    return set(rows["group"]) - {""}


def test_a_group_in_another_case_updates_the_stored_group(sample_store):
    before = _groups(sample_store)
    assert "civil_society" in before
    old = value_of(sample_store, NO, "INV_PARTNERS", 2016, "civil_society").value
    report = load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2016,{old + 1}, Civil_Society \n"
                  f"{NO},INV_PARTNERS,2017,7,CIVIL_SOCIETY\n", commit=False)
    assert report.ok and (report.files[0].new, report.files[0].changed) == (0, 1)
    assert load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2016,{old + 1}, Civil_Society \n"
                ).committed
    assert _groups(sample_store) == before
    assert value_of(sample_store, NO, "INV_PARTNERS", 2016, "civil_society").value == old + 1


def test_a_series_with_two_stored_spellings_updates_the_row_of_that_year(sample_store):
    # A store written before groups matched like names: one series, two spellings.
    with sample_store.transaction() as con:
        con.execute("UPDATE observations SET grp = 'Civil_Society' WHERE grp = 'civil_society' "
                    "AND year = 2017 AND valid_to IS NULL")
    old = value_of(sample_store, NO, "INV_PARTNERS", 2016, "civil_society").value
    report = load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2016,{old + 1},CIVIL_SOCIETY\n")
    assert (report.files[0].new, report.files[0].changed) == (0, 1)
    assert value_of(sample_store, NO, "INV_PARTNERS", 2016, "civil_society").value == old + 1
    assert value_of(sample_store, NO, "INV_PARTNERS", 2016, "Civil_Society") is None


def test_a_new_group_keeps_its_first_spelling(sample_store):
    report = load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2030,1,Civil  Servants\n"
                  f"{NO},INV_PARTNERS,2031,2,civil servants\n")
    assert report.committed
    assert "Civil Servants" in _groups(sample_store)
    assert "civil servants" not in _groups(sample_store)
    assert load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2032,3,CIVIL SERVANTS\n").committed
    assert value_of(sample_store, NO, "INV_PARTNERS", 2032, "Civil Servants").value == 3


def test_one_group_in_two_cases_in_one_file_is_a_duplicate(sample_store):
    report = load(sample_store, GROUPED + f"{NO},INV_PARTNERS,2030,1,Business\n"
                  f"{NO},INV_PARTNERS,2030,2,business\n")
    assert any("lines 2 and 3 with different values" in p.message for p in report.errors)


def test_a_group_spelling_is_shared_across_the_files_of_an_upload(sample_store):
    a = GROUPED + f"{NO},INV_PARTNERS,2030,1,New Group\n"
    b = GROUPED + f"{NO},INV_PARTNERS,2031,2,NEW GROUP\n"
    report = import_files(sample_store, [("a.csv", a.encode()), ("b.csv", b.encode())],
                          user="t")
    assert report.committed
    assert {"New Group"} <= _groups(sample_store) and "NEW GROUP" not in _groups(sample_store)


# --- several files in one upload --------------------------------------------------------

@pytest.mark.parametrize("order", ["same first", "different first"])
def test_two_files_disagreeing_is_an_error_whatever_the_store_holds(sample_store, order):
    stored = value_of(sample_store, NO, "INV_PARTNERS", 2020).value
    same = ("same.csv", (OBS + f"x,y,2020,1\n{NO},INV_PARTNERS,2020,{stored}\n").encode())
    other = ("other.csv", (OBS + f"{NO},INV_PARTNERS,2020,{stored + 5}\n").encode())
    files = [same, other] if order == "same first" else [other, same]
    before = dump(sample_store)
    report = import_files(sample_store, [(n, d.replace(b"x,y,2020,1\n", b"")) for n, d in files],
                          user="t")
    (error,) = [p for p in report.errors if "another file" in p.message]
    later, earlier = (other, same) if order == "same first" else (same, other)
    assert error.file == later[0] and f"{earlier[0]} line 2" in error.message
    assert error.line == 2 and "value" in error.message
    assert dump(sample_store) == before


def test_two_files_agreeing_on_a_row_are_fine(sample_store):
    row = OBS + f"{NO},INV_PARTNERS,2031,5\n"
    note = "partnership,indicator,year,value,note\n" + f"{NO},INV_PARTNERS,2031,5,checked\n"
    before = read_snapshot(sample_store).observations.drop(columns=["upload_id"])
    for files in ([("a.csv", row), ("b.csv", note)], [("b.csv", note), ("a.csv", row)]):
        report = import_files(sample_store, [(n, t.encode()) for n, t in files], user="t")
        assert report.ok and report.committed, [p.format() for p in report.errors]
        stored = value_of(sample_store, NO, "INV_PARTNERS", 2031)
        assert (stored.value, stored.note) == (5, "checked")
        undo_upload(sample_store, report.upload_id, "t")  # one version per row and upload
        after = read_snapshot(sample_store).observations.drop(columns=["upload_id"])
        assert after.equals(before)


def test_two_new_partnerships_files_disagreeing_name_both_lines(store):
    head = "partnership,municipality,start_year,horizon_years,purpose,lead\n"
    a = head + "New one,Oslo,2020,8,x,y\n"
    b = head + "Other,Oslo,2021,8,x,y\nnew ONE,Oslo,2021,8,x,y\n"
    report = import_files(store, [("a.csv", a.encode()), ("b.csv", b.encode())], user="t")
    (error,) = report.errors
    assert (error.file, error.line) == ("b.csv", 3) and "a.csv line 2" in error.message
    assert "start_year 2020 there, 2021 here" in error.message


def test_a_file_with_repeated_rows_then_another_file(sample_store):
    twice = OBS + f"{NO},INV_PARTNERS,2031,5\n{NO},INV_PARTNERS,2031,5\n"
    events = "partnership,year,event\n" + f"{NO},2031,New coordinator\n"
    report = import_files(sample_store, [("a.csv", twice.encode()), ("e.csv", events.encode())],
                          user="t")
    assert report.committed, [p.format() for p in report.errors]


# --- commentary and units -----------------------------------------------------------------

@pytest.mark.parametrize("length, ok", [(10_000, True), (10_001, False)])
def test_commentary_has_the_same_limit_as_the_app(sample_store, length, ok):
    from evaluation.intake import edits, rules
    assert edits.MAX_COMMENTARY == rules.MAX_COMMENTARY == 10_000  # one limit, declared once
    report = load(sample_store, f"partnership,year,commentary\n{NO},2031,{'x' * length}\n")
    assert report.ok is ok
    if not ok:
        (error,) = report.errors
        assert (error.line, error.column, error.value) == (2, "commentary", "10,001 characters")
        assert "at most 10,000 characters" in error.message


def test_an_empty_unit_warns_only_when_no_unit_is_stored(sample_store):
    head = "indicator,name,pillar,unit,direction\n"
    report = load(sample_store, head + "INV_PARTNERS,Partner organisations,involvement,,higher\n"
                  "NEW_ONE,New,process,,higher\n")
    assert report.committed
    assert [p.line for p in report.warnings if "unit is empty" in p.message] == [3]
    units = read_snapshot(sample_store).indicators.set_index("indicator")["unit"]
    assert units["INV_PARTNERS"] == "count"


# --- a preview that holds nothing -------------------------------------------------------

def test_a_preview_runs_while_another_writer_holds_the_store(sample_store):
    """The preview reads a copy: it needs neither the write lock nor a write transaction."""
    import threading

    row = f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n".encode()
    held, release = threading.Event(), threading.Event()

    def writer() -> None:
        with sample_store.transaction():
            held.set()
            release.wait(60)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        held.wait(10)
        reports = []
        preview = threading.Thread(target=lambda: reports.append(
            import_files(sample_store, [("x.csv", row)], user="v", commit=False)))
        preview.start()
        preview.join(30)
        assert not preview.is_alive(), "the preview waited for the writer"
        assert reports[0].ok and reports[0].changes == 1 and reports[0].base_upload == 1
    finally:
        release.set()
        thread.join()


def test_a_preview_works_in_read_only_mode(sample_store):
    from evaluation.store.connection import Store

    before = dump(sample_store)
    reader = Store(sample_store.path, read_only=True)
    report = import_files(reader, [("x.csv", f"partnership,indicator,year,value\n{NO},"
                                              "INV_PARTNERS,2031,3\n".encode())],
                          user="v", commit=False)
    assert report.ok and report.changes == 1 and not report.committed
    assert dump(sample_store) == before


def test_a_commit_after_another_upload_is_checked_again_not_written(sample_store):
    row = f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,3\n".encode()
    preview = import_files(sample_store, [("x.csv", row)], user="a", commit=False)
    other = load(sample_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,4\n")
    assert other.committed
    before = dump(sample_store)
    result = import_files(sample_store, [("x.csv", row)], user="a", commit=True,
                          expect_upload=preview.base_upload)
    assert result.stale and not result.committed and dump(sample_store) == before
    assert "changed since the preview" in result.summary()
    assert result.files[0].changed == 1  # checked again: now it changes upload 2's value
    again = import_files(sample_store, [("x.csv", row)], user="a", commit=True,
                         expect_upload=result.base_upload)
    assert again.committed and again.upload_id == 3


def test_a_series_of_more_than_128_years_is_checked_without_overflow(sample_store):
    """A series with every year from 1900 to 2099 once made the repeated-year check
    overflow DuckDB's TINYINT bit count (64 + 64)."""
    rows = "\n".join(f"Ungdomsløftet Drammen,OUT_NEET,{year},{10 + year % 7}"
                     for year in range(1900, 2100))
    report = load(sample_store, "partnership,indicator,year,value\n" + rows, "long.csv",
                  commit=False)
    assert report.ok, [p.format() for p in report.errors]


@pytest.mark.parametrize("body", [
    "a,1\nb,2\nc,3\n",
    "a,1\r\nb,2\r\n\r\nc,3",  # CRLF, an empty line, no final break
    'a,"two\nlines"\n\nb,2\n"c ""q""",3\n',  # a break inside quotes, doubled quotes
    "\n\na,1\nb,2\n\n\n",
    'a,"x\r\ny\r\nz"\r\nb,2\r\n',
])
def test_record_lines_from_the_bytes_match_the_exact_walk(body):
    """Warned lines are found from the bytes (numpy) as the csv module would find them."""
    from evaluation.intake.records import _record_lines, _scan
    from evaluation.intake.textfile import read_text_file

    header = "partnership,indicator,year,value\n"
    tf = read_text_file("f.csv", (header + body.replace(",", ",I,2020,")).encode())
    exact = _scan(tf).lines
    assert _record_lines(tf, len(exact)).tolist() == exact.tolist()
