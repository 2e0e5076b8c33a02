"""Statistics offices' files in an upload: recognised, read, and handed on as observations.

A PC-Axis file or a JSON-stat dataset is recognised from its first bytes; an
office's CSV when its header is none of our kinds. Its `Cube` waits in a
`StatFile` until the importer reaches observations in dependency order; then
`records_of` maps it (`statlinks.observations_of`) with the partnerships and
indicators the same upload may have just changed, and returns `Records` of the
observations kind, each row at its line of the office's file, so validation,
preview, commit and undo are the observations' own.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from evaluation.errors import Problem
from evaluation.intake.cube import Cube, symbol_summary
from evaluation.intake.formats import match_header
from evaluation.intake.jsonstat import looks_like_jsonstat, read_jsonstat
from evaluation.intake.pcaxis import looks_like_px, read_px
from evaluation.intake.records import Records
from evaluation.intake.statcsv import read_statistics_csv
from evaluation.intake.statlinks import Mapped, observations_of
from evaluation.intake.textfile import TextFile
from evaluation.words import _

COLUMNS = ("partnership", "indicator", "year", "value", "source")


@dataclass(frozen=True)
class Origin:
    """Where a fetched file came from: the observations' source (its URL), and the
    indicators it was fetched for, with their selections in the office's codes."""

    source: str
    selections: dict[str, str]
    table: str


@dataclass(frozen=True)
class StatFile:
    """An office's table, read, waiting for its turn in the upload."""

    name: str
    cube: Cube
    digest: str
    origin: Origin | None = None  # a fetch's answer
    @property
    def sha256(self) -> str:
        return self.digest


def read_statistics(name: str, raw: bytes, *, as_csv: bool = False) -> StatFile | None:
    """The office's table in `raw`, or None when it is not one (`as_csv`: also try the
    offices' CSV layouts, for a file whose header is none of our kinds)."""
    cube = None
    if looks_like_px(name, raw):
        cube = read_px(name, raw)
    elif looks_like_jsonstat(raw):
        cube = read_jsonstat(name, raw)
    elif as_csv:
        cube = read_statistics_csv(name, raw)
    if cube is None:
        return None
    return StatFile(name, cube, hashlib.sha256(raw).hexdigest())


def records_of(con: duckdb.DuckDBPyConnection, sf: StatFile, statistic: str | None
               ) -> tuple[Records | None, list[Problem], tuple[str, str]]:
    """The file's observations as Records (None when nothing maps), its problems, and
    what the summary says of it."""
    origin = sf.origin
    mapped = observations_of(con, sf.cube, origin.table if origin else statistic,
                             origin.selections if origin else None)
    if origin:
        mapped.source[:] = [origin.source] * len(mapped.source)
    if not mapped.partnership or any(p.is_error for p in mapped.problems):
        return None, mapped.problems, ("", "")
    header = list(COLUMNS)
    match = match_header(header)
    digest: Future[str] = Future()
    digest.set_result(sf.digest)
    tf = TextFile(sf.name, b"", digest, "utf-8", ",", 1, tuple(header), match)
    columns = (mapped.partnership, mapped.indicator, [str(y) for y in mapped.year],
               mapped.value, mapped.source)
    arrays = [pa.array(c, pa.string()) for c in columns]
    arrays.append(pa.array(np.arange(len(mapped.partnership), dtype=np.int32)))
    table = pa.Table.from_arrays(arrays, names=[*(f"c{i}" for i in range(len(header))), "rec"])
    records = Records(table, tf, [], np.asarray(mapped.lines, dtype=np.int64),
                      places=mapped.places)
    return records, mapped.problems, _note(sf.cube, mapped, sf.cube.table or statistic or "")


def _note(cube: Cube, mapped: Mapped, table: str) -> tuple[str, str]:
    """The summary's words on an office's table: what it is, and what was skipped."""
    origin = _("{layout}, table {table}").format(layout=cube.layout, table=table)
    parts = [_("indicators {codes}").format(codes=", ".join(mapped.indicators))]
    if mapped.skipped:
        parts.append(_("{n:,} cells of other regions or categories skipped").format(
            n=mapped.skipped))
    if mapped.symbols:
        parts.append(_("left empty: {symbols}").format(symbols=symbol_summary(mapped.symbols)))
    return origin, "; ".join(parts)
