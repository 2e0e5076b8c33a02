"""First start: the store is created with the sample data, all at once or not at all."""

from __future__ import annotations

import shutil

import pytest

from evaluation.errors import EvaluationError
from evaluation.intake.sample import SAMPLE_DIR, ensure_store
from evaluation.store.connection import Store
from evaluation.store.versions import list_uploads


def test_first_start_creates_the_store_with_the_sample(tmp_path):
    store = Store(tmp_path / "data" / "evaluation.duckdb")
    assert ensure_store(store) is True
    assert ensure_store(store) is False
    assert list_uploads(store)["created_by"].tolist() == ["sample data"]
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["evaluation.duckdb"]


def test_a_failed_first_start_leaves_no_half_made_store(tmp_path, monkeypatch):
    broken = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, broken)
    (broken / "observations.csv").write_text("partnership,indicator,year,value\nX,Y,20019,1\n")
    monkeypatch.setattr("evaluation.intake.sample.SAMPLE_DIR", broken)
    monkeypatch.setattr("evaluation.intake.sample.load_sample_data.__defaults__", (broken,))
    store = Store(tmp_path / "data" / "evaluation.duckdb")
    with pytest.raises(EvaluationError, match="did not import"):
        ensure_store(store)
    assert list(store.path.parent.iterdir()) == []
    monkeypatch.undo()
    assert ensure_store(store) is True  # the next start tries again, and succeeds


def test_read_only_mode_does_not_create_a_store(tmp_path):
    store = Store(tmp_path / "evaluation.duckdb", read_only=True)
    with pytest.raises(EvaluationError, match="read-only"):
        ensure_store(store)
    assert not store.exists()


def test_an_unwritable_place_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.write_text("a file where a folder should be")
    store = Store(locked / "evaluation.duckdb")
    with pytest.raises(EvaluationError, match="Cannot create the store .*Choose a folder this program may write to"):
        ensure_store(store)
