"""How the command line speaks: its own words for what to do about an error (its flags
and commands), and printing with the control characters of data shown as escapes."""

from __future__ import annotations

import os
import shlex
import sys

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
from evaluation.words import _


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
