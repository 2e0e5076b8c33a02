"""`python -m evaluation`: everything a script needs, on the same engine as the app.

Library errors become one line on stderr and a non-zero exit; import problems
print as `FILE:LINE: column: message`, the form editors and CI logs link. No
stack trace reaches the user: unexpected errors are one line too, and output
cut short by a closed pipe (`... | head`) ends quietly.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation import cli_copy, cli_fetch, cli_survey
from evaluation.cli_kept import kept
from evaluation.cli_text import emit, fix_words, history_text, say, silence_stdout, write
from evaluation.config import Config
from evaluation.errors import EvaluationError
from evaluation.intake.formats import KINDS
from evaluation.output.render import browser_choice, use_browser
from evaluation.store.connection import Store
from evaluation.words import _, choose_language, language_of, offered, set_language, system_language

# Each command imports what it uses when it runs, so that a read command answers
# without loading pandas, plotly or the PDF library (docs/architecture.md).
if TYPE_CHECKING:

    from evaluation.intake.importer import ImportReport
    from evaluation.method.model import Evaluation

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = fn
        return fn
    return register


def login_name(config: Config | None = None) -> str:
    """Who the command line records as the author of a change: EVALUATION_USER, else the
    login name."""
    config = config or Config.from_environment()
    if config.user:
        return config.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _store(args: argparse.Namespace) -> Store:
    config = args.config
    return Store(config.store, read_only=config.read_only, lock_timeout=config.lock_timeout)


def _existing_store(args: argparse.Namespace) -> Store:
    """The store for a command that only reads it: a mistyped --db must not create one."""
    store = _store(args)
    store.require_existing()
    return store


@command("init")
def cmd_init(args: argparse.Namespace) -> int:
    from evaluation.intake.sample import load_sample_data

    store = _store(args)
    store.require_writable()
    if store.exists():
        with store.connect() as con:
            uploads = con.execute("SELECT count(*) FROM uploads").fetchone()[0]
        say(_("The store {path} already exists ({uploads} uploads); schema is current.")
               .format(path=store.path, uploads=uploads))
        return 0
    if args.empty:
        store.schema_version()
        say(_("Created an empty store at {path}.").format(path=store.path))
        return 0
    report = load_sample_data(store)
    say(_("Created {path} with the sample data (upload {upload_id}).")
           .format(path=store.path, upload_id=report.upload_id))
    return 0


@command("import")
def cmd_import(args: argparse.Namespace) -> int:
    from evaluation.intake.importer import import_files

    files = []
    for path in args.files:
        try:
            files.append((str(path), Path(path).read_bytes()))
        except OSError as e:
            say(_("{path}: cannot read the file: {reason}").format(path=path,
                                                                     reason=e.strerror),
                   file=sys.stderr)
            return 1
    store = _existing_store(args) if args.dry_run else _store(args)
    report = import_files(store, files, user=args.user or login_name(args.config),
                          commit=not args.dry_run, statistic=args.statistic)
    return _outcome(report, args.dry_run)


def _outcome(report: ImportReport, dry_run: bool) -> int:
    """Print an import's problems and summary; the exit code."""
    for problem in report.problems:
        say(problem.format(), file=sys.stderr if problem.is_error else sys.stdout)
    if not report.ok:
        say(report.summary(), file=sys.stderr)
        return 1
    say(report.summary() + (_(" (dry run: nothing was written)") if dry_run else ""))
    return 0


@command("copy")
def cmd_copy(args: argparse.Namespace) -> int:
    return cli_copy.run(args, say)


@command("fetch")
def cmd_fetch(args: argparse.Namespace) -> int:
    store = _existing_store(args)  # a fetch needs the partnerships' and indicators' links
    if not args.dry_run:
        store.require_writable()  # before any call to the offices
    return cli_fetch.run(args, store, args.user or login_name(args.config), say, _outcome)


@command("history")
def cmd_history(args: argparse.Namespace) -> int:
    from evaluation.store.versions import upload_history

    columns, rows = upload_history(_existing_store(args))
    if not rows:
        say(_("No uploads yet."))
        return 0
    say(history_text(columns, rows))
    return 0


@command("changes")
def cmd_changes(args: argparse.Namespace) -> int:
    from evaluation.store.snapshot import read_upload_changes

    changes = read_upload_changes(_existing_store(args), args.upload_id)
    if changes.empty:
        say(_("Upload {upload_id} changed nothing (or does not exist).")
               .format(upload_id=args.upload_id))
        return 0
    say(changes.fillna("").to_string(index=False, max_colwidth=80))
    return 0


