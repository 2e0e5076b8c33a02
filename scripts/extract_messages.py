"""Extract every marked message (`_()`, `N_()`, `ngettext()`) into the catalogue template.

Run after changing any user-facing text: `python scripts/extract_messages.py`.
tests/test_words.py fails while evaluation/locale/messages.pot is out of date.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "evaluation" / "locale" / "messages.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("evaluation", "pages")
FILES = ("ui.py", "ui_language.py", "login.py", "dashboard.py")


def build_catalog() -> Catalog:
    """Every marked message of the product, with where it is used."""
    catalog = Catalog(project="partnership-evaluation", fuzzy=False)
    method_map = [("**.py", "python")]
    for folder in SOURCES:
        for filename, line, message, comments, context in extract_from_dir(
                ROOT / folder, method_map, keywords=KEYWORDS):
            catalog.add(message, locations=[(f"{folder}/{filename}", line)],
                        auto_comments=comments, context=context)
    for name in FILES:
        from babel.messages.extract import extract
        with open(ROOT / name, "rb") as f:
            for line, message, comments, context in extract("python", f, keywords=KEYWORDS):
                catalog.add(message, locations=[(name, line)], auto_comments=comments,
                            context=context)
    return catalog


def render_pot(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, width=100)
    return out.getvalue()


def main() -> int:
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(render_pot(build_catalog()))
    print(f"wrote {POT.relative_to(ROOT)} ({len(build_catalog())} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
