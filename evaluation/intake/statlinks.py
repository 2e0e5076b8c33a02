"""How partnerships and indicators name their place in a statistics office's tables.

A partnership's `region_code` lists its municipality or district codes as the
offices write them (`3001`, `K-3001`, `030102`, `101`, `0180`; several for a
municipality renumbered by a reform: `0101; 3001; 3101`). An indicator's
`statistic` is the table id and its `selection` says which category of every
other dimension it is: `Kjønn=Begge kjønn; Alder=0-17 år`, `period=K4` for the
quarter that stands for the year. `observations_of` maps a `Cube`'s cells onto
them: the rows the observations stager takes, with the file line of each.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import duckdb
import numpy as np

from evaluation.errors import ERROR, WARNING, Problem
from evaluation.intake.cleaning import Cleaner
from evaluation.intake.cube import Cube, Dimension, office_name, parse_time, same_part
from evaluation.intake.formats import normalise_word
from evaluation.intake.regions import lost_zeros, region_pairs, region_problem, region_text
from evaluation.words import _

PERIOD_KEYS = frozenset({"period", "periode", "perioden", "tidsperiode"})
MAX_CHOICES = 12  # categories listed in a message


def parse_selection(text: str | None) -> list[tuple[str, list[str]]]:
    """`dimension=value; dimension=value` as (dimension, alternatives) pairs; `a|b` is
    either. Raises ValueError with the reader's message when it is not of that form."""
    pairs = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        if part.count("=") != 1:
            raise ValueError(_("'{part}' is not of the form dimension=category (parts are "
                               "separated by ';', e.g. 'Kjønn=Begge kjønn; Alder=0-17 år')"
                               ).format(part=part.strip()))
        key, value = (s.strip() for s in part.split("="))
        choices = [v.strip() for v in value.split("|") if v.strip()]
        if not key or not choices:
            raise ValueError(_("'{part}' needs a dimension before '=' and a category after it"
                               ).format(part=part.strip()))
        pairs.append((key, choices))
    return pairs


def _syntax_check(cl: Cleaner, column: str, check) -> str:
    """Report every distinct text of `column` that `check` refuses; SQL of a valid row."""
    texts = [t for (t,) in cl.con.execute(
        f"SELECT DISTINCT {column}_raw FROM _typed WHERE {column}_raw IS NOT NULL").fetchall()]
    bad = {t: message for t in texts if (message := check(t))}
    if not bad:
        return "true"
    listed = ", ".join("'" + t.replace("'", "''") + "'" for t in bad)
    for text, message in bad.items():
        cl.flag(f"{column}_raw = ?", column, message, value_col=f"{column}_raw", params=[text])
    return f"coalesce({column}_raw NOT IN ({listed}), true)"


def check_region_codes(cl: Cleaner) -> str:
    """Region codes of a partnerships file; SQL: the row's codes are valid."""
    if "region_code" not in cl.positions:
        return "true"
    return _syntax_check(cl, "region_code", region_problem)


def _statistic_problem(text: str) -> str | None:
    if not re.fullmatch(r"(?i)(?:(?:ssb|dst|scb)\s*:\s*)?[A-Za-z0-9_.-]{2,40}", text.strip()):
        return _("a statistic is a statistics office's table id, such as 07459, FOLK1A or "
                 "TAB638 (letters, digits, '_', '.', '-'), maybe after the office: ssb:07459, "
                 "dst:FOLK1A, scb:TAB638")
    return None


def _selection_problem(text: str) -> str | None:
    try:
        parse_selection(text)
    except ValueError as e:
        return str(e)
    return None


def check_statistics(cl: Cleaner) -> str:
    """Statistic ids and selections of an indicators file; SQL: the row's are valid."""
    valid = []
    if "statistic" in cl.positions:
        valid.append(_syntax_check(cl, "statistic", _statistic_problem))
    if "selection" in cl.positions:
        valid.append(_syntax_check(cl, "selection", _selection_problem))
        cl.flag("selection_raw IS NOT NULL AND statistic_raw IS NULL AND NOT EXISTS (SELECT 1 "
                "FROM indicators i WHERE i.valid_to IS NULL AND i.indicator_id = "
                "_typed.indicator_id AND i.statistic IS NOT NULL)", "selection",
                _("a selection needs the table it selects from: fill in statistic too"),
                severity=WARNING)
    return " AND ".join(valid) or "true"


@dataclass
class Mapped:
    """A cube's cells as observations rows, and what became of the rest."""

    partnership: list[str] = field(default_factory=list)
    indicator: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    value: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    skipped: int = 0  # cells of regions and categories no indicator uses
    symbols: dict[str, int] = field(default_factory=dict)  # symbol -> cells left empty
    absent: list[Problem] = field(default_factory=list)  # indicators this file does not hold


