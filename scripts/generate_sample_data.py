"""Generate the demo data in sample_data/: six Nordic partnerships in the upload formats.

The dashboard's first run, the tests and the docs all show these files, so they
must look real to a Norwegian or Danish municipal evaluator and exercise every
upload format (long CSV, a semicolon/decimal-comma/BOM wide export, targets,
events, commentary). Values come from hand-set anchor points per series (the
story) plus small seeded noise, so running the script twice gives byte-identical
files: every series draws from its own `random.Random` seeded with a fixed
string, and nothing depends on the clock. Run: `python scripts/generate_sample_data.py`.

The stories (the present is late 2026; data runs to 2025 at most):

- Nettverk friluftsliv Askim (2016, 10 years): the long-running partnership, in
  its final year, that has reached most targets: partners, participants, trust,
  shared decisions, common agenda and physically active residents are at or past
  target; affected groups represented and participants' wellbeing end short.
  Askim became part of Indre Østfold in 2020; COVID-19 dents participation in 2020.
- Ungdomsløftet Drammen (2018, 10 years): involvement and process grow steadily
  every year, while the outcomes (NEET, upper secondary completion, employment)
  stay flat until 2022 and only start to move in 2023-2025: the case for not
  flagging outcomes red early. Vulnerable youth are counted from 2019.
- NAV Grünerløkka partnerskap for unge utenfor arbeid (2019, 7 years): stalls.
  Quick growth to 2021, then the coordinator leaves (no partnership survey in
  2021), the NAV office reorganises and funding is cut: partners, attendance and
  trust sag, NEET is worse than at the start (register data for 2025 not yet out).
- Fællesskaber Høje-Taastrup (2020, 8 years): launched weeks before the
  COVID-19 lockdown, then steady progress on all pillars. The wellbeing survey of
  participants was added in its 4th year (2023), so that indicator starts there.
  Loneliness comes from the regional survey "Hvordan har du det?" (2017, 2021, 2025).
- Lokalt partnerskab Aarhus Syd (2021, 6 years): its partnership survey runs only
  every other year (2021, 2023, 2025), so survey-based process indicators have gaps;
  solid involvement growth, outcomes improving modestly; loneliness from the
  national health profile (2017, 2021, 2023).
- Sammen mot ensomhet Bodø (2023, 7 years): the young partnership with three
  years of data; loneliness target set for 2030 after the national strategy.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261101
FIRST_YEAR = 2015  # first column of the statistics-office export
LAST_YEAR = 2025  # the present is late 2026; 2025 is the last complete year
OUT_DIR = Path(__file__).resolve().parent.parent / "sample_data"
ACTOR_GROUPS = ("municipality", "state", "civil_society", "business", "citizens", "research")


@dataclass(frozen=True)
class Partnership:
    name: str
    municipality: str
    start_year: int
    horizon_years: int
    purpose: str
    lead: str
    partners: tuple[str, ...]
    description: str

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years - 1


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    pillar: str
    unit: str
    direction: str
    description: str


@dataclass(frozen=True)
class Series:
    """One partnership x indicator: anchor values (interpolated), noise, gaps and target."""

    anchors: dict[int, float]
    target: float | None = None
    target_year: int | None = None  # default: last year of the partnership's horizon
    years: tuple[int, ...] | None = None  # default: start year .. LAST_YEAR
    skip: tuple[int, ...] = ()
    noise: float | None = None  # default by unit; relative for persons
    notes: dict[int, str] = field(default_factory=dict)


HIGHER, LOWER = "higher_is_better", "lower_is_better"
PCT, SCORE, COUNT, PERSONS = "%", "score (1-5)", "count", "persons"

INDICATORS = (
    Indicator(
        "INV_PARTNERS",
        "Partner organisations",
        "involvement",
        COUNT,
        HIGHER,
        "Organisations with a signed partnership agreement, by actor type.",
    ),
    Indicator(
        "INV_PARTICIPANTS",
        "Participants in activities",
        "involvement",
        PERSONS,
        HIGHER,
        "Unique persons taking part in the partnership's activities during the year.",
    ),
    Indicator(
        "INV_GROUPS_REPRESENTED",
        "Affected groups represented",
        "involvement",
        PCT,
        HIGHER,
        "Share of the affected groups in the stakeholder map that have a voice "
        "in the partnership (member, user panel or reference group).",
    ),
    Indicator(
        "INV_VULNERABLE",
        "Vulnerable citizens taking part",
        "involvement",
        PERSONS,
        HIGHER,
        "Participants from the partnership's priority target group "
        "(e.g. young people with child-welfare measures, socially vulnerable adults).",
    ),
    Indicator(
        "INV_VOLUNTEERS",
        "Active volunteers",
        "involvement",
        PERSONS,
        HIGHER,
        "Volunteers who took part in at least three activities during the year.",
    ),
    Indicator(
        "PRO_SHARED_DECISIONS",
        "Shared decision-making",
        "process",
        SCORE,
        HIGHER,
        "Partners' mean agreement that important decisions are made jointly "
        "(partnership survey, 1 = not at all, 5 = fully).",
    ),
    Indicator(
        "PRO_TRUST",
        "Trust between partners",
        "process",
        SCORE,
        HIGHER,
        "Partners' mean trust in each other (partnership survey, 1-5).",
    ),
    Indicator(
        "PRO_ATTENDANCE",
        "Meeting attendance",
        "process",
        PCT,
        HIGHER,
        "Average share of partners present at steering group and network meetings.",
    ),
    Indicator(
        "PRO_COMMON_AGENDA",
        "Common agenda endorsed",
        "process",
        PCT,
        HIGHER,
        "Share of partners that endorse the written common agenda and goals.",
    ),
    Indicator(
        "PRO_SELF_ASSESSMENT",
        "Collaboration self-assessment",
        "process",
        SCORE,
        HIGHER,
        "Overall score from the partnership's self-assessment of the collaboration (1-5).",
    ),
    Indicator(
        "PRO_EVALUATIONS",
        "Evaluations of the collaboration",
        "process",
        COUNT,
        HIGHER,
        "Self-assessments and evaluations of the collaboration carried out in the year.",
    ),
    Indicator(
        "OUT_NEET",
        "Young people not in employment, education or training (NEET)",
        "outcome",
        PCT,
        LOWER,
        "Share of young people in the area who are neither in "
        "work, education nor training (register data).",
    ),
    Indicator(
        "OUT_EMPLOYMENT",
        "Employment rate in the target group",
        "outcome",
        PCT,
        HIGHER,
        "Share of the partnership's target group in ordinary work or education.",
    ),
    Indicator(
        "OUT_SCHOOL_COMPLETION",
        "Upper secondary completion within five years",
        "outcome",
        PCT,
        HIGHER,
        "Share of a cohort that completed upper secondary "
        "education within five years (register data).",
    ),
    Indicator(
        "OUT_LONELY",
        "Residents often feeling lonely",
        "outcome",
        PCT,
        LOWER,
        "Share of residents who often feel lonely or unwillingly alone (population survey).",
    ),
    Indicator(
        "OUT_ACTIVE",
        "Physically active residents",
        "outcome",
        PCT,
        HIGHER,
        "Share of adult residents meeting the recommended 150 minutes of activity a week.",
    ),
    Indicator(
        "OUT_WELLBEING",
        "Participants reporting better wellbeing",
        "outcome",
        PCT,
        HIGHER,
        "Share of participants who report better wellbeing than a year earlier.",
    ),
    Indicator(
        "OUT_COMMUNITY",
        "Vulnerable participants in a lasting community",
        "outcome",
        PCT,
        HIGHER,
        "Share of vulnerable participants still active in an association "
        "or community six months after the first contact.",
    ),
)

SOURCES = {
    "INV_PARTNERS": "Partnership register",
    "INV_PARTICIPANTS": "Activity attendance lists",
    "INV_GROUPS_REPRESENTED": "Stakeholder mapping {year}",
    "INV_VULNERABLE": "Secretariat records",
    "INV_VOLUNTEERS": "Volunteer centre records",
    "PRO_SHARED_DECISIONS": "Partnership survey {year}",
    "PRO_TRUST": "Partnership survey {year}",
    "PRO_ATTENDANCE": "Meeting minutes",
    "PRO_COMMON_AGENDA": "Partnership survey {year}",
    "PRO_SELF_ASSESSMENT": "Self-assessment workshop {year}",
    "PRO_EVALUATIONS": "Steering group minutes",
}

ASKIM = "Nettverk friluftsliv Askim"
DRAMMEN = "Ungdomsløftet Drammen"
NAV = "NAV Grünerløkka partnerskap for unge utenfor arbeid"
HOJE_TAASTRUP = "Fællesskaber Høje-Taastrup"
AARHUS = "Lokalt partnerskab Aarhus Syd"
BODO = "Sammen mot ensomhet Bodø"

PARTNERSHIPS = (
    Partnership(
        ASKIM,
        "Indre Østfold",
        2016,
        10,
        "Many residents of Askim, especially children in low-income families, newcomers and "
        "older people living alone, are physically inactive and rarely use the forests and "
        "lakes close to where they live.",
        "Indre Østfold kommune (folkehelse)",
        (
            "Indre Østfold kommune",
            "Østfold fylkeskommune",
            "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus",
            "NAV Indre Østfold",
            "Askim Turlag",
            "Askim Røde Kors",
            "Frivilligsentralen i Askim",
            "Askim Idrettsråd",
            "Askim Jeger- og Fiskerforening",
            "Innvandrerrådet i Indre Østfold",
            "Høgskolen i Østfold",
            "Glomma Sport AS",
        ),
        "Municipal outdoor-life network started by Askim kommune and continued by Indre "
        "Østfold after the 2020 merger. Runs low-threshold walks, free equipment lending and "
        "lakeside activities with local associations, using friluftsliv as a shared arena "
        "for public health.",
    ),
    Partnership(
        DRAMMEN,
        "Drammen",
        2018,
        10,
        "About one in ten young people aged 16-25 in Drammen is neither in work, education "
        "nor training, and the share is markedly higher in Fjell and Strømsø.",
        "Drammen kommune (oppvekst og utdanning)",
        (
            "Drammen kommune",
            "Buskerud fylkeskommune",
            "NAV Drammen",
            "Bufetat region sør",
            "Kirkens Bymisjon Drammen",
            "Drammen Røde Kors",
            "Drammen Idrettsråd",
            "Drammen Frivilligsentral",
            "Ungdomsrådet i Drammen",
            "Næringsforeningen i Drammensregionen",
            "Universitetet i Sørøst-Norge",
        ),
        "Collective-impact partnership for young people outside work and school. Combines a "
        "shared team of youth guides, summer jobs with local employers and leisure "
        "activities run by associations; a youth panel has had a seat on the steering "
        "group since 2021.",
    ),
    Partnership(
        NAV,
        "Oslo (bydel Grünerløkka)",
        2019,
        7,
        "Young adults aged 18-29 in Grünerløkka who receive benefits stay a long time outside "
        "work, and help from NAV, the district and voluntary organisations is fragmented.",
        "NAV Grünerløkka",
        (
            "NAV Grünerløkka",
            "Bydel Grünerløkka",
            "Oslo kommune, Utdanningsetaten",
            "Kirkens Bymisjon",
            "Frelsesarmeen",
            "Fontenehuset Oslo",
            "Grünerløkka Næringsforening",
            "Løkka Kafédrift AS",
            "Brukerrådet NAV Grünerløkka",
        ),
        "Partnership between the NAV office, the district, voluntary organisations and local "
        "employers offering young adults work training, mentors and meeting places. Lost "
        "momentum after the coordinator left in 2021 and the NAV reorganisation in 2022.",
    ),
    Partnership(
        HOJE_TAASTRUP,
        "Høje-Taastrup",
        2020,
        8,
        "Many socially vulnerable citizens in Høje-Taastrup (people with mental illness, the "
        "long-term unemployed, lonely older people) are outside the communities of "
        "associations and local life.",
        "Høje-Taastrup Kommune (Center for Social og Sundhed)",
        (
            "Høje-Taastrup Kommune",
            "Jobcenter Høje-Taastrup",
            "Socialstyrelsen",
            "Frivilligcenter Høje-Taastrup",
            "Taastrup Idrætsforening",
            "Røde Kors Høje-Taastrup",
            "SIND Høje-Taastrup",
            "Kirkens Korshær",
            "Høje-Taastrup Erhvervsforening",
            "Brugerrådet for socialt udsatte",
            "Professionshøjskolen Absalon",
        ),
        "Local partnership that builds bridges from municipal services into associations and "
        "volunteer communities, with bridge builders (brobyggere) and fellowship guides. "
        "Launched in February 2020, weeks before the COVID-19 lockdown.",
    ),
    Partnership(
        AARHUS,
        "Aarhus",
        2021,
        6,
        "Residents of the social housing areas in Aarhus Syd have lower employment and more "
        "loneliness than the rest of the city, and few take part in local associations.",
        "Aarhus Kommune (Sociale Forhold og Beskæftigelse)",
        (
            "Aarhus Kommune",
            "Jobcenter Aarhus",
            "Boligorganisationerne i Aarhus Syd",
            "Frivilligcenter Aarhus",
            "Viby Idrætsforening",
            "KFUM's Sociale Arbejde",
            "Røde Kors Aarhus",
            "Beboerpanelet Aarhus Syd",
            "Erhvervsnetværk Viby",
            "VIA University College",
        ),
        "Local partnership in which the municipality, housing associations, local "
        "associations and residents share responsibility for getting vulnerable residents "
        "into jobs and communities. The partnership survey runs every second year.",
    ),
    Partnership(
        BODO,
        "Bodø",
        2023,
        7,
        "One in four residents aged 67 and over in Bodø often feels lonely, and the number of "
        "older people living alone is rising fast.",
        "Bodø kommune (helse og omsorg)",
        (
            "Bodø kommune",
            "Nordland fylkeskommune",
            "Statsforvalteren i Nordland",
            "Bodø Frivilligsentral",
            "Bodø Røde Kors",
            "Nasjonalforeningen for folkehelsen Bodø",
            "Bodø Pensjonistforening",
            "Eldrerådet i Bodø",
            "Nord universitet",
            "Bodø Næringsforum",
        ),
        "Young partnership against loneliness among older people: visiting friends, shared "
        "meals at the service centres and a telephone friend line run with volunteers.",
    ),
)

# Partner organisations by actor type: anchor counts, interpolated and rounded (no noise).
PARTNER_GROUPS: dict[str, dict[str, dict[int, float]]] = {
    ASKIM: {
        "municipality": {2019: 3, 2020: 4},
        "state": {2017: 1, 2018: 2},
        "civil_society": {2016: 6, 2019: 10, 2022: 12, 2025: 13},
        "business": {2019: 1, 2020: 2, 2022: 2, 2023: 3, 2024: 4},
        "citizens": {2018: 0, 2019: 1, 2022: 2},
        "research": {2020: 0, 2021: 1},
    },
    DRAMMEN: {
        "municipality": {2018: 3, 2021: 4, 2025: 5},
        "state": {2018: 1, 2020: 2, 2025: 3},
        "civil_society": {2018: 4, 2025: 11},
        "business": {2018: 1, 2025: 6},
        "citizens": {2018: 1, 2021: 2, 2025: 3},
        "research": {2019: 0, 2020: 1},
    },
    NAV: {
        "municipality": {2019: 2, 2021: 3},
        "state": {2019: 1},
        "civil_society": {2019: 3, 2021: 7, 2023: 6, 2025: 5},
        "business": {2019: 1, 2021: 4, 2022: 4, 2025: 2},
        "citizens": {2019: 0, 2021: 1},
        "research": {2019: 0},
    },
    HOJE_TAASTRUP: {
        "municipality": {2020: 3, 2025: 4},
        "state": {2021: 0, 2022: 1},
        "civil_society": {2020: 5, 2025: 14},
        "business": {2020: 1, 2025: 3},
        "citizens": {2020: 1, 2025: 3},
        "research": {2022: 0, 2023: 1},
    },
    AARHUS: {
        "municipality": {2021: 4, 2025: 5},
        "state": {2021: 0},
        "civil_society": {2021: 6, 2025: 12},
        "business": {2021: 2, 2025: 3},
        "citizens": {2021: 2, 2025: 4},
        "research": {2021: 1},
    },
    BODO: {
        "municipality": {2023: 2, 2025: 3},
        "state": {2023: 0, 2025: 1},
        "civil_society": {2023: 5, 2025: 9},
        "business": {2023: 0, 2025: 2},
        "citizens": {2023: 1, 2025: 2},
        "research": {2023: 1},
    },
}

ODD_YEARS = (2021, 2023, 2025)


def _evaluations(first: int, counts: str) -> Series:
    """PRO_EVALUATIONS from a digit string, one digit per year from `first` (no target)."""
    return Series({first + i: float(c) for i, c in enumerate(counts)}, noise=0.0)


# Per partnership: indicator -> Series. INV_PARTNERS values come from PARTNER_GROUPS.
SERIES: dict[str, dict[str, Series]] = {
    ASKIM: {
        "INV_PARTNERS": Series({}, target=24),
        "INV_PARTICIPANTS": Series(
            {2016: 320, 2019: 640, 2020: 410, 2021: 700, 2025: 960},
            target=900,
            notes={2020: "COVID-19: organised activities paused from March to May"},
        ),
        "INV_GROUPS_REPRESENTED": Series(
            {2016: 45, 2019: 65, 2025: 81}, target=85, skip=(2017, 2020)
        ),
        "INV_VOLUNTEERS": Series({2016: 25, 2019: 48, 2020: 40, 2025: 75}),
        "PRO_SHARED_DECISIONS": Series({2016: 2.6, 2020: 3.5, 2025: 4.0}, target=3.8),
        "PRO_TRUST": Series(
            {2016: 3.0, 2020: 3.8, 2025: 4.2}, target=4.0, notes={2020: "new survey provider"}
        ),
        "PRO_ATTENDANCE": Series({2016: 68, 2019: 80, 2025: 84}, target=85, skip=(2020,)),
        "PRO_COMMON_AGENDA": Series({2016: 55, 2018: 80, 2025: 92}, target=90),
        "PRO_SELF_ASSESSMENT": Series(
            {2018: 3.1, 2025: 3.9}, target=4.0, years=tuple(range(2018, 2026))
        ),
        "PRO_EVALUATIONS": _evaluations(2016, "0011121111"),
        "OUT_ACTIVE": Series(
            {2015: 29.5, 2016: 30.0, 2019: 32.5, 2021: 35.0, 2025: 37.8},
            target=36.0,
            noise=0.5,
            years=tuple(y for y in range(2015, 2026) if y != 2020),
        ),
        "OUT_WELLBEING": Series(
            {2017: 56, 2021: 66, 2025: 71}, target=75, noise=1.2, years=tuple(range(2017, 2026))
        ),
    },
    DRAMMEN: {
        "INV_PARTNERS": Series({}, target=28),
        "INV_PARTICIPANTS": Series(
            {2018: 60, 2025: 210},
            notes={2020: "COVID-19: youth clubs closed; guidance partly by phone and video"},
        ),
        "INV_GROUPS_REPRESENTED": Series({2018: 40, 2025: 78}, target=85),
        "INV_VULNERABLE": Series(
            {2019: 22, 2025: 85},
            target=100,
            years=tuple(range(2019, 2026)),
            notes={2019: "first year recorded"},
        ),
        "PRO_SHARED_DECISIONS": Series({2018: 2.4, 2025: 3.8}, target=4.0),
        "PRO_TRUST": Series({2018: 2.8, 2025: 4.0}, target=4.2),
        "PRO_ATTENDANCE": Series({2018: 62, 2025: 85}),
        "PRO_COMMON_AGENDA": Series({2018: 40, 2025: 88}, target=90),
        "PRO_SELF_ASSESSMENT": Series(
            {2019: 2.7, 2025: 3.8}, target=4.0, years=tuple(range(2019, 2026))
        ),
        "PRO_EVALUATIONS": _evaluations(2018, "01111211"),
        "OUT_NEET": Series(
            {2016: 9.9, 2019: 9.8, 2020: 10.4, 2021: 9.9, 2022: 9.7, 2025: 8.3},
            target=7.5,
            noise=0.15,
            years=tuple(range(2016, 2026)),
        ),
        "OUT_SCHOOL_COMPLETION": Series(
            {2016: 73.0, 2022: 74.0, 2025: 78.5},
            target=85.0,
            target_year=2030,
            noise=0.4,
            years=tuple(range(2016, 2026)),
        ),
        "OUT_EMPLOYMENT": Series(
            {2017: 46.0, 2020: 45.0, 2022: 46.5, 2025: 52.5},
            target=55.0,
            noise=0.5,
            years=tuple(range(2017, 2026)),
        ),
    },
    NAV: {
        "INV_PARTNERS": Series({}, target=20),
        "INV_PARTICIPANTS": Series(
            {2019: 35, 2021: 95, 2022: 98, 2025: 80},
            target=120,
            notes={2022: "break in series: new registration routine after the NAV reorganisation"},
        ),
        "INV_VULNERABLE": Series({2019: 15, 2021: 40, 2025: 34}),
        "PRO_SHARED_DECISIONS": Series({2019: 2.5, 2021: 3.3, 2025: 3.0}, target=3.8, skip=(2021,)),
        "PRO_TRUST": Series(
            {2019: 2.9, 2021: 3.6, 2025: 3.2},
            target=4.0,
            skip=(2021,),
            notes={2022: "survey not run in 2021 (coordinator vacancy)"},
        ),
        "PRO_ATTENDANCE": Series({2019: 70, 2021: 82, 2025: 64}, target=85, noise=1.5),
        "PRO_COMMON_AGENDA": Series({2019: 35, 2021: 70, 2025: 66}, target=90, skip=(2021,)),
        "PRO_EVALUATIONS": _evaluations(2019, "0101000"),
        "OUT_NEET": Series(
            {2017: 10.8, 2019: 10.6, 2020: 12.0, 2021: 11.5, 2024: 11.4},
            target=8.5,
            noise=0.2,
            years=tuple(range(2017, 2025)),
        ),
        "OUT_EMPLOYMENT": Series({2019: 38, 2021: 44, 2025: 39}, target=50, noise=1.0),
        "OUT_WELLBEING": Series(
            {2020: 58, 2022: 60, 2025: 56}, target=70, noise=1.5, years=tuple(range(2020, 2026))
        ),
    },
    HOJE_TAASTRUP: {
        "INV_PARTNERS": Series({}, target=25),
        "INV_PARTICIPANTS": Series({2020: 45, 2021: 90, 2025: 260}, target=300),
        "INV_VULNERABLE": Series({2020: 20, 2025: 120}, target=150),
        "INV_VOLUNTEERS": Series({2020: 12, 2025: 58}),
        "INV_GROUPS_REPRESENTED": Series({2020: 35, 2025: 72}, target=80, skip=(2021,)),
        "PRO_TRUST": Series(
            {2020: 3.0, 2025: 4.0}, target=4.2, notes={2022: "new survey provider"}
        ),
        "PRO_ATTENDANCE": Series({2020: 66, 2025: 83}, notes={2020: "meetings online from March"}),
        "PRO_COMMON_AGENDA": Series({2020: 30, 2022: 70, 2025: 85}, target=90),
        "PRO_SELF_ASSESSMENT": Series(
            {2022: 3.0, 2025: 3.7}, target=4.0, years=(2022, 2023, 2024, 2025)
        ),
        "PRO_EVALUATIONS": _evaluations(2020, "001112"),
        "OUT_COMMUNITY": Series(
            {2021: 28, 2025: 41}, target=50, noise=1.2, years=(2021, 2022, 2023, 2024, 2025)
        ),
        "OUT_WELLBEING": Series(
            {2023: 61, 2025: 66}, target=70, noise=1.0, years=(2023, 2024, 2025)
        ),
        "OUT_LONELY": Series(
            {2017: 7.6, 2021: 9.4, 2025: 8.5},
            target=7.0,
            target_year=2030,
            noise=0.2,
            years=(2017, 2021, 2025),
        ),
    },
    AARHUS: {
        "INV_PARTNERS": Series({}, target=25),
        "INV_PARTICIPANTS": Series({2021: 70, 2025: 190}, target=220),
        "INV_VULNERABLE": Series({2021: 30, 2025: 95}, target=110),
        "INV_VOLUNTEERS": Series({2022: 18, 2025: 40}, years=(2022, 2023, 2024, 2025)),
        "INV_GROUPS_REPRESENTED": Series({2021: 50, 2025: 75}),
        "PRO_SHARED_DECISIONS": Series({2021: 2.8, 2025: 3.6}, target=4.0, years=ODD_YEARS),
        "PRO_TRUST": Series({2021: 3.2, 2025: 3.9}, target=4.0, years=ODD_YEARS),
        "PRO_COMMON_AGENDA": Series({2021: 45, 2025: 80}, target=85, years=ODD_YEARS),
        "PRO_SELF_ASSESSMENT": Series({2023: 3.2, 2025: 3.5}, target=4.0, years=(2023, 2025)),
        "PRO_EVALUATIONS": _evaluations(2021, "00102"),
        "OUT_COMMUNITY": Series(
            {2022: 25, 2025: 36}, target=45, noise=1.2, years=(2022, 2023, 2024, 2025)
        ),
        "OUT_EMPLOYMENT": Series(
            {2019: 52.0, 2021: 51.5, 2025: 55.0},
            target=58.0,
            target_year=2030,
            noise=0.3,
            years=tuple(range(2019, 2026)),
        ),
        "OUT_LONELY": Series(
            {2017: 8.0, 2021: 12.1, 2023: 11.0}, target=9.0, noise=0.2, years=(2017, 2021, 2023)
        ),
        "OUT_WELLBEING": Series(
            {2022: 55, 2025: 63}, target=70, noise=1.2, years=(2022, 2023, 2024, 2025)
        ),
    },
    BODO: {
        "INV_PARTNERS": Series({}, target=22),
        "INV_PARTICIPANTS": Series({2023: 45, 2025: 140}, target=250),
        "INV_VOLUNTEERS": Series({2023: 20, 2025: 42}),
        "INV_GROUPS_REPRESENTED": Series({2023: 40, 2025: 58}, target=80),
        "PRO_SHARED_DECISIONS": Series({2023: 2.7, 2025: 3.2}, target=4.0),
        "PRO_TRUST": Series({2023: 3.1, 2025: 3.5}, target=4.0),
        "PRO_ATTENDANCE": Series({2023: 75, 2025: 80}, target=85),
        "PRO_EVALUATIONS": _evaluations(2023, "001"),
        "OUT_LONELY": Series({2023: 24.0, 2025: 23.2}, target=18.0, target_year=2030, noise=0.3),
        "OUT_WELLBEING": Series({2023: 52, 2025: 58}, target=70, noise=1.0),
    },
}

EVENTS: dict[str, dict[int, str]] = {
    ASKIM: {
        2016: "Partnership agreement signed",
        2018: "First self-assessment of the collaboration",
        2020: "Municipal reform: Askim merged into Indre Østfold",
        2021: "Funding renewed for 2022-2025 (county public health programme)",
        2023: "New coordinator",
    },
    DRAMMEN: {
        2018: "Partnership agreement signed",
        2019: "First self-assessment of the collaboration",
        2020: "Municipal reform: Drammen, Nedre Eiker and Svelvik merged",
        2021: "Youth panel given a seat on the steering group",
        2023: "Funding renewed for 2024-2027",
    },
    NAV: {
        2019: "Partnership agreement signed",
        2020: "COVID-19 lockdown: activities moved online",
        2021: "Coordinator left; position vacant for seven months",
        2022: "NAV office reorganised: youth team merged into general follow-up",
        2024: "District grant not renewed; coordinator cut to 50%",
    },
    HOJE_TAASTRUP: {
        2020: "Partnership launched; COVID-19 lockdown five weeks later",
        2021: "New coordinator",
        2022: "First self-assessment of the collaboration",
        2023: "Wellbeing survey of participants introduced",
        2024: "Funding renewed until 2027",
    },
    AARHUS: {
        2021: "Partnership agreement signed",
        2022: "Resident panel established",
        2023: "First self-assessment of the collaboration",
        2025: "Mid-term evaluation published",
    },
    BODO: {
        2023: "Partnership agreement signed",
        2024: "National strategy against loneliness (2024-2029) published",
        2025: "First self-assessment of the collaboration",
    },
}

# The evaluator's notes for the latest years; figures quoted here match the generated data.
COMMENTARY: dict[str, dict[int, str]] = {
    ASKIM: {
        2024: "Participation passed 900 for the first time, and the network now counts 26 "
        "partner organisations, above the target of 24. Trust between partners has held "
        "at or above 4.0 since 2022. Affected groups represented (77.8%) is still below "
        "the 85% target: newcomers' associations remain hard to reach.",
        2025: "Final year of the ten-year horizon. Most involvement and process targets are "
        "reached, and the share of physically active residents (38.4%) is above the 36% "
        "target set in 2016. Participants reporting better wellbeing rose to 72.2% but "
        "end short of 75%. The steering group recommends making the network part of "
        "Indre Østfold's ordinary public health work from 2026.",
    },
    DRAMMEN: {
        2024: "Involvement and process keep growing: 27 partners, close to 200 participants and "
        "a common agenda endorsed by 81% of partners. After five flat years the NEET "
        "share has fallen two years running, to 8.7%. It is too early to say how much "
        "is due to the partnership and how much to the labour market.",
        2025: "NEET fell again, to 8.4%, and upper secondary completion rose to 78.7%, the "
        "highest in the series. Outcomes that looked red for five years are now moving "
        "towards the 2027 targets, as the theory of change expected. Vulnerable young "
        "people taking part reached 85, against a target of 100.",
    },
    NAV: {
        2024: "The partnership has not recovered from the coordinator vacancy in 2021 and the "
        "reorganisation of the NAV office in 2022. Meeting attendance fell to 70%, and "
        "partners dropped from 16 in 2021 to 14. The district grant was not renewed, so "
        "the coordinator post is now 50%.",
        2025: "Final year of the horizon. Participants (79) and partners (12) are well below "
        "the targets, attendance is at 65%, and the collaboration has not been evaluated "
        "since 2022. The NEET share in the district is higher than at the start (11.3% "
        "in 2024; 2025 not yet published). The steering group must decide whether to "
        "relaunch with a new agreement and dedicated coordination, or close.",
    },
    HOJE_TAASTRUP: {
        2024: "Funding is renewed until 2027. The wellbeing survey introduced in 2023 has only "
        "two years of data (63.6% report better wellbeing), too few for a trend. Active "
        "volunteers rose from 31 in 2022 to 52.",
        2025: "Six years in, the partnership has 26 partner organisations and 258 participants, "
        "122 of them from the priority groups. 40% of vulnerable participants are still "
        "in a community six months later, up from 25% in 2021. The regional survey puts "
        "loneliness at 8.4%, down from 9.1% in 2021 but above the 2017 level.",
    },
    AARHUS: {
        2024: "No partnership survey this year (it runs every second year), so the process "
        "pillar rests on the 2023 survey and self-assessment. Participation rose to 167 "
        "and vulnerable residents taking part to 78. Employment in the housing areas "
        "ticked up to 53.9%.",
        2025: "The 2025 survey shows higher trust (3.9) and shared decision-making (3.6) than "
        "in 2021 and 2023, and 81% of partners now endorse the common agenda. With one "
        "year left, the targets for vulnerable participants (110) and community "
        "membership (45%) look out of reach; the steering group should discuss an "
        "extension.",
    },
    BODO: {
        2025: "Third year. Partners doubled from 9 to 18 and participants rose from 44 to 141, "
        "mainly through the visiting-friend service. The first self-assessment of the "
        "collaboration was held in November. Loneliness among older residents has barely "
        "moved (22.9%), as expected this early; the 2030 target of 18% assumes effects "
        "from year four.",
    },
}

DEFAULT_NOISE = {PCT: 1.5, SCORE: 0.08, PERSONS: 0.05, COUNT: 0.0}  # persons: relative


def _interpolate(anchors: dict[int, float], year: int) -> float:
    """Piecewise-linear value at `year`; flat before the first and after the last anchor."""
    points = sorted(anchors.items())
    if year <= points[0][0]:
        return points[0][1]
    for (y0, v0), (y1, v1) in zip(points, points[1:], strict=False):
        if year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return points[-1][1]


def _clean(value: float, unit: str) -> float:
    """Clip to the unit's plausible range and round as the files store it."""
    if unit == PCT:
        return round(min(max(value, 0.0), 100.0), 1)
    if unit == SCORE:
        return round(min(max(value, 1.0), 5.0), 1)
    return float(max(round(value), 0))


