"""Charts of the collaboration survey: the factor profile of a round (diverging stacked
bars of agreement), the change since the previous round, and the gaps between actor
types. Pure builders like `figures`, plus the catalogue entries pages and the report use.

Greyscale: disagreement is hatched and agreement solid, each side from light to
dark; rounds and actor types differ by marker shape as well as by colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evaluation.method.model import Evaluation
from evaluation.method.survey import ACTOR_TYPE_LABELS, group_label
from evaluation.output.charts import Chart
from evaluation.output.survey_views import RoundView, change_since
from evaluation.output.theme import GROUP_COLOURS, base_layout, safe, wrap
from evaluation.words import N_, _

# The five answers: colour, hatch, label (shown as _()).
ANSWER_STYLE = (
    ("#8C510A", "x", N_("Strongly disagree")),
    ("#D8B365", "/", N_("Disagree")),
    ("#E0E0E0", "", N_("Neither")),
    ("#5AB4AC", "", N_("Agree")),
    ("#01665E", "", N_("Strongly agree")),
)
def _layout(title: str, subtitle: str, height: int) -> dict:
    """The theme's layout with the title from the figure's left edge, not the plot's: the
    factor names take the left third, and a partnership's long name needs the width."""
    layout = base_layout(title, subtitle, height)
    layout["title"].update({"xref": "container", "x": 0.01})
    layout["margin"]["l"] = 10
    return layout


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross")
_AXIS = {"range": [0.8, 5.2], "dtick": 1, "tick0": 1, "tickformat": "d"}


def _label(row: pd.Series, min_n: int) -> str:
    """The factor's name, and below it its mean and n (or why it is not shown)."""
    if row["suppressed"]:
        figures = _("n = {n}: under {min}, not shown").format(n=int(row["n"]), min=min_n)
    else:
        figures = _("mean {mean:.1f} · n = {n}").format(mean=row["mean"], n=int(row["n"]))
    return f"{wrap(str(row['factor_name']), 34, 1)}<br>{safe(figures)}"


def build_profile_figure(profile: pd.DataFrame, *, title: str, subtitle: str, min_n: int,
                         height: int | None = None) -> go.Figure | None:
    """Diverging stacked bars: disagreement left of 0, agreement right, 'neither' split
    across the middle; factors sorted by their mean, the best on top."""
    if profile.empty:
        return None
    rows = profile.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [_label(r, min_n) for _i, r in rows.iterrows()]
    shares = {v: (rows[f"share_{v}"].fillna(0) * 100).round(1).tolist() for v in range(1, 6)}
    halves = [x / 2 for x in shares[3]]
    data = []
    left = [(2, shares[2]), (1, shares[1])]
    for v, values in [(3, halves), *left]:
        data.append(_bar(v, [-x for x in values], labels, shares[v], v != 3))
    for v, values in [(3, halves), (4, shares[4]), (5, shares[5])]:
        data.append(_bar(v, values, labels, shares[v], True))
    layout = _layout(title, subtitle, height or 170 + 46 * len(rows))
    layout.update({
        "barmode": "relative", "bargap": 0.3,
        "xaxis": {"range": [-100, 100], "tickvals": [-100, -50, 0, 50, 100],
                  "ticktext": ["100 %", "50 %", "0", "50 %", "100 %"], "zeroline": True,
                  "zerolinecolor": "#444444", "title": {"text": _(
                      "← disagree · share of answers · agree →")}},
        "yaxis": {"automargin": True, "ticks": ""},
        "legend": {**layout["legend"], "traceorder": "normal"},
    })
    return go.Figure({"data": data, "layout": layout})


def _bar(value: int, x: list[float], labels: list[str], shown: list[float],
         legend: bool) -> dict:
    colour, hatch, name = ANSWER_STYLE[value - 1]
    word = _(name)
    return {"type": "bar", "orientation": "h", "x": x, "y": labels, "name": word,
            "legendgroup": str(value), "showlegend": legend, "legendrank": value,
            "marker": {"color": colour, "line": {"color": "white", "width": 0.5},
                       "pattern": {"shape": hatch, "fgcolor": "#FFFFFF", "size": 6,
                                   "fillmode": "overlay"}},
            "customdata": shown, "hovertemplate": f"%{{y}}<br>{safe(word)}: "
                                                  "%{customdata:.0f} %<extra></extra>"}


