"""The store's schema, declared once, with migrations by recorded version.

Every entity table is *versioned*: a row is valid from the upload that wrote it
until the upload that replaced it (`valid_to`, NULL while current). Nothing is
ever overwritten, so the value history, undo and "the store as of upload N"
are all plain queries over the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.limits import INDICATOR_LANGUAGE_COLUMNS, LANGUAGE_CODES
from evaluation.words import N_

SCHEMA_VERSION = 5

_V1 = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE SEQUENCE upload_seq START 1;
CREATE SEQUENCE entity_seq START 1;
CREATE TABLE uploads (
    upload_id BIGINT PRIMARY KEY,
    action VARCHAR NOT NULL,            -- import | undo | edit | settings | survey (v3)
    created_at TIMESTAMP NOT NULL,      -- UTC
    created_by VARCHAR NOT NULL,
    summary VARCHAR NOT NULL,
    undoes BIGINT,
    undone_by BIGINT
);
CREATE TABLE upload_files (
    upload_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    n_new BIGINT NOT NULL,
    n_changed BIGINT NOT NULL,
    n_unchanged BIGINT NOT NULL
);
CREATE TABLE partnerships (
    partnership_id BIGINT NOT NULL, name VARCHAR NOT NULL, municipality VARCHAR,
    start_year INTEGER NOT NULL, horizon_years INTEGER NOT NULL, purpose VARCHAR,
    lead VARCHAR, partners VARCHAR, description VARCHAR,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE indicators (
    indicator_id BIGINT NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
    pillar VARCHAR NOT NULL, unit VARCHAR, direction VARCHAR NOT NULL, description VARCHAR,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE targets (
    partnership_id BIGINT NOT NULL, indicator_id BIGINT NOT NULL,
    baseline_year INTEGER NOT NULL, baseline DOUBLE NOT NULL,
    target_year INTEGER NOT NULL, target DOUBLE NOT NULL,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE observations (
    partnership_id BIGINT NOT NULL, indicator_id BIGINT NOT NULL, year INTEGER NOT NULL,
    grp VARCHAR NOT NULL, value DOUBLE NOT NULL, source VARCHAR, note VARCHAR,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE events (
    partnership_id BIGINT NOT NULL, year INTEGER NOT NULL, event VARCHAR NOT NULL,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE commentary (
    partnership_id BIGINT NOT NULL, year INTEGER NOT NULL, commentary VARCHAR NOT NULL,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
"""

# Version 2: the model's settings (pillar weights, thresholds), versioned like data so
# a report made as of an upload uses the weights that applied then.
_V2 = """
CREATE TABLE settings (
    name VARCHAR NOT NULL, value DOUBLE NOT NULL,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
"""

# Version 3: the collaboration itself. The partner register and the agreement's
# leadership and termination; the survey instrument; survey rounds and their answers
# (versioned like data, so an import or a closed round can be undone). Submissions to
# an open round wait in `submissions` (not versioned: a respondent's answers are
# written once and never changed) until the evaluator closes the round, which copies
# them into `answers` as one upload. Nothing there names a person.
_V3 = """
ALTER TABLE partnerships ADD COLUMN leadership VARCHAR;
ALTER TABLE partnerships ADD COLUMN termination VARCHAR;
CREATE TABLE partners (
    partnership_id BIGINT NOT NULL, partner VARCHAR NOT NULL, actor_type VARCHAR NOT NULL,
    joined_year INTEGER NOT NULL, left_year INTEGER, role VARCHAR, contribution VARCHAR,
    commitment VARCHAR,
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE instrument (
    item VARCHAR NOT NULL, factor VARCHAR NOT NULL, statement VARCHAR NOT NULL,
    reverse BOOLEAN NOT NULL, statement_nb VARCHAR, statement_nn VARCHAR,
    statement_da VARCHAR, statement_en VARCHAR, factor_nb VARCHAR, factor_nn VARCHAR,
    factor_da VARCHAR, factor_en VARCHAR,
    position INTEGER,                    -- the statement's place in its file: the form's order
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE rounds (
    partnership_id BIGINT NOT NULL, year INTEGER NOT NULL, token VARCHAR NOT NULL,
    state VARCHAR NOT NULL,              -- open | closed ("status" is the diff's word)
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE answers (
    partnership_id BIGINT NOT NULL, year INTEGER NOT NULL, respondent VARCHAR NOT NULL,
    item VARCHAR NOT NULL, actor_type VARCHAR NOT NULL, partner VARCHAR,
    value INTEGER,                       -- 1-5; NULL is "don't know"
    valid_from BIGINT NOT NULL, valid_to BIGINT
);
CREATE TABLE submissions (
    submission_id VARCHAR PRIMARY KEY, token VARCHAR NOT NULL, actor_type VARCHAR NOT NULL,
    partner VARCHAR
);
CREATE TABLE submitted_answers (
    submission_id VARCHAR NOT NULL, item VARCHAR NOT NULL, value INTEGER
);
"""

