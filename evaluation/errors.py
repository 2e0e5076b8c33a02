"""Errors and problems: how the core tells pages and the CLI what went wrong.

Bad data is *returned* as `Problem`s (all of them at once, so an evaluator can
fix a file in one pass); `EvaluationError` is raised only when work cannot go
on (a locked store, a refused undo, an unknown partnership on the command line).
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


# What a person can do about an error, named once. The core's message says what is
# wrong in words every reader understands; the command line and the pages each add
# their own words for the fix (a flag, a setting, whom to ask), as `fix` names it.
CHOOSE_STORE = "choose_store"  # point the program at another store file
CREATE_STORE = "create_store"  # create the store first
LEAVE_READ_ONLY = "leave_read_only"  # do it where the program may write
UPDATE_STORE = "update_store"  # open the store once where it may be written, to update it
REPLACE_STORE = "replace_store"  # restore over a store that holds data, on purpose
OWN_BACKUP = "own_backup"  # give a backup made by this program
FIXES = (CHOOSE_STORE, CREATE_STORE, LEAVE_READ_ONLY, UPDATE_STORE, REPLACE_STORE, OWN_BACKUP)


class EvaluationError(Exception):
    """A failure a user can act on: `title` is short, `message` says what is wrong and
    what to do; `fix` (one of FIXES) lets the edge add its own words, about `path`."""

    def __init__(self, message: str, title: str = "Cannot continue", *,
                 fix: str | None = None, path: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.fix = fix
        self.path = path


class StoreBusyError(EvaluationError):
    """Another process holds the store's write lock for longer than we wait."""


class PermissionDenied(EvaluationError):
    """The current user's role does not allow a write."""


@dataclass(frozen=True)
class Problem:
    """One finding in an uploaded file; `line` counts as a spreadsheet does (header = 1)."""

    file: str
    line: int | None
    column: str
    value: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        """`FILE:LINE: column: message`, the form the CLI prints (compiler style)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        column = f" {self.column}:" if self.column else ""
        shown = self.value not in ("", None) and f"'{self.value}'" not in self.message
        value = f" (value {self.value!r})" if shown else ""
        prefix = "" if self.is_error else " warning:"
        return f"{where}:{prefix}{column} {self.message}{value}"
