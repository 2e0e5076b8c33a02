"""What each file kind must contain: per-kind cleaning into a `_staged` table, and checks.

Each `stage_<kind>` builds `_typed` through the `Cleaner`, reports what is wrong
and leaves `_staged` holding exactly the valid rows in the entity's columns.
Checks that need the store's other rows (plausibility, outliers, horizons)
run after the rows are applied, on `_diff`, inside the same transaction.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from evaluation.errors import WARNING
from evaluation.intake import arrow
from evaluation.intake.checks import summarise_series
from evaluation.intake.cleaning import (
    INDICATOR,
    MAX_LISTED,
    PARTNERSHIP,
    Cleaner,
    Ref,
    characters_sql,
)
from evaluation.intake.formats import DIRECTION_WORDS, KINDS, PILLAR_WORDS
from evaluation.intake.statlinks import check_region_codes, check_statistics
from evaluation.limits import (
    DERIVED_PREFIXES,
    HORIZON_YEARS,
    INDICATOR_LANGUAGE_COLUMNS,
    MAX_COMMENTARY,
)
from evaluation.text import name_key
from evaluation.words import _

MAX_GROUPS = 50  # groups per partnership and indicator (e.g. actor types, districts, ages)
NEW_PARTNERSHIP = Ref("partnership", "partnerships", "partnership_id", "name", must_exist=False)
NEW_INDICATOR = Ref("indicator", "indicators", "indicator_id", "code", must_exist=False)


def derived_code_sql(column: str) -> str:
    """SQL: the code in `column` is one the dashboard derives (REG_*, SURVEY_*)."""
    return "(" + " OR ".join(f"starts_with(upper({column}), '{p}')"
                             for p in DERIVED_PREFIXES) + ")"


def _refuse_derived(cl: Cleaner, where: str, value_col: str) -> None:
    cl.flag(where, "indicator",
            _("codes starting with {prefixes} belong to figures the dashboard derives from the "
              "partner register and the survey; they cannot be uploaded: use another code, or "
              "set a baseline and target on the derived indicator").format(
                  prefixes=" / ".join(DERIVED_PREFIXES)), value_col=value_col)


def stage_partnerships(cl: Cleaner) -> None:
    cols = list(KINDS["partnerships"].columns)
    cl.build(cols, numbers=["horizon_years"], years=["start_year"], refs=[NEW_PARTNERSHIP])
    cl.required(["partnership", "start_year", "horizon_years"])
    low, high = HORIZON_YEARS
    cl.flag("horizon_years IS NOT NULL AND (horizon_years <> round(horizon_years) OR "
            f"horizon_years NOT BETWEEN {low} AND {high})", "horizon_years",
            _("must be a whole number of years between {low} and {high} (partnerships run "
              "5-10 years)").format(low=low, high=high), value_col="horizon_years_raw")
    cl.flag(f"horizon_years = round(horizon_years) AND horizon_years BETWEEN {low} AND {high} "
            "AND horizon_years NOT BETWEEN 5 AND 10", "horizon_years",
            _("a horizon outside 5-10 years is unusual for a partnership; check it"),
            severity=WARNING, value_col="horizon_years_raw")
    codes_ok = check_region_codes(cl)
    valid = ("partnership_raw IS NOT NULL AND start_year IS NOT NULL AND horizon_years "
             f"BETWEEN {low} AND {high} AND horizon_years = round(horizon_years) AND {codes_ok}")
    values = ["municipality_raw", "start_year", "horizon_years", "purpose_raw", "lead_raw",
              "partners_raw", "description_raw", "leadership_raw", "termination_raw",
              "region_code_raw"]
    check_duplicates(cl, valid, ["lower(partnership_raw)"], values, _("partnership"))
    create_staged(cl, valid, ["lower(partnership_raw)"], """
        coalesce(t.partnership_id, nextval('entity_seq')) AS partnership_id,
        coalesce((SELECT name FROM partnerships p WHERE p.valid_to IS NULL
                  AND p.partnership_id = t.partnership_id), partnership_raw) AS name,
        municipality_raw AS municipality, start_year,
        horizon_years::INTEGER AS horizon_years, purpose_raw AS purpose, lead_raw AS lead,
        partners_raw AS partners, description_raw AS description,
        leadership_raw AS leadership, termination_raw AS termination,
        region_code_raw AS region_code""")


def stage_indicators(cl: Cleaner) -> None:
    cols = list(KINDS["indicators"].columns)
    cl.build(cols, refs=[NEW_INDICATOR], words={
        "pillar": (PILLAR_WORDS, _("pillar")), "direction": (DIRECTION_WORDS, _("direction"))})
    cl.required(["indicator", "name", "pillar", "direction"])
    cl.flag("unit_raw IS NULL AND indicator_raw IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            "indicators i WHERE i.valid_to IS NULL AND i.indicator_id = _typed.indicator_id "
            "AND trim(i.unit) <> '')", "unit",
            _("unit is empty: charts and reports will show no unit (e.g. %, count, persons)"),
            severity=WARNING)
    _refuse_derived(cl, derived_code_sql("indicator_raw"), "indicator_raw")
    statistics_ok = check_statistics(cl)
    valid = ("indicator_raw IS NOT NULL AND name_raw IS NOT NULL AND pillar IS NOT NULL "
             f"AND direction IS NOT NULL AND NOT {derived_code_sql('indicator_raw')} "
             f"AND {statistics_ok}")
    values = ["name_raw", "pillar", "unit_raw", "direction", "description_raw",
              "statistic_raw", "selection_raw",
              *(f"{c}_raw" for c in INDICATOR_LANGUAGE_COLUMNS)]
    check_duplicates(cl, valid, ["lower(indicator_raw)"], values, _("indicator"))
    create_staged(cl, valid, ["lower(indicator_raw)"], """
        coalesce(t.indicator_id, nextval('entity_seq')) AS indicator_id,
        coalesce((SELECT code FROM indicators i WHERE i.valid_to IS NULL
                  AND i.indicator_id = t.indicator_id), indicator_raw) AS code,
        name_raw AS name, pillar, unit_raw AS unit, direction,
        description_raw AS description, statistic_raw AS statistic,
        selection_raw AS selection, """ + ", ".join(
            f"{c}_raw AS {c}" for c in INDICATOR_LANGUAGE_COLUMNS))


def stage_targets(cl: Cleaner) -> None:
    cols = list(KINDS["targets"].columns)
    cl.build(cols, numbers=["baseline", "target"], years=["baseline_year", "target_year"],
             refs=[PARTNERSHIP, INDICATOR])
    cl.required(cols)
    cl.flag("target_year <= baseline_year", "target_year",
            _("the target year must come after the baseline year"),
            value_col="target_year_raw")
    valid = ("partnership_id IS NOT NULL AND indicator_id IS NOT NULL AND baseline IS NOT NULL"
             " AND target IS NOT NULL AND target_year > baseline_year")
    key = ["partnership_id", "indicator_id"]
    check_duplicates(cl, valid, key, ["baseline_year", "baseline", "target_year", "target"],
                      _("target"))
    create_staged(cl, valid, key, "partnership_id, indicator_id, baseline_year, baseline, "
                   "target_year, target")


def stage_observations(cl: Cleaner) -> None:
    cols = list(KINDS["observations"].columns)
    cl.build(cols, numbers=["value"], years=["year"], refs=[PARTNERSHIP, INDICATOR],
             keys=["group"], lean=True)
    cl.required(["partnership", "indicator", "year"])
    derived = ("indicator_id IN (SELECT indicator_id FROM indicators WHERE valid_to IS NULL "
               f"AND {derived_code_sql('code')})")
    _refuse_derived(cl, derived, "(SELECT code FROM indicators i WHERE i.valid_to IS NULL AND "
                    "i.indicator_id = _typed.indicator_id)")
    valid = ("partnership_id IS NOT NULL AND indicator_id IS NOT NULL AND year IS NOT NULL "
             f"AND value IS NOT NULL AND NOT {derived}")
    key, grp = ["partnership_id", "indicator_id", "year"], "''"
    if "group" in cl.positions:
        _spell_groups(cl)
        _check_group_count(cl)
        key, grp = [*key, "grp"], "grp"
    if summarise_series(cl, "_typed", valid, grp):
        check_duplicates(cl, valid, key, ["value"],
                          _("observation (partnership, indicator, year)"))
    create_staged(cl, valid, key, f"partnership_id, indicator_id, year, {grp} AS grp, value, "
                   "source_raw AS source, note_raw AS note")
    if cl.duplicates:  # count each key once in the series summary
        summarise_series(cl, "_staged", "true", "grp")


def _spell_groups(cl: Cleaner) -> None:
    """Add `grp` to `_typed`: groups match like names (case and spaces aside) and keep the
    spelling the store has for that series, else anywhere (the earliest), else the
    first one in the file, so 'civil society' and 'Civil society' stay one group.

    Long because the spelling rules are one SQL statement, kept together so their order of
    preference reads in one place.
    """
    stored = [g for (g,) in cl.con.execute("SELECT DISTINCT grp FROM observations "
                                           "WHERE valid_to IS NULL AND grp <> ''").fetchall()]
    cl.con.register("_stored_groups", pa.table({
        "grp": arrow.array(stored, pa.string()),
        "group_key": arrow.array([name_key(g) for g in stored], pa.string())}))
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _spelled AS
        WITH wanted AS (SELECT DISTINCT partnership_id, indicator_id, group_key FROM _typed
                        WHERE group_key IS NOT NULL),
        first AS (SELECT group_key, arg_min(group_raw, rec) AS first_grp FROM _typed
                  WHERE group_key IS NOT NULL GROUP BY 1),
        stored AS (SELECT o.partnership_id, o.indicator_id, k.group_key, min(o.grp) AS series_grp,
                          min(o.valid_from) AS since
                   FROM observations o JOIN _stored_groups k USING (grp)
                   WHERE o.valid_to IS NULL AND k.group_key IN (SELECT group_key FROM first)
                   GROUP BY ALL),
        anywhere AS (SELECT group_key, arg_min(series_grp, (since, series_grp)) AS any_grp
                     FROM stored GROUP BY 1)
        SELECT w.*, coalesce(s.series_grp, a.any_grp, f.first_grp) AS grp
        FROM wanted w JOIN first f USING (group_key)
        LEFT JOIN stored s USING (partnership_id, indicator_id, group_key)
        LEFT JOIN anywhere a USING (group_key)""")
    # A stored row of the same year wins over the series' spelling: a store written
    # before groups matched like names may hold two spellings in one series.
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _typed AS
        WITH same_year AS (
            SELECT o.partnership_id, o.indicator_id, o.year, k.group_key, min(o.grp) AS grp
            FROM observations o JOIN _stored_groups k USING (grp)
            WHERE o.valid_to IS NULL AND k.group_key IN (SELECT group_key FROM _spelled)
            GROUP BY ALL)
        SELECT t.*, coalesce(y.grp, g.grp, '') AS grp FROM _typed t
        LEFT JOIN _spelled g ON g.partnership_id = t.partnership_id
        AND g.indicator_id = t.indicator_id AND g.group_key = t.group_key
        LEFT JOIN same_year y ON y.partnership_id = t.partnership_id
        AND y.indicator_id = t.indicator_id AND y.year = t.year AND y.group_key = t.group_key""")
    cl.con.unregister("_stored_groups")


def _check_group_count(cl: Cleaner) -> None:
    """At most MAX_GROUPS groups per partnership and indicator, stored and new together: a
    split beyond that cannot be charted or compared (100,000 labels once sent 42 MB of
    chart per page view). One error per series, at the first line over the limit."""
    rows = cl.con.execute(f"""
        WITH file AS (SELECT partnership_id, indicator_id, grp, min(rec) AS rec FROM _typed
                      WHERE grp <> '' AND partnership_id IS NOT NULL
                      AND indicator_id IS NOT NULL GROUP BY ALL),
        stored AS (SELECT DISTINCT partnership_id, indicator_id, grp FROM observations
                   WHERE valid_to IS NULL AND grp <> ''),
        ranked AS (SELECT f.rec, grp, row_number() OVER (series ORDER BY f.rec NULLS FIRST, grp)
                          AS n, count(*) OVER series AS total
                   FROM file f FULL JOIN stored s USING (partnership_id, indicator_id, grp)
                   WINDOW series AS (PARTITION BY partnership_id, indicator_id))
        SELECT rec, grp, count(*) OVER (), total FROM ranked
        WHERE n = {MAX_GROUPS + 1} AND rec IS NOT NULL ORDER BY rec LIMIT {MAX_LISTED}
    """).fetchall()
    cl.report(rows, "group",
              _("more than {limit} groups for one indicator").format(limit=MAX_GROUPS),
              detail=lambda r: _(
                  "this indicator would have {n:,} groups for this partnership; at most "
                  "{limit} can be charted and compared: merge the small ones (for example "
                  "into 'other') or split the figure into indicators").format(
                      n=r[3], limit=MAX_GROUPS))


def stage_events(cl: Cleaner) -> None:
    cl.build(KINDS["events"].columns, years=["year"], refs=[PARTNERSHIP])
    cl.required(["partnership", "year", "event"])
    valid = "partnership_id IS NOT NULL AND year IS NOT NULL AND event_raw IS NOT NULL"
    key = ["partnership_id", "year", "event_raw"]
    check_duplicates(cl, valid, key, [], _("event"))
    create_staged(cl, valid, key, "partnership_id, year, event_raw AS event")


def stage_commentary(cl: Cleaner) -> None:
    cl.build(KINDS["commentary"].columns, years=["year"], refs=[PARTNERSHIP])
    cl.required(["partnership", "year", "commentary"])
    too_long = f"length(commentary_raw) > {MAX_COMMENTARY}"
    cl.flag(too_long, "commentary",
            _("the commentary is too long: at most {limit:,} characters are allowed (as in "
              "the app); shorten it").format(limit=MAX_COMMENTARY),
            value_col=characters_sql("commentary_raw"))
    valid = (f"partnership_id IS NOT NULL AND year IS NOT NULL AND commentary_raw IS NOT NULL "
             f"AND NOT {too_long}")
    key = ["partnership_id", "year"]
    check_duplicates(cl, valid, key, ["commentary_raw"],
                      _("commentary (partnership, year)"))
    create_staged(cl, valid, key, "partnership_id, year, commentary_raw AS commentary")


def check_targets(cl: Cleaner) -> None:
    """Warn about targets beyond the horizon and baselines that already meet the target."""
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _target_checks AS
        SELECT d.rec, d.target_year, d.baseline,
               d.target_year > p.start_year + p.horizon_years - 1 AS beyond,
               p.start_year + p.horizon_years - 1 AS horizon_end,
               CASE WHEN i.direction = 'higher_is_better' THEN d.baseline >= d.target
                    ELSE d.baseline <= d.target END AS met
        FROM _diff d
        JOIN partnerships p ON p.valid_to IS NULL AND p.partnership_id = d.partnership_id
        JOIN indicators i ON i.valid_to IS NULL AND i.indicator_id = d.indicator_id
        WHERE d.status <> 'unchanged'""")
    cl.flag("beyond", "target_year", _("the target year lies after the end of the "
                                       "partnership's horizon; it is kept, and progress is "
                                       "measured against it"), severity=WARNING,
            value_col="target_year", table="_target_checks")
    cl.flag("met", "baseline", _("the baseline already meets the target: the status will be "
                                 "'achieved' while the value keeps meeting it; is the target "
                                 "right?"),
            severity=WARNING, value_col="baseline", table="_target_checks")


