"""Model speed: statuses and scores for a national portfolio vs reading its observations.

Goal (issue 3): computing every status and every yearly pillar score and
balanced index for 400 partnerships x 30 indicators x 10 years costs at most
3x reading those observations out of the store into a DataFrame. Both are
measured here in one run (best of `--repeat`). Run: `python benchmarks/model_speed.py`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.national import national_store  # noqa: E402
from evaluation.method.model import evaluate  # noqa: E402
from evaluation.store.snapshot import read_snapshot  # noqa: E402

READ = """
    SELECT p.name AS partnership, i.code AS indicator, o.year, o.grp AS "group", o.value,
           o.source, o.note, o.valid_from AS upload_id
    FROM observations o
    JOIN partnerships p ON p.partnership_id = o.partnership_id AND p.valid_to IS NULL
    JOIN indicators i ON i.indicator_id = o.indicator_id AND i.valid_to IS NULL
    WHERE o.valid_to IS NULL ORDER BY 1, 2, 4, 3"""


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = national_store(Path(tmp))

        def read_observations():
            with store.connect() as con:
                return con.execute(READ).df()

        read_time, frame = best(read_observations, args.repeat)
        snap = read_snapshot(store)
        model_time, result = best(lambda: evaluate(snap), args.repeat)
    print(f"observations: {len(frame):,} rows; assessed rows: {len(result.assessment):,}; "
          f"score rows: {len(result.scores):,}")
    print(f"read observations into a DataFrame: {read_time * 1000:.1f} ms")
    print(f"statuses + scores (evaluate): {model_time * 1000:.1f} ms")
    print(f"ratio: {model_time / read_time:.2f}x (goal: at most 3x)")


if __name__ == "__main__":
    main()
