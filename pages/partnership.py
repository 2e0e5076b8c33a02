"""Partnership: profile, horizon chart, who takes part, every indicator with its path."""

from __future__ import annotations

from datetime import date

import streamlit as st

import ui
from evaluation.figures import build_group_figure, build_horizon_figure, build_indicator_figure
from evaluation.horizon import phase
from evaluation.method import status_words
from evaluation.scores import PILLAR_NAMES
from evaluation.theme import PILLAR_STYLE
from evaluation.views import indicator_panels, partnership_view

ui.page_setup()

with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
ui.sidebar()
names = snap.partnerships["partnership"].tolist()
if not names:
    st.title("Partnership")
    st.info("There are no partnerships yet. Evaluators can add them on the Upload page.")
    st.stop()

name = ui.choose("Partnership", names, "partnership")
with ui.guarded():
    view = partnership_view(result, name)
low, high = ui.choose_years(view.first_year, view.last_year, int(view.profile["start_year"]))
profile, today = view.profile, date.today().year
start, horizon = int(profile["start_year"]), int(profile["horizon_years"])
weights, as_of, years = result.settings.describe_weights(), ui.as_of_text(snap), f"{low}–{high}"

st.title(view.name)
st.caption(ui.plain(
    f"{profile['municipality'] or ''} · started {start} · {horizon}-year horizon "
    f"({start}–{view.horizon_end}) · in {today}: year {today - start + 1} of {horizon}, "
    f"{phase(today, start, horizon)} · {as_of}"))
about, members = st.columns([3, 2])
about.markdown("**Purpose**  \n" + (ui.plain(profile["purpose"]) or "Not given."))
if profile.get("description"):
    about.markdown(ui.plain(profile["description"]))
members.markdown(f"**Lead / backbone:** {ui.plain(profile['lead']) or 'not given'}")
members.markdown("**Partners**  \n" + (ui.plain(profile["partners"]) or "Not listed."))

scored = view.scores.dropna(subset=["balanced"])
if not scored.empty:
    latest = scored.iloc[-1]
    previous = scored.iloc[-2] if len(scored) > 1 else None
    for col, key in zip(st.columns(4), ["balanced", *PILLAR_NAMES], strict=True):
        delta = None if previous is None else f"{(latest[key] - previous[key]) * 100:+.0f} points"
        counted = "" if key == "balanced" else (
            f" · {int(latest[key + '_counted'])} of {int(latest[key + '_defined'])} "
            "indicators counted")
        col.metric(f"{PILLAR_STYLE[key]['label']} {int(latest['year'])}", f"{latest[key]:.0%}",
                   delta, help="Share of the way from baseline to target; change since the "
                   f"year before{counted}")

st.header("Horizon")
scores = view.scores_between(low, high)
fig = build_horizon_figure(scores, start, horizon, view.events_between(low, high),
                           years=(low, high), subtitle=f"{weights} · {as_of}",
                           title=f"{view.name}: pillar scores and balanced index, {years}")
ui.chart(fig, scores, key="horizon", empty="No scores yet: scores need indicators with a "
         "baseline and target and at least one observation.")

st.header("Who takes part")
split = view.groups.drop_duplicates("indicator")
if split.empty:
    st.info("No observations split by group (such as partners by actor type) yet.")
else:
    labels = dict(zip(split["indicator"], split["name"], strict=True))
    chosen = st.selectbox("Indicator split by group", list(labels),
                          format_func=lambda c: f"{c} · {labels[c]}")
    rows = view.groups_of(chosen, low, high)
    fig = build_group_figure(rows, title=f"{view.name}: {labels[chosen].lower()} by group, "
                             f"{years}", unit=split.set_index("indicator").loc[chosen, "unit"],
                             first_year=low, last_year=high, subtitle=as_of)
    ui.chart(fig, rows[["year", "group", "value", "unit", "source", "note"]], key="groups",
             empty="No group rows in the years shown.")

st.header("Indicators")
if view.indicators.empty:
    st.info("No indicator has observations yet.")
    st.stop()
st.dataframe(
    view.indicators[["pillar", "indicator", "name", "year", "value", "unit", "target",
                     "target_year", "progress", "status_text", "vs_expected", "projection"]],
    hide_index=True, width="stretch",
    column_config={
        "pillar": "Pillar", "indicator": "Code", "name": "Indicator", "value": "Value",
        "unit": "Unit", "target": "Target",
        "progress": st.column_config.ProgressColumn("Progress", format="percent",
                                                    min_value=0.0, max_value=1.0),
        "status_text": "Status", "vs_expected": "vs expected path",
        "year": st.column_config.NumberColumn("Latest year", format="%d"),
        "target_year": st.column_config.NumberColumn("Target year", format="%d"),
        "projection": "Target reached at current pace"})
st.caption("In each chart: ● observed (grey before the baseline) · ○ baseline · ★ target · "
           "dotted: the expected path · dashed: projection at the current pace, with its "
           f"{result.settings.projection_level:.0%} band.")
panels = indicator_panels(result, view, low, high)
for pillar in PILLAR_NAMES:
    mine = [p for p in panels if p.info["pillar"] == pillar]
    if mine:
        st.subheader(PILLAR_STYLE[pillar]["label"])
    cols = st.columns(2)
    for n, panel in enumerate(mine):
        info = panel.info
        with cols[n % 2]:
            fig = build_indicator_figure(
                panel.observations, info, expected=panel.expected, projection=panel.projection,
                first_year=low, last_year=max(high, view.horizon_end), title=info["name"],
                subtitle=f"{info['indicator']} · {status_words(info['status'])}", compact=True)
            ui.chart(fig, panel.assessed, key=f"ind_{info['indicator']}",
                     empty=f"{info['name']}: no observations in the years shown.")

st.header("What happened when")
if view.events.empty:
    st.write("No events recorded.")
else:
    st.dataframe(view.events[["year", "event"]], hide_index=True, width="stretch",
                 column_config={"year": st.column_config.NumberColumn("Year", format="%d")})
if not view.commentary.empty:
    st.header("Evaluator's commentary")
    for row in view.commentary.sort_values("year", ascending=False).itertuples():
        st.markdown(f"**{int(row.year)}**  \n{ui.plain(row.commentary)}")
