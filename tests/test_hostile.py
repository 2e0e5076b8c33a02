"""Bad and hostile input: a clear error, or stored and shown as harmless text; never more.

Every case is imported into a copy of the sample store. A refused file must
leave every table exactly as it was; an accepted one must store its text
verbatim (and the pages must show it as text, never run it).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evaluation.intake.importer import import_files
from evaluation.store.snapshot import read_snapshot
from tests.conftest import dump

NO = "Nettverk friluftsliv Askim"
OBS = "partnership,indicator,year,value,note\n"
P_HEAD = "partnership,municipality,start_year,horizon_years,purpose,lead\n"
ROOT = Path(__file__).resolve().parent.parent

# (label, bytes, outcome): outcome "error" (refused, nothing written) or the text that
# must be stored verbatim somewhere (as a note, a name, a purpose...).
CASES: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "error"),
    ("only a header", OBS.encode(), "nothing"),
    ("only blank lines", b"\n\n\r\n\n", "error"),
    ("binary garbage", bytes(range(256)) * 20, "error"),
    ("xlsx workbook", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "error"),
    ("gzip file", b"\x1f\x8b\x08\x00" + b"\x00" * 100, "error"),
    ("pdf file", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "error"),
    ("nul bytes in a cell", (OBS + f"{NO},INV_PARTNERS,2020,1,a\x00b\n").encode(), "error"),
    ("utf-16 without bom", (OBS + f"{NO},INV_PARTNERS,2031,1,x\n").encode("utf-16-le"),
     "x"),
    ("utf-8 bom but broken utf-8", b"\xef\xbb\xbf" + OBS.encode() + b"\xff\xfe,x,2020,1,y\n",
     "error"),
    ("invalid utf-8 read as windows-1252",
     (OBS + f"{NO},INV_PARTNERS,2031,1,").encode() + b"caf\xe9\n", "café"),
    ("mixed line endings", (OBS.replace("\n", "\r\n") + f"{NO},INV_PARTNERS,2031,1,a\n"
                            + f"{NO},INV_PARTNERS,2032,2,b\r\n").encode(), "b"),
    ("unknown header", b"foo,bar,baz\n1,2,3\n", "error"),
    ("header only one column", b"partnership\nAskim\n", "error"),
    ("100,000 columns", (",".join(f"c{i}" for i in range(100_000)) + "\n").encode(), "error"),
    ("huge header cell", ("partnership," + "x" * 5000 + "\n1,2\n").encode(), "error"),
    ("huge cell", (OBS + f"{NO},INV_PARTNERS,2031,1,{'z' * 150_000}\n").encode(), "error"),
    ("unclosed quote", (OBS + f"{NO},INV_PARTNERS,2031,1,\"never closed\n").encode(), "error"),
    ("deeply quoted field", (OBS + f'{NO},INV_PARTNERS,2031,1,"' + '""' * 2000 + '"\n')
     .encode(), '"' * 2000),
    ("quote inside unquoted field", (OBS + f'{NO},INV_PARTNERS,2031,1,12" pipe\n').encode(),
     '12" pipe'),
    ("multi-line note", (OBS + f'{NO},INV_PARTNERS,2031,1,"line one\nline two"\n').encode(),
     "line one\nline two"),
    ("too many cells", (OBS + f"{NO},INV_PARTNERS,2031,1,a,b,c\n").encode(), "error"),
    ("ragged short row", (OBS + f"{NO},INV_PARTNERS\n").encode(), "error"),
    ("formula in a note", (OBS + f"{NO},INV_PARTNERS,2031,1,=HYPERLINK(\"http://evil\")\n")
     .encode(), '=HYPERLINK("http://evil")'),
    ("formula as the value", (OBS + f"{NO},INV_PARTNERS,2031,=1+1,x\n").encode(), "error"),
    ("dde payload", (OBS + f"{NO},INV_PARTNERS,2031,1,=cmd|' /C calc'!A0\n").encode(),
     "=cmd|' /C calc'!A0"),
    ("script tag in a note", (OBS + f"{NO},INV_PARTNERS,2031,1,<script>alert(1)</script>\n")
     .encode(), "<script>alert(1)</script>"),
    ("img onerror in a partnership name",
     (P_HEAD + '"<img src=x onerror=alert(1)>",Oslo,2024,6,x,y\n').encode(),
     "<img src=x onerror=alert(1)>"),
    ("markdown link in a purpose",
     (P_HEAD + "Linky,Oslo,2024,6,[click](javascript:alert(1)),y\n").encode(),
     "[click](javascript:alert(1))"),
    ("latex and colour markup", (P_HEAD + "Mark,Oslo,2024,6,$x$ :red[boo],y\n").encode(),
     "$x$ :red[boo]"),
    ("sql fragment in a partnership name",
     (P_HEAD + "\"x'); DROP TABLE observations; --\",Oslo,2024,6,x,y\n").encode(),
     "x'); DROP TABLE observations; --"),
    ("sql fragment as a partnership reference",
     (OBS + "' OR 1=1 --,INV_PARTNERS,2031,1,x\n").encode(), "error"),
    ("sql fragment in a group", (OBS.replace("note", "group") +
                                 f"{NO},INV_PARTNERS,2031,1,\"a'; DELETE FROM uploads; --\"\n")
     .encode(), "a'; DELETE FROM uploads; --"),
    ("plotly markup in an event", ("partnership,year,event\n"
                                   f"{NO},2031,<b>bold</b> <a href='javascript:x'>link</a>\n")
     .encode(), "<b>bold</b> <a href='javascript:x'>link</a>"),
    ("hovertemplate placeholder in a note", (OBS + f"{NO},INV_PARTNERS,2031,1,%{{y}} %{{x}}\n")
     .encode(), "%{y} %{x}"),
    ("right-to-left override", (OBS + f"{NO},INV_PARTNERS,2031,1,abc\u202egpj.exe\n").encode(),
     "abc\u202egpj.exe"),
    ("emoji and combining marks", (OBS + f"{NO},INV_PARTNERS,2031,1,Ok 👍 e\u0301\n").encode(),
     "Ok 👍 e\u0301"),
    ("zero-width and nbsp in a name", (OBS + f"\u00a0{NO}\u00a0,INV_PARTNERS,2031,1,zw\n")
     .encode(), "zw"),
    ("year far in the future", (OBS + f"{NO},INV_PARTNERS,99999,1,x\n").encode(), "error"),
    ("negative year", (OBS + f"{NO},INV_PARTNERS,-2020,1,x\n").encode(), "error"),
    ("fractional year", (OBS + f"{NO},INV_PARTNERS,2020.5,1,x\n").encode(), "error"),
    ("infinity", (OBS + f"{NO},INV_PARTNERS,2031,inf,x\n").encode(), "error"),
    ("nan", (OBS + f"{NO},INV_PARTNERS,2031,NaN,x\n").encode(), "error"),
    ("overflowing number", (OBS + f"{NO},INV_PARTNERS,2031,1e999,x\n").encode(), "error"),
    ("hex number", (OBS + f"{NO},INV_PARTNERS,2031,0x10,x\n").encode(), "error"),
    ("horizon of a thousand years", (P_HEAD + "Forever,Oslo,2024,1000,x,y\n").encode(),
     "error"),
    ("duplicate header columns", b"partnership,partnership,indicator,year,value\n"
     + f"{NO},X,INV_PARTNERS,2031,1\n".encode(), "error"),
    ("duplicate year columns", f"partnership;indicator;2031;2031\n{NO};OUT_ACTIVE;1;2\n"
     .encode(), "error"),
    ("whitespace-only file", b"   \n \t \n", "error"),
    ("separator only lines", (OBS + ",,,,\n,,,,\n").encode(), "nothing"),
    ("title lines then garbage", b"Report\n\nno header here\n1,2,3\n", "error"),
    ("two decimal marks in one column", (OBS + f'{NO},INV_PARTNERS,2031,"1.234,5",x\n'
                                         f'{NO},INV_PARTNERS,2032,"1,234.5",y\n').encode(),
     "error"),
    ("commentary beyond the app's limit", (f"partnership,year,commentary\n{NO},2031,"
                                           + "z" * 10_001 + "\n").encode(), "error"),
    ("float year headers", f"partnership;indicator;2031.0;2032.0\n{NO};OUT_ACTIVE;40;41\n"
     .encode(), "OUT_ACTIVE"),
]


def _stored_texts(store) -> set[str]:
    snap = read_snapshot(store)
    texts: set[str] = set()
    for frame in (snap.partnerships, snap.observations, snap.events, snap.commentary):
        for column in frame.columns:
            texts.update(str(v) for v in frame[column].dropna().unique())
    return texts


@pytest.mark.parametrize("label, data, outcome", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(sample_store, label, data, outcome):
    before = dump(sample_store)
    report = import_files(sample_store, [("hostile.csv", data)], user="fuzz")
    if outcome in ("error", "nothing"):
        assert not report.committed, label
        if outcome == "error":
            assert report.errors and all(p.message for p in report.errors), label
            assert all(p.file == "hostile.csv" for p in report.errors)
        assert dump(sample_store) == before
    else:
        assert report.committed, [p.format() for p in report.problems]
        assert outcome in _stored_texts(sample_store), label


def test_there_are_at_least_forty_distinct_cases():
    assert len({c[0] for c in CASES}) >= 40 and len({c[1] for c in CASES}) == len(CASES)


def test_no_page_renders_html_from_data():
    for path in [ROOT / "ui.py", *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path.name


SQL_METHODS = {"execute", "executemany", "sql", "query"}
# Calls whose result may stand inside a quoted SQL literal: numbers, and a path from the
# program with its quotes doubled (DuckDB's EXPORT DATABASE takes no parameter).
SAFE_IN_QUOTES = {"int", "float", "sql_literal"}


def sql_text_problems(source: str, name: str = "<code>") -> list[str]:
    """Every execute/sql call whose SQL text is built from a value: an interpolation inside
    a quoted SQL literal ('{name}'), %-formatting, .format() or concatenation. Names from
    the code (tables, columns) may be interpolated outside quotes; values are parameters."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_METHODS and node.args):
            continue
        arg, where = node.args[0], f"{name}:{node.lineno}"
        if isinstance(arg, ast.JoinedStr):
            found += [f"{where}: {v} inside a quoted SQL literal" for v in _in_quotes(arg)]
        elif isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Mod, ast.Add)):
            found.append(f"{where}: SQL text built with {type(arg.op).__name__}")
        elif (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
              and arg.func.attr == "format"):
            found.append(f"{where}: SQL text built with .format()")
    return found


