"""Enrolment of people from the registry on a course: one person, or the households of
an approved beneficiary list of the programme; dropping out and re-enrolling; the final
assessment results.

Every enrolment locks the course row while it counts the places taken, so two officers
enrolling at the same moment cannot overfill a course."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanad.core.errors import Conflict, ValidationFailed, field_error
from sanad.core.scoping import can_reach
from sanad.registry.derive import age_on
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import TRAINING, Course, Enrolment
from sanad.revitalization.selectors.training import (
    HOLDING,
    REGISTRY_VIEW,
    YOUTH,
    eligibility_problem,
)
from sanad.revitalization.services._common import PROGRAMME, require, today
from sanad.revitalization.services.training._base import (
    COURSE,
    clean_text,
    lock_course,
    parse_date,
    require_open,
    stamp,
)

ENROLMENT = Enrolment.Status
RULE_HEAD = "head"
RULE_YOUTH = "youth"
RULES = (RULE_HEAD, RULE_YOUTH)


def _full(course: Course, taken: int) -> Conflict:
    return Conflict(
        _(
            "The course is full: %(taken)d of %(places)d places are taken. Add places to "
            "the course or drop someone out first."
        )
        % {"taken": taken, "places": course.capacity},
        code="course_full",
    )


def _name(individual: Individual) -> str:
    return individual.full_name_en or individual.full_name_ar or str(individual.public_id)


def _create(user: Any, course: Course, individual: Individual, day: datetime.date) -> Enrolment:
    enrolment = Enrolment(
        course=course,
        individual=individual,
        household_id=individual.household_id,
        enrolled_on=day,
    )
    stamp(enrolment, user, created=True)
    enrolment.save()
    return enrolment


def enrolment_create(
    *,
    user: Any,
    course: Course,
    individual: Individual,
    enrolled_on: datetime.date | None = None,
) -> Enrolment:
    """Enrol one person of the registry: an active member of an active household living
    in the course's governorate, aged at least 15 on the course's start, not on the
    course already, while places are left (`course_full`)."""
    require(user, TRAINING, course)
    if not isinstance(individual, Individual):
        raise field_error("individual", _("Choose a person from the registry."), "no_individual")
    if not can_reach(user, individual.household, REGISTRY_VIEW):
        raise field_error(
            "individual",
            _("Choose a person of a household you can see in the registry."),
            "individual_out_of_scope",
        )
    day = parse_date(enrolled_on or today(), "enrolled_on")
    with transaction.atomic():
        locked = lock_course(course)
        require_open(locked, _("trainees are enrolled"))
        person = Individual.objects.select_related("household").get(pk=individual.pk)
        existing = Enrolment.objects.filter(course=locked, individual=person).first()
        problem = eligibility_problem(locked, person, person.household, existing)
        if problem:
            code = "already_enrolled" if existing is not None else "not_eligible"
            raise Conflict(
                _("%(name)s cannot be enrolled: %(problem)s")
                % {"name": _name(person), "problem": problem},
                code=code,
            )
        taken = Enrolment.objects.filter(course=locked, status__in=HOLDING).count()
        if taken >= locked.capacity:
            raise _full(locked, taken)
        try:
            with transaction.atomic():
                return _create(user, locked, person, day)
        except IntegrityError as exc:
            raise Conflict(
                _("%(name)s is already on this course.") % {"name": _name(person)},
                code="already_enrolled",
            ) from exc


def _list_members(course: Course, household: Household, rule: str) -> list[Individual]:
    members = [m for m in household.members.all() if m.status == Individual.Status.ACTIVE]
    if rule == RULE_HEAD:
        return [m for m in members if m.relationship == Individual.Relationship.HEAD]
    low, high = YOUTH
    return [m for m in members if low <= age_on(m.date_of_birth, course.starts_on) <= high]


def enrolment_bulk(
    *, user: Any, course: Course, beneficiary_list: Any, rule: str
) -> dict[str, int]:
    """Enrol from an approved beneficiary list of the programme: for each household of
    the list (best rank first) living in the course's governorate, its head
    (`rule="head"`) or every member aged 18 to 35 on the course's start
    (`rule="youth"`). People already on the course or not eligible are skipped; the
    enrolment stops when the course is full. One transaction: all of it or none.

    Returns {"enrolled", "already", "not_eligible", "other_governorate", "no_place",
    "households"}."""
    from sanad.targeting.models import BeneficiaryList
    from sanad.targeting.selectors import list_households

    require(user, TRAINING, course)
    if rule not in RULES:
        raise field_error("rule", _("Choose who is enrolled from each household."), "invalid_rule")
    if not isinstance(beneficiary_list, BeneficiaryList):
        raise field_error("beneficiary_list", _("Choose a beneficiary list."), "no_list")
    if beneficiary_list.programme.code != PROGRAMME:
        raise field_error(
            "beneficiary_list",
            _("Choose a list of the community revitalization programme."),
            "list_other_programme",
        )
    counts = dict.fromkeys(
        ("enrolled", "already", "not_eligible", "other_governorate", "no_place", "households"), 0
    )
    with transaction.atomic():
        locked = lock_course(course)
        require_open(locked, _("trainees are enrolled"))
        households = list(
            list_households(beneficiary_list)
            .select_related("governorate")
            .prefetch_related("members")
        )
        counts["households"] = len(households)
        taken = Enrolment.objects.filter(course=locked, status__in=HOLDING).count()
        if taken >= locked.capacity:
            raise _full(locked, taken)
        existing = {
            e.individual_id: e
            for e in Enrolment.objects.filter(course=locked).only("individual_id", "status")
        }
        day = today()
        for household in households:
            if household.governorate_id != locked.governorate_id:
                counts["other_governorate"] += 1
                continue
            for person in _list_members(locked, household, rule):
                if eligibility_problem(locked, person, household, existing.get(person.pk)):
                    key = "already" if person.pk in existing else "not_eligible"
                    counts[key] += 1
                    continue
                if taken >= locked.capacity:
                    counts["no_place"] += 1
                    continue
                existing[person.pk] = _create(user, locked, person, day)
                taken += 1
                counts["enrolled"] += 1
    return counts


def bulk_message(counts: Mapping[str, int]) -> str:
    """The bulk enrolment's outcome in words."""
    parts = [
        ngettext("%(n)d person enrolled", "%(n)d people enrolled", counts["enrolled"])
        % {"n": counts["enrolled"]}
    ]
    if counts["already"]:
        parts.append(
            ngettext(
                "%(n)d already on the course", "%(n)d already on the course", counts["already"]
            )
            % {"n": counts["already"]}
        )
    if counts["not_eligible"]:
        parts.append(
            ngettext(
                "%(n)d not eligible (age, or no longer a member)",
                "%(n)d not eligible (age, or no longer members)",
                counts["not_eligible"],
            )
            % {"n": counts["not_eligible"]}
        )
    if counts["other_governorate"]:
        parts.append(
            ngettext(
                "%(n)d household living in another governorate",
                "%(n)d households living in another governorate",
                counts["other_governorate"],
            )
            % {"n": counts["other_governorate"]}
        )
    if counts["no_place"]:
        parts.append(
            ngettext(
                "%(n)d left out: the course is full",
                "%(n)d left out: the course is full",
                counts["no_place"],
            )
            % {"n": counts["no_place"]}
        )
    return "; ".join(parts) + "."


