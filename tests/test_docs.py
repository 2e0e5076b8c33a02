"""The docs say what the code does: their tables are compared with the tables in the code.

Each file kind's columns and aliases, each setting's group, default, range and help,
and the text limits are declared once in the code; docs/data-format.md,
docs/method.md, docs/deployment.md and the README must agree with them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.intake.formats import ALIASES, KINDS
from evaluation.limits import MAX_CHARS, MAX_COMMENTARY
from evaluation.method.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parent.parent


def table_rows(path: Path, first_header: str) -> list[list[str]]:
    """The rows of the markdown table whose header starts with `first_header`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def words(cell: str) -> list[str]:
    return [w.strip("` ") for w in re.split(r",|\bthen\b", cell) if w.strip("` ")
            and "one column per year" not in w]


def test_data_format_lists_every_kind_with_its_columns():
    rows = {r[0].strip("`").split()[0].strip("`"): r for r in
            table_rows(ROOT / "docs" / "data-format.md", "kind")}
    assert set(rows) == set(KINDS)
    for name, kind in KINDS.items():
        required = words(rows[name][1])
        assert required == [c for c in kind.required if c not in ("year", "value")
                            or not kind.wide], name
        assert words(rows[name][2]) == list(kind.optional), name


def test_data_format_lists_every_alias():
    documented = {}
    for column, aliases in table_rows(ROOT / "docs" / "data-format.md", "column"):
        for alias in words(aliases):
            documented[alias] = column.strip("`")
    assert documented == ALIASES


def test_the_readme_table_matches_the_kinds():
    rows = {r[0]: r[1] for r in table_rows(ROOT / "README.md", "kind")}
    for name in ("partnerships", "indicators", "targets", "events", "commentary"):
        listed = re.findall(r"\w+", rows[name])
        assert listed == list(KINDS[name].columns), name


def test_method_lists_every_setting_as_the_code_declares_it():
    rows = {r[0].strip("`"): r for r in table_rows(ROOT / "docs" / "method.md", "name")}
    assert list(rows) == [s.name for s in SETTINGS]
    for s in SETTINGS:
        _, group, default, allowed, help_text = rows[s.name]
        assert group == s.group and float(default) == s.default and help_text == s.help
        bounds = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", allowed)]
        assert (bounds == list(s.choices)) if s.choices else bounds == [s.low, s.high]


def test_the_settings_object_has_one_field_per_setting_with_its_default():
    from dataclasses import fields

    assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS]
    assert all(getattr(Settings(), s.name) == s.default for s in SETTINGS)


@pytest.mark.parametrize("column, limit", [*MAX_CHARS.items(), ("commentary", MAX_COMMENTARY)])
def test_deployment_states_each_text_limit(column, limit):
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = text[text.index("**What the importer refuses in texts.**"):]
    section = " ".join(section[:section.index("\n- **")].split())
    names = {"indicator": "indicator code", "name": "indicator name"}
    assert re.search(rf"{names.get(column, column)}[^,.]*?{limit:,}", section), column


# Stored names that differ from a file's column names (the file names a partnership by its
# name and an indicator by its code; the store keeps ids beside them).
_STORED_AS = {"partnerships": {"name": "partnership"}, "indicators": {"code": "indicator"},
              "observations": {"grp": "group"}}


def test_the_migrated_schema_has_exactly_the_declared_columns(store):
    """Migrations are history and keep their DDL as written; ENTITIES declares the columns
    in force, and the two must agree."""
    from evaluation.store.schema import ENTITIES

    with store.connect() as con:
        for entity in ENTITIES.values():
            stored = [r[0] for r in con.execute(f"DESCRIBE {entity.table}").fetchall()]
            # ALTER TABLE appends: a column added by a later migration follows valid_to.
            assert sorted(stored) == sorted([*entity.columns, "valid_from", "valid_to"]), (
                entity.table)


def test_the_snapshot_gives_each_kind_the_columns_of_its_file(sample_store):
    """What a page reads back has the names of what an evaluator uploads."""
    from evaluation.store.schema import ENTITIES
    from evaluation.store.snapshot import read_snapshot

    snap = read_snapshot(sample_store)
    for kind in ("partnerships", "indicators", "targets", "events", "commentary",
                 "observations"):
        frame = getattr(snap, kind)
        expected = [c for c in KINDS[kind].columns]
        assert set(expected) <= set(frame.columns), (kind, expected, list(frame.columns))
        entity = ENTITIES[kind]
        renamed = {_STORED_AS.get(kind, {}).get(c, c) for c in entity.values}
        assert renamed <= set(frame.columns) | {"commentary", "event"}, kind
