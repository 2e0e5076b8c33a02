"""The annual report: one partnership, one year, as an A4 PDF and as a chart pack (ZIP).

Built from the same views and chart catalogue as the pages. The report states
the upload it reflects and takes its dates from that upload, so regenerating
it as of the same upload gives the same document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from evaluation.errors import EvaluationError
from evaluation.method.horizon import PATH_WORDS, PHASE_WORDS, phase
from evaluation.method.model import Evaluation, resolve_partnership
from evaluation.method.scores import PILLAR_NAMES
from evaluation.method.statuses import STATUS_LABELS, status_words
from evaluation.output.charts import Chart, partnership_charts
from evaluation.output.exports import chart_pack, safe_filename
from evaluation.output.render import render_many
from evaluation.output.survey_figures import survey_charts
from evaluation.output.survey_views import RoundView, latest_round, rate_text, round_view
from evaluation.output.theme import PILLAR_STYLE
from evaluation.output.views import PartnershipView, partnership_view
from evaluation.text import printable
from evaluation.words import N_, _, current_language, number, percent

if TYPE_CHECKING:  # the store's type only: the method reads no database
    from evaluation.store.snapshot import Snapshot

FONTS = Path(__file__).parent / "fonts"
PAGE_WIDTH = 180  # mm of usable width on A4 with 15 mm margins
CHART_PIXELS = 760  # layout width of report charts: their lettering prints at 7-8 pt
KEY = N_("In the indicator charts: ● observed (grey before the baseline) · ○ baseline · "
         "★ target · dotted: expected path · dashed: projection at the current pace with its "
         "band.")  # shown as _(KEY)
REPORT_YEARS = (1900, 2200)  # a report year outside these is a typo


@dataclass(frozen=True)
class ReportContext:
    """Everything one report needs, for a partnership as of the end of `year`."""

    ev: Evaluation
    view: PartnershipView
    year: int
    charts: list[Chart]
    survey: RoundView | None = None

    @property
    def title(self) -> str:
        return _("{partnership}: annual report {year}").format(partnership=self.view.name,
                                                               year=self.year)


def report_context(ev: Evaluation, partnership: str, year: int) -> ReportContext:
    name = resolve_partnership(ev.snapshot, partnership)
    view = partnership_view(ev, name, until=year)
    start = int(view.profile["start_year"])
    last = max(view.horizon_end, year)
    charts = partnership_charts(ev, view, min(start, year), last)
    survey_year = latest_round(ev, name, until=year)
    survey = round_view(ev, name, survey_year) if survey_year is not None else None
    if survey is not None:
        charts += survey_charts(ev, survey)
    return ReportContext(ev, view, year, charts, survey)


class _Pdf(FPDF):
    def __init__(self, title: str, as_of: str) -> None:
        super().__init__(format="A4")
        self._title, self._as_of = title, as_of
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        footer = printable(f"{self._title} · {self._as_of}")
        self.cell(0, 5, footer if len(footer) <= 90 else footer[:89] + "…", align="L")
        self.set_x(-40)
        self.cell(25, 5, _("Page {page} of {pages}").format(page=self.page_no(), pages="{nb}"),
                  align="R")


def annual_report_pdf(ev: Evaluation, partnership: str, year: int) -> bytes:
    """The report as PDF bytes (needs Chromium for the charts)."""
    ctx = report_context(ev, partnership, year)
    drawn = [(c, c.figure(compact=c.key.startswith("indicator_"))) for c in ctx.charts]
    drawn = [(c, f) for c, f in drawn if f is not None]
    pngs = render_many([f for _chart, f in drawn], "png", width=CHART_PIXELS, printed_mm=PAGE_WIDTH)
    images = dict(zip([c.key for c, _figure in drawn], pngs, strict=True))
    heights = {c.key: (f.layout.height or 460) for c, f in drawn}
    pdf = _Pdf(ctx.title, ev.snapshot.describe_as_of())
    pdf.set_title(ctx.title)
    pdf.set_author(_("Partnership evaluation dashboard"))
    pdf.set_lang(current_language())  # the PDF's /Lang: screen readers speak its language
    if ev.snapshot.as_of_time is not None:
        pdf.set_creation_date(ev.snapshot.as_of_time)
    _cover(pdf, ctx)
    _summary(pdf, ctx)
    _section(pdf, _("Progress over the horizon"), _chart_height(heights, "horizon"))
    _chart(pdf, images, heights, "horizon")
    groups = [c.key for c in ctx.charts if c.key.startswith("groups_")]
    if groups:
        _section(pdf, _("Who takes part"), _chart_height(heights, groups[0]))
        for key in groups:
            _chart(pdf, images, heights, key)
    for pillar in PILLAR_NAMES:
        _pillar(pdf, ctx, pillar, images, heights)
    _collaboration(pdf, ctx, images, heights)
    _events_and_commentary(pdf, ctx)
    return bytes(pdf.output())


def annual_report_zip(ev: Evaluation, partnership: str, year: int) -> bytes:
    """Every chart of the report as PNG and SVG, with its data as CSV."""
    ctx = report_context(ev, partnership, year)
    readme = (f"{ctx.title}\n{ev.snapshot.describe_as_of()}\n"
              f"{ev.settings.describe_weights()}\n")
    return chart_pack(ctx.charts, readme)


def _text(pdf: _Pdf, text: str, size: int = 10, bold: bool = False, gap: float = 1.5) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(34, 34, 34)
    pdf.multi_cell(0, size * 0.5, printable(text))
    pdf.ln(gap)


def _section(pdf: _Pdf, title: str, keep: float = 30) -> None:
    """A heading, on a new page unless `keep` mm of what follows fits under it."""
    if pdf.will_page_break(keep + 14):
        pdf.add_page()
    pdf.ln(3)
    _text(pdf, title, 14, bold=True, gap=2)


def _cover(pdf: _Pdf, ctx: ReportContext) -> None:
    p, snap = ctx.view.profile, ctx.ev.snapshot
    start, horizon = int(p["start_year"]), int(p["horizon_years"])
    pdf.add_page()
    pdf.ln(40)
    _text(pdf, _("Annual report {year}").format(year=ctx.year), 16)
    _text(pdf, ctx.view.name, 26, bold=True, gap=6)
    where = str(phase(ctx.year, start, horizon))
    _text(pdf, _("{municipality} · {horizon}-year horizon, {start}–{end} · in {year}: year "
                 "{year_of_horizon} of {horizon} ({phase})").format(
        municipality=p["municipality"] or "", horizon=horizon, start=start,
        end=ctx.view.horizon_end, year=ctx.year, year_of_horizon=ctx.year - start + 1,
        phase=_(PHASE_WORDS[where]) if where in PHASE_WORDS else where), 11, gap=6)
    for label, value in ((_("Purpose"), p["purpose"]), (_("Lead / backbone"), p["lead"]),
                         (_("Partners"), p["partners"])):
        if value and value == value:
            _text(pdf, label, 10, bold=True, gap=0.5)
            _text(pdf, str(value), 10, gap=3)
    pdf.ln(8)
    _text(pdf, snap.describe_as_of(), 9)
    _text(pdf, ctx.ev.settings.describe_weights(), 9)


def _summary(pdf: _Pdf, ctx: ReportContext) -> None:
    pdf.add_page()
    _text(pdf, _("Summary"), 16, bold=True, gap=3)
    scores = ctx.view.scores.set_index("year")
    scored = scores.dropna(subset=list(PILLAR_NAMES) + ["balanced"], how="all")
    if ctx.year not in scored.index:
        _text(pdf, _("No scores for {year}: no indicator with a target had usable "
                     "data.").format(year=ctx.year))
    else:
        now = scored.loc[ctx.year]
        before = scored.loc[ctx.year - 1] if ctx.year - 1 in scored.index else None
        rows = [("", str(ctx.year), _("change since {year}").format(year=ctx.year - 1),
                 _("change since the first score (year)"), _("indicators counted"))]
        for key in ["balanced", *PILLAR_NAMES]:
            counted = _("all three pillars") if key == "balanced" else (
                _("{counted} of {defined}").format(counted=int(now[key + "_counted"]),
                                                   defined=int(now[key + "_defined"])))
            first_year = scored[key].first_valid_index()
            since = "–" if first_year is None else (
                f"{_points(now[key] - scored.loc[first_year, key])} ({int(first_year)})")
            rows.append((_(PILLAR_STYLE[key]["label"]), _pct(now[key]),
                         _points(now[key] - before[key]) if before is not None else "–",
                         since, counted))
        _table(pdf, rows, (40, 20, 36, 48, 36))
        _text(pdf, _("Scores are the share of the way from baseline to target, 0-100 %. "
                     "{weights}.").format(weights=ctx.ev.settings.describe_weights()), 8, gap=4)
    counts = ctx.view.indicators["status"].value_counts()
    rows = [(_("Status of the indicators in their latest year"), _("indicators"))]
    rows += [(status_words(code), str(int(counts[code]))) for code in STATUS_LABELS
             if code in counts]
    _table(pdf, rows, (140, 40))


def _pillar(pdf: _Pdf, ctx: ReportContext, pillar: str, images: dict, heights: dict) -> None:
    table = ctx.view.indicators[ctx.view.indicators["pillar"] == pillar]
    if table.empty:
        return
    _section(pdf, _(PILLAR_STYLE[pillar]["label"]))
    rows = [(_("Indicator"), _("Value"), _("Target"), _("Progress"), _("Status"),
             _("vs expected"))]
    for r in table.itertuples():
        target = "–" if pd.isna(r.target) else f"{number(r.target, ',.3g')} ({int(r.target_year)})"
        value = f"{number(r.value, ',.3g')} {r.unit or ''}"
        rows.append((f"{r.name} ({int(r.year)})", value, target,
                     "–" if pd.isna(r.progress) else _pct(r.progress), status_words(r.status),
                     "–" if pd.isna(r.vs_expected) else _path_words(str(r.vs_expected))))
    _table(pdf, rows, (50, 24, 25, 21, 38, 22))  # "Framgang", "Fremgang" fit
    _text(pdf, _(KEY), 7, gap=2)
    for r in table.itertuples():
        _chart(pdf, images, heights, f"indicator_{r.indicator}", PAGE_WIDTH * 0.8)


def _collaboration(pdf: _Pdf, ctx: ReportContext, images: dict, heights: dict) -> None:
    """How the collaboration works: the latest survey round up to the report year."""
    _section(pdf, _("How the collaboration works"), _chart_height(heights, "survey_profile"))
    view = ctx.survey
    if view is None:
        _text(pdf, _("No collaboration survey up to {year}.").format(year=ctx.year))
        return
    _text(pdf, _("The partners' yearly survey, round {year}. {rate} Groups of fewer than "
                 "{min} respondents are not shown, nor any figure that would reveal one."
                 ).format(year=view.year, rate=rate_text(view), min=view.min_n), 10)
    if view.hidden_groups:
        _text(pdf, _("Not shown for some factors: {groups}.").format(
            groups=", ".join(view.hidden_groups)), 9)
    for key in ("survey_profile", "survey_change", "survey_gaps"):
        _chart(pdf, images, heights, key)


def _path_words(code: str) -> str:
    """'on path' for on_path: the comparison with the expected path as words."""
    return _(PATH_WORDS[code]) if code in PATH_WORDS else code.replace("_", " ")


def _events_and_commentary(pdf: _Pdf, ctx: ReportContext) -> None:
    _section(pdf, _("What happened in {year}").format(year=ctx.year))
    events = ctx.view.events[ctx.view.events["year"] == ctx.year]
    if events.empty:
        _text(pdf, _("No events recorded for {year}.").format(year=ctx.year))
    for event in events["event"]:
        _text(pdf, f"• {event}")
    _section(pdf, _("Evaluator's commentary on {year}").format(year=ctx.year))
    notes = ctx.view.commentary[ctx.view.commentary["year"] == ctx.year]
    _text(pdf, notes["commentary"].iloc[0] if len(notes) else
          _("No commentary written for {year}.").format(year=ctx.year))


def _chart_height(heights: dict, key: str, width: float = PAGE_WIDTH) -> float:
    return width * heights[key] / CHART_PIXELS if key in heights else 0


def _chart(pdf: _Pdf, images: dict, heights: dict, key: str, width: float = PAGE_WIDTH) -> None:
    """Place a chart image whole: it moves to the next page rather than being cut."""
    if key not in images:
        return
    height = width * heights[key] / CHART_PIXELS
    if pdf.will_page_break(height + 4):
        pdf.add_page()
    x = pdf.l_margin + (PAGE_WIDTH - width) / 2
    pdf.image(images[key], x=x, y=pdf.get_y(), w=width, h=height)
    pdf.set_y(pdf.get_y() + height + 4)


def _table(pdf: _Pdf, rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(34, 34, 34)
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(col_widths=widths, headings_style=heading, line_height=4.6,
                   text_align="LEFT", width=sum(widths)) as table:
        for row in rows:
            table.row([printable(cell) for cell in row])
    pdf.ln(3)


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else percent(value)


def _points(value: float) -> str:
    return "–" if pd.isna(value) else _("{points:+.0f} points").format(points=value * 100)



def check_report_year(snap: Snapshot, names: list[str], year: int) -> None:
    """Refuse a year no report can be about: a typo, or outside every horizon and the data."""
    first, last = REPORT_YEARS
    if not first <= year <= last:
        raise EvaluationError(_("{year} is not a plausible report year; give a year "
                                "from {first} to {last}.").format(year=year, first=first,
                                                                  last=last),
                              _("Year out of range"))
    spans = [_report_span(snap, name) for name in names]
    if not any(lo <= year <= hi for lo, hi in spans):
        who = names[0] if len(names) == 1 else _("any partnership")
        raise EvaluationError(_("{year} is outside the horizon and the data of {who}; give a "
                                "year in {years}.").format(year=year, who=who,
                                                           years=_spans_text(spans)),
                              _("Year out of range"))


def _report_span(snap: Snapshot, name: str) -> tuple[int, int]:
    """First and last year of a partnership's horizon, widened to its observations."""
    profile = snap.partnership(name)
    lo = int(profile["start_year"])
    hi = lo + int(profile["horizon_years"]) - 1
    years = snap.observations.loc[snap.observations["partnership"] == name, "year"]
    if not years.empty:
        lo, hi = min(lo, int(years.min())), max(hi, int(years.max()))
    return lo, hi


