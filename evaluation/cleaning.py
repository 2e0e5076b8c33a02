"""Typed columns from text cells: years, numbers, words, names; each failure a problem.

A `Cleaner` turns the parsed text table into a temp table `_typed` with, for
each column, the trimmed text (`<col>_raw`) and the typed value (`<col>`). The
common case is one vectorised SQL pass; only cells the fast path cannot read
(decimal commas with thousands separators, "1 234", "45 %") go through
`parse_number` in Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from evaluation.errors import ERROR, WARNING, Problem
from evaluation.formats import normalise_word, suggest
from evaluation.staging import Records

MIN_YEAR, MAX_YEAR = 1900, 2100
MISSING_SYMBOLS = {".", "..", "...", ":"}  # SSB, DST, Eurostat: "not available"
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_THOUSANDS = {
    " ": re.compile(r"-?\d{1,3}( \d{3})+([.,]\d+)?"),
    ",": re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?"),
    ".": re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?"),
}
_YEAR = re.compile(r"(\d{4})(?:[.,]0+)?")
MAX_LISTED = 50


def parse_number(text: str, decimal_comma: bool) -> float | None:
    """A number as evaluators write it, or None: '12,5', '1 234', '1.234,5', '45 %'."""
    t = text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    t = t.removesuffix("%").strip().removeprefix("+")
    if " " in t:
        if not _THOUSANDS[" "].fullmatch(t):
            return None
        t = t.replace(" ", "")
    if "," in t and "." in t:
        t = (t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".")
             else t.replace(",", ""))
    elif "," in t:
        if not decimal_comma and _THOUSANDS[","].fullmatch(t):
            t = t.replace(",", "")
        elif t.count(",") == 1:
            t = t.replace(",", ".")
        else:
            return None
    elif "." in t and decimal_comma and _THOUSANDS["."].fullmatch(t):
        t = t.replace(".", "")
    if not _NUMBER.fullmatch(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


@dataclass
class Cleaner:
    """Builds `_typed` from `_raw` for one file and collects its problems."""

    con: duckdb.DuckDBPyConnection
    records: Records
    positions: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    duplicates: bool = False
    _numbers: list[str] = field(default_factory=list)
    _years: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.records.file.name

    def build(self, columns: Iterable[str], *, numbers: Iterable[str] = (),
              years: Iterable[str] = (), refs: Iterable[Ref] = (),
              words: dict[str, tuple[dict[str, str], str]] | None = None,
              keys: Iterable[str] = (), lean: bool = False) -> None:
        """Create `_typed`: `<col>_raw` (clean text) for every column plus typed values.

        Columns with few distinct values (names, codes, years, words, groups) are
        mapped once per distinct value in Python, which gives Unicode-aware
        trimming and case-insensitive matching for the price of a join; numbers
        go through DuckDB's cast, with `parse_number` for what it cannot read.
        """
        columns, refs, words = list(columns), list(refs), dict(words or {})
        self._numbers = [c for c in numbers if c in self.positions]
        mappers: dict[str, Callable[[str], tuple[str | None, object]]] = {}
        for col in years:
            mappers[col] = lambda t: (clean_text(t), parse_year(t))
        for ref in refs:
            mappers[ref.column] = self._name_mapper(ref)
        for col, (mapping, _) in words.items():
            mappers[col] = lambda t, m=mapping: (clean_text(t), m.get(normalise_word(t)))
        for col in keys:
            mappers[col] = lambda t: (clean_text(t), None)
        self.con.register("_raw", self.records.table)
        selects, joins = ["r.rec"], []
        typed_names = {r.column: r.id_column for r in refs}
        self._typed_of = {c: typed_names.get(c, c) for c in [*mappers, *self._numbers]
                          if c not in keys}
        for col in columns:
            pos = self.positions.get(col)
            typed = typed_names.get(col, col)
            if pos is None:
                selects.append(f"NULL::VARCHAR AS _t_{col}")
                if col in self._typed_of:
                    selects.append(f"NULL AS {typed}")
            elif col in mappers:
                as_int = col in years or col in typed_names
                self._register_map(col, pos, mappers[col], pa.int64() if as_int else pa.string())
                joins.append(f"LEFT JOIN _map_{col} m_{col} ON r.c{pos} = m_{col}.raw")
                selects.append(f"m_{col}.clean AS _t_{col}")
                if col not in keys:
                    selects.append(f"m_{col}.typed AS {typed}")
            elif col in self._numbers:
                selects.append(f"nullif(r.c{pos}, '') AS _t_{col}")
            else:
                selects.append(f"nullif(trim(r.c{pos}), '') AS _t_{col}")
        decimal_comma = self._decimal_comma()
        selects += [_number_sql(c, decimal_comma, f"_t_{c}") for c in self._numbers]
        # Lean: a typed cell keeps its text only when it could not be typed (messages need
        # it then); a million well-formed cells are not copied as text once more.
        texts = [f"CASE WHEN {self._typed_of[c]} IS NULL THEN _t_{c} END AS {c}_raw"
                 if lean and c in self._typed_of else f"_t_{c} AS {c}_raw" for c in columns]
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _typed AS
            SELECT * EXCLUDE ({", ".join(f"_t_{c}" for c in columns)}), {", ".join(texts)}
            FROM (SELECT {", ".join(selects)} FROM _raw r {" ".join(joins)})
            WHERE NOT ({_blank(columns, self._numbers, "_t_")})
        """)
        self.con.unregister("_raw")
        for col in mappers:
            self.con.unregister(f"_map_{col}")
        self._report_typed(years, refs, words)
        for col in self._numbers:
            self._fix_slow_numbers(col, decimal_comma)

    def _name_mapper(self, ref: Ref) -> Callable[[str], tuple[str | None, object]]:
        rows = self.con.execute(
            f"SELECT {ref.id_column}, {ref.name_column} FROM {ref.table} WHERE valid_to IS NULL"
        ).fetchall()
        ids = {name_key(name): i for i, name in rows}
        return lambda t: (clean_text(t), ids.get(name_key(t)))

    def _register_map(self, col: str, pos: int, mapper: Callable,
                      typed_type: pa.DataType) -> None:
        """`_map_<col>`: each distinct cell text -> (clean text, typed value)."""
        distinct = self.con.execute(
            f"SELECT DISTINCT c{pos} FROM _raw WHERE c{pos} <> ''").fetchall()
        raws = [r[0] for r in distinct]
        mapped = [mapper(r) for r in raws]
        self.con.register(f"_map_{col}", pa.table({
            "raw": pa.array(raws, pa.string()),
            "clean": pa.array([m[0] for m in mapped], pa.string()),
            "typed": pa.array([m[1] for m in mapped], typed_type)}))

    def _report_typed(self, years: Iterable[str], refs: list[Ref],
                      words: dict[str, tuple[dict[str, str], str]]) -> None:
        for col in years:
            if col in self.positions:
                self.flag(f"{col}_raw IS NOT NULL AND {col} IS NULL", col,
                          f"is not a year: write four digits between {MIN_YEAR} and "
                          f"{MAX_YEAR}, e.g. 2019", value_col=f"{col}_raw")
        for ref in refs:
            if ref.must_exist and ref.column in self.positions:
                self._report_unknown(ref)
        for col, (mapping, what) in words.items():
            if col in self.positions:
                self._report_words(col, sorted(set(mapping.values())), what)

    def _report_unknown(self, ref: Ref) -> None:
        rows = self.con.execute(f"""
            SELECT {ref.column}_raw, min(rec), count(*) FROM _typed
            WHERE {ref.column}_raw IS NOT NULL AND {ref.id_column} IS NULL
            GROUP BY 1 ORDER BY 2 LIMIT {MAX_LISTED}""").fetchall()
        if not rows:
            return
        known = [r[0] for r in self.con.execute(
            f"SELECT {ref.name_column} FROM {ref.table} WHERE valid_to IS NULL").fetchall()]
        lines = self.records.lines_of([r[1] for r in rows])
        for (name, _, count), line in zip(rows, lines, strict=True):
            unit = "cells" if self.records.source_rows is not None else "rows"
            more = f" (and in {count - 1:,} more {unit})" if count > 1 else ""
            self.problems.append(Problem(
                self.file, line, ref.column, name,
                f"unknown {ref.column} '{name}'{suggest(name, known)}: check the spelling, or "
                f"add the {ref.column} first (in the {ref.table} file){more}"))

    def _report_words(self, col: str, choices: list[str], what: str) -> None:
        rows = self.con.execute(
            f"SELECT DISTINCT {col}_raw FROM _typed WHERE {col}_raw IS NOT NULL AND {col} IS NULL"
        ).fetchall()
        for (word,) in rows:
            self.flag(f"{col}_raw = ?", col,
                      f"unknown {what} '{word}'{suggest(word, choices)}; use one of: "
                      f"{', '.join(choices)}", params=[word], value_col=f"{col}_raw")

    def _decimal_comma(self) -> bool:
        """Files from Nordic Excel use ';' and decimal commas; decided once per file."""
        if self.records.file.delimiter == "," or not self._numbers:
            return False
        cells = " OR ".join(f"contains(c{self.positions[c]}, ',')" for c in self._numbers
                            if c in self.positions)
        if not cells:
            return False
        return bool(self.con.execute(f"SELECT count(*) FROM _raw WHERE {cells}").fetchone()[0])

    def _fix_slow_numbers(self, col: str, decimal_comma: bool) -> None:
        slow = self.con.execute(
            f"SELECT rec, {col}_raw FROM _typed WHERE {col}_raw IS NOT NULL AND {col} IS NULL"
        ).fetchall()
        if slow:
            self._fix_numbers(col, slow, decimal_comma)

    def _fix_numbers(self, col: str, rows: list[tuple[int, str]], decimal_comma: bool) -> None:
        blank = [r for r, text in rows if not text.strip()]
        if blank:
            self.con.execute(
                f"UPDATE _typed SET {col}_raw = NULL WHERE rec IN ({','.join(map(str, blank))})")
            rows = [(r, text) for r, text in rows if text.strip()]
        fixed = [(r, parse_number(text, decimal_comma)) for r, text in rows]
        table = pa.table({"r": [r for r, _ in fixed], "v": [v for _, v in fixed]})
        self.con.register("_fixed", table)
        self.con.execute(f"UPDATE _typed SET {col} = v FROM _fixed WHERE rec = r")
        self.con.unregister("_fixed")
        symbols = [r for r, text in rows if text in MISSING_SYMBOLS]
        if symbols:
            self.con.execute(
                f"UPDATE _typed SET {col}_raw = NULL WHERE rec IN ({','.join(map(str, symbols))})")
            lines = self.records.lines_of(symbols[:5])
            more = f" and {len(symbols) - 5} more" if len(symbols) > 5 else ""
            self.problems.append(Problem(
                self.file, lines[0], self.records.column_of(symbols[0]) or col, "..",
                f"{len(symbols)} cell(s) hold a statistics-office symbol for missing data "
                f"('..', ':'), read as missing (lines {', '.join(map(str, lines))}{more})",
                WARNING))
        self.flag(
            f"{col}_raw IS NOT NULL AND {col} IS NULL", col,
            "is not a number: write digits such as 12.5 or 12,5, and leave the cell empty "
            "for missing" + ("; '-' is ambiguous: write 0 for nothing" if any(
                t.strip() in ("-", "–", "—") for _, t in rows) else ""),
            value_col=f"{col}_raw")

    def empty(self, col: str) -> str:
        """SQL: the cell in `col` was empty (neither text nor a typed value)."""
        typed = getattr(self, "_typed_of", {}).get(col)
        return f"{col}_raw IS NULL" + (f" AND {typed} IS NULL" if typed else "")

    def required(self, columns: Iterable[str]) -> None:
        for col in columns:
            self.flag(self.empty(col), col, f"{col} is empty: every row needs one")

    def flag(self, where: str, column: str, message: str, *, severity: str = ERROR,
             value_col: str | None = None, params: list | None = None,
             table: str = "_typed") -> None:
        """Report every row matching `where` (first MAX_LISTED one by one, then a count)."""
        value = value_col or "NULL"
        rows = self.con.execute(
            f"SELECT rec, {value}::VARCHAR, count(*) OVER () FROM {table} "
            f"WHERE {where} ORDER BY rec LIMIT {MAX_LISTED}", params or []).fetchall()
        self.report(rows, column, message, severity)

    def report(self, rows: list[tuple], column: str, message: str, severity: str = ERROR) -> None:
        """Problems for `(rec, value, total)` rows; beyond MAX_LISTED one summary line."""
        if not rows:
            return
        lines = self.records.lines_of([r[0] for r in rows])
        for row, line in zip(rows, lines, strict=True):
            where = (self.records.column_of(row[0]) if column == "value" else None) or column
            self.problems.append(Problem(self.file, line, where, row[1] or "", message, severity))
        total = rows[0][2]
        if total > len(rows):
            self.problems.append(Problem(
                self.file, None, column, "",
                f"... and {total - len(rows):,} more rows with the same problem: {message}",
                severity))

    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


