"""Excel and OpenDocument workbooks: every sheet read as a file of its own kind.

A sheet becomes the same UTF-8 CSV text an upload of that sheet saved from
Excel would be, so recognising the kind, validating, the preview, the commit
and undo stay the one path of `importer`. What Excel knows is kept: numbers
are written as Excel stores them (a number cell never goes through
decimal-mark guessing, while a text cell such as "12,5" still does), dates in
year columns become their year, and every problem is reported at the sheet's
own row (`obs.xlsx [Observationer]:3`). Reading is python-calamine's (Rust);
the template workbook is written with xlsxwriter.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import pyarrow as pa
import python_calamine as calamine

from evaluation.errors import ERROR, WARNING, Problem
from evaluation.intake.formats import canonical_column
from evaluation.words import _

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
YEAR_COLUMNS = frozenset({"year", "start_year", "baseline_year", "target_year",
                          "joined_year", "left_year"})
_COMMA_NUMBER = re.compile(r"\s*-?\d[\d\s.]*,\d+\s*%?\s*")
_CELL = re.compile(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_HEADER_ROWS = 30  # a header further down than this is not looked for


@dataclass(frozen=True)
class Sheet:
    """One sheet as text: its upload name, CSV bytes, and each CSV line's sheet row."""

    name: str
    data: bytes
    rows: dict[int, int]  # line of the CSV text (1-based) -> row of the sheet (1-based)


def is_workbook(name: str, raw: bytes) -> bool:
    """A workbook by its name, or by its bytes (an .xlsx renamed .csv is still one)."""
    lower = name.lower()
    if lower.endswith(WORKBOOK_SUFFIXES):
        return True
    return raw[:4] == b"PK\x03\x04" and b"xl/" in raw[:4096]


def read_workbook(name: str, raw: bytes) -> tuple[list[Sheet], list[Problem]]:
    """The sheets with data, and problems: a workbook that cannot be opened, skipped
    (empty, hidden) sheets as warnings, merged header cells and formulas without a
    saved value as errors naming the sheet and cell."""
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as e:  # noqa: BLE001 - calamine raises its own and zip/XML errors
        return [], [Problem(name, None, "", "", _(
            "cannot open this workbook ({reason}); save it again from Excel as .xlsx, or "
            "as CSV").format(reason=str(e).splitlines()[0][:120] if str(e) else
                             type(e).__name__))]
    problems: list[Problem] = []
    sheets: list[Sheet] = []
    unsaved = _formulas_without_values(raw) if name.lower().endswith((".xlsx", ".xlsm")) else {}
    for meta in book.sheets_metadata:
        label = f"{name} [{meta.name}]"
        if str(meta.visible).rsplit(".", 1)[-1].lower() != "visible":
            problems.append(Problem(label, None, "", "", _(
                "the sheet is hidden; it is skipped"), WARNING))
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)
        if not any(any(c not in ("", None) for c in row) for row in rows):
            problems.append(Problem(label, None, "", "", _(
                "the sheet is empty; it is skipped"), WARNING))
            continue
        found = _sheet_problems(label, rows, sheet.merged_cell_ranges or [],
                                unsaved.get(meta.name, []))
        problems += found
        if not any(p.is_error for p in found):
            sheets.append(_as_csv(label, rows))
    return sheets, problems


def _header_row(rows: list[list]) -> int:
    """Index of the first row with at least two filled cells (titles above it are
    single cells), else of the first non-empty row."""
    first = None
    for i, row in enumerate(rows[:_HEADER_ROWS]):
        filled = sum(c not in ("", None) for c in row)
        if filled and first is None:
            first = i
        if filled >= 2:
            return i
    return first or 0


def _sheet_problems(label: str, rows: list[list], merged: list, unsaved: list[str]
                    ) -> list[Problem]:
    header = _header_row(rows)
    problems = []
    for (top, left), (bottom, right) in ((r[0], r[1]) for r in merged):
        if top <= header + 1 and bottom >= header:  # in the header, or below it
            cells = f"{_cell(top, left)}:{_cell(bottom, right)}"
            problems.append(Problem(label, top + 1, "", cells, _(
                "merged cells in the header ({cells}): the header must be one row with "
                "one name per column; unmerge them and write the column names in one row"
                ).format(cells=cells), ERROR))
    for ref in unsaved[:20]:
        row = int(re.sub(r"\D", "", ref))
        problems.append(Problem(label, row, "", ref, _(
            "cell {cell} holds a formula without a saved value; open the workbook in Excel, "
            "let it calculate and save it, then upload it again").format(cell=ref), ERROR))
    return problems


