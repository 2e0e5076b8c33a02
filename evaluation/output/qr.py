"""The QR code of a survey round's link, as SVG to show on the page and to paste into an
invitation (and as PNG for documents that take no SVG)."""

from __future__ import annotations

import io

import segno


def qr_svg(link: str) -> bytes:
    """A QR code of `link`: black on white, with the quiet zone scanners need."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=False,
                                     title=link)
    return out.getvalue()


def qr_png(link: str) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
