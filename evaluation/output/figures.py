"""Figure builders for one partnership: horizon, who takes part, each indicator.

Each builder is pure: tidy data and options in, a `plotly.graph_objects.Figure`
out (or None when there is nothing to draw, so the caller can say so instead of
showing an empty frame). The dashboard and every export call these same
builders, so what is exported is what is shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evaluation.limits import ACTOR_TYPES
from evaluation.method.projection import Projection
from evaluation.method.scores import PILLAR_NAMES
from evaluation.method.survey import group_label
from evaluation.output.theme import (
    GROUP_COLOURS,
    GROUP_PATTERNS,
    PHASE_FILLS,
    PHASE_LABELS,
    PILLAR_STYLE,
    base_layout,
    gap_bridge,
    safe,
    with_gaps,
    wrap,
    year_axis,
)
from evaluation.words import _, ngettext


def _phase_shapes(start: int, horizon: int) -> tuple[list[dict], list[dict]]:
    """Shaded thirds of the horizon with their labels at the top."""
    shapes, notes = [], []
    years = np.arange(start, start + horizon)
    thirds = np.floor(3 * (years - start) / horizon).astype(int)
    for third, name in enumerate(("early", "middle", "later")):
        inside = years[thirds == third]
        if not len(inside):
            continue
        x0, x1 = inside.min() - 0.5, inside.max() + 0.5
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1,
                       "y0": 0, "y1": 1, "fillcolor": PHASE_FILLS[name], "line": {"width": 0},
                       "layer": "below"})
        notes.append({"x": (x0 + x1) / 2, "y": 1.0, "xref": "x", "yref": "paper",
                      "text": _(PHASE_LABELS[name]), "showarrow": False, "yanchor": "bottom",
                      "font": {"size": 11, "color": "#555555"}})
    return shapes, notes


def _event_marks(events: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """A dotted line per event year, labels staggered so neighbours never overlap."""
    shapes, notes = [], []
    for n, (year, group) in enumerate(events.groupby("year", sort=True)):
        label = "; ".join(group["event"].astype(str))
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": year, "x1": year,
                       "y0": 0, "y1": 0.97, "line": {"color": "#777777", "width": 1,
                                                     "dash": "dot"}})
        notes.append({"x": year, "y": 0.97 - 0.14 * (n % 3), "xref": "x", "yref": "paper",
                      "yanchor": "top", "text": wrap(label, 20, 2), "showarrow": False,
                      "xanchor": "left",
                      "align": "left", "font": {"size": 10, "color": "#444444"},
                      "bgcolor": "rgba(255,255,255,0.85)", "hovertext": safe(label)})
    return shapes, notes


def _counted(scores: pd.DataFrame, name: str) -> pd.Series:
    """'3 of 4 indicators' per year for a pillar; 'all three pillars' for the index."""
    if name == "balanced":
        return pd.Series([_("all three pillars")] * len(scores))
    return pd.Series([
        ngettext("{counted} of {defined} indicators", "{counted} of {defined} indicators",
                 int(d) if d == d else 0).format(counted=c, defined=d)
        for c, d in zip(scores[f"{name}_counted"], scores[f"{name}_defined"], strict=True)],
        dtype=object)


def build_horizon_figure(scores: pd.DataFrame, start_year: int, horizon_years: int,
                         events: pd.DataFrame, *, title: str, subtitle: str = "",
                         years: tuple[int, int] | None = None,
                         height: int = 460) -> go.Figure | None:
    """Pillar scores and the balanced index year by year over the whole horizon
    (or the `years` shown), its thirds shaded, events marked, future years empty."""
    values = scores[[*PILLAR_NAMES, "balanced"]]
    if values.dropna(how="all").empty:
        return None
    end = max(int(start_year + horizon_years - 1), int(scores["year"].max()))
    first, last = years if years else (int(start_year), end)
    data = []
    for name in [*PILLAR_NAMES, "balanced"]:
        style = PILLAR_STYLE[name]
        label = _(style["label"])
        counted = _counted(scores, name)
        way = _("{year}: {value} % of the way").format(year="%{x}", value="%{y:.0f}")
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": label,
            "x": scores["year"].tolist(), "y": (scores[name] * 100).round(1).tolist(),
            "line": {"color": style["color"], "dash": style["dash"],
                     "width": 4 if name == "balanced" else 2.5},
            "marker": {"symbol": style["symbol"], "size": 11 if name == "balanced" else 8},
            "connectgaps": False, "customdata": counted.tolist(),
            "hovertemplate": f"{label}<br>{way}<br>%{{customdata}}<extra></extra>"})
    phase_shapes, phase_notes = _phase_shapes(int(start_year), int(horizon_years))
    event_shapes, event_notes = _event_marks(events)
    layout = base_layout(title, subtitle, height)
    layout["margin"]["t"] += 22  # room for the phase labels above the plot
    layout.update({
        "xaxis": year_axis(first, last),
        "yaxis": {**layout["yaxis"], "range": [-5, 110], "ticksuffix": " %",
                  "title": {"text": _("Progress towards targets<br>(% of the way)")}},
        "shapes": phase_shapes + event_shapes, "annotations": phase_notes + event_notes,
    })
    return go.Figure({"data": data, "layout": layout})


MAX_GROUPS_DRAWN = 8  # one per colour and pattern of the theme: more no reader tells apart
_OTHER = "\x00other"  # a key no stored group can have (control characters are refused)
OTHER_COLOUR = "#D9D9D9"  # a plain light grey: the rest, never mistaken for one group


def build_group_figure(groups: pd.DataFrame, *, title: str, unit: str, subtitle: str = "",
                       first_year: int | None = None, last_year: int | None = None,
                       height: int = 400) -> go.Figure | None:
    """A stacked bar per year: one indicator split by group (e.g. partners by actor type).

    At most MAX_GROUPS_DRAWN bars are stacked: beyond that the smallest groups are
    drawn together as one 'other' bar, and the subtitle says how many it holds (a
    file with 100,000 group labels once made a chart of 100,000 traces).

    Long because the 'other' bar and the traces share one pivot.
    """
    if groups.empty:
        return None
    pivot = groups.pivot_table(index="year", columns="group", values="value", aggfunc="sum")
    order = list(pivot.sum().sort_values(ascending=False, kind="stable").index)
    # Actor types (the register's groups) in the reader's words; other groups as entered.
    names = {g: safe(group_label(str(g)) if str(g) in ACTOR_TYPES else str(g).replace("_", " "))
             for g in order}
    if len(order) > MAX_GROUPS_DRAWN:
        rest = order[MAX_GROUPS_DRAWN - 1:]
        order = order[:MAX_GROUPS_DRAWN - 1]
        pivot = pivot[order].assign(**{_OTHER: pivot[rest].sum(axis=1, min_count=1)})
        order.append(_OTHER)
        names[_OTHER] = _("other ({n:,} groups)").format(n=len(rest))
        note = _("The {n:,} smallest groups are drawn together as 'other'; the data "
                 "behind the chart has each one").format(n=len(rest))
        subtitle = f"{subtitle} · {note}" if subtitle else note
    data = []
    for n, group in enumerate(order):
        column = pivot[group]
        data.append({
            "type": "bar", "name": names[group],
            "x": column.index.tolist(), "y": column.tolist(),
            "marker": {"color": OTHER_COLOUR if group == _OTHER
                       else GROUP_COLOURS[n % len(GROUP_COLOURS)],
                       "pattern": {"shape": "" if group == _OTHER
                                   else GROUP_PATTERNS[n % len(GROUP_PATTERNS)],
                                   "fgcolor": "white", "fgopacity": 0.9, "size": 7,
                                   "fillmode": "overlay"},
                       "line": {"color": "white", "width": 0.5}},
            "hovertemplate": f"%{{fullData.name}}<br>%{{x}}: %{{y:,.0f}} {safe(unit)}"
                             "<extra></extra>"})
    first = first_year if first_year is not None else int(pivot.index.min())
    last = last_year if last_year is not None else int(pivot.index.max())
    layout = base_layout(title, subtitle, height)
    layout.update({"barmode": "stack", "xaxis": year_axis(first, last),
                   "yaxis": {**layout["yaxis"], "title": {"text": safe(unit or _("value"))},
                             "rangemode": "tozero"}})
    return go.Figure({"data": data, "layout": layout})


def build_indicator_figure(series: pd.DataFrame, info: dict, *, expected: pd.DataFrame,
                           projection: Projection | None, first_year: int, last_year: int,
                           title: str, subtitle: str = "", compact: bool = False,
                           height: int | None = None) -> go.Figure | None:
    """One indicator: observations, baseline, target, expected path, projection with band.

    `compact` is for small multiples: no legend (the page explains the marks once)."""
    if series.empty:
        return None
    style = PILLAR_STYLE.get(info.get("pillar"), PILLAR_STYLE["balanced"])
    unit = safe(info.get("unit") or "")
    counts = series["year"] >= (info.get("baseline_year") or -10**6)
    observed = series[counts]
    data = [gap_bridge(observed["year"], observed["value"], style["color"]),
            _observed(observed, style, unit, _("Observed"))]
    if (~counts).any():
        data.append({**_observed(series[~counts], style, unit, _("Before baseline")),
                     "marker": {"color": "#AAAAAA", "size": 6}, "line": {"color": "#AAAAAA"}})
    has_target = info.get("target") is not None and not pd.isna(info.get("target"))
    if not expected.empty:
        hover = _("Expected {year}: {value} {unit}").format(year="%{x}", value="%{y:.3~g}",
                                                            unit=unit)
        data.append({"type": "scatter", "mode": "lines", "name": _("Expected path"),
                     "x": expected["year"].tolist(), "y": expected["value"].tolist(),
                     "line": {"color": "#888888", "dash": "dot", "width": 1.5},
                     "hovertemplate": f"{hover}<extra></extra>"})
    if projection is not None:
        data += _projection_traces(projection, style, unit)
    if has_target:
        data += _target_points(info, unit)
    end = max(last_year, int(info["target_year"]) if has_target else last_year)
    layout = base_layout(title, subtitle, height or (300 if compact else 440),
                         wrap=48 if compact else 90)  # a phone's width
    layout["margin"].update({"t": 80, "b": 40 if compact else 120})
    axis = year_axis(first_year, end, "" if compact else None, max_ticks=9 if compact else 16)
    layout.update({"xaxis": axis, "showlegend": not compact,
                   "yaxis": {**layout["yaxis"], "title": {"text": unit or _("value")},
                             "range": _padded_range(data)},
                   "legend": {**layout["legend"], "font": {"size": 11}}})
    return go.Figure({"data": data, "layout": layout})


def _padded_range(traces: list[dict]) -> list[float] | None:
    """The y range of every trace with room above and below for the 'target' and
    'baseline' labels, which plotly's autorange does not make room for."""
    values = [v for t in traces for v in t.get("y", []) if v is not None and v == v]
    if not values:
        return None
    low, high = min(values), max(values)
    pad = (high - low) * 0.18 or abs(high) * 0.1 or 1.0
    return [low - pad, high + pad]


