"""Warnings about observed values: implausible for their unit, or far from their series.

A count with a fraction is flagged too: it usually means a decimal mark read as
a thousands separator or the other way round ('1,234' persons).

Both are warnings, shown but never blocking. They are computed from one
per-series summary (`_series`: count, sums, and a bitmask of years that also
reveals repeated years) and one pass over the new and changed rows, because
these checks run on every row of a million-row import.
"""

from __future__ import annotations

import pyarrow as pa

from evaluation.errors import WARNING, Problem
from evaluation.intake import arrow
from evaluation.intake.cleaning import Cleaner
from evaluation.method.units import COUNT, unit_bounds
from evaluation.words import _

OUTLIER_SD = 4.0
OUTLIER_FACTOR = 3.0
OUTLIER_MIN_POINTS = 5
OUTLIER_GAP = 2.0  # and beyond the others' range by more than twice that range
# A count indicator whose values mostly carry decimals is one warning for the indicator.
FRACTION_MIN_ROWS, FRACTION_SHARE = 20, 0.5
# One bit per year (mod 128) in two 64-bit masks: a series repeats a year exactly
# when fewer bits are set than it has rows (years 128 apart alias; the exact
# duplicate check then settles it).
_YEAR_BITS = (
    "bit_or(CASE WHEN year % 128 < 64 THEN 1::UBIGINT << (year % 64)::UBIGINT "
    "ELSE 0::UBIGINT END) AS b1, "
    "bit_or(CASE WHEN year % 128 >= 64 THEN 1::UBIGINT << (year % 64)::UBIGINT "
    "ELSE 0::UBIGINT END) AS b2")


def summarise_series(cl: Cleaner, relation: str, where: str, group: str) -> bool:
    """Create `_series` (one row per partnership x indicator x group) from `relation`;
    True when some series may repeat a year."""
    cl.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _series AS
        SELECT partnership_id, indicator_id, {group} AS grp, count(*) AS n, {_YEAR_BITS},
               sum(value) AS s1, sum(value * value) AS s2, max(value, 2) AS hi2,
               min(value, 2) AS lo2
        FROM {relation} WHERE {where} GROUP BY ALL""")
    return bool(cl.con.execute(
        "SELECT count(*) FROM _series WHERE bit_count(b1)::INTEGER + bit_count(b2)::INTEGER < n"
    ).fetchone()[0])  # bit_count is a TINYINT: 64 + 64 years would overflow it


def check_values(cl: Cleaner, upload_id: int) -> None:
    """Warn about implausible values and outliers among the new and changed rows.

    Outliers are leave-one-out: a value is compared with its series' *other*
    current values (more than OUTLIER_MIN_POINTS of them) and must be OUTLIER_SD
    standard deviations from their mean, a factor OUTLIER_FACTOR from it, and
    outside their range by more than OUTLIER_GAP times that range: 530 among
    50-56 is a typo; 25 among 2-15, a noisy series, is not (docs/method.md).

    Long because the checks share one pass over the new rows: splitting it would scan a
    million rows once per check.
    """
    _register_bounds(cl)
    cl.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _flags AS
        WITH earlier AS (
            SELECT o.partnership_id, o.indicator_id, o.grp, count(*) AS n, sum(o.value) AS s1,
                   sum(o.value * o.value) AS s2, max(o.value, 2) AS hi2, min(o.value, 2) AS lo2
            FROM observations o SEMI JOIN _series s USING (partnership_id, indicator_id, grp)
            -- "< or >" rather than "<>": row groups written by this upload are skipped
            -- by their min/max without being read.
            WHERE o.valid_to IS NULL AND (o.valid_from < {int(upload_id)}
                                          OR o.valid_from > {int(upload_id)}) AND NOT EXISTS (
                SELECT 1 FROM _staged t WHERE t.partnership_id = o.partnership_id
                AND t.indicator_id = o.indicator_id AND t.year = o.year AND t.grp = o.grp)
            GROUP BY ALL),
        stats AS (
            SELECT s.partnership_id, s.indicator_id, s.grp, s.n + coalesce(e.n, 0) AS n,
                   s.s1 + coalesce(e.s1, 0) AS s1, s.s2 + coalesce(e.s2, 0) AS s2,
                   list_reverse_sort(list_concat(s.hi2, coalesce(e.hi2, []))) AS hi2,
                   list_sort(list_concat(s.lo2, coalesce(e.lo2, []))) AS lo2
            FROM _series s LEFT JOIN earlier e USING (partnership_id, indicator_id, grp)),
        z AS (
            SELECT d.rec, d.value, b.what, b.lo, b.hi, b.what = ? AS whole, st.n,
                   (st.s1 - d.value) / (st.n - 1) AS m,
                   ((st.s2 - d.value * d.value) - (st.s1 - d.value) ^ 2 / (st.n - 1))
                   / (st.n - 2) AS var,
                   -- the highest and lowest of the other values of the series
                   CASE WHEN d.value >= st.hi2[1] THEN st.hi2[2] ELSE st.hi2[1] END AS top,
                   CASE WHEN d.value <= st.lo2[1] THEN st.lo2[2] ELSE st.lo2[1] END AS bottom
            FROM _diff d JOIN stats st USING (partnership_id, indicator_id, grp)
            LEFT JOIN _bounds b ON b.i = d.indicator_id
            WHERE d.status <> 'unchanged'),
        flagged AS (
            SELECT rec, value, what, coalesce(value < lo OR value > hi, false) AS implausible,
                   coalesce(whole AND value <> round(value), false) AS fraction,
                   n > {OUTLIER_MIN_POINTS} AND (
                    (var > 1e-12 AND abs(value - m) > {OUTLIER_SD} * sqrt(var)
                     AND (m = 0 OR sign(value) <> sign(m) OR value / m > {OUTLIER_FACTOR}
                          OR value / m < 1.0 / {OUTLIER_FACTOR})
                     AND (value > top + {OUTLIER_GAP} * (top - bottom)
                          OR value < bottom - {OUTLIER_GAP} * (top - bottom)))
                    OR (var <= 1e-12 AND abs(value - m) > 0.5 * abs(m) AND abs(m) > 0))
                   AS outlier
            FROM z)
        SELECT * FROM flagged WHERE implausible OR outlier OR fraction""", [_(COUNT)])
    cl.con.unregister("_bounds")
    for (what,) in cl.con.execute(
            "SELECT DISTINCT what FROM _flags WHERE implausible ORDER BY 1").fetchall():
        cl.flag("implausible AND what = ?", "value",
                _("implausible value for {what}; check it").format(what=_(what)),
                severity=WARNING, value_col="value", params=[what], table="_flags")
    _fractions(cl)
    cl.flag("outlier", "value", _("far from the rest of this series (an extra digit or a wrong "
                                  "unit?); check it"),
            severity=WARNING, value_col="value", table="_flags")


