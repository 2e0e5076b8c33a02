"""How the command line speaks: its own words for what to do about an error (its flags
and commands), and printing with the control characters of data shown as escapes."""

from __future__ import annotations

import os
import shlex
import sys
from typing import TYPE_CHECKING

from evaluation.errors import (
    CHOOSE_STORE,
    CREATE_STORE,
    LEAVE_READ_ONLY,
    OWN_BACKUP,
    REPLACE_STORE,
    UPDATE_STORE,
    EvaluationError,
)
from evaluation.text import CONTROL_CHARS
from evaluation.words import N_, _, figure

if TYPE_CHECKING:
    import pandas as pd

# The headers of the tables `status` and `scores` print for people (`--format table`);
# CSV and JSON keep the column names, for scripts.
COLUMN_WORDS = {
    "partnership": N_("Partnership"), "indicator": N_("Indicator"), "pillar": N_("Pillar"),
    "year": N_("Year"), "value": N_("Value"), "baseline_year": N_("Baseline year"),
    "baseline": N_("Baseline"), "target_year": N_("Target year"), "target": N_("Target"),
    "progress": N_("Progress"), "status": N_("Status"), "vs_expected": N_("vs expected"),
    "year_of_horizon": N_("Year of horizon"), "phase": N_("Phase"),
    "involvement": N_("Involvement"), "process": N_("Process"), "outcome": N_("Outcome"),
    "balanced": N_("Balanced index"),
}


def fix_words(error: EvaluationError) -> str:
    """The command line's own words for what to do: its flags and commands."""
    path = shlex.quote(str(error.path or "PATH"))
    words = {
        CHOOSE_STORE: _("Give another store with --db PATH (or EVALUATION_DB)."),
        CREATE_STORE: _("Run `python -m evaluation init --db {path}` first, or check "
                        "--db.").format(path=path),
        LEAVE_READ_ONLY: _("Run it without EVALUATION_READ_ONLY; a dry run "
                           "(import --dry-run) works in read-only mode."),
        UPDATE_STORE: _("For example run `python -m evaluation status --db {path}` "
                        "without EVALUATION_READ_ONLY once.").format(path=path),
        REPLACE_STORE: _("Restore into another store with --db, or pass --force to "
                         "replace it."),
        OWN_BACKUP: _("Make one with `python -m evaluation backup --out FILE`."),
    }
    return f" {words[error.fix]}" if error.fix in words else ""


def say(*parts: object, file=None) -> None:
    """print() with control characters from data shown as \\x1b escapes: a name holding
    ESC sequences must not move the cursor, recolour or clear the user's terminal."""
    print(*(terminal_text(p) for p in parts), file=file or sys.stdout)


def write(text: str) -> None:
    sys.stdout.write(terminal_text(text))


def terminal_text(value: object) -> str:
    """The text with every C0/C1 control character except tab and newline escaped."""
    return CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (tests capture it): nothing to flush at exit


def emit(frame: pd.DataFrame, fmt: str) -> None:
    """Print a result table as an aligned table, CSV, or a JSON list of objects."""
    from evaluation.output.csvfile import write_csv

    if fmt == "csv":
        write(write_csv(frame))
    elif fmt == "json":
        write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    elif frame.empty:
        say(_("No rows."))
    else:
        say(_for_people(frame).to_string(index=False, na_rep="–", float_format=figure))


def _for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A result table in the reader's words: statuses, phases, pillars and headers (the
    counts of indicators behind each score are left to CSV and JSON)."""
    from evaluation.method.horizon import PATH_WORDS, PHASE_WORDS
    from evaluation.method.settings import PILLAR_WORDS
    from evaluation.method.statuses import status_words

    out = frame.drop(columns=[c for c in frame.columns if str(c).endswith(
        ("_counted", "_defined"))])
    for column, table in (("phase", PHASE_WORDS), ("pillar", PILLAR_WORDS),
                          ("vs_expected", PATH_WORDS)):
        if column in out:
            out[column] = out[column].map(lambda v, t=table: _(t[v]) if v in t else v)
    if "status" in out:
        out["status"] = out["status"].map(status_words)
    for column in out.columns:  # missing as a dash, whatever the column's type
        if out[column].dtype.kind != "f":
            out[column] = out[column].astype(object).where(out[column].notna(), "–")
    return out.rename(columns={c: _(w) for c, w in COLUMN_WORDS.items()})


def aligned(header: list[str], rows: list[list[object]], max_width: int = 60) -> str:
    """A plain table as pandas prints one (right-aligned, cells cut at `max_width` with
    "..."), without pandas: what a read command prints at once."""
    def cell(value: object) -> str:
        text = "" if value is None else " ".join(str(value).split())
        return text if len(text) <= max_width else text[:max_width - 3] + "..."
    table = [[cell(h) for h in header], *([cell(v) for v in row] for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join(" ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
                     for r in table)


def history_text(columns: list[str], rows: list[tuple]) -> str:
    """`history`'s table: an upload a line, its files by name, its time in UTC."""
    from pathlib import Path

    shown = ["upload_id", "created_at", "created_by", "action", "files", "new", "changed",
             "unchanged", "state", "summary"]
    cells = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        values["created_at"] = f"{values['created_at']:%Y-%m-%d %H:%M} UTC"
        values["files"] = ", ".join(Path(n).name for n in (values["files"] or "").split(", "))
        cells.append([values[c] for c in shown])
    return aligned(shown, cells, max_width=60)