def _cell(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _as_csv(label: str, rows: list[list]) -> Sheet:
    """The sheet as CSV text, one line per sheet row while no cell spans lines.

    Converted column by column: a column of text stays as it is and a column of numbers
    is formatted by Arrow, so a 200,000-row sheet is not a million Python calls."""
    header = _header_row(rows)
    names = [canonical_column(str(c)) if c not in ("", None) else "" for c in rows[header]]
    widths = set(map(len, rows))
    width = max(widths, default=0)
    columns = list(zip(*(rows if len(widths) == 1 else
                         (r + [""] * (width - len(r)) for r in rows)), strict=True))
    while columns and all(v in ("", None) for v in columns[-1]):
        columns.pop()
    text = [_column_text(col, i < len(names) and names[i] in YEAR_COLUMNS, header)
            for i, col in enumerate(columns)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(zip(*text, strict=True) if text else [])
    lines: dict[int, int] = {}
    if out.getvalue().count("\n") != len(rows):  # a cell spans lines: map each line
        line = 1
        for number, row in enumerate(zip(*text, strict=True), start=1):
            lines[line] = number
            line += 1 + sum(c.count("\n") for c in row)
    return Sheet(label, out.getvalue().encode("utf-8"), lines)


def _column_text(column: tuple, year: bool, header: int) -> list[str]:
    """One column's cells as text; numbers with the decimal comma when the column's text
    cells write numbers that way (so one column never mixes two decimal marks)."""
    kinds = set(map(type, column))
    if kinds <= {str}:
        return [v.replace("\r\n", "\n").replace("\r", "\n") if "\r" in v else v
                for v in column]
    if kinds <= {float, str}:
        numbers = [v if type(v) is float else None for v in column]
        formatted = pa.array(numbers, pa.float64()).cast(pa.string()).to_pylist()
        comma = any(type(v) is str and _COMMA_NUMBER.fullmatch(v) for v in column[header + 1:])
        return [v if f is None else (f.replace(".", ",") if comma and "e" not in f else f)
                for v, f in zip(column, formatted, strict=True)]
    comma = any(type(v) is str and _COMMA_NUMBER.fullmatch(v) for v in column[header + 1:])
    return [_text(v, year, comma) for v in column]


def _text(value: object, year: bool, comma: bool) -> str:
    """A cell as the text a CSV export would hold, Excel's number exactly."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return str(value.year) if year else value.isoformat()[:10]
    if isinstance(value, time):
        return value.isoformat()
    if type(value) is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return text.replace(".", ",") if comma and "e" not in text else text
    if isinstance(value, int):
        return str(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _formulas_without_values(raw: bytes) -> dict[str, list[str]]:
    """Sheet name -> cells holding a formula but no saved value (an .xlsx written by a
    program that does not calculate, or saved with calculation switched off)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
            targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
            found: dict[str, list[str]] = {}
            for sheet, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book):
                target = targets.get(rid, "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if path not in z.namelist():
                    continue
                xml = z.read(path).decode("utf-8", "replace")
                if "<f" not in xml:
                    continue
                empty = [m.group(1) for m in _CELL.finditer(xml)
                         if m.group(2) and "<f" in m.group(2) and "<v>" not in m.group(2)]
                if empty:
                    found[_unescape(sheet)] = empty
            return found
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def template_workbook() -> bytes:
    """One workbook with a sheet per kind (header, example rows) and drop-down lists for
    the columns that take a fixed set of words."""
    import xlsxwriter  # only the template needs the writer

    from evaluation.intake.formats import KINDS, template_rows
    from evaluation.limits import ACTOR_TYPES, DIRECTIONS, PILLARS

    choices = {"pillar": PILLARS, "direction": DIRECTIONS, "actor_type": ACTOR_TYPES,
               "reverse": ("yes", "no")}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8E8E8"})
    for kind in KINDS.values():
        sheet = book.add_worksheet(kind.name[:31])
        header, rows = template_rows(kind.name)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                _write_cell(sheet, r, c, value)
        for c, column in enumerate(header):
            sheet.set_column(c, c, max(12, min(40, len(column) + 4)))
            if column in choices:
                sheet.data_validation(1, c, 5000, c, {
                    "validate": "list", "source": list(choices[column]),
                    "error_message": _("Choose one of the listed words.")})
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _write_cell(sheet, row: int, col: int, value: str) -> None:
    """Numbers as numbers (as an evaluator's own sheet holds them), the rest as text."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if value and number is not None and re.fullmatch(r"-?\d+(\.\d+)?", value):
        sheet.write_number(row, col, number)
    else:
        sheet.write_string(row, col, value)
