"""Versioned writes, upload records and undo.

A write never overwrites: the current row of a key gets `valid_to = upload` and a
new row starts at `valid_from = upload`. Undo is itself an upload that closes
what the undone one wrote and reopens what it replaced, so it can be undone
too, and any earlier state stays reproducible (`as_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from evaluation.access import Actor, require_write
from evaluation.errors import EvaluationError
from evaluation.store.connection import Store, now_utc
from evaluation.store.schema import ENTITIES, REFERENCES, Entity
from evaluation.words import _

if TYPE_CHECKING:  # frames arrive from the app; the command line's import needs no pandas
    import pandas as pd


@dataclass(frozen=True)
class Counts:
    """How the rows of one write compare with what the store held."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0


def state_filter(alias: str, as_of: int | None) -> str:
    """SQL condition selecting the rows valid now, or right after upload `as_of`."""
    if as_of is None:
        return f"{alias}.valid_to IS NULL"
    return (f"{alias}.valid_from <= {int(as_of)} AND "
            f"({alias}.valid_to IS NULL OR {alias}.valid_to > {int(as_of)})")


def begin_upload(con: duckdb.DuckDBPyConnection, action: str, user: str, summary: str,
                 undoes: int | None = None) -> int:
    """Record a new upload inside the caller's transaction and return its id.

    Ids come from max + 1 rather than a sequence so a rolled-back preview leaves
    no gap; writers are serialised by the store's lock, so this cannot race.
    """
    upload_id = con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchone()[0]
    con.execute(
        "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, NULL)",
        [upload_id, action, now_utc(), user or "unknown", summary, undoes])
    return int(upload_id)


def set_summary(con: duckdb.DuckDBPyConnection, upload_id: int, summary: str) -> None:
    con.execute("UPDATE uploads SET summary = ? WHERE upload_id = ?", [summary, upload_id])


