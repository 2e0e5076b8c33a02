"""Pillar scores and the balanced index: one number per partnership, pillar and year.

A pillar score is the mean progress (clipped to 0-1) of the pillar's indicators
that have a target and a usable observation that year; the balanced index is
the weighted mean of the three pillar scores, equal weights by default, so
involvement and process weigh as much as the end goals. Coverage travels with
every score, and a pillar without usable data is missing, never zero.

Values sit in a dense partnership x indicator x year array, so "the latest
observation at most `max_age_years` old" is a bounded forward fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evaluation.method.assessment import Keys, totals
from evaluation.method.horizon import phase, year_of_horizon
from evaluation.method.settings import Settings
from evaluation.method.statuses import progress

if TYPE_CHECKING:  # the store's type only: the method reads no database
    from evaluation.store.snapshot import Snapshot

PILLAR_NAMES = ("involvement", "process", "outcome")
SCORE_COLUMNS = ["partnership", "year", "year_of_horizon", "phase", *PILLAR_NAMES, "balanced",
                 *(f"{p}_counted" for p in PILLAR_NAMES), *(f"{p}_defined" for p in PILLAR_NAMES)]
MAX_CELLS = 8_000_000  # partnerships are processed in chunks of at most this many cells


@dataclass(frozen=True)
class ScoreResult:
    """Yearly scores and the components they were computed from."""

    scores: pd.DataFrame
    components: pd.DataFrame


def compute_scores(snap: Snapshot, settings: Settings) -> ScoreResult:
    """Pillar scores, balanced index and coverage; see the module docstring."""
    keys = Keys.of(snap)
    grid = _Grid.of(snap, keys)
    parts = [_score_chunk(snap, keys, grid, chunk, settings) for chunk in grid.chunks()]
    scores = pd.concat([p[0] for p in parts], ignore_index=True) if parts else None
    components = pd.concat([p[1] for p in parts], ignore_index=True) if parts else None
    if scores is None:
        scores = pd.DataFrame(columns=SCORE_COLUMNS)
        components = pd.DataFrame(columns=["partnership", "indicator", "pillar", "year",
                                           "value", "observed_year", "progress", "counted"])
    scores["balanced"] = balanced_index(scores, settings.weights)
    return ScoreResult(scores[SCORE_COLUMNS], components)


@dataclass(frozen=True)
class _Grid:
    """Observations placed on a dense [partnership, indicator, year - first_year] grid."""

    first_year: int
    n_years: int
    pc: np.ndarray
    ic: np.ndarray
    year: np.ndarray
    value: np.ndarray
    start: np.ndarray
    end: np.ndarray  # last year shown: the horizon's end or the latest data, whichever is later
    last: np.ndarray  # latest observed year per partnership (scores stop there)

    @classmethod
    def of(cls, snap: Snapshot, keys: Keys) -> _Grid:
        obs = totals(snap)
        pc = keys.partnerships.get_indexer(obs["partnership"])
        ic = keys.indicators.get_indexer(obs["indicator"])
        year = obs["year"].to_numpy(np.int64)
        start = snap.partnerships["start_year"].to_numpy(np.int64)
        last = np.full(len(start), -(10**6), dtype=np.int64)
        np.maximum.at(last, pc, year)
        end = np.maximum(start + snap.partnerships["horizon_years"].to_numpy(np.int64) - 1, last)
        base = keys.baseline_year[~np.isnan(keys.baseline_year)]
        first = int(min(start.min(initial=9999), base.min(initial=9999)))
        n_years = max(int(end.max(initial=first)) - first + 1, 1)
        return cls(first, n_years, pc, ic, year, obs["value"].to_numpy(float), start, end, last)

    def chunks(self) -> list[np.ndarray]:
        n_p = len(self.start)
        if n_p == 0:
            return []
        per = max(1, MAX_CELLS // max(1, self.n_years * 64))
        return [np.arange(i, min(i + per, n_p)) for i in range(0, n_p, per)]


def _score_chunk(snap: Snapshot, keys: Keys, g: _Grid, ps: np.ndarray,
                 settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_i, years = len(keys.indicators), g.first_year + np.arange(g.n_years)
    local = np.full(len(g.start), -1)
    local[ps] = np.arange(len(ps))
    offset = g.year - g.first_year
    mine = (local[g.pc] >= 0) & (offset >= 0) & (offset < g.n_years)  # before any start: unused
    values = np.full((len(ps), n_i, g.n_years), np.nan)
    values[local[g.pc[mine]], g.ic[mine], offset[mine]] = g.value[mine]
    has = ~np.isnan(keys.target[ps])
    base_year = keys.baseline_year[ps]
    _stand_in_baselines(values, has, base_year, keys.baseline[ps], g.first_year)
    filled, observed = _forward_fill(values, int(settings.max_age_years))
    in_span = (has[:, :, None] & (years >= np.nan_to_num(base_year, nan=1e9)[:, :, None])
               & (years >= g.start[ps][:, None, None]) & (years <= g.last[ps][:, None, None]))
    higher = (snap.indicators["direction"].to_numpy() == "higher_is_better")[None, :, None]
    raw = progress(filled, keys.baseline[ps][:, :, None], keys.target[ps][:, :, None], higher)
    clipped = np.where(in_span & ~np.isnan(filled), np.clip(raw, 0.0, 1.0), np.nan)
    scores = _pillar_frame(snap, keys, g, ps, clipped)
    cells = np.nonzero(in_span)
    components = pd.DataFrame({
        "partnership": keys.categorical(ps[cells[0]], "partnership"),
        "indicator": keys.categorical(cells[1], "indicator"),
        "pillar": snap.indicators["pillar"].to_numpy()[cells[1]],
        "year": years[cells[2]], "value": filled[cells],
        "observed_year": pd.arrays.IntegerArray(
            observed[cells] + g.first_year, observed[cells] < 0),
        "progress": clipped[cells], "counted": ~np.isnan(clipped[cells])})
    return scores, components


def _stand_in_baselines(values: np.ndarray, has: np.ndarray, base_year: np.ndarray,
                        baseline: np.ndarray, first_year: int) -> None:
    """The baseline value counts in the baseline year when nothing was observed then."""
    p, i = np.nonzero(has)
    y = base_year[p, i].astype(np.int64) - first_year
    inside = (y >= 0) & (y < values.shape[2])
    p, i, y = p[inside], i[inside], y[inside]
    missing = np.isnan(values[p, i, y])
    values[p[missing], i[missing], y[missing]] = baseline[p[missing], i[missing]]


def _forward_fill(values: np.ndarray, max_age: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cell takes the nearest observation at most `max_age` years earlier."""
    filled = values.copy()
    years = np.arange(values.shape[2])
    observed = np.where(np.isnan(values), -1, years)
    for k in range(1, max_age + 1):
        earlier = np.full_like(values, np.nan)
        earlier[:, :, k:] = values[:, :, :-k]
        take = np.isnan(filled) & ~np.isnan(earlier)
        filled[take] = earlier[take]
        observed = np.where(take, years - k, observed)
    return filled, observed


