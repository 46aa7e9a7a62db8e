"""Reads of vocational training, always inside the user's scope: providers, courses with
their counts, trainees with their attendance rate, sessions, the outcome that finishing
a course would give each trainee, people of the registry who may be enrolled, the
placement summary of a finished course.

The completion rule is here as a pure function (`completion_decision`) so the page that
previews the finish and the service that finishes decide the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound
from sanad.core.models import StatusTransition
from sanad.core.scoping import has_permission, scoped
from sanad.registry.derive import age_on
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    VIEW,
    Attendance,
    Course,
    Enrolment,
    PlacementFollowUp,
    TrainingProvider,
    TrainingSession,
)

ENROLMENT = Enrolment.Status
REGISTRY_VIEW = "registry.view_household"
MIN_AGE = 15
YOUTH = (18, 35)
# Trainees who hold (or held) a place on a course: everyone but those who dropped out.
HOLDING = (ENROLMENT.ENROLLED, ENROLMENT.COMPLETED, ENROLMENT.NOT_COMPLETED)
WORKING = (PlacementFollowUp.Outcome.EMPLOYED, PlacementFollowUp.Outcome.SELF_EMPLOYED)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- rules shared with the services -------------------------------------------------------


def attendance_rate(present: int, held: int) -> Decimal | None:
    """Sessions attended out of the sessions held, in percent (two decimals); None before
    any session."""
    if held <= 0:
        return None
    return (Decimal(present) * HUNDRED / Decimal(held)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | int | None) -> str:
    """62.50 → "62.5", 80.00 → "80"."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def completion_decision(
    *,
    rate: Decimal | None,
    min_attendance: Decimal,
    final_assessment: bool,
    assessment_passed: bool | None,
) -> tuple[bool, list[str]]:
    """Whether a trainee completes, and the reasons they do not: attendance at least the
    course's minimum, and (when the course has a final assessment) a pass recorded."""
    reasons: list[str] = []
    shown = rate if rate is not None else Decimal(0)
    if shown < min_attendance:
        reasons.append(
            _("attendance %(rate)s%% < %(min)s%%")
            % {"rate": percent_text(shown), "min": percent_text(min_attendance)}
        )
    if final_assessment:
        if assessment_passed is None:
            reasons.append(_("no result recorded"))
        elif not assessment_passed:
            reasons.append(_("final assessment not passed"))
    return not reasons, reasons


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


# --- providers ----------------------------------------------------------------------------


def providers_visible(user: Any, permission: str | None = None) -> QuerySet[TrainingProvider]:
    """Providers (not scoped by place: a provider may teach anywhere), with the number of
    courses each gives that the user can see."""
    courses = scoped(Course.objects.all(), user, VIEW).filter(provider=OuterRef("pk"))
    return scoped(TrainingProvider.objects.all(), user, permission or VIEW).annotate(
        courses_count=_count(courses, "provider")
    )


def provider_get(*, user: Any, public_id: Any, permission: str | None = None) -> TrainingProvider:
    provider = providers_visible(user, permission).filter(public_id=public_id).first()
    if provider is None:
        raise NotFound()
    return provider


# --- courses ------------------------------------------------------------------------------


def courses_visible(user: Any, permission: str | None = None) -> QuerySet[Course]:
    """The courses `user` reaches, with `enrolled_count` (trainees not dropped out),
    `completed_count` and `sessions_count`."""
    enrolments = Enrolment.objects.filter(course=OuterRef("pk"))
    return (
        scoped(Course.objects.all(), user, permission or VIEW)
        .select_related("provider", "governorate", "community", "project")
        .annotate(
            enrolled_count=_count(enrolments.filter(status__in=HOLDING), "course"),
            completed_count=_count(enrolments.filter(status=ENROLMENT.COMPLETED), "course"),
            sessions_count=_count(TrainingSession.objects.filter(course=OuterRef("pk")), "course"),
        )
    )


def course_get(*, user: Any, public_id: Any, permission: str | None = None) -> Course:
    course = courses_visible(user, permission).filter(public_id=public_id).first()
    if course is None:
        raise NotFound()
    return course


def course_history(course: Course) -> QuerySet[Any]:
    return Course.STATUS_MACHINE.history(course).order_by("at", "pk")


def places_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course, status__in=HOLDING).count()


# --- trainees -----------------------------------------------------------------------------


