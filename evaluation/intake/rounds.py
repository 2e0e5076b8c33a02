"""Survey rounds in the app: an evaluator opens a round, respondents answer through its
link, the evaluator closes it.

Opening and closing are uploads like any other, so both can be undone. A round's
link carries a token of 128 random bits; respondents need no account. Their
answers wait in `submissions` (never versioned, never changed, never naming a
person: no name, e-mail, IP address or time is stored) until the round closes,
which copies them into the versioned `answers` as one upload. Each form a
respondent opens carries its own random submission id, so a form is counted
once however often it is sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from evaluation.access import Actor, require_write
from evaluation.errors import EvaluationError
from evaluation.intake.edits import find_partnership
from evaluation.limits import ACTOR_TYPES, MAX_CHARS, SURVEY_SCALE
from evaluation.method.settings import BY_NAME
from evaluation.store.connection import Store
from evaluation.store.schema import ENTITIES
from evaluation.store.versions import apply_staged, begin_upload
from evaluation.text import CONTROL_CHARS, clean_text
from evaluation.words import _

TOKEN_BYTES = 16  # 128 bits


@dataclass(frozen=True)
class RoundLink:
    """What a respondent's page needs: the round and the statements, nothing else."""

    partnership: str
    year: int
    open: bool
    items: pd.DataFrame  # item, factor, statement, statement_<lang>...
    partners: pd.DataFrame  # partner, actor_type (active that year)
    min_n: int  # the fewest respondents a shown figure comes from (the setting)


class SurveyClosed(EvaluationError):
    """The link belongs to no open round: unknown, closed, or already answered."""


def new_submission_id() -> str:
    """A fresh id for one form shown to one respondent."""
    return secrets.token_hex(16)


def open_round(store: Store, partnership: str, year: int, user: str | Actor) -> str:
    """Open the survey round of `partnership` in `year` and return its link token (the
    open round's token if it is already open)."""
    actor = require_write(user, _("open survey rounds"))
    with store.transaction() as con:
        pid, name = find_partnership(con, partnership)
        if not con.execute("SELECT 1 FROM instrument WHERE valid_to IS NULL").fetchone():
            raise EvaluationError(_("There is no survey instrument yet: import one (the "
                                    "instrument file kind) before opening a round."),
                                  _("No instrument"))
        row = con.execute("SELECT token, state FROM rounds WHERE valid_to IS NULL AND "
                          "partnership_id = ? AND year = ?", [pid, year]).fetchone()
        if row and row[1] == "open":
            return str(row[0])
        if row:
            raise EvaluationError(
                _("The {year} round of {partnership} is closed. To take more answers, undo "
                  "the upload that closed it (Upload page, history); its answers are kept."
                  ).format(year=year, partnership=name), _("Round closed"))
        token = secrets.token_urlsafe(TOKEN_BYTES)
        upload = begin_upload(con, "survey", actor.name, _(
            "Survey round opened: {partnership} {year}").format(partnership=name, year=year))
        _write_round(con, pid, year, token, "open", upload)
        return token


