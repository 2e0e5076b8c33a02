"""Page-sized views of an evaluation: what the overview, partnership and indicator pages
and the annual report show, shaped here once so that pages only render.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.limits import SURVEY_PREFIX
from evaluation.method.assessment import status_table
from evaluation.method.horizon import expected_value, phase
from evaluation.method.model import Evaluation, resolve_partnership
from evaluation.method.projection import Projection, project
from evaluation.method.scores import PILLAR_NAMES
from evaluation.method.statuses import GOOD_STATUSES, STATUS_LABELS, status_words
from evaluation.method.units import unit_bounds
from evaluation.words import N_, _, current_language

DIRECTION_WORDS = {"higher_is_better": N_("higher is better"),
                   "lower_is_better": N_("lower is better")}

STATUS_SYMBOLS = {code: symbol for code, (_words, symbol) in STATUS_LABELS.items()}


def latest_scores(ev: Evaluation) -> pd.DataFrame:
    """Each partnership's latest year with a score, and its first, for 'change since start'."""
    scored = ev.scores.dropna(subset=["balanced"])
    if scored.empty:
        scored = ev.scores.dropna(subset=list(PILLAR_NAMES), how="all")
    by = scored.groupby("partnership", observed=True)
    last, first = by.tail(1).set_index("partnership"), by.head(1).set_index("partnership")
    out = last[["year", *PILLAR_NAMES, "balanced"]].rename(columns={"year": "scored_year"})
    for column in [*PILLAR_NAMES, "balanced"]:
        out[f"{column}_change"] = last[column] - first[column]
    counted = sum(last[f"{p}_counted"] for p in PILLAR_NAMES)
    defined = sum(last[f"{p}_defined"] for p in PILLAR_NAMES)
    out["coverage"] = counted / defined.where(defined > 0)
    return out


def portfolio_table(ev: Evaluation, reference_year: int) -> pd.DataFrame:
    """One row per partnership: where it is in its horizon, its scores, statuses, currency."""
    p = ev.snapshot.partnerships.set_index("partnership")
    out = p[["municipality", "start_year", "horizon_years"]].copy()
    out["year_of_horizon"] = (reference_year - out["start_year"] + 1).clip(lower=0)
    out["horizon_position"] = [
        _("not started") if k < 1 else _("ended ({horizon} years)").format(horizon=h) if k > h
        else _("{year} of {horizon}").format(year=k, horizon=h)
        for k, h in zip(out["year_of_horizon"], out["horizon_years"], strict=True)]
    out["phase"] = phase(reference_year, out["start_year"], out["horizon_years"])
    latest = ev.assessment.groupby("partnership", observed=True)["year"].max()
    out["latest_data"] = latest.reindex(out.index).astype("Int64")
    out = out.join(latest_scores(ev))
    statuses = status_table(ev.assessment)
    counts = statuses.pivot_table(index="partnership", columns="status", values="indicator",
                                  aggfunc="count", fill_value=0)
    out["indicators"] = counts.reindex(out.index).fillna(0).apply(_status_summary, axis=1)
    good = statuses["status"].isin(GOOD_STATUSES).groupby(statuses["partnership"]).sum()
    out["on_track_or_better"] = good.reindex(out.index).fillna(0).astype(int)
    out["n_indicators"] = counts.sum(axis=1).reindex(out.index).fillna(0).astype(int)
    present = statuses.groupby("partnership")["status"].agg(lambda s: sorted(set(s)))
    out["statuses"] = present.reindex(out.index).apply(
        lambda s: s if isinstance(s, list) else [])
    return out.reset_index()


# The keys are identifiers (a page's choice) and, through `_()`, the labels shown.
# Sort id -> (label, column, ascending). The ids are what a page keeps and passes; the
# labels are marked for the catalogue and translated where they are shown.
SORTS: dict[str, tuple[str, str, bool]] = {
    "name": (N_("Name"), "partnership", True),
    "balanced_low": (N_("Balanced index (low first)"), "balanced", True),
    "balanced_high": (N_("Balanced index (high first)"), "balanced", False),
    "year_of_horizon": (N_("Year of horizon"), "year_of_horizon", False),
    "oldest_data": (N_("Latest data (oldest first)"), "latest_data", True),
}


