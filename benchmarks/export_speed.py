"""Export speed: the charts of one annual report, rendered the naive way and the product's.

Goals (issue 5), both measured here in one run with kaleido and Debian's Chromium:
- the charts of one annual report (20 or more) as PNG: one cold `write_image`
  per chart (a browser start each) vs the product's warm kaleido server,
  including its start: at most 0.2x;
- a single chart download in the app (warm browser) vs a cold `write_image` of
  the same chart: at most 0.3x.
Run: `python benchmarks/export_speed.py` (needs Chromium).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.io as pio  # noqa: E402

from benchmarks.national import national_store  # noqa: E402
from evaluation.method.model import evaluate  # noqa: E402
from evaluation.output import render  # noqa: E402
from evaluation.output.charts import partnership_charts  # noqa: E402
from evaluation.output.exports import WRITERS, export_figure  # noqa: E402
from evaluation.output.views import partnership_view  # noqa: E402
from evaluation.store.snapshot import read_snapshot  # noqa: E402


def report_figures(folder: Path) -> list:
    """The charts of one annual report of a national-scale partnership (30 indicators)."""
    ev = evaluate(read_snapshot(national_store(folder)))
    view = partnership_view(ev, "Partnership 137", until=2025)
    charts = partnership_charts(ev, view, int(view.profile["start_year"]), view.last_year)
    return [c for c in charts if c.figure() is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", type=int, default=0,
                        help="cold renders to time (default: all charts)")
    args = parser.parse_args()
    if not render.browser_available():
        sys.exit(render.INSTALL_HINT)
    with tempfile.TemporaryDirectory() as tmp:
        charts = report_figures(Path(tmp))
        figures = [export_figure(c) for c in charts]
        naive_set = figures[: args.naive or len(figures)]
        start = time.perf_counter()
        for n, fig in enumerate(naive_set):
            pio.write_image(fig, Path(tmp) / f"naive_{n}.png", width=render.CHART_WIDTH,
                            scale=2.48)
        naive = (time.perf_counter() - start) * len(figures) / len(naive_set)
        cold_one = naive / len(figures)
        start = time.perf_counter()
        render.render_many(figures, "png")
        warm_batch = time.perf_counter() - start
        start = time.perf_counter()
        WRITERS["png"](charts[0])
        warm_one = time.perf_counter() - start
    print(f"annual report charts: {len(figures)}")
    print(f"naive (one cold write_image per chart): {naive:.1f} s ({cold_one:.2f} s per chart"
          + (f", {len(naive_set)} timed" if len(naive_set) < len(figures) else "") + ")")
    print(f"product (warm kaleido server, start included): {warm_batch:.1f} s "
          f"({warm_batch / len(figures):.2f} s per chart)")
    print(f"ratio: {warm_batch / naive:.3f}x (goal: at most 0.2x)")
    print(f"single chart download: warm {warm_one:.2f} s vs cold {cold_one:.2f} s, "
          f"ratio {warm_one / cold_one:.3f}x (goal: at most 0.3x)")


if __name__ == "__main__":
    main()