def enrolment_drop_out(*, user: Any, enrolment: Enrolment, reason: str) -> Enrolment:
    """An enrolled trainee drops out (reason required) while the course is planned or
    running: their place is free again, their attendance marks are kept."""
    require(user, TRAINING, enrolment)
    reason = clean_text(reason, "reason", max_length=300)
    with transaction.atomic():
        course = lock_course(enrolment.course)
        require_open(course, _("trainees drop out"))
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        stamp(row, user)
        Enrolment.STATUS_MACHINE.transition(
            row, to=ENROLMENT.DROPPED_OUT, by=user, reason=reason, extra_updates=("updated_by",)
        )
    enrolment.status = row.status
    return enrolment


def enrolment_reenrol(*, user: Any, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """A trainee who dropped out comes back, while the course is planned or running and
    a place is left; they must still be an active member of an active household."""
    require(user, TRAINING, enrolment)
    reason = clean_text(reason, "reason", max_length=300)
    with transaction.atomic():
        course = lock_course(enrolment.course)
        require_open(course, _("trainees are re-enrolled"))
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("individual__household")
            .get(pk=enrolment.pk)
        )
        if row.status != ENROLMENT.DROPPED_OUT:
            raise Conflict(
                _("Only a trainee who dropped out can be re-enrolled."), code="not_dropped_out"
            )
        problem = eligibility_problem(course, row.individual, row.individual.household)
        if problem:
            raise Conflict(
                _("%(name)s cannot be re-enrolled: %(problem)s")
                % {"name": _name(row.individual), "problem": problem},
                code="not_eligible",
            )
        taken = Enrolment.objects.filter(course=course, status__in=HOLDING).count()
        if taken >= course.capacity:
            raise _full(course, taken)
        stamp(row, user)
        Enrolment.STATUS_MACHINE.transition(
            row, to=ENROLMENT.ENROLLED, by=user, reason=reason, extra_updates=("updated_by",)
        )
    enrolment.status = row.status
    return enrolment


