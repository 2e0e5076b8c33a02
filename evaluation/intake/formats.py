"""The upload formats: which file kinds exist, their columns, header aliases and templates.

One table (`KINDS`) drives kind recognition, the importer's column checks,
`docs/data-format.md`, the template downloads and `python -m evaluation template`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from evaluation.limits import ACTOR_TYPES, INDICATOR_LANGUAGE_COLUMNS, LANGUAGE_CODES
from evaluation.output.csvfile import write_csv
from evaluation.words import N_, _

MAX_COLUMNS = 500


@dataclass(frozen=True)
class Kind:
    """One file kind: its required and optional columns and a template example (`title`
    is marked for the catalogue: show it as `_(kind.title)`)."""

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    example: tuple[tuple[str, ...], ...]
    wide: bool = False
    items: bool = False  # every other column is a survey item (its header the item id)
    aliases: tuple[tuple[str, str], ...] = ()  # this kind's own header aliases

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "partnerships",
            N_("Partnerships"),
            ("partnership", "municipality", "start_year", "horizon_years", "purpose", "lead"),
            ("partners", "description", "leadership", "termination", "region_code"),
            (
                ("Nettverk friluftsliv Askim", "Indre Østfold", "2019", "8",
                 "More residents active outdoors", "Askim frivilligsentral",
                 "Indre Østfold kommune; DNT Indre Østfold", "",
                 "The steering group meets four times a year, chaired by the municipality",
                 "A partner may leave with six months' notice to the steering group", "3118"),
            ),
        ),
        Kind(
            "indicators",
            N_("Indicators"),
            ("indicator", "name", "pillar", "unit", "direction"),
            ("description", "statistic", "selection", *INDICATOR_LANGUAGE_COLUMNS),
            (
                ("INV_PARTNERS", "Partner organisations", "involvement", "count",
                 "higher_is_better", "Organisations that signed the agreement", "", "",
                 "Partnerorganisasjoner", "Partnarorganisasjonar", "Partnerorganisationer",
                 "", "Organisasjoner som har signert avtalen",
                 "Organisasjonar som har signert avtalen",
                 "Organisationer, der har underskrevet aftalen", ""),
                ("OUT_NEET", "Young people not in education or work", "outcome", "%",
                 "lower_is_better", "Share of 16-25 year olds", "", "",
                 "Unge utenfor arbeid og utdanning", "Unge utanfor arbeid og utdanning",
                 "Unge uden for uddannelse og job", "", "", "", "", ""),
                ("OUT_RESIDENTS", "Residents", "outcome", "persons", "higher_is_better",
                 "Residents on 1 January (SSB table 07459, all ages and both sexes)",
                 "07459", "ContentsCode=Personer1", "Innbyggere", "Innbyggjarar",
                 "Indbyggere", "", "", "", "", ""),
            ),
        ),
        Kind(
            "targets",
            N_("Baselines and targets"),
            ("partnership", "indicator", "baseline_year", "baseline", "target_year", "target"),
            (),
            (("Nettverk friluftsliv Askim", "INV_PARTNERS", "2019", "6", "2026", "20"),),
        ),
        Kind(
            "observations",
            N_("Observations (long: one row per year)"),
            ("partnership", "indicator", "year", "value"),
            ("group", "source", "note"),
            (
                ("Nettverk friluftsliv Askim", "INV_PARTNERS", "2020", "9", "",
                 "Partnership register", ""),
                ("Nettverk friluftsliv Askim", "INV_PARTNERS", "2020", "4", "civil_society",
                 "Partnership register", ""),
            ),
            aliases=(("actor_type", "group"),),
        ),
        Kind(
            "observations_wide",
            N_("Observations (wide: one column per year)"),
            ("partnership", "indicator"),
            ("group", "source", "note"),
            (("Nettverk friluftsliv Askim", "OUT_NEET", "", "", "", "9.8", "9.1"),),
            wide=True,
            aliases=(("actor_type", "group"),),
        ),
        Kind(
            "events",
            N_("Events"),
            ("partnership", "year", "event"),
            (),
            (("Nettverk friluftsliv Askim", "2021", "New coordinator"),),
        ),
        Kind(
            "commentary",
            N_("Evaluator's commentary"),
            ("partnership", "year", "commentary"),
            (),
            (("Nettverk friluftsliv Askim", "2025",
              "Participation grew, outcomes are expected from year 5."),),
        ),
        Kind(
            "partners",
            N_("Partner register"),
            ("partnership", "partner", "actor_type", "joined_year"),
            ("left_year", "role", "contribution", "commitment"),
            (
                ("Nettverk friluftsliv Askim", "Askim Turlag", "civil_society", "2019", "",
                 "steering group member", "Volunteer walk leaders every week",
                 "Lead two open walks a month"),
                ("Nettverk friluftsliv Askim", "Glomma Sport AS", "business", "2021", "2024",
                 "partner", "Lends outdoor equipment", "Keep the lending shelf stocked"),
            ),
        ),
        Kind(
            "instrument",
            N_("Survey instrument"),
            ("item", "factor", "statement"),
            ("reverse", *(f"statement_{c}" for c in LANGUAGE_CODES),
             *(f"factor_{c}" for c in LANGUAGE_CODES)),
            (
                ("trust_1", "trust", "Partners keep what they promise", "no",
                 "Partnerne holder det de lover", "Partnarane held det dei lovar",
                 "Partnerne holder, hvad de lover", "Partners keep what they promise",
                 "Tillit", "Tillit", "Tillid", "Trust"),
                ("trust_2", "trust", "I keep concerns to myself in partner meetings", "yes",
                 "Jeg holder bekymringer for meg selv i partnermøtene",
                 "Eg held bekymringar for meg sjølv i partnarmøta",
                 "Jeg holder bekymringer for mig selv på partnermøderne",
                 "I keep concerns to myself in partner meetings",
                 "Tillit", "Tillit", "Tillid", "Trust"),
            ),
        ),
        Kind(
            "responses",
            N_("Survey answers (one row per respondent)"),
            ("partnership", "year", "actor_type"),
            ("partner", "respondent"),
            (("Nettverk friluftsliv Askim", "2024", "civil_society", "", "r01", "4", "vet ikke"),),
            items=True,
        ),
    )
}

# Import order: what other kinds refer to comes first.
DEPENDENCY_ORDER = (
    "partnerships", "instrument", "partners", "indicators", "targets", "observations",
    "observations_wide", "events", "commentary", "responses",
)

ALIASES: dict[str, str] = {
    # Norwegian, Danish and common English variants, after _normalise_header().
    "partnerskap": "partnership", "partnerskab": "partnership", "partnership_name": "partnership",
    "partnerskapet": "partnership", "partnerskabet": "partnership",
    "kommune": "municipality", "region": "municipality", "municipality_region": "municipality",
    "startår": "start_year", "startaar": "start_year", "start": "start_year",
    "horisont": "horizon_years", "horizon": "horizon_years", "horisont_år": "horizon_years",
    "formål": "purpose", "formaal": "purpose",
    "lead_organisation": "lead", "backbone": "lead", "ledelse": "lead", "leder": "lead",
    "partnere": "partners", "partnarar": "partners", "partnar": "partner",
    "beskrivelse": "description", "beskrivning": "description",
    "indikator": "indicator", "indicator_code": "indicator", "kode": "indicator",
    "navn": "name", "søyle": "pillar", "søjle": "pillar",
    "enhet": "unit", "enhed": "unit", "retning": "direction",
    "basisår": "baseline_year", "basisaar": "baseline_year", "utgangsår": "baseline_year",
    "baseline_år": "baseline_year", "basis": "baseline", "utgangsverdi": "baseline",
    "basisværdi": "baseline", "målår": "target_year", "maalaar": "target_year",
    "mål": "target", "maal": "target", "målverdi": "target", "målværdi": "target",
    "år": "year", "aar": "year", "ar": "year", "årstal": "year", "årstall": "year",
    "verdi": "value", "værdi": "value", "vaerdi": "value",
    "gruppe": "group",
    "aktørtype": "actor_type", "aktørtyp": "actor_type", "aktoertype": "actor_type",
    "type_aktør": "actor_type", "organisasjonstype": "actor_type",
    "organisationstype": "actor_type", "sektor": "actor_type",
    "partnerorganisasjon": "partner", "partnerorganisation": "partner",
    "organisasjon": "partner", "organisation": "partner", "organization": "partner",
    "aktør": "partner",
    "innmeldt": "joined_year", "tiltrådt": "joined_year", "tiltraadt": "joined_year",
    "med_fra": "joined_year", "joined": "joined_year", "år_inn": "joined_year",
    "indtrådt": "joined_year", "utmeldt": "left_year", "udtrådt": "left_year",
    "gikk_ut": "left_year", "left": "left_year", "år_ut": "left_year",
    "rolle": "role", "bidrag": "contribution", "forpliktelse": "commitment",
    "forpliktelser": "commitment", "forpligtelse": "commitment",
    "forpligtelser": "commitment", "forplikting": "commitment",
    "ledelse_og_fremdrift": "leadership", "styring": "leadership",
    "opphør": "termination", "ophør": "termination", "uttreden": "termination",
    "udtræden": "termination", "oppsigelse": "termination", "opsigelse": "termination",
    "spørsmål": "item", "spm": "item", "item_id": "item", "question": "item",
    "påstand": "statement", "utsagn": "statement", "udsagn": "statement",
    "faktor": "factor", "omvendt": "reverse", "reversert": "reverse", "reversed": "reverse",
    "respondent_id": "respondent", "svar_id": "respondent", "response_id": "respondent",
    "regionkode": "region_code", "regionskode": "region_code", "region_kode": "region_code",
    "kommunenummer": "region_code", "kommunenr": "region_code", "kommunekode": "region_code",
    "knr": "region_code", "bydelsnummer": "region_code", "kommunkod": "region_code",
    "statistikk": "statistic", "statistik": "statistic", "tabell": "statistic",
    "tabel": "statistic", "table": "statistic", "table_id": "statistic",
    "tabell_id": "statistic", "tabelid": "statistic", "statistikbanktabel": "statistic",
    "utvalg": "selection", "udvalg": "selection", "urval": "selection",
    "kilde": "source", "merknad": "note", "notat": "note", "bemærkning": "note",
    "notes": "note", "hendelse": "event", "begivenhed": "event", "hændelse": "event",
    "kommentar": "commentary", "comment": "commentary",
}

PILLAR_WORDS: dict[str, str] = {
    "involvement": "involvement", "involvering": "involvement", "deltakelse": "involvement",
    "deltagelse": "involvement", "process": "process", "prosess": "process",
    "proces": "process", "outcome": "outcome", "outcomes": "outcome",
    "resultat": "outcome", "effekt": "outcome",
}
ACTOR_TYPE_WORDS: dict[str, str] = {
    **{t: t for t in ACTOR_TYPES},
    "kommune": "municipality", "kommunal": "municipality", "fylkeskommune": "municipality",
    "bydel": "municipality", "region": "municipality", "kommunen": "municipality",
    "stat": "state", "statlig": "state", "staten": "state", "statleg": "state",
    "state_agency": "state", "government": "state",
    "frivillig": "civil_society", "frivilligheten": "civil_society",
    "frivillig_organisasjon": "civil_society", "frivillige": "civil_society",
    "sivilsamfunn": "civil_society", "sivilsamfunnet": "civil_society",
    "civilsamfund": "civil_society", "civilsamfundet": "civil_society",
    "forening": "civil_society", "foreninger": "civil_society", "frivilligt": "civil_society",
    "ngo": "civil_society", "voluntary": "civil_society", "civil": "civil_society",
    "næringsliv": "business", "næringslivet": "business", "bedrift": "business",
    "erhverv": "business", "erhvervsliv": "business", "erhvervslivet": "business",
    "virksomhed": "business", "privat": "business", "private": "business",
    "innbyggere": "citizens_users", "innbyggjarar": "citizens_users",
    "innbyggar": "citizens_users", "innbygger": "citizens_users",
    "brukere": "citizens_users", "brukarar": "citizens_users", "bruker": "citizens_users",
    "borgere": "citizens_users", "borger": "citizens_users", "brugere": "citizens_users",
    "citizens": "citizens_users", "users": "citizens_users", "residents": "citizens_users",
    "beboere": "citizens_users",
    "forskning": "research", "fou": "research", "forsking": "research",
    "forskning_og_utdanning": "research", "universitet": "research",
    "research_education": "research",
    "annet": "other", "anna": "other", "andet": "other", "andre": "other",
}
YES_NO_WORDS: dict[str, bool] = {
    "yes": True, "ja": True, "y": True, "j": True, "true": True, "1": True, "x": True,
    "no": False, "nei": False, "nej": False, "n": False, "false": False, "0": False,
}
# A survey answer that means "no answer" (an empty cell is one too): never a number.
DONT_KNOW_WORDS = frozenset({"don_t_know", "dont_know", "do_not_know", "vet_ikke",
                             "veit_ikkje", "ved_ikke", "vet_ej", "ikke_relevant",
                             "ikkje_relevant", "ikke_sikker", "not_sure", "n_a", "na",
                             "dk", "vi", "-"})

DIRECTION_WORDS: dict[str, str] = {
    "higher_is_better": "higher_is_better", "higher": "higher_is_better",
    "up": "higher_is_better", "høyere_er_bedre": "higher_is_better",
    "højere_er_bedre": "higher_is_better", "lower_is_better": "lower_is_better",
    "lower": "lower_is_better", "down": "lower_is_better",
    "lavere_er_bedre": "lower_is_better",
}

# '2019', 'År 2019', 'year_2019', and a spreadsheet's float header '2019.0' or '2019,0'.
_YEAR_HEADER = re.compile(r"(?:(?:år|aar|year)[\W_]*)?(\d{4})(?:[.,]0+)?")


def normalise_word(text: str) -> str:
    """Lower-case, trimmed, with spaces and hyphens as underscores: how headers and
    controlled words (pillar, direction) are compared."""
    text = text.replace("\ufeff", "").strip().strip('"').strip().lower()
    return re.sub(r"[^\w]+", "_", text).strip("_")


def canonical_column(header: str) -> str:
    """The canonical column name for a header cell (aliases resolved)."""
    word = normalise_word(header)
    return ALIASES.get(word, word)


def year_of_header(header: str) -> int | None:
    """The year a wide-format column header stands for, or None."""
    text = header.replace("\ufeff", "").strip().strip('"').strip().lower()
    match = _YEAR_HEADER.fullmatch(text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class HeaderMatch:
    """How a header row maps onto a kind: column name -> position, plus year columns."""

    kind: Kind
    positions: dict[str, int]
    year_columns: dict[int, int]
    unknown: tuple[str, ...]
    repeated: dict[str, tuple[int, ...]]


def match_header(cells: list[str]) -> HeaderMatch | None:
    """Recognise the kind of a file from its header row, or None when no kind fits."""
    names = [canonical_column(c) for c in cells]
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        positions.setdefault(name, i)
    years = {y: i for i, c in enumerate(cells) if (y := year_of_header(c)) is not None}
    best = None
    for kind in KINDS.values():
        own = _own_positions(kind, names)
        if not all(col in own for col in kind.required):
            continue
        if kind.wide and (not years or "year" in positions or "value" in positions):
            continue
        if best is None or len(kind.required) > len(best.required):
            best = kind
    if best is None:
        return None
    names = [dict(best.aliases).get(n, n) for n in names]
    positions = _own_positions(best, names)
    known = set(best.columns)
    used = {c: p for c, p in positions.items() if c in known}
    year_columns = years if best.wide else {}
    skip = set(used.values()) | set(year_columns.values())
    unknown = tuple(cells[i] for i in range(len(cells)) if i not in skip and cells[i].strip())
    repeated = {c: tuple(i for i, n in enumerate(names) if n == c) for c in known
                if names.count(c) > 1}
    repeated.update({str(y): tuple(i for i, c in enumerate(cells) if year_of_header(c) == y)
                     for y in set(years) if best.wide and sum(
                         year_of_header(c) == y for c in cells) > 1})
    return HeaderMatch(best, used, year_columns, unknown, repeated)


def _own_positions(kind: Kind, names: list[str]) -> dict[str, int]:
    """Column name -> first position, with the kind's own aliases applied."""
    aliases = dict(kind.aliases)
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        positions.setdefault(aliases.get(name, name), i)
    return positions


