"""The app in a real browser: `streamlit run` on a free port, Debian's Chromium via Playwright.

Screenshots of every page land in artifacts/browser/ (git-ignored) for people
to look at. The test skips only when no Chromium exists and CI is not set.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from evaluation import words
from evaluation.intake import rounds
from evaluation.store.connection import Store

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage"]
PAGES = {"overview": 2, "partnership": 5, "indicators": 1, "survey": 3, "upload": 0,
         "settings": 0}
BODO = "Sammen mot ensomhet Bodø"
DRAMMEN = "Ungdomsløftet Drammen"

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing under CI: .ci/run must install it")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store_path: Path | str, port: int, env: dict | None = None,
              script: Path | None = None, log: Path | None = None) -> subprocess.Popen:
    """`streamlit run dashboard.py` (or `script`) on `port`, returned once its health
    check answers (its output goes to `log`, by default beside the store file)."""
    environment = {**os.environ, "EVALUATION_DB": str(store_path), **(env or {})}
    log = log or Path(store_path).with_suffix(".log")
    out = open(log, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "dashboard.py"),
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the app did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, sample_template):
    _require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    store = folder / "app.duckdb"
    shutil.copy(sample_template, store)
    port = free_port()
    proc = start_app(store, port)
    yield f"http://127.0.0.1:{port}", store
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def app_url(app_server):
    return app_server[0]


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield instance
        instance.close()


def open_page(browser, url: str, charts: int):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=60_000)
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=60_000)
    page.wait_for_timeout(800)
    return page


def screenshot(page, name: str) -> None:
    """The whole page: the viewport grows to the content (Streamlit scrolls an inner box)."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stMainBlockContainer]')]"
                           ".map(e => e.scrollHeight), 800)")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 16000)})
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Something unexpected went wrong" not in page.inner_text("body")


@pytest.mark.parametrize("name, charts", PAGES.items())
def test_every_page_renders_in_chromium(app_url, browser, name, charts):
    page = open_page(browser, f"{app_url}/{name}", charts)
    try:
        assert_no_error(page)
        assert page.locator(".js-plotly-plot .main-svg").count() >= charts
        nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        # the router's titles, not the legacy list of file names (overview, partnership, ...)
        assert any(t.strip().endswith("Overview") for t in nav)
        assert not any(t.strip() == "overview" for t in nav)
        screenshot(page, name)
    finally:
        page.close()


@pytest.mark.parametrize("code", ["nb", "da"])
@pytest.mark.parametrize("name, charts", PAGES.items())
def test_every_page_renders_in_norwegian_and_danish(app_url, browser, name, charts, code):
    """Drawn in the language of the link, menu included; saved for a look (desktop and
    a phone's width)."""
    page = open_page(browser, f"{app_url}/{name}?lang={code}", charts)
    try:
        assert_no_error(page)
        with words.language(code):
            overview = words._("Overview")
        nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert any(t.strip().endswith(overview) for t in nav), nav
        assert f"lang={code}" in page.url
        screenshot(page, f"{name}_{code}")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(1200)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}_{code}_phone.png"))
    finally:
        page.close()


def test_a_shared_link_reopens_the_same_view(app_url, browser):
    url = f"{app_url}/partnership?partnership=Ungdomsl%C3%B8ftet%20Drammen&from=2019&to=2024"
    page = open_page(browser, url, 3)
    try:
        assert_no_error(page)
        assert page.locator("h1").first.inner_text() == "Ungdomsløftet Drammen", url
        assert "2019–2024" in page.inner_text("body")
    finally:
        page.close()


def test_a_link_to_an_unknown_partnership_says_so(app_url, browser):
    page = open_page(browser, f"{app_url}/partnership?partnership=Ungdomsoftet", 3)
    try:
        assert "which does not exist" in page.inner_text("body")
        assert 'did you mean "Ungdomsløftet Drammen"' in page.inner_text("body")
    finally:
        page.close()


def test_sidebar_navigation_keeps_the_selected_partnership(app_url, browser):
    page = open_page(browser, f"{app_url}/partnership?partnership=Sammen%20mot%20ensomhet%20Bod%C3%B8",
                     3)
    try:
        page.locator("[data-testid='stSidebarNav'] a", has_text="Indicators").click()
        page.wait_for_url("**/indicators**", timeout=30_000)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        assert_no_error(page)
        assert "Sammen mot ensomhet Bodø" in page.inner_text("body")
    finally:
        page.close()