# Version 4: statistics offices' tables. A partnership's region (municipality or district
# codes, as the offices write them) and an indicator's table and selection of categories,
# so a StatBank download, a PX file or an API's answer maps onto observations.
_V4 = """
ALTER TABLE partnerships ADD COLUMN region_code VARCHAR;
ALTER TABLE indicators ADD COLUMN statistic VARCHAR;
ALTER TABLE indicators ADD COLUMN selection VARCHAR;
"""

# An indicator's name and description in each language the product speaks (issue 13).
_V5 = "".join(f"ALTER TABLE indicators ADD COLUMN {kind}_{code} VARCHAR;\n"
              for kind in ("name", "description") for code in LANGUAGE_CODES)

# Each entry upgrades a store from version i to i + 1 (index 0: empty -> 1).
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5)


@dataclass(frozen=True)
class Entity:
    """A versioned table: what identifies a row, what it holds, what an empty cell keeps."""

    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    keep_if_empty: tuple[str, ...] = ()
    label: str = ""
    since: int = 1  # the schema version that added the table

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key + self.values


ENTITIES: dict[str, Entity] = {
    e.table: e
    for e in (
        Entity(
            "partnerships", ("partnership_id",),
            ("name", "municipality", "start_year", "horizon_years", "purpose", "lead",
             "partners", "description", "leadership", "termination", "region_code"),
            ("municipality", "purpose", "lead", "partners", "description", "leadership",
             "termination", "region_code"), N_("partnership"),
        ),
        Entity(
            "indicators", ("indicator_id",),
            ("code", "name", "pillar", "unit", "direction", "description", "statistic",
             "selection", *INDICATOR_LANGUAGE_COLUMNS),
            ("unit", "description", "statistic", "selection", *INDICATOR_LANGUAGE_COLUMNS),
            N_("indicator"),
        ),
        Entity(
            "targets", ("partnership_id", "indicator_id"),
            ("baseline_year", "baseline", "target_year", "target"), (), N_("target"),
        ),
        Entity(
            "observations", ("partnership_id", "indicator_id", "year", "grp"),
            ("value", "source", "note"), ("source", "note"), N_("observation"),
        ),
        Entity("events", ("partnership_id", "year", "event"), (), (), N_("event")),
        Entity("commentary", ("partnership_id", "year"), ("commentary",), (), N_("commentary")),
        Entity("settings", ("name",), ("value",), (), N_("setting"), since=2),
        Entity(
            "partners", ("partnership_id", "partner"),
            ("actor_type", "joined_year", "left_year", "role", "contribution", "commitment"),
            ("left_year", "role", "contribution", "commitment"), N_("partner"), since=3,
        ),
        Entity(
            "instrument", ("item",),
            ("factor", "statement", "reverse", *(f"statement_{c}" for c in LANGUAGE_CODES),
             *(f"factor_{c}" for c in LANGUAGE_CODES), "position"),
            (*(f"statement_{c}" for c in LANGUAGE_CODES), *(f"factor_{c}" for c in LANGUAGE_CODES)),
            N_("survey statement"), since=3,
        ),
        Entity("rounds", ("partnership_id", "year"), ("token", "state"), (),
               N_("survey round"), since=3),
        Entity("answers", ("partnership_id", "year", "respondent", "item"),
               ("actor_type", "partner", "value"), (), N_("survey answer"), since=3),
    )
}

# Tables that are not versioned (held whole in backups and copies), by the version
# that added them.
PLAIN_TABLES: dict[str, int] = {"submissions": 3, "submitted_answers": 3}

# Tables whose rows refer to a partnership or an indicator by id.
REFERENCES: dict[str, tuple[str, ...]] = {
    "targets": ("partnership_id", "indicator_id"),
    "observations": ("partnership_id", "indicator_id"),
    "events": ("partnership_id",),
    "commentary": ("partnership_id",),
    "partners": ("partnership_id",),
    "rounds": ("partnership_id",),
    "answers": ("partnership_id",),
}


def store_tables(version: int = SCHEMA_VERSION) -> list[str]:
    """Every table of a store at `version`, in the order a backup or a copy writes them."""
    return ["meta", "uploads", "upload_files",
            *(e.table for e in ENTITIES.values() if e.since <= version),
            *(t for t, since in PLAIN_TABLES.items() if since <= version)]
