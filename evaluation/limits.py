"""What the product accepts, declared once: the importer's rules, a restore's checks, the
editors and the docs all read these.

Pure standard library: importing it loads nothing else of the program.
"""

from __future__ import annotations

MIN_YEAR, MAX_YEAR = 1900, 2100
PILLARS = ("involvement", "process", "outcome")
DIRECTIONS = ("higher_is_better", "lower_is_better")
# The organisations' kinds in the partner register and the survey (ids, never translated).
ACTOR_TYPES = ("municipality", "state", "civil_society", "business", "citizens_users",
               "research", "other")
LANGUAGE_CODES = ("nb", "nn", "da", "en")  # the languages an instrument's statements come in
SURVEY_SCALE = (1, 5)  # strongly disagree .. strongly agree; "don't know" is missing
# Codes of indicators the product derives (from the register, from survey rounds): their
# values are computed, never uploaded.
REGISTER_PREFIX, SURVEY_PREFIX = "REG_", "SURVEY_"
DERIVED_PREFIXES = (REGISTER_PREFIX, SURVEY_PREFIX)
HORIZON_YEARS = (1, 30)  # the horizons the importer accepts (5-10 is usual: a warning else)
MAX_COMMENTARY = 10_000  # characters, in a commentary file and in the app's editor alike
# Text columns that may span lines. Every other text column (names, codes, units,
# groups, sources, events) is one line: its line breaks and tabs become spaces.
MULTILINE = frozenset({"purpose", "partners", "description", "note", "commentary",
                       "leadership", "termination", "contribution", "commitment"})
# The longest text each column may hold: what the annual report's tables and the
# charts' titles and legends can show (an indicator name of 1,700 characters made
# the report fail). The commentary has its own limit, MAX_COMMENTARY.
MAX_CHARS: dict[str, int] = {
    "partnership": 120, "municipality": 100, "lead": 300, "indicator": 40, "name": 200,
    "unit": 40, "group": 60, "source": 300, "event": 200, "purpose": 3000,
    "partners": 3000, "description": 3000, "note": 5000, "leadership": 3000,
    "termination": 3000, "partner": 200, "role": 100, "contribution": 1000, "commitment": 1000,
    "item": 40, "factor": 33, "statement": 300, "respondent": 64, "region_code": 200,
    "statistic": 40, "selection": 500,
    **{f"statement_{c}": 300 for c in LANGUAGE_CODES},
    **{f"factor_{c}": 60 for c in LANGUAGE_CODES},
    **{f"name_{c}": 200 for c in LANGUAGE_CODES},
    **{f"description_{c}": 3000 for c in LANGUAGE_CODES}}
# An indicator's name and description in each language, shown where the reader's is given.
INDICATOR_LANGUAGE_COLUMNS = (*(f"name_{c}" for c in LANGUAGE_CODES),
                              *(f"description_{c}" for c in LANGUAGE_CODES))


def survey_indicator_code(factor: str) -> str:
    """The derived process indicator of a survey factor (`SURVEY_TRUST`)."""
    return f"{SURVEY_PREFIX}{factor.upper()}"[:MAX_CHARS["indicator"]]
