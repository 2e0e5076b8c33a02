"""The method: progress towards a target and the status of an indicator in a year.

Statuses follow the Eurostat SDG progress method as implemented by Open SDG
and Statistics Canada (compound annual growth rates, CAGR), so a partnership's
report speaks the language of national statistics. Every function works on
whole arrays at once: a national portfolio is assessed in milliseconds.
docs/method.md gives every formula with a worked example.
"""

from __future__ import annotations

import numpy as np

from evaluation.words import N_, _

ACHIEVED, ON_TRACK, MODERATE, INSUFFICIENT, AWAY = (
    "achieved", "on_track", "moderate", "insufficient", "away")
IMPROVING, SLIGHTLY_IMPROVING, SLIGHTLY_WORSENING, WORSENING = (
    "improving", "slightly_improving", "slightly_worsening", "worsening")
INSUFFICIENT_DATA = "insufficient_data"

# code -> (words a steering group reads, symbol); order = best to worst.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    ACHIEVED: (N_("Target reached"), "✓"),
    ON_TRACK: (N_("On track"), "↑"),
    MODERATE: (N_("Progress, but too slow"), "↗"),
    INSUFFICIENT: (N_("Limited progress"), "→"),
    AWAY: (N_("Moving away from target"), "↓"),
    IMPROVING: (N_("Improving"), "↑"),
    SLIGHTLY_IMPROVING: (N_("Improving slightly"), "↗"),
    SLIGHTLY_WORSENING: (N_("Flat or slightly worse"), "↘"),
    WORSENING: (N_("Worsening"), "↓"),
    INSUFFICIENT_DATA: (N_("Not enough data yet"), "·"),
}
GOOD_STATUSES = frozenset({ACHIEVED, ON_TRACK, IMPROVING})


def status_words(code: str | None) -> str:
    """'✓ Target reached' for a status code; '' for none."""
    if not code or code not in STATUS_LABELS:
        return ""
    words, symbol = STATUS_LABELS[code]
    return f"{symbol} {_(words)}"


def meets_target(value: np.ndarray, target: np.ndarray, higher: np.ndarray) -> np.ndarray:
    """Whether a value is at or beyond the target in the good direction."""
    return np.where(higher, value >= target, value <= target)


def progress(value: np.ndarray, baseline: np.ndarray, target: np.ndarray,
             higher: np.ndarray) -> np.ndarray:
    """(x_t - x_b) / (x_T - x_b): 0 at baseline, 1 at target, in either direction.

    When the target equals the baseline the ratio is undefined: progress is 1
    while the value meets the target and 0 otherwise.
    """
    value, baseline, target = (np.asarray(a, dtype=float) for a in (value, baseline, target))
    span = target - baseline
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (value - baseline) / span
    return np.where(span == 0, np.where(meets_target(value, target, higher), 1.0, 0.0), share)


def cagr(start: np.ndarray, end: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compound annual growth rate (end / start)^(1 / years) - 1, and where it is defined
    (a non-zero start, no change of sign, at least one year)."""
    start, end, years = (np.asarray(a, dtype=float) for a in (start, end, years))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = end / start
        defined = (start != 0) & (ratio >= 0) & (years > 0) & np.isfinite(ratio)
        rate = np.where(defined, np.power(np.where(defined, ratio, 1.0), 1.0 / years) - 1, np.nan)
    return rate, defined


def growth_ratio(baseline: np.ndarray, baseline_year: np.ndarray, value: np.ndarray,
                 year: np.ndarray, target: np.ndarray,
                 target_year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R = CAGR_actual / CAGR_required, and whether CAGR was usable.

    Where a CAGR is undefined (a zero baseline, a change of sign) the documented
    fallback compares linear yearly changes instead:
    R = ((x_t - x_b) / (t - b)) / ((x_T - x_b) / (T - b)).
    """
    actual, ok_actual = cagr(baseline, value, np.asarray(year) - baseline_year)
    required, ok_required = cagr(baseline, target, np.asarray(target_year) - baseline_year)
    use_cagr = ok_actual & ok_required & (required != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = ((np.asarray(value, float) - baseline) / (np.asarray(year) - baseline_year)) / (
            (np.asarray(target, float) - baseline) / (np.asarray(target_year) - baseline_year))
        ratio = np.where(use_cagr, actual / np.where(use_cagr, required, 1.0), linear)
    return ratio, use_cagr


def target_status(value, year, baseline, baseline_year, target, target_year, higher,
                  on_track: float = 0.95, moderate: float = 0.60) -> tuple[np.ndarray, np.ndarray]:
    """Status of indicators with a target, and the growth ratio R (NaN where meaningless).

    `insufficient_data` unless the year assessed lies after the baseline year (the
    baseline and the value are the two points). A value meeting the target is
    `achieved`. When the baseline already met the target, R is meaningless: the
    status is `achieved` while the value still meets it and `away` once it does not.
    """
    value, baseline, target = (np.asarray(a, dtype=float) for a in (value, baseline, target))
    enough = np.asarray(year) > np.asarray(baseline_year)
    meets = meets_target(value, target, higher)
    base_met = meets_target(baseline, target, higher)
    ratio, _unused = growth_ratio(baseline, baseline_year, value, year, target, target_year)
    graded = np.select([ratio >= on_track, ratio >= moderate, ratio >= 0],
                       [ON_TRACK, MODERATE, INSUFFICIENT], AWAY)
    status = np.select(
        [~enough, meets, base_met, np.isnan(ratio)],
        [INSUFFICIENT_DATA, ACHIEVED, AWAY, INSUFFICIENT_DATA], graded)
    shown = np.where(enough & ~base_met, ratio, np.nan)
    return status.astype(object), shown


def trend_status(value, year, first_value, first_year, higher,
                 threshold: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Status of indicators without a target from g, the yearly growth since the first
    observation (sign flipped when lower is better).

    Where the CAGR is undefined, g is the yearly change divided by the mean
    absolute value of the two points (0 when both are 0).
    """
    value, first_value = np.asarray(value, float), np.asarray(first_value, float)
    years = np.asarray(year) - np.asarray(first_year)
    rate, defined = cagr(first_value, value, years)
    scale = (np.abs(first_value) + np.abs(value)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        fallback = np.where(scale > 0, (value - first_value) / np.where(years > 0, years, 1)
                            / np.where(scale > 0, scale, 1), 0.0)
    g = np.where(defined, rate, fallback) * np.where(higher, 1.0, -1.0)
    graded = np.select([g > threshold, g > 0, g >= -threshold],
                       [IMPROVING, SLIGHTLY_IMPROVING, SLIGHTLY_WORSENING], WORSENING)
    status = np.where(years > 0, graded, INSUFFICIENT_DATA)
    return status.astype(object), np.where(years > 0, g, np.nan)