def _in_quotes(fstring: ast.JoinedStr) -> list[str]:
    bad, quoted = [], False
    for part in fstring.values:
        if isinstance(part, ast.Constant):
            quoted ^= part.value.count("'") % 2 == 1
        elif quoted:
            value = part.value
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id in SAFE_IN_QUOTES):
                bad.append(ast.unparse(value))
    return bad


@pytest.mark.parametrize("code", [
    "con.execute(f\"SELECT * FROM partnerships WHERE name = '{name}'\")",
    "con.execute(f\"SELECT '{label}' AS what, {key} FROM t\")",
    "con.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)",
    "con.execute(\"SELECT * FROM t WHERE name = '\" + name + \"'\")",
    "con.sql(\"SELECT * FROM t WHERE name = '{}'\".format(name))",
])
def test_the_sql_guard_finds_a_value_in_sql_text(code):
    assert sql_text_problems(code)


def test_sql_values_are_parameters_not_text():
    """User values never reach SQL text anywhere in the core, the pages or the app."""
    files = [*(ROOT / "evaluation").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
             ROOT / "ui.py", ROOT / "login.py"]
    found = [p for path in files
             for p in sql_text_problems(path.read_text(encoding="utf-8"), path.name)]
    assert found == []
    assert sql_text_problems("con.execute(f\"SELECT {int(n)} FROM {table} WHERE a = ?\", [x])")\
        == []  # numbers and names from the code are fine


