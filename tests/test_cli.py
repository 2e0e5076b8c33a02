"""The command line: same engine as the app, compiler-style problem lines, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from evaluation.cli import COMMANDS, main
from evaluation.intake.formats import KINDS
from evaluation.output.report import _report_span, _spans_text
from evaluation.store.connection import Store, migrate_to
from evaluation.store.snapshot import read_snapshot
from tests.conftest import dump, load

NO = "Nettverk friluftsliv Askim"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_creates_the_store_with_sample_data(tmp_path, capsys):
    db = tmp_path / "x.duckdb"
    code, out, _ = run(capsys, "init", "--db", str(db))
    assert code == 0 and "sample data" in out
    assert len(read_snapshot(Store(db)).partnerships) >= 5
    code, out, _ = run(capsys, "init", "--db", str(db))
    assert code == 0 and "already exists" in out


def test_init_empty(tmp_path, capsys):
    db = tmp_path / "e.duckdb"
    assert run(capsys, "--db", str(db), "init", "--empty")[0] == 0
    assert read_snapshot(Store(db)).is_empty


def test_import_reports_problems_as_file_line_column_and_exits_1(sample_store, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,20019,5\n"
                   "Askim frilufsliv,INV_PARTNERS,2020,n/a\n", encoding="utf-8")
    before = dump(sample_store)
    code, _, err = run(capsys, "import", str(bad), "--db", str(sample_store.path))
    assert code == 1
    lines = err.splitlines()
    assert f"{bad}:2: year: is not a year" in lines[0]
    assert any(line.startswith(f"{bad}:3: partnership: unknown partnership") for line in lines)
    assert any(line.startswith(f"{bad}:3: value: is not a number") for line in lines)
    assert dump(sample_store) == before


def test_import_dry_run_writes_nothing(sample_store, tmp_path, capsys):
    f = tmp_path / "ok.csv"
    f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2031,5\n")
    before = dump(sample_store)
    code, out, _ = run(capsys, "import", "--dry-run", str(f), "--db", str(sample_store.path))
    assert code == 0 and "1 new" in out and "dry run" in out
    assert dump(sample_store) == before


def test_import_history_changes_and_undo(sample_store, tmp_path, capsys):
    f = tmp_path / "ok.csv"
    f.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,2020,77\n")
    db = ["--db", str(sample_store.path)]
    code, out, _ = run(capsys, "import", str(f), "--user", "anne", *db)
    assert code == 0 and "Imported as upload 2" in out
    code, out, _ = run(capsys, "history", *db)
    assert "anne" in out and "ok.csv" in out
    code, out, _ = run(capsys, "changes", "2", *db)
    assert "77.0" in out and "INV_PARTNERS" in out
    code, out, _ = run(capsys, "undo", "2", *db)
    assert code == 0 and "undone" in out
    code, _, err = run(capsys, "undo", "2", *db)
    assert code == 1 and "already undone" in err


def test_several_files_are_one_transaction(sample_store, tmp_path, capsys):
    good = tmp_path / "p.csv"
    good.write_text("partnership,municipality,start_year,horizon_years,purpose,lead\n"
                    "Fresh,Oslo,2024,6,x,y\n")
    bad = tmp_path / "o.csv"
    bad.write_text("partnership,indicator,year,value\nFresh,INV_PARTNERS,2025,x\n")
    before = dump(sample_store)
    code, _, _ = run(capsys, "import", str(bad), str(good), "--db", str(sample_store.path))
    assert code == 1 and dump(sample_store) == before


@pytest.mark.parametrize("kind", [*KINDS, "observations-wide"])
def test_template_prints_a_header(capsys, kind):
    code, out, _ = run(capsys, "template", kind)
    first = {"indicators": "indicator", "instrument": "item"}.get(kind, "partnership")
    assert code == 0 and out.startswith(f'"{first}",')


def test_environment_variable_chooses_the_store(tmp_path):
    db = tmp_path / "env.duckdb"
    env = {"EVALUATION_DB": str(db), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "evaluation", "init", "--empty"],
                            capture_output=True, text=True, env=env, cwd=str(_root()))
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(capsys, "import", str(tmp_path / "nope.csv"), "--db",
                       str(tmp_path / "s.duckdb"))
    assert code == 1 and "nope.csv: cannot read the file" in err


def _root():
    from evaluation.config import PROJECT_ROOT
    return PROJECT_ROOT


def test_status_json_has_the_documented_keys(sample_store, capsys):
    import json
    code, out, _ = run(capsys, "status", "--db", str(sample_store.path), "--format", "json",
                       "--partnership", "ungdomsløftet drammen")
    rows = json.loads(out)
    assert code == 0 and rows
    assert set(rows[0]) == {"partnership", "indicator", "pillar", "year", "value",
                            "baseline_year", "baseline", "target_year", "target", "progress",
                            "status", "vs_expected"}
    assert {r["partnership"] for r in rows} == {"Ungdomsløftet Drammen"}


def test_status_for_a_year_uses_the_latest_observation_up_to_it(sample_store, capsys):
    import csv
    import io
    code, out, _ = run(capsys, "status", "--db", str(sample_store.path), "--format", "csv",
                       "--year", "2021")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and all(int(r["year"]) <= 2021 for r in rows)


def test_scores_csv_and_unknown_partnership(sample_store, capsys):
    code, out, _ = run(capsys, "scores", "--db", str(sample_store.path), "--format", "csv")
    header = next(csv.reader(io.StringIO(out)))
    assert code == 0 and header[:8] == ["partnership", "year", "year_of_horizon", "phase",
                                        "involvement", "process", "outcome", "balanced"]
    assert "involvement_counted" in header and "outcome_defined" in header
    code, _, err = run(capsys, "scores", "--db", str(sample_store.path), "--partnership",
                       "Askim frilufsliv")
    assert code == 1 and 'did you mean "Nettverk friluftsliv Askim"' in err


# --- A mistyped --db never creates a store --------------------------------------------

READERS = [["status"], ["history"], ["scores"], ["changes", "1"], ["undo", "1"],
           ["report", "--year", "2025", "--out", "REPORTS"], ["backup", "--out", "B.zip"],
           ["import", "--dry-run", "OK.csv"]]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_commands_that_read_refuse_a_missing_store_and_create_nothing(tmp_path, capsys,
                                                                         command):
    (tmp_path / "OK.csv").write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,"
                                     "2031,5\n")
    db = tmp_path / "typo" / "store.duckdb"
    args = [str(tmp_path / a) if a in ("REPORTS", "B.zip", "OK.csv") else a for a in command]
    code, out, err = run(capsys, *args, "--db", str(db))
    assert code == 1 and not out
    # The core says what is wrong; the command line adds its own words for the fix.
    assert err == (f"error: There is no store at {db}. Run `python -m evaluation init --db {db}` "
                   "first, or check --db.\n")
    assert not db.parent.exists()
    assert not (tmp_path / "REPORTS").exists() and not (tmp_path / "B.zip").exists()


def test_a_folder_given_as_the_store_is_named(tmp_path, capsys):
    code, _, err = run(capsys, "history", "--db", str(tmp_path))
    assert code == 1 and f"{tmp_path} is a folder, not a store" in err


def test_a_real_import_still_creates_a_new_store(tmp_path, capsys):
    db = tmp_path / "new" / "store.duckdb"
    code, out, _ = run(capsys, "import", str(_root() / "sample_data" / "partnerships.csv"),
                       "--db", str(db))
    assert code == 0 and "Imported as upload 1" in out and db.exists()


# --- Backups: every bad file is a clear error, never a stack trace ---------------------

@pytest.fixture
def backup_zip(sample_store, tmp_path, capsys) -> Path:
    out = tmp_path / "good.zip"
    assert run(capsys, "backup", "--db", str(sample_store.path), "--out", str(out))[0] == 0
    return out


def _altered(backup: Path, target: Path, **replace: bytes | None) -> Path:
    """A copy of `backup` with some members' bytes replaced (None: left out)."""
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            data = replace.get(name, src.read(name))
            if data is not None:
                dst.writestr(name, data)
    return target


