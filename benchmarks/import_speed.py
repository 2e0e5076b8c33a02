"""Import speed: a 1,000,000-row long observations file, ours vs DuckDB's own read_csv.

Goal (issue 2): our import (decode, parse, validate, diff, versioned write,
commit) takes at most 3x DuckDB's `read_csv` loading the same file into a
table of a fresh database file. Both are measured here, in one run, best of
`--repeat` runs each. Run: `python benchmarks/import_speed.py`.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.intake.importer import import_files  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

PARTNERSHIPS, INDICATORS, YEARS = 400, 250, range(2016, 2026)


def write_files(folder: Path) -> Path:
    """Partnerships, indicators and a 1M-row observations file (deterministic)."""
    rng = random.Random(20261123)
    (folder / "partnerships.csv").write_text(
        "partnership,municipality,start_year,horizon_years,purpose,lead\n" + "".join(
            f"Partnership {p:03d},Municipality {p % 50},2016,10,Purpose,Lead\n"
            for p in range(PARTNERSHIPS)), encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "indicator,name,pillar,unit,direction,description\n" + "".join(
            f"IND_{i:03d},Indicator {i},{('involvement', 'process', 'outcome')[i % 3]},"
            f"%,higher_is_better,\n" for i in range(INDICATORS)), encoding="utf-8")
    path = folder / "observations.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("partnership,indicator,year,value\n")
        for p in range(PARTNERSHIPS):
            for i in range(INDICATORS):
                base = rng.uniform(20, 60)
                for y in YEARS:
                    f.write(f"Partnership {p:03d},IND_{i:03d},{y},"
                            f"{base + (y - 2016) * 1.5 + rng.uniform(-2, 2):.1f}\n")
    return path


def time_duckdb(path: Path, folder: Path, run: int) -> float:
    db = folder / f"baseline_{run}.duckdb"
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE observations AS SELECT * FROM read_csv(?)", [str(path)])
    con.close()
    return time.perf_counter() - start


def time_import(path: Path, folder: Path, run: int) -> float:
    store = Store(folder / f"store_{run}.duckdb")
    setup = [(n, (folder / n).read_bytes()) for n in ("partnerships.csv", "indicators.csv")]
    assert import_files(store, setup, user="bench").ok
    data = path.read_bytes()
    start = time.perf_counter()
    report = import_files(store, [(path.name, data)], user="bench")
    elapsed = time.perf_counter() - start
    assert report.committed and report.files[0].new == 1_000_000, report.summary()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_files(folder)
        size = path.stat().st_size / 1e6
        baseline = min(time_duckdb(path, folder, r) for r in range(args.repeat))
        ours = min(time_import(path, folder, r) for r in range(args.repeat))
    print(f"file: 1,000,000 rows, {size:.1f} MB")
    print(f"DuckDB read_csv into a table: {baseline:.3f} s")
    print(f"evaluation import (validate + commit): {ours:.3f} s")
    print(f"ratio: {ours / baseline:.2f}x (goal: at most 3x)")


if __name__ == "__main__":
    main()
