"""Settings: pillar weights, status thresholds, phase and expected-path parameters."""

from __future__ import annotations

import streamlit as st

import ui
from evaluation.intake.edits import save_settings
from evaluation.method.settings import SETTING_LABELS, SETTINGS
from evaluation.words import _, percent

ui.page_setup()

with ui.guarded():
    result = ui.evaluation()
ui.sidebar()
st.title(_("Settings"))
st.write(_("These parameters apply to every page, export and report. Each change is recorded "
           "as an upload (who and when) and can be undone on the Upload page; reports made "
           "for an earlier upload keep the settings that applied then. See docs/method.md."))
writable = ui.can_write()
if not writable:
    st.info(_("Only evaluators can change settings; you can read them here."))

current = result.settings.as_dict()
changes: dict[str, float] = {}
with st.form("settings"):
    for group in dict.fromkeys(s.group for s in SETTINGS):
        st.subheader(_(group))
        cols = st.columns(3)
        for n, s in enumerate(x for x in SETTINGS if x.group == group):
            if s.choices:
                value = cols[n % 3].selectbox(
                    _(SETTING_LABELS[s.name]), s.choices,
                    index=s.choices.index(min(s.choices, key=lambda c: abs(c - current[s.name]))),
                    format_func=percent, help=_(s.help), disabled=not writable,
                    key=f"setting_{s.name}")
                if abs(value - current[s.name]) > 1e-9:
                    changes[s.name] = value
                continue
            kind = int if s.integer else float  # whole numbers are shown as 2, not 2.00
            value = cols[n % 3].number_input(
                _(SETTING_LABELS[s.name]), min_value=kind(s.low),
                max_value=kind(s.high), value=kind(current[s.name]),
                step=kind(1) if s.integer else 0.01, help=_(s.help), disabled=not writable,
                key=f"setting_{s.name}")
            if value != current[s.name]:
                changes[s.name] = value
    submitted = st.form_submit_button(_("Save settings"), type="primary", disabled=not writable)
st.caption(result.settings.describe_weights())
if submitted:
    with ui.guarded():
        ui.require_evaluator()
        upload = save_settings(ui.get_store(), changes, ui.current_user()) if changes else None
    if upload:
        st.success(_("Saved as upload {upload}.").format(upload=upload))
        st.rerun()
    else:
        st.info(_("Nothing changed."))
