"""Numbers as evaluators write them, and which decimal mark each column uses.

Nordic files write "12,5" and "1.234,5", English ones "12.5" and "1,234.5"; "1.234"
and "1,234" fit both readings. So the decimal mark is decided per column from
all its cells: a comma followed by other than three digits shows decimal commas,
a dot followed by other than three digits decimal points, and a column that
shows neither takes its file's convention (semicolon files come from Excel in
Nordic locales). Most cells are read by one SQL expression (`number_sql`); the
rest, and the evidence they hold, once per distinct text in Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Protocol

import duckdb
import pyarrow as pa

from evaluation.errors import ERROR, WARNING
from evaluation.intake import arrow
from evaluation.intake.records import Records
from evaluation.words import N_, _


class Cleaner(Protocol):
    """What the number rules need of the cleaner (`cleaning.Cleaner` is one): its
    temporary tables, its file's records, and its way of reporting rows. Declared here,
    so this module does not import the module that imports it."""

    con: duckdb.DuckDBPyConnection
    records: Records
    positions: dict[str, int]

    def flag(self, where: str, column: str, message: str, *, severity: str = ERROR,
             value_col: str | None = None, params: list | None = None,
             table: str = "_typed") -> None: ...

    def rows_where(self, where: str, value_col: str | None = None, params: list | None = None,
                   table: str = "_typed") -> list[tuple]: ...

    def report(self, rows: list[tuple], column: str, message: str, severity: str = ERROR,
               detail: Callable[[tuple], str] | None = None) -> None: ...

COMMA, POINT, EITHER = ",", ".", "either"
MISSING_SYMBOLS = {".", "..", "...", ":"}  # SSB, DST, Eurostat: "not available"
DASHES = ("-", "–", "—")
_UNSIGNED = re.compile(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_GROUPED = {  # thousands groups with this separator, then maybe decimals with another mark
    " ": re.compile(r"[1-9]\d{0,2}( \d{3})+([.,]\d+)?"),
    ",": re.compile(r"[1-9]\d{0,2}(,\d{3})+(\.\d*)?"),
    ".": re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d*)?"),
}
_EITHER = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")  # 1.234 or 1,234: a decimal or a thousands mark
_DECIMAL = {COMMA: N_("decimal comma"), POINT: N_("decimal point")}


def default_mark(delimiter: str) -> str:
    """The decimal mark of a column whose cells do not show one: semicolon files come from
    Excel in Nordic locales (decimal commas); comma, tab and pipe files use points."""
    return COMMA if delimiter == ";" else POINT


def parse_number(text: str, decimal_comma: bool) -> float | None:
    """A number as evaluators write it, or None: '12,5', '1 234', '1.234,5', '45 %'.

    `decimal_comma` only decides cells that fit both readings: '1.234' is 1234 with
    decimal commas and 1.234 without; '1,234' the other way round.
    """
    t = _normalise(text)
    negative = t.startswith("-")
    body = _unseparated(t[1:] if negative else t, decimal_comma)
    if body is None or not _UNSIGNED.fullmatch(body):
        return None
    value = float(body) * (-1 if negative else 1)
    return value if math.isfinite(value) else None


def decimal_mark(text: str) -> str | None:
    """What a cell shows about its column's decimal mark: COMMA, POINT, EITHER (fits
    both, like '1.234') or None (no mark, or not a number at all)."""
    if parse_number(text, True) is None and parse_number(text, False) is None:
        return None
    t = _normalise(text).removeprefix("-")
    if " " in t:
        return COMMA if "," in t else POINT if "." in t else None
    if "," in t and "." in t:
        return COMMA if t.rfind(",") > t.rfind(".") else POINT
    for mark, shown, grouped in ((",", COMMA, POINT), (".", POINT, COMMA)):
        if mark in t:
            if t.count(mark) > 1:
                return grouped  # '1.234.567': dots group thousands, so commas are decimals
            return EITHER if _EITHER.fullmatch(t) else shown
    return None


def number_sql(col: str, mark: str, raw: str) -> str:
    """SQL reading the plain cells of a column (the rest stay NULL for `settle_numbers`)."""
    # DuckDB's cast also reads digit separators ('1_000'); those cells go the slow way.
    value = (f"CASE WHEN NOT contains({raw}, '.') AND NOT contains({raw}, '_') THEN "
             f"try_cast(replace({raw}, ',', '.') AS DOUBLE) END" if mark == COMMA else
             f"CASE WHEN NOT contains({raw}, '_') THEN try_cast({raw} AS DOUBLE) END")
    return f"CASE WHEN isfinite({value}) THEN {value} END AS {col}"


def guess_marks(cl: Cleaner, columns: list[str]) -> dict[str, str]:
    """A first guess of each column's mark, from which marks its cells hold (`_raw`).

    The guess only decides what the SQL fast path reads; `settle_numbers` checks it.
    A comma-separated file rarely quotes commas into number cells, so is not scanned.
    """
    default = default_mark(cl.records.file.delimiter)
    if cl.records.file.delimiter == "," or not columns:
        return dict.fromkeys(columns, default)
    marks = [m for _col in columns for m in (",", ".")]
    filters = ", ".join(f"count(*) FILTER (contains(c{cl.positions[c]}, ?))"
                        for c in columns for _mark in (",", "."))
    counts = cl.con.execute(f"SELECT {filters} FROM _raw", marks).fetchall()[0]
    guesses = {}
    for i, col in enumerate(columns):
        commas, dots = counts[2 * i], counts[2 * i + 1]
        guesses[col] = COMMA if commas > dots else POINT if dots > commas else default
    return guesses


def settle_numbers(cl: Cleaner, columns: list[str], guesses: dict[str, str]) -> None:
    """Decide each number column's decimal mark, read what the fast path left, report.

    A column whose cells show no mark takes the mark the file's other number
    columns show (a targets file with baseline 12.5 writes its target 1.500 with
    the same point), and only when they show none, or both, the delimiter's default.
    """
    found = {col: _column_evidence(cl, col, guesses[col]) for col in columns}
    if len(columns) > 1 and any(not any(ev.values()) for ev, _slow in found.values()):
        for col, (evidence, _slow) in found.items():  # what the plain cells show, to share
            if not any(evidence.values()):
                evidence[guesses[col]] = _fast_evidence(cl, col, guesses[col])
    shown = {m for evidence, _slow in found.values() for m in (COMMA, POINT) if evidence[m]}
    file_mark = next(iter(shown)) if len(shown) == 1 else None
    for col in columns:
        evidence, slow = found[col]
        _settle_column(cl, col, guesses[col], evidence, slow, file_mark)


def _column_evidence(cl: Cleaner, col: str, guess: str
                     ) -> tuple[dict[str, tuple[int, str] | None], list[tuple[str, int]]]:
    """The first cell showing each mark, and the texts the fast path left unread.

    Cells the fast path read can only show the guessed mark, so they are looked at
    (in SQL) only when the other cells do not settle the question.
    """
    default = default_mark(cl.records.file.delimiter)
    other = POINT if guess == COMMA else COMMA
    slow = _slow_texts(cl, col)
    evidence = _evidence(slow)
    if evidence[guess] is None and (evidence[other] is not None or guess != default):
        evidence[guess] = _fast_evidence(cl, col, guess)
    return evidence, slow


def _settle_column(cl: Cleaner, col: str, guess: str, evidence: dict[str, tuple[int, str] | None],
                   slow: list[tuple[str, int]], file_mark: str | None) -> None:
    mixed = evidence[COMMA] is not None and evidence[POINT] is not None
    if mixed:
        _report_mixed(cl, col, evidence)
        mark = guess
    else:
        default = file_mark or default_mark(cl.records.file.delimiter)
        mark = COMMA if evidence[COMMA] else POINT if evidence[POINT] else default
        if mark != guess:
            _unread_either(cl, col, guess)
            slow = _slow_texts(cl, col)
    if slow:
        _read_slow(cl, col, [t for t, _rec in slow], mark, None if mixed else evidence, guess,
                   file_mark)


def _normalise(text: str) -> str:
    t = text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    return t.removesuffix("%").strip().removeprefix("+")


def _unseparated(t: str, decimal_comma: bool) -> str | None:
    """`t` (no sign) with thousands separators removed and '.' as the decimal mark."""
    if " " in t:
        return t.replace(" ", "").replace(",", ".") if _GROUPED[" "].fullmatch(t) else None
    if "," in t and "." in t:
        thousands = "." if t.rfind(",") > t.rfind(".") else ","
        if not _GROUPED[thousands].fullmatch(t):
            return None
        return t.replace(thousands, "").replace(",", ".")
    mark = "," if "," in t else "." if "." in t else None
    if mark is None:
        return t
    if t.count(mark) > 1:
        return t.replace(mark, "") if _GROUPED[mark].fullmatch(t) else None
    if _EITHER.fullmatch(t) and (mark == ",") != decimal_comma:
        return t.replace(mark, "")
    return t.replace(",", ".")


def _slow_texts(cl: Cleaner, col: str) -> list[tuple[str, int]]:
    """Each distinct text the fast path left unread, with its first record."""
    return cl.con.execute(
        f"SELECT {col}_raw, min(rec) FROM _typed WHERE {col}_raw IS NOT NULL AND {col} IS NULL "
        "GROUP BY 1 ORDER BY 2").fetchall()


def _evidence(slow: list[tuple[str, int]]) -> dict[str, tuple[int, str] | None]:
    """The first cell (record, text) showing each decimal mark."""
    found: dict[str, tuple[int, str] | None] = {COMMA: None, POINT: None}
    for text, rec in slow:
        mark = decimal_mark(text)
        if mark in found and (found[mark] is None or rec < found[mark][0]):
            found[mark] = (rec, text)
    return found


def _fast_evidence(cl: Cleaner, col: str, guess: str) -> tuple[int, str] | None:
    """The first cell the fast path read that shows the guessed mark (not '1.234')."""
    cell = f"c{cl.positions[col]}"
    shows = f"NOT contains({cell}, '_') AND " + (
        f"contains({cell}, '.') AND isfinite(try_cast({cell} AS DOUBLE))" if guess == POINT
        else f"contains({cell}, ',') AND NOT contains({cell}, '.') AND "
             f"isfinite(try_cast(replace({cell}, ',', '.') AS DOUBLE))")
    cl.con.register("_cells", cl.records.table)
    row = cl.con.execute(
        f"SELECT rec, {cell} FROM _cells WHERE {shows} AND NOT regexp_full_match({cell}, ?) "
        "ORDER BY rec LIMIT 1", [_either_pattern(guess)]).fetchall()
    cl.con.unregister("_cells")
    return (int(row[0][0]), row[0][1]) if row else None


def _unread_either(cl: Cleaner, col: str, guess: str) -> None:
    """Hand the cells the fast path read with the wrong mark ('1.234') to the slow path."""
    cell = f"c{cl.positions[col]}"
    cl.con.register("_cells", cl.records.table)
    cl.con.execute(f"""
        UPDATE _typed SET {col} = NULL, {col}_raw = e.cell
        FROM (SELECT rec AS cell_rec, {cell} AS cell FROM _cells
              WHERE regexp_full_match({cell}, ?)) e
        WHERE _typed.rec = e.cell_rec""", [_either_pattern(guess)])
    cl.con.unregister("_cells")


def _either_pattern(mark: str) -> str:
    return r"\s*[-+]?[1-9][0-9]{0,2}" + re.escape(mark) + r"[0-9]{3}\s*"


def _read_slow(cl: Cleaner, col: str, texts: list[str], mark: str,
               evidence: dict[str, tuple[int, str] | None] | None, guess: str,
               file_mark: str | None) -> None:
    """Read each distinct leftover text once; symbols and blanks become missing."""
    blank = [t for t in texts if not t.strip() or t.strip() in MISSING_SYMBOLS]
    values = {t: parse_number(t, mark == COMMA) for t in texts if t not in blank}
    cl.con.register("_fixed", pa.table({
        "text": arrow.array(list(values), pa.string()),
        "number": arrow.array(list(values.values()), pa.float64())}))
    cl.con.execute(f"UPDATE _typed SET {col} = f.number FROM _fixed f "
                   f"WHERE _typed.{col}_raw = f.text AND _typed.{col} IS NULL")
    cl.con.unregister("_fixed")
    symbols = [t for t in blank if t.strip()]
    if symbols:
        _report_symbols(cl, col, symbols)
    if blank:
        cl.con.execute(f"UPDATE _typed SET {col}_raw = NULL WHERE {col} IS NULL AND "
                       f"list_contains(?::VARCHAR[], {col}_raw)", [blank])
    if evidence is not None:
        _report_ambiguous(cl, col, values, mark, evidence, guess, file_mark)
    if any(t.strip() in DASHES for t in texts):
        message = _("is not a number: write digits such as 12.5 or 12,5, and leave the cell "
                    "empty for missing; '-' is ambiguous: write 0 for nothing")
    else:
        message = _("is not a number: write digits such as 12.5 or 12,5, and leave the cell "
                    "empty for missing")
    cl.flag(f"{col}_raw IS NOT NULL AND {col} IS NULL", col, message, value_col=f"{col}_raw")


def _report_symbols(cl: Cleaner, col: str, symbols: list[str]) -> None:
    rows = cl.con.execute(
        f"SELECT rec, count(*) OVER () FROM _typed WHERE {col} IS NULL AND "
        f"list_contains(?::VARCHAR[], {col}_raw) ORDER BY rec LIMIT 5", [symbols]).fetchall()
    lines = cl.records.lines_of([r[0] for r in rows])
    total = rows[0][1]
    listed = ", ".join(map(str, lines))
    if total > 5:
        message = _("{n} cell(s) hold a statistics-office symbol for missing data ('..', ':'), "
                    "read as missing (lines {lines} and {more} more)").format(
                        n=total, lines=listed, more=total - 5)
    else:
        message = _("{n} cell(s) hold a statistics-office symbol for missing data ('..', ':'), "
                    "read as missing (lines {lines})").format(n=total, lines=listed)
    cl.report([(rows[0][0], "..", 1)], col, message, WARNING)


def _report_ambiguous(cl: Cleaner, col: str, values: dict[str, float | None], mark: str,
                      evidence: dict[str, tuple[int, str] | None], guess: str,
                      file_mark: str | None) -> None:
    """Warn where a cell such as '1.234' was read with its mark as a thousands separator."""
    ambiguous = [t for t, v in values.items()
                 if v is not None and decimal_mark(t) == EITHER and (COMMA in t) != (mark == COMMA)]
    if not ambiguous:
        return
    if evidence[mark] is None and mark == guess:  # an example for the message
        evidence[mark] = _fast_evidence(cl, col, guess)
    if evidence[mark] is not None:
        rec, shown = evidence[mark]
        why = _("this column uses a {mark} (see '{example}' on line {line})").format(
            mark=_(_DECIMAL[mark]), example=shown.strip(), line=cl.records.lines_of([rec])[0])
    elif file_mark == mark:
        why = _("the other number columns of this file use a {mark}").format(
            mark=_(_DECIMAL[mark]))
    elif mark == COMMA:
        why = _("no cell of this column shows its decimal mark, and semicolon files use a "
                "{mark}").format(mark=_(_DECIMAL[mark]))
    else:
        why = _("no cell of this column shows its decimal mark, and comma- and tab-separated "
                "files use a {mark}").format(mark=_(_DECIMAL[mark]))
    rows = cl.rows_where(f"list_contains(?::VARCHAR[], {col}_raw)", f"{col}_raw", [ambiguous])

    def detail(row: tuple) -> str:
        text = row[1].strip()
        meant = parse_number(text, mark != COMMA)
        swapped = text.replace(",", ".") if COMMA in text else text.replace(".", ",")
        return _("'{text}' could be {read} or {meant}: read as {read}, because {why}; if "
                 "{meant} is meant, write {swapped}").format(
            text=text, read=_show(values[row[1]]), meant=_show(meant), why=why, swapped=swapped)

    cl.report(rows, col, _("a number such as '1.234' read with its '{separator}' as a "
                           "thousands separator; check it").format(
                  separator="." if mark == COMMA else ","), WARNING, detail=detail)


def _report_mixed(cl: Cleaner, col: str, evidence: dict[str, tuple[int, str] | None]) -> None:
    (first_rec, first), (rec, text) = sorted([evidence[COMMA], evidence[POINT]])
    wide = " " + _("(in a wide file, all year columns count as one)") if (
        cl.records.source_columns is not None) else ""
    cl.report([(rec, text.strip(), 1)], col,
              _("this column mixes decimal marks: '{text}' is a number only with a {mark}, "
                "'{first}' on line {line} only with a {first_mark}, so a number such as 1.234 "
                "cannot be read safely; use one decimal mark in the whole column{wide}").format(
                  text=text.strip(), mark=_(_DECIMAL[decimal_mark(text)]), first=first.strip(),
                  line=cl.records.lines_of([first_rec])[0],
                  first_mark=_(_DECIMAL[decimal_mark(first)]), wide=wide))


def _show(value: float | None) -> str:
    return "?" if value is None else format(value, ".15g")
