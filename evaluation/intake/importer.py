"""Importing evaluators' files: every problem at once, a preview, then one transaction.

`import_files` reads, validates and applies all files in dependency order
(partnerships and indicators before what refers to them). A preview
(`commit=False`) runs on an in-memory copy of the store's current rows: it
takes no lock, works in read-only mode, and writers go on meanwhile. A commit
runs the same steps in one store transaction; with any error, or when another
upload landed since the preview it was asked to commit, it is rolled back and
the store is exactly as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

from evaluation.access import Actor, as_actor, require_write
from evaluation.errors import ERROR, EvaluationError, Problem
from evaluation.intake import rules, survey_rules
from evaluation.intake.checks import check_values
from evaluation.intake.cleaning import MAX_LISTED, Cleaner, sql_text
from evaluation.intake.formats import DEPENDENCY_ORDER
from evaluation.intake.records import LinesMismatch, Records, parse_records, wide_to_long
from evaluation.intake.statfiles import Origin, StatFile, read_statistics, records_of
from evaluation.intake.textfile import FileProblem, TextFile, read_text_file
from evaluation.intake.upload_report import FileReport, ImportReport
from evaluation.intake.workbook import is_workbook, read_workbook
from evaluation.store.connection import Store
from evaluation.store.schema import ENTITIES, Entity
from evaluation.store.versions import apply_staged, begin_upload, set_summary
from evaluation.store.workspace import current_copy, latest_upload
from evaluation.words import _

PREVIEW_ROWS = 500
MAX_UPLOAD_MB = 200  # keep equal to server.maxUploadSize in .streamlit/config.toml
_ENTITY_OF = {"observations_wide": "observations", "responses": "answers"}

if TYPE_CHECKING:  # the preview is a frame for the page; the command line asks none
    import pandas as pd


class _Discard(Exception):
    """Leaves the transaction by rolling back (preview, errors, nothing to change)."""


ANY = object()  # commit whatever the store holds now (the command line's import)


def import_files(store: Store, files: Sequence[tuple[str, bytes]], *, user: str | Actor,
                 commit: bool = True, expect_upload: int | None | object = ANY,
                 statistic: str | None = None, origins: dict[str, Origin] | None = None
                 ) -> ImportReport:
    """Validate `files` (name, bytes) and, if `commit` and clean, apply them as one upload.

    Committing needs an evaluator (`user` as a plain name is a local evaluator).
    `expect_upload` is the preview's `base_upload`: if the store has moved on since,
    nothing is committed and the report is a fresh preview marked `stale`.
    `statistic` is the table id of statistics offices' files that do not name theirs;
    `origins` says where fetched files came from (`intake.fetch`), by name.
    """
    actor = require_write(user, _("import data")) if commit else as_actor(user)
    exact: set[str] = set()
    while True:
        try:
            return _import(store, files, actor.name, commit, exact, expect_upload,
                           (statistic, origins or {}))
        except LinesMismatch as e:
            if e.args[0] in exact:
                raise
            exact.add(e.args[0])


def _read_files(files: Sequence[tuple[str, bytes]], rows: dict[str, dict[int, int]]
                ) -> tuple[list[TextFile | StatFile], list[Problem]]:
    """The decoded files in dependency order (a workbook's sheets each as a file, their
    lines' sheet rows in `rows`; statistics offices' tables where observations go), and
    the problems of those that cannot be read."""
    problems: list[Problem] = []
    texts: list[TextFile | StatFile] = []
    for name, raw in _sheets(files, rows, problems):
        if len(raw) > MAX_UPLOAD_MB * 1024 * 1024:
            problems.append(Problem(name, None, "", "", _(
                "the file is {size:,.0f} MB; at most {limit} MB can be uploaded at once: "
                "split it, e.g. by year or by partnership").format(
                    size=len(raw) / 1024 / 1024, limit=MAX_UPLOAD_MB), ERROR))
            continue
        try:
            texts.append(read_statistics(name, raw) or read_text_file(name, raw))
        except FileProblem as e:
            try:
                office = e.line and read_statistics(name, raw, as_csv=True)
            except FileProblem as again:
                e = again
                office = None
            if office:
                texts.append(office)
            else:
                problems.append(Problem(name, e.line, "", "", e.message, ERROR))
    texts.sort(key=lambda t: DEPENDENCY_ORDER.index(_kind(t)))
    return texts, problems


def _kind(t: TextFile | StatFile) -> str:
    return "observations" if isinstance(t, StatFile) else t.match.kind.name


def _sheets(files: Sequence[tuple[str, bytes]], rows: dict[str, dict[int, int]],
            problems: list[Problem]) -> list[tuple[str, bytes]]:
    """Each file, with every workbook replaced by its sheets as CSV text."""
    out: list[tuple[str, bytes]] = []
    for name, raw in files:
        if len(raw) <= MAX_UPLOAD_MB * 1024 * 1024 and is_workbook(name, raw):
            sheets, found = read_workbook(name, raw)
            problems.extend(found)
            for sheet in sheets:
                rows[sheet.name] = sheet.rows
                out.append((sheet.name, sheet.data))
        else:
            out.append((name, raw))
    return out


def _at_sheet_rows(problems: list[Problem], rows: dict[str, dict[int, int]]) -> list[Problem]:
    """A sheet's problems at the sheet's own row numbers, as Excel shows them."""
    return [dataclasses.replace(p, line=rows[p.file].get(p.line, p.line))
            if p.file in rows and p.line else p for p in problems]


@contextmanager
def _workspace(store: Store, commit: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store's write transaction for a commit; for a preview, a private copy."""
    if commit:
        with store.transaction() as con:
            yield con
        return
    con = current_copy(store)
    try:
        yield con
    finally:
        con.close()


