"""A statistics office's table as read from any of its layouts: dimensions and cells.

Every reader (`statcsv`, `pcaxis`, `jsonstat`) turns its layout into a `Cube`:
the table's id and title, its dimensions (id, label, category codes and labels,
which one is time and which is the region), and one row per cell: the category
of each dimension, the value, the office's symbol when the cell holds none, and
the file line it came from when the layout has lines. `statlinks` then maps the
cells onto partnerships and indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.intake.formats import normalise_word
from evaluation.words import N_, _

# The offices' symbols for a cell without a number (SSB, DST, SCB and PC-Axis):
# the cell is missing, never zero. A dash is nil: a true zero.
SYMBOLS: dict[str, str] = {
    ".": N_("not applicable"), "..": N_("not available"), "...": N_("not available"),
    "....": N_("not available"), ".....": N_("not available"), "......": N_("not available"),
    ":": N_("confidential"), "x": N_("confidential"), "×": N_("confidential"),
}
NIL = frozenset({"-", "–", "—", "0-"})

CONTENTS = frozenset({"contentscode", "contents", "statistikkvariabel", "statistikkvariabler",
                      "statistic", "tabellinnehåll", "indhold", "innhold"})
_TIME = re.compile(r"(\d{4})(?:([KQkq])([1-4])|[Mm](\d{1,2})|[Hh]([12])|[Uu](\d{1,2})"
                   r"|-(\d{4}))?")
TIME_IDS = frozenset({"tid", "time", "year", "år", "aar", "ar", "period", "periode",
                      "kvartal", "måned", "maaned", "month", "quarter", "halvår", "vecka",
                      "årstal", "år_", "tidsperiode"})
REGION_IDS = frozenset({"region", "område", "omrade", "omraade", "kommune", "kommuner",
                        "municipality", "county", "fylke", "län", "lan", "bydel", "bydeler",
                        "kommun", "geo", "regionskode", "landsdel", "sogn", "amt"})


@dataclass(frozen=True)
class Period:
    """A time code: its year and, for sub-annual statistics, the part of the year
    (`K1`, `M01`, `H1`, `U05`); spans such as school years `2022-2023` count as their
    last year."""

    year: int
    part: str = ""


def parse_time(code: str) -> Period | None:
    """The period a time code stands for (`2024`, `2024K1`, `2024Q1`, `2024M01`, `2024H1`,
    `2022-2023`), else None."""
    m = _TIME.fullmatch(code.strip())
    if not m:
        return None
    year, q, quarter, month, half, week, end = m.groups()
    if quarter:
        return Period(int(year), f"K{quarter}")
    if month:
        return Period(int(year), f"M{int(month):02d}") if 1 <= int(month) <= 12 else None
    if half:
        return Period(int(year), f"H{half}")
    if week:
        return Period(int(year), f"U{int(week):02d}")
    return Period(int(end) if end else int(year))


def same_part(wanted: str, part: str) -> bool:
    """A `period=` choice matches a period's part: `Q1` is `K1`, `M1` is `M01`."""
    w = normalise_word(wanted).upper()
    w = re.sub(r"^Q", "K", w)
    w = re.sub(r"^([MU])(\d)$", r"\g<1>0\2", w)
    return w == part


@dataclass
class Dimension:
    """One dimension of a table: `codes[i]` and `labels[i]` are category i."""

    id: str
    label: str
    codes: list[str]
    labels: list[str]
    role: str = ""  # "time", "geo" or "" (as the file says, or recognised by name)
    alt_names: set[str] = field(default_factory=set)  # in the file's other languages
    alt_labels: list[list[str]] = field(default_factory=list)  # per language, per category
    eliminable: bool = False  # an API may leave it out of a query (sums it away)

    def names(self) -> set[str]:
        """What a selection may call this dimension: its id, its label in any language;
        the contents dimension by any office's word for it (`ContentsCode`,
        `statistikkvariabel`, `tabellinnehåll`, ...)."""
        names = {normalise_word(n) for n in (self.id, self.label, *self.alt_names) if n}
        return names | CONTENTS if names & CONTENTS else names

    def category_names(self, i: int) -> set[str]:
        """What a selection may call category i: its code or a label, ignoring case."""
        return {t.strip().casefold() for t in
                (self.codes[i], self.labels[i], *(labels[i] for labels in self.alt_labels))}


@dataclass
class Cube:
    """A table's cells: `cats[:, d]` is the category index in dimension `d` of each cell;
    for a full table in row-major order (JSON-stat, PC-Axis) `cats` is None and the
    categories follow from a cell's position."""

    name: str
    layout: str  # a readable name of the layout, for messages and the summary
    table: str | None
    title: str
    office: str
    dims: list[Dimension]
    cats: np.ndarray | None  # int32, one row per cell, one column per dimension
    values: np.ndarray  # float64, NaN where a symbol or nothing stands
    symbols: np.ndarray  # int16: index into `symbol_names` (0: the cell holds a number)
    symbol_names: list[str]
    lines: np.ndarray | None = None  # int64: the file line of each cell, where known
    notes: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d.codes) for d in self.dims)

    def where(self, keep: dict[int, np.ndarray]) -> np.ndarray:
        """The cells whose category in each dimension `d` has `keep[d]` true (a boolean
        per category): for a full table by broadcasting, without a row per cell."""
        if self.cats is None:
            mask = np.ones(self.shape, dtype=bool)
            for d, k in keep.items():
                shape = [1] * len(self.dims)
                shape[d] = len(k)
                mask &= np.asarray(k, dtype=bool).reshape(shape)
            return mask.reshape(-1)
        mask = np.ones(len(self.values), dtype=bool)
        for d, k in keep.items():
            mask &= np.asarray(k, dtype=bool)[self.cats[:, d]]
        return mask

    def category(self, cells: np.ndarray | int, d: int) -> np.ndarray:
        """The category in dimension `d` of the given cells."""
        if self.cats is None:
            return np.unravel_index(cells, self.shape)[d]
        return self.cats[cells, d]

    def present(self, d: int) -> np.ndarray:
        """The categories of dimension `d` that some cell has."""
        if self.cats is None:
            return np.arange(len(self.dims[d].codes))
        return np.unique(self.cats[:, d])

    def dim_with_role(self, role: str) -> int | None:
        found = [i for i, d in enumerate(self.dims) if d.role == role]
        if found:
            return found[0]
        ids = TIME_IDS if role == "time" else REGION_IDS
        for i, d in enumerate(self.dims):
            if d.names() & ids or any(n.split("_")[0] in ids for n in d.names()):
                return i
        if role == "time":  # the dimension whose every category is a time code
            for i, d in enumerate(self.dims):
                if d.codes and all(parse_time(c) for c in d.codes):
                    return i
        return None


