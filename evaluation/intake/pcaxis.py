"""PC-Axis (`.px`) files, as SSB, Statistics Sweden and Danmarks Statistik write them.

A PX file is keywords (`KEYWORD[lang]("variable")=value;`, values spanning lines,
long strings continued on the next line) and then `DATA=`, the cells in the
order of `STUB` then `HEADING` variables, the last varying fastest. `CHARSET`
and `CODEPAGE` say how the text is encoded (`ANSI` is Windows-1252 / ISO-8859-1);
`TIMEVAL` marks the time variable and `MAP` a region variable; `CODES` gives
category codes beside `VALUES`' labels. Quoted dots in `DATA` (one to six) mean no
figure, a quoted dash is nil.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.intake.cube import Cube, Dimension, cell_values, parse_time
from evaluation.intake.textfile import FileProblem
from evaluation.words import _

_KEY = re.compile(r'\s*([A-Za-z0-9-]+)(?:\[([A-Za-z_-]+)\])?(?:\(([^)]*)\))?\s*=', re.S)
_STRING = re.compile(r'"((?:[^"]|"")*)"')
_BLANKS = " \t\n\r\v\f"  # what Arrow's ascii_split_whitespace splits on
_BLANK_BYTES = np.frombuffer(_BLANKS.encode(), dtype=np.uint8)


def looks_like_px(name: str, raw: bytes) -> bool:
    """A PX file: named .px, or starting with PX keywords and holding DATA=."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    starts = re.match(rb"(CHARSET|AXIS-VERSION|LANGUAGE|CODEPAGE|MATRIX|CREATION-DATE|"
                      rb"DECIMALS|SHOWDECIMALS|SUBJECT-CODE)\s*=", head)
    return bool(starts) and (name.lower().endswith(".px") or b"DATA=" in raw or b"DATA =" in raw)


def _decode(raw: bytes) -> str:
    """The file's text in the encoding its keywords name (UTF-8 when they say so)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    head = raw[:8192].decode("latin-1")
    page = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', head)
    charset = re.search(r'CHARSET\s*=\s*"([^"]+)"', head)
    codec = page.group(1).strip().lower() if page else ""
    if not codec:
        codec = "cp1252" if charset and charset.group(1).upper() == "ANSI" else "utf-8"
    codec = {"iso-8859-1": "cp1252", "latin1": "cp1252", "windows-1252": "cp1252",
             "ansi": "cp1252"}.get(codec, codec)
    try:
        return raw.decode(codec)
    except (LookupError, UnicodeDecodeError):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")


def _statements(text: str) -> tuple[list[tuple[str, str, str, str, int]], int, int]:
    """(keyword, language, variable, value text, line) of each keyword before DATA, the
    offset where the data start and their first line."""
    out = []
    pos, line = 0, 1
    while True:
        m = _KEY.match(text, pos)
        if not m:
            raise FileProblem(_("this PC-Axis file has no DATA= section after its keywords "
                                "(line {line}); download the table again").format(line=line),
                              line)
        line += text.count("\n", pos, m.start(1))
        keyword, lang, variable = m.group(1).upper(), m.group(2) or "", m.group(3) or ""
        if keyword == "DATA":
            return out, m.end(), line + text.count("\n", m.start(1), m.end())
        end, i = m.end(), m.end()
        quoted = False
        while i < len(text):  # the ';' that ends the value, outside quotes
            c = text[i]
            if c == '"':
                quoted = not quoted
            elif c == ";" and not quoted:
                end = i
                break
            i += 1
        else:
            raise FileProblem(_("keyword {keyword} at line {line} never ends with ';'").format(
                keyword=keyword, line=line), line)
        out.append((keyword, lang, variable.strip().strip('"'), text[m.end():end], line))
        line += text.count("\n", m.start(1), end + 1)
        pos = end + 1


def _strings(value: str) -> list[str]:
    """A keyword's list of strings; strings next to each other on new lines are one."""
    parts: list[str] = []
    last_end = None
    for m in _STRING.finditer(value):
        between = value[last_end:m.start()] if last_end is not None else ""
        piece = m.group(1).replace('""', '"')
        if last_end is not None and "," not in between:
            parts[-1] += piece
        else:
            parts.append(piece)
        last_end = m.end()
    return parts


_TLIST_PART = {"A": "", "H": "H", "Q": "K", "M": "M", "W": "U"}


def _timeval(value: str) -> list[str]:
    """TIMEVAL's periods as time codes: `TLIST(A1),"2022","2023"`, a range
    `TLIST(A1,"2019"-"2023")`, and the format's `CCYYQ` / `CCYYMM` forms (`TLIST(Q1),
    "20211"` is 2021K1, `TLIST(M1),"202101"` is 2021M01)."""
    kind = re.search(r"TLIST\(\s*([AHQMW])", value, re.I)
    part = _TLIST_PART[kind.group(1).upper()] if kind else ""
    m = re.search(r'TLIST\(\s*[A-Za-z]\d*\s*,\s*"(\d{4})"\s*-\s*"(\d{4})"\s*\)', value)
    if m:
        return [str(y) for y in range(int(m.group(1)), int(m.group(2)) + 1)]
    codes = _strings(re.sub(r"TLIST\([^)]*\)", "", value))
    if not part:
        return codes
    return [f"{c[:4]}{part}{c[4:]}" if re.fullmatch(r"\d{5,6}", c) else c for c in codes]