def _import(store: Store, files: Sequence[tuple[str, bytes]], user: str, commit: bool,
            exact: set[str], expect: object, office: tuple[str | None, dict[str, Origin]]
            ) -> ImportReport:
    """Long because it is the one place that orders a whole upload: read, validate each
    file, compare, record or discard."""
    rows: dict[str, dict[int, int]] = {}
    texts, problems = _read_files(files, rows)
    reports: list[FileReport] = []
    result: dict[str, object] = {}
    unnamed = tuple(t.name for t in texts if isinstance(t, StatFile) and not t.cube.table
                    and t.name not in office[1])
    entities = [_ENTITY_OF.get(_kind(t), _kind(t)) for t in texts]
    given: dict[str, list[Records]] = {e: [] for e in entities
                                       if entities.count(e) > 1 and ENTITIES[e].values}
    try:
        with _workspace(store, commit) as con:
            result["base"] = base = latest_upload(con)
            result["stale"] = stale = commit and expect is not ANY and base != expect
            upload_id = begin_upload(con, "import", user, "")
            for tf in texts:
                if isinstance(tf, StatFile):
                    tf = dataclasses.replace(tf, origin=office[1].get(tf.name))
                    found_rows, found, (origin, note) = records_of(con, tf, office[0])
                    problems.extend(found)
                    if found_rows is None:
                        continue
                    report, found = _import_records(con, found_rows, upload_id,
                                                    not commit or stale, given)
                    report = dataclasses.replace(report, origin=origin, note=note)
                else:
                    report, found = _import_file(con, tf, upload_id, tf.name in exact,
                                                 not commit or stale, given)
                reports.append(report)
                problems.extend(found)
            result["same_as"] = _same_as(con, texts)
            if unnamed:  # the tables to choose from: the store's and this upload's indicators
                result["tables"] = tuple(r[0] for r in con.execute(
                    "SELECT DISTINCT statistic FROM indicators WHERE valid_to IS NULL AND "
                    "statistic IS NOT NULL ORDER BY 1").fetchall())
            changes = sum(r.new + r.changed for r in reports)
            if (not commit or stale or any(p.is_error for p in problems) or not changes
                    or not texts):
                raise _Discard
            _record_files(con, upload_id, reports)
            set_summary(con, upload_id, _upload_summary(reports))
            result["upload_id"] = upload_id
    except _Discard:
        pass
    except duckdb.Error as e:
        raise EvaluationError(_("The store refused the import: {reason}").format(
            reason=str(e).splitlines()[0]), _("Import failed")) from e
    problems = _at_sheet_rows(problems, rows)
    order = {name: i for i, (name, _raw) in enumerate(files)}
    order |= {sheet: order.get(sheet.rsplit(" [", 1)[0], 0) for sheet in rows}
    problems.sort(key=lambda p: (order.get(p.file, order.get(p.file.rsplit(" [", 1)[0], 0)),
                                 p.line or 10**12, not p.is_error))
    return ImportReport(tuple(reports), tuple(problems), result.get("upload_id"),
                        "upload_id" in result, tuple(result.get("same_as", ())),
                        result.get("base"), bool(result.get("stale")), unnamed,
                        tuple(result.get("tables", ())))


