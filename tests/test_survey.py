"""The collaboration itself: the partner register, the survey instrument and answers, rounds
run in the app, scoring with small-group suppression, and the derived indicators."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.errors import EvaluationError
from evaluation.intake import rounds
from evaluation.intake.survey_rules import answer_value
from evaluation.method.model import evaluate
from evaluation.method.survey import ALL, factor_results, suppress, survey_results
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import undo_upload
from tests.conftest import dump, load

DRAMMEN = "Ungdomsløftet Drammen"
BODO = "Sammen mot ensomhet Bodø"

INSTRUMENT = """item,factor,statement,reverse,factor_nb
t1,trust,Partners keep their promises,no,Tillit
t2,trust,I hold back my concerns,ja,Tillit
d1,decisions,We decide together,nei,Beslutninger
d2,decisions,The municipality decides before we meet,yes,Beslutninger
"""


def problems(report) -> list[str]:
    return [p.format() for p in report.problems]


def errors(report) -> list[str]:
    return [p.format() for p in report.errors]


# -- the partner register ----------------------------------------------------------------

def test_a_register_reads_norwegian_and_danish_actor_types(sample_store):
    report = load(sample_store, "partnerskap;partner;aktørtype;innmeldt;utmeldt;rolle\n"
                                f"{DRAMMEN};Ny forening;frivillig;2024;;partner\n"
                                f"{DRAMMEN};Nyt firma;erhverv;2022;2024;partner\n"
                                f"{DRAMMEN};Borgerpanel;borgere;2023;;\n", "p.csv")
    assert report.ok, errors(report)
    partners = read_snapshot(sample_store).partners
    mine = partners[partners["partner"].isin(["Ny forening", "Nyt firma", "Borgerpanel"])]
    assert dict(zip(mine["partner"], mine["actor_type"], strict=True)) == {
        "Ny forening": "civil_society", "Nyt firma": "business", "Borgerpanel": "citizens_users"}


def test_a_register_refuses_unknown_types_and_leaving_before_joining(sample_store):
    before = dump(sample_store)
    report = load(sample_store, "partnership,partner,actor_type,joined_year,left_year\n"
                                f"{DRAMMEN},A,church,2020,\n"
                                f"{DRAMMEN},B,business,2022,2020\n"
                                f"{DRAMMEN},,business,2022,\n", "p.csv")
    found = errors(report)
    assert any("p.csv:2: actor_type: unknown actor type 'church'" in e for e in found), found
    assert any("p.csv:3: left_year: the partner leaves before it joins" in e for e in found)
    assert any("p.csv:4: partner: partner is empty" in e for e in found), found
    assert dump(sample_store) == before


def test_the_register_derives_partners_and_actor_types_per_year(sample_store):
    ev = evaluate(read_snapshot(sample_store))
    obs = ev.snapshot.observations
    grunerlokka = "NAV Grünerløkka partnerskap for unge utenfor arbeid"
    register = ev.snapshot.partners[ev.snapshot.partners["partnership"] == grunerlokka]
    business = obs[(obs["partnership"] == grunerlokka) & (obs["indicator"] == "REG_PARTNERS")
                   & (obs["group"] == "business")].set_index("year")["value"]
    # Løkka Kafédrift AS left in 2022: it counts through 2022, not after.
    left = register[register["left_year"].notna()].iloc[0]
    assert left["partner"] == "Løkka Kafédrift AS" and int(left["left_year"]) == 2022
    assert business[2022] - business[2023] == 1
    total = obs[(obs["partnership"] == grunerlokka) & (obs["indicator"] == "REG_PARTNERS")
                & (obs["group"] == "")].set_index("year")["value"]
    active_2025 = register[(register["joined_year"] <= 2025) & register["left_year"].isna()]
    assert total[2025] == len(active_2025)
    assert obs[obs["indicator"] == "REG_PARTNERS"]["source"].str.contains("register").all()


def test_derived_codes_cannot_be_uploaded_but_take_targets(sample_store):
    report = load(sample_store, "partnership,indicator,year,value\n"
                                f"{DRAMMEN},REG_PARTNERS,2024,40\n", "o.csv")
    assert any("REG_ / SURVEY_" in e for e in errors(report)), errors(report)
    report = load(sample_store, "indicator,name,pillar,unit,direction\n"
                                "SURVEY_MINE,Mine,process,score,higher\n", "i.csv")
    assert not report.ok
    ev = evaluate(read_snapshot(sample_store))
    row = ev.assessment[(ev.assessment["partnership"] == DRAMMEN)
                        & (ev.assessment["indicator"] == "SURVEY_DECISIONS")]
    assert row["target"].notna().all() and row["status"].notna().all()  # a sample target


# -- the instrument ----------------------------------------------------------------------

def test_an_instrument_reads_reversal_words_and_refuses_a_factor_without_items(store):
    report = load(store, INSTRUMENT, "instrument.csv")
    assert report.ok, errors(report)
    items = read_snapshot(store).instrument.set_index("item")
    assert items["reverse"].to_dict() == {"d1": False, "d2": True, "t1": False, "t2": True}
    report = load(store, "item,factor,statement\n,trust,No id here\n"
                         "year,trust,Reserved\n" + "x" * 41 + ",trust,Too long\n", "bad.csv")
    found = errors(report)
    assert any("bad.csv:2: item: a factor without items" in e for e in found), found
    assert any("bad.csv:3: item: this id is a column of the answers file" in e for e in found)
    assert any("bad.csv:4: item" in e for e in found), found
    assert load(store, "item,factor,statement\nTrust 1!,trust,Normalised\n", "ok.csv").ok
    assert "trust_1" in set(read_snapshot(store).instrument["item"])


def test_a_factor_with_one_statement_is_a_warning(store):
    report = load(store, "item,factor,statement\nx1,lonely,Only one\n", "i.csv")
    assert report.ok
    assert any("factor 'lonely' has only 1 statement" in w for w in problems(report))


# -- answers from a survey tool ----------------------------------------------------------

def _answers_store(store):
    load(store, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                "P,M,2020,8,,\n", "p.csv")
    load(store, INSTRUMENT, "i.csv")
    return store


def test_answer_cells_accept_numbers_labels_and_dont_know():
    assert answer_value("4") == (True, 4)
    assert answer_value("4,0") == (True, 4)
    assert answer_value("5 - helt enig") == (True, 5)
    assert answer_value("Helt uenig") == (True, 1)
    assert answer_value("ved ikke") == (True, None)
    assert answer_value("Vet ikke") == (True, None)
    assert answer_value("Don't know") == (True, None)
    assert answer_value("6") == (False, None)
    assert answer_value("0") == (False, None)
    assert answer_value("maybe") == (False, None)


def test_responses_refuse_unknown_items_and_answers_off_the_scale(store):
    _answers_store(store)
    before = dump(store)
    report = load(store, "partnership;year;actor_type;t1;t2;x9\nP;2024;kommune;6;2;3\n",
                  "svar.csv")
    found = errors(report)
    assert any("svar.csv:1: x9: unknown item 'x9'" in e for e in found), found
    assert any("svar.csv:2: t1: '6' is not an answer on the scale" in e for e in found)
    assert dump(store) == before


def test_responses_store_dont_know_as_missing_and_number_rows(store):
    _answers_store(store)
    report = load(store, "partnership;year;aktørtype;t1;t2;d1;d2\n"
                         "P;2024;kommune;5;1;vet ikke;\n"
                         "P;2024;frivillig;helt enig;2;ved ikke;4\n", "svar.csv")
    assert report.ok, errors(report)
    answers = read_snapshot(store).answers
    assert sorted(answers["respondent"].unique()) == ["row 0001", "row 0002"]
    first = answers[answers["respondent"] == "row 0001"].set_index("item")["value"]
    assert first["t1"] == 5 and pd.isna(first["d1"]) and "d2" not in first.index
    again = load(store, "partnership;year;aktørtype;t1;t2;d1;d2\n"
                        "P;2024;kommune;5;1;vet ikke;\n"
                        "P;2024;frivillig;helt enig;2;ved ikke;4\n", "svar.csv")
    assert again.changes == 0  # the same export twice changes nothing


def test_an_answers_import_can_be_undone(store):
    _answers_store(store)
    report = load(store, "partnership,year,actor_type,t1\nP,2024,state,3\n", "a.csv")
    undo_upload(store, report.upload_id, "tester")
    assert read_snapshot(store).answers.empty


# -- scoring and suppression -------------------------------------------------------------

def _answers(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["partnership", "year", "respondent", "item",
                                       "actor_type", "partner", "value", "upload_id"])


INSTR = pd.DataFrame({"item": ["t1", "t2", "d1"], "factor": ["trust", "trust", "decisions"],
                      "reverse": [False, True, False], "statement": ["a", "b", "c"]})


def test_scores_reverse_items_and_skip_dont_know():
    rows = [("P", 2024, "r1", "t1", "state", None, 4, 1),
            ("P", 2024, "r1", "t2", "state", None, 2, 1),     # reversed: counts 4
            ("P", 2024, "r2", "t1", "state", None, 2, 1),
            ("P", 2024, "r2", "t2", "state", None, None, 1),  # don't know: skipped
            ("P", 2024, "r3", "t1", "state", None, None, 1)]  # only don't know: no score
    out = factor_results(_answers(rows), INSTR)
    trust = out[(out["factor"] == "trust") & (out["actor_type"] == ALL)].iloc[0]
    assert trust["n"] == 2
    assert trust["mean"] == pytest.approx((4 + 2) / 2)  # r1: (4+4)/2, r2: 2
    assert trust["share_agree"] == pytest.approx(2 / 3)  # answers 4, 4, 2
    assert trust["share_2"] == pytest.approx(1 / 3)
    assert trust["dont_know"] == pytest.approx(2 / 5)


def _cells(ns: dict[str, int]) -> pd.DataFrame:
    rows = [("P", 2024, "trust", actor, n, 3.0, 0.5, *([0.2] * 5), 0.0, False, 1)
            for actor, n in ns.items()]
    return pd.DataFrame(rows, columns=["partnership", "year", "factor", "actor_type", "n",
                                       "mean", "share_agree", "share_1", "share_2", "share_3",
                                       "share_4", "share_5", "dont_know", "suppressed",
                                       "upload_id"])


def _hidden(frame: pd.DataFrame) -> set[str]:
    return set(frame.loc[frame["suppressed"], "actor_type"])


def test_a_small_group_is_never_shown_nor_revealed_by_difference():
    # business alone (2) could be computed from all (18) minus the others: civil society,
    # the smallest shown, is hidden too, and 2 + 7 >= 5 reveals no small group.
    out = suppress(_cells({ALL: 18, "municipality": 9, "civil_society": 7, "business": 2}), 5)
    assert _hidden(out) == {"business", "civil_society"}
    assert out.loc[out["suppressed"], "mean"].isna().all()
    assert sorted(out.loc[out["suppressed"], "n"]) == [2, 7]  # n stays, figures go


def test_two_small_groups_are_pooled_beyond_the_minimum():
    out = suppress(_cells({ALL: 20, "municipality": 12, "state": 4, "business": 1,
                           "civil_society": 3}), 5)
    hidden = _hidden(out)
    assert {"state", "business", "civil_society"} <= hidden  # 1 + 3 + 4 = 8 >= 5
    assert ALL not in hidden and "municipality" not in hidden


def test_the_total_goes_when_nothing_else_can_hide_a_small_group():
    out = suppress(_cells({ALL: 9, "municipality": 7, "business": 2}), 5)
    # Hiding the municipality too would leave 'all' revealing nothing small (9), so it is
    # hidden and the total shown; with one group only, the total must go.
    assert _hidden(out) == {"business", "municipality"}
    out = suppress(_cells({ALL: 6, "business": 2}), 5)
    assert _hidden(out) == {"business", ALL}
    out = suppress(_cells({ALL: 4, "business": 4}), 5)
    assert _hidden(out) == {"business", ALL}


def test_no_shown_pair_of_figures_gives_away_a_suppressed_one():
    """Exhaustively on random rounds: if the total is shown, the hidden actor types
    together hold at least the minimum (so no small group follows by difference)."""
    rng = np.random.default_rng(7)
    for _round in range(400):
        groups = {a: int(rng.integers(0, 12)) for a in ("municipality", "state", "business",
                                                         "civil_society")}
        groups = {a: n for a, n in groups.items() if n}
        if not groups:
            continue
        out = suppress(_cells({ALL: sum(groups.values()), **groups}), 5)
        hidden = out[out["suppressed"] & (out["actor_type"] != ALL)]
        assert (out.loc[out["n"] < 5, "suppressed"]).all()
        if not out.loc[out["actor_type"] == ALL, "suppressed"].iloc[0] and len(hidden):
            assert hidden["n"].sum() >= 5


def test_the_sample_hides_the_small_bodo_business_group_everywhere(sample_store):
    ev = evaluate(read_snapshot(sample_store))
    bodo = ev.survey.round(BODO, 2024)
    business = bodo[bodo["actor_type"] == "business"]
    assert (business["n"] == 2).all() and business["suppressed"].all()
    assert business["mean"].isna().all()
    shown = bodo[~bodo["suppressed"]]
    assert (shown["n"] >= 5).all()


def test_civil_society_rates_decisions_lower_in_drammen(sample_store):
    ev = evaluate(read_snapshot(sample_store))
    rows = ev.survey.results
    decisions = rows[(rows["partnership"] == DRAMMEN) & (rows["factor"] == "decisions")
                     & ~rows["suppressed"]].pivot_table(index="year", columns="actor_type",
                                                        values="mean")
    assert ((decisions["municipality"] - decisions["civil_society"]).dropna() > 0.8).all()


def test_each_factor_mean_becomes_a_process_indicator(sample_store):
    ev = evaluate(read_snapshot(sample_store))
    obs = ev.snapshot.observations
    trust = obs[(obs["partnership"] == DRAMMEN) & (obs["indicator"] == "SURVEY_TRUST")]
    result = ev.survey.round(DRAMMEN, 2025)
    mean = result[(result["factor"] == "trust") & (result["actor_type"] == ALL)]["mean"]
    assert trust.set_index("year")["value"][2025] == pytest.approx(float(mean.iloc[0]))
    assert trust["source"].str.contains("collaboration survey 2025", case=False).any()
    pillar = ev.snapshot.indicators.set_index("indicator").loc["SURVEY_TRUST", "pillar"]
    assert pillar == "process"


def test_response_rates_count_partners_named_against_the_register(sample_store):
    snap = read_snapshot(sample_store)
    rates = survey_results(snap.answers, snap.instrument, snap.partners, 5).rates
    row = rates[(rates["partnership"] == DRAMMEN) & (rates["year"] == 2025)
                & (rates["actor_type"] == ALL)].iloc[0]
    assert 0 < row["partners_answering"] <= row["partners"]
    assert row["rate"] == pytest.approx(row["partners_answering"] / row["partners"])


# -- rounds in the app -------------------------------------------------------------------

def test_a_round_takes_each_form_once_and_nothing_after_closing(sample_store):
    token = rounds.open_round(sample_store, BODO, 2026, "evaluator")
    assert len(token) >= 22 and rounds.open_round(sample_store, BODO, 2026, "evaluator") == token
    form = rounds.new_submission_id()
    rounds.submit_answers(sample_store, token, form, "civil_society", "bodø røde kors",
                          {"trust_1": 4, "trust_2": None})
    with pytest.raises(rounds.SurveyClosed, match="already been sent"):
        rounds.submit_answers(sample_store, token, form, "civil_society", None, {"trust_1": 1})
    with pytest.raises(rounds.SurveyClosed, match="not known"):
        rounds.submit_answers(sample_store, "A" * 22, rounds.new_submission_id(), "state",
                              None, {"trust_1": 3})
    with pytest.raises(EvaluationError, match="scale"):
        rounds.submit_answers(sample_store, token, rounds.new_submission_id(), "state", None,
                              {"trust_1": 6})
    upload = rounds.close_round(sample_store, BODO, 2026, "evaluator")
    with pytest.raises(rounds.SurveyClosed, match="closed"):
        rounds.submit_answers(sample_store, token, rounds.new_submission_id(), "state", None,
                              {"trust_1": 3})
    answers = read_snapshot(sample_store).answers
    mine = answers[(answers["partnership"] == BODO) & (answers["year"] == 2026)]
    assert len(mine) == 2 and set(mine["partner"]) == {"Bodø Røde Kors"}
    assert mine["respondent"].str.startswith("web-").all()
    undo_upload(sample_store, upload, "evaluator")  # the round is open again, answers kept
    assert rounds.round_link(sample_store, token).open
    rounds.close_round(sample_store, BODO, 2026, "evaluator")
    assert len(read_snapshot(sample_store).answers.query("year == 2026")) == 2


def test_nothing_stored_names_a_respondent(sample_store):
    token = rounds.open_round(sample_store, BODO, 2026, "evaluator")
    rounds.submit_answers(sample_store, token, rounds.new_submission_id(), "state", None,
                          {"trust_1": 4})
    with sample_store.connect() as con:
        columns = {r[0] for t in ("submissions", "submitted_answers") for r in
                   con.execute(f"DESCRIBE {t}").fetchall()}
    assert columns == {"submission_id", "token", "actor_type", "partner", "item", "value"}


def test_an_unknown_or_malformed_link_opens_nothing(sample_store):
    assert rounds.round_link(sample_store, "x" * 22) is None
    assert rounds.round_link(sample_store, "'; DROP TABLE rounds; --") is None
    assert rounds.round_link(sample_store, "") is None


def test_a_viewer_cannot_open_or_close_rounds(sample_store):
    from evaluation.access import VIEWER, Actor
    viewer = Actor("steering group", VIEWER)
    with pytest.raises(EvaluationError):
        rounds.open_round(sample_store, BODO, 2026, viewer)


# -- the command line --------------------------------------------------------------------

def test_survey_results_print_every_factor_and_group_with_suppression(sample_store, capsys):
    code = main(["--db", str(sample_store.path), "survey", "results", "--partnership",
                 BODO.lower(), "--year", "2024", "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {"factor", "actor_type", "n", "mean", "share_agree", "suppressed"}
    business = [r for r in rows if r["actor_type"] == "business"]
    assert business and all(r["suppressed"] and r["mean"] is None for r in business)
    assert {r["actor_type"] for r in rows} >= {"all", "civil_society"}


def test_survey_results_csv_leaves_suppressed_cells_empty(sample_store, capsys):
    assert main(["--db", str(sample_store.path), "survey", "results", "--partnership", BODO,
                 "--year", "2024", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"factor","actor_type","n","mean","share_agree","suppressed"'
    assert any(',"business","2","","",' in line for line in lines), lines[:6]


def test_survey_open_prints_the_link_and_a_missing_round_is_explained(sample_store, capsys):
    assert main(["--db", str(sample_store.path), "survey", "open", "--partnership", BODO,
                 "--year", "2026", "--url", "https://dash.example.no"]) == 0
    assert "https://dash.example.no/?survey=" in capsys.readouterr().out
    assert main(["--db", str(sample_store.path), "survey", "results", "--partnership", BODO,
                 "--year", "2019"]) == 1
    assert "no survey results for 2019" in capsys.readouterr().err