def _series_years(series: Series, partnership: Partnership) -> list[int]:
    years = series.years or tuple(range(partnership.start_year, LAST_YEAR + 1))
    return [y for y in years if y not in series.skip and y <= LAST_YEAR]


def _generate(series: Series, partnership: Partnership, indicator: Indicator) -> dict[int, float]:
    """Year -> value: anchors plus seeded noise, one generator per series."""
    rng = random.Random(f"{SEED}|{partnership.name}|{indicator.code}")
    sd = DEFAULT_NOISE[indicator.unit] if series.noise is None else series.noise
    values = {}
    for year in _series_years(series, partnership):
        trend = _interpolate(series.anchors, year)
        scale = trend if indicator.unit == PERSONS else 1.0
        values[year] = _clean(trend + rng.gauss(0.0, sd * scale), indicator.unit)
    return values


def _partner_groups(partnership: Partnership) -> dict[str, dict[int, float]]:
    """Actor type -> year -> number of partners, for every year from start to LAST_YEAR."""
    years = range(partnership.start_year, LAST_YEAR + 1)
    groups = PARTNER_GROUPS[partnership.name]
    return {g: {y: float(round(_interpolate(groups[g], y))) for y in years} for g in ACTOR_GROUPS}


def _format(value: float, unit: str, decimal: str = ".") -> str:
    text = f"{value:.0f}" if unit in (COUNT, PERSONS) else f"{value:.1f}"
    return text.replace(".", decimal)


