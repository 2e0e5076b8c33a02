"""What the survey pages, the report and the command line show of a partnership's rounds:
the factor profile, the change since the previous round, the gaps between actor types
and the response rate, every figure already under the suppression rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import EvaluationError
from evaluation.method.model import Evaluation, resolve_partnership
from evaluation.method.survey import ALL, factor_label, group_label, group_rank
from evaluation.words import _, current_language

RESULT_TABLE_COLUMNS = ("factor", "actor_type", "n", "mean", "share_agree", "suppressed")


@dataclass(frozen=True)
class RoundView:
    """One round (partnership, year) as shown: every figure already suppressed."""

    partnership: str
    year: int
    previous: int | None
    results: pd.DataFrame  # factor, factor_name, actor_type, n, mean, share_*, suppressed
    rates: pd.DataFrame
    min_n: int

    @property
    def profile(self) -> pd.DataFrame:
        """All respondents, one row per factor, the best result first (suppressed last)."""
        rows = self.results[self.results["actor_type"] == ALL]
        return rows.sort_values(["suppressed", "mean", "factor_name"],
                                ascending=[True, False, True], ignore_index=True)

    @property
    def respondents(self) -> int:
        row = self.rates[self.rates["actor_type"] == ALL]
        return int(row["respondents"].iloc[0]) if len(row) else 0

    @property
    def hidden_groups(self) -> list[str]:
        """Actor types with a suppressed figure in this round (their labels)."""
        rows = self.results[(self.results["actor_type"] != ALL) & self.results["suppressed"]]
        return [group_label(a) for a in sorted(rows["actor_type"].unique())]

    def gaps(self) -> pd.DataFrame:
        """Factor x actor type means where shown, with each factor's widest gap."""
        rows = self.results[(self.results["actor_type"] != ALL) & ~self.results["suppressed"]]
        rows = rows[["factor", "factor_name", "actor_type", "n", "mean"]].copy()
        rows["group"] = rows["actor_type"].map(group_label)
        spread = rows.groupby("factor")["mean"].agg(lambda m: m.max() - m.min())
        rows["widest_gap"] = rows["factor"].map(spread)
        return rows.sort_values(["widest_gap", "factor", "mean"], ascending=[False, True, True],
                                ignore_index=True)


def round_view(ev: Evaluation, partnership: str, year: int) -> RoundView:
    """One round of `partnership`; EvaluationError naming the rounds there are."""
    name = resolve_partnership(ev.snapshot, partnership)
    years = ev.survey.rounds_of(name)
    if int(year) not in years:
        known = ", ".join(map(str, years)) or _("none yet")
        raise EvaluationError(_("{partnership} has no survey results for {year}. Rounds with "
                                "results: {known}.").format(partnership=name, year=year,
                                                            known=known),
                              _("No survey round"))
    earlier = [y for y in years if y < int(year)]
    labels = factor_label(ev.snapshot.instrument, current_language())
    rows = ev.survey.round(name, int(year)).copy()
    rows["factor_name"] = rows["factor"].map(lambda f: labels.get(f, f))
    rates = ev.survey.rates
    rates = rates[(rates["partnership"] == name) & (rates["year"] == int(year))]
    return RoundView(name, int(year), earlier[-1] if earlier else None,
                     rows.reset_index(drop=True), rates.reset_index(drop=True),
                     ev.survey.min_n)


def latest_round(ev: Evaluation, partnership: str, until: int | None = None) -> int | None:
    """The newest round with results (up to `until`), or None."""
    years = [y for y in ev.survey.rounds_of(partnership) if until is None or y <= until]
    return years[-1] if years else None


def change_since(ev: Evaluation, view: RoundView) -> pd.DataFrame:
    """All respondents' mean per factor in this round and the previous one, both shown."""
    if view.previous is None:
        return pd.DataFrame(columns=["factor", "factor_name", "before", "now", "change"])
    before = ev.survey.round(view.partnership, view.previous)
    before = before[(before["actor_type"] == ALL) & ~before["suppressed"]]
    now = view.profile[~view.profile["suppressed"]]
    merged = now[["factor", "factor_name", "mean"]].merge(
        before[["factor", "mean"]], on="factor", suffixes=("_now", "_before"))
    merged = merged.rename(columns={"mean_now": "now", "mean_before": "before"})
    merged["change"] = merged["now"] - merged["before"]
    return merged[["factor", "factor_name", "before", "now", "change"]].sort_values(
        "now", ascending=False, ignore_index=True)


def rate_text(view: RoundView) -> str:
    """The response rate as one sentence."""
    row = view.rates[view.rates["actor_type"] == ALL]
    if row.empty:
        return ""
    r = row.iloc[0]
    if np.isnan(r["rate"]) or not r["partners"]:
        return _("{n} respondents; none named their organisation, so the share of the "
                 "register's partners that answered is not known.").format(n=r["respondents"])
    return _("{n} respondents from {answering} of the {partners} partners in the register "
             "({rate:.0%}).").format(n=r["respondents"], answering=r["partners_answering"],
                                     partners=r["partners"], rate=r["rate"])


def rates_table(view: RoundView) -> pd.DataFrame:
    """Respondents and register partners per actor type, in the reader's words."""
    rows = view.rates.copy()
    return pd.DataFrame({
        _("Group"): rows["actor_type"].map(group_label),
        _("Respondents"): rows["respondents"],
        _("Partners in the register"): rows["partners"],
        _("Partners that answered"): rows["partners_answering"],
        _("Share answered"): rows["rate"],
    })


def results_table(ev: Evaluation, partnership: str, year: int) -> pd.DataFrame:
    """The command line's and the export's table: one row per factor and group;
    suppressed rows have no figures."""
    view = round_view(ev, partnership, year)
    rows = view.results.copy()
    rows["_o"] = group_rank(rows["actor_type"])
    rows = rows.sort_values(["factor", "_o"], ignore_index=True)
    out = rows[list(RESULT_TABLE_COLUMNS)].copy()
    out["mean"] = out["mean"].round(2)
    out["share_agree"] = out["share_agree"].round(3)
    return out


def partner_register(ev: Evaluation, partnership: str) -> pd.DataFrame:
    """The register as a steering group reads it: actor type (in words), partner, role,
    membership years, contribution and commitment; by actor type, then joining year."""
    p = ev.snapshot.partners
    rows = p[p["partnership"] == partnership].copy()
    rows["_o"] = group_rank(rows["actor_type"])
    rows = rows.sort_values(["_o", "joined_year", "partner"], ignore_index=True)

    def years(row: pd.Series) -> str:
        left = row["left_year"]
        if pd.notna(left):
            return _("{joined}–{left} (left)").format(joined=int(row["joined_year"]),
                                                     left=int(left))
        return _("since {joined}").format(joined=int(row["joined_year"]))

    return pd.DataFrame({
        "actor_type": rows["actor_type"].map(group_label),
        "partner": rows["partner"], "role": rows["role"],
        "years": [years(r) for _i, r in rows.iterrows()] if len(rows) else [],
        "contribution": rows["contribution"], "commitment": rows["commitment"]})