def apply_staged(con: duckdb.DuckDBPyConnection, entity: Entity, staged: str,
                 upload_id: int) -> Counts:
    """Upsert temp table `staged` (the entity's columns) as versions from `upload_id`.

    Leaves temp table `_diff` (status new/changed/unchanged, old_* columns) for
    the caller's preview and warnings.

    Long because the diff and the versioned write are one sequence of statements on one
    temporary table.
    """
    join = " AND ".join(f"s.{k} = c.{k}" for k in entity.key)
    merged = [
        f"coalesce(s.{v}, c.{v}) AS {v}" if v in entity.keep_if_empty else f"s.{v} AS {v}"
        for v in entity.values
    ]
    old = [f"c.{v} AS old_{v}" for v in entity.values]
    differs = " OR ".join(f"m.{v} IS DISTINCT FROM m.old_{v}" for v in entity.values) or "false"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _diff AS
        SELECT m.*, CASE WHEN m._is_new THEN 'new' WHEN {differs} THEN 'changed'
                         ELSE 'unchanged' END AS status
        FROM (SELECT {", ".join([*(f"s.{k}" for k in entity.key), *merged, *old])},
                     c.{entity.key[0]} IS NULL AS _is_new, s.rec AS rec
              FROM {staged} s LEFT JOIN {entity.table} c ON c.valid_to IS NULL AND {join}) m
    """)
    counts = Counts(*(int(x) for x in con.execute("""
        SELECT count(*) FILTER (status = 'new'), count(*) FILTER (status = 'changed'),
               count(*) FILTER (status = 'unchanged') FROM _diff""").fetchone()))
    if counts.changed:
        key_match = " AND ".join(f"t.{k} = d.{k}" for k in entity.key)
        # A version this same upload wrote (an earlier file of it filled a cell that a
        # later file leaves empty, or the other way round) is replaced, not closed: a
        # version that starts and ends in one upload would make the upload un-undoable.
        con.execute(f"""
            DELETE FROM {entity.table} t USING _diff d
            WHERE t.valid_to IS NULL AND t.valid_from = ? AND d.status = 'changed'
                  AND {key_match}
        """, [upload_id])
        con.execute(f"""
            UPDATE {entity.table} t SET valid_to = ? FROM _diff d
            WHERE t.valid_to IS NULL AND d.status = 'changed' AND {key_match}
        """, [upload_id])
    if counts.new or counts.changed:
        cols = ", ".join(entity.columns)
        con.execute(f"""
            INSERT INTO {entity.table} ({cols}, valid_from, valid_to)
            SELECT {cols}, ?, NULL FROM _diff WHERE status <> 'unchanged'
        """, [upload_id])
    return counts


def apply_edit(con: duckdb.DuckDBPyConnection, entity: str, frame: pd.DataFrame,
               upload_id: int) -> int | None:
    """Apply a small edit made in the app (rows of `entity`, plus `rec`) as upload
    `upload_id`; return it, or drop the upload and return None when nothing changed."""
    con.register("_edit_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE _staged AS SELECT * FROM _edit_frame")
    con.unregister("_edit_frame")
    counts = apply_staged(con, ENTITIES[entity], "_staged", upload_id)
    if not (counts.new or counts.changed):
        con.execute("DELETE FROM uploads WHERE upload_id = ?", [upload_id])
        return None
    return upload_id


def undo_upload(store: Store, upload_id: int, user: str | Actor) -> int:
    """Restore exactly the state before `upload_id`, as a new upload; return its id.

    Refuses (and changes nothing) when a later upload changed the same values
    again or still uses a partnership or indicator the undone upload created.
    """
    actor = require_write(user, _("undo uploads"))
    with store.transaction() as con:
        row = con.execute(
            "SELECT action, undone_by, undoes FROM uploads WHERE upload_id = ?",
            [upload_id]).fetchone()
        if row is None:
            raise EvaluationError(
                _("There is no upload {upload_id}; see the upload history.").format(
                    upload_id=upload_id), _("Unknown upload"))
        action, undone_by, undoes = row
        if undone_by is not None:
            raise EvaluationError(
                _("Upload {upload_id} was already undone by upload {undone_by}.").format(
                    upload_id=upload_id, undone_by=undone_by), _("Already undone"))
        label = (_("Undo of upload {upload_id} (redo)") if action == "undo"
                 else _("Undo of upload {upload_id}")).format(upload_id=upload_id)
        new_id = begin_upload(con, "undo", actor.name, label, undoes=upload_id)
        for entity in reversed(list(ENTITIES.values())):
            _check_undo_conflicts(con, entity, upload_id)
            _revert(con, entity, upload_id, new_id)
        _check_references(con, upload_id)
        con.execute("UPDATE uploads SET undone_by = ? WHERE upload_id = ?", [new_id, upload_id])
        if action == "undo" and undoes is not None:
            con.execute("UPDATE uploads SET undone_by = NULL WHERE upload_id = ?", [undoes])
        return new_id


def _touched(entity: Entity, upload_id: int) -> str:
    keys = ", ".join(entity.key)
    return (f"(SELECT {keys} FROM {entity.table} WHERE valid_from = {upload_id} "
            f"UNION SELECT {keys} FROM {entity.table} WHERE valid_to = {upload_id})")


def _check_undo_conflicts(con: duckdb.DuckDBPyConnection, entity: Entity, upload_id: int) -> None:
    """Every key the upload touched must still hold exactly what the upload wrote."""
    on_a = " AND ".join(f"a.{k} = t.{k}" for k in entity.key)
    on_c = " AND ".join(f"c.{k} = t.{k}" for k in entity.key)
    same = " AND ".join(f"a.{v} IS NOT DISTINCT FROM c.{v}" for v in entity.values) or "true"
    k0 = entity.key[0]
    rows = con.execute(f"""
        SELECT coalesce(a.valid_to, c.valid_from), count(*) OVER () AS n
        FROM {_touched(entity, upload_id)} t
        LEFT JOIN {entity.table} a ON a.valid_from = {upload_id} AND {on_a}
        LEFT JOIN {entity.table} c ON c.valid_to IS NULL AND {on_c}
        WHERE NOT ((a.{k0} IS NULL AND c.{k0} IS NULL)
                   OR (a.{k0} IS NOT NULL AND c.{k0} IS NOT NULL AND {same}))
        LIMIT 200
    """).fetchall()
    if rows:
        later = sorted({r[0] for r in rows if r[0] is not None})
        which = ", ".join(str(x) for x in later) or _("a later upload")
        raise EvaluationError(
            _("Upload {upload_id} cannot be undone: {count} rows ({what}) it wrote were "
              "changed again by upload {which}. Undo upload {which} first (newest first), "
              "then undo this one.").format(upload_id=upload_id, count=rows[0][1],
                                            what=_label(entity.table), which=which),
            _("Undo refused"))


def _revert(con: duckdb.DuckDBPyConnection, entity: Entity, upload_id: int, new_id: int) -> None:
    on_t = " AND ".join(f"x.{k} = t.{k}" for k in entity.key)
    con.execute(f"""
        UPDATE {entity.table} x SET valid_to = {new_id} FROM {_touched(entity, upload_id)} t
        WHERE x.valid_to IS NULL AND {on_t}
    """)
    cols = ", ".join(entity.columns)
    con.execute(f"""
        INSERT INTO {entity.table} ({cols}, valid_from, valid_to)
        SELECT {cols}, {new_id}, NULL FROM {entity.table} WHERE valid_to = {upload_id}
    """)


def _check_references(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """No current row may point at a partnership or indicator that no longer exists."""
    for table, columns in REFERENCES.items():
        for column in columns:
            parent, label_column = (("partnerships", "name") if column == "partnership_id"
                                    else ("indicators", "code"))
            row = con.execute(f"""
                SELECT count(*), min(r.valid_from), string_agg(DISTINCT (
                    SELECT p.{label_column} FROM {parent} p WHERE p.{column} = r.{column}
                    ORDER BY p.valid_from DESC LIMIT 1), ', ')
                FROM {table} r WHERE r.valid_to IS NULL
                AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.valid_to IS NULL
                                AND p.{column} = r.{column})
            """).fetchone()
            if row[0]:
                raise EvaluationError(
                    _("Upload {upload_id} cannot be undone: it added the {parent} '{names}', "
                      "which {count} rows ({what}) from upload {later} still use. Undo upload "
                      "{later} first.").format(upload_id=upload_id, parent=_label(parent),
                                               names=row[2], count=row[0],
                                               what=_label(table), later=row[1]),
                    _("Undo refused"))


def _label(table: str) -> str:
    """A table as the reader calls its rows ('observation'), in the reader's language."""
    entity = ENTITIES.get(table)
    return _(entity.label) if entity is not None and entity.label else table


