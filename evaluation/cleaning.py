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
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pandas as pd
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

    def build(self, columns: Iterable[str], numbers: Iterable[str] = (),
              years: Iterable[str] = (), refs: Iterable[Ref] = ()) -> None:
        """Create `_typed` in one pass: `<col>_raw` text for every column, typed years and
        numbers (fast path), and the ids of referenced partnerships and indicators."""
        columns, refs = list(columns), list(refs)
        self._numbers, self._years = list(numbers), list(years)
        self.con.register("_raw", self.records.table)
        texts = ["rec"]
        for col in columns:
            pos = self.positions.get(col)
            text = f"nullif(trim(c{pos}, ' \t\u00a0'), '')" if pos is not None else "NULL"
            texts.append(f"{text}::VARCHAR AS {col}_raw")
        decimal_comma = self._decimal_comma()
        typed = [_year_sql(c) for c in self._years]
        typed += [_number_sql(c, decimal_comma) for c in self._numbers]
        typed += [f"{r.alias}.id AS {r.id_column}" for r in refs]
        joins = "".join(
            f" LEFT JOIN (SELECT {r.id_column} AS id, lower({r.name_column}) AS k FROM {r.table}"
            f" WHERE valid_to IS NULL) {r.alias} ON lower(t.{r.column}_raw) = {r.alias}.k"
            for r in refs)
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _typed AS
            SELECT t.*{"".join(", " + x for x in typed)}
            FROM (SELECT {", ".join(texts)} FROM _raw) t {joins}
            WHERE NOT ({_blank(columns)})
        """)
        self.con.unregister("_raw")
        for col in self._years:
            self.flag(f"{col}_raw IS NOT NULL AND {col} IS NULL", col,
                      f"is not a year: write four digits between {MIN_YEAR} and {MAX_YEAR}, "
                      "e.g. 2019", value_col=f"{col}_raw")
        for col in self._numbers:
            self._fix_slow_numbers(col, decimal_comma)
        for ref in refs:
            if ref.must_exist:
                self._report_unknown(ref)

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
            more = f" (also on {count - 1:,} later lines)" if count > 1 else ""
            self.problems.append(Problem(
                self.file, line, ref.column, name,
                f"unknown {ref.column} '{name}'{suggest(name, known)}: check the spelling, or "
                f"add it with a {ref.table} file first{more}"))

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
                self.file, lines[0], col, "..",
                f"{len(symbols)} cell(s) hold a statistics-office symbol for missing data "
                f"('..', ':'), read as missing (lines {', '.join(map(str, lines))}{more})",
                WARNING))
        self.flag(
            f"{col}_raw IS NOT NULL AND {col} IS NULL", col,
            "is not a number: write digits such as 12.5 or 12,5, and leave the cell empty "
            "for missing" + ("; '-' is ambiguous: write 0 for nothing" if any(
                t.strip() in ("-", "–", "—") for _, t in rows) else ""),
            value_col=f"{col}_raw")

    def word(self, col: str, words: dict[str, str], what: str) -> None:
        """Map a controlled word (pillar, direction) through `words`; unknown is an error."""
        raw = self.con.execute(f"SELECT DISTINCT {col}_raw FROM _typed WHERE {col}_raw IS NOT NULL"
                               ).fetchall()
        mapping = pd.DataFrame(
            {"w": [r[0] for r in raw],
             "m": [words.get(normalise_word(r[0])) for r in raw]}, dtype="object")
        self.con.execute(f"ALTER TABLE _typed ADD COLUMN {col} VARCHAR")
        self.con.register("_words", mapping)
        self.con.execute(f"UPDATE _typed SET {col} = m FROM _words WHERE {col}_raw = w")
        self.con.unregister("_words")
        choices = sorted(set(words.values()))
        for (word,) in raw:
            if words.get(normalise_word(word)) is None:
                self.flag(f"{col}_raw = ?", col,
                          f"unknown {what} '{word}'{suggest(word, choices)}; use one of: "
                          f"{', '.join(choices)}", params=[word], value_col=f"{col}_raw")

    def required(self, columns: Iterable[str]) -> None:
        for col in columns:
            self.flag(f"{col}_raw IS NULL", col, f"{col} is empty: every row needs one")

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


def _year_sql(col: str) -> str:
    raw = f"{col}_raw"
    as_int = (f"coalesce(try_cast({raw} AS INTEGER), CASE WHEN try_cast({raw} AS DOUBLE) = "
              f"round(try_cast({raw} AS DOUBLE)) THEN try_cast(try_cast({raw} AS DOUBLE) AS "
              "INTEGER) END)")
    return f"CASE WHEN {as_int} BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {as_int} END AS {col}"


def _number_sql(col: str, decimal_comma: bool) -> str:
    raw = f"{col}_raw"
    value = (f"CASE WHEN NOT contains({raw}, '.') THEN try_cast(replace({raw}, ',', '.') "
             "AS DOUBLE) END" if decimal_comma else f"try_cast({raw} AS DOUBLE)")
    return f"CASE WHEN isfinite({value}) THEN {value} END AS {col}"


def _blank(columns: Iterable[str]) -> str:
    return " AND ".join(f"{c}_raw IS NULL" for c in columns) or "false"
