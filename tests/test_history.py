"""Value history, undo and as-of reads: every change is kept and can be reversed exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.errors import EvaluationError
from evaluation.store.snapshot import read_snapshot, read_upload_changes
from evaluation.store.versions import list_uploads, undo_upload
from tests.conftest import dump, load

NO = "Nettverk friluftsliv Askim"
OBS = "partnership,indicator,year,value\n"


def current(store) -> dict[str, pd.DataFrame]:
    """The current state (what pages see), independent of how many versions exist."""
    snap = read_snapshot(store)
    frames = {"partnerships": snap.partnerships, "indicators": snap.indicators,
              "targets": snap.targets, "events": snap.events, "commentary": snap.commentary,
              "observations": snap.observations.drop(columns=["upload_id"])}
    return {k: v.reset_index(drop=True) for k, v in frames.items()}


def assert_same_state(a, b):
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_undo_restores_exactly_the_state_before_including_overwritten_values(sample_store):
    before = current(sample_store)
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n{NO},INV_PARTNERS,2031,4\n")
    assert report.files[0].changed == 1 and report.files[0].new == 1
    undo_upload(sample_store, report.upload_id, "tester")
    assert_same_state(current(sample_store), before)


def test_undo_is_recorded_and_can_itself_be_undone(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n")
    after_upload = current(sample_store)
    undo_id = undo_upload(sample_store, report.upload_id, "tester")
    uploads = list_uploads(sample_store).set_index("upload_id")
    assert uploads.loc[report.upload_id, "undone_by"] == undo_id
    assert uploads.loc[undo_id, "action"] == "undo"
    undo_upload(sample_store, undo_id, "tester")  # redo
    assert_same_state(current(sample_store), after_upload)
    assert pd.isna(list_uploads(sample_store).set_index("upload_id").loc[
        report.upload_id, "undone_by"])


def test_undo_refuses_when_a_later_upload_changed_the_same_values(sample_store):
    first = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n")
    second = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,100\n")
    before = dump(sample_store)
    with pytest.raises(EvaluationError, match=f"changed again by upload {second.upload_id}"):
        undo_upload(sample_store, first.upload_id, "tester")
    assert dump(sample_store) == before
    undo_upload(sample_store, second.upload_id, "tester")
    undo_upload(sample_store, first.upload_id, "tester")
    obs = read_snapshot(sample_store).observations
    row = obs[(obs.indicator == "INV_PARTNERS") & (obs.year == 2020) & (obs.partnership == NO)
              & (obs["group"] == "")]
    assert row.value.iloc[0] not in (99, 100)


def test_undo_refuses_to_remove_a_partnership_later_uploads_use(store):
    p = load(store, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                    "P1,Oslo,2020,6,x,y\n")
    load(store, "indicator,name,pillar,unit,direction\nI1,One,process,count,higher\n")
    obs = load(store, OBS + "P1,I1,2021,3\n")
    with pytest.raises(EvaluationError, match=f"Undo upload {obs.upload_id} first"):
        undo_upload(store, p.upload_id, "tester")
    assert "P1" in set(read_snapshot(store).partnerships.partnership)


def test_undo_twice_and_unknown_upload_are_refused(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,1\n")
    undo_upload(sample_store, report.upload_id, "tester")
    with pytest.raises(EvaluationError, match="already undone"):
        undo_upload(sample_store, report.upload_id, "tester")
    with pytest.raises(EvaluationError, match="no upload 999"):
        undo_upload(sample_store, 999, "tester")


def test_as_of_reads_any_earlier_state(sample_store):
    state_1 = current(sample_store)
    second = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n")
    state_2 = current(sample_store)
    undo_upload(sample_store, second.upload_id, "tester")
    third = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,50\n")
    snap_1 = read_snapshot(sample_store, as_of=1)
    assert snap_1.upload_id == 1
    assert_same_state({"observations": snap_1.observations.drop(columns=["upload_id"])
                       .reset_index(drop=True)}, {"observations": state_1["observations"]})
    snap_2 = read_snapshot(sample_store, as_of=second.upload_id)
    assert_same_state({"observations": snap_2.observations.drop(columns=["upload_id"])
                       .reset_index(drop=True)}, {"observations": state_2["observations"]})
    assert read_snapshot(sample_store).upload_id == third.upload_id


def test_upload_changes_name_old_and_new_values(sample_store):
    report = load(sample_store, OBS + f"{NO},INV_PARTNERS,2020,99\n")
    changes = read_upload_changes(sample_store, report.upload_id)
    (row,) = changes.itertuples()
    assert row.what == "observation" and row.change == "changed"
    assert row.key.startswith(f"{NO} / INV_PARTNERS / 2020")
    assert row.new.startswith("99.0") and not row.old.startswith("99.0")


def test_history_lists_who_did_what(sample_store):
    load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,1\n", name="anne.csv", user="anne")
    uploads = list_uploads(sample_store)
    latest = uploads.iloc[0]
    assert (latest.created_by, latest.files, latest.new) == ("anne", "anne.csv", 1)
    assert uploads.iloc[-1].created_by == "sample data"


def test_two_files_of_one_upload_changing_the_same_partnership_is_an_error(store):
    from evaluation.intake.importer import import_files
    head = "partnership,municipality,start_year,horizon_years,purpose,lead\n"
    report = import_files(store, [("a.csv", (head + "P,Oslo,2020,6,x,y\n").encode()),
                                  ("b.csv", (head + "P,Bergen,2020,6,x,y\n").encode())],
                          user="t")
    assert not report.committed
    assert any("another file in this upload" in p.message for p in report.errors)


def test_undo_refusal_names_the_upload_that_removed_the_value(sample_store):
    a = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,1\n")
    b = load(sample_store, OBS + f"{NO},INV_PARTNERS,2031,2\n")
    undo_b = undo_upload(sample_store, b.upload_id, "t")
    undo_a = undo_upload(sample_store, a.upload_id, "t")
    with pytest.raises(EvaluationError, match=f"upload {undo_a}"):
        undo_upload(sample_store, undo_b, "t")


def test_empty_optional_cells_keep_what_was_stored(sample_store):
    load(sample_store, "partnership,municipality,start_year,horizon_years,purpose,lead\n"
                       f"{NO},,2016,10,,\n")
    row = read_snapshot(sample_store).partnership(NO)
    assert row.municipality == "Indre Østfold" and row.purpose and row.lead
