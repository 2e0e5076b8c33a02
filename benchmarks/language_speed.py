"""Language speed: every page on the national store in Norwegian (nb) against English.

Goal (issue 13): switching language costs no measurable page time, the pages in nb
within noise of en. Each page's script run is timed under AppTest (caches warm,
the median of `--repeat` runs), in both languages, alternating, in this one run;
the noise is the spread between two English measurements of the same page.
Run: `python benchmarks/language_speed.py`.
"""

from __future__ import annotations

import argparse
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
from benchmarks.page_speed import PAGES  # noqa: E402


def page_time(name: str, params: dict, code: str, repeat: int) -> float:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=300)
    for key, value in {**params, "lang": code}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EVALUATION_DB"] = str(national_store(Path(tmp)).path)
        st.cache_resource.clear()
        print(f"{'page':12} {'en':>9} {'nb':>9} {'en again':>9} {'nb/en':>7} {'noise':>7}")
        worst = 0.0
        for name, params in PAGES.items():
            en = page_time(name, params, "en", args.repeat)
            nb = page_time(name, params, "nb", args.repeat)
            again = page_time(name, params, "en", args.repeat)
            base = min(en, again)
            noise = abs(en - again) / base
            worst = max(worst, nb / base - 1 - noise)
            print(f"{name:12} {en * 1000:7.0f}ms {nb * 1000:7.0f}ms {again * 1000:7.0f}ms "
                  f"{nb / base:6.2f}x {noise:6.1%}")
        print(f"nb beyond the noise of en, worst page: {max(worst, 0):.1%} (goal: 0, within noise)")


if __name__ == "__main__":
    main()
