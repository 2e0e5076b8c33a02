"""The collaboration survey's results: factor scores, agreement, response rates, and the
rule that small groups are never shown.

Scoring (docs/method.md, "The collaboration survey"): a reversed item counts
6 - x; a respondent's factor score is the mean of the items they answered in
that factor; a factor's result for a group (all respondents, or one actor type)
is the mean of its respondents' scores, with n, the share of answered items
that agree (4-5), the distribution over the five answers and the share of
"don't know". "Don't know" is missing, never a number.

Suppression: a group of fewer than `min_n` respondents is never shown, and no
two shown figures may give it away by difference: within a round and factor,
while the suppressed actor types together hold fewer than `min_n`
respondents, the smallest shown actor type is suppressed too; when none is
left, the total is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.limits import ACTOR_TYPES
from evaluation.words import N_

ALL = "all"  # the group of every respondent (an id, like the actor types)
# How each group reads (ids are never translated; show these as `_(ACTOR_TYPE_LABELS[id])`).
ACTOR_TYPE_LABELS = {
    ALL: N_("All respondents"), "municipality": N_("Municipality"), "state": N_("State"),
    "civil_society": N_("Civil society"), "business": N_("Business"),
    "citizens_users": N_("Citizens and users"), "research": N_("Research and education"),
    "other": N_("Other"),
}
RESULT_COLUMNS = ("partnership", "year", "factor", "actor_type", "n", "mean", "share_agree",
                  "share_1", "share_2", "share_3", "share_4", "share_5", "dont_know",
                  "suppressed", "upload_id")
RATE_COLUMNS = ("partnership", "year", "actor_type", "respondents", "partners",
                "partners_answering", "rate")
_LEVELS = (1, 2, 3, 4, 5)
_SHOWN = ["mean", "share_agree", *(f"share_{v}" for v in _LEVELS), "dont_know"]


@dataclass(frozen=True)
class SurveyResults:
    """Every round's factor results (suppression applied) and response rates."""

    results: pd.DataFrame
    rates: pd.DataFrame
    min_n: int

    def round(self, partnership: str, year: int) -> pd.DataFrame:
        r = self.results
        return r[(r["partnership"] == partnership) & (r["year"] == year)]

    def rounds_of(self, partnership: str) -> list[int]:
        r = self.results
        return sorted(int(y) for y in r.loc[r["partnership"] == partnership, "year"].unique())


def survey_results(answers: pd.DataFrame, instrument: pd.DataFrame, partners: pd.DataFrame,
                   min_n: int) -> SurveyResults:
    """Score every round in `answers` against `instrument`; suppress groups below `min_n`."""
    results = suppress(factor_results(answers, instrument), int(min_n))
    return SurveyResults(results, response_rates(answers, partners), int(min_n))


def factor_results(answers: pd.DataFrame, instrument: pd.DataFrame) -> pd.DataFrame:
    """Unsuppressed results: one row per round, factor and group ('all' and each actor type).

    Long because the respondent level and the item level are computed side by side, each
    once for the actor types and once for everyone.
    """
    if answers.empty or instrument.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    items = instrument.set_index("item")
    factor = answers["item"].map(items["factor"])
    reverse = answers["item"].map(items["reverse"]).fillna(False).astype(bool).to_numpy()
    known = factor.notna().to_numpy()
    value = pd.to_numeric(answers["value"], errors="coerce").to_numpy(dtype=float)
    scored = np.where(reverse, 6.0 - value, value)
    frame = pd.DataFrame({
        "partnership": answers["partnership"].to_numpy()[known],
        "year": answers["year"].to_numpy()[known].astype(np.int64),
        "respondent": answers["respondent"].to_numpy()[known],
        "actor_type": answers["actor_type"].to_numpy()[known],
        "factor": factor.to_numpy()[known],
        "score": scored[known],
        "upload_id": pd.to_numeric(answers["upload_id"]).to_numpy()[known],
    })
    for v in _LEVELS:
        frame[f"n_{v}"] = (frame["score"] == v).astype(np.int32)
    frame["n_dk"] = frame["score"].isna().astype(np.int32)
    round_keys = ["partnership", "year", "factor"]
    people = (frame.groupby([*round_keys, "actor_type", "respondent"], sort=False)
              .agg(score=("score", "mean")).reset_index())
    people = people[people["score"].notna()]
    counts = [f"n_{v}" for v in _LEVELS] + ["n_dk"]
    parts = []
    for keys in ([*round_keys, "actor_type"], round_keys):
        by_people = people.groupby(keys, sort=False).agg(n=("score", "size"),
                                                          mean=("score", "mean"))
        by_items = frame.groupby(keys, sort=False).agg(
            **{c: (c, "sum") for c in counts}, upload_id=("upload_id", "max"))
        part = by_items.join(by_people, how="left").reset_index()
        if "actor_type" not in keys:
            part["actor_type"] = ALL
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].fillna(0).astype(np.int64)
    answered = out[[f"n_{v}" for v in _LEVELS]].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        for v in _LEVELS:
            out[f"share_{v}"] = out[f"n_{v}"] / answered.where(answered > 0)
        out["share_agree"] = out["share_4"] + out["share_5"]
        out["dont_know"] = out["n_dk"] / (answered + out["n_dk"]).where(
            answered + out["n_dk"] > 0)
    out["suppressed"] = False
    return out[list(RESULT_COLUMNS)].sort_values(
        ["partnership", "year", "factor", "actor_type"], ignore_index=True)