@dataclass(frozen=True)
class Ref:
    """A column naming a partnership or indicator, resolved to its id (case-insensitive)."""

    column: str
    table: str
    id_column: str
    name_column: str
    must_exist: bool = True

    @property
    def alias(self) -> str:
        return f"_ref_{self.column}"


PARTNERSHIP = Ref("partnership", "partnerships", "partnership_id", "name")
INDICATOR = Ref("indicator", "indicators", "indicator_id", "code")


def clean_text(text: str) -> str | None:
    """Trimmed, with runs of whitespace (non-breaking spaces too) as one space; None if empty."""
    cleaned = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    return cleaned or None


def name_key(text: str) -> str:
    """How names and codes are matched: ignoring case and surrounding spaces."""
    return (clean_text(text) or "").casefold()


def parse_year(text: str) -> int | None:
    """A calendar year written as 2019 (or 2019.0 by a spreadsheet), else None."""
    match = _YEAR.fullmatch(text.strip())
    year = int(match.group(1)) if match else None
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def _number_sql(col: str, decimal_comma: bool, raw: str | None = None) -> str:
    raw = raw or f"{col}_raw"
    value = (f"CASE WHEN NOT contains({raw}, '.') THEN try_cast(replace({raw}, ',', '.') "
             "AS DOUBLE) END" if decimal_comma else f"try_cast({raw} AS DOUBLE)")
    return f"CASE WHEN isfinite({value}) THEN {value} END AS {col}"


def _blank(columns: Iterable[str], numbers: Iterable[str] = (), prefix: str = "") -> str:
    """A row is blank when every cell is empty (number cells holding only spaces too)."""
    numbers = set(numbers)
    text = (lambda c: f"{prefix}{c}") if prefix else (lambda c: f"{c}_raw")
    parts = [f"({text(c)} IS NULL OR trim({text(c)}) = '')" if c in numbers
             else f"{text(c)} IS NULL" for c in columns]
    return " AND ".join(parts) or "false"
