"""Upload: templates, validation report, preview, commit, and the upload history with undo."""

from __future__ import annotations

import streamlit as st

import ui
import ui_language
from evaluation.intake.fetch import Client, fetch_from_store
from evaluation.intake.formats import KINDS, template_csv
from evaluation.intake.importer import MAX_UPLOAD_MB, ImportReport, import_files
from evaluation.intake.upload_report import problems_table
from evaluation.intake.workbook import template_workbook
from evaluation.store.snapshot import read_upload_changes
from evaluation.store.versions import list_uploads, undo_upload
from evaluation.text import markdown_table
from evaluation.words import _, number

ui.page_setup()

LATEST_UPLOADS = 10  # shown at once; the rest when asked for

st.title(_("Upload data"))
st.write(_(
    "Upload CSV files, Excel workbooks or statistics offices' tables. Every file "
    "is checked first: you see every problem at once, then a preview of what would change. "
    "Nothing is written until you commit, and every upload can be undone."))

with ui.guarded():
    store = ui.get_store()
    user = ui.current_user()
ui.sidebar()
if not ui.can_write():
    reason = (_("this dashboard runs in read-only mode") if store.read_only else
              _("you are signed in as {name}, a viewer").format(name=ui.plain(user.name)))
    st.warning(_("Uploading and undoing are for evaluators, and {reason}. Ask the "
                 "dashboard's administrator if you need to change data. The upload history "
                 "below shows who changed what.").format(reason=reason))