def stored_links(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """(partnership name, region_code) and (code, statistic, selection) of the current
    rows that have them."""
    partnerships = con.execute("SELECT name, region_code FROM partnerships WHERE valid_to IS "
                               "NULL AND region_code IS NOT NULL ORDER BY name").fetchall()
    indicators = con.execute("SELECT code, statistic, selection FROM indicators WHERE "
                             "valid_to IS NULL AND statistic IS NOT NULL ORDER BY code"
                             ).fetchall()
    return partnerships, indicators


def same_table(a: str | None, b: str | None) -> bool:
    """Whether two table ids are one (`ssb:07459` is 07459)."""
    def bare(t: str) -> str:
        t = t.strip().casefold()
        head, _sep, rest = t.partition(":")
        return rest.strip() if rest and head in ("ssb", "dst", "scb") else t
    return bool(a and b) and bare(a) == bare(b)


def observations_of(con: duckdb.DuckDBPyConnection, cube: Cube, statistic: str | None,
                    only: dict[str, str] | None = None) -> Mapped:
    """The cells of `cube` that partnerships' region codes and indicators' selections
    ask for, as observation rows (`statistic`: the table id when the file holds none;
    `only`: the indicators a fetched answer serves, with their selections in codes).

    Long because it is the one walk from a file's table to rows, with a clear message at
    each way it can fail: no table id, no indicator for it, no region, no match.
    """
    out = Mapped()
    table = cube.table or statistic
    partnerships, indicators = stored_links(con)
    if not table:
        out.problems.append(_problem(cube, _(
            "the file does not say which table it holds; choose it ({choices})").format(
                choices=_listed(sorted({s for _c, s, _sel in indicators}))
                or _("no indicator has a statistic yet"))))
        return out
    mine = [(code, sel) for code, stat, sel in indicators if same_table(stat, table)]
    if only is not None:
        mine = [(code, only[code]) for code, _sel in mine if code in only]
    if not mine:
        out.problems.append(_problem(cube, _(
            "no indicator has statistic {table}: give the indicator this table's id in the "
            "indicators file's statistic column (and its categories in selection)").format(
                table=table)))
        return out
    region, time = cube.dim_with_role("geo"), cube.dim_with_role("time")
    if region is None or time is None:
        what = _("region") if region is None else _("time")
        out.problems.append(_problem(cube, _(
            "the file has no {what} dimension (its dimensions: {dims}); download the table "
            "with regions as rows and years as columns or rows").format(
                what=what, dims=_listed([d.label or d.id for d in cube.dims]))))
        return out
    pairs = region_pairs(cube.dims[region], partnerships)
    if not pairs:
        offered = [region_text(cube.dims[region], i) for i in
                   cube.present(region)[:MAX_CHOICES]]
        out.problems.append(_problem(cube, _(
            "none of the file's regions is a partnership's region code; set region_code in "
            "the partnerships file (the file's regions: {regions})").format(
                regions=_listed(offered, len(cube.dims[region].codes)))))
        return out
    out.problems += lost_zeros(cube.name, cube.dims[region], pairs)
    pairs = [(cat, name) for cat, name, _given in pairs]
    periods = [parse_time(c) for c in cube.dims[time].codes]
    source = _source(cube, table)
    used = np.zeros(len(cube.values), dtype=bool)
    for code, selection in mine:
        mask = _selected(cube, code, selection, region, time, periods, out)
        if mask is None:
            continue
        out.indicators.append(code)
        for cat, name in pairs:
            only = np.zeros(len(cube.dims[region].codes), dtype=bool)
            only[cat] = True
            cells = np.flatnonzero(mask & cube.where({region: only}))
            used[cells] = True
            _append(out, cube, cells, (name, code, source), time, periods)
    out.skipped = int((~used).sum())
    # A download may hold one of a table's indicators: the others are then a warning; a
    # file that holds none of them is an error.
    severity = WARNING if out.indicators else ERROR
    out.problems += [dataclasses.replace(p, severity=severity) for p in out.absent]
    return out


def _selected(cube: Cube, code: str, selection: str | None, region: int, time: int,
              periods: list, out: Mapped) -> np.ndarray | None:
    """The cells one indicator's selection picks, or None (its problems reported).

    Long because each way a selection can miss the file (an unknown dimension, a missing
    choice, a category not there, a period not given) has its own message here, in the
    order a reader fixes them."""
    try:
        pairs = parse_selection(selection)
    except ValueError as e:
        out.problems.append(_problem(cube, _("indicator {code}: {message}").format(
            code=code, message=e)))
        return None
    keep: dict[int, np.ndarray] = {time: np.array([p is not None for p in periods])}
    given: dict[int, list[str]] = {}
    part = None
    for key, choices in pairs:
        if normalise_word(key) in PERIOD_KEYS:
            part = choices[0]
            continue
        d = _find_dim(cube, key)
        if d is None or d in (region, time):
            out.absent.append(_problem(cube, _(
                "indicator {code}: the selection names '{key}', which is not a dimension the "
                "selection chooses from (the file's: {dims}; the region comes from the "
                "partnership, the year from the time)").format(
                    code=code, key=key, dims=_listed([_dim_name(x) for i, x in
                                                      enumerate(cube.dims)
                                                      if i not in (region, time)]))))
            return None
        given[d] = choices
    for d, dim in enumerate(cube.dims):
        if d in (region, time):
            continue
        present = cube.present(d)
        if d not in given:
            if len(present) > 1:
                out.problems.append(_problem(cube, _(
                    "indicator {code}: the selection does not say which {dim} it is; add "
                    "'{dim}=...' with one of: {choices}").format(
                        code=code, dim=_dim_name(dim),
                        choices=_listed([dim.labels[i] for i in present], len(present)))))
                return None
            continue
        cats = [i for i in present if _category_matches(dim, i, given[d])]
        if not cats:
            out.absent.append(_problem(cube, _(
                "indicator {code}: {dim}={wanted} matches none of the file's categories; "
                "it offers: {choices}").format(
                    code=code, dim=_dim_name(dim), wanted="|".join(given[d]),
                    choices=_listed([_category_text(dim, i) for i in present], len(present)))))
            return None
        keep[d] = np.isin(np.arange(len(dim.codes)), cats)
    parts = sorted({p.part for p in periods if p and p.part})
    if parts and part is None:
        out.problems.append(_problem(cube, _(
            "indicator {code}: the table has {parts} within each year; add 'period=...' to "
            "the selection for the one that stands for the year (e.g. period={last})").format(
                code=code, parts=_listed(parts), last=parts[-1])))
        return None
    if part is not None:
        ok = np.array([bool(p) and same_part(part, p.part) for p in periods])
        if parts and not ok.any():
            out.problems.append(_problem(cube, _(
                "indicator {code}: period={part} is not in the file; it has: {parts}").format(
                    code=code, part=part, parts=_listed(parts))))
            return None
        if parts:
            keep[time] = keep[time] & ok
    return cube.where(keep)


def _append(out: Mapped, cube: Cube, cells: np.ndarray, row: tuple[str, str, str],
            time: int, periods: list) -> None:
    """Add `cells` as rows of (partnership, indicator, source)."""
    partnership, code, source = row
    for cell in cells:
        value = cube.values[cell]
        symbol = cube.symbol_names[cube.symbols[cell]]
        if symbol:
            out.symbols[symbol] = out.symbols.get(symbol, 0) + 1
        out.partnership.append(partnership)
        out.indicator.append(code)
        out.source.append(source)
        out.year.append(periods[cube.category(cell, time)].year)
        out.value.append("" if np.isnan(value) else repr(float(value)))
        out.lines.append(int(cube.lines[cell]) if cube.lines is not None else 0)
        out.places.append(", ".join(f"{_dim_name(d)}={_category_text(d, cube.category(cell, i))}"
                                    for i, d in enumerate(cube.dims)))


def _find_dim(cube: Cube, key: str) -> int | None:
    wanted = normalise_word(key)
    for i, d in enumerate(cube.dims):
        if wanted in d.names():
            return i
    return None


def _category_matches(dim: Dimension, i: int, choices: list[str]) -> bool:
    names = dim.category_names(i)
    return any(c.strip().casefold() in names for c in choices)


def _dim_name(dim: Dimension) -> str:
    return dim.id if dim.id == dim.label or not dim.label else f"{dim.id} ({dim.label})"


def _category_text(dim: Dimension, i: int) -> str:
    code, label = dim.codes[i], dim.labels[i]
    return code if code == label or not label else f"{code} ({label})"


def _listed(items: list[str], total: int | None = None) -> str:
    shown = ", ".join(items[:MAX_CHOICES])
    more = (total or len(items)) - min(len(items), MAX_CHOICES)
    return shown + (_(" and {n} more").format(n=more) if more > 0 else "")


def _problem(cube: Cube, message: str, severity: str = ERROR) -> Problem:
    return Problem(cube.name, None, "", "", message, severity)


def _source(cube: Cube, table: str) -> str:
    return _("{office}, table {table}").format(office=office_name(cube.office, table)
                                               or cube.layout, table=table)
