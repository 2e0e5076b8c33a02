"""Turning an uploaded file's bytes into clean UTF-8 text with a known dialect.

Evaluators' files come from Excel and statistics offices: UTF-8 with or without
a BOM, UTF-16 ("Unicode text"), Windows-1252/Latin-1, comma, semicolon or tab
delimited, sometimes with title lines above the header. DuckDB's reader only
knows a few encodings and cannot tell a decimal comma from a delimiter, so the
decisions are made here, once, from the header row.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from evaluation.errors import EvaluationError
from evaluation.intake.formats import MAX_COLUMNS, HeaderMatch, explain_unrecognised, match_header
from evaluation.words import _

DELIMITERS = (",", ";", "\t", "|")
MAX_TITLE_LINES = 30
MAX_CELL_CHARS = 100_000


@functools.cache
def _hasher() -> ThreadPoolExecutor:
    """Started on the first upload, not on import."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload-sha256")


class FileProblem(EvaluationError):
    """The file as a whole cannot be read; `line` is where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, _("File cannot be read"))
        self.line = line


@dataclass(frozen=True)
class TextFile:
    """A decoded upload: UTF-8 bytes plus everything needed to parse it."""

    name: str
    data: bytes
    digest: Future[str]
    encoding: str
    delimiter: str
    header_line: int
    header: tuple[str, ...]
    match: HeaderMatch

    @property
    def sha256(self) -> str:
        """The upload's SHA-256 (hex), recorded with the upload to recognise a re-import."""
        return self.digest.result()


def read_text_file(name: str, raw: bytes) -> TextFile:
    """Decode and sniff one upload; raise FileProblem when it cannot be read at all."""
    # Hashing a large file takes as long as a query; it runs beside the parsing
    # (hashlib releases the GIL) and is collected when the upload is recorded.
    sha = _hasher().submit(lambda: hashlib.sha256(raw).hexdigest())
    data, encoding = _to_utf8(raw)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileProblem(
            _("the file contains NUL bytes, so it is not a text file (an Excel workbook or a "
              "damaged export?); save it from Excel as 'CSV UTF-8' and upload that"), line)
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")  # old Mac line endings
    head = _head_text(data)
    delimiter, header_line, cells, match = _find_header(head)
    if match.repeated:
        column, places = next(iter(match.repeated.items()))
        listed = _(" and ").join(str(p + 1) for p in places)
        raise FileProblem(_("column '{column}' appears more than once in the header (columns "
                            "{listed}); keep one of them").format(column=column, listed=listed),
                          header_line)
    return TextFile(name, data, sha, encoding, delimiter, header_line, tuple(cells), match)


def to_utf8(raw: bytes) -> tuple[bytes, str]:
    """The bytes as UTF-8 and the encoding they came in (BOMs, UTF-16, Windows-1252)."""
    return _to_utf8(raw)


def _to_utf8(raw: bytes) -> tuple[bytes, str]:
    if raw.startswith(b"PK\x03\x04"):
        raise FileProblem(
            _("this is an Excel workbook (.xlsx), not a CSV file; in Excel use File > Save As > "
              "'CSV UTF-8 (comma delimited)' and upload that file"), 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        return _checked_utf8(raw[3:], "utf-8-sig")
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return _transcode(raw[2:], codec), "utf-16"
    codec = _utf16_without_bom(raw)
    if codec:
        return _transcode(raw, codec), "utf-16"
    if raw.isascii():
        return raw, "ascii"
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252").encode("utf-8"), "windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1").encode("utf-8"), "latin-1"


def _checked_utf8(data: bytes, label: str) -> tuple[bytes, str]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileProblem(
            _("the file starts with a UTF-8 marker but byte {byte} is not UTF-8; "
              "save it again as 'CSV UTF-8'").format(byte=e.start + 4), line) from e
    return data, label


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:2000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _transcode(raw: bytes, codec: str) -> bytes:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as e:
        raise FileProblem(
            _("the file looks like UTF-16 but byte {byte} cannot be decoded; "
              "save it again from Excel as 'CSV UTF-8'").format(byte=e.start)) from e
    return text.lstrip("\ufeff").encode("utf-8")


def _head_text(data: bytes, size: int = 256 * 1024) -> str:
    """The first lines of the file, decoded (cut at a line end)."""
    head = data[:size]
    if len(data) > size and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head.decode("utf-8", errors="replace")


def _find_header(head: str) -> tuple[str, int, list[str], HeaderMatch]:
    """The delimiter and header row: the first row any delimiter makes a known header."""
    lines = [line.rstrip("\r") for line in head.split("\n")[:MAX_TITLE_LINES]]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise FileProblem(
            _("the file is empty: it needs a header row and at least one data row"), 1)
    for index in range(first, len(lines)):
        for delimiter in DELIMITERS:
            cells = _split_line(lines[index], delimiter)
            if len(cells) < 2:
                continue
            _check_width(cells, index + 1)
            match = match_header(cells)
            if match:
                return delimiter, index + 1, cells, match
    delimiter = max(DELIMITERS, key=lambda d: len(_split_line(lines[first], d)))
    cells = _split_line(lines[first], delimiter)
    _check_width(cells, first + 1)
    raise FileProblem(explain_unrecognised(cells), first + 1)


def _split_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    except csv.Error:
        return []


def _check_width(cells: list[str], line: int) -> None:
    if len(cells) > MAX_COLUMNS:
        raise FileProblem(
            _("the header has {count:,} columns; at most {limit} are supported "
              "(one column per year in wide files): is this the right file?").format(
                count=len(cells), limit=MAX_COLUMNS), line)
    longest = max((len(c) for c in cells), default=0)
    if longest > 1000:
        raise FileProblem(
            _("a header cell is {length:,} characters long: is this the right file?").format(
                length=longest), line)
