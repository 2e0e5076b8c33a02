"""What the collaboration's own files must contain: the partner register, the survey
instrument and survey answers exported from a survey tool.

Like `rules`, each `stage_<kind>` builds `_typed` through the `Cleaner`, reports
what is wrong and leaves `_staged` with the valid rows in the entity's columns.
`DERIVES` adds, after a register or an instrument is applied, the indicators the
product derives from them (`REG_*`, `SURVEY_*`), so evaluators can set
baselines and targets on them like on any indicator.
"""

from __future__ import annotations

import re

import pyarrow as pa

from evaluation.errors import WARNING, Problem
from evaluation.intake.cleaning import PARTNERSHIP, Cleaner
from evaluation.intake.formats import (
    ACTOR_TYPE_WORDS,
    ALIASES,
    DONT_KNOW_WORDS,
    KINDS,
    YES_NO_WORDS,
    normalise_word,
)
from evaluation.intake.rules import check_duplicates, create_staged
from evaluation.limits import (
    INDICATOR_LANGUAGE_COLUMNS,
    LANGUAGE_CODES,
    MAX_CHARS,
    SURVEY_PREFIX,
    SURVEY_SCALE,
    survey_indicator_code,
)
from evaluation.store.schema import ENTITIES
from evaluation.store.versions import apply_staged
from evaluation.text import clean_text
from evaluation.words import _

# Answer labels survey tools export instead of numbers (nb, nn, da, en), after
# normalise_word; anything else must be a number on the scale.
SCALE_WORDS: dict[str, int] = {
    **dict.fromkeys(("helt_uenig", "heilt_usamd", "heilt_ueinig", "meget_uenig",
                     "strongly_disagree", "completely_disagree"), 1),
    **dict.fromkeys(("uenig", "usamd", "ueinig", "delvis_uenig", "noget_uenig", "disagree",
                     "somewhat_disagree", "litt_uenig"), 2),
    **dict.fromkeys(("verken_enig_eller_uenig", "hverken_enig_eller_uenig",
                     "korkje_samd_eller_usamd", "verken_eller", "hverken_eller", "nøytral",
                     "neutral", "neither_agree_nor_disagree", "neither"), 3),
    **dict.fromkeys(("enig", "samd", "delvis_enig", "noget_enig", "agree", "somewhat_agree",
                     "litt_enig"), 4),
    **dict.fromkeys(("helt_enig", "heilt_samd", "meget_enig", "strongly_agree",
                     "completely_agree"), 5),
}
_LEADING_NUMBER = re.compile(r"([1-9]\d*)(?:[.,]0+)?(?:\s*[-–:=.)]\s*\D.*)?")
_MIN, _MAX = SURVEY_SCALE
# A factor's id fits its derived indicator's code: SURVEY_ + id within the code's limit.
FACTOR_ID = MAX_CHARS["indicator"] - len(SURVEY_PREFIX)
_ANSWERS_COLUMNS = set(KINDS["responses"].columns)


def answer_value(text: str) -> tuple[bool, int | None]:
    """(readable, value) of one answer cell: a number 1-5 (also '4 - agree' or 'agree'),
    None for "don't know"; (False, None) when it is neither."""
    word = normalise_word(text)
    if word in DONT_KNOW_WORDS or text.strip() in ("-", "?"):
        return True, None
    if word in SCALE_WORDS:
        return True, SCALE_WORDS[word]
    match = _LEADING_NUMBER.fullmatch(text.strip())
    if match and _MIN <= int(match.group(1)) <= _MAX:
        return True, int(match.group(1))
    return False, None


def item_id(header: str) -> str:
    """How an item is named in the store and matched in answer files' headers."""
    return normalise_word(header)


def stage_partners(cl: Cleaner) -> None:
    cols = list(KINDS["partners"].columns)
    cl.build(cols, years=["joined_year", "left_year"], refs=[PARTNERSHIP],
             words={"actor_type": (ACTOR_TYPE_WORDS, _("actor type"))})
    cl.required(["partnership", "partner", "actor_type", "joined_year"])
    cl.flag("left_year < joined_year", "left_year",
            _("the partner leaves before it joins: left_year must be the joined_year or "
              "later"), value_col="left_year_raw")
    cl.flag("joined_year < (SELECT p.start_year FROM partnerships p WHERE p.valid_to IS NULL "
            "AND p.partnership_id = _typed.partnership_id)", "joined_year",
            _("the partner joined before the partnership started; it counts from the start "
              "year"), severity=WARNING, value_col="joined_year_raw")
    valid = ("partnership_id IS NOT NULL AND partner_raw IS NOT NULL AND actor_type IS NOT NULL "
             "AND joined_year IS NOT NULL AND (left_year IS NULL OR left_year >= joined_year)")
    key = ["partnership_id", "lower(partner_raw)"]
    check_duplicates(cl, valid, key, ["actor_type", "joined_year", "left_year", "role_raw",
                                      "contribution_raw", "commitment_raw"], _("partner"))
    create_staged(cl, valid, key, """
        partnership_id,
        coalesce((SELECT x.partner FROM partners x WHERE x.valid_to IS NULL
                  AND x.partnership_id = t.partnership_id
                  AND lower(x.partner) = lower(t.partner_raw)), partner_raw) AS partner,
        actor_type, joined_year, left_year, role_raw AS role,
        contribution_raw AS contribution, commitment_raw AS commitment""")


