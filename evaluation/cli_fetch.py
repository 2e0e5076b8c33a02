"""`python -m evaluation fetch`: outcome statistics from the statistics offices' APIs.

Declared beside `cli` (which dispatches to `run`): fetch every indicator that has a
statistic, for the partnerships' region codes, and import the answers as one
upload (undoable), or preview them with `--dry-run`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from evaluation.config import Config
from evaluation.store.connection import Store
from evaluation.words import _

if TYPE_CHECKING:  # imported when a fetch runs: `--help` and the other commands need none
    from evaluation.intake.fetch import Client


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("fetch", parents=[common],
                       help=_("fetch indicators' tables from SSB, Statistics Denmark and "
                              "Statistics Sweden, and import them"))
    p.add_argument("--partnership", metavar="NAME",
                   help=_("only this partnership's region codes"))
    p.add_argument("--indicator", metavar="CODE", help=_("only this indicator's table"))
    p.add_argument("--dry-run", action="store_true", help=_("fetch and preview; write nothing"))


def client(config: Config) -> Client:
    """The offices' API client, at the addresses the configuration gives."""
    from evaluation.intake.fetch import Client

    return Client(bases=dict(config.statistics_apis))


def run(args: argparse.Namespace, store: Store, user: str, say: Callable[..., None],
        problems: Callable[..., None]) -> int:
    from evaluation.intake.fetch import fetch_from_store
    from evaluation.intake.importer import import_files

    fetched = fetch_from_store(store, partnership=args.partnership, indicator=args.indicator,
                               client=client(args.config))
    say(_("Fetched {tables} from {calls} call(s).").format(
        tables=", ".join(fetched.tables), calls=fetched.calls))
    report = import_files(store, fetched.files, user=user, commit=not args.dry_run,
                          origins=fetched.origins)
    return problems(report, args.dry_run)
