"""`python -m evaluation copy --from SRC --to DST`: a whole store between backends.

Declared beside `cli` (which dispatches to `run`). SRC and DST are each a store file or
a PostgreSQL URL (postgresql://user@host:port/dbname; the password from the URL,
PGPASSWORD or ~/.pgpass). The copy carries the full history and is compared table by
table with its source before it is kept.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from evaluation.words import _


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("copy", parents=[common],
                       help=_("copy a store with its full history between a DuckDB file and "
                              "PostgreSQL"))
    p.add_argument("--from", dest="source", required=True, metavar="STORE",
                   help=_("the store to copy: a file or a postgresql:// URL"))
    p.add_argument("--to", dest="target", required=True, metavar="STORE",
                   help=_("where the copy goes: a new file or an empty PostgreSQL database"))


def run(args: argparse.Namespace, say: Callable[..., None]) -> int:
    from evaluation.store.moving import copy_store, named

    copied = copy_store(args.source, args.target, lock_timeout=args.config.lock_timeout)
    say(_("Copied {source} to {target}: {summary}.").format(
        source=named(args.source), target=named(args.target), summary=copied.summary()))
    return 0
