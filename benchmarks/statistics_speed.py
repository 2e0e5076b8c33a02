"""Statistics-file speed: importing a 1,000,000-cell PC-Axis or JSON-stat table against
DuckDB's read_csv of the same cells written as CSV.

Goal (issue 12): the whole `python -m evaluation import FILE` of a table of a million
cells (every municipality x age x sex x year, with the offices' symbols in some
cells, mapped onto five partnerships and three indicators, committed) takes at most
3x DuckDB reading the same cells from a CSV file (`CREATE TABLE AS SELECT * FROM
read_csv(...)`). Both run as fresh processes, in one run, best of `--runs`.
Run: `python benchmarks/statistics_speed.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import compile_package  # noqa: E402
from evaluation.intake.importer import import_files  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

REGIONS, AGES, SEXES, YEARS = 400, 106, 2, 12  # 1,017,600 cells
READ_CSV = """
import sys, duckdb
con = duckdb.connect()
con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{sys.argv[1]}')")
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"""
SYMBOLS = ['".."', '"."', '":"', '"-"']
LABELS = {"Region": "region", "Alder": "alder", "Kjonn": "kjønn", "Tid": "år"}


def cells() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    rng = random.Random(5)
    regions = [f"{3000 + i:04d}" for i in range(REGIONS)]
    ages = [f"{a:03d}" for a in range(AGES)]
    years = [str(2013 + y) for y in range(YEARS)]
    values = []
    for _cell in range(REGIONS * AGES * SEXES * YEARS):
        values.append(rng.choice(SYMBOLS) if rng.random() < 0.02 else str(rng.randint(0, 900)))
    return regions, ages, ["1", "2"], years, values


def write_px(path: Path, regions, ages, sexes, years, values) -> None:
    def listed(items):
        return ",".join(f'"{x}"' for x in items)
    lines = ['CHARSET="ANSI";', 'AXIS-VERSION="2013";', 'CODEPAGE="iso-8859-1";',
             'LANGUAGE="no";', 'MATRIX="07459";', 'SOURCE="Statistisk sentralbyrå";',
             'TITLE="Befolkning, etter region, alder, kjønn og år";', 'CONTENTS="Befolkning";',
             'STUB="region","alder","kjønn";', 'HEADING="år";',
             f'VALUES("region")={listed(f"{r} Kommune {r}" for r in regions)};',
             f'CODES("region")={listed(regions)};',
             f'VALUES("alder")={listed(f"{int(a)} år" for a in ages)};',
             f'CODES("alder")={listed(ages)};',
             'VALUES("kjønn")="Menn","Kvinner";', 'CODES("kjønn")="1","2";',
             f'VALUES("år")={listed(years)};', f'TIMEVAL("år")=TLIST(A1),{listed(years)};',
             "DATA="]
    for row in range(0, len(values), YEARS):
        lines.append(" ".join(values[row:row + YEARS]))
    lines.append(";")
    path.write_bytes("\r\n".join(lines).encode("cp1252"))


def write_jsonstat(path: Path, regions, ages, sexes, years, values) -> None:
    status, numbers = {}, []
    for i, v in enumerate(values):
        if v.startswith('"'):
            numbers.append(0 if v == '"-"' else None)
            if v != '"-"':
                status[str(i)] = v.strip('"')
        else:
            numbers.append(int(v))
    dims = {"Region": regions, "Alder": ages, "Kjonn": sexes, "Tid": years}
    doc = {"version": "2.0", "class": "dataset", "label": "07459: Befolkning",
           "source": "Statistisk sentralbyrå", "id": list(dims),
           "size": [len(v) for v in dims.values()], "role": {"time": ["Tid"], "geo": ["Region"]},
           "extension": {"px": {"tableid": "07459"}},
           "dimension": {d: {"label": LABELS[d], "category": {
               "index": {c: i for i, c in enumerate(codes)},
               "label": {c: c for c in codes}}} for d, codes in dims.items()},
           "value": numbers, "status": status}
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_csv(path: Path, regions, ages, sexes, years, values) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("region,alder,kjonn,aar,value\n")
        i = 0
        for r in regions:
            for a in ages:
                for s in sexes:
                    for y in years:
                        v = values[i]
                        f.write(f"{r},{a},{s},{y},{v}\n")
                        i += 1


def linked_store(path: Path) -> None:
    store = Store(path)
    load_sample_data(store)
    partnerships = ("partnership,municipality,start_year,horizon_years,purpose,lead,region_code\n"
                    + "".join(f"Bench {i},Kommune {3000 + 37 * i},2018,10,Benchmark,Lead,"
                              f"{3000 + 37 * i}\n" for i in range(5)))
    indicators = ("indicator,name,pillar,unit,direction,statistic,selection\n"
                  "OUT_B_CHILD0,Newborn girls,outcome,persons,higher_is_better,07459,"
                  "alder=000; kjønn=2|Kvinner\n"
                  "OUT_B_YOUNG,Young men 20,outcome,persons,higher_is_better,07459,"
                  "alder=020; kjønn=1|Menn\n"
                  "OUT_B_OLD,Women 80,outcome,persons,higher_is_better,07459,"
                  "alder=080; kjønn=2|Kvinner\n")
    report = import_files(store, [("p.csv", partnerships.encode()),
                                  ("i.csv", indicators.encode())], user="bench")
    assert report.committed, [p.format() for p in report.problems]


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed: {result.stderr[-800:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    compile_package()
    data = cells()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {"PC-Axis": folder / "big.px", "JSON-stat 2.0": folder / "big.json"}
        write_px(files["PC-Axis"], *data)
        write_jsonstat(files["JSON-stat 2.0"], *data)
        csv = folder / "cells.csv"
        write_csv(csv, *data)
        floor = min(timed([sys.executable, "-c", READ_CSV, str(csv)]) for _ in range(args.runs))
        print(f"table: {len(data[4]):,} cells ({REGIONS} regions x {AGES} ages x {SEXES} sexes x "
              f"{YEARS} years), 2% symbols; 5 partnerships, 3 indicators")
        print(f"DuckDB read_csv of the same cells as CSV ({csv.stat().st_size / 1e6:.1f} MB, "
              f"own process): {floor:.2f} s")
        for layout, path in files.items():
            runs = []
            for run in range(args.runs):
                store = folder / f"{path.suffix[1:]}{run}.duckdb"
                linked_store(store)
                runs.append(timed([sys.executable, "-m", "evaluation", "import", str(path),
                                   "--db", str(store), "--user", "bench"]))
            whole = min(runs)
            print(f"python -m evaluation import, {layout} ({path.stat().st_size / 1e6:.1f} MB, "
                  f"whole command, committed): {whole:.2f} s; ratio {whole / floor:.2f}x "
                  "(goal: at most 3x)")


if __name__ == "__main__":
    main()
