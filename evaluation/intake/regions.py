"""Region codes as partnerships and statistics offices write them: `3001`, `K-3001`,
`030102a`, `101`, `0180`, several separated by `;`, and how a file's regions are found
for a partnership (by code, by the code at the start of a label, or by name).

A code is compared with its leading zeros, except that a partnership's code may have
lost the zero Excel drops from a number cell (`301` for `0301`): such a match is always
reported, since a Danish `101` read that way is Norway's old `0101`.
"""

from __future__ import annotations

import re

from evaluation.errors import WARNING, Problem
from evaluation.intake.cube import Dimension
from evaluation.text import name_key
from evaluation.words import _

_CODE = re.compile(r"(?i)(?:[a-z]{1,3}-)?(\d{1,6})([a-z]?)(?:\.0+)?")
_LEADING_CODE = re.compile(r"(?i)\s*((?:[a-z]{1,3}-)?\d{1,6}[a-z]?)(?:\s+(.*))?")


def region_key(code: str) -> str | None:
    """A region code as compared: `K-0301` is `0301`, Excel's `3001.0` is `3001`, a
    district's letter stays (`030102a`); None when the text is no code."""
    m = _CODE.fullmatch(code.strip())
    if not m:
        return None
    return m.group(1) + m.group(2).lower()


def same_region(in_file: str, given: set[str]) -> bool:
    """Whether an office's region code is one of a partnership's: the same code, or the
    code without the leading zeros an Excel cell drops (`301` for Oslo's `0301`). Never
    the other way: a Danish `101` is not Norway's `0101`."""
    return in_file in given or (in_file.lstrip("0") or "0") in {
        g for g in given if not g.startswith("0")}


def split_region(text: str) -> tuple[str, str]:
    """A region cell as code and name: `"K-3001 Halden"` -> (`K-3001`, `Halden`); a cell
    without a code is all name."""
    m = _LEADING_CODE.fullmatch(text)
    if not m:
        return "", text.strip()
    return m.group(1), (m.group(2) or "").strip()


def region_tokens(text: str | None) -> list[str]:
    """The codes (or, for files that name regions without codes, the names) of a
    partnership's `region_code`."""
    return [t.strip() for t in re.split(r"[;,]", text or "") if t.strip()]


def region_problem(text: str) -> str | None:
    for token in region_tokens(text):
        if re.search(r"\d", token) and not _CODE.fullmatch(token):
            return _("'{token}' is not a region code: write a municipality or district number "
                     "as the statistics office does (3001, K-3001, 030102, 101, 0180), several "
                     "separated by ';'").format(token=token)
    return None


def lost_zeros(file: str, dim: Dimension, pairs: list[tuple]) -> list[Problem]:
    """A warning for each region found only by the leading zero Excel drops (`301` for
    `0301`): never silent, since a Danish `101` read that way would be Norway's `0101`."""
    return [Problem(file, None, "", "", _(
        "partnership {name}: region code {given} is taken as {region}, whose code Excel "
        "shortens by its leading zero; write {code} in region_code if that is right, or "
        "remove the code if the partnership is not there").format(
            name=name, given=given, region=region_text(dim, cat),
            code=region_key(dim.codes[cat]) or dim.codes[cat]), WARNING)
        for cat, name, given in pairs if given]


def region_pairs(dim: Dimension, partnerships: list[tuple]) -> list[tuple[int, str, str]]:
    """(region category, partnership name, the code given when it matched only without
    the file's leading zeros, else "") for every region a partnership names: by code
    (`K-3001`, `3001 Halden`), or by name where the file names regions without codes."""
    regions = []
    for code, label in zip(dim.codes, dim.labels, strict=True):
        lead, rest = split_region(label)
        key = region_key(code) or (region_key(lead) if lead else None)
        regions.append((key, name_key(rest if lead else label)))
    pairs = []
    for name, codes in partnerships:
        tokens = region_tokens(codes)
        keys = {region_key(t) for t in tokens} - {None}
        names = {name_key(t) for t in tokens if region_key(t) is None}
        pairs += [(i, name, "" if key in keys or plain in names else key.lstrip("0"))
                  for i, (key, plain) in enumerate(regions)
                  if (key and same_region(key, keys)) or plain in names]
    return pairs


def region_text(dim: Dimension, i: int) -> str:
    code, label = dim.codes[i], dim.labels[i]
    return label if code in label or code == label else f"{code} {label}"
