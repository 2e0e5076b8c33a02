"""The message catalogue: every word the product shows a person goes through here.

Source strings are English, marked with `_()` (translated where they are
made) or `N_()` (marked where they are declared, such as a table of labels at
module level, and translated with `_()` where they are shown). Babel extracts
them into `evaluation/locale/messages.pot` (`python scripts/extract_messages.py`);
translations live beside it as `<lang>/LC_MESSAGES/messages.po` and `.mo`.

The language is per context, not per process: Streamlit runs each session's
script in its own thread, and the command line sets it once, so two readers in
two languages never see each other's words (a process-wide `gettext.install`
would give every user the first visitor's language). Identifiers such as status
codes, phase ids and sort keys are never translated; only their labels are.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
_ENGLISH = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations | None] = ContextVar("translations", default=None)
_code: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def _(message: str) -> str:
    """`message` in the reader's language (English when there is no translation)."""
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the reader's language."""
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it yet."""
    return message


def languages() -> tuple[str, ...]:
    """The languages with a compiled catalogue, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def set_language(code: str) -> None:
    """Use `code` for the rest of this thread or context (an unknown code: English)."""
    _current.set(_load(code))
    _code.set(code)


def current_language() -> str:
    """The code of the language in use (what data in several languages is shown in)."""
    return _code.get()


@contextmanager
def language(code: str) -> Iterator[None]:
    """Use `code` inside the block only."""
    token, code_token = _current.set(_load(code)), _code.set(code)
    try:
        yield
    finally:
        _current.reset(token)
        _code.reset(code_token)


@functools.cache
def _load(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
