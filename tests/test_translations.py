"""Every message in every language: translated, not fuzzy, with the same placeholders,
and compiled; numbers in the reader's marks; the language chosen per session and per
command.

The catalogue template (messages.pot) is kept current by test_words; here each
language's catalogue must cover all of it.
"""

from __future__ import annotations

import gettext
import string
import threading
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from evaluation import words
from evaluation.cli import main
from evaluation.config import Config

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "evaluation" / "locale"
TRANSLATED = [c for c in words.offered() if c != words.SOURCE_LANGUAGE]


def _catalog(path: Path, locale: str | None = None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def _fields(text: str) -> set[str]:
    return {f"{name}:{spec}" for _lit, name, spec, _conv in string.Formatter().parse(text)
            if name is not None}


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(code):
    template = _catalog(LOCALE / "messages.pot")
    catalog = _catalog(LOCALE / code / "LC_MESSAGES" / "messages.po", code)
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if found is None or not found.string or found.fuzzy:
            problems.append(f"missing or fuzzy: {ids[0]!r}")
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(strings):
            problems.append(f"a plural form is empty: {ids[0]!r}")
        wanted = set().union(*(_fields(i) for i in ids))
        for text in strings:
            # A singular may leave the count out ("one row"), never add a placeholder.
            if _fields(text) - wanted or (len(ids) == 1 and _fields(text) != wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(code):
    """`python scripts/compile_messages.py` was run after the last edit of the .po."""
    folder = LOCALE / code / "LC_MESSAGES"
    catalog = _catalog(folder / "messages.po", code)
    with open(folder / "messages.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in catalog:
        if message.id and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string, (
                f"run `python scripts/compile_messages.py`: {message.id!r}")


def test_every_offered_language_has_a_catalogue():
    assert set(words.languages()) == set(words.offered())


def test_numbers_are_written_in_the_readers_marks():
    with words.language("nb"):
        assert words.number(1234567) == "1\u00a0234\u00a0567"
        assert words.percent(0.714, 1) == "71,4\u00a0%"
        assert words._("{n:,} rows").format(n=1234).startswith("1\u00a0234")
        assert words.plotly_separators() == ",\u00a0"
    with words.language("da"):
        assert words.number(1234.5, ",.1f") == "1.234,5"
        assert words.plotly_separators() == ",."
    with words.language("en"):
        assert words.number(1234.5, ",.1f") == "1,234.5"
        assert words.percent(0.714) == "71%"
    with words.language("nb"):  # a year or an id is never grouped
        assert words._("Survey {year}").format(year=2024).endswith("2024")


@pytest.mark.parametrize(("given", "code"), [
    ("nb-NO", "nb"), ("no", "nb"), ("nn_NO.UTF-8", "nn"), ("da-DK", "da"), ("en-GB", "en"),
    ("C.UTF-8", None), ("POSIX", None), ("", None), (None, None), ("sv-SE", None)])
def test_language_codes_from_browsers_and_systems(given, code):
    assert words.language_of(given) == code


def test_the_command_line_takes_lang_else_the_systems_language():
    assert words.system_language({"LANG": "da_DK.UTF-8"}) == "da"
    assert words.system_language({"LC_ALL": "nn_NO.UTF-8", "LANG": "da_DK"}) == "nn"
    assert words.system_language({"LANG": "C.UTF-8"}) == "en"
    assert words.system_language({}) == "en"


def test_a_command_speaks_the_language_asked(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(["init", "--empty", "--db", str(store), "--lang", "nb"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == words_in("nb", "Created an empty store at {path}.").format(path=store)
    assert main(["history", "--db", str(store), "--lang", "da"]) == 0
    assert capsys.readouterr().out.strip() == words_in("da", "No uploads yet.")
    with pytest.raises(SystemExit) as refused:  # argparse's own exit, with the choices
        main(["history", "--db", str(store), "--lang", "xx"])
    assert refused.value.code == 2
    assert "xx" in capsys.readouterr().err


def words_in(code: str, message: str) -> str:
    with words.language(code):
        return words._(message)


def test_two_threads_in_two_languages_each_read_their_own():
    seen = {}

    def read(code: str) -> None:
        words.set_language(code)
        for _ in range(200):
            seen.setdefault(code, set()).add(words._("Overview"))

    threads = [threading.Thread(target=read, args=(c,)) for c in ("nb", "da", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {c: len(v) for c, v in seen.items()} == {"nb": 1, "da": 1, "en": 1}
    assert seen["en"] == {"Overview"} and seen["nb"] != seen["da"]


def test_the_configured_default_language_is_checked():
    assert Config.from_environment({"EVALUATION_LANGUAGE": "da"}).language == "da"
    with pytest.raises(Exception, match="EVALUATION_LANGUAGE"):
        Config.from_environment({"EVALUATION_LANGUAGE": "klingon"})


def test_a_deferred_download_is_made_in_the_language_of_its_page():
    """Streamlit makes a deferred download outside the page's run, where no language is
    set: the file must still be in the reader's language."""
    import ui_language

    with words.language("nb"):
        make = ui_language.in_language(lambda: words._("Overview"))
        wanted = words._("Overview").encode("utf-8")
    assert words.current_language() == "en"
    assert make() == wanted != b"Overview"
