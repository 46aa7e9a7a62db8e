"""The vocational training demo: two providers and four courses, made through the
services with people of the registry as trainees.

- Duhok: plumbing (finished: attendance, final results, completions with certificates,
  a drop-out, follow-ups at 3 and 6 months) and tailoring (running: half of its sessions
  held, a drop-out).
- Ninewa: electrical installation (finished, in the Japan-funded project when its dates
  fit: one trainee without a result, follow-ups at 3 months) and computer skills
  (planned, trainees enrolled, in the GFFO project when its dates fit).

Trainees are active members of active households of the governorate (IDPs, returnees
and host community, women and men), mostly aged 18 to 35. A few attend too little to
complete. Dates are set around today so that every session and follow-up is in the
past. Idempotent: a course whose title exists already is left as it is."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.derive import age_on
from sanad.registry.models import Individual
from sanad.revitalization.models import (
    Community,
    Course,
    Enrolment,
    PlacementFollowUp,
    TrainingProvider,
)
from sanad.revitalization.services import training as services

DUHOK, NINEWA = "IQG09", "IQG15"
PROVIDERS: tuple[dict[str, Any], ...] = (
    {
        "name": "Duhok Vocational Training Centre",
        "kind": "vocational_centre",
        "accredited": True,
        "contact_name": "Shivan Haji",
        "phone": "07504123456",
    },
    {
        "name": "Al-Noor Institute for Skills, Mosul",
        "kind": "institute",
        "accredited": True,
        "contact_name": "Omar Al-Taie",
        "phone": "07701234567",
    },
)
# title, trade, governorate, provider index, start (days from today), planned sessions,
# places, trainees, share of women, project code, stage.
COURSES: tuple[tuple[Any, ...], ...] = (
    (
        "Plumbing and pipe fitting",
        "plumbing",
        DUHOK,
        0,
        -240,
        12,
        18,
        16,
        0.2,
        "CRP-JPN-2026-01",
        "finished",
    ),
    (
        "Tailoring and garment making",
        "tailoring",
        DUHOK,
        0,
        -30,
        16,
        20,
        18,
        0.85,
        "CRP-JPN-2026-01",
        "running",
    ),
    (
        "Electrical installation for homes",
        "electrical",
        NINEWA,
        1,
        -200,
        10,
        16,
        15,
        0.15,
        "CRP-JPN-2026-01",
        "finished",
    ),
    (
        "Computer skills and office software",
        "computing",
        NINEWA,
        1,
        40,
        12,
        16,
        12,
        0.5,
        "CRP-GFFO-2027-01",
        "planned",
    ),
)
TOPICS = {
    "plumbing": (
        "Safety and tools",
        "Pipe materials",
        "Measuring and cutting",
        "Threading and joints",
        "Water supply lines",
        "Drainage and traps",
        "Water heaters",
        "Tanks and pumps",
        "Leak finding",
        "Bathroom fittings",
        "Estimating a job",
        "Practical test",
    ),
    "tailoring": (
        "Sewing machine care",
        "Measurements",
        "Pattern drafting",
        "Cutting fabric",
        "Seams and finishes",
        "Sleeves and collars",
        "Children's clothes",
        "Dishdasha",
        "Repairs and alterations",
        "Embroidery",
        "Pricing",
        "Selling",
        "Dresses",
        "Quality",
        "Portfolio",
        "Final piece",
    ),
    "electrical": (
        "Electrical safety",
        "Circuits and loads",
        "Wires and cables",
        "Switches and sockets",
        "Distribution boards",
        "Earthing",
        "Generators and ampere lines",
        "Solar basics",
        "Fault finding",
        "Practical test",
    ),
}
EMPLOYERS = {
    "plumbing": ("Zakho Building Services", "Nahla Construction", "Duhok Municipality works"),
    "electrical": ("Mosul Power Services", "Al-Rashidiya contractors", "Nineveh Solar"),
}


def _project(code: str, starts_on: datetime.date, ends_on: datetime.date) -> Project | None:
    project = Project.objects.filter(code=code).exclude(status=Project.Status.CLOSED).first()
    if project is None or starts_on < project.start_date or ends_on > project.end_date:
        return None
    return project


def _trainees(
    governorate: str,
    starts_on: datetime.date,
    count: int,
    women: float,
    rnd: random.Random,
    taken: set[int],
) -> list[Individual]:
    """People of the governorate's active households for a course: one per household,
    aged 18 to 35 on the start where possible (15 and over otherwise), the share of women
    asked for, displacement groups taken in turn."""
    people = list(
        Individual.objects.filter(
            status=Individual.Status.ACTIVE,
            household__status="active",
            household__governorate__pcode=governorate,
            date_of_birth__lte=starts_on - datetime.timedelta(days=15 * 366),
        )
        .select_related("household")
        .order_by("pk")[:4000]
    )
    people = [p for p in people if age_on(p.date_of_birth, starts_on) >= 15]
    rnd.shuffle(people)
    people.sort(key=lambda p: not 18 <= age_on(p.date_of_birth, starts_on) <= 35)
    pools: dict[tuple[str, str], list[Individual]] = defaultdict(list)
    for person in people:
        status = person.household.displacement_status
        group = (
            "returnee" if status == "returnee" else "host" if status == "host_community" else "idp"
        )
        pools[(person.sex, group)].append(person)
    chosen: list[Individual] = []
    households: set[int] = set()
    want_women = round(count * women)
    for sex, wanted in (("female", want_women), ("male", count - want_women)):
        got = 0
        while got < wanted and any(pools[(sex, g)] for g in ("idp", "returnee", "host")):
            for group in ("idp", "returnee", "host"):
                pool = pools[(sex, group)]
                while pool and got < wanted:
                    person = pool.pop(0)
                    if person.pk in taken or person.household_id in households:
                        continue
                    chosen.append(person)
                    households.add(person.household_id)
                    taken.add(person.pk)
                    got += 1
                    break
    # Too few of one sex: fill the course with the others.
    for person in people:
        if len(chosen) >= count:
            break
        if person.pk not in taken and person.household_id not in households:
            chosen.append(person)
            households.add(person.household_id)
            taken.add(person.pk)
    return chosen


def _hold(
    officer: Any,
    course: Course,
    sessions: int,
    rnd: random.Random,
    *,
    weak: int = 2,
    last_day: datetime.date,
) -> None:
    """Hold `sessions` sessions two or three days apart; `weak` trainees attend about
    half of them, the others nearly all."""
    rows = list(course.enrolments.filter(status="enrolled").order_by("id"))
    presence = {
        e.pk: 0.5 if i < weak else rnd.choice((0.9, 0.95, 1.0, 1.0))
        for i, e in enumerate(rnd.sample(rows, len(rows)))
    }
    topics = TOPICS.get(course.trade, ())
    day = course.starts_on
    for n in range(sessions):
        if day > last_day:
            break
        present = [e for e in rows if rnd.random() < presence[e.pk]]
        services.session_record(
            user=officer,
            course=course,
            held_on=day,
            present=present,
            topic=topics[n] if n < len(topics) else "",
            hours=Decimal(4),
        )
        day += datetime.timedelta(days=rnd.choice((2, 3, 4)))


def _follow_up(
    officer: Any, course: Course, months: int, rnd: random.Random, today: datetime.date
) -> int:
    made = 0
    employers = EMPLOYERS.get(course.trade, ("Local workshop",))
    for e in Enrolment.objects.filter(course=course, status="completed").order_by("id"):
        day = (e.completed_on or course.ends_on) + datetime.timedelta(days=months * 30 + 2)
        if day > today:
            continue
        draw = rnd.random()
        outcome = (
            "employed"
            if draw < 0.35
            else "self_employed"
            if draw < 0.6
            else "apprentice"
            if draw < 0.7
            else "seeking"
            if draw < 0.9
            else "unreachable"
        )
        working = outcome in ("employed", "self_employed", "apprentice")
        services.placement_record(
            user=officer,
            enrolment=e,
            followed_on=day,
            months_after=months,
            outcome=outcome,
            employer=(
                rnd.choice(employers)
                if outcome in ("employed", "apprentice")
                else ("Own workshop" if outcome == "self_employed" else "")
            ),
            uses_skills=(True if working else rnd.choice((False, None)))
            if outcome != "unreachable"
            else None,
            monthly_income_iqd=rnd.choice((250000, 350000, 450000, 600000)) if working else None,
        )
        made += 1
    return made


def seed(*, admin: Any, users: dict[str, Any], seed: int = 12) -> dict[str, int]:
    officer = users.get("crp.officer") or admin
    rnd = random.Random(seed)
    today = timezone.localdate()
    providers = []
    for data in PROVIDERS:
        provider = TrainingProvider.objects.filter(name=data["name"]).first()
        providers.append(provider or services.provider_create(user=officer, **data))
    taken: set[int] = set(Enrolment.objects.values_list("individual_id", flat=True))
    for (
        title,
        trade,
        governorate,
        provider_index,
        offset,
        planned,
        places,
        count,
        women,
        project_code,
        stage,
    ) in COURSES:
        if Course.objects.filter(title=title).exists():
            continue
        starts_on = today + datetime.timedelta(days=offset)
        ends_on = starts_on + datetime.timedelta(days=planned * 3 + 10)
        community = (
            Community.objects.filter(governorate__pcode=governorate, programme__code="CRP")
            .order_by("pk")
            .first()
        )
        course = services.course_create(
            user=officer,
            title=title,
            trade=trade,
            provider=providers[provider_index],
            governorate=AdminUnit.objects.get(pcode=governorate),
            community=community,
            venue=f"{providers[provider_index].name}, workshop {rnd.randint(1, 4)}",
            starts_on=starts_on,
            ends_on=ends_on,
            planned_sessions=planned,
            capacity=places,
            project=_project(project_code, starts_on, ends_on) if project_code else None,
            min_attendance=Decimal(80),
            final_assessment=True,
        )
        enrolled_on = min(starts_on - datetime.timedelta(days=10), today)
        for person in _trainees(governorate, starts_on, count, women, rnd, taken):
            services.enrolment_create(
                user=officer, course=course, individual=person, enrolled_on=enrolled_on
            )
        if stage == "planned":
            continue
        rows = list(course.enrolments.order_by("id"))
        if len(rows) > 3:
            services.enrolment_drop_out(
                user=officer,
                enrolment=rows[-1],
                reason="Found daily work and could not attend"
                if stage == "finished"
                else "Family moved back to the area of origin",
            )
        held = planned if stage == "finished" else planned // 2
        _hold(officer, course, held, rnd, weak=2 if stage == "finished" else 1, last_day=today)
        if stage != "finished":
            continue
        enrolled = list(course.enrolments.filter(status="enrolled").order_by("id"))
        results: dict[Any, bool | None] = {}
        for i, e in enumerate(enrolled):
            results[e] = False if i == 1 else (None if trade == "electrical" and i == 2 else True)
        services.assessment_record(user=officer, course=course, results=results)
        services.course_finish(user=officer, course=course)
        _follow_up(officer, course, 3, rnd, today)
        if trade == "plumbing":
            _follow_up(officer, course, 6, rnd, today)
    titles = [c[0] for c in COURSES]
    demo = Enrolment.objects.filter(course__title__in=titles)
    return {
        "training providers": TrainingProvider.objects.filter(
            name__in=[p["name"] for p in PROVIDERS]
        ).count(),
        "courses": Course.objects.filter(title__in=titles).count(),
        "trainees": demo.count(),
        "certificates": demo.filter(status="completed").count(),
        "placement follow-ups": PlacementFollowUp.objects.filter(enrolment__in=demo).count(),
    }
