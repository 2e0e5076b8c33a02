"""`python -m evaluation survey ...`: rounds and results of the collaboration survey.

The command line's survey verbs, declared beside `cli` (which dispatches to
`run`): results as a table, CSV or JSON with suppression applied, and opening,
closing and listing rounds.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from evaluation.store.connection import Store
from evaluation.words import _

if TYPE_CHECKING:  # imported when a verb runs: `--help` and the other commands need none
    import pandas as pd

LINK_PATH = "/?survey={token}"  # the respondent page of the app (dashboard.py)


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    survey = sub.add_parser("survey", parents=[common],
                            help=_("the collaboration survey: rounds and results"))
    verbs = survey.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("results", parents=[common],
                         help=_("one row per factor and group of a round (small groups "
                                "suppressed)"))
    p.add_argument("--partnership", required=True, metavar="NAME")
    p.add_argument("--year", type=int, required=True, metavar="Y")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    verbs.add_parser("rounds", parents=[common], help=_("list the rounds opened in the app"))
    for verb, what in (("open", _("open a round and print its respondent link")),
                       ("close", _("close a round: its answers are stored as one upload"))):
        p = verbs.add_parser(verb, parents=[common], help=what)
        p.add_argument("--partnership", required=True, metavar="NAME")
        p.add_argument("--year", type=int, required=True, metavar="Y")
        if verb == "open":
            p.add_argument("--url", default="http://localhost:8501", metavar="URL",
                           help=_("the dashboard's address, for the link (default "
                                  "http://localhost:8501)"))


def run(args: argparse.Namespace, store: Store, user: str,
        emit: Callable[[pd.DataFrame, str], None], say: Callable[[str], None]) -> int:
    from evaluation.intake.rounds import close_round, open_round, round_overview

    if args.verb == "results":
        from evaluation.method.model import evaluate
        from evaluation.output.survey_views import results_table
        from evaluation.store.snapshot import read_snapshot

        ev = evaluate(read_snapshot(store))
        emit(results_table(ev, args.partnership, args.year), args.format)
    elif args.verb == "rounds":
        emit(round_overview(store).drop(columns=["token"]), "table")
    elif args.verb == "open":
        token = open_round(store, args.partnership, args.year, user)
        say(_("The round is open. Respondents answer at: {link}").format(
            link=args.url.rstrip("/") + LINK_PATH.format(token=token)))
    else:
        upload = close_round(store, args.partnership, args.year, user)
        say(_("The round is closed; its answers are upload {upload} (undo it to reopen the "
              "round).").format(upload=upload))
    return 0
