"""The message catalogue: marked messages are extracted, languages are per session.

Every user-facing string goes through `evaluation.words` (English source
strings, Babel extraction into evaluation/locale/messages.pot). These tests keep
the template in step with the code, refuse a marked message Babel cannot read
(an f-string inside `_()`), and check that two threads in two languages each
read their own words.
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from evaluation import words

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> list[Path]:
    return [*(ROOT / "evaluation").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
            ROOT / "ui.py", ROOT / "ui_language.py", ROOT / "login.py",
            ROOT / "dashboard.py"]


def test_the_catalogue_template_is_up_to_date():
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from extract_messages import POT, build_catalog
    finally:
        sys.path.pop(0)
    from babel.messages.pofile import read_po

    with open(POT, "rb") as f:
        stored = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(f) if m.id}
    wanted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in build_catalog() if m.id}
    # The messages must match; where they are used (line numbers) may move freely.
    assert stored == wanted, (
        "run `python scripts/extract_messages.py` and commit evaluation/locale/messages.pot: "
        f"missing {sorted(map(str, wanted - stored))[:5]}, stale "
        f"{sorted(map(str, stored - wanted))[:5]}")


def marked_but_unreadable(source: str) -> list[int]:
    """Lines where a message is built before it reaches `_()`/`N_()` (an f-string, a
    concatenation, %-formatting, .format()): Babel cannot extract it, and no translation
    would ever match. A name (`_(label)`, a label marked with N_ where it is declared)
    is how a table of labels is shown, so it passes; `N_()` itself takes literals only."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_") and node.args):
            continue
        arg = node.args[0]
        literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        built = isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "format")
        if built or (node.func.id == "N_" and not literal):
            lines.append(node.lineno)
    return lines


def test_every_marked_message_is_a_literal():
    for bad in ('_(f"{n} rows")', '_("a " + b)', '_("%s rows" % n)', '_("{} x".format(n))',
                "N_(label)"):
        assert marked_but_unreadable(bad) == [1], bad  # the guard can fail
    found = {str(p.relative_to(ROOT)): lines for p in _sources()
             if (lines := marked_but_unreadable(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_two_sessions_in_two_languages_each_read_their_own(tmp_path, monkeypatch):
    for code, text in (("xx", "Ekks"), ("yy", "Why")):
        catalog = Catalog(locale=None)
        catalog.add("Partnership", text)
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as f:
            write_mo(f, catalog)
    monkeypatch.setattr(words, "LOCALE_DIR", tmp_path)
    words._load.cache_clear()
    seen: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def session(code: str) -> None:
        words.set_language(code)
        barrier.wait()
        seen[code] = [words._("Partnership") for _unused in range(100)]

    threads = [threading.Thread(target=session, args=(c,)) for c in ("xx", "yy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    words._load.cache_clear()
    assert set(seen["xx"]) == {"Ekks"} and set(seen["yy"]) == {"Why"}
    assert words._("Partnership") == "Partnership"  # this thread never chose: English
    assert set(words.languages()) == {"en"} or "en" == words.languages()[0]