def stage_instrument(cl: Cleaner) -> None:
    """Long because an instrument is checked as a whole: ids, reversal, and factors."""
    cols = list(KINDS["instrument"].columns)
    yes_no = {k: "yes" if v else "no" for k, v in YES_NO_WORDS.items()}
    cl.build(cols, words={"reverse": (yes_no, _("yes/no value"))})
    cl.con.execute("ALTER TABLE _typed ADD COLUMN item_id VARCHAR")
    cl.con.execute("ALTER TABLE _typed ADD COLUMN factor_id VARCHAR")
    _set_ids(cl, "item_raw", "item_id")
    _set_ids(cl, "factor_raw", "factor_id")
    cl.flag("factor_raw IS NOT NULL AND item_raw IS NULL", "item",
            _("a factor without items: the row names a factor but no item id; give each "
              "statement an id such as trust_1"), value_col="factor_raw")
    cl.required(["factor", "statement"])
    cl.flag("factor_raw IS NULL AND item_raw IS NULL", "item",
            _("item is empty: every row needs one"))
    for col, what, most in (("item_id", "item", 40), ("factor_id", "factor", FACTOR_ID)):
        cl.flag(f"{what}_raw IS NOT NULL AND NOT regexp_full_match({col}, "
                f"'[a-z0-9_]{{1,{most}}}')",
                what, _("is not a usable id: use letters, digits and _ (at most {most}), e.g. "
                        "trust_1").format(most=most), value_col=f"{what}_raw")
    reserved = sorted(_ANSWERS_COLUMNS | {k for k, v in ALIASES.items() if v in _ANSWERS_COLUMNS})
    cl.con.execute("CREATE OR REPLACE TEMP TABLE _reserved AS SELECT unnest(?) AS word",
                   [reserved])
    cl.flag("item_id IN (SELECT word FROM _reserved)", "item",
            _("this id is a column of the answers file (partnership, year, actor_type, "
              "partner, respondent); choose another id"), value_col="item_raw")
    valid = ("item_id IS NOT NULL AND factor_id IS NOT NULL AND statement_raw IS NOT NULL "
             "AND regexp_full_match(item_id, '[a-z0-9_]{1,40}') "
             f"AND regexp_full_match(factor_id, '[a-z0-9_]{{1,{FACTOR_ID}}}') "
             "AND item_id NOT IN (SELECT word FROM _reserved)")
    texts = [f"statement_{c}_raw" for c in LANGUAGE_CODES] + [
        f"factor_{c}_raw" for c in LANGUAGE_CODES]
    check_duplicates(cl, valid, ["item_id"], ["factor_id", "statement_raw", "reverse", *texts],
                     _("survey item"))
    create_staged(cl, valid, ["item_id"], "item_id AS item, factor_id AS factor, "
                  "statement_raw AS statement, coalesce(reverse = 'yes', false) AS reverse, "
                  + ", ".join(f"{t} AS {t[:-4]}" for t in texts) + ", rec::INTEGER AS position")


def _set_ids(cl: Cleaner, raw: str, column: str) -> None:
    values = [v for (v,) in cl.con.execute(
        f"SELECT DISTINCT {raw} FROM _typed WHERE {raw} IS NOT NULL").fetchall()]
    cl.con.register("_ids", pa.table({"raw": pa.array(values, pa.string()),
                                      "id": pa.array([item_id(v) for v in values],
                                                     pa.string())}))
    cl.con.execute(f"UPDATE _typed SET {column} = i.id FROM _ids i WHERE _typed.{raw} = i.raw")
    cl.con.unregister("_ids")