def test_hostile_names_are_shown_as_text_on_the_pages(sample_store, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import ui
    evil = "<img src=x onerror=alert(1)> [link](javascript:x) $x$"
    import_files(sample_store, [("p.csv", (P_HEAD + f'"{evil}",Oslo,2024,6,"<script>'
                                           'alert(2)</script>",y\n').encode())], user="t")
    monkeypatch.setenv("EVALUATION_DB", str(sample_store.path))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "partnership.py"), default_timeout=60)
    at.query_params["partnership"] = evil
    at.run()
    assert not at.exception
    assert at.title[0].value == ui.plain(evil)  # a title is markdown: escaped
    purpose = next(m.value for m in at.markdown if "Purpose" in m.value)
    assert "\\<script\\>" in purpose  # escaped: shown literally, never run
    st.cache_resource.clear()


# ---- Text that would break exports: control characters, line breaks, lengths ----------

TEXT_CASES = [
    ("escape in a partnership name", P_HEAD + '"Evil\x1b[31m",Oslo,2024,6,x,y\n', "error"),
    ("bell in an indicator unit", "indicator,name,pillar,unit,direction\n"
     "X1,Name,process,\x07%,higher_is_better\n", "error"),
    ("C1 control in a note", OBS + f"{NO},INV_PARTNERS,2031,1,a\x85\x9bb\n", "error"),
    ("escape in a commentary", f"partnership,year,commentary\n{NO},2031,x\x1b[2Jy\n", "error"),
    ("indicator name of 1,700 characters", "indicator,name,pillar,unit,direction\n"
     f"X2,{'n' * 1700},process,%,higher_is_better\n", "error"),
    ("partnership name too long", P_HEAD + f"{'p' * 121},Oslo,2024,6,x,y\n", "error"),
    ("line break in a partnership name",
     P_HEAD + '"Two\nlines",Oslo,2024,6,"kept\r\nas lines",y\n', "Two lines"),
    ("line break and formula in an indicator name", "indicator,name,pillar,unit,direction\n"
     'X3,"Trust\n=HYPERLINK(""http://evil"")",process,%,higher_is_better\n',
     'Trust =HYPERLINK("http://evil")'),
    ("tab in a source", OBS.replace("note", "source") + f"{NO},INV_PARTNERS,2031,1,a\tb\n",
     "a b"),
]