@command("undo")
def cmd_undo(args: argparse.Namespace) -> int:
    from evaluation.store.versions import undo_upload

    user = args.user or login_name(args.config)
    new_id = undo_upload(_existing_store(args), args.upload_id, user)
    say(_("Upload {upload_id} undone (recorded as upload {new_id}).")
           .format(upload_id=args.upload_id, new_id=new_id))
    return 0


def _evaluation(args: argparse.Namespace) -> tuple[Evaluation, str | None]:
    from evaluation.method.model import evaluate, resolve_partnership
    from evaluation.store.snapshot import read_snapshot

    snap = read_snapshot(_existing_store(args))
    name = resolve_partnership(snap, args.partnership) if args.partnership else None
    return evaluate(snap), name


@command("status")
@kept
def cmd_status(args: argparse.Namespace) -> int:
    from evaluation.method.assessment import status_table

    result, name = _evaluation(args)
    table = status_table(result.assessment, args.year)
    if name:
        table = table[table["partnership"] == name]
    emit(table, args.format)
    return 0


@command("scores")
@kept
def cmd_scores(args: argparse.Namespace) -> int:
    result, name = _evaluation(args)
    table = result.scores
    if name:
        table = table[table["partnership"] == name]
    emit(table.reset_index(drop=True), args.format)
    return 0


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    from evaluation.files import refuse_store_path, write_file
    from evaluation.method.model import evaluate, resolve_partnership
    from evaluation.output.report import (
        annual_report_pdf,
        annual_report_zip,
        check_report_year,
        renamed_targets,
        report_targets,
    )
    from evaluation.store.snapshot import read_snapshot

    store = _existing_store(args)
    snap = read_snapshot(store, as_of=args.as_of)
    names = ([resolve_partnership(snap, args.partnership)] if args.partnership
             else snap.partnerships["partnership"].tolist())
    if not names:
        raise EvaluationError(_("The store holds no partnerships yet, so there is nothing "
                                "to report; import some first."), _("Nothing to report"))
    check_report_year(snap, names, args.year)
    targets = report_targets(Path(args.out), names, args.format, args.year)
    for target in targets:
        if not store.server:
            refuse_store_path(target, store.path, _("the report"))
    for note in renamed_targets(targets):
        say(note)
    result = evaluate(snap)
    for name, target in zip(names, targets, strict=True):
        maker = annual_report_zip if target.suffix.lower() == ".zip" else annual_report_pdf
        data = maker(result, name, args.year)
        write_file(target, data, what=_("the report"))
        as_of = snap.describe_as_of()
        say(_("{target} ({size:,.0f} KB): {name}, {year}, {as_of}").format(
            target=target, size=len(data) / 1024, name=name, year=args.year,
            as_of=f"{as_of[0].lower()}{as_of[1:]}"))
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    from evaluation.store.backup import backup

    store = _existing_store(args)
    info = backup(store, Path(args.out))
    say(_("Backed up {path} to {out}: {summary}.").format(path=store.path, out=args.out,
                                                             summary=info.summary()))
    return 0


@command("restore")
def cmd_restore(args: argparse.Namespace) -> int:
    from evaluation.intake.integrity import store_problems
    from evaluation.store.backup import restore

    store = _store(args)
    info = restore(Path(args.file), store, check=store_problems, force=args.force)
    say(_("Restored {file} into {path}: {summary}.").format(file=args.file, path=store.path,
                                                               summary=info.summary()))
    return 0