def assessment_record(
    *, user: Any, course: Course, results: Mapping[Any, bool | None]
) -> dict[str, int]:
    """Record the final assessment results, {enrolment (or its pk): True passed, False
    failed, None not recorded}. While the course runs, for trainees still enrolled;
    once it is finished, for trainees who did not complete, whose completion is then
    decided again (a late pass may give them their certificate). All or nothing.

    Returns {"changed", "completed"} (completed: trainees who completed on re-decision)."""
    from sanad.revitalization.services.training.completion import redecide

    require(user, TRAINING, course)
    if not course.final_assessment:
        raise Conflict(
            _("This course has no final assessment: change the course first."),
            code="no_assessment",
        )
    wanted = {getattr(key, "pk", key): value for key, value in results.items()}
    for value in wanted.values():
        if value not in (True, False, None):
            raise ValidationFailed(_("A result is passed, failed or not recorded."))
    counts = {"changed": 0, "completed": 0}
    with transaction.atomic():
        locked = lock_course(course)
        if locked.status == COURSE.RUNNING:
            allowed = (ENROLMENT.ENROLLED,)
        elif locked.status == COURSE.FINISHED:
            allowed = (ENROLMENT.NOT_COMPLETED,)
        else:
            raise Conflict(
                _("Results are recorded while the course runs, or after it finished."),
                code="course_not_running",
            )
        rows = {
            e.pk: e
            for e in Enrolment.objects.select_for_update()
            .filter(course=locked, pk__in=list(wanted))
            .order_by("pk")
        }
        if set(rows) != set(wanted):
            raise ValidationFailed(
                _("Some trainees are not on this course. Reload the page and try again."),
                code="unknown_enrolment",
            )
        changed: list[Enrolment] = []
        for pk, value in wanted.items():
            row = rows[pk]
            if row.assessment_passed == value:
                continue
            if row.status not in allowed:
                raise Conflict(
                    _("The result of %(name)s cannot change: they are %(status)s.")
                    % {"name": _name(row.individual), "status": row.get_status_display().lower()},
                    code="result_locked",
                )
            row.assessment_passed = value
            stamp(row, user)
            row.save(update_fields=["assessment_passed", "updated_by", "updated_at"])
            changed.append(row)
        counts["changed"] = len(changed)
        if locked.status == COURSE.FINISHED:
            for row in changed:
                if redecide(user=user, course=locked, enrolment=row).status == ENROLMENT.COMPLETED:
                    counts["completed"] += 1
    return counts