def check_duplicates(cl: Cleaner, valid: str, key: list[str], values: list[str],
                      what: str) -> None:
    """The same key twice: identical rows are a warning, different values an error.

    A plain GROUP BY finds the repeated keys (cheap on a million rows); lines and
    values are gathered only for those.

    Long because the cheap hash count, the exact check and the messages must stay in step.
    """
    # A hash count first: cheap, and a (vanishingly rare) collision only costs the exact check.
    collided = cl.con.execute(f"""
        SELECT count(*) - count(DISTINCT hash({", ".join(key)})) FROM _typed WHERE {valid}
    """).fetchone()[0]
    duplicated = collided and cl.con.execute(f"""
        SELECT count(*) FROM (SELECT {", ".join(key)} FROM _typed WHERE {valid}
                              GROUP BY ALL HAVING count(*) > 1)""").fetchone()[0]
    cl.duplicates = bool(duplicated)
    if not duplicated:
        return
    keys = ", ".join(f"{k} AS _k{i}" for i, k in enumerate(key))
    on = " AND ".join(f"t._k{i} IS NOT DISTINCT FROM d._k{i}" for i in range(len(key)))
    cl.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _keyed AS
        SELECT rec, {keys}{"".join(f", {v} AS _v{i}" for i, v in enumerate(values))}
        FROM _typed WHERE {valid}""")
    groups = ", ".join(f"_k{i}" for i in range(len(key)))
    first = values[0] if values else None
    if first and f"{first}_raw" in _typed_columns(cl):
        first = f"{first}_raw"
    variants = ("count(DISTINCT (" + ", ".join(f"t._v{i}" for i in range(len(values))) + "))"
                if values else "1")
    typed = values[0] if values else None
    shown = (f"string_agg((SELECT coalesce({first}, {typed}::VARCHAR) FROM _typed x "
             "WHERE x.rec = t.rec), ' and ' ORDER BY t.rec)" if first else "''")
    rows = cl.con.execute(f"""
        WITH d AS (SELECT {groups} FROM _keyed GROUP BY ALL HAVING count(*) > 1
                   ORDER BY min(rec) LIMIT 50)
        SELECT list(t.rec ORDER BY t.rec), {variants}, {shown}
        FROM _keyed t JOIN d ON {on} GROUP BY {", ".join(f"t._k{i}" for i in range(len(key)))}
        ORDER BY min(t.rec)""").fetchall()
    for recs, n_variants, shown_values in rows:
        lines = cl.records.lines_of(recs[:10])
        listed = _("{lines} and {last}").format(lines=", ".join(map(str, lines[:-1])),
                                                last=lines[-1])
        if n_variants > 1:
            cl.report([(recs[-1], "", 1)], "",
                      _("the same {what} appears on lines {lines} with different values "
                        "({values}); keep one line").format(
                          what=what, lines=listed, values=shown_values))
        else:
            cl.report([(recs[-1], "", 1)], "",
                      _("the same {what} appears on lines {lines} with the same values; "
                        "it is imported once").format(what=what, lines=listed), WARNING)


def _typed_columns(cl: Cleaner) -> set[str]:
    return {r[0] for r in cl.con.execute("DESCRIBE _typed").fetchall()}


def create_staged(cl: Cleaner, valid: str, key: list[str], select: str) -> None:
    """`_staged`: the valid rows in the entity's columns, one per key. Always a view: over
    `_typed` when the file repeats no key (a million rows are not copied once more), else
    over a table of the first row of each key."""
    source = f"SELECT {select}, rec FROM _typed t WHERE {valid}"
    if cl.duplicates:
        cl.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _staged_rows AS
            SELECT DISTINCT ON ({', '.join(key)}) {select}, rec
            FROM _typed t WHERE {valid} ORDER BY {', '.join(key)}, rec""")
        source = "SELECT * FROM _staged_rows"
    cl.con.execute(f"CREATE OR REPLACE TEMP VIEW _staged AS {source}")


def materialise_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Keep `_staged` in a table, so the ids drawn for new rows are drawn once however
    often it is read."""
    con.execute("CREATE OR REPLACE TEMP TABLE _staged_fixed AS SELECT * FROM _staged")
    con.execute("CREATE OR REPLACE TEMP VIEW _staged AS SELECT * FROM _staged_fixed")


STAGERS = {
    "partnerships": stage_partnerships,
    "indicators": stage_indicators,
    "targets": stage_targets,
    "observations": stage_observations,
    "observations_wide": stage_observations,
    "events": stage_events,
    "commentary": stage_commentary,
}
