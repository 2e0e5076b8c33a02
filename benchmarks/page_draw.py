"""Page draw: each page of the app on the national store, as Chromium draws it, against a
bare Streamlit page with the same number of plotly charts.

Goal (issue 15): every page fully drawn in at most 1.5x the bare page with as many
charts. Both are served by `streamlit run` on this machine and timed in headless
Chromium (Debian's, through Playwright), in this one run: caches warm (each page
visited once first), a fresh browser page per visit, the clock running from the
navigation until the page is drawn: no skeleton, no running indicator, every chart's
SVG present, and nothing in the page changing for 0.5 s (the settle time is taken off
again). Prints both times, the ratio, and the bytes the server sent over the
websocket for the page. Run: `python benchmarks/page_draw.py`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.national import national_store  # noqa: E402
from tests.test_browser import BROWSER_ARGS, CHROMIUM, free_port, start_app  # noqa: E402

PAGES = {"overview": "", "partnership": "?partnership=Partnership%20137",
         "indicators": "?indicator=IND_04", "survey": "", "upload": "", "settings": ""}
SETTLE_MS = 500
# The bare page answers at each page's address, as the app's pages do: Streamlit's
# browser code first looks for its server under the page's path (/upload/_stcore/health)
# and tries the root 0.1 s later, a wait every page of a multipage app has.
BARE = f'''
import plotly.graph_objects as go
import streamlit as st


def bare():
    st.title("Bare page")
    n = int(st.query_params.get("n", 1))
    for i in range(n):
        st.plotly_chart(go.Figure(go.Scatter(x=list(range(2016, 2026)), y=[i + k for k in
                        range(10)])), key=f"c{{i}}")


st.set_page_config(layout="wide")
st.navigation([st.Page(bare, title="bare", url_path="bare", default=True)]
              + [st.Page(bare, title=name, url_path=name) for name in {list(PAGES)!r}],
              position="hidden").run()
'''
DRAWN = f"""() => {{
    const busy = document.querySelector('[data-testid="stSkeleton"]')
        || document.querySelector('[data-testid="stStatusWidget"] button')
        || [...document.querySelectorAll('.js-plotly-plot')]
            .some(p => !p.querySelector('.main-svg'))
        || !document.querySelector('[data-testid="stMainBlockContainer"] h1');
    const now = document.body.innerHTML.length;
    if (busy || now !== window.__last) {{
        window.__last = now; window.__since = performance.now(); return false;
    }}
    return performance.now() - window.__since > {SETTLE_MS};
}}"""


def visit(browser, url: str) -> tuple[float, int, int]:
    """Seconds until drawn, charts drawn, bytes received on the websocket."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    received = [0]

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(
            0, received[0] + len(payload if isinstance(payload, bytes) else payload.encode())))
    page.on("websocket", on_socket)
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(DRAWN, polling=50, timeout=180_000)
    took = time.perf_counter() - start - SETTLE_MS / 1000
    charts = page.locator(".js-plotly-plot").count()
    page.close()
    return took, charts, received[0]


def timed(browser, url: str, repeat: int) -> tuple[float, int, int]:
    visit(browser, url)  # warm the server's caches
    runs = [visit(browser, url) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), runs[0][1], runs[0][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES),
                        help="only these pages (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = national_store(folder)
        bare = folder / "bare.py"
        bare.write_text(BARE, encoding="utf-8")
        app_port, bare_port = free_port(), free_port()
        app = start_app(store.path, app_port)
        bare_app = start_app(store.path, bare_port, script=bare)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
                print(f"{'page':12} {'charts':>6} {'app':>8} {'bare':>8} {'ratio':>6} "
                      f"{'app bytes':>12} {'bare bytes':>11}")
                worst = 0.0
                for name in args.pages:
                    query = PAGES[name]
                    took, charts, sent = timed(
                        browser, f"http://127.0.0.1:{app_port}/{name}{query}", args.repeat)
                    base, _n, base_sent = timed(
                        browser, f"http://127.0.0.1:{bare_port}/{name}?n={max(charts, 0)}",
                        args.repeat)
                    worst = max(worst, took / base)
                    print(f"{name:12} {charts:6d} {took:7.2f}s {base:7.2f}s {took / base:5.2f}x "
                          f"{sent:12,} {base_sent:11,}")
                browser.close()
        finally:
            app.terminate()
            bare_app.terminate()
    print(f"worst ratio: {worst:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