def _last_reasons(enrolments: list[Enrolment]) -> dict[int, StatusTransition]:
    """The latest change of status of each enrolment (its reason says why a trainee did
    not complete or dropped out)."""
    if not enrolments:
        return {}
    ct = ContentType.objects.get_for_model(Enrolment)
    last: dict[int, StatusTransition] = {}
    for t in StatusTransition.objects.filter(
        content_type=ct, field="status", object_pk__in=[str(e.pk) for e in enrolments]
    ).order_by("at", "pk"):
        last[int(t.object_pk)] = t
    return last


def visible_household_ids(user: Any, household_ids: Iterable[int]) -> set[int]:
    """The households (of `household_ids`) the user may see in the registry: only their
    members' names are shown."""
    ids = set(household_ids)
    if not ids or not has_permission(user, REGISTRY_VIEW):
        return set()
    return set(
        scoped(Household.objects.filter(pk__in=ids), user, REGISTRY_VIEW).values_list(
            "pk", flat=True
        )
    )


def course_trainees(course: Course, *, user: Any = None) -> list[Enrolment]:
    """The course's enrolments (head of the list: still enrolled, then by name), each
    with `present_count`, `rate` (attendance %, live for a course not finished), `meets`
    (rate at least the minimum), `age` (on the course's start), `outcome`/`reasons`
    (what finishing would decide, for enrolled trainees), `last_change` (the latest
    change of status, with its reason) and `show_name` (the user may see the household
    in the registry)."""
    held = TrainingSession.objects.filter(course=course).count()
    rows: list[Enrolment] = list(
        Enrolment.objects.filter(course=course)
        .select_related("individual", "household")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
        )
        .order_by("id")
    )
    last = _last_reasons(rows)
    visible = (
        visible_household_ids(user, (r.household_id for r in rows)) if user is not None else set()
    )
    for row in rows:
        decorate_trainee(row, course, held, last.get(row.pk))
        row.show_name = user is None or row.household_id in visible  # type: ignore[attr-defined]
    return rows


def decorate_trainee(
    row: Enrolment, course: Course, held: int, last: StatusTransition | None = None
) -> Enrolment:
    present = getattr(row, "present_count", 0)
    live = attendance_rate(present, held)
    rate = row.attendance_rate if row.status != ENROLMENT.ENROLLED else live
    row.rate = rate  # type: ignore[attr-defined]
    row.rate_text = percent_text(rate)  # type: ignore[attr-defined]
    row.meets = rate is not None and rate >= course.min_attendance  # type: ignore[attr-defined]
    row.age = age_on(row.individual.date_of_birth, course.starts_on)  # type: ignore[attr-defined]
    ok, reasons = completion_decision(
        rate=live,
        min_attendance=course.min_attendance,
        final_assessment=course.final_assessment,
        assessment_passed=row.assessment_passed,
    )
    row.outcome = ok  # type: ignore[attr-defined]
    row.reasons = reasons  # type: ignore[attr-defined]
    row.last_change = last  # type: ignore[attr-defined]
    return row


def finish_preview(course: Course) -> dict[str, Any]:
    """What finishing the course would decide now: per trainee still enrolled, completes
    or not and why; counts; sessions held against planned."""
    held = TrainingSession.objects.filter(course=course).count()
    rows = [r for r in course_trainees(course) if r.status == ENROLMENT.ENROLLED]
    completing = [r for r in rows if r.outcome]  # type: ignore[attr-defined]
    return {
        "rows": rows,
        "held": held,
        "planned": course.planned_sessions,
        "completing": len(completing),
        "not_completing": len(rows) - len(completing),
        "no_result": sum(
            1 for r in rows if course.final_assessment and r.assessment_passed is None
        ),
    }


def enrolment_get(*, user: Any, public_id: Any, permission: str | None = None) -> Enrolment:
    enrolment = (
        scoped(Enrolment.objects.all(), user, permission or VIEW)
        .select_related(
            "course__provider",
            "course__governorate",
            "course__community",
            "course__project",
            "individual",
            "household",
        )
        .filter(public_id=public_id)
        .first()
    )
    if enrolment is None:
        raise NotFound()
    return enrolment


def enrolment_attendance(enrolment: Enrolment) -> list[tuple[TrainingSession, bool | None]]:
    """Each session of the course and whether the trainee was present (None: no row,
    such as a session held before they enrolled)."""
    marks = dict(
        Attendance.objects.filter(enrolment=enrolment).values_list("session_id", "present")
    )
    return [
        (s, marks.get(s.pk))
        for s in TrainingSession.objects.filter(course_id=enrolment.course_id).order_by("number")
    ]