def _variables(value: str) -> list[str]:
    return _strings(value)


def read_px(name: str, raw: bytes) -> Cube:
    """Read a PC-Axis file into a Cube (the file's main language; other languages'
    names and labels kept for matching a selection).

    Long because the keywords that make a table are read in one pass and put together in
    the order the format defines them.
    """
    text = _decode(raw)
    statements, data_at, data_line = _statements(text)
    main: dict[tuple[str, str], str] = {}
    other: dict[tuple[str, str, str], str] = {}
    lines: dict[str, int] = {}
    for keyword, lang, variable, value, line in statements:
        if lang:
            other[(keyword, variable, lang)] = value
        else:
            main.setdefault((keyword, variable), value)
            lines.setdefault(keyword, line)
    stub = _variables(main.get(("STUB", ""), ""))
    heading = _variables(main.get(("HEADING", ""), ""))
    names = stub + heading
    if not names:
        raise FileProblem(_("this PC-Axis file has neither STUB nor HEADING: download the "
                            "table again"), 1)
    langs = sorted({lang for (_k, _v, lang) in other})
    dims = []
    for position, variable in enumerate(names):
        labels = _strings(main.get(("VALUES", variable), ""))
        if not labels:
            raise FileProblem(_("VALUES(\"{variable}\") is missing: download the table "
                                "again").format(variable=variable), lines.get("STUB", 1))
        codes = _strings(main.get(("CODES", variable), "")) or list(labels)
        role = ""
        if ("TIMEVAL", variable) in main:
            role = "time"
            times = _timeval(main[("TIMEVAL", variable)])
            if len(times) == len(labels) and not all(parse_time(c) for c in codes):
                codes = times
        elif ("MAP", variable) in main:
            role = "geo"
        dim = Dimension(variable, variable, codes, labels, role)
        for lang in langs:  # a selection may be written in any of the file's languages
            names_there = _variables(other.get(("STUB", "", lang), "")) + _variables(
                other.get(("HEADING", "", lang), ""))
            if len(names_there) == len(names):
                dim.alt_names.add(names_there[position])
                there = _strings(other.get(("VALUES", names_there[position], lang), ""))
                if len(there) == len(labels):
                    dim.alt_labels.append(there)
        if len(codes) != len(labels):
            raise FileProblem(_("CODES(\"{variable}\") has {codes} codes for {labels} values: "
                                "download the table again").format(
                variable=variable, codes=len(codes), labels=len(labels)), lines.get("CODES", 1))
        dims.append(dim)
    tokens, token_lines = _data_tokens(text[data_at:], data_line)
    sizes = [len(d.codes) for d in dims]
    expected = int(np.prod(sizes))
    if len(tokens) != expected:
        raise FileProblem(_("DATA holds {found:,} cells but the table has {expected:,} "
                            "({sizes}); the file is cut or damaged: download it again").format(
            found=len(tokens), expected=expected,
            sizes=" x ".join(str(s) for s in sizes)), data_line)
    values, symbols, symbol_names = cell_values(tokens, decimal_comma=False)
    first = lambda key: (_strings(main.get((key, ""), "")) or [""])[0]  # noqa: E731
    table = first("TABLEID") or first("MATRIX") or None
    return Cube(name, "PC-Axis", table, first("TITLE") or first("CONTENTS"), first("SOURCE"),
                dims, None, values, symbols, symbol_names, token_lines)


def _data_tokens(data: str, first_line: int) -> tuple[pa.Array, np.ndarray]:
    """The DATA cells (quotes kept for symbols) and the line of each: split by Arrow on
    ASCII whitespace (a million cells in milliseconds, no Python string per cell), their
    lines from where each starts in the bytes."""
    end = data.rfind(";")
    text = (data[:end] if end >= 0 else data).replace(",", " ")
    lead = len(text) - len(text.lstrip(_BLANKS))
    first_line += text[:lead].count("\n")
    body = text.strip(_BLANKS).encode("utf-8")
    if not body:
        return pa.array([], pa.string()), np.zeros(0, np.int64)
    whole = pa.StringArray.from_buffers(
        1, pa.py_buffer(np.array([0, len(body)], dtype=np.int32).tobytes()), pa.py_buffer(body))
    tokens = pc.list_flatten(pc.ascii_split_whitespace(whole))
    raw = np.frombuffer(body, dtype=np.uint8)
    space = np.isin(raw, _BLANK_BYTES)
    before = np.concatenate(([True], space[:-1]))
    starts = np.flatnonzero(~space & before)
    numbers = first_line + np.searchsorted(np.flatnonzero(raw == 10), starts)
    return tokens, numbers.astype(np.int64)