def _import_file(con: duckdb.DuckDBPyConnection, tf: TextFile, upload_id: int, exact: bool,
                 with_preview: bool, given: dict[str, list[Records]]
                 ) -> tuple[FileReport, list[Problem]]:
    records = parse_records(tf, exact=exact)
    positions = dict(tf.match.positions)
    if tf.match.kind.wide:
        records, positions = wide_to_long(records, tf.match.year_columns, positions)
    return _import_records(con, records, upload_id, with_preview, given, positions)


def _import_records(con: duckdb.DuckDBPyConnection, records: Records, upload_id: int,
                    with_preview: bool, given: dict[str, list[Records]],
                    positions: dict[str, int] | None = None
                    ) -> tuple[FileReport, list[Problem]]:
    """Long because it runs one file's rows through every step of its kind in order:
    stage, compare with the upload's other files, apply, check, preview, derive."""
    tf = records.file
    kind = tf.match.kind.name
    positions = dict(tf.match.positions) if positions is None else positions
    cl = Cleaner(con, records, positions, list(records.problems))
    for col in () if tf.match.kind.items else tf.match.unknown:
        cl.problems.append(Problem(tf.name, tf.header_line, col, "",
                                   _("column not used by this file kind; it is ignored"),
                                   "warning"))
    (rules.STAGERS.get(kind) or survey_rules.STAGERS[kind])(cl)
    entity = ENTITIES[_ENTITY_OF.get(kind, kind)]
    if entity.table in given:
        _compare_files(cl, entity, given[entity.table])
    rows = con.execute("SELECT count(*) FROM _typed").fetchone()[0]
    counts = apply_staged(con, entity, "_staged", upload_id)
    if kind.startswith("observations"):
        check_values(cl, upload_id)
    if kind == "targets":
        rules.check_targets(cl)
    if kind in survey_rules.CHECKS:
        survey_rules.CHECKS[kind](cl)
    if kind.startswith("observations"):
        rows = counts.new + counts.changed + counts.unchanged + _empty_values(cl)
    elif kind == "responses":  # one row per answer, not per respondent
        rows = counts.new + counts.changed + counts.unchanged
    preview = _preview(con, entity) if with_preview else None
    if kind in survey_rules.DERIVES:  # after the preview: it replaces `_diff`
        survey_rules.DERIVES[kind](cl, upload_id)
    report = FileReport(tf.name, kind, tf.sha256, tf.encoding, tf.delimiter, int(rows),
                        counts.new, counts.changed, counts.unchanged, preview)
    return report, cl.problems


def _empty_values(cl: Cleaner) -> int:
    return cl.con.execute(f"SELECT count(*) FROM _typed WHERE {cl.empty('value')}").fetchone()[0]


