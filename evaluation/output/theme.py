"""One look for every chart: pillar colours, fonts, whole-year axes, titles that say what.

Colours are Okabe-Ito (safe for colour-blind readers); every pillar also has its
own dash and marker, so a greyscale print still tells them apart. The dashboard
and every export use these same settings, through the figure builders.
"""

from __future__ import annotations

import html
from typing import Any

from evaluation.text import printable
from evaluation.words import N_, _, plotly_separators

# Labels are marked for the catalogue; show them as `_(PILLAR_STYLE[key]["label"])`.
PILLAR_STYLE: dict[str, dict[str, Any]] = {
    "involvement": {"color": "#0072B2", "dash": "solid", "symbol": "circle",
                    "label": N_("Involvement")},
    "process": {"color": "#E69F00", "dash": "dash", "symbol": "square", "label": N_("Process")},
    "outcome": {"color": "#009E73", "dash": "dot", "symbol": "diamond", "label": N_("Outcome")},
    "balanced": {"color": "#222222", "dash": "solid", "symbol": "star",
                 "label": N_("Balanced index")},
}
# Statuses without a target share the colour of their counterpart and add a hatch.
TREND_PATTERN = "/"
STATUS_COLOURS = {
    "achieved": "#009E73", "on_track": "#0072B2", "moderate": "#56B4E9",
    "insufficient": "#E69F00", "away": "#D55E00", "improving": "#0072B2",
    "slightly_improving": "#56B4E9", "slightly_worsening": "#E69F00", "worsening": "#D55E00",
    "insufficient_data": "#999999",
}
# Actor types and other groups: Okabe-Ito without the pillar colours' exact hues first,
# plus bar patterns so stacked groups stay distinct in greyscale.
GROUP_COLOURS = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00",
                 "#999999", "#F0E442"]  # yellow last: faint as a line on white
GROUP_PATTERNS = ["", "/", ".", "x", "\\", "-", "+", "|"]
SERIES_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
PHASE_FILLS = {"early": "#F2F2F2", "middle": "#E6E6E6", "later": "#D9D9D9"}
PHASE_LABELS = {"early": N_("Early years"), "middle": N_("Middle years"),
                "later": N_("Later years")}  # shown as _(PHASE_LABELS[phase])


def safe(text: object) -> str:
    """User text as plain chart text: plotly reads <b>, <br> and <a href> in labels and
    %{...} in hover templates, and a control character (an ESC from an old store)
    makes an SVG invalid XML."""
    # "%{" would start a hovertemplate placeholder; as a character reference it is shown
    # as written and never substituted.
    return html.escape(printable(text), quote=False).replace("%{", "%&#123;")


def year_axis(first: int, last: int, title: str | None = None, *,
              max_ticks: int = 16) -> dict[str, Any]:
    """A calendar-year axis with whole years only (never 2,015.5), at most `max_ticks`
    labels (small multiples pass fewer, so four-digit years never touch); titled 'Year'
    unless `title` says otherwise."""
    if title is None:
        title = _("Year")
    span = max(last - first, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s < max_ticks)
    return {"title": {"text": title}, "tickformat": "d", "dtick": step, "tick0": first,
            "range": [first - 0.5, last + 0.5], "showgrid": False, "ticks": "outside"}


def _lines(text: str, width: int = 90) -> list[str]:
    """Split at ' · ' into lines of at most `width` characters (plotly does not wrap)."""
    lines: list[str] = []
    for part in text.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


# What every chart takes from plotly's default template, and nothing else: the default
# travels whole in each figure's JSON (7 KB of a 10 KB chart, 31 times on a partnership
# page), while these few settings keep every chart looking as it did.
COMPACT_TEMPLATE = {
    "layout": {
        "autotypenumbers": "strict", "hoverlabel": {"align": "left"},
        "colorway": ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3",
                     "#FF6692", "#B6E880", "#FF97FF", "#FECB52"],
        **{axis: {"gridcolor": "white", "linecolor": "white", "ticks": "",
                  "title": {"standoff": 15}, "zerolinecolor": "white", "automargin": True,
                  "zerolinewidth": 2} for axis in ("xaxis", "yaxis")},
        "shapedefaults": {"line": {"color": "#2a3f5f"}},
        "annotationdefaults": {"arrowcolor": "#2a3f5f", "arrowhead": 0, "arrowwidth": 1},
    },
    "data": {
        "bar": [{"type": "bar", "marker": {
            "line": {"color": "#E5ECF6", "width": 0.5},
            "pattern": {"fillmode": "overlay", "size": 10, "solidity": 0.2}}}],
        "scatter": [{"type": "scatter",
                     "fillpattern": {"fillmode": "overlay", "size": 10, "solidity": 0.2}}],
    },
}


def base_layout(title: str, subtitle: str = "", height: int = 420, wrap: int = 90
                ) -> dict[str, Any]:
    """Layout shared by every chart: title and subtitle (lines of at most `wrap`
    characters), fonts, legend, margins."""
    sub = _lines(subtitle, wrap) if subtitle else []
    return {
        "title": {"text": safe(title), "x": 0.0, "xanchor": "left", "xref": "paper",
                  "subtitle": {"text": "<br>".join(safe(line) for line in sub)},
                  "font": {"size": 17}},
        "font": {"family": FONT, "size": 13, "color": "#222222"},
        "paper_bgcolor": "white", "plot_bgcolor": "white", "height": height,
        "margin": {"l": 70, "r": 30, "t": 70 + 18 * len(sub), "b": 110},
        # Anchored to the figure's bottom edge, below the axis title, never on it.
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01,
                   "x": 0.0},
        "hovermode": "closest",
        "yaxis": {"gridcolor": "#E5E5E5", "zeroline": False, "ticks": "outside"},
        "separators": plotly_separators(),  # ticks and hover in the reader's marks
        "template": COMPACT_TEMPLATE,
    }


def with_gaps(years, values) -> tuple[list, list]:
    """Years and values with None in missing years, so a line breaks where data is missing
    (plotly draws a straight line across absent rows otherwise)."""
    pairs = sorted(zip((int(y) for y in years), values, strict=True))
    if not pairs:
        return [], []
    known = dict(pairs)
    full = range(pairs[0][0], pairs[-1][0] + 1)
    return list(full), [known.get(y) for y in full]


def gap_bridge(years, values, color: str) -> dict:
    """A faint dotted line joining observations across missing years, drawn under the
    solid line: the trend stays readable and the gap stays visible."""
    pairs = sorted(zip((int(y) for y in years), values, strict=True))
    return {"type": "scatter", "mode": "lines", "x": [p[0] for p in pairs],
            "y": [p[1] for p in pairs], "line": {"color": color, "width": 1, "dash": "dot"},
            "opacity": 0.6, "hoverinfo": "skip", "showlegend": False}


def wrap(text: str, width: int = 28, lines: int = 2) -> str:
    """A label cut to `lines` lines of `width` characters (full text goes in the hover)."""
    words, out, current = safe(text).split(), [], ""
    for word in words:
        if len(current) + len(word) + 1 > width and current:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return "<br>".join(out)
