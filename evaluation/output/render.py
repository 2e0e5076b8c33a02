"""Static chart images (PNG, SVG, PDF) through one warm kaleido browser, one caller at a time.

A cold `write_image` starts Chromium for every chart (seconds each); a warm
kaleido server renders in a fraction of that. Its sync server hands results
back in order without knowing who asked, so concurrent callers would receive
each other's images (PLATFORM-FACTS.md, plotly/Kaleido#444): every call here
holds one process-wide lock. MathJax is off, so nothing is fetched from the
internet. Without Chromium, callers get `BrowserMissing` with what to install.
"""

from __future__ import annotations

import functools
import logging
import shutil
import struct
import threading
import zlib
from collections.abc import Sequence

import plotly.graph_objects as go

from evaluation.errors import EvaluationError
from evaluation.words import N_, _

log = logging.getLogger("evaluation.output.render")
_lock = threading.Lock()
_started = False

PRINT_DPI = 300
A4_WIDTH_INCHES = 8.27
CHART_WIDTH = 1000  # layout pixels; PNGs are scaled to at least 300 dpi at A4 width
# Shown as _(INSTALL_HINT).
INSTALL_HINT = N_("Static images (PNG, SVG, PDF) and the annual report need the Chromium "
                  "browser on the server. Install it with `apt-get install chromium` (Debian, "
                  "Ubuntu) or run `plotly_get_chrome`. Interactive HTML and the data (CSV, "
                  "Excel) can be downloaded without it.")


class BrowserMissing(EvaluationError):
    """No Chromium to render static images with."""

    def __init__(self) -> None:
        super().__init__(_(INSTALL_HINT), _("No browser for static images"))


_configured: list[str | None] = [None]  # what the edge chose: None looks for Chromium


def use_browser(path: str | None) -> None:
    """Set by the command line and the app from `Config.browser`: a browser's path, ""
    for none (exports without images), or None to look for Chromium."""
    _configured[0] = path


def browser_choice() -> str | None:
    """What `use_browser` was last given."""
    return _configured[0]


def browser_path() -> str | None:
    """Chromium's path as kaleido will find it, unless the configuration chose one."""
    chosen = _configured[0]
    if chosen is not None:
        return chosen or None
    return _found_browser()


@functools.cache
def _found_browser() -> str | None:
    """Looked up once per process: the search walks PATH (pages ask on every rerun)."""
    try:
        from choreographer.browsers.chromium import Chromium
        return Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - any failure to look means "not found"
        return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_available() -> bool:
    return browser_path() is not None


def render(fig: go.Figure, fmt: str, *, width: int = CHART_WIDTH,
           height: int | None = None) -> bytes:
    """One figure as PNG (300 dpi at A4 width), SVG or PDF."""
    return render_many([fig], fmt, width=width, height=height)[0]


def render_many(figs: Sequence[go.Figure], fmt: str, *, width: int = CHART_WIDTH,
                height: int | None = None, printed_mm: float | None = None) -> list[bytes]:
    """Several figures in one format, rendered back to back on the warm browser.

    PNGs are 300 dpi at `printed_mm` wide (default: the width of an A4 page)."""
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(fmt)
    if not browser_available():
        raise BrowserMissing()
    inches = (printed_mm / 25.4) if printed_mm else A4_WIDTH_INCHES
    scale = PRINT_DPI * inches / width if fmt == "png" else 1
    with _lock:
        return [_render_one(fig, fmt, width, height, scale) for fig in figs]


def _render_one(fig: go.Figure, fmt: str, width: int, height: int | None,
                scale: float) -> bytes:
    import kaleido

    opts = {"format": fmt, "width": width, "height": height or fig.layout.height or 500,
            "scale": scale}
    for attempt in (1, 2):
        _ensure_server()
        try:
            data = kaleido.calc_fig_sync(fig, opts=opts)
            break
        except Exception as e:  # the browser died or hung: restart it once
            log.warning("kaleido render failed (attempt %d): %s", attempt, e)
            _stop_server()
            if attempt == 2:
                raise EvaluationError(
                    _("The chart could not be drawn as {format} ({error}). Try again; if it "
                      "keeps failing, download the HTML or the data instead.").format(
                        format=fmt.upper(), error=e),
                    _("Export failed")) from e
    return with_dpi(data, PRINT_DPI) if fmt == "png" else data


def _ensure_server() -> None:
    global _started
    if not _started:
        import kaleido

        # The browser chosen (EVALUATION_BROWSER) or found, never kaleido's own search: a
        # configured path must be the one that draws.
        kaleido.start_sync_server(mathjax=False, silence_warnings=True, path=browser_path())
        _started = True


def _stop_server() -> None:
    global _started
    if _started:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
        _started = False


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying `dpi`, so print software sizes it correctly."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or b"pHYs" in png[:200]:
        return png
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    return png[:ihdr_end] + chunk + png[ihdr_end:]
