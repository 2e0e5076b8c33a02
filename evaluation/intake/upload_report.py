"""What an upload did or would do: each file's counts, the problems, the summary a person
reads first (`FileReport`, `ImportReport`; the importer makes them)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evaluation.errors import Problem
from evaluation.intake.formats import KINDS
from evaluation.words import _

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class FileReport:
    """What one file holds and how it compares with the store."""

    name: str
    kind: str
    sha256: str
    encoding: str
    delimiter: str
    rows: int
    new: int
    changed: int
    unchanged: int
    preview: pd.DataFrame | None = field(repr=False, compare=False)  # None: not asked for
    origin: str = ""  # a statistics office's table: its layout and table, shown as the kind
    note: str = ""  # and what of it was skipped or left empty

    @property
    def skipped(self) -> int:
        return self.rows - self.new - self.changed - self.unchanged


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import or a preview: files, problems, and the upload if committed."""

    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]
    upload_id: int | None
    committed: bool
    same_as: tuple[int, ...] = ()
    base_upload: int | None = None  # the latest upload the files were checked against
    stale: bool = False  # a commit found another upload since its preview: nothing written
    unnamed_tables: tuple[str, ...] = ()  # office files that do not name their table (the
    # statistic given applies to them)
    table_choices: tuple[str, ...] = ()  # for them: the indicators' tables, stored or in this
    # upload

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(f.new + f.changed for f in self.files)

    def summary(self) -> str:
        """One paragraph a person reads first."""
        if not self.ok:
            return _("{n} error(s) found; nothing was imported. Fix the lines listed and "
                     "upload the file(s) again.").format(n=len(self.errors))
        if self.stale:
            return _("The store changed since the preview (upload {upload} is new), so nothing "
                     "was imported. The files were checked again against it: look at the new "
                     "preview and commit again.").format(upload=self.base_upload)
        counts = "; ".join(_file_counts(f) for f in self.files)
        if self.changes == 0 and self.same_as:
            return _("Nothing to change: the store already holds every value (identical to "
                     "upload {uploads}). {counts}.").format(
                uploads=", ".join(map(str, self.same_as)), counts=counts)
        if self.changes == 0:
            return _("Nothing to change: the store already holds every value. {counts}."
                     ).format(counts=counts)
        if self.committed:
            return _("Imported as upload {upload}. {counts}.").format(upload=self.upload_id,
                                                                     counts=counts)
        return _("Ready to import. {counts}.").format(counts=counts)


def _file_counts(f: FileReport) -> str:
    """One file's part of the summary: its name, kind and counts."""
    kind = f.origin or _(KINDS[f.kind].title).lower()
    if f.note:
        return _("{counts}; {note}").format(counts=_file_counts(dataclasses.replace(f, note="")),
                                            note=f.note)
    if f.skipped:
        return _("{file} ({kind}): {new} new, {changed} changed, {unchanged} unchanged, "
                 "{empty} empty").format(file=f.name, kind=kind, new=f.new, changed=f.changed,
                                         unchanged=f.unchanged, empty=f.skipped)
    return _("{file} ({kind}): {new} new, {changed} changed, {unchanged} unchanged").format(
        file=f.name, kind=kind, new=f.new, changed=f.changed, unchanged=f.unchanged)


def problems_table(problems: list[Problem] | tuple[Problem, ...]) -> pd.DataFrame:
    """Problems as a table a person can work through: where, what, and what to do."""
    import pandas as pd  # for the page only: the command line prints them as lines

    columns = ["", _("file"), _("line"), _("column"), _("value"), _("problem and what to do")]
    return pd.DataFrame(
        [dict(zip(columns, (_("Error") if p.is_error else _("Warning"), p.file,
                            p.line if p.line else None, p.column, p.value, p.message),
                  strict=True)) for p in problems],
        columns=columns)
