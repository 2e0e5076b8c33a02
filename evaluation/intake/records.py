"""Parsing a decoded file into an Arrow table of text cells, with exact line numbers.

The fast path is pyarrow's multi-threaded CSV reader (a million rows in a
fraction of a second). Line numbers as a spreadsheet shows them are only
needed when something is wrong, so Python's `csv` module walks the file then,
and also takes over parsing when pyarrow rejected rows (ragged Excel rows,
whitespace-only lines) so both always agree on which record is which line.
A wide file's year columns become long rows here too (`wide_to_long`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from evaluation.errors import ERROR, Problem
from evaluation.intake import arrow
from evaluation.intake.textfile import MAX_CELL_CHARS, TextFile
from evaluation.words import _


@dataclass
class Records:
    """The data rows of one file as text columns `c0..cN`, plus a `rec` index."""

    table: pa.Table
    file: TextFile
    problems: list[Problem] = field(default_factory=list)
    _lines: np.ndarray | None = None
    source_rows: np.ndarray | None = None  # wide files: long record -> file record
    source_columns: np.ndarray | None = None  # wide files: long record -> column position
    places: list[str] | None = None  # a statistics table's cells: which categories

    def column_of(self, rec: int) -> str | None:
        """The header of the cell a record came from (wide files), the categories of a
        statistics table's cell, else None."""
        if self.places is not None:
            return self.places[rec]
        if self.source_columns is None:
            return None
        return self.file.header[int(self.source_columns[rec])]

    def lines_of(self, recs: list[int] | np.ndarray) -> list[int]:
        """Physical line numbers (header = its own line) of the given record indexes."""
        if self.source_rows is not None:
            recs = self.source_rows[np.asarray(recs, dtype=np.int64)]
        if self._lines is None:
            # Where each record starts, from the bytes (numpy, a million lines in tens of
            # ms); Python's csv walk only when quotes make that uncertain.
            lines = _record_lines(self.file, self.table.num_rows)
            if lines is None:
                lines = _scan(self.file).lines
            if len(lines) != self.table.num_rows:
                raise LinesMismatch(self.file.name)
            self._lines = lines
        return [int(self._lines[r]) for r in recs]


class LinesMismatch(Exception):
    """pyarrow and Python's csv read a different number of records: parse exactly instead."""


@dataclass
class _Scan:
    lines: np.ndarray
    rows: list[list[str]]
    problems: list[Problem]


