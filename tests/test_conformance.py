"""Reproduce every progress status Statistics Canada publishes for 130 real series.

The files (a copy of ../shared/conformance/statcan_sdg/, kept in the repository
so CI always runs this; attribution in its README) are imported through the
importer exactly as an evaluator would upload them; each series is assessed in
the year given and compared with the published status.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation.intake.importer import import_files
from evaluation.method.assessment import status_table
from evaluation.method.model import evaluate
from evaluation.store.snapshot import read_snapshot

CONFORMANCE = Path(__file__).resolve().parent / "fixtures" / "statcan_sdg"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "statcan_sdg"
FILES = ["partnerships.csv", "indicators.csv", "targets.csv", "observations.csv"]


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared next to this checkout")
def test_the_copy_matches_the_shared_conformance_set():
    for path in SHARED.iterdir():
        assert (CONFORMANCE / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.fixture(scope="module")
def statcan(tmp_path_factory):
    from evaluation.store.connection import Store
    store = Store(tmp_path_factory.mktemp("statcan") / "statcan.duckdb")
    report = import_files(store, [(n, (CONFORMANCE / n).read_bytes()) for n in FILES],
                          user="conformance")
    return store, report


def test_the_files_import_with_targets_beyond_the_horizon_as_warnings_only(statcan):
    _, report = statcan
    assert report.ok and report.committed, [p.format() for p in report.errors]
    assert all(p.severity == "warning" for p in report.problems)


def test_every_published_status_is_reproduced(statcan):
    store, _ = statcan
    result = evaluate(read_snapshot(store))
    expected = pd.read_csv(CONFORMANCE / "expected_status.csv")
    wrong = []
    for row in expected.itertuples():
        table = status_table(result.assessment, int(row.year))
        got = table.loc[table["indicator"] == row.indicator, "status"]
        status = got.iloc[0] if len(got) else None
        if status != row.expected_status:
            wrong.append((row.indicator, row.year, row.expected_status, status))
    assert not wrong, f"{len(wrong)} of {len(expected)} differ: {wrong[:10]}"
    assert len(expected) == 130


def test_published_growth_ratios_match_where_statcan_shows_one(statcan):
    """Where the baseline already met the target R is meaningless (we show none)."""
    store, _ = statcan
    result = evaluate(read_snapshot(store))
    expected = pd.read_csv(CONFORMANCE / "expected_status.csv").dropna(
        subset=["published_growth_ratio"])
    a = result.assessment
    checked = 0
    for row in expected.itertuples():
        mine = a[(a["indicator"] == row.indicator) & (a["year"] == row.year)]
        base_met = (mine["baseline"] >= mine["target"]) if (
            mine["direction"].iloc[0] == "higher_is_better") else (
            mine["baseline"] <= mine["target"])
        if base_met.iloc[0]:
            continue
        checked += 1
        mine = mine["ratio"]
        assert mine.iloc[0] == pytest.approx(row.published_growth_ratio, rel=1e-6, abs=1e-9), \
            row.indicator
    assert checked > 80
