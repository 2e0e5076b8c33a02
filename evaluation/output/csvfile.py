"""The one writer of every CSV file the product hands out: exports, the chart pack, the
command line's `--format csv` and the templates.

A CSV file is opened by people in Excel, and Norwegian and Danish Excel split on
`;`, not `,`. So every field is quoted and every text cell is neutralised
against formula injection (OWASP's CSV injection guidance) as read with either
separator: a cell, or any piece of it that follows a `,`, `;`, quote or line
break, never starts with `= + - @`, a tab or a carriage return. Numbers stay
numbers. The lines that say what a table is come first, as quoted two-cell rows,
and a blank line separates them from the table.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is loaded by whoever hands a frame; a template needs none
    import pandas as pd

_FORMULA = "=+-@"
# A formula character at the start of a cell, or where a reader splitting on the other
# separator (or at a line break, or at a stray quote) would start a new cell.
_DANGER = re.compile(r'(^|[,;\n"])(?=[=+\-@])')
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet could run as a formula gets an apostrophe where it would
    start; tabs become spaces and CR line ends LF. Numbers (and number-like text such as
    '-5') are left as they are."""
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value.strip()):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _DANGER.sub(r"\1'", text)


def write_csv(frame: pd.DataFrame | None = None, *, about: Iterable[tuple[str, object]] = (),
              header: Sequence[str] | None = None,
              rows: Iterable[Sequence[object]] = ()) -> str:
    """The CSV text of `frame` (or of `header` and `rows`), with `about` lines above it.

    Every field is quoted; missing values are empty cells, never 'nan'.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    about = list(about)
    for key, value in about:
        writer.writerow([f"# {_one_line(key)}", _cell(_one_line(value))])
    if about:
        writer.writerow([])
    if frame is not None:
        header, rows = [str(c) for c in frame.columns], frame.itertuples(index=False)
    if header is not None:
        writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None or _pandas_missing(value):
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value) if not value.is_integer() else (
            str(int(value)) if abs(value) < 1e16 else repr(value))
    if isinstance(value, str):
        return neutralise(value)
    return value


def _pandas_missing(value: object) -> bool:
    pandas = sys.modules.get("pandas")  # a value can be pandas' NA only once it is loaded
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