@command("survey")
def cmd_survey(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    return cli_survey.run(args, store, args.user or login_name(args.config), emit, say)


@command("template")
def cmd_template(args: argparse.Namespace) -> int:
    from evaluation.intake.formats import template_csv

    write(template_csv(args.kind.replace("-", "_")))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Every command and its flags. Long because it is the command line's whole
    declaration, one command after another, read top to bottom."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="STORE", default=argparse.SUPPRESS,
                        help=_("the store file, or a PostgreSQL database as "
                               "postgresql://user@host:port/dbname (default: $EVALUATION_DB "
                               "or data/evaluation.duckdb)"))
    common.add_argument("--user", default=argparse.SUPPRESS,
                        help=_("who to record as the author (default: $EVALUATION_USER or login)"))
    common.add_argument("--lang", metavar="CODE", default=argparse.SUPPRESS,
                        type=_language_code, help=_(
                            "the language of messages and reports: {codes} (default: from "
                            "LC_ALL or LANG, else en)").format(codes=", ".join(offered())))
    parser = argparse.ArgumentParser(
        prog="python -m evaluation", parents=[common],
        description=_("Long-horizon partnership evaluation: store, import, history, status."))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("init", parents=[common], help=_("create the store (with the sample data)"))
    p.add_argument("--empty", action="store_true", help=_("create it without the sample data"))
    p = sub.add_parser("import", parents=[common],
                       help=_("validate and import CSV files, workbooks and statistics tables"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--statistic", metavar="ID", help=_(
        "the table id of a statistics office's file that does not name its table"))
    p.add_argument("--dry-run", action="store_true", help=_("validate and preview; write nothing"))
    sub.add_parser("history", parents=[common], help=_("list the uploads, newest first"))
    p = sub.add_parser("changes", parents=[common], help=_("show what one upload changed"))
    p.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    p = sub.add_parser("undo", parents=[common], help=_("undo an upload"))
    p.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    p = sub.add_parser("template", parents=[common], help=_("print a CSV template for a file kind"))
    p.add_argument("kind", choices=[*KINDS, "observations-wide"], metavar="KIND",
                   help=_("one of: {kinds}").format(kinds=', '.join(KINDS)))
    p = sub.add_parser("backup", parents=[common], help=_("write a consistent backup (ZIP)"))
    p.add_argument("--out", required=True, metavar="FILE")
    p = sub.add_parser("restore", parents=[common], help=_("restore a backup into the store"))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help=_("replace a store that holds data"))
    p = sub.add_parser("report", parents=[common],
                       help=_("write the annual report of a partnership (PDF or chart-pack ZIP)"))
    p.add_argument("--partnership", metavar="NAME",
                   help=_("the partnership (default: every partnership, into --out as a folder)"))
    p.add_argument("--year", type=int, required=True, metavar="Y", help=_("the report year"))
    p.add_argument("--out", required=True, metavar="FILE",
                   help=_("a .pdf or .zip file, or a folder for one report per partnership"))
    p.add_argument("--format", choices=["pdf", "zip"], default="pdf",
                   help=_("format of the files written into a folder (default pdf)"))
    p.add_argument("--as-of", type=int, metavar="UPLOAD_ID",
                   help=_("reproduce the report as it was right after this upload"))
    for name, what in (("status", _("status per partnership and indicator")),
                       ("scores", _("pillar scores and balanced index per partnership and "
                                    "year"))):
        p = sub.add_parser(name, parents=[common], help=what)
        p.add_argument("--partnership", metavar="NAME")
        p.add_argument("--format", choices=["table", "csv", "json"], default="table")
        if name == "status":
            p.add_argument("--year", type=int, metavar="Y",
                           help=_("year assessed (default: each series' latest year)"))
    cli_survey.add_parser(sub, common)
    cli_fetch.add_parser(sub, common)
    cli_copy.add_parser(sub, common)
    return parser


def _language_code(text: str) -> str:
    code = language_of(text)
    if code is None:
        raise argparse.ArgumentTypeError(_("unknown language {text!r}; choose one of {codes}")
                                         .format(text=text, codes=", ".join(offered())))
    return code


def _language(argv: Sequence[str] | None) -> str:
    """The language asked with --lang (read before the parser, whose help it writes),
    else the system's."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    asked = early.parse_known_args(sys.argv[1:] if argv is None else list(argv))[0].lang
    return choose_language(asked, system_language())


def main(argv: Sequence[str] | None = None) -> int:
    set_language(_language(argv))
    args = build_parser().parse_args(argv)
    args.db = getattr(args, "db", None)
    args.user = getattr(args, "user", None)
    chosen = browser_choice()
    try:
        # Configuration is read here, once: the environment, then the flags over it.
        args.config = Config.from_environment().with_store(args.db)
        use_browser(args.config.browser)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at exit
        return code
    except BrokenPipeError:
        silence_stdout()  # the reader (`| head`) has gone; Python's documented recipe
        return 1
    except EvaluationError as e:
        say(_("error: {message}").format(message=e.message) + fix_words(e),
               file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        say(_("interrupted; nothing was half-written (each change is one transaction)"),
               file=sys.stderr)
        return 130
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        say(_("error: {where}{reason}").format(where=where, reason=e.strerror or e),
               file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a stack trace
        detail = (str(e).splitlines() or [""])[0]
        say(_("error: unexpected {error}: {detail} (please report)").format(
            error=type(e).__name__, detail=detail), file=sys.stderr)
        return 1
    finally:
        use_browser(chosen)  # a script calling main() keeps its own choice