# The templates are made when a button is clicked, not on every visit to the page (then
# outside the page's run: in_language carries the reader's language there).
with st.expander(_("Templates and file formats")):
    st.write(_("Each kind is recognised from its header row. Semicolons, decimal commas, "
               "Norwegian and Danish column names and UTF-8, UTF-16 or Windows-1252 files are "
               "all fine. See docs/data-format.md for every column."))
    st.download_button(_("All templates in one workbook (Excel, a sheet per kind)"),
                       ui_language.in_language(template_workbook), file_name="templates.xlsx",
                       on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template_workbook", type="primary")
    cols = st.columns(4)
    for i, kind in enumerate(KINDS.values()):
        cols[i % 4].download_button(
            _(kind.title), ui_language.in_language(lambda k=kind.name: template_csv(k)),
            file_name=f"template_{kind.name}.csv", on_click="ignore",
            mime="text/csv", key=f"template_{kind.name}", width="stretch")

if message := st.session_state.pop("upload_message", None):
    st.success(ui.plain(message))

round_ = st.session_state.setdefault("upload_round", 0)
ui_language.uploader_in_language()
uploaded = st.file_uploader(
    _("CSV files, Excel workbooks or statistics offices' tables (StatBank CSV, PC-Axis, "
      "JSON-stat; at most {size} MB each; every sheet of a workbook is read as a file of its "
      "own kind)").format(size=MAX_UPLOAD_MB),
    type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods", "px", "json"],
    accept_multiple_files=True, key=f"uploader_{round_}", disabled=not ui.can_write())


def show_report(report: ImportReport) -> None:
    if report.errors:
        st.error(ui.plain(report.summary()))
    elif report.changes:
        st.info(ui.plain(report.summary()))
    else:
        st.success(ui.plain(report.summary()))
    if report.problems:
        st.subheader(_("{errors} errors, {warnings} warnings").format(
            errors=len(report.errors), warnings=len(report.warnings)))
        st.dataframe(problems_table(report.problems), hide_index=True, width="stretch")
    for f in report.files:
        if f.preview is not None and not f.preview.empty:
            with st.expander(ui.plain(_("Preview of {name}: {new} new, {changed} changed, "
                                        "{unchanged} unchanged").format(
                    name=f.name, new=f.new, changed=f.changed, unchanged=f.unchanged))):
                st.dataframe(f.preview, hide_index=True, width="stretch")


def review(files: list[tuple[str, bytes]], key: tuple, round_key: str, **options) -> None:
    """Preview `files` (once per set of files and state of the store, not on every rerun:
    a click anywhere re-ran the whole validation of a large file, 10 s for 62 MB), then
    commit them on a click."""
    checked = (key, store.content_version(), tuple(sorted(map(str, options.items()))))
    cached = st.session_state.get(f"{round_key}_preview")
    if cached is None or cached[0] != checked:
        st.session_state.pop(f"{round_key}_preview", None)  # release the old report first
        with ui.guarded(), st.spinner(_("Checking the files...")):
            preview = import_files(store, files, user=user, commit=False, **options)
        st.session_state[f"{round_key}_preview"] = (checked, preview)
    else:
        preview = cached[1]
    if preview.unnamed_tables:
        choices = list(preview.table_choices)
        st.selectbox(_("Which table does {files} hold? (the file does not say)").format(
            files=", ".join(preview.unnamed_tables)), choices, index=None,
            key="upload_statistic", placeholder=_("Choose the indicators' table"))
    show_report(preview)
    if preview.ok and preview.changes and st.button(
            _("Commit {changes:,} changes").format(changes=preview.changes), type="primary",
            disabled=not ui.can_write(), key=f"{round_key}_commit"):
        with ui.guarded(), st.spinner(_("Importing...")):
            ui.require_evaluator()
            result = import_files(store, files, user=user, commit=True,
                                  expect_upload=preview.base_upload, **options)
        st.session_state.pop(f"{round_key}_preview", None)
        if result.stale:  # another upload landed since: this is the new preview
            st.warning(ui.plain(result.summary()))
        if result.committed:
            st.session_state["upload_message"] = result.summary()
            st.session_state["upload_round"] = round_ + 1
            st.session_state.pop("fetched", None)
            st.rerun()
        show_report(result)


if uploaded and ui.can_write():
    review([(f.name, f.getvalue()) for f in uploaded],
           tuple((f.file_id, f.name, f.size) for f in uploaded), "upload",
           statistic=st.session_state.get("upload_statistic"))
else:
    st.session_state.pop("upload_preview", None)  # files removed: nothing kept for them

st.header(_("Fetch from the statistics offices"))
st.write(_("Indicators with a statistic (a table id of Statistics Norway, Statistics Denmark "
           "or Statistics Sweden) are fetched for the partnerships' region codes, then checked "
           "and previewed like an upload. Nothing is written until you commit."))
if st.button(_("Fetch the statistics"), disabled=not ui.can_write(), key="fetch"):
    with ui.guarded(), st.spinner(_("Asking the statistics offices...")):
        st.session_state["fetched"] = fetch_from_store(
            store, client=Client(bases=dict(ui.config().statistics_apis)))
if (fetched := st.session_state.get("fetched")) and ui.can_write():
    st.caption(ui.plain(_("Fetched {tables} from {calls} call(s).").format(
        tables=", ".join(fetched.tables), calls=fetched.calls)))
    review(fetched.files, tuple(name for name, _raw in fetched.files), "fetch",
           origins=fetched.origins)

st.header(_("Upload history"))
with ui.guarded():
    uploads = list_uploads(store)
if uploads.empty:
    st.write(_("No uploads yet."))
else:
    actions = {"import": _("import"), "undo": _("undo"), "edit": _("edit in the app"),
               "settings": _("settings"), "survey": _("survey round")}
    history = uploads.assign(action=uploads["action"].map(lambda a: actions.get(a, a)))[[
        "upload_id", "created_at", "created_by", "action", "files", "new", "changed",
        "unchanged", "state", "summary"]]
    names = {"upload_id": _("upload"), "created_at": _("time (UTC)"), "created_by": _("by"),
             "action": _("action"), "files": _("files"), "new": _("new"),
             "changed": _("changed"), "unchanged": _("unchanged"), "state": _("state"),
             "summary": _("summary")}
    # The latest uploads as a plain table: the interactive grid's code took half a second
    # to load in the browser, so the whole history is built when it is opened. Times keep
    # to one line (non-breaking hyphens and space) in a phone's narrow column.
    latest = history.head(LATEST_UPLOADS).assign(
        created_at=lambda f: f["created_at"].dt.strftime("%Y\u2011%m\u2011%d\u00a0%H:%M"),
        **{c: lambda f, c=c: f[c].map(number) for c in ("new", "changed", "unchanged")})
    st.markdown(markdown_table([names[c] for c in history.columns],
                               latest.itertuples(index=False), right=(0, 5, 6, 7)))
    if len(history) > LATEST_UPLOADS:
        every = st.expander(_("All {count} uploads").format(count=number(len(history))),
                            key="upload_all", on_change="rerun")
        if every.open:
            every.dataframe(
                history, hide_index=True, width="stretch", column_config={
                    **names, "created_at": st.column_config.DatetimeColumn(
                        names["created_at"], format="YYYY-MM-DD HH:mm")})
    choices = uploads["upload_id"].tolist()
    chosen = st.selectbox(_("Look at an upload"), choices,
                          format_func=lambda u: _("upload {upload}").format(upload=u))
    # Read and sent only when opened: upload 1 of a store is thousands of rows, most of
    # what this page would send.
    box = st.expander(_("What upload {upload} changed").format(upload=chosen),
                      key="upload_changes", on_change="rerun")
    if box.open:
        with box, ui.guarded():
            changes = read_upload_changes(store, int(chosen))
            st.dataframe(changes.fillna(""), hide_index=True, width="stretch", column_config={
                "what": _("what"), "key": _("key"), "change": _("change"),
                "old": _("old value"), "new": _("new value")})
    undoable = bool(uploads.loc[uploads["upload_id"] == chosen, "undoable"].iloc[0])
    if undoable and ui.can_write() and st.button(_("Undo upload {upload}").format(upload=chosen)):
        with ui.guarded():
            ui.require_evaluator()
            new_id = undo_upload(store, int(chosen), user)
        st.session_state["upload_message"] = (
            _("Upload {upload_id} undone (recorded as upload {new_id}).").format(
                upload_id=chosen, new_id=new_id))
        st.rerun()
