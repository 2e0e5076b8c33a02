"""Statistics offices' CSV downloads: SSB's and Danmarks Statistik's StatBank, PxWebApi.

What these layouts share: maybe title lines (`"07459: Population, by region, age,
contents and year"`) and a blank line before the header; `;`, tab or `,`
between cells; UTF-8 (with or without BOM) or ISO-8859-1; a column per dimension
and either one column of values (long: headed `INDHOLD`, `value`, or the table's
`<id>: <title>`) or a column per year whose heading ends with the time code
(wide: `Persons 2022`, `Personer 2022K1`). Region cells carry their code before
the name (`K-3001 Halden`, `0101 Halden`, `030102a Grünerløkka`) or are a code.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pyarrow as pa

from evaluation.intake.cube import (
    REGION_IDS,
    Cube,
    Dimension,
    cell_values,
    office_name,
    parse_time,
)
from evaluation.intake.formats import canonical_column, normalise_word
from evaluation.intake.regions import split_region
from evaluation.intake.textfile import FileProblem, to_utf8
from evaluation.words import _

VALUE_HEADERS = frozenset({"indhold", "value", "values", "verdi", "værdi", "vaerdi", "värde",
                           "varde", "innhold", "obs_value", "observation", "antal", "antall"})
_TITLE = re.compile(r"\s*([A-Za-z0-9_]{3,20})\s*:\s*(.+)", re.S)
_WIDE = re.compile(r"(.*?)[\s_]*(\d{4}(?:[KkQqMmHhUu]\d{1,2}|-\d{4})?)(?:\s+-\s+\S+)?")
_CODE_TEXT = re.compile(r"(\S+) - (.*)", re.S)  # PxWebApi's UseCodesAndTexts: "0301 - Oslo"
_CODED = re.compile(r"(?:[A-Za-z]{1,3}-)?\d{3,6}[a-z]?\s+\S.*")
_DELIMITERS = (";", "\t", ",")


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-empty row (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, line = [], 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as e:
        raise FileProblem(_("line {line} cannot be read as CSV ({reason})").format(
            line=line, reason=e), line) from e
    return out


def _header(rows: list[tuple[int, list[str]]]) -> int | None:
    """The index of the header: the first row of two or more cells that the next rows
    share the width of."""
    for i, (_line, cells) in enumerate(rows[:30]):
        if len(cells) < 2:
            continue
        following = [len(c) for _l, c in rows[i + 1:i + 6]]
        if following and sum(n == len(cells) for n in following) >= max(1, len(following) - 1):
            return i
    return None


def read_statistics_csv(name: str, raw: bytes) -> Cube | None:
    """A statistics office's CSV as a Cube, or None when it is not one of their layouts.

    Long because recognising a layout and reading it are one walk over the header: the
    value column or the year columns decide how every row is read.
    """
    data, encoding = to_utf8(raw)
    text = data.decode("utf-8").lstrip("\ufeff")
    best = None
    for delimiter in _DELIMITERS:
        rows = _rows(text[:200_000], delimiter)
        h = _header(rows)
        if h is not None and (best is None or (h, -len(rows[h][1])) < best[:2]):
            best = (h, -len(rows[h][1]), delimiter)
    if best is None:
        return None
    delimiter = best[2]
    rows = _rows(text, delimiter)
    h = best[0]
    header = [c.strip() for c in rows[h][1]]
    title = " ".join(c.strip() for _l, cells in rows[:h] for c in cells if c.strip())
    table = None
    if (m := _TITLE.fullmatch(title)) is not None:
        table, title = m.group(1), m.group(2).strip()
    values_at = [i for i, c in enumerate(header)
                 if normalise_word(c) in VALUE_HEADERS or _TITLE.fullmatch(c)]
    wide = {i: m for i, c in enumerate(header)
            if (m := _WIDE.fullmatch(c)) and parse_time(m.group(2))}
    if values_at:
        v = values_at[-1]
        if (m := _TITLE.fullmatch(header[v])) and not table:
            table, title = m.group(1), m.group(2).strip()
        dims_at = [i for i in range(len(header)) if i != v]
        wide = {}
    elif wide:
        v = None
        dims_at = [i for i in range(len(header)) if i not in wide]
    else:
        return None
    ours = {canonical_column(c) for c in header} & {"partnership", "indicator"}
    if not dims_at or ours:
        return None  # one of our own kinds, misspelt: its own message says what is wrong
    body = [(line, cells) for line, cells in rows[h + 1:] if len(cells) == len(header)]
    odd = [(line, cells) for line, cells in rows[h + 1:] if len(cells) != len(header)]
    if odd and any(len(c) > 1 for _l, c in odd):
        line = next(line for line, c in odd if len(c) > 1)
        raise FileProblem(_("line {line} has {found} cells but the header has {expected}: "
                            "download the table again").format(
            line=line, found=len(next(c for _l, c in odd if len(c) > 1)),
            expected=len(header)), line)
    if not body:
        raise FileProblem(_("the table has a header but no rows"), rows[h][0])
    lines = np.array([line for line, _c in body], dtype=np.int64)
    columns = [[cells[i].strip() for _l, cells in body] for i in dims_at]
    named = any(normalise_word(_code_text(header[i])[0]) in REGION_IDS
                or normalise_word(header[i]) in REGION_IDS for i in dims_at)
    dims, cats = [], []
    for i, col in zip(dims_at, columns, strict=True):
        dim, index = _dimension(header[i], col, named)
        dims.append(dim)
        cats.append(index)
    if v is not None:
        texts = [cells[v] for _l, cells in body]
        cat = np.stack(cats, axis=1) if cats else np.zeros((len(body), 0), np.int32)
    else:  # wide: every year column makes a cell of each row
        order = sorted(wide)
        prefixes = [wide[i].group(1).strip() for i in order]
        periods = [wide[i].group(2).upper().replace("Q", "K") for i in order]
        base = np.stack(cats, axis=1)
        parts = []
        if any(prefixes):
            contents = sorted(set(prefixes), key=prefixes.index)
            split = all(_CODE_TEXT.fullmatch(c) for c in contents)
            dims.append(Dimension("contents", "contents",
                                  [_code_text(c)[0] if split else c for c in contents],
                                  [_code_text(c)[1] if split else c for c in contents]))
            parts.append(np.array([contents.index(p) for p in prefixes], dtype=np.int32))
        times = sorted(set(periods), key=periods.index)
        dims.append(Dimension("time", "time", times, times, "time"))
        parts.append(np.array([times.index(p) for p in periods], dtype=np.int32))
        k = len(order)
        cat = np.concatenate([np.repeat(base, k, axis=0),
                              np.tile(np.stack(parts, axis=1), (len(body), 1))], axis=1)
        texts = [cells[i] for _l, cells in body for i in order]
        lines = np.repeat(lines, k)
    values, symbols, names = cell_values(pa.array(texts, pa.string()),
                                         _decimal_comma(texts, delimiter))
    layout = _("statistics CSV")
    cube = Cube(name, layout, table, title, _office(table, header), dims, cat.astype(np.int32),
                values, symbols, names, lines)
    if cube.dim_with_role("time") is None or not (
            table or cube.office or any(d.role == "geo" for d in dims)):
        return None  # not an office's table: the file's own problem is the better message
    return cube


def _code_text(text: str) -> tuple[str, str]:
    """`"0301 - Oslo"` as (`0301`, `Oslo`); other text as itself twice."""
    m = _CODE_TEXT.fullmatch(text.strip())
    return (m.group(1), m.group(2).strip()) if m else (text, text)


def _dimension(head: str, cells: list[str], region_named: bool
               ) -> tuple[Dimension, np.ndarray]:
    """A dimension from its column: categories in the order met; codes and texts apart
    where the file writes both (`0301 - Oslo`; a region's `K-3001 Halden`). A column is
    the region by its name, or where no column is named so, by cells that all start with
    a code."""
    texts = sorted(set(cells), key=cells.index)
    lookup = {t: i for i, t in enumerate(texts)}
    index = np.array([lookup[c] for c in cells], dtype=np.int32)
    both = bool(_CODE_TEXT.fullmatch(head)) and all(_CODE_TEXT.fullmatch(t) for t in texts)
    dim_id, dim_label = _code_text(head) if both else (head, head)
    codes = [_code_text(t)[0] if both else t for t in texts]
    labels = [_code_text(t)[1] if both else t for t in texts]
    region = normalise_word(dim_id) in REGION_IDS or normalise_word(dim_label) in REGION_IDS
    if not region and not region_named:
        region = bool(texts) and all(_CODED.fullmatch(t) for t in texts)
    if region and not both:
        split = [split_region(t) for t in texts]
        codes = [c or t for (c, _n), t in zip(split, texts, strict=True)]
        labels = [n or t for (_c, n), t in zip(split, texts, strict=True)]
    return Dimension(dim_id, dim_label, codes, labels, "geo" if region else ""), index


def _decimal_comma(texts: list[str], delimiter: str) -> bool:
    if delimiter == ",":
        return False
    sample = texts[:5000]
    comma = sum(bool(re.search(r"\d,\d", t)) for t in sample)
    point = sum(bool(re.search(r"\d\.\d", t)) for t in sample)
    return comma >= point


def _office(table: str | None, header: list[str]) -> str:
    """The office, where the layout shows it: DST's Danish upper-case headings, SSB's
    five-digit tables."""
    words = {normalise_word(c) for c in header}
    if "indhold" in words or "tid" in words and "område" in words:
        return office_name("dst")
    return office_name("", table)
