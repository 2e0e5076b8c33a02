"""Reading the store: one consistent snapshot of every table, now or as of an upload.

Pages, the model and reports work on a `Snapshot` of plain DataFrames read in a
single transaction, so a commit in progress is never half visible and the
store is held for milliseconds, not for a page's lifetime. `as_of` gives the
state right after an earlier upload, which is how a published report is
reproduced exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from evaluation.errors import EvaluationError
from evaluation.limits import INDICATOR_LANGUAGE_COLUMNS, LANGUAGE_CODES
from evaluation.store.connection import Store
from evaluation.store.schema import ENTITIES, Entity
from evaluation.store.versions import state_filter
from evaluation.text import name_key
from evaluation.words import _

PARTNER_COLUMNS = ("partnership", "partner", "actor_type", "joined_year", "left_year", "role",
                   "contribution", "commitment")
INSTRUMENT_COLUMNS = ("item", "factor", "statement", "reverse",
                      *(f"statement_{c}" for c in LANGUAGE_CODES),
                      *(f"factor_{c}" for c in LANGUAGE_CODES), "position")
ROUND_COLUMNS = ("partnership", "year", "state", "upload_id")
ANSWER_COLUMNS = ("partnership", "year", "respondent", "item", "actor_type", "partner", "value",
                  "upload_id")


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True)
class Snapshot:
    """The store's content at one moment, with names instead of ids."""

    partnerships: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    commentary: pd.DataFrame
    upload_id: int | None
    as_of_time: datetime | None
    settings: dict[str, float] = field(default_factory=dict)
    partners: pd.DataFrame = field(default_factory=lambda: _empty(PARTNER_COLUMNS))
    instrument: pd.DataFrame = field(default_factory=lambda: _empty(INSTRUMENT_COLUMNS))
    rounds: pd.DataFrame = field(default_factory=lambda: _empty(ROUND_COLUMNS))
    answers: pd.DataFrame = field(default_factory=lambda: _empty(ANSWER_COLUMNS))

    @property
    def is_empty(self) -> bool:
        return self.partnerships.empty

    def describe_as_of(self) -> str:
        """'Data as of upload 7 (2026-11-20 14:02 UTC)': on every page, export and report."""
        if not self.upload_id:
            return _("No data uploaded yet")
        return _("Data as of upload {upload_id} ({time:%Y-%m-%d %H:%M} UTC)").format(
            upload_id=self.upload_id, time=self.as_of_time)

    def partnership(self, name: str) -> pd.Series:
        """The partnership row for a name (matched ignoring case and spaces)."""
        key = name_key(name)
        rows = self.partnerships[self.partnerships["partnership"].map(name_key) == key]
        if rows.empty:
            raise KeyError(name)
        return rows.iloc[0]


def read_snapshot(store: Store, as_of: int | None = None) -> Snapshot:
    """Everything current (or right after upload `as_of`), read in one transaction."""
    with store.connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if as_of is not None:
                _check_upload(con, as_of)
            return _read(con, as_of)
        finally:
            con.execute("ROLLBACK")


def _check_upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    if not con.execute("SELECT 1 FROM uploads WHERE upload_id = ?", [upload_id]).fetchone():
        raise EvaluationError(
            _("There is no upload {upload_id}; see the upload history.").format(
                upload_id=upload_id), _("Unknown upload"))


def _read(con: duckdb.DuckDBPyConnection, as_of: int | None) -> Snapshot:
    p, i, x = (state_filter(a, as_of) for a in ("p", "i", "x"))
    names = f"""JOIN partnerships p ON p.partnership_id = x.partnership_id AND {p}"""
    codes = f"""JOIN indicators i ON i.indicator_id = x.indicator_id AND {i}"""
    partnerships = con.execute(f"""
        SELECT p.name AS partnership, p.municipality, p.start_year, p.horizon_years,
               p.purpose, p.lead, p.partners, p.description, p.leadership, p.termination,
               p.region_code
        FROM partnerships p WHERE {p} ORDER BY p.name""").df()
    indicators = con.execute(f"""
        SELECT i.code AS indicator, i.name, i.pillar, i.unit, i.direction, i.description,
               i.statistic, i.selection, {", ".join(f"i.{c}" for c in INDICATOR_LANGUAGE_COLUMNS)}
        FROM indicators i WHERE {i} ORDER BY i.code""").df()
    targets = con.execute(f"""
        SELECT p.name AS partnership, i.code AS indicator, x.baseline_year, x.baseline,
               x.target_year, x.target
        FROM targets x {names} {codes} WHERE {x} ORDER BY 1, 2""").df()
    observations = con.execute(f"""
        SELECT p.name AS partnership, i.code AS indicator, x.year, x.grp AS "group", x.value,
               x.source, x.note, x.valid_from AS upload_id
        FROM observations x {names} {codes} WHERE {x} ORDER BY 1, 2, 4, 3""").df()
    events = con.execute(f"""
        SELECT p.name AS partnership, x.year, x.event FROM events x {names}
        WHERE {x} ORDER BY 1, 2, 3""").df()
    commentary = con.execute(f"""
        SELECT p.name AS partnership, x.year, x.commentary FROM commentary x {names}
        WHERE {x} ORDER BY 1, 2""").df()
    settings = dict(con.execute(f"SELECT x.name, x.value FROM settings x WHERE {x}").fetchall())
    upload_id, at = _latest(con, as_of)
    return Snapshot(partnerships, indicators, targets, observations, events, commentary,
                    upload_id, at, settings, **_read_collaboration(con, as_of))