def _compare_files(cl: Cleaner, entity: Entity, earlier: list[Records]) -> None:
    """A row that another file of this upload gives with other values is an error naming
    both lines, whatever the order of the files and whatever the store held.

    Each file's staged rows are kept in `_given_<table>`; an empty optional text
    (source, note, unit, ...) keeps what is there, so it differs from nothing.
    """
    table = f"_given_{entity.table}"
    rules.materialise_staged(cl.con)
    if not earlier:
        cl.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                       "SELECT *, 0 AS file_no FROM _staged LIMIT 0")
    differs = [(v, f"(s.{v} IS NOT NULL AND g.{v} IS NOT NULL AND s.{v} <> g.{v})"
                if v in entity.keep_if_empty else f"s.{v} IS DISTINCT FROM g.{v}")
               for v in entity.values]
    if earlier:
        there_here = _("{column} {there} there, {here} here")
        shown = ", ".join(f"CASE WHEN {d} THEN " + sql_text(
            there_here, column=f"'{v}'", there=_short(f"g.{v}"), here=_short(f"s.{v}")) + " END"
            for v, d in differs)
        rows = cl.con.execute(f"""
            SELECT s.rec, '', count(*) OVER (), g.file_no, g.rec, concat_ws('; ', {shown})
            FROM _staged s JOIN {table} g
            ON {" AND ".join(f"s.{k} = g.{k}" for k in entity.key)}
            WHERE {" OR ".join(d for _column, d in differs)}
            ORDER BY s.rec LIMIT {MAX_LISTED}""").fetchall()
        message = _("another file in this upload gives this {what} differently").format(
            what=_(entity.label))

        def detail(row: tuple) -> str:
            other = earlier[row[3]]
            return _("{message}: {file} line {line} ({differences}); keep it in one file"
                     ).format(message=message, file=other.file.name,
                              line=other.lines_of([row[4]])[0], differences=row[5])

        cl.report(rows, "", _("{message}; keep it in one file").format(message=message),
                  detail=detail)
    cl.con.execute(f"INSERT INTO {table} SELECT *, {len(earlier)} FROM _staged")
    earlier.append(cl.records)


def _short(column: str) -> str:
    """SQL: a value as text for a message (long texts cut)."""
    empty = _("empty").replace("'", "''")
    return (f"coalesce(CASE WHEN length({column}::VARCHAR) > 60 THEN left({column}::VARCHAR, 57) "
            f"|| '...' ELSE {column}::VARCHAR END, '{empty}')")


def _preview(con: duckdb.DuckDBPyConnection, entity: Entity) -> pd.DataFrame:
    """New and changed rows, with names instead of ids and old -> new values."""
    cols = []
    for k in entity.key:
        if k == "partnership_id":
            cols.append("(SELECT name FROM partnerships p WHERE p.valid_to IS NULL AND "
                        "p.partnership_id = d.partnership_id) AS partnership")
        elif k == "indicator_id":
            cols.append("(SELECT code FROM indicators i WHERE i.valid_to IS NULL AND "
                        "i.indicator_id = d.indicator_id) AS indicator")
        else:
            cols.append(f"d.{k} AS \"{'group' if k == 'grp' else k}\"")
    for v in entity.values:
        cols += [f"d.old_{v} AS \"old {v}\"", f"d.{v} AS \"{v}\""]
    return con.execute(f"""
        SELECT d.status, {", ".join(cols)} FROM _diff d WHERE d.status <> 'unchanged'
        ORDER BY d.status = 'new', d.rec LIMIT {PREVIEW_ROWS}""").df()


def _same_as(con: duckdb.DuckDBPyConnection, texts: list[TextFile]) -> list[int]:
    if not texts:
        return []
    rows = con.execute("""
        SELECT upload_id FROM upload_files GROUP BY upload_id
        HAVING list_sort(list(sha256)) = list_sort(?::VARCHAR[])""",
        [[t.sha256 for t in texts]]).fetchall()
    return [r[0] for r in rows]


def _record_files(con: duckdb.DuckDBPyConnection, upload_id: int,
                  reports: list[FileReport]) -> None:
    for position, r in enumerate(reports):
        con.execute("INSERT INTO upload_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [upload_id, position, r.name, r.sha256, r.kind, r.rows, r.new, r.changed,
                     r.unchanged])


def _upload_summary(reports: list[FileReport]) -> str:
    return "; ".join(f"{r.name}: {r.new} new, {r.changed} changed" for r in reports)
