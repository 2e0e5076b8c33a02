"""Small edits made in the app rather than by file: the evaluator's commentary for a year.

An edit is an upload like any other (who, when, what changed; undoable), so the
annual report made as of an upload shows the commentary that stood then.
"""

from __future__ import annotations

import pandas as pd

from evaluation.access import Actor, require_write
from evaluation.cleaning import MAX_YEAR, MIN_YEAR, name_key
from evaluation.errors import EvaluationError
from evaluation.formats import CONTROL_CHARS, MAX_COMMENTARY
from evaluation.history import apply_edit, begin_upload
from evaluation.store import Store


def save_commentary(store: Store, partnership: str, year: int, text: str,
                    user: str | Actor) -> int | None:
    """Set (or, with empty text, remove) the commentary of a partnership for a year.

    Returns the upload id, or None when the text was already stored as given.
    """
    actor = require_write(user, "write commentary")
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    bad = CONTROL_CHARS.search(text)
    if bad:
        raise EvaluationError(
            f"The commentary contains a control character (U+{ord(bad.group()):04X}) at "
            f"character {bad.start() + 1:,}, which no page, report or spreadsheet can show; "
            "remove it (it often comes from copying out of another program).",
            "Commentary not saved")
    if len(text) > MAX_COMMENTARY:
        raise EvaluationError(f"The commentary is {len(text):,} characters long; keep it under "
                              f"{MAX_COMMENTARY:,}.", "Commentary too long")
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise EvaluationError(f"{year} is not a year.", "Invalid year")
    with store.transaction() as con:
        rows = con.execute("SELECT partnership_id, name FROM partnerships "
                           "WHERE valid_to IS NULL").fetchall()
        ids = {name_key(name): pid for pid, name in rows}
        pid = ids.get(name_key(partnership))
        if pid is None:
            raise EvaluationError(f"There is no partnership '{partnership}'.",
                                  "Unknown partnership")
        upload = begin_upload(con, "edit", actor.name,
                              f"Commentary for {partnership}, {int(year)}")
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