def filter_portfolio(table: pd.DataFrame, *, municipalities=(), phases=(), statuses=(),
                     sort: str = "name") -> pd.DataFrame:
    """The overview's rows a steering group asked for (an empty filter keeps all), sorted
    by one of SORTS with missing values last."""
    shown = table
    if municipalities:
        shown = shown[shown["municipality"].isin(list(municipalities))]
    if phases:
        shown = shown[shown["phase"].isin(list(phases))]
    if statuses:
        wanted = set(statuses)
        shown = shown[shown["statuses"].apply(lambda present: bool(wanted & set(present)))]
    _label, column, ascending = SORTS[sort]
    return shown.sort_values(column, ascending=ascending, na_position="last")


def _status_summary(row: pd.Series) -> str:
    parts = [f"{STATUS_SYMBOLS[code]}{int(row[code])}" for code in STATUS_LABELS
             if code in row and row[code] > 0]
    return " ".join(parts)


def status_counts(ev: Evaluation, partnerships: list[str] | None = None) -> pd.DataFrame:
    """Latest status of every indicator, counted by pillar and status (for the overview)."""
    statuses = status_table(ev.assessment)
    if partnerships is not None:
        statuses = statuses[statuses["partnership"].isin(list(partnerships))]
    counts = statuses.groupby(["pillar", "status"]).size().rename("count").reset_index()
    counts["label"] = counts["status"].map(status_words)
    return counts


@dataclass(frozen=True)
class PartnershipView:
    """Everything the partnership page and its annual report show."""

    name: str
    profile: pd.Series
    scores: pd.DataFrame
    indicators: pd.DataFrame
    series: pd.DataFrame
    groups: pd.DataFrame
    events: pd.DataFrame
    commentary: pd.DataFrame
    horizon_end: int
    until: int | None = None

    @property
    def latest_year(self) -> int | None:
        years = self.series["year"]
        return int(years.max()) if len(years) else None

    @property
    def first_year(self) -> int:
        """The first year worth showing: the start, or earlier data (e.g. statistics)."""
        start = int(self.profile["start_year"])
        return min(start, int(self.series["year"].min())) if len(self.series) else start

    @property
    def last_year(self) -> int:
        return max(self.horizon_end, self.latest_year or self.horizon_end)

    def scores_between(self, low: int, high: int) -> pd.DataFrame:
        return self.scores[self.scores["year"].between(low, high)]

    def events_between(self, low: int, high: int) -> pd.DataFrame:
        return self.events[self.events["year"].between(low, high)]


@dataclass(frozen=True)
class IndicatorPanel:
    """One indicator's chart data: its row in the table and everything drawn."""

    info: dict
    observations: pd.DataFrame
    assessed: pd.DataFrame
    expected: pd.DataFrame
    projection: Projection | None


def indicator_panels(ev: Evaluation, view: PartnershipView, low: int,
                     high: int) -> list[IndicatorPanel]:
    """A panel per indicator of the partnership, in table order, for years low..high."""
    obs = ev.snapshot.observations
    mine = obs[(obs["partnership"] == view.name) & (obs["group"] == "")]
    if view.until is not None:
        mine = mine[mine["year"] <= view.until]
    panels = []
    for info in view.indicators.to_dict("records"):
        series = view.series[view.series["indicator"] == info["indicator"]]
        panels.append(IndicatorPanel(
            info, mine[(mine["indicator"] == info["indicator"]) & mine["year"].between(low, high)],
            series[series["year"].between(low, high)][
                ["year", "value", "progress", "status", "vs_expected"]],
            expected_path(info, ev),
            indicator_projection(series, info["target"], info["direction"] == "higher_is_better",
                                 view.horizon_end, ev)))
    return panels


def partnership_view(ev: Evaluation, name: str, until: int | None = None) -> PartnershipView:
    """The view of one partnership, optionally as of report year `until`."""
    name = resolve_partnership(ev.snapshot, name)
    snap = ev.snapshot
    profile = snap.partnership(name)
    horizon_end = int(profile["start_year"] + profile["horizon_years"] - 1)
    series = ev.assessment[ev.assessment["partnership"] == name]
    # A survey factor without a target is read on the Survey page, not as one more panel.
    targeted = set(snap.targets.loc[snap.targets["partnership"] == name, "indicator"])
    series = series[~series["indicator"].str.startswith(SURVEY_PREFIX)
                    | series["indicator"].isin(targeted)]
    scores = ev.scores[ev.scores["partnership"] == name]
    obs = snap.observations[snap.observations["partnership"] == name]
    if until is not None:
        series, obs = series[series["year"] <= until], obs[obs["year"] <= until]
        scores = scores[scores["year"] <= max(until, horizon_end)].copy()
        scores.loc[scores["year"] > until, [*PILLAR_NAMES, "balanced"]] = np.nan
    table = _indicator_table(ev, series, horizon_end)
    groups = obs[obs["group"] != ""].merge(indicator_info(snap)[["indicator", "name", "pillar",
                                                                 "unit"]], on="indicator")
    events = snap.events[snap.events["partnership"] == name]
    commentary = snap.commentary[snap.commentary["partnership"] == name]
    if until is not None:
        events, commentary = events[events["year"] <= until], commentary[
            commentary["year"] <= until]
    return PartnershipView(name, profile, scores.reset_index(drop=True), table,
                           series.reset_index(drop=True), groups.reset_index(drop=True),
                           events.reset_index(drop=True), commentary.reset_index(drop=True),
                           horizon_end, until)


