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
from evaluation.words import N_, _

ALL = "all"  # the group of every respondent (an id, like the actor types)
# How each group reads (ids are never translated; shown through `group_label`).
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
    coded = _Coded.of(answers)
    results = suppress(factor_results(answers, instrument, coded), int(min_n))
    return SurveyResults(results, response_rates(answers, partners, coded), int(min_n))


@dataclass(frozen=True)
class _Coded:
    """The answers as integer codes: rounds, respondents (people) and actor types.

    Two million answers are grouped by integer keys with numpy, not by strings with
    pandas (ten times faster; the benchmark's goal is 3x reading them)."""

    rounds: pd.DataFrame  # partnership, year: one row per round code
    round_of: np.ndarray  # per answer
    person_of: np.ndarray  # per answer: a respondent of a round
    actors: np.ndarray  # actor type per actor code
    actor_of: np.ndarray  # per answer

    @classmethod
    def of(cls, answers: pd.DataFrame) -> _Coded:
        p_codes, p_names = pd.factorize(answers["partnership"].to_numpy(dtype=object))
        years = answers["year"].to_numpy(dtype=np.int64)
        round_of, round_keys = pd.factorize(p_codes.astype(np.int64) * 10_000 + years)
        rounds = pd.DataFrame({"partnership": p_names[round_keys // 10_000],
                               "year": (round_keys % 10_000).astype(np.int64)})
        r_codes, _names = pd.factorize(answers["respondent"].to_numpy(dtype=object))
        person_of, _keys = pd.factorize(round_of.astype(np.int64) * (len(_names) + 1) + r_codes)
        actor_of, actors = pd.factorize(answers["actor_type"].to_numpy(dtype=object))
        return cls(rounds, round_of, person_of, np.asarray(actors, dtype=object), actor_of)


def factor_results(answers: pd.DataFrame, instrument: pd.DataFrame,
                   coded: _Coded | None = None) -> pd.DataFrame:
    """Unsuppressed results: one row per round, factor and group ('all' and each actor type).

    Long because the respondent level and the item level are computed side by side with
    integer keys: a group is (round, factor, actor type), the actor code len(actors)
    standing for all respondents.
    """
    if answers.empty or instrument.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    coded = coded or _Coded.of(answers)
    item_index = pd.Index(instrument["item"].to_numpy(dtype=object)).get_indexer(
        answers["item"].to_numpy(dtype=object))
    known = item_index >= 0
    factor_of_item, factors = pd.factorize(instrument["factor"].to_numpy(dtype=object))
    factor = factor_of_item[item_index[known]].astype(np.int64)
    reverse = instrument["reverse"].fillna(False).to_numpy(dtype=bool)[item_index[known]]
    value = pd.to_numeric(answers["value"], errors="coerce").to_numpy(dtype=float)[known]
    score = np.where(reverse, 6.0 - value, value)
    answered = ~np.isnan(score)
    n_f, n_a = len(factors), len(coded.actors) + 1
    rnd = coded.round_of[known].astype(np.int64)
    actor = coded.actor_of[known].astype(np.int64)
    upload = pd.to_numeric(answers["upload_id"]).to_numpy(dtype=np.int64)[known]
    group = (rnd * n_f + factor) * n_a + actor
    everyone = (rnd * n_f + factor) * n_a + (n_a - 1)
    # Respondent level: each person's mean over the factor's answered items.
    person_factor, first = np.unique(coded.person_of[known].astype(np.int64) * n_f + factor,
                                     return_inverse=True)
    total = np.bincount(first, weights=np.where(answered, score, 0.0))
    count = np.bincount(first, weights=answered)
    scored = count > 0
    mean = np.divide(total, count, out=np.full(len(total), np.nan), where=scored)
    where = np.zeros(len(person_factor), dtype=np.int64)
    where[first] = np.arange(len(first))  # an answer of each person and factor
    keys = np.concatenate([group, everyone])
    people = np.concatenate([group[where], everyone[where]])
    with_score = np.concatenate([scored, scored])
    frame = pd.DataFrame({"key": people[with_score],
                          "score": np.concatenate([mean, mean])[with_score]})
    by_people = frame.groupby("key").agg(n=("score", "size"), mean=("score", "mean"))
    levels = {f"n_{v}": np.concatenate([score == v] * 2) for v in _LEVELS}
    items = pd.DataFrame({"key": keys, **levels, "n_dk": np.concatenate([~answered] * 2),
                          "upload_id": np.concatenate([upload, upload])})
    out = items.groupby("key").agg({**dict.fromkeys(
        [*levels, "n_dk"], "sum"), "upload_id": "max"}).join(by_people, how="left")
    key = out.index.to_numpy(dtype=np.int64)
    actor_code, rest = key % n_a, key // n_a
    rounds = coded.rounds.iloc[rest // n_f].reset_index(drop=True)
    out = out.reset_index(drop=True)
    out["partnership"], out["year"] = rounds["partnership"], rounds["year"]
    out["factor"] = np.asarray(factors, dtype=object)[rest % n_f]
    out["actor_type"] = np.append(coded.actors, ALL)[actor_code]
    out["n"] = out["n"].fillna(0).astype(np.int64)
    counted = out[list(levels)].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        for v in _LEVELS:
            out[f"share_{v}"] = out[f"n_{v}"] / counted.where(counted > 0)
        out["share_agree"] = out["share_4"] + out["share_5"]
        out["dont_know"] = out["n_dk"] / (counted + out["n_dk"]).where(
            counted + out["n_dk"] > 0)
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


def response_rates(answers: pd.DataFrame, partners: pd.DataFrame,
                   coded: _Coded | None = None) -> pd.DataFrame:
    """Per round and actor type: respondents, partners active in the register that year,
    the partners at least one respondent named, and their share (NaN when no respondent
    of the round named a partner: the rate is then not known).

    Long because the register's active partners, the partners named and the respondents
    are counted per round and per actor type in one pass.
    """
    if answers.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RATE_COLUMNS})
    coded = coded or _Coded.of(answers)
    person, first = np.unique(coded.person_of, return_index=True)
    people = pd.DataFrame({"round": coded.round_of[first],
                           "actor_type": coded.actors[coded.actor_of[first]],
                           "partner": answers["partner"].to_numpy(dtype=object)[first]})
    people["partner"] = people["partner"].where(
        people["partner"].astype(str).str.strip().ne("") & people["partner"].notna())
    rounds = coded.rounds.assign(round=np.arange(len(coded.rounds)))
    register = rounds.merge(partners, on="partnership")
    left = pd.to_numeric(register["left_year"], errors="coerce")
    register = register[(pd.to_numeric(register["joined_year"]) <= register["year"])
                        & (left.isna() | (left >= register["year"]))]
    named = people.dropna(subset=["partner"])[["round", "partner"]].drop_duplicates()
    named["answered"] = True
    register = register.merge(named, on=["round", "partner"], how="left")
    register["answered"] = register["answered"].fillna(False).astype(bool)
    knows = set(named["round"])
    parts = []
    for by_all in (True, False):
        keys = ["round"] if by_all else ["round", "actor_type"]
        counted = people.groupby(keys).size().rename("respondents")
        listed = register.groupby(keys).agg(partners=("partner", "size"),
                                            partners_answering=("answered", "sum"))
        part = pd.concat([counted, listed], axis=1).fillna(0).reset_index()
        if by_all:
            part["actor_type"] = ALL
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out = out.merge(rounds, on="round")
    for column in ("respondents", "partners", "partners_answering"):
        out[column] = out[column].astype(np.int64)
    has = out["round"].isin(knows) & (out["partners"] > 0)
    out["rate"] = np.where(has, out["partners_answering"] / out["partners"].where(has), np.nan)
    out["_o"] = group_rank(out["actor_type"])
    return out.sort_values(["partnership", "year", "_o"], ignore_index=True)[
        list(RATE_COLUMNS)]


def group_label(group: str) -> str:
    """How a group reads, in the reader's language ('Civil society' for civil_society)."""
    return _(ACTOR_TYPE_LABELS.get(group, group))


def group_rank(groups: pd.Series) -> pd.Series:
    """Where each group sorts: all respondents first, then the actor types in their
    declared order (municipality, state, ...), anything else last."""
    order = {a: i for i, a in enumerate((ALL, *ACTOR_TYPES))}
    return groups.map(lambda a: order.get(a, len(order)))


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
