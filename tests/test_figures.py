"""Figure builders: what is drawn, on which axes, and that user text stays plain text."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.method.model import evaluate
from evaluation.method.projection import project
from evaluation.output.figures import (
    build_group_figure,
    build_horizon_figure,
    build_indicator_figure,
)
from evaluation.output.portfolio_figures import (
    MAX_LINES,
    build_comparison_figure,
    build_portfolio_figure,
    build_status_figure,
)
from evaluation.output.theme import PILLAR_STYLE
from evaluation.output.views import (
    filter_portfolio,
    indicator_comparison,
    indicator_panels,
    partnership_view,
    portfolio_table,
    status_counts,
)
from evaluation.store.snapshot import read_snapshot

DRAMMEN = "Ungdomsløftet Drammen"


@pytest.fixture(scope="module")
def result(sample_template):
    from evaluation.store.connection import Store
    return evaluate(read_snapshot(Store(sample_template)))


def test_horizon_figure_has_pillars_index_phases_and_whole_years(result):
    view = partnership_view(result, DRAMMEN)
    fig = build_horizon_figure(view.scores, 2018, 10, view.events, title="t")
    names = [t.name for t in fig.data]
    assert names == ["Involvement", "Process", "Outcome", "Balanced index"]
    for trace, key in zip(fig.data, ["involvement", "process", "outcome", "balanced"],
                          strict=True):
        assert trace.line.color == PILLAR_STYLE[key]["color"]
        assert trace.line.dash == PILLAR_STYLE[key]["dash"]
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
    assert tuple(fig.layout.xaxis.range) == (2017.5, 2027.5)
    phases = [a.text for a in fig.layout.annotations if "years" in a.text]
    assert phases == ["Early years", "Middle years", "Later years"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == view.events["year"].nunique()
    assert "%" in fig.layout.yaxis.title.text


def test_future_years_are_gaps_not_zeros(result):
    view = partnership_view(result, DRAMMEN)
    fig = build_horizon_figure(view.scores, 2018, 10, view.events, title="t")
    balanced = dict(zip(fig.data[3].x, fig.data[3].y, strict=True))
    assert balanced[2027] is None or pd.isna(balanced[2027])
    assert fig.data[3].connectgaps is False


def test_no_scores_draws_nothing():
    empty = pd.DataFrame(columns=["year", "involvement", "process", "outcome", "balanced"])
    assert build_horizon_figure(empty, 2020, 6, pd.DataFrame(columns=["year", "event"]),
                                title="t") is None
    assert build_group_figure(pd.DataFrame(), title="t", unit="count") is None


def test_group_figure_stacks_groups_with_patterns(result):
    view = partnership_view(result, DRAMMEN)
    rows = view.groups[view.groups["indicator"] == "INV_PARTNERS"]
    fig = build_group_figure(rows, title="t", unit="count")
    assert fig.layout.barmode == "stack"
    assert len(fig.data) == rows["group"].nunique()
    shapes = {t.marker.pattern.shape for t in fig.data}
    assert len(shapes) == len(fig.data)  # greyscale-distinct
    assert fig.layout.yaxis.title.text == "count"


def test_indicator_figure_shows_target_baseline_path_projection_and_gaps(result):
    view = partnership_view(result, DRAMMEN)
    panel = next(p for p in indicator_panels(result, view, 2016, 2027)
                 if p.info["indicator"] == "OUT_NEET")
    fig = build_indicator_figure(panel.observations, panel.info, expected=panel.expected,
                                 projection=panel.projection, first_year=2016, last_year=2027,
                                 title="NEET")
    names = {t.name for t in fig.data}
    assert {"Observed", "Expected path", "Baseline", "Target",
            "Projection (current pace)"} <= names
    target = next(t for t in fig.data if t.name == "Target")
    assert list(target.x) == [int(panel.info["target_year"])]
    assert fig.layout.showlegend is not False
    compact = build_indicator_figure(panel.observations, panel.info, expected=panel.expected,
                                     projection=panel.projection, first_year=2016,
                                     last_year=2027, title="NEET", compact=True)
    assert compact.layout.showlegend is False


def test_missing_years_break_the_observed_line():
    series = pd.DataFrame({"year": [2020, 2021, 2023], "value": [1.0, 2.0, 4.0],
                           "source": ["a", "b", "c"], "note": ["", "", ""]})
    info = {"pillar": "process", "unit": "count", "target": None, "baseline_year": None}
    fig = build_indicator_figure(series, info, expected=pd.DataFrame(columns=["year", "value"]),
                                 projection=project([2020, 2021, 2023], [1, 2, 4], 2025),
                                 first_year=2020, last_year=2025, title="x")
    observed = next(t for t in fig.data if t.name == "Observed")
    assert list(observed.x) == [2020, 2021, 2022, 2023]
    assert observed.y[2] is None and observed.connectgaps is False


def test_portfolio_and_status_figures(result):
    table = portfolio_table(result, 2026)
    fig = build_portfolio_figure(table, title="t")
    assert {t.name for t in fig.data if t.name} == {"Involvement", "Process", "Outcome",
                                                    "Balanced index"}
    assert len(fig.data[1].y) == len(table)
    counts = status_counts(result)
    status = build_status_figure(counts, title="t")
    assert sum(sum(t.x) for t in status.data) == counts["count"].sum()
    trend = [t for t in status.data if t.legendgroup == "trend"]
    assert trend and all(t.marker.pattern.shape == "/" for t in trend)


def test_comparison_draws_lines_for_few_partnerships_and_bands_for_many(result):
    rows = indicator_comparison(result, "INV_PARTNERS")
    few = build_comparison_figure(rows, x="year", unit="count", title="t")
    assert {t.name for t in few.data if t.name} == set(rows["partnership"])
    many = pd.concat([rows.assign(partnership=rows["partnership"] + f" {n}")
                      for n in range(MAX_LINES)], ignore_index=True)
    fig = build_comparison_figure(many, x="year_of_horizon", unit="count", title="t",
                                  highlight=[f"{DRAMMEN} 3"])
    names = [t.name for t in fig.data if t.name]
    assert names[:3] == ["80 % of partnerships", "Middle half", "Median"]
    assert f"{DRAMMEN} 3" in names and len(fig.data) <= 6
    points = sum(len(t.x) for t in fig.data)
    assert points < 5_000


def test_user_text_is_escaped_in_titles_and_labels():
    series = pd.DataFrame({"year": [2020, 2021], "group": ["<b>bold</b>", "x"],
                           "value": [1, 2]})
    fig = build_group_figure(series, title="<a href='javascript:x'>P</a>", unit="count")
    assert "<a " not in fig.layout.title.text and "&lt;a" in fig.layout.title.text
    assert all("<b>" not in t.name for t in fig.data)


def test_a_report_year_hides_later_observations_from_every_panel(result):
    view = partnership_view(result, DRAMMEN, until=2021)
    panels = indicator_panels(result, view, 2016, 2027)
    assert panels
    for panel in panels:
        assert (panel.observations["year"] <= 2021).all()
        assert (panel.assessed["year"] <= 2021).all()
    later = indicator_panels(result, partnership_view(result, DRAMMEN), 2016, 2027)
    assert max(p.observations["year"].max() for p in later) > 2021


def test_portfolio_filters_combine_and_missing_scores_sort_last(result):
    table = portfolio_table(result, 2026)
    assert filter_portfolio(table).shape[0] == len(table)
    assert filter_portfolio(table, municipalities=["Bodø"])["partnership"].tolist() == [
        "Sammen mot ensomhet Bodø"]
    assert filter_portfolio(table, phases=["middle"])["partnership"].tolist() == [
        "Sammen mot ensomhet Bodø"]
    assert filter_portfolio(table, municipalities=["Drammen"], phases=["middle"]).empty
    status = table["statuses"].iloc[0][0]
    having = filter_portfolio(table, statuses=[status])
    assert all(status in s for s in having["statuses"]) and len(having) >= 1
    table = table.assign(balanced=[None] + [0.5] * (len(table) - 1))
    ranked = filter_portfolio(table, sort="balanced_high")
    assert pd.isna(ranked["balanced"].iloc[-1])
    assert table["horizon_position"].str.fullmatch(r"\d+ of \d+|ended \(\d+ years\)").all()


def test_a_unit_is_text_in_axis_titles_and_hover_never_markup_or_a_placeholder():
    import pandas as pd

    from evaluation.output.figures import build_group_figure
    from evaluation.output.portfolio_figures import build_comparison_figure

    unit = "<a href='http://evil'>%</a> %{customdata}"
    groups = pd.DataFrame({"year": [2024], "group": ["a"], "value": [1.0]})
    rows = pd.DataFrame({"partnership": [f"p{i}" for i in range(30)], "year": [2024] * 30,
                         "value": [float(i) for i in range(30)]})
    for fig in (build_group_figure(groups, title="t", unit=unit),
                build_comparison_figure(rows, x="year", unit=unit, title="t")):
        texts = [fig.layout.yaxis.title.text] + [t.hovertemplate or "" for t in fig.data]
        assert not any("<a " in t or "%{customdata}" in t.replace("%{customdata} partn", "")
                       for t in texts), texts
        assert "&lt;a href=" in fig.layout.yaxis.title.text
