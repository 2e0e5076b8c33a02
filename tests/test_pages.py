"""Every page under Streamlit's AppTest, on a real copy of the sample store."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
from evaluation.store.connection import Store
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import list_uploads
from tests.conftest import load

NO = "Nettverk friluftsliv Askim"
DK = "Fællesskaber Høje-Taastrup"




ROOT = Path(__file__).resolve().parent.parent


def app(name: str, **params: str) -> AppTest:
    """The whole app through dashboard.py's navigation, on page `name`."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if name != "overview":
        at.switch_page(f"pages/{name}.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def page(name: str, **params: str) -> AppTest:
    """One page run on its own (AppTest keeps widget events reliably this way)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.title] + [h.value for h in at.header]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("name", ["overview", "partnership", "indicators", "upload", "settings"])
def test_every_page_runs_without_exception(app_store, name):
    at = app(name)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title


def test_overview_lists_every_partnership_and_filters_change_it(app_store):
    at = page("overview")
    assert at.title[0].value == "Partnerships at a glance"
    table = at.dataframe[0].value
    assert len(table) == 6 and NO in set(table["partnership"])
    assert at.metric[0].value == "6 of 6"
    at.multiselect[0].select("Drammen").run()
    assert at.metric[0].value == "1 of 6"
    assert list(at.dataframe[0].value["partnership"]) == ["Ungdomsløftet Drammen"]


def test_overview_sorts_by_balanced_index(app_store):
    at = page("overview")
    at.selectbox[0].select("balanced_high").run()  # the sort id; the page shows its label
    scores = at.dataframe[0].value["balanced"].dropna().tolist()
    assert scores == sorted(scores, reverse=True)


def test_partnership_page_follows_the_url_and_the_selection(app_store):
    at = page("partnership", partnership=NO)
    assert at.title[0].value == ui.plain(NO)
    assert "Horizon" in text_of(at) and "Who takes part" in text_of(at)
    assert [m.label.split()[0] for m in at.metric] == ["Balanced", "Involvement", "Process",
                                                       "Outcome"]
    at.selectbox[0].select(DK).run()
    assert at.title[0].value == ui.plain(DK)
    assert at.query_params["partnership"] == DK


def test_partnership_year_range_lives_in_the_url(app_store):
    at = page("partnership", partnership=NO, **{"from": "2018", "to": "2022"})
    assert at.slider[0].value == (2018, 2022)
    at.slider[0].set_range(2019, 2021).run()
    assert at.query_params["from"] == "2019" and at.query_params["to"] == "2021"


def test_partnership_indicator_table_has_status_and_path(app_store):
    at = page("partnership", partnership="Ungdomsløftet Drammen")
    table = next(t.value for t in at.table if "Status" in t.value.columns)
    assert {"Status", "vs expected path", "Target reached at current pace", "Progress",
            "Value"} <= set(table.columns)
    assert table["Status"].str.len().gt(0).all()
    assert table["Progress"].str.fullmatch(r"(\d+%)?").all()  # a share, as read: 93%
    assert not at.dataframe  # the grid's code is not loaded for a table that is only read


def test_indicators_page_compares_partnerships(app_store):
    at = page("indicators", indicator="INV_PARTNERS")
    assert at.selectbox[0].value == "INV_PARTNERS"
    assert at.query_params["indicator"] == "INV_PARTNERS"
    at.selectbox[1].select("horizon").run()
    assert at.query_params["align"] == "horizon"
    assert not at.exception


def test_selection_carries_across_pages(app_store):
    at = app("partnership", partnership=DK)
    at.switch_page("pages/indicators.py").run()
    assert DK in at.multiselect[0].value


def test_upload_previews_commits_and_every_page_sees_the_new_data(app_store):
    at = page("upload")
    at.file_uploader[0].set_value(("obs.csv", f"partnership,indicator,year,value\n{NO},"
                                   "INV_PARTNERS,2020,99\n".encode(), "text/csv")).run()
    assert "0 new, 1 changed" in at.info[0].value
    commit = next(b for b in at.button if b.label.startswith("Commit"))
    commit.click().run()
    assert "Imported as upload 2" in at.success[0].value
    assert list_uploads(app_store).iloc[0].upload_id == 2
    at = page("partnership", partnership=NO)
    assert "upload 2" in text_of(at)


def test_upload_shows_every_problem_and_writes_nothing(app_store):
    at = page("upload")
    at.file_uploader[0].set_value(("bad.csv", b"partnership,indicator,year,value\n"
                                   b"Askim frilufsliv,INV_PARTNERS,20019,n/a\n", "text/csv")).run()
    assert at.error and "nothing was imported" in at.error[0].value
    problems = at.dataframe[0].value
    assert set(problems["column"]) >= {"year", "value", "partnership"}
    assert not any(b.label.startswith("Commit") for b in at.button)
    assert len(list_uploads(app_store)) == 1


def test_undo_from_the_upload_history(app_store):
    load(app_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2020,99\n")
    at = page("upload")
    undo = next(b for b in at.button if b.label == "Undo upload 2")
    undo.click().run()
    assert "Upload 2 undone" in at.success[0].value


def test_settings_page_saves_weights(app_store):
    at = page("settings")
    at.number_input(key="setting_weight_outcome").set_value(2.0)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    assert "outcome 50%" in text_of(at)
    assert list_uploads(app_store).iloc[0].action == "settings"


def test_whole_number_settings_are_shown_and_saved_as_whole_numbers(app_store):
    at = page("settings")
    years = at.number_input(key="setting_max_age_years")
    assert years.value == 2 and isinstance(years.value, int)
    years.set_value(3)
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    assert read_snapshot(app_store).settings["max_age_years"] == 3


def test_a_new_commit_from_outside_the_app_is_shown_without_restart(app_store):
    at = page("overview")
    assert "upload 1" in text_of(at)
    load(app_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,5\n")
    at.run()
    assert "upload 2" in text_of(at)


def test_an_empty_store_says_so_instead_of_empty_charts(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Store(path).schema_version()
    monkeypatch.setenv("EVALUATION_DB", str(path))
    st.cache_resource.clear()
    for name in ["overview", "partnership", "indicators"]:
        at = page(name)
        assert not at.exception and at.info, name
    st.cache_resource.clear()


def test_a_charts_data_and_downloads_are_built_when_opened(app_store):
    at = page("indicators", indicator="INV_PARTNERS")
    data = next(k for k in at.session_state if str(k).startswith("data_"))
    menu = next(k for k in at.session_state if str(k).startswith("menu_"))
    assert not at.dataframe and not at.get("download_button")
    at.session_state[data] = True
    at.session_state[menu] = True
    at.run()
    assert set(at.dataframe[0].value["partnership"]) >= {NO}
    labels = [b.label for b in at.get("download_button")]
    assert {"HTML", "CSV", "XLSX"} <= set(labels)


def _report_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if "chart pack" in b.label or "annual report" in b.label]


def test_the_chart_pack_is_made_on_a_click_then_offered(app_store):
    at = page("partnership", partnership="Nettverk friluftsliv Askim")
    assert "Make the chart pack (ZIP: PNG, SVG, CSV)" in _report_buttons(at)
    next(b for b in at.button if b.label.startswith("Make the chart pack")).click().run(
        timeout=180)
    assert not at.exception and not at.error
    labels = [b.label for b in at.get("download_button")]
    assert "Download the chart pack (ZIP: PNG, SVG, CSV)" in labels


def test_a_report_that_fails_shows_a_plain_error_not_a_dead_button(app_store, monkeypatch):
    import evaluation.output.report

    def broken(*args, **kwargs):
        raise RuntimeError("row too high")

    monkeypatch.setattr(evaluation.output.report, "annual_report_zip", broken)
    at = page("partnership", partnership="Nettverk friluftsliv Askim")
    next(b for b in at.button if b.label.startswith("Make the chart pack")).click().run()
    assert not at.exception
    assert "Something unexpected went wrong" in at.error[0].value
    assert "row too high" not in text_of(at)  # no internals on the page


def test_the_upload_page_checks_a_file_once_not_on_every_click(app_store, monkeypatch):
    import evaluation.intake.importer

    calls = []
    real = evaluation.intake.importer.import_files

    def counting(*args, **kwargs):
        calls.append(kwargs.get("commit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation.intake.importer, "import_files", counting)
    at = page("upload")
    row = b"partnership,indicator,year,value\nNettverk friluftsliv Askim,INV_PARTNERS,2031,3\n"
    at.file_uploader[0].set_value(("x.csv", row, "text/csv")).run()
    at.selectbox[0].set_value(1).run()  # another widget: a rerun
    at.run()
    assert calls == [False]
    next(b for b in at.button if b.label.startswith("Commit")).click().run()
    assert calls == [False, True]  # the commit validates once more, inside its transaction
    assert "upload_preview" not in at.session_state


def test_upload_history_shows_the_latest_at_once_and_all_when_asked(app_store):
    for year in range(2020, 2031):
        load(app_store, f"partnership,indicator,year,value\n{NO},INV_PARTNERS,{year},1\n")
    at = page("upload")
    history = next(m.value for m in at.markdown if m.value.startswith("| upload |"))
    rows = [line.split(" | ")[0].strip("| ") for line in history.splitlines()[2:]]
    assert rows == [str(u) for u in range(12, 2, -1)]  # newest first, ten of twelve
    assert "All 12 uploads" in [e.label for e in at.expander]
    assert not any(len(d.value) == 12 for d in at.dataframe)  # the grid waits to be opened
    at.session_state["upload_all"] = True
    at.run()
    assert list(at.dataframe[-1].value["upload_id"]) == list(range(12, 0, -1))
