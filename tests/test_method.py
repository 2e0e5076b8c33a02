"""The method's formulas against hand-worked examples, edge cases and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from evaluation.method.statuses import (
    cagr,
    growth_ratio,
    progress,
    status_words,
    target_status,
    trend_status,
)


def one(fn, *args, **kwargs):
    """Call a vectorised function on scalars and return scalars."""
    out = fn(*(np.array([a]) for a in args), **kwargs)
    return tuple(o[0] for o in out) if isinstance(out, tuple) else out[0]


# --- progress ---------------------------------------------------------------------------

def test_progress_higher_is_better():
    # baseline 10, target 20, value 14: (14 - 10) / (20 - 10) = 0.4
    assert one(progress, 14.0, 10.0, 20.0, True) == pytest.approx(0.4)


def test_progress_lower_is_better_is_still_zero_to_one():
    # NEET 12 % -> target 8 %, now 11 %: (11 - 12) / (8 - 12) = 0.25
    assert one(progress, 11.0, 12.0, 8.0, False) == pytest.approx(0.25)


def test_progress_is_raw_beyond_target_and_below_baseline():
    assert one(progress, 25.0, 10.0, 20.0, True) == pytest.approx(1.5)  # (25-10)/10
    assert one(progress, 5.0, 10.0, 20.0, True) == pytest.approx(-0.5)  # (5-10)/10


def test_progress_when_target_equals_baseline():
    assert one(progress, 100.0, 100.0, 100.0, True) == 1.0  # still meets the target
    assert one(progress, 99.0, 100.0, 100.0, True) == 0.0  # no longer meets it


# --- status with a target -----------------------------------------------------------------

def status(value, year, baseline, baseline_year, target, target_year, higher=True):
    return one(target_status, value, year, baseline, baseline_year, target, target_year, higher)


def test_on_track():
    # b=2020 x_b=10, T=2030 x_T=20, t=2023 x_t=13
    # CAGR_actual   = (13/10)^(1/3)  - 1 = 0.09139
    # CAGR_required = (20/10)^(1/10) - 1 = 0.07177
    # R = 0.09139 / 0.07177 = 1.273 >= 0.95 -> on_track
    code, ratio = status(13.0, 2023, 10.0, 2020, 20.0, 2030)
    assert code == "on_track"
    assert ratio == pytest.approx(((13 / 10) ** (1 / 3) - 1) / ((20 / 10) ** (1 / 10) - 1))


def test_moderate_insufficient_and_away():
    # CAGR_required = 2^(1/10) - 1 = 0.07177
    # x_t = 11.5 at t=2023: (1.15)^(1/3) - 1 = 0.04769; R = 0.665 -> moderate
    assert status(11.5, 2023, 10.0, 2020, 20.0, 2030)[0] == "moderate"
    # x_t = 10.5: (1.05)^(1/3) - 1 = 0.01640; R = 0.229 -> insufficient
    assert status(10.5, 2023, 10.0, 2020, 20.0, 2030)[0] == "insufficient"
    # x_t = 9.0: (0.9)^(1/3) - 1 = -0.0345; R < 0 -> away
    assert status(9.0, 2023, 10.0, 2020, 20.0, 2030)[0] == "away"


def test_thresholds_are_inclusive_at_095_and_060():
    # choose x_t so that R is exactly the threshold: CAGR_actual = R * CAGR_required
    required = 2 ** (1 / 10) - 1
    for r, expected in ((0.95, "on_track"), (0.60, "moderate"), (0.0, "insufficient")):
        x_t = 10 * (1 + r * required) ** 3 + 1e-9
        assert status(x_t, 2023, 10.0, 2020, 20.0, 2030)[0] == expected


def test_lower_is_better():
    # NEET 12 -> 8 by 2030 from 2020; 10.5 in 2024
    # CAGR_actual = (10.5/12)^(1/4) - 1 = -0.03283; CAGR_required = (8/12)^(1/10) - 1 = -0.03975
    # R = 0.826 -> moderate (both negative: the ratio is positive when moving the right way)
    code, ratio = status(10.5, 2024, 12.0, 2020, 8.0, 2030, higher=False)
    assert code == "moderate" and ratio == pytest.approx(0.8259, abs=1e-3)
    assert status(13.0, 2024, 12.0, 2020, 8.0, 2030, higher=False)[0] == "away"


def test_target_reached_is_achieved_whatever_the_ratio():
    assert status(21.0, 2022, 10.0, 2020, 20.0, 2030)[0] == "achieved"
    assert status(7.5, 2022, 12.0, 2020, 8.0, 2030, higher=False)[0] == "achieved"


def test_baseline_already_meeting_target():
    # baseline 98 >= target 95 (higher is better): R is meaningless
    assert status(97.0, 2024, 98.0, 2020, 95.0, 2030) == ("achieved", pytest.approx(np.nan,
                                                                                    nan_ok=True))
    code, ratio = status(94.0, 2024, 98.0, 2020, 95.0, 2030)
    assert code == "away" and math.isnan(ratio)


def test_single_observation_is_insufficient_data():
    # the baseline year itself: one point only
    assert status(10.0, 2020, 10.0, 2020, 20.0, 2030)[0] == "insufficient_data"


def test_zero_baseline_falls_back_to_linear_rates():
    # x_b = 0: CAGR undefined. Linear: actual (3 - 0)/3 = 1 per year,
    # required (10 - 0)/10 = 1 per year -> R = 1.0 -> on_track
    code, ratio = status(3.0, 2023, 0.0, 2020, 10.0, 2030)
    assert code == "on_track" and ratio == pytest.approx(1.0)


def test_change_of_sign_falls_back_to_linear_rates():
    # balance -5 -> target 5 in 10 years; now 1 after 4 years:
    # linear actual (1 - -5)/4 = 1.5, required 10/10 = 1 -> R = 1.5
    ratio, used_cagr = growth_ratio(np.array([-5.0]), np.array([2020]), np.array([1.0]),
                                    np.array([2024]), np.array([5.0]), np.array([2030]))
    assert not used_cagr[0] and ratio[0] == pytest.approx(1.5)


def test_zero_target_is_a_defined_cagr():
    # (0 / 10)^(1/10) - 1 = -1: a target of zero is "all the way down"
    rate, defined = cagr(np.array([10.0]), np.array([0.0]), np.array([10]))
    assert defined[0] and rate[0] == pytest.approx(-1.0)


def test_target_year_already_past_still_grades_on_required_growth():
    # T = 2022 is in the past at t = 2025; the required CAGR is still the pace that was
    # needed: (20/10)^(1/2) - 1 = 0.414; actual (12/10)^(1/5) - 1 = 0.0371; R = 0.09
    assert status(12.0, 2025, 10.0, 2020, 20.0, 2022)[0] == "insufficient"


def test_gaps_only_use_the_baseline_and_the_year_assessed():
    # missing years in between do not matter: t - b = 5
    code, ratio = status(15.0, 2025, 10.0, 2020, 20.0, 2030)
    assert ratio == pytest.approx((1.5 ** (1 / 5) - 1) / (2 ** (1 / 10) - 1))


# --- status without a target ------------------------------------------------------------

def trend(value, year, first_value, first_year, higher=True):
    return one(trend_status, value, year, first_value, first_year, higher)


@pytest.mark.parametrize("value, expected", [
    (112.0, "improving"),          # (112/100)^(1/4) - 1 = 2.87 %  > 1 %
    (102.0, "slightly_improving"), # (102/100)^(1/4) - 1 = 0.50 %  in (0, 1 %]
    (100.0, "slightly_worsening"), # 0 is "flat or slightly worse": [-1 %, 0]
    (98.0, "slightly_worsening"),  # -0.50 %
    (90.0, "worsening"),           # (0.9)^(1/4) - 1 = -2.6 %
])
def test_trend_statuses(value, expected):
    assert trend(value, 2024, 100.0, 2020)[0] == expected


def test_trend_sign_flips_when_lower_is_better():
    assert trend(90.0, 2024, 100.0, 2020, higher=False)[0] == "improving"


def test_trend_with_a_zero_start_uses_the_fallback():
    # (4 - 0) / 4 years / mean(|0|, |4|) = 0.5 per year -> improving
    code, g = trend(4.0, 2024, 0.0, 2020)
    assert code == "improving" and g == pytest.approx(0.5)


def test_trend_needs_two_observations():
    assert trend(5.0, 2020, 5.0, 2020)[0] == "insufficient_data"


def test_status_words_have_symbols():
    assert status_words("achieved") == "✓ Target reached"
    assert status_words(None) == ""


# --- properties -------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(a=finite, b=finite, baseline=finite, target=finite, higher=st.booleans())
def test_a_better_value_never_lowers_progress(a, b, baseline, target, higher):
    assume(baseline != target)
    assume((target > baseline) == higher)  # a target on the wrong side is already met
    better, worse = (max(a, b), min(a, b)) if higher else (min(a, b), max(a, b))
    assert one(progress, better, baseline, target, higher) >= one(
        progress, worse, baseline, target, higher)


@given(value=finite, baseline=finite, target=finite, higher=st.booleans(),
       years=st.integers(1, 20))
def test_status_never_crashes_and_is_known(value, baseline, target, higher, years):
    code, _ = status(value, 2020 + years, baseline, 2020, target, 2035, higher)
    assert code in {"achieved", "on_track", "moderate", "insufficient", "away",
                    "insufficient_data"}
    code, g = trend(value, 2020 + years, baseline, 2020, higher)
    assert code != "insufficient_data" and not math.isnan(g)