def close_round(store: Store, partnership: str, year: int, user: str | Actor) -> int:
    """Close an open round: its submissions become answers, as one upload (returned)."""
    actor = require_write(user, _("close survey rounds"))
    with store.transaction() as con:
        pid, name = find_partnership(con, partnership)
        row = con.execute("SELECT token FROM rounds WHERE valid_to IS NULL AND state = 'open' "
                          "AND partnership_id = ? AND year = ?", [pid, year]).fetchone()
        if row is None:
            raise EvaluationError(_("{partnership} has no open survey round in {year}.").format(
                partnership=name, year=year), _("No open round"))
        n = con.execute("SELECT count(*) FROM submissions WHERE token = ?", [row[0]]).fetchone()
        upload = begin_upload(con, "survey", actor.name, _(
            "Survey round closed: {partnership} {year}, {n} respondent(s)").format(
                partnership=name, year=year, n=n[0]))
        _write_round(con, pid, year, row[0], "closed", upload)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _staged AS
            SELECT ?::BIGINT AS partnership_id, ?::INTEGER AS year,
                   'web-' || s.submission_id AS respondent, a.item, s.actor_type, s.partner,
                   a.value, NULL::BIGINT AS rec
            FROM submissions s JOIN submitted_answers a USING (submission_id)
            WHERE s.token = ?""", [pid, year, row[0]])
        apply_staged(con, ENTITIES["answers"], "_staged", upload)
        return upload


def round_link(store: Store, token: str) -> RoundLink | None:
    """The round a link token opens, or None when no round has it."""
    if not _plausible(token):
        return None
    with store.connect() as con:
        row = con.execute("""
            SELECT p.name, r.year, r.state, r.partnership_id FROM rounds r
            JOIN partnerships p ON p.valid_to IS NULL AND p.partnership_id = r.partnership_id
            WHERE r.valid_to IS NULL AND r.token = ?""", [token]).fetchone()
        if row is None:
            return None
        items = con.execute("SELECT * EXCLUDE (valid_from, valid_to) FROM instrument "
                            "WHERE valid_to IS NULL ORDER BY position, item").df()
        partners = con.execute("""
            SELECT partner, actor_type FROM partners WHERE valid_to IS NULL
            AND partnership_id = ? AND joined_year <= ? AND (left_year IS NULL OR left_year >= ?)
            ORDER BY actor_type, partner""", [row[3], row[1], row[1]]).df()
        setting = con.execute("SELECT value FROM settings WHERE valid_to IS NULL AND name = "
                              "'survey_min_respondents'").fetchone()
    min_n = int(setting[0]) if setting else int(BY_NAME["survey_min_respondents"].default)
    return RoundLink(str(row[0]), int(row[1]), row[2] == "open", items, partners, min_n)


def submit_answers(store: Store, token: str, submission_id: str, actor_type: str,
                   partner: str | None, answers: Mapping[str, int | None]) -> None:
    """Store one respondent's answers to the open round of `token`, once.

    `answers` maps item ids to 1-5, or None for "don't know"; items left out are
    unanswered. Raises SurveyClosed for an unknown or closed link and for a form
    already sent, EvaluationError for answers the form cannot have produced.

    Long because everything a respondent could send wrong is checked here, before and
    inside the one short write.
    """
    if not _plausible(token):
        raise SurveyClosed(_unknown_link(), _("Survey not found"))
    if actor_type not in ACTOR_TYPES:
        raise EvaluationError(_("Choose the kind of organisation you answer for."),
                              _("Answer missing"))
    partner = clean_text(partner or "") or None
    if partner and (len(partner) > MAX_CHARS["partner"] or CONTROL_CHARS.search(partner)):
        raise EvaluationError(_("Choose your organisation from the list."), _("Answer missing"))
    low, high = SURVEY_SCALE
    for value in answers.values():
        if value is not None and (not isinstance(value, int) or not low <= value <= high):
            raise EvaluationError(_("Every answer must be on the scale from {low} to {high}."
                                    ).format(low=low, high=high), _("Answer not on the scale"))
    with store.transaction() as con:
        row = con.execute("SELECT state, partnership_id, year FROM rounds "
                          "WHERE valid_to IS NULL AND token = ?", [token]).fetchone()
        if row is None:
            raise SurveyClosed(_unknown_link(), _("Survey not found"))
        if row[0] != "open":
            raise SurveyClosed(_("This survey is closed and takes no more answers. Thank you "
                                 "for your interest."), _("Survey closed"))
        if con.execute("SELECT 1 FROM submissions WHERE submission_id = ?",
                       [submission_id]).fetchone():
            raise SurveyClosed(_("These answers have already been sent. Thank you!"),
                               _("Already sent"))
        known = {i for (i,) in con.execute(
            "SELECT item FROM instrument WHERE valid_to IS NULL").fetchall()}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise EvaluationError(_("The survey has changed since this form was opened; open "
                                    "the link again."), _("Survey changed"))
        if partner:
            partner = _register_spelling(con, row[1], row[2], partner)
        con.execute("INSERT INTO submissions VALUES (?, ?, ?, ?)",
                    [submission_id, token, actor_type, partner])
        rows = [(submission_id, item, value) for item, value in answers.items()]
        if rows:
            con.executemany("INSERT INTO submitted_answers VALUES (?, ?, ?)", rows)


def round_overview(store: Store) -> pd.DataFrame:
    """Every round: partnership, year, state, token, and respondents so far (submitted to
    an open round, or answers of a closed one); `state` is open or closed."""
    with store.connect() as con:
        return con.execute("""
            SELECT p.name AS partnership, r.year, r.state, r.token,
                   CASE WHEN r.state = 'open'
                        THEN (SELECT count(*) FROM submissions s WHERE s.token = r.token)
                        ELSE (SELECT count(DISTINCT respondent) FROM answers a
                              WHERE a.valid_to IS NULL AND a.partnership_id = r.partnership_id
                              AND a.year = r.year) END AS respondents,
                   r.valid_from AS upload_id
            FROM rounds r JOIN partnerships p
                 ON p.valid_to IS NULL AND p.partnership_id = r.partnership_id
            WHERE r.valid_to IS NULL ORDER BY 1, 2""").df()


def _write_round(con: duckdb.DuckDBPyConnection, pid: int, year: int, token: str, state: str,
                 upload: int) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _staged AS SELECT ?::BIGINT AS partnership_id, "
                "?::INTEGER AS year, ?::VARCHAR AS token, ?::VARCHAR AS state, "
                "NULL::BIGINT AS rec", [pid, year, token, state])
    apply_staged(con, ENTITIES["rounds"], "_staged", upload)


def _register_spelling(con: duckdb.DuckDBPyConnection, pid: int, year: int,
                       partner: str) -> str | None:
    """The register's name for the partner chosen; None if it is not a partner then."""
    row = con.execute("""
        SELECT partner FROM partners WHERE valid_to IS NULL AND partnership_id = ?
        AND lower(partner) = lower(?) AND joined_year <= ? AND (left_year IS NULL
        OR left_year >= ?)""", [pid, partner, year, year]).fetchone()
    return str(row[0]) if row else None


def _plausible(token: str) -> bool:
    return isinstance(token, str) and 16 <= len(token) <= 64 and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in token)


def _unknown_link() -> str:
    return _("This survey link is not known. Check that the whole link was copied from the "
             "invitation, or ask the person who sent it for a new one.")