def _source(code: str, year: int) -> str:
    return SOURCES[code].format(year=year)


def build_values() -> dict[tuple[str, str], dict[int, float]]:
    """(partnership, indicator) -> year -> total value, for every series in SERIES."""
    indicators = {i.code: i for i in INDICATORS}
    values = {}
    for partnership in PARTNERSHIPS:
        for code, series in SERIES[partnership.name].items():
            if code == "INV_PARTNERS":
                groups = _partner_groups(partnership)
                totals = {y: sum(g[y] for g in groups.values()) for y in groups["municipality"]}
                values[(partnership.name, code)] = totals
            else:
                values[(partnership.name, code)] = _generate(series, partnership, indicators[code])
    return values


def _ordered_series() -> list[tuple[Partnership, Indicator, Series]]:
    """Every partnership x indicator in use, in file order (partnerships, then INDICATORS)."""
    return [
        (p, i, SERIES[p.name][i.code])
        for p in PARTNERSHIPS
        for i in INDICATORS
        if i.code in SERIES[p.name]
    ]


# The agreement's leadership and termination (issue 11), by partnership.
AGREEMENTS: dict[str, tuple[str, str]] = {
    'Nettverk friluftsliv Askim': (
        'The head of public health in Indre Østfold kommune chairs the steering group, '
        'which meets four times a year; a municipal outdoor-life coordinator (60% post) '
        'runs the network and a monthly partner meeting.',
        "A partner may leave with three months' written notice to the steering group; the"
        ' agreement ends with the horizon in 2025 unless the partners sign a new one.'),
    'Ungdomsløftet Drammen': (
        'The director of oppvekst og utdanning in Drammen kommune chairs the steering '
        'group, which meets six times a year and has had a youth panel member since 2021;'
        ' a full-time municipal coordinator runs the secretariat and the youth guide '
        'team.',
        "A partner may leave with six months' written notice to the steering group; the "
        'agreement was renewed for 2024-2027 and is reviewed before each new funding '
        'period.'),
    'NAV Grünerløkka partnerskap for unge utenfor arbeid': (
        'The head of NAV Grünerløkka chairs the steering group, which meets every second '
        'month; a coordinator at the NAV office (50% since 2024) runs the network and the'
        ' employer contacts.',
        "A partner may leave with three months' written notice to the steering group; the"
        ' agreement ends after seven years (2025) unless the steering group decides to '
        'renew it.'),
    'Fællesskaber Høje-Taastrup': (
        'The head of Center for Social og Sundhed chairs the steering group, which meets '
        'quarterly; a municipal coordinator and two bridge builders run the daily work, '
        'with a partner forum for all partners twice a year.',
        "A partner may leave with six months' written notice to the steering group; the "
        'agreement is reviewed after four years and ends in 2027 unless renewed.'),
    'Lokalt partnerskab Aarhus Syd': (
        'Aarhus Kommune and the housing associations co-chair the steering group, which '
        'meets four times a year and has a resident panel member since 2022; a '
        'secretariat in Sociale Forhold og Beskæftigelse coordinates.',
        "A partner may leave with six months' written notice to the steering group; the "
        'agreement is evaluated at mid-term (2025) and ends after the six-year horizon '
        'unless renewed.'),
    'Sammen mot ensomhet Bodø': (
        'The head of health and care services in Bodø kommune chairs the steering group, '
        'which meets four times a year; Bodø Frivilligsentral coordinates the volunteers '
        'and the telephone friend line.',
        "A partner may leave with three months' written notice to the steering group; the"
        ' agreement is reviewed after three years (2026) and ends in 2029 unless renewed.'),
}
# Baselines and targets on indicators the dashboard derives (register, survey).
DERIVED_TARGETS = [
    ['Ungdomsløftet Drammen', 'SURVEY_DECISIONS', '2019', '2.47', '2027', '3.8'],
    ['Ungdomsløftet Drammen', 'SURVEY_EQUALITY', '2019', '2.19', '2027', '3.5'],
    ['NAV Grünerløkka partnerskap for unge utenfor arbeid',
     'SURVEY_TRUST',
     '2020',
     '3.74',
     '2025',
     '4.2'],
    ['Fællesskaber Høje-Taastrup', 'REG_ACTOR_TYPES', '2020', '4', '2027', '7'],
    ['Nettverk friluftsliv Askim', 'REG_ACTOR_TYPES', '2016', '4', '2025', '6'],
]