def _observed(rows: pd.DataFrame, style: dict, unit: str, name: str) -> dict:
    rows = rows.set_index("year").reindex(with_gaps(rows["year"], rows["value"])[0])
    source = rows["source"].fillna("").map(safe) if "source" in rows else pd.Series(
        [""] * len(rows))
    note = rows["note"].fillna("").map(safe) if "note" in rows else pd.Series([""] * len(rows))
    return {"type": "scatter", "mode": "lines+markers", "name": name, "connectgaps": False,
            "x": rows.index.tolist(), "y": [None if pd.isna(v) else v for v in rows["value"]],
            # Always solid here: dotted is the expected path and dashed the projection.
            "line": {"color": style["color"], "width": 2.5},
            "marker": {"color": style["color"], "symbol": style["symbol"], "size": 8},
            "customdata": list(zip(source.tolist(), note.tolist(), strict=True)),
            "hovertemplate": f"%{{x}}: <b>%{{y:,.3~g}} {unit}</b><br>"
                             + _("source: {source}").format(source="%{customdata[0]}")
                             + "<br>%{customdata[1]}<extra></extra>"}


def _projection_traces(p: Projection, style: dict, unit: str) -> list[dict]:
    traces = []
    if p.low is not None:
        traces.append({"type": "scatter", "mode": "lines", "x": [*p.years, *p.years[::-1]],
                       "y": [*p.high, *p.low[::-1]], "fill": "toself", "line": {"width": 0},
                       "fillcolor": "rgba(120,120,120,0.18)", "hoverinfo": "skip",
                       "name": _("Projection band ({level:.0%})").format(level=p.level)})
    hover = _("Projected {year}: {value} {unit}").format(year="%{x}", value="%{y:,.3~g}",
                                                         unit=unit)
    traces.append({"type": "scatter", "mode": "lines", "name": _("Projection (current pace)"),
                   "x": p.years.tolist(), "y": p.values.tolist(),
                   "line": {"color": style["color"], "dash": "dash", "width": 1.5},
                   "hovertemplate": f"{hover}<extra></extra>"})
    return traces


def _target_points(info: dict, unit: str) -> list[dict]:
    point = {"year": "%{x}", "value": "%{y:,.3~g}", "unit": unit}
    return [
        {"type": "scatter", "mode": "markers+text", "name": _("Baseline"),
         "x": [int(info["baseline_year"])], "y": [info["baseline"]], "text": [_("baseline")],
         "textposition": "bottom center", "textfont": {"size": 10}, "cliponaxis": False,
         "marker": {"symbol": "circle-open", "size": 12, "color": "#222222",
                    "line": {"width": 2}},
         "hovertemplate": _("Baseline {year}: {value} {unit}").format(**point)
                          + "<extra></extra>"},
        {"type": "scatter", "mode": "markers+text", "name": _("Target"),
         "x": [int(info["target_year"])], "y": [info["target"]], "text": [_("target")],
         "textposition": "top center", "textfont": {"size": 10}, "cliponaxis": False,
         "marker": {"symbol": "star", "size": 15, "color": "#222222"},
         "hovertemplate": _("Target {year}: {value} {unit}").format(**point)
                          + "<extra></extra>"},
    ]
