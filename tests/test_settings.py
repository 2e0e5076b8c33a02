"""Settings: one table drives the page, the docs and the store; changes are uploads."""

from __future__ import annotations

import pytest

from evaluation.access import VIEWER, Actor
from evaluation.errors import EvaluationError, PermissionDenied
from evaluation.intake.edits import save_settings
from evaluation.method.settings import SETTINGS, Settings
from evaluation.store.snapshot import read_snapshot
from evaluation.store.versions import list_uploads, undo_upload
from tests.conftest import dump


def test_every_setting_has_a_default_inside_its_range_and_help():
    defaults = Settings()
    for s in SETTINGS:
        assert s.low <= s.default <= s.high and len(s.help) > 20
        assert getattr(defaults, s.name) == s.default


def test_saved_settings_are_read_back_and_recorded_as_an_upload(sample_store):
    upload = save_settings(sample_store, {"weight_outcome": 2.0, "path_tolerance": 0.2}, "anne")
    snap = read_snapshot(sample_store)
    settings = Settings.from_values(snap.settings)
    assert settings.weight_outcome == 2.0 and settings.path_tolerance == 0.2
    latest = list_uploads(sample_store).iloc[0]
    assert (latest.upload_id, latest.action, latest.created_by) == (upload, "settings", "anne")


def test_saving_the_same_values_records_nothing(sample_store):
    save_settings(sample_store, {"weight_outcome": 2.0}, "anne")
    before = dump(sample_store)
    assert save_settings(sample_store, {"weight_outcome": 2.0}, "anne") is None
    assert dump(sample_store) == before


def test_settings_can_be_undone_and_read_as_of_an_earlier_upload(sample_store):
    first = save_settings(sample_store, {"weight_outcome": 2.0}, "anne")
    second = save_settings(sample_store, {"weight_outcome": 3.0}, "anne")
    assert read_snapshot(sample_store, as_of=first).settings["weight_outcome"] == 2.0
    assert read_snapshot(sample_store, as_of=1).settings == {}
    undo_upload(sample_store, second, "anne")
    assert read_snapshot(sample_store).settings["weight_outcome"] == 2.0


@pytest.mark.parametrize("changes, message", [
    ({"weight_outcome": -1}, "between 0 and 10"),
    ({"nonsense": 1}, "Unknown setting"),
    ({"weight_involvement": 0, "weight_process": 0, "weight_outcome": 0}, "above 0"),
    ({"on_track_ratio": float("nan")}, "between"),
    ({"on_track_ratio": 0.5}, "must be above moderate_ratio"),
    ({"moderate_ratio": 0.95}, "must be above moderate_ratio"),
])
def test_invalid_settings_are_refused_and_change_nothing(sample_store, changes, message):
    before = dump(sample_store)
    with pytest.raises(EvaluationError, match=message):
        save_settings(sample_store, changes, "anne")
    assert dump(sample_store) == before


def test_a_viewer_cannot_change_settings(sample_store):
    before = dump(sample_store)
    with pytest.raises(PermissionDenied):
        save_settings(sample_store, {"weight_outcome": 2.0}, Actor("v@x.no", VIEWER))
    assert dump(sample_store) == before
