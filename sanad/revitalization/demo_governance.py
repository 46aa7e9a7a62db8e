"""Demo data of local governance and social cohesion (`sanad seed_demo`, last of the
revitalization parts): three community centres (Sinjar, Rabia–Zummar, Zakho) with 30
days of visits, seven complaints and requests logged at them (a grant selection, the
water works left open, a cash-for-work payment…; none for the PSEA focal points), and
six social-cohesion activities: two reconciliation activities bringing displaced
people, returnees and host families together, civic events, a local governance forum
with the district council — four held (with registered participants written to the
ledger), two planned.

Everything goes through the services: centres by the administrator (who may create
their help-desk channels), the rest by the programme officer. Deterministic;
idempotent: a centre or activity already there (by name or title) is kept with its
visits, cases and participants, so a second run adds nothing."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Q

from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import CohesionActivity, Community, CommunityCentre
from sanad.revitalization.services import governance as services
from sanad.revitalization.services._common import today

DUHOK, NINEWA = "IQG09", "IQG15"
PROJECT = "CRP-JPN-2026-01"

# key, names to look for, admin unit (sub-district) P-code, name, Arabic name, population
COMMUNITIES = {
    "sinjar": (("Sinjar",), "IQG15Q07N03", "Sinjar town", "مدينة سنجار", 38000),
    "rabia": (("Rabia", "Zummar"), "IQG15Q08N04", "Rabia", "ربيعة", 21000),
    "zakho": (("Zakho",), "IQG09Q04N01", "Zakho town", "مدينة زاخو", 52000),
}

# community key, name, opening hours, services, phone, opened on
CENTRES = [
    (
        "sinjar",
        "Sinjar Community Centre",
        "Sunday to Thursday, 8:00 to 15:00",
        "Information on returns and services\nLegal counselling on civil documents "
        "(with the partner lawyers)\nReferrals to health, psychosocial support and "
        "livelihoods\nMeeting room of the community committee",
        "0750 410 2231",
        datetime.date(2026, 2, 15),
    ),
    (
        "rabia",
        "Rabia–Zummar Community Centre (مركز ربيعة وزمار المجتمعي)",
        "Sunday to Thursday, 9:00 to 14:00",
        "Information desk\nHelp with grant and training applications\nReferrals\n"
        "Women's committee on Tuesdays",
        "0770 288 5410",
        datetime.date(2026, 4, 1),
    ),
    (
        "zakho",
        "Zakho Community Centre (ناوەندی کۆمەڵگای زاخۆ)",
        "Saturday to Thursday, 8:30 to 16:00",
        "Information for displaced and returning families\nLegal aid on housing, land "
        "and property\nCivic education sessions\nYouth space",
        "0751 903 1174",
        datetime.date(2026, 1, 10),
    ),
]

# centre index, category, description, named? (name, sex, age), preferred response
CASES: list[tuple[int, str, str, tuple[str, str, str] | None, str]] = [
    (
        0,
        "complaint_assistance",
        "I applied for a small-business grant for my tailoring workshop and was not "
        "selected, while a neighbour who already runs a shop was. I want to know how the "
        "committee scored the applications.",
        ("Nisreen Khalaf", "female", "18-59"),
        "call",
    ),
    (
        0,
        "complaint_assistance",
        "The works on the water network stopped six weeks ago; the trenches in front of "
        "the girls' school are still open and children fall in them.",
        None,
        "none",
    ),
    (
        0,
        "information",
        "When do the next vocational training courses open for women, and is there "
        "childcare during the sessions?",
        ("Samira Elias", "female", "18-59"),
        "sms",
    ),
    (
        1,
        "positive",
        "The workers who repaired the Rabia market road were respectful and the "
        "cash-for-work wages were paid on the day promised.",
        ("Hamid Salih", "male", "60+"),
        "none",
    ),
    (
        1,
        "complaint_assistance",
        "My son worked ten days on the drainage project but was paid for eight.",
        ("Khalil Ibrahim", "male", "18-59"),
        "call",
    ),
    (
        2,
        "data_correction",
        "My name is misspelt on my plumbing course certificate.",
        ("Rezan Omar", "male", "18-59"),
        "in_person",
    ),
    (
        2,
        "assistance",
        "We returned to Zummar last month but are still registered in Zakho: can we apply "
        "for the business grants there?",
        ("Gulistan Murad", "female", "18-59"),
        "call",
    ),
]

# kind, title, community key, centre index or None, days ago (negative: ahead), project?,
# facilitators, description, outcomes (held) or "" (planned), grid, registered
ACTIVITIES: list[tuple[Any, ...]] = [
    (
        "reconciliation",
        "Dialogue between returnee and host families on land and houses",
        "sinjar",
        0,
        40,
        True,
        "Sinjar peace committee; two mediators of the partner NGO",
        "Three sessions on disputes over houses occupied during displacement.",
        "The families agreed on a local mediation committee (two returnees, two host "
        "family members, one displaced person, the mukhtar) to hear house disputes "
        "before they go to court.",
        {
            ("returnee", "female", "18-59"): 9,
            ("returnee", "male", "18-59"): 11,
            ("host", "female", "18-59"): 6,
            ("host", "male", "60+"): 5,
            ("idp", "male", "18-59"): 4,
            ("elders", "male", "60+"): 3,
        },
        4,
    ),
    (
        "reconciliation",
        "Rabia reconciliation meeting: returnees and host community",
        "rabia",
        1,
        25,
        True,
        "Rabia district reconciliation committee; tribal and religious leaders",
        "A meeting to ease tensions over access to grazing land and the new market.",
        "A timetable for shared use of the grazing land; the market committee will have "
        "returnee and host members.",
        {
            ("returnee", "male", "18-59"): 14,
            ("host", "male", "18-59"): 12,
            ("idp", "female", "18-59"): 5,
            ("religious", "male", "60+"): 3,
            ("women", "female", "18-59"): 6,
        },
        3,
    ),
    (
        "civic",
        "Youth volunteering day: cleaning the Zakho riverside",
        "zakho",
        2,
        18,
        False,
        "Zakho youth council",
        "Displaced and host young people clean the riverside park together.",
        "120 bags of rubbish collected; the municipality will add bins; the youth "
        "council will repeat it every season.",
        {
            ("youth", "female", "0-17"): 14,
            ("youth", "male", "0-17"): 17,
            ("youth", "female", "18-59"): 9,
            ("youth", "male", "18-59"): 11,
        },
        3,
    ),
    (
        "governance",
        "Local governance forum with the Sinjar district council: water and schools",
        "sinjar",
        0,
        10,
        True,
        "District council members; the centre's community officer",
        "Residents present the needs ranked in the community assessment to the council.",
        "The council committed to finish the water network before winter and to ask the "
        "education directorate for two more teachers.",
        {
            ("authorities", "male", "18-59"): 5,
            ("elders", "male", "60+"): 6,
            ("women", "female", "18-59"): 12,
            ("returnee", "male", "18-59"): 9,
            ("disability", "male", "18-59"): 2,
        },
        0,
    ),
    (
        "civic",
        "Women's participation in local decision-making",
        "zakho",
        2,
        -12,
        False,
        "Women's committee of the Zakho centre",
        "A workshop on how the municipal council works and how to raise a matter with it.",
        "",
        {},
        0,
    ),
    (
        "social",
        "Football tournament for displaced and host youth",
        "rabia",
        None,
        -20,
        True,
        "Rabia sports club",
        "Eight mixed teams of displaced, returnee and host young men.",
        "",
        {},
        0,
    ),
]


def _community(admin: Any, key: str) -> Community:
    names, pcode, name, _name_ar, population = COMMUNITIES[key]
    condition = Q(admin_unit__pcode=pcode)
    for n in names:
        condition |= Q(name__icontains=n)
    found = Community.objects.filter(condition, programme__code="CRP").order_by("pk").first()
    if found is not None:
        return found
    from sanad.revitalization.services.communities.communities import community_create

    return community_create(
        user=admin,
        name=name,
        admin_unit=AdminUnit.objects.get(pcode=pcode),
        population=population,
        population_source="Local authority estimate, 2026",
    )


def _people(governorate: str, n: int, rng: random.Random, taken: set[int]) -> list[Individual]:
    """`n` current adult members of active households of the governorate."""
    adults_born_before = today().replace(year=today().year - 18)
    pool = list(
        Individual.objects.filter(
            household__status=Household.Status.ACTIVE,
            household__governorate__pcode=governorate,
            status=Individual.Status.ACTIVE,
            date_of_birth__lte=adults_born_before,
        )
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    chosen = rng.sample(pool, min(n, len(pool)))
    taken.update(chosen)
    return list(Individual.objects.filter(pk__in=chosen).order_by("pk"))


def _visits(officer: Any, centre: CommunityCentre, rng: random.Random) -> int:
    if centre.days.exists():
        return 0
    written = 0
    for back in range(29, -1, -1):
        day = today() - datetime.timedelta(days=back)
        if day.weekday() == 4 or (centre.opened_on and day < centre.opened_on):
            continue  # Friday: closed
        female, male = rng.randint(8, 32), rng.randint(6, 26)
        services.centre_visits_record(
            user=officer,
            centre=centre,
            day=day,
            visitors_female=female,
            visitors_male=male,
            information_requests=rng.randint((female + male) // 2, female + male),
            referrals=rng.randint(0, 5),
        )
        written += 1
    return written


def seed(*, admin: Any, users: dict[str, Any], seed: int = 12) -> dict[str, int]:
    rng = random.Random(seed)
    officer = users.get("crp.officer") or admin
    project = Project.objects.filter(code=PROJECT).first()
    communities = {key: _community(admin, key) for key in COMMUNITIES}

    centres: list[CommunityCentre] = []
    new_centres = 0
    for key, name, hours, offered, phone, opened in CENTRES:
        centre = CommunityCentre.objects.filter(name=name).first()
        if centre is None:
            centre = services.centre_create(
                user=admin,
                name=name,
                community=communities[key],
                opening_hours=hours,
                services=offered,
                phone=phone,
                opened_on=opened,
            )
            new_centres += 1
        centres.append(centre)
    days = sum(_visits(officer, centre, rng) for centre in centres)

    cases = 0
    logged = {c.pk for c in centres if c.cases.exists()}
    for index, category, text, person, response in CASES:
        centre = centres[index]
        if centre.pk in logged:
            continue
        data: dict[str, Any] = {"anonymous": person is None, "preferred_response": response}
        if person is not None:
            name, sex, age = person
            household = (
                Household.objects.filter(
                    status=Household.Status.ACTIVE,
                    governorate_id=centre.governorate_id,
                )
                .order_by("pk")[rng.randint(0, 40) :]
                .first()
            )
            data.update(
                caller_name=name,
                caller_phone=f"0750 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                caller_sex=sex,
                caller_age_group=age,
                household=household.registration_id if household else None,
            )
        services.centre_case_log(
            user=officer, centre=centre, category=category, description=text, **data
        )
        cases += 1

    activities = participants = 0
    taken: set[int] = set()
    for (
        kind,
        title,
        key,
        centre_index,
        days_ago,
        with_project,
        facilitators,
        description,
        outcomes,
        grid,
        registered,
    ) in ACTIVITIES:
        if CohesionActivity.objects.filter(title=title).exists():
            continue
        community = communities[key]
        day = today() - datetime.timedelta(days=days_ago)
        # Every activity with registered participants is attributed to the donor project
        # (their ledger records name it).
        use_project = (
            project
            if (with_project or registered)
            and project is not None
            and project.start_date <= day <= (project.end_date or day)
            else None
        )
        activity = services.activity_create(
            user=officer,
            kind=kind,
            title=title,
            community=community,
            centre=centres[centre_index] if centre_index is not None else None,
            project=use_project,
            held_on=day,
            facilitators=facilitators,
            description=description,
        )
        activities += 1
        for individual in _people(community.governorate.pcode, registered, rng, taken):
            services.activity_participant_add(
                user=officer, activity=activity, individual=individual
            )
            participants += 1
        if outcomes:
            services.activity_hold(
                user=officer, activity=activity, outcomes=outcomes, participation=grid
            )
    return {
        "community centres": new_centres,
        "centre visit days": days,
        "complaints at centres": cases,
        "social-cohesion activities": activities,
        "registered participants": participants,
    }