def build_change_figure(change: pd.DataFrame, *, before: int, now: int, title: str,
                        subtitle: str, height: int | None = None) -> go.Figure | None:
    """Each factor's mean in the previous round (hollow) and this one (filled), joined."""
    if change.empty:
        return None
    rows = change.iloc[::-1]
    labels = [wrap(str(n), 34, 2) for n in rows["factor_name"]]
    lines_x, lines_y = [], []
    for b, n, label in zip(rows["before"], rows["now"], labels, strict=True):
        lines_x += [b, n, None]
        lines_y += [label, label, None]
    data = [
        {"type": "scatter", "mode": "lines", "x": lines_x, "y": lines_y, "showlegend": False,
         "line": {"color": "#999999", "width": 2}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": str(before), "x": rows["before"].tolist(),
         "y": labels, "marker": {"symbol": "circle-open", "size": 11, "color": "#555555",
                                 "line": {"width": 2}},
         "hovertemplate": f"%{{y}}<br>{before}: %{{x:.2f}}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": str(now), "x": rows["now"].tolist(),
         "y": labels, "marker": {"symbol": "circle", "size": 12, "color": "#0072B2"},
         "hovertemplate": f"%{{y}}<br>{now}: %{{x:.2f}}<extra></extra>"},
    ]
    layout = _layout(title, subtitle, height or 150 + 36 * len(rows))
    layout.update({"xaxis": {**_AXIS, "title": {"text": _(
        "Mean (1 strongly disagree … 5 strongly agree)")}, "gridcolor": "#E5E5E5"},
        "yaxis": {"automargin": True, "ticks": ""}})
    return go.Figure({"data": data, "layout": layout})


def build_gap_figure(gaps: pd.DataFrame, *, title: str, subtitle: str,
                     height: int | None = None) -> go.Figure | None:
    """Each actor type's mean per factor (shown groups only); the widest gap first."""
    if gaps.empty:
        return None
    order = list(dict.fromkeys(gaps["factor_name"]))[::-1]
    labels = {f: wrap(str(f), 34, 2) for f in order}
    data = []
    actors = [a for a in ACTOR_TYPE_LABELS if a in set(gaps["actor_type"])]
    for n, actor in enumerate(actors):
        rows = gaps[gaps["actor_type"] == actor]
        name = group_label(actor)
        data.append({
            "type": "scatter", "mode": "markers", "name": name,
            "x": rows["mean"].round(2).tolist(), "y": [labels[f] for f in rows["factor_name"]],
            "marker": {"symbol": SYMBOLS[n % len(SYMBOLS)], "size": 11,
                       "color": GROUP_COLOURS[n % len(GROUP_COLOURS)],
                       "line": {"color": "#222222", "width": 1}},
            "customdata": rows["n"].tolist(),
            "hovertemplate": f"%{{y}}<br>{safe(name)}: %{{x:.2f}} (n = %{{customdata}})"
                             "<extra></extra>"})
    layout = _layout(title, subtitle, height or 170 + 36 * len(order))
    layout.update({"xaxis": {**_AXIS, "title": {"text": _(
        "Mean (1 strongly disagree … 5 strongly agree)")}, "gridcolor": "#E5E5E5"},
        "yaxis": {"automargin": True, "ticks": "", "categoryorder": "array",
                  "categoryarray": [labels[f] for f in order]}})
    return go.Figure({"data": data, "layout": layout})


def survey_charts(ev: Evaluation, view: RoundView) -> list[Chart]:
    """The round's profile, its change since the previous round, and the gaps.

    Long because it is the catalogue of a round's charts, one entry after another."""
    as_of = ev.snapshot.describe_as_of()
    years = (view.previous or view.year, view.year)
    base = _("{n} respondents · groups under {min} are not shown").format(
        n=view.respondents, min=view.min_n)
    hidden = view.hidden_groups
    if hidden:
        base += " · " + _("not shown for: {groups}").format(groups=", ".join(hidden))
    profile_title = _("{partnership}: collaboration survey {year}").format(
        partnership=view.partnership, year=view.year)
    profile = view.profile
    charts = [Chart(
        "survey_profile", profile_title,
        lambda compact: build_profile_figure(profile, title=profile_title,
                                             subtitle=f"{base} · {as_of}", min_n=view.min_n),
        profile[["factor", "factor_name", "n", "mean", "share_agree", "share_1", "share_2",
                 "share_3", "share_4", "share_5", "dont_know", "suppressed"]],
        view.partnership, (view.year, view.year), as_of, None,
        _("No survey results for this round."))]
    change = change_since(ev, view)
    if view.previous is not None:
        change_title = _("{partnership}: change since the {before} survey").format(
            partnership=view.partnership, before=view.previous)
        charts.append(Chart(
            "survey_change", change_title,
            lambda compact: build_change_figure(change, before=view.previous, now=view.year,
                                                title=change_title, subtitle=as_of),
            change, view.partnership, years, as_of, None,
            _("No factor can be compared with the previous round.")))
    gaps = view.gaps()
    gap_title = _("{partnership}: actor types compared, {year}").format(
        partnership=view.partnership, year=view.year)
    gap_note = _("How equal is the partnership? Each actor type's mean, the widest gap on top")
    charts.append(Chart(
        "survey_gaps", gap_title,
        lambda compact: build_gap_figure(gaps, title=gap_title,
                                         subtitle=f"{gap_note} · {base} · {as_of}"),
        gaps[["factor", "factor_name", "actor_type", "n", "mean", "widest_gap"]],
        view.partnership, (view.year, view.year), as_of, None,
        _("No actor type has enough respondents to be shown on its own.")))
    return charts
