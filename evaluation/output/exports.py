"""Exports: a table of writers, each returning bytes for one chart in one format.

The same bytes feed the app's download buttons, the command line and the
annual report's chart pack. Every file states what it shows (title, subject,
years, weights where a score is shown, the upload the data reflects), has a
name safe on every operating system, and tables are neutralised against
spreadsheet formula injection (one CSV writer for all: `evaluation.output.csvfile`).
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from evaluation.output.charts import Chart
from evaluation.output.csvfile import neutralise
from evaluation.output.csvfile import write_csv as csv_text
from evaluation.output.render import browser_available, render
from evaluation.output.theme import safe
from evaluation.words import _

STATIC = ("png", "svg", "pdf")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "html": "text/html", "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip": "application/zip"}
_NORDIC = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa",
                         "ß": "ss", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(*parts: object, ext: str) -> str:
    """ASCII, no spaces or separators, not a Windows device name: 'Faellesskaber-Hoeje-
    Taastrup_horizon_2020-2027.png'. Nordic letters are transliterated, not dropped."""
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    text = unicodedata.normalize("NFKD", text.translate(_NORDIC))
    text = text.encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:120] or "export"
    if text.split(".")[0].lower() in _RESERVED:
        text = f"_{text}"
    return f"{text}.{ext}"


def _meta(chart: Chart) -> list[tuple[str, str]]:
    rows = [("title", chart.title), ("subject", chart.subject),
            ("years", f"{chart.years[0]}–{chart.years[1]}")]
    if chart.weights:
        rows.append(("weights", chart.weights))
    rows.append(("data", chart.as_of))
    return rows


def _table(chart: Chart) -> pd.DataFrame:
    frame = chart.data.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise)
    return frame


def write_csv(chart: Chart) -> bytes:
    """The data behind the chart; '# key', value rows above a blank line say what it is."""
    text = csv_text(chart.data, about=_meta(chart))
    return text.encode("utf-8-sig")  # a BOM: Excel then reads æ, ø, å right


def write_xlsx(chart: Chart) -> bytes:
    """A 'data' sheet with the rows and an 'about' sheet with what they are."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False,
                                                   "strings_to_urls": False}}) as writer:
        _table(chart).to_excel(writer, sheet_name="data", index=False)
        about = pd.DataFrame(_meta(chart), columns=["about", "value"])
        about["value"] = about["value"].map(neutralise)
        about.to_excel(writer, sheet_name="about", index=False)
        for sheet in writer.sheets.values():
            sheet.set_column(0, 12, 18)
    return out.getvalue()


def export_figure(chart: Chart) -> go.Figure:
    """The full-size figure with the provenance line along its bottom edge."""
    fig = chart.figure(compact=False)
    if fig is None:
        raise ValueError(f"{chart.key}: nothing to draw")
    fig = copy.deepcopy(fig)
    bottom, height = (fig.layout.margin.b or 80) + 26, (fig.layout.height or 460) + 26
    # Anchored to the plot's bottom edge and shifted down by the margin: the figure's foot.
    fig.add_annotation(text=safe(chart.provenance), xref="paper", yref="paper", x=0.0, y=0.0,
                       yshift=-bottom + 2, xanchor="left", yanchor="bottom", showarrow=False,
                       font={"size": 10, "color": "#555555"})
    fig.update_layout(margin={"b": bottom}, height=height)
    if fig.layout.legend.yref == "container":
        fig.update_layout(legend={"y": 26 / height})
    return fig


def write_html(chart: Chart) -> bytes:
    """A standalone interactive page (plotly.js inside: it opens offline)."""
    html = export_figure(chart).to_html(include_plotlyjs=True, full_html=True,
                                        config={"displaylogo": False})
    html = html.replace("<head>", f"<head><title>{safe(chart.title)}</title>", 1)
    return html.encode("utf-8")


def _static(fmt: str) -> Callable[[Chart], bytes]:
    return lambda chart: render(export_figure(chart), fmt)


WRITERS: dict[str, Callable[[Chart], bytes]] = {
    "png": _static("png"), "svg": _static("svg"), "pdf": _static("pdf"),
    "html": write_html, "csv": write_csv, "xlsx": write_xlsx,
}


@dataclass(frozen=True)
class ExportFile:
    name: str
    mime: str
    data: Callable[[], bytes]


def export_files(chart: Chart) -> list[ExportFile]:
    """Every format of one chart as (lazy) files; static formats only with a browser."""
    formats = [f for f in WRITERS if f not in STATIC or browser_available()]
    stem = (chart.subject, chart.key, f"{chart.years[0]}-{chart.years[1]}")
    return [ExportFile(safe_filename(*stem, ext=fmt), MIME[fmt],
                       lambda fmt=fmt: WRITERS[fmt](chart)) for fmt in formats]


def chart_pack(charts: list[Chart], readme: str) -> bytes:
    """A ZIP of every chart as PNG and SVG (HTML without a browser) plus its data as CSV."""
    out = io.BytesIO()
    static = browser_available()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", readme + "\n" + (
            _("Each chart comes as PNG (300 dpi at A4 width) and SVG, with the data behind "
              "it as CSV.") if static else
            _("Each chart comes as an interactive HTML file, with the data behind it as CSV. "
              "PNG and SVG need Chromium on the server (apt-get install chromium), which was "
              "missing when this pack was made.")) + "\n")
        for n, chart in enumerate(charts, start=1):
            if chart.figure() is None:
                continue
            stem = f"{n:02d}_{safe_filename(chart.key, ext='x')[:-2]}"
            for fmt in (("png", "svg") if static else ("html",)):
                z.writestr(f"{stem}.{fmt}", WRITERS[fmt](chart))
            z.writestr(f"{stem}.csv", write_csv(chart))
    return out.getvalue()