def test_a_chart_downloads_as_png_from_the_page(app_url, browser):
    page = open_page(browser, f"{app_url}/partnership?partnership=Nettverk%20friluftsliv%20Askim",
                     3)
    try:
        page.locator("[data-testid='stPopover'] button").first.click()
        with page.expect_download(timeout=90_000) as download:
            page.get_by_role("button", name="PNG", exact=True).first.click()
        path = download.value.path()
        data = Path(path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert download.value.suggested_filename.startswith("Nettverk-friluftsliv-Askim_horizon")
    finally:
        page.close()


def test_a_charts_data_opens_under_it(app_url, browser):
    page = open_page(browser, f"{app_url}/partnership?partnership=Nettverk%20friluftsliv%20Askim",
                     3)
    try:
        expander = page.locator("[data-testid='stExpander']",
                                has_text="Data behind this chart").first
        assert expander.locator("[data-testid='stDataFrame']").count() == 0  # not yet built
        expander.locator("summary").click()
        expander.locator("[data-testid='stDataFrame']").wait_for(timeout=30_000)
        assert_no_error(page)
    finally:
        page.close()


def test_no_text_from_data_becomes_a_link(browser, tmp_path, sample_template):
    """Streamlit links bare URLs and e-mail addresses even in escaped markdown."""
    from evaluation.intake.edits import save_commentary
    from evaluation.intake.importer import import_files
    from evaluation.store.connection import Store

    store = tmp_path / "links.duckdb"
    shutil.copy(sample_template, store)
    words = "Read https://evil.example/x, www.evil.example or mail anne@kommune.no"
    report = import_files(Store(store), [("p.csv", (
        "partnership,municipality,start_year,horizon_years,purpose,lead\n"
        f'Lenker,Oslo,2020,8,"{words}","{words}"\n').encode())], user="t")
    assert report.committed
    save_commentary(Store(store), "Lenker", 2024, words, "t")
    port = free_port()
    proc = start_app(store, port)
    try:
        page = open_page(browser, f"http://127.0.0.1:{port}/partnership?partnership=Lenker", 0)
        try:
            main = page.locator("[data-testid='stMain']")
            assert main.inner_text().count("evil.example") >= 4
            links = [a.get_attribute("href") or "" for a in main.locator("a").all()]
            assert not [h for h in links if "evil" in h or "mailto" in h], links
            assert_no_error(page)
        finally:
            page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_command_line_imports_while_the_app_runs(app_server, browser, tmp_path):
    """Last in this file: it adds an upload to the shared store."""
    url, store = app_server
    page = open_page(browser, f"{url}/overview", 2)
    try:
        assert "Data as of upload 1" in page.inner_text("body")
        data = tmp_path / "late.csv"
        data.write_text("partnership,indicator,year,value\n"
                        "Nettverk friluftsliv Askim,INV_PARTNERS,2031,40\n", encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "evaluation", "import", str(data),
                                 "--db", str(store)], cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        page.reload(wait_until="domcontentloaded")
        page.wait_for_function("document.body.innerText.includes('Data as of upload 2')",
                               timeout=60_000)
        assert_no_error(page)
    finally:
        page.close()


def test_the_respondent_form_on_a_phone_in_chromium(app_server, browser):
    url, store_path = app_server
    store = Store(store_path)
    token = rounds.open_round(store, DRAMMEN, 2026, "evaluator")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                            has_touch=True, device_scale_factor=2)
    try:
        page.goto(f"{url}/?survey={token}", wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=60_000)
        page.wait_for_timeout(1000)
        assert_no_error(page)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        body = page.inner_text("body")
        assert "Overview" not in body and "Upload" not in body
        # Nothing overflows the phone's width.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "respond-phone.png"), full_page=False)
        page.get_by_text("Civil society", exact=True).first.click()
        groups = page.locator("[data-testid='stRadio']")
        groups.nth(1).get_by_text("4", exact=True).click()
        groups.nth(2).get_by_text("Don't know", exact=True).click()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_selector("text=Thank you!", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "respond-phone-sent.png"))
    finally:
        page.close()
    overview = rounds.round_overview(store)
    row = overview[(overview["partnership"] == DRAMMEN) & (overview["year"] == 2026)]
    assert int(row["respondents"].iloc[0]) == 1


def test_a_respondent_cannot_reach_the_dashboards_pages(app_server, browser):
    url, store_path = app_server
    token = rounds.open_round(Store(store_path), BODO, 2027, "evaluator")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{url}/overview?survey={token}", wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=60_000)
        page.wait_for_timeout(800)
        body = page.inner_text("body")
        assert BODO in body and "Partnerships at a glance" not in body
        assert page.locator(".js-plotly-plot").count() == 0
    finally:
        page.close()
