"""Figure builders across partnerships: the portfolio at a glance and one indicator compared.

With many partnerships a chart shows the distribution (median and bands) plus
the partnerships the user picked, never hundreds of lines: the browser gets a
few thousand points at most, and nothing is silently dropped (the table beside
the chart has every row).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evaluation.method.scores import PILLAR_NAMES
from evaluation.method.statuses import (
    IMPROVING,
    SLIGHTLY_IMPROVING,
    SLIGHTLY_WORSENING,
    STATUS_LABELS,
    WORSENING,
    status_words,
)
from evaluation.output.theme import (
    GROUP_COLOURS,
    PILLAR_STYLE,
    SERIES_DASHES,
    STATUS_COLOURS,
    TREND_PATTERN,
    base_layout,
    gap_bridge,
    safe,
    with_gaps,
    year_axis,
)
from evaluation.words import _

MAX_LINES = 12
TREND_STATUSES = {IMPROVING, SLIGHTLY_IMPROVING, SLIGHTLY_WORSENING, WORSENING}


def build_portfolio_figure(portfolio: pd.DataFrame, *, title: str, subtitle: str = "",
                           ) -> go.Figure | None:
    """A row per partnership: its three pillar scores and balanced index on one 0-100 %
    scale, with the year of its horizon in the label. Callers paginate long lists."""
    rows = portfolio.dropna(subset=[*PILLAR_NAMES, "balanced"], how="all")
    if rows.empty:
        return None
    labels = [f"{safe(name)} · {_position(k, h)}" for name, k, h in zip(
        rows["partnership"], rows["year_of_horizon"], rows["horizon_years"], strict=True)]
    values = rows[[*PILLAR_NAMES, "balanced"]] * 100
    spans = {"type": "scatter", "mode": "lines", "showlegend": False, "hoverinfo": "skip",
             "x": [], "y": [], "line": {"color": "#BBBBBB", "width": 2}}
    for label, low, high in zip(labels, values.min(axis=1), values.max(axis=1), strict=True):
        spans["x"] += [low, high, None]
        spans["y"] += [label, label, None]
    data = [spans]
    for name in [*PILLAR_NAMES, "balanced"]:
        style = PILLAR_STYLE[name]
        data.append({
            "type": "scatter", "mode": "markers", "name": _(style["label"]),
            "x": values[name].tolist(), "y": labels,
            "marker": {"symbol": style["symbol"], "color": style["color"],
                       "size": 15 if name == "balanced" else 10,
                       "line": {"color": "white", "width": 1}},
            "customdata": rows["scored_year"].astype("Int64").astype(str).tolist(),
            "hovertemplate": "%{y}<br>%{fullData.name}: %{x:.0f} % (%{customdata})"
                             "<extra></extra>"})
    layout = base_layout(title, subtitle, 200 + 34 * len(rows))
    layout["margin"] = {**layout["margin"], "l": 20}
    # Long partnership names widen the left margin: the title starts at the figure's
    # edge rather than the plot's, so it lines up with the names and never wraps oddly.
    layout["title"] = {**layout["title"], "xref": "container", "x": 0.01}
    layout.update({
        "xaxis": {"title": {"text": _("Share of the way from baseline to target")},
                  "range": [-5, 105], "ticksuffix": " %", "gridcolor": "#E5E5E5", "dtick": 20},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"}})
    return go.Figure({"data": data, "layout": layout})


def _position(year_of_horizon: int, horizon: int) -> str:
    """'year 3 of 8', or where the partnership is when outside its horizon."""
    if year_of_horizon < 1:
        return _("not started")
    if year_of_horizon > horizon:
        return _("after its {horizon}-year horizon").format(horizon=horizon)
    return _("year {year} of {horizon}").format(year=year_of_horizon, horizon=horizon)


def build_status_figure(counts: pd.DataFrame, *, title: str, subtitle: str = "",
                        height: int = 420) -> go.Figure | None:
    """Indicators by latest status, one bar per pillar: statuses against a target first,
    then (hatched) the trend statuses of indicators without one."""
    if counts.empty:
        return None
    pillars = [p for p in PILLAR_NAMES if p in set(counts["pillar"])]
    data = []
    for status in STATUS_LABELS:
        part = counts[counts["status"] == status].set_index("pillar").reindex(pillars)
        if part["count"].fillna(0).sum() == 0:
            continue
        trend = status in TREND_STATUSES
        data.append({"type": "bar", "orientation": "h", "name": status_words(status),
                     "legendgroup": "trend" if trend else "target",
                     "legendgrouptitle": {"text": _("No target: trend") if trend
                                          else _("Against target")},
                     "y": [_(PILLAR_STYLE[p]["label"]) for p in pillars],
                     "x": part["count"].fillna(0).tolist(),
                     "marker": {"color": STATUS_COLOURS[status],
                                "pattern": {"shape": TREND_PATTERN if trend else "",
                                            "fgcolor": "white", "size": 6,
                                            "fillmode": "overlay"},
                                "line": {"color": "white", "width": 1}},
                     "text": [str(int(c)) if c else "" for c in part["count"].fillna(0)],
                     "textposition": "inside", "insidetextanchor": "middle",
                     "hovertemplate": "%{fullData.name}: %{x}<extra></extra>"})
    layout = base_layout(title, subtitle, height)
    layout.update({"barmode": "stack",
                   "xaxis": {"title": {"text": _("Indicators (latest year of each)")},
                             "tickformat": "d", "gridcolor": "#E5E5E5"},
                   "yaxis": {"autorange": "reversed", "automargin": True},
                   "legend": {"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top",
                              "traceorder": "grouped", "font": {"size": 11}},
                   "margin": {**layout["margin"], "r": 220, "b": 60}})
    return go.Figure({"data": data, "layout": layout})


def build_comparison_figure(rows: pd.DataFrame, *, x: str, unit: str, title: str,
                            subtitle: str = "", highlight: list[str] | None = None,
                            height: int = 460) -> go.Figure | None:
    """One indicator across partnerships on calendar years (x='year') or aligned on the
    year of each horizon (x='year_of_horizon')."""
    if rows.empty:
        return None
    highlight = [h for h in (highlight or []) if h in set(rows["partnership"])]
    names = rows["partnership"].unique()
    data = ([] if len(names) <= MAX_LINES else _distribution(rows, x, unit))
    shown = names if len(names) <= MAX_LINES else highlight
    for n, name in enumerate(shown):
        part = rows[rows["partnership"] == name].sort_values(x)
        colour = GROUP_COLOURS[n % len(GROUP_COLOURS)]
        xs, ys = with_gaps(part[x], part["value"])
        data.append(gap_bridge(part[x], part["value"], colour))
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": safe(name),
            "x": xs, "y": ys, "connectgaps": False,
            "line": {"color": colour,
                     "dash": SERIES_DASHES[n % len(SERIES_DASHES)], "width": 2.5},
            "marker": {"size": 7},
            "hovertemplate": f"%{{fullData.name}}<br>%{{x}}: %{{y:,.3~g}} {safe(unit)}"
                             "<extra></extra>"})
    label = _("Year") if x == "year" else _("Year of the partnership's horizon")
    layout = base_layout(title, subtitle, height)
    layout.update({"xaxis": year_axis(int(rows[x].min()), int(rows[x].max()), label),
                   "yaxis": {**layout["yaxis"], "title": {"text": safe(unit or _("value"))}}})
    return go.Figure({"data": data, "layout": layout})


def _distribution(rows: pd.DataFrame, x: str, unit: str) -> list[dict]:
    """Median with the middle half and 80 % of partnerships as bands, per year."""
    q = rows.groupby(x)["value"].quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
    n = rows.groupby(x)["value"].count()
    years = q.index.tolist()
    traces = []
    for lo, hi, name, alpha in ((0.1, 0.9, _("80 % of partnerships"), 0.15),
                                (0.25, 0.75, _("Middle half"), 0.3)):
        traces.append({"type": "scatter", "mode": "lines", "name": name,
                       "x": years + years[::-1], "y": q[hi].tolist() + q[lo].tolist()[::-1],
                       "fill": "toself", "fillcolor": f"rgba(0,114,178,{alpha})",
                       "line": {"width": 0}, "hoverinfo": "skip"})
    median = _("Median {year}: {value} {unit}").format(year="%{x}", value="%{y:,.3~g}",
                                                       unit=safe(unit))
    how_many = _("{count} partnerships").format(count="%{customdata}")
    traces.append({"type": "scatter", "mode": "lines+markers", "name": _("Median"),
                   "x": years, "y": q[0.5].tolist(), "customdata": n.tolist(),
                   "line": {"color": "#0072B2", "width": 3},
                   "hovertemplate": f"{median}<br>{how_many}<extra></extra>"})
    return traces
