"""Checking a whole store's rows against the rules the importer applies to a file.

A backup is input like any upload: a crafted one with `horizon_years =
2000000000` made every page fail, and a weight of -1e308 broke the Settings page
that could repair it. Before a restored store replaces the live one, every row
of every version is checked here with the importer's own limits (years,
horizons, pillars, directions, lengths, control characters, finite numbers,
settings' ranges) and against the versioning the store relies on.
"""

from __future__ import annotations

import duckdb

from evaluation.errors import EvaluationError
from evaluation.limits import (
    ACTOR_TYPES,
    DIRECTIONS,
    HORIZON_YEARS,
    INDICATOR_LANGUAGE_COLUMNS,
    LANGUAGE_CODES,
    MAX_CHARS,
    MAX_COMMENTARY,
    MAX_YEAR,
    MIN_YEAR,
    PILLARS,
    SURVEY_SCALE,
)
from evaluation.method.settings import SETTINGS, Settings, check_together, check_value
from evaluation.text import CONTROL_CHARS_SQL
from evaluation.words import _

_ACTIONS = ("import", "undo", "edit", "settings", "survey")
_TEXT_LIMITS = {  # table: {stored column: the importer's column for its limit}
    "partnerships": {"name": "partnership", "municipality": "municipality", "lead": "lead",
                     "purpose": "purpose", "partners": "partners",
                     "description": "description", "leadership": "leadership",
                     "termination": "termination", "region_code": "region_code"},
    "indicators": {"code": "indicator", "name": "name", "unit": "unit",
                   "description": "description", "statistic": "statistic",
                   "selection": "selection",
                   **{c: c for c in INDICATOR_LANGUAGE_COLUMNS}},
    "observations": {"grp": "group", "source": "source", "note": "note"},
    "events": {"event": "event"},
    "commentary": {"commentary": "commentary"},
    "partners": {"partner": "partner", "role": "role", "contribution": "contribution",
                 "commitment": "commitment"},
    "instrument": {"item": "item", "factor": "factor", "statement": "statement",
                   **{f"statement_{c}": f"statement_{c}" for c in LANGUAGE_CODES},
                   **{f"factor_{c}": f"factor_{c}" for c in LANGUAGE_CODES}},
    "answers": {"respondent": "respondent", "item": "item", "partner": "partner"},
}
_YEARS = {"partnerships": ("start_year",), "targets": ("baseline_year", "target_year"),
          "observations": ("year",), "events": ("year",), "commentary": ("year",),
          "partners": ("joined_year", "left_year"), "rounds": ("year",), "answers": ("year",)}
_NUMBERS = {"targets": ("baseline", "target"), "observations": ("value",),
            "settings": ("value",)}


