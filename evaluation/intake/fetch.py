"""Fetching indicators' tables from the statistics offices' APIs, as files for an upload.

Statistics Norway and Statistics Sweden serve PxWebApi v2 (`/tables/{id}/metadata`
and `/tables/{id}/data`, JSON-stat 2.0); Danmarks Statistik its StatBank API
(`/tableinfo` and `/data`, JSON-stat 1.0). For every table an indicator names,
`fetch_tables` asks the table's metadata, then its cells for the partnerships'
region codes, the categories the indicators select and every period, split so no
call asks more cells than the office allows. What comes back is a file like a
download: the importer maps, validates, previews and commits it as one upload,
with the request's URL as the observations' source. Each office's request limit is
kept (a sliding window), and a 429 or 503 is retried with backoff.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from evaluation.errors import EvaluationError
from evaluation.intake.cube import Cube, Dimension, office_name
from evaluation.intake.formats import normalise_word
from evaluation.intake.jsonstat import read_metadata
from evaluation.intake.office_api import OFFICES, Client, Office, office_of
from evaluation.intake.regions import region_key, region_tokens, same_region, split_region
from evaluation.intake.statfiles import Origin
from evaluation.intake.statlinks import PERIOD_KEYS, parse_selection, stored_links
from evaluation.limits import MAX_CHARS
from evaluation.store.connection import Store
from evaluation.words import _

MAX_GET_URL = 2000  # PxWebApi answers 404 to a longer GET: such calls are POSTed


@dataclass
class Fetched:
    """The files a fetch brought, ready for `import_files` (`origins`: each file's source
    and the indicators it serves, with their selections in the office's codes)."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # tables with none of the regions
    calls: int = 0


def fetch_tables(links: tuple[list[tuple], list[tuple]], *, partnership: str | None = None,
                 indicator: str | None = None, client: Client | None = None) -> Fetched:
    """Fetch every table the indicators name (or `indicator`'s), for the region codes of
    the partnerships (or `partnership`'s); `links` is `statlinks.stored_links`.

    Long because it is the plan of a whole fetch: which tables, which categories, which
    calls under each office's cell limit, and what each answer serves.
    """
    client = client or Client()
    partnerships, indicators = links
    if partnership:
        partnerships = [p for p in partnerships if p[0].casefold() == partnership.casefold()]
    if indicator:
        indicators = [i for i in indicators if i[0].casefold() == indicator.casefold()]
    if not partnerships:
        raise EvaluationError(_("No partnership{which} has a region_code: add the municipality "
                                "or district codes in the partnerships file first.").format(
            which=f" '{partnership}'" if partnership else ""), _("Nothing to fetch"))
    if not indicators:
        raise EvaluationError(_("No indicator{which} has a statistic: add the table id (and "
                                "selection) in the indicators file first.").format(
            which=f" '{indicator}'" if indicator else ""), _("Nothing to fetch"))
    tables: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for code, statistic, selection in indicators:
        office, table = office_of(statistic)
        tables.setdefault((office.key, table), []).append((code, selection))
    out = Fetched()
    codes = [t for _n, c in partnerships for t in region_tokens(c)]
    for (key, table), wanted in tables.items():
        office = OFFICES[key]
        dims = _metadata(client, office, table)
        region, time_dim = _roles(dims, office, table)
        regions = _region_codes(dims[region], codes)
        if not regions:  # another country's table, or no partnership there
            out.skipped.append(table)
            continue
        groups: dict[tuple, dict[str, dict]] = {}
        for code, selection in wanted:
            chosen = _resolve(dims, selection, (region, time_dim), office, table, code)
            shape = tuple(sorted(d for d in chosen if d != "period"))
            groups.setdefault(shape, {})[code] = chosen
        for group in groups.values():
            merged: dict[int, list[str]] = {region: regions}
            for chosen in group.values():
                for d, found in chosen.items():
                    if d != "period":
                        merged.setdefault(d, [])
                        merged[d] += [c for c in found if c not in merged[d]]
            serves = {code: "; ".join(f"{dims[d].id}={'|'.join(c)}" if d != "period"
                                      else f"period={c[0]}" for d, c in chosen.items())
                      for code, chosen in group.items()}
            for d, dim in enumerate(dims):  # what no selection names: left out if it may be
                if d not in merged and d != time_dim and not dim.eliminable:
                    merged[d] = list(dim.codes)
            calls = _calls(client, office, table, dims, merged, time_dim)
            for url, body in calls:
                name = _("{office} table {table}").format(office=office.key.upper(),
                                                          table=table)
                if len(calls) > 1 or name in out.origins:
                    name = _("{name}, part {n}").format(name=name, n=len(out.origins) + 1)
                out.files.append((name, client.call(office, "GET" if body is None else "POST",
                                                    url, body)))
                out.origins[name] = Origin(_source(office, table, url), serves, table)
        out.tables.append(table)
    out.calls = client.calls
    if not out.files:
        raise EvaluationError(_("None of the tables ({tables}) has the partnerships' region "
                                "codes ({codes}); check region_code in the partnerships file."
                                ).format(tables=", ".join(out.skipped), codes=", ".join(codes)),
                              _("Nothing to fetch"))
    return out


def _source(office: Office, table: str, url: str) -> str:
    """The observations' source: the office, the table and the call's URL (its query
    left out where the whole would not fit the source's 300 characters)."""
    text = _("{office}, table {table}: {url}").format(
        office=office_name(office.key), table=table, url=url)
    return text if len(text) <= MAX_CHARS["source"] else text.split("?", 1)[0]


def _metadata(client: Client, office: Office, table: str) -> list[Dimension]:
    """The table's dimensions in the office's language, with the English labels beside
    (a selection may be written in either)."""
    native, english = (_metadata_in(client, office, table, lang) for lang in office.langs)
    for dim, other in zip(native, english, strict=False):
        if other.id == dim.id and len(other.labels) == len(dim.labels):
            dim.alt_names.add(other.label)
            dim.alt_labels.append(other.labels)
    return native


def _metadata_in(client: Client, office: Office, table: str, lang: str) -> list[Dimension]:
    base, quoted = client.base(office), urllib.parse.quote(table)
    if office.kind == "pxweb2":
        return read_metadata(client.call(office, "GET",
                                         f"{base}/tables/{quoted}/metadata?lang={lang}"))
    payload = client.call(office, "GET", f"{base}/tableinfo/{quoted}?format=JSON&lang={lang}")
    try:
        doc = json.loads(payload)
    except ValueError as e:
        raise EvaluationError(_("{office} sent table information that is not JSON").format(
            office=_(office.name)), _("Cannot fetch")) from e
    dims = []
    for v in doc.get("variables") or []:
        values = v.get("values") or []
        dim = Dimension(str(v["id"]), str(v.get("text") or v["id"]),
                        [str(x["id"]) for x in values],
                        [str(x.get("text") or x["id"]) for x in values],
                        "time" if v.get("time") else ("geo" if v.get("map") else ""))
        dim.eliminable = bool(v.get("elimination"))
        dims.append(dim)
    return dims


def _roles(dims: list[Dimension], office: Office, table: str) -> tuple[int, int]:
    probe = Cube("", "", table, "", "", dims, None, None, None, [])
    region, time_dim = probe.dim_with_role("geo"), probe.dim_with_role("time")
    if region is None or time_dim is None:
        raise EvaluationError(_("Table {table} of {office} has no region or no time "
                                "dimension; it cannot be fetched per partnership.").format(
            table=table, office=_(office.name)), _("Cannot fetch"))
    return region, time_dim


def _resolve(dims: list[Dimension], selection: str | None, skip: tuple[int, int],
             office: Office, table: str, code: str) -> dict:
    """An indicator's selection as codes of the table's dimensions (`period` kept)."""
    try:
        pairs = parse_selection(selection)
    except ValueError as e:
        raise EvaluationError(_("Indicator {code}: {message}").format(code=code, message=e),
                              _("Cannot fetch")) from e
    out: dict = {}
    for key, choices in pairs:
        if normalise_word(key) in PERIOD_KEYS:
            out["period"] = choices
            continue
        d = next((i for i, dim in enumerate(dims) if normalise_word(key) in dim.names()), None)
        if d is None or d in skip:
            raise EvaluationError(_(
                "Indicator {code}: table {table} of {office} has no dimension '{key}' to "
                "select from; it has: {dims}").format(
                    code=code, table=table, office=_(office.name), key=key,
                    dims=", ".join(dims[i].id for i in range(len(dims)) if i not in skip)),
                _("Cannot fetch"))
        wanted = {c.strip().casefold() for c in choices}
        found = [dims[d].codes[j] for j in range(len(dims[d].codes))
                 if dims[d].category_names(j) & wanted]
        if not found:
            raise EvaluationError(_(
                "Indicator {code}: {dim}={value} is none of the categories of table {table}; "
                "it has: {choices}").format(
                    code=code, dim=dims[d].id, value="|".join(choices), table=table,
                    choices=", ".join(f"{c} ({lab})" for c, lab in
                                      list(zip(dims[d].codes, dims[d].labels, strict=True))[:12])),
                _("Cannot fetch"))
        out[d] = found
    return out


def _region_codes(dim: Dimension, codes: list[str]) -> list[str]:
    keys = {region_key(c) for c in codes} - {None}
    return [c for c in dim.codes
            if (k := region_key(c) or region_key(split_region(c)[0] or "-"))
            and same_region(k, keys)]


def _calls(client: Client, office: Office, table: str, dims: list[Dimension],
           chosen: dict[int, list[str]], time_dim: int) -> list[tuple[str, dict | None]]:
    """The calls for `chosen` and every period, each under the office's cell limit."""
    per_period = 1
    for d, codes in chosen.items():
        if d != time_dim:
            per_period *= len(codes)
    times = list(dims[time_dim].codes)
    step = max(1, office.max_cells // max(per_period, 1))
    return [_request(client, office, table, dims, chosen | {time_dim: times[i:i + step]})
            for i in range(0, len(times), step)]


def _request(client: Client, office: Office, table: str, dims: list[Dimension],
             chosen: dict[int, list[str]]) -> tuple[str, dict | None]:
    base, lang = client.base(office), office.langs[0]
    if office.kind == "pxweb2":
        path = f"{base}/tables/{urllib.parse.quote(table)}/data"
        query = [("lang", lang), ("outputFormat", "json-stat2")]
        get = query + [(f"valueCodes[{dims[i].id}]", ",".join(codes))
                       for i, codes in sorted(chosen.items())]
        url = f"{path}?" + urllib.parse.urlencode(get, safe="[],*")
        if len(url) <= MAX_GET_URL:
            return url, None
        return f"{path}?" + urllib.parse.urlencode(query), {"selection": [
            {"variableCode": dims[i].id, "valueCodes": codes}
            for i, codes in sorted(chosen.items())]}
    return f"{base}/data", {"table": table, "format": "JSONSTAT", "lang": lang,
                            "variables": [{"code": dims[i].id, "values": codes}
                                          for i, codes in sorted(chosen.items())]}


def fetch_from_store(store: Store, *, partnership: str | None = None,
                     indicator: str | None = None, client: Client | None = None) -> Fetched:
    """`fetch_tables` for the store's current partnerships and indicators (a short read:
    the calls to the offices run after it)."""
    with store.connect() as con:
        links = stored_links(con)
    return fetch_tables(links, partnership=partnership, indicator=indicator, client=client)