def _pillar_frame(snap: Snapshot, keys: Keys, g: _Grid, ps: np.ndarray,
                  clipped: np.ndarray) -> pd.DataFrame:
    pillar = snap.indicators["pillar"].to_numpy()
    used = np.zeros((len(keys.partnerships), len(keys.indicators)), dtype=bool)
    used[g.pc, g.ic] = True
    used |= ~np.isnan(keys.target)
    rows = [(p, y) for p in ps for y in range(int(g.start[p]), int(g.end[p]) + 1)]
    pr = np.array([r[0] for r in rows], dtype=np.int64)
    yr = np.array([r[1] for r in rows], dtype=np.int64)
    local = np.searchsorted(ps, pr)
    columns: dict[str, object] = {"partnership": keys.categorical(pr, "partnership"), "year": yr}
    for name in PILLAR_NAMES:
        part = clipped[:, pillar == name, :]
        count = (~np.isnan(part)).sum(axis=1)
        total = np.nansum(part, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
        columns[name] = mean[local, yr - g.first_year]
        columns[f"{name}_counted"] = count[local, yr - g.first_year]
        columns[f"{name}_defined"] = used[pr][:, pillar == name].sum(axis=1)
    frame = pd.DataFrame(columns)
    start, horizon = snap.partnerships["start_year"].to_numpy()[pr], \
        snap.partnerships["horizon_years"].to_numpy()[pr]
    frame["year_of_horizon"] = year_of_horizon(yr, start)
    frame["phase"] = phase(yr, start, horizon)
    return frame


def balanced_index(pillars: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted mean of the pillar scores; missing when any weighted pillar is missing
    (a pillar weighted 0 does not count, so it cannot make the index missing)."""
    names = [p for p in PILLAR_NAMES if weights[p] > 0]
    w = np.array([weights[p] for p in names])
    values = pillars[names].to_numpy(dtype=float)
    return pd.Series(values @ w / w.sum(), index=pillars.index)
