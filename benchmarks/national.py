"""A national-scale store for benchmarks: 400 partnerships x 30 indicators x 10 years.

Generated deterministically and imported through the real importer, so the
store is exactly what evaluators' uploads would build. Other benchmarks call
`national_store(folder)`.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.intake.importer import import_files  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

PARTNERSHIPS, INDICATORS, YEARS = 400, 30, 10
PILLARS = ("involvement", "process", "outcome")


def _files(rng: random.Random) -> list[tuple[str, bytes]]:
    partnerships = ["partnership,municipality,start_year,horizon_years,purpose,lead"]
    targets = ["partnership,indicator,baseline_year,baseline,target_year,target"]
    observations = ["partnership,indicator,year,value,group,source,note"]
    indicators = ["indicator,name,pillar,unit,direction,description"]
    for i in range(INDICATORS):
        direction = "lower_is_better" if i % 7 == 6 else "higher_is_better"
        indicators.append(f"IND_{i:02d},Indicator {i},{PILLARS[i % 3]},%,{direction},")
    for p in range(PARTNERSHIPS):
        name = f"Partnership {p:03d}"
        start = 2014 + p % 4
        partnerships.append(f"{name},Municipality {p % 356},{start},{5 + p % 6},Purpose,Lead")
        for i in range(INDICATORS):
            base, lower = rng.uniform(20, 60), i % 7 == 6
            step = rng.uniform(-1, 3) * (-1 if lower else 1)
            if i % 5:
                target = base + (-15 if lower else 15)
                targets.append(f"{name},IND_{i:02d},{start},{base:.1f},{start + 8},{target:.1f}")
            for y in range(start, start + YEARS):
                if rng.random() < 0.02:  # a few gaps, as in real series
                    continue
                value = base + step * (y - start) + rng.uniform(-1.5, 1.5)
                observations.append(f"{name},IND_{i:02d},{y},{value:.1f},,Survey,")
    return [(n, ("\n".join(rows) + "\n").encode()) for n, rows in (
        ("partnerships.csv", partnerships), ("indicators.csv", indicators),
        ("targets.csv", targets), ("observations.csv", observations))]


def national_store(folder: Path) -> Store:
    """Build (or reuse) the national-scale store in `folder`."""
    store = Store(folder / "national.duckdb")
    if not store.exists():
        report = import_files(store, _files(random.Random(2026)), user="benchmark")
        assert report.committed, report.summary()
    return store


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "national")
    target.mkdir(parents=True, exist_ok=True)
    print(national_store(target).path)
