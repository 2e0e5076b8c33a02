"""The importer: every dialect evaluators send, every validation rule, atomicity."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.importer import import_files
from evaluation.snapshot import read_snapshot
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400), csv_like.map(lambda t: t.encode("utf-8"))))
def test_arbitrary_input_never_raises_and_never_writes_when_refused(sample_template, tmp_path_factory,
                                                                    data):
    store = _hypothesis_store(sample_template, tmp_path_factory)
    before = dump(store)
    report = import_files(store, [("fuzz.csv", data)], user="fuzz")
    if not report.committed:
        assert dump(store) == before
    else:
        assert report.ok


_STORES: dict = {}


def _hypothesis_store(template, factory):
    """One store per test run (hypothesis reuses it across examples)."""
    import shutil

    from evaluation.store import Store
    if "store" not in _STORES:
        path = factory.mktemp("fuzz") / "fuzz.duckdb"
        shutil.copy(template, path)
        _STORES["store"] = Store(path)
    return _STORES["store"]


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

    from evaluation import importer
    config = tomllib.loads((FIXTURES.parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == importer.MAX_UPLOAD_MB
    monkeypatch.setattr(importer, "MAX_UPLOAD_MB", 1)
    before = dump(sample_store)
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,1\n" + "#" * (2 << 20))
    assert "at most 1 MB" in report.errors[0].message and "split it" in report.errors[0].message
    assert dump(sample_store) == before