@pytest.mark.parametrize("label, text, outcome", TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_single_line_text_and_control_characters(sample_store, label, text, outcome):
    before = dump(sample_store)
    report = import_files(sample_store, [("t.csv", text.encode())], user="fuzz")
    if outcome == "error":
        assert not report.committed and report.errors, label
        assert all(p.line == 2 and p.column for p in report.errors), report.errors
        assert dump(sample_store) == before
        return
    assert report.committed, [p.format() for p in report.problems]
    snap = read_snapshot(sample_store)
    texts = {str(v) for f in (snap.partnerships, snap.indicators, snap.observations)
             for c in f.columns for v in f[c].dropna()}
    assert outcome in texts
    assert not any("\t" in t or "\r" in t for t in texts)
    if label.startswith("line break in a partnership"):
        assert "kept\nas lines" in texts  # a purpose may keep its lines, as LF


@pytest.mark.parametrize("text", ["a\x00b", "x\x1b[2Jy", "bell\x07", "c1\x9b"])
def test_the_commentary_editor_refuses_what_the_importer_refuses(sample_store, text):
    from evaluation.errors import EvaluationError
    from evaluation.intake.edits import save_commentary

    before = dump(sample_store)
    with pytest.raises(EvaluationError, match="control character"):
        save_commentary(sample_store, NO, 2024, text, "anne")
    assert dump(sample_store) == before
    assert save_commentary(sample_store, NO, 2024, "one\r\ntwo", "anne")
    assert "one\ntwo" in set(read_snapshot(sample_store).commentary["commentary"])


# ---- Every CSV the product writes, read as Excel would with ',' and with ';' ---------

# A number, alone or (read with the other separator) followed by the next quoted field:
# `-4,"x"` is no formula a spreadsheet can run.
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?([,;]\".*)?", re.S)
EVIL = "Evil;=cmd|' /C calc'!A0, =1+1"


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run, reading `text` split on ',' and on ';'."""
    import csv
    import io

    found = []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            found += [c for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                      and not _NUMBER.fullmatch(c)]
    return found


@pytest.mark.parametrize("cell", ["=1+1", "x;=cmd|' /C calc'!A0", "a,-2+3", 'q"=x',
                                  "line\n@SUM(A1)", "\tcmd", "\r=x", "-", "+-", "ok;@",
                                  "Sandnes, -region"])
def test_the_neutraliser_leaves_no_formula_under_either_separator(cell):
    from evaluation.output.csvfile import write_csv

    text = write_csv(header=["a", "b"], rows=[[cell, -2.5], ["-4", cell]],
                     about=[("title", cell)])
    assert formula_cells(text) == []


@pytest.fixture
def hostile_store(sample_store):
    """The sample plus names, units, groups, events, notes and commentary that try it on."""
    files = [
        ("p.csv", P_HEAD + f'"{EVIL}",Oslo,2024,6,"=purpose;-1",@lead\n'),
        ("i.csv", "indicator,name,pillar,unit,direction\n"
         f'EVIL1,"{EVIL.replace(chr(34), "")}",process,"-%;=u",higher_is_better\n'),
        ("t.csv", "partnership,indicator,baseline_year,baseline,target_year,target\n"
         f'"{EVIL}",EVIL1,2024,1,2029,5\n'),
        ("o.csv", "partnership,indicator,year,value,group,source,note\n" + "".join(
            f'"{EVIL}",EVIL1,{y},{y - 2023},{group},"+src","=note\n@x"\n'
            for y in range(2024, 2027) for group in ('"@grp;=x"', '""'))),
        ("e.csv", f'partnership,year,event\n"{EVIL}",2025,"-event;=x"\n'),
        ("c.csv", f'partnership,year,commentary\n"{EVIL}",2025,"=comment\n+2"\n'),
    ]
    report = import_files(sample_store, [(n, t.encode()) for n, t in files], user="fuzz")
    assert report.committed, [p.format() for p in report.problems]
    return sample_store


def test_no_csv_export_holds_a_formula_cell(hostile_store, capsys):
    import io
    import zipfile

    from evaluation.cli import main
    from evaluation.intake.formats import KINDS, template_csv
    from evaluation.method.model import evaluate
    from evaluation.output.charts import partnership_charts, portfolio_charts
    from evaluation.output.exports import chart_pack, write_csv
    from evaluation.output.views import partnership_view, portfolio_table, status_counts

    ev = evaluate(read_snapshot(hostile_store))
    name = next(n for n in ev.snapshot.partnerships["partnership"] if n.startswith("Evil"))
    charts = partnership_charts(ev, partnership_view(ev, name), 2024, 2029)
    table = portfolio_table(ev, 2026)
    charts += portfolio_charts(ev, table, status_counts(ev, table["partnership"].tolist()),
                               EVIL)
    texts = {c.key: write_csv(c).decode("utf-8-sig") for c in charts}
    with zipfile.ZipFile(io.BytesIO(chart_pack(charts, EVIL))) as z:
        texts |= {n: z.read(n).decode("utf-8-sig") for n in z.namelist() if n.endswith(".csv")}
    for command in ("status", "scores"):
        capsys.readouterr()
        assert main([command, "--format", "csv", "--db", str(hostile_store.path)]) == 0
        texts[command] = capsys.readouterr().out
    texts |= {k: template_csv(k) for k in KINDS}
    assert EVIL.split(";")[0] in texts["status"] and len(texts) > 10
    for what, text in texts.items():
        assert formula_cells(text) == [], what


def test_an_upload_may_not_split_an_indicator_into_more_groups_than_can_be_charted(
        sample_store):
    from evaluation.intake.rules import MAX_GROUPS

    body = "partnership,indicator,year,value,group\n" + "".join(
        f"{NO},INV_PARTNERS,2024,1,g{i}\n" for i in range(100_000))
    before = dump(sample_store)
    report = import_files(sample_store, [("groups.csv", body.encode())], user="fuzz")
    assert not report.committed and dump(sample_store) == before
    (problem,) = report.errors
    stored = read_snapshot(sample_store).observations
    known = stored[(stored["indicator"] == "INV_PARTNERS") & (stored["group"] != "")
                   & (stored["partnership"] == NO)]["group"].nunique()
    assert problem.line == MAX_GROUPS - known + 2 and problem.column == "group"
    assert f"{100_000 + known:,} groups" in problem.message


def test_a_chart_draws_at_most_eight_groups_and_says_so():
    import pandas as pd

    from evaluation.output.figures import MAX_GROUPS_DRAWN, build_group_figure

    groups = pd.DataFrame({"year": [2024] * 500, "group": [f"g{i}" for i in range(500)],
                           "value": list(range(500, 0, -1))})
    fig = build_group_figure(groups, title="t", unit="persons", subtitle="as of")
    assert len(fig.data) == MAX_GROUPS_DRAWN
    assert fig.data[-1].name == "other (493 groups)"
    assert fig.data[-1].y[0] == sum(range(1, 494))  # the rest, added up as the stack does
    assert "493 smallest groups" in fig.layout.title.subtitle.text
    assert len(fig.to_json()) < 20_000
