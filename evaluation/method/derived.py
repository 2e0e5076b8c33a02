"""Figures the dashboard derives rather than receives: from the partner register
(involvement) and from closed survey rounds (process).

They join the snapshot's observations as ordinary rows of the derived
indicators (`REG_*`, `SURVEY_*`, created in the store when a register or an
instrument is imported), so statuses, pillar scores and the balanced index
use them as soon as an evaluator sets a target. Each row's `source` says where
it comes from and `upload_id` names the upload that gave it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evaluation.limits import ACTOR_TYPES, survey_indicator_code
from evaluation.method.survey import ALL, SurveyResults

if TYPE_CHECKING:
    from evaluation.store.snapshot import Snapshot

REGISTER_SOURCE = "Derived from the partner register"
SURVEY_SOURCE = "Derived from the collaboration survey {year} (n = {n})"


def with_derived(snap: Snapshot, survey: SurveyResults) -> Snapshot:
    """`snap` with the register's and the survey's figures among its observations."""
    codes = set(snap.indicators["indicator"])
    frames = [register_figures(snap, codes), survey_figures(survey, codes)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return snap
    derived = pd.concat(frames, ignore_index=True)
    observations = pd.concat([snap.observations, derived.astype(
        {c: snap.observations[c].dtype for c in derived.columns
         if c in snap.observations and c != "value"}, errors="ignore")], ignore_index=True)
    return dataclasses.replace(snap, observations=observations.sort_values(
        ["partnership", "indicator", "group", "year"], ignore_index=True))


def register_figures(snap: Snapshot, codes: set[str]) -> pd.DataFrame:
    """Per partnership and year of its register: active partners, in total and by actor
    type, and how many actor types are represented.

    Years run from the partnership's start (or its first partner) to the last year the
    portfolio holds any figure or register change, within the horizon.

    Long because the partner-by-year matrix and the three kinds of rows it gives (the
    total, each actor type, the types represented) are one walk per partnership.
    """
    partners = snap.partners
    if partners.empty or "REG_PARTNERS" not in codes:
        return pd.DataFrame()
    last = _last_year(snap)
    rows = []
    starts = snap.partnerships.set_index("partnership")
    for name, group in partners.groupby("partnership", sort=True):
        joined = pd.to_numeric(group["joined_year"])
        left = pd.to_numeric(group["left_year"], errors="coerce")
        if name in starts.index:
            first = int(starts.at[name, "start_year"])
            end = min(last, first + int(starts.at[name, "horizon_years"]) - 1)
            first = min(first, int(joined.min()))
        else:
            first, end = int(joined.min()), last
        upload = int(snap.upload_id or 0)
        years = np.arange(first, end + 1)
        # partner x year: active from the year joined to the year left (both counted)
        active = (joined.to_numpy()[:, None] <= years) & (
            left.isna().to_numpy()[:, None] | (left.to_numpy()[:, None] >= years))
        actors = group["actor_type"].to_numpy()
        present = [a for a in ACTOR_TYPES if a in set(actors)]
        by_actor = {a: active[actors == a].sum(axis=0) for a in present}
        total = active.sum(axis=0)
        kinds = sum(active[actors == a].any(axis=0).astype(int) for a in set(actors))
        for k, year in enumerate(years.tolist()):
            rows.append((name, "REG_PARTNERS", year, "", float(total[k])))
            rows += [(name, "REG_PARTNERS", year, a, float(by_actor[a][k])) for a in present]
            if "REG_ACTOR_TYPES" in codes:
                rows.append((name, "REG_ACTOR_TYPES", year, "", float(kinds[k])))
    frame = pd.DataFrame(rows, columns=["partnership", "indicator", "year", "group", "value"])
    frame["source"] = REGISTER_SOURCE
    frame["note"] = None
    frame["upload_id"] = upload
    return frame


def survey_figures(survey: SurveyResults, codes: set[str]) -> pd.DataFrame:
    """Each factor's mean for all respondents of a round, where it may be shown."""
    r = survey.results
    if r.empty:
        return pd.DataFrame()
    r = r[(r["actor_type"] == ALL) & ~r["suppressed"].astype(bool) & r["mean"].notna()]
    code = r["factor"].map(survey_indicator_code)
    r = r[code.isin(codes)]
    if r.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "partnership": r["partnership"].to_numpy(),
        "indicator": code[r.index].to_numpy(),
        "year": r["year"].astype(int).to_numpy(),
        "group": "",
        "value": r["mean"].astype(float).to_numpy(),
        "source": [SURVEY_SOURCE.format(year=int(y), n=int(n))
                   for y, n in zip(r["year"], r["n"], strict=True)],
        "note": None,
        "upload_id": r["upload_id"].astype(int).to_numpy(),
    })


def _last_year(snap: Snapshot) -> int:
    years = [int(snap.observations["year"].max())] if not snap.observations.empty else []
    for column in ("joined_year", "left_year"):
        values = pd.to_numeric(snap.partners[column], errors="coerce").dropna()
        if not values.empty:
            years.append(int(values.max()))
    if not snap.answers.empty:
        years.append(int(snap.answers["year"].max()))
    return max(years) if years else 0
