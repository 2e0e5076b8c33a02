"""Compile each language's catalogue (`evaluation/locale/<code>/LC_MESSAGES/messages.po`)
into the `.mo` file the product reads.

Run after editing a translation: `python scripts/compile_messages.py`.
tests/test_translations.py fails while a `.mo` is older than its `.po`, or a
message of the template is missing, fuzzy or has other placeholders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "evaluation" / "locale"


def compile_all() -> list[Path]:
    """Every `.po` compiled beside itself; the `.mo` files written."""
    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with open(mo, "wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"wrote {path.relative_to(ROOT)}")
    sys.exit(0)
