"""The demo data: one function loads sample_data/ through the importer.

The first start of the app, `python -m evaluation init` and the tests all use
it, so the sample is always imported exactly as an evaluator's files would be.
"""

from __future__ import annotations

from pathlib import Path

from evaluation.errors import EvaluationError
from evaluation.importer import ImportReport, import_files
from evaluation.store import PROJECT_ROOT, Store

SAMPLE_DIR = PROJECT_ROOT / "sample_data"
SAMPLE_USER = "sample data"


def sample_files(folder: Path = SAMPLE_DIR) -> list[tuple[str, bytes]]:
    """(name, bytes) of every CSV file in the sample folder, in name order."""
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


def load_sample_data(store: Store, folder: Path = SAMPLE_DIR) -> ImportReport:
    """Import the sample files as one upload; raise if they do not import cleanly."""
    report = import_files(store, sample_files(folder), user=SAMPLE_USER, commit=True)
    if not report.ok:
        first = report.errors[0].format()
        raise EvaluationError(f"The sample data did not import: {first}", "Sample data broken")
    return report


def ensure_store(store: Store) -> bool:
    """Create the store with the sample data on first use; True if it was created now."""
    if store.exists():
        return False
    with store._write_lock:
        if store.exists():
            return False
        load_sample_data(store)
        return True
