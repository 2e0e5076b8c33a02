"""JSON-stat datasets: version 2.0 (SSB's and Statistics Sweden's PxWebApi v2) and
version 1 (Danmarks Statistik's StatBank API, wrapped in `dataset`).

A dataset lists its dimensions in `id` with their `size`; each dimension's
`category.index` orders its codes and `category.label` names them. `value` holds
the cells in row-major order (the last dimension fastest), as a list or as an
object keyed by position; `null` is a cell without a figure, and `status` (one
symbol, a list or an object by position) says why. `role` marks time and geography;
`extension.px.tableid` (PxWebApi) or the label's `07459: ...` prefix names the table.
"""

from __future__ import annotations

import json
import re

import numpy as np

from evaluation.intake.cube import NIL, Cube, Dimension, office_name
from evaluation.intake.textfile import FileProblem
from evaluation.words import _

_TABLE_IN_LABEL = re.compile(r"\s*([A-Za-z0-9_]{3,20})\s*:\s*(.+)", re.S)


def looks_like_jsonstat(raw: bytes) -> bool:
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    return head.startswith(b"{") and (b'"dimension"' in raw[:1 << 20] or b'"dataset"' in head)


def _load(raw: bytes) -> dict:
    try:
        import orjson  # a fast reader where installed; json is the same data
        return orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except ImportError:
        pass
    except ValueError:
        pass
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        line = getattr(e, "lineno", None)
        raise FileProblem(_("this JSON file cannot be read ({reason}); download it again"
                            ).format(reason=str(e).split(":")[0]), line) from e


def read_jsonstat(name: str, raw: bytes) -> Cube:
    """Read a JSON-stat 1.0 or 2.0 dataset into a Cube."""
    doc = _load(raw)
    if not isinstance(doc, dict):
        raise FileProblem(_("this JSON file is not a JSON-stat dataset"), 1)
    if doc.get("class") != "dataset" and "dimension" not in doc:
        found = doc.get("dataset") if isinstance(doc.get("dataset"), dict) else next(
            (v for v in doc.values() if isinstance(v, dict) and "dimension" in v), None)
        if found is None:
            raise FileProblem(_("this JSON file is not a JSON-stat dataset (it has no "
                                "'dimension'); download the table as JSON-stat"), 1)
        doc = found
    dimension = doc.get("dimension") or {}
    ids = doc.get("id") or dimension.get("id")
    sizes = doc.get("size") or dimension.get("size")
    role = doc.get("role") or dimension.get("role") or {}
    if not ids or not sizes or len(ids) != len(sizes):
        raise FileProblem(_("this JSON-stat dataset has no 'id' and 'size' of its "
                            "dimensions; download it again"), 1)
    roles = {d: r for r in ("time", "geo") for d in role.get(r) or ()}
    dims = [_dimension(d, dimension.get(d) or {}, int(n), roles.get(d, ""))
            for d, n in zip(ids, sizes, strict=True)]
    total = int(np.prod([int(n) for n in sizes]))
    values, symbols, names = _cells(doc.get("value"), doc.get("status"), total)
    label = str(doc.get("label") or "")
    table = ((doc.get("extension") or {}).get("px") or {}).get("tableid")
    if not table and (m := _TABLE_IN_LABEL.fullmatch(label)):
        table = m.group(1)
    contents = [d for d in dims if d.id == "ContentsCode" and len(d.codes) == 1]
    if not table and contents and office_name(str(doc.get("source", ""))) == office_name("dst"):
        table = contents[0].codes[0]  # DST names the contents after the table
    office = str(doc.get("source") or "")
    version = "2.0" if doc.get("version") else "1.0"
    return Cube(name, f"JSON-stat {version}", str(table) if table else None, label, office,
                dims, None, values, symbols, names)


def _dimension(dim_id: str, spec: dict, size: int, role: str) -> Dimension:
    category = spec.get("category") or {}
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        codes = [str(c) for c, _i in sorted(index.items(), key=lambda kv: kv[1])]
    else:  # a single category may leave out the index
        codes = [str(c) for c in labels]
    if len(codes) != size:
        raise FileProblem(_("dimension {dim} has {found} categories but its size is {size}; "
                            "download the dataset again").format(
            dim=dim_id, found=len(codes), size=size), 1)
    return Dimension(dim_id, str(spec.get("label") or dim_id), codes,
                     [str(labels.get(c, c)) for c in codes], role)


def _cells(value: object, status: object, total: int
           ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Values (NaN for null) and each cell's symbol from `status`."""
    if isinstance(value, dict):
        values = np.full(total, np.nan)
        for k, v in value.items():
            values[int(k)] = np.nan if v is None else float(v)
    elif isinstance(value, list):
        if len(value) != total:
            raise FileProblem(_("the dataset has {found:,} values for {total:,} cells; it is "
                                "cut or damaged: download it again").format(
                found=len(value), total=total), 1)
        values = np.array(value, dtype=float)
    else:
        raise FileProblem(_("the dataset has no 'value'"), 1)
    if isinstance(status, str):
        status = dict.fromkeys(map(str, range(total)), status) if total <= 10**7 else {}
    elif isinstance(status, list):
        status = {str(i): t for i, t in enumerate(status) if t} if len(status) == total else {}
    elif not isinstance(status, dict):
        status = {}
    names = [""]
    codes = np.zeros(total, dtype=np.int16)
    for k, t in status.items():
        i = int(k)
        if not (0 <= i < total and t and np.isnan(values[i])):
            continue  # a figure with a status (e.g. provisional) is a figure
        if t in NIL:
            values[i] = 0.0  # nil: a true zero
            continue
        if t not in names:
            names.append(t)
        codes[i] = names.index(t)
    missing = np.isnan(values) & (codes == 0)
    if missing.any():
        names.append("..") if ".." not in names else None
        codes[missing] = names.index("..")
    return values, codes, names


def read_metadata(raw: bytes) -> list[Dimension]:
    """The dimensions of a PxWebApi v2 metadata answer (JSON-stat 2.0 with no values),
    with whether each may be left out of a query (`extension.elimination`)."""
    doc = _load(raw)
    dimension = doc.get("dimension") or {}
    ids = doc.get("id") or list(dimension)
    role = doc.get("role") or {}
    roles = {d: r for r in ("time", "geo") for d in role.get(r) or ()}
    dims = []
    for d in ids:
        spec = dimension.get(d) or {}
        index = (spec.get("category") or {}).get("index") or {}
        dim = _dimension(d, spec, len(index) or len((spec.get("category") or {}).get(
            "label") or {}), roles.get(d, ""))
        dim.eliminable = bool((spec.get("extension") or {}).get("elimination"))
        dims.append(dim)
    return dims