def check_instrument(cl: Cleaner) -> None:
    """After the rows are applied: a factor with fewer than two statements is a warning."""
    rows = cl.con.execute("""
        SELECT factor, count(*) FROM instrument WHERE valid_to IS NULL
        GROUP BY 1 HAVING count(*) < 2 ORDER BY 1""").fetchall()
    for factor, n in rows:
        cl.problems.append(Problem(
            cl.file, None, "factor", factor,
            _("factor '{factor}' has only {n} statement: a factor measured by one statement "
              "is fragile; give it two to four").format(factor=factor, n=n), WARNING))


def stage_responses(cl: Cleaner) -> None:
    """Long because the answers are one column per item: they are read, checked and
    turned into one row per respondent and item here."""
    cl.build(list(KINDS["responses"].columns), years=["year"], refs=[PARTNERSHIP],
             words={"actor_type": (ACTOR_TYPE_WORDS, _("actor type"))})
    cl.required(["partnership", "year", "actor_type"])
    items = _item_columns(cl)
    if not items:
        cl.problems.append(Problem(cl.file, cl.records.file.header_line, "", "", _(
            "no answer columns: after partnership, year and actor_type the file needs one "
            "column per survey item, headed with the item's id (see the instrument)")))
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _respondents AS
        SELECT *, coalesce(respondent_raw, 'row ' || lpad(row_number() OVER (
                    PARTITION BY partnership_id, year ORDER BY rec)::VARCHAR, 4, '0'))
                  AS respondent_id
        FROM _typed""")
    cl.flag("respondent_raw IS NOT NULL AND (partnership_id, year, respondent_id) IN ("
            "SELECT (partnership_id, year, respondent_id) FROM _respondents "
            "GROUP BY ALL HAVING count(*) > 1)", "respondent",
            _("the same respondent appears twice in this round; give each respondent their "
              "own id"), value_col="respondent_raw", table="_respondents")
    cl.flag("partner_raw IS NOT NULL AND partnership_id IS NOT NULL AND NOT EXISTS ("
            "SELECT 1 FROM partners x WHERE x.valid_to IS NULL AND x.partnership_id = "
            "_typed.partnership_id AND lower(x.partner) = lower(_typed.partner_raw))",
            "partner", _("not in the partnership's partner register: the answers count, but "
                         "the response rate cannot use this partner"),
            severity=WARNING, value_col="partner_raw")
    _read_answers(cl, items)
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _staged_rows AS
        SELECT r.partnership_id, r.year, r.respondent_id AS respondent, a.item, r.actor_type,
               coalesce((SELECT x.partner FROM partners x WHERE x.valid_to IS NULL
                         AND x.partnership_id = r.partnership_id
                         AND lower(x.partner) = lower(r.partner_raw)), r.partner_raw) AS partner,
               a.value, r.rec
        FROM _respondents r JOIN _answer_cells a USING (rec)
        WHERE a.readable AND r.partnership_id IS NOT NULL AND r.year IS NOT NULL
        AND r.actor_type IS NOT NULL AND r.respondent_id NOT IN (
            SELECT respondent_id FROM _respondents x WHERE x.partnership_id = r.partnership_id
            AND x.year = r.year GROUP BY ALL HAVING count(*) > 1)""")
    cl.con.execute("CREATE OR REPLACE TEMP VIEW _staged AS SELECT * FROM _staged_rows")
    cl.flag("rec NOT IN (SELECT rec FROM _answer_cells)", "",
            _("this respondent gave no answer; the row is skipped"), severity=WARNING)


def _item_columns(cl: Cleaner) -> dict[str, int]:
    """Item id -> position of every answer column; unknown items are errors."""
    used = set(cl.positions.values())
    header = cl.records.file.header
    known = {i for (i,) in cl.con.execute(
        "SELECT item FROM instrument WHERE valid_to IS NULL").fetchall()}
    items: dict[str, int] = {}
    for pos, cell in enumerate(header):
        if pos in used or not cell.strip():
            continue
        item = item_id(cell)
        if item in known and item not in items:
            items[item] = pos
        elif item in items:
            cl.problems.append(Problem(cl.file, cl.records.file.header_line, cell, "", _(
                "item '{item}' has two columns; keep one").format(item=item)))
        else:
            near = [k for k in sorted(known) if k.startswith(item[:3])][:3]
            hint = (" " + _("(known items include {items})").format(items=", ".join(near))
                    if near else "")
            cl.problems.append(Problem(cl.file, cl.records.file.header_line, cell, "", _(
                "unknown item '{item}': it is not in the survey instrument{hint}; check the "
                "header, or import the instrument first").format(item=clean_text(cell) or cell,
                                                                 hint=hint)))
    return items


