"""Partnership: profile, horizon chart, who takes part, every indicator, the annual report."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import ui
import ui_tables
from evaluation.intake.edits import save_commentary
from evaluation.limits import MAX_COMMENTARY
from evaluation.method.horizon import PATH_WORDS, PHASE_WORDS, phase
from evaluation.method.scores import PILLAR_NAMES
from evaluation.method.settings import PILLAR_WORDS
from evaluation.output.exports import safe_filename
from evaluation.output.render import INSTALL_HINT, browser_available
from evaluation.output.report import annual_report_pdf, annual_report_zip
from evaluation.output.survey_views import partner_register
from evaluation.output.theme import PILLAR_STYLE
from evaluation.words import _, figure, percent


def _figure(value: object) -> str:
    return "" if value is None or pd.isna(value) else figure(float(value))


def _year(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


ui.page_setup()
with ui.guarded():
    result = ui.evaluation()
    snap = result.snapshot
ui.sidebar()
names = snap.partnerships["partnership"].tolist()
if not names:
    st.title(_("Partnership"))
    st.info(_("There are no partnerships yet. Evaluators can add them on the Upload page."))
    st.stop()

name = ui.choose(_("Partnership"), names, "partnership")
with ui.guarded():
    view = ui.partnership(name)
    low, high = ui.choose_years(view.first_year, view.last_year, int(view.profile["start_year"]))
    chart_list = ui.partnership_page_charts(name, low, high)
profile, today = view.profile, date.today().year
start, horizon = int(profile["start_year"]), int(profile["horizon_years"])

st.title(ui.plain(view.name))
st.caption(ui.plain(
    _("{municipality} · started {start} · {horizon}-year horizon ({start}–{end}) · in "
      "{today}: year {year} of {horizon}, {phase} · {as_of}").format(
        municipality=profile["municipality"] or "", start=start, horizon=horizon,
        end=view.horizon_end, today=today, year=today - start + 1,
        phase=_(PHASE_WORDS[str(phase(today, start, horizon))]), as_of=ui.as_of_text(snap))))
about, members = st.columns([3, 2])
about.markdown(_("**Purpose**") + "  \n" + (ui.plain(profile["purpose"]) or _("Not given.")))
if profile.get("description"):
    about.markdown(ui.plain(profile["description"]))
members.markdown(_("**Lead / backbone:** {lead}").format(
    lead=ui.plain(profile["lead"]) or _("not given")))
if profile.get("leadership"):
    members.markdown(_("**Leadership and progress**") + "  \n" + ui.plain(profile["leadership"]))
members.markdown(_("**Duration:** {start}–{end} ({horizon} years)").format(
    start=start, end=view.horizon_end, horizon=horizon))
if profile.get("termination"):
    members.markdown(_("**Leaving and ending**") + "  \n" + ui.plain(profile["termination"]))
register = partner_register(result, view.name)
if register.empty:
    members.markdown(_("**Partners**") + "  \n" + (ui.plain(profile["partners"])
                                                   or _("Not listed.")))
else:
    current = register[~register["years"].str.contains(_("(left)"), regex=False)]
    members.markdown(_("**Partners by actor type**") + "  \n" + ui.plain(" · ".join(
        f"{actor} {n}" for actor, n in current["actor_type"].value_counts(sort=False).items())))
    # Filled when opened: the interactive grid's code is half a second of a page's drawing.
    partners = st.expander(_("The partners: who they are, what each contributes and commits "
                             "to ({n} in the register)").format(n=len(register)),
                           key="partners", on_change="rerun")
    if partners.open:
        partners.dataframe(register, hide_index=True, width="stretch", column_config={
            "actor_type": _("Actor type"), "partner": _("Partner"), "role": _("Role"),
            "years": _("Member"), "contribution": _("Contributes"),
            "commitment": _("Commits to")})

scored = view.scores.dropna(subset=["balanced"])
if not scored.empty:
    latest = scored.iloc[-1]
    previous = scored.iloc[-2] if len(scored) > 1 else None
    for col, key in zip(st.columns(4), ["balanced", *PILLAR_NAMES], strict=True):
        delta = None if previous is None else _("{change:+.0f} points").format(
            change=(latest[key] - previous[key]) * 100)
        counted = "" if key == "balanced" else _(
            " · {counted} of {defined} indicators counted").format(
                counted=int(latest[key + "_counted"]), defined=int(latest[key + "_defined"]))
        col.metric(f"{_(PILLAR_STYLE[key]['label'])} {int(latest['year'])}",
                   percent(latest[key]), delta,
                   help=_("Share of the way from baseline to target; change since the "
                          "year before{counted}").format(counted=counted))

charts = {c.key: c for c in chart_list}
st.header(_("Horizon"))
ui.chart(charts["horizon"])

st.header(_("Who takes part"))
groups = [c for key, c in charts.items() if key.startswith("groups_")]
if not groups:
    st.info(_("No observations split by group (such as partners by actor type) yet."))
else:
    labels = {c.key: c.title.split(": ", 1)[-1] for c in groups}
    chosen = st.selectbox(_("Indicator split by group"), list(labels), format_func=labels.get)
    ui.chart(charts[chosen])

st.header(_("Indicators"))
if view.indicators.empty:
    st.info(_("No indicator has observations yet."))
else:
    # A static table, not the interactive grid: the grid's code is half a second of the
    # page's drawing in the browser, and a static table prints whole.
    rows = view.indicators
    ui_tables.static_table(pd.DataFrame({
        _("Pillar"): [_(PILLAR_WORDS.get(p, p)) for p in rows["pillar"]],
        _("Code"): rows["indicator"], _("Indicator"): rows["name"],
        _("Latest year"): rows["year"].map(_year), _("Value"): rows["value"].map(_figure),
        _("Unit"): rows["unit"], _("Target"): rows["target"].map(_figure),
        _("Target year"): rows["target_year"].map(_year),
        _("Progress"): rows["progress"].map(lambda v: "" if pd.isna(v) else percent(v)),
        _("Status"): rows["status_text"],
        _("vs expected path"): rows["vs_expected"].map(
            lambda v: _(PATH_WORDS[v]) if v in PATH_WORDS else v),
        _("Target reached at current pace"): rows["projection"]}), right=(3, 4, 6, 7, 8))
    st.caption(_("In each chart: ● observed (grey before the baseline) · ○ baseline · ★ target "
                 "· dotted: the expected path · dashed: projection at the current pace, with "
                 "its {level:.0%} band.").format(level=result.settings.projection_level))
    for pillar in PILLAR_NAMES:
        codes = view.indicators.loc[view.indicators["pillar"] == pillar, "indicator"].tolist()
        if codes:
            st.subheader(_(PILLAR_STYLE[pillar]["label"]))
        cols = st.columns(2)
        for n, code in enumerate(codes):
            with cols[n % 2]:
                ui.chart(charts[f"indicator_{code}"], compact=True)

st.header(_("What happened when"))
if view.events.empty:
    st.write(_("No events recorded."))
else:
    ui_tables.static_table(pd.DataFrame({_("Year"): view.events["year"].map(_year),
                                  _("Event"): view.events["event"]}))

st.header(_("Evaluator's commentary"))
for row in view.commentary.sort_values("year", ascending=False).itertuples():
    st.markdown(f"**{int(row.year)}**  \n{ui.plain(row.commentary)}")
if view.commentary.empty:
    st.write(_("No commentary written yet."))
if ui.can_write() and (editor := st.expander(_("Write or change the commentary for a year"),
                                             key="commentary_editor", on_change="rerun")).open:
    with editor:
        years = list(range(view.last_year, start - 1, -1))
        year = st.selectbox(_("Year"), years, index=years.index(min(max(start, today - 1),
                                                                 view.last_year)))
        stored = view.commentary.loc[view.commentary["year"] == year, "commentary"]
        with st.form("commentary"):
            text = st.text_area(_("Commentary (plain text; empty removes it)"),
                                stored.iloc[0] if len(stored) else "", max_chars=MAX_COMMENTARY)
            if st.form_submit_button(_("Save commentary"), type="primary"):
                with ui.guarded():
                    ui.require_evaluator()
                    saved = save_commentary(ui.get_store(), view.name, year, text,
                                            ui.current_user())
                st.session_state["commentary_saved"] = (
                    _("Saved as upload {upload}.").format(upload=saved) if saved
                    else _("Nothing changed."))
                st.rerun()
if message := st.session_state.pop("commentary_saved", None):
    st.success(message)

st.header(_("Annual report"))
report_years = list(range(view.last_year, start - 1, -1))
year = st.selectbox(_("Report year"), report_years,
                    index=report_years.index(view.latest_year or view.last_year)
                    if (view.latest_year or view.last_year) in report_years else 0)
st.caption(ui.plain(_("A4 report: summary, horizon, who takes part, every indicator with its "
                      "chart and table, the year's events and commentary. {as_of}.").format(
                          as_of=ui.as_of_text(snap))))
left, right = st.columns(2)
stem = f"{view.name}_annual-report_{year}"
version = f"{snap.upload_id}:{year}"
with left:
    ui.prepared_download(_("the annual report (PDF)"),
                         lambda: annual_report_pdf(result, view.name, year),
                         file_name=safe_filename(stem, ext="pdf"), mime="application/pdf",
                         version=version, disabled=not browser_available())
with right:
    ui.prepared_download(_("the chart pack (ZIP: PNG, SVG, CSV)"),
                         lambda: annual_report_zip(result, view.name, year),
                         file_name=safe_filename(stem, ext="zip"), mime="application/zip",
                         version=version)
if not browser_available():
    st.info(_(INSTALL_HINT))
