"""Generate the sample partner register and collaboration survey in sample_data/.

Writes two files next to partnerships.csv:

- partners.csv: one row per partner organisation of each sample partnership (the
  names exactly as in the `partners` column of partnerships.csv, plus one state
  partner Aarhus Syd lacked), with actor type, the years it joined and left, its
  role, what it contributes and what it commits to.
- responses.csv: the yearly collaboration survey, one row per respondent and one
  column per statement of the 33-item instrument (11 factors x 3 items), answers
  1-5, "vet ikke"/"ved ikke" for don't know (Norwegian/Danish partnerships) and
  empty for no answer.

The stories behind the answers: every partnership has a latent level per factor
that drifts over its survey rounds (mostly a slow improvement); NAV Grünerløkka
dips in 2022 after its coordinator left in 2021 and the NAV office reorganised;
in Ungdomsløftet Drammen civil society rates shared decision-making and equality
about 1.5 points below the municipality in every round; municipal respondents
are a little more positive than the rest. Sammen mot ensomhet Bodø 2024 has only
two business respondents: the one group in the sample too small to show.

Standard library only. Every round draws from its own `random.Random` seeded with
a fixed string, so running the script twice gives byte-identical files.
Run: `python scripts/make_sample_survey.py`.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261115
LAST_YEAR = 2025
OUT_DIR = Path(__file__).resolve().parent.parent / "sample_data"

ACTOR_TYPES = ("municipality", "state", "civil_society", "business", "citizens_users",
               "research", "other")
FACTORS = ("purpose", "goals", "contributions", "leadership", "decisions", "trust",
           "learning", "participation", "equality", "voluntariness", "evaluation")
ITEMS = tuple(f"{f}_{i}" for f in FACTORS for i in (1, 2, 3))
# Agreeing with these is unfavourable: a respondent positive about the factor answers low.
REVERSED = frozenset({"purpose_3", "decisions_3", "trust_2", "equality_2", "voluntariness_3"})
DANISH = frozenset({"Fællesskaber Høje-Taastrup", "Lokalt partnerskab Aarhus Syd"})
DONT_KNOW = {"nb": "vet ikke", "da": "ved ikke"}
P_DONT_KNOW, P_EMPTY = 0.04, 0.02
P_PARTNER_EMPTY = 0.30

PARTNERS_HEADER = ("partnership", "partner", "actor_type", "joined_year", "left_year",
                   "role", "contribution", "commitment")
RESPONSES_HEADER = ("partnership", "year", "actor_type", "partner", "respondent", *ITEMS)

# The register: partnership -> partner -> (actor type, joined, left, role, contribution,
# commitment). Partners not named in partnerships.csv are marked in EXTRA_PARTNERS.
REGISTER: dict[str, dict[str, tuple[str, int, int | None, str, str, str]]] = {
    "Nettverk friluftsliv Askim": {
        "Indre Østfold kommune": (
            "municipality", 2016, None, "lead",
            "Employs the 60% network coordinator, runs the municipal equipment store and "
            "covers printing and transport for activities.",
            "Chairs the steering group, funds the coordinator post to 2025 and reports "
            "results to the municipal council each year."),
        "Østfold fylkeskommune": (
            "municipality", 2016, None, "steering group member",
            "Grants about NOK 400,000 a year from the county public health programme and "
            "advice from its public health adviser.",
            "Attends the steering group and keeps the grant for the 2022-2025 programme "
            "period."),
        "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus": (
            "state", 2016, None, "partner",
            "Guidance on the Public Health Act and on state funding for outdoor recreation.",
            "Attends the annual network meeting and advises on funding applications."),
        "NAV Indre Østfold": (
            "state", 2018, None, "partner",
            "Refers job seekers and newcomers in the introduction programme to the weekly "
            "walks and offers work training as walk leaders.",
            "Names a contact person and refers at least 20 participants a year."),
        "Askim Turlag": (
            "civil_society", 2016, None, "steering group member",
            "Runs the low-threshold Sunday walks with about 25 volunteer walk leaders and "
            "keeps three marked trails.",
            "Leads at least 40 open walks a year and trains new walk leaders each spring."),
        "Askim Røde Kors": (
            "civil_society", 2016, None, "partner",
            "Volunteers for the lakeside activity days and first-aid training for walk "
            "leaders.",
            "Staffs four activity days a year and runs a first-aid course every autumn."),
        "Frivilligsentralen i Askim": (
            "civil_society", 2016, None, "partner",
            "Recruits and matches volunteers and runs the free equipment lending from its "
            "premises.",
            "Keeps the equipment lending open three days a week."),
        "Askim Idrettsråd": (
            "civil_society", 2016, None, "partner",
            "Coordinates the sports clubs' open sessions and access to club cabins.",
            "Offers free trial sessions for children in low-income families and brings the "
            "clubs to two network meetings a year."),
        "Askim Jeger- og Fiskerforening": (
            "civil_society", 2016, None, "partner",
            "Lends canoes and fishing gear and runs fishing days on local lakes with "
            "volunteers.",
            "Runs at least six free fishing and canoe days a year."),
        "Innvandrerrådet i Indre Østfold": (
            "citizens_users", 2019, None, "partner",
            "Brings immigrant residents' views and spreads news of activities in several "
            "languages.",
            "Sends a representative to the network meeting and reviews the activity "
            "calendar each season."),
        "Høgskolen i Østfold": (
            "research", 2021, None, "research partner",
            "A researcher who helped design the participant survey, and student projects.",
            "Supervises two student projects a year and comments on the annual evaluation."),
        "Glomma Sport AS": (
            "business", 2016, None, "partner",
            "Donates used and demonstration equipment (skis, boots, rucksacks) to the "
            "lending scheme.",
            "Donates equipment worth at least NOK 30,000 a year and sponsors the summer "
            "lakeside day."),
    },
    "Ungdomsløftet Drammen": {
        "Drammen kommune": (
            "municipality", 2018, None, "lead",
            "Employs the partnership coordinator and four of the six youth guides, and "
            "provides meeting rooms at the town hall.",
            "Chairs the steering group and funds the coordinator and youth guides until "
            "2027."),
        "Buskerud fylkeskommune": (
            "municipality", 2018, None, "steering group member",
            "Staff from the follow-up service who contact young people who drop out of "
            "upper secondary school.",
            "Shares drop-out referrals with the youth guides, with consent, and attends "
            "the steering group."),
        "NAV Drammen": (
            "state", 2018, None, "steering group member",
            "Two youth advisers seconded to the shared team and wage subsidies for work "
            "training.",
            "Keeps two advisers in the team and offers a first meeting within two weeks of "
            "a referral."),
        "Bufetat region sør": (
            "state", 2019, None, "partner",
            "Advice on young people leaving child-welfare care and access to aftercare "
            "measures.",
            "Takes part in case conferences for young people with child-welfare measures "
            "and two network meetings a year."),
        "Kirkens Bymisjon Drammen": (
            "civil_society", 2018, None, "partner",
            "A drop-in meeting place and a mentor scheme with about 15 volunteer mentors.",
            "Keeps the meeting place open four evenings a week and recruits new mentors "
            "each autumn."),
        "Drammen Røde Kors": (
            "civil_society", 2018, None, "partner",
            "Homework help and leisure groups run by volunteers.",
            "Runs weekly homework help in Fjell and Strømsø during the school year."),
        "Drammen Idrettsråd": (
            "civil_society", 2018, None, "partner",
            "Coordinates free club memberships and trial sessions for young people "
            "referred by the youth guides.",
            "Offers 50 free club memberships a year."),
        "Drammen Frivilligsentral": (
            "civil_society", 2018, None, "partner",
            "Recruits volunteers and lends its premises for youth activities.",
            "Recruits volunteers for the summer activity programme each year."),
        "Ungdomsrådet i Drammen": (
            "citizens_users", 2021, None, "steering group member",
            "Young people's views on the activities and a youth member of the steering "
            "group.",
            "Sends a representative to every steering group meeting and reviews the annual "
            "plan."),
        "Næringsforeningen i Drammensregionen": (
            "business", 2018, None, "steering group member",
            "Recruits member companies for summer jobs and work placements.",
            "Finds at least 40 summer jobs a year among its members."),
        "Universitetet i Sørøst-Norge": (
            "research", 2020, None, "research partner",
            "Researchers who run the follow-up study of participants, and a master's "
            "student each year.",
            "Delivers a yearly research note on participants' pathways into work and "
            "school."),
    },
    "NAV Grünerløkka partnerskap for unge utenfor arbeid": {
        "NAV Grünerløkka": (
            "state", 2019, None, "lead",
            "Hosts the partnership coordinator and the youth team and funds work-training "
            "places.",
            "Chairs the steering group and keeps a coordinator post (50% from 2024)."),
        "Bydel Grünerløkka": (
            "municipality", 2019, None, "steering group member",
            "Youth workers from the outreach service and rooms at the youth club.",
            "Attends the steering group and refers young adults met by the outreach "
            "service."),
        "Oslo kommune, Utdanningsetaten": (
            "municipality", 2021, None, "partner",
            "Adult education counsellors who help participants complete upper secondary "
            "school.",
            "Offers every referred participant a guidance meeting within a month."),
        "Kirkens Bymisjon": (
            "civil_society", 2019, None, "partner",
            "Volunteer mentors and a café meeting place.",
            "Provides 10 volunteer mentors a year."),
        "Frelsesarmeen": (
            "civil_society", 2019, None, "partner",
            "Work training in its second-hand shops on Grünerløkka.",
            "Keeps five work-training places open at any time."),
        "Fontenehuset Oslo": (
            "civil_society", 2020, None, "partner",
            "A clubhouse and transitional employment for young adults with mental health "
            "problems.",
            "Accepts referred participants and attends the network meeting."),
        "Grünerløkka Næringsforening": (
            "business", 2019, None, "steering group member",
            "Contacts with local shops, cafés and firms for work placements.",
            "Finds at least 15 work placements a year among its members."),
        "Løkka Kafédrift AS": (
            "business", 2019, 2022, "partner",
            "Work-training places in its two cafés.",
            "Committed to four work-training places a year; left the partnership in 2022 "
            "when the cafés were sold."),
        "Brukerrådet NAV Grünerløkka": (
            "citizens_users", 2020, None, "partner",
            "Users' experience of NAV services and feedback on the activities.",
            "Meets the coordinator twice a year and sends a representative to the network "
            "meeting."),
    },
    "Fællesskaber Høje-Taastrup": {
        "Høje-Taastrup Kommune": (
            "municipality", 2020, None, "lead",
            "Employs the coordinator and two bridge builders and provides rooms at the "
            "health centre.",
            "Chairs the steering group and funds the bridge builders until 2027."),
        "Jobcenter Høje-Taastrup": (
            "municipality", 2020, None, "steering group member",
            "Case workers who refer long-term unemployed citizens to association "
            "activities.",
            "Refers at least 60 citizens a year and attends the steering group."),
        "Socialstyrelsen": (
            "state", 2020, None, "partner",
            "A grant from the national pool for local partnerships and method support.",
            "Provides a consultant for two learning seminars a year."),
        "Frivilligcenter Høje-Taastrup": (
            "civil_society", 2020, None, "secretariat",
            "Shares the secretariat with the municipality and recruits fellowship guides.",
            "Recruits and trains 20 fellowship guides a year."),
        "Taastrup Idrætsforening": (
            "civil_society", 2020, None, "partner",
            "Open training sessions and volunteer contact persons for new members.",
            "Offers referred citizens free membership for their first six months."),
        "Røde Kors Høje-Taastrup": (
            "civil_society", 2020, None, "partner",
            "Visiting friends and a weekly community meal run by volunteers.",
            "Keeps the weekly community meal running and welcomes referred citizens."),
        "SIND Høje-Taastrup": (
            "civil_society", 2020, None, "partner",
            "Peer support and a meeting place for people with mental illness and their "
            "relatives.",
            "Runs two peer groups a week and attends the partner forum."),
        "Kirkens Korshær": (
            "civil_society", 2021, None, "partner",
            "A drop-in café and volunteers who go with citizens to their first activity.",
            "Accompanies at least 30 citizens a year into a new community."),
        "Høje-Taastrup Erhvervsforening": (
            "business", 2020, None, "partner",
            "Contacts with local companies for job trials and company-sponsored "
            "activities.",
            "Finds 10 job trials a year and hosts one company network meeting on "
            "inclusion."),
        "Brugerrådet for socialt udsatte": (
            "citizens_users", 2021, None, "steering group member",
            "Socially vulnerable citizens' experience and advice on how activities are "
            "announced.",
            "Sends two members to the steering group and the partner forum."),
        "Professionshøjskolen Absalon": (
            "research", 2022, None, "research partner",
            "Researchers who designed the collaboration survey and analyse each round.",
            "Reports the survey results to the steering group after each round."),
    },
    "Lokalt partnerskab Aarhus Syd": {
        "Aarhus Kommune": (
            "municipality", 2021, None, "lead",
            "Staffs the secretariat in Sociale Forhold og Beskæftigelse and funds two "
            "community workers.",
            "Co-chairs the steering group and funds the secretariat for the six years."),
        "Jobcenter Aarhus": (
            "municipality", 2021, None, "steering group member",
            "Job consultants with office hours in the housing areas.",
            "Holds weekly office hours in Aarhus Syd and attends the steering group."),
        "Boligorganisationerne i Aarhus Syd": (
            "civil_society", 2021, None, "steering group member",
            "Social housing staff, rooms in the community houses and contacts with "
            "residents.",
            "Co-chairs the steering group and lends its premises for activities free of "
            "charge."),
        "Frivilligcenter Aarhus": (
            "civil_society", 2021, None, "partner",
            "Recruitment and training of volunteers for local associations.",
            "Runs two volunteer courses a year in Aarhus Syd."),
        "Viby Idrætsforening": (
            "civil_society", 2021, None, "partner",
            "Open football and fitness sessions in the housing areas.",
            "Offers residents referred by the partnership a free first year of "
            "membership."),
        "KFUM's Sociale Arbejde": (
            "civil_society", 2022, None, "partner",
            "A social café and volunteers who visit lonely residents.",
            "Keeps the café open three days a week."),
        "Røde Kors Aarhus": (
            "civil_society", 2021, None, "partner",
            "Homework cafés and visiting friends.",
            "Runs a weekly homework café and recruits volunteers among residents."),
        "Beboerpanelet Aarhus Syd": (
            "citizens_users", 2022, None, "steering group member",
            "Residents' views on the activities and a resident member of the steering "
            "group.",
            "Meets four times a year and sends a representative to the steering group."),
        "Erhvervsnetværk Viby": (
            "business", 2021, None, "partner",
            "Local companies that offer job trials and mentors.",
            "Finds 15 job trials a year for residents."),
        "VIA University College": (
            "research", 2021, None, "research partner",
            "Researchers who run the partnership survey and the mid-term evaluation.",
            "Reports on every survey round and delivered the mid-term evaluation in 2025."),
        "Styrelsen for Arbejdsmarked og Rekruttering": (
            "state", 2023, None, "partner",
            "Advice on employment measures and register data on employment in the target "
            "group.",
            "Provides yearly employment data and attends one steering group meeting a "
            "year."),
    },
    "Sammen mot ensomhet Bodø": {
        "Bodø kommune": (
            "municipality", 2023, None, "lead",
            "A 50% project coordinator, shared meals at the service centres and transport "
            "for older people.",
            "Chairs the steering group and serves shared meals at three service centres "
            "every week."),
        "Nordland fylkeskommune": (
            "municipality", 2023, None, "partner",
            "A public health grant for the first three years and advice from the public "
            "health adviser.",
            "Attends two network meetings a year."),
        "Statsforvalteren i Nordland": (
            "state", 2023, None, "partner",
            "Guidance on the national strategy against loneliness and training funds for "
            "health staff.",
            "Attends the annual network meeting."),
        "Bodø Frivilligsentral": (
            "civil_society", 2023, None, "secretariat",
            "Coordinates about 40 volunteers and runs the telephone friend line.",
            "Keeps the telephone friend line open every weekday."),
        "Bodø Røde Kors": (
            "civil_society", 2023, None, "partner",
            "Visiting friends and visiting dogs.",
            "Matches at least 30 new visiting friends a year."),
        "Nasjonalforeningen for folkehelsen Bodø": (
            "civil_society", 2024, None, "partner",
            "Dementia-friendly activities and volunteers for the shared meals.",
            "Runs a monthly activity for people with dementia and their relatives."),
        "Bodø Pensjonistforening": (
            "civil_society", 2023, None, "partner",
            "Members who volunteer as hosts at the service centres.",
            "Provides hosts for two shared meals a week."),
        "Eldrerådet i Bodø": (
            "citizens_users", 2023, None, "steering group member",
            "Older residents' views and a member of the steering group.",
            "Sends a representative to every steering group meeting."),
        "Nord universitet": (
            "research", 2024, None, "research partner",
            "Researchers who help measure loneliness among participants.",
            "Analyses the participant survey each year."),
        "Bodø Næringsforum": (
            "business", 2023, None, "partner",
            "Contacts with local companies that sponsor meals and transport.",
            "Finds sponsors for the shared meals each year."),
    },
}
# Register partners that the partners column of partnerships.csv does not list.
EXTRA_PARTNERS = {("Lokalt partnerskab Aarhus Syd", "Styrelsen for Arbejdsmarked og Rekruttering")}

# Survey rounds: partnership -> year -> respondents per actor type. Every group has at
# least five respondents except Bodø 2024 business (two: too small to show).
ROUNDS: dict[str, dict[int, dict[str, int]]] = {
    "Nettverk friluftsliv Askim": {
        2018: {"municipality": 6, "state": 5, "civil_society": 9},
        2021: {"municipality": 6, "state": 5, "civil_society": 8, "citizens_users": 5},
        2024: {"municipality": 5, "civil_society": 8, "business": 5, "citizens_users": 5},
    },
    "Ungdomsløftet Drammen": {
        2019: {"municipality": 6, "state": 5, "civil_society": 8, "business": 5},
        2021: {"municipality": 6, "state": 5, "civil_society": 7, "citizens_users": 5},
        2023: {"municipality": 6, "civil_society": 7, "business": 5, "citizens_users": 6},
        2025: {"municipality": 5, "state": 5, "civil_society": 6, "citizens_users": 5},
    },
    # No survey in 2021 (the coordinator had left); fewer answers in 2022 and 2024.
    "NAV Grünerløkka partnerskap for unge utenfor arbeid": {
        2020: {"state": 6, "municipality": 5, "civil_society": 7, "business": 5},
        2022: {"state": 5, "civil_society": 6, "citizens_users": 5},
        2024: {"state": 5, "municipality": 5, "civil_society": 6},
    },
    "Fællesskaber Høje-Taastrup": {
        2022: {"municipality": 9, "state": 5, "civil_society": 12, "business": 5,
               "citizens_users": 6},
        2024: {"municipality": 10, "state": 5, "civil_society": 13, "business": 5,
               "citizens_users": 6, "research": 5},
        2025: {"municipality": 10, "state": 5, "civil_society": 12, "business": 6,
               "citizens_users": 7},
    },
    # The partnership survey runs every second year (the first was in 2023).
    "Lokalt partnerskab Aarhus Syd": {
        2023: {"municipality": 10, "state": 5, "civil_society": 14, "business": 5,
               "citizens_users": 7},
        2025: {"municipality": 9, "state": 5, "civil_society": 13, "business": 5,
               "citizens_users": 8, "research": 5},
    },
    "Sammen mot ensomhet Bodø": {
        2024: {"municipality": 6, "civil_society": 7, "business": 2},
        2025: {"municipality": 6, "state": 5, "civil_society": 7, "citizens_users": 5},
    },
}

# The latent level of the collaboration (1-5, higher is better) in each round.
LEVEL: dict[str, dict[int, float]] = {
    "Nettverk friluftsliv Askim": {2018: 3.3, 2021: 3.7, 2024: 4.0},
    "Ungdomsløftet Drammen": {2019: 2.9, 2021: 3.2, 2023: 3.5, 2025: 3.8},
    "NAV Grünerløkka partnerskap for unge utenfor arbeid": {2020: 3.4, 2022: 2.8, 2024: 3.0},
    "Fællesskaber Høje-Taastrup": {2022: 3.3, 2024: 3.6, 2025: 3.8},
    "Lokalt partnerskab Aarhus Syd": {2023: 3.4, 2025: 3.7},
    "Sammen mot ensomhet Bodø": {2024: 3.2, 2025: 3.4},
}
# How each factor usually sits relative to the overall level.
FACTOR_OFFSET = {"purpose": 0.35, "goals": 0.1, "contributions": 0.0, "leadership": 0.0,
                 "decisions": -0.2, "trust": 0.1, "learning": -0.05, "participation": -0.1,
                 "equality": -0.25, "voluntariness": 0.4, "evaluation": -0.35}
# Stories in single factors: (partnership, year or None for every round, factor) -> shift.
FACTOR_STORY = {
    ("NAV Grünerløkka partnerskap for unge utenfor arbeid", 2022, "leadership"): -0.5,
    ("NAV Grünerløkka partnerskap for unge utenfor arbeid", 2022, "evaluation"): -0.3,
    ("Fællesskaber Høje-Taastrup", None, "participation"): 0.2,
    ("Lokalt partnerskab Aarhus Syd", None, "equality"): 0.2,
}
ACTOR_OFFSET = {"municipality": 0.25, "state": 0.05, "civil_society": -0.1, "business": -0.15,
                "citizens_users": -0.2, "research": 0.1, "other": 0.0}
# Drammen: civil society rates decisions and equality ~1.5 below the municipality (the
# shift replaces civil society's usual offset with the municipality's minus the gap).
DRAMMEN_GAP = ("Ungdomsløftet Drammen", "civil_society", frozenset({"decisions", "equality"}),
               1.5)
RESPONDENT_SD, ANSWER_SD = 0.35, 0.7


def read_partnerships() -> list[dict[str, str]]:
    with open(OUT_DIR / "partnerships.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def active(register: dict, partnership: str, actor_type: str, year: int) -> list[str]:
    return [name for name, (kind, joined, left, *_rest) in register[partnership].items()
            if kind == actor_type and joined <= year and (left is None or left >= year)]


def partner_rows(partnerships: list[dict[str, str]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in partnerships:
        name, start = p["partnership"], int(p["start_year"])
        listed = [s.strip() for s in p["partners"].split(";") if s.strip()]
        register = REGISTER[name]
        extra = [n for n in register if (name, n) in EXTRA_PARTNERS]
        missing = set(listed) - set(register)
        unknown = set(register) - set(listed) - set(extra)
        assert not missing and not unknown, (name, missing, unknown)
        lead = [n for n in listed if p["lead"].startswith(n)]
        for partner in listed + extra:
            kind, joined, left, role, contribution, commitment = register[partner]
            assert kind in ACTOR_TYPES and start <= joined <= LAST_YEAR, (name, partner)
            assert (role == "lead") == (partner == lead[0]), (name, partner)
            assert len(contribution) < 200 and len(commitment) < 200, (name, partner)
            rows.append([name, partner, kind, joined, "" if left is None else left, role,
                         contribution, commitment])
        kinds = {register[n][0] for n in register}
        assert {"municipality", "state", "civil_society", "business",
                "citizens_users"} <= kinds, name
    return rows


def response_rows(partnerships: list[dict[str, str]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in partnerships:
        name, start = p["partnership"], int(p["start_year"])
        language = "da" if name in DANISH else "nb"
        base = random.Random(f"{SEED}:{name}:factors")
        tweak = {f: base.uniform(-0.2, 0.2) for f in FACTORS}
        item_shift = {item: base.uniform(-0.15, 0.15) for item in ITEMS}
        for year, groups in ROUNDS[name].items():
            assert start < year <= LAST_YEAR, (name, year)
            rng = random.Random(f"{SEED}:{name}:{year}")
            kinds = [k for k, n in groups.items() for _ in range(n)]
            rng.shuffle(kinds)
            for number, kind in enumerate(kinds, start=1):
                candidates = active(REGISTER, name, kind, year)
                assert candidates, (name, year, kind)
                partner = "" if rng.random() < P_PARTNER_EMPTY else rng.choice(candidates)
                person = rng.gauss(0, RESPONDENT_SD)
                answers: list[object] = []
                for item in ITEMS:
                    factor = item.rsplit("_", 1)[0]
                    level = (LEVEL[name][year] + FACTOR_OFFSET[factor] + tweak[factor]
                             + FACTOR_STORY.get((name, year, factor), 0.0)
                             + FACTOR_STORY.get((name, None, factor), 0.0)
                             + person + item_shift[item])
                    if (name, kind) == DRAMMEN_GAP[:2] and factor in DRAMMEN_GAP[2]:
                        level += ACTOR_OFFSET["municipality"] - DRAMMEN_GAP[3]
                    else:
                        level += ACTOR_OFFSET[kind]
                    value = level + rng.gauss(0, ANSWER_SD)
                    if item in REVERSED:
                        value = 6 - value
                    draw = rng.random()
                    if draw < P_DONT_KNOW:
                        answers.append(DONT_KNOW[language])
                    elif draw < P_DONT_KNOW + P_EMPTY:
                        answers.append("")
                    else:
                        answers.append(min(5, max(1, int(round(value)))))
                rows.append([name, year, kind, partner, f"r{number:02d}", *answers])
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    return rows


def write(name: str, header: tuple[str, ...], rows: list[list[object]]) -> None:
    with open(OUT_DIR / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    partnerships = read_partnerships()
    assert {p["partnership"] for p in partnerships} == set(REGISTER) == set(ROUNDS)
    partners = partner_rows(partnerships)
    responses = response_rows(partnerships)
    write("partners.csv", PARTNERS_HEADER, partners)
    write("responses.csv", RESPONSES_HEADER, responses)
    print(f"partners.csv: {len(partners)} rows; responses.csv: {len(responses)} rows")


if __name__ == "__main__":
    main()