def _fractions(cl: Cleaner) -> None:
    """Counts with a fraction: row by row where a few rows have one (a decimal mark read
    as a thousands separator), once for the indicator where most of its rows do (then
    the unit is what is wrong: a mean or a share is not a count)."""
    mostly = cl.con.execute(f"""
        SELECT f.i, i.code, f.n, t.n FROM (
            SELECT d.indicator_id AS i, count(*) AS n FROM _flags g
            JOIN _diff d USING (rec) WHERE g.fraction GROUP BY 1) f
        JOIN (SELECT indicator_id AS i, count(*) AS n FROM _diff
              WHERE status <> 'unchanged' GROUP BY 1) t USING (i)
        JOIN indicators i ON i.indicator_id = f.i AND i.valid_to IS NULL
        WHERE f.n >= {FRACTION_MIN_ROWS} AND f.n > {FRACTION_SHARE} * t.n
        ORDER BY i.code""").fetchall()
    for _i, code, n, total in mostly:
        cl.problems.append(Problem(cl.file, None, "value", "", _(
            "indicator {code}: {n:,} of its {total:,} values have decimals, but its unit is a "
            "count; if the figures are means, shares or rates, give the indicator that unit "
            "(for example 'per 1,000' or 'mean'), else check the decimal mark").format(
                code=code, n=n, total=total), WARNING))
    skip = ", ".join(str(m[0]) for m in mostly) or "-1"  # ids are positive
    cl.flag(f"fraction AND rec IN (SELECT rec FROM _diff WHERE indicator_id NOT IN ({skip}))",
            "value", _("a count with a fraction; check the decimal mark (is a '.' or ',' meant "
                       "as a thousands separator?)"),
            severity=WARNING, value_col="value", table="_flags")


def _register_bounds(cl: Cleaner) -> None:
    """`_bounds`: the plausible range of each indicator in this file, from its unit."""
    units = cl.con.execute("""
        SELECT i.indicator_id, i.unit FROM indicators i SEMI JOIN _series s
        USING (indicator_id) WHERE i.valid_to IS NULL""").fetchall()
    bounds = [(i, *unit_bounds(u)) for i, u in units]
    bounds = [b for b in bounds if b[1] is not None or b[2] is not None]
    cl.con.register("_bounds", pa.table({
        "i": arrow.array([b[0] for b in bounds], pa.int64()),
        "lo": arrow.array([b[1] for b in bounds], pa.float64()),
        "hi": arrow.array([b[2] for b in bounds], pa.float64()),
        "what": arrow.array([b[3] for b in bounds], pa.string())}))