_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def cell_values(texts: pa.Array | list[str], decimal_comma: bool
                ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Numbers and symbols of text cells, vectorised (a million cells in a few
    milliseconds): NaN where a symbol or nothing stands, zero for a dash. Returns the
    values, each cell's symbol as an index into the returned names (0: a number)."""
    a = pa.array(texts, pa.string()) if not isinstance(texts, pa.Array) else texts
    fast = _quoted_symbols(a)
    if fast is not None:
        return fast
    a = pc.utf8_trim(a, ' "\t\r\n\u00a0')
    a = pc.if_else(pc.is_null(a), "", a)
    if decimal_comma:
        a = pc.replace_substring(a, ",", ".")
    a = pc.if_else(pc.is_in(a, value_set=pa.array(sorted(NIL))), "0", a)
    number = pc.match_substring_regex(pc.replace_substring(a, " ", ""), _NUMBER)
    values = pc.cast(pc.if_else(number, pc.replace_substring(a, " ", ""), None), pa.float64())
    values = values.to_numpy(zero_copy_only=False).copy()
    symbol = pc.if_else(number, "", pc.if_else(pc.equal(a, ""), "..", a))
    return (values, *symbol_codes(symbol))


def _quoted_symbols(a: pa.Array) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """The fast path of PC-Axis data: every cell a plain number or a quoted symbol
    (`".."`, `"-"`); None when a cell is anything else."""
    quoted = pc.starts_with(a, '"')
    try:
        values = pc.cast(pc.if_else(quoted, pa.scalar(None, pa.string()), a), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = values.to_numpy(zero_copy_only=False).copy()  # writable: nil cells become 0
    if not np.isfinite(values[~np.isnan(values)]).all():
        return None
    symbol = pc.if_else(quoted, pc.utf8_trim(a, '"'), pa.scalar(None, pa.string()))
    nil = pc.fill_null(pc.is_in(symbol, value_set=pa.array(sorted(NIL))), False)
    values[nil.to_numpy(zero_copy_only=False)] = 0.0
    symbol = pc.if_else(nil, pa.scalar(None, pa.string()), symbol)
    return (values, *symbol_codes(pc.fill_null(symbol, "")))


def symbol_codes(symbol: pa.Array) -> tuple[np.ndarray, list[str]]:
    """A text array of symbols ("" for none) as small integer codes and their names."""
    encoded = pc.dictionary_encode(symbol).combine_chunks() if isinstance(
        symbol, pa.ChunkedArray) else pc.dictionary_encode(symbol)
    names = [""] + [t for t in encoded.dictionary.to_pylist() if t]
    remap = np.array([names.index(t) for t in encoded.dictionary.to_pylist()] or [0],
                     dtype=np.int16)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return remap[indices] if len(indices) else np.zeros(0, np.int16), names


# The offices by every name their files give them, as the observations' source names
# them (the same whichever layout or language the table came in).
OFFICE_NAMES = {
    "statistisk sentralbyrå": "Statistisk sentralbyrå (SSB)",
    "statistics norway": "Statistisk sentralbyrå (SSB)", "ssb": "Statistisk sentralbyrå (SSB)",
    "danmarks statistik": "Danmarks Statistik", "statistics denmark": "Danmarks Statistik",
    "dst": "Danmarks Statistik",
    "statistiska centralbyrån": "Statistiska centralbyrån (SCB)",
    "statistics sweden": "Statistiska centralbyrån (SCB)", "scb": "Statistiska centralbyrån (SCB)",
}


def office_name(source: str, table: str | None = None) -> str:
    """The office's name for a source text (`Statistics Norway`, `SCB`, ...); for a file
    that does not say, the office its table id belongs to where the id's form tells
    (five digits: SSB; `TAB` and digits: SCB); else the text as given."""
    known = OFFICE_NAMES.get(source.strip().casefold())
    if known:
        return known
    if not source.strip() and table:
        if re.fullmatch(r"\d{5}", table):
            return OFFICE_NAMES["ssb"]
        if re.fullmatch(r"(?i)TAB\d+", table):
            return OFFICE_NAMES["scb"]
    return source.strip()


def symbol_summary(symbols: dict[str, int]) -> str:
    """'3 '..' (not available)' for the summary: cells left empty, never zero."""
    return ", ".join(_("{n:,} '{symbol}' ({meaning})").format(
        n=n, symbol=s, meaning=_(SYMBOLS[s]) if s in SYMBOLS else _("no number"))
        for s, n in sorted(symbols.items()))
