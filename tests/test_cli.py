"""The command line: same engine as the app, compiler-style problem lines, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evaluation.cli import main
from evaluation.formats import KINDS
from evaluation.snapshot import read_snapshot
from evaluation.store import Store
from tests.conftest import dump

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
    assert code == 0 and out.startswith("partnership" if "indicator" != kind[:9] else "indicator")


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
    from evaluation.store import PROJECT_ROOT
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
    header = out.splitlines()[0].split(",")
    assert code == 0 and header[:8] == ["partnership", "year", "year_of_horizon", "phase",
                                        "involvement", "process", "outcome", "balanced"]
    assert "involvement_counted" in header and "outcome_defined" in header
    code, _, err = run(capsys, "scores", "--db", str(sample_store.path), "--partnership",
                       "Askim frilufsliv")
    assert code == 1 and 'did you mean "Nettverk friluftsliv Askim"' in err