def _indicator_table(ev: Evaluation, series: pd.DataFrame, horizon_end: int) -> pd.DataFrame:
    """Latest value, progress, status and path of each indicator, with its projection."""
    latest = status_table(series)
    info = indicator_info(ev.snapshot).set_index("indicator")
    latest["name"] = latest["indicator"].map(info["name"])
    latest["unit"] = latest["indicator"].map(info["unit"])
    latest["direction"] = latest["indicator"].map(info["direction"])
    latest["status_text"] = latest["status"].map(status_words)
    latest["projection"] = [
        _projection_text(series[series["indicator"] == row.indicator], row, horizon_end, ev)
        for row in latest.itertuples()]
    order = {p: i for i, p in enumerate(PILLAR_NAMES)}
    return latest.sort_values(["pillar", "indicator"], key=lambda c: c.map(order) if
                              c.name == "pillar" else c).reset_index(drop=True)


def _projection_text(rows: pd.DataFrame, row, horizon_end: int, ev: Evaluation) -> str:
    p = indicator_projection(rows, row.target, row.direction == "higher_is_better",
                             horizon_end, ev)
    return p.reach_text if p is not None and not pd.isna(row.target) else ""


def indicator_projection(rows: pd.DataFrame, target: float | None, higher: bool,
                         until: int, ev: Evaluation) -> Projection | None:
    """Projection of one series from the years that count (from its baseline on)."""
    usable = rows
    if "baseline_year" in rows and rows["baseline_year"].notna().any():
        usable = rows[rows["year"] >= rows["baseline_year"].iloc[0]]
    unit = rows["unit"].iloc[0] if "unit" in rows and len(rows) else None
    low, high, _what = unit_bounds(unit)
    return project(usable["year"], usable["value"], until,
                   target=None if target is None or pd.isna(target) else float(target),
                   higher=higher, points=int(ev.settings.projection_points),
                   level=ev.settings.projection_level, bounds=(low, high))


def expected_path(row: pd.Series, ev: Evaluation) -> pd.DataFrame:
    """Year-by-year values of the expected path from baseline to target."""
    if pd.isna(row.get("target")):
        return pd.DataFrame(columns=["year", "value"])
    years = np.arange(int(row["baseline_year"]), int(row["target_year"]) + 1)
    values = expected_value(years, row["baseline"], row["baseline_year"], row["target"],
                            row["target_year"], row["pillar"], ev.settings.outcome_lag)
    return pd.DataFrame({"year": years, "value": values})


def indicator_comparison(ev: Evaluation, indicator: str) -> pd.DataFrame:
    """Every partnership's series of one indicator, on calendar years and year of horizon."""
    rows = ev.assessment[ev.assessment["indicator"] == indicator]
    return rows[["partnership", "year", "year_of_horizon", "value", "status", "progress",
                 "unit"]].astype({"partnership": str}).reset_index(drop=True)


def indicator_info(snap) -> pd.DataFrame:
    """The indicators with their name and description in the reader's language where the
    indicators file gives one (`name_nb`, `description_da`, ...), else as entered."""
    info = snap.indicators
    code = current_language()
    changes = {}
    for column in ("name", "description"):
        local = f"{column}_{code}"
        if local in info.columns:
            given = info[local].fillna("").astype(str).str.strip() != ""
            if given.any():
                changes[column] = info[local].where(given, info[column])
    return info.assign(**changes) if changes else info


def direction_words(direction: str) -> str:
    """'higher is better' for higher_is_better, in the reader's language."""
    return _(DIRECTION_WORDS[direction]) if direction in DIRECTION_WORDS else direction