def store_problems(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[str]:
    """What in the store's rows the importer would never have let in (first `limit`)."""
    problems: list[str] = []
    for table, where, what in _checks():
        rows = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
        if rows:
            problems.append(_("{table}: {rows:,} row(s) where {what}").format(
                table=table, rows=rows, what=what))
        if len(problems) >= limit:
            return problems
    return problems + _settings_problems(con)


def _checks() -> list[tuple[str, str, str]]:
    """(table, SQL condition of a bad row, what is wrong) for every rule.

    Long because it is the table of rules itself, one rule after another.
    """
    low, high = HORIZON_YEARS
    checks = [
        ("partnerships", f"horizon_years NOT BETWEEN {low} AND {high}",
         _("the horizon is not {low}-{high} years").format(low=low, high=high)),
        ("indicators", f"pillar NOT IN ({_listed(PILLARS)})", _("the pillar is unknown")),
        ("indicators", f"direction NOT IN ({_listed(DIRECTIONS)})",
         _("the direction is unknown")),
        ("targets", "target_year <= baseline_year",
         _("the target year is not after the baseline")),
        ("uploads", f"action NOT IN ({_listed(_ACTIONS)})", _("the action is unknown")),
        ("partnerships", "trim(name) = ''", _("the name is empty")),
        ("indicators", "trim(code) = '' OR trim(name) = ''", _("the code or name is empty")),
        ("events", "trim(event) = ''", _("the event is empty")),
        ("partners", f"actor_type NOT IN ({_listed(ACTOR_TYPES)})",
         _("the actor type is unknown")),
        ("partners", "left_year < joined_year", _("a partner leaves before it joins")),
        ("answers", f"actor_type NOT IN ({_listed(ACTOR_TYPES)})",
         _("the actor type is unknown")),
        ("answers", f"value NOT BETWEEN {SURVEY_SCALE[0]} AND {SURVEY_SCALE[1]}",
         _("an answer is outside the scale")),
        ("submissions", f"actor_type NOT IN ({_listed(ACTOR_TYPES)})",
         _("the actor type is unknown")),
        ("submitted_answers", f"value NOT BETWEEN {SURVEY_SCALE[0]} AND {SURVEY_SCALE[1]}",
         _("an answer is outside the scale")),
        ("rounds", "state NOT IN ('open', 'closed')", _("the round's status is unknown")),
        ("rounds", "NOT regexp_full_match(token, '[A-Za-z0-9_-]{22,64}')",
         _("the round's link token is malformed")),
    ]
    for table, columns in _YEARS.items():
        checks += [(table, f"{c} NOT BETWEEN {MIN_YEAR} AND {MAX_YEAR}",
                    _("{column} is not a year from {first} to {last}").format(
                        column=c, first=MIN_YEAR, last=MAX_YEAR)) for c in columns]
    for table, columns in _NUMBERS.items():
        checks += [(table, f"NOT isfinite({c})",
                    _("{column} is not a finite number").format(column=c)) for c in columns]
    for table, columns in _TEXT_LIMITS.items():
        for column, rule in columns.items():
            limit = MAX_COMMENTARY if rule == "commentary" else MAX_CHARS[rule]
            checks.append((table, f"length({column}) > {int(limit)}",
                           _("{column} is longer than {limit:,} characters").format(
                               column=column, limit=limit)))
            checks.append((table, f"regexp_matches({column}, {CONTROL_CHARS_SQL})",
                           _("{column} holds a control character").format(column=column)))
    for table in (*_TEXT_LIMITS, "targets", "settings", "rounds"):
        checks.append((table, "valid_to IS NOT NULL AND valid_to < valid_from",
                       _("a version ends before it starts")))
        checks.append((table, "valid_from NOT IN (SELECT upload_id FROM uploads)",
                       _("a version refers to an upload that does not exist")))
    for table in ("targets", "observations", "events", "commentary", "partners", "rounds",
                  "answers"):
        checks.append((table, "partnership_id NOT IN (SELECT partnership_id FROM partnerships)",
                       _("a row refers to a partnership that does not exist")))
    for table in ("targets", "observations"):
        checks.append((table, "indicator_id NOT IN (SELECT indicator_id FROM indicators)",
                       _("a row refers to an indicator that does not exist")))
    return checks


def _settings_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Each stored setting in its range, and the current ones consistent together."""
    known = {s.name for s in SETTINGS}
    problems = []
    for name, value in con.execute("SELECT DISTINCT name, value FROM settings").fetchall():
        if name not in known:
            problems.append(_("settings: '{name}' is not a setting of this program").format(
                name=name[:40]))
            continue
        try:
            check_value(name, value)
        except EvaluationError as e:
            problems.append(f"settings: {e.message}")
    current = dict(con.execute("SELECT name, value FROM settings WHERE valid_to IS NULL "
                               "AND name IN (SELECT unnest(?))", [sorted(known)]).fetchall())
    try:
        check_together(Settings.from_values(current))
    except EvaluationError as e:
        problems.append(f"settings: {e.message}")
    return problems


def _listed(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)  # identifiers from the code, never from data