def parse_records(tf: TextFile, exact: bool = False) -> Records:
    """Parse the rows after the header into text columns (`exact`: Python's csv only)."""
    names = [f"c{i}" for i in range(len(tf.header))]
    if exact:
        return _from_scan(tf, names)
    start = _body_start(tf)
    quoted = tf.data.find(b'"', start) >= 0
    if quoted and tf.data.count(b'"', start) % 2:
        return _from_scan(tf, names)  # a quote may never close: find where, exactly
    rejected: list[int] = []
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(memoryview(tf.data)[start:])),
            read_options=pacsv.ReadOptions(column_names=names, block_size=4 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=tf.delimiter, quote_char='"', double_quote=True,
                newlines_in_values=quoted, ignore_empty_lines=True,
                invalid_row_handler=lambda row: rejected.append(1) or "skip",
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        table = None
    if table is None or rejected or _longest_cell(table) > MAX_CELL_CHARS:
        return _from_scan(tf, names)
    table = table.append_column("rec", arrow.numbers(np.arange(table.num_rows, dtype=np.int32)))
    return Records(table, tf)


def _record_lines(tf: TextFile, expected: int) -> np.ndarray | None:
    """The physical line each record starts on, as pyarrow read them (empty lines
    skipped, a quoted cell may hold line breaks): None when the count does not match
    `expected`, and the exact walk must decide."""
    start = _body_start(tf)
    body = memoryview(tf.data)[start:]
    if tf.data.find(b'"', start) < 0:
        # No quote: as many lines as records means no empty line either (pyarrow skips
        # those), so record i is line i of the body (most files).
        lines = tf.data.count(b"\n", start) + (0 if tf.data.endswith(b"\n") else 1)
        if lines == expected:
            return np.arange(expected, dtype=np.int64) + 1 + tf.header_line
    raw = np.frombuffer(body, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    if breaks.size == 0 or breaks[-1] != raw.size - 1:
        breaks = np.append(breaks, raw.size)  # the last line has no line break
    quotes = raw == 34
    if quotes.any():  # a break inside quotes (an odd count before it) ends no record
        before = np.cumsum(quotes)[np.minimum(breaks, raw.size - 1)] - quotes[
            np.minimum(breaks, raw.size - 1)]
        record_ends = breaks[before % 2 == 0]
    else:
        record_ends = breaks
    begins = np.concatenate(([0], record_ends[:-1] + 1))
    length = record_ends - begins
    carriage = (length == 1) & (raw[np.minimum(begins, raw.size - 1)] == 13)
    kept = (length > 0) & ~carriage  # pyarrow skips empty lines
    if int(kept.sum()) != expected:
        return None
    first_line = np.searchsorted(breaks, begins[kept]) if quotes.any() else np.flatnonzero(kept)
    return (first_line + 1 + tf.header_line).astype(np.int64)


def _longest_cell(table: pa.Table) -> int:
    """Bytes in the longest cell: an upper bound on its characters, cheap to get; when it is
    over the limit the exact parser measures characters and names the line."""
    lengths = [pc.max(pc.binary_length(table.column(n))).as_py() for n in table.column_names]
    return max((n for n in lengths if n is not None), default=0)


def _body_start(tf: TextFile) -> int:
    """Where the bytes after the header line start."""
    pos = 0
    for _unused in range(tf.header_line):
        nl = tf.data.find(b"\n", pos)
        if nl < 0:
            return len(tf.data)
        pos = nl + 1
    return pos


def _from_scan(tf: TextFile, names: list[str]) -> Records:
    scan = _scan(tf)
    columns = list(zip(*scan.rows, strict=True)) if scan.rows else [() for _unused in names]
    arrays = [pa.array(col, type=pa.string()) for col in columns]
    arrays.append(pa.array(np.arange(len(scan.rows), dtype=np.int32)))
    table = pa.Table.from_arrays(arrays, names=[*names, "rec"])
    return Records(table, tf, list(scan.problems), scan.lines)


def _scan(tf: TextFile) -> _Scan:
    """Walk the file with Python's csv module: exact lines, ragged rows, bad quoting.

    Long because lines, rows and problems are tracked together in one pass over the file.
    """
    width = len(tf.header)
    # Huge cells are read whole, to be reported as too long rather than as bad quoting
    # (set here, not on import: importing a module changes nothing in the process).
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    text = tf.data[_body_start(tf):].decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=tf.delimiter)
    lines: list[int] = []
    rows: list[list[str]] = []
    problems: list[Problem] = []
    previous_end, last_span = 0, 0
    while True:
        start = previous_end + 1 + tf.header_line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            message = _("cannot read this line ({error}); check its quotes").format(error=e)
            problems.append(Problem(tf.name, start, "", "", message, ERROR))
            break
        end = reader.line_num
        last_span = end - previous_end
        if row:
            fitted, message = _fit(row, width, end - previous_end)
            if fitted is None:
                problems.append(Problem(tf.name, start, "", "", message, ERROR))
            else:
                lines.append(start)
                rows.append(fitted)
        previous_end = end
    unclosed = tf.data.count(b'"', _body_start(tf)) % 2 and _ends_in_open_quote(
        text, tf.delimiter)
    if rows and lines and lines[-1] == start - last_span and unclosed:
        problems.append(Problem(
            tf.name, lines.pop(), "", "", _("a quote (\") opened on this line is never closed, "
                                            "so the rest of the file was read as one cell; close "
                                            "or remove the quote"), ERROR))
        rows.pop()
    return _Scan(np.asarray(lines, dtype=np.int64), rows, problems)


def _ends_in_open_quote(text: str, delimiter: str) -> bool:
    """Whether the text ends inside a quoted field (a quote opened and never closed)."""
    inside, at_field_start = False, True
    for ch in text:
        if inside:
            if ch == '"':
                inside = False  # a doubled "" reopens on the next quote, which is fine
        elif ch == '"' and at_field_start:
            inside = True
        at_field_start = not inside and ch in (delimiter, "\n", "\r")
    return inside


def _fit(row: list[str], width: int, spans: int) -> tuple[list[str] | None, str]:
    """Pad short rows and drop empty extra cells (Excel pads ragged rows), or say why not."""
    if spans > 1 and len(row) != width:
        return None, _(
            "this row runs over {spans} lines, which usually means a quote (\") that is "
            "never closed; close or remove the quote").format(spans=spans)
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        return None, _(
            "this row has {cells} cells but the header has {width} columns; check for a "
            "stray delimiter or remove the extra cells").format(cells=len(row), width=width)
    row = row[:width] + [""] * (width - len(row))
    longest = max(len(cell) for cell in row)
    if longest > MAX_CELL_CHARS:
        return None, _(
            "a cell is {length:,} characters long; at most {limit:,} are allowed").format(
                length=longest, limit=MAX_CELL_CHARS)
    return row, ""


def wide_to_long(records: Records, year_columns: dict[int, int],
                 positions: dict[str, int]) -> tuple[Records, dict[str, int]]:
    """One long row per non-empty year cell of a wide file, remembering its row and column."""
    table = records.table
    keep = [c for c in ("partnership", "indicator", "group", "source", "note") if c in positions]
    names = [f"c{i}" for i in range(len(keep) + 2)]
    parts, rows, cols = [], [], []
    for year, pos in sorted(year_columns.items()):
        cells = table.column(f"c{pos}")
        part = table.filter(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(cells)), 0))
        arrays = [part.column(f"c{positions[c]}") for c in keep]
        arrays += [pa.array([str(year)] * part.num_rows, pa.string()), part.column(f"c{pos}")]
        parts.append(pa.Table.from_arrays(arrays, names=names))
        rows.append(part.column("rec").to_numpy())
        cols.append(np.full(part.num_rows, pos, dtype=np.int64))
    long = (pa.concat_tables(parts) if parts
            else pa.table({n: pa.array([], pa.string()) for n in names}))
    long = long.append_column("rec", pa.array(np.arange(long.num_rows, dtype=np.int64)))
    source_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    source_columns = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    result = Records(long, records.file, records.problems, records._lines, source_rows,
                     source_columns)
    return result, {c: i for i, c in enumerate([*keep, "year", "value"])}
