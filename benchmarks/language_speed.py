"""Language speed: every page on the national store in Norwegian (nb) against English.

Goal (issue 13): switching language costs no measurable page time, the pages in nb
within noise of en. Each page's script run is timed under AppTest (caches warm,
the median of `--repeat` runs), a session per language timed in turns, in this one
run; the noise is the spread (interquartile range) of the English runs.
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
from evaluation import words  # noqa: E402


def _session(name: str, params: dict, code: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=300)
    for key, value in {**params, "lang": code}.items():
        at.query_params[key] = value
    with words.language(code):  # AppTest formats widget values in this thread
        at.run()
    assert not at.exception, at.exception
    return at


def _timed(at: AppTest, code: str) -> float:
    with words.language(code):
        start = time.perf_counter()
        at.run()
        return time.perf_counter() - start


def page_times(name: str, params: dict, repeat: int) -> tuple[list[float], list[float]]:
    """A session per language, warmed, then timed in turns (en, nb, en, nb, ...), so
    that whatever else the machine does falls on both alike."""
    sessions = {code: _session(name, params, code) for code in ("en", "nb")}
    times: dict[str, list[float]] = {"en": [], "nb": []}
    for _ in range(repeat):
        for code, at in sessions.items():
            times[code].append(_timed(at, code))
    return times["en"], times["nb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EVALUATION_DB"] = str(national_store(Path(tmp)).path)
        st.cache_resource.clear()
        print(f"{'page':12} {'en':>9} {'nb':>9} {'nb/en':>7} {'noise (en IQR)':>15}")
        worst = 0.0
        for name, params in PAGES.items():
            en, nb = page_times(name, params, args.repeat)
            base = statistics.median(en)
            quartiles = statistics.quantiles(en, n=4)
            noise = (quartiles[2] - quartiles[0]) / base
            ratio = statistics.median(nb) / base
            worst = max(worst, abs(ratio - 1) - noise)
            print(f"{name:12} {base * 1000:7.0f}ms {statistics.median(nb) * 1000:7.0f}ms "
                  f"{ratio:6.2f}x {noise:14.1%}")
        print(f"nb beyond the noise of en, worst page: {max(worst, 0):.1%} "
              "(goal: 0, within noise)")


if __name__ == "__main__":
    main()
