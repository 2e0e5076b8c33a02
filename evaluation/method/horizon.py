"""Where a year falls in a partnership's horizon, and where an indicator is expected to be.

Results take 5-10 years: an outcome that has not moved in year 2 is on its
path, while a process indicator that has not moved is behind. The expected
path makes that explicit: straight from baseline to target for involvement
and process, a lagged curve for outcomes.
"""

from __future__ import annotations

import numpy as np

from evaluation.words import N_

EARLY, MIDDLE, LATER = "early", "middle", "later"
BEFORE, AFTER = "before start", "after horizon"
PHASES = (EARLY, MIDDLE, LATER)
AHEAD, ON_PATH, BEHIND = "ahead", "on_path", "behind"
# How phases and path comparisons read in a sentence: the ids above never change,
# their words are translated where shown (`_(PHASE_WORDS[code])`).
PHASE_WORDS = {EARLY: N_("early"), MIDDLE: N_("middle"), LATER: N_("later"),
               BEFORE: N_("before start"), AFTER: N_("after horizon")}
PATH_WORDS = {AHEAD: N_("ahead"), ON_PATH: N_("on path"), BEHIND: N_("behind")}


def year_of_horizon(year, start_year) -> np.ndarray:
    """1 in the start year, 2 the year after, ..."""
    return np.asarray(year) - np.asarray(start_year) + 1


def phase(year, start_year, horizon_years) -> np.ndarray:
    """early, middle or later years: the horizon in thirds.

    Year k of an H-year horizon is in third floor(3 (k - 1) / H): a 10-year
    horizon has years 1-4 early, 5-7 middle, 8-10 later; a 6-year one 2/2/2.
    """
    k = year_of_horizon(year, start_year)
    horizon = np.asarray(horizon_years)
    third = np.floor(3 * (k - 1) / horizon).astype(int)
    return np.select([k < 1, k > horizon], [BEFORE, AFTER],
                     np.array(PHASES, dtype=object)[np.clip(third, 0, 2)]).astype(object)


def expected_progress(year, baseline_year, target_year, pillar, outcome_lag: float = 2.0):
    """Share of the way from baseline to target expected by `year`.

    With f = (t - b) / (T - b), clipped to [0, 1]: f for involvement and
    process; f ** outcome_lag for outcomes (2: a quarter of the way at half time).
    """
    span = np.asarray(target_year, float) - np.asarray(baseline_year, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.clip((np.asarray(year, float) - baseline_year) / span, 0.0, 1.0)
    lagged = np.asarray(pillar) == "outcome"
    return np.where(lagged, np.power(f, outcome_lag), f)


def vs_expected(progress, expected, tolerance: float = 0.10) -> np.ndarray:
    """ahead / on_path / behind: progress compared with the expected path."""
    progress, expected = np.asarray(progress, float), np.asarray(expected, float)
    gap = progress - expected
    result = np.select([gap > tolerance, gap < -tolerance], [AHEAD, BEHIND], ON_PATH)
    return np.where(np.isnan(gap), None, result).astype(object)


def expected_value(year, baseline, baseline_year, target, target_year, pillar,
                   outcome_lag: float = 2.0) -> np.ndarray:
    """The value on the expected path in `year` (for charts)."""
    share = expected_progress(year, baseline_year, target_year, pillar, outcome_lag)
    return np.asarray(baseline, float) + share * (np.asarray(target, float) - baseline)