def _write(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


def _folder(target: Path) -> Path:
    target.mkdir()
    return target


def _manifest(backup: Path, **changes) -> bytes:
    manifest = json.loads(zipfile.ZipFile(backup).read("manifest.json"))
    manifest.update(changes)
    return json.dumps({k: v for k, v in manifest.items() if v != "DROP"}).encode()


BAD_BACKUPS = {
    "manifest not JSON": (lambda b, t: _altered(b, t, **{"manifest.json": b"{not json"}),
                          "manifest.json: it is not JSON"),
    "manifest a list": (lambda b, t: _altered(b, t, **{"manifest.json": b"[1, 2]"}),
                        "not a JSON object"),
    "manifest not UTF-8": (lambda b, t: _altered(b, t, **{"manifest.json": b"\xff\xfe{"}),
                           "it is not JSON"),
    "wrong types": (lambda b, t: _altered(b, t, **{"manifest.json": _manifest(
        b, schema_version="2")}), 'schema_version is "2"'),
    "rows not counts": (lambda b, t: _altered(b, t, **{"manifest.json": _manifest(
        b, rows={"uploads": "many"})}), "rows is"),
    "version 0": (lambda b, t: _altered(b, t, **{"manifest.json": _manifest(
        b, schema_version=0)}), "schema_version is 0"),
    "missing keys": (lambda b, t: _altered(b, t, **{"manifest.json": _manifest(
        b, rows="DROP", uploads="DROP")}), "it lacks uploads, rows"),
    "damaged table": (lambda b, t: _altered(b, t, **{"observations.parquet": b"PAR1junk"}),
                      "could not be restored"),
    "empty table": (lambda b, t: _altered(b, t, **{"events.parquet": b""}),
                    "could not be restored"),
    "missing table": (lambda b, t: _altered(b, t, **{"events.parquet": None}),
                      "has no events table"),
    "not a ZIP": (lambda b, t: _write(t, b"PK\x03\x04 but not really"),
                  "cannot be read as a backup"),
    "missing file": (lambda b, t: t, "does not exist"),
    "a folder": (lambda b, t: _folder(t), "is a folder, not a file"),
}


@pytest.mark.parametrize("kind", BAD_BACKUPS)
def test_restore_of_a_bad_backup_names_the_file_and_what_to_do(backup_zip, tmp_path, capsys,
                                                                  kind):
    make, expected = BAD_BACKUPS[kind]
    bad = make(backup_zip, tmp_path / "bad.zip")
    db = tmp_path / "new" / "restored.duckdb"
    code, _, err = run(capsys, "restore", str(bad), "--db", str(db))
    assert code == 1 and str(bad) in err, err
    assert expected in err and "python -m evaluation backup" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not db.exists() and not any(db.parent.glob("*"))  # no half-built file left


def test_restore_refuses_a_newer_backup_and_leaves_the_store(backup_zip, sample_store,
                                                             tmp_path, capsys):
    bad = _altered(backup_zip, tmp_path / "new.zip",
                   **{"manifest.json": _manifest(backup_zip, schema_version=99)})
    before = dump(sample_store)
    code, _, err = run(capsys, "restore", "--force", str(bad), "--db", str(sample_store.path))
    assert code == 1 and "newer version of this program" in err
    assert dump(sample_store) == before


def test_restore_force_replaces_a_damaged_store(backup_zip, sample_store, tmp_path, capsys):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database" * 1000)
    code, out, err = run(capsys, "restore", "--force", str(backup_zip), "--db", str(damaged))
    assert code == 0, err
    assert dump(Store(damaged)) == dump(sample_store)


@pytest.mark.file_store
def test_backup_to_a_folder_or_under_a_file_is_a_clear_error(sample_store, tmp_path, capsys):
    db = ["--db", str(sample_store.path)]
    code, _, err = run(capsys, "backup", "--out", str(tmp_path), *db)
    assert code == 1 and f"{tmp_path} is a folder; give the backup a file name" in err
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "backup", "--out", str(blocker / "b.zip"), *db)
    assert code == 1 and f"{blocker} is a file, not a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "sample.duckdb"]


