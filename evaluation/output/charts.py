"""The charts of each page as one catalogue: the page shows them, exports and the annual
report write them, so what is exported is what is shown.

A `Chart` carries its builder (compact for small multiples on screen, full for
files), the data behind it, and what every exported file must state: the
subject, the years, the weights when a score is shown, and the upload the
data reflects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from evaluation.method.model import Evaluation
from evaluation.method.statuses import status_words
from evaluation.output.figures import (
    build_group_figure,
    build_horizon_figure,
    build_indicator_figure,
)
from evaluation.output.portfolio_figures import (
    build_comparison_figure,
    build_portfolio_figure,
    build_status_figure,
)
from evaluation.output.views import (
    PartnershipView,
    indicator_comparison,
    indicator_info,
    indicator_panels,
)
from evaluation.words import _, ngettext


@dataclass(frozen=True)
class Chart:
    """One chart: how to draw it, the rows behind it, and its provenance."""

    key: str
    title: str
    make: Callable[[bool], go.Figure | None]
    data: pd.DataFrame
    subject: str
    years: tuple[int, int]
    as_of: str
    weights: str | None = None
    empty: str = field(default_factory=lambda: _("Nothing to draw yet."))
    _drawn: dict = field(default_factory=dict, compare=False, repr=False)

    def figure(self, compact: bool = False) -> go.Figure | None:
        """The figure, built once per chart (a cached catalogue serves every session).

        Callers must not modify it; exports work on a copy."""
        if compact not in self._drawn:
            self._drawn[compact] = self.make(compact)
        return self._drawn[compact]

    @property
    def provenance(self) -> str:
        """The line every export carries: subject, years, weights, as-of."""
        parts = [self.subject, f"{self.years[0]}–{self.years[1]}"]
        if self.weights:
            parts.append(self.weights)
        parts.append(self.as_of)
        return " · ".join(parts)


def partnership_charts(ev: Evaluation, view: PartnershipView, low: int,
                       high: int) -> list[Chart]:
    """Horizon, who takes part (one per indicator split by group), then every indicator.

    Long because it is the catalogue of a partnership's charts, one entry after another.
    """
    as_of, weights = ev.snapshot.describe_as_of(), ev.settings.describe_weights()
    start, horizon = int(view.profile["start_year"]), int(view.profile["horizon_years"])
    years = f"{low}–{high}"
    scores, events = view.scores_between(low, high), view.events_between(low, high)
    horizon_title = _("{partnership}: pillar scores and balanced index, {years}").format(
        partnership=view.name, years=years)
    charts = [Chart(
        "horizon", horizon_title,
        lambda compact: build_horizon_figure(
            scores, start, horizon, events, years=(low, high),
            title=horizon_title,
            subtitle=f"{weights} · {as_of}"),
        scores, view.name, (low, high), as_of, weights,
        _("No scores yet: scores need indicators with a baseline and target and at least one "
          "observation."))]
    for indicator, rows in view.groups.groupby("indicator", sort=True):
        shown = rows[rows["year"].between(low, high)]
        name, unit = rows["name"].iloc[0], rows["unit"].iloc[0]
        title = _("{partnership}: {indicator} by group, {years}").format(
            partnership=view.name, indicator=name.lower(), years=years)
        charts.append(Chart(
            f"groups_{indicator}", title,
            lambda compact, s=shown, t=title, u=unit: build_group_figure(
                s, title=t, unit=u, first_year=low, last_year=high, subtitle=as_of),
            shown[["year", "group", "value", "unit", "source", "note"]], view.name,
            (low, high), as_of, None, _("No group rows in the years shown.")))
    for panel in indicator_panels(ev, view, low, high):
        info = panel.info
        charts.append(Chart(
            f"indicator_{info['indicator']}", f"{view.name}: {info['name']}",
            lambda compact, p=panel, i=info: build_indicator_figure(
                p.observations, i, expected=p.expected, projection=p.projection,
                first_year=low, last_year=max(high, view.horizon_end),
                title=i["name"] if compact else f"{view.name}: {i['name']}",
                subtitle=" · ".join(filter(None, [i["indicator"], status_words(i["status"]),
                                                  source_words(p.observations)])),
                compact=compact),
            panel.assessed, view.name, (low, max(high, view.horizon_end)), as_of, None,
            _("{indicator}: no observations in the years shown.").format(
                indicator=info["name"])))
    return charts


def source_words(observations: pd.DataFrame) -> str:
    """'source: Statistisk sentralbyrå, table 07459' for a chart's subtitle: the sources of
    its observations (a fetch's URL left to the chart's data), '' when none is given."""
    if "source" not in observations:
        return ""
    found = [str(s).split(": http", 1)[0] for s in observations["source"].dropna().unique()
             if str(s).strip()]
    names = sorted(set(found), key=found.index)
    if not names:
        return ""
    shown = names[0] if len(names) == 1 else _("{source} and {n} more").format(
        source=names[0], n=len(names) - 1)
    return _("source: {source}").format(source=shown)


def portfolio_charts(ev: Evaluation, shown: pd.DataFrame, counts: pd.DataFrame,
                     subject: str) -> list[Chart]:
    """The overview's charts for the partnerships shown (already filtered and paged)."""
    as_of, weights = ev.snapshot.describe_as_of(), ev.settings.describe_weights()
    years = (int(shown["scored_year"].min()), int(shown["scored_year"].max())) if (
        shown["scored_year"].notna().any()) else (0, 0)
    scores_title = _("Pillar scores and balanced index, latest year with data")
    status_title = _("Indicators by status and pillar")
    latest = _("Latest assessed year of each indicator")
    return [
        Chart("portfolio", scores_title,
              lambda compact: build_portfolio_figure(
                  shown, title=scores_title,
                  subtitle=f"{subject} · {weights} · {as_of}"),
              shown[["partnership", "year_of_horizon", "horizon_years", "phase",
                     "scored_year", "involvement", "process", "outcome", "balanced"]],
              subject, years, as_of, weights, _("No partnership has scores yet.")),
        Chart("statuses", status_title,
              lambda compact: build_status_figure(
                  counts, title=status_title,
                  subtitle=f"{latest} · {subject} · {as_of}"),
              counts[["pillar", "status", "label", "count"]], subject, years, as_of, None,
              _("No indicator has been assessed yet.")),
    ]


def comparison_chart(ev: Evaluation, indicator: str, align: str,
                     highlight: list[str]) -> Chart:
    """One indicator across every partnership that measures it."""
    info = indicator_info(ev.snapshot).set_index("indicator").loc[indicator]
    rows = indicator_comparison(ev, indicator)
    x = "year" if align == "calendar" else "year_of_horizon"
    n = rows["partnership"].nunique()
    if x == "year":
        title = ngettext("{indicator}: {n} partnerships, by calendar year",
                         "{indicator}: {n} partnerships, by calendar year", n)
    else:
        title = ngettext("{indicator}: {n} partnerships, by year of each partnership's horizon",
                         "{indicator}: {n} partnerships, by year of each partnership's horizon",
                         n)
    title = title.format(indicator=info["name"], n=n)
    as_of = ev.snapshot.describe_as_of()
    years = (int(rows[x].min()), int(rows[x].max())) if len(rows) else (0, 0)
    return Chart(
        f"compare_{indicator}_{align}", title,
        lambda compact: build_comparison_figure(rows, x=x, unit=info["unit"] or "",
                                                title=title, subtitle=as_of,
                                                highlight=highlight),
        rows, f"{indicator} ({info['name']})", years, as_of, None,
        _("No partnership has observations of this indicator."))
