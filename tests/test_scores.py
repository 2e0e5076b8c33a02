"""Phases, expected paths, pillar scores, the balanced index and projections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.intake.edits import save_settings
from evaluation.method.horizon import expected_progress, phase, vs_expected
from evaluation.method.model import evaluate
from evaluation.method.projection import project
from evaluation.method.scores import PILLAR_NAMES, balanced_index
from evaluation.method.settings import Settings
from evaluation.store.snapshot import read_snapshot
from tests.conftest import load


@pytest.mark.parametrize("horizon, early, middle, later", [
    (10, [1, 2, 3, 4], [5, 6, 7], [8, 9, 10]),
    (6, [1, 2], [3, 4], [5, 6]),
    (5, [1, 2], [3, 4], [5]),
])
def test_phases_are_thirds_of_the_horizon(horizon, early, middle, later):
    years = np.arange(2020, 2020 + horizon)
    got = phase(years, 2020, horizon)
    k = years - 2019
    assert list(k[got == "early"]) == early
    assert list(k[got == "middle"]) == middle
    assert list(k[got == "later"]) == later
    assert phase(np.array([2019, 2020 + horizon]), 2020, horizon).tolist() == [
        "before start", "after horizon"]


def test_an_unmoved_outcome_is_on_path_but_an_unmoved_process_is_behind():
    # baseline 2020, target 2030, assessed 2022: f = 0.2
    # process expects 0.2 of the way; outcome expects 0.2^2 = 0.04
    expected = expected_progress(np.array([2022, 2022]), 2020, 2030,
                                 np.array(["process", "outcome"]), outcome_lag=2.0)
    assert expected == pytest.approx([0.2, 0.04])
    assert vs_expected(np.array([0.0, 0.0]), expected, 0.10).tolist() == ["behind", "on_path"]
    assert vs_expected(np.array([0.5]), np.array([0.2]), 0.10).tolist() == ["ahead"]


def _store_with(store, observations: str, targets: str = ""):
    load(store, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                "P,Oslo,2020,8,x,y\n", "p.csv")
    load(store, "indicator,name,pillar,unit,direction\n"
                "I1,Inv one,involvement,count,higher\nI2,Inv two,involvement,count,higher\n"
                "P1,Proc one,process,%,higher\nO1,Out one,outcome,%,lower\n", "i.csv")
    if targets:
        load(store, "partnership,indicator,baseline_year,baseline,target_year,target\n"
             + targets, "t.csv")
    load(store, "partnership,indicator,year,value\n" + observations, "o.csv")
    return evaluate(read_snapshot(store))


TARGETS = ("P,I1,2020,10,2027,20\nP,I2,2020,0,2027,10\nP,P1,2020,50,2027,90\n"
           "P,O1,2020,20,2027,10\n")


def test_pillar_scores_are_mean_clipped_progress_and_index_is_the_weighted_mean(store):
    obs = ("P,I1,2022,15\nP,I2,2022,12\nP,P1,2022,60\nP,O1,2022,21\n"
           "P,I1,2020,10\nP,P1,2020,50\nP,O1,2020,20\n")
    result = _store_with(store, obs, TARGETS)
    row = result.scores.set_index("year").loc[2022]
    # involvement: I1 (15-10)/(20-10) = 0.5; I2 (12-0)/(10-0) = 1.2 -> clipped 1.0; mean 0.75
    assert row.involvement == pytest.approx(0.75)
    # process: (60-50)/(90-50) = 0.25
    assert row.process == pytest.approx(0.25)
    # outcome: (21-20)/(10-20) = -0.1 -> clipped 0.0 (worse than baseline)
    assert row.outcome == pytest.approx(0.0)
    # balanced: (0.75 + 0.25 + 0.0) / 3
    assert row.balanced == pytest.approx(1 / 3)
    assert (row.involvement_counted, row.involvement_defined) == (2, 2)


def test_a_pillar_without_data_is_missing_and_so_is_the_index(store):
    result = _store_with(store, "P,I1,2021,12\nP,P1,2021,55\n",
                         "P,I1,2020,10,2027,20\nP,P1,2020,50,2027,90\n")
    row = result.scores.set_index("year").loc[2021]
    assert row.involvement == pytest.approx(0.2) and row.process == pytest.approx(0.125)
    assert np.isnan(row.outcome) and np.isnan(row.balanced)
    assert row.outcome_counted == 0


def test_observations_count_for_max_age_years_then_stop(store):
    obs = "P,I1,2021,12\nP,P1,2021,60\nP,O1,2021,20\nP,P1,2025,70\n"
    result = _store_with(store, obs, TARGETS)
    involvement = result.scores.set_index("year")["involvement"]
    # I1 observed 2021 counts for 2021, 2022, 2023 (2 years old), not 2024
    assert involvement.loc[[2021, 2022, 2023]].notna().all()
    assert np.isnan(involvement.loc[2024])
    comps = result.components
    used = comps[(comps.indicator == "I1") & (comps.year == 2023)].iloc[0]
    assert used.observed_year == 2021 and bool(used.counted)


def test_baseline_stands_in_for_a_missing_baseline_year_observation(store):
    result = _store_with(store, "P,I1,2022,15\nP,P1,2022,60\nP,O1,2022,15\n", TARGETS)
    row = result.scores.set_index("year").loc[2020]
    assert row.involvement == pytest.approx(0.0) and row.process == pytest.approx(0.0)


def test_years_after_the_latest_data_are_missing_not_carried_forward(store):
    result = _store_with(store, "P,I1,2021,12\nP,P1,2021,60\nP,O1,2021,20\n", TARGETS)
    scores = result.scores.set_index("year")
    assert list(scores.index) == list(range(2020, 2028))  # the whole 8-year horizon
    assert scores.loc[2022:, "balanced"].isna().all()


def test_weights_are_stored_and_change_the_index(store):
    obs = "P,I1,2022,15\nP,P1,2022,60\nP,O1,2022,15\n"
    _store_with(store, obs, TARGETS)
    save_settings(store, {"weight_outcome": 2.0}, "tester")
    result = evaluate(read_snapshot(store))
    row = result.scores.set_index("year").loc[2022]
    # weights 1, 1, 2 -> 0.25, 0.25, 0.5
    expected = 0.25 * row.involvement + 0.25 * row.process + 0.5 * row.outcome
    assert row.balanced == pytest.approx(expected)
    assert result.settings.describe_weights() == "Weights: involvement 25%, process 25%, outcome 50%"


def test_default_weights_are_equal_and_sum_to_one():
    weights = Settings().weights
    assert sum(weights.values()) == pytest.approx(1.0)
    assert len(set(round(w, 12) for w in weights.values())) == 1
    assert "(equal)" in Settings().describe_weights()


score = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(values=st.lists(st.tuples(score, score, score), min_size=1, max_size=20),
       weights=st.tuples(*[st.floats(min_value=0.01, max_value=10)] * 3))
def test_the_index_lies_between_the_lowest_and_highest_pillar(values, weights):
    frame = pd.DataFrame(values, columns=list(PILLAR_NAMES))
    w = dict(zip(PILLAR_NAMES, weights, strict=True))
    total = sum(w.values())
    index = balanced_index(frame, {k: v / total for k, v in w.items()})
    assert (index >= frame.min(axis=1) - 1e-12).all()
    assert (index <= frame.max(axis=1) + 1e-12).all()


# --- projection -------------------------------------------------------------------------

def test_projection_extends_a_straight_line_and_finds_the_target_year():
    # 10, 12, 14 in 2020-2022: slope 2 per year; 20 is reached in 2025
    p = project([2020, 2021, 2022], [10, 12, 14], 2027, target=20, higher=True)
    assert p.slope == pytest.approx(2.0)
    assert list(p.years) == [2022, 2023, 2024, 2025, 2026, 2027]
    assert p.values[-1] == pytest.approx(24.0)
    assert p.reach_year == 2025 and "2025" in p.reach_text
    # a perfect line has no spread: the band collapses onto the line
    assert p.low == pytest.approx(p.values) and p.high == pytest.approx(p.values)


def test_projection_band_widens_with_noise_and_away_from_the_data():
    p = project([2020, 2021, 2022, 2023, 2024], [10, 13, 13, 16, 17], 2030, level=0.8)
    width = p.high - p.low
    assert (width > 0).all() and width[-1] > width[0]


def test_projection_with_two_points_has_no_band_and_one_point_none():
    p = project([2020, 2022], [10, 11], 2026)
    assert p.low is None and p.points_used == 2
    assert project([2020], [10], 2026) is None


def test_projection_moving_away_never_reaches_the_target():
    p = project([2020, 2021, 2022], [10, 9, 8], 2027, target=20, higher=True)
    assert p.reach_year is None and "not at the current pace" in p.reach_text
    p = project([2020, 2021, 2022], [12, 11, 10], 2027, target=8, higher=False)
    assert p.reach_year == 2024


def test_a_flat_series_is_flat_despite_rounding_in_the_fit():
    p = project([2020, 2021, 2022, 2023], [0.1 + 0.2] * 4, 2027, target=1.0)
    assert p.reach_year is None and p.reach_text == "not at the current pace (no change)"


def test_projection_stops_at_the_units_natural_limits():
    # Two meetings a year on average, noisy: the band would dip below zero.
    p = project([2022, 2023, 2024, 2025], [0, 0, 1, 0], 2029, bounds=(0.0, None))
    assert p.low.min() == 0 and (p.values >= 0).all()
    share = project([2022, 2023, 2024], [80, 90, 97], 2030, target=99, bounds=(0.0, 100.0))
    assert share.high.max() == 100 and share.values.max() == 100
    assert share.reach_year == 2025  # the year solved from the line, not the clipped values


def test_projection_uses_only_the_latest_points():
    p = project(range(2010, 2021), [0] * 6 + [10, 11, 12, 13, 14], 2022, points=5)
    assert p.points_used == 5 and p.slope == pytest.approx(1.0)
