"""Workbook speed: importing a 200,000-row Excel workbook against reading it alone.

Goal (issue 12): the whole `python -m evaluation import book.xlsx` on a workbook of
200,000 observation rows (with the warnings real files have: a hidden sheet, an
empty one, a few implausible values) takes at most 2x python-calamine reading the
same workbook's cells in its own process. Both are measured here, in one run, each
as a fresh process. Run: `python benchmarks/workbook_speed.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from benchmarks import compile_package  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

INDICATORS = 1000  # x 5 partnerships x 40 years = 200,000 rows
READ_ALONE = """
import sys, python_calamine
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
cells = sum(len(r) for n in book.sheet_names for r in book.get_sheet_by_name(n).to_python())
print(cells)
"""


def write_workbook(path: Path, rows: int) -> None:
    rng = random.Random(11)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Indikatorer")
    sheet.write_row(0, 0, ["indicator", "name", "pillar", "unit", "direction"])
    for i in range(INDICATORS):
        sheet.write_row(i + 1, 0, [f"BENCH_{i:03d}", f"Benchmark {i}", "outcome", "%",
                                   "higher_is_better"])
    sheet = book.add_worksheet("Observasjoner")
    sheet.write_row(0, 0, ["partnership", "indicator", "year", "value", "source"])
    names = ["Ungdomsløftet Drammen", "Nettverk friluftsliv Askim", "Sammen mot ensomhet Bodø",
             "Fællesskaber Høje-Taastrup", "Lokalt partnerskab Aarhus Syd"]
    r = 1
    for p in names:
        for i in range(INDICATORS):
            for year in range(1986, 1986 + rows // (len(names) * INDICATORS)):
                value = 50 + rng.random() * 5 * (8 if rng.random() < 0.001 else 1)
                sheet.write_row(r, 0, [p, f"BENCH_{i:03d}", year, round(value, 2), "Benchmark"])
                r += 1
    book.add_worksheet("Tom")
    hidden = book.add_worksheet("Gammelt")
    hidden.write(0, 0, "old")
    hidden.hide()
    book.close()


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0,):
        raise SystemExit(f"{' '.join(args[:4])} failed: {result.stderr[-800:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "book.xlsx"
        write_workbook(book, args.rows)
        reads, imports = [], []
        for run in range(args.runs):
            store = folder / f"store{run}.duckdb"
            load_sample_data(Store(store))
            reads.append(timed([sys.executable, "-c", READ_ALONE, str(book)]))
            imports.append(timed([sys.executable, "-m", "evaluation", "import", str(book),
                                  "--db", str(store)]))
        read, whole = min(reads), min(imports)
        print(f"workbook: {args.rows:,} observation rows ({book.stat().st_size / 1e6:.1f} MB), "
              "a hidden and an empty sheet, some implausible values")
        print(f"python-calamine reading it alone (own process): {read:.2f} s")
        print(f"python -m evaluation import (whole command, committed): {whole:.2f} s")
        print(f"ratio: {whole / read:.2f}x (goal: at most 2x)")


if __name__ == "__main__":
    main()