def test_backup_to_an_unwritable_place_is_a_clear_error(sample_store, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root writes anywhere; sysfs refuses even root
        folder = Path("/sys")
    try:
        code, _, err = run(capsys, "backup", "--out", str(folder / "b.zip"), "--db",
                           str(sample_store.path))
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert code == 1 and err.startswith(f"error: Cannot write the backup to {folder / 'b.zip'}")
    assert "choose a folder you can write to" in err
    assert not list((tmp_path / "locked").iterdir())


# --- Closed pipes and unexpected errors --------------------------------------------------

def test_a_closed_pipe_ends_quietly(sample_store):
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` once head has what it wants
    try:
        result = subprocess.run([sys.executable, "-m", "evaluation", "status", "--db",
                                 str(sample_store.path)], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, cwd=str(_root()),
                                timeout=120)
    finally:
        os.close(write_end)
    assert result.returncode == 1 and result.stderr == ""


@pytest.mark.parametrize("error, code, expected", [
    (ValueError("bad value\nsecond line"), 1,
     "error: unexpected ValueError: bad value (please report)\n"),
    (PermissionError(13, "Permission denied", "/srv/x.csv"), 1,
     "error: /srv/x.csv: Permission denied\n"),
    (KeyboardInterrupt(), 130,
     "interrupted; nothing was half-written (each change is one transaction)\n"),
])
def test_unexpected_errors_are_one_line_without_a_traceback(monkeypatch, capsys, error, code,
                                                           expected):
    def fail(args):
        raise error
    monkeypatch.setitem(COMMANDS, "template", fail)
    assert run(capsys, "template", "events") == (code, "", expected)


# --- Read-only mode -----------------------------------------------------------------------

@pytest.mark.file_store
def test_read_only_mode_reads_and_backs_up_without_touching_the_store(sample_store, tmp_path,
                                                                      capsys, monkeypatch):
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    before = sample_store.path.read_bytes()
    db = ["--db", str(sample_store.path)]
    assert run(capsys, "status", *db)[0] == 0
    assert "sample data" in run(capsys, "history", *db)[1]
    assert run(capsys, "backup", "--out", str(tmp_path / "b.zip"), *db)[0] == 0
    assert sample_store.path.read_bytes() == before
    assert not Path(f"{sample_store.path}.wal").exists()


@pytest.mark.file_store
def test_read_only_mode_previews_an_import_without_writing(sample_store, tmp_path, capsys,
                                                           monkeypatch):
    (tmp_path / "OK.csv").write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,"
                                     "2031,5\n")
    before = sample_store.path.read_bytes()
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    code, out, err = run(capsys, "import", "--dry-run", str(tmp_path / "OK.csv"), "--db",
                         str(sample_store.path))
    assert code == 0 and "1 new" in out and "dry run: nothing was written" in out, err
    assert sample_store.path.read_bytes() == before
    assert not Path(f"{sample_store.path}.wal").exists()


@pytest.mark.parametrize("command", [
    ["init"], ["init", "--empty"], ["restore", "B.zip"], ["restore", "--force", "B.zip"],
    ["import", "OK.csv"], ["undo", "1"],
], ids=" ".join)
@pytest.mark.parametrize("target", ["existing", "new"])
def test_read_only_mode_refuses_every_write(sample_store, backup_zip, tmp_path, capsys,
                                            monkeypatch, command, target):
    (tmp_path / "OK.csv").write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,"
                                     "2031,5\n")
    db = sample_store.path if target == "existing" else tmp_path / "new" / "s.duckdb"
    before = dump(sample_store)
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    args = [str(backup_zip) if a == "B.zip" else str(tmp_path / a) if a == "OK.csv" else a
            for a in command]
    code, out, err = run(capsys, *args, "--db", str(db))
    assert code == 1 and not out
    assert "read-only mode" in err or (target == "new" and "no store at" in err), err
    monkeypatch.delenv("EVALUATION_READ_ONLY")
    assert dump(sample_store) == before
    assert not (tmp_path / "new").exists()


def test_read_only_mode_does_not_migrate_an_old_store(tmp_path, capsys, monkeypatch):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate_to(con, 1)
    con.close()
    (tmp_path / "OK.csv").write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,"
                                     "2031,5\n")
    monkeypatch.setenv("EVALUATION_READ_ONLY", "1")
    code, _, err = run(capsys, "status", "--db", str(path))
    assert code == 1 and "has schema 1, older than" in err and "cannot update it" in err
    code, _, err = run(capsys, "import", "--dry-run", str(tmp_path / "OK.csv"), "--db", str(path))
    assert code == 1 and "read-only mode" in err
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM meta").fetchone()[0] == "1"
    con.close()


# --- report: the year and --out ----------------------------------------------------------

@pytest.mark.parametrize("year, partnership, expected", [
    ("1850", None, "1850 is not a plausible report year; give a year from 1900 to 2200"),
    ("2300", None, "give a year from 1900 to 2200"),
    ("2199", None, "2199 is outside the horizon and the data of any partnership; give a year in"),
    ("1990", "Ungdomsløftet Drammen",
     "1990 is outside the horizon and the data of Ungdomsløftet Drammen; give a year in"),
])
def test_report_refuses_a_year_outside_every_horizon(sample_store, tmp_path, capsys, year,
                                                     partnership, expected):
    pick = ["--partnership", partnership] if partnership else []
    code, _, err = run(capsys, "report", "--db", str(sample_store.path), "--year", year,
                       "--out", str(tmp_path / "reports"), *pick)
    assert code == 1 and expected in err
    assert not (tmp_path / "reports").exists()


def test_report_span_covers_the_horizon_and_the_data(sample_store):
    snap = read_snapshot(sample_store)
    # Drammen's horizon is 2018-2027, and its statistics go back to 2016.
    assert _report_span(snap, "Ungdomsløftet Drammen") == (2016, 2027)
    assert _report_span(snap, "Sammen mot ensomhet Bodø") == (2023, 2029)
    assert _spans_text([(2020, 2025), (2015, 2019), (2030, 2031)]) == "2015-2025, 2030-2031"


@pytest.mark.parametrize("name", ["all.pdf", "all.ZIP"])
def test_report_to_one_file_for_several_partnerships_is_refused(sample_store, tmp_path, capsys,
                                                                 name):
    out = tmp_path / name
    code, _, err = run(capsys, "report", "--db", str(sample_store.path), "--year", "2025",
                       "--out", str(out))
    assert code == 1
    assert (f"{out} ends in {out.suffix.lower()} but several partnerships" in err
            and "choose one partnership, or give a folder" in err)
    assert not out.exists()


def test_report_into_a_folder_names_the_file_after_the_partnership(sample_store, tmp_path,
                                                                   capsys, monkeypatch):
    monkeypatch.setenv("EVALUATION_BROWSER", "none")  # the chart pack works without Chromium
    folder = tmp_path / "reports"
    code, out, err = run(capsys, "report", "--db", str(sample_store.path), "--year", "2025",
                         "--partnership", "Ungdomsløftet Drammen", "--format", "zip",
                         "--out", f"{folder}/")
    assert code == 0, err
    assert [p.name for p in folder.iterdir()] == ["Ungdomsloeftet-Drammen_annual-report_2025.zip"]


@pytest.mark.file_store
def test_control_characters_from_data_never_reach_the_terminal(sample_store, capsys):
    """A store written before the importer refused them may hold ESC sequences."""
    con = duckdb.connect(str(sample_store.path))
    con.execute("UPDATE partnerships SET name = name || chr(27) || '[2J' "
                "WHERE name = 'Ungdomsløftet Drammen'")
    con.execute("UPDATE uploads SET created_by = 'eve' || chr(27) || ']0;pwned' || chr(7)")
    con.close()
    for command in (["status"], ["scores"], ["history"], ["changes", "1"],
                    ["status", "--format", "csv"], ["status", "--format", "json"]):
        code, out, err = run(capsys, *command, "--db", str(sample_store.path))
        assert code == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err, command
    assert "\\x1b[2J" in run(capsys, "status", "--db", str(sample_store.path))[1]


@pytest.mark.file_store
def test_status_answers_again_from_the_kept_answer_until_the_store_changes(
        sample_store, capsys, kept_answers):
    db = str(sample_store.path)
    first = run(capsys, "status", "--db", db)[1]
    [entry] = kept_answers.iterdir()
    assert entry.read_text(encoding="utf-8") == first and entry.stat().st_mode & 0o777 == 0o600
    entry.write_text("kept\n", encoding="utf-8")  # proves the next answer is the kept one
    assert run(capsys, "status", "--db", db)[1] == "kept\n"
    assert run(capsys, "status", "--db", db, "--format", "csv")[1] != "kept\n"
    assert run(capsys, "--lang", "nb", "status", "--db", db)[1] != "kept\n"
    assert run(capsys, "scores", "--db", db)[1] != "kept\n"
    load(sample_store, "partnership,indicator,year,value,group,source,note\n"
                       "Ungdomsløftet Drammen,INV_PARTICIPANTS,2026,210,,Register,\n")
    after = run(capsys, "status", "--db", db)[1]
    assert after != "kept\n" and after != first and "2026" in after


def test_status_computes_when_answers_cannot_be_kept(sample_store, capsys, monkeypatch,
                                                     tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    db = str(sample_store.path)
    monkeypatch.setenv("EVALUATION_CACHE", str(blocked / "kept"))
    code, out, err = run(capsys, "status", "--db", db)
    assert code == 0 and "Ungdomsløftet Drammen" in out and not err
    monkeypatch.setenv("EVALUATION_CACHE", "none")
    assert run(capsys, "status", "--db", db)[1] == out
    code, _out, err = run(capsys, "status", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 1 and "There is no store" in err