def list_uploads(store: Store) -> pd.DataFrame:
    """The upload history, newest first, with the files and counts of each (`state` in
    the reader's words: '{upload}' in the message stands for the upload's id)."""
    with store.connect() as con:
        return _uploads(con).df()


def upload_history(store: Store) -> tuple[list[str], list[tuple]]:
    """The same history as column names and rows, for a command that answers at once
    (no pandas)."""
    with store.connect() as con:
        result = _uploads(con)
        return [d[0] for d in result.description], result.fetchall()


def _uploads(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    states = [_("undone by {upload}"), _("undoes {upload}")]
    return con.execute("""
            SELECT u.upload_id, u.created_at, u.created_by, u.action, u.summary,
                   string_agg(f.file_name, ', ' ORDER BY f.position) AS files,
                   string_agg(DISTINCT f.kind, ', ') AS kinds,
                   coalesce(sum(f.n_new), 0)::BIGINT AS new,
                   coalesce(sum(f.n_changed), 0)::BIGINT AS changed,
                   coalesce(sum(f.n_unchanged), 0)::BIGINT AS unchanged,
                   u.undoes, u.undone_by,
                   CASE WHEN u.undone_by IS NOT NULL
                             THEN replace($1, '{upload}', u.undone_by::VARCHAR)
                        WHEN u.undoes IS NOT NULL
                             THEN replace($2, '{upload}', u.undoes::VARCHAR)
                        ELSE '' END AS state,
                   u.undone_by IS NULL AS undoable
            FROM uploads u LEFT JOIN upload_files f USING (upload_id)
            GROUP BY ALL ORDER BY u.upload_id DESC
        """, states)