def _read_collaboration(con: duckdb.DuckDBPyConnection, as_of: int | None
                        ) -> dict[str, pd.DataFrame]:
    """The partner register, the instrument, survey rounds and their answers."""
    p, x = (state_filter(a, as_of) for a in ("p", "x"))
    names = f"JOIN partnerships p ON p.partnership_id = x.partnership_id AND {p}"
    return {
        "partners": con.execute(f"""
            SELECT p.name AS partnership, {", ".join(f"x.{c}" for c in PARTNER_COLUMNS[1:])}
            FROM partners x {names} WHERE {x} ORDER BY 1, x.joined_year, x.partner""").df(),
        "instrument": con.execute(f"""
            SELECT {", ".join(f"x.{c}" for c in INSTRUMENT_COLUMNS)} FROM instrument x
            WHERE {x} ORDER BY x.position, x.item""").df(),
        "rounds": con.execute(f"""
            SELECT p.name AS partnership, x.year, x.state, x.valid_from AS upload_id
            FROM rounds x {names} WHERE {x} ORDER BY 1, 2""").df(),
        "answers": con.execute(f"""
            SELECT p.name AS partnership, x.year, x.respondent, x.item, x.actor_type,
                   x.partner, x.value, x.valid_from AS upload_id
            FROM answers x {names} WHERE {x}""").df(),
    }


def _latest(con: duckdb.DuckDBPyConnection, as_of: int | None) -> tuple[int | None, datetime]:
    where = "" if as_of is None else f"WHERE upload_id <= {int(as_of)}"
    row = con.execute(
        f"SELECT upload_id, created_at FROM uploads {where} ORDER BY upload_id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), row[1]) if row else (None, None)


def read_upload_changes(store: Store, upload_id: int, limit: int = 2000) -> pd.DataFrame:
    """What one upload changed: a row per value with its old and new content."""
    frames = []
    with store.connect() as con:
        for entity in ENTITIES.values():
            frames.append(_entity_changes(con, entity, upload_id, limit))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["what", "key", "change", "old", "new"])


def _entity_changes(con: duckdb.DuckDBPyConnection, entity: Entity, upload_id: int,
                    limit: int) -> pd.DataFrame:
    on = " AND ".join(f"a.{k} = b.{k}" for k in entity.key)
    k0 = entity.key[0]
    key = "concat_ws(' / ', " + ", ".join(f"nullif({_key_label(k)}, '')"
                                         for k in entity.key) + ")"
    new = _content("a", entity)
    old = _content("b", entity)
    words = {"what": _(entity.label) if entity.label else "", "removed": _("removed"),
             "added": _("added"), "changed": _("changed"), "upload": upload_id}
    if not entity.values:
        words["present"] = _("present")
    return con.execute(f"""
        SELECT $what::VARCHAR AS what, {key} AS key,
               CASE WHEN a.{k0} IS NULL THEN $removed WHEN b.{k0} IS NULL THEN $added
                    ELSE $changed END AS change,
               {old} AS old, {new} AS new
        FROM (SELECT * FROM {entity.table} WHERE valid_from = $upload) a
        FULL JOIN (SELECT * FROM {entity.table} WHERE valid_to = $upload) b ON {on}
        ORDER BY key LIMIT {int(limit)}""", words).df()


def _key_label(column: str) -> str:
    src = f"coalesce(a.{column}, b.{column})"
    if column == "partnership_id":
        return (f"(SELECT name FROM partnerships p WHERE p.partnership_id = {src} "
                "ORDER BY valid_from DESC LIMIT 1)")
    if column == "indicator_id":
        return (f"(SELECT code FROM indicators i WHERE i.indicator_id = {src} "
                "ORDER BY valid_from DESC LIMIT 1)")
    return f"coalesce({src}::VARCHAR, '')"


def _content(alias: str, entity: Entity) -> str:
    present = f"{alias}.{entity.key[0]} IS NOT NULL"
    if not entity.values:
        return f"CASE WHEN {present} THEN $present END"  # the word is a parameter
    parts = ", ".join(f"{alias}.{v}::VARCHAR" for v in entity.values)
    return f"CASE WHEN {present} THEN concat_ws(' · ', {parts}) END"
