"""Page speed: each page's script run on a national-scale store vs on the sample store.

Goal (issue 4): with 400 partnerships x 30 indicators x 10 years, each page's
script run (AppTest, measured server-side, caches warm as for any visitor after
the first) takes at most 3x the same page on the sample store; and no chart
sends more than a few thousand points to the browser. Both stores are measured
in this one run; the script prints both times, the ratio and the largest chart.
Run: `python benchmarks/page_speed.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.national import national_store  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

PAGES = {
    "overview": {}, "partnership": {"partnership": "Partnership 137"},
    "indicators": {"indicator": "IND_04"}, "upload": {}, "settings": {},
}
SAMPLE_PARAMS = {"partnership": {"partnership": "Ungdomsløftet Drammen"},
                 "indicators": {"indicator": "INV_PARTNERS"}}


def time_page(name: str, params: dict, repeat: int) -> tuple[float, int]:
    """Median script-run time after one warm-up run, and the most points in one chart."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    points = [sum(len(t.get("x") or []) for t in json.loads(c.proto.spec)["data"])
              for c in at.get("plotly_chart")]
    return statistics.median(times), max(points, default=0)


def measure(store: Store, national: bool, repeat: int) -> dict[str, tuple[float, int]]:
    os.environ["EVALUATION_DB"] = str(store.path)
    st.cache_resource.clear()
    results = {}
    for name, params in PAGES.items():
        params = params if national else SAMPLE_PARAMS.get(name, {})
        results[name] = time_page(name, params, repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Store(Path(tmp) / "sample.duckdb")
        load_sample_data(sample)
        small = measure(sample, False, args.repeat)
        big = measure(national_store(Path(tmp)), True, args.repeat)
    print(f"{'page':12} {'sample':>10} {'national':>10} {'ratio':>7} {'max chart points':>18}")
    worst = 0.0
    for name in PAGES:
        (s, _), (n, points) = small[name], big[name]
        worst = max(worst, n / s)
        print(f"{name:12} {s * 1000:8.0f}ms {n * 1000:8.0f}ms {n / s:6.2f}x {points:18,}")
    print(f"worst ratio: {worst:.2f}x (goal: at most 3x; charts at most a few thousand points)")


if __name__ == "__main__":
    main()
