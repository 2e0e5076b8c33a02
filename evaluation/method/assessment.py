"""The assessment table: every observed year of every indicator, with its status and why.

One row per partnership x indicator x observed year (totals, not groups):
the value, its baseline and target, progress, status and the ratio behind it,
the expected progress for that year and how the value compares, and the
phase of the partnership's horizon. Pages, reports and the command line all
read this one table, so a number on screen can always be traced to its row.

Names are resolved once to their position in the partnership and indicator
tables; everything after that is array indexing, which keeps a national
portfolio (120,000 observations) well under a tenth of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evaluation.method.horizon import (
    expected_progress,
    phase,
    vs_expected,
    year_of_horizon,
)
from evaluation.method.settings import Settings
from evaluation.method.statuses import STATUS_LABELS, progress, target_status, trend_status

if TYPE_CHECKING:  # the store's type only: the method reads no database
    from evaluation.store.snapshot import Snapshot

STATUS_COLUMNS = ["partnership", "indicator", "pillar", "year", "value", "baseline_year",
                  "baseline", "target_year", "target", "progress", "status", "vs_expected"]
STATUS_ORDER = list(STATUS_LABELS)


def totals(snap: Snapshot) -> pd.DataFrame:
    """Observations without a group (the series statuses and scores are built from)."""
    obs = snap.observations
    return obs[obs["group"] == ""].drop(columns=["group"])


@dataclass(frozen=True)
class Keys:
    """Positions of partnerships and indicators, and each pair's target as dense arrays."""

    partnerships: pd.Index
    indicators: pd.Index
    baseline_year: np.ndarray  # [partnership, indicator], NaN where there is no target
    baseline: np.ndarray
    target_year: np.ndarray
    target: np.ndarray

    @classmethod
    def of(cls, snap: Snapshot) -> Keys:
        p = pd.Index(snap.partnerships["partnership"])
        i = pd.Index(snap.indicators["indicator"])
        t = snap.targets
        pc, ic = p.get_indexer(t["partnership"]), i.get_indexer(t["indicator"])
        arrays = []
        for column in ("baseline_year", "baseline", "target_year", "target"):
            dense = np.full((len(p), len(i)), np.nan)
            dense[pc, ic] = t[column].to_numpy(float)
            arrays.append(dense)
        return cls(p, i, *arrays)

    def categorical(self, codes: np.ndarray, of: str) -> pd.Categorical:
        index = self.partnerships if of == "partnership" else self.indicators
        return pd.Categorical.from_codes(codes, categories=index)


def assess(snap: Snapshot, settings: Settings) -> pd.DataFrame:
    """The assessment table (see the module docstring), sorted by partnership, indicator, year.

    Long because it is one vectorised pipeline over every series; its steps share the same frames.
    """
    keys = Keys.of(snap)
    obs = totals(snap)
    pc = keys.partnerships.get_indexer(obs["partnership"])
    ic = keys.indicators.get_indexer(obs["indicator"])
    year, value = obs["year"].to_numpy(np.int64), obs["value"].to_numpy(float)
    order = np.lexsort((year, ic, pc))
    pc, ic, year, value = pc[order], ic[order], year[order], value[order]
    ind, par = snap.indicators, snap.partnerships
    higher = (ind["direction"].to_numpy() == "higher_is_better")[ic]
    pillar = ind["pillar"].to_numpy()[ic]
    start, horizon = par["start_year"].to_numpy()[pc], par["horizon_years"].to_numpy()[pc]
    b, xb = keys.baseline_year[pc, ic], keys.baseline[pc, ic]
    t_year, xt = keys.target_year[pc, ic], keys.target[pc, ic]
    has_target = ~np.isnan(xt)
    first = _first_of_series(pc, ic)
    status_t, ratio_t = target_status(value, year, xb, b, xt, t_year, higher,
                                      settings.on_track_ratio, settings.moderate_ratio)
    status_n, growth = trend_status(value, year, value[first], year[first], higher,
                                    settings.trend_threshold)
    counts = has_target & (year >= b)
    prog = np.where(counts, progress(value, xb, xt, higher), np.nan) + 0.0  # no -0.0
    expected = np.where(counts, expected_progress(year, b, t_year, pillar, settings.outcome_lag),
                        np.nan)
    return pd.DataFrame({
        "partnership": keys.categorical(pc, "partnership"),
        "indicator": keys.categorical(ic, "indicator"),
        "name": ind["name"].to_numpy()[ic], "pillar": pillar,
        "unit": ind["unit"].to_numpy()[ic], "direction": ind["direction"].to_numpy()[ic],
        "year": year, "value": value, "start_year": start, "horizon_years": horizon,
        "baseline_year": pd.array(b, dtype="Int64"), "baseline": xb,
        "target_year": pd.array(t_year, dtype="Int64"), "target": xt,
        "progress": prog,
        "status": pd.Categorical(np.where(has_target, np.where(counts, status_t, None), status_n),
                                 categories=STATUS_ORDER),
        "ratio": np.where(has_target, ratio_t, growth),
        "expected": expected,
        "vs_expected": vs_expected(prog, expected, settings.path_tolerance),
        "year_of_horizon": year_of_horizon(year, start),
        "phase": phase(year, start, horizon),
    })


def _first_of_series(pc: np.ndarray, ic: np.ndarray) -> np.ndarray:
    """Row index of each row's first observation in its series (rows are sorted)."""
    n = len(pc)
    start = np.ones(n, dtype=bool)
    if n > 1:
        start[1:] = (pc[1:] != pc[:-1]) | (ic[1:] != ic[:-1])
    return np.maximum.accumulate(np.where(start, np.arange(n), 0)) if n else np.zeros(0, int)


def status_table(assessment: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per partnership x indicator: the latest assessed year, or the latest
    observation at or before `year`."""
    rows = assessment if year is None else assessment[assessment["year"] <= year]
    rows = rows[rows["status"].notna()]
    latest = rows.groupby(["partnership", "indicator"], sort=True, observed=True).tail(1)
    table = latest[STATUS_COLUMNS].reset_index(drop=True)
    return table.astype({"partnership": str, "indicator": str, "status": str})
