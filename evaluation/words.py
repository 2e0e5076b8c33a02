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
import numbers
import os
import string
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# The languages offered, in the order of the picker, each named in itself.
LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "da": "Dansk", "en": "English"}
# Decimal mark and thousands separator as the reader writes them (a non-breaking space in
# Norwegian, so `1 234` never wraps); English keeps Python's.
_MARKS = {"nb": (",", "\u00a0"), "nn": (",", "\u00a0"), "da": (",", ".")}
# Browser and system codes that mean one of them: `no` is bokmål, as browsers send it.
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "dan": "da", "eng": "en"}
_current: ContextVar[gettext.NullTranslations | None] = ContextVar("translations", default=None)
_code: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def _(message: str) -> str:
    """`message` in the reader's language (English when there is no translation); its
    `.format()` writes numbers as the reader does (`{n:,}`: `1 234` in Norwegian)."""
    translations = _current.get()
    if translations is None:
        return message
    return Message(translations.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the reader's language."""
    translations = _current.get()
    if translations is None:
        return singular if n == 1 else plural
    return Message(translations.ngettext(singular, plural, n))


class _LocalFormatter(string.Formatter):
    """str.format with every number written in the reader's marks."""

    def format_field(self, value: object, format_spec: str) -> str:
        text = format(value, format_spec)
        if isinstance(value, numbers.Number) and not isinstance(value, bool):
            return localise_number(text)
        return text


_FORMATTER = _LocalFormatter()


class Message(str):
    """A translated message: `.format()` localises the numbers it is given."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:  # noqa: A003 - str's own name
        return _FORMATTER.vformat(str(self), args, kwargs)

    def format_map(self, mapping: Mapping[str, object]) -> str:
        return _FORMATTER.vformat(str(self), (), mapping)


def localise_number(text: str, code: str | None = None) -> str:
    """A number Python wrote (`1,234.5`, `71.4%`) in the marks of `code` (default: the
    reader's language): `1 234,5`, `71,4 %` in Norwegian, `1.234,5` in Danish."""
    marks = _MARKS.get(code or current_language())
    if marks is None:
        return text
    decimal, group = marks
    out = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return out[:-1] + "\u00a0%" if out.endswith("%") else out


def number(value: float | int, spec: str = ",") -> str:
    """`value` formatted with `spec` (Python's mini-language) in the reader's marks."""
    return localise_number(format(value, spec))


def figure(value: float) -> str:
    """A figure as a person reads it: 10 541 whole, 0,714 to three digits (nb)."""
    return number(value, ",.0f" if abs(value) >= 1000 else ".3g")


def percent(value: float, decimals: int = 0) -> str:
    """A share as a percentage in the reader's marks: 0.714 -> `71 %` (nb), `71%` (en)."""
    return localise_number(format(value, f".{decimals}%"))


def plotly_separators(code: str | None = None) -> str:
    """plotly's `layout.separators` (decimal mark, then thousands) for the reader."""
    decimal, group = _MARKS.get(code or current_language(), (".", ","))
    return decimal + group


def language_of(text: str | None) -> str | None:
    """The offered language a browser or system code names (`da-DK`, `nb_NO.UTF-8`,
    `no`, `nn`), or None."""
    head = (text or "").strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    head = _ALIASES.get(head, head)
    return head if head in LANGUAGE_NAMES else None


def choose_language(*candidates: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """The first candidate that names an offered language (a link's `?lang=`, the
    session's choice, the browser's), else `default`, else English."""
    for candidate in candidates:
        if code := language_of(candidate):
            return code
    return language_of(default) or SOURCE_LANGUAGE


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language: LC_ALL, else LC_MESSAGES, else LANG; else English
    (`C`, `POSIX` and unknown codes are English)."""
    env = os.environ if environ is None else environ
    return choose_language(*(env.get(k) for k in ("LC_ALL", "LC_MESSAGES", "LANG")))


def offered() -> Sequence[str]:
    """The offered languages' codes, in the picker's order."""
    return tuple(LANGUAGE_NAMES)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it yet."""
    return message


def languages() -> tuple[str, ...]:
    """The languages with a compiled catalogue, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def set_language(code: str) -> None:
    """Use `code` for the rest of this thread or context (an unknown code: English)."""
    code = language_of(code) or code
    _current.set(None if code == SOURCE_LANGUAGE else _load(code))
    _code.set(code)


def current_language() -> str:
    """The code of the language in use (what data in several languages is shown in)."""
    return _code.get()


@contextmanager
def language(code: str) -> Iterator[None]:
    """Use `code` inside the block only."""
    code = language_of(code) or code
    token = _current.set(None if code == SOURCE_LANGUAGE else _load(code))
    code_token = _code.set(code)
    try:
        yield
    finally:
        _current.reset(token)
        _code.reset(code_token)


@functools.cache
def _load(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
