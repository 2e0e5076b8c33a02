"""Plain-text helpers every room shares: how names are matched and suggested, and which
characters no renderer, spreadsheet or terminal may receive.

Pure standard library: importing it loads nothing else of the program but the message
catalogue (`evaluation.words`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from evaluation.words import _

# C0 and C1 control characters other than tab and line breaks: no renderer accepts them
# (an ESC in a name made every SVG invalid XML) and terminals obey them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same class as a SQL string literal for DuckDB's RE2 regexp functions.
CONTROL_CHARS_SQL = "'[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]'"
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})
# Streamlit links bare URLs, www. addresses and e-mail addresses even when every markdown
# character is escaped; an invisible word joiner before '@' and a scheme's ':' and after
# 'www' breaks each pattern (checked in Chromium by tests/test_browser.py).
_AUTOLINK = re.compile(r"(?i)(?<=www)(?=\.)|(?=@)|(?<=[a-z])(?=:)")


def markdown_literal(text: object) -> str:
    """Text for a markdown renderer, shown as written: every markdown character escaped
    and no bare address turned into a link ('' for None or NaN)."""
    if text is None or text != text:
        return ""
    return _AUTOLINK.sub("\u2060", str(text)).translate(_MARKDOWN)


def markdown_table(header: Sequence[object], rows: Iterable[Sequence[object]],
                   right: Sequence[int] = ()) -> str:
    """A markdown table of cells shown as written (escaped, one line each); the columns
    whose positions are in `right` (counts) are aligned right."""
    def cell(value: object) -> str:
        return " ".join(markdown_literal(value).split())
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cell(v) if n != 1 else v for v in line) + " |"
                     for n, line in enumerate(lines))


def clean_text(text: str) -> str | None:
    """Trimmed, with runs of whitespace (non-breaking spaces too) as one space; None if empty."""
    cleaned = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    return cleaned or None


def name_key(text: str) -> str:
    """How names and codes are matched: ignoring case and surrounding spaces."""
    return (clean_text(text) or "").casefold()


def printable(text: object) -> str:
    """The text without the control characters no renderer accepts (line breaks kept)."""
    return CONTROL_CHARS.sub("", str(text))


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean "X"?)' for the closest choice, or ''.

    Whole-string similarity misses "Askim frilufsliv" for "Nettverk friluftsliv
    Askim", so each word of `word` is also matched against the choice's words.
    """
    best, best_score = None, 0.0
    for choice in choices:
        score = max(_ratio(word.lower(), choice.lower()), _word_score(word, choice))
        if score > best_score:
            best, best_score = choice, score
    if best is None or best_score < 0.75:
        return ""
    return _(' (did you mean "{choice}"?)').format(choice=best)


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _word_score(word: str, choice: str) -> float:
    mine = re.findall(r"\w+", word.lower())
    theirs = re.findall(r"\w+", choice.lower())
    if not mine or not theirs:
        return 0.0
    hits = sum(max(_ratio(w, t) for t in theirs) >= 0.8 for w in mine)
    return hits / len(mine) * 0.95