def partnership_rows() -> list[list[str]]:
    return [
        [
            p.name,
            p.municipality,
            str(p.start_year),
            str(p.horizon_years),
            p.purpose,
            p.lead,
            "; ".join(p.partners),
            p.description,
            *AGREEMENTS[p.name],
        ]
        for p in PARTNERSHIPS
    ]


def indicator_rows() -> list[list[str]]:
    return [[i.code, i.name, i.pillar, i.unit, i.direction, i.description] for i in INDICATORS]


def target_rows(values: dict[tuple[str, str], dict[int, float]]) -> list[list[str]]:
    """Baseline = first value measured from the start year; target year = end of horizon."""
    rows = []
    for p, ind, series in _ordered_series():
        if series.target is None:
            continue
        by_year = values[(p.name, ind.code)]
        baseline_year = min(y for y in by_year if y >= p.start_year)
        target_year = series.target_year or p.end_year
        baseline = _format(by_year[baseline_year], ind.unit)
        rows.append(
            [
                p.name,
                ind.code,
                str(baseline_year),
                baseline,
                str(target_year),
                _format(series.target, ind.unit),
            ]
        )
    return rows


def observation_rows(values: dict[tuple[str, str], dict[int, float]]) -> list[list[str]]:
    """Long rows for involvement and process; partners also split by actor type."""
    rows = []
    for p, ind, series in _ordered_series():
        if ind.pillar == "outcome":
            continue
        groups = _partner_groups(p) if ind.code == "INV_PARTNERS" else {}
        for year, value in values[(p.name, ind.code)].items():
            source, note = _source(ind.code, year), series.notes.get(year, "")
            rows.append([p.name, ind.code, str(year), _format(value, ind.unit), "", source, note])
            rows.extend(
                [p.name, ind.code, str(year), _format(g[year], ind.unit), name, source, ""]
                for name, g in groups.items()
            )
    return rows


