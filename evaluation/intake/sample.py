"""The demo data: one function loads sample_data/ through the importer.

The first start of the app, `python -m evaluation init` and the tests all use
it, so the sample is always imported exactly as an evaluator's files would be.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from evaluation.errors import CHOOSE_STORE, EvaluationError
from evaluation.intake.importer import ImportReport, import_files
from evaluation.store.connection import Store
from evaluation.words import _

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_USER = "sample data"


def sample_files(folder: Path = SAMPLE_DIR) -> list[tuple[str, bytes]]:
    """(name, bytes) of every CSV file in the sample folder, in name order."""
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


def load_sample_data(store: Store, folder: Path = SAMPLE_DIR) -> ImportReport:
    """Import the sample files as one upload; raise if they do not import cleanly."""
    report = import_files(store, sample_files(folder), user=SAMPLE_USER, commit=True)
    if not report.ok:
        first = report.errors[0].format()
        raise EvaluationError(_("The sample data did not import: {problem}").format(
            problem=first), _("Sample data broken"))
    return report


def ensure_store(store: Store) -> bool:
    """Create the store with the sample data on first use; True if it was created now.

    The store is built in a temporary file beside it and linked into place only
    once the sample is in, so a first start that fails (or is killed) leaves no
    half-made store behind for the next start to trip over.

    Long because a first start must be all or nothing while other processes may start at the
    same moment; each branch is one of those races.
    """
    if store.exists():
        return False
    if store.read_only:
        raise EvaluationError(
            _("There is no store at {path}, and this dashboard runs in read-only mode, so it "
              "cannot create one. Use an existing store, or start once without read-only "
              "mode.").format(path=store.path),
            _("No store"), fix=CHOOSE_STORE, path=store.path)
    if store.server:  # one PostgreSQL transaction: all or nothing by itself
        with store.first_use() as empty:
            if empty:
                load_sample_data(store)
            return empty
    with store._write_lock:
        if store.exists():
            return False
        try:
            store.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{store.path.name}.", suffix=".new",
                                        dir=store.path.parent)
        except OSError as e:
            raise EvaluationError(
                _("Cannot create the store {path}: {reason}. Choose a folder this "
                  "program may write to.").format(path=store.path, reason=e.strerror),
                _("Cannot create the store"), fix=CHOOSE_STORE, path=store.path) from e
        os.close(fd)
        building = Path(name)
        building.unlink()  # DuckDB creates the file itself
        try:
            temporary = Store(building, read_only=False)
            load_sample_data(temporary)
            with temporary.connect() as con:
                con.execute("CHECKPOINT")
            try:
                os.link(building, store.path)  # never replaces a store made meanwhile
            except FileExistsError:
                return False
            except OSError:  # a file system without hard links
                if store.exists():
                    return False
                try:
                    os.replace(building, store.path)
                except OSError as e:
                    raise EvaluationError(
                        _("Cannot create the store {path}: {reason}. Choose a folder this "
                          "program may write to.").format(path=store.path, reason=e.strerror),
                        _("Cannot create the store"), fix=CHOOSE_STORE, path=store.path) from e
            return True
        finally:
            for leftover in (building, Path(f"{building}.wal")):
                leftover.unlink(missing_ok=True)