def _read_answers(cl: Cleaner, items: dict[str, int]) -> None:
    """`_answer_cells` (rec, item, readable, value): one row per non-empty answer."""
    if not items:
        cl.con.execute("CREATE OR REPLACE TEMP TABLE _answer_cells (rec BIGINT, item VARCHAR, "
                       "raw VARCHAR, readable BOOLEAN, value INTEGER)")
        return
    cl.con.register("_raw_answers", cl.records.table)
    cells = " UNION ALL ".join(
        f"SELECT rec, '{item}' AS item, trim(c{pos}) AS raw FROM _raw_answers "
        f"WHERE trim(coalesce(c{pos}, '')) <> ''" for item, pos in items.items())
    cl.con.execute(f"CREATE OR REPLACE TEMP TABLE _cells AS {cells}")
    cl.con.unregister("_raw_answers")
    distinct = [r for (r,) in cl.con.execute("SELECT DISTINCT raw FROM _cells").fetchall()]
    read = [answer_value(r) for r in distinct]
    cl.con.register("_answer_map", pa.table({
        "raw": pa.array(distinct, pa.string()),
        "readable": pa.array([r[0] for r in read], pa.bool_()),
        "value": pa.array([r[1] for r in read], pa.int32())}))
    cl.con.execute("""
        CREATE OR REPLACE TEMP TABLE _answer_cells AS
        SELECT c.rec, c.item, c.raw, m.readable, m.value FROM _cells c
        JOIN _answer_map m USING (raw) WHERE c.rec IN (SELECT rec FROM _typed)""")
    cl.con.unregister("_answer_map")
    rows = cl.con.execute(f"""
        SELECT rec, raw, item, count(*) OVER () FROM _answer_cells WHERE NOT readable
        ORDER BY rec LIMIT {50}""").fetchall()
    lines = cl.records.lines_of([r[0] for r in rows])
    for (_rec, raw, item, _total), line in zip(rows, lines, strict=True):
        cl.problems.append(Problem(cl.file, line, item, raw, _(
            "'{value}' is not an answer on the scale: write {low}-{high} (1 strongly "
            "disagree ... 5 strongly agree), or leave the cell empty or write \"don't "
            "know\"").format(value=raw, low=_MIN, high=_MAX)))
    if rows and rows[0][3] > len(rows):
        cl.problems.append(Problem(cl.file, None, "", "", _(
            "... and {n:,} more answers off the scale").format(n=rows[0][3] - len(rows))))


# -- Indicators derived from the register and the survey ------------------------------

# Stored with the indicator, in every language (they are data the product writes, shown
# like an evaluator's name_nb ... columns): code, unit, then name and description by
# language.
_REGISTER_INDICATORS = (
    ("REG_PARTNERS", "count", {
        "en": ("Partners in the register",
               "Derived from the partner register: partners active in the year (joined, not "
               "yet left), in total and by actor type."),
        "nb": ("Partnere i registeret",
               "Avledet fra partnerregisteret: aktive partnere i året (sluttet seg til, ikke "
               "gått ut), totalt og etter aktørtype."),
        "nn": ("Partnarar i registeret",
               "Avleidd frå partnarregisteret: aktive partnarar i året (har slutta seg til, "
               "ikkje gått ut), totalt og etter aktørtype."),
        "da": ("Partnere i registret",
               "Afledt af partnerregistret: aktive partnere i året (tilsluttet, ikke "
               "udtrådt), i alt og efter aktørtype.")}),
    ("REG_ACTOR_TYPES", "of 7", {
        "en": ("Actor types represented",
               "Derived from the partner register: how many of the seven actor types "
               "(municipality, state, civil society, business, citizens and users, research, "
               "other) have an active partner in the year."),
        "nb": ("Representerte aktørtyper",
               "Avledet fra partnerregisteret: hvor mange av de sju aktørtypene (kommune, "
               "stat, sivilsamfunn, næringsliv, innbyggere og brukere, forskning, annet) som "
               "har en aktiv partner i året."),
        "nn": ("Representerte aktørtypar",
               "Avleidd frå partnarregisteret: kor mange av dei sju aktørtypane (kommune, "
               "stat, sivilsamfunn, næringsliv, innbyggjarar og brukarar, forsking, anna) som "
               "har ein aktiv partnar i året."),
        "da": ("Repræsenterede aktørtyper",
               "Afledt af partnerregistret: hvor mange af de syv aktørtyper (kommune, stat, "
               "civilsamfund, erhvervsliv, borgere og brugere, forskning, andet) der har en "
               "aktiv partner i året.")}),
)
_SURVEY_WORDS = {
    "en": ("Collaboration survey: {name}",
           "Derived from the collaboration survey: the mean of respondents' scores on the "
           "factor '{name}' (1 strongly disagree ... 5 strongly agree), all respondents of "
           "each closed round; not shown where fewer than the minimum answered."),
    "nb": ("Samarbeidsundersøkelse: {name}",
           "Avledet fra samarbeidsundersøkelsen: gjennomsnittet av respondentenes svar på "
           "faktoren «{name}» (1 helt uenig … 5 helt enig), alle respondenter i hver "
           "avsluttede runde; vises ikke der færre enn minstetallet svarte."),
    "nn": ("Samarbeidsundersøking: {name}",
           "Avleidd frå samarbeidsundersøkinga: gjennomsnittet av svara til respondentane på "
           "faktoren «{name}» (1 heilt usamd … 5 heilt samd), alle respondentane i kvar "
           "avslutta runde; blir ikkje vist der færre enn minstetalet svarte."),
    "da": ("Samarbejdsundersøgelse: {name}",
           "Afledt af samarbejdsundersøgelsen: gennemsnittet af respondenternes svar på "
           "faktoren »{name}« (1 helt uenig … 5 helt enig), alle respondenter i hver "
           "afsluttet runde; vises ikke, hvor færre end minimumsantallet har svaret."),
}