def enrolment_history(enrolment: Enrolment) -> QuerySet[Any]:
    return Enrolment.STATUS_MACHINE.history(enrolment).order_by("at", "pk")


# --- sessions -----------------------------------------------------------------------------


def course_sessions(course: Course) -> list[TrainingSession]:
    """The sessions held, each with `present_count` and `marked_count`."""
    return list(
        TrainingSession.objects.filter(course=course)
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            marked_count=Count("attendance"),
        )
        .order_by("number")
    )


def session_get(
    *, user: Any, course_public_id: Any, number: int, permission: str | None = None
) -> TrainingSession:
    session = (
        scoped(TrainingSession.objects.all(), user, permission or VIEW)
        .select_related("course__provider", "course__governorate")
        .filter(course__public_id=course_public_id, number=number)
        .first()
    )
    if session is None:
        raise NotFound()
    return session


def session_roll(course: Course, session: TrainingSession | None = None) -> list[Enrolment]:
    """Who is on a session's roll: trainees enrolled now, and for a session already
    recorded also whoever has a mark on it (a trainee who dropped out later); each with
    `marked` (present on that session). Ordered as enrolled."""
    rows = Enrolment.objects.filter(course=course).select_related("individual", "household")
    if session is None:
        chosen = list(rows.filter(status=ENROLMENT.ENROLLED).order_by("id"))
        for row in chosen:
            row.marked = False  # type: ignore[attr-defined]
        return chosen
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    chosen = list(rows.filter(Q(status=ENROLMENT.ENROLLED) | Q(pk__in=list(marks))).order_by("id"))
    for row in chosen:
        row.marked = bool(marks.get(row.pk))  # type: ignore[attr-defined]
    return chosen


def attendance_grid(course: Course) -> dict[str, Any]:
    """Trainees × sessions for the attendance sheet: {"sessions", "rows": [(enrolment,
    [True/False/None per session], present, rate)]}. Dropped-out trainees are listed
    too, with their status."""
    sessions = list(TrainingSession.objects.filter(course=course).order_by("number"))
    marks = {
        (a.enrolment_id, a.session_id): a.present
        for a in Attendance.objects.filter(session__course=course).only(
            "enrolment_id", "session_id", "present"
        )
    }
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .select_related("individual", "household")
        .order_by("id")
    )
    rows = []
    for e in enrolments:
        cells = [marks.get((e.pk, s.pk)) for s in sessions]
        present = sum(1 for c in cells if c)
        rows.append((e, cells, present, attendance_rate(present, len(sessions))))
    return {"sessions": sessions, "rows": rows}


# --- enrolment from the registry ----------------------------------------------------------


@dataclass
class Candidate:
    """A person found in the registry for a course: whether they may be enrolled and
    why not."""

    individual: Individual
    household: Household
    age: int
    problem: str = ""
    enrolment: Enrolment | None = None

    @property
    def eligible(self) -> bool:
        return not self.problem


def eligibility_problem(
    course: Course,
    individual: Individual,
    household: Household,
    existing: Enrolment | None = None,
) -> str:
    """Why a person cannot be enrolled on a course ("" when they can): an active member
    of an active household living in the course's governorate, aged at least 15 on the
    course's start, not on the course already."""
    if existing is not None:
        if existing.status == ENROLMENT.DROPPED_OUT:
            return _("Dropped out of this course: re-enrol them from the course page.")
        return _("Already on this course.")
    if household.status != Household.Status.ACTIVE:
        return _(
            "Household %(id)s is not active in the registry (%(status)s): reactivate it first."
        ) % {"id": household.registration_id, "status": household.get_status_display()}
    if individual.status != Individual.Status.ACTIVE:
        return _("No longer a member of household %(id)s (%(status)s).") % {
            "id": household.registration_id,
            "status": individual.get_status_display(),
        }
    if household.governorate_id != course.governorate_id:
        return _(
            "The household lives in another governorate: enrol people living in %(governorate)s."
        ) % {"governorate": course.governorate.name}
    age = age_on(individual.date_of_birth, course.starts_on)
    if age < MIN_AGE:
        return _("%(age)d years old on %(day)s: trainees must be at least %(min)d.") % {
            "age": age,
            "day": course.starts_on.isoformat(),
            "min": MIN_AGE,
        }
    return ""


