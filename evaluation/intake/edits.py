"""Small edits made in the app rather than by file: the evaluator's commentary for a year,
and the method's settings.

An edit is an upload like any other (who, when, what changed; undoable), so the
annual report made as of an upload shows the commentary that stood then.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from evaluation.access import Actor, require_write
from evaluation.errors import EvaluationError
from evaluation.limits import MAX_COMMENTARY, MAX_YEAR, MIN_YEAR
from evaluation.method.settings import Settings, check_together, check_value
from evaluation.store.connection import Store
from evaluation.store.versions import apply_edit, begin_upload
from evaluation.text import CONTROL_CHARS, name_key
from evaluation.words import _


def save_commentary(store: Store, partnership: str, year: int, text: str,
                    user: str | Actor) -> int | None:
    """Set (or, with empty text, remove) the commentary of a partnership for a year.

    Returns the upload id, or None when the text was already stored as given.

    Long because checking the text, finding the partnership and the remove-or-write decision
    belong in one transaction.
    """
    actor = require_write(user, _("write commentary"))
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    bad = CONTROL_CHARS.search(text)
    if bad:
        raise EvaluationError(
            _("The commentary contains a control character (U+{code:04X}) at "
              "character {position:,}, which no page, report or spreadsheet can show; "
              "remove it (it often comes from copying out of another program).").format(
                code=ord(bad.group()), position=bad.start() + 1),
            _("Commentary not saved"))
    if len(text) > MAX_COMMENTARY:
        raise EvaluationError(
            _("The commentary is {length:,} characters long; keep it under {limit:,}.").format(
                length=len(text), limit=MAX_COMMENTARY), _("Commentary too long"))
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise EvaluationError(_("{year} is not a year.").format(year=year), _("Invalid year"))
    with store.transaction() as con:
        pid, _stored = find_partnership(con, partnership)
        upload = begin_upload(con, "edit", actor.name,
                              _("Commentary for {partnership}, {year}").format(
                                  partnership=partnership, year=int(year)))
        if not text:
            removed = con.execute(
                "UPDATE commentary SET valid_to = ? WHERE valid_to IS NULL AND "
                "partnership_id = ? AND year = ? RETURNING 1", [upload, pid, int(year)]).fetchall()
            if not removed:
                con.execute("DELETE FROM uploads WHERE upload_id = ?", [upload])
                return None
            return upload
        frame = pd.DataFrame({"partnership_id": [pid], "year": [int(year)],
                              "commentary": [text], "rec": [0]})
        return apply_edit(con, "commentary", frame, upload)


def find_partnership(con: duckdb.DuckDBPyConnection, name: str) -> tuple[int, str]:
    """The id and stored name of the partnership called `name` (any case, spaces), or a
    clear error; for edits made in the app and survey rounds."""
    rows = con.execute("SELECT partnership_id, name FROM partnerships "
                       "WHERE valid_to IS NULL").fetchall()
    for pid, stored in rows:
        if name_key(stored) == name_key(name):
            return int(pid), str(stored)
    raise EvaluationError(_("There is no partnership '{partnership}'.").format(
        partnership=name), _("Unknown partnership"))


def save_settings(store: Store, changes: dict[str, float], user: str | Actor) -> int | None:
    """Store changed settings as one upload; return its id, or None if nothing changed."""
    actor = require_write(user, _("change settings"))
    checked = {name: check_value(name, value) for name, value in changes.items()}
    frame = pd.DataFrame({"name": list(checked), "value": list(checked.values()),
                          "rec": range(len(checked))})
    with store.transaction() as con:
        current = dict(con.execute(
            "SELECT name, value FROM settings WHERE valid_to IS NULL").fetchall())
        check_together(Settings.from_values({**current, **checked}))
        upload_id = begin_upload(con, "settings", actor.name, _("Settings: {changes}").format(
            changes=", ".join(f"{k} = {v:g}" for k, v in checked.items())))
        return apply_edit(con, "settings", frame, upload_id)