def _spans_text(spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return ", ".join(f"{lo}-{hi}" for lo, hi in merged)


def report_targets(out: Path, names: list[str], fmt: str, year: int) -> list[Path]:
    """`out` itself for one report file; otherwise one file per partnership in folder `out`."""
    suffix = out.suffix.lower()
    if len(names) > 1 and suffix in (".pdf", ".zip") and not out.is_dir():
        raise EvaluationError(
            _("{out} ends in {suffix} but several partnerships ({n}) would be written; "
              "choose one partnership, or give a folder (such as {folder}/).").format(
                out=out, suffix=suffix, n=len(names), folder=out.with_suffix("")),
            _("One file, several reports"))
    if len(names) == 1 and not out.is_dir() and out.suffix:
        if suffix not in (".pdf", ".zip"):
            raise EvaluationError(_("{path}: the report is written as .pdf or .zip; choose "
                                    "one of those suffixes.").format(path=out),
                                  _("Unknown format"))
        return [out]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvaluationError(_("Cannot create the folder {path}: {reason}. Give a folder "
                                "you can write to.").format(path=out, reason=e.strerror),
                              _("Cannot write")) from e
    return _unique([out / safe_filename(n, "annual-report", year, ext=fmt) for n in names])


def _unique(paths: list[Path]) -> list[Path]:
    """Two partnerships whose names give one file name ("Sandnes ungdom", "Sandnes-ungdom")
    get -2, -3...: compared ignoring case, as Windows and macOS file systems do."""
    seen: set[str] = set()
    unique = []
    for path in paths:
        candidate, n = path, 1
        while candidate.name.lower() in seen:
            n += 1
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        seen.add(candidate.name.lower())
        unique.append(candidate)
    return unique


def renamed_targets(targets: list[Path]) -> list[str]:
    """A note for each file name that had to be made unique."""
    return [_("note: {name} is named with -{n} because another partnership's name gives "
              "the same file name").format(name=t.name, n=t.stem.rsplit("-", 1)[1])
            for t in targets if re.search(r"_annual-report_\d+-\d+$", t.stem)]
