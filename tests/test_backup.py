"""Backups are input like any upload, and no output the product writes destroys a file.

A crafted backup (a ZIP bomb, values the importer refuses, broken references)
is refused before anything replaces the store; a backup or report written onto
the store, through a planted link or onto a full disk leaves every file as it was.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest

from evaluation.cli import main
from evaluation.errors import EvaluationError
from evaluation.files import write_file
from evaluation.intake.integrity import store_problems
from evaluation.output.report import renamed_targets, report_targets
from evaluation.store.backup import backup, restore
from evaluation.store.connection import Store
from tests.conftest import dump


@pytest.fixture
def backup_file(sample_store, tmp_path) -> Path:
    out = tmp_path / "backup.zip"
    backup(sample_store, out)
    return out


def _crafted(source: Path, tmp_path: Path, table: str, select: str) -> Path:
    """A copy of the backup whose `table` is replaced by `select` over the original rows
    (`t`), with the manifest unchanged: what an attacker would hand in."""
    out = tmp_path / f"crafted-{table}.zip"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for name in z.namelist():
            data = z.read(name)
            if name == f"{table}.parquet":
                original, changed = tmp_path / "in.parquet", tmp_path / "out.parquet"
                original.write_bytes(data)
                con = duckdb.connect()
                con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{original}')")
                con.execute(f"COPY ({select}) TO '{changed}' (FORMAT parquet)")
                con.close()
                data = changed.read_bytes()
            w.writestr(name, data)
    return out


CRAFTED = [
    ("partnerships", "SELECT * REPLACE (2000000000 AS horizon_years) FROM t", "horizon"),
    ("partnerships", "SELECT * REPLACE (0 AS horizon_years) FROM t", "horizon"),
    ("partnerships", "SELECT * REPLACE (name || chr(27) || '[31m' AS name) FROM t",
     "control character"),
    ("indicators", "SELECT * REPLACE (repeat('n', 1700) AS name) FROM t", "longer than"),
    ("indicators", "SELECT * REPLACE ('magic' AS pillar) FROM t", "pillar is unknown"),
    ("observations", "SELECT * REPLACE ('nan'::DOUBLE AS value) FROM t", "finite"),
    ("observations", "SELECT * REPLACE (99999 AS year) FROM t", "not a year"),
    ("observations", "SELECT * REPLACE (partnership_id + 1000 AS partnership_id) FROM t",
     "partnership that does not exist"),
    ("targets", "SELECT * REPLACE (baseline_year + 20 AS baseline_year) FROM t",
     "target year is not after"),
    ("settings", "SELECT 'weight_outcome' AS name, -1e308 AS value, 1::BIGINT AS valid_from, "
     "NULL::BIGINT AS valid_to", "weight_outcome must be"),
    ("settings", "SELECT 'on_track_ratio' AS name, 0.1 AS value, 1::BIGINT AS valid_from, "
     "NULL::BIGINT AS valid_to", "above moderate_ratio"),
    ("settings", "SELECT 'evil' AS name, 1.0 AS value, 1::BIGINT AS valid_from, "
     "NULL::BIGINT AS valid_to", "not a setting"),
]


@pytest.mark.parametrize("table, select, expected", CRAFTED,
                         ids=[f"{t}-{e}" for t, _, e in CRAFTED])
def test_a_crafted_backup_is_refused_and_the_store_kept(backup_file, sample_store, tmp_path,
                                                        table, select, expected):
    crafted = _crafted(backup_file, tmp_path, table, select)
    if table == "settings":  # the manifest counts rows: keep it consistent, as a crafter would
        crafted = _recount(crafted, tmp_path)
    before = dump(sample_store)
    with pytest.raises(EvaluationError, match=expected) as caught:
        restore(crafted, sample_store, force=True, check=store_problems)
    assert "Nothing was changed" in caught.value.message
    assert dump(sample_store) == before


def _recount(path: Path, tmp_path: Path) -> Path:
    import json
    out = tmp_path / "recounted.zip"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w") as w:
        for name in z.namelist():
            data = z.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["rows"]["settings"] = 1
                data = json.dumps(manifest).encode()
            w.writestr(name, data)
    return out


@pytest.mark.file_store
def test_a_zip_bomb_is_refused_before_it_is_unpacked(backup_file, sample_store, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(backup_file) as z, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as w:
        for name in z.namelist():
            w.writestr(name, z.read(name) if name != "observations.parquet"
                       else b"\0" * (64 << 20))
    assert bomb.stat().st_size < 1 << 20
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = dump(sample_store)
    old = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        with pytest.raises(EvaluationError, match="would unpack to 64 MB"):
            restore(bomb, sample_store, force=True, check=store_problems)
    finally:
        tempfile.tempdir = old
    assert dump(sample_store) == before
    assert not any(scratch.iterdir())
    assert not [p for p in sample_store.path.parent.rglob("*.parquet")]


def test_a_good_backup_still_restores_table_by_table(backup_file, tmp_path):
    target = Store(tmp_path / "new" / "restored.duckdb")
    info = restore(backup_file, target, check=store_problems)
    assert info.uploads == 1 and dump(target)["observations"]
    assert sorted(p.name for p in target.path.parent.iterdir()) == ["restored.duckdb"]


# ---- Writing output ----------------------------------------------------------------

@pytest.mark.file_store
def test_backup_onto_the_store_or_its_log_is_refused(sample_store, capsys):
    before = sample_store.path.read_bytes()
    for out in (sample_store.path, Path(f"{sample_store.path}.wal")):
        assert main(["backup", "--out", str(out), "--db", str(sample_store.path)]) == 1
        assert "would destroy it" in capsys.readouterr().err
    assert sample_store.path.read_bytes() == before
    assert not Path(f"{sample_store.path}.wal").exists()


@pytest.mark.file_store
def test_report_onto_the_store_is_refused(sample_store, tmp_path, capsys):
    link = tmp_path / "store-link.pdf"
    link.symlink_to(sample_store.path)
    before = sample_store.path.read_bytes()
    code = main(["report", "--partnership", "Ungdomsløftet Drammen", "--year", "2024",
                 "--out", str(link), "--db", str(sample_store.path)])
    assert code == 1 and "would destroy it" in capsys.readouterr().err
    assert sample_store.path.read_bytes() == before


def test_a_planted_link_is_replaced_never_followed(sample_store, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "backup.zip"
    (tmp_path / "backup.zip.partial").symlink_to(victim)  # the old predictable name
    out.symlink_to(victim)
    backup(sample_store, out)
    assert victim.read_text() == "keep me"
    assert not out.is_symlink() and zipfile.is_zipfile(out)


def test_a_full_disk_leaves_the_old_file_whole_and_no_partial_one(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF old report")

    def fill(file: io.BufferedWriter) -> None:
        file.write(b"%PDF half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(EvaluationError, match="the disk is full") as caught:
        write_file(target, fill, what="the report")
    assert "Nothing was replaced" in caught.value.message
    assert target.read_bytes() == b"%PDF old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_written_files_get_ordinary_permissions(tmp_path):
    write_file(tmp_path / "x.pdf", b"data")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "x.pdf").stat().st_mode & 0o777 == 0o666 & ~mask


def test_reports_of_names_that_give_one_file_name_get_distinct_files(tmp_path):
    names = ["Sandnes ungdom", "Sandnes-ungdom", "SANDNES UNGDOM", "Bodø"]
    targets = report_targets(tmp_path / "reports", names, "pdf", 2025)
    assert len({t.name.lower() for t in targets}) == 4
    assert [t.name for t in targets][:2] == ["Sandnes-ungdom_annual-report_2025.pdf",
                                             "Sandnes-ungdom_annual-report_2025-2.pdf"]
    notes = renamed_targets(targets)
    assert len(notes) == 2 and "-2" in notes[0] and "-3" in notes[1]
