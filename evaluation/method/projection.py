"""Turning the curve: where an indicator is heading at its current pace.

A straight line fitted to the latest observations (up to `projection_points`)
is extended to the end of the horizon, with a prediction band, and solved for
the year the target would be reached. With two points there is a line but no
band: two points say nothing about how certain the trend is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from evaluation.words import _

# Two-sided Student t quantiles for small samples (df = n - 2, n <= 20 points).
_T = {
    0.80: [3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
           1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330],
    0.90: [6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
           1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734],
    0.95: [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
           2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101],
}
MAX_YEARS_AHEAD = 50


@dataclass(frozen=True)
class Projection:
    """A fitted trend, its continuation to `years[-1]`, and when it meets the target."""

    points_used: int
    slope: float
    years: np.ndarray
    values: np.ndarray
    low: np.ndarray | None
    high: np.ndarray | None
    level: float
    reach_year: int | None
    reach_text: str


def project(years, values, until_year: int, *, target: float | None = None,
            higher: bool = True, points: int = 5, level: float = 0.80,
            bounds: tuple[float | None, float | None] = (None, None)) -> Projection | None:
    """Fit the last `points` observations and project them to `until_year`; None with
    fewer than two observations.

    `bounds` are the unit's natural limits (0-100 for a percentage, at least 0 for a
    count): the line and band stop there, so a chart never forecasts -2 meetings.
    """
    order = np.argsort(np.asarray(years))
    x = np.asarray(years, float)[order][-int(points):]
    y = np.asarray(values, float)[order][-int(points):]
    if len(x) < 2 or np.ptp(x) == 0:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    last = int(x[-1])
    ahead = np.arange(last, max(until_year, last) + 1, dtype=float)
    fitted = intercept + slope * ahead
    low = high = None
    if len(x) > 2:
        residual = y - (intercept + slope * x)
        s = math.sqrt(float(residual @ residual) / (len(x) - 2))
        sxx = float(((x - x.mean()) ** 2).sum())
        spread = _t(level, len(x) - 2) * s * np.sqrt(1 + 1 / len(x) + (ahead - x.mean()) ** 2 / sxx)
        low, high = fitted - spread, fitted + spread
    lo_limit, hi_limit = (-np.inf if bounds[0] is None else bounds[0],
                          np.inf if bounds[1] is None else bounds[1])
    fitted = np.clip(fitted, lo_limit, hi_limit)
    if low is not None:
        low, high = np.clip(low, lo_limit, hi_limit), np.clip(high, lo_limit, hi_limit)
    reach, text = _reach(slope, intercept, last, y[-1], target, higher)
    return Projection(len(x), float(slope), ahead.astype(int), fitted, low, high, level,
                      reach, text)


def _t(level: float, df: int) -> float:
    """The t quantile for the nearest tabulated level (0.80, 0.90, 0.95)."""
    table = _T[min(_T, key=lambda known: abs(known - level))]
    return table[min(df, len(table)) - 1]


def _reach(slope: float, intercept: float, last: int, latest: float, target: float | None,
           higher: bool) -> tuple[int | None, str]:
    """The first year at or after `last` in which the trend line meets the target."""
    if target is None or math.isnan(target):
        return None, _("no target")
    if (latest >= target) if higher else (latest <= target):
        return last, _("target already reached")
    if abs(slope) <= 1e-9 * max(1.0, abs(latest), abs(target)):  # flat, up to rounding
        return None, _("not at the current pace (no change)")
    moving_right_way = slope > 0 if higher else slope < 0
    if not moving_right_way:
        return None, _("not at the current pace (the trend moves away from the target)")
    year = math.ceil((target - intercept) / slope - 1e-9)
    if year - last > MAX_YEARS_AHEAD:
        return None, _("not within {years} years at the current pace").format(
            years=MAX_YEARS_AHEAD)
    reached = max(year, last + 1)
    return reached, _("in {year} at the current pace").format(year=reached)