def _row(code: str, pillar: str, unit: str, texts: dict[str, tuple[str, str]]) -> tuple:
    """An indicator row: code, name, pillar, unit, description, then the name and the
    description in each language (INDICATOR_LANGUAGE_COLUMNS' order)."""
    names = [texts[c][0][:MAX_CHARS["name"]] for c in LANGUAGE_CODES]
    descriptions = [texts[c][1] for c in LANGUAGE_CODES]
    return (code, texts["en"][0][:MAX_CHARS["name"]], pillar, unit, texts["en"][1],
            *names, *descriptions)


def derive_register_indicators(cl: Cleaner, upload_id: int) -> None:
    rows = [_row(code, "involvement", unit, texts) for code, unit, texts in _REGISTER_INDICATORS]
    _apply_indicators(cl, rows, upload_id)


def derive_survey_indicators(cl: Cleaner, upload_id: int) -> None:
    names = ", ".join(f"coalesce(max(factor_{c}), max(factor_en), factor)"
                      for c in LANGUAGE_CODES)
    factors = cl.con.execute(f"""
        SELECT factor, {names} FROM instrument
        WHERE valid_to IS NULL GROUP BY factor ORDER BY factor""").fetchall()
    rows = []
    for factor, *by_language in factors:
        named = dict(zip(LANGUAGE_CODES, by_language, strict=True))
        rows.append(_row(survey_indicator_code(factor), "process", "score 1-5", {
            c: (name.format(name=named[c]), text.format(name=named[c]))
            for c, (name, text) in _SURVEY_WORDS.items()}))
    _apply_indicators(cl, rows, upload_id)


def _apply_indicators(cl: Cleaner, rows: list[tuple], upload_id: int) -> None:
    # Inserted row by row, not registered: few rows, and a registration needs the
    # connection free of any pending result.
    languages = "".join(f", {c} VARCHAR" for c in INDICATOR_LANGUAGE_COLUMNS)
    cl.con.execute("CREATE OR REPLACE TEMP TABLE _derived (code VARCHAR, name VARCHAR, "
                   f"pillar VARCHAR, unit VARCHAR, description VARCHAR{languages})")
    if rows:
        marks = ", ".join("?" * (5 + len(INDICATOR_LANGUAGE_COLUMNS)))
        cl.con.executemany(f"INSERT INTO _derived VALUES ({marks})", rows)
    cl.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _staged_derived AS
        SELECT coalesce(i.indicator_id, nextval('entity_seq')) AS indicator_id, d.code,
               d.name, d.pillar, d.unit, 'higher_is_better' AS direction, d.description,
               NULL::VARCHAR AS statistic, NULL::VARCHAR AS selection,
               {", ".join(f"d.{c}" for c in INDICATOR_LANGUAGE_COLUMNS)}, NULL::BIGINT AS rec
        FROM _derived d LEFT JOIN indicators i ON i.valid_to IS NULL AND i.code = d.code""")
    apply_staged(cl.con, ENTITIES["indicators"], "_staged_derived", upload_id)


STAGERS = {"partners": stage_partners, "instrument": stage_instrument,
           "responses": stage_responses}
CHECKS = {"instrument": check_instrument}
DERIVES = {"partners": derive_register_indicators, "instrument": derive_survey_indicators}