def outcome_wide_rows(values: dict[tuple[str, str], dict[int, float]]) -> list[list[str]]:
    """One row per partnership x outcome indicator, years as columns, decimal commas."""
    rows = []
    for p, ind, _series in _ordered_series():
        if ind.pillar != "outcome":
            continue
        by_year = values[(p.name, ind.code)]
        cells = [
            _format(by_year[y], ind.unit, ",") if y in by_year else ""
            for y in range(FIRST_YEAR, LAST_YEAR + 1)
        ]
        rows.append([p.name, ind.code, *cells])
    return rows


def _dated_rows(table: dict[str, dict[int, str]]) -> list[list[str]]:
    return [
        [p.name, str(year), text]
        for p in PARTNERSHIPS
        for year, text in sorted(table.get(p.name, {}).items())
    ]


def _write_csv(
    name: str,
    header: list[str],
    rows: list[list[str]],
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> None:
    with open(OUT_DIR / name, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# The upload formats: file name -> header (the wide file's year columns are added in main).
HEADERS = {
    "partnerships.csv": "partnership,municipality,start_year,horizon_years,purpose,lead,partners,"
    "description,leadership,termination",
    "indicators.csv": "indicator,name,pillar,unit,direction,description",
    "targets.csv": "partnership,indicator,baseline_year,baseline,target_year,target",
    "observations.csv": "partnership,indicator,year,value,group,source,note",
    "outcomes_wide.csv": "partnership,indicator",
    "events.csv": "partnership,year,event",
    "commentary.csv": "partnership,year,commentary",
}


def main() -> None:
    OUT_DIR.mkdir(exist_ok=True)
    values = build_values()
    rows = {
        "partnerships.csv": partnership_rows(),
        "indicators.csv": indicator_rows(),
        "targets.csv": target_rows(values) + DERIVED_TARGETS,
        "observations.csv": observation_rows(values),
        "events.csv": _dated_rows(EVENTS),
        "commentary.csv": _dated_rows(COMMENTARY),
    }
    for name, file_rows in rows.items():
        _write_csv(name, HEADERS[name].split(","), file_rows)
    years = [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    header = [*HEADERS["outcomes_wide.csv"].split(","), *years]
    # As exported by a statistics office and saved from Excel: semicolons, decimal commas, BOM.
    _write_csv("outcomes_wide.csv", header, outcome_wide_rows(values), ";", "utf-8-sig")
    print(f"Wrote sample data to {OUT_DIR}; the register and survey answers come from "
          "scripts/make_sample_survey.py")


if __name__ == "__main__":
    main()
