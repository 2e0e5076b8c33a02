"""Typed columns from text cells: years, numbers, words, names; each failure a problem.

A `Cleaner` turns the parsed text table into a temp table `_typed` with, for
each column, the trimmed text (`<col>_raw`) and the typed value (`<col>`). The
common case is one vectorised SQL pass; number cells the fast path cannot read
("1 234", "45 %", a decimal mark the column does not use) go through `numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from evaluation.errors import ERROR, Problem
from evaluation.intake import arrow
from evaluation.intake.formats import normalise_word
from evaluation.intake.numbers import guess_marks, number_sql, settle_numbers
from evaluation.intake.records import Records
from evaluation.limits import MAX_CHARS, MAX_YEAR, MIN_YEAR, MULTILINE
from evaluation.text import CONTROL_CHARS_SQL, clean_text, name_key, suggest
from evaluation.words import _

_YEAR = re.compile(r"(\d{4})(?:[.,]0+)?")
MAX_LISTED = 50


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
        trimming and case-insensitive matching for the price of a join; `keys`
        columns get `<col>_key`, matched like names. Numbers go through DuckDB's
        cast, with `numbers.settle_numbers` for what it cannot read.

        Long because it assembles one SQL statement column by column; one statement is
        what keeps a million-row file fast.
        """
        columns, refs, words = list(columns), list(refs), dict(words or {})
        self._numbers = [c for c in numbers if c in self.positions]
        mappers: dict[str, Callable[[str], tuple[str | None, object]]] = {}
        for col in years:
            mappers[col] = lambda t: (clean_text(t), parse_year(t))
        for ref in refs:
            mappers[ref.column] = self._name_mapper(ref)
        for col, (mapping, _what) in words.items():
            mappers[col] = lambda t, m=mapping: (clean_text(t), m.get(normalise_word(t)))
        for col in keys:
            mappers[col] = lambda t: (clean_text(t), name_key(t) or None)
        self.con.register("_raw", self.records.table)
        guesses = guess_marks(self, self._numbers)
        selects, joins = ["r.rec"], []
        typed_names = {r.column: r.id_column for r in refs} | {k: f"{k}_key" for k in keys}
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
                as_int = col in years or (col in typed_names and col not in keys)
                self._register_map(col, pos, mappers[col], pa.int64() if as_int else pa.string())
                joins.append(f"LEFT JOIN _map_{col} m_{col} ON r.c{pos} = m_{col}.raw")
                selects.append(f"m_{col}.clean AS _t_{col}")
                selects.append(f"m_{col}.typed AS {typed}")
            elif col in self._numbers:
                selects.append(f"nullif(r.c{pos}, '') AS _t_{col}")
            elif col in MULTILINE:  # line ends as LF, whatever the file used
                selects.append(f"nullif(trim(regexp_replace(r.c{pos}, '\\r\\n?', chr(10), 'g')),"
                               f" '') AS _t_{col}")
            else:  # one line: line breaks and tabs (an Excel Alt+Enter) become spaces
                selects.append(f"nullif(trim(regexp_replace(r.c{pos}, '[\\t\\n\\r]+', ' ', "
                               f"'g')), '') AS _t_{col}")
        selects += [number_sql(c, guesses[c], f"_t_{c}") for c in self._numbers]
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
        self._report_texts([c for c in columns if c in self.positions
                            and c not in self._numbers and c not in years])
        settle_numbers(self, self._numbers, guesses)

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
            "raw": arrow.array(raws, pa.string()),
            "clean": arrow.array([m[0] for m in mapped], pa.string()),
            "typed": arrow.array([m[1] for m in mapped], typed_type)}))

    def _report_typed(self, years: Iterable[str], refs: list[Ref],
                      words: dict[str, tuple[dict[str, str], str]]) -> None:
        for col in years:
            if col in self.positions:
                self.flag(f"{col}_raw IS NOT NULL AND {col} IS NULL", col,
                          _("is not a year: write four digits between {low} and {high}, "
                            "e.g. 2019").format(low=MIN_YEAR, high=MAX_YEAR),
                          value_col=f"{col}_raw")
        for ref in refs:
            if ref.must_exist and ref.column in self.positions:
                self._report_unknown(ref)
        for col, (mapping, what) in words.items():
            if col in self.positions:
                self._report_words(col, sorted(set(mapping.values())), what)

    def _report_texts(self, columns: list[str]) -> None:
        """Control characters anywhere, and texts longer than charts and reports can show."""
        for col in columns:
            self.flag(f"regexp_matches({col}_raw, {CONTROL_CHARS_SQL})", col,
                      _("contains a control character, which no chart, report or spreadsheet "
                        "can show; remove it (it often comes from copying out of another "
                        "program)"), value_col=f"{col}_raw")
            limit = MAX_CHARS.get(col)
            if limit:
                self.flag(f"length({col}_raw) > {int(limit)}", col,
                          _("is too long: at most {limit:,} characters fit in the charts and "
                            "the annual report; shorten it").format(limit=limit),
                          value_col=characters_sql(f"{col}_raw"))

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
        for (name, _rec, count), line in zip(rows, lines, strict=True):
            more = ""
            if count > 1 and self.records.source_rows is not None:
                more = " " + _("(and in {n:,} more cells)").format(n=count - 1)
            elif count > 1:
                more = " " + _("(and in {n:,} more rows)").format(n=count - 1)
            self.problems.append(Problem(
                self.file, line, ref.column, name,
                _("unknown {column} '{name}'{hint}: check the spelling, or add the {column} "
                  "first (in the {table} file){more}").format(
                    column=ref.column, name=name, hint=suggest(name, known), table=ref.table,
                    more=more)))

    def _report_words(self, col: str, choices: list[str], what: str) -> None:
        rows = self.con.execute(
            f"SELECT DISTINCT {col}_raw FROM _typed WHERE {col}_raw IS NOT NULL AND {col} IS NULL"
        ).fetchall()
        for (word,) in rows:
            self.flag(f"{col}_raw = ?", col,
                      _("unknown {what} '{word}'{hint}; use one of: {choices}").format(
                          what=what, word=word, hint=suggest(word, choices),
                          choices=", ".join(choices)),
                      params=[word], value_col=f"{col}_raw")

    def empty(self, col: str) -> str:
        """SQL: the cell in `col` was empty (neither text nor a typed value)."""
        typed = getattr(self, "_typed_of", {}).get(col)
        return f"{col}_raw IS NULL" + (f" AND {typed} IS NULL" if typed else "")

    def required(self, columns: Iterable[str]) -> None:
        for col in columns:
            self.flag(self.empty(col), col,
                      _("{column} is empty: every row needs one").format(column=col))

    def flag(self, where: str, column: str, message: str, *, severity: str = ERROR,
             value_col: str | None = None, params: list | None = None,
             table: str = "_typed") -> None:
        """Report every row matching `where` (first MAX_LISTED one by one, then a count)."""
        self.report(self.rows_where(where, value_col, params, table), column, message, severity)

    def rows_where(self, where: str, value_col: str | None = None, params: list | None = None,
                   table: str = "_typed") -> list[tuple]:
        """`(rec, value, total)` of the first MAX_LISTED rows matching `where`."""
        value = value_col or "NULL"
        return self.con.execute(
            f"SELECT rec, {value}::VARCHAR, count(*) OVER () FROM {table} "
            f"WHERE {where} ORDER BY rec LIMIT {MAX_LISTED}", params or []).fetchall()

    def report(self, rows: list[tuple], column: str, message: str, severity: str = ERROR,
               detail: Callable[[tuple], str] | None = None) -> None:
        """Problems for `(rec, value, total)` rows (`detail` words each one); beyond
        MAX_LISTED one summary line."""
        if not rows:
            return
        lines = self.records.lines_of([r[0] for r in rows])
        for row, line in zip(rows, lines, strict=True):
            where = (self.records.column_of(row[0]) if column == "value" else None) or column
            self.problems.append(Problem(self.file, line, where, row[1] or "",
                                         detail(row) if detail else message, severity))
        total = rows[0][2]
        if total > len(rows):
            self.problems.append(Problem(
                self.file, None, column, "",
                _("... and {n:,} more rows with the same problem: {message}").format(
                    n=total - len(rows), message=message),
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


def parse_year(text: str) -> int | None:
    """A calendar year written as 2019 (or 2019.0 by a spreadsheet), else None."""
    match = _YEAR.fullmatch(text.strip())
    year = int(match.group(1)) if match else None
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def sql_text(template: str, **exprs: str) -> str:
    """SQL concatenating a (translated) message: its text as string literals, each
    `{name}` placeholder as the SQL expression `exprs[name]`."""
    parts = re.split(r"\{(\w+)\}", template)
    sql = [exprs[part] if i % 2 else "'" + part.replace("'", "''") + "'"
           for i, part in enumerate(parts) if i % 2 or part]
    return " || ".join(sql) or "''"


def characters_sql(column: str) -> str:
    """SQL: the length of a text column as a message value ('1,234 characters')."""
    return sql_text(_("{count} characters"), count=f"format('{{:,}}', length({column}))")


def _blank(columns: Iterable[str], numbers: Iterable[str] = (), prefix: str = "") -> str:
    """A row is blank when every cell is empty (number cells holding only spaces too)."""
    numbers = set(numbers)
    text = (lambda c: f"{prefix}{c}") if prefix else (lambda c: f"{c}_raw")
    parts = [f"({text(c)} IS NULL OR trim({text(c)}) = '')" if c in numbers
             else f"{text(c)} IS NULL" for c in columns]
    return " AND ".join(parts) or "false"