def explain_unrecognised(cells: list[str]) -> str:
    """Say why a header row is not a known kind: the nearest kind and what it lacks."""
    names = {canonical_column(c) for c in cells if c.strip()}
    ranked = sorted(KINDS.values(), key=lambda k: -len(names & set(k.required)))
    kind = ranked[0]
    missing = [c for c in kind.required if c not in names]
    hints = []
    for col in missing:
        close = difflib.get_close_matches(col, sorted(names), n=1, cutoff=0.6)
        hints.append(_("'{column}' (is '{name}' a misspelling?)").format(column=col, name=close[0])
                     if close else f"'{col}'")
    expected = ", ".join(kind.required)
    if kind.wide:
        expected = _("{columns}, then one column per year (2016, 2017, ...)").format(
            columns=expected)
    return _("header not recognised: looks most like a {kind} file, but column {missing} is "
             "missing; expected: {expected}").format(
        kind=_(kind.title).lower(), missing=", ".join(hints) or _("of years"), expected=expected)


def template_rows(kind_name: str) -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    """The header and example rows of one kind's template (CSV or a workbook's sheet)."""
    if kind_name not in KINDS:
        raise KeyError(kind_name)
    kind = KINDS[kind_name]
    header = list(kind.columns)
    if kind.wide:
        header = ["partnership", "indicator", "group", "source", "note"] + [
            str(y) for y in range(2019, 2021)
        ]
    if kind.items:  # then one column per item of the instrument, headed by its id
        header += ["trust_1", "trust_2"]
    return header, kind.example


def template_csv(kind_name: str) -> str:
    """A CSV template for one kind: the header and an example row or two."""
    header, rows = template_rows(kind_name)
    return write_csv(header=header, rows=rows)
