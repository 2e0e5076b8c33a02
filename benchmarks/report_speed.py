"""Annual-report speed: the whole `report` command against the browser work it cannot avoid.

Goals (issue 15), measured in one run on the national store (400 partnerships x 30
indicators x 10 years) with Debian's Chromium:
- one partnership's report, the whole `python -m evaluation report` command, is at most
  1.5x the floor: one Chromium start (kaleido's server up and its first, trivial figure
  drawn) plus one warm render of each of the report's charts, timed one by one;
- all 400 reports in one command start the browser once: the command is given a
  wrapper as its browser (`EVALUATION_BROWSER`) that counts its starts, and its time per
  report is printed beside the single report's.
The package is compiled as an installed one is. Run: `python benchmarks/report_speed.py`
(`--all` adds the 400 reports, about a report a second).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402

from benchmarks import compile_package  # noqa: E402
from benchmarks.national import national_store  # noqa: E402
from evaluation.method.model import evaluate  # noqa: E402
from evaluation.output import render  # noqa: E402
from evaluation.output.report import CHART_PIXELS, PAGE_WIDTH, report_context  # noqa: E402
from evaluation.store.snapshot import read_snapshot  # noqa: E402

PARTNERSHIP, YEAR = "Partnership 137", 2023
WRAPPER = """#!/bin/sh
echo start >> "{log}"
exec "{browser}" "$@"
"""


def floor(store) -> tuple[float, float, int]:
    """Chromium's start with a first trivial figure, and the warm renders of the report's
    charts one at a time (the same figures, sizes and scale the report draws)."""
    ctx = report_context(evaluate(read_snapshot(store)), PARTNERSHIP, YEAR)
    figures = [f for c in ctx.charts
               if (f := c.figure(compact=c.key.startswith("indicator_"))) is not None]
    render._stop_server()
    started = time.perf_counter()
    render.render(go.Figure(go.Scatter(x=[1], y=[1])), "png", width=100, height=100)
    start = time.perf_counter() - started
    warm = 0.0
    for fig in figures:
        began = time.perf_counter()
        render.render_many([fig], "png", width=CHART_PIXELS, printed_mm=PAGE_WIDTH)
        warm += time.perf_counter() - began
    render._stop_server()
    return start, warm, len(figures)


def command(store, out: Path, log: Path, *extra: str) -> float:
    browser = render.browser_path()
    wrapper = out.parent / "counting-browser"
    wrapper.write_text(WRAPPER.format(log=log, browser=browser))
    wrapper.chmod(0o755)
    env = dict(os.environ, EVALUATION_BROWSER=str(wrapper))
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evaluation", "report", "--db", str(store.path),
                           "--year", str(YEAR), "--out", str(out), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"report failed: {done.stderr[-800:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also write all 400 reports")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not render.browser_available():
        sys.exit(render.INSTALL_HINT)
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = national_store(folder)
        start, warm, charts = floor(store)
        base = start + warm
        print(f"floor: one Chromium start {start:.2f} s + {charts} warm renders {warm:.2f} s "
              f"= {base:.2f} s")
        log = folder / "starts.log"
        one = min(command(store, folder / "one.pdf", log, "--partnership", PARTNERSHIP)
                  for _ in range(args.repeat))
        print(f"python -m evaluation report (one partnership, whole command): {one:.2f} s; "
              f"ratio {one / base:.2f}x (goal: at most 1.5x)")
        if args.all:
            log.write_text("")
            took = command(store, folder / "all", log)
            written = len(list((folder / "all").glob("*.pdf")))
            starts = len(log.read_text().split())
            print(f"all reports in one command: {written} PDFs in {took:.1f} s "
                  f"({took / written:.2f} s each vs {one:.2f} s for one alone); "
                  f"browser started {starts} time(s) (goal: once)")


if __name__ == "__main__":
    main()
