"""Writing the product's output files (backups, reports) so that a failure destroys nothing.

Every file is written to a new temporary file in the target's folder, created
exclusively under a random name (so a planted symlink is never followed), synced,
and renamed into place: a full disk or an interruption leaves the old file as it
was and no half-written one. An output path that is the store itself (or its
write-ahead log) is refused.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from evaluation.errors import EvaluationError
from evaluation.words import _


def write_file(target: Path, data: bytes | Callable[[BinaryIO], None], *,
               what: str | None = None) -> None:
    """Put `data` (bytes, or a function writing into a binary file) at `target` whole;
    `what` names it in the reader's words (default: "the file")."""
    what = _("the file") if what is None else what
    if target.is_dir():
        raise EvaluationError(
            _("{target} is a folder; give {what} a file name inside it, for example "
              "{example}.").format(target=target, what=what, example=target / "output"),
            _("Cannot write"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".partial")
    except OSError as e:
        raise _cannot_write(target, what, e) from e
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                data(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)  # replaces a symlink itself, never what it points to
    except BaseException as e:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(e, OSError):
            raise _cannot_write(target, what, e) from e
        raise


def refuse_store_path(target: Path, store_path: Path, what: str | None = None) -> None:
    """Raise if writing `target` would overwrite the store or its write-ahead log (`what`
    names the output in the reader's words; default: "the output")."""
    what = _("the output") if what is None else what
    for protected in (store_path, Path(f"{store_path}.wal")):
        if _same_file(target, protected):
            which = _("the store itself") if protected == store_path else _("the store's log")
            raise EvaluationError(
                _("{target} is {which}; writing {what} there would destroy it. Give another "
                  "file name.").format(target=target, which=which, what=what),
                _("Would overwrite the store"))


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cannot_write(target: Path, what: str, error: OSError) -> EvaluationError:
    reason = _("the disk is full") if error.errno == 28 else (error.strerror or str(error))
    return EvaluationError(_("Cannot write {what} to {target}: {reason}. Nothing was "
                             "replaced; choose a folder you can write to, or free some "
                             "space.").format(what=what, target=target, reason=reason),
                           _("Cannot write"))
