"""The revitalization demo, part A: eight communities of Duhok and Ninewa (real
sub-district P-codes), five participatory assessments (three endorsed, one completed,
one draft) with who took part and ranked needs (one tie), three contractors, and six
infrastructure projects across their statuses (two handed over with the people
benefiting and how they were estimated, one completed, two in progress with milestones,
one proposed) with cash-for-work workers from the registry paid through the ledger.

Everything goes through the services, as the officers "crp.officer" and "crp.lead"
would. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    Community,
    CommunityAssessment,
    Contractor,
    InfrastructureProject,
    Need,
    ProjectWorker,
    WorkerPayment,
)
from sanad.revitalization.services import communities as cs
from sanad.revitalization.services import infrastructure as inf

D = datetime.date
RATE = Decimal("1310")

# key: (name, sub-district P-code, population, source, notes)
COMMUNITIES: dict[str, tuple[str, str, int, str, str]] = {
    "sinjar": (
        "Sinjar town",
        "IQG15Q07N03",
        38000,
        "DTM return index, round 21 (2026)",
        "Returnees since 2019; water and schools damaged in 2014–2015.",
    ),
    "sununi": (
        "Sununi",
        "IQG15Q07N02",
        24000,
        "Sinjar district council, January 2026",
        "North of the mountain; Yazidi returnees and families still in Duhok camps.",
    ),
    "zummar": (
        "Zummar",
        "IQG15Q08N03",
        31000,
        "Mukhtars of the town's quarters, February 2026",
        "Mixed Arab and Kurdish town on the Tigris; the electricity network is old.",
    ),
    "rabia": (
        "Rabia",
        "IQG15Q08N04",
        21000,
        "Local authority estimate, 2026",
        "Border town with Syria; host community and returnees.",
    ),
    "bashiqa": (
        "Bashiqa",
        "IQG15Q05N03",
        27000,
        "DTM master list, round 130",
        "Yazidi, Christian and Shabak families returned since 2017.",
    ),
    "telafar": (
        "Tel Afar – Al-Wahda quarter",
        "IQG15Q08N01",
        14500,
        "Tel Afar municipality, 2025 count",
        "Quarter with many returnee households; roads unpaved since 2017.",
    ),
    "sumel": (
        "Sumel town",
        "IQG09Q03N03",
        29000,
        "Duhok statistics directorate, 2025",
        "Host community next to camps of displaced people from Sinjar.",
    ),
    "zakho": (
        "Zakho – Nazarki quarter",
        "IQG09Q04N01",
        12000,
        "Mukhtar of Nazarki, March 2026",
        "Quarter hosting displaced families renting next to host households.",
    ),
}

CONTRACTORS = (
    ("Al-Rafidain General Contracting", "NIN-2019-0447", "Yousif Khalil", "0770 512 4410"),
    ("Sinjar Reconstruction Company", "NIN-2021-1132", "Khairi Elias", "0750 330 9127"),
    ("Zakho Builders Co.", "KRG-DHK-8812", "Nechirvan Ali", "0750 448 2093"),
)

# community, held on, method, venue, facilitators, summary,
# participation {(group, sex, age): n}, needs [(sector, description, votes or scores, cost)],
# resources [(kind, description)], chosen needs (indexes), endorsement or None, final status
ASSESSMENTS: list[dict[str, Any]] = [
    {
        "community": "sinjar",
        "held_on": D(2026, 1, 20),
        "method": "votes",
        "venue": "Sinjar cultural centre",
        "facilitators": "Hozan Salih, Nadia Khalaf (IOM); Murad Qasim (mukhtar)",
        "summary": "Three sessions (women, youth, elders) then a plenary vote: each "
        "participant had three votes. Water and schools came first; the health "
        "centre tied with the school.",
        "participation": {
            ("returnee", "female", "18-59"): 26,
            ("returnee", "male", "18-59"): 31,
            ("women", "female", "18-59"): 18,
            ("youth", "female", "0-17"): 6,
            ("youth", "male", "0-17"): 9,
            ("elders", "male", "60+"): 11,
            ("elders", "female", "60+"): 4,
            ("disability", "male", "18-59"): 3,
            ("authorities", "male", "18-59"): 2,
        },
        "needs": [
            ("water", "Rehabilitate the water network of the southern quarters", 38, "410000"),
            ("education", "Repair the Al-Nour primary school", 31, "185000"),
            ("health", "Reopen the primary health centre", 31, "240000"),
            ("roads", "Pave the road to the market", 12, "95000"),
            ("markets", "Rebuild the covered market stalls", 9, "60000"),
        ],
        "resources": [
            ("labour", "About 60 skilled and unskilled workers ready for cash for work"),
            ("land", "Municipal plot next to the school for the pumping station"),
            ("organisation", "Water users' committee of the southern quarters"),
        ],
        "chosen": [0, 1],
        "endorsement": ("Ninewa Provincial Council", D(2026, 2, 18), "NPC/2026/0214"),
    },
    {
        "community": "zummar",
        "held_on": D(2026, 2, 3),
        "method": "scores",
        "venue": "Zummar youth centre",
        "facilitators": "Layla Hassan, Karwan Yousif (IOM)",
        "summary": "Four groups (returnees, host community, women, youth) each scored "
        "every need from 1 to 5. Sanitation was raised late and not scored.",
        "participation": {
            ("returnee", "male", "18-59"): 14,
            ("returnee", "female", "18-59"): 11,
            ("host", "male", "18-59"): 12,
            ("host", "female", "18-59"): 9,
            ("women", "female", "18-59"): 13,
            ("youth", "male", "0-17"): 7,
            ("youth", "female", "0-17"): 5,
        },
        "needs": [
            ("electricity", "Replace the transformers of the old quarters", [5, 4, 5, 4], "220000"),
            ("markets", "Rehabilitate the vegetable market", [4, 4, 3, 4], "90000"),
            ("roads", "Repair the river road", [3, 4, 3, 3], "130000"),
            ("sanitation", "Clean the drainage channels", [], "40000"),
        ],
        "resources": [
            ("equipment", "The municipality lends a crane and a truck"),
            ("funds", "Traders' association offers 5,000,000 IQD for the market"),
        ],
        "chosen": [0, 1],
        "endorsement": ("Ninewa Governor's Office", D(2026, 3, 1), "NGO/DEV/2026/118"),
    },
    {
        "community": "sumel",
        "held_on": D(2026, 1, 27),
        "method": "votes",
        "venue": "Sumel municipality hall",
        "facilitators": "Hozan Salih (IOM); Shirin Haji (Sumel women's union)",
        "summary": "Host community and displaced families from the nearby camps voted "
        "together; flooding of the lower streets every winter came first.",
        "participation": {
            ("host", "male", "18-59"): 21,
            ("host", "female", "18-59"): 17,
            ("idp", "male", "18-59"): 12,
            ("idp", "female", "18-59"): 15,
            ("elders", "male", "60+"): 6,
            ("religious", "male", "60+"): 2,
        },
        "needs": [
            ("sanitation", "Storm-water drainage of the lower streets", 27, "160000"),
            ("social", "A park and playground for children", 15, "45000"),
            ("roads", "Sidewalks on the main road", 8, "70000"),
        ],
        "resources": [("building", "An empty municipal building for a youth club")],
        "chosen": [0],
        "endorsement": ("Duhok Governor's Office", D(2026, 2, 25), "DGO/PLN/2026/77"),
    },
    {
        "community": "bashiqa",
        "held_on": D(2026, 4, 14),
        "method": "scores",
        "venue": "Mar Korkis church hall",
        "facilitators": "Layla Hassan (IOM); Father Yohanna; Sheikh Adnan",
        "summary": "Groups of Yazidi, Christian and Shabak residents scored the needs; "
        "the youth centre and the olive press tied.",
        "participation": {
            ("returnee", "male", "18-59"): 16,
            ("returnee", "female", "18-59"): 14,
            ("religious", "male", "60+"): 3,
            ("youth", "male", "0-17"): 8,
            ("youth", "female", "0-17"): 8,
            ("women", "female", "18-59"): 10,
        },
        "needs": [
            ("social", "A youth centre shared by the three communities", [5, 4, 4], "120000"),
            ("agriculture", "Repair the cooperative olive press", [4, 5, 4], "75000"),
            ("health", "An ambulance for the health centre", [3, 3, 4], "50000"),
        ],
        "resources": [
            ("organisation", "Olive growers' cooperative (140 members)"),
            ("land", "Church land offered for the youth centre"),
        ],
        "chosen": [],
        "endorsement": None,
    },
    {
        "community": "rabia",
        "held_on": D(2026, 10, 28),
        "method": "votes",
        "venue": "Rabia secondary school",
        "facilitators": "Hozan Salih (IOM)",
        "summary": "First session; the women's session is planned for next week.",
        "participation": {
            ("host", "male", "18-59"): 19,
            ("returnee", "male", "18-59"): 13,
            ("authorities", "male", "18-59"): 2,
        },
        "needs": [
            ("water", "Extend the water network to the new quarter", 22, "150000"),
            ("education", "Two classrooms for the girls' school", 17, "60000"),
        ],
        "resources": [],
        "chosen": [],
        "endorsement": None,
        "draft": True,
    },
]


def _user(users: dict[str, Any], name: str, admin: Any) -> Any:
    return users.get(name) or admin


def _people(governorate: str, n: int, rng: random.Random, taken: set[int]) -> list[Individual]:
    """`n` working-age current members of active households of the governorate, from
    different households when possible."""
    pool = list(
        Individual.objects.filter(
            household__status=Household.Status.ACTIVE,
            household__governorate__pcode=governorate,
            status=Individual.Status.ACTIVE,
            date_of_birth__lte=D(2008, 1, 1),
            date_of_birth__gte=D(1966, 1, 1),
        )
        .exclude(pk__in=taken)
        .select_related("household")
        .order_by("pk")[:600]
    )
    rng.shuffle(pool)
    chosen: list[Individual] = []
    households: set[int] = set()
    for person in pool:
        if len(chosen) == n:
            break
        if person.household_id in households:
            continue
        chosen.append(person)
        households.add(person.household_id)
        taken.add(person.pk)
    return chosen


def _assessments(officer: Any, communities: dict[str, Community]) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for spec in ASSESSMENTS:
        community = communities[spec["community"]]
        assessment = cs.assessment_create(
            user=officer,
            community=community,
            held_on=spec["held_on"],
            venue=spec["venue"],
            facilitators=spec["facilitators"],
            method=spec["method"],
            summary=spec["summary"],
        )
        cs.assessment_participation_set(
            user=officer, assessment=assessment, counts=spec["participation"]
        )
        needs = []
        for sector, description, value, cost in spec["needs"]:
            votes_or_scores = {"scores": value} if spec["method"] == "scores" else {"votes": value}
            needs.append(
                cs.need_add(
                    user=officer,
                    assessment=assessment,
                    sector=sector,
                    description=description,
                    estimated_cost=Decimal(cost),
                    **votes_or_scores,
                )
            )
        for kind, description in spec["resources"]:
            cs.resource_add(user=officer, assessment=assessment, kind=kind, description=description)
        if not spec.get("draft"):
            cs.assessment_complete(user=officer, assessment=assessment)
            if spec["chosen"]:
                cs.assessment_select_needs(
                    user=officer,
                    assessment=assessment,
                    needs=[needs[i] for i in spec["chosen"]],
                )
            if spec["endorsement"]:
                authority, day, letter = spec["endorsement"]
                cs.assessment_endorse(
                    user=officer,
                    assessment=assessment,
                    endorsed_by=authority,
                    endorsed_on=day,
                    endorsement_reference=letter,
                )
        made[spec["community"]] = (assessment, needs)
    return made


def _from_need(
    officer: Any,
    need: Need,
    *,
    budget: str,
    currency: str,
    donor: Project | None,
    contractor: Contractor,
    contract: str,
    starts_on: D,
    planned_end_on: D,
    description: str,
) -> InfrastructureProject:
    defaults = inf.project_defaults_from_need(need)
    return inf.project_create(
        user=officer,
        title=defaults["title"],
        kind=defaults["kind"],
        community=defaults["community"],
        need=need,
        project=donor,
        budget=Decimal(budget),
        currency=currency,
        exchange_rate=RATE,
        contractor=contractor,
        contract_number=contract,
        starts_on=starts_on,
        planned_end_on=planned_end_on,
        description=description,
    )


def _milestones(
    officer: Any, project: InfrastructureProject, stages: list[tuple[str, str, D]]
) -> list[Any]:
    return inf.milestones_set(
        user=officer,
        project=project,
        rows=[
            {"order": i, "name": name, "weight": weight, "due_on": due}
            for i, (name, weight, due) in enumerate(stages, start=1)
        ],
    )


def _workers(
    officer: Any,
    project: InfrastructureProject,
    people: list[Individual],
    rate: str,
    roles: tuple[str, ...],
) -> list[ProjectWorker]:
    return [
        inf.worker_add(
            user=officer,
            project=project,
            individual=person,
            daily_rate=Decimal(rate),
            role=roles[i % len(roles)],
        )
        for i, person in enumerate(people)
    ]


def _pay(
    officer: Any,
    workers: list[ProjectWorker],
    periods: list[tuple[D, D, D]],
    rng: random.Random,
) -> int:
    n = 0
    for worker in workers:
        for start, end, paid in periods:
            length = (end - start).days + 1
            days = Decimal(rng.randint(max(1, length - 6), length - 2))
            inf.worker_payment_record(
                user=officer,
                worker=worker,
                period_start=start,
                period_end=end,
                days=days,
                paid_on=paid,
            )
            n += 1
    return n


def _finish(
    officer: Any, project: InfrastructureProject, milestones: list[Any], completed_on: D
) -> InfrastructureProject:
    for milestone in milestones:
        inf.milestone_progress(user=officer, milestone=milestone, progress=100)
    return inf.project_complete(user=officer, project=project, completed_on=completed_on)


def seed(*, admin: Any, users: dict[str, Any], seed: int = 12) -> dict[str, int]:
    """Communities, assessments and infrastructure (see the module's docstring)."""
    if Community.objects.filter(code__startswith="COM-IQG").exists():
        return _counts()
    rng = random.Random(seed)
    officer = _user(users, "crp.officer", admin)
    lead = _user(users, "crp.lead", admin)
    communities = {
        key: cs.community_create(
            user=officer,
            name=name,
            admin_unit=AdminUnit.objects.get(pcode=pcode),
            population=population,
            population_source=source,
            notes=notes,
        )
        for key, (name, pcode, population, source, notes) in COMMUNITIES.items()
    }
    contractors = [
        inf.contractor_create(
            user=officer, name=name, registration_number=number, contact_name=contact, phone=phone
        )
        for name, number, contact, phone in CONTRACTORS
    ]
    rafidain, sinjar_co, zakho_co = contractors
    made = _assessments(officer, communities)
    donor = (
        Project.objects.filter(code="CRP-JPN-2026-01").first()
        or Project.objects.filter(programme__code="CRP", status=Project.Status.ACTIVE).first()
    )
    taken: set[int] = set()

    # 1. Sinjar water network: handed over, cash-for-work paid.
    _assessment, sinjar_needs = made["sinjar"]
    water = _from_need(
        officer,
        sinjar_needs[0],
        budget="395000",
        currency="USD",
        donor=donor,
        contractor=sinjar_co,
        contract="IOM-CRP-2026-011",
        starts_on=D(2026, 3, 15),
        planned_end_on=D(2026, 7, 31),
        description="8.2 km of distribution pipes, a pumping station and 1,300 house "
        "connections in the southern quarters.",
    )
    inf.project_start(user=officer, project=water, starts_on=D(2026, 3, 15))
    water_stages = _milestones(
        officer,
        water,
        [
            ("Survey and trenching", "20", D(2026, 4, 15)),
            ("Pipes laid and tested", "45", D(2026, 6, 15)),
            ("Pumping station", "25", D(2026, 7, 15)),
            ("House connections", "10", D(2026, 7, 31)),
        ],
    )
    water_people = _people("IQG15", 10, rng, taken)
    water_workers = _workers(
        officer, water, water_people, "25", ("Labourer", "Labourer", "Pipe fitter", "Mason")
    )
    _pay(
        officer,
        water_workers,
        [
            (D(2026, 4, 1), D(2026, 4, 15), D(2026, 4, 16)),
            (D(2026, 4, 16), D(2026, 4, 30), D(2026, 5, 3)),
            (D(2026, 5, 1), D(2026, 5, 15), D(2026, 5, 17)),
        ],
        rng,
    )
    water = _finish(officer, water, water_stages, D(2026, 7, 28))
    inf.project_population_set(
        user=officer,
        project=water,
        population_served=8400,
        estimation_method="connections",
        estimation_note="1,300 households connected × 6.5 people per household (DTM return "
        "index round 21 for Sinjar town) ≈ 8,450, rounded down to 8,400.",
    )
    inf.project_hand_over(
        user=lead,
        project=water,
        handover_authority="Sinjar water directorate (Ninewa Water Directorate)",
        handover_on=D(2026, 8, 10),
        handover_reference="NWD/SIN/2026/045",
    )

    # 2. Sumel storm-water drainage: handed over.
    _assessment, sumel_needs = made["sumel"]
    drainage = _from_need(
        officer,
        sumel_needs[0],
        budget="205000000",
        currency="IQD",
        donor=donor,
        contractor=zakho_co,
        contract="IOM-CRP-2026-014",
        starts_on=D(2026, 4, 1),
        planned_end_on=D(2026, 9, 30),
        description="Covered channels along four lower streets and two outfalls to the river.",
    )
    inf.project_start(user=officer, project=drainage, starts_on=D(2026, 4, 5))
    drainage_stages = _milestones(
        officer,
        drainage,
        [
            ("Excavation", "30", D(2026, 5, 15)),
            ("Channels cast and covered", "50", D(2026, 8, 15)),
            ("Outfalls and reinstatement", "20", D(2026, 9, 15)),
        ],
    )
    drainage_people = _people("IQG09", 6, rng, taken)
    drainage_workers = _workers(officer, drainage, drainage_people, "30000", ("Labourer",))
    _pay(
        officer,
        drainage_workers,
        [
            (D(2026, 5, 1), D(2026, 5, 15), D(2026, 5, 18)),
            (D(2026, 5, 16), D(2026, 5, 31), D(2026, 6, 2)),
        ],
        rng,
    )
    drainage = _finish(officer, drainage, drainage_stages, D(2026, 9, 20))
    inf.project_population_set(
        user=officer,
        project=drainage,
        population_served=6200,
        estimation_method="catchment",
        estimation_note="Households of the four lower streets counted by the municipality "
        "(940) × 6.6 people per household (Duhok statistics 2025).",
    )
    inf.project_hand_over(
        user=lead,
        project=drainage,
        handover_authority="Sumel municipality",
        handover_on=D(2026, 10, 5),
        handover_reference="SML/MUN/2026/312",
    )

    # 3. Zummar transformers: completed, handover pending.
    _assessment, zummar_needs = made["zummar"]
    power = _from_need(
        officer,
        zummar_needs[0],
        budget="212000",
        currency="USD",
        donor=donor,
        contractor=rafidain,
        contract="IOM-CRP-2026-019",
        starts_on=D(2026, 5, 1),
        planned_end_on=D(2026, 9, 30),
        description="Six 400 kVA transformers and the low-voltage lines of the old quarters.",
    )
    inf.project_start(user=officer, project=power, starts_on=D(2026, 5, 3))
    power_stages = _milestones(
        officer,
        power,
        [
            ("Transformers delivered", "40", D(2026, 6, 30)),
            ("Installed and connected", "60", D(2026, 9, 15)),
        ],
    )
    _finish(officer, power, power_stages, D(2026, 10, 30))
    inf.project_population_set(
        user=officer,
        project=power,
        population_served=11500,
        estimation_method="connections",
        estimation_note="1,760 subscribers on the six transformers (Zummar electricity "
        "office) × 6.5 people per household.",
    )

    # 4. Sinjar school: in progress, milestones and workers paid (one of the water
    # network's workers works here too: the same person is counted once).
    school = _from_need(
        officer,
        sinjar_needs[1],
        budget="178000",
        currency="USD",
        donor=donor,
        contractor=sinjar_co,
        contract="IOM-CRP-2026-023",
        starts_on=D(2026, 8, 1),
        planned_end_on=D(2026, 12, 20),
        description="Roof, twelve classrooms, latrines and the water tank of Al-Nour school.",
    )
    inf.project_start(user=officer, project=school, starts_on=D(2026, 8, 3))
    school_stages = _milestones(
        officer,
        school,
        [
            ("Roof", "35", D(2026, 9, 15)),
            ("Classrooms", "40", D(2026, 11, 15)),
            ("Latrines and water tank", "25", D(2026, 12, 15)),
        ],
    )
    inf.milestone_progress(user=officer, milestone=school_stages[0], progress=100)
    inf.milestone_progress(
        user=officer,
        milestone=school_stages[1],
        progress=60,
        note="Eight of twelve rooms plastered",
    )
    school_people = [*water_people[:1], *_people("IQG15", 7, rng, taken)]
    school_workers = _workers(officer, school, school_people, "25", ("Labourer", "Painter"))
    _pay(
        officer,
        school_workers,
        [
            (D(2026, 9, 1), D(2026, 9, 15), D(2026, 9, 17)),
            (D(2026, 9, 16), D(2026, 9, 30), D(2026, 10, 2)),
        ],
        rng,
    )

    # 5. Zummar vegetable market: in progress.
    market = _from_need(
        officer,
        zummar_needs[1],
        budget="118000000",
        currency="IQD",
        donor=donor,
        contractor=rafidain,
        contract="IOM-CRP-2026-027",
        starts_on=D(2026, 9, 1),
        planned_end_on=D(2027, 1, 31),
        description="Forty stalls, shade roof, paving and a waste collection point.",
    )
    inf.project_start(user=officer, project=market, starts_on=D(2026, 9, 6))
    market_stages = _milestones(
        officer,
        market,
        [
            ("Demolition and levelling", "15", D(2026, 9, 30)),
            ("Stalls and shade roof", "60", D(2026, 12, 15)),
            ("Paving and waste point", "25", D(2027, 1, 20)),
        ],
    )
    inf.milestone_progress(user=officer, milestone=market_stages[0], progress=100)
    inf.milestone_progress(user=officer, milestone=market_stages[1], progress=30)
    market_people = _people("IQG15", 9, rng, taken)
    market_workers = _workers(
        officer, market, market_people, "32000", ("Labourer", "Welder", "Labourer")
    )
    _pay(
        officer,
        market_workers,
        [
            (D(2026, 9, 15), D(2026, 9, 30), D(2026, 10, 1)),
            (D(2026, 10, 1), D(2026, 10, 15), D(2026, 10, 18)),
        ],
        rng,
    )
    inf.project_population_set(
        user=officer,
        project=market,
        population_served=31000,
        estimation_method="catchment",
        estimation_note="The whole town buys there: population of Zummar from its mukhtars "
        "(February 2026).",
    )

    # 6. Tel Afar quarter road: proposed, waiting for the endorsement.
    inf.project_create(
        user=officer,
        title="Pave the streets of Al-Wahda quarter",
        kind="road",
        community=communities["telafar"],
        project=donor,
        budget=Decimal("145000"),
        currency="USD",
        exchange_rate=RATE,
        planned_end_on=D(2027, 5, 31),
        description="2.4 km of asphalt with side drains; raised by the quarter's committee.",
    )
    return _counts()


def _counts() -> dict[str, int]:
    return {
        "communities": Community.objects.count(),
        "community assessments": CommunityAssessment.objects.count(),
        "infrastructure projects": InfrastructureProject.objects.count(),
        "cash-for-work workers": ProjectWorker.objects.values("individual").distinct().count(),
        "worker payments": WorkerPayment.objects.count(),
    }