def suppress(results: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Mark too small groups, and enough others that none can be worked out by difference;
    a suppressed row keeps its n but loses every figure."""
    if results.empty:
        return results.copy()
    r = results.sort_values(["partnership", "year", "factor", "actor_type"],
                            ignore_index=True)
    hidden = np.array(r["n"] < min_n, dtype=bool)
    keys = list(zip(r["partnership"], r["year"], r["factor"], strict=True))
    is_all = (r["actor_type"] == ALL).to_numpy()
    n = r["n"].to_numpy()
    start = 0
    while start < len(r):
        end = start
        while end < len(r) and keys[end] == keys[start]:
            end += 1
        _close_gaps(range(start, end), is_all, n, hidden, min_n)
        start = end
    r["suppressed"] = hidden
    r.loc[hidden, _SHOWN] = np.nan
    return r


def _close_gaps(rows: range, is_all: np.ndarray, n: np.ndarray, hidden: np.ndarray,
                min_n: int) -> None:
    """One round and factor: hide the smallest shown actor types (or the total) until the
    hidden actor types together hold at least `min_n` respondents or the total is hidden."""
    total = next((i for i in rows if is_all[i]), None)
    groups = sorted((i for i in rows if not is_all[i] and n[i] > 0), key=lambda i: (n[i], i))
    if total is None or hidden[total]:
        return
    while True:
        hidden_n = sum(int(n[i]) for i in groups if hidden[i])
        if hidden_n == 0 or hidden_n >= min_n:
            return
        shown = [i for i in groups if not hidden[i]]
        if not shown:
            hidden[total] = True
            return
        hidden[shown[0]] = True


def response_rates(answers: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Per round and actor type: respondents, partners active in the register that year,
    the partners at least one respondent named, and their share (NaN when no respondent
    named a partner: the rate is then not known)."""
    if answers.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RATE_COLUMNS})
    people = answers.drop_duplicates(["partnership", "year", "respondent"])[
        ["partnership", "year", "respondent", "actor_type", "partner"]]
    rows = []
    for (name, year), group in people.groupby(["partnership", "year"], sort=True):
        active = partners_active(partners, name, int(year))
        named = group["partner"].dropna()
        named = set(named[named.astype(str).str.strip() != ""])
        for actor in (ALL, *ACTOR_TYPES):
            mine = group if actor == ALL else group[group["actor_type"] == actor]
            register = active if actor == ALL else active[active["actor_type"] == actor]
            if mine.empty and register.empty:
                continue
            answering = int(register["partner"].isin(named).sum())
            rate = answering / len(register) if named and len(register) else np.nan
            rows.append((name, int(year), actor, len(mine), len(register), answering, rate))
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def partners_active(partners: pd.DataFrame, partnership: str, year: int) -> pd.DataFrame:
    """The register's partners of `partnership` in `year`: joined, and not left before."""
    p = partners[partners["partnership"] == partnership]
    left = pd.to_numeric(p["left_year"], errors="coerce")
    return p[(pd.to_numeric(p["joined_year"]) <= year) & (left.isna() | (left >= year))]


def factor_label(instrument: pd.DataFrame, language: str) -> dict[str, str]:
    """Factor id -> its name in `language` (else English, else the id)."""
    labels: dict[str, str] = {}
    for column in (f"factor_{language}", "factor_en"):
        if column in instrument:
            for factor, name in zip(instrument["factor"], instrument[column], strict=True):
                if isinstance(name, str) and name.strip() and factor not in labels:
                    labels[factor] = name.strip()
    for factor in instrument["factor"]:
        labels.setdefault(factor, str(factor).replace("_", " "))
    return labels


def statements(instrument: pd.DataFrame, language: str) -> pd.DataFrame:
    """The instrument's items in `language` (falling back to the main statement)."""
    column = f"statement_{language}"
    text = instrument["statement"]
    if column in instrument:
        own = instrument[column]
        text = own.where(own.notna() & (own.astype(str).str.strip() != ""), text)
    labels = factor_label(instrument, language)
    return pd.DataFrame({"item": instrument["item"], "factor": instrument["factor"],
                         "factor_name": instrument["factor"].map(labels), "statement": text,
                         "reverse": instrument["reverse"]})