def enrolment_candidates(
    *, user: Any, course: Course, query: str, limit: int = 15
) -> list[Candidate]:
    """People of the registry households matching `query` (registration id, name, phone
    or document number, through the registry's search) that the user may see, each
    member with whether they may be enrolled on `course`."""
    from sanad.registry.selectors import household_search

    if not (query or "").strip() or not has_permission(user, REGISTRY_VIEW):
        return []
    households = list(
        household_search(user=user, query=query)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Individual.objects.order_by("-relationship", "date_of_birth", "pk"),
            )
        )
        .order_by("registration_id")[:limit]
    )
    members = [m for h in households for m in h.members.all()]
    existing = {
        e.individual_id: e
        for e in Enrolment.objects.filter(course=course, individual__in=[m.pk for m in members])
    }
    out = []
    for household in households:
        ordered = sorted(
            household.members.all(),
            key=lambda m: (m.relationship != Individual.Relationship.HEAD, m.date_of_birth),
        )
        for member in ordered:
            out.append(
                Candidate(
                    individual=member,
                    household=household,
                    age=age_on(member.date_of_birth, course.starts_on),
                    problem=eligibility_problem(course, member, household, existing.get(member.pk)),
                    enrolment=existing.get(member.pk),
                )
            )
    return out


def beneficiary_lists_for(user: Any) -> list[Any]:
    """The approved (or in use) beneficiary lists of the revitalization programme that
    the user may see: where bulk enrolment takes its households from."""
    from sanad.targeting.models import BeneficiaryList
    from sanad.targeting.selectors import lists_visible_to

    if not has_permission(user, "targeting.view_list"):
        return []
    return list(
        lists_visible_to(user)
        .filter(
            programme__code="CRP",
            status__in=(BeneficiaryList.Status.APPROVED, BeneficiaryList.Status.IN_USE),
        )
        .order_by("-created_at")
    )


# --- job placement ------------------------------------------------------------------------


def course_placements(course: Course) -> list[PlacementFollowUp]:
    return list(
        PlacementFollowUp.objects.filter(enrolment__course=course)
        .select_related("enrolment__individual")
        .order_by("enrolment_id", "followed_on", "pk")
    )


def placement_get(*, user: Any, public_id: Any, permission: str | None = None) -> PlacementFollowUp:
    placement = (
        scoped(PlacementFollowUp.objects.all(), user, permission or VIEW)
        .select_related("enrolment__course", "enrolment__individual")
        .filter(public_id=public_id)
        .first()
    )
    if placement is None:
        raise NotFound()
    return placement


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def placement_summary(course: Course) -> dict[str, Any]:
    """Job placement of the course's graduates, from each one's latest follow-up:
    completed, followed up, working (employed or self-employed) and its share of those
    followed up (people who could not be reached are not followed up), using the skills,
    the average monthly income of those earning — overall and by sex."""
    completed = list(
        Enrolment.objects.filter(course=course, status=ENROLMENT.COMPLETED).select_related(
            "individual"
        )
    )
    latest: dict[int, PlacementFollowUp] = {}
    for p in PlacementFollowUp.objects.filter(enrolment__course=course).order_by(
        "followed_on", "pk"
    ):
        latest[p.enrolment_id] = p

    def block(rows: list[Enrolment]) -> dict[str, Any]:
        followed = [
            latest[e.pk]
            for e in rows
            if e.pk in latest and latest[e.pk].outcome != PlacementFollowUp.Outcome.UNREACHABLE
        ]
        working = [p for p in followed if p.outcome in WORKING]
        incomes = [p.monthly_income_iqd for p in working if p.monthly_income_iqd]
        return {
            "completed": len(rows),
            "followed": len(followed),
            "unreachable": sum(
                1
                for e in rows
                if e.pk in latest and latest[e.pk].outcome == PlacementFollowUp.Outcome.UNREACHABLE
            ),
            "working": len(working),
            "working_pct": _pct(len(working), len(followed)),
            "uses_skills": sum(1 for p in followed if p.uses_skills),
            "average_income_iqd": (sum(incomes) // len(incomes)) if incomes else None,
        }

    by_sex = {
        sex: block([e for e in completed if e.individual.sex == sex])
        for sex in (Individual.Sex.FEMALE, Individual.Sex.MALE)
    }
    outcomes: dict[str, int] = {}
    for p in latest.values():
        outcomes[p.outcome] = outcomes.get(p.outcome, 0) + 1
    return {
        **block(completed),
        "by_sex": by_sex,
        "outcomes": [
            (label, outcomes.get(value, 0))
            for value, label in PlacementFollowUp.Outcome.choices
            if outcomes.get(value)
        ],
    }
